"""Prompt rewrite to match the answer: a complex-instruction sample whose answer misses a numeric constraint of
its prompt ("at least 200 words" answered with 189, `不少于200字` answered with 150字) gets a suggestion to change
the prompt's figure to what the answer did. A suggestion, never an overwrite: a reviewer accepts it (a revision of
the sample, `curation generate accept`) or rejects it.

`mode = rule` (the default, no model needed) replaces the figure and keeps every other character; `mode = llm`
asks the model to do it and keeps the reply only if its constraint now holds for the answer and the rest of the
prompt is unchanged enough (shingle Jaccard >= `min_similarity`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from . import length_constraints as cons  # to move onto curation.constraints (the special checks)
from ..dedup.lsh import set_similarity, shingle_sets
from ..dedup.normalise import normalise
from ..errors import UserError
from ..store import SampleFilter, curated
from . import templates
from .base import PRODUCERS, Candidate, Producer, Rejection, Reply, Request
from .parsing import single_prompt

TEMPLATE = "rewrite/v1"


@dataclass
class RewriteSettings:
    """How a prompt's figure is made to match its answer."""

    mode: str = "rule"  # rule | llm: replace the figure directly, or ask the model to rewrite the prompt
    round_to: int = 10  # "at least" figures round down, "at most" up, to this step (189 -> 180); 1 = exact count
    about_tolerance: float = 0.1  # "about 200 words" holds within ±10%
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
            miss = self.missed(sample)
            if miss:
                out.append({**sample, "_miss": miss})
                if run.count is not None and len(out) >= run.count:
                    break
        if not out:
            raise UserError("no answer of the selection misses a numeric length constraint of its prompt "
                            "(\"at least 200 words\", 不少于200字): nothing to rewrite")
        return out

    def missed(self, sample: dict) -> dict | None:
        """The first constraint of the last user turn that the final answer misses, with the measurements."""
        msgs = sample["messages"]
        turn = max((i for i, m in enumerate(msgs) if m["role"] == "user"), default=None)
        if turn is None or msgs[-1]["role"] != "assistant":
            return None
        answer = msgs[-1].get("content") or ""
        for c in cons.parse_constraints(msgs[turn].get("content") or ""):
            actual = cons.measure(answer, c.unit)
            if not cons.satisfied(c, actual, self.settings.about_tolerance):
                figure = cons.matching_figure(c, actual, self.settings.round_to)
                return {"turn": turn, "constraint": c, "actual": actual, "figure": figure}
        return None

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        if self.settings.mode != "llm":
            return []
        out = []
        for sample in inputs:
            miss = sample["_miss"]
            prompt = sample["messages"][miss["turn"]]["content"]
            c = miss["constraint"]
            text = templates.rewrite(prompt, c.value, miss["figure"], c.unit, sample.get("language"))
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
            out.append(self._suggestion(sample, cons.rewrite(prompt, miss["constraint"], miss["figure"]), None))
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
        still = [c for c in cons.parse_constraints(after)
                 if not cons.satisfied(c, cons.measure(answer, c.unit), self.settings.about_tolerance)]
        if not cons.parse_constraints(after) or still:
            return reject("malformed", "the rewritten prompt's length requirement still does not match the answer "
                                       f"({miss['actual']} {miss['constraint'].unit})")
        a, b = shingle_sets([normalise(before), normalise(after)], 5)
        sim = set_similarity(a, b)[0]
        if sim < self.settings.min_similarity:
            return reject("no_information_gain" if sim >= 1 else "malformed",
                          f"the rewrite changed more than the figure ({sim:.0%} shingle Jaccard with the prompt)")
        return [self._suggestion(sample, after, reply.response_id)]

    def _suggestion(self, sample: dict, after: str, response_id: str | None) -> Candidate:
        miss = sample["_miss"]
        c = miss["constraint"]
        before = sample["messages"][miss["turn"]]["content"]
        reason = (f"the answer has {miss['actual']} {c.unit}, the prompt asks for {c.describe()}: suggest "
                  f"{miss['figure']}")
        suggestion = {"sample_id": sample["id"], "sample_rev": sample["rev"], "turn": miss["turn"],
                      "before": before, "after": after, "reason": reason,
                      "evidence": {"constraint": c.phrase, "kind": c.kind, "value": c.value, "unit": c.unit,
                                   "actual": miss["actual"], "figure": miss["figure"], "mode": self.settings.mode,
                                   "response_id": response_id}}
        return Candidate("rewrite", reason, after[:300], text=after, parent_ids=[sample["id"]],
                         target_id=sample["id"], provenance={"suggestion": suggestion})


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
