"""The file uploader's own words in the session's language.

Streamlit 1.67 writes the uploader's button (`Upload`) and its size line (`200MB per file • CSV …`) in
English with no locale option, label or help that replaces them; a style rule hides those two texts and
draws the catalogue's words in their place (CSS `content`), so the Bahasa page reads Bahasa throughout."""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st

from pages import _session

DROPZONE = "[data-testid='stFileUploaderDropzone']"
INSTRUCTIONS = "[data-testid='stFileUploaderDropzoneInstructions']"


def _css_text(text: str) -> str:
    """A CSS string literal (JSON quoting is valid CSS quoting for these texts; `<` cannot close the tag)."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\3c ")  # CSS has no \\uXXXX escape


def chrome_css(button: str, limit: str) -> str:
    """The style rule: the English texts at size 0, the catalogue's in their place."""
    return (
        "<style>"
        f"{INSTRUCTIONS} *{{font-size:0 !important;}}"
        f"{INSTRUCTIONS} div::after{{content:{_css_text(limit)};font-size:0.875rem;}}"
        f"{DROPZONE} button, {DROPZONE} button *{{font-size:0 !important;}}"
        f"{DROPZONE} button [data-testid='stIconMaterial']{{font-size:1.25rem !important;}}"
        f"{DROPZONE} button::after{{content:{_css_text(button)};font-size:0.875rem;}}"
        "</style>"
    )


def localise(max_mb: float, types: Sequence[str] | None = None) -> None:
    """Call once on a page with a file_uploader; `types` (the uploader's `type=`) names the accepted files,
    otherwise the upload page's own list is stated."""
    tr = _session.tr
    limit = (
        tr("upload.size_line", max_mb=f"{max_mb:g}")
        if types is None
        else tr("upload.size_line_of", max_mb=f"{max_mb:g}", types=", ".join(x.upper() for x in types))
    )
    st.markdown(chrome_css(tr("upload.browse"), limit), unsafe_allow_html=True)
