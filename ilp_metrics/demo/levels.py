"""Coverage levels of each puskesmas: its own baseline, a slow drift and the ramp after its ILP start.

Every simulated service draws from these levels, and the monthly readiness (kesiapan) values follow
the same ramp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ilp_metrics.demo.areas import YEARS, Areas
from ilp_metrics.demo.calendar import N_MONTHS, month_index_of
from ilp_metrics.demo.places import Puskesmas

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
    start_mi = month_index_of(pk.ilp_start)
    m = np.arange(N_MONTHS)
    ilp = np.clip((m - start_mi + 1) / 12.0, 0.0, 1.0)
    noise = rng.normal(0.0, 0.012, size=N_MONTHS)
    level = np.clip(base + 0.008 * m / 12.0 + ramp * ilp + noise, 0.10, 0.93)
    prev0 = rng.uniform(0.18, 0.32)
    stunting = np.clip(prev0 - 0.012 * m / 12.0 - 0.05 * ilp * (ramp / 0.2), 0.05, 0.5)
    dbd_mean = 45e-5 if pk.regency_code == "73.09" else 60e-5
    dbd_rate = dbd_mean * rng.lognormal(0.0, 0.35, size=len(YEARS))
    return Levels(base, ramp, start_mi, level, ilp, stunting, dbd_rate)


def readiness_values(seed: int, p_index: int, p: Puskesmas, areas: Areas, lv: Levels, scale: float) -> list[list[int]]:
    """Monthly readiness values of one puskesmas, 2022-01 .. 2026-12 (improving after its ILP start)."""
    rng = np.random.default_rng([seed, 5, p_index])
    n_desa = len(areas.by_puskesmas[p.code])
    pop = sum(areas.desa[i].penduduk[2025] for i in areas.by_puskesmas[p.code]) / max(scale, 1e-9)
    posyandu = max(n_desa, round(pop / (940 if p.regency_code == "73.09" else 800)))
    kader = posyandu * 5
    pustu0 = round(n_desa * rng.uniform(0.30, 0.50))
    strength = lv.ramp / 0.2
    out: list[list[int]] = []
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
        late_rampi = p.name == "Rampi" and mi >= month_index_of(date(2025, 1, 1))
        on_time = int(min(due, rng.binomial(due, 0.35 if late_rampi else (0.9 if started else 0.65))))
        out.append([int(started), n_desa, pustu, posyandu, pos_ilp, kader, trained, lokmin, pws, due, on_time])
    return out
