"""Data-quality glue shared by the pages: cached findings, scores and figure flags, and the ⚠ marker.

Streamlit-only; the rules live in ilp_metrics.quality (figure_flags documents the matching rule).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ilp_metrics import quality
from ilp_metrics.security.scope import Principal
from pages import _auth, _db, _filters, _session
from pages._session import tr


@st.cache_data(show_spinner=False, max_entries=32)
def findings(
    path: str, ver: int, year: int, through: int, regency: str | None, lang: str, who: Principal
) -> pd.DataFrame:
    return quality.findings(
        _db.cursor(), year, regency=regency, through=through, lang=lang, catalogue=_db.catalogue(), principal=who
    )


@st.cache_data(show_spinner=False, max_entries=32)
def scores(
    path: str, ver: int, year: int, through: int, regency: str | None, lang: str, who: Principal
) -> pd.DataFrame:
    found = findings(path, ver, year, through, regency, lang, who)
    return quality.quality_score(
        _db.cursor(), year, regency=regency, through=through, found=found, catalogue=_db.catalogue(), principal=who
    )


@st.cache_data(show_spinner=False, max_entries=32)
def grid(path: str, ver: int, year: int, through: int, regency: str | None, who: Principal) -> pd.DataFrame:
    return quality.completeness(
        _db.cursor(), year, regency=regency, through=through, catalogue=_db.catalogue(), principal=who
    )


@st.cache_data(show_spinner=False, max_entries=32)
def flags(path: str, ver: int, year: int, through: int, regency: str | None, lang: str, who: Principal) -> pd.DataFrame:
    found = findings(path, ver, year, through, regency, lang, who)
    return quality.figure_flags(
        _db.cursor(),
        year,
        regency=regency,
        through=through,
        lang=lang,
        found=found,
        catalogue=_db.catalogue(),
        principal=who,
    )


def current_flags() -> pd.DataFrame:
    f = _filters.filters()
    return flags(
        str(_db.db_path()), _db.version(), f["year"], f["month"], f["regency"], _session.lang(), _auth.current()
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _index(
    path: str, ver: int, year: int, through: int, regency: str | None, lang: str, who: Principal
) -> quality.FlagIndex:
    # A resource, not data: every figure of a page asks it, and a cache_data copy per call costs a pickle.
    return quality.FlagIndex(flags(path, ver, year, through, regency, lang, who))


def current_index() -> quality.FlagIndex:
    """The flags of the sidebar's filters, grouped once for all the figures a page marks."""
    memo = _db.run_memo()  # a page marks 30–60 figures: one look-up per run (its filters are set), not per figure
    if memo is not None and "flag_index" in memo:
        kept: quality.FlagIndex = memo["flag_index"]
        return kept
    f = _filters.filters()
    index = _index(
        str(_db.db_path()), _db.version(), f["year"], f["month"], f["regency"], _session.lang(), _auth.current()
    )
    if memo is not None:
        memo["flag_index"] = index
    return index


def reason(
    level: str, unit_code: str, indicator: str | None = None, index: quality.FlagIndex | None = None, limit: int = 3
) -> str | None:
    """The hover text for one figure: its findings' messages (most severe first), or None when clean."""
    texts = (current_index() if index is None else index).reasons(level, unit_code, indicator)
    if not texts:
        return None
    more = f" {tr('quality.flag.more', n=len(texts) - limit)}" if len(texts) > limit else ""
    return " · ".join(texts[:limit]) + more


def cell(why: str | None) -> str:
    """The marker column placed right after a coverage figure: ⚠ and the reason, or empty when clean."""
    return f"⚠ {why}" if why else ""


def mark_heatmap(fig: go.Figure, snap: pd.DataFrame, codes: list[str]) -> None:
    """Mark a units × indicators status heatmap (charts.status_heatmap): ⚠ after each flagged cell's value
    and the finding in its hover text."""
    trace = fig.data[0]
    names = dict(zip(snap["unit_name"], snap["unit_code"]))
    index = current_index()
    text = [list(row) for row in trace.text]
    hover = [list(row) for row in trace.customdata]
    for i, unit_name in enumerate(trace.y):
        unit = names.get(unit_name)
        for j, code in enumerate(codes):
            why = reason("puskesmas", unit, code, index) if unit else None
            if why:
                text[i][j] = f"{text[i][j]} ⚠"
                hover[i][j] = f"{hover[i][j]} · ⚠ {why}"
    trace.update(text=text, customdata=hover)


def column() -> dict[str, Any]:
    """column_config for the marker column: narrow, so the figures after it stay in view; the full reason
    shows when the cell is hovered or widened."""
    return {tr("quality.flag.column"): st.column_config.TextColumn(width="small", help=tr("quality.flag.caption"))}
