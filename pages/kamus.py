"""Kamus indikator: what every figure means — definition, numerator, denominator, target, source."""

from __future__ import annotations

import streamlit as st

from ilp_metrics.catalogue import Indicator, normalise_label
from ilp_metrics.figures.charts import fmt_value
from pages import _db, _filters, _session
from pages._session import tr

_filters.ensure_dashboard(__file__)
lang, cat = _session.lang(), _db.catalogue()
st.title(tr("dict.title"))
st.caption(tr("dict.caption", n=len(cat.indicators), clusters=len(cat.clusters)))

query = st.text_input(tr("dict.search"), key="w_dict_search")
options = [0] + [c.code for c in cat.clusters]
cluster = st.selectbox(
    tr("dict.cluster_filter"),
    options,
    format_func=lambda c: tr("dict.all") if c == 0 else f"{c}. {cat.cluster(c).name.get(lang)}",
    key="w_dict_cluster",
)


def _numerator(ind: Indicator) -> str:
    num = ind.numerator
    if num.services:
        what = ", ".join(cat.service(s).name.get(lang) for s in num.services)
    else:
        assert num.readiness_item is not None  # the catalogue's rule: services or one readiness item
        what = cat.readiness_item(num.readiness_item).name.get(lang)
    parts = [what]
    if num.age_years is not None:
        lo, hi = num.age_years.min, num.age_years.max
        parts.append(
            f"{lo if lo is not None else 0}–{hi if hi is not None else '…'} th"
            if lang == "id"
            else f"aged {lo if lo is not None else 0}–{hi if hi is not None else '…'}"
        )
    if num.sex:
        parts.append(num.sex)
    if num.result_in:
        parts.append("/".join(num.result_in))
    if num.min_events:
        parts.append(f"≥ {num.min_events}×")
    return " · ".join(parts)


def _denominator(ind: Indicator) -> str:
    den = ind.denominator
    if den.target_group:
        text = cat.target_group(den.target_group).name.get(lang)
    elif den.indicator:
        text = cat.indicator(den.indicator).short_name.get(lang)
    else:
        assert den.readiness_item is not None  # exactly one of the three (Denominator)
        text = cat.readiness_item(den.readiness_item).name.get(lang)
    return text if den.factor == 1 else f"{text} × {den.factor:g}"


def _haystack(ind: Indicator) -> str:
    return normalise_label(
        " ".join(
            [
                ind.code,
                ind.name.id,
                ind.name.en,
                ind.short_name.id,
                ind.short_name.en,
                ind.definition.get(lang),
                _numerator(ind),
                _denominator(ind),
            ]
        )
    )


needle = normalise_label(query) if query else ""
shown = [i for i in cat.indicators if (cluster == 0 or i.cluster == cluster) and (not needle or needle in _haystack(i))]
if not shown:
    st.info(tr("dict.none_found"))
for ind in shown:
    label = f"**{ind.code}** · {ind.name.get(lang)}" + (f" · {tr('dict.spm')}" if ind.spm else "")
    with st.expander(label, expanded=bool(needle) and len(shown) <= 3):
        st.markdown(f"**{tr('dict.definition')}.** {ind.definition.get(lang)}")
        cols = st.columns(3)
        cols[0].markdown(
            f"**{tr('dict.numerator')}**  \n{_numerator(ind)}  \n"
            f"_{cat.methods.describe('count', ind.numerator.count).get(lang)}_"
        )
        cols[1].markdown(f"**{tr('dict.denominator')}**  \n{_denominator(ind)}")
        overrides = [o for o in cat.overrides if o.indicator == ind.code]
        target = f"**{tr('dict.target')}**  \n{fmt_value(ind.target_pct, ind, lang)} — {ind.target_source.get(lang)}"
        if overrides:
            items = "; ".join(
                f"{o.year}{' ' + o.regency if o.regency else ''}: {fmt_value(o.target_pct, ind, lang)}"
                for o in overrides
            )
            target += "  \n" + tr("dict.overrides", items=items)
        cols[2].markdown(target)
        st.caption(
            f"{tr('common.cluster')} {ind.cluster} {cat.cluster(ind.cluster).name.get(lang)} · "
            f"{cat.methods.describe('accumulation', ind.accumulation).get(lang)} · "
            f"{cat.methods.describe('polarity', ind.polarity).get(lang)} · "
            f"{tr('dict.source')}: {ind.source}"
        )

st.subheader(tr("dict.rules"))
for _code, text in cat.figures.rules:
    st.markdown(f"- {text.get(lang)}")
