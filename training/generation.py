"""Batched greedy generation for chat prompts (checkpoint previews here; before/after evaluation reuses it).

Prompts are sorted by length and left-padded in batches, so one batch costs about one long prompt; the
decoding settings are explicit (not inherited from the model's generation_config), so a base model and its
tuned version are always decoded the same way.
"""
from __future__ import annotations

from .template import prompt_text


def chat_prompts(tokenizer, samples: list[dict]) -> list[str]:
    """The prompt text (all turns before the final answer, plus the assistant header) of each sample."""
    return [prompt_text(tokenizer, s["messages"], s.get("tools")) for s in samples]


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 128, batch_size: int = 8,
             stop_ids=(), device: str | None = None, max_prompt_tokens: int | None = None) -> list[str]:
    """Greedy continuations of `prompts` (special tokens removed), in input order.

    Prompts longer than `max_prompt_tokens` keep their last tokens (the question and the assistant header).
    """
    import torch
    from transformers import GenerationConfig

    device = device or next(model.parameters()).device
    encoded = [tokenizer(p, add_special_tokens=False, verbose=False)["input_ids"] for p in prompts]
    if max_prompt_tokens:
        encoded = [ids[-max_prompt_tokens:] for ids in encoded]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stops = sorted(set(stop_ids) | ({tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()))
    config = GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
                              eos_token_id=stops or None, pad_token_id=pad_id)
    order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
    outputs: list[str] = [""] * len(prompts)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            width = max(len(encoded[i]) for i in idx)
            ids = torch.tensor([[pad_id] * (width - len(encoded[i])) + encoded[i] for i in idx], device=device)
            mask = torch.tensor([[0] * (width - len(encoded[i])) + [1] * len(encoded[i]) for i in idx],
                                device=device)
            out = model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
            for row, i in enumerate(idx):
                outputs[i] = tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
    model.train(was_training)
    return outputs
