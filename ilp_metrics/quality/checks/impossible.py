"""Impossible values: negative counts, services dated after their upload or before the person's birth."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame, _rows_ref


def check_impossible(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    rows = _frame(
        con,
        f"""
        WITH {_SCOPE},
        negative AS (
            SELECT 'IMP_NEGATIVE' AS check_code, puskesmas_code, desa_code, period, service_code AS indicator,
                   count AS value, 'capaian' AS tbl, upload_id, source_row, CAST(NULL AS VARCHAR) AS file_name
            FROM capaian WHERE count < 0 AND period >= $start AND period < $end
            UNION ALL
            SELECT 'IMP_NEGATIVE', puskesmas_code, NULL, period, item_code, value, 'kesiapan', upload_id,
                   source_row, NULL
            FROM kesiapan WHERE value < 0 AND period >= $start AND period < $end
        ),
        after_upload AS (
            SELECT 'IMP_AFTER_UPLOAD' AS check_code, l.puskesmas_code, NULL AS desa_code,
                   CAST(date_trunc('month', l.service_date) AS DATE) AS period, NULL AS indicator,
                   NULL AS value, 'layanan' AS tbl, l.upload_id, l.source_row, u.file_name
            FROM layanan l JOIN uploads u USING (upload_id)
            WHERE l.service_date >= $start AND l.service_date < $end AND l.service_date > CAST(u.uploaded_at AS DATE)
            UNION ALL
            SELECT 'IMP_AFTER_UPLOAD', c.puskesmas_code, NULL, c.period, NULL, NULL, 'capaian', c.upload_id,
                   c.source_row, u.file_name
            FROM capaian c JOIN uploads u USING (upload_id)
            WHERE c.period >= $start AND c.period < $end AND c.period > CAST(u.uploaded_at AS DATE)
        ),
        before_birth AS (
            SELECT 'IMP_BEFORE_BIRTH' AS check_code, puskesmas_code, NULL AS desa_code,
                   CAST(date_trunc('month', service_date) AS DATE) AS period, NULL AS indicator, NULL AS value,
                   'layanan' AS tbl, upload_id, source_row, NULL AS file_name
            FROM layanan
            WHERE service_date >= $start AND service_date < $end AND birth_date IS NOT NULL
              AND service_date < birth_date
        ),
        found AS (SELECT * FROM negative UNION ALL SELECT * FROM after_upload UNION ALL SELECT * FROM before_birth)
        SELECT f.check_code, s.regency_code AS regency, f.puskesmas_code AS puskesmas, f.desa_code AS desa,
               f.period, f.indicator, min(f.value) AS value, f.tbl, f.upload_id, min(f.file_name) AS file_name,
               count(*) AS n_rows, list(f.source_row ORDER BY f.source_row)[1:10] AS source_rows
        FROM found f JOIN scope s USING (puskesmas_code)
        WHERE f.period <= s.last_month
        GROUP BY f.check_code, s.regency_code, f.puskesmas_code, f.desa_code, f.period, f.indicator, f.tbl,
                 f.upload_id, (CASE WHEN f.check_code = 'IMP_NEGATIVE' THEN f.source_row END)
        ORDER BY ALL
    """,
        scope.params(),
    )
    neg_sasaran = _frame(
        con,
        f"""
        WITH {_SCOPE},
        areas AS (
            SELECT d.desa_code AS area_code, d.puskesmas_code FROM desa d
            UNION ALL SELECT puskesmas_code, puskesmas_code FROM puskesmas
        )
        SELECT s.regency_code AS regency, a.puskesmas_code AS puskesmas,
               CASE WHEN t.area_level = 'desa' THEN t.area_code END AS desa, t.target_group AS indicator,
               t.count AS value, t.upload_id
        FROM sasaran t JOIN areas a USING (area_code) JOIN scope s ON s.puskesmas_code = a.puskesmas_code
        WHERE t.year = $year AND t.count < 0
    """,
        scope.params(year=scope.year),
    )
    frames = []
    if len(rows):
        frames.append(
            pd.DataFrame(
                {
                    "check": rows["check_code"],
                    "severity": [scope.rules.check(c).severity for c in rows["check_code"]],
                    "regency": rows["regency"],
                    "puskesmas": rows["puskesmas"],
                    "desa": rows["desa"],
                    "period": rows["period"],
                    "indicator": rows["indicator"],
                    "value": np.where(rows["check_code"] == "IMP_NEGATIVE", rows["value"], rows["n_rows"]).astype(
                        float
                    ),
                    "expected": None,
                    "upload_ids": rows["upload_id"].astype(str),
                    "rows": [
                        _rows_ref(u, r, n) for u, r, n in zip(rows["upload_id"], rows["source_rows"], rows["n_rows"])
                    ],
                    "f_table": rows["tbl"],
                    "f_rows": rows["n_rows"],
                    "f_file": rows["file_name"],
                }
            )
        )
    if len(neg_sasaran):
        frames.append(
            pd.DataFrame(
                {
                    "check": "IMP_NEGATIVE",
                    "severity": scope.rules.check("IMP_NEGATIVE").severity,
                    "regency": neg_sasaran["regency"],
                    "puskesmas": neg_sasaran["puskesmas"],
                    "desa": neg_sasaran["desa"],
                    "period": None,
                    "indicator": neg_sasaran["indicator"],
                    "value": neg_sasaran["value"].astype(float),
                    "expected": None,
                    "upload_ids": neg_sasaran["upload_id"].astype(str),
                    "rows": None,
                    "f_table": "sasaran",
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _empty()
