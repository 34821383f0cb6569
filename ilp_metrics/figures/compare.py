"""Comparison figures: event-time and calendar series of two groups, the funnel plot, the puskesmas
point map and the desa/kecamatan choropleth. Pure Plotly functions over the frames of compare.py and
geo.py; the conventions of charts.py (titles, units, target lines, Okabe–Ito colours, Indonesian
number format). Maps use plain longitude/latitude axes with equal scale: no tiles, no internet.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.core.formatting import fmt_int, fmt_num, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.figures.charts import TARGET_COLOUR, _layout, fmt_value
from ilp_metrics.metrics.geo import Boundaries, Match

# Okabe–Ito blue and orange for groups A and B (the status colours stay for status only).
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
BAND_FILL = ("rgba(0,114,178,0.18)", "rgba(230,159,0,0.22)", "rgba(0,158,115,0.18)", "rgba(204,121,167,0.18)")
BAND_COLOURS = {
    "above_998": "#0072B2",
    "above_95": "#56B4E9",
    "within": "#999999",
    "below_95": "#E69F00",
    "below_998": "#D55E00",
}
BAND_ORDER = ("above_998", "above_95", "within", "below_95", "below_998")
UNMATCHED_COLOUR = "#DDDDDD"


def _group_traces(
    fig: go.Figure,
    data: pd.DataFrame,
    x: str,
    group: str,
    i: int,
    ind: Indicator,
    lang: str,
    hover_x: str,
    row: int = 1,
) -> None:
    colour, fill = GROUP_COLOURS[i % 4], BAND_FILL[i % 4]
    part = data[data["group"] == group]
    fig.add_trace(
        go.Scatter(
            x=part[x],
            y=part["p75"],
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            legendgroup=group,
        ),
        row=row,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=part[x],
            y=part["p25"],
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=fill,
            name=t("compare.chart.band", lang, group=group),
            legendgroup=group,
            showlegend=False,
            hoverinfo="skip",
        ),
        row=row,
        col=1,
    )
    custom = [
        [fmt_value(m, ind, lang), fmt_value(a, ind, lang), fmt_value(b, ind, lang), fmt_int(u, lang)]
        for m, a, b, u in zip(part["median_coverage_pct"], part["p25"], part["p75"], part["units"])
    ]
    fig.add_trace(
        go.Scatter(
            x=part[x],
            y=part["median_coverage_pct"],
            mode="lines+markers",
            name=group,
            line=dict(color=colour, width=4),
            marker=dict(size=6),
            legendgroup=group,
            customdata=custom,
            hovertemplate=hover_x + "<br>" + t("compare.chart.hover", lang) + f"<extra>{group}</extra>",
        ),
        row=row,
        col=1,
    )


def _two_line_layout(fig: go.Figure, title: str, subtitle: str, lang: str, height: int = 600) -> None:
    """Indicator on the first line, what is shown on the second; the legend (one entry per group)
    under the chart, so that nothing sits over the title when charts are two to a row."""
    _layout(fig, f"{title}<br><sup>{subtitle}</sup>" if subtitle else title, lang, height=height)
    fig.update_layout(
        margin=dict(t=90, b=10),
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.16, yanchor="top", font=dict(size=15)),
    )


def _units_bars(fig: go.Figure, data: pd.DataFrame, x: str, groups: list[str], lang: str) -> None:
    for i, group in enumerate(groups):
        part = data[data["group"] == group]
        fig.add_trace(
            go.Bar(
                x=part[x],
                y=part["units"],
                name=t("compare.chart.units", lang, group=group),
                marker_color=GROUP_COLOURS[i % 4],
                opacity=0.8,
                legendgroup=group,
                showlegend=False,
                hovertemplate="%{x}: %{y} puskesmas<extra>" + group + "</extra>",
            ),
            row=2,
            col=1,
        )


def _annual_target_line(fig: go.Figure, data: pd.DataFrame, ind: Indicator, lang: str) -> None:
    """The annual target, dashed and labelled: a year of monthly coverage averages to the annual coverage."""
    if not len(data):
        return
    target = float(data["annual_target_pct"].median())
    fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, dash="dash", width=2), row=1, col=1)
    fig.add_annotation(
        x=1,
        xref="x domain",
        xanchor="right",
        y=target,
        yanchor="bottom",
        showarrow=False,
        text=t("compare.chart.annual_target", lang, value=fmt_value(target, ind, lang)),
        font=dict(size=14, color=TARGET_COLOUR),
        row=1,
        col=1,
    )


def aligned_chart(
    aligned: pd.DataFrame,
    code: str,
    *,
    lang: str,
    window: tuple[int, int] = (-24, 24),
    subtitle: str = "",
    catalogue: Catalogue | None = None,
) -> go.Figure:
    """Median monthly coverage per group with its 25–75 % band on months since each puskesmas's own
    ILP start; a vertical line at month 0, the annual target dashed, puskesmas contributing below."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = aligned[(aligned["indicator"] == code) & aligned["months_since_start"].between(*window)]
    groups = list(dict.fromkeys(data["group"]))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.05)
    for i, group in enumerate(groups):
        _group_traces(fig, data, "months_since_start", group, i, ind, lang, t("compare.chart.hover_month", lang))
    _units_bars(fig, data, "months_since_start", groups, lang)
    _annual_target_line(fig, data, ind, lang)
    for row in (1, 2):
        fig.add_vline(x=0, line=dict(color="#222222", width=2), row=row, col=1)
    fig.add_annotation(  # at the foot of the line: the target's label sits high, at its own line
        x=0,
        y=0,
        yref="y domain",
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        text=" " + t("compare.chart.start", lang),
        font=dict(size=14),
        row=1,
        col=1,
    )
    _two_line_layout(fig, ind.short_name.get(lang), subtitle or t("compare.chart.aligned_title", lang), lang)
    fig.update_layout(bargap=0.15, barmode="group")
    fig.update_yaxes(
        title_text=t("compare.chart.axis_monthly", lang, unit=t("unit." + ind.unit, lang)),
        rangemode="tozero",
        row=1,
        col=1,
    )
    fig.update_yaxes(title_text=t("compare.chart.axis_units", lang), rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text=t("compare.chart.axis_months_since", lang), dtick=6, row=2, col=1)
    return fig


def calendar_chart(
    calendar: pd.DataFrame,
    code: str,
    *,
    lang: str,
    subtitle: str = "",
    starts: dict[str, list[str]] | None = None,
    catalogue: Catalogue | None = None,
) -> go.Figure:
    """The same groups by calendar month (`YYYY-MM`), puskesmas contributing below."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = calendar[calendar["indicator"] == code].copy()
    data["x"] = pd.to_datetime(data["period"] + "-01")
    groups = list(dict.fromkeys(data["group"]))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.05)
    for i, group in enumerate(groups):
        _group_traces(fig, data, "x", group, i, ind, lang, "%{x|%Y-%m}")
    _units_bars(fig, data, "x", groups, lang)
    _annual_target_line(fig, data, ind, lang)
    _two_line_layout(fig, ind.short_name.get(lang), subtitle or t("compare.chart.calendar_title", lang), lang)
    fig.update_layout(barmode="group")
    if len(data):  # month names in the reader's language, every six months
        first, last = data["x"].min(), data["x"].max()
        ticks = [
            d
            for d in pd.date_range(first - pd.offsets.MonthBegin(12), last, freq="MS")
            if d.month in (1, 7) and d >= first - pd.offsets.MonthBegin(1)
        ]
        fig.update_xaxes(tickvals=ticks, ticktext=[f"{month_name(d.month, lang, short=True)} {d.year}" for d in ticks])
    fig.update_yaxes(
        title_text=t("compare.chart.axis_monthly", lang, unit=t("unit." + ind.unit, lang)),
        rangemode="tozero",
        row=1,
        col=1,
    )
    fig.update_yaxes(title_text=t("compare.chart.axis_units", lang), rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text=t("compare.chart.axis_month", lang), row=2, col=1)
    return fig


def funnel_chart(
    data: pd.DataFrame,
    curve: pd.DataFrame,
    code: str,
    *,
    area: str,
    period: str,
    lang: str,
    catalogue: Catalogue | None = None,
) -> go.Figure:
    """Coverage to date against the target population: district rate, 95 % and 99.8 % binomial limits,
    the target to date; puskesmas outside the limits named and coloured by side."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    fig = go.Figure()
    if len(data):
        rate = float(data["district_rate_pct"].iloc[0])
        for col, dash, key in (
            ("upper998", "dot", "compare.chart.limit998"),
            ("lower998", "dot", None),
            ("upper95", "dash", "compare.chart.limit95"),
            ("lower95", "dash", None),
        ):
            fig.add_trace(
                go.Scatter(
                    x=curve["n"],
                    y=curve[col],
                    mode="lines",
                    line_shape="hv",
                    line=dict(color="#555555", dash=dash, width=1.5),
                    name=t(key, lang) if key else None,
                    showlegend=key is not None,
                    legendgroup=col[-3:],
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[curve["n"].min(), curve["n"].max()],
                y=[rate, rate],
                mode="lines",
                line=dict(color="#222222", width=2.5),
                name=t("compare.chart.district_rate", lang, value=fmt_value(rate, ind, lang)),
                hoverinfo="skip",
            )
        )
        target = float(data["target_pct"].iloc[0]) if "target_pct" in data else None
        if target is not None and not math.isnan(target):
            fig.add_trace(
                go.Scatter(
                    x=[curve["n"].min(), curve["n"].max()],
                    y=[target, target],
                    mode="lines",
                    line=dict(color="#009E73", dash="longdash", width=2),
                    name=t("chart.target_at", lang, value=fmt_value(target, ind, lang)),
                    hoverinfo="skip",
                )
            )
    for band in BAND_ORDER:
        part = data[data["band"] == band]
        if part.empty:
            continue
        labels = part["unit_name"] if band != "within" else [""] * len(part)
        fig.add_trace(
            go.Scatter(
                x=part["denominator"],
                y=part["coverage_pct"],
                mode="markers+text",
                name=t(f"compare.band.{band}", lang),
                marker=dict(color=BAND_COLOURS[band], size=14, line=dict(color="white", width=1)),
                text=labels,
                textposition="middle right",
                textfont=dict(size=14, color="#222222"),
                cliponaxis=False,
                customdata=[
                    [n, fmt_value(v, ind, lang), fmt_int(a, lang), fmt_int(d, lang)]
                    for n, v, a, d in zip(
                        part["unit_name"], part["coverage_pct"], part["numerator"], part["denominator"]
                    )
                ],
                hovertemplate="%{customdata[0]}: %{customdata[1]} (%{customdata[2]} / %{customdata[3]})<extra></extra>",
            )
        )
    title = t("compare.chart.funnel_title", lang, indicator=ind.short_name.get(lang), area=area, period=period)
    _layout(fig, title, lang, height=600)
    fig.update_layout(
        margin=dict(t=70, r=10, b=10),
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", font=dict(size=15)),
    )
    fig.update_xaxes(title_text=t("compare.chart.axis_denominator", lang), rangemode="tozero")
    fig.update_yaxes(title_text=t("compare.chart.axis_coverage_to_date", lang))
    return fig


def _equal_axes(fig: go.Figure, lons: list[float], lats: list[float], lang: str) -> None:
    """Longitude/latitude axes at the same scale (near the equator one degree is about the same
    distance both ways), padded, no grid clutter."""
    if lons:
        pad_x = max(0.05, (max(lons) - min(lons)) * 0.12)
        pad_y = max(0.05, (max(lats) - min(lats)) * 0.12)
        fig.update_xaxes(range=[min(lons) - pad_x, max(lons) + pad_x])
        fig.update_yaxes(range=[min(lats) - pad_y, max(lats) + pad_y])
    fig.update_xaxes(title_text=t("compare.map.lon", lang), showgrid=False, zeroline=False, ticksuffix="°")
    fig.update_yaxes(
        title_text=t("compare.map.lat", lang),
        showgrid=False,
        zeroline=False,
        ticksuffix="°",
        scaleanchor="x",
        scaleratio=1,
    )


def points_map(
    points: pd.DataFrame, code: str, *, area: str, period: str, lang: str, catalogue: Catalogue | None = None
) -> go.Figure:
    """Puskesmas as points at their registry coordinates, coloured by status (one legend entry per
    status, the status also in the hover), sized by target population (area ∝ sasaran)."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = points.dropna(subset=["latitude", "longitude"])
    biggest = float(data["denominator"].max()) if len(data) and data["denominator"].notna().any() else 1.0
    fig = go.Figure()
    for status in ("tercapai", "mendekati", "di_bawah", "tidak_ada_data"):
        part = data[data["status"] == status]
        if part.empty:
            continue
        size = 14 + 36 * np.sqrt(part["denominator"].fillna(0).to_numpy(float) / biggest)
        name = cat.status.label(status, ind.polarity).get(lang)  # "Di atas batas" for a rate above its ceiling
        fig.add_trace(
            go.Scatter(
                x=part["longitude"],
                y=part["latitude"],
                mode="markers+text",
                name=name,
                marker=dict(
                    color=cat.status.colour(status), size=size, line=dict(color="#333333", width=1), opacity=0.9
                ),
                text=part["unit_name"],
                textposition="top center",
                textfont=dict(size=13),
                customdata=[
                    [n, fmt_value(v, ind, lang), fmt_int(d, lang), name]
                    for n, v, d in zip(part["unit_name"], part["coverage"], part["denominator"])
                ],
                hovertemplate="%{customdata[0]}: %{customdata[1]} · %{customdata[3]}<br>"
                + t("compare.map.hover_target", lang)
                + "<extra></extra>",
            )
        )
    title = t("compare.map.points_title", lang, indicator=ind.short_name.get(lang), area=area, period=period)
    _layout(fig, title, lang, height=640)
    fig.update_layout(margin=dict(t=110))
    _equal_axes(fig, data["longitude"].tolist(), data["latitude"].tolist(), lang)
    return fig


def choropleth_map(
    boundaries: Boundaries,
    values: pd.DataFrame,
    match: Match,
    code: str,
    *,
    area: str,
    period: str,
    lang: str,
    catalogue: Catalogue | None = None,
) -> go.Figure:
    """Desa (or kecamatan) polygons (bundled or uploaded) filled with their status colour; areas the
    data does not know are light grey. Filled lon/lat polygons: no tiles, no geo projection download.
    One filled trace per status (rings separated by gaps, each filled on its own) and one trace of
    hover points, one per area at its largest ring's centre, so hundreds of areas draw at once."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    by_code = values.set_index("code") if len(values) else pd.DataFrame()
    matched = set(match.matched)
    fig = go.Figure()
    groups: dict[str, tuple[str, list[float | None], list[float | None]]] = {}
    hover_x: list[float] = []
    hover_y: list[float] = []
    hover_text: list[str] = []
    lons, lats = [], []
    for a in boundaries.areas:
        if a.code in matched and a.code in by_code.index:
            row = by_code.loc[a.code]
            status = row["status"]
            colour, legend = cat.status.colour(status), cat.status.label(status, ind.polarity).get(lang)
            value = fmt_value(row["coverage"], ind, lang)
            name = str(row["name"])
        else:
            colour, legend, value, name = UNMATCHED_COLOUR, t("compare.map.unmatched", lang), "–", a.name
        _, xs, ys = groups.setdefault(legend, (colour, [], []))
        for ring in a.rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
            lons += [p[0] for p in ring]
            lats += [p[1] for p in ring]
        largest = max(a.rings, key=len)
        hover_x.append(sum(p[0] for p in largest) / len(largest))
        hover_y.append(sum(p[1] for p in largest) / len(largest))
        hover_text.append(f"{name} ({a.code}): {value} · {legend}")
    for legend, (colour, xs, ys) in groups.items():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line=dict(color="#FFFFFF", width=1),
                name=legend,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=hover_x,
            y=hover_y,
            mode="markers",
            marker=dict(size=8, color="#333333", opacity=0.35),
            text=hover_text,
            hoverinfo="text",
            showlegend=False,
        )
    )
    title = t("compare.map.areas_title", lang, indicator=ind.short_name.get(lang), area=area, period=period)
    _layout(fig, title, lang, height=640)
    fig.update_layout(margin=dict(t=110))
    _equal_axes(fig, lons, lats, lang)
    return fig


def fmt_change(value: float | None, lang: str) -> str:
    """A change in percentage points with its sign: `+6,3` / `−1,4`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt_num(None, lang)
    rounded = round(float(value), 1)
    text = fmt_num(abs(rounded), lang, 1)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "") + text


def period_text(year: int, month: int, lang: str) -> str:
    return f"{month_name(1, lang, short=True)}–{month_name(month, lang, short=True)} {year}"
