"""Evaluated run folders without a model: items with known outputs go through the real report writer.

Used by the compare tests and the Compare page AppTests, which must run in seconds.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from training.eval_sets import Suite
from training.evaluate import EvalSettings, _write_suite
from training.metrics import METRICS, metrics_for
from training.rundir import RunFolder, append_jsonl, write_json


def math_item(k: int, base_right: bool, tuned_right: bool) -> dict:
    answer = 10 + k
    return {"id": f"m{k:03d}", "task_type": "reasoning/math", "prompt": f"What is {k} + 10?",
            "reference": f"{k} + 10 = {answer}\n#### {answer}",
            "base_output": f"The answer is {answer if base_right else answer + 1}.",
            "tuned_output": f"{k} + 10 = {answer}\n#### {answer if tuned_right else answer - 1}"}


def text_item(k: int, tuned_better: bool) -> dict:
    ref = f"北京今天晴，最高气温{k}度，适合出门。"
    return {"id": f"t{k:03d}", "task_type": "translation/en→zh",
            "prompt": f"Translate: Beijing is sunny, {k} degrees.",
            "reference": ref, "base_output": "北京今天晴。",
            "tuned_output": ref if tuned_better else "Sunny."}


def make_items(n_math: int = 24, n_text: int = 12) -> list[dict]:
    """Math items where tuning fixes most answers (one regression), text items that mostly improve."""
    raw = [math_item(k, base_right=k % 4 == 0, tuned_right=k != 0) for k in range(n_math)]
    raw += [text_item(k, tuned_better=k % 6 != 5) for k in range(n_text)]
    items = []
    for r in raw:
        metrics = metrics_for(r["task_type"])
        messages = [{"role": "user", "content": r["prompt"]}, {"role": "assistant", "content": r["reference"]}]
        item = {"id": r["id"], "task_type": r["task_type"], "prompt": r["prompt"], "reference": r["reference"],
                "messages": messages, "tools": None, "metrics": metrics, "contaminated": None, "excluded": False}
        for label, out, loss in (("base", r["base_output"], 2.0), ("tuned", r["tuned_output"], 1.2)):
            item[label] = {"output": out, "loss": loss + sum(map(ord, r["id"])) % 7 / 100, "tokens": 10,
                           "scores": {m: METRICS[m](out, r["reference"]) for m in metrics}}
        items.append(item)
    items[-1].update(contaminated={"train_id": "x1", "kind": "exact", "similarity": 1.0}, excluded=True)
    return items


def make_run(runs_dir: Path, name: str = "run-a", items: list[dict] | None = None) -> Path:
    """A succeeded run folder with a loss curve and an evaluation of `items` (default make_items())."""
    rf = RunFolder(runs_dir / name)
    rf.path.mkdir(parents=True)
    write_json(rf.config, {"export_dir": str(runs_dir / "no-export"), "base_model": "tiny", "settings": {},
                           "export_content_hash": "abc", "created_at": time.time()})
    rf.write_status("succeeded", step=20, total_steps=20)
    for step in range(1, 21):
        append_jsonl(rf.metrics, {"kind": "train", "step": step, "total": 20, "loss": 3.0 - step * 0.05})
    for step in (0, 10, 20):
        append_jsonl(rf.metrics, {"kind": "eval", "step": step, "eval_loss": 2.5 - step * 0.03})
    write_json(rf.record, {"train_samples": 90, "eval_samples": len(items or make_items()), "total_steps": 20})
    suite = Suite("eval", "eval", "eval.jsonl", items=items or make_items())
    _write_suite(rf, suite, EvalSettings(), {"export_content_hash": "abc"}, {"do_sample": False}, {"device": "cpu"})
    return rf.path


def records_for_store(items: list[dict]) -> list[dict]:
    """The items as canonical samples, so regressions can be sent to review in a store."""
    return [{"id": it["id"], "task_type": it["task_type"], "messages": it["messages"]} for it in items]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path
