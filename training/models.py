"""Base models: an offline preset (training/presets.py), a local folder or a Hugging Face id; device and precision
choice.

Weights are loaded from safetensors only. A model that is neither cached nor downloadable gives a UserError
that says what to do, within seconds (the hub client would otherwise retry for about a minute).
"""
from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from curation.errors import UserError

from .presets import TINY, get_preset, preset_names
from .template import ensure_chat_template

HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
DEFAULT_ONLINE_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"


@dataclass
class TokenizerInfo:
    """A tokenizer ready for training: chat template set, pad token set."""

    tokenizer: object
    template: str  # "own" | "chatml-fallback"
    extra_eot_ids: tuple  # the model's generation eos ids (end-of-turn tokens beyond the tokenizer's eos)
    source: str


@dataclass
class Loaded:
    """A model on its device, with its tokenizer and what it ran on."""

    model: object
    tok: TokenizerInfo
    device: str  # "cuda" | "cpu"
    precision: str  # "bf16" | "fp16" | "fp32"
    source: str


def resolve_source(base_model: str, build_tiny: bool = True) -> str:
    """A loadable location for `base_model`: the tiny folder, a checked local folder, or a hub id."""
    name = (base_model or "").strip()
    if not name:
        raise UserError(f"no base model given; use {_offline()} or an id such as {DEFAULT_ONLINE_MODEL}")
    if name == TINY:
        from .tiny import ensure_tiny, ensure_tiny_tokenizer, is_built

        return str(ensure_tiny() if build_tiny or is_built() else ensure_tiny_tokenizer())
    if get_preset(name):
        from .presets import ensure_preset

        return ensure_preset(name)
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name:
        return _check_folder(path)
    if not HF_ID.match(name):
        raise UserError(f"{name!r} is not an offline preset, a model folder or a Hugging Face id like "
                        f"{DEFAULT_ONLINE_MODEL}; the offline presets are: {', '.join(preset_names())}")
    return name


def _offline() -> str:
    return "an offline preset (" + ", ".join(preset_names()) + ")"


def _check_folder(path: Path) -> str:
    if not path.is_dir():
        raise UserError(f"model folder {path} does not exist; pass an existing folder, a Hugging Face id, or "
                        f"{_offline()}")
    if not (path / "config.json").exists() and not (path / "tokenizer_config.json").exists():
        raise UserError(f"{path} is not a model folder (no config.json); point to the folder that "
                        f"save_pretrained wrote")
    return str(path)


def _hub_kwargs(source: str) -> dict:
    """local_files_only for cached or unreachable hub models, so a miss fails fast with a clear message."""
    if Path(source).exists():
        return {}
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(source, "config.json")
    if isinstance(cached, str):
        return {"local_files_only": True}
    if os.environ.get("HF_HUB_OFFLINE") in ("1", "true", "True") or not _hub_reachable():
        raise UserError(f"model {source} is not in the local Hugging Face cache and huggingface.co cannot be "
                        f"reached; connect to the internet, download it elsewhere (huggingface-cli download "
                        f"{source}) and pass the folder, or use {_offline()}")
    return {}


def _hub_reachable(timeout: float = 3.0) -> bool:
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _load_failed(source: str, e: Exception) -> UserError:
    first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
    return UserError(f"could not load model {source}: {first}. Check the id or folder, or use {_offline()}")


def load_tokenizer(base_model: str) -> TokenizerInfo:
    """Tokenizer of the base model with a chat template (its own or ChatML) and a pad token."""
    from transformers import AutoTokenizer, GenerationConfig

    source = resolve_source(base_model, build_tiny=False)
    kwargs = _hub_kwargs(source)
    try:
        tok = AutoTokenizer.from_pretrained(source, **kwargs)
    except UserError:
        raise
    except Exception as e:  # the hub and tokenizer loaders raise many types; all mean "cannot load"
        raise _load_failed(source, e) from None
    template = ensure_chat_template(tok)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token  # padding is masked out, any token will do
    try:
        gen_eos = GenerationConfig.from_pretrained(source, **kwargs).eos_token_id
    except Exception:  # no generation_config.json: the tokenizer's eos is all we know
        gen_eos = None
    extra = tuple(gen_eos) if isinstance(gen_eos, (list, tuple)) else ((gen_eos,) if gen_eos is not None else ())
    return TokenizerInfo(tok, template, extra, source)


def pick_device(device: str = "auto", precision: str = "auto") -> tuple[str, str]:
    """(device, precision): CUDA with bf16 (fp16 where bf16 is missing), else CPU with fp32."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("device cuda was requested but no CUDA GPU is visible; use device auto or cpu")
    dev = "cuda" if device in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
    if precision != "auto":
        if dev == "cpu" and precision == "fp16":
            raise UserError("fp16 is not supported on the CPU; use precision auto, fp32 or bf16")
        if dev == "cuda" and precision == "bf16" and not torch.cuda.is_bf16_supported():
            raise UserError("this GPU has no bf16 support; use precision auto or fp16")
        return dev, precision
    if dev == "cuda":
        return dev, "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return dev, "fp32"


def torch_dtype(precision: str):
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]


def load_model(base_model: str, device: str = "auto", precision: str = "auto", for_training: bool = False) -> Loaded:
    """Base model and tokenizer on the chosen device (safetensors weights only).

    For training, fp16 runs keep fp32 master weights (autocast does the fp16 math); bf16 weights are fine.
    """
    from transformers import AutoModelForCausalLM

    dev, prec = pick_device(device, precision)
    dtype = torch_dtype("fp32" if (for_training and prec == "fp16") else prec)
    for attempt in (1, 2):
        source = resolve_source(base_model)
        tok = load_tokenizer(source if get_preset(base_model) else base_model)
        try:
            model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, use_safetensors=True,
                                                         **_hub_kwargs(source))
            break
        except UserError:
            raise
        except Exception as e:
            if attempt == 1 and _rebuildable(base_model):
                continue  # a converted cache that passed its checks yet fails to load: convert it again
            raise _load_failed(source, e) from None
    model.to(dev)
    return Loaded(model, tok, dev, prec, source)


def _rebuildable(base_model: str) -> bool:
    """True (after marking the cache stale) if `base_model` is a converted preset whose cache can be rebuilt."""
    from .presets import SMOLLM2

    if (base_model or "").strip() != SMOLLM2:
        return False
    from .smollm2 import invalidate

    invalidate()
    return True


def load_tuned(run_dir, device: str = "auto", precision: str = "auto", checkpoint=None) -> Loaded:
    """Base model plus a run's adapter (the final one, or `checkpoint` folder), ready for evaluation."""
    import json

    from peft import PeftModel

    run = Path(run_dir)
    adapter = Path(checkpoint) if checkpoint else run / "adapter"
    if not (adapter / "adapter_model.safetensors").exists():
        raise UserError(f"{adapter} has no adapter_model.safetensors; the run has not finished (see its status)")
    config = json.loads((run / "config.json").read_text())
    loaded = load_model(config["base_model"], device, precision)
    loaded.model = PeftModel.from_pretrained(loaded.model, str(adapter))  # reads adapter_model.safetensors
    loaded.model.eval()
    return loaded
