"""Outliers: a month's count against the puskesmas's own history (modified z-score)."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.metrics.coverage import tallies_hold
from ilp_metrics.quality.checks.scope import _SCOPE, Scope, _empty, _frame


def _record_counts(con: duckdb.DuckDBPyConnection) -> str:
    """Records per puskesmas, service and month: from the tallies kept at upload when they are current
    (metrics/tallies.py: the same counts, a few thousand rows), otherwise counted from the records."""
    if tallies_hold(con):
        return """SELECT puskesmas_code, 'layanan' AS source, service_code, make_date(year, month, 1) AS period,
                   sum(records) AS value, min(first_upload) AS upload_id
            FROM tally_services WHERE make_date(year, month, 1) >= $first AND make_date(year, month, 1) < $end
            GROUP BY ALL"""
    return """SELECT puskesmas_code, 'layanan' AS source, service_code,
                   CAST(date_trunc('month', service_date) AS DATE) AS period, count(*) AS value,
                   min(upload_id) AS upload_id
            FROM layanan WHERE service_date >= $first AND service_date < $end GROUP BY ALL"""


def monthly_series(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Monthly count per puskesmas × service × source, from `history` months before January to the last
    month checked. Months the puskesmas reported in that source without the service count as 0; months it
    did not report at all are absent (that is a completeness finding, not an outlier)."""
    history = int(scope.t("outlier_history_months"))
    first = date(scope.year - (history + 11) // 12, 1, 1)
    first = max(first, date(scope.year - 1, 1, 1)) if history <= 12 else first
    return _frame(
        con,
        f"""
        WITH {_SCOPE},
        counts AS (
            {_record_counts(con)}
            UNION ALL
            SELECT puskesmas_code, 'capaian', service_code, period, sum(count), min(upload_id)
            FROM capaian WHERE period >= $first AND period < $end GROUP BY ALL
        ),
        months AS (SELECT DISTINCT puskesmas_code, source, period FROM counts),
        services AS (SELECT DISTINCT puskesmas_code, source, service_code FROM counts)
        SELECT s.regency_code AS regency, m.puskesmas_code, m.source, v.service_code, m.period,
               coalesce(c.value, 0) AS value, c.upload_id
        FROM months m JOIN services v USING (puskesmas_code, source)
        JOIN scope s USING (puskesmas_code)
        LEFT JOIN counts c USING (puskesmas_code, source, service_code, period)
        WHERE m.period <= s.last_month
        ORDER BY m.puskesmas_code, m.source, v.service_code, m.period
    """,
        scope.params(first=first),
    )


def _median(values: list[float]) -> float:
    """np.median of a short list, to the last bit (the middle value, or the mean of the two middle values),
    without numpy's per-call overhead: the check takes thousands of medians of at most 24 months."""
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def modified_z(value: float, history: np.ndarray) -> tuple[float, float]:
    """Iglewicz–Hoaglin modified z-score of `value` against `history`, and the history's median.

    M = 0.6745 (x − median) / MAD. When the MAD is 0 (more than half the months equal), the mean absolute
    deviation scaled by 1.2533 (√(π/2)) takes its place; when that is 0 too, any other value is infinitely
    far (z = ±inf) and an equal value is not (z = 0)."""
    values = history.tolist()
    med = _median(values)
    mad = _median([abs(x - med) for x in values])
    if mad > 0:
        return 0.6745 * (value - med) / mad, med
    mean_ad = float(np.mean(np.abs(history - med)))
    if mean_ad > 0:
        return (value - med) / (1.253314 * mean_ad), med
    return (0.0 if value == med else float(np.sign(value - med)) * np.inf), med


def check_outliers(con: duckdb.DuckDBPyConnection, scope: Scope, series: pd.DataFrame | None = None) -> pd.DataFrame:
    series = monthly_series(con, scope) if series is None else series
    skip = set(scope.rules.outlier_skip_services)
    series = series[~series["service_code"].isin(skip)]
    window, need = int(scope.t("outlier_history_months")), int(scope.t("outlier_min_history"))
    z_max, min_diff, min_rel = scope.t("outlier_z"), scope.t("outlier_min_difference"), scope.t("outlier_min_relative")
    ratio_high, excess_high = scope.t("outlier_high_ratio"), scope.t("outlier_high_min_excess")
    recent_n = int(scope.t("outlier_high_recent_months"))
    start = pd.Timestamp(scope.start)
    out = []
    for (pk, source, service), g in series.groupby(["puskesmas_code", "source", "service_code"], sort=False):
        values = g["value"].to_numpy(dtype=float)
        periods = pd.to_datetime(g["period"]).to_numpy()
        for i in np.nonzero(periods >= start.to_datetime64())[0]:
            # The unit's own history: the `window` months before and, where already reported, the `window`
            # after. A lasting change (an ILP ramp) then has neighbours on both levels; a typing error has not.
            hist = np.concatenate([values[max(0, i - window) : i], values[i + 1 : i + 1 + window]])
            if len(hist) < need:
                continue
            z, med = modified_z(values[i], hist)
            diff = values[i] - med
            if abs(z) <= z_max or abs(diff) < max(min_diff, min_rel * med):
                continue
            # High (a likely typing error) only for a spike: far above the whole history and above the nearest
            # months too, so that the edge of a lasting rise (an ILP ramp, its later months not yet reported)
            # stays medium.
            recent = np.concatenate([values[max(0, i - recent_n) : i], values[i + 1 : i + 1 + recent_n]])
            near = _median(recent.tolist()) if len(recent) else med
            high = values[i] >= ratio_high * max(med, near, 1.0) and diff >= excess_high
            row = g.iloc[i]
            out.append(
                {
                    "check": "OUT_MONTHLY_VALUE",
                    "severity": "high" if high else "medium",
                    "regency": row["regency"],
                    "puskesmas": pk,
                    "desa": None,
                    "period": row["period"],
                    "indicator": service,
                    "value": values[i],
                    "expected": med,
                    "upload_ids": None if pd.isna(row["upload_id"]) else str(int(row["upload_id"])),
                    "rows": None,
                    "f_table": source,
                    "f_z": z,
                    "f_median": med,
                }
            )
    return pd.DataFrame(out) if out else _empty()
