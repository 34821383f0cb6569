"""Consistent backups of the database, with the pseudonymisation key written separately, and restore.

A backup is a folder `ilp-backup-YYYYMMDD-HHMMSS/` holding
  ilp.duckdb      the database, copied after a CHECKPOINT while the process's write lock is held
                  (uploads wait; readers go on), so it is one committed state, never half an upload;
  ilp.key         the pseudonymisation key, file mode 0600 — or, with a passphrase,
  ilp.key.enc     the key encrypted (scrypt-derived key, Fernet: AES-128-CBC + HMAC-SHA256);
  manifest.json   SHA-256 of both, data version, schema version, time, the key's fingerprint and the
                  audit trail's head (last audit_id and digest: an anchor outside the database).
The key is a separate file so it can be stored elsewhere (docs/security.md). Restore checks the
fingerprints, refuses a key that is not the backed-up database's (pseudonym.key_fingerprint), decrypts
the key, writes both to their places, re-anchors the audit head and opens the result.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ilp_metrics.core.db import (
    SCHEMA_VERSION,
    WRITE_LOCK,
    connect,
    connection_config,
    data_version,
    single_row,
    upgrade_schema,
)
from ilp_metrics.core.pseudonym import KeyProblem, key_fingerprint
from ilp_metrics.ingest import sha256_of
from ilp_metrics.security import audit
from ilp_metrics.security.scope import Principal

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

DB_NAME, KEY_NAME, ENC_NAME, MANIFEST = "ilp.duckdb", "ilp.key", "ilp.key.enc", "manifest.json"
MIN_PASSPHRASE = 10


class BackupError(Exception):
    """Message in Bahasa Indonesia (shown by the CLI and the admin page)."""


@dataclass(frozen=True)
class BackupInfo:
    folder: Path
    created: str
    size_mb: float
    encrypted: bool
    data_version: int


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def backup(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path | str,
    secret_file: Path | str,
    *,
    passphrase: str | None = None,
    actor: str | None = None,
    now: datetime | None = None,
    principal: Principal,
) -> Path:
    """Write a backup folder inside `out_dir` and return it; recorded in the audit trail under `actor`
    (default: the principal's username). The `principal` needs the backup permission."""
    principal.require("backup")
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"frasa sandi minimal {MIN_PASSPHRASE} karakter")
    secret_file = Path(secret_file)
    if not secret_file.is_file():
        raise BackupError(f"kunci pseudonimisasi tidak ditemukan: {secret_file}")
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    out_dir = Path(out_dir)
    folder = out_dir / f"ilp-backup-{now:%Y%m%d-%H%M%S}"
    if folder.exists():
        raise BackupError(f"folder cadangan sudah ada: {folder}")
    folder.mkdir(parents=True, mode=0o700)
    db_file = Path(
        single_row(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"))[0]
    )
    with WRITE_LOCK:  # no upload of this process commits while the file is copied
        con.execute("CHECKPOINT")
        version = data_version(con)
        head = audit.current_head(con)
        shutil.copyfile(db_file, folder / DB_NAME)
    os.chmod(folder / DB_NAME, 0o600)
    key = secret_file.read_bytes()
    manifest = {
        "created_utc": now.isoformat(),
        "data_version": version,
        "schema_version": SCHEMA_VERSION,
        "db_sha256": sha256_of(folder / DB_NAME),
        "key_sha256": hashlib.sha256(key).hexdigest(),
        "encrypted_key": passphrase is not None,
        "source": str(db_file),
        "key_fingerprint": key_fingerprint(_key_bytes(key)),
        "audit_head": head,
    }
    if passphrase is None:
        _write_private(folder / KEY_NAME, key)
    else:
        salt = os.urandom(16)
        manifest["key_salt"] = salt.hex()
        _write_private(folder / ENC_NAME, _fernet(passphrase, salt).encrypt(key))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _check_copy(folder / DB_NAME)
    audit.record_now(
        con,
        actor or principal.username,
        "backup",
        folder.name,
        {"data_version": version, "encrypted_key": passphrase is not None},
    )
    return folder


def _key_bytes(file_content: bytes) -> bytes:
    """The key itself from its file's content (hex text)."""
    return bytes.fromhex(file_content.decode("ascii").strip())


def _recorded_fingerprint(path: Path) -> str | None:
    check = duckdb.connect(str(path), read_only=True)
    try:
        row = check.execute("SELECT value FROM meta WHERE key = 'key_fingerprint'").fetchone()
    finally:
        check.close()
    return str(row[0]) if row and row[0] else None


def _check_copy(path: Path) -> None:
    """The copy opens and every table can be read in full (DuckDB verifies block checksums)."""
    check = duckdb.connect(str(path), read_only=True)
    try:
        for (table,) in check.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            check.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{table}"').fetchall()
    finally:
        check.close()


def list_backups(out_dir: Path | str, *, principal: Principal) -> list[BackupInfo]:
    """Backups in `out_dir`, newest first; the `principal` needs the backup permission."""
    principal.require("backup")
    found = []
    for folder in sorted(Path(out_dir).glob("ilp-backup-*"), reverse=True):
        try:
            m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        size = (folder / DB_NAME).stat().st_size / 1e6 if (folder / DB_NAME).exists() else 0.0
        found.append(
            BackupInfo(
                folder,
                m.get("created_utc", ""),
                round(size, 1),
                bool(m.get("encrypted_key")),
                int(m.get("data_version", 0)),
            )
        )
    return found


def restore(
    folder: Path | str,
    db_path: Path | str,
    secret_file: Path | str,
    *,
    passphrase: str | None = None,
    force: bool = False,
    actor: str | None = None,
    principal: Principal,
) -> int:
    """Put a backup back in place; returns its data version. The dashboard must be stopped (DuckDB lets
    one process write a file), and an existing database or key is replaced only with `force`. The
    `principal` needs the backup permission; audited under `actor` (default: its username)."""
    principal.require("backup")
    folder, db_path, secret_file = Path(folder), Path(db_path), Path(secret_file)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} bukan folder cadangan Dasbor ILP ({exc})") from exc
    if sha256_of(folder / DB_NAME) != manifest["db_sha256"]:
        raise BackupError("sidik SHA-256 basis data cadangan tidak cocok: file rusak atau diubah")
    if manifest.get("encrypted_key"):
        if not passphrase:
            raise BackupError("kunci cadangan ini terenkripsi: berikan frasa sandinya")
        from cryptography.fernet import InvalidToken

        try:
            key = _fernet(passphrase, bytes.fromhex(manifest["key_salt"])).decrypt((folder / ENC_NAME).read_bytes())
        except InvalidToken as exc:
            raise BackupError("frasa sandi salah") from exc
    else:
        key = (folder / KEY_NAME).read_bytes()
    if hashlib.sha256(key).hexdigest() != manifest["key_sha256"]:
        raise BackupError("sidik SHA-256 kunci cadangan tidak cocok")
    try:
        found = key_fingerprint(_key_bytes(key))
    except ValueError as exc:
        raise BackupError("kunci cadangan bukan kunci pseudonimisasi Dasbor ILP") from exc
    expected = _recorded_fingerprint(folder / DB_NAME)
    if expected is not None and expected != found:  # the key beside it was swapped: restoring it would split people
        raise BackupError(KeyProblem("mismatch", path=str(folder), found=found[:12], expected=expected[:12]).message())
    if (db_path.exists() or secret_file.exists()) and not force:
        raise BackupError(f"{db_path} atau {secret_file} sudah ada; tambahkan --force untuk menimpanya")
    if db_path.exists():
        try:  # refuses while another process (the dashboard) holds the file
            duckdb.connect(str(db_path), config=connection_config(db_path)).close()
        except duckdb.Error as exc:
            raise BackupError(f"basis data sedang dipakai proses lain; hentikan dasbor dulu ({exc})") from exc
    db_path.parent.mkdir(parents=True, exist_ok=True)
    staging = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(folder / DB_NAME, staging)
    _check_copy(staging)
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        wal.unlink()  # the WAL of the replaced file must not be replayed onto the backup
    os.replace(staging, db_path)
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    tmp_key = secret_file.with_name(secret_file.name + ".restoring")
    if tmp_key.exists():
        tmp_key.unlink()
    _write_private(tmp_key, key)
    os.replace(tmp_key, secret_file)
    con = connect(db_path)
    try:
        upgrade_schema(con)
        audit.reset_head(con, manifest.get("audit_head"))  # the anchor of the restored trail, not the replaced one
        audit.record_now(
            con, actor or principal.username, "restore", folder.name, {"data_version": manifest["data_version"]}
        )
    finally:
        con.close()
    return int(manifest["data_version"])
