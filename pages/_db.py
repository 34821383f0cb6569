"""The database a session reads: one DuckDB connection per process, a cursor per call.

* One connection per process (st.cache_resource): DuckDB connections are not shared across threads,
  cursors are cheap and safe across sessions.
* `version()` (the database's data_version) keys every cached figure (pages/_cache.py): an upload or a
  withdrawal bumps it and invalidates them at once.
* Start-up refuses a pseudonymisation key that is not the database's (pseudonym.KeyProblem): every page
  then shows what happened and how to recover, and nothing is read or written. A missing key does not stop
  the figures (they need no key); the upload page refuses to load data without it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import streamlit as st

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import default_db_path, secret_path_for
from ilp_metrics.core.db import connect, data_version, init_schema, is_initialised, upgrade_schema
from ilp_metrics.core.pseudonym import KeyProblem, check_secret, read_secret
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
    key_file = secret_path_for(path)
    key = read_secret(key_file)
    try:
        if key is not None:
            check_secret(con, key, path=key_file)
    except KeyProblem:
        con.close()
        raise
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the process's connection (a fresh one per call: safe across sessions/threads)."""
    with _LOCK:
        try:
            return _connection(str(db_path())).cursor()
        except KeyProblem as problem:
            lang = st.session_state.get("lang")
            st.error(problem.message(lang if lang in ("id", "en") else "id"), icon=":material/key_off:")
            st.stop()


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
