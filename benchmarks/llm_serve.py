"""Benchmark: `curation serve` throughput with the client at concurrency 8 against concurrency 1 (the baseline),
in one run, on the same prompts.

    python benchmarks/llm_serve.py                        # tiny preset, 32 prompts, 32 new tokens each
    python benchmarks/llm_serve.py --base-model smollm2-135m --requests 16

The server batches the requests waiting at each moment (greedy rows decode together in the training package's
continuous-batching decoder), so concurrent requests should finish faster than one after the other. Greedy
tokens do not depend on the batch, up to float rounding: the share of answers identical in both runs is
reported too. No response cache (no store): every request is decoded. Prints one JSON document.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOPICS = ["the moon", "a cat", "rain", "bread", "a train", "the sea", "a garden", "winter", "music", "a library",
          "coffee", "mountains", "a river", "the city", "a bicycle", "snow"]


def prompts(n: int) -> list[list[dict]]:
    out = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        text = f"Write two sentences about {topic}." if i % 2 == 0 else f"请用两句话介绍{topic}。"
        out.append([{"role": "user", "content": text}])
    return out


def timed(client, reqs) -> tuple[float, list]:
    t0 = time.perf_counter()
    results = client.chat_many(reqs)
    return time.perf_counter() - t0, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-model", default="tiny")
    ap.add_argument("--requests", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    from curation.llm import EndpointSettings, LLMClient, LLMError
    from training.serve import ServeSettings, start_server

    server = start_server(ServeSettings(base_model=args.base_model, port=0, device="cpu",
                                        max_batch=args.concurrency), log=lambda m: None).start()
    try:
        reqs = [{"messages": m, "temperature": 0, "max_tokens": args.max_tokens, "allow_truncated": True}
                for m in prompts(args.requests)]

        def client(c):
            return LLMClient(EndpointSettings(base_url=server.base_url, model=server.model.name, concurrency=c,
                                              timeout_s=1200))

        client(1).chat(**reqs[0])  # warm-up: first-call allocations are not part of either figure
        base_s, base = timed(client(1), reqs)
        conc_s, conc = timed(client(args.concurrency), reqs)
    finally:
        server.stop()
    errors = [r for r in base + conc if isinstance(r, LLMError)]
    tokens = sum(r.completion_tokens for r in conc if not isinstance(r, LLMError))
    same = sum(a.text == b.text for a, b in zip(base, conc) if not isinstance(a, LLMError) and
               not isinstance(b, LLMError))
    print(json.dumps({
        "benchmark": "llm_serve", "platform": platform.platform(), "model": server.model.name,
        "requests": args.requests, "max_tokens": args.max_tokens, "completion_tokens": tokens,
        "baseline_concurrency_1_s": round(base_s, 2), f"concurrency_{args.concurrency}_s": round(conc_s, 2),
        "speedup": round(base_s / conc_s, 2) if conc_s else None,
        "requests_per_s": {"concurrency_1": round(args.requests / base_s, 2),
                           f"concurrency_{args.concurrency}": round(args.requests / conc_s, 2)},
        "identical_answers": f"{same}/{args.requests}", "errors": len(errors)}, indent=1))


if __name__ == "__main__":
    main()
