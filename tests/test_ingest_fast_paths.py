"""The import's fast paths give exactly what the plain code gives (benchmarks/ingest.py measures their speed)."""
import json
import random

import pytest

from curation.formats import read_jsonl
from curation.ingest import IngestSettings, ingest
from curation.messages import clean_message, validate_messages
from curation.text import detect_language, detect_languages

_ALPHABET = (list("aZ bq\n\t.,1é中文丽ＡＢ") + ["𠀀", "\ud800", "\u33ff", "\u3400", "\u4dbf", "\u4dc0", "\u4e00",
                                              "\u9fff", "\uf8ff", "\uf900", "\ufaff", "\ufb00"])


def test_detect_languages_agrees_with_detect_language():
    rng = random.Random(7)
    texts = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += ["", "a", "ab", "I am here", "中文 text", "ABC 中文中文中文中文中文中文中文中文中文中文", "x" * 5000]
    expected = [detect_language(t) for t in texts]
    assert set(expected) == {"zh", "en", "mixed", "other"}
    assert detect_languages(texts) == expected
    assert detect_languages(texts, chunk_chars=50) == expected  # many small vectorised passes
    assert detect_languages([]) == []


def test_validation_fast_path_keeps_every_rule():
    ok = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert validate_messages(ok) == [] and validate_messages(ok) == []  # the second call takes the fast path
    # same role order as a known-valid conversation, yet broken in ways the order does not show
    assert "empty content" in validate_messages([ok[0], {"role": "assistant", "content": " \n"}])[0]
    assert "content must be a string" in validate_messages([ok[0], {"role": "assistant", "content": 3}])[0]
    assert "must be an object" in validate_messages([ok[0], "a"])[0]
    calls = {"role": "assistant", "content": "a", "tool_calls": "nope"}
    assert "tool_calls must be a list" in validate_messages([ok[0], calls])[0]
    assert validate_messages([{"role": ["user"], "content": "q"}, ok[1]])  # unhashable role: no crash, invalid


def test_clean_message_reuses_plain_turns_and_cleans_the_rest():
    plain = {"role": "user", "content": "q"}
    assert clean_message(plain) is plain
    assert list(clean_message({"content": "q", "role": "user"})) == ["role", "content"]
    assert clean_message({"role": "user", "content": None}) == {"role": "user"}
    assert clean_message({"role": "user", "content": "q", "weight": 1}) == plain


def test_jsonl_bytes_path_reasons(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xff"}\n{oops\n[1]\n\n{"a": "\xe4\xb8\xad"}\n')
    records = list(read_jsonl(path, "utf-8", 1 << 20))
    assert [(r.line, r.value) for r in records if r.value] == [(1, {"a": 1}), (6, {"a": "中"})]
    reasons = {r.line: r.error for r in records if r.error}
    assert reasons[2].startswith("not valid utf-8 text (byte 0xff at column 8)")
    assert reasons[3].startswith("malformed JSON:")
    assert reasons[4] == "each line must be a JSON object, got list"


def _file(tmp_path):
    """A JSONL file with every kind of line the importer treats differently, in a few chunks' worth of lines."""
    lines = []
    for i in range(2600):
        msgs = [{"role": "user", "content": f"问题 {i % 700} question"}, {"role": "assistant", "content": "answer"}]
        rec = {"messages": msgs, "task_type": "reasoning/math" if i % 3 else "nosuch/type"}
        if i % 10 == 0:
            rec["id"] = f"r{i % 900}"  # repeats: duplicate ids within the file
        lines.append(json.dumps(rec, ensure_ascii=False))
        if i % 97 == 0:
            lines += ["{broken", "[1, 2]", "", json.dumps({"messages": msgs[:1]})]
        if i % 1000 == 500:  # a long line: over the limit in one of the tests below
            lines.append(json.dumps({"messages": [msgs[0], {"role": "assistant", "content": "长" * 3000}]}))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dump(store, report):
    samples = store.samples.list(columns=("id", "dataset", "messages", "task_l1", "task_l2", "language",
                                           "content_hash", "source", "n_turns", "prompt_chars", "answer_chars"),
                                  order="id")
    quarantine = [(q["line"], q["reason"], q["raw"]) for q in store.quarantine.list()]
    kept = {k: v for k, v in report.to_dict().items() if k != "settings"}
    return samples, quarantine, kept


@pytest.mark.parametrize("batch_size,block_bytes,max_line_mb", [(20_000, 4 << 20, 32), (333, 5000, 0.008)])
def test_worker_processes_import_exactly_what_one_process_does(tmp_path, monkeypatch, batch_size, block_bytes,
                                                                 max_line_mb):
    from curation.store import Store
    monkeypatch.setattr("curation.formats.BLOCK_BYTES", block_bytes)  # workers read the file in spans this size
    path = _file(tmp_path)
    results = []
    for workers in (0, 2):
        with Store(tmp_path / f"w{workers}_{batch_size}.duckdb") as store:
            settings = IngestSettings(workers=workers, parallel_min_mb=0, batch_size=batch_size, run_checks=False,
                                      max_line_mb=max_line_mb)
            report = ingest(store, [path], settings)
            again = ingest(store, [path], settings)  # re-import: nothing new, the same rejects
            results.append((_dump(store, report), again.imported, again.already_present))
    assert results[0] == results[1]
    (samples, quarantine, report), again_imported, again_present = results[0]
    assert report["imported"] == len(samples) and again_imported == 0 and again_present == len(samples)
    assert report["rejected"] == len(quarantine) > 0  # the re-import added no quarantine rows (issue 15.14)
    assert sum("line limit" in reason for _, reason, _ in quarantine) == (3 if max_line_mb < 1 else 0)


@pytest.mark.parametrize("block_bytes", [7, 64, 1000, 1 << 20])
@pytest.mark.parametrize("bom", [False, True])
def test_spans_hold_the_lines_the_line_reader_gives(tmp_path, block_bytes, bom):
    from curation.formats import iter_lines, jsonl_spans, span_lines
    body = (b'{"a": 1}\n\n  \n{"b": "\xe4\xb8\xad"}\r\n' + b'{"long": "' + b"x" * 300 + b'"}\n' + b"{oops\n"
            + b'{"c": 3}\n' + b"y" * 121 + b"\n" + b"z" * 120 + b"\n" + b'{"d": 4}')  # no final newline
    path = tmp_path / "b.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)
    expected = list(iter_lines(path, "utf-8-sig" if bom else "utf-8", 120, decode=False))
    assert [n for n, line, err in expected if err] == [5, 8]  # 121 bytes and more are over the limit; 120 is not
    for skip in (1, 2, 5, 9, 10):  # the importer reads the first record itself, so spans never hold line 1
        got, before = [], skip
        for span in jsonl_spans(path, 120, skip=skip, block_bytes=block_bytes):
            items, n_lines = span_lines(path, span, 120)
            got += [(n + before, line, err) for n, line, err in items]
            before += n_lines
        assert got == [e for e in expected if e[0] > skip]


def test_plain_records_take_a_shortcut_that_gives_the_general_result(tmp_path, monkeypatch):
    import orjson

    from curation import ingest as ing
    u, a, sy = ({"role": r, "content": c} for r, c in (("user", "问 q"), ("assistant", "答 a"), ("system", "sys")))
    records = [
        {"messages": [u, a]}, {"messages": [sy, u, a, u, a]}, {"messages": [u, a], "id": 0}, {"messages": [u, a], "id": ""},
        {"messages": [u, a], "task_type": ""}, {"messages": [u, a], "task_type": "reasoning / math"},
        {"messages": [u, a], "task_type": 7}, {"messages": [u, a], "dataset": 5}, {"messages": [u, a], "dataset": "d"},
        {"messages": [u, a], "tags": "x, y"}, {"messages": [u, a], "tags": [1, "b"]}, {"messages": [u, a], "tags": []},
        {"messages": [u, a], "tags": ["robustness:typo"]}, {"messages": [u, a], "tags": {"k": 1}},
        {"messages": [u, a], "split": "eval"}, {"messages": [u, a], "split": ""}, {"messages": [u, a], "split": "dev"},
        {"messages": [u, a], "tools": []}, {"messages": [u, a], "tools": ""},
        {"messages": [u, a], "tools": [{"name": "f", "parameters": {}}]},
        {"messages": [{"content": "q", "role": "user"}, a]}, {"messages": [{**u, "name": "n"}, a]},
        {"messages": [u, {"role": "assistant", "content": " "}]}, {"messages": [u, {"role": "assistant", "content": None}]},
        {"messages": [a, u]}, {"messages": [u, u, a]}, {"messages": [u]}, {"messages": "no"},
        {"conversations": [u, a]}, {"messages": [u, a], "conversations": [u]},
    ]
    lines = [(n, orjson.dumps(r), None) for n, r in enumerate(records * 2, 1)]  # twice: role orders are known
    path = tmp_path / "p.jsonl"
    for settings in (ing.IngestSettings(), ing.IngestSettings(task_type="a/b", dataset="fixed"),
                     ing.IngestSettings(task_type_field="")):
        fast = ing._prepare_chunk(lines, "messages", None, settings, path)
        with monkeypatch.context() as m:
            m.setattr(ing, "_plain_row", lambda *args: None)
            slow = ing._prepare_chunk(lines, "messages", None, settings, path)
        assert fast[0].equals(slow[0]) and fast[1] == slow[1]
        assert 0 < len(fast[1]) < fast[0].num_rows


@pytest.mark.parametrize("chunk", [1, 2, 2000])
def test_repeated_contents_get_ids_by_occurrence_across_chunks(tmp_path, monkeypatch, chunk):
    from curation import ingest as ing
    from curation.messages import content_hash
    from curation.store import Store
    monkeypatch.setattr(ing, "_CHUNK_RECORDS", chunk)
    convs = {k: [{"role": "user", "content": f"q{k}"}, {"role": "assistant", "content": f"a{k}"}] for k in "ABC"}
    order = "ABACAB"
    path = tmp_path / "rep.jsonl"
    rows = [{"messages": convs[k]} for k in order]
    rows.insert(3, {"id": "own", "messages": convs["A"]})  # an own id: not an occurrence of A's derived ids
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    seen: dict = {}
    expected = []
    for k in order:
        expected.append(ing.derived_id("rep", content_hash(convs[k]), seen.get(k, 0)))
        seen[k] = seen.get(k, 0) + 1
    with Store(tmp_path / "s.duckdb") as store:
        ingest(store, [path], IngestSettings(run_checks=False))
        got = [s["id"] for s in store.samples.list(columns=("id",))]
    assert sorted(got) == sorted(expected + ["own"]) and len(set(got)) == 7
