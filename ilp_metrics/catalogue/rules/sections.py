"""Rules for the sections that explain and tune: top level, methods, status, readiness index, figures…

Each rule takes the raw catalogue dict (and the known entries) and returns its problems.
"""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.model import (
    ACCUMULATIONS,
    COUNT_KINDS,
    DATA_SOURCES,
    FIGURE_RULES,
    GRAIN_FIELDS,
    POLARITIES,
    PWS_CODES,
    STATUS_CODES,
    UNIT_FACTORS,
)
from ilp_metrics.catalogue.rules.issues import CatalogueProblem, Issues, is_number
from ilp_metrics.catalogue.rules.known import Known

FLAT_TREND_READINGS = ("rising", "falling")  # status.flat_trend.reads_as
WATCH_RANKINGS = ("gap", "composite")  # figures.watch.rank_by

TOP_LEVEL = (
    "version",
    "methods",
    "status",
    "clusters",
    "target_groups",
    "services",
    "readiness_items",
    "readiness_index",
    "indicators",
    "override_rule",
    "overrides",
    "source_precedence",
    "figures",
    "quality",
)


def top_level(raw: Any) -> list[CatalogueProblem]:
    """Every section present, nothing unknown, a supported version. Other rules run only on a mapping."""
    out = Issues("catalogue")
    if out.keys("catalogue", raw, TOP_LEVEL) and raw.get("version") != 1:
        out.add("catalogue", "version", f"{raw.get('version')!r} is not supported (expected 1)")
    return out.problems


def methods(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """`methods` explains every allowed count kind, accumulation, unit and polarity, and nothing else."""
    out = Issues("methods")
    data: Any = raw.get("methods")
    allowed = {
        "count": COUNT_KINDS,
        "accumulation": ACCUMULATIONS,
        "unit": tuple(UNIT_FACTORS),
        "polarity": POLARITIES,
    }
    if not out.keys("methods", data, tuple(allowed)):
        return out.problems
    for kind, codes in allowed.items():
        section = data.get(kind)
        if not isinstance(section, dict):
            if kind in data:
                out.add("methods", kind, "must be a mapping")
            continue
        for code in codes:
            if code not in section:
                out.add("methods", kind, f"has no explanation of '{code}'")
            else:
                out.text("methods", f"{kind} {code}", section[code])
        for code in section:
            if code not in codes:
                out.add("methods", kind, f"'{code}' is not an allowed value ({', '.join(codes)})")
    return out.problems


def status(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """The traffic light: its near-target bound, the four contract levels and the four PWS readings."""
    out = Issues("status")
    data: Any = raw.get("status")
    entry = "status"
    if not out.keys(
        entry,
        data,
        ("mendekati_min_ratio", "rationale", "achievement", "levels", "colour_note", "pws_rule", "pws", "flat_trend"),
    ):
        return out.problems
    ratio = data.get("mendekati_min_ratio")
    if not is_number(ratio) or not 0 < ratio < 1:
        out.add(entry, "mendekati_min_ratio", f"{ratio!r} must be a number between 0 and 1")
    for field in ("rationale", "achievement", "colour_note", "pws_rule"):
        out.text(entry, field, data.get(field))
    _status_levels(out, data)
    _pws_readings(out, data)
    flat = data.get("flat_trend")
    if out.keys("status.flat_trend", flat, ("reads_as", "rule")):
        if flat.get("reads_as") not in FLAT_TREND_READINGS:
            out.add("status.flat_trend", "reads_as", f"{flat.get('reads_as')!r} must be one of rising, falling")
        out.text("status.flat_trend", "rule", flat.get("rule"))
    return out.problems


def _status_levels(out: Issues, data: Any) -> None:
    entry = "status"
    levels = data.get("levels")
    if isinstance(levels, dict):
        for code in STATUS_CODES:
            if code not in levels:
                out.add(entry, "levels", f"has no '{code}'")
        for code, level in levels.items():
            if code not in STATUS_CODES:
                out.add(entry, "levels", f"'{code}' is not a contract status ({', '.join(STATUS_CODES)})")
                continue
            if out.keys(f"status level '{code}'", level, ("name", "colour", "meaning"), ("ceiling_name",)):
                out.text(f"status level '{code}'", "name", level.get("name"))
                if "ceiling_name" in level:
                    out.text(f"status level '{code}'", "ceiling_name", level.get("ceiling_name"))
                out.text(f"status level '{code}'", "meaning", level.get("meaning"))
                out.colour(f"status level '{code}'", "colour", level.get("colour"))
    elif "levels" in data:
        out.add(entry, "levels", "must be a mapping of status codes")


def _pws_readings(out: Issues, data: Any) -> None:
    entry = "status"
    pws = data.get("pws")
    if isinstance(pws, dict):
        seen: dict[tuple[Any, Any], str] = {}
        for code in PWS_CODES:
            if code not in pws:
                out.add(entry, "pws", f"has no '{code}'")
        for code, reading in pws.items():
            sub = f"PWS reading '{code}'"
            if code not in PWS_CODES:
                out.add(entry, "pws", f"'{code}' is not a PWS reading ({', '.join(PWS_CODES)})")
                continue
            if not out.keys(sub, reading, ("name", "above_target", "rising", "colour", "meaning")):
                continue
            out.text(sub, "name", reading.get("name"))
            out.text(sub, "meaning", reading.get("meaning"))
            out.colour(sub, "colour", reading.get("colour"))
            combo = (reading.get("above_target"), reading.get("rising"))
            if not all(isinstance(v, bool) for v in combo):
                out.add(sub, "above_target/rising", "must be true or false")
            elif combo in seen:
                out.add(sub, "above_target/rising", f"repeats the combination of '{seen[combo]}'")
            else:
                seen[combo] = code
    elif "pws" in data:
        out.add(entry, "pws", "must be a mapping of PWS readings")


def readiness_index(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    out = Issues("readiness_index")
    data: Any = raw.get("readiness_index")
    if out.keys("readiness_index", data, ("name", "method", "rationale")):
        for field in ("name", "method", "rationale"):
            out.text("readiness_index", field, data.get(field))
    return out.problems


def override_rule(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    out = Issues("override_rule")
    out.text("catalogue", "override_rule", raw.get("override_rule"))
    return out.problems


def source_precedence(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """Which upload kind wins when both cover a slice: two different sources and a known grain."""
    out = Issues("source_precedence")
    data: Any = raw.get("source_precedence")
    entry = "source_precedence"
    if not out.keys(entry, data, ("preferred", "fallback", "grain", "rule", "rationale", "aggregate_counts")):
        return out.problems
    for field in ("preferred", "fallback"):
        if data.get(field) not in DATA_SOURCES:
            out.add(entry, field, f"{data.get(field)!r} must be one of {', '.join(DATA_SOURCES)}")
    if data.get("preferred") == data.get("fallback"):
        out.add(entry, "fallback", "must differ from preferred")
    grain = out.string_list(entry, "grain", data.get("grain"), allow_empty=False)
    for g in grain:
        if g not in GRAIN_FIELDS:
            out.add(entry, "grain", f"'{g}' must be one of {', '.join(GRAIN_FIELDS)}")
    for field in ("rule", "rationale", "aggregate_counts"):
        out.text(entry, field, data.get(field))
    return out.problems


def figures(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """The projection horizon, the achievement cap and an explanation of every figure rule."""
    out = Issues("figures")
    data: Any = raw.get("figures")
    if not out.keys("figures", data, ("projection_months", "achievement_cap", "rules", "watch")):
        return out.problems
    watch = data.get("watch")
    if out.keys("figures.watch", watch, ("rank_by", "count", "rule")):
        if watch.get("rank_by") not in WATCH_RANKINGS:
            out.add("figures.watch", "rank_by", f"{watch.get('rank_by')!r} must be one of {', '.join(WATCH_RANKINGS)}")
        count = watch.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            out.add("figures.watch", "count", "must be a whole number of puskesmas from 1")
        out.text("figures.watch", "rule", watch.get("rule"))
    months = data.get("projection_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 11:
        out.add("figures", "projection_months", "must be a whole number of months from 1 to 11")
    cap = data.get("achievement_cap")
    if not isinstance(cap, (int, float)) or isinstance(cap, bool) or cap <= 0:
        out.add("figures", "achievement_cap", "must be a number above 0")
    if out.keys("figures.rules", data.get("rules"), FIGURE_RULES):
        for code in FIGURE_RULES:
            if code in data["rules"]:
                out.text("figures.rules", code, data["rules"][code])
    return out.problems
