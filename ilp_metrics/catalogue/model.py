"""The catalogue as frozen dataclasses, and the values its fields may take.

These are the shapes the metrics library, the ingest, the CLI and the pages share; catalogue.load builds
them from catalogue.yaml once catalogue.rules has found nothing wrong. Pure data and lookups: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from ilp_metrics.catalogue.labels import normalise_label, normalise_regency

LANGUAGES = ("id", "en")
SHORT_NAME_MAX = 28

# Allowed values. The YAML `methods` section must explain each one (checked).
SERVICE_COUNTS = ("distinct_persons", "events", "persons_with_min_events")
READINESS_COUNTS = ("reported_sum", "latest_value")
COUNT_KINDS = SERVICE_COUNTS + READINESS_COUNTS
ACCUMULATIONS = ("cumulative", "ratio", "latest")
UNIT_FACTORS: dict[str, int] = {"percent": 100, "per_1000": 1000, "per_100k": 100_000}
POLARITIES = ("higher_is_better", "lower_is_better")
STATUS_CODES = ("tercapai", "mendekati", "di_bawah", "tidak_ada_data")
PWS_CODES = ("baik", "kurang", "cukup", "jelek")
VALUE_TYPES = ("boolean", "count")
MEASURES = ("stock", "flow")
SEXES = ("L", "P")
DATA_SOURCES = ("layanan", "capaian")
GRAIN_FIELDS = ("puskesmas", "desa", "month", "service")
# The `figures` section must explain each of these rules (checked).
FIGURE_RULES = (
    "denominator_rollup",
    "data_presence",
    "drilldown",
    "gap",
    "projection",
    "trend",
    "cluster_summary",
    "readiness_district",
    "cli_columns",
    "monthly_coverage",
    "event_time",
    "before_after",
    "funnel",
)

_EPS = 1e-9
_T = TypeVar("_T")


@dataclass(frozen=True)
class Text:
    """A sentence in Bahasa Indonesia (default) and English."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang`; unknown languages fall back to Bahasa Indonesia (the product default)."""
        return self.en if lang == "en" else self.id


@dataclass(frozen=True)
class Cluster:
    code: int
    name: Text
    colour: str
    scope: Text


@dataclass(frozen=True)
class TargetGroup:
    """A `target_group` of sasaran uploads; prevalence-based counts are estimates (coverage may pass 100 %)."""

    code: str
    name: Text
    synonyms: tuple[str, ...]
    estimate: Text
    prevalence_based: bool = False


@dataclass(frozen=True)
class Service:
    """A `service_code` of layanan/capaian uploads. `results` lists the values its `result` may hold."""

    code: str
    name: Text
    cluster: int
    definition: Text
    synonyms: tuple[str, ...]
    results: tuple[str, ...] = ()
    aggregate_only: bool = False  # reported only as an aggregate count (capaian), never as a record


@dataclass(frozen=True)
class ReadinessItem:
    """A kesiapan item. Stock items keep their latest value; flow items describe one month."""

    code: str
    name: Text
    value_type: str  # 'boolean' | 'count'
    measure: str  # 'stock' | 'flow'
    weight: float  # weight in the readiness index
    definition: Text
    synonyms: tuple[str, ...]
    denominator_item: str | None = None


@dataclass(frozen=True)
class AgeRange:
    """Completed years at the service date, bounds inclusive; None = open."""

    min: int | None = None
    max: int | None = None

    def contains(self, age: int) -> bool:
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


@dataclass(frozen=True)
class Numerator:
    """What is counted: services (individual records or aggregates) or one readiness item.

    Filters (`result_in`, `age_years`, `sex`) apply to individual records; see
    `source_precedence.aggregate_counts` for how aggregate reports are read.
    """

    count: str
    services: tuple[str, ...] = ()
    readiness_item: str | None = None
    min_events: int | None = None
    result_in: tuple[str, ...] = ()
    age_years: AgeRange | None = None
    sex: str | None = None
    # aggregate-only services whose reports (capaian) give this numerator directly, where the count
    # itself cannot be applied to aggregates (e.g. women with ≥ 4 visits, as aggregate reports count K4)
    aggregate_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Denominator:
    """Exactly one of target_group (× factor), indicator (that indicator's numerator) or readiness_item.

    A boolean readiness item as denominator means the number of reports of that item (puskesmas for
    `latest`, puskesmas-months for sums), so the ratio is the share answering yes.
    """

    target_group: str | None = None
    indicator: str | None = None
    readiness_item: str | None = None
    factor: float = 1.0

    @property
    def kind(self) -> str:
        if self.target_group is not None:
            return "target_group"
        if self.indicator is not None:
            return "indicator"
        return "readiness_item"

    @property
    def code(self) -> str:
        return str(self.target_group or self.indicator or self.readiness_item)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Text
    short_name: Text
    cluster: int
    spm: bool
    definition: Text
    numerator: Numerator
    denominator: Denominator
    accumulation: str  # 'cumulative' | 'ratio' | 'latest'
    unit: str  # 'percent' | 'per_1000' | 'per_100k'
    target_pct: float  # default target, in the indicator's unit
    target_source: Text
    polarity: str  # 'higher_is_better' | 'lower_is_better'
    source: str
    tolerance: float | None = None  # overrides status.mendekati_min_ratio
    prevalence_denominator: bool = False  # coverage above 100 % is shown, never capped

    @property
    def factor(self) -> int:
        """Multiplier from numerator/denominator to the unit (100, 1 000 or 100 000)."""
        return UNIT_FACTORS[self.unit]

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == "higher_is_better"


@dataclass(frozen=True)
class Override:
    indicator: str
    year: int
    target_pct: float
    regency: str | None = None  # dotted Kemendagri code; None = every regency
    note: Text | None = None


@dataclass(frozen=True)
class StatusLevel:
    code: str
    name: Text
    colour: str
    meaning: Text
    ceiling_name: Text | None = None  # the name for a lower-is-better indicator (its target is a ceiling)


@dataclass(frozen=True)
class PwsReading:
    code: str
    name: Text
    above_target: bool
    rising: bool
    colour: str
    meaning: Text


@dataclass(frozen=True)
class StatusRule:
    """Traffic-light rule of DATA_CONTRACT §4 plus the PWS four-way reading."""

    mendekati_min_ratio: float
    rationale: Text
    achievement: Text
    levels: tuple[StatusLevel, ...]
    colour_note: Text
    pws_rule: Text
    pws: tuple[PwsReading, ...]
    flat_trend_reads_as: str = "rising"  # how a month equal to the one before (trend 'tetap') is read
    flat_trend_rule: Text | None = None

    def label(self, code: str, polarity: str = "higher_is_better") -> Text:
        """The status's name for an indicator of that polarity: a lower-is-better rate under its ceiling is
        "Di bawah batas", never "Di bawah target"."""
        level = self.level(code)
        if polarity == "lower_is_better" and level.ceiling_name is not None:
            return level.ceiling_name
        return level.name

    def level(self, code: str) -> StatusLevel:
        for lvl in self.levels:
            if lvl.code == code:
                return lvl
        raise KeyError(f"status '{code}' is not one of {', '.join(STATUS_CODES)}")

    def colour(self, code: str) -> str:
        return self.level(code).colour

    def classify(self, value: float | None, target: float | None, polarity: str, min_ratio: float | None = None) -> str:
        """Status of `value` against the target to date (already pro-rated), as the contract defines it."""
        v = np.nan if value is None else value
        t = np.nan if target is None else target
        return str(
            self.classify_many(
                np.array([v], dtype=float),
                np.array([t], dtype=float),
                np.array([polarity == "lower_is_better"]),
                np.array([self.mendekati_min_ratio if min_ratio is None else min_ratio], dtype=float),
            )[0]
        )

    def classify_many(
        self, values: np.ndarray, targets: np.ndarray, lower_is_better: np.ndarray, min_ratios: np.ndarray
    ) -> np.ndarray:
        """`classify` over arrays (NaN = no value or no target); the one definition of the traffic light.

        Achievement ratio = value ÷ target (higher is better) or target ÷ value (lower is better):
        tercapai at or better than the target, mendekati when the ratio reaches the near-target bound.
        """
        values = np.asarray(values, dtype=float)
        targets = np.asarray(targets, dtype=float)
        lower = np.asarray(lower_is_better, dtype=bool)
        bound = np.asarray(min_ratios, dtype=float)
        missing = np.isnan(values) | np.isnan(targets)
        with np.errstate(divide="ignore", invalid="ignore"):
            met = np.where(lower, values <= targets + _EPS, values >= targets - _EPS)
            ratio = np.where(lower, targets / values, values / targets)
        near = ratio >= bound - _EPS
        out = np.where(met, "tercapai", np.where(near, "mendekati", "di_bawah")).astype(object)
        out[missing] = "tidak_ada_data"
        return out

    def pws_reading(self, above_target: bool, rising: bool) -> PwsReading:
        """Baik/Kurang/Cukup/Jelek for a position against the cumulative target and a trend."""
        for reading in self.pws:
            if reading.above_target == above_target and reading.rising == rising:
                return reading
        raise KeyError("no PWS reading for that combination")  # validation makes this unreachable


@dataclass(frozen=True)
class SourcePrecedence:
    """Which upload kind counts when individual and aggregate data cover the same slice (never both)."""

    preferred: str
    fallback: str
    grain: tuple[str, ...]
    rule: Text
    rationale: Text
    aggregate_counts: Text


@dataclass(frozen=True)
class ReadinessIndex:
    name: Text
    method: Text
    rationale: Text


@dataclass(frozen=True)
class FigureRules:
    """How coverage, gaps, projections and summaries are built (catalogue section `figures`)."""

    projection_months: int
    achievement_cap: float
    rules: tuple[tuple[str, Text], ...]
    watch_rank_by: str = "gap"  # "puskesmas to watch": 'gap' (most services not yet given) or 'composite'
    watch_count: int = 5
    watch_rule: Text | None = None

    def rule(self, code: str) -> Text:
        return dict(self.rules)[code]


@dataclass(frozen=True)
class Methods:
    """Plain-language explanation of every count kind, accumulation, unit and polarity."""

    count: tuple[tuple[str, Text], ...]
    accumulation: tuple[tuple[str, Text], ...]
    unit: tuple[tuple[str, Text], ...]
    polarity: tuple[tuple[str, Text], ...]

    def describe(self, kind: str, code: str) -> Text:
        entries: tuple[tuple[str, Text], ...] = getattr(self, kind)
        for key, text in entries:
            if key == code:
                return text
        raise KeyError(f"no {kind} '{code}' in the catalogue methods")


@dataclass(frozen=True)
class Catalogue:
    version: int
    clusters: tuple[Cluster, ...]
    target_groups: tuple[TargetGroup, ...]
    services: tuple[Service, ...]
    readiness_items: tuple[ReadinessItem, ...]
    indicators: tuple[Indicator, ...]
    overrides: tuple[Override, ...]
    status: StatusRule
    source_precedence: SourcePrecedence
    override_rule: Text
    readiness_index: ReadinessIndex
    figures: FigureRules
    methods: Methods
    quality: Any = None  # quality.rules.QualityRules: data-quality checks, thresholds, severities

    # ---- lookups (KeyError with a message naming what was asked for)
    def indicator(self, code: str) -> Indicator:
        return _find(self._indicators, code, "indicator")

    def service(self, code: str) -> Service:
        return _find(self._services, code, "service")

    def target_group(self, code: str) -> TargetGroup:
        return _find(self._target_groups, code, "target group")

    def readiness_item(self, code: str) -> ReadinessItem:
        return _find(self._readiness_items, code, "readiness item")

    def cluster(self, code: int) -> Cluster:
        for c in self.clusters:
            if c.code == code:
                return c
        raise KeyError(f"cluster {code!r} is not in the catalogue (clusters are 1–5)")

    def spm_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.spm)

    def indicators_in_cluster(self, cluster: int) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.cluster == cluster)

    # ---- targets and status
    def target_pct(self, code: str, year: int, regency: str | None = None) -> float:
        """Target for an indicator and year: regency + year override > year override > default."""
        indicator = self.indicator(code)
        wanted = normalise_regency(regency) if regency else None
        year_level: float | None = None
        for o in self.overrides:
            if o.indicator != code or o.year != year:
                continue
            if o.regency is None:
                year_level = o.target_pct
            elif o.regency == wanted:
                return o.target_pct
        return indicator.target_pct if year_level is None else year_level

    def target_to_date(self, code: str, year: int, month: int, regency: str | None = None) -> float:
        """Target to compare with the value through `month`: pro-rated month/12 only when cumulative."""
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1–12, got {month}")
        target = self.target_pct(code, year, regency)
        if self.indicator(code).accumulation == "cumulative":
            return target * month / 12
        return target

    def mendekati_min_ratio(self, code: str) -> float:
        tolerance = self.indicator(code).tolerance
        return self.status.mendekati_min_ratio if tolerance is None else tolerance

    def status_of(self, code: str, value: float | None, target_to_date: float | None) -> str:
        """Traffic light of one figure, with the indicator's polarity and tolerance."""
        ind = self.indicator(code)
        return self.status.classify(value, target_to_date, ind.polarity, self.mendekati_min_ratio(code))

    # ---- synonyms (all keys are normalise_label forms; the code and Bahasa name count as synonyms)
    def service_synonyms(self) -> dict[str, str]:
        return dict(self._service_index)

    def target_group_synonyms(self) -> dict[str, str]:
        return dict(self._target_group_index)

    def readiness_item_synonyms(self) -> dict[str, str]:
        return dict(self._readiness_index)

    def resolve_service(self, label: str) -> str | None:
        return self._service_index.get(normalise_label(label))

    def resolve_target_group(self, label: str) -> str | None:
        return self._target_group_index.get(normalise_label(label))

    def resolve_readiness_item(self, label: str) -> str | None:
        return self._readiness_index.get(normalise_label(label))

    # ---- cached internals (cached_property writes to __dict__, which a frozen dataclass allows)
    @cached_property
    def _indicators(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def _services(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def _target_groups(self) -> dict[str, TargetGroup]:
        return {t.code: t for t in self.target_groups}

    @cached_property
    def _readiness_items(self) -> dict[str, ReadinessItem]:
        return {r.code: r for r in self.readiness_items}

    @cached_property
    def _service_index(self) -> dict[str, str]:
        return _synonym_index((s.code, s.name.id, s.synonyms) for s in self.services)

    @cached_property
    def _target_group_index(self) -> dict[str, str]:
        return _synonym_index((t.code, t.name.id, t.synonyms) for t in self.target_groups)

    @cached_property
    def _readiness_index(self) -> dict[str, str]:
        return _synonym_index((r.code, r.name.id, r.synonyms) for r in self.readiness_items)


def _find(index: dict[str, _T], code: str, what: str) -> _T:
    try:
        return index[code]
    except KeyError:
        raise KeyError(f"{what} '{code}' is not in the catalogue (known: {', '.join(sorted(index))})") from None


def _synonym_index(entries: Any) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name, synonyms in entries:
        for label in (code, name, *synonyms):
            index.setdefault(normalise_label(label), code)
    return index
