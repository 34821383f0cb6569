"""The library calls each dashboard page makes, without Streamlit: what a page costs to compute.

Calls the figure-set functions the pages call (ilp_metrics.metrics: registry, overview, cluster,
puskesmas, desa) with the same arguments; the pages cache these results per database version, so these
are the figures a Kadis waits for on the first view of a filter combination.
"""

from __future__ import annotations

import duckdb

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.cluster import cluster_figures
from ilp_metrics.metrics.coverage import coverage
from ilp_metrics.metrics.desa import desa_table
from ilp_metrics.metrics.overview import overview as overview_figures
from ilp_metrics.metrics.puskesmas import puskesmas_figures
from ilp_metrics.metrics.registry import puskesmas_list, registry
from ilp_metrics.security.scope import SYSTEM

WHO = SYSTEM  # the whole province: the largest figure set a page can ask for


def sidebar(con: duckdb.DuckDBPyConnection) -> None:
    registry(con, principal=WHO)


def overview(con: duckdb.DuckDBPyConnection, cat: Catalogue, regency: str, year: int, month: int) -> None:
    """pages/ringkasan.py: headline numbers, cluster cards, SPM table, SPM composite per puskesmas."""
    overview_figures(con, principal=WHO, regency=regency, year=year, through=month, catalogue=cat)


def cluster(
    con: duckdb.DuckDBPyConnection, cat: Catalogue, regency: str, year: int, month: int, cluster_code: int = 2
) -> None:
    """pages/klaster.py (default cluster 2): the cluster's indicators per puskesmas and per kabupaten."""
    cluster_figures(con, principal=WHO, regency=regency, year=year, through=month, cluster=cluster_code, catalogue=cat)


def puskesmas(con: duckdb.DuckDBPyConnection, cat: Catalogue, regency: str, year: int, month: int) -> None:
    """pages/puskesmas.py for the kabupaten's first puskesmas: readiness, every indicator against the
    kabupaten, the desa PWS table and the monthly series of the first service indicator."""
    code = str(puskesmas_list(con, principal=WHO, regency=regency)["puskesmas_code"].iloc[0])
    common = dict(principal=WHO, regency=regency, year=year, through=month, puskesmas=code, catalogue=cat)
    figures = puskesmas_figures(con, **common)
    pick = next(i.code for i in cat.indicators if not i.numerator.readiness_item)
    desa_table(con, indicator=pick, **common)
    figures.series(pick)


def province_indicator(
    con: duckdb.DuckDBPyConnection, cat: Catalogue, year: int, month: int, code: str = "SPM06"
) -> int:
    """One indicator for every puskesmas of the province (no kabupaten filter): the 100 M target."""
    return len(coverage(con, code, level="puskesmas", year=year, through=month, catalogue=cat, principal=WHO))


PAGES = {
    "sidebar": lambda con, cat, regency, year, month: sidebar(con),
    "overview": overview,
    "cluster": cluster,
    "puskesmas": puskesmas,
    "province": lambda con, cat, regency, year, month: province_indicator(con, cat, year, month),
}
