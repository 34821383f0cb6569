"""The indicator catalogue: clusters, target groups, services, readiness items and indicators as data.

Definitions live in catalogue.yaml so that a Kabid can read them and a district can adapt them without
touching code. The package holds the model (frozen dataclasses shared by the metrics library, the
ingest, the CLI and the pages), the rules that check a raw file, the loader and the Markdown renderer
of docs/indicators.md. No Streamlit here. Import from `ilp_metrics.catalogue`; the modules are:

- model: the dataclasses and the values their fields may take;
- contract: the codes of DATA_CONTRACT.md §5 the catalogue must keep;
- labels: normal forms of labels and regency codes;
- rules: the validation, one small rule per concern, collected into one CatalogueError;
- load: reading catalogue.yaml and building the model (`load_catalogue` is cached);
- render: docs/indicators.md.
"""

from __future__ import annotations

from ilp_metrics.catalogue.contract import (
    CONTRACT_SERVICES,
    CONTRACT_TARGET_GROUPS,
    PREVALENCE_TARGET_GROUPS,
    READINESS_ITEM_CODES,
    SHARED_EXTRA_SERVICES,
    SPM_CONTRACT,
)
from ilp_metrics.catalogue.labels import normalise_label, normalise_regency
from ilp_metrics.catalogue.load import CATALOGUE_PATH, load_catalogue, load_raw, parse_catalogue
from ilp_metrics.catalogue.model import (
    ACCUMULATIONS,
    COUNT_KINDS,
    DATA_SOURCES,
    FIGURE_RULES,
    GRAIN_FIELDS,
    LANGUAGES,
    MEASURES,
    POLARITIES,
    PWS_CODES,
    READINESS_COUNTS,
    SERVICE_COUNTS,
    SEXES,
    SHORT_NAME_MAX,
    STATUS_CODES,
    UNIT_FACTORS,
    VALUE_TYPES,
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
from ilp_metrics.catalogue.render import render_markdown
from ilp_metrics.catalogue.rules import CatalogueError, CatalogueProblem, validate

__all__ = [
    "ACCUMULATIONS",
    "CATALOGUE_PATH",
    "CONTRACT_SERVICES",
    "CONTRACT_TARGET_GROUPS",
    "COUNT_KINDS",
    "DATA_SOURCES",
    "FIGURE_RULES",
    "GRAIN_FIELDS",
    "LANGUAGES",
    "MEASURES",
    "POLARITIES",
    "PREVALENCE_TARGET_GROUPS",
    "PWS_CODES",
    "READINESS_COUNTS",
    "READINESS_ITEM_CODES",
    "SERVICE_COUNTS",
    "SEXES",
    "SHARED_EXTRA_SERVICES",
    "SHORT_NAME_MAX",
    "SPM_CONTRACT",
    "STATUS_CODES",
    "UNIT_FACTORS",
    "VALUE_TYPES",
    "AgeRange",
    "Catalogue",
    "CatalogueError",
    "CatalogueProblem",
    "Cluster",
    "Denominator",
    "FigureRules",
    "Indicator",
    "Methods",
    "Numerator",
    "Override",
    "PwsReading",
    "ReadinessIndex",
    "ReadinessItem",
    "Service",
    "SourcePrecedence",
    "StatusLevel",
    "StatusRule",
    "TargetGroup",
    "Text",
    "load_catalogue",
    "load_raw",
    "normalise_label",
    "normalise_regency",
    "parse_catalogue",
    "render_markdown",
    "validate",
]
