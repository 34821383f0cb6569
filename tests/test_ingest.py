"""Ingestion of real-world puskesmas extracts: format quirks, refusals, atomicity, idempotency, slices.

NIKs are built by `nik()` at run time so that no NIK-like number is written in the repository.
"""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ilp_metrics.core.pseudonym import person_key_py
from ilp_metrics.ingest import load as load_module

from .conftest import DINAS, MB, SECRET, TK, ingest, nik, table_counts, write_text, write_xlsx


def layanan_csv(
    rows: list[tuple], header: str = "service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code"
) -> str:
    return header + "\n" + "\n".join(",".join(str(x) for x in r) for r in rows) + "\n"


# ------------------------------------------------------------------ formats


def test_canonical_csv_layanan_loads_every_row(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
                ("2024-03-06", MB, "73.09.04.2006", nik(serial=2), "1992-07-01", "P", "ANC_K1"),
            ]
        ),
    )
    report = ingest(con, path)
    assert report.ok and report.committed, report.to_dict()
    assert report.kind == "layanan"
    assert (report.rows_accepted, report.rows_refused) == (2, 0)
    assert con.execute("SELECT count(*) FROM layanan").fetchone()[0] == 2


def test_semicolon_csv_with_indonesian_headers_title_rows_and_day_first_dates(con, tmp_path):
    text = (
        "LAPORAN PELAYANAN PUSKESMAS MAROS BARU;;;;;;\n"
        "Bulan: Maret 2024;;;;;;\n"
        ";;;;;;\n"
        "Tanggal Pelayanan;Kode Puskesmas;Kode Desa;NIK;Tgl Lahir;JK;Layanan\n"
        f"05/03/2024;{MB};7309042005;{nik(serial=1)};15/03/1990;Perempuan;K1\n"
        f"6-3-2024;{MB};7309042006;{nik(serial=2)};01-07-1992;P;Kunjungan K6\n"
    )
    report = ingest(con, write_text(tmp_path / "l.csv", text))
    assert report.ok, report.to_dict()
    assert report.header_row == 4
    rows = con.execute(
        "SELECT service_date, desa_code, sex, service_code FROM layanan ORDER BY service_date"
    ).fetchall()
    assert rows == [
        (date(2024, 3, 5), "73.09.04.2005", "P", "ANC_K1"),
        (date(2024, 3, 6), "73.09.04.2006", "P", "ANC_K6"),
    ]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_csv_encodings_are_detected(con, tmp_path, encoding):
    text = (
        "service_date,puskesmas_name,desa_name,name,birth_date,sex,service_code\n"
        "2024-03-05,Maros Baru,Mattirotasi,Andi Nur'aini Ré,1990-03-15,P,ANC_K1\n"
    )
    report = ingest(con, write_text(tmp_path / "l.csv", text, encoding))
    assert report.ok, report.to_dict()
    assert con.execute("SELECT count(*) FROM layanan").fetchone()[0] == 1


def test_mixed_encodings_line_by_line(con, tmp_path):
    head = b"service_date,puskesmas_code,desa_code,name,birth_date,sex,service_code\n"
    utf8 = f"2024-03-05,{MB},73.09.04.2005,Andi Ré,1990-03-15,P,ANC_K1\n".encode()
    win = f"2024-03-06,{MB},73.09.04.2005,Sitti Ré,1991-03-15,P,ANC_K1\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + utf8 + win)
    report = ingest(con, path)
    assert report.ok and report.rows_accepted == 2, report.to_dict()


@pytest.mark.parametrize(
    "content",
    [
        "daftar hadir,Ré\nAndi Nur'aini,1\n".encode("cp1252"),  # no header found
        b"service_date,name\n" + bytes(range(1, 32)) * 400 + "é".encode("cp1252"),  # not text
    ],
)
def test_a_refused_file_in_another_encoding_leaves_no_clear_text_copy(con, tmp_path, monkeypatch, content):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # where the UTF-8 copy of the file is written
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    assert not ingest(con, path).ok
    assert list(spool.iterdir()) == []


def test_an_accepted_file_in_another_encoding_leaves_no_copy_either(con, tmp_path, monkeypatch):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    text = (
        "service_date,puskesmas_name,desa_name,name,birth_date,sex,service_code\n"
        "2024-03-05,Maros Baru,Mattirotasi,Andi Nur'aini Ré,1990-03-15,P,ANC_K1\n"
    )
    assert ingest(con, write_text(tmp_path / "l.csv", text, "cp1252")).ok
    assert list(spool.iterdir()) == []


def test_xlsx_with_title_rows_merged_cells_total_row_and_numbers_as_text(con, tmp_path):
    rows = [
        ["REKAP CAPAIAN BULANAN PUSKESMAS"],
        ["Kabupaten Maros"],
        ["Periode", "Kode Puskesmas", "Kode Desa", "K1", "K6", "Pelayanan Hipertensi"],
        ["2024-03", MB, "7309042005", "12", "1.234", 7],
        [None, None, "7309042006", 3, "4", "0"],
        ["JUMLAH", None, None, 15, 1238, 7],
    ]
    path = write_xlsx(tmp_path / "capaian.xlsx", rows, merges=["A4:A5", "B4:B5"])
    report = ingest(con, path)
    assert report.ok, report.to_dict()
    assert report.kind == "capaian" and report.header_row == 3
    assert report.rows_skipped == 1  # the JUMLAH row
    got = con.execute("""
        SELECT desa_code, service_code, count FROM capaian ORDER BY desa_code, service_code""").fetchall()
    assert got == [
        ("73.09.04.2005", "ANC_K1", 12),
        ("73.09.04.2005", "ANC_K6", 1234),
        ("73.09.04.2005", "YANKES_HIPERTENSI", 7),
        ("73.09.04.2006", "ANC_K1", 3),
        ("73.09.04.2006", "ANC_K6", 4),
        ("73.09.04.2006", "YANKES_HIPERTENSI", 0),
    ]


def test_excel_serial_dates_and_real_excel_dates(con, tmp_path):
    rows = [
        ["Tanggal Pelayanan", "Kode Puskesmas", "Kode Desa", "NIK", "Tgl Lahir", "JK", "Kode Layanan"],
        [45356, MB, "73.09.04.2005", nik(serial=1), date(1990, 3, 15), "P", "ANC_K1"],  # 45356 = 2024-03-05
        [date(2024, 3, 6), MB, "73.09.04.2005", nik(serial=2), "15/03/1991", "P", "ANC_K1"],
    ]
    report = ingest(con, write_xlsx(tmp_path / "l.xlsx", rows))
    assert report.ok, report.to_dict()
    dates = [r[0] for r in con.execute("SELECT service_date FROM layanan ORDER BY 1").fetchall()]
    assert dates == [date(2024, 3, 5), date(2024, 3, 6)]


def test_region_codes_with_and_without_dots_are_stored_dotted(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "7309042005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
                ("2024-03-05", MB, "73.09.04.2006", nik(serial=2), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    assert ingest(con, path).ok
    codes = {r[0] for r in con.execute("SELECT desa_code FROM layanan").fetchall()}
    assert codes == {"73.09.04.2005", "73.09.04.2006"}


def test_names_instead_of_codes_are_resolved_against_registry_and_synonyms(con, tmp_path):
    text = (
        "Tanggal Pelayanan,Puskesmas,Desa,NIK,Tgl Lahir,JK,Layanan\n"
        f"05/03/2024,PKM Maros Baru,Desa Mattirotasi,{nik(serial=1)},15/03/1960,L,Pelayanan Hipertensi\n"
        f"05/03/2024,UPTD Puskesmas Turikale,Kelurahan Taroada,{nik(serial=2)},15/03/1961,L,Pelayanan Hipertensi\n"
    )
    report = ingest(con, write_text(tmp_path / "l.csv", text))
    assert report.ok, report.to_dict()
    got = con.execute("SELECT puskesmas_code, desa_code FROM layanan ORDER BY 1").fetchall()
    assert got == [(MB, "73.09.04.2005"), (TK, "73.09.14.1005")]


def test_unresolvable_names_are_refused_never_guessed(con, tmp_path):
    text = (
        "Tanggal Pelayanan,Puskesmas,Desa,NIK,Tgl Lahir,JK,Layanan\n"
        f"05/03/2024,Puskesmas Bantimurung,Mattirotasi,{nik(serial=1)},15/03/1960,L,K1\n"
        f"05/03/2024,Maros Baru,Desa Antah Berantah,{nik(serial=2)},15/03/1960,P,K1\n"
        f"05/03/2024,Maros Baru,Mattirotasi,{nik(serial=3)},15/03/1960,P,Pijat Refleksi\n"
    )
    report = ingest(con, write_text(tmp_path / "l.csv", text))
    assert not report.ok
    reasons = {(r.row, r.reason_code) for r in report.refusals}
    assert reasons == {(2, "unknown_puskesmas_name"), (3, "unknown_desa_name"), (4, "unknown_service")}


def test_decimal_comma_and_thousand_dot_numbers(con, tmp_path):
    text = f"Periode;Kode Puskesmas;Kode Layanan;Jumlah\n2024-03;{MB};ANC_K1;1.234\n2024-03;{MB};ANC_K6;12,0\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text))
    assert report.ok, report.to_dict()
    assert dict(con.execute("SELECT service_code, count FROM capaian").fetchall()) == {"ANC_K1": 1234, "ANC_K6": 12}


def test_decimal_count_is_refused_as_not_whole(con, tmp_path):
    text = f"Periode;Kode Puskesmas;Kode Layanan;Jumlah\n2024-03;{MB};ANC_K1;12,5\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text))
    assert [r.reason_code for r in report.refusals] == ["not_integer"]


# ------------------------------------------------------------------ NIK


def test_nik_in_scientific_notation_is_refused_because_digits_are_lost(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", "3.30901E+15", "1990-03-15", "P", "ANC_K1"),
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=7), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    report = ingest(con, path)
    assert not report.ok
    assert [(r.row, r.column, r.reason_code) for r in report.refusals] == [(2, "nik", "nik_scientific")]
    assert "notasi ilmiah" in report.to_dict()["refusals"][0]["reason"]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [("12345678901234", "nik_length"), (nik(serial=1) + "1", "nik_length"), (nik(serial=0), "nik_invalid")],
)
def test_nik_of_wrong_length_or_impossible_serial_is_refused(con, tmp_path, bad, reason):
    path = write_text(
        tmp_path / "l.csv", layanan_csv([("2024-03-05", MB, "73.09.04.2005", bad, "1990-03-15", "P", "ANC_K1")])
    )
    report = ingest(con, path)
    assert [r.reason_code for r in report.refusals] == [reason]
    assert all(r.value is None or len(r.value) <= 2 for r in report.refusals)  # the NIK is never echoed


def test_nik_column_stored_as_excel_number_is_refused_as_a_whole(con, tmp_path):
    rows = [["Tanggal Pelayanan", "Kode Puskesmas", "Kode Desa", "NIK", "Tgl Lahir", "JK", "Layanan"]]
    for i in range(25):  # Excel keeps 15 significant digits: every 16-digit NIK ends in 0
        rows.append(["05/03/2024", MB, "73.09.04.2005", int(nik(serial=10 * (i + 1))), "15/03/1990", "P", "K1"])
    report = ingest(con, write_xlsx(tmp_path / "l.xlsx", rows))
    assert not report.ok
    assert {r.reason_code for r in report.refusals} == {"nik_column_truncated"}
    assert report.rows_refused == 25


def test_person_key_is_hmac_of_the_normalised_nik_and_stable_across_files(con, tmp_path):
    n = nik(serial=42)
    a = write_text(
        tmp_path / "a.csv", layanan_csv([("2024-03-05", MB, "73.09.04.2005", n, "1990-03-15", "P", "ANC_K1")])
    )
    b = write_text(
        tmp_path / "b.csv",
        layanan_csv([("2024-04-05", MB, "73.09.04.2005", f"'{n[:4]} {n[4:]}", "1990-03-15", "P", "ANC_K6")]),
    )
    assert ingest(con, a).ok and ingest(con, b).ok
    keys = {r[0] for r in con.execute("SELECT person_key FROM layanan").fetchall()}
    assert keys == {person_key_py(SECRET, "nik:" + n)}


def test_missing_nik_falls_back_to_name_birth_date_and_desa(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        (
            "service_date,puskesmas_code,desa_code,nik,name,birth_date,sex,service_code\n"
            f"2024-03-05,{MB},73.09.04.2005,,Andi  Nur'aini,1990-03-15,P,ANC_K1\n"
            f"2024-03-05,{MB},73.09.04.2005,,,1990-03-15,P,ANC_K1\n"
        ),
    )
    report = ingest(con, path, accept_valid=True)
    assert report.rows_accepted == 1
    assert [r.reason_code for r in report.refusals] == ["identity_missing"]
    key = con.execute("SELECT person_key FROM layanan").fetchone()[0]
    assert key == person_key_py(SECRET, "nama:andi nur aini|1990-03-15|73.09.04.2005")


def test_no_nik_or_name_is_stored_anywhere_in_the_database_file(db_path, tmp_path):
    from ilp_metrics.core.db import connect

    niks = [nik(serial=i) for i in range(1, 40)]
    rows = [("2024-03-05", MB, "73.09.04.2005", n, "1990-03-15", "P", "ANC_K1") for n in niks]
    text = layanan_csv(rows, header="service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code")
    text += f"2024-03-05,{MB},73.09.04.2005,,1990-03-15,P,ANC_K1\n".replace(",,", ",,")
    path = write_text(tmp_path / "l.csv", layanan_csv(rows))
    named = write_text(
        tmp_path / "n.csv",
        (
            "service_date,puskesmas_code,desa_code,name,birth_date,sex,service_code\n"
            f"2024-03-05,{MB},73.09.04.2005,Siti Zulaikha Rahmawati,1990-03-15,P,ANC_K1\n"
        ),
    )
    con = connect(db_path)
    assert ingest(con, path).ok and ingest(con, named).ok
    con.execute("CHECKPOINT")
    con.close()
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*") if p.is_file())
    assert b"Zulaikha" not in blob and b"zulaikha" not in blob
    for n in niks:
        assert n.encode() not in blob


# ------------------------------------------------------------------ refusals and atomicity


def test_one_bad_row_among_good_ones_refuses_the_file_and_leaves_the_database_unchanged(con, tmp_path):
    before = table_counts(con)
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
                ("31/02/2024", MB, "73.09.04.2005", nik(serial=2), "1990-03-15", "P", "ANC_K1"),
                ("2024-03-07", MB, "73.09.04.2005", nik(serial=3), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    report = ingest(con, path)
    assert not report.ok and not report.committed
    assert report.error_code == "rows_refused"
    assert [(r.row, r.column, r.reason_code) for r in report.refusals] == [(3, "service_date", "invalid_date")]
    assert "31/02/2024" in report.to_dict()["refusals"][0]["reason"]
    assert table_counts(con) == before


def test_refusal_report_lists_every_problem_of_every_row(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2099-01-01", MB, "73.09.99.9999", nik(serial=1), "1990-03-15", "X", "ANC_K1"),
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=2), "2025-01-01", "P", "Pijat"),
            ]
        ),
    )
    report = ingest(con, path)
    got = sorted((r.row, r.reason_code) for r in report.refusals)
    assert got == [
        (2, "date_in_future"),
        (2, "invalid_sex"),
        (2, "unknown_desa_code"),
        (3, "before_birth"),
        (3, "unknown_service"),
    ]


def test_accept_valid_commits_the_good_rows_and_records_the_refused_ones(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
                ("bukan tanggal", MB, "73.09.04.2005", nik(serial=2), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    report = ingest(con, path, accept_valid=True)
    assert report.ok and report.committed and (report.rows_accepted, report.rows_refused) == (1, 1)
    assert con.execute("SELECT rows_accepted, rows_refused FROM uploads WHERE kind = 'layanan'").fetchone() == (1, 1)
    assert con.execute("SELECT row_number, column_name, reason_code FROM upload_refusals").fetchall() == [
        (3, "service_date", "invalid_date")
    ]


def test_an_interrupted_load_leaves_the_database_unchanged(con, tmp_path, monkeypatch):
    before = table_counts(con)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut after the rows were inserted")

    monkeypatch.setattr(load_module, "_mark_replaced", crash)
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv([("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1")]),
    )
    with pytest.raises(RuntimeError):
        ingest(con, path)
    assert table_counts(con) == before


def test_blank_rows_and_total_rows_are_skipped_not_refused(con, tmp_path):
    text = (
        f"Periode,Kode Puskesmas,Kode Layanan,Jumlah\n2024-03,{MB},ANC_K1,5\n,,,\n2024-03,{TK},ANC_K1,7\nTotal,,,12\n"
    )
    report = ingest(con, write_text(tmp_path / "c.csv", text))
    assert report.ok, report.to_dict()
    assert (report.rows_accepted, report.rows_skipped, report.rows_refused) == (2, 2, 0)


def test_duplicate_rows_in_an_aggregate_file_are_refused_with_the_first_row_named(con, tmp_path):
    text = f"Periode,Kode Puskesmas,Kode Layanan,Jumlah\n2024-03,{MB},ANC_K1,5\n2024-03,{MB},K1,6\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text))
    assert [(r.row, r.reason_code, r.value) for r in report.refusals] == [(3, "duplicate_key", "2")]


# ------------------------------------------------------------------ whole-file problems


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code\n", "no_data_rows"),
        (bytes(range(256)) * 40, "not_text"),
        (b"foo,bar,baz\n1,2,3\n", "no_header"),
        (b"Tanggal Pelayanan,Kode Desa\n2024-03-05,7309042005\n", "missing_columns"),
    ],
)
def test_unusable_files_get_one_clear_message_and_nothing_is_written(con, tmp_path, content, code):
    before = table_counts(con)
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    report = ingest(con, path)
    assert not report.ok and report.error_code == code
    assert report.error and report.error[0].isupper()
    assert table_counts(con) == before


def test_old_xls_and_zip_bombs_are_refused_before_parsing(con, tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert ingest(con, xls).error_code == "xls_old"
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert ingest(con, bomb).error_code == "xlsx_bomb"


# ------------------------------------------------------------------ idempotency and slices


def test_reuploading_identical_content_changes_nothing(con, tmp_path):
    path = write_text(
        tmp_path / "l.csv",
        layanan_csv([("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1")]),
    )
    first = ingest(con, path)
    copy = tmp_path / "copy-with-other-name.csv"
    copy.write_bytes(path.read_bytes())
    second = ingest(con, copy)
    assert second.ok and second.duplicate and second.upload_id == first.upload_id
    assert con.execute("SELECT count(*) FROM layanan").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM uploads WHERE kind = 'layanan'").fetchone()[0] == 1


def test_a_corrected_upload_replaces_its_puskesmas_month_and_service_slice_only(con, tmp_path):
    march = write_text(
        tmp_path / "march.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
                ("2024-03-06", MB, "73.09.04.2005", nik(serial=2), "1990-03-15", "P", "ANC_K1"),
                ("2024-04-06", MB, "73.09.04.2005", nik(serial=3), "1990-03-15", "P", "ANC_K1"),
                ("2024-03-06", TK, "73.09.14.1005", nik(serial=4), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    first = ingest(con, march)
    corrected = write_text(
        tmp_path / "march-fixed.csv",
        layanan_csv(
            [
                ("2024-03-05", MB, "73.09.04.2005", nik(serial=1), "1990-03-15", "P", "ANC_K1"),
            ]
        ),
    )
    second = ingest(con, corrected)
    assert second.ok and second.rows_replaced == 2
    got = con.execute("SELECT upload_id, service_date, puskesmas_code FROM layanan ORDER BY 2, 3").fetchall()
    assert got == [
        (second.upload_id, date(2024, 3, 5), MB),
        (first.upload_id, date(2024, 3, 6), TK),
        (first.upload_id, date(2024, 4, 6), MB),
    ]
    assert con.execute("SELECT status FROM uploads WHERE upload_id = ?", [first.upload_id]).fetchone()[0] == "active"


def test_an_upload_whose_rows_are_all_replaced_is_marked_replaced(con, tmp_path):
    text = f"Periode,Kode Puskesmas,Kode Layanan,Jumlah\n2024-03,{MB},ANC_K1,5\n"
    first = ingest(con, write_text(tmp_path / "a.csv", text))
    second = ingest(con, write_text(tmp_path / "b.csv", text.replace(",5", ",6")))
    assert second.rows_replaced == 1
    status = dict(con.execute("SELECT upload_id, status FROM uploads WHERE kind = 'capaian'").fetchall())
    assert status == {first.upload_id: "replaced", second.upload_id: "active"}
    assert con.execute("SELECT count FROM capaian").fetchall() == [(6,)]


def test_withdrawing_an_upload_removes_its_rows_in_one_transaction(con, tmp_path):
    from ilp_metrics.ingest import withdraw

    text = f"Periode,Kode Puskesmas,Kode Layanan,Jumlah\n2024-03,{MB},ANC_K1,5\n2024-03,{TK},ANC_K1,2\n"
    report = ingest(con, write_text(tmp_path / "a.csv", text))
    assert withdraw(con, report.upload_id, principal=DINAS) == 2
    assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0
    assert (
        con.execute("SELECT status FROM uploads WHERE upload_id = ?", [report.upload_id]).fetchone()[0] == "withdrawn"
    )


# ------------------------------------------------------------------ other kinds


def test_wide_sasaran_with_year_in_the_title_and_a_total_row(con, tmp_path):
    rows = [
        ["SASARAN PROGRAM KESEHATAN DESA TAHUN 2024"],
        ["Kode Desa", "Nama Desa", "Penduduk", "Bumil", "Bulin", "Bayi Baru Lahir"],
        ["73.09.04.2005", "Mattirotasi", "2.000", 42, 40, 38],
        ["7309042006", "Majannang", 1500, "32", "30", "29"],
        ["JUMLAH", None, 3500, 74, 70, 67],
    ]
    report = ingest(con, write_xlsx(tmp_path / "s.xlsx", rows))
    assert report.ok and report.kind == "sasaran", report.to_dict()
    got = con.execute("""SELECT area_code, target_group, count FROM sasaran
                         WHERE year = 2024 AND area_level = 'desa' AND area_code = '73.09.04.2005'
                         ORDER BY target_group""").fetchall()
    assert got == [
        ("73.09.04.2005", "bayi_baru_lahir", 38),
        ("73.09.04.2005", "ibu_bersalin", 40),
        ("73.09.04.2005", "ibu_hamil", 42),
        ("73.09.04.2005", "penduduk", 2000),
    ]


def test_wide_kesiapan_accepts_ya_tidak_and_counts(con, tmp_path):
    text = (
        "Periode;Kode Puskesmas;KLASTER_TERBENTUK;JUMLAH_DESA;DESA_DENGAN_PUSTU\n"
        f"2024-08;{MB};Ya;7;5\n"
        f"2024-08;{TK};Tidak;7;2\n"
    )
    report = ingest(con, write_text(tmp_path / "k.csv", text))
    assert report.ok and report.kind == "kesiapan", report.to_dict()
    got = con.execute(
        "SELECT puskesmas_code, item_code, value FROM kesiapan WHERE item_code = 'KLASTER_TERBENTUK' ORDER BY 1"
    ).fetchall()
    assert got == [(MB, "KLASTER_TERBENTUK", 1.0), (TK, "KLASTER_TERBENTUK", 0.0)]


def test_registry_rows_with_unknown_codes_are_refused(con, tmp_path):
    text = (
        "Kode Puskesmas,Nama Puskesmas,Kode Kabupaten,Kode Kecamatan\n"
        "P7309020201,Camba,73.09,73.09.02\n"
        "P9999990201,Entah,99.99,99.99.99\n"
        "P7309030201,Bantimurung,73.09,73.22.01\n"
    )
    report = ingest(con, write_text(tmp_path / "p.csv", text), accept_valid=True)
    assert report.kind == "puskesmas" and report.rows_accepted == 1
    assert sorted((r.row, r.reason_code) for r in report.refusals) == [
        (3, "unknown_district"),
        (3, "unknown_regency"),
        (4, "district_outside_regency"),
    ]


def test_eppgbm_export_with_its_real_headers_loads_through_the_shipped_profile(con, tmp_path):
    header = (
        "NIK;Nama;JK;Tgl Lahir;BB Lahir;TB Lahir;Nama Ortu;Prov;Kab/Kota;Kec;Pukesmas;Desa/Kel;Posyandu;RT;RW;"
        "Alamat;Usia Saat Ukur;Tanggal Pengukuran;Bulan Pengukuran;Berat;Tinggi;Cara Ukur;LiLA;BB/U;ZS BB/U;"
        "TB/U;ZS TB/U;BB/TB;ZS BB/TB;Naik Berat Badan;PMT Diterima (kg);Jml Vit A;KPSP;KIA"
    )
    child = nik(dob="100522", serial=3)
    row = (
        f"{child};Muh. Fadli;L;10/05/2022;3,1;49;Hasnah;SULAWESI SELATAN;MAROS;MAROS BARU;Maros Baru;"
        "Mattirotasi;Posyandu Mawar;001;002;Jl. Poros;2 Tahun - 1 Bulan - 3 Hari;13/06/2024;Juni;11,2;80,5;"
        "Berdiri;14,5;Berat Badan Normal;-0,8;Pendek;-2,3;Gizi Baik;-0,1;N;0;1;Sesuai;Ya"
    )
    again = row  # e-PPGBM repeats an edited measurement: counted once
    path = write_text(tmp_path / "eppgbm.csv", header + "\n" + row + "\n" + again + "\n")
    report = ingest(con, path, profile=Path("ilp_metrics/ingest/profiles/e-ppgbm.yaml"))
    assert report.ok, report.to_dict()
    got = con.execute("SELECT service_code, result, puskesmas_code, desa_code, sex FROM layanan ORDER BY 1").fetchall()
    assert got == [
        ("BALITA_DITIMBANG", None, MB, "73.09.04.2005", "L"),
        ("SKRINING_STUNTING", "stunting", MB, "73.09.04.2005", "L"),
    ]
    assert report.rows_skipped == 1
