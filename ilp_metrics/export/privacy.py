"""Public showing: small counts of people are suppressed and desa detail is left out.

A room of camat, lurah and kader must not be able to recognise a person from a count: any count of
people from 1 to SMALL_COUNT − 1 prints as "<5". Zero stays zero (nobody to recognise); larger counts
print in full. Percentages are not suppressed (they hide no person on their own at kabupaten and
puskesmas level, and desa detail is not shown in public).
"""

from __future__ import annotations

import math

from ilp_metrics.core.formatting import fmt_int

SMALL_COUNT = 5


def is_small(n: object) -> bool:
    try:
        value = float(n)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not math.isnan(value) and 0 < value < SMALL_COUNT


def count_text(n: object, lang: str, public: bool) -> str:
    """`3` → `<5` in public, else the count formatted the reader's way."""
    if public and is_small(n):
        return f"<{SMALL_COUNT}"
    return fmt_int(n, lang)  # type: ignore[arg-type]
