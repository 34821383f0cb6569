"""How the pages show figures: status and PWS names and colours, table heights, and Plotly charts with
the image-download button (PNG or SVG, picked in the sidebar). Streamlit-only glue."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar, cast

import pandas as pd
import streamlit as st

from ilp_metrics.figures.projector import enlarge
from pages import _db, _projector, _session

IMAGE_FORMATS = ("png", "svg")

K = TypeVar("K", bound=Hashable)


def labels_of(names: Mapping[K, str]) -> Callable[[K], str]:
    """A widget's format_func over the keys of `names`. Streamlit keeps a choice across reruns by its label
    and asks format_func for the label of the kept value: a value kept from the other language is not a key,
    gets no label (None), matches no option, and the widget falls back to its default. Echoing the value
    back instead would hand the page a label where it expects a code."""

    def label(key: K) -> str:
        return cast(str, names.get(key))

    return label


def chart_config(name: str) -> dict[str, Any]:
    """st.plotly_chart config: the modebar's camera icon downloads the chart as PNG (2× for slides) or
    SVG, in the browser, without a server-side renderer; the file is named after the chart."""
    fmt = st.session_state.get("w_chart_format", "png")
    fmt = fmt if fmt in IMAGE_FORMATS else "png"
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:80] or "grafik"
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": fmt, "filename": slug, "scale": 2 if fmt == "png" else 1},
    }


def chart(fig: Any, name: str | None = None, **kwargs: Any) -> Any:
    """st.plotly_chart with the image-download config (PNG or SVG, from the sidebar setting); the file
    is named after the chart's title unless `name` is given."""
    if name is None:
        title = fig.layout.title.text or "grafik"
        name = re.sub(r"<[^>]+>", " ", title)
    kwargs.setdefault("width", "stretch")
    if _projector.is_on():  # large type for the back of the hall
        fig = enlarge(fig)
    if fig.layout.modebar.orientation != "v":  # cached figures are shared: set once, not on every render
        fig.update_layout(modebar_orientation="v")  # down the right edge, never over the title on the left
    return st.plotly_chart(fig, config=chart_config(name), **kwargs)


def chart_format_picker() -> None:
    st.sidebar.radio(
        _session.tr("charts.image_format"),
        IMAGE_FORMATS,
        key="w_chart_format",
        horizontal=True,
        format_func=str.upper,
        help=_session.tr("charts.image_format_help"),
    )


def status_name(code: str) -> str:
    return _db.catalogue().status.level(code).name.get(_session.lang())


def pws_name(code: Any) -> str:
    if not isinstance(code, str):
        return "–"
    return next(r for r in _db.catalogue().status.pws if r.code == code).name.get(_session.lang())


def trend_name(code: Any) -> str:
    return _session.tr(f"trend.{code}") if isinstance(code, str) else "–"


def styled(frame: pd.DataFrame, colours: dict[str, list[str | None]]) -> Any:
    """A Styler that paints the named columns' cells with the given colours (status or PWS colours,
    from the catalogue); the text stays, so colour is never the only signal."""

    def paint(column: pd.Series) -> list[str]:
        codes = colours.get(column.name)
        if codes is None:
            return [""] * len(column)
        return [
            f"background-color: {c}; color: {'#000000' if _light(c) else '#FFFFFF'}; font-weight: 600" if c else ""
            for c in codes
        ]

    return frame.style.apply(paint, axis=0)


def _light(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b > 150


def status_colours(codes: Any) -> list[str | None]:
    return [_db.catalogue().status.colour(c) for c in codes]


def pws_colours(codes: Any) -> list[str | None]:
    palette = {r.code: r.colour for r in _db.catalogue().status.pws}
    return [palette.get(c) if isinstance(c, str) else None for c in codes]


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe (no inner scrolling on a projector)."""
    return 38 + 35 * max(rows, 1) + 2
