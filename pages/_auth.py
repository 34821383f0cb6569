"""Who is signed in: the Streamlit side of ilp_metrics.security.accounts (Streamlit-only glue).

Modes (ILP_AUTH, docs/security.md):
* demo  — the demo database (marked by the demo builder) or ILP_AUTH=demo: every visitor is the demo
          `dinas` account, with an "Akun demo" banner; nothing to type, so `make run` just works.
* local — accounts in the database; a first run with no admin shows the admin setup instead.
* oidc  — st.login against the Dinas's OpenID Connect provider; the email picks the account.
A signed-in local session keeps its username and clock in st.session_state; every run re-reads the
account, so a deactivated user or a changed role takes effect at once, and the clock ends idle or old
sessions. A reload or a new tab (a new Streamlit session) is restored from the HttpOnly cookie of the kept
session (ilp_metrics/security/sessions.py, set by app.py's route; docs/security.md).

Imports: _session (the state), _db, _masuk (the sign-in page); none of them imports this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import streamlit as st

from ilp_metrics.core.i18n import t
from ilp_metrics.security.accounts import (
    DEMO_PRINCIPAL,
    AuthError,
    account_stamp,
    load_principal,
    principal_for_oidc,
)
from ilp_metrics.security.scope import Principal
from ilp_metrics.security.sessions import CLAIM, COOKIE, RELEASE, ROUTE, STORE
from pages import _db, _masuk, _session

LOGIN_URL = "masuk"  # pages/_masuk.py: the sign-in page when nobody is signed in, "my account" afterwards


def account_page(lang: str) -> st.Page:
    return st.Page(_masuk.page, title=t("nav.account", lang), icon=":material/account_circle:", url_path=LOGIN_URL)


def resolve() -> Principal | None:
    """The signed-in principal for this run, or None (then the sign-in is shown)."""
    current = _db.auth_mode()
    if current == "demo":  # uploads keep the page's default uploader name ('dasbor')
        return DEMO_PRINCIPAL
    if current == "oidc":
        identity = _session.oidc_identity()
        if identity is None:
            return None
        try:
            found = principal_for_oidc(_db.cursor(), identity.get("email"), identity.get("name"))
        except AuthError as exc:
            _session.set_notice(exc.code, exc.details)
            return None
        st.session_state["user"] = found.username
        return found
    name = _session.signed_in_user()
    if not name:
        return _restored()
    session = st.session_state.get(_session.KEY_SESSION)
    if session is None or session.expired():
        _session.sign_out(notice=("akun.expired", {}))
        return None
    sid = _session.kept_session()
    if sid is not None and not STORE.alive(sid, _now()):  # signed out in another tab, or a password change
        _session.sign_out(notice=("akun.expired", {}))
        return None
    loaded = load_principal(_db.cursor(), name)
    if loaded is None:  # deactivated or removed since the sign-in
        _session.sign_out()
        return None
    st.session_state[_session.KEY_SESSION] = session.touched()
    return loaded


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _restored() -> Principal | None:
    """A new Streamlit session (a reload, a new tab) signed in from the kept session's cookie, if the
    cookie is genuine and unexpired, its session still on and the account unchanged since."""
    try:
        cookie = st.context.cookies.get(COOKIE)
    except Exception:  # no request context (a page test)
        return None
    found = STORE.session_of(cookie, _now()) if cookie else None
    if found is None:
        return None
    sid, username, stamp, clock = found
    con = _db.cursor()
    who = load_principal(con, username)
    if who is None or account_stamp(con, username) != stamp:  # deactivated, password or role changed
        STORE.end(sid)
        return None
    _session.sign_in(who, sid=sid, clock=clock.touched(_now()))
    return who


def _browser_call(method: str, body: str = "") -> None:
    """A request from the browser to app.py's session route: CLAIM with a ticket (the answer sets the
    cookie) or RELEASE (the answer removes it). Same origin; the cookie never passes through a script."""
    script = (
        f"<script>fetch(window.location.origin + {json.dumps(ROUTE)}, "
        f"{{method: {json.dumps(method)}, body: {json.dumps(body) if body else 'null'}, "
        "credentials: 'same-origin', cache: 'no-store'});</script>"
    )
    st.sidebar.html(script, unsafe_allow_javascript=True, width=1)


def current() -> Principal:
    """The principal of this run (set by gate()); a page run on its own resolves it, else anonymous —
    the most restricted role, so a page that forgot to ask never shows more."""
    return _session.stored_principal() or resolve() or _session.ANONYMOUS


def gate(lang: str, urls: Sequence[str]) -> Principal | None:
    """Called by dashboard.py before its navigation: the principal of this run, or None after running the
    sign-in (or the first run's admin setup) as the only page of a hidden navigation, so no page, not even
    its name, is reachable before signing in. The sign-in answers at every page's address (`urls`): a
    shared link keeps its address and opens its page once signed in."""
    found = resolve()
    _session.keep_principal(found)
    if found is not None:
        return found
    if st.session_state.pop(_session.KEY_CLEAR_COOKIE, False):
        _browser_call(RELEASE)
    title = t("akun.login_title", lang)
    signin = [st.Page(_masuk.page, title=title, default=True)]
    signin += [st.Page(_masuk.page, title=title, url_path=url) for url in dict.fromkeys([*urls, LOGIN_URL])]
    page = st.navigation(signin, position="hidden")
    _session.language_picker()
    page.run()  # as a page: its widgets keep one identity from the first run on (a click is never dropped)
    return None


def badge() -> None:
    """Who is signed in (and the demo banner), with the sign-out button, in the sidebar."""
    tr = _session.tr
    who = current()
    if who.demo:
        # Markdown, not st.warning: page tests read the page's own warnings by position.
        st.sidebar.markdown(f":orange-background[:material/science: {tr('akun.demo_banner')}]")
        return
    sid = _session.kept_session()
    if sid is not None and st.session_state.pop(_session.KEY_TICKET, False):
        ticket = STORE.ticket(sid, _now())
        if ticket is not None:
            _browser_call(CLAIM, ticket)
    st.sidebar.caption(tr("akun.signed_in_as", name=who.display_name or who.username, role=tr(f"akun.role.{who.role}")))
    if st.sidebar.button(tr("akun.logout"), key="w_logout"):
        from ilp_metrics.security import audit

        audit.record_now(_db.cursor(), who.username, "logout", who.username, role=who.role)
        _session.sign_out()
        if _db.auth_mode() == "oidc":
            st.logout()
        st.rerun()


def require(permission: str) -> Principal:
    """Stop a page the principal may not use, with a clear message."""
    who = current()
    if not who.can(permission):
        st.error(_session.tr("akun.forbidden"))
        st.stop()
    return who
