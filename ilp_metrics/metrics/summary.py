"""Cluster summaries: per cluster and area, how many indicators are on track, and a documented composite.

The composite is the catalogue's `figures.rules.cluster_summary`: the median of the achievement
ratios capped at `figures.achievement_cap`, × 100, over the indicators that have data.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import STATUS_CODES, Catalogue, load_catalogue
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.security.scope import Principal

SUMMARY_COLUMNS = ["cluster", "unit_code", "unit_name", "indicators", *STATUS_CODES, "on_track_share", "composite"]


def summarise(snap: pd.DataFrame, cat: Catalogue) -> pd.DataFrame:
    """Cluster × unit summary of a snapshot (one row per indicator and unit, as `coverage.snapshot`)."""
    if snap.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = snap.assign(cluster=snap["indicator"].map(lambda c: cat.indicator(c).cluster))
    counts = frame.pivot_table(
        index=["cluster", "unit_code", "unit_name"], columns="status", values="indicator", aggfunc="count", fill_value=0
    ).reindex(columns=list(STATUS_CODES), fill_value=0)
    counts.columns.name = None
    capped = frame["achievement"].astype(float).clip(upper=cat.figures.achievement_cap)
    composite = frame.assign(capped=capped).groupby(["cluster", "unit_code", "unit_name"])["capped"].median() * 100
    out = counts.join(composite.rename("composite")).reset_index()
    out["indicators"] = out[list(STATUS_CODES)].sum(axis=1)
    with_data = out["indicators"] - out["tidak_ada_data"]
    out["on_track_share"] = np.where(with_data > 0, out["tercapai"] / with_data.where(with_data > 0), np.nan)
    return out[SUMMARY_COLUMNS].sort_values(["cluster", "unit_code"]).reset_index(drop=True)


def cluster_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    year: int,
    through: int | None = None,
    regency: str | None = None,
    clusters: Iterable[int] | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Per cluster and unit (kabupaten or puskesmas): indicators per status, on-track share, composite."""
    cat = catalogue or load_catalogue()
    wanted = set(clusters) if clusters is not None else {c.code for c in cat.clusters}
    codes = [i.code for i in cat.indicators if i.cluster in wanted]
    frame = coverage_many(
        con, codes, level=level, year=year, through=through, regency=regency, catalogue=cat, principal=principal
    )
    return summarise(snapshot(frame), cat)
