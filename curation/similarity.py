"""Semantic search served from the embedding cache: "find similar" for a sample, a free-text query, and the
nearest already-reviewed samples with their verdicts (so an annotator can stay consistent with colleagues).

The selection's prompts (dedup's `user` key) are compared through the vectors cached for the model; nothing of
the selection is encoded here. Only the probe is: a free-text query, or a sample whose prompt is not cached yet.
Every result says how much of the selection is embedded, so a caller can offer the background job
(an `embedding` job, `curation.stats.full_set_settings`) when it is not.
"""
from __future__ import annotations

import numpy as np

from curation import embeddings as emb
from curation.dedup.keys import sample_key_text
from curation.errors import UserError

REVIEWED = ("accepted", "rejected", "needs_fix")  # statuses a reviewer has set (pending = not reviewed yet)


def _selection(store, f) -> tuple[list[dict], list[str]]:
    rows, texts = [], []
    for s in store.samples.iter(f, columns=("id", "messages", "tools", "status", "task_l1", "task_l2")):
        text = sample_key_text(s, "user")
        if text.strip():
            rows.append({"id": s["id"], "status": s["status"],
                         "task_type": "/".join(x for x in (s.get("task_l1"), s.get("task_l2")) if x)})
            texts.append(text)
    return rows, texts


def nearest(store, probe: str, f=None, model: str = emb.DEFAULT_MODEL, k: int = 10,
            exclude: set[str] | None = None) -> dict:
    """The k samples of the selection whose cached prompt vectors are closest (cosine) to the probe text."""
    if k < 1:
        raise UserError(f"k must be at least 1, got {k}")
    if not probe.strip():
        raise UserError("the search text is empty")
    rows, texts = _selection(store, f)
    mid = emb.model_id(model)
    found = store.embeddings.get(mid, list({emb.text_hash(t) for t in texts}))
    keep = [i for i, t in enumerate(texts) if emb.text_hash(t) in found and rows[i]["id"] not in (exclude or set())]
    out = {"model": model, "selection": len(rows), "embedded": sum(emb.text_hash(t) in found for t in texts),
           "results": []}
    if not keep:
        return out
    q = _probe_vector(store, mid, probe, model)
    mat = np.stack([found[emb.text_hash(texts[i])] for i in keep])
    if mat.shape[1] != q.shape[0]:
        raise UserError(f"the cache holds {mat.shape[1]}-dimensional vectors for {model!r} but the model returns "
                        f"{q.shape[0]}: delete its vectors (`curation embeddings --delete` {model}) and embed again")
    sims = mat @ q
    top = np.argsort(-sims, kind="stable")[:k]
    out["results"] = [{**rows[keep[j]], "similarity": round(float(sims[j]), 4), "prompt": texts[keep[j]][:300]}
                      for j in top]
    return out


def _probe_vector(store, mid: str, probe: str, model: str) -> np.ndarray:
    """The probe's vector: from the cache when its text is embedded (a stored sample's prompt usually is, so a
    page showing "find similar" for every sample it opens never loads the model), else encoded now."""
    cached = store.embeddings.get(mid, [emb.text_hash(probe)])
    if cached:
        return np.asarray(next(iter(cached.values())), dtype=np.float32)
    return emb.encode([probe], emb.EmbeddingSettings(model=model))[0]


def similar_to(store, sample_id: str, f=None, model: str = emb.DEFAULT_MODEL, k: int = 10) -> dict:
    """"Find similar": the k nearest samples of the selection to one sample's prompt (itself left out)."""
    probe = sample_key_text(store.samples.get(sample_id), "user")
    return {"sample": sample_id, **nearest(store, probe, f, model, k, exclude={sample_id})}


def nearest_reviewed(store, sample_id: str, model: str = emb.DEFAULT_MODEL, k: int = 5) -> dict:
    """The k nearest samples a reviewer has already decided on, with their verdicts (status)."""
    from curation.store import SampleFilter

    return similar_to(store, sample_id, SampleFilter(status=list(REVIEWED)), model, k)
