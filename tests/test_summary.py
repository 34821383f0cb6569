"""Cluster summary: counts per status and the composite (median of capped achievement ratios)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.metrics.summary import cluster_summary, summarise

from .conftest import DINAS

CAT = load_catalogue()


def snap(rows: list[tuple]) -> pd.DataFrame:
    """(indicator, unit_code, status, achievement) rows, as coverage.snapshot would give."""
    return pd.DataFrame(rows, columns=["indicator", "unit_code", "status", "achievement"]).assign(unit_name="X")


def test_composite_is_the_median_of_achievement_ratios_capped_at_one():
    frame = snap(
        [
            ("SPM01", "P1", "tercapai", 1.50),  # over-achievement counts as 1.00
            ("SPM02", "P1", "mendekati", 0.90),
            ("SPM03", "P1", "di_bawah", 0.40),
            ("SPM04", "P1", "tidak_ada_data", None),  # no data: not in the median
        ]
    )
    out = summarise(frame, CAT).iloc[0]
    assert out["composite"] == pytest.approx(90)  # median of 1.00, 0.90, 0.40
    assert (out["tercapai"], out["mendekati"], out["di_bawah"], out["tidak_ada_data"]) == (1, 1, 1, 1)
    assert out["indicators"] == 4
    assert out["on_track_share"] == pytest.approx(1 / 3)  # of the three with data


def test_one_extreme_indicator_does_not_move_the_composite_much():
    base = [("SPM01", "P1", "di_bawah", 0.5), ("SPM02", "P1", "di_bawah", 0.6), ("SPM03", "P1", "di_bawah", 0.7)]
    low = summarise(snap([*base, ("SPM04", "P1", "di_bawah", 0.0)]), CAT).iloc[0]["composite"]
    high = summarise(snap([*base, ("SPM04", "P1", "tercapai", 9.0)]), CAT).iloc[0]["composite"]
    assert (low, high) == (pytest.approx(55), pytest.approx(65))


def test_indicators_are_grouped_by_their_catalogue_cluster():
    frame = snap([("SPM01", "P1", "tercapai", 1.0), ("SPM06", "P1", "di_bawah", 0.5)])
    out = summarise(frame, CAT)
    assert out["cluster"].tolist() == [2, 3]  # SPM01 is cluster 2, SPM06 cluster 3


def test_a_unit_without_any_data_has_no_composite():
    out = summarise(snap([("SPM01", "P1", "tidak_ada_data", None)]), CAT).iloc[0]
    assert math.isnan(out["composite"]) and math.isnan(out["on_track_share"])


def test_cluster_summary_on_the_fixture(fcon):
    out = cluster_summary(fcon, level="puskesmas", year=2024, through=4, clusters=[5], principal=DINAS)
    tk = out[out["unit_code"] == "P7309140201"].iloc[0]
    # Cluster 5 = ILP_POSYANDU (TK 5/5 = 100 %), ILP_KADER_TERLATIH (20/20), ILP_KUNJUNGAN_RUMAH
    # (TK has no penduduk sasaran -> no data).
    assert (tk["tercapai"], tk["tidak_ada_data"], tk["indicators"]) == (2, 1, 3)
    assert tk["composite"] == pytest.approx(100)
