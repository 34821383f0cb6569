"""Local accounts: argon2id password hashes, lock-out after repeated failures, session expiry,
the first administrator, and the mapping of an OpenID Connect identity to an account.

Every change to an account is written with its audit entry in one transaction. Messages shown to
users are keys of messages/akun.yaml (`AuthError.code`), never the reason a password check failed
(an unknown user and a wrong password get the same answer).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypedDict

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ilp_metrics.core.config import setting
from ilp_metrics.core.db import WRITE_LOCK, is_demo, single_row, transaction
from ilp_metrics.security import audit
from ilp_metrics.security.scope import ROLES, Principal

HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
DEMO_PRINCIPAL = Principal("demo", "dinas", display_name="Akun demo", demo=True)
# Verified against when the user is unknown, so both answers take the same time.
_DUMMY_HASH = HASHER.hash("not-a-real-password")


@dataclass
class _UnknownNames:
    """Failed sign-ins under names that are no active account, kept in memory only.

    They lock like a real account (the same count, the same answer, the same time), so a name cannot
    be told apart from an account; and they are audited as one counted event per window (login lock
    minutes): a row at the window's first failure, and one row with the count of the rest when the
    window closes, never the typed name (it may be a mistyped password or a spreadsheet formula).
    Names are held as SHA-256 digests; the table is bounded so a flood cannot exhaust memory."""

    failures: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    window_start: datetime | None = None
    window_count: int = 0  # failures of the open window not yet written (the first one is)
    lock: threading.Lock = field(default_factory=threading.Lock)
    limit: int = 10_000


_UNKNOWN = _UnknownNames()


def _name_digest(username: str) -> str:
    return hashlib.sha256(username.encode("utf-8")).hexdigest()


def _unknown_failure(con: duckdb.DuckDBPyConnection, username: str, now: datetime) -> AuthError:
    """Count a failed sign-in under an unknown name: the answer a real account would get."""
    max_failures = int(setting("login_max_failures"))
    lock = timedelta(minutes=float(setting("login_lock_minutes")))
    key = _name_digest(username)
    with _UNKNOWN.lock:
        failures, locked_until = _UNKNOWN.failures.pop(key, (0, None))
        if len(_UNKNOWN.failures) >= _UNKNOWN.limit:  # the oldest entry goes (dicts keep insertion order)
            _UNKNOWN.failures.pop(next(iter(_UNKNOWN.failures)))
        if locked_until is not None and locked_until > now:
            _UNKNOWN.failures[key] = (failures, locked_until)
            answer = AuthError("akun.locked", minutes=max(1, int((locked_until - now).total_seconds() // 60) + 1))
        else:
            failures += 1
            locked = failures >= max_failures
            _UNKNOWN.failures[key] = (0 if locked else failures, now + lock if locked else None)
            answer = (
                AuthError("akun.locked", minutes=int(lock.total_seconds() // 60))
                if locked
                else AuthError("akun.login_failed")
            )
        opened = _UNKNOWN.window_start
        if opened is not None and now - opened < lock:
            _UNKNOWN.window_count += 1
            return answer
        closed = (opened, _UNKNOWN.window_count) if opened is not None and _UNKNOWN.window_count else None
        _UNKNOWN.window_start, _UNKNOWN.window_count = now, 0
    if closed is not None:
        _record_unknown(con, closed[1], closed[0], now)
    _record_unknown(con, 1, now, None)
    return answer


def _record_unknown(con: duckdb.DuckDBPyConnection, count: int, since: datetime, until: datetime | None) -> None:
    details: dict[str, object] = {"known": False, "count": count, "since": since.isoformat()}
    if until is not None:
        details["until"] = until.isoformat()
    audit.record_now(con, "?", "login_failed", None, details)


def flush_unknown_failures(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> int:
    """Write the count of the open window's unknown-name failures (after its first) now; the number."""
    now = now or _now()
    with _UNKNOWN.lock:
        opened, pending = _UNKNOWN.window_start, _UNKNOWN.window_count
        _UNKNOWN.window_start, _UNKNOWN.window_count = None, 0
    if opened is not None and pending:
        _record_unknown(con, pending, opened, now)
    return pending


class AuthError(Exception):
    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def auth_mode(con: duckdb.DuckDBPyConnection | None = None) -> str:
    """'local', 'oidc' or 'demo' from ILP_AUTH; 'auto' is demo for the demo database, else local."""
    mode = setting("auth").strip().lower() or "auto"
    if mode not in ("auto", "local", "oidc", "demo"):
        raise ValueError(f"ILP_AUTH must be auto, local, oidc or demo, not {mode!r}")
    if mode == "auto":
        return "demo" if con is not None and is_demo(con) else "local"
    return mode


def password_problem(password: str) -> str | None:
    """A message key when the password is too weak, else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "akun.password_short"
    if password.isdigit() or (password.lower() == password and password.isalpha()):
        return "akun.password_simple"
    return None


def _check_new(con: duckdb.DuckDBPyConnection, username: str, role: str, puskesmas_code: str | None) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise AuthError("akun.username_invalid")
    if role not in ROLES:
        raise AuthError("akun.role_invalid")
    if role == "puskesmas" and (
        not puskesmas_code
        or not con.execute("SELECT 1 FROM puskesmas WHERE puskesmas_code = ?", [puskesmas_code]).fetchone()
    ):
        raise AuthError("akun.puskesmas_unknown")


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    *,
    password: str | None = None,
    puskesmas_code: str | None = None,
    email: str | None = None,
    display_name: str | None = None,
    actor: str = "system",
) -> None:
    """A new account; `password` None makes an OIDC-only account (it then needs an email)."""
    username = username.strip().lower()
    _check_new(con, username, role, puskesmas_code)
    if password is None and not email:
        raise AuthError("akun.needs_password_or_email")
    if password is not None and (problem := password_problem(password)):
        raise AuthError(problem)
    digest = HASHER.hash(password) if password is not None else None
    with WRITE_LOCK, transaction(con):
        if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise AuthError("akun.username_taken")
        now = _now()
        con.execute(
            """INSERT INTO users (username, display_name, role, puskesmas_code, email, password_hash, active,
                                  failed_attempts, locked_until, created_at, changed_at)
               VALUES (?, ?, ?, ?, ?, ?, TRUE, 0, NULL, ?, ?)""",
            [
                username,
                display_name or username,
                role,
                puskesmas_code if role == "puskesmas" else None,
                (email or "").strip().lower() or None,
                digest,
                now,
                now,
            ],
        )
        audit.record(
            con, actor, "user_add", username, {"role": role, "puskesmas_code": puskesmas_code, "email": bool(email)}
        )


def needs_first_admin(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(single_row(con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active"))[0] == 0)


def create_first_admin(con: duckdb.DuckDBPyConnection, username: str, password: str) -> Principal:
    """The first run's administrator; refused once any active admin exists (no second 'first' admin)."""
    with WRITE_LOCK:
        if not needs_first_admin(con):
            raise AuthError("akun.setup_done")
        add_user(con, username, "admin", password=password, actor=username.strip().lower())
        audit.record_now(con, username.strip().lower(), "first_admin", username.strip().lower(), role="admin")
    return _signed_in(con, username)


def load_principal(con: duckdb.DuckDBPyConnection, username: str) -> Principal | None:
    """The account as it is now (None if missing or deactivated): sessions re-read it on every page."""
    row = con.execute(
        "SELECT username, role, puskesmas_code, display_name FROM users WHERE username = ? AND active",
        [username.strip().lower()],
    ).fetchone()
    return Principal(row[0], row[1], row[2], row[3] or row[0]) if row else None


def _signed_in(con: duckdb.DuckDBPyConnection, username: str) -> Principal:
    """The account just signed in or created; refused if it was deactivated in the meantime."""
    principal = load_principal(con, username)
    if principal is None:
        raise AuthError("akun.user_unknown")
    return principal


def authenticate(
    con: duckdb.DuckDBPyConnection, username: str, password: str, now: datetime | None = None
) -> Principal:
    """Check a password; count failures, lock the account after ILP_LOGIN_MAX_FAILURES in a row."""
    now = now or _now()
    username = (username or "").strip().lower()
    max_failures = int(setting("login_max_failures"))
    lock = timedelta(minutes=float(setting("login_lock_minutes")))
    with WRITE_LOCK:
        row = con.execute(
            "SELECT password_hash, active, failed_attempts, locked_until, role FROM users WHERE username = ?",
            [username],
        ).fetchone()
        if row is None or row[0] is None or not row[1]:
            # The same work and the same answers as a real account: a verified hash, a count, a lock.
            with contextlib.suppress(VerificationError):
                HASHER.verify(_DUMMY_HASH, password or "")
            raise _unknown_failure(con, username, now)
        digest, _, failures, locked_until, role = row
        if locked_until is not None and locked_until > now:
            with contextlib.suppress(VerificationError, InvalidHashError):  # the same time as any other answer
                HASHER.verify(digest, password or "")
            minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
            raise AuthError("akun.locked", minutes=minutes)
        try:
            HASHER.verify(digest, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures += 1
            locked = failures >= max_failures
            with transaction(con):
                con.execute(
                    "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                    [0 if locked else failures, now + lock if locked else None, username],
                )
                audit.record(
                    con, username, "lockout" if locked else "login_failed", username, {"failures": failures}, role=role
                )
            if locked:
                raise AuthError("akun.locked", minutes=int(lock.total_seconds() // 60)) from None
            raise AuthError("akun.login_failed") from None
        with transaction(con):
            rehash = HASHER.check_needs_rehash(digest)
            con.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL"
                + (", password_hash = ?" if rehash else "")
                + " WHERE username = ?",
                ([HASHER.hash(password)] if rehash else []) + [username],
            )
            audit.record(con, username, "login", username, role=role)
    return _signed_in(con, username)


def principal_for_oidc(con: duckdb.DuckDBPyConnection, email: str | None, name: str | None = None) -> Principal:
    """An identity from the provider: the active account with this email, else ILP_OIDC_DEFAULT_ROLE."""
    email = (email or "").strip().lower()
    if not email:
        raise AuthError("akun.oidc_no_email")
    row = con.execute("SELECT username FROM users WHERE email = ? AND active", [email]).fetchone()
    if row:
        return _signed_in(con, row[0])
    role = setting("oidc_default_role").strip().lower()
    if role in ("tamu",):  # an unknown identity may at most view the public figures
        return Principal(email, "tamu", display_name=name or email)
    raise AuthError("akun.oidc_unknown", email=email)


@dataclass(frozen=True)
class Session:
    """A signed-in session's clock: absolute lifetime and idle timeout (ILP_SESSION_*)."""

    started: datetime
    last_seen: datetime

    def expired(self, now: datetime | None = None) -> bool:
        now = now or _now()
        hours = float(setting("session_hours"))
        idle = float(setting("session_idle_minutes"))
        return now - self.started > timedelta(hours=hours) or now - self.last_seen > timedelta(minutes=idle)

    def touched(self, now: datetime | None = None) -> Session:
        return Session(self.started, now or _now())


def new_session(now: datetime | None = None) -> Session:
    now = now or _now()
    return Session(now, now)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, actor: str) -> None:
    if problem := password_problem(password):
        raise AuthError(problem)
    with WRITE_LOCK, transaction(con):
        _require_user(con, username)
        con.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, changed_at = ? "
            "WHERE username = ?",
            [HASHER.hash(password), _now(), username],
        )
        audit.record(con, actor, "user_password", username)


def update_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    *,
    actor: str,
    role: str | None = None,
    puskesmas_code: str | None = None,
    active: bool | None = None,
    email: str | None = None,
) -> None:
    """Change role, puskesmas, email or active flag; the last active admin cannot be removed."""
    with WRITE_LOCK, transaction(con):
        current = _require_user(con, username)
        new_role = role or current["role"]
        new_pkm = puskesmas_code if puskesmas_code is not None else current["puskesmas_code"]
        _check_new(con, username, new_role, new_pkm)
        new_active = current["active"] if active is None else active
        if current["role"] == "admin" and current["active"] and (new_role != "admin" or not new_active):
            others = single_row(
                con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active AND username <> ?", [username])
            )[0]
            if others == 0:
                raise AuthError("akun.last_admin")
        new_email = current["email"] if email is None else (email.strip().lower() or None)
        con.execute(
            "UPDATE users SET role = ?, puskesmas_code = ?, active = ?, email = ?, changed_at = ? WHERE username = ?",
            [new_role, new_pkm if new_role == "puskesmas" else None, new_active, new_email, _now(), username],
        )
        audit.record(
            con,
            actor,
            "user_change",
            username,
            {"role": new_role, "puskesmas_code": new_pkm if new_role == "puskesmas" else None, "active": new_active},
        )


def unlock(con: duckdb.DuckDBPyConnection, username: str, actor: str) -> None:
    with WRITE_LOCK, transaction(con):
        _require_user(con, username)
        con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", [username])
        audit.record(con, actor, "user_unlock", username)


class _Account(TypedDict):
    """The columns of one `users` row that a change is checked against."""

    role: str
    puskesmas_code: str | None
    active: bool
    email: str | None


def _require_user(con: duckdb.DuckDBPyConnection, username: str) -> _Account:
    row = con.execute("SELECT role, puskesmas_code, active, email FROM users WHERE username = ?", [username]).fetchone()
    if row is None:
        raise AuthError("akun.user_unknown")
    return {"role": row[0], "puskesmas_code": row[1], "active": row[2], "email": row[3]}


def list_users(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Accounts without their hashes, for the admin page and `users list`."""
    return con.execute(
        """SELECT username, display_name, role, puskesmas_code, email, active, failed_attempts, locked_until,
                  password_hash IS NOT NULL AS has_password, created_at, changed_at
           FROM users ORDER BY username"""
    ).df()


def account_stamp(con: duckdb.DuckDBPyConnection, username: str) -> str | None:
    """When an active account last changed (password, role, activity), None if it is not active: a
    session kept across reloads is valid only while this stays what it was at the sign-in."""
    row = con.execute(
        "SELECT changed_at FROM users WHERE username = ? AND active", [username.strip().lower()]
    ).fetchone()
    return str(row[0]) if row else None
