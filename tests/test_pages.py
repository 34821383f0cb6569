"""Every page renders through dashboard.py (navigation + shared sidebar) in both languages, and the
shared filters change what the pages show. Runs on the hand-checked coverage fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/ringkasan.py", "pages/klaster.py", "pages/puskesmas.py", "pages/desa.py", "pages/kamus.py"]


def app(monkeypatch, db: Path, lang: str = "id", **query: str) -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.subheader] + [e.value for e in at.caption]
    parts += [e.value for e in at.markdown] + [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(monkeypatch, fixture_db, page, lang):
    at = app(monkeypatch, fixture_db, lang)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "each page has a title"


def test_overview_states_the_spm_gap_in_people(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    assert not at.exception
    # Fixture, April 2024: SPM01 for Maros = 9 served of 35, still 26 to serve by December.
    spm = at.dataframe[0].value
    row = spm.iloc[0]
    assert row["Sasaran setahun"] == "35" and row["Dilayani s.d. bulan ini"] == "9"
    assert row["Kurang (orang) s.d. Desember"] == "26"
    assert row["Cakupan"] == "25,7 %"  # Indonesian number format


def test_overview_speaks_english(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, "en")
    assert "ILP overview" in at.title[0].value
    assert "Coverage" in at.dataframe[0].value.columns


def test_the_month_filter_changes_the_figures(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    april = at.dataframe[0].value.iloc[0]["Dilayani s.d. bulan ini"]
    month = next(s for s in at.sidebar.selectbox if s.label == "Data sampai bulan")
    month.set_value(2).run()
    february = at.dataframe[0].value.iloc[0]["Dilayani s.d. bulan ini"]
    assert (april, february) == ("9", "5")  # cumulative to April vs to February
    assert at.query_params["bulan"] == "2"  # the filter is in the URL, so the view can be shared


def test_filters_from_the_url_carry_across_pages(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, bulan="3")
    assert "Maret 2024" in texts(at)
    at.switch_page("pages/puskesmas.py").run()
    assert "Maret 2024" in texts(at)


def test_puskesmas_page_lists_its_desa_with_the_pws_reading(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, puskesmas="P7309040201")
    at.switch_page("pages/puskesmas.py").run()
    assert not at.exception
    desa = at.dataframe[2].value
    names = {str(u).rsplit("nama=", 1)[1]: str(u) for u in desa["Desa/kelurahan"]}
    assert set(names) == {"Mattirotasi", "Majannang", "Pallantikang"}
    # Each desa name links to its desa page, in the same period.
    assert names["Mattirotasi"].startswith("desa?desa=73.09.04.2005&kabupaten=73.09&tahun=2024&bulan=4")
    # Desa A (Mattirotasi) in April: 30 % below 33,3 % and flat (not falling) -> Cukup (see test_pws).
    a = desa[desa["Desa/kelurahan"] == names["Mattirotasi"]].iloc[0]
    assert a["Bacaan PWS"] == "Cukup" and a["Kumulatif (%)"] == "30,0 %"
    assert (a["Sasaran"], a["Target s.d. bulan ini (orang)"], a["Bulan lalu"], a["Bulan ini"], a["Kumulatif"]) == (
        "10",
        "4",
        "0",
        "0",
        "3",
    )


def test_puskesmas_page_draws_the_classic_pws_chart(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, puskesmas="P7309040201")
    at.switch_page("pages/puskesmas.py").run()
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("PWS K6 ANC" in spec or "per desa" in spec for spec in titles)


def test_cluster_page_follows_the_cluster_in_the_url(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, klaster="5")
    at.switch_page("pages/klaster.py").run()
    assert "Klaster 5" in at.title[0].value


def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_the_cluster_page_draws_only_its_open_tab(monkeypatch, fixture_db):
    from ilp_metrics.core.i18n import t

    at = app(monkeypatch, fixture_db, klaster="2")
    at.switch_page("pages/klaster.py").run()
    assert [title.split(" — ")[0] for title in _chart_titles(at)] == ["Status tiap puskesmas"]
    at.session_state["cluster_tab"] = t("cluster.curves", "id")
    at.run()
    curves = _chart_titles(at)
    assert len(curves) > 1 and not any(title.startswith("Status tiap puskesmas") for title in curves)
    assert "w_rank_2" not in [box.key for box in at.selectbox]  # the ranking's picker is in its own tab


def test_dictionary_search_narrows_the_list(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    at.switch_page("pages/kamus.py").run()
    everything = len(at.expander)
    at.text_input[0].input("stunting").run()
    assert 0 < len(at.expander) < everything
    assert any("GIZI_STUNTING" in e.label for e in at.expander)


def test_the_language_picker_switches_the_whole_app(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    assert at.title[0].value.startswith("Ringkasan ILP")
    at.radio(key="w_lang").set_value("en").run()
    assert at.title[0].value.startswith("ILP overview")
    assert at.query_params["lang"] == "en"
    at.switch_page("pages/klaster.py").run()
    assert at.title[0].value.startswith("Cluster")


def test_overview_states_the_ilp_start_month_by_month_and_names_the_gap_sum_services(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    assert not at.exception
    # Fixture: Maros Baru since January 2023; Turikale starts in August 2024, after April.
    assert "Mulai ILP: 1 puskesmas sejak Jan 2023." in texts(at)
    assert "Mulai ILP: 1 puskesmas sejak Jan 2023, 1 sejak Agu 2024." in texts(at)  # the trend caption
    legend = [trace["name"] for c in at.get("plotly_chart") for trace in json.loads(c.proto.spec)["data"]]
    assert "2024 · ILP 1/2" in legend
    labels = [m.label for m in at.metric]
    assert "Layanan SPM belum diberikan" in labels and not any("Orang" in x for x in labels)
