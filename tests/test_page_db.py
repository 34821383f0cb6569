"""pages/_db.py: one data version per run of a page that only reads, and never a kept version for a page
that writes (on a copy of the hand-checked coverage fixture; no Streamlit run needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ilp_metrics.core.db import bump_data_version
from pages import _db


@pytest.fixture
def app_db(monkeypatch, fixture_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    monkeypatch.setenv("ILP_DB", str(db))
    return db


def test_a_reading_page_sees_one_data_version_for_its_whole_run(app_db):
    with _db.held():
        _db.reading_only()
        first = _db.version()
        bump_data_version(_db.cursor())  # an upload committed by another session meanwhile
        assert _db.version() == first


def test_the_next_run_sees_the_new_data_version(app_db):
    with _db.held():
        _db.reading_only()
        first = _db.version()
        bump_data_version(_db.cursor())
    with _db.held():
        _db.reading_only()
        assert _db.version() == first + 1


def test_a_page_that_writes_reads_the_version_its_write_left(app_db):
    with _db.held():
        first = _db.version()
        bump_data_version(_db.cursor())
        assert _db.version() == first + 1
        assert _db.run_memo() is None


def test_outside_a_run_nothing_is_kept(app_db):
    _db.reading_only()  # a page file run alone (a test of one page): no run memo to keep values in
    assert _db.run_memo() is None
