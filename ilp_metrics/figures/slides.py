"""A slide's chart as a Plotly figure for the presentation page: projector-size type, status colours,
the value written on each bar, the target line drawn and labelled."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.export.deck import ChartData
from ilp_metrics.figures.charts import FONT, TARGET_COLOUR, hline, merged, pws_bars, vline

SLIDE_FONT = dict(FONT, size=22)


TITLE_LINE = 58  # characters of a 24 px title that fit beside the big numbers on a 1280 px screen


def _wrapped(title: str, width: int = TITLE_LINE) -> str:
    """Plotly does not wrap titles: a long one is cut at the chart's edge. Break it at the last space
    (or before an opening bracket) that keeps the first line within `width`."""
    if len(title) <= width:
        return title
    cut = title.rfind(" (", 0, width + 1)
    cut = cut if cut > width // 2 else title.rfind(" ", 0, width + 1)
    return title if cut <= 0 else f"{title[:cut]}<br>{title[cut + 1 :]}"


def slide_figure(chart: ChartData, lang: str, height: int = 560) -> go.Figure:
    if chart.kind == "pws" and chart.table is not None:  # the classic PWS chart, as the puskesmas page draws it
        fig = pws_slide(chart.table, chart.indicator, area="", period="", lang=lang)
        title = _wrapped(chart.title)
        fig.update_layout(
            title_text=title,
            height=height,
            showlegend=not chart.status_legend,  # the statuses are named beside the chart
            margin=dict(t=125 if "<br>" in title else 70),
        )
        return fig
    title = _wrapped(chart.title)
    top = 125 if "<br>" in title else 70  # room for a second title line above the target label
    traces, own = _bars(chart) if chart.kind == "bar" else _lines(chart)
    common: dict[str, Any] = dict(
        title=dict(text=title, font=dict(size=24), x=0, xanchor="left"),
        font=SLIDE_FONT,
        height=height,
        margin=dict(l=10, r=40, t=top, b=30),
        plot_bgcolor="white",
        paper_bgcolor="white",
        separators=",." if lang == "id" else ".,",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1, font=dict(size=20)),
        xaxis=dict(tickfont=dict(size=18), title=dict(font=dict(size=20))),
        yaxis=dict(title=dict(font=dict(size=20))),
    )
    lines: dict[str, Any] = {}
    if chart.kind != "bar":
        lines = dict(
            yaxis=dict(tickfont=dict(size=18)),
            # Legend under the plot: above it, it collides with the title at projector sizes.
            legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
            margin=dict(l=10, r=40, t=top, b=10),
        )
    return go.Figure(data=traces, layout=merged(own, common, lines))


def _bars(chart: ChartData) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Horizontal bars, first category on top, the reference line labelled above the plot."""
    traces = [
        dict(
            type="bar",
            y=list(chart.categories),
            x=[v if v is not None else 0 for v in s.values],
            orientation="h",
            name=s.name,
            marker=dict(color=list(s.point_colours) if s.point_colours else s.colour),
            text=list(s.labels) if s.labels else None,
            textposition="outside",
            cliponaxis=False,
            textfont=dict(size=20 if len(chart.categories) <= 10 else 16),
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
        for s in chart.series
    ]
    own: dict[str, Any] = dict(
        yaxis=dict(
            categoryorder="array",
            categoryarray=list(chart.categories)[::-1],
            automargin=True,
            tickfont=dict(size=20 if len(chart.categories) <= 10 else 15),
        ),
        # The value axis's unit is in the chart's title: no axis title to collide with the tick labels.
        xaxis=dict(range=[0, chart.value_max] if chart.value_max else None, gridcolor="#EEEEEE"),
    )
    if chart.reference is not None:
        own["shapes"] = [vline(chart.reference, dict(color=TARGET_COLOUR, dash="dash", width=3))]
        own["annotations"] = [
            dict(
                x=chart.reference,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=f"{chart.reference_label} {chart.reference:g}",
                font=dict(size=20),
            )
        ]
    own |= dict(barmode="group", bargap=0.25, showlegend=len(chart.series) > 1)
    return traces, own


def _lines(chart: ChartData) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One line a series over at most ~12 category labels, the reference and the marked category drawn."""
    traces = [
        dict(
            type="scatter",
            x=list(chart.categories),
            y=list(s.values),
            mode="lines+markers",
            name=s.name,
            line=dict(color=s.colour, width=5),
            marker=dict(size=9),
            connectgaps=False,
        )
        for s in chart.series
    ]
    every = max(1, len(chart.categories) // 12)  # at most ~12 labels: readable from the back of a hall
    ticks = list(chart.categories)[::every]
    if chart.category_marker is not None and chart.category_marker not in ticks:
        ticks.append(chart.category_marker)
    own: dict[str, Any] = dict(
        xaxis=dict(
            title=dict(text=chart.category_axis, standoff=12),
            type="category",
            gridcolor="#EEEEEE",
            tickangle=0,
            tickmode="array",
            tickvals=ticks,
            automargin=True,
        ),
        yaxis=dict(
            title=dict(text=chart.value_axis, standoff=12),
            range=[0, chart.value_max] if chart.value_max else None,
            gridcolor="#EEEEEE",
            automargin=True,
        ),
    )
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if chart.reference is not None:  # labelled at its right end, as add_hline(annotation_text=…) places it
        shapes.append(hline(chart.reference, dict(color=TARGET_COLOUR, dash="dash", width=3)))
        notes.append(
            dict(
                showarrow=False,
                text=chart.reference_label,
                x=1,
                xanchor="right",
                xref="x domain",
                y=chart.reference,
                yanchor="bottom",
                yref="y",
            )
        )
    if chart.category_marker is not None:  # e.g. month 0: the ILP start, labelled on the line
        at = chart.categories.index(chart.category_marker)
        shapes.append(vline(at, dict(color="#444444", width=2)))
        notes.append(
            dict(
                x=at,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                xanchor="left",
                showarrow=False,
                text=chart.category_marker_label,
                font=dict(size=18),
            )
        )
    return traces, own | ({"shapes": shapes} if shapes else {}) | ({"annotations": notes} if notes else {})


def pws_slide(
    table: pd.DataFrame,
    code: str,
    *,
    area: str,
    period: str,
    lang: str,
    catalogue: Catalogue | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """The classic PWS chart per desa (charts.pws_bars) at projector size: 22 px values, 18 px ticks."""
    return pws_bars(
        table, code, area=area, period=period, lang=lang, catalogue=catalogue, highlight=highlight, slide=True
    )
