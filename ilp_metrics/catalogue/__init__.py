"""The indicator catalogue: clusters, target groups, services, readiness items and indicators as data.

Definitions live in catalogue.yaml so that a Kabid can read them and a district can adapt them without
touching code. This module checks the whole file, collecting every problem before raising one
CatalogueError (one edit-and-reload cycle shows all mistakes), then turns it into frozen dataclasses
that the metrics library, the ingest, the CLI and the pages share. No Streamlit here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")
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

# DATA_CONTRACT.md §5: codes other modules and users rely on.
CONTRACT_TARGET_GROUPS = (
    "penduduk",
    "ibu_hamil",
    "ibu_bersalin",
    "bayi_baru_lahir",
    "bayi",
    "balita",
    "anak_usia_sekolah",
    "remaja",
    "usia_produktif",
    "lansia",
    "penderita_hipertensi",
    "penderita_dm",
    "odgj_berat",
    "terduga_tb",
    "berisiko_hiv",
)
PREVALENCE_TARGET_GROUPS = ("penderita_hipertensi", "penderita_dm", "odgj_berat", "terduga_tb", "berisiko_hiv")
CONTRACT_SERVICES = (
    "ANC_K1",
    "ANC_K6",
    "PERSALINAN_FASKES",
    "KN_LENGKAP",
    "IMUNISASI_DASAR_LENGKAP",
    "BALITA_DIPANTAU",
    "SKRINING_ANAK_SEKOLAH",
    "SKRINING_ANEMIA_REMAJA",
    "SKRINING_USIA_PRODUKTIF",
    "SKRINING_LANSIA",
    "YANKES_HIPERTENSI",
    "YANKES_DM",
    "YANKES_ODGJ_BERAT",
    "SKRINING_KANKER_SERVIKS",
    "YANKES_TERDUGA_TB",
    "TES_HIV",
    "KASUS_DBD",
    "KUNJUNGAN_RUMAH",
)
# Not in the contract, but the demo generator and the ingest use these spellings.
SHARED_EXTRA_SERVICES = (
    "KUNJUNGAN_ANC",
    "KF_LENGKAP",
    "BALITA_DITIMBANG",
    "SKRINING_STUNTING",
    "SKRINING_KANKER_PAYUDARA",
    "PENGOBATAN_TB",
)
READINESS_ITEM_CODES = (
    "KLASTER_TERBENTUK",
    "JUMLAH_DESA",
    "DESA_DENGAN_PUSTU",
    "JUMLAH_POSYANDU",
    "POSYANDU_ILP",
    "JUMLAH_KADER",
    "KADER_TERLATIH",
    "LOKMIN_BULANAN",
    "PWS_DIGUNAKAN",
    "LAPORAN_WAJIB",
    "LAPORAN_TEPAT_WAKTU",
)
# code -> (numerator service, denominator target group), DATA_CONTRACT.md §5.
SPM_CONTRACT: dict[str, tuple[str, str]] = {
    "SPM01": ("ANC_K6", "ibu_hamil"),
    "SPM02": ("PERSALINAN_FASKES", "ibu_bersalin"),
    "SPM03": ("KN_LENGKAP", "bayi_baru_lahir"),
    "SPM04": ("BALITA_DIPANTAU", "balita"),
    "SPM05": ("SKRINING_ANAK_SEKOLAH", "anak_usia_sekolah"),
    "SPM06": ("SKRINING_USIA_PRODUKTIF", "usia_produktif"),
    "SPM07": ("SKRINING_LANSIA", "lansia"),
    "SPM08": ("YANKES_HIPERTENSI", "penderita_hipertensi"),
    "SPM09": ("YANKES_DM", "penderita_dm"),
    "SPM10": ("YANKES_ODGJ_BERAT", "odgj_berat"),
    "SPM11": ("YANKES_TERDUGA_TB", "terduga_tb"),
    "SPM12": ("TES_HIV", "berisiko_hiv"),
}

_UPPER_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LOWER_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_RESULT_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_REGENCY = re.compile(r"^(\d{2})\.?(\d{2})$")
_EPS = 1e-9


def normalise_label(text: object) -> str:
    """Lower-case ASCII words separated by single spaces: the form every synonym is compared in.

    Same rule as ilp_metrics.ingest.fields.normalise_label, so `K-6`, `k 6` and `K 6` are one label.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-zA-Z]+", " ", s).strip().lower()


def normalise_regency(code: str) -> str:
    """Kemendagri regency code in dotted form (`7309` -> `73.09`); ValueError for anything else."""
    match = _REGENCY.match(str(code).strip())
    if not match:
        raise ValueError(f"regency code {code!r} is not a Kemendagri regency code like '73.09'")
    return f"{match.group(1)}.{match.group(2)}"


# ================================================================================ data classes


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


@dataclass(frozen=True)
class FigureRules:
    """How coverage, gaps, projections and summaries are built (catalogue section `figures`)."""

    projection_months: int
    achievement_cap: float
    rules: tuple[tuple[str, Text], ...]

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
        for key, text in getattr(self, kind):
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


def _find(index: dict[str, Any], code: str, what: str) -> Any:
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


# ================================================================================ validation


@dataclass(frozen=True)
class CatalogueProblem:
    """One thing wrong in the catalogue: which entry, which field, and why."""

    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.field} {self.message}" if self.field else f"{self.entry}: {self.message}"


class CatalogueError(ValueError):
    """Raised once with every problem found, so all mistakes are fixed in one pass."""

    def __init__(self, problems: list[CatalogueProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        where = f" ({source})" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the indicator catalogue{where} has {len(self.problems)} problem(s):\n{lines}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Validator:
    """Walks the raw YAML dict and records problems; never raises on bad content."""

    def __init__(self) -> None:
        self.problems: list[CatalogueProblem] = []
        self.cluster_codes: set[int] = set()
        self.target_groups: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.indicators: dict[str, dict[str, Any]] = {}

    def add(self, entry: str, field: str, message: str) -> None:
        problem = CatalogueProblem(entry, field, message)
        if problem not in self.problems:  # e.g. a key both absent (keys()) and not text (text())
            self.problems.append(problem)

    # ---------------------------------------------------------------- generic checks
    def keys(self, entry: str, data: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
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
        if not isinstance(value, str) or not _HEX_COLOUR.match(value):
            self.add(entry, field, f"{value!r} must be a hex colour like '#0072B2' (quoted in YAML)")

    def string_list(self, entry: str, field: str, value: Any, allow_empty: bool = True) -> list[str]:
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
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add("catalogue", key, "must be a list")
            return []
        return value

    def coded(
        self, kind: str, entries: list[Any], pattern: re.Pattern[str], target: dict[str, dict[str, Any]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Entries with a well-formed code; duplicates and bad codes are reported."""
        result = []
        for pos, data in enumerate(entries, start=1):
            code = data.get("code") if isinstance(data, dict) else None
            if not isinstance(code, str) or not pattern.match(code):
                self.add(f"{kind} #{pos}", "code", f"{code!r} is not a valid code ({pattern.pattern})")
                continue
            if code in target:
                self.add(f"{kind} '{code}'", "code", "is a duplicate code")
                continue
            if not isinstance(data, dict):
                continue
            target[code] = data
            result.append((code, data))
        return result

    # ---------------------------------------------------------------- sections
    def run(self, raw: Any) -> None:
        top_required = (
            "version",
            "methods",
            "status",
            "clusters",
            "target_groups",
            "services",
            "readiness_items",
            "readiness_index",
            "indicators",
            "override_rule",
            "overrides",
            "source_precedence",
            "figures",
            "quality",
        )
        if not self.keys("catalogue", raw, top_required):
            return
        if raw.get("version") != 1:
            self.add("catalogue", "version", f"{raw.get('version')!r} is not supported (expected 1)")
        self.check_methods(raw.get("methods"))
        self.check_status(raw.get("status"))
        self.check_clusters(self.entries(raw, "clusters"))
        self.check_target_groups(self.entries(raw, "target_groups"))
        self.check_services(self.entries(raw, "services"))
        self.check_readiness_items(self.entries(raw, "readiness_items"))
        self.check_readiness_index(raw.get("readiness_index"))
        self.check_synonyms("target group", self.target_groups)
        self.check_synonyms("service", self.services)
        self.check_synonyms("readiness item", self.items)
        self.check_indicators(self.entries(raw, "indicators"))
        self.check_cycles()
        self.check_contract()
        self.text("catalogue", "override_rule", raw.get("override_rule"))
        self.check_overrides(self.entries(raw, "overrides"))
        self.check_source_precedence(raw.get("source_precedence"))
        self.check_figures(raw.get("figures"))
        from ilp_metrics.quality.rules import check_section  # the quality section's rules live with the checks

        check_section(self, raw.get("quality"))

    def check_figures(self, data: Any) -> None:
        if not self.keys("figures", data, ("projection_months", "achievement_cap", "rules")):
            return
        months = data.get("projection_months")
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 11:
            self.add("figures", "projection_months", "must be a whole number of months from 1 to 11")
        cap = data.get("achievement_cap")
        if not isinstance(cap, (int, float)) or isinstance(cap, bool) or cap <= 0:
            self.add("figures", "achievement_cap", "must be a number above 0")
        if self.keys("figures.rules", data.get("rules"), FIGURE_RULES):
            for code in FIGURE_RULES:
                if code in data["rules"]:
                    self.text("figures.rules", code, data["rules"][code])

    def check_methods(self, data: Any) -> None:
        allowed = {
            "count": COUNT_KINDS,
            "accumulation": ACCUMULATIONS,
            "unit": tuple(UNIT_FACTORS),
            "polarity": POLARITIES,
        }
        if not self.keys("methods", data, tuple(allowed)):
            return
        for kind, codes in allowed.items():
            section = data.get(kind)
            if not isinstance(section, dict):
                if kind in data:
                    self.add("methods", kind, "must be a mapping")
                continue
            for code in codes:
                if code not in section:
                    self.add("methods", kind, f"has no explanation of '{code}'")
                else:
                    self.text("methods", f"{kind} {code}", section[code])
            for code in section:
                if code not in codes:
                    self.add("methods", kind, f"'{code}' is not an allowed value ({', '.join(codes)})")

    def check_status(self, data: Any) -> None:
        entry = "status"
        if not self.keys(
            entry, data, ("mendekati_min_ratio", "rationale", "achievement", "levels", "colour_note", "pws_rule", "pws")
        ):
            return
        ratio = data.get("mendekati_min_ratio")
        if not _is_number(ratio) or not 0 < ratio < 1:
            self.add(entry, "mendekati_min_ratio", f"{ratio!r} must be a number between 0 and 1")
        for field in ("rationale", "achievement", "colour_note", "pws_rule"):
            self.text(entry, field, data.get(field))
        levels = data.get("levels")
        if isinstance(levels, dict):
            for code in STATUS_CODES:
                if code not in levels:
                    self.add(entry, "levels", f"has no '{code}'")
            for code, level in levels.items():
                if code not in STATUS_CODES:
                    self.add(entry, "levels", f"'{code}' is not a contract status ({', '.join(STATUS_CODES)})")
                    continue
                if self.keys(f"status level '{code}'", level, ("name", "colour", "meaning")):
                    self.text(f"status level '{code}'", "name", level.get("name"))
                    self.text(f"status level '{code}'", "meaning", level.get("meaning"))
                    self.colour(f"status level '{code}'", "colour", level.get("colour"))
        elif "levels" in data:
            self.add(entry, "levels", "must be a mapping of status codes")
        pws = data.get("pws")
        if isinstance(pws, dict):
            seen: dict[tuple[Any, Any], str] = {}
            for code in PWS_CODES:
                if code not in pws:
                    self.add(entry, "pws", f"has no '{code}'")
            for code, reading in pws.items():
                sub = f"PWS reading '{code}'"
                if code not in PWS_CODES:
                    self.add(entry, "pws", f"'{code}' is not a PWS reading ({', '.join(PWS_CODES)})")
                    continue
                if not self.keys(sub, reading, ("name", "above_target", "rising", "colour", "meaning")):
                    continue
                self.text(sub, "name", reading.get("name"))
                self.text(sub, "meaning", reading.get("meaning"))
                self.colour(sub, "colour", reading.get("colour"))
                combo = (reading.get("above_target"), reading.get("rising"))
                if not all(isinstance(v, bool) for v in combo):
                    self.add(sub, "above_target/rising", "must be true or false")
                elif combo in seen:
                    self.add(sub, "above_target/rising", f"repeats the combination of '{seen[combo]}'")
                else:
                    seen[combo] = code
        elif "pws" in data:
            self.add(entry, "pws", "must be a mapping of PWS readings")

    def check_clusters(self, entries: list[Any]) -> None:
        for pos, data in enumerate(entries, start=1):
            code = data.get("code") if isinstance(data, dict) else None
            entry = f"cluster {code}" if code is not None else f"cluster #{pos}"
            if not self.keys(entry, data, ("code", "name", "colour", "scope")):
                continue
            if not isinstance(code, int) or isinstance(code, bool) or not 1 <= code <= 5:
                self.add(entry, "code", f"{code!r} must be an integer from 1 to 5")
            elif code in self.cluster_codes:
                self.add(entry, "code", "is a duplicate code")
            else:
                self.cluster_codes.add(code)
            self.text(entry, "name", data.get("name"))
            self.text(entry, "scope", data.get("scope"))
            self.colour(entry, "colour", data.get("colour"))
        for code in range(1, 6):
            if code not in self.cluster_codes:
                self.add("catalogue", "clusters", f"cluster {code} is missing (clusters 1–5 are required)")

    def check_target_groups(self, entries: list[Any]) -> None:
        for code, data in self.coded("target group", entries, _LOWER_CODE, self.target_groups):
            entry = f"target group '{code}'"
            self.keys(entry, data, ("code", "name", "synonyms", "estimate"), ("prevalence_based",))
            self.text(entry, "name", data.get("name"))
            self.text(entry, "estimate", data.get("estimate"))
            self.string_list(entry, "synonyms", data.get("synonyms"))
            if not isinstance(data.get("prevalence_based", False), bool):
                self.add(entry, "prevalence_based", "must be true or false")

    def check_services(self, entries: list[Any]) -> None:
        for code, data in self.coded("service", entries, _UPPER_CODE, self.services):
            entry = f"service '{code}'"
            self.keys(entry, data, ("code", "name", "cluster", "definition", "synonyms"), ("results",))
            self.text(entry, "name", data.get("name"))
            self.text(entry, "definition", data.get("definition"))
            self.cluster_ref(entry, data.get("cluster"))
            self.string_list(entry, "synonyms", data.get("synonyms"))
            for result in self.string_list(entry, "results", data.get("results")):
                if not _RESULT_CODE.match(result):
                    self.add(entry, "results", f"'{result}' must be a lower-case code like 'pengobatan_lengkap'")

    def check_readiness_items(self, entries: list[Any]) -> None:
        coded = self.coded("readiness item", entries, _UPPER_CODE, self.items)
        total_weight = 0.0
        for code, data in coded:
            entry = f"readiness item '{code}'"
            self.keys(
                entry,
                data,
                ("code", "name", "value_type", "measure", "weight", "definition", "synonyms"),
                ("denominator_item",),
            )
            self.text(entry, "name", data.get("name"))
            self.text(entry, "definition", data.get("definition"))
            self.string_list(entry, "synonyms", data.get("synonyms"))
            value_type = data.get("value_type")
            if value_type not in VALUE_TYPES:
                self.add(entry, "value_type", f"{value_type!r} must be one of {', '.join(VALUE_TYPES)}")
            if data.get("measure") not in MEASURES:
                self.add(entry, "measure", f"{data.get('measure')!r} must be one of {', '.join(MEASURES)}")
            weight = data.get("weight")
            if not _is_number(weight) or weight < 0:
                self.add(entry, "weight", f"{weight!r} must be a number ≥ 0")
            else:
                total_weight += weight
        for code, data in coded:
            entry = f"readiness item '{code}'"
            den = data.get("denominator_item")
            if den is None:
                continue
            if data.get("value_type") == "boolean":
                self.add(entry, "denominator_item", "is only allowed for count items")
            elif den == code:
                self.add(entry, "denominator_item", "cannot be the item itself")
            elif not isinstance(den, str) or den not in self.items:
                self.add(entry, "denominator_item", f"'{den}' is not a known readiness item")
            else:
                other = self.items[den]
                if other.get("value_type") != "count":
                    self.add(entry, "denominator_item", f"'{den}' must be a count item")
                if other.get("measure") != data.get("measure"):
                    self.add(entry, "denominator_item", f"'{den}' must have the same measure (stock or flow)")
        if coded and total_weight <= 0:
            self.add("catalogue", "readiness_items", "at least one item needs a weight above 0")
        for code in READINESS_ITEM_CODES:
            if code not in self.items:
                self.add("catalogue", "readiness_items", f"required item '{code}' is missing")

    def check_readiness_index(self, data: Any) -> None:
        if self.keys("readiness_index", data, ("name", "method", "rationale")):
            for field in ("name", "method", "rationale"):
                self.text("readiness_index", field, data.get(field))

    def check_synonyms(self, kind: str, entries: dict[str, dict[str, Any]]) -> None:
        """No label (code, Bahasa name or synonym) may name two entries once normalised."""
        owner: dict[str, str] = {}
        for code, data in entries.items():
            name = data.get("name")
            labels = [("code", code)]
            if isinstance(name, dict) and isinstance(name.get("id"), str):
                labels.append(("name", name["id"]))
            synonyms = data.get("synonyms")
            if isinstance(synonyms, list):
                labels += [("synonyms", s) for s in synonyms if isinstance(s, str)]
            for field, label in labels:
                norm = normalise_label(label)
                if not norm:
                    self.add(f"{kind} '{code}'", field, f"'{label}' is empty once normalised")
                elif owner.setdefault(norm, code) != code:
                    self.add(
                        f"{kind} '{code}'", field, f"'{label}' (normalised '{norm}') also names {kind} '{owner[norm]}'"
                    )

    # ---------------------------------------------------------------- indicators
    def check_indicators(self, entries: list[Any]) -> None:
        coded = self.coded("indicator", entries, _UPPER_CODE, self.indicators)
        for code, data in coded:
            self.check_indicator(code, data)

    def check_indicator(self, code: str, data: dict[str, Any]) -> None:
        entry = f"indicator '{code}'"
        self.keys(
            entry,
            data,
            (
                "code",
                "name",
                "short_name",
                "cluster",
                "spm",
                "definition",
                "numerator",
                "denominator",
                "accumulation",
                "unit",
                "target_pct",
                "target_source",
                "polarity",
                "source",
            ),
            ("tolerance", "prevalence_denominator"),
        )
        for field in ("name", "short_name", "definition", "target_source"):
            self.text(entry, field, data.get(field))
        short = data.get("short_name")
        if isinstance(short, dict):
            for lang in LANGUAGES:
                if isinstance(short.get(lang), str) and len(short[lang]) > SHORT_NAME_MAX:
                    self.add(
                        entry, "short_name", f"({lang}) '{short[lang]}' is longer than {SHORT_NAME_MAX} characters"
                    )
        if "cluster" in data:
            self.cluster_ref(entry, data.get("cluster"))
        if "spm" in data and not isinstance(data.get("spm"), bool):
            self.add(entry, "spm", "must be true or false")
        if data.get("spm") is True and code not in SPM_CONTRACT:
            self.add(entry, "spm", "true is reserved for SPM01–SPM12")
        if "source" in data:
            self.string(entry, "source", data.get("source"))
        accumulation = data.get("accumulation")
        if "accumulation" in data and accumulation not in ACCUMULATIONS:
            self.add(entry, "accumulation", f"{accumulation!r} must be one of {', '.join(ACCUMULATIONS)}")
        if "unit" in data and data.get("unit") not in tuple(UNIT_FACTORS):
            self.add(entry, "unit", f"{data.get('unit')!r} must be one of {', '.join(UNIT_FACTORS)}")
        if "polarity" in data and data.get("polarity") not in POLARITIES:
            self.add(entry, "polarity", f"{data.get('polarity')!r} must be one of {', '.join(POLARITIES)}")
        target = data.get("target_pct")
        if "target_pct" in data and (not _is_number(target) or target < 0):
            self.add(entry, "target_pct", f"{target!r} must be a number ≥ 0")
        tolerance = data.get("tolerance")
        if tolerance is not None and (not _is_number(tolerance) or not 0 < tolerance < 1):
            self.add(entry, "tolerance", f"{tolerance!r} must be a number between 0 and 1")
        num = data.get("numerator")
        den = data.get("denominator")
        num_kind = self.check_numerator(entry, num) if "numerator" in data else None
        den_kind = self.check_denominator(entry, den) if "denominator" in data else None
        self.check_consistency(entry, data, num_kind, den_kind)

    def check_numerator(self, entry: str, num: Any) -> str | None:
        """Validates the numerator; returns 'services' or 'readiness_item' when that part is usable."""
        if not self.keys(
            f"{entry} numerator",
            num,
            ("count",),
            ("services", "readiness_item", "min_events", "result_in", "age_years", "sex"),
        ):
            return None
        count = num.get("count")
        if count not in COUNT_KINDS:
            self.add(entry, "numerator count", f"{count!r} must be one of {', '.join(COUNT_KINDS)}")
        has_services, has_item = "services" in num, "readiness_item" in num
        if has_services == has_item:
            self.add(entry, "numerator", "needs exactly one of services or readiness_item")
            return None
        if "min_events" in num:
            min_events = num.get("min_events")
            if count != "persons_with_min_events":
                self.add(entry, "numerator min_events", "is only allowed with count persons_with_min_events")
            elif not isinstance(min_events, int) or isinstance(min_events, bool) or min_events < 2:
                self.add(entry, "numerator min_events", f"{min_events!r} must be an integer ≥ 2")
        elif count == "persons_with_min_events":
            self.add(entry, "numerator min_events", "is required with count persons_with_min_events")
        if has_item:
            item = num.get("readiness_item")
            if count in SERVICE_COUNTS:
                self.add(
                    entry,
                    "numerator count",
                    f"'{count}' counts services; a readiness item needs {' or '.join(READINESS_COUNTS)}",
                )
            for field in ("result_in", "age_years", "sex"):
                if field in num:
                    self.add(entry, f"numerator {field}", "only applies to services")
            if not isinstance(item, str) or item not in self.items:
                self.add(entry, "numerator readiness_item", f"'{item}' is not a known readiness item")
                return None
            measure = self.items[item].get("measure")
            if count == "latest_value" and measure != "stock":
                self.add(entry, "numerator count", f"latest_value needs a stock item; '{item}' is a {measure} item")
            if count == "reported_sum" and measure != "flow":
                self.add(entry, "numerator count", f"reported_sum needs a flow item; '{item}' is a {measure} item")
            return "readiness_item"
        if num.get("services") is None:
            self.add(entry, "numerator services", "must list at least one service")
        services = self.string_list(entry, "numerator services", num.get("services"), allow_empty=False)
        if count in READINESS_COUNTS:
            self.add(
                entry, "numerator count", f"'{count}' is for readiness items; services need {', '.join(SERVICE_COUNTS)}"
            )
        known = True
        for svc in services:
            if svc not in self.services:
                self.add(entry, "numerator services", f"'{svc}' is not a known service")
                known = False
        results = self.string_list(entry, "numerator result_in", num.get("result_in"))
        if "result_in" in num and not results:
            self.add(entry, "numerator result_in", "must list at least one result")
        for svc in services:
            if svc not in self.services or not results:
                continue
            raw_results = self.services[svc].get("results")
            declared = [r for r in raw_results if isinstance(r, str)] if isinstance(raw_results, list) else []
            listed = ", ".join(declared) or "none declared"
            for result in results:
                if result not in declared:
                    self.add(entry, "numerator result_in", f"'{result}' is not a result of service '{svc}' ({listed})")
        if "age_years" in num:
            self.check_age(entry, num.get("age_years"))
        if "sex" in num and num.get("sex") not in SEXES:
            self.add(entry, "numerator sex", f"{num.get('sex')!r} must be L or P")
        return "services" if known and services else None

    def check_age(self, entry: str, age: Any) -> None:
        if not isinstance(age, dict) or not age or set(age) - {"min", "max"}:
            self.add(entry, "numerator age_years", "must be a mapping with min and/or max")
            return
        bounds = [age.get("min"), age.get("max")]
        for value in bounds:
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                self.add(entry, "numerator age_years", f"{value!r} must be a whole number of years ≥ 0")
                return
        if None not in bounds and bounds[0] > bounds[1]:
            self.add(entry, "numerator age_years", f"min {bounds[0]} is above max {bounds[1]}")

    def check_denominator(self, entry: str, den: Any) -> str | None:
        if not isinstance(den, dict):
            self.add(entry, "denominator", "must be a mapping")
            return None
        kinds = [k for k in ("target_group", "indicator", "readiness_item") if k in den]
        for key in den:
            if key not in ("target_group", "indicator", "readiness_item", "factor"):
                self.add(entry, f"denominator {key}", "is not a known field")
        if len(kinds) != 1:
            self.add(
                entry,
                "denominator",
                "needs exactly one of target_group, indicator or readiness_item"
                + (f" (found {', '.join(kinds)})" if kinds else ""),
            )
            return None
        kind = kinds[0]
        code = den[kind]
        if "factor" in den:
            factor = den.get("factor")
            if kind != "target_group":
                self.add(entry, "denominator factor", "is only allowed with a target_group")
            elif not _is_number(factor) or factor <= 0:
                self.add(entry, "denominator factor", f"{factor!r} must be a number > 0")
        known = {
            "target_group": (self.target_groups, "target group"),
            "indicator": (self.indicators, "indicator"),
            "readiness_item": (self.items, "readiness item"),
        }[kind]
        if kind == "indicator":
            return kind  # indicators may come later in the file: resolved in check_consistency
        if not isinstance(code, str) or code not in known[0]:
            self.add(entry, f"denominator {kind}", f"'{code}' is not a known {known[1]}")
            return None
        return kind

    def check_consistency(self, entry: str, data: dict[str, Any], num_kind: str | None, den_kind: str | None) -> None:
        """Rules linking numerator, denominator, accumulation and the prevalence flag."""
        num = data.get("numerator") if isinstance(data.get("numerator"), dict) else {}
        den = data.get("denominator") if isinstance(data.get("denominator"), dict) else {}
        accumulation = data.get("accumulation")
        count = num.get("count")
        if accumulation == "latest" and count != "latest_value":
            self.add(entry, "accumulation", "latest needs a numerator count of latest_value")
        if count == "latest_value" and accumulation != "latest":
            self.add(entry, "accumulation", "latest_value numerators need accumulation latest")
        if accumulation == "cumulative" and den_kind not in (None, "target_group"):
            self.add(entry, "accumulation", "cumulative needs an annual target_group denominator")
        if den_kind == "indicator":
            ref = den.get("indicator")
            if not isinstance(ref, str) or ref not in self.indicators:
                self.add(entry, "denominator indicator", f"'{ref}' is not a known indicator")
            else:
                ref_num = self.indicators[ref].get("numerator")
                if not isinstance(ref_num, dict) or "services" not in ref_num:
                    self.add(entry, "denominator indicator", f"'{ref}' must count services")
            if accumulation not in (None, "ratio"):
                self.add(entry, "accumulation", "an indicator denominator needs accumulation ratio")
        if num_kind == "readiness_item" and den_kind not in (None, "readiness_item"):
            self.add(entry, "denominator", "a readiness numerator needs a readiness_item denominator")
        if num_kind == "services" and den_kind == "readiness_item":
            self.add(entry, "denominator", "a service numerator cannot have a readiness_item denominator")
        if num_kind == "readiness_item" and den_kind == "readiness_item":
            item = num.get("readiness_item")
            spec = self.items[item]
            expected = item if spec.get("value_type") == "boolean" else spec.get("denominator_item")
            if expected is None:
                self.add(entry, "numerator readiness_item", f"'{item}' has no denominator_item to divide by")
            elif den.get("readiness_item") != expected:
                self.add(
                    entry,
                    "denominator readiness_item",
                    f"must be '{expected}' (the denominator of '{item}'), found '{den.get('readiness_item')}'",
                )
        flag = data.get("prevalence_denominator", False)
        if not isinstance(flag, bool):
            self.add(entry, "prevalence_denominator", "must be true or false")
            return
        group = self.target_groups.get(den.get("target_group")) if den_kind == "target_group" else None
        prevalence_group = bool(group and group.get("prevalence_based"))
        estimated = prevalence_group or (den_kind == "target_group" and "factor" in den)
        if prevalence_group and not flag:
            self.add(entry, "prevalence_denominator", f"must be true: '{den.get('target_group')}' is an estimate")
        if flag and not estimated:
            self.add(entry, "prevalence_denominator", "is only for prevalence-based or estimated denominators")

    def check_cycles(self) -> None:
        """Indicator -> indicator denominators must end in a target group (no loops)."""
        edges = {}
        for code, data in self.indicators.items():
            den = data.get("denominator")
            if isinstance(den, dict) and isinstance(den.get("indicator"), str):
                edges[code] = den["indicator"]
        reported: set[frozenset[str]] = set()
        for start in sorted(edges):
            path = [start]
            node = start
            while node in edges:
                node = edges[node]
                if node in path:
                    loop = path[path.index(node) :]
                    key = frozenset(loop)
                    if key not in reported:
                        reported.add(key)
                        first = min(loop)
                        i = loop.index(first)
                        ordered = loop[i:] + loop[:i] + [first]
                        self.add(f"indicator '{first}'", "denominator", f"forms a cycle: {' → '.join(ordered)}")
                    break
                path.append(node)

    def check_contract(self) -> None:
        """DATA_CONTRACT.md §5 codes must stay, and SPM01–SPM12 must match its table."""
        for code in CONTRACT_TARGET_GROUPS:
            if code not in self.target_groups:
                self.add("catalogue", "target_groups", f"contract target group '{code}' is missing")
        for code in PREVALENCE_TARGET_GROUPS:
            if code in self.target_groups and self.target_groups[code].get("prevalence_based") is not True:
                self.add(f"target group '{code}'", "prevalence_based", "must be true (a prevalence estimate)")
        for code in CONTRACT_SERVICES:
            if code not in self.services:
                self.add("catalogue", "services", f"contract service '{code}' is missing")
        for code in SHARED_EXTRA_SERVICES:
            if code not in self.services:
                self.add("catalogue", "services", f"service '{code}' (used by the demo and the ingest) is missing")
        for code, (service, group) in SPM_CONTRACT.items():
            data = self.indicators.get(code)
            if data is None:
                self.add("catalogue", "indicators", f"SPM indicator '{code}' is missing")
                continue
            entry = f"indicator '{code}'"
            num = data.get("numerator") if isinstance(data.get("numerator"), dict) else {}
            den = data.get("denominator") if isinstance(data.get("denominator"), dict) else {}
            expected = {
                "numerator services": ([service], num.get("services")),
                "numerator count": ("distinct_persons", num.get("count")),
                "denominator target_group": (group, den.get("target_group")),
                "denominator factor": (1, den.get("factor", 1)),
                "spm": (True, data.get("spm")),
                "target_pct": (100, data.get("target_pct")),
                "accumulation": ("cumulative", data.get("accumulation")),
                "unit": ("percent", data.get("unit")),
                "polarity": ("higher_is_better", data.get("polarity")),
            }
            for field, (want, got) in expected.items():
                if got != want:
                    self.add(entry, field, f"must be {want!r} (DATA_CONTRACT §5), found {got!r}")

    def check_overrides(self, entries: list[Any]) -> None:
        seen: set[tuple[Any, Any, Any]] = set()
        for pos, data in enumerate(entries, start=1):
            entry = f"override {pos}"
            if not self.keys(entry, data, ("indicator", "year", "target_pct"), ("regency", "note")):
                continue
            indicator = data.get("indicator")
            if "indicator" in data and (not isinstance(indicator, str) or indicator not in self.indicators):
                self.add(entry, "indicator", f"'{indicator}' is not a known indicator")
            year = data.get("year")
            if "year" in data and (not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100):
                self.add(entry, "year", f"{year!r} must be a year like 2025")
            target = data.get("target_pct")
            if "target_pct" in data and (not _is_number(target) or target < 0):
                self.add(entry, "target_pct", f"{target!r} must be a number ≥ 0")
            regency = data.get("regency")
            if regency is not None:
                if not isinstance(regency, str):
                    self.add(entry, "regency", f"{regency!r} must be quoted text like '73.09'")
                    regency = None
                else:
                    try:
                        regency = normalise_regency(regency)
                    except ValueError as exc:
                        self.add(entry, "regency", str(exc))
                        regency = None
            if "note" in data:
                self.text(entry, "note", data.get("note"))
            key = (repr(indicator), repr(year), regency)
            if key in seen:
                self.add(entry, "", "repeats the indicator, year and regency of an earlier override")
            seen.add(key)

    def check_source_precedence(self, data: Any) -> None:
        entry = "source_precedence"
        if not self.keys(entry, data, ("preferred", "fallback", "grain", "rule", "rationale", "aggregate_counts")):
            return
        for field in ("preferred", "fallback"):
            if data.get(field) not in DATA_SOURCES:
                self.add(entry, field, f"{data.get(field)!r} must be one of {', '.join(DATA_SOURCES)}")
        if data.get("preferred") == data.get("fallback"):
            self.add(entry, "fallback", "must differ from preferred")
        grain = self.string_list(entry, "grain", data.get("grain"), allow_empty=False)
        for g in grain:
            if g not in GRAIN_FIELDS:
                self.add(entry, "grain", f"'{g}' must be one of {', '.join(GRAIN_FIELDS)}")
        for field in ("rule", "rationale", "aggregate_counts"):
            self.text(entry, field, data.get(field))


def validate(raw: Any) -> list[CatalogueProblem]:
    """Every problem in a raw catalogue dict (empty list = valid). Never raises on bad content."""
    validator = _Validator()
    validator.run(raw)
    return validator.problems


# ================================================================================ building


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


# ================================================================================ documentation


def _md(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def _describe_numerator(num: Numerator) -> str:
    if num.readiness_item:
        how = {"latest_value": "latest value", "reported_sum": "sum of monthly values"}[num.count]
        return f"{how} of `{num.readiness_item}`"
    how = {
        "distinct_persons": "distinct persons",
        "events": "records (events)",
        "persons_with_min_events": f"persons with ≥ {num.min_events} visit dates",
    }[num.count]
    parts = [f"{how}: " + ", ".join(f"`{s}`" for s in num.services)]
    if num.result_in:
        parts.append("result " + " or ".join(f"`{r}`" for r in num.result_in))
    if num.age_years:
        lo, hi = num.age_years.min, num.age_years.max
        parts.append(
            f"age {lo}–{hi} y"
            if lo is not None and hi is not None
            else f"age ≥ {lo} y"
            if lo is not None
            else f"age ≤ {hi} y"
        )
    if num.sex:
        parts.append("female (P)" if num.sex == "P" else "male (L)")
    return "; ".join(parts)


def _describe_denominator(den: Denominator) -> str:
    if den.kind == "target_group":
        factor = "" if den.factor == 1 else f"{_fmt_number(den.factor)} × "
        return f"{factor}sasaran `{den.target_group}`"
    if den.kind == "indicator":
        return f"numerator of `{den.indicator}`"
    return f"`{den.readiness_item}`"


def _describe_target(ind: Indicator, cat: Catalogue) -> str:
    unit = cat.methods.describe("unit", ind.unit).en
    sign = "≤ " if ind.polarity == "lower_is_better" else ""
    target = f"{sign}{_fmt_number(ind.target_pct)} {unit}"
    return f"{target}, {ind.accumulation}" + (f", near ≥ {ind.tolerance:g}" if ind.tolerance else "")


def render_markdown(cat: Catalogue) -> str:
    """docs/indicators.md: the human-readable catalogue; a test keeps the committed file identical."""
    lines = [
        "# Indicator catalogue",
        "",
        "<!-- Generated from ilp_metrics/catalogue.yaml by catalogue.render_markdown(); do not edit by hand.",
        "     Regenerate with: .venv/bin/python -m ilp_metrics.catalogue > docs/indicators.md -->",
        "",
        f"Catalogue version {cat.version}: {len(cat.indicators)} indicators "
        f"({len(cat.spm_indicators())} SPM) in {len(cat.clusters)} clusters. "
        "Sources marked (K) are not yet verified against the original text.",
        "",
        "## How to read it",
        "",
    ]
    for kind in ("accumulation", "count"):
        for code, text in getattr(cat.methods, kind):
            lines.append(f"- **{code}**: {_md(text.en)}")
    lines += [
        f"- **Status**: {_md(cat.status.achievement.en)} Default near-target bound: "
        f"{cat.status.mendekati_min_ratio:g}. {_md(cat.status.rationale.en)}",
        f"- **Targets**: {_md(cat.override_rule.en)}",
        f"- **Sources of counts**: {_md(cat.source_precedence.rule.en)} "
        f"{_md(cat.source_precedence.aggregate_counts.en)}",
        "",
        "## How the figures are built",
        "",
        *[f"- **{code.replace('_', ' ').capitalize()}**: {_md(text.en)}" for code, text in cat.figures.rules],
        "",
        "## Indicators",
        "",
        "| Code | Cluster | Name (Bahasa Indonesia / English) | Numerator | Denominator | Target | Source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for ind in sorted(cat.indicators, key=lambda i: (i.cluster, not i.spm)):
        name = f"**{_md(ind.name.id)}**<br>{_md(ind.name.en)}"
        if ind.prevalence_denominator:
            name += "<br>*estimated denominator: coverage above 100 % is shown*"
        source = f"{_md(ind.source)}<br>Target: {_md(ind.target_source.en)}"
        lines.append(
            f"| `{ind.code}` | {ind.cluster} {_md(cat.cluster(ind.cluster).name.id)} | {name} | "
            f"{_md(_describe_numerator(ind.numerator))} | {_md(_describe_denominator(ind.denominator))} | "
            f"{_md(_describe_target(ind, cat))} | {source} |"
        )
    lines += [
        "",
        "## Target overrides",
        "",
        "| Indicator | Year | Regency | Target | Note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for o in cat.overrides:
        lines.append(
            f"| `{o.indicator}` | {o.year} | {o.regency or 'all'} | {_fmt_number(o.target_pct)} | "
            f"{_md(o.note.en) if o.note else ''} |"
        )
    lines += ["", "## Target groups (sasaran)", "", "| Code | Name | Estimate |", "| --- | --- | --- |"]
    for t in cat.target_groups:
        lines.append(f"| `{t.code}` | {_md(t.name.id)} | {_md(t.estimate.en)} |")
    lines += [
        "",
        "## Readiness items (kesiapan)",
        "",
        f"{_md(cat.readiness_index.method.en)} {_md(cat.readiness_index.rationale.en)}",
        "",
        "| Code | Name | Type | Measure | Denominator | Weight |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in cat.readiness_items:
        den = f"`{r.denominator_item}`" if r.denominator_item else ""
        lines.append(
            f"| `{r.code}` | {_md(r.name.id)} | {r.value_type} | {r.measure} | {den} | {_fmt_number(r.weight)} |"
        )
    lines += ["", "## Services", "", "| Code | Cluster | Name | Synonyms |", "| --- | --- | --- | --- |"]
    for s in cat.services:
        lines.append(f"| `{s.code}` | {s.cluster} | {_md(s.name.id)} | {_md(', '.join(s.synonyms))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m ilp_metrics.catalogue > docs/indicators.md
    import sys

    sys.stdout.write(render_markdown(load_catalogue()))
