"""The Presentasi page in a real browser on a projector-size screen (1280×720): the menu hidden, the
slides clicked through with Next and the arrow keys, every slide screenshot to artifacts/screenshots/,
and the PPTX downloaded through the browser and opened with python-pptx."""

from __future__ import annotations

import pytest
from pptx import Presentation

from ilp_metrics.core.i18n import t

from .conftest import keep_failure_evidence, new_page
from .helpers import SHOTS, assert_no_exception, open_page, wait_for_app

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def projector(browser, request, start_server):
    context, p = new_page(browser, viewport=PROJECTOR)
    yield p
    keep_failure_evidence(request, p, start_server.started)
    context.close()


def _slide_key(page) -> str:
    return page.locator("[data-slide]").first.get_attribute("data-slide")


def _next(page):
    return page.get_by_role("button", name=t("presentasi.next", "id"))


def test_click_through_every_slide_on_a_projector(projector, server):
    page = projector
    open_page(page, server, "presentasi", kabupaten="73.09")
    assert_no_exception(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible(), "the menu is hidden while presenting"
    SHOTS.mkdir(parents=True, exist_ok=True)
    seen = []
    while True:
        key = _slide_key(page)
        seen.append(key)
        # The slide's title and the navigation fit on one projector screen (no scrolling in front of a hall).
        nav_bottom = _next(page).bounding_box()
        assert nav_bottom and nav_bottom["y"] + nav_bottom["height"] <= PROJECTOR["height"], (
            f"{key}: Next is off-screen"
        )
        page.screenshot(path=str(SHOTS / f"presentasi_{len(seen):02d}_{key}.png"))
        if _next(page).is_disabled():
            break
        _next(page).click()
        wait_for_app(page)
        assert_no_exception(page)
        assert len(seen) < 20, "Next never reached the last slide"
    assert seen[0] == "cover" and seen[-1] == "closing"
    assert {"status", "spm", "cluster-1", "cluster-5", "compare", "watch"} <= set(seen)
    page.keyboard.press("ArrowLeft")  # the presenter's clicker or arrow key: one slide back
    wait_for_app(page)
    assert _slide_key(page) == seen[-2]


def test_download_the_deck_from_the_page(projector, server, tmp_path):
    page = projector
    open_page(page, server, "presentasi", kabupaten="73.09")
    page.get_by_text(t("presentasi.downloads", "id")).click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("presentasi.download_pptx", "id")).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "ilp-kabupaten-maros-2025-12.pptx"
    deck = Presentation(str(path))
    assert len(deck.slides) >= 10
    texts = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]
    assert "Status ILP di Kabupaten Maros" in texts
