"""`produce()`: run one producer against an OpenAI-compatible endpoint and store what survives, all at once.

The order of a run: the producer picks its inputs (UserError for an empty seed pool or a target already met),
its requests go to the endpoint together (the client's concurrency, retries, cache and cost accounting), replies
become candidates or rejections, prompt candidates are deduplicated against the store (exact and MinHash) and
answered, and then one transaction writes the run log, the new samples (each with its provenance in revision 1),
replaced answers, rejections, format failures (quarantine) and rewrite suggestions. An endpoint that cannot be
used (unreachable, bad key, unknown model) stops the run before anything is written; the client's response cache
keeps what was already paid for, so running it again costs nothing for those.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from ..errors import UserError
from ..messages import canonical_json, validate_messages
from ..store import SampleFilter, derived_fields, parse_task_type
from . import answering
from .base import PRODUCERS, Candidate, Rejection, Reply, Request
from .novelty import drop_copies, store_texts

GENERATED_DATASET = "generated"  # where produced samples go when their parents name no dataset


@dataclasses.dataclass
class RunInput:
    """What a run is about, besides the producer's settings: the inputs it may choose from and how many."""

    filter: SampleFilter | None = None  # the samples it reads (evolve, answer, rewrite)
    task_type: str | None = None  # Self-Instruct: the task_type to fill
    count: int | None = None  # how many new samples; None = the producer's default (the missing count)
    prompts: list[str] | None = None  # answers: bare prompts to answer as new samples
    dataset: str | None = None  # dataset of new samples; None = the parents' (else "generated")


def check_inputs(store, name: str, endpoint=None, settings=None, run: RunInput | None = None) -> None:
    """Raise the UserError a run of `name` would stop on before its first request (no endpoint, no task_type, an
    empty seed pool, no target to fill), without running it: a job checks this before it is recorded, so a wrong
    choice in the form is an error on the page, not a failed job left on the Jobs page."""
    producer = PRODUCERS.build([name], {name: settings} if settings is not None else None)[0]
    if producer.needs_endpoint and endpoint is None:
        raise UserError(f"producer {name} needs a model: pass --base-url and --model")
    producer.select(store, {"store": store, "run": run or RunInput(), "author": "check"})  # read-only


def produce(store, name: str, endpoint=None, settings=None, run: RunInput | None = None, *, author: str = "cli",
            dry_run: bool = False, on_progress=None, client=None) -> dict:
    """Run producer `name`; returns its report (run id, inserted ids, rejections by rule, tokens, cost).

    `endpoint` is the client's EndpointSettings (base_url, model, ...); `on_progress(stage, done, total)` reports
    each stage's requests as they complete (the page's progress bar and ETA, the CLI's progress line)."""
    producer = PRODUCERS.build([name], {name: settings} if settings is not None else None)[0]
    run = run or RunInput()
    if producer.needs_endpoint and endpoint is None and client is None:
        raise UserError(f"producer {name} needs a model: pass --base-url and --model")
    t0 = time.perf_counter()
    context = {"store": store, "run": run, "author": author}
    inputs = producer.select(store, context)
    if client is None and producer.needs_endpoint:
        from ..llm.client import LLMClient
        client = LLMClient(endpoint, store=store)
    context["client"] = client
    acc = _Accounting(endpoint)
    job = f"generate:{name}"
    reqs = producer.requests(inputs, context)
    found = _ask(client, reqs, producer, context, acc, job, on_progress, "requests")
    cands = [c for c in found if isinstance(c, Candidate)]
    rejected = [r for r in found if isinstance(r, Rejection)]
    cands += [c for c in producer.local(inputs, context) if isinstance(c, Candidate)]
    prompts = [c for c in cands if c.kind == "prompt"]
    finished = [c for c in cands if c.kind != "prompt"]
    surplus = 0
    if prompts:
        prompts, dropped = producer.filter_prompts(prompts, inputs, context)
        rejected += dropped
        prompts, dropped = _dedup_against_store(store, prompts, producer)
        rejected += dropped
        wanted = context.get("wanted")
        if wanted is not None and len(prompts) > wanted:
            surplus, prompts = len(prompts) - wanted, prompts[:wanted]
        answers = _ask(client, [_answer_request(c, producer) for c in prompts], None, context, acc, job, on_progress,
                       "answers", reader=lambda req, rep: producer.check_answer(
                           req, _with_prompt_provenance(req, answering.read_answer(req, rep, producer.settings))))
        finished += [c for c in answers if isinstance(c, Candidate)]
        rejected += [r for r in answers if isinstance(r, Rejection)]
    finished, quarantined, failed = producer.format_check(finished)
    rejected += failed
    used = endpoint if producer.needs_endpoint else None  # a rule-based run records no endpoint it never called
    report = _write(store, producer, used, run, finished, rejected, quarantined, acc, author, dry_run)
    report.update(producer=name, dry_run=dry_run, inputs=len(inputs), skipped_inputs=context.get("skipped", []),
                  requests=acc.requests, surplus=surplus,
                  seconds=round(time.perf_counter() - t0, 2), settings=producer.settings_dict())
    return report


# ---------------------------------------------------------------- asking
class _Accounting:
    """Requests, tokens and cost of a run (cached replies cost nothing)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.requests = self.cached = self.prompt_tokens = self.completion_tokens = 0
        self.spent = 0.0
        self.jobs: list[int] = []  # the client's job ids (store.llm.jobs), one per stage

    def add(self, reply: Reply, cost: float | None = None) -> None:
        self.requests += 1
        if reply.cached:
            self.cached += 1
            return
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        self.spent += cost or 0.0

    @property
    def cost(self) -> float:
        return round(self.spent, 6)


def _ask(client, reqs: list[Request], producer, context, acc: _Accounting, job_kind: str, on_progress, stage: str,
         reader=None) -> list:
    """Send requests together; each reply becomes findings (producer.outcomes, or `reader(req, reply)`)."""
    if not reqs:
        return []
    progress = (lambda done, total, eta=None: on_progress(stage, done, total, eta)) if on_progress else None
    results = client.chat_many([r.chat_kwargs() for r in reqs], on_progress=progress, kind=job_kind)
    if getattr(client, "last_job_id", None) is not None:
        acc.jobs.append(client.last_job_id)
    fatal = next((r for r in results if isinstance(r, Exception) and getattr(r, "fatal", False)), None)
    if fatal is not None:  # unreachable, bad key, unknown model: the user's to fix; nothing is written
        raise UserError(str(fatal))
    out = []
    for req, res in zip(reqs, results):
        if isinstance(res, Exception):
            rule = _ERROR_RULES.get(type(res).__name__, "request_failed")
            out.append(Rejection(rule, f"the request failed: {res}", "", req.parent_ids))
            continue
        reply = Reply.of(res)
        acc.add(reply, getattr(res, "cost", None))
        found = reader(req, reply) if reader else producer.outcomes(req, reply, context)
        out += found if isinstance(found, list) else [found]
    return out


# The client's error for one request (curation/llm/errors.py) -> the rejection rule it is recorded under
_ERROR_RULES = {"BadResponse": "malformed", "WrongLanguage": "wrong_language", "RateLimited": "request_failed",
                "ServerError": "request_failed"}


def _answer_request(c: Candidate, producer) -> Request:
    system = c.provenance.get("system")  # an evolved prompt keeps its original's system prompt
    conversation = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": c.text}]
    return answering.answer_request(conversation, producer.settings, c.parent_ids, {"candidate": c},
                                    c.task_type, c.dataset)


def _with_prompt_provenance(req: Request, found):
    """An answered prompt's provenance: the prompt's (template, response id) and the answer's."""
    if isinstance(found, Candidate):
        prompt = req.meta["candidate"].provenance
        found.provenance = {**{k: v for k, v in prompt.items() if k != "system"}, **found.provenance}
    return found


def _dedup_against_store(store, prompts: list[Candidate], producer) -> tuple[list[Candidate], list[Rejection]]:
    ids, texts = store_texts(store)
    threshold = getattr(producer.settings, "dedup_threshold", 0.8)
    return drop_copies(prompts, lambda c: c.text, texts, ids, threshold, "duplicate", "stored sample")


# ---------------------------------------------------------------- writing
def endpoint_record(endpoint) -> dict:
    """The endpoint as recorded: its URL without credentials, the model and the *name* of the key variable."""
    if endpoint is None:
        return {}
    parts = urlsplit(endpoint.base_url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return {"base_url": urlunsplit((parts.scheme, netloc, parts.path, "", "")), "model": endpoint.model,
            "api_key_env": getattr(endpoint, "api_key_env", None)}


def _write(store, producer, endpoint, run: RunInput, finished: list[Candidate], rejected: list[Rejection],
           quarantined: list[tuple[Candidate, str]], acc: _Accounting, author: str, dry_run: bool) -> dict:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    ep = endpoint_record(endpoint)
    base = {"method": producer.name, "model": ep.get("model"), "endpoint": ep.get("base_url"),
            "settings": producer.settings_dict(), "author": author}
    samples, answers, suggestions = [], [], []
    for c in finished:
        prov = {**base, **{k: v for k, v in c.provenance.items() if k not in ("tags", "suggestion")},
                "parent_ids": c.parent_ids}
        if c.kind == "sample":
            samples.append((_sample_row(c, producer, run, now), prov))
        elif c.kind == "answer":
            tags = [t for t in c.provenance.get("tags", []) if t != producer.tag] + [producer.tag]
            answers.append({"id": c.target_id, "messages": c.messages, "tags": tags, "provenance": prov,
                            "author": f"{producer.tag}:{ep.get('model')}"})
        elif c.kind == "rewrite":
            suggestions.append(c.provenance["suggestion"])
    rows = [{"producer": producer.name, "rule": r.rule, "reason": r.reason, "evidence": r.evidence,
             "parent_ids": r.parent_ids, "text": r.text, "response_id": r.response_id} for r in rejected]
    quarantine = [(f"generate:{producer.name}", i, reason, json.dumps(
        {"messages": c.messages, "parent_ids": c.parent_ids, "target_id": c.target_id}, ensure_ascii=False))
        for i, (c, reason) in enumerate(quarantined, 1)]
    by_rule: dict[str, int] = {}
    for r in rejected:
        by_rule[r.rule] = by_rule.get(r.rule, 0) + 1
    report = {"run_id": None, "produced": len(finished), "rejected": by_rule, "quarantined": len(quarantine),
              "prompt_tokens": acc.prompt_tokens, "completion_tokens": acc.completion_tokens, "cached": acc.cached,
              "cost": acc.cost, "endpoint": ep, "llm_jobs": acc.jobs,
              "samples": [{"id": r["id"], "task_type": _label(r), "prompt": _first_user(r["messages"])[:200]}
                          for r, _ in samples],
              "rejections": [{"rule": r.rule, "reason": r.reason, "text": r.text[:200]} for r in rejected[:200]],
              "suggestions": [{k: s[k] for k in ("sample_id", "before", "after", "reason")} for s in suggestions]}
    if dry_run:
        report.update(inserted=[], answered=[])
        return report
    out = store.generation.record(
        {"author": author, "producer": producer.name, "model": ep.get("model"), "endpoint": ep.get("base_url"),
         "settings": producer.settings_dict(), "filter": run.filter.to_dict() if run.filter else None,
         "stats": {"task_type": run.task_type, "count": run.count, "rejected": by_rule, "cached": acc.cached,
                   "llm_jobs": acc.jobs,
                   "suggestions": len(suggestions), "quarantined": len(quarantine)},
         "n_requests": acc.requests, "n_inserted": 0, "n_rejected": len(rejected),
         "prompt_tokens": acc.prompt_tokens, "completion_tokens": acc.completion_tokens, "cost": acc.cost},
        samples=samples, answers=answers, rejections=rows, quarantine=quarantine, suggestions=suggestions)
    report.update(out)
    return report


def sample_id(method: str, messages: list[dict]) -> str:
    """A produced sample's id: from its method and content, so the same output is never stored twice."""
    return "s_" + hashlib.sha1(f"{method}\0{canonical_json(messages)}".encode()).hexdigest()[:16]


def _sample_row(c: Candidate, producer, run: RunInput, now) -> dict:
    problems = validate_messages(c.messages)
    if problems:  # a producer bug, never the model's: every reply was checked before it became a Candidate
        raise ValueError(f"produced conversation is invalid: {'; '.join(problems)}")
    l1, l2 = parse_task_type(c.task_type)
    sample = {"messages": c.messages, "tools": None}
    d = derived_fields(sample)
    return {"id": sample_id(producer.name, c.messages), "dataset": run.dataset or c.dataset or GENERATED_DATASET,
            "messages": c.messages, "tools": None, "task_l1": l1, "task_l2": l2, "tags": [producer.tag],
            "status": "pending", "split": None, "source_hash": d["content_hash"],
            "source": f"{producer.tag} of {', '.join(c.parent_ids[:3]) or 'prompts'}", "ingest_id": None,
            "parent_id": c.parent_ids[0] if c.parent_ids else None, "rev": 1, "created_at": now, "updated_at": now,
            **d}


def _label(row: dict) -> str | None:
    return "/".join(x for x in (row.get("task_l1"), row.get("task_l2")) if x) or None


def _first_user(messages: list[dict]) -> str:
    return next((m.get("content") or "" for m in messages if m["role"] == "user"), "")
