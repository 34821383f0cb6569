"""The single catalogue of user-facing text, in Bahasa Indonesia (default) and English.

Messages live in messages.yaml and in messages/*.yaml (one file per page, so that pages can be
written side by side) as `key: {id: ..., en: ...}`; placeholders use str.format names. Every key must
exist in both languages and in one file only: load_messages() checks it, and a test calls it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class MessageCatalogueError(ValueError):
    pass


def _message_files() -> list[Traversable]:
    root = resources.files("ilp_metrics.core")
    folder = root.joinpath("messages")
    extra = (
        sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
        if folder.is_dir()
        else []
    )
    return [root.joinpath("messages.yaml"), *extra]


# The C loader when PyYAML has it: the catalogue's 6,000 lines take ~0.4 s with the pure-Python one, in
# every process (the server's first page, each command).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def load_messages() -> dict[str, dict[str, str]]:
    data: dict[str, Any] = {}
    problems = []
    for file in _message_files():
        part = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        if not isinstance(part, dict):
            problems.append(f"{file.name}: expected a mapping of message keys")
            continue
        for key in part:
            if key in data:
                problems.append(f"{key}: defined twice (again in {file.name})")
        data.update(part)
    for key, entry in data.items():
        if not isinstance(entry, dict):
            problems.append(f"{key}: expected a mapping of languages")
            continue
        for lang in LANGUAGES:
            if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                problems.append(f"{key}: missing text for '{lang}'")
    if problems:
        raise MessageCatalogueError("messages: " + "; ".join(problems))
    return data


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """Translate `key`; unknown languages fall back to Bahasa Indonesia."""
    entry = load_messages().get(key)
    if entry is None:
        raise KeyError(f"message '{key}' is not in messages.yaml")
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
