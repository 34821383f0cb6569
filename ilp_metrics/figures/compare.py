"""Comparison figures: event-time and calendar series of two groups, the funnel plot, the puskesmas
point map and the desa/kecamatan choropleth. Pure Plotly functions over the frames of compare.py and
geo.py; the conventions of charts.py (titles, units, target lines, Okabe–Ito colours, Indonesian
number format). Maps use plain longitude/latitude axes with equal scale: no tiles, no internet.
"""

from __future__ import annotations

import copy
import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.core.formatting import fmt_int, fmt_num, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.figures.charts import TARGET_COLOUR, fmt_value, hline, layout, merged, vline
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
    data: pd.DataFrame, x: str, group: str, i: int, ind: Indicator, lang: str, hover_x: str
) -> list[dict[str, Any]]:
    """One group's band (25–75 %, two edges filled between) and median, on the upper plot."""
    colour, fill = GROUP_COLOURS[i % 4], BAND_FILL[i % 4]
    part = data[data["group"] == group]
    custom = [
        [fmt_value(m, ind, lang), fmt_value(a, ind, lang), fmt_value(b, ind, lang), fmt_int(u, lang)]
        for m, a, b, u in zip(part["median_coverage_pct"], part["p25"], part["p75"], part["units"])
    ]
    return [
        dict(
            type="scatter",
            x=part[x],
            y=part["p75"],
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            legendgroup=group,
            xaxis="x",
            yaxis="y",
        ),
        dict(
            type="scatter",
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
            xaxis="x",
            yaxis="y",
        ),
        dict(
            type="scatter",
            x=part[x],
            y=part["median_coverage_pct"],
            mode="lines+markers",
            name=group,
            line=dict(color=colour, width=4),
            marker=dict(size=6),
            legendgroup=group,
            customdata=custom,
            hovertemplate=hover_x + "<br>" + t("compare.chart.hover", lang) + f"<extra>{group}</extra>",
            xaxis="x",
            yaxis="y",
        ),
    ]


@functools.cache
def two_row_grid() -> dict[str, Any]:
    """The axes of the two-row chart (series above, puskesmas contributing below, one shared month axis),
    as make_subplots lays them out; computed once, as make_subplots costs tens of milliseconds a call."""
    grid = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.05)
    return {key: value for key, value in grid.layout.to_plotly_json().items() if key != "template"}


def _two_line_layout(title: str, subtitle: str, lang: str, height: int = 600) -> dict[str, Any]:
    """The two-row chart's layout. Indicator on the first line, what is shown on the second; the legend (one
    entry per group) under the chart, so that nothing sits over the title when charts are two to a row."""
    both = ("xaxis", "xaxis2")
    base = layout(
        f"{title}<br><sup>{subtitle}</sup>" if subtitle else title,
        lang,
        height=height,
        x_axes=both,
        y_axes=("yaxis", "yaxis2"),
    )
    return merged(
        copy.deepcopy(two_row_grid()),
        base,
        dict(
            margin=dict(t=90, b=10),
            legend=dict(orientation="h", x=0, xanchor="left", y=-0.16, yanchor="top", font=dict(size=15)),
        ),
    )


def _two_row_axes(ind: Indicator, lang: str, months_title: str) -> dict[str, Any]:
    """Axis titles of the two-row chart: monthly coverage above, puskesmas below, the months at the foot."""
    return dict(
        yaxis=dict(
            title=dict(text=t("compare.chart.axis_monthly", lang, unit=t("unit." + ind.unit, lang))),
            rangemode="tozero",
        ),
        yaxis2=dict(title=dict(text=t("compare.chart.axis_units", lang)), rangemode="tozero"),
        xaxis2=dict(title=dict(text=months_title)),
    )


def _units_bars(data: pd.DataFrame, x: str, groups: list[str], lang: str) -> list[dict[str, Any]]:
    """Puskesmas contributing to each month, per group, on the lower plot."""
    bars = []
    for i, group in enumerate(groups):
        part = data[data["group"] == group]
        bars.append(
            dict(
                type="bar",
                x=part[x],
                y=part["units"],
                name=t("compare.chart.units", lang, group=group),
                marker=dict(color=GROUP_COLOURS[i % 4]),
                opacity=0.8,
                legendgroup=group,
                showlegend=False,
                hovertemplate="%{x}: %{y} puskesmas<extra>" + group + "</extra>",
                xaxis="x2",
                yaxis="y2",
            )
        )
    return bars


def _annual_target_line(data: pd.DataFrame, ind: Indicator, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The annual target, dashed and labelled: a year of monthly coverage averages to the annual coverage."""
    if not len(data):
        return dict(shapes=[], annotations=[])
    target = float(data["annual_target_pct"].median())
    note = dict(
        x=1,
        xref="x domain",
        xanchor="right",
        y=target,
        yref="y",
        yanchor="bottom",
        showarrow=False,
        text=t("compare.chart.annual_target", lang, value=fmt_value(target, ind, lang)),
        font=dict(size=14, color=TARGET_COLOUR),
    )
    return dict(shapes=[hline(target, dict(color=TARGET_COLOUR, dash="dash", width=2))], annotations=[note])


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
    hover_x = t("compare.chart.hover_month", lang)
    traces = []
    for i, group in enumerate(groups):
        traces += _group_traces(data, "months_since_start", group, i, ind, lang, hover_x)
    marks = _annual_target_line(data, ind, lang)
    start = dict(color="#222222", width=2)
    if groups:  # the start line on both plots; like add_vline, none on a plot without traces
        marks["shapes"] += [vline(0, start), vline(0, start, xaxis="x2", yaxis="y2")]
    marks["annotations"].append(  # at the foot of the line: the target's label sits high, at its own line
        dict(
            x=0,
            xref="x",
            y=0,
            yref="y domain",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            text=" " + t("compare.chart.start", lang),
            font=dict(size=14),
        )
    )
    return go.Figure(
        data=traces + _units_bars(data, "months_since_start", groups, lang),
        layout=merged(
            _two_line_layout(ind.short_name.get(lang), subtitle or t("compare.chart.aligned_title", lang), lang),
            marks,
            dict(bargap=0.15, barmode="group"),
            _two_row_axes(ind, lang, t("compare.chart.axis_months_since", lang)),
            dict(xaxis2=dict(dtick=6)),
        ),
    )


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
    traces = []
    for i, group in enumerate(groups):
        traces += _group_traces(data, "x", group, i, ind, lang, "%{x|%Y-%m}")
    months: dict[str, Any] = {}
    if len(data):  # month names in the reader's language, every six months, on both x axes
        first, last = data["x"].min(), data["x"].max()
        ticks = [
            d
            for d in pd.date_range(first - pd.offsets.MonthBegin(12), last, freq="MS")
            if d.month in (1, 7) and d >= first - pd.offsets.MonthBegin(1)
        ]
        labels = [f"{month_name(d.month, lang, short=True)} {d.year}" for d in ticks]
        months = {axis: dict(tickvals=ticks, ticktext=labels) for axis in ("xaxis", "xaxis2")}
    marks = {key: value for key, value in _annual_target_line(data, ind, lang).items() if value}
    return go.Figure(
        data=traces + _units_bars(data, "x", groups, lang),
        layout=merged(
            _two_line_layout(ind.short_name.get(lang), subtitle or t("compare.chart.calendar_title", lang), lang),
            marks,
            dict(barmode="group"),
            months,
            _two_row_axes(ind, lang, t("compare.chart.axis_month", lang)),
        ),
    )


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
    traces: list[dict[str, Any]] = []
    if len(data):
        rate = float(data["district_rate_pct"].iloc[0])
        for col, dash, key in (
            ("upper998", "dot", "compare.chart.limit998"),
            ("lower998", "dot", None),
            ("upper95", "dash", "compare.chart.limit95"),
            ("lower95", "dash", None),
        ):
            traces.append(
                dict(
                    type="scatter",
                    x=curve["n"],
                    y=curve[col],
                    mode="lines",
                    line=dict(color="#555555", dash=dash, width=1.5, shape="hv"),
                    name=t(key, lang) if key else None,
                    showlegend=key is not None,
                    legendgroup=col[-3:],
                    hoverinfo="skip",
                )
            )
        traces.append(
            dict(
                type="scatter",
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
            traces.append(
                dict(
                    type="scatter",
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
        traces.append(
            dict(
                type="scatter",
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
    own = dict(
        margin=dict(t=70, r=10, b=10),
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", font=dict(size=15)),
        xaxis=dict(title=dict(text=t("compare.chart.axis_denominator", lang)), rangemode="tozero"),
        yaxis=dict(title=dict(text=t("compare.chart.axis_coverage_to_date", lang))),
    )
    return go.Figure(data=traces, layout=merged(layout(title, lang, height=600), own))


def _equal_axes(lons: list[float], lats: list[float], lang: str) -> dict[str, Any]:
    """Longitude/latitude axes at the same scale (near the equator one degree is about the same
    distance both ways), padded, no grid clutter."""
    ranges: dict[str, Any] = {}
    if lons:
        pad_x = max(0.05, (max(lons) - min(lons)) * 0.12)
        pad_y = max(0.05, (max(lats) - min(lats)) * 0.12)
        ranges = dict(
            xaxis=dict(range=[min(lons) - pad_x, max(lons) + pad_x]),
            yaxis=dict(range=[min(lats) - pad_y, max(lats) + pad_y]),
        )
    axes = dict(
        xaxis=dict(title=dict(text=t("compare.map.lon", lang)), showgrid=False, zeroline=False, ticksuffix="°"),
        yaxis=dict(
            title=dict(text=t("compare.map.lat", lang)),
            showgrid=False,
            zeroline=False,
            ticksuffix="°",
            scaleanchor="x",
            scaleratio=1,
        ),
    )
    return merged(ranges, axes)


def points_map(
    points: pd.DataFrame, code: str, *, area: str, period: str, lang: str, catalogue: Catalogue | None = None
) -> go.Figure:
    """Puskesmas as points at their registry coordinates, coloured by status (one legend entry per
    status, the status also in the hover), sized by target population (area ∝ sasaran)."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = points.dropna(subset=["latitude", "longitude"])
    biggest = float(data["denominator"].max()) if len(data) and data["denominator"].notna().any() else 1.0
    traces: list[dict[str, Any]] = []
    for status in ("tercapai", "mendekati", "di_bawah", "tidak_ada_data"):
        part = data[data["status"] == status]
        if part.empty:
            continue
        size = 14 + 36 * np.sqrt(part["denominator"].fillna(0).to_numpy(float) / biggest)
        name = cat.status.label(status, ind.polarity).get(lang)  # "Di atas batas" for a rate above its ceiling
        traces.append(
            dict(
                type="scatter",
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
    axes = _equal_axes(data["longitude"].tolist(), data["latitude"].tolist(), lang)
    return go.Figure(data=traces, layout=merged(layout(title, lang, height=640), dict(margin=dict(t=110)), axes))


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
    traces: list[dict[str, Any]] = [
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            fillcolor=colour,
            line=dict(color="#FFFFFF", width=1),
            name=legend,
            hoverinfo="skip",
        )
        for legend, (colour, xs, ys) in groups.items()
    ]
    traces.append(
        dict(
            type="scatter",
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
    axes = _equal_axes(lons, lats, lang)
    return go.Figure(data=traces, layout=merged(layout(title, lang, height=640), dict(margin=dict(t=110)), axes))


def fmt_change(value: float | None, lang: str) -> str:
    """A change in percentage points with its sign: `+6,3` / `−1,4`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt_num(None, lang)
    rounded = round(float(value), 1)
    text = fmt_num(abs(rounded), lang, 1)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "") + text


def period_text(year: int, month: int, lang: str) -> str:
    return f"{month_name(1, lang, short=True)}–{month_name(month, lang, short=True)} {year}"
