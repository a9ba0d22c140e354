"""`curation serve`: an OpenAI-compatible chat server over a base model or a finished run (training/serve.py).

Registered through the `curation.commands` entry point (pyproject.toml). It blocks until Ctrl-C, then prints
what it served.
"""
from __future__ import annotations

import sys

from .presets import TINY, presets_help


def register(subparsers, common) -> None:
    """The `curation.commands` entry point."""
    from curation.cli.args import non_negative_int, positive_int

    p = subparsers.add_parser(
        "serve", parents=[common], help="serve a model (optionally with a run's LoRA adapter) as an OpenAI-compatible "
                                        "chat endpoint on 127.0.0.1",
        description="POST /v1/chat/completions and GET /v1/models over a base model, optionally with the adapter "
                    "of a finished run; point any OpenAI client (and `curation judge`) at http://HOST:PORT/v1.")
    p.add_argument("--base-model", metavar="PRESET|ID|DIR",
                   help=f"an offline preset: {presets_help()}; or a Hugging Face id or a model folder (default "
                        f"with --adapter: the run's base model; else {TINY})")
    p.add_argument("--adapter", metavar="RUN_DIR", help="a finished run folder, or one of its checkpoint folders "
                                                        "(adapter_model.safetensors)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=non_negative_int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--name", help="model id to serve (default: the preset/id, or the run folder's name)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--max-batch", type=positive_int, default=8, help="requests decoded together (default 8)")
    p.add_argument("--threads", type=positive_int, help="torch CPU threads (default: the idle cores)")
    p.add_argument("--api-key-env", metavar="VAR",
                   help="require the key held by environment variable VAR (401 otherwise); needed off loopback")
    p.set_defaults(func=serve_command)


def serve_command(args) -> dict:
    """Load the model, print the base URL, serve until interrupted."""
    from .serve import ServeSettings, start_server

    s = ServeSettings(base_model=args.base_model or (None if args.adapter else TINY), adapter=args.adapter,
                      host=args.host, port=args.port, name=args.name, device=args.device, max_batch=args.max_batch,
                      api_key_env=args.api_key_env, threads=args.threads)
    server = start_server(s)
    print(f"serving {server.model.name} at {server.base_url} (POST /chat/completions, GET /models); "
          "Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return {"served": server.model.name, "base_url": server.base_url, "stopped": True}
