"""The registry lists on the hand-checked fixture: MB started ILP on 2023-01-01, TK on 2024-08-01."""

from __future__ import annotations

import pytest

from ilp_metrics.metrics.registry import puskesmas_list, running_on

from .conftest import DINAS, MB, TK


@pytest.fixture
def maros(fcon):
    return puskesmas_list(fcon, principal=DINAS, regency="73.09")


def test_the_puskesmas_of_a_kabupaten_are_listed_by_name(maros):
    assert maros["puskesmas_code"].tolist() == [MB, TK]


@pytest.mark.parametrize(("year", "through", "running"), [(2022, 12, 0), (2024, 6, 1), (2024, 7, 1), (2024, 8, 2)])
def test_a_puskesmas_runs_ilp_from_the_month_it_started(maros, year, through, running):
    assert running_on(maros, year, through) == running
