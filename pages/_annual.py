"""The Klaster page's section of annual figures: what an uploaded annual table (Profil Kesehatan, annual
SPM recap) says about the year, per indicator for the kabupaten and each puskesmas. A year figure, not a
PWS curve. The figures come from ilp_metrics.metrics.annual.annual_figures. Streamlit-only."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ilp_metrics.catalogue import Indicator
from ilp_metrics.core.formatting import fmt_int
from ilp_metrics.figures import charts
from ilp_metrics.metrics.annual import AnnualFigures
from pages import _db, _format, _session
from pages._session import tr


def _row(name: str, r: Any, ind: Indicator, lang: str) -> dict[str, str]:
    return {
        tr("annual.col.area"): name,
        tr("common.coverage"): charts.fmt_value(r.coverage, ind, lang),
        tr("common.annual_target"): charts.fmt_value(r.annual_target, ind, lang),
        tr("annual.col.numerator"): fmt_int(r.numerator, lang),
        tr("annual.col.denominator"): fmt_int(r.denominator, lang),
        tr("common.status"): charts.status_label(_db.catalogue(), r.status, ind, lang),
    }


def section(figures: AnnualFigures, cluster: int, area: str) -> None:
    """The cluster's indicators with annual figures: a line with the kabupaten figure and a table with
    the kabupaten and one row per puskesmas. Nothing of this cluster: a pointer to the clusters that have some."""
    lang, cat = _session.lang(), _db.catalogue()
    codes = [c for c in figures.codes if cat.indicator(c).cluster == cluster]
    if not codes:
        others = sorted({cat.indicator(c).cluster for c in figures.codes})
        st.caption(tr("annual.other_clusters", year=figures.year, clusters=", ".join(str(c) for c in others)))
        return
    st.subheader(tr("annual.title", year=figures.year))
    st.caption(tr("annual.caption", year=figures.year))
    for code in codes:
        ind = cat.indicator(code)
        kab, pusk = figures.of(code)
        st.markdown(
            tr(
                "annual.kabupaten",
                indicator=ind.short_name.get(lang),
                area=area,
                coverage=charts.fmt_value(kab["coverage"], ind, lang),
                numerator=fmt_int(kab["numerator"], lang),
                denominator=fmt_int(kab["denominator"], lang),
                target=charts.fmt_value(kab["annual_target"], ind, lang),
            )
        )
        rows = [_row(area, kab, ind, lang)] + [_row(str(r.unit_name), r, ind, lang) for r in pusk.itertuples()]
        status = [str(kab["status"]), *(str(s) for s in pusk["status"])]
        st.dataframe(
            _format.styled(pd.DataFrame(rows), {tr("common.status"): _format.status_colours(status)}),
            hide_index=True,
            width="stretch",
            height=_format.table_height(len(rows)),
            key=f"annual_{code}",
        )
