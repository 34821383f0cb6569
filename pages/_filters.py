"""The shared filters (kabupaten, year, month to date), drawn in the sidebar by dashboard.py and kept
in st.session_state and in the URL's query string, so they carry across pages and a view can be
shared by link; and the entry every page makes (`require_data`, `ensure_dashboard`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from ilp_metrics.core.formatting import fmt_datetime, fmt_int, month_name
from ilp_metrics.metrics.registry import Registry
from ilp_metrics.security.scope import Principal
from pages import _cache, _db, _session

# ------------------------------------------------------------------ entry


def ensure_dashboard(page_file: str) -> None:
    """Make sure dashboard.py (navigation, language, filters) runs the page.

    The pages live in `pages/` (the layout the users fixed), so a fresh server runs a link such as
    /klaster the way Streamlit runs a `pages/` folder: the page file alone, without the dashboard's
    sidebar. Asking for st.navigation — here hidden, with this page only, so the address stays — is the
    documented way to leave that mode (an app using st.navigation ignores `pages/`); the rerun then runs
    dashboard.py, which draws its navigation and runs this page. The session flag stops a loop where the
    page runs on its own on purpose (tests of a single page).
    """
    if st.session_state.get(_session.KEY_IN_DASHBOARD) or st.session_state.get(_session.KEY_TO_DASHBOARD):
        return
    st.session_state[_session.KEY_TO_DASHBOARD] = True
    # The page is not the navigation's default (the default answers at "/", not at the page's address).
    st.navigation(
        [st.Page(_rerun_only, title="…", default=True), st.Page(Path(page_file).resolve())], position="hidden"
    )
    st.rerun()


def _rerun_only() -> None:
    """The default entry of ensure_dashboard's navigation; never runs (the page reruns at once)."""


def require_data(page_file: str) -> dict[str, Any]:
    """Stop the page with a friendly message when there is no database or no data; else the filters."""
    ensure_dashboard(page_file)
    _db.reading_only()  # the analysis pages never write: one data version for the run
    if not _db.database_exists():
        st.warning(_session.tr("app.no_database", path=str(_db.db_path())))
        st.stop()
    f = filters()
    if not f["regency"] or not f["year"]:
        st.info(_session.tr("filter.no_data"))
        st.stop()
    return f


# ------------------------------------------------------------------ the URL


def query_int(name: str) -> int | None:
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


# ------------------------------------------------------------------ the filters


def filters() -> dict[str, Any]:
    """The shared filters as set in the sidebar: regency, year, month (to date)."""
    return {
        "regency": st.session_state.get("f_regency"),
        "year": st.session_state.get("f_year"),
        "month": st.session_state.get("f_month"),
    }


def current_registry(who: Principal | None = None) -> Registry:
    return _cache.sidebar_registry(str(_db.db_path()), _db.version(), who or _session.principal_or_anonymous())


def regency_name(code: str | None) -> str:
    if not code:
        return ""
    names = current_registry().regencies
    hit = names[names["code"] == code]
    return str(hit.iloc[0]["name"]).title() if len(hit) else code


def regency_names(who: Principal | None = None) -> dict[str, str]:
    """The kabupaten/kota the principal may see, code -> name as the pickers show it."""
    regs = current_registry(who).regencies
    return dict(zip(regs["code"], regs["name"].str.title()))


def indicator_pick(label: str, codes: list[str], key: str) -> str:
    """An indicator picker that starts from the link's `?indikator=` and writes its choice back, so a shared
    link opens on the same indicator."""
    cat, lang = _db.catalogue(), _session.lang()
    wanted = st.query_params.get("indikator")
    pick: str = st.selectbox(
        label,
        codes,
        index=codes.index(wanted) if wanted in codes else 0,
        format_func=lambda c: cat.indicator(c).short_name.get(lang),
        key=key,
    )
    set_query(indikator=pick)
    return pick


def area_name() -> str:
    return regency_name(filters()["regency"])


def month_label(month: int, year: int) -> str:
    return f"{month_name(month, _session.lang())} {year}"


def period_label() -> str:
    f = filters()
    lang = _session.lang()
    return f"{month_name(1, lang, short=True)}–{month_name(f['month'], lang, short=True)} {f['year']}"


# ------------------------------------------------------------------ sidebar (rendered by dashboard.py)


def _pick(options: list[Any], wanted: Any, fallback: Any) -> Any:
    return wanted if wanted in options else fallback


def sidebar(who: Principal) -> None:
    """Kabupaten, year and month-to-date pickers, synced with the URL, plus where the figures come from."""
    if not _db.database_exists():
        return
    tr = _session.tr
    reg = current_registry(who)
    regs = reg.regencies
    if regs.empty:
        st.sidebar.info(tr("filter.no_registry"))
        return
    codes = list(regs["code"])
    names = regency_names(who)
    wanted = st.session_state.get("f_regency") or st.query_params.get("kabupaten")
    regency = st.sidebar.selectbox(
        tr("filter.regency"),
        codes,
        index=codes.index(_pick(codes, wanted, codes[0])),
        format_func=lambda c: names[c],
        key="w_regency",
    )
    months = reg.data_months
    mine = months[months["regency_code"] == regency]
    if mine.empty:  # a registry without any service data yet: nothing to pick
        st.session_state.update(f_regency=regency, f_year=None, f_month=None)
        set_query(kabupaten=regency, tahun=None, bulan=None)
        st.sidebar.info(tr("filter.no_data"))
        return
    years = sorted(mine["year"].astype(int).tolist(), reverse=True)
    wanted_year = st.session_state.get("f_year") or query_int("tahun")
    year = st.sidebar.selectbox(
        tr("filter.year"), years, index=years.index(_pick(years, wanted_year, years[0])), key="w_year"
    )
    last = mine.loc[mine["year"] == year, "last_month"]
    last_month = int(last.iloc[0]) if len(last) else 12
    month_options = list(range(1, last_month + 1))
    labels = {m: month_label(m, year) for m in month_options}  # in this run's language, not at display time
    wanted_month = query_int("bulan") if st.session_state.get("f_year") != year else st.session_state.get("f_month")
    month = st.sidebar.selectbox(
        tr("filter.month"),
        month_options,
        index=month_options.index(_pick(month_options, wanted_month, last_month)),
        format_func=labels.__getitem__,
        key=f"w_month_{year}",
    )
    st.session_state.update(f_regency=regency, f_year=year, f_month=month)
    set_query(kabupaten=regency, tahun=year, bulan=month)
    st.sidebar.caption(
        tr(
            "filter.provenance",
            uploads=fmt_int(reg.uploads.active_uploads, _session.lang()),
            when=fmt_datetime(reg.uploads.last_upload, _session.lang()),
            db=_db.db_path().name,
        )
    )
