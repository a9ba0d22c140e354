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
        chat = page.locator("[data-testid='stChatMessage']")
        chat.get_by_text("<b id=injected>bold</b>", exact=False).first.wait_for(timeout=30_000)
        assert page.locator("#injected").count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert page.title() != "pwned"
        assert chat.locator("strong", has_text="markdown").count() >= 1  # markdown still renders
        page.screenshot(path=str(tmp_path / "browse.png"))
        browser.close()


def test_import_page_upload_validate_then_import(app_url, tmp_path):
    from playwright.sync_api import sync_playwright
    upload = tmp_path / "upload_me.jsonl"
    upload.write_text("\n".join([
        json.dumps({"id": "up-1", "messages": [{"role": "user", "content": "2+2?"},
                                               {"role": "assistant", "content": "4"}]}),
        '{"messages": [broken',
        json.dumps({"id": "up-2", "messages": [{"role": "user", "content": "只有问题"}]}),
    ]) + "\n", encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(app_url + "/import_data", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Import").first.wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(upload))
        page.get_by_text("Detected:").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Validate").click()
        page.get_by_text("Validation only: nothing was stored").wait_for(timeout=30_000)
        page.get_by_text("Would import").wait_for(timeout=30_000)
        page.get_by_text("malformed JSON").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("Imported", exact=True).wait_for(timeout=30_000)
        # the validation report (a data grid: its cells are in the DOM, drawn on a canvas)
        page.get_by_text("missing assistant turn").first.wait_for(state="attached", timeout=30_000)
        browser.close()
