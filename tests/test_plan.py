"""Run sizing (planned steps and ETA), the CPU thread choice, and the preset language warning."""
from __future__ import annotations

import dataclasses

import pytest

from curation.errors import UserError
from training.config import TrainSettings, apply_overrides, default_settings, resolve
from training.plan import MIN_AUTO_STEPS, epoch_steps, size_run
from training.presets import PRESETS, SMOLLM2, TINY
from training.threads import choose_threads, resolve_threads


@pytest.mark.parametrize("cores, load, want", [
    (2, 0.0, 2),    # idle box: both cores
    (2, 0.6, 1),    # a process is using more than half a core: one thread
    (2, 0.2, 2),    # a stray quarter-busy core still counts as idle
    (2, 5.0, 1),    # shared and overloaded: one thread, never zero
    (16, 3.0, 13),  # a big machine gives up only the busy cores
    (1, 0.0, 1),
    (4, -1.0, 4),   # a bogus negative load average is ignored
])
def test_threads_are_the_idle_cores(cores, load, want):
    assert choose_threads(cores, load) == want


def test_threads_setting_auto_is_resolved_and_a_number_is_kept():
    assert resolve_threads(3) == 3
    assert resolve_threads(None) >= 1
    assert resolve(TrainSettings(threads=2), 100).threads == 2
    assert resolve(TrainSettings(), 100).threads >= 1  # auto is filled, so run.json records a number
    assert apply_overrides(TrainSettings(), ["threads=auto"]).threads is None
    with pytest.raises(UserError, match="threads must be at least 1"):
        apply_overrides(TrainSettings(), {"threads": 0})


def _settings(base_model: str, **changes) -> TrainSettings:
    s = apply_overrides(default_settings(base_model), changes)
    return resolve(dataclasses.replace(s, threads=s.threads or 1), 1300)


def test_a_preset_demo_on_the_cpu_is_sized_to_its_budget():
    """A big export used to plan thousands of steps for an hour on a CPU; auto caps a preset's run."""
    s = _settings(TINY)
    steps_all, tokens = epoch_steps([150] * 20_000, s)
    assert steps_all == 2 * 2500  # two epochs of 2,500 micro-batches
    plan = size_run(s, steps_all, tokens, TINY, "cpu")
    budget_s = PRESETS[TINY].cpu_budget_minutes * 60
    assert MIN_AUTO_STEPS <= plan["steps"] < steps_all and "auto" in plan["why"]
    assert plan["eta_s"] <= budget_s * 1.01
    assert plan["tokens_per_step"] == 8 * 150
    small = size_run(s, *epoch_steps([150] * 40, s), TINY, "cpu")  # a small export runs all its epochs
    assert small["steps"] == small["steps_all_epochs"] == 10 and small["why"] == "all epochs"


def test_bigger_models_plan_fewer_steps_in_the_same_export():
    lengths = [150] * 3000
    tiny, smol = _settings(TINY), _settings(SMOLLM2)
    t = size_run(tiny, *epoch_steps(lengths, tiny), TINY, "cpu")
    m = size_run(smol, *epoch_steps(lengths, smol), SMOLLM2, "cpu")
    tokens_tiny = t["steps"] * t["tokens_per_step"]
    tokens_smol = m["steps"] * m["tokens_per_step"]
    assert tokens_smol < tokens_tiny  # a 135M model gets through fewer tokens in its budget


def test_explicit_steps_all_epochs_gpu_and_other_models_are_not_capped():
    lengths = [150] * 1300
    s = _settings(TINY, max_steps=0)
    assert size_run(s, *epoch_steps(lengths, s), TINY, "cpu")["why"] == "all epochs"
    s = _settings(TINY, max_steps=7)
    assert size_run(s, *epoch_steps(lengths, s), TINY, "cpu")["steps"] == 7
    s = _settings(TINY)
    gpu = size_run(s, *epoch_steps(lengths, s), TINY, "cuda")
    assert gpu["steps"] == gpu["steps_all_epochs"] and gpu["eta_s"] is None  # measured from the first steps
    s = resolve(TrainSettings(threads=1), 1300)
    other = size_run(s, *epoch_steps(lengths, s), "Qwen/Qwen2.5-0.5B-Instruct", "cpu")
    assert other["steps"] == other["steps_all_epochs"] and other["eta_s"] is None


def test_the_cap_does_not_depend_on_the_load():
    """A resumed run must plan the total it started with, whatever the thread count is now."""
    lengths = [150] * 1300
    one, four = _settings(TINY, threads=1), _settings(TINY, threads=4)
    a = size_run(one, *epoch_steps(lengths, one), TINY, "cpu")
    b = size_run(four, *epoch_steps(lengths, four), TINY, "cpu")
    assert a["steps"] == b["steps"] and b["eta_s"] < a["eta_s"]


def test_mostly_chinese_export_warns_for_the_english_only_preset():
    from training.audits import language_warning

    zh = {"messages": [{"role": "user", "content": "今天天气怎么样？"}, {"role": "assistant", "content": "晴天。"}]}
    en = {"messages": [{"role": "user", "content": "How is the weather?"}, {"role": "assistant", "content": "Sunny."}]}
    warning = language_warning([zh] * 6 + [en] * 4, SMOLLM2)
    assert warning and "6 of 10" in warning and "English-only" in warning
    assert language_warning([zh] * 4 + [en] * 6, SMOLLM2) is None  # not most of it
    assert language_warning([zh] * 10, TINY) is None  # tiny was built on Chinese and English
    assert language_warning([zh] * 10, "Qwen/Qwen2.5-0.5B-Instruct") is None
