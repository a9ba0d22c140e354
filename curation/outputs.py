"""Files the workbench writes or opens as its store: never write over the store (or its write-ahead log), never
over another existing file unless told to, and never take a data file for a store.

Every command that writes a file calls `check_output`; `Store` calls `check_store_file` before DuckDB opens a
path (DuckDB 2 opens a .json/.csv/.parquet file as an in-memory view, so an import into it would vanish).
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import UserError

_DUCKDB_MAGIC = b"DUCK"  # at byte 8 of every DuckDB database file, after an 8-byte checksum


def is_duckdb_file(path: str | os.PathLike) -> bool:
    """Whether the file starts with DuckDB's database header."""
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == _DUCKDB_MAGIC
    except OSError:
        return False


def check_store_file(path: str | os.PathLike) -> None:
    """Refuse a store path that names an existing file which is not a DuckDB database (a new path is fine)."""
    p = Path(path)
    if str(p) == ":memory:" or not p.is_file() or p.stat().st_size == 0 or is_duckdb_file(p):
        return
    from .formats import binary_kind
    with open(p, "rb") as f:
        head = f.read(4096)
    kind = binary_kind(head) or ("a JSON/JSONL file" if head.lstrip()[:1] in (b"{", b"[") else
                                 "a Parquet file" if head.startswith(b"PAR1") else "a text file")
    raise UserError(f"store path {p} is not a DuckDB store file (it looks like {kind}); name a new file or an "
                    f"existing store, e.g. --db workbench.duckdb (to import it, use `curation ingest {p}`)")


def check_output(path: str | os.PathLike, store_path: str | os.PathLike | None = None, force: bool = False,
                 option: str = "--out") -> Path:
    """The path a command may write: not a folder, in an existing folder, not the store or its WAL (nor any
    DuckDB database), and not an existing file unless `force`. Returns it as a Path."""
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{option} {p} is a folder; give a file name")
    if not p.parent.exists():
        raise UserError(f"{option}: folder {p.parent} does not exist")
    if store_path is not None and str(store_path) != ":memory:":
        store = Path(store_path).resolve()
        if p.resolve() in (store, store.with_name(store.name + ".wal")):
            raise UserError(f"refusing to write {option} {p}: it is the store (or its write-ahead log)")
    if is_duckdb_file(p) or (p.name.endswith(".wal") and is_duckdb_file(p.with_name(p.name[:-4]))):
        raise UserError(f"refusing to write {option} {p}: it is a DuckDB store (or its write-ahead log)")
    if p.exists() and not force:
        raise UserError(f"{option} {p} already exists; choose another name or pass --force to overwrite it")
    return p
