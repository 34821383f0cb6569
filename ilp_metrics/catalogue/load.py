"""Reading catalogue.yaml: validate it with catalogue.rules, then build the frozen model.

The packaged catalogue is parsed once per process (`load_catalogue()` is cached); a district's own file
is parsed on every call. Building assumes a valid dict: every check lives in catalogue.rules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ilp_metrics.catalogue.labels import normalise_regency
from ilp_metrics.catalogue.model import (
    ACCUMULATIONS,
    COUNT_KINDS,
    FIGURE_RULES,
    POLARITIES,
    PWS_CODES,
    STATUS_CODES,
    UNIT_FACTORS,
    AgeRange,
    Catalogue,
    Cluster,
    Denominator,
    FigureRules,
    Indicator,
    Methods,
    Numerator,
    Override,
    PwsReading,
    ReadinessIndex,
    ReadinessItem,
    Service,
    SourcePrecedence,
    StatusLevel,
    StatusRule,
    TargetGroup,
    Text,
)
from ilp_metrics.catalogue.rules import CatalogueError, validate

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")


def _text(data: dict[str, Any]) -> Text:
    return Text(id=data["id"].strip(), en=data["en"].strip())


def _opt_text(data: Any) -> Text | None:
    return _text(data) if isinstance(data, dict) else None


def _numerator(data: dict[str, Any]) -> Numerator:
    age = data.get("age_years")
    return Numerator(
        count=data["count"],
        services=tuple(data.get("services") or ()),
        readiness_item=data.get("readiness_item"),
        min_events=data.get("min_events"),
        result_in=tuple(data.get("result_in") or ()),
        age_years=AgeRange(age.get("min"), age.get("max")) if age else None,
        sex=data.get("sex"),
        aggregate_services=tuple(data.get("aggregate_services") or ()),
    )


def _indicator(data: dict[str, Any]) -> Indicator:
    den = data["denominator"]
    return Indicator(
        code=data["code"],
        name=_text(data["name"]),
        short_name=_text(data["short_name"]),
        cluster=data["cluster"],
        spm=data["spm"],
        definition=_text(data["definition"]),
        numerator=_numerator(data["numerator"]),
        denominator=Denominator(
            target_group=den.get("target_group"),
            indicator=den.get("indicator"),
            readiness_item=den.get("readiness_item"),
            factor=float(den.get("factor", 1)),
        ),
        accumulation=data["accumulation"],
        unit=data["unit"],
        target_pct=float(data["target_pct"]),
        target_source=_text(data["target_source"]),
        polarity=data["polarity"],
        source=data["source"].strip(),
        tolerance=float(data["tolerance"]) if data.get("tolerance") is not None else None,
        prevalence_denominator=bool(data.get("prevalence_denominator", False)),
    )


def _build(raw: dict[str, Any]) -> Catalogue:
    status = raw["status"]
    methods = raw["methods"]
    sp = raw["source_precedence"]
    return Catalogue(
        version=raw["version"],
        clusters=tuple(
            sorted(
                (Cluster(c["code"], _text(c["name"]), c["colour"], _text(c["scope"])) for c in raw["clusters"]),
                key=lambda c: c.code,
            )
        ),
        target_groups=tuple(
            TargetGroup(
                t["code"],
                _text(t["name"]),
                tuple(t.get("synonyms") or ()),
                _text(t["estimate"]),
                bool(t.get("prevalence_based", False)),
            )
            for t in raw["target_groups"]
        ),
        services=tuple(
            Service(
                s["code"],
                _text(s["name"]),
                s["cluster"],
                _text(s["definition"]),
                tuple(s.get("synonyms") or ()),
                tuple(s.get("results") or ()),
                bool(s.get("aggregate_only", False)),
            )
            for s in raw["services"]
        ),
        readiness_items=tuple(
            ReadinessItem(
                r["code"],
                _text(r["name"]),
                r["value_type"],
                r["measure"],
                float(r["weight"]),
                _text(r["definition"]),
                tuple(r.get("synonyms") or ()),
                r.get("denominator_item"),
            )
            for r in raw["readiness_items"]
        ),
        indicators=tuple(_indicator(i) for i in raw["indicators"]),
        overrides=tuple(
            Override(
                o["indicator"],
                o["year"],
                float(o["target_pct"]),
                normalise_regency(o["regency"]) if o.get("regency") else None,
                _opt_text(o.get("note")),
            )
            for o in raw["overrides"] or ()
        ),
        status=StatusRule(
            mendekati_min_ratio=float(status["mendekati_min_ratio"]),
            rationale=_text(status["rationale"]),
            achievement=_text(status["achievement"]),
            levels=tuple(
                StatusLevel(
                    code,
                    _text(status["levels"][code]["name"]),
                    status["levels"][code]["colour"],
                    _text(status["levels"][code]["meaning"]),
                    _text(status["levels"][code]["ceiling_name"]) if "ceiling_name" in status["levels"][code] else None,
                )
                for code in STATUS_CODES
            ),
            colour_note=_text(status["colour_note"]),
            pws_rule=_text(status["pws_rule"]),
            pws=tuple(
                PwsReading(code, _text(p["name"]), p["above_target"], p["rising"], p["colour"], _text(p["meaning"]))
                for code in PWS_CODES
                for p in [status["pws"][code]]
            ),
            flat_trend_reads_as=status["flat_trend"]["reads_as"],
            flat_trend_rule=_text(status["flat_trend"]["rule"]),
        ),
        source_precedence=SourcePrecedence(
            sp["preferred"],
            sp["fallback"],
            tuple(sp["grain"]),
            _text(sp["rule"]),
            _text(sp["rationale"]),
            _text(sp["aggregate_counts"]),
        ),
        override_rule=_text(raw["override_rule"]),
        readiness_index=ReadinessIndex(*(_text(raw["readiness_index"][k]) for k in ("name", "method", "rationale"))),
        figures=FigureRules(
            int(raw["figures"]["projection_months"]),
            float(raw["figures"]["achievement_cap"]),
            tuple((code, _text(raw["figures"]["rules"][code])) for code in FIGURE_RULES),
            raw["figures"]["watch"]["rank_by"],
            int(raw["figures"]["watch"]["count"]),
            _text(raw["figures"]["watch"]["rule"]),
        ),
        methods=Methods(
            *(
                tuple((code, _text(methods[kind][code])) for code in codes)
                for kind, codes in (
                    ("count", COUNT_KINDS),
                    ("accumulation", ACCUMULATIONS),
                    ("unit", tuple(UNIT_FACTORS)),
                    ("polarity", POLARITIES),
                )
            )
        ),
        quality=_quality(raw["quality"]),
    )


def _quality(data: dict[str, Any]) -> Any:
    from ilp_metrics.quality.rules import build

    return build(data, _text)


def parse_catalogue(raw: Any, source: str | None = None) -> Catalogue:
    """Validate a raw dict and build the Catalogue; CatalogueError lists every problem."""
    problems = validate(raw)
    if problems:
        raise CatalogueError(problems, source)
    return _build(raw)


def _read_yaml(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10× faster
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


@lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    return parse_catalogue(_read_yaml(CATALOGUE_PATH), str(CATALOGUE_PATH.name))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The packaged catalogue (cached: it never changes while the process runs) or the one at `path`."""
    if path is None or Path(path).resolve() == CATALOGUE_PATH.resolve():
        return _load_default()
    return parse_catalogue(_read_yaml(Path(path)), str(path))


def load_raw(path: Path | None = None) -> Any:
    """The catalogue YAML as plain data (for tests and tools that want to modify a copy)."""
    return _read_yaml(Path(path) if path else CATALOGUE_PATH)
