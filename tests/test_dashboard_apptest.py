"""The landing page renders on a real database in both languages, and explains a missing database."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _app(monkeypatch, db: Path, lang: str = "id") -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = lang
    return at.run()


def test_landing_page_shows_each_regency_with_its_puskesmas_count(monkeypatch, db_path):
    at = _app(monkeypatch, db_path)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Kabupaten Maros"]
    assert at.metric[0].label == "Puskesmas" and at.metric[0].value == "2"


def test_landing_page_speaks_english_on_request(monkeypatch, db_path):
    at = _app(monkeypatch, db_path, "en")
    assert not at.exception
    assert at.metric[1].label == "Puskesmas running ILP"


def test_missing_database_gives_a_friendly_message(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "none.duckdb")
    assert not at.exception
    assert "python -m ilp_metrics demo" in at.warning[0].value
