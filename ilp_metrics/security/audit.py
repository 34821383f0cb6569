"""The audit trail: who uploaded, replaced, withdrew, exported, backed up, changed accounts — and when.

Append-only: this module only ever INSERTs into `audit_log` (a test scans the code base for any UPDATE
or DELETE of it), and each row carries a digest of its content chained to the row before, so an edit
or a deletion made with another tool breaks the chain and `verify` names the first broken row.
Write calls go inside the caller's transaction, so an upload and its audit row commit together.

Tamper evidence needs a secret and an anchor, since anyone with the file can recompute plain hashes or
cut the newest rows:
* the digest is an HMAC-SHA256 under the chain secret, derived from the pseudonymisation key
  (pseudonym.audit_chain_key), which lives in the key folder, never in the database. Rows written before
  a key existed (meta `audit_keyed_from` names the first keyed row) keep plain SHA-256; the first keyed
  row chains onto them, so they cannot be rewritten either once it exists;
* the head (last audit_id and digest, and row 1's digest naming the chain) is written, after each commit,
  to `<database name>.audit-head` in the key folder (config.audit_head_path_for) and into every backup's
  manifest. A table that ends before the anchored head has lost its tail; a row that no longer carries
  the anchored digest was rewritten. A new database made under the same name (init, demo build) and a
  restore replace the anchor (`reset_head`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ilp_metrics.core.config import audit_head_path_for, secret_path_for
from ilp_metrics.core.db import WRITE_LOCK, after_commit, database_file, transaction
from ilp_metrics.core.pseudonym import audit_chain_key, read_secret
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
    key: bytes | None = None,
) -> str:
    payload = json.dumps(
        [prev, audit_id, at.isoformat(), actor, role, action, target, details],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if key is not None:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


_KEYED_FROM = "audit_keyed_from"


def _chain(con: duckdb.DuckDBPyConnection) -> tuple[bytes | None, Path | None]:
    """The chain secret (None without a key file) and the head's anchor file (None in memory)."""
    db = database_file(con)
    if db is None:
        return None, None
    key = read_secret(secret_path_for(db))
    return (audit_chain_key(key) if key is not None else None), audit_head_path_for(db)


def _keyed_from(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [_KEYED_FROM]).fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else None


def read_head(path: Path | None) -> dict[str, Any] | None:
    """The anchored head {audit_id, hash, first}, or None when there is none (or it is unreadable)."""
    if path is None:
        return None
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return head if isinstance(head, dict) and isinstance(head.get("audit_id"), int) else None


def write_head(path: Path, head: dict[str, Any]) -> None:
    """Replace the anchor file atomically (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(head, fh)
    os.replace(tmp, path)


def current_head(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The table's head as the anchor and the backup manifests hold it (None for an empty trail)."""
    last = con.execute("SELECT audit_id, hash FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
    first = con.execute("SELECT hash FROM audit_log WHERE audit_id = 1").fetchone()
    if last is None:
        return None
    return {"audit_id": int(last[0]), "hash": last[1], "first": first[0] if first else None}


def reset_head(con: duckdb.DuckDBPyConnection, head: dict[str, Any] | None = None) -> None:
    """Anchor `head` (default: the table's own) for a database that replaces another under its name."""
    _, path = _chain(con)
    if path is None:
        return
    head = head if head is not None else current_head(con)
    if head is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        write_head(path, head)


def _advance_head(path: Path, head: dict[str, Any]) -> None:
    """Move the anchor forward (never back: a slower process must not undo a newer head)."""
    old = read_head(path)
    if old is not None and old.get("first") == head["first"] and old["audit_id"] > head["audit_id"]:
        return
    with contextlib.suppress(OSError):
        write_head(path, head)


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
    key, head_path = _chain(con)
    keyed_from = _keyed_from(con)
    if key is not None and keyed_from is None:
        keyed_from = audit_id
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_KEYED_FROM, str(audit_id)])
    # Once keyed, a row written without the key (the key file vanished) stays plain, and verify flags it.
    use = key if keyed_from is not None and audit_id >= keyed_from else None
    digest = _digest(prev, audit_id, at, actor, role, action, target, text, use)
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [audit_id, at, actor, role, action, target, text, prev, digest],
    )
    if head_path is not None and use is not None:
        first_row = con.execute("SELECT hash FROM audit_log WHERE audit_id = 1").fetchone()
        head = {"audit_id": audit_id, "hash": digest, "first": first_row[0] if first_row else digest}
        after_commit(con, lambda: _advance_head(head_path, head))
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
    """The first audit_id whose row was changed, removed or inserted out of the chain, or the first one
    missing after the last row (a cut tail, against the anchored head); None when intact.
    The `principal` needs the audit permission."""
    principal.require("audit")
    key, head_path = _chain(con)
    keyed_from = _keyed_from(con)
    head = read_head(head_path)
    if head is not None and keyed_from is None:
        keyed_from = 1  # an anchor exists, so rows were keyed: nobody may turn that off in meta
    prev, expected_id = GENESIS, 1
    for row in con.execute(
        "SELECT audit_id, logged_at, actor, role, action, target, details, prev_hash, hash "
        "FROM audit_log ORDER BY audit_id"
    ).fetchall():
        audit_id, at, actor, role, action, target, details, prev_hash, digest = row
        keyed = keyed_from is not None and audit_id >= keyed_from
        if keyed and key is None:
            return int(audit_id)  # keyed rows cannot be checked without the key: not shown as intact
        if (
            audit_id != expected_id
            or prev_hash != prev
            or _digest(prev, audit_id, at, actor, role, action, target, details, key if keyed else None) != digest
            or (head is not None and audit_id == head["audit_id"] and digest != head.get("hash"))
        ):
            return int(audit_id)
        prev, expected_id = digest, audit_id + 1
    if head is not None and expected_id <= head["audit_id"]:
        return expected_id  # rows up to the anchored head were there and are gone
    return None
