"""The data flywheel: log shapes, bad lines to quarantine, PII scrubbed before storing, value rules with reasons,
dedup against the store, candidates kept out of every export until promoted, promotion with history, the CLI."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from curation.errors import UserError
from curation.export import export_selection
from curation.flywheel.candidates import (LogImportSettings, answer_candidates, dismiss, import_logs, overview,
                                          promote)
from curation.flywheel.logs import parse_log_mapping, parse_thumbs, parse_time
from curation.flywheel.rules.base import VALUE_RULES, default_rules
from curation.ingest import IngestSettings, ingest
from curation.store import curated_filter
from tests.helpers import tiny_records, write_jsonl

EMAIL = "zhang.san@example.com"


def openai_line(prompt, answer, **extra):
    return {"request": {"model": "m", "messages": [{"role": "user", "content": prompt}]},
            "response": {"choices": [{"message": {"role": "assistant", "content": answer}}]}, **extra}


def turn(session, role, content, ts, **extra):
    return {"session_id": session, "role": role, "content": content, "timestamp": ts, **extra}


def debugging_session(session="s1"):
    """A self-correction loop in Chinese, its turns out of order in the file."""
    return [turn(session, "assistant", "用 csv.DictReader 读取即可。", "2024-03-15T09:30:05Z"),
            turn(session, "user", "写一个Python函数读取CSV文件并按列求和", "2024-03-15T09:30:00Z"),
            turn(session, "user", "Traceback (most recent call last):\n  File \"a.py\", line 3\nKeyError: 'price' "
                                  "还是不对", "2024-03-15T09:31:00Z"),
            turn(session, "assistant", "列名里有空格，先 strip 一下。", "2024-03-15T09:31:09Z")]


@pytest.fixture
def log_file(tmp_path):
    lines = [openai_line(f"My email is {EMAIL}, why does my regex fail?", "Escape the dot.",
                         created=1710000000, feedback={"thumbs": "down", "comment": "call me on 13812345678"}),
             *debugging_session()]
    return write_jsonl(tmp_path / "logs.jsonl", lines)


def test_timestamps_thumbs_and_mappings_parse_or_say_why():
    assert parse_time("2024-03-15T09:30:00Z") == datetime(2024, 3, 15, 9, 30)
    assert parse_time("2024-03-15T17:30:00+08:00") == datetime(2024, 3, 15, 9, 30)
    assert parse_time("2024/03/15 09:30") == datetime(2024, 3, 15, 9, 30)
    assert parse_time(1710000000) == parse_time(1710000000000) == parse_time("1710000000")
    for bad in ("15/03/2024 25:61", "yesterday", True, 3):
        with pytest.raises(ValueError, match="timestamp"):
            parse_time(bad)
    assert (parse_thumbs("👎"), parse_thumbs("like"), parse_thumbs(-1)) == ("down", "up", "down")
    with pytest.raises(ValueError, match="neither thumbs up"):
        parse_thumbs("maybe")
    assert parse_log_mapping("session=conv,prompt=q,answer=a") == {"session": "conv", "prompt": "q", "answer": "a"}
    with pytest.raises(UserError, match="unknown"):
        parse_log_mapping("speaker=who,prompt=q")
    with pytest.raises(UserError, match="needs role=FIELD"):
        parse_log_mapping("session=conv")


def test_import_scrubs_groups_picks_and_stores_nothing_as_a_sample(store, log_file):
    rep = import_logs(store, [log_file])
    assert (rep.sessions, rep.candidates, rep.quarantined) == (2, 2, 0)
    assert rep.redactions["email"] == 1 and rep.redactions["phone"] == 1  # the feedback comment is scrubbed too
    assert rep.picks == {"thumbs_down": 1, "self_correction": 1}
    assert store.samples.count() == 0  # candidates are no samples
    rows = {c["session_id"]: c for c in store.candidates.list()}
    loop = rows["s1"]
    assert [m["role"] for m in loop["messages"]] == ["user", "assistant", "user", "assistant"]  # ordered by time
    assert loop["messages"][0]["content"].startswith("写一个Python函数")
    assert loop["started_at"] == datetime(2024, 3, 15, 9, 30) and loop["n_turns"] == 2
    assert "self-correction loop" in loop["picks"][0]["reason"]
    disliked = rows["line 1"]
    assert "[EMAIL]" in disliked["messages"][0]["content"] and disliked["feedback"][0]["thumbs"] == "down"
    assert disliked["feedback"][0]["comment"] == "call me on [PHONE]"
    reds = store.candidates.redactions(disliked["id"])
    assert [(r["rule"], r["turn"]) for r in reds] == [("email", 0), ("phone", None)]
    assert store.candidates.redaction_counts(rep.ingest_id) == {"email": 1, "phone": 1}
    run = store.ingests.get(rep.ingest_id)
    assert run["format"] == "log:auto" and run["imported"] == 2


def test_nothing_personal_reaches_the_store_file(tmp_path, log_file):
    from curation.store import Store
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"oops": f"write to {EMAIL}"}) + "\n", encoding="utf-8")
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        import_logs(s, [log_file, bad])
        assert s.quarantine.list()[0]["raw"] == '{"oops":"write to [EMAIL]"}'
    data = path.read_bytes()
    assert EMAIL.encode() not in data and b"13812345678" not in data


def test_bad_lines_go_to_quarantine_with_a_reason_each(store, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps(turn("a", "user", "hello there", "15/03/2024 25:61")),
        json.dumps({"session_id": "b", "content": "no role here"}),
        json.dumps({"foo": 1}),
        json.dumps(turn("c", "wizard", "abracadabra", "2024-03-15")),
        json.dumps(openai_line("q", "a", feedback="maybe")),
        json.dumps(turn("d", "assistant", "only an answer", "2024-03-15")),
        "{not json",
        json.dumps(openai_line("a good one", "fine")),
    ]) + "\n", encoding="utf-8")
    rep = import_logs(store, [path])
    reasons = {e["line"]: e["reason"] for e in rep.errors}
    assert "timestamp '15/03/2024 25:61' is not ISO 8601" in reasons[1]
    assert "has no role" in reasons[2]
    assert "unknown log shape (keys: foo)" in reasons[3]
    assert "role 'wizard'" in reasons[4]
    assert "feedback 'maybe'" in reasons[5]
    assert "has no user turn" in reasons[6]
    assert reasons[7].startswith("malformed JSON")
    assert rep.candidates == 1 and rep.quarantined == 7
    assert {q["line"] for q in store.quarantine.list(rep.ingest_id)} == set(range(1, 8))


def test_openai_requests_of_one_session_keep_the_full_history(store, tmp_path):
    first = openai_line("What is a closure?", "A function with its environment.", session_id="x", created=1700000000)
    history = [{"role": "user", "content": "What is a closure?"},
               {"role": "assistant", "content": "A function with its environment."},
               {"role": "user", "content": "Show one in JavaScript"}]
    second = {"request": {"messages": history}, "session_id": "x", "created": 1700000100,
              "response": {"choices": [{"message": {"content": "function f() { let n = 0; }"}}]},
              "feedback": {"rating": 1}}
    rep = import_logs(store, [write_jsonl(tmp_path / "o.jsonl", [second, first])])
    (c,) = store.candidates.list()
    assert rep.sessions == 1 and len(c["messages"]) == 4 and c["feedback"] == [{"rating": 1.0, "turn": 3}]
    assert [p["rule"] for p in c["picks"]] == ["thumbs_down"]  # a rating of 1 out of 5


def test_any_jsonl_through_a_mapping(store, tmp_path):
    rows = [{"conv": 7, "q": "如何用SQL统计每个部门的人数？", "a": "SELECT dept, count(*) ...", "vote": "👍", "ts": "2024-05-01"},
            {"conv": 8, "q": "Translate to French: good morning", "a": "Bonjour", "stars": 2}]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    mapping = parse_log_mapping("session=conv,prompt=q,answer=a,thumbs=vote,rating=stars,time=ts")
    rep = import_logs(store, [path], LogImportSettings(shape="mapped", mapping=mapping))
    assert rep.candidates == 2
    by = {c["session_id"]: c for c in store.candidates.list()}
    assert by["7"]["feedback"] == [{"thumbs": "up", "turn": 1}] and by["7"]["has_answer"]
    assert by["8"]["feedback"] == [{"rating": 2.0, "turn": 1}]
    with pytest.raises(UserError, match="needs --map"):
        import_logs(store, [path], LogImportSettings(shape="mapped"))


def test_reimport_adds_nothing_and_known_prompts_are_duplicates(store, tmp_path, log_file):
    first = import_logs(store, [log_file])
    again = import_logs(store, [log_file])
    assert (again.candidates, again.already_present) == (0, first.candidates)
    # a prompt already held by a sample is marked as its duplicate (kept, never picked)
    rec = tiny_records()[0]
    ingest(store, [write_jsonl(tmp_path / "t.jsonl", [rec])], IngestSettings(dataset="tiny", run_checks=False))
    prompt = next(m["content"] for m in rec["messages"] if m["role"] == "user")
    rep = import_logs(store, [write_jsonl(tmp_path / "d.jsonl", [openai_line(prompt.upper() + " ", "x")])])
    (dup,) = store.candidates.list(ingest_id=rep.ingest_id, state="duplicate")
    assert rep.duplicates == 1 and dup["duplicate_of"] == store.samples.list()[0]["id"]


def test_candidates_never_reach_an_export_until_promoted(store, log_file, tmp_path):
    rep = import_logs(store, [log_file])
    assert store.samples.count(curated_filter()) == 0
    with pytest.raises(UserError, match="selection is empty"):
        export_selection(store, tmp_path / "out")
    loop = store.candidates.list(rule="self_correction")[0]
    result = promote(store, [loop["id"]], "flywheel", "lead", task_type="coding/debugging")
    sid = result.promoted[0]["sample"]
    manifest = export_selection(store, tmp_path / "out")
    assert manifest["ids"]["train"] + manifest["ids"]["eval"] == [sid]
    sample = store.samples.get(sid)
    assert sample["status"] == "pending" and sample["task_type"] == "coding/debugging"
    assert sample["tags"] == ["flywheel", "flywheel:self_correction"] and sample["dataset"] == "flywheel"
    (rev,) = store.revisions.list(sid)
    assert rev["action"] == "promote" and rev["author"] == "lead" and loop["id"] in rev["note"]
    assert "self-correction loop" in rev["note"]
    assert store.revisions.sample_at(sid, 0)["tags"] == []  # revision 0: the scrubbed session as imported
    assert store.candidates.get(loop["id"])["state"] == "promoted"
    assert store.candidates.counts_by_state(rep.ingest_id)["promoted"] == 1
    with pytest.raises(UserError, match="promoted already"):
        promote(store, [loop["id"]], "flywheel", "lead")


def test_a_disliked_answer_is_promoted_as_needs_fix_and_feedback_is_kept(store, log_file):
    import_logs(store, [log_file])
    disliked = store.candidates.list(rule="thumbs_down")[0]
    sid = promote(store, [disliked["id"]], "flywheel", "lead").promoted[0]["sample"]
    assert store.samples.get(sid)["status"] == "needs_fix"
    (fb,) = store.candidates.feedback()
    assert fb["sample_id"] == sid and fb["feedback"][0]["thumbs"] == "down"


def test_a_prompt_only_log_needs_an_answer_and_bad_promotions_write_nothing(store, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"request": {"messages": [{"role": "user", "content": "你好，介绍一下你自己"}]}},
                                             openai_line("fine", "ok")])
    import_logs(store, [path])
    lone = next(c for c in store.candidates.list() if not c["has_answer"])
    other = next(c for c in store.candidates.list() if c["has_answer"])
    with pytest.raises(UserError, match=r"give it an answer \(--answer\)"):
        promote(store, [other["id"], lone["id"]], "ds", "lead")
    assert store.samples.count() == 0  # checked before anything is written
    with pytest.raises(UserError, match="name the dataset"):
        promote(store, [other["id"]], " ", "lead")
    with pytest.raises(UserError, match="two levels"):
        promote(store, [other["id"]], "ds", "lead", task_type="coding")
    done = promote(store, [lone["id"]], "ds", "lead", answers={lone["id"]: "我是一个助手。"})
    assert store.samples.get(done.promoted[0]["sample"])["messages"][-1]["content"] == "我是一个助手。"
    assert dismiss(store, [other["id"]], "lead", "too short") == 1
    assert store.candidates.get(other["id"])["state"] == "dismissed"
    with pytest.raises(UserError, match="no candidate"):
        dismiss(store, ["c_nope"], "lead")


def test_overview_lists_picked_sessions_first_with_counts(store, tmp_path, log_file):
    plain = write_jsonl(tmp_path / "plain.jsonl", [openai_line("Tell me a joke about cats", "Why did the cat...")])
    import_logs(store, [plain, log_file])
    ov = overview(store)
    assert ov["total"] == 3 and [bool(c["picks"]) for c in ov["candidates"]] == [True, True, False]
    assert ov["picks"] == {"thumbs_down": 1, "self_correction": 1} and ov["redactions"]["email"] == 1
    assert overview(store, picked=True)["total"] == 2
    with pytest.raises(UserError, match="unknown candidate state"):
        overview(store, state="maybe")


def session(*turns_, feedback=()):
    roles = ["user", "assistant"] * len(turns_)
    return {"messages": [{"role": r, "content": t} for r, t in zip(roles, turns_)], "feedback": list(feedback)}


def picks(rule, candidate, **settings):
    step = VALUE_RULES[rule](VALUE_RULES.make_settings(rule, **settings))
    return step.find(candidate, {})


def test_value_rules_fire_with_a_reason_and_stay_quiet_otherwise():
    assert default_rules() == ["self_correction", "topic_switch", "long_prompt", "thumbs_down"]
    assert VALUE_RULES.names()[-1] == "novelty"
    loop = session("fix my parser", "here is a fix", "still wrong, it returns None", "try this")
    assert "«still wrong" in picks("self_correction", loop)[0].reason
    assert picks("self_correction", session("写个排序", "好的", "谢谢，很好用", "不客气")) == []
    assert picks("self_correction", session("装哪个库？", "用 requests", "我没用过这个库，怎么装？", "pip install")) == []
    assert "«没用啊»" in picks("self_correction", session("修一下", "改好了", "还是没用啊", "再试试"))[0].reason
    assert picks("self_correction", loop, min_followups=2) == []
    switch = session("如何用 pandas 读取 Excel 文件里的多个工作表？", "用 sheet_name=None", "顺便问一下，北京明天天气怎么样？", "...")
    assert "顺便问" in picks("topic_switch", switch)[0].reason
    drift = session("How do I sort a dictionary by value in Python?", "Use sorted(d.items(), key=...)",
                    "Recommend three novels about sailing across the Atlantic ocean", "...")
    assert "topic switch at turn 3" in picks("topic_switch", drift)[0].reason
    follow = session("How do I sort a dictionary by value in Python?", "Use sorted(d.items(), key=...)",
                     "And how do I sort the dictionary by value in reverse order in Python?", "...")
    assert picks("topic_switch", follow) == []
    hard = session("写一篇介绍长城的文章，不少于800字，分3段，必须包含关键词“明朝”，不要使用列表。", "...")
    assert "multi-constraint prompt" in picks("long_prompt", hard)[0].reason
    assert "long prompt" in picks("long_prompt", session("x" * 2500, "ok"))[0].reason
    assert picks("long_prompt", session("hello", "hi")) == []
    assert "rating 2" in picks("thumbs_down", session("q", "a", feedback=[{"rating": 2, "turn": 1}]))[0].reason
    assert picks("thumbs_down", session("q", "a", feedback=[{"thumbs": "up"}])) == []


def test_novelty_picks_prompts_unlike_the_store():
    from curation.flywheel.rules.novelty import Novelty
    stored = ["How do I reverse a list in Python?", "写一首关于秋天的诗", "Explain the TCP three-way handshake"]
    cands = [session("python 列表怎么反转", "..."), session("What documents do I need to renew a passport?", "...")]
    out = [p for _, p in Novelty().run(cands, {"store_prompts": stored})]
    assert out[0] == [] and "novel prompt" in out[1][0].reason


def test_cli_imports_lists_promotes_and_reports_errors(tmp_path, log_file, capsys):
    from curation.cli import main
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "logs", "import", str(log_file), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["candidates"] == 2 and rep["redactions"]["email"] == 1
    assert main(["--db", db, "logs", "list", "--picked", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    cid = next(c["id"] for c in listed["candidates"] if c["session"] == "s1")
    assert main(["--db", db, "logs", "promote", cid, "--dataset", "fly", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["promoted"][0]["status"] == "pending"
    assert main(["--db", db, "logs", "promote", cid, "--dataset", "fly"]) == 2
    assert "promoted already" in capsys.readouterr().err
    assert main(["--db", db, "logs", "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "file not found" in capsys.readouterr().err
    other = next(c["id"] for c in listed["candidates"] if c["id"] != cid)
    assert main(["--db", db, "logs", "show", other, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["rule"] for r in shown["redactions"]] == ["email", "phone"] and shown["picks"][0]["rule"] == "thumbs_down"
    assert main(["--db", db, "logs", "feedback", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback"][0]["id"] == other
    assert main(["--db", db, "logs", "dismiss", other, "--note", "spam", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"dismissed": 1}
    assert main(["--db", db, "logs", "list", "--state", "all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["states"] == {"candidate": 0, "duplicate": 0, "promoted": 1,
                                                            "dismissed": 1}
    assert main(["--db", db, "logs", "import", str(log_file), "--map", "role"]) == 2
    assert "is not KEY=FIELD" in capsys.readouterr().err


def test_a_promoted_disliked_answer_is_in_the_answer_producers_needs_fix_queue(store, log_file):
    """The next step after promotion is the normal one: answer production takes samples marked needs_fix."""
    from curation.producers.answers import AnswerProducer, AnswerSettings
    from curation.producers.runner import RunInput
    import_logs(store, [log_file])
    ids = [c["id"] for c in store.candidates.list()]
    promoted = {p["status"]: p["sample"] for p in promote(store, ids, "flywheel", "lead").promoted}
    chosen = AnswerProducer(AnswerSettings(source="needs_fix")).select(store, {"run": RunInput()})
    assert [s["id"] for s in chosen] == [promoted["needs_fix"]]


def test_a_file_imported_twice_counts_its_redactions_once(store, tmp_path, log_file):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"oops": f"write to {EMAIL}"}) + "\n", encoding="utf-8")
    import_logs(store, [log_file, bad])
    again = import_logs(store, [log_file, bad])
    assert again.redactions["email"] == 0 and again.picked == 0
    assert store.candidates.redaction_counts() == {"email": 2, "phone": 1}
    assert len(store.quarantine.list()) == 1
    disliked = write_jsonl(tmp_path / "new.jsonl", [openai_line("a fresh prompt", "meh", feedback="👎")])
    assert import_logs(store, [disliked], LogImportSettings(rules=())).picked == 0  # no rule chosen: none ran
    assert import_logs(store, [write_jsonl(tmp_path / "new2.jsonl", [openai_line("another prompt", "meh",
                                                                               feedback="👎")])]).picked == 1


def test_an_agent_session_keeps_its_tools_and_calls_with_arguments_scrubbed(store, tmp_path):
    tools = [{"type": "function", "function": {"name": "send_mail", "description": "send an e-mail",
                                               "parameters": {"type": "object", "properties": {"to": {"type": "string"}}}}}]
    call = {"id": "call_0", "type": "function", "function": {"name": "send_mail", "arguments": json.dumps({"to": EMAIL})}}
    history = [{"role": "user", "content": "Mail the report to my boss"},
               {"role": "assistant", "content": None, "tool_calls": [call]},
               {"role": "tool", "tool_call_id": "call_0", "content": "{\"ok\": true}"}]
    line = {"request": {"messages": history, "tools": tools},
            "response": {"choices": [{"message": {"role": "assistant", "content": "Done, the report is sent."}}]}}
    rep = import_logs(store, [write_jsonl(tmp_path / "agent.jsonl", [line])])
    (c,) = store.candidates.list()
    assert c["tools"] == tools and rep.redactions["email"] == 1
    args = c["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(args) == {"to": "[EMAIL]"} and c["messages"][2]["tool_call_id"] == "call_0"
    sample = store.samples.get(promote(store, [c["id"]], "agents", "lead").promoted[0]["sample"])
    assert sample["tools"] == tools and sample["has_tools"] and len(sample["messages"]) == 4


def test_near_duplicates_of_stored_prompts_are_marked_when_asked(store, tmp_path):
    prompt = "Please explain how Python's garbage collector handles reference cycles between objects in detail"
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", [{"messages": [{"role": "user", "content": prompt},
                                                                    {"role": "assistant", "content": "It uses..."}]}])],
           IngestSettings(dataset="base", run_checks=False))
    sid = store.samples.list()[0]["id"]
    first = [openai_line(prompt.replace("in detail", "in great detail"), "x")]
    assert import_logs(store, [write_jsonl(tmp_path / "near.jsonl", first)]).duplicates == 0  # exact keys only
    lines = [openai_line(prompt.replace("in detail", "in much detail"), "x"),
             openai_line("Write a haiku about the first snow falling on Kyoto temples", "y")]
    rep = import_logs(store, [write_jsonl(tmp_path / "near2.jsonl", lines)],
                      LogImportSettings(near_dup_threshold=0.8))
    (dup,) = store.candidates.list(ingest_id=rep.ingest_id, state="duplicate")
    assert rep.duplicates == 1 and dup["duplicate_of"] == sid and "shingle Jaccard" in dup["note"]


def test_prompt_only_candidates_are_answered_by_answer_production_and_linked(store, tmp_path):
    """Over real HTTP to a scripted OpenAI-compatible endpoint: the produced samples carry the candidate in their
    history and the candidate is promoted; a multi-turn prompt-only session is refused with its reason."""
    from curation.llm.client import EndpointSettings
    from tests.llm_support import ScriptedEndpoint, completion
    lines = [{"request": {"messages": [{"role": "user", "content": "用一句话介绍杭州"}]}, "feedback": "👎"},
             {"request": {"messages": [{"role": "system", "content": "You are terse."},
                                       {"role": "user", "content": "Name a prime number"}]}}]
    import_logs(store, [write_jsonl(tmp_path / "prompts.jsonl", lines)])
    lone, with_system = sorted(store.candidates.list(), key=lambda c: len(c["messages"]))
    with ScriptedEndpoint(lambda body: (200, {}, completion("杭州是浙江省的省会，以西湖闻名。"))) as ep:
        endpoint = EndpointSettings(base_url=ep.base_url, model="scripted", max_retries=0)
        with pytest.raises(UserError, match="answer production answers one bare prompt"):
            answer_candidates(store, [with_system["id"]], endpoint, "flywheel", "lead")
        report = answer_candidates(store, [lone["id"]], endpoint, "flywheel", "lead")
    (link,) = report["promoted"]
    assert link["candidate"] == lone["id"] and report["not_answered"] == []
    sample = store.samples.get(link["sample"])
    assert sample["messages"][-1]["content"] == "杭州是浙江省的省会，以西湖闻名。" and sample["dataset"] == "flywheel"
    assert {"flywheel", "flywheel:thumbs_down"} <= set(sample["tags"])
    assert store.revisions.list(link["sample"])[-1]["action"] == "promote"
    assert lone["id"] in store.revisions.list(link["sample"])[-1]["note"]
    assert store.candidates.get(lone["id"])["state"] == "promoted"
