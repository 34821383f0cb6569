"""Completeness: every puskesmas × month expected, and what arrived (layanan, capaian, desa)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.metrics.tallies import record_slices
from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def completeness_grid(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Every puskesmas × month expected (January to its kabupaten's last month) with what arrived:
    layanan rows, capaian rows, desa in the registry and desa present in the data."""
    return _frame(
        con,
        f"""
        WITH {_SCOPE},
        expected AS (
            SELECT s.puskesmas_code, s.puskesmas_name, s.regency_code,
                   CAST(unnest(generate_series($start, s.last_month, INTERVAL 1 MONTH)) AS DATE) AS period
            FROM scope s
        ),
        lay AS (
            SELECT puskesmas_code, period, sum(records) AS layanan_rows, count(DISTINCT desa_code) AS layanan_desa
            FROM {record_slices(con)} WHERE period >= $start AND period < $end GROUP BY ALL
        ),
        cap AS (
            SELECT puskesmas_code, period, count(*) AS capaian_rows, count(DISTINCT desa_code) AS capaian_desa
            FROM capaian WHERE period >= $start AND period < $end GROUP BY ALL
        ),
        registry AS (SELECT puskesmas_code, count(*) AS desa_registered FROM desa GROUP BY ALL),
        ready AS (
            SELECT DISTINCT puskesmas_code, period FROM kesiapan WHERE period >= $start AND period < $end
        )
        SELECT e.regency_code, e.puskesmas_code, e.puskesmas_name, e.period,
               coalesce(l.layanan_rows, 0) AS layanan_rows, coalesce(c.capaian_rows, 0) AS capaian_rows,
               coalesce(r.desa_registered, 0) AS desa_registered,
               greatest(coalesce(l.layanan_desa, 0), coalesce(c.capaian_desa, 0)) AS desa_reporting,
               (l.layanan_rows IS NOT NULL OR c.capaian_rows IS NOT NULL) AS reported,
               k.puskesmas_code IS NOT NULL AS readiness_reported
        FROM expected e
        LEFT JOIN lay l USING (puskesmas_code, period)
        LEFT JOIN cap c USING (puskesmas_code, period)
        LEFT JOIN registry r USING (puskesmas_code)
        LEFT JOIN ready k USING (puskesmas_code, period)
        ORDER BY e.puskesmas_name, e.period
    """,
        scope.params(),
    )


def check_completeness(con: duckdb.DuckDBPyConnection, scope: Scope, grid: pd.DataFrame) -> pd.DataFrame:
    frames = []
    missing = grid[~grid["reported"]]
    frames.append(
        pd.DataFrame(
            {
                "check": "COMP_PUSKESMAS_MONTH",
                "severity": scope.rules.check("COMP_PUSKESMAS_MONTH").severity,
                "regency": missing["regency_code"],
                "puskesmas": missing["puskesmas_code"],
                "desa": None,
                "period": missing["period"],
                "indicator": None,
                "value": 0.0,
                "expected": None,
                "upload_ids": None,
                "rows": None,
            }
        )
    )
    # Desa absent from a month the puskesmas did report. Aggregate reports list every desa (zeros written),
    # so a missing row is a gap (medium); a desa without a single record is only a note (low).
    slices = record_slices(con)
    desa = _frame(
        con,
        f"""
        WITH {_SCOPE},
        cap_months AS (
            SELECT DISTINCT puskesmas_code, period FROM capaian
            WHERE period >= $start AND period < $end AND desa_code IS NOT NULL
        ),
        cap_rows AS (
            SELECT DISTINCT puskesmas_code, period, desa_code FROM capaian WHERE period >= $start AND period < $end
        ),
        lay_months AS (
            SELECT DISTINCT puskesmas_code, period FROM {slices}
            WHERE period >= $start AND period < $end
        ),
        lay_rows AS (
            SELECT DISTINCT puskesmas_code, period, desa_code
            FROM {slices} WHERE period >= $start AND period < $end
        ),
        gaps AS (
            SELECT m.puskesmas_code, m.period, d.desa_code, 'capaian' AS source
            FROM cap_months m JOIN desa d USING (puskesmas_code)
            WHERE NOT EXISTS (SELECT 1 FROM cap_rows r WHERE r.puskesmas_code = m.puskesmas_code
                              AND r.period = m.period AND r.desa_code = d.desa_code)
            UNION ALL
            SELECT m.puskesmas_code, m.period, d.desa_code, 'layanan'
            FROM lay_months m JOIN desa d USING (puskesmas_code)
            WHERE NOT EXISTS (SELECT 1 FROM lay_rows r WHERE r.puskesmas_code = m.puskesmas_code
                              AND r.period = m.period AND r.desa_code = d.desa_code)
              AND NOT EXISTS (SELECT 1 FROM cap_months c WHERE c.puskesmas_code = m.puskesmas_code
                              AND c.period = m.period)
        )
        SELECT s.regency_code AS regency, g.puskesmas_code AS puskesmas, g.desa_code AS desa, g.period, g.source
        FROM gaps g JOIN scope s USING (puskesmas_code) WHERE g.period <= s.last_month
    """,
        scope.params(),
    )
    if len(desa):
        frames.append(
            pd.DataFrame(
                {
                    "check": "COMP_DESA_MONTH",
                    "severity": np.where(desa["source"] == "capaian", "medium", "low"),
                    "regency": desa["regency"],
                    "puskesmas": desa["puskesmas"],
                    "desa": desa["desa"],
                    "period": desa["period"],
                    "indicator": None,
                    "value": 0.0,
                    "expected": None,
                    "upload_ids": None,
                    "rows": None,
                    "f_table": desa["source"],
                }
            )
        )
    # Readiness checklists: expected every month once the kabupaten uses them that year.
    used = _frame(
        con,
        f"""
        WITH {_SCOPE}
        SELECT DISTINCT s.regency_code FROM kesiapan k JOIN scope s USING (puskesmas_code)
        WHERE k.period >= $start AND k.period < $end
    """,
        scope.params(),
    )
    ready = grid[(~grid["readiness_reported"]) & grid["regency_code"].isin(used["regency_code"])]
    frames.append(
        pd.DataFrame(
            {
                "check": "COMP_KESIAPAN_MONTH",
                "severity": scope.rules.check("COMP_KESIAPAN_MONTH").severity,
                "regency": ready["regency_code"],
                "puskesmas": ready["puskesmas_code"],
                "desa": None,
                "period": ready["period"],
                "indicator": None,
                "value": 0.0,
                "expected": None,
                "upload_ids": None,
                "rows": None,
            }
        )
    )
    return pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else _empty()
