"""Which cell values a refusal may show: never a NIK or a person's name, whatever the column.

A misaligned row shifts names and NIKs into date, code or result columns, so a value is echoed only
when it has the shape the column should hold (a date-shaped date, a code-shaped code, a number-shaped
count); free-text results are never echoed, and text names only when they read like a place or a
catalogue label rather than a person. Computed values (a digit count, a row number) are always shown.
"""

from __future__ import annotations

import re

from ilp_metrics.ingest.fields import FIELDS

# 15 or more digits, possibly grouped or in Excel's scientific notation: a NIK (or most of one).
NIK_SHAPED = re.compile(r"(?:\d[\s.'-]?){15,}|\d(?:[.,]\d+)?[eE]\+?\d{2}")
BLANK = frozenset({"", "nan", "none", "null", "nat", "-"})
_MONTH_WORD = re.compile(
    r"(jan|feb|peb|mar|apr|mei|may|jun|jul|agu|ags|aug|sep|okt|oct|nov|nop|des|dec)[a-z]*\.?", re.IGNORECASE
)
# A number written in words ('lima', 'dua puluh') is shaped like a count: quoting it tells the user what to fix.
_NUMBER_WORDS = (
    r"((nol|satu|se|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh|ratus|ribu|"
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten)\s?){1,4}"
)
_SHAPES: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"(?=.*\d)[\w/.:, -]{1,30}"),
    "period": re.compile(r"(?=.*\d)[\w/.:, -]{1,30}"),
    "int": re.compile(rf"[-+]?[\d.,\s]{{1,20}}%?|{_NUMBER_WORDS}", re.IGNORECASE),
    "number": re.compile(rf"[-+]?[\d.,\s]{{1,20}}%?|ya|tidak|y|t|ada|sudah|belum|{_NUMBER_WORDS}", re.IGNORECASE),
    "decimal": re.compile(r"[-+]?[\d.,\s°]{1,20}"),
    "region": re.compile(r"[\d.\s]{1,20}"),
    "code": re.compile(r"[A-Za-z0-9._/-]{1,32}"),
    "sex": re.compile(r"[A-Za-z0-9.-]{1,3}"),
}
# Words that mark a place, a facility or a service label rather than a person's name.
_LABEL_WORDS = frozenset(
    {
        "puskesmas",
        "pkm",
        "pusk",
        "upt",
        "uptd",
        "desa",
        "kel",
        "kelurahan",
        "ds",
        "dusun",
        "kec",
        "kecamatan",
        "kab",
        "kabupaten",
        "kota",
        "posyandu",
        "pustu",
        "imunisasi",
        "kunjungan",
        "pelayanan",
        "layanan",
        "skrining",
        "pemeriksaan",
        "ibu",
        "hamil",
        "bersalin",
        "nifas",
        "balita",
        "bayi",
        "anak",
        "remaja",
        "lansia",
        "usia",
        "produktif",
        "penduduk",
        "sasaran",
        "jumlah",
        "kader",
        "item",
        "butir",
        "hipertensi",
        "diabetes",
        "tbc",
        "tb",
        "hiv",
        "gizi",
        "anc",
        "k1",
        "k4",
        "k6",
        "kn",
        "kf",
    }
)


def looks_like_nik(text: str) -> bool:
    return bool(NIK_SHAPED.search(text))


def _looks_like_label(text: str) -> bool:
    """One word, or words with a place/service marker or a digit: not a person's name."""
    if len(text) > 60:
        return False
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    if len(words) <= 1:
        return True
    return any(w in _LABEL_WORDS or any(ch.isdigit() for ch in w) for w in words)


def shown_value(field: str, value: object, *, derived: bool = False) -> str | None:
    """The text a refusal may quote for `field`, or None (then the message names the column only)."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in BLANK:
        return None
    if derived:
        return text
    spec = FIELDS.get(field)
    if spec is None or spec.personal or field == "result" or looks_like_nik(text):
        return None
    if field == "month":
        return text if re.fullmatch(r"\d{1,2}(\.0+)?", text) or _MONTH_WORD.fullmatch(text) else None
    shape = _SHAPES.get(spec.type)
    if shape is not None:
        return text if shape.fullmatch(text) else None
    return text if _looks_like_label(text) else None
