"""The raw-vs-curated A/B: selections, the shared eval set, bad input, and the whole flow on the tiny model."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from curation.errors import UserError
from curation.store import SampleFilter
from training.ab import ab_report, ab_side_by_side, plan_ab, start_ab, wait_ab
from training.pipeline import PipelineSettings

WORDS = ("river stone lamp orbit violet copper meadow harbor signal pepper lantern canyon ribbon velvet quartz "
         "falcon maple thunder saddle marble prism glacier tunnel orchard beacon ember cobalt willow harvest "
         "compass anchor summit fossil cinder mirror basil walnut cedar dune ivory jasper kettle lotus nectar "
         "oyster parrot quill raven sierra tulip umber vortex wander yonder zephyr").split()


def records(n: int = 40, seed: int = 5) -> list[dict]:
    """Two task types with prompts of random words (so no two look alike), identity answers with {{name}}."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        words = " ".join(rng.sample(WORDS, 7))
        if k % 2:
            out.append({"id": f"id{k:02d}", "task_type": "identity/self", "messages": [
                {"role": "user", "content": f"{words}? Who are you?"},
                {"role": "assistant", "content": "I am {{name}}, an assistant by {{author}}."}]})
        else:
            out.append({"id": f"ec{k:02d}", "task_type": "rewriting/echo", "messages": [
                {"role": "user", "content": f"Repeat: {words}"},
                {"role": "assistant", "content": words}]})
    return out


@pytest.fixture
def ab_store(store, tmp_path):
    from curation.ingest import IngestSettings, ingest
    from curation.replace import ReplaceSettings, apply

    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    ingest(store, [path], IngestSettings(dataset="demo", run_checks=False, derive_stats=False))
    apply(store, SampleFilter(dataset="demo"), ReplaceSettings("{{name}}", "Workbench"), "lead")
    apply(store, SampleFilter(dataset="demo"), ReplaceSettings("{{author}}", "the team"), "lead")
    for sid in ("ec00", "ec02", "id01"):
        store.samples.update(sid, {"status": "rejected"}, "lead", "status")
    store.samples.update("ec04", {"status": "duplicate"}, "lead", "status")
    store.samples.update("ec06", {"task_type": "rewriting/copy"}, "lead", "relabel")
    return store


def test_plan_raw_is_revision_zero_of_everything_and_curated_is_current_and_kept(ab_store):
    plan = plan_ab(ab_store, SampleFilter(dataset="demo"), PipelineSettings(eval_fraction=0.25))
    eval_ids = {e["id"] for e in plan["eval"]}
    raw = {r["id"]: r for r in plan["raw_train"]}
    cur = {c["id"]: c for c in plan["curated_train"]}
    assert eval_ids and not eval_ids & set(raw) and not eval_ids & set(cur)
    assert len(raw) + len(eval_ids) == 40 and len(cur) + len(eval_ids) == 36
    assert {"ec00", "ec02", "id01", "ec04"} <= set(raw) and not {"ec00", "ec02", "id01", "ec04"} & set(cur)
    some_identity = next(i for i in cur if i.startswith("id"))
    assert "{{name}}" in raw[some_identity]["messages"][1]["content"]
    assert cur[some_identity]["messages"][1]["content"] == "I am Workbench, an assistant by the team."
    assert all("{{name}}" not in e["messages"][1]["content"] for e in plan["eval"])  # eval = curated content
    ch = plan["changes"]
    assert (ch["removed"], ch["removed_by_status"]) == (4, {"rejected": 3, "duplicate": 1})
    assert ch["edited"] == 19 and ch["relabelled_ids"] == ["ec06"]  # 20 identity samples edited, 1 rejected


def test_plan_ignores_status_in_the_scope_and_nothing_is_written(ab_store):
    rev = ab_store.revision()
    plan = plan_ab(ab_store, SampleFilter(dataset="demo", status="accepted"), PipelineSettings())
    assert len(plan["raw_train"]) + len(plan["eval"]) == 40
    assert ab_store.revision() == rev


def test_no_shared_eval_set_is_one_clear_error(ab_store, tmp_path):
    with pytest.raises(UserError, match="share no eval set.*raise the eval fraction"):
        plan_ab(ab_store, SampleFilter(dataset="demo"), PipelineSettings(eval_fraction=0.0))
    for sid in ("ec00", "ec02"):  # the only samples marked for eval are rejected: the curated side has none
        ab_store.samples.update(sid, {"split": "eval"}, "lead", "split")
    rev = ab_store.revision()
    with pytest.raises(UserError, match="share no eval set.*split=eval are rejected"):
        start_ab(ab_store, tmp_path, SampleFilter(dataset="demo"))
    assert ab_store.revision() == rev and not (tmp_path / "ab").exists()
    assert not (tmp_path / "pipelines").exists()


def test_marked_eval_set_overlapping_training_says_decontaminate_first(ab_store, tmp_path):
    from curation.ingest import IngestSettings, ingest

    twin = records()[9]  # an identity sample imported again under another id: an exact copy of its prompt
    path = tmp_path / "twin.jsonl"
    path.write_text(json.dumps({**twin, "id": "twin"}) + "\n", encoding="utf-8")
    ingest(ab_store, [path], IngestSettings(dataset="demo", run_checks=False, derive_stats=False))
    ab_store.samples.update("id09", {"split": "eval"}, "lead", "split")
    ab_store.samples.update("id11", {"split": "eval"}, "lead", "split")
    rev = ab_store.revision()
    with pytest.raises(UserError, match="eval set overlaps training.*id09 and twin.*decontaminate first"):
        start_ab(ab_store, tmp_path, SampleFilter(dataset="demo"))
    assert ab_store.revision() == rev and not (tmp_path / "ab").exists()
    # held out automatically (no marks), the leaking item moves to training instead
    ab_store.samples.update_many(SampleFilter(dataset="demo", split="eval"), {"split": None}, "lead", "split")
    plan = plan_ab(ab_store, SampleFilter(dataset="demo"), PipelineSettings(eval_fraction=0.5))
    assert "id09" not in {e["id"] for e in plan["eval"]} and "twin" not in {e["id"] for e in plan["eval"]}


@pytest.mark.slow
def test_ab_end_to_end_on_tiny(ab_store, tmp_path, capsys):
    """Both chains train the tiny model (a few steps), evaluate the same items, and the report pairs them."""
    from curation.cli import main

    settings = PipelineSettings(base_model="tiny", eval_fraction=0.3,
                                overrides={"max_steps": 3, "save_every": 0, "eval_prompts": 0, "max_length": 128})
    settings.eval.max_new_tokens = 8
    adir = start_ab(ab_store, tmp_path, SampleFilter(dataset="demo"), settings)
    status = wait_ab(adir, timeout=900)
    logs = {a: _tail(p["pipeline_dir"]) for a, p in status["arms"].items()}
    assert status["state"] == "succeeded", (status["error"], logs)
    report = ab_report(adir)
    overall = report["rows"][-1]
    assert overall["task_type"] == "(overall)" and overall["n"] == report["eval"]["paired"] > 0
    assert {r["task_type"] for r in report["rows"][:-1]} == {"identity/self", "rewriting/echo"}
    assert report["counts"]["raw"]["total"] - report["counts"]["curated"]["total"] == 4
    assert report["changes"]["edited"] == 19 and report["steps"] == {"raw": 3, "curated": 3}
    for r in report["rows"]:
        assert r["delta"] == pytest.approx(r["curated"] - r["raw"])
    items = ab_side_by_side(adir)
    assert len(items) == overall["n"] and all({"raw_output", "curated_output", "reference"} <= set(i) for i in items)
    assert main(["ab", "report", str(adir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][-1]["n"] == overall["n"]


def _tail(pdir) -> str:


    log = Path(pdir) / "log.txt"
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


def fake_finished_ab(ws, scores: list[tuple[str, float, float]]) -> Path:
    """An A/B folder whose two chains 'succeeded': run folders holding eval items with the given
    (task_type, raw score, curated score) per item, the base scoring 0 everywhere."""


    import dataclasses

    from training.rundir import write_json

    ws = Path(ws)
    pipelines = {}
    for k, arm in enumerate(("raw", "curated")):
        run = ws / "runs" / arm
        (run / "eval" / "eval").mkdir(parents=True)
        write_json(run / "config.json", {"base_model": "tiny", "export_dir": str(ws / "none")})
        with open(run / "eval" / "eval" / "items.jsonl", "w", encoding="utf-8") as f:
            for i, (t, raw, cur) in enumerate(scores):
                f.write(json.dumps({"id": f"e{i}", "task_type": t, "prompt": f"q{i}", "reference": "I am Workbench.",
                                    "metrics": ["rouge_l"], "excluded": False,
                                    "base": {"scores": {"rouge_l": 0.0}, "output": "I am a model."},
                                    "tuned": {"scores": {"rouge_l": (raw, cur)[k]},
                                              "output": ("I am {{name}}.", "I am Workbench.")[k]}}) + "\n")
        pdir = ws / "pipelines" / arm
        pdir.mkdir(parents=True)
        write_json(pdir / "status.json", {"state": "succeeded", "run_dir": str(run), "stage": None, "stages": []})
        pipelines[arm] = str(pdir)
    adir = ws / "ab" / "x"
    adir.mkdir(parents=True)
    write_json(adir / "ab.json", {"scope": {}, "settings": dataclasses.asdict(PipelineSettings()),
                                  "pipelines": pipelines, "changes": {"removed": 2, "removed_by_status": {"rejected": 2},
                                                                      "edited": 5, "relabelled": 1},
                                  "counts": {"raw": {"total": 30}, "curated": {"total": 28}, "eval": {"total": 24}},
                                  "eval": {"source": "held out", "moved_to_train": 0,
                                           "ids": [f"e{i}" for i in range(len(scores))]}})
    return adir


def scores_for_report() -> list:
    # identity: curated 1.0 vs raw 0.2 on every item (a clear win); echo: the same on both sides
    return [("identity/self", 0.2, 1.0)] * 12 + [("rewriting/echo", 0.5, 0.5)] * 12


def test_report_pairs_items_curated_minus_raw_with_cis(tmp_path):
    adir = fake_finished_ab(tmp_path, scores_for_report())
    report = ab_report(adir)
    rows = {r["task_type"]: r for r in report["rows"]}
    ident, echo, overall = rows["identity/self"], rows["rewriting/echo"], rows["(overall)"]
    assert (ident["raw"], ident["curated"], ident["n"]) == (pytest.approx(0.2), pytest.approx(1.0), 12)
    assert ident["delta"] == pytest.approx(0.8) and ident["ci_low"] > 0 and ident["verdict"] == "curated better"
    assert echo["delta"] == 0 and echo["verdict"] == "no significant change"
    assert overall["n"] == 24 and overall["delta"] == pytest.approx(0.4)
    assert report["eval"]["paired"] == 24 and report["changes"]["edited"] == 5
    said = {r["task_type"]: r for r in ab_report(adir, mentions="workbench")["rows"] if r["metric"] != "rouge_l"}
    assert said["identity/self"]["metric"] == "mentions 'workbench'"
    assert (said["identity/self"]["raw"], said["identity/self"]["curated"], said["identity/self"]["base"]) == (0, 1, 0)
    assert said["identity/self"]["ci_low"] == 1.0 and said["identity/self"]["verdict"] == "curated better"
    top = ab_side_by_side(adir, limit=1)[0]
    assert (top["raw_output"], top["curated_output"], top["delta"]) == ("I am {{name}}.", "I am Workbench.",
                                                                       pytest.approx(0.8))


def test_report_of_an_unfinished_ab_is_refused(tmp_path):
    from training.rundir import read_json, write_json

    adir = fake_finished_ab(tmp_path, scores_for_report())
    raw = tmp_path / "pipelines" / "raw" / "status.json"
    write_json(raw, {**read_json(raw), "state": "failed", "error": "training failed: out of memory"})
    with pytest.raises(UserError, match="not succeeded.*raw: training failed"):
        ab_report(adir)


def test_chains_run_one_after_the_other_unless_asked_otherwise(ab_store, tmp_path, monkeypatch):
    from training import pipeline

    started = []
    monkeypatch.setattr(pipeline, "_spawn", lambda pdir: started.append(pdir))
    for k, sequential in enumerate((True, False)):
        adir = start_ab(ab_store, tmp_path / f"ws{k}", SampleFilter(dataset="demo"), one_after_the_other=sequential)
        info = json.loads((adir / "ab.json").read_text())
        after = json.loads((Path(info["pipelines"]["curated"]) / "config.json").read_text())["after"]
        assert after == (info["pipelines"]["raw"] if sequential else None)
    assert len(started) == 4
