"""Answer production: a chosen model answers prompts, or replaces answers the review flagged as bad.

Sources: `flagged` (samples whose current revision has a pre-flag of one of `flagged_checks`: refusals, empty or
cut-off answers), `needs_fix` (samples a reviewer marked so) and `prompts` (bare prompts given to the run, which
become new samples after the same dedup as every produced prompt). A replaced answer is a revision of its sample
(history kept, status back to pending, tag `generated:answers`); the provenance is in that revision's note.
With chain of thought the reasoning goes into the turn's `reasoning`, not its content. An answer to a prompt that
asks for JSON must parse as JSON; one that does not goes to the quarantine with the parser's message.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from ..errors import UserError
from ..store import SampleFilter, curated
from .answering import answer_request, read_answer
from .base import PRODUCERS, Candidate, Producer, Reply, Request

SOURCES = ("flagged", "needs_fix", "prompts")


@dataclass
class AnswerSettings:
    """Which answers to produce and how."""

    source: str = "flagged"  # flagged | needs_fix | prompts: flagged answers, samples marked needs_fix, or new prompts
    flagged_checks: str = "refusal,empty_answer,truncated"  # the pre-flag checks whose flagged answers are replaced
    chain_of_thought: bool = False  # reason first (kept as the turn's reasoning, never trained), then answer
    answer_temperature: float = 0.7  # sampling temperature of the answers
    answer_max_tokens: int = 1024  # an answer cut off at this limit is rejected as truncated
    dedup_threshold: float = 0.8  # source prompts: MinHash threshold of a new prompt against the store
    seed: int = 0  # sent as the sampling seed (same seed, same endpoint: the same answers where it honours seeds)


@PRODUCERS.register
class AnswerProducer(Producer):
    """Answers for prompts without one, or in place of answers flagged as bad."""

    name = "answers"
    Settings = AnswerSettings

    def select(self, store, context: dict) -> list[dict]:
        s, run = self.settings, context["run"]
        if s.source not in SOURCES:
            raise UserError(f"source must be one of {', '.join(SOURCES)}, got {s.source!r}")
        if run.prompts and s.source != "prompts":  # never answer something else and drop the prompts silently
            raise UserError(f"prompts were given but the source is {s.source}: pass --source prompts to answer them, "
                            "or leave --prompts out",
                            ui=f"prompts were given but the source setting is {s.source}: set it to prompts to "
                               "answer them, or empty the 'Prompts to answer' box")
        if s.source == "prompts":
            prompts = [p.strip() for p in run.prompts or [] if p and p.strip()]
            if not prompts:
                raise UserError("no prompts to answer: pass --prompts FILE (one prompt a line, or JSONL)",
                                ui="no prompts to answer: type them in the 'Prompts to answer' box (one a line) or "
                                   "upload a .txt or .jsonl file of prompts")
            return [{"text": p, "task_type": run.task_type, "dataset": run.dataset} for p in prompts]
        f = curated(run.filter or SampleFilter())
        if s.source == "needs_fix":
            samples = store.samples.list(_with_status(f, "needs_fix"))
            what = "no sample of the selection is marked needs_fix"
        else:
            checks = [c.strip() for c in s.flagged_checks.split(",") if c.strip()]
            ids = store.flags.sample_ids(checks, f)
            samples = store.samples.list(SampleFilter(ids=ids)) if ids else []
            what = f"no sample of the selection has a current {' / '.join(checks)} flag"
        samples = [x for x in samples if not _uses_tools(x)]
        if run.count is not None:
            samples = samples[:run.count]
        if not samples:
            raise UserError(f"nothing to answer: {what} (samples with tool calls are left out)")
        return samples

    def requests(self, inputs: list[dict], context: dict) -> list[Request]:
        out = []
        for sample in inputs:
            if "id" not in sample:  # a bare prompt: answered after the dedup, as a prompt candidate
                continue
            conversation = _until_last_user(sample["messages"])
            out.append(answer_request(conversation, self.settings, [sample["id"]], {"sample": sample},
                                      sample.get("task_type"), sample.get("dataset")))
        return out

    def local(self, inputs: list[dict], context: dict) -> list:
        return [Candidate("prompt", "a given prompt to answer", x["text"][:300], text=x["text"],
                          task_type=x.get("task_type"), dataset=x.get("dataset"))
                for x in inputs if "id" not in x]

    def outcomes(self, request: Request, reply: Reply, context: dict) -> list:
        found = read_answer(request, reply, self.settings)
        if not isinstance(found, Candidate):
            return [found]
        sample = request.meta["sample"]
        found.kind, found.target_id = "answer", sample["id"]
        found.reason = f"new answer for {sample['id']} by {reply.model or 'the model'}"
        found.provenance = {**found.provenance, "tags": list(sample.get("tags") or []),
                            "replaced_rev": sample.get("rev")}
        return [found]


def _with_status(f: SampleFilter, status: str) -> SampleFilter:
    import dataclasses
    return dataclasses.replace(f, status=status)


def _uses_tools(sample: dict) -> bool:
    return bool(sample.get("tools")) or any(m.get("tool_calls") or m["role"] == "tool" for m in sample["messages"])


def _until_last_user(messages: list[dict]) -> list[dict]:
    """The conversation up to and with its last user turn (the final answer is what gets produced)."""
    last = max(i for i, m in enumerate(messages) if m["role"] == "user")
    return copy.deepcopy(messages[:last + 1])


def read_prompts(path: str, max_prompts: int = 100_000) -> list[str]:
    """Bare prompts from a file: `.txt` one prompt a line; `.jsonl` one object a line with `prompt`,
    `instruction` (plus `input`, Alpaca-style) or `messages` (the last user turn). Every bad line is an error
    naming it: a prompt is never dropped silently."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise UserError(f"prompts file {path} does not exist or is not a file")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise UserError(f"prompts file {path} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    if p.suffix.lower() not in (".jsonl", ".json"):
        prompts = [line.strip() for line in lines if line.strip()]
    else:
        prompts = [_prompt_of(line, path, n) for n, line in enumerate(lines, 1) if line.strip()]
    if not prompts:
        raise UserError(f"prompts file {path} holds no prompt")
    if len(prompts) > max_prompts:
        raise UserError(f"prompts file {path} holds {len(prompts):,} prompts; at most {max_prompts:,} per run")
    return prompts


def _prompt_of(line: str, path: str, n: int) -> str:
    import json
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise UserError(f"{path} line {n}: not valid JSON ({e.msg})") from None
    if isinstance(rec, dict):
        if isinstance(rec.get("prompt"), str) and rec["prompt"].strip():
            return rec["prompt"].strip()
        if isinstance(rec.get("instruction"), str) and rec["instruction"].strip():
            extra = rec.get("input") if isinstance(rec.get("input"), str) else ""
            return (rec["instruction"].strip() + ("\n\n" + extra.strip() if extra.strip() else ""))
        msgs = rec.get("messages")
        if isinstance(msgs, list):
            users = [m.get("content") for m in msgs if isinstance(m, dict) and m.get("role") == "user"]
            if users and isinstance(users[-1], str) and users[-1].strip():
                return users[-1].strip()
    raise UserError(f"{path} line {n}: no prompt (give a \"prompt\", an \"instruction\" or \"messages\" with a "
                    "user turn)")
