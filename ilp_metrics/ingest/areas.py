"""Kabupaten and kecamatan of a puskesmas list, matched against the bundled Kemendagri reference.

A Dinas keeps its puskesmas list with names, not codes: the kabupaten is in the title (`DAFTAR
PUSKESMAS KABUPATEN LAMPUNG SELATAN`), chosen on the upload page or given on the command line, and the
kecamatan is a name (`Kec. Tompo Bulu`). Names are compared in a normal form (case, `Kec.`/`Kecamatan`,
spaces and punctuation removed, old spellings `dj`/`tj`/`oe`), then by a conservative edit distance;
two references equally close are refused with both named, never guessed. The kecamatan is never read
from the digits of a Kemenkes puskesmas code: that numbering differs from Kemendagri's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from ilp_metrics.catalogue.labels import normalise_label, normalise_regency
from ilp_metrics.core.i18n import t
from ilp_metrics.ingest.errors import FileProblem

if TYPE_CHECKING:
    from ilp_metrics.ingest.validate import Validation

DISTRICT_PREFIX = re.compile(r"^(kecamatan|kec)\s+")
OLD_SPELLINGS = (("dj", "j"), ("tj", "c"), ("oe", "u"))
ADDRESS_DISTRICT = re.compile(r"\b(?:kec|kecamatan)\b\.?\s*([^,;()]+)", re.IGNORECASE)
ADDRESS_TAIL = re.compile(r"\b(?:kota|kabupaten|kab|kel|kelurahan|desa|prov|provinsi|kode pos)\b", re.IGNORECASE)
REGENCY_WORDS = re.compile(r"\b(kabupaten|kota)\s+(?!kabupaten\b|kota\b|se\b|provinsi\b)([a-z]+(?:\s[a-z]+){0,2})")


@dataclass(frozen=True)
class Regency:
    code: str
    name: str
    source: str  # 'option' | 'title'


@dataclass(frozen=True)
class DistrictMatch:
    code: str | None
    name: str | None  # the reference name
    method: str  # 'name' (same after normalising) | 'name_approx' | 'unknown' | 'ambiguous'
    candidates: tuple[str, ...] = ()


def regency_option(con: duckdb.DuckDBPyConnection, text: str) -> Regency:
    """The kabupaten given by the user (`73.09` or `7309`), checked against the reference."""
    try:
        code = normalise_regency(text)
    except ValueError:
        raise FileProblem("regency_option_invalid", {"value": text}) from None
    row = con.execute("SELECT name FROM ref_regency WHERE code = ?", [code]).fetchone()
    if row is None:
        raise FileProblem("regency_option_unknown", {"value": text})
    return Regency(code, str(row[0]), "option")


def _title_form(text: str) -> str:
    return re.sub(r"\bkab\b", "kabupaten", normalise_label(text))


def regency_from_title(con: duckdb.DuckDBPyConnection, title_text: str) -> Regency | None:
    """The one reference regency named in the title rows; None when the title names none at all.

    A title naming a kabupaten/kota the reference does not know, or several, is a FileProblem saying so."""
    title = f" {_title_form(title_text)} "
    if not title.strip():
        return None
    regencies = con.execute("SELECT code, name FROM ref_regency ORDER BY code").fetchall()
    found = [(str(c), str(n), normalise_label(n)) for c, n in regencies if f" {normalise_label(n)} " in title]
    # `Kabupaten Bandung Barat` also contains `Kabupaten Bandung`: keep the longest names only.
    kept = [f for f in found if not any(f[2] != g[2] and f" {f[2]} " in f" {g[2]} " for g in found)]
    if len(kept) == 1:
        return Regency(kept[0][0], kept[0][1], "title")
    if len(kept) > 1:
        names = ", ".join(f"{n} ({c})" for c, n, _ in kept)
        raise FileProblem("title_regency_ambiguous", {"names": names})
    phrase = REGENCY_WORDS.search(title)
    if phrase:
        raise FileProblem("title_regency_unknown", {"value": phrase.group(0).strip().upper()})
    return None


def district_key(text: str) -> str:
    """A kecamatan name in the form names are compared in: `Kec. Tompo-Bulu` -> `tompobulu`."""
    label = DISTRICT_PREFIX.sub("", normalise_label(text))
    return label.replace(" ", "")


def _spelling_key(key: str) -> str:
    for old, new in OLD_SPELLINGS:
        key = key.replace(old, new)
    return key


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def allowed_distance(key: str) -> int:
    """How many edits a name may differ by: none for short names, one from 5 letters, two from 10."""
    return 0 if len(key) < 5 else 1 if len(key) < 10 else 2


def match_district(text: str, districts: list[tuple[str, str]]) -> DistrictMatch:
    """The kecamatan of `districts` (code, reference name) that `text` names, or why there is none."""
    key = district_key(text)
    if not key:
        return DistrictMatch(None, None, "unknown")
    exact = [(c, n) for c, n in districts if district_key(n) == key]
    if len(exact) == 1:
        return DistrictMatch(exact[0][0], exact[0][1], "name")
    if len(exact) > 1:
        return DistrictMatch(None, None, "ambiguous", tuple(n for _, n in exact))
    spelled = _spelling_key(key)
    scored = [(edit_distance(spelled, _spelling_key(district_key(n))), c, n) for c, n in districts]
    limit = allowed_distance(key)
    close = sorted(s for s in scored if s[0] <= limit)
    if not close:
        return DistrictMatch(None, None, "unknown")
    best = [s for s in close if s[0] == close[0][0]]
    if len(best) > 1:
        return DistrictMatch(None, None, "ambiguous", tuple(n for _, _, n in best))
    return DistrictMatch(best[0][1], best[0][2], "name_approx")


def district_in_address(address: str) -> str | None:
    """The kecamatan an address names (`Jl. Syahbandar I, Kec. Bandungkulon` -> `Bandungkulon`), if any."""
    found = ADDRESS_DISTRICT.findall(address)
    if not found:
        return None
    named = ADDRESS_TAIL.split(found[-1])[0].strip(" .-")
    return named or None


def install_district_names(con: duckdb.DuckDBPyConnection, src: str) -> None:
    """Temp table `lk_district_name`: each (regency, kecamatan text, source) of the staged list and its
    match. The source is the kecamatan column (`name`) or, without one, the `Kec. …` of the address
    (`address`), which is only used when it matches: an address that names no kecamatan, or an unknown
    one, leaves the kecamatan to the desa list rather than refusing the row."""
    pairs = con.execute(
        f"SELECT DISTINCT ilp_region(regency_code), coalesce(district_name, facility_address), "
        f"CASE WHEN district_name IS NOT NULL THEN 'name' ELSE 'address' END FROM {src} "
        "WHERE _skip IS NULL AND coalesce(district_name, facility_address) IS NOT NULL AND district_code IS NULL "
        "AND ilp_region(regency_code) IS NOT NULL"
    ).fetchall()
    regencies = sorted({str(r) for r, _, _ in pairs})
    by_regency: dict[str, list[tuple[str, str]]] = {r: [] for r in regencies}
    if regencies:
        for code, regency, name in con.execute(
            "SELECT code, regency_code, name FROM ref_district WHERE list_contains($r, regency_code) ORDER BY code",
            {"r": regencies},
        ).fetchall():
            by_regency[str(regency)].append((str(code), str(name)))
    rows = []
    for r, text, source in pairs:
        named = str(text) if source == "name" else district_in_address(str(text))
        found = match_district(named, by_regency.get(str(r), [])) if named else DistrictMatch(None, None, "unknown")
        if source == "address":
            method = found.method.replace("name", "address") if found.code else "none"
            found = DistrictMatch(found.code, found.name, method)
        rows.append((str(r), str(text), found))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lk_district_name AS SELECT "
        "CAST(unnest($regency) AS VARCHAR) AS regency, CAST(unnest($raw) AS VARCHAR) AS raw, "
        "CAST(unnest($code) AS VARCHAR) AS code, CAST(unnest($ref) AS VARCHAR) AS ref_name, "
        "CAST(unnest($method) AS VARCHAR) AS method, CAST(unnest($candidates) AS VARCHAR) AS candidates, "
        "CAST(unnest($source) AS VARCHAR) AS source",
        {
            "source": [s for _, _, s in pairs],
            "regency": [r for r, _, _ in rows],
            "raw": [t for _, t, _ in rows],
            "code": [m.code for _, _, m in rows],
            "ref": [m.name for _, _, m in rows],
            "method": [m.method for _, _, m in rows],
            "candidates": [" / ".join(m.candidates) for _, _, m in rows],
        },
    )


def area_notes(
    con: duckdb.DuckDBPyConnection, v: Validation, regency: Regency | None, lang: str
) -> tuple[dict[str, str] | None, list[dict[str, Any]]]:
    """What the report says of a puskesmas list's areas: where its kabupaten came from, and per puskesmas
    its kecamatan and how it was found (code, name, a name spelled differently, or pending the desa list),
    in the words of the file's own headers."""
    m = v.mapping
    kabupaten: dict[str, str] | None = None
    if regency is not None:
        kabupaten = {
            "code": regency.code,
            "name": regency.name,
            "source": regency.source,
            "note": t(f"ingest.area.regency_{regency.source}", lang, code=regency.code, name=regency.name),
        }
    elif "regency_code" in m.columns:
        kabupaten = {
            "source": "column",
            "note": t("ingest.area.regency_column", lang, column=m.header_of("regency_code")),
        }
    rows = con.execute(
        f"SELECT p.row_no, upper(p.puskesmas_code), p.puskesmas_name, p.t_district, d.name, p.t_district_from, "
        f"coalesce(p.district_name, p.facility_address) FROM {v.parsed} p LEFT JOIN ref_district d ON d.code = p.t_district "
        "WHERE p.puskesmas_code IS NOT NULL AND p.district_name_method IS DISTINCT FROM 'unknown' "
        "AND p.district_name_method IS DISTINCT FROM 'ambiguous' ORDER BY p.row_no"
    ).fetchall()
    notes = []
    for row_no, code, name, district, district_name, how, text in rows:
        how = how or ("pending" if district is None else "code")
        source = {"code": "district_code", "address": "facility_address", "address_approx": "facility_address"}
        column = m.header_of(source.get(how, "district_name"))
        note = t(
            f"ingest.area.district_{how}",
            lang,
            code=district or "",
            name=district_name or "",
            value=text or "",
            column=column,
        )
        notes.append(
            {
                "row": row_no,
                "puskesmas_code": code,
                "puskesmas_name": name,
                "kecamatan_code": district,
                "kecamatan_name": district_name,
                "how": how,
                "note": note,
            }
        )
    return kabupaten, notes


def regency_choices(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every kabupaten/kota of the bundled Kemendagri reference (public data), as (code, name)."""
    return [(str(c), str(n)) for c, n in con.execute("SELECT code, name FROM ref_regency ORDER BY code").fetchall()]
