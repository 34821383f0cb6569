"""Problems found in an upload, collected rather than raised one at a time."""

from __future__ import annotations

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

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "reason_code": self.reason_code,
            "reason": reason_text(self.reason_code, lang, value=self.value, column=self.column),
        }


def reason_text(code: str, lang: str = "id", **values: Any) -> str:
    shown = {k: ("" if v is None else v) for k, v in values.items()}
    return t(f"ingest.reason.{code}", lang, **shown)


@dataclass
class FileProblem(Exception):
    """The whole file is refused before any row is read (empty, unreadable, unknown kind, too large…)."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "id") -> str:
        return t(f"ingest.file.{self.code}", lang, **self.details)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.code}: {self.details}"
