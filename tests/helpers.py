"""Helpers the tests share (imported as `from tests.helpers import ...`; fixtures stay in conftest.py)."""
from __future__ import annotations

import json
from pathlib import Path

from curation import cli

ROOT = Path(__file__).resolve().parents[1]


def only_commands(monkeypatch, *modules) -> None:
    """Build the `curation` parser with the core commands and only these command modules (e.g.
    `curation.cli.dedup`), so other features' commands cannot break a feature's CLI tests."""
    monkeypatch.setattr(cli, "EXTENSIONS", modules)
    monkeypatch.setattr(cli, "plugin_commands", lambda: [])


def tiny_records() -> list[dict]:
    """A handful of valid samples in the canonical messages format, zh and en, one of them multi-turn."""
    return [
        {"id": "t1", "task_type": "reasoning/math",
         "messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "2 + 3 = 5."}]},
        {"id": "t2", "task_type": "translation/zh→en",
         "messages": [{"role": "system", "content": "你是翻译助手。"},
                      {"role": "user", "content": "把下面的中文翻译成英文：你好"},
                      {"role": "assistant", "content": "Hello"}]},
        {"id": "t3", "task_type": "multi-turn chat/open chat",
         "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
                      {"role": "user", "content": "Tell me a joke."},
                      {"role": "assistant", "content": "Why did the chicken cross the road? To get to the other side."}]},
        {"id": "t4", "task_type": "agent/function call",
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
         "messages": [{"role": "user", "content": "北京天气怎么样？"},
                      {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"city\": \"北京\"}"}}]},
                      {"role": "tool", "tool_call_id": "call_0", "content": "{\"temp\": 3}"},
                      {"role": "assistant", "content": "北京现在3度。"}]},
        {"id": "t5", "messages": [{"role": "user", "content": "没有类型的样本"},
                                  {"role": "assistant", "content": "这个样本没有 task_type。"}]},
    ]


def write_jsonl(path: Path, records: list, encoding: str = "utf-8") -> Path:
    """Write records (dicts, or raw strings written as-is) one per line."""
    with open(path, "w", encoding=encoding) as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


def crash_post_import_checks(db: Path, tmp_path: Path, monkeypatch) -> None:
    """An import into `db` whose post-import checks crash (as if the importer were killed during them): 20
    samples that a check would flag, imported, with their checks left pending and no flag written."""
    import pytest

    import curation.checks as checks
    from curation.ingest import IngestSettings, ingest
    from curation.store import Store

    recs = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "I'm sorry, "
             "but as an AI language model I cannot help with that."}]} for i in range(20)]
    path = write_jsonl(tmp_path / "crash.jsonl", recs)

    def crash(*a, **kw):
        raise RuntimeError("killed")
    with monkeypatch.context() as m:
        m.setattr(checks, "flag_ingest", crash)
        with Store(db) as store, pytest.raises(RuntimeError):
            ingest(store, [path], IngestSettings(derive_stats=False))
    with Store(db) as store:
        assert store.ingests.checks_pending() == [1] and store.flags.counts() == []


def load_benchmark(name: str):
    """A benchmarks/ script as a module (they are scripts, not a package), so tests measure what it measures."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# Work units for the executor tests (tests/test_engines.py): module-level, so Ray workers can import them.
def worker_pid(_unit) -> int:
    """The process id of the worker that ran a unit."""
    import os
    return os.getpid()


def die_once(x: int, mark: str) -> int:
    """x * 10, but the first attempt at x == 3 kills its worker process mid-unit (`mark` records that it did)."""
    import os
    if x == 3 and not os.path.exists(mark):
        Path(mark).write_text("died")
        os._exit(1)
    return x * 10


def always_die(_unit) -> int:
    """Kills its worker process, every time."""
    import os
    os._exit(1)
