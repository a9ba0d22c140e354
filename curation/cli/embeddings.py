"""`curation embeddings`: the embedding model registry and the vector cache (registered by
curation/cli/__init__.py).

    curation embeddings --models                  # the registry: languages, default threshold, range
    curation embeddings --dataset raw             # how much of a selection is embedded, per model
    curation embeddings --delete all-MiniLM-L6-v2 # drop one model's cached vectors
"""
from __future__ import annotations

from .args import add_filter_args, filter_from_args, open_store


def register(sub, common) -> None:
    """Add the `embeddings` command to the `curation` parser."""
    p = sub.add_parser("embeddings", parents=[common],
                       help="embedding models and the vector cache: per-model coverage of a selection, delete")
    p.add_argument("--models", action="store_true", help="list the registered models and their thresholds")
    p.add_argument("--delete", metavar="MODEL", help="delete every cached vector of MODEL (name, path or cache id)")
    add_filter_args(p)
    p.set_defaults(func=cmd_embeddings)


def cmd_embeddings(args) -> dict:
    from ..embedding_models import DEFAULT_MODEL, FAST_MODEL, MODELS

    if args.models:
        return {"default": DEFAULT_MODEL, "fast": FAST_MODEL, "models": [
            {"model": m.name, "languages": m.languages, "default_threshold": m.threshold,
             "threshold_range": list(m.threshold_range), "cache_id": m.cache_id or m.name,
             "description": m.description} for m in MODELS.values()]}
    from .. import embeddings as emb
    from ..stats import full_set_texts

    with open_store(args) as store:
        if args.delete:
            return {"model": args.delete, "deleted_vectors": emb.delete_vectors(store, args.delete)}
        return emb.cache_status(store, full_set_texts(store, filter_from_args(args)))
