"""Data-quality markers in the exports: ⚠ beside a figure whose data carry a high-severity finding
(ilp_metrics.quality.figure_flags), the reason in a footnote (PDF), the notes (PPTX) or a column (XLSX).

Small and shared so that the three renderers mark the same figures with the same words.
"""

from __future__ import annotations

import pandas as pd

from ilp_metrics.core.i18n import t
from ilp_metrics.export.facts import Facts
from ilp_metrics.security.scope import Principal

FLAG = "⚠"
FOOTNOTE_LINES = 6  # per table; more distinct reasons are counted, not listed


def reasons_text(reasons: list[str], lang: str, limit: int = 2) -> str:
    """The first `limit` reasons joined, and how many more there are."""
    more = f" {t('exportflag.more', lang, n=len(reasons) - limit)}" if len(reasons) > limit else ""
    return " · ".join(reasons[:limit]) + more


def marked(text: str, reasons: list[str]) -> str:
    """`text ⚠` when the figure is flagged, else `text` unchanged."""
    return f"{text} {FLAG}" if reasons else text


def grouped(figures: list[tuple[str, list[str]]], lang: str, every: str | None = None) -> list[tuple[str, str]]:
    """(figures, reason) pairs, one per distinct reason, in order of first appearance: a reason marking
    every figure listed reads `every` (e.g. "every figure in this table") instead of the long list."""
    by_reason: dict[str, list[str]] = {}
    for label, reasons in figures:
        for why in reasons:
            by_reason.setdefault(why, []).append(label)
    total = len(figures)
    out = []
    # reasons marking the most figures first (a missing month before one indicator's missing sasaran)
    for why, labels in sorted(by_reason.items(), key=lambda kv: -len(set(kv[1]))):
        labels = list(dict.fromkeys(labels))
        text = (every or t("exportflag.all_figures", lang)) if total > 1 and len(labels) == total else ", ".join(labels)
        out.append((text, why))
    return out


def footnote_lines(
    figures: list[tuple[str, list[str]]],
    lang: str,
    key: str = "exportflag.pdf_footnote_line",
    every: str | None = None,
    limit: int = FOOTNOTE_LINES,
) -> list[str]:
    """One line per distinct reason (at most `limit`, then a count of the rest)."""
    pairs = grouped(figures, lang, every)
    lines = [t(key, lang, figures=f, reason=why) for f, why in pairs[:limit]]
    if len(pairs) > limit:
        lines.append(t("exportflag.more", lang, n=len(pairs) - limit))
    return lines


def findings_table(facts: Facts, *, principal: Principal, public: bool = False) -> pd.DataFrame:
    """The period's data-quality findings as the workbook's "Kualitas data" sheet, headers in the
    export's language: desa-level findings only within the `principal`'s scope, none when `public`."""
    from ilp_metrics import quality

    lang, rules = facts.lang, facts.catalogue.quality
    found = facts.findings
    if found is None or found.empty:
        found = pd.DataFrame(columns=quality.FINDING_COLUMNS)
    found = found[found["desa"].isna()] if public else quality.within_scope(found, principal)
    checks = {c.code: c.name.get(lang) for c in rules.checks}
    severities = {s.code: s.name.get(lang) for s in rules.severities}
    return pd.DataFrame(
        {
            t("quality.col.severity", lang): found["severity"].map(severities).fillna(found["severity"]),
            t("quality.col.check", lang): found["check"].map(checks).fillna(found["check"]),
            t("quality.col.puskesmas", lang): found["puskesmas_name"],
            t("quality.col.desa", lang): found["desa_name"],
            t("quality.col.period", lang): found["period"],
            t("exportflag.col.indicator", lang): found["indicator"],
            t("quality.col.message", lang): found["message"],
        }
    ).reset_index(drop=True)
