"""System prompt relevance by likelihood (training/system_prompt.py), on the offline tiny model."""
from __future__ import annotations

import pytest

from curation.errors import UserError
from training.system_prompt import SystemLikelihoodSettings, _variants, pick, system_prompt_likelihood

PERSONAS = [("You are a pirate. Talk like a pirate.", "Arr, matey! The treasure be buried on the island."),
            ("You are a formal butler.", "Certainly, sir. Dinner will be served at eight."),
            ("你是一名中医。", "建议您多喝温水，注意休息。"),
            ("You are a helpful assistant.", "The capital of France is Paris.")]


def persona(i: int, system: str, answer: str) -> dict:
    return {"task_type": f"persona/{i % 2}", "messages": [{"role": "system", "content": system},
                                                          {"role": "user", "content": "Hello?"},
                                                          {"role": "assistant", "content": answer}]}


def test_variants_pair_each_sample_with_no_system_prompt_and_another_one():
    samples = [persona(i, a, b) for i, (a, b) in enumerate(PERSONAS)]
    plain = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hi!"}]}
    chosen = pick(samples + [plain], per_type=1)
    assert [s["task_type"] for s in chosen] == ["persona/0", "persona/1"]
    (own, none, other), _ = _variants(chosen)
    assert none["messages"][0]["role"] == "user" and other["messages"][0]["content"] == PERSONAS[1][0]
    same = [persona(0, "Same.", "a"), persona(0, "Same.", "b")]
    assert _variants(same) == []  # no other system prompt to compare with
    with pytest.raises(UserError, match="no two samples with different system prompts"):
        system_prompt_likelihood(same)


@pytest.mark.slow
def test_scores_per_task_type_with_the_tiny_model():
    samples = [persona(i, a, b) for i, (a, b) in enumerate(PERSONAS * 2)]
    r = system_prompt_likelihood(samples, SystemLikelihoodSettings(device="cpu"))
    rows = {x["task_type"]: x for x in r["rows"]}
    assert rows["(all)"]["samples"] == 8 and rows["persona/0"]["samples"] == 4
    assert all(0 <= x["depends"] <= x["samples"] and abs(x["mean_gain"]) < 5 for x in r["rows"])
