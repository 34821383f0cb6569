"""Figures: coverage over its ceiling, paired indicators that disagree, year totals against earlier years."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, Indicator
from ilp_metrics.metrics.coverage import coverage_many, numerator_key, tallies_hold
from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def puskesmas_figures(con: duckdb.DuckDBPyConnection, scope: Scope, year: int, codes: list[str]) -> pd.DataFrame:
    """Coverage figures per puskesmas at each kabupaten's last month checked (the month of `scope`)."""
    if not scope.regencies:
        return pd.DataFrame()
    frame = coverage_many(
        con,
        codes,
        level="puskesmas",
        year=year,
        through=max(scope.through),
        regency=scope.regencies[0] if len(scope.regencies) == 1 else None,
        catalogue=scope.catalogue,
        principal=scope.principal,
    )
    last = dict(zip(scope.regencies, scope.through))
    frame = frame[frame["regency_code"].isin(last)]
    return frame[frame["month"] == frame["regency_code"].map(last)].reset_index(drop=True)


def _service_indicators(cat: Catalogue) -> list[str]:
    return [i.code for i in cat.indicators if i.numerator.services]


def check_figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    cat = scope.catalogue
    current = puskesmas_figures(con, scope, scope.year, _service_indicators(cat))
    if current.empty:
        return _empty()
    frames = [_ceiling(current, scope), _pairs(con, current, scope), _year_totals(con, current, scope)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _empty()


def _period_of(frame: pd.DataFrame, year: int) -> pd.Series:
    return pd.to_datetime({"year": year, "month": frame["month"].astype(int), "day": 1}).dt.date


def _ceiling(current: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    cat = scope.catalogue
    plain = [
        i.code for i in cat.indicators if i.numerator.services and i.unit == "percent" and not i.prevalence_denominator
    ]
    ceiling = scope.t("coverage_ceiling_pct")
    over = current[current["indicator"].isin(plain) & (current["coverage"].astype(float) > ceiling)]
    if over.empty:
        return _empty()
    return pd.DataFrame(
        {
            "check": "IMP_COVERAGE_CEILING",
            "severity": scope.rules.check("IMP_COVERAGE_CEILING").severity,
            "regency": over["regency_code"],
            "puskesmas": over["unit_code"],
            "desa": None,
            "period": _period_of(over, scope.year),
            "indicator": over["indicator"],
            "value": over["coverage"].astype(float).round(1),
            "expected": ceiling,
            "upload_ids": None,
            "rows": None,
        }
    )


def _pusk_targets(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Annual sasaran per puskesmas and target group, by the catalogue's rollup rule: the puskesmas-level
    figure when uploaded, else the sum of its desa."""
    return _frame(
        con,
        f"""
        WITH {_SCOPE},
        desa_sum AS (
            SELECT d.puskesmas_code, t.target_group, sum(t.count) AS n
            FROM sasaran t JOIN desa d ON d.desa_code = t.area_code
            WHERE t.year = $year AND t.area_level = 'desa' GROUP BY ALL
        ),
        pusk AS (
            SELECT area_code AS puskesmas_code, target_group, sum(count) AS n FROM sasaran
            WHERE year = $year AND area_level = 'puskesmas' GROUP BY ALL
        )
        SELECT s.puskesmas_code, g.target_group, coalesce(p.n, g.n) AS n
        FROM scope s JOIN (SELECT * FROM desa_sum UNION SELECT * FROM pusk) g USING (puskesmas_code)
        LEFT JOIN pusk p USING (puskesmas_code, target_group)
        GROUP BY ALL
    """,
        scope.params(year=scope.year),
    ).drop_duplicates(["puskesmas_code", "target_group"])


def _pairs(con: duckdb.DuckDBPyConnection, current: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    targets = None
    out = []
    by = current.set_index(["indicator", "unit_code"])
    for pair in scope.rules.pairs:
        lhs = current[current["indicator"] == pair.lhs_indicator]
        for r in lhs.itertuples():
            if not r.has_data or pd.isna(r.numerator):
                continue
            if pair.rhs_indicator:
                key = (pair.rhs_indicator, r.unit_code)
                if key not in by.index:
                    continue
                rhs = by.loc[key, "numerator"]
            else:
                if targets is None:
                    targets = _pusk_targets(con, scope).set_index(["puskesmas_code", "target_group"])["n"]
                rhs = targets.get((r.unit_code, pair.rhs_target_group))
            if rhs is None or pd.isna(rhs):
                continue
            if float(r.numerator) > pair.max_ratio * float(rhs) + 1e-9:
                out.append(
                    {
                        "check": "CONS_PAIR",
                        "severity": pair.severity,
                        "regency": r.regency_code,
                        "puskesmas": r.unit_code,
                        "desa": None,
                        "period": date(scope.year, int(r.month), 1),
                        "indicator": pair.lhs_indicator,
                        "value": float(r.numerator),
                        "expected": float(rhs) * pair.max_ratio,
                        "upload_ids": None,
                        "rows": None,
                        "f_pair_code": pair.code,
                        "f_lhs": float(r.numerator),
                        "f_rhs": float(rhs),
                    }
                )
    return pd.DataFrame(out) if out else _empty()


def _year_record_ctes(con: duckdb.DuckDBPyConnection, inds: list[Indicator]) -> str:
    """`lay_counts` (persons or events per puskesmas, year and indicator, January to the last month checked)
    and `lay_slices` (the months with records, whose aggregates are not counted): from the tallies kept at
    upload when they hold these numerators (the same counts: first-served months summed), otherwise
    from four years of records."""
    if tallies_hold(con, [numerator_key(i) for i in inds]):
        return """keys AS (SELECT unnest($k_codes) AS indicator, unnest($k_defs) AS def_key),
        lay_counts AS (
            SELECT t.scope_code AS puskesmas_code, t.year, k.indicator, sum(t.n) AS n
            FROM tally_counts t JOIN keys k USING (def_key) JOIN scope s ON s.puskesmas_code = t.scope_code
            WHERE t.scope_level = 'puskesmas' AND t.year >= year($first) AND make_date(t.year, t.month, 1) < $end
              AND t.month <= month(s.last_month)
            GROUP BY ALL
        ),
        lay_slices AS (
            SELECT DISTINCT puskesmas_code, make_date(year, month, 1) AS period, service_code FROM tally_services
            WHERE make_date(year, month, 1) >= $first AND make_date(year, month, 1) < $end
        ),"""
    return """lay_counts AS (
            SELECT l.puskesmas_code, year(l.service_date) AS year, m.indicator,
                   CASE WHEN min(m.how) = 'events' THEN count(*) ELSE count(DISTINCT l.person_key) END AS n
            FROM layanan l JOIN map m USING (service_code) JOIN scope s USING (puskesmas_code)
            WHERE l.service_date >= $first AND l.service_date < $end
              AND month(l.service_date) <= month(s.last_month)
            GROUP BY ALL
        ),
        lay_slices AS (  -- puskesmas × month × service with records: their aggregates are not counted
            SELECT DISTINCT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period, service_code
            FROM layanan WHERE service_date >= $first AND service_date < $end
        ),"""


def _year_totals(con: duckdb.DuckDBPyConnection, current: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """WHO DQR consistency over time: this year's count January–last month vs the mean of up to three earlier
    years over the same months, per puskesmas and service indicator counted without filters (distinct persons
    or events of its services; an aggregate month counts where the puskesmas has no records of that service
    that month, as in the figures). One scan of the four years."""
    cat = scope.catalogue
    inds = [
        i
        for i in cat.indicators
        if i.numerator.services
        and i.accumulation == "cumulative"
        and i.numerator.count in ("distinct_persons", "events")
        and not i.numerator.result_in
        and i.numerator.age_years is None
        and i.numerator.sex is None
        and i.numerator.min_events is None
    ]
    if not inds:
        return _empty()
    pairs = [(i.code, s, i.numerator.count) for i in inds for s in i.numerator.services]
    totals = _frame(
        con,
        f"""
        WITH {_SCOPE},
        map AS (SELECT unnest($codes) AS indicator, unnest($services) AS service_code, unnest($counts) AS how),
        {_year_record_ctes(con, inds)}
        cap_counts AS (
            SELECT c.puskesmas_code, year(c.period) AS year, m.indicator, sum(c.count) AS n
            FROM capaian c JOIN map m USING (service_code) JOIN scope s USING (puskesmas_code)
            ANTI JOIN lay_slices x ON x.puskesmas_code = c.puskesmas_code AND x.period = c.period
                                  AND x.service_code = c.service_code
            WHERE c.period >= $first AND c.period < $end AND month(c.period) <= month(s.last_month)
            GROUP BY ALL
        )
        SELECT s.regency_code, t.puskesmas_code, t.year, t.indicator, sum(t.n) AS n, month(s.last_month) AS month
        FROM (SELECT * FROM lay_counts UNION ALL SELECT * FROM cap_counts) t JOIN scope s USING (puskesmas_code)
        GROUP BY ALL
    """,
        scope.params(
            first=date(scope.year - 3, 1, 1),
            codes=[p[0] for p in pairs],
            services=[p[1] for p in pairs],
            counts=[p[2] for p in pairs],
            k_codes=[i.code for i in inds],
            k_defs=[numerator_key(i) for i in inds],
        ),
    )
    now = totals[totals["year"] == scope.year]
    prev = (
        totals[totals["year"] < scope.year]
        .groupby(["indicator", "puskesmas_code"])
        .agg(mean=("n", "mean"), years=("year", "count"))
        .reset_index()
    )
    both = now.merge(prev, on=["indicator", "puskesmas_code"])
    tol, floor = scope.t("year_total_tolerance"), scope.t("year_total_min_count")
    both = both[both["mean"] >= floor]
    ratio = both["n"].astype(float) / both["mean"]
    off = both[(ratio > 1 + tol) | (ratio < 1 / (1 + tol))]
    if off.empty:
        return _empty()
    return pd.DataFrame(
        {
            "check": "CONS_YEAR_TOTAL",
            "severity": scope.rules.check("CONS_YEAR_TOTAL").severity,
            "regency": off["regency_code"],
            "puskesmas": off["puskesmas_code"],
            "desa": None,
            "period": _period_of(off, scope.year),
            "indicator": off["indicator"],
            "value": off["n"].astype(float),
            "expected": off["mean"].round(1),
            "upload_ids": None,
            "rows": None,
            "f_previous": off["years"].astype(int),
        }
    )
