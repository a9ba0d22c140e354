"""A real browser (Debian's Chromium driven by Playwright) against the running app.

Checks the app starts on the sample data, navigation works, a sample renders as a chat, and sample content that
looks like HTML is shown as text, never turned into markup.
"""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(tmp_path):
    from curation.ingest import ingest
    from curation.store import Store
    db = tmp_path / "browser.duckdb"
    evil = {"id": "xss-1", "task_type": "code/generation", "messages": [
        {"role": "user", "content": "Show me <img src=x onerror=\"document.title='pwned'\"> and <b id=injected>bold</b>"},
        {"role": "assistant", "content": "Here is **markdown** and `code`."}]}
    (tmp_path / "evil.jsonl").write_text(json.dumps(evil) + "\n", encoding="utf-8")
    with Store(db) as store:  # sample data first, so the app does not load it over our sample
        from pages._common import SAMPLE_DATA
        ingest(store, [p for p in (SAMPLE_DATA / "demo.jsonl", tmp_path / "evil.jsonl") if p.exists()])
    port = _free_port()
    env = dict(os.environ, CURATION_DB=str(db))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_app_in_a_real_browser(app_url, tmp_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
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
