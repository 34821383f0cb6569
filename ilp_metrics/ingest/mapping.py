"""From a file's header row to canonical fields: detect the kind, wide tables, and apply profiles.

A mapping profile (YAML) fixes, for one source layout, which column holds which field, constant values,
value translations and, for wide tables, which column holds which code. Without a profile the header
labels are matched against the synonyms of `fields` and of the catalogue.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.ingest.errors import FileProblem
from ilp_metrics.ingest.fields import FIELDS, KIND_SPECS, KINDS, label_index, normalise_label
from ilp_metrics.ingest.layouts import Layout, LayoutError, layout_from_dict, layout_to_dict

PROFILE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


@dataclass
class Profile:
    name: str
    kind: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header label ("" = not used)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    wide: dict[str, str] = field(default_factory=dict)  # header label -> code
    emit: list[dict[str, Any]] = field(default_factory=list)
    dedupe_on: list[str] = field(default_factory=list)
    layout: Layout | None = None  # a month-wide recap with a header of several rows (layouts.py)
    ignore_columns: list[str] = field(default_factory=list)  # headers set aside on purpose (reported as ignored)


@dataclass
class Mapping:
    kind: str
    columns: dict[str, int]  # canonical field -> column index in the staged table
    wide: list[tuple[int, str]] = field(default_factory=list)  # (column index, code)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # normalised source -> target
    emit: list[dict[str, Any]] = field(default_factory=list)
    dedupe_on: list[str] = field(default_factory=list)
    profile: str | None = None
    headers: list[str] = field(default_factory=list)

    def header_of(self, field_name: str) -> str:
        idx = self.columns.get(field_name)
        if idx is None:
            return field_name
        return self.headers[idx] or field_name

    def describe(self) -> dict[str, str]:
        """canonical field -> header label (or 'constant'), for the report and the upload page."""
        out = {f: self.header_of(f) for f in self.columns}
        out.update({f: f"= {v}" for f, v in self.constants.items()})
        return out


class ProfileError(ValueError):
    pass


def load_profile(path: Path | str) -> Profile:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    return profile_from_dict(raw, default_name=path.stem)


PACKAGED_PROFILES = Path(__file__).resolve().parent / "profiles"


def packaged_profiles() -> dict[str, Path]:
    """Profiles that ship with the product, by file stem (e.g. 'e-ppgbm')."""
    return {p.stem: p for p in sorted(PACKAGED_PROFILES.glob("*.yaml"))}


def profiles_dir_for(db_path: Path | str) -> Path:
    """Where the upload page saves the mapping profiles of an installation: `profiles/` beside the database."""
    return Path(db_path).parent / "profiles"


def available_profiles(directory: Path | None = None) -> dict[str, Path]:
    """Shipped profiles (by file stem), then the profiles saved in `directory` (by the name they were saved
    under). A saved profile never hides a shipped one: on a clash its file name is added to its label."""
    found = dict(packaged_profiles())
    if directory is not None and Path(directory).is_dir():
        for path in sorted(Path(directory).glob("*.yaml")):
            label = path.stem.replace("_", " ")
            if label.lower() in {k.lower() for k in found}:
                label = f"{label} ({path.name})"
            found[label] = path
    return found


def is_shipped_profile_name(name: str) -> bool:
    """True for the name of a profile that ships with the product (saving under it would be confusing)."""
    wanted = name.strip().lower().replace(" ", "_")
    for stem, path in packaged_profiles().items():
        shipped = {stem.lower()}
        with contextlib.suppress(ProfileError):
            shipped.add(load_profile(path).name.lower().replace(" ", "_"))
        if wanted in shipped:
            return True
    return False


def resolve_profile(name_or_path: Path | str) -> Profile:
    """A path to a YAML profile, or the name of a packaged one ('e-ppgbm')."""
    path = Path(name_or_path)
    if path.is_file():
        return load_profile(path)
    shipped = packaged_profiles().get(str(name_or_path).lower())
    if shipped is None:
        raise ProfileError(f"profil '{name_or_path}' tidak ditemukan (tersedia: {', '.join(packaged_profiles())})")
    return load_profile(shipped)


def profile_from_dict(raw: dict[str, Any], default_name: str = "profil") -> Profile:
    problems = []
    name = str(raw.get("name") or default_name)
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(f"kind '{kind}' is not one of {', '.join(KINDS)}")
    columns = {str(k): "" if v is None else str(v) for k, v in (raw.get("columns") or {}).items()}
    for f in columns:
        if f not in FIELDS:
            problems.append(f"columns: '{f}' is not a canonical field")
    constants = {str(k): str(v) for k, v in (raw.get("constants") or {}).items()}
    for f in constants:
        if f not in FIELDS:
            problems.append(f"constants: '{f}' is not a canonical field")
    values = {str(f): {str(a): str(b) for a, b in (m or {}).items()} for f, m in (raw.get("values") or {}).items()}
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        problems.append("header_row must be a positive row number")
    emit = list(raw.get("emit") or [])
    for e in emit:
        if not isinstance(e, dict) or "service_code" not in e:
            problems.append("emit: every entry needs a service_code")
    layout = None
    if raw.get("layout"):
        try:
            layout = layout_from_dict(dict(raw["layout"]))
        except (LayoutError, TypeError, ValueError) as exc:
            problems.append(f"layout: {exc}")
    if problems:
        raise ProfileError(f"profile '{name}': " + "; ".join(problems))
    return Profile(
        name=name,
        kind=kind,
        header_row=header_row,
        columns=columns,
        constants=constants,
        values=values,
        wide={str(k): str(v) for k, v in (raw.get("wide") or {}).items()},
        emit=emit,
        dedupe_on=[str(x) for x in raw.get("dedupe_on") or []],
        layout=layout,
        ignore_columns=[str(x) for x in raw.get("ignore_columns") or []],
    )


def safe_profile_name(name: str) -> str:
    """Profile names become file names: refuse anything that could leave the profile folder."""
    name = name.strip()
    if not PROFILE_NAME_RE.fullmatch(name) or ".." in name:
        raise ProfileError("nama profil hanya boleh huruf, angka, spasi, titik, garis bawah dan tanda hubung")
    return name


def save_profile(profile: Profile, directory: Path) -> Path:
    name = safe_profile_name(profile.name)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name.replace(" ", "_") + ".yaml")
    data: dict[str, Any] = {"name": name, "kind": profile.kind}
    for key in ("header_row", "columns", "constants", "values", "wide", "emit", "dedupe_on", "ignore_columns"):
        value = getattr(profile, key)
        if value:
            data[key] = value
    if profile.layout is not None:
        data["layout"] = layout_to_dict(profile.layout)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def vocabulary_labels(cat: Catalogue) -> dict[str, dict[str, str]]:
    """Wide-table column labels per vocabulary: normalised label -> code."""
    return {
        "services": cat.service_synonyms(),
        "target_groups": cat.target_group_synonyms(),
        "readiness_items": cat.readiness_item_synonyms(),
    }


def extra_header_labels(cat: Catalogue) -> set[str]:
    labels: set[str] = set()
    for vocab in vocabulary_labels(cat).values():
        labels.update(vocab)
    return labels


def _field_columns(labels: list[str], profile: Profile | None) -> dict[str, int]:
    """canonical field -> column index: the profile's columns first, then the header synonyms."""
    index = label_index()
    columns: dict[str, int] = {}
    not_used: set[str] = set()  # fields the profile (or the user) says the file does not hold
    if profile and profile.columns:
        for f, header in profile.columns.items():
            wanted = normalise_label(header)
            if not wanted:
                not_used.add(f)
            elif wanted in labels:
                columns[f] = labels.index(wanted)
    for i, label in enumerate(labels):
        synonym_of = index.get(label)
        if synonym_of and synonym_of not in columns and synonym_of not in not_used and i not in columns.values():
            columns[synonym_of] = i
    return columns


def suggest_columns(headers: list[str], profile: Profile | None = None) -> dict[str, str]:
    """canonical field -> header, as build_mapping would match them, whatever the kind (and even when no
    kind fits): the suggestions of the upload page's column-mapping step."""
    labels = [normalise_label(h) for h in headers]
    return {f: headers[i] for f, i in _field_columns(labels, profile).items()}


_PERCENT_HEADER = re.compile(r".*(%|\bpersen\b|\bpersentase\b|\bpct\b).*", re.IGNORECASE)


def is_percent_header(header: str) -> bool:
    """`% K1`, `K1 (%)`, `Persentase K4`: a percentage, never a count (normalised it would read `k1`)."""
    return bool(_PERCENT_HEADER.fullmatch(header or ""))


_AREA_COLUMNS = ("puskesmas_code", "puskesmas_name", "desa_code", "desa_name")
_REGENCY_LABEL = re.compile(
    r"(kode |nama |bps |kemendagri )*(kabupaten|kab)( ?kota)?( kode| nama)?|kota|kab kota|kabkota"
)


def is_per_regency(labels: list[str], columns: dict[str, int]) -> bool:
    """A table per kabupaten/kota (provincial open data): a regency column and no puskesmas or desa."""
    if any(f in columns for f in _AREA_COLUMNS):
        return False
    return "regency_code" in columns or any(_REGENCY_LABEL.fullmatch(label) for label in labels if label)


def build_mapping(
    headers: list[str],
    cat: Catalogue,
    kind: str | None = None,
    profile: Profile | None = None,
    title_text: str = "",
    ignore: frozenset[str] = frozenset(),
    *,
    regency_known: bool = False,
) -> Mapping:
    """Decide the kind and which column holds which field; FileProblem if required fields are missing.

    Columns whose normalised header is in `ignore` feed nothing (the report lists them as ignored).
    `regency_known`: the kabupaten is known without a column (chosen, given on the command line, or read
    from the title), so a puskesmas list needs no area column; it adds nothing to the kind's score."""
    labels = [normalise_label(h) for h in headers]
    labels = ["" if label in ignore else label for label in labels]
    vocabularies = vocabulary_labels(cat)
    kind = kind or (profile.kind if profile else None)
    columns = _field_columns(labels, profile)

    used = set(columns.values())
    wide_by_vocab: dict[str, list[tuple[int, str]]] = {}
    for vocab_name, vocab in vocabularies.items():
        hits = []
        for i, label in enumerate(labels):
            if i in used or not label or is_percent_header(headers[i]):
                continue
            code = None
            if profile and profile.wide:
                for h, c in profile.wide.items():
                    if normalise_label(h) == label:
                        code = c
            code = code or vocab.get(label)
            if code:
                hits.append((i, code))
        wide_by_vocab[vocab_name] = hits

    constants = dict(profile.constants) if profile else {}
    # A known kabupaten stands in for the area column of a list that holds puskesmas fields only: a desa
    # list or a wide table with puskesmas code and name stays what it is.
    no_wide = not any(wide_by_vocab.values())
    registry_only = set(columns) <= set(KIND_SPECS["puskesmas"].fields) and no_wide
    candidates = [kind] if kind else list(KINDS)
    best: tuple[int, str, list[tuple[int, str]]] | None = None
    missing_by_kind: dict[str, list[tuple[str, ...]]] = {}
    for k in candidates:
        spec = KIND_SPECS[k]
        present = {f for f in columns if f in spec.fields} | {f for f in constants if f in spec.fields}
        wide = wide_by_vocab.get(spec.wide_vocabulary or "", [])
        is_wide = bool(wide) and not any(f in present for f in spec.wide_replaces if f not in ("service_name",))
        groups = spec.required
        if is_wide:
            groups = tuple(g for g in groups if not set(g) & set(spec.wide_replaces))
        if profile and profile.emit and k == "layanan":
            groups = tuple(g for g in groups if "service_code" not in g)
        missing = [g for g in groups if not any(f in present for f in g)]
        if k == "desa" and "desa_code" not in columns and not (set(columns) <= set(spec.fields) and no_wide):
            missing.append(("desa_code",))  # desa by name: only in a list of desa and puskesmas alone
        if k == "puskesmas" and regency_known and registry_only:
            missing = [g for g in missing if "regency_code" not in g]
        if k == "sasaran" and missing == [("year",)] and re.search(r"\b(20\d\d)\b", title_text):
            missing = []
        missing_by_kind[k] = missing
        if missing:
            continue
        score = len(present) + (len(wide) if is_wide else 0)
        if best is None or score > best[0]:
            best = (score, k, wide if is_wide else [])
    if best is None:
        if is_per_regency(labels, columns):
            raise FileProblem("per_kabupaten")
        closest = min(missing_by_kind, key=lambda k: len(missing_by_kind[k]))
        area_only = [g for g in missing_by_kind[closest] if "regency_code" not in g] == []
        if closest == "puskesmas" and area_only and registry_only:
            raise FileProblem("regency_unknown")  # a puskesmas list that names no kabupaten
        raise FileProblem(
            "missing_columns",
            {"kind": closest, "missing": "; ".join(" / ".join(g) for g in missing_by_kind[closest])},
            groups=[list(g) for g in missing_by_kind[closest]],
        )
    _, chosen, wide = best
    spec = KIND_SPECS[chosen]
    if chosen == "sasaran" and "year" not in columns and "year" not in constants:
        constants["year"] = re.search(r"\b(20\d\d)\b", title_text).group(1)  # type: ignore[union-attr]
    columns = {f: i for f, i in columns.items() if f in spec.fields}
    values = {}
    if profile:
        values = {f: {normalise_label(a): b for a, b in m.items()} for f, m in profile.values.items()}
    return Mapping(
        kind=chosen,
        columns=columns,
        wide=wide,
        constants=constants,
        values=values,
        emit=list(profile.emit) if profile else [],
        dedupe_on=list(profile.dedupe_on) if profile else [],
        profile=profile.name if profile else None,
        headers=list(headers),
    )
