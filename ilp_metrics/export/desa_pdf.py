"""The desa's A4 page for the Pustu's monthly review: every indicator with its PWS position among the desa
of its puskesmas, the classic PWS chart of one indicator (bars per desa, this desa in full colour, the
target line), this desa's months and its quality flags. fpdf2 with the report's DejaVu font
(pdf_render); the chart is drawn with rectangles and lines, so no browser or image renderer is needed."""

from __future__ import annotations

import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.formatting import fmt_int, fmt_pct, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.export.flags import marked
from ilp_metrics.export.pdf_render import FLAG_INK, GREY, _Report, _rgb
from ilp_metrics.figures.charts import fmt_value, status_label
from ilp_metrics.metrics.desa import DesaFigures, pws_table

PALE = 0.45  # the other desa's bars: this share of their status colour, the rest white


def _pale(colour: str) -> tuple[int, int, int]:
    r, g, b = _rgb(colour)
    return tuple(int(255 - (255 - c) * PALE) for c in (r, g, b))  # type: ignore[return-value]


def _pws_chart(pdf: _Report, table: pd.DataFrame, code: str, highlight: str, catalogue: Catalogue) -> None:
    """Bars of cumulative coverage per desa, sorted as charts.pws_bars sorts them, the value above each bar,
    the target line dashed across with its label; this desa in its status colour, the others pale."""
    lang, ind = pdf.lang, catalogue.indicator(code)
    data = table.assign(_sort=table["coverage"].astype(float).fillna(-1.0)).sort_values(
        "_sort", ascending=not ind.higher_is_better, kind="stable"
    )
    values = [0.0 if pd.isna(v) else float(v) for v in data["coverage"]]
    targets = data["target_to_date"].dropna()
    target = float(targets.iloc[0]) if len(targets) else None
    top = max([*values, target or 0.0, 1.0]) * 1.15
    x0, y0, width, height = pdf.l_margin + 8, pdf.get_y() + 4, pdf.epw - 10, 55.0
    step = width / max(len(values), 1)
    pdf.set_draw_color(136, 136, 136)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    for k, (r, v) in enumerate(zip(data.itertuples(), values)):
        colour = catalogue.status.colour(r.status)
        fill = _rgb(colour) if r.unit_code == highlight else _pale(colour)
        h = height * v / top
        pdf.set_fill_color(*fill)
        pdf.rect(x0 + k * step + step * 0.15, y0 + height - h, step * 0.7, h, style="F")
        pdf.set_font("DejaVu", "B" if r.unit_code == highlight else "", 6.5)
        pdf.set_xy(x0 + k * step, y0 + height - h - 4)
        pdf.cell(step, 4, fmt_value(None if pd.isna(r.coverage) else r.coverage, ind, lang, 0), align="C")
        pdf.set_xy(x0 + k * step, y0 + height + 0.5)
        pdf.multi_cell(step, 2.8, str(r.unit_name), align="C")
    if target is not None:
        y = y0 + height - height * target / top
        pdf.set_draw_color(51, 51, 51)
        pdf.set_dash_pattern(dash=1.5, gap=1)
        pdf.line(x0, y, x0 + width, y)
        pdf.set_dash_pattern()
        pdf.set_font("DejaVu", "", 7)
        pdf.set_xy(x0 + width - 60, y - 4)
        key = "chart.target_at" if ind.higher_is_better else "chart.ceiling_at"
        pdf.cell(60, 4, t(key, lang, value=fmt_value(target, ind, lang)), align="R")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y0 + height + 12)


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
        _pws_chart(pdf, table, indicator, v.desa, cat)
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
