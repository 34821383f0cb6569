"""The classic PWS chart drawn in an A4 report with fpdf2 rectangles and lines (no browser, no image
renderer): one bar per desa or puskesmas of cumulative coverage, sorted as charts.pws_bars sorts them, the
value above each bar, the target line dashed across with its label. The desa page's report draws it with
its desa in full colour and the others pale; the kabupaten report draws every puskesmas in full colour."""

from __future__ import annotations

import pandas as pd
from fpdf import FPDF

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.i18n import t
from ilp_metrics.figures.charts import fmt_value

PALE = 0.45  # the other units' bars when one is highlighted: this share of their status colour, the rest white


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _pale(colour: str) -> tuple[int, int, int]:
    r, g, b = _rgb(colour)
    return int(255 - (255 - r) * PALE), int(255 - (255 - g) * PALE), int(255 - (255 - b) * PALE)


def draw_pws_chart(
    pdf: FPDF,
    table: pd.DataFrame,
    code: str,
    *,
    lang: str,
    catalogue: Catalogue,
    highlight: str | None = None,
    height: float = 55.0,
) -> None:
    """Draw the chart of a PWS table (metrics.desa.pws_table) at the current position, `height` mm of bars;
    `highlight` a unit code drawn full, the others pale (None: all full). The DejaVu font must be added."""
    ind = catalogue.indicator(code)
    data = table.assign(_sort=table["coverage"].astype(float).fillna(-1.0)).sort_values(
        "_sort", ascending=not ind.higher_is_better, kind="stable"
    )
    values = [0.0 if pd.isna(v) else float(v) for v in data["coverage"]]
    targets = data["target_to_date"].dropna()
    target = float(targets.iloc[0]) if len(targets) else None
    top = max([*values, target or 0.0, 1.0]) * 1.15
    x0, y0, width = pdf.l_margin + 8, pdf.get_y() + 4, pdf.epw - 10
    step = width / max(len(values), 1)
    names = [str(n) for n in data["unit_name"]]
    pdf.set_font("DejaVu", "", 6.5)
    slanted = any(pdf.get_string_width(n) > step * 0.95 for n in names)  # names too long to sit under a bar
    pdf.set_draw_color(136, 136, 136)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    for k, (r, v, name) in enumerate(zip(data.itertuples(), values, names)):
        colour = catalogue.status.colour(r.status)
        full = highlight is None or r.unit_code == highlight
        pdf.set_fill_color(*(_rgb(colour) if full else _pale(colour)))
        h = height * v / top
        pdf.rect(x0 + k * step + step * 0.15, y0 + height - h, step * 0.7, h, style="F")
        pdf.set_font("DejaVu", "B" if highlight is not None and full else "", 6.5)
        pdf.set_xy(x0 + k * step, y0 + height - h - 4)
        pdf.cell(step, 4, fmt_value(None if pd.isna(r.coverage) else r.coverage, ind, lang, 0), align="C")
        pdf.set_font("DejaVu", "", 6.5)
        if slanted:  # read upwards from the bar's foot, as the page's slanted ticks
            foot_x = x0 + k * step + step * 0.5
            with pdf.rotation(40, foot_x, y0 + height + 2):
                pdf.set_xy(foot_x - pdf.get_string_width(name) - 1, y0 + height + 0.5)
                pdf.cell(pdf.get_string_width(name) + 1, 3, name, align="R")
        else:
            pdf.set_xy(x0 + k * step, y0 + height + 0.5)
            pdf.multi_cell(step, 2.8, name, align="C")
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
    pdf.set_fill_color(255, 255, 255)  # a table drawn next fills its plain cells with the current colour
    below = max(pdf.get_string_width(n) for n in names) * 0.65 + 6 if slanted and names else 12
    pdf.set_xy(pdf.l_margin, y0 + height + below)
