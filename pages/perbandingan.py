"""Perbandingan: did coverage change after ILP started, and does a new district follow the pilot's path?
Two groups of puskesmas aligned on months since each one's own ILP start (and by calendar month), the
before/after table with a descriptive difference-in-differences, a funnel plot for fair ranking, and
maps (registry points; desa or kecamatan areas from the bundled outlines or an uploaded boundary file)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ilp_metrics.core.config import setting
from ilp_metrics.core.formatting import fmt_int
from ilp_metrics.figures import compare as cc
from ilp_metrics.figures import compare_words as cw
from ilp_metrics.figures.charts import fmt_value
from ilp_metrics.metrics import compare, geo, outlines
from ilp_metrics.security.scope import Principal, ScopeDenied
from pages import _auth, _cache, _db, _filters, _format, _projector, _session, _uploader_chrome
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat = _session.lang(), _db.catalogue()
path, ver = str(_db.db_path()), _db.version()
area = _filters.area_name()
period = cc.period_text(f["year"], f["month"], lang)
who = _auth.current()
MAX_MB = float(setting("max_upload_mb"))
BOUNDARY_TYPES = ("geojson", "json", "topojson", "sql")


# ------------------------------------------------------------------ cached data (per database version)


@st.cache_data(show_spinner=False, max_entries=32)
def _cohorts(path: str, ver: int, who: Principal) -> list[str]:
    return compare.cohorts(_db.cursor(), principal=who)


@st.cache_data(show_spinner=False, max_entries=32)
def _funnel(path: str, ver: int, code: str, year: int, through: int, regency: str, who: Principal) -> pd.DataFrame:
    return compare.funnel(_db.cursor(), code, year, through, regency, catalogue=_db.catalogue(), principal=who)


@st.cache_data(show_spinner=False, max_entries=32)
def _points(path: str, ver: int, code: str, year: int, through: int, regency: str, who: Principal) -> pd.DataFrame:
    return geo.map_points(
        _db.cursor(), code, year=year, through=through, regency=regency, catalogue=_db.catalogue(), principal=who
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _areas(
    path: str, ver: int, code: str, level: str, year: int, through: int, regency: str, who: Principal
) -> pd.DataFrame:
    return geo.area_values(
        _db.cursor(),
        code,
        level=level,
        year=year,
        through=through,
        regency=regency,
        catalogue=_db.catalogue(),
        principal=who,
    )


# ------------------------------------------------------------------ choices

st.title(tr("compare.page.title"))
st.caption(tr("compare.page.caption"))

comparable = compare.comparable_indicators(cat)
spm = [i.code for i in cat.spm_indicators() if i.code in comparable]
names = {c: cat.indicator(c).short_name.get(lang) for c in comparable}
codes = st.multiselect(
    tr("compare.page.indicators"),
    comparable,
    default=spm,
    format_func=names.__getitem__,
    key="cmp_indicators",
    placeholder=tr("compare.page.indicators_placeholder"),
)

registry = _cache.province_puskesmas(path, ver, who)
cohort_list = _cohorts(path, ver, who)
regs = _filters.current_registry(who).regencies
reg_names = dict(zip(regs["code"], regs["name"].str.title()))
pusk_names = dict(zip(registry["puskesmas_code"], registry["puskesmas_name"]))
KINDS = ["cohort", "regency", "custom"] if cohort_list else ["regency", "custom"]


def group_picker(column: DeltaGenerator, letter: str, default_index: int) -> tuple[str, str]:
    """Returns (label, spec) of one group."""
    with column:
        st.markdown(f"**{tr('compare.page.group', letter=letter)}**")
        kind = st.radio(
            tr("compare.page.group_kind"),
            KINDS,
            horizontal=True,
            key=f"cmp_kind_{letter}",
            format_func=lambda k: tr(f"compare.page.kind_{k}"),
        )
        if kind == "cohort":
            pick = st.selectbox(
                tr("compare.page.kind_cohort"),
                cohort_list,
                format_func=lambda c: cw.group_name(c, lang),
                key=f"cmp_cohort_{letter}",
                index=min(default_index, len(cohort_list) - 1),
            )
            members = registry[registry["cohort"] == pick]["regency_code"].unique()
            where = ", ".join(reg_names.get(r, r) for r in members)
            word = cw.group_name(pick, lang)
            return (f"{word} ({where})" if where else word), pick
        if kind == "regency":
            options = list(regs["code"])
            pick = st.selectbox(
                tr("compare.page.kind_regency"),
                options,
                format_func=reg_names.__getitem__,
                index=min(default_index, len(options) - 1),
                key=f"cmp_regency_{letter}",
            )
            return reg_names[pick], pick
        picks = st.multiselect(
            tr("compare.page.kind_custom"),
            list(registry["puskesmas_code"]),
            format_func=lambda c: f"{pusk_names[c]} ({c})",
            key=f"cmp_custom_{letter}",
            placeholder=tr("compare.page.custom_placeholder"),
        )
        return tr("compare.page.custom_label", letter=letter), ",".join(picks)


default_a = cohort_list.index("pilot") if "pilot" in cohort_list else 0
default_b = cohort_list.index("adopter") if "adopter" in cohort_list else min(1, len(cohort_list) - 1)
cols = st.columns(2)
label_a, spec_a = group_picker(cols[0], "A", default_a if cohort_list else 0)
label_b, spec_b = group_picker(cols[1], "B", default_b if cohort_list else 1)
if label_a == label_b:
    label_a, label_b = f"{label_a} (A)", f"{label_b} (B)"

groups: dict[str, list[str]] = {}
problems = []
for label, spec in ((label_a, spec_a), (label_b, spec_b)):
    try:
        groups[label] = compare.resolve_group(_db.cursor(), spec, principal=who)
    except compare.GroupError as exc:
        problems.append(tr(exc.code, **exc.values))

# Only the open tab does its work (on_change="rerun": switching tabs reruns the page with that tab open).
tabs = st.tabs(
    [
        tr("compare.tab.event"),
        tr("compare.tab.calendar"),
        tr("compare.tab.did"),
        tr("compare.tab.funnel"),
        tr("compare.tab.map"),
    ],
    on_change="rerun",
    key="cmp_tab",
)

# ------------------------------------------------------------------ event time, calendar, before/after

monthly = None
if problems:
    for tab in tabs[:3]:
        with tab:
            for text in problems:
                st.warning(text)
elif not codes:
    for tab in tabs[:3]:
        tab.info(tr("compare.page.pick_indicator"))
elif any(tab.open is not False for tab in tabs[:3]):  # the monthly series feeds these three
    units = tuple(sorted({u for members in groups.values() for u in members}))
    with st.spinner(tr("compare.page.computing")):
        monthly = _cache.compare_monthly(path, ver, tuple(codes), units, who)
    starts = registry.set_index("puskesmas_code")["ilp_start_date"]
    subtitle = " · ".join(
        tr("compare.page.group_count", group=g, n=len(m), started=int(starts.reindex(m).notna().sum()))
        for g, m in groups.items()
    )

    switched = compare.aggregate_reporters(_db.cursor(), units, principal=who)
    switched_note = tr(
        "compare.page.transition_note_groups",
        groups="; ".join(
            tr("compare.page.transition_group", group=g, n=len(set(m) & set(switched)))
            for g, m in groups.items()
            if set(m) & set(switched)
        ),
    )
    with tabs[0]:
        if tabs[0].open is not False:
            st.caption(tr("compare.page.event_caption") + " " + subtitle + ".")
            if switched:
                st.caption(switched_note)
            window = st.slider(tr("compare.page.window"), -36, 36, (-24, 24), step=6, key="cmp_window")
            aligned = compare.aligned_series(_db.cursor(), codes, groups, monthly=monthly, principal=who)
            grid = st.columns(2)
            for i, code in enumerate(codes):
                with grid[i % 2]:
                    _format.chart(
                        cc.aligned_chart(aligned, code, lang=lang, window=window, catalogue=cat),
                        width="stretch",
                        key=f"cmp_aligned_{code}",
                    )
            with st.expander(tr("compare.page.data_table")):
                show = aligned[aligned["months_since_start"].between(*window)].copy()
                show["indicator"] = show["indicator"].map(names)
                _projector.table(show, hide_index=True, width="stretch")

    with tabs[1]:
        if tabs[1].open is not False:
            st.caption(tr("compare.page.calendar_caption") + " " + subtitle + ".")
            pick = st.selectbox(
                tr("compare.page.calendar_pick"), codes, format_func=names.__getitem__, key="cmp_calendar_pick"
            )
            calendar = compare.calendar_series(_db.cursor(), pick, groups, monthly=monthly, principal=who)
            _format.chart(
                cc.calendar_chart(calendar, pick, lang=lang, catalogue=cat), width="stretch", key="cmp_calendar"
            )

    with tabs[2]:
        if tabs[2].open is not False:
            st.subheader(tr("compare.page.did_title", a=label_a, b=label_b))
            st.warning(tr("compare.page.did_note"))
            st.markdown(tr("compare.page.groups_legend", a=label_a, b=label_b))
            table = compare.before_after(_db.cursor(), codes, groups, monthly=monthly, principal=who)
            did = compare.change_summary(table, label_a, label_b)
            st.markdown(f"**{tr('compare.words.title')}**")
            for code in codes:
                words = cw.change_sentence(did, code, label_a, label_b, cat.indicator(code), lang)
                st.markdown(f"- **{names[code]}**: {words}")
            rows = []
            for code in codes:
                part = did[did["indicator"] == code].set_index("row")
                a, b, d = part.loc[label_a], part.loc[label_b], part.loc["difference"]
                ind = cat.indicator(code)
                rows.append(
                    {
                        tr("compare.col.indicator"): names[code],
                        tr("compare.col.before", group="A"): fmt_value(a["before_mean_pct"], ind, lang),
                        tr("compare.col.after", group="A"): fmt_value(a["after_mean_pct"], ind, lang),
                        tr("compare.col.change", group="A"): cc.fmt_change(a["change_pct"], lang),
                        tr("compare.col.before", group="B"): fmt_value(b["before_mean_pct"], ind, lang),
                        tr("compare.col.after", group="B"): fmt_value(b["after_mean_pct"], ind, lang),
                        tr("compare.col.change", group="B"): cc.fmt_change(b["change_pct"], lang),
                        tr("compare.col.did"): cc.fmt_change(d["change_pct"], lang),
                        tr("compare.col.units"): f"{int(a['units'])} / {int(b['units'])}",
                    }
                )
            _projector.table(
                pd.DataFrame(rows), hide_index=True, width="stretch", height=_format.table_height(len(rows))
            )
            st.caption(tr("compare.page.did_caption"))
            if switched:
                st.caption(switched_note)
            pick = st.selectbox(tr("compare.page.unit_table"), codes, format_func=names.__getitem__, key="cmp_ba_pick")
            ind = cat.indicator(pick)
            part = table[table["indicator"] == pick]
            _projector.table(
                pd.DataFrame(
                    {
                        tr("compare.col.group"): part["group"],
                        "Puskesmas": part["unit_name"],
                        tr("compare.col.start"): [str(v)[:7] if pd.notna(v) else "–" for v in part["ilp_start_date"]],
                        tr("compare.col.before_months"): [
                            f"{fmt_value(v, ind, lang)} ({n})"
                            for v, n in zip(part["before_mean_pct"], part["months_before"])
                        ],
                        tr("compare.col.after_months"): [
                            f"{fmt_value(v, ind, lang)} ({n})"
                            for v, n in zip(part["after_mean_pct"], part["months_after"])
                        ],
                        tr("compare.col.change_pp"): [cc.fmt_change(v, lang) for v in part["change_pct"]],
                        tr("compare.col.included"): [
                            tr("compare.yes") if v else tr("compare.no") for v in part["included"]
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
                height=_format.table_height(len(part)),
            )

# ------------------------------------------------------------------ funnel (sidebar kabupaten, year, month)

percent = [c for c in (codes or spm) if cat.indicator(c).unit == "percent"]
with tabs[3]:
    if tabs[3].open is not False:
        st.caption(tr("compare.page.funnel_caption", area=area, period=period))
        if not percent:
            st.info(tr("compare.page.pick_indicator"))
        else:
            pick = st.selectbox(
                tr("compare.page.funnel_pick"), percent, format_func=_format.labels_of(names), key="cmp_funnel_pick"
            )
            try:
                data = _funnel(path, ver, pick, f["year"], f["month"], f["regency"], who)
            except compare.NotComparable as exc:
                st.info(tr(exc.code, indicator=names.get(pick, pick)))
                data = None
            if data is not None and data.empty:
                st.info(tr("filter.no_data"))
            elif data is not None:
                rate = float(data["district_rate_pct"].iloc[0]) / 100
                curve = compare.funnel_curve(rate, float(data["denominator"].min()), float(data["denominator"].max()))
                _format.chart(
                    cc.funnel_chart(data, curve, pick, area=area, period=period, lang=lang, catalogue=cat),
                    width="stretch",
                    key="cmp_funnel",
                )
                out = data[data["outside"]]
                ind = cat.indicator(pick)
                if out.empty:
                    st.success(tr("compare.page.funnel_none"))
                else:
                    st.markdown(tr("compare.page.funnel_outside", n=len(out)))
                    _projector.table(
                        pd.DataFrame(
                            {
                                "Puskesmas": out["unit_name"],
                                tr("compare.col.coverage"): [fmt_value(v, ind, lang) for v in out["coverage_pct"]],
                                tr("compare.col.denominator"): [fmt_int(v, lang) for v in out["denominator"]],
                                tr("compare.col.band"): [tr(f"compare.band.{b}") for b in out["band"]],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                        height=_format.table_height(len(out)),
                    )

# ------------------------------------------------------------------ maps

with tabs[4]:
    if tabs[4].open is not False:
        options = codes or spm
        pick = st.selectbox(
            tr("compare.page.map_pick"), options, format_func=_format.labels_of(names), key="cmp_map_pick"
        )
        points = _points(path, ver, pick, f["year"], f["month"], f["regency"], who)
        _format.chart(
            cc.points_map(points, pick, area=area, period=period, lang=lang, catalogue=cat),
            width="stretch",
            key="cmp_points",
        )
        missing = points[points["latitude"].isna() | points["longitude"].isna()]
        st.caption(
            tr("compare.page.map_caption")
            + (" " + tr("compare.page.map_no_coords", names=", ".join(missing["unit_name"])) if len(missing) else "")
        )

        st.subheader(tr("compare.page.geojson_title"))
        st.caption(tr("compare.page.geojson_help"))
        upload = st.file_uploader(
            tr("compare.page.geojson_upload"),
            type=list(BOUNDARY_TYPES),
            key="cmp_geojson",
            max_upload_size=max(1, math.ceil(MAX_MB)),
        )
        _uploader_chrome.localise(MAX_MB, BOUNDARY_TYPES)  # Streamlit's English button and size line, in words
        bounds: geo.Boundaries | None = None
        if upload is not None:
            try:
                bounds = geo.read_boundaries(upload.getvalue())
            except geo.GeoJSONError as exc:
                st.error(tr(exc.code, **exc.values))
        else:  # the bundled outlines: kecamatan of every kabupaten, desa of the demo districts
            pick_level = st.radio(
                tr("compare.page.map_level"),
                ["desa", "kecamatan"],
                format_func=lambda v: tr(f"compare.level.{v}"),
                horizontal=True,
                key="cmp_map_level",
            )
            bounds = outlines.bundled(f["regency"], pick_level)
            if bounds is None:
                st.info(tr("compare.page.map_no_bundle", level=tr(f"compare.level.{pick_level}")))
            else:
                st.caption(tr("compare.page.map_bundled"))
        if bounds is not None:
            for note in bounds.notes:
                st.info(tr(note["code"], **{k: v for k, v in note.items() if k != "code"}))
            if upload is not None and outlines.far_from_regency(bounds, f["regency"]):
                st.warning(tr("geo.note_far", area=area))
            try:  # desa detail only within the signed-in account's scope (enforced in the library)
                match = geo.match_boundaries(_db.cursor(), bounds, f["regency"], principal=who)
            except ScopeDenied as denied:
                st.info(tr(f"akun.scope.{denied.code}", own=who.puskesmas_code or ""))
                st.stop()
            level = bounds.level or "desa"
            st.markdown(
                tr(
                    "compare.page.geojson_match",
                    areas=len(bounds.areas),
                    level=tr(f"compare.level.{level}"),
                    matched=len(match.matched),
                    unmatched=len(match.unmatched),
                    missing=len(match.missing),
                )
            )
            if match.unmatched:
                st.warning(
                    tr(
                        "compare.page.geojson_unmatched",
                        codes=", ".join(match.unmatched[:30]) + (" …" if len(match.unmatched) > 30 else ""),
                    )
                )
            if match.missing:
                st.caption(
                    tr(
                        "compare.page.map_missing",
                        codes=", ".join(match.missing[:30]) + (" …" if len(match.missing) > 30 else ""),
                    )
                )
            if bounds.problems:
                with st.expander(tr("compare.page.geojson_problems", n=len(bounds.problems))):
                    _projector.table(
                        pd.DataFrame(
                            {
                                tr("compare.col.feature"): [p["feature"] for p in bounds.problems],
                                tr("compare.col.reason"): [tr(p["code"]) for p in bounds.problems],
                                tr("compare.col.value"): [p["value"] for p in bounds.problems],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                    )
            if match.matched:
                try:  # desa detail only within the signed-in account's scope (enforced in the library)
                    values = _areas(path, ver, pick, level, f["year"], f["month"], f["regency"], who)
                except ScopeDenied as denied:
                    st.info(tr(f"akun.scope.{denied.code}", own=who.puskesmas_code or ""))
                    st.stop()
                _format.chart(
                    cc.choropleth_map(bounds, values, match, pick, area=area, period=period, lang=lang, catalogue=cat),
                    width="stretch",
                    key="cmp_areas",
                )
