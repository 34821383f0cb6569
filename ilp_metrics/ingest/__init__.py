"""Upload ingestion: read → map → validate → (optionally) commit, with a report in Bahasa Indonesia.

`ingest_file` is the one entry point for the CLI, the upload page and the demo builder. It never writes
anything unless the whole file validates (strict, the default) or, with `accept_valid=True`, at least one
row is valid — then the valid rows are committed in one transaction and the refused rows recorded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import setting
from ilp_metrics.core.db import WRITE_LOCK
from ilp_metrics.core.i18n import t
from ilp_metrics.core.pseudonym import KeyProblem, check_secret
from ilp_metrics.ingest import annual
from ilp_metrics.ingest.areas import Regency, area_notes, regency_from_title, regency_option
from ilp_metrics.ingest.columns import ColumnUse, account_columns, ignore_labels
from ilp_metrics.ingest.errors import FileProblem, Refusal, column_label, reason_text
from ilp_metrics.ingest.fields import FIELDS, normalise_label
from ilp_metrics.ingest.headers import cell_text
from ilp_metrics.ingest.load import commit, find_duplicate, withdraw
from ilp_metrics.ingest.mapping import (
    Mapping,
    Profile,
    build_mapping,
    extra_header_labels,
    load_profile,
    suggest_columns,
)
from ilp_metrics.ingest.preview_cells import masked, shown_frame
from ilp_metrics.ingest.readers import RawTable, drop_staging, read_table, sheet_rows
from ilp_metrics.ingest.skipped_rows import count_rows, skip_case
from ilp_metrics.ingest.validate import Validation, drop_temp, install_lookups, install_puskesmas_lookup, validate
from ilp_metrics.ingest.values import install_macros
from ilp_metrics.security.scope import PUSKESMAS_UPLOAD_KINDS, Principal

__all__ = ["IngestReport", "Profile", "already_loaded", "ingest_file", "load_profile", "preview_file", "withdraw"]

Progress = Callable[[float, str], None]


@dataclass
class IngestReport:
    file_name: str
    ok: bool
    kind: str | None = None
    upload_id: int | None = None
    duplicate: bool = False
    committed: bool = False
    rows_read: int = 0
    rows_accepted: int = 0
    rows_refused: int = 0
    rows_skipped: int = 0
    rows_replaced: int = 0
    records: int = 0
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    refusal_counts: list[dict[str, Any]] = field(default_factory=list)
    columns: list[ColumnUse] = field(default_factory=list)  # every column of the file and where it went
    error_code: str | None = None
    error: str | None = None
    lang: str = "id"
    regency: dict[str, str] | None = None  # the kabupaten of a puskesmas list: code, name, source, note
    areas: list[dict[str, Any]] = field(default_factory=list)  # per puskesmas: its kecamatan and how it was found
    recap_columns: list[dict[str, str]] = field(default_factory=list)  # month-wide recaps: each column's use
    recap_notes: list[str] = field(default_factory=list)  # month-wide recaps: checks that did not add up
    recap_parts: list[dict[str, Any]] = field(default_factory=list)  # month-wide recaps: one upload per kind
    year: int | None = None  # annual tables: the year the figures are of
    notes: list[dict[str, Any]] = field(default_factory=list)  # warnings that do not refuse a row

    def refuse(self, code: str, message: str) -> IngestReport:
        """The upload refused whole: nothing written, the reason in the report's language."""
        self.ok, self.error_code, self.error = False, code, message
        return self

    def note_texts(self) -> list[str]:
        """The notes as sentences in the report's language."""
        return [t(f"ingest.note.{n['code']}", self.lang, **n) for n in self.notes]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file_name,
            "ok": self.ok,
            "upload_id": self.upload_id,
            "kind": self.kind,
            "rows_accepted": self.rows_accepted,
            "rows_refused": self.rows_refused,
            "rows_skipped": self.rows_skipped,
            "rows_read": self.rows_read,
            "rows_replaced": self.rows_replaced,
            "committed": self.committed,
            "duplicate": self.duplicate,
            "refusals": [r.to_dict(self.lang) for r in self.refusals],
        }
        if self.columns:
            out["columns"] = [c.to_dict(self.lang, _catalogue()) for c in self.columns]
            out["unmatched_columns"] = [c.header for c in self.columns if c.blocking]
        if self.refusal_counts:
            out["refusal_summary"] = [
                {
                    "column": column_label(c["column"], c.get("field"), self.lang),
                    "reason_code": c["reason_code"],
                    "rows": c["rows"],
                    "reason": reason_text(
                        c["reason_code"],
                        self.lang,
                        value="",
                        column=column_label(c["column"], c.get("field"), self.lang),
                    ),
                }
                for c in self.refusal_counts
            ]
            out["refusals_truncated"] = len(self.refusals) < self.rows_refused
        if self.header_row is not None:
            out["header_row"] = self.header_row
        if self.sheet:
            out["sheet"] = self.sheet
        if self.mapping:
            out["mapping"] = self.mapping
        if self.year is not None:
            out["year"] = self.year
        if self.notes:
            out["notes"] = [{**n, "text": text} for n, text in zip(self.notes, self.note_texts())]
        if self.error:
            out["error_code"] = self.error_code
            out["error"] = self.error
        if self.regency:
            out["kabupaten"] = self.regency
        if self.areas:
            out["kecamatan"] = self.areas
        if self.recap_parts:
            out["recap"] = {"parts": self.recap_parts, "columns": self.recap_columns, "notes": self.recap_notes}
        return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


PERSONAL_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.personal)  # masked in previews
PERSONAL_LABELS = frozenset(label for name in PERSONAL_FIELDS for label in FIELDS[name].labels)
# A cell that looks like a NIK (16 digits, possibly mangled by Excel) is masked in any column.
NIK_LIKE = re.compile(r"^\s*'?(\d[\d .-]{14,}\d|\d(?:[.,]\d+)?[eE]\+?\d+)\s*$")


def already_loaded(con: duckdb.DuckDBPyConnection, path: Path | str) -> int | None:
    """The upload (not withdrawn) that holds exactly this file's content, if any: loading it again is a no-op."""
    return find_duplicate(con, sha256_of(Path(path)))


def _prepare(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> None:
    install_macros(con)
    install_lookups(con, cat)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("empty")
    max_mb = float(setting("max_upload_mb"))
    if size > max_mb * 1024 * 1024:
        raise FileProblem("too_large", {"size_mb": round(size / 1024 / 1024, 1), "max_mb": max_mb})


def _catalogue() -> Catalogue | None:
    try:
        return load_catalogue()
    except Exception:  # the report is still written without the codes' names
        return None


def _ignored(profile: Profile | None, ignore_columns: Sequence[str]) -> frozenset[str]:
    return ignore_labels(profile.ignore_columns if profile else (), ignore_columns)


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    cat: Catalogue,
    kind: str | None,
    profile: Profile | None,
    regency_code: str | None = None,
    ignore: frozenset[str] = frozenset(),
) -> tuple[RawTable, Mapping, Regency | None]:
    _check_size(path)
    chosen = regency_option(con, regency_code) if regency_code else None
    raw = read_table(
        con,
        path,
        extra_header_labels(cat),
        max_ratio=float(setting("max_xlsx_ratio")),
        max_rows=int(setting("max_rows")),
    )
    try:
        _refuse_recap(con, raw, kind)
        mapping, regency = _map(con, raw, cat, kind, profile, chosen, ignore)
    except BaseException:
        drop_staging(con, raw)
        raise
    return raw, mapping, regency


AREA_COLUMNS = ("regency_code", "district_code")


def _map(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    cat: Catalogue,
    kind: str | None,
    profile: Profile | None,
    chosen: Regency | None,
    ignore: frozenset[str] = frozenset(),
) -> tuple[Mapping, Regency | None]:
    """The mapping, with the kabupaten of a puskesmas list that has no area column: the one the user
    chose, else the one its title names. Returns the kabupaten used (None when a column gives it)."""
    title_problem: FileProblem | None = None
    regency = chosen
    if regency is None:
        try:
            regency = regency_from_title(con, raw.title_text)
        except FileProblem as problem:  # only a problem when the list needs its kabupaten
            title_problem = problem
    try:
        mapping = build_mapping(
            raw.headers,
            cat,
            kind=kind,
            profile=profile,
            title_text=raw.title_text,
            ignore=ignore,
            regency_known=regency is not None,
        )
    except FileProblem as problem:
        if problem.code == "regency_unknown" and title_problem is not None:
            raise title_problem from None
        raise
    if mapping.kind != "puskesmas":
        if chosen is not None:  # the kabupaten given: puskesmas names are looked up in it alone
            install_puskesmas_lookup(con, chosen.code)
        return mapping, None
    if any(f in mapping.columns or f in mapping.constants for f in AREA_COLUMNS):
        return mapping, None
    if regency is None:
        raise title_problem or FileProblem("regency_unknown")
    mapping.constants["regency_code"] = regency.code
    return mapping, regency


def _refuse_recap(con: duckdb.DuckDBPyConnection, raw: RawTable, kind: str | None) -> None:
    """A month-wide recap read without a recap profile is not guessed as the closest kind."""
    from ilp_metrics.ingest.recap import recap_hint

    hint = None if kind else recap_hint(con, raw)
    if hint is not None:
        raise hint


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    kind: str | None = None,
    profile: Profile | Path | str | None = None,
    uploaded_by: str = "system",
    uploaded_at: datetime | None = None,
    accept_valid: bool = False,
    secret: bytes | None,
    lang: str = "id",
    file_name: str | None = None,
    dry_run: bool = False,
    max_refusals: int = 1000,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    regency_code: str | None = None,
    ignore_columns: Sequence[str] = (),
    principal: Principal,
) -> IngestReport:
    """Validate one file and, unless refused (or dry_run), commit it in one transaction.

    `regency_code` (`73.09` or `7309`) is the kabupaten of a file that does not name it: a puskesmas list
    without an area column takes it for every puskesmas, and in other kinds puskesmas names are looked up
    in that kabupaten only. Without it a puskesmas list may name its kabupaten in its title.

    The upload must be within the `principal`'s scope: it needs the upload permission (a guest's file is
    refused before it is read), and a puskesmas account may only send the kinds in PUSKESMAS_UPLOAD_KINDS
    and only rows of its own puskesmas (else the file is refused).
    Every column is accounted for in `report.columns`; in strict mode (not `accept_valid`) a column that
    looks like a measure but matches nothing stops the upload until it is mapped or listed in
    `ignore_columns` (headers, like the profile's own `ignore_columns`)."""
    path = Path(path)
    report = IngestReport(file_name=file_name or path.name, ok=False, lang=lang)
    cat = catalogue or load_catalogue()
    if isinstance(profile, (str, Path)):
        profile = load_profile(profile)
    step = progress or (lambda fraction, label: None)
    if not principal.can("upload"):
        return report.refuse("scope_no_upload", FileProblem("scope_no_upload").message(lang))
    if profile is not None and profile.layout is not None:
        from ilp_metrics.ingest.recap import ingest_recap

        with WRITE_LOCK:
            return ingest_recap(
                con,
                path,
                profile,
                report,
                cat,
                principal=principal,
                options={
                    "progress": progress,
                    "dry_run": dry_run,
                    "secret": secret,
                    "max_refusals": max_refusals,
                    "accept_valid": accept_valid,
                    "uploaded_by": uploaded_by,
                    "uploaded_at": uploaded_at or datetime.now().replace(microsecond=0),
                },
            )
    with WRITE_LOCK:
        cur = con.cursor()
        raw = None
        v: Validation | None = None
        try:
            step(0.05, "read")
            if secret is not None:  # a replaced key would key the same people anew: refuse before reading
                check_secret(cur, secret, record=False)
            _prepare(cur, cat)
            digest = sha256_of(path)
            existing = None if dry_run else find_duplicate(cur, digest)
            if existing is not None:
                report.ok, report.duplicate, report.upload_id = True, True, existing
                kind_row = cur.execute("SELECT kind FROM uploads WHERE upload_id = ?", [existing]).fetchone()
                report.kind = kind_row[0] if kind_row else None
                step(1.0, "done")
                return report
            ignore = _ignored(profile, ignore_columns)
            if profile is None and kind in (None, annual.ANNUAL_KIND):
                table = _annual_layout(cur, path, cat)
                if table is not None:
                    _ingest_annual(
                        cur,
                        table,
                        cat,
                        report,
                        sha256=digest,
                        uploaded_by=uploaded_by,
                        uploaded_at=uploaded_at,
                        accept_valid=accept_valid,
                        dry_run=dry_run,
                        principal=principal,
                        max_refusals=max_refusals,
                        ignore=ignore,
                    )
                    step(1.0, "done")
                    return report
                if kind == annual.ANNUAL_KIND:
                    raise FileProblem("annual_not_found")
            raw, mapping, regency = _stage(cur, path, cat, kind, profile, regency_code, ignore)
            report.kind, report.sheet, report.header_row = mapping.kind, raw.sheet, raw.header_row
            report.encoding, report.delimiter = raw.encoding, raw.delimiter
            report.mapping = mapping.describe()
            report.columns = account_columns(cur, raw, mapping, ignore)
            step(0.35, "validate")
            v = validate(cur, raw, mapping, cat, secret=secret, max_refusals=max_refusals)
            report.rows_read, report.rows_skipped = v.rows_read, v.rows_skipped
            report.rows_refused, report.rows_accepted = v.rows_refused, v.rows_accepted
            report.records, report.refusals, report.refusal_counts = v.records_accepted, v.refusals, v.refusal_counts
            if v.kind == "puskesmas":
                report.regency, report.areas = area_notes(cur, v, regency, lang)
            unmatched = [c.header for c in report.columns if c.blocking]
            if unmatched and not accept_valid:
                raise FileProblem("unmatched_columns", {"columns": ", ".join(f"'{h}'" for h in unmatched)})
            if v.rows_accepted == 0:
                raise FileProblem("no_valid_rows" if v.rows_refused else "no_data_rows")
            _check_scope(cur, principal, v)
            if v.rows_refused and not accept_valid:
                report.ok = False
                report.error_code = "rows_refused"
                report.error = reason_text("rows_refused_summary", lang, value=v.rows_refused, column="")
                return report
            if dry_run:
                report.ok = True
                return report
            step(0.7, "commit")
            result = commit(
                cur,
                v,
                file_name=report.file_name,
                sha256=digest,
                uploaded_by=uploaded_by,
                uploaded_at=uploaded_at or datetime.now().replace(microsecond=0),
                sheet=raw.sheet,
                header_row=raw.header_row,
                profile=mapping.profile,
            )
            report.ok, report.committed = True, True
            report.upload_id, report.rows_replaced = result.upload_id, result.rows_replaced
            if secret is not None:
                check_secret(cur, secret)  # the first person keys bind the database to this key
            step(1.0, "done")
            return report
        except FileProblem as problem:
            return report.refuse(problem.code, problem.message(lang))
        except KeyProblem as problem:
            return report.refuse(f"key_{problem.code}", problem.message(lang))
        finally:
            if v is not None:
                drop_temp(cur, v)
            if raw is not None:
                drop_staging(cur, raw)
            cur.close()


REGENCY_PROBLEMS = frozenset({"regency_unknown", "title_regency_unknown", "title_regency_ambiguous"})


def _annual_layout(con: duckdb.DuckDBPyConnection, path: Path, cat: Catalogue) -> annual.AnnualLayout | None:
    """The file read as an annual table (ingest/annual.py), or None: then it takes the staged path, which
    also gives a broken file its own answer."""
    _check_size(path)
    try:
        sheets = sheet_rows(path, max_ratio=float(setting("max_xlsx_ratio")))
    except FileProblem:
        return None
    regencies = dict(con.execute("SELECT code, name FROM ref_regency").fetchall())
    return annual.find_layout(sheets, cat, regencies)


def _ingest_annual(
    con: duckdb.DuckDBPyConnection,
    layout: annual.AnnualLayout,
    cat: Catalogue,
    report: IngestReport,
    *,
    sha256: str,
    uploaded_by: str,
    uploaded_at: datetime | None,
    accept_valid: bool,
    dry_run: bool,
    principal: Principal,
    max_refusals: int,
    ignore: frozenset[str] = frozenset(),
) -> None:
    """Validate an annual table and, unless refused (or dry_run), commit it; the outcome goes in `report`."""
    if not principal.can("desa_all"):  # the year's sasaran are the dinas's, like every sasaran upload
        raise FileProblem("scope_kind", {"kind": annual.ANNUAL_KIND})
    result = annual.validate_annual(con, layout, cat)
    report.kind, report.sheet, report.year = annual.ANNUAL_KIND, layout.sheet, result.year
    report.header_row = layout.first_row + layout.block.first
    report.columns = result.column_report(ignore)
    unmatched = [c.header for c in report.columns if c.blocking]
    if unmatched and not accept_valid:
        raise FileProblem("unmatched_columns", {"columns": ", ".join(f"'{h}'" for h in unmatched)})
    report.mapping = {c.header: c.code or c.role for c in layout.columns if c.role not in ("ignored",)}
    report.notes = [
        {"code": f"annual_column_{c.note}", "column": c.header or f"kolom {c.index + 1}"}
        for c in layout.columns
        if c.role == "ignored" and c.note not in ("empty",)
    ] + result.notes
    if layout.regency is None:
        report.notes.insert(0, {"code": "annual_no_regency"})
    refused = result.refused_rows
    report.rows_read, report.rows_skipped = result.rows_read, result.rows_skipped
    report.rows_refused = len(refused)
    accepted = {r[0] for r in result.sasaran + result.counts if r[0] not in refused}
    report.rows_accepted = len(accepted)
    report.records = sum(1 for r in result.sasaran + result.counts if r[0] not in refused)
    report.refusals = result.refusals[:max_refusals]
    counts: dict[tuple[str | None, str], int] = {}
    for r in result.refusals:
        counts[(r.column, r.reason_code)] = counts.get((r.column, r.reason_code), 0) + 1
    report.refusal_counts = [{"column": c, "reason_code": why, "rows": n} for (c, why), n in counts.items()]
    if not accepted:
        raise FileProblem("no_valid_rows" if refused else "no_data_rows")
    if refused and not accept_valid:
        report.error_code = "rows_refused"
        report.error = reason_text("rows_refused_summary", report.lang, value=len(refused), column="")
        return
    if dry_run:
        report.ok = True
        return
    report.upload_id, report.rows_replaced = annual.commit_annual(
        con,
        result,
        file_name=report.file_name,
        sha256=sha256,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at or datetime.now().replace(microsecond=0),
        accept_valid=accept_valid,
    )
    report.ok, report.committed = True, True


ROW_NOTE = "upload.preview.row_note"  # the message key naming the preview's column of skipped-row notes


def _note_skipped(frame: pd.DataFrame, skips: Sequence[object], lang: str) -> None:
    """Beside `baris`, a column saying which rows the ingest leaves out (`baris jumlah, dilewati`), when
    the preview shows any; data rows stay empty there."""
    notes = [None if not isinstance(s, str) else t(f"upload.preview.skip.{s}", lang) for s in skips]
    if any(notes):
        frame.insert(1, t(ROW_NOTE, lang), pd.Series(notes, index=frame.index, dtype=object))


def _annual_preview(layout: annual.AnnualLayout, rows: int, lang: str) -> dict[str, Any]:
    """preview_file's answer for an annual table: its header paths as the column names, its first rows and
    its total row (marked: checked against the rows, never loaded)."""
    width = len(layout.block.paths)
    headers = [layout.block.label(i) for i in range(width)]
    body = layout.rows[layout.block.data_start :]
    first = layout.first_row + layout.block.data_start
    kept, total, _ = annual.split_rows(layout)
    read = {n for n, _ in kept}
    shown_rows = list(range(first, first + min(len(body), int(rows))))
    if total is not None and total[0] not in shown_rows:
        shown_rows.append(total[0])
    data = [[(body[n - first][i] if i < len(body[n - first]) else None) for i in range(width)] for n in shown_rows]
    frame = pd.DataFrame(data, columns=[h or f"kolom {i + 1}" for i, h in enumerate(headers)])
    frame = shown_frame(frame)
    for column in frame.columns:  # an annual table holds no personal data; a NIK-like cell is masked all the same
        frame[column] = frame[column].map(lambda v: masked(v) if isinstance(v, str) and NIK_LIKE.match(v) else v)
    frame.insert(0, "baris", shown_rows)
    skips = [
        None
        if n in read
        else "total"
        if total is not None and n == total[0]
        else "blank"
        if not any(cell_text(c) for c in d)
        else "after"
        for n, d in zip(shown_rows, data)
    ]
    _note_skipped(frame, skips, lang)
    return {
        "kind": annual.ANNUAL_KIND,
        "header_row": layout.first_row + layout.block.first,
        "sheet": layout.sheet,
        "rows": len(kept),
        "total_rows": 0 if total is None else 1,
        "total_row_numbers": [] if total is None else [total[0]],
        "blank_rows": sum(1 for r in body if not any(cell_text(c) for c in r)),
        "headers": headers,
        "mapping": {c.header: c.code or c.role for c in layout.columns if c.role != "ignored"},
        "wide": [(c.header, str(c.code)) for c in layout.columns if c.role in ("sasaran", "count")],
        "preview": frame,
        "problem": None,
        "encoding": None,
        "delimiter": None,
        "year": layout.year,
        "needs_regency": False,
        "regency": None,
    }


def _check_scope(con: duckdb.DuckDBPyConnection, principal: Principal, v: Validation) -> None:
    """Refuse a file outside the uploader's scope (before anything is written)."""
    if principal.can("desa_all"):
        return
    if not principal.can("upload"):
        raise FileProblem("scope_no_upload")
    if v.kind not in PUSKESMAS_UPLOAD_KINDS:
        raise FileProblem("scope_kind", {"kind": v.kind})
    others = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT r_puskesmas FROM {v.accepted} WHERE upper(r_puskesmas) <> upper(?) ORDER BY 1",
            [principal.puskesmas_code],
        ).fetchall()
    ]
    if others:
        raise FileProblem("scope_puskesmas", {"own": principal.puskesmas_code, "others": ", ".join(others[:5])})


def preview_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    kind: str | None = None,
    profile: Profile | None = None,
    rows: int = 10,
    catalogue: Catalogue | None = None,
    regency_code: str | None = None,
    ignore_columns: Sequence[str] = (),
    lang: str = "id",
) -> dict[str, Any]:
    """First rows, detected kind, header row and mapping — for the upload page, nothing written.

    When no kind fits the headers (a required column was not recognised), the headers, the columns
    recognised so far (`mapping`) and the problem are still returned (`problem`, `kind` None) so that the
    user can map the missing columns by hand.
    Columns mapped to personal fields (NIK, name), or named like one, are masked in the preview, and
    so is any cell that looks like a NIK. `wide` lists (header, code) of a wide table's value columns;
    `columns` says where every column goes (ColumnUse), so the page can offer to ignore unmatched ones.
    `needs_regency` is true for a puskesmas list that names no kabupaten (no column, no title, none
    given): the page then offers the choice; `regency` is the kabupaten it will take, if known.
    `rows` counts the data rows as the ingest reads them: total rows (`JUMLAH`, `Kabupaten`) and blank rows
    are left out and counted apart (`total_rows`, `total_row_numbers`, `blank_rows`); the preview shows the
    total rows too, after its first rows, marked in a column of their own (`ROW_NOTE`, in `lang`).
    """
    cat = catalogue or load_catalogue()
    cur = con.cursor()
    raw = None
    try:
        _prepare(cur, cat)
        _check_size(Path(path))
        layout = (
            _annual_layout(cur, Path(path), cat) if profile is None and kind in (None, annual.ANNUAL_KIND) else None
        )
        if layout is not None:
            return _annual_preview(layout, rows, lang)
        raw = read_table(
            cur,
            Path(path),
            extra_header_labels(cat),
            max_ratio=float(setting("max_xlsx_ratio")),
            max_rows=int(setting("max_rows")),
        )
        problem = None
        # Columns named like a personal field are masked even when no kind fits (the mapping failed).
        personal = {i for i, h in enumerate(raw.headers) if normalise_label(h) in PERSONAL_LABELS}
        wide: list[tuple[str, str]] = []
        needs_regency, regency = False, None
        columns: list[ColumnUse] = []
        ignore = _ignored(profile, ignore_columns)
        try:
            _refuse_recap(cur, raw, kind)
            chosen = regency_option(cur, regency_code) if regency_code else None
            try:
                mapping, regency = _map(cur, raw, cat, kind, profile, chosen, ignore)
            except FileProblem as exc:
                needs_regency = exc.code in REGENCY_PROBLEMS
                if not needs_regency:
                    raise
                mapping = build_mapping(
                    raw.headers,
                    cat,
                    kind="puskesmas",
                    profile=profile,
                    title_text=raw.title_text,
                    ignore=ignore,
                    regency_known=True,
                )
                problem = exc
            columns = account_columns(cur, raw, mapping, ignore)
            described, detected = mapping.describe(), mapping.kind
            personal |= {mapping.columns[f] for f in PERSONAL_FIELDS if f in mapping.columns}
            wide = [(raw.headers[i] or f"kolom {i + 1}", code) for i, code in mapping.wide]
        except FileProblem as exc:  # no kind fits: still suggest the columns whose names were recognised
            problem, detected = exc, None
            described = suggest_columns(raw.headers, profile)
            personal |= {
                i for i, h in enumerate(raw.headers) if h and any(described.get(f) == h for f in PERSONAL_FIELDS)
            }
        counts = count_rows(cur, raw)
        frame = cur.execute(
            f"""
            WITH marked AS (SELECT *, {skip_case(raw)} AS _skip FROM {raw.relation}),
            head AS (SELECT * FROM marked ORDER BY row_no LIMIT {int(rows)}),
            totals AS (SELECT * FROM marked WHERE _skip = 'total' ORDER BY row_no LIMIT {int(rows)})
            SELECT * FROM head UNION SELECT * FROM totals ORDER BY row_no"""
        ).df()
        skipped = frame.pop("_skip")
        frame.columns = ["baris"] + [h or f"kolom {i + 1}" for i, h in enumerate(raw.headers)]
        frame = shown_frame(frame)  # empty cells stay empty (not `nan`, not masked), dates without 00:00:00
        for i, column in enumerate(frame.columns[1:]):
            if i in personal:
                frame[column] = frame[column].map(masked)
            else:  # a NIK in a column nobody named as such
                frame[column] = frame[column].map(
                    lambda v: masked(v) if isinstance(v, str) and NIK_LIKE.match(v) else v
                )
        _note_skipped(frame, list(skipped), lang)
        return {
            "kind": detected,
            "needs_regency": needs_regency,
            "regency": None
            if regency is None
            else {"code": regency.code, "name": regency.name, "source": regency.source},
            "header_row": raw.header_row,
            "sheet": raw.sheet,
            "rows": counts.data,
            "total_rows": counts.total,
            "total_row_numbers": list(counts.total_rows),
            "blank_rows": counts.blank,
            "headers": raw.headers,
            "mapping": described,
            "wide": wide,
            "columns": columns,
            "preview": frame,
            "problem": problem,
            "encoding": raw.encoding,
            "delimiter": raw.delimiter,
        }
    finally:
        if raw is not None:
            drop_staging(cur, raw)
        cur.close()
