"""Data-quality checks (WHO Data Quality Review / DHIS2 Data Quality practice) over the stored tables.

Public API (no Streamlit; a DuckDB connection in, data frames out; every call takes the keyword-only
`principal` whose scope it applies: desa-level findings only for the desa it may see):

* `findings(con, year, regency=None, through=None, lang='id', principal=...)` — one row per finding, FINDING_COLUMNS.
* `quality_score(con, year, ...)` — score per puskesmas × month (catalogue `quality.score_method`).
* `completeness(con, year, ...)` — the puskesmas × month grid of what arrived.
* `figure_flags(con, year, regency=None, through=None, lang='id')` — which coverage figures carry open
  findings: FLAG_COLUMNS, one row per (level, unit_code, indicator or None, period or None, check). The
  pages and the export mark a figure when a row matches its level and unit with `indicator` None or equal
  to the figure's indicator (catalogue `quality.flag_rule`).

Findings are recomputed from the data as stored: a corrected re-upload (which replaces the slice) or a
withdrawal closes them. Checks, thresholds and severities are data (catalogue.yaml, section `quality`).
Each kabupaten-year's findings of the default window are kept up to date by every upload, in its own
transaction (quality/kept.py; which kabupaten-years a write touches: quality/reach.py).
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue, normalise_regency
from ilp_metrics.core.formatting import fmt_date, fmt_int, fmt_num
from ilp_metrics.quality import checks as _checks
from ilp_metrics.quality import kept
from ilp_metrics.quality.checks import Scope, make_scope
from ilp_metrics.quality.flag_index import FlagIndex
from ilp_metrics.quality.rules import CHECK_CODES, SEVERITIES, QualityRules
from ilp_metrics.security.scope import Principal

FINDING_COLUMNS = [
    "check",
    "severity",
    "regency",
    "puskesmas",
    "puskesmas_name",
    "desa",
    "desa_name",
    "period",
    "indicator",
    "value",
    "expected",
    "message",
    "upload_ids",
    "rows",
]
FLAG_COLUMNS = ["level", "unit_code", "indicator", "period", "severity", "check", "reason"]
SCORE_COLUMNS = ["regency", "puskesmas", "puskesmas_name", "period", "checks", "failed", "score", "failed_checks"]
SCORING_SEVERITIES = ("high", "medium")  # low findings are notes: they never lower a score
FLAGGING_SEVERITIES = ("high",)
SERVICE_DATA_CHECKS = frozenset(
    {
        "COMP_PUSKESMAS_MONTH",
        "COMP_DESA_MONTH",
        "TIME_LATE_UPLOAD",
        "IMP_AFTER_UPLOAD",
        "IMP_BEFORE_BIRTH",
        "DUP_RECORD",
        "DUP_SOURCE_OVERLAP",
        "DUP_RESENT",
    }
)  # figures are marked for high findings only (catalogue quality.flag_rule)

__all__ = [
    "CHECK_CODES",
    "FINDING_COLUMNS",
    "FLAG_COLUMNS",
    "SCORE_COLUMNS",
    "SEVERITIES",
    "FlagIndex",
    "completeness",
    "figure_flags",
    "findings",
    "quality_score",
]


def _asked(through: int | None, principal: Principal) -> None:
    """What every quality call checks first: a principal who may view, and a month 1–12 or None."""
    principal.require("view")
    if through is not None and not 1 <= int(through) <= 12:
        raise ValueError(f"through must be a month 1–12, got {through}")


def _scope(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None,
    through: int | None,
    catalogue: Catalogue | None,
    principal: Principal,
) -> Scope:
    _asked(through, principal)
    cat = catalogue or load_catalogue()
    return make_scope(
        con,
        int(year),
        normalise_regency(regency) if regency else None,
        int(through) if through else None,
        cat,
        principal=principal,
    )


def completeness(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None = None,
    through: int | None = None,
    catalogue: Catalogue | None = None,
    *,
    principal: Principal,
) -> pd.DataFrame:
    """Puskesmas × month grid: `reported` (any record or aggregate row), rows per source, desa registered
    and desa present, readiness row present; `desa_share` = desa present ÷ registered × 100 (0 when the
    month is missing). Counts of desa per puskesmas only: no desa is named, so every role may read it."""
    scope = _scope(con, year, regency, through, catalogue, principal)
    grid = _checks.completeness_grid(con, scope)
    share = np.where(
        grid["desa_registered"] > 0,
        100.0 * grid["desa_reporting"].astype(float) / grid["desa_registered"].clip(lower=1),
        100.0,
    )
    grid["desa_share"] = np.where(grid["reported"].astype(bool), np.minimum(share, 100.0), 0.0)
    return grid


def _year(value: Any, default: int) -> str:
    """`2024`, never `2024.0`: the year column is float once the checks' rows are concatenated with NaNs."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return str(default)
    return str(int(value))


def findings(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None = None,
    through: int | None = None,
    lang: str = "id",
    catalogue: Catalogue | None = None,
    *,
    principal: Principal,
) -> pd.DataFrame:
    """Every data-quality finding for `year` (January to `through`, default each kabupaten's last month with
    data), for one kabupaten or all. Sorted by severity, check, puskesmas, period. `message` in `lang`.
    Desa-level findings only for the desa the `principal` may see (`within_scope`): the checks run over the
    whole district, the scope is applied to what is returned.

    One kabupaten's default window (`through` None or its last month with data) is read from the findings
    kept at upload (quality/kept.py) when they are current; otherwise, and for every kabupaten at once, the
    checks run. Both give the same frame: the same raw findings go through the same `_finish`."""
    _asked(through, principal)
    cat = catalogue or load_catalogue()
    reg = normalise_regency(regency) if regency else None
    held = kept.read(con, int(year), reg, int(through) if through else None, cat) if reg else None
    if held is not None:
        last, records = held
        scope = Scope(int(year), (str(reg),), (last,), cat.quality, cat, principal) if last else None
    else:
        scope = make_scope(con, int(year), reg, int(through) if through else None, cat, principal=principal)
        records = kept.raw_records(con, scope, reg) if scope.regencies else []
    if scope is None or not scope.regencies or not records:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return within_scope(_finish(con, records, scope, lang), principal)


def within_scope(found: pd.DataFrame, principal: Principal) -> pd.DataFrame:
    """The findings a principal may read: desa-level findings name a desa and its counts, which only an
    account allowed that puskesmas's desa detail may see (ilp_metrics.security.scope); the rest is district-level."""
    if found.empty:
        return found
    allowed = {p: principal.may_see_desa_of(p) for p in found["puskesmas"].dropna().unique()}
    desa_level = found["desa"].notna()
    visible = found["puskesmas"].map(allowed).fillna(principal.can("desa_all")).astype(bool)
    return found[~desa_level | visible].reset_index(drop=True)


def _names(con: duckdb.DuckDBPyConnection, desa_codes: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    pusk = dict(con.execute("SELECT puskesmas_code, puskesmas_name FROM puskesmas").fetchall())
    desa = dict(
        con.execute(
            """SELECT code, name FROM ref_village WHERE list_contains($codes, code)
           UNION ALL SELECT desa_code, desa_name FROM desa WHERE list_contains($codes, desa_code)""",
            {"codes": sorted(set(desa_codes))},
        ).fetchall()
    )
    return pusk, desa


def _period_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value[:7]
    return str(pd.Timestamp(value).strftime("%Y-%m"))


def _finish(con: duckdb.DuckDBPyConnection, raw: list[dict[str, Any]], scope: Scope, lang: str) -> pd.DataFrame:
    """The raw findings (kept.raw_records: missing values None) as FINDING_COLUMNS: messages in `lang`,
    puskesmas and desa names as registered now, sorted."""
    cat, rules = scope.catalogue, scope.rules
    pusk_names, desa_names = _names(con, [d for d in (r.get("desa") for r in raw) if isinstance(d, str)])
    out = []
    for row in raw:
        period = _period_text(row.get("period"))
        pk = row.get("puskesmas")
        desa = row.get("desa")
        desa_name = row.get("f_desa_name") or (desa_names.get(desa) if desa is not None else None)
        if isinstance(desa_name, str):
            desa_name = desa_name.title()
        indicator = row.get("indicator")
        fields = {
            "puskesmas": pusk_names.get(pk, pk) if pk else _regency_label(row.get("regency"), lang),
            "desa": desa_name or desa or "–",
            "period": period or str(scope.year),
            "indicator": _indicator_label(cat, indicator, lang),
            "value": _num(row.get("value"), lang),
            "expected": _num(row.get("expected"), lang),
            "upload": row.get("upload_ids") or "–",
            "file": row.get("f_file") or "–",
            "days": fmt_int(row.get("f_days"), lang) if row.get("f_days") is not None else "–",
            "deadline": fmt_date(row.get("f_deadline"), lang) if row.get("f_deadline") is not None else "–",
            "z": _num(row.get("f_z"), lang, 1),
            "median": _num(row.get("f_median"), lang, 1),
            "lhs": _num(row.get("f_lhs"), lang),
            "rhs": _num(row.get("f_rhs"), lang),
            "group": _group_label(cat, row.get("f_group"), lang),
            "year": _year(row.get("f_year"), scope.year),
            "previous": str(row.get("f_previous") or "–"),
            "services": fmt_int(row.get("f_services"), lang) if row.get("f_services") is not None else "–",
            "rows": fmt_int(row.get("f_rows"), lang) if row.get("f_rows") is not None else "–",
            "level": row.get("f_level") or "–",
            "code": row.get("f_code") or desa or "–",
            "table": _table_label(row.get("f_table"), lang),
            "pair": _pair_label(rules, row.get("f_pair_code"), lang),
            "ratio": "–",
        }
        message = rules.check(row["check"]).message.get(lang).format(**fields)
        out.append(
            {
                "check": row["check"],
                "severity": row["severity"],
                "regency": row.get("regency"),
                "puskesmas": pk,
                "puskesmas_name": pusk_names.get(pk) if pk else None,
                "desa": desa,
                "desa_name": desa_name,
                "period": period,
                "indicator": indicator,
                "value": None if row.get("value") is None else float(row["value"]),
                "expected": None if row.get("expected") is None else float(row["expected"]),
                "message": message,
                "upload_ids": row.get("upload_ids"),
                "rows": row.get("rows"),
            }
        )
    frame = pd.DataFrame(out, columns=FINDING_COLUMNS)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    checks = {c: i for i, c in enumerate(CHECK_CODES)}
    frame["_s"] = frame["severity"].map(order)
    frame["_c"] = frame["check"].map(checks)
    frame = frame.sort_values(
        ["_s", "_c", "regency", "puskesmas_name", "period", "indicator", "desa"], na_position="first", kind="stable"
    )
    return frame.drop(columns=["_s", "_c"]).reset_index(drop=True)


def _num(value: Any, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value.is_integer() and decimals == 0:
        return fmt_int(value, lang)
    return fmt_num(value, lang, decimals if decimals else 1)


def _regency_label(code: Any, lang: str) -> str:
    return f"{'Kabupaten' if lang != 'en' else 'Regency'} {code}" if code else "–"


def _indicator_label(cat: Catalogue, code: Any, lang: str) -> str:
    if not code:
        return "–"
    for getter in (cat.indicator, cat.service, cat.readiness_item, cat.target_group):
        try:
            entry = getter(code)
        except KeyError:
            continue
        name = getattr(entry, "short_name", None) or entry.name
        return name.get(lang)
    return str(code)


def _group_label(cat: Catalogue, code: Any, lang: str) -> str:
    if not code:
        return "–"
    try:
        return cat.target_group(code).name.get(lang)
    except KeyError:
        return str(code)


_TABLES = {
    "layanan": ("catatan individu", "individual records"),
    "capaian": ("laporan agregat", "aggregate report"),
    "kesiapan": ("kesiapan", "readiness"),
    "sasaran": ("sasaran", "sasaran"),
    "desa": ("registri desa", "desa registry"),
}


def _table_label(code: Any, lang: str) -> str:
    if not code:
        return "–"
    pair = _TABLES.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code)


def _pair_label(rules: QualityRules, code: Any, lang: str) -> str:
    if not code:
        return "–"
    for p in rules.pairs:
        if p.code == code:
            return str(p.name.get(lang))
    return str(code)


# ================================================================================ score


def quality_score(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None = None,
    through: int | None = None,
    found: pd.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    *,
    principal: Principal,
) -> pd.DataFrame:
    """Score per puskesmas × month = 100 × checks passed ÷ checks run (catalogue `quality.score_method`).

    Every check runs for every puskesmas-month. It fails there when a high or medium finding names that
    puskesmas and month, or names the puskesmas (or its whole kabupaten) without a month."""
    cat = catalogue or load_catalogue()
    grid = completeness(con, year, regency, through, catalogue=cat, principal=principal)
    found = findings(con, year, regency, through, catalogue=cat, principal=principal) if found is None else found
    n_checks = len(cat.quality.checks)
    serious = found[found["severity"].isin(SCORING_SEVERITIES)]
    # (period or None, check) of the findings naming each puskesmas, and of those naming a whole kabupaten:
    # grouped once, not filtered again for each of the grid's puskesmas-months.
    of_puskesmas: dict[str, list[tuple[str | None, str]]] = {}
    of_regency: dict[str, list[tuple[str | None, str]]] = {}
    for pk, reg, period, check in zip(serious["puskesmas"], serious["regency"], serious["period"], serious["check"]):
        entry = (None if pd.isna(period) else str(period), str(check))
        if not pd.isna(pk):
            of_puskesmas.setdefault(str(pk), []).append(entry)
        elif not pd.isna(reg):
            of_regency.setdefault(str(reg), []).append(entry)
    rows = []
    for g in grid.itertuples():
        period = pd.Timestamp(g.period).strftime("%Y-%m")
        naming = of_puskesmas.get(str(g.puskesmas_code), []) + of_regency.get(str(g.regency_code), [])
        failed = sorted({check for when, check in naming if when is None or when == period})
        rows.append(
            {
                "regency": g.regency_code,
                "puskesmas": g.puskesmas_code,
                "puskesmas_name": g.puskesmas_name,
                "period": period,
                "checks": n_checks,
                "failed": len(failed),
                "score": 100.0 * (n_checks - len(failed)) / n_checks,
                "failed_checks": ",".join(failed),
            }
        )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


# ================================================================================ flags


def figure_flags(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None = None,
    through: int | None = None,
    lang: str = "id",
    found: pd.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    *,
    principal: Principal,
) -> pd.DataFrame:
    """Which coverage figures carry open high-severity findings (catalogue `quality.flag_rule`).

    One row per (level, unit_code, indicator, period, check): `level` is 'kabupaten', 'puskesmas' or 'desa';
    `indicator` an indicator code (a finding about service data — a missing month, a late or duplicated
    file — gives one row per indicator counted from services), or None when the finding concerns every
    indicator of the unit (registry); `period` 'YYYY-MM' or None (yearly, sasaran, registry);
    `severity`; `reason` the finding's message in `lang`. A figure of (level, unit, indicator) through the
    month asked is flagged when a row has that level and unit and `indicator` is None or equal.
    """
    cat = catalogue or load_catalogue()
    if found is None:
        found = findings(con, year, regency, through, lang=lang, catalogue=cat, principal=principal)
    else:
        principal.require("view")
        found = within_scope(found, principal)
    quiet = {c.code for c in cat.quality.checks if not c.marks_figures or not c.affects}
    serious = found[found["severity"].isin(FLAGGING_SEVERITIES) & ~found["check"].isin(quiet)]
    affects = {c.code: frozenset(c.affects) for c in cat.quality.checks}
    counted = {i.code: i.numerator.count for i in cat.indicators}
    by_service: dict[str, list[str]] = {}
    by_group: dict[str, list[str]] = {}
    for ind in cat.indicators:
        for s in ind.numerator.services:
            by_service.setdefault(s, []).append(ind.code)
        if ind.denominator.target_group:
            by_group.setdefault(ind.denominator.target_group, []).append(ind.code)
    known = {i.code for i in cat.indicators}
    service_based: list[str | None] = [i.code for i in cat.indicators if i.numerator.services]
    readiness_based: list[str | None] = [i.code for i in cat.indicators if i.numerator.readiness_item]
    every: list[str | None] = [None]
    rows = []
    for f in serious.itertuples():
        code = f.indicator
        if code is None or (isinstance(code, float) and math.isnan(code)):
            # A finding about service data (a missing month, a late or duplicated file) marks the indicators
            # counted from services, a missing readiness row those from the checklist; others every one.
            indicators: list[str | None] = (
                service_based
                if f.check in SERVICE_DATA_CHECKS
                else readiness_based
                if f.check == "COMP_KESIAPAN_MONTH"
                else every
            )
        elif code in known:
            indicators = [code]
        else:
            indicators = list(by_service.get(code) or by_group.get(code) or every)
        indicators = _affected(indicators, affects.get(f.check), counted)
        units = []
        if isinstance(f.desa, str) and f.desa and f.check not in ("REG_DESA_NO_PUSKESMAS",):
            units.append(("desa", f.desa))
        if isinstance(f.puskesmas, str) and f.puskesmas and f.check != "REG_DESA_NO_PUSKESMAS":
            units.append(("puskesmas", f.puskesmas))
        if isinstance(f.regency, str) and f.regency:
            units.append(("kabupaten", f.regency))
        for level, unit in units:
            for flagged in indicators:
                rows.append(
                    {
                        "level": level,
                        "unit_code": unit,
                        "indicator": flagged,
                        "period": f.period,
                        "severity": f.severity,
                        "check": f.check,
                        "reason": f.message,
                    }
                )
    return pd.DataFrame(rows, columns=FLAG_COLUMNS).drop_duplicates().reset_index(drop=True)


def _affected(
    indicators: list[str | None], methods: frozenset[str] | None, counted: dict[str, str]
) -> list[str | None]:
    """Only the indicators a finding can change (its check's `affects`, by counting method); None (every
    indicator) stays None when the check can change every method."""
    if methods is None or set(counted.values()) <= methods:
        return indicators
    codes = list(counted) if None in indicators else [c for c in indicators if c is not None]
    return [c for c in codes if counted.get(c) in methods]


def flags_for(flags: pd.DataFrame, level: str, unit_code: str, indicator: str | None = None) -> pd.DataFrame:
    """The flag rows that mark one figure (the rule of `figure_flags`), most severe first."""
    if flags is None or flags.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    hit = flags[(flags["level"] == level) & (flags["unit_code"] == unit_code)]
    if indicator is not None:
        hit = hit[hit["indicator"].isna() | (hit["indicator"] == indicator)]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return hit.assign(_o=hit["severity"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def uploads_for(con: duckdb.DuckDBPyConnection, upload_ids: list[int], *, principal: Principal) -> pd.DataFrame:
    """The uploads a finding refers to (id, file, kind, who, when, period, rows, status); the upload
    history is for accounts that may see the dashboard (not a guest)."""
    principal.require("dashboard")
    ids = sorted({int(i) for i in upload_ids})
    return con.execute(
        """SELECT upload_id, file_name, kind, uploaded_by, uploaded_at, period_start, period_end, rows_accepted,
                  status FROM uploads WHERE list_contains($ids, upload_id) ORDER BY upload_id""",
        {"ids": ids},
    ).df()


def upload_ids_of(text: Any) -> list[int]:
    """Upload ids of a finding's `upload_ids` cell ('54' or '116,54')."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [int(x) for x in text.split(",") if x.strip().isdigit()]


def explanation(code: str, lang: str = "id", catalogue: Catalogue | None = None) -> str:
    """A check's explanation with the threshold names it mentions replaced by their values (`10`, `3,5`)."""
    rules = (catalogue or load_catalogue()).quality
    text = str(rules.check(code).explanation.get(lang))
    for name, value in sorted(rules.thresholds, key=lambda kv: -len(kv[0])):
        v = float(value)
        text = text.replace(name, _num(v, lang, 0 if v.is_integer() else 1 if (v * 10).is_integer() else 2))
    return text
