"""The annual figures of a kabupaten (ilp_metrics.metrics.annual) and the Klaster page's section that shows
them, on the Profil Kesehatan "Tabel 29" of tests/test_ingest_annual.py (2024, Kabupaten Maros).

Hand check: sasaran ibu hamil Maros Baru 400, Turikale 300 → kabupaten 700;
  K1 360 / 270 → 630 of 700 = 90,0 %; K4 330 / 240 → 570 = 81,4 %; K6 (SPM01) 300 / 210 → 510 = 72,9 %
  (Maros Baru 75,0 %, Turikale 70,0 %). Every target is 100 %, and "mendekati" starts at 80 % of it
  (catalogue status rules): K1 and K4 are mendekati, K6 below (di_bawah).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.core.db import connect
from ilp_metrics.metrics.annual import annual_figures
from ilp_metrics.metrics.registry import registry

from .conftest import DINAS, MB, TK, ingest, write_text
from .test_ingest_annual import write_tabel_29

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalogue()


def test_the_annual_figures_are_the_tables_year_coverage_per_kabupaten_and_puskesmas(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    figures = annual_figures(con, principal=DINAS, regency="73.09", year=2024, catalogue=CAT)
    assert {"KIA_K1", "KIA_K4", "SPM01"} <= set(figures.codes)
    kab, pusk = figures.of("SPM01")
    assert (kab["numerator"], kab["denominator"], kab["annual_target"]) == (510, 700, 100)
    assert kab["coverage"] == pytest.approx(510 / 700 * 100)
    assert kab["status"] == "di_bawah"
    got = {r.unit_code: (r.numerator, r.denominator, round(r.coverage, 2)) for r in pusk.itertuples()}
    assert got == {MB: (300, 400, 75.0), TK: (210, 300, 70.0)}
    k4, _ = figures.of("KIA_K4")
    assert (k4["numerator"], k4["denominator"], k4["status"]) == (570, 700, "mendekati")


def test_a_kabupaten_or_year_without_an_annual_table_has_no_annual_figures(con, tmp_path):
    assert annual_figures(con, principal=DINAS, regency="73.09", year=2024, catalogue=CAT).empty
    assert ingest(con, write_tabel_29(tmp_path)).ok
    assert annual_figures(con, principal=DINAS, regency="73.09", year=2023, catalogue=CAT).empty


def test_a_year_known_only_from_an_annual_table_is_offered_through_december(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    months = registry(con, principal=DINAS).data_months
    assert months[["regency_code", "year", "last_month"]].values.tolist() == [["73.09", 2024, 12]]


def test_an_annual_table_does_not_move_the_last_month_of_a_year_with_monthly_data(con, tmp_path):
    assert ingest(con, write_tabel_29(tmp_path)).ok
    assert ingest(
        con, write_text(tmp_path / "c.csv", f"periode,puskesmas_code,layanan,jumlah\n2024-03,{MB},K6,20\n")
    ).ok
    months = registry(con, principal=DINAS).data_months
    assert months[["regency_code", "year", "last_month"]].values.tolist() == [["73.09", 2024, 3]]


# ------------------------------------------------------------------ the Klaster page (AppTest)


def klaster_page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = "id"
    at.run()  # the overview first: it renders too on a year known only from its annual table
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/klaster.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_klaster_page_shows_the_year_figures_of_an_uploaded_annual_table(monkeypatch, db_path, tmp_path):
    con = connect(db_path)
    try:
        assert ingest(con, write_tabel_29(tmp_path)).ok  # the only data: a year known from its annual table
    finally:
        con.close()
    at = klaster_page(monkeypatch, db_path)
    assert any(s.value == "Angka tahunan 2024 (tabel tahunan yang diunggah)" for s in at.subheader)
    lines = [m.value for m in at.markdown]
    assert any(
        line.startswith("**SPM1 Ibu hamil (K6)**") and "72,9 % (510 dari 700; target 100,0 %)" in line for line in lines
    )
    spm01 = next(
        d.value for d in at.dataframe if "Jumlah setahun" in d.value.columns and "510" in set(d.value["Jumlah setahun"])
    )
    assert list(spm01["Cakupan"]) == ["72,9 %", "75,0 %", "70,0 %"]  # kabupaten, Maros Baru, Turikale
    assert list(spm01["Sasaran setahun (penyebut)"]) == ["700", "400", "300"]
    assert set(spm01["Status"]) == {"Di bawah target"}  # every row below 80 % of the 100 % target


def test_the_klaster_page_has_no_annual_section_without_an_annual_table(monkeypatch, fixture_db):
    at = klaster_page(monkeypatch, fixture_db)
    assert at.title and not any(s.value.startswith("Angka tahunan") for s in at.subheader)
