"""One rule for a sample's derived columns (issue 14 item 4): import, edit, export and re-import, and a generated
robustness variant all store `derived_fields(sample)`, whatever path the sample took."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.export import ExportSettings, export_selection
from curation.ingest import IngestSettings, ingest
from curation.store import DERIVED_COLUMNS, Store, derived_fields
from tests.helpers import write_jsonl

# Chinese, English, digits, quotes, backslashes and line breaks: what moves the language and length rules.
_TEXT = st.text(alphabet=st.sampled_from(list("ab cdE xyz 你好世界中文翻译 \"'\\\n\t.,!?：0129")), min_size=1,
                max_size=30).filter(lambda t: t.strip())
_TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "find", "parameters": {}}}]


@st.composite
def conversations(draw) -> dict:
    """A valid sample: optional system prompt, 1-3 user/assistant pairs, maybe a tool call round and a tool list."""
    msgs = [{"role": "system", "content": draw(_TEXT)}] if draw(st.booleans()) else []
    for i in range(draw(st.integers(1, 3))):
        msgs.append({"role": "user", "content": draw(_TEXT)})
        if draw(st.integers(0, 3)) == 0:
            call = f"call_{i}"
            msgs += [{"role": "assistant", "content": "", "tool_calls": [
                        {"id": call, "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]},
                     {"role": "tool", "tool_call_id": call, "content": draw(_TEXT)}]
        msgs.append({"role": "assistant", "content": draw(_TEXT)})
    out = {"messages": msgs}
    if draw(st.booleans()):
        out["tools"] = _TOOLS
    return out


def _derived(s: dict) -> dict:
    return {k: s[k] for k in DERIVED_COLUMNS}


def _import(store: Store, folder: Path, name: str, records: list[dict]) -> None:
    path = write_jsonl(folder / f"{name}.jsonl", records)
    report = ingest(store, [path], IngestSettings(dataset="p", run_checks=False, derive_stats=False, workers=0))
    assert report.imported == len(records), report.errors


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conversations(), min_size=1, max_size=6), st.lists(conversations(), min_size=1, max_size=6))
def test_derived_fields_identical_on_every_path(first, edits):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # the same shapes twice over: a repeated role order takes the import's one-pass path for plain turns
        records = [{"id": f"s{i}", **c} for i, c in enumerate(first + first)]
        with Store(tmp / "a.duckdb") as a:
            _import(a, tmp, "first", records)
            for s in a.samples.list():
                assert _derived(s) == derived_fields(s), ("import", s["id"])
            # edit: new content for each sample (a revision derives its columns again)
            for i, s in enumerate(a.samples.list()):
                new = edits[i % len(edits)]
                a.samples.update(s["id"], {"messages": new["messages"], "tools": new.get("tools")}, "tester")
            edited = {s["id"]: s for s in a.samples.list()}
            for s in edited.values():
                assert _derived(s) == derived_fields(s), ("edit", s["id"])
            # export, then import the exported files into a fresh store: the same derived columns
            out = tmp / "export"
            export_selection(a, out, settings=ExportSettings(eval_fraction=0.0))
            # a robustness variant of each edited sample, stored as generation stores it
            from curation.robustness.tagging import _sample_row
            a.samples.add_rows([_sample_row({**s, "id": f"v_{s['id']}", "parent_id": s["id"], "perturbation": "typo",
                                             "tags": ["robustness:typo"]}) for s in edited.values()])
            variants = {s["parent_id"]: s for s in a.samples.list() if s["parent_id"]}
        with Store(tmp / "b.duckdb") as b:
            ingest(b, [out / "train.jsonl"], IngestSettings(run_checks=False, derive_stats=False, workers=0))
            again = {s["id"]: s for s in b.samples.list()}
    assert again.keys() == edited.keys() == variants.keys()
    for sid, s in edited.items():
        assert _derived(again[sid]) == _derived(s), ("export -> import", sid)
        assert _derived(variants[sid]) == _derived(s), ("robustness variant", sid)
