"""Bounded work per file (issue 16.5): the XLSX sheet scan is linear whatever the cells look like, a file
wider than the column limit or larger than the cell limit is refused with a clear message, and a read
that outlives the time limit is stopped."""

from __future__ import annotations

import time
import zipfile

import duckdb
import pytest

from ilp_metrics.ingest import readers
from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.limits import Deadline, ReadLimits, interrupt_at

from .conftest import DINAS, SECRET
from .hostile.corpus import layanan_csv, self_closing_cells_xlsx, wide_csv
from .hostile.corpus import nik as corpus_nik

LIMITS = ReadLimits(max_columns=500, max_cells=100_000_000, seconds=300)


def test_a_workbook_of_45k_self_closing_formatted_cells_is_read_in_seconds(tmp_path):
    path = tmp_path / "formatted.xlsx"
    path.write_bytes(self_closing_cells_xlsx(45_000))
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/worksheets/sheet1.xml").count(b's="1"/>') >= 45_000
    con = duckdb.connect()
    started = time.perf_counter()
    raw = readers.read_table(con, path, set(), max_ratio=200, max_rows=100_000, limits=LIMITS)
    seconds = time.perf_counter() - started
    assert seconds < 5, f"{seconds:.1f} s"  # the regex scan took 398 s on this file
    assert raw.rows == 2 and raw.headers[:2] == ["service_date", "puskesmas_code"]


def test_the_sheet_scan_finds_the_first_value_and_merges_after_the_skipped_cells(tmp_path):
    sheet = (
        '<?xml version="1.0"?><x:worksheet xmlns:x="urn:x"><x:sheetData>'
        '<x:row r="3"><x:c r="C3" s="1"/><x:c r="D3" t="s"><x:v>0</x:v></x:c><x:c r="B3"><x:v>1</x:v></x:c></x:row>'
        + "".join(f'<x:row r="{r}"><x:c r="B{r}" s="1"/></x:row>' for r in range(4, 2000))
        + '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B5:C7"/></x:mergeCells></x:worksheet>'
    )
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    assert readers.scan_sheet_xml(path, "xl/worksheets/sheet1.xml") == (3, 2, [(5, 2, 7, 3)])


def test_a_10000_column_csv_is_refused_in_seconds_with_the_columns_message(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(wide_csv(10_000))
    started = time.perf_counter()
    with pytest.raises(FileProblem) as refused:
        readers.read_table(duckdb.connect(), path, set(), max_ratio=200, max_rows=100_000, limits=LIMITS)
    seconds = time.perf_counter() - started
    assert seconds < 5, f"{seconds:.1f} s"
    assert refused.value.code == "too_many_columns"
    assert refused.value.message("id").startswith("File memiliki 10000 kolom, lebih dari batas 500 kolom")


def test_the_column_limit_is_a_setting(con, tmp_path, monkeypatch):
    from .conftest import ingest

    monkeypatch.setenv("ILP_MAX_COLUMNS", "5")
    path = tmp_path / "l.csv"
    path.write_bytes(layanan_csv(f"2024-03-15,P7309040201,73.09.04.2005,{corpus_nik(1)},1990-03-15,P,ANC_K1"))
    report = ingest(con, path)
    assert report.error_code == "too_many_columns" and "batas 5 kolom" in report.error


def test_a_file_over_the_cell_limit_is_refused(tmp_path):
    path = tmp_path / "l.csv"
    rows = [f"2024-03-15,P7309040201,73.09.04.2005,{corpus_nik(i)},1990-03-15,P,ANC_K1" for i in range(1, 30)]
    path.write_bytes(layanan_csv(*rows))
    limits = ReadLimits(max_columns=500, max_cells=7 * 20, seconds=300)
    with pytest.raises(FileProblem) as refused:
        readers.read_table(duckdb.connect(), path, set(), max_ratio=200, max_rows=100_000, limits=limits)
    assert refused.value.code == "too_many_cells"


def test_a_duckdb_read_past_the_deadline_is_interrupted_with_the_time_message():
    con = duckdb.connect()
    started = time.perf_counter()
    with pytest.raises(FileProblem) as stopped, interrupt_at(con, Deadline(0.3)):
        con.execute("SELECT count(*) FROM range(10000000000) a WHERE a.range % 7 = 3").fetchall()
    assert time.perf_counter() - started < 10
    assert stopped.value.code == "too_slow"
    assert "dihentikan setelah 0.3 detik" in stopped.value.message("id")


def test_an_ingest_past_the_time_limit_is_refused_and_writes_nothing(con, tmp_path, monkeypatch):
    from ilp_metrics.ingest import ingest_file

    monkeypatch.setenv("ILP_PARSE_SECONDS", "0")
    path = tmp_path / "l.csv"
    path.write_bytes(layanan_csv(f"2024-03-15,P7309040201,73.09.04.2005,{corpus_nik(1)},1990-03-15,P,ANC_K1"))
    report = ingest_file(con, path, secret=SECRET, principal=DINAS)
    assert report.error_code == "too_slow" and not report.committed
