"""Streamlit entrypoint: navigation and the shared sidebar; pages live in pages/ and stay thin."""

import streamlit as st

from ilp_metrics.core.i18n import t
from pages import _auth, _shared


def run() -> None:
    st.set_page_config(page_title="Dasbor ILP", page_icon=":material/monitoring:", layout="wide")
    choice = _shared.language_from_state()
    st.session_state["_rerun_for_dashboard"] = False  # see _shared.ensure_dashboard
    who = _auth.gate(choice)  # not signed in: the sign-in (or first-run setup) is drawn instead, and None
    if who is None:
        return
    specs = [
        ("ringkasan", "nav.overview", ":material/dashboard:"),
        ("klaster", "nav.cluster", ":material/hub:"),
        ("puskesmas", "nav.puskesmas", ":material/local_hospital:"),
        ("perbandingan", "compare.nav", ":material/compare_arrows:"),
        ("kamus", "nav.dictionary", ":material/menu_book:"),
        ("unggah", "nav.upload", ":material/upload_file:"),
        ("kualitas", "nav.quality", ":material/fact_check:"),
        ("presentasi", "nav.presentasi", ":material/slideshow:"),
    ]
    # Each page's permission (ilp_metrics.security.scope.PERMISSIONS): the analysis pages need "dashboard"; a guest
    # (tamu) sees the public presentation and the indicator dictionary only.
    needs = {
        "presentasi": "view",
        "kamus": "view",
        "unggah": "upload",
        "pengguna": "manage_users",
        "audit": "audit",
        "cadangan": "backup",
    }
    specs += [
        ("pengguna", "nav.users", ":material/group:"),
        ("audit", "nav.audit", ":material/history:"),
        ("cadangan", "nav.backup", ":material/backup:"),
    ]
    pages = [
        st.Page(f"pages/{name}.py", title=t(key, choice), icon=icon, url_path=name, default=(name == "ringkasan"))
        for name, key, icon in specs
        if who.can(needs.get(name, "dashboard"))
    ]
    pages += [] if who.demo else [_auth.account_page(choice)]
    page = st.navigation(pages)
    _shared.language_picker()  # after st.navigation: widgets placed there keep their state across reruns
    _auth.badge()
    _shared.sidebar()
    _shared.chart_format_picker()  # issue 7: PNG or SVG from each chart's camera icon
    st.session_state["_in_dashboard"] = True
    try:
        page.run()
    finally:
        st.session_state["_in_dashboard"] = False


run()
