"""What the upload page asks of ilp_metrics: history, duplicate check, profiles, corrected mappings, previews."""

from __future__ import annotations

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.ingest import already_loaded, preview_file, withdraw
from ilp_metrics.ingest.history import upload_history
from ilp_metrics.ingest.mapping import (
    Profile,
    available_profiles,
    build_mapping,
    is_shipped_profile_name,
    load_profile,
    packaged_profiles,
    profile_from_dict,
    profiles_dir_for,
    save_profile,
    suggest_columns,
)

from .conftest import DINAS, MB, TK, ingest, nik, write_text

CAPAIAN = "Periode,Kode Puskesmas,Kode Layanan,Jumlah\n"


def test_upload_history_lists_uploads_newest_first_with_counts_period_and_status(con, tmp_path):
    first = ingest(con, write_text(tmp_path / "maret.csv", CAPAIAN + f"2024-03,{MB},ANC_K1,5\n"), uploaded_by="dinkes")
    second = ingest(
        con,
        write_text(tmp_path / "april.csv", CAPAIAN + f"2024-04,{MB},ANC_K1,6\n2024-04,{TK},x,1\n"),
        accept_valid=True,
    )
    assert first.committed and second.committed
    withdraw(con, first.upload_id, principal=DINAS)

    history = upload_history(con)
    assert list(history.columns) == [
        "upload_id",
        "file_name",
        "kind",
        "uploaded_by",
        "uploaded_at",
        "rows_accepted",
        "rows_refused",
        "rows_replaced",
        "period_start",
        "period_end",
        "status",
    ]
    top = history.iloc[0]
    assert (top["file_name"], top["kind"], top["rows_accepted"], top["rows_refused"], top["status"]) == (
        "april.csv",
        "capaian",
        1,
        1,
        "active",
    )
    assert str(top["period_start"])[:10] == "2024-04-01"
    mine = history[history["upload_id"] == first.upload_id].iloc[0]
    assert (mine["uploaded_by"], mine["status"]) == ("dinkes", "withdrawn")
    assert len(upload_history(con, limit=1)) == 1
    # The registry uploads of the fixture come before both.
    assert set(history["kind"]) == {"puskesmas", "desa", "capaian"}


def test_already_loaded_names_the_upload_holding_the_same_content_until_it_is_withdrawn(con, tmp_path):
    path = write_text(tmp_path / "a.csv", CAPAIAN + f"2024-03,{MB},ANC_K1,5\n")
    assert already_loaded(con, path) is None
    report = ingest(con, path)
    copy = write_text(tmp_path / "renamed.csv", path.read_text())
    assert already_loaded(con, copy) == report.upload_id  # the content counts, not the name
    withdraw(con, report.upload_id, principal=DINAS)
    assert already_loaded(con, path) is None


def test_a_field_mapped_to_no_column_is_not_detected_automatically():
    cat = load_catalogue()
    headers = ["Periode", "Kode Puskesmas", "Kode Layanan", "Jumlah", "Tahun"]
    assert "year" in build_mapping(headers, cat).columns
    mapping = build_mapping(headers, cat, profile=Profile(name="p", columns={"year": ""}))
    assert "year" not in mapping.columns and mapping.kind == "capaian"
    # In YAML an empty entry means the same.
    assert profile_from_dict({"columns": {"year": None}}).columns == {"year": ""}


def test_saved_profiles_are_listed_after_the_shipped_ones_and_never_hide_them(tmp_path):
    folder = profiles_dir_for(tmp_path / "ilp.duckdb")
    assert folder == tmp_path / "profiles"
    assert available_profiles(folder) == packaged_profiles()  # no folder yet
    save_profile(Profile(name="Laporan Maros", kind="capaian", columns={"count": "Angka"}), folder)
    save_profile(Profile(name="e-ppgbm", kind="layanan"), folder)
    found = available_profiles(folder)
    assert found["e-ppgbm"] == packaged_profiles()["e-ppgbm"]
    assert found["e-ppgbm (e-ppgbm.yaml)"] == folder / "e-ppgbm.yaml"
    assert load_profile(found["Laporan Maros"]).columns == {"count": "Angka"}
    assert is_shipped_profile_name("e-ppgbm") and is_shipped_profile_name("E-PPGBM")
    assert not is_shipped_profile_name("Laporan Maros")


def test_preview_masks_nik_like_cells_in_any_column_and_lists_wide_columns(con, tmp_path):
    # An unrecognised header ("No Identitas") holding NIKs: the values are still masked.
    odd = write_text(
        tmp_path / "odd.csv",
        f"Tanggal Pelayanan,Kode Puskesmas,No Identitas,Catatan\n05/03/2024,{MB},{nik()},3.30901E+15\n",
    )
    info = preview_file(con, odd)
    assert info["kind"] is None
    row = info["preview"].iloc[0]
    assert row["No Identitas"] == "•••" + nik()[-2:] and row["Catatan"].startswith("•••")
    assert row["Kode Puskesmas"] == MB  # codes are shown as they are
    # A header named like a personal field is masked even when no kind fits.
    named = write_text(tmp_path / "named.csv", f"Kode Puskesmas,NIK,Nama\n{MB},{nik()},Siti Aminah\n")
    row = preview_file(con, named)["preview"].iloc[0]
    assert row["NIK"] == "•••" + nik()[-2:] and row["Nama"] == "•••ah"
    # A wide monthly report: which column holds which service.
    wide = write_text(tmp_path / "wide.csv", f"Periode,Kode Puskesmas,K1,K6\n2024-03,{MB},5,4\n")
    info = preview_file(con, wide)
    assert info["kind"] == "capaian" and [h for h, _ in info["wide"]] == ["K1", "K6"]


def test_columns_are_suggested_even_when_no_kind_fits(con, tmp_path):
    headers = ["Periode", "Kode Puskesmas", "Kode Layanan", "Angka", "Tahun"]
    assert suggest_columns(headers) == {
        "period": "Periode",
        "puskesmas_code": "Kode Puskesmas",
        "service_code": "Kode Layanan",
        "year": "Tahun",
    }
    corrected = Profile(name="p", columns={"count": "Angka", "year": ""})
    assert suggest_columns(headers, corrected) == {
        "count": "Angka",
        "period": "Periode",
        "puskesmas_code": "Kode Puskesmas",
        "service_code": "Kode Layanan",
    }
    path = write_text(tmp_path / "c.csv", ",".join(headers) + f"\n2024-03,{MB},ANC_K1,5,2024\n")
    info = preview_file(con, path, kind="capaian")
    assert info["kind"] is None and info["problem"].code == "missing_columns"
    assert info["mapping"]["puskesmas_code"] == "Kode Puskesmas"
    info = preview_file(con, path, kind="capaian", profile=corrected)
    assert info["kind"] == "capaian" and info["mapping"]["count"] == "Angka" and "year" not in info["mapping"]


def test_preview_counts_a_jumlah_row_apart_from_the_data_rows_as_the_ingest_skips_it(con, tmp_path):
    rows = "".join(f"2024-03,{MB},ANC_K{k},{k}\n" for k in (1, 4, 6))
    path = write_text(tmp_path / "c.csv", CAPAIAN + rows + ",,,\n" + "JUMLAH,,,11\n")
    info = preview_file(con, path)
    assert (info["rows"], info["total_rows"], info["blank_rows"]) == (3, 1, 1)
    assert info["total_row_numbers"] == [6]
    report = ingest(con, path, dry_run=True)
    assert (report.rows_read, report.rows_skipped) == (info["rows"], info["total_rows"] + info["blank_rows"])


def test_preview_shows_and_marks_a_total_row_beyond_its_first_rows_in_the_language_asked(con, tmp_path):
    rows = "".join(f"2024-03,{MB},ANC_K1,{k}\n" for k in range(1, 13))
    path = write_text(tmp_path / "c.csv", CAPAIAN + rows + "Kabupaten,,,78\n")
    shown = preview_file(con, path, rows=5, lang="en")["preview"]
    assert shown["baris"].tolist() == [2, 3, 4, 5, 6, 14]  # the first five rows, then the total row
    assert shown["Row status"].tolist() == [None] * 5 + ["total row, skipped"]


def test_preview_of_a_file_without_total_or_blank_rows_has_no_row_status_column(con, tmp_path):
    shown = preview_file(con, write_text(tmp_path / "c.csv", CAPAIAN + f"2024-03,{MB},ANC_K1,5\n"))["preview"]
    assert list(shown.columns) == ["baris", "Periode", "Kode Puskesmas", "Kode Layanan", "Jumlah"]
