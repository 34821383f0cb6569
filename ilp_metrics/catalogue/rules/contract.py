"""The rule that keeps the codes of DATA_CONTRACT.md §5 and the SPM01–SPM12 table in the catalogue."""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.contract import (
    CONTRACT_SERVICES,
    CONTRACT_TARGET_GROUPS,
    PREVALENCE_TARGET_GROUPS,
    SHARED_EXTRA_SERVICES,
    SPM_CONTRACT,
)
from ilp_metrics.catalogue.rules.issues import CatalogueProblem, Issues
from ilp_metrics.catalogue.rules.known import Known


def contract(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    """DATA_CONTRACT.md §5 codes must stay, and SPM01–SPM12 must match its table."""
    out = Issues("indicators")
    for code in CONTRACT_TARGET_GROUPS:
        if code not in known.target_groups:
            out.add("catalogue", "target_groups", f"contract target group '{code}' is missing", "target_groups")
    for code in PREVALENCE_TARGET_GROUPS:
        if code in known.target_groups and known.target_groups[code].get("prevalence_based") is not True:
            out.add(
                f"target group '{code}'", "prevalence_based", "must be true (a prevalence estimate)", "target_groups"
            )
    for code in CONTRACT_SERVICES:
        if code not in known.services:
            out.add("catalogue", "services", f"contract service '{code}' is missing", "services")
    for code in SHARED_EXTRA_SERVICES:
        if code not in known.services:
            out.add(
                "catalogue", "services", f"service '{code}' (used by the demo and the ingest) is missing", "services"
            )
    for code, (service, group) in SPM_CONTRACT.items():
        data = known.indicators.get(code)
        if data is None:
            out.add("catalogue", "indicators", f"SPM indicator '{code}' is missing")
            continue
        entry = f"indicator '{code}'"
        num: Any = data.get("numerator") if isinstance(data.get("numerator"), dict) else {}
        den: Any = data.get("denominator") if isinstance(data.get("denominator"), dict) else {}
        expected = {
            "numerator services": ([service], num.get("services")),
            "numerator count": ("distinct_persons", num.get("count")),
            "denominator target_group": (group, den.get("target_group")),
            "denominator factor": (1, den.get("factor", 1)),
            "spm": (True, data.get("spm")),
            "target_pct": (100, data.get("target_pct")),
            "accumulation": ("cumulative", data.get("accumulation")),
            "unit": ("percent", data.get("unit")),
            "polarity": ("higher_is_better", data.get("polarity")),
        }
        for field, (want, got) in expected.items():
            if got != want:
                out.add(entry, field, f"must be {want!r} (DATA_CONTRACT §5), found {got!r}")
    return out.problems
