"""Pseudonymisation: person keys are HMAC-SHA256 of a normalised identifier under a per-installation secret.

The secret lives in its own file (mode 0600) beside, never inside, the database, so a copied database
cannot be linked back to NIKs without it. HMAC is computed inside DuckDB (sha256 over BLOBs) so that
millions of rows are keyed without a Python loop; `person_key_py` is the reference implementation that
tests compare against.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

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
