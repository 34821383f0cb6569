"""Signed-in sessions that survive a reload: a server-side store and the signed cookie that names one.

A reload or a new tab is a new Streamlit session, and Streamlit's script cannot set a cookie. So after a
local sign-in the page hands the browser a one-time ticket (60 s, single use, never in a URL), the
browser posts it to the app's own route (`app.py`, `POST /ilp/session`), and the answer sets the cookie
`ilp_session` — HttpOnly (no script reads it), SameSite=Strict, Path=/, expiring with the session's
absolute lifetime. Its value is `sid.expiry.hmac`: a random 256-bit session id, the expiry, and an
HMAC-SHA256 under a secret of this process. A new Streamlit session reads it (st.context.cookies) and is
signed in only if the signature and expiry hold, the session is still in this store (not signed out,
not idle past ILP_SESSION_IDLE_MINUTES, not older than ILP_SESSION_HOURS), and the account is active
and unchanged since the sign-in (`accounts.account_stamp`: a password, role or activity change ends
every session of the account). The store lives in the dashboard's memory: a restart signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ilp_metrics.core.config import setting
from ilp_metrics.security.accounts import Session, new_session

COOKIE = "ilp_session"
ROUTE = "/ilp/session"
TICKET_SECONDS = 60
CLAIM, RELEASE = "POST", "DELETE"  # the route's two methods: trade a ticket for the cookie, drop the cookie


@dataclass
class _Entry:
    username: str
    stamp: str  # the account's changed_at at the sign-in
    clock: Session
    tickets: set[str] = field(default_factory=set)


@dataclass
class SessionStore:
    """Sessions by id, one-time tickets by value; safe across threads (Streamlit runs and the route)."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    entries: dict[str, _Entry] = field(default_factory=dict)
    tickets: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, username: str, stamp: str, now: datetime | None = None) -> str:
        """A new session of a just signed-in account; its id."""
        sid = secrets.token_urlsafe(32)
        with self.lock:
            self.entries[sid] = _Entry(username, stamp, new_session(now))
        return sid

    def ticket(self, sid: str, now: datetime) -> str | None:
        """A one-time ticket the browser trades for the cookie of session `sid` (None if it ended)."""
        with self.lock:
            if sid not in self.entries:
                return None
            value = secrets.token_urlsafe(32)
            self.tickets[value] = (sid, now + timedelta(seconds=TICKET_SECONDS))
            for old in [k for k, (_, until) in self.tickets.items() if until < now]:
                del self.tickets[old]
            return value

    def claim(self, ticket: str, now: datetime) -> tuple[str, int] | None:
        """The cookie value and its lifetime in seconds for a valid ticket (used up either way)."""
        with self.lock:
            found = self.tickets.pop(ticket, None)
            if found is None or found[1] < now or found[0] not in self.entries:
                return None
            sid = found[0]
            entry = self.entries[sid]
        expires = entry.clock.started + timedelta(hours=float(setting("session_hours")))
        lifetime = int((expires - now).total_seconds())
        if lifetime <= 0:
            return None
        return self._sign(sid, int(expires.timestamp())), lifetime

    def _sign(self, sid: str, expires: int) -> str:
        body = f"{sid}.{expires}"
        mac = hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def session_of(self, cookie: str | None, now: datetime) -> tuple[str, str, str, Session] | None:
        """(sid, username, stamp, clock) of a cookie whose signature, expiry and session still hold; an idle or
        expired session is ended here."""
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        sid, expires = parts[0], int(parts[1])
        if not hmac.compare_digest(self._sign(sid, expires), cookie or ""):
            return None
        if now.timestamp() > expires:
            self.end(sid)
            return None
        with self.lock:
            entry = self.entries.get(sid)
        if entry is None:
            return None
        if entry.clock.expired(now):
            self.end(sid)
            return None
        return sid, entry.username, entry.stamp, entry.clock

    def alive(self, sid: str, now: datetime) -> bool:
        """The session is still on (not signed out elsewhere, not expired); touches its clock."""
        with self.lock:
            entry = self.entries.get(sid)
            if entry is None:
                return False
            if entry.clock.expired(now):
                del self.entries[sid]
                return False
            entry.clock = entry.clock.touched(now)
            return True

    def end(self, sid: str) -> None:
        with self.lock:
            self.entries.pop(sid, None)
            for value in [k for k, (s, _) in self.tickets.items() if s == sid]:
                del self.tickets[value]

    def end_user(self, username: str) -> int:
        """End every session of an account (deactivated, password changed); how many."""
        with self.lock:
            ids = [sid for sid, e in self.entries.items() if e.username == username]
        for sid in ids:
            self.end(sid)
        return len(ids)


STORE = SessionStore()  # the dashboard process's sessions: its page runs and its route share it
