"""Import production logs as candidates, and promote the ones worth training on into a dataset.

`import_logs` reads each file (`curation.formats` readers: encodings, huge lines, malformed JSON), turns its lines
into sessions (`logs`), scrubs every turn and feedback comment (`pii`) before anything is stored, quarantines
what it cannot read (the raw line scrubbed as well), deduplicates the sessions' prompts against the store's samples
and earlier candidates, runs the value rules (`rules`), and stores the candidates with their redactions. A log
import is logged as an import run (`store.ingests`, format `log:<shape>`), so Quarantine lists its bad lines.

`promote` turns candidates into pending samples of a dataset (needs_fix when the user disliked the answer), each
with a revision naming the candidate, so its history goes back to the log line. Until then nothing of a log
reaches an export, the curated selection or a review queue.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..errors import UserError
from ..formats import RAW_KEEP, escaped, read_jsonl, sniff_encoding
from ..messages import content_hash, validate_messages
from ..store import Store, derived_fields, parse_task_type
from ..text import detect_language, prompt_text
from .logs import SHAPES, LineError, Session, assemble, read_piece, session_problem
from .pii import RULES, PiiScrubber, PiiSettings
from .rules.base import VALUE_RULES, Pick, default_rules

_KEY_DROP = re.compile(r"[\W_]+")


@dataclass
class LogImportSettings:
    """How to read production logs and which sessions to pick."""

    shape: str = "auto"  # auto | openai | turns | mapped (mapped needs `mapping`)
    # our key -> the log's field, e.g. {"session": "conv", "role": "speaker", "content": "text", "time": "ts"}
    mapping: dict | None = None
    encoding: str | None = None  # None: UTF-8 (BOM allowed), falling back to GBK/GB18030
    max_line_mb: float = 32.0  # longer lines are quarantined unread
    rules: tuple[str, ...] | None = None  # value rules to run; None: every rule that needs no model
    novelty: bool = False  # also run the semantic novelty rule (loads the embedder; vectors cached in the store)
    dedup: bool = True  # mark sessions whose prompts are already in the store (samples or candidates) as duplicates
    pii: PiiSettings = field(default_factory=PiiSettings)  # the scrubber's settings
    rule_settings: dict = field(default_factory=dict)  # value rule name -> its settings object
    errors_listed: int = 200  # line errors listed in the report; all of them go to quarantine regardless


@dataclass
class LogImportReport:
    """What a log import did."""

    ingest_id: int
    sessions: int = 0
    candidates: int = 0  # added to the store
    already_present: int = 0  # the same session from the same file was imported before
    duplicates: int = 0  # prompts already in the store (marked, kept)
    picked: int = 0  # sessions at least one value rule picked (duplicates left out)
    quarantined: int = 0
    redactions: dict = field(default_factory=lambda: {r: 0 for r in RULES})
    picks: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    files: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready report."""
        return dataclasses.asdict(self)


def prompt_key(messages: list[dict]) -> str:
    """The dedup key of a session: its user turns, lowercased, without spaces or punctuation."""
    return hashlib.sha1(_KEY_DROP.sub("", prompt_text(messages).lower()).encode()).hexdigest()[:20]


def check_paths(paths) -> list[Path]:
    """The log files as paths; UserError for a missing file or a folder."""
    out = [Path(p) for p in paths]
    if not out:
        raise UserError("name at least one log file")
    for p in out:
        if not p.exists():
            raise UserError(f"file not found: {p}")
        if p.is_dir():
            raise UserError(f"{p} is a folder; name the log files to import (e.g. {p}/*.jsonl)")
    return out


class _Import:
    """One log import run: reads, scrubs, dedups, picks, stores."""

    def __init__(self, store: Store, settings: LogImportSettings):
        if settings.shape not in SHAPES:
            raise UserError(f"unknown log shape {settings.shape!r}; choose one of {', '.join(SHAPES)}")
        if settings.shape == "mapped" and not settings.mapping:
            raise UserError("the mapped log shape needs --map (e.g. --map role=speaker,content=text,session=conv)")
        self.store, self.s = store, settings
        self.scrubber = PiiScrubber(settings.pii)
        names = list(settings.rules) if settings.rules else default_rules()
        if settings.novelty and "novelty" not in names:
            names.append("novelty")
        self.rules = VALUE_RULES.build(names, settings.rule_settings)
        self.report = LogImportReport(ingest_id=store.ingests.new_id(), settings=_settings_dict(settings))
        self.rows: list[dict] = []
        self.redactions: list[dict] = []
        self.quarantine: list[tuple] = []

    # ---- reading ----
    def read_file(self, path: Path) -> None:
        encoding, notice = sniff_encoding(path, self.s.encoding)
        if notice:
            self.report.notices.append({"file": path.name, "notice": notice})
        pieces, raws, errors = [], {}, 0
        for rec in read_jsonl(path, encoding, int(self.s.max_line_mb * 1e6), fallback=self.s.encoding is None):
            if rec.error:
                self.reject(path, LineError(rec.line, rec.error, rec.raw))
                errors += 1
                continue
            raw = orjson.dumps(rec.value, default=str).decode()[:RAW_KEEP]
            try:
                piece = read_piece(rec.value, rec.line, self.s.shape, self.s.mapping)
            except (ValueError, TypeError, AttributeError, OverflowError) as e:
                self.reject(path, LineError(rec.line, str(e), raw))
                errors += 1
                continue
            raws[rec.line] = raw
            pieces.append(piece)
        sessions = assemble(pieces)
        kept = 0
        for session in sessions:
            problem = session_problem(session)
            if problem:
                for line in session.lines:
                    self.reject(path, LineError(line, problem, raws.get(line)))
                errors += len(session.lines)
                continue
            self.add_session(path, session)
            kept += 1
        self.report.sessions += kept
        self.report.files.append({"file": str(path), "encoding": encoding, "lines": len(raws) + errors,
                                  "sessions": kept, "errors": errors})
        if not pieces and errors:
            self.report.notices.append({"file": path.name, "notice": f"no line of {path.name} is a log record of "
                                        "a known shape; check the shape, or pass --map"})

    def reject(self, path: Path, err: LineError) -> None:
        """Quarantine a line, its text scrubbed like a candidate's (the quarantine is stored too)."""
        raw, reds = self.scrubber.scrub(escaped(err.raw) or "")
        self.redactions.extend({"candidate_id": None, "ingest_id": self.report.ingest_id, "line": err.line,
                                "turn": None, "rule": r.rule, "start": r.start, "length": r.length,
                                "placeholder": r.placeholder} for r in reds)
        self.quarantine.append((str(path), err.line, err.reason, raw or None))
        if len(self.report.errors) < self.s.errors_listed:
            self.report.errors.append({"file": path.name, "line": err.line, "reason": err.reason})

    # ---- sessions ----
    def add_session(self, path: Path, session: Session) -> None:
        messages, reds = [], []
        for turn, m in enumerate(session.messages):
            text, found = self.scrubber.scrub(m["content"])
            messages.append({"role": m["role"], "content": text})
            reds.extend((turn, r) for r in found)
        feedback = []
        for f in session.feedback:
            d = f.to_dict()
            if d.get("comment"):
                d["comment"], found = self.scrubber.scrub(d["comment"])
                reds.extend((None, r) for r in found)
            feedback.append(d)
        chash = content_hash(messages, None)
        cid = "c_" + hashlib.sha1(f"{path.name}\0{session.session_id}\0{chash}".encode()).hexdigest()[:16]
        last = messages[-1]
        self.rows.append({
            "id": cid, "ingest_id": self.report.ingest_id, "file": str(path), "lines": session.lines,
            "session_id": session.session_id, "messages": messages, "feedback": feedback,
            "started_at": session.started_at, "ended_at": session.ended_at, "prompt_key": prompt_key(messages),
            "content_hash": chash, "language": detect_language(prompt_text(messages)[:4000]),
            "prompt_chars": len(prompt_text(messages)), "n_turns": sum(m["role"] == "user" for m in messages),
            "has_answer": last["role"] == "assistant" and bool(last["content"].strip()), "picks": [],
            "state": "candidate", "duplicate_of": None, "sample_id": None, "decided_by": None, "decided_at": None,
            "note": None, "created_at": None})
        self.redactions.extend({"candidate_id": cid, "ingest_id": self.report.ingest_id, "line": session.lines[0],
                                "turn": turn, "rule": r.rule, "start": r.start, "length": r.length,
                                "placeholder": r.placeholder} for turn, r in reds)

    def mark_duplicates(self) -> None:
        """Sessions whose prompt the store already holds (a sample or an earlier candidate), or an earlier session
        of this import holds, are kept as duplicates of it."""
        keys = {r["prompt_key"] for r in self.rows}
        seen = dict(self.store.candidates.prompt_keys(sorted(keys))) if keys else {}
        if keys:
            for sid, messages in self.store.samples.prompt_iter():
                k = prompt_key(messages)
                if k in keys and k not in seen:
                    seen[k] = sid
        for r in self.rows:
            first = seen.setdefault(r["prompt_key"], r["id"])
            if first != r["id"]:
                r["state"], r["duplicate_of"] = "duplicate", first

    def pick(self) -> None:
        """Run the value rules over every session; each pick carries its rule and reason."""
        context = {"store": self.store}
        for rule in self.rules:
            for row, picks in rule.run(self.rows, context):
                row["picks"].extend(dataclasses.asdict(p) if isinstance(p, Pick) else p for p in picks)

    def save(self) -> LogImportReport:
        now = _now()
        for r in self.rows:
            r["created_at"] = now
        added = self.store.candidates.add(self.rows, self.redactions)
        self.store.quarantine.add(self.report.ingest_id, self.store.quarantine.new_rows(self.quarantine))
        rep = self.report
        rep.candidates, rep.already_present = added, len(self.rows) - added
        rep.duplicates = sum(r["state"] == "duplicate" for r in self.rows)
        rep.picked = sum(bool(r["picks"]) and r["state"] == "candidate" for r in self.rows)
        rep.quarantined = len(self.quarantine)
        for red in self.redactions:
            rep.redactions[red["rule"]] = rep.redactions.get(red["rule"], 0) + 1
        for r in self.rows:
            for rule in {p["rule"] for p in r["picks"]}:
                rep.picks[rule] = rep.picks.get(rule, 0) + 1
        self.store.ingests.add(id=rep.ingest_id, dataset="(candidates)", files=[f["file"] for f in rep.files],
                               format=f"log:{self.s.shape}", imported=added, rejected=rep.quarantined,
                               already_present=rep.already_present, settings=rep.settings)
        return rep


def _now():
    from ..store._sql import now
    return now()


def _settings_dict(s: LogImportSettings) -> dict:
    d = dataclasses.asdict(s)
    d["rule_settings"] = {k: dataclasses.asdict(v) for k, v in s.rule_settings.items()}
    return d


def import_logs(store: Store, paths, settings: LogImportSettings | None = None) -> LogImportReport:
    """Import log files as candidates (scrubbed, deduplicated, picked); returns the report."""
    settings = settings or LogImportSettings()
    paths = check_paths(paths)
    run = _Import(store, settings)
    for p in paths:
        run.read_file(p)
    if settings.dedup:
        run.mark_duplicates()
    run.pick()
    return run.save()


# ---------------------------------------------------------------- promotion
@dataclass
class PromoteReport:
    """What a promotion did: the new sample of each candidate."""

    dataset: str
    promoted: list = field(default_factory=list)  # {"candidate", "sample", "status"}

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _disliked(candidate: dict) -> bool:
    return any(f.get("thumbs") == "down" or (f.get("rating") is not None and f["rating"] <= 2)
               for f in candidate.get("feedback") or [])


def promotion_sample(candidate: dict, dataset: str, task_type: str | None, answer: str | None) -> dict:
    """The sample a candidate becomes (not stored); UserError naming the candidate when it is no valid
    conversation (a prompt-only log needs an answer)."""
    messages = [dict(m) for m in candidate["messages"]]
    if answer is not None:
        if messages[-1]["role"] != "user":
            raise UserError(f"candidate {candidate['id']} already ends with an answer; an --answer is only for a "
                            "session that ends with the user's prompt")
        messages.append({"role": "assistant", "content": answer})
    problems = validate_messages(messages)
    if problems:
        hint = "; give the answer with --answer" if messages[-1]["role"] == "user" else ""
        raise UserError(f"candidate {candidate['id']} cannot become a sample: {'; '.join(problems[:3])}{hint}")
    l1, l2 = parse_task_type(task_type) if task_type else (None, None)
    tags = ["flywheel"] + sorted({f"flywheel:{p['rule']}" for p in candidate["picks"]})
    sample = {"id": "s_" + hashlib.sha1(f"candidate\0{candidate['id']}".encode()).hexdigest()[:16],
              "dataset": dataset, "messages": messages, "tools": None, "task_l1": l1, "task_l2": l2,
              "tags": tags, "status": "needs_fix" if _disliked(candidate) else "pending", "split": None,
              "source": f"log:{Path(candidate['file']).name}:{candidate['lines'][0]}",
              "ingest_id": candidate["ingest_id"], "parent_id": None}
    sample.update(derived_fields(sample))
    sample["source_hash"] = sample["content_hash"]
    return sample


def promote(store: Store, ids: list[str], dataset: str, author: str, task_type: str | None = None,
            answers: dict[str, str] | None = None, note: str | None = None) -> PromoteReport:
    """Promote candidates into `dataset` as samples with a `promote` revision each. Every candidate is checked
    before any is written, so a bad one stops the whole promotion with its reason."""
    if not dataset or not dataset.strip():
        raise UserError("name the dataset the candidates go to (--dataset)")
    if not ids:
        raise UserError("choose at least one candidate to promote")
    if task_type:
        l1, l2 = parse_task_type(task_type)
        if not l1 or not l2:
            raise UserError(f"--task-type {task_type!r} must have two levels, like 'coding/debugging'")
    answers = answers or {}
    todo = []
    for cid in dict.fromkeys(ids):
        c = store.candidates.get(cid)
        if c["state"] == "promoted":
            raise UserError(f"candidate {cid} was promoted already (sample {c['sample_id']})")
        todo.append((c, promotion_sample(c, dataset.strip(), task_type, answers.get(cid))))
    report = PromoteReport(dataset=dataset.strip())
    for c, sample in todo:
        reasons = "; ".join(p["reason"] for p in c["picks"]) or "no value rule picked it"
        text = f"promoted from candidate {c['id']} (log import #{c['ingest_id']}, {sample['source']}): {reasons}"
        store.candidates.promote(c["id"], sample, author, (note + " · " if note else "") + text)
        report.promoted.append({"candidate": c["id"], "sample": sample["id"], "status": sample["status"]})
    return report


def dismiss(store: Store, ids: list[str], author: str, note: str | None = None) -> int:
    """Mark candidates as not worth promoting; returns how many changed."""
    if not ids:
        raise UserError("choose at least one candidate to dismiss")
    for cid in ids:
        store.candidates.get(cid)
    return store.candidates.dismiss(list(ids), author, note)


def overview(store: Store, ingest_id: int | None = None, state: str | None = "candidate", picked: bool = False,
             rule: str | None = None, limit: int = 200) -> dict:
    """What the Flywheel page and `curation logs list` show: counts by state, picks by rule, redactions by PII
    rule, and the candidates (picked ones first)."""
    rows = store.candidates.list(ingest_id=ingest_id, state=state, picked=picked, rule=rule, limit=limit)
    return {"states": store.candidates.counts_by_state(ingest_id), "picks": store.candidates.pick_counts(ingest_id),
            "redactions": {r: 0 for r in RULES} | store.candidates.redaction_counts(ingest_id),
            "total": store.candidates.count(ingest_id, state, picked, rule), "candidates": rows}
