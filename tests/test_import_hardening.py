"""Regression tests for the import and file-safety cases of issue 15 (and issue 20 items 3 and 5): each failed on
the code before the fix."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import crash_post_import_checks, write_jsonl
from curation.cli import main
from curation.errors import UserError
from curation.ingest import IngestSettings, clear_quarantine, ingest
from curation.messages import to_alpaca, to_sharegpt, validate_messages
from curation.store import SampleFilter, Store

U, A = {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}


def _records(n: int, tag: str = "r") -> list[dict]:
    return [{"messages": [{"role": "user", "content": f"问题 {tag}{i} question"},
                          {"role": "assistant", "content": f"answer {i}"}]} for i in range(n)]


def _ingest(store, path, **kw):
    return ingest(store, [path], IngestSettings(run_checks=False, derive_stats=False, **kw))


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- 1. no command writes over the store
@pytest.mark.parametrize("command", [
    ["quarantine", "--out", "{db}"], ["quarantine", "--out", "{db}.wal"], ["stats", "--report", "{db}"],
    ["review", "export", "{db}"], ["quarantine", "--out", "{other}"], ["quarantine", "--out", "{other}.wal"]])
def test_no_command_writes_over_a_store_or_its_wal(capsys, tmp_path, tiny_file, command):
    db, other = tmp_path / "s.duckdb", tmp_path / "other.duckdb"
    Store(other).close()
    assert cli(capsys, "--db", db, "ingest", tiny_file, "--no-checks")[0] == 0
    size = db.stat().st_size
    args = [a.format(db=db, other=other) for a in command]
    code, _, err = cli(capsys, "--db", db, *args, "--force")
    assert code == 2 and "refusing to write" in err and err.count("\n") == 1
    with Store(db) as s:
        assert db.stat().st_size == size and s.samples.count() == 5


def test_existing_output_files_need_force(capsys, tmp_path, tiny_file):
    db, out = tmp_path / "s.duckdb", tmp_path / "q.jsonl"
    out.write_text("keep me\n")
    cli(capsys, "--db", db, "ingest", tiny_file, "--no-checks")
    code, _, err = cli(capsys, "--db", db, "quarantine", "--out", out)
    assert code == 2 and "--force" in err and out.read_text() == "keep me\n"
    assert cli(capsys, "--db", db, "quarantine", "--out", out, "--force")[0] == 0 and out.read_text() == ""


# ---------------------------------------------------------------- 2. --db must be a DuckDB file (or new)
@pytest.mark.parametrize("name, content", [("d.json", b'[{"a": 1}]'), ("d.jsonl", b'{"a": 1}\n'),
                                           ("d.csv", b"a,b\n1,2\n"), ("d.parquet", b"PAR1xxxxPAR1")])
def test_a_data_file_is_not_taken_for_a_store(capsys, tmp_path, tiny_file, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(UserError, match="not a DuckDB store file"):
        Store(p)
    code, _, err = cli(capsys, "--db", p, "ingest", tiny_file)
    assert code == 2 and "not a DuckDB store file" in err and p.read_bytes() == content
    Store(tmp_path / "new.jsonl").close()  # a new path is fine, whatever its name


# ---------------------------------------------------------------- 3, 4. JSON arrays: one bad record costs only itself
def test_json_array_with_one_undecodable_byte_loses_only_that_record(store, tmp_path):
    recs = [json.dumps(r, ensure_ascii=False).encode() for r in _records(300)]
    recs[100] = recs[100].replace("问题".encode(), b"\xff\xfe")
    p = tmp_path / "arr.json"
    p.write_bytes(b"[\n" + b",\n".join(recs) + b"\n]\n")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (299, 1)
    q = store.quarantine.list()[0]
    assert q["line"] == 101 and "not valid utf-8" in q["reason"] and "\\xff\\xfe" in q["raw"]


def test_json_array_malformed_and_deeply_nested_records_are_quarantined(store, tmp_path):
    recs = [json.dumps(r) for r in _records(20)]
    recs[5] = '{"messages": ' + "[" * 10_000 + "]" * 10_000 + "}"  # 10,000 levels
    recs[9] = '{"messages": [1, 2,, 3]}'  # malformed JSON
    p = tmp_path / "arr.json"
    p.write_text("[" + ",\n".join(recs) + "]", encoding="utf-8")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (18, 2)
    reasons = {e["line"]: e["reason"] for e in rep.errors}
    assert "nested too deeply" in reasons[6] and "malformed JSON in record 10" in reasons[10]


@pytest.mark.parametrize("indent", [None, 2])
def test_json_array_record_missing_a_bracket_loses_only_itself(store, tmp_path, indent):
    """A bracket or quote missing mid-file: the reader resyncs at the next record of the file's shape."""
    texts = [json.dumps(r, ensure_ascii=False, indent=indent) for r in _records(3000)]
    damage = {10: lambda t: t.rstrip()[:-1],  # the record's closing brace
              700: lambda t: t.replace("]", "", 1),  # its messages list's closing bracket
              1500: lambda t: t.lstrip()[1:],  # its opening brace
              2200: lambda t: t.replace('"', "", 3),  # a quote
              2999: lambda t: t.rstrip()[:-1]}  # the last record's closing brace
    for i, f in damage.items():
        texts[i] = f(texts[i])
    p = tmp_path / "arr.json"
    p.write_text("[\n" + ",\n".join(texts) + "\n]\n", encoding="utf-8")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (2995, 5)
    q = sorted(store.quarantine.list(), key=lambda r: r["line"])
    assert [r["line"] for r in q] == [i + 1 for i in damage]
    assert all(f"r{i} question" in r["raw"] and f"r{i + 1} " not in r["raw"] for i, r in zip(damage, q))
    assert store.samples.count(SampleFilter(search="问题 r11 question")) == 1


def test_json_array_records_run_together_are_quarantined_not_merged(store, tmp_path):
    """Record 3 lost its closing brace and record 4 its opening one: the text reads as one object naming
    "messages" twice, which the decoder would import as one record holding only record 4's turns."""
    texts = [json.dumps(r, ensure_ascii=False) for r in _records(8)]
    texts[2], texts[3] = texts[2][:-1], texts[3][1:]
    p = tmp_path / "arr.json"
    p.write_text("[" + ",\n".join(texts) + "]", encoding="utf-8")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (6, 1)
    [q] = store.quarantine.list()
    assert "'messages' appears twice" in q["reason"] and "r2 question" in q["raw"] and "r3 question" in q["raw"]


def test_jsonl_deeply_nested_line_is_quarantined(store, tmp_path):
    deep = '{"messages": ' + "[" * 10_000 + "]" * 10_000 + "}"
    mid = json.dumps({"messages": [U, A], "tools": [{"name": "f", "parameters": json.loads("[" * 400 + "]" * 400)}]})
    p = write_jsonl(tmp_path / "deep.jsonl", [_records(1)[0], deep, mid, _records(2, "x")[1]])
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (2, 2)
    assert "nested too deeply" in rep.errors[0]["reason"]


# ---------------------------------------------------------------- 5. encodings
def test_gbk_whose_first_chinese_comes_after_4_mib(store, tmp_path):
    ascii_recs = [json.dumps({"messages": [{"role": "user", "content": f"question {i} " + "x" * 200},
                                           {"role": "assistant", "content": "answer"}]}) for i in range(25_000)]
    zh = [json.dumps(r, ensure_ascii=False) for r in _records(50)]
    p = tmp_path / "late_gbk.jsonl"
    p.write_bytes(("\n".join(ascii_recs + zh) + "\n").encode("gbk"))
    assert p.stat().st_size > 5 << 20
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (25_050, 0)
    assert store.samples.count(SampleFilter(search="问题 r7 question")) == 1


def test_gbk_with_one_bad_byte_keeps_the_rest_and_the_raw_bytes(store, tmp_path):
    lines = [json.dumps(r, ensure_ascii=False).encode("gbk") for r in _records(40)]
    lines[7] = lines[7].replace("问题".encode("gbk"), b"\x81\x20")  # a GBK lead byte with no trail byte
    p = tmp_path / "gbk.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (39, 1)
    q = store.quarantine.list()[0]
    assert q["line"] == 8 and "\\x81" in q["raw"] and "size limit" not in q["reason"]


def test_a_utf8_line_in_a_gbk_file_is_read_as_utf8(store, tmp_path):
    """GB18030 decodes UTF-8 bytes without error (as mojibake): a line that is strict UTF-8 with a character of 3+
    bytes is UTF-8; a GBK line that happens to be valid two-byte UTF-8 ("为" = "Ϊ") stays GBK."""
    lines = [json.dumps(r, ensure_ascii=False).encode("gbk") for r in _records(40)]
    lines[5] = json.dumps(_records(1, "utf8")[0], ensure_ascii=False).encode("utf-8")
    lines[8] = json.dumps({"messages": [{"role": "user", "content": "why 为 only"}, A]}, ensure_ascii=False).encode("gbk")
    assert lines[8].decode("utf-8")  # valid UTF-8 too: only the character sizes tell them apart
    p = tmp_path / "gbk_with_utf8.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (40, 0) and rep.files[0]["encoding"] == "gb18030"
    assert store.samples.count(SampleFilter(search="问题 utf80 question")) == 1
    assert store.samples.count(SampleFilter(search="why 为 only")) == 1
    assert store.samples.count(SampleFilter(search="问题 r7 question")) == 1


def test_a_utf8_row_in_a_gbk_csv_is_read_as_utf8_unless_the_encoding_was_named(store, tmp_path):
    """CSV fields of a GBK file that are evidently UTF-8 (`_sure_utf8`) are read as UTF-8, field by field."""
    rows = [f"问题{i},答案{i}" for i in range(30)]
    data = ("question,answer\n" + "\n".join(rows) + "\n").encode("gbk")
    data += "粘贴的问题,粘贴的答案\n".encode("utf-8")  # one row pasted in from a UTF-8 file
    p = tmp_path / "gbk.csv"
    p.write_bytes(data)
    rep = _ingest(store, p, mapping={"question": "user", "answer": "assistant"})
    assert (rep.imported, rep.rejected) == (31, 0) and rep.files[0]["encoding"] == "gb18030"
    assert store.samples.count(SampleFilter(search="粘贴的问题")) == 1 and store.samples.count(SampleFilter(search="问题7")) == 1
    with Store(tmp_path / "named.duckdb") as other:
        named = _ingest(other, p, mapping={"question": "user", "answer": "assistant"}, encoding="gb18030")
    # named: read as GB18030 as the user said; the pasted row is not valid GB18030 (a UTF-8 lead byte before the
    # comma), so it is quarantined with its bytes rather than guessed
    assert (named.imported, named.rejected) == (30, 1)


@pytest.mark.parametrize("indent", [None, 1])
def test_a_utf8_record_in_a_gbk_json_array_is_read_as_utf8(store, tmp_path, indent):
    """Records of a GBK JSON array that are evidently UTF-8 are read as UTF-8, record by record. GB18030 reads
    UTF-8 as mojibake, and its trail bytes include backslash and brackets: a swallowed backslash before a quote
    ends a string early and the record read as malformed."""
    recs = [{"messages": [{"role": "user", "content": f"问题{i}"}, {"role": "assistant", "content": f"答案{i}"}]}
            for i in range(30)]
    pasted = [{"messages": [{"role": "user", "content": "粘贴的问题"}, {"role": "assistant", "content": "粘贴的答案"}]},
              {"messages": [{"role": "user", "content": "他说\"好\"，然后[走了]"},
                            {"role": "assistant", "content": "是\\路径{括号}"}]}]
    parts = [json.dumps(r, ensure_ascii=False, indent=indent).encode("gbk") for r in recs[:10]]
    parts += [json.dumps(r, ensure_ascii=False, indent=indent).encode("utf-8") for r in pasted]
    parts += [json.dumps(r, ensure_ascii=False, indent=indent).encode("gbk") for r in recs[10:]]
    p = tmp_path / "gbk.json"
    p.write_bytes(b"[\n" + b",\n".join(parts) + b"\n]\n")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (32, 0) and rep.files[0]["encoding"] == "gb18030"
    stored = {s["messages"][0]["content"]: s["messages"][1]["content"] for s in store.samples.list()}
    assert stored["粘贴的问题"] == "粘贴的答案" and stored['他说"好"，然后[走了]'] == "是\\路径{括号}"
    assert stored["问题7"] == "答案7" and stored["问题29"] == "答案29"
    with Store(tmp_path / "named.duckdb") as other:  # a named encoding is read as named: no guessing
        named = _ingest(other, p, encoding="gb18030")
        assert "粘贴的问题" not in {s["messages"][0]["content"] for s in other.samples.list()}
    assert named.imported + named.rejected == 32


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(store, tmp_path, codec):
    p = tmp_path / "u16.jsonl"
    p.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in _records(30)).encode(codec))
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (30, 0) and rep.files[0]["encoding"] == codec


def test_a_gbk_line_in_a_utf8_file_is_read_and_a_damaged_utf8_line_keeps_its_bytes(store, tmp_path):
    utf8 = [json.dumps(r, ensure_ascii=False).encode() for r in _records(10)]
    gbk_line = json.dumps(_records(1, "gbk")[0], ensure_ascii=False).encode("gbk")
    damaged = utf8[3].replace("问".encode(), "问".encode()[:2])  # a UTF-8 character cut short
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b"\n".join(utf8[:3] + [damaged] + utf8[4:] + [gbk_line]) + b"\n")
    rep = _ingest(store, p)
    assert (rep.imported, rep.rejected) == (10, 1)
    assert store.samples.count(SampleFilter(search="问题 gbk0")) == 1
    q = store.quarantine.list()[0]  # issue 20.5: the real reason, and the raw bytes, not "over the size limit"
    assert q["reason"].startswith("not valid utf-8 text") and "\\xe9\\x97" in q["raw"]


# ---------------------------------------------------------------- 6. numeric options
@pytest.mark.parametrize("args", [["ingest", "x.jsonl", "--max-line-mb", "-1"], ["ingest", "x.jsonl", "--max-line-mb", "0"],
                                  ["samples", "--limit", "-1"], ["samples", "--offset", "-3"],
                                  ["samples", "--limit", "ten"], ["export", "o", "--eval-fraction", "1"],
                                  ["quarantine", "--limit", "-1"], ["review", "queue", "--limit", "-2"],
                                  ["dedup", "run", "--threshold", "1.5"], ["taxonomy", "target", "a/b", "--count", "-1"]])
def test_numeric_options_are_checked_in_one_line(capsys, tmp_path, args):
    code, _, err = cli(capsys, "--db", tmp_path / "s.duckdb", *args)
    assert code == 2 and err.startswith("error: argument ") and err.count("\n") == 1


# ---------------------------------------------------------------- content as parts
def test_content_parts_openai_and_llamafactory_v1(store, tmp_path):
    openai = {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"},
                                                        {"type": "text", "text": "there"}]},
                           {"role": "assistant", "content": [{"type": "text", "text": "Hi!"}]}]}
    v1 = {"messages": [
        {"role": "user", "content": [{"type": "text", "value": "北京天气？"}]},
        {"role": "assistant", "content": [{"type": "reasoning", "value": "I should call the tool."},
                                          {"type": "tool_call", "value": json.dumps(
                                              {"name": "get_weather", "arguments": {"city": "北京"}})}]},
        {"role": "tool", "content": [{"type": "text", "value": '{"temp": 3}'}]},
        {"role": "assistant", "content": [{"type": "reasoning", "value": "3 degrees."},
                                          {"type": "text", "value": "北京 3 度。"}]}]}
    image = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x.png"}},
                                                       {"type": "text", "text": "What is this?"}]}, A]}
    rep = _ingest(store, write_jsonl(tmp_path / "parts.jsonl", [openai, v1, image]))
    assert (rep.imported, rep.rejected) == (2, 1)
    assert "image_url" in rep.errors[0]["reason"] and rep.errors[0]["line"] == 3
    first = store.samples.list(SampleFilter(search="Hello"))[0]["messages"]
    assert first[0]["content"] == "Hello\nthere"
    agent = store.samples.list(SampleFilter(search="北京"))[0]["messages"]
    call = agent[1]["tool_calls"][0]
    assert agent[1]["reasoning"] == "I should call the tool." and agent[1]["content"] == ""
    assert call["id"] == agent[2]["tool_call_id"] and json.loads(call["function"]["arguments"]) == {"city": "北京"}
    assert agent[3] == {"role": "assistant", "content": "北京 3 度。", "reasoning": "3 degrees."}


def test_reasoning_is_never_in_the_training_text():
    from training.template import to_template_messages
    msgs = [U, {"role": "assistant", "content": "a", "reasoning": "secret thoughts"}]
    assert "secret thoughts" not in json.dumps(to_template_messages(msgs))


# ---------------------------------------------------------------- 7. tool calls to the OpenAI schema
def _call(call, result_id="call_0"):
    return [U, {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": result_id, "content": "{}"}, A]


GOOD_CALL = {"id": "call_0", "type": "function", "function": {"name": "f", "arguments": "{}"}}
BAD_CALLS = {
    "bare string": _call("f()"),
    "non-JSON arguments": _call({**GOOD_CALL, "function": {"name": "f", "arguments": "{oops"}}),
    "dict arguments": _call({**GOOD_CALL, "function": {"name": "f", "arguments": {"x": 1}}}),
    "int arguments": _call({**GOOD_CALL, "function": {"name": "f", "arguments": 5}}),
    "no function": _call({"id": "call_0", "type": "function"}),
    "no name": _call({**GOOD_CALL, "function": {"arguments": "{}"}}),
    "ids do not match": _call(GOOD_CALL, result_id="call_9"),
}


@pytest.mark.parametrize("form", list(BAD_CALLS))
def test_invalid_tool_calls_are_quarantined(store, tmp_path, form):
    assert validate_messages(_call(GOOD_CALL)) == []
    rep = _ingest(store, write_jsonl(tmp_path / "calls.jsonl", [{"messages": BAD_CALLS[form]}, _records(1)[0]]))
    assert (rep.imported, rep.rejected) == (1, 1) and "turn" in rep.errors[0]["reason"]


@pytest.mark.parametrize("form", list(BAD_CALLS))
def test_consumers_survive_malformed_stored_tool_calls(form):
    from training.template import to_template_messages
    msgs = BAD_CALLS[form]
    assert to_sharegpt(msgs, [{"name": "f"}, "odd"])["conversations"][1]["from"] == "function_call"
    assert to_alpaca(msgs) is None
    assert to_template_messages(msgs)[1]["tool_calls"][0]["type"] == "function"


# ---------------------------------------------------------------- 8. wrong types are refused
@pytest.mark.parametrize("field, value, reason", [("tags", {"a": 1}, "tags must be a list"),
                                                  ("tags", ["ok", 3], "tags must be strings"),
                                                  ("id", {"x": 1}, "id must be a string or an integer"),
                                                  ("id", [1], "id must be a string or an integer"),
                                                  ("task_type", {"l1": "a"}, "task_type must be a string"),
                                                  ("dataset", 5, "dataset must be a string")])
def test_wrong_types_are_refused_not_coerced(store, tmp_path, field, value, reason):
    rec = {"messages": [U, A], field: value}
    rep = _ingest(store, write_jsonl(tmp_path / "types.jsonl", [rec]))
    assert rep.imported == 0 and reason in store.quarantine.list()[0]["reason"]


# ---------------------------------------------------------------- 12. checks a crash interrupted are finished later
def test_checks_interrupted_by_a_crash_finish_on_the_next_command(capsys, tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    crash_post_import_checks(db, tmp_path, monkeypatch)
    code, _, err = cli(capsys, "--db", db, "samples", "--limit", "1")
    assert code == 0 and "finished the post-import checks of import(s) 1" in err
    with Store(db) as store:
        assert store.ingests.checks_pending() == [] and sum(n for _, n in store.flags.counts()) >= 20


# ---------------------------------------------------------------- 13, 14. re-imports add nothing twice
def test_an_id_less_copy_under_another_name_is_already_present(store, tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", _records(30) + ['{"broken'])
    b = tmp_path / "copy_of_a.jsonl"
    b.write_bytes(a.read_bytes())
    first, second = _ingest(store, a), _ingest(store, b)
    assert (first.imported, second.imported, second.already_present) == (30, 0, 30)
    assert store.samples.count() == 30


def test_reimport_adds_no_quarantine_rows(store, tmp_path):
    p = write_jsonl(tmp_path / "bad.jsonl", _records(3) + ['{"broken', {"messages": "no"}])
    for _ in range(3):
        rep = _ingest(store, p)
        assert rep.rejected == 2
    assert len(store.quarantine.list()) == 2


def test_reimported_offline_reviews_are_not_duplicated(store, tmp_path, tiny_file):
    from curation.review import QueueSpec, create_profile, export_reviews, import_reviews
    _ingest(store, tiny_file)
    create_profile(store, "ann", "annotator")
    out = tmp_path / "offline.jsonl"
    export_reviews(store, out, QueueSpec(), None, None)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    for rec in lines:
        rec["review"] = {"verdict": "accept", "accuracy": 4}
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
    first = import_reviews(store, out, "ann")
    second = import_reviews(store, out, "ann")
    assert first["reviews"] == 5 and second["reviews"] == 0 and second["unchanged"] == 5
    assert len(store.review.list(current=False)) == 5


# ---------------------------------------------------------------- 20. workers die with the importer
@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
def test_worker_processes_exit_when_the_importer_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from curation.workers import lower_priority\n"
        "import os\n"
        "with ProcessPoolExecutor(1, initializer=lower_priority) as pool:\n"
        "    print(pool.submit(os.getpid).result(), flush=True)\n"
        "    pool.submit(time.sleep, 600)\n"
        "    time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    worker = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):  # the kernel delivers the parent-death signal at once; allow a slow machine 10 s
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{worker}/stat").read_text().split()[2] == "Z":
            break  # dead, waiting to be reaped by init
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")


# ---------------------------------------------------------------- 21 and issue 20.3: files that are not JSON at all
@pytest.mark.parametrize("content, kind", [(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "a PNG image"),
                                           (b"\x00\x01\x02garbage" * 500, "NUL bytes"),
                                           (b"just some notes\nnothing here is JSON\n" * 300, "plain text"),
                                           (b"a,b,c\n1,2,3\n" * 100, "CSV")])
def test_a_file_that_is_not_json_gets_one_error_and_one_quarantine_row(capsys, tmp_path, content, kind):
    db, p = tmp_path / "s.duckdb", tmp_path / "looks.jsonl"
    p.write_bytes(content)
    code, _, err = cli(capsys, "--db", db, "ingest", p, "--json")
    assert code == 2 and "not a JSON/JSONL file" in err and kind in err
    with Store(db) as store:
        rows = store.quarantine.list()
        assert len(rows) == 1 and rows[0]["line"] is None and rows[0]["raw"]


def test_a_lead_clears_the_quarantine_rows_of_one_import(store, tmp_path):
    from curation.review import create_profile
    create_profile(store, "boss", "lead")
    create_profile(store, "ann", "annotator")
    png = tmp_path / "pic.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))
    _ingest(store, write_jsonl(tmp_path / "bad.jsonl", ['{"broken']))
    _ingest(store, png)
    with pytest.raises(UserError, match="only a lead"):
        clear_quarantine(store, 2, "ann")
    assert clear_quarantine(store, 2, "boss", "a picture, imported by mistake") == 1
    assert [q["ingest_id"] for q in store.quarantine.list()] == [1]
    assert store.quarantine.clears()[0]["author"] == "boss"
    with pytest.raises(UserError, match="no import #9"):
        clear_quarantine(store, 9, "boss")


def test_a_file_whose_json_records_are_all_invalid_says_so(capsys, tmp_path):
    p = write_jsonl(tmp_path / "allbad.jsonl", [{"messages": [U]}, {"messages": [A]}])
    code, _, err = cli(capsys, "--db", tmp_path / "s.duckdb", "ingest", p)
    assert code == 2 and "no valid record in the file: all 2 records are quarantined" in err
    with Store(tmp_path / "s.duckdb") as store:
        assert len(store.quarantine.list()) == 2
