"""Month-wide recaps: what a profile says about a header of several rows, and pure helpers to read it.

SPM recapitulations and PWS tables put one group of columns per month (under `TRIWULAN I` …) or per
indicator (`K1`, `K6`, …), each group split again (`S` → `L`/`P`/`TOTAL`, `TS`, `% S`; `BULAN LALU`,
`BULAN INI`, `KUMULATIF`, `%`). A `Layout` names the header rows, what the group labels are (months or
measures) and which sub-column of each group holds the month's count. `header_paths` turns the header
rows into one path of labels per column; `recap.py` does the reshaping in SQL. No database here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ilp_metrics.ingest.fields import normalise_label

GROUP_KINDS = ("month", "measure")

MONTH_LABELS: dict[str, int] = {
    label: number
    for number, labels in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "pebruari", "february", "feb", "peb"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agt", "ags", "agu", "aug"),
            ("september", "sept", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for label in labels
}
QUARTER_RE = re.compile(r"^(?:total |jumlah )?(?:triwulan|tw|tribulan|trimester|kuartal|q)\s*(i{1,3}|iv|[1-4])$")
NUMBER_ROW_RE = re.compile(r"^\(?\d{1,3}\)?$")


class LayoutError(ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """How a recap's header is built. `header_rows` are row numbers counted from the header start (1 = the
    row holding the names of the fixed columns, e.g. `NO`, `NAMA PUSKESMAS`, `SASARAN`)."""

    header_rows: tuple[int, ...]
    groups: str = "month"  # "month": a group label is a month; "measure": it names a service (K1, K6 …)
    take: tuple[str, ...] = ()  # the sub-column under each group that holds the month's count
    service: str | None = None  # groups: month — the one service the recap counts (YANKES_DM)
    measures: dict[str, str] = field(default_factory=dict)  # groups: measure — group label -> service code
    year: str | None = None  # groups: month — "title" (TAHUN 2024 in the title) or a year ("2024")
    period: str | None = None  # groups: measure — "title" (BULAN : MARET 2024) or a month ("2024-03")
    sasaran_column: str | None = None  # the annual target's column (SASARAN), loaded as sasaran
    target_group: str | None = None
    previous: tuple[str, ...] = ()  # groups: measure — sub-column of the months before (BULAN LALU)
    cumulative: tuple[str, ...] = ()  # groups: measure — sub-column of the year to date (KUMULATIF)
    header_start: str | None = None  # a label of the header start row, when not the fixed columns' names


def _labels(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def layout_from_dict(raw: dict[str, Any]) -> Layout:
    """Parse the `layout:` block of a profile; LayoutError says every problem at once."""
    problems: list[str] = []
    rows_raw = raw.get("header_rows", 2)
    rows: tuple[int, ...] = ()
    if isinstance(rows_raw, int) and not isinstance(rows_raw, bool) and 1 <= rows_raw <= 12:
        rows = tuple(range(1, rows_raw + 1))
    elif isinstance(rows_raw, list) and rows_raw and all(isinstance(r, int) and 1 <= r <= 12 for r in rows_raw):
        rows = tuple(sorted(set(rows_raw)))
        if rows[0] != 1:
            problems.append("header_rows: the list must start with 1 (the header start)")
    else:
        problems.append("header_rows must be a number of rows (1-12) or a list of row numbers")
    groups = str(raw.get("groups", "month"))
    if groups not in GROUP_KINDS:
        problems.append(f"groups must be one of {', '.join(GROUP_KINDS)}")
    take = _labels(raw.get("take"))
    if not take:
        problems.append("take: name the sub-column of each group that holds the count (e.g. [S, TOTAL])")
    measures = {str(k): str(v) for k, v in (raw.get("measures") or {}).items()}
    service = raw.get("service")
    if groups == "month" and not service:
        problems.append("service: a month-grouped recap needs the service code it counts")
    sasaran = raw.get("sasaran") or {}
    if sasaran and not (isinstance(sasaran, dict) and sasaran.get("column") and sasaran.get("target_group")):
        problems.append("sasaran needs a column and a target_group")
    cumulative = raw.get("cumulative") or {}
    if problems:
        raise LayoutError("; ".join(problems))
    year = raw.get("year")
    period = raw.get("period")
    return Layout(
        header_rows=rows,
        groups=groups,
        take=take,
        service=str(service) if service else None,
        measures=measures,
        year=None if year is None else str(year),
        period=None if period is None else str(period),
        sasaran_column=str(sasaran["column"]) if sasaran else None,
        target_group=str(sasaran["target_group"]) if sasaran else None,
        previous=_labels(cumulative.get("previous")),
        cumulative=_labels(cumulative.get("total")),
        header_start=str(raw["header_start"]) if raw.get("header_start") else None,
    )


def layout_to_dict(layout: Layout) -> dict[str, Any]:
    """The YAML form of a layout (what save_profile writes and layout_from_dict reads back)."""
    rows = layout.header_rows
    out: dict[str, Any] = {
        "header_rows": len(rows) if rows == tuple(range(1, len(rows) + 1)) else list(rows),
        "groups": layout.groups,
        "take": list(layout.take),
    }
    if layout.service:
        out["service"] = layout.service
    if layout.measures:
        out["measures"] = dict(layout.measures)
    if layout.year:
        out["year"] = layout.year
    if layout.period:
        out["period"] = layout.period
    if layout.sasaran_column:
        out["sasaran"] = {"column": layout.sasaran_column, "target_group": layout.target_group}
    if layout.previous or layout.cumulative:
        out["cumulative"] = {"previous": list(layout.previous), "total": list(layout.cumulative)}
    if layout.header_start:
        out["header_start"] = layout.header_start
    return out


# ------------------------------------------------------------------ header paths


def part_key(label: object) -> str:
    """A header label as compared: normalised, but `% S` stays apart from `S`."""
    text = "" if label is None else str(label)
    key = normalise_label(text)
    return f"% {key}".strip() if "%" in text else key


def header_paths(rows: Sequence[Sequence[object]]) -> list[tuple[str, ...]]:
    """One path of labels per column, from the top header row down.

    A label repeated down a column (a vertical merge, filled by the reader) counts once. A blank cell of
    an upper row under a group takes the label on its left when both columns have the same labels above
    it and the column has a label further down: how a CSV export (no merges) writes `S` once over
    `L`, `P`, `TOTAL`. A numeric cell in a header row (`0` written by a broken export) is kept as text.
    """
    width = max((len(r) for r in rows), default=0)
    grid = [[_cell(r[c]) if c < len(r) else "" for c in range(width)] for r in rows]
    last = len(grid) - 1
    for level in range(last):
        for c in range(1, width):
            if grid[level][c] or not grid[level][c - 1]:
                continue
            above_same = all(grid[u][c] == grid[u][c - 1] for u in range(level))
            has_below = any(grid[d][c] for d in range(level + 1, last + 1))
            if above_same and has_below:
                grid[level][c] = grid[level][c - 1]
    paths: list[tuple[str, ...]] = []
    for c in range(width):
        parts: list[str] = []
        for level in range(len(grid)):
            label = grid[level][c]
            if label and (not parts or part_key(parts[-1]) != part_key(label)):
                parts.append(label)
        paths.append(tuple(parts))
    return paths


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def path_text(path: Sequence[str]) -> str:
    """A column's path as the report names it: `TRIWULAN I › MARET › S › TOTAL`."""
    return " › ".join(path)


def month_of(label: object) -> int | None:
    return MONTH_LABELS.get(normalise_label(label))


def is_quarter(label: object) -> bool:
    return bool(QUARTER_RE.match(normalise_label(label)))


def is_number_row(cells: Sequence[object]) -> bool:
    """A row of column numbers under the header (`1 2 3 …` or `(1) (2) …`), skipped as no data."""
    values = [_cell(c) for c in cells if _cell(c)]
    return len(values) >= 3 and all(NUMBER_ROW_RE.match(v) for v in values)


def months_in_row(cells: Sequence[object]) -> list[str]:
    """The distinct month labels of one row, in order: three or more in one row mark a month-wide recap
    (a long table holds one month per row)."""
    seen: dict[int, str] = {}
    for cell in cells:
        m = month_of(cell)
        if m is not None and m not in seen:
            seen[m] = _cell(cell)
    return list(seen.values())


def months_in_title(title: str) -> list[str]:
    """The distinct month labels among the words of the title area (header rows above the row the reader
    took for the header are joined into it)."""
    return months_in_row(re.findall(r"[A-Za-z]+", title))


def quarters_in_row(cells: Sequence[object]) -> list[str]:
    seen: list[str] = []
    for cell in cells:
        if is_quarter(cell) and _cell(cell) not in seen:
            seen.append(_cell(cell))
    return seen


# ------------------------------------------------------------------ titles


def title_value(title: str, label: str) -> str | None:
    """The text after `LABEL :` in a title, up to the next `WORD :` (title cells are joined with spaces)."""
    m = re.search(rf"\b{re.escape(label)}\s*:\s*(.+?)\s*(?=\s[A-Za-z]+\s*:|$)", title, re.I)
    return m.group(1).strip() if m else None


def year_from_title(title: str) -> int | None:
    """`TAHUN 2024` in the title, else the only year it names."""
    m = re.search(r"\btahun\s*:?\s*(20\d\d)\b", title, re.I)
    if m:
        return int(m.group(1))
    years = set(re.findall(r"\b(20\d\d)\b", title))
    return int(years.pop()) if len(years) == 1 else None


def period_from_title(title: str) -> str | None:
    """`BULAN : MARET 2024` (or `BULAN MARET TAHUN 2024`) in the title, as `2024-03`."""
    text = title_value(title, "bulan") or ""
    m = re.search(r"\bbulan\s*:?\s*([A-Za-z]+)\b", title, re.I)
    candidates = [text.split()[0]] if text.split() else []
    if m:
        candidates.append(m.group(1))
    month = next((month_of(c) for c in candidates if month_of(c)), None)
    if month is None:
        return None
    year_m = re.search(r"\b(20\d\d)\b", text) or None
    year = int(year_m.group(1)) if year_m else year_from_title(title)
    return f"{year}-{month:02d}" if year else None


def sub_paths(paths: Sequence[tuple[str, ...]], groups: str, measure_labels: set[str]) -> list[tuple[str, ...]]:
    """The distinct sub-columns found under the groups (for the upload page's choice), first seen first."""
    out: list[tuple[str, ...]] = []
    for path in paths:
        at = group_index(path, groups, measure_labels)
        if at is None:
            continue
        sub = path[at + 1 :]
        if sub and sub not in out:
            out.append(sub)
    return out


def group_index(path: Sequence[str], groups: str, measure_labels: set[str]) -> int | None:
    """Where in a column's path its group label is: the first month (groups: month) or the first label
    naming a measure (groups: measure, labels compared as part_key)."""
    for i, part in enumerate(path):
        if groups == "month" and month_of(part) is not None:
            return i
        if groups == "measure" and part_key(part) in measure_labels:
            return i
    return None
