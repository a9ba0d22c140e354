"""Throughput of the special data checks against the existing pre-flag checks, in one run. Prints one JSON document.

Data: `--n` samples (default 100,000) cycled from real data: the shared corpora (LLaMA-Factory glaive tool calls,
alpaca_zh, identity, GSM8K; ../shared/corpora), the demo set (sample_data/demo.jsonl, with its RAG, agent,
multi-turn and complex-instruction samples), plus two kinds built from corpus text so that every special check
has work: RAG prompts whose documents are other corpus answers (with empty, conflicting and irrelevant
variants), and long-context prompts (~6,000 characters of GSM8K questions with the answer's source at the start,
middle or end). The mix is reported.

Measured, in one process, each over the same samples:
- `baseline`: the 8 built-in pre-flag checks (`curation.checks.builtin`), what every import already runs;
- `special`: the 4 special checks (agent_calls, instruction_constraints, long_context, rag_cases), each alone
  and all together; the import runs them with the built-ins, so `import_checks_factor` is (baseline + special)
  / baseline, the slowdown of the import's pre-flag step;
- `special_report`: `curation.special.analyse`, the per-task_type report of the Diversity page's Special tab;
- `form_collect`: the non-embedding part of the form-diversity report (pairs, positions, requested lengths);
- `real_data_only`: baseline against special on up to 20,000 samples of the real data alone (no built RAG or
  long-context samples), the factor an ordinary import pays.

    python benchmarks/special_checks.py [--n 100000]
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
SPECIAL = ("agent_calls", "instruction_constraints", "long_context", "rag_cases")
SEED = 18


def _corpus_samples() -> list[dict]:
    from curation.formats import convert
    out = []
    sources = [("llamafactory_glaive_toolcall_zh_demo.json", "sharegpt", "agent/function call"),
               ("llamafactory_alpaca_zh_demo.json", "alpaca", "general/alpaca_zh"),
               ("llamafactory_identity.json", "alpaca", "identity/self")]
    for name, fmt, tt in sources:
        path = CORPORA / name
        if path.exists():
            for rec in json.loads(path.read_text(encoding="utf-8")):
                conv = convert(rec, fmt, None, None)
                out.append({"task_type": tt, "messages": conv.messages, "tools": conv.tools, "tags": []})
    gsm = CORPORA / "gsm8k_train.jsonl"
    if gsm.exists():
        for line in gsm.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            out.append({"task_type": "reasoning/math", "tags": [], "messages": [
                {"role": "user", "content": rec["question"]}, {"role": "assistant", "content": rec["answer"]}]})
    return out


def _demo_samples() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "sample_data" / "demo.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{"task_type": r.get("task_type"), "messages": r["messages"], "tools": r.get("tools"), "tags": []}
            for r in rows]


def _built(base: list[dict], rng: random.Random, n_rag: int = 2000, n_long: int = 1000) -> list[dict]:
    """RAG and long-context samples from corpus text (documents and filler are real prompts and answers)."""
    texts = [m["content"] for s in base for m in s["messages"] if m["role"] == "assistant" and m.get("content")]
    questions = [s["messages"][0]["content"] for s in base if s["task_type"] == "reasoning/math"] or texts
    out = []
    for i in range(n_rag):
        docs = rng.sample(texts, 3)
        kind = i % 4
        if kind == 1:
            docs = []
        elif kind == 2:
            docs = [f"The bridge is {300 + i % 50} metres long and opened in 1932.",
                    f"The bridge is {400 + i % 50} metres long; it opened in 1932."]
        ctx = "\n".join(f"[{k + 1}] {d[:400]}" for k, d in enumerate(docs))
        out.append({"task_type": "RAG/built", "tags": [], "messages": [
            {"role": "user", "content": f"参考资料：\n{ctx}\n问题：{rng.choice(questions)[:120]}"},
            {"role": "assistant", "content": docs[0][:200] if docs else "资料中没有相关信息，无法回答。"}]})
    for i in range(n_long):
        filler = " ".join(rng.sample(questions, 30))[:6000]
        answer = rng.choice(texts)[:300]
        at = (0, len(filler) // 2, len(filler))[i % 3]
        out.append({"task_type": "long/built", "tags": [], "messages": [
            {"role": "user", "content": filler[:at] + "\n" + answer + "\n" + filler[at:] + "\nAnswer from the text."},
            {"role": "assistant", "content": answer}]})
    return out


def build(n: int, built: bool = True) -> tuple[list[dict], dict]:
    """`n` samples cycled from the sources (with the built RAG and long-context ones unless `built` is False), and
    the count per task_type."""
    rng = random.Random(SEED)
    base = _corpus_samples() + _demo_samples()
    if built:
        base += _built(base, rng)
    rng.shuffle(base)
    samples = [base[i % len(base)] for i in range(n)]
    return samples, dict(Counter(s.get("task_type") or "(untyped)" for s in samples).most_common())


def _length_context(samples: list[dict]) -> dict:
    """The verbose check's per-task_type length statistics, as `length_stats(store)` computes them."""
    import numpy as np
    by: dict[str, list[float]] = {}
    for s in samples:
        chars = sum(len(m.get("content") or "") for m in s["messages"] if m["role"] == "assistant")
        by.setdefault(s.get("task_type") or "(untyped)", []).append(math.log1p(chars))
    out = {}
    for tt, logs in by.items():
        a = np.asarray(logs)
        med = float(np.median(a))
        out[tt] = {"n": len(a), "median_log": med, "scale": max(1.4826 * float(np.median(np.abs(a - med))), 0.25),
                   "median_chars": int(round(math.expm1(med)))}
    return {"lengths": out}


def _timed(fn) -> tuple[object, dict]:
    """fn()'s result, with its wall and CPU seconds (CPU time is what the comparison uses: the benchmark machine
    is shared, and wall time then counts other processes' turns)."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2)}


def _time(checks: list, samples: list[dict], context: dict) -> dict:
    flagged, t = _timed(lambda: sum(any(c.find(s, context) for c in checks) for s in samples))
    cpu = max(t["cpu_s"], 1e-6)
    return {**t, "samples_per_s": round(len(samples) / cpu), "us_per_sample": round(cpu / len(samples) * 1e6, 1),
            "flagged_samples": flagged}


def run(n: int) -> dict:
    from curation.checks import CHECKS
    from curation.checks.builtin import (ArtefactCheck, EchoCheck, EmptyAnswerCheck, PunctuationCheck, RefusalCheck,
                                         TemplateLeftoverCheck, TruncationCheck, VerbosityCheck)
    from curation.form_diversity import FormSettings, collect
    from curation.special import analyse

    samples, mix = build(n)
    context = _length_context(samples)
    baseline = [c() for c in (PunctuationCheck, EmptyAnswerCheck, RefusalCheck, TruncationCheck, TemplateLeftoverCheck,
                              ArtefactCheck, VerbosityCheck, EchoCheck)]
    special = [CHECKS[name]() for name in SPECIAL]
    from curation.constraints import count_words
    count_words("预热分词词典")  # loads jieba's dictionary once (a worker process pays it once too)
    _time(baseline + special, samples[:2000], context)  # warm-up: imports, regex compilation, jsonschema caches
    out: dict = {"n": n, "python": platform.python_version(), "mix": mix}
    out["baseline"] = _time(baseline, samples, context)
    out["special"] = _time(special, samples, context)
    out["special"]["per_check"] = {c.name: _time([c], samples, context) for c in special}
    out["import_checks_factor"] = round((out["baseline"]["cpu_s"] + out["special"]["cpu_s"])
                                        / out["baseline"]["cpu_s"], 2)
    report, t = _timed(lambda: analyse(samples))
    out["special_report"] = {**t, "samples_per_s": round(n / max(t["cpu_s"], 1e-6)), "warnings": len(report["warnings"])}
    pools, t = _timed(lambda: collect(samples, FormSettings()))
    out["form_collect"] = {**t, "samples_per_s": round(n / max(t["cpu_s"], 1e-6)),
                           "pairs_to_embed": sum(len(v) for v in pools.turns.values())
                           + sum(len(v) for v in pools.systems.values())}
    # the same comparison on the real data alone (no built RAG or long prompts): what an ordinary import pays
    real, _ = build(min(n, 20_000), built=False)
    b, sp = _time(baseline, real, context), _time(special, real, context)
    out["real_data_only"] = {"n": len(real), "baseline": b, "special": sp,
                             "import_checks_factor": round((b["cpu_s"] + sp["cpu_s"]) / b["cpu_s"], 2)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="samples to check")
    args = ap.parse_args()
    print(json.dumps(run(args.n), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
