"""Canonical fields of each upload kind and the header labels that name them in real extracts.

Header labels are compared after `normalise_label` (lower case, accents and punctuation removed), so
`Tgl. Lahir`, `TGL LAHIR` and `tgl_lahir` are one label. A kind lists groups of alternatives that must
all be present: e.g. layanan needs a service date AND (puskesmas code OR name) AND …
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("puskesmas", "desa", "sasaran", "layanan", "capaian", "kesiapan")


def normalise_label(text: object) -> str:
    """Lower-case ASCII words separated by single spaces: the form every synonym is compared in."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-zA-Z]+", " ", s).strip().lower()


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    labels: tuple[str, ...]
    personal: bool = False  # values never echoed in reports nor stored


def _f(name: str, type_: str, *labels: str, personal: bool = False) -> Field:
    return Field(name, type_, tuple(normalise_label(x) for x in (name, *labels)), personal)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        _f(
            "service_date",
            "date",
            "tanggal pelayanan",
            "tgl pelayanan",
            "tanggal kunjungan",
            "tgl kunjungan",
            "tanggal layanan",
            "tgl layanan",
            "tanggal periksa",
            "tgl periksa",
            "tanggal pemeriksaan",
            "tanggal pengukuran",
            "tgl pengukuran",
            "tanggal",
            "tgl",
        ),
        _f(
            "puskesmas_code",
            "code",
            "kode puskesmas",
            "kode pkm",
            "kd puskesmas",
            "kd pkm",
            "kode faskes",
            "id puskesmas",
            "kode_puskesmas",
        ),
        _f(
            "puskesmas_name",
            "text",
            "nama puskesmas",
            "puskesmas",
            "pukesmas",
            "pkm",
            "nama pkm",
            "faskes",
            "nama faskes",
            "upt puskesmas",
        ),
        _f(
            "desa_code",
            "region",
            "kode desa",
            "kode kelurahan",
            "kode desa kel",
            "kode desa kelurahan",
            "kd desa",
            "kode wilayah desa",
            "kode desa kelurahan kemendagri",
        ),
        _f(
            "desa_name",
            "text",
            "nama desa",
            "desa",
            "kelurahan",
            "desa kel",
            "desa kelurahan",
            "nama desa kel",
            "nama kelurahan",
            "nama desa kelurahan",
        ),
        _f("nik", "nik", "no nik", "nomor nik", "nomor induk kependudukan", "no ktp", "nik pasien", personal=True),
        _f("person_key", "text", "kunci orang", "id orang", personal=True),
        _f(
            "name",
            "text",
            "nama",
            "nama pasien",
            "nama lengkap",
            "nama anak",
            "nama balita",
            "nama sasaran",
            personal=True,
        ),
        _f("birth_date", "date", "tanggal lahir", "tgl lahir", "tgllahir", "tanggal kelahiran", "tgl lahir pasien"),
        _f("age_years", "int", "umur", "usia", "umur tahun", "usia tahun", "umur th", "usia th"),
        _f("sex", "sex", "jk", "jenis kelamin", "l p", "kelamin", "gender", "jns kelamin"),
        _f("service_code", "code", "kode layanan", "kode pelayanan", "kd layanan", "kode indikator"),
        _f(
            "service_name",
            "text",
            "layanan",
            "jenis layanan",
            "nama layanan",
            "pelayanan",
            "jenis pelayanan",
            "nama pelayanan",
        ),
        _f("result", "text", "hasil", "hasil pemeriksaan", "hasil layanan", "outcome"),
        _f("period", "period", "periode", "bulan tahun", "bulan laporan", "periode laporan", "masa laporan"),
        _f("year", "int", "tahun", "thn", "tahun sasaran"),
        _f("month", "month", "bulan", "bln"),
        _f("count", "int", "jumlah", "jml", "banyaknya", "jumlah capaian", "capaian", "realisasi"),
        _f("target_group", "text", "kelompok sasaran", "sasaran", "jenis sasaran", "target"),
        _f("item_code", "text", "kode item", "item", "indikator kesiapan", "komponen", "butir"),
        _f("value", "number", "nilai", "status"),
        _f("regency_code", "region", "kode kabupaten", "kode kab", "kode kab kota", "kode kabupaten kota"),
        _f("district_code", "region", "kode kecamatan", "kode kec"),
        _f(
            "district_name",
            "text",
            "kecamatan",
            "nama kecamatan",
            "kec",
            "nama kec",
            "wilayah kecamatan",
            "kecamatan wilayah kerja",
        ),
        _f("ilp_start_date", "date", "tanggal mulai ilp", "mulai ilp", "tmt ilp", "tgl mulai ilp", "awal ilp"),
        _f("cohort", "text", "kohort", "kelompok ilp", "kohort ilp", "kelompok", "angkatan ilp"),
        _f("facility_address", "text", "alamat", "alamat puskesmas", "alamat lengkap"),
        _f(
            "facility_phone",
            "text",
            "telp",
            "telepon",
            "no telp",
            "no telepon",
            "nomor telepon",
            "no hp",
            "nomor hp",
            "hp",
            "kontak",
            personal=True,
        ),
        _f(
            "facility_type",
            "text",
            "jenis",
            "kategori",
            "tipe",
            "jenis puskesmas",
            "kategori puskesmas",
            "tipe puskesmas",
            "rawat inap non rawat inap",
            "status rawat inap",
        ),
        _f("latitude", "decimal", "lintang", "lat"),
        _f("longitude", "decimal", "bujur", "lon", "lng", "long"),
    )
}


@dataclass(frozen=True)
class KindSpec:
    """Fields a kind can hold and the groups of alternatives that must all be present."""

    name: str
    fields: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    wide_vocabulary: str | None = None  # 'services' | 'target_groups' | 'readiness_items'
    wide_replaces: tuple[str, ...] = ()  # long-form columns a wide table does without


KIND_SPECS: dict[str, KindSpec] = {
    "puskesmas": KindSpec(
        "puskesmas",
        (
            "puskesmas_code",
            "puskesmas_name",
            "regency_code",
            "district_code",
            "ilp_start_date",
            "cohort",
            "latitude",
            "longitude",
            "district_name",
            "facility_address",
            "facility_phone",
            "facility_type",
        ),
        (("puskesmas_code",), ("puskesmas_name",), ("regency_code", "district_code", "district_name")),
    ),
    "desa": KindSpec(
        "desa",
        ("desa_code", "desa_name", "puskesmas_code", "puskesmas_name", "district_name"),
        (("desa_code", "desa_name"), ("puskesmas_code", "puskesmas_name")),
    ),
    "sasaran": KindSpec(
        "sasaran",
        ("year", "desa_code", "desa_name", "puskesmas_code", "puskesmas_name", "target_group", "count"),
        (("year",), ("desa_code", "puskesmas_code", "puskesmas_name"), ("target_group",), ("count",)),
        wide_vocabulary="target_groups",
        wide_replaces=("target_group", "count"),
    ),
    "layanan": KindSpec(
        "layanan",
        (
            "service_date",
            "puskesmas_code",
            "puskesmas_name",
            "desa_code",
            "desa_name",
            "nik",
            "person_key",
            "name",
            "birth_date",
            "age_years",
            "sex",
            "service_code",
            "service_name",
            "result",
        ),
        (
            ("service_date",),
            ("puskesmas_code", "puskesmas_name"),
            ("desa_code", "desa_name"),
            ("nik", "person_key", "name"),
            ("birth_date", "age_years"),
            ("sex",),
            ("service_code", "service_name"),
        ),
    ),
    "capaian": KindSpec(
        "capaian",
        (
            "period",
            "year",
            "month",
            "puskesmas_code",
            "puskesmas_name",
            "desa_code",
            "desa_name",
            "service_code",
            "service_name",
            "count",
        ),
        (("period", "year"), ("puskesmas_code", "puskesmas_name"), ("service_code", "service_name"), ("count",)),
        wide_vocabulary="services",
        wide_replaces=("service_code", "service_name", "count"),
    ),
    "kesiapan": KindSpec(
        "kesiapan",
        ("period", "year", "month", "puskesmas_code", "puskesmas_name", "item_code", "value"),
        (("period", "year"), ("puskesmas_code", "puskesmas_name"), ("item_code",), ("value",)),
        wide_vocabulary="readiness_items",
        wide_replaces=("item_code", "value"),
    ),
}


def label_index() -> dict[str, str]:
    """normalised header label -> canonical field (first definition wins)."""
    index: dict[str, str] = {}
    for f in FIELDS.values():
        for label in f.labels:
            index.setdefault(label, f.name)
    return index
