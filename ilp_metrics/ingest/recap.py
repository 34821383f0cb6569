"""Loading a month-wide recap through a profile with a `layout`: reshape, then the usual validation.

The recap is read as any file (readers), with the header start found by the profile's column names; the
further header rows are the first staged rows. `reshape` builds, in SQL, one staged table per target kind
— `capaian` (a row per source row and month, or per source row for a month named in the title) and, when
the recap has a SASARAN column, `sasaran` for the year — each with a Mapping, so that
`validate.validate` applies every existing check. Source row numbers are kept: a refusal points to the
Excel row, its column to the header path (`TRIWULAN I › MARET › S › TOTAL`). Every source column is
accounted for (used, checked, or ignored and why).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.formatting import month_name
from ilp_metrics.core.i18n import t
from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.fields import label_index, normalise_label
from ilp_metrics.ingest.layouts import (
    Layout,
    group_index,
    header_paths,
    is_number_row,
    is_quarter,
    month_of,
    months_in_row,
    months_in_title,
    part_key,
    path_text,
    period_from_title,
    quarters_in_row,
    sub_paths,
    title_value,
    year_from_title,
)
from ilp_metrics.ingest.mapping import Mapping, Profile, packaged_profiles
from ilp_metrics.ingest.readers import RawTable, drop_staging, read_table
from ilp_metrics.ingest.validate import sql_str
from ilp_metrics.security.scope import PUSKESMAS_UPLOAD_KINDS, Principal

if TYPE_CHECKING:
    from ilp_metrics.ingest import IngestReport

FIELD_CHOICES = ("puskesmas_code", "puskesmas_name", "desa_code", "desa_name")


@dataclass
class ColumnUse:
    """What one source column fed: `use` is a message key suffix (field, count, sasaran, check, ignored_*)."""

    column: int
    path: tuple[str, ...]
    use: str
    detail: str = ""

    def text(self, lang: str = "id") -> str:
        return t(f"recap.use.{self.use}", lang, detail=self.detail)


@dataclass
class Recap:
    source: RawTable
    paths: list[tuple[str, ...]]
    parts: list[tuple[RawTable, Mapping]] = field(default_factory=list)
    columns: list[ColumnUse] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (message key, values)
    checks: str | None = None  # temp table (row_no, code, column, prev, cum) for groups: measure
    header_end: int = 0  # last source row of the header (data start after it)
    profile: str | None = None

    def relations(self) -> list[RawTable]:
        return [self.source, *(raw for raw, _ in self.parts)]


def anchor_labels(profile: Profile) -> set[str]:
    """Header labels that mark the header start: the fixed columns the profile names (and `NO`)."""
    layout = profile.layout
    labels = {normalise_label(h) for h in profile.columns.values() if h}
    if layout is not None:
        labels |= {normalise_label(x) for x in (layout.sasaran_column, layout.header_start) if x}
    return {label for label in labels if label} | {"no"}


def read_recap(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, *, max_ratio: float, max_rows: int
) -> RawTable:
    """Stage the file with its header start found by the profile's names only (not the catalogue's: `S`
    is a target-group synonym and would make the sub-column row look like the header)."""
    return read_table(con, path, anchor_labels(profile), max_ratio=max_ratio, max_rows=max_rows)


def header_grid(con: duckdb.DuckDBPyConnection, raw: RawTable, rows: int) -> list[list[object]]:
    """The header start row and the `rows - 1` staged rows under it (the upload page shows them)."""
    cols = ", ".join(raw.columns)
    below = con.execute(f"SELECT {cols} FROM {raw.relation} ORDER BY row_no LIMIT {max(0, int(rows) - 1)}").fetchall()
    return [list(raw.headers), *[list(r) for r in below]]


def header_depth(grid: list[list[object]], profile: Profile) -> int:
    """How many of the grid's rows are header: `header_rows` is the most; the header ends before the first
    row whose puskesmas/desa column holds something other than its own label (a name: the data start), so
    one profile reads both the 5-row export and the 4-row one without the TRIWULAN row."""
    wanted = {part_key(h) for h in profile.columns.values() if h}
    name_cols = [i for i, h in enumerate(grid[0]) if part_key(h) in wanted] if grid else []
    for n, row in enumerate(grid[1:], start=1):
        for i in name_cols:
            cell = row[i] if i < len(row) else None
            if cell is not None and str(cell).strip() and part_key(cell) != part_key(grid[0][i]):
                return n
    return len(grid)


def _measure_labels(layout: Layout, cat: Catalogue) -> dict[str, str]:
    labels = {part_key(k): v for k, v in cat.service_synonyms().items()}
    labels.update({part_key(k): v for k, v in layout.measures.items()})
    return labels


def _field_of(path: tuple[str, ...], profile: Profile) -> str | None:
    keys = {part_key(p) for p in path}
    for f, header in profile.columns.items():
        if header and part_key(header) in keys and f in (*FIELD_CHOICES, "year", "month", "period"):
            return f
    synonym = label_index().get(normalise_label(path[-1])) if path else None
    not_used = {f for f, h in profile.columns.items() if not h}
    return synonym if synonym in FIELD_CHOICES and synonym not in not_used else None


def reshape(con: duckdb.DuckDBPyConnection, raw: RawTable, profile: Profile, cat: Catalogue) -> Recap:
    """Build the staged tables of the recap's parts; FileProblem when the layout does not fit the file."""
    layout = profile.layout
    assert layout is not None
    depth = header_depth(header_grid(con, raw, max(layout.header_rows)), profile)
    grid = header_grid(con, raw, depth)
    grid = [grid[r - 1] for r in layout.header_rows if r - 1 < len(grid)]
    paths = header_paths(grid)
    header_rows_no = [
        r[0] for r in con.execute(f"SELECT row_no FROM {raw.relation} ORDER BY row_no LIMIT {depth}").fetchall()
    ]
    header_end = header_rows_no[depth - 2] if depth > 1 and len(header_rows_no) >= depth - 1 else raw.header_row
    first = con.execute(
        f"SELECT row_no, {', '.join(raw.columns)} FROM {raw.relation} WHERE row_no > ? ORDER BY row_no LIMIT 1",
        [header_end],
    ).fetchone()
    if first is not None and is_number_row(first[1:]):
        header_end = int(first[0])
    recap = Recap(source=raw, paths=paths, header_end=header_end, profile=profile.name)

    measures = _measure_labels(layout, cat)
    take = tuple(part_key(x) for x in layout.take)
    previous = tuple(part_key(x) for x in layout.previous)
    cumulative = tuple(part_key(x) for x in layout.cumulative)
    fixed: list[tuple[int, str | None]] = []  # (source column, field or None)
    values: dict[Any, int] = {}  # group (month number or service code) -> source column
    checks: dict[str, dict[str, int]] = {}  # service -> {"prev": col, "cum": col}
    sasaran_col: int | None = None
    seen_groups: set[Any] = set()
    unknown: list[str] = []  # groups: measure — group labels that name no service
    for c, path in enumerate(paths):
        if not path:
            continue
        at = group_index(path, layout.groups, set(measures))
        if at is None:
            if any(is_quarter(p) for p in path):
                recap.columns.append(ColumnUse(c, path, "ignored_quarter"))
                continue
            if layout.sasaran_column and part_key(layout.sasaran_column) in {part_key(p) for p in path}:
                sasaran_col = c
                recap.columns.append(ColumnUse(c, path, "sasaran", layout.target_group or ""))
                continue
            f = _field_of(path, profile)
            if f is None and layout.groups == "measure" and len(path) > 1:  # a group naming no service
                recap.columns.append(ColumnUse(c, path, "ignored_measure", path[0]))
                if path[0] not in unknown:
                    unknown.append(path[0])
                continue
            if f is None and fixed and values:  # right of the groups: a year total or a share
                recap.columns.append(ColumnUse(c, path, "ignored_total"))
                continue
            fixed.append((c, f))
            recap.columns.append(ColumnUse(c, path, "field" if f else "ignored_label", f or ""))
            continue
        group: Any = month_of(path[at]) if layout.groups == "month" else measures[part_key(path[at])]
        seen_groups.add(group)
        sub = tuple(part_key(p) for p in path[at + 1 :])
        if sub == take:
            if group in values:
                raise FileProblem(
                    "recap_ambiguous",
                    {"group": path[at], "columns": f"{path_text(paths[values[group]])}; {path_text(path)}"},
                )
            values[group] = c
            recap.columns.append(ColumnUse(c, path, "count", str(group)))
        elif layout.groups == "measure" and previous and sub == previous:
            checks.setdefault(group, {})["prev"] = c
            recap.columns.append(ColumnUse(c, path, "check"))
        elif layout.groups == "measure" and cumulative and sub == cumulative:
            checks.setdefault(group, {})["cum"] = c
            recap.columns.append(ColumnUse(c, path, "check"))
        else:
            recap.columns.append(ColumnUse(c, path, "ignored_sub", path_text(layout.take)))
    for label in unknown:
        recap.notes.append(("recap.note.unknown_measure", {"group": label}))
    for group in sorted(seen_groups - set(values), key=str):
        label = month_name(group, "id") if isinstance(group, int) else str(group)
        recap.notes.append(("recap.note.group_without_take", {"group": label, "take": path_text(layout.take)}))
    if not values:
        found = sub_paths(paths, layout.groups, set(measures))
        shown = ", ".join(path_text(p) for p in found) or "-"
        raise FileProblem("recap_no_groups", {"take": path_text(layout.take), "groups": layout.groups, "found": shown})
    if not any(f for _, f in fixed):
        raise FileProblem("recap_no_area", {"columns": ", ".join(path_text(paths[c]) for c, _ in fixed) or "-"})

    periods = _periods(layout, raw.title_text, values)
    constants = _area_constants(profile, fixed, raw.title_text)
    recap.parts.append(_capaian_part(con, raw, recap, layout, profile, fixed, values, periods, constants))
    if sasaran_col is not None and layout.target_group:
        year = next(iter(periods.values()))[:4]
        part = _sasaran_part(con, raw, recap, fixed, sasaran_col, layout.target_group, year, constants)
        recap.parts.append(part)
    if checks:
        recap.checks = _checks_table(con, raw, recap, checks)
    return recap


def _area_constants(profile: Profile, fixed: list[tuple[int, str | None]], title: str) -> dict[str, str]:
    """The profile's fixed area values; without a puskesmas column, the puskesmas the title names
    (`PUSKESMAS : MAROS BARU`, as PWS tables are headed), within which desa names are matched."""
    constants = {f: v for f, v in profile.constants.items() if f in FIELD_CHOICES}
    has_puskesmas = any(f and f.startswith("puskesmas") for _, f in fixed) or any(
        f.startswith("puskesmas") for f in constants
    )
    if not has_puskesmas:
        named = title_value(title, "puskesmas")
        if named:
            constants["puskesmas_name"] = named
    return constants


def _periods(layout: Layout, title: str, values: dict[Any, int]) -> dict[Any, str]:
    """group -> period text (`2024-03`)."""
    if layout.groups == "month":
        year: int | None
        if layout.year in (None, "title"):
            year = year_from_title(title)
        else:
            year = int(layout.year) if str(layout.year).isdigit() else None
        if year is None:
            raise FileProblem("recap_no_year")
        return {m: f"{year}-{m:02d}" for m in values}
    period = period_from_title(title) if layout.period in (None, "title") else layout.period
    if not period:
        raise FileProblem("recap_no_period")
    return dict.fromkeys(values, period)


def _fixed_select(raw: RawTable, fixed: list[tuple[int, str | None]]) -> list[str]:
    return [f"c{c} AS c{i}" for i, (c, _) in enumerate(fixed)]


def _any_cell(raw: RawTable) -> str:
    """True when a source row holds anything (one ilp_clean over the joined cells: a coalesce of one
    ilp_clean per column costs 0.6 s to plan for 80 columns)."""
    return f"ilp_clean(concat_ws(' ', {', '.join(raw.columns)})) IS NOT NULL"


def _capaian_part(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    recap: Recap,
    layout: Layout,
    profile: Profile,
    fixed: list[tuple[int, str | None]],
    values: dict[Any, int],
    periods: dict[Any, str],
    constants: dict[str, str],
) -> tuple[RawTable, Mapping]:
    k = len(fixed)
    groups = list(values)
    this_month = date.today().replace(day=1).isoformat()[:7]
    headers = [path_text(recap.paths[c]) for c, _ in fixed] + ["period"]
    headers += [path_text(recap.paths[values[g]]) for g in groups]
    if layout.groups == "month":
        selects = []
        for g in groups:
            cells = []
            for h in groups:
                src = f"c{values[h]}"
                if h == g and periods[g] > this_month:  # a template's zeros for months still to come
                    src = f"CASE WHEN ilp_int({src}) <> 0 THEN {src} END"
                cells.append(
                    f"{src} AS c{k + 1 + groups.index(h)}" if h == g else f"NULL AS c{k + 1 + groups.index(h)}"
                )
            selects.append(
                f"SELECT row_no, {', '.join(_fixed_select(raw, fixed))}, "
                f"CASE WHEN {_any_cell(raw)} THEN {sql_str(periods[g])} END AS c{k}, {', '.join(cells)} "
                f"FROM {raw.relation} WHERE row_no > {recap.header_end}"
            )
        body = " UNION ALL ".join(selects)
        wide = [(k + 1 + i, str(layout.service)) for i, _ in enumerate(groups)]
    else:
        cells = [f"c{values[g]} AS c{k + 1 + i}" for i, g in enumerate(groups)]
        body = (
            f"SELECT row_no, {', '.join(_fixed_select(raw, fixed))}, "
            f"CASE WHEN {_any_cell(raw)} THEN {sql_str(next(iter(periods.values())))} END AS c{k}, "
            f"{', '.join(cells)} FROM {raw.relation} WHERE row_no > {recap.header_end}"
        )
        wide = [(k + 1 + i, str(g)) for i, g in enumerate(groups)]
    relation = _create(con, body)
    staged = RawTable(relation, headers, raw.header_row, _count(con, relation), raw.title_text, raw.sheet)
    columns = {f: i for i, (_, f) in enumerate(fixed) if f}
    columns["period"] = k
    mapping = Mapping(
        kind="capaian",
        columns=columns,
        wide=wide,
        constants=constants,
        values={f: {normalise_label(a): b for a, b in m.items()} for f, m in profile.values.items()},
        profile=profile.name,
        headers=headers,
    )
    return staged, mapping


def _sasaran_part(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    recap: Recap,
    fixed: list[tuple[int, str | None]],
    sasaran_col: int,
    target_group: str,
    year: str,
    constants: dict[str, str],
) -> tuple[RawTable, Mapping]:
    k = len(fixed)
    headers = [path_text(recap.paths[c]) for c, _ in fixed] + ["year", path_text(recap.paths[sasaran_col])]
    body = (
        f"SELECT row_no, {', '.join(_fixed_select(raw, fixed))}, "
        f"CASE WHEN {_any_cell(raw)} THEN {sql_str(year)} END AS c{k}, c{sasaran_col} AS c{k + 1} "
        f"FROM {raw.relation} WHERE row_no > {recap.header_end}"
    )
    relation = _create(con, body)
    staged = RawTable(relation, headers, raw.header_row, _count(con, relation), raw.title_text, raw.sheet)
    columns = {f: i for i, (_, f) in enumerate(fixed) if f}
    columns["year"] = k
    mapping = Mapping(
        kind="sasaran",
        columns=columns,
        wide=[(k + 1, target_group)],
        constants=dict(constants),
        profile=recap.profile,
        headers=headers,
    )
    return staged, mapping


def _checks_table(
    con: duckdb.DuckDBPyConnection, raw: RawTable, recap: Recap, checks: dict[str, dict[str, int]]
) -> str:
    selects = []
    for code, cols in checks.items():
        prev = f"c{cols['prev']}" if "prev" in cols else "CAST(NULL AS VARCHAR)"
        cum = f"c{cols['cum']}" if "cum" in cols else "CAST(NULL AS VARCHAR)"
        label = path_text(recap.paths[cols.get("cum", cols.get("prev", 0))])
        selects.append(
            f"SELECT row_no, {sql_str(code)} AS code, {sql_str(label)} AS col, ilp_int(ilp_clean({prev})) AS prev, "
            f"ilp_int(ilp_clean({cum})) AS cum FROM {raw.relation} WHERE row_no > {recap.header_end}"
        )
    return _create(con, " UNION ALL ".join(selects), prefix="chk")


def _create(con: duckdb.DuckDBPyConnection, body: str, prefix: str = "stg") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    con.execute(f"CREATE TEMP TABLE {name} AS {body}")
    return name


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = con.execute(f"SELECT count(DISTINCT row_no) FROM {relation}").fetchone()
    return int(row[0]) if row else 0


def cumulative_notes(con: duckdb.DuckDBPyConnection, recap: Recap, accepted: str) -> list[tuple[str, dict[str, Any]]]:
    """KUMULATIF against BULAN LALU + BULAN INI (the file's own sums), and against the months already
    loaded + BULAN INI where every earlier month of the year is loaded for that desa and service."""
    if recap.checks is None:
        return []
    rows = con.execute(f"""
        WITH a AS (
            SELECT DISTINCT row_no, r_puskesmas, r_desa, r_service, t_period, t_count FROM {accepted}
        ), k AS (
            SELECT a.*, c.col, c.prev, c.cum FROM a JOIN {recap.checks} c ON c.row_no = a.row_no AND c.code = a.r_service
        ), earlier AS (
            SELECT k.row_no, k.r_service, count(DISTINCT x.period) AS months, sum(x.count) AS total
            FROM k JOIN capaian x ON x.puskesmas_code = k.r_puskesmas AND x.desa_code IS NOT DISTINCT FROM k.r_desa
                AND x.service_code = k.r_service AND x.period >= date_trunc('year', k.t_period) AND x.period < k.t_period
            GROUP BY ALL
        )
        SELECT k.row_no, k.col, k.prev, k.t_count, k.cum, month(k.t_period) AS m, e.months, e.total
        FROM k LEFT JOIN earlier e ON e.row_no = k.row_no AND e.r_service = k.r_service
        ORDER BY k.row_no, k.col
    """).fetchall()
    notes: list[tuple[str, dict[str, Any]]] = []
    for row_no, col, prev, cur, cum, month, months, total in rows:
        if cum is None:
            continue
        if prev is not None and prev + cur != cum:
            notes.append(
                ("recap.note.cumulative_file", {"row": row_no, "column": col, "cum": cum, "prev": prev, "cur": cur})
            )
        if months is not None and months == month - 1 and total + cur != cum:
            notes.append(
                (
                    "recap.note.cumulative_loaded",
                    {"row": row_no, "column": col, "cum": cum, "loaded": total, "cur": cur, "months": months},
                )
            )
    return notes


def drop_recap(con: duckdb.DuckDBPyConnection, recap: Recap) -> None:
    for raw, _ in recap.parts:
        drop_staging(con, raw)
    if recap.checks:
        con.execute(f"DROP TABLE IF EXISTS {recap.checks}")


# ------------------------------------------------------------------ a recap without a recap profile


def recap_profiles() -> list[str]:
    """Shipped profiles with a layout (named in the hint)."""
    from ilp_metrics.ingest.mapping import ProfileError, load_profile

    names = []
    for stem, path in packaged_profiles().items():
        try:
            if load_profile(path).layout is not None:
                names.append(stem)
        except ProfileError:
            continue
    return names


def recap_hint(con: duckdb.DuckDBPyConnection, raw: RawTable) -> FileProblem | None:
    """A file whose header row or the rows under it hold three months (or two quarters) side by side is a
    month-wide recap: say so (instead of guessing the closest kind) and name the profiles that read one."""
    cols = ", ".join(raw.columns)
    rows = [list(raw.headers)] + [
        list(r) for r in con.execute(f"SELECT {cols} FROM {raw.relation} ORDER BY row_no LIMIT 4").fetchall()
    ]
    rows.append(months_in_title(raw.title_text))
    for row in rows:
        months = months_in_row(row)
        quarters = quarters_in_row(row)
        if len(months) >= 3 or len(quarters) >= 2:
            labels = months[:3] if len(months) >= 3 else quarters[:2]
            return FileProblem(
                "recap_layout", {"labels": ", ".join(labels) + ", …", "profiles": ", ".join(recap_profiles())}
            )
    return None


# ------------------------------------------------------------------ ingest and preview


def ingest_recap(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    report: IngestReport,
    cat: Catalogue,
    *,
    options: dict[str, Any],
    principal: Principal,
) -> IngestReport:
    """ingest_file for a profile with a layout: every part validated first; if all pass (or accept_valid),
    each part commits as its own upload (the sasaran first, then the counts), else nothing is written."""
    from ilp_metrics.core.config import setting
    from ilp_metrics.ingest import _check_scope, _check_size, _prepare, sha256_of
    from ilp_metrics.ingest.errors import reason_text
    from ilp_metrics.ingest.load import commit, find_duplicate
    from ilp_metrics.ingest.validate import Validation, drop_temp, validate

    lang = report.lang
    step = options["progress"] or (lambda fraction, label: None)
    cur = con.cursor()
    raw: RawTable | None = None
    recap: Recap | None = None
    done: list[Validation] = []
    try:
        step(0.05, "read")
        _prepare(cur, cat)
        digest = sha256_of(path)
        existing = None if options["dry_run"] else find_duplicate(cur, digest)
        if existing is not None:
            report.ok, report.duplicate, report.upload_id = True, True, existing
            kind_row = cur.execute("SELECT kind FROM uploads WHERE upload_id = ?", [existing]).fetchone()
            report.kind = kind_row[0] if kind_row else None
            return report
        _check_size(path)
        raw = read_recap(
            cur, path, profile, max_ratio=float(setting("max_xlsx_ratio")), max_rows=int(setting("max_rows"))
        )
        recap = reshape(cur, raw, profile, cat)
        report.kind, report.sheet, report.header_row = "capaian", raw.sheet, raw.header_row
        report.encoding, report.delimiter = raw.encoding, raw.delimiter
        report.recap_columns = [{"column": path_text(u.path), "use": u.text(lang)} for u in recap.columns]
        step(0.35, "validate")
        parts = recap.parts
        if not principal.can("desa_all") and "sasaran" not in PUSKESMAS_UPLOAD_KINDS:
            # the sasaran are the dinas's: a puskesmas account's recap loads its counts only
            if any(m.kind == "sasaran" for _, m in parts):
                recap.notes.append(("recap.note.sasaran_skipped", {}))
            parts = [(s, m) for s, m in parts if m.kind != "sasaran"]
        for staged, mapping in parts:
            v = validate(cur, staged, mapping, cat, secret=options["secret"], max_refusals=options["max_refusals"])
            done.append(v)
        main = done[0]
        report.mapping = main.mapping.describe()
        report.rows_read, report.rows_skipped = main.rows_read, main.rows_skipped
        report.rows_refused = max(v.rows_refused for v in done)
        report.rows_accepted, report.records = main.rows_accepted, main.records_accepted
        # one refusal per row, column and reason (a field outside the groups is checked once per group)
        unique = {(r.row, r.column, r.reason_code): r for v in done for r in v.refusals}
        report.refusals = sorted(unique.values(), key=lambda r: (r.row, r.column or ""))
        report.refusal_counts = [c for v in done for c in v.refusal_counts]
        notes = list(recap.notes) + cumulative_notes(cur, recap, main.accepted)
        report.recap_notes = [t(key, lang, **values) for key, values in notes]
        report.recap_parts = [
            {"kind": v.kind, "rows_accepted": v.rows_accepted, "records": v.records_accepted} for v in done
        ]
        if main.rows_accepted == 0:
            raise FileProblem("no_valid_rows" if main.rows_refused else "no_data_rows")
        for v in done:
            _check_scope(cur, principal, v)
        if any(v.rows_refused for v in done) and not options["accept_valid"]:
            report.error_code = "rows_refused"
            report.error = reason_text("rows_refused_summary", lang, value=report.rows_refused, column="")
            return report
        if options["dry_run"]:
            report.ok = True
            return report
        step(0.7, "commit")
        for v in reversed(done):  # the sasaran first: the counts' coverage then has its denominator
            if v.rows_accepted == 0:
                continue
            result = commit(
                cur,
                v,
                file_name=report.file_name,
                sha256=digest,
                uploaded_by=options["uploaded_by"],
                uploaded_at=options["uploaded_at"],
                sheet=raw.sheet,
                header_row=raw.header_row,
                profile=profile.name,
            )
            report.upload_id, report.rows_replaced = result.upload_id, result.rows_replaced
            for part in report.recap_parts:
                if part["kind"] == v.kind:
                    part["upload_id"] = result.upload_id
        report.ok, report.committed = True, True
        step(1.0, "done")
        return report
    except FileProblem as problem:
        return report.refuse(problem.code, problem.message(lang))
    finally:
        for v in done:
            drop_temp(cur, v)
        if recap is not None:
            drop_recap(cur, recap)
        if raw is not None:
            drop_staging(cur, raw)
        cur.close()


def preview_recap(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, cat: Catalogue, *, rows: int = 12
) -> dict[str, Any]:
    """For the upload page: the header paths, the first long rows the recap gives (source row, area,
    month, service, count), every column's use and the notes; nothing validated, nothing written."""
    from ilp_metrics.core.config import setting
    from ilp_metrics.ingest import _check_size, _prepare

    cur = con.cursor()
    raw: RawTable | None = None
    recap: Recap | None = None
    try:
        _prepare(cur, cat)
        _check_size(path)
        raw = read_recap(
            cur, path, profile, max_ratio=float(setting("max_xlsx_ratio")), max_rows=int(setting("max_rows"))
        )
        recap = reshape(cur, raw, profile, cat)
        staged, mapping = recap.parts[0]
        area = [f"c{i}" for f, i in mapping.columns.items() if f in FIELD_CHOICES]
        area_expr = f"coalesce({', '.join(area)})" if area else "NULL"
        unions = " UNION ALL ".join(
            f"SELECT row_no, {area_expr} AS area, c{mapping.columns['period']} AS period, {sql_str(code)} AS service, "
            f"c{idx} AS count FROM {staged.relation} WHERE c{idx} IS NOT NULL"
            for idx, code in mapping.wide
        )
        long = cur.execute(f"SELECT * FROM ({unions}) ORDER BY row_no, period, service LIMIT {int(rows)}").df()
        total = cur.execute(f"SELECT count(*) FROM ({unions})").fetchone()
        return {
            "header_row": raw.header_row,
            "sheet": raw.sheet,
            "paths": [path_text(p) for p in recap.paths],
            "long": long,
            "records": int(total[0]) if total else 0,
            "columns": recap.columns,
            "notes": recap.notes,
            "kinds": [m.kind for _, m in recap.parts],
        }
    finally:
        if recap is not None:
            drop_recap(cur, recap)
        if raw is not None:
            drop_staging(cur, raw)
        cur.close()


def header_preview(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, rows: int) -> dict[str, Any]:
    """The header start and the rows under it as the upload page shows them while a layout is being
    built: the grid, and the path of each column for `rows` header rows."""
    from ilp_metrics.core.config import setting

    cur = con.cursor()
    raw: RawTable | None = None
    try:
        raw = read_recap(
            cur, path, profile, max_ratio=float(setting("max_xlsx_ratio")), max_rows=int(setting("max_rows"))
        )
        grid = header_grid(cur, raw, rows)
        return {"header_row": raw.header_row, "grid": grid, "paths": header_paths(grid), "title": raw.title_text}
    finally:
        if raw is not None:
            drop_staging(cur, raw)
        cur.close()


# ------------------------------------------------------------------ building a profile on the upload page

MAX_HEADER_ROWS = 8


def recap_draft(
    con: duckdb.DuckDBPyConnection, path: Path, cat: Catalogue, header_rows: int | None = None
) -> dict[str, Any]:
    """What the upload page offers when a recap profile is being built: the header rows (guessed, or the
    number the user chose), each column's path, the puskesmas/desa columns of the header start, whether
    the groups are months or measures, the sub-columns found under them, and the year or month the title
    names."""
    probe = Profile(name="rekap")
    grid = header_preview(con, path, probe, MAX_HEADER_ROWS)["grid"]
    index = label_index()
    areas = [(str(h), index[part_key(h)]) for h in grid[0] if h and index.get(part_key(h)) in FIELD_CHOICES]
    if areas:
        probe = Profile(name="rekap", columns={areas[0][1]: areas[0][0]})
    guessed = header_depth(grid, probe)
    rows = min(max(int(header_rows or guessed), 1), MAX_HEADER_ROWS)
    shown = header_preview(con, path, probe, rows)
    paths = shown["paths"]
    measures = {part_key(k) for k in cat.service_synonyms()}
    groups = "month" if any(group_index(p, "month", set()) is not None for p in paths) else "measure"
    return {
        "header_row": shown["header_row"],
        "header_rows": rows,
        "guessed_rows": guessed,
        "paths": [path_text(p) for p in paths],
        "areas": areas,
        "groups": groups,
        "takes": {g: [path_text(s) for s in sub_paths(paths, g, measures)] for g in ("month", "measure")},
        "labels": [str(h) for h in shown["grid"][0] if h],
        "year": year_from_title(shown["title"]),
        "period": period_from_title(shown["title"]),
    }


def recap_profile(
    name: str,
    *,
    header_rows: int,
    area_field: str,
    area_label: str,
    groups: str,
    take: str,
    service: str | None = None,
    year: int | None = None,
    period: str | None = None,
    sasaran_column: str | None = None,
    target_group: str | None = None,
) -> Profile:
    """The profile the upload page's choices describe (`take` as shown: `S › TOTAL`)."""
    layout = Layout(
        header_rows=tuple(range(1, header_rows + 1)),
        groups=groups,
        take=tuple(p.strip() for p in take.split("›") if p.strip()),
        service=service if groups == "month" else None,
        year=str(year) if year and groups == "month" else None,
        period=period if groups == "measure" else None,
        sasaran_column=sasaran_column or None,
        target_group=target_group if sasaran_column else None,
    )
    return Profile(name=name, kind="capaian", columns={area_field: area_label}, layout=layout)


def target_group_for(cat: Catalogue, service: str | None) -> str | None:
    """The target group whose coverage a service counts (YANKES_DM → penderita_dm), read from the first
    indicator with that service in its numerator and a target group as its denominator."""
    for indicator in cat.indicators:
        if service in indicator.numerator.services and indicator.denominator.target_group:
            return indicator.denominator.target_group
    return None
