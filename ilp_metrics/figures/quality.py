"""Figures of the data-quality page: the puskesmas × month completeness grid and the quality-score grid.

Pure functions over the frames of ilp_metrics.quality; texts come from the message catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.core.formatting import fmt_num, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.figures.charts import layout, merged

# Okabe–Ito based ramp for a month that arrived: orange (few desa) -> yellow -> sky blue -> blue (complete).
# A month with no data at all is vermillion, drawn apart and named in the legend (it is not a share).
_SCALE = [[0.0, "#E69F00"], [0.6, "#F0E442"], [0.9, "#56B4E9"], [1.0, "#0072B2"]]
MISSING_COLOUR = "#D55E00"
COMPLETE_COLOUR = "#0072B2"


def _swatch(colour: str, name: str) -> dict[str, Any]:
    """A legend entry only: a square of the cells' colour and what such a cell means."""
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker=dict(symbol="square", size=16, color=colour),
    )


def _grid(
    frame: pd.DataFrame, value: str, text_of: Callable[[float | None], str]
) -> tuple[list[list[float | None]], list[list[str]], list[str], list[int]]:
    frame = frame.copy()
    frame["month"] = pd.to_datetime(frame["period"]).dt.month
    names = sorted(frame["puskesmas_name"].unique())
    months = sorted(frame["month"].unique())
    cells = {(n, m): v for n, m, v in zip(frame["puskesmas_name"], frame["month"], frame[value])}
    z = [[cells.get((n, m)) for m in months] for n in names]
    text = [[text_of(cells.get((n, m))) for m in months] for n in names]
    return z, text, names, months


def _grid_figure(traces: list[dict[str, Any]], title: str, lang: str, rows: int) -> go.Figure:
    """Puskesmas × month grids: months along the top, puskesmas top-down, a row height readable on a projector."""
    own = dict(
        xaxis=dict(side="top", showgrid=False, showline=False),  # no axis title: the month names say it
        yaxis=dict(autorange="reversed", showgrid=False, showline=False, tickfont=dict(size=13)),
        # The legend under the grid: the months take the top.
        margin=dict(l=10, r=10, t=110, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
        showlegend=True,  # also when the only entry is the complete cells' (Plotly hides a one-entry legend)
        plot_bgcolor="white",
    )
    # The colour bar's title runs beside the bar, so it never covers the top tick.
    side = dict(colorbar=dict(title=dict(side="right")))
    data = [merged(trace, side) if trace["type"] == "heatmap" else trace for trace in traces]
    return go.Figure(data=data, layout=merged(layout(title, lang, height=max(380, 26 * rows + 180)), own))


def completeness_heatmap(grid: pd.DataFrame, *, title: str, lang: str) -> go.Figure:
    """Share of each puskesmas's desa present in each month's data. A month with no data at all (share 0) is
    drawn in its own colour with a cross, so the gap reads without colour; complete months stay unlabelled
    so that the gaps stand out on a projector. The legend names both, the colour bar the shares between."""
    z, text, names, months = _grid(grid, "desa_share", lambda v: "" if v is None or v >= 100 else fmt_num(v, lang, 0))
    labels = [month_name(m, lang, short=True) for m in months]
    missing = [[1 if v == 0 else None for v in row] for row in z]
    shares = [[None if v == 0 else v for v in row] for row in z]
    traces: list[dict[str, Any]] = [
        dict(
            type="heatmap",
            z=shares,
            x=labels,
            y=names,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=13, color="black"),
            colorscale=_SCALE,
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            colorbar=dict(title=dict(text=t("quality.chart.share_axis", lang)), ticksuffix=" %"),
            hovertemplate="%{y} · %{x}: %{z:.0f} %<extra></extra>",
            hoverongaps=False,
            name=t("quality.chart.share_axis", lang),
        )
    ]
    if any(v for row in missing for v in row):
        traces.append(
            dict(
                type="heatmap",
                z=missing,
                x=labels,
                y=names,
                text=[["✗" if v else "" for v in row] for row in missing],
                texttemplate="%{text}",
                textfont=dict(size=13, color="black"),
                colorscale=[[0.0, MISSING_COLOUR], [1.0, MISSING_COLOUR]],
                showscale=False,
                xgap=2,
                ygap=2,
                hovertemplate=f"%{{y}} · %{{x}}: {t('quality.chart.legend_missing', lang)}<extra></extra>",
                hoverongaps=False,
                name=t("quality.chart.legend_missing", lang),
            )
        )
        traces.append(_swatch(MISSING_COLOUR, t("quality.chart.legend_missing", lang)))
    traces.append(_swatch(COMPLETE_COLOUR, t("quality.chart.legend_complete", lang)))
    return _grid_figure(traces, title, lang, rows=len(names))


def score_heatmap(scores: pd.DataFrame, *, title: str, lang: str) -> go.Figure:
    """Quality score (0–100) per puskesmas and month, the score written in each cell."""
    z, text, names, months = _grid(scores, "score", lambda v: "" if v is None else fmt_num(v, lang, 0))
    labels = [month_name(m, lang, short=True) for m in months]
    cells = dict(
        type="heatmap",
        z=z,
        x=labels,
        y=names,
        text=text,
        texttemplate="%{text}",
        textfont=dict(size=13, color="black"),
        colorscale=[[0.0, "#D55E00"], [0.7, "#E69F00"], [0.85, "#F0E442"], [1.0, "#56B4E9"]],
        zmin=50,
        zmax=100,
        xgap=2,
        ygap=2,
        colorbar=dict(title=dict(text=t("quality.chart.score_axis", lang))),
        hovertemplate="%{y} · %{x}: %{z:.0f}<extra></extra>",
    )
    return _grid_figure([cells], title, lang, rows=len(names))
