"""A real browser (Debian's Chromium driven by Playwright) against the running app, and the HTML report.

Checks what AppTest cannot see: the sidebar shows every page, sample content that looks like HTML stays text,
an image in a sample is a link that fetches nothing, an import through the page lands in the store, and the
diversity report draws its charts with real, distinct colours and unclipped axis labels.
"""
import contextlib
import http.server
import json
import threading

import pytest

from tests.browser_support import launch_chromium, needs_chromium, running_app

pytestmark = needs_chromium
ALL_PAGES = ["Overview", "Import", "Flywheel", "Browse", "Taxonomy", "Quarantine", "Export", "Jobs", "Diversity", "Dedup",
             "Robustness", "Embeddings", "Generate", "Review", "Agreement", "Train", "Compare"]


@contextlib.contextmanager
def tracker():
    """A local HTTP server that records every request: a sample naming it must never make the browser call it."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()


@pytest.fixture
def app(tmp_path):
    from curation.ingest import ingest
    from curation.store import Store
    from pages._common import SAMPLE_DATA
    db = tmp_path / "browser.duckdb"
    with tracker() as (track_url, hits):
        evil = {"id": "xss-1", "task_type": "code/generation", "messages": [
            {"role": "user", "content": "Show me <img src=x onerror=\"document.title='pwned'\"> and "
                                        "<b id=injected>bold</b>"},
            {"role": "assistant", "content": f"Here is **markdown**, `code` and ![pixel]({track_url}/pixel.png)."}]}
        (tmp_path / "evil.jsonl").write_text(json.dumps(evil) + "\n", encoding="utf-8")
        with Store(db) as store:  # sample data first, so the app does not load it over our sample
            ingest(store, [p for p in (SAMPLE_DATA / "demo.jsonl", tmp_path / "evil.jsonl") if p.exists()])
        with running_app(db) as (url, proc):
            yield url, db, proc, hits


def _stop(proc) -> None:
    """DuckDB lets one process hold the file: stop the app before the test reads the store."""
    proc.terminate()
    proc.wait(timeout=20)


def test_app_in_a_real_browser(app, tmp_path):
    from playwright.sync_api import sync_playwright
    url, db, proc, hits = app
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        # A deep link as the server's very first request still goes through app.py's navigation.
        page.goto(url + "/taxonomy", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Taxonomy").first.wait_for(timeout=60_000)
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_role("link", name="Overview").wait_for(timeout=30_000)
        for name in ALL_PAGES:  # every section's pages are listed, none behind "View N more"
            assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
        assert nav.get_by_text("View", exact=False).filter(has_text="more").count() == 0
        assert page.get_by_role("link", name="common").count() == 0
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("SFT Workbench", exact=True).first.wait_for(timeout=60_000)
        page.get_by_text("Samples", exact=True).first.wait_for(timeout=30_000)

        page.get_by_role("link", name="Browse").click()
        page.get_by_text("Matching samples:").first.wait_for(timeout=30_000)
        page.get_by_label("Search text").fill("id=injected")
        page.get_by_label("Search text").press("Enter")
        page.locator("h3:has-text('xss-1')").first.wait_for(timeout=30_000)
        assert page.get_by_text("Matching samples: 1").count() == 1
        # the raw HTML is visible as text, and nothing from it became an element or ran
        chat = page.locator("[data-testid='stChatMessage']")
        chat.get_by_text("<b id=injected>bold</b>", exact=False).first.wait_for(timeout=30_000)
        assert page.locator("#injected").count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert page.title() != "pwned"
        assert chat.locator("strong", has_text="markdown").count() >= 1  # markdown still renders
        # the image is a visible link to its address, and the browser never fetched it
        link = chat.get_by_role("link", name="image: pixel")
        link.wait_for(timeout=30_000)
        assert link.get_attribute("href").endswith("/pixel.png")
        assert chat.locator("img").count() == 0
        page.wait_for_timeout(1000)
        assert hits == []
        page.screenshot(path=str(tmp_path / "browse.png"))
        browser.close()
    _stop(proc)
    from curation.store import Store
    with Store(db, read_only=True) as store:  # looking changed nothing
        assert store.samples.get("xss-1")["rev"] == 0


def test_import_page_upload_validate_then_import(app, tmp_path):
    from playwright.sync_api import sync_playwright
    url, db, proc, _ = app
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
        page.goto(url + "/import_data", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Import").first.wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(upload))
        page.get_by_text("upload_me.jsonl · messages").first.wait_for(timeout=30_000)  # its own detected format
        page.get_by_role("button", name="Validate").click()
        page.get_by_text("Validation only: nothing was stored").wait_for(timeout=30_000)
        page.get_by_text("Would import").wait_for(timeout=30_000)
        page.get_by_text("malformed JSON").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("Imported", exact=True).wait_for(timeout=30_000)
        # the validation report (a data grid: its cells are in the DOM, drawn on a canvas)
        page.get_by_text("missing assistant turn").first.wait_for(state="attached", timeout=30_000)
        browser.close()
    _stop(proc)
    from curation.store import SampleFilter, Store
    with Store(db, read_only=True) as store:  # the valid record is stored, the two invalid ones are quarantined
        assert store.samples.get("up-1")["messages"][1]["content"] == "4"
        assert store.samples.count(SampleFilter(ids=["up-2"])) == 0
        rows = [q for q in store.quarantine.list() if q["file"].endswith("upload_me.jsonl")]
        assert sorted(q["line"] for q in rows) == [2, 3]


def test_diversity_report_charts_have_real_distinct_colours(tmp_path):
    """The report drawn by Plotly in Chromium: bars of one chart in distinct, non-placeholder colours, inside a
    process where Streamlit's template is the default (as on the Diversity page), with tick labels inside the
    chart instead of clipped at its edge."""
    import streamlit.elements.plotly_chart  # noqa: F401  (makes Streamlit's template the default, as in the app)
    from playwright.sync_api import sync_playwright

    from curation.ingest import IngestSettings, ingest
    from curation.diversity_report import write_report
    from curation.stats import compute_stats
    from curation.store import Store
    db = tmp_path / "report.duckdb"
    recs = [{"task_type": f"{t}/very long second level name {i % 2}", "messages": [
        {"role": "user", "content": f"question {i} about {t}"}, {"role": "assistant", "content": f"answer {i}"}]}
        for i, t in enumerate(["reasoning", "translation", "code", "summarization"] * 5)]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    with Store(db) as store:
        ingest(store, [tmp_path / "r.jsonl"], IngestSettings(dataset="r"))
        store.taxonomy.add_many([(r["task_type"].split("/")[0], r["task_type"].split("/")[1], "ability", "")
                                 for r in recs])
        store.taxonomy.set_target("reasoning", "very long second level name 0", 0.5, None)
        report = write_report(compute_stats(store), tmp_path / "report.html")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(report.as_uri(), wait_until="load")
        page.locator(".plotly-graph-div .trace.bars").first.wait_for(timeout=60_000)
        charts = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')].map(div => ({
            title: (div.querySelector('.gtitle') || {}).textContent || '',
            traces: [...div.querySelectorAll('.trace.bars')].map(t =>
                [...new Set([...t.querySelectorAll('path')].map(p => getComputedStyle(p).fill))]),
            box: div.querySelector('.main-svg').getBoundingClientRect().toJSON(),
            ticks: [...div.querySelectorAll('.xtick text, .ytick text')].map(e => e.getBoundingClientRect().toJSON()),
        }))""")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()

    def rgb(css: str) -> tuple[int, ...]:
        return tuple(int(float(x)) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])

    gap = next(c for c in charts if c["title"].startswith("Have vs want"))
    have, want = (rgb(t[0]) for t in gap["traces"])
    assert have != want
    for c in charts:
        for trace in c["traces"]:
            for colour in trace:
                assert sum(rgb(colour)) > 60, (c["title"], colour)  # no near-black placeholder (#000001…)
        for t in c["ticks"]:  # every axis label lies inside its chart
            assert t["left"] >= c["box"]["left"] - 1 and t["bottom"] <= c["box"]["bottom"] + 1, c["title"]


def _settled(page, timeout_ms: int = 45_000) -> None:
    """Wait until the script run ends: Streamlit shows its status widget ("Running...") while a page executes."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=timeout_ms)


def test_every_page_in_the_navigation_renders_without_an_exception(app):
    """A first-time user's tour: click every page the sidebar lists (read from the sidebar, so a page added to
    app.py is covered without editing this test) and open its tabs; no page may show Streamlit's exception box."""
    from playwright.sync_api import sync_playwright
    url, _, _, _ = app
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        js_errors = []
        page.on("pageerror", lambda e: js_errors.append(str(e)))
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("SFT Workbench", exact=True).first.wait_for(timeout=60_000)  # app.py's navigation is up
        _settled(page)
        nav = page.locator("[data-testid='stSidebarNav']")
        links = nav.get_by_role("link")
        titles = [links.nth(i).inner_text().split("\n")[-1].strip() for i in range(links.count())]
        assert set(ALL_PAGES) <= set(titles), titles  # the fixed core pages are all there
        seen = {}
        for title in titles:
            nav.get_by_role("link", name=title, exact=True).click()
            page.get_by_role("heading").first.wait_for(timeout=45_000)
            _settled(page)
            tabs = page.locator("[data-testid='stMain'] [role='tab']")
            for i in range(tabs.count()):  # each tab's content (Diversity has ten) is drawn when shown
                tabs.nth(i).click()
                page.wait_for_timeout(150)
            _settled(page)
            exceptions = page.locator("[data-testid='stException']")
            seen[title] = [exceptions.nth(i).inner_text()[:500] for i in range(exceptions.count())]
        browser.close()
    assert {t: e for t, e in seen.items() if e} == {}
    assert js_errors == []
