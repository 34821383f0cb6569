"""The overview's headline figures are defined once (ilp_metrics.metrics.overview) and are the same on
the overview page, in the deck's slides and in the PDF report's text, for the same filters.

Hand-checked coverage fixture (tests/test_coverage.py), Kabupaten Maros, January–April 2024:
  1 of 2 puskesmas running ILP by the end of April (Maros Baru since 2023-01-01; Turikale from 2024-08-01);
  SPM01 9 served of a sasaran of 35 (25,7 %), 26 still to serve by December;
  SPM composite Maros Baru 50 (16,7 % against 33,3 % to date), Turikale 100 (capped).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.core.db import connect
from ilp_metrics.core.formatting import fmt_int, fmt_num
from ilp_metrics.core.i18n import t
from ilp_metrics.export import render
from ilp_metrics.export.deck import build_deck
from ilp_metrics.export.facts import gather
from ilp_metrics.export.privacy import count_text
from ilp_metrics.metrics.overview import overview

from .conftest import DINAS, MB, TK

ROOT = Path(__file__).resolve().parent.parent
MAROS, YEAR, THROUGH = "73.09", 2024, 4


@pytest.fixture(scope="module")
def ocon(fixture_db):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def figures(ocon):
    return overview(ocon, principal=DINAS, regency=MAROS, year=YEAR, through=THROUGH, catalogue=load_catalogue())


@pytest.fixture(scope="module")
def facts(ocon):
    return gather(ocon, year=YEAR, regency=MAROS, through=THROUGH, principal=DINAS)


def headline(figures, lang: str = "id") -> dict[str, str]:
    """The four headline numbers as the overview page writes them."""
    return {
        "running": t(
            "overview.ilp_puskesmas_value",
            lang,
            n=fmt_int(figures.running, lang),
            total=fmt_int(figures.puskesmas_total, lang),
        ),
        "readiness": fmt_num(figures.readiness, lang),
        "on_target": f"{figures.spm_on_target} / {len(figures.spm_codes)}",
        "gap": fmt_int(figures.spm_gap, lang),
    }


def test_the_figures_are_the_hand_checked_ones(figures):
    assert (figures.running, figures.puskesmas_total) == (1, 2)
    spm01 = figures.spm.set_index("indicator").loc["SPM01"]
    assert (int(spm01["numerator"]), int(spm01["denominator"]), int(spm01["gap"])) == (9, 35, 26)
    composite = figures.composite.set_index("unit_code")["composite"]
    assert composite[MB] == pytest.approx(50.0) and composite[TK] == pytest.approx(100.0)
    assert figures.composite["unit_code"].iloc[0] == MB  # farthest behind first


def test_the_exports_take_the_same_figures(figures, facts):
    assert facts.running == figures.running and len(facts.registry) == figures.puskesmas_total
    assert facts.readiness_district == figures.readiness
    assert facts.kab.equals(figures.kab)
    assert facts.clusters.equals(figures.clusters)
    assert facts.spm_composite().equals(figures.composite)


def test_the_deck_shows_the_overview_headline(figures, facts, ocon):
    deck = build_deck(facts, con=ocon, principal=DINAS)
    slides = {s.key: s for s in deck.slides}
    want = headline(figures)
    status = [n.value for n in slides["status"].numbers]
    assert want["running"] in status and want["readiness"] in status
    spm = {n.label: n.value for n in slides["spm"].numbers}
    assert spm[t("export.spm_on_target", "id")] == want["on_target"]
    assert spm[t("export.spm_gap", "id")] == count_text(figures.spm_gap, "id", False) == want["gap"]
    watch = slides["watch"]
    assert watch.numbers[0].value == figures.composite.iloc[0]["unit_name"]
    assert fmt_num(figures.composite.iloc[0]["composite"], "id", 0) in watch.numbers[0].label


def test_the_pdf_shows_the_overview_headline(figures, facts, ocon):
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render(ocon, "pdf", facts, principal=DINAS))).pages]
    for value in headline(figures).values():
        assert value in pages[0], value  # the overview's numbers open the report
    overview_part = pages[0] + pages[1]  # the ranking of the puskesmas farthest behind ends the overview
    for r in figures.composite.dropna(subset=["composite"]).head(5).itertuples():
        assert f"{fmt_num(r.composite, 'id', 0)} {r.on_target} / {len(figures.spm_codes)}" in overview_part


def test_the_overview_page_shows_the_same_headline(monkeypatch, fixture_db, figures, tmp_path):
    db = tmp_path / "ilp.duckdb"  # a copy: the figures' read-only connection stays open on the fixture
    shutil.copy(fixture_db, db)
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params.update(lang="id", kabupaten=MAROS, tahun=str(YEAR), bulan=str(THROUGH))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [str(m.value) for m in at.metric][:4] == list(headline(figures).values())
