"""Robustness data in the store: suggestions, confirm/reject, hand tags, generated variants, share, and the CLI."""
from __future__ import annotations

import json

import pytest

from curation.cli import main
from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.protection import is_protected
from curation.robustness.generation import PERTURBATIONS, GenerationSettings
from curation.robustness.tagging import (augment, confirm, detect_into_store, reject, share_by_task_type, suggestions,
                                         tag_samples, untag_samples)
from curation.store import SampleFilter
from tests.helpers import write_jsonl

PROMPTS = {
    "typo": "Waht is teh capital of France?",
    "pinyin": "我想去beijing kan chang cheng",
    "incomplete": "请解释一下",
    "code_mix": "这个meeting很重要吗？",
    "clean_en": "What is the capital of Spain?",
    "clean_zh": "请介绍一下北京的历史。",
    "clean_en2": "How do I bake bread at home?",
    "clean_zh2": "给我推荐几本好看的小说。",
}


def _records():
    return [{"id": k, "task_type": "chat/qa" if i % 2 else "reasoning/math",
             "messages": [{"role": "user", "content": t}, {"role": "assistant", "content": f"answer «{k}»\n  "}]}
            for i, (k, t) in enumerate(PROMPTS.items())]


@pytest.fixture
def rstore(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "r.jsonl", _records())], IngestSettings(dataset="r"))
    return store


def test_detection_writes_suggestions_not_tags(rstore):
    report = detect_into_store(rstore)
    assert report["samples"] == 8 and report["by_kind"] == {"typo": 1, "pinyin": 1, "incomplete": 1, "code_mix": 1}
    found = {(r["sample_id"], r["tag"]) for r in suggestions(rstore)}
    assert found == {(k, f"robustness:{k}") for k in ("typo", "pinyin", "incomplete", "code_mix")}
    assert all(not s["tags"] for s in rstore.samples.list())  # only confirmed suggestions become tags
    assert rstore.robustness.runs.list()[0]["kind"] == "detect"
    ev = suggestions(rstore, kind="pinyin")[0]["evidence"][0]
    assert PROMPTS["pinyin"][ev["start"]:ev["end"]] == ev["text"] == "beijing kan chang cheng"


def test_confirm_tags_protects_and_records_history(rstore):
    detect_into_store(rstore)
    out = confirm(rstore, "typo", "typo", "alice")
    assert out["tags"] == ["robustness:typo"] and out["was_suggested"]
    sample = rstore.samples.get("typo")
    assert is_protected(sample)
    (rev,) = rstore.revisions.list("typo")
    assert rev["author"] == "alice" and rev["after"] == {"tags": ["robustness:typo"]} and "Waht" in rev["note"]
    assert not suggestions(rstore, kind="typo")
    assert suggestions(rstore, state="confirmed")[0]["decided_by"] == "alice"
    # Detecting again offers nothing new for a kind the sample already has.
    assert detect_into_store(rstore)["by_kind"].get("typo") is None


def test_rejected_suggestion_is_not_offered_again_until_the_content_changes(rstore):
    detect_into_store(rstore)
    reject(rstore, "pinyin", "pinyin", "bob")
    assert rstore.samples.get("pinyin")["tags"] == []
    detect_into_store(rstore)
    assert not suggestions(rstore, kind="pinyin")
    msgs = rstore.samples.get("pinyin")["messages"]
    msgs[0]["content"] = "我想去beijing kan gu gong"
    rstore.samples.update("pinyin", {"messages": msgs}, "bob", "edit")
    detect_into_store(rstore)
    assert [r["sample_id"] for r in suggestions(rstore, kind="pinyin")] == ["pinyin"]


def test_decisions_need_a_person_and_a_suggestion(rstore):
    detect_into_store(rstore)
    with pytest.raises(UserError, match="person"):
        confirm(rstore, "typo", "typo", "auto:robustness-detect")
    with pytest.raises(UserError, match="no open"):
        reject(rstore, "clean_en", "typo", "bob")
    with pytest.raises(UserError, match="unknown robustness kind"):
        confirm(rstore, "typo", "grammar", "bob")
    with pytest.raises(UserError, match="no sample"):
        confirm(rstore, "nope", "typo", "bob")


def test_hand_tagging_and_untagging(rstore):
    out = tag_samples(rstore, ["clean_en", "clean_zh"], "typo", "carol", "natural typo the detector missed")
    assert out["tagged"] == 2
    assert rstore.samples.get("clean_en")["tags"] == ["robustness:typo"]
    untag_samples(rstore, ["clean_en"], "typo", "carol", "not a typo after all")
    assert rstore.samples.get("clean_en")["tags"] == []
    assert [r["action"] for r in rstore.revisions.list("clean_en")] == ["tag", "untag"]


def test_augment_inserts_linked_pending_variants_once(rstore):
    s = GenerationSettings(rate=1.0, target_share=None, seed=3)
    first = augment(rstore, SampleFilter(dataset="r"), s)
    assert first["inserted"] == first["generated"] > 0
    parents = {v["parent_id"] for v in first["variants"]}
    assert parents <= {"clean_en", "clean_zh", "clean_en2", "clean_zh2"}  # only clean samples are parents
    for v in first["variants"]:
        child, parent = rstore.samples.get(v["id"]), rstore.samples.get(v["parent_id"])
        assert child["parent_id"] == parent["id"] and child["status"] == "pending"
        assert child["tags"] == [f"robustness:generated:{PERTURBATIONS[v['perturbation']]}"]
        assert child["messages"][1] == parent["messages"][1]  # the answer, byte for byte
        assert json.dumps(child["messages"][1], ensure_ascii=False) == json.dumps(parent["messages"][1],
                                                                                  ensure_ascii=False)
        assert child["messages"][0]["content"] != parent["messages"][0]["content"]
        assert child["task_type"] == parent["task_type"] and is_protected(child)
    again = augment(rstore, SampleFilter(dataset="r", ids=[p for p in parents]), s)
    assert again["inserted"] == 0  # same seed, same parents: the same ids, nothing added
    assert rstore.robustness.runs.list()[0]["kind"] == "generate"


def test_augment_dry_run_stores_nothing(rstore):
    report = augment(rstore, None, GenerationSettings(rate=1.0, target_share=None), dry_run=True)
    assert report["generated"] > 0 and report["inserted"] == 0 and rstore.samples.count() == 8


def test_share_by_task_type(rstore):
    tag_samples(rstore, ["typo"], "typo", "dan")
    rstore.samples.update("clean_en", {"status": "rejected"}, "dan", "review")  # rejected samples don't count
    rows = {r["task_type"]: r for r in share_by_task_type(rstore, target=0.3)}
    math = rows["reasoning/math"]
    assert (math["total"], math["robust"]) == (3, 1) and math["share"] == pytest.approx(1 / 3, abs=1e-3)
    assert not math["below_target"] and rows["chat/qa"]["below_target"]


def _cli(capsys, *argv) -> tuple[int, dict | None]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else None


def test_cli_detect_confirm_tag_augment(rstore, capsys):
    db = str(rstore.path)
    rstore.close()
    code, out = _cli(capsys, "robustness", "detect", "--db", db, "--json")
    assert code == 0 and out["suggested"] == 4
    code, out = _cli(capsys, "robustness", "confirm", "--all-open", "--kind", "pinyin", "--db", db, "--json",
                     "--author", "erin")
    assert code == 0 and out == {"confirmed": 1, "rejected": 0}
    code, out = _cli(capsys, "robustness", "reject", "code_mix", "--kind", "code_mix", "--db", db, "--json",
                     "--author", "erin")
    assert code == 0 and out["rejected"] == 1
    code, out = _cli(capsys, "robustness", "tag", "clean_en", "--kind", "incomplete", "--db", db, "--json",
                     "--author", "erin")
    assert code == 0 and out["tagged"] == 1
    code, out = _cli(capsys, "robustness", "augment", "--rate", "1", "--no-target", "--db", db, "--json")
    assert code == 0 and out["inserted"] > 0
    code, out = _cli(capsys, "robustness", "share", "--db", db, "--json")
    assert code == 0 and {r["task_type"] for r in out["rows"]} == {"chat/qa", "reasoning/math"}
    code, out = _cli(capsys, "robustness", "suggestions", "--state", "all", "--db", db, "--json")
    assert code == 0 and {r["state"] for r in out["suggestions"]} == {"open", "confirmed", "rejected"}


def test_cli_errors_are_one_line(rstore, capsys):
    db = str(rstore.path)
    rstore.close()
    assert main(["robustness", "confirm", "nope", "--kind", "typo", "--db", db, "--author", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no sample") and err.count("\n") == 1
    assert main(["robustness", "augment", "--rate", "3", "--db", db]) == 2
    assert "rate" in capsys.readouterr().err
    assert main(["robustness", "confirm", "--db", db, "--author", "x"]) == 2


def test_cli_check_a_prompt(capsys):
    code, out = _cli(capsys, "robustness", "check", "我以经去过了，但是", "--json")
    assert code == 0 and {d["tag"] for d in out["detections"]} == {"robustness:typo", "robustness:incomplete"}


def test_dedup_never_proposes_a_parent_for_removal_because_of_its_variant(rstore):
    from curation.dedup.runs import clusters_at, make_settings, run_dedup
    out = augment(rstore, SampleFilter(dataset="r", ids=["clean_en"]),
                  GenerationSettings(rate=1.0, target_share=None, seed=3))
    variant = out["variants"][0]["id"]
    by_answer = make_settings("exact", key="assistant")  # a variant shares its parent's answer byte for byte
    report = run_dedup(rstore, "exact", settings=by_answer, author="tester")
    assert all(variant not in {m["id"] for m in c.members} for c in clusters_at(rstore, report["run_id"]))
    # a real copy of the parent is still a duplicate; the parent keeps, the copy goes, the variant stays
    rstore.samples.update("clean_en2", {"messages": rstore.samples.get("clean_en")["messages"]}, "tester")
    report = run_dedup(rstore, "exact", settings=by_answer, author="tester")
    [cluster] = [c for c in clusters_at(rstore, report["run_id"]) if "clean_en" in {m["id"] for m in c.members}]
    assert cluster.keeper == "clean_en"
    assert [r["id"] for r in report["proposed_removals"]] == ["clean_en2"]
