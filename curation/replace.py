"""Bulk find-and-replace inside the turn contents of a selection, previewed first, one revision per sample.

Only the text a turn says (`content`) changes: ids, roles, tool calls, tags and JSON keys never do, so a
replace cannot break a conversation's structure. A sample whose replaced conversation would no longer be valid
(e.g. an answer replaced by nothing) is left unchanged and reported with the rule it would break.

Every changed sample gets one revision (action "replace", the author, a note naming the pattern), so each
change can be traced and undone with restore; `undo` restores a whole replace at once where nobody edited the
sample since.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .diffing import diff_messages, render_word_diff
from .errors import UserError
from .messages import validate_messages
from .store import SampleFilter

ACTION = "replace"
ROLES = ("system", "user", "assistant", "tool")


@dataclass
class ReplaceSettings:
    """What to find and what to put in its place."""

    find: str = ""
    replace: str = ""
    regex: bool = False  # False: `find` is literal text; True: a Python regular expression (\\1 etc. in replace)
    ignore_case: bool = False  # match regardless of case
    roles: list[str] = field(default_factory=lambda: list(ROLES))  # which turns' contents are searched


def compile_pattern(s: ReplaceSettings) -> re.Pattern:
    """The compiled pattern; an empty or invalid one is a UserError naming the problem."""
    if not s.find:
        raise UserError("nothing to find: give the text (or --regex pattern) to replace")
    unknown = set(s.roles) - set(ROLES)
    if unknown or not s.roles:
        raise UserError(f"roles must be among {', '.join(ROLES)}, got {', '.join(sorted(unknown)) or 'none'}")
    flags = re.IGNORECASE if s.ignore_case else 0
    try:
        pattern = re.compile(s.find if s.regex else re.escape(s.find), flags)
    except re.error as e:
        raise UserError(f"invalid regular expression {s.find!r}: {e.msg} at position {e.pos}; fix the pattern, "
                        f"or drop --regex to match the text literally") from None
    if pattern.search(""):
        raise UserError(f"the pattern {s.find!r} matches empty text, so it would insert everywhere; make it "
                        f"match at least one character")
    return pattern


def replace_in_messages(messages: list[dict], pattern: re.Pattern, s: ReplaceSettings) -> tuple[list[dict], int]:
    """(new messages, number of replacements) with the pattern replaced in the chosen roles' contents."""
    out, total = [], 0
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None  # a turn that is not an object: left as is
        if content is not None and m.get("role") in s.roles and isinstance(content, str) and content:
            try:  # a literal replacement is inserted as is (no \\1 or \\g<name> expansion)
                new, n = pattern.subn(s.replace if s.regex else (lambda _: s.replace), content)
            except (re.error, IndexError) as e:
                raise UserError(f"invalid replacement {s.replace!r}: {e}") from None
            if n:
                m = {**m, "content": new}
                total += n
        out.append(m)
    return out, total


def _selection(f: SampleFilter | None, all_samples: bool) -> SampleFilter:
    f = dataclasses.replace(f or SampleFilter(), limit=None, offset=0)
    if not f.to_dict() and not all_samples:
        raise UserError("find-and-replace needs a filter (dataset, task_type, status, tag, search ...) or an "
                        "explicit 'all' to change every sample in the store")
    return f


def _changes(store, f: SampleFilter, s: ReplaceSettings):
    """(sample, new messages, replacements, problems) for every sample the replace would change."""
    pattern = compile_pattern(s)
    for sample in store.samples.iter(f):
        new, n = replace_in_messages(sample["messages"], pattern, s)
        if n:
            yield sample, new, n, validate_messages(new)


def preview(store, f: SampleFilter | None, s: ReplaceSettings, all_samples: bool = False,
            examples: int = 5) -> dict:
    """What a replace would do, without writing: counts and word diffs of the first `examples` samples."""
    f = _selection(f, all_samples)
    changed = replacements = 0
    shown, refused = [], []
    for sample, new, n, problems in _changes(store, f, s):
        if problems:
            refused.append({"id": sample["id"], "reason": problems[0]})
            continue
        changed += 1
        replacements += n
        if len(shown) < examples:
            shown.append({"id": sample["id"], "rev": sample["rev"], "replacements": n,
                          "diffs": _diffs(sample["messages"], new)})
    return {"selected": store.samples.count(f), "changed": changed, "replacements": replacements, "examples": shown,
            "refused": refused, "filter": f.to_dict(), "settings": dataclasses.asdict(s)}


def _diffs(old: list[dict], new: list[dict]) -> list[dict]:
    return [{"turn": d.turn, "role": d.role, "diff": render_word_diff(d.ops)}
            for d in diff_messages(old, new) if d.change != "unchanged"]


def apply(store, f: SampleFilter | None, s: ReplaceSettings, author: str, all_samples: bool = False,
          note: str | None = None) -> dict:
    """Replace in every matching sample: one revision per changed sample, attributed to `author`.

    Returns the counts and `changes` [{id, rev}] (the new revision of each sample), which `undo` takes.
    """
    f = _selection(f, all_samples)
    note = note or _note(s)
    pending, refused, replacements = [], [], 0
    for sample, new, n, problems in _changes(store, f, s):
        if problems:
            refused.append({"id": sample["id"], "reason": problems[0]})
        else:
            pending.append((sample, new))
            replacements += n
    changes = []
    for sample, new in pending:  # written after the scan, so the iteration never sees its own edits
        updated = store.samples.update(sample["id"], {"messages": new}, author, ACTION, note,
                                      expected_rev=sample["rev"])
        changes.append({"id": updated["id"], "rev": updated["rev"]})
    return {"changed": len(changes), "replacements": replacements, "changes": changes, "refused": refused,
            "note": note, "filter": f.to_dict(), "settings": dataclasses.asdict(s)}


def _note(s: ReplaceSettings) -> str:
    kind = "regex" if s.regex else "text"
    return f"find-and-replace ({kind}{', ignore case' if s.ignore_case else ''}): {s.find!r} -> {s.replace!r}"


def undo(store, changes: list[dict], author: str) -> dict:
    """Restore each sample of a replace to the revision before it, as a new revision.

    A sample edited again since the replace is left alone and listed in `skipped` (restore it by hand from its
    history), so nobody's later work is overwritten.
    """
    restored, skipped = [], []
    for c in changes:
        current = store.samples.get(c["id"])
        if current["rev"] != c["rev"]:
            skipped.append({"id": c["id"], "reason": f"changed since (now revision {current['rev']}, the replace "
                                                      f"wrote {c['rev']})"})
            continue
        store.revisions.restore(c["id"], c["rev"] - 1, author, f"undo find-and-replace (revision {c['rev']})")
        restored.append(c["id"])
    return {"restored": len(restored), "ids": restored, "skipped": skipped}
