"""Plotly figures built from coverage frames: pure functions, reused by the pages and the exports.

Conventions (issue 4 §7): titles state indicator, area and period; axes say their unit; the target
line is drawn and labelled; status colours are the catalogue's (Okabe–Ito, colour-blind safe) and
every status is also written as text; numbers are formatted the Indonesian way in Bahasa
Indonesia (`1.234`, `85,3 %`); month names follow the language. Fonts are sized for a projector.

Each figure is built in one go from plain dicts: `go.Figure(data=[...], layout={...})` validates every
property once. Plotly's incremental calls (`add_trace`, `update_layout`, `update_xaxes`, `add_hline`)
re-validate and merge on every call and cost tens of milliseconds a figure; `layout` and `merged` give
the same result as those calls in plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ilp_metrics.catalogue import Catalogue, Indicator, load_catalogue
from ilp_metrics.core.formatting import fmt_int, fmt_num, fmt_pct, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.figures import projector

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=16, color="#222222")
TITLE_SIZE = 20
TARGET_COLOUR = "#333333"
LINE_COLOUR = "#0072B2"  # Okabe–Ito blue: the figure of interest
COMPARE_COLOUR = "#999999"
YEAR_COLOURS = ("#CCCCCC", "#A6CEE3", "#56B4E9", "#0072B2", "#003F6B")


def fmt_value(value: float | None, ind: Indicator, lang: str, decimals: int = 1) -> str:
    """A coverage value in the indicator's unit: `85,3 %` or `12,4 per 1.000`."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return fmt_num(None, lang)
    if ind.unit == "percent":
        return fmt_pct(value, lang, decimals)
    return f"{fmt_num(value, lang, decimals)} {t('unit.' + ind.unit, lang)}"


def axis_title(ind: Indicator, lang: str) -> str:
    """`Cakupan (%)` for a coverage; a lower-is-better figure is no coverage: `Prevalensi (%)` for a
    percentage (stunting, anaemia), `Angka per 100.000` for a rate (dengue incidence)."""
    unit = t("unit." + ind.unit, lang)
    if ind.higher_is_better:
        return t("chart.axis.coverage_unit", lang, unit=unit)
    return t("chart.axis.prevalence" if ind.unit == "percent" else "chart.axis.rate", lang, unit=unit)


def status_label(cat: Catalogue, code: str, ind: Indicator, lang: str) -> str:
    """The status's name for this indicator's polarity ("Di atas batas" for a rate above its ceiling)."""
    return cat.status.label(code, ind.polarity).get(lang)


def target_name(ind: Indicator, lang: str) -> str:
    """The target line's name: a floor ("Target") or, lower being better, a ceiling ("Batas atas")."""
    return t("chart.target_line" if ind.higher_is_better else "chart.ceiling_line", lang)


X_AXIS: dict[str, Any] = dict(showline=True, linecolor="#888888", gridcolor="#EEEEEE", automargin=True)
Y_AXIS: dict[str, Any] = dict(X_AXIS, zeroline=False)


def merged(base: Mapping[str, Any], *updates: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with each of `updates` applied in turn, the way Plotly's `update_layout` applies them: nested
    dicts merged key by key, any other value (None too) replacing what was there, except an equal number,
    which leaves the first (1 after 1.0 stays 1.0). A new dict; the arguments are left as they are."""
    out = dict(base)
    for update in updates:
        for key, value in update.items():
            old = out.get(key)
            if isinstance(old, Mapping) and isinstance(value, Mapping):
                out[key] = merged(old, value)
            elif not (isinstance(old, float | int) and isinstance(value, float | int) and old == value):
                out[key] = value
    return out


def layout(
    title: str,
    lang: str,
    height: int = 460,
    *,
    x_axes: tuple[str, ...] = ("xaxis",),
    y_axes: tuple[str, ...] = ("yaxis",),
) -> dict[str, Any]:
    """The layout every chart shares, as a plain dict to merge the chart's own settings into (`merged`):
    title top left, projector-size fonts, the legend above the plot on the right, Indonesian or English
    number separators, light axis lines on every axis named in `x_axes` and `y_axes`."""
    base: dict[str, Any] = dict(
        title=dict(text=title, font=dict(size=TITLE_SIZE), x=0, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=10, r=30, t=70, b=10),
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, font=dict(size=14)),
        separators=",." if lang == "id" else ".,",
        hoverlabel=dict(font=dict(size=15)),
    )
    return base | {name: dict(X_AXIS) for name in x_axes} | {name: dict(Y_AXIS) for name in y_axes}


def hline(y: float, line: dict[str, Any], xaxis: str = "x", yaxis: str = "y") -> dict[str, Any]:
    """A horizontal line across the plot at `y` (what `fig.add_hline` adds)."""
    return dict(type="line", x0=0, x1=1, xref=f"{xaxis} domain", y0=y, y1=y, yref=yaxis, line=line)


def vline(x: Any, line: dict[str, Any], xaxis: str = "x", yaxis: str = "y") -> dict[str, Any]:
    """A vertical line from the plot's foot to its top at `x` (what `fig.add_vline` adds)."""
    return dict(type="line", x0=x, x1=x, xref=xaxis, y0=0, y1=1, yref=f"{yaxis} domain", line=line)


def pws_curve(
    frame: pd.DataFrame,
    code: str,
    *,
    area: str,
    lang: str,
    catalogue: Catalogue | None = None,
    projection: bool = True,
    compact: bool = False,
) -> go.Figure:
    """Cumulative coverage month by month for one unit against the straight target line (PWS).

    `compact` (charts two to a row): the title on two lines, indicator first, so nothing is cut off."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = frame[frame["indicator"] == code].sort_values("month")
    months = [month_name(m, lang, short=True) for m in data["month"]]
    year = int(data["year"].iloc[0]) if len(data) else 0
    traces: list[dict[str, Any]] = []
    # Target line to December, so that the gap to the year's target is visible.
    if len(data):
        target = float(data["annual_target"].iloc[-1])
        all_months = list(range(1, 13))
        cumulative = ind.accumulation == "cumulative"
        line = [target * m / 12 if cumulative else target for m in all_months]
        traces.append(
            dict(
                type="scatter",
                x=[month_name(m, lang, short=True) for m in all_months],
                y=line,
                mode="lines",
                name=target_name(ind, lang),
                line=dict(color=TARGET_COLOUR, dash="dash", width=2),
                hovertemplate="%{x}: %{y:.1f}<extra>" + target_name(ind, lang) + "</extra>",
            )
        )
    values = data["coverage"].astype(float)
    traces.append(
        dict(
            type="scatter",
            x=months,
            y=values,
            mode="lines+markers+text",
            name=t("chart.achieved", lang),
            line=dict(color=LINE_COLOUR, width=4),
            marker=dict(size=9),
            text=[fmt_value(v, ind, lang, 0) if i == len(values) - 1 else "" for i, v in enumerate(values)],
            textposition="top left",
            textfont=dict(size=18, color=LINE_COLOUR),
            customdata=[
                [fmt_value(v, ind, lang), fmt_int(n, lang), fmt_int(d, lang)]
                for v, n, d in zip(values, data["numerator"], data["denominator"])
            ],
            hovertemplate="%{x}: %{customdata[0]} (%{customdata[1]} / %{customdata[2]})<extra></extra>",
        )
    )
    if projection and len(data) and pd.notna(data["projected_coverage"].iloc[-1]) and int(data["month"].iloc[-1]) < 12:
        last = data.iloc[-1]
        traces.append(
            dict(
                type="scatter",
                x=[month_name(int(last["month"]), lang, short=True), month_name(12, lang, short=True)],
                y=[float(last["coverage"]), float(last["projected_coverage"])],
                mode="lines+text",
                name=t("chart.projection", lang),
                line=dict(color=LINE_COLOUR, dash="dot", width=2),
                text=["", fmt_value(float(last["projected_coverage"]), ind, lang, 0)],
                textposition="top left",
                hovertemplate="%{x}: %{y:.1f}<extra>" + t("chart.projection", lang) + "</extra>",
            )
        )
    through = int(data["month"].iloc[-1]) if len(data) else 12
    title = t(
        "chart.pws_title",
        lang,
        indicator=ind.short_name.get(lang),
        area=area,
        period=f"{month_name(1, lang, short=True)}–{month_name(through, lang, short=True)} {year}",
    )
    return go.Figure(
        data=traces,
        layout=merged(
            layout(two_line_title(title) if compact else title, lang),
            COMPACT_LAYOUT if compact else {},
            _months_axes(ind, lang),
        ),
    )


# Charts two to a row: one height, so side by side their plots line up; the title's area and period on a
# second, smaller line, and room above the plot for a legend that wraps to two rows (the title's own line
# stays clear of it).
COMPACT_LAYOUT: dict[str, Any] = dict(height=460, margin=dict(t=115), legend=dict(y=1.02))


def two_line_title(title: str) -> str:
    """`Indicator — area, period` as the indicator over a smaller `area, period`: half a row's width holds
    it without cutting the year off."""
    return title.replace(" — ", "<br><sup>", 1) + "</sup>" if " — " in title else title


def _months_axes(ind: Indicator, lang: str) -> dict[str, Any]:
    """January to December along the bottom, the indicator's unit up the side from zero."""
    return dict(
        yaxis=dict(title=dict(text=axis_title(ind, lang)), rangemode="tozero"),
        xaxis=dict(categoryorder="array", categoryarray=[month_name(m, lang, short=True) for m in range(1, 13)]),
    )


def ranking_bar(
    snap: pd.DataFrame,
    code: str,
    *,
    area: str,
    period: str,
    lang: str,
    catalogue: Catalogue | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """One bar per unit, sorted, coloured by status (with the status in the label), target marked."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = snap[snap["indicator"] == code].copy()
    data["sort"] = data["coverage"].fillna(-1)
    data = data.sort_values("sort", ascending=ind.higher_is_better is False)
    colours = [cat.status.colour(s) for s in data["status"]]
    if highlight is not None:
        colours = [c if u == highlight else c + "88" for c, u in zip(colours, data["unit_code"])]
    labels = [
        f"{fmt_value(v, ind, lang)} · {status_label(cat, s, ind, lang)}"
        for v, s in zip(data["coverage"], data["status"])
    ]
    bars = dict(
        type="bar",
        y=data["unit_name"],
        x=data["coverage"].fillna(0),
        orientation="h",
        marker=dict(color=colours),
        text=labels,
        textposition="outside",
        cliponaxis=False,
        textfont=dict(size=14),
        customdata=[
            [fmt_int(n, lang), fmt_int(d, lang), fmt_int(g, lang)]
            for n, d, g in zip(data["numerator"], data["denominator"], data["gap"])
        ],
        hovertemplate="%{y}: %{text}<br>" + t("chart.hover_counts", lang) + "<extra></extra>",
        showlegend=False,
    )
    marks: dict[str, Any] = {}
    if len(data):
        target = float(data["target_to_date"].iloc[0])
        marks["shapes"] = [vline(target, dict(color=TARGET_COLOUR, dash="dash", width=2))]
        marks["annotations"] = [
            dict(
                x=target,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=t(
                    "chart.target_at" if ind.higher_is_better else "chart.ceiling_at",
                    lang,
                    value=fmt_value(target, ind, lang),
                ),
                font=dict(size=14, color=TARGET_COLOUR),
            )
        ]
    title = t("chart.ranking_title", lang, indicator=ind.short_name.get(lang), area=area, period=period)
    top = max(
        [float(v) for v in data["coverage"].dropna()] + [float(data["target_to_date"].max() if len(data) else 100)]
    )
    axes = dict(
        xaxis=dict(title=dict(text=axis_title(ind, lang)), range=[0, top * 1.35 if top > 0 else 1]),
        yaxis=dict(categoryorder="array", categoryarray=list(data["unit_name"])),
    )
    return go.Figure(
        data=[bars], layout=merged(layout(title, lang, height=max(360, 34 * len(data) + 140)), marks, axes)
    )


STATUS_ORDER = ("di_bawah", "mendekati", "tercapai", "tidak_ada_data")


def status_heatmap(
    snap: pd.DataFrame, codes: list[str], *, title: str, lang: str, catalogue: Catalogue | None = None
) -> go.Figure:
    """Units × indicators table of traffic lights, the value written in each cell."""
    cat = catalogue or load_catalogue()
    data = snap[snap["indicator"].isin(codes)]
    units = data.drop_duplicates("unit_code").sort_values("unit_name")
    names = [cat.indicator(c).short_name.get(lang) for c in codes]
    cells = {
        (u, c): (s, v) for u, c, s, v in zip(data["unit_code"], data["indicator"], data["status"], data["coverage"])
    }
    z, text, hover = [], [], []
    for unit in units["unit_code"]:
        row_z, row_t, row_h = [], [], []
        for code in codes:
            status, value = cells.get((unit, code), ("tidak_ada_data", None))
            row_z.append(STATUS_ORDER.index(status))
            row_t.append(fmt_value(value, cat.indicator(code), lang, 0))
            row_h.append(status_label(cat, status, cat.indicator(code), lang))
        z.append(row_z)
        text.append(row_t)
        hover.append(row_h)
    n = len(STATUS_ORDER)
    scale = []
    for i, code in enumerate(STATUS_ORDER):
        scale += [[i / n, cat.status.colour(code)], [(i + 1) / n, cat.status.colour(code)]]
    cells_trace = dict(
        type="heatmap",
        z=z,
        x=names,
        y=list(units["unit_name"]),
        text=text,
        texttemplate="%{text}",
        customdata=hover,
        textfont=dict(size=14, color="black"),
        colorscale=scale,
        zmin=-0.5,
        zmax=n - 0.5,
        showscale=False,
        xgap=3,
        ygap=3,
        hovertemplate="%{y} · %{x}: %{text} (%{customdata})<extra></extra>",
    )
    axes = dict(
        xaxis=dict(side="bottom", tickangle=-35, showgrid=False, showline=False),
        yaxis=dict(autorange="reversed", showgrid=False, showline=False),
    )
    return go.Figure(
        data=[cells_trace], layout=merged(layout(title, lang, height=max(360, 34 * len(units) + 200)), axes)
    )


def year_curves(
    frames: pd.DataFrame,
    code: str,
    *,
    area: str,
    lang: str,
    start_year: int | None = None,
    catalogue: Catalogue | None = None,
    year_labels: dict[int, str] | None = None,
) -> go.Figure:
    """Cumulative curves of several years overlaid (Jan–Dec), the latest year strongest: the trend
    since the ILP start read the PWS way. `year_labels` names each year's curve (e.g. `2024 · ILP 14/14`,
    metrics.starts.year_label); without it, years from `start_year` on read `· ILP`."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = frames[frames["indicator"] == code]
    years = sorted(data["year"].unique())
    traces: list[dict[str, Any]] = []
    for i, year in enumerate(years):
        part = data[data["year"] == year].sort_values("month")
        colour = YEAR_COLOURS[max(0, len(YEAR_COLOURS) - len(years) + i)]
        label = (year_labels or {}).get(int(year)) or (
            str(year) + (" · ILP" if start_year is not None and year >= start_year else "")
        )
        traces.append(
            dict(
                type="scatter",
                x=[month_name(m, lang, short=True) for m in part["month"]],
                y=part["coverage"],
                mode="lines+markers",
                name=label,
                line=dict(color=colour, width=4 if year == years[-1] else 2),
                hovertemplate="%{x} " + str(year) + ": %{y:.1f}<extra></extra>",
            )
        )
    if len(data):
        target = float(data[data["year"] == years[-1]]["annual_target"].iloc[0])
        cumulative = ind.accumulation == "cumulative"
        traces.append(
            dict(
                type="scatter",
                x=[month_name(m, lang, short=True) for m in range(1, 13)],
                y=[target * m / 12 if cumulative else target for m in range(1, 13)],
                mode="lines",
                name=target_name(ind, lang),
                line=dict(color=TARGET_COLOUR, dash="dash", width=2),
            )
        )
    title = t(
        "chart.years_title",
        lang,
        indicator=ind.short_name.get(lang),
        area=area,
        years=f"{years[0]}–{years[-1]}" if years else "",
    )
    return go.Figure(data=traces, layout=merged(layout(title, lang), _months_axes(ind, lang)))


def monthly_bars(
    frame: pd.DataFrame,
    code: str,
    *,
    area: str,
    lang: str,
    catalogue: Catalogue | None = None,
    compact: bool = False,
) -> go.Figure:
    """What each month added (bars, people or events) and the cumulative coverage (line, right axis).

    `compact` (charts two to a row): the title on two lines, as pws_curve's."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = frame[frame["indicator"] == code].sort_values("month")
    months = [month_name(m, lang, short=True) for m in data["month"]]
    added = dict(
        type="bar",
        x=months,
        y=data["numerator_month"],
        name=t("chart.added_in_month", lang),
        marker=dict(color="#A6CEE3"),
        text=[fmt_int(v, lang) for v in data["numerator_month"]],
        textposition="outside",
        cliponaxis=False,
    )
    achieved = dict(
        type="scatter",
        x=months,
        y=pd.to_numeric(data["coverage"], errors="coerce").astype(float),  # numbers, never a category axis
        name=t("chart.achieved", lang),
        yaxis="y2",
        mode="lines+markers",
        line=dict(color=LINE_COLOUR, width=3),
    )
    year = int(data["year"].iloc[0]) if len(data) else 0
    title = t("chart.monthly_title", lang, indicator=ind.short_name.get(lang), area=area, year=year)
    axes = dict(
        yaxis=dict(title=dict(text=t("chart.axis.count", lang)), rangemode="tozero"),
        yaxis2=dict(
            title=dict(text=axis_title(ind, lang)),
            overlaying="y",
            side="right",
            rangemode="tozero",
            showgrid=False,
            type="linear",
            tickmode="linear",
            tick0=0,
            dtick=round_step(pd.to_numeric(data["coverage"], errors="coerce").max()),
        ),
    )
    head = layout(two_line_title(title) if compact else title, lang, height=400)  # on a row of its own
    return go.Figure(data=[added, achieved], layout=merged(head, COMPACT_LAYOUT if compact else {}, axes))


def round_step(top: Any, ticks: int = 5) -> int:
    """A whole tick step (1, 2, 5, 10, 20, 25, 50 …) giving about `ticks` ticks from 0 to `top`: the right
    axis reads 0, 10, 20, 30, never 28,28 or 32,99."""
    value = float(top) if top is not None and top == top else 0.0
    raw = max(value / ticks, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw and (m * magnitude) % 1 == 0))


# A bar's value label is this many times its font size tall; it keeps this many pixels clear of the target line.
LABEL_HEIGHT = 1.4
LABEL_CLEARANCE_PX = 6


def lifted_labels(
    values: list[float | None], target: float | None, *, span: float, plot_px: float, font_px: float
) -> list[float | None]:
    """Where each bar's value label must stand so that it never touches the target line: None when the label
    sits on its bar end as usual, otherwise the height just above the line (a bar ending below the line, or at
    it, whose label would cross it). `span` is the y axis range in data units, `plot_px` the plot's height in
    pixels (an underestimate lifts more labels, never fewer than needed), `font_px` the label's font size."""
    if target is None or span <= 0 or plot_px <= 0:
        return [None for _ in values]
    per_px = span / plot_px
    label, clear = LABEL_HEIGHT * font_px * per_px, LABEL_CLEARANCE_PX * per_px
    return [target + clear if v is not None and v - clear <= target <= v + label + clear else None for v in values]


def pws_bars(
    table: pd.DataFrame,
    code: str,
    *,
    area: str,
    period: str,
    lang: str,
    catalogue: Catalogue | None = None,
    highlight: str | None = None,
    slide: bool = False,
) -> go.Figure:
    """The classic PWS chart: one bar per desa of cumulative coverage to date, sorted (best first; lowest
    first when lower is better), coloured by status with the value written on each bar, and the target line
    at the target to date (annual target × month / 12 for cumulative indicators).

    `table` is a PWS table (metrics.desa.pws_table); `highlight` a desa code drawn full, the others paler
    (the desa page); `slide` sets projector-size type (figures.slides.pws_slide)."""
    cat = catalogue or load_catalogue()
    ind = cat.indicator(code)
    data = table.assign(_sort=table["coverage"].astype(float).fillna(-1.0))
    data = data.sort_values("_sort", ascending=not ind.higher_is_better, kind="stable")
    colours = [cat.status.colour(s) for s in data["status"]]
    if highlight is not None:
        colours = [c if u == highlight else c + "66" for c, u in zip(colours, data["unit_code"])]
    values = [None if pd.isna(v) else float(v) for v in data["coverage"]]
    big = 22 if slide else 14
    height = 560 if slide else 460
    targets = data["target_to_date"].dropna()
    target = float(targets.iloc[0]) if len(targets) else None
    top = max([v for v in values if v is not None] + [target or 0.0, 1.0])
    # About half the figure is plot (title, legend and slanted desa names take the rest); projector mode
    # raises the labels to MIN_FONT_PX (figures.projector), so the larger size is assumed.
    lifts = lifted_labels(values, target, span=top * 1.2, plot_px=0.5 * height, font_px=max(big, projector.MIN_FONT_PX))
    texts = [fmt_value(v, ind, lang, 0) for v in values]
    traces: list[dict[str, Any]] = [
        dict(
            type="bar",
            x=list(data["unit_name"]),
            y=[0.0 if v is None else v for v in values],
            marker=dict(color=colours),
            text=texts,
            textposition=["none" if lift is not None else "outside" for lift in lifts],
            cliponaxis=False,
            textfont=dict(size=big),
            customdata=[
                [status_label(cat, s, ind, lang), fmt_int(n, lang), fmt_int(d, lang)]
                for s, n, d in zip(data["status"], data["cumulative"], data["sasaran"])
            ],
            hovertemplate="%{x}: %{text} · %{customdata[0]} (%{customdata[1]} / %{customdata[2]})<extra></extra>",
            showlegend=False,
        )
    ]
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if target is not None:
        shapes.append(hline(target, dict(color=TARGET_COLOUR, dash="dash", width=3 if slide else 2)))
        # Named above the plot, left (the status legend is on the right): on the line it would sit over the
        # bars and their values.
        notes.append(
            dict(
                x=0.0,
                xref="paper",
                xanchor="left",
                y=1.0,
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text="- - - "
                + t(
                    "chart.target_at" if ind.higher_is_better else "chart.ceiling_at",
                    lang,
                    value=fmt_value(target, ind, lang),
                ),
                font=dict(size=big, color=TARGET_COLOUR),
            )
        )
    notes += [  # the value just above the target line, over its own bar
        dict(x=name, y=lift, yanchor="bottom", showarrow=False, text=text, font=dict(size=big, color=FONT["color"]))
        for name, text, lift in zip(data["unit_name"], texts, lifts)
        if lift is not None
    ]
    # Every status present, named for the indicator's polarity: colour is never the only signal.
    traces += [
        dict(
            type="bar",
            x=[None],
            y=[None],
            marker=dict(color=cat.status.colour(status)),
            name=status_label(cat, status, ind, lang),
            showlegend=True,
        )
        for status in [s for s in STATUS_ORDER if s in set(data["status"])]
    ]
    title = t("pws.chart_title", lang, indicator=ind.short_name.get(lang), area=area, period=period)
    own = dict(
        yaxis=dict(title=dict(text=axis_title(ind, lang)), range=[0, top * 1.2]),
        xaxis=dict(categoryorder="array", categoryarray=list(data["unit_name"]), tickangle=-35 if len(data) > 6 else 0),
        bargap=0.25,
    )
    big_type = dict(
        font=dict(FONT, size=20),
        title=dict(font=dict(size=24)),
        xaxis=dict(tickfont=dict(size=18)),
        yaxis=dict(tickfont=dict(size=18), title=dict(font=dict(size=20))),
    )
    marks = ({"shapes": shapes} if shapes else {}) | ({"annotations": notes} if notes else {})
    return go.Figure(
        data=traces, layout=merged(layout(title, lang, height=height), marks, own, big_type if slide else {})
    )
