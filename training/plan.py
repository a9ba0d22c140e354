"""How long a run will be: optimiser steps, tokens and an estimated duration, sized to the export and the model.

A default run (max_steps auto) of an offline preset on the CPU is capped so it fits the preset's time budget
at its measured CPU throughput (training/presets.py): a demo on 1,300 samples should take minutes, not plan
500 steps and 40 minutes. max_steps=0 runs all epochs; a number caps the run there. On a GPU, and for other
models (whose CPU speed the workbench does not know), auto runs all epochs and the ETA comes from the first
measured steps.
"""
from __future__ import annotations

import math

from .presets import get_preset

MIN_AUTO_STEPS = 20  # below this an adapter learns little; a capped run still gets at least these many steps


def epoch_steps(lengths: list[int], s, world: int = 1) -> tuple[int, int]:
    """(optimiser steps over all epochs, tokens over all epochs, padding included) for resolved settings."""
    from .data import plan_batches

    mode = s.batching
    micro = [b for ep in range(s.epochs) for b in plan_batches(lengths, s.batch_size, mode, s.seed + ep,
                                                                s.max_length)]
    tokens = sum(len(b) * max(sum(lengths[i] for i in row) for row in b) for b in micro)
    return math.ceil(len(micro) / (s.grad_accum * world)), tokens


def size_run(s, steps_all: int, tokens_all: int, base_model: str, device: str) -> dict:
    """The plan: steps to run, why, and the estimated seconds (None where no throughput figure is known)."""
    preset = get_preset(base_model)
    per_step = tokens_all / max(1, steps_all)
    # The cap uses the one-thread figure, so the same export and settings always plan the same steps (a resumed
    # run must see the total it started with, whatever the load is now); the ETA counts the threads.
    one = preset.cpu_tokens_per_s if preset is not None and device == "cpu" else None
    rate = one * (s.threads or 1) ** 0.7 if one else None  # threads scale sub-linearly on small matrices
    steps, why = steps_all, "all epochs"
    if s.max_steps:
        steps, why = min(steps_all, s.max_steps), f"max_steps {s.max_steps}"
    elif s.max_steps is None and one:
        budget = preset.cpu_budget_minutes * 60
        fit = max(MIN_AUTO_STEPS, int(budget * one / max(1.0, per_step)))
        if fit < steps_all:
            steps, why = fit, (f"auto: {preset.name} on the CPU is capped at about {preset.cpu_budget_minutes:g} "
                               f"minutes (set max_steps=0 for all {steps_all} steps)")
    eta = round(steps * per_step / rate, 1) if rate else None
    return {"steps": steps, "steps_all_epochs": steps_all, "epochs": s.epochs, "tokens_per_step": round(per_step),
            "why": why, "planning_tokens_per_s": round(rate) if rate else None, "eta_s": eta,
            "share_of_epochs": round(steps / max(1, steps_all), 3)}


def describe(plan: dict) -> str:
    """One line for the log and the pages."""
    eta = (f", about {plan['eta_s'] / 60:.0f} min at ~{plan['planning_tokens_per_s']:,.0f} tokens/s (an estimate; "
           f"the live ETA is measured)" if plan.get("eta_s") else ", ETA measured from the first steps")
    return (f"{plan['steps']} optimiser steps ({plan['why']}; {plan['share_of_epochs']:.0%} of {plan['epochs']} "
            f"epochs, ~{plan['tokens_per_step']:,} tokens per step){eta}")
