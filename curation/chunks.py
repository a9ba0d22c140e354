"""What a chunked step needs from whoever runs it: the checkpoint of its last committed chunk and a way to commit
the next one (its writes and its new checkpoint together).

A job (`curation.jobs`) records checkpoints in the jobs table, so a killed job resumes after its last committed
chunk. A step run directly (the CLI's foreground commands, tests) uses `Direct`: no checkpoint, each chunk applied
as it comes.
"""
from __future__ import annotations

from collections.abc import Callable


class Cancelled(Exception):
    """The job was asked to stop; raised between chunks, so nothing half-written stays behind."""


class Direct:
    """Chunks of a step that runs outside a job: nothing to resume, each chunk's writes applied at once."""

    checkpoint: dict | None = None

    def __init__(self, progress: Callable[[int, int], None] | None = None):
        self._progress = progress

    def commit(self, checkpoint, done: int, total: int | None, apply: Callable[[], object] | None = None,
               message: str | None = None, returns: str = "result"):
        """Apply the chunk's writes (there is no checkpoint to record). `checkpoint` may be a function of what
        `apply` returned; `returns="checkpoint"` returns the checkpoint instead of apply's result."""
        out = apply() if apply is not None else None
        self.progress(done, total)
        return resolved(checkpoint, out) if returns == "checkpoint" else out

    def progress(self, done: int, total: int | None, message: str | None = None) -> None:
        """Report progress (a page's or the CLI's callback, if any)."""
        if self._progress is not None and total:
            self._progress(done, total)

    def log(self, message: str) -> None:
        """Nothing to log to outside a job."""


def resolved(checkpoint, out):
    """A checkpoint given as a function of the chunk's result, evaluated; a plain one as it is."""
    return checkpoint(out) if callable(checkpoint) else checkpoint
