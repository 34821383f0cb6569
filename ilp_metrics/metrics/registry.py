"""The registry lists every page and export starts from: kabupaten, the months with data, the puskesmas
of a kabupaten (with their kecamatan, ILP start and desa count), and the active uploads.

One query per list, here only: the sidebar, the pages, the exports and the benchmarks read the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from ilp_metrics.metrics.coverage import Window
from ilp_metrics.metrics.tallies import record_slices
from ilp_metrics.security.scope import Principal

_REGENCIES_SQL = """
SELECT p.regency_code AS code, coalesce(r.name, p.regency_code) AS name, count(*) AS puskesmas
FROM puskesmas p LEFT JOIN ref_regency r ON r.code = p.regency_code GROUP BY ALL ORDER BY code
"""

_DATA_MONTHS_SQL = """
WITH monthly AS (
    SELECT p.regency_code, l.period AS d
    FROM {slices} l JOIN puskesmas p USING (puskesmas_code) GROUP BY ALL
    UNION SELECT p.regency_code, c.period FROM capaian c JOIN puskesmas p USING (puskesmas_code)
),
annual_only AS (  -- a year known only from annual tables is offered too, through December (a year figure)
    SELECT DISTINCT p.regency_code, make_date(CAST(a.year AS INTEGER), 12, 1) AS d
    FROM capaian_tahunan a JOIN puskesmas p USING (puskesmas_code)
    WHERE NOT EXISTS (SELECT 1 FROM monthly x WHERE x.regency_code = p.regency_code AND year(x.d) = a.year)
),
m AS (
    SELECT regency_code, d FROM monthly UNION SELECT regency_code, d FROM annual_only
)
SELECT regency_code, year(d) AS year, max(month(d)) AS last_month FROM m GROUP BY ALL ORDER BY ALL
"""

_UPLOADS_SQL = """
SELECT count(*) FILTER (WHERE status = 'active'), max(uploaded_at) FILTER (WHERE status = 'active') FROM uploads
"""

_PUSKESMAS_SQL = """
SELECT p.puskesmas_code, p.puskesmas_name, p.regency_code, p.district_code,
       coalesce(d.name, p.district_code) AS kecamatan, p.ilp_start_date, p.cohort,
       (SELECT count(*) FROM desa x WHERE x.puskesmas_code = p.puskesmas_code) AS desa
FROM puskesmas p LEFT JOIN ref_district d ON d.code = p.district_code
WHERE $regency IS NULL OR p.regency_code = $regency ORDER BY p.puskesmas_name
"""

_REGENCY_NAME_SQL = "SELECT name FROM ref_regency WHERE code = $code"


@dataclass(frozen=True)
class UploadSummary:
    active_uploads: int
    last_upload: datetime | None


@dataclass(frozen=True, eq=False)
class Registry:
    """What the sidebar offers: the kabupaten, the years and last months with data, where the data come from."""

    regencies: pd.DataFrame  # code, name, puskesmas (count)
    data_months: pd.DataFrame  # regency_code, year, last_month
    uploads: UploadSummary

    def years(self, regency: str) -> list[int]:
        """The years with data for one kabupaten, oldest first."""
        mine = self.data_months[self.data_months["regency_code"] == regency]
        return sorted(int(y) for y in mine["year"])


def registry(con: duckdb.DuckDBPyConnection, *, principal: Principal) -> Registry:
    """The sidebar's lists. Aggregates only (names and counts), which every principal may see."""
    principal.require("view")
    row = con.execute(_UPLOADS_SQL).fetchone()
    active, last = (row[0], row[1]) if row else (0, None)
    return Registry(
        regencies=con.execute(_REGENCIES_SQL).df(),
        data_months=con.execute(_DATA_MONTHS_SQL.format(slices=record_slices(con))).df(),
        uploads=UploadSummary(active_uploads=int(active or 0), last_upload=last),
    )


def puskesmas_list(con: duckdb.DuckDBPyConnection, *, principal: Principal, regency: str | None) -> pd.DataFrame:
    """The puskesmas of one kabupaten (every kabupaten when `regency` is None), by name: code, name,
    regency_code, district_code, kecamatan, ilp_start_date, cohort and the number of desa."""
    principal.require("view")
    return con.execute(_PUSKESMAS_SQL, {"regency": regency}).df()


def regency_name(con: duckdb.DuckDBPyConnection, *, principal: Principal, regency: str) -> str | None:
    """The kabupaten's name in the reference list (in capitals there), None when it is not listed."""
    principal.require("view")
    row = con.execute(_REGENCY_NAME_SQL, {"code": regency}).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def running_on(registry: pd.DataFrame, year: int, through: int) -> int:
    """How many of the registry's puskesmas had started ILP by the end of month `through` of `year`."""
    after = Window(year, 1, through).end  # the first day after month `through`
    return int((pd.to_datetime(registry["ilp_start_date"]).dt.date < after).sum())
