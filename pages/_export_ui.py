"""Download buttons for the exports (PPTX, PDF, XLSX) and the chart image options; Streamlit glue only.

Files are built when the button is clicked (a callable as `data`), cached per database version and
filters, so a page never waits for an export nobody asked for.
"""

from __future__ import annotations

import re
from functools import partial

import streamlit as st

from ilp_metrics.export.deck import Deck, build_deck
from ilp_metrics.export.facts import Facts, gather
from ilp_metrics.security.scope import Principal
from pages import _auth, _db, _filters, _session
from pages._session import tr

# The cached calls' shared arguments: database path and version, kabupaten, year, month, language, public.
ExportArgs = tuple[str, int, str, int, int, str, bool]


@st.cache_data(show_spinner=False, max_entries=16)
def facts(path: str, ver: int, regency: str, year: int, month: int, lang: str, who: Principal) -> Facts:
    return gather(
        _db.cursor(), year=year, regency=regency, through=month, lang=lang, catalogue=_db.catalogue(), principal=who
    )


@st.cache_data(show_spinner=False, max_entries=16)
def deck(path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool, who: Principal) -> Deck:
    return build_deck(facts(path, ver, regency, year, month, lang, who), public=public, con=_db.cursor(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def export_bytes(
    path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool, fmt: str, who: Principal
) -> bytes:
    from ilp_metrics.export import render

    return render(_db.cursor(), fmt, facts(path, ver, regency, year, month, lang, who), public=public, principal=who)


def _export_and_record(args: ExportArgs, fmt: str, file_name: str) -> bytes:
    """The file's bytes, and an audit entry for the export (who took which file of which area)."""
    from ilp_metrics.security import audit

    who = _auth.current()
    data = export_bytes(*args, fmt, who)
    audit.record_now(
        _db.cursor(),
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
        return tr("export.pdf_missing_font")
    return None


def file_stem(area: str, year: int, month: int, public: bool) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", area.lower()).strip("-")
    return f"ilp-{slug}-{year}-{month:02d}" + ("-publik" if public else "")


def download_buttons(public: bool, formats: tuple[str, ...] = ("pptx", "pdf", "xlsx")) -> None:
    """One button per format, side by side; the PDF button explains itself when the font is missing.
    Only for accounts allowed to export; each file taken is written to the audit trail."""
    from ilp_metrics.export import MIME

    if not _auth.current().can("export"):
        return
    f = _filters.filters()
    args: ExportArgs = (
        str(_db.db_path()),
        _db.version(),
        f["regency"],
        int(f["year"]),
        int(f["month"]),
        _session.lang(),
        public,
    )
    stem = file_stem(_filters.area_name(), int(f["year"]), int(f["month"]), public)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats):
        if fmt == "pdf" and (problem := pdf_problem()):
            col.warning(problem)
            continue
        col.download_button(
            tr(f"presentasi.download_{fmt}"),
            data=partial(_export_and_record, args, fmt, f"{stem}.{fmt}"),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            on_click="ignore",
            key=f"w_dl_{fmt}",
            icon=":material/download:",
            width="stretch",
        )
