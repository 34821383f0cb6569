"""Validation of catalogue.yaml as small rules, one per concern, run in file order.

Each rule takes the raw dict and the entries known by code (`known.index`) and returns a list of
CatalogueProblem (entry, field, reason, section). `validate` runs them all and lists every problem once;
catalogue.load raises one CatalogueError with that list, so one edit-and-reload shows every mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ilp_metrics.catalogue.rules import contract, entries, indicators, overrides, quality, sections
from ilp_metrics.catalogue.rules.issues import CatalogueError, CatalogueProblem, unique
from ilp_metrics.catalogue.rules.known import Known, index

Rule = Callable[[dict[str, Any], Known], list[CatalogueProblem]]

# The order problems are listed in: sections first, then what refers to them.
RULES: tuple[Rule, ...] = (
    sections.methods,
    sections.status,
    entries.clusters,
    entries.target_groups,
    entries.services,
    entries.readiness_items,
    sections.readiness_index,
    entries.synonyms,
    indicators.indicators,
    indicators.cycles,
    contract.contract,
    sections.override_rule,
    overrides.overrides,
    sections.source_precedence,
    sections.figures,
    quality.quality,
)


def validate(raw: Any) -> list[CatalogueProblem]:
    """Every problem in a raw catalogue dict (empty list = valid). Never raises on bad content."""
    problems = sections.top_level(raw)
    if not isinstance(raw, dict):
        return problems
    known = index(raw)
    for rule in RULES:
        problems += rule(raw, known)
    return unique(problems)


__all__ = ["RULES", "CatalogueError", "CatalogueProblem", "Rule", "validate"]
