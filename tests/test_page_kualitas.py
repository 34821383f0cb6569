"""AppTest specification of the data-quality page and of the ⚠ markers beside coverage figures.

Runs on the hand-checked coverage fixture (tests/test_coverage.py: Kabupaten Maros, 2024, through April),
whose files were uploaded today, long after the 2024 deadlines. The expected findings are those of
ilp_metrics.quality (tested case by case in tests/test_quality.py); here the page must show them."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ilp_metrics import quality
from ilp_metrics.core.db import connect
from ilp_metrics.core.i18n import t

from .conftest import DINAS

ROOT = Path(__file__).resolve().parent.parent


def app(monkeypatch, db: Path, lang: str = "id") -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    return at.run()


def expected(db: Path):
    con = connect(db)  # same configuration as the app's cached connection in this process
    try:
        return quality.findings(con, 2024, regency="73.09", through=4, principal=DINAS)
    finally:
        con.close()


def test_quality_page_counts_and_lists_the_findings(monkeypatch, fixture_db):
    found = expected(fixture_db)
    at = app(monkeypatch, fixture_db)
    at.switch_page("pages/kualitas.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Kualitas data")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Temuan tingkat tinggi"] == str(int((found["severity"] == "high").sum()))
    # The findings table shows high and medium by default, one row per finding.
    table = at.dataframe[0].value
    assert len(table) == int(found["severity"].isin(["high", "medium"]).sum())
    assert set(table["Temuan"]) == set(found.loc[found["severity"].isin(["high", "medium"]), "message"])
    assert len(at.get("plotly_chart")) >= 1  # the completeness grid


def _heatmap_titles(at: AppTest) -> list[str]:
    import json

    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_only_the_open_tab_draws_its_heatmap(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    at.switch_page("pages/kualitas.py").run()
    grid_title = t("quality.chart.completeness", "id", area="Kabupaten Maros", year=2024)
    score_title = t("quality.chart.score", "id", area="Kabupaten Maros", year=2024)
    assert _heatmap_titles(at) == [grid_title]
    at.session_state["quality_tab"] = t("quality.score", "id")
    at.run()
    assert _heatmap_titles(at) == [score_title]


def test_filters_narrow_the_list_and_a_finding_shows_its_upload(monkeypatch, fixture_db):
    found = expected(fixture_db)
    at = app(monkeypatch, fixture_db)
    at.switch_page("pages/kualitas.py").run()
    at.multiselect(key="w_quality_check_id").set_value(["TIME_LATE_UPLOAD"]).run()
    table = at.dataframe[0].value
    late = found[found["check"] == "TIME_LATE_UPLOAD"]
    assert len(late) > 0 and len(table) == len(late)
    # The detail of the first finding: its upload, by id and file name.
    uploads = at.dataframe[1].value
    first = quality.upload_ids_of(late.iloc[0]["upload_ids"])
    assert uploads["ID unggahan"].tolist() == [str(i) for i in first]


def test_page_speaks_english(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db, "en")
    at.switch_page("pages/kualitas.py").run()
    assert not at.exception and at.title[0].value.startswith("Data quality")
    assert "Finding" in at.dataframe[0].value.columns


def test_overview_marks_figures_with_high_findings(monkeypatch, fixture_db):
    at = app(monkeypatch, fixture_db)
    assert not at.exception
    spm = at.dataframe[0].value
    flags = spm["Kualitas data"]
    # Maros Baru's April 2024 came both as an aggregate report and as records (high), but the records win
    # (source_precedence): the overlap cannot change a figure (catalogue affects: []), so it marks none.
    # Missing sasaran (high) can, and marks the SPM figures of those target groups. The files were also
    # uploaded long after the deadlines, but a late upload is a finding of the quality page only
    # (catalogue marks_figures: false): its data are there.
    marked = flags[flags.str.startswith("⚠")]
    assert len(marked) and marked.str.contains("sasaran").all()
    assert not flags.str.contains("laporan agregat").any()
    assert not flags.str.contains("hari setelah batas").any()
    columns = list(spm.columns)
    assert columns.index("Kualitas data") == columns.index("Cakupan") + 1  # right beside the figure


def test_finding_details_and_rules_show_words_not_internal_codes(monkeypatch, fixture_db):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.ingest.fields import KINDS

    at = app(monkeypatch, fixture_db)
    at.switch_page("pages/kualitas.py").run()
    at.multiselect(key="w_quality_check_id").set_value(["TIME_LATE_UPLOAD"]).run()
    uploads = at.dataframe[1].value
    assert set(uploads[t("quality.upload.kind", "id")]) <= {t("upload.kind." + k, "id") for k in KINDS}, set(
        uploads[t("quality.upload.kind", "id")]
    )
    assert set(uploads[t("quality.upload.status", "id")]) == {t("upload.status.active", "id")}  # `active` in words
    raw = set(KINDS) | {"active", "replaced", "withdrawn"} | {k for k, _ in load_catalogue().quality.thresholds}
    for frame in at.dataframe:
        assert "code" not in frame.value.columns
        cells = {str(c) for c in frame.value.to_numpy().ravel()}
        assert not cells & raw, (list(frame.value.columns)[:4], sorted(cells & raw))
