"""Prompt rewrite to match the answer: a complex-instruction sample whose answer misses a numeric constraint of
its prompt ("at least 200 words" answered with 189, `不少于200字` answered with 150字) gets a suggestion to change
the prompt's figure to what the answer did. A suggestion, never an overwrite: a reviewer accepts it (a revision of
the sample, `curation generate accept`) or rejects it.

Constraints come from the special checks' extractor (`curation.constraints`: lengths in 字, words, sentences and
lines, list items, paragraphs; "about" holds within its APPROX). Only those in the instruction count: the first
and the last paragraph of a prompt that pastes a document in between (its figures are not constraints).

`mode = rule` (the default, no model needed) replaces the figure and keeps every other character; `mode = llm`
asks the model to do it and keeps the reply only if its constraints now hold for the answer and the rest of the
prompt is unchanged enough (shingle Jaccard >= `min_similarity`, figures masked).
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

from .. import constraints as cons
from ..dedup.lsh import set_similarity, shingle_sets
from ..dedup.normalise import normalise
from ..errors import UserError
from ..store import SampleFilter, curated
from . import templates
from .base import PRODUCERS, Candidate, Producer, Rejection, Reply, Request
from .parsing import single_prompt

TEMPLATE = "rewrite/v1"
_DIGITS = re.compile(r"\d[\d,]*|[零〇一二两三四五六七八九十百千万]+")
_FIGURE = re.compile(rf"{cons.ZH_NUM}|\b{cons.EN_NUM}\b", re.I)
NUMERIC = ("length", "items", "paragraphs")  # the constraint kinds with a figure to rewrite


@dataclass
class RewriteSettings:
    """How a prompt's figure is made to match its answer."""

    mode: str = "rule"  # rule | llm: replace the figure directly, or ask the model to rewrite the prompt
    round_to: int = 10  # "at least" figures round down, "at most" up, to this step (189 -> 180); 1 = exact count
    # only near misses: the answer is within this share of the figure (189 for 200 is 5.5% off); further off, the
    # answer is what is wrong, not the prompt
    max_gap: float = 0.5
    include_counts: bool = False  # also list items and paragraphs ("list 5 tips"); their extraction is less sure
    min_similarity: float = 0.8  # llm mode: the rewrite must keep the prompt this similar (shingle Jaccard)
    temperature: float = 0.0  # llm mode: a rewrite wants no creativity
    max_tokens: int = 1024  # llm mode: room for the whole rewritten prompt


@PRODUCERS.register
class PromptRewrite(Producer):
    """Suggest a prompt figure that the answer meets, for answers that miss a numeric length constraint."""

    name = "rewrite"
    Settings = RewriteSettings

    @property
    def needs_endpoint(self) -> bool:
        return self.settings.mode == "llm"

    def select(self, store, context: dict) -> list[dict]:
        if self.settings.mode not in ("rule", "llm"):
            raise UserError(f"mode must be rule or llm, got {self.settings.mode!r}")
        run = context["run"]
        out = []
        for sample in store.samples.iter(curated(run.filter or SampleFilter())):
            miss = self.readable([sample], context) and self.missed(sample)
            if miss:
                out.append({**sample, "_miss": miss})
                if run.count is not None and len(out) >= run.count:
                    break
        if not out:
            raise UserError("no answer of the selection misses a numeric length constraint of its prompt "
                            "(\"at least 200 words\", 不少于200字): nothing to rewrite")
        return out

    def missed(self, sample: dict) -> dict | None:
        """The first numeric constraint of the last user turn that the final answer misses, with the measurement,
        where the figure is in the prompt and the figure that would hold."""
        msgs = sample["messages"]
        turn = max((i for i, m in enumerate(msgs) if m["role"] == "user"), default=None)
        if turn is None or msgs[-1]["role"] != "assistant":
            return None
        prompt, answer = msgs[turn].get("content") or "", msgs[-1].get("content") or ""
        for c, span in instruction_constraints(prompt):
            ok, actual = cons.verify(c, answer)
            # an answer with none of the unit (no list items at all) is not a near miss: the figure means
            # something else here, and 0 is no figure to ask for
            if ok or not actual or abs(int(actual) - c.value) > self.settings.max_gap * c.value:
                continue
            if c.kind != "length" and not self.settings.include_counts:
                continue
            figure = matching_figure(c, int(actual), self.settings.round_to)
            if figure != c.value:
                return {"turn": turn, "constraint": c, "span": span, "actual": int(actual), "figure": figure}
        return None

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        if self.settings.mode != "llm":
            return []
        out = []
        for sample in inputs:
            miss = sample["_miss"]
            prompt = sample["messages"][miss["turn"]]["content"]
            c = miss["constraint"]
            text = templates.rewrite(prompt, c.value, miss["figure"], _unit(c), sample.get("language"))
            out.append(Request([{"role": "user", "content": text}], TEMPLATE, [sample["id"]], None,
                               temperature=self.settings.temperature, max_tokens=self.settings.max_tokens,
                               meta={"sample": sample}))
        return out

    def local(self, inputs: list[dict], context: dict) -> list:
        if self.settings.mode != "rule":
            return []
        out = []
        for sample in inputs:
            miss = sample["_miss"]
            prompt = sample["messages"][miss["turn"]]["content"]
            start, end = miss["span"]
            out.append(self._suggestion(sample, prompt[:start] + str(miss["figure"]) + prompt[end:], None))
        return out

    def outcomes(self, request: Request, reply: Reply, context: dict) -> list:
        sample = request.meta["sample"]
        miss = sample["_miss"]
        before = sample["messages"][miss["turn"]]["content"]
        after = single_prompt(reply.text)

        def reject(rule: str, reason: str) -> list:
            return [Rejection(rule, reason, after[:300], [sample["id"]], after, reply.response_id)]

        if reply.finish_reason == "length":
            return reject("truncated", "the rewritten prompt was cut off at the token limit")
        answer = sample["messages"][-1]["content"]
        found = [c for c in cons.extract_constraints(after) if c.kind in NUMERIC]
        still = [c for c in found if not cons.verify(c, answer).ok]
        if not found or still:
            return reject("malformed", "the rewritten prompt's requirement still does not match the answer "
                                       f"({miss['actual']} {_unit(miss['constraint'])})")
        a, b = shingle_sets([_DIGITS.sub("#", normalise(before)), _DIGITS.sub("#", normalise(after))], 5)
        sim = set_similarity(a, b)[0]  # with every figure masked: only the words count
        if sim < self.settings.min_similarity:
            return reject("no_information_gain" if sim >= 1 else "malformed",
                          f"the rewrite changed more than the figure ({sim:.0%} shingle Jaccard with the prompt)")
        return [self._suggestion(sample, after, reply.response_id)]

    def _suggestion(self, sample: dict, after: str, response_id: str | None) -> Candidate:
        miss = sample["_miss"]
        c = miss["constraint"]
        before = sample["messages"][miss["turn"]]["content"]
        reason = (f"the answer has {miss['actual']} {_unit(c)}, the prompt asks for {c.describe()}: suggest "
                  f"{miss['figure']}")
        suggestion = {"sample_id": sample["id"], "sample_rev": sample["rev"], "turn": miss["turn"],
                      "before": before, "after": after, "reason": reason,
                      "evidence": {"constraint": c.source, "kind": c.kind, "op": c.op, "value": c.value, "unit": c.unit,
                                   "actual": miss["actual"], "figure": miss["figure"], "mode": self.settings.mode,
                                   "response_id": response_id}}
        return Candidate("rewrite", reason, after[:300], text=after, parent_ids=[sample["id"]],
                         target_id=sample["id"], provenance={"suggestion": suggestion})


def instruction_constraints(prompt: str) -> list[tuple]:
    """(constraint, span of its figure in the prompt) of each numeric constraint in the prompt's instruction: its
    first or last paragraph when it has three or more (a pasted article's "about 150 points" is no constraint)."""
    paragraphs = [m.span() for m in re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*$)", prompt, re.S)]
    out = []
    for c in cons.extract_constraints(prompt):
        span = figure_span(prompt, c) if c.kind in NUMERIC and isinstance(c.value, int) else None
        if span is None:
            continue
        if len(paragraphs) >= 3 and not any(a <= span[0] < b for a, b in (paragraphs[0], paragraphs[-1])):
            continue
        out.append((c, span))
    return out


def figure_span(prompt: str, c) -> tuple[int, int] | None:
    """Where the constraint's figure is written in the prompt (inside the text it was read from); None when the
    figure cannot be found as written (then no rewrite is proposed)."""
    start = prompt.find(c.source) if c.source else -1
    if start < 0:
        return None
    for m in _FIGURE.finditer(c.source):
        if cons.parse_number(m.group(0)) == c.value:
            return start + m.start(), start + m.end()
    return None


def matching_figure(c, actual: int, round_to: int = 1) -> int:
    """The figure that makes the constraint true of an answer of length `actual`: rounded down to `round_to` for
    ">=", up for "<=", to the nearest for "~" (a round figure, when the step is small against it), the exact
    count for "=="."""
    step = max(1, int(round_to))
    if c.op == ">=":
        return max(1, (actual // step) * step) if actual >= step else actual
    if c.op == "<=":
        return int(math.ceil(actual / step) * step)
    if c.op == "~" and actual >= 10 * step:
        return int(round(actual / step) * step)
    return actual


def _unit(c) -> str:
    return c.unit or c.kind  # items and paragraphs count themselves


def accept(store, suggestion_id: int, author: str, note: str | None = None) -> dict:
    """Apply an open rewrite suggestion as a revision of its sample (refused when the prompt changed since)."""
    s = store.generation.suggestion(suggestion_id)
    if s["state"] != "open":
        raise UserError(f"rewrite suggestion {suggestion_id} is {s['state']}, not open")
    sample = store.samples.get(s["sample_id"])
    turn = s["turn"]
    if turn >= len(sample["messages"]) or sample["messages"][turn].get("content") != s["before"]:
        raise UserError(f"sample {s['sample_id']} changed since suggestion {suggestion_id} was made: its prompt is "
                        "no longer the one the suggestion rewrites; run the rewrite producer again")
    messages = copy.deepcopy(sample["messages"])
    messages[turn]["content"] = s["after"]
    updated = store.samples.update(s["sample_id"], {"messages": messages}, author, "rewrite",
                                   note or f"rewrite suggestion {suggestion_id}: {s['reason']}")
    store.generation.decide(suggestion_id, "accepted", author)
    return {"suggestion": suggestion_id, "sample_id": s["sample_id"], "rev": updated["rev"], "state": "accepted"}


def reject(store, suggestion_id: int, author: str) -> dict:
    """Close an open rewrite suggestion without changing the sample."""
    store.generation.decide(suggestion_id, "rejected", author)
    return {"suggestion": suggestion_id, "state": "rejected"}
