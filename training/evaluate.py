"""Before/after evaluation of a run: the base model and base + adapter, scored the same way on the same items.

For every suite (the export's eval split, each benchmark file, the optional general set):
1. decontaminate: items whose prompt exactly or nearly duplicates a training sample of this run are flagged and,
   by default, left out (the count is reported);
2. loss: mean loss per assistant token of each item (perplexity = exp of the token-weighted mean);
3. generation: batched greedy decoding with one explicit configuration for both models;
4. scores per task_type: exact match of the final number for numeric types, ROUGE-L and character F1 for the
   rest (configurable), each with the paired bootstrap delta, its 95% CI and n;
5. degeneracy of both models' outputs (empty, one repeated token, looping, runaway length, distinct-n): a
   task_type or suite whose tuned outputs are degenerate gets the verdict "degenerate" on its scores instead of
   better/worse, and overlap metrics that such output can game carry a warning.

The result is written to RUN_DIR/eval/<suite>/report.json (the table) and items.jsonl (every item with both
outputs and scores), which the Compare page, `curation eval` and `curation compare` read.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from curation.errors import UserError

from .contamination import DecontamSettings, find_contamination
from .eval_sets import Suite, cap_per_type, load_file_suite, split_suite
from .metrics import GAMEABLE, METRICS, DegeneracySettings, degeneracy_summary, metrics_for, output_degeneracy
from .rundir import RunFolder, read_json, read_jsonl, write_json
from .significance import WORSE, BootstrapSettings, paired_delta

OVERALL = "(overall)"
LOSS = "loss"
DEGENERATE = "degenerate"  # the verdict of scores whose tuned outputs are degenerate (overrides better/worse)


@dataclass
class EvalSettings:
    """How a run is evaluated. The same settings apply to the base and the tuned model."""

    max_items_per_type: int = 100  # items per task_type and suite (chosen by id, so reruns see the same ones)
    # Longest generated answer; 0 = from the references, per task_type: 1.25 x the type's 95th-percentile
    # reference length in tokens (32..512), so a one-word label is not decoded to an essay's budget and long
    # answers are not cut.
    max_new_tokens: int = 0
    batch_size: int = 8  # prompts decoded together (left-padded, longest first; a finished row takes the next)
    metrics: dict = field(default_factory=dict)  # task_type / L1 / "*" -> metric name(s); default by type
    decontam: DecontamSettings = field(default_factory=DecontamSettings)
    bootstrap: BootstrapSettings = field(default_factory=BootstrapSettings)
    degeneracy: DegeneracySettings = field(default_factory=DegeneracySettings)
    general_file: str = ""  # optional general-ability set (messages or question/answer JSONL): forgetting check
    general_metric: str | None = None  # metric for the general set (None = per task_type)
    device: str = "auto"  # auto | cuda | cpu
    precision: str = "auto"  # auto = bf16/fp16 on GPU, fp32 on CPU
    threads: int | None = None  # torch CPU threads; None = auto, the idle cores (training/threads.py)


@dataclass
class Benchmark:
    """A benchmark file and the metric it declares (None = per task_type)."""

    path: str
    metric: str | None = None


def evaluate_run(run_dir, settings: EvalSettings | None = None, benchmarks: list[Benchmark] = (),
                 include_eval_split: bool = True, progress=None) -> dict:
    """Evaluate base and tuned model of a finished run; returns {"run_dir", "suites": [suite reports]}.

    `progress(message, fraction)` is called along the way (fraction in [0, 1] or None).
    """
    s = settings or EvalSettings()
    say = progress or (lambda message, fraction=None: None)
    rf = RunFolder(Path(run_dir).expanduser())
    config = _finished_run(rf)
    suites = build_suites(config, s, benchmarks, include_eval_split)
    train = _training_items(config)
    for suite in suites:
        say(f"decontaminating {suite.name} against {len(train)} training samples", None)
        _decontaminate(suite, train, s)
        warning = overlap_summary(suite, s)["warning"]
        if warning:
            say(f"warning: {warning}", None)  # before any model is loaded
    runner = _ModelPair(config, rf, s)
    runner.load("base", say)
    runner.check_renderable([it for suite in suites for it in suite.items])
    work = [it for suite in suites for it in suite.items if not it.get("excluded")]
    if not work:
        raise UserError("nothing to evaluate: every item was excluded (contaminated or not renderable), or the "
                        "sets are empty")
    limits = {t: s.max_new_tokens for t in _types(work)} if s.max_new_tokens else runner.auto_max_new_tokens(work)
    max_new = [limits[it["task_type"] or "(untyped)"] for it in work]
    decoding = runner.decoding(s.max_new_tokens or limits)
    keys = [f"{suite.name}\0{it['id']}" for suite in suites for it in suite.items if not it.get("excluded")]
    scored = ScoredItems(rf, _fingerprint(config, rf, s, decoding, keys, max_new))
    for label in ("base", "tuned"):
        if label == "tuned":
            runner.load(label, say)
        todo = scored.restore(label, work, keys)
        if len(todo) < len(work):
            say(f"{label}: {len(work) - len(todo)} of {len(work)} items already scored by the stopped "
                "evaluation (same decoding, same items): kept", None)
        _score(runner, scored, label, [(key, it, max_new[k]) for key, it, k in todo], say, len(work))
    reports = [_write_suite(rf, suite, s, config, decoding, runner.info) for suite in suites]
    scored.clear()  # the reports hold every item now; a later evaluation starts afresh
    track_evaluation(rf, reports, say)
    say("evaluation finished", 1.0)
    return {"run_dir": str(rf.path), "suites": reports}


RESUME_CHUNK = 32  # items scored (loss, then answers) between two appends to the scored-items file


def _score(runner, scored: "ScoredItems", label: str, todo: list[tuple[str, dict, int]], say, total: int) -> None:
    """Loss and answers of the items not scored yet ((key, item, its answer budget) each), a chunk at a time; each chunk's results are appended to
    the scored-items file before the next starts, so a killed evaluation keeps them."""
    done = total - len(todo)
    say(f"{label}: loss and answers for {len(todo)} items", None)
    step = max(RESUME_CHUNK, 4 * runner.s.batch_size)  # chunks of whole batches keep continuous batching busy
    for i in range(0, len(todo), step):
        chunk = todo[i:i + step]
        items = [it for _, it, _ in chunk]
        runner.losses(label, items)
        runner.generate(label, items, [m for _, _, m in chunk],
                        lambda d, t, lab=label, base=done: say(f"{lab}: generated {base + d}/{total}", (base + d) / total))
        scored.append(label, [(key, it) for key, it, _ in chunk])
        done += len(chunk)


class ScoredItems:
    """RUN_DIR/eval/.scored-<label>.jsonl: each scored item's results for one model, appended chunk by chunk. A
    resumed evaluation (same settings, decoding, items, run and adapter: the fingerprint on the first line)
    restores them and scores only the rest; any other evaluation starts the file afresh."""

    def __init__(self, rf: RunFolder, fingerprint: str):
        self.rf, self.fingerprint = rf, fingerprint

    def path(self, label: str) -> Path:
        return self.rf.eval / f".scored-{label}.jsonl"

    def restore(self, label: str, work: list[dict], keys: list[str]) -> list[tuple[str, dict, int]]:
        """Put the stored results on their items; returns (key, item, index) of those still to score."""
        stored = self._read(label)
        todo = []
        for k, (key, it) in enumerate(zip(keys, work)):
            if key in stored:
                it.update(stored[key]["item"])
                it[label] = stored[key]["result"]
            else:
                todo.append((key, it, k))
        return todo

    def append(self, label: str, done: list[tuple[str, dict]]) -> None:
        path = self.path(label)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            if f.tell() == 0:
                f.write(json.dumps({"fingerprint": self.fingerprint}) + "\n")
            for key, it in done:
                extra = {k: it[k] for k in ("reference_tokens",) if k in it}
                f.write(json.dumps({"key": key, "item": extra, "result": it[label]}, ensure_ascii=False) + "\n")
            f.flush()
            import os
            os.fsync(f.fileno())

    def clear(self) -> None:
        for label in ("base", "tuned"):
            self.path(label).unlink(missing_ok=True)

    def _read(self, label: str) -> dict:
        path = self.path(label)
        if not path.exists():
            return {}
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except ValueError:  # the line a kill cut short: that item is scored again
                    break
        if not rows or rows[0].get("fingerprint") != self.fingerprint:
            path.unlink()  # another evaluation's results (other settings, items or adapter): not reused
            return {}
        return {r["key"]: r for r in rows[1:]}


def _fingerprint(config: dict, rf: RunFolder, s: EvalSettings, decoding: dict, keys: list[str],
                 max_new: list[int]) -> str:
    """What must be the same for stored results to stand for this evaluation's: the base model, the adapter
    file, the settings, the decoding, and the items with their answer budgets."""
    import hashlib

    adapter = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(rf.adapter.glob("*"))] \
        if rf.adapter.is_dir() else []
    blob = json.dumps([config.get("base_model"), adapter, _settings_dict(s), decoding, keys, max_new],
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def track_evaluation(rf: RunFolder, reports: list[dict], say=lambda message, fraction=None: None) -> None:
    """Each suite's base, tuned and delta per metric and task_type to TensorBoard (RUN/tensorboard) and, when
    MLFLOW_TRACKING_URI is set, to the run's MLflow run, at the run's last step; failures only log a line."""
    from .rundir import read_json
    from .tracking import Tracker

    step = (read_json(rf.record) or {}).get("total_steps") or 0
    tracker = Tracker(rf.path, rf.path.name, log=lambda note: say(note, None))
    for report in reports:
        for row in report["rows"]:
            values = {k: row.get(k) for k in ("base", "tuned", "delta", "ci_low", "ci_high")}
            group = row["task_type"].strip("()")  # "(overall)" -> "overall": TensorBoard tags take no brackets
            tracker.metrics(values, step, f"evaluation/{report['suite']}/{group}/{row['metric']}/")
    tracker.close("FINISHED")


def overlap_preview(run_dir, settings: EvalSettings | None = None, benchmarks: list[Benchmark] = (),
                    include_eval_split: bool = True) -> list[dict]:
    """Which items of each set duplicate a training sample of the run (see `overlap_summary`), found without
    loading any model, so the Evaluate form can warn before compute is spent."""
    s = settings or EvalSettings()
    config = read_json(RunFolder(Path(run_dir).expanduser()).config)
    if not config:
        raise UserError(f"{run_dir} is not a run folder (no config.json)")
    suites = build_suites(config, s, benchmarks, include_eval_split)
    train = _training_items(config)
    out = []
    for suite in suites:
        _decontaminate(suite, train, s)
        out.append(overlap_summary(suite, s))
    return out


def overlap_summary(suite: Suite, s: EvalSettings) -> dict:
    """{"suite", "items", "contaminated", "exact", "near", "ids", "warning"} of a decontaminated suite; the
    warning is None when no item overlaps training."""
    hits = [it for it in suite.items if it.get("contaminated")]
    exact = sum(it["contaminated"]["kind"] == "exact" for it in hits)
    warning = None
    if hits:
        fate = "left out of the scores" if s.decontam.exclude else "scored anyway (--include-contaminated)"
        warning = (f"{len(hits)} of {len(suite.items)} items of {suite.name} duplicate a training sample "
                   f"({exact} exact, {len(hits) - exact} near, e.g. {hits[0]['id']} ~ "
                   f"{hits[0]['contaminated']['train_id']}); they are {fate}. Export again (variants now stay "
                   f"with their parents) or decontaminate the eval set first")
    return {"suite": suite.name, "items": len(suite.items), "contaminated": len(hits), "exact": exact,
            "near": len(hits) - exact, "ids": [it["id"] for it in hits[:50]], "warning": warning}


def _finished_run(rf: RunFolder) -> dict:
    config = read_json(rf.config)
    if not config:
        raise UserError(f"{rf.path} is not a run folder (no config.json)")
    if not (rf.adapter / "adapter_model.safetensors").exists():
        state = (rf.read_status() or {}).get("state", "unknown")
        raise UserError(f"run {rf.path.name} has no final adapter (state: {state}); evaluate it after it succeeds")
    return config


def build_suites(config: dict, s: EvalSettings, benchmarks=(), include_eval_split: bool = True) -> list[Suite]:
    """The suites to score: the export's eval split, benchmark files, and the general set when configured."""
    from .exports import load_export

    suites = []
    if include_eval_split:
        export = load_export(config["export_dir"])
        if not export.eval:
            raise UserError(f"export {export.path} has no eval split; export again with an eval fraction above 0 "
                            f"or evaluate a benchmark file only")
        suites.append(split_suite(export.eval, "eval", "eval", str(export.path / "eval.jsonl")))
    for b in benchmarks:
        suites.append(load_file_suite(b.path, "benchmark", b.metric))
    if s.general_file:
        suites.append(load_file_suite(s.general_file, "general", s.general_metric, name="general"))
    names = [x.name for x in suites]
    if len(set(names)) != len(names):
        raise UserError(f"two sets share a name ({', '.join(names)}); rename one benchmark file")
    if not suites:
        raise UserError("nothing to evaluate: include the eval split or name a benchmark file")
    for suite in suites:
        suite.items = cap_per_type(suite.items, s.max_items_per_type)
        _check_metrics(suite, s)
    return suites


def _check_metrics(suite: Suite, s: EvalSettings) -> None:
    for it in suite.items:
        it["metrics"] = [suite.metric] if suite.metric else metrics_for(it["task_type"], s.metrics)


def _training_items(config: dict) -> list[dict]:
    """What the adapter saw: the export's train split plus the general-data file mixed in, if any."""
    from .exports import load_export, read_jsonl as read_samples

    items = list(load_export(config["export_dir"]).train)
    general = (config.get("settings") or {}).get("general_data_file")
    if general and Path(general).expanduser().is_file():
        items += read_samples(Path(general).expanduser())
    return items


def _decontaminate(suite: Suite, train: list[dict], s: EvalSettings) -> None:
    found = find_contamination(suite.items, train, s.decontam)
    for it in suite.items:
        hit = found.get(it["id"])
        it["contaminated"] = hit
        it["excluded"] = bool(hit) and s.decontam.exclude


# ---------------------------------------------------------------- models
class _ModelPair:
    """The base model, then the same weights with the run's adapter: loaded once, decoded identically."""

    def __init__(self, config: dict, rf: RunFolder, s: EvalSettings):
        self.config, self.rf, self.s = config, rf, s
        self.loaded = None
        self.encoded: dict[int, object] = {}  # id(item) -> Encoded
        self.info: dict = {}

    def load(self, label: str, say) -> None:
        from .data import Encoder
        from .models import load_model

        if self.loaded is None:
            from .threads import apply_threads

            self.info["threads"] = apply_threads(self.s.threads)  # recorded in the report beside the device
            say(f"loading base model {self.config['base_model']} ({self.info['threads']} CPU threads)", None)
            self.loaded = load_model(self.config["base_model"], self.s.device, self.s.precision)
            tok = self.loaded.tok
            max_length = (self.config.get("settings") or {}).get("max_length") or 2048
            self.encoder = Encoder(tok.tokenizer, max_length, tok.extra_eot_ids)
            self.info.update(base_model=self.config["base_model"], model_source=self.loaded.source,
                             device=self.loaded.device, precision=self.loaded.precision, max_length=max_length,
                             chat_template=tok.template)
        if label == "tuned":
            from peft import PeftModel

            say(f"attaching adapter {self.rf.adapter}", None)
            self.loaded.model = PeftModel.from_pretrained(self.loaded.model, str(self.rf.adapter))
            self.loaded.model.eval()
            self.info["adapter"] = str(self.rf.adapter)

    def auto_max_new_tokens(self, items: list[dict]) -> dict[str, int]:
        """Per task_type: 1.25 x the 95th-percentile reference length in tokens, within 32..512, and at most
        the preset's CPU ceiling (training/presets.py) when an offline preset is evaluated on the CPU."""
        tok = self.loaded.tok.tokenizer
        by_type: dict[str, list[int]] = {}
        for it in items:
            it["reference_tokens"] = len(tok(it["reference"] or "", add_special_tokens=False)["input_ids"])
            by_type.setdefault(it["task_type"] or "(untyped)", []).append(it["reference_tokens"])
        cap = self.auto_cap()
        return {t: min(cap, auto_limit(lengths)) if cap else auto_limit(lengths) for t, lengths in by_type.items()}

    def auto_cap(self) -> int:
        """The ceiling of the automatic answer budget: the preset's on the CPU (0 = none)."""
        from .presets import get_preset

        preset = get_preset(self.config["base_model"])
        cap = preset.cpu_eval_max_new_tokens if preset is not None and self.loaded.device == "cpu" else 0
        self.info["auto_max_new_tokens_cap"] = cap or None
        return cap

    def losses(self, label: str, items: list[dict]) -> None:
        from .loss import sample_losses

        encoded = [self.encoded[id(it)] if id(it) in self.encoded else self.encoder.encode(it) for it in items]
        usable = [k for k, e in enumerate(encoded) if e.n_trained > 0]
        pairs = sample_losses(self.loaded.model, [encoded[k] for k in usable], device=self.loaded.device)
        for it in items:
            it.setdefault(label, {})["loss"], it[label]["tokens"] = None, 0
        for k, (nll, n) in zip(usable, pairs):
            items[k][label].update(loss=nll / n if n else None, tokens=n)

    def check_renderable(self, items: list[dict]) -> None:
        """Exclude (with the reason) items the chat template cannot render, e.g. odd roles in a benchmark
        file: one bad record must not stop the evaluation of the others."""
        from .template import prompt_text

        for it in items:
            if it.get("excluded"):
                continue
            try:
                prompt_text(self.loaded.tok.tokenizer, it["messages"], it.get("tools"))
                self.encoded[id(it)] = self.encoder.encode(it)  # kept: both models get the same token ids
            except Exception as e:  # template engines raise many types; all mean "cannot render this item"
                it.update(excluded=True, exclude_reason=f"chat template cannot render it: {str(e)[:200]}")


    def generate(self, label: str, items: list[dict], max_new: list[int], on_batch) -> None:
        from .generation import chat_prompts, generate_detailed
        from .template import end_of_turn_ids

        tok_info = self.loaded.tok
        tok = tok_info.tokenizer
        prompts = chat_prompts(tok, items)
        stops = tuple(end_of_turn_ids(tok, tok_info.extra_eot_ids))
        # One call for all items: continuous batching keeps every batch row busy until the last prompt, and
        # the progress callback reports answers as they finish.
        outputs = generate_detailed(self.loaded.model, tok, prompts, max_new, self.s.batch_size, stops,
                                    self.loaded.device, max_prompt_tokens=self.info["max_length"],
                                    progress=on_batch)
        for it, d, limit in zip(items, outputs, max_new):
            out = d["text"]
            it.setdefault(label, {}).update(output=out, new_tokens=d["new_tokens"])
            it[label]["scores"] = {m: METRICS[m](out, it["reference"]) for m in it["metrics"]}
            # Hitting the budget is only running away when the reference would have fitted in it: a capped
            # budget (see auto_cap) cuts long answers of both models alike.
            runaway = d["runaway"] and it.get("reference_tokens", 0) < limit
            it[label]["degeneracy"] = output_degeneracy(out, runaway, self.s.degeneracy)

    def decoding(self, max_new: int | dict) -> dict:
        return {"do_sample": False, "num_beams": 1, "max_new_tokens": max_new, "batch_size": self.s.batch_size,
                "padding": "left", "batching": "continuous", "stop": "end-of-turn tokens of the chat template and eos",
                "model_generation_config": "not used",  # no repetition penalty etc. inherited by either model
                "max_prompt_tokens": self.info["max_length"],  # longer prompts keep their last tokens
                "same_for_base_and_tuned": True}


def auto_limit(lengths: list[int]) -> int:
    """max_new_tokens for references of these token lengths: 1.25 x their 95th percentile, within 32..512."""
    lengths = sorted(lengths)
    p95 = lengths[min(len(lengths) - 1, int(0.95 * len(lengths)))]
    return int(min(512, max(32, math.ceil(1.25 * p95) + 1)))


def _types(items: list[dict]) -> set[str]:
    return {it["task_type"] or "(untyped)" for it in items}


# ---------------------------------------------------------------- tables
def suite_rows(items: list[dict], bootstrap: BootstrapSettings | None = None,
               degeneracy: DegeneracySettings | None = None) -> list[dict]:
    """Per task_type and metric: base, tuned, delta, CI, n, verdict; plus loss rows and an overall row.

    Only included (non-excluded) items count. Loss rows carry perplexities (exp of the token-weighted mean).
    Every row carries the degeneracy of both models' outputs in its group; a score row whose group's (or the
    whole suite's) tuned outputs are degenerate gets the verdict "degenerate" (its statistical verdict is kept
    as `score_verdict`). Loss rows keep theirs: the loss is teacher-forced on the references, which degenerate
    decoding cannot game.
    """
    used = [it for it in items if not it.get("excluded") and "base" in it and "tuned" in it]
    rows = []
    types = sorted({it["task_type"] or "(untyped)" for it in used})
    whole = group_degeneracy(used, degeneracy)
    suite_bad = whole["tuned"]["reasons"]
    for t in types + [OVERALL]:
        group = used if t == OVERALL else [it for it in used if (it["task_type"] or "(untyped)") == t]
        metrics = ["score"] if t == OVERALL else group[0]["metrics"]
        degen = whole if t == OVERALL else group_degeneracy(group, degeneracy)
        for m in metrics:
            base = [_primary(it, "base") if m == "score" else it["base"]["scores"][m] for it in group]
            tuned = [_primary(it, "tuned") if m == "score" else it["tuned"]["scores"][m] for it in group]
            row = {"task_type": t, "metric": m, **paired_delta(base, tuned, True, bootstrap)}
            gameable = _gameable(group, m)
            rows.append(_with_degeneracy(row, degen, suite_bad, gameable))
        rows.append(_with_degeneracy(_loss_row(t, group, bootstrap), degen, suite_bad, []))
    return rows


def group_degeneracy(group: list[dict], settings: DegeneracySettings | None = None) -> dict:
    """{"base": summary, "tuned": summary} of the outputs of `group` (see metrics.degeneracy_summary); items
    without a stored per-output degeneracy (older reports) get one computed from their output."""
    out = {}
    for label in ("base", "tuned"):
        per_item = []
        for it in group:
            side = it[label]
            if "degeneracy" not in side:
                side["degeneracy"] = output_degeneracy(side.get("output") or "", None, settings)
            per_item.append(side["degeneracy"])
        out[label] = degeneracy_summary(per_item, [it[label].get("output") or "" for it in group],
                                        [it["reference"] or "" for it in group], settings)
    return out


def _gameable(group: list[dict], metric: str) -> list[str]:
    names = {it["metrics"][0] for it in group} if metric == "score" else {metric}
    return [GAMEABLE[m] for m in sorted(names) if m in GAMEABLE]


def _with_degeneracy(row: dict, degen: dict, suite_bad: list[str], gameable: list[str]) -> dict:
    reasons = degen["tuned"]["reasons"] or suite_bad
    row.update(base_degenerate=degen["base"].get("degenerate_share"),
               tuned_degenerate=degen["tuned"].get("degenerate_share"),
               tuned_runaway=degen["tuned"].get("runaway_share"), degeneracy=degen)
    warnings = [f"tuned outputs degenerate: {'; '.join(reasons)}"] if reasons else []
    if row["metric"] != LOSS:
        row["score_verdict"] = row["verdict"]
        if reasons:
            row["verdict"] = DEGENERATE
        warnings += gameable
    row["warning"] = "; ".join(warnings) or None
    return row


def _primary(item: dict, label: str) -> float:
    """The item's first metric: what the overall score averages (exact match for math, ROUGE-L otherwise)."""
    return item[label]["scores"][item["metrics"][0]]


def _loss_row(task_type: str, group: list[dict], bootstrap) -> dict:
    nan = float("nan")
    base = [it["base"]["loss"] if it["base"]["loss"] is not None else nan for it in group]
    tuned = [it["tuned"]["loss"] if it["tuned"]["loss"] is not None else nan for it in group]
    row = {"task_type": task_type, "metric": LOSS, **paired_delta(base, tuned, False, bootstrap)}
    for label in ("base", "tuned"):
        both = [it for it in group if it["base"]["loss"] is not None and it["tuned"]["loss"] is not None]
        tokens = sum(it[label]["tokens"] for it in both)
        nll = sum(it[label]["loss"] * it[label]["tokens"] for it in both)
        row[f"{label}_perplexity"] = math.exp(nll / tokens) if tokens else None
    return row


def forgetting(rows: list[dict]) -> list[str]:
    """Why a general set shows forgetting: the overall score or loss got worse beyond its CI, or the tuned
    model's answers degenerated (empty = none)."""
    out = []
    for r in rows:
        if r["task_type"] == OVERALL and r["verdict"] == DEGENERATE:
            out.append(f"answers degenerated: {'; '.join(r['degeneracy']['tuned']['reasons'])}")
        if r["task_type"] == OVERALL and r.get("score_verdict", r["verdict"]) == WORSE:
            what = "loss rose" if r["metric"] == LOSS else "score dropped"
            out.append(f"{what} by {abs(r['delta']):.4f} (95% CI {r['ci_low']:.4f} to {r['ci_high']:.4f}, "
                       f"n={r['n']})")
    return out


def _write_suite(rf: RunFolder, suite: Suite, s: EvalSettings, config: dict, decoding: dict, info: dict) -> dict:
    rows = suite_rows(suite.items, s.bootstrap, s.degeneracy)
    degen = next(r["degeneracy"] for r in rows if r["task_type"] == OVERALL)
    flagged = [it for it in suite.items if it.get("contaminated")]
    report = {
        "suite": suite.name, "kind": suite.kind, "source": suite.source, "declared_metric": suite.metric,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "run_dir": str(rf.path),
        "export_content_hash": config.get("export_content_hash"), **info, "decoding": decoding,
        "settings": _settings_dict(s),
        "counts": {"items": len(suite.items), "scored": sum(not it.get("excluded") for it in suite.items),
                   "contaminated": len(flagged), "excluded": sum(bool(it.get("excluded")) for it in suite.items),
                   "unrenderable": sum(bool(it.get("exclude_reason")) for it in suite.items),
                   "skipped_records": len(suite.skipped)},
        "contaminated": [{"id": it["id"], **it["contaminated"]} for it in flagged],
        "skipped": suite.skipped[:50], "rows": rows,
        # The run's verdict on this suite: "degenerate" (with the reasons) overrides every better/worse score.
        "degeneracy": {**degen, "verdict": DEGENERATE if degen["tuned"]["reasons"] else "ok",
                       "reasons": degen["tuned"]["reasons"]},
    }
    if suite.kind == "general":
        report["forgetting"] = forgetting(rows)
    out = rf.eval_suite(suite.name)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "report.json", report)
    with open(out / ".items.jsonl.tmp", "w", encoding="utf-8") as f:
        for it in suite.items:
            f.write(json.dumps(_item_record(it), ensure_ascii=False) + "\n")
    (out / ".items.jsonl.tmp").replace(out / "items.jsonl")
    return report


def _item_record(it: dict) -> dict:
    keep = ("id", "task_type", "prompt", "reference", "metrics", "contaminated", "excluded", "exclude_reason",
            "base", "tuned")  # base/tuned: output, scores, loss, tokens, new_tokens, degeneracy
    return {k: it.get(k) for k in keep}


def _settings_dict(s: EvalSettings) -> dict:
    return dataclasses.asdict(s)


# ---------------------------------------------------------------- reading results
def load_reports(run_dir) -> list[dict]:
    """Every suite report of a run (eval split first), or [] when it was not evaluated yet."""
    reports = RunFolder(Path(run_dir).expanduser()).eval_reports()
    order = {"eval": 0, "benchmark": 1, "general": 2}
    return sorted(reports, key=lambda r: (order.get(r.get("kind"), 3), r.get("suite", "")))


def load_items(run_dir, suite: str = "eval") -> list[dict]:
    """The per-item records of one suite (prompt, reference, both outputs, scores)."""
    return read_jsonl(RunFolder(Path(run_dir).expanduser()).eval_suite(suite) / "items.jsonl")
