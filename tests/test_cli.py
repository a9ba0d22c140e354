"""The `curation` command line: the contract later checks depend on, JSON output, and clean errors."""
import json
import subprocess
import sys

import pytest

from curation.cli import main
from tests.helpers import tiny_records, write_jsonl


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def jrun(capsys, db, *args):
    code, out, err = run(capsys, "--db", str(db), *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_ingest_samples_stats_export(capsys, tmp_path, tiny_file):
    db = tmp_path / "c.duckdb"
    rep = jrun(capsys, db, "ingest", str(tiny_file), "--dataset", "tiny")
    assert rep["imported"] == 5 and rep["rejected"] == 0 and rep["errors"] == []
    listed = jrun(capsys, db, "samples", "--task-type", "reasoning/math", "--limit", "10")
    assert listed["total"] == 1 and listed["samples"][0]["id"] == "t1"
    assert jrun(capsys, db, "samples", "--status", "pending", "--limit", "2")["total"] == 5
    stats = jrun(capsys, db, "stats")
    assert stats["total"] == 5 and stats["untyped"] == 1
    out = tmp_path / "exp"
    m = jrun(capsys, db, "export", str(out), "--eval-fraction", "0", "--seed", "7")
    assert m["total"]["train"] == 5 and m["seed"] == 7 and (out / "manifest.json").exists()
    m = jrun(capsys, db, "export", str(tmp_path / "al"), "--format", "alpaca")
    assert (tmp_path / "al" / "dataset_info.json").exists()


def test_json_flag_before_command(capsys, tmp_path, tiny_file):
    code, out, _ = run(capsys, "--json", "--db", str(tmp_path / "x.duckdb"), "ingest", str(tiny_file))
    assert code == 0 and json.loads(out)["imported"] == 5


def test_ingest_mapping_and_task_type(capsys, tmp_path, corpora_dir):
    db = tmp_path / "g.duckdb"
    rep = jrun(capsys, db, "ingest", str(corpora_dir / "gsm8k_train.jsonl"), "--map", "question=user,answer=assistant",
               "--task-type", "reasoning/math", "--dataset", "gsm8k")
    assert rep["imported"] == 7473 and rep["untyped"] == 0


def test_ingest_reports_errors_with_file_and_line(capsys, tmp_path):
    p = write_jsonl(tmp_path / "bad.jsonl", [tiny_records()[0], "{oops", {"messages": [{"role": "user", "content": "q"}]}])
    rep = jrun(capsys, tmp_path / "b.duckdb", "ingest", str(p))
    assert rep["imported"] == 1 and rep["rejected"] == 2
    assert [(e["file"], e["line"]) for e in rep["errors"]] == [(str(p), 2), (str(p), 3)]
    q = jrun(capsys, tmp_path / "b.duckdb", "quarantine", "--out", str(tmp_path / "q.jsonl"))
    assert q["count"] == 2 and len((tmp_path / "q.jsonl").read_text().splitlines()) == 2


def test_show_history_restore_relabel(capsys, tmp_path, tiny_file):
    db = tmp_path / "h.duckdb"
    jrun(capsys, db, "ingest", str(tiny_file))
    jrun(capsys, db, "set-status", "t1", "rejected", "--author", "alice")
    relabel = jrun(capsys, db, "relabel", "--task-type", "(untyped)", "--to", "education/tutoring")
    assert relabel["relabelled"] == 1
    shown = jrun(capsys, db, "show", "t1")
    assert shown["sample"]["status"] == "rejected" and shown["history"][0]["author"] == "alice"
    assert jrun(capsys, db, "show", "t1", "--rev", "0")["sample"]["status"] == "pending"
    assert jrun(capsys, db, "restore", "t1", "0")["sample"]["status"] == "pending"


def test_taxonomy_commands(capsys, tmp_path):
    db = tmp_path / "t.duckdb"
    assert any(t["l1"] == "reasoning" for t in jrun(capsys, db, "taxonomy", "list")["taxonomy"])
    assert jrun(capsys, db, "taxonomy", "add", "medical/triage", "--kind", "domain")["added"] == 1
    jrun(capsys, db, "taxonomy", "target", "medical/triage", "--share", "0.2")
    row = next(t for t in jrun(capsys, db, "taxonomy", "list")["taxonomy"] if t["l2"] == "triage")
    assert row["target_share"] == 0.2
    assert jrun(capsys, db, "taxonomy", "rename", "medical/triage", "--to", "medical/intake")["renamed"]
    jrun(capsys, db, "taxonomy", "remove", "medical/intake")


@pytest.mark.parametrize("args, message", [
    (["ingest", "/no/such/file.jsonl"], "file not found"),
    (["show", "nope"], "no sample with id 'nope'"),
    (["taxonomy", "add", "oneLevel"], "must have two levels"),
    (["taxonomy", "target", "reasoning/math", "--share", "3"], "between 0 and 1"),
    (["relabel", "--to", "reasoning/math"], "needs a filter"),
    (["export", "OUT"], "selection is empty"),
    (["ingest", "X", "--map", "question"], "bad --map entry"),
])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--db", str(tmp_path / "e.duckdb"), *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_empty_file_exits_nonzero(capsys, tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_text("")
    code, out, err = run(capsys, "--db", str(tmp_path / "e.duckdb"), "ingest", str(p), "--json")
    assert code == 2 and "empty file" in err and json.loads(out)["imported"] == 0


def test_console_script_and_module_entry(tmp_path, tiny_file):
    for cmd in (["curation"], [sys.executable, "-m", "curation"]):
        r = subprocess.run(cmd + ["--db", str(tmp_path / "s.duckdb"), "ingest", str(tiny_file), "--json"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["imported"] + json.loads(r.stdout)["already_present"] == 5
    r = subprocess.run(["curation", "--db", str(tmp_path / "s.duckdb"), "show", "missing"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip() == "error: no sample with id 'missing'"


def test_ingest_can_leave_the_post_import_steps_for_later(capsys, tmp_path, tiny_file):
    from curation.store import Store
    db = tmp_path / "n.duckdb"
    rep = jrun(capsys, db, "ingest", str(tiny_file), "--no-checks", "--no-stats")
    assert rep["settings"]["run_checks"] is False and rep["settings"]["derive_stats"] is False
    with Store(db) as s:
        assert s.flags.runs.list() == [] and s.stats.prepare() == 5  # nothing was derived at import
    rep = jrun(capsys, tmp_path / "d.duckdb", "ingest", str(tiny_file))
    with Store(tmp_path / "d.duckdb") as s:
        assert len(s.flags.runs.list()) == 1 and s.stats.prepare() == 0


def test_relabel_search_changes_only_samples_whose_text_matches(capsys, tmp_path, tiny_file):
    """Issue 15 item 9: `relabel --search assistant` relabelled every sample (the role name is in the JSON)."""
    db = tmp_path / "r.duckdb"
    jrun(capsys, db, "ingest", str(tiny_file))
    out = jrun(capsys, db, "relabel", "--search", "assistant", "--to", "qa/general")
    assert out["relabelled"] == 0  # no turn of tiny_records() says "assistant"
    out = jrun(capsys, db, "relabel", "--search", "CHICKEN", "--to", "qa/general")
    assert out["relabelled"] == 1



def test_a_closed_pipe_ends_quietly_and_main_leaves_sigpipe_alone(capsys, tmp_path, tiny_file):
    # SIGPIPE's default action is process-wide: set by main(), it killed any later socket write in the same
    # process (a `curation serve` client that hangs up, or the test run itself).
    import signal
    db = tmp_path / "s.duckdb"
    before = signal.getsignal(signal.SIGPIPE)
    run(capsys, "--db", str(db), "ingest", str(tiny_file))
    assert signal.getsignal(signal.SIGPIPE) == before
    proc = subprocess.run(f"'{sys.executable}' -m curation --db '{db}' samples --limit 100 | head -c 20",
                          shell=True, capture_output=True, text=True)
    assert proc.stdout and proc.stderr == ""  # no BrokenPipeError traceback
