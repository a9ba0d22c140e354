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
REAL_TYPO_PRECISION = 0.9  # issue 20: precision of typo suggestions on real English and Chinese prompts
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


# ---- real data: the detectors' suggestions on the public corpora, labelled by hand ----

REAL_LABELS = ROOT / "benchmarks" / "data" / "robustness_real_labels.jsonl"


def real_labels(path: Path = REAL_LABELS) -> dict[tuple, dict]:
    """(kind, corpus, record, word or None) -> label row. Every suggestion the typo detector made on the
    shared corpora, before and after issue 20, and every incomplete flag, read and labelled by hand (record
    numbers and words only: the corpora are not copied)."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {(r["kind"], r["corpus"], r["index"], r.get("word")): r for r in rows}


def _tally(found: list[tuple], labels: dict, truth: str) -> dict:
    """Precision of suggestions keyed like the labels; unlabelled suggestions are listed, not guessed."""
    right = sum(1 for k in found if k in labels and labels[k]["label"] == truth)
    wrong = sum(1 for k in found if k in labels and labels[k]["label"] != truth)
    return {"suggestions": len(found), "right": right, "wrong": wrong,
            "precision": _r(right / (right + wrong)) if right + wrong else None,
            "unlabelled": [list(k[1:]) for k in found if k not in labels]}


def real_typo(prompts: dict[str, list[str]], labels: dict) -> dict:
    """Typo suggestions on every record of the corpora, per language of the record (gsm8k: English; alpaca_zh,
    glaive: Chinese; identity: both), with precision against the hand labels and per corpus half."""
    from curation.robustness.prompt import text_turns
    from curation.robustness.detectors.typo import TypoDetector
    d = TypoDetector()
    found: dict[str, list[tuple]] = defaultdict(list)
    records = Counter()
    for file, texts in prompts.items():
        for i, text in enumerate(texts):
            lang = language(text)
            records[lang] += 1
            det = d.detect(text_turns(text))
            words = dict.fromkeys(e.text for e in det.evidence) if det else {}
            for part in (lang, f"{lang}:{half(file, i)}"):
                found[part] += [("typo", file, i, w) for w in words]
    out = {part: _tally(found.get(part, []), labels, "typo") for part in ("en", "zh", "en:test", "zh:test")}
    for lang in ("en", "zh"):
        out[lang]["records"] = records[lang]
    return out


def real_incomplete(prompts: dict[str, list[str]], labels: dict) -> dict:
    """Incomplete flags on every record of the corpora (nearly all complete prompts: a flag is a false positive
    unless the hand label says the record really is cut off)."""
    from curation.robustness.detectors.incomplete import IncompleteDetector
    from curation.robustness.prompt import text_turns
    d = IncompleteDetector()
    flagged = [("incomplete", file, i, None) for file, texts in prompts.items() for i, text in enumerate(texts)
               if d.detect(text_turns(text))]
    out = _tally(flagged, labels, "incomplete")
    out["records"] = sum(len(t) for t in prompts.values())
    out["false_positive_rate"] = _r(out["wrong"] / out["records"]) if out["records"] else None
    return out


# ---- held-out typo sample: misspellings people made, in text nobody here wrote (issue 20 item 21) ----

HELDOUT = ROOT / "benchmarks" / "data" / "typo_heldout.jsonl"
# Unknown words of the gsm8k test half that are real typos, by hand (every other unknown lower-case word there
# was read in context and is written as meant: "mph", "kombucha", "bonnies" (the problem's own fruit), "2/3rds").
NATURAL_EN_TYPOS = {"additinal": "additional", "cannisters": "canisters"}


def package_file(dist: str, rel: str) -> Path | None:
    """A data file shipped inside an installed package (codespell's misspelling list, pycorrector's SIGHAN set),
    found without importing the package; None when it is not installed (`pip install -e .[bench]`)."""
    import importlib.metadata as md
    try:
        path = Path(md.distribution(dist).locate_file(rel))
    except md.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def codespell_misspellings() -> dict[str, list[str]]:
    """correct word -> misspellings of it that people made (codespell's dictionary, collected from real text),
    kept when the misspelling is a non-word (unknown to the spell checker's dictionary and never seen by
    wordfreq) and has one correction: a real-word slip ("form" for "from") is out of any dictionary detector's
    reach and is not what this measures."""
    from curation.robustness import lexicon
    path = package_file("codespell", "codespell_lib/data/dictionary.txt")
    if path is None:
        return {}
    freq, out = lexicon.english_freq(), defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        wrong, _, fixes = line.partition("->")
        fixes = [f.strip() for f in fixes.split(",") if f.strip()]
        if (len(fixes) == 1 and wrong.isalpha() and wrong.islower() and fixes[0].isalpha()
                and wrong not in freq and lexicon.english_zipf(wrong) == 0):
            out[fixes[0]].append(wrong)
    return dict(out)


def sighan_rows() -> list[tuple[str, str]] | None:
    """SIGHAN-2015's Chinese spelling-check test set (sentences written by learners of Chinese, with their
    corrections), as pycorrector ships it in simplified characters; None when pycorrector is not installed."""
    path = package_file("pycorrector", "pycorrector/data/sighan2015_test.tsv")
    if path is None:
        return None
    return [tuple(line.split("\t")[:2]) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]


# SIGHAN corrections that missed an error, found when reading the detector's suggestions on the test half that the
# gold called wrong: row -> (written, corrected, context). Reported apart: precision against the gold as published,
# and against the gold with these added.
SIGHAN_AUDIT = {72: ("几", "际", "国几米兰队")}  # 国际米兰 (Inter Milan); the set's correction keeps 国几


def sighan_half(row: int) -> str:
    return "test" if hashlib.sha1(f"sighan2015\0{row}".encode()).digest()[0] % 2 else "dev"


def sighan_gold(src: str, tgt: str) -> list[list]:
    """[position, written, corrected] of each character the correction replaces (insertions and deletions in a
    few corrections are grammar, not spelling, and are left out)."""
    import difflib
    gold = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, src, tgt, autojunk=False).get_opcodes():
        if op == "replace" and a2 - a1 == b2 - b1:
            gold += [[a1 + k, src[a1 + k], tgt[b1 + k]] for k in range(a2 - a1) if src[a1 + k] != tgt[b1 + k]]
    return gold


def build_heldout(prompts: dict[str, list[str]], n_en: int = 400, seed: int = SEED, path: Path = HELDOUT) -> dict:
    """Write the held-out typo sample: test-half records only (the detector was developed on the dev half and the
    SIGHAN dev half), references only (record numbers and words; the texts stay in the corpora and packages)."""
    import random
    rng, items = random.Random(seed), []
    misspell = codespell_misspellings()
    file = "gsm8k_train.jsonl"
    idx = [i for i in range(len(prompts[file])) if half(file, i) == "test"]
    rng.shuffle(idx)
    for i in idx:
        words = [m for m in re.finditer(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])", prompts[file][i]) if m.group() in misspell]
        if not words:
            continue
        m = rng.choice(words)
        items.append({"id": f"en-codespell-{i}", "language": "en", "source": "codespell", "corpus": file, "index": i,
                      "start": m.start(), "word": m.group(), "typo": rng.choice(sorted(misspell[m.group()]))})
        if len(items) >= n_en:
            break
    items += _natural_en_items(prompts)
    rows = sighan_rows() or []
    for r in range(len(rows)):
        if sighan_half(r) == "test":
            it = {"id": f"zh-sighan-{r}", "language": "zh", "source": "sighan2015", "row": r, "gold": sighan_gold(*rows[r])}
            if r in SIGHAN_AUDIT:
                wrong, fix, context = SIGHAN_AUDIT[r]
                it["audit"] = [[rows[r][0].index(context) + context.index(wrong), wrong, fix]]
            items.append(it)
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    return dict(Counter(it["source"] for it in items))


def _natural_en_items(prompts: dict[str, list[str]]) -> list[dict]:
    """Every unknown lower-case word of the gsm8k test half, labelled by hand (`NATURAL_EN_TYPOS`)."""
    from curation.robustness import lexicon
    freq, file, out = lexicon.english_freq(), "gsm8k_train.jsonl", []
    for i, text in enumerate(prompts[file]):
        if half(file, i) != "test":
            continue
        for m in re.finditer(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])", text):
            if m.group() not in freq:
                fix = NATURAL_EN_TYPOS.get(m.group())
                out.append({"id": f"en-natural-{i}-{m.start()}", "language": "en", "source": "natural",
                            "corpus": file, "index": i, "start": m.start(), "word": m.group(),
                            "label": "typo" if fix else "correct", "expected": fix})
    return out


def load_heldout(path: Path = HELDOUT) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def heldout_typo(prompts: dict[str, list[str]], items: list[dict] | None = None) -> dict:
    """Precision and recall of the typo detector and of the naive baseline on the held-out sample, per source."""
    items = load_heldout() if items is None else items
    from curation.robustness.detectors.typo import TypoDetector
    from curation.robustness.prompt import text_turns
    detector = TypoDetector()

    def found(text: str) -> list[tuple[int, int]]:
        det = detector.detect(text_turns(text))
        return [(e.start, e.end) for e in det.evidence] if det else []
    out = {"codespell_en": _score_inserted([it for it in items if it["source"] == "codespell"], prompts, found),
           "natural_en": _score_natural([it for it in items if it["source"] == "natural"], prompts, found)}
    rows = sighan_rows()
    zh = [it for it in items if it["source"] == "sighan2015"]
    out["sighan2015_zh"] = _score_sighan(zh, rows, found) if rows else {"skipped": "pycorrector not installed"}
    audited = [{**it, "gold": it["gold"] + it.get("audit", [])} for it in zh]
    out["sighan2015_zh_audited"] = _score_sighan(audited, rows, found) if rows else None
    naive = _naive_spans()
    out["baseline_naive"] = {
        "codespell_en": _score_inserted([it for it in items if it["source"] == "codespell"], prompts, naive),
        "natural_en": _score_natural([it for it in items if it["source"] == "natural"], prompts, naive),
        "sighan2015_zh": _score_sighan(zh, rows, naive) if rows else None}
    out["note"] = ("codespell_en: one real misspelling (codespell's list of misspellings people made) put into each "
                   "of 400 gsm8k test-half prompts; every other suggestion there counts as wrong. natural_en: every "
                   "unknown lower-case word of the gsm8k test half, labelled by hand (2 real typos). sighan2015_zh: "
                   "the test half of SIGHAN-2015 (learners' real errors, pycorrector's copy); a suggestion is right "
                   "when it covers a corrected character; _audited adds the errors its gold missed (SIGHAN_AUDIT). "
                   "No detector setting was tuned on SIGHAN or on these records. Recall counts non-word typos "
                   "only for English.")
    return out


def _with_typo(it: dict, prompts: dict[str, list[str]]) -> str:
    text = prompts[it["corpus"]][it["index"]]
    assert text[it["start"]:it["start"] + len(it["word"])] == it["word"], it["id"]
    return text[:it["start"]] + it["typo"] + text[it["start"] + len(it["word"]):]


def _score_inserted(items: list[dict], prompts, found) -> dict:
    right = wrong = 0
    for it in items:
        hit = False
        for a, b in found(_with_typo(it, prompts)):
            if a <= it["start"] < b:
                hit = True
            else:
                wrong += 1
        right += hit
    return _pr(right, wrong, len(items), prompts=len(items))


def _score_natural(items: list[dict], prompts, found) -> dict:
    by_record = defaultdict(list)
    for it in items:
        by_record[it["index"]].append(it)
    right = wrong = 0
    for i, words in by_record.items():
        spans = found(prompts[words[0]["corpus"]][i])
        for it in words:
            if any(a <= it["start"] < b for a, b in spans):
                right, wrong = right + (it["label"] == "typo"), wrong + (it["label"] != "typo")
    return _pr(right, wrong, sum(it["label"] == "typo" for it in items), unknown_words=len(items))


def _score_sighan(items: list[dict], rows, found) -> dict:
    right = wrong = covered = flagged_right = flagged_wrong = 0
    gold_total = sum(len(it["gold"]) for it in items)
    for it in items:
        gold = [g[0] for g in it["gold"]]
        spans = found(rows[it["row"]][0])
        for a, b in spans:
            right, wrong = right + any(a <= g < b for g in gold), wrong + (not any(a <= g < b for g in gold))
        covered += sum(1 for g in gold if any(a <= g < b for a, b in spans))
        flagged_right += bool(spans) and bool(gold)
        flagged_wrong += bool(spans) and not gold
    res = _pr(right, wrong, gold_total, sentences=len(items), with_errors=sum(bool(it["gold"]) for it in items))
    res["recall"] = _r(covered / gold_total) if gold_total else None  # corrected characters a suggestion covers
    res["sentence_precision"] = _r(flagged_right / (flagged_right + flagged_wrong)) if flagged_right + flagged_wrong else None
    return res


def _pr(right: int, wrong: int, positives: int, **extra) -> dict:
    return {**extra, "positives": positives, "suggestions": right + wrong, "right": right, "wrong": wrong,
            "precision": _r(right / (right + wrong)) if right + wrong else None,
            "recall": _r(right / positives) if positives else None}


def _naive_spans():
    """The naive baseline's suggestions as spans: every word the dictionary lacks; every Chinese character that
    forms no dictionary word with a neighbour."""
    from curation.robustness import lexicon
    freq, words = lexicon.english_freq(), lexicon.zh_words()

    def spans(text: str) -> list[tuple[int, int]]:
        out = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", text) if m.group().lower() not in freq]
        for m in re.finditer(r"[\u4e00-\u9fff]+", text):
            run = m.group()
            out += [(m.start() + k, m.start() + k + 1) for k in range(len(run))
                    if len(run) > 1 and run[max(0, k - 1):k + 1] not in words and run[k:k + 2] not in words]
        return out
    return spans


# ---- calibration of the typo probability ----

def typo_rows(prompts: dict[str, list[str]], labels: dict, part: str, seed: int = SEED, n: int = 800) -> list:
    """(features, is_typo, source) for every English typo candidate, whatever its probability, on one corpus half:
    `n` gsm8k records with the generator's typos (its words are the positives, every other candidate a negative)
    and every record of every corpus as written (hand labels; an unlabelled candidate there counts as correct,
    as nearly all of them are). The detector's "written as meant" rules (`known_zipf`, `seen_zipf`,
    `unlikely_slip_gap`) are off here, so the fit sees the real words they exist for ("tech", "legos", "faire")."""
    import random
    from curation.robustness.generation import GenerationSettings, perturb_text, rng_for
    from curation.robustness.prompt import text_turns
    from curation.robustness.detectors.typo import TypoDetector, TypoSettings, typo_features
    # the detector's hard "written as meant" rules off: the fit must see the real words they exist for
    loose = TypoSettings(known_zipf=99.0, seen_zipf=99.0, unlikely_slip_gap=-99.0, min_probability=0.0)
    d, s, rows = TypoDetector(loose), GenerationSettings(), []
    file = "gsm8k_train.jsonl"
    idx = [i for i in range(len(prompts[file])) if half(file, i) == part]
    for i in random.Random(seed).sample(idx, min(n, len(idx))):
        p = perturb_text(prompts[file][i], "en_typo", rng_for(seed, f"calibrate-{i}", "en_typo"), s)
        if p is None:
            continue
        typos = {t.split(" <- ")[0] for t in p.note.split(", ")}
        for turn in text_turns(p.text):
            rows += [(typo_features(tok.lower, fix), tok.text in typos, "generated") for tok, fix, _ in
                     d.english_candidates(turn)]
    for file, texts in prompts.items():
        for i, text in enumerate(texts):
            if half(file, i) != part:
                continue
            for turn in text_turns(text):
                for tok, fix, _ in d.english_candidates(turn):
                    label = labels.get(("typo", file, i, tok.text), {}).get("label", "correct")
                    rows.append((typo_features(tok.lower, fix), label == "typo", "real"))
    return rows


def fit_logistic(rows: list, l2: float = 1.0, steps: int = 50) -> list[float]:
    """Logistic regression (Newton's method, a little L2) of is_typo on (1, gap, zipf, short, slip).

    Each source weighs the same in total: the generated typos are many, the real words few, and it is on real
    prompts that a wrong suggestion costs a reviewer's trust."""
    import numpy as np
    x = np.array([(1.0, *f) for f, _, _ in rows], dtype=float)
    y = np.array([float(t) for _, t, _ in rows])
    per_source = Counter(src for *_, src in rows)
    sw = np.array([len(rows) / (len(per_source) * per_source[src]) for *_, src in rows])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (sw * (p - y)) + l2 * w
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return [round(float(v), 3) for v in w]


def reliability(rows: list) -> dict:
    """Calibration on held-out candidates: per probability bin, the mean predicted p and the observed share of
    real typos; and the Brier score (mean squared error of p)."""
    from curation.robustness.detectors.typo import typo_probability
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    out, sq = {}, 0.0
    for lo, hi in bins:
        inside = [(typo_probability(*f), t) for f, t, _ in rows if lo <= typo_probability(*f) < hi]
        out[f"{lo:.1f}-{min(hi, 1):.1f}"] = {
            "n": len(inside), "mean_p": _r(sum(p for p, _ in inside) / len(inside)) if inside else None,
            "observed": _r(sum(t for _, t in inside) / len(inside)) if inside else None}
        sq += sum((p - t) ** 2 for p, t in inside)
    out["brier"] = _r(sq / len(rows)) if rows else None
    out["candidates"] = len(rows)
    return out


# ---- refusal pre-flag: the rule before issue 20 as the baseline ----

class LegacyRefusalCheck:
    """The refusal pre-flag before issue 20, kept here as the baseline: any apology in a short answer."""

    name = "refusal"
    _patterns = re.compile(
        r"\b(?:i'?m sorry|i am sorry|i apologi[sz]e|sorry, but|i can(?:no|')t (?:help|assist|provide|do|answer|"
        r"comply|fulfil)|i(?:'m| am) (?:unable|not able) to|i won'?t be able to|i must decline|i (?:have to|must) "
        r"refuse|as an ai\b[^.]{0,60}\b(?:can(?:no|')t|unable|not able))"
        r"|抱歉|对不起|很遗憾|我无法|我不能|我没办法|无法(?:为您|为你)?(?:提供|回答|完成|协助)|不能(?:为您|为你)?(?:提供|回答)"
        r"|作为一?个?(?:AI|人工智能)[^。]{0,20}(?:无法|不能)", re.I)

    def find(self, sample: dict, context: dict) -> list:
        return [a for a in sample["messages"] if a["role"] == "assistant" and not a.get("tool_calls")
                and len((a.get("content") or "").strip()) <= 300 and self._patterns.search(a.get("content") or "")]


def refusal_rates(root: Path = ROOT) -> dict:
    """The refusal pre-flag on the demo set, old rule and new, in one run: planted refusals
    (sample_data/planted.json) are the positives, every other sample a negative."""
    from curation.checks import RefusalCheck
    planted = set(json.loads((root / "sample_data" / "planted.json").read_text(encoding="utf-8"))
                  ["answer_flaws"]["refusal"])
    with open(root / "sample_data" / "demo.jsonl", encoding="utf-8") as f:
        samples = [json.loads(line) for line in f if line.strip()]
    out = {}
    for name, check in (("before", LegacyRefusalCheck()), ("after", RefusalCheck())):
        flagged = {s["id"] for s in samples if check.find(s, {})}
        fp = flagged - planted
        out[name] = {"flagged": len(flagged), "true": len(flagged & planted), "false": len(fp),
                     "false_positive_rate": _r(len(fp) / (len(samples) - len(planted))),
                     "false_in_customer_service": sum(1 for s in samples if s["id"] in fp
                                                      and "customer service" in (s.get("task_type") or "")),
                     "recall": _r(len(flagged & planted) / len(planted))}
    out["samples"], out["planted_refusals"] = len(samples), len(planted)
    return out


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
    ap.add_argument("--build-heldout", action="store_true", help="rewrite benchmarks/data/typo_heldout.jsonl")
    ap.add_argument("--calibrate", action="store_true", help="fit curation.robustness.detectors.typo.TYPO_CALIBRATION on "
                    "the dev half and print it")
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
    if args.build_heldout:
        print(json.dumps(build_heldout(prompts)))
        return 0
    labels = real_labels()
    if args.calibrate:
        rows = typo_rows(prompts, labels, "dev")
        print(json.dumps({"TYPO_CALIBRATION": fit_logistic(rows), "candidates": len(rows),
                          "typos": sum(t for _, t, _ in rows), "by_source": dict(Counter(s for *_, s in rows))}))
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
             "corpus": [i for i in items if i["split"] == "corpus"],
             "cutoff_issue20": [i for i in items if i["id"].startswith("natural-cutoff-")]}
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
        "real_data": {"typo": real_typo(prompts, labels), "incomplete": real_incomplete(prompts, labels),
                      "note": "every record of the shared corpora; suggestions labelled by hand in "
                              "benchmarks/data/robustness_real_labels.jsonl"},
        "typo_heldout": heldout_typo(prompts),
        "typo_calibration_test_half": reliability(typo_rows(prompts, labels, "test")),
        "refusal_demo": refusal_rates(),
        "targets": {**TARGETS, "real_typo": {"precision": REAL_TYPO_PRECISION}},
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
    # None: no suggestion on that language's real prompts, so there is no precision to compare
    real = {lang: result["real_data"]["typo"][lang]["precision"] for lang in ("en", "zh")}
    out = {f"real:typo:{lang}": None if p is None else p >= REAL_TYPO_PRECISION for lang, p in real.items()}
    held = result.get("typo_heldout", {})
    for key, part in (("heldout:typo:en", "codespell_en"), ("heldout:typo:zh", "sighan2015_zh_audited")):
        p = (held.get(part) or {}).get("precision")
        out[key] = None if p is None else p >= REAL_TYPO_PRECISION
    for part, scores in result["detectors"].items():
        if part == "demo":
            continue  # reported for information: seen during development, and its negatives are unreviewed
        for kind, target in TARGETS.items():
            if part == "cutoff_issue20" and kind != "incomplete":
                continue  # that set holds cut-off prompts and clean ones only
            got = result["english_typo"][part] if kind == "typo" else scores[kind]
            out[f"{part}:{kind}"] = all(got[m] is not None and got[m] >= v for m, v in target.items())
    return out


if __name__ == "__main__":
    sys.exit(main())
