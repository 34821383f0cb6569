"""Commands that read figures out of a database: coverage, export, compare, quality, export-parquet."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from ilp_metrics.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AddParser,
    Command,
    SubParsers,
    UsageError,
    db_option,
    number,
    open_existing,
    open_existing_rw,
    operator,
    through_month,
    user_option,
    write_rows,
)

COVERAGE_COLUMNS = [
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "period",
    "numerator",
    "denominator",
    "coverage_pct",
    "target_pct",
    "status",
]

COMPARE_COLUMNS = {
    "aligned": [
        "group",
        "months_since_start",
        "units",
        "median_coverage_pct",
        "p25",
        "p75",
        "mean_coverage_pct",
        "indicator",
    ],
    "calendar": [
        "group",
        "period",
        "units",
        "units_started",
        "median_coverage_pct",
        "p25",
        "p75",
        "mean_coverage_pct",
        "indicator",
    ],
    "before-after": [
        "group",
        "unit_code",
        "unit_name",
        "ilp_start_date",
        "months_before",
        "before_mean_pct",
        "months_after",
        "after_mean_pct",
        "change_pct",
        "included",
        "indicator",
    ],
    "did": ["row", "units", "before_mean_pct", "after_mean_pct", "change_pct", "indicator"],
}


def add_coverage(sub: SubParsers) -> None:
    p = sub.add_parser("coverage", help="coverage of one indicator per kabupaten, puskesmas or desa")
    db_option(p, top=False)
    p.add_argument("--indicator", required=True, help="indicator code (see the indicators command)")
    p.add_argument("--level", required=True, choices=("kabupaten", "puskesmas", "desa"))
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--through", help="YYYY-MM: cumulative to this month (default: the year's last month with data)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--kabupaten", dest="regency", help="only this kabupaten (Kemendagri code, e.g. 73.09)")
    p.add_argument("--puskesmas", help="only this puskesmas (and its desa)")
    p.add_argument("--monthly", action="store_true", help="one row per month from January to --through")


def add_export(sub: SubParsers) -> None:
    p = sub.add_parser("export", help="slides (.pptx), A4 report (.pdf) or tables (.xlsx) for one kabupaten")
    db_option(p, top=False)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--out", required=True, type=Path, help="output file: .pptx, .pdf or .xlsx")
    p.add_argument(
        "--kabupaten", dest="regency", help="Kemendagri code, e.g. 73.09 (default: the only kabupaten in the database)"
    )
    p.add_argument("--through", help="YYYY-MM: cumulative to this month (default: the year's last month with data)")
    p.add_argument("--public", action="store_true", help="public showing: counts under 5 as <5, no desa detail")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    user_option(p)


def add_compare(sub: SubParsers) -> None:
    p = sub.add_parser("compare", help="two groups of puskesmas aligned on months since each one's ILP start")
    db_option(p, top=False)
    p.add_argument("--indicator", required=True, help="indicator code (cumulative, with an annual target population)")
    p.add_argument(
        "--group-a", required=True, help="regency code (73.09), cohort name (pilot) or P-codes, comma-separated"
    )
    p.add_argument("--group-b", required=True, help="the comparison group, same forms")
    p.add_argument(
        "--view",
        choices=("aligned", "calendar", "before-after", "did", "words"),
        default="aligned",
        help="aligned (default): per months since start; calendar; before-after per puskesmas; did: 2 × 2 table; "
        "words: the did table in one sentence (as on the page and the slide)",
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument(
        "--lang",
        choices=("id", "en"),
        default="id",
        help="language of the group names (a cohort in words: perintis, pengadopsi baru) and of --view words",
    )


def add_quality(sub: SubParsers) -> None:
    p = sub.add_parser("quality", help="data-quality findings, one row per finding")
    db_option(p, top=False)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--through", help="YYYY-MM: check January to this month (default: the last month with data)")
    p.add_argument("--kabupaten", dest="regency", help="only this kabupaten (Kemendagri code, e.g. 73.09)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--lang", choices=("id", "en"), default="id")


def add_export_parquet(sub: SubParsers) -> None:
    p = sub.add_parser(
        "export-parquet",
        help="export the tables the metrics read as Parquet for Spark "
        "(layanan/capaian partitioned by kabupaten and year)",
    )
    db_option(p, top=False)
    p.add_argument("--out", required=True, type=Path, help="folder to write (created; existing files kept)")


def _unknown_indicator(text: str) -> UsageError:
    return UsageError(f"indikator tidak dikenal: {text} (lihat `python -m ilp_metrics indicators`)")


def cmd_coverage(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import load_catalogue, normalise_regency
    from ilp_metrics.metrics.coverage import LevelNotAvailable, coverage, snapshot

    cat = load_catalogue()
    code = args.indicator.strip().upper()
    try:
        cat.indicator(code)
    except KeyError:
        raise _unknown_indicator(args.indicator) from None
    through = through_month(args.through, args.year)
    regency = normalise_regency(args.regency) if args.regency else None
    con = open_existing(args.db)
    try:
        frame = coverage(
            con,
            code,
            level=args.level,
            year=args.year,
            through=through,
            regency=regency,
            puskesmas=args.puskesmas,
            catalogue=cat,
            principal=operator(args),
        )
    except LevelNotAvailable:
        raise UsageError(f"{code} dilaporkan per puskesmas; tidak ada angka tingkat {args.level}") from None
    finally:
        con.close()
    if not args.monthly:
        frame = snapshot(frame)
    rows = [
        {
            "indicator": r.indicator,
            "level": r.level,
            "unit_code": r.unit_code,
            "unit_name": r.unit_name,
            "period": r.period,
            "numerator": number(r.numerator),
            "denominator": number(r.denominator),
            "coverage_pct": number(r.coverage),
            "target_pct": number(r.target_to_date),
            "status": r.status,
        }
        for r in frame.itertuples(index=False)
    ]
    write_rows(rows, args.format, COVERAGE_COLUMNS)
    return EXIT_OK


def cmd_quality(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import normalise_regency
    from ilp_metrics.quality import FINDING_COLUMNS, findings

    through = through_month(args.through, args.year)
    try:
        regency = normalise_regency(args.regency) if args.regency else None
    except ValueError as exc:
        raise UsageError(f"--kabupaten: {exc}") from None
    con = open_existing(args.db)
    try:
        frame = findings(con, args.year, regency=regency, through=through, lang=args.lang, principal=operator(args))
    finally:
        con.close()
    rows = [
        {c: (number(r[c]) if c in ("value", "expected") else (None if r[c] is None else r[c])) for c in FINDING_COLUMNS}
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    write_rows(rows, args.format, FINDING_COLUMNS)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import normalise_regency
    from ilp_metrics.export import FORMATS, NoData, export_file
    from ilp_metrics.export.fonts import MissingFont

    if args.out.suffix.lower() not in FORMATS:
        raise UsageError(f"--out harus berakhiran .pptx, .pdf atau .xlsx, bukan {args.out.name!r}")
    through = through_month(args.through, args.year)
    con = open_existing_rw(args.db)  # the export is written to the audit trail
    try:
        if args.regency:
            try:
                regency = normalise_regency(args.regency)
            except ValueError as exc:
                raise UsageError(f"kode kabupaten tidak sah: {args.regency!r}") from exc
        else:
            codes = [r[0] for r in con.execute("SELECT DISTINCT regency_code FROM puskesmas ORDER BY 1").fetchall()]
            if len(codes) != 1:
                raise UsageError(
                    "basis data berisi beberapa kabupaten (" + ", ".join(codes) + "): pilih satu dengan --kabupaten"
                )
            regency = codes[0]
        started = time.perf_counter()
        try:
            path = export_file(
                con,
                args.out,
                year=args.year,
                regency=regency,
                through=through,
                lang=args.lang,
                public=args.public,
                principal=operator(args),
            )
        except NoData as exc:
            raise UsageError(str(exc)) from exc
        except MissingFont as exc:
            print(f"galat: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        from ilp_metrics.security.audit import record_now

        record_now(
            con,
            args.user,
            "export",
            str(path),
            {
                "format": path.suffix.lstrip("."),
                "kabupaten": regency,
                "year": args.year,
                "month": through,
                "public": args.public,
            },
        )
    finally:
        con.close()
    print(f"Ekspor ditulis: {path} ({path.stat().st_size // 1024} KB, {time.perf_counter() - started:.1f} dtk)")
    return EXIT_OK


_SECOND = re.compile(r"^(.+) \(([AB])\)$")  # a group given twice: `pilot (B)`


def _group_words(label: str, lang: str) -> str:
    """A group as the page and the slide name it: a cohort code in words (`pilot` → `perintis`), the
    difference row of the did view in words; a kabupaten code or a list of puskesmas codes as given."""
    from ilp_metrics.core.i18n import t
    from ilp_metrics.figures.compare_words import group_name

    if label == "difference":
        return t("compare.cli.difference", lang)
    second = _SECOND.match(label)
    if second:
        return f"{group_name(second.group(1), lang)} ({second.group(2)})"
    return group_name(label, lang)


def cmd_compare(args: argparse.Namespace) -> int:
    """Group A against group B; the difference-in-differences (view did) is descriptive, not causal."""
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.i18n import t
    from ilp_metrics.metrics import compare

    cat = load_catalogue()
    code = args.indicator.strip().upper()
    try:
        ind = cat.indicator(code)
    except KeyError:
        raise _unknown_indicator(args.indicator) from None
    if not compare.comparable(ind):
        raise UsageError(t("compare.not_comparable", "id", indicator=code))
    who = operator(args)
    con = open_existing(args.db)
    try:
        groups: dict[str, list[str]] = {}
        for option, spec in (("--group-a", args.group_a), ("--group-b", args.group_b)):
            label = spec.strip() if spec.strip() not in groups else f"{spec.strip()} ({option[-1].upper()})"
            try:
                groups[label] = compare.resolve_group(con, spec, principal=who)
            except compare.GroupError as exc:
                raise UsageError(f"{option}: " + t(exc.code, "id", **exc.values)) from None
        if args.view == "aligned":
            frame = compare.aligned_series(con, code, groups, catalogue=cat, principal=who)
        elif args.view == "calendar":
            frame = compare.calendar_series(con, code, groups, catalogue=cat, principal=who)
        else:
            frame = compare.before_after(con, code, groups, catalogue=cat, principal=who)
            if args.view == "did":
                frame = compare.difference_in_differences(frame, *groups)
            elif args.view == "words":
                from ilp_metrics.figures.compare_words import change_sentence

                group_a, group_b = groups
                summary = compare.change_summary(frame, group_a, group_b)
                print(change_sentence(summary, code, group_a, group_b, ind, args.lang))
                return EXIT_OK
    finally:
        con.close()
    columns = COMPARE_COLUMNS[args.view]
    rows = []
    for record in frame[columns].to_dict("records"):
        for key, value in record.items():
            if key in ("group", "row"):
                record[key] = _group_words(str(value), args.lang)
            elif (
                key in ("units", "months_since_start", "units_started", "months_before", "months_after")
                or key.endswith("_pct")
                or key in ("p25", "p75")
            ):
                record[key] = number(value)
            elif key == "ilp_start_date":
                record[key] = None if value is None or str(value) in ("NaT", "None") else str(value)[:10]
            elif key == "included":
                record[key] = bool(value)
        rows.append(record)
    write_rows(rows, args.format, columns)
    return EXIT_OK


def cmd_export_parquet(args: argparse.Namespace) -> int:
    """Partitioned Parquet for a Spark deployment (docs/scale.md); prints rows per table as JSON."""
    from ilp_metrics.scale.spark import export_parquet

    con = open_existing(args.db)
    try:
        counts = export_parquet(con, args.out)
    finally:
        con.close()
    print(json.dumps({"out": str(args.out), "rows": counts}, indent=1))
    return EXIT_OK


COMMANDS: dict[str, tuple[AddParser, Command]] = {
    "coverage": (add_coverage, cmd_coverage),
    "export": (add_export, cmd_export),
    "compare": (add_compare, cmd_compare),
    "quality": (add_quality, cmd_quality),
    "export-parquet": (add_export_parquet, cmd_export_parquet),
}
