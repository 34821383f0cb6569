"""The uploader's own chrome in a real browser: Streamlit's English button and size line are hidden and
the catalogue's Bahasa words drawn in their place (pages/_uploader_chrome.py)."""

from __future__ import annotations

import pytest

from ilp_metrics.core.i18n import t

from .helpers import assert_no_exception, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

READ_CHROME = """() => {
  const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
  const button = zone.querySelector('button');
  const line = zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] div');
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  const english = [...zone.querySelectorAll('*')].filter(el => el.childNodes.length && size(el) > 0 &&
      [...el.childNodes].some(n => n.nodeType === 3 && /Upload|Browse|Drag and drop|per file/.test(n.textContent)));
  return {button: getComputedStyle(button, '::after').content, line: getComputedStyle(line, '::after').content,
          englishShown: english.length};
}"""


# The upload page's file uploader, and the comparison page's boundary-file uploader (its maps tab).
@pytest.mark.parametrize("path", ["unggah", "perbandingan"])
def test_the_bahasa_uploader_shows_bahasa_words_only(page, server, path):
    open_page(page, server, path, kabupaten="73.09")
    if path == "perbandingan":  # only the open tab is drawn: open the maps tab
        page.get_by_role("tab", name=t("compare.tab.map", "id"), exact=True).click()
        wait_for_app(page)
    assert_no_exception(page)
    chrome = page.evaluate(READ_CHROME)
    screenshot(page, f"{path}_uploader_id")
    assert chrome["button"] == '"Pilih file"'
    assert chrome["line"].startswith('"Maks. ') and "MB per file" in chrome["line"]
    assert "u00b7" not in chrome["line"]  # the middle dot drawn, not its JSON escape
    assert chrome["englishShown"] == 0, "Streamlit's English `Upload` / `… per file` is still drawn"
