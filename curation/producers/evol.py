"""Evol-Instruct (WizardLM, arXiv:2304.12244): evolve prompts in depth (add a constraint, deepen, concretise, ask
for more reasoning steps) or in breadth (a new, rarer prompt of the same domain), answer them, and throw away the
failed evolutions by WizardLM's elimination rules (curation/producers/elimination.py), each with its reason.

One round per run: the evolved samples are ordinary pending samples (parent_id = the original), so a second run
over `--tag generated:evol` evolves them again, as WizardLM's later rounds do.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import UserError
from ..store import curated
from ..store import SampleFilter
from . import templates
from .base import PRODUCERS, Candidate, Producer, Rejection, Reply, Request
from .elimination import answer_reasons, prompt_reasons
from .parsing import language_problem, single_prompt

_DIRECTIONS = {"both": templates.EVOL_KINDS, "depth": templates.EVOL_DEPTH, "breadth": templates.EVOL_BREADTH}


@dataclass
class EvolSettings:
    """Which evolutions to apply and where the elimination rules draw their lines."""

    direction: str = "both"  # both | depth | breadth: in-depth (harder) or in-breadth (new topic) evolutions
    evolutions_per_prompt: int = 1  # evolved variants per original prompt (each of a different kind)
    min_new_tokens: int = 3  # rule 1: an evolution must add this many new words (or Chinese characters)
    max_similarity: float = 0.9  # rule 1: an evolution this similar to the original (shingle Jaccard) adds nothing
    sorry_max_words: int = 80  # rule 2 (WizardLM): an answer saying "sorry" in fewer words is a refusal
    sorry_help_chars: int = 40  # rule 2: an apology followed by fewer letters than this is a refusal, not help
    dedup_threshold: float = 0.8  # MinHash threshold against the store (`curation dedup --method minhash`'s default)
    temperature: float = 0.7  # sampling temperature of the evolution
    max_tokens: int = 512  # an evolved prompt longer than this is cut off and rejected as truncated
    answer_temperature: float = 0.7  # sampling temperature of the answers
    answer_max_tokens: int = 1024  # an answer cut off at this limit is rejected as truncated
    chain_of_thought: bool = False  # reason first (kept as the turn's reasoning, never trained), then answer
    seed: int = 0  # which evolution each prompt gets; also sent as the sampling seed


@PRODUCERS.register
class EvolInstruct(Producer):
    """Harder (depth) or broader (breadth) versions of prompts, answered; failed evolutions eliminated."""

    name = "evol"
    Settings = EvolSettings

    def select(self, store, context: dict) -> list[dict]:
        run = context["run"]
        f = curated(run.filter or SampleFilter())
        inputs = [s for s in store.samples.list(f) if _user_turn(s)]
        if not inputs:
            raise UserError("no prompts to evolve: the selection has no sample with a user turn (rejected and "
                            "duplicate samples are left out)")
        if run.count is not None:
            inputs = inputs[:run.count]
        return inputs

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        s = self.settings
        if s.direction not in _DIRECTIONS:
            raise UserError(f"direction must be one of {', '.join(_DIRECTIONS)}, got {s.direction!r}")
        kinds = list(_DIRECTIONS[s.direction])
        out = []
        for sample in inputs:
            prompt = _user_turn(sample)
            language = sample.get("language") if sample.get("language") in ("zh", "en") else None
            chosen = random.Random(f"{s.seed}:{sample['id']}").sample(kinds, min(s.evolutions_per_prompt, len(kinds)))
            for kind in chosen:
                template, text = templates.evol(kind, prompt, language)
                out.append(Request([{"role": "user", "content": text}], template, [sample["id"]], language,
                                   sample.get("task_type"), sample.get("dataset"), s.temperature, s.max_tokens,
                                   s.seed, {"kind": kind, "original": prompt, "system": _system(sample)}))
        return out

    def outcomes(self, request: Request, reply: Reply, context: dict) -> list:
        def reject(rule: str, reason: str) -> list:
            return [Rejection(rule, reason, evolved[:300], request.parent_ids, evolved, reply.response_id)]

        evolved = single_prompt(reply.text)
        if reply.finish_reason == "length":
            return reject("truncated", f"the evolved prompt was cut off at the token limit ({request.max_tokens})")
        broken = prompt_reasons(request.meta["original"], evolved, self.settings)
        if broken:
            return reject(*broken)
        wrong = language_problem(evolved, request.language)
        if wrong:
            return reject("wrong_language", wrong)
        kind = request.meta["kind"]
        return [Candidate("prompt", f"{kind} evolution of {request.parent_ids[0]}", evolved[:300], text=evolved,
                          parent_ids=request.parent_ids, task_type=request.task_type, dataset=request.dataset,
                          language=request.language,
                          provenance={"template": request.template, "evolution": kind,
                                      "response_id": reply.response_id, "finish_reason": reply.finish_reason,
                                      "system": request.meta.get("system")})]

    def check_answer(self, request: Request, found):
        """Rules 2 and 3 on the answer of an evolved prompt."""
        if not isinstance(found, Candidate):
            return found
        broken = answer_reasons(found.text, self.settings)
        if broken:
            return Rejection(broken[0], broken[1], found.text[:300], found.parent_ids, found.text,
                             found.provenance.get("answer_response_id"))
        return found


def _user_turn(sample: dict) -> str:
    return next((m.get("content") or "" for m in sample.get("messages") or [] if m["role"] == "user"), "").strip()


def _system(sample: dict) -> str | None:
    msgs = sample.get("messages") or []
    return msgs[0]["content"] if msgs and msgs[0]["role"] == "system" else None
