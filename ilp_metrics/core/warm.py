"""At server start, before anyone asks: import what the pages' runs need and read the catalogues.

A fresh server's first page run used to import pandas, Plotly, the metrics, the quality checks and the
export modules and parse the catalogues (about 2 s with bytecode, 7 s without); the first visitor waited
for all of it. Streamlit imports the app file once when the server starts, and that is when a background
thread does this work, while the server comes up and the browser loads the app. A page run that needs a
module still being imported waits for that import only (Python's import lock).
"""

from __future__ import annotations

import importlib
import threading

# The library modules the pages import (tests/test_warm.py keeps the list complete); the heaviest
# third-party packages come with them (pandas, numpy, plotly.graph_objects, fpdf).
MODULES = (
    "ilp_metrics.metrics.annual",
    "ilp_metrics.metrics.overview",
    "ilp_metrics.metrics.cluster",
    "ilp_metrics.metrics.puskesmas",
    "ilp_metrics.metrics.desa",
    "ilp_metrics.metrics.compare",
    "ilp_metrics.metrics.geo",
    "ilp_metrics.metrics.outlines",
    "ilp_metrics.quality",
    "ilp_metrics.figures.charts",
    "ilp_metrics.figures.compare",
    "ilp_metrics.figures.compare_words",
    "ilp_metrics.figures.quality",
    "ilp_metrics.figures.slides",
    "ilp_metrics.export.facts",
    "ilp_metrics.export.desa_pdf",
    "ilp_metrics.export.pdf_render",
    "ilp_metrics.export.safe_cells",
    "ilp_metrics.ingest.history",
    "ilp_metrics.ingest.recap",
    "ilp_metrics.security.accounts",
    "ilp_metrics.security.backup",
    "ilp_metrics.security.sessions",
    "plotly.graph_objects",
    "plotly.io",
    "pandas.io.formats.style",  # the pages' coloured tables (pandas' Styler, with jinja2)
)

_STARTED = threading.Event()


def warm() -> None:
    """Import MODULES and load the indicator and message catalogues (both cached per process)."""
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.i18n import load_messages

    load_messages()
    load_catalogue()
    for name in MODULES:
        importlib.import_module(name)
    _draw_one_of_each()
    _fill_inspects_module_cache()


def _fill_inspects_module_cache() -> None:
    """Streamlit's first element of a process asks whether it runs in a REPL (`inspect.stack()`), and the
    first `inspect.getmodule` walks every loaded module (0.1–0.25 s once all the above is imported);
    asked here, the first page run finds inspect's cache filled."""
    import inspect

    inspect.stack()


def _draw_one_of_each() -> None:
    """Build and serialise a small figure with the trace types and layout parts the charts use: Plotly
    imports each layout part's class, and its pandas path (narwhals), the first time one is set, which a
    first page run would otherwise pay for (0.2–0.4 s)."""
    import pandas as pd
    import plotly.graph_objects as go
    import plotly.io as pio
    import pyarrow as pa

    from ilp_metrics.figures import compare

    x, y = pd.Series([1, 2]), pd.Series([1.0, 2.0])
    fig = go.Figure(
        [
            go.Scatter(x=x, y=y, line={"dash": "dot"}, text=["-", "-"], textfont={"size": 12}),
            go.Bar(x=x, y=y, marker={"color": "#000000"}, textfont={"size": 12}),
            go.Heatmap(z=[[1, 2]]),
        ]
    )
    fig.update_layout(
        title={"text": "-", "font": {"size": 12}},
        xaxis={"title": {"text": "-"}, "tickfont": {"size": 12}},
        yaxis={"title": {"text": "-"}, "range": [0, 1]},
        legend={"orientation": "h", "font": {"size": 12}},
        margin={"t": 1, "b": 1},
        font={"size": 12},
        hoverlabel={"font": {"size": 12}},
        modebar={"orientation": "v"},
        annotations=[{"text": "-", "font": {"size": 12}}],
        shapes=[{"type": "line", "line": {"dash": "dot"}}],
        barmode="group",
    )
    fig.add_hline(y=0.5, annotation_text="-")
    fig.add_vline(x=1)
    pio.to_json(fig)
    compare.two_row_grid()  # make_subplots, which imports every layout part (kept per process)
    pa.Table.from_pandas(pd.DataFrame({"a": x}))  # how Streamlit sends a table (pyarrow's pandas path)


def start_warming() -> None:
    """Run `warm` once per process in a daemon thread (it never holds the server back from stopping)."""
    if _STARTED.is_set():
        return
    _STARTED.set()
    threading.Thread(target=warm, name="ilp-warm", daemon=True).start()
