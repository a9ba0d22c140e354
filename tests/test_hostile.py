"""Hostile files, generated procedurally: encodings, truncations, nesting, huge lines, bad tool calls, binary.

For every file the import keeps its promise: each record is either imported (or found already present) or in
quarantine, so imported + already present + quarantined = the records in the file; and the store stays usable
(the samples are there, the quarantine reads back, a clean file still imports).
"""
from __future__ import annotations

import json
import random

import pytest

from curation.ingest import IngestSettings, ingest

WORDS_EN = "the model answers each question with care and a short proof of its result".split()
WORDS_ZH = list("模型认真回答每个问题并给出简短的证明和结果")


def valid_record(rng: random.Random, i: int) -> dict:
    words = WORDS_ZH if rng.random() < 0.5 else WORDS_EN
    sep = "" if words is WORDS_ZH else " "
    say = lambda n: sep.join(rng.choice(words) for _ in range(n))  # noqa: E731
    return {"messages": [{"role": "user", "content": f"{i}: {say(rng.randint(3, 12))}"},
                         {"role": "assistant", "content": say(rng.randint(3, 30))}]}


def bad_tool_record(rng: random.Random) -> dict:
    call = rng.choice([
        "f()", {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}},
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}},
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": 3}},
        {"id": "c", "type": "function"}, {"id": "c", "type": "function", "function": {"arguments": "{}"}}])
    result = "c" if not isinstance(call, str) else "x"
    if rng.random() < 0.2:
        call, result = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}, "nope"
    return {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "", "tool_calls": [call]},
                         {"role": "tool", "tool_call_id": result, "content": "{}"},
                         {"role": "assistant", "content": "a"}]}


def lines_of(rng, n, offset=0) -> list[bytes]:
    return [json.dumps(valid_record(rng, offset + i), ensure_ascii=False).encode() for i in range(n)]


def _jsonl(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def _array(items: list[bytes]) -> bytes:
    return b"[\n" + b",\n".join(items) + b"\n]\n"


# Each case: (file name, bytes, records in the file, valid records among them), from a seeded generator.
def case_encoding(rng, codec):
    text = "\n".join(line.decode() for line in lines_of(rng, 60)) + "\n"
    return "enc.jsonl", text.encode(codec), 60, 60  # utf-16: with a BOM; utf-16-le: without one


def case_stray_bytes(rng, codec):
    lines = [line.decode().encode(codec) for line in lines_of(rng, 80)]
    bad = rng.sample(range(80), 3)
    for i in bad:
        at = len(lines[i]) // 2
        lines[i] = lines[i][:at] + b"\xff" + lines[i][at:]
    return "stray.jsonl", _jsonl(lines), 80, 77


def case_truncated_jsonl(rng, _):
    lines = lines_of(rng, 40)
    return "cut.jsonl", _jsonl(lines)[:-25], 40, 39


def case_truncated_array(rng, _):
    return "cut.json", _array(lines_of(rng, 40))[:-30], 40, 39


def case_broken_array_records(rng, indent):
    """Records of a JSON array with a bracket, a brace or a quote missing, or a stray one: each costs only itself."""
    texts = [json.dumps(valid_record(rng, i), ensure_ascii=False, indent=indent) for i in range(60)]
    damage = [lambda t: t.rstrip()[:-1], lambda t: t.lstrip()[1:], lambda t: t.replace("]", "", 1),
              lambda t: t.replace('"', "", 1), lambda t: t + "}", lambda t: t.replace("}", "", 1)]
    # never two neighbours: a record without its closing brace before one without its opening brace reads as one
    # object (quarantined whole: tests/test_import_hardening.py), so the file's record count is not one per record
    for i in rng.sample(range(0, 60, 2), 5):
        texts[i] = rng.choice(damage)(texts[i])
    return "broken.json", _array([t.encode() for t in texts]), 60, 55


def case_nested(rng, container):
    depth = rng.choice([1_100, 5_000, 20_000])
    deep = b'{"messages": ' + b"[" * depth + b"]" * depth + b"}"
    items = lines_of(rng, 30)
    for at in sorted(rng.sample(range(30), 2), reverse=True):
        items.insert(at, deep)
    return (("deep.json", _array(items)) if container == "json" else ("deep.jsonl", _jsonl(items))) + (32, 30)


def case_huge_lines(rng, _):
    items = lines_of(rng, 30)
    for at in sorted(rng.sample(range(30), 3), reverse=True):
        items.insert(at, json.dumps({"messages": [{"role": "user", "content": "x" * 30_000},
                                                  {"role": "assistant", "content": "y"}]}).encode())
    return "huge.jsonl", _jsonl(items), 33, 30


def case_bad_tool_calls(rng, container):
    items = lines_of(rng, 40)
    for at in sorted(rng.sample(range(40), 10), reverse=True):
        items.insert(at, json.dumps(bad_tool_record(rng)).encode())
    return (("tools.json", _array(items)) if container == "json" else ("tools.jsonl", _jsonl(items))) + (50, 40)


def case_binary(rng, kind):
    body = bytes(rng.randrange(256) for _ in range(20_000))
    if kind == "png":
        return "photo.jsonl", b"\x89PNG\r\n\x1a\n" + body, 1, 0
    if kind == "zip":
        return "data.json", b"PK\x03\x04" + body, 1, 0
    return "noise.jsonl", body.replace(b"\n", b" ") + b"\n" + body, 1, 0  # NUL bytes somewhere


def case_text_not_json(rng, _):
    text = "\n".join(" ".join(rng.choice(WORDS_EN) for _ in range(8)) for _ in range(200))
    return "notes.jsonl", text.encode(), 1, 0


CASES = [(case_encoding, c) for c in ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le")] + \
        [(case_stray_bytes, c) for c in ("utf-8", "gbk")] + \
        [(case_truncated_jsonl, None), (case_truncated_array, None)] + \
        [(case_broken_array_records, i) for i in (None, 2)] + \
        [(case_nested, c) for c in ("json", "jsonl")] + [(case_huge_lines, None)] + \
        [(case_bad_tool_calls, c) for c in ("json", "jsonl")] + \
        [(case_binary, k) for k in ("png", "zip", "noise")] + [(case_text_not_json, None)]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("make, arg", CASES, ids=[f"{m.__name__[5:]}-{a}" for m, a in CASES])
def test_every_record_is_imported_or_quarantined(store, tmp_path, make, arg, seed):
    rng = random.Random(f"{make.__name__}{arg}{seed}")
    name, data, n_records, n_valid = make(rng, arg)
    path = tmp_path / name
    path.write_bytes(data)
    settings = IngestSettings(run_checks=False, derive_stats=False, max_line_mb=0.02)
    rep = ingest(store, [path], settings)
    assert rep.imported + rep.already_present + rep.rejected == n_records, rep.errors[:5]
    assert rep.imported == n_valid
    quarantined = store.quarantine.list()
    assert len(quarantined) == rep.rejected and all(q["reason"] for q in quarantined)
    assert all(q["raw"] for q in quarantined), "a quarantined record keeps its text (escaped)"
    # the store is still usable: the samples read back, and a clean file still imports
    assert store.samples.count() == rep.imported
    assert all(s["messages"][-1]["role"] == "assistant" for s in store.samples.list())
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(_jsonl(lines_of(random.Random(99), 5, offset=10_000)))
    assert ingest(store, [clean], settings).imported == 5
    again = ingest(store, [path], settings)  # importing the hostile file again adds nothing, twice nothing
    assert again.imported == 0 and len(store.quarantine.list()) == rep.rejected
