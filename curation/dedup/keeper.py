"""Which member of a duplicate cluster stays, and which members may be marked duplicate.

The rule is an ordered list of criteria; the first criterion that separates the best member from the others
decides, and that criterion is the reason shown to the reviewer. Protected robustness samples never lose: even
when another member is the keeper they are not proposed for removal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from curation.protection import is_protected as protection_rule

# criterion -> (label shown to reviewers, what it prefers)
CRITERIA = {
    "accepted": "accepted in review",
    "protected": "protected robustness sample",
    "quality": "highest quality score",
    "longest_answer": "longest answer",
    "earliest": "earliest imported",
}


@dataclass
class KeeperRule:
    """Ordered keeper preferences; the first criterion that tells members apart decides."""

    order: list[str] = field(default_factory=lambda: [
        "accepted",  # a reviewer already approved it: never throw away reviewed work
        "protected",  # confirmed/generated robustness data never loses (issue 5)
        "quality",  # higher `quality` score when the sample has one (members without one tie)
        "longest_answer",  # more answer usually means more content (steps, explanation)
        "earliest",  # stable tie-break: the first imported copy is the original
    ])

    def __post_init__(self):
        unknown = [c for c in self.order if c not in CRITERIA]
        if unknown:
            from curation.errors import UserError

            raise UserError(f"unknown keeper criteria {', '.join(unknown)}; use {', '.join(CRITERIA)}")

    def describe(self) -> str:
        """The rule in words, for the page and the JSON report."""
        return " > ".join(CRITERIA[c] for c in self.order)


def is_protected(sample: dict) -> bool:
    """True for robustness data no automatic step may mark: the one hook dedup consults
    (`curation.protection.is_protected`)."""
    return bool(protection_rule(sample))


def _import_order(sample: dict) -> tuple:
    """(import time, ingest run, line in its file): samples of one import share a timestamp, the line orders them."""
    source = str(sample.get("source") or "")
    line = source.rsplit(":", 1)[-1]
    return (str(sample.get("created_at") or ""), sample.get("ingest_id") or 0, int(line) if line.isdigit() else 0)


def _score(sample: dict, criterion: str):
    """Bigger is better for every criterion (earliest is negated by sorting on the timestamp separately)."""
    if criterion == "accepted":
        return sample.get("status") == "accepted"
    if criterion == "protected":
        return is_protected(sample)
    if criterion == "quality":
        q = sample.get("quality")
        return q if isinstance(q, (int, float)) else float("-inf")
    if criterion == "longest_answer":
        return sample.get("answer_chars") or 0
    raise KeyError(criterion)


def _is_generated(sample: dict) -> bool:
    """A robustness variant generated from another sample (it carries its parent's answer)."""
    return bool(sample.get("parent_id")) or any(str(t).startswith("robustness:generated:")
                                                for t in sample.get("tags") or [])


def _rank_key(sample: dict, rule: KeeperRule) -> tuple:
    # A generated variant never keeps a cluster: it is protected (so never removed) but is a perturbed copy,
    # and as keeper it would push the clean original, and any copy of it, out of the data.
    key: list = [not _is_generated(sample)]
    for c in rule.order:
        if c == "earliest":
            key.append(_Earliest(_import_order(sample), ""))
        else:
            key.append(_score(sample, c))
    key.append(_Earliest((), sample["id"]))  # final deterministic tie-break: smallest id
    return tuple(key)


class _Earliest:
    """Orders an earlier (timestamp, id) as *greater*, so the best-first sort puts the earliest first."""

    __slots__ = ("ts", "id")

    def __init__(self, ts, id_):
        self.ts, self.id = ts, id_

    def _k(self):
        return (self.ts, self.id)

    def __lt__(self, other):
        return self._k() > other._k()

    def __eq__(self, other):
        return self._k() == other._k()


def choose_keeper(members: list[dict], rule: KeeperRule | None = None) -> tuple[str, str]:
    """(keeper id, reason) for a cluster of sample dicts (id, status, tags, answer_chars, created_at)."""
    rule = rule or KeeperRule()
    ranked = sorted(members, key=lambda s: _rank_key(s, rule), reverse=True)
    best, runner = ranked[0], ranked[1] if len(ranked) > 1 else None
    if runner is None:
        return best["id"], "only member"
    kb, kr = _rank_key(best, rule), _rank_key(runner, rule)
    if kb[0] != kr[0]:
        return best["id"], "the other members are generated robustness variants"
    for c, a, b in zip(rule.order, kb[1:], kr[1:]):
        if a != b:
            return best["id"], _reason(c, best)
    return best["id"], "identical on every criterion: smallest id"


def _reason(criterion: str, sample: dict) -> str:
    if criterion == "longest_answer":
        return f"longest answer ({sample.get('answer_chars') or 0} chars)"
    if criterion == "quality":
        return f"highest quality score ({sample.get('quality')})"
    if criterion == "earliest":
        where = f", {sample['source']}" if sample.get("source") else ""
        return f"earliest imported ({sample.get('created_at')}{where})"
    return CRITERIA[criterion]


def proposed_removals(members: list[dict], keeper_id: str) -> tuple[list[str], list[str]]:
    """(ids to mark duplicate, protected ids kept anyway) for a cluster with the given keeper."""
    remove, protected = [], []
    for s in members:
        if s["id"] == keeper_id:
            continue
        (protected if is_protected(s) else remove).append(s["id"])
    return remove, protected
