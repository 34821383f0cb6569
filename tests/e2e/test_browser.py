"""The dashboard in a real browser (Debian's chromium): every page in both districts and both languages,
the language switch, filters carried across pages, a projector-size screen, and an XLSX upload.

Screenshots go to artifacts/screenshots/ (git-ignored) for people to look at.

To add a page: append `(url_path, name)` to PAGES (`url_path` as given to st.Page in dashboard.py, ""
for the default page); optionally add words it must show to MUST_SHOW.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from ilp_metrics.core.i18n import t

from .conftest import keep_failure_evidence, new_page
from .helpers import (
    assert_no_exception,
    current_path,
    main_text,
    nav_labels,
    open_app_page,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

# The app's pages: (url path, screenshot name). Append a line to test one more page.
PAGES = [
    ("", "ringkasan"),
    ("klaster", "klaster"),
    ("puskesmas", "puskesmas"),
    ("desa", "desa"),
    ("perbandingan", "perbandingan"),
    ("kamus", "kamus"),
    ("unggah", "unggah"),
    ("kualitas", "kualitas"),
]

# Optional: words a page must show, per language (by screenshot name).
MUST_SHOW = {
    "ringkasan": {"id": "Standar Pelayanan Minimal", "en": "Minimum Service Standards"},
    "klaster": {"id": "Peringkat puskesmas", "en": "Puskesmas ranking"},  # not a chart title: SVG text may lag
    "puskesmas": {"id": "PWS per desa", "en": "PWS by desa"},
    "desa": {"id": "Semua indikator desa ini", "en": "Every indicator of this desa"},
    "perbandingan": {"id": "Sejak mulai ILP", "en": "Since the ILP start"},
    "kamus": {"id": "Aturan perhitungan", "en": "How the figures are built"},
    "unggah": {"id": "Riwayat unggahan", "en": "Upload history"},
    "kualitas": {"id": "Daftar temuan", "en": "Findings"},
}

LANGS = ["id", "en"]
DISTRICTS = [("73.09", "Maros"), ("73.22", "Luwu Utara")]
LANGUAGE_LABELS = {"id": "Bahasa Indonesia", "en": "English"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _in_language(page, lang: str) -> None:
    """The sidebar's page names are those of `lang` (the first page's name, from the message catalogue)."""
    assert t("nav.overview", lang) in nav_labels(page), f"sidebar not in '{lang}': {nav_labels(page)}"


def _opened(page, path: str) -> None:
    assert current_path(page) == path, f"/{path} is not a page of the app (landed on {page.url})"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("regency", "district"), DISTRICTS, ids=[_slug(d) for _, d in DISTRICTS])
@pytest.mark.parametrize(("path", "name"), PAGES, ids=[n for _, n in PAGES])
def test_page_opens_without_error(page, server, path, name, regency, district, lang):
    query = {"kabupaten": regency} if lang == "id" else {"kabupaten": regency, "lang": lang}  # id is the default
    open_page(page, server, path, **query)
    _opened(page, path)
    assert_no_exception(page)
    _in_language(page, lang)
    words = MUST_SHOW.get(name, {}).get(lang)
    if words:
        assert words in main_text(page)
    assert f"kabupaten={regency}" in page.url  # the sidebar kept the link's kabupaten
    regency_box = page.get_by_role("combobox", name=t("filter.regency", lang), exact=True)
    assert district.upper() in regency_box.input_value().upper()
    screenshot(page, f"{name}_{_slug(district)}_{lang}")


@pytest.mark.parametrize(("path", "name"), PAGES, ids=[n for _, n in PAGES])
def test_language_switch_in_the_sidebar(page, server, path, name):
    open_page(page, server, path)  # no ?lang=: Bahasa Indonesia
    _in_language(page, "id")
    before = main_text(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(LANGUAGE_LABELS["en"], exact=True).click()
    wait_for_app(page)
    _in_language(page, "en")
    assert "lang=en" in page.url
    _opened(page, path)
    assert main_text(page) != before, "the page's text did not change with the language"
    if MUST_SHOW.get(name, {}).get("en"):
        assert MUST_SHOW[name]["en"] in main_text(page)
    assert_no_exception(page)
    screenshot(page, f"{name}_switched_to_en")
    sidebar.get_by_text(LANGUAGE_LABELS["id"], exact=True).click()
    wait_for_app(page)
    _in_language(page, "id")
    assert "lang=id" in page.url
    assert_no_exception(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_filters_change_the_figures_and_travel_between_pages(page, server):
    open_page(page, server, "", kabupaten="73.22", tahun="2025", bulan="12")
    assert "Data s.d. Desember 2025" in main_text(page)
    _choose(page, t("filter.month", "id"), "Juni 2025")
    assert "Data s.d. Juni 2025" in main_text(page)
    assert "bulan=6" in page.url
    screenshot(page, "filter_month_juni_2025")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.puskesmas", "id")).click()
    wait_for_app(page)
    _opened(page, "puskesmas")
    assert "s.d. Juni 2025" in main_text(page)  # the month carried to the next page
    assert "kabupaten=73.22" in page.url and "bulan=6" in page.url
    assert_no_exception(page)


def test_projector_size_overview(browser, server, request, start_server):
    context, page = new_page(browser, viewport={"width": 1280, "height": 720})
    try:
        open_page(page, server, "", kabupaten="73.09")
        assert_no_exception(page)
        assert page.get_by_role("heading", name=t("overview.title", "id", area="Kabupaten Maros")).is_visible()
        first_screen = screenshot(page, "projector_1280x720_ringkasan").with_name("projector_1280x720_first_screen.png")
        page.screenshot(path=str(first_screen))  # what the hall sees without scrolling
        # Nothing wider than the screen: no horizontal scrolling on a projector.
        overflow = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                           return m.scrollWidth - m.clientWidth; }""")
        assert overflow <= 1, f"the overview is {overflow}px wider than a 1280px screen"
    finally:
        keep_failure_evidence(request, page, start_server.started)
        context.close()


def test_a_shared_link_opened_first_on_a_fresh_server_shows_the_dashboard(browser, request, start_server):
    """The first visitor of a just-started server opens /klaster: the page with the dashboard's sidebar
    (filters, page names in the session's language), never a page run alone or a list of module files."""
    fresh = start_server()
    context, page = new_page(browser)
    try:
        open_page(page, fresh.url, "klaster", kabupaten="73.22")
        _opened(page, "klaster")
        assert_no_exception(page)
        assert "Page not found" not in page.inner_text("body")  # Streamlit's dialog for an unknown address
        _in_language(page, "id")
        labels = {label.lower() for label in nav_labels(page)}
        assert not labels & {"auth", "shared", "session", "masuk", "filters", "cache", "db", "format", "export ui"}
        assert MUST_SHOW["klaster"]["id"] in main_text(page)
        regency_box = page.get_by_role("combobox", name=t("filter.regency", "id"), exact=True)
        assert "LUWU UTARA" in regency_box.input_value().upper()
    finally:
        keep_failure_evidence(request, page, start_server.started)
        context.close()
        fresh.stop()


def _monthly_report(folder, puskesmas: str, desa: str, services: list[str]):
    """A `capaian` monthly aggregate report for January 2026, as a puskesmas sends it: a title row, then
    the header `Periode, Kode Puskesmas, Kode Desa, Kode Layanan, Jumlah`."""
    path = folder / f"laporan_bulanan_{puskesmas}_2026-01.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Laporan"
    ws.append([f"LAPORAN BULANAN PUSKESMAS {puskesmas} — JANUARI 2026"])
    ws.append(["Periode", "Kode Puskesmas", "Kode Desa", "Kode Layanan", "Jumlah"])
    ws.append(["2026-01", puskesmas, desa, services[0], 5])
    ws.append(["2026-01", puskesmas, desa, services[1], 7])
    wb.save(path)
    return path


def test_upload_a_real_xlsx_through_the_browser(page, server, start_server, demo_db, tmp_path):
    open_app_page(page, server, "unggah")
    private = start_server()  # this test writes: its own server on its own database copy
    code, _pusk_name, desa = demo_db.puskesmas["73.09"][0]
    services = demo_db.service_codes[:2]
    xlsx = _monthly_report(tmp_path, code, desa, services)

    open_page(page, private.url, "unggah", kabupaten="73.09")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(xlsx)
    page.get_by_text(t("upload.file_header", "id", name=xlsx.name), exact=True).wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert t("upload.kind.capaian", "id") in main_text(page)  # the kind was detected from the header
    screenshot(page, "upload_1_preview")

    page.get_by_role("button", name=t("upload.check", "id"), exact=True).click()
    page.get_by_text(t("upload.ready", "id"), exact=True).wait_for()  # the validation report: no refusal
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "upload_2_checked")

    save_label = t("upload.save", "id")
    assert "Simpan" in save_label
    page.get_by_role("button", name=save_label, exact=True).click()
    page.get_by_text(re.compile(r"Tersimpan sebagai unggahan #\d+")).wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    text = main_text(page)
    assert "2 baris diterima" in text
    # The history table lists the new file. st.dataframe draws on a canvas; the text of the rows in view
    # is in its (visually hidden) accessible table, hence "attached", not "visible".
    history = page.get_by_test_id("stDataFrame").locator('[role="gridcell"]', has_text=xlsx.name)
    history.first.wait_for(state="attached")
    screenshot(page, "upload_3_saved")

    # Every page reads the new month: January 2026 is now a choice and the overview uses it.
    open_page(page, private.url, "", kabupaten="73.09", tahun="2026", bulan="1")
    assert "Data s.d. Januari 2026" in main_text(page)
    assert_no_exception(page)
    screenshot(page, "upload_4_overview_januari_2026")

    # Only once the server has let go of the file (DuckDB: one writing process) can the test read it.
    private.stop()
    import duckdb

    with duckdb.connect(str(private.db), read_only=True) as con:
        upload = con.execute(
            "SELECT upload_id, kind, status, rows_accepted FROM uploads WHERE file_name = ?", [xlsx.name]
        ).fetchall()
        assert len(upload) == 1 and upload[0][1:] == ("capaian", "active", 2), upload
        rows = con.execute(
            "SELECT period, puskesmas_code, desa_code, service_code, count FROM capaian "
            "WHERE upload_id = ? ORDER BY count",
            [upload[0][0]],
        ).fetchall()
    assert [(str(r[0]), *r[1:]) for r in rows] == [
        ("2026-01-01", code, desa, services[0], 5),
        ("2026-01-01", code, desa, services[1], 7),
    ]
