"""The ingest report accounts for every column, and aggregate columns feed every indicator that admits them.

Fixtures are a few lines of CSV written in each test on the two-puskesmas registry of Maros (tests/conftest.py).
"""

from __future__ import annotations

import json

import pytest

from ilp_metrics.cli import main
from ilp_metrics.ingest.columns import USES
from ilp_metrics.ingest.fields import FIELDS
from ilp_metrics.ingest.mapping import profile_from_dict
from ilp_metrics.metrics.coverage import coverage

from .conftest import DINAS, MB, TK, ingest, nik, write_text


def test_an_aggregate_k4_column_feeds_kia_k4(con, tmp_path):
    # April 2024 aggregate per puskesmas: K1, K4 and K6 columns; sasaran ibu hamil 40 (MB) and 20 (TK).
    sasaran = "tahun,kode puskesmas,ibu hamil\n2024,P7309040201,40\n2024,P7309140201,20\n"
    assert ingest(con, write_text(tmp_path / "sasaran.csv", sasaran)).ok
    capaian = "periode,kode puskesmas,K1,K4,K6\n2024-04,P7309040201,12,8,5\n2024-04,P7309140201,6,3,2\n"
    report = ingest(con, write_text(tmp_path / "capaian.csv", capaian))
    assert report.ok, report.to_dict()
    stored = con.execute("SELECT service_code, sum(count) FROM capaian GROUP BY 1 ORDER BY 1").fetchall()
    assert stored == [("ANC_K1", 18), ("ANC_K4", 11), ("ANC_K6", 7)]
    k4 = coverage(con, "KIA_K4", level="puskesmas", year=2024, through=4, principal=DINAS)
    april = k4[k4["month"] == 4].set_index("unit_code")
    assert april.loc[MB, "numerator"] == 8  # the K4 column, not K1 or K6
    assert april.loc[MB, "coverage"] == 20.0  # 8 / 40
    assert april.loc[TK, "numerator"] == 3
    kab = coverage(con, "KIA_K4", level="kabupaten", year=2024, through=4, principal=DINAS)
    assert kab[kab["month"] == 4]["numerator"].item() == 11


def test_a_k4_aggregate_is_ignored_where_the_puskesmas_has_antenatal_records_that_month(con, tmp_path):
    # MB sent individual antenatal records for April (one woman, one visit): its K4 aggregate of 8 would count
    # the same women twice, so KIA_K4 is counted on the records (nobody has four visits yet): 0. TK keeps 3.
    record = f"Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Tgl Lahir,JK,Layanan\n10/04/2024,{MB},7309042005,"
    record += f"{nik(serial=31)},15/03/1990,P,ANC_K1\n"
    assert ingest(con, write_text(tmp_path / "layanan.csv", record)).ok
    capaian = f"periode,kode puskesmas,K4\n2024-04,{MB},8\n2024-04,{TK},3\n"
    assert ingest(con, write_text(tmp_path / "capaian.csv", capaian)).ok
    k4 = coverage(con, "KIA_K4", level="puskesmas", year=2024, through=4, principal=DINAS)
    april = k4[k4["month"] == 4].set_index("unit_code")
    assert april.loc[MB, "numerator"] == 0
    assert april.loc[TK, "numerator"] == 3


# ------------------------------------------------------------------ every column accounted for

CAPAIAN_WIDE = "No,Periode,Kode Puskesmas,Nama Puskesmas,K1,K6,Imunisasi Zeta,% K1,Alamat\n"
CAPAIAN_ROW = "1,2024-04,P7309040201,Maros Baru,12,5,7,30,Jl. Poros\n"

FIXTURES = {
    "puskesmas.csv": "Kode Puskesmas,Nama Puskesmas,Kode Kecamatan,Alamat,Telepon,Keterangan\n"
    "P7309040201,Maros Baru,73.09.04,Jl. Poros,0411,\n",
    "capaian.csv": CAPAIAN_WIDE + CAPAIAN_ROW,
    "layanan.csv": "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Nama,Tgl Lahir,JK,Layanan,Hasil,Posyandu,Tahun\n"
    f"15/03/2024,P7309040201,7309042005,{nik(serial=11)},Siti,15/03/1990,P,ANC_K1,,Mawar,2024\n",
    "sasaran.csv": "No,Kode Desa,Nama Desa,Tahun,Bumil,Balita,Luas Wilayah\n1,73.09.04.2005,Mattirotasi,2024,30,80,12\n",
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_column_of_a_file_is_reported_once_with_its_use(con, tmp_path, name):
    path = write_text(tmp_path / name, FIXTURES[name])
    report = ingest(con, path, dry_run=True, accept_valid=True).to_dict()
    headers = FIXTURES[name].splitlines()[0].split(",")
    assert [c["column"] for c in report["columns"]] == headers, report
    for column in report["columns"]:
        assert column["use"] in USES and column["note"] and not column["note"].startswith("ingest.")


def test_a_column_the_dashboard_does_not_count_says_so_in_the_users_words(con, tmp_path):
    report = ingest(con, write_text(tmp_path / "p.csv", FIXTURES["puskesmas.csv"]), dry_run=True).to_dict()
    alamat = next(c for c in report["columns"] if c["column"] == "Alamat")
    assert alamat["use"] == "not_counted"
    assert alamat["note"] == "tidak dipakai: bukan data yang dihitung"
    assert next(c for c in report["columns"] if c["column"] == "Keterangan")["use"] == "empty"


def test_an_unknown_programme_column_stops_a_strict_upload_and_is_named(con, tmp_path):
    report = ingest(con, write_text(tmp_path / "c.csv", CAPAIAN_WIDE + CAPAIAN_ROW))
    assert not report.ok and report.error_code == "unmatched_columns"
    assert "'Imunisasi Zeta'" in report.error
    assert report.to_dict()["unmatched_columns"] == ["Imunisasi Zeta"]
    assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0
    uses = {c["column"]: c["use"] for c in report.to_dict()["columns"]}
    assert uses["% K1"] == "percent" and uses["No"] == "row_number" and uses["Alamat"] == "not_counted"


def test_an_unknown_column_of_an_aggregate_table_is_unmatched_when_it_holds_numbers_and_not_counted_when_words(
    con, tmp_path
):
    head = "Periode,Kode Puskesmas,K1,Zeta\n"
    numbers = ingest(con, write_text(tmp_path / "n.csv", head + "2024-04,P7309040201,12,7\n"), dry_run=True)
    words = ingest(con, write_text(tmp_path / "w.csv", head + "2024-04,P7309040201,12,baik\n"), dry_run=True)
    assert {c["column"]: c["use"] for c in numbers.to_dict()["columns"]}["Zeta"] == "unmatched"
    assert {c["column"]: c["use"] for c in words.to_dict()["columns"]}["Zeta"] == "not_counted"


def test_an_ignored_column_lets_the_upload_through_and_is_reported_as_ignored(con, tmp_path):
    report = ingest(con, write_text(tmp_path / "c.csv", CAPAIAN_WIDE + CAPAIAN_ROW), ignore_columns=["imunisasi zeta"])
    assert report.ok and report.committed, report.to_dict()
    assert {c["column"]: c["use"] for c in report.to_dict()["columns"]}["Imunisasi Zeta"] == "ignored"
    assert con.execute("SELECT sum(count) FROM capaian").fetchone()[0] == 17  # K1 12 + K6 5


def test_a_profile_can_ignore_a_column(con, tmp_path):
    profile = profile_from_dict({"name": "rekap", "ignore_columns": ["Imunisasi Zeta"]})
    report = ingest(con, write_text(tmp_path / "c.csv", CAPAIAN_WIDE + CAPAIAN_ROW), profile=profile)
    assert report.ok, report.to_dict()


def test_accepting_valid_rows_keeps_an_unmatched_column_listed(con, tmp_path):
    report = ingest(con, write_text(tmp_path / "c.csv", CAPAIAN_WIDE + CAPAIAN_ROW), accept_valid=True)
    assert report.ok and report.to_dict()["unmatched_columns"] == ["Imunisasi Zeta"]


def test_the_cli_ignore_column_option_reaches_the_ingest(db_path, tmp_path, capsys):
    path = write_text(tmp_path / "c.csv", CAPAIAN_WIDE + CAPAIAN_ROW)
    args = ["--db", str(db_path), "ingest", "--dry-run", "--ignore-column", "Imunisasi Zeta", str(path)]
    assert main(args) == 0, capsys.readouterr().out
    out = json.loads(capsys.readouterr().out)
    assert out[0]["ok"] and "Imunisasi Zeta" not in out[0]["unmatched_columns"]


# ------------------------------------------------------------------ messages in the user's words

LAYANAN_HEAD = "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Tgl Lahir,JK,Layanan"


def test_a_file_without_a_month_column_is_told_the_column_is_missing_not_empty(con, tmp_path):
    text = "Tahun,Kode Puskesmas,K1\n2024,P7309040201,3\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text)).to_dict()
    reasons = {r["reason"] for r in report["refusals"]}
    assert "Tidak ada kolom periode (Bulan/Tahun atau Periode) di file ini" in reasons, report
    assert not {r["column"] for r in report["refusals"]} & set(FIELDS), "internal field names are never shown"


def test_a_wide_row_with_an_unknown_puskesmas_is_refused_once_for_that_reason(con, tmp_path):
    text = "Periode,Kode Puskesmas,K1,K4,K6\n2024-04,P7309999999,1,2,3\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text))
    assert [(r.row, r.reason_code, r.column) for r in report.refusals] == [(2, "unknown_puskesmas", "Kode Puskesmas")]


def test_the_nik_length_message_gives_the_digit_count(con, tmp_path):
    row = f"15/03/2024,P7309040201,7309042005,{nik(serial=1)[:15]},15/03/1990,P,ANC_K1"
    report = ingest(con, write_text(tmp_path / "l.csv", LAYANAN_HEAD + "\n" + row + "\n"))
    texts = [r["reason"] for r in report.to_dict()["refusals"]]
    assert "NIK harus 16 digit (ditemukan 15 digit)" in texts


@pytest.mark.parametrize("label", ["Kabupaten", "Total", "Jumlah Kab.", "JUMLAH KAB.", "Total Kabupaten"])
def test_a_district_total_row_is_skipped(con, tmp_path, label):
    text = f"No,Kode Desa,Nama Desa,Tahun,Bumil\n1,73.09.04.2005,Mattirotasi,2024,30\n,{label},,,30\n"
    report = ingest(con, write_text(tmp_path / "s.csv", text))
    assert report.ok and report.rows_skipped == 1, report.to_dict()


def test_an_empty_value_is_never_echoed_as_quotes_or_nan(con, tmp_path):
    text = "Periode,Kode Puskesmas,Jumlah,Kode Layanan\n2024-04,P7309040201,x,ANC_K1\nnan,P7309040201,2,ANC_K1\n"
    report = ingest(con, write_text(tmp_path / "c.csv", text)).to_dict()
    for r in report["refusals"]:
        assert "''" not in r["reason"] and "nan" not in r["reason"].lower(), r


# ------------------------------------------------------------------ no identity in free text or messages


def test_a_free_text_result_is_refused_and_never_stored(con, tmp_path):
    head = LAYANAN_HEAD + ",Hasil"
    row = f"15/03/2024,P7309040201,7309042005,{nik(serial=2)},15/03/2020,L,SKRINING_STUNTING,dirujuk ke RS"
    report = ingest(con, write_text(tmp_path / "l.csv", head + "\n" + row + "\n"))
    assert [r.reason_code for r in report.refusals] == ["unknown_result"]
    assert "dirujuk" not in json.dumps(report.to_dict())


def test_a_result_in_the_catalogue_vocabulary_is_stored_as_its_code(con, tmp_path):
    head = LAYANAN_HEAD + ",Hasil"
    rows = [f"15/03/2024,P7309040201,7309042005,{nik(serial=3)},15/03/1990,L,PENGOBATAN_TB,Pengobatan Lengkap"]
    report = ingest(con, write_text(tmp_path / "l.csv", head + "\n" + "\n".join(rows) + "\n"))
    assert report.ok, report.to_dict()
    assert con.execute("SELECT result FROM layanan").fetchall() == [("pengobatan_lengkap",)]


def test_a_k4_record_is_refused_since_k4_is_counted_from_visits(con, tmp_path):
    row = f"15/03/2024,P7309040201,7309042005,{nik(serial=4)},15/03/1990,P,K4"
    report = ingest(con, write_text(tmp_path / "l.csv", LAYANAN_HEAD + "\n" + row + "\n"))
    assert [r.reason_code for r in report.refusals] == ["aggregate_only_service"]


def test_misaligned_rows_never_show_a_nik_or_a_name_in_any_report(con, db_path, tmp_path, capsys):
    names = ["Kwartjaningsih Aminah", "Hasanah Daeng Ngai"]
    people = [nik(serial=21), nik(dob="010170", serial=22)]
    head = LAYANAN_HEAD + ",Nama,Hasil"
    rows = [  # names and NIKs shifted one or two cells to the left, into date, code and result columns
        f"{names[0]},{people[0]},7309042005,15/03/1990,P,ANC_K1,{names[0]},",
        f"15/03/2024,{people[1]},{names[1]},15/03/1990,P,ANC_K1,x,{names[1]} nik {people[1]}",
        f"15/03/2024,P7309040201,{people[0]},{names[0]},P,ANC_K1,{names[0]},{people[0]}",
        f"{people[1]},P7309040201,7309042005,{people[1]},{names[1]},ANC_K1,{names[1]},",
    ]
    path = write_text(tmp_path / "l.csv", head + "\n" + "\n".join(rows) + "\n")
    report = ingest(con, path)
    assert report.rows_refused == 4
    texts = [json.dumps(report.to_dict(), ensure_ascii=False)]
    texts += [str(r) for r in report.refusals]
    con.close()
    assert main(["--db", str(db_path), "ingest", str(path)]) == 1
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    for text in texts:
        for secret in [*people, *names, *(n.split()[0] for n in names), *(p[:15] for p in people)]:
            assert secret not in text
