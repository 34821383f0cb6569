"""Which rows of a staged table an upload leaves out: blank rows and total rows (`JUMLAH`, `JUMLAH KAB.`,
`Total`, a bare `Kabupaten`). One definition, used by the validation (ingest/validate.py marks them
`_skip`) and by the upload preview, so the rows the preview counts as data are the rows the ingest reads."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ilp_metrics.ingest.readers import RawTable

# Total rows: `JUMLAH …`, `Total …`, and a bare `Kabupaten`/`Kab.`/`Kab/Kota` (the district total of a
# table per puskesmas); `Kabupaten Maros` in a regency column is data, not a total.
TOTAL_ROW_RE = (
    r"(jumlah|total|jml|grand total|sub ?total|subtotal)\b.*|kabupaten|kab\.?|kab ?/ ?kota|kabupaten ?/ ?kota"
)
TOTAL_COLUMNS = 4  # a total row names itself in one of the first columns (NO, KECAMATAN, PUSKESMAS, DESA)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _cell(column: str, cleaned: bool) -> str:
    """A staged cell as the rules read it: `cleaned` when the relation holds `ilp_clean` of each cell already
    (ingest/validate.py cleans every cell once), so the rules do not clean it again."""
    return column if cleaned else f"ilp_clean({column})"


def blank_condition(raw: RawTable, *, cleaned: bool = False) -> str:
    """SQL over the staged table: true for a row whose every cell is empty."""
    cells = ", ".join(_cell(c, cleaned) for c in raw.columns) or "NULL"
    return f"coalesce({cells}) IS NULL"


def total_condition(raw: RawTable, *, cleaned: bool = False) -> str:
    """SQL over the staged table: true for a total row (one of its first cells reads `JUMLAH …`, …)."""
    pattern = _literal(TOTAL_ROW_RE)
    return (
        " OR ".join(
            f"regexp_full_match(lower(coalesce({_cell(c, cleaned)}, '')), {pattern})"
            for c in raw.columns[:TOTAL_COLUMNS]
        )
        or "false"
    )


def skip_case(raw: RawTable, *, cleaned: bool = False) -> str:
    """SQL over the staged table: `'blank'`, `'total'` or NULL (a data row)."""
    blank, total = blank_condition(raw, cleaned=cleaned), total_condition(raw, cleaned=cleaned)
    return f"CASE WHEN {blank} THEN 'blank' WHEN {total} THEN 'total' END"


@dataclass(frozen=True)
class RowCounts:
    """Rows of a staged table as the ingest reads them: data rows, and the rows it leaves out."""

    data: int
    total: int
    blank: int
    total_rows: tuple[int, ...]  # the row numbers (as the user sees them) of the total rows


def count_rows(con: duckdb.DuckDBPyConnection, raw: RawTable) -> RowCounts:
    """Data, total and blank rows of the staged table (the ilp_clean macro must be installed)."""
    skip = skip_case(raw)
    row = con.execute(
        f"""
        WITH marked AS (SELECT row_no, {skip} AS skip FROM {raw.relation})
        SELECT count(*) FILTER (WHERE skip IS NULL),
               count(*) FILTER (WHERE skip = 'total'),
               count(*) FILTER (WHERE skip = 'blank'),
               coalesce(list(row_no ORDER BY row_no) FILTER (WHERE skip = 'total'), [])
        FROM marked"""
    ).fetchone()
    assert row is not None  # an aggregate always answers one row
    return RowCounts(int(row[0]), int(row[1]), int(row[2]), tuple(int(n) for n in row[3]))
