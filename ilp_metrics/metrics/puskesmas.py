"""The puskesmas page's figures for one centre: its readiness (index and items) in the period's last
month, every indicator against target and against its kabupaten, and each indicator month by month."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.metrics.readiness import readiness_index, readiness_items
from ilp_metrics.metrics.side_by_side import bound, run_side_by_side
from ilp_metrics.security.scope import Principal


@dataclass(frozen=True, eq=False)
class PuskesmasFigures:
    puskesmas: str
    readiness: float | None  # the readiness index in month `through`
    readiness_items: pd.DataFrame  # item_code, value, denominator, score in month `through`
    indicators: pd.DataFrame  # snapshot of every indicator for this puskesmas
    district: pd.DataFrame  # snapshot of every indicator for its kabupaten, indexed by indicator
    monthly: pd.DataFrame  # every indicator for this puskesmas, month by month (coverage_many's rows)

    def series(self, indicator: str) -> pd.DataFrame:
        """One indicator month by month, read from `monthly`: the rows coverage_many counts for that
        indicator alone (missing values as NaN where a one-indicator count holds None), without another
        statement."""
        return self.monthly[self.monthly["indicator"] == indicator].reset_index(drop=True)


def puskesmas_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    through: int,
    puskesmas: str,
    catalogue: Catalogue,
) -> PuskesmasFigures:
    cat = catalogue
    codes = [i.code for i in cat.indicators]
    asked = dict(year=year, through=through, regency=regency, catalogue=cat, principal=principal)
    index, items, monthly, district_monthly = run_side_by_side(
        con,
        [
            bound(readiness_index, level="puskesmas", first=through, puskesmas=puskesmas, **asked),
            bound(readiness_items, level="puskesmas", first=through, puskesmas=puskesmas, **asked),
            bound(coverage_many, codes=codes, level="puskesmas", puskesmas=puskesmas, **asked),
            bound(coverage_many, codes=codes, level="kabupaten", **asked),
        ],
    )
    district = snapshot(district_monthly)
    value = index["readiness_index"].iloc[0] if len(index) else None
    return PuskesmasFigures(
        puskesmas=puskesmas,
        readiness=None if value is None or pd.isna(value) else float(value),
        readiness_items=items.reset_index(drop=True),
        indicators=snapshot(monthly),
        district=district[district["unit_code"] == regency].set_index("indicator"),
        monthly=monthly,
    )
