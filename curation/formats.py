"""Reading SFT files: encodings, JSONL / JSON arrays / CSV / Parquet, format detection, record conversion.

Readers stream: they yield one `Record` at a time with its line (or record) number, so a million-line file never
sits in memory, and every problem can be reported against the exact place it came from.
"""
from __future__ import annotations

import codecs
import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import orjson

from .errors import UserError
from .messages import clean_message, from_alpaca, from_sharegpt, normalize_tools, number_tool_calls

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
RAW_KEEP = 20_000  # characters of an invalid record kept in quarantine; enough to see and fix it
# How the reasons of records that are not JSON at all begin: a file made only of them is no JSON/JSONL file
UNREADABLE = ("malformed JSON", "not valid ", "each line must be", "line is ", "record is nested")
_SNIFF_SCAN = 512 << 20  # how far to look for the first non-ASCII bytes of a file that starts as plain ASCII
_SURROGATE = re.compile("[\udc80-\udcff]")  # an undecodable byte, as Python's surrogateescape keeps it
# Magic numbers of binary files people rename or pick by mistake, so the error can say what the file is.
_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or an .xlsx/.docx file)"),
          (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive"),
          (b"(\xb5/\xfd", "a zstd archive"), (b"7z\xbc\xaf", "a 7z archive"), (b"\x7fELF", "an executable"),
          (b"SQLite format 3", "an SQLite database"), (b"RIFF", "a RIFF media file"), (b"ID3", "an MP3 file"))


def sniff_encoding(path: Path, forced: str | None = None) -> tuple[str, str | None]:
    """Pick the file's encoding; returns (codec, notice). UTF-8 (with or without BOM) first, then GB18030 (GBK),
    UTF-16 with or without a BOM. A file that is not text at all (an image, an archive) is a UserError saying
    what it looks like."""
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
        utf16 = _utf16_without_bom(head)
        if utf16:
            return utf16, f"file is {utf16.upper()} without a byte order mark; decoded as such"
        kind = binary_kind(head)
        if kind:
            raise UserError(f"not a JSON/JSONL file: it looks like {kind}")
        # A file can start with megabytes of ASCII (English records, ids) before its first Chinese text: judge the
        # encoding on the first stretch that is not ASCII, not on the head alone.
        scanned = len(head)
        while head.isascii() and scanned < _SNIFF_SCAN:
            more = f.read(4 * _CHUNK)
            if not more:
                break
            head, scanned = more, scanned + len(more)
    return _judge_encoding(head)


def _judge_encoding(head: bytes) -> tuple[str, str | None]:
    """UTF-8 or GB18030 for a stretch of a file, with a notice when it is not clean UTF-8."""
    try:
        head.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:  # a multi-byte character cut by the sniff window
            return "utf-8", None
    # A few stray bytes in a UTF-8 file are damaged lines, not a GBK file (and the other way round): read it in the
    # encoding that leaves the fewest bytes undecodable, and let the lines that do not decode go to quarantine.
    # GB18030 accepts most byte pairs, so UTF-8 read as GBK rarely fails, only turns to nonsense: what decides is
    # whether the bytes mostly form valid UTF-8 characters.
    non_ascii = len(head) - len(head.decode("ascii", errors="ignore"))
    few = max(3, non_ascii // 100)
    bad_utf8 = head.decode("utf-8", errors="replace").count("\ufffd")
    if _damaged_utf8(head):
        return "utf-8", f"file is UTF-8 with {bad_utf8} undecodable byte(s) near the start; lines holding them " \
                        "are quarantined (or read as GBK when they are)"
    bad_gb = head[:-4].decode("gb18030", errors="replace").count("\ufffd")
    if bad_gb <= few:
        extra = f" ({bad_gb} undecodable byte(s); lines holding them are quarantined)" if bad_gb else ""
        return "gb18030", f"file is not UTF-8; it decodes as GBK/GB18030 Chinese and was read as such{extra}"
    return "utf-8", "file is neither valid UTF-8 nor GBK; lines that do not decode as UTF-8 are quarantined " \
                    "(pass --encoding if it is another encoding)"


def _utf16_without_bom(head: bytes) -> str | None:
    """utf-16-le / utf-16-be for text whose every other byte is mostly NUL (ASCII-range text in UTF-16)."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def binary_kind(head: bytes) -> str | None:
    """What a file that is not text looks like ("a PNG image"), from its first bytes; None for text."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[8:12] == b"DUCK":
        return "a DuckDB database (a store, not a file to import)"
    sample = head[:8192]
    if b"\x00" in sample:  # NUL never occurs in UTF-8 or GBK text (UTF-16 was ruled out before)
        return "a binary file (it contains NUL bytes)"
    return None


def escaped(raw: bytes | str | None, encoding: str = "utf-8") -> str | None:
    """A quarantined line's text, with every byte that does not decode written as \\xNN, so the raw bytes are kept
    and nothing invalid reaches the store."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not _SURROGATE.search(raw):
            return raw[:RAW_KEEP]
        raw = raw.encode("utf-8", "surrogateescape")
        encoding = "utf-8"
    try:
        return raw.decode(encoding, "backslashreplace")[:RAW_KEEP]
    except LookupError:
        return raw.decode("utf-8", "backslashreplace")[:RAW_KEEP]


# The other encoding to try for one line that does not decode in the file's, when the user did not name one.
_FALLBACK = {"utf-8": "gb18030", "utf-8-sig": "gb18030", "gb18030": "utf-8", "gbk": "utf-8"}


def decode_line(raw: bytes, encoding: str, fallback: bool = True) -> tuple[str | None, str | None]:
    """(text, None), or (None, why not): a line in the file's encoding, else (with `fallback`) in the other common
    one, unless the line is evidently damaged text of the file's own encoding."""
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    if fallback and enc in ("gb18030", "gbk"):
        text = _sure_utf8(raw)
        if text is not None:
            return text, None
    try:
        return raw.decode(enc), None
    except UnicodeDecodeError as e:
        error = e
    other = _FALLBACK.get(enc) if fallback else None
    if other and not (other == "gb18030" and _damaged_utf8(raw)):
        try:
            return raw.decode(other), None
        except UnicodeDecodeError:
            pass
    also = f", nor {'GBK/GB18030' if other == 'gb18030' else other}" if other else ""
    return None, (f"not valid {enc} text (byte 0x{raw[error.start]:02x} at column {error.start + 1}){also}; "
                  "re-save the file as UTF-8 or pass --encoding")


def _sure_utf8(raw: bytes) -> str | None:
    """A line of a GBK file that is evidently UTF-8 (pasted in from elsewhere), decoded; None when it is not.

    GB18030 decodes almost any bytes, so a UTF-8 line read as GBK turns to mojibake instead of failing; the line
    must be told apart by its bytes. Strict UTF-8 holding a character of 3 or more bytes (U+0800 and up: every
    Chinese character, CJK punctuation, emoji) is the sure sign: no Chinese GBK string sampled from the alpaca_zh
    corpus (~86k substrings of 1-6 characters, every line) is such UTF-8. Two-byte UTF-8 is not a sign: 18% of
    single GBK characters are also valid two-byte UTF-8 ("为" = CE AA = "Ϊ"), so a line whose only non-ASCII
    characters are accented Latin, Greek or Cyrillic (U+0080-U+07FF) cannot be told from GBK and is read in the
    file's encoding."""
    if raw.isascii():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if any(c >= "\u0800" for c in text) else None


def _damaged_utf8(raw: bytes) -> bool:
    """Whether a line that is not valid UTF-8 still reads as UTF-8 with a few bad bytes (rather than as GBK)."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return sum(c > "\x7f" for c in text) - bad > bad


# ---------------------------------------------------------------- line readers
def iter_lines(path: Path, encoding: str, max_line_bytes: int, progress: Callable[[int], None] | None = None,
               decode: bool = True, fallback: bool = True) -> Iterator[tuple[int, str | bytes | None, str | None]]:
    """Yield (line number, text, error) for each non-empty line, never holding an over-long line in memory.

    With `decode=False` (UTF-8 files only) the text is the line's raw bytes, BOM removed, for a parser that
    validates UTF-8 itself. With an error, the text is what to keep of the line in quarantine: its bytes, or the
    first `RAW_KEEP` of an over-long one. `fallback`: a line that does not decode may be read in the other common
    encoding (`decode_line`).
    """
    if encoding.startswith("utf-16"):  # not line-splittable as bytes; such files are small in practice
        # surrogateescape keeps an undecodable byte pair as it was, so its line is quarantined, not the file
        with open(path, encoding=encoding, errors="surrogateescape") as f:
            for n, text in enumerate(f, 1):
                if _SURROGATE.search(text):
                    yield n, text, f"not valid {encoding} text; re-save the file as UTF-8 or pass --encoding"
                elif text.strip():
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
                yield n, raw[:min(RAW_KEEP, max_line_bytes)], _too_long(len(raw) + _skip_rest_of_line(f, progress), max_line_bytes)
                continue
            if n == 1 and encoding == "utf-8-sig":
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if raw.isspace():
                continue
            if not decode:
                yield n, raw, None
                continue
            text, err = decode_line(raw, encoding, fallback)
            yield n, text if err is None else raw, err


def _over_limit(size: int, newline: bool, max_line_bytes: int) -> bool:
    """Whether a line of `size` bytes (its newline included when it has one) is over the limit."""
    return size - newline > max_line_bytes


def _too_long(size: int, max_line_bytes: int) -> str:
    return (f"line is {size / 1e6:.1f} MB, over the {max_line_bytes / 1e6:g} MB line limit "
            "(raise it with --max-line-mb); its start is kept")


def jsonl_spans(path: Path, max_line_bytes: int, progress=None, skip: int = 0,
                block_bytes: int | None = None, checksum: bool = False) -> Iterator[tuple]:
    """A JSONL file, after its first `skip` lines, as byte spans of whole lines for worker processes to read
    (`span_lines`): (start, end, None), or (start, end, error) for one over-long line, which nobody reads.

    Only the bytes around span ends are looked at here (through mmap), so a big file's lines never pass through
    the importing process; the workers count the lines of their spans. With `checksum`, each span also carries the
    CRC-32 of its bytes, (start, end, error, crc), which `span_lines` verifies: a worker on another machine reads
    the file from shared storage, and a file changed since the import started must stop it, not import a mix.
    """
    import zlib
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
                yield (pos, cut, err, zlib.crc32(mm[pos:cut])) if checksum else (pos, cut, err)
                if progress:
                    progress(cut - pos)
                pos = cut


def span_lines(path: Path, span: tuple[int, int, str | None], max_line_bytes: int) -> tuple[list, int]:
    """A span's non-blank lines as `iter_lines(..., decode=False)` gives them, numbered from 1 within the span:
    ([(line, bytes, error)...], number of lines in the span)."""
    start, end, err, *crc = span
    import os
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, min(end - start, RAW_KEEP, max_line_bytes) if err else end - start, start)
    finally:
        os.close(fd)
    if crc and not err:
        import zlib
        if len(data) != end - start or zlib.crc32(data) != crc[0]:
            raise UserError(f"{path} changed while it was being imported (bytes {start:,}-{end:,} no longer match "
                            "their content hash); nothing of that part was imported. Import it again once it is "
                            "no longer being written")
    if err:
        return [(1, data, err)], 1
    lines = data.split(b"\n")
    last = lines.pop()  # b"" when the span ends with a newline, else a final line without one
    lines = [raw + b"\n" for raw in lines] + ([last] if last else [])
    out = []
    for n, raw in enumerate(lines, 1):
        if _over_limit(len(raw), raw.endswith(b"\n"), max_line_bytes):
            out.append((n, raw[:min(RAW_KEEP, max_line_bytes)], _too_long(len(raw), max_line_bytes)))
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


def read_jsonl(path: Path, encoding: str, max_line_bytes: int, progress=None, fallback: bool = True) -> Iterator[Record]:
    """Records of a JSON Lines file; a malformed line becomes an error record, the rest still import."""
    for n, line, err in jsonl_lines(path, encoding, max_line_bytes, progress, fallback):
        yield jsonl_record(n, line, err, fallback)


def jsonl_lines(path: Path, encoding: str, max_line_bytes: int, progress=None,
                fallback: bool = True) -> Iterator[tuple[int, str | bytes | None, str | None]]:
    """A JSONL file's lines, not parsed yet: (line number, line, error). `jsonl_record` parses one; a big import
    does that in worker processes."""
    # orjson parses UTF-8 bytes directly (validating them), which saves decoding every line of a big file.
    return iter_lines(path, encoding, max_line_bytes, progress, decode=encoding not in ("utf-8", "utf-8-sig"),
                      fallback=fallback)


def jsonl_record(n: int, line: str | bytes | None, err: str | None, fallback: bool = True) -> Record:
    """One JSONL line as a record: its object, or the most specific reason why it is not one. `fallback`: a UTF-8
    line that does not decode may be GBK (`decode_line`)."""
    if not err:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return Record(n, value)
    return _bad_line(n, line, err, fallback)


def _bad_line(n: int, line: str | bytes | None, err: str | None, fallback: bool = True) -> Record:
    """The record for a JSONL line that did not parse into an object, with the most specific reason."""
    if err:
        return Record(n, None, err, escaped(line))
    raw = line
    if isinstance(line, bytes):  # tell bad text apart from bad JSON
        line, err = decode_line(line, "utf-8", fallback)
        if err:
            return Record(n, None, err, escaped(raw))
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        if "depth limit" in str(e) or "recursion" in str(e).lower():
            return Record(n, None, "record is nested too deeply to read (over 1,024 levels)", escaped(line))
        return Record(n, None, f"malformed JSON: {e}", escaped(line))
    if isinstance(value, dict):
        return Record(n, value, raw=None)
    return Record(n, None, f"each line must be a JSON object, got {type(value).__name__}", escaped(line))


def read_json_array(path: Path, encoding: str, progress=None, fallback: bool = True) -> Iterator[Record]:
    """Records of a JSON array file (Alpaca / ShareGPT style), decoded incrementally.

    One bad record costs only itself: an undecodable byte quarantines the record holding it (the byte kept as
    \\xNN); a malformed record (a bracket or a quote missing, stray text) is cut where the next record of the
    file's own shape starts (`_Shape`), so the records after it still import; a record nested too deeply to parse
    is skipped to its closing bracket. `fallback`: in a GBK file, a record whose bytes are evidently UTF-8 (pasted
    in from elsewhere) is read as UTF-8, record by record, as JSONL lines and CSV fields are (`_utf8_record`)."""
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    utf8_records = fallback and enc in ("gb18030", "gbk")
    with open(path, "rb") as fb:
        if encoding == "utf-8-sig":
            fb.read(3)
        # surrogateescape turns a byte that does not decode into one marker character instead of an error
        b = _ArrayBuffer(fb, codecs.getincrementaldecoder(enc)(errors="surrogateescape"), progress)
        shape, n, line = _Shape(), 0, 1
        while True:
            line += b.skip_separators()
            if b.pos >= len(b.buf) or b.buf[b.pos] == "]":
                return
            value, end, problem = _next_value(b, shape)
            n += 1
            at = f"record {n} (line {line})"
            if end is None:
                yield Record(n, None, f"malformed JSON in {at}: the file ends inside it (is it cut off, or a bracket missing?)",
                             escaped(b.buf[b.pos:b.pos + RAW_KEEP]))
                return
            text = b.buf[b.pos:end]
            line += text.count("\n")
            b.pos = end
            text = text.rstrip(" \t\r\n,")
            fixed = _utf8_record(text, enc) if utf8_records and not text.isascii() else None
            if fixed is not None:
                (value, text), problem = fixed, None
            yield _array_record(n, at, value, text, problem, enc, shape)


def _utf8_record(text: str, enc: str) -> tuple[object, str] | None:
    """(value, text) of an array record of a GBK file whose bytes are evidently UTF-8 (`_sure_utf8`), parsed as
    UTF-8; None when they are not, or do not parse. GB18030 reads UTF-8 as mojibake rather than failing, and its
    trail bytes include `\\`, `[`, `]`, `{` and `}`: a swallowed backslash before a quote ends a string early, so
    the record reads as malformed; its bytes, given back exactly by re-encoding, parse as UTF-8."""
    raw = text.encode(enc, "surrogateescape")
    fixed = _sure_utf8(raw)
    if fixed is None:
        return None
    try:
        value, end = _DECODER.raw_decode(fixed)
    except (json.JSONDecodeError, _RepeatedKey, RecursionError):
        return None
    return (value, fixed) if not fixed[end:].strip() else None


def _array_record(n: int, at: str, value, text: str, problem, enc: str, shape: "_Shape") -> Record:
    """One element of a JSON array as a record, or the most specific reason it is not one."""
    if isinstance(problem, RecursionError):
        return Record(n, None, f"{at} is nested too deeply to read (about 1,000 levels or more)", escaped(text))
    if problem is not None:
        return Record(n, None, f"malformed JSON in {at}: {problem}", escaped(text))
    bad = _SURROGATE.search(text)
    if bad:
        return Record(n, None, f"{at} is not valid {enc} text (byte 0x{ord(bad.group()) - 0xdc00:02x}); re-save the "
                               "file as UTF-8 or pass --encoding", escaped(text))
    if not isinstance(value, dict):
        return Record(n, None, f"record {n} must be a JSON object, got {type(value).__name__}", escaped(text))
    shape.learn(value)
    return Record(n, value)


class _ArrayBuffer:
    """The decoded text of a JSON array file read so far, from `pos` on; `refill` appends the next chunk."""

    def __init__(self, fb, reader, progress):
        self.fb, self.reader, self.progress = fb, reader, progress
        self.buf, self.pos, self.eof, self.started = "", 0, False, False

    def refill(self) -> bool:
        """Read one more chunk (the text before `pos` is dropped, so positions shift); False at the end of file."""
        if self.eof:
            return False
        chunk = self.fb.read(_CHUNK)
        if self.progress:
            self.progress(len(chunk))
        self.buf, self.pos = self.buf[self.pos:] + self.reader.decode(chunk, final=not chunk), 0
        self.eof = not chunk
        return True

    def skip_separators(self) -> int:
        """Move past whitespace, commas and the opening bracket; returns the newlines skipped."""
        lines = 0
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n,[":
                if self.buf[self.pos] == "[":
                    if self.started:
                        break
                    self.started = True
                lines += self.buf[self.pos] == "\n"
                self.pos += 1
            if self.pos < len(self.buf) or not self.refill():
                return lines


class _Shape:
    """What the records of one file look like, learnt from its first good record: where a malformed record stops
    is the next object that has this shape (a nested message or tool call has not)."""

    def __init__(self):
        self.fmt: str | None = None
        self.keys: set | None = None

    def learn(self, value: dict) -> None:
        if self.keys is None:
            self.keys, self.fmt = set(value) - {"id"}, detect_format(value)

    def fits(self, value) -> bool:
        if not isinstance(value, dict):
            return False
        if self.keys is None:  # the first record is the broken one: only a known SFT format is a sure record
            return detect_format(value) is not None
        if self.fmt:
            return detect_format(value) == self.fmt
        shared = (set(value) - {"id"}) & self.keys  # a table-like record (question/answer): most of its keys
        return bool(shared) and 2 * len(shared) >= len(self.keys)


class _RepeatedKey(ValueError):
    """An object names a key twice: two records run together where a brace is missing ('{..."messages": [...],
    "messages": [...]}'), which the decoder would read as one record, silently keeping only the second value."""


def _no_repeated_keys(pairs: list) -> dict:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _RepeatedKey(f"the key {key!r} appears twice in one object (two records run together where a "
                           "bracket is missing?)")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_no_repeated_keys)
_MORE = -1  # the answer is past the end of the buffer: read more
_NEXT_OBJECT = re.compile(r",\s*\{")
_SPACE = re.compile(r"\s*")


def _next_value(b: _ArrayBuffer, shape: _Shape) -> tuple[object, int | None, Exception | str | None]:
    """(value, end, problem) for the array element at `b.pos`: where it ends (None: the file ends inside it) and
    why it is not a value when it is not (the decoder's error, or text after it that cannot follow a record)."""
    while True:
        try:
            value, end = _DECODER.raw_decode(b.buf, b.pos)
            if end < len(b.buf) and b.buf[end] in ",]":  # the common case, without a regex
                return value, end, None
            follow = _SPACE.match(b.buf, end).end()
            if follow < len(b.buf) and b.buf[follow] not in ",]":
                problem = f"unexpected {b.buf[follow]!r} after a complete value (a bracket or quote missing?)"
                end = _resync(b, shape)
            elif follow >= len(b.buf) and not b.eof:
                end = _MORE  # what follows decides whether the value is whole
            else:
                return value, end, None
        except RecursionError as e:  # any depth: find the end by matching brackets
            value, problem, end = None, e, _value_end(b.buf, b.pos)
            end = _MORE if end is None and not b.eof else end
        except _RepeatedKey as e:  # its brackets match: the record ends where they close (maybe past the buffer)
            value, problem, end = None, str(e), _value_end(b.buf, b.pos)
            end = _MORE if end is None and not b.eof else end
        except json.JSONDecodeError as e:
            value, problem = None, e.msg
            end = _MORE if e.pos >= len(b.buf) - 1 and not b.eof else _resync(b, shape)
        if end != _MORE:
            return value, end, problem
        if not b.refill():
            return value, None, problem


def _resync(b: _ArrayBuffer, shape: _Shape) -> int | None:
    """Where a malformed element starting at `b.pos` ends: at its closing bracket when the next record follows
    it there, else where the next record of the file's shape starts (a bracket missing mid-record)."""
    close = _value_end(b.buf, b.pos) if b.buf[b.pos] in "[{" else None
    if close is not None:
        follow = _SPACE.match(b.buf, close).end()
        close = close if follow < len(b.buf) and b.buf[follow] in ",]" else None
    start = _next_record(b, shape)
    if start is None or start == _MORE:
        return close if close is not None or start is None else _MORE
    return start if close is None else min(start, close)


def _next_record(b: _ArrayBuffer, shape: _Shape) -> int | None:
    """The position of the next object after `b.pos` that follows a comma, parses whole, is followed by `,` or
    `]` and fits the file's shape; _MORE when the buffer ends first, None at the end of the file."""
    for m in _NEXT_OBJECT.finditer(b.buf, b.pos + 1):
        at = m.end() - 1
        try:
            value, end = _DECODER.raw_decode(b.buf, at)
        except json.JSONDecodeError as e:
            if e.pos >= len(b.buf) - 1 and not b.eof:
                return _MORE
            continue
        except (RecursionError, _RepeatedKey):
            continue
        follow = _SPACE.match(b.buf, end).end()
        if follow >= len(b.buf) and not b.eof:
            return _MORE
        if (follow >= len(b.buf) or b.buf[follow] in ",]") and shape.fits(value):
            return at
    return None if b.eof else _MORE


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def _value_end(buf: str, pos: int) -> int | None:
    """Where the JSON value starting at `pos` ends, by matching brackets outside strings (no recursion, so any
    depth); for a bad value that is no object or array, the next separator. None: the buffer ends first."""
    if buf[pos] not in "[{":
        m = re.compile(r"[,\]\n]").search(buf, pos)
        return m.start() if m else None
    depth = 0
    for m in _TOKEN.finditer(buf, pos):
        c = m.group()[0]
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def read_csv(path: Path, encoding: str, progress=None, fallback: bool = True) -> Iterator[Record]:
    """Rows of a CSV file as records keyed by the header; line numbers count the header as line 1.

    polars parses a UTF-8 file at once (2-3x the csv module's speed, benchmarks/table_readers.py). A file it cannot
    take as is (another encoding, a row with more fields than the header, repeated column names) is read row by row
    with the csv module, so each bad row gets its own error and the good ones still import."""
    rows = _polars_csv(path) if encoding in ("utf-8", "utf-8-sig") else None
    if rows is None:
        yield from _csv_module_rows(path, encoding, progress, fallback)
        return
    if progress:
        progress(path.stat().st_size)
    yield from rows


def _polars_csv(path: Path) -> list[Record] | None:
    """The csv module's records of a well-formed UTF-8 CSV file, parsed by polars; None where it must not be used."""
    import polars as pl
    try:
        # every column as text; an empty field is "" (as in the csv module), whatever a polars version's default
        df = pl.read_csv(path, infer_schema=False, raise_if_empty=False).fill_null("")
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


def _csv_module_rows(path: Path, encoding: str, progress=None, fallback: bool = True) -> Iterator[Record]:
    enc = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding
    # In a GBK file, a field pasted in as UTF-8 reads as mojibake, not as an error; the CSV structure survives it
    # (commas, quotes and newlines are below GB18030's trail bytes), and re-encoding gives the bytes back exactly.
    utf8_fields = fallback and enc in ("gb18030", "gbk")
    # surrogateescape: a row with a byte that does not decode is quarantined (the byte kept), not the file
    with open(path, encoding=enc, newline="", errors="surrogateescape") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames:
            return
        for row in reader:
            if progress:
                progress(sum(len(v or "") for v in row.values() if isinstance(v, str)))
            if None in row:
                yield Record(reader.line_num, None, f"row has {len(reader.fieldnames) + len(row[None])} fields, "
                                                    f"the header has {len(reader.fieldnames)}", escaped(str(row)))
                continue
            if utf8_fields:
                row = {k: _utf8_field(v, enc) for k, v in row.items()}
            if any(isinstance(v, str) and _SURROGATE.search(v) for v in row.values()):
                yield Record(reader.line_num, None, f"row is not valid {enc} text; re-save the file as UTF-8 or "
                                                    "pass --encoding", escaped(str(row)))
                continue
            yield Record(reader.line_num, dict(row))


def _utf8_field(value, enc: str):
    """A CSV field of a GBK file as UTF-8 text when its bytes are evidently UTF-8 (`_sure_utf8`)."""
    if not isinstance(value, str) or value.isascii():
        return value
    fixed = _sure_utf8(value.encode(enc, "surrogateescape"))
    return value if fixed is None else fixed


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
            messages = number_tool_calls([clean_message(m, i) if isinstance(m, dict) else m
                                          for i, m in enumerate(messages, 1)])
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
    if task not in (None, "") and not isinstance(task, str):
        raise ValueError(f"{task_type_field} must be a string like 'reasoning/math', got {type(task).__name__}")
    split = value.get("split")
    if split not in (None, "", "train", "eval"):
        raise ValueError(f"split {split!r} must be train or eval")
    rid = value.get("id")
    if rid not in (None, "") and (not isinstance(rid, (str, int)) or isinstance(rid, bool)):
        raise ValueError(f"id must be a string or an integer, got {type(rid).__name__}")
    dataset = value.get("dataset")
    if dataset not in (None, "") and not isinstance(dataset, str):
        raise ValueError(f"dataset must be a string, got {type(dataset).__name__}")
    return Converted(messages=messages, tools=tools, id=None if rid in (None, "") else str(rid),
                     task_type=task or None, tags=_tags(value.get("tags")), split=split or None,
                     dataset=dataset or None)


def _tags(tags) -> list[str]:
    """A record's tags: a list of strings, or one comma-separated string. Anything else is refused, not guessed."""
    if tags in (None, "", []):
        return []
    if isinstance(tags, str):
        return [t.strip() for t in tags.split(",") if t.strip()]
    if not isinstance(tags, list):
        raise ValueError(f"tags must be a list of strings, got {type(tags).__name__}")
    wrong = next((t for t in tags if not isinstance(t, str)), None)
    if wrong is not None:
        raise ValueError(f"tags must be strings, got {type(wrong).__name__} {str(wrong)[:40]!r}")
    return tags


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
                 parse_jsonl: bool = True, fallback: bool = True) -> tuple[str, Iterator]:
    """Open a file and return (container, record iterator).

    With `parse_jsonl=False` a JSONL file yields its `jsonl_lines` instead, for the caller to parse. `fallback`
    (the encoding was detected, not named by the user): a line or CSV field may be read in the other common
    encoding (`decode_line`, `_sure_utf8`)."""
    container = "parquet" if fmt == "parquet" else "csv" if fmt == "csv" else detect_container(path, encoding)
    if container == "parquet":
        return container, read_parquet(path, progress)
    if container == "csv":
        return container, read_csv(path, encoding, progress, fallback)
    if container == "json":
        return container, read_json_array(path, encoding, progress, fallback)
    if not parse_jsonl:
        return container, jsonl_lines(path, encoding, max_line_bytes, progress, fallback)
    return container, read_jsonl(path, encoding, max_line_bytes, progress, fallback)


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

