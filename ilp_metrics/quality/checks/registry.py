"""Registry: desa codes unknown to the reference, desa without a puskesmas, desa not assigned."""

from __future__ import annotations

import duckdb
import pandas as pd

from ilp_metrics.metrics.tallies import record_slices
from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def check_registry(con: duckdb.DuckDBPyConnection, scope: Scope, regency: str | None) -> pd.DataFrame:
    rows = _frame(
        con,
        f"""
        WITH {_SCOPE},
        unknown AS (
            SELECT 'REG_DESA_UNKNOWN' AS check_code, d.puskesmas_code, d.desa_code, d.desa_name,
                   'desa' AS tbl, d.upload_id
            FROM desa d WHERE d.desa_code NOT IN (SELECT code FROM ref_village)
            UNION ALL
            SELECT 'REG_DESA_UNKNOWN', puskesmas_code, desa_code, NULL, 'layanan', min(first_upload)
            FROM {record_slices(con)}
            WHERE period >= $start AND period < $end
              AND desa_code NOT IN (SELECT code FROM ref_village) GROUP BY ALL
            UNION ALL
            SELECT 'REG_DESA_UNKNOWN', puskesmas_code, desa_code, NULL, 'capaian', min(upload_id) FROM capaian
            WHERE period >= $start AND period < $end AND desa_code IS NOT NULL
              AND desa_code NOT IN (SELECT code FROM ref_village) GROUP BY ALL
        )
        SELECT u.check_code, s.regency_code AS regency, u.puskesmas_code AS puskesmas, u.desa_code AS desa,
               u.desa_name, u.tbl, u.upload_id
        FROM unknown u JOIN scope s USING (puskesmas_code)
    """,
        scope.params(),
    )
    orphan = _frame(
        con,
        """
        SELECT d.desa_code AS desa, d.desa_name, d.puskesmas_code AS puskesmas, d.upload_id,
               coalesce(v.district_code, '') AS district
        FROM desa d LEFT JOIN ref_village v ON v.code = d.desa_code
        WHERE d.puskesmas_code NOT IN (SELECT puskesmas_code FROM puskesmas)
    """,
        {},
    )
    orphan["regency"] = orphan["desa"].str[:5]
    if regency:
        orphan = orphan[orphan["regency"] == regency]
    unassigned = _frame(
        con,
        f"""
        WITH {_SCOPE}
        SELECT DISTINCT s.regency_code AS regency, v.code AS desa, v.name AS desa_name
        FROM ref_village v JOIN scope s ON v.district_code IN (
            SELECT district_code FROM puskesmas p WHERE p.regency_code = s.regency_code)
        WHERE v.code NOT IN (SELECT desa_code FROM desa)
        ORDER BY ALL
    """,
        scope.params(),
    )
    frames = []
    if len(rows):
        frames.append(
            pd.DataFrame(
                {
                    "check": rows["check_code"],
                    "severity": scope.rules.check("REG_DESA_UNKNOWN").severity,
                    "regency": rows["regency"],
                    "puskesmas": rows["puskesmas"],
                    "desa": rows["desa"],
                    "period": None,
                    "indicator": None,
                    "value": None,
                    "expected": None,
                    "upload_ids": rows["upload_id"].astype(str),
                    "rows": None,
                    "f_code": rows["desa"],
                    "f_table": rows["tbl"],
                }
            )
        )
    if len(orphan):
        frames.append(
            pd.DataFrame(
                {
                    "check": "REG_DESA_NO_PUSKESMAS",
                    "severity": scope.rules.check("REG_DESA_NO_PUSKESMAS").severity,
                    "regency": orphan["regency"],
                    "puskesmas": orphan["puskesmas"],
                    "desa": orphan["desa"],
                    "period": None,
                    "indicator": None,
                    "value": None,
                    "expected": None,
                    "upload_ids": orphan["upload_id"].astype(str),
                    "rows": None,
                    "f_code": orphan["desa"],
                    "f_desa_name": orphan["desa_name"],
                }
            )
        )
    if len(unassigned):
        frames.append(
            pd.DataFrame(
                {
                    "check": "REG_DESA_UNASSIGNED",
                    "severity": scope.rules.check("REG_DESA_UNASSIGNED").severity,
                    "regency": unassigned["regency"],
                    "puskesmas": None,
                    "desa": unassigned["desa"],
                    "period": None,
                    "indicator": None,
                    "value": None,
                    "expected": None,
                    "upload_ids": None,
                    "rows": None,
                    "f_code": unassigned["desa"],
                    "f_desa_name": unassigned["desa_name"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _empty()
