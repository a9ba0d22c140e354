"""benchmarks/gpu_check.py in its --smoke mode (toy shapes, CPU), so the CUDA check cannot rot unnoticed in CI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.py"


def _run(parts: str, tmp_path) -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--parts", parts, "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=900, cwd=ROOT)
    doc = json.loads(proc.stdout)  # stdout carries exactly one JSON document
    assert proc.returncode == (0 if doc["ok"] else 1)
    return doc


def test_smoke_generation_and_resume_with_eval_report(tmp_path):
    doc = _run("b,d", tmp_path)
    assert doc["mode"] == "smoke" and set(doc["parts"]) == {"generation", "resume_and_eval"}
    assert doc["ok"], json.dumps(doc["parts"], indent=1)[:3000]
    gen = doc["parts"]["generation"]
    assert gen["one_by_one_s"] > 0 and gen["batched_s"] > 0 and gen["generated_tokens_one_by_one"] > 0
    d = doc["parts"]["resume_and_eval"]
    assert d["first_stop"] == "cancelled" and d["resumed_from"] == 3 and d["final_state"] == "succeeded"
    assert d["checkpoints"][-1] == "step-000006" and d["eval_suites"] == 1
    assert "torch" in doc["imported_packages"]


@pytest.mark.slow
def test_smoke_training_comparison_and_embeddings(tmp_path):
    doc = _run("a,c", tmp_path)
    assert doc["ok"], json.dumps(doc["parts"], indent=1)[:3000]
    a = doc["parts"]["training"]
    for name in ("trainer_peft", "ours_equal_padding", "ours_packed"):
        assert a[name]["tokens_per_s"] > 0
    assert a["ratio_packed"] > 0 and a["meets_targets"].keys() == {"ratio_equal_padding", "ratio_packed"}
    assert doc["parts"]["embeddings"]["cpu"]["dim"] > 0
