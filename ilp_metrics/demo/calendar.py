"""Calendar of the demo: days are int64 days since 1970-01-01; month index mi = 0 for 2022-01."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
FIRST_DAY = (date(2022, 1, 1) - EPOCH).days
_M0 = (2022 - 1970) * 12
N_MONTHS = 60  # 2022-01 .. 2026-12
MONTH_START = np.array(
    [(date(2022 + m // 12, m % 12 + 1, 1) - EPOCH).days for m in range(N_MONTHS + 1)], dtype=np.int64
)
MONTH_LEN = np.diff(MONTH_START)
MONTH_START = MONTH_START[:-1]


def day_number(d: date) -> int:
    return (d - EPOCH).days


def month_index(days: np.ndarray) -> np.ndarray:
    """Month index (0 = 2022-01) of day numbers; may be negative or ≥ 60."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - _M0


def month_index_of(d: date) -> int:
    return (d.year - 2022) * 12 + d.month - 1


def period(mi: int) -> str:
    return f"{2022 + mi // 12}-{mi % 12 + 1:02d}"


def no_sunday(days: np.ndarray, birth: np.ndarray) -> np.ndarray:
    """Puskesmas and posyandu are closed on Sunday: move Sunday services to Monday, or to Saturday when
    Monday falls in the next month (unless Saturday is before the person's birth)."""
    sunday = (days + 3) % 7 == 6  # 1970-01-01 was a Thursday
    plus, minus = days + 1, days - 1
    use_minus = (month_index(plus) != month_index(days)) & (minus >= birth)
    return np.where(sunday, np.where(use_minus, minus, plus), days)


def month_end(mi: int) -> date:
    return EPOCH + timedelta(days=int(MONTH_START[mi] + MONTH_LEN[mi] - 1))
