"""Klaster: every indicator of one cluster — district PWS curves, a puskesmas × indicator status
table, and a ranking per indicator with the target marked."""

from __future__ import annotations

import streamlit as st

from ilp_metrics.figures import charts
from ilp_metrics.metrics.coverage import snapshot
from pages import _quality as qa
from pages import _shared as ui

f = ui.require_data()
lang, cat = ui.lang(), ui.catalogue()
area = ui.area_name()
month_text = ui.month_label(f["month"], f["year"])

codes_by_cluster = {c.code: [i.code for i in cat.indicators_in_cluster(c.code)] for c in cat.clusters}
wanted = ui._query_int("klaster")
options = [c.code for c in cat.clusters]
cluster_code = (
    st.segmented_control(
        ui.tr("cluster.pick"),
        options,
        default=wanted if wanted in options else 2,
        format_func=lambda c: f"{c}. {cat.cluster(c).name.get(lang)}",
        key="w_cluster",
    )
    or 2
)
ui.set_query(klaster=cluster_code)
cluster = cat.cluster(cluster_code)
codes = codes_by_cluster[cluster_code]
st.title(ui.tr("cluster.title", code=cluster.code, name=cluster.name.get(lang), area=area))
st.caption(cluster.scope.get(lang))

pusk = snapshot(ui.current_figures(codes, "puskesmas"))
kab = ui.current_figures(codes, "kabupaten")
kab = kab[kab["unit_code"] == f["regency"]]
if pusk.empty:
    st.info(ui.tr("cluster.no_indicators"))
    st.stop()

# ------------------------------------------------------------------ status table
heat = charts.status_heatmap(
    pusk, codes, title=ui.tr("cluster.heat", area=area, month=month_text), lang=lang, catalogue=cat
)
qa.mark_heatmap(heat, pusk, codes)
ui.chart(heat, width="stretch")
st.caption(ui.tr("cluster.heat_caption") + " " + ui.tr("quality.flag.caption_chart"))

# ------------------------------------------------------------------ ranking
st.subheader(ui.tr("cluster.ranking"))
wanted_ind = st.query_params.get("indikator")
pick = st.selectbox(
    ui.tr("cluster.ranking_pick"),
    codes,
    index=codes.index(wanted_ind) if wanted_ind in codes else 0,
    format_func=lambda c: cat.indicator(c).short_name.get(lang),
    key=f"w_rank_{cluster_code}",
)
ui.set_query(indikator=pick)
ui.chart(charts.ranking_bar(pusk, pick, area=area, period=ui.period_label(), lang=lang, catalogue=cat), width="stretch")
ind = cat.indicator(pick)
st.caption(
    f"{ind.definition.get(lang)} {ui.tr('dict.target')}: {charts.fmt_value(ind.target_pct, ind, lang)} "
    f"({ind.target_source.get(lang)})."
)

# ------------------------------------------------------------------ PWS curves of the district
st.subheader(ui.tr("cluster.curves"))
columns = st.columns(2)
for i, code in enumerate(codes):
    with columns[i % 2]:
        ui.chart(
            charts.pws_curve(kab, code, area=area, lang=lang, catalogue=cat, compact=True),
            width="stretch",
            key=f"pws_{code}",
        )
