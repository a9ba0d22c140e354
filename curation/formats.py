"""Reading SFT files: encodings, JSONL / JSON arrays / CSV / Parquet, format detection, record conversion.

Readers stream: they yield one `Record` at a time with its line (or record) number, so a million-line file never
sits in memory, and every problem can be reported against the exact place it came from.
"""
from __future__ import annotations

import codecs
import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import orjson

from .errors import UserError
from .messages import from_alpaca, from_sharegpt, normalize_tools, clean_message

FORMATS = ("auto", "messages", "alpaca", "sharegpt", "csv", "parquet")
_CHUNK = 1 << 20
BLOCK_BYTES = 4 << 20  # a worker's share of a big JSONL file at a time: a few thousand typical samples


@dataclass
class Record:
    """One raw record: where it came from, and either its parsed value or why it could not be parsed."""

    line: int  # 1-based line (JSONL, CSV) or record number (JSON array, Parquet)
    value: dict | None
    error: str | None = None
    raw: str | None = None


@dataclass
class Converted:
    """A record turned into the canonical sample fields (not yet validated)."""

    messages: list
    tools: list | None
    id: str | None
    task_type: str | None
    tags: list[str]
    split: str | None
    dataset: str | None


# ---------------------------------------------------------------- encodings
def sniff_encoding(path: Path, forced: str | None = None) -> tuple[str, str | None]:
    """Pick the file's encoding; returns (codec, notice). UTF-8 (with or without BOM) first, then GB18030 (GBK)."""
    if forced:
        try:
            codecs.lookup(forced)
        except LookupError:
            raise UserError(f"unknown encoding {forced!r}") from None
        return forced, None
    with open(path, "rb") as f:
        head = f.read(4 * _CHUNK)
    if path.suffix.lower() == ".parquet" or head.startswith(b"PAR1"):
        return "binary", None  # Parquet stores its own (UTF-8) strings
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "file starts with a UTF-8 byte order mark (BOM); it was skipped"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "file is UTF-16 (it has a UTF-16 byte order mark); decoded as UTF-16"
    try:
        head.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:  # a multi-byte character cut by the sniff window
            return "utf-8", None
    # A few stray bytes in a UTF-8 file are damaged lines, not a GBK file: read it as UTF-8 and let the lines that
    # do not decode go to quarantine, so the valid ones still import.
    bad = head.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = len(head) - len(head.decode("ascii", errors="ignore"))
    if bad <= max(3, non_ascii // 100):
        return "utf-8", f"file is UTF-8 with {bad} undecodable byte(s) near the start; lines holding them are " \
                        "quarantined"
    try:
        head.decode("gb18030")
        return "gb18030", "file is not UTF-8; it decodes as GBK/GB18030 Chinese and was read as such"
    except UnicodeDecodeError:
        return "utf-8", "file is neither valid UTF-8 nor GBK; lines that do not decode as UTF-8 are quarantined " \
                        "(pass --encoding if it is another encoding)"


def _decode_line(raw: bytes, encoding: str) -> tuple[str | None, str | None]:
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError as e:
        return None, (f"not valid {encoding} text (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                      "re-save the file as UTF-8 or pass --encoding")


# ---------------------------------------------------------------- line readers
def iter_lines(path: Path, encoding: str, max_line_bytes: int, progress: Callable[[int], None] | None = None,
               decode: bool = True) -> Iterator[tuple[int, str | bytes | None, str | None]]:
    """Yield (line number, text, error) for each non-empty line, never holding an over-long line in memory.

    With `decode=False` (UTF-8 files only) the text is the line's raw bytes, BOM removed, for a parser that
    validates UTF-8 itself.
    """
    if encoding.startswith("utf-16"):  # not line-splittable as bytes; such files are small in practice
        with open(path, encoding=encoding) as f:
            for n, text in enumerate(f, 1):
                if text.strip():
                    yield n, text, None
        return
    with open(path, "rb") as f:
        n = 0
        while True:
            raw = f.readline(max_line_bytes + 1)
            if not raw:
                break
            n += 1
            if progress:
                progress(len(raw))
            if _over_limit(len(raw), raw.endswith(b"\n"), max_line_bytes):  # read at most max + 1 bytes
                yield n, None, _too_long(len(raw) + _skip_rest_of_line(f, progress), max_line_bytes)
                continue
            if n == 1 and encoding == "utf-8-sig":
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if raw.isspace():
                continue
            if not decode:
                yield n, raw, None
                continue
            text, err = _decode_line(raw, "utf-8" if encoding == "utf-8-sig" else encoding)
            yield n, text, err


def _over_limit(size: int, newline: bool, max_line_bytes: int) -> bool:
    """Whether a line of `size` bytes (its newline included when it has one) is over the limit."""
    return size - newline > max_line_bytes


def _too_long(size: int, max_line_bytes: int) -> str:
    return f"line is {size / 1e6:.1f} MB, over the {max_line_bytes / 1e6:.0f} MB line limit (raise it with --max-line-mb)"


def jsonl_spans(path: Path, max_line_bytes: int, progress=None, skip: int = 0,
                block_bytes: int | None = None) -> Iterator[tuple[int, int, str | None]]:
    """A JSONL file, after its first `skip` lines, as byte spans of whole lines for worker processes to read
    (`span_lines`): (start, end, None), or (start, end, error) for one over-long line, which nobody reads.

    Only the bytes around span ends are looked at here (through mmap), so a big file's lines never pass through
    the importing process; the workers count the lines of their spans.
    """
    import mmap
    import os
    with open(path, "rb") as f:
        for _ in range(skip):
            _skip_rest_of_line(f, None)
        pos, size = f.tell(), os.fstat(f.fileno()).st_size
        if pos >= size:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            while pos < size:
                end = min(pos + (block_bytes or BLOCK_BYTES), size)
                cut = mm.rfind(b"\n", pos, end) + 1 if end < size else end
                err = None
                if not cut:  # one line fills the block: it ends at the next newline
                    newline = mm.find(b"\n", end)
                    cut = size if newline < 0 else newline + 1
                    if _over_limit(cut - pos, newline >= 0, max_line_bytes):
                        err = _too_long(cut - pos, max_line_bytes)
                yield pos, cut, err
                if progress:
                    progress(cut - pos)
                pos = cut


def span_lines(path: Path, span: tuple[int, int, str | None], max_line_bytes: int) -> tuple[list, int]:
    """A span's non-blank lines as `iter_lines(..., decode=False)` gives them, numbered from 1 within the span:
    ([(line, bytes, error)...], number of lines in the span)."""
    start, end, err = span
    if err:
        return [(1, None, err)], 1
    import os
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, end - start, start)
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    last = lines.pop()  # b"" when the span ends with a newline, else a final line without one
    lines = [raw + b"\n" for raw in lines] + ([last] if last else [])
    out = []
    for n, raw in enumerate(lines, 1):
        if _over_limit(len(raw), raw.endswith(b"\n"), max_line_bytes):
            out.append((n, None, _too_long(len(raw), max_line_bytes)))
        elif not raw.isspace():
            out.append((n, raw, None))
    return out, len(lines)


def _skip_rest_of_line(f, progress) -> int:
    skipped = 0
    while True:
        chunk = f.readline(_CHUNK)
        skipped += len(chunk)
        if progress:
            progress(len(chunk))
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def read_jsonl(path: Path, encoding: str, max_line_bytes: int, progress=None) -> Iterator[Record]:
    """Records of a JSON Lines file; a malformed line becomes an error record, the rest still import."""
    for n, line, err in jsonl_lines(path, encoding, max_line_bytes, progress):
        yield jsonl_record(n, line, err)


def jsonl_lines(path: Path, encoding: str, max_line_bytes: int,
                progress=None) -> Iterator[tuple[int, str | bytes | None, str | None]]:
    """A JSONL file's lines, not parsed yet: (line number, line, error). `jsonl_record` parses one; a big import
    does that in worker processes."""
    # orjson parses UTF-8 bytes directly (validating them), which saves decoding every line of a big file.
    return iter_lines(path, encoding, max_line_bytes, progress, decode=encoding not in ("utf-8", "utf-8-sig"))


def jsonl_record(n: int, line: str | bytes | None, err: str | None) -> Record:
    """One JSONL line as a record: its object, or the most specific reason why it is not one."""
    if not err:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return Record(n, value)
    return _bad_line(n, line, err)


def _bad_line(n: int, line: str | bytes | None, err: str | None) -> Record:
    """The record for a JSONL line that did not parse into an object, with the most specific reason."""
    if err:
        return Record(n, None, err, None if "line limit" in err else line)
    if isinstance(line, bytes):  # tell bad text apart from bad JSON
        line, err = _decode_line(line, "utf-8")
        if err:
            return Record(n, None, err, None)
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return Record(n, None, f"malformed JSON: {e}", line)
    if isinstance(value, dict):
        return Record(n, value, raw=None)
    return Record(n, None, f"each line must be a JSON object, got {type(value).__name__}", line)


def read_json_array(path: Path, encoding: str, progress=None) -> Iterator[Record]:
    """Records of a JSON array file (Alpaca / ShareGPT style), decoded incrementally."""
    decoder = json.JSONDecoder()
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    with open(path, "rb") as fb:
        reader = codecs.getincrementaldecoder(enc)(errors="strict")
        if encoding == "utf-8-sig":
            fb.read(3)
        buf, pos, n, line, eof, started = "", 0, 0, 1, False, False
        while True:
            # skip separators, refilling the buffer as needed
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,[":
                    if buf[pos] == "[":
                        if started:
                            break
                        started = True
                    line += buf[pos] == "\n"
                    pos += 1
                if pos < len(buf) or eof:
                    break
                buf, pos, eof = _refill(fb, reader, buf, pos, progress)
            if pos >= len(buf) or buf[pos] == "]":
                return
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as e:
                    if eof:
                        yield Record(n + 1, None, f"malformed JSON in record {n + 1} (line {line + e.lineno - 1}): "
                                                  f"{e.msg}; records after it could not be read")
                        return
                    buf, pos, eof = _refill(fb, reader, buf, pos, progress)
            n += 1
            line += buf.count("\n", pos, end)
            pos = end
            if not isinstance(value, dict):
                yield Record(n, None, f"record {n} must be a JSON object, got {type(value).__name__}",
                             json.dumps(value, ensure_ascii=False)[:2000])
            else:
                yield Record(n, value)


def _refill(fb, reader, buf, pos, progress):
    chunk = fb.read(_CHUNK)
    if progress:
        progress(len(chunk))
    try:
        text = reader.decode(chunk, final=not chunk)
    except UnicodeDecodeError as e:
        raise UserError(f"{fb.name}: not valid text in the detected encoding ({e.reason}); "
                        "re-save as UTF-8 or pass --encoding") from None
    return buf[pos:] + text, 0, not chunk


def read_csv(path: Path, encoding: str, progress=None) -> Iterator[Record]:
    """Rows of a CSV file as records keyed by the header; line numbers count the header as line 1.

    polars parses a UTF-8 file at once (2-3x the csv module's speed, benchmarks/table_readers.py). A file it cannot
    take as is (another encoding, a row with more fields than the header, repeated column names) is read row by row
    with the csv module, so each bad row gets its own error and the good ones still import."""
    rows = _polars_csv(path) if encoding in ("utf-8", "utf-8-sig") else None
    if rows is None:
        yield from _csv_module_rows(path, encoding, progress)
        return
    if progress:
        progress(path.stat().st_size)
    yield from rows


def _polars_csv(path: Path) -> list[Record] | None:
    """The csv module's records of a well-formed UTF-8 CSV file, parsed by polars; None where it must not be used."""
    import polars as pl
    try:
        df = pl.read_csv(path, infer_schema=False, empty_string_is_null=False, raise_if_empty=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), None)
    if not header or df.columns != header:  # repeated names (polars renames them), a quoted header over lines
        return None if header else []
    if df.is_empty():
        return []
    # The line a row ends on, as csv.DictReader.line_num counts it: the header, then each row's own newlines.
    nl = pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True) for c in df.columns)
    ends = df.select(line=(nl + 1).cum_sum() + 1)["line"].to_list()
    values = df.to_dicts()
    # The csv module skips blank lines, which polars reads as rows of empty fields; a row of only commas stays.
    empty = [i for i, v in enumerate(values) if not any(v.values())]
    if empty:
        lines = path.read_bytes().split(b"\n")
        blank = {i for i in empty if not lines[ends[i] - 1].strip(b"\r\xef\xbb\xbf")}
        return [Record(ends[i], v) for i, v in enumerate(values) if i not in blank]
    return [Record(line, v) for line, v in zip(ends, values)]


def _csv_module_rows(path: Path, encoding: str, progress=None) -> Iterator[Record]:
    enc = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding
    with open(path, encoding=enc, newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames:
            return
        for row in reader:
            if progress:
                progress(sum(len(v or "") for v in row.values()))
            if None in row:
                yield Record(reader.line_num, None, f"row has {len(reader.fieldnames) + len(row[None])} fields, "
                                                    f"the header has {len(reader.fieldnames)}", str(row)[:2000])
                continue
            yield Record(reader.line_num, dict(row))


def read_parquet(path: Path, progress=None) -> Iterator[Record]:
    """Rows of a Parquet file, read in batches. pyarrow's to_pylist stays: polars' to_dicts was no faster on flat
    columns and slower on nested `messages` (benchmarks/table_readers.py)."""
    import pyarrow.parquet as pq
    try:
        pf = pq.ParquetFile(path)
    except Exception as e:
        raise UserError(f"{path.name}: not a readable Parquet file ({e})") from None
    n = 0
    for batch in pf.iter_batches(batch_size=10000):
        if progress:
            progress(batch.nbytes)
        for row in batch.to_pylist():
            n += 1
            yield Record(n, row)


# ---------------------------------------------------------------- detection
def load_records(path: Path) -> list:
    """Every record of a small JSON-array or JSONL file (benchmark and evaluation sets), in order. A JSONL line that
    is not valid JSON becomes a ValueError saying why, so the caller can skip it with that reason; an array that
    is not valid JSON is a UserError."""
    raw = path.read_text(encoding="utf-8-sig", errors="replace")
    if raw.lstrip().startswith("["):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise UserError(f"{path}: not valid JSON ({e.msg} at line {e.lineno})") from None
        return data if isinstance(data, list) else [data]
    out = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            out.append(ValueError(f"not valid JSON ({e.msg})"))
    return out


def detect_container(path: Path, encoding: str) -> str:
    """jsonl, json (array), csv or parquet, from the extension and the first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".csv", ".tsv"):
        return "csv"
    with open(path, "rb") as f:
        head = f.read(4096)
    try:
        text = head.decode(encoding if not encoding.startswith("utf-8") else "utf-8", errors="ignore")
    except LookupError:
        text = ""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        return "json"
    if head.startswith(b"PAR1"):
        return "parquet"
    return "jsonl"


def detect_format(value: dict) -> str | None:
    """messages, sharegpt or alpaca from a record's keys; None when nothing fits."""
    if "messages" in value:
        return "messages"
    conv = value.get("conversations")
    if isinstance(conv, list):
        first = conv[0] if conv else {}
        return "sharegpt" if isinstance(first, dict) and "from" in first else "messages"
    if "instruction" in value or "output" in value:
        return "alpaca"
    return None


def default_mapping(columns: list[str]) -> dict[str, str] | None:
    """A column mapping for common table layouts (question/answer, prompt/response, instruction/output)."""
    cols = set(columns)
    for user, assistant in (("question", "answer"), ("prompt", "response"), ("prompt", "completion"),
                            ("query", "response"), ("input", "output"), ("instruction", "output")):
        if user in cols and assistant in cols:
            m = {user: "user", assistant: "assistant"}
            if "system" in cols:
                m["system"] = "system"
            return m
    return None


def parse_mapping(text: str | None) -> dict[str, str] | None:
    """`question=user,answer=assistant` -> {"question": "user", "answer": "assistant"}."""
    if not text:
        return None
    mapping = {}
    for part in text.split(","):
        if "=" not in part:
            raise UserError(f"bad --map entry {part!r}: use COLUMN=ROLE, e.g. question=user,answer=assistant")
        col, role = (s.strip() for s in part.split("=", 1))
        if role not in ("system", "user", "assistant"):
            raise UserError(f"bad --map role {role!r} for column {col!r}: use system, user or assistant")
        mapping[col] = role
    if "user" not in mapping.values() or "assistant" not in mapping.values():
        raise UserError("--map needs one column for user and one for assistant, e.g. question=user,answer=assistant")
    return mapping


# ---------------------------------------------------------------- conversion
def convert(value: dict, fmt: str, task_type_field: str | None, mapping: dict | None) -> Converted:
    """Turn one raw record into canonical fields; raises ValueError with a specific reason."""
    if fmt == "messages":
        messages = value.get("messages", value.get("conversations"))
        if isinstance(messages, list):
            messages = [clean_message(m) if isinstance(m, dict) else m for m in messages]
    elif fmt == "alpaca":
        if not isinstance(value.get("instruction", ""), str) or not isinstance(value.get("output", ""), str):
            raise ValueError("instruction and output must be strings")
        messages = from_alpaca(value)
    elif fmt == "sharegpt":
        messages = from_sharegpt(value)
    elif fmt == "table":
        messages = _from_row(value, mapping or {})
    else:
        raise ValueError(f"unknown format {fmt}")
    tools = normalize_tools(value.get("tools"))
    task = value.get(task_type_field) if task_type_field else None
    tags = value.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    split = value.get("split")
    if split not in (None, "", "train", "eval"):
        raise ValueError(f"split {split!r} must be train or eval")
    rid = value.get("id")
    return Converted(messages=messages, tools=tools, id=None if rid in (None, "") else str(rid),
                     task_type=None if task in (None, "") else str(task), tags=[str(t) for t in tags],
                     split=split or None, dataset=value.get("dataset") if isinstance(value.get("dataset"), str) else None)


def _from_row(row: dict, mapping: dict) -> list[dict]:
    missing = [c for c in mapping if c not in row]
    if missing:
        raise ValueError(f"column(s) {', '.join(missing)} named in the mapping are not in the file")
    by_role = {role: col for col, role in mapping.items()}
    messages = []
    for role in ("system", "user", "assistant"):
        if role in by_role:
            v = row[by_role[role]]
            if role == "system" and (v is None or str(v).strip() == ""):
                continue
            messages.append({"role": role, "content": "" if v is None else str(v)})
    return messages


def open_records(path: Path, fmt: str, encoding: str, max_line_bytes: int, progress=None,
                 parse_jsonl: bool = True) -> tuple[str, Iterator]:
    """Open a file and return (container, record iterator).

    With `parse_jsonl=False` a JSONL file yields its `jsonl_lines` instead, for the caller to parse."""
    container = "parquet" if fmt == "parquet" else "csv" if fmt == "csv" else detect_container(path, encoding)
    if container == "parquet":
        return container, read_parquet(path, progress)
    if container == "csv":
        return container, read_csv(path, encoding, progress)
    if container == "json":
        return container, read_json_array(path, encoding, progress)
    if not parse_jsonl:
        return container, jsonl_lines(path, encoding, max_line_bytes, progress)
    return container, read_jsonl(path, encoding, max_line_bytes, progress)


def preview(path: Path, n: int = 5, encoding: str | None = None) -> dict:
    """Detected encoding, container, format and the first records, for the Import page."""
    enc, notice = sniff_encoding(path, encoding)
    container, records = open_records(path, "auto", enc, 64 << 20)
    rows = []
    for rec in records:
        rows.append(rec)
        if len(rows) >= n:
            break
    first = next((r.value for r in rows if r.value), None)
    fmt = ("table" if container in ("csv", "parquet") else detect_format(first)) if first else None
    return {"encoding": enc, "notice": notice, "container": container, "format": fmt,
            "columns": list(first) if first else [], "records": [r.value for r in rows if r.value],
            "errors": [(r.line, r.error) for r in rows if r.error]}

