"""Rules for what an indicator counts (numerator) and what it divides by (denominator).

Both return the usable kind ('services', 'readiness_item', 'target_group', 'indicator') or None, so
that the indicator rule can check how numerator, denominator and accumulation fit together.
"""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.model import COUNT_KINDS, READINESS_COUNTS, SERVICE_COUNTS, SEXES
from ilp_metrics.catalogue.rules.issues import Issues, is_number
from ilp_metrics.catalogue.rules.known import Known


def numerator(out: Issues, known: Known, entry: str, num: Any) -> str | None:
    """Validates the numerator; returns 'services' or 'readiness_item' when that part is usable."""
    if not out.keys(
        f"{entry} numerator",
        num,
        ("count",),
        ("services", "readiness_item", "min_events", "result_in", "age_years", "sex", "aggregate_services"),
    ):
        return None
    count = num.get("count")
    if count not in COUNT_KINDS:
        out.add(entry, "numerator count", f"{count!r} must be one of {', '.join(COUNT_KINDS)}")
    has_services, has_item = "services" in num, "readiness_item" in num
    if has_services == has_item:
        out.add(entry, "numerator", "needs exactly one of services or readiness_item")
        return None
    if "min_events" in num:
        min_events = num.get("min_events")
        if count != "persons_with_min_events":
            out.add(entry, "numerator min_events", "is only allowed with count persons_with_min_events")
        elif not isinstance(min_events, int) or isinstance(min_events, bool) or min_events < 2:
            out.add(entry, "numerator min_events", f"{min_events!r} must be an integer ≥ 2")
    elif count == "persons_with_min_events":
        out.add(entry, "numerator min_events", "is required with count persons_with_min_events")
    if has_item:
        item = num.get("readiness_item")
        if count in SERVICE_COUNTS:
            out.add(
                entry,
                "numerator count",
                f"'{count}' counts services; a readiness item needs {' or '.join(READINESS_COUNTS)}",
            )
        for field in ("result_in", "age_years", "sex"):
            if field in num:
                out.add(entry, f"numerator {field}", "only applies to services")
        if not isinstance(item, str) or item not in known.items:
            out.add(entry, "numerator readiness_item", f"'{item}' is not a known readiness item")
            return None
        measure = known.items[item].get("measure")
        if count == "latest_value" and measure != "stock":
            out.add(entry, "numerator count", f"latest_value needs a stock item; '{item}' is a {measure} item")
        if count == "reported_sum" and measure != "flow":
            out.add(entry, "numerator count", f"reported_sum needs a flow item; '{item}' is a {measure} item")
        return "readiness_item"
    if num.get("services") is None:
        out.add(entry, "numerator services", "must list at least one service")
    services = out.string_list(entry, "numerator services", num.get("services"), allow_empty=False)
    if count in READINESS_COUNTS:
        out.add(
            entry, "numerator count", f"'{count}' is for readiness items; services need {', '.join(SERVICE_COUNTS)}"
        )
    all_known = True
    for svc in services:
        if svc not in known.services:
            out.add(entry, "numerator services", f"'{svc}' is not a known service")
            all_known = False
    results = out.string_list(entry, "numerator result_in", num.get("result_in"))
    if "result_in" in num and not results:
        out.add(entry, "numerator result_in", "must list at least one result")
    for svc in services:
        if svc not in known.services or not results:
            continue
        raw_results = known.services[svc].get("results")
        declared = [r for r in raw_results if isinstance(r, str)] if isinstance(raw_results, list) else []
        listed = ", ".join(declared) or "none declared"
        for result in results:
            if result not in declared:
                out.add(entry, "numerator result_in", f"'{result}' is not a result of service '{svc}' ({listed})")
    if "age_years" in num:
        _age(out, entry, num.get("age_years"))
    if "sex" in num and num.get("sex") not in SEXES:
        out.add(entry, "numerator sex", f"{num.get('sex')!r} must be L or P")
    _aggregate_services(out, known, entry, num, services)
    return "services" if all_known and services else None


def _aggregate_services(out: Issues, known: Known, entry: str, num: Any, services: list[str]) -> None:
    """Aggregate-only services feed a numerator that aggregates cannot otherwise give (K4 from visits);
    such a service is never a record, so it must not be one of the numerator's own services."""
    if "aggregate_services" not in num:
        return
    listed = out.string_list(entry, "numerator aggregate_services", num.get("aggregate_services"), allow_empty=False)
    for svc in listed:
        data = known.services.get(svc)
        if data is None:
            out.add(entry, "numerator aggregate_services", f"'{svc}' is not a known service")
        elif data.get("aggregate_only") is not True:
            out.add(entry, "numerator aggregate_services", f"'{svc}' must be an aggregate_only service")
    for svc in services:
        data = known.services.get(svc)
        if data is not None and data.get("aggregate_only") is True:
            out.add(entry, "numerator services", f"'{svc}' is aggregate_only: list it under aggregate_services")


def _age(out: Issues, entry: str, age: Any) -> None:
    if not isinstance(age, dict) or not age or set(age) - {"min", "max"}:
        out.add(entry, "numerator age_years", "must be a mapping with min and/or max")
        return
    bounds: list[Any] = [age.get("min"), age.get("max")]
    for value in bounds:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            out.add(entry, "numerator age_years", f"{value!r} must be a whole number of years ≥ 0")
            return
    if None not in bounds and bounds[0] > bounds[1]:
        out.add(entry, "numerator age_years", f"min {bounds[0]} is above max {bounds[1]}")


def denominator(out: Issues, known: Known, entry: str, den: Any) -> str | None:
    if not isinstance(den, dict):
        out.add(entry, "denominator", "must be a mapping")
        return None
    kinds = [k for k in ("target_group", "indicator", "readiness_item") if k in den]
    for key in den:
        if key not in ("target_group", "indicator", "readiness_item", "factor"):
            out.add(entry, f"denominator {key}", "is not a known field")
    if len(kinds) != 1:
        out.add(
            entry,
            "denominator",
            "needs exactly one of target_group, indicator or readiness_item"
            + (f" (found {', '.join(kinds)})" if kinds else ""),
        )
        return None
    kind = kinds[0]
    code = den[kind]
    if "factor" in den:
        factor: Any = den.get("factor")
        if kind != "target_group":
            out.add(entry, "denominator factor", "is only allowed with a target_group")
        elif not is_number(factor) or factor <= 0:
            out.add(entry, "denominator factor", f"{factor!r} must be a number > 0")
    table, what = {
        "target_group": (known.target_groups, "target group"),
        "indicator": (known.indicators, "indicator"),
        "readiness_item": (known.items, "readiness item"),
    }[kind]
    if kind == "indicator":
        return kind  # indicators may come later in the file: resolved by the indicator rule (indicators._consistency)
    if not isinstance(code, str) or code not in table:
        out.add(entry, f"denominator {kind}", f"'{code}' is not a known {what}")
        return None
    return kind
