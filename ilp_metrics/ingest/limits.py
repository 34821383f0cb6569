"""Bounded work per file: column and cell limits and a time limit for reading one upload.

One upload must never hold the server: the readers are linear in the file's size (streaming XML, DuckDB's
CSV reader), refuse a file wider than `max_columns` before loading it and one with more than `max_cells`
cells, and stop at `parse_seconds`: Python loops check the deadline, and a DuckDB read is interrupted by
a timer (DuckDB runs outside the GIL, so other users' pages keep being served meanwhile).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from ilp_metrics.core.config import setting
from ilp_metrics.ingest.errors import FileProblem


@dataclass(frozen=True)
class ReadLimits:
    max_columns: int
    max_cells: int
    seconds: float

    @classmethod
    def from_settings(cls) -> ReadLimits:
        return cls(int(setting("max_columns")), int(setting("max_cells")), float(setting("parse_seconds")))

    def check_columns(self, width: int) -> None:
        if width > self.max_columns:
            raise FileProblem("too_many_columns", {"columns": width, "max_columns": self.max_columns})

    def check_cells(self, rows: int, width: int) -> None:
        if rows * width > self.max_cells:
            raise FileProblem("too_many_cells", {"cells": rows * width, "max_cells": self.max_cells})


class Deadline:
    """The moment a file's reading must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        if self.expired():
            raise self.problem()

    def problem(self) -> FileProblem:
        return FileProblem("too_slow", {"seconds": f"{self.seconds:g}"})


@contextmanager
def interrupt_at(con: duckdb.DuckDBPyConnection, deadline: Deadline) -> Iterator[None]:
    """Interrupt the query running on `con` when the deadline passes; the read then raises `too_slow`."""
    deadline.check()
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(max(deadline.remaining(), 0.0), fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.Error as exc:
        if fired.is_set():
            raise deadline.problem() from exc
        raise
    finally:
        timer.cancel()
