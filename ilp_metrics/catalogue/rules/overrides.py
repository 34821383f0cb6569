"""The rule for target overrides: a known indicator, a year, a target ≥ 0, a regency code, no repeats."""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.labels import normalise_regency
from ilp_metrics.catalogue.rules.issues import CatalogueProblem, Issues, is_number
from ilp_metrics.catalogue.rules.known import Known


def overrides(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    out = Issues("overrides")
    entries = out.entries(raw, "overrides")
    seen: set[tuple[Any, Any, Any]] = set()
    for pos, data in enumerate(entries, start=1):
        entry = f"override {pos}"
        if not out.keys(entry, data, ("indicator", "year", "target_pct"), ("regency", "note")):
            continue
        indicator = data.get("indicator")
        if "indicator" in data and (not isinstance(indicator, str) or indicator not in known.indicators):
            out.add(entry, "indicator", f"'{indicator}' is not a known indicator")
        year = data.get("year")
        if "year" in data and (not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100):
            out.add(entry, "year", f"{year!r} must be a year like 2025")
        target = data.get("target_pct")
        if "target_pct" in data and (not is_number(target) or target < 0):
            out.add(entry, "target_pct", f"{target!r} must be a number ≥ 0")
        regency = data.get("regency")
        if regency is not None:
            if not isinstance(regency, str):
                out.add(entry, "regency", f"{regency!r} must be quoted text like '73.09'")
                regency = None
            else:
                try:
                    regency = normalise_regency(regency)
                except ValueError as exc:
                    out.add(entry, "regency", str(exc))
                    regency = None
        if "note" in data:
            out.text(entry, "note", data.get("note"))
        key = (repr(indicator), repr(year), regency)
        if key in seen:
            out.add(entry, "", "repeats the indicator, year and regency of an earlier override")
        seen.add(key)
    return out.problems
