"""In the browser, the chart library loads at the start of a run, from the app's own server, unseen: a page
without charts (the dictionary) has fetched Plotly's component all the same, and the preload takes no room."""

from __future__ import annotations

import pytest

from pages import _preload

from .helpers import assert_no_exception, open_page

pytestmark = pytest.mark.e2e


def test_a_page_without_charts_has_the_chart_library_loaded_for_the_next_page(page, server):
    open_page(page, server, "kamus", kabupaten="73.09")
    assert_no_exception(page)
    assert page.locator(".js-plotly-plot").count() == 0
    file = _preload.component_file()
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert any(name.endswith(f"/static/js/{file}") and name.startswith(server) for name in fetched), fetched[-5:]
    assert page.evaluate("() => window.__ilpChartLibrary.then(m => m !== null)")


def test_the_preload_takes_no_room_on_the_page(page, server):
    open_page(page, server, "", kabupaten="73.09")
    box = page.locator(f".st-key-{_preload.KEY}")
    assert box.count() == 1 and not box.is_visible()
