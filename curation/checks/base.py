"""What a pre-flag check is: a `Step` whose findings are `Flag`s, registered in `CHECKS`."""
from __future__ import annotations

from dataclasses import dataclass

from ..steps import Registry, Step

# Every module of the curation.checks package is imported on first use, so its @CHECKS.register classes count.
CHECKS = Registry("check", "curation.checks")


@dataclass
class Flag:
    """One reason a sample deserves a reviewer's look."""

    check: str
    reason: str  # one sentence a reviewer understands
    evidence: str  # where it is and the text around it


class Check(Step):
    """A pre-flag check: `find(sample, context)` returns the `Flag`s it raises on one sample."""

    def find(self, sample: dict, context: dict) -> list[Flag]:
        raise NotImplementedError
