"""The data-quality page in a real browser on the full demo: Luwu Utara 2025 shows exactly its planted
high-severity defects (Seko's missing March, Rampi's seven late monthly files), a finding leads to its
upload, and the overview marks the affected figures. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from .helpers import assert_no_exception, main_text, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_quality_page_lists_the_planted_defects_of_luwu_utara(page, server):
    open_page(page, server, "kualitas", kabupaten="73.22", tahun="2025", bulan="12")
    assert_no_exception(page)
    text = main_text(page)
    assert "Kualitas data" in text and "Daftar temuan" in text
    high = page.locator('[data-testid="stMetric"]').filter(has_text="Temuan tingkat tinggi")
    assert high.locator('[data-testid="stMetricValue"]').inner_text().strip() == "8"  # 1 missing month + 7 late files
    # The first finding (most severe, completeness first) is Seko's missing March, shown in the detail picker.
    pick = page.get_by_role("combobox", name="Pilih temuan", exact=True)
    assert "Seko: tidak ada data untuk 2025-03." in pick.input_value()
    assert "Laporan bulanan tidak ada" in text  # the check explained below the picker
    screenshot(page, "kualitas_luwu_utara_id")


def test_a_late_file_leads_to_its_upload(page, server):
    open_page(page, server, "kualitas", kabupaten="73.22", tahun="2025", bulan="12")
    pick = page.get_by_role("combobox", name="Pilih temuan", exact=True)
    pick.click()
    page.keyboard.type("layanan_2025-06")  # the picker filters its options as one types
    page.get_by_role("option").first.click()
    wait_for_app(page)
    assert_no_exception(page)
    text = main_text(page)
    assert "layanan_2025-06_P7322090201_Rampi.csv" in pick.input_value()
    assert "Unggahan terkait" in text and "Riwayat unggahan" in text  # upload table and the link to the history
    screenshot(page, "kualitas_detail_rampi_id")


def test_overview_and_puskesmas_pages_mark_affected_figures(page, server):
    open_page(page, server, "", kabupaten="73.22", tahun="2025", bulan="12", lang="en")
    assert_no_exception(page)
    assert "the data behind that figure have high-severity data-quality findings" in main_text(page)
    screenshot(page, "ringkasan_quality_marks_luwu_utara_en")
    open_page(page, server, "puskesmas", kabupaten="73.22", tahun="2025", bulan="12", puskesmas="P7322070201")
    assert_no_exception(page)
    assert "temuan kualitas data" in main_text(page)
    screenshot(page, "puskesmas_seko_quality_marks_id")
