"""The classic PWS chart and table per desa (ilp_metrics.metrics.desa, figures.charts.pws_bars), hand-checked
on the coverage fixture (tests/fixtures/coverage_fixture.py), SPM01 (K6 antenatal care, target 100 %) of
puskesmas Maros Baru, January–April 2024:

  desa A Mattirotasi: sasaran 10; new women Jan 1 (p1), Feb 2 (p2, p3), Mar 0, Apr 0 -> cumulative 3 = 30 %
  desa B Majannang:   sasaran 8;  Apr 2 (p3 again, now in B; p4) -> cumulative 2 = 25 %
  desa C Pallantikang: sasaran 6; none -> 0 %
  target to date in April = 100 % × 4 / 12 = 33,3 %: in people A ⌈3,33⌉ = 4, B ⌈2,67⌉ = 3, C ⌈2,0⌉ = 2
  gap to December A 10 − 3 = 7, B 8 − 2 = 6, C 6; per month (8 months left) A ⌈7/8⌉ = 1, B 1, C 1
"""

from __future__ import annotations

import pandas as pd
import pytest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.figures import charts, slides
from ilp_metrics.metrics.desa import PWS_COLUMNS, desa_table, pws_table

from .conftest import DINAS, MB
from .fixtures.coverage_fixture import A, B, C

CAT = load_catalogue()


def table(fcon, through: int = 4, indicator: str = "SPM01"):
    return desa_table(
        fcon,
        principal=DINAS,
        regency="73.09",
        year=2024,
        through=through,
        puskesmas=MB,
        indicator=indicator,
        catalogue=CAT,
    )


def test_the_pws_table_has_the_columns_health_staff_know_with_hand_computed_values(fcon):
    pws = pws_table(table(fcon), CAT)
    assert list(pws.columns) == PWS_COLUMNS
    rows = pws.set_index("unit_code")
    got = rows.loc[[A, B, C], ["sasaran", "target_people", "last_month", "this_month", "cumulative", "gap"]]
    assert got.astype(float).values.tolist() == [[10, 4, 0, 0, 3, 7], [8, 3, 0, 2, 2, 6], [6, 2, 0, 0, 0, 6]]
    assert rows.loc[A, "coverage"] == pytest.approx(30.0) and rows.loc[B, "coverage"] == pytest.approx(25.0)
    assert list(rows.loc[[A, B, C], "gap_per_month"]) == [1, 1, 1]


def test_the_pws_table_reads_status_trend_and_the_four_way_reading(fcon):
    rows = pws_table(table(fcon), CAT).set_index("unit_code")
    # A: 30 % ≥ 0,8 × 33,3 % (near), flat month -> not falling (catalogue status.flat_trend) -> Cukup.
    assert tuple(rows.loc[A, ["status", "trend", "pws_reading"]]) == ("mendekati", "tetap", "cukup")
    # B: 25 % < 0,8 × 33,3 %, April 2 after March 0 -> rising -> Cukup.
    assert tuple(rows.loc[B, ["status", "trend", "pws_reading"]]) == ("di_bawah", "naik", "cukup")


def test_a_flat_trend_reads_as_falling_only_when_the_catalogue_says_so(fcon):
    import dataclasses

    strict = dataclasses.replace(CAT, status=dataclasses.replace(CAT.status, flat_trend_reads_as="falling"))
    frame = desa_table(
        fcon, principal=DINAS, regency="73.09", year=2024, through=4, puskesmas=MB, indicator="SPM01", catalogue=strict
    )
    assert frame.rows.set_index("unit_code").loc[A, "pws_reading"] == "jelek"


def test_in_december_the_per_month_column_does_not_repeat_the_gap(fcon):
    pws = pws_table(table(fcon, through=12), CAT).set_index("unit_code")
    assert pws.loc[A, "gap"] == 7  # still 7 women to serve ...
    assert pws["gap_per_month"].isna().all()  # ... and no month left to spread them over


def test_the_pws_chart_sorts_the_desa_and_writes_each_value_on_its_bar(fcon):
    fig = charts.pws_bars(pws_table(table(fcon), CAT), "SPM01", area="Maros Baru", period="April 2024", lang="id")
    bars = fig.data[0]
    assert list(bars.x) == ["Mattirotasi", "Majannang", "Pallantikang"]  # best covered first
    assert list(bars.text) == ["30 %", "25 %", "0 %"]
    assert list(bars.marker.color) == [CAT.status.colour(s) for s in ("mendekati", "di_bawah", "di_bawah")]


def test_the_pws_chart_draws_the_target_line_at_month_over_twelve_of_the_annual_target(fcon):
    fig = charts.pws_bars(pws_table(table(fcon), CAT), "SPM01", area="Maros Baru", period="April 2024", lang="id")
    line = fig.layout.shapes[0]
    assert line.y0 == line.y1 == pytest.approx(100 * 4 / 12)
    assert any("33,3 %" in a.text for a in fig.layout.annotations)


def test_the_slide_draws_the_same_pws_chart_at_projector_size(fcon):
    pws = pws_table(table(fcon), CAT)
    page = charts.pws_bars(pws, "SPM01", area="Maros Baru", period="April 2024", lang="id")
    slide = slides.pws_slide(pws, "SPM01", area="Maros Baru", period="April 2024", lang="id")
    assert list(slide.data[0].x) == list(page.data[0].x) and list(slide.data[0].y) == list(page.data[0].y)
    assert slide.data[0].textfont.size >= 20


# ------------------------------------------------------------------ polarity


def test_a_lower_is_better_indicator_has_its_own_axis_title():
    assert charts.axis_title(CAT.indicator("SPM01"), "id") == "Cakupan (%)"
    assert charts.axis_title(CAT.indicator("GIZI_STUNTING"), "id") == "Prevalensi (%)"
    assert charts.axis_title(CAT.indicator("DBD_IR"), "id") == "Angka per 100.000"
    assert charts.axis_title(CAT.indicator("GIZI_STUNTING"), "en") == "Prevalence (%)"


def test_a_rate_better_than_its_ceiling_is_never_below_target():
    stunting = CAT.indicator("GIZI_STUNTING")
    assert charts.status_label(CAT, "tercapai", stunting, "id") == "Di bawah batas"
    assert charts.status_label(CAT, "di_bawah", stunting, "id") == "Di atas batas"
    assert charts.status_label(CAT, "di_bawah", CAT.indicator("SPM01"), "id") == "Di bawah target"


def test_the_ranking_of_a_prevalence_uses_ceiling_words(fcon):
    frame = pd.DataFrame(
        {
            "indicator": ["GIZI_STUNTING"] * 2,
            "unit_code": ["x", "y"],
            "unit_name": ["X", "Y"],
            "coverage": [10.0, 30.0],
            "status": ["tercapai", "di_bawah"],
            "numerator": [1, 3],
            "denominator": [10, 10],
            "gap": [None, None],
            "target_to_date": [14.0, 14.0],
        }
    )
    fig = charts.ranking_bar(frame, "GIZI_STUNTING", area="Maros", period="2024", lang="id")
    text = " ".join(fig.data[0].text)
    assert "Di bawah batas" in text and "Di atas batas" in text and "target" not in text
    assert fig.layout.xaxis.title.text == "Prevalensi (%)"


# ------------------------------------------------------------------ value labels clear of the target line


def test_a_value_label_that_would_touch_the_target_line_stands_just_above_it():
    # 120 points over 240 px: 0,5 per px; a 16 px label is 1,4 × 16 × 0,5 = 11,2 tall, 6 px clear = 3.
    lifts = charts.lifted_labels([30.0, 34.0, 10.0, 60.0, None], 33.3, span=120.0, plot_px=240.0, font_px=16)
    assert lifts[0] == lifts[1] == pytest.approx(33.3 + 3.0)  # 30: its label would cross; 34: it sits on it
    assert lifts[2:] == [None, None, None]  # 10 ends well below, 60 well above: labels on their bars


def test_the_pws_chart_draws_a_value_next_to_the_target_line_above_the_line(fcon):
    fig = charts.pws_bars(pws_table(table(fcon), CAT), "SPM01", area="Maros Baru", period="April 2024", lang="id")
    bars = fig.data[0]
    assert list(bars.textposition) == ["none", "outside", "outside"]  # 30 % is 3,3 points under 33,3 %
    lifted = [a for a in fig.layout.annotations if a.text == "30 %"]
    assert len(lifted) == 1 and lifted[0].x == "Mattirotasi" and lifted[0].y > 100 * 4 / 12
    assert lifted[0].yanchor == "bottom"
