"""The protection rule: confirmed or generated robustness samples survive every automatic step (dedup, export
defaults), a person can still remove them, and the change is in their history."""
from __future__ import annotations

import json

import pytest

from curation.ingest import IngestSettings, ingest
from curation.protection import (ProtectedSampleError, export_keeps, guard_automatic_change, is_automatic,
                                 is_protected, protected_reason, split_protected)
from curation.store import SampleFilter
from tests.helpers import write_jsonl

BASE = "Explain how photosynthesis turns light, water and carbon dioxide into sugar and oxygen in green plants."


def _conv(user, answer="Plants use chlorophyll to capture light energy.", **kw):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **kw}


@pytest.mark.parametrize("tags, protected", [
    ([], False), (["quality:ok"], False), (["robustness:typo"], True), (["robustness:generated:pinyin"], True),
])
def test_is_protected(tags, protected):
    s = {"id": "x", "tags": tags}
    assert is_protected(s) is protected
    assert (protected_reason(s) is not None) is protected


def test_guard_refuses_automatic_removal_only():
    s = {"id": "x", "tags": ["robustness:incomplete"]}
    for status in ("rejected", "duplicate"):
        with pytest.raises(ProtectedSampleError, match="robustness:incomplete"):
            guard_automatic_change(s, status, "auto:dedup")
        with pytest.raises(ProtectedSampleError):
            guard_automatic_change(s, status, None)  # an actor that doesn't say who it is counts as automatic
        guard_automatic_change(s, status, "alice")  # a person may
    guard_automatic_change(s, "accepted", "auto:dedup")  # not a removal
    guard_automatic_change({"id": "y", "tags": []}, "duplicate", "auto:dedup")  # not protected
    assert is_automatic("auto:checks") and not is_automatic("bob")


def test_split_protected_and_export_keeps():
    a, b = {"id": "a", "tags": ["robustness:typo"], "status": "pending"}, {"id": "b", "tags": [], "status": "pending"}
    assert split_protected([a, b]) == ([a], [b])
    assert export_keeps(a, selected_by_filter=False)  # protected: kept even if the default filter would drop it
    assert not export_keeps(b, selected_by_filter=False)
    assert not export_keeps({**a, "status": "rejected"}, selected_by_filter=False)  # a person rejected it


@pytest.fixture
def dup_store(store, tmp_path):
    records = [
        _conv(BASE, id="orig", status="accepted"),
        _conv(BASE.replace("green plants", "green plant"), id="near"),
        _conv(BASE.replace("water", "watter"), id="prot", tags=["robustness:typo"]),
        _conv(BASE.replace("light", "lihgt"), id="gen", tags=["robustness:generated:typo"]),
    ]
    ingest(store, [write_jsonl(tmp_path / "d.jsonl", records)], IngestSettings(dataset="p"))
    return store


def test_protection_survives_dedup(dup_store):
    from curation.dedup.runs import apply_above, apply_cluster, clusters_at, make_settings, run_dedup
    report = run_dedup(dup_store, "minhash", make_settings("minhash", threshold=0.5), SampleFilter(dataset="p"))
    clusters = clusters_at(dup_store, report["run_id"])
    assert clusters and {"prot", "gen"} <= {m["id"] for c in clusters for m in c.members}
    for c in clusters:
        apply_cluster(dup_store, report["run_id"], c, "auto:dedup", automatic=True)
    apply_above(dup_store, report["run_id"], 0.5, 0.0, "auto:dedup")
    status = {s["id"]: s["status"] for s in dup_store.samples.list(SampleFilter(dataset="p"))}
    assert status["prot"] != "duplicate" and status["gen"] != "duplicate"
    assert status["near"] == "duplicate"  # the rule only spares protected samples


def test_protection_survives_export_and_tags_reach_the_manifest(dup_store, tmp_path):
    from curation.export import export_selection
    manifest = export_selection(dup_store, tmp_path / "out")
    exported = set(manifest["ids"]["train"]) | set(manifest["ids"]["eval"])
    assert {"prot", "gen"} <= exported
    assert manifest["tags"]["prot"] == ["robustness:typo"]
    assert manifest["tags"]["gen"] == ["robustness:generated:typo"]
    lines = [json.loads(x) for f in ("train.jsonl", "eval.jsonl") if (tmp_path / "out" / f).exists()
             for x in (tmp_path / "out" / f).read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: r["tags"] for r in lines}["prot"] == ["robustness:typo"]


def test_only_a_person_removes_protected_data_and_history_records_it(dup_store, tmp_path):
    from curation.export import export_selection
    dup_store.samples.update("prot", {"status": "rejected"}, "alice", "review", "the typo changes the meaning")
    last = dup_store.revisions.list("prot")[-1]
    assert (last["author"], last["after"], last["note"]) == ("alice", {"status": "rejected"},
                                                               "the typo changes the meaning")
    manifest = export_selection(dup_store, tmp_path / "out2")
    assert "prot" not in set(manifest["ids"]["train"]) | set(manifest["ids"]["eval"])
