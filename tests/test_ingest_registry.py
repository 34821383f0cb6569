"""Puskesmas lists as a Dinas keeps them: names and codes, a kecamatan name, the kabupaten in the title.

The files are shaped like real ones (title rows, `NO`, `NAMA PUSKESMAS`, `KECAMATAN`, `ALAMAT`, `JENIS`,
a `JUMLAH` row), written in each test with openpyxl or as CSV text. Kemendagri codes are those of the
bundled reference (data/reference): Lampung Selatan 18.01 (Natar 18.01.04, Way Sulan 18.01.23, Way Panji
18.01.24), Kota Bandung 32.73 (Sukasari 32.73.01, Bandung Kulon 32.73.15), Maros 73.09.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.cli import main
from ilp_metrics.core.db import upgrade_schema
from ilp_metrics.ingest import ingest_file
from ilp_metrics.ingest.areas import match_district
from ilp_metrics.metrics.coverage import coverage

from .conftest import DINAS, SECRET, TK, ingest, nik, write_text, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["NO", "KODE PUSKESMAS", "NAMA PUSKESMAS", "KECAMATAN", "ALAMAT", "JENIS"]
LAMSEL = [
    ["DAFTAR PUSKESMAS KABUPATEN LAMPUNG SELATAN"],
    ["DINAS KESEHATAN"],
    [],
    [*HEADER, "KELOMPOK", "TANGGAL MULAI ILP"],
    [1, "P1801040101", "UPTD Puskesmas Natar", "Kec. Natar", "Jl. Raya Natar 1", "Rawat Inap", "Pilot", "01/03/2024"],
    [2, "P1801230101", "Puskesmas Way Sulan", None, "Jl. Way Sulan", "Non Rawat Inap", None, None],
    ["JUMLAH", None, "2 puskesmas", None, None, None, None, None],
]


def stored(con, code: str) -> tuple:
    return con.execute(
        "SELECT puskesmas_name, regency_code, district_code, district_from, cohort, ilp_start_date "
        "FROM puskesmas WHERE puskesmas_code = ?",
        [code],
    ).fetchone()


# ------------------------------------------------------------------ the kabupaten


def test_a_list_with_kecamatan_names_takes_its_kabupaten_from_the_title(con, tmp_path):
    report = ingest(con, write_xlsx(tmp_path / "daftar_puskesmas.xlsx", LAMSEL))
    assert report.ok and report.kind == "puskesmas", report.to_dict()
    assert (report.rows_accepted, report.rows_skipped) == (2, 1)  # the JUMLAH row is skipped
    assert report.regency is not None and (report.regency["code"], report.regency["source"]) == ("18.01", "title")
    natar = stored(con, "P1801040101")
    assert natar[:5] == ("Puskesmas Natar", "18.01", "18.01.04", "name", "pilot")  # UPTD prefix dropped
    assert str(natar[5]) == "2024-03-01"
    assert stored(con, "P1801230101")[2:4] == (None, None)  # no kecamatan yet: pending the desa list
    assert [a["how"] for a in report.areas] == ["name", "pending"]
    assert "dari nama 'Kec. Natar' di kolom 'KECAMATAN'" in report.areas[0]["note"]


@pytest.mark.parametrize("given", ["18.01", "1801"])
def test_the_kabupaten_given_as_an_option_serves_a_list_without_title(con, tmp_path, given):
    text = "Kode Puskesmas,Nama Puskesmas,Kecamatan,Telp\nP1801040101,Natar,NATAR,0721 000\n"
    report = ingest(con, write_text(tmp_path / "p.csv", text), regency_code=given)
    assert report.ok, report.to_dict()
    assert report.regency is not None and report.regency["source"] == "option"
    assert stored(con, "P1801040101")[1:3] == ("18.01", "18.01.04")


def test_a_list_that_names_no_kabupaten_is_refused_saying_how_to_give_it(con, tmp_path):
    report = ingest(con, write_text(tmp_path / "p.csv", "Kode Puskesmas,Nama Puskesmas,Kecamatan\nP1,Natar,Natar\n"))
    assert not report.ok and report.error_code == "regency_unknown"
    assert "--kabupaten" in (report.error or "")


def test_a_title_naming_an_unknown_kabupaten_says_which_words_it_read(con, tmp_path):
    rows = [["DAFTAR PUSKESMAS KABUPATEN LAMPUNG SELATANN"], HEADER, [1, "P1", "Natar", "Natar", "-", "-"]]
    report = ingest(con, write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.error_code == "title_regency_unknown"
    assert "KABUPATEN LAMPUNG SELATANN" in (report.error or "")


def test_a_title_naming_two_kabupaten_is_refused_with_both(con, tmp_path):
    rows = [["PUSKESMAS KABUPATEN MAROS DAN KOTA BANDUNG"], HEADER, [1, "P1", "Natar", "Natar", "-", "-"]]
    report = ingest(con, write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.error_code == "title_regency_ambiguous"
    assert "KABUPATEN MAROS (73.09)" in (report.error or "") and "KOTA BANDUNG (32.73)" in (report.error or "")


def test_a_desa_list_with_a_kabupaten_title_is_not_taken_for_a_puskesmas_list(con, tmp_path):
    rows = [["DESA WILAYAH KERJA PUSKESMAS KABUPATEN MAROS"], ["Kode Puskesmas", "Nama Puskesmas", "Desa"]]
    rows.append(["P7309040201", "Maros Baru", "Mattirotasi"])
    report = ingest(con, write_xlsx(tmp_path / "d.xlsx", rows))
    assert report.ok and report.kind == "desa", report.to_dict()
    assert con.execute("SELECT puskesmas_code FROM desa WHERE desa_code = '73.09.04.2005'").fetchone() == (
        "P7309040201",
    )


def test_a_regency_column_wins_over_the_title(con, tmp_path):
    rows = [["DAFTAR PUSKESMAS KOTA BANDUNG"], ["Kode Puskesmas", "Nama Puskesmas", "Kode Kabupaten", "Kecamatan"]]
    rows.append(["P7309110201", "Tompobulu", "73.09", "Tompo Bulu"])
    report = ingest(con, write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.ok, report.to_dict()
    assert report.regency is not None and report.regency["source"] == "column"
    assert stored(con, "P7309110201")[1:3] == ("73.09", "73.09.11")


# ------------------------------------------------------------------ the kecamatan


MAROS = [("73.09.03", "Bantimurung"), ("73.09.06", "Malllawa"), ("73.09.11", "Tompobulu"), ("73.09.12", "Lau")]


@pytest.mark.parametrize(
    ("text", "code", "method"),
    [
        ("Kec. TOMPO BULU", "73.09.11", "name"),  # case, prefix and a space
        ("Kecamatan Tompo-bulu", "73.09.11", "name"),
        ("Bantimurong", "73.09.03", "name_approx"),  # one letter off
        ("Mallawa", "73.09.06", "name_approx"),  # the reference itself spells it Malllawa
        ("Lao", None, "unknown"),  # names under 5 letters must be exact
        ("Camba", None, "unknown"),
    ],
)
def test_kecamatan_names_are_matched_in_a_normal_form_then_by_a_small_edit_distance(text, code, method):
    found = match_district(text, MAROS)
    assert (found.code, found.method) == (code, method)


def test_a_name_equally_close_to_two_kecamatan_is_refused_with_both_named(con, tmp_path):
    # Kabupaten Bogor has Sukaraja and Sukajaya: 'Sukajaja' is one letter from each.
    text = "Kode Puskesmas,Nama Puskesmas,Kecamatan\nP3201990101,Sukajaja,Sukajaja\nP3201990102,Sukaraja,Sukaraja\n"
    report = ingest(con, write_text(tmp_path / "p.csv", text), regency_code="32.01")
    assert not report.ok
    [refusal] = report.refusals
    assert (refusal.row, refusal.column, refusal.reason_code) == (2, "Kecamatan", "ambiguous_district_name")
    reason = refusal.to_dict()["reason"]
    assert "Sukaraja" in reason and "Sukajaya" in reason and "'Sukajaja'" in reason


def test_an_unknown_kecamatan_name_is_refused_in_the_files_words(con, tmp_path):
    text = "Kode Puskesmas,Nama Puskesmas,Nama Kecamatan\nP1801040101,Natar,Antahberantah\n"
    report = ingest(con, write_text(tmp_path / "p.csv", text), regency_code="18.01")
    [refusal] = report.refusals
    assert (refusal.column, refusal.reason_code, refusal.value) == (
        "Nama Kecamatan",
        "unknown_district_name",
        "Antahberantah",
    )


def test_the_kecamatan_comes_from_its_name_never_from_the_digits_of_a_kemenkes_code(con, tmp_path):
    # Puskesmas Cibuntu, Kota Bandung: Kemenkes P3273010201 lies in Bandung Kulon (32.73.15), not in
    # 32.73.01 (Sukasari), which its digits would suggest.
    rows = [["DAFTAR PUSKESMAS KOTA BANDUNG"], HEADER, [1, "P3273010201", "Cibuntu", "Bandung Kulon", "Jl.", "-"]]
    report = ingest(con, write_xlsx(tmp_path / "bandung.xlsx", rows))
    assert report.ok, report.to_dict()
    assert stored(con, "P3273010201")[1:4] == ("32.73", "32.73.15", "name")


def test_the_kecamatan_named_in_the_address_of_a_dinas_web_page_list_is_used(con, tmp_path):
    # The layout of Dinkes Kota Bandung's puskesmas page: no kecamatan column, `Kec. …` in the address.
    text = (
        "NO,NAMA PUSKESMAS,KODE PUSKESMAS,ALAMAT,TELEPON,JENIS PUSKESMAS\n"
        '1,UPT CIBUNTU,P3273010201,"Jl. Syahbandar I Kel Cari, Kec. Bandungkulon",6021597,Non Perawatan\n'
        '2,CIJERAH,P3273010202,"Jl. Mekar Hegar No. 1, Kec. Bandung Kulon",6022029,Non Perawatan\n'
        "3,UPT CARINGIN,P3273010204,Jl. Caringin No. 103,5432275,Non Perawatan\n"
        '4,PASIRKALIKI,P3273060201,"Jl. Pasirkaliki, Kec. Entah",000,Non Perawatan\n'
    )
    report = ingest(con, write_text(tmp_path / "puskesmas_bandung.csv", text), regency_code="3273")
    assert report.ok, report.to_dict()
    assert stored(con, "P3273010201")[:4] == ("CIBUNTU", "32.73", "32.73.15", "address")  # not 32.73.01
    assert stored(con, "P3273010202")[2] == "32.73.15"
    # No kecamatan in the address, or one the reference does not know: pending the desa list, not refused.
    assert stored(con, "P3273010204")[2:4] == (None, None)
    assert stored(con, "P3273060201")[2:4] == (None, None)
    assert [a["how"] for a in report.areas] == ["address", "address", "pending", "pending"]
    assert "dari alamat 'Jl. Syahbandar I Kel Cari, Kec. Bandungkulon' di kolom 'ALAMAT'" in report.areas[0]["note"]


def test_without_a_kecamatan_column_the_kecamatan_stays_empty_not_read_from_the_code(con, tmp_path):
    text = "Kode Puskesmas,Nama Puskesmas\nP3273010201,Cibuntu\n"
    assert ingest(con, write_text(tmp_path / "p.csv", text), regency_code="32.73").ok
    assert stored(con, "P3273010201")[2] is None


def desa_list(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    header = [["DAFTAR DESA/KELURAHAN WILAYAH KERJA PUSKESMAS"], ["NO", "PUSKESMAS", "KODE DESA", "DESA/KELURAHAN"]]
    return write_xlsx(path, header + [[i, *r] for i, r in enumerate(rows, 1)])


def desa_names(path: Path, rows: list[tuple[str, str, str]], with_kecamatan: bool = True) -> Path:
    """A desa list as a Dinas keeps it: NO, KECAMATAN, PUSKESMAS, DESA/KELURAHAN (names, no codes)."""
    header = ["NO", "KECAMATAN", "PUSKESMAS", "DESA/KELURAHAN"] if with_kecamatan else ["NO", "PUSKESMAS", "DESA"]
    body = [[i, *(r if with_kecamatan else r[1:])] for i, r in enumerate(rows, 1)]
    return write_xlsx(path, [["DAFTAR DESA/KELURAHAN PER PUSKESMAS"], header, *body, ["JUMLAH", None, None, None]])


def test_a_desa_name_found_twice_in_the_kabupaten_is_refused_with_both_unless_a_kecamatan_says(con, tmp_path):
    assert ingest(con, write_xlsx(tmp_path / "p.xlsx", LAMSEL)).ok  # Way Sulan: kecamatan pending
    rows = [("Way Sulan", "Way Sulan", "Sumber Agung")]  # also a desa of Sragi (18.01.15.2005)
    report = ingest(con, desa_names(tmp_path / "d.xlsx", rows, with_kecamatan=False))
    [refusal] = report.refusals
    assert (refusal.column, refusal.reason_code) == ("DESA", "ambiguous_desa_name_in_regency")
    assert "18.01.15.2005" in refusal.to_dict()["reason"] and "18.01.23.2002" in refusal.to_dict()["reason"]
    assert ingest(con, desa_names(tmp_path / "d2.xlsx", rows)).ok
    assert con.execute("SELECT desa_code FROM desa WHERE desa_name = 'Sumber Agung'").fetchone() == ("18.01.23.2002",)


def test_an_unknown_desa_name_is_refused(con, tmp_path):
    assert ingest(con, write_xlsx(tmp_path / "p.xlsx", LAMSEL)).ok
    report = ingest(con, desa_names(tmp_path / "d.xlsx", [("Natar", "Natar", "Antahberantah")]))
    [refusal] = report.refusals
    assert (refusal.column, refusal.reason_code, refusal.value) == (
        "DESA/KELURAHAN",
        "unknown_desa_name_in_regency",
        "Antahberantah",
    )


def test_a_pending_kecamatan_is_the_one_of_most_of_its_desa_recomputed_when_the_desa_list_changes(con, tmp_path):
    assert ingest(con, write_xlsx(tmp_path / "p.xlsx", LAMSEL)).ok
    two_way_sulan = [("Way Sulan", "18.01.23.2001", "Mekar Sari"), ("Way Sulan", "18.01.23.2002", "Sumber Agung")]
    one_way_panji = [("Way Sulan", "18.01.24.2001", "Sidoharjo")]
    assert ingest(con, desa_list(tmp_path / "d1.xlsx", two_way_sulan + one_way_panji)).ok
    assert stored(con, "P1801230101")[2:4] == ("18.01.23", "desa")
    assert stored(con, "P1801040101")[2:4] == ("18.01.04", "name")  # a kecamatan from its name stays
    # The Dinas moves the two Way Sulan desa to Natar: Way Sulan now serves Way Panji's desa.
    moved = [("Natar", "18.01.23.2001", "Mekar Sari"), ("Natar", "18.01.23.2002", "Sumber Agung")]
    assert ingest(con, desa_list(tmp_path / "d2.xlsx", moved)).ok
    assert stored(con, "P1801230101")[2:4] == ("18.01.24", "desa")
    assert stored(con, "P1801040101")[2] == "18.01.04"


def test_a_file_made_before_the_kecamatan_source_keeps_its_kecamatan_codes(con, tmp_path):
    # The Maros registry of the fixture, as a file without district_from: its codes came from a column.
    con.execute("UPDATE puskesmas SET district_from = NULL")
    upgrade_schema(con)
    moved = [("Turikale", f"73.09.04.{n}", name) for n, name in (("2004", "Borikamase"), ("2007", "Borimasunggu"))]
    moved.append(("Turikale", "73.09.04.2005", "Mattirotasi"))  # now 3 of its 5 desa lie in 73.09.04
    assert ingest(con, desa_list(tmp_path / "d.xlsx", moved)).ok
    assert con.execute(
        "SELECT district_code, district_from FROM puskesmas WHERE puskesmas_code = ?", [TK]
    ).fetchone() == (
        "73.09.14",
        "code",
    )


# ------------------------------------------------------------------ the whole chain


def test_a_district_with_only_a_puskesmas_list_with_kecamatan_names_gets_its_figures(con, tmp_path):
    """Lampung Selatan, 2024: puskesmas list (kecamatan names, no regency column), desa list, sasaran per
    puskesmas, service records by name; nothing edited, nothing configured."""
    assert ingest(con, write_xlsx(tmp_path / "1_puskesmas.xlsx", LAMSEL)).ok
    # The desa by name, as a Dinas lists them; Sumber Agung is also a desa of Sragi: its KECAMATAN tells.
    desa = [("Natar", "Natar", "Hajimena"), ("Natar", "Natar", "Natar")]
    desa += [("Way Sulan", "Way Sulan", "Mekar Sari"), ("Way Sulan", "Way Sulan", "Sumber Agung")]
    report = ingest(con, desa_names(tmp_path / "2_desa.xlsx", desa))
    assert report.ok and report.kind == "desa", report.to_dict()
    assert [
        r[0] for r in con.execute("SELECT desa_code FROM desa WHERE desa_code LIKE '18.01.%' ORDER BY 1").fetchall()
    ] == [
        "18.01.04.2001",
        "18.01.04.2004",
        "18.01.23.2001",
        "18.01.23.2002",
    ]
    sasaran = [
        ["SASARAN PROGRAM KESEHATAN KABUPATEN LAMPUNG SELATAN TAHUN 2024"],
        ["NO", "KECAMATAN", "PUSKESMAS", "IBU HAMIL"],
        [1, "Natar", "Natar", 40],
        [2, "Way Sulan", "Way Sulan", 25],
        ["JUMLAH", None, None, 65],
    ]
    report = ingest(con, write_xlsx(tmp_path / "3_sasaran.xlsx", sasaran))
    assert report.ok and report.kind == "sasaran", report.to_dict()
    records = "Tanggal Pelayanan;Puskesmas;Desa/Kelurahan;NIK;Tanggal Lahir;JK;Jenis Layanan\n" + "".join(
        f"{day};{pkm};{desa_name};{nik('180104', serial=serial)};15/03/1995;P;K6\n"
        for day, pkm, desa_name, serial in [
            ("10/01/2024", "Natar", "Hajimena", 1),  # p1, January
            ("12/02/2024", "Natar", "Hajimena", 1),  # p1 again: counted once
            ("05/03/2024", "Natar", "Natar", 2),  # p2, March
            ("20/02/2024", "Way Sulan", "Mekar Sari", 3),  # p3, February
        ]
    )
    report = ingest(con, write_text(tmp_path / "4_layanan.csv", records))
    assert report.ok and report.kind == "layanan", report.to_dict()

    per_pkm = coverage(con, "SPM01", level="puskesmas", year=2024, through=3, regency="18.01", principal=DINAS)
    march = per_pkm[per_pkm["month"] == 3].set_index("unit_code")
    assert march.loc["P1801040101", ["numerator", "denominator"]].tolist() == [2, 40]  # 2/40 = 5 %
    assert march.loc["P1801230101", ["numerator", "denominator"]].tolist() == [1, 25]  # 1/25 = 4 %
    assert march.loc["P1801040101", "coverage"] == pytest.approx(5.0)
    assert march.loc["P1801230101", "coverage"] == pytest.approx(4.0)
    kab = coverage(con, "SPM01", level="kabupaten", year=2024, through=3, regency="18.01", principal=DINAS)
    kab_march = kab[kab["month"] == 3].iloc[0]
    assert (kab_march["numerator"], kab_march["denominator"]) == (3, 65)
    assert kab_march["coverage"] == pytest.approx(100 * 3 / 65)
    assert stored(con, "P1801230101")[2] == "18.01.23"  # Way Sulan's kecamatan came with its desa


# ------------------------------------------------------------------ command line and upload page


def test_the_ingest_command_takes_the_kabupaten_option(db_path, tmp_path, capsys):
    plain = write_text(tmp_path / "p.csv", "Kode Puskesmas,Nama Puskesmas,Kecamatan\nP1801040101,Natar,Natar\n")
    code = main(["ingest", "--db", str(db_path), "--kabupaten", "1801", str(plain)])
    [report] = json.loads(capsys.readouterr().out)
    assert code == 0 and report["kabupaten"]["code"] == "18.01"
    assert report["kecamatan"][0]["kecamatan_code"] == "18.01.04"
    assert main(["ingest", "--db", str(db_path), "--kabupaten", "18", str(plain)]) == 2  # not a regency code


def test_the_upload_page_offers_the_kabupaten_when_the_list_lacks_it(monkeypatch, db_path, tmp_path):
    plain = write_text(tmp_path / "p.csv", "Kode Puskesmas,Nama Puskesmas,Kecamatan\nP1801040101,Natar,Natar\n")
    monkeypatch.setenv("ILP_DB", str(db_path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "unggah.py"), default_timeout=90)
    at.session_state["staged"] = [{"name": plain.name, "path": str(plain), "size": plain.stat().st_size}]
    at.run()
    assert not at.exception
    [pick] = [s for s in at.selectbox if s.label == "Kabupaten/kota daftar ini"]
    pick.set_value("18.01").run()
    next(b for b in at.button if b.label == "Periksa file").click().run()
    assert "File siap disimpan." in [s.value for s in at.success]
    areas = next(d.value for d in at.dataframe if "Kecamatan" in d.value.columns)
    assert areas["Kecamatan"].tolist() == ["Natar"]


def test_the_report_of_the_areas_is_in_english_when_english_is_chosen(con, tmp_path):
    report = ingest_file(
        con, write_xlsx(tmp_path / "p.xlsx", LAMSEL), secret=SECRET, lang="en", dry_run=True, principal=DINAS
    )
    assert report.ok and report.regency is not None
    assert report.regency["note"] == "KABUPATEN LAMPUNG SELATAN (18.01): read from the file's title"
    assert report.areas[1]["note"].startswith("Kecamatan not known yet")
