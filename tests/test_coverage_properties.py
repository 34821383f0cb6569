"""Invariants of coverage on random data (hypothesis): whatever the records, the figures stay coherent.

Rows are written straight into the stored tables (the ingest has its own tests); the registry is the
two Maros puskesmas and five desa of conftest.
"""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_metrics.core.db import connect
from ilp_metrics.metrics.coverage import coverage_many

from .conftest import DINAS, MB, TK

DESA = {"73.09.04.2005": MB, "73.09.04.2006": MB, "73.09.04.1002": MB, "73.09.14.1004": TK, "73.09.14.1005": TK}
DESA_CODES = sorted(DESA)
THROUGH = 6

records = st.lists(
    st.tuples(
        st.integers(0, 7),  # person
        st.sampled_from(DESA_CODES),
        st.integers(1, THROUGH),  # month
        st.integers(1, 28),  # day
        st.sampled_from(["ANC_K6", "KUNJUNGAN_RUMAH", "KUNJUNGAN_ANC"]),
    ),
    max_size=40,
)
aggregates = st.lists(
    st.tuples(
        st.sampled_from(DESA_CODES),
        st.integers(1, THROUGH),
        st.sampled_from(["ANC_K6", "KUNJUNGAN_RUMAH"]),
        st.integers(0, 6),
    ),
    max_size=8,
)
targets = st.lists(st.integers(0, 30), min_size=len(DESA_CODES), max_size=len(DESA_CODES))


@pytest.fixture(scope="module")
def pcon(registry_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("props") / "ilp.duckdb"
    import shutil

    shutil.copy(registry_template, path)
    con = connect(path)
    yield con
    con.close()


def load(con: duckdb.DuckDBPyConnection, recs, aggs, sasaran) -> None:
    con.execute("DELETE FROM layanan; DELETE FROM capaian; DELETE FROM sasaran")
    if recs:
        con.executemany(
            "INSERT INTO layanan VALUES (1, ?, make_date(2024, ?, ?), ?, ?, ?, NULL, 30, 'P', ?, NULL)",
            [
                (i, m, d, DESA[desa], desa, f"k{person}", service)
                for i, (person, desa, m, d, service) in enumerate(recs)
            ],
        )
    if aggs:
        con.executemany(
            "INSERT INTO capaian VALUES (2, ?, make_date(2024, ?, 1), ?, ?, ?, ?)",
            [(i, m, DESA[desa], desa, service, n) for i, (desa, m, service, n) in enumerate(aggs)],
        )
    rows = [
        (2024, "desa", desa, group, n) for desa, n in zip(DESA_CODES, sasaran) for group in ("ibu_hamil", "penduduk")
    ]
    con.executemany("INSERT INTO sasaran VALUES (?, ?, ?, ?, ?, 3)", rows)


def figures(con, level):
    return coverage_many(
        con, ["SPM01", "ILP_KUNJUNGAN_RUMAH", "KIA_K4"], level=level, year=2024, through=THROUGH, principal=DINAS
    )


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(records, aggregates, targets)
def test_coverage_is_never_negative_and_cumulative_numerators_never_fall(pcon, recs, aggs, sasaran):
    load(pcon, recs, aggs, sasaran)
    for level in ("kabupaten", "puskesmas", "desa"):
        frame = figures(pcon, level)
        assert (frame["coverage"].dropna() >= 0).all()
        assert (frame["numerator_month"] >= 0).all()
        steps = frame.sort_values("month").groupby(["indicator", "unit_code"])["numerator"].diff().dropna()
        assert (steps >= 0).all()


@PROPERTY
@given(records, aggregates, targets)
def test_additive_figures_add_up_from_desa_to_puskesmas_to_kabupaten(pcon, recs, aggs, sasaran):
    load(pcon, recs, aggs, sasaran)
    by_level = {level: figures(pcon, level) for level in ("kabupaten", "puskesmas", "desa")}
    desa = by_level["desa"].assign(parent=lambda f: f["unit_code"].map(DESA))
    for column in ("numerator", "denominator"):
        visits = desa[desa["indicator"] == "ILP_KUNJUNGAN_RUMAH"].groupby(["parent", "month"])[column].sum()
        pusk = (
            by_level["puskesmas"].query("indicator == 'ILP_KUNJUNGAN_RUMAH'").set_index(["unit_code", "month"])[column]
        )
        assert visits.to_dict() == pytest.approx(pusk.rename_axis(["parent", "month"]).to_dict())
        kab = by_level["kabupaten"].query("indicator == 'ILP_KUNJUNGAN_RUMAH'").set_index("month")[column]
        assert pusk.groupby(level="month").sum().to_dict() == pytest.approx(kab.to_dict())


@PROPERTY
@given(records, aggregates, targets)
def test_distinct_persons_are_never_more_at_a_higher_level_than_the_sum_below(pcon, recs, aggs, sasaran):
    load(pcon, recs, aggs, sasaran)
    desa = figures(pcon, "desa").assign(parent=lambda f: f["unit_code"].map(DESA))
    pusk = figures(pcon, "puskesmas")
    kab = figures(pcon, "kabupaten")
    below = desa[desa["indicator"] == "SPM01"].groupby(["parent", "month"])["numerator"].sum()
    here = pusk[pusk["indicator"] == "SPM01"].set_index(["unit_code", "month"])["numerator"]
    assert (here.values <= below.reindex(here.index.rename(["parent", "month"])).values).all()
    k = kab[kab["indicator"] == "SPM01"].set_index("month")["numerator"]
    assert (k <= here.groupby(level="month").sum()).all()
    assert (k >= here.groupby(level="month").max()).all()


@PROPERTY
@given(records, aggregates, targets)
def test_persons_with_n_visits_at_a_higher_level_include_those_of_every_unit_below(pcon, recs, aggs, sasaran):
    # Visits add up across desa: a woman with two visits in each of two desa has four at the
    # puskesmas. So a higher level counts at least as many as any unit below it (and may count more
    # than their sum).
    load(pcon, recs, aggs, sasaran)
    desa = figures(pcon, "desa").assign(parent=lambda f: f["unit_code"].map(DESA))
    pusk = figures(pcon, "puskesmas")
    kab = figures(pcon, "kabupaten")
    peak = desa[desa["indicator"] == "KIA_K4"].groupby(["parent", "month"])["numerator"].max()
    here = pusk[pusk["indicator"] == "KIA_K4"].set_index(["unit_code", "month"])["numerator"]
    assert (here.values >= peak.reindex(here.index.rename(["parent", "month"])).values).all()
    k = kab[kab["indicator"] == "KIA_K4"].set_index("month")["numerator"]
    assert (k >= here.groupby(level="month").max()).all()
