"""The cluster page's figures: every indicator of one cluster, per puskesmas (the status table and the
ranking) and for the kabupaten month by month (the PWS curves)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.security.scope import Principal


@dataclass(frozen=True, eq=False)
class ClusterFigures:
    cluster: int
    codes: tuple[str, ...]  # the cluster's indicators, in catalogue order
    puskesmas: pd.DataFrame  # snapshot per puskesmas and indicator
    kab_monthly: pd.DataFrame  # monthly rows of this kabupaten, every indicator of the cluster


def cluster_figures(
    con: duckdb.DuckDBPyConnection,
    *,
    principal: Principal,
    regency: str,
    year: int,
    through: int,
    cluster: int,
    catalogue: Catalogue,
) -> ClusterFigures:
    codes = [i.code for i in catalogue.indicators_in_cluster(cluster)]
    per = {
        level: coverage_many(
            con,
            codes,
            level=level,
            year=year,
            through=through,
            regency=regency,
            catalogue=catalogue,
            principal=principal,
        )
        for level in ("puskesmas", "kabupaten")
    }
    pusk, kab = snapshot(per["puskesmas"]), per["kabupaten"]
    return ClusterFigures(
        cluster=cluster,
        codes=tuple(codes),
        puskesmas=pusk,
        kab_monthly=kab[kab["unit_code"] == regency],
    )
