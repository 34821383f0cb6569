"""The before/after comparison in one sentence per indicator, and group names in words.

The page, the slide and the CLI all read `metrics.compare.change_summary` (12 months before and
after each puskesmas's own ILP start) and say it with `change_sentence`, so the three never differ.
Cohort codes of the registry (`pilot`, `adopter`) are never shown: `group_name` gives their word
from the message catalogue (`compare.cohort.*`); other groups keep the name they were given.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ilp_metrics.catalogue import Indicator
from ilp_metrics.core.formatting import fmt_num, month_name
from ilp_metrics.core.i18n import load_messages, t
from ilp_metrics.figures.charts import fmt_value
from ilp_metrics.metrics.compare import MIN_MONTHS, WINDOW_MONTHS


def group_name(label: str, lang: str) -> str:
    """`pilot` → `perintis`; a regency name or a custom label stays as it is."""
    key = f"compare.cohort.{label.strip().lower()}"
    return t(key, lang) if key in load_messages() else label


def _month(period: str, lang: str) -> tuple[str, str]:
    year, month = period.split("-")
    return month_name(int(month), lang, short=True), year


def start_text(first: str | None, last: str | None, lang: str) -> str:
    """`Jan 2023`, `Mar–Jun 2023` or `Nov 2023–Feb 2024` from two `YYYY-MM` start months."""
    if not first:
        return "–"
    m1, y1 = _month(first, lang)
    if not last or last == first:
        return f"{m1} {y1}"
    m2, y2 = _month(last, lang)
    return f"{m1}–{m2} {y1}" if y1 == y2 else f"{m1} {y1}–{m2} {y2}"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


_WHERE = re.compile(r"^(.+) \(([^()]+)\)$")


def _clause(row: pd.Series, name: str, ind: Indicator, lang: str, first: bool, min_months: int) -> str:
    where = _WHERE.match(name)  # `perintis (Kabupaten Maros)`: one pair of brackets, not two
    head = t(
        "compare.words.group_where" if where else "compare.words.group",
        lang,
        group=where.group(1) if where else name,
        where=where.group(2) if where else "",
        n=int(row["members"]),
        start=start_text(row["start_first"], row["start_last"], lang),
    )
    if int(row["units"]) == 0 or _missing(row["change_pct"]):
        body = t("compare.words.too_few", lang, min=min_months)
        return f"{head}: {body}"
    noun = t("compare.words.noun_coverage" if ind.higher_is_better else "compare.words.noun_rate", lang)
    change = float(row["change_pct"])
    key = "compare.words.up" if change > 0.05 else "compare.words.down" if change < -0.05 else "compare.words.same"
    body = t(
        key,
        lang,
        noun=noun if first else "",
        before=fmt_value(row["before_mean_pct"], ind, lang),
        after=fmt_value(row["after_mean_pct"], ind, lang),
        months=WINDOW_MONTHS,
    ).strip()
    if first:
        body += " " + t("compare.words.after_start", lang, months=WINDOW_MONTHS)
    if int(row["units"]) < int(row["members"]):
        body += " " + t("compare.words.included", lang, n=int(row["units"]))
    return f"{head}: {body}"


def change_sentence(
    summary: pd.DataFrame,
    indicator: str,
    group_a: str,
    group_b: str,
    ind: Indicator,
    lang: str,
    *,
    min_months: int = MIN_MONTHS,
) -> str:
    """One sentence: each group's change in the 12 months after its own start, how the changes
    differ (A − B, in points) and the caveat in one clause. `summary` is change_summary's frame."""
    part = summary[summary["indicator"] == indicator].set_index("row")
    a, b, d = part.loc[group_a], part.loc[group_b], part.loc["difference"]
    name_a, name_b = group_name(group_a, lang), group_name(group_b, lang)
    clauses = [_clause(a, name_a, ind, lang, True, min_months), _clause(b, name_b, ind, lang, False, min_months)]
    diff = d["change_pct"]
    if not _missing(diff) and int(a["units"]) and int(b["units"]):
        points = fmt_num(abs(float(diff)), lang)
        fell = float(a["change_pct"]) < 0 and float(b["change_pct"]) < 0  # both fell: "fell less", not "rose more"
        key = (
            ("compare.words.diff_above_fall" if fell else "compare.words.diff_above")
            if diff > 0.05
            else ("compare.words.diff_below_fall" if fell else "compare.words.diff_below")
            if diff < -0.05
            else "compare.words.diff_same"
        )
        clauses.append(t(key, lang, a=name_a, b=name_b, d=points))
    text = "; ".join(clauses) + ", " + t("compare.words.caveat", lang) + "."
    return text[0].upper() + text[1:]
