"""Desa/Kelurahan: one desa's health situation for the monthly review with the Pustu (KMK
HK.01.07/MENKES/2015/2023): every life-stage indicator with its PWS position among the desa of its
puskesmas, the classic PWS chart, month by month, its quality flags, its share of the puskesmas's gap,
and an A4 PDF of it. Reached by URL (`?desa=73.09.04.2005`) and from every desa name of the other pages."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ilp_metrics.core.formatting import fmt_int, fmt_pct
from ilp_metrics.figures import charts
from ilp_metrics.metrics.desa import pws_table
from ilp_metrics.security.scope import ScopeDenied
from pages import _auth, _cache, _db, _filters, _format, _projector, _pws, _session
from pages import _quality as qa
from pages._session import tr

f = _filters.require_data(__file__)
lang, cat, who = _session.lang(), _db.catalogue(), _auth.current()
path, ver = str(_db.db_path()), _db.version()
month_text = _filters.month_label(f["month"], f["year"])
if not who.sees_desa:
    st.info(tr("akun.scope.desa_not_allowed", own=who.puskesmas_code or ""))
    st.stop()

listed = _cache.desa_list(path, ver, f["regency"], who)
wanted = st.query_params.get("desa")
if wanted and wanted not in set(listed["desa_code"]):
    # A link or an address naming a desa of another kabupaten: offer it too (its own kabupaten's figures).
    others = _cache.desa_list(path, ver, None, who)
    listed = pd.concat([others[others["desa_code"] == wanted], listed], ignore_index=True)
if listed.empty:
    st.info(tr("desa.none"))
    st.stop()
if wanted and wanted not in set(listed["desa_code"]):
    st.warning(tr("desa.not_found", code=wanted))
codes = list(listed["desa_code"])
labels = {r.desa_code: f"{r.desa_name} · {r.puskesmas_name} ({r.desa_code})" for r in listed.itertuples()}
code = st.selectbox(
    tr("desa.pick"),
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=_format.labels_of(labels),
    key=f"w_desa_{f['regency']}",
)
_filters.set_query(desa=code, nama=None)
try:
    view = _cache.desa_figures(path, ver, f["year"], f["month"], code, who)
except ScopeDenied as denied:
    st.info(tr(f"akun.scope.{denied.code}", own=who.puskesmas_code or ""))
    st.stop()

st.title(tr("desa.title", name=view.desa_name))
st.caption(
    tr(
        "desa.profile",
        puskesmas=view.puskesmas_name,
        kecamatan=view.kecamatan.title(),
        code=view.desa,
        month=month_text,
    )
)
st.caption(tr("desa.caption"))

# ------------------------------------------------------------------ every indicator, its PWS position
st.subheader(tr("desa.indicators", month=month_text))
rows, status, reading = [], [], []
for r in view.indicators.itertuples():
    ind = cat.indicator(r.indicator)
    rows.append(
        {
            tr("common.cluster"): ind.cluster,
            tr("common.indicator"): ind.short_name.get(lang),
            tr("common.sasaran"): fmt_int(r.denominator, lang),
            tr("pws.col.cumulative"): fmt_int(r.numerator, lang),
            tr("common.coverage"): charts.fmt_value(r.coverage, ind, lang),
            tr("quality.flag.column"): qa.cell(
                qa.reason("desa", view.desa, r.indicator) or qa.reason("puskesmas", view.puskesmas, r.indicator)
            ),
            tr("common.target_to_date"): charts.fmt_value(r.target_to_date, ind, lang),
            tr("common.status"): charts.status_label(cat, r.status, ind, lang),
            tr("common.reading"): _format.pws_name(r.pws_reading),
            tr("desa.col.position"): (
                tr("desa.position_value", rank=r.rank, n=r.desa) if pd.notna(r.rank) and r.rank is not None else "–"
            ),
            tr("common.gap"): fmt_int(r.gap, lang),
            tr("desa.col.gap_share"): (
                tr("desa.share_value", share=fmt_pct(r.gap_share * 100, lang, 0), total=fmt_int(r.puskesmas_gap, lang))
                if r.gap_share is not None and pd.notna(r.gap_share)
                else "–"
            ),
        }
    )
    status.append(r.status)
    reading.append(r.pws_reading)
_projector.table(
    _format.styled(
        pd.DataFrame(rows),
        {tr("common.status"): _format.status_colours(status), tr("common.reading"): _format.pws_colours(reading)},
    ),
    hide_index=True,
    width="stretch",
    height=_format.table_height(len(rows)),
    column_config=qa.column(),
)
st.caption(tr("desa.position_caption") + " " + tr("quality.flag.caption"))

# ------------------------------------------------------------------ one indicator: PWS chart, table, months
present = list(view.indicators["indicator"]) if len(view.indicators) else []
if not present:
    st.info(tr("filter.no_data"))
    st.stop()
pick = _filters.indicator_pick(tr("desa.monthly_pick"), present, key="w_desa_ind")
ind = cat.indicator(pick)
pws = pws_table(view.table(pick, cat), cat)
st.subheader(tr("pws.section", indicator=ind.short_name.get(lang), month=month_text))
_pws.chart(pws, pick, area=view.puskesmas_name, period=month_text, highlight=view.desa)
_pws.table(pws, ind, view.puskesmas)
st.caption(_pws.caption(f["month"]))

st.subheader(tr("desa.monthly"))
series = view.series(pick)
c1, c2 = st.columns(2)
with c1:
    _format.chart(charts.pws_curve(series, pick, area=view.desa_name, lang=lang, catalogue=cat))
with c2:
    _format.chart(charts.monthly_bars(series, pick, area=view.desa_name, lang=lang, catalogue=cat))

# ------------------------------------------------------------------ quality flags of this desa
st.subheader(tr("desa.flags"))
flags = qa.current_flags()
mine = flags[(flags["level"] == "desa") & (flags["unit_code"] == view.desa)] if len(flags) else flags
if mine.empty:
    st.caption(tr("desa.no_flags"))
else:
    for text in dict.fromkeys(mine["reason"]):
        st.markdown(f"- ⚠ {text}")

# ------------------------------------------------------------------ printable A4 for the Pustu's review
if who.can("export"):
    from ilp_metrics.export.desa_pdf import desa_pdf
    from pages import _export_ui

    if problem := _export_ui.pdf_problem():
        st.warning(problem)
    else:
        st.download_button(
            tr("desa.pdf_button"),
            data=partial(desa_pdf, view, pick, lang=lang, catalogue=cat, flags=mine),
            on_click="ignore",
            file_name=f"ilp-desa-{view.desa}-{f['year']}-{int(f['month']):02d}.pdf",
            mime="application/pdf",
            icon=":material/download:",
            key="w_desa_pdf",
        )
