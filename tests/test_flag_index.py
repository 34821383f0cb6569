"""The flag index answers as quality.flags_for does, without scanning the frame per figure."""

import pandas as pd

from ilp_metrics import quality
from ilp_metrics.quality import FLAG_COLUMNS, FlagIndex

FLAGS = pd.DataFrame(
    [
        ("puskesmas", "P1", "SPM01", "2025-03", "medium", "OUT_MONTH", "Lonjakan Maret"),
        ("puskesmas", "P1", None, None, "high", "COMP_PUSKESMAS_MONTH", "Bulan Mei kosong"),
        ("puskesmas", "P1", "SPM02", None, "high", "DUP_KEY", "Rekaman ganda"),
        ("puskesmas", "P1", "SPM01", None, "high", "DUP_KEY", "Rekaman ganda"),
        ("desa", "P1", "SPM01", None, "high", "REG_DESA", "Desa tak dikenal"),
        ("kabupaten", "73.09", "SPM01", None, "low", "DEN_SASARAN", "Sasaran berubah"),
    ],
    columns=FLAG_COLUMNS,
)


def test_reasons_are_those_of_flags_for_most_severe_first_and_distinct():
    index = FlagIndex(FLAGS)
    for level, unit, indicator in [
        ("puskesmas", "P1", "SPM01"),
        ("puskesmas", "P1", "SPM02"),
        ("puskesmas", "P1", None),
        ("kabupaten", "73.09", "SPM01"),
        ("desa", "P1", "SPM02"),
    ]:
        expected = list(dict.fromkeys(quality.flags_for(FLAGS, level, unit, indicator)["reason"]))
        assert index.reasons(level, unit, indicator) == expected


def test_a_flag_without_indicator_marks_every_indicator_of_its_unit():
    assert FlagIndex(FLAGS).reasons("puskesmas", "P1", "SPM07") == ["Bulan Mei kosong"]


def test_a_flag_marks_only_its_own_level_and_unit():
    index = FlagIndex(FLAGS)
    assert index.reasons("puskesmas", "P2", "SPM01") == []
    assert index.reasons("kabupaten", "73.09", "SPM02") == []


def test_checks_are_named_once_in_severity_order():
    assert FlagIndex(FLAGS).checks("puskesmas", "P1", "SPM01") == ["COMP_PUSKESMAS_MONTH", "DUP_KEY", "OUT_MONTH"]


def test_an_empty_flag_table_marks_nothing():
    assert FlagIndex(pd.DataFrame(columns=FLAG_COLUMNS)).reasons("puskesmas", "P1") == []
    assert FlagIndex(None).checks("puskesmas", "P1") == []
