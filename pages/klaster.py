"""Klaster: every indicator of one cluster, in three tabs — a puskesmas × indicator status table, a ranking
per indicator with the target marked, and the district's PWS curves."""

from __future__ import annotations

import streamlit as st

from ilp_metrics.figures import charts
from pages import _annual, _auth, _cache, _db, _filters, _format, _session
from pages import _quality as qa
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat, who = _session.lang(), _db.catalogue(), _auth.current()
area = _filters.area_name()
month_text = _filters.month_label(f["month"], f["year"])

wanted = _filters.query_int("klaster")
options = [c.code for c in cat.clusters]
cluster_code = (
    st.segmented_control(
        tr("cluster.pick"),
        options,
        default=wanted if wanted in options else 2,
        format_func=lambda c: f"{c}. {cat.cluster(c).name.get(lang)}",
        key="w_cluster",
    )
    or 2
)
_filters.set_query(klaster=cluster_code)
cluster = cat.cluster(cluster_code)
figures = _cache.cluster_figures(
    str(_db.db_path()), _db.version(), f["regency"], f["year"], f["month"], cluster_code, who
)
codes = list(figures.codes)
st.title(tr("cluster.title", code=cluster.code, name=cluster.name.get(lang), area=area))
st.caption(cluster.scope.get(lang))

pusk, kab = figures.puskesmas, figures.kab_monthly
if pusk.empty:
    st.info(tr("cluster.no_indicators"))
    st.stop()

# ------------------------------------------------------------------ annual figures (annual tables only)
annual = _cache.annual_figures(str(_db.db_path()), _db.version(), f["regency"], f["year"], who)
if not annual.empty:
    _annual.section(annual, cluster_code, area)

# Three views of the cluster, one at a time: only the open tab computes and draws (on_change="rerun":
# switching tabs reruns the page with that tab open), so a change of filter draws one or two charts, not 16.
tab_status, tab_ranking, tab_curves = st.tabs(
    [tr("cluster.tab_status"), tr("cluster.ranking"), tr("cluster.curves")], on_change="rerun", key="cluster_tab"
)

# ------------------------------------------------------------------ status table
with tab_status:
    if tab_status.open is not False:
        heat = charts.status_heatmap(
            pusk, codes, title=tr("cluster.heat", area=area, month=month_text), lang=lang, catalogue=cat
        )
        qa.mark_heatmap(heat, pusk, codes)
        _format.chart(heat, width="stretch")
        st.caption(tr("cluster.heat_caption") + " " + tr("quality.flag.caption_chart"))

# ------------------------------------------------------------------ ranking
with tab_ranking:
    if tab_ranking.open is not False:
        pick = _filters.indicator_pick(tr("cluster.ranking_pick"), codes, key=f"w_rank_{cluster_code}")
        _format.chart(
            charts.ranking_bar(pusk, pick, area=area, period=_filters.period_label(), lang=lang, catalogue=cat),
            width="stretch",
        )
        ind = cat.indicator(pick)
        st.caption(
            f"{ind.definition.get(lang)} {tr('dict.target')}: {charts.fmt_value(ind.target_pct, ind, lang)} "
            f"({ind.target_source.get(lang)})."
        )

# ------------------------------------------------------------------ PWS curves of the district
with tab_curves:
    if tab_curves.open is not False:
        columns = st.columns(2)
        for i, code in enumerate(codes):
            with columns[i % 2]:
                _format.chart(
                    charts.pws_curve(kab, code, area=area, lang=lang, catalogue=cat, compact=True),
                    width="stretch",
                    key=f"pws_{code}",
                )
