"""ILP readiness (kesiapan): item scores and the readiness index per puskesmas and per kabupaten.

The method is the catalogue's `readiness_index` (weights, stock vs flow items, no index when a
weighted item is missing); district figures pool the puskesmas (`figures.rules.readiness_district`).
All arithmetic runs in DuckDB; the result is small (units × months × items).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.security.scope import Principal

_LEVEL_KEYS = {"puskesmas": "puskesmas_code", "kabupaten": "regency_code"}

_SQL = """
WITH scope AS (
    SELECT puskesmas_code, puskesmas_name, regency_code FROM puskesmas
    WHERE ($regency IS NULL OR regency_code = $regency)
      AND ($puskesmas IS NULL OR puskesmas_code = $puskesmas)
),
months AS (
    SELECT CAST(unnest(generate_series($first, $through)) AS INTEGER) AS month
),
items AS (  -- weighted readiness items from the catalogue
    SELECT unnest(CAST($i_code AS VARCHAR[])) AS item_code,
           unnest(CAST($i_den AS VARCHAR[])) AS den_item,
           unnest(CAST($i_weight AS DOUBLE[])) AS weight,
           unnest(CAST($i_boolean AS BOOLEAN[])) AS is_boolean,
           unnest(CAST($i_stock AS BOOLEAN[])) AS is_stock
),
wanted AS (
    SELECT item_code, is_stock FROM items
    UNION SELECT den_item, is_stock FROM items WHERE den_item IS NOT NULL
),
spine AS (
    SELECT s.puskesmas_code, s.puskesmas_name, s.regency_code, m.month, make_date($year, m.month, 1) AS period
    FROM scope s CROSS JOIN months m
),
item_values AS (
    -- stock items: the latest report on or before the month
    SELECT sp.puskesmas_code, sp.month, k.item_code, arg_max(k.value, k.period) AS value
    FROM spine sp JOIN kesiapan k ON k.puskesmas_code = sp.puskesmas_code AND k.period <= sp.period
    WHERE k.item_code IN (SELECT item_code FROM wanted WHERE is_stock)
    GROUP BY ALL
    UNION ALL
    -- flow items: that month's report
    SELECT sp.puskesmas_code, sp.month, k.item_code, sum(k.value)
    FROM spine sp JOIN kesiapan k ON k.puskesmas_code = sp.puskesmas_code AND k.period = sp.period
    WHERE k.item_code IN (SELECT item_code FROM wanted WHERE NOT is_stock)
    GROUP BY ALL
),
per_puskesmas AS (
    SELECT sp.puskesmas_code, sp.puskesmas_name, sp.regency_code, sp.month, i.item_code, i.weight,
           i.is_boolean, v.value, d.value AS denominator
    FROM spine sp CROSS JOIN items i
    LEFT JOIN item_values v
      ON v.puskesmas_code = sp.puskesmas_code AND v.month = sp.month AND v.item_code = i.item_code
    LEFT JOIN item_values d
      ON d.puskesmas_code = sp.puskesmas_code AND d.month = sp.month AND d.item_code = i.den_item
),
pooled AS (  -- level rows: a puskesmas as is; a kabupaten pools its puskesmas
    SELECT {key} AS unit_code, month, item_code, any_value(weight) AS weight, any_value(is_boolean) AS is_boolean,
           sum(value) AS value,
           CASE WHEN any_value(is_boolean) THEN count(value)
                ELSE sum(denominator) FILTER (WHERE value IS NOT NULL) END AS denominator
    FROM per_puskesmas GROUP BY ALL
),
scored AS (
    SELECT *, CASE WHEN value IS NULL THEN NULL
                   WHEN denominator > 0 THEN least(greatest(value / denominator, 0), 1) END AS score
    FROM pooled
)
"""

_ITEMS = """
SELECT s.unit_code, n.unit_name, s.month, s.item_code, s.weight, s.value, s.denominator, s.score
FROM scored s JOIN names n USING (unit_code)
ORDER BY s.unit_code, s.month, s.item_code
"""

_INDEX = """
SELECT s.unit_code, n.unit_name, s.month,
       CASE WHEN count(s.score) = count(*) THEN sum(s.weight * s.score) / sum(s.weight) * 100 END AS readiness_index,
       count(s.score) AS items_reported, count(*) AS items_total
FROM scored s JOIN names n USING (unit_code)
GROUP BY ALL
ORDER BY s.unit_code, s.month
"""

_NAMES = {
    "puskesmas": "names AS (SELECT puskesmas_code AS unit_code, puskesmas_name AS unit_name FROM scope)",
    "kabupaten": "names AS (SELECT DISTINCT s.regency_code AS unit_code, coalesce(r.name, s.regency_code) AS unit_name "
    "FROM scope s LEFT JOIN ref_regency r ON r.code = s.regency_code)",
}


def _params(
    cat: Catalogue, year: int, first: int, through: int, regency: str | None, puskesmas: str | None
) -> dict[str, Any]:
    weighted = [i for i in cat.readiness_items if i.weight > 0]
    return {
        "regency": regency,
        "puskesmas": puskesmas,
        "year": year,
        "first": first,
        "through": through,
        "i_code": [i.code for i in weighted],
        "i_den": [i.denominator_item for i in weighted],
        "i_weight": [float(i.weight) for i in weighted],
        "i_boolean": [i.value_type == "boolean" for i in weighted],
        "i_stock": [i.measure == "stock" for i in weighted],
    }


def _run(
    con: duckdb.DuckDBPyConnection,
    tail: str,
    *,
    level: str,
    year: int,
    through: int,
    first: int,
    regency: str | None,
    puskesmas: str | None,
    catalogue: Catalogue | None,
    principal: Principal,
) -> pd.DataFrame:
    principal.require("view")  # puskesmas- and district-level figures only: every role may read them
    if level not in _LEVEL_KEYS:
        raise ValueError(f"readiness is reported per puskesmas or kabupaten, not {level!r}")
    if not 1 <= first <= through <= 12:
        raise ValueError(f"months must satisfy 1 ≤ first ≤ through ≤ 12, got {first}..{through}")
    cat = catalogue or load_catalogue()
    sql = _SQL.format(key=_LEVEL_KEYS[level]).rstrip() + ",\n" + _NAMES[level] + "\n" + tail
    return con.execute(sql, _params(cat, year, first, through, regency, puskesmas)).df()


def readiness_items(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str = "puskesmas",
    year: int,
    through: int = 12,
    first: int = 1,
    regency: str | None = None,
    puskesmas: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Per unit, month and weighted item: value, denominator and 0–1 score (NaN when not reported)."""
    return _run(
        con,
        _ITEMS,
        level=level,
        year=year,
        through=through,
        first=first,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=catalogue,
        principal=principal,
    )


def readiness_index(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str = "puskesmas",
    year: int,
    through: int = 12,
    first: int = 1,
    regency: str | None = None,
    puskesmas: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Per unit and month: the readiness index (0–100; NaN when a weighted item is missing)."""
    return _run(
        con,
        _INDEX,
        level=level,
        year=year,
        through=through,
        first=first,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=catalogue,
        principal=principal,
    )
