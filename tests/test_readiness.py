"""Readiness index worked out by hand on the coverage fixture (kesiapan rows in tests/fixtures/coverage_fixture.py, KESIAPAN).

MB in April: clusters formed 1; desa with Pustu 2 of 3; posyandu ILP 6 of 10 (latest, March);
kader trained 25 of 50; lokmin held in April 1; PWS discussed in April 1; reports on time 7 of 10.
TK in April: every item complete. TK reported its clusters only in March.
"""

from __future__ import annotations

import math

import pytest

from ilp_metrics.metrics.readiness import readiness_index, readiness_items

from .conftest import DINAS, MB, TK, ingest, write_text


def index_at(frame, unit, month):
    hit = frame[(frame["unit_code"] == unit) & (frame["month"] == month)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_index_is_the_weighted_mean_of_item_scores(fcon):
    frame = readiness_index(fcon, year=2024, through=4, principal=DINAS)
    expected = (1 + 2 / 3 + 6 / 10 + 25 / 50 + 1 + 1 + 7 / 10) / 7 * 100  # 78.10
    assert index_at(frame, MB, 4)["readiness_index"] == pytest.approx(expected)
    assert index_at(frame, TK, 4)["readiness_index"] == pytest.approx(100)


def test_no_index_while_a_weighted_item_is_missing(fcon):
    tk_feb = index_at(readiness_index(fcon, year=2024, through=4, principal=DINAS), TK, 2)
    assert math.isnan(tk_feb["readiness_index"])  # clusters not reported before March
    assert (tk_feb["items_reported"], tk_feb["items_total"]) == (6, 7)


def test_flow_items_score_the_month_itself(fcon):
    items = readiness_items(fcon, year=2024, through=4, principal=DINAS)
    lokmin = items[(items["unit_code"] == MB) & (items["item_code"] == "LOKMIN_BULANAN")]
    assert lokmin.sort_values("month")["score"].tolist() == [1, 0, 1, 1]
    reports = items[(items["unit_code"] == MB) & (items["item_code"] == "LAPORAN_TEPAT_WAKTU")]
    assert reports.sort_values("month")["score"].tolist() == pytest.approx([0.8, 0.9, 1.0, 0.7])


def test_district_figures_pool_the_puskesmas(fcon):
    frame = readiness_items(fcon, level="kabupaten", year=2024, through=4, principal=DINAS)
    april = frame[frame["month"] == 4].set_index("item_code")
    assert april.loc["DESA_DENGAN_PUSTU", "score"] == pytest.approx(4 / 5)  # (2 + 2) / (3 + 2)
    assert april.loc["POSYANDU_ILP", "score"] == pytest.approx(11 / 15)  # (6 + 5) / (10 + 5)
    assert april.loc["KADER_TERLATIH", "score"] == pytest.approx(45 / 70)
    index = readiness_index(fcon, level="kabupaten", year=2024, through=4, principal=DINAS)
    expected = (1 + 4 / 5 + 11 / 15 + 45 / 70 + 1 + 1 + 17 / 20) / 7 * 100  # 86.09
    assert index_at(index, "73.09", 4)["readiness_index"] == pytest.approx(expected)


def test_a_count_above_its_denominator_scores_one_not_more(con, tmp_path):
    text = f"period,puskesmas_code,item_code,value\n2024-01,{MB},JUMLAH_KADER,20\n2024-01,{MB},KADER_TERLATIH,30\n"
    assert ingest(con, write_text(tmp_path / "kesiapan.csv", text), kind="kesiapan").ok
    items = readiness_items(con, year=2024, through=1, puskesmas=MB, principal=DINAS)
    kader = items[items["item_code"] == "KADER_TERLATIH"].iloc[0]
    assert (kader["value"], kader["denominator"], kader["score"]) == (30, 20, 1)


def test_readiness_has_no_desa_level(fcon):
    with pytest.raises(ValueError, match="per puskesmas or kabupaten"):
        readiness_index(fcon, level="desa", year=2024, principal=DINAS)
