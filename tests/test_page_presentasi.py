"""The Presentasi page (AppTest, through dashboard.py): one slide at a time with next/previous, the public
switch, the speaker notes and the download buttons; on the hand-checked coverage fixture (Maros, April 2024)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def presentation(monkeypatch, db: Path, lang: str = "id") -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/presentasi.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def slide_html(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "ilp-slide" in m.value and "data-slide" in m.value)


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_the_page_opens_on_the_cover_slide(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    html = slide_html(at)
    assert "data-slide='cover'" in html and "Kabupaten Maros · Januari–April 2024" in html
    assert button(at, "w_pres_prev").disabled


def test_next_and_previous_move_one_slide(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    button(at, "w_pres_next").click().run()
    assert "Status ILP di Kabupaten Maros" in slide_html(at)
    # Big numbers as on the overview page: 1 of 2 puskesmas running ILP.
    assert "1 dari 2" in "".join(m.value for m in at.markdown)
    button(at, "w_pres_next").click().run()
    assert "data-slide='spm'" in slide_html(at)
    assert at.get("plotly_chart"), "the SPM slide has its chart"
    button(at, "w_pres_prev").click().run()
    assert "data-slide='status'" in slide_html(at)


def test_the_last_slide_disables_next(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    for _ in range(20):
        if button(at, "w_pres_next").disabled:
            break
        button(at, "w_pres_next").click().run()
    assert "data-slide='closing'" in slide_html(at)


def test_public_switch_announces_and_applies_suppression(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    assert "&lt;5" not in slide_html(at)
    next(t for t in at.toggle if t.key == "w_pres_public").set_value(True).run()
    assert "<5" in slide_html(at).replace("&lt;", "<")  # the cover states the rule


def test_speaker_notes_and_downloads_are_offered(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    labels = [e.label for e in at.expander]
    assert "Catatan pembicara" in labels and "Unduh presentasi, laporan dan tabel" in labels
    downloads = at.get("download_button")
    assert len(downloads) == 3


@pytest.mark.parametrize(("lang", "title"), [("en", "Integrated Primary Care (ILP)")])
def test_the_page_speaks_english(monkeypatch, fixture_db, lang, title):
    at = presentation(monkeypatch, fixture_db, lang)
    assert title in slide_html(at)


def test_the_district_is_picked_on_the_slide_and_the_deck_follows(monkeypatch, compare_db):
    at = presentation(monkeypatch, compare_db)  # two kabupaten: Maros and Luwu Utara
    picker = at.selectbox(key="w_pres_regency")
    assert picker.value == at.session_state["f_regency"] == "73.09"
    assert "Kabupaten Maros" in slide_html(at)
    picker.set_value("73.22").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Kabupaten Luwu Utara" in slide_html(at)
    assert at.session_state["f_regency"] == at.selectbox(key="w_regency").value == "73.22"
    assert at.query_params["kabupaten"] == "73.22"  # the link names the district shown
    assert not at.warning, [w.value for w in at.warning]


def test_one_district_needs_no_picker(monkeypatch, fixture_db):
    at = presentation(monkeypatch, fixture_db)
    assert "w_pres_regency" not in [box.key for box in at.selectbox]
