"""Benchmark: batched greedy generation (training/generation.py, what evaluation uses) against one `generate`
call per prompt, on the same model and the same prompts, in the same process run.

    python benchmarks/eval_throughput.py                       # offline tiny model, 32 prompts, batch 8
    python benchmarks/eval_throughput.py --threads 1           # on a CPU other processes are using
    python benchmarks/eval_throughput.py --model Qwen/Qwen2.5-0.5B-Instruct --prompts 64
    nice -n 5 python benchmarks/eval_throughput.py --model smollm2-135m --prompts 16 --threads 1 --repeat 1

The baseline is plain Hugging Face `model.generate`, one call per prompt (no padding at all), with a greedy
configuration that decodes exactly like the batched path: the same stop tokens, and the options `generate`
would inherit from the model's generation_config (e.g. a repetition penalty) set to neutral. Both are warmed up
once before timing.

Prints one JSON document: wall time and prompts/s of both (medians over --repeat back-to-back timings, each
listed), their ratio (median of the per-repeat ratios; target >= 3x on CPU with batch 8), the load average
at the start and the end, the generated token counts, and how many outputs are identical between the two
(left padding can change the last bits of a logit, so a few greedy continuations may differ; the share shows
it is small).
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 3.0


def prompts(n: int, seed: int = 1) -> list[dict]:
    """Chat samples of mixed length (zh and en, short and long questions), seeded; never the eval split."""
    from training import tiny_corpus

    rng = random.Random(seed)
    out = []
    while len(out) < n:
        messages, tools = tiny_corpus.dialogue(rng)
        if messages[-1]["role"] == "assistant" and not tools:
            out.append({"messages": messages})
    return out


def one_by_one(model, tok, texts: list[str], max_new: int, stops, device) -> tuple[list[str], int]:
    """The baseline: one plain `model.generate` call per prompt, the same greedy decoding."""
    import torch

    from training.generation import greedy_generation_config

    config = greedy_generation_config(tok, max_new, stops)
    outs, tokens = [], 0
    with torch.inference_mode():
        for t in texts:
            ids = torch.tensor([tok(t, add_special_tokens=False)["input_ids"]], device=device)
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)
            new = out[0, ids.shape[1]:]
            tokens += int(new.numel())
            outs.append(tok.decode(new, skip_special_tokens=True).strip())
    return outs, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny", help="an offline preset (tiny, smollm2-135m), a Hugging Face id "
                                                         "or a folder")
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads (0 = torch's default); on a CPU shared with other busy processes "
                             "1 thread avoids the spin-wait slowdown of several")
    parser.add_argument("--repeat", type=int, default=3,
                        help="time both paths this many times; the ratio is the median of the per-repeat ratios")
    args = parser.parse_args()

    import os

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from training.generation import chat_prompts, generate
    from training.models import load_model
    from training.template import end_of_turn_ids

    torch.manual_seed(0)
    loaded = load_model(args.model, args.device)
    tok = loaded.tok.tokenizer
    stops = end_of_turn_ids(tok, loaded.tok.extra_eot_ids)
    texts = chat_prompts(tok, prompts(args.prompts))
    # Warm-up of both paths: first-call overheads (allocator, kernel selection) count for neither.
    generate(loaded.model, tok, texts[:2], 4, 2, tuple(stops), loaded.device)
    one_by_one(loaded.model, tok, texts[:1], 4, stops, loaded.device)

    # Each repeat times both paths back to back; the ratio reported is the median of the per-repeat ratios,
    # so one burst of load from another process on a shared machine does not decide the result.
    runs = []
    load_start = os.getloadavg()[0]
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        single, single_tokens = one_by_one(loaded.model, tok, texts, args.max_new_tokens, stops, loaded.device)
        t_single = time.perf_counter() - t0
        t0 = time.perf_counter()
        batched = generate(loaded.model, tok, texts, args.max_new_tokens, args.batch_size, tuple(stops),
                           loaded.device)
        t_batched = time.perf_counter() - t0
        runs.append((t_single, t_batched))
    batched_tokens = sum(len(tok(o, add_special_tokens=False)["input_ids"]) for o in batched)

    ratios = [a / b for a, b in runs]
    ratio = statistics.median(ratios)
    t_single, t_batched = statistics.median(a for a, _ in runs), statistics.median(b for _, b in runs)
    print(json.dumps({
        "benchmark": "eval_throughput", "model": args.model, "device": loaded.device, "precision": loaded.precision,
        "cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
        "load_average_1min": round(load_start, 2), "load_average_1min_end": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "prompts": len(texts), "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "baseline": "one model.generate call per prompt (same greedy settings, no padding)",
        "batched_path": "lean greedy loop with KV cache, continuous batching (training/generation.py)",
        "repeats": len(runs),
        "one_by_one": {"seconds": round(t_single, 3), "prompts_per_s": round(len(texts) / t_single, 2),
                       "generated_tokens": single_tokens, "seconds_each": [round(a, 3) for a, _ in runs]},
        "batched": {"seconds": round(t_batched, 3), "prompts_per_s": round(len(texts) / t_batched, 2),
                    "generated_tokens_decoded": batched_tokens, "seconds_each": [round(b, 3) for _, b in runs]},
        "ratio": round(ratio, 2), "ratios": [round(r, 2) for r in ratios], "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "identical_outputs_share": round(sum(a == b for a, b in zip(single, batched)) / len(texts), 3),
    }, indent=1))


if __name__ == "__main__":
    main()
