"""Value parsers (DuckDB macros): each quirk of real extracts, and round-trip properties."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_metrics.ingest.fields import normalise_label
from ilp_metrics.ingest.values import install_macros


@pytest.fixture(scope="module")
def sql():
    con = duckdb.connect()
    install_macros(con)

    def run(expr: str, value):
        return con.execute(f"SELECT {expr}(ilp_clean($v))", {"v": value}).fetchone()[0]

    yield run
    con.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2024", date(2024, 3, 5)),
        ("5-3-2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("2024-03-05 00:00:00", date(2024, 3, 5)),
        ("45356", date(2024, 3, 5)),
        ("31/02/2024", None),
        ("05/03/24", None),
        ("besok", None),
        (" ", None),
    ],
)
def test_dates_are_day_first_and_excel_serials_count_from_1899_12_30(sql, text, expected):
    assert sql("ilp_date", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 1234),
        ("1.234", 1234),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("12,0", 12),
        ("12.0", 12),
        ("-3", -3),
        ("12,5", None),
        ("dua", None),
    ],
)
def test_integers_accept_indonesian_thousand_dots(sql, text, expected):
    assert sql("ilp_int", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("-4,95", -4.95), ("119.57", 119.57), ("1.234,5", 1234.5), ("1,234.5", 1234.5)]
)
def test_decimals_accept_decimal_commas(sql, text, expected):
    assert sql("ilp_decimal", text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7309042005", "73.09.04.2005"),
        ("73.09.04.2005", "73.09.04.2005"),
        ("730904", "73.09.04"),
        ("7309", "73.09"),
        ("73-09", None),
        ("7309042005.0", "73.09.04.2005"),
    ],
)
def test_region_codes_are_stored_in_kemendagri_dotted_form(sql, text, expected):
    assert sql("ilp_region", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03", date(2024, 3, 1)),
        ("03/2024", date(2024, 3, 1)),
        ("Maret 2024", date(2024, 3, 1)),
        ("Agustus-2024", date(2024, 8, 1)),
        ("Des 2024", date(2024, 12, 1)),
        ("2024-03-17", date(2024, 3, 1)),
        ("2024-13", None),
        ("Bulan 2024", None),
    ],
)
def test_periods_are_months(sql, text, expected):
    assert sql("ilp_period", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("L", "L"), ("Laki-laki", "L"), ("PEREMPUAN", "P"), ("wanita", "P"), ("x", None)]
)
def test_sex_is_l_or_p(sql, text, expected):
    assert sql("ilp_sex", text) == expected


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=200, deadline=None)
def test_any_count_written_the_indonesian_way_reads_back(n):
    con = _shared()
    indonesian = f"{n:,}".replace(",", ".")
    assert con.execute("SELECT ilp_int($v)", {"v": indonesian}).fetchone()[0] == n
    assert con.execute("SELECT ilp_int($v)", {"v": str(n)}).fetchone()[0] == n


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_any_date_in_the_accepted_formats_reads_back(d):
    con = _shared()
    for text in (d.strftime("%d/%m/%Y"), d.strftime("%d-%m-%Y"), d.isoformat(), str((d - date(1899, 12, 30)).days)):
        if text.isdigit() and len(text) != 5:
            continue  # serial numbers are read only in the 5-digit range (1927–2173)
        assert con.execute("SELECT ilp_date($v)", {"v": text}).fetchone()[0] == d


@given(st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\x00"), max_size=30))
@settings(max_examples=300, deadline=None)
def test_sql_label_normalisation_matches_python(text):
    con = _shared()
    got = con.execute("SELECT coalesce(ilp_label($v), '')", {"v": text}).fetchone()[0]
    assert got == normalise_label(text)


_CON: list[duckdb.DuckDBPyConnection] = []


def _shared() -> duckdb.DuckDBPyConnection:
    if not _CON:
        con = duckdb.connect()
        install_macros(con)
        _CON.append(con)
    return _CON[0]


CLEAN_CASES = [
    None,
    "",
    " ",
    "\u00a0",
    "\ufeff",
    "  7309042005 ",
    "\u00a07309\u00a0042005\u00a0",
    "\ufeffANC_K1",
    "\u3000Maros\u3000",
    "\u2003x",
    "x\u202f",
    "\tL\t",
    "é",
    "Bantimurung é",
    "e\u0301",
    "~!",
    "a b",
    "\u1680",
]


def test_ilp_clean_gives_the_reference_cleaning_of_every_cell() -> None:
    from ilp_metrics.ingest.values import CLEAN_REFERENCE

    con = duckdb.connect()
    install_macros(con)
    con.execute(f"CREATE TEMP MACRO clean_reference(s) AS {CLEAN_REFERENCE}")
    for value in CLEAN_CASES:
        got, want = con.execute("SELECT ilp_clean($v), clean_reference($v)", {"v": value}).fetchone()
        assert got == want, repr(value)
    con.close()
