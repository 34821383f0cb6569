"""The printable A4 report: an overview (the overview page's figures), the PWS chart per puskesmas of the
deck's PWS slide, one section per ILP cluster and one page per puskesmas. fpdf2 with Debian's DejaVu TrueType font (Unicode: "–", "≥", "÷");
no browser needed. Public reports suppress small counts (the deck's rule) and carry no desa detail.
"""

from __future__ import annotations

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from ilp_metrics.core.formatting import fmt_date, fmt_datetime, fmt_int, fmt_num, month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.export.deck import Deck
from ilp_metrics.export.facts import Facts
from ilp_metrics.export.flags import footnote_lines, marked
from ilp_metrics.export.fonts import find_font
from ilp_metrics.export.privacy import count_text
from ilp_metrics.export.pws_pdf import draw_pws_chart
from ilp_metrics.figures.charts import fmt_value, status_label
from ilp_metrics.metrics.summary import summarise

ACCENT = (0, 114, 178)
GREY = (102, 102, 102)
FLAG_INK = (160, 69, 0)  # dark orange: the ⚠ footnotes


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _ink(colour: str) -> tuple[int, int, int]:
    r, g, b = _rgb(colour)
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (255, 255, 255)


class _Report(FPDF):
    def __init__(self, footer_text: str, lang: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        regular, bold = find_font()
        self.add_font("DejaVu", "", str(regular))
        self.add_font("DejaVu", "B", str(bold))
        self.footer_text, self.lang = footer_text, lang
        self.set_auto_page_break(True, margin=16)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, t("export.pdf_page", self.lang, n=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def para(self, text: str, size: float = 9.5, colour: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.set_font("DejaVu", "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def numbers(self, items: list[tuple[str, str]]) -> None:
        width = self.epw / max(len(items), 1)
        y = self.get_y()
        for k, (value, label) in enumerate(items):
            self.set_xy(self.l_margin + k * width, y)
            self.set_font("DejaVu", "B", 20)
            self.set_text_color(*ACCENT)
            self.cell(width - 3, 10, value)
            self.set_xy(self.l_margin + k * width, y + 10)
            self.set_font("DejaVu", "", 8.5)
            self.set_text_color(*GREY)
            self.multi_cell(width - 3, 4, label, align="L")
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, y + 24)

    def grid(
        self,
        headers: list[str],
        rows: list[list[str]],
        widths: list[float],
        colours: dict[tuple[int, int], str] | None = None,
        size: float = 8.5,
    ) -> None:
        """A table with one heading row; `colours` fills cells (row, column) with a status colour.

        Not named `table`: FPDF.table, used underneath, is a context manager with another signature."""
        self.set_font("DejaVu", "", size)
        head = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
        with self.table(
            col_widths=widths,
            headings_style=head,
            line_height=size * 0.5,
            text_align=["LEFT"] + ["RIGHT"] * (len(headers) - 1),
            padding=1,
            first_row_as_headings=True,
        ) as tab:
            row = tab.row()
            for h in headers:
                row.cell(h)
            for r, values in enumerate(rows):
                row = tab.row()
                for c, value in enumerate(values):
                    colour = (colours or {}).get((r, c))
                    if colour:
                        row.cell(
                            value,
                            style=FontFace(fill_color=_rgb(colour), color=_ink(colour), emphasis="BOLD"),
                            align="LEFT" if c == 0 else "CENTER",
                        )
                    else:
                        row.cell(value)
        self.ln(3)


def _flag_footnotes(pdf: _Report, figures: list[tuple[str, list[str]]], lang: str) -> None:
    """Below a table with ⚠: what the marker means and, per distinct reason, the figures it marks."""
    lines = footnote_lines(figures, lang)
    if lines:
        pdf.para("\n".join([t("exportflag.pdf_footnote", lang), *lines]), 7.5, FLAG_INK)


def _indicator_table(
    pdf: _Report, facts: Facts, frame: pd.DataFrame, codes: list[str], public: bool, level: str, unit_code: str
) -> None:
    """Coverage figures of one unit; a figure whose data carry high-severity findings reads `25,7 % ⚠`,
    the reasons in a footnote under the table."""
    lang, cat = facts.lang, facts.catalogue
    rows: list[list[str]] = []
    colours: dict[tuple[int, int], str] = {}
    flagged: list[tuple[str, list[str]]] = []
    for code in codes:
        hit = frame[frame["indicator"] == code]
        if hit.empty:
            continue
        r, ind = hit.iloc[0], cat.indicator(code)
        why = facts.flag_reasons(level, unit_code, code, public)
        flagged.append((ind.short_name.get(lang), why))
        colours[(len(rows), 5)] = cat.status.colour(r["status"])
        rows.append(
            [
                ind.short_name.get(lang),
                count_text(r["denominator"], lang, public),
                count_text(r["numerator"], lang, public),
                marked(fmt_value(r["coverage"], ind, lang), why),
                fmt_value(r["target_to_date"], ind, lang),
                status_label(cat, r["status"], ind, lang),
                count_text(r["gap"], lang, public),
                fmt_value(r["projected_coverage"], ind, lang),
            ]
        )
    headers = [
        t(k, lang)
        for k in (
            "common.indicator",
            "common.sasaran",
            "common.served",
            "common.coverage",
            "common.target_to_date",
            "common.status",
            "common.gap",
            "common.projection",
        )
    ]
    pdf.grid(headers, rows, [32, 13, 13, 13, 13, 23, 14, 13], colours, size=8)
    _flag_footnotes(pdf, flagged, lang)


def _cluster_table(pdf: _Report, facts: Facts, summary: pd.DataFrame) -> None:
    lang, cat = facts.lang, facts.catalogue
    rows: list[list[str]] = []
    colours: dict[tuple[int, int], str] = {}
    for cluster in cat.clusters:
        hit = summary[summary["cluster"] == cluster.code]
        if hit.empty:
            continue
        s = hit.iloc[0]
        colours[(len(rows), 0)] = cluster.colour
        rows.append(
            [
                f"{cluster.code}. {cluster.name.get(lang)}",
                f"{int(s['tercapai'])} / {int(s['indicators'])}",
                str(int(s["mendekati"])),
                str(int(s["di_bawah"])),
                str(int(s["tidak_ada_data"])),
                fmt_num(s["composite"], lang, 0),
            ]
        )
    headers = [
        t("export.pdf_cluster", lang),
        cat.status.level("tercapai").name.get(lang),
        cat.status.level("mendekati").name.get(lang),
        cat.status.level("di_bawah").name.get(lang),
        cat.status.level("tidak_ada_data").name.get(lang),
        t("export.pdf_composite", lang),
    ]
    pdf.grid(headers, rows, [44, 16, 16, 16, 16, 16], colours)


def _pws_page(pdf: _Report, facts: Facts, deck: Deck, public: bool) -> None:
    """The deck's PWS chart per puskesmas on a page of its own (export/pws_pdf.py draws it), with its rows:
    sasaran, target to date in people, cumulative, coverage, status."""
    chart = next((s.chart for s in deck.slides if s.chart is not None and s.chart.kind == "pws"), None)
    if chart is None or chart.table is None:
        return
    lang, cat = facts.lang, facts.catalogue
    ind, table = cat.indicator(chart.indicator), chart.table
    month = f"{month_name(facts.through, lang)} {facts.year}"
    pdf.add_page()
    pdf.heading(t("export.pdf_pws_heading", lang, indicator=ind.short_name.get(lang), month=month), 14)
    pdf.para(t("export.pdf_pws_why", lang), 8.5, GREY)
    draw_pws_chart(pdf, table, chart.indicator, lang=lang, catalogue=cat, height=95.0)
    colours = {(k, 5): cat.status.colour(r.status) for k, r in enumerate(table.itertuples())}
    pdf.grid(
        [
            t("common.puskesmas", lang),
            t("pws.col.sasaran", lang),
            t("pws.col.target_people", lang),
            t("pws.col.cumulative", lang),
            t("common.coverage", lang),
            t("common.status", lang),
        ],
        [
            [
                str(r.unit_name),
                count_text(r.sasaran, lang, public),
                count_text(r.target_people, lang, public),
                count_text(r.cumulative, lang, public),
                fmt_value(r.coverage, ind, lang),
                status_label(cat, r.status, ind, lang),
            ]
            for r in table.itertuples()
        ],
        [40, 24, 32, 24, 24, 36],
        colours,
        size=8,
    )


def render_pdf(facts: Facts, deck: Deck, *, public: bool = False) -> bytes:
    """The A4 report: overview, clusters, puskesmas. `deck` supplies the overview's headline numbers."""
    lang, cat = facts.lang, facts.catalogue
    pdf = _Report(deck.footer, lang)
    pdf.set_title(t("export.pdf_title", lang, area=facts.area))
    pdf.set_lang("id-ID" if lang == "id" else "en-US")
    month = f"{month_name(facts.through, lang)} {facts.year}"

    # ---------------------------------------------------------------- overview
    pdf.add_page()
    pdf.heading(t("export.pdf_title", lang, area=facts.area), 20)
    pdf.para(t("export.pdf_subtitle", lang, period=facts.period(), date=fmt_datetime(facts.generated, lang)), 10, GREY)
    if public:
        pdf.para(t("export.public_note", lang), 9, GREY)
    spm = facts.kab[facts.kab["indicator"].isin(facts.spm_codes)]
    pdf.numbers(
        [
            (
                t(
                    "overview.ilp_puskesmas_value",
                    lang,
                    n=fmt_int(facts.running, lang),
                    total=fmt_int(len(facts.registry), lang),
                ),
                t("overview.ilp_puskesmas", lang),
            ),
            (fmt_num(facts.readiness_district, lang), t("overview.readiness", lang)),
            (f"{int((spm['status'] == 'tercapai').sum())} / {len(facts.spm_codes)}", t("overview.spm_on_track", lang)),
            (count_text(spm["gap"].astype(float).sum(), lang, public), t("headline.services_gap", lang)),
        ]
    )
    pdf.heading(t("overview.clusters", lang), 13)
    _cluster_table(pdf, facts, facts.clusters)
    pdf.heading(t("overview.spm_table", lang, area=facts.area, month=month), 13)
    _indicator_table(pdf, facts, facts.kab, facts.spm_codes, public, "kabupaten", facts.regency)
    pdf.heading(t("headline.watch", lang), 13)
    if cat.figures.watch_rule is not None:
        pdf.para(t("headline.watch_rule", lang, rule=cat.figures.watch_rule.get(lang)), 8.5, GREY)
    ranked = facts.watch()
    behind = [(r.unit_name, facts.spm_flag_reasons("puskesmas", r.unit_code, public)) for r in ranked.itertuples()]
    pdf.grid(
        [
            t("common.puskesmas", lang),
            t("overview.spm_composite", lang),
            t("overview.spm_tercapai", lang),
            t("headline.total_services_gap", lang),
        ],
        [
            [
                marked(r.unit_name, why),
                fmt_num(r.composite, lang, 0),
                f"{r.on_target} / {len(facts.spm_codes)}",
                count_text(r.gap, lang, public),
            ]
            for r, (_, why) in zip(ranked.itertuples(), behind)
        ],
        [60, 40, 40, 40],
    )
    pdf.para(t("headline.services_gap_help", lang), 8, GREY)
    _flag_footnotes(pdf, behind, lang)

    _pws_page(pdf, facts, deck, public)

    # ---------------------------------------------------------------- clusters
    for cluster in cat.clusters:
        pdf.add_page()
        pdf.heading(t("export.cluster_title", lang, code=cluster.code, name=cluster.name.get(lang)), 16)
        pdf.para(cluster.scope.get(lang), 9, GREY)
        codes = [i.code for i in cat.indicators_in_cluster(cluster.code)]
        pdf.heading(t("export.pdf_district_figures", lang, area=facts.area, month=month), 12)
        _indicator_table(pdf, facts, facts.kab, codes, public, "kabupaten", facts.regency)
        # per puskesmas: the cluster's composite and indicators on target
        per = summarise(facts.puskesmas[facts.puskesmas["indicator"].isin(codes)], cat)
        if len(per):
            pdf.heading(t("export.pdf_cluster_by_puskesmas", lang), 12)
            per = per.sort_values("composite", na_position="last")
            pdf.grid(
                [t("common.puskesmas", lang), t("export.pdf_on_target", lang), t("export.pdf_composite", lang)],
                [
                    [r.unit_name, f"{int(r.tercapai)} / {int(r.indicators)}", fmt_num(r.composite, lang, 0)]
                    for r in per.itertuples()
                ],
                [80, 50, 50],
            )
        pdf.para(t("export.cluster_notes_intro", lang).rstrip(":") + ".", 8, GREY)

    # ---------------------------------------------------------------- one page per puskesmas
    readiness = dict(zip(facts.readiness_puskesmas["unit_code"], facts.readiness_puskesmas["readiness_index"]))
    for p in facts.registry.itertuples():
        pdf.add_page()
        pdf.heading(f"{t('common.puskesmas', lang)} {p.puskesmas_name}", 16)
        start = pd.Timestamp(p.ilp_start_date) if pd.notna(p.ilp_start_date) else None
        pdf.para(
            t(
                "export.pdf_puskesmas_line",
                lang,
                kecamatan=p.kecamatan,
                start=fmt_date(start.date(), lang) if start is not None else "–",
                cohort=t(f"export.cohort.{p.cohort}", lang) if p.cohort in ("pilot", "adopter") else (p.cohort or "–"),
                desa=fmt_int(p.desa, lang),
            ),
            9.5,
            GREY,
        )
        own = facts.puskesmas[facts.puskesmas["unit_code"] == p.puskesmas_code]
        own_spm = own[own["indicator"].isin(facts.spm_codes)]
        pdf.numbers(
            [
                (fmt_num(readiness.get(p.puskesmas_code), lang), t("overview.readiness", lang)),
                (
                    f"{int((own_spm['status'] == 'tercapai').sum())} / {len(facts.spm_codes)}",
                    t("overview.spm_on_track", lang),
                ),
                (count_text(own_spm["gap"].astype(float).sum(), lang, public), t("headline.services_gap", lang)),
            ]
        )
        pdf.heading(t("export.pdf_spm", lang, month=month), 12)
        _indicator_table(pdf, facts, own, facts.spm_codes, public, "puskesmas", p.puskesmas_code)
        pdf.heading(t("overview.clusters", lang), 12)
        _cluster_table(pdf, facts, summarise(own, cat))
    return bytes(pdf.output())
