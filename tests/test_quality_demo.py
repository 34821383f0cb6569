"""The demo's planted data-quality defects (ilp_metrics.demo.DEFECTS) are all found at high severity,
and nothing else is: the session's small demo (tests/fixtures/small_demo.py: the five centres that carry a
defect and Maros Baru, built through the real ingest path). (The full demo database is checked the same way by hand; see docs/quality.md.)"""

from __future__ import annotations

import pandas as pd
import pytest

from ilp_metrics import quality
from ilp_metrics.core.db import connect
from ilp_metrics.demo import DEFECTS

from .conftest import DINAS
from .fixtures.small_demo import SmallDemo

pytestmark = pytest.mark.slow  # the small demo is built (about a minute) and every year checked

CENTRES = sorted({d["puskesmas_code"] for d in DEFECTS})


@pytest.fixture(scope="module")
def high(small_demo: SmallDemo) -> pd.DataFrame:
    """High findings of every year about the centres with a planted defect (the other registered centres
    but Maros Baru have no service data in the small demo, so their months are missing by construction)
    or about no centre."""
    con = connect(small_demo.path, read_only=True)
    try:
        frames = [quality.findings(con, year, principal=DINAS) for year in (2022, 2023, 2024, 2025)]
    finally:
        con.close()
    found = pd.concat(frames, ignore_index=True)
    mine = found[found["puskesmas"].isin(CENTRES) | found["puskesmas"].isna()]
    return mine[mine["severity"] == "high"].reset_index(drop=True)


def _planted(kind: str) -> dict:
    return next(d for d in DEFECTS if d["kind"] == kind)


def test_late_monthly_files_of_rampi(high):
    d = _planted("late")
    late = high[high["check"] == "TIME_LATE_UPLOAD"]
    # One file per month from the ILP start (2025-06) to December, each 25–45 days late.
    assert sorted(late["period"]) == [f"2025-{m:02d}" for m in range(6, 13)]
    assert set(late["puskesmas"]) == {d["puskesmas_code"]} and (late["value"] > 14).all()


def test_missing_month_of_seko(high):
    d = _planted("missing_month")
    missing = high[high["check"] == "COMP_PUSKESMAS_MONTH"]
    assert missing[["puskesmas", "period"]].values.tolist() == [[d["puskesmas_code"], d["period"]]]


def test_duplicate_rows_of_lau(high):
    d = _planted("duplicate")
    dup = high[high["check"] == "DUP_RECORD"]
    assert dup[["puskesmas", "period", "value"]].values.tolist() == [[d["puskesmas_code"], d["period"], 30.0]]


def test_dengue_typing_error_of_sukamaju(high):
    d = _planted("outlier")
    out = high[high["check"] == "OUT_MONTHLY_VALUE"]
    assert out[["puskesmas", "period", "indicator"]].values.tolist() == [
        [d["puskesmas_code"], d["period"], d["service"]]
    ]


def test_aggregate_and_records_overlap_at_masamba(high):
    d = _planted("overlap")
    both = high[high["check"] == "DUP_SOURCE_OVERLAP"]
    assert both[["puskesmas", "period"]].values.tolist() == [[d["puskesmas_code"], d["period"]]]


def test_nothing_else_is_high(high):
    expected = {
        "TIME_LATE_UPLOAD": 7,
        "COMP_PUSKESMAS_MONTH": 1,
        "DUP_RECORD": 1,
        "OUT_MONTHLY_VALUE": 1,
        "DUP_SOURCE_OVERLAP": 1,
    }
    assert high.groupby("check").size().to_dict() == expected, high["message"].tolist()
