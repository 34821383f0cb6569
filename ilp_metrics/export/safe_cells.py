"""Text cells a spreadsheet would run as a formula, made inert for every table a user can download.

A cell starting with = + - @ tab or carriage return is read by Excel and LibreOffice as a formula (CSV
injection). The workbook export marks such cells as text (export/xlsx_render.py); the tables shown with
a download button (the audit trail, the accounts, `users list`) get a leading apostrophe instead, the
usual neutral prefix, so their CSV keeps what was written and never runs it. Numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """The value itself, or text that starts like a formula with an apostrophe in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are formula-safe; other columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(safe_text)
    out.columns = [safe_text(c) for c in out.columns]
    return out


def safe_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a CSV writer with every text value formula-safe."""
    return [{key: safe_text(value) for key, value in row.items()} for row in rows]
