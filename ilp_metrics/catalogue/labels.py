"""The normal forms codes and labels are compared in: synonyms (`normalise_label`) and regency codes."""

from __future__ import annotations

import re
import unicodedata

_REGENCY = re.compile(r"^(\d{2})\.?(\d{2})$")


def normalise_label(text: object) -> str:
    """Lower-case ASCII words separated by single spaces: the form every synonym is compared in.

    Same rule as ilp_metrics.ingest.fields.normalise_label, so `K-6`, `k 6` and `K 6` are one label.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-zA-Z]+", " ", s).strip().lower()


def normalise_regency(code: str) -> str:
    """Kemendagri regency code in dotted form (`7309` -> `73.09`); ValueError for anything else."""
    match = _REGENCY.match(str(code).strip())
    if not match:
        raise ValueError(f"regency code {code!r} is not a Kemendagri regency code like '73.09'")
    return f"{match.group(1)}.{match.group(2)}"
