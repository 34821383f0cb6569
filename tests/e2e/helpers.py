"""Browser helpers: open a page and wait until Streamlit has finished, check for exceptions, screenshot."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"


def wait_ready(page, charts: bool = True) -> None:
    """Streamlit is idle (no running indicator for a while) and every Plotly chart has drawn."""
    page.wait_for_selector('[data-testid="stMain"]', state="visible")
    idle_since = None
    for _ in range(600):  # up to 60 s
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            idle_since = None
        elif idle_since is None:
            idle_since = page.evaluate("Date.now()")
        elif page.evaluate("Date.now()") - idle_since > 1200:
            break
        page.wait_for_timeout(100)
    if charts:
        plots = page.locator(".js-plotly-plot")
        for i in range(plots.count()):
            plots.nth(i).locator(".main-svg").first.wait_for(state="attached")


def open_page(page, base_url: str, path: str = "", **query: str) -> None:
    url = f"{base_url}/{path}" + (f"?{urlencode(query)}" if query else "")
    page.goto(url)
    wait_ready(page)


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]


def assert_no_exception(page) -> None:
    found = exceptions(page)
    assert not found, "Streamlit exception on the page:\n" + "\n---\n".join(found)


def screenshot(page, name: str) -> Path:
    """The whole page (Streamlit scrolls inside its main block, so the viewport grows to fit)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": min(max(height + 40, size["height"]), 8000)})
    page.wait_for_timeout(400)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()
