"""Preference data from the flywheel: the users' feedback labels on logged answers, as DPO pairs or KTO rows.

Each feedback item (thumbs, rating) judges one answer of a candidate: the assistant turn it names, else the
session's last answer. A thumbs up or a rating of at least `like_min_rating` makes it liked, a thumbs down or a
rating of at most `dislike_max_rating` disliked; ratings between say neither. When a disliked answer's candidate
was promoted and the sample's answer at that turn was since changed (edited in review, or rewritten by answer
production from the `needs_fix` queue), the replacement counts as a liked answer of the same prompt.

- `dpo`: for every prompt (the conversation up to the judged turn, compared without case, spaces and punctuation)
  with both a liked and a disliked answer, (chosen, rejected) pairs, at most `max_pairs_per_prompt` of them;
- `kto`: one (prompt, completion, label) row per judged answer: no pair needed.

Formats: `trl` writes TRL's conversational preference (`prompt`, `chosen`, `rejected` as message lists) and unpaired
preference (`prompt`, `completion`, `label`) types; `llamafactory` writes its ShareGPT ranking format
(`conversations`, `chosen`, `rejected`; with `system` and `tools` fields) and its KTO format (`kto_tag`), with the
`dataset_info.json` entry in the report (and in `<name>.dataset_info.json` beside the file).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..messages import to_sharegpt

KINDS = ("dpo", "kto")
FORMATS = ("trl", "llamafactory")
_DROP = re.compile(r"[\W_]+")


@dataclass
class PreferenceSettings:
    """Which feedback labels become preference data, and how it is written."""

    kind: str = "dpo"  # dpo: chosen/rejected pairs of one prompt; kto: one labelled answer a row
    format: str = "trl"  # trl (TRL's conversational types) | llamafactory (ShareGPT ranking / kto_tag)
    like_min_rating: float = 4.0  # a rating at or above this (1-5 stars) is a liked answer
    dislike_max_rating: float = 2.0  # at or below this, disliked (the thumbs_down value rule's threshold)
    # a disliked answer that its promoted sample replaced (review edit, answer production) pairs with the replacement
    use_fixes: bool = True
    max_pairs_per_prompt: int = 4  # a prompt with many judged answers gives at most this many DPO pairs
    ingest_id: int | None = None  # only the candidates of this log import; None: all


@dataclass
class Judged:
    """One answer with the label the user gave it."""

    context: list[dict]  # the conversation before the answer
    answer: dict  # the assistant turn
    liked: bool
    why: str  # "thumbs up", "rating 2", "replacement in sample s_…"
    candidate: str
    tools: list | None = None


@dataclass
class PreferenceReport:
    """What a preference export found and wrote."""

    kind: str
    format: str
    candidates: int = 0  # candidates with feedback
    liked: int = 0
    disliked: int = 0
    neutral: int = 0  # ratings between the two thresholds, comments alone
    conflicting: int = 0  # one answer both liked and disliked: left out
    not_an_answer: int = 0  # feedback on a turn that is no assistant answer with text
    fixes: int = 0  # replacements of disliked answers found in promoted samples
    prompts_with_both: int = 0
    records: int = 0
    file: str | None = None
    dataset_info: dict | None = None
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _label(f: dict, s: PreferenceSettings) -> tuple[bool | None, str]:
    """(liked, why) of one feedback item; None when it says neither, or says both."""
    votes = []
    if f.get("thumbs") in ("up", "down"):
        votes.append((f["thumbs"] == "up", f"thumbs {f['thumbs']}"))
    rating = f.get("rating")
    if rating is not None:
        if rating >= s.like_min_rating:
            votes.append((True, f"rating {rating:g}"))
        elif rating <= s.dislike_max_rating:
            votes.append((False, f"rating {rating:g}"))
    if not votes or len({v for v, _ in votes}) > 1:
        return None, "conflicting" if votes else "neutral"
    return votes[0][0], " + ".join(w for _, w in votes)


def judged_answers(store, settings: PreferenceSettings, report: PreferenceReport) -> list[Judged]:
    """Every answer a user judged (and the replacements of disliked ones), counted in `report`."""
    out: list[Judged] = []
    for c in store.candidates.feedback(settings.ingest_id):
        report.candidates += 1
        msgs = c["messages"]
        answers = [i for i, m in enumerate(msgs) if m["role"] == "assistant"]
        labels: dict[int, list[tuple[bool, str]]] = {}
        for f in c["feedback"]:
            liked, why = _label(f, settings)
            if liked is None:
                report.neutral += why == "neutral"
                report.conflicting += why == "conflicting"
                continue
            turn = f.get("turn") if f.get("turn") is not None else (answers[-1] if answers else None)
            if turn is None or not 0 <= turn < len(msgs) or msgs[turn]["role"] != "assistant" \
                    or not (msgs[turn].get("content") or "").strip():
                report.not_an_answer += 1
                continue
            labels.setdefault(turn, []).append((liked, why))
        for turn, votes in labels.items():
            if len({v for v, _ in votes}) > 1:
                report.conflicting += 1
                continue
            liked = votes[0][0]
            out.append(Judged(msgs[:turn], _answer(msgs[turn]), liked, "; ".join(w for _, w in votes), c["id"],
                              c.get("tools")))
            report.liked += liked
            report.disliked += not liked
            if not liked and settings.use_fixes and c.get("sample_id"):
                fix = _replacement(store, c["sample_id"], msgs, turn)
                if fix is not None:
                    out.append(Judged(msgs[:turn], fix, True, f"replacement in sample {c['sample_id']}", c["id"],
                                      c.get("tools")))
                    report.fixes += 1
    return out


def _answer(m: dict) -> dict:
    return {k: m[k] for k in ("role", "content", "tool_calls") if m.get(k) is not None}


def _replacement(store, sample_id: str, msgs: list[dict], turn: int) -> dict | None:
    """The promoted sample's answer at `turn` when its conversation before it is unchanged and the answer is not."""
    try:
        sample = store.samples.get(sample_id)
    except UserError:
        return None  # the sample was deleted since
    if sample.get("status") == "rejected":
        return None
    sm = sample["messages"]
    if len(sm) <= turn or sm[turn]["role"] != "assistant" or _key(sm[:turn]) != _key(msgs[:turn]):
        return None
    if _norm(sm[turn].get("content")) == _norm(msgs[turn].get("content")) or not (sm[turn].get("content") or "").strip():
        return None
    return _answer(sm[turn])


def _norm(text) -> str:
    return _DROP.sub("", str(text or "").lower())


def _key(context: list[dict]) -> str:
    return hashlib.sha1(json.dumps([(m["role"], _norm(m.get("content"))) for m in context]).encode()).hexdigest()


def preference_records(store, settings: PreferenceSettings | None = None) -> tuple[list[dict], PreferenceReport]:
    """The DPO pairs or KTO rows of the feedback labels, in the chosen format, with the report."""
    s = settings or PreferenceSettings()
    if s.kind not in KINDS:
        raise UserError(f"unknown preference kind {s.kind!r}; choose {' or '.join(KINDS)}")
    if s.format not in FORMATS:
        raise UserError(f"unknown preference format {s.format!r}; choose {' or '.join(FORMATS)}")
    if s.dislike_max_rating >= s.like_min_rating:
        raise UserError(f"the disliked rating ({s.dislike_max_rating:g} or less) must stay below the liked one "
                        f"({s.like_min_rating:g} or more)")
    if s.max_pairs_per_prompt < 1:
        raise UserError("allow at least one pair per prompt")
    report = PreferenceReport(kind=s.kind, format=s.format, settings=dataclasses.asdict(s))
    judged = judged_answers(store, s, report)
    groups: dict[str, list[Judged]] = {}
    for j in judged:
        groups.setdefault(_key(j.context), []).append(j)
    records = []
    if s.kind == "kto":
        records = [_kto(j, s.format) for j in judged]
    else:
        for items in groups.values():
            liked = _distinct([j for j in items if j.liked])
            disliked = _distinct([j for j in items if not j.liked])
            if liked and disliked:
                report.prompts_with_both += 1
                pairs = [(a, b) for a in liked for b in disliked if _norm(a.answer.get("content")) !=
                         _norm(b.answer.get("content"))]
                records += [_dpo(a, b, s.format) for a, b in pairs[:s.max_pairs_per_prompt]]
    report.records = len(records)
    report.dataset_info = _dataset_info(s) if s.format == "llamafactory" else None
    return records, report


def _distinct(items: list[Judged]) -> list[Judged]:
    seen, out = set(), []
    for j in items:
        k = _norm(j.answer.get("content"))
        if k not in seen:
            seen.add(k)
            out.append(j)
    return out


def _dpo(chosen: Judged, rejected: Judged, fmt: str) -> dict:
    if fmt == "trl":
        return {"prompt": chosen.context, "chosen": [chosen.answer], "rejected": [rejected.answer]}
    rec = to_sharegpt(chosen.context, chosen.tools)
    rec["chosen"] = to_sharegpt([chosen.answer], None)["conversations"][0]
    rec["rejected"] = to_sharegpt([rejected.answer], None)["conversations"][0]
    return rec


def _kto(j: Judged, fmt: str) -> dict:
    if fmt == "trl":
        return {"prompt": j.context, "completion": [j.answer], "label": j.liked}
    rec = to_sharegpt(j.context + [j.answer], j.tools)
    rec["kto_tag"] = j.liked
    return rec


def _dataset_info(s: PreferenceSettings) -> dict:
    """The LLaMA-Factory dataset_info.json entry of the file (its name filled in by the writer)."""
    tags = {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
            "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}
    if s.kind == "kto":
        return {"formatting": "sharegpt", "columns": {"messages": "conversations", "system": "system",
                                                      "tools": "tools", "kto_tag": "kto_tag"}, "tags": tags}
    return {"formatting": "sharegpt", "ranking": True,
            "columns": {"messages": "conversations", "system": "system", "tools": "tools", "chosen": "chosen",
                        "rejected": "rejected"}, "tags": tags}


def preference_jsonl(store, settings: PreferenceSettings | None = None) -> tuple[bytes, PreferenceReport]:
    """The records as JSONL bytes (the Flywheel page's download), with the report."""
    records, report = preference_records(store, settings)
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"), report


def export_preferences(store, path: str | Path, settings: PreferenceSettings | None = None,
                       overwrite: bool = False) -> PreferenceReport:
    """Write the preference records to a JSONL file (and, for LLaMA-Factory, its dataset_info.json beside it);
    UserError for a folder, an existing file without `overwrite`, or nothing to write."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; name the JSONL file to write (e.g. {path}/preferences.jsonl)")
    if path.exists() and not overwrite:
        raise UserError(f"{path} exists; choose another file or pass --overwrite")
    if not path.parent.exists():
        raise UserError(f"folder {path.parent} does not exist")
    data, report = preference_jsonl(store, settings)
    if not report.records:
        what = ("prompts with both a liked and a disliked answer" if report.kind == "dpo" else "judged answers")
        raise UserError(f"no {what} among {report.candidates:,} candidates with feedback ({report.liked:,} liked, "
                        f"{report.disliked:,} disliked answers); nothing written")
    path.write_bytes(data)
    report.file = str(path)
    if report.dataset_info is not None:
        report.dataset_info = {path.stem: {"file_name": path.name, **report.dataset_info}}
        # beside it, not into a dataset_info.json that may list other datasets: merge the entry in by hand
        path.with_name(f"{path.stem}.dataset_info.json").write_text(json.dumps(report.dataset_info, ensure_ascii=False, indent=1),
                                                       encoding="utf-8")
    return report
