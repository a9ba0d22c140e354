"""Comparing runs: the before/after table of one or several runs, item-by-item outputs, and feedback to review.

Reads only run folders (eval reports written by training/evaluate.py, metrics.jsonl written by the runner); the
one write, "send regressions to review", goes through the Store like every other change to samples.
"""
from __future__ import annotations

from pathlib import Path

from curation.errors import UserError

from .evaluate import LOSS, OVERALL, load_items, load_reports
from .rundir import RunFolder, read_json, read_jsonl

CHANGES = ("worse", "better", "same")
REGRESSION_TAG = "regression:{run}"
TABLE_FIELDS = ("base", "tuned", "delta", "ci_low", "ci_high", "n", "verdict", "higher_is_better", "score_verdict",
                "base_degenerate", "tuned_degenerate", "tuned_runaway", "warning")


def run_summary(run_dir) -> dict:
    """What identifies a run next to its scores: name, base model, data size, settings that differ."""
    rf = RunFolder(Path(run_dir).expanduser())
    config = read_json(rf.config)
    if not config:
        raise UserError(f"{rf.path} is not a run folder (no config.json)")
    record = read_json(rf.record) or {}
    manifest = read_json(Path(config.get("export_dir", "")) / "manifest.json") or {}
    return {"run_dir": str(rf.path), "name": rf.path.name, "base_model": config.get("base_model"),
            "state": (rf.read_status() or {}).get("state"), "export_dir": config.get("export_dir"),
            "export_content_hash": config.get("export_content_hash"),
            "train_samples": record.get("train_samples", (manifest.get("total") or {}).get("train")),
            "eval_samples": record.get("eval_samples", (manifest.get("total") or {}).get("eval")),
            "filter": manifest.get("filter"), "total_steps": record.get("total_steps"),
            "results": record.get("results") or {}}


def eval_task_types(run_dirs) -> list[str]:
    """The task_types of the runs' eval splits, sorted: from each export's manifest, else from the run's
    earlier evaluation ("(untyped)" for untyped samples)."""
    types: set[str] = set()
    for run_dir in run_dirs:
        config = read_json(RunFolder(Path(run_dir).expanduser()).config) or {}
        export = config.get("export_dir")
        manifest = (read_json(Path(export) / "manifest.json") if export else None) or {}
        counts = (manifest.get("counts") or {}).get("eval")
        if counts:
            types.update(counts)
        else:
            types.update(it.get("task_type") or "(untyped)" for it in load_items(run_dir, "eval"))
    return sorted(types)


def compare_runs(run_dirs: list, suite: str | None = None) -> dict:
    """The comparison table of several runs: one row per (suite, task_type, metric), one column set per run.

    Runs without an evaluation are listed with `evaluated: false` so the caller can offer to evaluate them.
    """
    if not run_dirs:
        raise UserError("name at least one run folder to compare")
    runs, table = [], {}
    for k, run_dir in enumerate(run_dirs):
        summary = run_summary(run_dir)
        reports = [r for r in load_reports(run_dir) if suite is None or r["suite"] == suite]
        summary["evaluated"] = bool(reports)
        summary["suites"] = {r["suite"]: {"counts": r["counts"], "forgetting": r.get("forgetting"),
                                          "decoding": r.get("decoding"), "kind": r.get("kind"),
                                          "degeneracy": r.get("degeneracy")} for r in reports}
        runs.append(summary)
        for r in reports:
            for row in r["rows"]:
                key = (r["suite"], row["task_type"], row["metric"])
                entry = table.setdefault(key, {"suite": r["suite"], "task_type": row["task_type"],
                                               "metric": row["metric"], "runs": [None] * len(run_dirs)})
                entry["runs"][k] = {f: row.get(f) for f in TABLE_FIELDS} | _perplexities(row)
    rows = sorted(table.values(), key=_row_order)
    return {"runs": runs, "rows": rows}


def _perplexities(row: dict) -> dict:
    return {k: row[k] for k in ("base_perplexity", "tuned_perplexity") if k in row}


def _row_order(row: dict) -> tuple:
    # Suites in their natural order, task types alphabetically with the overall row last, loss after scores.
    return (row["suite"] != "eval", row["suite"], row["task_type"] == OVERALL, row["task_type"],
            row["metric"] == LOSS, row["metric"])


def flat_table(comparison: dict) -> list[dict]:
    """The comparison as flat records (one per row and run), for data frames and charts."""
    out = []
    for row in comparison["rows"]:
        for run, cell in zip(comparison["runs"], row["runs"]):
            if cell is not None:
                out.append({"run": run["name"], "suite": row["suite"], "task_type": row["task_type"],
                            "metric": row["metric"], **cell})
    return out


def degenerate_runs(comparison: dict) -> list[dict]:
    """The (run, suite) pairs whose tuned outputs are degenerate: {"run", "suite", "reasons"}."""
    return [{"run": r["name"], "suite": name, "reasons": (v.get("degeneracy") or {}).get("reasons")}
            for r in comparison["runs"] for name, v in (r.get("suites") or {}).items()
            if (v.get("degeneracy") or {}).get("verdict") == "degenerate"]


def wide_table(comparison: dict, digits: int = 3) -> list[dict]:
    """One record per row with base / tuned / delta / CI / n / verdict / degenerate / warning columns for each
    run, as display text.

    A delta whose CI contains 0 reads "no significant change" in the verdict column; it is never a win. Scores
    whose tuned outputs are degenerate read "degenerate", whatever their delta; "degenerate" shows the share of
    degenerate outputs, base -> tuned, beside every score.
    """
    names = [r["name"] for r in comparison["runs"]]
    prefix = len(names) > 1
    out = []
    for row in comparison["rows"]:
        rec = {"suite": row["suite"], "task_type": row["task_type"], "metric": row["metric"]}
        for name, cell in zip(names, row["runs"]):
            p = f"{name} · " if prefix else ""
            if cell is None:
                rec.update({f"{p}base": None, f"{p}tuned": None, f"{p}delta": None, f"{p}95% CI": "",
                            f"{p}n": None, f"{p}verdict": "not evaluated", f"{p}degenerate": "", f"{p}warning": ""})
                continue
            ci = "" if cell["ci_low"] is None else f"[{cell['ci_low']:+.{digits}f}, {cell['ci_high']:+.{digits}f}]"
            rec.update({f"{p}base": _round(cell["base"], digits), f"{p}tuned": _round(cell["tuned"], digits),
                        f"{p}delta": _round(cell["delta"], digits), f"{p}95% CI": ci, f"{p}n": cell["n"],
                        f"{p}verdict": cell["verdict"], f"{p}degenerate": _degenerate_text(cell),
                        f"{p}warning": cell.get("warning") or ""})
        out.append(rec)
    return out


def _degenerate_text(cell: dict) -> str:
    """'0% -> 85%' (share of degenerate outputs, base -> tuned), plus the runaway share when there is one."""
    base, tuned = cell.get("base_degenerate"), cell.get("tuned_degenerate")
    if base is None or tuned is None:
        return ""  # a report written before degeneracy was measured
    runaway = cell.get("tuned_runaway")
    return f"{base:.0%} → {tuned:.0%}" + (f" (runaway {runaway:.0%})" if runaway else "")


def _round(x, digits: int):
    return None if x is None else round(x, digits)


def item_change(item: dict) -> tuple[float | None, str]:
    """(tuned - base on the item's primary metric, worse|better|same); excluded items are (None, "excluded")."""
    if item.get("excluded") or not item.get("base") or not item.get("tuned"):
        return None, "excluded"
    metric = item["metrics"][0]
    delta = item["tuned"]["scores"][metric] - item["base"]["scores"][metric]
    if abs(delta) < 1e-9:
        return 0.0, "same"
    return delta, "better" if delta > 0 else "worse"


def side_by_side(run_dir, suite: str = "eval", task_type: str | None = None, change: str | None = None,
                 limit: int | None = None) -> list[dict]:
    """Items with prompt, reference, base and tuned output and scores; filterable by task_type and change.

    Sorted worst regression first, so the items that need a look come up first.
    """
    if change is not None and change not in CHANGES:
        raise UserError(f"change must be one of {', '.join(CHANGES)}, got {change!r}")
    items = load_items(run_dir, suite)
    if not items:
        raise UserError(f"run {Path(run_dir).name} has no evaluation for {suite!r}; evaluate it first")
    out = []
    for it in items:
        delta, kind = item_change(it)
        if kind == "excluded":
            continue
        if task_type and (it.get("task_type") or "(untyped)") != task_type:
            continue
        if change and kind != change:
            continue
        out.append({**it, "metric": it["metrics"][0], "delta": delta, "change": kind})
    out.sort(key=lambda r: (r["delta"], r["id"]))
    return out[:limit] if limit else out


def degeneracy_flags(side: dict) -> str:
    """What is degenerate about one stored output ("one repeated token, runaway"), or "" when nothing is."""
    d = side.get("degeneracy") or {}
    names = {"empty": "empty", "one_token": "one repeated token", "repetitive": "looping",
             "runaway": "ran to the token limit without ending"}
    return ", ".join(text for key, text in names.items() if d.get(key))


def regressions(run_dir, suite: str = "eval") -> list[dict]:
    """Items that scored lower after tuning than before."""
    return side_by_side(run_dir, suite, change="worse")


def send_regressions_to_review(store, run_dir, author: str, suite: str = "eval", ids: list[str] | None = None) -> dict:
    """Put the store samples behind regressions in front of reviewers, linked to the run.

    Each regressed item that is a store sample (the eval split's items are) gets
    - a review pre-flag from the check `regression:<run name>`: the Review page lists it in "Flagged by", puts it
      first in a flagged-first queue and shows the reason (run, metric, both scores) and the evidence (prompt,
      reference, both outputs) beside the sample;
    - the tag `regression:<run name>`, as a revision whose note names the run folder, so Browse and export
      filters find it and its history says why.
    Sending again replaces the run's flags (items no longer regressed lose theirs). Benchmark items are not store
    samples; they are counted as `not_in_store`.
    """
    run = Path(run_dir).expanduser()
    found = regressions(run, suite)
    considered = [it["id"] for it in load_items(run, suite) if not it.get("excluded")]
    if ids is not None:
        wanted = set(ids)
        found = [r for r in found if r["id"] in wanted]
        considered = [i for i in considered if i in wanted]
    check = REGRESSION_TAG.format(run=run.name)
    present = store.samples.source_hashes(considered) if considered else {}
    flags, tagged = [], []
    for r in found:
        if r["id"] not in present:
            continue
        reason = _regression_reason(run, suite, r)
        sample = store.samples.add_tag(r["id"], check, author, reason)
        flags.append((r["id"], check, reason, _evidence(r), sample["rev"]))
        tagged.append(r["id"])
    store.flags.replace([check], [i for i in considered if i in present], flags,
                        {"author": author, "trigger": "evaluation", "settings": {"run_dir": str(run), "suite": suite}})
    return {"tag": check, "tagged": tagged, "regressions": len(found), "not_in_store": len(found) - len(tagged)}


def _regression_reason(run: Path, suite: str, r: dict) -> str:
    m = r["metric"]
    return (f"regressed in run {run.name} ({suite}): {m} {r['base']['scores'][m]:.3f} -> "
            f"{r['tuned']['scores'][m]:.3f}; run folder {run}")


def _evidence(r: dict, limit: int = 600) -> str:
    def cut(text) -> str:
        text = text or ""
        return text if len(text) <= limit else text[:limit] + " …"

    return (f"prompt: {cut(r['prompt'])}\nreference: {cut(r['reference'])}\nbase: {cut(r['base']['output'])}\n"
            f"tuned: {cut(r['tuned']['output'])}")


def loss_curve(run_dir) -> list[dict]:
    """Training and eval loss by step: {"step", "kind": train|eval, "loss"}."""
    points = []
    for m in read_jsonl(RunFolder(Path(run_dir).expanduser()).metrics):
        if m.get("kind") == "train" and m.get("loss") is not None:
            points.append({"step": m["step"], "kind": "train", "loss": m["loss"]})
        elif m.get("kind") == "eval" and m.get("eval_loss") is not None:
            points.append({"step": m["step"], "kind": "eval", "loss": m["eval_loss"]})
    return points
