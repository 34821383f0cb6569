"""The chart library's preload (pages/_preload.py): Plotly's component of the installed Streamlit, one file
imported by a fixed script from the app's own server, sent first in every run and hidden."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from pages import _preload

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_streamlit_has_exactly_one_plotly_component_to_preload():
    _preload.component_file.cache_clear()
    file = _preload.component_file()
    assert file is not None and file.startswith("PlotlyChart.") and file.endswith(".js")
    assert (_preload.STATIC_JS / file).stat().st_size > 1_000_000  # the whole of plotly.js


def test_no_component_or_several_means_nothing_is_preloaded(tmp_path):
    assert _preload.component_file.__wrapped__(tmp_path) is None
    (tmp_path / "PlotlyChart.a1.js").write_text("")
    (tmp_path / "PlotlyChart.b2.js").write_text("")
    assert _preload.component_file.__wrapped__(tmp_path) is None


def test_the_script_imports_the_file_beside_streamlits_entry_and_nothing_else():
    html = _preload.script("PlotlyChart.x1.js")
    assert 'import(new URL("./PlotlyChart.x1.js", entry.src).href)' in html
    assert "http" not in html and html.count("import(") == 1
    assert f".st-key-{_preload.KEY} {{ display: none; }}" in html


def test_every_run_sends_the_preload_first_even_before_the_sign_in(monkeypatch, tmp_path):
    monkeypatch.setenv("ILP_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    first = at.main.children[0]
    assert getattr(first, "key", None) == _preload.KEY
    html = first.children[0]
    assert html.proto.unsafe_allow_javascript and _preload.component_file() in html.proto.body
