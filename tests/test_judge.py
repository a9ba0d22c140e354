"""The LLM judge: rubric choice, strict parsing, storage apart from human reviews, calibration against humans
(kappa and Spearman per dimension and task_type, trust), the judge-ordered queue and accept-above-threshold.
Judging runs over real HTTP: a scripted endpoint where the reply must be a valid judgement, the tiny model
server where it is whatever the model writes."""
from __future__ import annotations

import json

import pytest

from curation.errors import UserError
from curation.judge import (CalibrationSettings, JudgeSettings, accept_above, calibration, judge_messages,
                            judge_samples, parse_judgement, rubric_language, score_bin)
from curation.llm import BadResponse, EndpointSettings, WrongLanguage
from curation.review import QueueSpec, build_queue, create_profile
from curation.store import SampleFilter
from tests.helpers import write_jsonl
from tests.llm_support import ScriptedEndpoint, calibration_store, completion

EN = {d: {"score": s, "rationale": r} for d, s, r in [
    ("accuracy", 5, "Correct sum."), ("completeness", 4, "Answers the question."),
    ("conciseness", 5, "Short and clear."), ("consistency", 5, "No contradictions."),
    ("difficulty", 1, "A trivial sum.")]}
ZH = {d: {"score": 4, "rationale": "回答基本正确，表达清楚。"} for d in EN}


def judgement_reply(body):
    """A judge that answers in the rubric's language: Chinese for the Chinese rubric."""
    zh = "你是一名严格" in body["messages"][0]["content"]
    return 200, {}, completion(json.dumps(ZH if zh else EN, ensure_ascii=False), prompt_tokens=300,
                               completion_tokens=80)


def endpoint(base_url: str, model: str = "scripted") -> EndpointSettings:
    return EndpointSettings(base_url=base_url, model=model, backoff_s=0, price_in_per_mtok=1.0,
                            price_out_per_mtok=2.0)


def test_rubric_follows_the_sample_language():
    assert rubric_language({"language": "zh"}) == "zh" and rubric_language({"language": "mixed"}) == "zh"
    assert rubric_language({"language": "en"}) == "en" and rubric_language({"language": "zh"}, "en") == "en"
    with pytest.raises(UserError, match="auto, zh or en"):
        rubric_language({}, "fr")
    sample = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x" * 50}]}
    msgs = judge_messages(sample, "zh", max_turn_chars=20)
    assert msgs[0]["content"].startswith("你是一名严格") and "=== 对话开始 ===" in msgs[1]["content"]
    assert "[…30 more characters cut]" in msgs[1]["content"]


def test_parse_accepts_a_complete_judgement_and_rejects_anything_less():
    text = "Here you go:\n```json\n" + json.dumps({**EN, "accuracy": {"score": "4/5", "rationale": "ok"}}) + "\n```"
    out = parse_judgement(text, "en")
    assert out["accuracy"] == {"score": 4, "rationale": "ok"} and out["difficulty"]["score"] == 1
    cases = [("I think it is fine.", "did not reply with a JSON object"),
             ('{"accuracy": {"score": 4, "rationale": "cut', "did not reply with a JSON object"),
             ('{"accuracy": {"score": 4,, }}', "does not parse"),
             (json.dumps({k: v for k, v in EN.items() if k != "consistency"}), "no consistency object"),
             (json.dumps({**EN, "accuracy": {"score": 6, "rationale": "x"}}), "accuracy score 6 is not a whole"),
             (json.dumps({**EN, "accuracy": {"score": True, "rationale": "x"}}), "accuracy score True"),
             (json.dumps({**EN, "difficulty": {"score": 2}}), "no rationale for difficulty")]
    for text, message in cases:
        with pytest.raises(BadResponse, match=message):
            parse_judgement(text)
    with pytest.raises(WrongLanguage, match="rationales in en, not zh"):
        parse_judgement(json.dumps(EN), "zh")


@pytest.fixture
def judged_store(store, tmp_path):
    from curation.ingest import IngestSettings, ingest

    rows = [{"id": "e1", "task_type": "reasoning/math", "messages": [
                {"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "2 + 3 = 5."}]},
            {"id": "z1", "task_type": "translation/zh→en", "messages": [
                {"role": "user", "content": "把下面的中文翻译成英文：你好，世界"},
                {"role": "assistant", "content": "Hello, world"}]},
            {"id": "z2", "task_type": "reasoning/math", "messages": [
                {"role": "user", "content": "三加四等于几？请详细解释。"}, {"role": "assistant", "content": "三加四等于七。"}]}]
    ingest(store, [write_jsonl(tmp_path / "j.jsonl", rows)], IngestSettings(dataset="j"))
    return store


def test_judge_run_stores_judge_reviews_apart_from_human_ones(judged_store):
    s = judged_store
    with ScriptedEndpoint(judgement_reply) as ep:
        out = judge_samples(s, endpoint(ep.base_url))
        again = judge_samples(s, endpoint(ep.base_url))
        forced = judge_samples(s, endpoint(ep.base_url), settings=JudgeSettings(rejudge=True))
    assert (out["judge"], out["judged"], out["n_failed"], out["selected"]) == ("judge:scripted", 3, 0, 3)
    assert (out["prompt_tokens"], out["completion_tokens"]) == (900, 240)
    assert out["cost"] == pytest.approx((900 * 1.0 + 240 * 2.0) / 1e6)
    rows = {r["sample_id"]: r for r in s.judge.list()}
    assert rows["e1"]["rubric_language"] == "en" and rows["z1"]["rubric_language"] in ("zh", "en")
    assert rows["z2"]["rubric_language"] == "zh" and rows["z2"]["rationales"]["accuracy"] == "回答基本正确，表达清楚。"
    assert rows["e1"]["overall"] == pytest.approx((5 + 4 + 5 + 5) / 4) and rows["e1"]["difficulty"] == 1
    assert rows["e1"]["task_type"] == "reasoning/math" and rows["e1"]["author"] == "judge:scripted"
    assert s.review.list() == [] and s.review.count() == 0  # human reviews untouched
    assert again["already_judged"] == 3 and again["judged"] == 0
    assert forced["judged"] == 3 and forced["cached_answers"] == 3 and len(ep.requests) == 3  # cache: no new calls
    assert len(s.judge.list(current=False)) == 6 and len(s.judge.list()) == 3


def test_malformed_or_wrong_language_judgements_store_nothing(judged_store):
    half = {k: v for k, v in EN.items() if k != "difficulty"}
    with ScriptedEndpoint(lambda b: (200, {}, completion(json.dumps(half)))) as ep:
        out = judge_samples(judged_store, endpoint(ep.base_url))
    assert out["judged"] == 0 and out["n_failed"] == 3
    assert all("no difficulty object" in f["error"] for f in out["failed"])
    with ScriptedEndpoint(lambda b: (200, {}, completion(json.dumps(EN)))) as ep:  # English rationales everywhere
        out = judge_samples(judged_store, endpoint(ep.base_url, "english-only"))
    assert {f["sample_id"] for f in out["failed"]} >= {"z2"} and out["judged"] >= 1
    assert all("not zh" in f["error"] for f in out["failed"])
    assert judged_store.judge.authors() == ["judge:english-only"]


def test_judge_against_the_tiny_model_server_reports_its_non_json_replies(judged_store, tiny_server):
    out = judge_samples(judged_store, EndpointSettings(base_url=tiny_server.base_url, model="tiny", backoff_s=0),
                        settings=JudgeSettings(max_tokens=24))
    # the 2M-parameter model cannot write the JSON: every sample fails with a reason, none is half-stored
    assert out["judged"] + out["n_failed"] == 3
    assert all(("JSON" in f["error"] or "cut off" in f["error"] or "score" in f["error"] or "object" in f["error"]
                or "empty" in f["error"]) for f in out["failed"])
    assert len(judged_store.judge.list()) == out["judged"]
    job = judged_store.llm.jobs.get(out["job_id"])
    assert job["kind"] == "judge" and job["n_requests"] == 3 and job["completion_tokens"] > 0


def test_judge_on_an_empty_selection_says_so(store):
    with pytest.raises(UserError, match="no samples match"):
        judge_samples(store, endpoint("http://127.0.0.1:9/v1"))


# ---------------------------------------------------------------- calibration
def test_calibration_per_dimension_and_task_type_flags_the_untrusted(store, tmp_path):
    s = calibration_store(store, tmp_path)
    rep = calibration(s, settings=CalibrationSettings(replicates=200))
    assert rep["judge"] == "judge:m" and rep["n_samples"] == 36
    good, bad, few = (rep["by_task_type"][t] for t in ("good/x", "bad/x", "few/x"))
    assert good["trust"] == "trusted" and good["dimensions"]["overall"]["spearman"]["value"] > 0.9
    assert bad["trust"] == "untrusted" and "disagrees" in bad["reason"]
    assert bad["dimensions"]["accuracy"]["kappa"]["value"] < 0 and bad["dimensions"]["accuracy"]["spearman"]["value"] < 0
    assert few["trust"] == "unknown" and "only 4 shared samples" in few["reason"]
    acc = good["dimensions"]["accuracy"]
    assert acc["n"] == 16 and acc["kappa"]["ci"][0] is not None and acc["kappa"]["ci"][0] <= acc["kappa"]["value"]
    assert good["dimensions"]["difficulty"]["kappa"]["value"] == pytest.approx(1.0)  # 1/3/5 -> easy/medium/hard
    assert set(rep["overall"]) == {"accuracy", "completeness", "conciseness", "consistency", "difficulty", "overall"}
    assert rep["human_human"]["conciseness"]["n"] == 36  # ann vs bob on clarity, beside the judge's figure


def test_edited_samples_are_left_out_of_calibration(store, tmp_path):
    s = calibration_store(store, tmp_path)
    s.samples.update("goo00", {"messages": [{"role": "user", "content": "New question?"},
                                            {"role": "assistant", "content": "New answer."}]}, "ed")
    s.samples.update("goo02", {"status": "accepted"}, "ed")  # a status change keeps the content: still paired
    for sid in ("goo00", "goo02"):  # the judge scores both again at their new revision
        s.judge.add({"sample_id": sid, "sample_rev": 1, "author": "judge:m", "accuracy": 1, "completeness": 1,
                     "conciseness": 1, "consistency": 1, "difficulty": 1, "overall": 1.0, "rationales": {}})
    rep = calibration(s, settings=CalibrationSettings(replicates=50))
    assert rep["n_skipped_edited"] == 1 and rep["by_task_type"]["good/x"]["n"] == 15


def test_calibration_needs_a_judge(store):
    with pytest.raises(UserError, match="no judge has scored"):
        calibration(store)


def test_score_bins():
    assert [score_bin(v) for v in (1, 2, 2.5, 3, 3.4, 3.5, 5)] == [1, 1, 2, 2, 2, 3, 3]


def test_queue_orders_by_judge_score_worst_first(store, tmp_path):
    s = calibration_store(store, tmp_path)
    ids = build_queue(s, QueueSpec(filter=SampleFilter(task_type="good/x"), order="judge_worst"))
    scores = s.judge.latest_overall("judge:m", ids)
    assert [scores[i] for i in ids] == sorted(scores[i] for i in ids)
    assert ids[0] in ("goo00", "goo05", "goo10", "goo15")  # judge score 1


def test_accept_above_threshold_only_where_the_judge_is_trusted(store, tmp_path):
    s = calibration_store(store, tmp_path)
    create_profile(s, "lead", "lead")
    create_profile(s, "ann", "annotator")
    cal = CalibrationSettings(replicates=100)
    with pytest.raises(UserError, match="lead"):
        accept_above(s, "ann", 4, settings=cal)
    with pytest.raises(UserError, match=r"not trusted on bad/x \(untrusted\), few/x \(unknown\)"):
        accept_above(s, "lead", 4, task_types=["bad/x", "few/x"], settings=cal)
    dry = accept_above(s, "lead", 4, settings=cal, dry_run=True)
    assert dry["task_types"] == ["good/x"] and s.samples.count(SampleFilter(status=["accepted"])) == 0
    out = accept_above(s, "lead", 4, settings=cal)
    assert out["accepted"] == dry["accepted"] == 6  # i % 5 in (3, 4): judge 4 or 5 on 6 of the 16 good/x samples
    assert all(x.startswith("goo") for x in out["ids"]) and out["untrusted"] == {"bad/x": "untrusted",
                                                                                  "few/x": "unknown"}
    rev = s.revisions.list(out["ids"][0])[-1]
    assert rev["author"] == "lead" and rev["action"] == "judge-accept" and "judge:m overall" in rev["note"]
    with pytest.raises(UserError, match="between 1 and 5"):
        accept_above(s, "lead", 7, settings=cal)


# ---------------------------------------------------------------- CLI
def test_judge_cli_runs_calibrates_and_lists(judged_store, monkeypatch, capsys):
    from curation import cli
    from curation.cli import judge as judge_commands
    from tests.helpers import only_commands

    path = judged_store.path
    judged_store.close()
    only_commands(monkeypatch, judge_commands)

    def run(*argv):
        code = cli.main(["--db", str(path), *argv])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip().startswith("{") else out), err

    code, _, err = run("judge", "run", "--json")
    assert code == 2 and "no model named; pass --model" in err
    with ScriptedEndpoint(judgement_reply) as ep:
        code, out, err = run("judge", "run", "--base-url", ep.base_url, "--model", "scripted", "--task-type",
                             "reasoning", "--json")
    assert code == 0 and out["judged"] == 2 and out["judge"] == "judge:scripted"
    assert "judge: 2/2 (100%)" in err
    code, out, _ = run("judge", "scores", "--sample", "e1", "--json")
    assert out["count"] == 1 and out["scores"][0]["rationales"]["accuracy"] == "Correct sum."
    code, out, _ = run("judge", "calibrate", "--replicates", "50", "--json")
    assert code == 0 and out["n_samples"] == 0 and out["by_task_type"] == {}  # no human reviews yet
    code, _, err = run("judge", "accept", "--threshold", "4", "--task-type", "reasoning/math", "--json")
    assert code == 2 and "lead" in err
