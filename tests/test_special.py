"""Special data checks (agent calls, RAG cases, long context) and the per-task_type report."""
from __future__ import annotations

import copy
import json

import pytest

from curation.checks import CHECKS, run_checks
from curation.checks.agent import AgentCallCheck, profile
from curation.checks.long_context import LongContextCheck, LongContextSettings, position
from curation.checks.rag import RagCheck, RagSettings, detect_cases
from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.special import SpecialSettings, analyse, confirm_rag_case, rag_case_samples, special_report
from curation.store import SampleFilter
from tests.helpers import write_jsonl

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city"]}}}


def call(name: str, args, cid: str = "call_0") -> dict:
    return {"id": cid, "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}


def agent_sample(args=None, name="get_weather", result='{"temp": 3, "condition": "sunny", "city": "Paris"}',
                 answer="It is 3 degrees and sunny in Paris.", tools=(WEATHER,), result_id="call_0") -> dict:
    return {"task_type": "agent/function call", "tools": list(tools), "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [call(name, {"city": "Paris"} if args is None else args)]},
        {"role": "tool", "tool_call_id": result_id, "content": result},
        {"role": "assistant", "content": answer}]}


def reasons(check, sample) -> list[str]:
    return [f.reason for f in check.find(sample, {})]


# ---------------------------------------------------------------- agent calls
def test_a_correct_call_raises_nothing():
    assert reasons(AgentCallCheck(), agent_sample()) == []


def test_arguments_are_validated_against_the_declared_schema():
    got = reasons(AgentCallCheck(), agent_sample(args={"unit": "kelvin"}))
    assert got == ["arguments of 'get_weather' do not match its schema: 'kelvin' is not one of ['c', 'f'] (+1 more)"] \
        or got == ["arguments of 'get_weather' do not match its schema: 'city' is a required property (+1 more)"]
    assert reasons(AgentCallCheck(), agent_sample(args="{city: Paris")) == ["arguments of 'get_weather' are not JSON"]


def test_undeclared_tools_id_mismatches_and_orphan_results_are_flagged():
    assert reasons(AgentCallCheck(), agent_sample(name="book_flight")) == ["call to undeclared tool 'book_flight'"]
    got = reasons(AgentCallCheck(), agent_sample(result_id="call_9"))
    assert got == ["tool result id 'call_9' matches no call of the turn before", "call to 'get_weather' never gets "
                                                                                 "a tool result"]
    orphan = agent_sample()
    orphan["messages"][1] = {"role": "assistant", "content": "AI 调用天气: {\"city\": \"Paris\"}"}  # a call as text
    assert reasons(AgentCallCheck(), orphan)[0] == "tool result that follows no tool call"


def test_an_answer_that_ignores_the_tool_result_is_flagged():
    assert reasons(AgentCallCheck(), agent_sample(answer="I think it will rain tomorrow.")) == [
        "final answer uses nothing of the tool result"]
    # Chinese values rephrased around their words still count as used
    zh = agent_sample(result='{"status": "成功", "message": "现在播放爵士音乐"}', answer="太棒了！现在为你播放爵士音乐。")
    assert reasons(AgentCallCheck(), zh) == []


@pytest.mark.parametrize("parameters, problem", [
    ({"type": "objekt"}, "is not valid under any of the given schemas"),
    ({"type": "object", "required": "city"}, "is not of type 'array'"),
    ({"type": "object", "properties": {"n": {"minimum": "zero"}}}, "is not of type 'number'"),
    ('{"type": "object"}', "a JSON Schema is an object or a boolean, not str"),  # schema stored as JSON text
    ([{"type": "object"}], "a JSON Schema is an object or a boolean, not list"),
])
def test_invalid_json_schema_is_reported_not_crashed_on(parameters, problem):
    bad = {"type": "function", "function": {"name": "get_weather", "parameters": parameters}}
    flags = AgentCallCheck().find(agent_sample(tools=(bad, "not a tool", {"function": {"description": "no name"}})), {})
    assert [f.reason for f in flags] == ["tool 'get_weather': parameters is not a valid JSON Schema"]
    assert problem in flags[0].evidence


def test_profile_tells_single_parallel_and_no_tool_samples_apart():
    single = agent_sample()
    parallel = copy.deepcopy(single)
    parallel["messages"][1]["tool_calls"].append(call("get_weather", {"city": "Rome"}, "call_1"))
    parallel["messages"].insert(3, {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 9}'})
    none = {"tools": [WEATHER], "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hi!"}]}
    assert reasons(AgentCallCheck(), parallel) == []
    assert [(p["single"], p["parallel"], p["final_answer"], p["no_tool"]) for p in map(profile, (single, parallel, none))] \
        == [(True, False, True, False), (False, True, True, False), (False, False, False, True)]


def test_real_glaive_tool_call_data(corpora_dir):
    """The LLaMA-Factory glaive demo holds real defects: arguments missing required properties, and calls written as
    text whose results follow no call."""
    from curation.formats import convert
    data = json.loads((corpora_dir / "llamafactory_glaive_toolcall_zh_demo.json").read_text(encoding="utf-8"))
    samples = []
    for rec in data:
        conv = convert(rec, "sharegpt", None, None)
        samples.append({"messages": conv.messages, "tools": conv.tools, "task_type": "agent/function call"})
    check = AgentCallCheck()
    found = [f.reason for s in samples for f in check.find(s, {})]
    assert "arguments of 'calculate_area' do not match its schema: 'radius' is a required property (+2 more)" in found
    assert found.count("tool result that follows no tool call") >= 2
    report = analyse(samples)
    (row,) = [r for r in report["agent"] if r["task_type"] == "agent/function call"]
    assert row["samples"] == 300 and row["single"] + row["parallel"] + row["no_tool"] == 300
    assert 0 < row["flagged"] < 50 and row["no_tool"] > 0


# ---------------------------------------------------------------- RAG
def rag(user: str, answer: str, system: str | None = None, tags=(), task_type="rag/qa") -> dict:
    m = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"task_type": task_type, "tags": list(tags), "messages": m}


EIFFEL = ("Context:\n[1] The Eiffel Tower is 330 metres tall and was completed in 1889.\n[2] The Eiffel Tower is "
          "300 metres tall, completed in 1889 for the World Fair.\nQuestion: How tall is the Eiffel Tower?")
BOILING = "参考资料：\n[1] 根据本资料，水的沸点是50摄氏度（与常识不符，但请以资料为准）。\n问题：水的沸点是多少？"
CASES = [
    ("empty", rag("参考资料：\n\n问题：公司2023年的营收是多少？", "公司2023年营收为50亿元。"), False),
    ("empty", rag("参考资料：无\n问题：公司2023年的营收是多少？", "资料中没有提到公司的营收，无法回答。"), True),
    ("conflicting", rag(EIFFEL, "The Eiffel Tower is 330 metres tall."), False),
    ("conflicting", rag(EIFFEL, "Sources disagree: document 1 says 330 m, document 2 says 300 m."), True),
    ("irrelevant", rag("Context:\n[1] Bananas are a good source of potassium.\n[2] The stock market closed higher "
                       "on Friday.\nQuestion: Who wrote Hamlet?", "Hamlet was written by William Shakespeare."), False),
    ("irrelevant", rag("Context:\n[1] Bananas are a good source of potassium.\nQuestion: Who wrote Hamlet?",
                       "The documents provided do not mention Hamlet, so I cannot answer from them."), True),
    ("wrong_doc", rag(BOILING, "根据资料，水的沸点是50摄氏度。"), True),
    ("wrong_doc", rag(BOILING, "实际上水的沸点是100摄氏度，资料有误。"), False),
]


@pytest.mark.parametrize("case, sample, handled", CASES, ids=[f"{c}-{'ok' if h else 'bad'}" for c, _, h in CASES])
def test_each_rag_case_is_detected_and_its_handling_judged(case, sample, handled):
    check = RagCheck()
    found = detect_cases(check.context(sample), check.settings)
    assert found[case] is not None and (found[case] == "ok") == handled
    assert [k for k, v in found.items() if v is not None] == [case]
    assert bool(check.find(sample, {})) is not handled


def test_retrieved_context_from_a_retrieval_tool_and_a_configurable_pattern():
    tool = {"type": "function", "function": {"name": "search_docs", "parameters": {"type": "object"}}}
    s = {"tools": [tool], "messages": [
        {"role": "user", "content": "What is our refund window?"},
        {"role": "assistant", "content": "", "tool_calls": [call("search_docs", {"q": "refund"})]},
        {"role": "tool", "tool_call_id": "call_0", "content": "[]"},
        {"role": "assistant", "content": "Refunds are accepted within 30 days."}]}
    assert RagCheck().find(s, {})[0].reason.startswith("empty: empty retrieval")
    plain = rag("KB >>> Paris is the capital of France.\n\nWhat is the capital of France?", "Paris.")
    assert RagCheck().context(plain) is None
    custom = RagCheck(RagSettings(context_pattern=r"KB >>>"))
    assert custom.context(plain).docs == ["Paris is the capital of France."]
    assert RagCheck().context(rag("Tell me a joke.", "Why did the chicken cross the road?")) is None


def test_reviewer_confirmation_counts_in_the_report(store, tmp_path):
    recs = [dict(s, id=f"r{i}") for i, (_, s, _) in enumerate(CASES)]
    ingest(store, [write_jsonl(tmp_path / "rag.jsonl", recs)], IngestSettings(derive_stats=False))
    ids = [s["id"] for s in store.samples.list(SampleFilter())]
    row = next(r for r in special_report(store)["rag"] if r["task_type"] == "rag/qa")
    assert (row["samples"], row["empty_present"], row["conflicting_present"], row["empty_mishandled"]) == (8, 2, 2, 1)
    empty = rag_case_samples(store, None, "empty")
    assert len(empty) == 2 and {e["reviewer"] for e in empty} == {None}
    # the reviewer rejects one detected empty case and confirms a sample the heuristic missed
    assert confirm_rag_case(store, [empty[0]["id"]], "empty", "ann", reject=True) == 1
    missed = next(i for i in ids if i not in {e["id"] for e in empty})
    confirm_rag_case(store, [missed], "empty", "ann")
    row = next(r for r in special_report(store)["rag"] if r["task_type"] == "rag/qa")
    assert (row["empty_present"], row["empty_confirmed"], row["empty_rejected"]) == (2, 1, 1)
    assert store.revisions.list(missed)[-1]["author"] == "ann"  # a revision, traceable
    # confirming replaces the rejection
    confirm_rag_case(store, [empty[0]["id"]], "empty", "ann")
    assert "rag-rejected:empty" not in store.samples.get(empty[0]["id"])["tags"]
    with pytest.raises(UserError, match="unknown RAG case 'made_up'; choose from empty, irrelevant"):
        confirm_rag_case(store, ids, "made_up", "ann")


# ---------------------------------------------------------------- long context
FILLER = "The committee reviewed routine matters of the harbour district, its budgets and repair schedules. " * 60
NEEDLE = "The secret launch code for the orbital platform is kept in the blue vault under the old library. "


def long_sample(where: str, answer: str = NEEDLE.strip(), task_type: str = "long/qa") -> dict:
    half = len(FILLER) // 2
    prompt = {"start": NEEDLE + FILLER, "middle": FILLER[:half] + NEEDLE + FILLER[half:], "end": FILLER + NEEDLE}[where]
    return {"task_type": task_type, "messages": [{"role": "user", "content": prompt + "\nWhere is the launch code?"},
                                                 {"role": "assistant", "content": answer}]}


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_the_supporting_span_is_located(where):
    assert position(long_sample(where))["position"] == where


def test_short_prompts_are_not_long_context_and_unsupported_answers_are_flagged():
    assert position(long_sample("start"), LongContextSettings(min_prompt_chars=10**6)) is None
    off = long_sample("start", "Bananas are rich in potassium and grow in tropical climates across continents.")
    assert LongContextCheck().find(off, {})[0].reason.startswith("long prompt (")
    assert LongContextCheck().find(long_sample("end", "blue vault"), {}) == []  # short answer found verbatim
    assert LongContextCheck().find(long_sample("end", "42"), {}) == []  # too short to judge: not flagged


def test_a_lopsided_position_distribution_warns():
    samples = [long_sample("start") for _ in range(9)] + [long_sample("end")] + \
              [long_sample(w, task_type="long/mixed") for w in ("start", "middle", "end") * 4]
    report = analyse(samples, SpecialSettings(min_samples=10))
    rows = {r["task_type"]: r for r in report["long_context"]}
    assert (rows["long/qa"]["start"], rows["long/qa"]["end"], rows["long/qa"]["start_share"]) == (9, 1, 0.9)
    warned = [w for w in report["warnings"] if w["section"] == "long_context"]
    assert [w["task_type"] for w in warned] == ["long/qa"] and "90% of long prompts" in warned[0]["message"]


# ---------------------------------------------------------------- registry, import and the report
def test_special_checks_are_registered_and_run_on_import(store, tmp_path):
    assert {"agent_calls", "rag_cases", "long_context", "instruction_constraints"} <= set(CHECKS.names())
    recs = [dict(agent_sample(name="book_flight"), id="a1"), dict(CASES[0][1], id="r1"),
            {"id": "c1", "task_type": "writing/essay", "messages": [
                {"role": "user", "content": "写一篇不少于200字的作文。"}, {"role": "assistant", "content": "太短了。"}]}]
    ingest(store, [write_jsonl(tmp_path / "special.jsonl", recs)], IngestSettings(derive_stats=False))
    counts = dict(store.flags.counts())
    assert counts["agent_calls"] == counts["rag_cases"] == counts["instruction_constraints"] == 1
    report = run_checks(store, names=["instruction_constraints"])
    assert report.flags == {"instruction_constraints": 1}
    got = special_report(store)
    assert [r["task_type"] for r in got["agent"]] == ["agent/function call", "(all)"]
    assert got["constraints"][0]["length_violated"] == 1


# ---------------------------------------------------------------- CLI
def _cli(capsys, *argv) -> tuple[int, dict | str]:
    from curation import cli
    rc = cli.main(list(argv))
    out = capsys.readouterr()
    return rc, (json.loads(out.out) if rc == 0 and "--json" in argv else out.err)


def test_cli_reports_confirms_and_extracts(store, tmp_path, capsys, monkeypatch):
    import curation.cli.special
    from tests.helpers import only_commands
    only_commands(monkeypatch, curation.cli.special)
    recs = [dict(s, id=f"r{i}") for i, (_, s, _) in enumerate(CASES)]
    ingest(store, [write_jsonl(tmp_path / "rag.jsonl", recs)], IngestSettings(derive_stats=False))
    db = str(store.path)
    store.close()
    rc, report = _cli(capsys, "special", "report", "--db", db, "--json")
    assert rc == 0 and report["rag"][0]["conflicting_present"] == 2
    rc, cases = _cli(capsys, "special", "rag-cases", "--case", "empty", "--db", db, "--json")
    assert rc == 0 and cases["count"] == 2
    rc, done = _cli(capsys, "special", "reject", cases["samples"][0]["id"], "--case", "empty", "--db", db, "--json",
                    "--author", "ann")
    assert rc == 0 and done == {"case": "empty", "verdict": "rejected", "changed": 1}
    rc, err = _cli(capsys, "special", "confirm", "nope", "--case", "empty", "--db", db)
    assert rc == 2 and "no sample with id 'nope'" in err
    rc, err = _cli(capsys, "special", "report", "--rag-pattern", "([", "--db", db)
    assert rc == 2 and "RAG context pattern '([' is not a valid regular expression" in err
    rc, got = _cli(capsys, "special", "constraints", "不少于200字，用英文回答", "--answer", "Short.", "--json")
    assert [(c["kind"], c["ok"], c["measured"]) for c in got["constraints"]] == [("length", False, 6),
                                                                                 ("language", True, "en (0% Chinese)")]
