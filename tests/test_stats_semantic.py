"""Semantic coverage: diversity scores and projection on hand-made vectors; the real model on a few samples."""
import numpy as np
import pytest

from curation import jobs
from curation.embeddings import language_warning, text_hash
from curation.ingest import IngestSettings, ingest
from curation.stats import (SemanticSettings, diversity_scores, embedded_share, full_set_settings, mean_cosine_distance,
                            project, semantic_coverage, stratified_prompts, vendi_score)
from tests.helpers import write_jsonl

MINILM = "all-MiniLM-L6-v2"  # these tests need an English-only model: the language warning is about it


def test_mean_cosine_distance():
    assert mean_cosine_distance(np.array([[1.0, 0.0], [0.0, 1.0]])) == 1.0  # orthogonal
    assert mean_cosine_distance(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])) == 0.0  # identical
    # three unit vectors: cos(a,b)=1, cos(a,c)=cos(b,c)=0 -> mean similarity 1/3 -> distance 2/3
    assert mean_cosine_distance(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])) == pytest.approx(2 / 3, abs=1e-4)
    assert mean_cosine_distance(np.array([[1.0, 0.0]])) is None


def test_vendi_score():
    assert vendi_score(np.ones((4, 3)) / np.sqrt(3)) == pytest.approx(1.0)  # all the same: one effective prompt
    assert vendi_score(np.eye(3)) == pytest.approx(3.0)  # all orthogonal: three
    # two identical + one orthogonal: eigenvalues 2/3, 1/3 -> exp(H) = 1.8899
    assert vendi_score(np.array([[1.0, 0], [1.0, 0], [0, 1.0]])) == pytest.approx(1.89, abs=1e-3)


def test_scores_per_type_and_projection():
    vecs = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 0, 1.0], [0, 1.0, 0]])
    scores = {s["task_type"]: s for s in diversity_scores(vecs, ["a", "a", "b", "b"])}
    assert scores["a"]["mean_cosine_distance"] < 0.01 and scores["b"]["mean_cosine_distance"] == 1.0
    assert scores["b"]["vendi"] == pytest.approx(2.0)
    xy = project(vecs)
    assert xy.shape == (4, 2)
    # PCA keeps the main spread: the two near-identical "a" points stay close, the "b" points far apart
    assert np.linalg.norm(xy[0] - xy[1]) < np.linalg.norm(xy[2] - xy[3])


def _records(n=4):
    out = []
    for i in range(n):
        out.append({"task_type": "reasoning/math",
                    "messages": [{"role": "user", "content": f"What is {i} times {i + 2}?"},
                                 {"role": "assistant", "content": f"It is {i * (i + 2)}."}]})
        out.append({"task_type": "creative writing/poetry",
                    "messages": [{"role": "user", "content": f"Write a poem about the colour number {i}."},
                                 {"role": "assistant", "content": "Roses are red."}]})
    return out


def test_stratified_sample_is_stable_and_per_type(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _records(5))], IngestSettings(dataset="s"))
    a = stratified_prompts(store, None, 2)
    assert [p["task_type"] for p in a] == ["creative writing/poetry"] * 2 + ["reasoning/math"] * 2
    assert a == stratified_prompts(store, None, 2)
    assert len(stratified_prompts(store, None, None)) == 10


def test_cached_only_never_encodes(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _records(3))], IngestSettings(dataset="s"))
    texts = [p["text"] for p in stratified_prompts(store, None, 3)]
    store.embeddings.add(MINILM, [(text_hash(texts[0]), np.ones(4, dtype=np.float32))])
    sem = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=3, cached_only=True))
    assert (sem["sampled"], sem["embedded"], len(sem["points"])) == (6, 1, 1)
    assert sem["warnings"] == []  # English prompts: no language warning


def _mixed_records():
    """Prompts with and without Chinese, including the edges of the CJK ranges and a Chinese-only answer."""
    prompts = ["Plain English, please.", "今天天气很好吗？", "Edge \u3400 of extension A", "Edge \u9fff end",
               "Compatibility \uf900 ideograph", "Kana only: ひらがな", "Hangul: 안녕하세요",
               "Full-width ＡＢＣ：", "拼音 pinyin mix"]
    out = [{"task_type": f"t/{i % 3}", "messages": [{"role": "user", "content": q},
                                                    {"role": "assistant", "content": "好的" if i == 0 else "ok"}]}
           for i, q in enumerate(prompts)]
    out.append({"task_type": "t/0", "messages": [
        {"role": "system", "content": "你是助手"}, {"role": "user", "content": "first turn"},
        {"role": "assistant", "content": "a"}, {"role": "user", "content": "第二轮"},
        {"role": "assistant", "content": "b"}]})
    return out


def test_pick_without_conversations_matches_the_prompt_texts(store, tmp_path):
    from curation.text import has_cjk
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _mixed_records())], IngestSettings(dataset="s"))
    for per_type in (2, None):
        texts = stratified_prompts(store, None, per_type)
        picks = store.stats.picks(None, per_type)
        assert [(i, tt) for i, tt, _ in picks] == [(t["id"], t["task_type"]) for t in texts]
        assert [zh for _, _, zh in picks] == [has_cjk(t["text"]) for t in texts]
    assert sum(zh for _, _, zh in store.stats.picks(None, None)) == 6  # system prompts and answers do not count


def test_nothing_cached_gives_what_reading_the_prompts_gives(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _mixed_records())], IngestSettings(dataset="s"))
    cheap = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=3, cached_only=True))
    assert (cheap["sampled"], cheap["embedded"], cheap["points"]) == (9, 0, [])
    texts = [p["text"] for p in stratified_prompts(store, None, 3)]
    assert cheap["warnings"] == [language_warning(texts, MINILM)]
    assert cheap["warnings"][0] is not None and " of 9 texts contain Chinese" in cheap["warnings"][0]
    store.embeddings.add("another-model", [(text_hash(texts[0]), np.ones(4, dtype=np.float32))])
    assert semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=3, cached_only=True))["sampled"] == 9
    store.embeddings.add(MINILM, [(text_hash(texts[0]), np.ones(4, dtype=np.float32))])
    read = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=3, cached_only=True))
    assert (read["sampled"], read["embedded"], read["warnings"]) == (9, 1, cheap["warnings"])


def test_read_only_store_reads_the_prompts(store, tmp_path):
    from curation.store import Store
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _mixed_records())], IngestSettings(dataset="s"))
    store._cur().execute("DELETE FROM stats_derived")
    store.close()
    with Store(store.path, read_only=True) as ro:
        assert {zh for _, _, zh in ro.stats.picks(None, 3)} == {None}
        sem = semantic_coverage(ro, None, SemanticSettings(model=MINILM, per_type=3, cached_only=True))
    assert sem["sampled"] == 9 and " of 9 texts contain Chinese" in sem["warnings"][0]


@pytest.mark.slow
def test_real_model_embeds_once_and_full_set_job_resumes(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", _records(3))], IngestSettings(dataset="s"))
    sem = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=2))
    assert sem["embedded"] == sem["sampled"] == 4 and len(sem["points"]) == 4
    assert {s["task_type"] for s in sem["scores"]} == {"reasoning/math", "creative writing/poetry"}
    again = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=2, cached_only=True))
    assert [p["id"] for p in again["points"]] == [p["id"] for p in sem["points"]]
    assert embedded_share(store, None, MINILM) == (4, 6)
    job_id = jobs.start_or_find(store, "embedding", full_set_settings(None, MINILM), "tester")
    assert jobs.start_or_find(store, "embedding", full_set_settings(None, MINILM), "tester") == job_id
    job = jobs.wait(store, job_id, timeout=120)
    assert job["state"] == "done" and job["result"]["encoded"] == 2  # only the 2 uncached prompts encoded
    assert embedded_share(store, None, MINILM) == (6, 6)
