"""AppTests of the Compare page: the table, the side-by-side viewer, regressions to review, the one-click flow."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from eval_fixtures import make_items, make_run, records_for_store, write_jsonl
from streamlit.testing.v1 import AppTest

from curation.store import Store

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "compare.py")


def _store_with(db, tmp_path, records):
    from curation.ingest import IngestSettings, ingest
    with Store(db) as s:
        ingest(s, [write_jsonl(tmp_path / "samples.jsonl", records)], IngestSettings(dataset="demo"))


def _texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.code]
    parts += [e.value for e in at.text] + [e.value for e in at.info] + [e.value for e in at.success]
    parts += [e.value for e in at.error] + [e.value for e in at.warning]
    return "\n".join(str(p) for p in parts)


def test_page_without_runs_says_what_to_do(app_env, tmp_path):
    _store_with(app_env, tmp_path, records_for_store(make_items()[:5]))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("No training runs" in i.value for i in at.info)
    assert any(b.label == "Train & compare" for b in at.button)


def test_comparison_table_viewer_and_regressions(app_env, tmp_path):
    items = make_items()
    _store_with(app_env, tmp_path, records_for_store(items))
    make_run(tmp_path / "runs", "run-a")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    table = at.dataframe[1].value  # [0] is the run info
    math = table[(table["task_type"] == "reasoning/math") & (table["metric"] == "exact_match")].iloc[0]
    assert math["n"] == 24 and "better" in math["verdict"]
    assert "excluded (contaminated)" in " ".join(at.dataframe[0].value.columns)
    # Side by side: prompts and outputs are shown as text blocks.
    shown = [c.value for c in at.code]
    assert any("What is" in v for v in shown)
    # Filter to regressions: exactly the two that got worse.
    at.radio[0].set_value("worse").run()
    assert not at.exception
    assert any("2 items shown" in c.value for c in at.caption)
    button = next(b for b in at.button if b.label.startswith("Send 2 regressions"))
    button.click().run()
    assert not at.exception
    assert any("Sent 2 samples to review" in s.value for s in at.success)
    with Store(app_env) as s:
        assert "regression:run-a" in s.samples.get("m000")["tags"]
        assert s.flags.list("m000")[0]["check_name"] == "regression:run-a"


def test_sample_text_is_not_rendered_as_html(app_env, tmp_path):
    items = make_items()
    items[0]["prompt"] = "<script>alert('x')</script> What is 0 + 10?"
    items[0]["tuned"]["output"] = "<b>bold</b> #### 10"
    _store_with(app_env, tmp_path, records_for_store(items[:3]))
    make_run(tmp_path / "runs", "run-a", items)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("<script>alert('x')</script>" in c.value for c in at.code)
    assert all("<script>" not in m.value for m in at.markdown)


def test_two_runs_side_by_side(app_env, tmp_path):
    _store_with(app_env, tmp_path, records_for_store(make_items()[:3]))
    a = make_run(tmp_path / "runs", "run-a")
    worse = make_items()
    for it in worse:
        it["base"], it["tuned"] = it["tuned"], it["base"]
    b = make_run(tmp_path / "runs", "run-b", worse)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    next(m for m in at.multiselect if m.label == "Runs").set_value([str(a), str(b)]).run()
    assert not at.exception
    columns = list(at.dataframe[1].value.columns)
    assert "run-a · delta" in columns and "run-b · verdict" in columns


def test_one_click_starts_the_chain_and_shows_stages(app_env, tmp_path, monkeypatch):
    """The button exports here (stage 1 done at once), then the background process takes over; cancelling stops
    it and the page reports the stage it stopped in."""
    from training import pipeline
    _store_with(app_env, tmp_path, records_for_store(make_items()))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    next(b for b in at.button if b.label == "Train & compare").click().run()
    assert not at.exception, at.exception
    [pdir] = list((tmp_path / "pipelines").iterdir())
    try:
        status = pipeline.pipeline_status(pdir)
        assert status["stages"][0]["name"] == "export" and status["stages"][0]["state"] == "done"
        assert (pdir / "export" / "manifest.json").exists() and (pdir / "export" / "eval.jsonl").exists()
        assert status["state"] in ("queued", "running")
        page = _texts(at)
        assert "export" in page and "audit" in page and "evaluate" in page
    finally:
        pipeline.cancel_pipeline(pdir)
    deadline = time.time() + 30
    while pipeline.pipeline_status(pdir)["state"] in pipeline.ACTIVE and time.time() < deadline:
        time.sleep(0.5)
    assert pipeline.pipeline_status(pdir)["state"] == "cancelled"
    at.run()
    assert not at.exception


def test_one_click_on_an_empty_selection_fails_at_export(app_env, tmp_path):
    from curation.errors import UserError
    from training import pipeline
    _store_with(app_env, tmp_path, records_for_store(make_items()[:2]))
    with Store(app_env) as s:
        for sid in ("m000", "m001"):
            s.samples.update(sid, {"status": "rejected"}, "t")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert next(b for b in at.button if b.label == "Train & compare").disabled  # nothing curated to train on
    with Store(app_env) as s, pytest.raises(UserError, match="empty"):
        pipeline.start_pipeline(s, tmp_path)
    [pdir] = list((tmp_path / "pipelines").iterdir())
    status = pipeline.pipeline_status(pdir)
    assert status["state"] == "failed" and status["failed_stage"] == "export"
    assert "empty" in status["error"] and status["stages"][1]["state"] == "pending"
    at.run()
    assert any("Failed at stage export" in e.value for e in at.error)


def test_benchmark_form_reports_errors(app_env, tmp_path):
    """The fixture run's export folder does not exist: re-scoring its eval split fails with a clear message,
    before anything starts in the background."""
    _store_with(app_env, tmp_path, records_for_store(make_items()[:3]))
    make_run(tmp_path / "runs", "run-a")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    box = next(c for c in at.checkbox if c.label == "Also re-score the eval split")
    box.check()
    next(b for b in at.button if b.label == "Evaluate in the background").click().run()
    assert not at.exception
    assert any("export folder" in e.value and "does not exist" in e.value for e in at.error)
    assert not (tmp_path / "pipelines").exists() or not any((tmp_path / "pipelines").iterdir())


def _no_background(monkeypatch) -> list:
    """Record pipelines instead of starting their background process (nothing to cancel afterwards)."""
    from training import pipeline
    started = []
    monkeypatch.setattr(pipeline, "_spawn", lambda pdir: started.append(pdir))
    return started


def _pipeline_settings(tmp_path) -> dict:
    import json
    [pdir] = list((tmp_path / "pipelines").iterdir())
    return json.loads((pdir / "config.json").read_text())["settings"]


def test_one_click_takes_metrics_per_task_type_and_a_general_set(app_env, tmp_path, monkeypatch):
    started = _no_background(monkeypatch)
    _store_with(app_env, tmp_path, records_for_store(make_items()))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    math = at.selectbox(key="oc_metric:reasoning/math")
    assert math.value is None and "default (exact_match)" in math.format_func(math.value)
    at.selectbox(key="oc_metric:translation/en→zh").set_value("char_f1")
    at.selectbox(key="oc_metric:*").set_value("rouge_l")
    general = "".join(json.dumps({"question": f"Capital of country {k}?", "answer": f"City {k}"}) + "\n"
                      for k in range(3))
    at.file_uploader(key="oc_general_upload").set_value(("general.jsonl", general.encode(), "application/json"))
    next(b for b in at.button if b.label == "Train & compare").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(started) == 1
    ev = _pipeline_settings(tmp_path)["eval"]
    # Math kept its default: written out, so the "*" choice for other types does not change it.
    assert ev["metrics"] == {"reasoning/math": ["exact_match"], "translation/en→zh": "char_f1", "*": "rouge_l"}
    saved = Path(ev["general_file"])  # benchmarks/<content hash>/general.jsonl, inside the workspace
    assert saved.name == "general.jsonl" and saved.parent.parent == (tmp_path / "benchmarks").resolve()
    assert "City 2" in Path(ev["general_file"]).read_text()


def test_one_click_refuses_a_bad_general_set_before_starting(app_env, tmp_path, monkeypatch):
    started = _no_background(monkeypatch)
    _store_with(app_env, tmp_path, records_for_store(make_items()))
    (tmp_path / "notes.jsonl").write_text("this is not json\n", encoding="utf-8")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    click = lambda: next(b for b in at.button if b.label == "Train & compare").click().run()  # noqa: E731
    for path, expected in (("../outside.jsonl", "outside the workspace"), ("missing.jsonl", "does not exist"),
                           ("notes.jsonl", "not valid JSON")):
        at.text_input(key="oc_general_path").set_value(path)
        click()
        assert not at.exception, at.exception
        errors = [e.value for e in at.error]
        assert any(e.startswith("Not started") and expected in e for e in errors), (path, errors)
    empty = json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n"  # no answer: unusable
    at.file_uploader(key="oc_general_upload").set_value(("general.jsonl", empty.encode(), "application/json"))
    click()
    assert any("not both" in e.value for e in at.error)
    at.text_input(key="oc_general_path").set_value("")
    click()
    assert any(e.value.startswith("Not started") and "no usable items" in e.value for e in at.error)
    assert not started and not (tmp_path / "pipelines").exists()


def test_evaluation_form_takes_metrics_per_task_type(app_env, tmp_path, monkeypatch):
    started = _no_background(monkeypatch)
    _store_with(app_env, tmp_path, records_for_store(make_items()[:3]))
    make_run(tmp_path / "runs", "run-a")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    # The run's eval task_types (from its evaluation, its export folder being gone) each get a choice.
    at.selectbox(key="form_metric:reasoning/math").set_value("char_f1")
    bench = next(u for u in at.file_uploader if u.label.startswith("Benchmark"))
    qa = "".join(json.dumps({"question": f"What is {k} + 1?", "answer": f"#### {k + 1}"}) + "\n" for k in range(3))
    bench.set_value(("qa.jsonl", qa.encode(), "application/json"))
    next(b for b in at.button if b.label == "Evaluate in the background").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Evaluation started" in s.value for s in at.success)
    assert len(started) == 1
    settings = _pipeline_settings(tmp_path)
    assert settings["eval"]["metrics"] == {"reasoning/math": "char_f1"}
    assert [Path(b["path"]).name for b in settings["benchmarks"]] == ["qa.jsonl"]


def test_ci_chart_shows_whole_labels_and_item_ids_as_text(app_env, tmp_path):
    items = make_items()
    _store_with(app_env, tmp_path, records_for_store(items))
    make_run(tmp_path / "runs", "run-a")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    ci = next(s for s in specs if "layer" in s and any(
        (lay.get("encoding") or {}).get("y", {}).get("field") == "label" for lay in s["layer"]))
    y = next(lay["encoding"]["y"] for lay in ci["layer"] if "y" in (lay.get("encoding") or {}))
    assert y["axis"]["labelLimit"] == 0  # no truncation into identical "reasoning/multi-st…" labels
    heads = [m.value for m in at.markdown if " → " in m.value]
    assert heads and all("`" not in h for h in heads)  # the item id is escaped text, not markup


def test_a_finished_job_refreshes_the_whole_page_once():
    def script():
        import streamlit as st

        from pages._common import just_finished
        for state in st.session_state.get("states", []):
            st.write(f"{state}: {just_finished('job-1', state, ('queued', 'running'))}")

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["states"] = ["queued", "running", "running", "succeeded", "succeeded"]
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["queued: False", "running: False", "running: False",
                                              "succeeded: True", "succeeded: False"]


def test_degenerate_run_reads_degenerate_beside_every_score(app_env, tmp_path):
    from test_degeneracy import tiny_run_items

    items = tiny_run_items()
    _store_with(app_env, tmp_path, records_for_store([{**it, "messages": [
        {"role": "user", "content": it["prompt"]}, {"role": "assistant", "content": it["reference"]}]}
        for it in items]))
    make_run(tmp_path / "runs", "tiny-run", items)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("tiny-run" in e.value and "degenerate" in e.value for e in at.error)
    table = at.dataframe[1].value
    scores = table[table["metric"] != "loss"]
    assert (scores["verdict"] == "⛔ degenerate").all() and (scores["degenerate"] == "0% → 100%").all()
    assert scores["warning"].str.contains("one repeated token").all()
    assert "better" not in " ".join(scores["verdict"])
    assert any("tuned output degenerate: one repeated token" in w.value for w in at.warning)


def test_evaluate_button_warns_when_the_eval_split_overlaps_training(app_env, tmp_path):
    import shutil

    from test_eval import _leaky_run

    _store_with(app_env, tmp_path, records_for_store(make_items()[:5]))
    (tmp_path / "leaky").mkdir()
    rf = _leaky_run(tmp_path / "leaky")
    run = tmp_path / "runs" / "leaky-run"
    shutil.copytree(rf.path, run)
    (run / "status.json").write_text(json.dumps({"state": "succeeded"}))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any(w.value.startswith("Before evaluating leaky-run: 1 of 2 items of eval duplicate a training sample")
               for w in at.warning)
    assert any(b.label == "Evaluate" for b in at.button)
