"""The app's entry: a friendly answer without a database or without data, and a complete message catalogue."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ilp_metrics.core.i18n import LANGUAGES, load_messages

ROOT = Path(__file__).resolve().parent.parent


def _app(monkeypatch, db: Path, lang: str = "id") -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = lang
    return at.run()


def test_missing_database_gives_a_friendly_message(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "none.duckdb")
    assert not at.exception
    assert "python -m ilp_metrics demo" in at.warning[0].value


def test_a_registry_without_data_says_what_to_upload(monkeypatch, db_path):
    for lang, words in (("id", "Unggah data"), ("en", "Upload data")):
        at = _app(monkeypatch, db_path, lang)
        assert not at.exception
        assert any(words in i.value for i in at.info)


def test_every_message_exists_in_both_languages():
    messages = load_messages()  # raises on a missing language or a key defined twice
    assert all(set(LANGUAGES) <= set(entry) for entry in messages.values())
    assert len(messages) > 200
