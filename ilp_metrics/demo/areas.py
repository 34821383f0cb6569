"""The demo's desa: every real desa of both regencies, its puskesmas, its population and its sasaran.

Demographic assumptions are documented in docs/demo.md; (K) marks a figure not yet verified.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

from ilp_metrics.demo import places
from ilp_metrics.demo.places import PUSKESMAS, REGENCIES, Puskesmas

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
PYRAMID = (
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
