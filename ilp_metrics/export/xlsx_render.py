"""The tables behind the figures as an Excel workbook: kabupaten and puskesmas coverage, desa PWS
(not in public exports), and a sheet describing every indicator.

Numbers are written as numbers with Excel number formats (so they can be summed and charted), never
as formatted text — except suppressed small counts in public exports ("<5"). Every text cell that
comes from uploaded data (puskesmas and desa names) goes through `put`: a string starting with
`=`, `+`, `-`, `@`, a tab or a carriage return is stored as a plain string with Excel's quote prefix,
so Excel and LibreOffice show it as text and never evaluate it.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ilp_metrics.core.formatting import fmt_datetime
from ilp_metrics.core.i18n import t
from ilp_metrics.export.facts import Facts
from ilp_metrics.export.flags import FLAG, reasons_text
from ilp_metrics.export.privacy import SMALL_COUNT, is_small

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COUNT_FORMAT = "#,##0"
VALUE_FORMAT = "#,##0.0"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# One sheet row: each cell's value and its Excel number format (None: general / text).
SheetRow = list[tuple[Any, str | None]]


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one cell; text that a spreadsheet would read as a formula stays text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ws.cell(row, col)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif number_format:
        cell.number_format = number_format
    return cell


def _count(value: Any, public: bool) -> Any:
    return f"<{SMALL_COUNT}" if public and is_small(value) else value


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[SheetRow]) -> None:
    ws = wb.create_sheet(title[:31])
    for c, h in enumerate(headers, start=1):
        cell = put(ws, 1, c, h)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=2):
        for c, (value, fmt) in enumerate(values, start=1):
            put(ws, r, c, value, fmt)
    for c, h in enumerate(headers, start=1):
        longest = max([len(str(h))] + [len(str(v[c - 1][0])) for v in rows[:200] if v[c - 1][0] is not None])
        ws.column_dimensions[get_column_letter(c)].width = min(max(10, longest + 2), 48)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _flag_cell(facts: Facts, level: str, unit_code: str, indicator: str, public: bool) -> str | None:
    """The "Kualitas data" cell beside a coverage figure: ⚠ and why, or empty when the figure is clean."""
    reasons = facts.flag_reasons(level, unit_code, indicator, public)
    return f"{FLAG} {reasons_text(reasons, facts.lang, limit=3)}" if reasons else None


def _coverage_rows(frame: pd.DataFrame, facts: Facts, public: bool, unit_cols: list[str], level: str) -> list[SheetRow]:
    cat, lang = facts.catalogue, facts.lang
    out: list[SheetRow] = []
    for r in frame.itertuples(index=False):
        ind = cat.indicator(r.indicator)
        unit = t("unit." + ind.unit, lang)
        out.append(
            [(getattr(r, c), None) for c in unit_cols]
            + [
                (ind.cluster, "0"),
                (ind.code, None),
                (ind.name.get(lang), None),
                (_count(r.denominator, public), COUNT_FORMAT),
                (_count(r.numerator, public), COUNT_FORMAT),
                (r.coverage, VALUE_FORMAT),
                (_flag_cell(facts, level, r.unit_code, r.indicator, public), None),
                (r.target_to_date, VALUE_FORMAT),
                (unit, None),
                (cat.status.label(r.status, ind.polarity).get(lang), None),
                (_count(r.gap, public), COUNT_FORMAT),
                (r.projected_coverage, VALUE_FORMAT),
            ]
        )
    return out


def _coverage_headers(lang: str, unit_headers: list[str]) -> list[str]:
    keys = [
        "cluster",
        "code",
        "indicator",
        "denominator",
        "numerator",
        "coverage",
        "target",
        "unit",
        "status",
        "gap",
        "projection",
    ]
    headers = [t(f"export.xlsx.{k}", lang) for k in keys]
    return unit_headers + headers[:6] + [t("exportflag.column", lang)] + headers[6:]


def _frame_rows(frame: pd.DataFrame) -> list[SheetRow]:
    """Any table as sheet rows: integers as `#,##0`, other numbers as `#,##0.0`, text as (safe) text."""
    formats = [
        COUNT_FORMAT if pd.api.types.is_integer_dtype(t) else VALUE_FORMAT if pd.api.types.is_float_dtype(t) else None
        for t in frame.dtypes
    ]
    return [[(v, f) for v, f in zip(row, formats)] for row in frame.itertuples(index=False, name=None)]


def render_xlsx(
    facts: Facts,
    *,
    public: bool = False,
    desa: pd.DataFrame | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> bytes:
    """Workbook bytes. `desa` (from `facts.desa_figures`) is left out when `public`. `tables` adds one
    sheet per named table (e.g. the data-quality findings), its headers as given, after the coverage.
    Each coverage figure has a "Kualitas data" cell beside it: ⚠ and the reason when its data carry a
    high-severity finding (`facts.flags`), empty otherwise."""
    lang, cat = facts.lang, facts.catalogue
    wb = Workbook()
    info = wb.active
    info.title = t("export.xlsx.sheet_info", lang)[:31]
    lines = [
        (t("export.xlsx.info_area", lang), facts.area),
        (t("export.xlsx.info_period", lang), facts.period()),
        (t("export.xlsx.info_generated", lang), fmt_datetime(facts.generated, lang)),
        (t("export.xlsx.info_definitions", lang), t("export.closing_definitions", lang)),
    ]
    if public:
        lines.append((t("export.xlsx.info_public", lang), t("export.public_note", lang)))
    for r, (k, v) in enumerate(lines, start=1):
        put(info, r, 1, k).font = Font(bold=True)
        put(info, r, 2, v)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 24, 100

    kab = facts.kab.sort_values(["indicator"])
    kab = kab.assign(_c=kab["indicator"].map(lambda c: cat.indicator(c).cluster)).sort_values(["_c", "indicator"])
    _sheet(
        wb,
        t("export.xlsx.sheet_kabupaten", lang),
        _coverage_headers(lang, []),
        _coverage_rows(kab, facts, public, [], "kabupaten"),
    )
    pusk = facts.puskesmas.assign(_c=facts.puskesmas["indicator"].map(lambda c: cat.indicator(c).cluster))
    pusk = pusk.sort_values(["unit_name", "_c", "indicator"])
    _sheet(
        wb,
        t("export.xlsx.sheet_puskesmas", lang),
        _coverage_headers(lang, [t("export.xlsx.unit_code", lang), t("export.xlsx.puskesmas", lang)]),
        _coverage_rows(pusk, facts, public, ["unit_code", "unit_name"], "puskesmas"),
    )
    if not public and desa is not None and len(desa):
        names = dict(zip(facts.registry["puskesmas_code"], facts.registry["puskesmas_name"]))
        pws = {r.code: r.name.get(lang) for r in cat.status.pws}
        d = desa.assign(pusk_name=desa["parent_code"].map(names)).sort_values(["pusk_name", "unit_name", "indicator"])
        rows = [
            [
                (r.pusk_name, None),
                (r.unit_code, None),
                (r.unit_name, None),
                *base,
                (pws.get(r.pws_reading) if isinstance(r.pws_reading, str) else None, None),
            ]
            for r, base in zip(d.itertuples(index=False), _coverage_rows(d, facts, False, [], "desa"))
        ]
        _sheet(
            wb,
            t("export.xlsx.sheet_desa", lang),
            [
                t("export.xlsx.puskesmas", lang),
                t("export.xlsx.desa_code", lang),
                t("export.xlsx.desa", lang),
                *_coverage_headers(lang, []),
                t("export.xlsx.pws", lang),
            ],
            rows,
        )
    for title, frame in (tables or {}).items():
        _sheet(wb, title, [str(c) for c in frame.columns], _frame_rows(frame))
    ind_rows: list[SheetRow] = []
    for ind in cat.indicators:
        ind_rows.append(
            [
                (ind.code, None),
                (ind.cluster, "0"),
                (ind.name.get(lang), None),
                (t("export.xlsx.yes" if ind.spm else "export.xlsx.no", lang), None),
                (ind.definition.get(lang), None),
                (ind.target_pct, VALUE_FORMAT),
                (t("unit." + ind.unit, lang), None),
                (t("export.xlsx.higher" if ind.higher_is_better else "export.xlsx.lower", lang), None),
                (ind.target_source.get(lang), None),
                (ind.source, None),
            ]
        )
    _sheet(
        wb,
        t("export.xlsx.sheet_indicators", lang),
        [
            t(f"export.xlsx.{k}", lang)
            for k in (
                "code",
                "cluster",
                "indicator",
                "spm",
                "definition",
                "annual_target",
                "unit",
                "polarity",
                "target_source",
                "source",
            )
        ],
        ind_rows,
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
