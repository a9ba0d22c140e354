"""Export: stratified split, manifest traceability, other formats, and a lossless round trip."""
import hashlib
import json

import pytest

from curation.errors import UserError
from curation.export import ExportSettings, assign_splits, export_selection
from curation.ingest import IngestSettings, ingest
from curation.store import SampleFilter, Store


def _lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_split_is_stratified_seeded_and_stable():
    rows = [{"id": f"a{i}", "task_type": "a/x"} for i in range(50)] + \
           [{"id": f"b{i}", "task_type": "b/y"} for i in range(10)] + [{"id": "c0", "task_type": "c/z"},
                                                                       {"id": "c1", "task_type": "c/z"}]
    s1 = assign_splits(rows, 0.2, seed=1)
    assert sum(v == "eval" for k, v in s1.items() if k.startswith("a")) == 10
    assert sum(v == "eval" for k, v in s1.items() if k.startswith("b")) == 2
    assert sum(v == "eval" for k, v in s1.items() if k.startswith("c")) == 1  # small types still get measured
    assert assign_splits(rows, 0.2, seed=1) == s1
    assert assign_splits(rows, 0.2, seed=2) != s1
    # adding samples to one type does not reshuffle another type's split
    more = rows + [{"id": f"a{i}", "task_type": "a/x"} for i in range(50, 60)]
    s3 = assign_splits(more, 0.2, seed=1)
    assert {k: v for k, v in s3.items() if k.startswith("b")} == {k: v for k, v in s1.items() if k.startswith("b")}
    assert assign_splits([{"id": "x", "task_type": "a", "split": "eval"}], 0.0, 1) == {"x": "eval"}


def test_manifest_traces_the_samples(loaded_store, tmp_path):
    loaded_store.samples.update("t3", {"status": "rejected"}, "alice")
    loaded_store.samples.add_tag("t1", "robustness:typo", "alice")
    m = export_selection(loaded_store, tmp_path / "out", settings=ExportSettings(eval_fraction=0.0))
    assert set(m["ids"]["train"]) == {"t1", "t2", "t4", "t5"} and m["ids"]["eval"] == []  # rejected left out
    assert m["counts"]["train"] == {"reasoning/math": 1, "translation/zh→en": 1, "agent/function call": 1,
                                    "(untyped)": 1}
    assert m["filter"] == {"exclude_status": ["rejected", "duplicate"]}
    assert m["store_revision"] == loaded_store.revision()
    assert m["tags"] == {"t1": ["robustness:typo"]}
    for name, digest in m["files"].items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["content_hash"] == m["content_hash"]
    recs = {r["id"]: r for r in _lines(tmp_path / "out" / "train.jsonl")}
    assert recs["t4"]["tools"][0]["function"]["name"] == "get_weather"
    assert loaded_store.exports.list()[0]["content_hash"] == m["content_hash"]


def test_same_selection_same_hash(loaded_store, tmp_path):
    a = export_selection(loaded_store, tmp_path / "a")
    b = export_selection(loaded_store, tmp_path / "b")
    assert a["content_hash"] == b["content_hash"] and a["ids"] == b["ids"]


def test_round_trip_loses_nothing(loaded_store, tmp_path):
    loaded_store.samples.add_tag("t2", "keep-me", "alice")
    export_selection(loaded_store, tmp_path / "out", settings=ExportSettings(eval_fraction=0.4))
    fresh = Store(tmp_path / "fresh.duckdb")
    rep = ingest(fresh, [tmp_path / "out" / "train.jsonl", tmp_path / "out" / "eval.jsonl"])
    assert rep.imported == 5 and rep.rejected == 0
    fields = ("id", "dataset", "messages", "tools", "task_type", "tags", "language")
    original = {s["id"]: {k: s[k] for k in fields} for s in loaded_store.samples.list()}
    again = {s["id"]: {k: s[k] for k in fields} for s in fresh.samples.list()}
    assert again == original
    # exporting the re-imported store gives byte-identical data files
    export_selection(fresh, tmp_path / "out2", settings=ExportSettings(eval_fraction=0.4))
    for name in ("train.jsonl", "eval.jsonl"):
        assert sorted(_lines(tmp_path / "out" / name), key=lambda r: r["id"]) == \
            sorted(_lines(tmp_path / "out2" / name), key=lambda r: r["id"])


def test_sharegpt_export_reimports_identically(loaded_store, tmp_path):
    m = export_selection(loaded_store, tmp_path / "sg", settings=ExportSettings(format="sharegpt", eval_fraction=0))
    info = json.loads((tmp_path / "sg" / "dataset_info.json").read_text())
    assert info["workbench_train"]["formatting"] == "sharegpt" and info["workbench_train"]["file_name"] == "train.json"
    assert m["total"]["train"] == 5 and not m["skipped"]
    fresh = Store(tmp_path / "fresh.duckdb")
    ingest(fresh, [tmp_path / "sg" / "train.json"], IngestSettings(dataset="tiny"))
    for s in loaded_store.samples.list():
        assert fresh.samples.get(s["id"])["messages"] == s["messages"]
        assert fresh.samples.get(s["id"])["tools"] == s["tools"]


def test_alpaca_export_skips_tool_samples_with_a_reason(loaded_store, tmp_path):
    m = export_selection(loaded_store, tmp_path / "al", settings=ExportSettings(format="alpaca", eval_fraction=0))
    assert m["skipped"] == [{"id": "t4", "reason": "has tool turns, which alpaca cannot hold"}]
    recs = json.loads((tmp_path / "al" / "train.json").read_text(encoding="utf-8"))
    t3 = next(r for r in recs if r["id"] == "t3")
    assert t3["history"] == [["Hi", "Hello! How can I help?"]] and t3["instruction"] == "Tell me a joke."
    t2 = next(r for r in recs if r["id"] == "t2")
    assert t2["system"] == "你是翻译助手。"
    info = json.loads((tmp_path / "al" / "dataset_info.json").read_text())
    assert info["workbench_eval"]["columns"]["response"] == "output"


def test_bad_export_requests(loaded_store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("keep me")
    with pytest.raises(UserError, match="not empty"):
        export_selection(loaded_store, tmp_path / "full")
    assert (tmp_path / "full" / "x.txt").read_text() == "keep me"
    with pytest.raises(UserError, match="selection is empty"):
        export_selection(loaded_store, tmp_path / "e", SampleFilter(dataset="nope"))
    with pytest.raises(UserError, match="unknown export format"):
        export_selection(loaded_store, tmp_path / "f", settings=ExportSettings(format="csv"))
    with pytest.raises(UserError, match="eval fraction"):
        export_selection(loaded_store, tmp_path / "g", settings=ExportSettings(eval_fraction=1.5))


def test_split_keeps_a_family_together():
    rows = [{"id": f"p{i}", "task_type": "a/x"} for i in range(30)]
    rows += [{"id": f"p{i}-v{k}", "task_type": "a/x", "parent_id": f"p{i}"} for i in range(30) for k in range(2)]
    rows += [{"id": "orphan-v", "task_type": "a/x", "parent_id": "gone"},  # its parent is not in the selection
             {"id": "orphan-w", "task_type": "a/x", "parent_id": "gone"}]
    split = assign_splits(rows, 0.2, seed=3)
    assert all(split[r["id"]] == split[r["parent_id"]] for r in rows if r.get("parent_id", "").startswith("p"))
    assert split["orphan-v"] == split["orphan-w"]
    n_eval = sum(v == "eval" for v in split.values())
    assert 18 <= n_eval <= 21 and "train" in split.values()  # about 20% of 92, in whole families
    # A marked sample keeps its split and its family follows it.
    marked = [{"id": "r", "task_type": "a/x", "split": "eval"}, {"id": "r-v", "task_type": "a/x", "parent_id": "r"}]
    assert assign_splits(marked + rows, 0.2, seed=3)["r-v"] == "eval"
    # A type's only family is never all eval.
    assert set(assign_splits([{"id": "s", "task_type": "b"}, {"id": "s-v", "task_type": "b", "parent_id": "s"}],
                             0.2, 1).values()) == {"train"}


def test_export_puts_generated_variants_on_their_parents_side(store, tmp_path):
    from curation.robustness.generation import GenerationSettings
    from curation.robustness.tagging import augment

    topics = ["photosynthesis in green plants", "the water cycle on our planet", "how vaccines train immunity",
              "why the sky looks blue at noon", "how bridges carry heavy loads", "what makes bread dough rise"]
    records = [{"id": f"q{i:03d}", "task_type": "qa/science", "messages": [
        {"role": "user", "content": f"Please explain {topics[i % 6]} in simple words, example number {i}."},
        {"role": "assistant", "content": f"Here is a short explanation of {topics[i % 6]} for example {i}."}]}
        for i in range(60)]
    path = tmp_path / "science.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest(store, [path], IngestSettings(dataset="science"))
    made = augment(store, settings=GenerationSettings(rate=1.0, target_share=None, variants_per_sample=2))
    assert made["inserted"] >= 60
    m = export_selection(store, tmp_path / "out", settings=ExportSettings(eval_fraction=0.2))
    side = {i: sp for sp in ("train", "eval") for i in m["ids"][sp]}
    variants = [v for v in made["variants"] if v["id"] in side]
    assert len(variants) == made["inserted"]
    assert all(side[v["id"]] == side[v["parent_id"]] for v in variants)
    assert any(side[v["id"]] == "eval" for v in variants) and m["moved_to_family_split"] == []
