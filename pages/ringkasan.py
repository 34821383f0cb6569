"""Ringkasan (overview): is ILP working in this district, and which puskesmas are behind on the SPM?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_date, fmt_int, fmt_num
from ilp_metrics.figures import charts
from ilp_metrics.metrics.coverage import snapshot
from ilp_metrics.metrics.summary import summarise
from pages import _quality as qa
from pages import _shared as ui

f = ui.require_data()
lang, cat = ui.lang(), ui.catalogue()
area = ui.area_name()
month_text = ui.month_label(f["month"], f["year"])
st.title(ui.tr("overview.title", area=area))
st.caption(ui.tr("overview.caption", month=month_text))

all_codes = [i.code for i in cat.indicators]
spm_codes = [i.code for i in cat.spm_indicators()]
kab = snapshot(ui.current_figures(all_codes, "kabupaten"))
kab = kab[kab["unit_code"] == f["regency"]]
pusk_spm = snapshot(ui.current_figures(spm_codes, "puskesmas"))

# ------------------------------------------------------------------ headline numbers
registry = ui.puskesmas_registry(str(ui.db_path()), ui.version(), f["regency"])
end_of_month = (pd.Timestamp(f["year"], f["month"], 1) + pd.offsets.MonthEnd(0)).date()
running = int((pd.to_datetime(registry["ilp_start_date"]).dt.date <= end_of_month).sum())
index, _ = ui.readiness(str(ui.db_path()), ui.version(), "kabupaten", f["year"], f["month"], f["regency"])
index_now = index[index["month"] == f["month"]]["readiness_index"]
spm_now = kab[kab["indicator"].isin(spm_codes)]
cols = st.columns(4)
cols[0].metric(
    ui.tr("overview.ilp_puskesmas"),
    ui.tr("overview.ilp_puskesmas_value", n=fmt_int(running, lang), total=fmt_int(len(registry), lang)),
)
cols[1].metric(
    ui.tr("overview.readiness"),
    fmt_num(index_now.iloc[0] if len(index_now) else None, lang),
    help=ui.tr("overview.readiness_help"),
)
cols[2].metric(ui.tr("overview.spm_on_track"), f"{(spm_now['status'] == 'tercapai').sum()} / {len(spm_codes)}")
cols[3].metric(ui.tr("overview.spm_gap"), fmt_int(spm_now["gap"].sum(), lang), help=ui.tr("overview.spm_gap_help"))

# ------------------------------------------------------------------ cluster cards
st.subheader(ui.tr("overview.clusters"))
clusters = summarise(kab, cat)
cards = st.columns(len(cat.clusters))
for col, cluster in zip(cards, cat.clusters):
    row = clusters[clusters["cluster"] == cluster.code]
    with col.container(border=True):
        st.markdown(
            f"<div style='border-left:8px solid {cluster.colour};padding-left:8px'>"
            f"<b>{cluster.code}. {cluster.name.get(lang)}</b></div>",
            unsafe_allow_html=True,
        )
        if len(row):
            r = row.iloc[0]
            st.metric(ui.tr("overview.cluster_on_target"), f"{int(r['tercapai'])} / {int(r['indicators'])}")
            st.caption(
                ui.tr("overview.cluster_composite", value=fmt_num(r["composite"], lang, 0))
                + (f" · {ui.status_name('tidak_ada_data')}: {int(r['tidak_ada_data'])}" if r["tidak_ada_data"] else "")
            )

# ------------------------------------------------------------------ SPM table
st.subheader(ui.tr("overview.spm_table", area=area, month=month_text))
spm_rows, spm_status = [], []
for code in spm_codes:
    hit = spm_now[spm_now["indicator"] == code]
    if hit.empty:
        continue
    r = hit.iloc[0]
    ind = cat.indicator(code)
    spm_rows.append(
        {
            ui.tr("common.indicator"): ind.short_name.get(lang),
            ui.tr("common.sasaran"): fmt_int(r["denominator"], lang),
            ui.tr("common.served"): fmt_int(r["numerator"], lang),
            ui.tr("common.coverage"): charts.fmt_value(r["coverage"], ind, lang),
            ui.tr("quality.flag.column"): qa.cell(qa.reason("kabupaten", f["regency"], code)),
            ui.tr("common.target_to_date"): charts.fmt_value(r["target_to_date"], ind, lang),
            ui.tr("common.status"): ui.status_name(r["status"]),
            ui.tr("common.gap"): fmt_int(r["gap"], lang),
            ui.tr("common.projection"): charts.fmt_value(r["projected_coverage"], ind, lang),
        }
    )
    spm_status.append(r["status"])
st.dataframe(
    ui.styled(pd.DataFrame(spm_rows), {ui.tr("common.status"): ui.status_colours(spm_status)}),
    hide_index=True,
    width="stretch",
    height=ui.table_height(len(spm_rows)),
    column_config=qa.column(),
)
st.caption(ui.tr("quality.flag.caption"))

# ------------------------------------------------------------------ puskesmas farthest behind
st.subheader(ui.tr("overview.behind"))
st.caption(ui.tr("overview.behind_caption"))
composite = (
    pusk_spm.assign(capped=pusk_spm["achievement"].astype(float).clip(upper=cat.figures.achievement_cap))
    .groupby(["unit_code", "unit_name"])
    .agg(
        composite=("capped", "median"), on_target=("status", lambda s: int((s == "tercapai").sum())), gap=("gap", "sum")
    )
    .reset_index()
)
composite["composite"] *= 100
gaps = pusk_spm.pivot_table(index="unit_code", columns="indicator", values="gap", aggfunc="first")
short = {c: cat.indicator(c).short_name.get(lang).split(" ")[0] for c in spm_codes}


def _gap_table(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in frame.itertuples():
        row = {
            ui.tr("common.puskesmas"): r.unit_name,
            ui.tr("quality.flag.column"): qa.cell(qa.reason("puskesmas", r.unit_code)),
            ui.tr("overview.spm_composite"): fmt_num(r.composite, lang, 0),
            ui.tr("overview.spm_tercapai"): f"{r.on_target} / {len(spm_codes)}",
            ui.tr("overview.total_gap"): fmt_int(r.gap, lang),
        }
        for code in spm_codes:
            value = gaps.loc[r.unit_code, code] if code in gaps.columns and r.unit_code in gaps.index else None
            row[short[code]] = fmt_int(value, lang)
        rows.append(row)
    return pd.DataFrame(rows)


behind = composite.sort_values(["composite", "gap"], ascending=[True, False], na_position="last")
ranked = behind.dropna(subset=["composite"])
if ranked.empty:
    st.info(ui.tr("filter.no_data"))
else:
    st.dataframe(_gap_table(ranked.head(5)), hide_index=True, width="stretch", column_config=qa.column())
with st.expander(ui.tr("overview.all_gaps")):
    st.dataframe(_gap_table(behind), hide_index=True, width="stretch", column_config=qa.column())

# ------------------------------------------------------------------ trend since the ILP start
st.subheader(ui.tr("overview.trend"))
years_available = ui.data_months(str(ui.db_path()), ui.version())
years_available = sorted(years_available.loc[years_available["regency_code"] == f["regency"], "year"].astype(int))
years_available = [y for y in years_available if y <= f["year"]]
start = pd.to_datetime(registry["ilp_start_date"]).min()
pick = st.selectbox(
    ui.tr("overview.trend_pick"),
    spm_codes + [c for c in all_codes if c not in spm_codes],
    format_func=lambda c: cat.indicator(c).short_name.get(lang),
    key="w_overview_trend",
)
frames = []
for y in years_available:
    through = f["month"] if y == f["year"] else 12
    frame = ui.current_figures([pick], "kabupaten", year=y, through=through)
    frames.append(frame[frame["unit_code"] == f["regency"]])
if frames:
    fig = charts.year_curves(
        pd.concat(frames), pick, area=area, lang=lang, start_year=start.year if pd.notna(start) else None, catalogue=cat
    )
    ui.chart(fig, width="stretch")
if pd.notna(start):
    st.caption(ui.tr("overview.trend_caption", start=fmt_date(start.date(), lang)))

# ------------------------------------------------------------------ exports (issue 7)
from pages import _export_ui  # noqa: E402

with st.expander(ui.tr("export.downloads_overview")):
    _export_ui.download_buttons(public=False)
    st.caption(ui.tr("presentasi.downloads_caption"))
