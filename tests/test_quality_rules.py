"""Each quality rule that the demo guards only by a count (tests/test_quality_demo.py), on a small
hand-made fixture where it must fire and one where it must not.

The fixtures are monthly aggregate reports (capaian) of Maros Baru (MB), desa A, or records (layanan),
written as real CSV files and loaded through the real ingest path (conftest: `ingest`, `write_text`).
Thresholds are the catalogue's (docs/quality.md): outliers |M| > 3.5 over the 12 reported months on each
side, at least 6 of them, at least max(5, 0.5 × median) from the median; high when x ≥ 5 × max(median,
median of the 3 nearest months on each side, 1) and x − median ≥ 10. Late: due on day 10 of the month after
the file's last month; high beyond 14 days.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ilp_metrics import quality

from .conftest import DINAS, MB, TK, ingest, nik, write_text

A, B = "73.09.04.2005", "73.09.04.2006"
D = "73.09.14.1004"
CAPAIAN_HEADER = "period,puskesmas_code,desa_code,service_code,count"
LAYANAN_HEADER = "service_date,puskesmas_code,desa_code,nik,age_years,sex,service_code,result"


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """(year, month) from `first` to `last`, both included."""
    (y, m), out = first, []
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def aggregates(con, tmp_path, values: dict[tuple[int, int], int], service: str = "YANKES_HIPERTENSI", **upload):
    """One capaian file: MB desa A, `service`, one row per (year, month) -> count."""
    text = CAPAIAN_HEADER + "\n" + "".join(f"{y}-{m:02d},{MB},{A},{service},{v}\n" for (y, m), v in values.items())
    name = upload.pop("name", f"{service.lower()}.csv")
    report = ingest(con, write_text(tmp_path / name, text), kind="capaian", **upload)
    assert report.ok, report.to_dict()
    return report


def outliers(con, through: int, year: int = 2024) -> list[list]:
    """OUT_MONTHLY_VALUE findings as [period, value, expected (the median), severity]."""
    found = quality.findings(con, year, through=through, principal=DINAS)
    hit = found[found["check"] == "OUT_MONTHLY_VALUE"].sort_values("period")
    return hit[["period", "value", "expected", "severity"]].values.tolist()


def flat(first: tuple[int, int], last: tuple[int, int], value: int) -> dict[tuple[int, int], int]:
    return dict.fromkeys(months(first, last), value)


# ------------------------------------------------------------------ outliers: a ramp is not a spike


def test_a_lasting_rise_whose_later_months_are_reported_is_no_outlier(con, tmp_path):
    # 10 a month through June 2024, then 40 a month (ILP home care, say) from July to December.
    # July 2024: history = the 12 months before (all 10) and the 5 after (all 40): 17 months, median 10,
    # MAD 0 -> mean absolute deviation 5 × 30 / 17 = 8.82; M = 30 / (1.2533 × 8.82) = 2.71 ≤ 3.5.
    # Every later month has more of the new level in its history, so a smaller M (2.55 … 1.91).
    aggregates(con, tmp_path, flat((2023, 1), (2024, 6), 10) | flat((2024, 7), (2024, 12), 40))
    assert outliers(con, through=12) == []


def test_the_edge_of_a_rise_before_its_later_months_arrive_is_medium(con, tmp_path):
    # The same data seen through July: July's history is 12 months of 10 only (later months are not
    # reported yet, August onwards is outside the window): MAD 0 and mean deviation 0 -> M infinite;
    # 30 above the median (≥ max(5, 5)); 40 < 5 × 10: medium, not high.
    aggregates(con, tmp_path, flat((2023, 1), (2024, 6), 10) | flat((2024, 7), (2024, 12), 40))
    assert outliers(con, through=7) == [["2024-07", 40.0, 10.0, "medium"]]


def test_a_spike_above_a_flat_history_is_high(con, tmp_path):
    # 2 a month for 12 months, then 30 in April 2024: M infinite, 28 above the median,
    # 30 ≥ 5 × max(2, 2, 1) = 10 and 28 ≥ 10: a likely typing error.
    aggregates(con, tmp_path, flat((2023, 4), (2024, 3), 2) | {(2024, 4): 30})
    assert outliers(con, through=4) == [["2024-04", 30.0, 2.0, "high"]]


def test_a_spike_after_rising_months_is_medium(con, tmp_path):
    # 2 a month April–December 2023, then 10, 14, 18 (January–March 2024) and 30 in April.
    # April: history 9 × 2, 10, 14, 18 -> median 2, MAD 0, mean deviation (8 + 12 + 16) / 12 = 3,
    # M = 28 / (1.2533 × 3) = 7.4; 30 ≥ 5 × 2 but the 3 nearest months have median 14 and 30 < 5 × 14:
    # the edge of a rise, medium. January–March stay below 3.5 (M 1.4, 2.2, 3.2).
    rising = {(2024, 1): 10, (2024, 2): 14, (2024, 3): 18, (2024, 4): 30}
    aggregates(con, tmp_path, flat((2023, 4), (2023, 12), 2) | rising)
    assert outliers(con, through=4) == [["2024-04", 30.0, 2.0, "medium"]]


# ------------------------------------------------------------------ outliers: history and size


def test_six_months_of_history_are_needed(con, tmp_path):
    # 2 a month from October 2023 to March 2024 (6 months), then 30: tested, high.
    aggregates(con, tmp_path, flat((2023, 10), (2024, 3), 2) | {(2024, 4): 30})
    assert outliers(con, through=4) == [["2024-04", 30.0, 2.0, "high"]]


def test_five_months_of_history_are_not_enough(con, tmp_path):
    # The same from November 2023 (5 months): no test at all.
    aggregates(con, tmp_path, flat((2023, 11), (2024, 3), 2) | {(2024, 4): 30})
    assert outliers(con, through=4) == []


def test_months_not_reported_are_not_zeros(con, tmp_path):
    # 2 a month April–August 2023, nothing at all from MB September 2023 – March 2024, 30 in April 2024.
    # The reported history is 5 months (< 6): not tested. Read as zeros, it would be 12 months
    # (5 × 2, 7 × 0) and April a high outlier.
    aggregates(con, tmp_path, flat((2023, 4), (2023, 8), 2) | {(2024, 4): 30})
    assert outliers(con, through=4) == []


def test_a_service_missing_from_a_reported_month_is_a_true_zero(con, tmp_path):
    # MB reports hypertension visits every month (10, flat: never an outlier) and diabetes visits only
    # in April 2024 (30). In the 12 months before, the diabetes count is a true 0 (the report was sent):
    # median 0, M infinite, 30 ≥ 5 × max(0, 0, 1) and 30 ≥ 10: high.
    text = CAPAIAN_HEADER + "\n"
    for y, m in months((2023, 4), (2024, 4)):
        text += f"{y}-{m:02d},{MB},{A},YANKES_HIPERTENSI,10\n"
    text += f"2024-04,{MB},{A},YANKES_DM,30\n"
    assert ingest(con, write_text(tmp_path / "c.csv", text), kind="capaian").ok
    found = quality.findings(con, 2024, through=4, principal=DINAS)
    hit = found[found["check"] == "OUT_MONTHLY_VALUE"]
    assert hit[["period", "indicator", "value", "expected", "severity"]].values.tolist() == [
        ["2024-04", "YANKES_DM", 30.0, 0.0, "high"]
    ]


def test_a_small_count_must_move_by_at_least_five(con, tmp_path):
    # 1 a month, then 5: M infinite but only 4 above the median (< max(5, 0.5)): not flagged.
    aggregates(con, tmp_path, flat((2023, 4), (2024, 3), 1) | {(2024, 4): 5})
    assert outliers(con, through=4) == []


def test_five_above_a_small_median_is_medium_not_high(con, tmp_path):
    # 1 a month, then 6: 5 above the median is flagged; 6 ≥ 5 × 1 but only 5 (< 10) above it: medium.
    aggregates(con, tmp_path, flat((2023, 4), (2024, 3), 1) | {(2024, 4): 6})
    assert outliers(con, through=4) == [["2024-04", 6.0, 1.0, "medium"]]


def test_a_large_count_must_move_by_half_its_median(con, tmp_path):
    # 99, 100, 101, 100 repeating: median 100, MAD 0.5. April 140: M = 0.6745 × 40 / 0.5 = 54, but 40 is
    # below 0.5 × 100 = 50 (ordinary noise of a large count): not flagged. 151 (51 above) is, medium
    # (151 < 5 × 100).
    pattern = [99, 100, 101, 100]
    history = {ym: pattern[i % 4] for i, ym in enumerate(months((2023, 4), (2024, 3)))}
    aggregates(con, tmp_path, history | {(2024, 4): 140}, name="a.csv")
    assert outliers(con, through=4) == []
    aggregates(con, tmp_path, history | {(2024, 4): 151}, name="b.csv")
    assert outliers(con, through=4) == [["2024-04", 151.0, 100.0, "medium"]]


def test_a_noisy_history_needs_a_modified_z_score_above_3_5(con, tmp_path):
    # 10 and 30 alternating: median 20, MAD 10. April 45: 25 above (≥ max(5, 10)) but M = 0.6745 × 25 / 10
    # = 1.7: not flagged. April 75: M = 0.6745 × 55 / 10 = 3.7 > 3.5: flagged, medium (75 < 5 × 20).
    history = {ym: (10, 30)[i % 2] for i, ym in enumerate(months((2023, 4), (2024, 3)))}
    aggregates(con, tmp_path, history | {(2024, 4): 45}, name="a.csv")
    assert outliers(con, through=4) == []
    aggregates(con, tmp_path, history | {(2024, 4): 75}, name="b.csv")
    assert outliers(con, through=4) == [["2024-04", 75.0, 20.0, "medium"]]


def test_campaign_services_are_not_tested(con, tmp_path):
    # Stunting screening is a campaign service (outlier_skip_services): its peak month is its pattern.
    aggregates(con, tmp_path, flat((2023, 4), (2024, 3), 2) | {(2024, 4): 30}, service="SKRINING_STUNTING")
    assert outliers(con, through=4) == []


# ------------------------------------------------------------------ timeliness


def records(con, tmp_path, name: str, rows: list[tuple[str, str, str]], uploaded_at: str):
    """One layanan file: rows of (date, puskesmas, desa), a home visit each by another person."""
    lines = [LAYANAN_HEADER] + [
        f"{d},{p},{desa},{nik(serial=100 + i)},30,P,KUNJUNGAN_RUMAH," for i, (d, p, desa) in enumerate(rows)
    ]
    report = ingest(
        con,
        write_text(tmp_path / name, "\n".join(lines) + "\n"),
        kind="layanan",
        uploaded_at=datetime.fromisoformat(uploaded_at),
    )
    assert report.ok, report.to_dict()


def late(con, through: int = 4) -> list[list]:
    found = quality.findings(con, 2024, through=through, principal=DINAS)
    hit = found[found["check"] == "TIME_LATE_UPLOAD"].sort_values("period")
    return hit[["puskesmas", "period", "value", "severity"]].values.tolist()


def test_fourteen_days_late_is_medium_and_fifteen_is_high(con, tmp_path):
    # March's file is due on 10 April; 24 April is 14 days late, 25 April 15.
    records(con, tmp_path, "jan.csv", [("2024-01-05", MB, A)], "2024-02-05T09:00")
    records(con, tmp_path, "feb.csv", [("2024-02-05", MB, A)], "2024-03-24T09:00")  # due 10 March: 14 days
    records(con, tmp_path, "mar.csv", [("2024-03-05", MB, A)], "2024-04-25T09:00")  # due 10 April: 15 days
    assert late(con) == [[MB, "2024-02", 14.0, "medium"], [MB, "2024-03", 15.0, "high"]]


def test_a_file_of_several_months_is_judged_by_its_last_month(con, tmp_path):
    # January–March in one file uploaded on 5 April: January's deadline (10 February) has passed, but
    # the file is due on 10 April (after its last month, March): on time.
    rows = [(f"2024-{m:02d}-05", MB, A) for m in (1, 2, 3)]
    records(con, tmp_path, "q1.csv", rows, "2024-04-05T09:00")
    assert late(con, through=3) == []
    # The same content for April–May, sent on 1 July: due 10 June, 21 days late, one finding for May.
    rows = [(f"2024-{m:02d}-05", MB, A) for m in (4, 5)]
    records(con, tmp_path, "q2.csv", rows, "2024-07-01T09:00")
    assert late(con, through=5) == [[MB, "2024-05", 21.0, "high"]]


def test_a_late_file_of_one_puskesmas_names_it_and_of_two_names_none(con, tmp_path):
    records(con, tmp_path, "mb.csv", [("2024-01-05", MB, A)], "2024-03-01T09:00")  # 20 days late
    records(con, tmp_path, "both.csv", [("2024-02-05", MB, B), ("2024-02-06", TK, D)], "2024-04-01T09:00")
    hit = late(con, through=2)
    assert hit[0] == [MB, "2024-01", 20.0, "high"]
    assert pd.isna(hit[1][0]) and hit[1][1:] == ["2024-02", 22.0, "high"]


# ------------------------------------------------------------------ duplicates


def test_every_extra_copy_of_a_record_counts(con, tmp_path):
    # In May: one visit three times (2 extra copies) and another twice (1): value 3 for that upload × month;
    # the same person on another day is no copy.
    rows = [
        ("2024-05-06", MB, A, 1),
        ("2024-05-06", MB, A, 1),
        ("2024-05-06", MB, A, 1),
        ("2024-05-07", MB, A, 2),
        ("2024-05-07", MB, A, 2),
        ("2024-05-08", MB, A, 2),
    ]
    lines = [LAYANAN_HEADER] + [f"{d},{p},{desa},{nik(serial=n)},30,P,KUNJUNGAN_RUMAH," for d, p, desa, n in rows]
    assert ingest(con, write_text(tmp_path / "l.csv", "\n".join(lines) + "\n"), kind="layanan").ok
    found = quality.findings(con, 2024, through=5, principal=DINAS)
    hit = found[found["check"] == "DUP_RECORD"]
    assert hit[["puskesmas", "period", "value", "severity"]].values.tolist() == [[MB, "2024-05", 3.0, "high"]]


def test_the_same_record_in_two_months_gives_no_copy(con, tmp_path):
    rows = [("2024-05-06", MB, A, 1), ("2024-06-06", MB, A, 1)]
    lines = [LAYANAN_HEADER] + [f"{d},{p},{desa},{nik(serial=n)},30,P,KUNJUNGAN_RUMAH," for d, p, desa, n in rows]
    assert ingest(con, write_text(tmp_path / "l.csv", "\n".join(lines) + "\n"), kind="layanan").ok
    found = quality.findings(con, 2024, through=6, principal=DINAS)
    assert found[found["check"] == "DUP_RECORD"].empty
