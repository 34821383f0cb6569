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
    assert report["refusals"] == [{"row": 3, "column": "Jumlah", "reason_code": "not_number",
                                   "reason": "Nilai 'lima' bukan angka"}]
    code, out, _ = run(capsys, "ingest", "--db", str(db_path), "--dry-run", str(good := write_text(
        tmp_path / "ok.csv", HEADER + f"2024-03,{MB},ANC_K1,5\n")))
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
    done = subprocess.run([sys.executable, "-m", "ilp_metrics", "init", "--db", str(db)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
