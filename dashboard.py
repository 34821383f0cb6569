"""Streamlit entrypoint: navigation and the shared sidebar; pages live in pages/ and stay thin."""

import streamlit as st

from ilp_metrics.i18n import t
from pages import _shared


def run() -> None:
    st.set_page_config(page_title="Dasbor ILP", page_icon=":material/monitoring:", layout="wide")
    lang = st.query_params.get("lang", st.session_state.get("lang", "id"))
    lang = lang if lang in _shared.LANGS else "id"
    choice = st.sidebar.radio("Bahasa / Language", list(_shared.LANGS), index=list(_shared.LANGS).index(lang),
                              format_func=lambda x: "Bahasa Indonesia" if x == "id" else "English",
                              horizontal=True, key="w_lang")
    st.query_params["lang"] = choice
    st.session_state["lang"] = choice
    st.session_state["_rerun_for_dashboard"] = False  # see _shared.ensure_dashboard
    specs = [("ringkasan", "nav.overview", ":material/dashboard:"), ("klaster", "nav.cluster", ":material/hub:"),
             ("puskesmas", "nav.puskesmas", ":material/local_hospital:"),
             ("kamus", "nav.dictionary", ":material/menu_book:"), ("unggah", "nav.upload", ":material/upload_file:")]
    import pathlib  # DEV-GUARD: drop the existence filter when every page file exists

    pages = [st.Page(f"pages/{name}.py", title=t(key, choice), icon=icon, url_path=name, default=(name == "ringkasan"))
             for name, key, icon in specs if pathlib.Path(f"pages/{name}.py").exists()]
    page = st.navigation(pages)
    _shared.sidebar()
    st.session_state["_in_dashboard"] = True
    try:
        page.run()
    finally:
        st.session_state["_in_dashboard"] = False


run()
