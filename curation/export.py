"""Export a selection for training: messages JSONL (or Alpaca / ShareGPT for other trainers) and a manifest.

The manifest makes a run traceable to exactly the samples it saw: ids per split, counts per task_type, the
filter, the store revision and a content hash over the written files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import UserError
from .messages import structural_problem, to_alpaca, to_sharegpt
from .store import SampleFilter, Store, curated_filter

EXPORT_FORMATS = ("messages", "alpaca", "sharegpt")


@dataclass
class ExportSettings:
    """How to write the selection."""

    format: str = "messages"  # messages (OpenAI JSONL) | alpaca | sharegpt (both with a LLaMA-Factory dataset_info)
    eval_fraction: float = 0.1  # share of each task_type held out, so every type is measured after training
    seed: int = 42  # fixes which samples go to eval; the same seed and selection give the same split
    keep_existing_split: bool = True  # samples already marked train/eval keep that split
    overwrite: bool = False  # allow writing into a non-empty folder


def assign_splits(rows: list[dict], eval_fraction: float, seed: int, keep_existing: bool = True) -> dict[str, str]:
    """Stratified train/eval split by task_type that keeps each family together: id -> "train" | "eval".

    A family is a sample and the variants generated from it (robustness variants name it in `parent_id`):
    a variant in train and its parent in eval would make the eval item a near copy of a training sample.
    Within each type, families are ordered by a seeded hash of their root id, so the split is stable when
    other samples are added; each type with two or more samples gets at least one eval item, and eval never
    takes a type's last family. A family with a sample marked train/eval follows that mark (the root's first).
    """
    out, groups = {}, defaultdict(list)
    for root, members in families(rows).items():
        marked = [m["split"] for m in members if keep_existing and m.get("split") in ("train", "eval")]
        if marked:
            root_mark = next((m["split"] for m in members if m["id"] == root and keep_existing
                              and m.get("split") in ("train", "eval")), None)
            out.update({m["id"]: root_mark or marked[0] for m in members})
            continue
        head = next((m for m in members if m["id"] == root), members[0])
        groups[head.get("task_type") or ""].append((root, [m["id"] for m in members]))
    for fams in groups.values():
        fams.sort(key=lambda f: hashlib.sha256(f"{seed}\0{f[0]}".encode()).hexdigest())
        size = sum(len(ids) for _, ids in fams)
        n_eval = round(size * eval_fraction)
        if eval_fraction > 0 and n_eval == 0 and size >= 2:
            n_eval = 1
        taken = 0
        for k, (_, ids) in enumerate(fams):
            split = "eval" if taken < n_eval and k < len(fams) - 1 else "train"
            taken += len(ids) if split == "eval" else 0
            out.update({i: split for i in ids})
    return out


def families(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows grouped by the root of their `parent_id` chain (a variant whose parent is not among `rows` still
    joins its siblings under the parent's id); a sample without a parent is its own root."""
    parent = {r["id"]: r.get("parent_id") for r in rows}

    def root(i: str) -> str:
        seen = set()
        while parent.get(i) and i not in seen:
            seen.add(i)
            i = parent[i]
        return i

    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[root(r["id"])].append(r)
    return dict(out)


def _record(s: dict) -> dict:
    rec = {"id": s["id"], "dataset": s["dataset"], "task_type": s["task_type"], "messages": s["messages"]}
    if s.get("tools"):
        rec["tools"] = s["tools"]
    rec.update(tags=s["tags"], language=s["language"])
    return rec


def check_out_dir(out_dir: Path, overwrite: bool) -> None:
    """Refuse an output folder that is a file, or not empty without `overwrite` (creates nothing)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} exists and is not a folder")
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise UserError(f"{out_dir} is not empty; choose a new folder or pass --overwrite")


def _prepare_dir(out_dir: Path, overwrite: bool) -> None:
    check_out_dir(out_dir, overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks (exports can be gigabytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_selection(store: Store, out_dir: str | Path, f: SampleFilter | None = None,
                     settings: ExportSettings | None = None, chunks=None, chunk_size: int = 2000) -> dict:
    """Write the selection (default: everything not rejected and not a duplicate) and return the manifest.

    The samples are written `chunk_size` at a time; after each chunk the files are flushed to disk and their
    sizes recorded with `chunks`' checkpoint (a job's, see curation/jobs.py). A resumed export cuts the files back
    to the sizes of its last committed chunk and goes on from there, so no sample is written twice or lost.
    """
    from .chunks import Direct

    settings = settings or ExportSettings()
    if settings.format not in EXPORT_FORMATS:
        raise UserError(f"unknown export format {settings.format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if not 0 <= settings.eval_fraction < 1:
        raise UserError(f"eval fraction must be in [0, 1), got {settings.eval_fraction}")
    chunks = chunks or Direct()
    f = f or curated_filter()
    out_dir = Path(out_dir)
    rows = store.samples.list(f, columns=("id", "task_l1", "task_l2", "split", "parent_id"))
    if not rows:
        raise UserError("the selection is empty: nothing to export")
    state = chunks.checkpoint
    if state is None:
        _prepare_dir(out_dir, settings.overwrite)
    elif store.revision() != state["revision"]:
        raise UserError(f"the store changed since this export started (revision {state['revision']} -> "
                        f"{store.revision()}): resuming would mix two versions of the data in one export; export "
                        "again into a new folder")
    split_of = assign_splits(rows, settings.eval_fraction, settings.seed, settings.keep_existing_split)
    revision = store.revision() if state is None else state["revision"]
    writer = _Writer(out_dir, settings.format, resume=state)
    if state is None:  # committed before any sample is written: a resume always finds the files its own
        state = chunks.commit({"offset": 0, "revision": revision, **writer.position()}, 0, len(rows),
                              returns="checkpoint")
    total = len(rows)
    for k, s in enumerate(store.samples.iter(f)):
        if k < state["offset"]:
            writer.account(split_of[s["id"]], s)  # written by the interrupted attempt: counted, not rewritten
            continue
        writer.add(split_of[s["id"]], s)
        if (k + 1) % chunk_size == 0 and k + 1 < total:
            state = {**state, "offset": k + 1, **writer.position()}
            chunks.commit(state, k + 1, total, message=f"{k + 1:,} of {total:,} samples written")
    manifest = _finish(writer, out_dir, {
        "format": settings.format, "created_at": _now_iso(),
        "store": str(store.path), "store_revision": revision, "filter": f.to_dict(),
        "seed": settings.seed, "eval_fraction": settings.eval_fraction, "settings": dataclasses.asdict(settings),
        # Samples whose marked split was overridden to keep their family (parent and variants) on one side.
        "moved_to_family_split": sorted(r["id"] for r in rows if settings.keep_existing_split
                                        and r.get("split") in ("train", "eval") and split_of[r["id"]] != r["split"])})
    chunks.commit({**state, "offset": total, "logged": True}, total, total, lambda: store.exports.add(
        out_dir=str(out_dir), format=settings.format, filter=manifest["filter"], store_revision=revision,
        content_hash=manifest["content_hash"], n_samples=sum(manifest["total"].values())))
    return manifest


def write_samples(out_dir: str | Path, train: list[dict], eval_: list[dict], header: dict) -> dict:
    """Write prepared samples (e.g. older revisions, which a filter cannot select) as a messages export with
    the same files and manifest as `export_selection`; `header` adds what describes the selection."""
    out_dir = Path(out_dir)
    _prepare_dir(out_dir, overwrite=False)
    writer = _Writer(out_dir, "messages")
    for split, samples in (("train", train), ("eval", eval_)):
        for s in samples:
            writer.add(split, s)
    return _finish(writer, out_dir, {"format": "messages", "created_at": _now_iso(), **header})


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _finish(writer: "_Writer", out_dir: Path, header: dict) -> dict:
    """Close the files and write manifest.json: counts, ids, tags and a content hash over the data files."""
    files = writer.close()
    manifest = {**header, "counts": writer.counts, "total": {k: sum(v.values()) for k, v in writer.counts.items()},
                "ids": writer.ids, "tags": writer.tags, "skipped": writer.skipped,
                "files": {name: file_sha256(out_dir / name) for name in files}}
    manifest["content_hash"] = hashlib.sha256(json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


class _Writer:
    """Streams samples into per-split files in the chosen format, counting as it goes."""

    def __init__(self, out_dir: Path, fmt: str, resume: dict | None = None):
        self.out_dir, self.fmt = out_dir, fmt
        self.counts: dict[str, dict[str, int]] = {"train": {}, "eval": {}}
        self.ids: dict[str, list[str]] = {"train": [], "eval": []}
        self.tags: dict[str, list[str]] = {}
        self.skipped: list[dict] = []
        ext = "jsonl" if fmt == "messages" else "json"
        self.names = {sp: f"{sp}.{ext}" for sp in ("train", "eval")}
        self.first = {"train": True, "eval": True}
        if resume is not None:  # cut each file back to its size at the last committed chunk, append from there
            for sp, name in self.names.items():
                _truncate(out_dir / name, resume["sizes"][sp])
            self.first = dict(resume["first"])
            self.handles = {sp: open(out_dir / name, "a", encoding="utf-8") for sp, name in self.names.items()}
            return
        self.handles = {sp: open(out_dir / name, "w", encoding="utf-8") for sp, name in self.names.items()}
        if fmt != "messages":
            for h in self.handles.values():
                h.write("[\n")

    def position(self) -> dict:
        """The files' sizes once flushed to disk (fsync), for a checkpoint a resumed export cuts back to."""
        sizes = {}
        for sp, h in self.handles.items():
            h.flush()
            os.fsync(h.fileno())
            sizes[sp] = os.fstat(h.fileno()).st_size
        return {"sizes": sizes, "first": dict(self.first)}

    def add(self, split: str, s: dict) -> None:
        rec = self._convert(s)
        if rec is None:
            self.skipped.append({"id": s["id"], "reason": self._skip_reason(s)})
            return
        line = json.dumps(rec, ensure_ascii=False)
        h = self.handles[split]
        if self.fmt == "messages":
            h.write(line + "\n")
        else:
            h.write(("" if self.first[split] else ",\n") + line)
            self.first[split] = False
        self._count(split, s)

    def account(self, split: str, s: dict) -> None:
        """Count a sample an interrupted attempt already wrote (the manifest lists it; the file holds it)."""
        if self._convert(s) is None:
            self.skipped.append({"id": s["id"], "reason": self._skip_reason(s)})
            return
        self._count(split, s)

    def _count(self, split: str, s: dict) -> None:
        label = s["task_type"] or "(untyped)"
        self.counts[split][label] = self.counts[split].get(label, 0) + 1
        self.ids[split].append(s["id"])
        if s["tags"]:
            self.tags[s["id"]] = s["tags"]

    def _skip_reason(self, s: dict) -> str:
        problem = structural_problem(s["messages"])
        if problem:
            return f"its stored turns cannot be read as a conversation ({problem}): fix or reject it in Review"
        return f"has tool turns, which {self.fmt} cannot hold"

    def _convert(self, s: dict) -> dict | None:
        # A stored conversation that is not turns at all (an older store, a direct write) is never written: a
        # trainer would fail on it or learn from a guess. It is listed in the manifest's `skipped` with the rule.
        if structural_problem(s["messages"]):
            return None
        if self.fmt == "messages":
            return _record(s)
        rec = to_alpaca(s["messages"]) if self.fmt == "alpaca" else to_sharegpt(s["messages"], s.get("tools"))
        if rec is not None:
            rec.update(id=s["id"], task_type=s["task_type"])
        return rec

    def close(self) -> list[str]:
        for h in self.handles.values():
            if self.fmt != "messages":
                h.write("\n]\n")
            h.close()
        names = list(self.names.values())
        if self.fmt != "messages":
            info = {f"workbench_{sp}": _dataset_info(name, self.fmt) for sp, name in self.names.items()}
            (self.out_dir / "dataset_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
            names.append("dataset_info.json")
        return names


def _truncate(path: Path, size: int) -> None:
    """Cut a partly written export file back to `size` bytes (what its last committed chunk left)."""
    if not path.exists() or path.stat().st_size < size:
        raise UserError(f"{path} is shorter than the export's last checkpoint: the folder changed since the export "
                        "started; export again into a new folder")
    os.truncate(path, size)


def _dataset_info(file_name: str, fmt: str) -> dict:
    """A LLaMA-Factory dataset_info.json entry, so the export drops into its data folder."""
    if fmt == "alpaca":
        return {"file_name": file_name, "columns": {"prompt": "instruction", "query": "input", "response": "output",
                                                    "system": "system", "history": "history"}}
    return {"file_name": file_name, "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
            "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                     "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}}
