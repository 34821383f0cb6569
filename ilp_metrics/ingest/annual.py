"""Annual tables: Profil Kesehatan "Tabel NN … menurut kecamatan dan puskesmas" and annual SPM recaps.

Such a table has title rows (the kabupaten, `TAHUN 2024`), a header of two or three rows with merged
cells (`IBU HAMIL` over `JUMLAH`; `K1`, `K4`, `K6` each over `JUMLAH` and `%`), often a row of column
numbers, then one row per puskesmas and a total row (`JUMLAH KAB.`, `Jumlah Kab/Kota`, `Kabupaten`).
One upload loads both the year's sasaran (the `JUMLAH` columns under a target group) and the year's
counts (the `JUMLAH` columns under a service) as the annual aggregate (table `capaian_tahunan`).

The `%` columns are never stored: each is checked against count ÷ sasaran (a difference beyond the
rounding of the printed figure is a note naming the column and the row); a service given only as a
percentage is derived as round(% × sasaran / 100) where the sasaran is known (from the same row, or
already stored for that year and puskesmas), and refused where it is not (a percentage cannot be added
up without its target). The total row is skipped and checked: the file's totals must equal the sum of
the rows loaded. Every column is accounted for in `AnnualResult.columns`: what it fed, or why not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.catalogue.labels import normalise_label
from ilp_metrics.core.db import bump_data_version, transaction
from ilp_metrics.ingest.columns import ColumnUse
from ilp_metrics.ingest.errors import FileProblem, Refusal
from ilp_metrics.ingest.fields import FIELDS
from ilp_metrics.ingest.headers import HeaderBlock, cell_text, header_block, title_regency, title_text, title_year
from ilp_metrics.ingest.layouts import months_in_row, quarters_in_row
from ilp_metrics.ingest.load import keep_findings
from ilp_metrics.ingest.readers import SheetRows
from ilp_metrics.quality import kept, reach
from ilp_metrics.security import audit

ANNUAL_KIND = "tahunan"
HEADER_SCAN_ROWS = 30

_NO = {"no", "nomor", "no urut", "nomer"}
_KECAMATAN = {"kecamatan", "nama kecamatan", "kec"}
_PUSK_NAME = set(FIELDS["puskesmas_name"].labels) | {"unit kerja", "nama unit kerja"}
_PUSK_CODE = set(FIELDS["puskesmas_code"].labels) - {"code"}
_PERIOD = set(FIELDS["period"].labels) | set(FIELDS["month"].labels)
_COUNT = {"jumlah", "jml", "abs", "absolut", "n", "sigma", "jumlah absolut"}
_BOTH_SEXES = {"l p", "lp", "laki laki perempuan", "total", "l dan p", "jumlah l p"}
_ONE_SEX = {"l", "p", "lk", "pr", "laki laki", "perempuan", "pria", "wanita"}
_SIGMA = {"Σ", "∑"}
# total rows: "JUMLAH KAB.", "Jumlah (Kab/Kota)", "TOTAL", "Kabupaten", "Total Kabupaten", "JUMLAH"
_TOTAL_ROW = re.compile(
    r"^(jumlah|jml|total|grand total|sub ?total)\b.*|^(kabupaten|kota|kab|kab kota|kabupaten kota)$"
)


@dataclass(frozen=True)
class Column:
    """What one column of the file is: `role` is no | kecamatan | puskesmas_name | puskesmas_code |
    sasaran | count | percent | ignored; `code` the target group or service; `note` why it is ignored."""

    index: int
    header: str
    role: str
    code: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AnnualLayout:
    """An annual table found in one sheet."""

    sheet: str | None
    first_row: int  # Excel row number of rows[0]
    block: HeaderBlock
    title: str
    year: int | None
    regency: str | None
    columns: tuple[Column, ...]
    rows: list[list[str | None]]

    def of(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]


@dataclass
class AnnualResult:
    """The outcome of validating an annual table (nothing written yet)."""

    layout: AnnualLayout
    year: int
    sasaran: list[tuple[int, str, str, int]] = field(default_factory=list)  # row, puskesmas, group, count
    counts: list[tuple[int, str, str, int, bool]] = field(default_factory=list)  # row, pusk, service, n, derived
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0

    @property
    def refused_rows(self) -> set[int]:
        return {r.row for r in self.refusals}

    def column_report(self, ignore: frozenset[str] = frozenset()) -> list[ColumnUse]:
        """Every column of the file, in the ingest report's terms (ingest/columns.py): the field or code it
        fed, or why it was left out; a figure column that matches no service or target group is
        `unmatched` (it stops a strict upload) unless the user chose to ignore it."""
        return [_column_use(c, ignore) for c in self.layout.columns]


_ROLE_FIELDS = {"kecamatan": "district_name", "puskesmas_name": "puskesmas_name", "puskesmas_code": "puskesmas_code"}
_IGNORED_USES = {
    "empty": "empty",
    "percent_of_target": "percent",
    "unknown_measure": "unmatched",
    "unnamed": "unmatched",
}


def _column_use(c: Column, ignore: frozenset[str]) -> ColumnUse:
    header = c.header or f"kolom {c.index + 1}"
    if c.role == "no":
        return ColumnUse(c.index, header, "row_number")
    if c.role in _ROLE_FIELDS:
        return ColumnUse(c.index, header, "field", _ROLE_FIELDS[c.role])
    if c.role in ("sasaran", "count"):
        return ColumnUse(c.index, header, "wide", c.code)
    if c.role == "percent":
        return ColumnUse(c.index, header, "percent", c.code)
    use = _IGNORED_USES.get(c.note or "", "not_counted")
    if use == "unmatched" and normalise_label(header) in ignore:
        use = "ignored"
    return ColumnUse(c.index, header, use)


# ------------------------------------------------------------------ detection


def _is_pct(part: str) -> bool:
    return "%" in part or normalise_label(part) in ("persen", "persentase", "prosentase", "pct")


def _is_count(part: str) -> bool:
    return part.strip() in _SIGMA or normalise_label(part) in _COUNT


def _lookup(part: str, index: dict[str, str]) -> str | None:
    """A header part's code: the part itself, or the name it gives in brackets (`Kunjungan Neonatal 3
    kali (KN lengkap)`, `Pelayanan antenatal (K6)`)."""
    code = index.get(normalise_label(part))
    if code is None:
        inner = re.findall(r"\(([^()]+)\)", part)
        code = next((index[normalise_label(x)] for x in inner if normalise_label(x) in index), None)
    return code


def _classify(index: int, path: tuple[str, ...], header: str, cat: Catalogue, has_numbers: bool) -> Column:
    """A column's role from its header path (see the module docstring)."""
    labels = [normalise_label(p) for p in path]
    if not path:
        return Column(index, header, "ignored", note="empty" if not has_numbers else "unnamed")
    first = labels[0]
    for role, vocabulary in (
        ("no", _NO),
        ("kecamatan", _KECAMATAN),
        ("puskesmas_code", _PUSK_CODE),
        ("puskesmas_name", _PUSK_NAME),
    ):
        if first in vocabulary and len(path) == 1:
            return Column(index, header, role)
    services = cat.service_synonyms()
    groups = cat.target_group_synonyms()
    # the deepest service part names the column (`PELAYANAN ANTENATAL` over `Kunjungan K1`); the parts
    # above it are group headings, the parts below it must say which figure (JUMLAH, %, L+P)
    service_of = [_lookup(p, services) for p in path]
    group_of = [_lookup(p, groups) for p in path]
    service_at = max((i for i, code in enumerate(service_of) if code), default=None)
    group_at = next((i for i, code in enumerate(group_of) if code), None)
    measure_at = service_at if service_at is not None else group_at
    if measure_at is None:
        return Column(index, header, "ignored", note="unknown_measure" if has_numbers else "unused")
    rest = list(path[measure_at + 1 :])
    if any(normalise_label(p) in _ONE_SEX for p in rest):
        return Column(index, header, "ignored", note="one_sex")
    pct = any(_is_pct(p) for p in rest)
    others = [p for p in rest if not (_is_pct(p) or _is_count(p) or normalise_label(p) in _BOTH_SEXES)]
    if others:
        return Column(index, header, "ignored", note="unknown_measure" if has_numbers else "unused")
    if service_at is not None:
        return Column(index, header, "percent" if pct else "count", service_of[service_at])
    if pct:
        return Column(index, header, "ignored", note="percent_of_target")
    return Column(index, header, "sasaran", group_of[group_at or 0])


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-?[\d.,]+\s*%?", text))


def _month_wide(header_rows: Sequence[Sequence[object]]) -> bool:
    """Three months or two quarters side by side in the header: the columns are periods of a recap."""
    return any(len(months_in_row(r)) >= 3 or len(quarters_in_row(r)) >= 2 for r in header_rows)


def find_layout(sheets: Sequence[SheetRows], cat: Catalogue, regencies: dict[str, str]) -> AnnualLayout | None:
    """The first sheet holding an annual table: a header row naming the puskesmas (NO, KECAMATAN,
    PUSKESMAS) whose header spans several rows or has `%` columns, with at least one service or target
    group recognised and no period column (a monthly table is not an annual one)."""
    for sheet in sheets:
        rows = sheet.rows
        for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            labels = [normalise_label(c) for c in row]
            anchors = [j for j, lab in enumerate(labels) if lab in _PUSK_NAME | _NO | _KECAMATAN | _PUSK_CODE]
            if not any(labels[j] in _PUSK_NAME for j in anchors):
                continue
            block = header_block(rows, i, anchors)
            if any(normalise_label(p) in _PERIOD for path in block.paths for p in path):
                return None
            if _month_wide(rows[block.first : block.data_start]):
                return None  # months or quarters side by side: a month-wide recap (ingest/recap.py), not a year
            data = rows[block.data_start :]
            columns = []
            for j, path in enumerate(block.paths):
                has_numbers = any(j < len(r) and _numeric(cell_text(r[j])) for r in data)
                column = _classify(j, path, block.label(j), cat, has_numbers)
                if column.role in ("sasaran", "count", "percent") and not has_numbers:
                    column = Column(j, column.header, "ignored", note="empty")  # left blank in this file
                columns.append(column)
            measures = [c for c in columns if c.role in ("sasaran", "count", "percent")]
            multi = block.last > block.first or any(c.role == "percent" for c in columns)
            if not measures or not multi:
                continue
            title = title_text(rows, i)
            return AnnualLayout(
                sheet.sheet,
                sheet.first_row,
                block,
                title,
                title_year(title),
                title_regency(title, regencies),
                tuple(columns),
                rows,
            )
    return None


# ------------------------------------------------------------------ validation


def _parse_values(con: duckdb.DuckDBPyConnection, texts: list[str]) -> dict[str, tuple[int | None, float | None]]:
    """Counts and decimals the way every upload reads them (values.py macros), in one statement."""
    if not texts:
        return {}
    rows = con.execute(
        "SELECT v, ilp_int(v), ilp_decimal(v) FROM (SELECT DISTINCT CAST(unnest($v) AS VARCHAR) AS v)",
        {"v": texts},
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _clean(text: str) -> str | None:
    t = text.replace("\u00a0", " ").strip().rstrip("%").strip()
    return None if t in ("", "-", "–") else t


def _resolve_puskesmas(
    con: duckdb.DuckDBPyConnection, names: list[str], codes: list[str]
) -> dict[tuple[str, str], tuple[str | None, int, str | None]]:
    """(name, code) → (puskesmas code, candidates, its kabupaten) through the registry (lk_pusk)."""
    rows = con.execute(
        """
        WITH given AS (SELECT CAST(unnest($n) AS VARCHAR) AS name, CAST(unnest($c) AS VARCHAR) AS code)
        SELECT g.name, g.code,
               coalesce(pc.puskesmas_code, CASE WHEN pn.n = 1 THEN pn.puskesmas_code END) AS resolved,
               coalesce(CASE WHEN pc.puskesmas_code IS NOT NULL THEN 1 END, pn.n, 0) AS n
        FROM given g
        LEFT JOIN puskesmas pc ON g.code <> '' AND upper(pc.puskesmas_code) = upper(g.code)
        LEFT JOIN lk_pusk pn ON g.code = '' AND pn.label = ilp_pusk_label(g.name)
        """,
        {"n": names, "c": codes},
    ).fetchall()
    regency = dict(con.execute("SELECT puskesmas_code, regency_code FROM puskesmas").fetchall())
    return {(r[0], r[1]): (r[2], int(r[3]), regency.get(r[2])) for r in rows}


def _known_sasaran(con: duckdb.DuckDBPyConnection, year: int) -> dict[tuple[str, str], int]:
    rows = con.execute(
        "SELECT area_code, target_group, sum(count) FROM sasaran WHERE year = ? AND area_level = 'puskesmas' "
        "GROUP BY ALL",
        [year],
    ).fetchall()
    return {(r[0], r[1]): int(r[2]) for r in rows}


def _denominator_groups(cat: Catalogue) -> dict[str, str]:
    """Service → the target group its percentage is taken of (the indicator counting that service
    alone over a target group: K1 over ibu hamil; or the one aggregate service an indicator reads in
    aggregate reports: K4 over ibu hamil)."""
    out: dict[str, str] = {}
    for ind in cat.indicators:
        if not (ind.denominator.target_group and ind.unit == "percent"):
            continue
        for services in (ind.numerator.services, ind.numerator.aggregate_services):
            if len(services) == 1:
                out.setdefault(services[0], ind.denominator.target_group)
    return out


def _decimals(text: str) -> int:
    m = re.search(r"[.,](\d+)\s*%?$", text.strip())
    return len(m.group(1)) if m else 0


AnnualRow = tuple[int, list[str | None]]  # (row number as the user sees it, its cells)


def split_rows(layout: AnnualLayout) -> tuple[list[AnnualRow], AnnualRow | None, int]:
    """The table's data rows, its total row (`JUMLAH KAB.`, `Kabupaten`: checked, never loaded) and how
    many rows are left out (blank rows, the total row and anything under it): what the ingest reads and
    what the upload preview counts."""
    first_cells = [c.index for c in layout.columns if c.role in ("no", "kecamatan", "puskesmas_name")][:4] or [0]
    data: list[AnnualRow] = []
    total: AnnualRow | None = None
    skipped = 0
    for k, row in enumerate(layout.rows[layout.block.data_start :]):
        row_no = layout.first_row + layout.block.data_start + k
        cells = [cell_text(c) for c in row]
        if total is not None or not any(cells):
            skipped += 1
            continue
        if any(_TOTAL_ROW.match(normalise_label(cells[i])) for i in first_cells if i < len(cells)):
            total = (row_no, row)
            skipped += 1
            continue
        data.append((row_no, row))
    return data, total, skipped


def validate_annual(
    con: duckdb.DuckDBPyConnection, layout: AnnualLayout, cat: Catalogue, *, year: int | None = None
) -> AnnualResult:
    """Read every data row of the table, resolve its puskesmas, parse its figures, check its
    percentages and its total row. Nothing is written."""
    year = year or layout.year
    if year is None:
        raise FileProblem("annual_no_year")
    name_col = layout.of("puskesmas_name")
    code_col = layout.of("puskesmas_code")
    if not name_col and not code_col:
        raise FileProblem("annual_no_puskesmas")
    result = AnnualResult(layout, year)
    data, total, result.rows_skipped = split_rows(layout)

    def text(row: list[str | None], col: Column) -> str:
        return cell_text(row[col.index]) if col.index < len(row) else ""

    measures = layout.of("sasaran") + layout.of("count") + layout.of("percent")
    values = _parse_values(
        con, [v for _, r in data + ([total] if total else []) for c in measures if (v := _clean(text(r, c)))]
    )
    names = [text(r, name_col[0]) if name_col else "" for _, r in data]
    codes = [text(r, code_col[0]) if code_col else "" for _, r in data]
    resolved = _resolve_puskesmas(con, names, codes)
    known = _known_sasaran(con, year)
    groups_of = _denominator_groups(cat)
    count_services = {c.code for c in layout.of("count")}
    pct_only = [c for c in layout.of("percent") if c.code not in count_services]
    header_of = {c.code: c.header for c in layout.of("count")}
    group_header = {c.code: c.header for c in layout.of("sasaran")}
    seen: dict[str, int] = {}

    def refuse(row_no: int, col: Column | None, reason: str, value: str | None = None) -> None:
        result.refusals.append(Refusal(row_no, col.header if col else None, col.role if col else None, reason, value))

    sums: dict[int, int] = {}
    for (row_no, row), name, code in zip(data, names, codes):
        id_col = code_col[0] if code else (name_col[0] if name_col else None)
        if not name and not code:
            if any(_clean(text(row, c)) for c in measures):
                refuse(row_no, name_col[0] if name_col else code_col[0], "required_missing")
            else:
                result.rows_skipped += 1
            continue
        result.rows_read += 1
        pusk, n, regency = resolved.get((name, code), (None, 0, None))
        if pusk is None:
            reason = (
                "ambiguous_puskesmas_name" if n > 1 else ("unknown_puskesmas" if code else "unknown_puskesmas_name")
            )
            refuse(row_no, id_col, reason, code or name)
            continue
        if layout.regency and regency != layout.regency:
            refuse(row_no, id_col, "annual_other_regency", code or name)
            continue
        if pusk in seen:
            refuse(row_no, id_col, "duplicate_key", str(seen[pusk]))
            continue
        seen[pusk] = row_no
        row_targets: dict[str, int] = {}
        row_counts: dict[str, int] = {}
        ok = True
        for col in layout.of("sasaran") + layout.of("count"):
            raw = _clean(text(row, col))
            if raw is None:
                continue
            whole, dec = values.get(raw, (None, None))
            if whole is None:
                refuse(row_no, col, "not_integer" if dec is not None else "not_number", raw)
                ok = False
            elif whole < 0:
                refuse(row_no, col, "negative", raw)
                ok = False
            else:
                (row_targets if col.role == "sasaran" else row_counts)[str(col.code)] = whole
                sums[col.index] = sums.get(col.index, 0) + whole
        for col in layout.of("percent"):
            raw = _clean(text(row, col))
            if raw is None:
                continue
            pct = values.get(raw, (None, None))[1]
            if pct is None:
                refuse(row_no, col, "not_number", raw)
                ok = False
                continue
            group = groups_of.get(str(col.code))
            target = row_targets.get(group) if group else None
            target = target if target is not None else (known.get((pusk, group)) if group else None)
            if col in pct_only:
                if not target:
                    refuse(row_no, col, "annual_percent_without_target", col.header)
                    ok = False
                    continue
                row_counts[str(col.code)] = round(pct * target / 100)
                result.notes.append(
                    {"code": "annual_derived", "row": row_no, "column": col.header, "value": row_counts[str(col.code)]}
                )
            elif target and str(col.code) in row_counts:
                expected = row_counts[str(col.code)] / target * 100
                if abs(expected - pct) > 0.5 * 10 ** -_decimals(raw) + 1e-6:
                    result.notes.append(
                        {
                            "code": "annual_percent_mismatch",
                            "row": row_no,
                            "column": col.header,
                            "value": raw,
                            "expected": round(expected, 2),
                        }
                    )
        if not ok:
            continue
        for group, n_target in row_targets.items():
            result.sasaran.append((row_no, pusk, group, n_target))
        for service, n_count in row_counts.items():
            result.counts.append((row_no, pusk, service, n_count, service not in count_services))
    if (
        pct_only
        and not result.counts
        and not any(r.reason_code != "annual_percent_without_target" for r in result.refusals)
    ):
        raise FileProblem("annual_percent_only", {"column": pct_only[0].header, "year": year})
    if total is not None:
        _check_total(result, total, layout, values, sums, text, header_of, group_header)
    return result


def _check_total(
    result: AnnualResult,
    total: tuple[int, list[str | None]],
    layout: AnnualLayout,
    values: dict[str, tuple[int | None, float | None]],
    sums: dict[int, int],
    text: Any,
    header_of: dict[str | None, str],
    group_header: dict[str | None, str],
) -> None:
    """The file's own totals against the sum of the rows loaded (a refused row makes them differ)."""
    row_no, row = total
    for col in layout.of("sasaran") + layout.of("count"):
        raw = _clean(text(row, col))
        if raw is None:
            continue
        given = values.get(raw, (None, None))[0]
        if given is not None and given != sums.get(col.index, 0):
            result.notes.append(
                {
                    "code": "annual_total_mismatch",
                    "row": row_no,
                    "column": col.header,
                    "value": given,
                    "expected": sums.get(col.index, 0),
                }
            )


# ------------------------------------------------------------------ writing


def commit_annual(
    con: duckdb.DuckDBPyConnection,
    result: AnnualResult,
    *,
    file_name: str,
    sha256: str,
    uploaded_by: str,
    uploaded_at: datetime,
    accept_valid: bool,
) -> tuple[int, int]:
    """Write the year's sasaran and counts in one transaction; an earlier upload's rows for the same
    (year, puskesmas, target group) and (year, puskesmas, service) are replaced. Returns (upload id,
    rows replaced)."""
    refused = result.refused_rows
    sasaran = [r for r in result.sasaran if r[0] not in refused]
    counts = [r for r in result.counts if r[0] not in refused]
    accepted_rows = {r[0] for r in sasaran} | {r[0] for r in counts}
    with transaction(con):
        upload_id = int(con.execute("SELECT nextval('upload_id_seq')").fetchall()[0][0])
        touch = (
            reach.before_annual(con, {r[1] for r in sasaran} | {r[1] for r in counts}, result.year)
            if kept.watching(con, load_catalogue())
            else None
        )
        replaced = 0
        if sasaran:
            replaced += int(
                con.execute(
                    """DELETE FROM sasaran t USING (SELECT CAST(unnest($p) AS VARCHAR) AS p,
                                                          CAST(unnest($g) AS VARCHAR) AS g) s
                       WHERE t.year = $y AND t.area_level = 'puskesmas' AND t.area_code = s.p AND t.target_group = s.g""",
                    {"p": [r[1] for r in sasaran], "g": [r[2] for r in sasaran], "y": result.year},
                ).fetchall()[0][0]
            )
            con.execute(
                """INSERT INTO sasaran (year, area_level, area_code, target_group, count, upload_id)
                   SELECT $y, 'puskesmas', unnest($p), unnest($g), unnest($n), $u""",
                {
                    "y": result.year,
                    "p": [r[1] for r in sasaran],
                    "g": [r[2] for r in sasaran],
                    "n": [r[3] for r in sasaran],
                    "u": upload_id,
                },
            )
        if counts:
            replaced += int(
                con.execute(
                    """DELETE FROM capaian_tahunan t USING (SELECT CAST(unnest($p) AS VARCHAR) AS p,
                                                                  CAST(unnest($s) AS VARCHAR) AS s) n
                       WHERE t.year = $y AND t.puskesmas_code = n.p AND t.service_code = n.s""",
                    {"p": [r[1] for r in counts], "s": [r[2] for r in counts], "y": result.year},
                ).fetchall()[0][0]
            )
            con.execute(
                """INSERT INTO capaian_tahunan (upload_id, source_row, year, puskesmas_code, service_code, count,
                                                derived)
                   SELECT $u, unnest($r), $y, unnest($p), unnest($s), unnest($n), unnest($d)""",
                {
                    "u": upload_id,
                    "r": [r[0] for r in counts],
                    "y": result.year,
                    "p": [r[1] for r in counts],
                    "s": [r[2] for r in counts],
                    "n": [r[3] for r in counts],
                    "d": [r[4] for r in counts],
                },
            )
        con.execute(
            """INSERT INTO uploads (upload_id, file_name, sha256, kind, profile, sheet, header_row, uploaded_by,
                                    uploaded_at, rows_read, rows_accepted, rows_refused, rows_skipped,
                                    rows_replaced, period_start, period_end, status)
               VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, make_date(?, 1, 1), make_date(?, 12, 1), 'active')""",
            [
                upload_id,
                file_name,
                sha256,
                ANNUAL_KIND,
                result.layout.sheet,
                result.layout.first_row + result.layout.block.first,
                uploaded_by,
                uploaded_at,
                result.rows_read,
                len(accepted_rows),
                len(refused),
                result.rows_skipped,
                replaced,
                result.year,
                result.year,
            ],
        )
        if refused and accept_valid:
            con.execute(
                "INSERT INTO upload_refusals SELECT $u, unnest($r), unnest($c), unnest($why)",
                {
                    "u": upload_id,
                    "r": [r.row for r in result.refusals],
                    "c": [r.column for r in result.refusals],
                    "why": [r.reason_code for r in result.refusals],
                },
            )
        con.execute(
            """UPDATE uploads SET status = 'replaced'
               WHERE kind IN ('sasaran', $k) AND status = 'active' AND upload_id <> $u
                 AND upload_id NOT IN (SELECT upload_id FROM sasaran UNION SELECT upload_id FROM capaian_tahunan)""",
            {"k": ANNUAL_KIND, "u": upload_id},
        )
        bump_data_version(con)
        keep_findings(con, touch, upload_id)
        audit.record(
            con,
            uploaded_by,
            "replace" if replaced else "upload",
            file_name,
            {
                "upload_id": upload_id,
                "kind": ANNUAL_KIND,
                "rows": len(accepted_rows),
                "refused": len(refused),
                "replaced": replaced,
                "sha256": sha256,
            },
        )
    return upload_id, replaced
