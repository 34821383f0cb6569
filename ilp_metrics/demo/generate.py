"""Reproducible generator of the demo districts' upload files (Kabupaten Maros and Luwu Utara, 2022–2025).

`generate(out_dir, seed=2024)` writes the files a district data manager would receive — registries,
targets (sasaran), readiness checklists (kesiapan), monthly aggregate reports (capaian) and individual
service records (layanan) — plus `manifest.json` (kind, upload date and order of every file). Nothing is
written to a database here; `build.py` loads the files through the real ingest path.

Design (see docs/demo.md for the assumptions and their sources):
- one synthetic population per puskesmas area (persons with desa, sex, birth date, NIK, name and chronic
  conditions), so a person keeps the same NIK across services and years and every aggregate report is
  counted from the same simulated people as the individual records;
- a coverage level per puskesmas and month: its own baseline, a slow secular drift, and a ramp of +ramp
  over the 12 months after its own ILP start; every service draws from that level;
- the planted data-quality defects of `ilp_metrics.demo.DEFECTS` and nothing else defective.

NIKs are generated at run time from the seed (kecamatan code + birth date, +40 on the day for women,
+ serial). No NIK-like number is ever written into the repository.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ilp_metrics.demo import names as _names
from ilp_metrics.demo import places
from ilp_metrics.demo.places import PUSKESMAS, REGENCIES, Puskesmas

# --------------------------------------------------------------------------------------------------
# Vocabulary (DATA_CONTRACT §5 and the catalogue)

SERVICES: tuple[str, ...] = (
    "ANC_K1",
    "ANC_K6",
    "KUNJUNGAN_ANC",
    "PERSALINAN_FASKES",
    "KF_LENGKAP",
    "KN_LENGKAP",
    "IMUNISASI_DASAR_LENGKAP",
    "BALITA_DIPANTAU",
    "BALITA_DITIMBANG",
    "SKRINING_STUNTING",
    "SKRINING_ANAK_SEKOLAH",
    "SKRINING_ANEMIA_REMAJA",
    "SKRINING_USIA_PRODUKTIF",
    "SKRINING_LANSIA",
    "YANKES_HIPERTENSI",
    "YANKES_DM",
    "YANKES_ODGJ_BERAT",
    "SKRINING_KANKER_SERVIKS",
    "SKRINING_KANKER_PAYUDARA",
    "YANKES_TERDUGA_TB",
    "PENGOBATAN_TB",
    "TES_HIV",
    "KASUS_DBD",
    "KUNJUNGAN_RUMAH",
)
S = {code: i for i, code in enumerate(SERVICES)}
# Aggregate reports count events for these; for every other service they count NEW persons served that
# month (persons not yet served with that service earlier in the same calendar year).
EVENT_SERVICES = frozenset({"KUNJUNGAN_ANC", "BALITA_DITIMBANG", "KASUS_DBD", "KUNJUNGAN_RUMAH"})

RESULTS: tuple[str, ...] = (
    "",
    "normal",
    "stunting",
    "anemia",
    "sembuh",
    "pengobatan_lengkap",
    "gagal",
    "meninggal",
    "putus_berobat",
)
R = {code: i for i, code in enumerate(RESULTS)}

TARGET_GROUPS: tuple[str, ...] = (
    "penduduk",
    "ibu_hamil",
    "ibu_bersalin",
    "bayi_baru_lahir",
    "bayi",
    "balita",
    "anak_usia_sekolah",
    "remaja",
    "usia_produktif",
    "lansia",
    "penderita_hipertensi",
    "penderita_dm",
    "odgj_berat",
    "terduga_tb",
    "berisiko_hiv",
    "wus",
    "remaja_putri",
)
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

READINESS_ITEMS: tuple[str, ...] = (
    "KLASTER_TERBENTUK",
    "JUMLAH_DESA",
    "DESA_DENGAN_PUSTU",
    "JUMLAH_POSYANDU",
    "POSYANDU_ILP",
    "JUMLAH_KADER",
    "KADER_TERLATIH",
    "LOKMIN_BULANAN",
    "PWS_DIGUNAKAN",
    "LAPORAN_WAJIB",
    "LAPORAN_TEPAT_WAKTU",
)

# --------------------------------------------------------------------------------------------------
# Demographic assumptions (documented in docs/demo.md)

YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025)
CBR = 0.0175  # crude birth rate, Sulawesi Selatan (K)
GROWTH = 0.011  # population growth per year
SHARE = {  # share of the population (age structure close to Sulawesi Selatan's, K)
    "bayi": 0.0172,  # 0–11 months: CBR less infant deaths
    "balita": 0.090,  # 0–59 months
    "anak_usia_sekolah": 0.163,  # 7–15 years (basic-education age)
    "remaja": 0.143,  # 10–17 years
    "usia_produktif": 0.627,  # 15–59 years
    "lansia": 0.102,  # 60+ years
    "wus": 0.1375,  # women aged 30–50 (cancer screening target; half of the 30–50 share of the pyramid)
    "remaja_putri": 0.018,  # girls aged 12 and 15 (grades 7 and 10): two single-year cohorts of girls
}
SHARE_15PLUS = 0.729
PREV_HT = 0.30  # hypertension, of the population aged 15+ (Riskesdas 2018 by measurement ≈ 31–34 %)
PREV_DM = 0.020  # diabetes, of the population aged 15+ (Riskesdas 2018, doctor-diagnosed, 15+)
ODGJ_PER_HH = 0.007  # households with a person with psychosis/schizophrenia (Riskesdas 2018: 7 ‰)
PERSONS_PER_HH = 4.0
TB_INCIDENCE = 0.00354  # per person-year (WHO estimate for Indonesia, ≈ 354 per 100,000, K)
TB_TERDUGA_PER_CASE = 10  # presumptive TB persons per expected case (programme rule of thumb, K)
HIV_KEYPOP = 0.004  # key populations, STI and TB patients, of the population (K, demo assumption)

# Age pyramid for persons born before 2021 (age at 2025-07-01, years, share in % of the population).
_PYRAMID = (
    (4.5, 5, 0.9),
    (5, 10, 9.2),
    (10, 15, 9.0),
    (15, 20, 8.8),
    (20, 25, 8.6),
    (25, 30, 8.0),
    (30, 35, 7.5),
    (35, 40, 7.2),
    (40, 45, 6.8),
    (45, 50, 6.0),
    (50, 55, 5.2),
    (55, 60, 4.6),
    (60, 65, 3.7),
    (65, 70, 2.7),
    (70, 75, 1.8),
    (75, 92, 2.0),
)


def _ceil(x: float) -> int:
    return math.ceil(round(x, 9))


def sasaran_for(penduduk: int) -> dict[str, int]:
    """Annual targets of one desa from its population (PWS formulas, each rounded up at desa level)."""
    p = penduduk
    ibu_hamil = _ceil(1.10 * CBR * p)
    return {
        "penduduk": p,
        "ibu_hamil": ibu_hamil,
        "ibu_bersalin": _ceil(1.05 * CBR * p),
        "bayi_baru_lahir": _ceil(CBR * p),
        "bayi": _ceil(SHARE["bayi"] * p),
        "balita": _ceil(SHARE["balita"] * p),
        "anak_usia_sekolah": _ceil(SHARE["anak_usia_sekolah"] * p),
        "remaja": _ceil(SHARE["remaja"] * p),
        "usia_produktif": _ceil(SHARE["usia_produktif"] * p),
        "lansia": _ceil(SHARE["lansia"] * p),
        "penderita_hipertensi": _ceil(PREV_HT * SHARE_15PLUS * p),
        "penderita_dm": _ceil(PREV_DM * SHARE_15PLUS * p),
        "odgj_berat": _ceil(ODGJ_PER_HH * p / PERSONS_PER_HH),
        "terduga_tb": _ceil(TB_TERDUGA_PER_CASE * TB_INCIDENCE * p),
        "berisiko_hiv": ibu_hamil + _ceil(HIV_KEYPOP * p),
        "wus": _ceil(SHARE["wus"] * p),
        "remaja_putri": _ceil(SHARE["remaja_putri"] * p),
    }


# --------------------------------------------------------------------------------------------------
# Calendar helpers: days are int64 days since 1970-01-01; month index mi = 0 for 2022-01.

_EPOCH = date(1970, 1, 1)
FIRST_DAY = (date(2022, 1, 1) - _EPOCH).days
_M0 = (2022 - 1970) * 12
N_MONTHS = 60  # 2022-01 .. 2026-12
_MONTH_START = np.array(
    [(date(2022 + m // 12, m % 12 + 1, 1) - _EPOCH).days for m in range(N_MONTHS + 1)], dtype=np.int64
)
_MONTH_LEN = np.diff(_MONTH_START)
_MONTH_START = _MONTH_START[:-1]


def _days(d: date) -> int:
    return (d - _EPOCH).days


def _mi(days: np.ndarray) -> np.ndarray:
    """Month index (0 = 2022-01) of day numbers; may be negative or ≥ 60."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - _M0


def _mi_of(d: date) -> int:
    return (d.year - 2022) * 12 + d.month - 1


def _period(mi: int) -> str:
    return f"{2022 + mi // 12}-{mi % 12 + 1:02d}"


def _no_sunday(days: np.ndarray, birth: np.ndarray) -> np.ndarray:
    """Puskesmas and posyandu are closed on Sunday: move Sunday services to Monday, or to Saturday when
    Monday falls in the next month (unless Saturday is before the person's birth)."""
    sunday = (days + 3) % 7 == 6  # 1970-01-01 was a Thursday
    plus, minus = days + 1, days - 1
    use_minus = (_mi(plus) != _mi(days)) & (minus >= birth)
    return np.where(sunday, np.where(use_minus, minus, plus), days)


# --------------------------------------------------------------------------------------------------
# Areas


@dataclass
class Desa:
    code: str
    name: str
    puskesmas: str
    kelurahan: bool
    penduduk: dict[int, int] = field(default_factory=dict)  # year -> population


@dataclass
class Areas:
    desa: list[Desa]
    by_puskesmas: dict[str, list[int]]  # puskesmas code -> indices into desa


def _reference_villages() -> list[tuple[str, str]]:
    from ilp_metrics.core.db import REFERENCE_DIR

    rows = []
    with open(REFERENCE_DIR / "villages.csv", encoding="utf-8", newline="") as fh:
        for code, district, name in csv.reader(fh):
            if district[:5] in ("73.09", "73.22"):
                rows.append((code, name))
    rows.sort()
    return rows


def build_areas(seed: int, scale: float = 1.0) -> Areas:
    """All real desa of both regencies, their puskesmas and population per year (seeded split)."""
    villages = _reference_villages()
    by_kec: dict[str, list[Puskesmas]] = {}
    for p in PUSKESMAS:
        by_kec.setdefault(p.district_code, []).append(p)
    desa: list[Desa] = []
    for code, name in villages:
        kec = code[:8]
        pks = by_kec[kec]
        pk = pks[0]
        if len(pks) > 1:
            pk = places.BY_NAME["Seko Barat"] if code in places.SEKO_BARAT_DESA else places.BY_NAME["Seko"]
        desa.append(Desa(code, name, pk.code, code[9] == "1"))
    by_pk: dict[str, list[int]] = {p.code: [] for p in PUSKESMAS}
    for i, d in enumerate(desa):
        by_pk[d.puskesmas].append(i)

    for r_i, reg in enumerate(REGENCIES):
        rng = np.random.default_rng([seed, 1, r_i])
        pks = places.puskesmas_of(reg.code)
        total_w = sum(p.kec_weight for p in pks)
        idx: list[int] = []
        weights: list[float] = []
        for p in pks:
            members = by_pk[p.code]
            w = rng.lognormal(0.0, 0.45, size=len(members))
            w *= np.array([2.2 if desa[i].kelurahan else 1.0 for i in members])
            w = w / w.sum() * p.kec_weight / total_w
            idx.extend(members)
            weights.extend(w.tolist())
        wts = np.array(weights)
        for year in YEARS:
            total = round(reg.population * scale / (1 + GROWTH) ** (2025 - year))
            raw = wts * total
            alloc = np.floor(raw).astype(np.int64)
            rest = total - int(alloc.sum())
            order = np.argsort(-(raw - alloc), kind="stable")
            alloc[order[:rest]] += 1
            for i, n in zip(idx, alloc):
                desa[i].penduduk[year] = max(int(n), 1)
    return Areas(desa, by_pk)


# --------------------------------------------------------------------------------------------------
# Coverage levels: each puskesmas's own baseline, drift and ILP ramp

REMOTE = ("Rampi", "Seko", "Seko Barat", "Rongkong")


@dataclass
class Levels:
    base: float
    ramp: float
    start_mi: int
    level: np.ndarray  # N_MONTHS
    ilp: np.ndarray  # 0..1 ramp progress per month
    stunting: np.ndarray  # stunting prevalence per month
    dbd_rate: np.ndarray  # dengue cases per person-year, per year index


def build_levels(seed: int, p_index: int, pk: Puskesmas) -> Levels:
    rng = np.random.default_rng([seed, 2, p_index])
    lo, hi = (0.42, 0.55) if pk.name in REMOTE else (0.50, 0.76)
    base = pk.base if pk.base is not None else float(rng.uniform(lo, hi))
    ramp = pk.ramp if pk.ramp is not None else float(rng.uniform(0.10, 0.24))
    start_mi = _mi_of(pk.ilp_start)
    m = np.arange(N_MONTHS)
    ilp = np.clip((m - start_mi + 1) / 12.0, 0.0, 1.0)
    noise = rng.normal(0.0, 0.012, size=N_MONTHS)
    level = np.clip(base + 0.008 * m / 12.0 + ramp * ilp + noise, 0.10, 0.93)
    prev0 = rng.uniform(0.18, 0.32)
    stunting = np.clip(prev0 - 0.012 * m / 12.0 - 0.05 * ilp * (ramp / 0.2), 0.05, 0.5)
    dbd_mean = 45e-5 if pk.regency_code == "73.09" else 60e-5
    dbd_rate = dbd_mean * rng.lognormal(0.0, 0.35, size=len(YEARS))
    return Levels(base, ramp, start_mi, level, ilp, stunting, dbd_rate)


# --------------------------------------------------------------------------------------------------
# Population of one puskesmas area and its services

_REF_MID = _days(date(2025, 7, 1))
_SEASON_FLAT = np.array([1.0, 1.0, 1.05, 1.0, 0.95, 0.9, 0.95, 1.05, 1.05, 1.05, 1.0, 0.85])
_SEASON_SCHOOL = np.array([1.1, 1.2, 1.1, 0.8, 0.7, 0.4, 0.7, 1.4, 1.4, 1.2, 1.0, 0.5])
_SEASON_DBD = np.array([1.6, 1.7, 1.5, 1.2, 0.9, 0.6, 0.5, 0.4, 0.4, 0.6, 0.9, 1.3])


def _norm(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


@dataclass
class Events:
    day: np.ndarray
    person: np.ndarray
    service: np.ndarray
    result: np.ndarray


class _Area:
    """Simulated people and services of one puskesmas area."""

    def __init__(self, seed: int, p_index: int, pk: Puskesmas, areas: Areas, levels: Levels, end_day: int):
        self.pk = pk
        self.lv = levels
        self.end_day = end_day
        self.rng = np.random.default_rng([seed, 3, p_index])
        self.desa_idx = areas.by_puskesmas[pk.code]
        self.desa = [areas.desa[i] for i in self.desa_idx]
        self._parts: list[tuple[np.ndarray, np.ndarray, int | np.ndarray, int | np.ndarray]] = []
        self._make_population()

    # ---- population -------------------------------------------------------------------------------
    def _make_population(self) -> None:
        rng = self.rng
        births_start, births_end = _days(date(2021, 1, 1)), _days(date(2026, 9, 30))
        month_starts = np.array([_days(date(2021 + k // 12, k % 12 + 1, 1)) for k in range(70)], dtype=np.int64)
        month_lens = np.diff(np.append(month_starts, _days(date(2026, 11, 1))))
        month_years = np.array([2021 + k // 12 for k in range(70)])
        lows = np.array([g[0] for g in _PYRAMID])
        highs = np.array([g[1] for g in _PYRAMID])
        probs = _norm(np.array([g[2] for g in _PYRAMID]))
        desa_l, birth_l = [], []
        for j, d in enumerate(self.desa):
            pen = np.array(
                [d.penduduk[min(max(y, 2022), 2025)] * (1 + GROWTH) ** max(0, y - 2025) for y in month_years]
            )
            n_month = rng.poisson(CBR * pen / 12.0)
            mstart = np.repeat(month_starts, n_month)
            mlen = np.repeat(month_lens, n_month)
            b_recent = mstart + np.floor(rng.random(len(mstart)) * mlen).astype(np.int64)
            b_recent = b_recent[(b_recent >= births_start) & (b_recent <= births_end)]
            n_old = max(0, d.penduduk[2025] - int((b_recent <= _REF_MID).sum()))
            g = rng.choice(len(_PYRAMID), size=n_old, p=probs)
            age = lows[g] + rng.random(n_old) * (highs[g] - lows[g])
            b_old = _REF_MID - np.floor(age * 365.25).astype(np.int64)
            births = np.concatenate([b_old, b_recent])
            birth_l.append(births)
            desa_l.append(np.full(len(births), j, dtype=np.int32))
        self.birth = np.concatenate(birth_l)
        self.pdesa = np.concatenate(desa_l)
        n = len(self.birth)
        self.n = n
        self.female = rng.random(n) < 0.5
        self.no_nik = rng.random(n) < 0.015
        self.first = rng.integers(0, 1000, n)
        self.second = rng.integers(0, 1000, n)
        age25 = (_REF_MID - self.birth) / 365.25
        self.hajj = (age25 >= 45) & (rng.random(n) < 0.25)
        ht_p = np.select(
            [age25 < 15, age25 < 25, age25 < 35, age25 < 45, age25 < 55, age25 < 65],
            [0.0, 0.08, 0.15, 0.28, 0.42, 0.55],
            0.65,
        )
        self.ht = rng.random(n) < ht_p
        dm_p = np.select([age25 < 15, age25 < 35, age25 < 45, age25 < 55], [0.0, 0.005, 0.015, 0.04], 0.06)
        self.dm = rng.random(n) < dm_p
        self.odgj = (age25 >= 15) & (rng.random(n) < 0.0030)
        self.u_ht = rng.random(n)
        self.u_dm = rng.random(n)
        self.u_odgj = rng.random(n)
        self.u_stunt = rng.random(n)
        self.u_anemia = rng.random(n)
        self.posyandu_day = rng.integers(5, 24, len(self.desa))
        self.nd = len(self.desa)

    def age_at(self, day: int | np.ndarray, who: np.ndarray | None = None) -> np.ndarray:
        b = self.birth if who is None else self.birth[who]
        return (day - b) / 365.25

    def sas(self, year: int, group: str) -> np.ndarray:
        return np.array([sasaran_for(d.penduduk[year])[group] for d in self.desa], dtype=np.float64)

    def ratio(self, year: int, group: str, eligible: np.ndarray) -> np.ndarray:
        """Per desa: target / eligible simulated persons (calibrates probabilities to the sasaran)."""
        cnt = np.bincount(self.pdesa[eligible], minlength=self.nd).astype(np.float64)
        return np.where(cnt > 0, self.sas(year, group) / np.maximum(cnt, 1.0), 0.0)

    def L(self, days: np.ndarray) -> np.ndarray:
        return self.lv.level[np.clip(_mi(days), 0, N_MONTHS - 1)]

    def add(self, days, persons, service: str, result=0) -> None:
        days = np.asarray(days, dtype=np.int64)
        if len(days):
            self._parts.append((days, np.asarray(persons, dtype=np.int64), S[service], result))

    def rand_days_in_months(self, mi: np.ndarray) -> np.ndarray:
        return _MONTH_START[mi] + np.floor(self.rng.random(len(mi)) * _MONTH_LEN[mi]).astype(np.int64)

    # ---- services ---------------------------------------------------------------------------------
    def simulate(self) -> Events:
        self._maternal()
        self._infants()
        for year in YEARS:
            self._balita(year)
            self._annual_screenings(year)
            self._chronic(year)
            self._tb_hiv(year)
            self._dbd_home_visits(year)
        days = np.concatenate([p[0] for p in self._parts])
        persons = np.concatenate([p[1] for p in self._parts])
        service = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in self._parts])
        result = np.concatenate([np.broadcast_to(np.asarray(p[3], dtype=np.int8), p[0].shape) for p in self._parts])
        # Deliveries happen any day; every other service moves off Sundays.
        days = np.where(service == S["PERSALINAN_FASKES"], days, _no_sunday(days, self.birth[persons]))
        keep = (days >= FIRST_DAY) & (days <= self.end_day)
        ev = Events(days[keep], persons[keep], service[keep], result[keep])
        order = np.lexsort((ev.service, ev.person, ev.day))
        ev = Events(ev.day[order], ev.person[order], ev.service[order], ev.result[order])
        # One record per person, service and day (two simulated visits can fall on the same day): exact
        # duplicates are a planted defect, never an accident.
        same = (ev.day[1:] == ev.day[:-1]) & (ev.person[1:] == ev.person[:-1]) & (ev.service[1:] == ev.service[:-1])
        first = np.r_[True, ~same]
        return Events(ev.day[first], ev.person[first], ev.service[first], ev.result[first])

    def _maternal(self) -> None:
        rng = self.rng
        lo, hi = _days(date(2022, 1, 1)), _days(date(2026, 9, 30))
        babies = np.nonzero((self.birth >= lo) & (self.birth <= hi))[0]
        mid = _days(date(2024, 1, 1))
        age_mid = self.age_at(mid)
        mothers = np.full(len(babies), -1, dtype=np.int64)
        for j in range(self.nd):
            b = np.nonzero(self.pdesa[babies] == j)[0]
            cand = np.nonzero((self.pdesa == j) & self.female & (age_mid >= 19) & (age_mid <= 40))[0]
            if len(b) == 0 or len(cand) == 0:
                continue
            take = min(len(b), len(cand))
            mothers[b[:take]] = rng.choice(cand, size=take, replace=False)
        ok = mothers >= 0
        babies, mothers = babies[ok], mothers[ok]
        delivery = self.birth[babies]
        n = len(babies)
        lmp = delivery - 280 + rng.normal(0, 6, n).round().astype(np.int64)
        # Coverage level when the pregnancy is first seen (end of first trimester).
        lvl = self.L(lmp + 80)
        p_k1 = np.minimum(0.97, lvl + 0.22)
        has_k1 = rng.random(n) < p_k1
        standard = has_k1 & (rng.random(n) < np.minimum(1.0, np.minimum(0.95, lvl * 1.05) / p_k1))
        # Standard (K6): 1 visit in TM1, 2 in TM2, 3 in TM3, 0–2 extra in TM3.
        v = np.full((n, 8), np.iinfo(np.int64).max, dtype=np.int64)
        r = rng.random((n, 8))
        std = np.column_stack(
            [
                42 + r[:, 0] * 48,
                98 + r[:, 1] * 84,
                98 + r[:, 2] * 84,
                190 + r[:, 3] * 80,
                190 + r[:, 4] * 80,
                190 + r[:, 5] * 80,
                190 + r[:, 6] * 85,
                190 + r[:, 7] * 85,
            ]
        ).astype(np.int64)
        extra = rng.random((n, 2)) < np.array([0.5, 0.3])
        std_mask = np.column_stack([np.ones((n, 6), dtype=bool), extra])
        # Below standard: 1–5 visits from a later first visit to delivery.
        k = rng.choice(np.arange(1, 6), size=n, p=[0.2, 0.25, 0.25, 0.2, 0.1])
        first = 60 + rng.random(n) * 140
        span = np.maximum(280 - 5 - first, 1)
        sub = np.column_stack([first, first[:, None] + rng.random((n, 7)) * span[:, None]]).astype(np.int64)
        sub_mask = np.arange(8)[None, :] < k[:, None]
        offs = np.where(standard[:, None], std, sub)
        mask = np.where(standard[:, None], std_mask, sub_mask) & has_k1[:, None]
        visit = lmp[:, None] + offs
        mask &= visit < delivery[:, None]
        v[mask] = visit[mask]
        v.sort(axis=1)
        nvis = mask.sum(axis=1)
        mom = np.repeat(mothers, nvis)
        all_v = v[v != np.iinfo(np.int64).max]
        # rows of v are sorted, so flattening the valid cells keeps each woman's visits in order
        self.add(all_v, mom, "KUNJUNGAN_ANC")
        with_visits = nvis > 0
        self.add(v[with_visits, 0], mothers[with_visits], "ANC_K1")
        k6 = nvis >= 6
        self.add(v[k6, 5], mothers[k6], "ANC_K6")
        hiv = with_visits & (rng.random(n) < np.minimum(0.95, lvl + 0.15))
        self.add(v[hiv, 0], mothers[hiv], "TES_HIV")
        # Delivery and postpartum.
        lvl_d = self.L(delivery)
        faskes = rng.random(n) < np.minimum(0.97, lvl_d + 0.20)
        self.add(delivery[faskes], mothers[faskes], "PERSALINAN_FASKES")
        kf = rng.random(n) < np.where(faskes, np.minimum(0.95, lvl_d * 0.98 + 0.05), lvl_d * 0.4)
        kf_day = delivery + rng.integers(29, 43, n)
        self.add(kf_day[kf], mothers[kf], "KF_LENGKAP")

    def _infants(self) -> None:
        rng = self.rng
        born = np.nonzero((self.birth >= _days(date(2021, 12, 1))) & (self.birth <= self.end_day))[0]
        kn_day = self.birth[born] + rng.integers(8, 29, len(born))
        kn = rng.random(len(born)) < np.minimum(0.95, self.L(kn_day) + 0.08)
        self.add(kn_day[kn], born[kn], "KN_LENGKAP")
        inf = np.nonzero((self.birth >= _days(date(2021, 1, 1))) & (self.birth <= self.end_day))[0]
        idl_day = self.birth[inf] + rng.integers(270, 336, len(inf))
        idl = rng.random(len(inf)) < np.minimum(0.93, self.L(idl_day) + 0.05)
        self.add(idl_day[idl], inf[idl], "IMUNISASI_DASAR_LENGKAP")

    def _balita(self, year: int) -> None:
        rng = self.rng
        y0 = (year - 2022) * 12
        mis = np.arange(y0, y0 + 12)
        m_start = _MONTH_START[mis]
        m_end = m_start + _MONTH_LEN[mis] - 1
        kids = np.nonzero((self.birth <= m_end[-1]) & (self.birth > m_start[0] - 1826))[0]
        if len(kids) == 0:
            return
        b = self.birth[kids][:, None]
        posy = self.posyandu_day[self.pdesa[kids]][:, None] + rng.integers(-1, 2, (len(kids), 12))
        day = m_start[None, :] + posy - 1
        eligible = (day >= b) & (day - b < 1826)
        part_u = rng.random(len(kids))[:, None]
        lvl = self.lv.level[mis][None, :]
        weighed = eligible & (part_u < np.minimum(0.97, lvl + 0.16)) & (rng.random((len(kids), 12)) < 0.20)
        rows, cols = np.nonzero(weighed)
        self.add(day[rows, cols], kids[rows], "BALITA_DITIMBANG")
        # Served to standard (SPM04): recorded at the child's second weighing of the year.
        nth = np.cumsum(weighed, axis=1)
        second = weighed & (nth == 2)
        r2, c2 = np.nonzero(second)
        self.add(day[r2, c2], kids[r2], "BALITA_DIPANTAU")
        # Height measured in February and August (bulan penimbangan), result stunting / normal.
        meas = weighed & np.isin(np.arange(12), [1, 7])[None, :] & (rng.random((len(kids), 12)) < 0.9)
        r3, c3 = np.nonzero(meas)
        prev = self.lv.stunting[mis][c3]
        res = np.where(self.u_stunt[kids[r3]] < prev, R["stunting"], R["normal"]).astype(np.int8)
        self.add(day[r3, c3], kids[r3], "SKRINING_STUNTING", res)

    def _annual(
        self,
        year: int,
        eligible: np.ndarray,
        group: str,
        factor: float,
        service: str,
        season: np.ndarray,
        cap: float = 0.97,
    ) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        who = np.nonzero(eligible)[0]
        if len(who) == 0:
            return who, who
        ratio = self.ratio(year, group, eligible)[self.pdesa[who]]
        month = rng.choice(12, size=len(who), p=_norm(season))
        mi = (year - 2022) * 12 + month
        p = np.minimum(cap, self.lv.level[mi] * factor) * ratio
        served = rng.random(len(who)) < np.minimum(p, 0.99)
        days = self.rand_days_in_months(mi[served])
        self.add(days, who[served], service)
        return who[served], days

    def _annual_screenings(self, year: int) -> None:
        rng = self.rng
        mid = _days(date(year, 7, 1))
        age = self.age_at(mid)
        alive = self.birth <= mid
        self._annual(
            year, alive & (age >= 7) & (age < 16), "anak_usia_sekolah", 0.85, "SKRINING_ANAK_SEKOLAH", _SEASON_SCHOOL
        )
        # Anaemia screening of girls in grades 7 and 10 (aged about 12 and 15).
        girls = alive & self.female & (((age >= 12) & (age < 13)) | ((age >= 15) & (age < 16)))
        who = np.nonzero(girls)[0]
        month = rng.choice(12, size=len(who), p=_norm(_SEASON_SCHOOL))
        mi = (year - 2022) * 12 + month
        served = rng.random(len(who)) < self.lv.level[mi] * 0.85
        days = self.rand_days_in_months(mi[served])
        res = np.where(self.u_anemia[who[served]] < 0.24, R["anemia"], R["normal"]).astype(np.int8)
        self.add(days, who[served], "SKRINING_ANEMIA_REMAJA", res)
        self._annual(
            year, alive & (age >= 15) & (age < 60), "usia_produktif", 0.40, "SKRINING_USIA_PRODUKTIF", _SEASON_FLAT
        )
        self._annual(year, alive & (age >= 60), "lansia", 0.85, "SKRINING_LANSIA", _SEASON_FLAT)
        # Cervical (IVA) and breast (SADANIS) screening of women aged 30–50, usually on the same day.
        women = np.nonzero(alive & self.female & (age >= 30) & (age <= 50))[0]
        month = rng.choice(12, size=len(women), p=_norm(_SEASON_FLAT))
        mi = (year - 2022) * 12 + month
        iva = rng.random(len(women)) < self.lv.level[mi] * 0.16
        days = self.rand_days_in_months(mi[iva])
        self.add(days, women[iva], "SKRINING_KANKER_SERVIKS")
        both = rng.random(len(days)) < 0.9
        self.add(days[both], women[iva][both], "SKRINING_KANKER_PAYUDARA")

    def _chronic(self, year: int) -> None:
        """Hypertension, DM and ODGJ berat: the same patients year after year, monthly follow-up."""
        rng = self.rng
        mid = _days(date(year, 7, 1))
        age = self.age_at(mid)
        adult = (self.birth <= mid) & (age >= 15)
        for flag, u, group, factor, follow, service in (
            (self.ht, self.u_ht, "penderita_hipertensi", 0.70, 0.12, "YANKES_HIPERTENSI"),
            (self.dm, self.u_dm, "penderita_dm", 0.90, 0.25, "YANKES_DM"),
            (self.odgj, self.u_odgj, "odgj_berat", 1.00, 0.50, "YANKES_ODGJ_BERAT"),
        ):
            elig = adult & flag
            who = np.nonzero(elig)[0]
            if len(who) == 0:
                continue
            ratio = self.ratio(year, group, elig)[self.pdesa[who]]
            m0 = rng.choice(12, size=len(who), p=_norm(_SEASON_FLAT))
            mi0 = (year - 2022) * 12 + m0
            served = u[who] < np.minimum(0.97, self.lv.level[mi0] * factor) * ratio
            who, m0 = who[served], m0[served]
            months = np.arange(12)[None, :]
            visit = (months == m0[:, None]) | ((months > m0[:, None]) & (rng.random((len(who), 12)) < follow))
            rows, cols = np.nonzero(visit)
            mi = (year - 2022) * 12 + cols
            self.add(self.rand_days_in_months(mi), who[rows], service)

    def _tb_hiv(self, year: int) -> None:
        rng = self.rng
        mid = _days(date(year, 7, 1))
        age = self.age_at(mid)
        alive = self.birth <= mid
        examined, days = self._annual(year, alive & (age >= 15), "terduga_tb", 0.75, "YANKES_TERDUGA_TB", _SEASON_FLAT)
        pos = rng.random(len(examined)) < 0.11
        start = days[pos] + rng.integers(3, 22, int(pos.sum()))
        pts = examined[pos]
        self.add(start, pts, "PENGOBATAN_TB")
        ilp = self.lv.ilp[np.clip(_mi(start), 0, N_MONTHS - 1)]
        success = rng.random(len(pts)) < 0.80 + 0.10 * ilp
        fail_kind = rng.choice([R["putus_berobat"], R["meninggal"], R["gagal"]], size=len(pts), p=[0.6, 0.3, 0.1])
        ok_kind = np.where(rng.random(len(pts)) < 0.6, R["sembuh"], R["pengobatan_lengkap"])
        outcome = np.where(success, ok_kind, fail_kind).astype(np.int8)
        self.add(start + rng.integers(170, 201, len(pts)), pts, "PENGOBATAN_TB", outcome)
        hiv_tb = rng.random(len(pts)) < 0.7
        self.add(start[hiv_tb], pts[hiv_tb], "TES_HIV")
        # Key populations and STI patients offered an HIV test.
        kp = np.nonzero(alive & (age >= 18) & (age < 50))[0]
        month = rng.integers(0, 12, len(kp))
        mi = (year - 2022) * 12 + month
        tested = rng.random(len(kp)) < 0.0030 * (0.5 + self.lv.level[mi])
        self.add(self.rand_days_in_months(mi[tested]), kp[tested], "TES_HIV")

    def _dbd_home_visits(self, year: int) -> None:
        rng = self.rng
        y_i = year - 2022
        mid = _days(date(year, 7, 1))
        alive = np.nonzero(self.birth < _days(date(year, 1, 1)))[0]  # born before any case of the year
        age = self.age_at(mid, alive)
        pop = len(alive)
        w = np.where((age >= 5) & (age < 15), 2.0, 1.0)
        w = w / w.sum()
        lam = self.lv.dbd_rate[y_i] * pop * _norm(_SEASON_DBD)
        n_m = rng.poisson(lam)
        mi = np.repeat(np.arange(12) + y_i * 12, n_m)
        if len(mi):
            who = alive[rng.choice(pop, size=len(mi), p=w)]
            self.add(self.rand_days_in_months(mi), who, "KASUS_DBD")
        # Home visits by Pustu staff and kader: rare before ILP, routine after.
        adults = alive[age >= 18]
        mis = np.arange(12) + y_i * 12
        rate = 0.6 + 4.5 * self.lv.ilp[mis] * (self.lv.ramp / 0.2)
        n_m = rng.poisson(rate * pop / 1000.0)
        mi = np.repeat(mis, n_m)
        if len(mi) and len(adults):
            who = adults[rng.integers(0, len(adults), len(mi))]
            self.add(self.rand_days_in_months(mi), who, "KUNJUNGAN_RUMAH")

    # ---- identities ----------------------------------------------------------------------------------
    def identities(self, persons: np.ndarray, sub_offset: int) -> dict[str, np.ndarray]:
        """NIK, name and birth-date strings of the given persons (NIK empty for persons without one)."""
        b = self.birth.astype("datetime64[D]")
        y = b.astype("datetime64[Y]").astype(np.int64) + 1970
        m = b.astype("datetime64[M]").astype(np.int64) % 12 + 1
        d = (b - b.astype("datetime64[M]")).astype(np.int64) + 1
        # Serial: rank among persons of the area with the same birth date and sex (+ offset for a
        # second puskesmas in the same kecamatan), so every NIK is unique.
        order = np.lexsort((np.arange(self.n), self.female, self.birth))
        key = self.birth[order] * 2 + self.female[order]
        new_group = np.r_[True, key[1:] != key[:-1]]
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(self.n), 0))
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n) - group_start
        serial = 1 + sub_offset + rank
        kec = int(self.pk.district_code.replace(".", ""))
        dd = d + 40 * self.female
        nik = kec * 10**10 + dd * 10**8 + m * 10**6 + (y % 100) * 10**4 + serial
        sel = persons
        nik_s = nik[sel].astype(str).astype(object)
        nik_s[self.no_nik[sel]] = ""
        name_s = np.array(
            [
                _names.compose(bool(f), int(a), int(c), bool(h))
                for f, a, c, h in zip(self.female[sel], self.first[sel], self.second[sel], self.hajj[sel])
            ],
            dtype=object,
        )
        return {"nik": nik_s, "name": name_s}


# --------------------------------------------------------------------------------------------------
# File writers

_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _save_xlsx(wb, path: Path) -> None:
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
    return (_EPOCH + timedelta(days=day)).isoformat()


def _fmt_dmy(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%d/%m/%Y")


def _fmt_dmy_dash(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%d-%m-%Y")


# --------------------------------------------------------------------------------------------------
# Manifest


@dataclass
class FileEntry:
    path: str  # relative to the output directory
    kind: str
    uploaded_at: str  # ISO timestamp
    regency: str
    puskesmas: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    rows: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


KIND_ORDER = ("puskesmas", "desa", "sasaran", "kesiapan", "capaian", "layanan")


@dataclass
class Generated:
    out_dir: Path
    files: list[FileEntry]
    defects: list[dict]
    counts: dict[str, int]
    seconds: float

    def ordered(self) -> list[FileEntry]:
        return sorted(self.files, key=lambda f: (KIND_ORDER.index(f.kind), f.uploaded_at, f.path))


def _upload_stamp(rng: np.random.Generator, day: date, lo: int, hi: int) -> str:
    d = day + timedelta(days=int(rng.integers(lo, hi + 1)))
    minutes = int(rng.integers(8 * 60, 15 * 60))
    return datetime(d.year, d.month, d.day, minutes // 60, minutes % 60).isoformat()


def _month_end(mi: int) -> date:
    return _EPOCH + timedelta(days=int(_MONTH_START[mi] + _MONTH_LEN[mi] - 1))


# --------------------------------------------------------------------------------------------------
# The generator

PERSON_SERVICES = tuple(s for s in SERVICES if s not in EVENT_SERVICES)


def generate(
    out_dir: Path | str,
    *,
    seed: int = 2024,
    scale: float = 1.0,
    as_of: str = "2025-12",
    puskesmas: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Write the demo upload files into `out_dir` and return their manifest.

    scale: fraction of the real populations (1.0 = full size; tests use ~0.02).
    as_of: last month of 2025 with data (YYYY-MM, 2025-01 … 2025-12).
    puskesmas: codes or names to limit services, capaian and kesiapan to (registries and sasaran are
    always complete); the data of a puskesmas do not depend on which others are generated.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from ilp_metrics.demo import DEFECTS

    as_of_year, as_of_month = (int(x) for x in as_of.split("-"))
    if as_of_year != 2025 or not 1 <= as_of_month <= 12:
        raise ValueError("as_of must be a month of 2025 (YYYY-MM)")
    last_mi = _mi_of(date(2025, as_of_month, 1))
    end_day = int(_MONTH_START[last_mi] + _MONTH_LEN[last_mi] - 1)

    wanted = None
    if puskesmas is not None:
        wanted = set()
        for p in puskesmas:
            wanted.add(places.BY_CODE[p].code if p in places.BY_CODE else places.BY_NAME[p].code)

    note = progress or (lambda _msg: None)
    areas = build_areas(seed, scale)
    files: list[FileEntry] = []
    counts = {"layanan_rows": 0, "capaian_rows": 0, "capaian_cells": 0, "sasaran_cells": 0, "kesiapan_cells": 0}
    meta_rng = np.random.default_rng([seed, 9])
    defects_realised: list[dict] = []

    files += _write_registries(out, areas)
    for f in files:
        counts[f"{f.kind}_rows"] = counts.get(f"{f.kind}_rows", 0) + f.rows
    for reg in REGENCIES:
        for year in YEARS:
            entry = _write_sasaran(out, areas, reg, year, meta_rng)
            counts["sasaran_cells"] += entry.rows * len(TARGET_GROUPS)
            files.append(entry)

    all_levels = {p.code: build_levels(seed, i, p) for i, p in enumerate(PUSKESMAS)}
    for reg in REGENCIES:
        for year in YEARS:
            entry = _write_kesiapan(out, seed, areas, reg, year, all_levels, last_mi, wanted, scale, meta_rng)
            if entry is not None:
                counts["kesiapan_cells"] += entry.rows * len(READINESS_ITEMS)
                files.append(entry)

    defect_by = {(d["kind"], d["puskesmas_code"]): d for d in DEFECTS}
    for p_index, pk in enumerate(PUSKESMAS):
        if wanted is not None and pk.code not in wanted:
            continue
        note(f"Puskesmas {pk.name}")
        area = _Area(seed, p_index, pk, areas, all_levels[pk.code], end_day)
        ev = area.simulate()
        pk_rng = np.random.default_rng([seed, 4, p_index])
        ev_mi = _mi(ev.day)

        # Missing month: no records of any kind for that puskesmas-month.
        miss = defect_by.get(("missing_month", pk.code))
        if miss is not None:
            mm = _mi_of(date.fromisoformat(miss["period"] + "-01"))
            if mm <= last_mi:
                drop = ev_mi == mm
                ev = Events(ev.day[~drop], ev.person[~drop], ev.service[~drop], ev.result[~drop])
                ev_mi = ev_mi[~drop]
                defects_realised.append({**miss, "rows_removed": int(drop.sum())})

        # Which months are reported as aggregates (Luwu Utara before its ILP start) and which as records.
        start_mi = all_levels[pk.code].start_mi
        aggregate_until = start_mi - 1 if pk.regency_code == "73.22" else -1
        overlap = defect_by.get(("overlap", pk.code))
        overlap_mi = None
        if overlap is not None:
            overlap_mi = _mi_of(date.fromisoformat(overlap["period"] + "-01"))
            aggregate_until = max(aggregate_until, overlap_mi)
        if aggregate_until >= 0:
            files += _write_capaian(
                out, area, ev, ev_mi, aggregate_until, last_mi, pk, defect_by, defects_realised, counts, pk_rng, miss
            )
        first_record_mi = start_mi if pk.regency_code == "73.22" else 0
        rec = ev_mi >= first_record_mi
        if overlap_mi is not None:
            n_ov = int((ev_mi == overlap_mi).sum())
            defects_realised.append({**overlap, "layanan_rows": n_ov})
        files += _write_layanan(
            out,
            area,
            ev,
            rec,
            ev_mi,
            first_record_mi,
            last_mi,
            pk,
            p_index,
            defect_by,
            defects_realised,
            counts,
            pk_rng,
        )

    gen = Generated(out, files, defects_realised, counts, 0.0)
    manifest = {
        "seed": seed,
        "scale": scale,
        "as_of": as_of,
        "puskesmas": sorted(wanted) if wanted is not None else None,
        "files": [f.as_dict() for f in gen.ordered()],
        "defects": defects_realised,
        "counts": counts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    gen.seconds = round(time.perf_counter() - t0, 2)
    return gen


def load_manifest(out_dir: Path | str) -> dict:
    return json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))


# ---- registries ------------------------------------------------------------------------------------


def _write_registries(out: Path, areas: Areas) -> list[FileEntry]:
    from openpyxl import Workbook

    files = []
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


def _write_sasaran(out: Path, areas: Areas, reg, year: int, rng: np.random.Generator) -> FileEntry:
    from openpyxl import Workbook

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
    stamp = _upload_stamp(rng, date(year, 2, 18), 0, 9)
    return FileEntry(
        str(path), "sasaran", stamp, reg.code, period_start=f"{year}-01", period_end=f"{year}-12", rows=len(rows)
    )


# ---- kesiapan --------------------------------------------------------------------------------------


def _write_kesiapan(
    out: Path,
    seed: int,
    areas: Areas,
    reg,
    year: int,
    all_levels: dict[str, Levels],
    last_mi: int,
    wanted: set[str] | None,
    scale: float,
    meta_rng: np.random.Generator,
) -> FileEntry | None:
    from openpyxl import Workbook

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
            vals = _readiness(seed, p_index[p.code], p, areas, all_levels[p.code], scale)[mi]
            ws.append([_period(mi), p.code, p.name, *vals])
            n_rows += 1
    path = Path(reg.key) / "kesiapan" / f"kesiapan_ilp_{reg.key}_{year}.xlsx"
    _save_xlsx(wb, out / path)
    stamp = _upload_stamp(meta_rng, _month_end(months[-1]), 3, 9)
    return FileEntry(
        str(path),
        "kesiapan",
        stamp,
        reg.code,
        period_start=_period(months[0]),
        period_end=_period(months[-1]),
        rows=n_rows,
    )


def _readiness(seed: int, p_index: int, p: Puskesmas, areas: Areas, lv: Levels, scale: float) -> list[list]:
    """Monthly readiness values of one puskesmas, 2022-01 .. 2026-12 (improving after its ILP start)."""
    rng = np.random.default_rng([seed, 5, p_index])
    n_desa = len(areas.by_puskesmas[p.code])
    pop = sum(areas.desa[i].penduduk[2025] for i in areas.by_puskesmas[p.code]) / max(scale, 1e-9)
    posyandu = max(n_desa, round(pop / (940 if p.regency_code == "73.09" else 800)))
    kader = posyandu * 5
    pustu0 = round(n_desa * rng.uniform(0.30, 0.50))
    strength = lv.ramp / 0.2
    out = []
    for mi in range(N_MONTHS):
        g = lv.ilp[mi]
        started = mi >= lv.start_mi
        # Pilot posyandu had moved to all life stages well before the district kick-off.
        pustu = min(n_desa, pustu0 + round((n_desa - pustu0) * min(1.0, g * 1.3) * min(1.0, 0.4 + strength)))
        # Posyandu serving all life stages: about half in the first year, most by the third year (pilot
        # sites reach ~60 % by the Maros kick-off, i.e. ~20 % of all Maros posyandu, as reported).
        later = min(1.0, max(0.0, (mi - lv.start_mi - 12) / 24.0))
        frac = (0.55 * g + 0.40 * later) * min(1.0, 0.5 + strength / 2)
        pos_ilp = round(posyandu * min(0.95, frac)) if started else 0
        trained = round(kader * (0.12 + 0.70 * g * min(1.0, 0.3 + strength)))
        lokmin = int(rng.random() < (0.97 if started else 0.55))
        pws = int(started and mi >= lv.start_mi + 2)
        due = 8
        late_rampi = p.name == "Rampi" and mi >= _mi_of(date(2025, 1, 1))
        on_time = int(min(due, rng.binomial(due, 0.35 if late_rampi else (0.9 if started else 0.65))))
        out.append([int(started), n_desa, pustu, posyandu, pos_ilp, kader, trained, lokmin, pws, due, on_time])
    return out


# ---- capaian ---------------------------------------------------------------------------------------


def _write_capaian(
    out: Path,
    area: _Area,
    ev: Events,
    ev_mi: np.ndarray,
    aggregate_until: int,
    last_mi: int,
    pk: Puskesmas,
    defect_by: dict,
    defects_realised: list,
    counts: dict,
    rng: np.random.Generator,
    missing: dict | None,
) -> list[FileEntry]:
    """Wide monthly aggregate reports (one row per desa × month) for the months before the ILP start."""
    files = []
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
    missing_mi = _mi_of(date.fromisoformat(missing["period"] + "-01")) if missing else None
    for year in YEARS:
        y0 = (year - 2022) * 12
        months = [m for m in range(y0, y0 + 12) if m <= min(aggregate_until, last_mi) and m != missing_mi]
        if not months:
            continue
        sel = counted & (ev_mi >= y0) & (ev_mi < y0 + 12)
        cube = np.zeros((12, nd, n_s), dtype=np.int64)
        np.add.at(cube, (ev_mi[sel] - y0, desa[sel], ev.service[sel]), 1)
        if outlier is not None and outlier["period"].startswith(f"{year}-"):
            om = _mi_of(date.fromisoformat(outlier["period"] + "-01")) - y0
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
        cols: dict[str, list] = {
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
                cols["Periode"].append(_period(m))
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
        stamp = _upload_stamp(rng, _month_end(months[-1]), 2, 8)
        files.append(
            FileEntry(
                str(path), "capaian", stamp, reg.code, pk.code, _period(months[0]), _period(months[-1]), table.num_rows
            )
        )
    return files


def _slug(name: str) -> str:
    return name.replace(" ", "_")


# ---- layanan ---------------------------------------------------------------------------------------

_LAYOUTS = {
    "canon": dict(
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
    "id": dict(
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
    "cp1252": dict(
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


def _write_layanan(
    out: Path,
    area: _Area,
    ev: Events,
    rec: np.ndarray,
    ev_mi: np.ndarray,
    first_mi: int,
    last_mi: int,
    pk: Puskesmas,
    p_index: int,
    defect_by: dict,
    defects_realised: list,
    counts: dict,
    rng: np.random.Generator,
) -> list[FileEntry]:
    files = []
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
            dm = _mi_of(date.fromisoformat(dup["period"] + "-01"))
            cand = idx[ev_mi[idx] == dm]
            n_dup = min(int(dup.get("rows", 30)), len(cand))
            if n_dup:
                chosen = np.sort(rng.choice(cand, size=n_dup, replace=False))
                idx = np.sort(np.concatenate([idx, chosen]), kind="stable")
                defects_realised.append({**dup, "rows_duplicated": n_dup})
        if len(idx) == 0:
            continue
        table = _layanan_table(area, ev, idx, ident, pos, pk, layout)
        mark = f"{_period(months[0])}" if len(months) == 1 else str(year)
        path = Path(reg.key) / "layanan" / str(year) / f"layanan_{mark}_{pk.code}_{_slug(pk.name)}.csv"
        _write_csv_table(table, out / path, sep=layout["sep"], encoding=layout["encoding"], bom=pk.name in _BOM)
        counts["layanan_rows"] += table.num_rows
        if late_year == year:
            deadline = date(2022 + (months[-1] + 1) // 12, (months[-1] + 1) % 12 + 1, 10)
            stamp = _upload_stamp(rng, deadline, 25, 45)
            defects_realised.append(
                {
                    **late,
                    "period": _period(months[0]),
                    "uploaded_at": stamp,
                    "days_late": (date.fromisoformat(stamp[:10]) - deadline).days,
                }
            )
        else:
            stamp = _upload_stamp(rng, _month_end(months[-1]), 2, 8)
        files.append(
            FileEntry(
                str(path), "layanan", stamp, reg.code, pk.code, _period(months[0]), _period(months[-1]), table.num_rows
            )
        )
    return files


def _layanan_table(
    area: _Area, ev: Events, idx: np.ndarray, ident: dict, pos: np.ndarray, pk: Puskesmas, layout: dict
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
