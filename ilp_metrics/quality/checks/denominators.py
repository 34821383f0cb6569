"""Denominators: sasaran missing or zero, and a puskesmas's sasaran off from the sum of its desa."""

from __future__ import annotations

import duckdb
import pandas as pd

from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def check_denominators(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    groups = sorted({i.denominator.target_group for i in scope.catalogue.indicators if i.denominator.target_group})
    rows = _frame(
        con,
        f"""
        WITH {_SCOPE},
        groups AS (SELECT unnest($groups) AS target_group),
        desa_t AS (
            SELECT d.puskesmas_code, d.desa_code, t.target_group, sum(t.count) AS n
            FROM desa d JOIN sasaran t ON t.area_code = d.desa_code AND t.area_level = 'desa' AND t.year = $year
            GROUP BY ALL
        ),
        pusk_t AS (
            SELECT area_code AS puskesmas_code, target_group, sum(count) AS n FROM sasaran
            WHERE year = $year AND area_level = 'puskesmas' GROUP BY ALL
        ),
        per_pusk AS (
            SELECT s.regency_code, s.puskesmas_code, g.target_group,
                   (SELECT count(*) FROM desa d WHERE d.puskesmas_code = s.puskesmas_code) AS desa_registered,
                   count(dt.desa_code) AS desa_with, sum(dt.n) AS desa_sum, min(p.n) AS pusk_n
            FROM scope s CROSS JOIN groups g
            LEFT JOIN desa_t dt ON dt.puskesmas_code = s.puskesmas_code AND dt.target_group = g.target_group
            LEFT JOIN pusk_t p ON p.puskesmas_code = s.puskesmas_code AND p.target_group = g.target_group
            GROUP BY ALL
        )
        SELECT * FROM per_pusk ORDER BY puskesmas_code, target_group
    """,
        scope.params(year=scope.year, groups=groups),
    )
    out = []
    tol = scope.t("denominator_level_tolerance")
    for r in rows.itertuples():
        base = {
            "regency": r.regency_code,
            "puskesmas": r.puskesmas_code,
            "period": None,
            "indicator": r.target_group,
            "upload_ids": None,
            "rows": None,
            "f_group": r.target_group,
            "f_year": scope.year,
        }
        if pd.isna(r.pusk_n) and r.desa_with == 0:
            out.append(
                {
                    **base,
                    "check": "DEN_MISSING",
                    "severity": "high",
                    "desa": None,
                    "value": None,
                    "expected": None,
                    "f_level": "puskesmas",
                }
            )
            continue
        if pd.isna(r.pusk_n) and r.desa_with < r.desa_registered:
            out.append(
                {
                    **base,
                    "check": "DEN_MISSING",
                    "severity": "medium",
                    "desa": None,
                    "value": float(r.desa_with),
                    "expected": float(r.desa_registered),
                    "f_level": f"desa {int(r.desa_with)}/{int(r.desa_registered)}",
                }
            )
        total = r.pusk_n if not pd.isna(r.pusk_n) else r.desa_sum
        if not pd.isna(total) and total == 0:
            out.append({**base, "check": "DEN_ZERO", "severity": "high", "desa": None, "value": 0.0, "expected": None})
        if (
            not pd.isna(r.pusk_n)
            and not pd.isna(r.desa_sum)
            and r.desa_sum > 0
            and abs(r.pusk_n - r.desa_sum) / r.desa_sum > tol
        ):
            out.append(
                {
                    **base,
                    "check": "DEN_LEVELS",
                    "severity": scope.rules.check("DEN_LEVELS").severity,
                    "desa": None,
                    "value": float(r.pusk_n),
                    "expected": float(r.desa_sum),
                }
            )
    # A desa whose sasaran is 0 while people of that group were served there.
    service_groups = [
        (s, i.denominator.target_group)
        for i in scope.catalogue.indicators
        if i.denominator.target_group
        for s in i.numerator.services
    ]
    zero = _frame(
        con,
        f"""
        WITH {_SCOPE},
        map AS (SELECT unnest($services) AS service_code, unnest($sgroups) AS target_group),
        served AS (
            SELECT l.desa_code, m.target_group, count(*) AS n FROM layanan l JOIN map m USING (service_code)
            WHERE l.service_date >= $start AND l.service_date < $end GROUP BY ALL
        )
        SELECT s.regency_code, d.puskesmas_code, t.area_code AS desa, t.target_group, v.n AS served, t.upload_id
        FROM sasaran t JOIN desa d ON d.desa_code = t.area_code JOIN scope s USING (puskesmas_code)
        JOIN served v ON v.desa_code = t.area_code AND v.target_group = t.target_group
        WHERE t.year = $year AND t.area_level = 'desa' AND t.count = 0
    """,
        scope.params(year=scope.year, services=[s for s, _ in service_groups], sgroups=[g for _, g in service_groups]),
    )
    for r in zero.itertuples():
        out.append(
            {
                "check": "DEN_ZERO",
                "severity": "medium",
                "regency": r.regency_code,
                "puskesmas": r.puskesmas_code,
                "desa": r.desa,
                "period": None,
                "indicator": r.target_group,
                "value": 0.0,
                "expected": float(r.served),
                "upload_ids": str(r.upload_id),
                "rows": None,
                "f_group": r.target_group,
                "f_year": scope.year,
            }
        )
    return pd.DataFrame(out) if out else _empty()
