"""The database a session reads: held by this process only while a page run needs it, a cursor per call.

* The command line runs beside the dashboard (`ingest`, `backup`, `export`, `users` …), and DuckDB lets
  one process at a time hold a file read-write. So the process opens its connection when the first of
  its running page runs needs it (`held()`, around every run in dashboard.py and around every export
  download) and closes it ILP_DB_LINGER_SECONDS after the last one ends, so that a user clicking through
  filters does not pay for opening the file on every run. A command waiting for the file leaves a marker
  beside it (core.db.wait_marker): an idle connection is then closed within 0.1 s (`_close_idle`), and no
  new run opens the file until the command has had its turn (bounded by ILP_DB_LOCK_WAIT_SECONDS), so a
  busy dashboard cannot starve it.
* Opening costs about 40 ms on the full demo database (docs/security.md); the figure sets are cached
  (pages/_cache.py) keyed on `version()`, the database's data_version, which every upload, withdrawal
  and CLI ingest bumps: the next run after a CLI ingest shows the new data.
* A page that only reads asks for one data version per run (`reading_only()`, from _filters.require_data):
  its figures then come from one version even if an upload commits meanwhile, and the version query runs
  once instead of once per figure (40–60 times a run). `run_memo()` holds such per-run values.
* Cursors are cheap and safe across sessions and threads; every one still in use is closed with the
  connection (the others went with the garbage).
* Opening refuses a pseudonymisation key that is not the database's (pseudonym.KeyProblem): every page
  then shows what happened and how to recover, and nothing is read or written. A missing key does not stop
  the figures (they need no key); the upload page refuses to load data without it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import default_db_path, secret_path_for, setting
from ilp_metrics.core.db import (
    DatabaseBusy,
    connect_waiting,
    data_version,
    init_schema,
    is_initialised,
    other_process_waiting,
    upgrade_schema,
)
from ilp_metrics.core.pseudonym import KeyProblem, check_secret, read_secret
from ilp_metrics.metrics import tallies
from ilp_metrics.quality import kept
from ilp_metrics.security.accounts import auth_mode as _auth_mode

_LOCK = threading.Condition()


@dataclass
class _Hold:
    """The process's connection to one file, and how many runs are using it."""

    con: duckdb.DuckDBPyConnection | None = None
    runs: int = 0
    idle_since: float = 0.0  # time.monotonic() when the last run ended
    cursors: list[weakref.ref[duckdb.DuckDBPyConnection]] = field(default_factory=list)  # closed with it


_HOLDS: dict[str, _Hold] = {}
_CLOSER: list[threading.Thread] = []  # the thread closing idle connections, while one is open
IDLE_POLL_SECONDS = 0.1
_UPGRADED: set[str] = set()  # files whose schema this process has brought up to date


def db_path() -> Path:
    return Path(default_db_path())


def _open(path: str) -> duckdb.DuckDBPyConnection:
    con = connect_waiting(path, announce=False)
    if path not in _UPGRADED:
        if not is_initialised(con):
            init_schema(con)
        else:
            upgrade_schema(con)  # tables added since the file was made (accounts, audit trail)
            tallies.ensure_current(con)  # a file made before the tallies: counted once, here
        kept.ensure_current(con)  # its data-quality findings, made once (after the tallies, which they read)
        _UPGRADED.add(path)
    key_file = secret_path_for(path)
    key = read_secret(key_file)
    try:
        if key is not None:
            check_secret(con, key, path=key_file)
    except KeyProblem:
        con.close()
        raise
    return con


def _close(hold: _Hold) -> None:
    for ref in hold.cursors:
        cur = ref()
        if cur is not None:
            cur.close()
    if hold.con is not None:
        hold.con.close()
    hold.con, hold.cursors = None, []


def _yield_to_waiting_command(path: str, hold: _Hold) -> None:
    """Before a new run joins: while a command waits for the file, wait until it has had its turn."""
    deadline = time.monotonic() + float(setting("db_lock_wait_seconds"))
    while other_process_waiting(path) and time.monotonic() < deadline:
        if hold.runs == 0 and hold.con is not None:
            _close(hold)
        _LOCK.wait(timeout=0.1)


def _close_idle() -> None:
    """Close each connection no run uses once it has lingered long enough, or at once when a command
    waits for its file; the thread ends when no connection is left open (the next linger starts another)."""
    with _LOCK:
        while True:
            linger = float(setting("db_linger_seconds"))
            open_ = False
            for path, hold in _HOLDS.items():
                if hold.con is None:
                    continue
                if hold.runs == 0 and (time.monotonic() - hold.idle_since >= linger or other_process_waiting(path)):
                    try:
                        _close(hold)
                    except duckdb.Error:  # a cursor still busy (used outside a run): at the next poll
                        open_ = True
                else:
                    open_ = True
            if not open_:
                _CLOSER.clear()
                return
            _LOCK.wait(timeout=IDLE_POLL_SECONDS)


def _linger(hold: _Hold) -> None:
    """The last run ended (called holding _LOCK): close now, or let `_close_idle` close it later."""
    hold.idle_since = time.monotonic()
    if float(setting("db_linger_seconds")) <= 0:
        _close(hold)
    elif not _CLOSER:
        _CLOSER.append(threading.Thread(target=_close_idle, name="ilp-db-linger", daemon=True))
        _CLOSER[0].start()


# This run's memo (see reading_only); None outside a held run, {} until the page says it only reads.
_RUN: ContextVar[dict[str, Any] | None] = ContextVar("ilp_run_memo", default=None)


@contextmanager
def held() -> Iterator[None]:
    """One page run (or export download) using the database; the file is closed once the last one out has
    lingered (`_linger`)."""
    path = str(db_path())
    with _LOCK:
        hold = _HOLDS.setdefault(path, _Hold())
        _yield_to_waiting_command(path, hold)
        hold.runs += 1
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)
        with _LOCK:
            hold.runs -= 1
            if hold.runs == 0:
                _linger(hold)
            _LOCK.notify_all()


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the process's connection, opened if no run holds it yet (a page run on its own, as
    page tests do: then the next run's end closes it). DatabaseBusy if another process kept the file
    for the whole wait."""
    path = str(db_path())
    with _LOCK:
        hold = _HOLDS.setdefault(path, _Hold())
        if hold.con is None:
            try:
                hold.con = _open(path)
            except KeyProblem as problem:
                lang = st.session_state.get("lang")
                st.error(problem.message(lang if lang in ("id", "en") else "id"), icon=":material/key_off:")
                st.stop()
        if hold.runs == 0:  # used outside a run (a page file run alone): it is not idle
            hold.idle_since = time.monotonic()
        cur = hold.con.cursor()
        hold.cursors = [ref for ref in hold.cursors if ref() is not None]
        hold.cursors.append(weakref.ref(cur))
        return cur


def database_exists() -> bool:
    return db_path().is_file()


def reading_only() -> None:
    """The rest of this run only reads: from here on `run_memo()` keeps values for the run."""
    memo = _RUN.get()
    if memo is not None:
        memo["reading_only"] = True


def run_memo() -> dict[str, Any] | None:
    """Values kept for the rest of this run by a page that only reads (reading_only); None otherwise, so a
    page that writes (an upload, a withdrawal) always reads the version its write left."""
    memo = _RUN.get()
    return memo if memo is not None and memo.get("reading_only") else None


def version() -> int:
    memo = run_memo()
    if memo is None:
        return data_version(cursor())
    if "version" not in memo:
        memo["version"] = data_version(cursor())
    return int(memo["version"])


def catalogue() -> Catalogue:
    return load_catalogue()


def auth_mode() -> str:
    """demo, local or oidc (ILP_AUTH, docs/security.md); asked without creating a missing database file
    (the pages then say how to create one)."""
    return _auth_mode(cursor() if database_exists() else None)


__all__ = [
    "DatabaseBusy",
    "auth_mode",
    "catalogue",
    "cursor",
    "database_exists",
    "db_path",
    "held",
    "reading_only",
    "run_memo",
    "version",
]
