"""Links to the desa page from any table: the desa code (and the period shown) in the URL's query string,
so a desa name opens its Desa/Kelurahan page, in the same view, from every page. Streamlit-only glue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from pages import _filters
from pages._session import tr


def desa_url(code: str, name: str) -> str:
    """`desa?desa=73.09.04.2005&kabupaten=73.09&tahun=2024&bulan=4&nama=Mattirotasi`: the link column shows
    the name (the `nama` parameter, which the desa page ignores)."""
    f = _filters.filters()
    query = {"desa": code, "kabupaten": f.get("regency"), "tahun": f.get("year"), "bulan": f.get("month")}
    given = {k: v for k, v in query.items() if v is not None}
    return f"desa?{urlencode(given)}&nama={name}"


def desa_column(label: str) -> dict[str, Any]:
    """column_config for a column of `desa_url` values: the desa name shown, a click opens its page."""
    return {label: st.column_config.LinkColumn(label, display_text=r"nama=(.*)$", help=tr("desa.open_help"))}
