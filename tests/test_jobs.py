"""Durable jobs: each in-process kind killed with SIGKILL in the middle (the process that holds the store and runs
the job, as the app does), then the store reopened: consistent, the job failed with a reason, and its resume ends
with exactly what an uninterrupted job gives (no chunk applied twice, none lost).

The killed process is a real `python` holding the store file; it kills itself at a chosen point (before or after
a chunk's commit), which is a kill -9 at a known moment instead of a race with a timer.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from curation import jobs
from curation.errors import UserError
from curation.store import Store
from helpers import ROOT, write_jsonl

PROMPTS = ["wo xiang zhidao zenme zuo hongshaorou {i}", "我想learn一下python的用法和debug技巧 {i}",
           "How do I recieve teh package from teh store {i}", "Please explain the following {i}:",
           "What is the capital of country number {i}?"]


def records(n: int = 120) -> list[dict]:
    return [{"messages": [{"role": "user", "content": PROMPTS[i % len(PROMPTS)].format(i=i)},
                          {"role": "assistant", "content": f"Here is a careful answer for item {i}."}],
             "task_type": ["qa/general", "chat/zh"][i % 2]} for i in range(n)]


KILLER = """
import os, signal, sys, json
sys.path.insert(0, {root!r})
from curation.store import Store
from curation import jobs

def kill_on_call(owner, name, n, after):
    original = getattr(owner, name)
    calls = [0]
    def wrapped(*a, **k):
        calls[0] += 1
        if calls[0] == n and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        out = original(*a, **k)
        if calls[0] == n and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    setattr(owner, name, wrapped)

{patch}
store = Store({db!r})
job_id = jobs.start(store, {kind!r}, json.loads({settings!r}), "tester")  # a thread, as the app runs it
jobs.wait(store, job_id, timeout=120)
job = jobs.show(store, job_id); print("NOT KILLED", job["state"], job["error"], job["log"][-2000:])
"""


def killed(db: Path, kind: str, settings: dict, patch: str) -> None:
    """Run a job in a fresh process that SIGKILLs itself where `patch` says; assert it died that way."""
    script = KILLER.format(root=str(ROOT), patch=textwrap.dedent(patch), db=str(db), kind=kind,
                           settings=json.dumps(settings))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == -9, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])


def reopen_and_resume(db: Path) -> tuple[Store, dict, dict]:
    """Open the store as a restarted app does: re-attach (the killed job -> failed), then resume it here."""
    store = Store(db)
    failed = jobs.reattach(store)
    assert len(failed) == 1 and failed[0]["state"] == "failed"
    assert "killed or crashed" in failed[0]["error"] and "resume" in failed[0]["error"]
    assert jobs.list_jobs(store)[0]["resumable"]
    done = jobs.resume(store, failed[0]["id"], background=False)
    assert done["state"] == "done", (done["error"], jobs.show(store, done["id"])["log"][-3000:])
    return store, failed[0], done


@pytest.fixture
def data(tmp_path) -> Path:
    return write_jsonl(tmp_path / "data.jsonl", records())


def imported_store(tmp_path: Path, data: Path, name: str) -> Path:
    db = tmp_path / f"{name}.duckdb"
    with Store(db) as s:
        jobs.start(s, "import", {"paths": [str(data)], "ingest": {"batch_size": 25}}, "tester", background=False)
    return db


@pytest.mark.parametrize("after", [False, True], ids=["mid-batch", "after-batch"])
def test_import_killed_then_resumed_stores_every_record_once(tmp_path, data, after):
    db = tmp_path / "w.duckdb"
    settings = {"paths": [str(data)], "ingest": {"batch_size": 25}}
    killed(db, "import", settings, "from curation.store.samples import Samples\n"
                                   f"kill_on_call(Samples, 'add', 3, after={after})")
    with Store(db) as s:
        assert s.samples.count() == (75 if after else 50)  # whole batches only: 3 (or 2) of 25 committed
        assert s.ingests.list() == []  # the import was not logged: it did not finish
    store, failed, done = reopen_and_resume(db)
    assert store.samples.count() == 120
    clean = Store(imported_store(tmp_path, data, "clean"))
    assert sorted(r["id"] for r in store.samples.list()) == sorted(r["id"] for r in clean.samples.list())
    (log,) = store.ingests.list()
    assert (log["imported"], log["already_present"]) == (120, 0)  # the killed attempt's rows count as imported
    assert done["result"]["imported"] == 120
    assert store.flags.counts() == clean.flags.counts()  # the checks ran once over the whole import
    assert store.ingests.checks_pending() == []


@pytest.mark.parametrize("after", [False, True], ids=["mid-chunk", "after-chunk"])
def test_robustness_detection_killed_then_resumed_matches_an_uninterrupted_run(tmp_path, data, after):
    db = imported_store(tmp_path, data, "w")
    clean = Store(imported_store(tmp_path, data, "clean"))
    jobs.start(clean, "robustness", {"chunk_size": 20}, "tester", background=False)
    # killed inside the third chunk's transaction (its suggestions written, not committed), or right after it
    patch = ("from curation.store.robustness import Robustness\n"
             "kill_on_call(Robustness, 'add_suggestions', 3, after=True)") if not after else (
        "from curation.store.jobs import Jobs\nkill_on_call(Jobs, 'commit_chunk', 3, after=True)")
    killed(db, "robustness", {"chunk_size": 20}, patch)
    with Store(db) as s:
        (job,) = s.jobs.list(kind="robustness")
        assert s.robustness.runs.list() == []
        assert job["checkpoint"]["offset"] == (60 if after else 40)
    store, failed, done = reopen_and_resume(db)
    key = [(r["sample_id"], r["tag"], r["reason"]) for r in store.robustness.suggestions()]
    assert len(key) == len(set(key)) and key  # no suggestion twice
    assert sorted(key) == sorted((r["sample_id"], r["tag"], r["reason"]) for r in clean.robustness.suggestions())
    (run,) = store.robustness.runs.list()
    assert run["n_samples"] == 120 and run["n_results"] == len(key) == done["result"]["found"]


def test_export_killed_after_writing_a_chunk_is_cut_back_and_resumed(tmp_path, data):
    db = imported_store(tmp_path, data, "w")
    out = tmp_path / "out"
    # killed once a chunk's lines are on disk but before its checkpoint: the resume cuts them off and rewrites them
    killed(db, "export", {"out_dir": str(out), "chunk_size": 16},
           "from curation.export import _Writer\nkill_on_call(_Writer, 'position', 3, after=True)")
    assert not (out / "manifest.json").exists()
    store, failed, done = reopen_and_resume(db)
    ref = tmp_path / "ref"
    jobs.start(store, "export", {"out_dir": str(ref), "chunk_size": 1000}, "tester", background=False)
    for name in ("train.jsonl", "eval.jsonl"):
        assert (out / name).read_bytes() == (ref / name).read_bytes()
    ids = [json.loads(line)["id"] for line in (out / "train.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["content_hash"] == json.loads((ref / "manifest.json").read_text())["content_hash"]
    assert sum(manifest["total"].values()) == 120 and len(manifest["ids"]["train"]) == manifest["total"]["train"]
    assert [e["out_dir"] for e in store.exports.list()] == [str(ref.resolve()), str(out.resolve())]


def test_export_resume_refuses_a_store_changed_since_it_started(tmp_path, data):
    db = imported_store(tmp_path, data, "w")
    out = tmp_path / "out"
    killed(db, "export", {"out_dir": str(out), "chunk_size": 16},
           "from curation.export import _Writer\nkill_on_call(_Writer, 'position', 3, after=True)")
    store = Store(db)
    (failed,) = jobs.reattach(store)
    sid = store.samples.list()[0]["id"]
    store.samples.update(sid, {"status": "accepted"}, author="tester", action="review")
    job = jobs.resume(store, failed["id"], background=False)
    assert job["state"] == "failed" and "store changed since this export started" in job["error"]


def test_dedup_killed_then_resumed_stores_one_run(tmp_path, data):
    db = imported_store(tmp_path, data, "w")
    settings = {"method": "minhash", "settings": {}, "filter": None}
    killed(db, "dedup", settings, "from curation.store.dedup import Dedup\nkill_on_call(Dedup, 'add_run', 1, after=False)")
    with Store(db) as s:
        assert s.dedup.runs.list() == []
    store, failed, done = reopen_and_resume(db)
    (run,) = store.dedup.runs.list()
    assert done["result"]["run_id"] == run["id"] and done["result"]["samples"] == 120


def vectors(store) -> int:
    import curation.embeddings as emb
    return {r["model"]: r["vectors"] for r in store.embeddings.per_model()}.get(emb.model_id("fake-model"), 0)


def test_embedding_killed_then_resumed_encodes_only_what_was_not_cached(tmp_path, data, monkeypatch):
    db = imported_store(tmp_path, data, "w")
    fake = """
import numpy as np, hashlib
import curation.embeddings as emb
def encode(texts, s=None):
    return np.stack([np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], np.uint8).astype(np.float32)
                     for t in texts])
emb.encode = encode
"""
    settings = {"embedding": {"model": "fake-model", "chunk": 30, "batch_size": 8}}
    killed(db, "embedding", settings, fake + "from curation.store.dedup import Embeddings\n"
                                             "kill_on_call(Embeddings, 'add', 3, after=False)")
    import curation.embeddings as emb
    namespace: dict = {}
    exec(textwrap.dedent(fake), namespace)
    encoded = []
    monkeypatch.setattr(emb, "encode", lambda texts, s=None: (encoded.extend(texts), namespace["encode"](texts))[1])
    with Store(db) as s:
        assert vectors(s) == 60  # two chunks of 30 committed
    store, failed, done = reopen_and_resume(db)
    assert done["result"] == {"texts": 120, "already_cached": 60, "encoded": 60, "model": "fake-model"}
    assert len(encoded) == 60 and vectors(store) == 120


def test_a_pages_embedding_button_is_one_job_that_resumes_from_the_cache(tmp_path, data, monkeypatch):
    """The Diversity page's "embed the missing sample prompts": pressed twice while it runs, one job; it fails
    after a chunk, and pressing again resumes the same job, encoding only the texts the cache lacks."""
    import threading

    import numpy as np

    import curation.embeddings as emb
    from curation.job_kinds import embedding_texts
    store = Store(imported_store(tmp_path, data, "w"))
    encoded, gate, crash = [], threading.Event(), [True]

    def encode(texts, s=None):
        gate.wait(30)
        if crash[0] and encoded:
            raise RuntimeError("encoder crashed")
        encoded.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)

    monkeypatch.setattr(emb, "encode", encode)
    settings = {"filter": {"task_type": "qa/general"}, "source": "stratified", "per_type": 40,
                "embedding": {"model": "fake-model", "chunk": 10, "batch_size": 10}}
    job_id = jobs.start_or_find(store, "embedding", settings, "tester")
    assert jobs.start_or_find(store, "embedding", settings, "other tab") == job_id  # still running: the same job
    gate.set()
    job = jobs.wait(store, job_id, timeout=60)
    assert job["state"] == "failed" and "encoder crashed" in job["error"] and vectors(store) == 10
    crash[0] = False
    assert jobs.start_or_find(store, "embedding", settings, "tester") == job_id  # resumed, not a second row
    job = jobs.wait(store, job_id, timeout=60)
    assert job["state"] == "done", job["error"]
    assert job["result"] == {"texts": 40, "already_cached": 10, "encoded": 30, "model": "fake-model"}
    picked = embedding_texts(store, job["settings"])
    assert len(encoded) == 40 and set(encoded) == set(picked) and len(picked) == 40
    assert [j["id"] for j in jobs.list_jobs(store, kind_name="embedding")] == [job_id]
    form = jobs.start_or_find(store, "embedding", {"source": "form", "form": {"model": "fake-model"},
                                                   "embedding": {"model": "fake-model"}}, "tester")
    assert jobs.wait(store, form, timeout=60)["state"] == "done" and form != job_id
    with pytest.raises(UserError, match="unknown embedding source 'everything'"):
        jobs.start_or_find(store, "embedding", {"source": "everything"}, "tester")


def test_cancel_stops_a_job_between_chunks_and_resume_finishes_it(tmp_path, data):
    db = imported_store(tmp_path, data, "w")
    store = Store(db)
    import curation.store.jobs as store_jobs
    original = store_jobs.Jobs.commit_chunk

    def slow_commit(self, job_id, *a, **k):  # the user presses Cancel while the second chunk is committed
        out = original(self, job_id, *a, **k)
        if out[1].get("offset") == 40:
            self.update(job_id, cancel_requested=True)
        return out
    store_jobs.Jobs.commit_chunk = slow_commit
    try:
        job_id = jobs.start(store, "robustness", {"chunk_size": 20}, "tester", background=False)
    finally:
        store_jobs.Jobs.commit_chunk = original
    job = jobs.show(store, job_id)
    assert job["state"] == "cancelled" and job["checkpoint"]["offset"] == 40 and job["resumable"]
    assert "cancel" in job["log"]
    assert jobs.resume(store, job_id, background=False)["state"] == "done"
    assert jobs.show(store, job_id)["result"]["samples"] == 120


def test_bad_settings_and_states_are_clear_errors(tmp_path):
    store = Store(tmp_path / "w.duckdb")
    with pytest.raises(UserError, match="unknown job kind 'fly'"):
        jobs.start(store, "fly", {}, "tester")
    with pytest.raises(UserError, match="file not found"):
        jobs.start(store, "import", {"paths": [str(tmp_path / "nope.jsonl")]}, "tester")
    with pytest.raises(UserError, match="no job 99"):
        jobs.show(store, 99)
    assert store.jobs.list() == []  # nothing recorded for a job that could not start
    write_jsonl(tmp_path / "d.jsonl", records(5))
    job_id = jobs.start(store, "import", {"paths": [str(tmp_path / "d.jsonl")]}, "tester", background=False)
    with pytest.raises(UserError, match="already finished"):
        jobs.resume(store, job_id)
    with pytest.raises(UserError, match="only a queued or running job can be cancelled"):
        jobs.cancel(store, job_id)


def test_a_job_started_in_the_background_outlives_the_caller_and_logs(tmp_path, data):
    store = Store(tmp_path / "w.duckdb")
    job_id = jobs.start(store, "import", {"paths": [str(data)]}, "lead")
    job = jobs.wait(store, job_id, timeout=60)
    assert job["state"] == "done" and job["author"] == "lead" and job["pid"] == os.getpid()
    assert store.samples.count() == 120 and job["eta_s"] is None
    assert "started in process" in jobs.show(store, job_id)["log"]
    assert jobs.reattach(store) == []  # a finished job is left alone


def test_cli_lists_a_killed_job_as_failed_and_resumes_it(tmp_path, data, capsys):
    from curation.cli import main

    db = imported_store(tmp_path, data, "w")
    out = tmp_path / "out"
    killed(db, "export", {"out_dir": str(out), "chunk_size": 16},
           "from curation.export import _Writer\nkill_on_call(_Writer, 'position', 2, after=True)")
    assert main(["--db", str(db), "jobs", "--json"]) == 0
    listed, err = capsys.readouterr()
    export = next(j for j in json.loads(listed)["jobs"] if j["kind"] == "export")
    assert export["state"] == "failed" and "killed or crashed" in export["error"]
    assert f"curation jobs resume {export['id']}" in err  # the note of the command that re-attached it
    assert main(["--db", str(db), "jobs", "resume", str(export["id"]), "--json"]) == 0
    resumed = json.loads(capsys.readouterr()[0])
    assert resumed["state"] == "done" and resumed["result"]["total"] == {"train": 108, "eval": 12}
    assert main(["--db", str(db), "jobs", "show", str(export["id"]), "--json"]) == 0
    shown = json.loads(capsys.readouterr()[0])
    assert shown["attempts"] == 2 and "attempt 2 started" in shown["log"] and "from checkpoint offset=0" in shown["log"]  # killed before chunk 1 committed
    assert main(["--db", str(db), "jobs", "resume", str(export["id"])]) == 2
    assert "already finished" in capsys.readouterr()[1]
    assert main(["--db", str(db), "jobs", "start", "export", "--settings", "{not json"]) == 2
    assert "--settings is not JSON" in capsys.readouterr()[1]


def test_the_store_lock_error_names_the_job_commands(tmp_path):
    db = tmp_path / "w.duckdb"
    Store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('open', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(UserError) as e:
            Store(db)
        assert "is open in another process" in str(e.value) and "Jobs page" in str(e.value)
        assert "`curation jobs resume ID`" in str(e.value)
    finally:
        holder.kill()
        holder.wait()


def test_an_evaluation_job_follows_its_pipeline_folder(tmp_path):
    """An evaluation started by the Compare page is recorded with its folder; the job reads its state from there
    (no model is loaded here: the folder is written as a pipeline writes it)."""
    from training.rundir import write_json

    store = Store(tmp_path / "w.duckdb")
    pdir = tmp_path / "pipelines" / "p1"
    pdir.mkdir(parents=True)
    stages = [{"name": n, "state": s, "message": "", "fraction": None, "started_at": None, "finished_at": None}
              for n, s in (("export", "skipped"), ("audit", "skipped"), ("train", "skipped"),
                           ("evaluate", "running"), ("compare", "pending"))]
    write_json(pdir / "status.json", {"state": "running", "stage": "evaluate", "stages": stages, "error": None,
                                      "run_dir": str(tmp_path / "run")})
    (pdir / "pid").write_text(str(2**22 + 11))  # its process is gone: killed mid-evaluation
    job_id = jobs.start(store, "evaluation", {"run_dir": str(tmp_path / "run"), "workspace": str(tmp_path),
                                              "folder": str(pdir)}, "lead")
    job = jobs.show(store, job_id)
    assert job["state"] == "failed" and "stopped during evaluate" in job["error"] and job["resumable"]
    assert (job["done"], job["total"]) == (0, 2)
    write_json(pdir / "status.json", {"state": "succeeded", "stage": None, "error": None, "run_dir": "r",
                                      "stages": [{**s, "state": "done" if s["state"] != "skipped" else "skipped"}
                                                 for s in stages]})
    store.jobs.update(job_id, state="running")  # as after a resume
    job = jobs.show(store, job_id)
    assert job["state"] == "done" and (job["done"], job["total"]) == (2, 2)
    assert job["result"]["pipeline_dir"] == str(pdir)


def test_generation_killed_mid_run_resumes_from_the_llm_cache_and_stores_its_samples_once(tmp_path):
    """Self-Instruct against a scripted endpoint: killed after the first paid answer was cached, the resumed job
    asks the endpoint only for what was not answered and stores its samples once."""
    from curation.taxonomy import add_type
    from tests.llm_support import ScriptedEndpoint, completion

    poems = [f"Write a short poem about {t} at dawn" for t in ("the sea", "a lake", "rooftops", "a field", "snow")]

    def script(body):
        prompt = body["messages"][-1]["content"]
        if "numbered list" in prompt:
            return 200, {}, completion("1. Compose a limerick about a cat who loves jazz\n"
                                       "2. Write a free-verse poem on the colour of silence\n"
                                       "3. Describe a lighthouse keeper's morning in a haiku sequence")
        return 200, {}, completion("A poem: " + prompt[:40])

    db = tmp_path / "w.duckdb"
    with Store(db) as s:
        rows = [{"task_type": "creative/poetry", "messages": [{"role": "user", "content": p},
                                                             {"role": "assistant", "content": "Light on water."}]}
                for p in poems]
        jobs.start(s, "import", {"paths": [str(write_jsonl(tmp_path / "p.jsonl", rows))]}, "t", background=False)
        add_type(s, "creative/poetry")
        s.taxonomy.set_target("creative", "poetry", count=8)
    with ScriptedEndpoint(script) as ep:
        settings = {"producer": "self-instruct", "settings": {"prompts_per_request": 5},
                    "endpoint": {"base_url": ep.base_url, "model": "scripted", "backoff_s": 0, "max_retries": 0,
                                 "concurrency": 1},
                    "run": {"task_type": "creative/poetry"}}
        # two requests for prompt lists, then one answer a prompt: killed once the first answer is cached
        killed(db, "generation", settings, "from curation.store.llm import LLM\n"
                                           "kill_on_call(LLM, 'add_response', 3, after=True)")
        before = len(ep.requests)
        assert before == 3
        with Store(db) as s:
            assert s.samples.count() == 5 and s.generation.runs.list() == []
        store, failed, done = reopen_and_resume(db)
        fresh = ep.requests[before:]
    assert len(done["result"]["inserted"]) == 3 and store.samples.count() == 8
    assert len(store.generation.runs.list()) == 1
    assert done["result"]["cached"] == 3 and len(fresh) == 2  # only the two answers not paid for before the kill
    assert not any("numbered list" in q["body"]["messages"][-1]["content"] for q in fresh)


def test_a_killed_cli_import_is_a_failed_job_that_curation_jobs_resume_finishes(tmp_path, data, capsys):
    """`curation ingest` runs its import as a job: kill -9 of the command mid-import, then `curation jobs resume`."""
    from curation.cli import main

    db = tmp_path / "w.duckdb"
    # one batch per file at the CLI's batch size: killed once the second file's batch is committed
    second = write_jsonl(tmp_path / "more.jsonl", records(150)[120:])
    script = (f"import os, signal, sys\nsys.path.insert(0, {str(ROOT)!r})\n"
              "from curation.store.samples import Samples\n"
              "original = Samples.add\ncalls = [0]\n"
              "def add(*a, **k):\n    calls[0] += 1\n    out = original(*a, **k)\n"
              "    if calls[0] == 2:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return out\n"
              "Samples.add = add\n"
              "from curation.cli import main\n"
              f"main(['--db', {str(db)!r}, 'ingest', {str(data)!r}, {str(second)!r}, '--dataset', 'cli'])\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == -9, proc.stderr[-2000:]
    with Store(db) as s:
        assert s.samples.count() == 150 and s.ingests.list() == []  # both files' rows in, the import not logged
    assert main(["--db", str(db), "jobs", "--json"]) == 0
    (job,) = json.loads(capsys.readouterr()[0])["jobs"]
    assert job["kind"] == "import" and job["state"] == "failed"
    assert main(["--db", str(db), "jobs", "resume", str(job["id"]), "--json"]) == 0
    out = json.loads(capsys.readouterr()[0])
    assert out["state"] == "done" and out["result"]["imported"] == 150 and out["result"]["already_present"] == 0
    with Store(db) as s:
        assert s.samples.count() == 150 and [i["imported"] for i in s.ingests.list()] == [150]


def test_judging_killed_mid_run_resumes_from_the_llm_cache_and_scores_each_sample_once(tmp_path):
    from tests.llm_support import ScriptedEndpoint
    from tests.test_judge import judgement_reply

    db = tmp_path / "w.duckdb"
    with Store(db) as s:
        jobs.start(s, "import", {"paths": [str(write_jsonl(tmp_path / "d.jsonl", records(6)))]}, "t",
                   background=False)
    with ScriptedEndpoint(judgement_reply) as ep:
        settings = {"endpoint": {"base_url": ep.base_url, "model": "scripted", "backoff_s": 0, "concurrency": 1}}
        killed(db, "judging", settings, "from curation.store.llm import LLM\n"
                                        "kill_on_call(LLM, 'add_response', 3, after=True)")
        assert len(ep.requests) == 3
        with Store(db) as s:
            assert s.judge.revisions_judged("judge:scripted", [r["id"] for r in s.samples.list()]) == {}
        store, failed, done = reopen_and_resume(db)
        assert len(ep.requests) == 6  # the three judgements paid for before the kill came from the cache
    assert done["result"]["judged"] == 6 and done["result"]["n_failed"] == 0
    judged = store.judge.revisions_judged("judge:scripted", [r["id"] for r in store.samples.list()])
    assert len(judged) == 6 and store.judge.count(author="judge:scripted") == 6  # one review per sample


def test_a_job_of_an_unknown_kind_is_failed_on_reattach_not_a_crash(tmp_path):
    store = Store(tmp_path / "w.duckdb")
    job_id = store.jobs.add("teleport", {}, "future", log_path=str(tmp_path / "x.log"))
    store.jobs.update(job_id, state="running", pid=os.getpid())
    (failed,) = jobs.reattach(store)
    assert failed["state"] == "failed" and "unknown job kind 'teleport'" in failed["error"]
    assert jobs.list_jobs(store)[0]["resumable"]
    with pytest.raises(UserError, match="unknown job kind"):
        jobs.resume(store, job_id)


CLI_KILLER = KILLER[:KILLER.index("{patch}")].replace("from curation.store import Store\nfrom curation import jobs\n", "") + """
{patch}
from curation.cli import main
main({argv!r})
"""  # the same kill_on_call, then the command instead of a job on a thread


def killed_cli(argv: list[str], patch: str) -> None:
    """Run `curation ARGV` in a fresh process that SIGKILLs itself where `patch` says; assert it died that way."""
    script = CLI_KILLER.format(root=str(ROOT), patch=textwrap.dedent(patch), argv=argv)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == -9, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])


def resume_from_cli(db: Path, kind: str, capsys) -> dict:
    """`curation jobs` lists the killed command's job as failed; `curation jobs resume ID` finishes it."""
    from curation.cli import main

    assert main(["--db", str(db), "jobs", "--kind", kind, "--json"]) == 0
    (job,) = json.loads(capsys.readouterr()[0])["jobs"]
    assert job["state"] == "failed" and "killed or crashed" in job["error"]
    assert main(["--db", str(db), "jobs", "resume", str(job["id"]), "--json"]) == 0
    out = json.loads(capsys.readouterr()[0])
    assert out["state"] == "done", out["error"]
    return out["result"]


@pytest.mark.parametrize("where", ["in-the-commit", "after-the-commit"])
def test_a_killed_log_import_resumes_to_what_an_uninterrupted_one_stores(tmp_path, capsys, where):
    """`curation logs import` runs as a job: killed while storing its candidates (nothing stays) or just after
    (everything stays), `curation jobs resume` ends with the candidates, quarantine and log row of one import."""
    from curation.cli import main

    lines = [{"request": {"model": "m", "messages": [{"role": "user", "content": f"My mail is a{i}@example.com, "
                                                                                  f"why does regex {i} fail?"}]},
              "response": {"choices": [{"message": {"role": "assistant", "content": f"Escape dot {i}."}}]}}
             for i in range(6)]
    log = tmp_path / "logs.jsonl"
    log.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{not json\n", encoding="utf-8")
    ref_db, db = tmp_path / "ref.duckdb", tmp_path / "w.duckdb"
    assert main(["--db", str(ref_db), "--json", "logs", "import", str(log)]) == 0
    expected = json.loads(capsys.readouterr()[0])
    assert expected["candidates"] == 6 and expected["quarantined"] == 1 and expected["redactions"]["email"] == 6
    patch = ("from curation.store.candidates import Candidates\nkill_on_call(Candidates, 'add', 1, after=True)"
             if where == "in-the-commit" else
             "from curation.store.jobs import Jobs\nkill_on_call(Jobs, 'commit_chunk', 1, after=True)")
    killed_cli(["--db", str(db), "logs", "import", str(log)], patch)
    with Store(db) as s:
        assert s.candidates.count(state=None) == (0 if where == "in-the-commit" else 6)
    result = resume_from_cli(db, "log-import", capsys)
    assert {k: v for k, v in result.items() if k != "ingest_id"} == {
        k: v for k, v in expected.items() if k != "ingest_id"}
    with Store(db) as s, Store(ref_db) as ref:
        assert ({c["id"] for c in s.candidates.list(state=None)} == {c["id"] for c in ref.candidates.list(state=None)})
        assert [i["imported"] for i in s.ingests.list()] == [6] and len(s.quarantine.list()) == 1


def test_a_killed_cli_dedup_resumes_and_stores_one_run(tmp_path, data, capsys):
    """`curation dedup` runs as a job: killed while storing its run, `curation jobs resume` stores it once."""
    from curation.cli import main

    db, ref = imported_store(tmp_path, data, "w"), imported_store(tmp_path, data, "ref")
    argv = ["dedup", "--method", "minhash", "--dataset", "raw"]
    assert main(["--db", str(ref), "--json", *argv]) == 0
    expected = json.loads(capsys.readouterr()[0])
    assert expected["run_id"] and "counts" in expected  # the run's whole report, as before it was a job
    killed_cli(["--db", str(db), *argv], "from curation.store.dedup import Dedup\n"
                                         "kill_on_call(Dedup, 'add_run', 1, after=False)")
    with Store(db) as s:
        assert s.dedup.runs.list() == []
    result = resume_from_cli(db, "dedup", capsys)
    assert result["report"]["counts"] == expected["counts"]
    with Store(db) as s:
        assert [r["id"] for r in s.dedup.runs.list()] == [result["run_id"]]


def test_a_killed_cli_generation_resumes_from_the_llm_cache(tmp_path, capsys):
    """`curation generate self-instruct` runs as a job: killed once its two prompt lists and first answer were
    paid for, `curation jobs resume` asks only for the two missing answers and stores three samples once."""
    from curation.taxonomy import add_type
    from tests.llm_support import ScriptedEndpoint, completion

    def script(body):
        prompt = body["messages"][-1]["content"]
        if "numbered list" in prompt:
            return 200, {}, completion("1. Compose a limerick about a cat who loves jazz\n"
                                       "2. Write a free-verse poem on the colour of silence\n"
                                       "3. Describe a lighthouse keeper's morning in a haiku sequence")
        return 200, {}, completion("A poem: " + prompt[:40])

    db = tmp_path / "w.duckdb"
    with Store(db) as s:
        rows = [{"task_type": "creative/poetry", "messages": [{"role": "user", "content": f"Write a poem about {t}"},
                                                             {"role": "assistant", "content": "Light on water."}]}
                for t in ("the sea", "a lake", "rooftops", "a field", "snow")]
        jobs.start(s, "import", {"paths": [str(write_jsonl(tmp_path / "p.jsonl", rows))]}, "t", background=False)
        add_type(s, "creative/poetry")
        s.taxonomy.set_target("creative", "poetry", count=8)
    with ScriptedEndpoint(script) as ep:
        killed_cli(["--db", str(db), "generate", "self-instruct", "--task-type", "creative/poetry",
                    "--base-url", ep.base_url, "--model", "scripted", "--max-retries", "0", "--concurrency", "1",
                    "--prompts-per-request", "5"],
                   "from curation.store.llm import LLM\nkill_on_call(LLM, 'add_response', 3, after=True)")
        before = len(ep.requests)
        assert before == 3
        result = resume_from_cli(db, "generation", capsys)
        fresh = ep.requests[before:]
    assert len(result["inserted"]) == 3 and result["cached"] == 3 and len(fresh) == 2
    with Store(db) as s:
        assert s.samples.count() == 8 and len(s.generation.runs.list()) == 1
