"""The desa's A4 page for the Pustu's monthly review: every indicator with its PWS position among the desa
of its puskesmas, the classic PWS chart of one indicator (bars per desa, this desa in full colour, the
target line), this desa's months and its quality flags. fpdf2 with the report's DejaVu font
(pdf_render); the chart is drawn with rectangles and lines (export/pws_pdf.py), so no browser or image
renderer is needed."""

from __future__ import annotations

import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.formatting import fmt_int, fmt_pct, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.export.flags import marked
from ilp_metrics.export.pdf_render import FLAG_INK, GREY, _Report
from ilp_metrics.export.pws_pdf import draw_pws_chart
from ilp_metrics.figures.charts import fmt_value, status_label
from ilp_metrics.metrics.desa import DesaFigures, pws_table


def desa_pdf(
    figures: DesaFigures,
    indicator: str,
    *,
    lang: str,
    catalogue: Catalogue,
    flags: pd.DataFrame | None = None,
) -> bytes:
    """The desa's A4 report: the figures the desa page shows, for one desa and the period of `figures`;
    `indicator` is the one drawn as the PWS chart and month by month; `flags` the desa's flag rows
    (quality.figure_flags), listed at the end."""
    cat, v = catalogue, figures
    month = f"{month_name(v.through, lang)} {v.year}"
    footer = t("desa.pdf_title", lang, name=v.desa_name, month=month)
    pdf = _Report(footer, lang)
    pdf.set_title(footer)
    pdf.set_lang("id-ID" if lang == "id" else "en-US")
    pdf.add_page()
    pdf.heading(t("desa.title", lang, name=v.desa_name), 18)
    pdf.para(
        t("desa.profile", lang, puskesmas=v.puskesmas_name, kecamatan=v.kecamatan.title(), code=v.desa, month=month),
        9.5,
        GREY,
    )
    flagged = flags if flags is not None else pd.DataFrame(columns=["indicator", "reason"])
    every = [str(x) for x in flagged.loc[flagged["indicator"].isna(), "reason"]]  # flags of every indicator
    reasons = flagged.dropna(subset=["indicator"]).groupby("indicator")["reason"].apply(list).to_dict()
    rows: list[list[str]] = []
    colours: dict[tuple[int, int], str] = {}
    for r in v.indicators.itertuples():
        ind = cat.indicator(r.indicator)
        why = every + [str(x) for x in reasons.get(r.indicator, [])]
        colours[(len(rows), 4)] = cat.status.colour(r.status)
        rows.append(
            [
                ind.short_name.get(lang),
                marked(fmt_value(r.coverage, ind, lang), why),
                fmt_value(r.target_to_date, ind, lang),
                fmt_int(r.numerator, lang),
                status_label(cat, r.status, ind, lang),
                t("desa.position_value", lang, rank=r.rank, n=r.desa) if pd.notna(r.rank) else "–",
                fmt_int(r.gap, lang),
                fmt_pct(r.gap_share * 100, lang, 0) if r.gap_share is not None and pd.notna(r.gap_share) else "–",
            ]
        )
    headers = [
        t("common.indicator", lang),
        t("common.coverage", lang),
        t("common.target_to_date", lang),
        t("pws.col.cumulative", lang),
        t("common.status", lang),
        t("desa.col.position", lang),
        t("common.gap", lang),
        t("desa.col.gap_share", lang),
    ]
    pdf.heading(t("desa.indicators", lang, month=month), 12)
    pdf.grid(headers, rows, [38, 18, 18, 17, 27, 17, 15, 22], colours, size=7.5)
    pdf.para(t("desa.position_caption", lang), 7.5, GREY)

    ind = cat.indicator(indicator)
    table = pws_table(v.table(indicator, cat), cat)
    pdf.add_page()
    pdf.heading(t("pws.section", lang, indicator=ind.short_name.get(lang), month=month), 12)
    if len(table):
        draw_pws_chart(pdf, table, indicator, lang=lang, catalogue=cat, highlight=v.desa)
    series = v.series(indicator)
    pdf.heading(t("desa.monthly", lang), 12)
    pdf.grid(
        [
            t("filter.month", lang),
            t("pws.col.this_month", lang),
            t("pws.col.cumulative", lang),
            t("common.coverage", lang),
            t("common.target_to_date", lang),
            t("common.status", lang),
        ],
        [
            [
                month_name(int(r.month), lang),
                fmt_int(r.numerator_month, lang),
                fmt_int(r.numerator, lang),
                fmt_value(r.coverage, ind, lang),
                fmt_value(r.target_to_date, ind, lang),
                status_label(cat, r.status, ind, lang),
            ]
            for r in series.itertuples()
        ],
        [30, 26, 26, 30, 30, 38],
    )
    pdf.heading(t("desa.flags", lang), 12)
    if flags is None or flags.empty:
        pdf.para(t("desa.no_flags", lang), 9, GREY)
    else:
        pdf.para("\n".join(f"⚠ {x}" for x in dict.fromkeys(flags["reason"])), 8, FLAG_INK)
    return bytes(pdf.output())
