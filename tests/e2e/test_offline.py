"""The dashboard works on a district network without internet: the browser asks nothing of any address
but the app's own (favicon, fonts, icons included), and a just-started server never shows the raw list
of `pages/` modules before its own navigation."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import StreamlitServer, keep_failure_evidence, new_page
from .helpers import assert_no_exception, open_page, wait_for_app
from .test_browser import PAGES

pytestmark = pytest.mark.e2e

ALL_PAGES = [*PAGES, ("presentasi", "presentasi")]
# Labels Streamlit's legacy `pages/` mode would give the helper modules (file name without `_`).
MODULE_NAMES = {"auth", "shared", "session", "masuk", "filters", "cache", "db", "format", "export ui", "dashboard"}

# Records, from the first paint on, every page name the sidebar navigation shows.
WATCH_NAV = """
window.__navSeen = [];
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="stSidebarNav"] a').forEach(a => {
    const lines = a.innerText.split('\\n').map(s => s.trim()).filter(Boolean);
    if (lines.length) window.__navSeen.push(lines[lines.length - 1].toLowerCase());
  });
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_every_page_asks_nothing_of_any_address_but_the_apps_own(browser, server, request, start_server):
    context, page = new_page(browser)
    own = _origin(server)
    foreign: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or _origin(url) == own:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        for path, _name in ALL_PAGES:
            open_page(page, server, path, kabupaten="73.09")
            assert_no_exception(page)
        assert not foreign, f"requests outside {own}: {sorted(set(foreign))[:10]}"
        icon = page.evaluate("() => document.querySelector('link[rel~=\"icon\"]')?.href || ''")
        assert icon.startswith(own), f"the favicon is not served by the app: {icon!r}"
    finally:
        keep_failure_evidence(request, page, start_server.started)
        context.close()


# `make run` serves app.py; `streamlit run dashboard.py` is the plain way, and must be as safe.
@pytest.mark.parametrize("script", ["app.py", "dashboard.py"])
def test_the_first_visitor_of_a_fresh_server_never_sees_the_module_list(browser, request, demo_db, tmp_path, script):
    db, _ = demo_db.copy_to(tmp_path)
    fresh = StreamlitServer(db=db, script=script).start()
    context, page = new_page(browser)
    context.add_init_script(WATCH_NAV)
    try:
        page.goto(fresh.url + "/?kabupaten=73.09")
        wait_for_app(page)
        assert_no_exception(page)
        seen = set(page.evaluate("() => window.__navSeen"))
        assert seen, "the sidebar navigation was never drawn"
        assert not seen & MODULE_NAMES, f"module names shown in the sidebar: {sorted(seen & MODULE_NAMES)}"
    finally:
        keep_failure_evidence(request, page, [fresh])
        context.close()
        fresh.stop()
