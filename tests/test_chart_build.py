"""Figures are built from plain dicts in one go (issue 17): the helpers must give what Plotly's own
incremental calls give, and the two-row comparison chart must keep the layout make_subplots gave it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.figures.charts import hline, layout, merged, monthly_bars, pws_curve, vline
from ilp_metrics.figures.compare import aligned_chart

LINE = dict(color="#333333", dash="dash", width=2)


def test_merged_gives_what_successive_update_layout_calls_give():
    first = dict(title=dict(text="A", x=0), legend=dict(y=1.0, x=1), height=460, xaxis=dict(range=[0, 5]))
    second = dict(title=dict(text="B"), legend=dict(y=1, orientation="h"), xaxis=dict(range=None, dtick=6))
    fig = go.Figure()
    fig.update_layout(first)
    fig.update_layout(second)
    built = go.Figure(layout=merged(first, second))
    assert built.layout.to_plotly_json() == fig.layout.to_plotly_json()
    assert isinstance(built.layout.legend.y, float)  # an equal number leaves the first, as Plotly does


def test_merged_leaves_its_arguments_unchanged():
    base = dict(margin=dict(t=70, b=10))
    merged(base, dict(margin=dict(t=95)))
    assert base == dict(margin=dict(t=70, b=10))


def test_the_line_helpers_draw_the_shapes_add_hline_and_add_vline_draw():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    fig.add_hline(y=80.0, line=LINE)
    fig.add_vline(x=3, line=LINE)
    built = go.Figure(layout=dict(shapes=[hline(80.0, LINE), vline(3, LINE)]))
    assert built.layout.shapes == fig.layout.shapes


def test_the_shared_layout_styles_every_named_axis():
    spec = layout("T", "id", x_axes=("xaxis", "xaxis2"), y_axes=("yaxis", "yaxis2"))
    assert spec["xaxis2"]["showline"] and spec["yaxis2"]["zeroline"] is False
    assert spec["separators"] == ",." and layout("T", "en")["separators"] == ".,"


def months() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["SPM01"] * 3,
            "year": [2025] * 3,
            "month": [1, 2, 3],
            "coverage": [10.0, 20.0, 30.0],
            "numerator": [10, 20, 30],
            "denominator": [100] * 3,
            "annual_target": [100.0] * 3,
            "projected_coverage": [None, None, 120.0],
        }
    )


def test_the_pws_curve_sets_its_axes_on_top_of_the_shared_style():
    fig = pws_curve(months(), "SPM01", area="X", lang="id", compact=True)
    assert [tr.name for tr in fig.data] == ["Target kumulatif", "Capaian kumulatif", "Proyeksi Desember"]
    assert fig.layout.xaxis.showline and fig.layout.xaxis.categoryarray[0] == "Jan"
    assert fig.layout.yaxis.rangemode == "tozero" and fig.layout.yaxis.zeroline is False
    assert (fig.layout.margin.t, fig.layout.margin.l, fig.layout.legend.y) == (115, 10, 1.02)


def test_charts_two_to_a_row_put_the_area_and_period_on_a_second_line():
    # Half of a 1280 px screen beside the sidebar cut "… Jan–Des 2025" off a one-line title.
    curve = pws_curve(months(), "SPM01", area="Baebunta", lang="id", compact=True)
    bars = monthly_bars(
        months().assign(numerator_month=[10, 10, 10]), "SPM01", area="Baebunta", lang="id", compact=True
    )
    assert curve.layout.title.text.endswith("<br><sup>Baebunta, Jan–Mar 2025</sup>")
    assert bars.layout.title.text.endswith("per bulan<br><sup>Baebunta, 2025</sup>")
    assert curve.layout.margin.t == bars.layout.margin.t  # side by side, their plots start at one height
    assert curve.layout.height == bars.layout.height


def test_a_chart_of_its_own_row_keeps_its_title_on_one_line():
    bars = monthly_bars(months().assign(numerator_month=[10, 10, 10]), "SPM01", area="Baebunta", lang="id")
    assert "<br>" not in bars.layout.title.text and bars.layout.title.text.endswith("— Baebunta, 2025")


def aligned(rows: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["SPM01"] * rows,
            "group": ["pilot"] * rows,
            "months_since_start": [-1, 0, 1][:rows],
            "median_coverage_pct": [90.0, 95.0, 99.0][:rows],
            "p25": [85.0, 90.0, 94.0][:rows],
            "p75": [95.0, 99.0, 100.0][:rows],
            "units": [4, 4, 4][:rows],
            "annual_target_pct": [100.0] * rows,
        }
    )


def test_the_comparison_chart_keeps_two_plots_on_one_shared_month_axis():
    fig = aligned_chart(aligned(), "SPM01", lang="id")
    axes = fig.layout
    assert (axes.xaxis.matches, axes.xaxis.showticklabels) == ("x2", False)
    assert axes.yaxis.domain == (0.259, 1.0) and axes.yaxis2.domain == (0.0, 0.209)
    assert [(tr.type, tr.xaxis, tr.yaxis) for tr in fig.data][-2:] == [("scatter", "x", "y"), ("bar", "x2", "y2")]
    assert all(axis.showline for axis in (axes.xaxis, axes.xaxis2, axes.yaxis, axes.yaxis2))
    assert axes.xaxis2.dtick == 6 and axes.yaxis2.title.text == "Puskesmas"
    assert [(s.xref, s.yref) for s in axes.shapes] == [("x domain", "y"), ("x", "y domain"), ("x2", "y2 domain")]


def test_a_comparison_chart_without_data_draws_no_start_line():
    fig = aligned_chart(aligned(0), "SPM01", lang="id")  # as add_vline leaves out plots without traces
    assert fig.data == () and fig.layout.shapes == ()
    assert [a.text.strip() for a in fig.layout.annotations] == ["Mulai ILP"]
