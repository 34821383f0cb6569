"""Where every column of a file went: the field it fed, or why it was left out.

Nothing is dropped silently: the ingest report lists each column once. A column of an aggregate table
(sasaran, capaian, kesiapan) that looks like a measure (mostly numbers, or a header like a service or a
target group) but matches none is `unmatched`: in strict mode it stops the upload until it is mapped
(profile, upload page) or ignored (`ignore_columns`, `--ignore-column`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.i18n import t
from ilp_metrics.ingest.fields import FIELDS, KIND_SPECS, label_index, normalise_label
from ilp_metrics.ingest.mapping import Mapping, is_percent_header
from ilp_metrics.ingest.readers import RawTable

AGGREGATE_KINDS = frozenset(k for k, spec in KIND_SPECS.items() if spec.wide_vocabulary)
NUMERIC_SHARE = 0.8  # a column whose filled cells are this share numbers holds a measure
_ROW_NUMBER = re.compile(r"no|nomor|no urut|nomor urut|urut|\d{1,3}")
_PERCENT = re.compile(r".*\b(persen|persentase|cakupan|pct)\b.*")
_IDENTIFYING = re.compile(r".*\b(kode|kd|id|nama|alamat|telepon|telp|hp|email|keterangan|ket|catatan)\b.*")
_MEASURE_HEADER = re.compile(
    r"(k\d+|kn\d*|kf\d*|anc\b.*|jumlah\b.*|jml\b.*|capaian\b.*|sasaran\b.*|imunisasi\b.*|skrining\b.*|"
    r"pelayanan\b.*|kunjungan\b.*|ibu\b.*|bayi\b.*|balita\b.*|lansia\b.*|usia\b.*)"
)

USES = (
    "field",
    "wide",
    "profile",
    "ignored",
    "empty",
    "personal",
    "other_field",
    "percent",
    "row_number",
    "unmatched",
    "not_counted",
)


@dataclass(frozen=True)
class ColumnUse:
    """One column of the file: `use` is one of USES, `target` the field or code it fed."""

    index: int
    header: str
    use: str
    target: str | None = None

    @property
    def blocking(self) -> bool:
        return self.use == "unmatched"

    def note(self, lang: str = "id", cat: Catalogue | None = None) -> str:
        if self.use == "field" and self.target:
            return t("ingest.column.field", lang, target=t(f"upload.field.{self.target}", lang))
        if self.use == "wide" and self.target:
            return t("ingest.column.wide", lang, target=_code_name(cat, self.target, lang))
        return t(f"ingest.column.{self.use}", lang)

    def to_dict(self, lang: str = "id", cat: Catalogue | None = None) -> dict[str, Any]:
        return {"column": self.header, "use": self.use, "target": self.target, "note": self.note(lang, cat)}


def _code_name(cat: Catalogue | None, code: str, lang: str) -> str:
    if cat is not None:
        names = {s.code: s.name for s in cat.services}
        names.update({g.code: g.name for g in cat.target_groups})
        names.update({i.code: i.name for i in cat.readiness_items})
        if code in names:
            return f"{names[code].get(lang)} ({code})"
    return code


def header_text(headers: list[str], i: int) -> str:
    return headers[i] or f"kolom {i + 1}"


def _column_stats(con: duckdb.DuckDBPyConnection, raw: RawTable, wanted: dict[int, bool]) -> dict[int, tuple[int, int]]:
    """(filled cells, numeric cells) of the columns in `wanted` (index -> whether the numeric count is
    needed; 0 when not), in one scan; none when no column needs them (a records file whose every column
    feeds a field: parsing each cell as a number cost 1.7 s for 300 k rows)."""
    if not wanted:
        return {}
    parts = []
    for i, numeric in wanted.items():
        c = raw.columns[i]
        parts.append(f"count(ilp_clean({c}))")
        parts.append(
            f"count(coalesce(ilp_decimal(replace(ilp_clean({c}), '%', '')), ilp_int(ilp_clean({c}))))"
            if numeric
            else "0"
        )
    row = con.execute(f"SELECT {', '.join(parts)} FROM {raw.relation}").fetchone() or ()
    return {i: (int(row[2 * k]), int(row[2 * k + 1])) for k, i in enumerate(wanted)}


# What a Dinas keeps beside its puskesmas list: read (the address may name the kecamatan), never stored.
DESCRIPTIVE_FIELDS = frozenset({"facility_address", "facility_phone", "facility_type"})


def _stored_or_used(name: str, m: Mapping) -> bool:
    """A mapped field is reported as used unless it is descriptive; the address counts as used only when it
    is where the kecamatan is looked for (no kecamatan column)."""
    if name not in DESCRIPTIVE_FIELDS:
        return True
    return name == "facility_address" and not ({"district_code", "district_name"} & set(m.columns))


def account_columns(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, ignore: frozenset[str] = frozenset()
) -> list[ColumnUse]:
    """Every column of `raw` with its use under mapping `m` (`ignore`: normalised headers set aside)."""
    fed = {i: f for f, i in m.columns.items()}
    wide = dict(m.wide)
    profile_cols = {
        normalise_label(e.get(key))
        for e in m.emit
        for key in ("when_present", "result_from")
        if isinstance(e, dict) and e.get(key)
    }
    known = label_index()
    out: dict[int, ColumnUse] = {}
    wanted: dict[int, bool] = {}  # the columns whose use depends on their cells (and whether on numbers)
    for i, header in enumerate(raw.headers):
        label = normalise_label(header)
        shown = header_text(raw.headers, i)
        if i in fed and _stored_or_used(fed[i], m):
            out[i] = ColumnUse(i, shown, "field", fed[i])
        elif i in fed or (label in known and known[label] in DESCRIPTIVE_FIELDS):
            out[i] = ColumnUse(i, shown, "not_counted")
        elif i in wide:
            out[i] = ColumnUse(i, shown, "wide", wide[i])
        elif label and label in profile_cols:
            out[i] = ColumnUse(i, shown, "profile")
        elif label and label in ignore:
            out[i] = ColumnUse(i, shown, "ignored")
        else:
            wanted[i] = m.kind in AGGREGATE_KINDS and not _IDENTIFYING.fullmatch(label)
    stats = _column_stats(con, raw, wanted)
    for i in wanted:
        header = raw.headers[i]
        label = normalise_label(header)
        filled, numeric = stats[i]
        shown = header_text(raw.headers, i)
        if filled == 0:
            out[i] = ColumnUse(i, shown, "empty")
        elif label in known and FIELDS[known[label]].personal:
            out[i] = ColumnUse(i, shown, "personal", known[label])
        elif is_percent_header(header) or _PERCENT.fullmatch(label):
            out[i] = ColumnUse(i, shown, "percent")
        elif label in known:
            out[i] = ColumnUse(i, shown, "other_field", known[label])
        elif _ROW_NUMBER.fullmatch(label) and m.kind in AGGREGATE_KINDS | {"layanan"}:
            out[i] = ColumnUse(i, shown, "row_number")
        elif (
            m.kind in AGGREGATE_KINDS
            and not _IDENTIFYING.fullmatch(label)
            and (numeric >= NUMERIC_SHARE * filled or _MEASURE_HEADER.fullmatch(label))
        ):
            out[i] = ColumnUse(i, shown, "unmatched")
        else:
            out[i] = ColumnUse(i, shown, "not_counted")
    return [out[i] for i in range(len(raw.headers))]


def ignore_labels(*groups: Iterable[str] | None) -> frozenset[str]:
    """Normalised headers to ignore, from profile lists and command-line options."""
    return frozenset(label for group in groups for header in group or () if (label := normalise_label(header)))
