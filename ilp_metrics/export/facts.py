"""The figures every export shows, computed once from the metrics library for one kabupaten and period.

The deck (slides, PPTX), the PDF report and the Excel workbook all read this one object, so a number
is the same wherever it appears; the overview's figures are those of the overview page, from the one
function both call (`metrics.overview.overview`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue, normalise_regency
from ilp_metrics.core.formatting import month_name
from ilp_metrics.metrics.coverage import Window, coverage_many, latest_data_month, snapshot
from ilp_metrics.metrics.overview import Overview, overview, spm_composite, watch_list
from ilp_metrics.metrics.readiness import readiness_index
from ilp_metrics.metrics.registry import puskesmas_list, regency_name
from ilp_metrics.quality.flag_index import FlagIndex
from ilp_metrics.security.scope import Principal


class NoData(ValueError):
    """The kabupaten or year has nothing to export (the message is in Bahasa Indonesia)."""


@dataclass
class Facts:
    regency: str
    area: str  # "Kabupaten Maros"
    year: int
    through: int  # last month of the period (cumulative from January)
    lang: str
    catalogue: Catalogue
    registry: pd.DataFrame  # metrics.registry.puskesmas_list: code, name, kecamatan, ilp_start_date, cohort, desa…
    running: int  # puskesmas whose ILP start date is on or before the period's end
    readiness_district: float | None
    readiness_puskesmas: pd.DataFrame  # unit_code, unit_name, readiness_index (the period's last month)
    kab: pd.DataFrame  # snapshot, every indicator, this kabupaten
    kab_monthly: pd.DataFrame  # monthly rows (Jan..through), every indicator, this kabupaten
    puskesmas: pd.DataFrame  # snapshot, every indicator, each puskesmas
    clusters: pd.DataFrame  # summary.summarise of `kab`
    uploads: pd.DataFrame  # kind, files, last upload: the active uploads holding this kabupaten's rows
    # Data quality (ilp_metrics.quality, issue 6): every finding of the period, and the figures its
    # high-severity findings mark (quality.figure_flags), shown as ⚠ beside those figures in every export.
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)
    generated: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    # (month, puskesmas starting ILP in it) up to the period's end: metrics.starts, as the overview shows it
    starts: tuple[tuple[date, int], ...] = ()
    _flags_indexed: tuple[pd.DataFrame, FlagIndex] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def period_end(self) -> date:
        return Window(self.year, 1, self.through).end - timedelta(days=1)

    def period(self, short: bool = False) -> str:
        """`Januari–Desember 2025` (or `Jan–Des 2025`)."""
        first, last = month_name(1, self.lang, short), month_name(self.through, self.lang, short)
        return f"{last} {self.year}" if self.through == 1 else f"{first}–{last} {self.year}"

    @property
    def spm_codes(self) -> list[str]:
        return [i.code for i in self.catalogue.spm_indicators()]

    def spm_composite(self) -> pd.DataFrame:
        """Per puskesmas: SPM composite (median capped achievement × 100), SPM on target, total gap —
        the overview page's ranking of the puskesmas farthest behind (metrics.overview)."""
        return spm_composite(self.puskesmas, self.spm_codes, self.catalogue)

    def watch(self) -> pd.DataFrame:
        """The puskesmas to watch by the catalogue's rule (`figures.watch`), as on the overview page."""
        return watch_list(self.spm_composite(), self.catalogue)

    def flag_reasons(self, level: str, unit_code: str, indicator: str | None = None, public: bool = False) -> list[str]:
        """Why one figure (kabupaten/puskesmas/desa × indicator) carries ⚠: its high findings' messages,
        distinct, most severe first; empty when the figure is clean (the rule of quality.flags_for).
        `public`: the checks' names only (a message may hold a count under 5 or a file name)."""
        index = self._flag_index()
        if public:
            names = {c.code: c.name.get(self.lang) for c in self.catalogue.quality.checks}
            return list(dict.fromkeys(names.get(c, c) for c in index.checks(level, unit_code, indicator)))
        return index.reasons(level, unit_code, indicator)

    def _flag_index(self) -> FlagIndex:
        """The flags grouped once per Facts (every slide and table row asks for its figures' reasons)."""
        if self._flags_indexed is None or self._flags_indexed[0] is not self.flags:
            self._flags_indexed = (self.flags, FlagIndex(self.flags))
        return self._flags_indexed[1]

    def spm_flag_reasons(self, level: str, unit_code: str, public: bool = False) -> list[str]:
        """The reasons marking any SPM figure of one unit (the puskesmas-to-watch ranking uses them all)."""
        out: list[str] = []
        for code in self.spm_codes:
            out += self.flag_reasons(level, unit_code, code, public)
        return list(dict.fromkeys(out))


_UPLOADS_SQL = """
WITH pusk AS (SELECT puskesmas_code, upload_id FROM puskesmas WHERE regency_code = $regency),
mine AS (  -- the active uploads that hold rows of this kabupaten
    SELECT upload_id FROM pusk
    UNION SELECT d.upload_id FROM desa d JOIN pusk USING (puskesmas_code)
    UNION SELECT l.upload_id FROM layanan l JOIN pusk USING (puskesmas_code)
    UNION SELECT c.upload_id FROM capaian c JOIN pusk USING (puskesmas_code)
    UNION SELECT k.upload_id FROM kesiapan k JOIN pusk USING (puskesmas_code)
    UNION SELECT s.upload_id FROM sasaran s
          WHERE s.area_code = $regency OR starts_with(s.area_code, $regency || '.')
             OR s.area_code IN (SELECT puskesmas_code FROM pusk)
)
SELECT u.kind, count(*) AS files, max(u.uploaded_at) AS last_upload
FROM uploads u JOIN mine USING (upload_id)
WHERE u.status = 'active'
GROUP BY u.kind ORDER BY u.kind
"""


def area_title(name: str) -> str:
    """`KABUPATEN MAROS` → `Kabupaten Maros` (the reference list is in capitals)."""
    return name.title() if name.isupper() else name


def gather(
    con: duckdb.DuckDBPyConnection,
    *,
    year: int,
    regency: str,
    through: int | None = None,
    lang: str = "id",
    catalogue: Catalogue | None = None,
    principal: Principal,
    view: Overview | None = None,
    found: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
) -> Facts:
    """Every figure of the exports for one kabupaten, January to `through` (default: last month with data);
    findings within the `principal`'s scope. The overview's figures come from `metrics.overview.overview`,
    as on the page: a caller that holds them already (the dashboard's cache) passes `view` (computed with
    every indicator per puskesmas), `found` and `flags` for the same kabupaten, year and month, so a figure
    set is computed once and shared by the page, the presentation and the exports."""
    principal.require("view")
    cat = catalogue or load_catalogue()
    regency = normalise_regency(regency)
    if puskesmas_list(con, principal=principal, regency=regency).empty:
        raise NoData(f"tidak ada puskesmas terdaftar untuk kabupaten {regency}")
    if through is None:
        through = latest_data_month(con, year, regency, principal=principal)
        if through is None:
            raise NoData(f"tidak ada data layanan tahun {year} untuk kabupaten {regency}")
    name = regency_name(con, principal=principal, regency=regency)
    area = area_title(name) if name else regency
    codes = [i.code for i in cat.indicators]
    if (
        view is None
        or (view.regency, view.year, view.through) != (regency, year, through)
        or not set(codes) <= set(view.puskesmas["indicator"])  # the page's set must hold every indicator
    ):
        view = overview(
            con, principal=principal, regency=regency, year=year, through=through, catalogue=cat, puskesmas_codes=codes
        )
    pusk_index = readiness_index(
        con,
        level="puskesmas",
        year=year,
        through=through,
        first=through,
        regency=regency,
        catalogue=cat,
        principal=principal,
    )[["unit_code", "unit_name", "readiness_index"]]
    uploads = con.execute(_UPLOADS_SQL, {"regency": regency}).df()
    from ilp_metrics import quality

    if found is None:
        found = quality.findings(con, year, regency, through, lang=lang, catalogue=cat, principal=principal)
    if flags is None:
        flags = quality.figure_flags(
            con, year, regency, through, lang=lang, found=found, catalogue=cat, principal=principal
        )
    return Facts(
        regency=regency,
        area=area,
        year=year,
        through=through,
        lang=lang,
        catalogue=cat,
        registry=view.registry,
        running=view.running,
        readiness_district=view.readiness,
        readiness_puskesmas=pusk_index,
        kab=view.kab,
        kab_monthly=view.kab_monthly,
        puskesmas=view.puskesmas,
        clusters=view.clusters,
        uploads=uploads,
        findings=found,
        flags=flags,
        starts=view.starts,
    )


def desa_figures(
    con: duckdb.DuckDBPyConnection, facts: Facts, codes: list[str] | None = None, *, principal: Principal
) -> pd.DataFrame:
    """Desa snapshot (PWS tables) for the indicators reported per desa; for exports that are not public.
    Only the desa the `principal` may see (a puskesmas account: its own; a guest: none)."""
    from ilp_metrics.metrics.coverage import levels_for

    cat = facts.catalogue
    wanted = [c for c in (codes or [i.code for i in cat.indicators]) if "desa" in levels_for(cat.indicator(c))]
    if not wanted:
        return pd.DataFrame()
    if not principal.sees_desa:
        return pd.DataFrame()
    frame = coverage_many(
        con,
        wanted,
        level="desa",
        year=facts.year,
        through=facts.through,
        regency=facts.regency,
        catalogue=cat,
        principal=principal,
    )
    return snapshot(frame).reset_index(drop=True)
