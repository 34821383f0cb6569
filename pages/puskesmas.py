"""Puskesmas: one centre's profile and readiness, all its indicators against target and against the
district, its desa in a PWS table (four-way reading, gap in people), and monthly trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_date, fmt_int, fmt_num
from ilp_metrics.figures import charts
from ilp_metrics.metrics.coverage import snapshot
from pages import _quality as qa
from pages import _shared as ui

f = ui.require_data()
lang, cat = ui.lang(), ui.catalogue()
month_text = ui.month_label(f["month"], f["year"])
path, ver = str(ui.db_path()), ui.version()

registry = ui.puskesmas_registry(path, ver, f["regency"])
if registry.empty:
    st.info(ui.tr("filter.no_registry"))
    st.stop()
codes = list(registry["puskesmas_code"])
names = dict(zip(registry["puskesmas_code"], registry["puskesmas_name"]))
wanted = st.query_params.get("puskesmas")
code = st.selectbox(
    ui.tr("pusk.pick"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: f"{names[c]} ({c})",
    key=f"w_pusk_{f['regency']}",
)
ui.set_query(puskesmas=code)
info = registry[registry["puskesmas_code"] == code].iloc[0]
st.title(ui.tr("pusk.title", name=info["puskesmas_name"]))
start = info["ilp_start_date"]
st.caption(
    ui.tr(
        "pusk.profile",
        kecamatan=str(info["kecamatan"]).title(),
        desa=fmt_int(info["desa"], lang),
        start=fmt_date(start, lang) if pd.notna(start) else ui.tr("pusk.not_started"),
        cohort=info["cohort"] or "–",
    )
)

# ------------------------------------------------------------------ readiness
index, items = ui.readiness(path, ver, "puskesmas", f["year"], f["month"], f["regency"], code)
now = items[items["month"] == f["month"]]
idx_now = index[index["month"] == f["month"]]["readiness_index"]
left, right = st.columns([1, 3])
left.metric(
    ui.tr("pusk.readiness"),
    fmt_num(idx_now.iloc[0] if len(idx_now) else None, lang),
    help=ui.tr("overview.readiness_help"),
)
ready_rows = [
    {
        ui.tr("pusk.readiness_item"): cat.readiness_item(r.item_code).name.get(lang),
        ui.tr("pusk.readiness_value"): (
            fmt_int(r.value, lang)
            if pd.isna(r.denominator) or cat.readiness_item(r.item_code).value_type == "boolean"
            else f"{fmt_int(r.value, lang)} / {fmt_int(r.denominator, lang)}"
        ),
        ui.tr("pusk.readiness_score"): fmt_num(r.score, lang, 2),
    }
    for r in now.itertuples()
]
right.dataframe(pd.DataFrame(ready_rows), hide_index=True, width="stretch", height=ui.table_height(len(ready_rows)))

# ------------------------------------------------------------------ all indicators vs target and district
st.subheader(ui.tr("pusk.indicators", name=info["puskesmas_name"], month=month_text))
all_codes = [i.code for i in cat.indicators]
mine = snapshot(ui.current_figures(all_codes, "puskesmas", puskesmas=code))
district = snapshot(ui.current_figures(all_codes, "kabupaten"))
district = district[district["unit_code"] == f["regency"]].set_index("indicator")
rows, status_codes = [], []
for r in mine.itertuples():
    ind = cat.indicator(r.indicator)
    rows.append(
        {
            ui.tr("common.cluster"): ind.cluster,
            ui.tr("common.indicator"): ind.short_name.get(lang),
            ui.tr("common.served"): fmt_int(r.numerator, lang),
            ui.tr("common.sasaran"): fmt_num(r.denominator, lang, 0),
            ui.tr("common.coverage"): charts.fmt_value(r.coverage, ind, lang),
            ui.tr("quality.flag.column"): qa.cell(qa.reason("puskesmas", code, r.indicator)),
            ui.tr("common.target_to_date"): charts.fmt_value(r.target_to_date, ind, lang),
            ui.tr("common.status"): ui.status_name(r.status),
            ui.tr("pusk.district_coverage"): charts.fmt_value(
                district.loc[r.indicator, "coverage"] if r.indicator in district.index else None, ind, lang
            ),
            ui.tr("common.gap"): fmt_int(r.gap, lang),
        }
    )
    status_codes.append(r.status)
order = sorted(range(len(rows)), key=lambda i: (rows[i][ui.tr("common.cluster")], i))
table = pd.DataFrame([rows[i] for i in order])
st.dataframe(
    ui.styled(table, {ui.tr("common.status"): ui.status_colours([status_codes[i] for i in order])}),
    hide_index=True,
    width="stretch",
    height=ui.table_height(len(rows)),
    column_config=qa.column(),
)

# ------------------------------------------------------------------ desa PWS table
desa_codes = [i.code for i in cat.indicators if not i.numerator.readiness_item]
wanted_ind = st.query_params.get("indikator")
pick = st.selectbox(
    ui.tr("pusk.desa_pick"),
    desa_codes,
    index=desa_codes.index(wanted_ind) if wanted_ind in desa_codes else 0,
    format_func=lambda c: cat.indicator(c).short_name.get(lang),
    key="w_pusk_desa_ind",
)
ui.set_query(indikator=pick)
ind = cat.indicator(pick)
# Desa detail only within the signed-in principal's scope (ilp_metrics.security.scope; the library enforces it too).
if not ui.principal().may_see_desa_of(code):
    st.info(
        ui.tr(
            "akun.scope.desa_other_puskesmas" if ui.principal().can("desa_own") else "akun.scope.desa_not_allowed",
            own=ui.principal().puskesmas_code or "",
        )
    )
else:
    st.subheader(ui.tr("pusk.desa_table", indicator=ind.short_name.get(lang), month=month_text))
    desa = ui.current_figures([pick], "desa", puskesmas=code)
    last = snapshot(desa)
    previous = desa[desa["month"] == f["month"] - 1].set_index("unit_code") if f["month"] > 1 else None
    desa_rows, desa_status, desa_pws = [], [], []
    for r in last.sort_values("coverage", ascending=not ind.higher_is_better, na_position="last").itertuples():
        before = (
            previous.loc[r.unit_code, "coverage_month"]
            if previous is not None and r.unit_code in previous.index
            else None
        )
        desa_rows.append(
            {
                ui.tr("common.desa"): r.unit_name,
                ui.tr("common.sasaran"): fmt_num(r.denominator, lang, 0),
                ui.tr("common.last_month"): charts.fmt_value(before, ind, lang),
                ui.tr("common.this_month"): charts.fmt_value(r.coverage_month, ind, lang),
                ui.tr("common.cumulative"): fmt_int(r.numerator, lang),
                ui.tr("common.coverage"): charts.fmt_value(r.coverage, ind, lang),
                ui.tr("quality.flag.column"): qa.cell(
                    qa.reason("desa", r.unit_code, pick) or qa.reason("puskesmas", code, pick)
                ),
                ui.tr("common.status"): ui.status_name(r.status),
                ui.tr("common.trend"): ui.trend_name(r.trend),
                ui.tr("common.reading"): ui.pws_name(r.pws_reading),
                ui.tr("common.gap"): fmt_int(r.gap, lang),
                ui.tr("common.gap_per_month"): fmt_int(r.gap_per_month, lang),
            }
        )
        desa_status.append(r.status)
        desa_pws.append(r.pws_reading)
    st.dataframe(
        ui.styled(
            pd.DataFrame(desa_rows),
            {ui.tr("common.status"): ui.status_colours(desa_status), ui.tr("common.reading"): ui.pws_colours(desa_pws)},
        ),
        hide_index=True,
        width="stretch",
        height=ui.table_height(len(desa_rows)),
        column_config=qa.column(),
    )
    st.caption(ui.tr("pusk.desa_caption") + " " + ui.tr("quality.flag.caption"))

# ------------------------------------------------------------------ monthly trend
st.subheader(ui.tr("pusk.trend"))
series = ui.current_figures([pick], "puskesmas", puskesmas=code)
c1, c2 = st.columns(2)
with c1:
    ui.chart(charts.pws_curve(series, pick, area=info["puskesmas_name"], lang=lang, catalogue=cat), width="stretch")
with c2:
    ui.chart(charts.monthly_bars(series, pick, area=info["puskesmas_name"], lang=lang, catalogue=cat), width="stretch")
