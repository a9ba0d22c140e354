"""Samples to training tensors: render with the chat template, label only assistant tokens, batch.

Masking works for any template without knowing its syntax. For assistant turn i the template renders the
conversation up to the turn with the generation prompt (prefix) and up to and including the turn (upto); the
text between the two is exactly what the model must write, ending with the template's end-of-turn token.
The whole conversation is tokenized once with character offsets and the tokens inside those spans get labels;
everything else (system, user, tool results, template headers, the newline after an end-of-turn) is -100.
If a template renders prefixes differently from the full conversation, the turn is located by searching its
content instead, and turns that cannot be located are reported by the audit.
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

from .template import end_of_turn_ids, render, to_template_messages

IGNORE = -100


@dataclass
class Encoded:
    """One tokenized sample and what the audit needs to know about it."""

    id: str
    task_type: str | None
    input_ids: list[int]
    labels: list[int]  # IGNORE except on trained tokens (unshifted: labels[k] == input_ids[k] when trained)
    full_length: int  # tokens before truncation to max_length
    assistant_turns: int = 0
    truncated_turns: int = 0  # assistant turns that lost tokens to max_length
    missing_eot_turns: int = 0  # assistant turns whose rendering has no end-of-turn token
    eot_appended: bool = False  # eos added after the last turn because the template wrote none
    unlocated_turns: int = 0  # assistant turns the template's output could not be matched to
    control_text: list[str] = field(default_factory=list)  # control-token strings found inside contents

    @property
    def n_trained(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)

    def __len__(self) -> int:
        return len(self.input_ids)


class Encoder:
    """Encodes canonical samples for one tokenizer (whose chat template is already set)."""

    def __init__(self, tokenizer, max_length: int, extra_eot_ids=()):
        if not getattr(tokenizer, "is_fast", True):
            from curation.errors import UserError

            raise UserError("this model's tokenizer has no fast (Rust) version, which the assistant-token mask "
                            "needs for character offsets; use a model whose tokenizer.json is available")
        self.tok = tokenizer
        self.max_length = max_length
        self.eot_ids = end_of_turn_ids(tokenizer, extra_eot_ids)
        self.eot_strings = [tokenizer.convert_ids_to_tokens(i) for i in sorted(self.eot_ids)]
        self.append_id = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else min(self.eot_ids)
        special = set(getattr(tokenizer, "all_special_tokens", [])) | {
            t.content for t in getattr(tokenizer, "added_tokens_decoder", {}).values()}
        self.control_strings = sorted(s for s in special if s and not s.isspace())

    def encode(self, sample: dict) -> Encoded:
        """Render, tokenize and label one sample."""
        msgs = to_template_messages(sample["messages"])
        tools = sample.get("tools") or None
        text = render(self.tok, msgs, tools)
        spans = self._assistant_spans(msgs, tools, text)
        enc = self.tok(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        ids, offsets = list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]
        labels = [IGNORE] * len(ids)
        out = Encoded(id=str(sample.get("id", "")), task_type=sample.get("task_type"), input_ids=ids,
                      labels=labels, full_length=len(ids), assistant_turns=len(spans),
                      unlocated_turns=sum(s is None for s in spans), control_text=self._control_text(msgs))
        turn_tokens = [self._label_span(ids, offsets, labels, s, out) for s in spans if s is not None]
        if turn_tokens and turn_tokens[-1] and not any(ids[k] in self.eot_ids for k in turn_tokens[-1]):
            # The template wrote no end-of-turn after the final answer: add eos so the model learns to stop.
            at = turn_tokens[-1][-1] + 1
            ids.insert(at, self.append_id)
            labels.insert(at, self.append_id)
            turn_tokens[-1].append(at)
            out.eot_appended = True
        out.full_length = len(ids)
        self._truncate(out, turn_tokens)
        return out

    def _assistant_spans(self, msgs, tools, text) -> list[tuple[int, int] | None]:
        """Character span of every assistant turn in `text` (None when it cannot be found)."""
        spans, cursor = [], 0
        for i, m in enumerate(msgs):
            if m.get("role") != "assistant":
                continue
            span = self._span_by_prefix(msgs, tools, text, i, cursor) or self._span_by_search(text, m, cursor)
            spans.append(span)
            if span:
                cursor = span[1]
        return spans

    def _span_by_prefix(self, msgs, tools, text, i, cursor):
        try:
            prefix = render(self.tok, msgs[:i], tools, add_generation_prompt=True)
            upto = render(self.tok, msgs[:i + 1], tools)
        except Exception:  # some templates refuse partial conversations; fall back to searching
            return None
        if upto.startswith(prefix) and text.startswith(upto) and cursor <= len(prefix) < len(upto):
            return len(prefix), len(upto)
        return None

    def _span_by_search(self, text, m, cursor):
        """Locate the turn by its content (or first tool name), up to the next end-of-turn string."""
        content = (m.get("content") or "").strip()
        calls = m.get("tool_calls") or []
        first = calls[0] if isinstance(calls, list) and calls and isinstance(calls[0], dict) else {}
        fn = first.get("function") if isinstance(first.get("function"), dict) else {}
        needle = content or str(fn.get("name") or "")
        start = text.find(needle, cursor) if needle else -1
        if start < 0:
            return None
        end = start + len(needle)
        ends = [(text.find(s, end), s) for s in self.eot_strings if s and text.find(s, end) >= 0]
        if ends:
            pos, s = min(ends)
            end = pos + len(s)
        return start, end

    def _label_span(self, ids, offsets, labels, span, out: Encoded) -> list[int]:
        """Label the tokens overlapping `span`, up to and including its last end-of-turn token.

        A token that straddles the start (" Hello" after "assistant:") is the one the model must produce to
        begin the answer, so it is trained, as transformers' own assistant masks do.
        """
        start, end = span
        k = bisect.bisect_left(offsets, (start, -1))  # offsets are sorted by start
        while k > 0 and offsets[k - 1][1] > start:
            k -= 1
        inside = []
        while k < len(offsets) and offsets[k][0] < end:
            if offsets[k][1] > offsets[k][0]:
                inside.append(k)
            k += 1
        eots = [k for k in inside if ids[k] in self.eot_ids]
        if eots:
            inside = [k for k in inside if k <= eots[-1]]  # the newline after <|im_end|> is not the answer
        else:
            out.missing_eot_turns += 1
        for k in inside:
            labels[k] = ids[k]
        return inside

    def _truncate(self, out: Encoded, turn_tokens: list[list[int]]) -> None:
        n = self.max_length
        if len(out.input_ids) <= n:
            return
        out.truncated_turns = sum(1 for t in turn_tokens if t and t[-1] >= n)
        del out.input_ids[n:]
        del out.labels[n:]

    def _control_text(self, msgs) -> list[str]:
        found = set()
        for m in msgs:
            content = m.get("content") or ""
            found.update(s for s in self.control_strings if s in content)
        return sorted(found)


def trained_segments(tokenizer, enc: Encoded) -> list[dict]:
    """The rendered sample as consecutive {text, trained} pieces (for highlighting, no markup)."""
    pieces: list[dict] = []
    run: list[int] = []
    state = None
    for tid, lab in zip(enc.input_ids, enc.labels):
        trained = lab != IGNORE
        if state is not None and trained != state:
            pieces.append({"text": tokenizer.decode(run), "trained": state})
            run = []
        run.append(tid)
        state = trained
    if run:
        pieces.append({"text": tokenizer.decode(run), "trained": state})
    return pieces


def trained_texts(tokenizer, enc: Encoded) -> list[str]:
    """Decoded text of each run of trained tokens (one per assistant turn when masking is right)."""
    return [p["text"] for p in trained_segments(tokenizer, enc) if p["trained"]]


# ---------------------------------------------------------------- batching

def plan_batches(lengths: list[int], batch_size: int, mode: str, seed: int, max_length: int) -> list[list[list[int]]]:
    """Micro-batches for one epoch: each is a list of rows, each row a list of sample indices.

    random: shuffled, one sample per row. length_grouped: shuffled, then sorted by length inside windows of
    64 batches so a batch holds similar lengths (little padding); batches are shuffled, longest first so an
    out-of-memory shows at step 1. packed: samples share a row of up to max_length tokens (first-fit
    decreasing inside windows), kept apart by position ids; a batch gets as many rows as batch_size average
    samples fill, so a step still sees about batch_size samples and the schedule keeps its meaning.
    """
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if mode == "random":
        rows = [[i] for i in order]
        return [rows[k:k + batch_size] for k in range(0, len(rows), batch_size)]
    window = batch_size * 64
    rows: list[list[int]] = []
    for w in range(0, len(order), window):
        chunk = sorted(order[w:w + window], key=lambda i: -lengths[i])
        rows += _pack(chunk, lengths, max_length) if mode == "packed" else [[i] for i in chunk]
    per_batch = batch_size
    if mode == "packed" and lengths:
        per_batch = max(1, round(batch_size * (sum(lengths) / len(lengths)) / max_length))
    batches = [rows[k:k + per_batch] for k in range(0, len(rows), per_batch)]
    if not batches:
        return []
    longest = max(range(len(batches)), key=lambda b: max(sum(lengths[i] for i in r) for r in batches[b]))
    first = batches.pop(longest)
    rng.shuffle(batches)
    return [first] + batches


def _pack(sorted_ids: list[int], lengths: list[int], capacity: int) -> list[list[int]]:
    """First-fit decreasing bin packing of samples into rows of `capacity` tokens."""
    rows: list[list[int]] = []
    room: list[int] = []
    for i in sorted_ids:
        n = lengths[i]
        for r, free in enumerate(room):
            if n <= free:
                rows[r].append(i)
                room[r] -= n
                break
        else:
            rows.append([i])
            room.append(capacity - n)
    return rows


def collate(encoded: list[Encoded], batch: list[list[int]], pad_id: int, packed: bool) -> dict:
    """Right-padded tensors for one micro-batch; packed rows get per-sample position ids and no mask."""
    import torch

    rows_ids, rows_labels, rows_pos = [], [], []
    for row in batch:
        ids, labels, pos = [], [], []
        for i in row:
            ids += encoded[i].input_ids
            labels += encoded[i].labels
            pos += list(range(len(encoded[i].input_ids)))
        rows_ids.append(ids)
        rows_labels.append(labels)
        rows_pos.append(pos)
    width = max(len(r) for r in rows_ids)
    pad = [width - len(r) for r in rows_ids]
    out = {
        "input_ids": torch.tensor([r + [pad_id] * p for r, p in zip(rows_ids, pad)]),
        "labels": torch.tensor([r + [IGNORE] * p for r, p in zip(rows_labels, pad)]),
    }
    if packed:
        # Padding continues as its own "sample" (positions restart at 0), so real tokens never attend to it.
        out["position_ids"] = torch.tensor([r + list(range(p)) for r, p in zip(rows_pos, pad)])
        out["attention_mask"] = None
    else:
        out["attention_mask"] = torch.tensor([[1] * len(r) + [0] * p for r, p in zip(rows_ids, pad)])
        out["position_ids"] = None
    out["n_real"] = sum(len(r) for r in rows_ids)
    out["n_padded"] = width * len(rows_ids)
    return out
