"""Exports (issue 7): one set of figures (`facts.gather`), one deck model (`deck.build_deck`), rendered
as the Streamlit "Presentasi" page, PPTX, a PDF A4 report and an Excel workbook. No Streamlit here,
no network and no browser: python-pptx, fpdf2 (with Debian's DejaVu font) and openpyxl write the files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ilp_metrics.export.facts import Facts, NoData, desa_figures, gather
from ilp_metrics.security.scope import Principal

FORMATS = {".pptx": "pptx", ".pdf": "pdf", ".xlsx": "xlsx"}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(
    con: duckdb.DuckDBPyConnection, fmt: str, facts: Facts, *, public: bool = False, principal: Principal
) -> bytes:
    """The file's bytes in `fmt` (pptx, pdf or xlsx) from figures already gathered; desa detail only within
    the `principal`'s scope (ilp_metrics.security.scope), none when `public`. A principal without the export
    permission (a guest) gets the public showing only, as the public presentation shows it. Figures whose
    data carry high-severity quality findings (`facts.flags`) are marked ⚠ with the reason; the workbook also
    lists the findings."""
    from ilp_metrics.export.deck import build_deck

    public = public or not principal.can("export")

    if fmt == "pptx":
        from ilp_metrics.export.pptx_render import render_pptx

        return render_pptx(build_deck(facts, public=public, con=con, principal=principal))
    if fmt == "pdf":
        from ilp_metrics.export.pdf_render import render_pdf

        # The report uses the deck's footer only: no connection, so the comparison is not computed for nothing.
        return render_pdf(facts, build_deck(facts, public=public, principal=principal), public=public)
    if fmt == "xlsx":
        from ilp_metrics.core.i18n import t
        from ilp_metrics.export.flags import findings_table
        from ilp_metrics.export.xlsx_render import render_xlsx

        tables = {} if public else {t("exportflag.sheet", facts.lang): findings_table(facts, principal=principal)}
        return render_xlsx(
            facts, public=public, desa=None if public else desa_figures(con, facts, principal=principal), tables=tables
        )
    raise ValueError(f"unknown export format {fmt!r} (pptx, pdf or xlsx)")


def export_file(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    year: int,
    regency: str,
    through: int | None = None,
    lang: str = "id",
    public: bool = False,
    principal: Principal,
) -> Path:
    """Write one export; the format follows the file's suffix. The `principal` needs the export permission
    (checked before anything is read or written)."""
    principal.require("export")
    fmt = FORMATS.get(Path(out).suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown export format {Path(out).suffix!r} (.pptx, .pdf or .xlsx)")
    facts = gather(con, year=year, regency=regency, through=through, lang=lang, principal=principal)
    data = render(con, fmt, facts, public=public, principal=principal)
    Path(out).write_bytes(data)
    return Path(out)


__all__ = ["FORMATS", "MIME", "Facts", "NoData", "export_file", "gather", "render"]
