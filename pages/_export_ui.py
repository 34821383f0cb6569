"""Download buttons for the exports (PPTX, PDF, XLSX) and the chart image options; Streamlit glue only.

Files are built when the button is clicked (a callable as `data`), cached per database version and
filters, so a page never waits for an export nobody asked for. Streamlit runs that callable outside the
page run (no session state there), so the page run hands it the signed-in principal and its session
clock, and the callable checks again that the account is still active with the same role and that the
session has not expired before it builds anything; it is audited as that account (docs/security.md).
"""

from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

from ilp_metrics.export.deck import Deck, build_deck
from ilp_metrics.export.facts import Facts, gather
from ilp_metrics.security.accounts import Session, load_principal
from ilp_metrics.security.scope import Principal
from pages import _auth, _db, _filters, _session
from pages._session import tr

# The cached calls' shared arguments: database path and version, kabupaten, year, month, language, public.
ExportArgs = tuple[str, int, str, int, int, str, bool]


@st.cache_data(show_spinner=False, max_entries=16)
def facts(path: str, ver: int, regency: str, year: int, month: int, lang: str, who: Principal) -> Facts:
    """The exports' figures, from the very figure sets the pages cache (overview, findings, flags)."""
    from pages import _cache
    from pages import _quality as qa

    return gather(
        _db.cursor(),
        year=year,
        regency=regency,
        through=month,
        lang=lang,
        catalogue=_db.catalogue(),
        principal=who,
        view=_cache.overview_figures(path, ver, regency, year, month, who),
        found=qa.findings(path, ver, year, month, regency, lang, who),
        flags=qa.flags(path, ver, year, month, regency, lang, who),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def deck(path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool, who: Principal) -> Deck:
    from pages import _cache

    def monthly(codes: list[str], units: list[str]) -> pd.DataFrame:
        return _cache.compare_monthly(path, ver, tuple(codes), tuple(sorted(set(units))), who)

    return build_deck(
        facts(path, ver, regency, year, month, lang, who),
        public=public,
        con=_db.cursor(),
        principal=who,
        monthly=monthly,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def export_bytes(
    path: str, ver: int, regency: str, year: int, month: int, lang: str, public: bool, fmt: str, who: Principal
) -> bytes:
    from ilp_metrics.export import render

    return render(_db.cursor(), fmt, facts(path, ver, regency, year, month, lang, who), public=public, principal=who)


class ExportRefused(PermissionError):
    """The account that saw the button is no longer allowed to take the file (nothing is built)."""


def still_allowed(who: Principal, session: Session | None, mode: str) -> bool:
    """Whether the account that saw the download button may still take the file now: the demo account
    always; else a local session not expired, and the account still active with the same role and
    puskesmas (an OIDC guest without an account keeps the guest role only)."""
    if who.demo or mode == "demo":
        return True
    if mode == "local" and (session is None or session.expired()):
        return False
    now = load_principal(_db.cursor(), who.username)
    if now is None:
        return mode == "oidc" and who.role == "tamu"
    return (now.role, now.puskesmas_code) == (who.role, who.puskesmas_code)


def _export_and_record(
    args: ExportArgs, fmt: str, file_name: str, who: Principal, session: Session | None, mode: str
) -> bytes:
    """The file's bytes for `who` (handed over by the page run), and an audit entry for the export (who
    took which file of which area). Runs outside the page run: holds the database itself."""
    from ilp_metrics.security import audit

    with _db.held():
        if not (who.can("export") and still_allowed(who, session, mode)):
            raise ExportRefused(who.username)
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
    from ilp_metrics.export.fonts import MissingFont, find_font

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

    who = _auth.current()  # read here, in the page run: the download callable has no session state
    if not who.can("export"):
        return
    session = st.session_state.get(_session.KEY_SESSION)
    mode = _db.auth_mode()
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
            data=partial(_export_and_record, args, fmt, f"{stem}.{fmt}", who, session, mode),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            on_click="ignore",
            key=f"w_dl_{fmt}",
            icon=":material/download:",
            width="stretch",
        )
