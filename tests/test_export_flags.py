"""Data-quality markers in the exports (issue 6): a figure whose data carry a high-severity finding is
marked ⚠ in the workbook (a "Kualitas data" cell beside the coverage), the PDF report (beside the
coverage, the reason in a footnote) and the deck (chart label, reason in the speaker notes).

Hand-checked coverage fixture (tests/test_coverage.py: Maros, Januari–April 2024). Turikale reported
January, February (records), March (one aggregate row: ANC_K6 = 2) and April. As loaded, Turikale's
SPM01 (ANC K6, sasaran ibu_hamil, which Turikale has) carries no high finding: its cell stays empty.
Planted defect: Turikale's March aggregate row is deleted, so Turikale has no data at all for 2024-03:
COMP_PUSKESMAS_MONTH (high) "Turikale: tidak ada data untuk 2024-03." marks every figure counted from
services of Turikale (and of the kabupaten), SPM01 among them. Turikale's SPM01 becomes 4 of 11 (36,4 %).
"""

from __future__ import annotations

import dataclasses
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from ilp_metrics.core.db import connect
from ilp_metrics.export import render
from ilp_metrics.export.deck import build_deck
from ilp_metrics.export.facts import gather
from ilp_metrics.security.scope import Principal

from .conftest import DINAS, MB, TK

MISSING = "Turikale: tidak ada data untuk 2024-03."
MISSING_EN = "Turikale: no data for 2024-03."


@pytest.fixture(scope="module")
def planted(fixture_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("flags") / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    con = connect(db)
    con.execute("DELETE FROM capaian WHERE puskesmas_code = $p AND period = DATE '2024-03-01'", {"p": TK})
    yield con
    con.close()


@pytest.fixture(scope="module")
def clean(fixture_db):
    con = connect(fixture_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def planted_facts(planted):
    return gather(planted, year=2024, regency="73.09", principal=DINAS)


@pytest.fixture(scope="module")
def clean_facts(clean):
    return gather(clean, year=2024, regency="73.09", principal=DINAS)


def _sheet(data: bytes, title: str) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[title]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def _turikale_spm01(rows: list[dict]) -> dict:
    return next(r for r in rows if r["Kode puskesmas"] == TK and r["Kode indikator"] == "SPM01")


# ------------------------------------------------------------------ the flags gathered once


def test_the_missing_month_flags_turikales_figures_and_nothing_flags_them_before(planted_facts, clean_facts):
    assert clean_facts.flag_reasons("puskesmas", TK, "SPM01") == []
    assert planted_facts.flag_reasons("puskesmas", TK, "SPM01") == [MISSING]
    assert MISSING in planted_facts.flag_reasons("kabupaten", "73.09", "SPM01")
    # in a public export only the check's name is given (a message may hold a small count)
    assert planted_facts.flag_reasons("puskesmas", TK, "SPM01", public=True) == ["Laporan bulanan tidak ada"]


# ------------------------------------------------------------------ workbook


def test_workbook_marks_the_flagged_figure_in_the_column_beside_coverage(planted, planted_facts):
    data = render(planted, "xlsx", planted_facts, principal=DINAS)
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["Puskesmas"][1]]
    assert header[header.index("Cakupan") + 1] == "Kualitas data"
    row = _turikale_spm01(_sheet(data, "Puskesmas"))
    assert row["Dilayani (pembilang)"] == 4 and row["Sasaran (penyebut)"] == 11  # March's 2 women are gone
    assert row["Kualitas data"] == f"⚠ {MISSING}"


def test_workbook_leaves_an_unflagged_figure_unmarked(clean, clean_facts):
    row = _turikale_spm01(_sheet(render(clean, "xlsx", clean_facts, principal=DINAS), "Puskesmas"))
    assert row["Dilayani (pembilang)"] == 6 and row["Kualitas data"] is None


def test_workbook_lists_the_findings_within_the_accounts_scope(planted, planted_facts):
    rows = _sheet(render(planted, "xlsx", planted_facts, principal=DINAS), "Kualitas data")
    assert any(r["Temuan"] == MISSING and r["Tingkat"] for r in rows)
    # desa-level findings: Turikale's desa Taroada for the dinas, not for Maros Baru's account
    assert any(r["Desa"] == "Taroada" for r in rows)
    mb = _sheet(
        render(planted, "xlsx", planted_facts, principal=Principal("pkm.mb", "puskesmas", puskesmas_code=MB)),
        "Kualitas data",
    )
    assert not any(r["Desa"] == "Taroada" for r in mb) and any(r["Temuan"] == MISSING for r in mb)


def test_public_workbook_has_markers_but_no_findings_sheet(planted, planted_facts):
    data = render(planted, "xlsx", planted_facts, public=True, principal=DINAS)
    assert "Kualitas data" not in openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert _turikale_spm01(_sheet(data, "Puskesmas"))["Kualitas data"].startswith("⚠ ")


# ------------------------------------------------------------------ PDF


def _pdf(con, facts) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(render(con, "pdf", facts, principal=DINAS))).pages]


def _spm01_line(page: str) -> str:
    return next(line for line in page.splitlines() if line.startswith("SPM1 "))


def test_pdf_marks_the_flagged_coverage_and_gives_the_reason_below(planted, planted_facts):
    turikale = next(p for p in _pdf(planted, planted_facts) if p.startswith("Puskesmas Turikale"))
    assert "36,4 % ⚠" in _spm01_line(turikale)
    assert "semua angka di tabel ini: " + MISSING in turikale  # the reason marks every SPM figure of the table


def test_pdf_leaves_an_unflagged_coverage_unmarked(clean, clean_facts):
    turikale = next(p for p in _pdf(clean, clean_facts) if p.startswith("Puskesmas Turikale"))
    line = _spm01_line(turikale)
    assert "54,5 %" in line and "⚠" not in line and MISSING not in turikale


# ------------------------------------------------------------------ PPTX


def _notes(con, facts, key: str, **kwargs) -> tuple[str, str]:
    kwargs.setdefault("principal", DINAS)
    deck = build_deck(facts, **kwargs)
    index = [s.key for s in deck.slides].index(key)
    slide = Presentation(io.BytesIO(render(con, "pptx", facts, **kwargs))).slides[index]
    texts = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    return slide.notes_slide.notes_text_frame.text, texts


def test_pptx_notes_give_the_reason_and_the_slides_carry_a_small_marker(planted, planted_facts):
    notes, texts = _notes(planted, planted_facts, "spm")
    assert f"semua indikator SPM: {MISSING}" in notes
    assert "⚠ = temuan kualitas data; lihat catatan." in texts
    deck = build_deck(planted_facts, principal=DINAS)
    spm = next(s for s in deck.slides if s.key == "spm")
    assert spm.chart.categories[0].endswith(" ⚠")  # SPM 1 on the chart
    watch_notes, _watch_texts = _notes(planted, planted_facts, "watch")
    assert f"⚠ Kualitas data — Turikale: {MISSING}" in watch_notes
    watch = next(s for s in deck.slides if s.key == "watch")
    assert "Turikale ⚠" in watch.chart.categories


def test_pptx_in_english_has_the_english_reason(planted):
    facts = gather(planted, year=2024, regency="73.09", lang="en", principal=DINAS)
    notes, texts = _notes(planted, facts, "spm")
    assert MISSING_EN in notes and "⚠ = data-quality finding; see the notes." in texts


def test_a_deck_of_clean_data_carries_no_marker(clean, clean_facts):
    facts = dataclasses.replace(clean_facts, flags=pd.DataFrame())
    deck = build_deck(facts, principal=DINAS)
    assert not any(s.flag_note for s in deck.slides)
    assert not any("⚠" in s.notes or (s.chart and any("⚠" in c for c in s.chart.categories)) for s in deck.slides)
    notes, texts = _notes(clean, facts, "spm")
    assert "⚠" not in notes and "⚠" not in texts
