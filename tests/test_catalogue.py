"""Specification of the indicator catalogue (ilp_metrics/catalogue.yaml + catalogue.py).

Each test states one rule. Validation tests mutate a copy of the packaged catalogue and expect one
named problem; the docs test keeps docs/indicators.md identical to what the catalogue renders.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ilp_metrics import catalogue as cat_mod
from ilp_metrics.catalogue import (
    Catalogue,
    CatalogueError,
    load_catalogue,
    load_raw,
    normalise_label,
    parse_catalogue,
    render_markdown,
    validate,
)

REPO = Path(__file__).resolve().parent.parent

# DATA_CONTRACT.md §5, written out again on purpose: the test is the second witness of the contract.
SPM_TABLE = [
    ("SPM01", "ANC_K6", "ibu_hamil"),
    ("SPM02", "PERSALINAN_FASKES", "ibu_bersalin"),
    ("SPM03", "KN_LENGKAP", "bayi_baru_lahir"),
    ("SPM04", "BALITA_DIPANTAU", "balita"),
    ("SPM05", "SKRINING_ANAK_SEKOLAH", "anak_usia_sekolah"),
    ("SPM06", "SKRINING_USIA_PRODUKTIF", "usia_produktif"),
    ("SPM07", "SKRINING_LANSIA", "lansia"),
    ("SPM08", "YANKES_HIPERTENSI", "penderita_hipertensi"),
    ("SPM09", "YANKES_DM", "penderita_dm"),
    ("SPM10", "YANKES_ODGJ_BERAT", "odgj_berat"),
    ("SPM11", "YANKES_TERDUGA_TB", "terduga_tb"),
    ("SPM12", "TES_HIV", "berisiko_hiv"),
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def pristine_raw() -> dict[str, Any]:
    return load_raw()


@pytest.fixture
def raw(pristine_raw: dict[str, Any]) -> dict[str, Any]:
    """A fresh, valid copy of the packaged catalogue for one test to break."""
    return copy.deepcopy(pristine_raw)


def entry(raw: dict[str, Any], section: str, code: str) -> dict[str, Any]:
    return next(e for e in raw[section] if e["code"] == code)


# ---------------------------------------------------------------------------------------- packaged catalogue


def test_packaged_catalogue_loads_without_problems(pristine_raw: dict[str, Any]) -> None:
    assert validate(pristine_raw) == []


def test_packaged_catalogue_has_at_least_30_indicators(cat: Catalogue) -> None:
    assert len(cat.indicators) >= 30


@pytest.mark.parametrize("cluster", [1, 2, 3, 4, 5])
def test_every_cluster_has_indicators(cat: Catalogue, cluster: int) -> None:
    assert cat.indicators_in_cluster(cluster)


@pytest.mark.parametrize(("code", "service", "target_group"), SPM_TABLE)
def test_spm_indicator_matches_the_contract_table(cat: Catalogue, code: str, service: str, target_group: str) -> None:
    ind = cat.indicator(code)
    assert ind.spm is True
    assert ind.numerator.services == (service,)
    assert ind.numerator.count == "distinct_persons"
    assert ind.denominator.target_group == target_group
    assert ind.denominator.factor == 1
    assert ind.target_pct == 100
    assert ind.accumulation == "cumulative"
    assert "Permenkes 6/2024" in ind.source


def test_spm_indicators_are_exactly_spm01_to_spm12_in_order(cat: Catalogue) -> None:
    assert [i.code for i in cat.spm_indicators()] == [row[0] for row in SPM_TABLE]


def test_every_indicator_has_bahasa_labels_definitions_and_a_source(cat: Catalogue) -> None:
    missing = [
        f"{ind.code}: {what}"
        for ind in cat.indicators
        for what, text in (
            ("name.id", ind.name.id),
            ("short_name.id", ind.short_name.id),
            ("definition.id", ind.definition.id),
            ("definition.en", ind.definition.en),
            ("source", ind.source),
            ("target_source.id", ind.target_source.id),
        )
        if not text.strip()
    ]
    assert missing == []


def test_short_names_fit_chart_labels(cat: Catalogue) -> None:
    too_long = [i.code for i in cat.indicators for t in (i.short_name.id, i.short_name.en) if len(t) > 28]
    assert too_long == []


def test_contract_target_groups_and_services_are_all_present(cat: Catalogue) -> None:
    groups = {t.code for t in cat.target_groups}
    services = {s.code for s in cat.services}
    assert set(cat_mod.CONTRACT_TARGET_GROUPS) <= groups
    assert set(cat_mod.CONTRACT_SERVICES) | set(cat_mod.SHARED_EXTRA_SERVICES) <= services


def test_prevalence_denominators_are_flagged_so_coverage_is_never_capped(cat: Catalogue) -> None:
    flagged = {i.code for i in cat.indicators if i.prevalence_denominator}
    assert {"SPM08", "SPM09", "SPM10", "SPM11", "SPM12"} <= flagged


def test_unknown_indicator_lookup_names_the_code(cat: Catalogue) -> None:
    with pytest.raises(KeyError, match="indicator 'NOPE' is not in the catalogue"):
        cat.indicator("NOPE")


def test_unit_factor_follows_the_unit(cat: Catalogue) -> None:
    assert cat.indicator("SPM01").factor == 100
    assert cat.indicator("DBD_IR").factor == 100_000
    assert cat.indicator("ILP_KUNJUNGAN_RUMAH").factor == 1000


def test_default_catalogue_is_loaded_once() -> None:
    assert load_catalogue() is load_catalogue()


# ---------------------------------------------------------------------------------------- validation


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Mutation: set raw[section][code][k1][k2]... = value, with path 'section:CODE:k1.k2'."""
    section, code, keys = path.split(":")

    def mutate(raw: dict[str, Any]) -> None:
        target = entry(raw, section, code)
        *parents, last = keys.split(".")
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _duplicate_indicator(raw: dict[str, Any]) -> None:
    raw["indicators"].append(copy.deepcopy(entry(raw, "indicators", "IMUN_IDL")))


def _cycle(raw: dict[str, Any]) -> None:
    entry(raw, "indicators", "GIZI_UKUR_TB")["denominator"] = {"indicator": "GIZI_STUNTING"}
    entry(raw, "indicators", "GIZI_UKUR_TB")["accumulation"] = "ratio"


def _min_events_without_persons(raw: dict[str, Any]) -> None:
    entry(raw, "indicators", "KIA_K1")["numerator"]["min_events"] = 3


def _duplicate_service_synonym(raw: dict[str, Any]) -> None:
    entry(raw, "services", "KUNJUNGAN_ANC")["synonyms"].append("k-6")


def _override_unknown_indicator(raw: dict[str, Any]) -> None:
    raw["overrides"].append({"indicator": "IDL_TYPO", "year": 2025, "target_pct": 95})


VALIDATION_CASES = [
    pytest.param(
        _set("indicators:SPM03:denominator", {"target_group": "bayi_lahir"}),
        "indicator 'SPM03': denominator target_group 'bayi_lahir' is not a known target group",
        id="unknown-target-group",
    ),
    pytest.param(_duplicate_indicator, "indicator 'IMUN_IDL': code is a duplicate code", id="duplicate-code"),
    pytest.param(
        _set("indicators:IMUN_IDL:cluster", 7),
        "indicator 'IMUN_IDL': cluster 7 must be an integer from 1 to 5",
        id="bad-cluster",
    ),
    pytest.param(
        _set("indicators:PTM_IVA:name.id", ""),
        "indicator 'PTM_IVA': name has no Bahasa Indonesia (id) text",
        id="missing-bahasa-name",
    ),
    pytest.param(
        _cycle, "denominator forms a cycle: GIZI_STUNTING → GIZI_UKUR_TB → GIZI_STUNTING", id="denominator-cycle"
    ),
    pytest.param(
        _min_events_without_persons,
        "indicator 'KIA_K1': numerator min_events is only allowed with count persons_with_min_events",
        id="min-events-without-persons",
    ),
    pytest.param(
        _duplicate_service_synonym,
        "service 'KUNJUNGAN_ANC': synonyms 'k-6' (normalised 'k 6') also names service 'ANC_K6'",
        id="duplicate-synonym-across-services",
    ),
    pytest.param(
        _override_unknown_indicator,
        "override 3: indicator 'IDL_TYPO' is not a known indicator",
        id="override-unknown-indicator",
    ),
    pytest.param(
        _set("indicators:KIA_K4:numerator.min_events", 1),
        "indicator 'KIA_K4': numerator min_events 1 must be an integer ≥ 2",
        id="min-events-below-two",
    ),
    pytest.param(
        _set("indicators:SPM06:numerator.count", "people"),
        "indicator 'SPM06': numerator count 'people' must be one of",
        id="unknown-count",
    ),
    pytest.param(
        _set("indicators:DBD_IR:polarity", "down"),
        "indicator 'DBD_IR': polarity 'down' must be one of",
        id="unknown-polarity",
    ),
    pytest.param(
        _set("indicators:DBD_IR:target_pct", -1),
        "indicator 'DBD_IR': target_pct -1 must be a number ≥ 0",
        id="negative-target",
    ),
    pytest.param(
        _set("indicators:SPM01:denominator", {"target_group": "ibu_hamil", "indicator": "KIA_K1"}),
        "indicator 'SPM01': denominator needs exactly one of target_group, indicator or readiness_item",
        id="two-denominator-kinds",
    ),
    pytest.param(
        _set("indicators:SPM02:numerator.services", ["PERSALINAN_FASKES", "KF_LENGKAP"]),
        "indicator 'SPM02': numerator services must be ['PERSALINAN_FASKES'] (DATA_CONTRACT §5)",
        id="spm-numerator-differs-from-contract",
    ),
    pytest.param(
        _set("indicators:GIZI_STUNTING:numerator.result_in", ["pendek"]),
        "indicator 'GIZI_STUNTING': numerator result_in 'pendek' is not a result of service 'SKRINING_STUNTING'",
        id="undeclared-result",
    ),
    pytest.param(
        _set("indicators:SPM10:prevalence_denominator", False),
        "indicator 'SPM10': prevalence_denominator must be true",
        id="prevalence-flag-missing",
    ),
    pytest.param(
        _set("indicators:ILP_KADER_TERLATIH:denominator", {"readiness_item": "JUMLAH_DESA"}),
        "indicator 'ILP_KADER_TERLATIH': denominator readiness_item must be 'JUMLAH_KADER'",
        id="readiness-denominator-mismatch",
    ),
    pytest.param(
        _set("target_groups:wus:synonyms", ["bumil"]),
        "target group 'wus': synonyms 'bumil' (normalised 'bumil') also names target group 'ibu_hamil'",
        id="duplicate-synonym-across-target-groups",
    ),
    pytest.param(
        _set("indicators:SPM04:prevalance_denominator", True),
        "indicator 'SPM04': prevalance_denominator is not a known field",
        id="misspelt-field",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), VALIDATION_CASES)
def test_validation_names_the_bad_entry_and_the_reason(
    raw: dict[str, Any], mutate: Callable[..., None], expected: str
) -> None:
    mutate(raw)
    with pytest.raises(CatalogueError) as err:
        parse_catalogue(raw)
    assert expected in str(err.value), str(err.value)


def test_validation_reports_every_problem_in_one_error(raw: dict[str, Any]) -> None:
    entry(raw, "indicators", "GIZI_DS")["denominator"] = {"target_group": "balitaa", "factor": 12}
    entry(raw, "indicators", "IMUN_IDL")["cluster"] = 0
    entry(raw, "indicators", "PTM_SADANIS")["definition"]["id"] = " "
    with pytest.raises(CatalogueError) as err:
        parse_catalogue(raw)
    messages = [str(p) for p in err.value.problems]
    assert messages == [
        "indicator 'IMUN_IDL': cluster 0 must be an integer from 1 to 5",
        "indicator 'GIZI_DS': denominator target_group 'balitaa' is not a known target group",
        "indicator 'PTM_SADANIS': definition has no Bahasa Indonesia (id) text",
    ]
    assert all(m in str(err.value) for m in messages)


def test_missing_contract_service_is_refused(raw: dict[str, Any]) -> None:
    raw["services"] = [s for s in raw["services"] if s["code"] != "KUNJUNGAN_RUMAH"]
    problems = [str(p) for p in validate(raw)]
    assert "catalogue: services contract service 'KUNJUNGAN_RUMAH' is missing" in problems


def test_catalogue_error_is_a_value_error_listing_problems(raw: dict[str, Any]) -> None:
    raw["version"] = 2
    with pytest.raises(ValueError, match="1 problem"):
        parse_catalogue(raw)


# ---------------------------------------------------------------------------------------- targets and status


def _with_overrides(raw: dict[str, Any], overrides: list[dict[str, Any]]) -> Catalogue:
    raw["overrides"] = overrides
    return parse_catalogue(raw)


def test_district_year_override_beats_year_override_beats_default(raw: dict[str, Any]) -> None:
    cat = _with_overrides(
        raw,
        [
            {"indicator": "IMUN_IDL", "year": 2025, "regency": "73.09", "target_pct": 95},
            {"indicator": "IMUN_IDL", "year": 2025, "target_pct": 92},
        ],
    )
    assert cat.target_pct("IMUN_IDL", 2025, "73.09") == 95  # district + year
    assert cat.target_pct("IMUN_IDL", 2025, "73.22") == 92  # year
    assert cat.target_pct("IMUN_IDL", 2025) == 92  # year, no district asked
    assert cat.target_pct("IMUN_IDL", 2024, "73.09") == 90  # default


def test_override_regency_accepts_the_undotted_satusehat_form(cat: Catalogue) -> None:
    assert cat.target_pct("IMUN_IDL", 2025, "7309") == cat.target_pct("IMUN_IDL", 2025, "73.09") == 95


def test_packaged_year_override_applies_to_every_district(cat: Catalogue) -> None:
    assert cat.target_pct("ILP_KLASTER", 2024, "73.22") == 40
    assert cat.target_pct("ILP_KLASTER", 2025, "73.22") == 100


def test_cumulative_target_is_pro_rated_by_month_and_ratio_targets_are_not(cat: Catalogue) -> None:
    assert cat.target_to_date("SPM01", 2025, 9) == pytest.approx(75.0)
    assert cat.target_to_date("GIZI_STUNTING", 2025, 3) == 14


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (75.0, 75.0, "higher_is_better", "tercapai"),
        (60.0, 75.0, "higher_is_better", "mendekati"),  # ratio 0.80
        (59.0, 75.0, "higher_is_better", "di_bawah"),
        (None, 75.0, "higher_is_better", "tidak_ada_data"),
        (14.0, 14.0, "lower_is_better", "tercapai"),
        (17.0, 14.0, "lower_is_better", "mendekati"),  # 14/17 = 0.82
        (20.0, 14.0, "lower_is_better", "di_bawah"),
        (0.0, 14.0, "lower_is_better", "tercapai"),
    ],
)
def test_status_follows_the_achievement_ratio(
    cat: Catalogue, value: float | None, target: float, polarity: str, expected: str
) -> None:
    assert cat.status.classify(value, target, polarity) == expected


def test_indicator_tolerance_overrides_the_global_near_target_bound(cat: Catalogue) -> None:
    assert cat.status_of("TB_SUKSES", 80.0, 90.0) == "di_bawah"  # 0.89 < 0.94
    assert cat.status_of("IMUN_IDL", 80.0, 90.0) == "mendekati"  # 0.89 ≥ 0.80


def test_pws_reading_covers_the_four_classic_cells(cat: Catalogue) -> None:
    readings = {(a, r): cat.status.pws_reading(a, r).name.id for a in (True, False) for r in (True, False)}
    assert readings == {(True, True): "Baik", (True, False): "Kurang", (False, True): "Cukup", (False, False): "Jelek"}


# ---------------------------------------------------------------------------------------- synonyms


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("K6", "ANC_K6"),
        ("Kunjungan K6", "ANC_K6"),
        ("K-6", "ANC_K6"),
        ("skrining hipertensi", "SKRINING_USIA_PRODUKTIF"),
        ("Pelayanan Hipertensi", "YANKES_HIPERTENSI"),
        ("IVA", "SKRINING_KANKER_SERVIKS"),
        ("Sadanis", "SKRINING_KANKER_PAYUDARA"),
        ("IDL", "IMUNISASI_DASAR_LENGKAP"),
        ("D", "BALITA_DITIMBANG"),
        ("anc_k1", "ANC_K1"),
    ],
)
def test_service_synonyms_resolve_to_codes(cat: Catalogue, label: str, code: str) -> None:
    assert cat.service_synonyms()[normalise_label(label)] == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Bumil", "ibu_hamil"),
        ("BULIN", "ibu_bersalin"),
        ("bayi lahir hidup", "bayi_baru_lahir"),
        ("Usila", "lansia"),
        ("Penderita HT", "penderita_hipertensi"),
        ("Terduga TBC", "terduga_tb"),
        ("Usia Produktif 15-59", "usia_produktif"),
    ],
)
def test_target_group_synonyms_resolve_to_codes(cat: Catalogue, label: str, code: str) -> None:
    assert cat.resolve_target_group(label) == code


def test_readiness_item_synonyms_resolve_to_codes(cat: Catalogue) -> None:
    assert cat.resolve_readiness_item("Lokmin") == "LOKMIN_BULANAN"
    assert cat.readiness_item_synonyms()[normalise_label("Posyandu ILP")] == "POSYANDU_ILP"


def test_k4_names_the_aggregate_only_service_of_women_with_four_visits(cat: Catalogue) -> None:
    # K4 counts women, not visits: an aggregate-only service that feeds KIA_K4 from aggregate reports only.
    assert cat.resolve_service("K4") == cat.resolve_service("ANC K4") == "ANC_K4"
    assert next(s for s in cat.services if s.code == "ANC_K4").aggregate_only
    assert cat.indicator("KIA_K4").numerator.aggregate_services == ("ANC_K4",)
    assert "ANC_K4" not in cat.indicator("KIA_K4").numerator.services


def test_an_aggregate_only_service_cannot_be_a_numerator_service(raw: dict[str, Any]) -> None:
    entry(raw, "indicators", "KIA_K4")["numerator"]["services"].append("ANC_K4")
    assert any("aggregate_only" in str(p) for p in validate(raw))


def test_aggregate_services_must_be_aggregate_only(raw: dict[str, Any]) -> None:
    entry(raw, "indicators", "KIA_K4")["numerator"]["aggregate_services"] = ["ANC_K1"]
    assert any("must be an aggregate_only service" in str(p) for p in validate(raw))


def test_normalise_label_strips_case_accents_and_punctuation() -> None:
    assert normalise_label("  Pelayanan  Lánsia / Usila (60+) ") == "pelayanan lansia usila 60"


@pytest.mark.parametrize("label", ["K-6", "Tgl. Lahir", "Skrining  Hipertensi", "Pukesmas", "ODGJ (Berat)", None])
def test_catalogue_and_ingest_headers_normalise_labels_the_same_way(label: str | None) -> None:
    fields = pytest.importorskip("ilp_metrics.ingest.fields")
    assert normalise_label(label) == fields.normalise_label(label)


# ---------------------------------------------------------------------------------------- docs


def test_committed_indicator_docs_match_the_catalogue(cat: Catalogue) -> None:
    committed = (REPO / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == render_markdown(cat), (
        "docs/indicators.md is stale: run `.venv/bin/python -m ilp_metrics.catalogue > docs/indicators.md`"
    )
