"""The desa table of a puskesmas (PWS four-way reading, gap in people) for one indicator, within what
the principal may see: a puskesmas account its own centre's desa only (ScopeDenied otherwise)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.security.scope import Principal


@dataclass(frozen=True, eq=False)
class DesaTable:
    indicator: str
    rows: pd.DataFrame  # snapshot per desa, best-covered first (worst first when lower is better)
    previous: pd.DataFrame | None  # the month before `through`, indexed by unit_code; None in January

    def coverage_before(self, unit_code: str) -> object:
        """Last month's coverage of one desa (None when there is no row)."""
        if self.previous is None or unit_code not in self.previous.index:
            return None
        return self.previous.loc[unit_code, "coverage_month"]


def desa_table(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    through: int,
    puskesmas: str,
    indicator: str,
    catalogue: Catalogue,
) -> DesaTable:
    monthly = coverage_many(
        con,
        [indicator],
        level="desa",
        year=year,
        through=through,
        regency=regency,
        puskesmas=puskesmas,
        catalogue=catalogue,
        principal=principal,
    )
    ind = catalogue.indicator(indicator)
    last = snapshot(monthly)
    if not last.empty:
        last = last.sort_values("coverage", ascending=not ind.higher_is_better, na_position="last")
    previous = monthly[monthly["month"] == through - 1].set_index("unit_code") if through > 1 else None
    return DesaTable(indicator=indicator, rows=last.reset_index(drop=True), previous=previous)
