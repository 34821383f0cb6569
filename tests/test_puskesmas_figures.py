"""The puskesmas page's figure set (ilp_metrics.metrics.puskesmas) on the hand-checked coverage fixture
(tests/test_coverage.py): the trend of any indicator, read from the figure set's monthly rows, is the one
counted on its own for that puskesmas."""

from __future__ import annotations

import pytest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.metrics.coverage import coverage_many
from ilp_metrics.metrics.puskesmas import puskesmas_figures

from .conftest import DINAS, MB, TK

MAROS, YEAR, THROUGH = "73.09", 2024, 4


def _as_objects(frame):
    """Missing values as None whatever their column's dtype (a many-indicator frame holds NaN where a
    one-indicator frame holds None)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


@pytest.mark.parametrize("code", [MB, TK])
def test_every_indicators_trend_is_read_from_the_figure_set_unchanged(fcon, code):
    cat = load_catalogue()
    asked = dict(principal=DINAS, regency=MAROS, year=YEAR, through=THROUGH, puskesmas=code, catalogue=cat)
    figures = puskesmas_figures(fcon, **asked)
    assert len(figures.monthly), "the fixture holds records for this puskesmas"
    for indicator in cat.indicators:
        counted = coverage_many(fcon, [indicator.code], level="puskesmas", **asked)
        assert _as_objects(figures.series(indicator.code)).equals(_as_objects(counted)), indicator.code


def test_the_snapshot_is_the_last_month_of_the_monthly_rows(fcon):
    cat = load_catalogue()
    figures = puskesmas_figures(
        fcon, principal=DINAS, regency=MAROS, year=YEAR, through=THROUGH, puskesmas=MB, catalogue=cat
    )
    assert set(figures.indicators["month"]) == {THROUGH}
    assert set(figures.indicators["indicator"]) == set(figures.monthly["indicator"])
