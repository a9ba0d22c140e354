"""Did curation help? A raw-vs-curated A/B: two one-click chains with the same base model, seed, settings and
eval set, one trained on the data as imported and one on the data as curated.

- raw: every sample in the scope (a filter without status, e.g. one dataset) at revision 0, as imported -
  rejected and duplicate samples included, template leftovers and wrong labels unfixed;
- curated: the same scope as it is now, not rejected and not a duplicate (the default training selection).

The eval set is one set of curated items, held out of both trainings: the samples marked `split=eval` in the
scope, or else (none marked) the export's stratified share of the curated selection. A held-out item whose
prompt exactly or nearly duplicates a training sample on either side is moved to training, so both runs score
the same clean items; a marked eval set that overlaps training is refused instead ("decontaminate first").

Both chains run through training/pipeline.py (the raw one first, the curated one after it, so they do not split
the CPU); nothing in the store is changed. The report pairs the two tuned models item by item:
curated - raw per task_type with a paired bootstrap CI, the base model's score beside it, the sample counts on
each side, and what curation changed between them (removed, edited, relabelled).

    WORKSPACE/ab/<stamp>/ab.json   the plan: scope, settings, both pipeline folders, counts, changes, eval ids
"""
from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path

from curation.errors import UserError

from .pipeline import (PipelineSettings, _new_dir, cancel_pipeline, pipeline_status, settings_from_dict,
                       start_with_export)
from .rundir import ACTIVE, read_json, wait_until_done, write_json
from .significance import paired_delta

ARMS = ("raw", "curated")
OVERALL = "(overall)"
MAX_MOVES = 5  # rounds of moving leaked held-out items to training (each round can only uncover a few more)


# ---------------------------------------------------------------- planning (in the caller's process)
def plan_ab(store, scope=None, settings: PipelineSettings | None = None) -> dict:
    """The two training selections and the shared eval set, without starting anything.

    Returns {"scope", "raw_train", "curated_train", "eval", "eval_source", "moved_to_train", "changes"}; bad
    input (no shared eval set, an eval set that overlaps training, an empty side) raises UserError.
    """
    from curation.store import NOT_CURATED, SampleFilter

    s = settings or PipelineSettings()
    scope = dataclasses.replace(scope or SampleFilter(), status=None, exclude_status=[], split=None, limit=None,
                                offset=0)
    current = list(store.samples.iter(scope))
    if not current:
        raise UserError(f"the scope {scope.to_dict() or '(whole store)'} holds no samples; import data or widen "
                        f"the filter")
    removed_states = set(NOT_CURATED)
    curated = [c for c in current if c["status"] not in removed_states]
    if not curated:
        raise UserError("every sample in the scope is rejected or a duplicate: the curated side would train on "
                        "nothing")
    raw = {c["id"]: (store.revisions.sample_at(c["id"], 0) if c["rev"] else c) for c in current}
    eval_ids, source = _eval_ids(current, curated, s)
    plan = _split(raw, curated, eval_ids)
    plan["moved_to_train"] = _decontaminate(plan, raw, curated, s, source)
    plan.update(scope=scope, eval_source=source, changes=curation_changes(current, raw, removed_states))
    return plan


def _eval_ids(current: list[dict], curated: list[dict], s: PipelineSettings) -> tuple[set, str]:
    from curation.export import assign_splits

    kept = {c["id"] for c in curated}
    marked = [c["id"] for c in current if c.get("split") == "eval"]
    if marked:
        shared = {i for i in marked if i in kept}
        if not shared:
            raise UserError(f"the raw and curated selections share no eval set: all {len(marked)} samples marked "
                            f"split=eval are rejected or duplicates, so the curated side has none of them; mark "
                            f"curated samples split=eval, or clear the marks to hold out a share automatically")
        return shared, "marked split=eval"
    split_of = assign_splits(curated, s.eval_fraction, s.seed, keep_existing=False)
    held = {i for i, sp in split_of.items() if sp == "eval"}
    if not held:
        raise UserError(f"the raw and curated selections share no eval set: an eval fraction of {s.eval_fraction} "
                        f"holds out nothing from {len(curated)} curated samples; raise the eval fraction or mark "
                        f"samples split=eval")
    return held, f"held out ({s.eval_fraction:.0%} of each curated task_type, seed {s.seed})"


def _split(raw: dict, curated: list[dict], eval_ids: set) -> dict:
    return {"eval": [c for c in curated if c["id"] in eval_ids],
            "raw_train": [r for i, r in raw.items() if i not in eval_ids],
            "curated_train": [c for c in curated if c["id"] not in eval_ids]}


def _decontaminate(plan: dict, raw: dict, curated: list[dict], s: PipelineSettings, source: str) -> int:
    """Move held-out items that leak into either training side to training; refuse leaks of a marked set."""
    from .contamination import find_contamination

    moved = 0
    for _ in range(MAX_MOVES):
        leaks = {**find_contamination(plan["eval"], plan["raw_train"], s.eval.decontam),
                 **find_contamination(plan["eval"], plan["curated_train"], s.eval.decontam)}
        if not leaks:
            return moved
        if source.startswith("marked"):
            eid, hit = next(iter(sorted(leaks.items())))
            raise UserError(f"the eval set overlaps training: {len(leaks)} of the {len(plan['eval'])} samples "
                            f"marked split=eval match a training sample (e.g. {eid} and {hit['train_id']}, "
                            f"{hit['kind']}); decontaminate first (`curation decontaminate` lists the pairs), "
                            f"then mark the matching samples split=eval too or reject them")
        moved += len(leaks)
        keep = {e["id"] for e in plan["eval"]} - set(leaks)
        plan.update(_split(raw, curated, keep))
        if not plan["eval"]:
            break
    if not plan["eval"] or leaks:
        raise UserError("the raw and curated selections share no eval set: every held-out item has an exact or "
                        "near duplicate in training; deduplicate first (`curation dedup`), or mark clean samples "
                        "split=eval")
    return moved


def curation_changes(current: list[dict], raw: dict, removed_states: set) -> dict:
    """What curation changed between revision 0 and now: removed (by status), edited, relabelled."""
    removed = Counter(c["status"] for c in current if c["status"] in removed_states)
    kept = [c for c in current if c["status"] not in removed_states]
    edited = [c["id"] for c in kept if (c["messages"], c.get("tools")) != (raw[c["id"]]["messages"],
                                                                          raw[c["id"]].get("tools"))]
    relabelled = [c["id"] for c in kept if c.get("task_type") != raw[c["id"]].get("task_type")]
    return {"samples": len(current), "removed": sum(removed.values()), "removed_by_status": dict(removed),
            "edited": len(edited), "relabelled": len(relabelled), "edited_ids": edited[:50],
            "relabelled_ids": relabelled[:50]}


# ---------------------------------------------------------------- starting
def start_ab(store, workspace, scope=None, settings: PipelineSettings | None = None,
             one_after_the_other: bool = True) -> Path:
    """Plan the A/B and start both chains (raw first, curated after it; `one_after_the_other=False` runs them at
    once, e.g. where many other jobs share the CPU anyway); returns the A/B folder."""
    from curation.export import write_samples

    from .config import apply_overrides, default_settings

    s = settings or PipelineSettings()
    apply_overrides(default_settings(s.base_model), s.overrides)  # a bad setting fails here, not in the background
    plan = plan_ab(store, scope, s)
    ws = Path(workspace)
    adir = _new_dir(ws / "ab")
    header = {"store": str(store.path), "store_revision": store.revision(), "filter": plan["scope"].to_dict(),
              "seed": s.seed, "eval_fraction": s.eval_fraction, "ab_dir": str(adir.resolve())}
    pdirs = {}
    for arm in ARMS:
        train = plan[f"{arm}_train"]
        what = ("revision 0 of every sample in the scope" if arm == "raw" else
                "the curated selection (not rejected, not duplicate, current revisions)")
        try:
            pdirs[arm] = start_with_export(
                ws, s, lambda out, t=train, a=arm, w=what: write_samples(out, t, plan["eval"], {
                    **header, "ab": {"arm": a, "selection": w}}),
                message=f"writing the {arm} selection", after=pdirs.get("raw") if one_after_the_other else None,
                label=f"A/B {arm}")
        except UserError:
            for started in pdirs.values():
                cancel_pipeline(started)
            raise
    write_json(adir / "ab.json", {
        "created_at": time.time(), "scope": plan["scope"].to_dict(), "settings": dataclasses.asdict(s),
        "pipelines": {a: str(p.resolve()) for a, p in pdirs.items()},
        "counts": {a: _counts(plan[f"{a}_train"]) for a in ARMS} | {"eval": _counts(plan["eval"])},
        "eval": {"source": plan["eval_source"], "moved_to_train": plan["moved_to_train"],
                 "ids": [e["id"] for e in plan["eval"]]},
        "changes": plan["changes"]})
    return adir


def _counts(samples: list[dict]) -> dict:
    by_type = Counter(x.get("task_type") or "(untyped)" for x in samples)
    return {"total": len(samples), "by_task_type": dict(sorted(by_type.items()))}


# ---------------------------------------------------------------- watching
def ab_status(adir) -> dict:
    """ab.json with both chains' status and one overall state (failed if either failed)."""
    adir = Path(adir)
    info = read_json(adir / "ab.json")
    if info is None:
        raise UserError(f"{adir} is not an A/B folder (no ab.json); start one with `curation ab start`")
    arms = {a: pipeline_status(p) for a, p in info["pipelines"].items()}
    states = [st["state"] for st in arms.values()]
    state = next((x for x in ("failed", "cancelled") if x in states), None) or (
        "running" if any(x in ACTIVE for x in states) else "succeeded")
    failed = next((f"{a}: {st['error']}" for a, st in arms.items() if st["state"] == "failed"), None)
    return {**info, "ab_dir": str(adir), "state": state, "error": failed, "arms": arms}


def wait_ab(adir, timeout: float | None = None, poll: float = 2.0) -> dict:
    """Block until both chains end (or `timeout` seconds pass)."""
    return wait_until_done(ab_status, adir, timeout, poll)


def reevaluate_ab(adir) -> dict:
    """Evaluate again the arms whose chain failed after training (e.g. in evaluate): one evaluate-and-compare
    pipeline per such arm on its finished run, with the A/B's eval settings; ab.json then points at them
    (the training pipeline stays listed under `trained_by`)."""
    from .pipeline import start_evaluation

    adir = Path(adir)
    st = ab_status(adir)
    info = read_json(adir / "ab.json")
    s = settings_from_dict(info["settings"])
    for arm, p in st["arms"].items():
        if p["state"] == "failed" and p.get("failed_stage") in ("evaluate", "compare") and p.get("run_dir"):
            info.setdefault("trained_by", {})[arm] = info["pipelines"][arm]
            info["pipelines"][arm] = str(start_evaluation(p["run_dir"], Path(p["pipeline_dir"]).parents[1],
                                                          s.eval).resolve())
    write_json(adir / "ab.json", info)
    return ab_status(adir)


def cancel_ab(adir) -> dict:
    """Stop both chains (and their training runs)."""
    for p in ab_status(adir)["pipelines"].values():
        cancel_pipeline(p)
    return ab_status(adir)


def list_abs(workspace) -> list[dict]:
    """A/B folders under the workspace, newest first."""
    root = Path(workspace) / "ab"
    return [ab_status(d) for d in sorted(root.iterdir(), reverse=True) if (d / "ab.json").exists()] \
        if root.is_dir() else []


# ---------------------------------------------------------------- the result
def ab_report(adir, mentions: str | None = None) -> dict:
    """curated - raw per task_type on the shared eval items, with paired bootstrap CIs, counts and changes.

    `mentions` (e.g. the product name put in by a find-and-replace) adds rows scoring each answer 1 when it
    contains that text (case-insensitive) and 0 otherwise: the share of answers that say it, on each side.
    """
    st = ab_status(adir)
    if st["state"] != "succeeded":
        raise UserError(f"the A/B has not succeeded yet (state {st['state']}"
                        + (f": {st['error']}" if st["error"] else "") + "); report it when both runs are done")
    paired = _paired_items(st)
    s = settings_from_dict(st["settings"])
    if mentions:
        said = mentions.casefold()
        paired = [it | {f"{k}_says": float(said in (it[f"{k}_output"] or "").casefold())
                        for k in ("base", "raw", "curated")} for it in paired]
    rows = []
    types = sorted({it["task_type"] for it in paired})
    for t in types + [OVERALL]:
        group = paired if t == OVERALL else [it for it in paired if it["task_type"] == t]
        rows.append(_row(t, "score" if t == OVERALL else group[0]["metric"], group, "", s))
        if mentions:
            rows.append(_row(t, f"mentions {mentions!r}", group, "_says", s))
    runs = {a: st["arms"][a].get("run_dir") for a in ARMS}
    return {"ab_dir": st["ab_dir"], "base_model": s.base_model, "seed": s.seed, "rows": rows,
            "counts": st["counts"], "eval": {**st["eval"], "paired": len(paired)}, "changes": st["changes"],
            "runs": runs, "steps": {a: _steps(r) for a, r in runs.items()}}


def _row(task_type: str, metric: str, group: list[dict], suffix: str, s: PipelineSettings) -> dict:
    d = paired_delta([it["raw" + suffix] for it in group], [it["curated" + suffix] for it in group], True,
                     s.eval.bootstrap)
    return {"task_type": task_type, "metric": metric, "base": _mean([it["base" + suffix] for it in group]),
            "raw": d["base"], "curated": d["tuned"], "delta": d["delta"], "ci_low": d["ci_low"],
            "ci_high": d["ci_high"], "n": d["n"], "verdict": _verdict(d["verdict"])}


def _verdict(v: str) -> str:
    return {"better": "curated better", "worse": "raw better"}.get(v, v)


def _paired_items(st: dict) -> list[dict]:
    """Eval items scored in both runs: the tuned scores of each side and the base score, on the primary metric."""
    from .evaluate import load_items

    sides = {a: {it["id"]: it for it in load_items(st["arms"][a]["run_dir"], "eval")
                 if not it.get("excluded") and it.get("base") and it.get("tuned")} for a in ARMS}
    out = []
    for iid, cur in sides["curated"].items():
        raw = sides["raw"].get(iid)
        if raw is None:
            continue
        m = cur["metrics"][0]
        out.append({"id": iid, "task_type": cur.get("task_type") or "(untyped)", "metric": m,
                    "prompt": cur["prompt"], "reference": cur["reference"],
                    "base": cur["base"]["scores"][m], "raw": raw["tuned"]["scores"][m],
                    "curated": cur["tuned"]["scores"][m], "base_output": cur["base"]["output"],
                    "raw_output": raw["tuned"]["output"], "curated_output": cur["tuned"]["output"]})
    if not out:
        raise UserError("the two runs scored no eval item in common (every item excluded on one side)")
    return out


def ab_side_by_side(adir, task_type: str | None = None, limit: int | None = None) -> list[dict]:
    """Per eval item: prompt, reference, base / raw / curated answers and scores; biggest curated gain first."""
    st = ab_status(adir)
    if st["state"] != "succeeded":
        raise UserError(f"the A/B has not succeeded yet (state {st['state']})")
    items = [it | {"delta": it["curated"] - it["raw"]} for it in _paired_items(st)
             if task_type is None or it["task_type"] == task_type]
    items.sort(key=lambda it: (-it["delta"], it["id"]))
    return items[:limit] if limit else items


def _steps(run_dir) -> int | None:
    if not run_dir:
        return None
    from .compare import run_summary

    return run_summary(run_dir).get("total_steps")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
