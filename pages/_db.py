"""The database a session reads: one DuckDB connection per process, a cursor per call.

* One connection per process (st.cache_resource): DuckDB connections are not shared across threads,
  cursors are cheap and safe across sessions.
* `version()` (the database's data_version) keys every cached figure (pages/_cache.py): an upload or a
  withdrawal bumps it and invalidates them at once.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import streamlit as st

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import default_db_path
from ilp_metrics.core.db import connect, data_version, init_schema, is_initialised, upgrade_schema
from ilp_metrics.security.accounts import auth_mode as _auth_mode

_LOCK = threading.Lock()


def db_path() -> Path:
    return Path(default_db_path())


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    if not is_initialised(con):
        init_schema(con)
    else:
        upgrade_schema(con)  # tables added since the file was made (accounts, audit trail)
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the process's connection (a fresh one per call: safe across sessions/threads)."""
    with _LOCK:
        return _connection(str(db_path())).cursor()


def database_exists() -> bool:
    return db_path().is_file()


def version() -> int:
    return data_version(cursor())


def catalogue() -> Catalogue:
    return load_catalogue()


def auth_mode() -> str:
    """demo, local or oidc (ILP_AUTH, docs/security.md); asked without creating a missing database file
    (the pages then say how to create one)."""
    return _auth_mode(cursor() if database_exists() else None)
