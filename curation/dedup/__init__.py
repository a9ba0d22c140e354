"""Deduplication: exact, MinHash LSH and semantic near-duplicates, clustered and reviewed (see docs/dedup.md).

Modules: normalise (canonical text), keys (which text of a sample), shingles + minhash + lsh (MinHash LSH with
exact confirmation), semantic (cosine neighbour search), methods (the DEDUP_METHODS table: the three
built-in methods and their settings),
clusters (union-find), keeper (which member stays; protection), runs (store runs and review actions).
"""
from curation.dedup.keeper import KeeperRule, choose_keeper, is_protected
from curation.dedup.methods import (DEDUP_METHODS, ExactSettings, MinHashSettings, PairResult, SemanticSettings,
                                    exact_pairs, minhash_pairs, semantic_pairs)
from curation.dedup.normalise import NormaliseSettings, normalise

__all__ = ["DEDUP_METHODS", "ExactSettings", "KeeperRule", "MinHashSettings", "NormaliseSettings", "PairResult",
           "SemanticSettings", "choose_keeper", "exact_pairs", "is_protected", "minhash_pairs", "normalise",
           "semantic_pairs"]
