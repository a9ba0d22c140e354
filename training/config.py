"""Training settings: defaults that follow practitioners' LoRA guidance, each with the reason shown in the UI.

`TrainSettings` is what a run records in its `config.json`. `apply_overrides` turns `--set key=value` strings
(CLI) or a dict (UI, Python) into a checked copy; `resolve` fills the "auto" values (epochs, alpha) from the
export size so the run folder always says what was actually used.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field

from curation.errors import UserError

from .presets import TINY, get_preset  # noqa: F401  (TINY is re-exported: the offline test preset's name)
from .threads import resolve_threads

SCHEDULERS = ("cosine", "linear", "constant")
BATCHING = ("random", "length_grouped", "packed")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
DEVICES = ("auto", "cuda", "cpu")


def _s(default, reason: str, choices: tuple = ()):
    """A settings field carrying its reason (shown next to the control) and allowed values."""
    return field(default=default, metadata={"reason": reason, "choices": choices})


@dataclass
class TrainSettings:
    """Everything a LoRA run needs besides the export and the base model."""

    # None = auto from the export size: 5 below 2k samples, 3 up to 10k, 2 up to 50k, else 1.
    epochs: int | None = _s(None, "Few thousand samples: 3-5 epochs; above ten thousand 1-2 are enough, more "
                                  "epochs memorise the answers (auto picks from the export size).")
    # LoRA tolerates larger steps than full fine-tuning; 1e-5..2e-4 is the usual range.
    learning_rate: float = _s(1e-4, "LoRA usually trains well at about 1e-4 (range 1e-5 to 2e-4); higher "
                                    "diverges or forgets, lower barely moves the adapter.")
    lr_scheduler: str = _s("cosine", "Cosine (or linear) decay after a warmup is the standard SFT schedule; "
                                     "it ends with small, stable steps.", SCHEDULERS)
    warmup_ratio: float = _s(0.03, "A short warmup (about 3% of steps) avoids large early updates while the "
                                   "optimiser's statistics are still empty.")
    lora_rank: int = _s(16, "Rank 8 or 16 captures instruction-following behaviour; larger ranks add "
                            "parameters without better results on small data.")
    # None = 2 x rank.
    lora_alpha: int | None = _s(None, "alpha = 2 x rank is the common default (auto); it keeps the update scale "
                                      "comparable when the rank changes.")
    lora_dropout: float = _s(0.05, "A little dropout (0.05) on the adapter input regularises small datasets.")
    target_modules: str = _s("auto", "auto = the attention projections (classic LoRA); all-linear also adapts "
                                     "the MLP, which learns more at a higher memory cost. Or a comma list of "
                                     "module names.")
    max_length: int = _s(2048, "Longest sample in tokens; longer ones are cut and the audit reports every "
                               "assistant turn that loses tokens.")
    batch_size: int = _s(8, "Samples per device step; lower it if memory runs out and raise grad_accum.")
    grad_accum: int = _s(2, "Micro-batches per optimiser step: effective batch = batch_size x grad_accum "
                            "x GPUs; 16-64 samples is typical for SFT.")
    batching: str = _s("length_grouped", "length_grouped puts samples of similar length together so little "
                                         "compute goes to padding; packed concatenates samples (kept from "
                                         "attending to each other); random is the plain baseline.", BATCHING)
    seed: int = _s(42, "Fixes the adapter's initialisation and the data order, so a run can be repeated and "
                       "resumed exactly.")
    weight_decay: float = _s(0.0, "LoRA adapters are small; weight decay is usually left at 0.")
    max_grad_norm: float = _s(1.0, "Clipping the gradient norm at 1.0 guards against loss spikes.")
    save_every: int = _s(50, "Steps between checkpoints (0 = only at the end); each checkpoint also writes "
                             "generations on fixed eval prompts and the eval loss.")
    keep_checkpoints: int = _s(3, "Older checkpoints are deleted to save disk; their generations stay.")
    eval_prompts: int = _s(4, "Fixed eval-split prompts answered at every checkpoint, so you can watch the "
                              "answers change.")
    gen_max_new_tokens: int = _s(128, "Longest generated answer at a checkpoint; a model that learned to stop "
                                      "ends well before it.")
    eval_max_samples: int = _s(200, "Eval-split samples scored for the eval loss at each checkpoint.")
    general_data_file: str = _s("", "Optional messages JSONL of general data mixed in against catastrophic "
                                    "forgetting of the base model's abilities.")
    general_data_share: float = _s(0.0, "Share of the training mix taken from the general file (0.1-0.3 is "
                                        "typical when forgetting shows up).")
    # None = auto: all epochs, except an offline preset on the CPU, capped to its time budget (training/plan.py).
    max_steps: int | None = _s(None, "Stop after this many optimiser steps; 0 = run all epochs; auto = all "
                                     "epochs, but a preset on the CPU is capped to a few minutes (the planned "
                                     "steps and ETA are shown before launch).")
    precision: str = _s("auto", "auto = bf16 on GPUs that support it, else fp16 with loss scaling; fp32 on "
                                "CPU.", PRECISIONS)
    device: str = _s("auto", "auto uses CUDA when present, else the CPU.", DEVICES)
    # None = auto: the cores other processes leave idle (training/threads.py); recorded resolved in run.json.
    threads: int | None = _s(None, "torch CPU threads; auto = the idle cores (cores minus the load average), "
                                   "since on a busy shared CPU extra threads wait for each other and run many "
                                   "times slower.")
    num_gpus: int = _s(0, "GPUs to use (0 = all visible); more than one launches torchrun (DDP).")
    gradient_checkpointing: bool = _s(False, "Recomputes activations in the backward pass: about 30% slower, "
                                             "much less memory for long samples.")
    merge: bool = _s(False, "Also write the adapter merged into a full model folder (needs disk for a full "
                            "copy of the base model).")
    # Audit thresholds: above these shares the launch is refused, below they are warnings.
    max_zero_trainable_share: float = _s(0.05, "If more than this share of samples has no trained token the "
                                               "template or max_length is wrong, so the launch is refused.")
    max_truncated_share: float = _s(0.2, "If more than this share of samples loses assistant tokens to "
                                         "max_length the launch is refused: raise max_length.")


def setting_reasons() -> dict[str, str]:
    """name -> reason, for the UI and the docs."""
    return {f.name: f.metadata["reason"] for f in dataclasses.fields(TrainSettings)}


def setting_choices() -> dict[str, tuple]:
    """name -> allowed values, for settings that take one of a few words."""
    return {f.name: f.metadata["choices"] for f in dataclasses.fields(TrainSettings) if f.metadata["choices"]}


def default_settings(base_model: str) -> TrainSettings:
    """The defaults for this base model (each offline preset has its own, see training/presets.py)."""
    s = TrainSettings()
    preset = get_preset(base_model)
    if preset is not None:
        s = dataclasses.replace(s, **preset.settings)
    return s


def auto_epochs(n_train: int) -> int:
    """Epochs from the number of training samples (few thousand: 3-5; above ten thousand: 1-2)."""
    if n_train < 2_000:
        return 5
    if n_train <= 10_000:
        return 3
    if n_train <= 50_000:
        return 2
    return 1


def resolve(settings: TrainSettings, n_train: int) -> TrainSettings:
    """Fill the auto values so the run records what it used."""
    return dataclasses.replace(
        settings,
        epochs=settings.epochs if settings.epochs is not None else auto_epochs(n_train),
        lora_alpha=settings.lora_alpha if settings.lora_alpha is not None else 2 * settings.lora_rank,
        threads=resolve_threads(settings.threads),
    )


def apply_overrides(settings: TrainSettings, overrides) -> TrainSettings:
    """Return a copy with `overrides` applied: a dict, or a list of "key=value" strings (CLI --set)."""
    pairs = _pairs(overrides)
    hints = typing.get_type_hints(TrainSettings)
    names = [f.name for f in dataclasses.fields(TrainSettings)]
    changes = {}
    for key, value in pairs.items():
        if key not in hints:
            close = [n for n in names if key.replace("-", "_") in n or n in key]
            hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
            raise UserError(f"unknown setting {key!r}{hint}; settings: {', '.join(names)}")
        changes[key] = _convert(key, value, hints[key])
    out = dataclasses.replace(settings, **changes)
    check(out)
    return out


def _pairs(overrides) -> dict:
    if not overrides:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    pairs = {}
    for item in overrides:
        if "=" not in item:
            raise UserError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        pairs[key.strip()] = value.strip()
    return pairs


def _convert(key: str, value, hint):
    """Convert a CLI string (or pass through a typed UI value) to the field's type, with a clear error."""
    optional = type(None) in typing.get_args(hint)
    base = next((a for a in typing.get_args(hint) if a is not type(None)), hint) if optional else hint
    if isinstance(value, str):
        text = value.strip()
        if optional and text.lower() in ("auto", "none", ""):
            return None
        try:
            if base is bool:
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                return text.lower() in ("true", "1", "yes")
            if base is int:
                return int(text)
            if base is float:
                return float(text)
        except ValueError:
            raise UserError(f"setting {key} expects {_type_word(base, optional)}, got {value!r}") from None
        return text
    if value is None and optional:
        return None
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, base) or (base is int and isinstance(value, bool)):
        raise UserError(f"setting {key} expects {_type_word(base, optional)}, got {value!r}")
    return value


def _type_word(base, optional: bool) -> str:
    word = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}[base]
    return word + (" or auto" if optional else "")


def check(s: TrainSettings) -> None:
    """Refuse settings that cannot work, naming the setting and the allowed range."""
    for name, choices in setting_choices().items():
        if getattr(s, name) not in choices:
            raise UserError(f"setting {name} must be one of {', '.join(choices)}, got {getattr(s, name)!r}")
    rules = [
        (s.epochs is None or s.epochs >= 1, "epochs must be at least 1 (or auto)"),
        (0 < s.learning_rate < 1, "learning_rate must be between 0 and 1 (LoRA: about 1e-4)"),
        (0 <= s.warmup_ratio < 1, "warmup_ratio must be in [0, 1)"),
        (s.lora_rank >= 1, "lora_rank must be at least 1"),
        (s.lora_alpha is None or s.lora_alpha >= 1, "lora_alpha must be at least 1 (or auto)"),
        (0 <= s.lora_dropout < 1, "lora_dropout must be in [0, 1)"),
        (s.max_length >= 16, "max_length must be at least 16 tokens"),
        (s.batch_size >= 1 and s.grad_accum >= 1, "batch_size and grad_accum must be at least 1"),
        (s.save_every >= 0 and (s.max_steps is None or s.max_steps >= 0),
         "save_every and max_steps must be 0 or more (max_steps also auto)"),
        (s.keep_checkpoints >= 1, "keep_checkpoints must be at least 1"),
        (s.eval_prompts >= 0 and s.eval_max_samples >= 0, "eval_prompts and eval_max_samples must be 0 or more"),
        (s.gen_max_new_tokens >= 1, "gen_max_new_tokens must be at least 1"),
        (0 <= s.general_data_share < 1, "general_data_share must be in [0, 1)"),
        (not s.general_data_share or s.general_data_file, "general_data_share needs general_data_file"),
        (s.num_gpus >= 0, "num_gpus must be 0 (all) or more"),
        (s.threads is None or s.threads >= 1, "threads must be at least 1 (or auto)"),
        (0 <= s.max_zero_trainable_share <= 1 and 0 <= s.max_truncated_share <= 1,
         "audit thresholds must be shares in [0, 1]"),
        (bool(s.target_modules.strip()), "target_modules must be auto, all-linear or a comma list of names"),
    ]
    for ok, message in rules:
        if not ok:
            raise UserError(message)
