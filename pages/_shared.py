"""What every page shares: the database connection, the language, the filters and cached figures.

Streamlit-only glue. Pages import from here and from ilp_metrics; they hold no SQL and no rules.

* One DuckDB connection per process (st.cache_resource), a cursor per call: DuckDB connections
  are not shared across threads, cursors are cheap.
* Cached figures are keyed on the database file and its data_version, so an upload or a
  withdrawal (which bump the version) invalidates them at once.
* Filters (kabupaten, year, month to date) live in st.session_state and in the URL query string,
  so they carry across pages and a view can be shared by link.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.config import default_db_path
from ilp_metrics.db import connect, data_version, init_schema, is_initialised
from ilp_metrics.i18n import t

LANGS = ("id", "en")
_LOCK = threading.Lock()


# ------------------------------------------------------------------ language


def lang() -> str:
    value = st.session_state.get("lang") or st.query_params.get("lang", "id")
    return value if value in LANGS else "id"


def tr(key: str, **values: Any) -> str:
    """t() in the session's language."""
    return t(key, lang(), **values)


# ------------------------------------------------------------------ database


def db_path() -> Path:
    return Path(default_db_path())


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    con = connect(path)
    if not is_initialised(con):
        init_schema(con)
    return con


def cursor():
    """A cursor on the process's connection (a fresh one per call: safe across sessions/threads)."""
    with _LOCK:
        return _connection(str(db_path())).cursor()


def database_exists() -> bool:
    return db_path().is_file()


def version() -> int:
    return data_version(cursor())


def catalogue() -> Catalogue:
    return load_catalogue()


# ------------------------------------------------------------------ filters


def _query_int(name: str) -> int | None:
    try:
        return int(st.query_params.get(name, ""))
    except ValueError:
        return None


def set_query(**values: Any) -> None:
    for key, value in values.items():
        if value is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value)


def filters() -> dict[str, Any]:
    """The shared filters as set in the sidebar: regency, year, month (to date)."""
    return {"regency": st.session_state.get("f_regency"), "year": st.session_state.get("f_year"),
            "month": st.session_state.get("f_month")}


@st.cache_data(show_spinner=False, max_entries=64)
def regencies(path: str, ver: int) -> pd.DataFrame:
    return cursor().execute(
        """SELECT p.regency_code AS code, coalesce(r.name, p.regency_code) AS name, count(*) AS puskesmas
           FROM puskesmas p LEFT JOIN ref_regency r ON r.code = p.regency_code GROUP BY ALL ORDER BY code"""
    ).df()


@st.cache_data(show_spinner=False, max_entries=64)
def data_months(path: str, ver: int) -> pd.DataFrame:
    """Year and last month with data per regency (for the year and month pickers)."""
    return cursor().execute(
        """WITH m AS (
               SELECT p.regency_code, date_trunc('month', l.service_date) AS d
               FROM layanan l JOIN puskesmas p USING (puskesmas_code) GROUP BY ALL
               UNION SELECT p.regency_code, c.period FROM capaian c JOIN puskesmas p USING (puskesmas_code)
           )
           SELECT regency_code, year(d) AS year, max(month(d)) AS last_month FROM m GROUP BY ALL ORDER BY ALL"""
    ).df()


@st.cache_data(show_spinner=False, max_entries=64)
def upload_summary(path: str, ver: int) -> dict[str, Any]:
    row = cursor().execute(
        """SELECT count(*) FILTER (WHERE status = 'active'), max(uploaded_at) FILTER (WHERE status = 'active')
           FROM uploads"""
    ).fetchone()
    return {"active_uploads": int(row[0] or 0), "last_upload": row[1]}


def regency_name(code: str | None) -> str:
    if not code:
        return ""
    names = regencies(str(db_path()), version())
    hit = names[names["code"] == code]
    return str(hit.iloc[0]["name"]).title() if len(hit) else code


def month_label(month: int, year: int) -> str:
    from ilp_metrics.formatting import month_name

    return f"{month_name(month, lang())} {year}"


def today() -> date:
    return date.today()
