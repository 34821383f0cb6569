"""Reproducible demo data: Kabupaten Maros (ILP pilot) and Kabupaten Luwu Utara (adopter), 2022–2025.

- `generate.generate(out_dir, seed=2024)` writes the upload files a district data manager would receive;
- `build.build_demo(db_path)` loads them through the real ingest path into a fresh database.

`DEFECTS` lists the data-quality problems planted on purpose, so that the quality checks can be tested
against known answers. Everything else in the demo files is meant to be clean. docs/demo.md explains the
assumptions.
"""

from __future__ import annotations

from typing import Any

DEFECTS: list[dict[str, Any]] = [
    {
        "kind": "late",
        "puskesmas_code": "P7322090201",  # Rampi
        "period": "2025-06",  # first late month; every month of 2025 with individual records is late
        "service": None,
        "description": (
            "Puskesmas Rampi sends its 2025 individual records (from its ILP start, 2025-06) as one file "
            "per month, each uploaded 25–45 days after the deadline (the 10th of the following month)."
        ),
    },
    {
        "kind": "missing_month",
        "puskesmas_code": "P7322070201",  # Seko
        "period": "2025-03",
        "service": None,
        "description": (
            "Puskesmas Seko reported nothing for 2025-03: no aggregate (capaian) rows and no individual "
            "records for that month (its readiness checklist row is present)."
        ),
    },
    {
        "kind": "duplicate",
        "puskesmas_code": "P7309120201",  # Lau (Maros)
        "period": "2024-05",
        "service": None,
        "rows": 30,
        "description": (
            "The 2024 service-record file of Puskesmas Lau repeats 30 rows of 2024-05 exactly (same "
            "person, service, date and result), next to the originals: a double export."
        ),
    },
    {
        "kind": "outlier",
        "puskesmas_code": "P7322060201",  # Sukamaju
        "period": "2024-04",
        "service": "KASUS_DBD",
        "description": (
            "The 2024-04 aggregate report of Puskesmas Sukamaju gives 11–14 times its usual monthly number "
            "of dengue cases (KASUS_DBD), all in one desa row: a typing error, not an outbreak."
        ),
    },
    {
        "kind": "overlap",
        "puskesmas_code": "P7322030201",  # Masamba
        "period": "2024-07",
        "service": None,
        "description": (
            "Puskesmas Masamba started ILP and individual recording on 2024-07-01 but also sent its "
            "aggregate report for 2024-07: the same services exist both as individual records and as "
            "aggregate counts for that month, and must not be counted twice."
        ),
    },
]

__all__ = ["DEFECTS"]
