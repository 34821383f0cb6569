"""The desa page (pages/desa.py) and its figure set (ilp_metrics.metrics.desa.desa_figures), hand-checked on
the coverage fixture (tests/fixtures/coverage_fixture.py), desa A Mattirotasi of Maros Baru, April 2024:
SPM01 30 % (3 of 10), first of the 3 desa of Maros Baru (A 30 %, B 25 %, C 0 %); its gap 7 of the 19 of
the three desa (7 + 6 + 6)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.export.desa_pdf import desa_pdf
from ilp_metrics.metrics.desa import desa_figures, desa_list
from ilp_metrics.security.scope import ScopeDenied

from .conftest import DINAS, MB, PUSKESMAS_TK, TAMU
from .fixtures.coverage_fixture import A

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalogue()


@pytest.fixture(scope="module")
def view(fixture_db):
    from ilp_metrics.core.db import connect

    con = connect(fixture_db, read_only=True)  # closed at once: the page tests open the file themselves
    try:
        return desa_figures(con, principal=DINAS, year=2024, through=4, desa=A, catalogue=CAT)
    finally:
        con.close()


def test_the_desa_figures_name_the_desa_and_its_puskesmas(view):
    assert (view.desa_name, view.puskesmas, view.puskesmas_name) == ("Mattirotasi", MB, "Maros Baru")


def test_each_indicator_has_its_pws_position_among_the_desa_of_its_puskesmas(view):
    spm01 = view.indicators.set_index("indicator").loc["SPM01"]
    assert (spm01["rank"], spm01["desa"]) == (1, 3)
    assert spm01["coverage"] == pytest.approx(30.0)


def test_the_desa_share_of_the_puskesmas_gap_is_its_gap_over_the_gaps_of_all_its_desa(view):
    spm01 = view.indicators.set_index("indicator").loc["SPM01"]
    assert (spm01["gap"], spm01["puskesmas_gap"]) == (7, 19)
    assert spm01["gap_share"] == pytest.approx(7 / 19)


def test_the_desa_months_are_its_own_pws_curve(view):
    months = view.series("SPM01")
    assert list(months["month"]) == [1, 2, 3, 4] and list(months["numerator"]) == [1, 3, 3, 3]


def test_another_centres_desa_is_refused_and_a_guest_sees_no_desa(fixture_db):
    from ilp_metrics.core.db import connect

    con = connect(fixture_db, read_only=True)
    try:
        with pytest.raises(ScopeDenied):
            desa_figures(con, principal=PUSKESMAS_TK, year=2024, through=4, desa=A, catalogue=CAT)
        with pytest.raises(ScopeDenied):
            desa_list(con, principal=TAMU, regency="73.09")
        assert set(desa_list(con, principal=PUSKESMAS_TK, regency="73.09")["puskesmas_code"]) == {"P7309140201"}
    finally:
        con.close()


def test_the_desa_pdf_is_one_a4_report_with_its_figures(view):
    data = desa_pdf(view, "SPM01", lang="id", catalogue=CAT)
    pages = PdfReader(io.BytesIO(data)).pages
    text = "\n".join(p.extract_text() for p in pages)
    assert round(float(pages[0].mediabox.width)) == 595  # A4 portrait
    assert "Desa/Kelurahan Mattirotasi" in text and "1 dari 3" in text and "30,0 %" in text
    assert "Target s.d. bulan ini 33,3 %" in text  # the PWS chart's target line, labelled


def app(monkeypatch, db: Path, **query: str) -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params.update({"lang": "id", **query})
    return at.run()


def test_the_desa_page_opens_the_desa_named_in_the_url(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, desa=A)
    at.switch_page("pages/desa.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Desa/Kelurahan Mattirotasi"
    table = at.dataframe[0].value
    row = table[table["Indikator"] == CAT.indicator("SPM01").short_name.get("id")].iloc[0]
    assert (row["Posisi PWS"], row["Cakupan"], row["Bagian kesenjangan puskesmas"]) == (
        "1 dari 3",
        "30,0 %",
        "37 % dari 19",
    )
    assert at.query_params["desa"] == A


def test_the_desa_page_speaks_english(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, desa=A, lang="en")
    at.switch_page("pages/desa.py").run()
    assert not at.exception
    assert "PWS position" in at.dataframe[0].value.columns


def test_the_desa_page_draws_the_pws_chart_with_this_desa_in_full_colour_and_at_projector_size(monkeypatch, fixture_db):
    import json

    at = app(monkeypatch, fixture_db, desa=A)
    at.switch_page("pages/desa.py").run()

    def pws_bars() -> dict:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return next(s for s in specs if "per desa" in s["layout"]["title"]["text"])["data"][0]

    bars = pws_bars()
    full = CAT.status.colour("mendekati")  # Mattirotasi, first bar: near target, drawn full
    assert bars["x"][0] == "Mattirotasi" and bars["marker"]["color"][0] == full
    assert all(c.endswith("66") for c in bars["marker"]["color"][1:])  # the other desa paler
    assert bars["textfont"]["size"] < 20
    next(w for w in at.toggle if w.label == "Ukuran proyektor").set_value(True).run()
    assert pws_bars()["textfont"]["size"] >= 20
