"""When the kabupaten's puskesmas started ILP, as it is: how many puskesmas in which month.

A district rarely starts on one day (Maros: 4 puskesmas in January 2023, 10 in August 2024), so the
overview, the status slide and the trend legend say it month by month instead of naming the first date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from ilp_metrics.core.formatting import fmt_int, month_name
from ilp_metrics.core.i18n import t


def start_months(registry: pd.DataFrame, year: int | None = None, through: int = 12) -> list[tuple[date, int]]:
    """(first day of the month, puskesmas starting in it), oldest first; with `year`, only starts on or
    before the end of month `through` of that year. Puskesmas without a start date are left out."""
    starts = pd.to_datetime(registry["ilp_start_date"], errors="coerce").dropna()
    if year is not None:
        end = pd.Timestamp(year, through, 1) + pd.offsets.MonthEnd(0)
        starts = starts[starts <= end]
    counts = starts.dt.to_period("M").value_counts().sort_index()
    return [(p.to_timestamp().date(), int(n)) for p, n in counts.items()]


def started_by_year(starts: Iterable[tuple[date, int]], years: Iterable[int]) -> dict[int, int]:
    """Puskesmas running ILP by the end of each year (0 before the first start)."""
    listed = list(starts)
    return {y: sum(n for d, n in listed if d.year <= y) for y in years}


def _month(d: date, lang: str) -> str:
    return f"{month_name(d.month, lang, short=True)} {d.year}"


def start_text(starts: Iterable[tuple[date, int]], lang: str) -> str:
    """`4 puskesmas sejak Jan 2023, 10 sejak Agu 2024` (or that none has started)."""
    listed = list(starts)
    if not listed:
        return t("ilp_start.none", lang)
    first, *rest = listed
    parts = [t("ilp_start.first", lang, n=fmt_int(first[1], lang), month=_month(first[0], lang))]
    parts += [t("ilp_start.next", lang, n=fmt_int(n, lang), month=_month(d, lang)) for d, n in rest]
    return ", ".join(parts)


def year_label(year: int, running: int, total: int, lang: str) -> str:
    """A trend curve's legend entry: `2024 · ILP 14/14` once puskesmas run ILP that year, else `2022`."""
    if running <= 0:
        return str(year)
    return t("ilp_start.year_label", lang, year=year, n=fmt_int(running, lang), total=fmt_int(total, lang))
