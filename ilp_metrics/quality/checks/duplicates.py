"""Duplicates: a record entered twice, a service in two sources, a file uploaded again."""

from __future__ import annotations

import duckdb
import pandas as pd

from ilp_metrics.metrics.tallies import record_slices
from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame, _rows_ref


def check_duplicates(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    dup = _frame(
        con,
        f"""
        WITH {_SCOPE},
        keys AS (  -- same person, service and day more than once (grouped on a hash: one number per row)
            SELECT hash(puskesmas_code, person_key, service_code, service_date) AS h
            FROM layanan JOIN scope USING (puskesmas_code)
            WHERE service_date >= $start AND service_date < $end
            GROUP BY ALL HAVING count(*) > 1
        ),
        copies AS (  -- every row of those keys; the first (lowest upload, row) is the original
            SELECT l.puskesmas_code, l.service_date, l.upload_id, l.source_row,
                   row_number() OVER (PARTITION BY l.puskesmas_code, l.person_key, l.service_code, l.service_date
                                      ORDER BY l.upload_id, l.source_row) AS copy
            FROM layanan l JOIN scope USING (puskesmas_code)
            WHERE l.service_date >= $start AND l.service_date < $end
              AND hash(l.puskesmas_code, l.person_key, l.service_code, l.service_date) IN (SELECT h FROM keys)
        ),
        flat AS (
            SELECT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period, upload_id, source_row
            FROM copies WHERE copy > 1
        )
        SELECT s.regency_code AS regency, f.puskesmas_code AS puskesmas, f.period, f.upload_id,
               min(u.file_name) AS file_name, count(*) AS n_rows, list(f.source_row ORDER BY f.source_row) AS source_rows
        FROM flat f JOIN scope s USING (puskesmas_code) JOIN uploads u USING (upload_id)
        WHERE f.period <= s.last_month
        GROUP BY ALL ORDER BY ALL
    """,
        scope.params(),
    )
    overlap = _frame(
        con,
        f"""
        WITH {_SCOPE},
        cap AS (
            SELECT puskesmas_code, period, service_code, min(upload_id) AS upload_id FROM capaian
            WHERE period >= $start AND period < $end GROUP BY ALL
        ),
        lay AS (
            SELECT DISTINCT puskesmas_code, period, service_code
            FROM {record_slices(con)} WHERE period >= $start AND period < $end
        )
        SELECT s.regency_code AS regency, c.puskesmas_code AS puskesmas, c.period, count(*) AS services,
               string_agg(DISTINCT CAST(c.upload_id AS VARCHAR), ',') AS upload_ids
        FROM cap c JOIN lay l USING (puskesmas_code, period, service_code) JOIN scope s USING (puskesmas_code)
        WHERE c.period <= s.last_month
        GROUP BY ALL ORDER BY ALL
    """,
        scope.params(),
    )
    resent = _frame(
        con,
        f"""
        WITH {_SCOPE},
        pairs AS (
            SELECT n.upload_id, n.file_name, n.kind, n.period_end, o.upload_id AS old_id, o.file_name AS old_name,
                   n.rows_accepted
            FROM uploads n JOIN uploads o
              ON o.kind = n.kind AND o.upload_id < n.upload_id AND o.status = 'replaced' AND n.status = 'active'
             AND o.period_start IS NOT DISTINCT FROM n.period_start AND o.period_end IS NOT DISTINCT FROM n.period_end
             AND o.rows_accepted = n.rows_accepted AND n.rows_replaced >= o.rows_accepted
             AND o.file_name <> n.file_name
            WHERE n.period_end >= $start AND n.period_end < $end
        ),
        units AS (
            SELECT upload_id, min(puskesmas_code) AS puskesmas_code FROM (
                SELECT upload_id, puskesmas_code FROM layanan WHERE upload_id IN (SELECT upload_id FROM pairs)
                UNION SELECT upload_id, puskesmas_code FROM capaian WHERE upload_id IN (SELECT upload_id FROM pairs)
                UNION SELECT upload_id, puskesmas_code FROM kesiapan WHERE upload_id IN (SELECT upload_id FROM pairs)
            ) GROUP BY ALL
        )
        SELECT s.regency_code AS regency, x.puskesmas_code AS puskesmas,
               CAST(date_trunc('month', p.period_end) AS DATE) AS period, p.*
        FROM pairs p JOIN units x USING (upload_id) JOIN scope s USING (puskesmas_code)
    """,
        scope.params(),
    )
    frames = []
    if len(dup):
        frames.append(
            pd.DataFrame(
                {
                    "check": "DUP_RECORD",
                    "severity": scope.rules.check("DUP_RECORD").severity,
                    "regency": dup["regency"],
                    "puskesmas": dup["puskesmas"],
                    "desa": None,
                    "period": dup["period"],
                    "indicator": None,
                    "value": dup["n_rows"].astype(float),
                    "expected": 0.0,
                    "upload_ids": dup["upload_id"].astype(str),
                    "rows": [
                        _rows_ref(u, r, n) for u, r, n in zip(dup["upload_id"], dup["source_rows"], dup["n_rows"])
                    ],
                    "f_rows": dup["n_rows"],
                    "f_file": dup["file_name"],
                }
            )
        )
    if len(overlap):
        frames.append(
            pd.DataFrame(
                {
                    "check": "DUP_SOURCE_OVERLAP",
                    "severity": scope.rules.check("DUP_SOURCE_OVERLAP").severity,
                    "regency": overlap["regency"],
                    "puskesmas": overlap["puskesmas"],
                    "desa": None,
                    "period": overlap["period"],
                    "indicator": None,
                    "value": overlap["services"].astype(float),
                    "expected": 0.0,
                    "upload_ids": overlap["upload_ids"],
                    "rows": None,
                    "f_services": overlap["services"],
                }
            )
        )
    if len(resent):
        frames.append(
            pd.DataFrame(
                {
                    "check": "DUP_RESENT",
                    "severity": scope.rules.check("DUP_RESENT").severity,
                    "regency": resent["regency"],
                    "puskesmas": resent["puskesmas"],
                    "desa": None,
                    "period": resent["period"],
                    "indicator": None,
                    "value": resent["rows_accepted"].astype(float),
                    "expected": None,
                    "upload_ids": resent["upload_id"].astype(str) + "," + resent["old_id"].astype(str),
                    "rows": None,
                    "f_file": resent["file_name"],
                    "f_previous": resent["old_id"].astype(str) + " (" + resent["old_name"] + ")",
                    "f_rows": resent["rows_accepted"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _empty()
