"""Start loading the browser's chart library while the server is still counting.

Streamlit's frontend loads its Plotly component (one 4.7 MB script) only when the first chart of a page
arrives, and our pages send their charts after their figures are counted. A new tab then waits for the
count, and after it for the browser to evaluate Plotly: 1.1–1.8 s of one long task on a 2-core machine,
the largest single part of a first view. Importing the same module at the top of the run lets the browser
evaluate it during the count; when the first chart arrives, Streamlit's own import of the same URL finds
the module already there (one module per URL in the page).

The script is the only JavaScript the dashboard sends, a fixed text with the component's file name from
the installed Streamlit; it loads a file of the same server only (the app stays offline).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

KEY = "ilp_chart_library"
STATIC_JS = Path(st.__file__).resolve().parent / "static" / "static" / "js"

# The file name is resolved against the URL of Streamlit's own entry script, so it follows any base path.
_SCRIPT = """<style>.st-key-{key} {{ display: none; }}</style>
<script>
(() => {{
  if (window.__ilpChartLibrary) return;
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) return;
  window.__ilpChartLibrary = import(new URL("./{file}", entry.src).href).catch(() => null);
}})();
</script>"""


@cache
def component_file(folder: Path = STATIC_JS) -> str | None:
    """The file name of Streamlit's Plotly component (`PlotlyChart.<hash>.js`), or None when the installed
    Streamlit has none or several (then nothing is preloaded and charts load as before)."""
    found = sorted(p.name for p in folder.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


def script(file: str) -> str:
    """The HTML sent: a hidden container's rule and the import of `file`, once per browser tab."""
    return _SCRIPT.format(key=KEY, file=file)


def chart_library() -> None:
    """Send the preload, in a container hidden by its own rule, on every page: pages change within the
    browser tab, so a tab that opens on the sign-in or the upload page has Plotly ready for the charts
    that follow."""
    file = component_file()
    if file is None:
        return
    with st.container(key=KEY):
        st.html(script(file), unsafe_allow_javascript=True)
