"""The upload history shown to data managers (which file, who, when, what it changed)."""

from __future__ import annotations

import duckdb
import pandas as pd


def upload_history(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """Newest first: one row per committed upload with its counts, period and status."""
    return con.execute(
        """
        SELECT upload_id, file_name, kind, uploaded_by, uploaded_at, rows_accepted, rows_refused,
               rows_replaced, period_start, period_end, status
        FROM uploads ORDER BY uploaded_at DESC, upload_id DESC LIMIT ?
        """,
        [int(limit)],
    ).df()
