"""The command line of the data contract: JSON report, exit codes 0/1/2, atomic writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ilp_metrics.cli import main

from .conftest import write_text

MB = "P7309040201"
HEADER = "Periode,Kode Puskesmas,Kode Layanan,Jumlah\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_creates_a_database_with_reference_areas_and_prints_one_line(tmp_path, capsys):
    db = tmp_path / "new.duckdb"
    code, out, _ = run(capsys, "init", "--db", str(db))
    assert code == 0 and db.exists()
    assert len(out.strip().splitlines()) == 1 and "83763" in out


def test_ingest_prints_a_json_report_per_file_and_exits_0(db_path, tmp_path, capsys):
    good = write_text(tmp_path / "c.csv", HEADER + f"2024-03,{MB},ANC_K1,5\n")
    code, out, _ = run(capsys, "ingest", "--db", str(db_path), str(good))
    assert code == 0
    [report] = json.loads(out)
    assert report["kind"] == "capaian" and report["rows_accepted"] == 1 and report["rows_refused"] == 0
    assert isinstance(report["upload_id"], int) and report["refusals"] == []


def test_ingest_of_a_refused_file_exits_1_with_reasons_and_writes_nothing(db_path, tmp_path, capsys):
    bad = write_text(tmp_path / "c.csv", HEADER + f"2024-03,{MB},ANC_K1,5\n" + f"2024-03,{MB},ANC_K6,lima\n")
    code, out, _ = run(capsys, "ingest", "--db", str(db_path), str(bad))
    assert code == 1
    [report] = json.loads(out)
    assert report["upload_id"] is None and report["rows_refused"] == 1
    assert report["refusals"] == [
        {"row": 3, "column": "Jumlah", "reason_code": "not_number", "reason": "Nilai 'lima' bukan angka"}
    ]
    code, out, _ = run(
        capsys,
        "ingest",
        "--db",
        str(db_path),
        "--dry-run",
        str(_good := write_text(tmp_path / "ok.csv", HEADER + f"2024-03,{MB},ANC_K1,5\n")),
    )
    assert code == 0 and json.loads(out)[0]["committed"] is False


def test_ingest_reasons_are_available_in_english(db_path, tmp_path, capsys):
    bad = write_text(tmp_path / "c.csv", HEADER + f"2024-03,{MB},ANC_K1,lima\n")
    _, out, _ = run(capsys, "ingest", "--db", str(db_path), "--lang", "en", str(bad))
    assert json.loads(out)[0]["refusals"][0]["reason"] == "Value 'lima' is not a number"


def test_bad_usage_exits_2(tmp_path, capsys):
    assert run(capsys, "ingest", "--db", str(tmp_path / "x.duckdb"), str(tmp_path / "missing.csv"))[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "ingest", "--kind", "nonsense", "x.csv")[0] == 2


def test_indicators_lists_the_catalogue_as_csv_and_json(capsys):
    code, out, _ = run(capsys, "indicators", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 30
    spm01 = next(r for r in rows if r["code"] == "SPM01")
    assert spm01["numerator"] == "ANC_K6" and spm01["denominator"] == "ibu_hamil"
    code, out, _ = run(capsys, "indicators")
    assert out.splitlines()[0].startswith("code,cluster,name")
    assert len(out.splitlines()) == len(rows) + 1


def test_module_entry_point_runs_as_a_process(tmp_path):
    db = tmp_path / "p.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "ilp_metrics", "init", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ coverage (contract §4)


COVERAGE_HEADER = "indicator,level,unit_code,unit_name,period,numerator,denominator,coverage_pct,target_pct,status"


def test_coverage_prints_the_contract_columns_as_csv(fixture_db, capsys):
    code, out, _ = run(
        capsys, "coverage", "--db", str(fixture_db), "--indicator", "SPM01", "--level", "puskesmas", "--year", "2024"
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == COVERAGE_HEADER
    # Through April (the last month with data): MB 4 of 24, TK 6 of 11; target to date 33.33 %.
    assert lines[1:] == [
        "SPM01,puskesmas,P7309040201,Maros Baru,2024-04,4,24,16.67,33.33,di_bawah",
        "SPM01,puskesmas,P7309140201,Turikale,2024-04,6,11,54.55,33.33,tercapai",
    ]


def test_coverage_as_json_with_through_month(fixture_db, capsys):
    code, out, _ = run(
        capsys,
        "coverage",
        "--db",
        str(fixture_db),
        "--indicator",
        "spm01",
        "--level",
        "kabupaten",
        "--year",
        "2024",
        "--through",
        "2024-02",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out) == [
        {
            "indicator": "SPM01",
            "level": "kabupaten",
            "unit_code": "73.09",
            "unit_name": "KABUPATEN MAROS",
            "period": "2024-02",
            "numerator": 5,
            "denominator": 35,
            "coverage_pct": 14.29,
            "target_pct": 16.67,
            "status": "mendekati",
        }
    ]


def test_coverage_monthly_gives_one_row_per_month(fixture_db, capsys):
    code, out, _ = run(
        capsys,
        "coverage",
        "--db",
        str(fixture_db),
        "--indicator",
        "SPM01",
        "--level",
        "desa",
        "--year",
        "2024",
        "--through",
        "2024-04",
        "--puskesmas",
        "P7309140201",
        "--monthly",
    )
    assert code == 0
    rows = out.strip().splitlines()[1:]
    assert len(rows) == 2 * 4  # two desa × four months
    assert "SPM01,desa,73.09.14.1005,Taroada,2024-04,1,0,,33.33,tidak_ada_data" in rows


def test_coverage_usage_errors_exit_2(fixture_db, tmp_path, capsys):
    cases = [
        ("--indicator", "NOPE", "--level", "puskesmas", "--year", "2024"),
        ("--indicator", "SPM01", "--level", "puskesmas", "--year", "2024", "--through", "2023-05"),
        ("--indicator", "SPM01", "--level", "puskesmas", "--year", "2024", "--through", "Mei"),
        ("--indicator", "ILP_LOKMIN", "--level", "desa", "--year", "2024"),
        ("--indicator", "SPM01", "--level", "provinsi", "--year", "2024"),
    ]
    for args in cases:
        code, _, err = run(capsys, "coverage", "--db", str(fixture_db), *args)
        assert code == 2, args
        assert err.strip(), args
    code, _, err = run(
        capsys,
        "coverage",
        "--db",
        str(tmp_path / "absent.duckdb"),
        "--indicator",
        "SPM01",
        "--level",
        "kabupaten",
        "--year",
        "2024",
    )
    assert code == 2 and "tidak ditemukan" in err
    assert not (tmp_path / "absent.duckdb").exists()  # a read command never creates a database


def test_quality_prints_one_row_per_finding_in_csv_and_json(db_path, tmp_path, capsys):
    import csv as _csv
    import io as _io

    # Maros Baru reports January and March 2024 (no February), uploaded on time (before the 10th).
    text = "period,puskesmas_code,desa_code,service_code,count\n" + "".join(
        f"2024-{m:02d},{MB},73.09.04.2005,KUNJUNGAN_RUMAH,3\n" for m in (1, 3)
    )
    code, _, _ = run(capsys, "ingest", "--db", str(db_path), str(write_text(tmp_path / "c.csv", text)))
    assert code == 0
    code, out, _ = run(capsys, "quality", "--db", str(db_path), "--year", "2024", "--kabupaten", "7309")
    assert code == 0
    rows = list(_csv.DictReader(_io.StringIO(out)))
    assert list(rows[0]) == [
        "check",
        "severity",
        "regency",
        "puskesmas",
        "puskesmas_name",
        "desa",
        "desa_name",
        "period",
        "indicator",
        "value",
        "expected",
        "message",
        "upload_ids",
        "rows",
    ]
    missing = [r for r in rows if r["check"] == "COMP_PUSKESMAS_MONTH"]
    # Maros Baru misses February; Turikale (no data at all) misses January–March.
    assert sorted((r["puskesmas"], r["period"]) for r in missing) == [
        (MB, "2024-02"),
        ("P7309140201", "2024-01"),
        ("P7309140201", "2024-02"),
        ("P7309140201", "2024-03"),
    ]
    assert missing[0]["message"].endswith("tidak ada data untuk " + missing[0]["period"] + ".")
    code, out, _ = run(
        capsys,
        "quality",
        "--db",
        str(db_path),
        "--year",
        "2024",
        "--through",
        "2024-01",
        "--format",
        "json",
        "--lang",
        "en",
    )
    data = json.loads(out)
    assert code == 0 and {r["period"] for r in data if r["check"] == "COMP_PUSKESMAS_MONTH"} == {"2024-01"}
    assert any("no data for 2024-01" in r["message"] for r in data)


def test_quality_bad_usage_exits_2(db_path, capsys):
    code, _, err = run(capsys, "quality", "--db", str(db_path), "--year", "2024", "--through", "2023-05")
    assert code == 2 and "--through" in err


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the database read-write for `seconds` (as the dashboard during a run)."""
    code = (
        "import sys, time, duckdb\n"
        "con = duckdb.connect(sys.argv[1]); print('held', flush=True)\n"
        "time.sleep(float(sys.argv[2])); con.close(); print('free', flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_command_waits_for_a_held_database_and_then_exits_75(db_path, capsys, monkeypatch):
    monkeypatch.setenv("ILP_DB_LOCK_WAIT_SECONDS", "1")
    holder = _holder(db_path, 30)
    try:
        code, out, err = run(capsys, "--db", str(db_path), "users", "list")
    finally:
        holder.kill()
        holder.wait()
    assert code == 75 and out == ""
    assert "basis data sedang dipakai" in err and "menunggu" in err and "Traceback" not in err


def test_a_command_waits_its_turn_and_runs_once_the_database_is_free(db_path, capsys, monkeypatch):
    monkeypatch.setenv("ILP_DB_LOCK_WAIT_SECONDS", "60")
    holder = _holder(db_path, 1.5)
    try:
        code, out, err = run(capsys, "--db", str(db_path), "users", "list")
    finally:
        holder.kill()
        holder.wait()
    assert code == 0 and "username" in out
    assert "menunggu" in err
    assert not db_path.with_name(db_path.name + ".wait").exists()  # the marker went with the wait
