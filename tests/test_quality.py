"""Data-quality checks: for each check a case that must be flagged and a near miss that must not.

Every fixture is a real CSV written to disk and loaded through the real ingest path (conftest: Maros Baru
MB with desa A, B, C and Turikale TK with desa D, E, year 2024). Values the ingest refuses (negative
counts, desa of unknown puskesmas) are written with SQL, the only way they can reach a database.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from ilp_metrics import quality
from ilp_metrics.catalogue import CatalogueError, load_raw, parse_catalogue
from ilp_metrics.quality.checks import modified_z

from .conftest import DINAS, MB, TK, ingest, nik, write_text

A, B, C = "73.09.04.2005", "73.09.04.2006", "73.09.04.1002"
D, E = "73.09.14.1004", "73.09.14.1005"
HEADER = "service_date,puskesmas_code,desa_code,nik,age_years,sex,service_code,result"


def layanan(con, tmp_path, name: str, rows: list[tuple], uploaded_at: str | None = None):
    """rows: (date, puskesmas, desa, person number, service)."""
    lines = [HEADER] + [f"{d},{p},{desa},{nik(serial=n)},30,P,{s}," for d, p, desa, n, s in rows]
    report = ingest(
        con,
        write_text(tmp_path / name, "\n".join(lines) + "\n"),
        kind="layanan",
        uploaded_at=datetime.fromisoformat(uploaded_at) if uploaded_at else None,
    )
    assert report.ok, report.to_dict()
    return report


def csv_file(con, tmp_path, name: str, text: str, kind: str, uploaded_at: str | None = None):
    report = ingest(
        con,
        write_text(tmp_path / name, text),
        kind=kind,
        uploaded_at=datetime.fromisoformat(uploaded_at) if uploaded_at else None,
    )
    assert report.ok, report.to_dict()
    return report


def every_month(months=range(1, 5), desa_mb=(A, B, C), desa_tk=(D, E)) -> list[tuple]:
    """One home visit per desa and month for both puskesmas: a complete, clean reporting pattern."""
    rows, person = [], 100
    for m in months:
        for p, desas in ((MB, desa_mb), (TK, desa_tk)):
            for d in desas:
                person += 1
                rows.append((f"2024-{m:02d}-05", p, d, person, "KUNJUNGAN_RUMAH"))
    return rows


def found(con, check: str | None = None, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("through", 4)
    kwargs.setdefault("principal", DINAS)
    frame = quality.findings(con, 2024, **kwargs)
    return frame if check is None else frame[frame["check"] == check].reset_index(drop=True)


# ------------------------------------------------------------------ catalogue


def test_quality_section_is_validated_with_the_catalogue():
    raw = load_raw()
    raw["quality"]["thresholds"]["outlier_z"] = -1
    raw["quality"]["checks"] = [c for c in raw["quality"]["checks"] if c["code"] != "DUP_RECORD"]
    raw["quality"]["consistency_pairs"][0]["lhs"]["indicator"] = "NOPE"
    with pytest.raises(CatalogueError) as err:
        parse_catalogue(raw)
    text = str(err.value)
    assert "outlier_z" in text and "DUP_RECORD" in text and "NOPE" in text


def test_every_check_has_both_languages_and_a_severity():
    rules = parse_catalogue(load_raw()).quality
    assert {c.code for c in rules.checks} == set(quality.CHECK_CODES)
    assert rules.threshold("outlier_z") == 3.5 and rules.threshold("deadline_day") == 10
    for check in rules.checks:
        assert check.name.id and check.name.en and check.severity in quality.SEVERITIES


# ------------------------------------------------------------------ completeness


def test_a_month_without_any_data_is_missing_and_complete_months_are_not(con, tmp_path):
    rows = [r for r in every_month() if not (r[1] == MB and r[0].startswith("2024-03"))]
    layanan(con, tmp_path, "l.csv", rows)
    hit = found(con, "COMP_PUSKESMAS_MONTH")
    # MB sent nothing for March; TK sent every month January–April.
    assert hit[["puskesmas", "period", "severity"]].values.tolist() == [[MB, "2024-03", "high"]]


def test_a_desa_absent_from_an_aggregate_report_is_a_gap(con, tmp_path):
    layanan(con, tmp_path, "l.csv", [r for r in every_month() if r[1] == TK])
    # MB reports January–April as aggregates; desa C's row is missing in February only.
    text = "period,puskesmas_code,desa_code,service_code,count\n" + "".join(
        f"2024-{m:02d},{MB},{d},KUNJUNGAN_RUMAH,1\n" for m in range(1, 5) for d in (A, B, C) if not (m == 2 and d == C)
    )
    csv_file(con, tmp_path, "c.csv", text, "capaian")
    hit = found(con, "COMP_DESA_MONTH")
    assert hit[["desa", "period", "severity"]].values.tolist() == [[C, "2024-02", "medium"]]


# ------------------------------------------------------------------ timeliness


def test_upload_after_the_deadline_is_late_and_on_the_deadline_day_is_not(con, tmp_path):
    rows = every_month()
    by_month = {m: [r for r in rows if r[0].startswith(f"2024-{m:02d}")] for m in range(1, 5)}
    layanan(con, tmp_path, "jan.csv", by_month[1], "2024-02-03T09:00")  # on time
    layanan(con, tmp_path, "feb.csv", by_month[2], "2024-03-11T08:00")  # 1 day after 10 March: medium
    layanan(con, tmp_path, "mar.csv", by_month[3], "2024-04-10T23:00")  # on the deadline day: on time
    layanan(con, tmp_path, "apr.csv", by_month[4], "2024-05-30T10:00")  # 20 days late: high (> 14)
    hit = found(con, "TIME_LATE_UPLOAD").sort_values("period").reset_index(drop=True)
    assert hit[["period", "value", "severity"]].values.tolist() == [
        ["2024-02", 1.0, "medium"],
        ["2024-04", 20.0, "high"],
    ]
    assert hit["puskesmas"].isna().all()  # each file holds both puskesmas: a kabupaten-level finding
    assert "feb.csv" in hit["message"][0]


# ------------------------------------------------------------------ outliers


def test_modified_z_score_follows_iglewicz_hoaglin():
    # history 1, 2, 2, 3: median 2, absolute deviations 1, 0, 0, 1, MAD 0.5 -> z(10) = 0.6745 × 8 / 0.5
    z, med = modified_z(10, pd.Series([1, 2, 2, 3]).to_numpy(dtype=float))
    assert med == 2 and z == pytest.approx(0.6745 * 8 / 0.5)
    # MAD 0 (2, 2, 2, 5): mean absolute deviation 0.75 × 1.253314 takes its place
    z, _ = modified_z(8, pd.Series([2, 2, 2, 5]).to_numpy(dtype=float))
    assert z == pytest.approx(6 / (1.253314 * 0.75))


def test_a_typing_error_in_an_aggregate_report_is_a_high_outlier(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # TK dengue cases, aggregate report 2023-01 .. 2024-04 (16 months): 1, 2, 3, 2 repeating; April 2024 = 40.
    # History of April 2024 = the 12 months before: median 2, MAD 0.5 -> z = 0.6745 × 38 / 0.5 = 51;
    # 40 ≥ 5 × 2 and 38 ≥ 10 above the median: high.
    # March 2024 = 6 would be z = 5.4 but only 4 above the median (< 5): the near miss.
    pattern = [1, 2, 3, 2]
    values = {(2023 + (i // 12), i % 12 + 1): pattern[i % 4] for i in range(16)}
    values[(2024, 3)] = 6
    values[(2024, 4)] = 40
    text = "period,puskesmas_code,desa_code,service_code,count\n" + "".join(
        f"{y}-{m:02d},{TK},{D},KASUS_DBD,{v}\n" for (y, m), v in sorted(values.items())
    )
    csv_file(con, tmp_path, "dbd.csv", text, "capaian")
    hit = found(con, "OUT_MONTHLY_VALUE")
    assert hit[["puskesmas", "period", "indicator", "value", "expected", "severity"]].values.tolist() == [
        [TK, "2024-04", "KASUS_DBD", 40.0, 2.0, "high"]
    ]


def test_a_moderate_jump_is_a_medium_outlier(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # MB diabetes visits 2023-01 .. 2024-04, 19, 20, 21, 20 repeating; April 2024 = 32:
    # median 20, MAD 0.5, z = 16; 12 above (≥ 5 and ≥ 50 % of 20) but only 1.6 × the median: medium.
    values = {(2023 + (i // 12), i % 12 + 1): [19, 20, 21, 20][i % 4] for i in range(16)}
    values[(2024, 4)] = 32
    text = "period,puskesmas_code,desa_code,service_code,count\n" + "".join(
        f"{y}-{m:02d},{MB},{A},YANKES_DM,{v}\n" for (y, m), v in sorted(values.items())
    )
    csv_file(con, tmp_path, "dm.csv", text, "capaian")
    hit = found(con, "OUT_MONTHLY_VALUE")
    assert hit[["period", "severity"]].values.tolist() == [["2024-04", "medium"]]


# ------------------------------------------------------------------ impossible values


def test_a_service_dated_after_its_upload_is_impossible(con, tmp_path):
    rows = every_month(months=range(1, 4))
    layanan(con, tmp_path, "jan_mar.csv", rows, "2024-04-02T09:00")
    # MB's April file was uploaded on 15 April but holds a service on 20 April (desa A); the 5 April rows
    # of the same file are fine, and TK's April file uploaded on 20 April holds 20 April: same day, fine.
    layanan(
        con,
        tmp_path,
        "mb_apr.csv",
        [
            ("2024-04-05", MB, B, 1, "KUNJUNGAN_RUMAH"),
            ("2024-04-05", MB, C, 2, "KUNJUNGAN_RUMAH"),
            ("2024-04-20", MB, A, 3, "KUNJUNGAN_RUMAH"),
        ],
        "2024-04-15T10:00",
    )
    layanan(
        con,
        tmp_path,
        "tk_apr.csv",
        [("2024-04-20", TK, D, 4, "KUNJUNGAN_RUMAH"), ("2024-04-20", TK, E, 5, "KUNJUNGAN_RUMAH")],
        "2024-04-20T16:00",
    )
    hit = found(con, "IMP_AFTER_UPLOAD")
    assert hit[["puskesmas", "period", "value", "severity"]].values.tolist() == [[MB, "2024-04", 1.0, "high"]]
    assert hit["rows"][0].endswith(": 4")  # source row 4 of mb_apr.csv (header = row 1)


def test_negative_counts_written_outside_the_ingest_are_found(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    text = "period,puskesmas_code,desa_code,service_code,count\n" + f"2024-02,{MB},{A},YANKES_DM,3\n"
    report = csv_file(con, tmp_path, "c.csv", text, "capaian")
    # The ingest refuses negative counts; a database written by another tool may still hold one.
    con.execute(
        "INSERT INTO capaian VALUES (?, 99, DATE '2024-03-01', ?, ?, 'YANKES_DM', -4)", [report.upload_id, MB, A]
    )
    hit = found(con, "IMP_NEGATIVE")
    assert hit[["puskesmas", "period", "value"]].values.tolist() == [[MB, "2024-03", -4.0]]


def test_coverage_above_the_ceiling_is_implausible(con, tmp_path):
    layanan(
        con,
        tmp_path,
        "l.csv",
        [
            *every_month(),
            ("2024-02-01", MB, A, 1, "ANC_K6"),
            ("2024-02-01", MB, A, 2, "ANC_K6"),
            ("2024-02-01", MB, B, 3, "ANC_K6"),
            ("2024-02-01", TK, D, 4, "ANC_K6"),
        ],
    )
    # ibu_hamil: MB 1 + 1 + 0 = 2 for 3 women with K6 -> 150 % > 120 %; TK 5 + 5 = 10 for 1 -> 10 %.
    sasaran = "year,desa_code,target_group,count\n" + "".join(
        f"2024,{d},ibu_hamil,{n}\n" for d, n in ((A, 1), (B, 1), (C, 0), (D, 5), (E, 5))
    )
    csv_file(con, tmp_path, "s.csv", sasaran, "sasaran")
    hit = found(con, "IMP_COVERAGE_CEILING")
    assert hit[["puskesmas", "indicator", "value", "severity"]].values.tolist() == [[MB, "SPM01", 150.0, "high"]]


# ------------------------------------------------------------------ consistency


def test_more_women_with_k6_than_with_k1_is_inconsistent(con, tmp_path):
    # MB: 3 women with K6, 1 with K1 -> K6 > K1. TK: 1 with K6, 2 with K1 -> fine.
    layanan(
        con,
        tmp_path,
        "l.csv",
        [
            *every_month(),
            ("2024-02-01", MB, A, 1, "ANC_K6"),
            ("2024-02-01", MB, A, 2, "ANC_K6"),
            ("2024-02-01", MB, B, 3, "ANC_K6"),
            ("2024-01-10", MB, A, 1, "ANC_K1"),
            ("2024-02-01", TK, D, 4, "ANC_K6"),
            ("2024-01-10", TK, D, 4, "ANC_K1"),
            ("2024-01-10", TK, E, 5, "ANC_K1"),
        ],
    )
    hit = found(con, "CONS_PAIR")
    assert hit[["puskesmas", "indicator", "value", "expected"]].values.tolist() == [[MB, "SPM01", 3.0, 1.0]]


def test_this_years_total_far_from_earlier_years_is_noted(con, tmp_path):
    # Home visits January–April: MB 30 a year in 2022 and 2023 (mean 30), 60 in 2024 (+100 %);
    # TK 30, 30 and 35 (+17 %, within ±33 %).
    rows, person = [], 1000
    for year, mb, tk in ((2022, 30, 30), (2023, 30, 30), (2024, 60, 35)):
        for p, d, n in ((MB, A, mb), (TK, D, tk)):
            for i in range(n):
                person += 1
                rows.append((f"{year}-{i % 4 + 1:02d}-{i // 4 + 1:02d}", p, d, person, "KUNJUNGAN_RUMAH"))
    layanan(con, tmp_path, "l.csv", rows)
    hit = found(con, "CONS_YEAR_TOTAL")
    hit = hit[hit["indicator"] == "ILP_KUNJUNGAN_RUMAH"]
    assert hit[["puskesmas", "value", "expected", "severity"]].values.tolist() == [[MB, 60.0, 30.0, "low"]]


# ------------------------------------------------------------------ denominators


def test_sasaran_missing_zero_and_inconsistent_between_levels(con, tmp_path):
    layanan(con, tmp_path, "l.csv", [*every_month(), ("2024-02-01", TK, E, 9, "ANC_K6")])
    sasaran = "year,desa_code,puskesmas_code,target_group,count\n" + "".join(
        [
            f"2024,{A},,balita,40\n",
            f"2024,{B},,balita,30\n",  # MB balita: desa C missing -> medium
            f"2024,{A},,ibu_hamil,10\n",
            f"2024,{B},,ibu_hamil,8\n",
            f"2024,{C},,ibu_hamil,6\n",
            f"2024,{D},,ibu_hamil,5\n",
            f"2024,{E},,ibu_hamil,0\n",  # E = 0 but a K6 woman served there
            f"2024,,{TK},ibu_hamil,11\n",  # TK 11 vs desa 5 + 0 -> levels differ
            f"2024,{D},,balita,0\n",  # D balita 0, nobody served: no finding
            f"2024,{E},,balita,7\n",
        ]
    )
    csv_file(con, tmp_path, "s.csv", sasaran, "sasaran")
    f = found(con)
    missing = f[f["check"] == "DEN_MISSING"].set_index(["puskesmas", "indicator"])["severity"]
    assert missing[(MB, "balita")] == "medium"
    assert (MB, "ibu_hamil") not in missing.index and (TK, "ibu_hamil") not in missing.index
    assert missing[(TK, "bayi")] == "high"  # no bayi sasaran at all
    message = f[(f["check"] == "DEN_MISSING") & (f["puskesmas"] == TK) & (f["indicator"] == "bayi")]["message"].iloc[0]
    assert "2024 tidak ada" in message and "2024.0" not in message  # the year as a year
    zero = f[f["check"] == "DEN_ZERO"]
    assert zero[["desa", "indicator", "severity"]].values.tolist() == [[E, "ibu_hamil", "medium"]]
    levels = f[f["check"] == "DEN_LEVELS"]
    assert levels[["puskesmas", "indicator", "value", "expected"]].values.tolist() == [[TK, "ibu_hamil", 11.0, 5.0]]


# ------------------------------------------------------------------ duplicates


def test_the_same_person_service_and_day_twice_is_a_duplicate(con, tmp_path):
    # Person 1: home visit in desa A on 3 Feb written twice (the duplicate) and again on 4 Feb (not one).
    layanan(
        con,
        tmp_path,
        "l.csv",
        [
            *every_month(),
            ("2024-02-03", MB, A, 1, "KUNJUNGAN_RUMAH"),
            ("2024-02-03", MB, A, 1, "KUNJUNGAN_RUMAH"),
            ("2024-02-04", MB, A, 1, "KUNJUNGAN_RUMAH"),
        ],
    )
    hit = found(con, "DUP_RECORD")
    assert hit[["puskesmas", "period", "value", "severity"]].values.tolist() == [[MB, "2024-02", 1.0, "high"]]
    # source rows: header 1, 20 home visits (rows 2–21), then the three rows 22, 23, 24; row 23 is the copy
    assert hit["rows"][0].endswith(": 23")


def test_aggregate_and_records_for_the_same_month_overlap(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # MB February also as an aggregate (overlap); TK: aggregate for 2023-12 only, no records then (fine).
    text = (
        "period,puskesmas_code,desa_code,service_code,count\n"
        f"2024-02,{MB},{A},KUNJUNGAN_RUMAH,1\n2023-12,{TK},{D},KUNJUNGAN_RUMAH,1\n"
    )
    csv_file(con, tmp_path, "c.csv", text, "capaian")
    hit = found(con, "DUP_SOURCE_OVERLAP")
    assert hit[["puskesmas", "period", "severity"]].values.tolist() == [[MB, "2024-02", "high"]]


def test_same_content_under_another_name_is_noted_but_identical_bytes_are_not(con, tmp_path):
    rows = every_month()
    layanan(con, tmp_path, "first.csv", rows)
    again = layanan(con, tmp_path, "copy.csv", rows)  # identical bytes: the ingest loads nothing
    assert again.duplicate
    assert found(con, "DUP_RESENT").empty
    # The same rows with CRLF line ends: other bytes, same content; it replaces every slice of first.csv.
    lines = [HEADER] + [f"{d},{p},{desa},{nik(serial=n)},30,P,{s}," for d, p, desa, n, s in rows]
    report = ingest(con, write_text(tmp_path / "renamed.csv", "\r\n".join(lines) + "\r\n"), kind="layanan")
    assert report.ok and not report.duplicate
    hit = found(con, "DUP_RESENT")
    assert len(hit) == 1 and hit["severity"][0] == "low" and "renamed.csv" in hit["message"][0]


# ------------------------------------------------------------------ registry


def test_registry_desa_problems(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # The ingest refuses desa of unknown puskesmas and codes outside the reference: written with SQL.
    con.execute("INSERT INTO desa VALUES ('73.09.04.2004', 'Borikamase', 'P7309999999', 1)")
    con.execute(f"INSERT INTO desa VALUES ('73.09.04.9999', 'Desa Baru', '{MB}', 1)")
    f = found(con)
    orphan = f[f["check"] == "REG_DESA_NO_PUSKESMAS"]
    assert orphan[["desa", "puskesmas", "severity"]].values.tolist() == [["73.09.04.2004", "P7309999999", "high"]]
    unknown = f[f["check"] == "REG_DESA_UNKNOWN"]
    assert unknown["desa"].tolist() == ["73.09.04.9999"]
    # Reference desa of MB's and TK's kecamatan outside the desa registry: 73.09.04 has 7 (3 registered,
    # Borikamase now registered to an unknown puskesmas), 73.09.14 has 7 (2 registered) -> 3 + 5 = 8.
    unassigned = f[f["check"] == "REG_DESA_UNASSIGNED"]
    assert len(unassigned) == 8 and A not in set(unassigned["desa"])


# ------------------------------------------------------------------ score and flags


def test_clean_data_have_no_high_or_medium_findings_and_full_scores(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month(), "2024-05-02T09:00")  # before the 10 May deadline
    f = found(con)
    # Only the fixture's known gaps remain: no sasaran uploaded, and reference desa outside the small registry.
    serious = f[f["severity"].isin(["high", "medium"]) & ~f["check"].isin(["DEN_MISSING", "REG_DESA_UNASSIGNED"])]
    assert serious.empty, serious["message"].tolist()


def test_score_counts_checks_failed_per_puskesmas_month(con, tmp_path):
    rows = [r for r in every_month() if not (r[1] == MB and r[0].startswith("2024-03"))]
    layanan(con, tmp_path, "l.csv", rows)
    scores = quality.quality_score(con, 2024, through=4, principal=DINAS).set_index(["puskesmas", "period"])
    n = len(parse_catalogue(load_raw()).quality.checks)
    # Yearly findings without a month (no sasaran at all: DEN_MISSING high; unassigned reference desa:
    # REG_DESA_UNASSIGNED medium) fail 2 checks in every month; MB March also misses its report.
    assert scores.loc[(TK, "2024-01"), "failed"] == 2
    assert scores.loc[(MB, "2024-03"), "failed"] == 3
    assert scores.loc[(MB, "2024-03"), "score"] == pytest.approx(100 * (n - 3) / n)


def test_figure_flags_mark_the_unit_and_its_kabupaten_for_every_indicator(con, tmp_path):
    rows = [r for r in every_month() if not (r[1] == MB and r[0].startswith("2024-03"))]
    layanan(con, tmp_path, "l.csv", rows)
    flags = quality.figure_flags(con, 2024, regency="73.09", through=4, lang="en", principal=DINAS)
    assert list(flags.columns) == quality.FLAG_COLUMNS
    missing = flags[flags["check"] == "COMP_PUSKESMAS_MONTH"]
    assert set(zip(missing["level"], missing["unit_code"])) == {("puskesmas", MB), ("kabupaten", "73.09")}
    assert quality.flags_for(flags, "puskesmas", MB, "ILP_KLASTER").query("check == 'COMP_PUSKESMAS_MONTH'").empty
    # A month without service data marks the indicators counted from services, not the readiness checklist.
    assert "SPM01" in set(missing["indicator"]) and "ILP_KLASTER" not in set(missing["indicator"])
    assert (missing["period"] == "2024-03").all()
    assert "no data for 2024-03" in missing["reason"].iloc[0]
    assert not quality.flags_for(flags, "puskesmas", MB, "SPM01").empty
    assert quality.flags_for(flags[flags["check"] == "COMP_PUSKESMAS_MONTH"], "puskesmas", TK, "SPM01").empty
    # Through February nothing of March is open.
    early = quality.figure_flags(con, 2024, regency="73.09", through=2, principal=DINAS)
    assert early[early["check"] == "COMP_PUSKESMAS_MONTH"].empty


def test_a_late_upload_is_a_finding_but_marks_no_figure(con, tmp_path):
    rows = every_month()
    by_month = {m: [r for r in rows if r[0].startswith(f"2024-{m:02d}")] for m in range(1, 5)}
    for m in range(1, 4):
        layanan(con, tmp_path, f"m{m}.csv", by_month[m], f"2024-{m + 1:02d}-05T09:00")
    layanan(con, tmp_path, "apr.csv", by_month[4], "2024-05-30T10:00")  # 20 days late: high
    late = found(con, "TIME_LATE_UPLOAD")
    assert late[["period", "severity"]].values.tolist() == [["2024-04", "high"]]
    # The data are there: the catalogue's marks_figures: false keeps it off the figures.
    flags = quality.figure_flags(con, 2024, regency="73.09", through=4, principal=DINAS)
    assert flags[flags["check"] == "TIME_LATE_UPLOAD"].empty


def test_a_month_without_its_readiness_checklist_is_missing(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # MB sends its checklist every month; TK skips March.
    text = "period,puskesmas_code,item_code,value\n" + "".join(
        f"2024-{m:02d},{p},KLASTER_TERBENTUK,1\n" for m in range(1, 5) for p in (MB, TK) if not (p == TK and m == 3)
    )
    csv_file(con, tmp_path, "k.csv", text, "kesiapan")
    hit = found(con, "COMP_KESIAPAN_MONTH")
    assert hit[["puskesmas", "period", "severity"]].values.tolist() == [[TK, "2024-03", "medium"]]


def test_a_service_before_birth_written_outside_the_ingest_is_found(con, tmp_path):
    layanan(con, tmp_path, "l.csv", every_month())
    # The ingest refuses a service before the birth date; a database written otherwise may hold one.
    # Every row has an age (30), no birth date; give one row of MB in February a birth date after the service,
    # and one of TK a birth date on the service day (the near miss: born that day, served that day).
    con.execute(
        f"UPDATE layanan SET birth_date = DATE '2024-02-20' WHERE source_row = (SELECT min(source_row) "
        f"FROM layanan WHERE puskesmas_code = '{MB}' AND month(service_date) = 2)"
    )
    con.execute(
        f"UPDATE layanan SET birth_date = service_date WHERE source_row = (SELECT min(source_row) "
        f"FROM layanan WHERE puskesmas_code = '{TK}' AND month(service_date) = 2)"
    )
    hit = found(con, "IMP_BEFORE_BIRTH")
    assert hit[["puskesmas", "period", "value", "severity"]].values.tolist() == [[MB, "2024-02", 1.0, "high"]]


def test_explanations_state_the_threshold_values():
    text = quality.explanation("TIME_LATE_UPLOAD", "en")
    assert "deadline_day" not in text and "day 10 of the month" in text and "More than 14 days" in text
    assert "|z| > 3,5 " in quality.explanation("OUT_MONTHLY_VALUE", "id")
