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


def start_warming() -> None:
    """Run `warm` once per process in a daemon thread (it never holds the server back from stopping)."""
    if _STARTED.is_set():
        return
    _STARTED.set()
    threading.Thread(target=warm, name="ilp-warm", daemon=True).start()
