"""Comparisons between groups of puskesmas: event-time alignment on each unit's own ILP start, the
calendar view, the before/after table with a descriptive difference-in-differences, and the funnel
plot data for fair ranking.

Monthly coverage (the value every comparison aligns) is defined in the catalogue, `figures.rules.
monthly_coverage`: the month's addition to the year's PWS count (persons served for the first time in
the calendar year, or events) over one twelfth of the year's annual denominator, in the indicator's
unit. Twelve consecutive months of it average to an annual coverage, whatever the calendar months,
so months of different years and units are comparable; it is also what aggregate reports (capaian)
give, so a puskesmas that reported aggregates before its start and records after has one series.
A month in which the puskesmas sent nothing at all is missing, never 0; a month with other services
but none of the indicator's (once it has sent the indicator's services) is a true 0.

No Streamlit here: functions take a DuckDB connection and return data frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.metrics.coverage import (
    coverage_many,
    numerator_key,
    snapshot,
    tallies_hold,
    uses_aggregates,
    year_coverage,
)
from ilp_metrics.security.scope import Principal

ALIGNED_COLUMNS = [
    "group",
    "indicator",
    "months_since_start",
    "units",
    "median_coverage_pct",
    "p25",
    "p75",
    "mean_coverage_pct",
    "annual_target_pct",
]
CALENDAR_COLUMNS = [
    "group",
    "indicator",
    "period",
    "year",
    "month",
    "units",
    "units_started",
    "median_coverage_pct",
    "p25",
    "p75",
    "mean_coverage_pct",
    "annual_target_pct",
]
BEFORE_AFTER_COLUMNS = [
    "group",
    "indicator",
    "unit_code",
    "unit_name",
    "regency_code",
    "ilp_start_date",
    "months_before",
    "before_mean_pct",
    "months_after",
    "after_mean_pct",
    "change_pct",
    "included",
    "before_grain",  # month: monthly coverage before the start; year: the baseline year's annual figure
]
FUNNEL_COLUMNS = [
    "indicator",
    "unit_code",
    "unit_name",
    "regency_code",
    "year",
    "month",
    "numerator",
    "denominator",
    "coverage_pct",
    "district_rate_pct",
    "lower95_pct",
    "upper95_pct",
    "lower998_pct",
    "upper998_pct",
    "band",
    "outside",
    "target_pct",
]
SUMMARY_COLUMNS = [
    "indicator",
    "row",
    "units",
    "members",
    "start_first",
    "start_last",
    "before_mean_pct",
    "after_mean_pct",
    "change_pct",
]
WINDOW_MONTHS = 12  # the one before/after window (page, slide, CLI): months -12..-1 and +1..+12 of each unit's start
MIN_MONTHS = 6  # a unit enters the group means with at least this many months of data on each side
FUNNEL_LEVELS = {"95": 0.95, "998": 0.998}
BANDS = ("below_998", "below_95", "within", "above_95", "above_998")


class GroupError(ValueError):
    """A group specification that names no puskesmas (or unknown ones). `code` is a message key."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(f"{code}: {values}")
        self.code = code
        self.values = values


class NotComparable(ValueError):
    """The indicator has no monthly coverage (readiness items, ratios) or no binomial funnel."""

    def __init__(self, code: str, indicator: str) -> None:
        super().__init__(f"{code}: {indicator}")
        self.code = code
        self.indicator = indicator


# ================================================================================== groups

_REGENCY = re.compile(r"^\d{2}\.?\d{2}$")


def resolve_group(con: duckdb.DuckDBPyConnection, spec: str, *, principal: Principal) -> list[str]:
    """Puskesmas codes of a group: a regency code (`73.09` or `7309`: all its puskesmas), a cohort
    name from the registry (`pilot`, case-insensitive), or a comma-separated list of puskesmas codes.

    Raises GroupError (message keys `compare.group_empty`, `compare.group_unknown`) when the
    specification names no puskesmas or names unknown codes: a silently empty group would draw nothing.
    """
    principal.require("view")  # puskesmas codes of the registry: public to every role
    text = (spec or "").strip()
    if not text:
        raise GroupError("compare.group_empty", spec=spec or "")
    if _REGENCY.match(text):
        code = text if "." in text else f"{text[:2]}.{text[2:]}"
        rows = con.execute(
            "SELECT puskesmas_code FROM puskesmas WHERE regency_code = $c ORDER BY 1", {"c": code}
        ).fetchall()
    elif (
        "," not in text
        and (
            con.execute("SELECT count(*) FROM puskesmas WHERE lower(cohort) = lower($c)", {"c": text}).fetchone()
            or (0,)
        )[0]
    ):
        rows = con.execute(
            "SELECT puskesmas_code FROM puskesmas WHERE lower(cohort) = lower($c) ORDER BY 1", {"c": text}
        ).fetchall()
    else:
        wanted = list(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
        known = {
            r[0]
            for r in con.execute(
                "SELECT puskesmas_code FROM puskesmas WHERE list_contains($w, puskesmas_code)", {"w": wanted}
            ).fetchall()
        }
        unknown = [c for c in wanted if c not in known]
        if unknown and len(wanted) == 1:  # one word that is no regency, cohort or puskesmas
            raise GroupError("compare.group_empty", spec=text)
        if unknown:
            raise GroupError("compare.group_unknown", spec=text, codes=", ".join(unknown))
        rows = [(c,) for c in wanted]
    if not rows:
        raise GroupError("compare.group_empty", spec=text)
    return [r[0] for r in rows]


def cohorts(con: duckdb.DuckDBPyConnection, *, principal: Principal) -> list[str]:
    """Cohort names in the registry (for pickers)."""
    principal.require("view")
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT cohort FROM puskesmas WHERE cohort IS NOT NULL AND cohort <> '' ORDER BY 1"
        ).fetchall()
    ]


# ================================================================================== monthly coverage


def comparable(ind: Indicator) -> bool:
    """Monthly coverage needs a cumulative count over an annual target-group denominator."""
    return not ind.numerator.readiness_item and ind.accumulation == "cumulative" and bool(ind.denominator.target_group)


def comparable_indicators(cat: Catalogue | None = None) -> list[str]:
    cat = cat or load_catalogue()
    return [i.code for i in cat.indicators if comparable(i)]


def _check(cat: Catalogue, codes: Iterable[str]) -> list[Indicator]:
    inds = [cat.indicator(c) for c in codes]
    for ind in inds:
        if not comparable(ind):
            raise NotComparable("compare.not_comparable", ind.code)
    return inds


def _data_years(con: duckdb.DuckDBPyConnection, units: list[str]) -> list[int]:
    """Every year from the units' first to their last with data. The record years come from the record
    slices kept at upload when they are current (a few thousand rows), otherwise from every record."""
    records = (
        """SELECT min(year) AS y FROM tally_services WHERE list_contains($u, puskesmas_code)
               UNION ALL SELECT max(year) FROM tally_services WHERE list_contains($u, puskesmas_code)"""
        if tallies_hold(con)
        else """SELECT year(min(service_date)) AS y FROM layanan WHERE list_contains($u, puskesmas_code)
               UNION ALL SELECT year(max(service_date)) FROM layanan WHERE list_contains($u, puskesmas_code)"""
    )
    row = con.execute(
        f"""SELECT min(y), max(y) FROM (
               {records}
               UNION ALL SELECT year(min(period)) FROM capaian WHERE list_contains($u, puskesmas_code)
               UNION ALL SELECT year(max(period)) FROM capaian WHERE list_contains($u, puskesmas_code))""",
        {"u": units},
    ).fetchone()
    if row is None or row[0] is None:
        return []
    return list(range(int(row[0]), int(row[1]) + 1))


def _record_months_sql(con: duckdb.DuckDBPyConnection) -> str:
    """(service, puskesmas, month) with individual records of the units `$u`: from the record slices kept at
    upload when they are current (metrics/tallies.py), otherwise from every record of those puskesmas."""
    if tallies_hold(con):
        return """SELECT DISTINCT service_code, puskesmas_code, make_date(year, month, 1) AS period
            FROM tally_services WHERE list_contains($u, puskesmas_code)"""
    return """SELECT DISTINCT service_code, puskesmas_code, date_trunc('month', service_date) AS period
            FROM layanan WHERE list_contains($u, puskesmas_code)"""


def _reported_months(con: duckdb.DuckDBPyConnection, inds: list[Indicator], units: list[str]) -> pd.DataFrame:
    """(indicator, puskesmas, year, month) that count: the puskesmas sent something that month (a record
    or an aggregate report of any service), from the first month it sent countable data for the
    indicator's services (a record, or an aggregate report where the indicator may use aggregates).
    A month with other services but none of this one is a true 0 (no second weighing in January); a
    month with nothing at all is a reporting gap, not a 0."""
    ind_col, svc_col, agg_col = [], [], []
    for ind in inds:
        for service in ind.numerator.services:
            ind_col.append(ind.code)
            svc_col.append(service)
            agg_col.append(uses_aggregates(ind))
        for service in ind.numerator.aggregate_services:  # aggregate-only (K4 women): countable as reported
            ind_col.append(ind.code)
            svc_col.append(service)
            agg_col.append(True)
    return con.execute(
        """
        WITH defs AS (
            SELECT unnest(CAST($i AS VARCHAR[])) AS indicator, unnest(CAST($s AS VARCHAR[])) AS service_code,
                   unnest(CAST($a AS BOOLEAN[])) AS uses_aggregates
        ), record_months AS (
            """
        + _record_months_sql(con)
        + """
        ), aggregate_months AS (
            SELECT DISTINCT service_code, puskesmas_code, period FROM capaian WHERE list_contains($u, puskesmas_code)
        ), sent AS (  -- puskesmas-months with anything at all
            SELECT DISTINCT puskesmas_code, period FROM (
                SELECT puskesmas_code, period FROM record_months
                UNION ALL SELECT puskesmas_code, period FROM aggregate_months)
        ), first_countable AS (  -- first month with countable data for each indicator
            SELECT indicator, puskesmas_code, min(period) AS first_period FROM (
                SELECT d.indicator, r.puskesmas_code, r.period FROM record_months r JOIN defs d USING (service_code)
                UNION ALL
                SELECT d.indicator, a.puskesmas_code, a.period FROM aggregate_months a JOIN defs d USING (service_code)
                WHERE d.uses_aggregates)
            GROUP BY ALL
        )
        SELECT f.indicator, s.puskesmas_code AS unit_code, CAST(year(s.period) AS INTEGER) AS year,
               CAST(month(s.period) AS INTEGER) AS month
        FROM sent s JOIN first_countable f ON f.puskesmas_code = s.puskesmas_code AND s.period >= f.first_period
        """,
        {"i": ind_col, "s": svc_col, "a": agg_col, "u": units},
    ).df()


def monthly_coverage(
    con: duckdb.DuckDBPyConnection,
    indicators: Iterable[str],
    units: Iterable[str],
    *,
    years: Iterable[int] | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Monthly coverage per indicator, puskesmas and calendar month, with months since the unit's start.

    Columns: indicator, unit_code, unit_name, regency_code, ilp_start_date, year, month, period
    (`YYYY-MM`), numerator_month, denominator, monthly_coverage_pct (NaN without a denominator; months
    in which the puskesmas sent nothing at all are left out, see _reported_months), months_since_start (NaN without a start date),
    annual_target_pct. Only the months with data are returned.
    """
    cat = catalogue or load_catalogue()
    inds = _check(cat, dict.fromkeys(indicators))
    units = list(dict.fromkeys(units))
    empty = pd.DataFrame(
        columns=[
            "indicator",
            "unit_code",
            "unit_name",
            "regency_code",
            "ilp_start_date",
            "year",
            "month",
            "period",
            "numerator_month",
            "denominator",
            "monthly_coverage_pct",
            "months_since_start",
            "annual_target_pct",
        ]
    )
    if not inds or not units:
        return empty
    principal.require("view")  # puskesmas-level figures only
    years = list(years) if years is not None else _data_years(con, units)
    registry = con.execute(
        "SELECT puskesmas_code AS unit_code, regency_code, ilp_start_date FROM puskesmas "
        "WHERE list_contains($u, puskesmas_code)",
        {"u": units},
    ).df()
    frames = []
    for year in years:
        for regency in _statement_regencies(con, inds, registry["regency_code"].unique().tolist()):
            part = coverage_many(
                con,
                [i.code for i in inds],
                level="puskesmas",
                year=year,
                regency=regency,
                catalogue=cat,
                principal=principal,
            )
            frames.append(part[part["unit_code"].isin(units)])
    if not frames:
        return empty
    frame = pd.concat(frames, ignore_index=True)
    reported = _reported_months(con, inds, units).assign(reported=True)
    frame = frame.merge(reported, on=["indicator", "unit_code", "year", "month"], how="left")
    frame["reported"] = frame["reported"].fillna(False).astype(bool)
    frame = frame[frame["reported"]].copy()
    factor = frame["indicator"].map({i.code: float(i.factor) for i in inds})
    den = frame["denominator"].where(frame["denominator"] > 0)
    frame["monthly_coverage_pct"] = frame["numerator_month"] / (den / 12.0) * factor
    frame = frame.drop(columns=["regency_code"]).merge(registry, on="unit_code", how="left")
    start = pd.to_datetime(frame["ilp_start_date"])
    frame["months_since_start"] = ((frame["year"] - start.dt.year) * 12 + (frame["month"] - start.dt.month)).astype(
        "Float64"
    )
    frame["annual_target_pct"] = frame["annual_target"]
    frame["period"] = [f"{y}-{m:02d}" for y, m in zip(frame["year"], frame["month"])]
    cols = list(empty.columns)
    return frame[cols].sort_values(["indicator", "unit_code", "year", "month"]).reset_index(drop=True)


# From this many kabupaten on, one statement over the province's tallies costs less than one per kabupaten
# (at 10 M records: 0.8 s for the province against 0.15-0.3 s per kabupaten and year).
PROVINCE_STATEMENT_FROM = 3


def _statement_regencies(
    con: duckdb.DuckDBPyConnection, inds: list[Indicator], regencies: list[str]
) -> list[str | None]:
    """The `regency` of each coverage statement monthly_coverage runs per year. Reading the records, one
    per kabupaten, so that each scans only its puskesmas; reading the tallies kept at upload, one for the
    whole province (None) once the units span several kabupaten. The figures are the same: a puskesmas's
    counts and sasaran do not depend on the kabupaten asked, and months past a kabupaten's last month
    with data (the province's `through` may be later) are left out as months without reports."""
    services = [i for i in inds if not i.numerator.readiness_item]
    held = tallies_hold(con, [numerator_key(i) for i in services])
    if held and len(regencies) >= PROVINCE_STATEMENT_FROM:
        return [None]
    return list(regencies)


def _monthly_for(
    con: duckdb.DuckDBPyConnection,
    indicator: str | Iterable[str],
    groups: Mapping[str, list[str]],
    monthly: pd.DataFrame | None,
    years: Iterable[int] | None,
    catalogue: Catalogue | None,
    principal: Principal,
) -> tuple[pd.DataFrame, list[str]]:
    principal.require("view")
    codes = [indicator] if isinstance(indicator, str) else list(indicator)
    if monthly is None:
        units = [u for members in groups.values() for u in members]
        monthly = monthly_coverage(con, codes, units, years=years, catalogue=catalogue, principal=principal)
    return monthly[monthly["indicator"].isin(codes)], codes


def _with_groups(monthly: pd.DataFrame, groups: Mapping[str, list[str]]) -> pd.DataFrame:
    """One copy of the rows per group the unit belongs to (a unit may sit in two groups)."""
    parts = [monthly[monthly["unit_code"].isin(members)].assign(group=name) for name, members in groups.items()]
    return pd.concat(parts, ignore_index=True) if parts else monthly.assign(group=pd.Series(dtype=str))


def _spread(grouped: Any) -> pd.DataFrame:  # a pandas GroupBy
    values = grouped["monthly_coverage_pct"]
    return pd.DataFrame(
        {
            "units": values.count(),
            "median_coverage_pct": values.median(),
            "p25": values.quantile(0.25),
            "p75": values.quantile(0.75),
            "mean_coverage_pct": values.mean(),
            "annual_target_pct": grouped["annual_target_pct"].median(),
        }
    )


def aligned_series(
    con: duckdb.DuckDBPyConnection,
    indicator: str | Iterable[str],
    groups: Mapping[str, list[str]],
    *,
    years: Iterable[int] | None = None,
    catalogue: Catalogue | None = None,
    monthly: pd.DataFrame | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Per group and month since each unit's own ILP start (negative before, 0 = the start month):
    how many units contribute, and the median, 25th and 75th percentiles (linear interpolation) and
    mean of their monthly coverage. Units without a start date are left out; months where no unit
    reported are absent. Pass `monthly` (from monthly_coverage) to reuse a computed series."""
    data, _ = _monthly_for(con, indicator, groups, monthly, years, catalogue, principal)
    data = _with_groups(data.dropna(subset=["months_since_start", "monthly_coverage_pct"]), groups)
    if data.empty:
        return pd.DataFrame(columns=ALIGNED_COLUMNS)
    data["months_since_start"] = data["months_since_start"].astype(int)
    out = _spread(data.groupby(["group", "indicator", "months_since_start"], sort=True)).reset_index()
    out["units"] = out["units"].astype(int)
    out["group"] = pd.Categorical(out["group"], categories=list(groups), ordered=True)
    out = out.sort_values(["indicator", "group", "months_since_start"])
    out["group"] = out["group"].astype(str)
    return out[ALIGNED_COLUMNS].reset_index(drop=True)


def calendar_series(
    con: duckdb.DuckDBPyConnection,
    indicator: str | Iterable[str],
    groups: Mapping[str, list[str]],
    *,
    years: Iterable[int] | None = None,
    catalogue: Catalogue | None = None,
    monthly: pd.DataFrame | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """The same spread per calendar month, for audiences who think in dates; `units_started` says
    how many of the contributing units had started ILP by that month."""
    data, _ = _monthly_for(con, indicator, groups, monthly, years, catalogue, principal)
    data = _with_groups(data.dropna(subset=["monthly_coverage_pct"]), groups)
    if data.empty:
        return pd.DataFrame(columns=CALENDAR_COLUMNS)
    data["started"] = data["months_since_start"].fillna(-1) >= 0
    grouped = data.groupby(["group", "indicator", "year", "month"], sort=True)
    out = _spread(grouped)
    out["units_started"] = grouped["started"].sum()
    out = out.reset_index()
    out["units"] = out["units"].astype(int)
    out["units_started"] = out["units_started"].astype(int)
    out["period"] = [f"{y}-{m:02d}" for y, m in zip(out["year"], out["month"])]
    out["group"] = pd.Categorical(out["group"], categories=list(groups), ordered=True)
    out = out.sort_values(["indicator", "group", "year", "month"])
    out["group"] = out["group"].astype(str)
    return out[CALENDAR_COLUMNS].reset_index(drop=True)


def before_after(
    con: duckdb.DuckDBPyConnection,
    indicator: str | Iterable[str],
    groups: Mapping[str, list[str]],
    *,
    months: int | None = None,
    min_months: int | None = None,
    years: Iterable[int] | None = None,
    catalogue: Catalogue | None = None,
    monthly: pd.DataFrame | None = None,
    baseline_year: int | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Per unit: mean monthly coverage over months −`months`..−1 before its ILP start and +1..+`months`
    (default WINDOW_MONTHS, with MIN_MONTHS on each side: the one definition of page, slide and CLI)
    after (the start month 0 is left out: it mixes before and after and, where aggregates give way
    to records, the two sources), the number of months with data on each side, and the change.
    `included` is true when both sides have at least `min_months` months: only those units enter
    the group means and the difference-in-differences (a unit that started six weeks ago says
    nothing yet).

    `baseline_year`: a unit with fewer than `min_months` monthly figures before its start whose start
    comes after that whole year takes the year's coverage as its before side (year_coverage: an annual
    table of the Profil Kesehatan, or the year's monthly data), counted as 12 months, `before_grain`
    'year'. Twelve monthly coverages average to the annual coverage, so the two sides compare."""
    months = WINDOW_MONTHS if months is None else months
    min_months = MIN_MONTHS if min_months is None else min_months
    data, codes = _monthly_for(con, indicator, groups, monthly, years, catalogue, principal)
    data = data.dropna(subset=["months_since_start", "monthly_coverage_pct"])
    k = data["months_since_start"].astype(int)
    before = data[(k >= -months) & (k <= -1)].groupby(["indicator", "unit_code"])["monthly_coverage_pct"]
    after = data[(k >= 1) & (k <= months)].groupby(["indicator", "unit_code"])["monthly_coverage_pct"]
    sides = pd.DataFrame(
        {
            "months_before": before.count(),
            "before_mean_pct": before.mean(),
            "months_after": after.count(),
            "after_mean_pct": after.mean(),
        }
    )
    units = [u for members in groups.values() for u in members]
    registry = con.execute(
        "SELECT puskesmas_code AS unit_code, puskesmas_name AS unit_name, regency_code, ilp_start_date "
        "FROM puskesmas WHERE list_contains($u, puskesmas_code)",
        {"u": units},
    ).df()
    rows = []
    for name, members in groups.items():
        for code in codes:
            for unit in members:
                rows.append({"group": name, "indicator": code, "unit_code": unit})
    out = pd.DataFrame(rows, columns=["group", "indicator", "unit_code"]).merge(registry, on="unit_code", how="left")
    out = out.merge(sides.reset_index(), on=["indicator", "unit_code"], how="left")
    out["months_before"] = out["months_before"].fillna(0).astype(int)
    out["months_after"] = out["months_after"].fillna(0).astype(int)
    out["before_grain"] = out["months_before"].map(lambda n: "month" if n > 0 else None)
    if baseline_year is not None:
        _annual_baseline(con, out, codes, baseline_year, min_months, catalogue, principal)
    out["change_pct"] = out["after_mean_pct"] - out["before_mean_pct"]
    out["included"] = (out["months_before"] >= min_months) & (out["months_after"] >= min_months)
    return out[BEFORE_AFTER_COLUMNS]


def _annual_baseline(
    con: duckdb.DuckDBPyConnection,
    out: pd.DataFrame,
    codes: list[str],
    year: int,
    min_months: int,
    catalogue: Catalogue | None,
    principal: Principal,
) -> None:
    """The before side from a whole year before the start, for units short of monthly figures (in place)."""
    yearly = year_coverage(con, codes, level="puskesmas", year=year, catalogue=catalogue, principal=principal)
    yearly = yearly[yearly["has_data"] & yearly["coverage"].notna()]
    value = {(i, u): float(c) for i, u, c in zip(yearly["indicator"], yearly["unit_code"], yearly["coverage"])}
    start = pd.to_datetime(out["ilp_start_date"])
    after_year = (start.dt.year > year).fillna(False).to_numpy()
    found = np.array([(i, u) in value for i, u in zip(out["indicator"], out["unit_code"])])
    use = after_year & found & (out["months_before"] < min_months).to_numpy()
    out.loc[use, "before_mean_pct"] = [
        value[(i, u)] for i, u in zip(out.loc[use, "indicator"], out.loc[use, "unit_code"])
    ]
    out.loc[use, "months_before"] = 12
    out.loc[use, "before_grain"] = "year"


def difference_in_differences(table: pd.DataFrame, group_a: str, group_b: str) -> pd.DataFrame:
    """The 2 × 2 table per indicator, over the included units of before_after: each group's mean of
    unit before means, after means and changes (every puskesmas weighs the same), and a row
    `difference` = A − B whose `change_pct` is the difference-in-differences.

    Descriptive, not causal: the groups started at different times, in different districts, with
    different reporting; the figure says how much more (or less) A changed than B around their own
    starts, not what ILP caused."""
    rows = []
    for code, part in table[table["included"]].groupby("indicator", sort=False):
        means = {}
        for name in (group_a, group_b):
            g = part[part["group"] == name]
            means[name] = {
                "units": len(g),
                "before_mean_pct": g["before_mean_pct"].mean(),
                "after_mean_pct": g["after_mean_pct"].mean(),
                "change_pct": g["change_pct"].mean(),
            }
            rows.append({"indicator": code, "row": name, **means[name]})
        a, b = means[group_a], means[group_b]
        rows.append(
            {
                "indicator": code,
                "row": "difference",
                "units": a["units"] + b["units"],
                **{c: a[c] - b[c] for c in ("before_mean_pct", "after_mean_pct", "change_pct")},
            }
        )
    for code in table["indicator"].unique():  # indicators without any included unit still get rows
        if not any(r["indicator"] == code for r in rows):
            rows += [
                {
                    "indicator": code,
                    "row": r,
                    "units": 0,
                    "before_mean_pct": np.nan,
                    "after_mean_pct": np.nan,
                    "change_pct": np.nan,
                }
                for r in (group_a, group_b, "difference")
            ]
    return pd.DataFrame(rows, columns=["indicator", "row", "units", "before_mean_pct", "after_mean_pct", "change_pct"])


def change_summary(table: pd.DataFrame, group_a: str, group_b: str) -> pd.DataFrame:
    """difference_in_differences with what a sentence about it needs: per group row the number of
    puskesmas in the group (`members`, included or not) and the first and last ILP start month
    (`YYYY-MM`) of its members. The words (figures.compare_words) and the slide read this."""
    did = difference_in_differences(table, group_a, group_b)
    members = table.groupby(["indicator", "group"])["unit_code"].nunique()
    starts = pd.to_datetime(table["ilp_start_date"])
    grouped = starts.groupby([table["indicator"], table["group"]])
    first, last = grouped.min(), grouped.max()
    keys = list(zip(did["indicator"], did["row"]))
    did["members"] = [int(members.get(k, 0)) if k[1] != "difference" else 0 for k in keys]
    did["start_first"] = [start_month(first.get(k)) for k in keys]
    did["start_last"] = [start_month(last.get(k)) for k in keys]
    return did[SUMMARY_COLUMNS]


# ================================================================================== funnel


def funnel_limits(rate: float, n: np.ndarray | list[int] | int) -> pd.DataFrame:
    """Control limits, as proportions, for a unit with denominator n when the true rate is `rate`:
    the binomial quantiles `binom.ppf(q, n, rate) / n` for q = 0.1 %, 2.5 %, 97.5 %, 99.9 % (the
    95 % and 99.8 % two-sided limits). SciPy's quantile, not a normal approximation: small
    puskesmas get wide, asymmetric limits. (SciPy is imported here: its import takes 1–2 s, and only the
    funnel needs it.)"""
    from scipy import stats

    n = np.atleast_1d(np.asarray(n, dtype=float))
    out = {"n": n}
    for name, level in FUNNEL_LEVELS.items():
        tail = (1 - level) / 2
        out[f"lower{name}"] = stats.binom.ppf(tail, n, rate) / n
        out[f"upper{name}"] = stats.binom.ppf(1 - tail, n, rate) / n
    return pd.DataFrame(out)


def funnel_bands(numerator: pd.Series, denominator: pd.Series, rate: float) -> pd.DataFrame:
    """Limits per unit and its band: above or below the 95 % or 99.8 % limits, or within.
    A count strictly beyond a limit quantile is outside (P ≤ 2.5 % or ≤ 0.1 % in that tail)."""
    n = np.rint(denominator.to_numpy(float))
    limits = funnel_limits(rate, n)
    p = numerator.to_numpy(float) / n
    band = np.select(
        [p > limits["upper998"], p > limits["upper95"], p < limits["lower998"], p < limits["lower95"]],
        ["above_998", "above_95", "below_998", "below_95"],
        default="within",
    )
    limits["band"] = band
    limits.index = numerator.index
    return limits


def funnel(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    year: int,
    through: int | None = None,
    regency: str | None = None,
    *,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Funnel plot data: each puskesmas's coverage to date (cumulative from January through
    `through`) against its annual denominator, the district rate (all its puskesmas pooled) and the
    binomial 95 % and 99.8 % limits for its denominator. Only percent indicators whose pooled rate
    is at most 100 % (raises NotComparable otherwise: counts per 1 000 are not binomial)."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(indicator)
    if ind.numerator.readiness_item or ind.unit != "percent":
        raise NotComparable("compare.funnel_not_binomial", indicator)
    frame = snapshot(
        coverage_many(
            con,
            [indicator],
            level="puskesmas",
            year=year,
            through=through,
            regency=regency,
            catalogue=cat,
            principal=principal,
        )
    )
    frame = frame[frame["has_data"] & (frame["denominator"] > 0)].copy()
    if frame.empty:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    rate = float(frame["numerator"].sum() / frame["denominator"].sum())
    if rate >= 1:
        raise NotComparable("compare.funnel_rate_above_one", indicator)
    limits = funnel_bands(frame["numerator"], frame["denominator"], rate)
    frame["coverage_pct"] = frame["numerator"] / frame["denominator"] * 100
    frame["district_rate_pct"] = rate * 100
    for col in ("lower95", "upper95", "lower998", "upper998"):
        frame[f"{col}_pct"] = limits[col] * 100
    frame["band"] = limits["band"]
    frame["outside"] = frame["band"] != "within"
    frame["target_pct"] = frame["target_to_date"]
    return frame[FUNNEL_COLUMNS].sort_values("denominator").reset_index(drop=True)


def funnel_curve(rate: float, n_min: float, n_max: float, points: int = 200) -> pd.DataFrame:
    """The limit lines over a range of denominators (whole numbers), in percent, for drawing."""
    lo = max(1, int(np.floor(round(n_min * 0.8, 6))))
    hi = max(lo + 1, int(np.ceil(round(n_max * 1.1, 6))))
    n = np.unique(np.rint(np.geomspace(lo, hi, points)))
    out = funnel_limits(rate, n)
    for col in ("lower95", "upper95", "lower998", "upper998"):
        out[col] = out[col] * 100
    return out


def aggregate_reporters(con: duckdb.DuckDBPyConnection, units: Iterable[str], *, principal: Principal) -> list[str]:
    """Puskesmas among `units` that sent aggregate reports (capaian) at some time: their series switch
    source at some point, and person counts of that calendar year mix the two (see monthly_coverage)."""
    principal.require("view")
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT puskesmas_code FROM capaian WHERE list_contains($u, puskesmas_code) ORDER BY 1",
            {"u": list(units)},
        ).fetchall()
    ]


def start_month(value: date | pd.Timestamp | None) -> str | None:
    """`YYYY-MM` of an ILP start date (for labels)."""
    if value is None or pd.isna(value):
        return None
    return f"{value.year}-{value.month:02d}"
