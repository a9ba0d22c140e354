"""Loss on assistant tokens only, computing vocabulary logits just where a label exists.

A causal LM's forward computes logits for every position; with prompts, tool results and padding that is
mostly wasted (and the [tokens x vocab] float tensor is the largest activation). Here the decoder runs once,
the hidden states at trained positions are picked, and only those go through the output layer. The same path
serves training (sum of token losses, normalised by the caller over the whole optimiser step) and evaluation
(per-sample loss sums, see `sample_losses`).
"""
from __future__ import annotations

IGNORE = -100


def causal_lm(model):
    """The underlying *ForCausalLM (unwrapping peft and DDP)."""
    while hasattr(model, "module"):  # DDP / accelerate wrappers
        model = model.module
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def hidden_and_targets(model, input_ids, labels, attention_mask=None, position_ids=None):
    """(hidden states at trained positions, their target ids, row index of each) for the shifted labels."""
    lm = causal_lm(model)
    decoder = getattr(lm, lm.base_model_prefix)
    out = decoder(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False)
    hidden = out.last_hidden_state[:, :-1]
    targets = labels[:, 1:]
    keep = targets != IGNORE
    rows = keep.nonzero()[:, 0]
    return hidden[keep], targets[keep], rows


def logits_of(model, hidden):
    """Output-layer logits in fp32, with the softcapping / scaling some architectures apply."""
    lm = causal_lm(model)
    logits = lm.get_output_embeddings()(hidden).float()
    scale = getattr(lm, "logit_scale", None)
    if isinstance(scale, (int, float)):
        logits = logits * scale
    cap = getattr(lm.config, "final_logit_softcapping", None)
    if cap:
        logits = (logits / cap).tanh() * cap
    return logits


def loss_module(model):
    """A torch Module whose forward returns (sum of token losses, number of trained tokens).

    It wraps the peft model so DDP / accelerate see one module with a forward (gradient sync needs that).
    """
    import torch
    import torch.nn.functional as F

    class AssistantLoss(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.model = inner

        def forward(self, input_ids, labels, attention_mask=None, position_ids=None):
            hidden, targets, _ = hidden_and_targets(self.model, input_ids, labels, attention_mask, position_ids)
            if targets.numel() == 0:  # keep the graph connected so DDP still syncs
                return hidden.sum() * 0.0, targets.numel()
            return F.cross_entropy(logits_of(self.model, hidden), targets, reduction="sum"), targets.numel()

    return AssistantLoss(model)


def sample_losses(model, encoded, device: str = "cpu", batch_tokens: int = 8192, autocast_dtype=None) -> list[
        tuple[float, int]]:
    """(sum of token losses, trained tokens) per encoded sample, in input order; batched by length."""
    import torch
    import torch.nn.functional as F

    from .data import collate

    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    results: list[tuple[float, int]] = [(0.0, 0)] * len(encoded)
    pad_id = 0
    batches, current = [], []
    for i in order:
        if current and len(encoded[i]) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for batch in batches:
            t = collate(encoded, [[i] for i in batch], pad_id, packed=False)
            ctx = torch.autocast(device_type=device, dtype=autocast_dtype) if autocast_dtype else _null()
            with ctx:
                hidden, targets, rows = hidden_and_targets(model, t["input_ids"].to(device), t["labels"].to(device),
                                                           t["attention_mask"].to(device))
                nll = F.cross_entropy(logits_of(model, hidden), targets, reduction="none")
            sums = torch.zeros(len(batch), device=nll.device).index_add_(0, rows, nll)
            counts = torch.bincount(rows, minlength=len(batch))
            for j, i in enumerate(batch):
                results[i] = (float(sums[j]), int(counts[j]))
    model.train(was_training)
    return results


def _null():
    import contextlib

    return contextlib.nullcontext()
