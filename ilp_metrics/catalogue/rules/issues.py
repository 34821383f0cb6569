"""What a rule reports, the one error that lists every report, and the field checks all rules share.

A rule never raises on bad content: it records a CatalogueProblem (entry, field, reason) and goes on,
so that one CatalogueError shows every mistake of an edit at once.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ilp_metrics.catalogue.model import LANGUAGES

UPPER_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
LOWER_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
RESULT_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclasses.dataclass(frozen=True)
class CatalogueProblem:
    """One thing wrong in the catalogue: which entry (kind and code or position), which field, and why.

    `section` is the top-level key of catalogue.yaml the entry belongs to. It is not part of equality:
    the same problem found by two rules is listed once.
    """

    entry: str
    field: str
    message: str
    section: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.entry}: {self.field} {self.message}" if self.field else f"{self.entry}: {self.message}"


class CatalogueError(ValueError):
    """Raised once with every problem found, so all mistakes are fixed in one pass."""

    def __init__(self, problems: list[CatalogueProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        where = f" ({source})" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the indicator catalogue{where} has {len(self.problems)} problem(s):\n{lines}")


def is_number(value: Any) -> bool:
    """An int or float, but not a bool (YAML `true` is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unique(problems: list[CatalogueProblem]) -> list[CatalogueProblem]:
    """The problems in order, each once (e.g. a key both absent and not text is one problem)."""
    return list(dict.fromkeys(problems))


class Issues:
    """The problems one rule finds in one section of the raw YAML, with the checks every rule uses."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.problems: list[CatalogueProblem] = []

    def add(self, entry: str, field: str, message: str, section: str | None = None) -> None:
        problem = CatalogueProblem(entry, field, message, self.section if section is None else section)
        if problem not in self.problems:
            self.problems.append(problem)

    def keys(self, entry: str, data: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Required keys present, no unknown keys; False when `data` is not a mapping at all."""
        if not isinstance(data, dict):
            self.add(entry, "", "must be a mapping")
            return False
        for key in required:
            if key not in data:
                self.add(entry, key, "is missing")
        for key in data:
            if key not in required and key not in optional:
                self.add(entry, str(key), "is not a known field")
        return True

    def text(self, entry: str, field: str, value: Any) -> None:
        """A Text: non-empty Bahasa Indonesia and English, no other language."""
        if value is None:
            self.add(entry, field, "is missing")
            return
        if not isinstance(value, dict):
            self.add(entry, field, "must have 'id' (Bahasa Indonesia) and 'en' (English) text")
            return
        labels = {"id": "Bahasa Indonesia (id)", "en": "English (en)"}
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.add(entry, field, f"has no {labels[lang]} text")
        for key in value:
            if key not in LANGUAGES:
                self.add(entry, field, f"has an unknown language '{key}' (use id and en)")

    def string(self, entry: str, field: str, value: Any) -> bool:
        if not isinstance(value, str) or not value.strip():
            self.add(entry, field, "must be non-empty text")
            return False
        return True

    def colour(self, entry: str, field: str, value: Any) -> None:
        if not isinstance(value, str) or not HEX_COLOUR.match(value):
            self.add(entry, field, f"{value!r} must be a hex colour like '#0072B2' (quoted in YAML)")

    def string_list(self, entry: str, field: str, value: Any, allow_empty: bool = True) -> list[str]:
        """The list when it holds only non-empty text, else [] (and a problem)."""
        if value is None:
            if not allow_empty:
                self.add(entry, field, "must not be empty")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(entry, field, "must be a list of non-empty text")
            return []
        if not value and not allow_empty:
            self.add(entry, field, "must not be empty")
        return value

    def cluster_ref(self, entry: str, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            self.add(entry, "cluster", f"{value!r} must be an integer from 1 to 5")

    def entries(self, raw: dict[str, Any], key: str) -> list[Any]:
        """The list under a top-level key ([] when absent: the top-level rule reports that)."""
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add("catalogue", key, "must be a list", section=key)
            return []
        return value

    def coded(self, kind: str, entries: list[Any], pattern: re.Pattern[str]) -> list[tuple[str, Any]]:
        """Entries with a well-formed code, first occurrence only; bad and repeated codes are reported."""
        seen: set[str] = set()
        result: list[tuple[str, Any]] = []
        for pos, data in enumerate(entries, start=1):
            code = data.get("code") if isinstance(data, dict) else None
            if not isinstance(code, str) or not pattern.match(code):
                self.add(f"{kind} #{pos}", "code", f"{code!r} is not a valid code ({pattern.pattern})")
                continue
            if code in seen:
                self.add(f"{kind} '{code}'", "code", "is a duplicate code")
                continue
            seen.add(code)
            result.append((code, data))
        return result
