"""Reading an export folder (train.jsonl, eval.jsonl, manifest.json) and the optional general-data mix."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from curation.errors import UserError
from curation.export import file_sha256


@dataclass
class ExportData:
    """The samples of one export and its manifest."""

    path: Path
    manifest: dict
    train: list[dict]
    eval: list[dict]
    problems: list[str] = field(default_factory=list)  # e.g. files changed since the export was written

    @property
    def content_hash(self) -> str:
        return self.manifest.get("content_hash") or ""


def load_export(export_dir) -> ExportData:
    """Read and check an export folder; raise UserError naming what is wrong."""
    path = Path(export_dir).expanduser()
    if not path.is_dir():
        raise UserError(f"export folder {path} does not exist; export a selection first (curation export)")
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise UserError(f"{path} has no manifest.json; it is not an export folder (curation export writes one)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UserError(f"{manifest_path} is not valid JSON ({e.msg}, line {e.lineno})") from None
    fmt = manifest.get("format", "messages")
    if fmt != "messages":
        raise UserError(f"{path} is a {fmt} export; training reads messages exports: export again with "
                        f"format messages")
    if not (path / "train.jsonl").exists():
        raise UserError(f"{path} has no train.jsonl")
    data = ExportData(path=path, manifest=manifest, train=read_jsonl(path / "train.jsonl"),
                      eval=read_jsonl(path / "eval.jsonl") if (path / "eval.jsonl").exists() else [])
    data.problems = _hash_problems(path, manifest)
    return data


def read_jsonl(path: Path) -> list[dict]:
    """Samples from a messages JSONL file; a malformed line is a UserError with its line number."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise UserError(f"{path.name} line {n} is not valid JSON ({e.msg})") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("messages"), list):
                raise UserError(f"{path.name} line {n} has no messages list")
            rec.setdefault("id", f"{path.stem}:{n}")
            out.append(rec)
    return out


def _hash_problems(path: Path, manifest: dict) -> list[str]:
    problems = []
    for name, digest in (manifest.get("files") or {}).items():
        f = path / name
        if f.exists() and file_sha256(f) != digest:
            problems.append(f"{name} changed after the export was written (hash differs from manifest.json); "
                            f"export again so the run stays traceable")
    return problems


def general_mix(n_train: int, general_file: str, share: float, seed: int) -> list[dict]:
    """Samples drawn from a general-data messages JSONL so they make up `share` of the training mix."""
    if not general_file or share <= 0:
        return []
    path = Path(general_file).expanduser()
    if not path.is_file():
        raise UserError(f"general data file {path} does not exist (setting general_data_file)")
    pool = read_jsonl(path)
    if not pool:
        raise UserError(f"general data file {path} has no samples")
    want = round(n_train * share / (1 - share))
    rng = random.Random(seed)
    picks = rng.sample(pool, want) if want <= len(pool) else [rng.choice(pool) for _ in range(want)]
    return [{**s, "id": f"general:{s.get('id', k)}", "task_type": s.get("task_type") or "general"}
            for k, s in enumerate(picks)]
