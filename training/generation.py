"""Batched greedy generation for chat prompts (checkpoint previews here; before/after evaluation reuses it).

A lean decoding loop instead of `model.generate`: one model forward and an argmax per step, with the KV cache,
and nothing else. That is exactly greedy decoding, nothing inherited from the model's generation_config (HF
`generate` fills unset options such as `repetition_penalty` from it), so a base model and its tuned version are
always decoded the same way, and the per-step overhead of `generate` (logits processors, stopping criteria,
input preparation) is gone, which matters for small models where that overhead rivals the forward itself.

Continuous batching: up to `batch_size` prompts decode together (left-padded); a row that reaches a stop token
or `max_new_tokens` leaves the batch at once, and the next waiting prompt (longest first) is prefilled and
joins the running batch, so no step is spent on finished rows and no batch waits for its longest answer.
Joining needs plain dynamic KV cache layers (full attention, as in Qwen2 and Llama); with other layers
(sliding windows, linear attention) a batch is filled only when empty, and finished rows still leave it.

Padding is left-sided and masked, positions come from the attention mask, so a row's tokens match its own
unpadded run up to the last bits of floating point (a different matrix shape can round differently, which can
flip a near-tie between two tokens; `benchmarks/eval_throughput.py` reports how often outputs differ).
"""
from __future__ import annotations

import inspect
from collections import deque

from .template import prompt_text


def chat_prompts(tokenizer, samples: list[dict]) -> list[str]:
    """The prompt text (all turns before the final answer, plus the assistant header) of each sample."""
    return [prompt_text(tokenizer, s["messages"], s.get("tools")) for s in samples]


def stop_set(tokenizer, stop_ids=()) -> list[int]:
    """The token ids that end an answer: `stop_ids` plus the tokenizer's eos."""
    eos = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    return sorted(set(stop_ids) | eos)


def greedy_generation_config(tokenizer, max_new_tokens: int, stop_ids=()):
    """A `GenerationConfig` for HF `generate` that decodes like `generate` below: greedy, the same stops, and
    the options that change greedy outputs and that models' generation_config files commonly set (repetition
    penalty, n-gram blocking, a minimum length) set to neutral, because `generate` fills every option left unset
    from the model's file. Used by the benchmark's baseline and the tests."""
    from transformers import GenerationConfig

    stops = stop_set(tokenizer, stop_ids)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
                            eos_token_id=stops or None, pad_token_id=pad_id, repetition_penalty=1.0,
                            no_repeat_ngram_size=0, min_new_tokens=0)


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 128, batch_size: int = 8,
             stop_ids=(), device: str | None = None, max_prompt_tokens: int | None = None,
             progress=None) -> list[str]:
    """Greedy continuations of `prompts` (special tokens removed), in input order.

    Prompts longer than `max_prompt_tokens` keep their last tokens (the question and the assistant header).
    `progress(done, total)` is called as answers finish (about once per `batch_size` answers, and at the end).
    """
    return [d["text"] for d in generate_detailed(model, tokenizer, prompts, max_new_tokens, batch_size, stop_ids,
                                                 device, max_prompt_tokens, progress)]


def generate_detailed(model, tokenizer, prompts: list[str], max_new_tokens: int | list[int] = 128,
                      batch_size: int = 8, stop_ids=(), device: str | None = None,
                      max_prompt_tokens: int | None = None, progress=None) -> list[dict]:
    """Like `generate`, with how each answer ended: {"text", "new_tokens", "stopped" (a stop token ended
    it), "runaway" (it hit its max_new_tokens without one)}. `max_new_tokens` may be one limit per prompt (a
    short-answer item need not wait for the budget of an essay)."""
    device = device or next(model.parameters()).device
    encoded = [tokenizer(p, add_special_tokens=False, verbose=False)["input_ids"] for p in prompts]
    if max_prompt_tokens:
        encoded = [ids[-max_prompt_tokens:] for ids in encoded]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stops = stop_set(tokenizer, stop_ids)
    limits = _limits(max_new_tokens, len(prompts))
    tokens = greedy_tokens(model, encoded, limits, batch_size, stops, pad_id or 0, device, progress)
    out = []
    for t, limit in zip(tokens, limits):
        stopped = bool(t) and t[-1] in stops
        out.append({"text": tokenizer.decode(t, skip_special_tokens=True).strip(), "new_tokens": len(t),
                    "stopped": stopped, "runaway": not stopped and len(t) >= limit > 0})
    return out


def _limits(max_new_tokens: int | list[int], n: int) -> list[int]:
    """One max_new_tokens per prompt, from one number or a list of `n`."""
    if isinstance(max_new_tokens, int):
        return [max_new_tokens] * n
    limits = [int(x) for x in max_new_tokens]
    if len(limits) != n:
        raise ValueError(f"max_new_tokens has {len(limits)} limits for {n} prompts")
    return limits


def greedy_tokens(model, encoded: list[list[int]], max_new_tokens: int | list[int], batch_size: int, stops,
                  pad_id: int, device, progress=None) -> list[list[int]]:
    """The greedy continuation token ids of each prompt (token id lists), including the stop token that ended
    it, in input order; `max_new_tokens` is one limit or one per prompt. The model's train/eval mode is
    restored afterwards."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return _Decoder(model, encoded, _limits(max_new_tokens, len(encoded)), max(1, batch_size), set(stops),
                            pad_id, torch.device(device), progress).run()
    finally:
        model.train(was_training)


class _Decoder:
    """One continuous-batching greedy run. Batch rows are parallel to `self.rows` (prompt indices); the KV
    cache, `mask` (real tokens so far, left-padded), `lengths` (real tokens per row) and `last` (the newest
    token of each row, not yet in the cache) all share that row order."""

    def __init__(self, model, encoded, limits: list[int], batch_size, stops, pad_id, device, progress):
        self.model, self.encoded, self.limits, self.batch_size = model, encoded, limits, batch_size
        self.stops, self.pad_id, self.device, self.progress = stops, pad_id, device, progress
        self.out: list[list[int]] = [[] for _ in encoded]
        self.params = _forward_params(model)
        # Rows can join a running batch only with plain full-attention dynamic cache layers.
        self.joinable = _plain_layers(_new_cache(model), initialized=False) is not None
        self.rows: list[int] = []
        self.cache = self.mask = self.lengths = self.last = None
        self.done = self.reported = 0

    def run(self) -> list[list[int]]:
        # An empty prompt has nothing to condition on (generate refuses it too): its answer stays empty.
        todo = [i for i in range(len(self.encoded)) if self.encoded[i] and self.limits[i] > 0]
        self.done = len(self.encoded) - len(todo)
        # Longest first: prompts prefilled together have similar lengths (little padding), and a run whose
        # cache does not fit in memory fails at its start rather than near its end.
        waiting = deque(sorted(todo, key=lambda i: -len(self.encoded[i])))
        # Prompts join once a quarter of the batch is free (or all remaining ones fit): one prefill forward
        # for several rows costs about what one for a single row does, while a row left empty for a step or
        # two costs little.
        min_free = max(1, self.batch_size // 4)
        while waiting or self.rows:
            free = self.batch_size - len(self.rows)
            if waiting and free and (not self.rows or (self.joinable and (free >= min_free or len(waiting) <= free))):
                idx = [waiting.popleft() for _ in range(min(free, len(waiting)))]
                for group in self._prefill_groups(idx) if self.joinable else [idx]:
                    self._admit(group)
            if self.rows:
                self._step()
        self._report(final=True)
        return self.out

    def _prefill_groups(self, idx: list[int]) -> list[list[int]]:
        """`idx` (longest first) cut into groups prefilled together, each padded at most by half its real
        tokens: a long prompt is not prefilled alongside short ones padded to its length."""
        groups: list[list[int]] = []
        real = 0
        for i in idx:
            n = len(self.encoded[i])
            if groups and (len(groups[-1]) + 1) * len(self.encoded[groups[-1][0]]) > 1.5 * (real + n):
                groups.append([])
                real = 0
            if not groups:
                groups.append([])
            groups[-1].append(i)
            real += n
        return groups

    # ------------------------------------------------------------ model calls
    def _forward(self, ids, mask, positions, cache, last_only: bool):
        kwargs = {"input_ids": ids, "attention_mask": mask, "past_key_values": cache, "use_cache": True}
        if "position_ids" in self.params:
            kwargs["position_ids"] = positions
        if last_only and "logits_to_keep" in self.params:  # prefill: skip the vocabulary projection of the
            kwargs["logits_to_keep"] = 1  # prompt tokens, only the next token is needed
        elif last_only and "num_logits_to_keep" in self.params:  # its name before transformers 4.50
            kwargs["num_logits_to_keep"] = 1
        return self.model(**kwargs).logits[:, -1, :].argmax(-1)

    def _admit(self, idx: list[int]) -> None:
        """Prefill the prompts `idx` as one left-padded batch and add the unfinished ones to the running batch."""
        import torch

        width = max(len(self.encoded[i]) for i in idx)
        ids = torch.tensor([[self.pad_id] * (width - len(self.encoded[i])) + self.encoded[i] for i in idx],
                           device=self.device)
        mask = torch.tensor([[0] * (width - len(self.encoded[i])) + [1] * len(self.encoded[i]) for i in idx],
                            device=self.device)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        cache = _new_cache(self.model)
        first = self._forward(ids, mask, positions, cache, last_only=True)
        lengths = mask.sum(-1)
        if self.rows:
            _join(self.cache, cache, self.mask.shape[1], width)
            self.mask = _cat_left_padded(self.mask, mask)
            self.lengths = torch.cat([self.lengths, lengths])
            self.last = torch.cat([self.last, first])
        else:
            self.cache, self.mask, self.lengths, self.last = cache, mask, lengths, first
        start = len(self.rows)
        self.rows = self.rows + idx
        self._record(first.tolist(), start)

    def _step(self) -> None:
        """Feed every row its newest token; the argmax is each row's next token."""
        import torch

        ones = torch.ones((len(self.rows), 1), dtype=self.mask.dtype, device=self.device)
        self.mask = torch.cat([self.mask, ones], dim=1)
        nxt = self._forward(self.last[:, None], self.mask, self.lengths[:, None], self.cache, last_only=False)
        self.lengths = self.lengths + 1
        self.last = nxt
        self._record(nxt.tolist())

    # ------------------------------------------------------------ bookkeeping
    def _record(self, tokens: list[int], start: int = 0) -> None:
        """Append the new tokens of rows `start`... ; drop the rows that just finished."""
        keep = list(range(start))
        for row, t in enumerate(tokens, start):
            i = self.rows[row]
            self.out[i].append(t)
            if t in self.stops or len(self.out[i]) >= self.limits[i]:
                self.done += 1
            else:
                keep.append(row)
        if len(keep) < len(self.rows):
            self._keep(keep)
            self._report()

    def _keep(self, keep: list[int]) -> None:
        import torch

        self.rows = [self.rows[r] for r in keep]
        if not keep:
            self.cache = self.mask = self.lengths = self.last = None
            return
        index = torch.tensor(keep, device=self.device)
        self.cache.batch_select_indices(index)
        self.mask, self.lengths, self.last = self.mask[index], self.lengths[index], self.last[index]
        # Columns that are padding in every remaining row (the finished rows' longer prompts) are cut away.
        lead = int(self.mask.shape[1] - self.lengths.max())
        layers = _plain_layers(self.cache)
        if lead > 0 and layers is not None:
            for layer in layers:
                layer.keys, layer.values = layer.keys[:, :, lead:], layer.values[:, :, lead:]
            self.mask = self.mask[:, lead:]

    def _report(self, final: bool = False) -> None:
        if self.progress and (final or self.done - self.reported >= self.batch_size):
            self.reported = self.done
            self.progress(self.done, len(self.encoded))


def _forward_params(model) -> set:
    """Keyword names the model's forward accepts (a peft wrapper passes extra keywords to the base model)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return set(inspect.signature(base.forward).parameters)


def _new_cache(model):
    """An empty dynamic KV cache laid out for `model` (sliding-window layers where its config has them)."""
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # transformers before 4.56: no config argument, every layer is a plain one
        return DynamicCache()


def _plain_layers(cache, initialized: bool = True):
    """The cache's layers when all are plain full-attention dynamic layers (key/value tensors shaped
    [batch, heads, tokens, dim] that can be sliced and concatenated) and, if `initialized`, filled; else None."""
    try:
        from transformers.cache_utils import DynamicLayer
    except ImportError:  # transformers before 4.56 keeps key/value lists instead of layers: no joining
        return None
    layers = getattr(cache, "layers", None)
    if not layers or any(type(layer) is not DynamicLayer or (initialized and not layer.is_initialized)
                         for layer in layers):
        return None
    return layers


def _join(cache, new_cache, width: int, new_width: int) -> None:
    """Append `new_cache`'s rows to `cache`, left-padding whichever is shorter (padding is masked out)."""
    import torch

    layers, new_layers = _plain_layers(cache), _plain_layers(new_cache)
    if layers is None or new_layers is None or len(layers) != len(new_layers):
        raise RuntimeError("cannot join KV caches of this layout")  # `joinable` is checked before admitting
    for layer, new in zip(layers, new_layers):
        layer.keys = torch.cat([_pad_tokens(layer.keys, new_width - width), _pad_tokens(new.keys, width - new_width)])
        layer.values = torch.cat([_pad_tokens(layer.values, new_width - width),
                                  _pad_tokens(new.values, width - new_width)])


def _pad_tokens(t, n: int):
    """`t` ([batch, heads, tokens, dim]) with `n` zero tokens in front (nothing if n <= 0)."""
    import torch.nn.functional as F

    return F.pad(t, (0, 0, n, 0)) if n > 0 else t


def _cat_left_padded(a, b):
    """Stack two left-padded [batch, tokens] masks, padding the narrower one on the left with zeros."""
    import torch
    import torch.nn.functional as F

    w = max(a.shape[1], b.shape[1])
    return torch.cat([F.pad(a, (w - a.shape[1], 0)), F.pad(b, (w - b.shape[1], 0))])
