"""Benchmark: dedup speed and quality, each against its named baseline in the same run.

    python benchmarks/dedup.py                  # default sections, 100k docs: a few minutes on 2 cores
    python benchmarks/dedup.py --million        # adds the 1,000,000-sample end-to-end run (child process)
    python benchmarks/dedup.py --quick          # 20k docs, small baselines: a smoke run
    python benchmarks/dedup.py --sections signatures,lsh

Sections (one JSON document on stdout, progress on stderr):
- signatures: MinHash signature throughput on the same 10,000 docs: naive datasketch (`MinHash.update` per
  shingle, the default SHA1 hash) vs our numpy signatures (target >= 40x) and rensa's flat-hash API when
  installed; plus a bit-identity check against datasketch fed our shingle hash.
- lsh: recall and precision on 100,000 zh+en docs with ~10% planted near-duplicates, for pairs whose exact
  Jaccard (recomputed independently with Python string sets) is >= 0.8; targets recall >= 0.95, precision
  >= 0.99. Baselines: plain LSH at the target threshold (9x13) and at 0.7 (14x9), both with confirmation.
- end_to_end: `run_dedup(store, "minhash")` over a store of N samples in a child process (its own peak RSS):
  100k by default, 1M with --million (targets <= 10 min, peak RSS <= 8 GB).
- semantic: neighbour search on 100,000 x 384 clustered vectors (target <= 60 s) and recall against exact brute
  force on a 10k subset (target >= 0.95), for exact blocked search and k-means partitions.
- embedding: `embed_texts` (cache, chunks, resumable) vs bare sentence-transformers `encode` on the same texts
  with the same model (target ratio >= 0.9).
- shingles: the shingle-size study behind the default (docs/dedup.md): real zh/en corpus texts with planted
  small edits (positives) vs distinct texts sharing a long prompt template (hard negatives), for n = 2..8.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
SECTIONS = ("signatures", "lsh", "end_to_end", "semantic", "embedding", "shingles")
TARGETS = {"signature_speedup": 40, "recall": 0.95, "precision": 0.99, "e2e_seconds_1m": 600, "e2e_rss_gb": 8,
           "semantic_seconds": 60, "semantic_recall": 0.95, "embedding_ratio": 0.9}


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def timed(fn, *a, **kw):
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t0


# ---------------------------------------------------------------- signatures
def bench_signatures(n_docs: int, n_naive: int) -> dict:
    from datasketch import MinHash

    from curation.dedup.minhash import signatures
    from curation.dedup.normalise import normalise
    from curation.dedup.shingles import shingle_hash64, shingles
    from curation.dedup.synthetic import planted_corpus

    texts = [normalise(t) for t in planted_corpus(n_docs, seed=11).texts]
    log(f"signatures: naive datasketch on {n_naive} docs")

    def naive(docs):
        out = []
        for t in docs:
            m = MinHash(num_perm=128)
            for s in shingles(t, 5):
                m.update(s.encode("utf-8"))
            out.append(m.hashvalues)
        return out

    _, t_naive = timed(naive, texts[:n_naive])
    naive_rate = n_naive / t_naive
    sig, t_np = timed(signatures, texts)
    np_rate = n_docs / t_np
    # Bit identity: datasketch with our shingle hash gives the same signature values.
    same = 0
    for i in range(0, n_docs, max(1, n_docs // 200)):
        m = MinHash(num_perm=128, hashfunc=lambda s: shingle_hash64(s, 5) & 0xFFFFFFFF)
        for s in shingles(texts[i], 5):
            m.update(s)
        same += bool(np.array_equal(m.hashvalues, sig[i]))
    checked = len(range(0, n_docs, max(1, n_docs // 200)))
    out = {"docs": n_docs, "naive_docs": n_naive, "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
           "naive_datasketch_docs_per_s": round(naive_rate, 1), "numpy_docs_per_s": round(np_rate, 1),
           "numpy_speedup": round(np_rate / naive_rate, 1), "target_speedup": TARGETS["signature_speedup"],
           "bit_identical_to_datasketch": f"{same}/{checked}"}
    try:
        import rensa  # noqa: F401
        _, t_r = timed(signatures, texts, backend="rensa")
        out.update(rensa_docs_per_s=round(n_docs / t_r, 1), rensa_speedup=round(n_docs / t_r / naive_rate, 1))
    except ImportError:
        out["rensa"] = "not installed"
    out["pass"] = out["numpy_speedup"] >= TARGETS["signature_speedup"] and same == checked
    return out


# ---------------------------------------------------------------- lsh quality
def _string_jaccard(a: str, b: str, n: int = 5) -> float:
    from curation.dedup.shingles import shingles

    sa, sb = set(shingles(a, n)), set(shingles(b, n))
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def bench_lsh(n_docs: int) -> dict:
    from curation.dedup.methods import MinHashSettings, minhash_pairs
    from curation.dedup.normalise import normalise
    from curation.dedup.synthetic import planted_corpus

    corpus = planted_corpus(n_docs, dup_share=0.1, seed=7)
    normed = [normalise(t) for t in corpus.texts]
    truth = {tuple(sorted(p)) for p in corpus.planted if _string_jaccard(normed[p[0]], normed[p[1]]) >= 0.8}
    out = {"docs": n_docs, "planted_pairs": len(corpus.planted), "planted_pairs_jaccard_ge_0.8": len(truth)}
    variants = {"default (index at threshold-0.2, 18x7)": None, "index at 0.7 (14x9)": 0.7,
                "plain LSH at 0.8 (9x13)": 0.8}
    for name, index in variants.items():
        log(f"lsh: {name}")
        res, secs = timed(minhash_pairs, corpus.texts, MinHashSettings(threshold=0.8, index_threshold=index))
        found = [(tuple(p), s) for p, s in zip(res.pairs.tolist(), res.sims.tolist()) if s >= 0.8]
        found_set = {p for p, _ in found}
        # Precision against an independent exact computation (Python sets of shingle strings).
        wrong = sum(1 for (i, j), _ in found if _string_jaccard(normed[i], normed[j]) < 0.8)
        out[name] = {"recall": round(len(truth & found_set) / max(len(truth), 1), 4),
                     "precision": round(1 - wrong / max(len(found), 1), 4), "pairs_reported": len(found),
                     "candidates": res.stats["candidates"], "seconds": round(secs, 2),
                     "confirm_seconds_per_10k_candidates": round(
                         res.stats["seconds"]["confirm"] / max(res.stats["candidates"], 1) * 1e4, 3),
                     "stage_seconds": res.stats["seconds"]}
    best = out["default (index at threshold-0.2, 18x7)"]
    out["pass"] = best["recall"] >= TARGETS["recall"] and best["precision"] >= TARGETS["precision"]
    return out


# ---------------------------------------------------------------- end to end
def build_store(path: Path, n: int) -> None:
    """A store of n samples (zh+en, ~10% planted near-duplicate prompts) inserted as Arrow batches."""
    import datetime

    import orjson
    import pyarrow as pa

    from curation.store import sample_arrow_schema
    from curation.store import SAMPLE_COLUMNS, Store
    from curation.dedup.synthetic import planted_corpus

    corpus = planted_corpus(n, dup_share=0.1, seed=3)
    now = datetime.datetime(2024, 1, 1)
    with Store(path) as store:
        for start in range(0, n, 100_000):
            rows = {c: [] for c in SAMPLE_COLUMNS}
            for i in range(start, min(n, start + 100_000)):
                msgs = [{"role": "user", "content": corpus.texts[i]}, {"role": "assistant", "content": f"answer {i}"}]
                vals = {"id": f"b{i:07d}", "dataset": "bench", "messages": orjson.dumps(msgs).decode(), "tools": None,
                        "task_l1": "bench", "task_l2": "dedup", "language": None, "tags": [], "status": "pending",
                        "split": None, "content_hash": f"h{i}", "source_hash": f"h{i}", "source": f"bench:{i + 1}",
                        "ingest_id": 1, "parent_id": None, "n_turns": 1, "has_system": False, "has_tools": False,
                        "prompt_chars": len(corpus.texts[i]), "answer_chars": len(msgs[1]["content"]), "rev": 0,
                        "created_at": now, "updated_at": now}
                for c in SAMPLE_COLUMNS:
                    rows[c].append(vals[c])
            store.samples.add(pa.table(rows, schema=sample_arrow_schema()))
            log(f"end_to_end: stored {min(n, start + 100_000)}/{n}")


def e2e_child(db: str) -> None:
    """Run in a child process: time run_dedup and report its own peak RSS."""
    from curation.dedup.runs import run_dedup
    from curation.store import Store

    with Store(db) as store:
        t0 = time.perf_counter()
        report = run_dedup(store, "minhash", author="bench")
        secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(json.dumps({"seconds": round(secs, 1), "peak_rss_gb": round(peak, 2), "counts": report["counts"],
                      "stats": report["stats"]}))


def bench_end_to_end(n: int) -> dict:
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks") as tmp:
        db = Path(tmp) / "bench.duckdb"
        _, build_s = timed(build_store, db, n)
        log(f"end_to_end: run_dedup over {n} samples")
        proc = subprocess.run([sys.executable, __file__, "--e2e-child", str(db)], capture_output=True, text=True)
        if proc.returncode:
            return {"samples": n, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
        child = json.loads(proc.stdout.strip().splitlines()[-1])
    scale = 1_000_000 / n
    return {"samples": n, "store_build_seconds": round(build_s, 1), **child,
            "target_seconds_at_1m": TARGETS["e2e_seconds_1m"], "target_peak_rss_gb": TARGETS["e2e_rss_gb"],
            "pass": (child["seconds"] * (scale if n < 1_000_000 else 1) <= TARGETS["e2e_seconds_1m"]
                     and child["peak_rss_gb"] <= TARGETS["e2e_rss_gb"]),
            "note": None if n >= 1_000_000 else "pass extrapolates time linearly to 1M; run --million to measure"}


# ---------------------------------------------------------------- semantic
def clustered_vectors(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Topic clusters with ~10% near-duplicates (cosine ~0.93-0.99 to their original)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 20, dim)).astype(np.float32)
    # Members of a topic sit at cosine ~0.88 from each other (similar, not duplicates).
    x = centres[rng.integers(0, len(centres), n)] + 0.37 * rng.normal(size=(n, dim)).astype(np.float32)
    dup = rng.choice(n, n // 10, replace=False)
    src = rng.integers(0, n, len(dup))
    noise = rng.uniform(0.1, 0.3, (len(dup), 1)).astype(np.float32)
    x[dup] = x[src] + noise * np.linalg.norm(x[src], axis=1, keepdims=True) * rng.normal(
        size=(len(dup), dim)).astype(np.float32) / np.sqrt(dim)
    return x


def bench_semantic(n: int, subset: int, exact_full: bool) -> dict:
    from curation.dedup.semantic import neighbour_pairs, normalise_rows

    x = clustered_vectors(n)
    xs = normalise_rows(x[:subset])
    truth = set()
    for i0 in range(0, subset, 2048):  # brute force, all pairs, on the subset
        s = xs[i0:i0 + 2048] @ xs.T
        r, c = np.nonzero(s >= 0.95)
        truth |= {(a + i0, b) for a, b in zip(r.tolist(), c.tolist()) if b > a + i0}
    out = {"vectors": n, "dim": x.shape[1], "threshold": 0.95, "subset": subset, "subset_true_pairs": len(truth)}
    # k-means partitions (what search=auto uses above 50k) on all n; the exact searches on all n only with
    # --exact-100k (minutes on 2 cores: n^2 dot products), otherwise on the subset for their speed per pair.
    for search in ("kmeans", "blocked", "faiss"):
        rows = x if search == "kmeans" or exact_full else x[:subset]
        log(f"semantic: {search} on {len(rows)} vectors")
        (pairs, _), secs = timed(neighbour_pairs, rows, 0.95, search)
        inside = {tuple(p) for p in pairs.tolist() if p[1] < subset}
        out[search] = {"vectors": len(rows), "seconds": round(secs, 2), "pairs": int(len(pairs)),
                       "recall_on_subset": round(len(truth & inside) / max(len(truth), 1), 4)}
    k = out["kmeans"]
    out["pass"] = k["seconds"] <= TARGETS["semantic_seconds"] and k["recall_on_subset"] >= TARGETS["semantic_recall"]
    return out


# ---------------------------------------------------------------- embedding throughput
def english_texts(n: int) -> list[str]:
    path = CORPORA / "gsm8k_train.jsonl"
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(x)["question"] for x in lines[:n]]
    rng = random.Random(0)
    words = "the a model data train answer question number apple river city year people water sun".split()
    return [" ".join(rng.choice(words) for _ in range(rng.randint(10, 60))) for _ in range(n)]


def bench_embedding(n: int) -> dict:
    from curation.embeddings import EmbeddingSettings, default_device, embed_texts, load_model
    from curation.store import Store

    texts = english_texts(n)
    model = load_model()
    model.encode(texts[:32], batch_size=64)  # warm-up: neither side pays for loading or first-call setup
    log(f"embedding: bare encode of {n} texts")
    _, bare = timed(model.encode, texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
                    show_progress_bar=False)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "e.duckdb") as store:
        log(f"embedding: embed_texts (cold cache) of {n} texts")
        _, ours = timed(embed_texts, store, texts, EmbeddingSettings())
        _, cached = timed(embed_texts, store, texts, EmbeddingSettings())
    ratio = (n / ours) / (n / bare)
    return {"texts": n, "device": default_device(), "bare_encode_texts_per_s": round(n / bare, 1),
            "embed_texts_per_s": round(n / ours, 1), "ratio": round(ratio, 3),
            "cached_rerun_texts_per_s": round(n / cached, 1), "target_ratio": TARGETS["embedding_ratio"],
            "pass": ratio >= TARGETS["embedding_ratio"]}


# ---------------------------------------------------------------- shingle study
TEMPLATES = ["把下面的中文翻译成英文，注意保持原文的语气和风格：", "请根据以下内容写一段简短的总结，不超过一百字：",
             "Solve the following grade-school math problem step by step and give the final answer: ",
             "Rewrite the following paragraph in a more formal tone, keeping every fact unchanged: "]


def _edit_chars(rng: random.Random, text: str, k: int) -> str:
    """k small character edits (substitute, insert, delete), in the text's own script."""
    from curation.text import has_cjk

    pool = "的了是在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可" if has_cjk(text) else "etaoinshrdlu"
    chars = list(text)
    for _ in range(k):
        pos, op = rng.randrange(len(chars)), rng.random()
        if op < 0.5:
            chars[pos] = rng.choice(pool)
        elif op < 0.75:
            chars.insert(pos, rng.choice(pool))
        elif len(chars) > 10:
            del chars[pos]
    return "".join(chars)


def _jaccard_n(a: str, b: str, n: int) -> float:
    from curation.dedup.normalise import normalise
    from curation.dedup.shingles import shingles

    sa, sb = set(shingles(normalise(a), n)), set(shingles(normalise(b), n))
    return len(sa & sb) / len(sa | sb)


def bench_shingles(n_pairs: int) -> dict:
    """For each shingle size: Jaccard of edited copies (light/medium/heavy edit density) vs hard negatives."""
    if not CORPORA.exists():
        return {"skipped": "../shared/corpora not present"}
    zh = [r["instruction"] + r.get("input", "") + r["output"] for r in
          json.loads((CORPORA / "llamafactory_alpaca_zh_demo.json").read_text(encoding="utf-8"))]
    en = [json.loads(x)["question"] for x in (CORPORA / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(5)
    docs = [t for t in zh if 40 <= len(t) <= 600] + [t for t in en if len(t) >= 80]
    log(f"shingles: {len(docs)} real zh/en texts, {n_pairs} pairs per set")
    densities = {"light (1 edit / 100 chars)": 100, "medium (1 / 50)": 50, "heavy (1 / 25)": 25}
    positives = {name: [] for name in densities}
    template_neg, random_neg = [], []
    for _ in range(n_pairs):
        t = rng.choice(docs)
        for name, per in densities.items():
            positives[name].append((t, _edit_chars(rng, t, max(1, round(len(t) / per)))))
        a, b = rng.sample(docs, 2)
        tpl = rng.choice(TEMPLATES)
        cut = rng.randint(15, 60)  # short varying content after a long shared instruction: monotony, not a dup
        template_neg.append((tpl + a[:cut], tpl + b[:cut]))
        random_neg.append((a, b))
    out = {"pairs_per_set": n_pairs, "threshold": 0.8, "by_ngram": {}}
    for n in range(2, 9):
        row = {}
        for name, pairs in positives.items():
            row[f"recall_at_0.8 {name}"] = round(float(np.mean([_jaccard_n(a, b, n) >= 0.8 for a, b in pairs])), 4)
        tj = np.array([_jaccard_n(a, b, n) for a, b in template_neg])
        rj = np.array([_jaccard_n(a, b, n) for a, b in random_neg])
        pj = np.array([_jaccard_n(a, b, n) for a, b in positives["medium (1 / 50)"]])
        row["recall_at_0.75 medium (1 / 50)"] = round(float((pj >= 0.75).mean()), 4)
        row.update({"template_negative_fpr_at_0.8": round(float((tj >= 0.8).mean()), 4),
                    "template_negative_p99_jaccard": round(float(np.quantile(tj, 0.99)), 3),
                    "template_negative_share_ge_0.6": round(float((tj >= 0.6).mean()), 4),
                    "random_pair_p99_jaccard": round(float(np.quantile(rj, 0.99)), 4),
                    "medium_positive_median_jaccard": round(float(np.median(pj)), 3)})
        row["lsh_candidates_on_corpus"] = _corpus_candidates(zh, en, n)
        out["by_ngram"][n] = row
    return out


def _corpus_candidates(zh: list[str], en: list[str], n: int) -> int:
    """LSH candidates (index at 0.6) among all real corpus texts: the confirmation work a shingle size causes."""
    from curation.dedup.methods import MinHashSettings, minhash_pairs

    return minhash_pairs(zh + en, MinHashSettings(ngram=n, lsh_backend="numpy")).stats["candidates"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--million", action="store_true", help="end-to-end on 1,000,000 samples (instead of 100k)")
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--exact-100k", action="store_true", help="also run exact semantic search on all 100k vectors")
    ap.add_argument("--e2e-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.e2e_child:
        return e2e_child(args.e2e_child)
    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    q = args.quick
    result = {"benchmark": "dedup", "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                                "platform": platform.platform()}, "targets": TARGETS}
    runners = {
        "signatures": lambda: bench_signatures(2_000 if q else 10_000, 300 if q else 10_000),
        "lsh": lambda: bench_lsh(20_000 if q else 100_000),
        "end_to_end": lambda: bench_end_to_end(1_000_000 if args.million else 20_000 if q else 100_000),
        "semantic": lambda: bench_semantic(20_000 if q else 100_000, 5_000 if q else 10_000, args.exact_100k),
        "embedding": lambda: bench_embedding(200 if q else 1_000),
        "shingles": lambda: bench_shingles(300 if q else 2_000),
    }
    for name in wanted:
        log(f"== {name}")
        result[name], secs = timed(runners[name])
        result[name]["section_seconds"] = round(secs, 1)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
