"""Self-Instruct per task_type (Wang et al. 2023, arXiv:2212.10560), aimed at a gap of the balance table.

Each request shows k seed prompts of one task_type, drawn afresh from its pool for every request (so no two
requests show the same few-shot examples and the outputs do not all look alike), and asks for n new prompts of
that type. Produced prompts that nearly copy a seed or each other are thrown away (character-shingle Jaccard by
curation/dedup's MinHash, where Self-Instruct used ROUGE-L < 0.7), so are those that repeat the store; the rest are
answered and stored as pending samples of the type. The default count is the type's missing count against its
target (the Diversity page's balance table).
"""
from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass

from ..errors import UserError
from ..stats import type_gap
from ..store import curated_filter, parse_task_type
from . import templates
from .base import PRODUCERS, Candidate, Producer, Rejection, Reply, Request
from .elimination import only_stop_words, template_leak
from .novelty import drop_copies
from .parsing import language_problem, numbered_items


@dataclass
class SelfInstructSettings:
    """How Self-Instruct samples seeds and filters what it gets."""

    seeds_per_request: int = 4  # k seed prompts shown per request (Self-Instruct showed 8; small models need fewer)
    prompts_per_request: int = 5  # new prompts asked for in each request
    overgenerate: float = 2.0  # ask for this many times the wanted count: the filters throw many away
    max_requests: int = 200  # a run never sends more requests than this, whatever the count
    near_copy_threshold: float = 0.6  # shingle Jaccard at or above which a prompt copies a seed or another one
    dedup_threshold: float = 0.8  # MinHash threshold against the store (`curation dedup --method minhash`'s default)
    min_prompt_chars: int = 8  # a shorter "prompt" is a fragment of the list, not a request
    temperature: float = 1.0  # new prompts need sampling diversity (answers use answer_temperature)
    max_tokens: int = 1024  # room for the numbered list of prompts
    answer_temperature: float = 0.7  # sampling temperature of the answers
    answer_max_tokens: int = 1024  # an answer cut off at this limit is rejected as truncated
    chain_of_thought: bool = False  # reason first (kept as the turn's reasoning, never trained), then answer
    seed: int = 0  # which seeds each request shows; also sent as the sampling seed


@PRODUCERS.register
class SelfInstruct(Producer):
    """New prompts for one task_type from few-shot seeds of that type, near-copies filtered, then answered."""

    name = "self-instruct"
    Settings = SelfInstructSettings

    def select(self, store, context: dict) -> list[dict]:
        run = context["run"]
        if not run.task_type:
            raise UserError("Self-Instruct fills one task_type: pass --task-type L1/L2",
                            ui="Self-Instruct fills one task_type: choose it in the 'Task type to fill' box")
        l1, l2 = parse_task_type(run.task_type)
        if not l1 or not l2:
            raise UserError(f"task_type {run.task_type!r} must have two levels, like 'reasoning/math'")
        task_type = f"{l1}/{l2}"
        pool = [s for s in store.samples.list(curated_filter(task_type=task_type)) if _prompt(s)]
        if not pool:
            raise UserError(f"the seed pool of {task_type} is empty: no sample of that type (rejected and duplicate "
                            "ones do not count) has a prompt to learn from; import or write a few first")
        wanted = run.count
        if wanted is None:
            gap = type_gap(store, task_type, curated_filter())
            if gap["want"] is None:
                raise UserError(f"{task_type} has no target, so there is no missing count to fill: pass --count, "
                                "or set a target with `curation taxonomy target`",
                                ui=f"{task_type} has no target, so there is no missing count to fill: set the 'New "
                                   "samples' box, or set a target on the Taxonomy page")
            if not gap["missing"]:
                met = f"{task_type} already meets its target ({gap['have']} samples, target {gap['want']})"
                raise UserError(f"{met}; pass --count to produce more anyway",
                                ui=f"{met}; set the 'New samples' box to produce more anyway")
            wanted = gap["missing"]
        context["wanted"], context["task_type"] = wanted, task_type
        return pool

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        s = self.settings
        if s.seeds_per_request < 1 or s.prompts_per_request < 1:
            raise UserError("seeds_per_request and prompts_per_request must be at least 1")
        wanted = context.get("wanted") or 1
        n_requests = min(s.max_requests, max(1, math.ceil(wanted * s.overgenerate / s.prompts_per_request)))
        task_type = context.get("task_type") or inputs[0].get("task_type")
        out = []
        for i in range(n_requests):
            rng = random.Random(f"{s.seed}:{task_type}:{i}")
            seeds = rng.sample(inputs, min(s.seeds_per_request, len(inputs)))
            language = Counter(x.get("language") for x in seeds).most_common(1)[0][0]
            language = language if language in ("zh", "en") else "en"
            text = templates.self_instruct(task_type, [_prompt(x) for x in seeds], s.prompts_per_request, language)
            out.append(Request([{"role": "user", "content": text}], templates.SELF_INSTRUCT,
                               [x["id"] for x in seeds], language, task_type, seeds[0].get("dataset"),
                               s.temperature, s.max_tokens, s.seed + i))
        return out

    def outcomes(self, request: Request, reply: Reply, context: dict) -> list:
        items = numbered_items(reply.text)
        if not items:
            return [Rejection("malformed", "the reply has no numbered list of prompts", reply.text[:300],
                              request.parent_ids, reply.text, reply.response_id)]
        out = []
        if reply.finish_reason == "length":  # the last item may be cut mid-sentence
            out.append(Rejection("truncated", "the last prompt of the list was cut off at the token limit",
                                 items[-1][:300], request.parent_ids, items[-1], reply.response_id))
            items = items[:-1]
        for item in items[:self.settings.prompts_per_request]:
            problem = self._problem(item, request.language)
            if problem:
                out.append(Rejection(problem[0], problem[1], item[:300], request.parent_ids, item,
                                     reply.response_id))
                continue
            out.append(Candidate("prompt", f"new {request.task_type} prompt from seeds "
                                           f"{', '.join(request.parent_ids)}", item[:300], text=item,
                                 parent_ids=request.parent_ids, task_type=request.task_type,
                                 dataset=request.dataset, language=request.language,
                                 provenance={"template": request.template, "response_id": reply.response_id,
                                             "finish_reason": reply.finish_reason}))
        return out

    def _problem(self, item: str, language: str | None) -> tuple[str, str] | None:
        if len(item.strip()) < self.settings.min_prompt_chars:
            return "malformed", f"the prompt is shorter than {self.settings.min_prompt_chars} characters"
        for rule, reason in (("stop_words", only_stop_words(item, "prompt")), ("template_leak", template_leak(item)),
                             ("wrong_language", language_problem(item, language))):
            if reason:
                return rule, reason
        return None

    def filter_prompts(self, prompts: list, inputs: list[dict], context: dict) -> tuple[list, list]:
        """Near-copies of the seed pool and of each other go (before the store check and the answers)."""
        return drop_copies(prompts, lambda c: c.text, [_prompt(x) for x in inputs], [x["id"] for x in inputs],
                           self.settings.near_copy_threshold, "near_copy", "seed")

def _prompt(sample: dict) -> str:
    """A seed's prompt: its first user turn."""
    return next((m.get("content") or "" for m in sample.get("messages") or [] if m["role"] == "user"), "").strip()
