"""Every path that reads stored conversations survives what an older store or a direct write may hold (issue 15):
a turn that is not an object, a turn with no role or an unknown role, content that is not text, a bare-string
tool call. Each odd sample is written straight into the store beside the valid tiny samples (bypassing import
validation, as an old store holds them); each path must skip or flag it with a reason, or export it in a defined
way, and must never crash or lose one of the valid samples."""
from __future__ import annotations

import json

import pytest

from curation.store import SampleFilter

VALID_IDS = {"t1", "t2", "t3", "t4", "t5"}

ODD = {
    "bare-string-turn": [{"role": "user", "content": "hello"}, "a bare string turn",
                         {"role": "assistant", "content": "an answer"}],
    "no-role": [{"content": "who am I?"}, {"role": "assistant", "content": "nobody knows"}],
    "unknown-role": [{"role": "human", "content": "which role am I?"}, {"role": "assistant", "content": "a user"}],
    "content-not-text": [{"role": "user", "content": {"not": "text"}}, {"role": "assistant", "content": ["a", 1]},
                         {"role": "user", "content": 42}, {"role": "assistant", "content": None}],
    "bare-string-tool-call": [{"role": "user", "content": "weather in Paris?"},
                              {"role": "assistant", "content": "", "tool_calls": ["get_weather(Paris)"]},
                              {"role": "tool", "content": "sunny"}, {"role": "assistant", "content": "It is sunny."}],
    "tool-calls-not-a-list": [{"role": "user", "content": "weather?"},
                              {"role": "assistant", "content": "", "tool_calls": {"function": "get_weather"}},
                              {"role": "assistant", "content": "sunny"}],
    "messages-not-a-list": {"role": "user", "content": "one turn, not a list"},
}


@pytest.fixture
def odd_store(loaded_store):
    """loaded_store plus one sample of each ODD kind, in dataset "legacy"."""
    base = loaded_store.samples.get("t1")
    rows = [{**base, "id": sid, "dataset": "legacy", "messages": msgs, "content_hash": f"legacy-{sid}",
             "parent_id": None, "task_l1": "reasoning", "task_l2": "math"} for sid, msgs in ODD.items()]
    assert loaded_store.samples.add_rows(rows) == len(ODD)
    return loaded_store


@pytest.mark.parametrize("sid, prompt, answer, turns, tools", [
    ("bare-string-turn", "hello", "an answer", 1, False),  # the bare string has no role: neither prompt nor answer
    ("no-role", "", "nobody knows", 0, False),
    ("unknown-role", "", "a user", 0, False),
    ("content-not-text", '{"not": "text"}\n42', '["a", 1]\n', 2, False),  # content that is not text: its JSON
    ("bare-string-tool-call", "weather in Paris?", "\nIt is sunny.", 1, True),
    ("tool-calls-not-a-list", "weather?", "\nsunny", 1, True),
    ("messages-not-a-list", "", "", 0, False),
])
def test_derived_fields_of_every_odd_sample(sid, prompt, answer, turns, tools):
    from curation.store.derived import derived_fields
    out = derived_fields({"messages": ODD[sid]})
    assert (out["prompt_chars"], out["answer_chars"]) == (len(prompt), len(answer))
    assert (out["n_turns"], out["has_tools"], out["has_system"]) == (turns, tools, False)


def test_stats_of_a_store_with_odd_samples(odd_store):
    from curation.stats import compute_stats
    odd_store.stats.prepare()
    report = compute_stats(odd_store)
    assert report["balance"]["total"] == len(VALID_IDS) + len(ODD)


@pytest.mark.parametrize("key", ["user", "assistant", "conversation"])
def test_dedup_keys_of_odd_samples(odd_store, key):
    from curation.dedup.keys import sample_key_text
    texts = {s["id"]: sample_key_text(s, key) for s in odd_store.samples.iter(SampleFilter())}
    assert VALID_IDS | set(ODD) <= set(texts)
    expected = {"user": ("hello", "get_weather(Paris)" not in texts["bare-string-tool-call"]),
                "assistant": ("an answer", "get_weather(Paris)()" in texts["bare-string-tool-call"]),
                "conversation": ("None: a bare string turn", "human: which role am I?" in texts["unknown-role"])}
    needle, ok = expected[key]
    assert needle in texts["bare-string-turn"] and ok and texts["messages-not-a-list"] == ""


def test_exact_dedup_over_odd_samples(odd_store):
    from curation.dedup.runs import run_dedup
    report = run_dedup(odd_store, "exact")
    assert report["counts"]["samples"] == len(VALID_IDS) + len(ODD)
    skipped = {r["id"]: r["reason"] for r in report["skipped"]}  # an odd sample with no user text: said why
    assert not set(skipped) & VALID_IDS and all(skipped.values()) and "messages-not-a-list" in skipped


def test_robustness_detection_over_odd_samples(odd_store):
    from curation.robustness.tagging import detect_into_store
    report = detect_into_store(odd_store)
    assert report["samples"] == len(VALID_IDS) + len(ODD)  # every sample checked, none stopped the run


def test_pre_flag_checks_over_odd_samples(odd_store):
    from curation.checks import run_checks
    report = run_checks(odd_store)
    assert report.samples == len(VALID_IDS) + len(ODD)
    malformed = {sid: [f["evidence"] for f in odd_store.flags.list(sid) if f["check_name"] == "malformed_turns"]
                 for sid in VALID_IDS | set(ODD)}
    assert all(malformed[sid] for sid in ODD) and not any(malformed[sid] for sid in VALID_IDS)
    assert malformed["bare-string-turn"] == ["turn 2: must be an object with role and content, got str"]
    assert malformed["unknown-role"] == ["turn 1: role 'human' is not one of system, user, assistant, tool"]
    assert "tool call 1 must be an object" in malformed["bare-string-tool-call"][0]



@pytest.mark.parametrize("fmt", ["messages", "sharegpt", "alpaca"])
def test_export_of_odd_samples(odd_store, tmp_path, fmt):
    from curation.export import ExportSettings, export_selection
    m = export_selection(odd_store, tmp_path / "out", SampleFilter(), ExportSettings(format=fmt, eval_fraction=0))
    skipped = {r["id"]: r["reason"] for r in m["skipped"]}
    unreadable = {"bare-string-turn", "no-role", "unknown-role", "content-not-text", "messages-not-a-list"}
    assert unreadable <= set(skipped) and all("cannot be read as a conversation" in skipped[i] for i in unreadable)
    assert "turn 2: must be an object" in skipped["bare-string-turn"]
    # every valid sample is written (alpaca cannot hold t4's tool turns, and says so)
    assert set(m["ids"]["train"]) >= VALID_IDS - ({"t4"} if fmt == "alpaca" else set())
    assert set(m["ids"]["train"]) | set(skipped) == VALID_IDS | set(ODD)
    out = tmp_path / "out" / ("train.jsonl" if fmt == "messages" else "train.json")
    text = out.read_text(encoding="utf-8")
    records = [json.loads(x) for x in text.splitlines()] if fmt == "messages" else json.loads(text)
    assert {r["id"] for r in records} == set(m["ids"]["train"])
    if fmt == "sharegpt":  # a malformed tool call of a readable conversation is written in a defined form
        call = next(r for r in records if r["id"] == "bare-string-tool-call")["conversations"][1]
        assert call == {"from": "function_call", "value": '{"name": "get_weather(Paris)", "arguments": ""}'}


def test_special_report_over_odd_samples(odd_store):
    from curation.special import ALL, rag_case_samples, special_report
    report = special_report(odd_store)
    assert report["samples"][ALL] == len(VALID_IDS) + len(ODD)
    agent = next(r for r in report["agent"] if r["task_type"] == ALL)
    assert agent["samples"] == 3  # t4 and the two odd samples that carry tool calls
    assert agent["flagged"] == 2  # the bare-string call and the call that is not a list name no declared tool
    assert isinstance(rag_case_samples(odd_store, SampleFilter(), "empty"), list)


UNREADABLE = {"bare-string-turn", "no-role", "unknown-role", "content-not-text", "messages-not-a-list"}


@pytest.mark.parametrize("name", ["self-instruct", "evol", "answers", "rewrite"])
def test_producers_leave_out_unreadable_samples_and_say_why(odd_store, name):
    """Stored samples are a producer's seeds, prompts or conversations to answer: what cannot be read as turns is
    left out with its reason, the readable ones (a malformed tool call included) are still used."""
    from curation.checks import run_checks
    from curation.producers import PRODUCERS
    from curation.producers.runner import RunInput
    base = odd_store.samples.get("t1")
    extra = {"refused": [{"role": "user", "content": "How do I boil an egg?"},
                         {"role": "assistant", "content": "I'm sorry, but I can't help with that."}],
             "rewrite-me": [{"role": "user", "content": "Describe cats in at least 20 words."},
                            {"role": "assistant", "content": "Cats are small furry animals that purr, hunt mice, "
                                                             "sleep a lot and like warm places."}]}
    assert odd_store.samples.add_rows([{**base, "id": sid, "messages": msgs, "content_hash": f"x-{sid}"}
                                       for sid, msgs in extra.items()]) == 2
    producer = PRODUCERS.build([name])[0]
    run = RunInput(task_type=base["task_type"], count=None if name != "self-instruct" else 2)
    context = {"store": odd_store, "run": run, "author": "t"}
    run_checks(odd_store)
    inputs = producer.select(odd_store, context)
    ids = {s["id"] for s in inputs}
    assert not ids & UNREADABLE
    assert {"self-instruct": "t1", "evol": "t1", "answers": "refused", "rewrite": "rewrite-me"}[name] in ids
    skipped = {x["id"]: x["reason"] for x in context.get("skipped", [])}
    assert skipped and set(skipped) <= UNREADABLE and all(skipped.values())
    reqs = producer.requests(inputs, context)
    producer.local(inputs, context)
    assert all(isinstance(m["content"], str) for r in reqs for m in r.messages)


def test_form_diversity_collects_around_odd_samples(odd_store):
    from curation.form_diversity import FormSettings, collect
    pools = collect(odd_store.samples.iter(SampleFilter()), FormSettings())
    assert sum(len(v) for v in pools.systems.values()) == 1  # t2's system prompt; no odd turn read as one


def test_find_replace_around_odd_samples(odd_store):
    from curation.replace import ReplaceSettings, preview
    report = preview(odd_store, SampleFilter(), ReplaceSettings(find="a"), all_samples=True)
    assert report["selected"] == len(VALID_IDS) + len(ODD)
    refused = {r["id"]: r["reason"] for r in report["refused"]}  # an edit never makes an odd sample "valid" by luck
    assert "turn 2: must be an object" in refused["bare-string-turn"] and not set(refused) & VALID_IDS


def test_decontamination_reads_odd_samples(odd_store, tmp_path):
    from curation.decontam import decontaminate
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"id": "b1", "prompt": "weather in Paris?"}) + "\n", encoding="utf-8")
    report = decontaminate(odd_store, bench, record=False)
    assert report["counts"]["samples"] == len(VALID_IDS) + len(ODD)
    assert {m["sample_id"] for c in report["contaminated"] for m in c["matches"]} == {"bare-string-tool-call"}
