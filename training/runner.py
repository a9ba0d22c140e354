"""The training process: `python -m training.runner RUN_DIR` (or under torchrun for several GPUs).

It reads config.json, audits and encodes the export, trains the LoRA adapter with a plain torch loop driven by
`accelerate` (device placement, bf16/fp16 autocast, DDP, gradient sync), and reports only through files in the
run folder (see training/rundir.py). It resumes from the newest checkpoint when one exists, stops cleanly on
SIGTERM or a `cancel` file, and records the failure reason in status.json when something breaks.
"""
from __future__ import annotations

import dataclasses
import math
import os
import platform
import signal
import sys
import time
import traceback
from pathlib import Path

from curation.errors import UserError

from .config import TrainSettings, resolve
from .rundir import RunFolder, append_jsonl, keep_lines, read_json, write_json
from .threads import describe as describe_cpu


class Cancelled(Exception):
    """The user asked the run to stop (SIGTERM or the cancel file)."""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m training.runner RUN_DIR", file=sys.stderr)
        return 2
    return run(Path(argv[0]))


def run(run_dir: Path) -> int:
    """Run (or resume) the training described in run_dir/config.json; returns the exit code."""
    rf = RunFolder(run_dir)
    rank0 = int(os.environ.get("RANK", "0")) == 0

    def on_term(signum, frame):
        raise Cancelled()

    signal.signal(signal.SIGTERM, on_term)
    training = None
    try:
        if rank0:
            rf.write_status("running", pid=os.getpid(), reason=None, started_at=time.time())
        training = Training(rf, rank0)
        training.run()
        return 0
    except Cancelled:
        _end_tracking(training, "KILLED")
        if rank0:
            rf.write_status("cancelled", reason="cancelled by the user")
        log("cancelled")
        return 0
    except UserError as e:
        _end_tracking(training, "FAILED")
        if rank0:
            rf.write_status("failed", reason=str(e))
        log(f"failed: {e}")
        return 1
    except Exception as e:  # anything else is a bug or an environment problem: keep the trace in the log
        traceback.print_exc()
        _end_tracking(training, "FAILED")
        reason = _readable(e)
        if rank0:
            rf.write_status("failed", reason=reason)
        log(f"failed: {reason}")
        return 1


def _end_tracking(training, status: str) -> None:
    """End the run's tracking (TensorBoard flushed, the MLflow run marked) after a stop; never raises."""
    tracker = getattr(training, "tracker", None)
    if tracker is not None:
        tracker.close(status)


def _readable(e: Exception) -> str:
    text = (str(e).strip().splitlines() or [""])[0][:300]
    if "out of memory" in text.lower():
        return "out of memory: lower batch_size or max_length (raise grad_accum to keep the effective batch)"
    return f"{type(e).__name__}: {text} (see log.txt)"


class Training:
    """One run: setup, the loop, checkpoints with evaluation, and the final adapter."""

    def __init__(self, rf: RunFolder, rank0: bool):
        self.rf, self.rank0 = rf, rank0
        self.cfg = read_json(rf.config)
        if not self.cfg:
            raise UserError(f"{rf.config} is missing or unreadable; launch the run again")

    # ------------------------------------------------------------ setup
    def run(self) -> None:
        import torch
        from accelerate import Accelerator
        from accelerate.utils import set_seed

        self._check_cancel()
        settings = TrainSettings(**self.cfg["settings"])
        self._load_data(settings)
        self.settings = s = resolve(settings, len(self.train))
        torch.set_num_threads(s.threads)
        log(f"torch threads: {s.threads} ({'set' if settings.threads else 'auto'}; {describe_cpu()})")
        set_seed(s.seed)
        self._load_model(s)
        self.acc = Accelerator(mixed_precision={"bf16": "bf16", "fp16": "fp16"}.get(self.precision, "no"),
                               cpu=self.device == "cpu")
        self.world = self.acc.num_processes
        self._plan(s)
        params = [p for p in self.peft.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=s.learning_rate, weight_decay=s.weight_decay)
        self.sched = self._scheduler(s)
        from .loss import loss_module

        self.loss_mod, self.opt = self.acc.prepare(loss_module(self.peft), self.opt)
        self.params = params
        start = self._resume()
        self.tracker = self._tracker(start)
        self._write_record(finished=False)
        self.t_loop, self.steps_timed = time.time(), 0
        self._evaluate(start)  # step 0, or again at the checkpoint a resume starts from (see _resume)
        self._loop(start)
        self._finish()

    def _tracker(self, start: int):
        """TensorBoard (and MLflow, when configured) for this run, rank 0 only; the steps after the checkpoint a
        resume starts from are purged from the event files, as from metrics.jsonl."""
        if not self.rank0:
            return None
        from .tracking import Tracker

        return Tracker(self.rf.path, self.rf.path.name, log=log, purge_step=start + 1,
                       params={"base_model": self.cfg["base_model"], "settings": dataclasses.asdict(self.settings),
                               "train_samples": len(self.train), "eval_samples": len(self.eval),
                               "total_steps": self.total},
                       tags={"export_content_hash": self.export.content_hash, "run_dir": str(self.rf.path),
                             "store_revision": self.export.manifest.get("store_revision")})

    def _track(self, values: dict, step: int, prefix: str) -> None:
        if getattr(self, "tracker", None) is not None:
            self.tracker.metrics(values, step, prefix)

    def _load_data(self, s: TrainSettings) -> None:
        from .audits import run_audit
        from .exports import general_mix, load_export
        from .jobs import export_change
        from .models import load_tokenizer, resolve_source
        from .presets import get_preset

        self.export = load_export(self.cfg["export_dir"])
        changed = export_change(self.cfg, self.export.content_hash)
        if changed:  # jobs.resume refuses this first; a runner started by hand must not train on it either
            raise UserError(f"{changed}; resume with --allow-export-change to accept the new export")
        preset = get_preset(self.cfg["base_model"])
        if preset:
            log(f"preparing the offline {preset.name} model (built once, then cached)")
        self.source = resolve_source(self.cfg["base_model"])
        self.tok = load_tokenizer(self.source if preset else self.cfg["base_model"])
        general = general_mix(len(self.export.train), s.general_data_file, s.general_data_share, s.seed)
        report, self.train, self.eval = run_audit(self.export, self.tok, s, general, self.cfg["base_model"])
        if self.rank0:
            write_json(self.rf.audit, report.to_dict())
        if not report.ok:
            raise UserError(report.summary())
        for w in report.warnings:
            log(f"audit warning: {w}")
        log(f"{len(self.train)} training samples, {len(self.eval)} eval samples, "
            f"{report.tokens['trained_share']:.0%} of tokens trained")
        self.eval_prompts = _pick_prompts(self.export.eval, s.eval_prompts)

    def _load_model(self, s: TrainSettings) -> None:
        import torch
        from peft import LoraConfig, get_peft_model

        from .models import load_model

        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if s.device != "cpu" and torch.cuda.is_available():
            torch.cuda.set_device(local_rank)
        loaded = load_model(self.source, s.device, s.precision, for_training=True)
        self.device, self.precision = loaded.device, loaded.precision
        if self.device == "cuda":
            loaded.model.to(f"cuda:{local_rank}")
        base = loaded.model
        if s.gradient_checkpointing:
            base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            base.enable_input_require_grads()
        self.targets = resolve_targets(base, s.target_modules)
        lora = LoraConfig(r=s.lora_rank, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
                          target_modules=self.targets, task_type="CAUSAL_LM", bias="none")
        self.peft = get_peft_model(base, lora)
        trainable = sum(p.numel() for p in self.peft.parameters() if p.requires_grad)
        total = sum(p.numel() for p in self.peft.parameters())
        self.param_counts = {"trainable": trainable, "total": total}
        log(f"model {self.cfg['base_model']} on {self.device} ({self.precision}); LoRA r={s.lora_rank} "
            f"alpha={s.lora_alpha} on {', '.join(self.targets)}: {trainable:,} of {total:,} parameters trained")

    def _plan(self, s: TrainSettings) -> None:
        """The micro-batches of every epoch, fixed by the seed (so a resumed run sees the same order)."""
        from .data import plan_batches
        from .plan import describe as describe_plan
        from .plan import size_run

        self.packed = s.batching == "packed" and packing_is_isolated(self.peft, self.device)
        mode = s.batching if (s.batching != "packed" or self.packed) else "length_grouped"
        if s.batching == "packed" and not self.packed:
            log("this model's attention does not isolate packed samples; using length_grouped batching")
        lengths = [len(e) for e in self.train]
        self.micro = [b for ep in range(s.epochs)
                      for b in plan_batches(lengths, s.batch_size, mode, s.seed + ep, s.max_length)]
        per_step = s.grad_accum * self.world
        tokens = sum(len(b) * max(sum(lengths[i] for i in row) for row in b) for b in self.micro)
        self.plan = size_run(s, math.ceil(len(self.micro) / per_step), tokens, self.cfg["base_model"], self.device)
        self.total = self.plan["steps"]
        self.settings = dataclasses.replace(s, max_steps=self.total)  # run.json records what was planned
        self.per_epoch = max(1, math.ceil(len(self.micro) / s.epochs / per_step))
        log(f"{s.epochs} epochs, {s.batch_size} x {s.grad_accum} x {self.world} per step ({mode} batching): "
            f"{describe_plan(self.plan)}")

    def _scheduler(self, s: TrainSettings):
        from transformers import get_scheduler

        name = {"cosine": "cosine", "linear": "linear", "constant": "constant_with_warmup"}[s.lr_scheduler]
        warmup = math.ceil(s.warmup_ratio * self.total)
        return get_scheduler(name, optimizer=self.opt, num_warmup_steps=warmup, num_training_steps=self.total)

    # ------------------------------------------------------------ loop
    def _loop(self, start: int) -> None:
        import torch

        s = self.settings
        per_step = s.grad_accum * self.world
        pad_id = self.tok.tokenizer.pad_token_id
        self.t_loop, self.steps_timed = time.time(), 0
        for step in range(start, self.total):
            self._check_cancel()
            t0, c0 = time.time(), time.process_time()
            chunk = self.micro[step * per_step:(step + 1) * per_step]
            mine = chunk[self.acc.process_index::self.world]
            batches = [_collate(self.train, b, pad_id, self.packed) for b in mine]
            n_local = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
            n_global = self._sum(n_local)
            nll_total = 0.0
            for k, b in enumerate(batches):
                sync = k == len(batches) - 1
                ctx = self.acc.no_sync(self.loss_mod) if not sync and self.world > 1 else _null()
                with ctx, self.acc.autocast():
                    nll, _ = self.loss_mod(**_to(b, self.acc.device))
                    loss = nll * self.world / max(1, n_global)  # DDP averages over ranks; undo that
                    self.acc.backward(loss)
                nll_total += float(nll.detach())
            if self.acc.sync_gradients:
                self.acc.clip_grad_norm_(self.params, s.max_grad_norm)
            self.opt.step()
            self.sched.step()
            self.opt.zero_grad(set_to_none=True)
            real = self._sum(sum(b["n_real"] for b in batches))
            padded = self._sum(sum(b["n_padded"] for b in batches))
            self._report_step(step + 1, self._sum(nll_total) / max(1, n_global), real, padded, time.time() - t0,
                              time.process_time() - c0)
            if s.save_every and (step + 1) % s.save_every == 0 and step + 1 < self.total:
                self._checkpoint(step + 1)
        torch.cuda.empty_cache() if self.device == "cuda" else None

    def _sum(self, x: float) -> float:
        if self.world == 1:
            return x
        import torch

        t = torch.tensor([float(x)], device=self.acc.device)
        return float(self.acc.reduce(t, reduction="sum"))

    def _report_step(self, step: int, loss: float, real: float, padded: float, dt: float, cpu: float) -> None:
        self.steps_timed += 1
        self.tokens_seen = getattr(self, "tokens_seen", 0) + real
        if not self.rank0:
            return
        avg = (time.time() - self.t_loop) / self.steps_timed
        rec = {"kind": "train", "step": step, "total": self.total, "epoch": round(step / self.per_epoch, 3),
               "loss": round(loss, 5), "lr": self.sched.get_last_lr()[0], "tokens_per_s": round(real / dt, 1),
               "non_pad_share": round(real / padded, 4) if padded else 1.0, "step_s": round(dt, 4),
               "cpu_s": round(cpu, 4),  # this process's CPU time: comparable even on a busy machine
               "eta_s": round(avg * (self.total - step), 1), "memory_mb": memory_mb(self.device),
               "elapsed_s": round(time.time() - self.t_loop, 1), "time": time.time()}
        append_jsonl(self.rf.metrics, rec)
        self._track({k: rec[k] for k in ("loss", "lr", "tokens_per_s", "non_pad_share", "step_s", "memory_mb")},
                    step, "train/")
        self.rf.write_status("running", step=step, total_steps=self.total, loss=rec["loss"], eta_s=rec["eta_s"],
                             device=self.device, precision=self.precision)
        if step == 1 or step % 10 == 0 or step == self.total:
            log(f"step {step}/{self.total} loss {loss:.4f} lr {rec['lr']:.2e} {rec['tokens_per_s']:.0f} tok/s "
                f"eta {rec['eta_s']:.0f}s")

    def _check_cancel(self) -> None:
        if self.rf.cancel_file.exists():
            raise Cancelled()

    # ------------------------------------------------------------ checkpoints and evaluation
    def _checkpoint(self, step: int) -> None:
        """Adapter + optimiser state (for resume), then eval loss and generations at this step."""
        import torch

        if self.rank0:
            final = self.rf.checkpoints / f"step-{step:06d}"
            tmp = self.rf.checkpoints / f".step-{step:06d}.tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            self._unwrapped().save_pretrained(str(tmp), safe_serialization=True)
            torch.save({"optimizer": self.opt.state_dict(), "scheduler": self.sched.state_dict(),
                        "rng": torch.get_rng_state()}, tmp / "training_state.pt")
            write_json(tmp / "state.json", {"step": step, "total_steps": self.total,
                                            "tokens_seen": self.tokens_seen, "time": time.time()})
            if final.exists():
                _rmtree(final)
            os.replace(tmp, final)
            self._prune_checkpoints()
            log(f"checkpoint {final.name}")
        self.acc.wait_for_everyone()
        self._evaluate(step)

    def _prune_checkpoints(self) -> None:
        done = sorted(p for p in self.rf.checkpoints.glob("step-*") if (p / "state.json").exists())
        for old in done[:-self.settings.keep_checkpoints]:
            _rmtree(old)

    def _resume(self) -> int:
        """Load the newest checkpoint if there is one; returns the step to continue from.

        The metrics and generations of later steps are dropped (they are redone), and so is the evaluation at
        the checkpoint's own step: a kill can cut it short, and the run evaluates that step again. A run killed
        before its first checkpoint starts over at step 0 with none of its earlier lines kept.
        """
        import torch
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        self.tokens_seen, step = 0, 0
        ckpt = self.rf.latest_checkpoint()
        if ckpt is not None:
            state = read_json(ckpt / "state.json")
            # Under torchrun on CPU (gloo) accelerate's device is "cpu:0", which safetensors refuses: name the type
            device = "cpu" if self.acc.device.type == "cpu" else str(self.acc.device)
            weights = load_file(str(ckpt / "adapter_model.safetensors"), device=device)
            set_peft_model_state_dict(self._unwrapped(), weights)
            saved = torch.load(ckpt / "training_state.pt", weights_only=True, map_location=device)
            self.opt.load_state_dict(saved["optimizer"])
            self.sched.load_state_dict(saved["scheduler"])
            torch.set_rng_state(saved["rng"].cpu())
            step, self.tokens_seen = state["step"], state.get("tokens_seen", 0)
        if self.rank0:
            keep_lines(self.rf.metrics, lambda r: r.get("step", 0) < step
                       or (r.get("step") == step and r.get("kind") == "train"))
            keep_lines(self.rf.generations, lambda r: r.get("step", 0) < step)
            if ckpt is not None:
                self.rf.write_status("running", resumed_from=step, step=step, total_steps=self.total)
        if ckpt is not None:
            log(f"resumed from {ckpt.name} (step {step} of {self.total})")
        return step

    def _evaluate(self, step: int) -> None:
        """Eval loss on the eval split and answers to the fixed prompts (rank 0 only)."""
        if not self.rank0 or (not self.eval and not self.eval_prompts):
            self.acc.wait_for_everyone()
            return
        from .generation import chat_prompts, generate
        from .loss import sample_losses

        t0 = time.time()
        model = self._unwrapped()
        if self.eval:
            subset = sorted(self.eval, key=lambda e: e.id)[:self.settings.eval_max_samples]
            dtype = _autocast_dtype(self.precision)
            pairs = sample_losses(model, subset, device=self.device, autocast_dtype=dtype)
            nll, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
            append_jsonl(self.rf.metrics, {"kind": "eval", "step": step, "eval_loss": round(nll / max(1, n), 5),
                                           "eval_tokens": n, "eval_samples": len(subset), "time": time.time()})
            self._track({"eval_loss": nll / max(1, n)}, step, "eval/")
            log(f"eval loss at step {step}: {nll / max(1, n):.4f} ({len(subset)} samples)")
        if self.eval_prompts:
            tok = self.tok.tokenizer
            outs = generate(model, tok, chat_prompts(tok, self.eval_prompts), self.settings.gen_max_new_tokens,
                            stop_ids=self.tok.extra_eot_ids + tuple(_eot(self.tok)),
                            max_prompt_tokens=self.settings.max_length)
            for sample, out in zip(self.eval_prompts, outs):
                append_jsonl(self.rf.generations, {
                    "step": step, "sample_id": sample.get("id"), "task_type": sample.get("task_type"),
                    "prompt": _last_user(sample), "reference": _final_answer(sample), "output": out})
        self.t_loop += time.time() - t0  # evaluation time does not count towards the ETA
        self.acc.wait_for_everyone()

    def _unwrapped(self):
        return self.acc.unwrap_model(self.loss_mod).model if hasattr(self, "loss_mod") else self.peft

    # ------------------------------------------------------------ the end
    def _finish(self) -> None:
        """Final checkpoint, adapter, evaluation, record and optional merge."""
        if self.rf.latest_checkpoint() is None or read_json(
                self.rf.latest_checkpoint() / "state.json")["step"] != self.total:
            self._checkpoint(self.total)
        if not self.rank0:
            return
        model = self._unwrapped()
        model.save_pretrained(str(self.rf.adapter), safe_serialization=True)
        self.tok.tokenizer.save_pretrained(str(self.rf.adapter))
        merged = None
        if self.settings.merge:
            log("merging the adapter into a full model folder")
            full = model.merge_and_unload()
            full.save_pretrained(str(self.rf.merged), safe_serialization=True)
            self.tok.tokenizer.save_pretrained(str(self.rf.merged))
            merged = str(self.rf.merged)
        record = self._write_record(finished=True, merged=merged)
        if self.tracker is not None:
            self.tracker.artifact(self.rf.adapter, "adapter")
            self.tracker.artifact(self.rf.record)
            self.tracker.close("FINISHED")
        self.rf.write_status("succeeded", reason=None, step=self.total, total_steps=self.total,
                             eval_loss=record["results"].get("eval_loss_after"))
        log("done")

    def _write_record(self, finished: bool, merged: str | None = None) -> dict:
        if not self.rank0:
            return {}
        from .rundir import read_jsonl

        evals = [m for m in read_jsonl(self.rf.metrics) if m.get("kind") == "eval"]
        trains = [m for m in read_jsonl(self.rf.metrics) if m.get("kind") == "train"]
        after = [e for e in evals if e["step"] == self.total]
        record = {
            "run_dir": str(self.rf.path), "export_dir": str(self.export.path),
            "export_content_hash": self.export.content_hash,  # what the last steps trained on
            "export_content_hash_at_launch": self.cfg.get("export_content_hash"),
            "export_changes": self.cfg.get("export_changes", []),  # accepted on resume: {from, to, at}
            "store_revision": self.export.manifest.get(
                "store_revision"), "base_model": self.cfg["base_model"], "model_source": self.source,
            "chat_template": self.tok.template, "settings": dataclasses.asdict(self.settings),
            "target_modules": self.targets, "parameters": self.param_counts, "total_steps": self.total,
            "plan": getattr(self, "plan", None), "torch_threads": self.settings.threads,
            "train_samples": len(self.train), "eval_samples": len(self.eval),
            "eval_prompt_ids": [p.get("id") for p in self.eval_prompts],
            "device": self.device, "precision": self.precision, "world_size": self.world,
            "device_name": device_name(self.device), "versions": library_versions(),
            "finished": finished, "merged_model": merged,
            # CPU seconds of this process (all its threads) so far: on a shared machine the wall time says how
            # busy the machine was, this says what the run itself cost
            "process_cpu_s": round(time.process_time(), 1),
            # The final loss is the evaluation at the last step, never an earlier one (None until it exists).
            "results": {"eval_loss_before": next((e["eval_loss"] for e in evals if e["step"] == 0), None),
                        "eval_loss_after": after[-1]["eval_loss"] if after and finished else None,
                        "final_train_loss": trains[-1]["loss"] if trains else None,
                        "tokens_seen": getattr(self, "tokens_seen", 0)},
        }
        write_json(self.rf.record, record)
        return record


# ------------------------------------------------------------ helpers

ATTENTION_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "c_attn", "c_proj", "query_key_value", "dense",
                   "Wqkv", "out_proj", "qkv_proj", "query", "key", "value")


def resolve_targets(model, setting: str) -> list[str]:
    """LoRA target module names: auto = attention projections, all-linear, or the user's comma list."""
    import torch

    linear_names = {name.rsplit(".", 1)[-1] for name, mod in model.named_modules()
                    if isinstance(mod, torch.nn.Linear) or type(mod).__name__ == "Conv1D"}
    out_name = None
    out_emb = model.get_output_embeddings()
    for name, mod in model.named_modules():
        if mod is out_emb:
            out_name = name.rsplit(".", 1)[-1]
    linear_names.discard(out_name)
    if setting == "all-linear":
        return sorted(linear_names)
    if setting == "auto":
        attn = sorted(n for n in linear_names if n in ATTENTION_NAMES and _in_attention(model, n))
        if not attn:
            raise UserError("could not find attention projections in this model; set target_modules to "
                            "all-linear or a comma list of module names")
        return attn
    wanted = [t.strip() for t in setting.split(",") if t.strip()]
    missing = [t for t in wanted if t not in linear_names]
    if missing:
        raise UserError(f"target_modules {', '.join(missing)} not found; this model's linear layers: "
                        f"{', '.join(sorted(linear_names))}")
    return wanted


def _in_attention(model, short: str) -> bool:
    """True if a module with this short name sits inside an attention block (c_proj is also an MLP name)."""
    return any(name.endswith("." + short) and ("attn" in name or "attention" in name)
               for name, _ in model.named_modules())


def packing_is_isolated(model, device: str) -> bool:
    """Check that packed samples cannot see each other: two short samples packed in one row must give the
    same logits as each run alone (true for models whose masks follow position ids, e.g. Llama, Qwen2)."""
    import torch

    lm = model
    was = lm.training
    lm.eval()
    a = torch.tensor([[5, 6, 7, 8]], device=device)
    b = torch.tensor([[9, 10, 11]], device=device)
    with torch.no_grad():
        alone = lm(input_ids=b, use_cache=False).logits[0]
        packed = lm(input_ids=torch.cat([a, b], 1), use_cache=False, position_ids=torch.tensor([[0, 1, 2, 3, 0, 1, 2]],
                                                                              device=device)).logits[0, 4:]
    lm.train(was)
    return bool(torch.allclose(alone.float(), packed.float(), atol=1e-3, rtol=1e-3))


def _pick_prompts(eval_samples: list[dict], n: int) -> list[dict]:
    """n eval samples, spread over task types, fixed for the whole run."""
    by_type: dict[str, list[dict]] = {}
    for s in sorted(eval_samples, key=lambda s: str(s.get("id"))):
        by_type.setdefault(s.get("task_type") or "", []).append(s)
    picks, k = [], 0
    while len(picks) < n and any(k < len(v) for v in by_type.values()):
        picks += [v[k] for v in by_type.values() if k < len(v)][:n - len(picks)]
        k += 1
    return picks


def _last_user(sample: dict) -> str:
    users = [m.get("content") or "" for m in sample["messages"] if m.get("role") == "user"]
    return users[-1] if users else ""


def _final_answer(sample: dict) -> str:
    answers = [m.get("content") or "" for m in sample["messages"] if m.get("role") == "assistant"]
    return answers[-1] if answers else ""


def _eot(tok_info) -> set:
    from .template import end_of_turn_ids

    return end_of_turn_ids(tok_info.tokenizer, tok_info.extra_eot_ids)


def _collate(encoded, batch, pad_id, packed):
    from .data import collate

    return collate(encoded, batch, pad_id, packed)


def _to(batch: dict, device) -> dict:
    return {k: (v.to(device) if v is not None else None) for k, v in batch.items()
            if k in ("input_ids", "labels", "attention_mask", "position_ids")}


def _autocast_dtype(precision: str):
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)


def _null():
    import contextlib

    return contextlib.nullcontext()


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def memory_mb(device: str) -> float:
    """Peak GPU memory allocated, or the process's resident memory on CPU, in MB."""
    if device == "cuda":
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError):
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def device_name(device: str) -> str:
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name()
    return platform.processor() or platform.machine()


def library_versions() -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "accelerate", "tokenizers", "safetensors"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


if __name__ == "__main__":
    sys.exit(main())
