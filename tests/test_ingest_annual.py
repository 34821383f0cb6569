"""Annual tables (ingest/annual.py, ingest/headers.py): Profil Kesehatan tables and annual SPM recaps.

The fixtures are shaped like the real tables: the Profil Kesehatan "Tabel 29" of a kabupaten (title rows,
`NO / KECAMATAN / PUSKESMAS`, `IBU HAMIL` over `JUMLAH`, `K1` `K4` `K6` each over `JUMLAH` and `%`, the
column-number row, a `JUMLAH KAB.` total row), and the three-row layout of the Profil Kesehatan tool of
Kabupaten Kutai Timur (`Jumlah Ibu Hamil` merged over three rows, a programme over its services, each
service over `Jumlah` and `%`, the total row `Jumlah Kab/Kota`). Every figure is checked by hand.

Hand check of TABEL_29 (2024, Maros Baru / Turikale):
  sasaran ibu hamil 400 / 300 → kabupaten 700
  K1 360 (90,00 %) / 270 (90,00 %) → 630, 90,0 % of 700
  K6 300 (75,00 %) / 210 (70,00 %) → 510, 72,86 % of 700
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ilp_metrics.ingest import preview_file, withdraw
from ilp_metrics.ingest.headers import header_block, is_numbers_row, title_regency, title_year
from ilp_metrics.metrics import compare, coverage
from ilp_metrics.quality import findings

from .conftest import DINAS, MB, PUSKESMAS_MB, TK, ingest, write_text, write_xlsx

TITLE = [
    ["TABEL 29"],
    ["CAKUPAN PELAYANAN KESEHATAN PADA IBU HAMIL, IBU BERSALIN, DAN IBU NIFAS MENURUT KECAMATAN DAN PUSKESMAS"],
    ["KABUPATEN MAROS"],
    ["TAHUN 2024"],
    [],
]
HEADER = [
    ["NO", "KECAMATAN", "PUSKESMAS", "IBU HAMIL", "", "", "", "", "", ""],
    ["", "", "", "JUMLAH", "K1", "", "K4", "", "K6", ""],
    ["", "", "", "", "JUMLAH", "%", "JUMLAH", "%", "JUMLAH", "%"],
]
# merged: NO, KECAMATAN, PUSKESMAS over three rows; IBU HAMIL over D..J; JUMLAH (D) over two rows; K1, K4, K6
MERGES = ["A6:A8", "B6:B8", "C6:C8", "D6:J6", "D7:D8", "E7:F7", "G7:H7", "I7:J7"]
NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def tabel_29(rows: list[list[Any]] | None = None, total: list[Any] | None = None) -> list[list[Any]]:
    body = rows or [
        [1, "Maros Baru", "Maros Baru", 400, 360, "90,00", 330, "82,50", 300, "75,00"],
        [2, "Turikale", "Turikale", 300, 270, "90,00", 240, "80,00", 210, "70,00"],
    ]
    total = total or ["", "JUMLAH KAB.", "", 700, 630, "90,00", 570, "81,43", 510, "72,86"]
    return TITLE + HEADER + [NUMBERS] + body + [total, ["Sumber: Seksi Kesehatan Keluarga"]]


def write_tabel_29(tmp_path: Path, name: str = "tabel29.xlsx", **kwargs: Any) -> Path:
    return write_xlsx(tmp_path / name, tabel_29(**kwargs), MERGES, sheet_title="Tabel 29")


def annual_counts(con) -> dict[tuple[str, str], int]:
    rows = con.execute("SELECT puskesmas_code, service_code, count FROM capaian_tahunan WHERE year = 2024").fetchall()
    return {(p, s): n for p, s, n in rows}


def sasaran_2024(con) -> dict[str, int]:
    rows = con.execute(
        "SELECT area_code, count FROM sasaran WHERE year = 2024 AND target_group = 'ibu_hamil'"
    ).fetchall()
    return dict(rows)


# ------------------------------------------------------------------ headers.py


def test_header_paths_follow_merged_cells_from_the_top_row_down():
    rows = tabel_29()
    block = header_block(rows, 5, anchors=[0, 1, 2])
    assert (block.first, block.last, block.numbers_row, block.data_start) == (5, 7, 8, 9)
    assert block.paths[3] == ("IBU HAMIL", "JUMLAH")
    assert block.paths[5] == ("IBU HAMIL", "K1", "%")  # an unfilled merge belongs to the group on its left
    assert block.paths[2] == ("PUSKESMAS",)


def test_a_row_of_column_numbers_is_recognised_and_a_data_row_is_not():
    assert is_numbers_row([1, 2, 3, 4])
    assert is_numbers_row(["(1)", "(2)", "(3)"])
    assert not is_numbers_row([1, "Maros Baru", 400])
    assert not is_numbers_row([5, 3, 1])


def test_title_rows_give_the_kabupaten_and_the_year():
    regencies = {"73.09": "KABUPATEN MAROS", "73.22": "KABUPATEN LUWU UTARA", "73.17": "KABUPATEN LUWU"}
    assert title_regency("TABEL 29 KABUPATEN MAROS TAHUN 2024", regencies) == "73.09"
    assert title_regency("PROFIL KESEHATAN KAB. LUWU UTARA TAHUN 2023", regencies) == "73.22"
    assert title_regency("Kabupaten/Kota Luwu", regencies) == "73.17"
    assert title_regency("PROVINSI SULAWESI SELATAN", regencies) is None
    assert title_year("CAKUPAN ... TAHUN 2024") == 2024


# ------------------------------------------------------------------ loading


def test_one_upload_loads_the_year_sasaran_and_counts_k4_included(con, tmp_path):
    report = ingest(con, write_tabel_29(tmp_path))
    assert report.ok and report.committed, report.to_dict()
    assert report.kind == "tahunan" and report.year == 2024
    assert sasaran_2024(con) == {MB: 400, TK: 300}
    assert annual_counts(con) == {
        (MB, "ANC_K1"): 360,
        (TK, "ANC_K1"): 270,
        (MB, "ANC_K4"): 330,
        (TK, "ANC_K4"): 240,
        (MB, "ANC_K6"): 300,
        (TK, "ANC_K6"): 210,
    }
    assert report.rows_accepted == 2 and report.rows_skipped >= 2  # total row and the source line
    # K4 is the aggregate-only service ANC_K4 (women with 4 visits), never dropped
    assert not [n for n in report.notes if n["code"] == "annual_column_unknown_measure"]
    assert not [n for n in report.notes if n["code"] in ("annual_percent_mismatch", "annual_total_mismatch")]


def test_every_column_of_the_table_is_accounted_for(con, tmp_path):
    report = ingest(con, write_tabel_29(tmp_path))
    uses = {c.header: (c.use, c.target) for c in report.columns}
    assert uses == {
        "NO": ("row_number", None),
        "KECAMATAN": ("field", "district_name"),
        "PUSKESMAS": ("field", "puskesmas_name"),
        "IBU HAMIL / JUMLAH": ("wide", "ibu_hamil"),
        "IBU HAMIL / K1 / JUMLAH": ("wide", "ANC_K1"),
        "IBU HAMIL / K1 / %": ("percent", "ANC_K1"),
        "IBU HAMIL / K4 / JUMLAH": ("wide", "ANC_K4"),
        "IBU HAMIL / K4 / %": ("percent", "ANC_K4"),
        "IBU HAMIL / K6 / JUMLAH": ("wide", "ANC_K6"),
        "IBU HAMIL / K6 / %": ("percent", "ANC_K6"),
    }


def test_a_percentage_that_disagrees_with_count_over_target_is_a_note_naming_header_and_row(con, tmp_path):
    rows = [
        [1, "Maros Baru", "Maros Baru", 400, 360, "95,00", 330, "82,50", 300, "75,00"],
        [2, "Turikale", "Turikale", 300, 270, "90,00", 240, "80,00", 210, "70,00"],
    ]
    report = ingest(con, write_tabel_29(tmp_path, rows=rows))
    assert report.ok
    mismatch = [n for n in report.notes if n["code"] == "annual_percent_mismatch"]
    assert [(n["row"], n["column"], n["expected"]) for n in mismatch] == [(10, "IBU HAMIL / K1 / %", 90.0)]
    assert "Baris 10" in report.note_texts()[[n["code"] for n in report.notes].index("annual_percent_mismatch")]


def test_rounded_percentages_are_not_a_mismatch(con, tmp_path):
    rows = [
        [1, "Maros Baru", "Maros Baru", 300, 200, "66,7", 10, "3,3", 100, "33,33"],
        [2, "Turikale", "Turikale", 300, 270, "90", 240, "80", 210, "70"],
    ]
    total = ["", "JUMLAH KAB.", "", 600, 470, "78,3", 250, "41,7", 310, "51,7"]
    report = ingest(con, write_tabel_29(tmp_path, rows=rows, total=total))
    assert report.ok
    assert not [n for n in report.notes if n["code"] == "annual_percent_mismatch"]


def test_file_totals_must_equal_the_rows_loaded(con, tmp_path):
    total = ["", "JUMLAH KAB.", "", 700, 640, "91,43", 570, "81,43", 510, "72,86"]
    report = ingest(con, write_tabel_29(tmp_path, total=total))
    assert report.ok
    mismatch = [n for n in report.notes if n["code"] == "annual_total_mismatch"]
    assert [(n["column"], n["value"], n["expected"]) for n in mismatch] == [("IBU HAMIL / K1 / JUMLAH", 640, 630)]


def test_a_total_row_labelled_kabupaten_is_skipped(con, tmp_path):
    total = ["", "Kabupaten", "", 700, 630, "90,00", 570, "81,43", 510, "72,86"]
    report = ingest(con, write_tabel_29(tmp_path, total=total))
    assert report.ok and report.rows_accepted == 2 and report.rows_refused == 0


def test_a_table_of_percentages_only_is_refused_in_the_files_words(con, tmp_path):
    rows = [
        [1, "Maros Baru", "Maros Baru", None, None, "90,00", None, "82,50", None, "75,00"],
        [2, "Turikale", "Turikale", None, None, "90,00", None, "80,00", None, "70,00"],
    ]
    report = ingest(con, write_tabel_29(tmp_path, rows=rows, total=["", "JUMLAH KAB."]))
    assert not report.ok and report.error_code == "annual_percent_only"
    assert "IBU HAMIL / K1 / %" in report.error and "tanpa sasarannya" in report.error
    assert con.execute("SELECT count(*) FROM capaian_tahunan").fetchone()[0] == 0


def test_percentages_only_are_derived_when_the_sasaran_is_known(con, tmp_path):
    write_text(tmp_path / "s.csv", f"tahun,puskesmas_code,sasaran,jumlah\n2024,{MB},Bumil,400\n2024,{TK},Bumil,300\n")
    assert ingest(con, tmp_path / "s.csv").ok
    rows = [
        [1, "Maros Baru", "Maros Baru", None, None, "90,00", None, "82,50", None, "75,50"],
        [2, "Turikale", "Turikale", None, None, "90,00", None, "80,00", None, "70,00"],
    ]
    report = ingest(con, write_tabel_29(tmp_path, rows=rows, total=["", "JUMLAH KAB."]))
    assert report.ok, report.to_dict()
    # 75,50 % × 400 / 100 = 302; 70 % × 300 = 210
    assert annual_counts(con)[(MB, "ANC_K6")] == 302 and annual_counts(con)[(TK, "ANC_K6")] == 210
    derived = con.execute("SELECT bool_and(derived) FROM capaian_tahunan").fetchone()[0]
    assert derived is True
    assert sum(1 for n in report.notes if n["code"] == "annual_derived") == 6  # K1, K4, K6 of both rows


def test_an_unknown_puskesmas_row_is_refused_and_strict_mode_writes_nothing(con, tmp_path):
    rows = [
        [1, "Maros Baru", "Maros Baru", 400, 360, "90,00", 330, "82,50", 300, "75,00"],
        [2, "Turikale", "Puskesmas Entah", 300, 270, "90,00", 240, "80,00", 210, "70,00"],
    ]
    report = ingest(con, write_tabel_29(tmp_path, rows=rows))
    assert not report.ok and report.error_code == "rows_refused"
    assert [(r.row, r.column, r.reason_code) for r in report.refusals] == [(11, "PUSKESMAS", "unknown_puskesmas_name")]
    assert con.execute("SELECT count(*) FROM uploads WHERE kind = 'tahunan'").fetchone()[0] == 0


def test_replacing_a_years_upload_replaces_its_slice_and_withdraw_removes_both_tables(con, tmp_path):
    first = ingest(con, write_tabel_29(tmp_path, "a.xlsx"))
    rows = [
        [1, "Maros Baru", "Maros Baru", 410, 370, "90,24", 330, "80,49", 310, "75,61"],
        [2, "Turikale", "Turikale", 300, 270, "90,00", 240, "80,00", 210, "70,00"],
    ]
    total = ["", "JUMLAH KAB.", "", 710, 640, "90,14", 570, "80,28", 520, "73,24"]
    second = ingest(con, write_tabel_29(tmp_path, "b.xlsx", rows=rows, total=total))
    assert second.ok and second.rows_replaced == 8  # sasaran, K1, K4 and K6 of both puskesmas
    assert annual_counts(con)[(MB, "ANC_K1")] == 370 and sasaran_2024(con) == {MB: 410, TK: 300}
    status = con.execute("SELECT status FROM uploads WHERE upload_id = ?", [first.upload_id]).fetchone()[0]
    assert status == "replaced"
    assert withdraw(con, second.upload_id, principal=DINAS) == 8
    assert annual_counts(con) == {} and sasaran_2024(con) == {}


def test_a_puskesmas_account_may_not_upload_an_annual_table(con, tmp_path):
    report = ingest(con, write_tabel_29(tmp_path), principal=PUSKESMAS_MB)
    assert not report.ok and report.error_code == "scope_kind"


# ------------------------------------------------------------------ the Kutai Timur layout (three rows)


def test_three_row_layout_with_a_target_merged_down_and_a_programme_over_its_services(con, tmp_path):
    rows = [
        ["CAKUPAN PELAYANAN ANTENATAL PADA IBU HAMIL MENURUT KECAMATAN DAN PUSKESMAS"],
        ["Kabupaten/Kota Maros"],
        ["Tahun 2023"],
        ["Kecamatan", "Puskesmas", "Jumlah Ibu Hamil", "PELAYANAN ANTENATAL", "", "", ""],
        ["", "", "", "Kunjungan K1", "", "Kunjungan K6", ""],
        ["", "", "", "Jumlah", "%", "Jumlah", "%"],
        ["Maros Baru", "UPT Puskesmas Maros Baru", "1.210", "1.100", "90,91", "968", "80,00"],
        ["Turikale", "UPT Puskesmas Turikale", "790", "700", "88,61", "600", "75,95"],
        ["Jumlah Kab/Kota", "", "2.000", "1.800", "90,00", "1.568", "78,40"],
    ]
    merges = ["A4:A6", "B4:B6", "C4:C6", "D4:G4", "D5:E5", "F5:G5"]
    report = ingest(con, write_xlsx(tmp_path / "kutim.xlsx", rows, merges))
    assert report.ok, report.to_dict()
    assert report.year == 2023
    got = con.execute("SELECT puskesmas_code, service_code, count FROM capaian_tahunan ORDER BY 1, 2").fetchall()
    assert got == [(MB, "ANC_K1", 1100), (MB, "ANC_K6", 968), (TK, "ANC_K1", 700), (TK, "ANC_K6", 600)]
    targets = con.execute("SELECT area_code, count FROM sasaran WHERE year = 2023 ORDER BY 1").fetchall()
    assert targets == [(MB, 1210), (TK, 790)]
    assert not [n for n in report.notes if "mismatch" in n["code"]]


def test_neonatal_table_with_sex_sub_columns_loads_the_l_plus_p_figures_and_names_the_rest(con, tmp_path):
    # Kutai Timur's "Kunjungan Neonatal" table: Jumlah Lahir Hidup split L / P / L + P, each visit
    # split L / P / L + P and then jumlah / %. Hand check: lahir hidup 200 + 150 = 350; KN lengkap
    # 180 (90 %) + 120 (80 %) = 300; KN1 is no service of the catalogue.
    sexes = ["Laki Laki", "", "Perempuan", "", "Laki Laki + Perempuan", ""]
    kn1 = ["Kunjungan Neonatal 1 kali", "", "", "", "", ""]
    kn3 = ["Kunjungan Neonatal 3 kali (kn lengkap)", "", "", "", "", ""]
    mb_kn = [90, "90,00", 90, "90,00", 180, "90,00"]
    tk_kn = [64, "80,00", 56, "80,00", 120, "80,00"]
    kab_kn = [154, "85,56", 146, "85,88", 300, "85,71"]
    rows = [
        ["KUNJUNGAN NEONATAL MENURUT KECAMATAN DAN PUSKESMAS"],
        ["KABUPATEN MAROS"],
        ["TAHUN 2024"],
        ["No", "Kecamatan", "Puskesmas", "Jumlah Lahir Hidup", "", "", *kn1, *kn3],
        ["", "", "", "Laki Laki", "Perempuan", "Laki Laki + Perempuan", *sexes, *sexes],
        ["", "", "", "", "", "", *(["jumlah", "%"] * 6)],
        [1, "Maros Baru", "Maros Baru", 100, 100, 200, 95, "95,00", 96, "96,00", 191, "95,50", *mb_kn],
        [2, "Turikale", "Turikale", 80, 70, 150, 70, "87,50", 60, "85,71", 130, "86,67", *tk_kn],
        ["Jumlah Kab/Kota", "", "", 180, 170, 350, 165, "91,67", 156, "91,76", 321, "91,71", *kab_kn],
    ]
    merges = ["A4:A6", "B4:B6", "C4:C6", "D4:F4", "G4:L4", "M4:R4", "D5:D6", "E5:E6", "F5:F6"]
    merges += ["G5:H5", "I5:J5", "K5:L5", "M5:N5", "O5:P5", "Q5:R5", "A9:C9"]
    kn1_columns = [
        f"Kunjungan Neonatal 1 kali / {sex} / {part}"
        for sex in (sexes[0], sexes[2], sexes[4])
        for part in ("jumlah", "%")
    ]
    strict = ingest(con, write_xlsx(tmp_path / "neonatal.xlsx", rows, merges))
    assert strict.error_code == "unmatched_columns" and not strict.committed  # KN1: no service of the catalogue
    report = ingest(con, tmp_path / "neonatal.xlsx", ignore_columns=kn1_columns)
    assert report.ok, report.to_dict()
    targets = con.execute("SELECT area_code, target_group, count FROM sasaran WHERE year = 2024 ORDER BY 1").fetchall()
    assert targets == [(MB, "bayi_baru_lahir", 200), (TK, "bayi_baru_lahir", 150)]
    assert annual_counts(con) == {(MB, "KN_LENGKAP"): 180, (TK, "KN_LENGKAP"): 120}
    notes = {(n["code"], n["column"]) for n in report.notes}
    assert ("annual_column_one_sex", "Jumlah Lahir Hidup / Laki Laki") in notes
    assert ("annual_column_unknown_measure", "Kunjungan Neonatal 1 kali / Laki Laki + Perempuan / jumlah") in notes
    assert not [n for n in report.notes if "mismatch" in n["code"]]


def test_a_csv_export_with_unfilled_merges_reads_the_same(con, tmp_path):
    lines = [";".join("" if c is None else str(c) for c in row) for row in tabel_29()]
    report = ingest(con, write_text(tmp_path / "tabel29.csv", "\n".join(lines) + "\n"))
    assert report.ok, report.to_dict()
    assert annual_counts(con)[(TK, "ANC_K6")] == 210


# ------------------------------------------------------------------ downstream: the year grain


def test_annual_coverage_per_puskesmas_and_kabupaten_reads_the_annual_aggregate(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    pusk = coverage.year_coverage(con, ["KIA_K1", "SPM01"], level="puskesmas", year=2024, principal=DINAS)
    got = {(r.indicator, r.unit_code): (r.numerator, r.denominator) for r in pusk.itertuples()}
    assert got == {
        ("KIA_K1", MB): (360, 400),
        ("KIA_K1", TK): (270, 300),
        ("SPM01", MB): (300, 400),
        ("SPM01", TK): (210, 300),
    }
    kab = coverage.year_coverage(con, ["SPM01"], level="kabupaten", year=2024, principal=DINAS)
    assert len(kab) == 1 and kab.iloc[0]["numerator"] == 510 and kab.iloc[0]["denominator"] == 700
    assert kab.iloc[0]["coverage"] == pytest.approx(510 / 700 * 100)
    assert set(kab["grain"]) == {"year"}


def test_monthly_data_of_the_same_slice_take_precedence_over_the_annual_aggregate(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    csv = f"periode,puskesmas_code,layanan,jumlah\n2024-01,{MB},K6,20\n2024-02,{MB},K6,25\n"
    assert ingest(con, write_text(tmp_path / "c.csv", csv)).ok
    frame = coverage.year_coverage(con, ["SPM01"], level="puskesmas", year=2024, principal=DINAS)
    got = dict(zip(frame["unit_code"], frame["numerator"]))
    assert got == {MB: 45, TK: 210}  # never 345: the two sources are not added


def test_the_monthly_series_shows_no_invented_months_from_an_annual_table(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    monthly = coverage.coverage(con, "SPM01", level="puskesmas", year=2024, principal=DINAS)
    assert not monthly["has_data"].any() and monthly["numerator"].sum() == 0


def test_year_grain_data_raise_no_monthly_quality_findings(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    found = findings(con, year=2024, principal=DINAS)
    families = set(found["family"]) if len(found) else set()
    assert not families & {"completeness", "timeliness", "outliers"}


def test_an_annual_year_is_a_baseline_before_ilp_in_before_after(con, tmp_path):
    # Turikale starts ILP in August 2024: its 2023 table is its year before ILP
    rows = [
        [1, "Maros Baru", "Maros Baru", 400, 360, "90,00", 330, "82,50", 300, "75,00"],
        [2, "Turikale", "Turikale", 300, 270, "90,00", 240, "80,00", 150, "50,00"],
    ]
    total = ["", "JUMLAH KAB.", "", 700, 630, "90,00", 570, "81,43", 450, "64,29"]
    data = tabel_29(rows=rows, total=total)
    data[3] = ["TAHUN 2023"]
    assert ingest(con, write_xlsx(tmp_path / "t2023.xlsx", data, MERGES)).ok
    table = compare.before_after(
        con, "SPM01", {"pilot": [TK]}, months=4, min_months=1, baseline_year=2023, principal=DINAS
    ).set_index("unit_code")
    assert table.loc[TK, "before_mean_pct"] == pytest.approx(50.0)
    assert table.loc[TK, "months_before"] == 12 and table.loc[TK, "before_grain"] == "year"


def test_the_upload_preview_names_an_annual_table_and_its_header_paths(con, tmp_path):
    info = preview_file(con, write_tabel_29(tmp_path))
    assert info["kind"] == "tahunan" and info["problem"] is None and info["header_row"] == 6
    assert info["headers"][4] == "IBU HAMIL / K1 / JUMLAH"
    assert info["preview"]["baris"].tolist()[:2] == [10, 11]
    assert info["preview"]["PUSKESMAS"].tolist()[:2] == ["Maros Baru", "Turikale"]


def test_the_annual_preview_counts_puskesmas_rows_only_and_marks_the_jumlah_kab_row(con, tmp_path):
    info = preview_file(con, write_tabel_29(tmp_path))
    assert (info["rows"], info["total_rows"], info["total_row_numbers"]) == (2, 1, [12])
    notes = dict(zip(info["preview"]["baris"], info["preview"]["Status baris"]))
    assert notes == {10: None, 11: None, 12: "baris jumlah, dilewati", 13: "di bawah baris jumlah, dilewati"}
