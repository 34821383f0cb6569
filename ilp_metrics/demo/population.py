"""Simulated people and services of one puskesmas area (pure data: nothing is written here).

One synthetic population per area (desa, sex, birth date, chronic conditions), so a person keeps the
same NIK across services and years and every aggregate report is counted from the same people as the
individual records. NIKs are made at run time from the seed (kecamatan code + birth date, +40 on the
day for women, + serial); no NIK-like number is ever written into the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from ilp_metrics.demo import names as _names
from ilp_metrics.demo.areas import CBR, GROWTH, PYRAMID, YEARS, Areas, sasaran_for
from ilp_metrics.demo.calendar import FIRST_DAY, MONTH_LEN, MONTH_START, N_MONTHS, day_number, month_index, no_sunday
from ilp_metrics.demo.levels import Levels
from ilp_metrics.demo.places import Puskesmas
from ilp_metrics.demo.vocabulary import R, S

REF_MID = day_number(date(2025, 7, 1))
_SEASON_FLAT = np.array([1.0, 1.0, 1.05, 1.0, 0.95, 0.9, 0.95, 1.05, 1.05, 1.05, 1.0, 0.85])
_SEASON_SCHOOL = np.array([1.1, 1.2, 1.1, 0.8, 0.7, 0.4, 0.7, 1.4, 1.4, 1.2, 1.0, 0.5])
_SEASON_DBD = np.array([1.6, 1.7, 1.5, 1.2, 0.9, 0.6, 0.5, 0.4, 0.4, 0.6, 0.9, 1.3])


def _norm(w: np.ndarray) -> np.ndarray:
    share: np.ndarray = w / w.sum()
    return share


@dataclass
class Events:
    day: np.ndarray
    person: np.ndarray
    service: np.ndarray
    result: np.ndarray


class Area:
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
        births_start, births_end = day_number(date(2021, 1, 1)), day_number(date(2026, 9, 30))
        month_starts = np.array([day_number(date(2021 + k // 12, k % 12 + 1, 1)) for k in range(70)], dtype=np.int64)
        month_lens = np.diff(np.append(month_starts, day_number(date(2026, 11, 1))))
        month_years = np.array([2021 + k // 12 for k in range(70)])
        lows = np.array([g[0] for g in PYRAMID])
        highs = np.array([g[1] for g in PYRAMID])
        probs = _norm(np.array([g[2] for g in PYRAMID]))
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
            n_old = max(0, d.penduduk[2025] - int((b_recent <= REF_MID).sum()))
            g = rng.choice(len(PYRAMID), size=n_old, p=probs)
            age = lows[g] + rng.random(n_old) * (highs[g] - lows[g])
            b_old = REF_MID - np.floor(age * 365.25).astype(np.int64)
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
        age25 = (REF_MID - self.birth) / 365.25
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
        ratio: np.ndarray = np.where(cnt > 0, self.sas(year, group) / np.maximum(cnt, 1.0), 0.0)
        return ratio

    def L(self, days: np.ndarray) -> np.ndarray:
        level: np.ndarray = self.lv.level[np.clip(month_index(days), 0, N_MONTHS - 1)]
        return level

    def add(self, days: npt.ArrayLike, persons: npt.ArrayLike, service: str, result: int | np.ndarray = 0) -> None:
        day_array = np.asarray(days, dtype=np.int64)
        if len(day_array):
            self._parts.append((day_array, np.asarray(persons, dtype=np.int64), S[service], result))

    def rand_days_in_months(self, mi: np.ndarray) -> np.ndarray:
        days: np.ndarray = MONTH_START[mi] + np.floor(self.rng.random(len(mi)) * MONTH_LEN[mi]).astype(np.int64)
        return days

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
        days = np.where(service == S["PERSALINAN_FASKES"], days, no_sunday(days, self.birth[persons]))
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
        lo, hi = day_number(date(2022, 1, 1)), day_number(date(2026, 9, 30))
        babies = np.nonzero((self.birth >= lo) & (self.birth <= hi))[0]
        mid = day_number(date(2024, 1, 1))
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
        born = np.nonzero((self.birth >= day_number(date(2021, 12, 1))) & (self.birth <= self.end_day))[0]
        kn_day = self.birth[born] + rng.integers(8, 29, len(born))
        kn = rng.random(len(born)) < np.minimum(0.95, self.L(kn_day) + 0.08)
        self.add(kn_day[kn], born[kn], "KN_LENGKAP")
        inf = np.nonzero((self.birth >= day_number(date(2021, 1, 1))) & (self.birth <= self.end_day))[0]
        idl_day = self.birth[inf] + rng.integers(270, 336, len(inf))
        idl = rng.random(len(inf)) < np.minimum(0.93, self.L(idl_day) + 0.05)
        self.add(idl_day[idl], inf[idl], "IMUNISASI_DASAR_LENGKAP")

    def _balita(self, year: int) -> None:
        rng = self.rng
        y0 = (year - 2022) * 12
        mis = np.arange(y0, y0 + 12)
        m_start = MONTH_START[mis]
        m_end = m_start + MONTH_LEN[mis] - 1
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
        mid = day_number(date(year, 7, 1))
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
        mid = day_number(date(year, 7, 1))
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
        mid = day_number(date(year, 7, 1))
        age = self.age_at(mid)
        alive = self.birth <= mid
        examined, days = self._annual(year, alive & (age >= 15), "terduga_tb", 0.75, "YANKES_TERDUGA_TB", _SEASON_FLAT)
        pos = rng.random(len(examined)) < 0.11
        start = days[pos] + rng.integers(3, 22, int(pos.sum()))
        pts = examined[pos]
        self.add(start, pts, "PENGOBATAN_TB")
        ilp = self.lv.ilp[np.clip(month_index(start), 0, N_MONTHS - 1)]
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
        mid = day_number(date(year, 7, 1))
        alive = np.nonzero(self.birth < day_number(date(year, 1, 1)))[0]  # born before any case of the year
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
