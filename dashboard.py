"""Streamlit entrypoint: navigation and the shared sidebar; pages live in pages/ and stay thin."""

import streamlit as st

from ilp_metrics.i18n import t


def run() -> None:
    st.set_page_config(page_title="Dasbor ILP", layout="wide")
    lang = st.query_params.get("lang", "id")
    lang = lang if lang in ("id", "en") else "id"
    choice = st.sidebar.radio("Bahasa / Language", ["id", "en"], index=["id", "en"].index(lang),
                              format_func=lambda x: "Bahasa Indonesia" if x == "id" else "English", horizontal=True)
    st.query_params["lang"] = choice
    st.session_state["lang"] = choice
    page = st.navigation([st.Page("pages/beranda.py", title=t("app.home", choice), default=True)])
    page.run()


run()
