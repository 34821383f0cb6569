"""Desa figures within what the principal may see (a puskesmas account its own centre's desa only,
ScopeDenied otherwise): the PWS table of a puskesmas's desa for one indicator (the classic table health
staff know: sasaran, target to date in people, last month, this month, cumulative, trend, status and the
four-way reading), and one desa's page (every indicator with its PWS position among the desa of its
puskesmas, month by month, and its share of the puskesmas's gap)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, levels_for, snapshot
from ilp_metrics.security.scope import Principal, ScopeDenied

_DESA_SQL = """
WITH scoped AS (
    SELECT d.desa_code, d.desa_name, d.puskesmas_code
    FROM desa d
    WHERE ($puskesmas IS NULL OR d.puskesmas_code = $puskesmas)
)
SELECT s.desa_code, s.desa_name, s.puskesmas_code, p.puskesmas_name, p.regency_code,
       coalesce(k.name, p.district_code) AS kecamatan
FROM scoped s
JOIN puskesmas p USING (puskesmas_code)
LEFT JOIN ref_district k ON k.code = p.district_code
WHERE $regency IS NULL OR p.regency_code = $regency
ORDER BY p.puskesmas_name, s.desa_name
"""

_ONE_DESA_SQL = """
SELECT d.desa_code, d.desa_name, d.puskesmas_code, p.puskesmas_name, p.regency_code,
       coalesce(k.name, p.district_code) AS kecamatan
FROM desa d
JOIN puskesmas p USING (puskesmas_code)
LEFT JOIN ref_district k ON k.code = p.district_code
WHERE d.desa_code = $desa
"""

PWS_COLUMNS = [
    "unit_code",
    "unit_name",
    "sasaran",
    "target_people",
    "last_month",
    "this_month",
    "cumulative",
    "coverage",
    "target_to_date",
    "trend",
    "status",
    "pws_reading",
    "gap",
    "gap_per_month",
]


@dataclass(frozen=True, eq=False)
class DesaTable:
    indicator: str
    rows: pd.DataFrame  # snapshot per desa, best-covered first (worst first when lower is better)
    previous: pd.DataFrame | None  # the month before `through`, indexed by unit_code; None in January
    through: int = 12

    def coverage_before(self, unit_code: str) -> object:
        """Last month's coverage of one desa (None when there is no row)."""
        if self.previous is None or unit_code not in self.previous.index:
            return None
        return self.previous.loc[unit_code, "coverage_month"]


def desa_list(
    con: duckdb.DuckDBPyConnection, *, principal: Principal, regency: str | None, puskesmas: str | None = None
) -> pd.DataFrame:
    """The registry's desa the principal may see: desa_code, desa_name, puskesmas_code, puskesmas_name,
    regency_code, kecamatan; by puskesmas, then desa name. A guest sees none (ScopeDenied)."""
    principal.require("view")
    if not principal.sees_desa:
        raise ScopeDenied("desa_not_allowed")
    own = principal.desa_puskesmas(puskesmas)
    return con.execute(_DESA_SQL, {"regency": regency, "puskesmas": own}).df()


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
    return _table(monthly, indicator, through, catalogue)


def unit_table(frame: pd.DataFrame, indicator: str, through: int, catalogue: Catalogue) -> DesaTable:
    """The PWS rows of any level's coverage frame (monthly, or the snapshot of `through`): the kabupaten
    deck's PWS chart per puskesmas is drawn from the exports' puskesmas snapshot with this, as the desa
    chart is from the desa's months (without the month before, `last_month` stays empty)."""
    return _table(frame, indicator, through, catalogue)


def _table(monthly: pd.DataFrame, indicator: str, through: int, catalogue: Catalogue) -> DesaTable:
    ind = catalogue.indicator(indicator)
    mine = monthly[monthly["indicator"] == indicator] if len(monthly) else monthly
    last = snapshot(mine)
    if not last.empty:
        last = last.sort_values("coverage", ascending=not ind.higher_is_better, na_position="last")
    previous = mine[mine["month"] == through - 1].set_index("unit_code") if through > 1 else None
    return DesaTable(indicator=indicator, rows=last.reset_index(drop=True), previous=previous, through=through)


def _people(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def pws_table(table: DesaTable, catalogue: Catalogue) -> pd.DataFrame:
    """The PWS table per desa (columns `PWS_COLUMNS`), in the order of `table.rows`.

    `target_people` = the target line to this month in people: target to date × sasaran ÷ the unit's factor,
    rounded up (as the gap is); `last_month` and `this_month` what those months added (people or events);
    `cumulative` the count since January. `gap_per_month` is empty in December: no month is left to spread
    the gap over, so it would only repeat the gap."""
    ind = catalogue.indicator(table.indicator)
    scale = float(ind.factor)  # 100 for %, 1 000 or 100 000 for rates
    rows = []
    for r in table.rows.itertuples():
        before = None
        if table.previous is not None and r.unit_code in table.previous.index:
            before = table.previous.loc[r.unit_code, "numerator_month"]
        den, target = r.denominator, r.target_to_date
        target_people = (
            math.ceil(float(target) * float(den) / scale - 1e-9)
            if pd.notna(den) and pd.notna(target) and float(den) > 0
            else None
        )
        rows.append(
            {
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "sasaran": None if pd.isna(den) else float(den),
                "target_people": target_people,
                "last_month": _people(before),
                "this_month": _people(r.numerator_month),
                "cumulative": _people(r.numerator),
                "coverage": None if pd.isna(r.coverage) else float(r.coverage),
                "target_to_date": None if pd.isna(target) else float(target),
                "trend": r.trend,
                "status": r.status,
                "pws_reading": r.pws_reading,
                "gap": _people(r.gap),
                "gap_per_month": None if table.through >= 12 else _people(r.gap_per_month),
            }
        )
    return pd.DataFrame(rows, columns=PWS_COLUMNS)


@dataclass(frozen=True, eq=False)
class DesaFigures:
    """One desa's page: every indicator reported per desa, against the other desa of its puskesmas."""

    desa: str
    desa_name: str
    puskesmas: str
    puskesmas_name: str
    kecamatan: str
    regency: str
    year: int
    through: int
    monthly: pd.DataFrame  # coverage frame, every desa of the puskesmas, every desa-level indicator
    indicators: pd.DataFrame  # this desa's snapshot + rank, desa (count), puskesmas_gap, gap_share

    def series(self, indicator: str) -> pd.DataFrame:
        """This desa's months of one indicator (the PWS curve)."""
        m = self.monthly
        return m[(m["indicator"] == indicator) & (m["unit_code"] == self.desa)].sort_values("month")

    def table(self, indicator: str, catalogue: Catalogue) -> DesaTable:
        """The PWS table of every desa of the puskesmas for one indicator (the chart beside it)."""
        return _table(self.monthly, indicator, self.through, catalogue)


def positions(snap: pd.DataFrame, desa: str, catalogue: Catalogue) -> pd.DataFrame:
    """Per indicator, this desa's row with its PWS position among the desa of its puskesmas (`rank` 1 = best
    covered, or lowest for a lower-is-better indicator; desa without a value have no rank), the number of
    desa with a value (`desa`), the gaps of all its desa added up (`puskesmas_gap`) and this desa's share
    of it (`gap_share`, 0–1; empty when the desa together have no gap). The sum of the desa is used rather
    than the puskesmas figure so that the shares of a puskesmas's desa add up to 1."""
    out = []
    for code, part in snap.groupby("indicator", sort=False):
        ind = catalogue.indicator(str(code))
        valued = part.dropna(subset=["coverage"])
        ranks = valued["coverage"].astype(float).rank(ascending=not ind.higher_is_better, method="min")
        mine = part[part["unit_code"] == desa]
        if mine.empty:
            continue
        row = mine.iloc[0].to_dict()
        rank = ranks.get(mine.index[0])
        total_gap = part["gap"].astype("Float64").sum(skipna=True) if part["gap"].notna().any() else None
        own_gap = row["gap"]
        row["rank"] = None if rank is None or pd.isna(rank) else int(rank)
        row["desa"] = len(valued)
        row["puskesmas_gap"] = None if total_gap is None else int(total_gap)
        row["gap_share"] = (
            float(own_gap) / float(total_gap)
            if total_gap is not None and float(total_gap) > 0 and own_gap is not None and pd.notna(own_gap)
            else None
        )
        out.append(row)
    frame = pd.DataFrame(out)
    for column in ("rank", "desa", "puskesmas_gap") if len(frame) else ():
        frame[column] = frame[column].astype("Int64")  # whole numbers, empty where there is none
    return frame


def desa_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    year: int,
    through: int,
    desa: str,
    catalogue: Catalogue,
) -> DesaFigures:
    """The desa page's figures for one desa (by its Kemendagri code); KeyError when the registry has no such
    desa, ScopeDenied when it belongs to a puskesmas the principal may not see."""
    principal.require("view")
    # The registry row (a name and a puskesmas, no figure) is read first so that another centre's desa is
    # refused as such (ScopeDenied) rather than reported unknown.
    hit = con.execute(_ONE_DESA_SQL, {"desa": desa}).df()
    if hit.empty:
        raise KeyError(desa)
    info = hit.iloc[0]
    principal.desa_puskesmas(str(info["puskesmas_code"]))
    codes = [i.code for i in catalogue.indicators if "desa" in levels_for(i)]
    monthly = coverage_many(
        con,
        codes,
        level="desa",
        year=year,
        through=through,
        regency=str(info["regency_code"]),
        puskesmas=str(info["puskesmas_code"]),
        catalogue=catalogue,
        principal=principal,
    )
    snap = snapshot(monthly)
    order = {c: i for i, c in enumerate(codes)}
    found = positions(snap, desa, catalogue)
    if len(found):
        found = found.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)
    return DesaFigures(
        desa=desa,
        desa_name=str(info["desa_name"]),
        puskesmas=str(info["puskesmas_code"]),
        puskesmas_name=str(info["puskesmas_name"]),
        kecamatan=str(info["kecamatan"]),
        regency=str(info["regency_code"]),
        year=year,
        through=through,
        monthly=monthly,
        indicators=found,
    )
