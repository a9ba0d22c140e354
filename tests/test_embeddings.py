"""Embedding cache: keyed by (model, content hash), incremental, resumable, with progress; offline model loading."""
from __future__ import annotations


import numpy as np
import pytest

import curation.embeddings as emb
from curation.embeddings import (DEFAULT_MODEL, EmbeddingSettings, cached_count, embed_texts, is_english_only,
                                 language_warning, model_id, start_job, text_hash)
from curation.errors import UserError


class FakeEncoder:
    """Deterministic vectors from the text; counts calls and can fail on a given call (an interrupted run)."""

    def __init__(self, fail_on_call: int | None = None):
        self.calls, self.texts, self.fail_on_call = 0, [], fail_on_call

    def __call__(self, texts, settings=None):
        self.calls += 1
        if self.fail_on_call == self.calls:
            raise RuntimeError("killed")
        self.texts += list(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_cache_is_keyed_by_model_and_content_and_only_encodes_missing(store, monkeypatch):
    fake = FakeEncoder()
    monkeypatch.setattr(emb, "encode", fake)
    first = embed_texts(store, ["aa", "b", "aa", "ccc"])
    assert first.shape == (4, 3) and np.array_equal(first[0], first[2])
    assert sorted(fake.texts) == ["aa", "b", "ccc"]  # a repeated text is encoded once
    again = embed_texts(store, ["ccc", "dddd", "aa"])
    assert fake.texts[3:] == ["dddd"]  # only the new text
    assert np.array_equal(again[0], first[3])
    other = embed_texts(store, ["aa"], EmbeddingSettings(model="/no/such/other-model"))
    assert fake.texts[-1] == "aa" and other.shape == (1, 3)  # another model has its own cache
    assert cached_count(store, ["aa", "b", "zzz"]) == (2, 3)


def test_encoding_is_resumable_with_progress(store, monkeypatch):
    texts = [f"text number {i} " + "a" * (i % 7) for i in range(50)]
    monkeypatch.setattr(emb, "encode", FakeEncoder(fail_on_call=3))
    seen = []
    with pytest.raises(RuntimeError):
        embed_texts(store, texts, EmbeddingSettings(chunk=10), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 50), (10, 50), (20, 50)]
    assert cached_count(store, texts) == (20, 50)  # finished chunks survived the interruption
    resumed = FakeEncoder()
    monkeypatch.setattr(emb, "encode", resumed)
    out = embed_texts(store, texts, EmbeddingSettings(chunk=10))
    assert len(resumed.texts) == 30 and out.shape == (50, 3)


def test_progress_comes_every_few_batches_within_a_chunk(store, monkeypatch):
    """One 1,024-text cache chunk takes minutes on a CPU: progress must move inside it, starting at 0 of n."""
    fake = FakeEncoder()
    monkeypatch.setattr(emb, "encode", fake)
    seen = []
    embed_texts(store, [f"t{i}" for i in range(20)], EmbeddingSettings(chunk=1024, batch_size=2),
                progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 20), (8, 20), (16, 20), (20, 20)] and fake.calls == 3
    assert cached_count(store, [f"t{i}" for i in range(20)]) == (20, 20)


def test_background_job_reports_progress(store, monkeypatch):
    monkeypatch.setattr(emb, "encode", FakeEncoder())
    job = start_job(store, "all", [f"t{i}" for i in range(30)], EmbeddingSettings(chunk=7))
    job.join(timeout=30)
    assert not job.is_alive() and job.error is None and (job.done, job.total) == (30, 30)
    assert cached_count(store, [f"t{i}" for i in range(30)]) == (30, 30)


def test_english_only_model_warns_on_chinese():
    assert is_english_only(DEFAULT_MODEL) and is_english_only("/models/all-MiniLM-L6-v2/")
    assert not is_english_only("/models/bge-small-zh-v1.5")
    warning = language_warning(["hello", "今天天气很好"], DEFAULT_MODEL)
    assert "1 of 2" in warning and "English-only" in warning
    assert language_warning(["hello"], DEFAULT_MODEL) is None
    assert language_warning(["今天天气很好"], "/models/bge-small-zh-v1.5") is None


def test_model_ids_and_hashes_are_stable(tmp_path):
    assert model_id(DEFAULT_MODEL) == DEFAULT_MODEL
    assert model_id(str(tmp_path)) == str(tmp_path.resolve())
    assert text_hash("数据") == text_hash("数据") != text_hash("数据 ")


def test_unknown_model_is_a_user_error_without_download(tmp_path):
    with pytest.raises(UserError, match="offline"):
        emb.load_model(str(tmp_path / "not-a-model"), device="cpu")


@pytest.mark.slow
def test_default_model_loads_offline_and_caches_real_vectors(store, monkeypatch):
    texts = ["How do I bake bread at home?", "What is the way to bake bread at home?", "The stock market fell today."]
    v = embed_texts(store, texts)
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > 0.8 > v[0] @ v[2]
    assert cached_count(store, texts) == (3, 3)

    def no_encoding(batch, settings):
        raise AssertionError(f"cached texts were encoded again: {batch}")
    monkeypatch.setattr(emb, "encode", no_encoding)
    again = embed_texts(store, texts)  # served from the store's cache, the model is not run
    assert np.allclose(again, v, atol=1e-6)
