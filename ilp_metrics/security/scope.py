"""Who is asking, and what they may see: the `Principal` every scoped library call receives.

Roles (docs/security.md):
  admin      everything, plus accounts, audit trail, backups
  dinas      the whole district: every puskesmas and desa; uploads and withdrawals
  puskesmas  uploads for its own puskesmas; desa-level detail of its own puskesmas only,
             puskesmas- and district-level aggregates for the rest
  tamu       the public presentation: district- and puskesmas-level aggregates, no desa, no uploads

Scopes are enforced here, in the library, not only by hiding widgets: every public library function that
returns or changes data takes a required keyword-only `principal` and asks it before it reads desa rows or
writes anything. The command line is a trusted local operator: `cli_principal` names it.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "dinas", "puskesmas", "tamu")

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {"view", "dashboard", "desa_all", "upload", "withdraw", "export", "manage_users", "audit", "backup", "registry"}
    ),
    "dinas": frozenset({"view", "dashboard", "desa_all", "upload", "withdraw", "export", "registry"}),
    "puskesmas": frozenset({"view", "dashboard", "desa_own", "upload", "export"}),
    "tamu": frozenset({"view"}),  # the public presentation and the indicator dictionary only (no "dashboard")
}

# Kinds a puskesmas account may upload, each checked row by row against its own code.
PUSKESMAS_UPLOAD_KINDS = ("layanan", "capaian", "kesiapan")


class ScopeDenied(PermissionError):
    """The principal may not see or change this; `code` names the message (messages/akun.yaml)."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    puskesmas_code: str | None = None
    display_name: str = ""
    demo: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "puskesmas" and not self.puskesmas_code:
            raise ValueError("a puskesmas account needs its puskesmas_code")

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise ScopeDenied("forbidden", permission=permission)

    def desa_puskesmas(self, puskesmas: str | None) -> str | None:
        """The puskesmas whose desa rows this principal may read for a request about `puskesmas`
        (None = all): its own for a puskesmas account, refused for another's or for a guest."""
        if self.can("desa_all"):
            return puskesmas
        if self.can("desa_own"):
            if puskesmas is None or puskesmas.upper() == str(self.puskesmas_code).upper():
                return self.puskesmas_code
            raise ScopeDenied("desa_other_puskesmas", puskesmas=puskesmas)
        raise ScopeDenied("desa_not_allowed")

    def may_see_desa_of(self, puskesmas: str) -> bool:
        try:
            self.desa_puskesmas(puskesmas)
            return True
        except ScopeDenied:
            return False

    def require_any(self, *permissions: str) -> None:
        """Refuse unless the principal holds at least one of `permissions`."""
        if not any(self.can(p) for p in permissions):
            raise ScopeDenied("forbidden", permission=" | ".join(permissions))

    @property
    def sees_desa(self) -> bool:
        """Whether any desa-level row is within scope (not for a guest)."""
        return self.can("desa_all") or self.can("desa_own")


SYSTEM = Principal("system", "admin", display_name="system")

CLI_ROLES = ("admin", "dinas")


def cli_principal(user: str = "cli", role: str = "admin") -> Principal:
    """The trusted local operator of the command line, audited under the `--user` name."""
    if role not in CLI_ROLES:
        raise ValueError(f"the command line acts as {' or '.join(CLI_ROLES)}, not {role!r}")
    return Principal(user, role, display_name=user)
