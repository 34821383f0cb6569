"""Month-wide recaps read through a profile with a layout (ilp_metrics/ingest/layouts.py, recap.py).

Fixtures follow real exports: the SPM recapitulation of a district HT/DM tool (5 header rows, merged
`CAPAIAN SPM` › `TRIWULAN I` › `JANUARI` › `S` over `L`/`P`/`TOTAL`, then `TS`, `% S`, `TOTAL TW I`, a
year total) and its 4-row monthly variant, and the PWS KIA table per desa (`BULAN LALU`, `BULAN INI`,
`KUMULATIF`, `%` per indicator, the month in the title). Every count below is read off the fixture.
"""

from __future__ import annotations

from pathlib import Path

from ilp_metrics.core.db import connect
from ilp_metrics.ingest.layouts import header_paths, period_from_title
from ilp_metrics.ingest.mapping import load_profile, resolve_profile, save_profile

from .conftest import MB, PUSKESMAS_MB, TK, ingest, write_text, write_xlsx

MONTHS = ["JANUARI", "FEBRUARI", "MARET"]
SUB = ["L", "P", "TOTAL", "TS", "% S"]


def spm_rows(data: list[list[object]], quarter_row: bool = True, title_year: str = "TAHUN 2024") -> tuple[list, list]:
    """Title rows, the header (5 rows, or 4 without TRIWULAN) and `data`; merges as the export writes them."""
    head = ["NO", "NAMA PUSKESMAS", "SASARAN", "CAPAIAN SPM"] + [None] * 17 + ["TOTAL CAPAIAN TAHUN 2024"]
    tw = [None, None, None, "TRIWULAN I"] + [None] * 14 + ["TOTAL TW I", None, None, None]
    month = [None] * 3 + [x for m in MONTHS for x in (m, None, None, None, None)] + [None] * 4
    s_row = [None] * 3 + ["S", None, None, "TS", "% S"] * 3 + ["S", "TS", "% S", "S"]
    lp = [None] * 3 + ["L", "P", "TOTAL", None, None] * 3 + [None, None, None, None]
    title = [
        ["REKAPITULASI CAPAIAN STANDAR PELAYANAN MINIMAL BIDANG KESEHATAN"],
        [f"Pelayanan Kesehatan Pada Penderita Diabetes Melitus {title_year}"],
        [],
    ]
    header = [head, tw, month, s_row, lp] if quarter_row else [head, month, s_row, lp]
    start = len(title) + 1
    n = len(header)
    merges = [
        f"A{start}:A{start + n - 1}",
        f"B{start}:B{start + n - 1}",
        f"C{start}:C{start + n - 1}",
        f"D{start}:U{start}",
    ]
    row_month = start + (2 if quarter_row else 1)
    if quarter_row:
        merges += [f"D{start + 1}:R{start + 1}", f"S{start + 1}:U{start + 1}"]
    for group, s_end, ts, pct in (("D", "F", "G", "H"), ("I", "K", "L", "M"), ("N", "P", "Q", "R")):
        merges.append(f"{group}{row_month}:{pct}{row_month}")  # the month over its five columns
        merges.append(f"{group}{row_month + 1}:{s_end}{row_month + 1}")  # S over L, P, TOTAL
        merges += [f"{c}{row_month + 1}:{c}{row_month + 2}" for c in (ts, pct)]  # TS and % S down
    return title + header + data, merges


def spm_data_row(no: int, name: str, sasaran: int, totals: list[int | None]) -> list[object]:
    cells: list[object] = [no, name, sasaran]
    for total in totals:
        if total is None:
            cells += [None] * 5
        else:
            cells += [total // 2, total - total // 2, total, 1, round(100 * total / sasaran, 2)]
    q = sum(t or 0 for t in totals)
    return [*cells, q, 3, round(100 * q / sasaran, 2), q]


def spm_file(tmp_path: Path, data: list[list[object]], **kwargs) -> Path:
    rows, merges = spm_rows(data, **kwargs)
    return write_xlsx(tmp_path / "rekap_spm_dm.xlsx", rows, merges, sheet_title="Laporan")


SPM_DATA = [
    spm_data_row(1, "Maros Baru", 420, [31, 28, 35]),
    spm_data_row(2, "Turikale", 380, [22, 25, None]),
    ["JUMLAH KAB.", None, 800] + [None] * 19,
]


def capaian(con) -> list[tuple]:
    return con.execute(
        "SELECT puskesmas_code, strftime(period, '%Y-%m'), service_code, count, source_row FROM capaian ORDER BY 1, 2"
    ).fetchall()


# ------------------------------------------------------------------ header paths


def test_header_paths_fill_a_group_label_to_its_sub_columns_without_merges():
    rows = [
        ["NO", "PUSKESMAS", "JANUARI", "", "", "FEBRUARI", ""],
        ["", "", "S", "", "TS", "S", ""],
        ["", "", "L", "P", "", "L", "P"],
    ]
    assert header_paths(rows) == [
        ("NO",),
        ("PUSKESMAS",),
        ("JANUARI", "S", "L"),
        ("JANUARI", "S", "P"),
        ("JANUARI", "TS"),
        ("FEBRUARI", "S", "L"),
        ("FEBRUARI", "S", "P"),
    ]


def test_header_paths_count_a_vertically_merged_label_once():
    assert header_paths([["NO", "S"], ["NO", "S"], ["NO", "TOTAL"]]) == [("NO",), ("S", "TOTAL")]


def test_period_from_a_pws_title():
    assert period_from_title("PEMANTAUAN WILAYAH SETEMPAT KIA PUSKESMAS : MAROS BARU BULAN : MARET 2024") == "2024-03"


# ------------------------------------------------------------------ SPM recap


def test_spm_recap_loads_s_total_per_month_and_the_sasaran(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA), profile=resolve_profile("spm-dm"))
    assert report.ok and report.committed, report.to_dict()
    assert capaian(con) == [
        (MB, "2024-01", "YANKES_DM", 31, 9),
        (MB, "2024-02", "YANKES_DM", 28, 9),
        (MB, "2024-03", "YANKES_DM", 35, 9),
        (TK, "2024-01", "YANKES_DM", 22, 10),
        (TK, "2024-02", "YANKES_DM", 25, 10),
    ]
    sasaran = con.execute(
        "SELECT year, area_level, area_code, target_group, count FROM sasaran ORDER BY area_code"
    ).fetchall()
    assert sasaran == [(2024, "puskesmas", MB, "penderita_dm", 420), (2024, "puskesmas", TK, "penderita_dm", 380)]
    assert (report.rows_read, report.rows_skipped) == (2, 1)  # the JUMLAH KAB. row is skipped
    assert [p["kind"] for p in report.recap_parts] == ["capaian", "sasaran"]


def test_spm_recap_without_the_triwulan_row_loads_with_the_same_profile(con, tmp_path):
    path = spm_file(tmp_path, SPM_DATA[:1], quarter_row=False)
    report = ingest(con, path, profile=resolve_profile("spm-dm"))
    assert report.ok, report.to_dict()
    assert [(r[1], r[3], r[4]) for r in capaian(con)] == [("2024-01", 31, 8), ("2024-02", 28, 8), ("2024-03", 35, 8)]


def test_spm_recap_accounts_for_every_column(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA), profile=resolve_profile("spm-dm"), dry_run=True)
    uses = {c["column"]: c["use"] for c in report.recap_columns}
    assert len(uses) == 22  # every column of the fixture, none left out
    assert uses["NAMA PUSKESMAS"] == "dipakai sebagai puskesmas_name"
    assert uses["CAPAIAN SPM › TRIWULAN I › MARET › S › TOTAL"] == "jumlah bulan ini (3)"
    assert uses["CAPAIAN SPM › TRIWULAN I › MARET › % S"].startswith("diabaikan: sub-kolom lain")
    assert uses["CAPAIAN SPM › TOTAL TW I › S"].startswith("diabaikan: total triwulan")
    assert uses["TOTAL CAPAIAN TAHUN 2024 › S"].startswith("diabaikan: total")
    assert uses["SASARAN"] == "sasaran setahun (penderita_dm)"


def test_spm_recap_refusal_names_the_row_and_the_header_path(con, tmp_path):
    bad = spm_data_row(1, "Maros Baru", 420, [31, 28, 35])
    bad[15] = "12,5"  # MARET › S › TOTAL
    report = ingest(con, spm_file(tmp_path, [bad, SPM_DATA[1]]), profile=resolve_profile("spm-dm"))
    assert not report.committed and report.error_code == "rows_refused"
    assert [(r.row, r.column, r.reason_code) for r in report.refusals] == [
        (9, "CAPAIAN SPM › TRIWULAN I › MARET › S › TOTAL", "not_integer")
    ]
    assert capaian(con) == [] and con.execute("SELECT count(*) FROM sasaran").fetchone()[0] == 0


def test_spm_recap_without_a_year_in_the_title_asks_for_one(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA, title_year=""), profile=resolve_profile("spm-dm"))
    assert report.error_code == "recap_no_year" and "year: 2024" in (report.error or "")


def test_a_recap_without_a_recap_profile_is_named_a_recap_not_the_closest_kind(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA))
    assert report.error_code == "recap_layout"
    assert "rekap bulanan" in (report.error or "") and "spm-dm" in (report.error or "")


def test_a_saved_layout_profile_reads_back_the_same(tmp_path):
    shipped = resolve_profile("spm-hipertensi")
    shipped.name = "rekap ht kab"
    again = load_profile(save_profile(shipped, tmp_path))
    assert again.layout == shipped.layout and again.columns == shipped.columns


# ------------------------------------------------------------------ PWS KIA


def pws_csv(rows: list[str], month: str = "MARET 2024") -> str:
    return (
        "PEMANTAUAN WILAYAH SETEMPAT KESEHATAN IBU DAN ANAK (PWS KIA);;;;;;;;;;\n"
        f"PUSKESMAS : MAROS BARU;;;BULAN : {month};;;;;;;\n"
        "NO;DESA;SASARAN;K1;;;;K6;;;\n"
        ";;;BULAN LALU;BULAN INI;KUMULATIF;%;BULAN LALU;BULAN INI;KUMULATIF;%\n" + "\n".join(rows) + "\n"
    )


def test_pws_kia_loads_bulan_ini_per_desa_and_checks_kumulatif(con, tmp_path):
    text = pws_csv(
        ["1;Mattirotasi;60;10;6;16;26,7;4;3;7;11,7", "2;Majannang;45;8;5;14;31,1;2;2;4;8,9", "JUMLAH;;105;;;;;;;;"]
    )
    report = ingest(con, write_text(tmp_path / "pws.csv", text), profile=resolve_profile("pws-kia"))
    assert report.ok and report.committed, report.to_dict()
    rows = con.execute(
        "SELECT desa_code, strftime(period, '%Y-%m'), service_code, count FROM capaian ORDER BY 1, 3"
    ).fetchall()
    assert rows == [
        ("73.09.04.2005", "2024-03", "ANC_K1", 6),
        ("73.09.04.2005", "2024-03", "ANC_K6", 3),
        ("73.09.04.2006", "2024-03", "ANC_K1", 5),
        ("73.09.04.2006", "2024-03", "ANC_K6", 2),
    ]
    assert con.execute("SELECT area_code, count FROM sasaran ORDER BY 1").fetchall() == [
        ("73.09.04.2005", 60),
        ("73.09.04.2006", 45),
    ]
    # Majannang K1: 8 + 5 = 13, not the 14 written as KUMULATIF
    assert report.recap_notes == ["Baris 6, K1 › KUMULATIF: KUMULATIF 14 tidak sama dengan BULAN LALU 8 + BULAN INI 5"]


def test_pws_kia_kumulatif_is_checked_against_the_months_already_loaded(con, tmp_path):
    jan = pws_csv(["1;Mattirotasi;60;0;4;4;6,7;0;1;1;1,7"], month="JANUARI 2024")
    feb = pws_csv(["1;Mattirotasi;60;4;5;9;15;1;1;2;3,3"], month="FEBRUARI 2024")
    mar = pws_csv(["1;Mattirotasi;60;9;6;16;26,7;2;3;5;8,3"])  # K1: loaded 4 + 5 = 9, 9 + 6 = 15, not 16
    for name, text in (("jan.csv", jan), ("feb.csv", feb)):
        assert ingest(con, write_text(tmp_path / name, text), profile=resolve_profile("pws-kia")).ok
    report = ingest(con, write_text(tmp_path / "mar.csv", mar), profile=resolve_profile("pws-kia"))
    assert report.ok, report.to_dict()
    assert report.recap_notes == [
        "Baris 5, K1 › KUMULATIF: KUMULATIF 16 tidak sama dengan BULAN LALU 9 + BULAN INI 6",
        "Baris 5, K1 › KUMULATIF: KUMULATIF 16 tidak sama dengan 9 (2 bulan sebelumnya yang sudah dimuat) + BULAN INI 6",
    ]


# ------------------------------------------------------------------ the upload page


def test_the_upload_page_builds_a_recap_profile_previews_its_rows_and_saves_it(monkeypatch, db_path, tmp_path):
    from .test_page_unggah import button, upload_app

    at = upload_app(monkeypatch, db_path, staged=spm_file(tmp_path, SPM_DATA))
    assert not at.exception
    assert any("rekap bulanan" in i.value for i in at.info)  # not "Paling mirip 'desa'"
    assert at.number_input(key="f0_rc_rows").value == 5
    assert at.selectbox(key="f0_rc_area").value == "NAMA PUSKESMAS"
    assert at.selectbox(key="f0_rc_take").value == "S › TOTAL"
    at.selectbox(key="f0_rc_service").set_value("YANKES_DM").run()
    long = next(d.value for d in at.dataframe if "Puskesmas/desa" in d.value.columns)
    assert list(long["Jumlah"]) == ["31", "28", "35", "22", "25"]
    assert list(long["Puskesmas/desa"]) == ["Maros Baru"] * 3 + ["Turikale"] * 2
    at.text_input(key="f0_rc_name").set_value("rekap dm kab").run()
    button(at, "Simpan pemetaan sebagai profil (untuk file bulan depan)").click().run()
    assert not at.exception
    saved = load_profile(db_path.parent / "profiles" / "rekap_dm_kab.yaml")
    assert saved.layout is not None and saved.layout.take == ("S", "TOTAL") and saved.layout.service == "YANKES_DM"
    assert (saved.layout.sasaran_column, saved.layout.target_group) == ("SASARAN", "penderita_dm")


def test_the_upload_page_checks_and_saves_a_recap_with_a_shipped_profile(monkeypatch, db_path, tmp_path):
    from .test_page_unggah import button, upload_app

    at = upload_app(monkeypatch, db_path, staged=spm_file(tmp_path, SPM_DATA))
    at.selectbox(key="f0_profile").set_value("spm-dm").run()
    assert not at.exception
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    assert not at.exception
    with connect(db_path) as con:
        assert len(capaian(con)) == 5
        assert con.execute("SELECT sum(count) FROM sasaran").fetchone()[0] == 800


def test_pws_kia_names_an_indicator_group_the_catalogue_does_not_know(con, tmp_path):
    text = (
        "PUSKESMAS : MAROS BARU;;;BULAN : MARET 2024;;;;;;;;;;;\n"
        "NO;DESA;SASARAN;K1;;;;XK9;;;;K6;;;\n"
        ";;;BULAN LALU;BULAN INI;KUMULATIF;%;BULAN LALU;BULAN INI;KUMULATIF;%;BULAN LALU;BULAN INI;KUMULATIF;%\n"
        "1;Mattirotasi;60;10;6;16;26,7;1;1;2;3,3;4;3;7;11,7\n"
    )
    report = ingest(con, write_text(tmp_path / "pws.csv", text), profile=resolve_profile("pws-kia"))
    assert report.ok, report.to_dict()
    assert con.execute("SELECT service_code, count FROM capaian ORDER BY 1").fetchall() == [
        ("ANC_K1", 6),
        ("ANC_K6", 3),
    ]
    ignored = [
        c["column"] for c in report.recap_columns if c["use"] == "diabaikan: indikator 'XK9' tidak dikenal katalog"
    ]
    assert ignored == ["XK9 › BULAN LALU", "XK9 › BULAN INI", "XK9 › KUMULATIF", "XK9 › %"]
    assert any("'XK9' tidak cocok" in n for n in report.recap_notes)


def test_a_puskesmas_account_loads_its_recap_counts_but_not_the_sasaran(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA[:1]), profile=resolve_profile("spm-dm"), principal=PUSKESMAS_MB)
    assert report.ok and report.committed, report.to_dict()
    assert [r[3] for r in capaian(con)] == [31, 28, 35]
    assert con.execute("SELECT count(*) FROM sasaran").fetchone()[0] == 0
    assert report.recap_notes == ["Kolom SASARAN tidak dimuat: sasaran diunggah oleh Dinas Kesehatan"]


def test_a_puskesmas_account_may_not_load_another_puskesmas_recap(con, tmp_path):
    report = ingest(con, spm_file(tmp_path, SPM_DATA), profile=resolve_profile("spm-dm"), principal=PUSKESMAS_MB)
    assert report.error_code == "scope_puskesmas" and capaian(con) == []
