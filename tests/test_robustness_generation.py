"""Robustness generation: seeded and reproducible, answers byte-identical, parents linked, plans meet the target."""
from __future__ import annotations

import json
import random

import pytest

from curation.errors import UserError
from curation.robustness.detectors import detect_sample
from curation.robustness.generation import (PERTURBATIONS, GenerationSettings, generate, make_variant, perturb_text,
                                            plan, rng_for)

EN = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many?"
ZH = "如何向非技术背景的人解释人工神经网络的概念？请举一个简单的例子，并说明它的主要优点和缺点。"


def _sample(i: int, text: str, task_type: str = "chat/qa", **kw) -> dict:
    return {"id": f"s{i}", "dataset": "d", "task_type": task_type, "language": "zh",
            "messages": [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": text},
                         {"role": "assistant", "content": f"答案 {i}：\n```python\nprint('x')\n```  "}],
            "tags": ["keep-me"], "status": "accepted", **kw}


@pytest.mark.parametrize("perturbation", list(PERTURBATIONS))
def test_each_perturbation_changes_only_the_prompt(perturbation):
    text = EN if perturbation == "en_typo" else ZH
    parent = _sample(1, text)
    v = make_variant(parent, perturbation, GenerationSettings())
    assert v is not None
    assert v["messages"][1]["content"] != text
    # Everything but the perturbed user turn is byte-identical, the answer above all.
    assert json.dumps(v["messages"][0]) == json.dumps(parent["messages"][0])
    assert json.dumps(v["messages"][2], ensure_ascii=False) == json.dumps(parent["messages"][2], ensure_ascii=False)
    kind = PERTURBATIONS[perturbation]
    assert v["parent_id"] == "s1" and v["status"] == "pending" and v["split"] is None
    assert v["tags"] == ["keep-me", f"robustness:generated:{kind}"]
    assert v["id"] != parent["id"] and v["note"]


@pytest.mark.parametrize("perturbation", list(PERTURBATIONS))
def test_generated_variants_are_what_the_detectors_find(perturbation):
    text = EN if perturbation == "en_typo" else ZH
    hits = 0
    for seed in range(10):
        v = make_variant(_sample(1, text), perturbation, GenerationSettings(seed=seed))
        hits += PERTURBATIONS[perturbation] in {d.kind for d in detect_sample(v)}
    assert hits >= 7


def test_generation_is_reproducible_and_order_independent():
    samples = [_sample(i, ZH if i % 2 else EN) for i in range(40)]
    s = GenerationSettings(rate=0.5, target_share=None, seed=7)
    a, _ = generate(samples, s, lambda smp: False)
    b, _ = generate(list(reversed(samples)), s, lambda smp: False)
    key = lambda v: v["id"]  # noqa: E731
    assert sorted(a, key=key) == sorted(b, key=key) and len(a) == 20
    c, _ = generate(samples, GenerationSettings(rate=0.5, target_share=None, seed=8), lambda smp: False)
    assert {v["id"] for v in c} != {v["id"] for v in a}


def test_text_perturbations_are_seeded():
    same = {perturb_text(EN, "en_typo", rng_for(3, "x", "en_typo"), GenerationSettings()).text for _ in range(5)}
    assert len(same) == 1
    seeds = {perturb_text(EN, "en_typo", rng_for(seed, "x", "en_typo"), GenerationSettings()).text
             for seed in range(10)}
    assert len(seeds) > 3  # different seeds give different typos


def test_chinese_perturbations_need_chinese():
    assert make_variant(_sample(1, EN), "zh_pinyin", GenerationSettings()) is None
    assert make_variant(_sample(1, "短"), "truncate", GenerationSettings()) is None


def test_truncation_keeps_a_visible_cut():
    s = GenerationSettings()
    for seed in range(20):
        p = perturb_text(EN, "truncate", random.Random(seed), s)
        assert p is not None and EN.startswith(p.text) and 0.3 * len(EN) <= len(p.text) < len(EN)


def test_plan_respects_rate_and_target():
    s = GenerationSettings(rate=0.5, target_share=0.1)
    p = plan({"a/b": (100, 0, 100), "c/d": (100, 10, 90), "e/f": (10, 0, 10)}, s)
    assert p.per_task_type["a/b"]["wanted"] == 11  # (0 + v) / (100 + v) <= 0.1
    assert p.per_task_type["c/d"]["wanted"] == 0  # already at the target
    assert p.per_task_type["e/f"]["wanted"] == 1
    free = plan({"a/b": (100, 0, 100)}, GenerationSettings(rate=0.5, target_share=None))
    assert free.per_task_type["a/b"]["wanted"] == 50


def test_generate_skips_unclean_and_robust_parents():
    samples = [_sample(0, "Waht is teh capital of France and why"),  # not clean: typo + cut off
               _sample(1, EN, tags=["robustness:typo"]),  # already robustness data
               _sample(2, EN, status="rejected"),
               _sample(3, EN)]
    variants, p = generate(samples, GenerationSettings(rate=1.0, target_share=None),
                           lambda smp: any(t.startswith("robustness:") for t in smp["tags"]))
    assert [v["parent_id"] for v in variants] == ["s3"]
    assert p.per_task_type["chat/qa"]["total"] == 3


@pytest.mark.parametrize("kw, message", [
    ({"perturbations": ("nope",)}, "unknown perturbation"),
    ({"perturbations": ()}, "at least one"),
    ({"rate": 0}, "rate"),
    ({"target_share": 1.5}, "target share"),
    ({"turn": "middle"}, "turn"),
])
def test_bad_settings_are_user_errors(kw, message):
    with pytest.raises(UserError, match=message):
        GenerationSettings(**kw).check()
