"""The audit trail: who uploaded, replaced, withdrew, exported, backed up, changed accounts — and when.

Append-only: this module only ever INSERTs into `audit_log` (a test scans the code base for any UPDATE
or DELETE of it), and each row carries the SHA-256 of its content chained to the row before, so an edit
or a deletion made with another tool breaks the chain and `verify` names the first broken row.
Write calls go inside the caller's transaction, so an upload and its audit row commit together.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from ilp_metrics.core.db import WRITE_LOCK, transaction
from ilp_metrics.security.scope import Principal

GENESIS = "0" * 64
ACTIONS = (
    "upload",
    "replace",
    "withdraw",
    "export",
    "backup",
    "restore",
    "first_admin",
    "user_add",
    "user_change",
    "user_password",
    "user_unlock",
    "login",
    "login_failed",
    "lockout",
    "logout",
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _digest(
    prev: str,
    audit_id: int,
    at: datetime,
    actor: str,
    role: str | None,
    action: str,
    target: str | None,
    details: str | None,
) -> str:
    payload = json.dumps(
        [prev, audit_id, at.isoformat(), actor, role, action, target, details],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    role: str | None = None,
    at: datetime | None = None,
) -> int:
    """Append one entry (call inside the write transaction of the change it describes)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = at or _now()
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None
    last = con.execute("SELECT audit_id, hash FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
    audit_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    digest = _digest(prev, audit_id, at, actor, role, action, target, text)
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [audit_id, at, actor, role, action, target, text, prev, digest],
    )
    return audit_id


def record_now(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    role: str | None = None,
) -> int:
    """`record` in a transaction of its own (events with no other write: export, login, backup)."""
    with WRITE_LOCK, transaction(con):
        return record(con, actor, action, target, details, role)


def entries(
    con: duckdb.DuckDBPyConnection, limit: int = 1000, action: str | None = None, *, principal: Principal
) -> pd.DataFrame:
    """Newest first, for the admin page; the `principal` needs the audit permission."""
    principal.require("audit")
    return con.execute(
        """SELECT audit_id, logged_at, actor, role, action, target, details FROM audit_log
           WHERE $action IS NULL OR action = $action ORDER BY audit_id DESC LIMIT $limit""",
        {"action": action, "limit": int(limit)},
    ).df()


def count(con: duckdb.DuckDBPyConnection, *, principal: Principal) -> int:
    """Entries in the trail (the admin page's headline). The `principal` needs the audit permission."""
    principal.require("audit")
    row = con.execute("SELECT count(*) FROM audit_log").fetchone()
    return int(row[0]) if row else 0


def verify(con: duckdb.DuckDBPyConnection, *, principal: Principal) -> int | None:
    """The first audit_id whose row was changed, removed or inserted out of the chain; None when intact.
    The `principal` needs the audit permission."""
    principal.require("audit")
    prev, expected_id = GENESIS, 1
    for row in con.execute(
        "SELECT audit_id, logged_at, actor, role, action, target, details, prev_hash, hash "
        "FROM audit_log ORDER BY audit_id"
    ).fetchall():
        audit_id, at, actor, role, action, target, details, prev_hash, digest = row
        if (
            audit_id != expected_id
            or prev_hash != prev
            or _digest(prev, audit_id, at, actor, role, action, target, details) != digest
        ):
            return int(audit_id)
        prev, expected_id = digest, audit_id + 1
    return None
