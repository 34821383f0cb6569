"""Download buttons for the exports (PPTX, PDF, XLSX) and the chart image options; Streamlit glue only.

Files are built when the button is clicked (a callable as `data`), cached per database version and
filters, so a page never waits for an export nobody asked for.
"""

from __future__ import annotations

import re

import streamlit as st

from pages import _shared as ui


@st.cache_data(show_spinner=False, max_entries=16)
def facts(path: str, ver: int, regency: str, year: int, month: int, lang: str):
    from ilp_metrics.export import gather

    return gather(ui.cursor(), year=year, regency=regency, through=month, lang=lang, catalogue=ui.catalogue())


@st.cache_data(show_spinner=False, max_entries=16)
def deck(path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool):
    from ilp_metrics.export.deck import build_deck

    return build_deck(facts(path, ver, regency, year, month, lang), public=public, con=ui.cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def export_bytes(
    path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool, fmt: str, who
) -> bytes:
    from ilp_metrics.export import render

    return render(ui.cursor(), fmt, facts(path, ver, regency, year, month, lang), public=public, principal=who)


def _export_and_record(args: tuple, fmt: str, file_name: str) -> bytes:
    """The file's bytes, and an audit entry for the export (who took which file of which area)."""
    from ilp_metrics.security import audit

    who = ui.principal()
    data = export_bytes(*args, fmt, who)
    audit.record_now(
        ui.cursor(),
        who.username,
        "export",
        file_name,
        {"format": fmt, "kabupaten": args[2], "year": args[3], "month": args[4], "public": args[6]},
        role=who.role,
    )
    return data


def pdf_problem() -> str | None:
    """Why the PDF cannot be made here (the DejaVu font is missing), in the reader's language."""
    from ilp_metrics.export.pdf_render import MissingFont, find_font

    try:
        find_font()
    except MissingFont:
        return ui.tr("export.pdf_missing_font")
    return None


def file_stem(area: str, year: int, month: int, public: bool) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", area.lower()).strip("-")
    return f"ilp-{slug}-{year}-{month:02d}" + ("-publik" if public else "")


def download_buttons(public: bool, formats: tuple[str, ...] = ("pptx", "pdf", "xlsx")) -> None:
    """One button per format, side by side; the PDF button explains itself when the font is missing.
    Only for accounts allowed to export; each file taken is written to the audit trail."""
    from ilp_metrics.export import MIME

    if not ui.principal().can("export"):
        return
    f = ui.filters()
    args = (str(ui.db_path()), ui.version(), f["regency"], int(f["year"]), int(f["month"]), ui.lang(), public)
    stem = file_stem(ui.area_name(), int(f["year"]), int(f["month"]), public)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats):
        if fmt == "pdf" and (problem := pdf_problem()):
            col.warning(problem)
            continue
        col.download_button(
            ui.tr(f"presentasi.download_{fmt}"),
            data=lambda fmt=fmt: _export_and_record(args, fmt, f"{stem}.{fmt}"),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            on_click="ignore",
            key=f"w_dl_{fmt}",
            icon=":material/download:",
            width="stretch",
        )
