"""Shared fixtures: a temporary store, tiny data, the shared corpora, and an app store for AppTest (the helpers
they use are in tests/helpers.py, which tests import directly)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation.store import Store
from tests.helpers import ROOT, tiny_records, write_jsonl

CORPORA = ROOT.parent / "shared" / "corpora"


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


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """A store holding sample_data, imported once per test session (demo_app_env copies it)."""
    from pages._common import ensure_demo_data
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as s:
        ensure_demo_data(s)
    return path


@pytest.fixture
def demo_app_env(app_env, demo_db_file):
    """app_env whose store already holds the sample data, as the app's first start leaves it: pages that only
    read the demo data start from a copy instead of importing it again."""
    shutil.copy(demo_db_file, app_env)
    return app_env


@pytest.fixture(scope="session")
def tiny_chat_model():
    """The `tiny` preset loaded once per session as a ChatModel (what `curation serve --base-model tiny` serves)."""
    from training.serve import ChatModel
    return ChatModel("tiny", device="cpu")


@pytest.fixture(scope="session")
def tiny_server(tiny_chat_model):
    """`curation serve` on the tiny preset, on a free 127.0.0.1 port in a background thread, for the session:
    tests reach it over real HTTP at `tiny_server.base_url` with the model name "tiny"."""
    from training.serve import ServeSettings, start_server
    server = start_server(ServeSettings(base_model="tiny", port=0), model=tiny_chat_model, log=lambda msg: None)
    server.start()
    yield server
    server.stop()
