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
from datetime import timedelta
from pathlib import Path

import orjson

from ..errors import UserError
from ..formats import RAW_KEEP, escaped, read_jsonl, sniff_encoding
from ..messages import content_hash, validate_messages
from ..store import Store, derived_fields, parse_task_type
from ..text import detect_language, prompt_text
from . import merge as merging
from .logs import MAPPING_NEEDED, MAPPING_NEEDED_UI, SHAPES, LineError, Session, assemble, read_piece, session_problem
from .merge import contains
from .pii import RULES, PiiScrubber, PiiSettings
from .rules.base import VALUE_RULES, Pick, default_rules

_KEY_DROP = re.compile(r"[\W_]+")
_LINE_NAMED = re.compile(r"line \d+")  # the session id of a log line that gave none (curation.flywheel.logs)


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
    # also mark near-duplicates: MinHash Jaccard of the user turns against the stored samples and the earlier
    # sessions at or above this (0.8 is the Dedup page's default); None: exact repeats only (hashing every stored
    # prompt costs seconds per 100k samples)
    near_dup_threshold: float | None = None
    pii: PiiSettings = field(default_factory=PiiSettings)  # the scrubber's settings
    rule_settings: dict = field(default_factory=dict)  # value rule name -> its settings object
    errors_listed: int = 200  # line errors listed in the report; all of them go to quarantine regardless
    # processes that scrub the sessions and run the value rules that need no store (the worker pool, or Ray under
    # `--engine ray`); 0 or 1: in this process. The app passes 0 (a fork copies only the calling thread)
    workers: int = 0
    # a session id seen before (an earlier file of this import, or an earlier import) continues that candidate:
    # the parts are merged in time order, shared turns once; off when a system reuses session ids across files
    merge_sessions: bool = True
    merge_gap_hours: float = 24.0  # a later part starting longer than this after the earlier one ends stays apart


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
    # sessions that continue a candidate of an earlier file: {session, into, file, turns_added}; and those left
    # apart, each with its reason: {session, candidate, file, reason}
    merged: list = field(default_factory=list)
    not_merged: list = field(default_factory=list)
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
            raise UserError(MAPPING_NEEDED, ui=MAPPING_NEEDED_UI)
        self.store, self.s = store, settings
        self.scrubber = PiiScrubber(settings.pii)
        names = list(settings.rules) if settings.rules is not None else default_rules()
        if settings.novelty and "novelty" not in names:
            names.append("novelty")
        # build() reads an empty list as "every step": no rule chosen must mean none
        self.rules = VALUE_RULES.build(names, settings.rule_settings) if names else []
        # the rules that need no store run in the workers, with the scrubbing: (name, settings) travel, not steps
        self.pure = tuple((r.name, r.settings) for r in self.rules if not r.needs_store)
        self.rules = [r for r in self.rules if r.needs_store]
        self.report = LogImportReport(ingest_id=store.ingests.new_id(), settings=_settings_dict(settings))
        self.rows: list[dict] = []
        self.redactions: list[dict] = []
        self.quarantine: list[tuple] = []
        self.merged_rows: dict[str, merging.Part] = {}  # earlier imports' candidates this import continued
        self.merged_present = 0  # parts merged before (the file was imported again)
        self.repick: dict[str, dict] = {}  # merged sessions, judged again whole by the store-free rules

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
        sessions = []
        for session in assemble(pieces):
            problem = session_problem(session)
            if problem:
                for line in session.lines:
                    self.reject(path, LineError(line, problem, raws.get(line)))
                errors += len(session.lines)
                continue
            sessions.append(session)
        kept = len(sessions)
        self.add_sessions(path, sessions)
        self.report.sessions += kept
        self.report.files.append({"file": str(path), "encoding": encoding, "lines": len(raws) + errors,
                                  "sessions": kept, "errors": errors})
        if not pieces and errors:
            self.report.notices.append({"file": path.name, "notice": f"no line of {path.name} is a log record of "
                                        "a known shape; check the shape, or give a field mapping"})

    def reject(self, path: Path, err: LineError) -> None:
        """Quarantine a line, its text scrubbed like a candidate's (the quarantine is stored too)."""
        raw, reds = self.scrubber.scrub(escaped(err.raw) or "")
        self.redactions.extend({"candidate_id": None, "file": str(path), "ingest_id": self.report.ingest_id,
                                "line": err.line,
                                "turn": None, "rule": r.rule, "start": r.start, "length": r.length,
                                "placeholder": r.placeholder} for r in reds)
        self.quarantine.append((str(path), err.line, err.reason, raw or None))
        if len(self.report.errors) < self.s.errors_listed:
            self.report.errors.append({"file": path.name, "line": err.line, "reason": err.reason})

    # ---- sessions ----
    def add_sessions(self, path: Path, sessions: list[Session]) -> None:
        """Scrub the sessions and run the store-free value rules, chunk by chunk, in the executor's workers (the
        regular expressions are nearly all of an import's time); rows and redactions come back in file order."""
        from .. import executors
        chunks = [sessions[i:i + _CHUNK_SESSIONS] for i in range(0, len(sessions), _CHUNK_SESSIONS)]
        workers = self.s.workers
        ex = executors.current(workers)
        if len(sessions) < _MIN_PARALLEL or (workers <= 1 and not ex.distributed):
            results = ((c, _process(c, str(path), self.report.ingest_id, self.s.pii, self.pure)) for c in chunks)
        else:
            results = ex.map(_process, chunks, str(path), self.report.ingest_id, self.s.pii, self.pure,
                             workers=workers)
        for _, (rows, redactions) in results:
            self.rows.extend(rows)
            self.redactions.extend(redactions)

    # ---- sessions across files ----
    def merge_sessions(self) -> None:
        """Merge each session that continues a session of an earlier file (of this import, then of an earlier
        import) into that candidate; report each merge, and each one refused with its reason."""
        reds: dict[str, list] = {}
        for r in self.redactions:
            reds.setdefault(r["candidate_id"], []).append(r)
        gap = timedelta(hours=self.s.merge_gap_hours)
        first: dict[str, dict] = {}
        keep = []
        for row in self.rows:
            if not row.get("named", True):  # no session id in the log: nothing to continue
                keep.append(row)
                continue
            base = first.setdefault(row["session_id"], row)
            if base is row or base["file"] == row["file"]:
                keep.append(row)
                continue
            done = self.merge_into(base, row, reds, gap)
            if done is None:
                keep.append(row)
            else:
                first[row["session_id"]] = done.row
                keep[keep.index(base)] = done.row
                reds[base["id"]] = done.redactions
        self.rows = keep
        fresh = {r["id"] for r in self.rows}
        earlier: dict[str, list] = {}
        named = sorted({r["session_id"] for r in self.rows if r.get("named", True)})
        for c in self.store.candidates.by_sessions(named):
            if c["id"] not in fresh and not _LINE_NAMED.fullmatch(c["session_id"]):  # "line 7": the log had no id
                earlier.setdefault(c["session_id"], []).append(c)
        keep = []
        for row in self.rows:
            base = merging.nearest(earlier.get(row["session_id"]) or [], row) if row.get("named", True) else None
            if base is None:
                keep.append(row)
                continue
            if base["state"] not in ("candidate", "duplicate"):
                self.report.not_merged.append({"session": row["session_id"], "candidate": base["id"],
                                               "file": Path(row["file"]).name,
                                               "reason": f"candidate {base['id']} of that session is {base['state']} "
                                                         "already; this part stays a candidate of its own"})
                keep.append(row)
                continue
            stored = [dict(r) for r in self.store.candidates.redactions(base["id"])]
            done = self.merge_into(base, row, {row["id"]: reds.get(row["id"], []), base["id"]: stored}, gap)
            if done is None:
                keep.append(row)
            elif done.row is not base:
                group = earlier[row["session_id"]]
                group[group.index(base)] = done.row
                self.merged_rows[base["id"]] = done
        self.rows = keep
        self.redactions = [r for r in self.redactions if r["candidate_id"] is None] + [
            r for row in self.rows for r in reds.get(row["id"], [])]

    def merge_into(self, base: dict, row: dict, reds: dict, gap) -> merging.Part | None:
        """`row` merged into the candidate `base`: the merged Part (`base` itself when `row` adds no turn), or
        None with the reason reported."""
        entry = {"session": row["session_id"], "into": base["id"], "file": Path(row["file"]).name}
        if contains(base["messages"], row["messages"]):
            self.report.merged.append({**entry, "turns_added": 0})
            self.merged_present += 1
            return merging.Part(base, reds.get(base["id"], []))
        one, two = merging.order(merging.Part(base, reds.get(base["id"], [])),
                                 merging.Part(row, reds.get(row["id"], [])))
        k = merging.overlap(one.row["messages"], two.row["messages"])
        why = merging.refusal(one, two, k, gap)
        if why:
            self.report.not_merged.append({"session": row["session_id"], "candidate": base["id"],
                                           "file": entry["file"], "reason": why})
            return None
        done = merging.merged(one, two, k, base)
        row_lines = f"{entry['file']} lines {row['lines'][0]}-{row['lines'][-1]}"
        done.row["note"] = "; ".join(filter(None, [base.get("note"), f"continued by {row_lines} (log import "
                                                                     f"#{self.report.ingest_id})"]))
        derive(done.row)
        done.row["picks"] = []
        self.repick[base["id"]] = done.row
        self.report.merged.append({**entry, "turns_added": len(done.row["messages"]) - len(base["messages"])})
        return done

    def mark_duplicates(self) -> None:
        """Sessions whose prompt the store already holds (a sample or an earlier candidate), or an earlier session
        of this import holds, are kept as duplicates of it."""
        keys = {r["prompt_key"] for r in self.rows}
        seen = dict(self.store.candidates.prompt_keys(sorted(keys))) if keys else {}
        near = self.s.near_dup_threshold is not None
        stored: list[tuple[str, str]] = []  # (sample id, prompt) for the near-duplicate pass
        if keys:
            for sid, messages in self.store.samples.prompt_iter():
                k = prompt_key(messages)
                if k in keys and k not in seen:
                    seen[k] = sid
                if near:
                    stored.append((sid, prompt_text(messages)))
        for r in self.rows:
            first = seen.setdefault(r["prompt_key"], r["id"])
            if first != r["id"]:
                r["state"], r["duplicate_of"] = "duplicate", first
        if near:
            mine = {r["id"] for r in self.rows}
            merged = set(self.merged_rows)
            stored += [(cid, prompt_text(messages)) for cid, messages in self.store.candidates.prompt_iter()
                       if cid not in mine and cid not in merged]  # earlier imports' candidates, not a re-read copy
            self.mark_near_duplicates(stored)

    def mark_near_duplicates(self, stored: list[tuple[str, str]]) -> None:
        """Sessions whose user turns are near copies (MinHash, confirmed by exact shingle Jaccard) of a stored
        sample's, an earlier import's candidate's or an earlier session's become duplicates of the closest, with
        the similarity in the note."""
        from ..dedup.methods.builtin import MinHashSettings, minhash_pairs
        todo = [r for r in self.rows if r["state"] == "candidate"]
        if not todo:
            return
        threshold = self.s.near_dup_threshold
        if not 0 < threshold <= 1:
            raise UserError(f"the near-duplicate threshold must be in (0, 1], got {threshold}")
        n = len(stored)
        texts = [t for _, t in stored] + [prompt_text(r["messages"]) for r in todo]
        found = minhash_pairs(texts, MinHashSettings(threshold=threshold))
        best: dict[int, tuple[str, float]] = {}
        for (a, b), sim in zip(found.pairs.tolist(), found.sims.tolist()):
            if sim < threshold or b < n:  # a < b: the later one of the pair is the copy
                continue
            target = stored[a][0] if a < n else todo[a - n]["id"]
            if b not in best or sim > best[b][1]:
                best[b] = (target, sim)
        for b, (target, sim) in best.items():
            r = todo[b - n]
            r["state"], r["duplicate_of"] = "duplicate", target
            r["note"] = f"near-duplicate of {target} (shingle Jaccard {sim:.2f} of the user turns)"

    def pick(self) -> None:
        """Run the value rules over every session; each pick carries its rule and reason."""
        context = {"store": self.store}
        _, pure = _steps(self.s.pii, self.pure)
        for row in self.repick.values():  # a merged session is judged whole (a loop may span the two files)
            for rule in pure:
                row["picks"].extend(dataclasses.asdict(p) if isinstance(p, Pick) else p for p in rule.find(row, {}))
        for rule in self.rules:
            for row, picks in rule.run(self.rows + [p.row for p in self.merged_rows.values()], context):
                row["picks"].extend(dataclasses.asdict(p) if isinstance(p, Pick) else p for p in picks)

    def save(self) -> LogImportReport:
        """Store what is new: candidates not imported before, quarantine rows not kept before, and the
        redactions of both (a file imported twice counts its redactions once)."""
        now = _now()
        known = self.store.candidates.existing([r["id"] for r in self.rows])
        rows = [r for r in self.rows if r["id"] not in known]
        for r in rows:
            r["created_at"] = now
        quarantine = self.store.quarantine.new_rows(self.quarantine)
        new_lines = {(q[0], q[1]) for q in quarantine}
        ids = {r["id"] for r in rows}
        redactions = [{k: v for k, v in x.items() if k != "file"} for x in self.redactions
                      if x["candidate_id"] in ids or (x["candidate_id"] is None and (x["file"], x["line"]) in new_lines)]
        added = self.store.candidates.add(rows, redactions)
        for part in self.merged_rows.values():
            self.store.candidates.merge(part.row, [{k: v for k, v in r.items() if k != "file"} for r in part.redactions])
        self.store.quarantine.add(self.report.ingest_id, quarantine)
        rep = self.report
        rep.candidates, rep.already_present = added, len(self.rows) - len(rows) + self.merged_present
        rep.duplicates = sum(r["state"] == "duplicate" for r in rows)
        rep.picked = sum(bool(r["picks"]) and r["state"] == "candidate" for r in rows)
        rep.quarantined = len(self.quarantine)
        for red in redactions + [r for p in self.merged_rows.values() for r in p.redactions
                                 if r["ingest_id"] == rep.ingest_id]:
            rep.redactions[red["rule"]] = rep.redactions.get(red["rule"], 0) + 1
        for r in rows:
            for rule in {p["rule"] for p in r["picks"]}:
                rep.picks[rule] = rep.picks.get(rule, 0) + 1
        self.store.ingests.add(id=rep.ingest_id, dataset="(candidates)", files=[f["file"] for f in rep.files],
                               format=f"log:{self.s.shape}", imported=added, rejected=rep.quarantined,
                               already_present=rep.already_present, settings=rep.settings)
        return rep


_CHUNK_SESSIONS = 500  # sessions per work unit: big enough that a unit's pickling is small beside its regexes
_MIN_PARALLEL = 2000  # fewer sessions run in this process: starting a pool costs more than it saves
_STEPS: dict = {}  # per process: the scrubber and rules of one settings combination, built once


def _steps(pii: PiiSettings, pure: tuple) -> tuple:
    key = repr((pii, pure))
    if key not in _STEPS:
        _STEPS.clear()
        _STEPS[key] = (PiiScrubber(pii), [VALUE_RULES[name](st) for name, st in pure])
    return _STEPS[key]


def _process(sessions: list[Session], path: str, ingest_id: int, pii: PiiSettings, pure: tuple):
    """A work unit: the candidate rows (scrubbed, picked by the store-free rules) and redactions of sessions of
    one file. Pure: no store, so it runs in a worker process or a Ray task."""
    scrubber, rules = _steps(pii, pure)
    rows, redactions = [], []
    for session in sessions:
        row, reds = _candidate_row(scrubber, path, ingest_id, session)
        for rule in rules:
            row["picks"].extend(dataclasses.asdict(p) if isinstance(p, Pick) else p for p in rule.find(row, {}))
        rows.append(row)
        redactions.extend({"candidate_id": row["id"], "file": path, "ingest_id": ingest_id, "line": session.lines[0],
                           "turn": turn, "rule": r.rule, "start": r.start, "length": r.length,
                           "placeholder": r.placeholder} for turn, r in reds)
    return rows, redactions


def _candidate_row(scrubber: PiiScrubber, path: str, ingest_id: int, session: Session) -> tuple[dict, list]:
    """One session as a candidate row, every turn, tool call and feedback comment scrubbed; and its
    (turn, Redaction) pairs."""
    messages, reds = [], []
    for turn, m in enumerate(session.messages):
        text, found = scrubber.scrub(m["content"])
        messages.append({**m, "content": text, **_scrub_calls(scrubber, m, turn, reds)})
        reds.extend((turn, r) for r in found)
    feedback = []
    for f in session.feedback:
        d = f.to_dict()
        if d.get("comment"):
            d["comment"], found = scrubber.scrub(d["comment"])
            reds.extend((None, r) for r in found)
        feedback.append(d)
    row = derive({
        "ingest_id": ingest_id, "file": path, "lines": session.lines,
        "session_id": session.session_id, "messages": messages, "tools": session.tools, "feedback": feedback,
        "started_at": session.started_at, "ended_at": session.ended_at, "picks": [],
        "state": "candidate", "duplicate_of": None, "sample_id": None, "decided_by": None, "decided_at": None,
        "note": None, "created_at": None, "named": session.named})
    row["id"] = "c_" + hashlib.sha1(f"{Path(path).name}\0{session.session_id}\0{row['content_hash']}".encode()
                                    ).hexdigest()[:16]
    return row, reds


def derive(row: dict) -> dict:
    """A candidate row's columns computed from its messages (content hash, prompt key, language, sizes)."""
    messages = row["messages"]
    last, prompt = messages[-1], prompt_text(messages)
    row.update(content_hash=content_hash(messages, row.get("tools")), prompt_key=prompt_key(messages),
               language=detect_language(prompt[:4000]), prompt_chars=len(prompt),
               n_turns=sum(m["role"] == "user" for m in messages),
               has_answer=last["role"] == "assistant" and bool(last["content"].strip()))
    return row


def _scrub_calls(scrubber: PiiScrubber, m: dict, turn: int, reds: list) -> dict:
    """A turn's tool calls with their arguments scrubbed (users' data reaches tools too)."""
    if not m.get("tool_calls"):
        return {}
    calls = []
    for call in m["tool_calls"]:
        fn = call.get("function") if isinstance(call, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
            args, found = scrubber.scrub(fn["arguments"])
            reds.extend((turn, r) for r in found)
            call = {**call, "function": {**fn, "arguments": args}}
        calls.append(call)
    return {"tool_calls": calls}


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
    if settings.merge_sessions:
        run.merge_sessions()
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
            raise UserError(f"candidate {candidate['id']} already ends with an answer; --answer is only for a "
                            "session that ends with the user's prompt")
        messages.append({"role": "assistant", "content": answer})
    problems = validate_messages(messages)
    if problems:
        hint = "; give it an answer (--answer)" if messages[-1]["role"] == "user" else ""
        raise UserError(f"candidate {candidate['id']} cannot become a sample: {'; '.join(problems[:3])}{hint}")
    l1, l2 = parse_task_type(task_type) if task_type else (None, None)
    tags = ["flywheel"] + sorted({f"flywheel:{p['rule']}" for p in candidate["picks"]})
    sample = {"id": "s_" + hashlib.sha1(f"candidate\0{candidate['id']}".encode()).hexdigest()[:16],
              "dataset": dataset, "messages": messages, "tools": candidate.get("tools"), "task_l1": l1, "task_l2": l2,
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
        raise UserError("name the dataset the candidates go to")
    if not ids:
        raise UserError("choose at least one candidate to promote")
    if task_type:
        l1, l2 = parse_task_type(task_type)
        if not l1 or not l2:
            raise UserError(f"task type {task_type!r} must have two levels, like 'coding/debugging'")
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


def answer_candidates(store: Store, ids: list[str], endpoint, dataset: str, author: str,
                      task_type: str | None = None, settings=None, client=None) -> dict:
    """Prompt-only candidates answered by a model through answer production (source `prompts`), then linked:
    each new sample gets the flywheel tags in a `promote` revision naming its candidate, and the candidate is
    marked promoted. Answer production answers bare prompts, so a candidate must be one user turn (no system
    prompt, no history); others need a human answer (`promote` with an answer). Returns the producer's report
    with `promoted` (candidate -> sample) and `not_answered` (dropped by its dedup or checks)."""
    from ..producers.answers import AnswerSettings
    from ..producers.runner import RunInput, produce
    if not dataset or not dataset.strip():
        raise UserError("name the dataset the candidates go to")
    if not ids:
        raise UserError("choose at least one candidate to answer")
    todo: dict[str, dict] = {}
    for cid in dict.fromkeys(ids):
        c = store.candidates.get(cid)
        if c["state"] == "promoted":
            raise UserError(f"candidate {cid} was promoted already (sample {c['sample_id']})")
        if c["has_answer"]:
            raise UserError(f"candidate {cid} has its answer already; promote it instead")
        if len(c["messages"]) != 1:
            raise UserError(f"candidate {cid} has {len(c['messages'])} turns (a system prompt or history); answer "
                            "production answers one bare prompt, so give this one its answer by hand (--answer)")
        todo[c["messages"][0]["content"].strip()] = c
    settings = dataclasses.replace(settings or AnswerSettings(), source="prompts")
    report = produce(store, "answers", endpoint, settings, RunInput(prompts=list(todo), dataset=dataset.strip(),
                                                                   task_type=task_type), author=author, client=client)
    report["promoted"] = []
    for sid in report.get("inserted", []):
        sample = store.samples.get(sid)
        c = todo.get(next((m["content"] for m in sample["messages"] if m["role"] == "user"), "").strip())
        if c is None:
            continue
        tags = sorted({*sample["tags"], "flywheel", *(f"flywheel:{p['rule']}" for p in c["picks"])})
        reasons = "; ".join(p["reason"] for p in c["picks"]) or "no value rule picked it"
        store.samples.update(sid, {"tags": tags}, author, "promote",
                             f"promoted from candidate {c['id']} (log import #{c['ingest_id']}), answered by answer "
                             f"production: {reasons}")
        store.candidates.mark_promoted(c["id"], sid, author)
        report["promoted"].append({"candidate": c["id"], "sample": sid})
    done = {p["candidate"] for p in report["promoted"]}
    report["not_answered"] = [c["id"] for c in todo.values() if c["id"] not in done]
    return report


def dismiss(store: Store, ids: list[str], author: str, note: str | None = None) -> int:
    """Mark candidates as not worth promoting; returns how many changed."""
    if not ids:
        raise UserError("choose at least one candidate to dismiss")
    for cid in ids:
        store.candidates.get(cid)
    return store.candidates.dismiss(list(ids), author, note)


def candidate_detail(store: Store, candidate_id: str) -> dict:
    """One candidate with its redactions (rule, turn, position; never the original value)."""
    c = store.candidates.get(candidate_id)
    c["redactions"] = store.candidates.redactions(candidate_id)
    return c


def overview(store: Store, ingest_id: int | None = None, state: str | None = "candidate", picked: bool = False,
             rule: str | None = None, limit: int = 200) -> dict:
    """What the Flywheel page and `curation logs list` show: counts by state, picks by rule, redactions by PII
    rule, and the candidates (picked ones first)."""
    rows = store.candidates.list(ingest_id=ingest_id, state=state, picked=picked, rule=rule, limit=limit)
    return {"states": store.candidates.counts_by_state(ingest_id), "picks": store.candidates.pick_counts(ingest_id),
            "redactions": {r: 0 for r in RULES} | store.candidates.redaction_counts(ingest_id),
            "total": store.candidates.count(ingest_id, state, picked, rule), "candidates": rows}
