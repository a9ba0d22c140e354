"""Property tests (hypothesis): random valid samples survive import -> export unchanged, and random invalid ones
all land in the quarantine, none in the store."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from curation.export import ExportSettings, export_selection
from curation.ingest import IngestSettings, ingest
from curation.store import Store

# Text as people write it: Latin, CJK, digits, punctuation, emoji, newlines; never blank.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn", "Cc")) | st.sampled_from("\n\t"),
               min_size=1, max_size=40).filter(lambda t: t.strip())
TAG = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn", "Cc")), min_size=1, max_size=12)


@st.composite
def valid_sample(draw, i: int = 0) -> dict:
    turns = [{"role": "system", "content": draw(TEXT)}] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 3))):
        turns += [{"role": "user", "content": draw(TEXT)}, {"role": "assistant", "content": draw(TEXT)}]
    rec = {"messages": turns, "tags": draw(st.lists(TAG, max_size=3, unique=True))}
    if draw(st.booleans()):
        rec["task_type"] = "reasoning/math"
    return rec


def _broken(rec: dict, how: str):
    msgs = rec["messages"]
    if how == "empty answer":
        msgs[-1]["content"] = "   "
    elif how == "unknown role":
        msgs[-1]["role"] = "bot"
    elif how == "no answer":
        rec["messages"] = msgs[:-1]
    elif how == "content not text":
        msgs[-1]["content"] = 42
    elif how == "tags as a dict":
        rec["tags"] = {"a": 1}
    elif how == "tool call without arguments":
        msgs.insert(-1, {"role": "assistant", "content": "", "tool_calls": [{"id": "c", "type": "function",
                                                                            "function": {"name": "f"}}]})
        msgs.insert(-1, {"role": "tool", "tool_call_id": "c", "content": "{}"})
    elif how == "two system turns":
        msgs.insert(0, {"role": "system", "content": "s"})
        msgs.insert(0, {"role": "system", "content": "s"})
    elif how == "not an object":
        return msgs[-1]["content"]  # a JSON string (a line starting with "[" would make the file a JSON array)
    return rec


BREAKS = ["empty answer", "unknown role", "no answer", "content not text", "tags as a dict",
          "tool call without arguments", "two system turns", "not an object"]
QUICK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NO_EXTRAS = IngestSettings(run_checks=False, derive_stats=False)


@QUICK
@given(st.lists(valid_sample(), min_size=1, max_size=8))
def test_valid_samples_round_trip_through_import_and_export(samples):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        records = [{"id": f"p{i}", **s} for i, s in enumerate(samples)]
        src = tmp / "in.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        with Store(tmp / "s.duckdb") as store:
            rep = ingest(store, [src], NO_EXTRAS)
            assert (rep.imported, rep.rejected) == (len(records), 0), rep.errors
            export_selection(store, tmp / "out", None, ExportSettings(eval_fraction=0.0))
        out = [json.loads(line) for line in (tmp / "out" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
        got = {r["id"]: r for r in out}
        for r in records:
            assert got[r["id"]]["messages"] == r["messages"]
            assert sorted(got[r["id"]]["tags"]) == sorted(r["tags"])
            assert got[r["id"]]["task_type"] == r.get("task_type")


@QUICK
@given(st.lists(st.tuples(valid_sample(), st.sampled_from(BREAKS)), min_size=1, max_size=8))
def test_invalid_samples_all_go_to_quarantine(broken):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "bad.jsonl"
        src.write_text("".join(json.dumps(_broken(rec, how), ensure_ascii=False) + "\n" for rec, how in broken),
                       encoding="utf-8")
        with Store(tmp / "s.duckdb") as store:
            rep = ingest(store, [src], NO_EXTRAS)
            assert rep.imported == 0 and store.samples.count() == 0
            rows = store.quarantine.list()
            if all(how == "not an object" for _, how in broken):  # no line is a JSON object: not a JSONL file
                assert rep.rejected == len(rows) == 1 and rows[0]["line"] is None
                return
            assert rep.rejected == len(rows) == len(broken)
            assert sorted(r["line"] for r in rows) == list(range(1, len(broken) + 1))
