"""Producers: steps that write new data with a model behind an OpenAI-compatible endpoint (docs/generation.md).

`PRODUCERS` is their registry (the `curation generate` choices and the Generate page's options): Self-Instruct per
task_type, Evol-Instruct, answer production and prompt rewrite, registered in that order (the order of the issue
and of the workflow: new prompts, harder prompts, answers, fixes). `produce()` (curation/producers/runner.py) runs
one and writes what it made in one transaction.
"""
from .base import PRODUCERS, TAG_PREFIX, Candidate, Producer, Rejection, Reply, Request
from . import self_instruct, evol, answers, rewrite  # noqa: E402,F401  (registration order = listing order)

__all__ = ["PRODUCERS", "TAG_PREFIX", "Candidate", "Producer", "Rejection", "Reply", "Request"]
