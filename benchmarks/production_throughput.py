"""Production throughput against the local endpoint: the same answer-production job at concurrency 1 and at 8, in
one run, against `curation serve` (in-process, real HTTP on 127.0.0.1). Prints one JSON document.

The job: `answers` with source `prompts` on N distinct prompts (each a fresh request: every run gets its own
store, so nothing comes from the response cache), greedy, `max_tokens` tokens at most. The server batches the
requests that arrive together (training/serve.py), so concurrency is what lets it batch. Figures: wall seconds
of `produce()`, samples stored, requests per second, completion tokens per second, and the ratio 8 vs 1.

    python benchmarks/production_throughput.py [--preset tiny|smollm2-135m] [--n 32] [--max-tokens 32]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOPICS = ["the moon", "bread", "rivers", "chess", "volcanoes", "bees", "trains", "salt", "glass", "maps", "owls",
          "rain", "clocks", "tea", "bridges", "paper", "wolves", "ice", "coffee", "kites", "copper", "deserts",
          "violins", "whales", "cotton", "lighthouses", "mushrooms", "sailing", "honey", "fog", "tigers", "wheat"]


def prompts(n: int) -> list[str]:
    return [f"Tell me one interesting fact about {TOPICS[i % len(TOPICS)]} (question {i + 1})." for i in range(n)]


def run_once(server, concurrency: int, n: int, max_tokens: int, model: str) -> dict:
    from curation.llm import EndpointSettings
    from curation.producers import PRODUCERS
    from curation.producers.runner import RunInput, produce
    from curation.store import Store
    with tempfile.TemporaryDirectory() as d:
        store = Store(os.path.join(d, "bench.duckdb"))
        ep = EndpointSettings(base_url=server.base_url, model=model, concurrency=concurrency)
        settings = PRODUCERS.make_settings("answers", source="prompts", answer_max_tokens=max_tokens,
                                           answer_temperature=0.0)
        t0 = time.perf_counter()
        r = produce(store, "answers", ep, settings, RunInput(prompts=prompts(n)), author="bench")
        seconds = time.perf_counter() - t0
        store.close()
    return {"concurrency": concurrency, "seconds": round(seconds, 2), "requests": r["requests"],
            "cached": r["cached"], "stored": len(r["inserted"]), "rejected": r["rejected"],
            "completion_tokens": r["completion_tokens"],
            "requests_per_s": round(r["requests"] / seconds, 2),
            "completion_tokens_per_s": round(r["completion_tokens"] / seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="tiny", help="the model `curation serve` serves (tiny | smollm2-135m)")
    ap.add_argument("--n", type=int, default=32, help="prompts in the job")
    ap.add_argument("--max-tokens", type=int, default=32, help="answer tokens at most")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    from training.serve import ChatModel, ServeSettings, start_server
    t0 = time.perf_counter()
    model = ChatModel(args.preset, device=args.device)
    load_s = time.perf_counter() - t0
    server = start_server(ServeSettings(base_model=args.preset, port=0), model=model, log=lambda msg: None)
    server.start()
    try:
        run_once(server, 8, 4, args.max_tokens, args.preset)  # warm-up (first forward passes), not reported
        one = run_once(server, 1, args.n, args.max_tokens, args.preset)
        eight = run_once(server, 8, args.n, args.max_tokens, args.preset)
    finally:
        server.stop()
    print(json.dumps({"benchmark": "production_throughput", "preset": args.preset, "device": args.device,
                      "n_prompts": args.n, "max_tokens": args.max_tokens, "model_load_s": round(load_s, 1),
                      "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                      "concurrency_1": one, "concurrency_8": eight,
                      "speedup_8_vs_1": round(one["seconds"] / eight["seconds"], 2)}, indent=1))


if __name__ == "__main__":
    main()
