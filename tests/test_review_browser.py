"""The Review page's keyboard shortcuts in a real browser (Chromium via Playwright): pick a profile, open the
queue, accept with `A`, go back with `K`, edit (`E`), apply the box with Ctrl+Enter and save with `Ctrl+S`."""
from __future__ import annotations

import time

import pytest

from tests.browser_support import launch_chromium, needs_chromium, running_app

pytestmark = needs_chromium


@pytest.fixture
def review_app(tmp_path):
    from tests.helpers import tiny_records, write_jsonl
    from curation.ingest import IngestSettings, ingest
    from curation.review import create_profile
    from curation.store import Store
    db = tmp_path / "review.duckdb"
    with Store(db) as store:
        ingest(store, [write_jsonl(tmp_path / "tiny.jsonl", tiny_records())], IngestSettings(dataset="tiny"))
        create_profile(store, "ann")
    with running_app(db) as (url, proc):
        yield url, db, proc


def _header_id(page) -> str:
    text = page.locator("div[data-testid='stText']").first.inner_text(timeout=30_000)
    return text.split(" · ")[0].strip()


def _wait_for_other_id(page, old: str) -> str:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            new = _header_id(page)
            if new != old:
                return new
        except Exception:  # the element is being replaced by the rerun
            pass
        page.wait_for_timeout(200)
    raise AssertionError(f"still on {old}")


def test_keyboard_review_in_a_real_browser(review_app):
    from playwright.sync_api import sync_playwright

    from curation.store import Store
    url, db, server = review_app
    with sync_playwright() as p:
        browser = launch_chromium(p)
        # tall enough for the profile picker below the expanded navigation (every section listed)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        # start at the root: app.py must run first (it renders the profile picker and the navigation)
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("SFT Workbench", exact=True).first.wait_for(timeout=60_000)
        page.get_by_role("link", name="Review").click()
        page.get_by_text("Pick or create your profile").first.wait_for(timeout=60_000)
        page.locator("[data-testid='stSidebarUserContent'] [data-testid='stSelectbox']").first.click()
        page.get_by_role("option", name="ann · annotator").click()
        page.get_by_role("button", name="Open queue").click()
        first = _header_id(page)
        page.locator("body").press("a")  # accept
        second = _wait_for_other_id(page, first)
        page.locator("body").press("k")  # previous
        assert _wait_for_other_id(page, second) == first
        page.locator("body").press("e")  # edit
        box = page.locator("textarea").nth(1)  # the first answer turn
        box.wait_for(timeout=30_000)
        box.fill("Edited in the browser.")
        box.press("Control+Enter")  # apply the box (Streamlit commits a text area on Ctrl+Enter or blur)
        page.get_by_text("Press Ctrl+Enter to apply").first.wait_for(state="hidden", timeout=30_000)
        box.press("Control+s")  # save without leaving the box
        page.get_by_text("Saved revision").first.wait_for(timeout=30_000)
        browser.close()
    server.terminate()  # DuckDB lets one process hold the file: stop the app before reading it
    server.wait(timeout=20)
    with Store(db, read_only=True) as store:
        s = store.samples.get(first)
        assert s["status"] == "accepted"
        assert s["messages"][1]["content"] == "Edited in the browser."
