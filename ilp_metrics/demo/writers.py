"""The demo's upload files, written from the simulated data as messy as district files are.

Excel registries and sasaran with title rows, merged cells and numbers typed as text; capaian as wide
CSV tables; layanan as CSV in three layouts (separators, date formats, cp1252, BOM). Every file is
byte-reproducible for a seed (XLSX timestamps are fixed).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from openpyxl import Workbook

from ilp_metrics.demo import places
from ilp_metrics.demo.areas import YEARS, Areas, sasaran_for
from ilp_metrics.demo.calendar import EPOCH, month_end, month_index_of, period
from ilp_metrics.demo.levels import Levels, readiness_values
from ilp_metrics.demo.manifest import FileEntry
from ilp_metrics.demo.places import PUSKESMAS, REGENCIES, Puskesmas, Regency
from ilp_metrics.demo.population import Area, Events
from ilp_metrics.demo.vocabulary import EVENT_SERVICES, READINESS_ITEMS, RESULTS, SERVICES, TARGET_GROUPS, S

Defects = dict[tuple[str, str], dict[str, Any]]  # (kind, puskesmas code) -> planted defect of DEFECTS

# Header of each target group in the wide sasaran tables (as district spreadsheets write them).
TARGET_HEADERS = {
    "penduduk": "Penduduk",
    "ibu_hamil": "Bumil",
    "ibu_bersalin": "Bulin",
    "bayi_baru_lahir": "Bayi Baru Lahir",
    "bayi": "Bayi",
    "balita": "Balita",
    "anak_usia_sekolah": "Anak Usia Sekolah",
    "remaja": "Remaja",
    "usia_produktif": "Usia Produktif",
    "lansia": "Lansia",
    "penderita_hipertensi": "Penderita Hipertensi",
    "penderita_dm": "Penderita DM",
    "odgj_berat": "ODGJ Berat",
    "terduga_tb": "Terduga TB",
    "berisiko_hiv": "Berisiko HIV",
    "wus": "WUS",
    "remaja_putri": "Rematri",
}


_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _save_xlsx(wb: Any, path: Path) -> None:
    """Save an openpyxl workbook byte-reproducibly (fixed document and zip-entry timestamps)."""
    stamp = datetime(2025, 1, 1)
    wb.properties.creator = "Dinas Kesehatan"
    wb.properties.lastModifiedBy = "Dinas Kesehatan"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the clock on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2025-01-01T00:00:00Z\g<2>", data)
            zout.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _write_csv_table(table: pa.Table, path: Path, sep: str, encoding: str = "utf-8", bom: bool = False) -> None:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(delimiter=sep, quoting_style="none", include_header=False))
    data = (sep.join(table.column_names) + "\n").encode("utf-8") + sink.getvalue().to_pybytes()
    if encoding != "utf-8":
        data = data.decode("utf-8").encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _lookup(values: np.ndarray, fmt: Callable[[int], str]) -> pa.Array:
    """Format an int array through its unique values (fast for dates and codes)."""
    uniq, inv = np.unique(values, return_inverse=True)
    table = pa.array([fmt(int(u)) for u in uniq], type=pa.string())
    return pc.take(table, pa.array(inv.astype(np.int32)))


def _fmt_iso(day: int) -> str:
    return (EPOCH + timedelta(days=day)).isoformat()


def _fmt_dmy(day: int) -> str:
    return (EPOCH + timedelta(days=day)).strftime("%d/%m/%Y")


def _fmt_dmy_dash(day: int) -> str:
    return (EPOCH + timedelta(days=day)).strftime("%d-%m-%Y")


def upload_stamp(rng: np.random.Generator, day: date, lo: int, hi: int) -> str:
    d = day + timedelta(days=int(rng.integers(lo, hi + 1)))
    minutes = int(rng.integers(8 * 60, 15 * 60))
    return datetime(d.year, d.month, d.day, minutes // 60, minutes % 60).isoformat()


# ---- registries ------------------------------------------------------------------------------------


def write_registries(out: Path, areas: Areas) -> list[FileEntry]:
    files: list[FileEntry] = []
    for reg in REGENCIES:
        wb = Workbook()
        ws = wb.active
        ws.title = "Puskesmas"
        ws.append([f"DAFTAR PUSKESMAS {reg.name.upper()}"])
        ws.append(["Keadaan per 10 Januari 2022 (tanggal mulai ILP sesuai rencana Dinas Kesehatan)"])
        ws.append([])
        ws.append(
            [
                "No",
                "Kode Puskesmas",
                "Nama Puskesmas",
                "Kode Kabupaten",
                "Kode Kecamatan",
                "Tanggal Mulai ILP",
                "Kohort",
                "Lintang",
                "Bujur",
            ]
        )
        pks = places.puskesmas_of(reg.code)
        for i, p in enumerate(pks, 1):
            start: datetime | str
            lat: float | str
            lon: float | str
            if reg.code == "73.09":  # Maros: real Excel dates and numbers
                start = datetime(p.ilp_start.year, p.ilp_start.month, p.ilp_start.day)
                lat, lon = p.latitude, p.longitude
            else:  # Luwu Utara: dates and decimals typed as Indonesian text
                start = p.ilp_start.strftime("%d/%m/%Y")
                lat, lon = f"{p.latitude:.3f}".replace(".", ","), f"{p.longitude:.3f}".replace(".", ",")
            ws.append([i, p.code, p.name, reg.code, p.district_code, start, reg.cohort, lat, lon])
            if isinstance(start, datetime):
                ws.cell(row=ws.max_row, column=6).number_format = "DD/MM/YYYY"
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
        path = Path("registri") / f"daftar_puskesmas_{reg.key}.xlsx"
        _save_xlsx(wb, out / path)
        files.append(FileEntry(str(path), "puskesmas", "2022-01-10T09:00:00", reg.code, rows=len(pks)))

    for reg in REGENCIES:
        rows = [d for d in areas.desa if d.code.startswith(reg.code + ".")]
        buf = io.StringIO()
        if reg.code == "73.09":  # semicolons, undotted codes, with the puskesmas name
            w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
            w.writerow(["Kode Desa", "Nama Desa", "Kode Puskesmas", "Nama Puskesmas"])
            for d in rows:
                w.writerow([d.code.replace(".", ""), d.name, d.puskesmas, places.BY_CODE[d.puskesmas].name])
        else:
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["desa_code", "desa_name", "puskesmas_code"])
            for d in rows:
                w.writerow([d.code, d.name, d.puskesmas])
        path = Path("registri") / f"daftar_desa_{reg.key}.csv"
        (out / path).write_text(buf.getvalue(), encoding="utf-8", newline="")
        files.append(FileEntry(str(path), "desa", "2022-01-10T09:30:00", reg.code, rows=len(rows)))
    return files


# ---- sasaran ---------------------------------------------------------------------------------------


def write_sasaran(out: Path, areas: Areas, reg: Regency, year: int, rng: np.random.Generator) -> FileEntry:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Sasaran {year}"
    ws.append([f"SASARAN PROGRAM KESEHATAN {reg.name.upper()}"])
    ws.append([f"TAHUN {year} (PROYEKSI PENDUDUK, PEMBULATAN KE ATAS PER DESA)"])
    header = ["No", "Kode Desa", "Nama Desa", "Tahun"] + [TARGET_HEADERS[g] for g in TARGET_GROUPS]
    ws.append(header)
    rows = [d for d in areas.desa if d.code.startswith(reg.code + ".")]
    totals = dict.fromkeys(TARGET_GROUPS, 0)
    for i, d in enumerate(rows, 1):
        sas = sasaran_for(d.penduduk[year])
        as_text = i % 3 == 0  # every third row typed as text, with Indonesian thousands dots
        vals: list[object] = []
        for g in TARGET_GROUPS:
            totals[g] += sas[g]
            vals.append(_thousands(sas[g]) if as_text else sas[g])
        ws.append([i, d.code, d.name, year, *vals])
    ws.append(["JUMLAH", None, None, None] + [totals[g] for g in TARGET_GROUPS])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    path = Path(reg.key) / "sasaran" / f"sasaran_{reg.key}_{year}.xlsx"
    _save_xlsx(wb, out / path)
    stamp = upload_stamp(rng, date(year, 2, 18), 0, 9)
    return FileEntry(
        str(path), "sasaran", stamp, reg.code, period_start=f"{year}-01", period_end=f"{year}-12", rows=len(rows)
    )


# ---- kesiapan --------------------------------------------------------------------------------------


def write_kesiapan(
    out: Path,
    seed: int,
    areas: Areas,
    reg: Regency,
    year: int,
    all_levels: dict[str, Levels],
    last_mi: int,
    wanted: set[str] | None,
    scale: float,
    meta_rng: np.random.Generator,
) -> FileEntry | None:
    pks = [p for p in places.puskesmas_of(reg.code) if wanted is None or p.code in wanted]
    if not pks:
        return None
    y0 = (year - 2022) * 12
    months = [m for m in range(y0, y0 + 12) if m <= last_mi]
    wb = Workbook()
    ws = wb.active
    ws.title = "Kesiapan ILP"
    ws.append([f"REKAPITULASI KESIAPAN INTEGRASI LAYANAN PRIMER {reg.name.upper()} TAHUN {year}"])
    ws.append(["Sumber: laporan bulanan Puskesmas (Klaster 1 Manajemen)"])
    ws.append(["Periode", "Kode Puskesmas", "Nama Puskesmas", *list(READINESS_ITEMS)])
    n_rows = 0
    p_index = {p.code: i for i, p in enumerate(PUSKESMAS)}
    for mi in months:
        for p in pks:
            vals = readiness_values(seed, p_index[p.code], p, areas, all_levels[p.code], scale)[mi]
            ws.append([period(mi), p.code, p.name, *vals])
            n_rows += 1
    path = Path(reg.key) / "kesiapan" / f"kesiapan_ilp_{reg.key}_{year}.xlsx"
    _save_xlsx(wb, out / path)
    stamp = upload_stamp(meta_rng, month_end(months[-1]), 3, 9)
    return FileEntry(
        str(path),
        "kesiapan",
        stamp,
        reg.code,
        period_start=period(months[0]),
        period_end=period(months[-1]),
        rows=n_rows,
    )


# ---- capaian ---------------------------------------------------------------------------------------


def write_capaian(
    out: Path,
    area: Area,
    ev: Events,
    ev_mi: np.ndarray,
    aggregate_until: int,
    last_mi: int,
    pk: Puskesmas,
    defect_by: Defects,
    defects_realised: list[dict[str, Any]],
    counts: dict[str, int],
    rng: np.random.Generator,
    missing: dict[str, Any] | None,
) -> list[FileEntry]:
    """Wide monthly aggregate reports (one row per desa × month) for the months before the ILP start."""
    files: list[FileEntry] = []
    reg = places.regency(pk.regency_code)
    nd = area.nd
    n_s = len(SERVICES)
    year_of = ev_mi // 12
    is_event = np.array([s in EVENT_SERVICES for s in SERVICES])
    # First service of each person in each year (for person-based services).
    key = (year_of * n_s + ev.service) * (area.n + 1) + ev.person
    _, first_idx = np.unique(key, return_index=True)
    first = np.zeros(len(ev.day), dtype=bool)
    first[first_idx] = True
    counted = np.where(is_event[ev.service], True, first)
    desa = area.pdesa[ev.person]
    outlier = defect_by.get(("outlier", pk.code))
    missing_mi = month_index_of(date.fromisoformat(missing["period"] + "-01")) if missing else None
    for year in YEARS:
        y0 = (year - 2022) * 12
        months = [m for m in range(y0, y0 + 12) if m <= min(aggregate_until, last_mi) and m != missing_mi]
        if not months:
            continue
        sel = counted & (ev_mi >= y0) & (ev_mi < y0 + 12)
        cube = np.zeros((12, nd, n_s), dtype=np.int64)
        np.add.at(cube, (ev_mi[sel] - y0, desa[sel], ev.service[sel]), 1)
        if outlier is not None and outlier["period"].startswith(f"{year}-"):
            om = month_index_of(date.fromisoformat(outlier["period"] + "-01")) - y0
            s_i = S[outlier["service"]]
            per_month = cube[:, :, s_i].sum(axis=1)
            others = [m - y0 for m in months if m - y0 != om]
            usual = float(np.mean(per_month[others])) if others else 1.0
            factor = float(rng.uniform(11.0, 14.0))
            target = round(factor * max(usual, 1.0))
            j = int(np.argmax(cube[om, :, s_i] + np.array([d.penduduk[year] for d in area.desa]) * 1e-9))
            cube[om, j, s_i] += max(0, target - int(per_month[om]))
            defects_realised.append(
                {**outlier, "usual_monthly": round(usual, 2), "reported": target, "desa_code": area.desa[j].code}
            )
        cols: dict[str, list[Any]] = {
            "Periode": [],
            "Kode Puskesmas": [],
            "Nama Puskesmas": [],
            "Kode Desa": [],
            "Nama Desa": [],
        }
        for s in SERVICES:
            cols[s] = []
        for m in months:
            for j, d in enumerate(area.desa):
                cols["Periode"].append(period(m))
                cols["Kode Puskesmas"].append(pk.code)
                cols["Nama Puskesmas"].append(pk.name)
                cols["Kode Desa"].append(d.code)
                cols["Nama Desa"].append(d.name)
                for s_i, s in enumerate(SERVICES):
                    cols[s].append(int(cube[m - y0, j, s_i]))
        table = pa.table(cols)
        path = Path(reg.key) / "capaian" / str(year) / f"capaian_{year}_{pk.code}_{_slug(pk.name)}.csv"
        _write_csv_table(table, out / path, sep=",")
        counts["capaian_rows"] += table.num_rows
        counts["capaian_cells"] += table.num_rows * n_s
        stamp = upload_stamp(rng, month_end(months[-1]), 2, 8)
        files.append(
            FileEntry(
                str(path), "capaian", stamp, reg.code, pk.code, period(months[0]), period(months[-1]), table.num_rows
            )
        )
    return files


def _slug(name: str) -> str:
    return name.replace(" ", "_")


# ---- layanan ---------------------------------------------------------------------------------------


class Layout(TypedDict):
    """How one puskesmas's record files look: separator, encoding, date format, codes, headers."""

    sep: str
    encoding: str
    dates: Callable[[int], str]
    dotted: bool  # desa codes with dots
    names: bool  # puskesmas and desa names next to their codes, sex spelled out
    headers: tuple[str, ...]


_LAYOUTS: dict[str, Layout] = {
    "canon": Layout(
        sep=",",
        encoding="utf-8",
        dates=_fmt_iso,
        dotted=True,
        names=False,
        headers=(
            "service_date",
            "puskesmas_code",
            "desa_code",
            "nik",
            "name",
            "birth_date",
            "sex",
            "service_code",
            "result",
        ),
    ),
    "id": Layout(
        sep=";",
        encoding="utf-8",
        dates=_fmt_dmy,
        dotted=False,
        names=False,
        headers=(
            "Tanggal Pelayanan",
            "Kode Puskesmas",
            "Kode Desa",
            "NIK",
            "Nama",
            "Tgl Lahir",
            "JK",
            "Layanan",
            "Hasil",
        ),
    ),
    "cp1252": Layout(
        sep=";",
        encoding="cp1252",
        dates=_fmt_dmy_dash,
        dotted=False,
        names=True,
        headers=(
            "Tanggal Pelayanan",
            "Kode Puskesmas",
            "Nama Puskesmas",
            "Kode Desa",
            "Nama Desa",
            "NIK",
            "Nama",
            "Tgl Lahir",
            "Jenis Kelamin",
            "Layanan",
            "Hasil",
        ),
    ),
}
_BOM = ("Turikale", "Masamba")


def write_layanan(
    out: Path,
    area: Area,
    ev: Events,
    rec: np.ndarray,
    ev_mi: np.ndarray,
    first_mi: int,
    last_mi: int,
    pk: Puskesmas,
    p_index: int,
    defect_by: Defects,
    defects_realised: list[dict[str, Any]],
    counts: dict[str, int],
    rng: np.random.Generator,
) -> list[FileEntry]:
    files: list[FileEntry] = []
    reg = places.regency(pk.regency_code)
    layout = _LAYOUTS[pk.style]
    sub_offset = 5000 if pk.code.endswith("0202") else 0
    dup = defect_by.get(("duplicate", pk.code))
    late = defect_by.get(("late", pk.code))
    late_year = int(late["period"][:4]) if late else None
    # identities of everybody appearing in this puskesmas's records
    people = np.unique(ev.person[rec])
    ident = area.identities(people, sub_offset)
    pos = np.full(area.n, -1, dtype=np.int64)
    pos[people] = np.arange(len(people))

    chunks: list[tuple[int, list[int]]] = []
    for year in YEARS:
        y0 = (year - 2022) * 12
        months = [m for m in range(max(y0, first_mi), y0 + 12) if m <= last_mi]
        if not months:
            continue
        if late_year == year:
            chunks += [(year, [m]) for m in months]
        else:
            chunks.append((year, months))
    for year, months in chunks:
        sel = rec & (ev_mi >= months[0]) & (ev_mi <= months[-1])
        idx = np.nonzero(sel)[0]
        if dup is not None and dup["period"].startswith(f"{year}-") and len(months) > 1:
            dm = month_index_of(date.fromisoformat(dup["period"] + "-01"))
            cand = idx[ev_mi[idx] == dm]
            n_dup = min(int(dup.get("rows", 30)), len(cand))
            if n_dup:
                chosen = np.sort(rng.choice(cand, size=n_dup, replace=False))
                idx = np.sort(np.concatenate([idx, chosen]), kind="stable")
                defects_realised.append({**dup, "rows_duplicated": n_dup})
        if len(idx) == 0:
            continue
        table = _layanan_table(area, ev, idx, ident, pos, pk, layout)
        mark = f"{period(months[0])}" if len(months) == 1 else str(year)
        path = Path(reg.key) / "layanan" / str(year) / f"layanan_{mark}_{pk.code}_{_slug(pk.name)}.csv"
        _write_csv_table(table, out / path, sep=layout["sep"], encoding=layout["encoding"], bom=pk.name in _BOM)
        counts["layanan_rows"] += table.num_rows
        if late is not None and late_year == year:
            deadline = date(2022 + (months[-1] + 1) // 12, (months[-1] + 1) % 12 + 1, 10)
            stamp = upload_stamp(rng, deadline, 25, 45)
            defects_realised.append(
                {
                    **late,
                    "period": period(months[0]),
                    "uploaded_at": stamp,
                    "days_late": (date.fromisoformat(stamp[:10]) - deadline).days,
                }
            )
        else:
            stamp = upload_stamp(rng, month_end(months[-1]), 2, 8)
        files.append(
            FileEntry(
                str(path), "layanan", stamp, reg.code, pk.code, period(months[0]), period(months[-1]), table.num_rows
            )
        )
    return files


def _layanan_table(
    area: Area,
    ev: Events,
    idx: np.ndarray,
    ident: dict[str, np.ndarray],
    pos: np.ndarray,
    pk: Puskesmas,
    layout: Layout,
) -> pa.Table:
    persons = ev.person[idx]
    ip = pa.array(pos[persons].astype(np.int64))
    dates = _lookup(ev.day[idx], layout["dates"])
    births = _lookup(area.birth[persons], layout["dates"])
    desa_codes = [d.code if layout["dotted"] else d.code.replace(".", "") for d in area.desa]
    desa_col = pc.take(pa.array(desa_codes), pa.array(area.pdesa[persons]))
    nik = pc.take(pa.array(ident["nik"].tolist(), type=pa.string()), ip)
    name = pc.take(pa.array(ident["name"].tolist(), type=pa.string()), ip)
    sex_vals = ["Laki-laki", "Perempuan"] if layout["names"] else ["L", "P"]
    sex = pc.take(pa.array(sex_vals), pa.array(area.female[persons].astype(np.int8)))
    service = pc.take(pa.array(list(SERVICES)), pa.array(ev.service[idx]))
    result = pc.take(pa.array([r or None for r in RESULTS], type=pa.string()), pa.array(ev.result[idx]))
    n = len(idx)
    pk_code = pa.array([pk.code] * n, type=pa.string())
    h = layout["headers"]
    if layout["names"]:
        pk_name = pa.array([pk.name] * n, type=pa.string())
        desa_name = pc.take(pa.array([d.name for d in area.desa]), pa.array(area.pdesa[persons]))
        cols = [dates, pk_code, pk_name, desa_col, desa_name, nik, name, births, sex, service, result]
    else:
        cols = [dates, pk_code, desa_col, nik, name, births, sex, service, result]
    return pa.Table.from_arrays(cols, names=list(h))
