"""A real browser (Debian's Chromium driven by Playwright) against the running app.

Checks the app starts on the sample data, navigation works, a sample renders as a chat, and sample content that
looks like HTML is shown as text, never turned into markup.
"""
import json

import pytest

from tests.browser_support import launch_chromium, needs_chromium, running_app

pytestmark = needs_chromium


@pytest.fixture
def app_url(tmp_path):
    from curation.ingest import ingest
    from curation.store import Store
    from pages._common import SAMPLE_DATA
    db = tmp_path / "browser.duckdb"
    evil = {"id": "xss-1", "task_type": "code/generation", "messages": [
        {"role": "user", "content": "Show me <img src=x onerror=\"document.title='pwned'\"> and <b id=injected>bold</b>"},
        {"role": "assistant", "content": "Here is **markdown** and `code`."}]}
    (tmp_path / "evil.jsonl").write_text(json.dumps(evil) + "\n", encoding="utf-8")
    with Store(db) as store:  # sample data first, so the app does not load it over our sample
        ingest(store, [p for p in (SAMPLE_DATA / "demo.jsonl", tmp_path / "evil.jsonl") if p.exists()])
    with running_app(db) as (url, _):
        yield url


def test_app_in_a_real_browser(app_url, tmp_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        # A deep link as the server's very first request still goes through app.py's navigation.
        page.goto(app_url + "/taxonomy", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Taxonomy").first.wait_for(timeout=60_000)
        page.get_by_role("link", name="Overview").wait_for(timeout=30_000)
        assert page.get_by_role("link", name="common").count() == 0
        page.goto(app_url, wait_until="domcontentloaded")
        page.get_by_text("SFT Workbench", exact=True).first.wait_for(timeout=60_000)
        page.get_by_text("Samples", exact=True).first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "overview.png"))

        page.get_by_role("link", name="Browse").click()
        page.get_by_text("Matching samples:").first.wait_for(timeout=30_000)
        page.get_by_label("Search text").fill("id=injected")
        page.get_by_label("Search text").press("Enter")
        page.wait_for_timeout(1000)
        page.locator("h2:has-text('xss-1'), h3:has-text('xss-1')").first.wait_for(timeout=30_000)
        assert page.get_by_text("Matching samples: 1").count() == 1
        # the raw HTML is visible as text, and nothing from it became an element or ran
        page.get_by_text("<b id=injected>bold</b>", exact=False).first.wait_for(timeout=30_000)
        assert page.locator("#injected").count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert page.title() != "pwned"
        assert page.locator("strong", has_text="markdown").count() >= 1  # markdown still renders
        page.screenshot(path=str(tmp_path / "browse.png"))
        browser.close()
