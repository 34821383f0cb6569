"""Coverage of catalogue indicators, per kabupaten, puskesmas or desa, month by month.

Every count is computed by DuckDB over the stored tables (layanan, capaian, sasaran, kesiapan) in
one statement for all requested indicators of a kind: the layanan rows of the window are scanned
once, whatever the number of indicators. pandas only receives the aggregated result (indicator ×
unit × month) and attaches the catalogue's rules: target line, status, PWS reading, gap, projection.

The monthly series follows the PWS convention: for month m of the window the numerator counts from
the window's first month through m (a person once however many visits) and is compared with the
annual denominator and the pro-rated target line `target × months / 12`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.security.scope import Principal

LEVELS = ("kabupaten", "puskesmas", "desa")

_NO_VALUE = np.array(None, dtype=object)  # "no figure" in np.where / np.select results (object arrays)

# Column that names the unit at each level, in the record CTEs (the only identifiers ever
# formatted into the SQL below, and only from this whitelist).
_UNIT_COLUMN = {"kabupaten": "regency_code", "puskesmas": "puskesmas_code", "desa": "desa_code"}

COLUMNS = [
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "parent_code",
    "regency_code",
    "year",
    "month",
    "period",
    "numerator",
    "numerator_month",
    "denominator",
    "coverage",
    "coverage_month",
    "unit",
    "annual_target",
    "target_to_date",
    "status",
    "achievement",
    "trend",
    "pws_reading",
    "gap",
    "gap_per_month",
    "projected_numerator",
    "projected_coverage",
    "projected_status",
    "has_data",
]


class LevelNotAvailable(ValueError):
    """The indicator has no figure at that level (readiness items are reported per puskesmas)."""


@dataclass(frozen=True)
class Window:
    """Months `first..through` of one year; a series has one row per month in it."""

    year: int
    first: int = 1
    through: int = 12

    def __post_init__(self) -> None:
        if not 1 <= self.first <= self.through <= 12:
            raise ValueError(f"months must satisfy 1 ≤ first ≤ through ≤ 12, got {self.first}..{self.through}")

    @property
    def start(self) -> date:
        return date(self.year, self.first, 1)

    @property
    def end(self) -> date:
        """First day after the window (exclusive bound)."""
        return date(self.year + 1, 1, 1) if self.through == 12 else date(self.year, self.through + 1, 1)


def quarter_window(year: int, quarter: int) -> Window:
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1–4, got {quarter}")
    return Window(year, 3 * quarter - 2, 3 * quarter)


def levels_for(ind: Indicator) -> tuple[str, ...]:
    """Readiness checklists are reported per puskesmas, so they have no desa figure."""
    if ind.numerator.readiness_item:
        return ("kabupaten", "puskesmas")
    return LEVELS


def latest_data_month(
    con: duckdb.DuckDBPyConnection, year: int, regency: str | None = None, *, principal: Principal
) -> int | None:
    """Last month of `year` with any service record or aggregate report (the default 'through')."""
    principal.require("view")
    row = con.execute(
        """
        WITH scope AS (
            SELECT puskesmas_code FROM puskesmas WHERE $regency IS NULL OR regency_code = $regency
        ), last_days AS (
            SELECT max(service_date) AS d FROM layanan JOIN scope USING (puskesmas_code)
            WHERE service_date >= $start AND service_date < $end
            UNION ALL
            SELECT max(period) FROM capaian JOIN scope USING (puskesmas_code)
            WHERE period >= $start AND period < $end
        )
        SELECT month(max(d)) FROM last_days
        """,
        {"regency": regency, "start": date(year, 1, 1), "end": date(year + 1, 1, 1)},
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# ================================================================================== SQL

_SCOPE = """
scope AS (  -- puskesmas in scope, with their kabupaten
    SELECT puskesmas_code, regency_code FROM puskesmas
    WHERE ($regency IS NULL OR regency_code = $regency)
      AND ($puskesmas IS NULL OR puskesmas_code = $puskesmas)
),
months AS (
    SELECT CAST(unnest(generate_series($first, $through)) AS INTEGER) AS month
)"""

# `units` per level: unit_code, unit_name, parent_code, regency_code. Desa are those of the
# registry plus desa seen in the records of a puskesmas in scope without being registered to it
# (e.g. a resident of a neighbouring area): shown, never dropped.
_UNITS = {
    "kabupaten": """
units AS (
    SELECT DISTINCT s.regency_code AS unit_code, coalesce(r.name, s.regency_code) AS unit_name,
           CAST(NULL AS VARCHAR) AS parent_code, s.regency_code
    FROM scope s LEFT JOIN ref_regency r ON r.code = s.regency_code
)""",
    "puskesmas": """
units AS (
    SELECT p.puskesmas_code AS unit_code, p.puskesmas_name AS unit_name, p.regency_code AS parent_code,
           p.regency_code
    FROM puskesmas p JOIN scope USING (puskesmas_code)
)""",
    "desa": """
registered AS (
    SELECT d.desa_code, d.desa_name, d.puskesmas_code, s.regency_code
    FROM desa d JOIN scope s USING (puskesmas_code)
),
desa_seen AS (
    SELECT desa_code, min(puskesmas_code) AS puskesmas_code FROM (
        SELECT desa_code, puskesmas_code FROM seen_desa_rows
    ) WHERE desa_code NOT IN (SELECT desa_code FROM registered) GROUP BY desa_code
),
units AS (
    SELECT desa_code AS unit_code, desa_name AS unit_name, puskesmas_code AS parent_code, regency_code
    FROM registered
    UNION ALL
    SELECT s.desa_code, coalesce(v.name, s.desa_code), s.puskesmas_code, sc.regency_code
    FROM desa_seen s JOIN scope sc USING (puskesmas_code) LEFT JOIN ref_village v ON v.code = s.desa_code
)""",
}

# How a unit reads the reporting of its puskesmas (a desa reads its puskesmas's reports).
_UNIT_TO_PUSKESMAS = {
    "kabupaten": "s.regency_code = u.unit_code",
    "puskesmas": "s.puskesmas_code = u.unit_code",
    "desa": "s.puskesmas_code = u.parent_code",
}

_GROUP_TARGETS = {
    "desa": "SELECT target_group, desa_code AS unit_code, n FROM desa_target",
    "puskesmas": "SELECT target_group, puskesmas_code AS unit_code, n FROM pusk_target",
    "kabupaten": "SELECT target_group, regency_code AS unit_code, sum(n) AS n FROM pusk_target GROUP BY ALL",
}


_DEFS = """
defs AS (  -- one row per (indicator, numerator service), from the catalogue
    SELECT unnest(CAST($d_indicator AS VARCHAR[])) AS indicator,
           unnest(CAST($d_service AS VARCHAR[])) AS service_code,
           unnest(CAST($d_count AS VARCHAR[])) AS count_method,
           unnest(CAST($d_min_events AS INTEGER[])) AS min_events,
           unnest(CAST($d_age_min AS INTEGER[])) AS age_min,
           unnest(CAST($d_age_max AS INTEGER[])) AS age_max,
           unnest(CAST($d_sex AS VARCHAR[])) AS sex,
           unnest(CAST($d_results AS VARCHAR[][])) AS results,
           unnest(CAST($d_aggregates AS BOOLEAN[])) AS uses_aggregates,
           unnest(CAST($d_displaced_by AS VARCHAR[][])) AS displaced_by
)"""

_RECORDS = """
records AS (  -- records that meet each indicator's numerator definition (age, sex, result)
    SELECT d.indicator, d.count_method, d.min_events, w.*
    FROM window_layanan w JOIN defs d USING (service_code)
    WHERE (d.age_min IS NULL OR w.age_years >= d.age_min)
      AND (d.age_max IS NULL OR w.age_years <= d.age_max)
      AND (d.sex IS NULL OR w.sex = d.sex)
      AND (d.results IS NULL OR list_contains(d.results, w.result))
)"""


def _counting_ctes(u: str, scope: str | None = None) -> str:
    """How individual records become counts: `counted_records` = newly counted per indicator, unit and
    month (a person in the first month served, a person reaching N visits in the month of the Nth visit,
    an event in its month). The coverage statement groups by unit only. The tallies kept at upload
    (metrics/tallies.py) count the same from one grouping per person and desa, derived for every level
    (tests/test_tallies.py compares them with this text's counts)."""
    cols = f"{u} AS unit_code" if scope is None else f"year, {scope} AS scope_code, {u} AS unit_code"
    keys = "unit_code" if scope is None else "year, scope_code, unit_code"
    return f"""
first_served AS (  -- distinct persons: counted in the first month of the window they were served
    SELECT indicator, {cols}, person_key, min(month) AS month
    FROM records WHERE count_method = 'distinct_persons' GROUP BY ALL
),
visit_days AS (  -- persons with at least N visits: one visit per distinct service date
    SELECT DISTINCT indicator, min_events, {cols}, person_key, service_date, month
    FROM records WHERE count_method = 'persons_with_min_events'
),
ranked_visits AS (
    SELECT indicator, {keys}, month, min_events,
           row_number() OVER (PARTITION BY indicator, {keys}, person_key ORDER BY service_date) AS visit_no
    FROM visit_days
),
counted_records AS (
    SELECT indicator, {keys}, month, count(*) AS n FROM first_served GROUP BY ALL
    UNION ALL
    SELECT indicator, {cols}, month, count(*) FROM records WHERE count_method = 'events' GROUP BY ALL
    UNION ALL
    SELECT indicator, {keys}, month, count(*) FROM ranked_visits WHERE visit_no = min_events GROUP BY ALL
)"""


# The scope codes a tally level is read for (tally_counts.scope_code): the puskesmas in scope, or their
# kabupaten. Identifiers of the statement below come only from this whitelist.
_TALLY_SCOPE = {
    "puskesmas": "SELECT puskesmas_code FROM scope",
    "kabupaten": "SELECT DISTINCT regency_code FROM scope",
    "desa@puskesmas": "SELECT puskesmas_code FROM scope",
    "desa@kabupaten": "SELECT DISTINCT regency_code FROM scope",
}


def _record_ctes(level: str, tally_level: str | None) -> str:
    """The CTEs that read individual records: the window's records scanned once, or (`tally_level`) the
    tallies kept at upload, which hold the same counts for windows that start in January."""
    u = _UNIT_COLUMN[level]
    if tally_level is None:
        return f"""
window_layanan AS (  -- the window's service records of the services in question, scanned once
    SELECT l.puskesmas_code, l.desa_code, s.regency_code, l.person_key, l.service_date, l.service_code,
           l.age_years, l.sex, l.result, CAST(month(l.service_date) AS INTEGER) AS month
    FROM layanan l JOIN scope s USING (puskesmas_code)
    WHERE l.service_date >= $start AND l.service_date < $end
      -- the scope's code range, as constants: lets the scan skip row groups of other kabupaten by their
      -- min/max (uploads arrive per kabupaten); the join above still decides which rows count
      AND l.puskesmas_code BETWEEN $scope_lo AND $scope_hi
      AND l.service_code IN (SELECT service_code FROM defs)
),
{_RECORDS},
{_counting_ctes(u)},
record_slices AS (  -- (puskesmas, month, service) slices that have individual records
    SELECT DISTINCT puskesmas_code, month, service_code FROM window_layanan
),
record_desa AS (  -- desa seen in those records, with their puskesmas
    SELECT desa_code, puskesmas_code FROM window_layanan
),"""
    return f"""
keys AS (  -- each numerator's tally key (tally_defs), from the catalogue
    SELECT unnest(CAST($k_indicator AS VARCHAR[])) AS indicator, unnest(CAST($k_def AS VARCHAR[])) AS def_key
),
window_slices AS (  -- the window's (puskesmas, desa, month, service) slices with records, kept at upload
    SELECT t.puskesmas_code, t.desa_code, t.month, t.service_code FROM tally_services t JOIN scope USING (puskesmas_code)
    WHERE t.year = $year AND t.month BETWEEN $first AND $through
      AND t.puskesmas_code BETWEEN $scope_lo AND $scope_hi  -- as constants: skips other kabupaten's row groups
      AND t.service_code IN (SELECT service_code FROM defs)
),
counted_records AS (  -- newly counted per indicator, unit and month, kept at upload (metrics/tallies.py)
    SELECT k.indicator, t.unit_code, t.month, t.n
    FROM tally_counts t JOIN keys k USING (def_key)
    WHERE t.year = $year AND t.month <= $through AND t.scope_level = $tally_level
      AND t.scope_code BETWEEN $tally_lo AND $tally_hi  -- as constants, like the range above
      AND t.scope_code IN ({_TALLY_SCOPE[tally_level]})
),
record_slices AS (
    SELECT DISTINCT puskesmas_code, month, service_code FROM window_slices
),
record_desa AS (
    SELECT DISTINCT desa_code, puskesmas_code FROM window_slices
),"""


def _service_sql(level: str, annual: bool = False, tally_level: str | None = None) -> str:
    """One statement: numerators of every service-based indicator in `defs`, with denominators; with
    `annual`, the year's annual aggregates too (see coverage_many); with `tally_level`, the individual
    records' counts are read from the tallies kept at upload instead of the records (see _tally_level)."""
    u = _UNIT_COLUMN[level]
    annual_filter = "a.year = $year" if annual else "false"
    return f"""
WITH {_SCOPE},
{_DEFS},
dens AS (  -- indicators whose denominator is an annual target group
    SELECT unnest(CAST($t_indicator AS VARCHAR[])) AS indicator,
           unnest(CAST($t_group AS VARCHAR[])) AS target_group,
           unnest(CAST($t_factor AS DOUBLE[])) AS factor
),
{_record_ctes(level, tally_level)}
capaian_rows AS (  -- aggregate reports, only for slices without individual records (never both)
    SELECT d.indicator, c.puskesmas_code, c.desa_code, s.regency_code, c.month, c.count
    FROM (SELECT *, CAST(month(period) AS INTEGER) AS month FROM capaian
          WHERE period >= $start AND period < $end) c
    JOIN scope s USING (puskesmas_code)
    JOIN defs d ON d.service_code = c.service_code AND d.uses_aggregates
    ANTI JOIN record_slices r  -- displaced_by: the service itself, or an aggregate-only service's record services
      ON r.puskesmas_code = c.puskesmas_code AND r.month = c.month AND list_contains(d.displaced_by, r.service_code)
),
monthly_slices AS (  -- (puskesmas, service) with monthly data in the window: the annual aggregate gives way
    SELECT DISTINCT puskesmas_code, service_code FROM record_slices
    UNION
    SELECT DISTINCT c.puskesmas_code, c.service_code FROM capaian c JOIN scope USING (puskesmas_code)
    WHERE c.period >= $start AND c.period < $end
),
annual_rows AS (  -- annual aggregates of the year (none unless asked: year_coverage), per slice
    SELECT d.indicator, a.puskesmas_code, CAST(NULL AS VARCHAR) AS desa_code, s.regency_code, a.count
    FROM capaian_tahunan a
    JOIN scope s USING (puskesmas_code)
    JOIN defs d ON d.service_code = a.service_code AND d.uses_aggregates
    ANTI JOIN monthly_slices m ON m.puskesmas_code = a.puskesmas_code AND m.service_code = a.service_code
    WHERE {annual_filter}
),
seen_desa_rows AS (
    SELECT desa_code, puskesmas_code FROM record_desa
    UNION ALL
    SELECT desa_code, puskesmas_code FROM capaian_rows WHERE desa_code IS NOT NULL
),
{_UNITS[level]},
counted AS (  -- newly counted per indicator, unit and month
    SELECT indicator, unit_code, month, n FROM counted_records
    UNION ALL
    SELECT indicator, {u}, month, sum(count) FROM capaian_rows WHERE {u} IS NOT NULL GROUP BY ALL
    UNION ALL  -- a year's figure, at the window's last month: never spread over months
    SELECT indicator, {u}, CAST($through AS INTEGER), sum(count) FROM annual_rows WHERE {u} IS NOT NULL GROUP BY ALL
),
monthly AS (
    SELECT indicator, unit_code, month, sum(n) AS n FROM counted GROUP BY ALL
),
reported_pusk AS (  -- puskesmas-months with countable data for each indicator
    SELECT d.indicator, r.puskesmas_code, r.month FROM record_slices r JOIN defs d USING (service_code)
    UNION
    SELECT indicator, puskesmas_code, month FROM capaian_rows
    UNION
    SELECT indicator, puskesmas_code, CAST($through AS INTEGER) FROM annual_rows
),
reported AS (  -- first month with data per indicator and unit
    SELECT r.indicator, u.unit_code, min(r.month) AS first_month
    FROM units u JOIN scope s ON {_UNIT_TO_PUSKESMAS[level]}
    JOIN reported_pusk r ON r.puskesmas_code = s.puskesmas_code
    GROUP BY ALL
),
desa_target AS (  -- annual sasaran per desa
    SELECT target_group, area_code AS desa_code, sum(count) AS n FROM sasaran
    WHERE year = $year AND area_level = 'desa' AND target_group IN (SELECT target_group FROM dens)
    GROUP BY ALL
),
pusk_target AS (  -- a puskesmas's own sasaran when uploaded, otherwise the sum of its desa
    SELECT g.target_group, s.puskesmas_code, s.regency_code, coalesce(own.n, from_desa.n) AS n
    FROM scope s CROSS JOIN (SELECT DISTINCT target_group FROM dens) g
    LEFT JOIN (
        SELECT target_group, area_code AS puskesmas_code, sum(count) AS n FROM sasaran
        WHERE year = $year AND area_level = 'puskesmas' GROUP BY ALL
    ) own ON own.target_group = g.target_group AND own.puskesmas_code = s.puskesmas_code
    LEFT JOIN (
        SELECT t.target_group, d.puskesmas_code, sum(t.n) AS n
        FROM desa_target t JOIN desa d USING (desa_code) GROUP BY ALL
    ) from_desa ON from_desa.target_group = g.target_group AND from_desa.puskesmas_code = s.puskesmas_code
),
group_targets AS (
    {_GROUP_TARGETS[level]}
),
denominators AS (
    SELECT dn.indicator, g.unit_code, g.n * dn.factor AS denominator
    FROM dens dn JOIN group_targets g USING (target_group)
)
SELECT i.indicator, u.unit_code, u.unit_name, u.parent_code, u.regency_code, m.month,
       coalesce(mo.n, 0) AS numerator_month,
       sum(coalesce(mo.n, 0)) OVER (PARTITION BY i.indicator, u.unit_code ORDER BY m.month) AS numerator,
       dn.denominator,
       coalesce(m.month >= r.first_month, FALSE) AS has_data
FROM (SELECT DISTINCT indicator FROM defs) i CROSS JOIN units u CROSS JOIN months m
LEFT JOIN monthly mo ON mo.indicator = i.indicator AND mo.unit_code = u.unit_code AND mo.month = m.month
LEFT JOIN reported r ON r.indicator = i.indicator AND r.unit_code = u.unit_code
LEFT JOIN denominators dn ON dn.indicator = i.indicator AND dn.unit_code = u.unit_code
ORDER BY i.indicator, u.unit_code, m.month
"""


def _readiness_sql(level: str) -> str:
    """One statement for every readiness indicator in `rdefs`.

    Stock items (latest_value): each puskesmas's latest report on or before month m, summed.
    Flow items (reported_sum): the sum of monthly reports from the window's first month to m.
    A yes/no denominator item counts the puskesmas (or puskesmas-months) that reported it; a count
    item is summed.
    """
    u = _UNIT_COLUMN[level]
    if level == "desa":
        raise LevelNotAvailable("readiness items are reported per puskesmas")
    return f"""
WITH {_SCOPE},
{_UNITS[level]},
rdefs AS (
    SELECT unnest(CAST($r_indicator AS VARCHAR[])) AS indicator,
           unnest(CAST($r_num AS VARCHAR[])) AS num_item,
           unnest(CAST($r_den AS VARCHAR[])) AS den_item,
           unnest(CAST($r_den_boolean AS BOOLEAN[])) AS den_boolean,
           unnest(CAST($r_stock AS BOOLEAN[])) AS stock
),
items AS (
    SELECT num_item AS item_code FROM rdefs UNION SELECT den_item FROM rdefs
),
spine AS (
    SELECT s.puskesmas_code, s.regency_code, m.month, make_date($year, m.month, 1) AS period
    FROM scope s CROSS JOIN months m
),
item_values AS (
    -- stock: the latest report on or before the month
    SELECT TRUE AS stock, sp.puskesmas_code, sp.regency_code, sp.month, k.item_code,
           arg_max(k.value, k.period) AS value, 1 AS reports
    FROM spine sp JOIN kesiapan k ON k.puskesmas_code = sp.puskesmas_code AND k.period <= sp.period
    WHERE k.item_code IN (SELECT item_code FROM items)
    GROUP BY ALL
    UNION ALL
    -- flow: the reports from the window's first month through the month
    SELECT FALSE, sp.puskesmas_code, sp.regency_code, sp.month, k.item_code, sum(k.value), count(*)
    FROM spine sp JOIN kesiapan k ON k.puskesmas_code = sp.puskesmas_code
     AND k.period >= $start AND k.period <= sp.period
    WHERE k.item_code IN (SELECT item_code FROM items)
    GROUP BY ALL
),
series AS (
    SELECT r.indicator, v.{u} AS unit_code, v.month,
           sum(v.value) FILTER (WHERE v.item_code = r.num_item) AS numerator,
           CASE WHEN any_value(r.den_boolean)
                THEN sum(v.reports) FILTER (WHERE v.item_code = r.den_item)
                ELSE sum(v.value) FILTER (WHERE v.item_code = r.den_item) END AS denominator
    FROM rdefs r JOIN item_values v ON v.stock = r.stock AND v.item_code IN (r.num_item, r.den_item)
    GROUP BY ALL
),
reported AS (
    SELECT indicator, unit_code, min(month) AS first_month FROM series
    WHERE numerator IS NOT NULL GROUP BY ALL
)
SELECT r.indicator, u.unit_code, u.unit_name, u.parent_code, u.regency_code, m.month,
       coalesce(s.numerator, 0) - coalesce(lag(s.numerator) OVER w, 0) AS numerator_month,
       coalesce(s.numerator, 0) AS numerator,
       s.denominator,
       coalesce(m.month >= rp.first_month, FALSE) AS has_data
FROM rdefs r CROSS JOIN units u CROSS JOIN months m
LEFT JOIN series s ON s.indicator = r.indicator AND s.unit_code = u.unit_code AND s.month = m.month
LEFT JOIN reported rp ON rp.indicator = r.indicator AND rp.unit_code = u.unit_code
WINDOW w AS (PARTITION BY r.indicator, u.unit_code ORDER BY m.month)
ORDER BY r.indicator, u.unit_code, m.month
"""


def _bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def uses_aggregates(ind: Indicator) -> bool:
    """Aggregate reports cannot be filtered by result nor counted per visit (source_precedence)."""
    num = ind.numerator
    return num.count in ("distinct_persons", "events") and not num.result_in


@dataclass(frozen=True)
class _Entry:
    """One numerator to count: `key` names it in the SQL result (an indicator code, or a code with
    '#individual' when it serves as the denominator of an indicator counted on individual records)."""

    key: str
    indicator: Indicator
    aggregates: bool
    individual_only: bool = False  # a denominator counted on individual records: no aggregate_services


def _service_params(entries: list[_Entry]) -> dict[str, list[Any]]:
    d: dict[str, list[Any]] = {
        k: []
        for k in (
            "d_indicator",
            "d_service",
            "d_count",
            "d_min_events",
            "d_age_min",
            "d_age_max",
            "d_sex",
            "d_results",
            "d_aggregates",
            "d_displaced_by",
        )
    }
    t: dict[str, list[Any]] = {"t_indicator": [], "t_group": [], "t_factor": []}
    for entry in entries:
        ind = entry.indicator
        num = ind.numerator
        age = num.age_years
        for service in num.services:
            d["d_indicator"].append(entry.key)
            d["d_service"].append(service)
            d["d_count"].append(num.count)
            d["d_min_events"].append(num.min_events)
            d["d_age_min"].append(age.min if age else None)
            d["d_age_max"].append(age.max if age else None)
            d["d_sex"].append(num.sex)
            d["d_results"].append(list(num.result_in) if num.result_in else None)
            d["d_aggregates"].append(entry.aggregates)
            d["d_displaced_by"].append([service])
        # An aggregate-only service (K4 women) gives the numerator itself from aggregate reports; a
        # puskesmas-month with records of the numerator's own services counts those records instead.
        for service in () if entry.individual_only else num.aggregate_services:
            d["d_indicator"].append(entry.key)
            d["d_service"].append(service)
            d["d_count"].append("aggregate_report")
            d["d_min_events"].append(None)
            d["d_age_min"].append(None)
            d["d_age_max"].append(None)
            d["d_sex"].append(None)
            d["d_results"].append(None)
            d["d_aggregates"].append(True)
            d["d_displaced_by"].append(list(num.services))
        if ind.denominator.target_group:
            t["t_indicator"].append(entry.key)
            t["t_group"].append(ind.denominator.target_group)
            t["t_factor"].append(float(ind.denominator.factor))
    return {**d, **t}


def _readiness_params(cat: Catalogue, inds: list[Indicator]) -> dict[str, list[Any]]:
    r: dict[str, list[Any]] = {"r_indicator": [], "r_num": [], "r_den": [], "r_den_boolean": [], "r_stock": []}
    for ind in inds:
        den_item = ind.denominator.readiness_item
        r["r_indicator"].append(ind.code)
        r["r_num"].append(ind.numerator.readiness_item)
        r["r_den"].append(den_item)
        r["r_den_boolean"].append(cat.readiness_item(str(den_item)).value_type == "boolean")
        r["r_stock"].append(ind.numerator.count == "latest_value")
    return r


def numerator_key(ind: Indicator) -> str:
    """The tally key of an indicator's numerator definition (tally_defs): the same services, count method,
    visits, ages, sex and results give the same key, whatever the indicator's code, so a catalogue edit
    that changes a definition asks for new tallies and never reads stale ones."""
    num = ind.numerator
    age = num.age_years
    definition = {
        "services": sorted(num.services),
        "count": num.count,
        "min_events": num.min_events,
        "age": [age.min, age.max] if age else None,
        "sex": num.sex,
        "results": sorted(num.result_in) if num.result_in else None,
    }
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _tally_level(level: str, window: Window, regency: str | None, puskesmas: str | None) -> str | None:
    """Which tallies hold this request's counts exactly, or None (then the records are read). Tallies count
    from January, per puskesmas, per kabupaten, and per desa within a puskesmas or within a kabupaten; a
    window starting later, a kabupaten figure of one puskesmas, or desa across kabupaten are recounted."""
    if window.first != 1:
        return None
    if level == "puskesmas":
        return "puskesmas"
    if level == "kabupaten":
        return "kabupaten" if puskesmas is None else None
    if puskesmas is not None:
        return "desa@puskesmas"
    return "desa@kabupaten" if regency is not None else None


def tallies_hold(con: duckdb.DuckDBPyConnection, keys: list[str] | None = None) -> bool:
    """The tallies are current (kept for as many records as the table holds now, by the writes of
    ingest/load.py) and hold every numerator asked for (`keys`, numerator_key; None: the record slices
    only). A DuckDB file only: other engines recount."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return False
    wanted = sorted(set(keys or []))
    try:
        row = con.execute(
            """SELECT (SELECT value FROM meta WHERE key = 'tally_records')
                      = CAST((SELECT count(*) FROM layanan) AS VARCHAR)"""
        ).fetchone()
        if not (row and row[0]):
            return False
        if not wanted:
            return True
        held = con.execute(
            "SELECT count(*) FROM tally_defs WHERE list_contains(CAST($keys AS VARCHAR[]), def_key)", {"keys": wanted}
        ).fetchone()
    except duckdb.CatalogException:  # a file made before the tallies existed
        return False
    return bool(held and held[0] == len(wanted))


def _series(
    con: duckdb.DuckDBPyConnection,
    cat: Catalogue,
    entries: list[_Entry],
    level: str,
    window: Window,
    regency: str | None,
    puskesmas: str | None,
    annual: bool = False,
) -> pd.DataFrame:
    """Numerator series (and target-group or readiness denominators), at most two statements."""
    base: dict[str, Any] = {
        "regency": regency,
        "puskesmas": puskesmas,
        "year": window.year,
        "first": window.first,
        "through": window.through,
        "start": window.start,
        "end": window.end,
    }
    bounds = con.execute(
        "SELECT min(puskesmas_code), max(puskesmas_code), min(regency_code), max(regency_code) FROM puskesmas "
        "WHERE ($regency IS NULL OR regency_code = $regency) AND ($puskesmas IS NULL OR puskesmas_code = $puskesmas)",
        {"regency": regency, "puskesmas": puskesmas},
    ).fetchone()
    base["scope_lo"], base["scope_hi"], regency_lo, regency_hi = bounds if bounds is not None else (None,) * 4
    frames = []
    services = [e for e in entries if not e.indicator.numerator.readiness_item]
    readiness = [e.indicator for e in entries if e.indicator.numerator.readiness_item]
    if services:
        params = {**base, **_service_params(services)}
        tally_level = _tally_level(level, window, regency, puskesmas)
        if tally_level and tallies_hold(con, [numerator_key(e.indicator) for e in services]):
            params["k_indicator"] = [e.key for e in services]
            params["k_def"] = [numerator_key(e.indicator) for e in services]
            params["tally_level"] = tally_level
            # tally_counts.scope_code holds puskesmas codes or kabupaten codes, by level (_TALLY_SCOPE)
            by_puskesmas = tally_level in ("puskesmas", "desa@puskesmas")
            params["tally_lo"] = base["scope_lo"] if by_puskesmas else regency_lo
            params["tally_hi"] = base["scope_hi"] if by_puskesmas else regency_hi
        else:
            tally_level = None
        sql = _service_sql(level, annual, tally_level)
        frames.append(con.execute(sql, _bind(sql, params)).df())
    if readiness:
        sql = _readiness_sql(level)
        frames.append(con.execute(sql, _bind(sql, {**base, **_readiness_params(cat, readiness)})).df())
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for col in ("numerator", "numerator_month", "denominator"):
        frame[col] = frame[col].astype("float64")
    frame["month"] = frame["month"].astype("int64")
    frame["has_data"] = frame["has_data"].astype(bool)
    return frame


# ================================================================================== public API


def coverage_many(
    con: duckdb.DuckDBPyConnection,
    codes: Iterable[str],
    *,
    level: str,
    year: int,
    through: int | None = None,
    first: int = 1,
    regency: str | None = None,
    puskesmas: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
    annual: bool = False,
) -> pd.DataFrame:
    """Coverage of several indicators for every unit of `level`, one row per indicator, unit and month.

    With `annual`, the year's annual aggregates (capaian_tahunan) count too, at the window's last month,
    for the (puskesmas, service) slices without monthly data (use year_coverage, which asks for the
    whole year: an annual figure is not a monthly curve).

    `numerator` counts from month `first` to the row's month (PWS cumulative when first = 1);
    `coverage` is in the indicator's unit (%, per 1 000, per 100 000). `regency` limits to one
    kabupaten, `puskesmas` to one puskesmas (and its desa). `through` defaults to the last month of
    the year with data (December when there is none). Indicators without a figure at `level`
    (readiness items at desa level) are skipped; ask `coverage` for one to get an error instead.
    Desa rows are limited to what the `principal` may see (scope.Principal.desa_puskesmas): a
    puskesmas account gets its own desa and ScopeDenied when it asks for another centre's; a guest
    gets ScopeDenied for any desa level request.
    """
    cat = catalogue or load_catalogue()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    principal.require("view")
    if level == "desa":
        puskesmas = principal.desa_puskesmas(puskesmas)
    wanted = [cat.indicator(c) for c in dict.fromkeys(codes)]
    wanted = [i for i in wanted if level in levels_for(i)]
    if not wanted:
        return pd.DataFrame(columns=COLUMNS)
    if through is None:
        through = latest_data_month(con, year, regency, principal=principal) or 12
    window = Window(year, first, through)
    # Indicators whose denominator is another indicator's numerator bring that indicator along,
    # counted on the same sources as their own numerator (individual records only when the
    # numerator cannot use aggregates: stunting among the measured is measured on the same records).
    entries = {i.code: _Entry(i.code, i, uses_aggregates(i)) for i in wanted}
    for ind in wanted:
        other = ind.denominator.indicator
        if other:
            key = _denominator_key(ind)
            aggregates = uses_aggregates(ind) and uses_aggregates(cat.indicator(other))
            entries.setdefault(
                key, _Entry(key, cat.indicator(other), aggregates, individual_only=not uses_aggregates(ind))
            )
    frame = _series(con, cat, list(entries.values()), level, window, regency, puskesmas, annual)
    frame = _indicator_denominators(frame, wanted)
    frame = frame[frame["indicator"].isin([i.code for i in wanted])].reset_index(drop=True)
    return assess(frame, cat, level, window)


def coverage(
    con: duckdb.DuckDBPyConnection,
    code: str,
    *,
    level: str,
    year: int,
    through: int | None = None,
    first: int = 1,
    regency: str | None = None,
    puskesmas: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """`coverage_many` for one indicator; raises LevelNotAvailable when it has no figure at `level`."""
    cat = catalogue or load_catalogue()
    if level in LEVELS and level not in levels_for(cat.indicator(code)):
        raise LevelNotAvailable(f"{code} is reported per puskesmas; it has no {level} figure")
    return coverage_many(
        con,
        [code],
        level=level,
        year=year,
        through=through,
        first=first,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=cat,
        principal=principal,
    )


def year_coverage(
    con: duckdb.DuckDBPyConnection,
    codes: Iterable[str],
    *,
    level: str,
    year: int,
    regency: str | None = None,
    puskesmas: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """The whole year's coverage per kabupaten or puskesmas: one row per indicator and unit (the COLUMNS
    of coverage_many at December, plus `grain` = 'year'). It reads the annual aggregates of annual tables
    (Profil Kesehatan, annual SPM recaps) where a (puskesmas, service) slice has no monthly data, and
    the monthly sources otherwise (the catalogue's source_precedence: never both). A year figure, not a
    PWS curve; annual tables hold no desa figures, so there is no desa level."""
    if level not in ("kabupaten", "puskesmas"):
        raise LevelNotAvailable(f"annual figures are per kabupaten or puskesmas, not per {level}")
    frame = coverage_many(
        con,
        codes,
        level=level,
        year=year,
        through=12,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=catalogue,
        principal=principal,
        annual=True,
    )
    out = frame[frame["month"] == 12].reset_index(drop=True) if len(frame) else frame
    return out.assign(grain="year")


def _denominator_key(ind: Indicator) -> str:
    other = ind.denominator.indicator
    return str(other) if uses_aggregates(ind) else f"{other}#individual"


def _indicator_denominators(frame: pd.DataFrame, inds: list[Indicator]) -> pd.DataFrame:
    """Denominator = another indicator's numerator for the same unit and month (e.g. stunting among
    the measured). Data are present when either side has data. One join for every such indicator."""
    refs = {ind.code: _denominator_key(ind) for ind in inds if ind.denominator.indicator}
    if not refs:
        return frame
    rows = frame["indicator"].isin(list(refs))
    mine = frame.loc[rows, ["indicator", "unit_code", "month"]]
    wanted = pd.DataFrame({"ref": mine["indicator"].map(refs), "unit_code": mine["unit_code"], "month": mine["month"]})
    ref = frame.loc[
        frame["indicator"].isin(set(refs.values())), ["indicator", "unit_code", "month", "numerator", "has_data"]
    ]
    joined = wanted.merge(
        ref.rename(columns={"indicator": "ref"}), on=["ref", "unit_code", "month"], how="left", sort=False
    )
    frame.loc[rows, "denominator"] = joined["numerator"].to_numpy()
    frame.loc[rows, "has_data"] = (
        frame.loc[rows, "has_data"].to_numpy() | joined["has_data"].fillna(False).astype(bool).to_numpy()
    )
    return frame


def assess(frame: pd.DataFrame, cat: Catalogue, level: str, window: Window) -> pd.DataFrame:
    """Coverage, target line, status, PWS reading, gap and projection on a numerator series.

    Works on the aggregated indicator × unit × month frame only; every rule is the catalogue's. Computed
    on arrays, the indicator's properties looked up once per indicator: a page asks for a few hundred to a
    few thousand rows several times per view, where pandas' cost per operation outweighed the arithmetic.
    """
    out = frame.sort_values(["indicator", "unit_code", "month"]).reset_index(drop=True)
    which, codes = pd.factorize(out["indicator"])
    inds = [cat.indicator(code) for code in codes]

    def per(values: list[Any], dtype: Any) -> np.ndarray:
        return np.asarray(values, dtype=dtype)[which] if len(out) else np.asarray([], dtype=dtype)

    factor = per([i.factor for i in inds], float)
    cumulative = per([i.accumulation == "cumulative" for i in inds], bool)
    lower = per([not i.higher_is_better for i in inds], bool)
    min_ratio = per([cat.mendekati_min_ratio(i.code) for i in inds], float)
    month = out["month"].to_numpy(np.int64)
    numerator = out["numerator"].to_numpy(float)
    numerator_month = out["numerator_month"].to_numpy(float)
    denominator = out["denominator"].to_numpy(float)
    has = out["has_data"].to_numpy(bool)

    with np.errstate(divide="ignore", invalid="ignore"):
        den = np.where(denominator > 0, denominator, np.nan)
        coverage = np.where(has, numerator / den * factor, np.nan)
        coverage_month = np.where(has, np.where(cumulative, numerator_month / den * factor, coverage), np.nan)
        annual_target = _annual_targets(out, which, codes, cat, window.year)
        months_in = (month - window.first + 1).astype(float)
        target_to_date = np.where(cumulative, annual_target * months_in / 12, annual_target)
        status = cat.status.classify_many(coverage, target_to_date, lower, min_ratio)
        ratio = np.where(lower, target_to_date / coverage, coverage / target_to_date)
        achievement = np.where(status != "tidak_ada_data", ratio, np.nan)

        # PWS four-way reading: position against the cumulative target × trend against last month.
        group = _series_groups(out, which)
        previous = _shifted(coverage_month, group, 1)
        comparable = ~np.isnan(previous) & ~np.isnan(coverage_month) & (status != "tidak_ada_data")
        better = np.where(lower, coverage_month < previous, coverage_month > previous)
        same = coverage_month == previous
    trend = np.where(comparable, np.where(better, "naik", np.where(same, "tetap", "turun")), _NO_VALUE)
    readings = {(r.above_target, r.rising): r.code for r in cat.status.pws}
    above = status == "tercapai"
    # A flat month reads as the catalogue says (status.flat_trend): not falling, by default, so never Jelek.
    rising = better | (same & (cat.status.flat_trend_reads_as == "rising"))
    pws_reading = np.select(
        [
            comparable & above & rising,
            comparable & above & ~rising,
            comparable & ~above & rising,
            comparable & ~above & ~rising,
        ],
        [readings[(True, True)], readings[(True, False)], readings[(False, True)], readings[(False, False)]],
        default=_NO_VALUE,
    )
    usable = cumulative & has & (denominator > 0) & (window.first == 1)
    ahead = _gap_and_projection(
        cat, group, month, numerator, numerator_month, denominator, annual_target, usable, lower, factor, min_ratio
    )
    labels = np.asarray([f"{window.year}-{m:02d}" if m else None for m in range(13)], dtype=object)
    columns: dict[str, Any] = {
        "indicator": out["indicator"],
        "level": pd.Series(level, index=out.index, dtype="str"),
        "unit_code": out["unit_code"],
        "unit_name": out["unit_name"],
        "parent_code": out["parent_code"],
        "regency_code": out["regency_code"],
        "year": np.full(len(out), window.year, dtype=np.int64),
        "month": out["month"],
        "period": labels[month],
        "numerator": out["numerator"],
        "numerator_month": out["numerator_month"],
        "denominator": out["denominator"],
        "coverage": coverage,
        "coverage_month": coverage_month,
        "unit": per([i.unit for i in inds], object),
        "annual_target": annual_target,
        "target_to_date": target_to_date,
        "status": status,
        "achievement": achievement,
        "trend": trend,
        "pws_reading": pws_reading,
        **ahead,
        "has_data": out["has_data"],
    }
    result = pd.DataFrame({name: columns[name] for name in COLUMNS})
    if result.empty:  # no values to infer the text columns' type from: the one they have otherwise
        computed = ["period", "unit"]
        result = result.astype(dict.fromkeys(computed, "str"))
    return result


def _annual_targets(out: pd.DataFrame, which: np.ndarray, codes: Any, cat: Catalogue, year: int) -> np.ndarray:
    """The annual target of each row's indicator in its kabupaten, asked once per (indicator, kabupaten)."""
    region, regions = pd.factorize(out["regency_code"], use_na_sentinel=False)
    n = max(len(regions), 1)
    pairs, back = np.unique(which.astype(np.int64) * n + region, return_inverse=True)
    targets = [cat.target_pct(codes[p // n], year, regions[p % n]) for p in pairs]
    return np.asarray([np.nan if t is None else t for t in targets], dtype=float)[back.reshape(-1)]


def _series_groups(out: pd.DataFrame, which: np.ndarray) -> np.ndarray:
    """A number per (indicator, unit) series of a frame sorted by them; -1 for rows without a unit."""
    unit, _ = pd.factorize(out["unit_code"])
    group = which.astype(np.int64) * (int(unit.max(initial=0)) + 1) + unit
    return np.where(unit < 0, -1, group)


def _shifted(values: np.ndarray, group: np.ndarray, lag: int) -> np.ndarray:
    """`values` `lag` rows back within its series (groupby(...).shift(lag) on a sorted frame): NaN at a
    series' first `lag` rows and for rows without a unit."""
    shifted = np.full(len(values), np.nan)
    if 0 < lag < len(values):
        same = (group[lag:] == group[:-lag]) & (group[lag:] >= 0)
        shifted[lag:] = np.where(same, values[:-lag], np.nan)
    return shifted


def _whole(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Rounded whole numbers, missing where NaN (a nullable integer column)."""
    return pd.array(np.round(values), dtype="Int64")


def _gap_and_projection(
    cat: Catalogue,
    group: np.ndarray,
    month: np.ndarray,
    numerator: np.ndarray,
    numerator_month: np.ndarray,
    denominator: np.ndarray,
    annual_target: np.ndarray,
    usable: np.ndarray,
    lower: np.ndarray,
    factor: np.ndarray,
    min_ratio: np.ndarray,
) -> dict[str, Any]:
    """People (or events) still to serve by December, and the year-end projection from recent pace.

    Only for cumulative indicators over a window that starts in January (`usable`); the rules are the
    catalogue's `figures.rules.gap` and `figures.rules.projection`.
    """
    recent = numerator_month.copy()
    seen = np.ones(len(month))
    for lag in range(1, cat.figures.projection_months):
        shifted = _shifted(numerator_month, group, lag)
        recent = recent + np.nan_to_num(shifted, nan=0.0)
        seen = seen + ~np.isnan(shifted)
    left = (12 - month).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        projected = np.where(usable, numerator + recent / seen * left, np.nan)
        projected_cov = projected / denominator * factor
        status = cat.status.classify_many(projected_cov, annual_target, lower, min_ratio)
        needed = np.clip(np.ceil(annual_target * denominator / factor - numerator - 1e-9), 0, None)
        gap = np.where(usable & ~lower, needed, np.nan)
        per_month = np.where(left > 0, np.ceil(gap / np.where(left > 0, left, np.nan)), gap)
    return {
        "gap": _whole(gap),
        "gap_per_month": _whole(per_month),
        "projected_numerator": projected,
        "projected_coverage": projected_cov,
        "projected_status": np.where(usable, status, _NO_VALUE),
    }


def snapshot(frame: pd.DataFrame) -> pd.DataFrame:
    """The last month of each series: the figure 'to date' that tables and rankings show."""
    if frame.empty:
        return frame
    last = frame.groupby(["indicator", "unit_code"])["month"].transform("max")
    return frame[frame["month"] == last].reset_index(drop=True)
