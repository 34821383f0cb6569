"""The comparison page in a real browser on the demo database: Maros (pilot) against Luwu Utara
(adopter) aligned on months since each puskesmas's ILP start, the before/after table, the funnel plot
naming outlying puskesmas, the point map drawn without internet tiles, and a GeoJSON upload.
Screenshots: artifacts/screenshots/perbandingan_*.png."""

from __future__ import annotations

import json

import pytest

from ilp_metrics.core.i18n import t

from .helpers import assert_no_exception, main_text, open_app_page, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def _tab(page, key: str, lang: str = "id") -> None:
    page.get_by_role("tab", name=t(key, lang), exact=True).click()
    wait_for_app(page)


def _chart_titles(page) -> str:
    return " ".join(page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents())


def test_comparison_page_aligns_pilot_and_adopter_on_months_since_start(page, server):
    open_app_page(page, server, "perbandingan")
    open_page(page, server, "perbandingan", kabupaten="73.09", tahun="2025", bulan="12")
    assert_no_exception(page)
    text = main_text(page)
    # the cohorts named in words (perintis, pengadopsi baru), never by their codes
    pilot, adopter = t("compare.cohort.pilot", "id"), t("compare.cohort.adopter", "id")
    assert f"{pilot} (Kabupaten Maros)" in text and f"{adopter} (Kabupaten Luwu Utara)" in text
    # One aligned chart per SPM indicator (12), each with the start line label and a drawn median.
    charts = page.locator('[data-testid="stPlotlyChart"]:visible')
    assert charts.count() == 12
    assert "SPM1 Ibu hamil (K6)" in _chart_titles(page)
    assert page.locator(".js-plotly-plot .annotation-text", has_text=t("compare.chart.start", "id")).count() >= 12
    screenshot(page, "perbandingan_1_event_time")

    _tab(page, "compare.tab.calendar")
    assert_no_exception(page)
    screenshot(page, "perbandingan_2_calendar")

    _tab(page, "compare.tab.did")
    assert_no_exception(page)
    assert t("compare.page.did_note", "id") in main_text(page)  # descriptive, not causal
    screenshot(page, "perbandingan_3_before_after")


def test_funnel_plot_names_the_outlying_puskesmas(page, server):
    open_app_page(page, server, "perbandingan")
    open_page(page, server, "perbandingan", kabupaten="73.09", tahun="2025", bulan="12")
    _tab(page, "compare.tab.funnel")
    assert_no_exception(page)
    title = t(
        "compare.chart.funnel_title",
        "id",
        indicator="SPM1 Ibu hamil (K6)",
        area="Kabupaten Maros",
        period="Jan–Des 2025",
    )
    assert title in _chart_titles(page)
    # Tompobulu, the demo's deliberately weak centre, lies below the 99.8 % limit and is labelled.
    funnel = page.locator('[data-testid="stPlotlyChart"]:visible')
    assert funnel.locator(".textpoint", has_text="Tompobulu").count() == 1
    assert "Tompobulu" in main_text(page)
    screenshot(page, "perbandingan_4_funnel")


def test_map_draws_puskesmas_points_and_an_uploaded_geojson(page, server, tmp_path):
    open_app_page(page, server, "perbandingan")
    open_page(page, server, "perbandingan", kabupaten="73.09", tahun="2025", bulan="12")
    _tab(page, "compare.tab.map")
    assert_no_exception(page)
    points = page.locator('[data-testid="stPlotlyChart"]:visible').first
    assert points.locator(".textpoint", has_text="Maros Baru").count() == 1  # 14 labelled puskesmas
    assert points.locator(".textpoint").count() == 14

    # Two Maros Baru desa (one dotted, one undotted code) and one code Maros does not have.
    def square(x, y):
        return {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]],
        }

    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kode": "73.09.04.2005"}, "geometry": square(119.55, -4.99)},
            {"type": "Feature", "properties": {"KODE_DESA": "7309042006"}, "geometry": square(119.57, -4.99)},
            {"type": "Feature", "properties": {"kd_desa": "7309049999"}, "geometry": square(119.59, -4.99)},
        ],
    }
    path = tmp_path / "batas_desa.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(path)
    page.get_by_text("73.09.04.9999").first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    text = main_text(page)
    assert "2 cocok" in text
    assert page.locator('[data-testid="stPlotlyChart"]:visible').count() == 2
    screenshot(page, "perbandingan_5_map")

    bad = tmp_path / "rusak.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(bad)
    page.get_by_text("tidak dapat dibaca sebagai JSON").wait_for()
    screenshot(page, "perbandingan_6_geojson_error")
