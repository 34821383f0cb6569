"""A slide's chart as a Plotly figure for the presentation page: projector-size type, status colours,
the value written on each bar, the target line drawn and labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.export.deck import ChartData
from ilp_metrics.figures.charts import FONT, TARGET_COLOUR, pws_bars

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
    fig = go.Figure()
    if chart.kind == "bar":
        for s in chart.series:
            fig.add_trace(
                go.Bar(
                    y=list(chart.categories),
                    x=[v if v is not None else 0 for v in s.values],
                    orientation="h",
                    name=s.name,
                    marker_color=list(s.point_colours) if s.point_colours else s.colour,
                    text=list(s.labels) if s.labels else None,
                    textposition="outside",
                    cliponaxis=False,
                    textfont=dict(size=20 if len(chart.categories) <= 10 else 16),
                    hovertemplate="%{y}: %{text}<extra></extra>",
                )
            )
        fig.update_yaxes(
            categoryorder="array",
            categoryarray=list(chart.categories)[::-1],
            automargin=True,
            tickfont=dict(size=20 if len(chart.categories) <= 10 else 15),
        )
        # The value axis's unit is in the chart's title: no axis title to collide with the tick labels.
        fig.update_xaxes(range=[0, chart.value_max] if chart.value_max else None, gridcolor="#EEEEEE")
        if chart.reference is not None:
            fig.add_vline(x=chart.reference, line=dict(color=TARGET_COLOUR, dash="dash", width=3))
            fig.add_annotation(
                x=chart.reference,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=f"{chart.reference_label} {chart.reference:g}",
                font=dict(size=20),
            )
        fig.update_layout(barmode="group", bargap=0.25, showlegend=len(chart.series) > 1)
    else:
        for s in chart.series:
            fig.add_trace(
                go.Scatter(
                    x=list(chart.categories),
                    y=list(s.values),
                    mode="lines+markers",
                    name=s.name,
                    line=dict(color=s.colour, width=5),
                    marker=dict(size=9),
                    connectgaps=False,
                )
            )
        every = max(1, len(chart.categories) // 12)  # at most ~12 labels: readable from the back of a hall
        ticks = list(chart.categories)[::every]
        if chart.category_marker is not None and chart.category_marker not in ticks:
            ticks.append(chart.category_marker)
        fig.update_xaxes(
            title_text=chart.category_axis,
            type="category",
            gridcolor="#EEEEEE",
            tickangle=0,
            tickmode="array",
            tickvals=ticks,
            automargin=True,
            title_standoff=12,
        )
        fig.update_yaxes(
            title_text=chart.value_axis,
            range=[0, chart.value_max] if chart.value_max else None,
            gridcolor="#EEEEEE",
            automargin=True,
            title_standoff=12,
        )
        if chart.reference is not None:
            fig.add_hline(
                y=chart.reference,
                line=dict(color=TARGET_COLOUR, dash="dash", width=3),
                annotation_text=chart.reference_label,
            )
        if chart.category_marker is not None:  # e.g. month 0: the ILP start, labelled on the line
            fig.add_vline(x=chart.categories.index(chart.category_marker), line=dict(color="#444444", width=2))
            fig.add_annotation(
                x=chart.categories.index(chart.category_marker),
                y=1.0,
                yref="paper",
                yanchor="bottom",
                xanchor="left",
                showarrow=False,
                text=chart.category_marker_label,
                font=dict(size=18),
            )
    fig.update_layout(
        title=dict(text=title, font=dict(size=24), x=0, xanchor="left"),
        font=SLIDE_FONT,
        height=height,
        margin=dict(l=10, r=40, t=top, b=30),
        plot_bgcolor="white",
        paper_bgcolor="white",
        separators=",." if lang == "id" else ".,",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1, font=dict(size=20)),
    )
    fig.update_xaxes(tickfont=dict(size=18), title_font=dict(size=20))
    fig.update_yaxes(title_font=dict(size=20))
    if chart.kind != "bar":
        fig.update_yaxes(tickfont=dict(size=18))
        # Legend under the plot: above it, it collides with the title at projector sizes.
        fig.update_layout(
            legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
            margin=dict(l=10, r=40, t=top, b=10),
        )
    return fig


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
