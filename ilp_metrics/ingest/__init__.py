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

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.core.config import setting
from ilp_metrics.core.db import WRITE_LOCK
from ilp_metrics.ingest.columns import ColumnUse, account_columns, ignore_labels
from ilp_metrics.ingest.errors import FileProblem, Refusal, column_label, reason_text
from ilp_metrics.ingest.fields import FIELDS, normalise_label
from ilp_metrics.ingest.load import commit, find_duplicate, withdraw
from ilp_metrics.ingest.mapping import (
    Mapping,
    Profile,
    build_mapping,
    extra_header_labels,
    load_profile,
    suggest_columns,
)
from ilp_metrics.ingest.readers import RawTable, drop_staging, read_table
from ilp_metrics.ingest.validate import Validation, drop_temp, install_lookups, validate
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
        if self.error:
            out["error_code"] = self.error_code
            out["error"] = self.error
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
    ignore: frozenset[str] = frozenset(),
) -> tuple[RawTable, Mapping]:
    _check_size(path)
    raw = read_table(
        con,
        path,
        extra_header_labels(cat),
        max_ratio=float(setting("max_xlsx_ratio")),
        max_rows=int(setting("max_rows")),
    )
    try:
        mapping = build_mapping(raw.headers, cat, kind=kind, profile=profile, title_text=raw.title_text, ignore=ignore)
    except BaseException:
        drop_staging(con, raw)
        raise
    return raw, mapping


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
    ignore_columns: Sequence[str] = (),
    principal: Principal,
) -> IngestReport:
    """Validate one file and, unless refused (or dry_run), commit it in one transaction.

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
        report.error_code = "scope_no_upload"
        report.error = FileProblem("scope_no_upload").message(lang)
        return report
    with WRITE_LOCK:
        cur = con.cursor()
        raw = None
        v: Validation | None = None
        try:
            step(0.05, "read")
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
            raw, mapping = _stage(cur, path, cat, kind, profile, ignore)
            report.kind, report.sheet, report.header_row = mapping.kind, raw.sheet, raw.header_row
            report.encoding, report.delimiter = raw.encoding, raw.delimiter
            report.mapping = mapping.describe()
            report.columns = account_columns(cur, raw, mapping, ignore)
            step(0.35, "validate")
            v = validate(cur, raw, mapping, cat, secret=secret, max_refusals=max_refusals)
            report.rows_read, report.rows_skipped = v.rows_read, v.rows_skipped
            report.rows_refused, report.rows_accepted = v.rows_refused, v.rows_accepted
            report.records, report.refusals, report.refusal_counts = v.records_accepted, v.refusals, v.refusal_counts
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
            step(1.0, "done")
            return report
        except FileProblem as problem:
            report.ok = False
            report.error_code = problem.code
            report.error = problem.message(lang)
            return report
        finally:
            if v is not None:
                drop_temp(cur, v)
            if raw is not None:
                drop_staging(cur, raw)
            cur.close()


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
    ignore_columns: Sequence[str] = (),
) -> dict[str, Any]:
    """First rows, detected kind, header row and mapping — for the upload page, nothing written.

    When no kind fits the headers (a required column was not recognised), the headers, the columns
    recognised so far (`mapping`) and the problem are still returned (`problem`, `kind` None) so that the
    user can map the missing columns by hand.
    Columns mapped to personal fields (NIK, name), or named like one, are masked in the preview, and
    so is any cell that looks like a NIK. `wide` lists (header, code) of a wide table's value columns;
    `columns` says where every column goes (ColumnUse), so the page can offer to ignore unmatched ones.
    """
    cat = catalogue or load_catalogue()
    cur = con.cursor()
    raw = None
    try:
        _prepare(cur, cat)
        _check_size(Path(path))
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
        columns: list[ColumnUse] = []
        ignore = _ignored(profile, ignore_columns)
        try:
            mapping = build_mapping(
                raw.headers, cat, kind=kind, profile=profile, title_text=raw.title_text, ignore=ignore
            )
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
        frame = cur.execute(f"SELECT * FROM {raw.relation} ORDER BY row_no LIMIT {int(rows)}").df()
        frame.columns = ["baris"] + [h or f"kolom {i + 1}" for i, h in enumerate(raw.headers)]

        def mask(value: Any) -> Any:
            return None if value is None else "•••" + str(value).strip()[-2:]

        for i, column in enumerate(frame.columns[1:]):
            if i in personal:
                frame[column] = frame[column].map(mask)
            else:  # a NIK in a column nobody named as such
                frame[column] = frame[column].map(lambda v: mask(v) if isinstance(v, str) and NIK_LIKE.match(v) else v)
        return {
            "kind": detected,
            "header_row": raw.header_row,
            "sheet": raw.sheet,
            "rows": raw.rows,
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
