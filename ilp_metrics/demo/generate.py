"""Reproducible generator of the demo districts' upload files (Kabupaten Maros and Luwu Utara, 2022–2025).

`generate(out_dir, seed=2024)` writes the files a district data manager would receive — registries,
targets (sasaran), readiness checklists (kesiapan), monthly aggregate reports (capaian) and individual
service records (layanan) — plus `manifest.json` (kind, upload date and order of every file). Nothing is
written to a database here; `build.py` loads the files through the real ingest path.

This module only orchestrates, puskesmas by puskesmas; see docs/demo.md for the assumptions:
- areas: the real desa, their population and sasaran;
- levels: each puskesmas's coverage level (baseline, drift, +ramp over the 12 months after its own ILP
  start) and its readiness values; every service draws from that level;
- population: the simulated people and their services (one population per puskesmas area, so a person
  keeps the same NIK across services and years and aggregates count the same people as the records);
- writers: the files, as messy as district files are; manifest: what was written;
- the planted data-quality defects of `ilp_metrics.demo.DEFECTS` and nothing else defective.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ilp_metrics.demo import places
from ilp_metrics.demo.areas import YEARS, build_areas, sasaran_for
from ilp_metrics.demo.calendar import MONTH_LEN, MONTH_START, month_index, month_index_of
from ilp_metrics.demo.levels import build_levels
from ilp_metrics.demo.manifest import FileEntry, Generated, load_manifest
from ilp_metrics.demo.places import PUSKESMAS, REGENCIES
from ilp_metrics.demo.population import Area, Events
from ilp_metrics.demo.vocabulary import READINESS_ITEMS, TARGET_GROUPS
from ilp_metrics.demo.writers import write_capaian, write_kesiapan, write_layanan, write_registries, write_sasaran

__all__ = ["TARGET_GROUPS", "Generated", "generate", "load_manifest", "sasaran_for"]


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
    last_mi = month_index_of(date(2025, as_of_month, 1))
    end_day = int(MONTH_START[last_mi] + MONTH_LEN[last_mi] - 1)

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
    defects_realised: list[dict[str, Any]] = []

    files += write_registries(out, areas)
    for f in files:
        counts[f"{f.kind}_rows"] = counts.get(f"{f.kind}_rows", 0) + f.rows
    for reg in REGENCIES:
        for year in YEARS:
            entry = write_sasaran(out, areas, reg, year, meta_rng)
            counts["sasaran_cells"] += entry.rows * len(TARGET_GROUPS)
            files.append(entry)

    all_levels = {p.code: build_levels(seed, i, p) for i, p in enumerate(PUSKESMAS)}
    for reg in REGENCIES:
        for year in YEARS:
            kesiapan = write_kesiapan(out, seed, areas, reg, year, all_levels, last_mi, wanted, scale, meta_rng)
            if kesiapan is not None:
                counts["kesiapan_cells"] += kesiapan.rows * len(READINESS_ITEMS)
                files.append(kesiapan)

    defect_by = {(d["kind"], d["puskesmas_code"]): d for d in DEFECTS}
    for p_index, pk in enumerate(PUSKESMAS):
        if wanted is not None and pk.code not in wanted:
            continue
        note(f"Puskesmas {pk.name}")
        area = Area(seed, p_index, pk, areas, all_levels[pk.code], end_day)
        ev = area.simulate()
        pk_rng = np.random.default_rng([seed, 4, p_index])
        ev_mi = month_index(ev.day)

        # Missing month: no records of any kind for that puskesmas-month.
        miss = defect_by.get(("missing_month", pk.code))
        if miss is not None:
            mm = month_index_of(date.fromisoformat(miss["period"] + "-01"))
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
            overlap_mi = month_index_of(date.fromisoformat(overlap["period"] + "-01"))
            aggregate_until = max(aggregate_until, overlap_mi)
        if aggregate_until >= 0:
            files += write_capaian(
                out, area, ev, ev_mi, aggregate_until, last_mi, pk, defect_by, defects_realised, counts, pk_rng, miss
            )
        first_record_mi = start_mi if pk.regency_code == "73.22" else 0
        rec = ev_mi >= first_record_mi
        if overlap is not None and overlap_mi is not None:
            n_ov = int((ev_mi == overlap_mi).sum())
            defects_realised.append({**overlap, "layanan_rows": n_ov})
        files += write_layanan(
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
