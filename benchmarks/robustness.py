"""Robustness detectors: precision/recall per detector on a labelled set, and throughput. Prints one JSON document.

Labelled set (`benchmarks/data/robustness_labelled.jsonl`), two parts reported separately and together:
- `natural`: hand-written prompts (zh, en) with their labels, written before the detectors were tuned and kept
  out of tuning (the held-out set).
- `corpus`: references into the real corpora in ../shared/corpora (file, record, perturbation, seed). The text
  is rebuilt at run time (the corpora are never copied into the repo): the clean prompt itself, or the prompt
  perturbed by `curation.robustness.generation`. Clean references were reviewed by hand; a few corpus prompts
  are naturally incomplete or code-mixed and carry that label. Only records of the "test" half of each corpus
  (a hash of file and record number) are used here; detector development used the other half.

A third part, `demo`, is the demo data set shipped in sample_data/ (written by another author): the robustness
prompts planted in it (sample_data/planted.json) are the positives, every other demo sample a negative. Its
results were looked at once during development (and led to fixes), so it is not held out; it is reported because
its author is not the detectors' author.

Baseline (same run): naive detectors a newcomer would write (any unknown word is a typo; any Latin word in
Chinese text is code-mix; any pinyin-parsable word in Chinese text is pinyin; no final punctuation means cut off).

Throughput: all four detectors over 100,000 prompts drawn from the corpora (clean and perturbed), in one process
and in a pool of 2 processes (the target machine has 2 cores). Target: > 2,000 prompts/s.

    python benchmarks/robustness.py [--n-throughput 100000] [--workers 2] [--skip-throughput]
    python benchmarks/robustness.py --build-labelled   # rewrite the corpus references (keeps natural items)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
LABELLED = ROOT / "benchmarks" / "data" / "robustness_labelled.jsonl"
KINDS = ("typo", "incomplete", "code_mix", "pinyin")
TARGETS = {"typo": {"precision": 0.8}, "incomplete": {"precision": 0.85, "recall": 0.7},
           "code_mix": {"precision": 0.85, "recall": 0.7}, "pinyin": {"precision": 0.85, "recall": 0.7}}
SEED = 20240917
# Which perturbations build the corpus positives, per corpus language.
PERTURBATIONS = {"en": ("en_typo", "truncate"), "zh": ("zh_homophone", "truncate", "zh_pinyin", "zh_english")}


# ---- corpora ----

def corpus_prompts(corpora: Path = CORPORA) -> dict[str, list[str]]:
    """file name -> the user prompt of each record (first user turn for conversations)."""
    out: dict[str, list[str]] = {}
    with open(corpora / "gsm8k_train.jsonl", encoding="utf-8") as f:
        out["gsm8k_train.jsonl"] = [json.loads(line)["question"] for line in f if line.strip()]
    for name in ("llamafactory_alpaca_zh_demo.json", "llamafactory_identity.json"):
        recs = json.loads((corpora / name).read_text(encoding="utf-8"))
        out[name] = [(r["instruction"] + ("\n" + r["input"] if r.get("input") else "")).strip() for r in recs]
    recs = json.loads((corpora / "llamafactory_glaive_toolcall_zh_demo.json").read_text(encoding="utf-8"))
    out["llamafactory_glaive_toolcall_zh_demo.json"] = [
        next(c["value"] for c in r["conversations"] if c["from"] == "human") for r in recs]
    return out


def half(file: str, index: int) -> str:
    """'dev' or 'test': a stable split of every corpus record, so tuning never sees the reported records."""
    return "test" if hashlib.sha1(f"{file}\0{index}".encode()).digest()[0] % 2 else "dev"


def language(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def rebuild(item: dict, prompts: dict[str, list[str]]) -> str | None:
    """The text of a labelled item: natural text, or a corpus prompt (perturbed when the item says so)."""
    if "text" in item:
        return item["text"]
    source = prompts[item["corpus"]][item["index"]]
    if not item.get("perturbation"):
        return source
    from curation.robustness.generation import GenerationSettings, perturb_text, rng_for
    p = perturb_text(source, item["perturbation"], rng_for(item["seed"], item["id"], item["perturbation"]),
                     GenerationSettings())
    return p.text if p else None


def corpus_items(prompts: dict[str, list[str]], part: str, per_corpus: dict[str, int], seed: int) -> list[dict]:
    """Labelled references: for each corpus, clean records and perturbed records of the given half."""
    import random
    rng = random.Random(seed)
    items = []
    for file, n in per_corpus.items():
        idx = [i for i in range(len(prompts[file])) if half(file, i) == part and len(prompts[file][i]) >= 8]
        rng.shuffle(idx)
        chosen = idx[:n]
        for k, i in enumerate(chosen):
            lang = language(prompts[file][i])
            options = (None,) + PERTURBATIONS[lang]
            pert = options[k % len(options)]
            items.append({"id": f"corpus-{Path(file).stem}-{i}-{pert or 'clean'}", "split": "corpus",
                          "language": lang, "corpus": file, "index": i, "perturbation": pert, "seed": seed,
                          "labels": [] if pert is None else [_KIND[pert]]})
    return items


_KIND = {"en_typo": "typo", "zh_homophone": "typo", "truncate": "incomplete", "zh_pinyin": "pinyin",
         "zh_english": "code_mix"}


# ---- scoring ----

def demo_items(root: Path = ROOT) -> list[dict]:
    """The demo samples with the robustness kinds planted in them (sample_data/planted.json)."""
    planted = json.loads((root / "sample_data" / "planted.json").read_text(encoding="utf-8"))["robustness"]
    gold: dict[str, set] = defaultdict(set)
    for tag, entries in planted.items():
        for e in entries:
            gold[e["id"]].add(tag.removeprefix("robustness:"))
    items = []
    with open(root / "sample_data" / "demo.jsonl", encoding="utf-8") as f:
        for line in f:
            smp = json.loads(line)
            prompt = "\n".join(m["content"] for m in smp["messages"] if m["role"] == "user")
            items.append({"id": smp["id"], "split": "demo", "language": language(prompt),
                          "messages": smp["messages"], "labels": sorted(gold.get(smp["id"], ()))})
    return items


def score(items: list[dict], predict) -> dict:
    """Precision/recall per kind; items carry `text` (or `messages`) and `labels`."""
    counts = {k: Counter() for k in KINDS}
    for it in items:
        pred = predict(it)
        gold = set(it["labels"])
        for k in KINDS:
            if k in pred and k in gold:
                counts[k]["tp"] += 1
            elif k in pred:
                counts[k]["fp"] += 1
            elif k in gold:
                counts[k]["fn"] += 1
    out = {}
    for k, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        out[k] = {"precision": _r(p), "recall": _r(r), "tp": c["tp"], "fp": c["fp"], "fn": c["fn"]}
    return out


def _r(x):
    return None if x is None else round(x, 3)


def detector_predict():
    from curation.robustness.detectors import default_detectors, detect_sample, detect_text
    detectors = default_detectors()

    def predict(item: dict) -> set[str]:
        if "messages" in item:
            return {d.kind for d in detect_sample(item, detectors)}
        return {d.kind for d in detect_text(item["text"], detectors)}
    return predict


def typo_en_only(items, predict):
    """English typo precision on its own: the issue's target for typos is stated for English."""
    en = [it for it in items if it["language"] == "en"]
    return score(en, predict)["typo"]


def baseline_predict():
    """Naive detectors (see module docstring)."""
    from curation.robustness import lexicon
    freq = lexicon.english_freq()
    words = re.compile(r"[A-Za-z]+")

    def predict(item: dict) -> set[str]:
        text = item.get("text") or "\n".join(m["content"] or "" for m in item["messages"] if m["role"] == "user")
        out = set()
        toks = words.findall(text)
        zh = bool(re.search(r"[\u4e00-\u9fff]", text))
        if any(t.lower() not in freq for t in toks):
            out.add("typo")
        if zh and toks:
            out.add("code_mix")
        if zh and any(lexicon.segment_pinyin(t) for t in toks):
            out.add("pinyin")
        if text.rstrip()[-1:] not in set(".?!。？！\"”)）"):
            out.add("incomplete")
        return out
    return predict


# ---- throughput ----

def throughput_texts(prompts: dict[str, list[str]], n: int, seed: int) -> list[str]:
    """n prompts cycling through the corpora, a quarter of them perturbed (realistic review queues are mixed)."""
    import random
    from curation.robustness.generation import GenerationSettings, perturb_text, rng_for
    pool = [t for texts in prompts.values() for t in texts]
    rng = random.Random(seed)
    s = GenerationSettings()
    base = []
    for i, t in enumerate(rng.sample(pool, min(len(pool), 4000))):
        if i % 4 == 0:
            pert = rng.choice(PERTURBATIONS[language(t)])
            p = perturb_text(t, pert, rng_for(seed, str(i), pert), s)
            t = p.text if p else t
        base.append(t)
    return [base[i % len(base)] + ("" if i < len(base) else " " * (i // len(base) % 2)) for i in range(n)]


def _chunk_worker(texts: list[str]) -> tuple[int, float]:
    """Detections found and CPU seconds spent on a chunk (CPU time is what a shared machine can't inflate)."""
    from curation.robustness.detectors import default_detectors, detect_text
    detectors = default_detectors()
    t0 = time.process_time()
    found = sum(len(detect_text(t, detectors)) for t in texts)
    return found, time.process_time() - t0


def _warm(_=None) -> int:
    from curation.robustness.detectors import default_detectors, detect_text
    detect_text("我以经去了beijing和", default_detectors())
    detect_text("teh meeting is (", default_detectors())
    return 0


def measure_throughput(texts: list[str], workers: int) -> dict:
    """Prompts per second, resources loaded beforehand (a long-running app or CLI pays loading once).

    Wall-clock rates depend on what else runs on the machine; the CPU-time rate does not (much), so both are
    reported: `per_cpu_second` is what one free core does, and the target of 2,000/s on 2 cores needs 1,000.
    """
    _warm()
    t0 = time.perf_counter()
    _, cpu = _chunk_worker(texts)
    single = len(texts) / (time.perf_counter() - t0)
    out = {"prompts": len(texts), "single_process_per_s": round(single),
           "single_process_per_cpu_second": round(len(texts) / cpu) if cpu else None,
           "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}
    if workers > 1:
        import multiprocessing as mp
        ctx = mp.get_context("fork")
        with ctx.Pool(workers) as pool:
            pool.map(_warm, range(workers))
            chunks = [texts[i::workers * 8] for i in range(workers * 8)]
            t0 = time.perf_counter()
            results = pool.map(_chunk_worker, chunks)
            out[f"{workers}_processes_per_s"] = round(len(texts) / (time.perf_counter() - t0))
            cpu = sum(c for _, c in results)
            out[f"{workers}_processes_per_cpu_second_x{workers}"] = round(len(texts) / cpu * workers) if cpu else None
    return out


def baseline_throughput(texts: list[str]) -> int:
    predict = baseline_predict()
    predict({"text": "warm up"})
    t0 = time.perf_counter()
    for t in texts:
        predict({"text": t})
    return round(len(texts) / (time.perf_counter() - t0))


# ---- main ----

def load_labelled(path: Path = LABELLED) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_labelled(prompts, path: Path = LABELLED) -> dict:
    """Rewrite the corpus references of the labelled file (natural items and hand reviews are kept)."""
    existing = load_labelled(path) if path.exists() else []
    natural = [it for it in existing if it["split"] == "natural"]
    reviewed = {it["id"]: it for it in existing if it["split"] == "corpus" and it.get("reviewed")}
    per_corpus = {"gsm8k_train.jsonl": 150, "llamafactory_alpaca_zh_demo.json": 200,
                  "llamafactory_glaive_toolcall_zh_demo.json": 100, "llamafactory_identity.json": 20}
    items = corpus_items(prompts, "test", per_corpus, SEED)
    items = [reviewed.get(it["id"], it) for it in items]
    with open(path, "w", encoding="utf-8") as f:
        for it in natural + items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    return {"natural": len(natural), "corpus": len(items)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-throughput", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--build-labelled", action="store_true")
    args = ap.parse_args(argv)
    if not CORPORA.is_dir():
        print(json.dumps({"error": f"{CORPORA} not found; the benchmark needs the shared corpora"}))
        return 2
    t0 = time.perf_counter()
    _warm()  # dictionaries and indexes load once per process; report that cost apart from the rate
    load_s = round(time.perf_counter() - t0, 2)
    prompts = corpus_prompts()
    if args.build_labelled:
        print(json.dumps(build_labelled(prompts)))
        return 0
    items, skipped = [], 0
    for it in load_labelled():
        text = rebuild(it, prompts)
        if text is None:
            skipped += 1
            continue
        items.append({**it, "text": text})
    predict, naive = detector_predict(), baseline_predict()
    parts = {"all": items, "natural": [i for i in items if i["split"] == "natural"],
             "corpus": [i for i in items if i["split"] == "corpus"]}
    if (ROOT / "sample_data" / "planted.json").exists():
        parts["demo"] = demo_items()
    result = {
        "benchmark": "robustness_detectors",
        "labelled": {"items": len(items), "skipped_unbuildable": skipped,
                     "by_language": dict(Counter(i["language"] for i in items)),
                     "by_label": dict(Counter(",".join(i["labels"]) or "clean" for i in items)),
                     "by_split": {k: len(v) for k, v in parts.items() if k != "all"},
                     "demo_note": "demo = sample_data/demo.jsonl with planted.json labels; not held out"},
        "detectors": {k: score(v, predict) for k, v in parts.items()},
        "english_typo": {k: typo_en_only(v, predict) for k, v in parts.items()},
        "baseline_naive": {k: score(v, naive) for k, v in parts.items()},
        "targets": TARGETS,
    }
    result["meets_targets"] = _meets(result)
    if not args.skip_throughput:
        texts = throughput_texts(prompts, args.n_throughput, SEED)
        tp = measure_throughput(texts, args.workers)
        tp["resource_load_s"] = load_s
        tp["baseline_naive_single_process_per_s"] = baseline_throughput(texts[:20000])
        tp["target_per_s"] = 2000
        tp["meets_target_wall"] = tp.get(f"{args.workers}_processes_per_s", tp["single_process_per_s"]) > 2000
        tp["meets_target_cpu"] = (tp.get(f"{args.workers}_processes_per_cpu_second_x{args.workers}")
                                  or tp["single_process_per_cpu_second"] or 0) > 2000
        tp["cpu_count"] = os.cpu_count()
        result["throughput"] = tp
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _meets(result: dict) -> dict:
    out = {}
    for part, scores in result["detectors"].items():
        if part == "demo":
            continue  # reported for information: seen during development, and its negatives are unreviewed
        for kind, target in TARGETS.items():
            got = result["english_typo"][part] if kind == "typo" else scores[kind]
            out[f"{part}:{kind}"] = all(got[m] is not None and got[m] >= v for m, v in target.items())
    return out


if __name__ == "__main__":
    sys.exit(main())
