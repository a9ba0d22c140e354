"""`curation review ...`: offline export/import round trip (with a conflict), agreement, queue, checks, assign."""
from __future__ import annotations

import json

import pytest

from curation import cli
from curation.cli import review as review_commands
from curation.review import ReviewInput, create_profile, save_edit, submit_review
from curation.store import Store
from tests.helpers import only_commands


@pytest.fixture
def run(monkeypatch, loaded_store, capsys):
    """Run `curation --db STORE ...` in-process; returns (exit code, parsed JSON or stdout, stderr)."""
    path = loaded_store.path
    loaded_store.close()  # the CLI opens the file itself
    # only this module's commands: other extensions are exercised by their own tests
    only_commands(monkeypatch, review_commands)

    def _run(*argv):
        code = cli.main(["--db", str(path), *argv])
        out, err = capsys.readouterr()
        try:
            return code, json.loads(out), err
        except json.JSONDecodeError:
            return code, out, err

    _run.path = path
    return _run


def test_offline_round_trip_with_edit_review_and_conflict(run, tmp_path):
    assert run("review", "profile", "add", "lee", "--role", "lead", "--json")[0] == 0
    assert run("review", "profile", "add", "ann", "--json")[0] == 0
    out_file = tmp_path / "batch.jsonl"
    code, res, _ = run("review", "export", str(out_file), "--task-type", "reasoning", "--task-type",
                       "multi-turn chat", "--order", "import", "--json")
    assert code == 0 and res["written"] == 2
    lines = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["t1", "t3"] and lines[0]["review"]["verdict"] is None
    # offline: ann fixes t1 and accepts it; meanwhile someone edits t3 in the store
    lines[0]["messages"][1]["content"] = "2 + 3 = 5, so the answer is 5."
    lines[0]["review"].update(verdict="accept", accuracy=5, difficulty="easy", note="fixed wording")
    lines[1]["messages"][1]["content"] = "Hi! What can I do for you?"
    lines[1]["review"].update(verdict="needs_fix")
    with Store(run.path) as s:
        msgs = s.samples.get("t3")["messages"]
        msgs[1]["content"] = "Hello! How may I help you today?"
        save_edit(s, "t3", "lee", {"messages": msgs}, 0)
    back = tmp_path / "back.jsonl"
    back.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    code, res, err = run("review", "import", str(back), "--annotator", "ann", "--json")
    assert code == 2 and "1 of 2 lines not applied" in err
    assert (res["edits"], res["reviews"]) == (1, 1)
    assert res["conflicts"][0]["id"] == "t3" and res["conflicts"][0]["current_rev"] == 1
    with Store(run.path) as s:
        t1, t3 = s.samples.get("t1"), s.samples.get("t3")
        assert t1["status"] == "accepted" and t1["messages"][1]["content"].endswith("the answer is 5.")
        assert [h["author"] for h in s.revisions.list("t1")] == ["ann", "ann"]
        assert t3["messages"][1]["content"] == "Hello! How may I help you today?"  # not overwritten
        assert s.review.list(sample_id="t1")[0]["source"] == "offline"
    # importing the same file again changes nothing more and still reports the conflict
    code, res, _ = run("review", "import", str(back), "--annotator", "ann", "--json")
    assert res["edits"] == 0 and len(res["conflicts"]) == 1


def test_import_reports_bad_lines_without_a_traceback(run, tmp_path):
    run("review", "profile", "add", "ann", "--json")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('not json\n{"id": "t1"}\n{"id": "t1", "rev": 0, "review": {"verdict": "maybe"}}\n',
                   encoding="utf-8")
    code, res, err = run("review", "import", str(bad), "--annotator", "ann", "--json")
    assert code == 2 and len(res["errors"]) == 3 and "Traceback" not in err
    assert "verdict must be one of" in res["errors"][2]["reason"]
    code, _, err = run("review", "import", str(tmp_path / "missing.jsonl"), "--annotator", "ann", "--json")
    assert code == 2 and err.startswith("error: file not found")
    code, _, err = run("review", "import", str(bad), "--annotator", "ghost", "--json")
    assert code == 2 and "no annotator profile" in err


def test_agreement_queue_checks_and_assign_commands(run):
    with Store(run.path) as s:
        create_profile(s, "lee", "lead")
        create_profile(s, "ann")
        create_profile(s, "bob")
        for sid, (a, b) in {"t1": ("accept", "accept"), "t2": ("accept", "reject"),
                            "t3": ("reject", "reject")}.items():
            submit_review(s, sid, "ann", ReviewInput(a, accuracy=4), None)
            submit_review(s, sid, "bob", ReviewInput(b, accuracy=3), None)
    code, rep, _ = run("review", "agreement", "--replicates", "100", "--json")
    assert code == 0 and rep["overall"]["verdict"]["items"] == 3 and rep["annotators"] == ["ann", "bob"]
    assert rep["overall"]["verdict"]["primary"]["method"] == "cohen_kappa"
    code, q, _ = run("review", "queue", "--disagreement", "--json")
    assert q["ids"] == ["t2"]
    code, q, _ = run("review", "queue", "--status", "pending", "--json")
    assert sorted(q["ids"]) == ["t4", "t5"]
    code, d, _ = run("review", "disagreements", "--json")
    assert d["count"] == 1 and len(d["disagreements"][0]["reviews"]) == 2
    code, res, _ = run("--author", "lee", "review", "adjudicate", "t2", "reject", "--note", "wrong", "--json")
    assert code == 0 and res["status"] == "rejected"
    code, c, _ = run("review", "checks", "--only", "refusal,echo", "--json")
    assert code == 0 and c["samples"] == 5 and c["checks"] == ["refusal", "echo"]
    code, _, err = run("review", "checks", "--only", "nope", "--json")
    assert code == 2 and "unknown check" in err
    code, a, _ = run("--author", "lee", "review", "assign", "--annotators", "ann,bob", "--overlap", "0.5",
                     "--json")
    assert code == 0 and a["samples"] == 5 and a["assignments"] == 5 + a["overlap_samples"]
    code, _, err = run("--author", "ann", "review", "assign", "--annotators", "bob", "--json")
    assert code == 2 and "only a lead" in err
    code, dash, _ = run("review", "dashboard", "--json")
    assert {r["annotator"] for r in dash["annotators"]} == {"ann", "bob", "lee"}
