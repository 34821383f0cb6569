"""The entries other entries may point at, indexed by code before any rule runs.

Cross-references (an indicator's services, a denominator's target group, an override's indicator)
resolve against these. Only entries with a well-formed, first-seen code count, as the section rules
report the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ilp_metrics.catalogue.rules.issues import LOWER_CODE, UPPER_CODE, Issues

Entries = dict[str, Any]  # code -> the raw YAML mapping of that entry


@dataclass(frozen=True)
class Known:
    target_groups: Entries
    services: Entries
    items: Entries  # readiness items
    indicators: Entries


def index(raw: dict[str, Any]) -> Known:
    """The coded entries of each section (problems found on the way are the section rules' to report)."""
    scratch = Issues("")

    def coded(key: str, pattern: re.Pattern[str]) -> Entries:
        return dict(scratch.coded(key, scratch.entries(raw, key), pattern))

    return Known(
        target_groups=coded("target_groups", LOWER_CODE),
        services=coded("services", UPPER_CODE),
        items=coded("readiness_items", UPPER_CODE),
        indicators=coded("indicators", UPPER_CODE),
    )
