"""AppTest of semantic search on the pages (issue 16): Browse "find similar" and a free-text query, Review's
nearest reviewed samples with their verdicts, the Embeddings page (coverage per model, deleting one model's
vectors), and the notice with the background job when a selection is not embedded yet. Vectors come from a fake
encoder written into the real cache, so no model is loaded."""
from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import curation.embeddings as emb
from curation.embeddings import DEFAULT_MODEL, EmbeddingSettings, embed_texts
from curation.ingest import IngestSettings, ingest
from curation.review import create_profile
from curation.store import Store
from tests.helpers import ROOT, write_jsonl

TIMEOUT = 60
MINILM = "all-MiniLM-L6-v2"
# fake vectors [length, count of "a", 1], unit-normalised: p2 is nearest p1, then p4; p3 is never embedded
PROMPTS = {"p1": "aaaa", "p2": "aaab", "p3": "zzzz", "p4": "abbb"}


def _fake(texts, settings=None):
    v = np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def semantic_db(app_env, tmp_path, monkeypatch):
    monkeypatch.setattr(emb, "encode", _fake)
    with Store(app_env) as s:
        ingest(s, [write_jsonl(tmp_path / "s.jsonl", [
            {"id": i, "task_type": "a/b", "messages": [{"role": "user", "content": p},
                                                       {"role": "assistant", "content": "x"}]}
            for i, p in PROMPTS.items()])], IngestSettings(dataset="s", run_checks=False))
        create_profile(s, "ann")
    return app_env


def _embed(db, model=DEFAULT_MODEL, ids=("p1", "p2", "p4")):
    with Store(db) as s:
        embed_texts(s, [PROMPTS[i] for i in ids], EmbeddingSettings(model=model))


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    at.session_state["user"] = "ann"
    return _ok(at.run())


def _table(at: AppTest, column: str):
    """The one table on the page that has this column (AppTest keeps no key for a plain dataframe)."""
    [table] = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def test_browse_finds_similar_samples_and_answers_a_semantic_query(semantic_db):
    _embed(semantic_db)
    at = _page("browse.py")
    assert at.subheader[0].value.replace("\\", "") == "Sample p1"
    at.toggle(key="browse_similar").set_value(True)
    _ok(at.run())
    rows = _table(at, "similarity")
    assert list(rows["id"]) == ["p2", "p4"] and rows["similarity"].iloc[0] >= rows["similarity"].iloc[1]
    assert any("Only 3 of 4 samples" in i.value for i in at.info)  # p3 is not embedded: says so, offers the job
    assert at.button(key="browse_sim_embed")
    at.text_input(key="browse_sim_query").set_value("aaaa")
    _ok(at.run())
    assert list(_table(at, "similarity")["id"])[:2] == ["p1", "p2"]


def test_browse_find_similar_says_when_nothing_is_embedded(semantic_db):
    at = _page("browse.py")
    at.toggle(key="browse_similar").set_value(True)
    _ok(at.run())
    assert any("none of these samples is embedded" in c.value for c in at.caption)
    assert any("Only 0 of 4 samples" in i.value for i in at.info) and at.button(key="browse_sim_embed")


def test_review_shows_the_nearest_reviewed_samples_with_their_verdicts(semantic_db):
    _embed(semantic_db)
    with Store(semantic_db) as s:
        s.samples.update("p4", {"status": "accepted"}, author="lee", action="review")
        s.samples.update("p2", {"status": "rejected"}, author="lee", action="review")
    at = _page("review.py")
    at.button(key="rvq_open").click()
    _ok(at.run())
    assert at.text[0].value.startswith("p1 ")  # pending: the queue opens on it
    at.toggle(key="rv_nearest").set_value(True)
    _ok(at.run())
    rows = _table(at, "verdict")
    assert list(zip(rows["id"], rows["verdict"])) == [("p2", "rejected"), ("p4", "accepted")]


def test_embeddings_page_shows_coverage_per_model_and_deletes_one_models_vectors(semantic_db):
    _embed(semantic_db)
    _embed(semantic_db, MINILM, ids=("p1",))
    at = _page("embeddings.py")
    rows = _table(at, "selection embedded")
    assert dict(zip(rows["model"], rows["selection embedded"])) == {DEFAULT_MODEL: "3 of 4", MINILM: "1 of 4"}
    at.button(key="FormSubmitter:emb_delete-Delete its vectors").click()
    _ok(at.run())
    assert any("tick the confirmation" in e.value for e in at.error)  # nothing deleted without the tick
    at.selectbox(key="emb_victim").set_value(MINILM)
    at.checkbox(key="emb_sure").check()
    at.button(key="FormSubmitter:emb_delete-Delete its vectors").click()
    _ok(at.run())
    assert list(_table(at, "selection embedded")["model"]) == [DEFAULT_MODEL]
    with Store(semantic_db) as s:
        assert not s.embeddings.has_model(emb.model_id(MINILM)) and s.embeddings.has_model(emb.model_id(DEFAULT_MODEL))


def test_embeddings_page_embeds_the_rest_as_a_job_listed_on_the_jobs_page(semantic_db):
    import time

    from curation import jobs
    from pages._common import get_store
    _embed(semantic_db, ids=("p1",))
    at = _page("embeddings.py")
    assert any("Only 1 of 4 samples" in i.value for i in at.info)
    at.button(key="emb_embed").click()
    _ok(at.run())
    store = get_store()
    [job] = jobs.list_jobs(store, kind_name="embedding")
    assert job["author"] == "ann" and job["settings"]["embedding"]["model"] == DEFAULT_MODEL
    end = time.time() + 30
    while jobs.show(store, job["id"], log_chars=0)["state"] != "done" and time.time() < end:
        time.sleep(0.1)
    assert jobs.show(store, job["id"])["result"] == {"texts": 4, "already_cached": 1, "encoded": 3,
                                                     "model": DEFAULT_MODEL}
    _ok(at.run())
    rows = _table(at, "selection embedded")
    assert dict(zip(rows["model"], rows["selection embedded"])) == {DEFAULT_MODEL: "4 of 4"}
    assert "emb_embed" not in [b.key for b in at.button]  # all embedded: no job to offer
