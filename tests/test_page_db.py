"""pages/_db.py: one data version per run of a page that only reads, and never a kept version for a page
that writes; the connection kept open between runs for ILP_DB_LINGER_SECONDS, and closed at once for a
command that waits for the file (on a copy of the hand-checked coverage fixture; no Streamlit run needed)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ilp_metrics.core.db import bump_data_version, wait_marker
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


# ------------------------------------------------------------------ the connection lingers between runs


def _hold(db: Path) -> _db._Hold:
    return _db._HOLDS[str(db)]


def _closed_within(db: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with _db._LOCK:
            if _hold(db).con is None:
                return True
        time.sleep(0.02)
    return False


def test_the_next_run_within_the_linger_reuses_the_open_connection(app_db, monkeypatch):
    monkeypatch.setenv("ILP_DB_LINGER_SECONDS", "30")
    with _db.held():
        _db.cursor()
        first = _hold(app_db).con
    with _db.held():
        _db.cursor()
        assert _hold(app_db).con is first
    _db._close(_hold(app_db))


def test_without_a_linger_the_last_run_closes_the_file(app_db, monkeypatch):
    monkeypatch.setenv("ILP_DB_LINGER_SECONDS", "0")
    with _db.held():
        _db.cursor()
    assert _hold(app_db).con is None


def test_an_idle_connection_is_closed_once_its_linger_has_passed(app_db, monkeypatch):
    monkeypatch.setenv("ILP_DB_LINGER_SECONDS", "0.2")
    with _db.held():
        _db.cursor()
    assert _hold(app_db).con is not None
    assert _closed_within(app_db, 5)


def test_a_command_waiting_for_the_file_has_the_idle_connection_closed_at_once(app_db, monkeypatch):
    monkeypatch.setenv("ILP_DB_LINGER_SECONDS", "600")
    with _db.held():
        _db.cursor()
    marker = wait_marker(app_db)
    partial = marker.with_name(marker.name + ".partial")  # as a command writes it: whole, then renamed
    partial.write_text(str(os.getppid()), encoding="ascii")  # a live process other than this one
    partial.replace(marker)
    try:
        assert _closed_within(app_db, 5)
    finally:
        marker.unlink()
