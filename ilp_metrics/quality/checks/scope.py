"""What one run of the checks covers (`Scope`, `make_scope`) and the pieces every family shares:
the raw finding columns, the scope CTEs, the query runner."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import SupportsInt

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import latest_data_month
from ilp_metrics.quality.rules import QualityRules
from ilp_metrics.security.scope import Principal

RAW_COLUMNS = [
    "check",
    "severity",
    "regency",
    "puskesmas",
    "desa",
    "period",
    "indicator",
    "value",
    "expected",
    "upload_ids",
    "rows",
]


@dataclass(frozen=True)
class Scope:
    """What one run of the checks covers: a year, the kabupaten in scope and each one's last month."""

    year: int
    regencies: tuple[str, ...]
    through: tuple[int, ...]  # last month (1–12) checked, per regency (same order)
    rules: QualityRules
    catalogue: Catalogue
    principal: Principal  # who asked; passed along to the coverage figures the checks read

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """First day after the latest month checked (exclusive)."""
        last = max(self.through) if self.through else 12
        return date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)

    def params(self, **extra: object) -> dict[str, object]:
        lasts = [date(self.year, m, 1) for m in self.through]
        return {"regs": list(self.regencies), "lasts": lasts, "start": self.start, "end": self.end, **extra}

    def t(self, name: str) -> float:
        return self.rules.threshold(name)


def make_scope(
    con: duckdb.DuckDBPyConnection,
    year: int,
    regency: str | None,
    through: int | None,
    catalogue: Catalogue,
    *,
    principal: Principal,
) -> Scope:
    """Kabupaten in scope (with a registry) and the last month checked for each: `through`, or the
    kabupaten's last month with data that year (nothing is expected of months not yet reported anywhere)."""
    regs = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT regency_code FROM puskesmas WHERE $r IS NULL OR regency_code = $r ORDER BY 1",
            {"r": regency},
        ).fetchall()
    ]
    pairs = []
    for reg in regs:
        last = through or latest_data_month(con, year, reg, principal=principal)
        if last:
            pairs.append((reg, int(last)))
    return Scope(year, tuple(r for r, _ in pairs), tuple(m for _, m in pairs), catalogue.quality, catalogue, principal)


# Shared CTEs: the puskesmas in scope with the last month checked for their kabupaten.
_SCOPE = """
win AS (SELECT unnest($regs) AS regency_code, unnest($lasts) AS last_month),
scope AS (
    SELECT p.puskesmas_code, p.puskesmas_name, p.regency_code, w.last_month
    FROM puskesmas p JOIN win w USING (regency_code)
)"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object]) -> pd.DataFrame:
    """Run `sql` with the named parameters it uses (DuckDB refuses unused ones)."""
    used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
    return con.execute(sql, used).df()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=RAW_COLUMNS)


def _rows_ref(upload_id: SupportsInt, source_rows: Iterable[SupportsInt], n: SupportsInt) -> str:
    shown = ", ".join(str(int(r)) for r in list(source_rows)[:10])
    more = f" … (+{int(n) - 10})" if int(n) > 10 else ""
    return f"{int(upload_id)}: {shown}{more}"
