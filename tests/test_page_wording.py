"""The Bahasa interface reads Bahasa, and no table shows `nan` or a midnight time (AppTest through
dashboard.py on the hand-checked fixture)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.core.i18n import t
from pages._uploader_chrome import chrome_css

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "pages/ringkasan.py",
    "pages/klaster.py",
    "pages/puskesmas.py",
    "pages/desa.py",
    "pages/kamus.py",
    "pages/unggah.py",
    "pages/kualitas.py",
]
# English interface words that have no place on a Bahasa page (domain nouns such as puskesmas stay).
ENGLISH = re.compile(
    r"\b(upload|download|browse|drag and drop|coverage|overview|findings|missing|month|year|people|"
    r"served|complete|settings)\b",
    re.IGNORECASE,
)
STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
CODE = re.compile(r"`[^`]*`")  # command and column names (`coverage`, `target_pct`) are code, not wording


def _open(monkeypatch, db: Path, page: str, state: dict[str, object] | None = None) -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = "id"
    at.run()
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.switch_page(page).run()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value) == "NaT"


def _rendered_text(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.caption] + [CODE.sub("", STYLE.sub("", e.value)) for e in at.markdown]
    parts += [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.success]
    parts += [m.label for m in at.metric] + [b.label for b in at.button]
    parts += [w.label for w in at.selectbox] + [w.label for w in at.multiselect] + [w.label for w in at.radio]
    parts += [str(c) for d in at.dataframe for c in d.value.columns]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_the_bahasa_page_shows_no_english_interface_words(monkeypatch, fixture_db, page):
    at = _open(monkeypatch, fixture_db, page)
    assert not at.exception, [e.value for e in at.exception]
    found = sorted({m.group(0).lower() for m in ENGLISH.finditer(_rendered_text(at))})
    assert not found, f"English words on {page}: {found}"


@pytest.mark.parametrize("page", PAGES)
def test_no_rendered_table_shows_nan_or_a_midnight_time(monkeypatch, fixture_db, page):
    at = _open(monkeypatch, fixture_db, page)
    for frame in at.dataframe:
        # A missing value (None, NaN) travels as null and is drawn empty; text "nan" or a timestamp is drawn as is.
        cells = [c if isinstance(c, str) else str(c) for c in frame.value.to_numpy().ravel() if not _missing(c)]
        bad = [c for c in cells if c.strip().lower() in {"nan", "nat", "none", "•••an"} or "00:00:00" in c]
        assert not bad, f"{page}, table {list(frame.value.columns)[:6]}: {bad[:5]}"


def test_the_uploaders_english_button_and_size_line_are_replaced_by_the_catalogues_words():
    css = chrome_css("Pilih file", "Maks. 200 MB per file · CSV")
    assert "stFileUploaderDropzoneInstructions" in css and "font-size:0" in css
    assert '"Pilih file"' in css and '"Maks. 200 MB per file · CSV"' in css  # CSS reads no \\u00b7 escape


def test_the_upload_page_in_bahasa_carries_the_uploader_words(monkeypatch, fixture_db):
    at = _open(monkeypatch, fixture_db, "pages/unggah.py")
    styles = "\n".join(e.value for e in at.markdown if "stFileUploaderDropzone" in e.value)
    assert '"Pilih file"' in styles and "Maks. 200 MB per file" in styles


def test_the_comparison_pages_boundary_uploader_carries_the_bahasa_words(monkeypatch, fixture_db):
    # the uploader is on the map tab (only the open tab is drawn)
    at = _open(monkeypatch, fixture_db, "pages/perbandingan.py", {"cmp_tab": t("compare.tab.map", "id")})
    assert not at.exception, [e.value for e in at.exception]
    styles = "\n".join(e.value for e in at.markdown if "stFileUploaderDropzone" in e.value)
    assert '"Pilih file"' in styles, "the boundary uploader still shows Streamlit's English `Browse files`"
    assert '"Maks. 200 MB per file · GEOJSON, JSON, TOPOJSON, SQL"' in styles


def _multiselect_calls(source: str) -> list[ast.Call]:
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    return [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "multiselect"]


def test_every_multiselect_names_its_placeholder_from_the_catalogue():
    # Without one, Streamlit writes its own English "Choose options" in the empty box.
    found = {
        f"{path.name}:{call.lineno}": [k.arg for k in call.keywords]
        for path in sorted((ROOT / "pages").glob("*.py"))
        for call in _multiselect_calls(path.read_text(encoding="utf-8"))
    }
    assert len(found) >= 6, found  # Kualitas data (3), Perbandingan (2), Unggah data (1)
    assert not [where for where, keywords in found.items() if "placeholder" not in keywords]


def test_the_comparisons_empty_boxes_ask_in_bahasa(monkeypatch, fixture_db):
    state = {"cmp_kind_A": "custom", "cmp_kind_B": "custom", "cmp_indicators": []}
    at = _open(monkeypatch, fixture_db, "pages/perbandingan.py", state)
    assert not at.exception, [e.value for e in at.exception]
    shown = {w.key: w.proto.placeholder for w in at.multiselect}
    assert shown == {
        "cmp_indicators": "Pilih satu indikator atau lebih",
        "cmp_custom_A": "Pilih puskesmas",
        "cmp_custom_B": "Pilih puskesmas",
    }
