"""Producers (issue 17.3): Self-Instruct, Evol-Instruct, answers and prompt rewrite, over real HTTP.

Against `curation serve` on the tiny preset (fixture `tiny_server`) every producer runs end to end; the tiny model's
replies are noise, so those tests check what must hold whatever it says: every reply is stored or rejected with a
rule and a reason, provenance, dedup, the run log, nothing half-written. Where a test needs a particular reply (a
leaked template, a refusal, bad JSON, a reply in the wrong language) it comes from a scripted HTTP endpoint
(tests/llm_support.py), still over real HTTP through the real client. A slow test runs smollm2-135m for a positive
path."""
from __future__ import annotations

import json

import pytest

from curation import constraints as cons
from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.llm import EndpointSettings
from curation.producers import PRODUCERS
from curation.producers import elimination as elim
from curation.producers.answers import read_prompts
from curation.producers.novelty import near_copies
from curation.producers.parsing import json_problem, language_problem, numbered_items, split_reasoning
from curation.producers.rewrite import accept, reject
from curation.producers.runner import RunInput, produce, sample_id
from curation.store import SampleFilter
from tests.helpers import write_jsonl
from tests.llm_support import ScriptedEndpoint, completion, free_port

POEMS = [f"Write a short poem about {topic} at dawn" for topic in
         ("the sea", "a mountain lake", "city rooftops", "a wheat field", "falling snow")]


def _load(store, tmp_path, records, dataset="demo"):
    ingest(store, [write_jsonl(tmp_path / f"{dataset}.jsonl", records)], IngestSettings(dataset=dataset))


def _poetry(store, tmp_path, n=5):
    _load(store, tmp_path, [{"task_type": "creative/poetry", "messages": [
        {"role": "user", "content": p}, {"role": "assistant", "content": "Light on the water, a gull, the day."}]}
        for p in POEMS[:n]])


def _target(store, count: int) -> None:
    from curation.taxonomy import add_type
    add_type(store, "creative/poetry")
    store.taxonomy.set_target("creative", "poetry", count=count)


def _tiny(server, **kw) -> EndpointSettings:
    return EndpointSettings(base_url=server.base_url, model="tiny", backoff_s=0, **kw)


def _scripted(ep, **kw) -> EndpointSettings:
    return EndpointSettings(base_url=ep.base_url, model="scripted", backoff_s=0, max_retries=0, **kw)


def _settings(name, **kw):
    return PRODUCERS.make_settings(name, **kw)


def _snapshot(store) -> tuple:
    return (store.samples.count(), len(store.generation.runs.list()), store.revision())


def _assert_stored_with_provenance(store, report, method, endpoint):
    """Every inserted sample is valid, pending, tagged, and its revision 1 holds the provenance."""
    for sid in report["inserted"]:
        s = store.samples.get(sid)
        assert s["status"] == "pending" and f"generated:{method}" in s["tags"] and s["rev"] == 1
        (first,) = store.revisions.list(sid)
        prov = first["after"]["provenance"]
        assert first["action"] == "generate" and first["rev"] == 1
        assert prov["method"] == method and prov["model"] == endpoint.model and prov["run_id"] == report["run_id"]
        assert prov["endpoint"] == endpoint.base_url and prov["template"] and prov["answer_response_id"]
        assert prov["settings"] == report["settings"] and prov["parent_ids"] and prov["response_id"]
        assert sid == sample_id(method, s["messages"])


# ---------------------------------------------------------------- the registry
def test_the_registry_holds_the_four_producers_with_documented_settings():
    assert PRODUCERS.names() == ["self-instruct", "evol", "answers", "rewrite"]
    assert PRODUCERS.get_step("evol").Settings().direction == "both"
    with pytest.raises(UserError, match="unknown producer .magic.; choose from self-instruct, evol, answers, rewrite"):
        PRODUCERS.get_step("magic")


# ---------------------------------------------------------------- parsing and rules (no endpoint)
def test_numbered_lists_reasoning_json_and_language_are_read_or_explained():
    assert numbered_items("Here you go:\n1. Write a sonnet\n   about rain.\n2) Prompt: Sort a list\n三、写一首诗") == [
        "Write a sonnet about rain.", "Sort a list", "写一首诗"]
    assert numbered_items("no list here") == []
    assert split_reasoning("<reasoning>2+3 is 5</reasoning>\nThe answer is 5.") == ("2+3 is 5", "The answer is 5.",
                                                                                      None)
    assert "never closed" in split_reasoning("<think>and so on")[2]
    assert "no <reasoning> block" in split_reasoning("just an answer")[2]
    assert "no final answer" in split_reasoning("<reasoning>x</reasoning>")[2]
    assert json_problem('```json\n{"a": 1}\n```') is None and json_problem('[1, 2]') is None
    assert json_problem("{'a': 1}").startswith("not valid JSON")
    assert language_problem("这是中文 with a term", "zh") is None
    assert language_problem("This is English.", "zh") == "the reply is in English, but Chinese was asked for"
    assert language_problem("这是中文的回答。", "en") == "the reply is in Chinese, but English was asked for"
    assert language_problem("2 + 3 = 5.", "en") is None  # too few letters to tell


def test_each_elimination_rule_rejects_its_failure_and_passes_a_good_evolution():
    s = elim.EliminationSettings()
    original = "Explain photosynthesis."
    good = "Explain photosynthesis in C4 plants and compare the Calvin cycle with CAM, in under 200 words."
    assert elim.prompt_reasons(original, good, s) is None
    assert elim.answer_reasons("C4 plants fix CO2 into four-carbon acids first; " * 5, s) is None
    assert elim.prompt_reasons(original, "Explain photosynthesis!", s)[0] == "no_information_gain"
    assert elim.prompt_reasons(original, "Please explain the photosynthesis.", s)[0] == "no_information_gain"
    assert elim.prompt_reasons(original, "#Rewritten Prompt#: Explain photosynthesis in C4 plants", s)[0] == \
        "template_leak"
    assert elim.prompt_reasons(original, "Rewrite the given prompt about leaves and light", s)[0] == "template_leak"
    assert elim.prompt_reasons("解释光合作用。", "根据给定提示，解释植物的光合作用和呼吸作用的区别", s)[0] == "template_leak"
    assert elim.prompt_reasons(original, "?!…", s)[0] == "stop_words"
    assert elim.answer_reasons("the and of it", s)[0] == "stop_words"
    assert elim.answer_reasons("Sorry, I cannot help with that request.", s)[0] == "refusal"
    assert elim.answer_reasons("抱歉，这个问题太复杂了。", s)[0] == "refusal"
    long_sorry = "Sorry for the wait! " + "Here is the full derivation step by step. " * 20
    assert elim.answer_reasons(long_sorry, s) is None  # WizardLM's rule: "sorry" only in a short answer


def test_near_copies_of_references_and_of_earlier_candidates():
    refs = ["Write a short poem about the sea at dawn", "Sort a list in Python"]
    cands = ["write a short poem about the sea at dawn!", "Explain how tides work to a child",
             "Explain how tides work to a child.", "Describe the smell of rain"]
    copies = near_copies(cands, refs, 0.7)
    assert copies[0][:2] == ("reference", 0) and copies[2][:2] == ("candidate", 1)
    assert 1 not in copies and 3 not in copies


def test_the_rewrite_finds_each_figure_as_written_and_the_figure_that_holds():
    from curation.producers.rewrite import figure_span, instruction_constraints, matching_figure
    prompt = "Write an essay of at least 200 words about cats."
    ((c, span),) = instruction_constraints(prompt)
    assert (c.kind, c.op, c.value, c.unit) == ("length", ">=", 200, "words") and prompt[slice(*span)] == "200"
    assert cons.verify(c, "word " * 189) == (False, 189) and matching_figure(c, 189, 10) == 180
    zh = "写一篇不少于两百字的短文"
    ((z, zspan),) = instruction_constraints(zh)
    assert (z.op, z.value, z.unit) == (">=", 200, "chars") and zh[slice(*zspan)] == "两百"
    (most,) = cons.extract_constraints("用300字以内介绍")
    assert matching_figure(most, 312, 10) == 320 and matching_figure(most, 312, 1) == 312
    # a figure in a pasted article (a middle paragraph) is no constraint on the answer
    article = "Summarize the article below.\n\nThe team scored at least 150 points.\n\nAnswer in at most 50 words."
    assert [x.value for x, _ in instruction_constraints(article)] == [50]
    assert figure_span("no such text", most) is None


# ---------------------------------------------------------------- bad input before any request
def test_bad_input_is_refused_before_any_request(store, tmp_path):
    ep = EndpointSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="x", backoff_s=0)
    with pytest.raises(UserError, match="seed pool of reasoning/math is empty"):
        produce(store, "self-instruct", ep, run=RunInput(task_type="reasoning/math", count=3))
    _poetry(store, tmp_path)
    with pytest.raises(UserError, match="creative/poetry has no target.*pass --count"):
        produce(store, "self-instruct", ep, run=RunInput(task_type="creative/poetry"))
    _target(store, 5)
    with pytest.raises(UserError, match=r"already meets its target \(5 samples, target 5\); pass --count"):
        produce(store, "self-instruct", ep, run=RunInput(task_type="creative/poetry"))
    with pytest.raises(UserError, match="needs a model: pass --base-url and --model"):
        produce(store, "evol", None)
    with pytest.raises(UserError, match="Self-Instruct fills one task_type: pass --task-type"):
        produce(store, "self-instruct", ep)
    with pytest.raises(UserError, match="nothing to answer: no sample of the selection has a current refusal"):
        produce(store, "answers", ep)
    with pytest.raises(UserError, match="no prompts to answer: pass --prompts"):
        produce(store, "answers", ep, _settings("answers", source="prompts"))
    with pytest.raises(UserError, match="prompts were given but the source is flagged: pass --source prompts"):
        produce(store, "answers", ep, run=RunInput(prompts=["What is 2 + 3?"]))
    assert len(store.generation.runs.list()) == 0


def test_prompt_files_are_read_and_every_bad_line_is_named(tmp_path):
    (tmp_path / "p.txt").write_text("What is 2 + 3?\n\n  Name a colour.  \n", encoding="utf-8")
    assert read_prompts(str(tmp_path / "p.txt")) == ["What is 2 + 3?", "Name a colour."]
    write_jsonl(tmp_path / "p.jsonl", [{"prompt": "a"}, {"instruction": "Translate", "input": "你好"},
                                       {"messages": [{"role": "user", "content": "hi"}]}])
    assert read_prompts(str(tmp_path / "p.jsonl")) == ["a", "Translate\n\n你好", "hi"]
    write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "a"}, "{not json", {"output": "x"}])
    with pytest.raises(UserError, match="bad.jsonl line 2: not valid JSON"):
        read_prompts(str(tmp_path / "bad.jsonl"))
    with pytest.raises(UserError, match="does not exist"):
        read_prompts(str(tmp_path / "missing.txt"))


# ---------------------------------------------------------------- over HTTP: the tiny model
def test_every_producer_runs_against_curation_serve_and_accounts_for_every_reply(tiny_server, store, tmp_path):
    _poetry(store, tmp_path)
    ep = _tiny(tiny_server)
    before = store.samples.count()
    si = produce(store, "self-instruct", ep, _settings("self-instruct", prompts_per_request=2, max_tokens=32,
                                                          answer_max_tokens=16, temperature=0.0),
                 RunInput(task_type="creative/poetry", count=1), author="tester")
    assert si["requests"] >= 1 and si["prompt_tokens"] > 0 and si["run_id"] is not None
    evol = produce(store, "evol", ep, _settings("evol", max_tokens=32, answer_max_tokens=16, temperature=0.0,
                                                answer_temperature=0.0),
                   RunInput(filter=SampleFilter(task_type="creative/poetry"), count=2), author="tester")
    prompts = ["What is 2 + 3?", "Name a colour of the sky."]
    ans = produce(store, "answers", ep, _settings("answers", source="prompts", answer_max_tokens=16,
                                                  answer_temperature=0.0),
                  RunInput(prompts=prompts, task_type="qa/factual"), author="tester")
    # every prompt given is either a stored sample or a rejection with a rule and a reason
    assert len(ans["inserted"]) + sum(ans["rejected"].values()) == len(prompts)
    assert ans["inserted"], "the tiny model answered none of two plain English prompts"
    for report, method in ((si, "self-instruct"), (evol, "evol"), (ans, "answers")):
        stored = store.generation.rejections(report["run_id"])
        assert len(stored) == sum(report["rejected"].values())
        assert all(r["rule"] and r["reason"] and r["producer"] == method for r in stored)
        run = store.generation.runs.get(report["run_id"])
        assert run["model"] == "tiny" and run["n_inserted"] == len(report["inserted"]) and "key" not in str(run)
        if method != "answers":
            _assert_stored_with_provenance(store, report, method, ep)
    for sid in ans["inserted"]:
        s = store.samples.get(sid)
        assert s["task_type"] == "qa/factual" and s["messages"][0]["content"] in prompts and s["dataset"] == "generated"
    assert store.samples.count() == before + len(si["inserted"]) + len(evol["inserted"]) + len(ans["inserted"])


def test_a_rerun_costs_nothing_and_adds_nothing(tiny_server, store, tmp_path):
    _poetry(store, tmp_path, 2)
    ep = _tiny(tiny_server)
    settings = _settings("answers", source="prompts", answer_max_tokens=16, answer_temperature=0.0)
    run = RunInput(prompts=["What is 2 + 3?", "Name a colour of the sky."])
    first = produce(store, "answers", ep, settings, run)
    n = store.samples.count()
    again = produce(store, "answers", ep, settings, run)
    # what the first run stored is now a duplicate of the store; what it rejected is asked again, from the cache
    assert again["rejected"].get("duplicate", 0) == len(first["inserted"])
    assert again["cached"] == again["requests"] == first["requests"] - len(first["inserted"])
    assert again["prompt_tokens"] == again["cost"] == 0
    assert again["inserted"] == [] and store.samples.count() == n


def test_prompts_that_repeat_the_store_are_dropped_before_they_are_answered(tiny_server, store, tmp_path):
    _poetry(store, tmp_path)
    prompts = [POEMS[0], POEMS[1].upper() + "!", "Write a short poem about the sea at dawn, please",
               "Describe a thunderstorm to a child"]
    r = produce(store, "answers", _tiny(tiny_server), _settings("answers", source="prompts", answer_max_tokens=16),
                RunInput(prompts=prompts))
    assert r["requests"] == 1 and r["rejected"]["duplicate"] == 3  # an exact repeat and two near copies
    reasons = [x["reason"] for x in store.generation.rejections(r["run_id"], "duplicate")]
    assert sum("repeats stored sample" in x for x in reasons) == 1 and sum("near copy" in x for x in reasons) == 2


def test_an_endpoint_that_cannot_be_used_stops_the_run_and_writes_nothing(store, tmp_path):
    _poetry(store, tmp_path)
    snap = _snapshot(store)
    run = RunInput(filter=SampleFilter(task_type="creative/poetry"))
    dead = EndpointSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="x", backoff_s=0, max_retries=0)
    with pytest.raises(UserError, match="cannot reach"):
        produce(store, "evol", dead, run=run)
    for status, pattern in ((401, "refused the API key"), (404, "not served|answered 404")):
        with ScriptedEndpoint(lambda body, s=status: (s, {}, {"error": {"message": "no"}}), models=()) as ep:
            with pytest.raises(UserError, match=pattern):
                produce(store, "evol", _scripted(ep), run=run)
    assert _snapshot(store)[:2] == snap[:2]


# ---------------------------------------------------------------- over HTTP: scripted replies
def _evol_script(body):
    prompt = body["messages"][-1]["content"]
    if "#Given Prompt#" in prompt:
        given = prompt.split("#Given Prompt#:\n")[1].strip()
        topic = given.split("about ")[1].split(" at dawn")[0]
        replies = {"the sea": "#Rewritten Prompt#: Write a sonnet about the sea at dawn with three metaphors",
                   "a mountain lake": given + "!",
                   "city rooftops": "Write a haiku about city rooftops at dawn, seen by a pigeon, in 5-7-5 syllables",
                   "a wheat field": "Write a villanelle about a wheat field at dawn that rhymes harvest with rest",
                   "falling snow": "…?!"}
        return 200, {}, completion(replies[topic])
    if "wheat" in prompt:
        return 200, {}, completion("Sorry, I can't write that.")
    return 200, {}, completion("Gray pigeons rise slow / tar roofs steam under first light / the city yawns wide")


def test_evol_instruct_eliminates_each_failed_evolution_with_its_reason(store, tmp_path):
    _poetry(store, tmp_path)
    with ScriptedEndpoint(_evol_script) as ep:
        endpoint = _scripted(ep)
        r = produce(store, "evol", endpoint, _settings("evol", direction="depth"),
                    RunInput(filter=SampleFilter(task_type="creative/poetry")), author="tester")
    assert r["rejected"] == {"template_leak": 1, "no_information_gain": 1, "stop_words": 1, "refusal": 1}
    (sid,) = r["inserted"]
    s = store.samples.get(sid)
    assert "pigeon" in s["messages"][0]["content"] and s["task_type"] == "creative/poetry"
    assert s["parent_id"] == store.samples.list(SampleFilter(search="city rooftops", tag=None))[0]["id"]
    _assert_stored_with_provenance(store, r, "evol", endpoint)
    prov = store.revisions.list(sid)[0]["after"]["provenance"]
    assert prov["template"].startswith("evol/") and prov["evolution"] in ("constraints", "deepen", "concretize",
                                                                         "reasoning")
    by_rule = {x["rule"]: x for x in store.generation.rejections(r["run_id"])}
    assert "«#Rewritten Prompt#»" in by_rule["template_leak"]["reason"]
    assert by_rule["refusal"]["text"].startswith("Sorry")


def _si_script(body):
    prompt = body["messages"][-1]["content"]
    if "numbered list" in prompt:
        seed = body.get("seed", 0)
        return 200, {}, completion(f"1. {POEMS[0]}\n2. Compose a limerick about a cat who loves jazz\n"
                                   f"3. Compose a limerick about a cat who loves jazz music\n"
                                   f"4. Write a free-verse poem on the colour of silence, request {seed}\n"
                                   "5. 写一首关于秋天的诗")
    return 200, {}, completion("A poem: " + prompt[:40])


def test_self_instruct_drops_copies_of_seeds_and_of_each_other_and_stops_at_the_count(store, tmp_path):
    _poetry(store, tmp_path)
    _target(store, 7)
    with ScriptedEndpoint(_si_script) as ep:
        endpoint = _scripted(ep)
        r = produce(store, "self-instruct", endpoint, _settings("self-instruct", prompts_per_request=5),
                    RunInput(task_type="creative/poetry"), author="tester")
        shown = [q["body"]["messages"][0]["content"] for q in ep.requests if "numbered list" in
                 q["body"]["messages"][0]["content"]]
    assert len(shown) == 1  # missing 2, x overgenerate 2 / 5 per request -> one request
    assert len(r["inserted"]) == 2 and r["surplus"] == 0
    assert r["rejected"]["near_copy"] == 2 and r["rejected"]["wrong_language"] == 1
    _assert_stored_with_provenance(store, r, "self-instruct", endpoint)
    texts = sorted(store.samples.get(i)["messages"][0]["content"] for i in r["inserted"])
    assert texts[0].startswith("Compose a limerick") and texts[1].startswith("Write a free-verse poem")
    with ScriptedEndpoint(_si_script) as ep:  # the gap is filled now
        with pytest.raises(UserError, match="already meets its target"):
            produce(store, "self-instruct", _scripted(ep), run=RunInput(task_type="creative/poetry"))


def test_self_instruct_shows_varied_seeds_across_requests(store, tmp_path):
    _poetry(store, tmp_path)
    with ScriptedEndpoint(_si_script) as ep:
        produce(store, "self-instruct", _scripted(ep), _settings("self-instruct", seeds_per_request=2,
                                                                    prompts_per_request=1, overgenerate=1.0),
                RunInput(task_type="creative/poetry", count=4), dry_run=True)
        shown = [q["body"]["messages"][0]["content"] for q in ep.requests if "numbered list" in
                 q["body"]["messages"][0]["content"]]
    assert len(shown) == 4 and len(set(shown)) > 1


def _answer_script(body):
    prompt = body["messages"][-1]["content"]
    system = body["messages"][0]["content"] if body["messages"][0]["role"] == "system" else ""
    if "JSON" in prompt:
        return 200, {}, completion("Paris is the capital.")
    if "中文" in prompt:
        return 200, {}, completion("The answer is five.")
    if "<reasoning>" in system:
        return 200, {}, completion("<reasoning>2 + 3: count on from 2, three steps: 3, 4, 5.</reasoning>\n2 + 3 = 5.")
    return 200, {}, completion("Five.")


def test_answers_replace_flagged_answers_with_reasoning_kept_apart_and_bad_json_quarantined(store, tmp_path):
    _load(store, tmp_path, [
        {"task_type": "reasoning/math", "messages": [{"role": "user", "content": "What is 2 + 3?"},
                                                     {"role": "assistant", "content": "Sorry, I can't help."}]},
        {"task_type": "qa/factual", "messages": [{"role": "user", "content": "Reply in JSON: the capital of France"},
                                                 {"role": "assistant", "content": "I cannot answer that."}]},
        {"task_type": "qa/factual", "messages": [{"role": "user", "content": "用中文回答：二加三等于几？"},
                                                 {"role": "assistant", "content": "抱歉，我无法回答。"}]},
        {"task_type": "qa/factual", "messages": [{"role": "user", "content": "Name a colour."},
                                                 {"role": "assistant", "content": "Blue."}]}])
    math_id, json_id, zh_id, ok_id = [store.samples.list(SampleFilter(search=text))[0]["id"]
                                      for text in ("2 + 3", "Reply in JSON", "二加三", "Name a colour")]
    assert set(store.flags.sample_ids(["refusal"])) == {math_id, json_id, zh_id}
    with ScriptedEndpoint(_answer_script) as ep:
        r = produce(store, "answers", _scripted(ep), _settings("answers", chain_of_thought=True), author="lead")
    assert r["answered"] == [math_id] and r["quarantined"] == 0 and r["rejected"] == {"malformed": 2}
    s = store.samples.get(math_id)
    assert s["messages"][-1] == {"role": "assistant", "content": "2 + 3 = 5.",
                                 "reasoning": "2 + 3: count on from 2, three steps: 3, 4, 5."}
    assert s["status"] == "pending" and "generated:answers" in s["tags"]
    last = store.revisions.list(math_id)[-1]
    assert last["action"] == "generate" and last["before"]["messages"][-1]["content"] == "Sorry, I can't help."
    assert json.loads(last["note"])["provenance"]["answer_template"] == "answer/cot/v1"
    assert store.revisions.sample_at(math_id, 0)["messages"][-1]["content"] == "Sorry, I can't help."
    # without chain of thought the JSON answer fails its format check and the Chinese one its language
    with ScriptedEndpoint(_answer_script) as ep:
        r2 = produce(store, "answers", _scripted(ep), author="lead")
    assert r2["answered"] == [] and r2["quarantined"] == 1 and r2["rejected"] == {"wrong_language": 1}
    (q, *_) = store.quarantine.list()
    assert "asks for JSON but the answer is not valid JSON" in q["reason"] and json.loads(q["raw"])["target_id"] == json_id
    assert store.samples.get(json_id)["messages"][-1]["content"] == "I cannot answer that."  # untouched
    assert store.samples.get(ok_id)["rev"] == 0


def test_a_failure_while_writing_leaves_no_half_written_sample(store, tmp_path, monkeypatch):
    _poetry(store, tmp_path)
    snap = _snapshot(store)

    def broken(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(type(store.generation), "_add_rejections", broken)
    with ScriptedEndpoint(_evol_script) as ep, pytest.raises(RuntimeError, match="disk full"):
        produce(store, "evol", _scripted(ep), _settings("evol", direction="depth"),
                RunInput(filter=SampleFilter(task_type="creative/poetry")))
    assert _snapshot(store) == snap  # the new sample, its revision and the run were rolled back together
    assert store.samples.list(SampleFilter(tag="generated:evol")) == []


def test_malformed_replies_are_rejections_not_crashes(store, tmp_path):
    _poetry(store, tmp_path, 2)
    with ScriptedEndpoint(lambda body: (200, {}, "not json at all")) as ep:
        r = produce(store, "evol", _scripted(ep), run=RunInput(filter=SampleFilter(task_type="creative/poetry")))
    assert r["rejected"] == {"malformed": 2} and r["inserted"] == []
    assert "not JSON" in store.generation.rejections(r["run_id"])[0]["reason"]


def test_a_rate_limit_that_outlasts_the_retries_rejects_that_request_only(store, tmp_path):
    _poetry(store, tmp_path, 2)

    def script(body):
        if "mountain lake" in body["messages"][-1]["content"]:
            return 429, {"Retry-After": "0"}, {"error": {"message": "slow down"}}
        return _evol_script(body)
    with ScriptedEndpoint(script) as ep:
        r = produce(store, "evol", _scripted(ep), _settings("evol", direction="depth"),
                    RunInput(filter=SampleFilter(task_type="creative/poetry")))
    assert r["rejected"] == {"template_leak": 1, "request_failed": 1} and r["run_id"] is not None
    (failed,) = store.generation.rejections(r["run_id"], "request_failed")
    assert "rate-limiting (429)" in failed["reason"] and "lower the concurrency" in failed["reason"]


# ---------------------------------------------------------------- prompt rewrite
def test_rewrite_suggests_the_answers_figure_and_a_reviewer_decides(store, tmp_path):
    _load(store, tmp_path, [
        {"task_type": "writing/essay", "messages": [{"role": "user", "content": "Write at least 200 words on tea."},
                                                    {"role": "assistant", "content": "tea " * 189}]},
        {"task_type": "writing/essay", "messages": [{"role": "user", "content": "写一篇不少于200字的短文。"},
                                                    {"role": "assistant", "content": "茶" * 150}]},
        {"task_type": "writing/essay", "messages": [{"role": "user", "content": "Write at least 5 words."},
                                                    {"role": "assistant", "content": "one two three four five six"}]}])
    r = produce(store, "rewrite", author="tester")  # rule mode: no endpoint needed
    assert sorted(s["after"] for s in r["suggestions"]) == ["Write at least 180 words on tea.", "写一篇不少于150字的短文。"]
    en, zh = sorted(store.generation.suggestions(), key=lambda s: s["after"])
    assert en["evidence"]["actual"] == 189 and en["reason"].startswith("the answer has 189 words")
    tea = store.samples.get(en["sample_id"])
    assert tea["messages"][0]["content"] == "Write at least 200 words on tea."  # a suggestion, not an overwrite
    done = accept(store, en["id"], "lead")
    assert store.samples.get(en["sample_id"])["messages"][0]["content"] == "Write at least 180 words on tea."
    assert store.revisions.list(en["sample_id"])[-1]["action"] == "rewrite" and done["rev"] == 1
    with pytest.raises(UserError, match="is accepted, not open"):
        accept(store, en["id"], "lead")
    store.samples.update(zh["sample_id"], {"messages": [{"role": "user", "content": "写一篇短文。"},
                                                        {"role": "assistant", "content": "茶" * 150}]}, "lead")
    with pytest.raises(UserError, match="changed since suggestion"):
        accept(store, zh["id"], "lead")
    reject(store, zh["id"], "lead")
    assert store.generation.suggestions() == []


def test_rewrite_in_llm_mode_keeps_only_a_rewrite_that_now_holds(store, tmp_path):
    _load(store, tmp_path, [
        {"task_type": "writing/essay", "messages": [{"role": "user", "content": "Write at least 200 words on tea."},
                                                    {"role": "assistant", "content": "tea " * 189}]},
        {"task_type": "writing/essay", "messages": [{"role": "user", "content": "Write at least 100 words on tea."},
                                                    {"role": "assistant", "content": "tea " * 60}]}])

    def script(body):
        prompt = body["messages"][-1]["content"]
        if "200" in prompt.split("\n\n")[-1]:
            return 200, {}, completion("Write at least 180 words on tea.")
        return 200, {}, completion("Write at least 100 words on green tea from Hangzhou and its history.")
    with ScriptedEndpoint(script) as ep:
        r = produce(store, "rewrite", _scripted(ep), _settings("rewrite", mode="llm"))
    assert [s["after"] for s in r["suggestions"]] == ["Write at least 180 words on tea."]
    assert r["rejected"] == {"malformed": 1}


# ---------------------------------------------------------------- CLI
def test_the_cli_runs_a_producer_and_lists_its_results(store, tmp_path, capsys):
    from curation.cli import main
    _load(store, tmp_path, [{"task_type": "writing/essay", "messages": [
        {"role": "user", "content": "Write at least 200 words on tea."}, {"role": "assistant", "content": "tea " * 189}]}])
    db = str(store.path)
    store.close()
    assert main(["--db", db, "--json", "generate", "rewrite", "--round-to", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["suggestions"][0]["after"] == "Write at least 189 words on tea." and out["settings"]["round_to"] == 1
    assert main(["--db", db, "--json", "generate", "suggestions"]) == 0
    (s,) = json.loads(capsys.readouterr().out)["suggestions"]
    assert main(["--db", db, "--json", "generate", "accept", str(s["id"])]) == 0
    assert json.loads(capsys.readouterr().out)["suggestions"][0]["state"] == "accepted"
    assert main(["--db", db, "--json", "generate", "runs"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["producer"] == "rewrite"
    assert main(["--db", db, "generate", "self-instruct", "--task-type", "writing/essay"]) == 2
    assert "no model named; pass --model" in capsys.readouterr().err
    dead = f"http://127.0.0.1:{free_port()}/v1"
    assert main(["--db", db, "generate", "evol", "--base-url", dead, "--model", "x", "--max-retries", "0"]) == 2
    assert "cannot reach" in capsys.readouterr().err


# ---------------------------------------------------------------- a real chat model
@pytest.mark.slow
def test_smollm2_answers_a_prompt_and_evolves_one_over_http(store, tmp_path):
    from training.serve import ChatModel, ServeSettings, start_server
    server = start_server(ServeSettings(base_model="smollm2-135m", port=0),
                          model=ChatModel("smollm2-135m", device="cpu"), log=lambda msg: None)
    server.start()
    try:  # a long timeout and no retries: a slow CPU fails once, clearly, instead of six times
        ep = EndpointSettings(base_url=server.base_url, model="smollm2-135m", timeout_s=900, max_retries=0,
                              backoff_s=0)
        r = produce(store, "answers", ep, _settings("answers", source="prompts", answer_max_tokens=48,
                                                    answer_temperature=0.0),
                    RunInput(prompts=["What is the capital of France?"], task_type="qa/factual"))
        (sid,) = r["inserted"]
        assert "paris" in store.samples.get(sid)["messages"][-1]["content"].lower()
        _poetry(store, tmp_path, 1)
        evolved = produce(store, "evol", ep, _settings("evol", direction="depth", max_tokens=64, answer_max_tokens=48,
                                                       temperature=0.0, answer_temperature=0.0),
                          RunInput(filter=SampleFilter(task_type="creative/poetry")))
        assert len(evolved["inserted"]) + sum(evolved["rejected"].values()) == 1
        _assert_stored_with_provenance(store, evolved, "evol", ep)
    finally:
        server.stop()
