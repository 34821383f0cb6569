"""Masuk: sign in with a local account, the Dinas's identity provider, or create the first admin; once
signed in, the same URL (/masuk) is "my account". Functions, not a page file: a file in pages/ would be
run on its own by Streamlit's legacy handling of that folder, outside dashboard.py's gate."""

from __future__ import annotations

import streamlit as st

from ilp_metrics.security.accounts import AuthError, authenticate, create_first_admin, needs_first_admin, set_password
from pages import _auth
from pages import _shared as ui


def _notice() -> None:
    notice = _auth.take_notice()
    if notice:
        st.warning(ui.tr(notice[0], **notice[1]))


def _setup() -> None:
    st.title(ui.tr("akun.setup_title"))
    st.write(ui.tr("akun.setup_intro"))
    with st.form("setup"):
        name = st.text_input(ui.tr("akun.username"), value="admin", key="w_setup_user")
        first = st.text_input(ui.tr("akun.password"), type="password", key="w_setup_pw")
        again = st.text_input(ui.tr("akun.password_again"), type="password", key="w_setup_pw2")
        go = st.form_submit_button(ui.tr("akun.setup_button"), type="primary")
    if go:
        if first != again:
            st.error(ui.tr("akun.password_mismatch"))
            return
        try:
            admin = create_first_admin(ui.cursor(), name, first)
        except AuthError as exc:
            st.error(ui.tr(exc.code, **exc.details))
            return
        _auth.sign_in(admin)
        st.rerun()


def _login() -> None:
    st.title(ui.tr("akun.login_title"))
    _notice()
    with st.form("login"):
        name = st.text_input(ui.tr("akun.username"), key="w_login_user")
        password = st.text_input(ui.tr("akun.password"), type="password", key="w_login_pw")
        go = st.form_submit_button(ui.tr("akun.login_button"), type="primary")
    if go:
        try:
            who = authenticate(ui.cursor(), name, password)
        except AuthError as exc:
            st.error(ui.tr(exc.code, **exc.details))
            return
        _auth.sign_in(who)
        st.rerun()


def _oidc() -> None:
    st.title(ui.tr("akun.login_title"))
    st.write(ui.tr("akun.oidc_intro"))
    _notice()
    if _auth._oidc_identity() is not None:  # signed in at the provider, but no account here
        if st.button(ui.tr("akun.logout"), key="w_oidc_logout"):
            st.logout()
        return
    if st.button(ui.tr("akun.oidc_button"), type="primary", key="w_oidc_login"):
        try:
            st.login()
        except Exception:  # no [auth] section in .streamlit/secrets.toml
            st.error(ui.tr("akun.oidc_not_configured"))


def _account(who) -> None:
    """Signed in: who am I, what may I see, change my password, sign out."""
    st.title(ui.tr("akun.account_title"))
    st.write(ui.tr("akun.signed_in_as", name=who.display_name or who.username, role=ui.tr(f"akun.role.{who.role}")))
    st.write(ui.tr(f"akun.scope_of.{who.role}", own=who.puskesmas_code or ""))
    if _auth.mode() != "local":
        return
    with st.form("own_password", clear_on_submit=True):
        st.subheader(ui.tr("akun.own_password"))
        old = st.text_input(ui.tr("akun.password_old"), type="password", key="w_own_old")
        first = st.text_input(ui.tr("akun.password"), type="password", key="w_own_pw")
        again = st.text_input(ui.tr("akun.password_again"), type="password", key="w_own_pw2")
        go = st.form_submit_button(ui.tr("akun.save_button"))
    if go:
        if first != again:
            st.error(ui.tr("akun.password_mismatch"))
            return
        try:
            authenticate(ui.cursor(), who.username, old)  # the current password, with the lock-out rules
            set_password(ui.cursor(), who.username, first, actor=who.username)
        except AuthError as exc:
            st.error(ui.tr(exc.code, **exc.details))
            return
        st.success(ui.tr("akun.saved"))


def page() -> None:
    """The st.Page body (pages/_auth.py builds the page for dashboard.py)."""
    signed_in = st.session_state.get("_principal")
    if signed_in is not None:
        _account(signed_in)
    elif _auth.mode() == "oidc":
        _oidc()
    elif needs_first_admin(ui.cursor()):
        _setup()
    else:
        _login()
