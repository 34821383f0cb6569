"""Streamlit entrypoint: navigation and the shared sidebar; pages live in pages/ and stay thin.

Everything goes through st.navigation (so Streamlit ignores its legacy handling of the `pages/` folder):
the signed-in principal's pages in the sidebar, or, before signing in, the sign-in alone in a hidden
navigation (pages/_auth.gate).
"""

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ilp_metrics.core import warm
from ilp_metrics.core.i18n import t

PAGES = Path(__file__).resolve().parent / "pages"
# A bundled image: an icon name or emoji as page_icon makes the browser fetch the favicon from the internet.
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
SPECS = [
    ("ringkasan", "nav.overview", ":material/dashboard:"),
    ("klaster", "nav.cluster", ":material/hub:"),
    ("puskesmas", "nav.puskesmas", ":material/local_hospital:"),
    ("desa", "nav.desa", ":material/holiday_village:"),
    ("perbandingan", "compare.nav", ":material/compare_arrows:"),
    ("kamus", "nav.dictionary", ":material/menu_book:"),
    ("unggah", "nav.upload", ":material/upload_file:"),
    ("kualitas", "nav.quality", ":material/fact_check:"),
    ("presentasi", "nav.presentasi", ":material/slideshow:"),
    ("pengguna", "nav.users", ":material/group:"),
    ("audit", "nav.audit", ":material/history:"),
    ("cadangan", "nav.backup", ":material/backup:"),
]
# Each page's permission (ilp_metrics.security.scope.PERMISSIONS): the analysis pages need "dashboard"; a guest
# (tamu) sees the public presentation and the indicator dictionary only.
NEEDS = {
    "presentasi": "view",
    "kamus": "view",
    "unggah": "upload",
    "pengguna": "manage_users",
    "audit": "audit",
    "cadangan": "backup",
}


def run() -> None:
    from pages import _auth, _filters, _format, _projector, _session  # see main()

    st.set_page_config(page_title="Dasbor ILP", page_icon=str(FAVICON), layout="wide")
    _projector.apply()  # issue 18: folds the sidebar and sets large type when projector mode is on
    choice = _session.language_from_state()
    st.session_state[_session.KEY_TO_DASHBOARD] = False  # see _filters.ensure_dashboard
    who = _auth.gate(choice, [name for name, _, _ in SPECS])  # not signed in: the sign-in ran instead, and None
    if who is None:
        return
    pages = [
        st.Page(PAGES / f"{name}.py", title=t(key, choice), icon=icon, url_path=name, default=(name == "ringkasan"))
        for name, key, icon in SPECS
        if who.can(NEEDS.get(name, "dashboard"))
    ]
    pages += [] if who.demo else [_auth.account_page(choice)]
    page = st.navigation(pages)
    _session.language_picker()  # after st.navigation: widgets placed there keep their state across reruns
    _auth.badge()
    _filters.sidebar(who)
    _projector.switch()
    _format.chart_format_picker()  # issue 7: PNG or SVG from each chart's camera icon
    st.session_state[_session.KEY_IN_DASHBOARD] = True
    try:
        page.run()
    finally:
        st.session_state[_session.KEY_IN_DASHBOARD] = False


def main() -> None:
    """One run, holding the database only while it lasts (pages/_db.py: the command line runs beside)."""
    # The pages' modules are imported by the first run, not when Streamlit imports this file at server start
    # (below): there is no runtime yet then, and their st.cache_data functions would warn of it.
    from pages import _db, _session

    try:
        with _db.held():
            run()
    except _db.DatabaseBusy:
        st.error(t("db.busy", _session.lang()))


if get_script_run_ctx(suppress_warning=True) is None:
    # Imported, not run: `streamlit run dashboard.py` finds the st.App below and imports this file once at
    # server start to serve it. That is the moment to say that `pages/` is no legacy page folder (app.py
    # explains why), so that the first visitor of a fresh server never sees its modules listed in the
    # sidebar. No route of its own: app.py adds the session route (`make run`).
    PagesManager.uses_pages_directory = False
    warm.start_warming()  # the first visitor then waits for the figures, not for imports
    app = st.App(__file__)
else:
    main()
