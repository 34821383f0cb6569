"""The figure sets the pages draw, cached per database file and data_version (an upload or a
withdrawal bumps the version and invalidates them at once) and per principal (scoped figures).

Each wrapper calls one library function (ilp_metrics.metrics: registry, overview, cluster, annual,
puskesmas, desa) with the principal passed explicitly; the pages hold no query of their own.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.metrics import annual, cluster, compare, desa, overview, puskesmas, registry
from ilp_metrics.security.scope import Principal, ScopeDenied
from pages import _db, _session


@st.cache_data(show_spinner=False, max_entries=64)
def sidebar_registry(path: str, ver: int, who: Principal) -> registry.Registry:
    return registry.registry(_db.cursor(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def puskesmas_list(path: str, ver: int, regency: str | None, who: Principal) -> pd.DataFrame:
    return registry.puskesmas_list(_db.cursor(), principal=who, regency=regency)


@st.cache_data(show_spinner=False, max_entries=64)
def overview_figures(path: str, ver: int, regency: str, year: int, through: int, who: Principal) -> overview.Overview:
    # Every indicator per puskesmas: the same figure set then serves the overview, the presentation and the
    # exports (pages/_export_ui.facts), computed once per database version.
    cat = _db.catalogue()
    codes = [i.code for i in cat.indicators]
    return overview.overview(
        _db.cursor(), principal=who, regency=regency, year=year, through=through, catalogue=cat, puskesmas_codes=codes
    )


@st.cache_data(show_spinner=False, max_entries=64)
def indicator_years(
    path: str, ver: int, regency: str, year: int, through: int, indicator: str, years: tuple[int, ...], who: Principal
) -> pd.DataFrame:
    # The chosen year's rows are the overview's (cached above, same arguments): only earlier years are counted.
    known = overview_figures(path, ver, regency, year, through, who).kab_monthly
    return overview.indicator_years(
        _db.cursor(),
        principal=who,
        regency=regency,
        year=year,
        through=through,
        indicator=indicator,
        years=years,
        catalogue=_db.catalogue(),
        known=known,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cluster_figures(
    path: str, ver: int, regency: str, year: int, through: int, code: int, who: Principal
) -> cluster.ClusterFigures:
    return cluster.cluster_figures(
        _db.cursor(),
        principal=who,
        regency=regency,
        year=year,
        through=through,
        cluster=code,
        catalogue=_db.catalogue(),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def annual_figures(path: str, ver: int, regency: str, year: int, who: Principal) -> annual.AnnualFigures:
    return annual.annual_figures(_db.cursor(), principal=who, regency=regency, year=year, catalogue=_db.catalogue())


@st.cache_data(show_spinner=False, max_entries=64)
def puskesmas_figures(
    path: str, ver: int, regency: str, year: int, through: int, code: str, who: Principal
) -> puskesmas.PuskesmasFigures:
    return puskesmas.puskesmas_figures(
        _db.cursor(),
        principal=who,
        regency=regency,
        year=year,
        through=through,
        puskesmas=code,
        catalogue=_db.catalogue(),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _desa_table(
    path: str, ver: int, regency: str, year: int, through: int, code: str, indicator: str, who: Principal
) -> desa.DesaTable:
    return desa.desa_table(
        _db.cursor(),
        principal=who,
        regency=regency,
        year=year,
        through=through,
        puskesmas=code,
        indicator=indicator,
        catalogue=_db.catalogue(),
    )


def desa_table(regency: str, year: int, through: int, code: str, indicator: str, who: Principal) -> desa.DesaTable:
    """The desa table within the principal's scope; a request outside it stops the page with the reason
    instead of showing another centre's rows (the library refuses it: ScopeDenied)."""
    try:
        return _desa_table(str(_db.db_path()), _db.version(), regency, year, through, code, indicator, who)
    except ScopeDenied as denied:
        st.info(_session.tr(f"akun.scope.{denied.code}", own=who.puskesmas_code or ""))
        st.stop()
        raise  # st.stop() does not return


@st.cache_data(show_spinner=False, max_entries=64)
def province_puskesmas(path: str, ver: int, who: Principal) -> pd.DataFrame:
    """Every puskesmas of the province (the comparison groups pick from it)."""
    return registry.puskesmas_list(_db.cursor(), principal=who, regency=None)


@st.cache_data(show_spinner=False, max_entries=64)
def desa_list(path: str, ver: int, regency: str | None, who: Principal) -> pd.DataFrame:
    """The desa the principal may see (none for a guest: an empty list, not an error)."""
    try:
        return desa.desa_list(_db.cursor(), principal=who, regency=regency)
    except ScopeDenied:
        return pd.DataFrame(columns=["desa_code", "desa_name", "puskesmas_code", "puskesmas_name", "regency_code"])


@st.cache_data(show_spinner=False, max_entries=64)
def desa_figures(path: str, ver: int, year: int, through: int, code: str, who: Principal) -> desa.DesaFigures:
    return desa.desa_figures(
        _db.cursor(), principal=who, year=year, through=through, desa=code, catalogue=_db.catalogue()
    )


@st.cache_data(show_spinner=False, max_entries=16)
def compare_monthly(
    path: str, ver: int, codes: tuple[str, ...], units: tuple[str, ...], who: Principal
) -> pd.DataFrame:
    """Monthly coverage of the compared puskesmas (Perbandingan, and the deck's comparison slide, which
    covers every cohort whatever the kabupaten: a change of kabupaten finds it here)."""
    return compare.monthly_coverage(_db.cursor(), list(codes), list(units), catalogue=_db.catalogue(), principal=who)
