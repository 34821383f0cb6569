"""Who is signed in: the Streamlit side of ilp_metrics.security.accounts (Streamlit-only glue, like _shared).

Modes (ILP_AUTH, docs/security.md):
* demo  — the demo database (marked by the demo builder) or ILP_AUTH=demo: every visitor is the demo
          `dinas` account, with an "Akun demo" banner; nothing to type, so `make run` just works.
* local — accounts in the database; a first run with no admin shows the admin setup instead.
* oidc  — st.login against the Dinas's OpenID Connect provider; the email picks the account.
A signed-in local session keeps its username and clock in st.session_state (server side: the browser
never holds a token it could forge); every run re-reads the account, so a deactivated user or a changed
role takes effect at once, and the clock ends idle or old sessions.
"""

from __future__ import annotations

import streamlit as st

from ilp_metrics.security.accounts import (
    DEMO_PRINCIPAL,
    AuthError,
    auth_mode,
    load_principal,
    new_session,
    principal_for_oidc,
)
from ilp_metrics.security.scope import Principal

from . import _shared as ui

ANONYMOUS = Principal("anonim", "tamu", display_name="anonim")
LOGIN_URL = "masuk"  # pages/_masuk.py: the sign-in page when nobody is signed in, "my account" afterwards


def account_page(lang: str) -> st.Page:
    from pages import _masuk

    return st.Page(_masuk.page, title=ui.t("nav.account", lang), icon=":material/account_circle:", url_path=LOGIN_URL)


_KEY_USER, _KEY_SESSION, _KEY_PRINCIPAL, _KEY_NOTICE = "_auth_user", "_auth_session", "_principal", "_auth_notice"


def mode() -> str:
    """Asked without creating a missing database file (the pages then say how to create one)."""
    return auth_mode(ui.cursor() if ui.database_exists() else None)


def _oidc_identity() -> dict | None:
    try:
        info = st.user.to_dict()
    except Exception:  # no user info in this context
        return None
    return info if info.get("is_logged_in") else None


def resolve() -> Principal | None:
    """The signed-in principal for this run, or None (then the login page is shown)."""
    current = mode()
    if current == "demo":  # uploads keep the page's default uploader name ('dasbor')
        return DEMO_PRINCIPAL
    if current == "oidc":
        identity = _oidc_identity()
        if identity is None:
            return None
        try:
            found = principal_for_oidc(ui.cursor(), identity.get("email"), identity.get("name"))
        except AuthError as exc:
            st.session_state[_KEY_NOTICE] = (exc.code, exc.details)
            return None
        st.session_state["user"] = found.username
        return found
    name = st.session_state.get(_KEY_USER)
    if not name:
        return None
    session = st.session_state.get(_KEY_SESSION)
    if session is None or session.expired():
        sign_out(notice=("akun.expired", {}))
        return None
    found = load_principal(ui.cursor(), name)
    if found is None:  # deactivated or removed since the sign-in
        sign_out()
        return None
    st.session_state[_KEY_SESSION] = session.touched()
    return found


def sign_in(principal: Principal) -> None:
    st.session_state[_KEY_USER] = principal.username
    st.session_state[_KEY_SESSION] = new_session()
    st.session_state["user"] = principal.username


def sign_out(notice: tuple[str, dict] | None = None) -> None:
    for key in (_KEY_USER, _KEY_SESSION, _KEY_PRINCIPAL, "user"):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_KEY_NOTICE] = notice


def take_notice() -> tuple[str, dict] | None:
    return st.session_state.pop(_KEY_NOTICE, None)


def current() -> Principal:
    """The principal of this run (set by gate()); a page run on its own resolves it, else anonymous —
    the most restricted role, so a page that forgot to ask never shows more."""
    found = st.session_state.get(_KEY_PRINCIPAL)
    if found is None:
        found = resolve() or ANONYMOUS
    return found


def _simulated_runtime() -> bool:
    """AppTest runs scripts on a mock runtime and resets the pages-directory switch before every run, so
    the one-time switch-and-rerun below must not happen there (it would change the page between runs)."""
    try:
        from streamlit.runtime import Runtime

        return type(Runtime._instance).__module__.startswith("unittest.mock")
    except Exception:  # pragma: no cover
        return False


def gate(lang: str) -> Principal | None:
    """Called by dashboard.py before its navigation: the principal of this run, or None after drawing
    the sign-in (or the first run's admin setup) in place — without st.navigation, so no page, not even
    its name, is reachable before signing in."""
    found = resolve()
    if found is not None:
        st.session_state[_KEY_PRINCIPAL] = found
        return found
    st.session_state.pop(_KEY_PRINCIPAL, None)
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the switch
        PagesManager = None
    if PagesManager is not None and _simulated_runtime():
        PagesManager.uses_pages_directory = False  # AppTest resets the switch before every run itself
    elif (
        PagesManager is not None
        and PagesManager.uses_pages_directory is not False
        and not st.session_state.get("_auth_nav_switched")
    ):
        # A fresh server's first visitor runs in Streamlit's legacy mode for pages/ (its sidebar would
        # list the files). Switch the process to navigation mode, as _shared.ensure_dashboard does, and
        # rerun at once, before any widget is drawn: a switch between a click and its run would change
        # the page's identity and Streamlit would drop the click.
        PagesManager.uses_pages_directory = False
        st.session_state["_auth_nav_switched"] = True
        st.rerun()
    from pages import _masuk

    ui.language_picker()
    _masuk.page()
    return None


def badge() -> None:
    """Who is signed in (and the demo banner), with the sign-out button, in the sidebar."""
    who = current()
    if who.demo:
        # Markdown, not st.warning: page tests read the page's own warnings by position.
        st.sidebar.markdown(f":orange-background[:material/science: {ui.tr('akun.demo_banner')}]")
        return
    st.sidebar.caption(
        ui.tr("akun.signed_in_as", name=who.display_name or who.username, role=ui.tr(f"akun.role.{who.role}"))
    )
    if st.sidebar.button(ui.tr("akun.logout"), key="w_logout"):
        from ilp_metrics.security import audit

        audit.record_now(ui.cursor(), who.username, "logout", who.username, role=who.role)
        sign_out()
        if mode() == "oidc":
            st.logout()
        st.rerun()


def require(permission: str) -> Principal:
    """Stop a page the principal may not use, with a clear message."""
    who = current()
    if not who.can(permission):
        st.error(ui.tr("akun.forbidden"))
        st.stop()
    return who
