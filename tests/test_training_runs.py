"""Real (tiny) training runs as background processes: completion, kill + resume, cancel, and the Train page.

The offline tiny model is built once (about two minutes on two cores) and cached under
$SFT_WORKBENCH_CACHE (default ~/.cache/sft-workbench); every run here is a few optimiser steps.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

TRAIN_PAGE = Path(__file__).resolve().parents[1] / "pages" / "train.py"

pytestmark = pytest.mark.slow


def sample(k: int) -> dict:
    a, b = k % 17 + 2, k % 11 + 3
    if k % 3 == 0:
        return {"id": f"s{k:03d}", "task_type": "math/arithmetic", "messages": [
            {"role": "user", "content": f"What is {a} + {b}?"},
            {"role": "assistant", "content": f"{a} + {b} = {a + b}. The answer is {a + b}."}]}
    if k % 3 == 1:
        return {"id": f"s{k:03d}", "task_type": "chat/zh", "messages": [
            {"role": "system", "content": "你是一个乐于助人的助手。"},
            {"role": "user", "content": f"请把数字 {a} 写成中文。"},
            {"role": "assistant", "content": f"数字 {a} 的中文写法见下：第{a}号。"}]}
    return {"id": f"s{k:03d}", "task_type": "agent/tool", "tools": [
        {"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}], "messages": [
        {"role": "user", "content": f"Add {a} and {b}."},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function", "function": {
            "name": "add", "arguments": json.dumps({"a": a, "b": b})}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": json.dumps({"result": a + b})},
        {"role": "assistant", "content": f"The sum is {a + b}."}]}


def write_export(folder: Path, n_train: int = 48, n_eval: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, rows in (("train.jsonl", [sample(k) for k in range(n_train)]),
                       ("eval.jsonl", [sample(1000 + k) for k in range(n_eval)])):
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        files[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps({
        "format": "messages", "store_revision": 3, "seed": 42, "total": {"train": n_train, "eval": n_eval},
        "files": files, "content_hash": hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()}))
    return folder


QUICK = {"save_every": 2, "eval_prompts": 2, "gen_max_new_tokens": 8, "eval_max_samples": 6, "batch_size": 4}


@pytest.fixture(scope="module")
def tiny_model():
    from training.tiny import ensure_tiny

    return ensure_tiny()


@pytest.fixture
def export_dir(tmp_path):
    return write_export(tmp_path / "export")


def wait_for(predicate, timeout: float, what: str):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def train_steps(run_dir) -> list[int]:
    from training.jobs import metrics

    return [m["step"] for m in metrics(run_dir) if m["kind"] == "train"]


def test_tiny_run_writes_adapter_config_and_checkpoint_generations(tiny_model, export_dir, tmp_path):
    import training
    from training.jobs import generations, wait

    run = training.launch(export_dir, "tiny", tmp_path / "runs", {**QUICK, "max_steps": 4, "epochs": "auto"})
    st = wait(run, timeout=240)
    assert st["state"] == "succeeded", (st.get("reason"), (run / "log.txt").read_text()[-3000:])
    assert (run / "adapter" / "adapter_model.safetensors").exists()
    assert (run / "adapter" / "adapter_config.json").exists()
    record = json.loads((run / "run.json").read_text())
    assert record["total_steps"] == 4 and record["device"] == "cpu" and record["precision"] == "fp32"
    assert record["export_content_hash"] == json.loads((export_dir / "manifest.json").read_text())["content_hash"]
    assert record["versions"]["torch"] and record["versions"]["peft"]
    assert record["settings"]["epochs"] == 5 and record["settings"]["lora_alpha"] == 32  # auto: 48 samples
    config = json.loads((run / "config.json").read_text())
    assert config["base_model"] == "tiny" and config["settings"]["max_steps"] == 4
    assert train_steps(run) == [1, 2, 3, 4]
    gens = generations(run)
    assert sorted({g["step"] for g in gens}) == [0, 2, 4] and all(len([g for g in gens if g["step"] == s]) == 2
                                                                  for s in (0, 2, 4))
    assert all({"prompt", "reference", "output", "sample_id"} <= g.keys() for g in gens)
    evals = [m for m in training.jobs.metrics(run) if m["kind"] == "eval"]
    assert [e["step"] for e in evals] == [0, 2, 4] and all(e["eval_loss"] > 0 for e in evals)
    assert st["checkpoints"][-1] == "step-000004"


def test_kill_after_first_checkpoint_then_resume(tiny_model, export_dir, tmp_path):
    import training
    from training.jobs import status, wait

    run = training.launch(export_dir, "tiny", tmp_path / "runs", {**QUICK, "max_steps": 14, "eval_prompts": 0})
    wait_for(lambda: (run / "checkpoints" / "step-000002" / "state.json").exists(), 240, "the first checkpoint")
    pid = int((run / "pid").read_text())
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    st = wait_for(lambda: (s := status(run))["state"] == "failed" and s, 30, "the killed state")
    assert st["resumable"] and "resume" in st["reason"]
    steps_before = train_steps(run)
    assert steps_before and max(steps_before) < 14

    training.resume(run)
    st = wait(run, timeout=240)
    assert st["state"] == "succeeded", (st.get("reason"), (run / "log.txt").read_text()[-3000:])
    assert train_steps(run) == list(range(1, 15))  # each step once, none lost, none repeated
    assert json.loads((run / "run.json").read_text())["total_steps"] == 14
    assert "resumed from step-" in (run / "log.txt").read_text()


def test_cancel_stops_a_running_job(tiny_model, export_dir, tmp_path):
    import training
    from training.jobs import wait

    run = training.launch(export_dir, "tiny", tmp_path / "runs", {**QUICK, "save_every": 0, "max_steps": 5000,
                                                                  "eval_prompts": 0})
    wait_for(lambda: train_steps(run), 240, "the first step")
    training.cancel(run)
    assert wait(run, timeout=60)["state"] == "cancelled"
    st = wait_for(lambda: (s := training.status(run)) and not s["alive"] and s, 30, "the process to exit")
    assert st["state"] == "cancelled" and st["reason"] == "cancelled by the user"
    assert max(train_steps(run)) < 5000
    assert not (run / "adapter").exists()


def test_train_command_runs_and_waits(tiny_model, export_dir, tmp_path, capsys):
    import argparse

    from training.cli import add_train_parser, train_command

    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["train", "--export", str(export_dir), "--base-model", "tiny", "--out",
                              str(tmp_path / "runs"), "--set", "max_steps=2", "--set", "save_every=0",
                              "--set", "eval_prompts=0", "--set", "merge=true", "--wait", "--json"])
    out = train_command(args)
    assert out["state"] == "succeeded" and out["record"]["total_steps"] == 2
    json.dumps(out)  # the CLI prints it as one JSON document
    run = Path(out["run_dir"])
    assert (run / "merged" / "model.safetensors").exists() and out["record"]["merged_model"]

    from training.generation import generate
    from training.models import load_tuned
    from training.template import prompt_text

    tuned = load_tuned(run)  # base + the run's adapter, as evaluation loads it
    tok = tuned.tok.tokenizer
    answer = generate(tuned.model, tok, [prompt_text(tok, sample(0)["messages"])], max_new_tokens=4)
    assert isinstance(answer[0], str)
    audit = train_command(parser.parse_args(["train", "--export", str(export_dir), "--audit-only"]))
    assert audit["ok"] and audit["counts"]["train"] == 48


def test_train_page_launches_a_run_and_shows_progress(tiny_model, app_env, tmp_path):
    from streamlit.testing.v1 import AppTest

    from training.jobs import wait

    export = write_export(app_env.parent / "exports" / "tiny-export")
    at = AppTest.from_file(str(TRAIN_PAGE), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    at.text_input(key="train_export").input(str(export))
    at.text_input(key="train_set_max_steps").input("3")
    at.text_input(key="train_set_eval_prompts").input("1")
    at.button(key="train_audit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Audit passed" in s.value for s in at.success)
    assert any(df.value.shape[0] > 1 for df in at.dataframe)  # the first sample, trained tokens highlighted
    at.button(key="train_launch").click().run()
    assert not at.exception, [e.message for e in at.exception]
    launched = [s.value for s in at.success if s.value.startswith("Launched")]
    assert launched
    run = Path(launched[0].split("Launched ", 1)[1])
    assert wait(run, timeout=240)["state"] == "succeeded"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("succeeded" in s.value for s in at.success)
    assert any(m.label == "Step" and m.value == "3/3" for m in at.metric)
    assert any(m.label == "Tokens/s" for m in at.metric)


# ------------------------------------------------------------ resume hardening (issue 15 items 10, 11, 15)
def eval_steps(run_dir) -> list[int]:
    from training.jobs import metrics

    return [m["step"] for m in metrics(run_dir) if m["kind"] == "eval"]


def run_in_process(run_dir) -> int:
    """`training.runner.run` in this process (so a test can make one phase fail), SIGTERM handler restored."""
    from training import runner

    previous = signal.getsignal(signal.SIGTERM)
    try:
        return runner.run(Path(run_dir))
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_kill_before_the_first_checkpoint_then_resume_repeats_no_metric_line(tiny_model, export_dir, tmp_path):
    import training
    from training.jobs import status, wait

    run = training.launch(export_dir, "tiny", tmp_path / "runs", {**QUICK, "save_every": 0, "max_steps": 30,
                                                                  "eval_prompts": 1})
    wait_for(lambda: len(train_steps(run)) >= 2, 240, "two steps")
    os.killpg(os.getpgid(int((run / "pid").read_text())), signal.SIGKILL)
    st = wait_for(lambda: (s := status(run))["state"] == "failed" and s, 30, "the killed state")
    assert st["checkpoints"] == [] and eval_steps(run) == [0]

    training.resume(run)
    st = wait(run, timeout=240)
    assert st["state"] == "succeeded", (st.get("reason"), (run / "log.txt").read_text()[-3000:])
    total = json.loads((run / "run.json").read_text())["total_steps"]
    assert train_steps(run) == list(range(1, total + 1))  # started over: each step once
    assert eval_steps(run) == [0, total]
    assert sorted(g["step"] for g in training.jobs.generations(run)) == [0, total]


def test_crash_in_the_final_evaluation_then_resume_records_the_final_eval_loss(tiny_model, export_dir, tmp_path,
                                                                                monkeypatch):
    import training
    from training import runner
    from training.jobs import create_run

    run = create_run(export_dir, "tiny", tmp_path / "runs", {**QUICK, "max_steps": 4, "eval_prompts": 1})
    real = runner.Training._evaluate

    def killed_at_the_end(self, step):
        if step == 4:
            raise RuntimeError("killed during the final evaluation")
        real(self, step)

    monkeypatch.setattr(runner.Training, "_evaluate", killed_at_the_end)
    assert run_in_process(run) == 1
    assert (run / "checkpoints" / "step-000004" / "state.json").exists() and eval_steps(run) == [0, 2]
    record = json.loads((run / "run.json").read_text())
    assert record["finished"] is False and record["results"]["eval_loss_after"] is None  # marked incomplete

    monkeypatch.setattr(runner.Training, "_evaluate", real)
    assert run_in_process(run) == 0, (run / "status.json").read_text()
    evals = [m for m in training.jobs.metrics(run) if m["kind"] == "eval"]
    assert [e["step"] for e in evals] == [0, 2, 4]  # the final evaluation was done, once
    record = json.loads((run / "run.json").read_text())
    assert record["finished"] is True
    assert record["results"]["eval_loss_after"] == evals[-1]["eval_loss"]  # not step 2's stale value
    assert record["results"]["eval_loss_before"] == evals[0]["eval_loss"]


def reexport(export_dir: Path) -> str:
    """Write the export again with one sample fewer: a new content hash, as a re-export gives."""
    write_export(export_dir, n_train=47)
    return json.loads((export_dir / "manifest.json").read_text())["content_hash"]


def test_resume_after_a_reexport_is_refused_unless_allowed(tiny_model, export_dir, tmp_path):
    import argparse

    import training
    from curation.errors import UserError
    from training.cli import add_train_parser, train_command
    from training.jobs import create_run

    run = create_run(export_dir, "tiny", tmp_path / "runs", {**QUICK, "max_steps": 2, "eval_prompts": 0})
    launched = json.loads((run / "config.json").read_text())["export_content_hash"]
    (run / "status.json").write_text(json.dumps({"state": "failed", "reason": "killed"}))
    new = reexport(export_dir)
    assert new != launched
    with pytest.raises(UserError, match="allow-export-change"):
        training.resume(run)
    assert json.loads((run / "status.json").read_text())["state"] == "failed"  # nothing started

    assert run_in_process(run) == 1  # the runner itself refuses too, before any step
    assert "changed since this run used it" in json.loads((run / "status.json").read_text())["reason"]
    assert not (run / "metrics.jsonl").exists()

    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers(dest="command"))
    out = train_command(parser.parse_args(["train", "--resume", str(run), "--allow-export-change", "--wait"]))
    assert out["state"] == "succeeded", (out.get("reason"), (run / "log.txt").read_text()[-3000:])
    record = json.loads((run / "run.json").read_text())
    assert record["export_content_hash_at_launch"] == launched and record["export_content_hash"] == new
    assert [(c["from"], c["to"]) for c in record["export_changes"]] == [(launched, new)]
