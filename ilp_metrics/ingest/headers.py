"""Multi-row headers: the header rows of a table read as one path of header parts per column.

Published tables (Profil Kesehatan, SPM recaps, PWS tables) put their header over two to four rows with
merged cells: `IBU HAMIL` over `JUMLAH`, `K1` over `JUMLAH` and `%`, a month over `S`, `TS` and `% S`.
The readers copy a merged cell's value into every cell of the merge (readers._fill_merges), so the
header rows arrive as plain rows of text; this module turns them into, per column, the tuple of parts
from the top row down (`("K1", "%")`, `("IBU HAMIL", "JUMLAH")`, `("NO",)`). Title rows above the header
are kept apart (the kabupaten and the year are read from them), and a row of column numbers
(`1 2 3 …`, `(1) (2) (3)`) below it is skipped.

Everything here is pure: rows in, paths and facts out. Any layout with a multi-row header can use it:
`header_block` with the row where its header starts and the columns that name a row (NO, PUSKESMAS,
DESA), then match the paths against its own vocabulary.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ilp_metrics.catalogue.labels import normalise_label

MAX_HEADER_ROWS = 4

_NUMBER_CELL = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")
_YEAR = re.compile(r"\bTAHUN\s+((?:19|20)\d{2})\b", re.IGNORECASE)
# "KABUPATEN MAROS", "KAB. LUWU UTARA", "KABUPATEN/KOTA KUTAI TIMUR", "KOTA MAKASSAR"
_REGENCY = re.compile(
    r"\b(KABUPATEN\s*/\s*KOTA|KAB\s*/\s*KOTA|KABUPATEN|KAB\.?|KOTA)\s+([A-Z][A-Z .'-]{1,60})", re.IGNORECASE
)
_REGENCY_STOP = re.compile(r"\s+(TAHUN|PROVINSI|PROV\.?|MENURUT|DI|PADA)\b.*$", re.IGNORECASE)


def cell_text(value: object) -> str:
    """A cell as stripped text ('' for an empty cell)."""
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class HeaderBlock:
    """Where a multi-row header sits in `rows` (0-based indices) and the path of each column."""

    first: int  # first header row
    last: int  # last header row (inclusive)
    numbers_row: int | None  # the row of column numbers under the header, skipped
    data_start: int  # first row after the header (and after the column numbers)
    paths: tuple[tuple[str, ...], ...]  # per column: header parts from the top row down, as written

    def label(self, column: int) -> str:
        """The column's header as the file writes it, parts joined with ' / ' (for messages)."""
        return " / ".join(self.paths[column]) if column < len(self.paths) else ""


def is_numbers_row(row: Sequence[object]) -> bool:
    """A row of column numbers: at least three cells, every filled cell a small number, increasing."""
    numbers: list[int] = []
    for cell in row:
        text = cell_text(cell)
        if not text:
            continue
        if text.endswith(".0"):  # a number cell read as text by the spreadsheet reader
            text = text[:-2]
        m = _NUMBER_CELL.match(text)
        if not m:
            return False
        numbers.append(int(m.group(1)))
    return len(numbers) >= 3 and numbers[0] <= 2 and all(b > a for a, b in itertools.pairwise(numbers))


def _fill_right(row: list[str], below: list[str] | None) -> list[str]:
    """An empty cell of an upper header row, with a part under it, belongs to the group on its left
    (a merge that was not filled, as in CSV exports): `K1, '' / JUMLAH, %` is `K1/JUMLAH, K1/%`."""
    out = list(row)
    if below is None:
        return out
    for i in range(1, len(out)):
        if not out[i] and below[i] and out[i - 1]:
            out[i] = out[i - 1]
    return out


def header_paths(rows: Sequence[Sequence[object]], first: int, last: int) -> tuple[tuple[str, ...], ...]:
    """Per column, the non-empty parts of header rows `first..last`, top down, a part repeated by a
    vertical merge kept once (`NO` over `NO` is `("NO",)`)."""
    width = max((len(rows[r]) for r in range(first, last + 1)), default=0)
    grid = [[cell_text(rows[r][c]) if c < len(rows[r]) else "" for c in range(width)] for r in range(first, last + 1)]
    # fill from the bottom-most upper row up, so that a group over a group is filled too
    for k in range(len(grid) - 2, -1, -1):
        grid[k] = _fill_right(grid[k], grid[k + 1])
    paths = []
    for c in range(width):
        parts: list[str] = []
        for k in range(len(grid)):
            part = grid[k][c]
            if part and (not parts or normalise_label(parts[-1]) != normalise_label(part)):
                parts.append(part)
        paths.append(tuple(parts))
    return tuple(paths)


def _continues_header(row: Sequence[object], above: Sequence[object], anchors: Sequence[int]) -> bool:
    """A row under a header row is still header when its row-naming cells are empty or repeat the
    header above them (a vertical merge), and it holds some text that is not a number."""
    for a in anchors:
        here = cell_text(row[a]) if a < len(row) else ""
        top = cell_text(above[a]) if a < len(above) else ""
        if here and normalise_label(here) != normalise_label(top):
            return False
    texts = [cell_text(c) for c in row if cell_text(c)]
    return any(not re.fullmatch(r"[\d.,%()\s-]+", t) for t in texts)


def header_block(
    rows: Sequence[Sequence[object]], first: int, anchors: Sequence[int], max_rows: int = MAX_HEADER_ROWS
) -> HeaderBlock:
    """The header that starts at row `first`: it goes on while the rows continue it (see
    _continues_header; `anchors` are the columns that name a data row, e.g. NO and PUSKESMAS), at most
    `max_rows` rows, and stops before a row of column numbers, which is skipped."""
    last = first
    while (
        last + 1 < len(rows)
        and last + 1 - first < max_rows
        and not is_numbers_row(rows[last + 1])
        and _continues_header(rows[last + 1], rows[first], anchors)
    ):
        last += 1
    numbers = last + 1 if last + 1 < len(rows) and is_numbers_row(rows[last + 1]) else None
    data_start = (numbers if numbers is not None else last) + 1
    return HeaderBlock(first, last, numbers, data_start, header_paths(rows, first, last))


def title_text(rows: Sequence[Sequence[object]], before: int) -> str:
    """The title rows above the header, as one line of text."""
    return " ".join(cell_text(c) for row in rows[:before] for c in row if cell_text(c))


def title_year(text: str) -> int | None:
    """The year a title names (`TAHUN 2024`)."""
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def title_regency(text: str, regencies: Mapping[str, str]) -> str | None:
    """The kabupaten/kota a title names, matched to the reference regencies (`code -> name`, names as
    Kemendagri writes them: `KABUPATEN MAROS`, `KOTA MAKASSAR`). `KAB. LUWU UTARA` and `KABUPATEN/KOTA
    KUTAI TIMUR` are matched too; None when no name or several regencies fit."""
    by_name: dict[str, set[str]] = {}
    for code, name in regencies.items():
        label = normalise_label(name)
        kind, _, rest = label.partition(" ")
        by_name.setdefault(rest, set()).add(code)
        by_name.setdefault(label, set()).add(code)
        if kind == "kabupaten":
            by_name.setdefault("kabupaten " + rest, set()).add(code)
    for m in _REGENCY.finditer(text):
        prefix = normalise_label(m.group(1))
        name = normalise_label(_REGENCY_STOP.sub("", m.group(2)))
        words = name.split()
        # the longest run of words that names exactly one regency ("LUWU UTARA" before "LUWU")
        for n in range(len(words), 0, -1):
            candidate = " ".join(words[:n])
            keyed = ("kota " + candidate) if prefix == "kota" else ("kabupaten " + candidate)
            codes = by_name.get(keyed) if prefix in ("kota", "kab", "kabupaten") else None
            codes = codes or by_name.get(candidate)
            if codes and len(codes) == 1:
                return next(iter(codes))
    return None
