"""The store: filters, revisions with history and restore, conflicts, schema upgrades, taxonomy."""
import duckdb
import pytest

from curation.errors import ConflictError, UserError
from curation.store import MIGRATIONS, SCHEMA_VERSION, SampleFilter, Store, curated_filter, resolve_db_path


def test_db_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("CURATION_DB", raising=False)
    assert str(resolve_db_path()) == "workbench.duckdb"
    monkeypatch.setenv("CURATION_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path() == tmp_path / "env.duckdb"
    assert resolve_db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"


def test_new_store_is_seeded_with_taxonomy(store):
    types = {(t["l1"], t["l2"]) for t in store.taxonomy.list()}
    assert ("reasoning", "multi-step CoT") in types and ("medical", "knowledge QA") in types
    kinds = {t["kind"] for t in store.taxonomy.list()}
    assert kinds == {"ability", "domain"}
    assert store.schema_version() == SCHEMA_VERSION


def test_filters(loaded_store):
    s = loaded_store
    assert s.samples.count() == 5
    assert s.samples.count(SampleFilter(task_type="reasoning")) == 1
    assert s.samples.count(SampleFilter(task_type="translation/zh→en")) == 1
    assert [x["id"] for x in s.samples.list(SampleFilter(task_type="(untyped)"))] == ["t5"]
    assert s.samples.count(SampleFilter(search="chicken")) == 1
    assert s.samples.count(SampleFilter(search="100%")) == 0  # % is matched literally, not as a wildcard
    assert s.samples.count(SampleFilter(language="zh")) >= 2
    assert s.samples.count(SampleFilter(ids=["t1", "t2", "nope"])) == 2
    s.samples.add_tag("t1", "robustness:typo", "alice")
    assert s.samples.count(SampleFilter(tag="robustness:*")) == 1
    assert s.samples.count(SampleFilter(tag="robustness:typo")) == 1
    assert s.samples.count(SampleFilter(tag="robustness:pinyin")) == 0


def test_search_matches_turn_contents_only(store):
    """Issue 15 item 9: search looks at what the turns say, not at the stored JSON (roles, keys, escapes)."""
    from curation.review import QueueSpec, build_queue
    _ingest(store, [
        {"id": "q1", "messages": [{"role": "user", "content": 'Say "hello" to the assistant'},
                                  {"role": "assistant", "content": "Hello."}]},
        {"id": "q2", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hi!"}]},
        {"id": "q3", "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {}}}],
         "messages": [{"role": "user", "content": "Find it"},
                      {"role": "assistant", "content": "", "tool_calls": [{"id": "c0", "type": "function",
                       "function": {"name": "lookup", "arguments": "{}"}}]},
                      {"role": "tool", "tool_call_id": "c0", "content": "found C:\\path 50%"},
                      {"role": "assistant", "content": "Done."}]},
    ])

    def ids(text):
        return [s["id"] for s in store.samples.list(SampleFilter(search=text))]

    assert ids("assistant") == ["q1"]  # a role name matches only where a turn says it
    assert ids('"hello"') == ["q1"]  # a quote is found (stored escaped in the JSON text)
    assert ids("HELLO") == ["q1"]  # case-insensitive
    assert ids("tool_calls") == ids("role") == ids("lookup") == []  # keys and tool names are not contents
    assert ids("C:\\path 50%") == ["q3"]  # backslash and % literally, in a tool result
    assert build_queue(store, QueueSpec(filter=SampleFilter(search="assistant")), None) == ["q1"]


def _ingest(store, records):
    import tempfile
    from pathlib import Path
    from curation.ingest import IngestSettings, ingest
    from tests.conftest import write_jsonl
    with tempfile.TemporaryDirectory() as d:
        ingest(store, [write_jsonl(Path(d) / "q.jsonl", records)], IngestSettings(dataset="q"))


def test_derived_columns(loaded_store):
    t3 = loaded_store.samples.get("t3")
    assert t3["n_turns"] == 2 and not t3["has_system"] and not t3["has_tools"]
    t2 = loaded_store.samples.get("t2")
    assert t2["has_system"] and t2["prompt_chars"] == len("把下面的中文翻译成英文：你好")
    assert loaded_store.samples.get("t4")["has_tools"]


def test_edit_is_a_revision_and_restorable(loaded_store):
    s = loaded_store
    before = s.samples.get("t1")
    new_msgs = [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "5"}]
    s.samples.update("t1", {"messages": new_msgs}, "alice", "edit", "shorter")
    s.samples.update("t1", {"status": "accepted", "task_type": "reasoning/common-sense"}, "bob", "review")
    now = s.samples.get("t1")
    assert now["rev"] == 2 and now["status"] == "accepted" and now["task_type"] == "reasoning/common-sense"
    assert now["answer_chars"] == 1 and now["content_hash"] != before["content_hash"]
    hist = s.revisions.list("t1")
    assert [(h["rev"], h["author"], h["action"]) for h in hist] == [(1, "alice", "edit"), (2, "bob", "review")]
    assert hist[0]["before"]["messages"] == before["messages"] and hist[0]["after"]["messages"] == new_msgs
    v0 = s.revisions.sample_at("t1", 0)
    assert v0["messages"] == before["messages"] and v0["status"] == "pending" and v0["task_type"] == "reasoning/math"
    assert s.revisions.sample_at("t1", 1)["messages"] == new_msgs and s.revisions.sample_at("t1", 1)["status"] == "pending"
    restored = s.revisions.restore("t1", 0, "carol")
    assert restored["rev"] == 3 and restored["messages"] == before["messages"]
    assert restored["status"] == "pending" and restored["content_hash"] == before["content_hash"]
    assert s.revisions.list("t1")[-1]["action"] == "restore"
    assert s.samples.count() == 5  # nothing physically deleted, nothing added


def test_reject_and_duplicate_are_states(loaded_store):
    s = loaded_store
    s.samples.update("t1", {"status": "rejected"}, "alice")
    s.samples.update("t2", {"status": "duplicate"}, "alice")
    assert s.samples.count() == 5
    assert {x["id"] for x in s.samples.list(curated_filter())} == {"t3", "t4", "t5"}


def test_stale_save_is_refused(loaded_store):
    s = loaded_store
    rev = s.samples.get("t1")["rev"]
    s.samples.update("t1", {"status": "accepted"}, "alice", expected_rev=rev)
    with pytest.raises(ConflictError) as e:
        s.samples.update("t1", {"status": "rejected"}, "bob", expected_rev=rev)
    assert e.value.current["status"] == "accepted"
    assert s.samples.get("t1")["status"] == "accepted"


def test_unknown_field_and_missing_sample(loaded_store):
    with pytest.raises(UserError, match="not an editable field"):
        loaded_store.samples.update("t1", {"id": "x"}, "a")
    with pytest.raises(UserError, match="no sample with id"):
        loaded_store.samples.get("missing")
    with pytest.raises(UserError, match="revisions 0..0"):
        loaded_store.revisions.sample_at("t1", 3)


def test_bulk_relabel_writes_one_revision_each(loaded_store):
    n = loaded_store.samples.update_many(SampleFilter(task_type="(untyped)"), {"task_type": "education/tutoring"}, "lead",
                                 "relabel")
    assert n == 1
    assert loaded_store.samples.get("t5")["task_type"] == "education/tutoring"
    assert loaded_store.revisions.list("t5")[0]["before"] == {"task_l1": None, "task_l2": None}


def test_store_revision_grows(loaded_store):
    r0 = loaded_store.revision()
    loaded_store.samples.add_tag("t1", "x", "a")
    assert loaded_store.revision() == r0 + 1


def test_taxonomy_edit(loaded_store):
    s = loaded_store
    assert s.taxonomy.add_many([("medical", "triage", "domain", "triage")]) == 1
    assert s.taxonomy.add_many([("medical", "triage", "domain", "again")]) == 0
    s.taxonomy.set_target("reasoning", "math", share=0.3)
    row = next(t for t in s.taxonomy.list() if (t["l1"], t["l2"]) == ("reasoning", "math"))
    assert row["target_share"] == 0.3 and row["samples"] == 1
    assert s.taxonomy.rename(("reasoning", "math"), ("reasoning", "arithmetic"), "lead") == 1
    assert s.samples.get("t1")["task_type"] == "reasoning/arithmetic"
    s.taxonomy.remove("medical", "triage")
    assert not s.taxonomy.has("medical", "triage")


def test_old_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    for sql in MIGRATIONS[0][1]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO samples (id, dataset, messages, status, rev, tags) VALUES "
                "('old', 'legacy', '[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]',"
                " 'accepted', 0, [])")
    con.execute("INSERT INTO taxonomy VALUES ('reasoning', 'math', 'ability', 'math')")
    con.close()
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        old = s.samples.get("old")
        assert old["status"] == "accepted" and old["messages"][1]["content"] == "a" and old["parent_id"] is None
        s.taxonomy.set_target("reasoning", "math", count=100)  # a v2 column works on the upgraded store
        assert s.exports.list() == []


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    with Store(path) as s:
        s._cur().execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(UserError, match="newer than this workbench"):
        Store(path)


def test_bad_store_paths(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        Store(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        Store(tmp_path / "nope" / "x.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError):
        Store(junk)


def test_a_selection_as_a_polars_frame(loaded_store):
    t = loaded_store.samples.frame(SampleFilter(task_type="reasoning"), columns=("id", "prompt_chars", "nope"))
    assert t.columns == ["id", "prompt_chars"] and t["id"].to_list() == ["t1"]


def test_conversations_are_stored_with_zstd(tmp_path):
    # v7 moved `messages` to zstd (cheaper to write than DuckDB's default and smaller); an upgraded store keeps
    # every row, in order.
    with Store(tmp_path / "z.duckdb") as s:
        cur = s._cur()
        cur.execute("INSERT INTO samples (id, messages) SELECT 'i' || i, '[{\"role\":\"user\",\"content\":\"hi ' "
                    "|| i || '\"}]' FROM range(3000) t(i)")
        cur.execute("CHECKPOINT")
        kinds = cur.execute("SELECT DISTINCT compression FROM pragma_storage_info('samples') "
                            "WHERE column_name = 'messages' AND segment_type = 'VARCHAR'").fetchall()
        assert kinds == [("ZSTD",)]
        assert s.samples.count() == 3000 and s.samples.get("i2999")["messages"][0]["content"] == "hi 2999"
