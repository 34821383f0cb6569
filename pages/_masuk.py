"""Masuk: sign in with a local account, the Dinas's identity provider, or create the first admin; once
signed in, the same URL (/masuk) is "my account". Functions, not a page file: pages/_auth.py runs
`page` through st.navigation, inside dashboard.py's gate. Imports _session and _db only (no circle)."""

from __future__ import annotations

import streamlit as st

from ilp_metrics.security.accounts import (
    AuthError,
    account_stamp,
    authenticate,
    create_first_admin,
    needs_first_admin,
    set_password,
)
from ilp_metrics.security.scope import Principal
from ilp_metrics.security.sessions import STORE
from pages import _db, _session
from pages._session import tr


def _notice() -> None:
    notice = _session.take_notice()
    if notice:
        st.warning(tr(notice[0], **notice[1]))


def _keep(who: Principal) -> None:
    """Signed in, in a session a reload or a new tab restores (the next run hands the browser its
    one-time ticket for the HttpOnly cookie, pages/_auth.py)."""
    sid = STORE.start(who.username, account_stamp(_db.cursor(), who.username) or "")
    _session.sign_in(who, sid=sid)
    st.session_state[_session.KEY_TICKET] = True


def _setup() -> None:
    st.title(tr("akun.setup_title"))
    st.write(tr("akun.setup_intro"))
    with st.form("setup"):
        name = st.text_input(tr("akun.username"), value="admin", key="w_setup_user")
        first = st.text_input(tr("akun.password"), type="password", key="w_setup_pw")
        again = st.text_input(tr("akun.password_again"), type="password", key="w_setup_pw2")
        go = st.form_submit_button(tr("akun.setup_button"), type="primary")
    if go:
        if first != again:
            st.error(tr("akun.password_mismatch"))
            return
        try:
            admin = create_first_admin(_db.cursor(), name, first)
        except AuthError as exc:
            st.error(tr(exc.code, **exc.details))
            return
        _keep(admin)
        st.rerun()


def _login() -> None:
    st.title(tr("akun.login_title"))
    _notice()
    with st.form("login"):
        name = st.text_input(tr("akun.username"), key="w_login_user")
        password = st.text_input(tr("akun.password"), type="password", key="w_login_pw")
        go = st.form_submit_button(tr("akun.login_button"), type="primary")
    if go:
        try:
            who = authenticate(_db.cursor(), name, password)
        except AuthError as exc:
            st.error(tr(exc.code, **exc.details))
            return
        _keep(who)
        st.rerun()


def _oidc() -> None:
    st.title(tr("akun.login_title"))
    st.write(tr("akun.oidc_intro"))
    _notice()
    if _session.oidc_identity() is not None:  # signed in at the provider, but no account here
        if st.button(tr("akun.logout"), key="w_oidc_logout"):
            st.logout()
        return
    if st.button(tr("akun.oidc_button"), type="primary", key="w_oidc_login"):
        try:
            st.login()
        except Exception:  # no [auth] section in .streamlit/secrets.toml
            st.error(tr("akun.oidc_not_configured"))


def _account(who: Principal) -> None:
    """Signed in: who am I, what may I see, change my password, sign out."""
    st.title(tr("akun.account_title"))
    st.write(tr("akun.signed_in_as", name=who.display_name or who.username, role=tr(f"akun.role.{who.role}")))
    st.write(tr(f"akun.scope_of.{who.role}", own=who.puskesmas_code or ""))
    if _db.auth_mode() != "local":
        return
    with st.form("own_password", clear_on_submit=True):
        st.subheader(tr("akun.own_password"))
        old = st.text_input(tr("akun.password_old"), type="password", key="w_own_old")
        first = st.text_input(tr("akun.password"), type="password", key="w_own_pw")
        again = st.text_input(tr("akun.password_again"), type="password", key="w_own_pw2")
        go = st.form_submit_button(tr("akun.save_button"))
    if go:
        if first != again:
            st.error(tr("akun.password_mismatch"))
            return
        try:
            authenticate(_db.cursor(), who.username, old)  # the current password, with the lock-out rules
            set_password(_db.cursor(), who.username, first, actor=who.username)
        except AuthError as exc:
            st.error(tr(exc.code, **exc.details))
            return
        STORE.end_user(who.username)  # every kept session (other tabs, other browsers) ends; this one renews
        _keep(who)
        st.success(tr("akun.saved"))


def page() -> None:
    """The st.Page body (pages/_auth.py builds the page: the sign-in before, "my account" after)."""
    signed_in = _session.stored_principal()
    if signed_in is not None:
        _account(signed_in)
    elif _db.auth_mode() == "oidc":
        _oidc()
    elif needs_first_admin(_db.cursor()):
        _setup()
    else:
        _login()
