"""Decontamination: do evaluation items leak into the training data?

Two checks, each with exact (after normalisation) and MinHash (exact shingle Jaccard, LSH for candidates):
- the eval split of the store against its train split;
- a benchmark file the user names (GSM8K-style `question`/`answer` JSONL, messages JSONL, Alpaca, ...) against
  every sample in the store (or a filter of them).

Every contaminated item is reported with each match: sample id, split, method, Jaccard and containment (the
share of the item's shingles found in the sample, high when a question was pasted into a longer prompt).
Export and evaluation call `decontaminate` / `contaminated_sample_ids`; the page and CLI show the report.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from curation.dedup.keys import sample_key_text
from curation.dedup.lsh import candidate_pairs, confirm_pairs, lsh_params, set_similarity, shingle_sets
from curation.dedup.methods import SIGNATURE_CHUNK
from curation.dedup.minhash import signatures
from curation.dedup.normalise import NormaliseSettings, normalise
from curation.errors import UserError
from curation.formats import load_records

TEXT_SHOWN = 1000  # characters of an item and of its match kept in the report
# Field pairs a benchmark record may use for (question, answer), tried in order.
QA_FIELDS = [("question", "answer"), ("problem", "solution"), ("prompt", "completion"), ("prompt", "response"),
             ("query", "response"), ("instruction", "output"), ("input", "target"), ("input", "output"),
             ("text", None)]


@dataclass
class DecontamSettings:
    """How items are compared with samples."""

    key: str = "user"  # user: item question vs sample prompts; assistant: item answer vs sample answers
    methods: list[str] = field(default_factory=lambda: ["exact", "minhash"])  # exact and/or minhash
    threshold: float = 0.7  # Jaccard at or above which a sample matches; below dedup's 0.8 because a missed
    # leak costs more than a false alarm (every match is shown to a person)
    ngram: int = 5  # character shingles, as in dedup
    num_perm: int = 128  # MinHash permutations
    normalise: NormaliseSettings = field(default_factory=NormaliseSettings)


@dataclass
class Item:
    """One evaluation item: its id, the text compared, and where it came from."""

    id: str
    text: str
    source: str


def load_benchmark(path: str | Path, key: str = "user") -> list[Item]:
    """Items of a benchmark file (JSONL, or a JSON array): question text for key=user, answer for assistant."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"benchmark file {p} does not exist" if not p.exists() else f"{p} is not a file")
    records = load_records(p)
    items, unusable = [], 0
    for n, rec in enumerate(records, 1):
        text = _record_text(rec, key) if isinstance(rec, dict) else None
        if text:
            rid = str(rec.get("id", n)) if isinstance(rec, dict) else str(n)
            items.append(Item(rid, text, f"{p.name}:{n}"))
        else:
            unusable += 1
    if not items:
        fields = ", ".join(f"{q}/{a}" if a else q for q, a in QA_FIELDS)
        raise UserError(f"{p}: no usable items ({unusable} records); each needs `messages` or one of: {fields}")
    return items


def _record_text(rec: dict, key: str) -> str | None:
    msgs = rec.get("messages") or rec.get("conversations")
    if isinstance(msgs, list) and msgs and isinstance(msgs[0], dict):
        turns = [{"role": {"human": "user", "gpt": "assistant"}.get(m.get("role") or m.get("from"),
                                                                   m.get("role") or m.get("from")),
                  "content": m.get("content", m.get("value"))} for m in msgs]
        return sample_key_text({"messages": turns}, key) or None
    for q, a in QA_FIELDS:
        if isinstance(rec.get(q), str) and rec[q].strip():
            if key == "assistant":
                return rec.get(a) if a and isinstance(rec.get(a), str) else None
            extra = rec.get("input") if q == "instruction" and isinstance(rec.get("input"), str) else ""
            return rec[q] + ("\n" + extra if extra else "")
    return None


def _match_pairs(queries: list[str], refs: list[str], s: DecontamSettings) -> list[tuple[int, int, str, float]]:
    """(query index, ref index, method, jaccard) for every match of normalised texts."""
    found: dict[tuple[int, int], tuple[str, float]] = {}
    if "exact" in s.methods:
        by_text: dict[str, list[int]] = {}
        for j, t in enumerate(refs):
            if t:
                by_text.setdefault(t, []).append(j)
        for i, t in enumerate(queries):
            for j in by_text.get(t, []) if t else []:
                found[(i, j)] = ("exact", 1.0)
    if "minhash" in s.methods and queries and refs:
        texts = queries + refs
        sig = np.concatenate([signatures(texts[k:k + SIGNATURE_CHUNK], s.ngram, s.num_perm)
                              for k in range(0, len(texts), SIGNATURE_CHUNK)])
        index_threshold = max(0.05, s.threshold - 0.2)
        cand = candidate_pairs(sig, index_threshold)
        nq = len(queries)
        cross = cand[(cand[:, 0] < nq) & (cand[:, 1] >= nq)]
        pairs, jac = confirm_pairs(texts, cross, s.ngram, s.threshold)
        for (i, j), sim in zip(pairs.tolist(), jac.tolist()):
            found.setdefault((i, j - nq), ("minhash", sim))
    return [(i, j, m, sim) for (i, j), (m, sim) in sorted(found.items())]


def _check(items: list[Item], refs: list[dict], ref_texts: list[str], s: DecontamSettings) -> list[dict]:
    qn = [normalise(it.text, s.normalise) for it in items]
    rn = [normalise(t, s.normalise) for t in ref_texts]
    matches = _match_pairs(qn, rn, s)
    involved = sorted({i for i, *_ in matches}), sorted({j for _, j, *_ in matches})
    qsets = dict(zip(involved[0], shingle_sets([qn[i] for i in involved[0]], s.ngram)))
    rsets = dict(zip(involved[1], shingle_sets([rn[j] for j in involved[1]], s.ngram)))
    report: dict[int, dict] = {}
    for i, j, method, sim in matches:
        entry = report.setdefault(i, {"item": items[i].id, "source": items[i].source,
                                      "text": items[i].text[:TEXT_SHOWN], "matches": []})
        r = refs[j]
        entry["matches"].append({
            "sample_id": r["id"], "dataset": r.get("dataset"), "split": r.get("split"), "status": r.get("status"),
            "method": method, "similarity": round(sim, 4),
            "containment": round(set_similarity(qsets[i], rsets[j])[1], 4), "text": ref_texts[j][:TEXT_SHOWN]})
    return [report[i] for i in sorted(report)]


def _store_refs(store, filter_, key: str) -> tuple[list[dict], list[str]]:
    refs, texts = [], []
    cols = ("id", "dataset", "split", "status", "messages")
    for smp in store.samples.iter(filter_, columns=cols):
        refs.append({k: smp.get(k) for k in ("id", "dataset", "split", "status")})
        texts.append(sample_key_text(smp, key))
    return refs, texts


def decontaminate(store, benchmark: str | Path | None = None, settings: DecontamSettings | None = None,
                  filter_=None, author: str = "cli", record: bool = True) -> dict:
    """Check a benchmark file against the store's samples, or (no file) the eval split against the train split.

    Returns a report with the settings, counts and every contaminated item with its matches; stored in the
    store's decontamination log when `record` is true.
    """
    from curation.store import SampleFilter

    s = settings or DecontamSettings()
    if s.key not in ("user", "assistant"):
        raise UserError(f"decontamination key must be user or assistant, got {s.key!r}")
    if not s.methods or set(s.methods) - {"exact", "minhash"}:
        raise UserError("decontamination methods must be exact and/or minhash")
    if benchmark is not None:
        items = load_benchmark(benchmark, s.key)
        refs, ref_texts = _store_refs(store, filter_ or SampleFilter(), s.key)
        source, against = str(benchmark), "all samples" if filter_ is None else "filtered samples"
    else:
        eval_refs, eval_texts = _store_refs(store, SampleFilter(split="eval"), s.key)
        items = [Item(r["id"], t, "eval split") for r, t in zip(eval_refs, eval_texts) if t]
        refs, ref_texts = _store_refs(store, SampleFilter(split="train"), s.key)
        source, against = "eval split", "train split"
    contaminated = _check(items, refs, ref_texts, s) if items and refs else []
    report = {"source": source, "against": against, "settings": dataclasses.asdict(s),
              "lsh": dict(zip(("bands", "rows"), lsh_params(max(0.05, s.threshold - 0.2), s.num_perm))),
              "counts": {"items": len(items), "samples": len(refs), "contaminated_items": len(contaminated),
                         "matched_samples": len({m["sample_id"] for c in contaminated for m in c["matches"]})},
              "contaminated": contaminated}
    if record:
        report["report_id"] = store.decontam.add(author=author, source=source, settings=report["settings"],
                                                 n_checked=len(items), n_contaminated=len(contaminated), report=report)
    return report


def contaminated_sample_ids(report: dict) -> set[str]:
    """Store samples that match an evaluation item in a report (training samples export may exclude)."""
    return {m["sample_id"] for c in report.get("contaminated", []) for m in c["matches"]}


def contaminated_item_ids(report: dict) -> set[str]:
    """Evaluation items that leak (eval sample ids for the eval-vs-train check; benchmark ids otherwise)."""
    return {c["item"] for c in report.get("contaminated", [])}
