"""The upload page: check before saving, refusals in Bahasa Indonesia, save, history, withdrawal.

Files are staged either through the real file uploader (AppTest can set its files) or the way the page
stages an upload (session_state["staged"]); AppTest drives the buttons. The browser test (tests/e2e)
drives the uploader in a real browser.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.core.db import connect
from ilp_metrics.ingest import preview_file
from ilp_metrics.ingest.mapping import load_profile

from .conftest import MB, ingest, nik, write_text

ROOT = Path(__file__).resolve().parent.parent
CAPAIAN = "Periode,Kode Puskesmas,Kode Desa,Kode Layanan,Jumlah\n"
GOOD_ROW = f"2024-03,{MB},73.09.04.2005,ANC_K1,5\n"
BAD_ROW = f"2024-03,{MB},73.09.04.2005,ANC_K6,lima\n"


def stage(at: AppTest, *paths: Path) -> None:
    at.session_state["staged"] = [{"name": p.name, "path": str(p), "size": p.stat().st_size} for p in paths]


def upload_app(monkeypatch, db: Path, staged: Path | None = None, lang: str = "id") -> AppTest:
    """The page as users reach it: through dashboard.py's navigation."""
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/unggah.py")
    if staged is not None:
        stage(at, staged)
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def history(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "File" in d.value.columns and "Status" in d.value.columns)


def texts(at: AppTest) -> str:
    """Every piece of text on the page, tables included."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "caption", "markdown", "info", "success", "warning", "error")
        for e in getattr(at, kind)
    ]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def fill(db: Path, tmp_path: Path) -> int:
    # April: a month spelled alike in both languages. (AppTest formats the shared sidebar's month picker
    # outside the script run, where the session's language is unknown, and trips over 'Maret'/'March'.)
    with connect(db) as con:
        report = ingest(con, write_text(tmp_path / "april.csv", CAPAIAN + GOOD_ROW.replace("2024-03", "2024-04")))
    assert report.committed
    return report.upload_id


# ------------------------------------------------------------------ rendering


@pytest.mark.parametrize("filled", [False, True], ids=["empty", "filled"])
def test_the_page_renders_in_both_languages(monkeypatch, db_path, tmp_path, filled):
    if filled:
        fill(db_path, tmp_path)
    for lang, title, limit in (
        ("id", "Unggah data", "Batas 200 MB per file"),
        ("en", "Upload data", "Limit 200 MB per file"),
    ):
        at = upload_app(monkeypatch, db_path, lang=lang)
        assert not at.exception
        assert at.title[0].value == title
        assert any(limit in c.value for c in at.caption)  # the size limit, from ILP_MAX_UPLOAD_MB
        if filled:
            assert list(history(at)["File"]) == ["april.csv", "desa.csv", "puskesmas.csv"]
        else:  # only the registry of the fixture
            assert set(history(at)["File"]) == {"desa.csv", "puskesmas.csv"}


def test_the_page_file_also_runs_on_its_own(monkeypatch, registry_template, tmp_path):
    db = tmp_path / "ilp.duckdb"
    db.write_bytes(registry_template.read_bytes())
    monkeypatch.setenv("ILP_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "unggah.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Upload data"
    assert at.header[0].value == "Upload history"


def test_an_empty_database_says_there_are_no_uploads(monkeypatch, tmp_path):
    at = upload_app(monkeypatch, tmp_path / "fresh.duckdb")
    assert not at.exception
    assert "Belum ada unggahan." in [i.value for i in at.info]


# ------------------------------------------------------------------ check, save


def test_a_valid_file_is_checked_then_saved_and_listed(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian_maret.csv", CAPAIAN + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, good)
    assert not at.exception
    assert any("Laporan bulanan agregat" in c.value and "baris judul kolom: 1" in c.value for c in at.caption)
    assert "Simpan ke basis data" not in buttons(at)  # nothing can be saved before the check
    button(at, "Periksa file").click().run()
    assert "File siap disimpan." in [s.value for s in at.success]
    assert [m.value for m in at.metric][:4] == ["1", "1", "0", "0"]  # read, accepted, refused, skipped
    with connect(db_path) as con:  # the check wrote nothing
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0
    button(at, "Simpan ke basis data").click().run()
    assert not at.exception
    saved = next(s.value for s in at.success if "Tersimpan sebagai unggahan" in s.value)
    assert "1 baris diterima, 0 baris lama diganti" in saved
    row = history(at).iloc[0]
    assert (row["File"], row["Oleh"], row["Status"], row["Periode"]) == (
        "capaian_maret.csv",
        "demo",  # the signed-in account (here the demo account), as the demo build credits its uploads
        "aktif",
        "1 Mar 2024",
    )
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 1


def test_an_upload_is_credited_to_the_signed_in_account_never_to_a_placeholder(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "c.csv", CAPAIAN + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, good)
    at.session_state["user"] = "pak.andi"  # a stray session value names nobody
    button(at.run(), "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    assert history(at).iloc[0]["Oleh"] == "demo"


def test_a_bad_row_is_shown_with_its_reason_and_nothing_is_saved_in_strict_mode(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW + BAD_ROW)
    at = upload_app(monkeypatch, db_path, bad)
    assert at.radio(key="f0_mode").value is False  # strict is the default
    button(at, "Periksa file").click().run()
    refusals = next(d.value for d in at.dataframe if "Alasan" in d.value.columns)
    assert refusals.iloc[0]["Baris"] == 3 and refusals.iloc[0]["Kolom"] == "Jumlah"
    assert refusals.iloc[0]["Alasan"] == "Nilai 'lima' bukan angka"
    assert "Simpan ke basis data" not in buttons(at)
    assert at.error  # the whole file is refused, with the reason
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE kind = 'capaian'").fetchone()[0] == 0


def test_a_long_refusal_list_says_how_many_rows_were_refused_in_all(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + BAD_ROW * 1005)
    at = upload_app(monkeypatch, db_path, bad)
    button(at, "Periksa file").click().run()
    assert len(next(d.value for d in at.dataframe if "Alasan" in d.value.columns)) == 1000
    assert "Hanya 1.000 penolakan pertama yang ditampilkan; seluruhnya 1.005 baris ditolak." in [
        c.value for c in at.caption
    ]


def test_the_refusal_reason_is_in_english_when_english_is_chosen(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW + BAD_ROW)
    at = upload_app(monkeypatch, db_path, bad, lang="en")
    button(at, "Check the file").click().run()
    refusals = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert list(refusals.columns) == ["Row", "Column", "Reason"]
    assert "lima" in refusals.iloc[0]["Reason"] and "bukan" not in refusals.iloc[0]["Reason"]


def test_accepting_valid_rows_saves_them_and_records_the_refusal(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW + BAD_ROW)
    at = upload_app(monkeypatch, db_path, bad)
    at.radio(key="f0_mode").set_value(True).run()
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    row = history(at).iloc[0]
    assert (row["Baris diterima"], row["Baris ditolak"]) == ("1", "1")


def test_changing_a_choice_after_the_check_asks_for_a_new_check(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW + BAD_ROW)
    at = upload_app(monkeypatch, db_path, bad)
    at.radio(key="f0_mode").set_value(True).run()
    button(at, "Periksa file").click().run()
    assert "Simpan ke basis data" in buttons(at)
    at.radio(key="f0_mode").set_value(False).run()  # back to strict: the accepting check no longer holds
    assert "Simpan ke basis data" not in buttons(at)
    assert any("Periksa file lagi" in i.value for i in at.info)


def test_re_uploading_the_same_file_says_it_was_already_loaded(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, good)
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    first = int(history(at).iloc[0]["No."])

    again = write_text(tmp_path / "capaian lagi.csv", good.read_text())  # same content, other name
    stage(at, again)
    at.run()
    button(at, "Periksa file").click().run()
    assert any(f"sama persis dengan unggahan #{first}" in i.value for i in at.info)
    assert "Simpan ke basis data" not in buttons(at)
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE kind = 'capaian'").fetchone()[0] == 1


def test_a_file_loaded_elsewhere_between_check_and_save_is_not_loaded_twice(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, good)
    button(at, "Periksa file").click().run()
    with connect(db_path) as con:  # e.g. a colleague, or the command line
        other = ingest(con, good).upload_id
    button(at, "Simpan ke basis data").click().run()
    assert not at.exception
    assert any(f"sudah diunggah (unggahan #{other})" in i.value for i in at.info)
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 1


# ------------------------------------------------------------------ the real uploader


def test_files_dropped_on_the_uploader_are_checked_saved_then_their_copy_is_deleted(monkeypatch, db_path):
    at = upload_app(monkeypatch, db_path)
    at.file_uploader(key="w_uploader").set_value(
        [
            ("maret.csv", (CAPAIAN + GOOD_ROW).encode(), "text/csv"),
            ("april.csv", (CAPAIAN + GOOD_ROW.replace("2024-03", "2024-04")).encode(), "text/csv"),
        ]
    ).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["File: maret.csv", "File: april.csv"]
    copies = [Path(item["path"]) for item in at.session_state["staged"]]
    assert all(p.is_file() for p in copies)
    april = at.session_state["staged"][1]["key"]
    at.button(key=f"{april}_check").click().run()
    at.button(key=f"{april}_save").click().run()
    assert any("Tersimpan sebagai unggahan" in s.value for s in at.success)
    assert not copies[1].exists() and copies[0].is_file()  # the saved file's copy is gone at once
    assert next(iter(history(at)["File"])) == "april.csv"
    at.file_uploader(key="w_uploader").set_value(None).run()  # removed from the uploader: forgotten
    assert not at.subheader and not copies[0].exists()
    assert not at.exception


def test_a_file_over_the_limit_is_refused_with_a_clear_message(monkeypatch, db_path):
    monkeypatch.setenv("ILP_MAX_UPLOAD_MB", "0.001")
    at = upload_app(monkeypatch, db_path)
    assert any("Batas 0.001 MB per file" in c.value for c in at.caption)
    big = (CAPAIAN + GOOD_ROW * 200).encode()
    at.file_uploader(key="w_uploader").set_value(("besar.csv", big, "text/csv")).run()
    assert not at.exception
    assert any("besar.csv" in e.value and "melebihi batas 0.001 MB" in e.value for e in at.error)
    assert not at.subheader  # not staged


# ------------------------------------------------------------------ kind, mapping, profiles


def test_the_user_maps_an_unknown_column_and_saves_the_mapping_for_next_month(monkeypatch, db_path, tmp_path):
    header = "Periode,Kode Puskesmas,Kode Desa,Kode Layanan,Angka\n"  # 'Angka' is no known name for the count
    march = write_text(tmp_path / "maret.csv", header + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, march)
    # Without a count column, the codes alone look like a desa registry: the user sets the kind…
    assert any("Jenis terdeteksi: Registri desa/kelurahan" in c.value for c in at.caption)
    at.selectbox(key="f0_kind").set_value("capaian").run()
    # the missing column in the user's words, never the internal field name
    assert any("Jenis file belum dikenali" in w.value and "jumlah (Jumlah)" in w.value for w in at.warning)
    assert not any("count" in w.value for w in at.warning)
    # …and says which column holds the count.
    count = at.selectbox(key="f0_map_capaian_count")
    assert count.label == "Jumlah" and count.value == ""  # "" = not used
    assert at.selectbox(key="f0_map_capaian_puskesmas_code").value == "Kode Puskesmas"  # suggested
    count.set_value("Angka").run()
    assert not at.exception
    assert at.selectbox(key="f0_map_capaian_count").value == "Angka"
    assert any("Laporan bulanan agregat" in c.value for c in at.caption)
    at.text_input(key="f0_profile_name").input("Laporan Maros")
    at.button(key="f0_save_profile").click().run()
    assert any("Profil 'Laporan Maros' disimpan" in s.value for s in at.success)
    saved = load_profile(db_path.parent / "profiles" / "Laporan_Maros.yaml")
    assert saved.kind == "capaian" and saved.columns["count"] == "Angka"
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    assert any("Tersimpan sebagai unggahan" in s.value for s in at.success)

    # Next month: the saved profile is offered and maps the file without any correction.
    april = write_text(tmp_path / "april.csv", header + GOOD_ROW.replace("2024-03", "2024-04"))
    at.session_state["staged"] = [{"name": april.name, "path": str(april), "size": april.stat().st_size}]
    at.run()
    key = at.session_state["staged"][0]["key"]
    assert "Laporan Maros" in at.selectbox(key=f"{key}_profile").options
    assert "e-ppgbm" in at.selectbox(key=f"{key}_profile").options  # the shipped one too
    at.selectbox(key=f"{key}_profile").set_value("Laporan Maros").run()
    assert not at.warning
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    assert list(history(at)["File"])[:2] == ["april.csv", "maret.csv"]


def test_a_wrongly_detected_column_can_be_marked_not_used(monkeypatch, db_path, tmp_path):
    # 'Tahun' holds the year the report was typed, not the period's year: the user drops it.
    text = f"Periode,Kode Puskesmas,Kode Layanan,Jumlah,Tahun\n2024-03,{MB},ANC_K1,5,2025\n"
    at = upload_app(monkeypatch, db_path, write_text(tmp_path / "c.csv", text))
    assert at.selectbox(key="f0_map_capaian_year").value == "Tahun"
    at.selectbox(key="f0_map_capaian_year").set_value("").run()  # "— tidak dipakai —"
    assert not at.exception
    assert at.selectbox(key="f0_map_capaian_year").value == ""
    assert at.session_state["f0_manual"] == {"year": ""}


def test_profile_names_are_checked(monkeypatch, db_path, tmp_path):
    at = upload_app(monkeypatch, db_path, write_text(tmp_path / "c.csv", CAPAIAN + GOOD_ROW))
    for name, message in (
        ("", "Isi nama profil"),
        ("../luar", "Nama profil hanya boleh"),
        ("e-PPGBM", "nama profil bawaan"),
    ):
        at.text_input(key="f0_profile_name").input(name)
        at.button(key="f0_save_profile").click().run()
        assert any(message in e.value for e in at.error), name
    assert not (db_path.parent / "profiles").exists() or not list((db_path.parent / "profiles").iterdir())


def test_no_nik_or_name_appears_on_the_page(monkeypatch, db_path, tmp_path):
    raw_nik = nik(serial=7)
    text = (
        "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Nama,Tgl Lahir,JK,Kode Layanan\n"
        f"05/03/2024,{MB},73.09.04.2005,{raw_nik},Siti Aminah,15/03/1990,P,ANC_K1\n"
        f"06/03/2024,{MB},73.09.04.2005,{raw_nik[:15]},Siti Aminah,15/03/1990,P,ANC_K1\n"
    )
    at = upload_app(monkeypatch, db_path, write_text(tmp_path / "l.csv", text))
    at.radio(key="f0_mode").set_value(True).run()
    button(at, "Periksa file").click().run()
    assert at.dataframe  # preview and refusals are shown…
    shown = texts(at)
    assert "Baris ditolak" in shown
    for secret in (raw_nik, raw_nik[:15], "Siti", "Aminah"):  # …but never a NIK or a name
        assert secret not in shown


# ------------------------------------------------------------------ withdrawal


def test_withdrawing_an_upload_removes_its_rows(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian.csv", CAPAIAN + GOOD_ROW)
    at = upload_app(monkeypatch, db_path, good)
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    uploaded = int(history(at).iloc[0]["No."])
    at.selectbox(key="w_withdraw_pick").set_value(uploaded)
    assert at.button(key="w_withdraw").disabled  # not before the confirmation
    at.checkbox(key="w_withdraw_sure").check().run()
    button(at, "Tarik unggahan").click().run()
    assert not at.exception
    assert f"Unggahan #{uploaded} ditarik: 1 baris dihapus." in [s.value for s in at.success]
    assert history(at).iloc[0]["Status"] == "ditarik"
    assert uploaded not in at.selectbox(key="w_withdraw_pick").options  # only active uploads are offered
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0


def test_preview_masks_nik_and_still_gives_headers_when_no_kind_fits(con, tmp_path):
    records = write_text(
        tmp_path / "l.csv",
        "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Umur,JK,Kode Layanan\n"
        + f"05/03/2024,{MB},73.09.04.2005,{nik()},30,P,ANC_K1\n",
    )
    info = preview_file(con, records)
    assert info["kind"] == "layanan"
    assert info["preview"]["NIK"].iloc[0] == "•••" + nik()[-2:]  # never the whole NIK on screen
    # Recognisable headers, but no kind has all its required columns (no period, no service).
    unknown = write_text(tmp_path / "u.csv", f"Kode Puskesmas,Kegiatan Bulan Ini,Jumlah\n{MB},Senam,2\n")
    info = preview_file(con, unknown)
    assert info["kind"] is None and info["problem"].code == "missing_columns"
    assert info["headers"] == ["Kode Puskesmas", "Kegiatan Bulan Ini", "Jumlah"]


def test_an_unrecognised_figure_column_is_named_and_can_be_ignored_on_the_page(monkeypatch, db_path, tmp_path):
    text = f"Periode,Kode Puskesmas,K1,Imunisasi Zeta\n2024-03,{MB},5,7\n"
    at = upload_app(monkeypatch, db_path, write_text(tmp_path / "c.csv", text))
    assert any("'Imunisasi Zeta'" in w.value for w in at.warning)
    button(at, "Periksa file").click().run()
    assert not any(b == "Simpan ke basis data" for b in buttons(at))  # strict: refused until mapped or ignored
    at.multiselect(key="f0_ignore").set_value(["Imunisasi Zeta"]).run()
    assert not any("'Imunisasi Zeta'" in w.value for w in at.warning)
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    assert any("Tersimpan sebagai unggahan" in s.value for s in at.success)


def test_preview_shows_an_empty_personal_cell_as_empty_not_as_a_masked_nan(con, tmp_path):
    records = write_text(
        tmp_path / "l.csv",
        "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Umur,JK,Kode Layanan\n"
        + f"05/03/2024,{MB},73.09.04.2005,{nik()},30,P,ANC_K1\n"
        + f"05/03/2024,{MB},73.09.04.2005,,31,P,ANC_K1\n",
    )
    shown = preview_file(con, records)["preview"]
    assert pd.isna(shown["NIK"].iloc[1])  # an empty cell, drawn empty
    assert not shown.astype(str).isin(["nan", "•••an", "NaT"]).any().any()


def test_preview_shows_an_xlsx_date_without_its_midnight_time(con, tmp_path):
    import datetime as dt

    import openpyxl

    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tanggal Pelayanan", "Kode Puskesmas", "Kode Desa", "Tanggal Lahir", "JK", "Kode Layanan"])
    ws.append([dt.datetime(2024, 3, 5), MB, "73.09.04.2005", dt.datetime(1980, 3, 5), "P", "ANC_K1"])
    wb.save(path)
    shown = preview_file(con, path)["preview"]
    cells = shown.astype(str).to_numpy().ravel().tolist()
    assert "2024-03-05" in cells
    assert not any("00:00:00" in c for c in cells)
