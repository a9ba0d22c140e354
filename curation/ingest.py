"""Import SFT files into the store: detect, convert, validate, quarantine what is invalid, insert the rest.

Every valid record is imported; every invalid one is kept in quarantine with its file, line and reason.
Re-importing a file adds no duplicate rows: ids are explicit (the record's own `id`) or derived from the dataset,
the content and how many times that content already occurred in the file.
"""
from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple

import orjson

from .errors import UserError
from .formats import (FORMATS, RAW_KEEP, UNREADABLE, Record, convert, default_mapping, detect_format, escaped,
                      jsonl_record, jsonl_spans, open_records, sniff_encoding, span_lines)
from .messages import content_hash, plain_turns, validate_messages
from .store import Store, derived_fields, language_text, parse_task_type, sample_arrow_schema
from .text import answer_text, detect_languages, prompt_text
from . import executors

_CHUNK_RECORDS = 2000  # records prepared together: a worker's unit of work, and one vectorised language pass
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
    # rows per insert; bounds memory on million-line files. One DuckDB row group (122,880 rows) is written once,
    # where smaller inserts are compressed again at every checkpoint (4x the cost on a million-sample file)
    batch_size: int = 122_880
    workers: int = 2  # processes that parse and validate a big JSONL file while this one inserts; 0: none
    parallel_min_mb: float = 64.0  # smaller files import faster without starting worker processes
    # DuckDB's memory cap while importing that much: it otherwise keeps every block it writes cached (up to 80% of
    # RAM), and a million-sample import would pass 2 GB. The cap holds for the whole store while the import runs.
    memory_limit: str | None = "600MB"
    errors_listed: int = 1000  # errors listed in the report; all of them are in quarantine regardless
    run_checks: bool = True  # pre-flag the imported samples for review (curation.checks.flag_ingest) afterwards
    # derive the per-content values the diversity statistics need (store.stats.prepare) afterwards, so the first
    # `curation stats` or Diversity page after an import is as fast as later ones
    derive_stats: bool = True
    dry_run: bool = False  # validate and count only (the Import page's report before importing): store nothing
    # a record without its own id whose content is already stored (e.g. the same file under another name) is not
    # added again; it counts as already_present
    skip_present: bool = True

    @property
    def max_line_bytes(self) -> int:
        """The line limit in bytes (JSONL lines longer than this are quarantined unread)."""
        return int(self.max_line_mb * 1e6)


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


# What preparing gives for each valid record, in this order: the sample columns that need nothing from the rest of
# the file, plus the record's line and its own id (the sample id needs the whole file, to count repeats).
_PREPARED = ("line", "record_id", "dataset", "messages", "tools", "task_l1", "task_l2", "tags", "split",
             "content_hash", "n_turns", "has_system", "has_tools", "prompt_chars", "answer_chars",
             "derived_id", "language")  # language last: it is detected for a whole chunk at once


class _Rejected(NamedTuple):
    """An invalid record: where it is, why, and its text for the quarantine."""

    line: int
    reason: str
    raw: str | None


def _prepare_chunk(items: list, fmt: str, mapping: dict | None, settings: IngestSettings, path: Path):
    """Parse, convert, validate and derive the columns of a run of records.

    Items are Records, or JSONL lines (line number, line, error) still to parse. Returns the valid records as a
    pyarrow RecordBatch (`_prepared_schema()`) and the rejected ones, both in file order. Nothing here depends on
    other records or on the store, so the chunks of a big file are prepared in worker processes; Arrow columns
    travel back from them far cheaper than a Python object per record.
    """
    import pyarrow as pa
    rows, texts, rejected = [], [], []
    stem = path.stem
    task_types: dict = {}  # a file has few distinct task_types: parse each once
    fallback = settings.encoding is None
    for item in items:
        rec = _record(item, fallback)
        if rec.error:
            rejected.append(_Rejected(rec.line, rec.error, rec.raw))
            continue
        try:
            row = _row(rec, fmt, mapping, settings, stem, task_types)
        except (ValueError, TypeError, AttributeError, RecursionError) as e:
            # orjson refuses what it cannot write (nesting past 255 levels, lone surrogates): a TypeError here
            reason = str(e) if not isinstance(e, RecursionError) else "record is nested too deeply to process"
            rejected.append(_Rejected(rec.line, reason, _raw(rec.value)))
            continue
        if isinstance(row, _Rejected):
            rejected.append(row)
            continue
        rows.append(row[0])
        texts.append(row[1])
    schema = _prepared_schema()
    columns = [*zip(*rows)] if rows else [[] for _ in _PREPARED[:-1]]
    columns.append(detect_languages(texts))
    # orjson writes valid UTF-8: the JSON columns go in as binary and are viewed as strings, without validating
    # every byte again
    arrays = [pa.array(c, pa.binary()).view(t) if n in ("messages", "tools") else pa.array(c, t)
              for n, c, t in zip(schema.names, columns, schema.types)]
    return pa.record_batch(arrays, schema=schema), rejected


def _row(rec: Record, fmt: str, mapping: dict | None, settings: IngestSettings, stem: str, task_types: dict):
    """(row, language text) of one parsed record (`_PREPARED` but language), or its `_Rejected`."""
    plain = _plain_row(rec, settings, stem, task_types) if fmt == "messages" else None
    if plain is not None:
        return plain
    # a task_type given for the whole import makes the records' own field irrelevant, wrong or not
    conv = convert(rec.value, fmt, None if settings.task_type else settings.task_type_field, mapping)
    problems = validate_messages(conv.messages)
    if problems:
        return _Rejected(rec.line, "; ".join(problems), _raw(rec.value))
    msgs, tools = conv.messages, conv.tools
    d = derived_fields({"messages": msgs, "tools": tools}, language=False)  # languages: per chunk, in the caller
    task = settings.task_type or conv.task_type
    if task not in task_types:
        task_types[task] = parse_task_type(task)
    dataset, chash = settings.dataset or conv.dataset or stem, d["content_hash"]
    row = (  # _PREPARED but language; JSON stays UTF-8 bytes: Arrow takes them as strings, no decode
        rec.line, conv.id, dataset, orjson.dumps(msgs), orjson.dumps(tools) if tools else None,
        *task_types[task], conv.tags, conv.split, chash, d["n_turns"], d["has_system"], d["has_tools"],
        d["prompt_chars"], d["answer_chars"], None if conv.id else derived_id(dataset, chash, 0))
    return row, language_text(prompt_text(msgs), answer_text(msgs))


def _plain_row(rec: Record, settings: IngestSettings, stem: str, task_types: dict):
    """(row, language text) of the commonest messages record, built in one pass: plain turns, no tools, tags a
    list of strings. Exactly what convert + validate + derived_fields give (tests/test_derived.py checks it);
    None sends the record that way."""
    value = rec.value
    msgs = value.get("messages")
    turns = plain_turns(msgs)
    tags, split, tools = value.get("tags") or [], value.get("split"), value.get("tools")
    if (turns is None or tools not in (None, "", []) or split not in (None, "", "train", "eval")
            or type(tags) is not list or not all(type(t) is str for t in tags)):
        return None
    users, answers, has_system = turns
    rid = value.get("id")
    task = settings.task_type
    if not task and settings.task_type_field:
        task = value.get(settings.task_type_field)
        task = None if task in (None, "") else task
    dataset = value.get("dataset")
    if ((task is not None and type(task) is not str) or (rid is not None and type(rid) not in (str, int))
            or (dataset is not None and type(dataset) is not str)):
        return None  # the long way gives the reason
    if task not in task_types:
        task_types[task] = parse_task_type(task)
    dataset = settings.dataset or dataset or stem
    rid = None if rid in (None, "") else str(rid)
    prompt, answer, chash = "\n".join(users), "\n".join(answers), content_hash(msgs)
    row = (rec.line, rid, dataset, orjson.dumps(msgs), None, *task_types[task], tags, split or None, chash,
           len(users), has_system, False, len(prompt), len(answer),
           None if rid else derived_id(dataset, chash, 0))
    return row, language_text(prompt, answer)


def _prepare_span(span: tuple, fmt: str, mapping: dict | None, settings: IngestSettings, path: Path,
                  stamp: tuple | None = None):
    """`_prepare_chunk` of a span of JSONL lines (`jsonl_spans`), read here in the worker; line numbers count
    from 1 within the span. Adds the number of records and of lines in the span. `stamp` is the file's
    (size, modification time) when the import started: a file changed since then is refused, not read half old,
    half new."""
    if stamp is not None and _stamp(path) != stamp:
        raise UserError(f"{path} changed since the import started (its size or modification time differs); "
                        "import it again once it is no longer being written")
    items, n_lines = span_lines(path, span, settings.max_line_bytes)
    return (*_prepare_chunk(items, fmt, mapping, settings, path), len(items), n_lines)


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


class _Batch:
    """Prepared records for one insert: the chunks' columns, which of their rows to take, and the sample ids."""

    def __init__(self):
        self.parts: list[tuple] = []  # (RecordBatch of a chunk, indices of its rows in this batch)
        self.ids: list[str] = []

    def __len__(self):
        return len(self.ids)

    def untyped(self) -> int:
        """How many records of the batch lack a task_type level."""
        import pyarrow.compute as pc
        return sum(pc.sum(pc.or_(pc.is_null(b.column("task_l1")), pc.is_null(b.column("task_l2"))).take(take)).as_py()
                   or 0 for b, take in self.parts)

    def drop_present(self, present: set) -> int:
        """Leave out the rows without their own id whose content hash is in `present`; returns how many."""
        parts, ids, k, dropped = [], [], 0, 0
        for b, take in self.parts:
            hashes, own = b.column("content_hash").to_pylist(), b.column("record_id").to_pylist()
            keep = []
            for i in take:
                if own[i] is None and hashes[i] in present:
                    dropped += 1
                else:
                    keep.append(i)
                    ids.append(self.ids[k])
                k += 1
            if keep:
                parts.append((b, keep))
        self.parts, self.ids = parts, ids
        return dropped

    def column(self, name: str) -> list:
        """One prepared column of the batch's rows, in batch order."""
        return [v for b, take in self.parts for v in b.column(name).take(take).to_pylist()]

    def table(self, ingest_id: int, now: datetime, file_name: str):
        """The batch as a pyarrow Table with every column of SAMPLE_COLUMNS."""
        import pyarrow as pa
        import pyarrow.compute as pc
        rows = pa.Table.from_batches([b if len(take) == b.num_rows else b.take(take) for b, take in self.parts],
                                     schema=_prepared_schema())
        source = pc.binary_join_element_wise(file_name, pc.cast(rows.column("line"), pa.string()), ":")
        given = {"id": pa.array(self.ids, pa.string()), "source_hash": rows.column("content_hash"), "source": source}
        same = {"status": "pending", "ingest_id": ingest_id, "parent_id": None, "rev": 0, "created_at": now,
                "updated_at": now}

        def column(name, type_):
            if name in given:
                return given[name]
            if name in same:
                return pa.repeat(pa.scalar(same[name], type_), rows.num_rows)
            return rows.column(name)

        schema = sample_arrow_schema()
        return pa.table([column(c, t) for c, t in zip(schema.names, schema.types)], schema=schema)


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
        self.container: str | None = None
        self.mapping = settings.mapping
        self.records = 0
        self.kept = 0  # valid records (stored, or found already present)
        self.file_failed = False
        # only a store that held samples before can hold this file's contents already
        self.check_present = settings.skip_present and store.samples.count() > 0
        self.off_taxonomy: dict[str, int] = {}
        self.in_taxonomy: dict[tuple[str, str], bool] = {}  # one store query per task_type, not per record
        # DuckDB inserts (and compresses) one batch in this thread while the next batch is prepared
        self.writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ingest-writer")
        self.inserting: tuple | None = None

    def error(self, line: int | None, reason: str, raw: str | None = None) -> None:
        self.file_failed |= line is None
        if line is not None:
            self.report.rejected += 1
            self.quarantine.append((self.name, line, reason, (raw or "")[:RAW_KEEP]))
        if len(self.report.errors) < self.s.errors_listed:
            self.report.errors.append({"file": self.name, "line": line, "reason": reason})

    def file_rejected(self, reason: str) -> None:
        """The whole file is unusable (binary, or no line of it JSON): one quarantine row for it, with its start
        (escaped), instead of one row per line."""
        self.file_failed = True
        self.report.rejected += 1
        with open(self.path, "rb") as f:
            head = f.read(2000)
        self.quarantine.append((self.name, None, reason, escaped(head)))
        self.error(None, reason)

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
            self.writer.shutdown()
            if not str(e).startswith("not a JSON/JSONL file"):
                return self.error(None, str(e))
            self.file_rejected(str(e))
            self.store_quarantine()
            self.report.files.append({"file": self.name, "container": None, "format": None, "encoding": None,
                                      "records": 1})
            return None
        if notice:
            self.report.notices.append({"file": self.name, "message": notice})
        fmt_arg = self.s.format
        if fmt_arg in ("csv", "parquet") or (fmt_arg == "auto" and self.mapping):
            self.fmt = "table"
        elif fmt_arg != "auto":
            self.fmt = fmt_arg
        container = None
        try:
            container, items = open_records(self.path, fmt_arg, encoding, self.s.max_line_bytes,
                                            self.progress, parse_jsonl=False, fallback=self.s.encoding is None)
            if container in ("csv", "parquet"):
                self.fmt = "table"
            self.container = container
            big = container == "jsonl" and self.path.stat().st_size >= self.s.parallel_min_mb * 1e6
            self.import_items(iter(items), self.s.workers if big else 0, encoding)
        except UserError as e:
            self.error(None, str(e))
        finally:
            try:
                self.flush(wait=True)
            finally:
                self.writer.shutdown()
        if self.records and not self.kept and not self.file_failed:
            self.no_valid_record(container)
        self.store_quarantine()
        self.report.files.append({"file": self.name, "container": container,
                                  "format": self.fmt, "encoding": encoding, "records": self.records})
        if self.records == 0 and not self.file_failed:
            self.error(None, "no records found in the file")
        for t, n in sorted(self.off_taxonomy.items()):
            self.report.notices.append({"file": self.name, "message": f"task_type {t!r} ({n} samples) is not in the "
                                        "taxonomy; add it with `curation taxonomy add` or relabel"})

    def store_quarantine(self) -> None:
        """Keep the rejected records, except those an earlier import of this file already kept."""
        if not self.s.dry_run:
            self.store.quarantine.add(self.report.ingest_id, self.store.quarantine.new_rows(self.quarantine))

    def no_valid_record(self, container: str | None) -> None:
        """A file none of whose records is valid gets a file error. When none is even JSON, it is no JSON/JSONL
        file: one quarantine row for it replaces a row per line."""
        mine = [q for q in self.quarantine if q[0] == self.name]
        if container not in ("jsonl", "json") or not all(q[2].startswith(UNREADABLE) for q in mine):
            return self.error(None, f"no valid record in the file: all {self.records} records are quarantined "
                                    "(see their reasons)")
        self.quarantine = [q for q in self.quarantine if q[0] != self.name]
        self.report.rejected -= len(mine)
        self.report.errors = [e for e in self.report.errors if e["file"] != self.name]
        with open(self.path, "rb") as f:
            first = f.readline(4096).decode("utf-8", "replace")
        looks = ("a CSV/TSV table (import it with --format csv)" if first.count(",") + first.count("\t") >= 2
                 else "plain text")
        self.file_rejected(f"not a JSON/JSONL file: none of its {self.records} records is a JSON object "
                           f"(it looks like {looks})")

    def import_items(self, items, workers: int, encoding: str) -> None:
        """Learn the format from the first valid record, then prepare the records chunk by chunk (in `workers`
        processes, if more than one) and commit them in file order."""
        ex = executors.current(workers)
        first = None
        for item in items:
            self.records += 1
            rec = _record(item)
            if not rec.error and not self.learn_format(rec):
                return
            self.commit(_prepare_chunk([rec], self.fmt, self.mapping, self.s, self.path), lambda: [rec])
            if not rec.error:
                first = rec.line
                break
        spanned = self.container == "jsonl" and (workers > 1 or ex.distributed)
        if first is not None and spanned and encoding in ("utf-8", "utf-8-sig"):
            # The workers read the rest of the file themselves, span by span: its lines never pass through here
            # (on Ray, from shared storage: the path is absolute and each span carries its content hash)
            path = self.path.resolve()
            spans = jsonl_spans(path, self.s.max_line_bytes, self.progress, skip=first, checksum=ex.checksums)
            for span, (rows, rejected, n, n_lines) in ex.map(_prepare_span, spans, self.fmt, self.mapping, self.s,
                                                             path, _stamp(path), workers=workers):
                self.records += n
                self.commit(_renumbered(rows, rejected, first), functools.partial(self.span_items, span, first))
                first += n_lines
            return
        chunks = iter(lambda: list(itertools.islice(items, _CHUNK_RECORDS)), [])
        for chunk, prepared in ex.map(_prepare_chunk, chunks, self.fmt, self.mapping, self.s, self.path,
                                      workers=workers):
            self.records += len(chunk)
            self.commit(prepared, lambda: chunk)

    def span_items(self, span: tuple, before: int) -> list:
        items, _ = span_lines(self.path, span, self.s.max_line_bytes)
        return [(n + before, line, err) for n, line, err in items]

    def learn_format(self, rec: Record) -> bool:
        """Settle the format (and a table's column mapping) from a record; False stops reading the file."""
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
        return True

    def commit(self, prepared, items: Callable[[], list]) -> None:
        """Give a prepared chunk's valid records their sample ids and batch them, and quarantine its rejected
        records, in file order (so the errors and the quarantine read like the file). `items()` gives the chunk's
        records again (only needed to quarantine a record whose id repeats)."""
        rows, rejected = prepared
        ids, take, repeated = self.sample_ids(rows, items)
        for r in sorted(rejected + repeated, key=lambda r: r.line):
            self.error(*r)
        self.kept += len(take)
        self.count_types(rows, take)
        while take:
            room = self.s.batch_size - len(self.batch)
            self.batch.parts.append((rows, take[:room]))
            self.batch.ids += ids[:room]
            take, ids = take[room:], ids[room:]
            if len(self.batch) >= self.s.batch_size:
                self.flush()

    def sample_ids(self, rows, items) -> tuple[list[str], list[int], list[_Rejected]]:
        """(ids, rows kept, rejections) of a chunk: a record's own id, or one derived from its content (see
        `derived_id`); a record whose own id repeats one earlier in the file is rejected."""
        own = rows.column("record_id")
        hashes, ids = rows.column("content_hash").to_pylist(), rows.column("derived_id").to_pylist()
        if own.null_count == len(own):  # no record has its own id: only repeated contents need a look each
            self.count_repeats(hashes, ids, rows)
            return ids, list(range(len(ids))), []
        lines, own = rows.column("line").to_pylist(), own.to_pylist()
        take, repeated, seen = [], [], self.seen_ids
        for i, chash in enumerate(hashes):
            if own[i] is None:
                self.count_repeats([chash], ids, rows, i)
            elif own[i] in seen:
                item = next(it for it in items() if (it.line if isinstance(it, Record) else it[0]) == lines[i])
                repeated.append(_Rejected(lines[i], f"duplicate id {own[i]!r} in this file (first at line "
                                                    f"{seen[own[i]]})", _raw(_record(item).value)))
                continue
            else:
                seen[own[i]] = lines[i]
                ids[i] = own[i]
            take.append(i)
        return [ids[i] for i in take] if len(take) < len(ids) else ids, take, repeated

    def count_repeats(self, hashes: list[str], ids: list[str], rows, offset: int = 0) -> None:
        """Count each content's occurrences in the file; the k-th repeat (k > 0) of a content gets
        `derived_id(..., k)` in `ids` (rows `offset` on). The same content twice in one file stays two samples
        (dedup decides), yet a re-import maps each occurrence to the same id, so importing twice adds nothing."""
        counts = self.occurrences
        repeats = counts.keys() & set(hashes)  # set operations in C: most contents are new
        if len(set(hashes)) < len(hashes):
            repeats |= {h for h, n in collections.Counter(hashes).items() if n > 1}
        before = {h: counts[h] for h in repeats if h in counts}
        counts.update(dict.fromkeys(hashes, 1))
        for i in [i for i, h in enumerate(hashes) if h in repeats] if repeats else ():
            k = before.get(hashes[i], 0)
            before[hashes[i]] = counts[hashes[i]] = k + 1
            if k:
                ids[offset + i] = derived_id(rows.column("dataset")[offset + i].as_py(), hashes[i], k)

    def count_types(self, rows, take: list[int]) -> None:
        """Count the kept records whose task_type is not in the taxonomy (one store query per distinct type)."""
        import pyarrow.compute as pc
        if not take:
            return
        types = pc.binary_join_element_wise(rows.column("task_l1"), rows.column("task_l2"), "\0")  # null: untyped
        counts = pc.value_counts(types if len(take) == len(types) else types.take(take)).to_pylist()
        for label, n in ((c["values"], c["counts"]) for c in counts if c["values"] is not None):
            l1, l2 = label.split("\0")
            if not self._in_taxonomy(l1, l2):
                self.off_taxonomy[f"{l1}/{l2}"] = self.off_taxonomy.get(f"{l1}/{l2}", 0) + n

    def _in_taxonomy(self, l1: str, l2: str) -> bool:
        known = self.in_taxonomy.get((l1, l2))
        if known is None:
            known = self.in_taxonomy[(l1, l2)] = self.store.taxonomy.has(l1, l2)
        return known

    def flush(self, wait: bool = False) -> None:
        """Start inserting the batch in the writer thread, so the next one fills meanwhile; `wait` for it."""
        if len(self.batch) and self.check_present:
            hashes = [h for h, own in zip(self.batch.column("content_hash"), self.batch.column("record_id"))
                      if own is None]
            present = self.store.samples.present_hashes(hashes, self.report.ingest_id, self.path.name) \
                if hashes else ()
            if present:
                self.report.already_present += self.batch.drop_present(present)
        if len(self.batch):
            table = self.batch.table(self.report.ingest_id, self.now, self.path.name)
            self.collect()
            self.inserting = (self.batch, self.writer.submit(self.store.samples.add, table, self.s.dry_run))
            self.batch = _Batch()
        if wait:
            self.collect()

    def collect(self) -> None:
        """Account for the insert in progress, when there is one: counts, and ids stored with other content."""
        if self.inserting is None:
            return
        batch, future = self.inserting
        self.inserting = None
        inserted, existing = future.result()
        self.report.imported += inserted
        if existing and batch.untyped():
            untyped = {sid for sid, l1, l2 in zip(batch.ids, batch.column("task_l1"), batch.column("task_l2"))
                       if l1 is None or l2 is None}
            self.report.untyped += len(untyped - {sid for sid, _ in existing})
        else:
            self.report.untyped += batch.untyped()
        conflicts = {sid for sid, same in existing if not same}
        self.report.already_present += len(existing) - len(conflicts)
        if conflicts:
            for sid, line in zip(batch.ids, batch.column("line")):
                if sid in conflicts:
                    self.error(line, f"id {sid!r} is already in the store with different content; "
                                     "give the record a new id or edit the stored sample")


def derived_id(dataset: str, chash: str, k: int) -> str:
    """The id of a record without its own: from its dataset, its content and how many times that content came
    earlier in the file."""
    return "s_" + hashlib.sha1(f"{dataset}\0{chash}\0{k}".encode()).hexdigest()[:16]


def _renumbered(rows, rejected: list, before: int) -> tuple:
    """A span's prepared records with their line numbers counted from the start of the file."""
    import pyarrow as pa
    import pyarrow.compute as pc
    at = rows.schema.get_field_index("line")
    columns = rows.columns
    columns[at] = pc.add(columns[at], before)
    return (pa.record_batch(columns, schema=rows.schema),
            [r._replace(line=r.line + before) for r in rejected])


def _record(item, fallback: bool = True) -> Record:
    """A chunk item as a Record: JSONL lines come unparsed, as (line number, line, error)."""
    return item if isinstance(item, Record) else jsonl_record(*item, fallback)


def _raw(value) -> str:
    """A parsed record's text for the quarantine, whatever it holds (orjson cannot write everything json reads)."""
    try:
        return orjson.dumps(value, default=str).decode()[:RAW_KEEP]
    except TypeError:
        try:
            return json.dumps(value, default=str)[:RAW_KEEP]  # ASCII: \u escapes for lone surrogates too
        except (ValueError, RecursionError):
            return "(nested too deeply to show)"




@functools.lru_cache(maxsize=None)
def _prepared_schema():
    import pyarrow as pa
    samples = sample_arrow_schema()
    own = {"line": pa.int64(), "record_id": pa.string(), "derived_id": pa.string()}
    return pa.schema([(c, own[c]) if c in own else samples.field(c) for c in _PREPARED])


def ingest(store: Store, paths: list[str | Path], settings: IngestSettings | None = None,
           progress: Callable[[int, int], None] | None = None, ingest_id: int | None = None) -> IngestReport:
    """Import files into the store and return the report. `progress(done_bytes, total_bytes)` is called often.

    `ingest_id` continues an import that was interrupted (a resumed job, see curation/jobs.py): its batches were
    committed one at a time under that id, their sample ids follow from the files, so the resumed pass stores only
    what the interrupted one had not, and the report counts those rows as imported, not as already present."""
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
    prior, prior_untyped = (0, 0) if ingest_id is None else store.jobs.imported_rows(ingest_id)
    if ingest_id is None:
        ingest_id = store.ingests.peek_id() if settings.dry_run else store.ingests.new_id()
    report = IngestReport(ingest_id=ingest_id, settings=dataclasses.asdict(settings))
    total = sum(p.stat().st_size for p in paths if p.is_file()) or 1
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(min(done[0], total), total)

    big = total >= settings.parallel_min_mb * 1e6
    with store.memory_limit(settings.memory_limit if big else None):
        for p in paths:
            _FileImport(store, p, settings, report, tick).run()
    # rows the interrupted attempt stored were found present again: they are this import's own
    report.imported, report.already_present = report.imported + prior, report.already_present - prior
    report.untyped += prior_untyped
    if settings.dry_run:
        return report
    store.ingests.add(id=report.ingest_id, dataset=settings.dataset or ",".join(p.stem for p in paths),
                      files=[str(p) for p in paths], format=settings.format, imported=report.imported,
                      rejected=report.rejected, already_present=report.already_present, settings=report.settings)
    if settings.run_checks and report.imported:
        from .checks import flag_ingest  # pre-flags for review: they point at samples, never change them
        # Recorded first, so a crash or kill during the checks leaves them pending, to be finished by the next
        # command that opens the store (curation.checks.finish_pending_checks)
        store.ingests.set_checks_pending(store.ingests.checks_pending() + [report.ingest_id])
        flag_ingest(store, report, settings.workers)
        store.ingests.set_checks_pending([i for i in store.ingests.checks_pending() if i != report.ingest_id])
    if settings.derive_stats and report.imported:
        store.stats.prepare()
    return report


def clear_quarantine(store: Store, ingest_id: int, lead: str, note: str | None = None) -> int:
    """A lead removes one import's quarantine rows (say, a binary file imported by mistake); the store records
    who did it, when and why. Returns how many rows went."""
    from .review import require_lead
    require_lead(store, lead)
    if ingest_id not in {i["id"] for i in store.ingests.list()}:
        raise UserError(f"there is no import #{ingest_id}")
    return store.quarantine.clear(ingest_id, lead, note)
