"""The presentation deck as data: slides with a title, one message, big numbers, chart data and
speaker notes, in the chosen language, computed once from `Facts` and rendered three ways (the
Streamlit "Presentasi" page, PPTX, and the PDF report's overview).

A slide is one builder function in `SLIDE_BUILDERS`; a builder returns a list of slides (empty when
its figures do not exist, e.g. no comparison groups), so adding a slide is adding one function.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ilp_metrics.catalogue import STATUS_CODES
from ilp_metrics.core.formatting import fmt_date, fmt_datetime, fmt_int, fmt_num, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.export.facts import Facts
from ilp_metrics.export.flags import footnote_lines, marked, reasons_text
from ilp_metrics.export.privacy import count_text
from ilp_metrics.figures.charts import LINE_COLOUR, axis_title, fmt_value, status_label
from ilp_metrics.metrics.desa import pws_table, unit_table
from ilp_metrics.metrics.starts import start_text
from ilp_metrics.security.scope import Principal

COHORT_COLOURS = {"pilot": "#0072B2", "adopter": "#E69F00"}  # Okabe–Ito blue and orange


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    colour: str
    point_colours: tuple[str, ...] | None = None  # per category (status colours)
    labels: tuple[str, ...] | None = None  # the value as the reader should see it, per category


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, independent of the renderer: Plotly on the page, a native PPTX chart."""

    kind: str  # "bar" (horizontal bars, first category on top) | "line"
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_axis: str
    category_axis: str = ""
    reference: float | None = None  # a target line across the chart (e.g. 100 = on target)
    reference_label: str = ""
    value_max: float | None = None
    status_legend: tuple[tuple[str, str], ...] = ()  # (status name, colour) when bars are coloured by status
    category_marker: str | None = None  # a category marked by a vertical line (e.g. month 0 = ILP start)
    category_marker_label: str = ""
    # kind "pws": the classic PWS chart (vertical bars in the order of `categories`, the target line at
    # `reference`), drawn from `table` (metrics.desa.pws_table) by charts.pws_bars on the page and in the PDF
    indicator: str = ""
    table: pd.DataFrame | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class BigNumber:
    value: str
    label: str
    colour: str | None = None


@dataclass(frozen=True)
class Slide:
    key: str  # stable id: cover, status, spm, cluster-2, compare, watch, closing
    title: str
    message: str
    numbers: tuple[BigNumber, ...] = ()
    chart: ChartData | None = None
    bullets: tuple[str, ...] = ()
    notes: str = ""
    flag_note: str = ""  # when a figure shown carries ⚠: what the marker means (small, beside the footer)


@dataclass(frozen=True)
class Deck:
    area: str
    period: str
    lang: str
    public: bool
    footer: str
    slides: tuple[Slide, ...]

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.slides]


MonthlySource = Callable[[list[str], list[str]], pd.DataFrame]


@dataclass
class Context:
    facts: Facts
    public: bool
    con: duckdb.DuckDBPyConnection | None = None
    principal: Principal | None = None  # who asks: the comparison slide queries `con` within its scope
    extra: dict[str, object] = field(default_factory=dict)
    # compare.monthly_coverage(codes, units) as the caller keeps it: the comparison slide covers every
    # cohort of the database, whatever the kabupaten, so a cache of the app spares it on a filter change.
    monthly: MonthlySource | None = None

    @property
    def lang(self) -> str:
        return self.facts.lang

    def tr(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def count(self, n: object) -> str:
        return count_text(n, self.lang, self.public)

    def reasons(self, level: str, unit_code: str, indicator: str | None = None) -> list[str]:
        """Why a figure carries ⚠ (data-quality findings; check names only in a public showing)."""
        return self.facts.flag_reasons(level, unit_code, indicator, self.public)

    @property
    def month(self) -> str:
        return f"{month_name(self.facts.through, self.lang)} {self.facts.year}"

    def status(self, code: str) -> str:
        return self.facts.catalogue.status.level(code).name.get(self.lang)

    def colour(self, code: str) -> str:
        return self.facts.catalogue.status.colour(code)

    def legend(self, codes: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """The statuses present, in the catalogue's order: colour is never the only signal."""
        present = set(codes)
        return tuple((self.status(c), self.colour(c)) for c in STATUS_CODES if c in present)


def _missing(x: object) -> bool:
    return x is None or (not isinstance(x, str) and pd.isna(x))


# ------------------------------------------------------------------ slides


def cover(ctx: Context) -> list[Slide]:
    f = ctx.facts
    bullets = [ctx.tr("export.cover_sub", month=ctx.month, date=fmt_date(f.generated.date(), ctx.lang))]
    if ctx.public:
        bullets.append(ctx.tr("export.public_note"))
    return [
        Slide(
            "cover",
            ctx.tr("export.cover_title"),
            ctx.tr("export.cover_message", area=f.area, period=f.period()),
            bullets=tuple(bullets),
            notes=ctx.tr("export.cover_notes", area=f.area),
        )
    ]


def ilp_status(ctx: Context) -> list[Slide]:
    f = ctx.facts
    total = len(f.registry)
    index = fmt_num(f.readiness_district, ctx.lang)
    numbers = [
        BigNumber(
            ctx.tr("overview.ilp_puskesmas_value", n=fmt_int(f.running, ctx.lang), total=fmt_int(total, ctx.lang)),
            ctx.tr("export.status_running"),
        ),
        BigNumber(index, ctx.tr("export.status_readiness")),
    ]
    ready = f.readiness_puskesmas.sort_values("readiness_index", ascending=True, na_position="first")
    chart = None
    notes_extra = {"lowest": "–", "highest": "–"}
    if len(ready):
        values = tuple(None if pd.isna(v) else float(v) for v in ready["readiness_index"])
        chart = ChartData(
            kind="bar",
            title=ctx.tr("export.status_chart", month=ctx.month),
            categories=tuple(ready["unit_name"])[::-1],  # lowest at the bottom of the chart, read top-down
            series=(
                Series(
                    ctx.tr("export.status_readiness"),
                    values[::-1],
                    LINE_COLOUR,
                    labels=tuple(fmt_num(v, ctx.lang, 0) for v in values[::-1]),
                ),
            ),
            value_axis=ctx.tr("export.status_axis"),
            value_max=100,
        )
        known = ready.dropna(subset=["readiness_index"])
        if len(known):
            lo, hi = known.iloc[0], known.iloc[-1]
            notes_extra = {
                "lowest": f"{lo['unit_name']} {fmt_num(lo['readiness_index'], ctx.lang)}",
                "highest": f"{hi['unit_name']} {fmt_num(hi['readiness_index'], ctx.lang)}",
            }
    return [
        Slide(
            "status",
            ctx.tr("export.status_title", area=f.area),
            ctx.tr("export.status_message", n=fmt_int(f.running, ctx.lang), total=fmt_int(total, ctx.lang), index=index)
            + " "
            + ctx.tr("headline.status_starts", starts=start_text(f.starts, ctx.lang)),
            numbers=tuple(numbers),
            chart=chart,
            notes=ctx.tr("export.status_notes", **notes_extra),
        )
    ]


def _indicator_line(ctx: Context, r: pd.Series) -> str:
    ind = ctx.facts.catalogue.indicator(r["indicator"])
    key = "export.spm_notes_line" if not _missing(r["gap"]) else "export.notes_line_no_gap"
    return marked(
        ctx.tr(
            key,
            indicator=ind.short_name.get(ctx.lang),
            value=fmt_value(r["coverage"], ind, ctx.lang),
            target=fmt_value(r["target_to_date"], ind, ctx.lang),
            status=status_label(ctx.facts.catalogue, r["status"], ind, ctx.lang),
            served=ctx.count(r["numerator"]),
            sasaran=ctx.count(r["denominator"]),
            gap=ctx.count(r["gap"]),
        ),
        ctx.reasons("kabupaten", ctx.facts.regency, r["indicator"]),
    )


def _unit_flag_notes(ctx: Context, figures: list[tuple[str, list[str]]]) -> list[str]:
    """One notes line per marked unit (a puskesmas): its first reasons and how many more."""
    return [
        ctx.tr("exportflag.notes_line", figures=name, reason=reasons_text(why, ctx.lang))
        for name, why in figures
        if why
    ]


def _flag_notes(ctx: Context, figures: list[tuple[str, list[str]]], every: str | None = None) -> list[str]:
    """The speaker-notes lines giving the reason for each ⚠ on the slide (one per distinct reason)."""
    return footnote_lines(figures, ctx.lang, key="exportflag.notes_line", every=every)


def spm(ctx: Context) -> list[Slide]:
    f = ctx.facts
    cat = f.catalogue
    rows = (
        f.kab[f.kab["indicator"].isin(f.spm_codes)]
        .set_index("indicator")
        .reindex(f.spm_codes)
        .dropna(subset=["unit_code"])
        .reset_index()
    )
    if rows.empty:
        return []
    on_target = int((rows["status"] == "tercapai").sum())
    gap = rows["gap"].astype(float).sum()
    plain = [cat.indicator(c).short_name.get(ctx.lang) for c in rows["indicator"]]
    flagged = [(n, ctx.reasons("kabupaten", f.regency, c)) for n, c in zip(plain, rows["indicator"])]
    names = [marked(n, why) for n, why in flagged]
    inds = [cat.indicator(c) for c in rows["indicator"]]
    cov = [None if _missing(v) else float(v) for v in rows["coverage"]]
    tgt = [None if _missing(v) else float(v) for v in rows["target_to_date"]]
    same_target = len({v for v in tgt if v is not None}) == 1
    series = [
        Series(
            ctx.tr("export.coverage_series"),
            tuple(cov),
            LINE_COLOUR,
            point_colours=tuple(ctx.colour(s) for s in rows["status"]),
            labels=tuple(fmt_value(v, i, ctx.lang, 0) for v, i in zip(cov, inds)),
        )
    ]
    if not same_target:  # targets differ: each bar gets its own target bar
        series.append(
            Series(
                ctx.tr("export.target_series"),
                tuple(tgt),
                "#BBBBBB",
                labels=tuple(fmt_value(v, i, ctx.lang, 0) for v, i in zip(tgt, inds)),
            )
        )
    chart = ChartData(
        kind="bar",
        title=ctx.tr("export.spm_chart", area=f.area, period=f.period(short=True)),
        categories=tuple(names),
        series=tuple(series),
        value_axis=ctx.tr("export.coverage_axis"),
        reference=next(iter({v for v in tgt if v is not None})) if same_target else None,
        reference_label=ctx.tr("export.target_reached"),
        value_max=max([v for v in cov + tgt if v is not None] + [100]) * 1.1,
        status_legend=ctx.legend(rows["status"]),
    )
    worst = rows.assign(a=rows["achievement"].astype(float)).sort_values("a").iloc[0]
    wi = cat.indicator(worst["indicator"])
    message = ctx.tr(
        "export.spm_message",
        indicator=wi.short_name.get(ctx.lang),
        value=fmt_value(worst["coverage"], wi, ctx.lang),
        month=month_name(f.through, ctx.lang),
        target=fmt_value(worst["target_to_date"], wi, ctx.lang),
    )
    numbers = (
        BigNumber(f"{on_target} / {len(rows)}", ctx.tr("export.spm_on_target")),
        BigNumber(ctx.count(gap), ctx.tr("headline.services_gap_short")),
    )
    notes = "\n".join(
        [_indicator_line(ctx, r) for _, r in rows.iterrows()]
        + _flag_notes(ctx, flagged, every=ctx.tr("exportflag.all_spm"))
    )
    flag_note = ctx.tr("exportflag.spm_message") if any(why for _, why in flagged) else ""
    return [
        Slide(
            "spm", ctx.tr("export.spm_title"), message, numbers=numbers, chart=chart, notes=notes, flag_note=flag_note
        )
    ]


def farthest_spm(facts: Facts) -> str | None:
    """The SPM indicator farthest from its target to date in the kabupaten: the one the SPM slide's
    message names, and the one the PWS slide and the PDF's PWS page draw per puskesmas."""
    rows = facts.kab[facts.kab["indicator"].isin(facts.spm_codes)]
    rows = rows.assign(a=pd.to_numeric(rows["achievement"], errors="coerce")).dropna(subset=["a"])
    return None if rows.empty else str(rows.sort_values("a", kind="stable").iloc[0]["indicator"])


def pws_chart(facts: Facts, code: str) -> ChartData | None:
    """The classic PWS chart of one indicator per puskesmas of the kabupaten (metrics.desa's PWS rows of the
    puskesmas snapshot): bars sorted as charts.pws_bars sorts them, status colours, the target line."""
    cat, lang = facts.catalogue, facts.lang
    ind = cat.indicator(code)
    table = pws_table(unit_table(facts.puskesmas, code, facts.through, cat), cat)
    if table.empty or table["coverage"].isna().all():
        return None
    data = table.assign(_sort=table["coverage"].astype(float).fillna(-1.0))
    data = data.sort_values("_sort", ascending=not ind.higher_is_better, kind="stable").drop(columns="_sort")
    values = tuple(None if pd.isna(v) else float(v) for v in data["coverage"])
    targets = data["target_to_date"].dropna()
    target = float(targets.iloc[0]) if len(targets) else None
    present = set(data["status"])
    return ChartData(
        kind="pws",
        title=t(
            "export.pws_chart_title",
            lang,
            indicator=ind.short_name.get(lang),
            area=facts.area,
            period=facts.period(short=True),
        ),
        categories=tuple(str(n) for n in data["unit_name"]),
        series=(
            Series(
                t("export.coverage_series", lang),
                values,
                LINE_COLOUR,
                point_colours=tuple(cat.status.colour(s) for s in data["status"]),
                labels=tuple(fmt_value(v, ind, lang, 0) for v in values),
            ),
        ),
        value_axis=axis_title(ind, lang),
        reference=target,
        reference_label=t(
            "chart.target_at" if ind.higher_is_better else "chart.ceiling_at", lang, value=fmt_value(target, ind, lang)
        ),
        value_max=max([v for v in values if v is not None] + [target or 0.0, 1.0]) * 1.2,
        status_legend=tuple(
            (status_label(cat, c, ind, lang), cat.status.colour(c)) for c in STATUS_CODES if c in present
        ),
        indicator=code,
        table=data.reset_index(drop=True),
    )


def pws(ctx: Context) -> list[Slide]:
    """The PWS chart health staff know, per puskesmas, for the SPM farthest from its target."""
    f = ctx.facts
    code = farthest_spm(f)
    chart = None if code is None else pws_chart(f, code)
    if code is None or chart is None or chart.table is None:
        return []
    ind, table = f.catalogue.indicator(code), chart.table
    on = int((table["status"] == "tercapai").sum())
    behind = table[table["status"] != "tercapai"].dropna(subset=["coverage"])
    lowest = list(behind["unit_name"])[-2:][::-1]  # the last bars: farthest from the line
    message = ctx.tr(
        "export.pws_message" if lowest else "export.pws_message_all",
        on=on,
        n=len(table),
        target=fmt_value(chart.reference, ind, ctx.lang),
        month=month_name(f.through, ctx.lang),
        lowest=", ".join(lowest),
    )
    notes = [ctx.tr("export.pws_notes_intro", month=month_name(f.through, ctx.lang))] + [
        ctx.tr(
            "export.pws_note_line",
            name=r.unit_name,
            value=fmt_value(r.coverage, ind, ctx.lang),
            cumulative=ctx.count(r.cumulative),
            sasaran=ctx.count(r.sasaran),
            status=status_label(f.catalogue, r.status, ind, ctx.lang),
        )
        for r in table.itertuples()
    ]
    return [
        Slide(
            "pws",
            ctx.tr("export.pws_title", indicator=ind.short_name.get(ctx.lang)),
            message,
            numbers=(BigNumber(f"{on} / {len(table)}", ctx.tr("export.pws_on_target")),),
            chart=chart,
            notes="\n".join(notes),
        )
    ]


def clusters(ctx: Context) -> list[Slide]:
    f = ctx.facts
    cat = f.catalogue
    out = []
    for cluster in cat.clusters:
        codes = [i.code for i in cat.indicators_in_cluster(cluster.code)]
        rows = f.kab[f.kab["indicator"].isin(codes)].copy()
        title = ctx.tr("export.cluster_title", code=cluster.code, name=cluster.name.get(ctx.lang))
        summary = f.clusters[f.clusters["cluster"] == cluster.code]
        with_data = rows[rows["status"] != "tidak_ada_data"]
        if summary.empty or with_data.empty:
            out.append(
                Slide(
                    f"cluster-{cluster.code}",
                    title,
                    ctx.tr("export.cluster_no_data"),
                    notes=cluster.scope.get(ctx.lang),
                )
            )
            continue
        s = summary.iloc[0]
        rows["a"] = rows["achievement"].astype(float) * 100
        rows = rows.sort_values("a", ascending=False, na_position="last")
        inds = [cat.indicator(c) for c in rows["indicator"]]
        flagged = [(i.short_name.get(ctx.lang), ctx.reasons("kabupaten", f.regency, i.code)) for i in inds]
        values = tuple(None if _missing(v) else float(v) for v in rows["a"])
        chart = ChartData(
            kind="bar",
            title=ctx.tr("export.cluster_chart", month=ctx.month),
            categories=tuple(marked(n, why) for n, why in flagged),
            series=(
                Series(
                    ctx.tr("export.cluster_axis"),
                    values,
                    cluster.colour,
                    point_colours=tuple(ctx.colour(st) for st in rows["status"]),
                    labels=tuple(fmt_num(v, ctx.lang, 0) for v in values),
                ),
            ),
            value_axis=ctx.tr("export.cluster_axis"),
            reference=100.0,
            reference_label=ctx.tr("export.target_reached"),
            value_max=max([v for v in values if v is not None] + [100]) * 1.25,
            status_legend=ctx.legend(rows["status"]),
        )
        behind = with_data[with_data["status"] != "tercapai"]
        if behind.empty:
            message = ctx.tr("export.cluster_all_met")
        else:
            w = behind.assign(a=behind["achievement"].astype(float)).sort_values("a").iloc[0]
            wi = cat.indicator(w["indicator"])
            message = ctx.tr(
                "export.cluster_message",
                indicator=wi.short_name.get(ctx.lang),
                value=fmt_value(w["coverage"], wi, ctx.lang),
                target=fmt_value(w["target_to_date"], wi, ctx.lang),
            )
        numbers = (
            BigNumber(
                f"{int(s['tercapai'])} / {int(s['indicators'])}", ctx.tr("export.cluster_on_target"), cluster.colour
            ),
            BigNumber(fmt_num(s["composite"], ctx.lang, 0), ctx.tr("export.cluster_composite")),
        )
        notes = "\n".join(
            [ctx.tr("export.cluster_notes_intro")]
            + [_indicator_line(ctx, r) for _, r in rows.iterrows()]
            + _flag_notes(ctx, flagged)
        )
        flag_note = ctx.tr("exportflag.spm_message") if any(why for _, why in flagged) else ""
        out.append(
            Slide(
                f"cluster-{cluster.code}",
                title,
                message,
                numbers=numbers,
                chart=chart,
                notes=notes,
                flag_note=flag_note,
            )
        )
    return out


COMPARE_INDICATOR = "SPM01"  # the pilot-vs-adopter slide's indicator: antenatal care, reported everywhere
COMPARE_WINDOW = (-12, 24)  # months since the ILP start shown on the slide
COMPARE_MIN_UNITS = 3  # a month's median needs at least this many puskesmas (fewer: too noisy to show)
# The big numbers and the sentence: metrics.compare.change_summary, the page's and the CLI's definition
# (mean of unit means over the 12 months before and after each puskesmas's own start).


def pilot_vs_adopter(ctx: Context) -> list[Slide]:
    """Median monthly coverage per cohort over months since each puskesmas's own ILP start
    (`ilp_metrics.metrics.compare.aligned_series`), every cohort of the database (not only this kabupaten)."""
    if ctx.con is None or ctx.principal is None or importlib.util.find_spec("ilp_metrics.metrics.compare") is None:
        return []
    from ilp_metrics.figures.compare_words import change_sentence, group_name
    from ilp_metrics.metrics import compare  # issue 5

    names = {c.lower(): c for c in compare.cohorts(ctx.con, principal=ctx.principal)}
    if not {"pilot", "adopter"} <= set(names):
        return []
    groups = {g: compare.resolve_group(ctx.con, names[g], principal=ctx.principal) for g in ("pilot", "adopter")}
    # One monthly series for the curve and the big numbers (each would otherwise count it again).
    everyone = [u for members in groups.values() for u in members]
    if ctx.monthly is not None:
        monthly = ctx.monthly([COMPARE_INDICATOR], everyone)
    else:
        monthly = compare.monthly_coverage(
            ctx.con, [COMPARE_INDICATOR], everyone, catalogue=ctx.facts.catalogue, principal=ctx.principal
        )
    series = compare.aligned_series(
        ctx.con, COMPARE_INDICATOR, groups, catalogue=ctx.facts.catalogue, monthly=monthly, principal=ctx.principal
    )
    lo, hi = COMPARE_WINDOW
    series = series[
        (series["months_since_start"] >= lo)
        & (series["months_since_start"] <= hi)
        & (series["units"] >= COMPARE_MIN_UNITS)
    ]
    if series.empty:
        return []
    ind = ctx.facts.catalogue.indicator(COMPARE_INDICATOR)
    summary = compare.change_summary(
        compare.before_after(
            ctx.con, COMPARE_INDICATOR, groups, catalogue=ctx.facts.catalogue, monthly=monthly, principal=ctx.principal
        ),
        "pilot",
        "adopter",
    ).set_index("row")
    months = sorted(int(m) for m in series["months_since_start"].unique())
    lines, numbers, details = [], [], []
    for group, units in groups.items():
        part = series[series["group"] == group].set_index("months_since_start")
        if part.empty:
            continue
        word = group_name(group, ctx.lang)
        label = ctx.tr("export.compare_group", group=word[0].upper() + word[1:], n=len(units))
        lines.append(
            Series(
                label,
                tuple(float(part.loc[m, "median_coverage_pct"]) if m in part.index else None for m in months),
                COHORT_COLOURS[group],
            )
        )
        before = summary.loc[group, "before_mean_pct"]
        after = summary.loc[group, "after_mean_pct"]
        if pd.notna(before) and pd.notna(after):  # units with enough months on both sides of the start
            numbers.append(
                BigNumber(
                    f"{fmt_num(before, ctx.lang, 0)} → {fmt_num(after, ctx.lang, 0)}",
                    ctx.tr("export.compare_number", group=word, n=compare.WINDOW_MONTHS),
                    COHORT_COLOURS[group],
                )
            )
        details.append(
            ctx.tr(
                "export.compare_detail",
                group=label,
                before=fmt_num(before, ctx.lang),
                after=fmt_num(after, ctx.lang),
                last=int(part.index.max()),
                units=fmt_int(part["units"].iloc[-1], ctx.lang),
            )
        )
    if len(lines) < 2:
        return []
    name = ind.short_name.get(ctx.lang)
    chart = ChartData(
        kind="line",
        title=ctx.tr("export.compare_chart", indicator=name),
        categories=tuple(str(m) for m in months),
        series=tuple(lines),
        value_axis=ctx.tr("export.compare_axis_y"),
        category_axis=ctx.tr("export.compare_axis_x"),
        category_marker="0" if 0 in months else None,
        category_marker_label=ctx.tr("compare.chart.start"),
        value_max=max([100.0] + [v * 1.1 for line in lines for v in line.values if v is not None]),
    )
    return [
        Slide(
            "compare",
            ctx.tr("export.compare_title"),
            ctx.tr("export.compare_message", indicator=name),
            numbers=tuple(numbers),
            chart=chart,
            notes=change_sentence(summary.reset_index(), COMPARE_INDICATOR, "pilot", "adopter", ind, ctx.lang)
            + " "
            + ctx.tr("export.compare_notes", min_units=COMPARE_MIN_UNITS, detail=" ".join(details)),
        )
    ]


def puskesmas_to_watch(ctx: Context) -> list[Slide]:
    """The puskesmas to watch by the catalogue's rule (`figures.watch`, stated on the slide): by default the
    most SPM services not yet given (a sum of services, not people: the SPM target groups overlap)."""
    f = ctx.facts
    cat = f.catalogue
    five = f.watch()
    if five.empty:
        return []
    first = five.iloc[0]
    spm = f.puskesmas[f.puskesmas["indicator"].isin(f.spm_codes)]
    notes = []
    flagged = [
        (r.unit_name, ctx.facts.spm_flag_reasons("puskesmas", r.unit_code, ctx.public)) for r in five.itertuples()
    ]
    for r in five.itertuples():
        own = (
            spm[spm["unit_code"] == r.unit_code]
            .assign(g=lambda d: d["gap"].astype(float))
            .sort_values("g", ascending=False)
        )
        top = own.iloc[0] if len(own) else None
        notes.append(
            ctx.tr(
                "headline.watch_notes_line",
                name=r.unit_name,
                composite=fmt_num(r.composite, ctx.lang, 0),
                ok=r.on_target,
                n=len(f.spm_codes),
                gap=ctx.count(r.gap),
                worst=cat.indicator(top["indicator"]).short_name.get(ctx.lang) if top is not None else "–",
                worst_gap=ctx.count(top["gap"]) if top is not None else "–",
            )
        )
    by_gap = cat.figures.watch_rank_by == "gap"
    gaps = tuple(None if _missing(v) else float(v) for v in five["gap"])
    labels = tuple(
        ctx.tr("headline.watch_label", gap=ctx.count(g), value=fmt_num(v, ctx.lang, 0))
        for v, g in zip(five["composite"], five["gap"])
    )
    if by_gap:
        chart = ChartData(
            kind="bar",
            title=ctx.tr("headline.watch_chart", period=f.period(short=True)),
            categories=tuple(marked(n, why) for n, why in flagged),
            series=(Series(ctx.tr("headline.watch_axis"), gaps, "#D55E00", labels=labels),),
            value_axis=ctx.tr("headline.watch_axis"),
            value_max=max([v for v in gaps if v is not None] + [1.0]) * 1.45,
        )
        lead = BigNumber(
            str(first["unit_name"]), ctx.tr("headline.watch_first", gap=ctx.count(first["gap"])), "#D55E00"
        )
    else:
        chart = ChartData(
            kind="bar",
            title=ctx.tr("export.watch_chart", period=f.period(short=True)),
            categories=tuple(marked(n, why) for n, why in flagged),
            series=(
                Series(
                    ctx.tr("export.watch_series"),
                    tuple(float(v) for v in five["composite"]),
                    "#D55E00",
                    labels=labels,
                ),
            ),
            value_axis=ctx.tr("export.watch_axis"),
            reference=100.0,
            reference_label=ctx.tr("export.target_reached"),
            value_max=150,
        )
        lead = BigNumber(
            str(first["unit_name"]),
            ctx.tr("export.watch_lowest", value=fmt_num(first["composite"], ctx.lang, 0)),
            "#D55E00",
        )
    numbers = (
        lead,
        BigNumber(ctx.count(five["gap"].astype(float).sum()), ctx.tr("headline.watch_services")),
    )
    flag_note = ctx.tr("exportflag.watch_message") if any(why for _, why in flagged) else ""
    rule = cat.figures.watch_rule.get(ctx.lang) if cat.figures.watch_rule else ""
    return [
        Slide(
            "watch",
            ctx.tr("export.watch_title"),
            rule,
            numbers=numbers,
            chart=chart,
            notes="\n".join(notes + _unit_flag_notes(ctx, flagged)),
            flag_note=flag_note,
        )
    ]


def closing(ctx: Context) -> list[Slide]:
    f = ctx.facts
    order = ["layanan", "capaian", "sasaran", "kesiapan", "puskesmas", "desa"]
    bullets = []
    for kind in order:
        hit = f.uploads[f.uploads["kind"] == kind]
        if len(hit):
            r = hit.iloc[0]
            bullets.append(
                ctx.tr(
                    "export.closing_uploads",
                    kind=ctx.tr(f"export.kind.{kind}"),
                    files=fmt_int(r["files"], ctx.lang),
                    when=fmt_date(pd.Timestamp(r["last_upload"]).date(), ctx.lang),
                )
            )
    bullets.append(ctx.tr("export.closing_definitions"))
    if ctx.public:
        bullets.append(ctx.tr("export.public_note"))
    bullets.append(ctx.tr("export.closing_generated", date=fmt_datetime(f.generated, ctx.lang), month=ctx.month))
    return [
        Slide(
            "closing",
            ctx.tr("export.closing_title"),
            ctx.tr("export.closing_message"),
            bullets=tuple(bullets),
            notes=ctx.tr("export.closing_notes"),
        )
    ]


SlideBuilder = Callable[[Context], list[Slide]]
SLIDE_BUILDERS: list[SlideBuilder] = [
    cover,
    ilp_status,
    spm,
    pws,
    clusters,
    pilot_vs_adopter,
    puskesmas_to_watch,
    closing,
]


def build_deck(
    facts: Facts,
    *,
    public: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
    builders: list[SlideBuilder] | None = None,
    principal: Principal,
    monthly: MonthlySource | None = None,
) -> Deck:
    """Every slide, in order; `con` is needed only by slides that query beyond `facts` (the comparison),
    which they do within the `principal`'s scope. A principal without the dashboard (a guest) gets the
    public deck only."""
    principal.require("view")
    public = public or not principal.can("dashboard")
    ctx = Context(facts, public, con, principal, monthly=monthly)
    slides = [s for build in (builders or SLIDE_BUILDERS) for s in build(ctx)]
    return Deck(
        area=facts.area,
        period=facts.period(),
        lang=facts.lang,
        public=public,
        footer=t("export.footer", facts.lang, area=facts.area, period=facts.period()),
        slides=tuple(slides),
    )
