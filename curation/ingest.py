"""Import SFT files into the store: detect, convert, validate, quarantine what is invalid, insert the rest.

Every valid record is imported; every invalid one is kept in quarantine with its file, line and reason.
Re-importing a file adds no duplicate rows: ids are explicit (the record's own `id`) or derived from the dataset,
the content and how many times that content already occurred in the file.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import orjson

from .errors import UserError
from .formats import FORMATS, Converted, convert, default_mapping, detect_format, open_records, sniff_encoding
from .messages import content_hash, validate_messages
from .store import SAMPLE_COLUMNS, Store, parse_task_type
from .text import answer_text, detect_language, prompt_text

RAW_KEEP = 20_000  # characters of an invalid record kept in quarantine; enough to see and fix it


@dataclass
class IngestSettings:
    """How to read the files. Defaults detect everything they can."""

    dataset: str | None = None  # None: the record's `dataset` field, else the file name without extension
    format: str = "auto"  # auto | messages | alpaca | sharegpt | csv | parquet
    task_type: str | None = None  # one "L1/L2" for every record of the files
    task_type_field: str = "task_type"  # record field holding "L1/L2" (used when task_type is None)
    mapping: dict | None = None  # CSV/Parquet column -> role, e.g. {"question": "user", "answer": "assistant"}
    encoding: str | None = None  # None: UTF-8 (BOM allowed), falling back to GBK/GB18030
    max_line_mb: float = 32.0  # longer JSONL lines are quarantined instead of being parsed
    batch_size: int = 20_000  # rows per insert; bounds memory on million-line files
    errors_listed: int = 1000  # errors listed in the report; all of them are in quarantine regardless


@dataclass
class IngestReport:
    """What an import did, file by file and record by record."""

    ingest_id: int
    imported: int = 0
    rejected: int = 0
    already_present: int = 0
    untyped: int = 0
    errors: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready report."""
        return dataclasses.asdict(self)

    @property
    def file_errors(self) -> list[dict]:
        """Errors that stopped a whole file from being read."""
        return [e for e in self.errors if e["line"] is None]


class _Batch:
    """Column buffers for one insert."""

    def __init__(self):
        self.cols: dict[str, list] = {c: [] for c in SAMPLE_COLUMNS}
        self.sources: dict[str, tuple[str, int]] = {}
        self.untyped: set[str] = set()

    def __len__(self):
        return len(self.cols["id"])

    def add(self, row: dict, file: str, line: int) -> None:
        for c in SAMPLE_COLUMNS:
            self.cols[c].append(row.get(c))
        self.sources[row["id"]] = (file, line)


class _FileImport:
    """State while importing one file."""

    def __init__(self, store: Store, path: Path, settings: IngestSettings, report: IngestReport, progress):
        self.store, self.path, self.s, self.report, self.progress = store, path, settings, report, progress
        self.name = str(path)
        self.seen_ids: dict[str, int] = {}
        self.occurrences: dict[str, int] = {}
        self.quarantine: list[tuple] = []
        self.batch = _Batch()
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.fmt: str | None = None
        self.mapping = settings.mapping
        self.records = 0
        self.off_taxonomy: dict[str, int] = {}
        self.in_taxonomy: dict[tuple[str, str], bool] = {}  # one store query per task_type, not per record

    def error(self, line: int | None, reason: str, raw: str | None = None) -> None:
        if line is not None:
            self.report.rejected += 1
            self.quarantine.append((self.name, line, reason, (raw or "")[:RAW_KEEP]))
        if len(self.report.errors) < self.s.errors_listed:
            self.report.errors.append({"file": self.name, "line": line, "reason": reason})

    def run(self) -> None:
        if not self.path.exists():
            return self.error(None, "file not found")
        if not self.path.is_file():
            return self.error(None, "not a file")
        if self.path.stat().st_size == 0:
            return self.error(None, "empty file: nothing to import")
        try:
            encoding, notice = sniff_encoding(self.path, self.s.encoding)
        except UserError as e:
            return self.error(None, str(e))
        if notice:
            self.report.notices.append({"file": self.name, "message": notice})
        fmt_arg = self.s.format
        if fmt_arg in ("csv", "parquet") or (fmt_arg == "auto" and self.mapping):
            self.fmt = "table"
        elif fmt_arg != "auto":
            self.fmt = fmt_arg
        container = None
        try:
            container, records = open_records(self.path, fmt_arg, encoding, int(self.s.max_line_mb * 1e6),
                                              self.progress)
            if container in ("csv", "parquet"):
                self.fmt = "table"
            for rec in records:
                self.records += 1
                if not self.handle(rec):
                    break
        except UserError as e:
            self.error(None, str(e))
        self.flush()
        self.store.add_quarantine(self.report.ingest_id, self.quarantine)
        self.report.files.append({"file": self.name, "container": container,
                                  "format": self.fmt, "encoding": encoding, "records": self.records})
        if self.records == 0 and not self.report.file_errors:
            self.error(None, "no records found in the file")
        for t, n in sorted(self.off_taxonomy.items()):
            self.report.notices.append({"file": self.name, "message": f"task_type {t!r} ({n} samples) is not in the "
                                        "taxonomy; add it with `curation taxonomy add` or relabel"})

    def handle(self, rec) -> bool:
        """Process one record; False stops reading the file."""
        if rec.error:
            self.error(rec.line, rec.error, rec.raw)
            return True
        if self.fmt is None:
            self.fmt = detect_format(rec.value) or ("table" if default_mapping(list(rec.value)) else None)
            if self.fmt is None:
                self.error(None, f"cannot detect the format from record {rec.line}'s keys {sorted(rec.value)[:8]}: "
                                 "expected messages, conversations (ShareGPT), instruction/output (Alpaca) "
                                 "or question/answer columns; pass --format, or --map COLUMN=user,COLUMN=assistant")
                return False
        if self.fmt == "table" and self.mapping is None:
            self.mapping = default_mapping(list(rec.value))
            if self.mapping is None:
                self.error(None, f"columns {list(rec.value)} have no user/assistant pair I recognise; "
                                 "pass --map COLUMN=user,COLUMN=assistant")
                return False
        try:
            conv = convert(rec.value, self.fmt, self.s.task_type_field, self.mapping)
        except (ValueError, TypeError, AttributeError) as e:
            self.error(rec.line, str(e), _raw(rec.value))
            return True
        problems = validate_messages(conv.messages)
        if problems:
            self.error(rec.line, "; ".join(problems), _raw(rec.value))
            return True
        self.add(conv, rec.line, rec.value)
        return True

    def add(self, conv: Converted, line: int, raw: dict) -> None:
        dataset = self.s.dataset or conv.dataset or self.path.stem
        chash = content_hash(conv.messages, conv.tools)
        if conv.id is not None:
            if conv.id in self.seen_ids:
                return self.error(line, f"duplicate id {conv.id!r} in this file (first at line "
                                        f"{self.seen_ids[conv.id]})", _raw(raw))
            self.seen_ids[conv.id] = line
            sid = conv.id
        else:
            # The same content twice in one file stays two samples (dedup decides), yet a re-import maps each
            # occurrence to the same id, so importing a file twice adds nothing.
            k = self.occurrences.get(chash, 0)
            self.occurrences[chash] = k + 1
            sid = "s_" + hashlib.sha1(f"{dataset}\0{chash}\0{k}".encode()).hexdigest()[:16]
        l1, l2 = parse_task_type(self.s.task_type or conv.task_type)
        if l1 is None or l2 is None:
            self.batch.untyped.add(sid)
        elif not self._in_taxonomy(l1, l2):
            self.off_taxonomy[f"{l1}/{l2}"] = self.off_taxonomy.get(f"{l1}/{l2}", 0) + 1
        msgs = conv.messages
        prompt, answer = prompt_text(msgs), answer_text(msgs)
        self.batch.add({
            "id": sid, "dataset": dataset, "messages": orjson.dumps(msgs).decode(),
            "tools": orjson.dumps(conv.tools).decode() if conv.tools else None,
            "task_l1": l1, "task_l2": l2, "language": detect_language(prompt[:4000] + "\n" + answer[:4000]),
            "tags": conv.tags, "status": "pending", "split": conv.split, "content_hash": chash,
            "source_hash": chash, "source": f"{self.path.name}:{line}", "ingest_id": self.report.ingest_id,
            "parent_id": None, "n_turns": sum(m["role"] == "user" for m in msgs),
            "has_system": msgs[0]["role"] == "system", "has_tools": bool(conv.tools) or any(
                m.get("tool_calls") for m in msgs), "prompt_chars": len(prompt), "answer_chars": len(answer),
            "rev": 0, "created_at": self.now, "updated_at": self.now,
        }, self.name, line)
        if len(self.batch) >= self.s.batch_size:
            self.flush()

    def _in_taxonomy(self, l1: str, l2: str) -> bool:
        known = self.in_taxonomy.get((l1, l2))
        if known is None:
            known = self.in_taxonomy[(l1, l2)] = self.store.taxonomy_has(l1, l2)
        return known

    def flush(self) -> None:
        if not len(self.batch):
            return
        import pyarrow as pa
        table = pa.table(self.batch.cols, schema=_arrow_schema())
        inserted, existing = self.store.insert_samples(table)
        self.report.imported += inserted
        self.report.untyped += len(self.batch.untyped - {sid for sid, _ in existing})
        for sid, same in existing:
            if same:
                self.report.already_present += 1
            else:
                file, line = self.batch.sources[sid]
                self.error(line, f"id {sid!r} is already in the store with different content; "
                                 "give the record a new id or edit the stored sample")
        self.batch = _Batch()


def _raw(value) -> str:
    return orjson.dumps(value, default=str).decode()[:RAW_KEEP]


_SCHEMA = None


def _arrow_schema():
    global _SCHEMA
    if _SCHEMA is None:
        import pyarrow as pa
        s, i, b = pa.string(), pa.int32(), pa.bool_()
        types = {"tags": pa.list_(s), "ingest_id": i, "n_turns": pa.int16(), "has_system": b, "has_tools": b,
                 "prompt_chars": i, "answer_chars": i, "rev": i, "created_at": pa.timestamp("us"),
                 "updated_at": pa.timestamp("us")}
        _SCHEMA = pa.schema([(c, types.get(c, s)) for c in SAMPLE_COLUMNS])
    return _SCHEMA


def ingest(store: Store, paths: list[str | Path], settings: IngestSettings | None = None,
           progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Import files into the store and return the report. `progress(done_bytes, total_bytes)` is called often."""
    settings = settings or IngestSettings()
    if settings.format not in FORMATS:
        raise UserError(f"unknown format {settings.format!r}; choose one of {', '.join(FORMATS)}")
    if settings.task_type is not None:
        l1, l2 = parse_task_type(settings.task_type)
        if not l1 or not l2:
            raise UserError(f"--task-type {settings.task_type!r} must have two levels, like 'reasoning/math'")
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            raise UserError(f"file not found: {p}")
        if p.is_dir():
            raise UserError(f"{p} is a folder; name the files to import (e.g. {p}/*.jsonl)")
    report = IngestReport(ingest_id=store.next_ingest_id(), settings=dataclasses.asdict(settings))
    total = sum(p.stat().st_size for p in paths if p.is_file()) or 1
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(min(done[0], total), total)

    for p in paths:
        _FileImport(store, p, settings, report, tick).run()
    store.record_ingest(report.ingest_id, settings.dataset or ",".join(p.stem for p in paths),
                        [str(p) for p in paths], settings.format, report.imported, report.rejected,
                        report.already_present, report.settings)
    from .checks import flag_ingest  # pre-flags for review: they point at samples, never change them
    flag_ingest(store, report)
    return report
