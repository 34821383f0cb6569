"""Rules for the coded entries: clusters, target groups, services, readiness items and their labels.

Each rule takes the raw catalogue dict and the known entries and returns its problems.
"""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.contract import READINESS_ITEM_CODES
from ilp_metrics.catalogue.labels import normalise_label
from ilp_metrics.catalogue.model import MEASURES, VALUE_TYPES
from ilp_metrics.catalogue.rules.issues import (
    LOWER_CODE,
    RESULT_CODE,
    UPPER_CODE,
    CatalogueProblem,
    Issues,
    is_number,
)
from ilp_metrics.catalogue.rules.known import Entries, Known


def clusters(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """Clusters 1–5, each once, with a name, a scope and a colour."""
    out = Issues("clusters")
    codes: set[int] = set()
    for pos, data in enumerate(out.entries(raw, "clusters"), start=1):
        code = data.get("code") if isinstance(data, dict) else None
        entry = f"cluster {code}" if code is not None else f"cluster #{pos}"
        if not out.keys(entry, data, ("code", "name", "colour", "scope")):
            continue
        if not isinstance(code, int) or isinstance(code, bool) or not 1 <= code <= 5:
            out.add(entry, "code", f"{code!r} must be an integer from 1 to 5")
        elif code in codes:
            out.add(entry, "code", "is a duplicate code")
        else:
            codes.add(code)
        out.text(entry, "name", data.get("name"))
        out.text(entry, "scope", data.get("scope"))
        out.colour(entry, "colour", data.get("colour"))
    for code in range(1, 6):
        if code not in codes:
            out.add("catalogue", "clusters", f"cluster {code} is missing (clusters 1–5 are required)")
    return out.problems


def target_groups(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    out = Issues("target_groups")
    for code, data in out.coded("target group", out.entries(raw, "target_groups"), LOWER_CODE):
        entry = f"target group '{code}'"
        out.keys(entry, data, ("code", "name", "synonyms", "estimate"), ("prevalence_based",))
        out.text(entry, "name", data.get("name"))
        out.text(entry, "estimate", data.get("estimate"))
        out.string_list(entry, "synonyms", data.get("synonyms"))
        if not isinstance(data.get("prevalence_based", False), bool):
            out.add(entry, "prevalence_based", "must be true or false")
    return out.problems


def services(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    out = Issues("services")
    for code, data in out.coded("service", out.entries(raw, "services"), UPPER_CODE):
        entry = f"service '{code}'"
        out.keys(entry, data, ("code", "name", "cluster", "definition", "synonyms"), ("results", "aggregate_only"))
        if not isinstance(data.get("aggregate_only", False), bool):
            out.add(entry, "aggregate_only", "must be true or false")
        out.text(entry, "name", data.get("name"))
        out.text(entry, "definition", data.get("definition"))
        out.cluster_ref(entry, data.get("cluster"))
        out.string_list(entry, "synonyms", data.get("synonyms"))
        for result in out.string_list(entry, "results", data.get("results")):
            if not RESULT_CODE.match(result):
                out.add(entry, "results", f"'{result}' must be a lower-case code like 'pengobatan_lengkap'")
    return out.problems


def readiness_items(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """Fields of each item, its denominator item, a positive total weight and the required items."""
    out = Issues("readiness_items")
    coded = out.coded("readiness item", out.entries(raw, "readiness_items"), UPPER_CODE)
    total_weight = 0.0
    for code, data in coded:
        entry = f"readiness item '{code}'"
        out.keys(
            entry,
            data,
            ("code", "name", "value_type", "measure", "weight", "definition", "synonyms"),
            ("denominator_item",),
        )
        out.text(entry, "name", data.get("name"))
        out.text(entry, "definition", data.get("definition"))
        out.string_list(entry, "synonyms", data.get("synonyms"))
        value_type = data.get("value_type")
        if value_type not in VALUE_TYPES:
            out.add(entry, "value_type", f"{value_type!r} must be one of {', '.join(VALUE_TYPES)}")
        if data.get("measure") not in MEASURES:
            out.add(entry, "measure", f"{data.get('measure')!r} must be one of {', '.join(MEASURES)}")
        weight: Any = data.get("weight")
        if not is_number(weight) or weight < 0:
            out.add(entry, "weight", f"{weight!r} must be a number ≥ 0")
        else:
            total_weight += weight
    for code, data in coded:
        _denominator_item(out, known, code, data)
    if coded and total_weight <= 0:
        out.add("catalogue", "readiness_items", "at least one item needs a weight above 0")
    for code in READINESS_ITEM_CODES:
        if code not in known.items:
            out.add("catalogue", "readiness_items", f"required item '{code}' is missing")
    return out.problems


def _denominator_item(out: Issues, known: Known, code: str, data: dict[str, Any]) -> None:
    """A count item may be divided by another count item of the same measure."""
    entry = f"readiness item '{code}'"
    den = data.get("denominator_item")
    if den is None:
        return
    if data.get("value_type") == "boolean":
        out.add(entry, "denominator_item", "is only allowed for count items")
    elif den == code:
        out.add(entry, "denominator_item", "cannot be the item itself")
    elif not isinstance(den, str) or den not in known.items:
        out.add(entry, "denominator_item", f"'{den}' is not a known readiness item")
    else:
        other = known.items[den]
        if other.get("value_type") != "count":
            out.add(entry, "denominator_item", f"'{den}' must be a count item")
        if other.get("measure") != data.get("measure"):
            out.add(entry, "denominator_item", f"'{den}' must have the same measure (stock or flow)")


def synonyms(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """No label (code, Bahasa name or synonym) may name two entries of a kind once normalised."""
    return [
        *_synonyms_of("target group", known.target_groups, "target_groups"),
        *_synonyms_of("service", known.services, "services"),
        *_synonyms_of("readiness item", known.items, "readiness_items"),
    ]


def _synonyms_of(kind: str, entries: Entries, section: str) -> list[CatalogueProblem]:
    out = Issues(section)
    owner: dict[str, str] = {}
    for code, data in entries.items():
        name = data.get("name")
        labels = [("code", code)]
        if isinstance(name, dict) and isinstance(name.get("id"), str):
            labels.append(("name", name["id"]))
        synonyms = data.get("synonyms")
        if isinstance(synonyms, list):
            labels += [("synonyms", s) for s in synonyms if isinstance(s, str)]
        for field, label in labels:
            norm = normalise_label(label)
            if not norm:
                out.add(f"{kind} '{code}'", field, f"'{label}' is empty once normalised")
            elif owner.setdefault(norm, code) != code:
                out.add(f"{kind} '{code}'", field, f"'{label}' (normalised '{norm}') also names {kind} '{owner[norm]}'")
    return out.problems
