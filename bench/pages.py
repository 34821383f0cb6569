"""The library calls each dashboard page makes, without Streamlit: what a page costs to compute.

Mirrors pages/ringkasan.py, pages/klaster.py, pages/puskesmas.py and the shared sidebar
(pages/_shared.py) call for call, with the same arguments; the pages cache these results per database
version, so these are the figures a Kadis waits for on the first view of a filter combination.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage, coverage_many, snapshot
from ilp_metrics.metrics.readiness import readiness_index, readiness_items
from ilp_metrics.metrics.summary import summarise
from ilp_metrics.security.scope import cli_principal

OPERATOR = cli_principal("bench")  # the benchmark reads every figure, as the dinas pages do

# The sidebar's and the registry's queries, as pages/_shared.py writes them.
REGENCIES_SQL = """SELECT p.regency_code AS code, coalesce(r.name, p.regency_code) AS name, count(*) AS puskesmas
FROM puskesmas p LEFT JOIN ref_regency r ON r.code = p.regency_code GROUP BY ALL ORDER BY code"""
DATA_MONTHS_SQL = """WITH m AS (
    SELECT p.regency_code, date_trunc('month', l.service_date) AS d
    FROM layanan l JOIN puskesmas p USING (puskesmas_code) GROUP BY ALL
    UNION SELECT p.regency_code, c.period FROM capaian c JOIN puskesmas p USING (puskesmas_code)
)
SELECT regency_code, year(d) AS year, max(month(d)) AS last_month FROM m GROUP BY ALL ORDER BY ALL"""
UPLOADS_SQL = """SELECT count(*) FILTER (WHERE status = 'active'), max(uploaded_at) FILTER (WHERE status = 'active')
FROM uploads"""
REGISTRY_SQL = """SELECT p.puskesmas_code, p.puskesmas_name, p.district_code, coalesce(d.name, p.district_code) AS kecamatan,
       p.ilp_start_date, p.cohort,
       (SELECT count(*) FROM desa x WHERE x.puskesmas_code = p.puskesmas_code) AS desa
FROM puskesmas p LEFT JOIN ref_district d ON d.code = p.district_code
WHERE $regency IS NULL OR p.regency_code = $regency ORDER BY p.puskesmas_name"""


def sidebar(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(REGENCIES_SQL).df()
    con.execute(DATA_MONTHS_SQL).df()
    con.execute(UPLOADS_SQL).fetchone()


def _figures(
    con, cat: Catalogue, codes, level: str, year: int, month: int, regency: str, puskesmas: str | None = None
) -> pd.DataFrame:
    return coverage_many(
        con,
        list(codes),
        level=level,
        year=year,
        through=month,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=cat,
        principal=OPERATOR,
    )


def overview(con, cat: Catalogue, regency: str, year: int, month: int) -> None:
    """pages/ringkasan.py: all indicators per kabupaten, SPM per puskesmas, readiness, registry, clusters."""
    all_codes = [i.code for i in cat.indicators]
    spm_codes = [i.code for i in cat.spm_indicators()]
    kab = snapshot(_figures(con, cat, all_codes, "kabupaten", year, month, regency))
    kab = kab[kab["unit_code"] == regency]
    snapshot(_figures(con, cat, spm_codes, "puskesmas", year, month, regency))
    con.execute(REGISTRY_SQL, {"regency": regency}).df()
    kwargs = dict(level="kabupaten", year=year, through=month, regency=regency, puskesmas=None, principal=OPERATOR)
    readiness_index(con, **kwargs), readiness_items(con, **kwargs)
    summarise(kab, cat)


def cluster(con, cat: Catalogue, regency: str, year: int, month: int, cluster_code: int = 2) -> None:
    """pages/klaster.py (default cluster 2): the cluster's indicators per puskesmas and per kabupaten."""
    codes = [i.code for i in cat.indicators_in_cluster(cluster_code)]
    snapshot(_figures(con, cat, codes, "puskesmas", year, month, regency))
    _figures(con, cat, codes, "kabupaten", year, month, regency)


def puskesmas(con, cat: Catalogue, regency: str, year: int, month: int) -> None:
    """pages/puskesmas.py for the kabupaten's first puskesmas: readiness, every indicator against the
    kabupaten, the desa PWS table and the monthly series of the first service indicator."""
    registry = con.execute(REGISTRY_SQL, {"regency": regency}).df()
    code = registry["puskesmas_code"].iloc[0]
    kwargs = dict(level="puskesmas", year=year, through=month, regency=regency, puskesmas=code, principal=OPERATOR)
    readiness_index(con, **kwargs), readiness_items(con, **kwargs)
    all_codes = [i.code for i in cat.indicators]
    snapshot(_figures(con, cat, all_codes, "puskesmas", year, month, regency, code))
    snapshot(_figures(con, cat, all_codes, "kabupaten", year, month, regency))
    pick = next(i.code for i in cat.indicators if not i.numerator.readiness_item)
    snapshot(_figures(con, cat, [pick], "desa", year, month, regency, code))
    _figures(con, cat, [pick], "puskesmas", year, month, regency, code)


def province_indicator(con, cat: Catalogue, year: int, month: int, code: str = "SPM06") -> int:
    """One indicator for every puskesmas of the province (no kabupaten filter): the 100 M target."""
    return len(coverage(con, code, level="puskesmas", year=year, through=month, catalogue=cat, principal=OPERATOR))


PAGES = {
    "sidebar": lambda con, cat, regency, year, month: sidebar(con),
    "overview": overview,
    "cluster": cluster,
    "puskesmas": puskesmas,
    "province": lambda con, cat, regency, year, month: province_indicator(con, cat, year, month),
}
