"""Batched greedy generation (training/generation.py) decodes exactly like Hugging Face `generate`, one prompt at a
time: Qwen2- and Llama-style models, a sliding-window model (no joining of caches), a peft LoRA wrapper, stop
tokens, max_new_tokens and max_prompt_tokens.

The fast tests use small randomly initialised models (built in milliseconds, seeded) and a word-level tokenizer
made in memory; one slow test uses the offline tiny preset, which may have to be built first.
"""
from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from training.generation import generate, greedy_generation_config, greedy_tokens  # noqa: E402

VOCAB = 64


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<eos>": 1, "<unk>": 2, **{f"w{k}": k for k in range(3, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")


def _model(kind: str):
    """A seeded random model; a large init range makes its logits peaked, so near-ties are rare."""
    from transformers import AutoModelForCausalLM, LlamaConfig, MistralConfig, Qwen2Config

    common = dict(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                  initializer_range=0.3, pad_token_id=0, eos_token_id=1, bos_token_id=1, tie_word_embeddings=False)
    config = {"qwen2": lambda: Qwen2Config(**common),
              "llama": lambda: LlamaConfig(**common),
              "mistral-sliding": lambda: MistralConfig(**common, sliding_window=6)}[kind]()
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_config(config, attn_implementation="sdpa").eval()


def _prompts(n: int = 7, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(f"w{rng.randrange(3, VOCAB)}" for _ in range(rng.randrange(1, 24))) for _ in range(n)]


def _reference(model, tok, prompts, max_new, stops=(), max_prompt_tokens=None) -> list[str]:
    """Plain `model.generate`, one prompt at a time (no padding), greedy."""
    config = greedy_generation_config(tok, max_new, stops)
    outs = []
    with torch.inference_mode():
        for p in prompts:
            ids = tok(p, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([ids[-max_prompt_tokens:] if max_prompt_tokens else ids])
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)
            outs.append(tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True).strip())
    return outs


def _frequent_tokens(model, tok, prompts, k: int) -> list[int]:
    """Tokens the model emits often: as stop ids they end answers at different lengths."""
    enc = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    counts: dict[int, int] = {}
    for out in greedy_tokens(model, enc, 12, 8, {1}, 0, "cpu"):
        for t in out[1:]:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts, key=lambda t: -counts[t])[:k]


@pytest.mark.parametrize("kind", ["qwen2", "llama", "mistral-sliding"])
def test_same_outputs_as_hf_generate(tokenizer, kind):
    model = _model(kind)
    prompts = _prompts()
    stops = _frequent_tokens(model, tokenizer, prompts, 2)
    expected = _reference(model, tokenizer, prompts, 16, stops)
    lengths = {len(e.split()) for e in expected}
    assert len(lengths) >= 3  # answers end at different steps: rows leave and join the batch
    assert generate(model, tokenizer, prompts, 16, batch_size=3, stop_ids=stops, device="cpu") == expected
    # Without stop ids every answer runs to max_new_tokens; batch size 1 and a batch larger than the input too.
    expected = _reference(model, tokenizer, prompts, 9)
    assert generate(model, tokenizer, prompts, 9, batch_size=1, device="cpu") == expected
    assert generate(model, tokenizer, prompts, 9, batch_size=16, device="cpu") == expected


def test_max_prompt_tokens_keeps_the_last_tokens(tokenizer):
    model = _model("qwen2")
    prompts = _prompts(5, seed=3)
    expected = _reference(model, tokenizer, prompts, 8, max_prompt_tokens=6)
    assert generate(model, tokenizer, prompts, 8, batch_size=2, device="cpu", max_prompt_tokens=6) == expected


def test_peft_wrapped_model_decodes_with_its_adapter(tokenizer):
    peft = pytest.importorskip("peft")
    model = _model("qwen2")
    prompts = _prompts(6, seed=5)
    base = generate(model, tokenizer, prompts, 10, batch_size=4, device="cpu")
    torch.manual_seed(1)
    config = peft.LoraConfig(r=4, lora_alpha=32, target_modules=["q_proj", "v_proj", "down_proj"],
                             init_lora_weights=False)  # random B as well: the adapter changes the outputs
    tuned = peft.get_peft_model(model, config)
    tuned.train()
    expected = _reference(tuned, tokenizer, prompts, 10)
    assert generate(tuned, tokenizer, prompts, 10, batch_size=4, device="cpu") == expected
    assert expected != base
    assert tuned.training  # the caller's mode is restored


def test_one_limit_per_prompt(tokenizer):
    """Per-prompt max_new_tokens (the evaluation's per-task_type budgets): each answer is what HF generate gives
    with that prompt's own limit, in one continuous batch; a limit of 0 leaves that answer empty."""
    from training.generation import generate_detailed

    model = _model("llama")
    prompts = _prompts(6, seed=11)
    limits = [3, 12, 1, 7, 0, 12]
    expected = [_reference(model, tokenizer, [p], n)[0] if n else "" for p, n in zip(prompts, limits)]
    got = generate_detailed(model, tokenizer, prompts, limits, batch_size=3, device="cpu")
    assert [d["text"] for d in got] == expected
    assert [d["new_tokens"] <= n for d, n in zip(got, limits)] == [True] * 6
    assert got[2]["new_tokens"] == 1 and (got[2]["runaway"] or got[2]["stopped"])
    assert got[4] == {"text": "", "new_tokens": 0, "stopped": False, "runaway": False}
    with pytest.raises(ValueError, match="2 limits for 6 prompts"):
        generate_detailed(model, tokenizer, prompts, [1, 2], device="cpu")


def test_edge_cases_and_progress(tokenizer):
    model = _model("qwen2")
    assert generate(model, tokenizer, [], 8) == []
    assert generate(model, tokenizer, ["w5 w6", ""], 0) == ["", ""]
    calls = []
    out = generate(model, tokenizer, _prompts(9, seed=7) + [""], 5, batch_size=2, device="cpu",
                   progress=lambda done, total: calls.append((done, total)))
    assert out[-1] == "" and all(out[:-1])
    assert calls[-1] == (10, 10) and all(a <= b for (a, _), (b, _) in zip(calls, calls[1:]))


@pytest.mark.slow
def test_tiny_preset_matches_hf_generate_on_chat_prompts():
    """The offline tiny model (Qwen2 architecture, chat template, end-of-turn stops), as evaluation uses it."""
    from training.generation import chat_prompts
    from training.models import load_model
    from training.template import end_of_turn_ids
    from training.tiny_corpus import dialogue

    loaded = load_model("tiny", "cpu")
    tok = loaded.tok.tokenizer
    rng = random.Random(4)
    samples = []
    while len(samples) < 6:
        messages, tools = dialogue(rng)
        if messages[-1]["role"] == "assistant" and not tools:
            samples.append({"messages": messages})
    prompts = chat_prompts(tok, samples)
    stops = tuple(end_of_turn_ids(tok, loaded.tok.extra_eot_ids))
    expected = _reference(loaded.model, tok, prompts, 24, stops)
    assert generate(loaded.model, tok, prompts, 24, batch_size=4, stop_ids=stops, device="cpu") == expected
