"""`curation` command line: a thin shell over the library. Every command takes --json and --db.

The core commands live in `core`, each feature's command group in its own module (`dedup`, `review`,
`robustness`), all sharing `args`. Other packages add commands through the entry-point group
`curation.commands` (training's `train`, `eval` and `compare`, declared in pyproject.toml), the way sqlite-utils
plugins do: each entry point names a `register(subparsers, common)` function.

Bad input exits with status 2 and one line on stderr; nothing here prints a traceback unless CURATION_DEBUG=1.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import entry_points

from .. import executors
from ..errors import UserError
from . import core, dedup, embeddings, generate, jobs, judge, logs, replace, review, robustness, special
from .args import Parser, common_options, jsonable

# Built-in command groups, in the order `curation --help` lists them (after the core commands).
EXTENSIONS = (dedup, embeddings, robustness, review, replace, special, generate, judge, logs, jobs)
PLUGIN_GROUP = "curation.commands"
# Used when the installed metadata predates the entry-point group (an old `pip install -e .`), so the CLI keeps
# its training commands until the next install; the group in pyproject.toml is the source of truth.
FALLBACK_PLUGINS = (("train", "training.cli:register"), ("eval", "training.eval_cli:register"),
                    ("ab", "training.ab_cli:register"), ("serve", "training.serve_cli:register"))


def plugin_commands() -> list:
    """The `register` functions of the installed `curation.commands` entry points (the fallback list when the
    metadata has none). A plugin whose package is missing is skipped; one that fails to import is an error."""
    from importlib.metadata import EntryPoint

    found = [(ep.name, ep.value, ep.load) for ep in entry_points(group=PLUGIN_GROUP)]
    # A command of the fallback list that the installed metadata lacks (added after the last `pip install -e .`)
    # is still offered, so a checkout's new command works before the next install.
    installed = {name for name, _, _ in found}
    found += [(name, value, EntryPoint(name, value, PLUGIN_GROUP).load) for name, value in FALLBACK_PLUGINS
              if name not in installed]
    known = [name for name, _ in FALLBACK_PLUGINS]  # the help lists train before eval; other plugins after, by name
    found.sort(key=lambda p: (known.index(p[0]) if p[0] in known else len(known), p[0]))
    out = []
    for _, value, load in found:
        try:
            out.append(load())
        except ModuleNotFoundError as e:
            module = value.split(":")[0]
            if e.name is None or not module.startswith(e.name):  # the plugin exists but lacks a dependency: say so
                raise
    return out


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser, plugins included."""
    common = common_options()
    parser = Parser(prog="curation", parents=[common],
                                     description="SFT Workbench: curate SFT data and prove it with a LoRA run.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    core.register(sub, common)
    for module in EXTENSIONS:
        module.register(sub, common)
    for register in plugin_commands():
        register(sub, common)
    return parser


# ---------------------------------------------------------------- output
def _print_human(result: dict) -> None:
    for key, value in result.items():
        if key.startswith("_"):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            print(f"{key} ({len(value)}):")
            for row in value[:50]:
                print("  " + json.dumps(jsonable(row), ensure_ascii=False)[:300])
            if len(value) > 50:
                print(f"  … {len(value) - 50} more (use --json for all)")
        else:
            text = json.dumps(jsonable(value), ensure_ascii=False)
            print(f"{key}: {text[:2000]}")


def _emit(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(jsonable({k: v for k, v in result.items() if not k.startswith("_")}),
                         ensure_ascii=False))
    else:
        _print_human(result)
    sys.stdout.flush()


def _closed_stdout() -> int:
    """The reader of our stdout went away (`| head`): end quietly, as a shell tool does.

    Not SIGPIPE's default action: that is process-wide, so it would also kill `curation serve` when a client drops
    its connection, and any caller that runs main() in its own process."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
    except (OSError, ValueError):
        pass
    return 141


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `curation` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a bad option (one line on stderr, from Parser.error)
        return int(e.code or 0)
    try:
        with executors.using(getattr(args, "engine", None), getattr(args, "ray_address", None),
                             getattr(args, "ray_workers", None)):
            result = args.func(args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not bad input: still one line unless debugging
        if os.environ.get("CURATION_DEBUG"):
            raise
        print(f"error: internal error ({type(e).__name__}: {e}); rerun with CURATION_DEBUG=1 for details",
              file=sys.stderr)
        return 1
    try:
        _emit(result, getattr(args, "json", False))
    except BrokenPipeError:  # `curation samples | head` ends quietly
        return _closed_stdout()
    if result.get("_error"):
        print(f"error: {result['_error']}", file=sys.stderr)
    return int(result.get("_exit", 0))


__all__ = ["EXTENSIONS", "build_parser", "main", "plugin_commands"]
