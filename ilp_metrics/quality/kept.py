"""The data-quality findings kept at upload: what `quality.findings` reads instead of running the checks.

Every page asks for the findings of one kabupaten and year, January to the kabupaten's last month with
data (the sidebar's default month). Running the checks takes a second or more (outliers, coverage
figures); the answer depends only on the stored data. So the checks' raw findings of that default window
(before messages and names, which `quality._finish` adds in the reader's language at read time) are kept
here, per (kabupaten, year), recomputed in the upload's (or withdrawal's) own transaction for the
kabupaten-years it can change only (quality/reach.py says which).

Kept rows are read only when they describe this database and this catalogue:
  * `meta.quality_kept_state` equals the state of the tables the checks read (`state`: the data version
    every library write bumps, row counts of the records and reports, checksums of the smaller tables);
    a write behind the library's back, or a file made before this table, makes them unused (never wrong)
    until `ensure_current` recomputes them once when the file is opened for writing;
  * the slice's `rules_key` equals `rules_key(catalogue)`: the whole catalogue (quality rules, thresholds,
    indicator definitions) and the source of the checks, so an edit of either never reads stale rows.
Rows keep every desa; `quality.within_scope` filters them per principal at read time. No person key, NIK
or person name is ever part of a finding.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from contextlib import AbstractContextManager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.db import database_file, deferring, transaction
from ilp_metrics.quality import checks as _checks
from ilp_metrics.quality.checks import Scope, make_scope
from ilp_metrics.quality.reach import Slices, all_regencies, data_years
from ilp_metrics.security.scope import SYSTEM

Record = dict[str, Any]

_DEFERRED: set[Path] = set()  # database files whose writes leave the kept findings to one rebuild at the end

# The tables the checks read, and how their state is summed up: a checksum of every row for the small
# tables, the row count (and for aggregate reports the sum of counts) for the large ones.
_STATE_SQL = """
SELECT 0 AS part, (SELECT value FROM meta WHERE key = 'data_version') AS value
UNION ALL SELECT 1, CAST(count(*) AS VARCHAR) FROM layanan
UNION ALL SELECT 2, count(*) || ':' || coalesce(sum(count), 0) FROM capaian
UNION ALL SELECT 3, count(*) || ':' || coalesce(sum(hash(t)), 0) FROM kesiapan t
UNION ALL SELECT 4, count(*) || ':' || coalesce(sum(hash(t)), 0) FROM sasaran t
UNION ALL SELECT 5, count(*) || ':' || coalesce(sum(hash(t)), 0) FROM puskesmas t
UNION ALL SELECT 6, count(*) || ':' || coalesce(sum(hash(t)), 0) FROM desa t
UNION ALL SELECT 7, count(*) || ':' || coalesce(sum(hash(t)), 0) FROM uploads t
UNION ALL SELECT 8, CAST(count(*) AS VARCHAR) FROM ref_village
ORDER BY part"""  # rows, not columns of scalar subqueries: DuckDB plans those ten times slower

# The source whose change changes what the checks find: part of the rules key.
_SOURCES = ("quality/checks", "quality/kept.py", "quality/reach.py", "metrics/coverage.py", "metrics/tallies.py")
_KEYS: dict[int, tuple[Catalogue, str]] = {}  # rules_key by catalogue object (a few catalogues per process)


# ------------------------------------------------------------------ the checks


def raw_records(con: duckdb.DuckDBPyConnection, scope: Scope, regency: str | None) -> list[Record]:
    """Every check's raw findings for `scope` (`regency` as asked: None for every kabupaten), one dict per
    finding with the raw columns and the `f_*` message fields, missing values None: what `_finish` reads."""
    grid = _checks.completeness_grid(con, scope)
    parts = [
        _checks.check_completeness(con, scope, grid),
        _checks.check_timeliness(con, scope),
        _checks.check_outliers(con, scope),
        _checks.check_impossible(con, scope),
        _checks.check_figures(con, scope),
        _checks.check_denominators(con, scope),
        _checks.check_duplicates(con, scope),
        _checks.check_registry(con, scope, regency),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return []
    raw = pd.concat(parts, ignore_index=True)
    records: list[Record] = raw.astype(object).where(pd.notna(raw), None).to_dict("records")
    return records


def compute(con: duckdb.DuckDBPyConnection, cat: Catalogue, regency: str, year: int) -> tuple[int | None, list[Record]]:
    """The default window's last month of one kabupaten-year (None: no data that year) and its raw findings."""
    scope = make_scope(con, int(year), regency, None, cat, principal=SYSTEM)
    if not scope.regencies:
        return None, []
    return scope.through[0], raw_records(con, scope, regency)


# ------------------------------------------------------------------ cells: exact round trip


def encode(value: Any) -> Any:
    """A raw finding's cell as JSON, tagged so that `decode` gives back the same type and value."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind is pd.Timestamp:
        return {"timestamp": value.isoformat(), "unit": value.unit}
    if kind is datetime:
        return {"datetime": value.isoformat()}
    if kind is date:
        return {"date": value.isoformat()}
    raise TypeError(f"a finding cell of type {kind.__name__} is not kept")


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "float" in value:
        return float(value["float"])
    if "timestamp" in value:
        return pd.Timestamp(value["timestamp"]).as_unit(value["unit"])
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    return date.fromisoformat(value["date"])


# ------------------------------------------------------------------ keys and state


def rules_key(cat: Catalogue) -> str:
    """A digest of the whole catalogue and of the checks' source: kept rows made under another never count."""
    held = _KEYS.get(id(cat))
    if held is not None and held[0] is cat:
        return held[1]
    text = json.dumps(dataclasses.asdict(cat), sort_keys=True, default=_plain, separators=(",", ":"))
    key = hashlib.sha256((text + _source_key()).encode()).hexdigest()[:24]
    if len(_KEYS) > 8:
        _KEYS.clear()
    _KEYS[id(cat)] = (cat, key)
    return key


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return repr(value)


@cache
def _source_key() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    try:
        for name in _SOURCES:
            path = root / name
            for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
                digest.update(file.read_bytes())
    except OSError:  # no source beside the package: nothing kept is ever trusted
        return f"unreadable-{id(digest)}"
    return digest.hexdigest()


def state(con: duckdb.DuckDBPyConnection) -> str:
    """The state of the tables the checks read, as one text (kept in meta.quality_kept_state)."""
    return "|".join(str(value) for _, value in con.execute(_STATE_SQL).fetchall())


def _held_state(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = 'quality_kept_state'").fetchone()
    return str(row[0]) if row else None


def has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """The file has the kept findings' tables (a file made before them has not, until upgrade_schema)."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND table_name IN ('quality_kept', 'quality_kept_rows')"
    ).fetchone()
    return bool(row and row[0] == 2)


def holds(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> bool:
    """The kept findings describe the tables as they are (and, with `cat`, were all made under it)."""
    if not isinstance(con, duckdb.DuckDBPyConnection) or not has_tables(con):
        return False
    if _held_state(con) != state(con):
        return False
    return cat is None or _same_rules(con, cat)


def _same_rules(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> bool:
    other = con.execute("SELECT count(*) FROM quality_kept WHERE rules_key <> $k", {"k": rules_key(cat)}).fetchone()
    return bool(other and other[0] == 0)


def watching(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> bool:
    """Before a write: whether it keeps the findings up to date. Only when they are current before it: a
    file whose findings are not (never made, written behind the library's back, another catalogue) keeps
    computing them live until `ensure_current` makes them once; a deferred file waits for its rebuild."""
    return not is_deferred(con) and holds(con, cat)


def is_deferred(con: duckdb.DuckDBPyConnection) -> bool:
    path = database_file(con)
    return path is not None and path in _DEFERRED


# ------------------------------------------------------------------ reading


def read(
    con: duckdb.DuckDBPyConnection, year: int, regency: str, through: int | None, cat: Catalogue
) -> tuple[int | None, list[Record]] | None:
    """The kept raw findings of one kabupaten-year's default window, with its last month, or None when
    they cannot answer: not kept, not current, made under another catalogue, or `through` another month."""
    if is_deferred(con) or not holds(con):
        return None
    row = con.execute(
        "SELECT last_month, columns FROM quality_kept WHERE regency_code = $r AND year = $y AND rules_key = $k",
        {"r": regency, "y": int(year), "k": rules_key(cat)},
    ).fetchone()
    if row is None:
        return None
    last = None if row[0] is None else int(row[0])
    if through is not None and through != last:
        return None
    columns = json.loads(row[1])
    cells = con.execute(
        "SELECT cells FROM quality_kept_rows WHERE regency_code = $r AND year = $y ORDER BY ord",
        {"r": regency, "y": int(year)},
    ).fetchall()
    return last, [dict(zip(columns, (decode(v) for v in json.loads(c[0])), strict=True)) for c in cells]


# ------------------------------------------------------------------ keeping


def refresh(con: duckdb.DuckDBPyConnection, cat: Catalogue, slices: Slices) -> None:
    """Recompute the kept findings of these kabupaten-years, of a write that found them current before it
    (`watching`). Call inside the write's transaction, after every table it changes (uploads included)."""
    if is_deferred(con) or not has_tables(con):
        return
    if not _same_rules(con, cat):
        rebuild(con, cat)
        return
    regencies = all_regencies(con) | {
        str(r[0]) for r in con.execute("SELECT DISTINCT regency_code FROM quality_kept").fetchall()
    }
    years = data_years(con) | {int(r[0]) for r in con.execute("SELECT DISTINCT year FROM quality_kept").fetchall()}
    _keep(con, cat, {(r, y) for r, y in slices if r in regencies and y in years})


def rebuild(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> None:
    """Recompute every kabupaten-year with data (every kabupaten of the registry × every year with data)."""
    con.execute("DELETE FROM quality_kept")
    con.execute("DELETE FROM quality_kept_rows")
    years = data_years(con)
    _keep(con, cat, {(r, y) for r in all_regencies(con) for y in years})


def _keep(con: duckdb.DuckDBPyConnection, cat: Catalogue, slices: Slices) -> None:
    con.execute("SET enable_progress_bar = false")  # a long recount must not print into a command's output
    key = rules_key(cat)
    for regency, year in sorted(slices):
        where = {"r": regency, "y": int(year)}
        con.execute("DELETE FROM quality_kept WHERE regency_code = $r AND year = $y", where)
        con.execute("DELETE FROM quality_kept_rows WHERE regency_code = $r AND year = $y", where)
        last, records = compute(con, cat, regency, year)
        columns = list(records[0]) if records else []
        try:
            cells = [json.dumps([encode(rec.get(c)) for c in columns], separators=(",", ":")) for rec in records]
        except TypeError:  # a cell this module cannot give back exactly: this kabupaten-year is computed live
            continue
        con.execute(
            "INSERT INTO quality_kept VALUES ($r, $y, $last, $k, $columns)",
            {**where, "last": last, "k": key, "columns": json.dumps(columns)},
        )
        if cells:
            con.execute(
                "INSERT INTO quality_kept_rows SELECT $r, $y, unnest($ord), unnest($cells)",
                {**where, "ord": list(range(len(cells))), "cells": cells},
            )
    con.execute("INSERT OR REPLACE INTO meta VALUES ('quality_kept_state', ?)", [state(con)])


def deferred(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> AbstractContextManager[None]:
    """Many uploads in a row (the demo builder): the writes inside skip the kept findings, which are
    recomputed once at the end. Until then findings are computed from the data."""
    return deferring(con, _DEFERRED, lambda: rebuild(con, cat or load_catalogue()))


def ensure_current(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> bool:
    """Recompute every kept finding once when they are not current (a file made before them, a write behind
    the library's back, a catalogue or code change); called where a file is opened for writing. Returns
    whether it recomputed."""
    cat = cat or load_catalogue()
    if is_deferred(con) or not has_tables(con) or holds(con, cat):
        return False
    with transaction(con):
        rebuild(con, cat)
    return True
