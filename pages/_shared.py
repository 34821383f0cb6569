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
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import default_db_path
from ilp_metrics.core.db import connect, data_version, init_schema, is_initialised, upgrade_schema
from ilp_metrics.core.i18n import t

LANGS = ("id", "en")
_LOCK = threading.Lock()


# ------------------------------------------------------------------ entry


def ensure_dashboard() -> None:
    """Make sure dashboard.py (navigation, language, filters) ran before the page.

    Because the project's pages live in `pages/` (the layout the users fixed), Streamlit treats every
    visit to /<page> the legacy way — running the page file alone — until some session has run
    dashboard.py's st.navigation (which switches the process to navigation mode). A shared link opened
    on a fresh server would then show a page without its sidebar. Switch the process to navigation
    mode, as st.navigation itself does, and rerun once. The flag stops a loop where the page runs on
    its own on purpose (tests of a single page).
    """
    if st.session_state.get("_in_dashboard") or st.session_state.get("_rerun_for_dashboard"):
        return
    st.session_state["_rerun_for_dashboard"] = True
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except ImportError:  # a future Streamlit without this switch: the page still runs, unstyled
        return
    st.rerun()


# ------------------------------------------------------------------ language


def language_from_state() -> str:
    """The session's language: the picker's value, else the link's `?lang=`, else Bahasa Indonesia."""
    value = st.session_state.get("w_lang") or st.session_state.get("lang") or st.query_params.get("lang", "id")
    value = value if value in LANGS else "id"
    st.session_state["lang"] = value
    st.query_params["lang"] = value
    return value


def language_picker() -> None:
    """The language radio; a change reruns the app in the new language at once."""
    current = language_from_state()

    def changed() -> None:
        st.session_state["lang"] = st.session_state["w_lang"]

    st.sidebar.radio(
        "Bahasa / Language",
        list(LANGS),
        index=list(LANGS).index(current),
        key="w_lang",
        horizontal=True,
        on_change=changed,
        format_func=lambda x: "Bahasa Indonesia" if x == "id" else "English",
    )


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
    else:
        upgrade_schema(con)  # tables added since the file was made (accounts, audit trail)
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
    return {
        "regency": st.session_state.get("f_regency"),
        "year": st.session_state.get("f_year"),
        "month": st.session_state.get("f_month"),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def regencies(path: str, ver: int) -> pd.DataFrame:
    return (
        cursor()
        .execute(
            """SELECT p.regency_code AS code, coalesce(r.name, p.regency_code) AS name, count(*) AS puskesmas
           FROM puskesmas p LEFT JOIN ref_regency r ON r.code = p.regency_code GROUP BY ALL ORDER BY code"""
        )
        .df()
    )


@st.cache_data(show_spinner=False, max_entries=64)
def data_months(path: str, ver: int) -> pd.DataFrame:
    """Year and last month with data per regency (for the year and month pickers)."""
    return (
        cursor()
        .execute(
            """WITH m AS (
               SELECT p.regency_code, date_trunc('month', l.service_date) AS d
               FROM layanan l JOIN puskesmas p USING (puskesmas_code) GROUP BY ALL
               UNION SELECT p.regency_code, c.period FROM capaian c JOIN puskesmas p USING (puskesmas_code)
           )
           SELECT regency_code, year(d) AS year, max(month(d)) AS last_month FROM m GROUP BY ALL ORDER BY ALL"""
        )
        .df()
    )


@st.cache_data(show_spinner=False, max_entries=64)
def upload_summary(path: str, ver: int) -> dict[str, Any]:
    row = (
        cursor()
        .execute(
            """SELECT count(*) FILTER (WHERE status = 'active'), max(uploaded_at) FILTER (WHERE status = 'active')
           FROM uploads"""
        )
        .fetchone()
    )
    return {"active_uploads": int(row[0] or 0), "last_upload": row[1]}


def regency_name(code: str | None) -> str:
    if not code:
        return ""
    names = regencies(str(db_path()), version())
    hit = names[names["code"] == code]
    return str(hit.iloc[0]["name"]).title() if len(hit) else code


def month_label(month: int, year: int) -> str:
    from ilp_metrics.core.formatting import month_name

    return f"{month_name(month, lang())} {year}"


# ------------------------------------------------------------------ sidebar (rendered by dashboard.py)


def _pick(options: list, wanted: Any, fallback: Any) -> Any:
    return wanted if wanted in options else fallback


def sidebar() -> None:
    """Kabupaten, year and month-to-date pickers, synced with the URL, plus where the figures come from."""
    if not database_exists():
        return
    path, ver = str(db_path()), version()
    regs = regencies(path, ver)
    if regs.empty:
        st.sidebar.info(tr("filter.no_registry"))
        return
    codes = list(regs["code"])
    names = dict(zip(regs["code"], regs["name"].str.title()))
    wanted = st.session_state.get("f_regency") or st.query_params.get("kabupaten")
    regency = st.sidebar.selectbox(
        tr("filter.regency"),
        codes,
        index=codes.index(_pick(codes, wanted, codes[0])),
        format_func=lambda c: names[c],
        key="w_regency",
    )
    months = data_months(path, ver)
    mine = months[months["regency_code"] == regency]
    if mine.empty:  # a registry without any service data yet: nothing to pick
        st.session_state.update(f_regency=regency, f_year=None, f_month=None)
        set_query(kabupaten=regency, tahun=None, bulan=None)
        st.sidebar.info(tr("filter.no_data"))
        return
    years = sorted(mine["year"].astype(int).tolist(), reverse=True)
    wanted_year = st.session_state.get("f_year") or _query_int("tahun")
    year = st.sidebar.selectbox(
        tr("filter.year"), years, index=years.index(_pick(years, wanted_year, years[0])), key="w_year"
    )
    last = mine.loc[mine["year"] == year, "last_month"]
    last_month = int(last.iloc[0]) if len(last) else 12
    month_options = list(range(1, last_month + 1))
    labels = {m: month_label(m, year) for m in month_options}  # in this run's language, not at display time
    wanted_month = _query_int("bulan") if st.session_state.get("f_year") != year else st.session_state.get("f_month")
    month = st.sidebar.selectbox(
        tr("filter.month"),
        month_options,
        index=month_options.index(_pick(month_options, wanted_month, last_month)),
        format_func=labels.__getitem__,
        key=f"w_month_{year}",
    )
    st.session_state.update(f_regency=regency, f_year=year, f_month=month)
    set_query(kabupaten=regency, tahun=year, bulan=month)
    info = upload_summary(path, ver)
    from ilp_metrics.core.formatting import fmt_datetime, fmt_int

    st.sidebar.caption(
        tr(
            "filter.provenance",
            uploads=fmt_int(info["active_uploads"], lang()),
            when=fmt_datetime(info["last_upload"], lang()),
            db=db_path().name,
        )
    )


# ------------------------------------------------------------------ chart images


IMAGE_FORMATS = ("png", "svg")


def chart_config(name: str) -> dict[str, Any]:
    """st.plotly_chart config: the modebar's camera icon downloads the chart as PNG (2× for slides) or
    SVG, in the browser, without a server-side renderer; the file is named after the chart."""
    import re

    fmt = st.session_state.get("w_chart_format", "png")
    fmt = fmt if fmt in IMAGE_FORMATS else "png"
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:80] or "grafik"
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": fmt, "filename": slug, "scale": 2 if fmt == "png" else 1},
    }


def chart(fig, name: str | None = None, **kwargs: Any):
    """st.plotly_chart with the image-download config (PNG or SVG, from the sidebar setting); the file
    is named after the chart's title unless `name` is given."""
    import re

    if name is None:
        title = fig.layout.title.text or "grafik"
        name = re.sub(r"<[^>]+>", " ", title)
    kwargs.setdefault("width", "stretch")
    return st.plotly_chart(fig, config=chart_config(name), **kwargs)


def chart_format_picker() -> None:
    st.sidebar.radio(
        tr("charts.image_format"),
        IMAGE_FORMATS,
        key="w_chart_format",
        horizontal=True,
        format_func=str.upper,
        help=tr("charts.image_format_help"),
    )


# ------------------------------------------------------------------ cached figures


def principal():
    """The signed-in principal (pages/_auth.py); scoped library calls receive it."""
    from pages import _auth

    return _auth.current()


def figures(
    path: str,
    ver: int,
    codes: tuple[str, ...],
    level: str,
    year: int,
    through: int,
    regency: str | None,
    puskesmas: str | None = None,
) -> pd.DataFrame:
    """Coverage frames within the signed-in principal's scope (the cache is keyed on it too); a desa
    request outside the scope stops the page with the reason instead of showing another's rows."""
    from ilp_metrics.security.scope import ScopeDenied

    who = principal()
    try:
        return _figures(path, ver, codes, level, year, through, regency, puskesmas, who)
    except ScopeDenied as denied:
        st.info(tr(f"akun.scope.{denied.code}", own=who.puskesmas_code or ""))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=256)
def _figures(
    path: str,
    ver: int,
    codes: tuple[str, ...],
    level: str,
    year: int,
    through: int,
    regency: str | None,
    puskesmas: str | None,
    who,
) -> pd.DataFrame:
    from ilp_metrics.metrics.coverage import coverage_many

    return coverage_many(
        cursor(),
        list(codes),
        level=level,
        year=year,
        through=through,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=catalogue(),
        principal=who,
    )


def current_figures(
    codes, level: str, puskesmas: str | None = None, year: int | None = None, through: int | None = None
) -> pd.DataFrame:
    f = filters()
    return figures(
        str(db_path()),
        version(),
        tuple(codes),
        level,
        year or f["year"],
        through or f["month"],
        f["regency"],
        puskesmas,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def readiness(
    path: str, ver: int, level: str, year: int, through: int, regency: str | None, puskesmas: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from ilp_metrics.metrics.readiness import readiness_index, readiness_items

    cur = cursor()
    kwargs = dict(level=level, year=year, through=through, regency=regency, puskesmas=puskesmas)
    return readiness_index(cur, **kwargs), readiness_items(cur, **kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
def puskesmas_registry(path: str, ver: int, regency: str | None) -> pd.DataFrame:
    return (
        cursor()
        .execute(
            """SELECT p.puskesmas_code, p.puskesmas_name, p.district_code, coalesce(d.name, p.district_code) AS kecamatan,
                  p.ilp_start_date, p.cohort,
                  (SELECT count(*) FROM desa x WHERE x.puskesmas_code = p.puskesmas_code) AS desa
           FROM puskesmas p LEFT JOIN ref_district d ON d.code = p.district_code
           WHERE $regency IS NULL OR p.regency_code = $regency ORDER BY p.puskesmas_name""",
            {"regency": regency},
        )
        .df()
    )


def require_data() -> dict[str, Any]:
    """Stop the page with a friendly message when there is no database or no data; else the filters."""
    ensure_dashboard()
    if not database_exists():
        st.warning(tr("app.no_database", path=str(db_path())))
        st.stop()
    f = filters()
    if not f["regency"] or not f["year"]:
        st.info(tr("filter.no_data"))
        st.stop()
    return f


def area_name() -> str:
    return regency_name(filters()["regency"])


def period_label() -> str:
    from ilp_metrics.core.formatting import month_name

    f = filters()
    return f"{month_name(1, lang(), short=True)}–{month_name(f['month'], lang(), short=True)} {f['year']}"


def status_name(code: str) -> str:
    return catalogue().status.level(code).name.get(lang())


def pws_name(code: Any) -> str:
    if not isinstance(code, str):
        return "–"
    return next(r for r in catalogue().status.pws if r.code == code).name.get(lang())


def trend_name(code: Any) -> str:
    return tr(f"trend.{code}") if isinstance(code, str) else "–"


def styled(frame: pd.DataFrame, colours: dict[str, list[str | None]]):
    """A Styler that paints the named columns' cells with the given colours (status or PWS colours,
    from the catalogue); the text stays, so colour is never the only signal."""

    def paint(column: pd.Series) -> list[str]:
        codes = colours.get(column.name)
        if codes is None:
            return [""] * len(column)
        return [
            f"background-color: {c}; color: {'#000000' if _light(c) else '#FFFFFF'}; font-weight: 600" if c else ""
            for c in codes
        ]

    return frame.style.apply(paint, axis=0)


def _light(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b > 150


def status_colours(codes) -> list[str]:
    return [catalogue().status.colour(c) for c in codes]


def pws_colours(codes) -> list[str | None]:
    palette = {r.code: r.colour for r in catalogue().status.pws}
    return [palette.get(c) if isinstance(c, str) else None for c in codes]


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe (no inner scrolling on a projector)."""
    return 38 + 35 * max(rows, 1) + 2
