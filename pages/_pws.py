"""The PWS table per desa as health staff know it (sasaran, target to date, last month, this month,
cumulative in people and in the indicator's unit, trend, status, four-way reading, gap), shared by the
puskesmas page and the desa page. The rows come from ilp_metrics.metrics.desa.pws_table. Streamlit-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ilp_metrics.catalogue import Indicator
from ilp_metrics.core.formatting import fmt_int
from ilp_metrics.core.i18n import t
from ilp_metrics.figures import charts, slides
from pages import _db, _format, _links, _projector, _session
from pages import _quality as qa
from pages._session import tr


def rows(pws: pd.DataFrame, ind: Indicator, puskesmas: str) -> tuple[pd.DataFrame, list[str], list[object]]:
    """The table as shown, with the status and reading codes of each row (for the colours)."""
    lang, cat = _session.lang(), _db.catalogue()
    out = []
    for r in pws.itertuples():
        out.append(
            {
                tr("common.desa"): _links.desa_url(r.unit_code, r.unit_name),
                tr("pws.col.sasaran"): fmt_int(r.sasaran, lang),
                tr("pws.col.target_people"): fmt_int(r.target_people, lang),
                tr("pws.col.last_month"): fmt_int(r.last_month, lang),
                tr("pws.col.this_month"): fmt_int(r.this_month, lang),
                tr("pws.col.cumulative"): fmt_int(r.cumulative, lang),
                tr("pws.col.cumulative_unit", unit=t("unit." + ind.unit, lang)): charts.fmt_value(
                    r.coverage, ind, lang
                ),
                tr("quality.flag.column"): qa.cell(
                    qa.reason("desa", r.unit_code, ind.code) or qa.reason("puskesmas", puskesmas, ind.code)
                ),
                tr("common.trend"): _format.trend_name(r.trend),
                tr("common.status"): charts.status_label(cat, r.status, ind, lang),
                tr("common.reading"): _format.pws_name(r.pws_reading),
                tr("common.gap"): fmt_int(r.gap, lang),
                tr("pws.col.per_month"): fmt_int(r.gap_per_month, lang),
            }
        )
    return pd.DataFrame(out), list(pws["status"]), list(pws["pws_reading"])


def table(pws: pd.DataFrame, ind: Indicator, puskesmas: str) -> None:
    frame, status, reading = rows(pws, ind, puskesmas)
    _projector.table(
        _format.styled(
            frame,
            {tr("common.status"): _format.status_colours(status), tr("common.reading"): _format.pws_colours(reading)},
        ),
        hide_index=True,
        width="stretch",
        height=_format.table_height(len(frame)),
        column_config={**qa.column(), **_links.desa_column(tr("common.desa"))},
    )


def caption(month: int) -> str:
    """What the columns count, the four readings as the catalogue defines them, the flat-trend rule."""
    lang, cat = _session.lang(), _db.catalogue()
    legend = "; ".join(
        tr("pws.legend_item", name=r.name.get(lang), meaning=r.meaning.get(lang)) for r in cat.status.pws
    )
    flat = cat.status.flat_trend_rule.get(lang) if cat.status.flat_trend_rule else ""
    text = tr("pws.caption", legend=legend, flat=flat)
    return text + (" " + tr("pws.december") if month >= 12 else "")


def chart(pws: pd.DataFrame, code: str, *, area: str, period: str, highlight: str | None = None) -> None:
    """The classic PWS chart per desa; the toggle draws it at projector size (figures.slides.pws_slide)."""
    if pws.empty:
        return
    lang, cat = _session.lang(), _db.catalogue()
    big = st.toggle(tr("pws.projector"), key="w_pws_projector", help=tr("pws.projector_help"))
    draw = slides.pws_slide if big else charts.pws_bars
    _format.chart(draw(pws, code, area=area, period=period, lang=lang, catalogue=cat, highlight=highlight))
