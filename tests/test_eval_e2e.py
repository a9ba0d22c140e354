"""End to end on CPU with the offline tiny model: store -> one-click pipeline (export, audit, train, evaluate,
compare) -> report with a row per task_type and an eval loss that fell beyond its CI -> the Compare page."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from curation.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sample_data" / "demo.jsonl"
PAGE = str(ROOT / "pages" / "compare.py")
NAMES = ["Lucy", "Omar", "小明", "Hana", "李雷", "Pedro", "Zoe", "王芳", "Ivan", "Mia"]
THINGS = ["stamps", "marbles", "books", "shells", "pencils", "stickers", "cards", "coins"]


def fallback_records(n_per_type: int = 60, seed: int = 3) -> list[dict]:
    """Three task types with varied wording (so templated prompts do not look like duplicates of each other)."""
    rng = random.Random(seed)
    out = []
    for k in range(n_per_type):
        name, thing = rng.choice(NAMES), rng.choice(THINGS)
        a, b, c = rng.randint(10, 500), rng.randint(2, 90), rng.randint(1, 9)
        q = rng.choice([f"{name} collects {thing}: {a} at first, then {b} more each week for {c} weeks. Total?",
                        f"If {name} had {a} {thing} and got {b} bags with {c} {thing} each, how many now?",
                        f"{name} 有 {a} 个{thing}，又买了 {b} 盒，每盒 {c} 个。现在一共有多少个？"])
        r = a + b * c
        out.append({"id": f"m{k}", "task_type": "reasoning/math", "messages": [
            {"role": "user", "content": q},
            {"role": "assistant", "content": f"{b} x {c} = {b * c}. {a} + {b * c} = {r}.\n#### {r}"}]})
        word = rng.choice(THINGS)
        n = rng.randint(2, 40)
        out.append({"id": f"r{k}", "task_type": "rewriting/uppercase", "messages": [
            {"role": "user", "content": f"Uppercase this: {name.lower()} owns {n} {word} and {rng.choice(THINGS)}"},
            {"role": "assistant", "content": f"{name.upper()} OWNS {n} {word.upper()}"}]})
        out.append({"id": f"g{k}", "task_type": "chat/greeting", "messages": [
            {"role": "user", "content": f"{rng.choice(['Hi', 'Hello', '你好', 'Hey'])}, I am {name}, {k} years old."},
            {"role": "assistant", "content": f"Nice to meet you, {name}! How can I help you today?"}]})
    return out


def _store(db: Path, tmp_path: Path) -> None:
    from curation.ingest import IngestSettings, ingest
    if DEMO.exists():
        files = [DEMO]
    else:
        files = [tmp_path / "fallback.jsonl"]
        files[0].write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in fallback_records()),
                            encoding="utf-8")
    with Store(db) as s:
        ingest(s, files, IngestSettings(dataset="demo"))


@pytest.mark.slow
def test_train_and_compare_end_to_end(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from training.evaluate import LOSS, OVERALL, load_reports
    from training.exports import load_export
    from training.pipeline import PipelineSettings, start_pipeline, wait_pipeline

    db = tmp_path / "ws.duckdb"
    _store(db, tmp_path)
    settings = PipelineSettings(base_model="tiny", eval_fraction=0.15,
                                overrides={"max_steps": 40, "save_every": 0, "eval_prompts": 2,
                                           "max_length": 384})
    settings.eval.max_items_per_type = 12
    settings.eval.max_new_tokens = 32
    with Store(db) as s:
        pdir = start_pipeline(s, tmp_path, settings=settings)
    status = wait_pipeline(pdir, timeout=900)
    log = (pdir / "log.txt").read_text(errors="replace") if (pdir / "log.txt").exists() else ""
    assert status["state"] == "succeeded", (status, log[-3000:])
    assert [st["state"] for st in status["stages"]] == ["done"] * 5

    [report] = load_reports(status["run_dir"])
    eval_types = {s["task_type"] or "(untyped)" for s in load_export(pdir / "export").eval}
    excluded_types = {c["id"] for c in report["contaminated"]}
    row_types = {r["task_type"] for r in report["rows"]} - {OVERALL}
    # A row for every task_type of the eval split that still has items after decontamination.
    assert row_types and row_types <= eval_types
    assert len(row_types) >= len(eval_types) - len(excluded_types)
    loss = next(r for r in report["rows"] if r["task_type"] == OVERALL and r["metric"] == LOSS)
    assert loss["ci_high"] < 0 and loss["verdict"] == "better", loss
    assert loss["tuned_perplexity"] < loss["base_perplexity"]
    assert (pdir / "comparison.json").exists()

    monkeypatch.setenv("CURATION_DB", str(db))
    monkeypatch.chdir(ROOT)
    import streamlit as st
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    table = at.dataframe[1].value
    assert set(table["task_type"]) >= row_types
    assert any("✅" in m.value and "compare" in m.value for m in at.markdown)
    st.cache_resource.clear()
