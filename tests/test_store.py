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
    from tests.helpers import write_jsonl
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


def test_v9_ids_come_from_sequences_that_start_after_the_existing_ids(tmp_path):
    """A store written before v9 allocated ids with max(id) + 1; its sequences start after the largest id held."""
    path = tmp_path / "v8.duckdb"
    with Store(path) as s:
        for _ in range(3):
            s.exports.add(out_dir="o", format="messages", filter={}, store_revision=0, content_hash="h", n_samples=1)
        s.review.add_assignments([("t1", "ann")], "lead")
        s.quarantine.add(7, [("f.jsonl", 1, "bad", "{"), ("f.jsonl", 2, "bad", "[")])
        cur = s._cur()
        from curation.store.schema import SEQUENCES
        for _, _, sequence in SEQUENCES:  # back to a v8 store: no sequences
            cur.execute(f"DROP SEQUENCE {sequence}")
        cur.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.exports.add(out_dir="o", format="messages", filter={}, store_revision=0, content_hash="h",
                             n_samples=1) == 4
        assert s.review.add_assignments([("t2", "ann")], "lead") == 2
        s.quarantine.add(8, [("g.jsonl", 1, "bad", "x")])
        assert [q["id"] for q in s.quarantine.list()] == [3, 2, 1]
        assert s.ingests.peek_id() == s.ingests.new_id() == 1 and s.ingests.peek_id() == 2


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


def test_frame_of_a_selection(loaded_store):
    import polars as pl
    t = loaded_store.samples.frame(SampleFilter(task_type="reasoning"), columns=("id", "prompt_chars", "nope"))
    assert isinstance(t, pl.DataFrame) and t.columns == ["id", "prompt_chars"] and t["id"].to_list() == ["t1"]
    every = loaded_store.samples.frame(columns=("id", "tags", "has_system"))
    assert every["id"].to_list() == ["t1", "t2", "t3", "t4", "t5"] and every["has_system"].to_list()[1] is True


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


def _state(s) -> tuple:
    """Every sample and every revision but their times, to compare two stores."""
    samples = [{k: v for k, v in x.items() if k not in ("created_at", "updated_at")} for x in s.samples.list()]
    revisions = [{k: v for k, v in r.items() if k != "changed_at"} for x in samples for r in s.revisions.list(x["id"])]
    return samples, revisions


def test_bulk_change_is_set_based_and_writes_what_the_per_sample_path_wrote(tmp_path, tiny_file):
    """Issue 15 item 22: update_many takes one statement, not one per sample, with the same revisions."""
    from curation.ingest import IngestSettings, ingest
    stores = []
    for name in ("bulk", "each"):
        s = Store(tmp_path / f"{name}.duckdb")
        ingest(s, [tiny_file], IngestSettings(dataset="tiny"))
        s.samples.update("t2", {"task_type": "reasoning/logic"}, "alice")  # t2 then differs from the change in l2
        stores.append(s)
    bulk, each = stores
    change = {"task_l1": "reasoning", "task_l2": "math"}
    f = SampleFilter(exclude_status=["rejected"])
    assert bulk.samples.update_many(f, change, "bob", "relabel", "bulk") == 4  # t1 already is reasoning/math
    assert each.samples._update_each(f, change, "bob", "relabel", "bulk") == 4
    assert _state(bulk) == _state(each)
    t2 = bulk.revisions.list("t2")[-1]
    assert (t2["rev"], t2["before"], t2["after"]) == (2, {"task_l2": "logic"}, {"task_l2": "math"})
    assert [x.revisions.restore("t2", 1, "carol")["task_type"] for x in stores] == ["reasoning/logic"] * 2

    for s in stores:  # tags, with a limit (the first samples in import order)
        s.samples.update_many(SampleFilter(limit=2), {"status": "accepted"}, "bob", "status")
    assert bulk.samples.add_tag_many(SampleFilter(status="accepted"), "seen", "bob") == 2
    assert bulk.samples.add_tag_many(SampleFilter(status="accepted"), "seen", "bob") == 0  # already tagged
    for sid in ("t1", "t2"):
        each.samples.add_tag(sid, "seen", "bob")
    assert _state(bulk) == _state(each)
    assert bulk.samples.remove_tag_many(SampleFilter(), "seen", "bob", "done") == 2
    assert [x["tags"] for x in bulk.samples.list()] == [[]] * 5
    assert bulk.revisions.list("t1")[-1]["action"] == "untag"
    for s in stores:
        s.close()
