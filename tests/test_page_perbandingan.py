"""The comparison page (AppTest, through dashboard.py) on the hand-checked comparison fixture of
tests/test_compare.py: pilot (Maros Baru, Turikale) against adopter (Masamba), 2023 through August."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.core.i18n import t

from .fixtures.compare_fixture import X, Y

ROOT = Path(__file__).resolve().parent.parent


def app(monkeypatch, db: Path, lang: str = "id", tab: str | None = None, **query: str) -> AppTest:
    """The page with the tab `tab` (a message key, e.g. compare.tab.did) open: only the open tab is drawn."""
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    for key, value in {"kabupaten": "73.09", "tahun": "2023", "bulan": "8", **query}.items():
        at.query_params[key] = value
    at.run()
    if tab is not None:
        at.session_state["cmp_tab"] = t(tab, lang)
    return at.switch_page("pages/perbandingan.py").run()


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(v) -> list:
    """A trace's x or y: a list, or Plotly's typed-array encoding {dtype, bdata} of a numpy array."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def title_of(spec: dict) -> str:
    return spec["layout"]["title"]["text"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_page_renders_in_both_languages_with_the_cohorts_as_default_groups(monkeypatch, compare_db, lang):
    at = app(monkeypatch, compare_db, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == (
        "Perbandingan kelompok puskesmas sebelum dan sesudah ILP"
        if lang == "id"
        else "Comparing groups of puskesmas before and after ILP"
    )
    assert at.selectbox(key="cmp_cohort_A").value == "pilot"
    assert at.selectbox(key="cmp_cohort_B").value == "adopter"
    assert len(at.multiselect(key="cmp_indicators").value) == 12  # the SPM indicators


def test_the_aligned_chart_draws_the_hand_checked_medians(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db)
    spm1 = next(s for s in specs(at) if title_of(s).startswith("SPM1 "))
    median = next(tr for tr in spm1["data"] if tr.get("name") == "perintis (Kabupaten Maros)")
    points = dict(zip(values(median["x"]), values(median["y"])))
    # Months since start −2, 0 and 1 of the pilot: medians 20, 35 and 45 (tests/test_compare.py).
    assert (points[-2], points[0], points[1]) == pytest.approx((20, 35, 45))
    assert any(shape.get("x0") == 0 and shape.get("x1") == 0 for shape in spm1["layout"]["shapes"])  # start line
    assert any(a.get("text", "").strip() == "Mulai ILP" for a in spm1["layout"]["annotations"])


def test_the_did_table_is_labelled_descriptive(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db, tab="compare.tab.did")
    assert any("bukan bukti sebab-akibat" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "Selisih perubahan (A − B)" in d.value.columns)
    assert list(table["Indikator"])[:1] == ["SPM1 Ibu hamil (K6)"]
    # The fixture has under 6 months on a side for every unit: nothing counted, no figure invented.
    assert table.iloc[0]["Selisih perubahan (A − B)"] == "–"
    assert table.iloc[0]["Puskesmas dihitung (A / B)"] == "0 / 0"


def test_custom_groups_of_puskesmas_can_be_compared(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db)
    at.radio(key="cmp_kind_A").set_value("custom").run()
    at.multiselect(key="cmp_custom_A").set_value([X, Y]).run()
    assert not at.exception
    spm1 = next(s for s in specs(at) if title_of(s).startswith("SPM1 "))
    assert any(tr.get("name") == "Pilihan A" for tr in spm1["data"])


def test_an_empty_custom_group_is_explained_not_drawn(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db)
    at.radio(key="cmp_kind_A").set_value("custom").run()
    assert not at.exception
    assert any("tidak berisi puskesmas" in w.value for w in at.warning)


def test_the_funnel_uses_the_sidebar_kabupaten_and_month(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db, tab="compare.tab.funnel")
    funnel = next(s for s in specs(at) if "diagram corong" in title_of(s))
    assert "Kabupaten Maros" in title_of(funnel) and "Jan–Agu 2023" in title_of(funnel)
    within = next(tr for tr in funnel["data"] if tr.get("name") == "dalam batas")
    # X 26 / 120 and Y 27 / 120, both within the limits.
    assert sorted(values(within["y"])) == pytest.approx([26 / 120 * 100, 27 / 120 * 100])
    assert any("Semua puskesmas berada dalam batas" in s.value for s in at.success)


def test_a_geojson_upload_draws_the_areas_and_reports_unmatched_codes(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db, tab="compare.tab.map")
    square = [[[119.5, -5.0], [119.51, -5.0], [119.51, -4.99], [119.5, -4.99], [119.5, -5.0]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"KODE_DESA": "7309042005"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {"kode": "73.09.04.2099"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
        ],
    }
    uploader = at.get("file_uploader")[0]
    uploader.upload("batas.geojson", json.dumps(doc).encode(), "application/geo+json")
    at.run()
    assert not at.exception
    assert any("73.09.04.2099" in w.value for w in at.warning)
    assert any(title_of(s).startswith("SPM1 Ibu hamil (K6) — wilayah menurut status") for s in specs(at))


def test_a_malformed_geojson_gets_a_clear_error(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db, tab="compare.tab.map")
    at.get("file_uploader")[0].upload("rusak.geojson", b"{not json", "application/json")
    at.run()
    assert not at.exception
    assert any("tidak dapat dibaca sebagai JSON" in e.value for e in at.error)


def test_without_an_upload_the_bundled_desa_map_is_drawn(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db, tab="compare.tab.map")
    assert not at.exception
    areas = next(s for s in specs(at) if title_of(s).startswith("SPM1 Ibu hamil (K6) — wilayah menurut status"))
    assert len(values(areas["data"][-1]["x"])) == 103  # one hover point per bundled Maros desa
    assert any("wilayah_boundaries (Cahya DSN, lisensi MIT)" in c.value for c in at.caption)


def test_the_page_says_the_before_after_change_in_one_sentence_with_the_library_numbers(monkeypatch, compare_db):
    from ilp_metrics.metrics import compare

    monkeypatch.setattr(compare, "MIN_MONTHS", 2)  # the fixture's units have 2 to 5 months on a side
    at = app(monkeypatch, compare_db, tab="compare.tab.did")
    words = next(m.value for m in at.markdown if m.value.startswith("- **SPM1 "))
    # Hand-checked in tests/test_compare.py: pilot 19,5 → 47,5 %, adopter 30 → 40 %, 18 points apart.
    assert "cakupan naik dari 19,5 % menjadi 47,5 % dalam 12 bulan setelah mulai" in words
    assert "Kelompok perintis (Kabupaten Maros; 2 puskesmas, mulai Mar–Jun 2023)" in words
    assert "selisih perubahannya 18,0 poin" in words
    assert "pilot" not in words and "adopter" not in words


def test_a_hidden_tab_does_no_work(monkeypatch, compare_db):
    at = app(monkeypatch, compare_db)  # the first tab open: no funnel, no map drawn
    titles = [title_of(s) for s in specs(at)]
    assert any(title.startswith("SPM1 ") for title in titles)
    assert not any("diagram corong" in title or "wilayah menurut status" in title for title in titles)
