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


def reason(
    level: str, unit_code: str, indicator: str | None = None, flag_frame: pd.DataFrame | None = None, limit: int = 3
) -> str | None:
    """The hover text for one figure: its findings' messages (most severe first), or None when clean."""
    hit = quality.flags_for(current_flags() if flag_frame is None else flag_frame, level, unit_code, indicator)
    if hit.empty:
        return None
    texts = list(dict.fromkeys(hit["reason"]))
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
    flag_frame = current_flags()
    text = [list(row) for row in trace.text]
    hover = [list(row) for row in trace.customdata]
    for i, unit_name in enumerate(trace.y):
        unit = names.get(unit_name)
        for j, code in enumerate(codes):
            why = reason("puskesmas", unit, code, flag_frame) if unit else None
            if why:
                text[i][j] = f"{text[i][j]} ⚠"
                hover[i][j] = f"{hover[i][j]} · ⚠ {why}"
    trace.update(text=text, customdata=hover)


def column() -> dict[str, Any]:
    """column_config for the marker column: narrow, so the figures after it stay in view; the full reason
    shows when the cell is hovered or widened."""
    return {tr("quality.flag.column"): st.column_config.TextColumn(width="small", help=tr("quality.flag.caption"))}
