"""The independent statements of one figure set, run side by side on cursors of one DuckDB connection.

A page's figure set is a few statements that do not depend on each other (the kabupaten's coverage, each
puskesmas's, the readiness index); DuckDB runs a statement without holding Python's interpreter lock, so on
two cores two of them run at once and the page waits for the longer, not for their sum. Each call gets its
own cursor (a cursor is a connection to the same database, safe in its own thread) and sees the committed
data, as the calls would one after the other. Another engine, or a single call, runs in this thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")


def bound(call: Callable[..., T], **arguments: Any) -> Callable[[Any], T]:
    """`call` with its keyword arguments, waiting for the connection to read from (one item of the list
    `run_side_by_side` takes)."""
    return lambda con: call(con, **arguments)


def run_side_by_side(con: Any, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Each call's result, in order; each call is given a connection to read from. The first exception of a
    call is raised here, after every call has ended."""
    if not isinstance(con, duckdb.DuckDBPyConnection) or len(calls) < 2:
        return [call(con) for call in calls]
    cursors = [con.cursor() for _ in calls]
    try:
        with ThreadPoolExecutor(max_workers=min(len(calls), os.cpu_count() or 2)) as pool:
            futures = [pool.submit(call, cur) for call, cur in zip(calls, cursors, strict=True)]
            return [future.result() for future in futures]
    finally:
        for cur in cursors:
            cur.close()
