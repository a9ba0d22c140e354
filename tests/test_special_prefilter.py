"""The special checks' prefilters (constraint triggers, the RAG marker pre-test) change no result: the checks and
the extractor give exactly the same flags and constraints with them as with every rule run (PREFILTER = False)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from curation import constraints
from curation.checks import CHECKS, rag

ROOT = Path(__file__).resolve().parents[1]
SPECIAL = ("agent_calls", "instruction_constraints", "long_context", "rag_cases")

# prompts at the edges of the triggers: counts after verbs, nouns, ranges, quotes, odd case-folding letters
EDGE_PROMPTS = [
    "List 5 tips for sleeping well.", "Please give me 3 reasons to learn Rust.", "Name the top ten rivers.",
    "Write down seven ideas.", "I want 4 bullet points.", "Explain it in 2-3 sentences.", "Write a 500-word essay.",
    "Answer in 50+ words.", "Keep it under\n  100 words.", "Use the words \"ocean\" and 'tide'.",
    "Do not use any commas.", "Include the following keywords: sun, moon", "LIST 5 TIPS", "lİst 5 tips",
    "ſhare 3 ideas", "gıve 3 examples", "写一篇不少于200字的作文", "列出五个城市", "用以下关键词：春天，雨", "不要使用“非常”",
    "分三段写", "字数不少于300", "在飞机上可以做的五件事。", "Mike writes a 400-word essay. How long does it take?",
    "John's dog and Mary's cat share 3 bowls.", "Context: [1] The bridge is 300 m long.\nQuestion: how long?",
    "参考资料：\n[1] 地铁末班车23:30。\n[2] 地铁末班车22:30。\n问题：末班车几点？", "<context>nothing</context> What is it?",
]


def _flags(samples: list[dict]) -> list[list[tuple]]:
    checks = [CHECKS[name]() for name in SPECIAL]
    return [[(f.check, f.reason, f.evidence) for c in checks for f in c.find(s, {})] for s in samples]


def _constraints(prompts: list[str]) -> list[list[tuple]]:
    return [[(*c.key(), c.source) for c in constraints.extract_constraints(p)] for p in prompts]


def _both(monkeypatch, fn, items):
    fast = fn(items)
    monkeypatch.setattr(constraints, "PREFILTER", False)
    monkeypatch.setattr(rag, "PREFILTER", False)
    full = fn(items)
    monkeypatch.setattr(constraints, "PREFILTER", True)
    monkeypatch.setattr(rag, "PREFILTER", True)
    return fast, full


def _demo_samples() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "sample_data" / "demo.jsonl").read_text(encoding="utf-8").splitlines()]
    samples = [{"messages": r["messages"], "tools": r.get("tools")} for r in rows]
    # the edge prompts as samples, answered by a short text and by their own prompt
    for p in EDGE_PROMPTS:
        samples += [{"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": a}]}
                    for a in ("OK.", p)]
    return samples


def _labelled_prompts() -> list[str]:
    path = ROOT / "benchmarks" / "data" / "constraints_labelled.jsonl"
    return [json.loads(line)["prompt"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_demo_data_and_labelled_prompts_give_the_same_results(monkeypatch):
    samples = _demo_samples()
    fast, full = _both(monkeypatch, _flags, samples)
    assert fast == full
    assert sum(map(bool, full)) >= 7  # the demo set's instruction_constraints flags are there
    prompts = _labelled_prompts() + EDGE_PROMPTS + [m["content"] for s in samples for m in s["messages"]
                                                    if m["role"] == "user" and isinstance(m.get("content"), str)]
    fast, full = _both(monkeypatch, _constraints, prompts)
    assert fast == full
    assert sum(map(bool, full)) >= 80  # most labelled prompts ask for something checkable


def _corpus_samples(corpora: Path) -> list[dict]:
    from curation.formats import convert
    out = []
    for name, fmt in (("llamafactory_glaive_toolcall_zh_demo.json", "sharegpt"),
                      ("llamafactory_alpaca_zh_demo.json", "alpaca"), ("llamafactory_identity.json", "alpaca")):
        if (corpora / name).exists():
            for rec in json.loads((corpora / name).read_text(encoding="utf-8")):
                conv = convert(rec, fmt, None, None)
                out.append({"messages": conv.messages, "tools": conv.tools})
    if (corpora / "gsm8k_train.jsonl").exists():
        for line in (corpora / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()[:3000]:
            rec = json.loads(line)
            out.append({"messages": [{"role": "user", "content": rec["question"]},
                                     {"role": "assistant", "content": rec["answer"]}]})
    return out


def test_real_corpora_give_the_same_results(monkeypatch, corpora_dir):
    samples = _corpus_samples(corpora_dir)
    if not samples:
        pytest.skip("no corpus file")
    fast, full = _both(monkeypatch, _flags, samples)
    assert fast == full
    assert sum(map(bool, full)) >= 20  # alpaca_zh and glaive flags (docs/special_data.md)
