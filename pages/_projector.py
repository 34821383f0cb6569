"""Projector mode (issue 18): one switch in the sidebar, kept in the URL as `?proyektor=1`, that folds the
sidebar away and sets large type on every page — tables at 20 px as plain, wrapping tables that fit the
width of a 1280×720 projector, chart texts at 16 px and more (ilp_metrics.figures.projector).
Streamlit-only glue; the pages call `table` where they would call st.dataframe."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from pages import _session

KEY = "w_projector"
QUERY = "proyektor"
TABLE_FONT_PX = 20
MAX_COLUMNS = 9  # at 20 px, about 135 px a column on a 1280 px screen

# st.table is plain HTML, so CSS reaches it (st.dataframe draws on a canvas that CSS cannot enlarge).
_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding: 2.5rem 1rem 2rem 1rem; }}
[data-testid="stMain"] [data-testid="stMarkdown"] p,
[data-testid="stMain"] [data-testid="stMarkdown"] li {{ font-size: {TABLE_FONT_PX}px; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"] {{ font-size: 18px; }}
[data-testid="stMetricValue"] {{ font-size: 40px; }}
[data-testid="stMetricLabel"] p {{ font-size: {TABLE_FONT_PX}px; }}
[data-testid="stTable"] {{ overflow-x: hidden; }}
[data-testid="stTable"] table {{ width: 100%; table-layout: auto; font-size: {TABLE_FONT_PX}px; }}
[data-testid="stTable"] th, [data-testid="stTable"] td {{
  font-size: {TABLE_FONT_PX}px; white-space: normal; overflow-wrap: anywhere; padding: 0.25rem 0.4rem;
}}
[data-testid="stTable"] :is(td, th) [data-testid="stMarkdownContainer"],
[data-testid="stTable"] :is(td, th) [data-testid="stMarkdownContainer"] * {{
  white-space: normal; overflow-wrap: break-word;  /* over Streamlit's cell rule: a long file name wraps */
}}
</style>"""


def is_on() -> bool:
    """The switch's state, or the URL's on a first visit (a shared link opens in projector mode)."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    return st.query_params.get(QUERY) == "1"


def apply() -> None:
    """Fold the sidebar and enlarge the type when the mode is on. Called by dashboard.py before any page
    draws: a repeated st.set_page_config changes the sidebar's initial state for this run, and Streamlit
    folds a sidebar the reader has not opened or closed by hand in this browser."""
    on = is_on()
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    if on:
        st.html(_CSS)


def switch() -> None:
    """The sidebar's switch, kept in the URL like the other filters (pages/_filters.py)."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(QUERY) == "1"
    st.sidebar.toggle(_session.tr("projector.switch"), key=KEY, help=_session.tr("projector.help"))
    if st.session_state[KEY]:
        st.query_params[QUERY] = "1"
    else:
        st.query_params.pop(QUERY, None)


def table(data: Any, **kwargs: Any) -> Any:
    """st.dataframe, or in projector mode st.table at 20 px with wrapping cells (no horizontal scrolling);
    link columns show their display text there, as st.dataframe would, and a wide table is split
    by columns (`column_groups`)."""
    if not is_on():
        return st.dataframe(data, **kwargs)
    config = kwargs.get("column_config") or {}
    hide_index = kwargs.get("hide_index")
    if isinstance(data, Styler):  # the colours are computed when drawn, from the frame it holds
        data.data = _link_texts(data.data, config)
        return st.table(data, hide_index=hide_index)
    if not isinstance(data, pd.DataFrame):
        return st.table(data, hide_index=hide_index)
    shown = _link_texts(data, config)
    parts = column_groups(list(shown.columns))
    result = None
    for part in parts:  # a wide table as several, each led by its first column, one under the other
        result = st.table(shown[part], hide_index=hide_index)
    return result


def column_groups(columns: list[Any], most: int = MAX_COLUMNS) -> list[list[Any]]:
    """The columns in groups of at most `most`, each group led by the first column (the row's name), so
    that a wide table fits a projector's width as several narrower ones instead of scrolling sideways."""
    if len(columns) <= most:
        return [columns]
    lead, rest = columns[0], columns[1:]
    step = most - 1
    return [[lead, *rest[i : i + step]] for i in range(0, len(rest), step)]


def _link_texts(frame: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """Each link column's URLs replaced by the text its LinkColumn shows (the `display_text` pattern's group),
    and empty text cells left empty (st.table would print None where st.dataframe shows nothing)."""
    text_columns = [
        c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]
    out = (
        frame.assign(**{str(c): frame[c].where(frame[c].notna(), "") for c in text_columns}) if text_columns else frame
    )
    for column, spec in config.items():
        pattern = spec.get("type_config", {}).get("display_text") if isinstance(spec, dict) else None
        if column not in frame.columns or not isinstance(pattern, str) or "(" not in pattern:
            continue
        regex = re.compile(pattern)

        def text(value: Any, regex: re.Pattern[str] = regex) -> Any:
            hit = regex.search(value) if isinstance(value, str) else None
            return unquote_plus(hit.group(1)) if hit else value

        out = out.assign(**{column: out[column].map(text)})
    return out
