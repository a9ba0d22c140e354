"""Bulk find-and-replace: preview, one attributed revision per changed sample, undo, bad patterns, CLI."""
from __future__ import annotations

import json

import pytest

from curation.errors import UserError
from curation.replace import ReplaceSettings, apply, preview, undo
from curation.store import SampleFilter

IDENTITY = [
    {"instruction": "Who are you?", "input": "", "output": "I am {{name}}, an AI assistant developed by {{author}}."},
    {"instruction": "What is {{name}}?", "input": "", "output": "{{name}} is me."},
    {"instruction": "hi", "input": "", "output": "Hello! How can I help?"},
]


@pytest.fixture
def identity_store(store, tmp_path):
    from curation.ingest import IngestSettings, ingest
    path = tmp_path / "identity.json"
    path.write_text(json.dumps(IDENTITY), encoding="utf-8")
    ingest(store, [path], IngestSettings(dataset="identity", task_type="identity/self"))
    return store


def test_preview_counts_and_diffs_without_writing(identity_store):
    f = SampleFilter(dataset="identity")
    before = identity_store.revision()
    p = preview(identity_store, f, ReplaceSettings("{{name}}", "SFT Workbench"))
    assert (p["selected"], p["changed"], p["replacements"]) == (3, 2, 3)
    first = p["examples"][0]
    assert any("[-{{name}}-]{+SFT Workbench+}" in d["diff"] for d in first["diffs"])
    assert identity_store.revision() == before
    assert all(s["rev"] == 0 for s in identity_store.samples.list(f))


def test_apply_writes_one_attributed_revision_per_changed_sample_and_undo_restores(identity_store):
    f = SampleFilter(dataset="identity")
    result = apply(identity_store, f, ReplaceSettings("{{name}}", "SFT Workbench"), "alice")
    assert result["changed"] == 2 and result["replacements"] == 3
    for c in result["changes"]:
        s = identity_store.samples.get(c["id"])
        assert s["rev"] == c["rev"] == 1
        assert "{{name}}" not in json.dumps(s["messages"]) and "SFT Workbench" in json.dumps(s["messages"])
        [h] = identity_store.revisions.list(c["id"])
        assert (h["author"], h["action"]) == ("alice", "replace") and "{{name}}" in h["note"]
    untouched = [s for s in identity_store.samples.list(f) if s["id"] not in {c["id"] for c in result["changes"]}]
    assert [s["rev"] for s in untouched] == [0]
    # a sample edited again after the replace is left alone by undo; the others go back to their old text
    edited = result["changes"][0]["id"]
    identity_store.samples.update(edited, {"status": "accepted"}, "bob", "status")
    u = undo(identity_store, result["changes"], "alice")
    assert u["restored"] == 1 and [s["id"] for s in u["skipped"]] == [edited]
    back = identity_store.samples.get(result["changes"][1]["id"])
    assert "{{name}}" in json.dumps(back["messages"]) and back["rev"] == 2


def test_only_turn_contents_change_never_ids_roles_or_tool_calls(loaded_store):
    # "user" is a role name and a JSON key; "call_0" an id; "get_weather" a tool name inside tool_calls
    for find in ("user", "call_0", "get_weather"):
        p = preview(loaded_store, SampleFilter(dataset="tiny"), ReplaceSettings(find, "X"))
        assert p["changed"] == 0, find
    r = apply(loaded_store, SampleFilter(dataset="tiny"), ReplaceSettings("北京", "上海"), "alice")
    s = loaded_store.samples.get(r["changes"][0]["id"])
    assert s["messages"][1]["tool_calls"][0]["function"]["arguments"] == "{\"city\": \"北京\"}"
    assert s["messages"][0]["content"] == "上海天气怎么样？" and s["messages"][3]["content"] == "上海现在3度。"


def test_literal_by_default_regex_optional_and_bad_patterns_are_clear(identity_store):
    f = SampleFilter(dataset="identity")
    assert preview(identity_store, f, ReplaceSettings("{{.*}}", "X"))["changed"] == 0  # literal: no such text
    p = preview(identity_store, f, ReplaceSettings(r"\{\{(name|author)\}\}", r"<\1>", regex=True))
    assert p["replacements"] == 4 and "[-{{-]{+<+}name[-}}-]{+>+}" in p["examples"][1]["diffs"][0]["diff"]
    assert preview(identity_store, f, ReplaceSettings("who ARE", "x", ignore_case=True))["changed"] == 1
    with pytest.raises(UserError, match="invalid regular expression.*drop --regex"):
        preview(identity_store, f, ReplaceSettings("(name", "x", regex=True))
    with pytest.raises(UserError, match="invalid replacement"):
        preview(identity_store, f, ReplaceSettings("(name)", r"\2", regex=True))
    with pytest.raises(UserError, match="matches empty text"):
        preview(identity_store, f, ReplaceSettings("x*", "y", regex=True))
    with pytest.raises(UserError, match="nothing to find"):
        preview(identity_store, f, ReplaceSettings("", "y"))


def test_empty_filter_refused_unless_all_and_invalid_results_refused(identity_store):
    with pytest.raises(UserError, match="needs a filter"):
        apply(identity_store, SampleFilter(), ReplaceSettings("hi", "x"), "alice")
    assert preview(identity_store, SampleFilter(), ReplaceSettings("{{author}}", "the team"),
                   all_samples=True)["changed"] == 1
    # replacing a whole answer by nothing would leave an invalid conversation: refused, nothing written
    r = apply(identity_store, SampleFilter(dataset="identity"), ReplaceSettings("{{name}} is me.", ""), "alice")
    assert r["changed"] == 0 and len(r["refused"]) == 1 and "empty" in r["refused"][0]["reason"]
    assert all(s["rev"] == 0 for s in identity_store.samples.list(SampleFilter(dataset="identity")))


def test_cli_previews_then_applies(tmp_path, capsys):
    from curation.cli import main
    from curation.store import Store

    db = tmp_path / "cli.duckdb"
    path = tmp_path / "identity.json"
    path.write_text(json.dumps(IDENTITY), encoding="utf-8")
    assert main(["ingest", str(path), "--dataset", "identity", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["replace", "{{name}}", "SFT Workbench", "--dataset", "identity", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == 2 and out["applied"] is False
    assert main(["replace", "(", "x", "--regex", "--dataset", "identity", "--db", str(db)]) == 2
    assert "invalid regular expression" in capsys.readouterr().err
    assert main(["replace", "hi", "x", "--db", str(db)]) == 2
    assert "needs a filter" in capsys.readouterr().err
    assert main(["replace", "{{name}}", "SFT Workbench", "--dataset", "identity", "--apply", "--author", "carol",
                 "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == 2
    with Store(db) as s:
        assert s.revisions.list(out["changes"][0]["id"])[0]["author"] == "carol"
