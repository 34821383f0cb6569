"""Annual figures of a kabupaten from its annual tables (Profil Kesehatan, annual SPM recaps): the year's
coverage per indicator, for the kabupaten and each of its puskesmas.

An annual table holds one figure per puskesmas for the whole year, not a month-by-month series, so these
are year figures (coverage.year_coverage), never a PWS curve. Only indicators fed by the annual aggregates
uploaded for that kabupaten and year are listed: a kabupaten without an annual table gets an empty set from
one small query.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.metrics.coverage import uses_aggregates, year_coverage
from ilp_metrics.security.scope import Principal

# What a page shows of a year figure; `annual_target` is the indicator's target for that year and
# kabupaten, `status` is read against it with the catalogue's polarity and status rules.
FIGURE_COLUMNS = [
    "indicator",
    "unit_code",
    "unit_name",
    "numerator",
    "denominator",
    "coverage",
    "unit",
    "annual_target",
    "status",
    "has_data",
]

_ANNUAL_SERVICES_SQL = """
WITH scope AS (  -- the kabupaten's puskesmas
    SELECT puskesmas_code FROM puskesmas WHERE regency_code = $regency
)
SELECT DISTINCT a.service_code
FROM capaian_tahunan a JOIN scope USING (puskesmas_code)
WHERE a.year = $year
ORDER BY a.service_code
"""


@dataclass(frozen=True, eq=False)
class AnnualFigures:
    year: int
    codes: tuple[str, ...]  # indicators fed by the annual tables, in catalogue order
    kabupaten: pd.DataFrame  # one row per indicator (FIGURE_COLUMNS)
    puskesmas: pd.DataFrame  # one row per indicator and puskesmas of the kabupaten (FIGURE_COLUMNS)

    @property
    def empty(self) -> bool:
        return not self.codes

    def of(self, code: str) -> tuple[pd.Series, pd.DataFrame]:
        """One indicator: the kabupaten row and the puskesmas rows (by name)."""
        kab = self.kabupaten[self.kabupaten["indicator"] == code].iloc[0]
        pusk = self.puskesmas[self.puskesmas["indicator"] == code].sort_values("unit_name")
        return kab, pusk.reset_index(drop=True)


def fed_by(ind: Indicator, services: set[str]) -> bool:
    """Whether annual aggregates of these services count in the indicator's numerator (the rule of
    coverage_many: a numerator service when the indicator admits aggregates, or an aggregate-only service)."""
    num = ind.numerator
    if num.readiness_item:
        return False
    return bool(set(num.aggregate_services) & services) or (uses_aggregates(ind) and bool(set(num.services) & services))


def annual_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    catalogue: Catalogue | None = None,
) -> AnnualFigures:
    """The year's coverage of every indicator that the annual tables of `regency` feed for `year`, per
    kabupaten and per puskesmas; empty when no annual table of that year was uploaded for it."""
    principal.require("view")
    cat = catalogue or load_catalogue()
    services = {str(r[0]) for r in con.execute(_ANNUAL_SERVICES_SQL, {"regency": regency, "year": year}).fetchall()}
    codes = tuple(i.code for i in cat.indicators if fed_by(i, services)) if services else ()
    if not codes:
        nothing = pd.DataFrame(columns=FIGURE_COLUMNS)
        return AnnualFigures(year=year, codes=(), kabupaten=nothing, puskesmas=nothing.copy())
    per = {
        level: year_coverage(
            con, codes, level=level, year=year, regency=regency, catalogue=cat, principal=principal
        ).reset_index(drop=True)[FIGURE_COLUMNS]
        for level in ("kabupaten", "puskesmas")
    }
    return AnnualFigures(year=year, codes=codes, kabupaten=per["kabupaten"], puskesmas=per["puskesmas"])
