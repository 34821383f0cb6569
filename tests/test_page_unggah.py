"""The upload page: check before saving, refusals in Bahasa Indonesia, save, history, withdrawal.

Files are staged the way the page stages an upload (session_state["staged"]); AppTest drives the
buttons. The browser test (tests/e2e) drives the real file uploader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from ilp_metrics.db import connect
from ilp_metrics.ingest import preview_file

from .conftest import MB, nik, write_text

ROOT = Path(__file__).resolve().parent.parent
CAPAIAN = "Periode,Kode Puskesmas,Kode Desa,Kode Layanan,Jumlah\n"


def upload_app(monkeypatch, db: Path, staged: Path | None = None, lang: str = "id") -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/unggah.py")
    if staged is not None:
        at.session_state["staged"] = [{"name": staged.name, "path": str(staged), "size": staged.stat().st_size}]
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def history(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "File" in d.value.columns and "Status" in d.value.columns)


def test_the_page_renders_in_both_languages_on_an_empty_database(monkeypatch, db_path):
    for lang, title in (("id", "Unggah data"), ("en", "Upload data")):
        at = upload_app(monkeypatch, db_path, lang=lang)
        assert not at.exception
        assert at.title[0].value == title


def test_a_valid_file_is_checked_then_saved_and_listed(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian_maret.csv", CAPAIAN + f"2024-03,{MB},73.09.04.2005,ANC_K1,5\n")
    at = upload_app(monkeypatch, db_path, good)
    assert not at.exception
    assert any("Laporan bulanan agregat" in c.value for c in at.caption)  # detected kind
    button(at, "Periksa file").click().run()
    assert "File siap disimpan." in [s.value for s in at.success]
    with connect(db_path) as con:  # the check wrote nothing
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0
    button(at, "Simpan ke basis data").click().run()
    assert not at.exception
    assert any("Tersimpan sebagai unggahan" in s.value for s in at.success)
    assert "capaian_maret.csv" in set(history(at)["File"])


def test_a_bad_row_is_shown_with_its_reason_and_nothing_is_saved_in_strict_mode(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + f"2024-03,{MB},73.09.04.2005,ANC_K1,5\n"
                     + f"2024-03,{MB},73.09.04.2005,ANC_K6,lima\n")
    at = upload_app(monkeypatch, db_path, bad)
    button(at, "Periksa file").click().run()
    refusals = next(d.value for d in at.dataframe if "Alasan" in d.value.columns)
    assert refusals.iloc[0]["Baris"] == 3 and refusals.iloc[0]["Alasan"] == "Nilai 'lima' bukan angka"
    assert not [b for b in at.button if b.label == "Simpan ke basis data"]
    assert at.error  # the whole file is refused, with the reason
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE kind = 'capaian'").fetchone()[0] == 0


def test_accepting_valid_rows_saves_them_and_records_the_refusal(monkeypatch, db_path, tmp_path):
    bad = write_text(tmp_path / "capaian.csv", CAPAIAN + f"2024-03,{MB},73.09.04.2005,ANC_K1,5\n"
                     + f"2024-03,{MB},73.09.04.2005,ANC_K6,lima\n")
    at = upload_app(monkeypatch, db_path, bad)
    at.radio(key="f0_mode").set_value(True).run()
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    row = history(at).iloc[0]
    assert (row["Baris diterima"], row["Baris ditolak"]) == ("1", "1")


def test_withdrawing_an_upload_removes_its_rows(monkeypatch, db_path, tmp_path):
    good = write_text(tmp_path / "capaian.csv", CAPAIAN + f"2024-03,{MB},73.09.04.2005,ANC_K1,5\n")
    at = upload_app(monkeypatch, db_path, good)
    button(at, "Periksa file").click().run()
    button(at, "Simpan ke basis data").click().run()
    uploaded = int(history(at).iloc[0]["No."])
    at.selectbox(key="w_withdraw_pick").set_value(uploaded)
    at.checkbox(key="w_withdraw_sure").check().run()
    button(at, "Tarik unggahan").click().run()
    assert not at.exception
    assert any(f"#{uploaded} ditarik" in s.value for s in at.success)
    assert history(at).iloc[0]["Status"] == "ditarik"
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM capaian").fetchone()[0] == 0


def test_preview_masks_nik_and_still_gives_headers_when_no_kind_fits(con, tmp_path):
    records = write_text(tmp_path / "l.csv", "Tanggal Pelayanan,Kode Puskesmas,Kode Desa,NIK,Umur,JK,Kode Layanan\n"
                         + f"05/03/2024,{MB},73.09.04.2005,{nik()},30,P,ANC_K1\n")
    info = preview_file(con, records)
    assert info["kind"] == "layanan"
    assert info["preview"]["NIK"].iloc[0] == "•••" + nik()[-2:]  # never the whole NIK on screen
    # Recognisable headers, but no kind has all its required columns (no period, no service).
    unknown = write_text(tmp_path / "u.csv", f"Kode Puskesmas,Kegiatan Bulan Ini,Jumlah\n{MB},Senam,2\n")
    info = preview_file(con, unknown)
    assert info["kind"] is None and info["problem"].code == "missing_columns"
    assert info["headers"] == ["Kode Puskesmas", "Kegiatan Bulan Ini", "Jumlah"]
