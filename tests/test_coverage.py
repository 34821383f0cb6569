"""Coverage worked out by hand on a small fixture: every expected number is explained beside it.

The fixture (Kabupaten Maros, 2024, data through April: two puskesmas, five desa, eight persons) is drawn
in tests/fixtures/coverage_fixture.py, beside its tables.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.metrics.coverage import LevelNotAvailable, Window, coverage, coverage_many, quarter_window, snapshot

from .conftest import DINAS, MB, TK
from .fixtures.coverage_fixture import REGENCY, A, B, C, D, E


def cov(con, code: str, level: str, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("year", 2024)
    kwargs.setdefault("through", 4)
    kwargs.setdefault("principal", DINAS)
    return coverage(con, code, level=level, **kwargs)


def row(frame: pd.DataFrame, unit: str, month: int) -> pd.Series:
    hit = frame[(frame["unit_code"] == unit) & (frame["month"] == month)]
    assert len(hit) == 1, f"expected one row for {unit} month {month}, got {len(hit)}"
    return hit.iloc[0]


def series(frame: pd.DataFrame, unit: str, column: str = "numerator") -> list:
    return frame[frame["unit_code"] == unit].sort_values("month")[column].tolist()


# ------------------------------------------------------------------ numerators


def test_a_person_counts_once_in_the_month_first_served_however_many_visits(fcon):
    # MB: Jan p1; Feb p2, p3; Mar nothing; Apr p4 (p1 and p3 return, already counted).
    assert series(cov(fcon, "SPM01", "puskesmas"), MB) == [1, 3, 3, 4]
    assert series(cov(fcon, "SPM01", "puskesmas"), MB, "numerator_month") == [1, 2, 0, 1]


def test_a_person_served_in_two_desa_counts_in_each_desa_but_once_for_the_puskesmas(fcon):
    desa = cov(fcon, "SPM01", "desa")
    # A: p1 (Jan), p2 and p3 (Feb); B: p3 and p4 (Apr); C: nobody.
    assert series(desa, A) == [1, 3, 3, 3]
    assert series(desa, B) == [0, 0, 0, 2]
    assert series(desa, C) == [0, 0, 0, 0]
    desa_sum = sum(row(desa, u, 4)["numerator"] for u in (A, B, C))
    assert desa_sum == 5  # p3 is in A and in B
    assert row(cov(fcon, "SPM01", "puskesmas"), MB, 4)["numerator"] == 4  # recomputed, not summed


def test_distinct_persons_are_recomputed_for_the_kabupaten_not_summed(fcon):
    # Individual first months: p1 Jan; p2, p3, p6, p7 Feb; p4, p8 Apr; plus TK's March aggregate 2.
    kab = cov(fcon, "SPM01", "kabupaten")
    assert series(kab, REGENCY) == [1, 5, 7, 9]
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert row(pusk, MB, 4)["numerator"] + row(pusk, TK, 4)["numerator"] == 10  # p1 served at both


def test_aggregate_reports_count_only_for_slices_without_individual_records(fcon):
    pusk = cov(fcon, "SPM01", "puskesmas")
    # TK: Feb p6, p7; March only the aggregate report (2); Apr p1, p8.
    assert series(pusk, TK) == [0, 2, 4, 6]
    # MB's April aggregate (5) is ignored: MB has individual April ANC_K6 records.
    assert row(pusk, MB, 4)["numerator_month"] == 1
    desa = cov(fcon, "SPM01", "desa")
    assert series(desa, D) == [0, 1, 3, 5]  # the aggregate row names desa D


def test_persons_with_at_least_four_visits_count_distinct_dates(fcon):
    # p2's visit dates: Jan 5 (two records, one visit), Feb 3, Feb 10, Mar 10 -> 4th on Mar 10.
    k4 = cov(fcon, "KIA_K4", "puskesmas")
    assert series(k4, MB) == [0, 0, 1, 1]
    # TK has antenatal records (K6) but nobody with four dates: zero, with data.
    assert series(k4, TK) == [0, 0, 0, 0]
    assert row(k4, TK, 4)["status"] == "di_bawah"


def test_events_count_every_record_and_add_up_across_levels(fcon):
    visits = cov(fcon, "ILP_KUNJUNGAN_RUMAH", "desa")
    assert series(visits, C) == [2, 3, 3, 3]
    assert series(visits, A) == [0, 1, 1, 1]
    pusk = cov(fcon, "ILP_KUNJUNGAN_RUMAH", "puskesmas")
    assert series(pusk, MB) == [2, 4, 4, 4]
    # per 1 000 penduduk: MB penduduk = 2000 + 1500 + 1000 = 4500; 4 visits -> 0.889 per 1 000.
    assert row(pusk, MB, 4)["denominator"] == 4500
    assert row(pusk, MB, 4)["coverage"] == pytest.approx(4 / 4500 * 1000)
    assert row(pusk, MB, 4)["unit"] == "per_1000"


def test_age_and_result_filters_apply_to_individual_records(fcon):
    measured = cov(fcon, "GIZI_UKUR_TB", "puskesmas")
    stunting = cov(fcon, "GIZI_STUNTING", "puskesmas")
    # MB measured b10, b11, b13 (b12 is 5 years old); one of them stunted: 1 / 3.
    assert row(measured, MB, 4)["numerator"] == 3
    assert row(stunting, MB, 4)["numerator"] == 1
    assert row(stunting, MB, 4)["denominator"] == 3
    assert row(stunting, MB, 4)["coverage"] == pytest.approx(100 / 3)


def test_a_ratio_over_another_indicator_uses_the_same_records_as_its_numerator(fcon):
    # TK reported 10 toddlers measured as an aggregate: they count as measured (GIZI_UKUR_TB) but
    # an aggregate has no results, so TK has no stunting figure rather than "0 % stunting".
    assert row(cov(fcon, "GIZI_UKUR_TB", "puskesmas"), TK, 4)["numerator"] == 10
    tk = row(cov(fcon, "GIZI_STUNTING", "puskesmas"), TK, 4)
    assert tk["status"] == "tidak_ada_data"
    assert math.isnan(tk["coverage"])


# ------------------------------------------------------------------ denominators


def test_puskesmas_denominator_is_its_own_sasaran_else_the_sum_of_its_desa(fcon):
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert row(pusk, MB, 4)["denominator"] == 24  # 10 + 8 + 6 (no puskesmas figure)
    assert row(pusk, TK, 4)["denominator"] == 11  # own figure, not 5 + 0
    assert row(cov(fcon, "SPM01", "kabupaten"), REGENCY, 4)["denominator"] == 35  # 24 + 11


def test_a_zero_denominator_gives_no_data_not_infinity(fcon):
    e = row(cov(fcon, "SPM01", "desa"), E, 4)  # p7 served, sasaran 0
    assert e["numerator"] == 1
    assert e["status"] == "tidak_ada_data"
    assert math.isnan(e["coverage"])


def test_a_missing_denominator_gives_no_data(fcon):
    # No ibu_bersalin sasaran was uploaded at all.
    spm02 = cov(fcon, "SPM02", "kabupaten")
    assert set(spm02["status"]) == {"tidak_ada_data"}


# ------------------------------------------------------------------ coverage, target line, status


def test_coverage_is_cumulative_numerator_over_the_annual_denominator(fcon):
    kab = row(cov(fcon, "SPM01", "kabupaten"), REGENCY, 4)
    assert kab["coverage"] == pytest.approx(9 / 35 * 100)  # 25.71 %
    assert kab["target_to_date"] == pytest.approx(100 * 4 / 12)  # 33.33 %
    assert kab["annual_target"] == 100


def test_status_follows_the_pro_rated_target_and_the_near_target_bound(fcon):
    desa = cov(fcon, "SPM01", "desa")
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert row(pusk, TK, 4)["status"] == "tercapai"  # 6/11 = 54.5 % >= 33.3 %
    assert row(desa, A, 4)["status"] == "mendekati"  # 30 % / 33.3 % = 0.90 >= 0.80
    assert row(desa, B, 4)["status"] == "di_bawah"  # 25 % / 33.3 % = 0.75
    assert row(desa, C, 4)["status"] == "di_bawah"  # 0 served while MB reports: zero, not no data
    assert row(desa, A, 3)["status"] == "tercapai"  # March: 30 % >= 25 %


def test_a_unit_has_no_data_until_its_puskesmas_first_reports(fcon):
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert row(pusk, TK, 1)["status"] == "tidak_ada_data"  # TK's first ANC_K6 data in February
    assert row(pusk, TK, 2)["status"] != "tidak_ada_data"
    assert row(cov(fcon, "SPM01", "desa"), D, 1)["status"] == "tidak_ada_data"


def test_a_month_without_data_keeps_the_cumulative_figure(fcon):
    mb = cov(fcon, "SPM01", "puskesmas")
    assert row(mb, MB, 3)["numerator"] == row(mb, MB, 2)["numerator"] == 3
    assert row(mb, MB, 3)["status"] == "di_bawah"  # 12.5 % vs 25 %: still a figure, not blank


def test_a_target_override_applies_to_its_year_and_regency_only(fcon):
    # catalogue: IMUN_IDL default 90 %, Maros (73.09) 2025 override 95 %.
    assert set(cov(fcon, "IMUN_IDL", "kabupaten", year=2025, through=6)["annual_target"]) == {95}
    assert set(cov(fcon, "IMUN_IDL", "kabupaten", year=2024, through=6)["annual_target"]) == {90}
    june = row(cov(fcon, "IMUN_IDL", "puskesmas", year=2025, through=6), MB, 6)
    assert june["target_to_date"] == pytest.approx(95 * 6 / 12)


# ------------------------------------------------------------------ PWS reading, gap, projection


def test_pws_four_way_reading_for_desa_a(fcon):
    desa = cov(fcon, "SPM01", "desa")
    # Feb: cumulative 30 % above 16.7 %, month 20 % up from 10 % -> Baik.
    assert (row(desa, A, 2)["trend"], row(desa, A, 2)["pws_reading"]) == ("naik", "baik")
    # Mar: cumulative 30 % above 25 %, month 0 % down from 20 % -> Kurang.
    assert (row(desa, A, 3)["trend"], row(desa, A, 3)["pws_reading"]) == ("turun", "kurang")
    # Apr: 30 % below 33.3 %, month 0 % equal to March: flat is not falling (catalogue status.flat_trend) -> Cukup.
    assert (row(desa, A, 4)["trend"], row(desa, A, 4)["pws_reading"]) == ("tetap", "cukup")
    # Desa B in April: 25 % below 33.3 %, month 25 % up from 0 % -> Cukup.
    assert row(desa, B, 4)["pws_reading"] == "cukup"


def test_the_first_month_and_months_after_no_data_have_no_trend(fcon):
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert pd.isna(row(pusk, MB, 1)["pws_reading"])
    assert pd.isna(row(pusk, TK, 2)["pws_reading"])  # January had no data to compare with


def test_gap_is_people_still_to_serve_by_december(fcon):
    pusk = cov(fcon, "SPM01", "puskesmas")
    assert row(pusk, MB, 4)["gap"] == 20  # 100 % × 24 − 4
    assert row(pusk, MB, 4)["gap_per_month"] == 3  # 20 over 8 months left, rounded up
    assert row(pusk, TK, 4)["gap"] == 5  # 11 − 6
    assert row(cov(fcon, "SPM01", "kabupaten"), REGENCY, 4)["gap"] == 26  # 35 − 9
    assert row(cov(fcon, "SPM01", "desa"), D, 4)["gap"] == 0  # 5 of 5: never negative


def test_gap_is_not_given_for_lower_is_better_or_ratio_indicators(fcon):
    stunting = row(cov(fcon, "GIZI_STUNTING", "puskesmas"), MB, 4)
    assert pd.isna(stunting["gap"])


def test_projection_extends_the_pace_of_the_last_three_months(fcon):
    mb = row(cov(fcon, "SPM01", "puskesmas"), MB, 4)
    # new in Feb 2, Mar 0, Apr 1 -> 1 a month; 4 + 1 × 8 months = 12 of 24 -> 50 %.
    assert mb["projected_numerator"] == pytest.approx(12)
    assert mb["projected_coverage"] == pytest.approx(50)
    assert mb["projected_status"] == "di_bawah"
    kab = row(cov(fcon, "SPM01", "kabupaten"), REGENCY, 4)
    # new in Feb 4, Mar 2, Apr 2 -> 8/3 a month; 9 + 8 × 8/3 = 30.33 of 35.
    assert kab["projected_coverage"] == pytest.approx((9 + 8 * 8 / 3) / 35 * 100)


# ------------------------------------------------------------------ windows


def test_a_single_month_counts_everyone_served_that_month(fcon):
    april = coverage(fcon, "SPM01", level="puskesmas", year=2024, first=4, through=4, principal=DINAS)
    # In April alone MB served p1, p3 and p4 (p1 and p3 were counted earlier in the year).
    assert row(april, MB, 4)["numerator"] == 3
    assert row(april, MB, 4)["target_to_date"] == pytest.approx(100 / 12)  # one month of target


def test_a_quarter_window_counts_from_its_first_month(fcon):
    q1 = quarter_window(2024, 1)
    first_quarter = coverage(
        fcon, "SPM01", level="puskesmas", year=2024, first=q1.first, through=q1.through, principal=DINAS
    )
    assert row(first_quarter, MB, 3)["numerator"] == 3  # p1, p2, p3
    assert row(first_quarter, MB, 3)["target_to_date"] == pytest.approx(25)


def test_window_months_must_be_in_order():
    with pytest.raises(ValueError, match="months must satisfy"):
        Window(2024, 5, 4)


def test_through_defaults_to_the_last_month_with_data(fcon):
    assert snapshot(coverage(fcon, "SPM01", level="kabupaten", year=2024, principal=DINAS))["month"].tolist() == [4]


# ------------------------------------------------------------------ readiness indicators


def test_stock_items_carry_the_latest_report_forward(fcon):
    posyandu = cov(fcon, "ILP_POSYANDU", "puskesmas")
    assert series(posyandu, MB, "coverage") == pytest.approx([40, 40, 60, 60])  # 4/10, then 6/10 from March
    klaster = cov(fcon, "ILP_KLASTER", "kabupaten")
    # MB formed its clusters in Dec 2023 (carried into 2024); TK reported in March.
    assert series(klaster, REGENCY) == [1, 1, 2, 2]


def test_flow_items_sum_the_months_reported(fcon):
    lokmin = cov(fcon, "ILP_LOKMIN", "puskesmas")
    assert row(lokmin, MB, 4)["coverage"] == pytest.approx(75)  # held in 3 of 4 months
    assert row(lokmin, MB, 4)["status"] == "di_bawah"  # 0.75 of the 100 % target
    kab = row(cov(fcon, "ILP_LOKMIN", "kabupaten"), REGENCY, 4)
    assert kab["coverage"] == pytest.approx(7 / 8 * 100)  # 3 + 4 of 8 puskesmas-months
    assert kab["status"] == "mendekati"


def test_readiness_indicators_have_no_desa_figure(fcon):
    with pytest.raises(LevelNotAvailable):
        cov(fcon, "ILP_LOKMIN", "desa")
    assert coverage_many(fcon, ["ILP_LOKMIN"], level="desa", year=2024, through=4, principal=DINAS).empty


# ------------------------------------------------------------------ scope and shape


def test_puskesmas_scope_limits_desa_to_that_puskesmas(fcon):
    desa = cov(fcon, "SPM01", "desa", puskesmas=TK)
    assert set(desa["unit_code"]) == {D, E}
    assert set(desa["parent_code"]) == {TK}


def test_every_unit_gets_every_month(fcon):
    frame = coverage_many(
        fcon, ["SPM01", "KIA_K4", "ILP_LOKMIN"], level="puskesmas", year=2024, through=4, principal=DINAS
    )
    assert len(frame) == 3 * 2 * 4
    assert not frame.duplicated(["indicator", "unit_code", "month"]).any()


def test_status_codes_are_those_of_the_contract(fcon):
    cat = load_catalogue()
    frame = coverage_many(
        fcon, [i.code for i in cat.indicators], level="puskesmas", year=2024, through=4, principal=DINAS
    )
    assert set(frame["status"]) <= {"tercapai", "mendekati", "di_bawah", "tidak_ada_data"}
    assert set(frame["pws_reading"].dropna()) <= {"baik", "kurang", "cukup", "jelek"}
