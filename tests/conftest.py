"""Shared fixtures: a temporary store, tiny data, the shared corpora, and an app store for AppTest."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from curation.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def store(tmp_path):
    """A fresh store in a temporary file."""
    s = Store(tmp_path / "test.duckdb")
    yield s
    s.close()


@pytest.fixture
def corpora_dir() -> Path:
    """../shared/corpora beside the checkout; tests using it skip when it is absent."""
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not present")
    return CORPORA


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


@pytest.fixture
def tiny_file(tmp_path) -> Path:
    """tiny_records() as a messages JSONL file."""
    return write_jsonl(tmp_path / "tiny.jsonl", tiny_records())


@pytest.fixture
def loaded_store(store, tiny_file):
    """A store holding tiny_records() as dataset "tiny"."""
    from curation.ingest import IngestSettings, ingest
    ingest(store, [tiny_file], IngestSettings(dataset="tiny"))
    return store


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Point the app at a fresh store file (it loads sample_data on first use) and reset Streamlit's caches."""
    import streamlit as st
    db = tmp_path / "app.duckdb"
    monkeypatch.setenv("CURATION_DB", str(db))
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield db
    st.cache_resource.clear()
    st.cache_data.clear()
