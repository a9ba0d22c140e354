"""`curation embeddings`: the embedding model registry and the vector cache (registered by
curation/cli/__init__.py).

    curation embeddings --models                  # the registry: languages, default threshold, range
    curation embeddings --dataset raw             # how much of a selection is embedded, per model
    curation embeddings --delete all-MiniLM-L6-v2 # drop one model's cached vectors
    curation embeddings --similar-to ID [--reviewed] # nearest samples (only reviewed ones, with verdicts)
    curation embeddings --query "如何烤面包"         # free-text semantic search over the cached selection
"""
from __future__ import annotations

from .args import add_filter_args, filter_from_args, open_store, positive_int


def register(sub, common) -> None:
    """Add the `embeddings` command to the `curation` parser."""
    p = sub.add_parser("embeddings", parents=[common],
                       help="embedding models and the vector cache: per-model coverage of a selection, delete")
    p.add_argument("--models", action="store_true", help="list the registered models and their thresholds")
    p.add_argument("--delete", metavar="MODEL", help="delete every cached vector of MODEL (name, path or cache id)")
    p.add_argument("--similar-to", metavar="ID", help="the samples nearest to this sample's prompt (from the cache)")
    p.add_argument("--query", help="free-text semantic search over the selection's cached prompt vectors")
    p.add_argument("--reviewed", action="store_true", help="with --similar-to: only samples already reviewed")
    p.add_argument("--model", help="embedding model for status/search (default: the registry default)")
    p.add_argument("-k", type=positive_int, default=10, help="how many results (default 10)")
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

    with open_store(args) as store:
        if args.delete:
            return {"model": args.delete, "deleted_vectors": emb.delete_vectors(store, args.delete)}
        if args.similar_to or args.query:
            from .. import similarity

            model = args.model or DEFAULT_MODEL
            if args.query:
                return similarity.nearest(store, args.query, filter_from_args(args), model, args.k)
            if args.reviewed:
                return similarity.nearest_reviewed(store, args.similar_to, model, args.k)
            return similarity.similar_to(store, args.similar_to, filter_from_args(args), model, args.k)
        return emb.selection_status(store, filter_from_args(args))
