"""The Review page's keyboard shortcuts in a real browser (Chromium via Playwright): pick a profile, open the
queue, accept with `A`, go back with `K`, edit (`E`), apply the box with Ctrl+Enter and save with `Ctrl+S`."""
from __future__ import annotations

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
def review_app(tmp_path):
    from conftest import tiny_records, write_jsonl
    from curation.ingest import IngestSettings, ingest
    from curation.review import create_profile
    from curation.store import Store
    db = tmp_path / "review.duckdb"
    with Store(db) as store:
        ingest(store, [write_jsonl(tmp_path / "tiny.jsonl", tiny_records())], IngestSettings(dataset="tiny"))
        create_profile(store, "ann")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=dict(os.environ, CURATION_DB=str(db)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    yield f"http://127.0.0.1:{port}", db, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)


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
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
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
        s = store.get_sample(first)
        assert s["status"] == "accepted"
        assert s["messages"][1]["content"] == "Edited in the browser."
