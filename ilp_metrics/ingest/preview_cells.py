"""What a preview cell shows: an empty cell stays empty (never masked, never `nan`), a date read as a
midnight timestamp shows as the date alone, and a personal value shows only its last two characters."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

import pandas as pd

MASK = "•••"
# An XLSX date cell staged as text: `1980-03-05 00:00:00` (or with `T`, or `.000`).
MIDNIGHT_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0+)?)?$")


def is_missing(value: Any) -> bool:
    """None, NaN and NaT: a cell the file left empty (pd.isna answers arrays too; those are not missing)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def shown(value: Any) -> Any:
    """The cell as the preview table shows it: None for an empty cell, `1980-03-05` for a date that the
    reader turned into `1980-03-05 00:00:00`, anything else unchanged."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp is a datetime
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and (midnight := MIDNIGHT_TEXT.match(value.strip())):
        return midnight.group(1)
    return value


def masked(value: Any) -> Any:
    """A personal value as `•••` and its last two characters; an empty cell stays empty."""
    value = shown(value)
    return None if value is None else MASK + str(value).strip()[-2:]


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column through `shown` (object dtype, so an empty cell stays None and a date stays text)."""
    return frame.apply(lambda column: column.astype(object).map(shown))
