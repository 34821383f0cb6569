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
from ilp_metrics.metrics.overview import indicator_years, overview

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


def _as_objects(frame):
    """Missing values as None whatever their column's dtype (a many-indicator frame holds NaN where a
    one-indicator frame holds None)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


@pytest.mark.parametrize("code", ["SPM01", "SPM06"])
def test_the_trend_reads_the_chosen_year_from_the_overview_unchanged(ocon, figures, code):
    cat = load_catalogue()
    asked = dict(principal=DINAS, regency=MAROS, year=YEAR, through=THROUGH, indicator=code, catalogue=cat)
    counted = indicator_years(ocon, years=(YEAR - 1, YEAR), **asked)
    reused = indicator_years(ocon, years=(YEAR - 1, YEAR), known=figures.kab_monthly, **asked)
    assert sorted(reused["year"].unique()) == [YEAR - 1, YEAR]
    assert _as_objects(reused).equals(_as_objects(counted))


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
    assert spm[t("headline.services_gap_short", "id")] == count_text(figures.spm_gap, "id", False) == want["gap"]
    watch = slides["watch"]
    assert watch.numbers[0].value == figures.watch.iloc[0]["unit_name"]
    assert count_text(figures.watch.iloc[0]["gap"], "id", False) in watch.numbers[0].label


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


# ------------------------------------------------------------------ headline figures that mean what they say


def test_the_sum_of_spm_gaps_is_named_services_not_people(facts, ocon):
    deck = build_deck(facts, con=ocon, principal=DINAS)
    spm = next(s for s in deck.slides if s.key == "spm")
    labels = [n.label for n in spm.numbers]
    assert "layanan SPM belum diberikan s.d. Desember (bukan orang: kelompok sasaran tumpang tindih)" in labels
    assert not any("orang masih harus dilayani" in label for label in labels)
    assert "tumpang tindih" in t("headline.services_gap_help", "id")


def test_puskesmas_to_watch_follow_the_catalogue_rule_largest_gap_first():
    import dataclasses

    import pandas as pd

    from ilp_metrics.metrics.overview import watch_list

    cat = load_catalogue()
    # A low composite with a small gap, and two large puskesmas whose gaps are the largest (the demo's
    # Turikale and Mandai): the rule "most services not yet given" keeps the large ones in.
    composite = pd.DataFrame(
        {
            "unit_code": ["s", "t", "m", "u"],
            "unit_name": ["Small", "Turikale", "Mandai", "Unranked"],
            "composite": [20.0, 60.0, 55.0, None],
            "on_target": [0, 3, 2, 0],
            "gap": [100, 35208, 31014, 90000],
        }
    )
    one = dataclasses.replace(cat, figures=dataclasses.replace(cat.figures, watch_count=2))
    assert cat.figures.watch_rank_by == "gap"
    assert list(watch_list(composite, one)["unit_name"]) == ["Turikale", "Mandai"]  # no figure: not ranked
    by_composite = dataclasses.replace(one, figures=dataclasses.replace(one.figures, watch_rank_by="composite"))
    assert list(watch_list(composite, by_composite)["unit_name"]) == ["Small", "Mandai"]


def test_the_watch_rule_is_stated_on_the_slide(facts, ocon):
    deck = build_deck(facts, con=ocon, principal=DINAS)
    watch = next(s for s in deck.slides if s.key == "watch")
    assert watch.message == load_catalogue().figures.watch_rule.get("id")
    assert "layanan SPM belum diberikan terbanyak" in watch.message


def test_the_ilp_start_is_shown_as_it_is_month_by_month():
    import pandas as pd

    from ilp_metrics.metrics.starts import start_months, start_text, started_by_year, year_label

    registry = pd.DataFrame({"ilp_start_date": ["2023-01-01"] * 4 + ["2024-08-01"] * 10 + [None]})
    starts = start_months(registry)
    assert start_text(starts, "id") == "4 puskesmas sejak Jan 2023, 10 sejak Agu 2024"
    assert start_text(starts, "en") == "4 puskesmas since Jan 2023, 10 since Aug 2024"
    assert start_text(start_months(registry, 2024, 7), "id") == "4 puskesmas sejak Jan 2023"  # not yet started
    assert started_by_year(starts, [2022, 2023, 2024]) == {2022: 0, 2023: 4, 2024: 14}
    assert [year_label(y, n, 15, "id") for y, n in ((2022, 0), (2023, 4))] == ["2022", "2023 · ILP 4/15"]


def test_the_status_slide_and_the_overview_state_the_starts_not_one_date(figures, facts, ocon):
    # Fixture: Maros Baru since 2023-01-01; Turikale from 2024-08-01, after April 2024.
    deck = build_deck(facts, con=ocon, principal=DINAS)
    status = next(s for s in deck.slides if s.key == "status")
    assert "Mulai ILP: 1 puskesmas sejak Jan 2023." in status.message
    assert figures.starts == facts.starts and len(figures.starts) == 1


def _finding(check: str, **values: object):
    import pandas as pd

    from ilp_metrics.quality import FINDING_COLUMNS

    row = dict.fromkeys(FINDING_COLUMNS)
    row.update(regency="73.09", puskesmas=MB, severity="high", period="2024-04", message=check, check=check)
    row.update(values)
    return pd.DataFrame([row], columns=FINDING_COLUMNS)


def test_duplicate_records_cannot_mark_a_distinct_person_figure(ocon):
    from ilp_metrics import quality

    flags = quality.figure_flags(ocon, 2024, "73.09", 4, found=_finding("DUP_RECORD"), principal=DINAS)
    assert quality.flags_for(flags, "puskesmas", MB, "SPM01").empty  # distinct persons: counted once anyway
    assert quality.flags_for(flags, "kabupaten", "73.09", "SPM01").empty
    events = [i.code for i in load_catalogue().indicators if i.numerator.count == "events"]
    assert events and not quality.flags_for(flags, "puskesmas", MB, events[0]).empty


def test_a_missing_month_marks_the_distinct_person_figures(ocon):
    from ilp_metrics import quality

    flags = quality.figure_flags(ocon, 2024, "73.09", 4, found=_finding("COMP_PUSKESMAS_MONTH"), principal=DINAS)
    assert not quality.flags_for(flags, "puskesmas", MB, "SPM01").empty
    assert quality.flags_for(flags, "puskesmas", MB, "ILP_KLASTER").empty  # a readiness figure: not affected


def test_every_quality_check_states_which_figures_it_can_affect():
    from ilp_metrics.catalogue import CatalogueError, load_raw, parse_catalogue

    raw = load_raw()
    assert all("affects" in c for c in raw["quality"]["checks"])
    raw["quality"]["checks"][0]["affects"] = ["people"]
    del raw["quality"]["checks"][1]["affects"]
    with pytest.raises(CatalogueError) as problems:
        parse_catalogue(raw)
    text = str(problems.value)
    assert "'people' is not a counting method" in text and "affects" in text
