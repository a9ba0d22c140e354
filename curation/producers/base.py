"""The producer step: what every producer (Self-Instruct, Evol-Instruct, answers, prompt rewrite) implements.

A producer is a curation step (curation/steps.py) in three parts, so that a run can send all its requests to the
endpoint at once (the client's concurrency) and still be read one sample at a time:
- `select(store, context)`: its inputs (seed prompts of a task_type, prompts to evolve, samples to answer);
- `requests(inputs, context)`: the chat requests for them (`Request`: messages, template, parents, language);
- `outcomes(request, reply, context)`: a reply turned into findings, each a `Candidate` (a new prompt, an answer, a
  rewrite) or a `Rejection` (a rule and a reason a reviewer understands).
`find(sample, context)` is the one-sample form of the same, through `context["client"]`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..steps import Registry, Step

PRODUCERS = Registry("producer", "curation.producers")
TAG_PREFIX = "generated:"


@dataclass
class Request:
    """One chat request of a producer, with what its reply needs to be judged and recorded."""

    messages: list[dict]
    template: str  # name of the prompt template (recorded in the provenance)
    parent_ids: list[str] = field(default_factory=list)  # the samples it was made from
    language: str | None = None  # the language the reply must be in (zh | en), None = any
    task_type: str | None = None
    dataset: str | None = None
    temperature: float = 0.7
    max_tokens: int = 512
    seed: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # the producer's own (evolution kind, sample to answer)

    def chat_kwargs(self) -> dict:
        """The request as the client's chat_many takes it."""
        return {"messages": self.messages, "temperature": self.temperature, "max_tokens": self.max_tokens,
                "seed": self.seed, "allow_truncated": True}  # a cut-off reply is the producer's to reject


@dataclass
class Reply:
    """What came back for a request: the client's ChatResult fields the producers read."""

    text: str
    response_id: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False

    @classmethod
    def of(cls, result) -> "Reply":
        return cls(text=result.text or "", response_id=result.response_id, model=result.model,
                   finish_reason=result.finish_reason, prompt_tokens=result.prompt_tokens or 0,
                   completion_tokens=result.completion_tokens or 0, cached=bool(getattr(result, "cached", False)))


@dataclass
class Candidate:
    """A finding that survives: a new prompt (`kind="prompt"`, answered next), a finished conversation
    (`kind="sample"`), a replacement answer (`kind="answer"`, for `target_id`) or a rewrite (`kind="rewrite"`)."""

    kind: str
    reason: str  # one sentence: what was produced from what
    evidence: str  # the produced text (shortened where shown)
    text: str = ""  # the new prompt, or the answer
    messages: list[dict] | None = None
    parent_ids: list[str] = field(default_factory=list)
    task_type: str | None = None
    dataset: str | None = None
    language: str | None = None
    target_id: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)  # template, response ids, extra (reasoning length)


@dataclass
class Rejection:
    """A candidate thrown away: which rule, why (one sentence), and the text it was about."""

    rule: str  # no_information_gain | refusal | stop_words | template_leak | near_copy | duplicate | malformed |
    #            truncated | wrong_language | format | request_failed
    reason: str
    evidence: str
    parent_ids: list[str] = field(default_factory=list)
    text: str = ""
    response_id: str | None = None


class Producer(Step):
    """Base class of producers; subclasses implement select, requests and outcomes."""

    name: ClassVar[str]
    needs_endpoint: ClassVar[bool] = True  # False: the producer can run without a model (rule-based rewrite)

    @property
    def tag(self) -> str:
        return TAG_PREFIX + self.name

    def select(self, store, context: dict) -> list[dict]:
        """The inputs of a run (UserError when there are none: an empty seed pool, a target already met)."""
        raise NotImplementedError

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        raise NotImplementedError

    def outcomes(self, request: Request, reply: Reply, context: dict) -> list:
        raise NotImplementedError

    def find(self, sample: dict, context: dict) -> list:
        """The findings for one input, asking `context["client"]` (an LLMClient) synchronously."""
        out = []
        for req in self.requests([sample], context):
            out += self.outcomes(req, Reply.of(context["client"].chat(**req.chat_kwargs())), context)
        out += self.local([sample], context)
        prompts = [c for c in out if isinstance(c, Candidate) and c.kind == "prompt"]
        kept, rejected = self.filter_prompts(prompts, [sample], context)
        return [c for c in out if all(c is not p for p in prompts)] + kept + rejected

    def local(self, inputs: list[dict], context: dict) -> list:
        """Findings made without the endpoint (a rule-based rewrite); none by default."""
        return []

    def filter_prompts(self, prompts: list, inputs: list[dict], context: dict) -> tuple[list, list]:
        """(kept, rejections) of a run's new prompts before they are checked against the store and answered."""
        return prompts, []

    def check_answer(self, request: Request, found):
        """A producer's own rules on an answered prompt (Evol-Instruct's elimination); passes it by default."""
        return found

    def format_check(self, finished: list) -> tuple[list, list, list]:
        """(kept, quarantined [(candidate, reason)], rejections): an answer whose prompt asks for JSON must be
        JSON. A failure goes to the quarantine with its reason, never into the store as a sample."""
        from .parsing import asks_for_json, json_problem
        kept, quarantined = [], []
        for c in finished:
            if c.kind in ("sample", "answer") and c.messages:
                prompt = next((m.get("content") or "" for m in reversed(c.messages) if m["role"] == "user"), "")
                problem = json_problem(c.messages[-1]["content"]) if asks_for_json(prompt) else None
                if problem:
                    quarantined.append((c, f"{self.name}: the prompt asks for JSON but the answer is {problem}"))
                    continue
            kept.append(c)
        return kept, quarantined, []
