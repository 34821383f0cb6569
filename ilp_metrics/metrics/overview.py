"""The overview's figures for one kabupaten and period: the headline numbers (puskesmas running ILP,
readiness, SPM indicators on target, SPM gap), the cluster cards, the SPM table and the SPM composite
of each puskesmas (the ranking of those farthest behind).

Defined once here: the overview page, the exports (`export.facts.gather`: deck, PDF, workbook) and the
benchmarks call `overview()`, so a headline number is the same wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.metrics.readiness import readiness_index
from ilp_metrics.metrics.registry import puskesmas_list, running_on
from ilp_metrics.metrics.side_by_side import bound, run_side_by_side
from ilp_metrics.metrics.starts import start_months
from ilp_metrics.metrics.summary import summarise
from ilp_metrics.security.scope import Principal


@dataclass(frozen=True, eq=False)
class Overview:
    regency: str
    year: int
    through: int  # last month of the period (cumulative from January)
    spm_codes: tuple[str, ...]
    registry: pd.DataFrame  # metrics.registry.puskesmas_list of the kabupaten
    running: int  # puskesmas whose ILP start date is on or before the period's end
    readiness: float | None  # the kabupaten's readiness index in month `through`
    kab_monthly: pd.DataFrame  # monthly rows (Jan..through), every indicator, this kabupaten
    kab: pd.DataFrame  # snapshot of kab_monthly
    puskesmas: pd.DataFrame  # snapshot per puskesmas (the SPM indicators at least)
    clusters: pd.DataFrame  # summary.summarise of `kab`: the cluster cards
    composite: pd.DataFrame  # per puskesmas: composite, on_target, gap; farthest behind first
    watch: pd.DataFrame  # the puskesmas to watch: `composite` ranked by the catalogue's rule (figures.watch)
    starts: tuple[tuple[date, int], ...] = ()  # (month, puskesmas starting ILP in it) up to the period's end

    @property
    def spm(self) -> pd.DataFrame:
        """The kabupaten's SPM rows (the SPM table)."""
        return self.kab[self.kab["indicator"].isin(self.spm_codes)]

    @property
    def puskesmas_total(self) -> int:
        return len(self.registry)

    @property
    def spm_on_target(self) -> int:
        return int((self.spm["status"] == "tercapai").sum())

    @property
    def spm_gap(self) -> float:
        """SPM services not yet given by December: the gaps of the SPM indicators added up. Not people: the
        target groups overlap (one adult can be in the productive-age, hypertension and diabetes gaps)."""
        return float(self.spm["gap"].astype(float).sum())

    @property
    def gaps(self) -> pd.DataFrame:
        """Puskesmas × SPM indicator: the gap in people (the ranking's columns)."""
        spm = self.puskesmas[self.puskesmas["indicator"].isin(self.spm_codes)]
        return spm.pivot_table(index="unit_code", columns="indicator", values="gap", aggfunc="first")


def spm_composite(puskesmas: pd.DataFrame, spm_codes: Sequence[str], catalogue: Catalogue) -> pd.DataFrame:
    """Per puskesmas: SPM composite (median capped achievement × 100), SPM on target, total gap;
    lowest composite (then largest gap) first, no composite last."""
    spm = puskesmas[puskesmas["indicator"].isin(list(spm_codes))]
    out = (
        spm.assign(capped=spm["achievement"].astype(float).clip(upper=catalogue.figures.achievement_cap))
        .groupby(["unit_code", "unit_name"])
        .agg(
            composite=("capped", "median"),
            on_target=("status", lambda s: int((s == "tercapai").sum())),
            gap=("gap", "sum"),
        )
        .reset_index()
    )
    out["composite"] = out["composite"] * 100
    return out.sort_values(["composite", "gap"], ascending=[True, False], na_position="last").reset_index(drop=True)


def ranked_by_rule(composite: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every puskesmas in the order of the catalogue's watch rule (`figures.watch.rank_by`): the most SPM
    services not yet given first (then the lowest composite), or the lowest composite first (then the
    largest gap); puskesmas without any SPM figure last."""
    ranked = composite.assign(_gap=composite["gap"].astype(float), _none=composite["composite"].isna())
    if catalogue.figures.watch_rank_by == "gap":
        keys, ascending = ["_none", "_gap", "composite"], [True, False, True]
    else:
        keys, ascending = ["_none", "composite", "_gap"], [True, True, False]
    ranked = ranked.sort_values(keys, ascending=ascending, kind="stable")
    return ranked.drop(columns=["_gap", "_none"]).reset_index(drop=True)


def watch_list(composite: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The puskesmas to watch: the first `figures.watch.count` of `ranked_by_rule` with an SPM figure."""
    ranked = ranked_by_rule(composite, catalogue).dropna(subset=["composite"])
    return ranked.head(catalogue.figures.watch_count).reset_index(drop=True)


def overview(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    through: int,
    catalogue: Catalogue,
    puskesmas_codes: Sequence[str] | None = None,
) -> Overview:
    """The overview's figures. `puskesmas_codes`: the indicators computed per puskesmas (default the SPM
    indicators the page ranks on; the exports ask for every indicator)."""
    cat = catalogue
    spm_codes = tuple(i.code for i in cat.spm_indicators())
    all_codes = [i.code for i in cat.indicators]
    asked = dict(year=year, through=through, regency=regency, catalogue=cat, principal=principal)
    kab_monthly, pusk_monthly, index = run_side_by_side(
        con,
        [
            bound(coverage_many, codes=all_codes, level="kabupaten", **asked),
            bound(coverage_many, codes=list(puskesmas_codes or spm_codes), level="puskesmas", **asked),
            bound(readiness_index, level="kabupaten", first=through, **asked),
        ],
    )
    registry = puskesmas_list(con, principal=principal, regency=regency)
    kab = snapshot(kab_monthly)
    kab = kab[kab["unit_code"] == regency].reset_index(drop=True)
    pusk = snapshot(pusk_monthly).reset_index(drop=True)
    value = index["readiness_index"].iloc[0] if len(index) else None
    return Overview(
        regency=regency,
        year=year,
        through=through,
        spm_codes=spm_codes,
        registry=registry,
        running=running_on(registry, year, through),
        readiness=None if value is None or pd.isna(value) else float(value),
        kab_monthly=kab_monthly,
        kab=kab,
        puskesmas=pusk,
        clusters=summarise(kab, cat),
        composite=(composite := spm_composite(pusk, spm_codes, cat)),
        watch=watch_list(composite, cat),
        starts=tuple(start_months(registry, year, through)),
    )


def indicator_years(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    through: int,
    indicator: str,
    years: Sequence[int],
    catalogue: Catalogue,
    known: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One indicator's monthly rows for the kabupaten, every year in `years` up to `year` (through month
    `through` in `year`, December before): the overview's trend since the ILP start. `known`: the kabupaten
    rows of `year` already counted for every indicator (Overview.kab_monthly), read instead of recounted."""
    frames = []
    for y in [y for y in years if y <= year]:
        if y == year and known is not None:
            frames.append(known[(known["indicator"] == indicator) & (known["unit_code"] == regency)])
            continue
        frame = coverage_many(
            con,
            [indicator],
            level="kabupaten",
            year=y,
            through=through if y == year else 12,
            regency=regency,
            catalogue=catalogue,
            principal=principal,
        )
        frames.append(frame[frame["unit_code"] == regency])
    return pd.concat(frames) if frames else pd.DataFrame()
