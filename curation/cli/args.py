"""What every `curation` command shares: the common options, the sample filter, numeric option types, the store
and author lookups, and JSON-able output. Command modules import from here (never from the package itself), so
there is no import cycle between the parser and its commands."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..store import STATUSES, SampleFilter, Store, curated

LANGUAGES = ("zh", "en", "mixed", "other")
SPLITS = ("train", "eval", "none")


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's error style: one line on stderr, exit status 2 (no usage block)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the command name."""
    p = Parser(add_help=False)
    p.add_argument("--db", default=argparse.SUPPRESS, help="store file (default: $CURATION_DB or ./workbench.duckdb)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")
    p.add_argument("--author", default=argparse.SUPPRESS, help="name recorded in revisions (default: $USER)")
    p.add_argument("--engine", choices=("local", "ray"), default=argparse.SUPPRESS,
                   help="where the heavy steps run: local processes, or Ray (default: $CURATION_ENGINE, ray when "
                        "$CURATION_RAY_ADDRESS is set, else local)")
    p.add_argument("--ray-address", default=argparse.SUPPRESS,
                   help="a Ray cluster to run on (host:6379, ray://host:10001 or auto; default: "
                        "$CURATION_RAY_ADDRESS; none starts a local Ray)")
    p.add_argument("--ray-workers", type=positive_int, default=argparse.SUPPRESS,
                   help="CPUs of the local Ray started without an address (default: 2)")
    return p


def add_filter_args(p: argparse.ArgumentParser) -> None:
    """The sample filter as command-line options."""
    p.add_argument("--dataset", action="append", help="dataset name (repeatable)")
    p.add_argument("--task-type", action="append", help='"L1" or "L1/L2" or "(untyped)" (repeatable)')
    p.add_argument("--status", action="append", choices=STATUSES, help="review status (repeatable)")
    p.add_argument("--split", choices=list(SPLITS))
    p.add_argument("--tag", help='tag, or a prefix ending in "*" (e.g. "robustness:*")')
    p.add_argument("--search", help="text the conversation contains (case-insensitive)")
    p.add_argument("--language", choices=list(LANGUAGES))


def filter_from_args(args, default_curated: bool = False) -> SampleFilter:
    """Build a SampleFilter from parsed filter options."""
    kw = dict(dataset=args.dataset, task_type=args.task_type, status=args.status, split=args.split,
              tag=args.tag, search=args.search, language=args.language)
    if getattr(args, "limit", None) is not None:
        kw.update(limit=args.limit, offset=getattr(args, "offset", 0))
    f = SampleFilter(**kw)
    return curated(f) if default_curated else f


def open_store(args) -> Store:
    """The store named by --db / $CURATION_DB / ./workbench.duckdb. Post-import checks a crash left pending are
    finished first (issue 15.12)."""
    store = Store(getattr(args, "db", None))
    try:
        from ..checks import finish_pending_checks
        from ..jobs import reattach
        done = finish_pending_checks(store)
        failed = reattach(store)
    except BaseException:
        store.close()
        raise
    if done:
        print(f"note: finished the post-import checks of import(s) {', '.join(map(str, done))}, which an earlier "
              "run left pending", file=sys.stderr)
    for job in failed:
        print(f"note: job {job['id']} ({job['kind']}) {job['error']}: `curation jobs resume {job['id']}`",
              file=sys.stderr)
    return store


def add_force_arg(p: argparse.ArgumentParser) -> None:
    """--force: allow overwriting an existing output file (never the store)."""
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists (never the store)")


def output_path(args, path: str, option: str = "--out"):
    """The checked output path of a command (`curation.outputs.check_output` against this command's store)."""
    from ..outputs import check_output
    from ..store import resolve_db_path
    return check_output(path, resolve_db_path(getattr(args, "db", None)), getattr(args, "force", False), option)


def author_of(args) -> str:
    """Who to record in revisions."""
    return getattr(args, "author", None) or os.environ.get("CURATION_AUTHOR") or getpass.getuser() or "cli"


def jsonable(obj):
    """`obj` with dates as ISO strings, tuples as lists: ready for json.dumps."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


# ---------------------------------------------------------------- numeric option types
# `type=` callables for argparse: a bad value exits with status 2 and a message naming the option, e.g.
# "argument --limit: must be a whole number >= 0, got '-3'".
def _number(kind, test, wanted: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}") from None
        if value != value or not test(value):  # value != value: NaN
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value
    parse.__name__ = wanted  # argparse names the type in its messages
    return parse


positive_int = _number(int, lambda v: v > 0, "a whole number > 0")
non_negative_int = _number(int, lambda v: v >= 0, "a whole number >= 0")
positive_float = _number(float, lambda v: 0 < v < float("inf"), "a number > 0")
non_negative_float = _number(float, lambda v: 0 <= v < float("inf"), "a number >= 0")
fraction = _number(float, lambda v: 0 <= v <= 1, "a number between 0 and 1")
open_fraction = _number(float, lambda v: 0 <= v < 1, "a number >= 0 and < 1")


# ---------------------------------------------------------------- LLM endpoints
def add_endpoint_args(p: argparse.ArgumentParser) -> None:
    """The OpenAI-compatible endpoint options (`curation judge`, `curation generate`)."""
    p.add_argument("--base-url", default=os.environ.get("CURATION_LLM_BASE_URL", "http://127.0.0.1:8765/v1"),
                   help="OpenAI-compatible base URL (default $CURATION_LLM_BASE_URL or http://127.0.0.1:8765/v1, "
                        "where `curation serve` listens)")
    p.add_argument("--model", default=os.environ.get("CURATION_LLM_MODEL"),
                   help="model the endpoint serves (default $CURATION_LLM_MODEL)")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                   help="NAME of the environment variable holding the API key (default OPENAI_API_KEY; the key "
                        "itself is never stored)")
    p.add_argument("--concurrency", type=positive_int, default=4, help="requests in flight at once (default 4)")
    p.add_argument("--max-retries", type=non_negative_int, default=5, help="retries of 429/5xx/timeouts (default 5)")
    p.add_argument("--timeout", type=positive_float, default=120.0, help="seconds per request (default 120)")
    p.add_argument("--price-in", type=non_negative_float, default=0.0, metavar="PER_MTOK",
                   help="prompt price per million tokens, for the job's cost (default 0)")
    p.add_argument("--price-out", type=non_negative_float, default=0.0, metavar="PER_MTOK",
                   help="completion price per million tokens (default 0)")


def endpoint_from_args(args):
    """EndpointSettings from the parsed endpoint options."""
    from ..errors import UserError
    from ..llm import EndpointSettings

    if not args.model:
        raise UserError("no model named; pass --model (the name the endpoint serves; `curation serve` serves the "
                        "preset's name, e.g. tiny) or set CURATION_LLM_MODEL")
    return EndpointSettings(base_url=args.base_url, model=args.model, api_key_env=args.api_key_env,
                            concurrency=args.concurrency, max_retries=args.max_retries, timeout_s=args.timeout,
                            price_in_per_mtok=args.price_in, price_out_per_mtok=args.price_out)
