"""Decontamination: which eval or benchmark items exactly or nearly duplicate a training sample of the run.

An eval item whose question the model saw in training measures memory, not skill, and inflates the tuned
score. Items are compared on their prompt (the user turns): the same question with a different answer is still
a leak. Exact matches are found on the normalised text (width, case, punctuation and spacing folded, as in
dedup); near matches by MinHash LSH over character shingles, confirmed with the exact shingle Jaccard.

This uses the same normalisation, key and shingles as the store's check in `curation/decontam.py`, but compares
against the run's own training file (what the adapter actually saw) rather than the store, and queries an
index of the training prompts instead of pairing everything with everything.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass


@dataclass
class DecontamSettings:
    """What counts as a leaked eval item."""

    # Character-shingle Jaccard at or above which an item is a near duplicate; the same default as the store's
    # decontamination check (curation/decontam.py): a missed leak costs more than a false alarm.
    threshold: float = 0.7
    ngram: int = 5  # shingle size in characters (after normalisation); 5 works for zh and en alike
    num_perm: int = 128  # MinHash permutations for the LSH candidate search
    exclude: bool = True  # leave flagged items out of the scores (they would inflate the tuned model)


def prompt_key(messages: list[dict]) -> str:
    """The text compared for leaks: the user turns, as dedup's "user" key (a shared system prompt would make
    unrelated items look alike)."""
    from curation.dedup.keys import key_text

    return key_text(messages, "user")


def find_contamination(eval_items: list[dict], train_items: list[dict],
                       settings: DecontamSettings | None = None) -> dict[str, dict]:
    """Eval items that duplicate a training item: eval id -> {train_id, kind: exact|near, similarity}.

    Items are dicts with "id" and "messages" (canonical samples, or benchmark items in that shape).
    """
    settings = settings or DecontamSettings()
    if not eval_items or not train_items:
        return {}
    from curation.dedup.normalise import normalise

    eval_texts = [normalise(prompt_key(e["messages"])) for e in eval_items]
    train_texts = [normalise(prompt_key(t["messages"])) for t in train_items]
    found = _exact(eval_items, eval_texts, train_items, train_texts)
    rest = [i for i, e in enumerate(eval_items) if e["id"] not in found and eval_texts[i]]
    found.update(_near(eval_items, eval_texts, rest, train_items, train_texts, settings))
    return found


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _exact(eval_items, eval_texts, train_items, train_texts) -> dict[str, dict]:
    by_hash: dict[str, str] = {}
    for item, text in zip(train_items, train_texts):
        if text:
            by_hash.setdefault(_digest(text), item["id"])
    out = {}
    for item, text in zip(eval_items, eval_texts):
        hit = by_hash.get(_digest(text)) if text else None
        if hit is not None:
            out[item["id"]] = {"train_id": hit, "kind": "exact", "similarity": 1.0}
    return out


def _near(eval_items, eval_texts, rest, train_items, train_texts, settings) -> dict[str, dict]:
    """MinHash LSH candidates (indexed a little below the threshold for recall), confirmed by exact Jaccard."""
    if not rest:
        return {}
    from datasketch import MinHash, MinHashLSH

    from curation.dedup.minhash import signatures
    from curation.dedup.shingles import jaccard, shingle_hashes

    n = settings.ngram
    train_sigs = signatures(train_texts, ngram=n, num_perm=settings.num_perm)
    eval_sigs = signatures([eval_texts[i] for i in rest], ngram=n, num_perm=settings.num_perm)
    lsh = MinHashLSH(threshold=max(0.05, settings.threshold - 0.1), num_perm=settings.num_perm)
    for j, sig in enumerate(train_sigs):
        if train_texts[j]:
            lsh.insert(str(j), MinHash(num_perm=settings.num_perm, hashvalues=sig, scheme="affine32"))
    out = {}
    for k, i in enumerate(rest):
        candidates = lsh.query(MinHash(num_perm=settings.num_perm, hashvalues=eval_sigs[k], scheme="affine32"))
        if not candidates:
            continue
        mine = shingle_hashes(eval_texts[i], n)
        best = max(((jaccard(mine, shingle_hashes(train_texts[int(c)], n)), int(c)) for c in candidates))
        if best[0] >= settings.threshold:
            out[eval_items[i]["id"]] = {"train_id": train_items[best[1]]["id"], "kind": "near",
                                        "similarity": round(best[0], 4)}
    return out


def settings_dict(settings: DecontamSettings | None = None) -> dict:
    """The settings as recorded in reports."""
    return asdict(settings or DecontamSettings())
