"""Numbers and dates written the way the reader expects: `1.234` and `85,3 %` in Bahasa Indonesia,
`1,234` and `85.3%` in English.

Percentages are passed as percentages (85.3 means 85,3 %), never as ratios, so the same value
prints identically in a table, a chart label and the CLI. Missing values (None, NaN) print as
an en dash so that a blank cell is never mistaken for zero. No Streamlit import here.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from numbers import Integral
from typing import SupportsFloat

from ilp_metrics.core.i18n import DEFAULT_LANGUAGE

MISSING = "–"

# Locale data (separators and month names), not sentences: kept here rather than in messages.yaml.
_SEPARATORS = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)
_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_MONTHS_SHORT = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _lang(lang: str | None) -> str:
    return lang if lang in _SEPARATORS else DEFAULT_LANGUAGE


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        # pandas.NA and NaT refuse isnan/bool; treat anything "NA-like" as missing
        return type(x).__name__ in {"NAType", "NaTType"}


def _number(x: SupportsFloat, decimals: int, lang: str) -> str:
    thousands, decimal = _SEPARATORS[_lang(lang)]
    text = f"{float(x):,.{decimals}f}" if decimals else f"{int(x) if isinstance(x, Integral) else round(float(x)):,d}"
    if text in {"-0", "-0." + "0" * decimals}:  # no negative zero after rounding
        text = text[1:]
    # Python writes 1,234.5: swap through a placeholder
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def fmt_int(n: SupportsFloat | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """`1234567` → `1.234.567` (id) or `1,234,567` (en); floats are rounded half to even."""
    if n is None or _is_missing(n):
        return MISSING
    return _number(n, 0, lang)


def fmt_num(x: SupportsFloat | None, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """`1234.56` → `1.234,6` (id) or `1,234.6` (en)."""
    if x is None or _is_missing(x):
        return MISSING
    return _number(x, decimals, lang)


def fmt_pct(x: SupportsFloat | None, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A percentage value (85.3, not 0.853) → `85,3 %` (id) or `85.3%` (en).

    Values above 100 are printed as they are (coverage over 100 % happens and is shown honestly).
    """
    if x is None or _is_missing(x):
        return MISSING
    text = _number(x, decimals, lang)
    return f"{text} %" if _lang(lang) == "id" else f"{text}%"


def fmt_date(d: date | datetime | str | None, lang: str = DEFAULT_LANGUAGE, short: bool = False) -> str:
    """`2024-07-24` → `24 Juli 2024` (id) or `24 July 2024` (en); short=True gives `24 Jul 2024`."""
    if d is None or _is_missing(d) or d == "":
        return MISSING
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    names = (_MONTHS_SHORT if short else _MONTHS)[_lang(lang)]
    return f"{d.day} {names[d.month - 1]} {d.year}"


def fmt_datetime(d: datetime | str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """`2026-11-22T14:03:09` → `22 November 2026 14.03` (id, dot as time separator) or `… 14:03` (en)."""
    if d is None or _is_missing(d) or d == "":
        return MISSING
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    if not isinstance(d, datetime):  # a plain date
        return fmt_date(d, lang)
    sep = "." if _lang(lang) == "id" else ":"
    return f"{fmt_date(d, lang)} {d.hour:02d}{sep}{d.minute:02d}"


def month_name(month: int, lang: str = DEFAULT_LANGUAGE, short: bool = False) -> str:
    """1 → `Januari` / `January` (short: `Jan`)."""
    return (_MONTHS_SHORT if short else _MONTHS)[_lang(lang)][month - 1]
