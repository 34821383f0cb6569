"""The session's state: its language, who is signed in, and the keys under which both are kept.

A leaf: it imports no other page module, so _db, _auth, _masuk, _filters, _format and the pages all
import from here without a circle. Streamlit-only glue, no SQL and no rules.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ilp_metrics.core.i18n import t
from ilp_metrics.security.accounts import Session, new_session
from ilp_metrics.security.scope import Principal
from ilp_metrics.security.sessions import STORE

LANGS = ("id", "en")
ANONYMOUS = Principal("anonim", "tamu", display_name="anonim")  # the most restricted role

# st.session_state keys. The browser holds none of them (a kept session is named only by its HttpOnly
# cookie, ilp_metrics/security/sessions.py), and every run re-reads the account (pages/_auth.py).
KEY_USER, KEY_SESSION, KEY_PRINCIPAL, KEY_NOTICE = "_auth_user", "_auth_session", "_principal", "_auth_notice"
KEY_SID, KEY_TICKET, KEY_CLEAR_COOKIE = (
    "_auth_sid",
    "_auth_ticket",
    "_auth_clear_cookie",
)  # the kept session's id (sessions.STORE), a ticket to hand
KEY_IN_DASHBOARD = "_in_dashboard"  # dashboard.py is running the page (navigation and sidebar are drawn)
KEY_TO_DASHBOARD = "_rerun_for_dashboard"  # a page run on its own asked once for the dashboard (_filters)


# ------------------------------------------------------------------ language


def language_from_state() -> str:
    """The session's language: the picker's value, else the link's `?lang=`, else Bahasa Indonesia."""
    value = st.session_state.get("w_lang") or st.session_state.get("lang") or st.query_params.get("lang", "id")
    value = value if value in LANGS else "id"
    st.session_state["lang"] = value
    st.query_params["lang"] = value
    return value


def language_picker() -> None:
    """The language radio; a change reruns the app in the new language at once."""
    current = language_from_state()

    def changed() -> None:
        st.session_state["lang"] = st.session_state["w_lang"]

    st.sidebar.radio(
        "Bahasa / Language",
        list(LANGS),
        index=list(LANGS).index(current),
        key="w_lang",
        horizontal=True,
        on_change=changed,
        format_func=lambda x: "Bahasa Indonesia" if x == "id" else "English",
    )


def lang() -> str:
    value = st.session_state.get("lang") or st.query_params.get("lang", "id")
    return value if value in LANGS else "id"


def tr(key: str, **values: Any) -> str:
    """t() in the session's language."""
    return t(key, lang(), **values)


# ------------------------------------------------------------------ who is signed in


def stored_principal() -> Principal | None:
    """The principal dashboard.py's gate resolved for this run (None before the gate or signed out)."""
    return st.session_state.get(KEY_PRINCIPAL)


def principal_or_anonymous() -> Principal:
    """For lists every principal may see (the sidebar's kabupaten and months): the gate's principal, or
    the most restricted role when there is none yet."""
    return stored_principal() or ANONYMOUS


def keep_principal(who: Principal | None) -> None:
    if who is None:
        st.session_state.pop(KEY_PRINCIPAL, None)
    else:
        st.session_state[KEY_PRINCIPAL] = who


def signed_in_user() -> str | None:
    return st.session_state.get(KEY_USER)


def sign_in(principal: Principal, sid: str | None = None, clock: Session | None = None) -> None:
    """Signed in; `sid` names the kept session (security/sessions.py) that a reload restores, `clock`
    its clock when it is one restored from the cookie."""
    st.session_state[KEY_USER] = principal.username
    st.session_state[KEY_SESSION] = clock or new_session()
    st.session_state["user"] = principal.username
    if sid is not None:
        st.session_state[KEY_SID] = sid


def kept_session() -> str | None:
    sid: str | None = st.session_state.get(KEY_SID)
    return sid


def sign_out(notice: tuple[str, dict[str, Any]] | None = None) -> None:
    sid = st.session_state.get(KEY_SID)
    if sid:
        STORE.end(sid)  # the cookie of this session opens nothing any more, in any tab
        st.session_state[KEY_CLEAR_COOKIE] = True  # and the sign-in page asks the browser to drop it
    for key in (KEY_USER, KEY_SESSION, KEY_PRINCIPAL, KEY_SID, KEY_TICKET, "user"):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[KEY_NOTICE] = notice


def set_notice(code: str, details: dict[str, Any]) -> None:
    st.session_state[KEY_NOTICE] = (code, details)


def take_notice() -> tuple[str, dict[str, Any]] | None:
    notice: tuple[str, dict[str, Any]] | None = st.session_state.pop(KEY_NOTICE, None)
    return notice


def oidc_identity() -> dict[str, Any] | None:
    """The identity provider's user info when signed in there (st.user), else None."""
    try:
        info = st.user.to_dict()
    except Exception:  # no user info in this context
        return None
    return info if info.get("is_logged_in") else None
