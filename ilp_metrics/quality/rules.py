"""The catalogue's `quality` section: data-quality checks, their thresholds and severities, as data.

The section is validated with the rest of the catalogue (catalogue.rules.quality calls `check_section`,
so one CatalogueError lists every problem) and built into frozen dataclasses here. The checks
themselves (SQL) live in quality.checks; they read every threshold from `QualityRules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("high", "medium", "low")
# The counting methods a finding can change (a check's `affects`): the catalogue's count kinds.
COUNT_METHODS = ("distinct_persons", "events", "persons_with_min_events", "reported_sum", "latest_value")
FAMILIES = (
    "completeness",
    "timeliness",
    "outliers",
    "impossible",
    "consistency",
    "consistency_time",
    "denominator",
    "duplicates",
    "registry",
)

# Every check the code implements; the catalogue must describe each one exactly once.
CHECK_CODES = (
    "COMP_PUSKESMAS_MONTH",
    "COMP_DESA_MONTH",
    "COMP_KESIAPAN_MONTH",
    "TIME_LATE_UPLOAD",
    "OUT_MONTHLY_VALUE",
    "IMP_NEGATIVE",
    "IMP_AFTER_UPLOAD",
    "IMP_BEFORE_BIRTH",
    "IMP_COVERAGE_CEILING",
    "CONS_PAIR",
    "CONS_YEAR_TOTAL",
    "DEN_MISSING",
    "DEN_ZERO",
    "DEN_LEVELS",
    "DUP_RECORD",
    "DUP_SOURCE_OVERLAP",
    "DUP_RESENT",
    "REG_DESA_UNKNOWN",
    "REG_DESA_NO_PUSKESMAS",
    "REG_DESA_UNASSIGNED",
)

THRESHOLDS: dict[str, str] = {  # name -> kind ('int', 'number', 'ratio')
    "deadline_day": "int",
    "late_high_after_days": "int",
    "outlier_z": "number",
    "outlier_history_months": "int",
    "outlier_min_history": "int",
    "outlier_min_difference": "number",
    "outlier_min_relative": "ratio",
    "outlier_high_ratio": "number",
    "outlier_high_min_excess": "number",
    "outlier_high_recent_months": "int",
    "coverage_ceiling_pct": "number",
    "year_total_tolerance": "ratio",
    "year_total_min_count": "number",
    "denominator_level_tolerance": "ratio",
}

_PLACEHOLDER = re.compile(r"{([a-z_]+)}")
# Placeholders a message template may use (filled by quality.checks).
PLACEHOLDERS = frozenset(
    {
        "puskesmas",
        "desa",
        "period",
        "indicator",
        "value",
        "expected",
        "days",
        "deadline",
        "file",
        "upload",
        "z",
        "median",
        "lhs",
        "rhs",
        "ratio",
        "group",
        "year",
        "previous",
        "months",
        "services",
        "rows",
        "level",
        "code",
        "table",
        "pair",
    }
)


@dataclass(frozen=True)
class Severity:
    code: str
    name: Any  # catalogue.Text
    colour: str
    meaning: Any


@dataclass(frozen=True)
class Check:
    code: str
    family: str
    severity: str  # default severity; some checks raise or lower it by a documented rule
    name: Any  # Text
    explanation: Any  # Text
    message: Any  # Text template with {placeholders}
    marks_figures: bool = True  # False: shown on the quality page only, never as a marker beside a figure
    # The counting methods (indicator numerator `count`) whose figures this check's findings can change:
    # a figure counted another way is never marked by it (duplicate records cannot change distinct persons).
    affects: tuple[str, ...] = COUNT_METHODS


@dataclass(frozen=True)
class ConsistencyPair:
    """`lhs` must not exceed `max_ratio` × `rhs`: numerators of indicators, or a target group's sasaran."""

    code: str
    name: Any  # Text
    lhs_indicator: str
    rhs_indicator: str | None
    rhs_target_group: str | None
    max_ratio: float
    severity: str


@dataclass(frozen=True)
class QualityRules:
    severities: tuple[Severity, ...]
    checks: tuple[Check, ...]
    thresholds: tuple[tuple[str, float], ...]
    outlier_skip_services: tuple[str, ...]
    pairs: tuple[ConsistencyPair, ...]
    score_method: Any  # Text
    flag_rule: Any  # Text

    def check(self, code: str) -> Check:
        for c in self.checks:
            if c.code == code:
                return c
        raise KeyError(f"quality check '{code}' is not in the catalogue")

    def threshold(self, name: str) -> float:
        return dict(self.thresholds)[name]

    def severity(self, code: str) -> Severity:
        for s in self.severities:
            if s.code == code:
                return s
        raise KeyError(f"severity '{code}' is not one of {', '.join(SEVERITIES)}")


# ================================================================================ validation


def check_section(v: Any, data: Any) -> None:
    """Record every problem of the `quality` section on the catalogue validator `v`."""
    required = (
        "severities",
        "thresholds",
        "outlier_skip_services",
        "checks",
        "consistency_pairs",
        "score_method",
        "flag_rule",
    )
    if not v.keys("quality", data, required):
        return
    v.text("quality", "score_method", data.get("score_method"))
    v.text("quality", "flag_rule", data.get("flag_rule"))
    sev = data.get("severities")
    if v.keys("quality.severities", sev, SEVERITIES):
        for level in SEVERITIES:
            entry = sev.get(level)
            if v.keys(f"quality.severities.{level}", entry, ("name", "colour", "meaning")):
                v.text(f"quality.severities.{level}", "name", entry.get("name"))
                v.text(f"quality.severities.{level}", "meaning", entry.get("meaning"))
                v.colour(f"quality.severities.{level}", "colour", entry.get("colour"))
    th = data.get("thresholds")
    if v.keys("quality.thresholds", th, tuple(THRESHOLDS)):
        for name, kind in THRESHOLDS.items():
            value = th.get(name)
            if value is None:
                continue
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if kind == "int":
                ok = ok and isinstance(value, int) and value >= 0
            elif kind == "ratio":
                ok = ok and 0 <= value < 10
            else:
                ok = ok and value > 0
            if not ok:
                what = {
                    "int": "a whole number ≥ 0",
                    "ratio": "a ratio from 0 (e.g. 0.33)",
                    "number": "a number above 0",
                }
                v.add("quality.thresholds", name, f"{value!r} must be {what[kind]}")
        day = th.get("deadline_day")
        if isinstance(day, int) and not 1 <= day <= 28:
            v.add("quality.thresholds", "deadline_day", "must be a day of the month from 1 to 28")
    for service in v.string_list("quality", "outlier_skip_services", data.get("outlier_skip_services")):
        if service not in v.services:
            v.add("quality", "outlier_skip_services", f"'{service}' is not a service of the catalogue")
    seen: set[object] = set()  # the codes as the file writes them, valid or not
    checks = data.get("checks")
    if not isinstance(checks, list):
        v.add("quality", "checks", "must be a list")
        checks = []
    for pos, entry in enumerate(checks, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        name = f"quality check '{code}'" if isinstance(code, str) else f"quality check #{pos}"
        if not v.keys(
            name, entry, ("code", "family", "severity", "affects", "name", "explanation", "message"), ("marks_figures",)
        ):
            continue
        if code not in CHECK_CODES:
            v.add(name, "code", f"is not a check the product implements ({', '.join(CHECK_CODES)})")
        elif code in seen:
            v.add(name, "code", "is a duplicate code")
        seen.add(code)
        if entry.get("family") not in FAMILIES:
            v.add(name, "family", f"{entry.get('family')!r} must be one of {', '.join(FAMILIES)}")
        if not isinstance(entry.get("marks_figures", True), bool):
            v.add(name, "marks_figures", "must be true or false")
        if entry.get("severity") not in SEVERITIES:
            v.add(name, "severity", f"{entry.get('severity')!r} must be one of {', '.join(SEVERITIES)}")
        _check_affects(v, name, entry.get("affects"))
        for field in ("name", "explanation", "message"):
            v.text(name, field, entry.get(field))
        message = entry.get("message")
        if isinstance(message, dict):
            for lang, text in message.items():
                for ph in _PLACEHOLDER.findall(text if isinstance(text, str) else ""):
                    if ph not in PLACEHOLDERS:
                        v.add(name, "message", f"uses an unknown placeholder {{{ph}}} ({lang})")
    for code in CHECK_CODES:
        if code not in seen:
            v.add("quality", "checks", f"has no entry for the check '{code}'")
    pairs = data.get("consistency_pairs")
    if not isinstance(pairs, list):
        v.add("quality", "consistency_pairs", "must be a list")
        pairs = []
    pair_codes: set[str] = set()
    for pos, entry in enumerate(pairs, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        name = f"quality pair '{code}'" if isinstance(code, str) else f"quality pair #{pos}"
        if not v.keys(name, entry, ("code", "name", "lhs", "rhs", "max_ratio", "severity")):
            continue
        if not isinstance(code, str) or not re.match(r"^[A-Z][A-Z0-9_]*$", code) or code in pair_codes:
            v.add(name, "code", "must be a unique upper-case code")
        pair_codes.add(str(code))
        v.text(name, "name", entry.get("name"))
        lhs, rhs = entry.get("lhs"), entry.get("rhs")
        if v.keys(f"{name}.lhs", lhs, ("indicator",)) and lhs.get("indicator") not in v.indicators:
            v.add(name, "lhs", f"indicator {lhs.get('indicator')!r} is not in the catalogue")
        if v.keys(f"{name}.rhs", rhs, (), ("indicator", "target_group")):
            if len(rhs) != 1:
                v.add(name, "rhs", "must name exactly one of indicator or target_group")
            elif "indicator" in rhs and rhs["indicator"] not in v.indicators:
                v.add(name, "rhs", f"indicator {rhs['indicator']!r} is not in the catalogue")
            elif "target_group" in rhs and rhs["target_group"] not in v.target_groups:
                v.add(name, "rhs", f"target group {rhs['target_group']!r} is not in the catalogue")
        for ref in (lhs, rhs):
            ind = v.indicators.get(ref.get("indicator")) if isinstance(ref, dict) else None
            if ind is not None and (ind.get("numerator") or {}).get("readiness_item"):
                v.add(name, "", f"indicator {ref['indicator']} counts a readiness item, not services")
        ratio = entry.get("max_ratio")
        if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or ratio <= 0:
            v.add(name, "max_ratio", "must be a number above 0")
        if entry.get("severity") not in SEVERITIES:
            v.add(name, "severity", f"{entry.get('severity')!r} must be one of {', '.join(SEVERITIES)}")


def _check_affects(v: Any, name: str, affects: Any) -> None:
    """`affects`: a list (empty allowed: the check marks no figure) of distinct counting methods."""
    if not isinstance(affects, list):
        v.add(name, "affects", f"must be a list of counting methods ({', '.join(COUNT_METHODS)})")
        return
    for method in affects:
        if method not in COUNT_METHODS:
            v.add(name, "affects", f"{method!r} is not a counting method ({', '.join(COUNT_METHODS)})")
    if len(set(map(str, affects))) != len(affects):
        v.add(name, "affects", "names a counting method twice")


# ================================================================================ building


def build(data: dict[str, Any], text: Any) -> QualityRules:
    """QualityRules from a validated section; `text` is catalogue.load._text (dict -> Text)."""
    sev = data["severities"]
    return QualityRules(
        severities=tuple(
            Severity(c, text(sev[c]["name"]), sev[c]["colour"], text(sev[c]["meaning"])) for c in SEVERITIES
        ),
        checks=tuple(
            Check(
                c["code"],
                c["family"],
                c["severity"],
                text(c["name"]),
                text(c["explanation"]),
                text(c["message"]),
                bool(c.get("marks_figures", True)),
                tuple(c["affects"]),
            )
            for c in data["checks"]
        ),
        thresholds=tuple((k, float(data["thresholds"][k])) for k in THRESHOLDS),
        outlier_skip_services=tuple(data["outlier_skip_services"] or ()),
        pairs=tuple(
            ConsistencyPair(
                p["code"],
                text(p["name"]),
                p["lhs"]["indicator"],
                p["rhs"].get("indicator"),
                p["rhs"].get("target_group"),
                float(p["max_ratio"]),
                p["severity"],
            )
            for p in data["consistency_pairs"]
        ),
        score_method=text(data["score_method"]),
        flag_rule=text(data["flag_rule"]),
    )
