"""Benchmark: batched greedy generation (training/generation.py, what evaluation uses) against one `generate`
call per prompt, on the same model and the same prompts, in the same process run.

    python benchmarks/eval_throughput.py                       # offline tiny model, 32 prompts, batch 8
    python benchmarks/eval_throughput.py --model Qwen/Qwen2.5-0.5B-Instruct --prompts 64

Prints one JSON document: wall time and prompts/s of both, their ratio (target >= 3x on CPU with batch 8),
the generated token counts, and how many outputs are identical between the two (left padding can change the
last bits of a logit, so a few greedy continuations may differ; the share shows it is small).
"""
from __future__ import annotations

import argparse
import json
import platform
import random
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
    """The baseline: one generate call per prompt, same greedy configuration."""
    import torch
    from transformers import GenerationConfig

    config = GenerationConfig(max_new_tokens=max_new, do_sample=False, num_beams=1, eos_token_id=sorted(stops),
                              pad_token_id=tok.pad_token_id)
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
    parser.add_argument("--model", default="tiny", help="tiny (offline preset), a Hugging Face id or a folder")
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads (0 = torch's default); on a CPU shared with other busy processes "
                             "1 thread avoids the spin-wait slowdown of several")
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
    generate(loaded.model, tok, texts[:2], 4, 2, tuple(stops), loaded.device)  # warm-up: first-call overheads

    t0 = time.perf_counter()
    single, single_tokens = one_by_one(loaded.model, tok, texts, args.max_new_tokens, stops, loaded.device)
    t_single = time.perf_counter() - t0
    t0 = time.perf_counter()
    batched = generate(loaded.model, tok, texts, args.max_new_tokens, args.batch_size, tuple(stops), loaded.device)
    t_batched = time.perf_counter() - t0
    batched_tokens = sum(len(tok(o, add_special_tokens=False)["input_ids"]) for o in batched)

    ratio = t_single / t_batched
    print(json.dumps({
        "benchmark": "eval_throughput", "model": args.model, "device": loaded.device, "precision": loaded.precision,
        "cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
        "load_average_1min": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count(),
        "prompts": len(texts), "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "baseline": "one model.generate call per prompt (same greedy settings)",
        "one_by_one": {"seconds": round(t_single, 3), "prompts_per_s": round(len(texts) / t_single, 2),
                       "generated_tokens": single_tokens},
        "batched": {"seconds": round(t_batched, 3), "prompts_per_s": round(len(texts) / t_batched, 2),
                    "generated_tokens_decoded": batched_tokens},
        "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO, "meets_target": ratio >= TARGET_RATIO,
        "identical_outputs_share": round(sum(a == b for a, b in zip(single, batched)) / len(texts), 3),
    }, indent=1))


if __name__ == "__main__":
    main()
