"""The offline preset `tiny`: a small Qwen2-architecture chat model the project builds and caches itself.

No download is needed: a byte-level BPE tokenizer is trained on the generated zh+en corpus of
`training/tiny_corpus.py`, then a ~1.8M-parameter model is pre-trained on that corpus for a fixed number of
steps (about 200 CPU-seconds, two to three minutes on two idle cores). Everything is seeded, and the result is
cached in
`$SFT_WORKBENCH_CACHE/tiny/<spec hash>/` (default `~/.cache/sft-workbench/tiny/...`) so later runs reuse it.
The folder is an ordinary Hugging Face model folder (safetensors weights, tokenizer with a chat template).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
BUILD_VERSION = 2  # bump whenever the corpus or the build recipe changes, so caches are rebuilt


@dataclass(frozen=True)
class TinySpec:
    """Size and pre-training budget of the tiny model."""

    vocab_size: int = 8192  # room for the 3,755 common Chinese characters plus English words and digits
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 2  # grouped-query attention, as in Qwen2
    max_positions: int = 1024
    seq_len: int = 128  # pre-training block length
    batch_size: int = 16
    steps: int = 200  # about 410k tokens: enough for the chat format and common-word statistics
    learning_rate: float = 3e-3  # high, because the model is tiny and the budget short
    n_documents: int = 12_000
    seed: int = 0

    def key(self) -> str:
        blob = json.dumps({**dataclasses.asdict(self), "version": BUILD_VERSION, "sources": _source_versions()},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _source_versions() -> dict:
    """Versions of the packages whose word lists feed the corpus (a change means a different model)."""
    import importlib.metadata as md

    out = {}
    for name in ("pyspellchecker", "pypinyin", "tokenizers"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def cache_root() -> Path:
    """Where built artefacts are cached: $SFT_WORKBENCH_CACHE or ~/.cache/sft-workbench."""
    env = os.environ.get("SFT_WORKBENCH_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "sft-workbench"


def tiny_dir(spec: TinySpec = TinySpec()) -> Path:
    return cache_root() / "tiny" / spec.key()


def is_built(spec: TinySpec = TinySpec()) -> bool:
    return (tiny_dir(spec) / "model" / "build.json").exists()


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_tiny(spec: TinySpec = TinySpec(), log=_stderr) -> Path:
    """Return the tiny model folder, building it first if it is not cached (safe across processes)."""
    import fcntl

    model_dir = tiny_dir(spec) / "model"
    if is_built(spec):
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(model_dir.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here, then finds the finished build
        if not is_built(spec):
            _build(spec, model_dir, log)
    return model_dir


def ensure_tiny_tokenizer(spec: TinySpec = TinySpec()) -> Path:
    """Return a folder with just the tiny tokenizer (seconds to build), for audits and masking checks."""
    import fcntl

    tok_dir = tiny_dir(spec) / "tokenizer"
    if (tok_dir / "tokenizer.json").exists():
        return tok_dir
    tok_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(tok_dir.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _tokenizer_dir_locked(spec)


def _tokenizer_dir_locked(spec: TinySpec) -> Path:
    """The tokenizer folder, built if missing; the caller holds the lock. The model build reuses it, so the
    tokenizer an audit sees is exactly the model's."""
    tok_dir = tiny_dir(spec) / "tokenizer"
    if not (tok_dir / "tokenizer.json").exists():
        _save_atomically(tok_dir, lambda d: build_tokenizer(spec).save_pretrained(d))
    return tok_dir


def _save_atomically(final: Path, write) -> None:
    tmp = final.with_name(final.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    write(tmp)
    try:
        os.replace(tmp, final)
    except OSError:  # someone placed a finished copy meanwhile (e.g. a copied cache): keep theirs
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        if not final.exists():
            raise


def corpus(spec: TinySpec) -> tuple[list[str], list[tuple[list[dict], list | None]]]:
    """The seeded general-text documents and chat dialogues used for pre-training."""
    from . import tiny_corpus

    rng = random.Random(spec.seed)
    n_dialogues = spec.n_documents // 2
    docs = tiny_corpus.plain_documents(rng, spec.n_documents - n_dialogues)
    dialogues = [tiny_corpus.dialogue(rng) for _ in range(n_dialogues)]
    return docs, dialogues


def build_tokenizer(spec: TinySpec = TinySpec()):
    """Train the byte-level BPE tokenizer (digits split one by one, as Qwen does) and wrap it for transformers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from . import tiny_corpus
    from .template import chatml_template, render, to_template_messages

    docs, dialogues = corpus(spec)
    text_tok = Tokenizer(models.BPE())
    text_tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)])
    text_tok.decoder = decoders.ByteLevel()
    text_tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=spec.vocab_size, min_frequency=2, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    # Dialogues are rendered so the template's words ("assistant", "<tool_call>") become single tokens.
    chatml = chatml_template("<|im_end|>")
    plain = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.BPE()))
    plain.chat_template = chatml
    rendered = [render(plain, to_template_messages(m), t) for m, t in dialogues]
    hanzi = tiny_corpus.hanzi_documents(random.Random(spec.seed + 1))
    text_tok.train_from_iterator(docs + rendered + hanzi, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=text_tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  model_max_length=spec.max_positions)
    tok.chat_template = chatml
    return tok


def _build(spec: TinySpec, model_dir: Path, log) -> None:
    """Tokenizer, then pre-training, then save as safetensors with a record of how it was made."""
    import torch
    from transformers import AutoTokenizer

    t0 = time.time()
    log(f"building the offline tiny model (seed {spec.seed}, {spec.steps} steps) in {model_dir}")
    tok = AutoTokenizer.from_pretrained(_tokenizer_dir_locked(spec))
    stream = _token_stream(tok, spec)
    model = _new_model(spec, tok)
    losses = _pretrain(model, stream, spec, log)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id

    def write(d: Path) -> None:
        model.save_pretrained(d, safe_serialization=True)
        tok.save_pretrained(d)
        record = {"spec": dataclasses.asdict(spec), "version": BUILD_VERSION, "tokens": int(stream.numel()),
                  "parameters": sum(p.numel() for p in model.parameters()), "loss_first": losses[0],
                  "loss_last": sum(losses[-10:]) / len(losses[-10:]), "seconds": round(time.time() - t0, 1),
                  "torch": torch.__version__}
        (d / "build.json").write_text(json.dumps(record, indent=1))

    _save_atomically(model_dir, write)
    log(f"tiny model ready in {time.time() - t0:.0f}s (loss {losses[0]:.2f} -> {losses[-1]:.2f})")


def _token_stream(tok, spec: TinySpec):
    """All documents and rendered dialogues as one token stream, separated by <|endoftext|>."""
    import torch

    from .template import render, to_template_messages

    docs, dialogues = corpus(spec)
    texts = docs + [render(tok, to_template_messages(m), t) for m, t in dialogues]
    random.Random(spec.seed + 2).shuffle(texts)
    sep = tok.convert_tokens_to_ids("<|endoftext|>")
    ids: list[int] = []
    for enc in tok(texts, add_special_tokens=False)["input_ids"]:
        ids += enc + [sep]
    return torch.tensor(ids, dtype=torch.long)


def _new_model(spec: TinySpec, tok):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(spec.seed)
    config = Qwen2Config(
        vocab_size=len(tok), hidden_size=spec.hidden_size, intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_layers, num_attention_heads=spec.num_heads,
        num_key_value_heads=spec.num_kv_heads, max_position_embeddings=spec.max_positions,
        tie_word_embeddings=True, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
        bos_token_id=None, use_cache=True)
    return Qwen2ForCausalLM(config)


def _pretrain(model, stream, spec: TinySpec, log) -> list[float]:
    """Next-token training on random blocks of the stream, AdamW with warmup and cosine decay."""
    import math

    import torch

    gen = torch.Generator().manual_seed(spec.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.learning_rate, weight_decay=0.01, betas=(0.9, 0.95))
    warmup = max(1, spec.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (
        1 + math.cos(math.pi * min(1.0, s / spec.steps))))
    n_blocks = (stream.numel() - 1) // spec.seq_len
    model.train()
    losses = []
    for step in range(spec.steps):
        starts = torch.randint(0, n_blocks, (spec.batch_size,), generator=gen) * spec.seq_len
        batch = torch.stack([stream[s:s + spec.seq_len] for s in starts.tolist()])
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
        if step % 40 == 0 or step == spec.steps - 1:
            log(f"tiny pre-training step {step + 1}/{spec.steps} loss {losses[-1]:.3f}")
    model.eval()
    return losses
