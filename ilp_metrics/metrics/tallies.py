"""The tallies kept at upload: what the coverage statement reads instead of scanning the service records.

A page asks for coverage per kabupaten, puskesmas or desa from January to a month. Counting distinct
persons needs every record of the year; but the answer only depends on, per numerator definition, unit
and month, how many persons (or Nth visits, or events) were *newly* counted in that month. Those counts
are kept here, in `tally_counts` (and the record slices in `tally_services`), recounted for the slices an
upload or a withdrawal touched only, in its own transaction, from the records as the coverage statement
reads them (`coverage._RECORDS`) and counted as it counts them (`coverage._counting_ctes`; see _count_sql).
Reading them is exact for every window that starts in January (coverage._tally_level); other windows,
other engines (Spark) and a file whose tallies are not current (`meta.tally_records` differs from the
records held) recount from the records.

Levels kept (scope = the records counted together, unit = the figure's unit):
  puskesmas        each puskesmas's records, per puskesmas
  kabupaten        all records of the kabupaten's puskesmas, per kabupaten (a person once across centres)
  desa@puskesmas   each puskesmas's records, per desa (the puskesmas page's desa table)
  desa@kabupaten   all records of the kabupaten, per desa (a desa served by two puskesmas: a person once)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import duckdb

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.db import database_file, deferring, transaction
from ilp_metrics.metrics.coverage import (
    _DEFS,
    _RECORDS,
    _bind,
    _Entry,
    _service_params,
    numerator_key,
    tallies_hold,
)

# tally level -> (scope column, unit column) of the records CTE; the only identifiers formatted into SQL.
LEVELS: dict[str, tuple[str, str]] = {
    "puskesmas": ("puskesmas_code", "puskesmas_code"),
    "kabupaten": ("regency_code", "regency_code"),
    "desa@puskesmas": ("puskesmas_code", "desa_code"),
    "desa@kabupaten": ("regency_code", "desa_code"),
}

Slices = set[tuple[str, int]]  # (puskesmas or kabupaten code, year)

_DEFERRED: set[Path] = set()  # database files whose writes leave the tallies to one recount at the end


def deferred(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> AbstractContextManager[None]:
    """Many uploads in a row (the demo builder): the writes inside skip the tallies, which are recounted
    once at the end. Until then the tallies are not current, so figures are counted from the records."""
    return deferring(con, _DEFERRED, lambda: rebuild(con, cat or load_catalogue()))


def ensure_current(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> bool:
    """Recount every tally once when the file's are not current for the catalogue (a file made before the
    tallies, or a catalogue edit); called where a file is opened for writing. Returns whether it recounted."""
    cat = cat or load_catalogue()
    if is_deferred(con) or tallies_hold(con, list(definitions(cat))):
        return False
    with transaction(con):
        rebuild(con, cat)
    return True


def is_deferred(con: duckdb.DuckDBPyConnection) -> bool:
    path = database_file(con)
    return path is not None and path in _DEFERRED


def definitions(cat: Catalogue) -> dict[str, _Entry]:
    """Every numerator definition counted on service records, once, by its tally key."""
    out: dict[str, _Entry] = {}
    for ind in cat.indicators:
        if ind.numerator.readiness_item or not ind.numerator.services:
            continue
        key = numerator_key(ind)
        out.setdefault(key, _Entry(key, ind, aggregates=False, individual_only=True))
    return out


# Per scope column: its number in the statement below and the CTE that maps numbers back to codes.
_SCOPE_NUMBERS: dict[str, tuple[str, str]] = {
    "puskesmas_code": ("puskesmas_no", "puskesmas_numbers"),
    "regency_code": ("regency_no", "regency_numbers"),
}


def _level_counts(level: str, only: str = "") -> str:
    """One level's counts (def_no, year, s = scope number, u = unit, month, n) from the finest groupings
    (`person_months`, `event_months`, `visit_days`, per puskesmas and desa): a person is newly counted in
    the first month served *within the level's scope and unit*, so the finest first months are grouped
    again by scope and unit (min of the months); the desa@puskesmas level is the finest grouping itself.
    Nth visits need the distinct visit dates of the scope and unit; events add up. `only`: a further
    condition on the finest rows (`src`)."""
    scope_col, unit_col = LEVELS[level]
    scope = _SCOPE_NUMBERS[scope_col][0]
    unit = scope if unit_col == scope_col else "desa_code"
    # the level's touched slices; a puskesmas without kabupaten is in no kabupaten level
    where = f"in_{scope_col} AND {scope} IS NOT NULL{only}"
    if (scope_col, unit_col) == ("puskesmas_code", "desa_code"):
        persons = f"""SELECT def_no, year, {scope} AS s, {unit} AS u, month, count(*) AS n
        FROM person_months src WHERE {where} GROUP BY ALL"""
    else:
        persons = f"""SELECT def_no, year, s, u, month, count(*) AS n FROM (
            SELECT def_no, year, {scope} AS s, {unit} AS u, person_key, min(month) AS month
            FROM person_months src WHERE {where} GROUP BY ALL
        ) GROUP BY ALL"""
    return f"""{persons}
        UNION ALL
        SELECT def_no, year, {scope}, {unit}, month, CAST(sum(n) AS BIGINT) FROM event_months src
        WHERE {where} GROUP BY ALL
        UNION ALL
        SELECT def_no, year, s, u, month, count(*) FROM (
            SELECT def_no, year, s, u, month, min_events,
                   row_number() OVER (PARTITION BY def_no, year, s, u, person_key ORDER BY service_date) AS visit_no
            FROM (SELECT DISTINCT def_no, min_events, year, {scope} AS s, {unit} AS u, person_key, service_date, month
                  FROM visit_days src WHERE {where})
        ) WHERE visit_no = min_events GROUP BY ALL"""


# A desa whose records of the kabupaten and year (the touched ones) all come from one puskesmas, whose
# slice of that year is touched too: its desa@kabupaten counts are that puskesmas's desa@puskesmas counts.
_NOT_ONE_PUSKESMAS = """
          AND NOT EXISTS (SELECT 1 FROM one_puskesmas_desa o
                          WHERE o.regency_no = src.regency_no AND o.desa_code = src.desa_code AND o.year = src.year)"""


def _level_sql(i: int, level: str) -> str:
    """One level's rows of `tally_counts`, with the sort keys (level rank, scope number) in front."""
    scope_col, unit_col = LEVELS[level]
    scope, numbers = _SCOPE_NUMBERS[scope_col]
    if (scope_col, unit_col) == ("puskesmas_code", "desa_code"):
        counts = "SELECT * FROM desa_puskesmas_counts"
    elif (scope_col, unit_col) == ("regency_code", "desa_code"):
        counts = f"""{_level_counts(level, _NOT_ONE_PUSKESMAS)}
        UNION ALL
        SELECT c.def_no, c.year, o.regency_no, c.u, c.month, c.n
        FROM desa_puskesmas_counts c
        JOIN one_puskesmas_desa o ON o.puskesmas_no = c.s AND o.desa_code = c.u AND o.year = c.year"""
    else:
        counts = _level_counts(level)
    unit_code = "c.u" if unit_col == "desa_code" else f"sc.{scope_col}"
    return f"""
    SELECT {sorted(LEVELS).index(level)} AS level_rank, $level_{i} AS scope_level, c.def_no, c.year, c.s AS scope_no,
           sc.{scope_col} AS scope_code, {unit_code} AS unit_code, c.month, c.n
    FROM (
        {counts}
    ) c JOIN {numbers} sc ON sc.{scope} = c.s"""


def _number_definitions(params: dict[str, list[Any]], keys: list[str]) -> dict[str, list[Any]]:
    """The count statement's definitions by number: `d_indicator` (the definition's key for the coverage
    statement) becomes its number as text, so the records carry a short key and the groupings an integer;
    returns the numbers and keys the statement maps back with. The other statements keep the keys."""
    number = {key: i for i, key in enumerate(keys)}
    return {
        "d_indicator": [str(number[k]) for k in params["d_indicator"]],
        "def_no": list(range(len(keys))),
        "def_key": keys,
    }


def _count_sql() -> str:
    """The tallies of every level in one statement, in scope order (level, scope, year). The touched slices'
    records are scanned and matched to the numerator definitions once (the coverage statement's `records`
    text) and grouped once per puskesmas, desa and person (`person_months`: the first month served), then
    each level groups those again: cheaper than grouping the records once per level, and the same counts
    (a minimum of minimums). A desa whose records of the kabupaten-year come from one touched puskesmas
    (the usual case) takes its desa@kabupaten counts from desa@puskesmas. Definitions are numbered (_number_definitions), puskesmas and kabupaten within
    the statement in code order (sorting by number sorts by code), so the groupings and the final sort
    compare integers, not text; the last join maps the numbers back. A record is in a level's
    slices when its (puskesmas or kabupaten, year) was touched (`in_puskesmas_code`, `in_regency_code`).
    Level names are bound ($level_0, …). `tests/test_tallies.py` checks the counts against coverage counted
    from the records (`coverage._counting_ctes`)."""
    levels = "\n    UNION ALL".join(_level_sql(i, level) for i, level in enumerate(LEVELS))
    return f"""
WITH {_DEFS},
touched_puskesmas AS (  -- the (puskesmas, year) slices to recount
    SELECT unnest(CAST($p_scope AS VARCHAR[])) AS scope_code, unnest(CAST($p_year AS INTEGER[])) AS year
),
touched_regency AS (  -- the (kabupaten, year) slices to recount
    SELECT unnest(CAST($r_scope AS VARCHAR[])) AS scope_code, unnest(CAST($r_year AS INTEGER[])) AS year
),
def_numbers AS (  -- `defs.indicator` holds each definition's number ($def_no), as text
    SELECT unnest(CAST($def_no AS INTEGER[])) AS def_no, unnest(CAST($def_key AS VARCHAR[])) AS def_key
),
puskesmas_numbers AS (
    SELECT puskesmas_code, regency_code, CAST(row_number() OVER (ORDER BY puskesmas_code) AS INTEGER) AS puskesmas_no
    FROM puskesmas
),
regency_numbers AS (
    SELECT regency_code, CAST(row_number() OVER (ORDER BY regency_code) AS INTEGER) AS regency_no
    FROM (SELECT DISTINCT regency_code FROM puskesmas WHERE regency_code IS NOT NULL)
),
window_layanan AS (  -- their service records of the services some numerator counts
    SELECT l.puskesmas_code, l.desa_code, p.regency_code, p.puskesmas_no, r.regency_no, l.person_key,
           l.service_date, l.service_code, l.age_years, l.sex, l.result,
           CAST(year(l.service_date) AS INTEGER) AS year, CAST(month(l.service_date) AS INTEGER) AS month,
           tp.scope_code IS NOT NULL AS in_puskesmas_code, tr.scope_code IS NOT NULL AS in_regency_code
    FROM layanan l JOIN puskesmas_numbers p USING (puskesmas_code)
    LEFT JOIN regency_numbers r ON r.regency_code = p.regency_code
    LEFT JOIN touched_puskesmas tp ON tp.scope_code = p.puskesmas_code AND tp.year = year(l.service_date)
    LEFT JOIN touched_regency tr ON tr.scope_code = p.regency_code AND tr.year = year(l.service_date)
    WHERE l.service_code IN (SELECT service_code FROM defs)
      AND (tp.scope_code IS NOT NULL OR tr.scope_code IS NOT NULL)
),
{_RECORDS},
numbered AS (SELECT CAST(indicator AS INTEGER) AS def_no, * EXCLUDE (indicator) FROM records),
person_months AS (  -- distinct persons: the first month served per puskesmas and desa
    SELECT def_no, year, regency_no, puskesmas_no, desa_code, in_puskesmas_code, in_regency_code, person_key,
           min(month) AS month
    FROM numbered WHERE count_method = 'distinct_persons' GROUP BY ALL
),
event_months AS (  -- events per puskesmas, desa and month
    SELECT def_no, year, regency_no, puskesmas_no, desa_code, in_puskesmas_code, in_regency_code, month,
           count(*) AS n
    FROM numbered WHERE count_method = 'events' GROUP BY ALL
),
visit_days AS (  -- persons with at least N visits: one visit per distinct service date
    SELECT DISTINCT def_no, min_events, year, regency_no, puskesmas_no, desa_code, in_puskesmas_code,
           in_regency_code, person_key, service_date, month
    FROM numbered WHERE count_method = 'persons_with_min_events'
),
desa_puskesmas_counts AS (  -- the desa@puskesmas level's counts, read again for desa@kabupaten
    {_level_counts("desa@puskesmas")}
),
one_puskesmas_desa AS (  -- (kabupaten, desa, year) of touched records from one touched puskesmas-year only
    SELECT regency_no, desa_code, year, min(puskesmas_no) AS puskesmas_no
    FROM (
        SELECT regency_no, desa_code, year, puskesmas_no, in_puskesmas_code FROM person_months WHERE in_regency_code
        UNION ALL
        SELECT regency_no, desa_code, year, puskesmas_no, in_puskesmas_code FROM event_months WHERE in_regency_code
        UNION ALL
        SELECT regency_no, desa_code, year, puskesmas_no, in_puskesmas_code FROM visit_days WHERE in_regency_code
    )
    GROUP BY regency_no, desa_code, year
    HAVING min(puskesmas_no) = max(puskesmas_no) AND bool_and(in_puskesmas_code)
),
counted AS ({levels}
)
SELECT d.def_key, c.year, c.scope_level, c.scope_code, c.unit_code, c.month, c.n
FROM counted c JOIN def_numbers d USING (def_no)
ORDER BY c.level_rank, c.scope_no, c.year
"""


_SERVICES_SQL = """
WITH touched AS (
    SELECT unnest(CAST($t_scope AS VARCHAR[])) AS puskesmas_code, unnest(CAST($t_year AS INTEGER[])) AS year
)
SELECT l.puskesmas_code, l.desa_code, CAST(year(l.service_date) AS INTEGER) AS year,
       CAST(month(l.service_date) AS INTEGER) AS month, l.service_code, count(*) AS records,
       min(l.upload_id) AS first_upload
FROM layanan l JOIN touched t ON t.puskesmas_code = l.puskesmas_code AND t.year = year(l.service_date)
GROUP BY ALL
"""


def _touched(slices: Slices, prefix: str = "t_") -> dict[str, list[Any]]:
    ordered = sorted(slices)
    return {f"{prefix}scope": [s for s, _ in ordered], f"{prefix}year": [y for _, y in ordered]}


def _delete(con: duckdb.DuckDBPyConnection, table: str, column: str, slices: Slices, level: str | None) -> None:
    extra = "AND t.scope_level = $level" if level else ""
    sql = f"""
        DELETE FROM {table} t USING (
            SELECT unnest(CAST($t_scope AS VARCHAR[])) AS s, unnest(CAST($t_year AS INTEGER[])) AS y
        ) x WHERE t.{column} = x.s AND t.year = x.y {extra}"""
    con.execute(sql, {**_touched(slices), **({"level": level} if level else {})})


def _current(con: duckdb.DuckDBPyConnection, keys: set[str]) -> bool:
    held = {row[0] for row in con.execute("SELECT def_key FROM tally_defs").fetchall()}
    return held == keys


def puskesmas_years(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> Slices:
    """Every (puskesmas, year) with records, of these puskesmas."""
    rows = con.execute(
        "SELECT DISTINCT puskesmas_code, CAST(year(service_date) AS INTEGER) FROM layanan "
        "WHERE list_contains($codes, puskesmas_code)",
        {"codes": sorted(set(codes))},
    ).fetchall()
    return {(str(p), int(y)) for p, y in rows}


def regencies_of(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> set[str]:
    """The kabupaten of these puskesmas (codes compared in upper case)."""
    wanted = sorted({c.upper() for c in codes})
    if not wanted:
        return set()
    rows = con.execute(
        "SELECT DISTINCT regency_code FROM puskesmas WHERE list_contains(CAST($codes AS VARCHAR[]), upper(puskesmas_code))",
        {"codes": wanted},
    ).fetchall()
    return {str(r[0]) for r in rows if r[0] is not None}


def refresh(
    con: duckdb.DuckDBPyConnection,
    cat: Catalogue,
    slices: Slices,
    *,
    regencies: Iterable[str] = (),
) -> None:
    """Recount the tallies of the (puskesmas, year) `slices` an upload or a withdrawal touched, and of their
    kabupaten in those years (plus every year of `regencies`, whose puskesmas changed). Call inside the
    write's transaction, after the write. A catalogue whose numerator definitions differ from the ones
    held recounts everything (once)."""
    defs = definitions(cat)
    if not _current(con, set(defs)):
        rebuild(con, cat)
        return
    regency_of = dict(
        con.execute(
            "SELECT puskesmas_code, regency_code FROM puskesmas WHERE list_contains($codes, puskesmas_code)",
            {"codes": sorted({p for p, _ in slices})},
        ).fetchall()
    )
    regency_slices = {(str(regency_of[p]), y) for p, y in slices if regency_of.get(p)}
    regencies = set(regencies)
    if regencies:  # a puskesmas list moved centres between kabupaten: every year of those kabupaten
        years = {int(r[0]) for r in con.execute("SELECT DISTINCT year(service_date) FROM layanan").fetchall()}
        regency_slices |= {(r, y) for r in regencies for y in years}
    _recount(con, defs, slices, regency_slices)


def rebuild(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> None:
    """Recount every tally from the records, for the catalogue's numerator definitions."""
    defs = definitions(cat)
    for table in ("tally_counts", "tally_services", "tally_defs"):
        con.execute(f"DELETE FROM {table}")
    con.executemany(
        "INSERT INTO tally_defs VALUES (?, ?)",
        [[key, json.dumps({"first_indicator": e.indicator.code})] for key, e in defs.items()],
    )
    pusk = {
        (str(p), int(y))
        for p, y in con.execute(
            "SELECT DISTINCT puskesmas_code, CAST(year(service_date) AS INTEGER) FROM layanan"
        ).fetchall()
    }
    regency = {
        (str(r), int(y))
        for r, y in con.execute(
            "SELECT DISTINCT p.regency_code, CAST(year(l.service_date) AS INTEGER) "
            "FROM layanan l JOIN puskesmas p USING (puskesmas_code) WHERE p.regency_code IS NOT NULL"
        ).fetchall()
    }
    _recount(con, defs, pusk, regency)


def _recount(con: duckdb.DuckDBPyConnection, defs: dict[str, _Entry], pusk: Slices, regency: Slices) -> None:
    con.execute("SET enable_progress_bar = false")  # a long recount must not print into a command's output
    params = _service_params(list(defs.values()))
    numbers = _number_definitions(params, list(defs))
    if pusk:
        _delete(con, "tally_services", "puskesmas_code", pusk, None)
        # Written in scope order (so are the counts below): a page reads one kabupaten's rows, and the range
        # filters of coverage._record_ctes then skip the row groups of the others.
        con.execute(f"INSERT INTO tally_services {_SERVICES_SQL} ORDER BY puskesmas_code, year, month", _touched(pusk))
    scopes = {"puskesmas_code": pusk, "regency_code": regency}
    for level, (scope_col, _) in LEVELS.items():
        if scopes[scope_col]:
            _delete(con, "tally_counts", "scope_code", scopes[scope_col], level)
    if pusk or regency:
        sql = _count_sql()
        names = {f"level_{i}": level for i, level in enumerate(LEVELS)}
        touched = {**_touched(pusk, "p_"), **_touched(regency, "r_")}
        con.execute(
            f"INSERT INTO tally_counts {sql}",
            _bind(sql, {**params, **numbers, **touched, **names}),
        )
    con.execute("INSERT OR REPLACE INTO meta VALUES ('tally_records', CAST((SELECT count(*) FROM layanan) AS VARCHAR))")


def record_slices(con: duckdb.DuckDBPyConnection) -> str:
    """A relation of the records per (puskesmas_code, desa_code, period = first of the month, service_code):
    `records` and `first_upload`. From `tally_services` when the tallies are current (a few thousand rows),
    otherwise grouped from the records; for the checks and lists that only need which slices hold records."""
    if tallies_hold(con):
        return """(SELECT puskesmas_code, desa_code, make_date(year, month, 1) AS period, service_code, records,
                          first_upload FROM tally_services)"""
    return """(SELECT puskesmas_code, desa_code, CAST(date_trunc('month', service_date) AS DATE) AS period,
                      service_code, count(*) AS records, min(upload_id) AS first_upload
               FROM layanan GROUP BY ALL)"""
