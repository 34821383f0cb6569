"""Puskesmas: one centre's profile and readiness, all its indicators against target and against the
district, its desa in a PWS table (four-way reading, gap in people), and monthly trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_date, fmt_int, fmt_num
from ilp_metrics.figures import charts
from ilp_metrics.metrics.desa import pws_table
from pages import _auth, _cache, _db, _filters, _format, _projector, _pws, _session
from pages import _quality as qa
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat, who = _session.lang(), _db.catalogue(), _auth.current()
month_text = _filters.month_label(f["month"], f["year"])
path, ver = str(_db.db_path()), _db.version()

registry = _cache.puskesmas_list(path, ver, f["regency"], who)
if registry.empty:
    st.info(tr("filter.no_registry"))
    st.stop()
codes = list(registry["puskesmas_code"])
names = dict(zip(registry["puskesmas_code"], registry["puskesmas_name"]))
wanted = st.query_params.get("puskesmas")
code = st.selectbox(
    tr("pusk.pick"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: f"{names[c]} ({c})",
    key=f"w_pusk_{f['regency']}",
)
_filters.set_query(puskesmas=code)
info = registry[registry["puskesmas_code"] == code].iloc[0]
st.title(tr("pusk.title", name=info["puskesmas_name"]))
start = info["ilp_start_date"]
st.caption(
    tr(
        "pusk.profile",
        kecamatan=str(info["kecamatan"]).title(),
        desa=fmt_int(info["desa"], lang),
        start=fmt_date(start, lang) if pd.notna(start) else tr("pusk.not_started"),
        cohort=info["cohort"] or "–",
    )
)

# ------------------------------------------------------------------ readiness
figures = _cache.puskesmas_figures(path, ver, f["regency"], f["year"], f["month"], code, who)
now = figures.readiness_items
left, right = st.columns([1, 3])
left.metric(tr("pusk.readiness"), fmt_num(figures.readiness, lang), help=tr("overview.readiness_help"))
ready_rows = [
    {
        tr("pusk.readiness_item"): cat.readiness_item(r.item_code).name.get(lang),
        tr("pusk.readiness_value"): (
            fmt_int(r.value, lang)
            if pd.isna(r.denominator) or cat.readiness_item(r.item_code).value_type == "boolean"
            else f"{fmt_int(r.value, lang)} / {fmt_int(r.denominator, lang)}"
        ),
        tr("pusk.readiness_score"): fmt_num(r.score, lang, 2),
    }
    for r in now.itertuples()
]
with right:
    _projector.table(
        pd.DataFrame(ready_rows), hide_index=True, width="stretch", height=_format.table_height(len(ready_rows))
    )

# ------------------------------------------------------------------ all indicators vs target and district
st.subheader(tr("pusk.indicators", name=info["puskesmas_name"], month=month_text))
mine, district = figures.indicators, figures.district
rows, status_codes = [], []
for r in mine.itertuples():
    ind = cat.indicator(r.indicator)
    rows.append(
        {
            tr("common.cluster"): ind.cluster,
            tr("common.indicator"): ind.short_name.get(lang),
            tr("common.served"): fmt_int(r.numerator, lang),
            tr("common.sasaran"): fmt_num(r.denominator, lang, 0),
            tr("common.coverage"): charts.fmt_value(r.coverage, ind, lang),
            tr("quality.flag.column"): qa.cell(qa.reason("puskesmas", code, r.indicator)),
            tr("common.target_to_date"): charts.fmt_value(r.target_to_date, ind, lang),
            tr("common.status"): charts.status_label(cat, r.status, ind, lang),
            tr("pusk.district_coverage"): charts.fmt_value(
                district.loc[r.indicator, "coverage"] if r.indicator in district.index else None, ind, lang
            ),
            tr("common.gap"): fmt_int(r.gap, lang),
        }
    )
    status_codes.append(r.status)
order = sorted(range(len(rows)), key=lambda i: (rows[i][tr("common.cluster")], i))
table = pd.DataFrame([rows[i] for i in order])
_projector.table(
    _format.styled(table, {tr("common.status"): _format.status_colours([status_codes[i] for i in order])}),
    hide_index=True,
    width="stretch",
    height=_format.table_height(len(rows)),
    column_config=qa.column(),
)

# ------------------------------------------------------------------ desa PWS table
desa_codes = [i.code for i in cat.indicators if not i.numerator.readiness_item]
pick = _filters.indicator_pick(tr("pusk.desa_pick"), desa_codes, key="w_pusk_desa_ind")
ind = cat.indicator(pick)
# Desa detail only within the signed-in principal's scope (ilp_metrics.security.scope; the library enforces it too).
if not who.may_see_desa_of(code):
    st.info(
        tr(
            "akun.scope.desa_other_puskesmas" if who.can("desa_own") else "akun.scope.desa_not_allowed",
            own=who.puskesmas_code or "",
        )
    )
else:
    st.subheader(tr("pws.section", indicator=ind.short_name.get(lang), month=month_text))
    desa = _cache.desa_table(f["regency"], f["year"], f["month"], code, pick, who)
    pws = pws_table(desa, cat)
    _pws.chart(pws, pick, area=info["puskesmas_name"], period=month_text)
    _pws.table(pws, ind, code)
    st.caption(_pws.caption(f["month"]) + " " + tr("quality.flag.caption"))

# ------------------------------------------------------------------ monthly trend
st.subheader(tr("pusk.trend"))
series = figures.series(pick)
c1, c2 = st.columns(2)
with c1:
    _format.chart(
        charts.pws_curve(series, pick, area=info["puskesmas_name"], lang=lang, catalogue=cat, compact=True),
        width="stretch",
    )
with c2:
    _format.chart(
        charts.monthly_bars(series, pick, area=info["puskesmas_name"], lang=lang, catalogue=cat, compact=True),
        width="stretch",
    )
