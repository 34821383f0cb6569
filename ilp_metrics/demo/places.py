"""Static facts of the two demo districts: regencies, puskesmas, ILP start dates, coordinates.

Sources (see docs/demo.md): PRODUCT.md and research/ilp_domain_brief.md for populations, puskesmas
counts and the Maros / Luwu Utara ILP story; Kemendagri codes from data/reference (idn-area-data).
Everything marked *synthetic* or *approximate* below is invented for the demo:

- puskesmas codes are synthetic, in the Kemenkes style `P` + 10 digits built from the Kemendagri
  kecamatan code (`P7309040201` = kecamatan 73.09.04 + `0201`; Seko Barat gets `0202`);
- coordinates are approximate kecamatan seats (to about 0.05°), good enough for a map, not for GIS;
- kecamatan population weights are rounded approximations used only to split the regency total;
- baseline and ramp levels are story parameters, not measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Regency:
    code: str  # Kemendagri, dotted
    name: str  # as in the reference, title case
    population: int  # Kepmendagri 2025
    cohort: str
    key: str  # short file-name key


@dataclass(frozen=True)
class Puskesmas:
    code: str
    name: str
    regency_code: str
    district_code: str  # kecamatan, dotted
    ilp_start: date
    latitude: float
    longitude: float
    kec_weight: float  # approximate kecamatan population (thousands) used as a split weight
    style: str  # layanan file layout: 'id' (semicolon, Indonesian headers), 'canon' (comma), 'cp1252'
    base: float | None = None  # fixed baseline coverage level (None = seeded)
    ramp: float | None = None  # fixed ILP ramp (None = seeded)


REGENCIES: tuple[Regency, ...] = (
    Regency("73.09", "Kabupaten Maros", 414_406, "pilot", "maros"),
    Regency("73.22", "Kabupaten Luwu Utara", 335_161, "adopter", "luwu_utara"),
)

MAROS_KICKOFF = date(2024, 7, 24)
_PILOT_START = date(2023, 1, 1)
_MAROS_ROLLOUT = date(2024, 8, 1)


def _p(kec: str, suffix: str = "0201") -> str:
    return "P" + kec.replace(".", "") + suffix


# Maros: 14 puskesmas, one per kecamatan. Pilot sites (Maros Baru, Turikale, Bontoa, Bantimurung)
# run ILP from 2023-01-01; the others from 2024-08-01 (after the district kick-off of 24 July 2024).
_MAROS = (
    # code, name, kecamatan, start, lat, lon, kec weight, style, base, ramp
    ("73.09.01", "Mandai", _MAROS_ROLLOUT, -5.060, 119.545, 41, "id", None, None),
    ("73.09.02", "Camba", _MAROS_ROLLOUT, -4.918, 119.832, 14, "canon", None, None),
    ("73.09.03", "Bantimurung", _PILOT_START, -4.985, 119.680, 33, "canon", None, None),
    ("73.09.04", "Maros Baru", _PILOT_START, -4.988, 119.556, 27, "id", 0.66, 0.22),
    ("73.09.05", "Bontoa", _PILOT_START, -4.885, 119.522, 30, "canon", None, None),
    ("73.09.06", "Mallawa", _MAROS_ROLLOUT, -4.862, 119.808, 12, "cp1252", None, None),
    ("73.09.07", "Tanralili", _MAROS_ROLLOUT, -5.058, 119.640, 31, "id", None, None),
    ("73.09.08", "Marusu", _MAROS_ROLLOUT, -5.030, 119.500, 29, "id", None, None),
    ("73.09.09", "Simbang", _MAROS_ROLLOUT, -5.030, 119.700, 26, "canon", None, None),
    ("73.09.10", "Cenrana", _MAROS_ROLLOUT, -4.962, 119.772, 15, "canon", None, None),
    ("73.09.11", "Tompobulu", _MAROS_ROLLOUT, -5.118, 119.778, 17, "cp1252", 0.45, 0.04),  # weak
    ("73.09.12", "Lau", _MAROS_ROLLOUT, -4.962, 119.540, 27, "id", None, None),
    ("73.09.13", "Moncongloe", _MAROS_ROLLOUT, -5.118, 119.572, 22, "canon", None, None),
    ("73.09.14", "Turikale", _PILOT_START, -5.005, 119.575, 47, "id", None, None),
)

# Luwu Utara: 16 puskesmas for 15 kecamatan (Seko has Seko and Seko Barat). Staged starts from
# 2024-07-01 (Masamba, Baebunta) to 2025-06-01 (remote Rampi and Seko Barat).
_LUWU = (
    ("73.22.01", "Malangke", date(2024, 11, 1), -2.870, 120.318, 28, "canon", None, None),
    ("73.22.02", "Bone Bone", date(2024, 9, 1), -2.628, 120.540, 27, "canon", None, None),
    ("73.22.03", "Masamba", date(2024, 7, 1), -2.552, 120.330, 38, "id", 0.62, 0.20),
    ("73.22.04", "Sabbang", date(2024, 9, 1), -2.640, 120.130, 25, "id", None, None),
    ("73.22.05", "Rongkong", date(2025, 4, 1), -2.350, 120.070, 7, "id", None, None),
    ("73.22.06", "Sukamaju", date(2024, 10, 1), -2.570, 120.470, 38, "canon", None, None),
    ("73.22.07", "Seko", date(2025, 5, 1), -2.150, 119.970, 8, "id", None, None),
    ("73.22.08", "Malangke Barat", date(2025, 2, 1), -2.830, 120.220, 25, "canon", 0.46, 0.05),  # weak
    ("73.22.09", "Rampi", date(2025, 6, 1), -1.970, 120.330, 3.5, "id", None, None),
    ("73.22.10", "Mappedeceng", date(2024, 10, 1), -2.680, 120.400, 25, "canon", None, None),
    ("73.22.11", "Baebunta", date(2024, 7, 1), -2.590, 120.260, 32, "id", None, None),
    ("73.22.12", "Tana Lili", date(2025, 1, 1), -2.720, 120.560, 24, "canon", None, None),
    ("73.22.13", "Sukamaju Selatan", date(2025, 1, 1), -2.660, 120.490, 22, "canon", None, None),
    ("73.22.14", "Baebunta Selatan", date(2024, 11, 1), -2.680, 120.270, 15, "cp1252", None, None),
    ("73.22.15", "Sabbang Selatan", date(2025, 3, 1), -2.720, 120.170, 17, "canon", None, None),
)
_SEKO_BARAT = ("73.22.07", "Seko Barat", date(2025, 6, 1), -2.100, 119.800, 6, "id", None, None)

# Seko kecamatan desa split between the two puskesmas (west: Seko Padang area around Tanamakaleang).
SEKO_BARAT_DESA = ("73.22.07.2001", "73.22.07.2002", "73.22.07.2003", "73.22.07.2004", "73.22.07.2005")


def _build() -> tuple[Puskesmas, ...]:
    out = []
    for reg, rows in (("73.09", _MAROS), ("73.22", _LUWU)):
        for kec, name, start, lat, lon, w, style, base, ramp in rows:
            out.append(Puskesmas(_p(kec), name, reg, kec, start, lat, lon, float(w), style, base, ramp))
    kec, name, start, lat, lon, w, style, base, ramp = _SEKO_BARAT
    out.append(Puskesmas(_p(kec, "0202"), name, "73.22", kec, start, lat, lon, float(w), style, base, ramp))
    return tuple(out)


PUSKESMAS: tuple[Puskesmas, ...] = _build()
BY_CODE = {p.code: p for p in PUSKESMAS}
BY_NAME = {p.name: p for p in PUSKESMAS}

# Bounding boxes stated in the brief (lat_min, lat_max, lon_min, lon_max).
BBOX = {
    "73.09": (-5.15, -4.85, 119.45, 119.85),
    "73.22": (-2.95, -1.90, 119.70, 120.60),
}


def puskesmas_of(regency_code: str) -> list[Puskesmas]:
    return [p for p in PUSKESMAS if p.regency_code == regency_code]


def regency(code: str) -> Regency:
    for r in REGENCIES:
        if r.code == code:
            return r
    raise KeyError(code)


def code_for(name: str) -> str:
    return BY_NAME[name].code
