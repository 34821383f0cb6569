"""Demo data generator: determinism, registries, sasaran formulas, the coverage story, planted defects.

Generation runs at a small scale (2 % of the real populations) so the whole module takes a few seconds.
No NIK-like number appears in this file: NIKs are generated at run time and checked by structure.
"""

from __future__ import annotations

import csv
import filecmp
import io
import json
import math
import re
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ilp_metrics.demo import DEFECTS, places
from ilp_metrics.demo.generate import generate, load_manifest

from .fixtures.small_demo import SmallDemo

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.02


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, seed=2024, scale=SCALE)
    return out


# ---------------------------------------------------------------- helpers

_CANON = {
    "service_date": "date",
    "Tanggal Pelayanan": "date",
    "puskesmas_code": "pk",
    "Kode Puskesmas": "pk",
    "desa_code": "desa",
    "Kode Desa": "desa",
    "nik": "nik",
    "NIK": "nik",
    "name": "name",
    "Nama": "name",
    "birth_date": "birth",
    "Tgl Lahir": "birth",
    "sex": "sex",
    "JK": "sex",
    "Jenis Kelamin": "sex",
    "service_code": "service",
    "Layanan": "service",
    "result": "result",
    "Hasil": "result",
}


def _parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    return rows[0], rows[1:]


def layanan_rows(out: Path, pk_code: str | None = None) -> list[dict]:
    records = []
    for entry in load_manifest(out)["files"]:
        if entry["kind"] != "layanan" or (pk_code and entry["puskesmas"] != pk_code):
            continue
        header, rows = _read_csv(out / entry["path"])
        keys = [_CANON.get(h) for h in header]
        for r in rows:
            rec = {k: v for k, v in zip(keys, r) if k}
            rec["date"] = _parse_date(rec["date"])
            rec["birth"] = _parse_date(rec["birth"])
            rec["desa"] = rec["desa"].replace(".", "")
            rec["sex"] = {"Laki-laki": "L", "Perempuan": "P"}.get(rec["sex"], rec["sex"])
            rec["file"] = entry["path"]
            records.append(rec)
    return records


def capaian_rows(out: Path, pk_code: str) -> list[dict]:
    records = []
    for entry in load_manifest(out)["files"]:
        if entry["kind"] == "capaian" and entry["puskesmas"] == pk_code:
            header, rows = _read_csv(out / entry["path"])
            records += [dict(zip(header, r)) for r in rows]
    return records


def person_id(rec: dict) -> str:
    return rec["nik"] or f"{rec['name']}|{rec['birth']}|{rec['desa']}"


def sheet_rows(path: Path) -> list[tuple]:
    ws = load_workbook(path, read_only=True).active
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def as_int(v) -> int:
    return int(str(v).replace(".", "")) if isinstance(v, str) else int(v)


def reference_desa(regency: str) -> dict[str, str]:
    with open(ROOT / "data" / "reference" / "villages.csv", encoding="utf-8", newline="") as fh:
        return {code: name for code, district, name in csv.reader(fh) if district.startswith(regency + ".")}


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 2024), (b, 2024), (c, 7)):
        generate(out, seed=seed, scale=0.01, puskesmas=["Maros Baru", "Masamba", "Rampi"])
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) > 20
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel
    differing = [rel for rel in files if (c / rel).exists() and not filecmp.cmp(a / rel, c / rel, shallow=False)]
    assert any("layanan" in str(rel) for rel in differing)
    assert any("sasaran" in str(rel) for rel in differing)


def test_subset_gives_the_same_data_for_its_puskesmas(demo, tmp_path):
    generate(tmp_path, seed=2024, scale=SCALE, puskesmas=["Masamba"])
    for entry in load_manifest(tmp_path)["files"]:
        if entry["kind"] in ("layanan", "capaian"):
            assert filecmp.cmp(tmp_path / entry["path"], demo / entry["path"], shallow=False)


# ---------------------------------------------------------------- registries


def test_puskesmas_registries(demo):
    counts = {}
    for key, regency, title in (
        ("maros", "73.09", "DAFTAR PUSKESMAS KABUPATEN MAROS"),
        ("luwu_utara", "73.22", "DAFTAR PUSKESMAS KABUPATEN LUWU UTARA"),
    ):
        rows = sheet_rows(demo / "registri" / f"daftar_puskesmas_{key}.xlsx")
        assert rows[0][0] == title
        header_at = next(i for i, r in enumerate(rows) if r[1] == "Kode Puskesmas")
        data = [r for r in rows[header_at + 1 :] if r[1]]
        counts[regency] = len(data)
        lat_min, lat_max, lon_min, lon_max = places.BBOX[regency]
        for r in data:
            assert re.fullmatch(r"P\d{10}", r[1])
            assert r[1][1:7] == r[4].replace(".", "")  # code built from the kecamatan code
            lat, lon = (float(str(v).replace(",", ".")) for v in (r[7], r[8]))
            assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max, r
        assert len({r[1] for r in data}) == len(data)
    assert counts == {"73.09": 14, "73.22": 16}
    names = {p.name for p in places.PUSKESMAS}
    assert {"Mallawa", "Seko", "Seko Barat", "Maros Baru", "Turikale"} <= names
    assert places.BY_NAME["Maros Baru"].code == "P" + "7309040201"


def test_every_real_desa_assigned_once(demo):
    assigned: Counter = Counter()
    pk_of = {}
    for key in ("maros", "luwu_utara"):
        _header, rows = _read_csv(demo / "registri" / f"daftar_desa_{key}.csv")
        for r in rows:
            code = r[0] if "." in r[0] else f"{r[0][:2]}.{r[0][2:4]}.{r[0][4:6]}.{r[0][6:]}"
            assigned[code] += 1
            pk_of[code] = r[2]
    for regency, n in (("73.09", 103), ("73.22", 173)):
        ref = reference_desa(regency)
        assert len(ref) == n
        assert all(assigned[c] == 1 for c in ref)
    assert sum(assigned.values()) == 276
    for code, pk in pk_of.items():
        assert places.BY_CODE[pk].district_code == code[:8]  # each desa goes to its kecamatan's puskesmas
    seko = {pk_of[c] for c in pk_of if c.startswith("73.22.07.")}
    assert seko == {places.code_for("Seko"), places.code_for("Seko Barat")}
    assert Counter(pk_of[c] for c in pk_of if c.startswith("73.22.07.")).most_common()[-1][1] >= 4


# ---------------------------------------------------------------- sasaran


def test_sasaran_formulas_for_one_desa(tmp_path):
    generate(tmp_path, seed=2024, scale=1.0, puskesmas=[])  # registries and sasaran only, real sizes
    rows = sheet_rows(tmp_path / "maros" / "sasaran" / "sasaran_maros_2024.xlsx")
    assert len([r for r in rows[:3] if r[1] is None]) == 2  # two title rows above the header
    header = list(rows[2])
    assert header[:4] == ["No", "Kode Desa", "Nama Desa", "Tahun"]
    data = [r for r in rows[3:] if r[1]]
    assert len(data) == 103
    assert any(isinstance(r[4], str) and "." in r[4] for r in data)  # numbers as text, thousands dots
    row = dict(zip(header, data[0]))
    p = as_int(row["Penduduk"])
    cbr = 0.0175
    assert as_int(row["Bumil"]) == math.ceil(1.10 * cbr * p)
    assert as_int(row["Bulin"]) == math.ceil(1.05 * cbr * p)
    assert as_int(row["Bayi Baru Lahir"]) == math.ceil(cbr * p)
    assert as_int(row["Balita"]) == math.ceil(0.090 * p)
    assert as_int(row["Usia Produktif"]) == math.ceil(0.627 * p)
    assert as_int(row["Lansia"]) == math.ceil(0.102 * p)
    assert as_int(row["Penderita Hipertensi"]) == math.ceil(0.30 * 0.729 * p)
    assert as_int(row["Penderita DM"]) == math.ceil(0.02 * 0.729 * p)
    assert as_int(row["ODGJ Berat"]) == math.ceil(0.007 * p / 4)
    assert as_int(row["Berisiko HIV"]) == as_int(row["Bumil"]) + math.ceil(0.004 * p)
    total = rows[-1]
    assert total[0] == "JUMLAH"
    assert as_int(total[4]) == sum(as_int(r[4]) for r in data)
    assert as_int(total[4]) == round(414_406 / 1.011)  # 2024 = 2025 population less one year's growth


# ---------------------------------------------------------------- the coverage story


def _k6_coverage(out: Path, pk_name: str) -> dict[int, float]:
    pk = places.code_for(pk_name)
    desa = {d.replace(".", "") for d in _desa_of(out, pk)}
    targets = {}
    for year in (2022, 2023, 2024, 2025):
        rows = sheet_rows(out / "maros" / "sasaran" / f"sasaran_maros_{year}.xlsx")
        header = list(rows[2])
        col = header.index("Bumil")
        targets[year] = sum(as_int(r[col]) for r in rows[3:] if r[1] and r[1].replace(".", "") in desa)
    persons: dict[int, set] = {y: set() for y in targets}
    for rec in layanan_rows(out, pk):
        if rec["service"] == "ANC_K6":
            persons[rec["date"].year].add(person_id(rec))
    return {y: len(persons[y]) / targets[y] for y in targets}


def _desa_of(out: Path, pk: str) -> list[str]:
    _header, rows = _read_csv(out / "registri" / "daftar_desa_maros.csv")
    return [r[0] for r in rows if r[2] == pk]


def test_coverage_rises_after_own_ilp_start(tmp_path):
    generate(tmp_path, seed=2024, scale=0.3, puskesmas=["Maros Baru"])
    cov = _k6_coverage(tmp_path, "Maros Baru")  # pilot: ILP from 2023-01-01
    assert places.BY_NAME["Maros Baru"].ilp_start == date(2023, 1, 1)
    assert 0.45 <= cov[2022] <= 0.80
    assert cov[2023] > cov[2022] + 0.03
    assert cov[2025] > cov[2022] + 0.10


def test_services_reach_the_right_people(demo):
    rows = layanan_rows(demo, places.code_for("Turikale"))
    assert len(rows) > 1000
    months = Counter()
    for r in rows:
        age = (r["date"] - r["birth"]).days / 365.25
        s = r["service"]
        if s in ("ANC_K1", "ANC_K6", "KUNJUNGAN_ANC", "PERSALINAN_FASKES", "KF_LENGKAP"):
            assert r["sex"] == "P" and 15 <= age < 50, r
        elif s in ("SKRINING_KANKER_SERVIKS", "SKRINING_KANKER_PAYUDARA", "SKRINING_ANEMIA_REMAJA"):
            assert r["sex"] == "P"
        if s == "KN_LENGKAP":
            assert (r["date"] - r["birth"]).days <= 29
        elif s == "IMUNISASI_DASAR_LENGKAP":
            assert age < 1.0
        elif s in ("BALITA_DITIMBANG", "BALITA_DIPANTAU", "SKRINING_STUNTING"):
            assert age < 5.0
        elif s == "SKRINING_LANSIA":
            assert age >= 59.5
        elif s in ("SKRINING_USIA_PRODUKTIF", "YANKES_HIPERTENSI", "YANKES_DM"):
            assert age >= 14.5
        assert r["date"].weekday() != 6 or s == "PERSALINAN_FASKES"  # closed on Sundays
        if s == "SKRINING_STUNTING":
            assert r["result"] in ("stunting", "normal")
        elif s == "SKRINING_ANEMIA_REMAJA":
            assert r["result"] in ("anemia", "normal")
        elif s == "PENGOBATAN_TB":
            assert r["result"] in ("", "sembuh", "pengobatan_lengkap", "gagal", "meninggal", "putus_berobat")
        else:
            assert r["result"] == ""
        months[r["date"].strftime("%Y-%m")] += 1
    assert len(months) == 48  # every month of 2022–2025 has records


def test_every_record_is_valid(demo):
    _header, rows = _read_csv(demo / "registri" / "daftar_desa_luwu_utara.csv")
    desa_pk = {r[0].replace(".", ""): r[2] for r in rows}
    _header, rows = _read_csv(demo / "registri" / "daftar_desa_maros.csv")
    desa_pk.update({r[0]: r[2] for r in rows})
    rows = layanan_rows(demo)
    assert len(rows) > 20_000
    for r in rows:
        assert date(2022, 1, 1) <= r["date"] <= date(2025, 12, 31)
        assert r["birth"] <= r["date"], r
        assert r["sex"] in ("L", "P")
        assert r["nik"] or r["name"]
        assert desa_pk[r["desa"]] == r["pk"]


def test_nik_structure_and_stable_identity(demo):
    rows = layanan_rows(demo, places.code_for("Turikale"))
    by_nik: dict[str, tuple] = {}
    missing = 0
    for r in rows:
        nik = r["nik"]
        if not nik:
            missing += 1
            assert r["name"] and r["birth"]
            continue
        assert len(nik) == 16 and nik.isdigit()
        assert nik[:6] == "730914"
        b = r["birth"]
        day = int(nik[6:8]) - (40 if r["sex"] == "P" else 0)
        assert (day, int(nik[8:10]), int(nik[10:12])) == (b.day, b.month, b.year % 100)
        assert nik[12:] != "0000"
        person = (r["birth"], r["sex"], r["name"], r["desa"])
        assert by_nik.setdefault(nik, person) == person  # one NIK, one person, across services and years
    assert 0.005 < missing / len(rows) < 0.03


def test_luwu_utara_switches_from_aggregates_to_records(demo):
    pk = places.BY_NAME["Baebunta"]  # ILP from 2024-07-01
    cap = capaian_rows(demo, pk.code)
    periods = {r["Periode"] for r in cap}
    assert min(periods) == "2022-01" and max(periods) == "2024-06"
    rec_months = {r["date"].strftime("%Y-%m") for r in layanan_rows(demo, pk.code)}
    assert min(rec_months) == "2024-07" and max(rec_months) == "2025-12"


# ---------------------------------------------------------------- planted defects


def test_defects_list_is_complete():
    kinds = {d["kind"] for d in DEFECTS}
    assert kinds == {"late", "missing_month", "duplicate", "outlier", "overlap"}
    for d in DEFECTS:
        assert set(d) >= {"kind", "puskesmas_code", "period", "service", "description"}
        assert d["puskesmas_code"] in places.BY_CODE


def _defect(kind: str) -> dict:
    return next(d for d in DEFECTS if d["kind"] == kind)


def test_missing_month_has_no_rows(demo):
    d = _defect("missing_month")
    assert all(r["Periode"] != d["period"] for r in capaian_rows(demo, d["puskesmas_code"]))
    assert all(r["date"].strftime("%Y-%m") != d["period"] for r in layanan_rows(demo, d["puskesmas_code"]))
    months = {r["Periode"] for r in capaian_rows(demo, d["puskesmas_code"])} | {
        r["date"].strftime("%Y-%m") for r in layanan_rows(demo, d["puskesmas_code"])
    }
    assert "2025-02" in months and "2025-04" in months  # only that month is missing


def test_late_uploads(demo):
    d = _defect("late")
    files = [
        f for f in load_manifest(demo)["files"] if f["kind"] == "layanan" and f["puskesmas"] == d["puskesmas_code"]
    ]
    assert files and all(f["period_start"] == f["period_end"] for f in files)  # monthly files
    for f in files:
        y, m = (int(x) for x in f["period_end"].split("-"))
        deadline = date(y + m // 12, m % 12 + 1, 10)
        late = (datetime.fromisoformat(f["uploaded_at"]).date() - deadline).days
        assert 25 <= late <= 45, f
    others = [
        f
        for f in load_manifest(demo)["files"]
        if f["kind"] in ("layanan", "capaian") and f["puskesmas"] != d["puskesmas_code"]
    ]
    for f in others:
        y, m = (int(x) for x in f["period_end"].split("-"))
        deadline = date(y + m // 12, m % 12 + 1, 10)
        assert datetime.fromisoformat(f["uploaded_at"]).date() <= deadline, f


def test_duplicate_rows(demo):
    d = _defect("duplicate")
    rows = layanan_rows(demo, d["puskesmas_code"])
    keys = Counter((r["nik"], r["name"], r["service"], r["date"], r["result"]) for r in rows)
    dups = {k: n for k, n in keys.items() if n > 1}
    assert 20 <= sum(n - 1 for n in dups.values()) <= 40
    assert {k[3].strftime("%Y-%m") for k in dups} == {d["period"]}


def test_outlier_month(demo):
    d = _defect("outlier")
    monthly = Counter()
    for r in capaian_rows(demo, d["puskesmas_code"]):
        if r["Periode"].startswith(d["period"][:4]):
            monthly[r["Periode"]] += int(r[d["service"]])
    spike = monthly.pop(d["period"])
    usual = max(1.0, sum(monthly.values()) / len(monthly))
    assert 10 * usual <= spike <= 15 * usual


def test_overlap_month(demo):
    d = _defect("overlap")
    cap = [r for r in capaian_rows(demo, d["puskesmas_code"]) if r["Periode"] == d["period"]]
    rec = [r for r in layanan_rows(demo, d["puskesmas_code"]) if r["date"].strftime("%Y-%m") == d["period"]]
    assert cap and rec
    # the aggregate counts the same events as the records (event-based service)
    assert sum(int(r["KUNJUNGAN_ANC"]) for r in cap) == sum(1 for r in rec if r["service"] == "KUNJUNGAN_ANC")
    prev = {r["Periode"] for r in capaian_rows(demo, d["puskesmas_code"])}
    assert "2024-08" not in prev


def test_as_of_limits_2025(tmp_path):
    generate(tmp_path, seed=2024, scale=0.01, as_of="2025-06", puskesmas=["Maros Baru"])
    last = max(r["date"] for r in layanan_rows(tmp_path))
    assert date(2025, 6, 1) <= last <= date(2025, 6, 30)


# ---------------------------------------------------------------- no NIK in the repository


def _repo_text_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        paths = [ROOT / p for p in out if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts]
    return [p for p in paths if p.is_file() and p.stat().st_size < 50_000_000]


def test_no_nik_like_number_in_repository():
    pattern = re.compile(rb"(?<![0-9])[0-9]{16}(?![0-9])")
    offenders = []
    for path in _repo_text_files():
        data = path.read_bytes()
        if b"\x00" in data[:4096]:
            continue  # binary
        if pattern.search(data):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# ---------------------------------------------------------------- through the real ingest


def test_build_demo_through_ingest(small_demo: SmallDemo):
    db, summary = small_demo.path, small_demo.summary
    assert db.exists() and not db.with_name("demo.building.duckdb").exists()
    rows = summary["rows"]
    assert rows["puskesmas"] == 30 and rows["desa"] == 276
    assert rows["sasaran"] == 276 * 17 * 4  # 17 target groups (incl. remaja_putri), 4 years
    assert rows["layanan"] > 300 and rows["capaian"] > 1000 and rows["kesiapan"] > 0
    assert rows["upload_refusals"] == 0
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        uploaded_by = {r[0] for r in con.execute("SELECT DISTINCT uploaded_by FROM uploads").fetchall()}
        assert uploaded_by == {"demo"}
        d = _defect("overlap")
        both = con.execute(
            "SELECT (SELECT count(*) FROM layanan WHERE puskesmas_code = $p AND strftime(service_date, '%Y-%m') = $m),"
            " (SELECT count(*) FROM capaian WHERE puskesmas_code = $p AND strftime(period, '%Y-%m') = $m)",
            {"p": d["puskesmas_code"], "m": d["period"]},
        ).fetchone()
        assert both[0] > 0 and both[1] > 0
    finally:
        con.close()
    manifest = json.loads((small_demo.files / "manifest.json").read_text(encoding="utf-8"))
    assert summary["files"] == len(manifest["files"])
