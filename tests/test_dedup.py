"""Dedup library: normalisation, shingles, MinHash signatures, LSH, semantic search, clusters, keeper rules."""
from __future__ import annotations

import numpy as np
import pytest

from curation.dedup.clusters import UnionFind, cluster_ids, cluster_indices
from curation.dedup.keeper import KeeperRule, choose_keeper, is_protected, proposed_removals
from curation.dedup.keys import key_text
from curation.dedup.lsh import candidate_pairs, confirm_pairs, lsh_params, set_similarity, shingle_sets
from curation.dedup.methods import MinHashSettings, exact_pairs, minhash_pairs, semantic_pairs, SemanticSettings
from curation.dedup.minhash import EMPTY, permutations, signatures
from curation.dedup.normalise import NormaliseSettings, normalise
from curation.dedup.semantic import neighbour_pairs, normalise_rows
from curation.dedup.shingles import batch_shingle_hashes, shingle_hash64, shingle_hashes, shingles
from curation.dedup.synthetic import planted_corpus
from curation.errors import UserError


# ---------------------------------------------------------------- normalisation
def test_normalise_folds_chinese_full_width_and_punctuation():
    assert normalise("ＡＢＣ１２３，你好！") == normalise("abc123,你好!") == "abc123,你好!"
    assert normalise("他说：“你好。”") == normalise('他说:"你好."')
    assert normalise("「引号」、《书名》") == '"引号","书名"'
    assert normalise("等等……") == "等等."


def test_normalise_folds_english_case_and_whitespace():
    assert normalise("  Hello   WORLD\n\tAgain ") == "hello world again"
    assert normalise("Straße") == normalise("STRASSE")
    assert normalise("Wait!!!  — really?") == "wait! - really?"


def test_normalise_removes_layout_spaces_between_cjk_only():
    assert normalise("你 好 世界") == "你好世界"
    assert normalise("AI 助手 model") == "ai 助手 model"


def test_normalise_settings_can_keep_case():
    assert normalise("Hello", NormaliseSettings(casefold=False)) == "Hello"


# ---------------------------------------------------------------- keys
def test_keys_pick_user_assistant_or_conversation_over_multi_turn():
    msgs = [{"role": "system", "content": "S"}, {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a1"},
            {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]
    assert key_text(msgs, "user") == "q1\nq2"
    assert key_text(msgs, "assistant") == "f({})\na1\na2"
    assert key_text(msgs, "conversation").startswith("system: S\nuser: q1\nassistant: f({})")
    with pytest.raises(ValueError):
        key_text(msgs, "answer")


# ---------------------------------------------------------------- shingles
def test_shingles_of_cjk_latin_and_mixed_text():
    assert shingles("数据清洗很重要", 5) == ["数据清洗很", "据清洗很重", "清洗很重要"]
    assert shingles("hello world", 5)[:3] == ["hello", "ello ", "llo w"]
    mixed = shingles("用python写", 5)
    assert mixed == ["用pyth", "pytho", "ython", "thon写"]
    assert shingles("短", 5) == ["短"] and shingles("", 5) == []


def test_vectorised_shingle_hashes_match_scalar_hash():
    for text in ["数据清洗很重要", "hello world", "用python写", "ab", "x"]:
        expected = [shingle_hash64(s, 5) for s in shingles(text, 5)]
        assert shingle_hashes(text, 5).tolist() == expected


def test_batch_shingles_do_not_cross_document_boundaries():
    texts = ["abcdef", "", "xy", "ghijkl"]
    h, counts = batch_shingle_hashes(texts, 5)
    assert counts.tolist() == [2, 0, 1, 2]
    assert h.tolist() == [shingle_hash64(s, 5) for t in texts for s in shingles(t, 5)]


# ---------------------------------------------------------------- minhash
def test_signatures_are_bit_identical_to_datasketch_affine32():
    from datasketch import MinHash

    texts = ["the quick brown fox jumps over the lazy dog", "数据清洗是训练前最重要的一步", "mixed 中英 text", "ab", ""]
    sig = signatures(texts, ngram=5, num_perm=64, seed=3)
    for text, row in zip(texts, sig):
        m = MinHash(num_perm=64, seed=3, hashfunc=lambda s: shingle_hash64(s, 5) & 0xFFFFFFFF)
        for sh in shingles(text, 5):
            m.update(sh)
        assert m.hashvalues.tolist() == row.tolist()
    assert (sig[-1] == EMPTY).all()


def test_permutations_match_datasketch():
    from datasketch import MinHash

    a, b = permutations(128, 1)
    ref = MinHash(num_perm=128, seed=1).permutations
    assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


def test_signature_chunking_does_not_change_results(monkeypatch):
    import curation.dedup.minhash as mh

    texts = planted_corpus(300, seed=5).texts
    full = signatures(texts, num_perm=32)
    monkeypatch.setattr(mh, "CHUNK_SHINGLES", 97)
    assert np.array_equal(full, signatures(texts, num_perm=32))


def test_rensa_backend_estimates_similar_jaccard():
    pytest.importorskip("rensa")
    texts = ["the quick brown fox jumps over the lazy dog " * 3, "the quick brown fox jumped over the lazy dog " * 3]
    sig = signatures(texts, backend="rensa")
    assert sig.shape == (2, 128) and sig.dtype == np.uint32
    est = float(np.mean(sig[0] == sig[1]))
    true = set_similarity(*shingle_sets(texts, 5))[0]
    assert abs(est - true) < 0.2


# ---------------------------------------------------------------- lsh
def test_lsh_params_are_datasketch_choices():
    assert lsh_params(0.8, 128) == (9, 13)
    assert lsh_params(0.7, 128) == (14, 9)


def test_datasketch_and_numpy_banding_give_identical_candidates():
    texts = planted_corpus(2000, seed=1).texts
    sig = signatures(texts)
    a = candidate_pairs(sig, 0.7, "datasketch")
    b = candidate_pairs(sig, 0.7, "numpy")
    assert len(a) > 100
    assert np.array_equal(a, b)


def test_numpy_banding_survives_64bit_key_collisions():
    # Rows that differ but were forced into one sorted run must not be paired.
    sig = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [5, 6, 7, 8], [1, 2, 3, 4]], dtype=np.uint32)
    assert candidate_pairs(sig, 0.5, "numpy").tolist() == candidate_pairs(sig, 0.5, "datasketch").tolist()


def test_huge_buckets_are_linked_as_a_star():
    sig = np.tile(np.arange(128, dtype=np.uint32), (10, 1))
    assert len(candidate_pairs(sig, 0.7, "numpy", max_bucket=100)) == 45
    assert candidate_pairs(sig, 0.7, "numpy", max_bucket=5).tolist() == [[0, k] for k in range(1, 10)]


def test_confirmation_drops_false_candidates_and_reports_true_jaccard():
    texts = ["abcdefghij", "abcdefghik", "zzzzzzzzzz"]
    pairs, sims = confirm_pairs(texts, np.array([[0, 1], [0, 2]]), 5, 0.5)
    assert pairs.tolist() == [[0, 1]]
    assert sims[0] == pytest.approx(5 / 7)


def test_minhash_recall_on_planted_pairs():
    corpus = planted_corpus(3000, dup_share=0.15, seed=2)
    sets = shingle_sets([normalise(t) for t in corpus.texts], 5)
    truth = {tuple(sorted(p)) for p in corpus.planted if set_similarity(sets[p[0]], sets[p[1]])[0] >= 0.8}
    assert len(truth) > 150
    res = minhash_pairs(corpus.texts, MinHashSettings(threshold=0.8))
    found = {tuple(p) for p, s in zip(res.pairs.tolist(), res.sims) if s >= 0.8}
    assert len(truth & found) / len(truth) >= 0.98
    # Confirmed pairs are true pairs: every reported similarity is the exact Jaccard.
    for (i, j), s in list(zip(res.pairs.tolist(), res.sims))[:200]:
        assert s == pytest.approx(set_similarity(sets[i], sets[j])[0])
    assert (res.stats["lsh_bands"], res.stats["lsh_rows"]) == (18, 7) and res.floor == pytest.approx(0.6)


def test_minhash_collapses_exact_repeats_and_skips_empty_texts():
    texts = ["Same text here!", "same TEXT here!", "same text here", "", "something else entirely"]
    res = minhash_pairs(texts, MinHashSettings())
    assert [0, 1] in res.pairs.tolist()
    assert res.stats["exact_repeats"] == 1
    assert res.skipped == {3: "empty text for this key"}
    assert all(3 not in p for p in res.pairs.tolist())


def test_exact_pairs_after_normalisation():
    res = exact_pairs(["你好，世界", "你好,世界", "Hello", "HELLO ", "other"])
    assert sorted(res.pairs.tolist()) == [[0, 1], [2, 3]]
    assert res.sims.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- semantic
def _clustered_vectors(n, dim=32, centres=50, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim)).astype(np.float32)
    return c[rng.integers(0, centres, n)] + noise * rng.normal(size=(n, dim)).astype(np.float32)


def _brute(x, t):
    x = normalise_rows(x)
    s = x @ x.T
    i, j = np.nonzero(np.triu(s >= t, k=1))
    return set(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("search", ["blocked", "faiss"])
def test_exact_neighbour_search_equals_brute_force(search):
    x = _clustered_vectors(700, noise=0.15)
    pairs, sims = neighbour_pairs(x, 0.97, search)
    assert {tuple(p) for p in pairs.tolist()} == _brute(x, 0.97)
    assert (sims >= 0.97 - 1e-6).all()


def test_blocked_search_tiles_never_hold_the_full_matrix():
    from curation.dedup.semantic import blocked_pairs

    x = normalise_rows(_clustered_vectors(500, noise=0.15))
    pairs, _ = blocked_pairs(x, 0.97, block=64)
    assert {tuple(p) for p in pairs.tolist()} == _brute(x, 0.97)


def test_kmeans_partitioned_search_has_high_recall():
    x = _clustered_vectors(2000, noise=0.1)
    truth = _brute(x, 0.97)
    pairs, _ = neighbour_pairs(x, 0.97, "kmeans", n_clusters=20)
    found = {tuple(p) for p in pairs.tolist()}
    assert found <= truth
    assert len(found) / len(truth) >= 0.95


def test_semantic_pairs_use_the_given_embedder_and_skip_empty():
    vec = {"a": [1, 0], "a2": [0.99, 0.05], "b": [0, 1]}
    res = semantic_pairs(["a", "", "a2", "b"], SemanticSettings(threshold=0.95),
                         embed=lambda ts: np.array([vec[t] for t in ts], dtype=np.float32))
    assert res.pairs.tolist() == [[0, 2]]
    assert res.skipped == {1: "empty text for this key"}


# ---------------------------------------------------------------- clusters
def test_union_find_and_clusters_largest_first():
    uf = UnionFind(5)
    uf.union(0, 1)
    uf.union(3, 4)
    uf.union(1, 4)
    assert uf.find(0) == uf.find(3) and uf.find(2) == 2
    pairs = np.array([[0, 1], [1, 2], [5, 6], [7, 8]])
    sims = np.array([0.9, 0.85, 0.95, 0.7])
    assert cluster_indices(9, pairs, sims, 0.8) == [[0, 1, 2], [5, 6]]
    assert cluster_indices(9, pairs, sims, 0.88) == [[0, 1], [5, 6]]
    assert cluster_indices(9, pairs, sims, 0.8, cut=[(2, 1)]) == [[0, 1], [5, 6]]


def test_cluster_ids_over_sample_ids():
    pairs = [("s1", "s2", 0.9), ("s2", "s3", 0.9), ("s4", "s5", 0.5)]
    assert cluster_ids(pairs, 0.8) == [["s1", "s2", "s3"]]


# ---------------------------------------------------------------- keeper
def _s(id_, status="pending", tags=(), answer=10, created="2024-01-01", quality=None):
    d = {"id": id_, "status": status, "tags": list(tags), "answer_chars": answer, "created_at": created}
    if quality is not None:
        d["quality"] = quality
    return d


def test_keeper_prefers_accepted_then_protected_then_longest_then_earliest():
    assert choose_keeper([_s("a", answer=99), _s("b", status="accepted")]) == ("b", "accepted in review")
    assert choose_keeper([_s("a", answer=99), _s("b", tags=["robustness:typo"])])[0] == "b"
    assert choose_keeper([_s("a", answer=5), _s("b", answer=50)]) == ("b", "longest answer (50 chars)")
    keeper, reason = choose_keeper([_s("a", created="2024-02-01"), _s("b", created="2024-01-01")])
    assert keeper == "b" and reason.startswith("earliest")
    assert choose_keeper([_s("b"), _s("a")]) == ("a", "identical on every criterion: smallest id")


def test_keeper_rule_is_configurable_and_validated():
    rule = KeeperRule(order=["earliest", "longest_answer"])
    members = [_s("a", answer=500, created="2024-03-01"), _s("b", answer=5, created="2024-01-01")]
    assert choose_keeper(members, rule)[0] == "b"
    assert choose_keeper(members)[0] == "a"
    assert rule.describe() == "earliest imported > longest answer"
    with pytest.raises(UserError):
        KeeperRule(order=["shortest"])


def test_quality_score_beats_length_when_present():
    members = [_s("a", answer=500, quality=0.2), _s("b", answer=5, quality=0.9)]
    assert choose_keeper(members) == ("b", "highest quality score (0.9)")


def test_protected_samples_never_lose_even_when_not_keeper():
    members = [_s("k", status="accepted"), _s("r", tags=["robustness:generated:typo"]), _s("x")]
    keeper, _ = choose_keeper(members)
    assert keeper == "k"
    assert proposed_removals(members, keeper) == (["x"], ["r"])
    assert is_protected(_s("r", tags=["robustness:pinyin"])) and not is_protected(_s("x", tags=["other"]))
