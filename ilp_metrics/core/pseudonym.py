"""Pseudonymisation: person keys are HMAC-SHA256 of a normalised identifier under a per-installation secret.

The secret lives in its own file (mode 0600) beside, never inside, the database, so a copied database
cannot be linked back to NIKs without it. HMAC is computed inside DuckDB (sha256 over BLOBs) so that
millions of rows are keyed without a Python loop; `person_key_py` is the reference implementation that
tests compare against.

The database records a fingerprint of its key (an HMAC of a fixed label, `key_fingerprint`): a replaced
or lost key is refused (`installation_secret`, `check_secret`) instead of silently keying the same people
anew. The audit trail's chain secret is derived from the same key under a label of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

from ilp_metrics.core.db import single_row

KEY_BYTES = 32
_BLOCK = 64


def load_or_create_secret(path: Path | str) -> bytes:
    """Read the installation secret, creating it on first use."""
    path = Path(path)
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) < 16:
            raise ValueError(f"pseudonymisation key in {path} is too short")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of RFC 2104, bound as SQL parameters."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(message_sql: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """SQL expression computing hex HMAC-SHA256 of a VARCHAR expression (NULL stays NULL)."""
    return f"sha256({opad_param} || unhex(sha256({ipad_param} || encode({message_sql}))))"


def person_key_py(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ the database's key fingerprint

FINGERPRINT_LABEL = b"ilp-metrics/key-fingerprint/v1"
AUDIT_LABEL = b"ilp-metrics/audit-chain/v1"
_FINGERPRINT_META = "key_fingerprint"
_PERSON_TABLES = ("layanan",)  # tables whose rows carry person keys


class KeyProblem(Exception):
    """The key file does not belong to the database (`mismatch`) or is gone (`missing`); the message (Bahasa
    Indonesia or English) says what happened and how to recover."""

    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code)
        self.code, self.details = code, details

    def message(self, lang: str = "id") -> str:
        from ilp_metrics.core.i18n import t

        return t(f"key.{self.code}", lang, **self.details)

    def __str__(self) -> str:
        return self.message()


def key_fingerprint(key: bytes) -> str:
    """An HMAC of a fixed label under the key: names the key without revealing it (16 bytes, hex)."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:32]


def audit_chain_key(key: bytes) -> bytes:
    """The audit trail's chain secret, derived from the key with a label of its own."""
    return hmac.new(key, AUDIT_LABEL, hashlib.sha256).digest()


def read_secret(path: Path | str) -> bytes | None:
    """The key in `path`, or None when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    return load_or_create_secret(path)


def recorded_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [_FINGERPRINT_META]).fetchone()
    return str(row[0]) if row and row[0] else None


def holds_person_keys(con: duckdb.DuckDBPyConnection) -> bool:
    return any(bool(single_row(con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})"))[0]) for table in _PERSON_TABLES)


def check_secret(con: duckdb.DuckDBPyConnection, key: bytes, *, path: Path | str = "", record: bool = True) -> None:
    """Refuse a key whose fingerprint differs from the one the database recorded (KeyProblem `mismatch`).
    With `record`, a database that holds person keys but no fingerprint yet (made before fingerprints, or
    killed between its first load and the record) gets this key's."""
    found, expected = key_fingerprint(key), recorded_fingerprint(con)
    if expected is not None:
        if not hmac.compare_digest(found, expected):
            raise KeyProblem("mismatch", path=str(path) or "?", found=found[:12], expected=expected[:12])
        return
    if record and holds_person_keys(con):
        record_fingerprint(con, key)


def record_fingerprint(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Bind the database to `key` (called when person keys are first written with it)."""
    from ilp_metrics.core.db import WRITE_LOCK, transaction

    with WRITE_LOCK, transaction(con):
        if recorded_fingerprint(con) is None:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_FINGERPRINT_META, key_fingerprint(key)])


def installation_secret(con: duckdb.DuckDBPyConnection, path: Path | str, *, create: bool = True) -> bytes | None:
    """The installation's key for this database, checked against the database's fingerprint.

    A missing key file is created (with `create`) only while the database holds no person keys and no
    fingerprint; otherwise it is an error (KeyProblem `missing`): a new key would silently split every
    person in two. Without `create`, a missing key of a fresh database gives None."""
    path = Path(path)
    key = read_secret(path)
    if key is None:
        if recorded_fingerprint(con) is not None or holds_person_keys(con):
            raise KeyProblem("missing", path=str(path))
        return load_or_create_secret(path) if create else None
    check_secret(con, key, path=path)
    return key
