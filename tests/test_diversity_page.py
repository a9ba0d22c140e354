"""AppTest of the Diversity page on the sample store, with and without embeddings."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from curation.store import SampleFilter
from tests.helpers import ROOT

TIMEOUT = 120


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "diversity.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    return at


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _chart_titles(at: AppTest) -> list[str]:
    titles = []
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        title = spec.get("layout", {}).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def test_page_renders_every_section_without_embeddings(demo_app_env, monkeypatch):
    import curation.stats
    calls = []
    real = curation.stats.compute_stats
    monkeypatch.setattr(curation.stats, "compute_stats", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = _ok(_page().run())
    assert at.title[0].value == "Diversity"
    assert [m.label for m in at.metric][:3] == ["Samples", "Task types", "Untyped"]
    assert int(at.metric[0].value.replace(",", "")) >= 600  # the sample data was loaded
    assert [t.label for t in at.tabs][:8] == ["Balance", "Lengths", "Shape", "Languages", "Answers", "Prompts",
                                              "Robustness", "Semantic coverage"]
    titles = _chart_titles(at)
    for expected in ("Samples per task_type", "per task_type (p5, p25, median, p75, p95)", "Conversation shape",
                     "Language mix", "Answer distinct-n", "Repeated answers", "Prompt templates",
                     "Robustness samples"):
        assert any(expected in t for t in titles), expected
    assert any("sampled prompts are embedded" in i.value for i in at.info)  # no embeddings yet: offer to embed
    assert len(at.dataframe) >= 10
    assert calls == [1]
    _ok(at.run())
    assert calls == [1]  # a re-render reads the cache (same filter, same store revision)


def test_untyped_button_opens_browse_with_the_filter(demo_app_env):
    at = _ok(_page().run())
    button = next(b for b in at.button if b.label.startswith("Show the") and "untyped" in b.label)
    at = button.click().run()
    assert at.session_state["browse_filter"] == SampleFilter(task_type="(untyped)")


def test_compare_two_selections_side_by_side(demo_app_env):
    at = _ok(_page().run())
    at.toggle(key="div_compare").set_value(True).run()
    at.multiselect(key="div_b_tt").set_value(["reasoning/math"]).run()
    _ok(at)
    assert [t.label for t in at.tabs][-1] == "A vs B"
    assert any(m.value == "#### Selection B" for m in at.markdown)
    assert any("task_type shares: A vs B" in t for t in _chart_titles(at))


@pytest.mark.slow
def test_page_with_embeddings_shows_the_map(demo_app_env):
    from curation.stats import SemanticSettings, semantic_coverage
    from pages._common import get_store
    at = _ok(_page().run())  # loads the sample data into the app store
    semantic_coverage(get_store(), None, SemanticSettings(per_type=3))  # embed a small stratified sample
    at = _page()
    at.session_state["div_per_type"] = 3
    _ok(at.run())
    titles = _chart_titles(at)
    assert any(t.startswith("Prompt embeddings (PCA") for t in titles), [i.value for i in at.info]
    assert any("Semantic diversity per task_type" in t for t in titles)
    # the default model is multilingual: the sample data's Chinese prompts draw no English-only warning
    assert not any("English-only" in w.value for w in at.warning), [w.value[:80] for w in at.warning]
    assert not any("sampled prompts are embedded" in i.value for i in at.info)


def test_embed_the_missing_sample_prompts_runs_as_a_job(demo_app_env, monkeypatch):
    """The button starts an embedding job (listed on the Jobs page) over the map's stratified pick; once it has
    finished the map is drawn from the cache."""
    import time

    import numpy as np

    import curation.embeddings as emb
    from curation import jobs
    from pages._common import get_store
    monkeypatch.setattr(emb, "encode", lambda texts, s=None: np.array(
        [[len(t) + 1.0, t.count("a") + 1.0, t.count("e") + 1.0] for t in texts], dtype=np.float32))
    at = _ok(_page().run())
    button = next(b for b in at.button if b.label.startswith("Embed the") and "missing sample prompts" in b.label)
    _ok(button.click().run())
    store = get_store()
    [job] = jobs.list_jobs(store, kind_name="embedding")
    assert job["settings"]["source"] == "stratified" and job["settings"]["per_type"] == 200
    end = time.time() + 60
    while jobs.show(store, job["id"], log_chars=0)["state"] != "done" and time.time() < end:
        time.sleep(0.2)
    assert jobs.show(store, job["id"], log_chars=0)["state"] == "done"
    _ok(at.run())
    assert not any("sampled prompts are embedded" in i.value for i in at.info)
    assert any(t.startswith("Prompt embeddings (PCA") for t in _chart_titles(at))
