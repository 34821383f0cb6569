"""Formula injection: text that came from an upload (a puskesmas or desa name) and starts with a
character a spreadsheet reads as a formula (`=`, `+`, `-`, `@`, tab, carriage return) must stay text in
the Excel export — stored as a string with Excel's quote prefix, the characters unchanged (nothing lost)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from ilp_metrics.core.db import connect
from ilp_metrics.export.facts import gather
from ilp_metrics.export.xlsx_render import put, render_xlsx

from .conftest import DINAS

HOSTILE = [
    '=HYPERLINK("http://x.example","klik")',
    "+62 811 000",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_that_looks_like_a_formula_reads_back_as_the_same_plain_string(tmp_path, text):
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, text)
    path = tmp_path / "safe.xlsx"
    wb.save(path)
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == text and cell.data_type == "s"  # a string, not a formula ('f')
    assert cell.quotePrefix  # Excel shows it as typed text, never evaluates it
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_an_ordinary_name_is_written_without_quote_prefix(tmp_path):
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, "Maros Baru")
    put(wb.active, 1, 2, 35, "#,##0")
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path).active
    assert (ws["A1"].value, ws["A1"].quotePrefix) == ("Maros Baru", False)
    assert (ws["B1"].value, ws["B1"].number_format) == (35, "#,##0")


def test_uploaded_names_in_the_export_stay_text(fixture_db):
    con = connect(fixture_db, read_only=True)
    try:
        facts = gather(con, year=2024, regency="73.09", principal=DINAS)
    finally:
        con.close()
    # A registry whose puskesmas name was uploaded as a formula.
    facts.puskesmas["unit_name"] = facts.puskesmas["unit_name"].replace("Turikale", HOSTILE[0])
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(facts)))
    names = [r[1] for r in book["Puskesmas"].iter_rows(min_row=2)]
    hostile = [c for c in names if c.value == HOSTILE[0]]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)


def test_an_extra_table_such_as_quality_findings_is_written_safely_with_formats(fixture_db):
    import pandas as pd

    con = connect(fixture_db, read_only=True)
    try:
        facts = gather(con, year=2024, regency="73.09", principal=DINAS)
    finally:
        con.close()
    findings = pd.DataFrame(
        {"Berkas": ["=layanan.csv", "capaian.xlsx"], "Baris": [12, 40], "Selisih (%)": [12.5, 3.25]}
    )
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(facts, tables={"Temuan kualitas": findings})))
    sheet = book["Temuan kualitas"]
    assert [c.value for c in sheet[1]] == ["Berkas", "Baris", "Selisih (%)"]
    name, rows, share = sheet[2]
    assert (name.value, name.data_type, name.quotePrefix) == ("=layanan.csv", "s", True)
    assert (rows.value, rows.number_format) == (12, "#,##0")
    assert (share.value, share.number_format) == (12.5, "#,##0.0")
