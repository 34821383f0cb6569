"""Build the demo database: generate the demo files, then load them through the real ingest path.

Nothing reaches the database except through `ilp_metrics.ingest.ingest_file`, in dependency order
(registries, sasaran, kesiapan, capaian, layanan), each with `uploaded_by="demo"` and the upload date a
district would have seen. The build writes into a temporary database beside `db_path` and renames it
onto `db_path` only when every file was accepted, so an interrupted build never leaves a half-built demo.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ilp_metrics.demo.generate import Generated, generate

Progress = Callable[[float, str], None]

TABLES = ("puskesmas", "desa", "sasaran", "kesiapan", "capaian", "layanan", "uploads", "upload_refusals")


class DemoBuildError(RuntimeError):
    """A demo file was refused: the generator and the ingest disagree (a bug, not a data problem)."""


def _building_path(db_path: Path) -> Path:
    # '<stem>.building.duckdb' keeps the '*.duckdb' suffix, so a leftover is ignored by git like the real file.
    return db_path.with_name(f"{db_path.stem}.building{db_path.suffix or '.duckdb'}")


def _remove_db(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.unlink()


def build_demo(
    db_path: Path | str,
    *,
    seed: int = 2024,
    keep_files: Path | str | None = None,
    progress: Progress | None = None,
    scale: float = 1.0,
    as_of: str = "2025-12",
    puskesmas: list[str] | None = None,
) -> dict[str, Any]:
    """Generate and ingest the demo; return a summary (rows per table, files, seconds).

    keep_files: directory to write the generated files into and keep (default: a temporary directory,
    deleted afterwards). scale / as_of / puskesmas are passed to the generator (tests use a small scale).
    """
    from ilp_metrics.core.config import audit_head_path_for, secret_path_for
    from ilp_metrics.core.db import connect, init_schema
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.metrics import tallies
    from ilp_metrics.quality import kept

    t0 = time.perf_counter()
    step = progress or (lambda fraction, label: None)
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    building = _building_path(db_path)
    _remove_db(building)
    files_dir = Path(keep_files) if keep_files is not None else Path(tempfile.mkdtemp(prefix="ilp-demo-"))
    con = None
    try:
        step(0.0, "generate")
        gen: Generated = generate(files_dir, seed=seed, scale=scale, as_of=as_of, puskesmas=puskesmas)
        t_gen = time.perf_counter() - t0
        secret = load_or_create_secret(secret_path_for(db_path))
        con = connect(building)
        init_schema(con)
        entries = gen.ordered()
        total_rows = sum(max(e.rows, 1) for e in entries)
        by_kind: dict[str, float] = {}
        # One recount of the tallies after the last file, then one of the kept findings (which read the
        # tallies), not one per file.
        with kept.deferred(con):
            with tallies.deferred(con):
                for done, entry in _with_progress(entries):
                    t_file = time.perf_counter()
                    step(0.1 + 0.85 * done / total_rows, entry.path)
                    _load(con, files_dir, entry, secret)
                    by_kind[entry.kind] = by_kind.get(entry.kind, 0.0) + time.perf_counter() - t_file
                t_tallies = time.perf_counter()
            t_findings = time.perf_counter()
            by_kind["tallies"] = t_findings - t_tallies
        by_kind["findings"] = time.perf_counter() - t_findings
        counts = {t: int((con.execute(f"SELECT count(*) FROM {t}").fetchone() or (0,))[0]) for t in TABLES}
        # Marks the file as the demo: the dashboard then signs visitors in as a labelled demo account.
        con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', '1')")
        con.execute("CHECKPOINT")
        con.close()
        con = None
        step(0.97, "finish")
        # The old database's WAL belongs to the old file: drop it before the new file takes its place.
        old_wal = db_path.with_name(db_path.name + ".wal")
        if old_wal.exists():
            old_wal.unlink()
        os.replace(building, db_path)
        for anchor in (audit_head_path_for(building), audit_head_path_for(db_path)):
            anchor.unlink(missing_ok=True)  # the audit anchors of the replaced file and of the build
    except BaseException:
        if con is not None:
            con.close()
        _remove_db(building)
        raise
    finally:
        if keep_files is None:
            shutil.rmtree(files_dir, ignore_errors=True)
    seconds = time.perf_counter() - t0
    step(1.0, "done")
    return {
        "db_path": str(db_path),
        "seed": seed,
        "scale": scale,
        "as_of": as_of,
        "files": len(gen.files),
        "rows": counts,
        "generated": gen.counts,
        "defects": gen.defects,
        "seconds_generate": round(t_gen, 1),
        "seconds_ingest": {k: round(v, 1) for k, v in by_kind.items()},
        "seconds": round(seconds, 1),
    }


def _with_progress(entries: list[Any]) -> Iterator[tuple[int, Any]]:
    """Each file with the rows loaded before it (the progress bar's position)."""
    done = 0
    for entry in entries:
        yield done, entry
        done += max(entry.rows, 1)


def _load(con: Any, files_dir: Path, entry: Any, secret: bytes) -> None:
    """One demo file through the real ingest; anything short of a clean load is a bug of the generator."""
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.security.scope import SYSTEM

    report = ingest_file(
        con,
        files_dir / entry.path,
        kind=entry.kind,
        uploaded_by="demo",
        uploaded_at=datetime.fromisoformat(entry.uploaded_at),
        secret=secret,
        principal=SYSTEM,
    )
    if not report.ok or report.rows_refused or report.duplicate or report.kind != entry.kind:
        details = [r.to_dict("en") for r in (report.refusals or [])[:5]]
        raise DemoBuildError(
            f"demo file {entry.path} ({entry.kind}) not loaded cleanly: ok={report.ok}, "
            f"kind={report.kind}, refused={report.rows_refused}, duplicate={report.duplicate}, "
            f"error={report.error_code}: {report.error}; first refusals: {details}"
        )
