"""The one DuckDB file: opening it, creating the schema, loading reference areas, versioning.

DuckDB allows one read-write process per file; within a process one connection is shared and
each thread or query takes its own cursor (a bare connection is not thread-safe). Processes take turns:
the dashboard holds the file only while a page run needs it (pages/_db.py), and `connect_waiting` waits
a bounded time (ILP_DB_LOCK_WAIT_SECONDS) for another process to let go, leaving a marker beside the
file (`<db>.wait`) so the dashboard opens no new hold meanwhile and the waiting command gets its turn.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from ilp_metrics.core import private
from ilp_metrics.core.config import PROJECT_ROOT, audit_head_path_for, setting

SCHEMA_VERSION = "1"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"

# One writer at a time inside a process: uploads, withdrawals and demo builds take this lock.
WRITE_LOCK = threading.RLock()

_REFERENCE_TABLES = (
    ("ref_province", "provinces.csv", "code, name"),
    ("ref_regency", "regencies.csv", "code, province_code, name"),
    ("ref_district", "districts.csv", "code, regency_code, name"),
    ("ref_village", "villages.csv", "code, district_code, name"),
)


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file (created if absent unless read-only).

    DuckDB spills to this process's folder inside the database's private folder (core/private.py, 0700)
    rather than to `<database>.tmp` (0644 files); the folders left by killed processes are removed first.
    A read-only database in a folder we cannot write gets no spill folder at all (DuckDB then keeps
    everything in memory) rather than one outside the private folder."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config=connection_config(path))
    if not read_only:  # this process now holds the file: nobody else can be spilling into `<database>.tmp`
        private.sweep_legacy_spill(path)
    return con


def connection_config(path: Path) -> dict[str, str | bool | int | float | list[str]]:
    """The options every connection of this process to `path` shares (DuckDB refuses a second connection
    to the same file with other options)."""
    config: dict[str, str | bool | int | float | list[str]] = {}
    try:
        private.sweep(path)
        config["temp_directory"] = str(private.process_dir(path, "spill"))
    except OSError:
        config["temp_directory"] = ""
    limit = setting("duckdb_memory_limit")
    if limit:
        config["memory_limit"] = limit
    return config


class DatabaseBusy(Exception):
    """Another process kept the database file for longer than the wait allowed."""

    def __init__(self, path: Path, waited: float) -> None:
        super().__init__(
            f"basis data sedang dipakai proses lain (dasbor atau perintah lain): {path}; "
            f"sudah menunggu {waited:.0f} detik. Coba lagi sebentar lagi, atau naikkan ILP_DB_LOCK_WAIT_SECONDS."
        )
        self.path = path
        self.waited = waited


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB's answer when another process holds the file ("Could not set lock … Conflicting lock")."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def wait_marker(path: Path | str) -> Path:
    """The file a process waiting for the database leaves beside it (holds its process id)."""
    path = Path(path)
    return path.with_name(path.name + ".wait")

    return True


def other_process_waiting(path: Path | str) -> bool:
    """A live process other than this one waits for the file (a marker of a dead one is removed)."""
    marker = wait_marker(path)
    try:
        pid = int(marker.read_text(encoding="ascii").strip())
    except (OSError, ValueError):  # none, or one being written: left as it is
        return False
    if pid == os.getpid():
        return False
    if pid <= 0 or not private.pid_alive(pid):
        with contextlib.suppress(OSError):
            marker.unlink()
        return False
    return True


def connect_waiting(
    path: Path | str,
    read_only: bool = False,
    *,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    announce: bool = True,
) -> duckdb.DuckDBPyConnection:
    """`connect`, waiting up to ILP_DB_LOCK_WAIT_SECONDS while another process holds the file.

    `on_wait` hears once that it waits (the command line prints it); `announce` leaves the wait marker
    (the dashboard, which yields to waiting commands, waits without one). DatabaseBusy after the wait."""
    path = Path(path)
    limit = float(setting("db_lock_wait_seconds")) if wait_seconds is None else wait_seconds
    started = time.monotonic()
    marker = wait_marker(path) if announce else None
    told = False
    try:
        while True:
            try:
                return connect(path, read_only=read_only)
            except duckdb.IOException as exc:
                if not is_lock_conflict(exc):
                    raise
            waited = time.monotonic() - started
            if waited >= limit:
                raise DatabaseBusy(path, waited)
            if not told:
                told = True
                if on_wait is not None:
                    on_wait(
                        "basis data sedang dipakai proses lain (dasbor atau perintah lain), "
                        f"menunggu paling lama {limit:.0f} detik …"
                    )
                if marker is not None:  # written whole, then renamed: a reader never sees it half written
                    with contextlib.suppress(OSError):
                        partial = marker.with_name(f"{marker.name}.{os.getpid()}")
                        partial.write_text(str(os.getpid()), encoding="ascii")
                        partial.replace(marker)
            time.sleep(0.1)
    finally:
        if told and marker is not None:
            with contextlib.suppress(OSError):
                if marker.read_text(encoding="ascii").strip() == str(os.getpid()):
                    marker.unlink()


def single_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a query that always yields one (count(*), min/max, current_database()).

    fetchone() is typed as optional for every query; an aggregate without GROUP BY never returns none.
    """
    row = result.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row


def schema_sql() -> str:
    return resources.files("ilp_metrics.core").joinpath("schema.sql").read_text(encoding="utf-8")


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables if missing and load the Kemendagri reference areas once."""
    with transaction(con):
        con.execute(schema_sql())
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        if single_row(con.execute("SELECT count(*) FROM ref_village"))[0] == 0:
            load_reference(con)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('data_version', '0')")
        fresh = single_row(con.execute("SELECT count(*) FROM audit_log"))[0] == 0
    path = database_file(con)
    if fresh and path is not None:  # a new file under an old name: the old file's audit anchor is not its own
        audit_head_path_for(path).unlink(missing_ok=True)


def upgrade_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables added since the file was made (every statement of schema.sql is IF NOT EXISTS)."""
    with WRITE_LOCK, transaction(con):
        con.execute(schema_sql())


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """The demo builder marks its file; the dashboard then signs visitors in as the demo account."""
    row = con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    return bool(row and row[0] == "1")


def load_reference(con: duckdb.DuckDBPyConnection, directory: Path = REFERENCE_DIR) -> None:
    for table, file_name, columns in _REFERENCE_TABLES:
        con.execute(f"DELETE FROM {table}")
        con.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_csv(?, header = true, all_varchar = true)",
            [str(directory / file_name)],
        )


def is_initialised(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()
    return bool(row and row[0])


# Actions to run once the transaction open on a connection commits (see after_commit), by id(connection).
_AFTER_COMMIT: dict[int, list[Callable[[], None]]] = {}


@contextmanager
def deferring(con: duckdb.DuckDBPyConnection, files: set[Path], rebuild: Callable[[], None]) -> Iterator[None]:
    """Many writes in a row (the demo builder) without a summary kept at upload: the file is in `files`
    while they run (the writes ask, and skip it), then `rebuild` makes the summary once, in one
    transaction. An in-memory database keeps its summaries as usual."""
    path = database_file(con)
    if path is None:
        yield
        return
    files.add(path)
    try:
        yield
    finally:
        files.discard(path)
    with transaction(con):
        rebuild()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any exception: a write is whole or absent."""
    con.execute("BEGIN TRANSACTION")
    _AFTER_COMMIT[id(con)] = []
    try:
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")
        actions = _AFTER_COMMIT.pop(id(con), [])
    finally:
        _AFTER_COMMIT.pop(id(con), None)
    for action in actions:
        action()


def after_commit(con: duckdb.DuckDBPyConnection, action: Callable[[], None]) -> None:
    """Run `action` when the transaction open on `con` commits (never if it rolls back); at once when no
    transaction of this module is open on it (the statement before has then committed by itself)."""
    pending = _AFTER_COMMIT.get(id(con))
    if pending is None:
        action()
    else:
        pending.append(action)


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Called inside every write transaction so caches keyed on the version are invalidated."""
    con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('last_write_at', ?)",
        [datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")],
    )


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind a connection or cursor; None for an in-memory database."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] and row[0] != ":memory:" else None
