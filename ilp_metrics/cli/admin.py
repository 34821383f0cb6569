"""Administration commands: backup, restore, users (docs/security.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ilp_metrics.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AddParser,
    Command,
    SubParsers,
    UsageError,
    _Parser,
    db_option,
    open_existing_rw,
    operator,
    user_option,
    write_rows,
)
from ilp_metrics.core.config import secret_path_for, setting

ROLE_CHOICES = ("admin", "dinas", "puskesmas", "tamu")


def add_backup(sub: SubParsers) -> None:
    p = sub.add_parser("backup", help="consistent backup of the database, the key written separately")
    db_option(p, top=False)
    p.add_argument("--out", type=Path, required=True, help="folder in which the backup folder is created")
    p.add_argument(
        "--passphrase-env", metavar="VAR", help="encrypt the key with the passphrase held in this environment variable"
    )
    user_option(p)


def add_restore(sub: SubParsers) -> None:
    p = sub.add_parser("restore", help="put a backup back (stop the dashboard first)")
    db_option(p, top=False)
    p.add_argument("backup", type=Path, help="a folder written by `backup` (ilp-backup-…)")
    p.add_argument("--passphrase-env", metavar="VAR", help="environment variable holding the key's passphrase")
    p.add_argument("--force", action="store_true", help="replace an existing database and key")
    user_option(p)


def add_users(sub: SubParsers) -> None:
    p = sub.add_parser("users", help="accounts: list, add, set-password, set-role, deactivate, unlock")
    db_option(p, top=False)
    users = p.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    q = users.add_parser("list", help="accounts without their password hashes")
    q.add_argument("--format", choices=("csv", "json"), default="csv")
    q = users.add_parser("add", help="a new account; the password is read from $ILP_NEW_PASSWORD or asked")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=ROLE_CHOICES)
    q.add_argument("--puskesmas", help="puskesmas code (role puskesmas)")
    q.add_argument("--email", help="identity for OpenID Connect sign-in")
    q.add_argument("--name", help="display name")
    q.add_argument("--oidc-only", action="store_true", help="no password: sign in through the identity provider")
    q = users.add_parser("set-password", help="new password from $ILP_NEW_PASSWORD or asked")
    q.add_argument("username")
    q = users.add_parser("set-role", help="change role (and puskesmas)")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=ROLE_CHOICES)
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

    con = open_existing_rw(args.db)
    try:
        folder = backup(
            con,
            args.out,
            secret_path_for(args.db),
            passphrase=_passphrase(args),
            actor=args.user,
            principal=operator(args),
        )
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
            principal=operator(args),
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
    from ilp_metrics.export.safe_cells import safe_rows
    from ilp_metrics.security import accounts
    from ilp_metrics.security.accounts import AuthError

    con = open_existing_rw(args.db)
    actor = f"cli:{os.environ.get('USER', '?')}"
    try:
        command = args.users_command
        if command == "list":
            frame = accounts.list_users(con)
            rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
            if args.format == "csv":  # a spreadsheet opens it: no cell may run as a formula
                rows = safe_rows(rows)
            write_rows(rows, args.format, list(frame.columns))
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


COMMANDS: dict[str, tuple[AddParser, Command]] = {
    "backup": (add_backup, cmd_backup),
    "restore": (add_restore, cmd_restore),
    "users": (add_users, cmd_users),
}
