"""Import: every format, detection, validation, quarantine and every bad-input case."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.messages import validate_messages
from curation.store import SampleFilter
from tests.helpers import tiny_records, write_jsonl


def _run(store, *paths, **kw):
    return ingest(store, list(paths), IngestSettings(**kw))


# ---------------------------------------------------------------- validation rules
@pytest.mark.parametrize("messages, reason", [
    ([], "messages is empty"),
    ("hi", "must be a list"),
    ([{"role": "bot", "content": "x"}], "role 'bot' is not one of"),
    ([{"role": "user", "content": "q"}], "missing assistant turn"),
    ([{"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}], "expected 'user' after 'the start'"),
    ([{"role": "user", "content": "q"}, {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a"}],
     "turn 2: expected 'assistant' after 'user', got 'user'"),
    ([{"role": "user", "content": "  "}, {"role": "assistant", "content": "a"}], "turn 1 (user): empty content"),
    ([{"role": "system", "content": "s"}, {"role": "system", "content": "s"}, {"role": "user", "content": "q"},
      {"role": "assistant", "content": "a"}], "system turn may only appear once"),
    ([{"role": "user", "content": "q"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}],
     "system turn may only appear once, as the first turn"),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, {"role": "tool", "content": "{}"}],
     "a tool result must follow an assistant tool call"),
    ([{"role": "user", "content": ["part"]}, {"role": "assistant", "content": "a"}], "content must be a string"),
])
def test_validation_reasons(messages, reason):
    problems = validate_messages(messages)
    assert problems and reason in problems[0]


def test_valid_conversations():
    for r in tiny_records():
        assert validate_messages(r["messages"]) == []


# ---------------------------------------------------------------- formats
def test_messages_jsonl(store, tiny_file):
    rep = _run(store, tiny_file, dataset="tiny")
    assert (rep.imported, rep.rejected, rep.untyped) == (5, 0, 1)
    assert rep.files[0]["format"] == "messages"
    t4 = store.samples.get("t4")
    assert t4["tools"][0]["function"]["name"] == "get_weather"
    assert t4["messages"][1]["tool_calls"][0]["function"]["arguments"] == '{"city": "北京"}'
    assert store.samples.get("t2")["task_type"] == "translation/zh→en"


def test_alpaca_json_and_jsonl_with_history_and_system(store, tmp_path):
    recs = [{"instruction": "Translate", "input": "你好", "output": "Hello", "system": "Be brief.",
             "history": [["hi", "hello"]]},
            {"instruction": "Add 1 and 1", "input": "", "output": "2"}]
    (tmp_path / "a.json").write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    write_jsonl(tmp_path / "b.jsonl", recs)
    rep = _run(store, tmp_path / "a.json", tmp_path / "b.jsonl", task_type="translation/zh→en")
    # b.jsonl says what a.json says: its records are already present, not imported twice (issue 15.13)
    assert rep.imported == 2 and rep.already_present == 2 and {f["format"] for f in rep.files} == {"alpaca"}
    s = store.samples.list(SampleFilter(dataset="a", search="Translate"))[0]
    assert [m["role"] for m in s["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert s["messages"][3]["content"] == "Translate\n\n你好"
    assert s["task_type"] == "translation/zh→en"


def test_sharegpt_with_tools_and_function_calls(store, tmp_path):
    rec = {"conversations": [{"from": "system", "value": "You call tools."},
                             {"from": "human", "value": "Weather in Paris?"},
                             {"from": "function_call", "value": "{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}"},
                             {"from": "observation", "value": "{\"temp\": 20}"},
                             {"from": "gpt", "value": "It is 20 degrees."}],
           "tools": "[{\"name\": \"weather\", \"description\": \"get weather\", \"parameters\": {}}]"}
    write_jsonl(tmp_path / "sg.jsonl", [rec, {"conversations": [{"from": "alien", "value": "x"}]}])
    rep = _run(store, tmp_path / "sg.jsonl")
    assert rep.imported == 1 and rep.rejected == 1
    assert "'from' value 'alien'" in rep.errors[0]["reason"] and rep.errors[0]["line"] == 2
    s = store.samples.list()[0]
    roles = [m["role"] for m in s["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    call = s["messages"][2]["tool_calls"][0]
    assert call["function"] == {"name": "weather", "arguments": '{"city": "Paris"}'}
    assert s["messages"][3]["tool_call_id"] == call["id"]
    assert s["tools"] == [{"type": "function", "function": {"name": "weather", "description": "get weather",
                                                            "parameters": {}}}]


def test_csv_and_parquet_with_mapping(store, tmp_path):
    rows = [{"question": "1+1?", "answer": "2", "category": "reasoning/math"},
            {"question": "天空是什么颜色？", "answer": "蓝色。", "category": "reasoning/common-sense"},
            {"question": "", "answer": "orphan", "category": "x/y"}]
    csv_path = tmp_path / "qa.csv"
    csv_path.write_text("question,answer,category\n" + "\n".join(
        f"{r['question']},{r['answer']},{r['category']}" for r in rows) + "\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "qa.parquet")
    rep = ingest(store, [csv_path], IngestSettings(mapping={"question": "user", "answer": "assistant"},
                                                   task_type_field="category"))
    assert (rep.imported, rep.rejected) == (2, 1)
    assert rep.errors[0]["line"] == 4 and "empty content" in rep.errors[0]["reason"]
    # Same content into the same dataset ("qa", from the file name) is recognised as already present.
    rep = ingest(store, [tmp_path / "qa.parquet"], IngestSettings(task_type_field="category"))  # mapping guessed
    assert (rep.imported, rep.already_present, rep.rejected) == (0, 2, 1) and rep.files[0]["container"] == "parquet"
    # Under another dataset name too: id-less contents already stored are skipped (issue 15.13)
    rep = ingest(store, [tmp_path / "qa.parquet"], IngestSettings(dataset="pq", task_type_field="category"))
    assert (rep.imported, rep.already_present, rep.rejected) == (0, 2, 1)
    rep = ingest(store, [tmp_path / "qa.parquet"], IngestSettings(dataset="pq", task_type_field="category",
                                                                  skip_present=False))
    assert (rep.imported, rep.rejected) == (2, 1)
    assert store.samples.count(SampleFilter(task_type="reasoning/common-sense")) == 2


def test_unmappable_table_says_how_to_fix(store, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("foo,bar\n1,2\n", encoding="utf-8")
    rep = _run(store, p)
    assert rep.imported == 0 and "pass --map" in rep.errors[0]["reason"]


def test_format_override_and_undetectable(store, tmp_path):
    write_jsonl(tmp_path / "x.jsonl", [{"foo": 1}])
    rep = _run(store, tmp_path / "x.jsonl")
    assert "cannot detect the format" in rep.errors[0]["reason"] and rep.errors[0]["line"] is None
    write_jsonl(tmp_path / "y.jsonl", [{"instruction": "hi", "output": "hello"}])
    rep = _run(store, tmp_path / "y.jsonl", format="messages")
    assert rep.rejected == 1 and "must be a list" in rep.errors[0]["reason"]
    with pytest.raises(UserError, match="unknown format"):
        _run(store, tmp_path / "y.jsonl", format="xml")
    with pytest.raises(UserError, match="two levels"):
        _run(store, tmp_path / "y.jsonl", task_type="math")


# ---------------------------------------------------------------- bad input
def test_malformed_json_lines_are_quarantined_and_the_rest_imported(store, tmp_path):
    p = write_jsonl(tmp_path / "m.jsonl", [tiny_records()[0], '{"messages": [ broken', tiny_records()[1], "[1, 2]"])
    rep = _run(store, p)
    assert rep.imported == 2 and rep.rejected == 2
    assert [(e["line"], e["reason"].split(":")[0]) for e in rep.errors] == [(2, "malformed JSON"),
                                                                             (4, "each line must be a JSON object, got list")]
    q = store.quarantine.list()
    assert {r["line"] for r in q} == {2, 4} and any("broken" in r["raw"] for r in q)


def test_utf8_bom(store, tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(r, ensure_ascii=False) for r in tiny_records()).encode())
    rep = _run(store, p)
    assert rep.imported == 5 and rep.rejected == 0
    assert "byte order mark" in rep.notices[0]["message"]
    j = tmp_path / "bom.json"
    j.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"instruction": "a", "output": "b"}]).encode())
    assert _run(store, j).imported == 1


def test_gbk_file_is_decoded_with_a_notice(store, tmp_path):
    p = write_jsonl(tmp_path / "gbk.jsonl", [{"messages": [{"role": "user", "content": "你好，世界"},
                                                           {"role": "assistant", "content": "您好！"}]}],
                    encoding="gbk")
    rep = _run(store, p)
    assert rep.imported == 1 and "GBK" in rep.notices[0]["message"]
    assert store.samples.list()[0]["messages"][0]["content"] == "你好，世界"


def test_undecodable_line_is_quarantined(store, tmp_path):
    good = json.dumps(tiny_records()[0]).encode()
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(good * 0 + (good + b"\n") * 3 + b'{"messages": "\xff\xfe"}\n')
    rep = _run(store, p, encoding="utf-8")
    assert rep.imported == 1 and rep.rejected == 3  # 2 duplicate ids + 1 undecodable line
    assert any("not valid utf-8" in e["reason"] for e in rep.errors)


def test_empty_file(store, tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_bytes(b"")
    rep = _run(store, p)
    assert rep.imported == 0 and rep.errors == [{"file": str(p), "line": None, "reason": "empty file: nothing to import"}]
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n  \n")
    assert "no records" in _run(store, blank).errors[0]["reason"]


def test_huge_line_is_quarantined_without_loading_it(store, tmp_path):
    p = tmp_path / "huge.jsonl"
    with open(p, "w", encoding="utf-8") as f:
        f.write(json.dumps(tiny_records()[0]) + "\n")
        f.write('{"messages": [{"role": "user", "content": "' + "x" * 50_000_000 + '"}]}\n')
        f.write(json.dumps(tiny_records()[1], ensure_ascii=False) + "\n")
    rep = _run(store, p)
    assert rep.imported == 2 and rep.rejected == 1
    err = rep.errors[0]
    assert err["line"] == 2 and "50.0 MB, over the 32 MB line limit" in err["reason"]
    raw = store.quarantine.list()[0]["raw"]  # not kept whole: only its start
    assert raw.startswith('{"messages": [{"role": "user", "content": "xxx') and len(raw) == 20_000


def test_duplicate_ids_in_a_file(store, tmp_path):
    a, b = tiny_records()[0], dict(tiny_records()[1], id="t1")
    rep = _run(store, write_jsonl(tmp_path / "d.jsonl", [a, b]))
    assert rep.imported == 1 and rep.rejected == 1
    assert rep.errors[0] == {"file": str(tmp_path / "d.jsonl"), "line": 2,
                             "reason": "duplicate id 't1' in this file (first at line 1)"}


def test_reimport_adds_nothing_and_conflicting_ids_are_reported(store, tmp_path, tiny_file):
    first = _run(store, tiny_file)
    again = _run(store, tiny_file)
    assert first.imported == 5 and (again.imported, again.already_present, again.rejected) == (0, 5, 0)
    assert store.samples.count() == 5
    changed = dict(tiny_records()[0])
    changed["messages"] = [{"role": "user", "content": "different"}, {"role": "assistant", "content": "x"}]
    rep = _run(store, write_jsonl(tmp_path / "c.jsonl", [changed]))
    assert rep.rejected == 1 and "already in the store with different content" in rep.errors[0]["reason"]
    assert store.samples.get("t1")["messages"][0]["content"] == "What is 2 + 3?"  # stored data untouched


def test_id_less_records_are_stable_and_repeats_kept(store, tmp_path):
    rec = {"messages": tiny_records()[0]["messages"]}
    p = write_jsonl(tmp_path / "n.jsonl", [rec, rec, {"messages": tiny_records()[2]["messages"]}])
    assert _run(store, p).imported == 3  # an exact repeat stays a sample: dedup decides, not import
    assert _run(store, p).already_present == 3
    assert store.samples.count() == 3


def test_edited_sample_survives_reimport(store, tiny_file):
    _run(store, tiny_file)
    store.samples.update("t1", {"messages": [{"role": "user", "content": "edited"},
                                            {"role": "assistant", "content": "yes"}]}, "alice")
    rep = _run(store, tiny_file)
    assert rep.already_present == 5 and rep.rejected == 0
    assert store.samples.get("t1")["messages"][0]["content"] == "edited"


def test_bad_paths(store, tmp_path):
    with pytest.raises(UserError, match="file not found"):
        _run(store, tmp_path / "missing.jsonl")
    with pytest.raises(UserError, match="is a folder"):
        _run(store, tmp_path)


def test_unparseable_parquet(store, tmp_path):
    p = tmp_path / "bad.parquet"
    p.write_bytes(b"not parquet at all")
    rep = _run(store, p)
    assert rep.imported == 0 and "not a readable Parquet file" in rep.errors[0]["reason"]


def test_truncated_json_array_keeps_records_before_the_break(store, tmp_path):
    p = tmp_path / "cut.json"
    p.write_text('[{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}, {"instruction": "e", "outp',
                 encoding="utf-8")
    rep = _run(store, p)
    assert rep.imported == 2 and rep.rejected == 1 and "malformed JSON in record 3" in rep.errors[0]["reason"]


def test_progress_is_reported(store, tiny_file):
    seen = []
    ingest(store, [tiny_file], progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == tiny_file.stat().st_size


# ---------------------------------------------------------------- the shared corpora
def test_shared_corpora_exact_counts(store, corpora_dir):
    alp = _run(store, corpora_dir / "llamafactory_alpaca_zh_demo.json")
    assert (alp.imported, alp.rejected) == (1000, 0)
    tools = _run(store, corpora_dir / "llamafactory_glaive_toolcall_zh_demo.json", task_type="agent/function call")
    # 300 records: 298 valid; 2 have an observation turn with no function call before it (a real defect).
    assert (tools.imported, tools.rejected) == (298, 2)
    assert {e["line"] for e in tools.errors} == {198, 294}
    assert all("tool result must follow an assistant tool call" in e["reason"] for e in tools.errors)
    ident = _run(store, corpora_dir / "llamafactory_identity.json")
    assert (ident.imported, ident.rejected) == (91, 0)
    gsm = ingest(store, [corpora_dir / "gsm8k_train.jsonl"],
                 IngestSettings(mapping={"question": "user", "answer": "assistant"}, task_type="reasoning/math"))
    assert (gsm.imported, gsm.rejected) == (7473, 0)
    s = store.samples.list(SampleFilter(dataset="gsm8k_train", limit=1))[0]
    assert s["messages"][1]["content"].rstrip().split("\n")[-1].startswith("#### ")
    assert store.samples.count() == 1000 + 298 + 91 + 7473
    assert store.samples.count(SampleFilter(task_type="agent/function call")) == 298


def test_dry_run_reports_without_storing(store, tmp_path, tiny_file):
    _run(store, tiny_file)
    new = {"messages": [{"role": "user", "content": "new"}, {"role": "assistant", "content": "answer"}]}
    bad = write_jsonl(tmp_path / "bad.jsonl", [tiny_records()[0], '{"broken', new])
    before = (store.samples.count(), store.revision(), len(store.quarantine.list()))
    rep = _run(store, bad, dry_run=True)
    assert (rep.imported, rep.already_present, rep.rejected) == (1, 1, 1)  # would import 1; t1 is already there
    assert rep.errors[0]["line"] == 2
    assert (store.samples.count(), store.revision(), len(store.quarantine.list())) == before
    real = _run(store, bad)
    assert (real.imported, real.already_present, real.rejected) == (1, 1, 1)
    assert rep.ingest_id == real.ingest_id == 2  # the dry run named the id the import then took, and took none


def test_a_stray_byte_quarantines_one_line_not_the_file(store, tmp_path):
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in tiny_records()]
    p = tmp_path / "stray.jsonl"
    p.write_bytes(lines[0] + b"\n" + b'{"messages": "\xff"}\n' + b"\n".join(lines[1:]) + b"\n")
    rep = _run(store, p)
    assert (rep.imported, rep.rejected) == (5, 1)
    assert rep.errors[0]["line"] == 2 and "not valid utf-8" in rep.errors[0]["reason"]
    assert "undecodable byte" in rep.notices[0]["message"]
    assert store.samples.get("t2")["messages"][0]["content"] == "你是翻译助手。"  # not read as GBK mojibake


@pytest.mark.parametrize("derive", [True, False])
def test_import_derives_the_diversity_statistics_values(store, tiny_file, derive):
    report = ingest(store, [tiny_file], IngestSettings(derive_stats=derive, run_checks=False))
    assert report.imported > 0
    left = store.stats.prepare()  # what was still missing: nothing when the import derived it
    assert left == (0 if derive else len({s["content_hash"] for s in store.samples.list(columns=("content_hash",))}))
