"""`python -m ilp_metrics COMMAND`: the command line promised by the data contract (§4).

Exit status: 0 success; 1 the input was refused (nothing written, reasons printed); 2 bad usage.
`--db PATH` may be given before or after the command.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ilp_metrics.core.config import default_db_path, secret_path_for, setting

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 itself; keep the contract's wording
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _db_option(p: argparse.ArgumentParser, top: bool) -> None:
    p.add_argument(
        "--db",
        type=Path,
        default=(None if top else argparse.SUPPRESS),
        help="DuckDB database file (default: data/ilp.duckdb or $ILP_DB)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m ilp_metrics", description="Dasbor ILP command line")
    _db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("init", help="create an empty database with the schema and reference areas")
    _db_option(p, top=False)

    p = sub.add_parser("demo", help="build the bundled demo database (Maros and Luwu Utara)")
    _db_option(p, top=False)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument(
        "--keep-files",
        type=Path,
        default=None,
        help="also keep the generated upload files in this folder (to try the upload page)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if the database exists")

    p = sub.add_parser("ingest", help="validate and load files; JSON report on stdout")
    _db_option(p, top=False)
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--kind", choices=("puskesmas", "desa", "sasaran", "layanan", "capaian", "kesiapan"))
    p.add_argument("--profile", help="column-mapping profile: a YAML file, or a shipped one by name (e-ppgbm)")
    p.add_argument(
        "--accept-valid",
        action="store_true",
        help="commit the valid rows and record the refused ones (default: refuse the whole file)",
    )
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument("--user", default="cli", help="recorded as the uploader")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument("--max-refusals", type=int, default=1000, help="refusal lines listed per file")

    p = sub.add_parser("indicators", help="list the indicator catalogue")
    _db_option(p, top=False)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--lang", choices=("id", "en"), default="id")

    p = sub.add_parser("coverage", help="coverage of one indicator per kabupaten, puskesmas or desa")
    _db_option(p, top=False)
    p.add_argument("--indicator", required=True, help="indicator code (see the indicators command)")
    p.add_argument("--level", required=True, choices=("kabupaten", "puskesmas", "desa"))
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--through", help="YYYY-MM: cumulative to this month (default: the year's last month with data)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--kabupaten", dest="regency", help="only this kabupaten (Kemendagri code, e.g. 73.09)")
    p.add_argument("--puskesmas", help="only this puskesmas (and its desa)")
    p.add_argument("--monthly", action="store_true", help="one row per month from January to --through")

    p = sub.add_parser("export", help="slides (.pptx), A4 report (.pdf) or tables (.xlsx) for one kabupaten")
    _db_option(p, top=False)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--out", required=True, type=Path, help="output file: .pptx, .pdf or .xlsx")
    p.add_argument(
        "--kabupaten", dest="regency", help="Kemendagri code, e.g. 73.09 (default: the only kabupaten in the database)"
    )
    p.add_argument("--through", help="YYYY-MM: cumulative to this month (default: the year's last month with data)")
    p.add_argument("--public", action="store_true", help="public showing: counts under 5 as <5, no desa detail")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument("--user", default="cli", help="recorded in the audit trail")

    p = sub.add_parser("compare", help="two groups of puskesmas aligned on months since each one's ILP start")
    _db_option(p, top=False)
    p.add_argument("--indicator", required=True, help="indicator code (cumulative, with an annual target population)")
    p.add_argument(
        "--group-a", required=True, help="regency code (73.09), cohort name (pilot) or P-codes, comma-separated"
    )
    p.add_argument("--group-b", required=True, help="the comparison group, same forms")
    p.add_argument(
        "--view",
        choices=("aligned", "calendar", "before-after", "did"),
        default="aligned",
        help="aligned (default): per months since start; calendar; before-after per puskesmas; did: 2 × 2 table",
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")

    p = sub.add_parser("quality", help="data-quality findings, one row per finding")
    _db_option(p, top=False)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--through", help="YYYY-MM: check January to this month (default: the last month with data)")
    p.add_argument("--kabupaten", dest="regency", help="only this kabupaten (Kemendagri code, e.g. 73.09)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--lang", choices=("id", "en"), default="id")

    _security_parsers(sub)

    p = sub.add_parser(
        "export-parquet",
        help="export the tables the metrics read as Parquet for Spark "
        "(layanan/capaian partitioned by kabupaten and year)",
    )
    _db_option(p, top=False)
    p.add_argument("--out", required=True, type=Path, help="folder to write (created; existing files kept)")
    return parser


def _security_parsers(sub) -> None:
    """backup, restore, users (docs/security.md)."""
    p = sub.add_parser("backup", help="consistent backup of the database, the key written separately")
    _db_option(p, top=False)
    p.add_argument("--out", type=Path, required=True, help="folder in which the backup folder is created")
    p.add_argument(
        "--passphrase-env", metavar="VAR", help="encrypt the key with the passphrase held in this environment variable"
    )
    p.add_argument("--user", default="cli", help="recorded in the audit trail")

    p = sub.add_parser("restore", help="put a backup back (stop the dashboard first)")
    _db_option(p, top=False)
    p.add_argument("backup", type=Path, help="a folder written by `backup` (ilp-backup-…)")
    p.add_argument("--passphrase-env", metavar="VAR", help="environment variable holding the key's passphrase")
    p.add_argument("--force", action="store_true", help="replace an existing database and key")
    p.add_argument("--user", default="cli", help="recorded in the audit trail")

    p = sub.add_parser("users", help="accounts: list, add, set-password, set-role, deactivate, unlock")
    _db_option(p, top=False)
    users = p.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    q = users.add_parser("list", help="accounts without their password hashes")
    q.add_argument("--format", choices=("csv", "json"), default="csv")
    q = users.add_parser("add", help="a new account; the password is read from $ILP_NEW_PASSWORD or asked")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=("admin", "dinas", "puskesmas", "tamu"))
    q.add_argument("--puskesmas", help="puskesmas code (role puskesmas)")
    q.add_argument("--email", help="identity for OpenID Connect sign-in")
    q.add_argument("--name", help="display name")
    q.add_argument("--oidc-only", action="store_true", help="no password: sign in through the identity provider")
    q = users.add_parser("set-password", help="new password from $ILP_NEW_PASSWORD or asked")
    q.add_argument("username")
    q = users.add_parser("set-role", help="change role (and puskesmas)")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=("admin", "dinas", "puskesmas", "tamu"))
    q.add_argument("--puskesmas")
    for name, text in (
        ("deactivate", "the account can no longer sign in"),
        ("activate", "re-enable"),
        ("unlock", "clear a lock-out"),
    ):
        q = users.add_parser(name, help=text)
        q.add_argument("username")


def _passphrase(args: argparse.Namespace) -> str | None:
    if not args.passphrase_env:
        return None
    value = os.environ.get(args.passphrase_env)
    if not value:
        raise UsageError(f"variabel lingkungan {args.passphrase_env} kosong")
    return value


def cmd_backup(args: argparse.Namespace) -> int:
    from ilp_metrics.security.backup import BackupError, backup

    con = _open_existing_rw(args.db)
    try:
        folder = backup(con, args.out, secret_path_for(args.db), passphrase=_passphrase(args), actor=args.user)
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        con.close()
    print(f"Cadangan dibuat: {folder} (basis data dan kunci dalam file terpisah; simpan kunci di tempat lain)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from ilp_metrics.security.backup import BackupError, restore

    try:
        version = restore(
            args.backup,
            args.db,
            secret_path_for(args.db),
            passphrase=_passphrase(args),
            force=args.force,
            actor=args.user,
        )
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Dipulihkan: {args.db} (versi data {version}) dari {args.backup}")
    return EXIT_OK


def _new_password() -> str:
    value = setting("new_password")
    if value:
        return value
    import getpass

    first = getpass.getpass("Kata sandi baru: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        raise UsageError("kedua kata sandi tidak sama")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from ilp_metrics.core.i18n import t
    from ilp_metrics.security import accounts
    from ilp_metrics.security.accounts import AuthError

    con = _open_existing_rw(args.db)
    actor = f"cli:{os.environ.get('USER', '?')}"
    try:
        command = args.users_command
        if command == "list":
            frame = accounts.list_users(con)
            write_rows(
                frame.astype(object).where(frame.notna(), None).to_dict("records"), args.format, list(frame.columns)
            )
            return EXIT_OK
        if command == "add":
            password = None if args.oidc_only else _new_password()
            accounts.add_user(
                con,
                args.username,
                args.role,
                password=password,
                puskesmas_code=args.puskesmas,
                email=args.email,
                display_name=args.name,
                actor=actor,
            )
        elif command == "set-password":
            accounts.set_password(con, args.username, _new_password(), actor=actor)
        elif command == "set-role":
            accounts.update_user(con, args.username, actor=actor, role=args.role, puskesmas_code=args.puskesmas)
        elif command in ("deactivate", "activate"):
            accounts.update_user(con, args.username, actor=actor, active=command == "activate")
        elif command == "unlock":
            accounts.unlock(con, args.username, actor=actor)
        print(f"Selesai: users {command} {args.username}")
        return EXIT_OK
    except AuthError as exc:
        print(f"ditolak: {t(exc.code, 'id', **exc.details)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        con.close()


def _open_existing_rw(db: Path):
    from ilp_metrics.core.db import connect, is_initialised, upgrade_schema

    if not db.is_file():
        raise UsageError(f"basis data tidak ditemukan: {db}")
    con = connect(db)
    if not is_initialised(con):
        con.close()
        raise UsageError(f"{db} bukan basis data Dasbor ILP")
    upgrade_schema(con)
    return con


def _open(db: Path):
    from ilp_metrics.core.db import connect, init_schema, is_initialised, upgrade_schema

    con = connect(db)
    if not is_initialised(con):
        init_schema(con)
    else:
        upgrade_schema(con)  # tables added since the file was made (accounts, audit trail)
    return con


def cmd_init(args: argparse.Namespace) -> int:
    from ilp_metrics.core.db import connect, init_schema

    con = connect(args.db)
    init_schema(con)
    villages = con.execute("SELECT count(*) FROM ref_village").fetchone()[0]
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
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.ingest.mapping import ProfileError, resolve_profile

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        raise UsageError("file tidak ditemukan: " + ", ".join(missing))
    profile = None
    if args.profile:
        try:
            profile = resolve_profile(args.profile)
        except ProfileError as exc:
            raise UsageError(str(exc)) from exc
    con = _open(args.db)
    secret = load_or_create_secret(secret_path_for(args.db))
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


def write_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    buf = io.StringIO()
    if rows or columns:
        writer = csv.DictWriter(buf, fieldnames=columns or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sys.stdout.write(buf.getvalue())


def cmd_indicators(args: argparse.Namespace) -> int:
    write_rows(indicator_rows(args.lang), args.format)
    return EXIT_OK


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


def _number(value: Any, digits: int = 2) -> float | int | None:
    """Whole numbers print without decimals; the rest rounded; missing values stay empty (null)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, digits)


def _open_existing(db: Path):
    from ilp_metrics.core.db import connect, is_initialised

    if not db.is_file():
        raise UsageError(
            f"basis data tidak ditemukan: {db} (buat dengan `python -m ilp_metrics demo` atau `init`, lalu unggah data)"
        )
    con = connect(db, read_only=True)
    if not is_initialised(con):
        raise UsageError(f"{db} bukan basis data Dasbor ILP")
    return con


def cmd_coverage(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import load_catalogue, normalise_regency
    from ilp_metrics.metrics.coverage import LevelNotAvailable, coverage, snapshot

    cat = load_catalogue()
    code = args.indicator.strip().upper()
    try:
        cat.indicator(code)
    except KeyError:
        raise UsageError(
            f"indikator tidak dikenal: {args.indicator} (lihat `python -m ilp_metrics indicators`)"
        ) from None
    through = None
    if args.through:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", args.through.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(f"--through harus berbentuk YYYY-MM, bukan {args.through!r}")
        if int(match.group(1)) != args.year:
            raise UsageError(f"--through {args.through} tidak berada di tahun --year {args.year}")
        through = int(match.group(2))
    regency = normalise_regency(args.regency) if args.regency else None
    con = _open_existing(args.db)
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
            "numerator": _number(r.numerator),
            "denominator": _number(r.denominator),
            "coverage_pct": _number(r.coverage),
            "target_pct": _number(r.target_to_date),
            "status": r.status,
        }
        for r in frame.itertuples(index=False)
    ]
    write_rows(rows, args.format, COVERAGE_COLUMNS)
    return EXIT_OK


def cmd_quality(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import normalise_regency
    from ilp_metrics.quality import FINDING_COLUMNS, findings

    through = _through(args.through, args.year)
    try:
        regency = normalise_regency(args.regency) if args.regency else None
    except ValueError as exc:
        raise UsageError(f"--kabupaten: {exc}") from None
    con = _open_existing(args.db)
    try:
        frame = findings(con, args.year, regency=regency, through=through, lang=args.lang)
    finally:
        con.close()
    rows = [
        {
            c: (_number(r[c]) if c in ("value", "expected") else (None if r[c] is None else r[c]))
            for c in FINDING_COLUMNS
        }
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    write_rows(rows, args.format, FINDING_COLUMNS)
    return EXIT_OK


def _through(text: str | None, year: int) -> int | None:
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--through harus berbentuk YYYY-MM, bukan {text!r}")
    if int(match.group(1)) != year:
        raise UsageError(f"--through {text} tidak berada di tahun --year {year}")
    return int(match.group(2))


def cmd_export(args: argparse.Namespace) -> int:
    from ilp_metrics.catalogue import normalise_regency
    from ilp_metrics.export import FORMATS, NoData, export_file
    from ilp_metrics.export.pdf_render import MissingFont

    if args.out.suffix.lower() not in FORMATS:
        raise UsageError(f"--out harus berakhiran .pptx, .pdf atau .xlsx, bukan {args.out.name!r}")
    through = _through(args.through, args.year)
    con = _open_existing_rw(args.db)  # the export is written to the audit trail
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
                con, args.out, year=args.year, regency=regency, through=through, lang=args.lang, public=args.public
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
        raise UsageError(
            f"indikator tidak dikenal: {args.indicator} (lihat `python -m ilp_metrics indicators`)"
        ) from None
    if not compare.comparable(ind):
        raise UsageError(t("compare.not_comparable", "id", indicator=code))
    con = _open_existing(args.db)
    try:
        groups: dict[str, list[str]] = {}
        for option, spec in (("--group-a", args.group_a), ("--group-b", args.group_b)):
            label = spec.strip() if spec.strip() not in groups else f"{spec.strip()} ({option[-1].upper()})"
            try:
                groups[label] = compare.resolve_group(con, spec)
            except compare.GroupError as exc:
                raise UsageError(f"{option}: " + t(exc.code, "id", **exc.values)) from None
        if args.view == "aligned":
            frame = compare.aligned_series(con, code, groups, catalogue=cat)
        elif args.view == "calendar":
            frame = compare.calendar_series(con, code, groups, catalogue=cat)
        else:
            frame = compare.before_after(con, code, groups, catalogue=cat)
            if args.view == "did":
                frame = compare.difference_in_differences(frame, *groups)
    finally:
        con.close()
    columns = COMPARE_COLUMNS[args.view]
    rows = []
    for record in frame[columns].to_dict("records"):
        for key, value in record.items():
            if (
                key in ("units", "months_since_start", "units_started", "months_before", "months_after")
                or key.endswith("_pct")
                or key in ("p25", "p75")
            ):
                record[key] = _number(value)
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

    con = _open_existing(args.db)
    try:
        counts = export_parquet(con, args.out)
    finally:
        con.close()
    print(json.dumps({"out": str(args.out), "rows": counts}, indent=1))
    return EXIT_OK


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "ingest": cmd_ingest,
    "indicators": cmd_indicators,
    "coverage": cmd_coverage,
    "compare": cmd_compare,
    "export": cmd_export,
    "quality": cmd_quality,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "users": cmd_users,
    "export-parquet": cmd_export_parquet,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    args.db = Path(args.db) if getattr(args, "db", None) else default_db_path()
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"galat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open until the process exits)
        return EXIT_OK
