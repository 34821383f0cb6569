"""Property-based fuzzing of the readers and parsers: whatever bytes arrive, the answer is a staged
table or a FileProblem with a Bahasa Indonesia message — never another exception, never a crash."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.fields import normalise_label
from ilp_metrics.ingest.mapping import ProfileError, safe_profile_name
from ilp_metrics.ingest.readers import drop_staging, read_table
from ilp_metrics.ingest.values import install_macros

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = "tanggal pelayanan;kode puskesmas;kode desa;nik;tanggal lahir;jenis kelamin;kode layanan\n"


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    install_macros(con)
    yield con
    con.close()


def read_or_refuse(con, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            raw = read_table(con, path, set(), max_ratio=200, max_rows=100_000)
        except FileProblem as problem:
            text = problem.message("id")
            assert text and not text.startswith("ingest.")
            return
        assert raw.rows >= 0 and len(raw.headers) == len(raw.columns)
        drop_staging(con, raw)


@FUZZ
@given(st.binary(max_size=4096))
def test_any_bytes_named_csv_are_read_or_refused(duck, data):
    read_or_refuse(duck, data, ".csv")


@FUZZ
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]),
)
def test_text_after_a_real_header_in_any_encoding_is_read_or_refused(duck, body, encoding):
    data = (HEADER + body).encode(encoding, errors="replace")
    read_or_refuse(duck, data, ".csv")


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes_named_xlsx_are_read_or_refused(duck, data):
    read_or_refuse(duck, data, ".xlsx")


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
                "[Content_Types].xml",
                "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml",
            ]
        ),
        st.binary(max_size=512),
        min_size=1,
    )
)
def test_zip_packages_with_junk_parts_are_read_or_refused(duck, parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    read_or_refuse(duck, buf.getvalue(), ".xlsx")


@pytest.mark.slow
@FUZZ
@given(st.text(max_size=40))
def test_value_parsers_return_a_value_or_null_for_any_text(duck, text):
    for macro in ("ilp_date", "ilp_int", "ilp_decimal", "ilp_number", "ilp_region", "ilp_period", "ilp_sex"):
        duck.execute(f"SELECT {macro}(ilp_clean($v))", {"v": text}).fetchone()


@FUZZ
@given(st.text(max_size=60))
def test_profile_names_never_leave_the_profile_folder(name):
    try:
        safe = safe_profile_name(name)
    except ProfileError:
        return
    folder = Path("/srv/profiles")
    assert (folder / (safe.replace(" ", "_") + ".yaml")).resolve().parent == folder


@FUZZ
@given(st.text(max_size=60))
def test_header_labels_normalise_without_error(text):
    assert isinstance(normalise_label(text), str)
