"""The dashboard in a real browser: every page, both districts, both languages; filters; an upload.

Screenshots go to artifacts/screenshots/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import openpyxl
import pytest

from .helpers import SHOTS, assert_no_exception, main_text, open_page, screenshot, wait_ready

PAGES = [  # (url path, screenshot name, words the page must show in Bahasa Indonesia, in English)
    ("", "ringkasan", "Standar Pelayanan Minimal", "Minimum Service Standards"),
    ("klaster", "klaster", "Status tiap puskesmas", "Status of each puskesmas"),
    ("puskesmas", "puskesmas", "PWS per desa", "PWS by desa"),
    ("kamus", "kamus", "Aturan perhitungan", "How the figures are built"),
    ("unggah", "unggah", "Riwayat unggahan", "Upload history"),
]
DISTRICTS = [("73.09", "Maros"), ("73.22", "Luwu Utara")]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("regency, district", DISTRICTS)
@pytest.mark.parametrize("path, name, words_id, words_en", PAGES)
def test_every_page_in_both_districts_and_languages(page, server, path, name, words_id, words_en,
                                                      regency, district, lang):
    open_page(page, server, path, lang=lang, kabupaten=regency)
    assert_no_exception(page)
    assert (words_id if lang == "id" else words_en) in main_text(page)
    assert f"kabupaten={regency}" in page.url  # the sidebar kept the kabupaten of the link
    assert district.upper() in page.get_by_role("combobox", name=("Kabupaten/kota" if lang == "id" else
                                                                  "District (kabupaten/kota)")).input_value().upper()
    if name in ("ringkasan", "klaster"):
        assert district in main_text(page)
    screenshot(page, f"{name}_{district.replace(' ', '_').lower()}_{lang}")


def test_language_switch_in_the_sidebar(page, server):
    open_page(page, server, "", kabupaten="73.09")
    assert "Ringkasan ILP" in main_text(page)
    page.get_by_text("English", exact=True).click()
    wait_ready(page)
    assert "ILP overview" in main_text(page)
    assert "lang=en" in page.url
    assert_no_exception(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_ready(page)


def test_filters_change_the_figures_and_travel_between_pages(page, server):
    open_page(page, server, "", kabupaten="73.22", tahun="2025", bulan="12")
    assert "Data s.d. Desember 2025" in main_text(page)
    _choose(page, "Data sampai bulan", "Juni 2025")
    assert "Data s.d. Juni 2025" in main_text(page)
    assert "bulan=6" in page.url
    screenshot(page, "filter_month_juni_2025")
    page.get_by_role("link", name="Puskesmas").first.click()
    wait_ready(page)
    assert "s.d. Juni 2025" in main_text(page)  # the month carried to the next page
    assert_no_exception(page)


def test_projector_size_overview(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        open_page(page, server, "", kabupaten="73.09")
        assert_no_exception(page)
        page.screenshot(path=str(SHOTS / "projector_1280x720_first_screen.png"))  # what the hall sees
        screenshot(page, "projector_1280x720_ringkasan")
    finally:
        context.close()


def test_upload_a_real_xlsx_through_the_browser(page, server, e2e_db, tmp_path):
    # A monthly aggregate report as a puskesmas sends it: a title row, then the header.
    pusk, desa = (e2e_db.parent / "codes.txt").read_text().split(",")
    xlsx = tmp_path / "laporan_bulanan_januari_2026.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["LAPORAN BULANAN PUSKESMAS — JANUARI 2026"])
    ws.append(["Periode", "Kode Puskesmas", "Kode Desa", "Kode Layanan", "Jumlah"])
    ws.append(["2026-01", pusk, desa, "ANC_K6", 5])
    ws.append(["2026-01", pusk, desa, "ANC_K1", 7])
    wb.save(xlsx)

    open_page(page, server, "unggah", kabupaten="73.09")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(xlsx))
    page.get_by_text("File: laporan_bulanan_januari_2026.xlsx").wait_for()
    wait_ready(page)
    assert "Laporan bulanan agregat" in main_text(page)
    screenshot(page, "upload_1_preview")
    page.get_by_role("button", name="Periksa file").click()
    page.get_by_text("File siap disimpan.").wait_for()
    wait_ready(page)
    screenshot(page, "upload_2_checked")
    page.get_by_role("button", name="Simpan ke basis data").click()
    page.get_by_text("Tersimpan sebagai unggahan").wait_for()
    wait_ready(page)
    assert_no_exception(page)
    screenshot(page, "upload_3_saved")
    assert "2 baris diterima" in main_text(page)

    # The new month is now a choice, and the overview reads it.
    open_page(page, server, "", kabupaten="73.09", tahun="2026", bulan="1")
    assert "Data s.d. Januari 2026" in main_text(page)
    assert_no_exception(page)
    screenshot(page, "upload_4_overview_januari_2026")
