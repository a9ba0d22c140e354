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
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dump(store, report):
    samples = store.query_samples(columns=("id", "dataset", "messages", "task_l1", "task_l2", "language",
                                           "content_hash", "source", "n_turns", "prompt_chars", "answer_chars"),
                                  order="id")
    quarantine = [(q["line"], q["reason"], q["raw"]) for q in store.quarantine()]
    kept = {k: v for k, v in report.to_dict().items() if k != "settings"}
    return samples, quarantine, kept


@pytest.mark.parametrize("batch_size", [20_000, 333])
def test_worker_processes_import_exactly_what_one_process_does(tmp_path, batch_size):
    from curation.store import Store
    path = _file(tmp_path)
    results = []
    for workers in (0, 2):
        with Store(tmp_path / f"w{workers}_{batch_size}.duckdb") as store:
            settings = IngestSettings(workers=workers, parallel_min_mb=0, batch_size=batch_size, run_checks=False)
            report = ingest(store, [path], settings)
            again = ingest(store, [path], settings)  # re-import: nothing new, the same rejects
            results.append((_dump(store, report), again.imported, again.already_present))
    assert results[0] == results[1]
    (samples, quarantine, report), again_imported, again_present = results[0]
    assert report["imported"] == len(samples) and again_imported == 0 and again_present == len(samples)
    assert report["rejected"] == len(quarantine) // 2 > 0
