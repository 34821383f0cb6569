"""The data-quality checks, one function per check family, each a DuckDB query over the stored tables.

Every function takes the connection and a `Scope` (year, months to date per kabupaten, thresholds) and
returns raw findings: the columns of FINDING_COLUMNS except `message`, plus `f_*` columns that fill the
catalogue's message template. `quality.findings` runs them all and writes the messages.
Identifiers are never formatted into SQL; every value is a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import SupportsInt

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, latest_data_month
from ilp_metrics.quality.rules import QualityRules
from ilp_metrics.security.scope import Principal

RAW_COLUMNS = [
    "check",
    "severity",
    "regency",
    "puskesmas",
    "desa",
    "period",
    "indicator",
    "value",
    "expected",
    "upload_ids",
    "rows",
]


@dataclass(frozen=True)
class Scope:
    """What one run of the checks covers: a year, the kabupaten in scope and each one's last month."""

    year: int
    regencies: tuple[str, ...]
    through: tuple[int, ...]  # last month (1–12) checked, per regency (same order)
    rules: QualityRules
    catalogue: Catalogue
    principal: Principal  # who asked; passed along to the coverage figures the checks read

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """First day after the latest month checked (exclusive)."""
        last = max(self.through) if self.through else 12
        return date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)

    def params(self, **extra: object) -> dict[str, object]:
        lasts = [date(self.year, m, 1) for m in self.through]
        return {"regs": list(self.regencies), "lasts": lasts, "start": self.start, "end": self.end, **extra}

    def t(self, name: str) -> float:
        return self.rules.threshold(name)


def make_scope(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None,
    through: int | None,
    catalogue: Catalogue,
    *,
    principal: Principal,
) -> Scope:
    """Kabupaten in scope (with a registry) and the last month checked for each: `through`, or the
    kabupaten's last month with data that year (nothing is expected of months not yet reported anywhere)."""
    regs = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT regency_code FROM puskesmas WHERE $r IS NULL OR regency_code = $r ORDER BY 1",
            {"r": regency},
        ).fetchall()
    ]
    pairs = []
    for reg in regs:
        last = through or latest_data_month(con, year, reg, principal=principal)
        if last:
            pairs.append((reg, int(last)))
    return Scope(year, tuple(r for r, _ in pairs), tuple(m for _, m in pairs), catalogue.quality, catalogue, principal)


# Shared CTEs: the puskesmas in scope with the last month checked for their kabupaten.
_SCOPE = """
win AS (SELECT unnest($regs) AS regency_code, unnest($lasts) AS last_month),
scope AS (
    SELECT p.puskesmas_code, p.puskesmas_name, p.regency_code, w.last_month
    FROM puskesmas p JOIN win w USING (regency_code)
)"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object]) -> pd.DataFrame:
    """Run `sql` with the named parameters it uses (DuckDB refuses unused ones)."""
    used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
    return con.execute(sql, used).df()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=RAW_COLUMNS)


# ================================================================================ completeness


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
            SELECT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period,
                   count(*) AS layanan_rows, count(DISTINCT desa_code) AS layanan_desa
            FROM layanan WHERE service_date >= $start AND service_date < $end GROUP BY ALL
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
            SELECT DISTINCT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period FROM layanan
            WHERE service_date >= $start AND service_date < $end
        ),
        lay_rows AS (
            SELECT DISTINCT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period, desa_code
            FROM layanan WHERE service_date >= $start AND service_date < $end
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


# ================================================================================ timeliness


def check_timeliness(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Monthly data (layanan, capaian, kesiapan) are due on the deadline day of the month after the
    last month the file contains. A file covering several months is judged by its last month."""
    late = _frame(
        con,
        f"""
        WITH {_SCOPE},
        due AS (
            SELECT upload_id, file_name, kind, uploaded_at, period_start, period_end,
                   CAST(date_trunc('month', period_end) + INTERVAL 1 MONTH AS DATE) + ($day - 1) AS deadline
            FROM uploads
            WHERE status = 'active' AND kind IN ('layanan', 'capaian', 'kesiapan')
              AND period_end >= $start AND period_end < $end
        ),
        late AS (SELECT * FROM due WHERE CAST(uploaded_at AS DATE) > deadline),
        units AS (  -- which puskesmas each late upload holds
            SELECT upload_id, puskesmas_code FROM layanan WHERE upload_id IN (SELECT upload_id FROM late)
            UNION SELECT upload_id, puskesmas_code FROM capaian WHERE upload_id IN (SELECT upload_id FROM late)
            UNION SELECT upload_id, puskesmas_code FROM kesiapan WHERE upload_id IN (SELECT upload_id FROM late)
        ),
        per_upload AS (
            SELECT u.upload_id, min(s.regency_code) AS regency,
                   CASE WHEN count(DISTINCT u.puskesmas_code) = 1 THEN min(u.puskesmas_code) END AS puskesmas,
                   bool_and(CAST(date_trunc('month', l.period_end) AS DATE) <= s.last_month) AS in_window
            FROM units u JOIN scope s USING (puskesmas_code) JOIN late l USING (upload_id) GROUP BY ALL
        )
        SELECT p.regency, p.puskesmas, CAST(date_trunc('month', l.period_end) AS DATE) AS period,
               l.upload_id, l.file_name, l.kind, l.deadline,
               date_diff('day', l.deadline, CAST(l.uploaded_at AS DATE)) AS days
        FROM late l JOIN per_upload p USING (upload_id) WHERE p.in_window
        ORDER BY l.upload_id
    """,
        scope.params(day=int(scope.t("deadline_day"))),
    )
    if late.empty:
        return _empty()
    high_after = scope.t("late_high_after_days")
    return pd.DataFrame(
        {
            "check": "TIME_LATE_UPLOAD",
            "severity": np.where(late["days"] > high_after, "high", "medium"),
            "regency": late["regency"],
            "puskesmas": late["puskesmas"],
            "desa": None,
            "period": late["period"],
            "indicator": None,
            "value": late["days"].astype(float),
            "expected": 0.0,
            "upload_ids": late["upload_id"].astype(str),
            "rows": None,
            "f_file": late["file_name"],
            "f_days": late["days"],
            "f_deadline": late["deadline"],
            "f_table": late["kind"],
        }
    )


# ================================================================================ outliers


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
            SELECT puskesmas_code, 'layanan' AS source, service_code,
                   CAST(date_trunc('month', service_date) AS DATE) AS period, count(*) AS value,
                   min(upload_id) AS upload_id
            FROM layanan WHERE service_date >= $first AND service_date < $end GROUP BY ALL
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


def modified_z(value: float, history: np.ndarray) -> tuple[float, float]:
    """Iglewicz–Hoaglin modified z-score of `value` against `history`, and the history's median.

    M = 0.6745 (x − median) / MAD. When the MAD is 0 (more than half the months equal), the mean absolute
    deviation scaled by 1.2533 (√(π/2)) takes its place; when that is 0 too, any other value is infinitely
    far (z = ±inf) and an equal value is not (z = 0)."""
    med = float(np.median(history))
    dev = np.abs(history - med)
    mad = float(np.median(dev))
    if mad > 0:
        return 0.6745 * (value - med) / mad, med
    mean_ad = float(np.mean(dev))
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
            near = float(np.median(recent)) if len(recent) else med
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


# ================================================================================ impossible values


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


def _rows_ref(upload_id: SupportsInt, source_rows: Iterable[SupportsInt], n: SupportsInt) -> str:
    shown = ", ".join(str(int(r)) for r in list(source_rows)[:10])
    more = f" … (+{int(n) - 10})" if int(n) > 10 else ""
    return f"{int(upload_id)}: {shown}{more}"


# ================================================================================ figures (ceiling, pairs, time)


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
        lay_counts AS (
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
        ),
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


# ================================================================================ denominators


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


# ================================================================================ duplicates


def check_duplicates(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    dup = _frame(
        con,
        f"""
        WITH {_SCOPE},
        keys AS (  -- same person, service and day more than once (grouped on a hash: one number per row)
            SELECT hash(puskesmas_code, person_key, service_code, service_date) AS h FROM layanan
            WHERE service_date >= $start AND service_date < $end
            GROUP BY ALL HAVING count(*) > 1
        ),
        copies AS (  -- every row of those keys; the first (lowest upload, row) is the original
            SELECT l.puskesmas_code, l.service_date, l.upload_id, l.source_row,
                   row_number() OVER (PARTITION BY l.puskesmas_code, l.person_key, l.service_code, l.service_date
                                      ORDER BY l.upload_id, l.source_row) AS copy
            FROM layanan l
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
            SELECT DISTINCT puskesmas_code, CAST(date_trunc('month', service_date) AS DATE) AS period, service_code
            FROM layanan WHERE service_date >= $start AND service_date < $end
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


# ================================================================================ registry


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
            SELECT 'REG_DESA_UNKNOWN', puskesmas_code, desa_code, NULL, 'layanan', min(upload_id) FROM layanan
            WHERE service_date >= $start AND service_date < $end
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
