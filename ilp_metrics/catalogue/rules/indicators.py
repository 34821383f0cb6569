"""Rules for the indicators: their fields, how numerator and denominator fit, and no denominator loops."""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.contract import SPM_CONTRACT
from ilp_metrics.catalogue.model import ACCUMULATIONS, LANGUAGES, POLARITIES, SHORT_NAME_MAX, UNIT_FACTORS
from ilp_metrics.catalogue.rules.fraction import denominator, numerator
from ilp_metrics.catalogue.rules.issues import UPPER_CODE, CatalogueProblem, Issues, is_number
from ilp_metrics.catalogue.rules.known import Known


def indicators(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """Each indicator with a well-formed, unique code, field by field."""
    out = Issues("indicators")
    for code, data in out.coded("indicator", out.entries(raw, "indicators"), UPPER_CODE):
        _indicator(out, known, code, data)
    return out.problems


def _indicator(out: Issues, known: Known, code: str, data: Any) -> None:
    entry = f"indicator '{code}'"
    out.keys(
        entry,
        data,
        (
            "code",
            "name",
            "short_name",
            "cluster",
            "spm",
            "definition",
            "numerator",
            "denominator",
            "accumulation",
            "unit",
            "target_pct",
            "target_source",
            "polarity",
            "source",
        ),
        ("tolerance", "prevalence_denominator"),
    )
    for field in ("name", "short_name", "definition", "target_source"):
        out.text(entry, field, data.get(field))
    short = data.get("short_name")
    if isinstance(short, dict):
        for lang in LANGUAGES:
            if isinstance(short.get(lang), str) and len(short[lang]) > SHORT_NAME_MAX:
                out.add(entry, "short_name", f"({lang}) '{short[lang]}' is longer than {SHORT_NAME_MAX} characters")
    if "cluster" in data:
        out.cluster_ref(entry, data.get("cluster"))
    if "spm" in data and not isinstance(data.get("spm"), bool):
        out.add(entry, "spm", "must be true or false")
    if data.get("spm") is True and code not in SPM_CONTRACT:
        out.add(entry, "spm", "true is reserved for SPM01–SPM12")
    if "source" in data:
        out.string(entry, "source", data.get("source"))
    accumulation = data.get("accumulation")
    if "accumulation" in data and accumulation not in ACCUMULATIONS:
        out.add(entry, "accumulation", f"{accumulation!r} must be one of {', '.join(ACCUMULATIONS)}")
    if "unit" in data and data.get("unit") not in tuple(UNIT_FACTORS):
        out.add(entry, "unit", f"{data.get('unit')!r} must be one of {', '.join(UNIT_FACTORS)}")
    if "polarity" in data and data.get("polarity") not in POLARITIES:
        out.add(entry, "polarity", f"{data.get('polarity')!r} must be one of {', '.join(POLARITIES)}")
    target = data.get("target_pct")
    if "target_pct" in data and (not is_number(target) or target < 0):
        out.add(entry, "target_pct", f"{target!r} must be a number ≥ 0")
    tolerance = data.get("tolerance")
    if tolerance is not None and (not is_number(tolerance) or not 0 < tolerance < 1):
        out.add(entry, "tolerance", f"{tolerance!r} must be a number between 0 and 1")
    num = data.get("numerator")
    den = data.get("denominator")
    num_kind = numerator(out, known, entry, num) if "numerator" in data else None
    den_kind = denominator(out, known, entry, den) if "denominator" in data else None
    _consistency(out, known, entry, data, num_kind, den_kind)


def _consistency(out: Issues, known: Known, entry: str, data: Any, num_kind: str | None, den_kind: str | None) -> None:
    """Rules linking numerator, denominator, accumulation and the prevalence flag."""
    num: Any = data.get("numerator") if isinstance(data.get("numerator"), dict) else {}
    den: Any = data.get("denominator") if isinstance(data.get("denominator"), dict) else {}
    accumulation = data.get("accumulation")
    count = num.get("count")
    if accumulation == "latest" and count != "latest_value":
        out.add(entry, "accumulation", "latest needs a numerator count of latest_value")
    if count == "latest_value" and accumulation != "latest":
        out.add(entry, "accumulation", "latest_value numerators need accumulation latest")
    if accumulation == "cumulative" and den_kind not in (None, "target_group"):
        out.add(entry, "accumulation", "cumulative needs an annual target_group denominator")
    if den_kind == "indicator":
        ref = den.get("indicator")
        if not isinstance(ref, str) or ref not in known.indicators:
            out.add(entry, "denominator indicator", f"'{ref}' is not a known indicator")
        else:
            ref_num = known.indicators[ref].get("numerator")
            if not isinstance(ref_num, dict) or "services" not in ref_num:
                out.add(entry, "denominator indicator", f"'{ref}' must count services")
        if accumulation not in (None, "ratio"):
            out.add(entry, "accumulation", "an indicator denominator needs accumulation ratio")
    if num_kind == "readiness_item" and den_kind not in (None, "readiness_item"):
        out.add(entry, "denominator", "a readiness numerator needs a readiness_item denominator")
    if num_kind == "services" and den_kind == "readiness_item":
        out.add(entry, "denominator", "a service numerator cannot have a readiness_item denominator")
    if num_kind == "readiness_item" and den_kind == "readiness_item":
        item = num.get("readiness_item")
        spec = known.items[item]
        expected = item if spec.get("value_type") == "boolean" else spec.get("denominator_item")
        if expected is None:
            out.add(entry, "numerator readiness_item", f"'{item}' has no denominator_item to divide by")
        elif den.get("readiness_item") != expected:
            out.add(
                entry,
                "denominator readiness_item",
                f"must be '{expected}' (the denominator of '{item}'), found '{den.get('readiness_item')}'",
            )
    flag = data.get("prevalence_denominator", False)
    if not isinstance(flag, bool):
        out.add(entry, "prevalence_denominator", "must be true or false")
        return
    group = known.target_groups.get(den.get("target_group")) if den_kind == "target_group" else None
    prevalence_group = bool(group and group.get("prevalence_based"))
    estimated = prevalence_group or (den_kind == "target_group" and "factor" in den)
    if prevalence_group and not flag:
        out.add(entry, "prevalence_denominator", f"must be true: '{den.get('target_group')}' is an estimate")
    if flag and not estimated:
        out.add(entry, "prevalence_denominator", "is only for prevalence-based or estimated denominators")


def cycles(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """Indicator -> indicator denominators must end in a target group (no loops)."""
    out = Issues("indicators")
    edges = {}
    for code, data in known.indicators.items():
        den = data.get("denominator")
        if isinstance(den, dict) and isinstance(den.get("indicator"), str):
            edges[code] = den["indicator"]
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        path = [start]
        node = start
        while node in edges:
            node = edges[node]
            if node in path:
                loop = path[path.index(node) :]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    first = min(loop)
                    i = loop.index(first)
                    ordered = loop[i:] + loop[:i] + [first]
                    out.add(f"indicator '{first}'", "denominator", f"forms a cycle: {' → '.join(ordered)}")
                break
            path.append(node)
    return out.problems
