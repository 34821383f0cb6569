"""Reading CSV and XLSX files into a DuckDB staging relation of text columns, whatever their quirks.

CSV: the encoding (UTF-8, BOM, UTF-16, Windows-1252, even mixed line by line) and the separator are
sniffed from the file's head in Python; files that are not plain UTF-8 are transcoded to a UTF-8 copy in
the database's private folder (core/private.py: 0700, removed however the read ends, swept after a kill);
DuckDB then reads the whole file (all columns as VARCHAR, both cores).
XLSX: read with fastexcel (Rust calamine underneath, Arrow out; measured 0.63 s for 200 k rows vs 10.8 s
for openpyxl and 2.0 s for pandas+calamine), every cell as text so codes keep their leading zeros. The
sheet XML is scanned only for what calamine does not tell: the first used row (for true Excel row
numbers) and merged cells (whose value is copied into every cell of the merge), with a streaming XML
parser (expat), so the scan is linear in the sheet's size.
Every read is bounded (ingest/limits.py): columns, cells and a time limit.

Nothing here interprets values; `validate` does, in SQL.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import duckdb
import pyarrow as pa

from ilp_metrics.core.db import database_file, single_row
from ilp_metrics.core.private import scratch_file
from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.fields import label_index, normalise_label
from ilp_metrics.ingest.limits import Deadline, ReadLimits, interrupt_at
from ilp_metrics.ingest.sniff import sniff

HEAD_BYTES = 256 * 1024
HEADER_SCAN_ROWS = 30
DELIMITERS = (";", ",", "\t", "|")
MAX_LINE_BYTES = 8 * 1024 * 1024


@dataclass
class RawTable:
    """A staged file: `relation` names a DuckDB temp table/view with text columns c0…cN and row_no."""

    relation: str
    headers: list[str]
    header_row: int  # 1-based row number of the header in the file/sheet
    rows: int
    title_text: str = ""
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    cleanup: list[str] = field(default_factory=list)  # temp files to delete

    @property
    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.headers))]


def header_score(cells: Sequence[object], extra_labels: set[str]) -> int:
    """How many cells of a row look like known column names."""
    known = label_index()
    score = 0
    for cell in cells:
        label = normalise_label(cell)
        if label and (label in known or label in extra_labels):
            score += 1
    return score


def find_header_row(rows: Sequence[Sequence[object]], extra_labels: set[str]) -> int | None:
    best, best_score = None, 1  # a header needs at least two recognised names
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = header_score(row, extra_labels)
        if score > best_score:
            best, best_score = i, score
    return best


# ---------------------------------------------------------------- CSV


def _detect_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM: every other byte is zero for Latin text.
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    if b"\x00" in head:
        raise FileProblem("not_text")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "mixed"  # Windows-1252, or UTF-8 with some Windows-1252 lines


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _transcode(path: Path, encoding: str, target: Path, deadline: Deadline | None = None) -> Path:
    """Write a UTF-8 copy into `target` (a private scratch file); 'mixed' decodes line by line (UTF-8
    first, Windows-1252 otherwise)."""
    with open(target, "w", encoding="utf-8", newline="") as out:
        if encoding == "mixed":
            with open(path, "rb") as fh:
                for n, raw in enumerate(fh):
                    out.write(_decode_line(raw))
                    if deadline is not None and n % 65536 == 0:
                        deadline.check()
        else:
            with open(path, encoding=encoding, errors="replace", newline="") as fh:
                while chunk := fh.read(1 << 20):
                    out.write(chunk)
                    if deadline is not None:
                        deadline.check()
    return target


def _sniff_delimiter(text: str) -> str:
    lines = text.splitlines()[:60]
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = mode * counts.count(mode) / len(lines)
        if score > best_score:
            best, best_score = delim, score
    return best


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    return bad / len(text)


def read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, extra_labels: set[str], limits: ReadLimits | None = None
) -> RawTable:
    """Stage a CSV as text columns. A file in another encoding is read from a UTF-8 copy; the copy holds the
    file's NIKs and names in clear, so it is a private scratch file, deleted as soon as DuckDB has staged
    it (the staging table is a copy) or the file is refused, and swept after a kill."""
    limits = limits or ReadLimits.from_settings()
    deadline = Deadline(limits.seconds)
    encoding = _detect_encoding(path)
    if encoding == "utf-8":
        return _stage_csv(con, path, extra_labels, encoding, [], limits, deadline)
    with scratch_file(database_file(con), ".csv") as source:
        _transcode(path, encoding, source, deadline)
        return _stage_csv(con, source, extra_labels, encoding, [], limits, deadline)


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    extra_labels: set[str],
    encoding: str,
    cleanup: list[str],
    limits: ReadLimits,
    deadline: Deadline,
) -> RawTable:
    with open(source, encoding="utf-8", errors="replace", newline="") as fh:
        head = fh.read(HEAD_BYTES // 2)
    if _control_ratio(head[:20000]) > 0.05:
        raise FileProblem("not_text")
    delimiter = _sniff_delimiter(head)
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    rows: list[list[str]] = []
    line_after: list[int] = []  # physical lines consumed after each record
    try:
        for row in reader:
            rows.append(row)
            line_after.append(reader.line_num)
            if len(rows) >= HEADER_SCAN_ROWS + 50:
                break
    except csv.Error as exc:
        raise FileProblem("unreadable", {"detail": str(exc)[:200]}) from exc
    if not any(any(c.strip() for c in r) for r in rows):
        raise FileProblem("empty")
    limits.check_columns(max(len(r) for r in rows))  # before any per-cell work on the head
    header_idx = find_header_row(rows, extra_labels)
    if header_idx is None:
        raise FileProblem("no_header")
    headers = [c.strip() for c in rows[header_idx]]
    width = max([len(headers)] + [len(r) for r in rows[header_idx + 1 :]])
    headers += [""] * (width - len(headers))
    skip = line_after[header_idx]
    title_text = " ".join(" ".join(r) for r in rows[:header_idx])
    relation = f"stg_{uuid.uuid4().hex[:12]}"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    base = (
        f"CREATE TEMP TABLE {relation} AS SELECT CAST(row_number() OVER () AS INTEGER) + {skip} AS row_no, * "
        f"FROM read_csv(?, delim = ?, quote = '\"', escape = '\"', header = false, skip = {skip}, "
        f"auto_detect = false, columns = {columns}, null_padding = true, strict_mode = false, "
        f"max_line_size = {MAX_LINE_BYTES}"
    )
    try:
        with interrupt_at(con, deadline):
            try:
                con.execute(base + ")", [str(source), delimiter])
            except duckdb.Error as exc:
                if "parallel=false" not in str(exc):
                    raise
                con.execute(base + ", parallel = false)", [str(source), delimiter])
    except duckdb.Error as exc:
        message = str(exc)
        if "maximum line size" in message.lower() or "max_line_size" in message:
            raise FileProblem("line_too_long") from exc
        raise FileProblem("unreadable", {"detail": message.splitlines()[0][:200]}) from exc
    n = single_row(con.execute(f"SELECT count(*) FROM {relation}"))[0]
    try:
        limits.check_cells(n, width)
    except FileProblem:
        con.execute(f"DROP TABLE IF EXISTS {relation}")
        raise
    return RawTable(relation, headers, header_idx + 1, n, title_text, None, encoding, delimiter, cleanup)


# ---------------------------------------------------------------- XLSX

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def check_xlsx_container(path: Path, max_ratio: float, max_uncompressed: int = 1 << 30) -> None:
    """Refuse old .xls files and zip bombs before any decompression happens."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == _OLE_MAGIC:
        raise FileProblem("xls_old")
    if magic != _ZIP_MAGIC or not zipfile.is_zipfile(path):
        raise FileProblem("xlsx_corrupt")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > max_uncompressed or total / packed > max_ratio:
            raise FileProblem("xlsx_bomb", {"ratio": round(total / packed)})
        if "xl/workbook.xml" not in zf.namelist():
            raise FileProblem("xlsx_corrupt")


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {
        m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    )
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            out[_xml_unescape(name.group(1))] = target if target.startswith("xl/") else "xl/" + target
    return out


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)), col  # 1-based row, 1-based column


class _SheetScan:
    """expat handlers for one sheet: the first cells holding a value, and the merged ranges.

    Cells count only until the end of the MiB in which the first value appeared (the header area, where
    the column offset matters for merges); the rest of sheetData is then skipped as bytes (no element of
    it is needed) and the part after it, where Excel writes mergeCells, is parsed again."""

    def __init__(self, max_cells: int | None) -> None:
        self.first_row: int | None = None
        self.first_col: int | None = None
        self.merges: list[tuple[int, int, int, int]] = []
        self.root: str | None = None
        self.cells = 0
        self.max_cells = max_cells
        self.counting = True
        self._cell: str | None = None
        self._valued = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = name
        if local == "c":
            self._cell, self._valued = attrs.get("r"), False
            self.cells += 1
            if self.max_cells is not None and self.cells > self.max_cells:
                raise FileProblem("too_many_cells", {"cells": self.cells, "max_cells": self.max_cells})
        elif local in ("v", "is") and self._cell is not None:
            self._valued = True
        elif local == "mergeCell":
            ref = attrs.get("ref", "")
            m = re.fullmatch(r"([A-Z]+\d+):([A-Z]+\d+)", ref)
            if m:
                r1, c1 = _cell_ref(m.group(1))
                r2, c2 = _cell_ref(m.group(2))
                self.merges.append((r1, c1, r2, c2))

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] != "c":
            return
        if self.counting and self._valued and self._cell:
            with contextlib.suppress(ValueError):
                r, c = _cell_ref(self._cell)
                self.first_row = r if self.first_row is None else min(self.first_row, r)
                self.first_col = c if self.first_col is None else min(self.first_col, c)
        self._cell = None

    def parser(self) -> expat.XMLParserType:
        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        return p


_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData>")


def scan_sheet_xml(
    path: Path, sheet_xml: str, *, max_cells: int | None = None, deadline: Deadline | None = None
) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """First used row and column (1-based) and merged ranges (r1, c1, r2, c2) of one sheet.

    calamine starts its range at the first cell holding a value; Excel users count from row 1, so the
    offset is needed to report true row numbers. The column offset is estimated from the MiB of cells in
    which the first value appears (enough for the header area, where it matters for merged cells).
    A streaming parser over the zip member: time and memory linear in the sheet, whatever its cells look
    like (Excel writes formatted empty cells as `<c r="B2" s="1"/>`).
    """
    scan = _SheetScan(max_cells)
    parser = scan.parser()
    phase, tail = "head", b""  # head: parse cells; skip: look for </sheetData>; rest: parse what follows
    try:
        with zipfile.ZipFile(path) as zf, zf.open(sheet_xml) as fh:
            while chunk := fh.read(1 << 20):
                if deadline is not None:
                    deadline.check()
                if phase == "head":
                    parser.Parse(chunk, False)
                    if scan.first_row is not None:  # the header area is read: skip the rest of sheetData
                        scan.counting, phase = False, "skip"
                    continue
                if phase == "skip":
                    text = tail + chunk
                    m = _SHEETDATA_END.search(text)
                    if m is None:
                        tail = text[-32:]
                        continue
                    parser = scan.parser()  # what follows sheetData, wrapped in the sheet's own root
                    parser.Parse(f"<{scan.root or 'worksheet'}>".encode(), False)
                    chunk, phase = text[m.end() :], "rest"
                parser.Parse(chunk, False)
    except expat.ExpatError:
        pass  # a malformed tail: calamine has read the cells already; keep what was found
    return (scan.first_row or 1), (scan.first_col or 1), sorted(set(scan.merges))


def read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    extra_labels: set[str],
    max_ratio: float,
    max_rows: int,
    limits: ReadLimits | None = None,
) -> RawTable:
    import fastexcel

    limits = limits or ReadLimits.from_settings()
    deadline = Deadline(limits.seconds)
    check_xlsx_container(path, max_ratio)
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types
        raise FileProblem("xlsx_corrupt", {"detail": str(exc)[:200]}) from exc
    best: tuple[int, str, int] | None = None
    best_batch: pa.Table | None = None  # the best sheet, already loaded whole
    for name in reader.sheet_names[:10]:
        # fastexcel parses the whole sheet even when asked for its first rows, so a sheet within the row
        # limit is loaded whole once and kept (loading the head, then the sheet, parsed it twice); a taller
        # sheet, or one that fails to load whole, is only scanned here and handled below as before.
        whole = None
        deadline.check()
        try:
            sheet_obj = reader.load_sheet(name, header_row=None, dtypes="string")
            limits.check_columns(sheet_obj.width)
            limits.check_cells(sheet_obj.total_height, sheet_obj.width)
            if sheet_obj.total_height <= max_rows + 1:
                whole = sheet_obj.to_arrow()
        except FileProblem:
            raise
        except Exception:
            whole = None
        try:
            head = (
                whole.slice(0, HEADER_SCAN_ROWS + 5)
                if whole is not None
                else reader.load_sheet(name, header_row=None, dtypes="string", n_rows=HEADER_SCAN_ROWS + 5).to_arrow()
            )
        except Exception:
            continue
        rows = [list(r.values()) for r in head.to_pylist()]
        idx = find_header_row(rows, extra_labels)
        if idx is not None:
            score = header_score(rows[idx], extra_labels)
            if best is None or score > best[0]:
                best, best_batch = (score, name, idx), whole
    if best is None:
        raise FileProblem("no_header")
    _, sheet, header_idx = best
    sheet_xml = _sheet_paths(zipfile.ZipFile(path)).get(sheet)
    first_row, first_col, merges = (
        (1, 1, [])
        if sheet_xml is None
        else scan_sheet_xml(path, sheet_xml, max_cells=limits.max_cells, deadline=deadline)
    )
    try:
        if best_batch is not None:
            batch = best_batch  # within max_rows + 1 rows, so within max_rows + header_idx + 1
        else:
            loaded = reader.load_sheet(sheet, header_row=None, dtypes="string")
            limits.check_columns(loaded.width)
            limits.check_cells(loaded.total_height, loaded.width)
            if loaded.total_height > max_rows + header_idx + 1:
                raise FileProblem("too_many_rows", {"max_rows": max_rows})
            batch = loaded.to_arrow()
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("xlsx_corrupt", {"detail": str(exc)[:200]}) from exc
    columns = [batch.column(i) for i in range(batch.num_columns)]
    if merges:
        columns = _fill_merges(columns, merges, first_row, first_col)
    header_cells = [columns[i][header_idx].as_py() for i in range(len(columns))]
    headers = ["" if c is None else str(c).strip() for c in header_cells]
    title_text = " ".join(
        str(columns[i][r].as_py())
        for r in range(header_idx)
        for i in range(len(columns))
        if columns[i][r].as_py() is not None
    )
    data = {f"c{i}": col.slice(header_idx + 1) for i, col in enumerate(columns)}
    n = batch.num_rows - header_idx - 1
    start = first_row + header_idx + 1
    table = pa.table({"row_no": pa.array(range(start, start + n), pa.int32()), **data})
    relation = f"stg_{uuid.uuid4().hex[:12]}"
    con.register(relation + "_arrow", table)
    con.execute(f"CREATE TEMP TABLE {relation} AS SELECT * FROM {relation}_arrow")
    con.unregister(relation + "_arrow")
    return RawTable(relation, headers, first_row + header_idx, n, title_text, sheet)


def _fill_merges(
    columns: list[pa.Array], merges: list[tuple[int, int, int, int]], first_row: int, first_col: int
) -> list[pa.Array]:
    """Copy the top-left value of each merged range into all its cells (vertical merges of names/codes)."""
    values = {}
    for r1, c1, r2, c2 in merges:
        top, left = r1 - first_row, c1 - first_col
        if top < 0 or left < 0 or left >= len(columns):
            continue
        if left not in values:
            values[left] = columns[left].to_pylist()
        source = values[left][top] if top < len(values[left]) else None
        if source is None:
            continue
        for c in range(left, min(c2 - first_col + 1, len(columns))):
            if c not in values:
                values[c] = columns[c].to_pylist()
            col = values[c]
            for r in range(top, min(r2 - first_row + 1, len(col))):
                if col[r] is None:
                    col[r] = source
    out = list(columns)
    for c, col in values.items():
        out[c] = pa.array(col, pa.string())
    return out


def read_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    extra_labels: set[str],
    *,
    max_ratio: float,
    max_rows: int,
    limits: ReadLimits | None = None,
) -> RawTable:
    suffix = path.suffix.lower()
    found = sniff(path)  # a web page, SQL dump, PDF, Word or (Geo)JSON file is told what it is
    if found is not None:
        raise FileProblem(f"wrong_file_{found}")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if suffix in (".xlsx", ".xlsm") or magic == _ZIP_MAGIC:
        return read_xlsx(con, path, extra_labels, max_ratio, max_rows, limits)
    if suffix == ".xls" or magic == _OLE_MAGIC:
        raise FileProblem("xls_old")
    table = read_csv(con, path, extra_labels, limits)
    if table.rows > max_rows:
        drop_staging(con, table)
        raise FileProblem("too_many_rows", {"max_rows": max_rows})
    return table


def drop_staging(con: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    con.execute(f"DROP TABLE IF EXISTS {table.relation}")
    for p in table.cleanup:
        with contextlib.suppress(OSError):
            os.unlink(p)


# ---------------------------------------------------------------- whole sheets as rows (small tables)

SMALL_TABLE_ROWS = 2000  # tables read whole in Python: one row per puskesmas or desa, never records


@dataclass(frozen=True)
class SheetRows:
    """One sheet (or a CSV file) as rows of text, merged cells filled; `first_row` is the Excel row
    number of rows[0], so a row's number as the user sees it is first_row + index."""

    sheet: str | None
    first_row: int
    rows: list[list[str | None]]


def sheet_rows(path: Path, *, max_ratio: float, max_sheets: int = 30) -> list[SheetRows]:
    """Every sheet of an XLSX (the first `max_sheets`) or the CSV, read whole as text, for the small
    tables whose header spans several rows (ingest/headers.py). Sheets taller than SMALL_TABLE_ROWS are
    left out: such a sheet holds records, which the staged path reads."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == _ZIP_MAGIC:
        return _xlsx_rows(path, max_ratio, max_sheets)
    if path.suffix.lower() == ".xls" or magic == _OLE_MAGIC:
        raise FileProblem("xls_old")
    if path.stat().st_size > HEAD_BYTES:
        return []  # a table of one row per puskesmas or desa is far smaller
    encoding = _detect_encoding(path)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if encoding == "mixed":
        text = "".join(_decode_line(line) for line in head.splitlines(keepends=True))
    else:
        text = head.decode(encoding, "replace")
    rows: list[list[str | None]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text)):
            rows.append([c if c.strip() else None for c in row])
            if len(rows) > SMALL_TABLE_ROWS:
                return []
    except csv.Error:
        return []
    return [SheetRows(None, 1, rows)]


def _xlsx_rows(path: Path, max_ratio: float, max_sheets: int) -> list[SheetRows]:
    import fastexcel

    check_xlsx_container(path, max_ratio)
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types
        raise FileProblem("xlsx_corrupt", {"detail": str(exc)[:200]}) from exc
    xml_paths = _sheet_paths(zipfile.ZipFile(path))
    out = []
    for name in reader.sheet_names[:max_sheets]:
        xml = xml_paths.get(name)
        if xml is not None and _declared_height(path, xml) > SMALL_TABLE_ROWS:
            continue  # a sheet of records: not parsed here at all
        try:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            if sheet.total_height > SMALL_TABLE_ROWS:
                continue
            batch = sheet.to_arrow()
        except Exception:
            continue
        first_row, first_col, merges = (1, 1, []) if xml is None else scan_sheet_xml(path, xml)
        columns = [batch.column(i) for i in range(batch.num_columns)]
        if merges:
            columns = _fill_merges(columns, merges, first_row, first_col)
        values = [col.to_pylist() for col in columns]
        rows = [[None if v[r] is None else str(v[r]) for v in values] for r in range(batch.num_rows)]
        out.append(SheetRows(name, first_row, rows))
    return out


def _declared_height(path: Path, sheet_xml: str) -> int:
    """The last row of the sheet's declared dimension (`<dimension ref="A1:X300"/>`), 0 if none."""
    with zipfile.ZipFile(path) as zf, zf.open(sheet_xml) as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    m = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return int(m.group(1)) if m else 0
