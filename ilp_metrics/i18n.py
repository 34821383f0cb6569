"""The single catalogue of user-facing text, in Bahasa Indonesia (default) and English.

Messages live in messages.yaml as `key: {id: ..., en: ...}`; placeholders use str.format names.
Every key must exist in both languages: load_messages() checks it, and a test calls it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class MessageCatalogueError(ValueError):
    pass


@lru_cache(maxsize=1)
def load_messages() -> dict[str, dict[str, str]]:
    text = resources.files("ilp_metrics").joinpath("messages.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    problems = []
    for key, entry in data.items():
        if not isinstance(entry, dict):
            problems.append(f"{key}: expected a mapping of languages")
            continue
        for lang in LANGUAGES:
            if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                problems.append(f"{key}: missing text for '{lang}'")
    if problems:
        raise MessageCatalogueError("messages.yaml: " + "; ".join(problems))
    return data


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """Translate `key`; unknown languages fall back to Bahasa Indonesia."""
    entry = load_messages().get(key)
    if entry is None:
        raise KeyError(f"message '{key}' is not in messages.yaml")
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
