"""Browser helpers: open a page and wait until Streamlit has finished, check for errors, screenshot.

Waiting asks the app rather than sleeping: Streamlit publishes its state on the root element
(`[data-testid="stApp"]` has `data-test-connection-state="CONNECTED"` and `data-test-script-state`
going initial → running → notRunning on every run). The app counts as finished when, for a quiet
period, the script is not running, the status widget ("Running…") and loading skeletons are gone and
the main block is visible; then every visible Plotly chart must have drawn (`.js-plotly-plot .main-svg`).
The quiet period covers the gap between two runs when a page calls st.rerun() (the pages do, once, on a
shared link; the upload page after saving).
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"

APP_TIMEOUT_MS = 60_000  # a cold server computes the figures of a page in ~5 s on 2 cores
QUIET_MS = 600
CHROMIUM_MAX_HEIGHT = 16_000  # a taller capture is cut by chromium

_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no stApp yet';
  const connection = app.getAttribute('data-test-connection-state');
  if (connection !== 'CONNECTED') return 'connection ' + connection;
  const script = app.getAttribute('data-test-script-state');
  if (script !== 'notRunning') return 'script ' + script;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return 'status widget shown';
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) return 'skeleton shown';
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || main.getClientRects().length === 0) return 'main block not visible';
  return 'idle';
}"""

_CHARTS_JS = """() => {
  const visible = el => el.getClientRects().length > 0;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(visible);
  const drawn = charts.filter(c => c.querySelector('.js-plotly-plot .main-svg'));
  return [charts.length, drawn.length];
}"""


class AppNotReady(AssertionError):
    pass


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS, charts: bool = True, settle_ms: int = 250) -> None:
    """Wait until Streamlit has finished running (see the module's docstring) and charts have drawn.

    Call it after page.goto and after any click or input that makes Streamlit rerun. `settle_ms` lets a
    rerun triggered just before start (the websocket message is asynchronous).
    """
    page.wait_for_timeout(settle_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since = None
    state = "?"
    while time.monotonic() < deadline:
        state = page.evaluate(_STATE_JS)
        now = time.monotonic()
        if state != "idle":
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif (now - idle_since) * 1000 >= QUIET_MS:
            break
        page.wait_for_timeout(100)
    else:
        raise AppNotReady(f"Streamlit still busy after {timeout_ms / 1000:.0f} s ({state}) at {page.url}")
    if charts:
        counts = [0, 0]
        while time.monotonic() < deadline:
            counts = page.evaluate(_CHARTS_JS)
            if counts[0] == counts[1]:
                return
            page.wait_for_timeout(100)
        raise AppNotReady(
            f"only {counts[1]} of {counts[0]} Plotly charts drew (no .js-plotly-plot .main-svg) at {page.url}"
        )


def page_url(base_url: str, path: str = "", **query) -> str:
    """`/` for the default page, `/<url_path>` for the others; query values such as lang=en, kabupaten=73.22."""
    url = f"{base_url.rstrip('/')}/{path.strip('/')}"
    return url + (f"?{urlencode({k: str(v) for k, v in query.items()})}" if query else "")


def open_page(page, base_url: str, path: str = "", **query) -> None:
    """Navigate to a page of the app and wait until Streamlit has finished running it."""
    page.goto(page_url(base_url, path, **query))
    wait_for_app(page)


def current_path(page) -> str:
    return urlsplit(page.url).path.strip("/")


def page_not_found(page) -> bool:
    """Streamlit answers an unknown /<url_path> with a "Page not found" dialog and runs the default page."""
    dialogs = page.locator('[data-testid="stDialog"], [role="dialog"]')
    return any("not found" in text.lower() or "tidak ditemukan" in text.lower() for text in dialogs.all_inner_texts())


def open_app_page(page, base_url: str, path: str) -> None:
    """Open /<path> and fail the test when the app has no such page: a page that went missing is a
    failure to report, never a reason to skip."""
    open_page(page, base_url, path)
    assert current_path(page) == path.strip("/") and not page_not_found(page), (
        f"the app has no page /{path.strip('/')} (landed on /{current_path(page)})"
    )


def errors_on_page(page) -> list[str]:
    """Texts of the visible exception boxes (st.exception, uncaught errors) and error alerts (st.error)."""
    found = []
    exception = '[data-testid="stException"]'
    # An exception box holds an error alert of its own: count that once, as the exception.
    error_alert = '[data-testid="stAlertContentError"]:not([data-testid="stException"] *)'
    for selector, kind in ((exception, "exception"), (error_alert, "st.error")):
        for box in page.locator(selector).all():
            if box.is_visible():
                found.append(f"{kind}: {box.inner_text().strip()}")
    return found


def assert_no_exception(page) -> None:
    found = errors_on_page(page)
    if found:
        print("\n---\n".join(found))
    assert not found, f"error shown on {page.url}:\n" + "\n---\n".join(found)


def screenshot(page, name: str) -> Path:
    """The whole page as artifacts/screenshots/<name>.png.

    Streamlit scrolls inside its main block, not the document, so Playwright's full_page alone captures
    one screen: the viewport is made as tall as the content for the capture, then restored.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = dict(page.viewport_size)
    height = page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
        const el = document.querySelector(`[data-testid="${id}"]`); return el ? el.scrollHeight : 0; }),
        document.documentElement.scrollHeight)""")
    tall = min(max(int(height) + 40, size["height"]), CHROMIUM_MAX_HEIGHT)
    try:
        if tall != size["height"]:
            page.set_viewport_size({"width": size["width"], "height": tall})
            page.wait_for_timeout(300)  # charts and tables re-lay out to the new size
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)
    return path


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def nav_labels(page) -> list[str]:
    """The page names in the sidebar navigation (they follow the language). A link's text starts with
    its Material icon's ligature name (`dashboard`), so the label is its last line."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [[line.strip() for line in text.splitlines() if line.strip()][-1] for text in texts if text.strip()]
