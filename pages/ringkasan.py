"""Ringkasan (overview): is ILP working in this district, and which puskesmas are behind on the SPM?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_int, fmt_num
from ilp_metrics.figures import charts
from ilp_metrics.metrics import starts
from ilp_metrics.metrics.overview import ranked_by_rule
from pages import _auth, _cache, _db, _filters, _format, _projector, _session
from pages import _quality as qa
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat, who = _session.lang(), _db.catalogue(), _auth.current()
path, ver = str(_db.db_path()), _db.version()
area = _filters.area_name()
month_text = _filters.month_label(f["month"], f["year"])
st.title(tr("overview.title", area=area))
st.caption(tr("overview.caption", month=month_text))

# The overview's figures, as the exports show them (ilp_metrics.metrics.overview).
view = _cache.overview_figures(path, ver, f["regency"], f["year"], f["month"], who)
all_codes = [i.code for i in cat.indicators]
spm_codes = list(view.spm_codes)
spm_now = view.spm

# ------------------------------------------------------------------ headline numbers
cols = st.columns(4)
cols[0].metric(
    tr("overview.ilp_puskesmas"),
    tr("overview.ilp_puskesmas_value", n=fmt_int(view.running, lang), total=fmt_int(view.puskesmas_total, lang)),
)
cols[0].caption(tr("headline.status_starts", starts=starts.start_text(view.starts, lang)))
cols[1].metric(tr("overview.readiness"), fmt_num(view.readiness, lang), help=tr("overview.readiness_help"))
cols[2].metric(tr("overview.spm_on_track"), f"{view.spm_on_target} / {len(spm_codes)}")
cols[3].metric(tr("headline.services_gap"), fmt_int(view.spm_gap, lang), help=tr("headline.services_gap_help"))

# ------------------------------------------------------------------ cluster cards
st.subheader(tr("overview.clusters"))
clusters = view.clusters
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
            st.metric(tr("overview.cluster_on_target"), f"{int(r['tercapai'])} / {int(r['indicators'])}")
            st.caption(
                tr("overview.cluster_composite", value=fmt_num(r["composite"], lang, 0))
                + (
                    f" · {_format.status_name('tidak_ada_data')}: {int(r['tidak_ada_data'])}"
                    if r["tidak_ada_data"]
                    else ""
                )
            )

# ------------------------------------------------------------------ SPM table
st.subheader(tr("overview.spm_table", area=area, month=month_text))
spm_rows, spm_status = [], []
for code in spm_codes:
    hit = spm_now[spm_now["indicator"] == code]
    if hit.empty:
        continue
    r = hit.iloc[0]
    ind = cat.indicator(code)
    spm_rows.append(
        {
            tr("common.indicator"): ind.short_name.get(lang),
            tr("common.sasaran"): fmt_int(r["denominator"], lang),
            tr("common.served"): fmt_int(r["numerator"], lang),
            tr("common.coverage"): charts.fmt_value(r["coverage"], ind, lang),
            tr("quality.flag.column"): qa.cell(qa.reason("kabupaten", f["regency"], code)),
            tr("common.target_to_date"): charts.fmt_value(r["target_to_date"], ind, lang),
            tr("common.status"): charts.status_label(cat, r["status"], ind, lang),
            tr("common.gap"): fmt_int(r["gap"], lang),
            tr("common.projection"): charts.fmt_value(r["projected_coverage"], ind, lang),
        }
    )
    spm_status.append(r["status"])
_projector.table(
    _format.styled(pd.DataFrame(spm_rows), {tr("common.status"): _format.status_colours(spm_status)}),
    hide_index=True,
    width="stretch",
    height=_format.table_height(len(spm_rows)),
    column_config=qa.column(),
)
st.caption(tr("quality.flag.caption"))

# ------------------------------------------------------------------ puskesmas to watch (catalogue figures.watch)
st.subheader(tr("headline.watch"))
st.caption(tr("headline.watch_rule", rule=cat.figures.watch_rule.get(lang) if cat.figures.watch_rule else ""))
st.caption(tr("headline.watch_caption"))
gaps = view.gaps
short = {c: cat.indicator(c).short_name.get(lang).split(" ")[0] for c in spm_codes}


def _gap_table(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in frame.itertuples():
        row = {
            tr("common.puskesmas"): r.unit_name,
            tr("quality.flag.column"): qa.cell(qa.reason("puskesmas", r.unit_code)),
            tr("overview.spm_composite"): fmt_num(r.composite, lang, 0),
            tr("overview.spm_tercapai"): f"{r.on_target} / {len(spm_codes)}",
            tr("headline.total_services_gap"): fmt_int(r.gap, lang),
        }
        for code in spm_codes:
            value = gaps.loc[r.unit_code, code] if code in gaps.columns and r.unit_code in gaps.index else None
            row[short[code]] = fmt_int(value, lang)
        rows.append(row)
    return pd.DataFrame(rows)


if view.watch.empty:
    st.info(tr("filter.no_data"))
else:
    _projector.table(_gap_table(view.watch), hide_index=True, width="stretch", column_config=qa.column())
every_box = st.expander(tr("headline.all_puskesmas"), on_change="rerun", key="overview_all_puskesmas")
if every_box.open is not False:  # the table is made when the box is opened (its opening reruns the page)
    with every_box:
        every = ranked_by_rule(view.composite, cat)
        _projector.table(_gap_table(every), hide_index=True, width="stretch", column_config=qa.column())

# ------------------------------------------------------------------ trend since the ILP start
st.subheader(tr("overview.trend"))
years_available = tuple(_filters.current_registry(who).years(f["regency"]))
started = starts.started_by_year(starts.start_months(view.registry), years_available)
pick = st.selectbox(
    tr("overview.trend_pick"),
    spm_codes + [c for c in all_codes if c not in spm_codes],
    format_func=lambda c: cat.indicator(c).short_name.get(lang),
    key="w_overview_trend",
)
if [y for y in years_available if y <= f["year"]]:
    trend = _cache.indicator_years(path, ver, f["regency"], f["year"], f["month"], pick, years_available, who)
    started[f["year"]] = view.running  # the chosen year: running by its chosen month, as the card says
    labels = {y: starts.year_label(y, n, view.puskesmas_total, lang) for y, n in started.items()}
    fig = charts.year_curves(trend, pick, area=area, lang=lang, catalogue=cat, year_labels=labels)
    _format.chart(fig, width="stretch")
st.caption(tr("ilp_start.caption", starts=starts.start_text(starts.start_months(view.registry), lang)))

# ------------------------------------------------------------------ exports (issue 7)
from pages import _export_ui  # noqa: E402

with st.expander(tr("export.downloads_overview")):
    _export_ui.download_buttons(public=False)
    st.caption(tr("presentasi.downloads_caption"))
