"""`store.exports`: the export log, so that a training run can be traced back to the store state it came from."""
from __future__ import annotations

from .runs import RunLog


class Exports(RunLog):
    """One row per export: out_dir, format, filter (JSON text), store_revision, content_hash, n_samples."""

    def __init__(self, store):
        super().__init__(store, "exports", "exports_seq", "export", json_cols=("filter",), decode_json=False)
