"""Problems found in an upload, collected rather than raised one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ilp_metrics.core.i18n import t


@dataclass(frozen=True)
class Refusal:
    """One refused row: where (row, column), why (reason code + text), never the personal value."""

    row: int
    column: str | None
    field: str | None
    reason_code: str
    value: str | None = None

    def column_label(self, lang: str = "id") -> str:
        """The file's own header; for a column the file does not have, the field in the user's words."""
        return column_label(self.column, self.field, lang)

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        column = self.column_label(lang)
        return {
            "row": self.row,
            "column": column,
            "reason_code": self.reason_code,
            "reason": reason_text(self.reason_code, lang, value=self.value, column=column),
        }


def column_label(column: str | None, field_name: str | None, lang: str = "id") -> str:
    if column:
        return column
    if field_name:
        return t(f"ingest.missing.{field_name}", lang)
    return ""


_EMPTY_QUOTE = re.compile(r" ?'\s*'")


def reason_text(code: str, lang: str = "id", **values: Any) -> str:
    """The reason in `lang`; a blank value is left out of the sentence rather than shown as '' or nan."""
    shown = {k: ("" if v is None or str(v).strip().lower() in ("nan", "none") else v) for k, v in values.items()}
    text = t(f"ingest.reason.{code}", lang, **shown)
    return _EMPTY_QUOTE.sub("", text) if "''" in text or "' '" in text else text


@dataclass
class FileProblem(Exception):
    """The whole file is refused before any row is read (empty, unreadable, unknown kind, too large…)."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)
    groups: list[list[str]] = field(default_factory=list)  # missing field groups, told in the user's words

    def message(self, lang: str = "id") -> str:
        details = dict(self.details)
        if self.groups:
            details["missing"] = "; ".join(t(f"ingest.missing.{g[0]}", lang) for g in self.groups if g)
        return t(f"ingest.file.{self.code}", lang, **details)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.code}: {self.details}"
