"""The dedup methods, one table: `DEDUP_METHODS` (name -> method class). The built-ins are in builtin.py; a new
method is a new module of this package with `@DEDUP_METHODS.register` on its class (docs/ARCHITECTURE.md)."""
from .base import DEDUP_METHODS, DedupMethod, PairResult, exact_groups
from .builtin import (ExactMethod, ExactSettings, MinHashMethod, MinHashSettings, SemanticMethod, SemanticSettings,
                      SIGNATURE_CHUNK, exact_pairs, minhash_pairs, semantic_pairs)

__all__ = ["DEDUP_METHODS", "DedupMethod", "ExactMethod", "ExactSettings", "MinHashMethod", "MinHashSettings",
           "PairResult", "SIGNATURE_CHUNK", "SemanticMethod", "SemanticSettings", "exact_groups", "exact_pairs", "minhash_pairs",
           "semantic_pairs"]
