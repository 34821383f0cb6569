"""Comparisons worked out by hand: event-time alignment, calendar view, before/after, DiD, funnel.

The fixture (2023, SPM01 over the ibu_hamil sasaran; pilot X and Y, adopter Z, their months since the ILP
start) is drawn in tests/fixtures/compare_fixture.py, beside its tables.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from ilp_metrics.metrics import compare
from ilp_metrics.metrics.compare import GroupError, NotComparable

from .conftest import DINAS
from .fixtures.compare_fixture import GROUPS, X, Y, Z


def aligned_row(frame: pd.DataFrame, group: str, k: int) -> tuple:
    hit = frame[(frame["group"] == group) & (frame["months_since_start"] == k)]
    assert len(hit) == 1, f"expected one row for {group} at month {k}, got {len(hit)}"
    r = hit.iloc[0]
    return (
        int(r["units"]),
        round(float(r["median_coverage_pct"]), 6),
        round(float(r["p25"]), 6),
        round(float(r["p75"]), 6),
    )


# ------------------------------------------------------------------ groups


def test_a_regency_code_resolves_to_all_its_puskesmas_with_or_without_the_dot(ccon):
    assert compare.resolve_group(ccon, "73.09", principal=DINAS) == [X, Y]
    assert compare.resolve_group(ccon, "7322", principal=DINAS) == [Z]


def test_a_cohort_name_resolves_to_its_puskesmas_whatever_the_case(ccon):
    assert compare.resolve_group(ccon, "pilot", principal=DINAS) == [X, Y]
    assert compare.resolve_group(ccon, "Adopter", principal=DINAS) == [Z]


def test_a_comma_separated_list_keeps_its_order_and_drops_repeats(ccon):
    assert compare.resolve_group(ccon, f"{Z}, {X},{Z}", principal=DINAS) == [Z, X]


def test_unknown_puskesmas_codes_are_refused_by_name(ccon):
    with pytest.raises(GroupError) as err:
        compare.resolve_group(ccon, f"{X},P0000000000", principal=DINAS)
    assert err.value.code == "compare.group_unknown"
    assert "P0000000000" in err.value.values["codes"]


@pytest.mark.parametrize("spec", ["", "  ", "73.01", "nobody"])
def test_a_group_without_puskesmas_is_refused(ccon, spec):
    with pytest.raises(GroupError):
        compare.resolve_group(ccon, spec, principal=DINAS)


# ------------------------------------------------------------------ monthly coverage


def test_monthly_coverage_is_the_months_new_persons_over_one_twelfth_of_the_sasaran(ccon):
    m = compare.monthly_coverage(ccon, ["SPM01"], [X, Y, Z], principal=DINAS)
    x = m[m["unit_code"] == X]
    # July is absent (X sent nothing at all), not 0; September (a home visit, no K6) is a true 0.
    assert x["month"].tolist() == [1, 2, 3, 4, 5, 6, 8, 9]
    assert x["monthly_coverage_pct"].round(6).tolist() == [10, 20, 30, 40, 50, 50, 60, 0]
    assert x["months_since_start"].tolist() == [-2, -1, 0, 1, 2, 3, 5, 6]


def test_aggregate_months_before_the_start_and_records_after_make_one_series(ccon):
    m = compare.monthly_coverage(ccon, ["SPM01"], [Z], principal=DINAS)
    assert m["monthly_coverage_pct"].round(6).tolist() == [30, 30, 30, 30, 30, 40, 40, 40]
    assert m["months_since_start"].tolist() == [-4, -3, -2, -1, 0, 1, 2, 3]


def test_monthly_coverage_is_the_same_from_one_province_statement_as_from_one_per_kabupaten(ccon, monkeypatch):
    inds = [compare.load_catalogue().indicator("SPM01")]
    per_kabupaten = compare.monthly_coverage(ccon, ["SPM01"], [X, Y, Z], principal=DINAS)
    monkeypatch.setattr(compare, "PROVINCE_STATEMENT_FROM", 1)
    assert compare._statement_regencies(ccon, inds, ["73.09", "73.22"]) == [None]  # the tallies hold here
    province = compare.monthly_coverage(ccon, ["SPM01"], [X, Y, Z], principal=DINAS)
    pd.testing.assert_frame_equal(province, per_kabupaten, check_exact=True)


def test_indicators_without_a_monthly_coverage_are_refused(ccon):
    with pytest.raises(NotComparable):
        compare.monthly_coverage(ccon, ["ILP_KLASTER"], [X], principal=DINAS)


# ------------------------------------------------------------------ aligned series


def test_aligned_series_counts_units_and_takes_median_and_quartiles_per_month_since_start(ccon):
    al = compare.aligned_series(ccon, "SPM01", GROUPS, principal=DINAS)
    assert list(al.columns[:7]) == [
        "group",
        "indicator",
        "months_since_start",
        "units",
        "median_coverage_pct",
        "p25",
        "p75",
    ]
    # pilot: k −5..−3 only Y (20); k −2: X 10, Y 30 -> median 20, quartiles 15 and 25 (linear);
    # k −1: X 20, Y 30; k 0: X 30, Y 40; k 1: X 40, Y 50; k 2: X 50, Y 60; k 3: X 50;
    # k 4: X had no data in July -> no row; k 5: X 60.
    assert aligned_row(al, "pilot", -5) == (1, 20, 20, 20)
    assert aligned_row(al, "pilot", -2) == (2, 20, 15, 25)
    assert aligned_row(al, "pilot", -1) == (2, 25, 22.5, 27.5)
    assert aligned_row(al, "pilot", 0) == (2, 35, 32.5, 37.5)
    assert aligned_row(al, "pilot", 1) == (2, 45, 42.5, 47.5)
    assert aligned_row(al, "pilot", 2) == (2, 55, 52.5, 57.5)
    assert aligned_row(al, "pilot", 3) == (1, 50, 50, 50)
    assert 4 not in al[al["group"] == "pilot"]["months_since_start"].tolist()
    assert aligned_row(al, "pilot", 5) == (1, 60, 60, 60)
    assert aligned_row(al, "pilot", 6) == (1, 0, 0, 0)  # X's September
    # adopter: Z alone, 30 through k 0, then 40.
    assert aligned_row(al, "adopter", -4) == (1, 30, 30, 30)
    assert aligned_row(al, "adopter", 1) == (1, 40, 40, 40)
    assert al[al["group"] == "adopter"]["months_since_start"].tolist() == [-4, -3, -2, -1, 0, 1, 2, 3]


def test_the_median_of_three_units_is_the_middle_one(ccon):
    al = compare.aligned_series(ccon, "SPM01", {"all": [X, Y, Z]}, principal=DINAS)
    # k 0: X 30 (Mar), Y 40 (Jun), Z 30 (May) -> sorted 30 30 40: median 30, p25 30, p75 35.
    assert aligned_row(al, "all", 0) == (3, 30, 30, 35)
    # k −1: X 20, Y 30, Z 30 -> median 30, p25 25, p75 30.
    assert aligned_row(al, "all", -1) == (3, 30, 25, 30)


def test_calendar_series_groups_by_month_and_counts_units_started(ccon):
    cal = compare.calendar_series(ccon, "SPM01", GROUPS, principal=DINAS)
    pilot = cal[cal["group"] == "pilot"].set_index("period")
    # July: X missing, Y 50 (started in June) -> 1 unit, 1 started.
    assert (pilot.loc["2023-07", "units"], pilot.loc["2023-07", "units_started"]) == (1, 1)
    assert pilot.loc["2023-07", "median_coverage_pct"] == pytest.approx(50)
    # April: X 40 (started), Y 30 (not yet) -> median 35, 1 of 2 started.
    assert (pilot.loc["2023-04", "units"], pilot.loc["2023-04", "units_started"]) == (2, 1)
    assert pilot.loc["2023-04", "median_coverage_pct"] == pytest.approx(35)


# ------------------------------------------------------------------ before / after and DiD


def test_before_after_means_leave_out_the_start_month(ccon):
    ba = compare.before_after(ccon, "SPM01", GROUPS, months=2, min_months=2, principal=DINAS).set_index("unit_code")
    # X: before k −2, −1 = 10, 20 -> 15; after k 1, 2 = 40, 50 -> 45; change 30.
    # Y: before 30, 30 -> 30; after 50, 60 -> 55; change 25.
    # Z: before 30, 30 -> 30; after 40, 40 -> 40; change 10.
    assert ba.loc[X, ["before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx([15, 45, 30])
    assert ba.loc[Y, ["before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx([30, 55, 25])
    assert ba.loc[Z, ["before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx([30, 40, 10])
    assert ba["included"].all()


def test_before_after_counts_only_months_with_data(ccon):
    ba = compare.before_after(ccon, "SPM01", GROUPS, months=4, min_months=4, principal=DINAS).set_index("unit_code")
    # X: before k −4..−1 has only Jan and Feb (2023 starts in January); after k 1..4 = 40, 50, 50, – .
    assert (ba.loc[X, "months_before"], ba.loc[X, "months_after"]) == (2, 3)
    assert ba.loc[X, "after_mean_pct"] == pytest.approx((40 + 50 + 50) / 3)
    assert not ba.loc[X, "included"]  # fewer than 4 months on a side
    # Z: k −4..−1 = 30 × 4; after k 1..3 = 40 × 3 (August is the last month).
    assert (ba.loc[Z, "months_before"], ba.loc[Z, "months_after"]) == (4, 3)


def test_difference_in_differences_is_the_pilot_change_minus_the_adopter_change(ccon):
    ba = compare.before_after(ccon, "SPM01", GROUPS, months=2, min_months=2, principal=DINAS)
    did = compare.difference_in_differences(ba, "pilot", "adopter").set_index("row")
    # pilot: before (15 + 30) / 2 = 22.5, after (45 + 55) / 2 = 50, change 27.5 (2 units);
    # adopter: 30, 40, 10; difference row: −7.5, 10, and DiD = 27.5 − 10 = 17.5.
    assert did.loc["pilot", ["units", "before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx(
        [2, 22.5, 50, 27.5]
    )
    assert did.loc["adopter", ["units", "before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx(
        [1, 30, 40, 10]
    )
    assert did.loc["difference", ["before_mean_pct", "after_mean_pct", "change_pct"]].tolist() == pytest.approx(
        [-7.5, 10, 17.5]
    )


def test_units_not_included_stay_out_of_the_difference_in_differences(ccon):
    ba = compare.before_after(ccon, "SPM01", GROUPS, months=4, min_months=4, principal=DINAS)
    did = compare.difference_in_differences(ba, "pilot", "adopter").set_index("row")
    # X (2 months before) and Z (3 months after) are out; Y has k −4..−1 = 20 20 30 30 and only
    # k 1, 2 after -> out as well: no unit left in either group.
    assert did.loc["pilot", "units"] == 0 and did.loc["adopter", "units"] == 0
    assert math.isnan(did.loc["difference", "change_pct"])


# ------------------------------------------------------------------ funnel


def test_funnel_limits_are_the_binomial_quantiles_over_n():
    # District rate 450 / 720 = 0.625; four puskesmas of very different size.
    num = pd.Series([90, 50, 300, 10], dtype=float)
    den = pd.Series([100, 100, 500, 20], dtype=float)
    rate = 450 / 720
    bands = compare.funnel_bands(num, den, rate)
    for i, n in enumerate([100, 100, 500, 20]):
        # Independently: the 0.1 %, 2.5 %, 97.5 % and 99.9 % quantiles of Binomial(n, 0.625), over n.
        assert bands.loc[i, "lower998"] == binom.ppf(0.001, n, rate) / n
        assert bands.loc[i, "lower95"] == binom.ppf(0.025, n, rate) / n
        assert bands.loc[i, "upper95"] == binom.ppf(0.975, n, rate) / n
        assert bands.loc[i, "upper998"] == binom.ppf(0.999, n, rate) / n
    # For n = 100 the 99.9 % quantile is 77 (P(X ≤ 76) < 0.999 ≤ P(X ≤ 77)): 90 % is far above;
    # the 2.5 % quantile is 53 and the 0.1 % quantile 47: 50 % is below 95 % but inside 99.8 %.
    assert binom.ppf(0.999, 100, rate) == 77 and binom.ppf(0.025, 100, rate) == 53
    assert binom.ppf(0.001, 100, rate) == 47
    assert bands["band"].tolist() == ["above_998", "below_95", "within", "within"]


def test_small_units_get_wider_limits():
    limits = compare.funnel_limits(0.6, [20, 200, 2000])
    widths = (limits["upper95"] - limits["lower95"]).tolist()
    assert widths[0] > widths[1] > widths[2]


def test_funnel_reads_coverage_to_date_and_pools_the_district_rate(ccon):
    fun = compare.funnel(ccon, "SPM01", 2023, through=8, regency="73.09", principal=DINAS).set_index("unit_code")
    # Jan–Aug: X 1+2+3+4+5+5+6 = 26 of 120; Y 2+2+2+3+3+4+5+6 = 27 of 120; rate 53 / 240.
    assert fun.loc[X, "numerator"] == 26 and fun.loc[Y, "numerator"] == 27
    assert fun.loc[X, "coverage_pct"] == pytest.approx(26 / 120 * 100)
    assert fun.loc[X, "district_rate_pct"] == pytest.approx(53 / 240 * 100)
    assert fun.loc[X, "upper95_pct"] == pytest.approx(binom.ppf(0.975, 120, 53 / 240) / 120 * 100)
    assert fun["band"].tolist() == ["within", "within"] and not fun["outside"].any()


def test_a_funnel_for_a_rate_per_1000_is_refused(ccon):
    with pytest.raises(NotComparable):
        compare.funnel(ccon, "ILP_KUNJUNGAN_RUMAH", 2023, through=8, principal=DINAS)


def test_the_funnel_curve_spans_the_denominators_in_percent():
    curve = compare.funnel_curve(0.5, 50, 400)
    assert curve["n"].min() == 40 and curve["n"].max() == 440
    assert curve["n"].is_monotonic_increasing
    last = curve.iloc[-1]
    assert last["upper998"] == pytest.approx(binom.ppf(0.999, 440, 0.5) / 440 * 100)
    assert np.all(curve["lower998"] <= curve["lower95"])


# ------------------------------------------------------------------ map data


def test_map_points_carry_registry_coordinates_status_and_target_population(ccon):
    from ilp_metrics.metrics import geo

    pts = geo.map_points(ccon, "SPM01", year=2023, through=8, regency="73.09", principal=DINAS).set_index("unit_code")
    assert (pts.loc[X, "latitude"], pts.loc[X, "longitude"]) == (-4.988, 119.556)
    # 26 of 120 = 21.7 % against a target to date of 100 × 8 / 12 = 66.7 %: below target.
    assert pts.loc[X, "denominator"] == 120 and pts.loc[X, "coverage"] == pytest.approx(26 / 120 * 100)
    assert pts.loc[X, "status"] == "di_bawah"
    assert sorted(pts.index) == [X, Y]


def test_kecamatan_values_pool_their_desa(ccon):
    from ilp_metrics.metrics import geo

    kec = geo.area_values(ccon, "SPM01", level="kecamatan", year=2023, through=8, principal=DINAS).set_index("code")
    # One desa per kecamatan here: 73.09.04 = X's 26 / 120; 73.22.03 = Z's 3×5 + 4×3 = 27 / 120.
    assert kec.loc["73.09.04", ["numerator", "denominator"]].tolist() == [26, 120]
    assert kec.loc["73.22.03", "coverage"] == pytest.approx(27 / 120 * 100)


# ------------------------------------------------------------------ command line


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    from ilp_metrics.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_compare_prints_the_aligned_series_as_csv(compare_db, capsys):
    code, out, _ = run_cli(
        capsys, "compare", "--db", str(compare_db), "--indicator", "spm01", "--group-a", "pilot", "--group-b", "73.22"
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("group,months_since_start,units,median_coverage_pct,p25,p75")
    # The pilot's month −2 (X 10 %, Y 30 %) and the adopter's month 1 (Z 40 %), as in the library test.
    assert "perintis,-2,2,20,15,25,20,SPM01" in lines  # the cohort named in words, as on the page
    assert "73.22,1,1,40,40,40,40,SPM01" in lines  # a kabupaten code stays as given


def test_cli_compare_json_and_the_did_view(compare_db, capsys):
    import json

    code, out, _ = run_cli(
        capsys,
        "compare",
        "--db",
        str(compare_db),
        "--indicator",
        "SPM01",
        "--group-a",
        f"{X},{Y}",
        "--group-b",
        Z,
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert {
        "group": f"{X},{Y}",
        "months_since_start": 0,
        "units": 2,
        "median_coverage_pct": 35,
        "p25": 32.5,
        "p75": 37.5,
        "mean_coverage_pct": 35,
        "indicator": "SPM01",
    } in rows
    code, out, _ = run_cli(
        capsys,
        "compare",
        "--db",
        str(compare_db),
        "--indicator",
        "SPM01",
        "--group-a",
        "pilot",
        "--group-b",
        "adopter",
        "--view",
        "did",
        "--format",
        "json",
    )
    # Default windows (12 months, at least 6 each side): no unit of this short fixture qualifies.
    assert code == 0 and [r["row"] for r in json.loads(out)] == ["perintis", "pengadopsi baru", "selisih"]


def test_cli_compare_names_the_cohorts_in_the_language_asked_never_by_their_codes(compare_db, capsys):
    import json

    argv = ["compare", "--db", str(compare_db), "--indicator", "SPM01", "--group-a", "pilot", "--group-b", "adopter"]
    code, out, _ = run_cli(capsys, *argv, "--view", "before-after", "--lang", "en")
    groups = {line.split(",")[0] for line in out.strip().splitlines()[1:]}
    assert code == 0 and groups == {"pilot", "new adopter"}  # en: `pilot` is the word too; `adopter` is not
    code, out, _ = run_cli(capsys, *argv, "--group-b", "pilot", "--format", "json")
    assert code == 0 and {r["group"] for r in json.loads(out)} == {"perintis", "perintis (B)"}


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--indicator", "NOPE", "--group-a", "pilot", "--group-b", "adopter"], "indikator tidak dikenal"),
        (["--indicator", "ILP_KLASTER", "--group-a", "pilot", "--group-b", "adopter"], "capaian bulanan"),
        (["--indicator", "SPM01", "--group-a", "73.01", "--group-b", "adopter"], "--group-a"),
        (["--indicator", "SPM01", "--group-a", "pilot", "--group-b", f"{Z},P0000000000"], "P0000000000"),
    ],
)
def test_cli_compare_bad_usage_exits_2_with_the_reason(compare_db, capsys, argv, says):
    code, out, err = run_cli(capsys, "compare", "--db", str(compare_db), *argv)
    assert code == 2 and out == "" and says in err


# ------------------------------------------------------------------ in words


def test_change_sentence_states_each_groups_twelve_months_and_the_difference(ccon):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.figures.compare_words import change_sentence

    # X: before Jan 10, Feb 20 = 15; after Apr 40, May 50, Jun 50, Aug 60, Sep 0 = 40. Y: before 20, 20, 20,
    # 30, 30 = 24; after 50, 60 = 55. Pilot 19,5 → 47,5 (+28). Z: 30 → 40 (+10). Difference 18 points.
    ba = compare.before_after(ccon, "SPM01", GROUPS, min_months=2, principal=DINAS)
    summary = compare.change_summary(ba, "pilot", "adopter")
    words = change_sentence(summary, "SPM01", "pilot", "adopter", load_catalogue().indicator("SPM01"), "id")
    assert words == (
        "Kelompok perintis (2 puskesmas, mulai Mar–Jun 2023): cakupan naik dari 19,5 % menjadi 47,5 % dalam "
        "12 bulan setelah mulai; kelompok pengadopsi baru (1 puskesmas, mulai Mei 2023): naik dari 30,0 % "
        "menjadi 40,0 %; selisih perubahannya 18,0 poin, kelompok perintis lebih naik daripada kelompok "
        "pengadopsi baru, perbandingan sebelum–sesudah tanpa kontrol acak."
    )


def test_change_sentence_says_when_no_puskesmas_has_enough_months(ccon):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.figures.compare_words import change_sentence

    summary = compare.change_summary(compare.before_after(ccon, "SPM01", GROUPS, principal=DINAS), "pilot", "adopter")
    words = change_sentence(summary, "SPM01", "pilot", "adopter", load_catalogue().indicator("SPM01"), "en")
    assert words.count("no puskesmas yet with at least 6 months") == 2 and "points" not in words


def test_cli_compare_words_view_prints_the_pages_sentence(compare_db, capsys, monkeypatch):
    monkeypatch.setattr(compare, "MIN_MONTHS", 2)
    code, out, _ = run_cli(
        capsys,
        "compare",
        "--db",
        str(compare_db),
        "--indicator",
        "SPM01",
        "--group-a",
        "pilot",
        "--group-b",
        "adopter",
        "--view",
        "words",
        "--lang",
        "en",
    )
    assert code == 0
    assert out.startswith("The pilot group (2 puskesmas, started Mar–Jun 2023): coverage rose from 19.5% to 47.5%")
    assert "differ by 18.0 points" in out


def test_the_slide_shows_the_pages_twelve_month_numbers_and_sentence(ccon, monkeypatch):
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.export import deck
    from ilp_metrics.export.facts import gather
    from ilp_metrics.figures.compare_words import change_sentence

    monkeypatch.setattr(compare, "MIN_MONTHS", 2)
    monkeypatch.setattr(deck, "COMPARE_MIN_UNITS", 1)
    facts = gather(ccon, year=2023, regency="73.09", principal=DINAS)
    slide = next(s for s in deck.build_deck(facts, con=ccon, principal=DINAS).slides if s.key == "compare")
    # Unit means over 12 months on each side (test above): pilot 19,5 → 47,5, adopter 30 → 40.
    assert [n.value for n in slide.numbers] == ["20 → 48", "30 → 40"]
    assert [n.label for n in slide.numbers] == [
        "Kelompok perintis: rata-rata 12 bulan sebelum → sesudah mulai ILP (%)",
        "Kelompok pengadopsi baru: rata-rata 12 bulan sebelum → sesudah mulai ILP (%)",
    ]
    summary = compare.change_summary(compare.before_after(ccon, "SPM01", GROUPS, principal=DINAS), "pilot", "adopter")
    words = change_sentence(summary, "SPM01", "pilot", "adopter", load_catalogue().indicator("SPM01"), "id")
    assert slide.notes.startswith(words) and "18,0 poin" in words


def test_when_both_groups_fell_the_sentence_says_which_fell_less():
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.figures.compare_words import change_sentence

    rows = [  # pilot 50 → 45 (−5), adopter 50 → 40 (−10): the pilot fell 5 points less
        ("pilot", 4, 4, "2023-01", "2023-01", 50.0, 45.0, -5.0),
        ("adopter", 10, 10, "2024-08", "2024-08", 50.0, 40.0, -10.0),
        ("difference", 14, 0, None, None, 0.0, 5.0, 5.0),
    ]
    summary = pd.DataFrame([("SPM01", *r) for r in rows], columns=compare.SUMMARY_COLUMNS)
    words = change_sentence(summary, "SPM01", "pilot", "adopter", load_catalogue().indicator("SPM01"), "id")
    assert "cakupan turun dari 50,0 % menjadi 45,0 %" in words and "mulai Agu 2024" in words
    assert (
        "selisih perubahannya 5,0 poin, kelompok perintis lebih sedikit turun daripada kelompok pengadopsi baru"
        in words
    )
