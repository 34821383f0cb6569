"""Exports read back with their own readers: python-pptx for the deck, pypdf for the A4 report, openpyxl
for the workbook. Figures are those of the hand-checked coverage fixture (tests/test_coverage.py):

  Kabupaten Maros, 2024, data through April (the period is "Januari–April 2024").
  SPM01 (ANC K6) for the kabupaten: 9 distinct women served of a sasaran of 35 → 9 / 35 = 25,7 %;
  the annual target is 100 %, so 35 − 9 = 26 women are still to be served by December.
  Per puskesmas: Maros Baru 4 of 24 (16,7 %), Turikale 6 of 11 (54,5 %).
  Target to date in April = 100 % × 4 / 12 = 33,3 %, so Maros Baru's achievement is 16,7 / 33,3 = 0,5
  (SPM composite 50: its only SPM with data) and Turikale's 54,5 / 33,3 > 1, capped at 1 (composite 100).
  Both puskesmas started ILP on or before April 2024? Maros Baru 2023-01-01 yes, Turikale 2024-08-01 no: 1 of 2.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from ilp_metrics.cli import main
from ilp_metrics.core.db import connect
from ilp_metrics.core.i18n import t
from ilp_metrics.export import render
from ilp_metrics.export.deck import SLIDE_BUILDERS, build_deck
from ilp_metrics.export.facts import NoData, desa_figures, gather
from ilp_metrics.export.privacy import count_text
from ilp_metrics.export.xlsx_render import render_xlsx

from .conftest import DINAS

PERIOD = "Januari–April 2024"


@pytest.fixture(scope="module")
def xcon(fixture_db):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def facts(xcon):
    return gather(xcon, year=2024, regency="73.09", principal=DINAS)


@pytest.fixture(scope="module")
def deck(facts, xcon):
    return build_deck(facts, con=xcon, principal=DINAS)


@pytest.fixture(scope="module")
def pptx_file(xcon, facts):
    return Presentation(io.BytesIO(render(xcon, "pptx", facts, principal=DINAS)))


@pytest.fixture(scope="module")
def pdf_pages(xcon, facts) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(render(xcon, "pdf", facts, principal=DINAS))).pages]


def _slide_texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _chart(slide):
    return next(s.chart for s in slide.shapes if s.has_chart)


# ------------------------------------------------------------------ the figures


def test_figures_are_the_libraries_and_match_the_hand_count(facts):
    spm01 = facts.kab[facts.kab["indicator"] == "SPM01"].iloc[0]
    assert (spm01["numerator"], spm01["denominator"], int(spm01["gap"])) == (9, 35, 26)
    assert round(spm01["coverage"], 1) == 25.7
    assert (facts.running, len(facts.registry)) == (1, 2)  # Turikale starts in August 2024
    assert facts.period() == PERIOD and facts.area == "Kabupaten Maros"


def test_puskesmas_to_watch_ranks_by_the_spm_composite(facts):
    ranked = facts.spm_composite()
    assert list(ranked["unit_name"]) == ["Maros Baru", "Turikale"]
    assert [round(v) for v in ranked["composite"]] == [50, 100]


def test_an_unknown_kabupaten_has_nothing_to_export(xcon):
    with pytest.raises(NoData):
        gather(xcon, year=2024, regency="73.22", principal=DINAS)


# ------------------------------------------------------------------ the deck model


def test_the_deck_holds_the_required_slides_in_order(deck):
    keys = [s.key for s in deck.slides]
    # The fixture has one cohort only (pilot), so no pilot-vs-adopter slide: nothing to compare.
    assert keys == [
        "cover",
        "status",
        "spm",
        "pws",
        "cluster-1",
        "cluster-2",
        "cluster-3",
        "cluster-4",
        "cluster-5",
        "watch",
        "closing",
    ]


def test_a_slide_is_one_builder_in_the_list(facts, xcon):
    only = build_deck(facts, con=xcon, builders=[SLIDE_BUILDERS[0], SLIDE_BUILDERS[-1]], principal=DINAS)
    assert [s.key for s in only.slides] == ["cover", "closing"]


def test_status_slide_states_puskesmas_running_and_readiness(deck):
    status = next(s for s in deck.slides if s.key == "status")
    assert status.numbers[0].value == "1 dari 2"
    # Readiness: the kabupaten pools its puskesmas (readiness tests); here 86,1 of 100.
    assert status.numbers[1].value == "86,1"


def test_spm_slide_shows_the_coverage_and_the_people_still_to_serve(deck):
    spm = next(s for s in deck.slides if s.key == "spm")
    assert spm.chart.categories[0].startswith("SPM1")
    assert round(spm.chart.series[0].values[0], 1) == 25.7
    assert spm.chart.series[0].labels[0] == "26 %"
    assert spm.numbers[1].value == "26"  # only SPM01 has a gap: 35 − 9
    assert "dilayani 9 dari sasaran 35; kurang 26 orang" in spm.notes


def test_pws_slide_draws_the_spm_farthest_behind_per_puskesmas_sorted_with_the_target_line(deck):
    # SPM01 is the only SPM with data; Turikale 6 / 11 = 54,5 %, Maros Baru 4 / 24 = 16,7 %, best first;
    # the target line in April is 100 % × 4 / 12 = 33,3 %: Turikale is on it, Maros Baru below.
    pws = next(s for s in deck.slides if s.key == "pws")
    assert pws.chart.kind == "pws" and pws.chart.indicator == "SPM01"
    assert pws.chart.categories == ("Turikale", "Maros Baru")
    assert [round(v, 1) for v in pws.chart.series[0].values] == [54.5, 16.7]
    assert round(pws.chart.reference, 1) == 33.3 and pws.chart.reference_label == "Target s.d. bulan ini 33,3 %"
    assert pws.numbers[0].value == "1 / 2"
    assert list(pws.chart.table["target_people"]) == [4, 8]  # ⌈33,3 % × 11⌉, ⌈33,3 % × 24⌉
    assert "Maros Baru: 16,7 % (4 dari sasaran 24), Di bawah target" in pws.notes


def test_the_pws_slide_on_the_page_is_the_puskesmas_pages_pws_chart(deck):
    from ilp_metrics.figures.slides import slide_figure

    fig = slide_figure(next(s for s in deck.slides if s.key == "pws").chart, "id", height=450)
    bars = fig.data[0]
    assert list(bars.x) == ["Turikale", "Maros Baru"] and list(bars.text) == ["55 %", "17 %"]
    assert round(fig.layout.shapes[0].y0, 1) == 33.3  # the target line
    assert fig.layout.title.text.startswith("PWS SPM1 Ibu hamil (K6) per puskesmas")


def test_english_deck(facts, xcon):
    english = build_deck(
        gather(xcon, year=2024, regency="73.09", lang="en", principal=DINAS), con=xcon, principal=DINAS
    )
    assert english.slides[0].message == "Kabupaten Maros · January–April 2024"
    assert next(s for s in english.slides if s.key == "spm").title == "Health SPM: coverage against target"


# ------------------------------------------------------------------ public showing


@pytest.mark.parametrize(
    ("n", "public", "shown"),
    [
        (0, True, "0"),
        (3, True, "<5"),
        (4, True, "<5"),
        (5, True, "5"),
        (3, False, "3"),
        (1234, True, "1.234"),
        (None, True, "–"),
    ],
)
def test_public_counts_under_five_are_written_as_less_than_five(n, public, shown):
    assert count_text(n, "id", public) == shown


def test_public_deck_suppresses_a_puskesmas_count_of_four(facts, xcon):
    # Maros Baru has 4 women served for SPM01: a count a room could trace to a person.
    public = build_deck(facts, con=xcon, public=True, principal=DINAS)
    assert "<5" in next(s for s in public.slides if s.key == "cover").bullets[-1]  # the rule is announced
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(facts, public=True)))
    sheet = workbook["Puskesmas"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in sheet.iter_rows(min_row=2)]
    mb = next(r for r in rows if r["Puskesmas"] == "Maros Baru" and r["Kode indikator"] == "SPM01")
    assert mb["Dilayani (pembilang)"] == "<5"


def test_public_workbook_has_no_desa_sheet(facts, xcon):
    desa = desa_figures(xcon, facts, principal=DINAS)
    assert "Desa PWS" in openpyxl.load_workbook(io.BytesIO(render_xlsx(facts, desa=desa))).sheetnames
    assert "Desa PWS" not in openpyxl.load_workbook(io.BytesIO(render_xlsx(facts, public=True, desa=desa))).sheetnames


# ------------------------------------------------------------------ PPTX read back


def test_pptx_is_16_by_9_with_one_slide_per_deck_slide_and_the_same_titles(pptx_file, deck):
    assert round(pptx_file.slide_width / pptx_file.slide_height, 2) == round(16 / 9, 2)
    assert len(pptx_file.slides) == len(deck.slides)
    for slide, model in zip(pptx_file.slides, deck.slides):
        assert model.title in _slide_texts(slide)


def test_every_slide_names_the_district_and_the_period(pptx_file):
    for slide in pptx_file.slides:
        assert f"Kabupaten Maros · {PERIOD}" in _slide_texts(slide)


def test_pptx_charts_are_native_and_carry_the_library_values(pptx_file, deck):
    index = [s.key for s in deck.slides].index("spm")
    chart = _chart(pptx_file.slides[index])
    categories = list(chart.plots[0].categories)
    values = list(chart.plots[0].series[0].values)
    # Bar charts list categories bottom-up in PowerPoint: SPM1 is the last category, drawn on top.
    assert categories[-1].startswith("SPM1")
    assert round(values[-1], 1) == 25.7


def test_pptx_pws_slide_is_a_native_column_chart_with_a_dashed_target_line(pptx_file, deck):
    slide = pptx_file.slides[[s.key for s in deck.slides].index("pws")]
    chart = _chart(slide)
    assert list(chart.plots[0].categories) == ["Turikale", "Maros Baru"]  # left to right, best first
    assert [round(v, 1) for v in chart.plots[0].series[0].values] == [54.5, 16.7]
    from pptx.shapes.connector import Connector

    lines = [s for s in slide.shapes if isinstance(s, Connector)]
    assert len(lines) == 1 and lines[0].begin_y == lines[0].end_y  # one horizontal target line
    assert "Target s.d. bulan ini 33,3 %" in _slide_texts(slide)


def test_pptx_has_speaker_notes(pptx_file, deck):
    index = [s.key for s in deck.slides].index("spm")
    assert "kurang 26 orang" in pptx_file.slides[index].notes_slide.notes_text_frame.text


# ------------------------------------------------------------------ PDF read back


def test_pdf_overview_shows_the_district_and_the_overview_figures(pdf_pages):
    first = pdf_pages[0]
    assert "Kabupaten Maros" in first and PERIOD in first
    assert "1 dari 2" in first and "86,1" in first  # puskesmas running ILP, readiness
    # The SPM01 row as on the overview page: sasaran 35, served 9, coverage 25,7 %, still to serve 26.
    row = next(line for line in first.splitlines() if line.startswith("SPM1 Ibu hamil"))
    assert "35 9 25,7 %" in row and "26" in row


def test_pdf_has_a_section_per_cluster_and_a_page_per_puskesmas(pdf_pages, facts):
    text = "\n".join(pdf_pages)
    for cluster in facts.catalogue.clusters:
        assert f"Klaster {cluster.code}: {cluster.name.id}" in text
    maros_baru = [p for p in pdf_pages if "Puskesmas Maros Baru" in p]
    turikale = [p for p in pdf_pages if "Puskesmas Turikale" in p]
    assert len(maros_baru) == 1 and len(turikale) == 1 and maros_baru != turikale
    assert "SPM1 Ibu hamil (K6) 24 4 16,7 %" in maros_baru[0]


def test_pdf_has_a_pws_page_per_puskesmas_after_the_overview(pdf_pages):
    page = next(p for p in pdf_pages if "PWS per puskesmas: SPM1 Ibu hamil (K6), April 2024" in p)
    assert "Target s.d. bulan ini 33,3 %" in page  # the target line's label
    assert "Turikale 11 4 6 54,5 %" in page and "Maros Baru 24 8 4 16,7 %" in page
    assert pdf_pages.index(page) < next(i for i, p in enumerate(pdf_pages) if "Klaster 1:" in p)


def test_public_pdf_writes_the_small_count_as_less_than_five(xcon, facts):
    pages = [
        p.extract_text() for p in PdfReader(io.BytesIO(render(xcon, "pdf", facts, public=True, principal=DINAS))).pages
    ]
    maros_baru = next(p for p in pages if "Puskesmas Maros Baru" in p)
    assert "SPM1 Ibu hamil (K6) 24 <5 16,7 %" in maros_baru


# ------------------------------------------------------------------ Excel read back


def test_xlsx_keeps_numbers_as_numbers_with_formats(xcon, facts):
    workbook = openpyxl.load_workbook(io.BytesIO(render(xcon, "xlsx", facts, principal=DINAS)))
    assert workbook.sheetnames == ["Keterangan", "Kabupaten", "Puskesmas", "Desa PWS", "Kualitas data", "Indikator"]
    sheet = workbook["Kabupaten"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Kode indikator")].value == "SPM01")
    cell = dict(zip(header, row))
    assert cell["Sasaran (penyebut)"].value == 35 and cell["Sasaran (penyebut)"].number_format == "#,##0"
    assert cell["Dilayani (pembilang)"].value == 9
    assert round(cell["Cakupan"].value, 1) == 25.7 and cell["Cakupan"].number_format == "#,##0.0"
    assert cell["Kurang s.d. Desember (orang)"].value == 26
    codes = [r[0].value for r in workbook["Indikator"].iter_rows(min_row=2)]
    assert codes == [i.code for i in facts.catalogue.indicators]


# ------------------------------------------------------------------ CLI


@pytest.fixture
def cli_db(fixture_db, tmp_path_factory):
    """A copy of the fixture for the CLI: `export` writes its audit entry, so it opens the file for writing,
    which DuckDB refuses while this module's read-only connection is open on the shared fixture."""
    import shutil

    db = tmp_path_factory.mktemp("cli") / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    return db


def test_cli_writes_each_format(cli_db, tmp_path, capsys):
    for suffix in ("pptx", "pdf", "xlsx"):
        out = tmp_path / f"maros.{suffix}"
        code = main(["export", "--db", str(cli_db), "--year", "2024", "--out", str(out), "--kabupaten", "73.09"])
        assert code == 0 and out.stat().st_size > 1000
    assert "Ekspor ditulis" in capsys.readouterr().out


def test_cli_export_in_english_and_public(cli_db, tmp_path):
    out = tmp_path / "maros.pptx"
    assert (
        main(
            [
                "export",
                "--db",
                str(cli_db),
                "--year",
                "2024",
                "--out",
                str(out),
                "--kabupaten",
                "7309",
                "--public",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    assert Presentation(str(out)).slides[0].shapes[0].text_frame.text == "Integrated Primary Care (ILP)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "x.docx"], "--out harus berakhiran .pptx, .pdf atau .xlsx"),
        (["--out", "x.pptx", "--kabupaten", "73.22"], "tidak ada puskesmas terdaftar"),
        (["--out", "x.pptx", "--through", "2023-04"], "tidak berada di tahun"),
    ],
)
def test_cli_refuses_bad_requests_in_bahasa_indonesia(cli_db, tmp_path, capsys, argv, message):
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    assert main(["export", "--db", str(cli_db), "--year", "2024", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not list(Path(tmp_path).iterdir())  # nothing written


# ------------------------------------------------------------------ pilot vs adopter


def test_pilot_vs_adopter_slide_aligns_each_puskesmas_on_its_own_start(fixture_db, tmp_path, monkeypatch):
    # Make Turikale an adopter (start 2024-08-01) beside Maros Baru, a pilot since 2023-01-01, and let a
    # single puskesmas make a median (the slide normally needs 3).
    import shutil

    from ilp_metrics.export import deck as deck_module

    db = tmp_path / "cohorts.duckdb"
    shutil.copy(fixture_db, db)
    con = connect(db)
    con.execute("UPDATE puskesmas SET cohort = 'adopter' WHERE puskesmas_code = 'P7309140201'")
    monkeypatch.setattr(deck_module, "COMPARE_MIN_UNITS", 1)
    try:
        facts = gather(con, year=2024, regency="73.09", principal=DINAS)
        slide = next(s for s in build_deck(facts, con=con, principal=DINAS).slides if s.key == "compare")
        pptx = Presentation(io.BytesIO(render(con, "pptx", facts, principal=DINAS)))
    finally:
        con.close()
    pilot, adopter = slide.chart.series
    assert (pilot.name, adopter.name) == ("Perintis (1 puskesmas)", "Pengadopsi baru (1 puskesmas)")
    x = list(slide.chart.categories)
    # Maros Baru, January 2024 = month 12 since its start: 1 woman served ÷ (24 ÷ 12) = 50 %.
    assert pilot.values[x.index("12")] == pytest.approx(50.0)
    # Turikale, February 2024 = month −6 before its start: 2 women (p6, p7) ÷ (11 ÷ 12) = 218,2 %.
    assert adopter.values[x.index("-6")] == pytest.approx(2 / (11 / 12) * 100)
    assert slide.numbers == ()  # neither puskesmas has months on both sides of its start in 2024
    assert "compare" not in [
        s.key for s in build_deck(facts, principal=DINAS).slides
    ]  # no connection: no comparison computed
    charts = [sh.chart for s in pptx.slides for sh in s.shapes if sh.has_chart]
    xy = [c for c in charts if c.chart_type == 74]  # XL_CHART_TYPE.XY_SCATTER_LINES
    assert len(xy) == 1 and [s.name for s in xy[0].plots[0].series] == [pilot.name, adopter.name]


def test_closing_slide_counts_the_uploads_holding_this_kabupatens_rows(deck):
    closing = next(s for s in deck.slides if s.key == "closing")
    # The fixture loaded one file of each kind for Maros.
    for kind in ("Catatan layanan individu", "Laporan agregat bulanan", "Sasaran", "Kesiapan ILP"):
        assert any(b.startswith(f"{kind}: 1 berkas, terakhir diunggah") for b in closing.bullets), kind


def test_without_the_dejavu_font_the_pdf_is_refused_with_the_package_to_install(cli_db, tmp_path, capsys, monkeypatch):
    from ilp_metrics.export import fonts

    monkeypatch.setattr(fonts, "FONT_DIRS", [tmp_path / "no-fonts"])
    out = tmp_path / "maros.pdf"
    code = main(["export", "--db", str(cli_db), "--year", "2024", "--out", str(out), "--kabupaten", "73.09"])
    assert code == 1 and not out.exists()
    assert "fonts-dejavu-core" in capsys.readouterr().err


# ------------------------------------------------------------------ polarity in the files


def test_workbook_and_pdf_name_a_prevalence_above_its_ceiling_in_ceiling_words(facts, xcon, pdf_pages):
    # Fixture: stunting in Maros 1 of 3 measured children = 33,3 %, above the 14 % ceiling.
    stunting = facts.kab[facts.kab["indicator"] == "GIZI_STUNTING"].iloc[0]
    assert round(stunting["coverage"], 1) == 33.3 and stunting["status"] == "di_bawah"
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(facts)))
    sheet = workbook[t("export.xlsx.sheet_kabupaten", "id")]
    row = next(r for r in sheet.iter_rows(values_only=True) if "GIZI_STUNTING" in r)
    assert "Di atas batas" in row and "Di bawah target" not in row
    text = "\n".join(pdf_pages)
    line = next(x for x in text.splitlines() if "Prevalensi stunting" in x and "%" in x)
    assert "Di atas batas" in line and "Di bawah target" not in line


def test_the_exports_reuse_the_pages_overview_when_it_is_the_same_view(xcon, facts):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.metrics.overview import overview

    cat = load_catalogue()
    codes = [i.code for i in cat.indicators]
    view = overview(
        xcon, principal=DINAS, regency="73.09", year=2024, through=facts.through, catalogue=cat, puskesmas_codes=codes
    )
    shared = gather(xcon, year=2024, regency="73.09", through=facts.through, principal=DINAS, view=view)
    assert shared.kab is view.kab and shared.puskesmas is view.puskesmas
    pd.testing.assert_frame_equal(shared.kab, facts.kab)


def test_the_exports_recount_when_the_pages_overview_is_of_another_month(xcon, facts):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.metrics.overview import overview

    cat = load_catalogue()
    other = overview(xcon, principal=DINAS, regency="73.09", year=2024, through=1, catalogue=cat)
    fresh = gather(xcon, year=2024, regency="73.09", through=facts.through, principal=DINAS, view=other)
    assert fresh.kab is not other.kab
    pd.testing.assert_frame_equal(fresh.kab, facts.kab)
