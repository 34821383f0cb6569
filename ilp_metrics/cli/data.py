"""Commands that build a database and put data in it: init, demo, ingest, indicators."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ilp_metrics.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AddParser,
    Command,
    SubParsers,
    UsageError,
    connect_cli,
    db_option,
    open_or_create,
    operator,
    user_option,
    write_rows,
)
from ilp_metrics.core.config import secret_path_for


def add_init(sub: SubParsers) -> None:
    p = sub.add_parser("init", help="create an empty database with the schema and reference areas")
    db_option(p, top=False)


def add_demo(sub: SubParsers) -> None:
    p = sub.add_parser("demo", help="build the bundled demo database (Maros and Luwu Utara)")
    db_option(p, top=False)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument(
        "--keep-files",
        type=Path,
        default=None,
        help="also keep the generated upload files in this folder (to try the upload page)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if the database exists")


def add_ingest(sub: SubParsers) -> None:
    p = sub.add_parser("ingest", help="validate and load files; JSON report on stdout")
    db_option(p, top=False)
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--kind", choices=("puskesmas", "desa", "sasaran", "layanan", "capaian", "kesiapan", "tahunan"))
    p.add_argument("--profile", help="column-mapping profile: a YAML file, or a shipped one by name (e-ppgbm)")
    p.add_argument(
        "--kabupaten",
        metavar="CODE",
        help="Kemendagri code of the kabupaten/kota (73.09 or 7309) of files that do not name it: a puskesmas "
        "list without a regency column takes it, and puskesmas names are looked up in it alone",
    )
    p.add_argument(
        "--accept-valid",
        action="store_true",
        help="commit the valid rows and record the refused ones (default: refuse the whole file)",
    )
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument(
        "--ignore-column",
        action="append",
        default=[],
        metavar="HEADER",
        help="leave this column out on purpose (repeatable); reported as ignored",
    )
    user_option(p, "recorded as the uploader")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument("--max-refusals", type=int, default=1000, help="refusal lines listed per file")


def add_indicators(sub: SubParsers) -> None:
    p = sub.add_parser("indicators", help="list the indicator catalogue")
    db_option(p, top=False)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--lang", choices=("id", "en"), default="id")


def cmd_init(args: argparse.Namespace) -> int:
    from ilp_metrics.core.db import init_schema

    con = connect_cli(args.db)
    init_schema(con)
    row = con.execute("SELECT count(*) FROM ref_village").fetchone()
    villages = row[0] if row else 0
    con.close()
    print(f"Basis data siap: {args.db} (skema terpasang, {villages} desa/kelurahan referensi Kemendagri)")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ilp_metrics.demo.build import build_demo

    if args.db.exists() and not args.force:
        print(f"Basis data demo sudah ada: {args.db} (gunakan --force untuk membangun ulang)")
        return EXIT_OK
    started = time.perf_counter()
    summary = build_demo(args.db, seed=args.seed, keep_files=args.keep_files)
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{k} {v}" for k, v in summary.get("rows", {}).items())
    print(f"Demo dibangun: {args.db} dalam {seconds:.1f} dtk ({counts})")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue.labels import normalise_regency
    from ilp_metrics.core.i18n import t
    from ilp_metrics.core.pseudonym import installation_secret
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.ingest.mapping import ProfileError, resolve_profile

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        raise UsageError("file tidak ditemukan: " + ", ".join(missing))
    regency = None
    if args.kabupaten:
        try:
            regency = normalise_regency(args.kabupaten)
        except ValueError as exc:
            raise UsageError(t("ingest.file.regency_option_invalid", args.lang, value=args.kabupaten)) from exc
    profile = None
    if args.profile:
        try:
            profile = resolve_profile(args.profile)
        except ProfileError as exc:
            raise UsageError(str(exc)) from exc
    con = open_or_create(args.db)
    try:  # a replaced or lost key stops here (KeyProblem, printed by main), before any file is read
        secret = installation_secret(con, secret_path_for(args.db))
    except BaseException:
        con.close()
        raise
    who = operator(args)
    reports = []
    for path in args.paths:
        report = ingest_file(
            con,
            path,
            kind=args.kind,
            profile=profile,
            uploaded_by=args.user,
            accept_valid=args.accept_valid,
            secret=secret,
            lang=args.lang,
            dry_run=args.dry_run,
            max_refusals=args.max_refusals,
            regency_code=regency,
            ignore_columns=args.ignore_column,
            principal=who,
        )
        reports.append(report.to_dict())
    con.close()
    json.dump(reports, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return EXIT_OK if all(r["ok"] for r in reports) else EXIT_REFUSED


def indicator_rows(lang: str) -> list[dict[str, Any]]:
    from ilp_metrics.catalogue import load_catalogue

    cat = load_catalogue()
    rows = []
    for ind in cat.indicators:
        num, den = ind.numerator, ind.denominator
        rows.append(
            {
                "code": ind.code,
                "cluster": ind.cluster,
                "name": ind.name.get(lang),
                "spm": ind.spm,
                "numerator": "+".join(num.services) if num.services else (num.readiness_item or ""),
                "count": num.count,
                "denominator": den.target_group or den.indicator or den.readiness_item or "",
                "target_pct": ind.target_pct,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "accumulation": ind.accumulation,
                "source": ind.source,
            }
        )
    return rows


def cmd_indicators(args: argparse.Namespace) -> int:
    write_rows(indicator_rows(args.lang), args.format)
    return EXIT_OK


COMMANDS: dict[str, tuple[AddParser, Command]] = {
    "init": (add_init, cmd_init),
    "demo": (add_demo, cmd_demo),
    "ingest": (add_ingest, cmd_ingest),
    "indicators": (add_indicators, cmd_indicators),
}
