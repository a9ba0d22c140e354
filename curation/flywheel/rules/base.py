"""What a value rule is: a `Step` whose findings are `Pick`s, registered in `VALUE_RULES`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...steps import Registry, Step

# Every module of this package is imported on first use, so its @VALUE_RULES.register classes count.
VALUE_RULES = Registry("value rule", "curation.flywheel.rules")


@dataclass
class Pick:
    """Why a session is worth keeping: the rule, one sentence a reviewer understands, and where."""

    rule: str
    reason: str
    evidence: str


class ValueRule(Step):
    """A value rule: `find(candidate, context)` returns the `Pick`s it makes on one session (its `messages` and
    `feedback`). Rules with `default = False` (the embedding one) run only when named."""

    default: ClassVar[bool] = True
    # True: `run` reads the store (context["store"]), so it runs in the importing process; the others run in the
    # worker processes beside the scrubber
    needs_store: ClassVar[bool] = False


def default_rules() -> list[str]:
    """The rules an import runs when none are named: every rule that needs no model."""
    return [n for n in VALUE_RULES if VALUE_RULES[n].default]


def user_turns(messages: list[dict]) -> list[tuple[int, str]]:
    """(turn index, text) of every user turn."""
    return [(i, m.get("content") or "") for i, m in enumerate(messages) if m.get("role") == "user"]


def quote(text: str, n: int = 60) -> str:
    """The start of a turn, on one line, for evidence."""
    flat = " ".join(text.split())
    return f"«{flat[:n]}{'…' if len(flat) > n else ''}»"
