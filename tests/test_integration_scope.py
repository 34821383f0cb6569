"""The account's scope reaches every way out of the library: the exports' desa detail, the map's area
values and the data-quality findings; guests see the public presentation only; each export is written
to the audit trail. On the hand-checked coverage fixture (tests/test_coverage.py, Maros, Januari–April 2024):

  Maros Baru (MB) has the desa 73.09.04.2005, .2006 Majannang and .1002 Pallantikang (kecamatan 73.09.04);
  Turikale (TK) has its desa in kecamatan 73.09.14 (e.g. .1005 Taroada).
  Desa-level quality findings of the fixture (quality.findings, 2024 through April):
    COMP_DESA_MONTH  MB 73.09.04.1002 (2024-04), MB 73.09.04.2006 (2024-04),
                     TK 73.09.14.1005 (2024-01 and 2024-03);  DEN_ZERO TK 73.09.14.1005 (ibu_hamil).
  Puskesmas-level: e.g. DUP_SOURCE_OVERLAP MB 2024-04, CONS_PAIR MB and TK.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics import quality
from ilp_metrics.cli import main
from ilp_metrics.core.db import connect
from ilp_metrics.export import render
from ilp_metrics.export.facts import gather
from ilp_metrics.metrics import geo
from ilp_metrics.security import audit
from ilp_metrics.security.accounts import add_user
from ilp_metrics.security.scope import Principal, ScopeDenied

from .conftest import ADMIN, MB, TK

ROOT = Path(__file__).resolve().parent.parent
MAROS_BARU = Principal("pkm.mb", "puskesmas", puskesmas_code=MB)
GUEST = Principal("tamu", "tamu")
DINAS = Principal("dinas", "dinas")


@pytest.fixture(scope="module")
def icon(fixture_db):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def facts(icon):
    return gather(icon, year=2024, regency="73.09", principal=DINAS)


def _sheet_titles_and_desa_parents(data: bytes) -> tuple[list[str], set[str]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    titles = wb.sheetnames
    if "Desa PWS" not in titles:
        return titles, set()
    ws = wb["Desa PWS"]
    header = [c.value for c in ws[1]]
    col = header.index("Kode desa")
    return titles, {str(r[col])[:8] for r in ws.iter_rows(min_row=2, values_only=True) if r[col]}


# ------------------------------------------------------------------ exports


def test_a_dinas_export_holds_the_desa_of_both_puskesmas(icon, facts):
    titles, kecamatan = _sheet_titles_and_desa_parents(render(icon, "xlsx", facts, principal=DINAS))
    assert "Desa PWS" in titles and kecamatan == {"73.09.04", "73.09.14"}


def test_a_puskesmas_export_holds_only_its_own_desa_rows(icon, facts):
    titles, kecamatan = _sheet_titles_and_desa_parents(render(icon, "xlsx", facts, principal=MAROS_BARU))
    # Maros Baru's desa are all in kecamatan 73.09.04; Turikale's in 73.09.14.
    assert "Desa PWS" in titles and kecamatan == {"73.09.04"}


def test_a_guest_export_has_no_desa_sheet(icon, facts):
    titles, _ = _sheet_titles_and_desa_parents(render(icon, "xlsx", facts, principal=GUEST))
    assert "Desa PWS" not in titles and "Puskesmas" in titles


# ------------------------------------------------------------------ quality findings


def test_quality_findings_of_a_puskesmas_account_keep_its_own_desa_and_the_puskesmas_level(icon):
    everything = quality.findings(icon, 2024, "73.09", 4, principal=DINAS)
    desa_level = everything[everything["desa"].notna() & everything["puskesmas"].notna()]
    assert set(desa_level["puskesmas"]) == {MB, TK}  # the fixture has desa findings for both centres
    mine = quality.findings(icon, 2024, "73.09", 4, principal=MAROS_BARU)
    mine_desa = mine[mine["desa"].notna()]
    assert set(mine_desa["puskesmas"]) == {MB}
    assert {"73.09.04.1002", "73.09.04.2006"} <= set(mine_desa["desa"])
    assert "73.09.14.1005" not in set(mine["desa"].dropna())
    # puskesmas-level findings of both centres stay (district-level figures everyone may see)
    pusk_level = mine[mine["desa"].isna() & mine["puskesmas"].notna()]
    assert set(pusk_level["puskesmas"]) == {MB, TK}
    assert len(pusk_level) == len(everything[everything["desa"].isna() & everything["puskesmas"].notna()])


def test_quality_findings_of_a_guest_have_no_desa_and_of_the_dinas_everything(icon):
    everything = quality.findings(icon, 2024, "73.09", 4, principal=DINAS)
    assert quality.findings(icon, 2024, "73.09", 4, principal=GUEST)["desa"].isna().all()
    assert len(quality.findings(icon, 2024, "73.09", 4, principal=DINAS)) == len(everything)


# ------------------------------------------------------------------ map values


def test_area_values_of_a_puskesmas_account_are_its_own_desa(icon):
    every = geo.area_values(icon, "SPM01", level="desa", year=2024, through=4, regency="73.09", principal=DINAS)
    assert {c[:8] for c in every["code"]} == {"73.09.04", "73.09.14"}
    own = geo.area_values(icon, "SPM01", level="desa", year=2024, through=4, regency="73.09", principal=MAROS_BARU)
    assert not own.empty and {c[:8] for c in own["code"]} == {"73.09.04"}


def test_area_values_refuse_a_guest(icon):
    with pytest.raises(ScopeDenied, match="desa_not_allowed"):
        geo.area_values(icon, "SPM01", level="desa", year=2024, through=4, regency="73.09", principal=GUEST)


# ------------------------------------------------------------------ audit of the CLI export


def test_the_cli_export_writes_one_audit_entry_and_the_chain_holds(fixture_db, tmp_path):
    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    out = tmp_path / "maros.xlsx"
    assert (
        main(
            [
                "export",
                "--db",
                str(db),
                "--year",
                "2024",
                "--out",
                str(out),
                "--kabupaten",
                "73.09",
                "--user",
                "bu.rina",
            ]
        )
        == 0
    )
    con = connect(db, read_only=True)
    try:
        rows = audit.entries(con, action="export", principal=ADMIN)
        assert len(rows) == 1
        entry = rows.iloc[0]
        assert entry["actor"] == "bu.rina" and entry["target"].endswith("maros.xlsx")
        assert '"xlsx"' in entry["details"] and '"73.09"' in entry["details"]
        assert audit.verify(con, principal=ADMIN) is None
    finally:
        con.close()


# ------------------------------------------------------------------ a guest in the dashboard

PASSWORD = "Sandi-Kuat-2024"


def test_a_guest_sees_only_the_public_presentation_and_the_dictionary(monkeypatch, fixture_db, tmp_path):
    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    con = connect(db)
    add_user(con, "admin", "admin", password=PASSWORD)
    add_user(con, "tamu", "tamu", password=PASSWORD)
    con.close()
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.setenv("ILP_AUTH", "local")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.text_input(key="w_login_user").input("tamu")
    at.text_input(key="w_login_pw").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("ringkasan", "klaster", "puskesmas", "perbandingan", "kualitas", "unggah"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
    at.switch_page("pages/kamus.py").run()
    assert not at.exception
    at.switch_page("pages/presentasi.py").run()
    assert not at.exception, [e.value for e in at.exception]
    public = next(t for t in at.toggle if t.key == "w_pres_public")
    assert public.value is True and public.disabled
    assert not at.get("download_button")
    assert "Unduh presentasi, laporan dan tabel" not in [e.label for e in at.expander]
    slide = next(m.value for m in at.markdown if "ilp-slide" in m.value and "data-slide" in m.value)
    assert "<5" in slide.replace("&lt;", "<")  # the cover states the public rule
