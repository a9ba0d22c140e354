"""Robustness data in the store: suggestions from the detectors, confirmed and hand-set tags, generated variants,
and the robustness share per task_type.

Detection writes *suggestions* (store.robustness), never tags. An annotator confirms a suggestion,
which adds the tag `robustness:<kind>` through store.samples.add_tag (a revision, so the sample's history records who and
when), or rejects it. Tags can also be set by hand. Generated variants are new pending samples linked to their
parent by `parent_id` and tagged `robustness:generated:<kind>`. Both kinds of tag make a sample protected
(curation/protection.py).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from .. import executors
from ..errors import UserError
from ..protection import GENERATED_PREFIX, is_protected
from ..store import NOT_CURATED, SampleFilter, Store, curated_filter, decode_sample, sample_from_row
from .detection import TAG_PREFIX
from .detectors import default_detectors, detect_sample, detector_names
from .generation import PERTURBATIONS, GenerationSettings, generate

DETECT_ACTOR = "auto:robustness-detect"
GENERATE_ACTOR = "auto:robustness-generate"
_COLUMNS = ("id", "dataset", "messages", "tools", "task_l1", "task_l2", "language", "tags", "status", "split",
            "content_hash", "parent_id")


def kind_tag(kind: str) -> str:
    """`robustness:<kind>` for a known kind; UserError otherwise."""
    kind = kind.removeprefix(TAG_PREFIX)
    if kind not in detector_names():
        raise UserError(f"unknown robustness kind {kind!r}; choose from {', '.join(detector_names())}")
    return TAG_PREFIX + kind


def _has_kind(sample: dict, kind: str) -> bool:
    tags = sample.get("tags") or []
    return TAG_PREFIX + kind in tags or GENERATED_PREFIX + kind in tags


# ---- detection ----

def detect_into_store(store: Store, f: SampleFilter | None = None, detectors: list | None = None,
                      author: str = DETECT_ACTOR, chunks=None, chunk_size: int = 5000) -> dict:
    """Run the detectors over the filtered samples and store their findings as open suggestions.

    A sample that already carries the kind (confirmed or generated) gets no suggestion for it; a suggestion that
    was rejected for the same content is not offered again. The samples go `chunk_size` at a time, each chunk's
    suggestions committed with `chunks`' checkpoint (a job's, see curation/jobs.py), so a killed detection
    resumes after its last committed chunk; the run is logged with the last chunk.
    """
    from ..chunks import Direct

    detectors = detectors if detectors is not None else default_detectors()
    chunks = chunks or Direct()
    f = f or SampleFilter()
    settings = {type(d).__name__: dataclasses.asdict(d.settings) for d in detectors}
    state = dict(chunks.checkpoint or {"offset": 0, "found": 0, "stored": 0, "by_kind": {},
                                       "run_id": store.robustness.runs.new_id()})
    total = store.samples.count(f)
    ex = executors.current(workers=1)  # local: in this process; ray: a batch of samples a work unit
    units = _after(store.samples.batches(f, batch_size=chunk_size, columns=_COLUMNS, arrow=ex.arrow_units),
                   state["offset"])
    for _, (seen, found) in ex.map(detect_unit, units, detectors, workers=1):
        by_kind = dict(state["by_kind"])
        for row in found:
            kind = row["tag"].removeprefix(TAG_PREFIX)
            by_kind[kind] = by_kind.get(kind, 0) + 1
        state = {**state, "offset": state["offset"] + seen, "found": state["found"] + len(found),
                 "by_kind": by_kind}
        run_id, stored = state["run_id"], state["stored"]
        state = chunks.commit(lambda n, state=state, stored=stored: {**state, "stored": stored + n},
                              state["offset"], total,
                              lambda found=found, run_id=run_id: store.robustness.add_suggestions(run_id, found),
                              message=f"{state['offset']:,} of {total:,} samples checked", returns="checkpoint")
    n = state["offset"]
    chunks.commit({**state, "logged": True}, n, total, lambda: store.robustness.runs.add(
        id=state["run_id"], author=author, kind="detect", filter=f.to_dict(), settings=settings, n_samples=n,
        n_results=state["found"]))
    return {"run_id": state["run_id"], "samples": n, "found": state["found"], "suggested": state["stored"],
            "by_kind": state["by_kind"], "settings": settings, "filter": f.to_dict()}


def _after(units, offset: int):
    """The work units after the first `offset` samples (those a resumed detection committed already); a unit the
    offset cuts is sliced."""
    done = 0
    for unit in units:
        n = len(unit[1]) if isinstance(unit, tuple) else unit.num_rows
        if done + n <= offset:
            done += n
            continue
        if done < offset:
            k = offset - done
            unit = (unit[0], unit[1][k:]) if isinstance(unit, tuple) else unit.slice(k)
        done += n
        yield unit


def detect_unit(batch, detectors: list) -> tuple[int, list[dict]]:
    """(samples seen, suggestion rows) of one batch of sample rows, `(columns, rows)` or Arrow (in a worker)."""
    if isinstance(batch, tuple):
        cols, raw = batch
        samples = [sample_from_row(cols, r) for r in raw]
    else:
        samples = [decode_sample(r) for r in batch.to_pylist()]
    rows = []
    for sample in samples:
        for d in detect_sample(sample, detectors):
            if not _has_kind(sample, d.kind):
                rows.append({"sample_id": sample["id"], "tag": d.tag, "confidence": d.confidence,
                             "reason": d.reason, "evidence": [e.to_dict() for e in d.evidence],
                             "detector": d.detector, "content_hash": sample["content_hash"]})
    return len(samples), rows


def suggestions(store: Store, state: str | None = "open", kind: str | None = None, limit: int | None = None,
                offset: int = 0) -> list[dict]:
    """Stored suggestions, most confident first (kind: typo, incomplete, code_mix or pinyin)."""
    return store.robustness.suggestions(state=state, tag=kind_tag(kind) if kind else None, limit=limit,
                                        offset=offset)


def _require_person(author: str) -> None:
    if not author or author.startswith("auto:"):
        raise UserError("confirming, rejecting and tagging robustness data is a person's decision; "
                        "give your name as author")


def confirm(store: Store, sample_id: str, kind: str, author: str, note: str | None = None) -> dict:
    """Confirm a suggestion: the sample gets the tag `robustness:<kind>` (a revision) and becomes protected."""
    _require_person(author)
    tag = kind_tag(kind)
    sample = store.samples.get(sample_id)
    open_ = store.robustness.suggestions(state="open", tag=tag, sample_ids=[sample_id])
    reason = open_[0]["reason"] if open_ else None
    updated = store.samples.add_tag(sample_id, tag, author, note or (f"confirmed suggestion: {reason}" if reason else
                                                              "robustness tag set by hand"))
    store.robustness.decide(sample_id, tag, "confirmed", author)
    return {"id": sample_id, "tag": tag, "tags": updated["tags"], "was_suggested": bool(open_),
            "already_tagged": tag in sample["tags"]}


def reject(store: Store, sample_id: str, kind: str, author: str) -> dict:
    """Reject a suggestion: it is closed (kept as rejected, so it is not suggested again) and no tag is set."""
    _require_person(author)
    tag = kind_tag(kind)
    store.samples.get(sample_id)
    n = store.robustness.decide(sample_id, tag, "rejected", author)
    if not n:
        raise UserError(f"sample {sample_id} has no open {tag} suggestion")
    return {"id": sample_id, "tag": tag, "rejected": n}


def decide_many(store: Store, decisions: list[tuple[str, str, str]], author: str) -> dict:
    """Apply (sample_id, kind, "confirm" | "reject") decisions; returns counts."""
    out = {"confirmed": 0, "rejected": 0}
    for sample_id, kind, verdict in decisions:
        if verdict == "confirm":
            confirm(store, sample_id, kind, author)
            out["confirmed"] += 1
        elif verdict == "reject":
            reject(store, sample_id, kind, author)
            out["rejected"] += 1
        else:
            raise UserError(f"a decision is confirm or reject, not {verdict!r}")
    return out


def tag_samples(store: Store, ids: list[str], kind: str, author: str, note: str | None = None) -> dict:
    """Set `robustness:<kind>` by hand on samples (also closes their open suggestion of that kind)."""
    _require_person(author)
    changed = [i for i in ids if confirm(store, i, kind, author, note or "robustness tag set by hand")
               ["already_tagged"] is False]
    return {"tag": kind_tag(kind), "tagged": len(changed), "ids": ids}


def untag_samples(store: Store, ids: list[str], kind: str, author: str, note: str | None = None) -> dict:
    """Remove a confirmed `robustness:<kind>` tag by hand (a revision); the sample is no longer protected by it."""
    _require_person(author)
    tag = kind_tag(kind)
    n = 0
    for i in ids:
        before = store.samples.get(i)
        if tag in before["tags"]:
            store.samples.remove_tag(i, tag, author, note or "robustness tag removed by hand")
            n += 1
    return {"tag": tag, "untagged": n, "ids": ids}


# ---- generation ----

def augment(store: Store, f: SampleFilter | None = None, settings: GenerationSettings | None = None,
            author: str = GENERATE_ACTOR, dry_run: bool = False) -> dict:
    """Generate robustness variants of clean samples and insert them as pending samples linked to their parent."""
    settings = settings or GenerationSettings()
    settings.check()
    f = f or curated_filter()
    samples = list(store.samples.iter(f, columns=_COLUMNS))
    for smp in samples:
        smp["task_type"] = smp.get("task_type")
    variants, the_plan = generate(samples, settings, is_protected)
    rows = [_sample_row(v) for v in variants]
    inserted = 0 if dry_run else store.samples.add_rows(rows)
    run_id = None if dry_run else store.robustness.runs.add(
        author=author, kind="generate", filter=f.to_dict(), settings=dataclasses.asdict(settings),
        n_samples=len(samples), n_results=inserted)
    return {"run_id": run_id, "dry_run": dry_run, "considered": len(samples), "generated": len(variants),
            "inserted": inserted, "plan": the_plan.per_task_type, "settings": dataclasses.asdict(settings),
            "variants": [{"id": v["id"], "parent_id": v["parent_id"], "task_type": v["task_type"],
                          "perturbation": v["perturbation"], "change": v["note"]} for v in variants]}


def _sample_row(v: dict) -> dict:
    """A variant as a store row: its derived columns by the one rule import and edits use (derived_fields), so a
    variant's language is detected from its own text (a mixed-language variant of a Chinese sample is `mixed`)."""
    from ..store import derived_fields, parse_task_type
    l1, l2 = parse_task_type(v.get("task_type"))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    d = derived_fields(v)
    return {
        "id": v["id"], "dataset": v["dataset"], "messages": v["messages"], "tools": v.get("tools"), "task_l1": l1,
        "task_l2": l2, "tags": v["tags"], "status": "pending", "split": None, "source_hash": d["content_hash"],
        "source": f"robustness:{v['perturbation']} of {v['parent_id']}", "ingest_id": None,
        "parent_id": v["parent_id"], "rev": 0, "created_at": now, "updated_at": now, **d,
    }


# ---- share ----

def share_by_task_type(store: Store, f: SampleFilter | None = None, target: float | None = None,
                       targets: dict[str, float] | None = None) -> list[dict]:
    """Robustness share per task_type against its target (rejected and duplicate samples don't count).

    Robustness data = samples with a confirmed or generated robustness tag (open suggestions don't count).
    `targets` overrides the common `target` (default: the generator's target share) for some task_types.
    """
    target = GenerationSettings().target_share if target is None else target
    base = f or SampleFilter()
    scope = dataclasses.replace(base, exclude_status=sorted(set(base.exclude_status) | set(NOT_CURATED)),
                                limit=None, offset=0)
    totals = _counts(store.samples.counts_by("task_type", scope))
    robust = _counts(store.samples.counts_by("task_type", dataclasses.replace(scope, tag=TAG_PREFIX + "*")))
    rows = []
    for task_type, total in sorted(totals.items()):
        t = (targets or {}).get(task_type, target)
        share = robust.get(task_type, 0) / total if total else 0.0
        rows.append({"task_type": task_type, "total": total, "robust": robust.get(task_type, 0),
                     "share": round(share, 4), "target": t, "below_target": t is not None and share < t})
    return rows


def _counts(rows: list[tuple]) -> dict[str, int]:
    out: dict[str, int] = {}
    for l1, l2, n in rows:
        key = f"{l1}/{l2}" if l1 and l2 else "(untyped)"
        out[key] = out.get(key, 0) + n
    return out


__all__ = ["DETECT_ACTOR", "GENERATE_ACTOR", "PERTURBATIONS", "augment", "confirm", "decide_many",
           "detect_into_store", "kind_tag", "reject", "share_by_task_type", "suggestions", "tag_samples",
           "untag_samples"]
