"""The private folder beside the database: the only place where clear text of an upload may touch the disk.

Uploads hold NIKs and names in clear. Whatever must be written before they are pseudonymised (DuckDB's
spill files, a UTF-8 copy of a CSV in another encoding, the upload page's staged files) goes under
`.<database name>.private/` (mode 0700, files 0600), never to the system's temporary folder:

  spill-<process>/   DuckDB's temp_directory of one process
  work-<process>/    transcoded copies made by one process
  uploads/<session>/ the upload page's staged files of one browser session

A process's folders are removed when it closes them and, after a crash or a kill, by the next open of the
database (`sweep`), which removes the folders of every process that no longer runs. Staged uploads of a
session that ended are removed by the upload page once they are older than the idle timeout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ilp_metrics.core.config import private_dir_for

_PROCESS_KINDS = ("spill", "work")


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a process (Linux), so a reused pid is not taken for the old process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _tag(pid: int) -> str:
    start = _start_time(pid)
    return f"{pid}-{start}" if start else str(pid)


def _alive(tag: str) -> bool:
    pid_text, _, start = tag.partition("-")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if start:
        return _start_time(pid) == start
    return pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_private(folder: Path) -> Path:
    """Create `folder` (and its parents) with mode 0700 and make sure it has that mode."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def private_root(db_path: Path | str) -> Path:
    return ensure_private(private_dir_for(db_path))


def process_dir(db_path: Path | str, kind: str) -> Path:
    """This process's `spill` or `work` folder of the database."""
    if kind not in _PROCESS_KINDS:
        raise ValueError(kind)
    root = private_root(db_path)
    return ensure_private(root / f"{kind}-{_tag(os.getpid())}")


def uploads_dir(db_path: Path | str) -> Path:
    return ensure_private(private_root(db_path) / "uploads")


def sweep(db_path: Path | str) -> list[Path]:
    """Remove the folders left by processes that no longer run (killed mid-ingest); returns what went."""
    root = private_dir_for(db_path)
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        kind, _, tag = entry.name.partition("-")
        if kind in _PROCESS_KINDS and tag and not _alive(tag):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def sweep_legacy_spill(db_path: Path | str) -> None:
    """DuckDB's default spill folder `<database>.tmp` (used before the private folder existed). Called only
    while this process holds the database for writing, so no other process can be using it."""
    db_path = Path(db_path)
    legacy = db_path.with_name(db_path.name + ".tmp")
    if legacy.is_dir():
        shutil.rmtree(legacy, ignore_errors=True)


def sweep_uploads(db_path: Path | str, older_than_s: float, keep: Path | None = None) -> list[Path]:
    """Remove staged-upload folders untouched for `older_than_s` seconds (their session has ended)."""
    folder = private_dir_for(db_path) / "uploads"
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    limit = time.time() - older_than_s
    for entry in folder.iterdir():
        if keep is not None and entry == keep:
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


@contextmanager
def scratch_file(db_path: Path | str | None, suffix: str) -> Iterator[Path]:
    """A new empty file (0600) in this process's work folder, deleted when the block ends however it ends.
    Without a database file (an in-memory database) a private folder of its own is made and removed."""
    if db_path:
        folder, own = process_dir(db_path, "work"), None
    else:
        import tempfile

        own = Path(tempfile.mkdtemp(prefix="ilp-work-"))  # 0700
        folder = own
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
