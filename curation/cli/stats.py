"""`curation stats`: every diversity statistic of a selection as one JSON document (a superset of the page).

    curation stats --json                                   # the whole store
    curation stats --dataset raw --compare-dataset curated  # two selections side by side
    curation stats --targets targets.json --report out.html # targets from a file, plus the HTML report
    curation stats --embeddings --per-type 100              # semantic coverage (encodes what is not cached)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..embedding_models import DEFAULT_MODEL, FAST_MODEL, MODELS
from ..errors import UserError
from ..store import STATUSES, SampleFilter, curated_filter
from .args import LANGUAGES, SPLITS, filter_from_args

_COMPARE = ("dataset", "task_type", "status", "split", "tag", "search", "language")


def add_stats_args(p: argparse.ArgumentParser) -> None:
    """Options of `curation stats` beyond the sample filter."""
    from .args import add_force_arg, non_negative_int, positive_int
    g = p.add_argument_group("second selection (side by side with the first)")
    g.add_argument("--compare-dataset", action="append", metavar="NAME")
    g.add_argument("--compare-task-type", action="append", metavar="TYPE")
    g.add_argument("--compare-status", action="append", choices=STATUSES)
    g.add_argument("--compare-split", choices=list(SPLITS))
    g.add_argument("--compare-tag")
    g.add_argument("--compare-search")
    g.add_argument("--compare-language", choices=list(LANGUAGES))
    g.add_argument("--compare-curated", action="store_true",
                   help="compare with the curated part (not rejected, not duplicate) of the first selection")
    g = p.add_argument_group("metrics")
    g.add_argument("--targets", metavar="FILE",
                   help='JSON {"L1/L2": share (0.1) or count (500)}; default: the taxonomy targets')
    g.add_argument("--tokenizer", default="estimate",
                   help="'estimate' (default, no download) or a local Hugging Face tokenizer folder")
    g.add_argument("--top", type=positive_int, help="rows in the most-repeated tables (default 20)")
    g.add_argument("--distinct-per-type", type=non_negative_int,
                   help="answers per task_type read for distinct-n (default 200; 0 = all)")
    g = p.add_argument_group("semantic coverage")
    g.add_argument("--embeddings", action="store_true", help="add the embedding map and per-type diversity scores")
    g.add_argument("--model", default=DEFAULT_MODEL, help="embedding model: one of " + ", ".join(MODELS) + " ("
                   f"{FAST_MODEL} is fastest on big selections) or a sentence-transformers name or local path")
    g.add_argument("--per-type", type=non_negative_int, default=200,
                   help="stratified sample per task_type (0 = every sample)")
    g.add_argument("--projection", default="pca", choices=["pca", "tsne"])
    p.add_argument("--report", metavar="FILE.html", help="also write the self-contained HTML report")
    add_force_arg(p)


def compare_filter(args, first: SampleFilter) -> SampleFilter | None:
    """The second selection named by --compare-* options, or None."""
    if args.compare_curated:
        return curated_filter(**{k: v for k, v in first.to_dict().items() if k not in ("exclude_status", "status")})
    given = {k: getattr(args, f"compare_{k}") for k in _COMPARE}
    if not any(given.values()):
        return None
    return SampleFilter(**given)


def load_targets(path: str | None) -> dict | None:
    """Targets from a JSON file (validated by stats.parse_targets)."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        raise UserError(f"targets file {path} does not exist")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"targets file {path} is not valid JSON: {e}") from None


def run_stats(args, store) -> dict:
    """Compute the statistics the options ask for (and write the report when --report is given)."""
    from ..stats import SemanticSettings, StatsSettings, compute_stats
    f = filter_from_args(args)
    settings = StatsSettings(tokenizer=args.tokenizer, targets=load_targets(args.targets))
    if args.top is not None:
        settings.top_n = args.top
    if args.distinct_per_type is not None:
        settings.distinct_per_type = args.distinct_per_type or None
    semantic = None
    if args.embeddings:
        semantic = SemanticSettings(model=args.model, per_type=args.per_type or None, projection=args.projection)
    if args.report:
        from .args import output_path
        output_path(args, args.report, "--report")  # before the work: never the store, no silent overwrite
    with _Progress() as tick:
        result = compute_stats(store, f, settings, compare=compare_filter(args, f), semantic=semantic, progress=tick)
    if args.report:
        from ..diversity_report import write_report
        write_report(result, args.report)
        result["report"] = str(args.report)
    return result


class _Progress:
    """A tqdm bar on stderr for embedding progress (silent when nothing is encoded)."""

    def __enter__(self):
        self.bar = None
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            import sys

            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="text", desc="embed", file=sys.stderr, disable=None)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
