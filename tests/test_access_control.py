"""Access control cannot be skipped: every public data function of the library takes a required principal
and applies its scope itself. A puskesmas account sees only its own desa and writes only within its own
centre; a guest (tamu) gets no desa rows and only what the public presentation shows."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ilp_metrics import quality
from ilp_metrics.core.db import connect
from ilp_metrics.export import export_file, render
from ilp_metrics.export.deck import build_deck
from ilp_metrics.export.facts import desa_figures, gather
from ilp_metrics.ingest import ingest_file, withdraw
from ilp_metrics.metrics import compare, geo, registry
from ilp_metrics.metrics.coverage import coverage, coverage_many, latest_data_month
from ilp_metrics.metrics.readiness import readiness_index, readiness_items
from ilp_metrics.metrics.summary import cluster_summary
from ilp_metrics.security import audit
from ilp_metrics.security.backup import backup, list_backups
from ilp_metrics.security.scope import ScopeDenied, cli_principal

from .conftest import ADMIN, DINAS, MB, PUSKESMAS_MB, SECRET, TAMU, TK, ingest, table_counts, write_text

MB_DESA = {"73.09.04.2005", "73.09.04.2006", "73.09.04.1002"}
TK_DESA = {"73.09.14.1004", "73.09.14.1005"}
LAYANAN = "service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code\n"


def _layanan_row(pusk: str, desa: str, serial: int) -> str:
    return f"2024-03-15,{pusk},{desa},730904150390{serial:04d},1990-03-15,P,ANC_K1\n"


@pytest.fixture
def fcon(fixture_db: Path):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


@pytest.fixture
def wcon(fixture_db: Path, tmp_path: Path):
    """A writable copy of the fixture, for uploads and withdrawals."""
    path = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, path)
    c = connect(path)
    yield c
    c.close()


@pytest.fixture(scope="module")
def facts(fixture_db: Path):
    c = connect(fixture_db, read_only=True)
    try:
        yield gather(c, year=2024, regency="73.09", principal=DINAS)
    finally:
        c.close()


def _spm01(con: duckdb.DuckDBPyConnection, principal, level: str = "desa", **kwargs):
    return coverage(con, "SPM01", level=level, year=2024, through=4, principal=principal, **kwargs)


def _upload_ids(con: duckdb.DuckDBPyConnection, kind: str) -> list[int]:
    return [r[0] for r in con.execute("SELECT upload_id FROM uploads WHERE kind = ? ORDER BY 1", [kind]).fetchall()]


# ------------------------------------------------------------------ no principal, no data


NO_PRINCIPAL_CALLS = {
    "coverage": lambda con: coverage(con, "SPM01", level="puskesmas", year=2024),
    "coverage_many": lambda con: coverage_many(con, ["SPM01"], level="puskesmas", year=2024),
    "latest_data_month": lambda con: latest_data_month(con, 2024),
    "cluster_summary": lambda con: cluster_summary(con, level="puskesmas", year=2024),
    "readiness_index": lambda con: readiness_index(con, year=2024),
    "readiness_items": lambda con: readiness_items(con, year=2024),
    "registry": lambda con: registry.registry(con),
    "puskesmas_list": lambda con: registry.puskesmas_list(con, regency="73.09"),
    "regency_name": lambda con: registry.regency_name(con, regency="73.09"),
    "resolve_group": lambda con: compare.resolve_group(con, "73.09"),
    "cohorts": lambda con: compare.cohorts(con),
    "monthly_coverage": lambda con: compare.monthly_coverage(con, ["SPM01"], [MB]),
    "aligned_series": lambda con: compare.aligned_series(con, "SPM01", {"a": [MB]}),
    "calendar_series": lambda con: compare.calendar_series(con, "SPM01", {"a": [MB]}),
    "before_after": lambda con: compare.before_after(con, "SPM01", {"a": [MB]}),
    "funnel": lambda con: compare.funnel(con, "SPM01", 2024),
    "aggregate_reporters": lambda con: compare.aggregate_reporters(con, [MB]),
    "area_values": lambda con: geo.area_values(con, "SPM01", level="desa", year=2024),
    "known_areas": lambda con: geo.known_areas(con, "desa"),
    "map_points": lambda con: geo.map_points(con, "SPM01", year=2024),
    "findings": lambda con: quality.findings(con, 2024),
    "quality_score": lambda con: quality.quality_score(con, 2024),
    "completeness": lambda con: quality.completeness(con, 2024),
    "figure_flags": lambda con: quality.figure_flags(con, 2024),
    "uploads_for": lambda con: quality.uploads_for(con, [1]),
    "ingest_file": lambda con: ingest_file(con, "nothing.csv", secret=SECRET),
    "withdraw": lambda con: withdraw(con, 1),
    "gather": lambda con: gather(con, year=2024, regency="73.09"),
    "export_file": lambda con: export_file(con, Path("never.xlsx"), year=2024, regency="73.09"),
    "audit.entries": lambda con: audit.entries(con),
    "audit.verify": lambda con: audit.verify(con),
    "list_backups": lambda con: list_backups("."),
}


@pytest.mark.parametrize("name", sorted(NO_PRINCIPAL_CALLS))
def test_calling_a_data_function_without_a_principal_is_a_type_error(fcon, name):
    with pytest.raises(TypeError, match="principal"):
        NO_PRINCIPAL_CALLS[name](fcon)


def test_rendering_building_a_deck_and_desa_figures_without_a_principal_are_type_errors(fcon, facts):
    for call in (
        lambda: render(fcon, "xlsx", facts),
        lambda: build_deck(facts),
        lambda: desa_figures(fcon, facts),
    ):
        with pytest.raises(TypeError, match="principal"):
            call()


# ------------------------------------------------------------------ a puskesmas account: reads


def test_a_puskesmas_account_gets_only_its_own_desa_from_coverage(fcon):
    rows = _spm01(fcon, PUSKESMAS_MB)
    assert not rows.empty and set(rows["parent_code"]) == {MB} and set(rows["unit_code"]) <= MB_DESA


def test_a_puskesmas_account_is_refused_another_centres_desa(fcon):
    with pytest.raises(ScopeDenied) as denied:
        _spm01(fcon, PUSKESMAS_MB, puskesmas=TK)
    assert denied.value.code == "desa_other_puskesmas"


def test_a_puskesmas_account_sees_every_puskesmas_aggregate(fcon):
    assert set(_spm01(fcon, PUSKESMAS_MB, level="puskesmas")["unit_code"]) == {MB, TK}


def test_a_puskesmas_account_gets_desa_map_values_of_its_own_desa_only(fcon):
    values = geo.area_values(fcon, "SPM01", level="desa", year=2024, through=4, principal=PUSKESMAS_MB)
    assert not values.empty and set(values["code"]) <= MB_DESA


def test_a_puskesmas_account_gets_kecamatan_map_values_from_its_own_desa_only(fcon):
    values = geo.area_values(fcon, "SPM01", level="kecamatan", year=2024, through=4, principal=PUSKESMAS_MB)
    assert set(values["code"]) == {"73.09.04"}


def test_a_puskesmas_account_knows_only_its_own_desa_boundaries(fcon):
    assert set(geo.known_areas(fcon, "desa", "73.09", principal=PUSKESMAS_MB)["code"]) == MB_DESA
    assert set(geo.known_areas(fcon, "desa", "73.09", principal=DINAS)["code"]) == MB_DESA | TK_DESA


def test_a_puskesmas_accounts_quality_findings_name_only_its_own_desa(fcon):
    everything = quality.findings(fcon, 2024, "73.09", 4, principal=DINAS)
    assert set(everything["puskesmas"][everything["desa"].notna()].dropna()) == {MB, TK}
    mine = quality.findings(fcon, 2024, "73.09", 4, principal=PUSKESMAS_MB)
    assert set(mine["puskesmas"][mine["desa"].notna()].dropna()) == {MB}


def test_a_puskesmas_accounts_figure_flags_mark_only_its_own_desa(fcon):
    flags = quality.figure_flags(fcon, 2024, "73.09", 4, principal=PUSKESMAS_MB)
    assert set(flags.loc[flags["level"] == "desa", "unit_code"]) <= MB_DESA


def test_findings_passed_in_are_scoped_again_by_figure_flags(fcon):
    everything = quality.findings(fcon, 2024, "73.09", 4, principal=DINAS)
    flags = quality.figure_flags(fcon, 2024, "73.09", 4, found=everything, principal=PUSKESMAS_MB)
    assert not set(flags.loc[flags["level"] == "desa", "unit_code"]) & TK_DESA


def test_a_puskesmas_accounts_desa_figures_hold_only_its_own_desa(fcon, facts):
    frame = desa_figures(fcon, facts, principal=PUSKESMAS_MB)
    assert not frame.empty and set(frame["parent_code"]) == {MB}


# ------------------------------------------------------------------ a puskesmas account: writes


def test_a_puskesmas_account_cannot_upload_rows_of_another_centre(wcon, tmp_path):
    before = table_counts(wcon)
    path = write_text(tmp_path / "l.csv", LAYANAN + _layanan_row(TK, "73.09.14.1004", 1))
    report = ingest(wcon, path, principal=PUSKESMAS_MB)
    assert report.error_code == "scope_puskesmas" and not report.committed
    assert table_counts(wcon) == before


def test_a_puskesmas_account_cannot_withdraw_an_upload_holding_another_centres_rows(wcon):
    before = table_counts(wcon)
    (mixed,) = _upload_ids(wcon, "layanan")  # the fixture's layanan file holds rows of both centres
    with pytest.raises(ScopeDenied) as denied:
        withdraw(wcon, mixed, principal=PUSKESMAS_MB)
    assert denied.value.code == "withdraw_other_puskesmas"
    assert table_counts(wcon) == before


def test_a_puskesmas_account_cannot_withdraw_a_registry_upload(wcon):
    (registry,) = _upload_ids(wcon, "desa")
    with pytest.raises(ScopeDenied):
        withdraw(wcon, registry, principal=PUSKESMAS_MB)


def test_a_puskesmas_account_may_withdraw_its_own_upload(wcon, tmp_path):
    own = ingest(
        wcon, write_text(tmp_path / "own.csv", LAYANAN + _layanan_row(MB, "73.09.04.2005", 7)), principal=PUSKESMAS_MB
    )
    assert own.committed
    assert withdraw(wcon, own.upload_id, principal=PUSKESMAS_MB) == 1
    who = wcon.execute("SELECT actor FROM audit_log WHERE action = 'withdraw' ORDER BY audit_id DESC").fetchone()
    assert who == (PUSKESMAS_MB.username,)


def test_a_puskesmas_account_cannot_make_a_backup(fcon, tmp_path):
    with pytest.raises(ScopeDenied):
        backup(fcon, tmp_path / "b", tmp_path / "key", principal=PUSKESMAS_MB)
    assert not (tmp_path / "b").exists()


def test_a_puskesmas_account_cannot_read_the_audit_trail(fcon):
    with pytest.raises(ScopeDenied):
        audit.entries(fcon, principal=PUSKESMAS_MB)


# ------------------------------------------------------------------ a guest: reads


def test_a_guest_gets_no_desa_rows_from_coverage(fcon):
    with pytest.raises(ScopeDenied, match="desa_not_allowed"):
        _spm01(fcon, TAMU)


def test_a_guest_gets_no_desa_map_values(fcon):
    with pytest.raises(ScopeDenied):
        geo.area_values(fcon, "SPM01", level="desa", year=2024, through=4, principal=TAMU)


def test_a_guest_still_gets_puskesmas_and_district_aggregates(fcon):
    assert set(_spm01(fcon, TAMU, level="puskesmas")["unit_code"]) == {MB, TK}
    assert not cluster_summary(fcon, level="kabupaten", year=2024, through=4, principal=TAMU).empty


def test_a_guests_quality_findings_name_no_desa(fcon):
    found = quality.findings(fcon, 2024, "73.09", 4, principal=TAMU)
    assert not found.empty and found["desa"].isna().all()


def test_a_guests_figure_flags_mark_no_desa(fcon):
    flags = quality.figure_flags(fcon, 2024, "73.09", 4, principal=TAMU)
    assert "desa" not in set(flags["level"])


def test_a_guests_desa_figures_are_empty(fcon, facts):
    assert desa_figures(fcon, facts, principal=TAMU).empty


def test_a_guest_cannot_read_the_upload_history(fcon):
    with pytest.raises(ScopeDenied):
        quality.uploads_for(fcon, [1], principal=TAMU)


def test_a_guests_deck_is_the_public_deck(fcon, facts):
    assert build_deck(facts, con=fcon, principal=TAMU).public


def test_a_guest_rendering_a_workbook_gets_the_public_showing(fcon, facts):
    guest = openpyxl.load_workbook(io.BytesIO(render(fcon, "xlsx", facts, principal=TAMU))).sheetnames
    public = openpyxl.load_workbook(io.BytesIO(render(fcon, "xlsx", facts, public=True, principal=DINAS))).sheetnames
    full = openpyxl.load_workbook(io.BytesIO(render(fcon, "xlsx", facts, principal=DINAS))).sheetnames
    assert guest == public and guest != full


# ------------------------------------------------------------------ a guest: writes and exports


def test_a_guests_upload_is_refused_before_the_file_is_read(wcon, tmp_path):
    before = table_counts(wcon)
    path = write_text(tmp_path / "l.csv", LAYANAN + _layanan_row(MB, "73.09.04.2005", 1))
    report = ingest(wcon, path, principal=TAMU)
    assert report.error_code == "scope_no_upload" and not report.ok
    assert table_counts(wcon) == before


def test_a_guest_cannot_withdraw_an_upload(wcon):
    before = table_counts(wcon)
    (upload,) = _upload_ids(wcon, "layanan")
    with pytest.raises(ScopeDenied):
        withdraw(wcon, upload, principal=TAMU)
    assert table_counts(wcon) == before


def test_a_guest_cannot_export_a_file(fcon, tmp_path):
    out = tmp_path / "maros.xlsx"
    with pytest.raises(ScopeDenied):
        export_file(fcon, out, year=2024, regency="73.09", principal=TAMU)
    assert not out.exists()


def test_a_guest_cannot_list_backups(tmp_path):
    with pytest.raises(ScopeDenied):
        list_backups(tmp_path, principal=TAMU)


# ------------------------------------------------------------------ the command line


def test_the_command_line_acts_as_an_admin_under_its_user_name():
    who = cli_principal("bu.rina")
    assert who.username == "bu.rina" and who.can("desa_all") and who.can("backup")


def test_the_command_line_cannot_act_as_a_puskesmas_or_a_guest():
    for role in ("puskesmas", "tamu"):
        with pytest.raises(ValueError, match=role):
            cli_principal("x", role)


def test_dinas_and_admin_see_the_desa_of_both_centres(fcon):
    for who in (DINAS, ADMIN):
        assert set(_spm01(fcon, who)["parent_code"]) == {MB, TK}
