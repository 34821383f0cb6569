"""The Kualitas data grids say what they draw (issue 18): a complete month, a month with no data and the
shares between each have a colour the legend or the colour bar names, and the colour bar's title keeps
clear of its ticks."""

from __future__ import annotations

import pandas as pd

from ilp_metrics.core.i18n import t
from ilp_metrics.figures import quality as qf

# Two puskesmas, two months: A complete in January, 50 % in February; B complete, then no data at all.
GRID = pd.DataFrame(
    {
        "puskesmas_name": ["A", "A", "B", "B"],
        "period": ["2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01"],
        "desa_share": [100.0, 50.0, 100.0, 0.0],
    }
)


def _figure(lang: str = "id"):
    return qf.completeness_heatmap(GRID, title=t("quality.chart.completeness", lang, area="X", year=2024), lang=lang)


def _legend(fig) -> dict[str, str]:
    return {tr.name: tr.marker.color for tr in fig.data if tr.type == "scatter" and tr.showlegend is not False}


def test_a_complete_month_is_drawn_in_the_colour_the_legend_names_complete():
    fig = _figure()
    shares = fig.data[0]
    assert shares.colorscale[-1][1] == qf.COMPLETE_COLOUR  # the colour of 100 %
    assert shares.text[0][0] == ""  # drawn filled, without a number
    assert _legend(fig)[t("quality.chart.legend_complete", "id")] == qf.COMPLETE_COLOUR
    assert "kosong" not in fig.layout.title.text and "blank" not in _figure("en").layout.title.text


def test_a_month_without_data_has_its_own_colour_named_in_the_legend_and_off_the_share_scale():
    fig = _figure()
    shares, missing = fig.data[0], fig.data[1]
    assert shares.z[1][1] is None and missing.z[1][1] == 1 and missing.text[1][1] == "✗"  # B, February
    assert {c for _, c in missing.colorscale} == {qf.MISSING_COLOUR} and missing.showscale is False
    assert qf.MISSING_COLOUR not in {c for _, c in shares.colorscale}
    assert _legend(fig)[t("quality.chart.legend_missing", "id")] == qf.MISSING_COLOUR


def test_a_partial_month_is_written_and_coloured_on_the_share_scale():
    shares = _figure().data[0]
    assert shares.z[0][1] == 50.0 and shares.text[0][1] == "50"


def test_the_colour_bar_titles_run_beside_the_bar_not_over_its_top_tick():
    scores = GRID.rename(columns={"desa_share": "score"})
    for fig in (_figure(), qf.score_heatmap(scores, title="s", lang="id")):
        assert fig.data[0].colorbar.title.side == "right"


def test_the_legend_is_shown_when_no_month_is_missing():
    complete = GRID.assign(desa_share=100.0)
    fig = qf.completeness_heatmap(complete, title="x", lang="id")
    assert fig.layout.showlegend is True and list(_legend(fig)) == [t("quality.chart.legend_complete", "id")]
