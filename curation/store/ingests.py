"""`store.ingests` (the import log) and `store.quarantine` (records an import could not accept)."""
from __future__ import annotations

from . import _sql
from .runs import RunLog


class Ingests(RunLog):
    """The import log: one row per import run (files and settings kept as the JSON text they were written as)."""

    def __init__(self, store):
        super().__init__(store, "ingests", "ingests_seq", "import run", json_cols=("files", "settings"),
                         decode_json=False)


class Quarantine:
    """Invalid records (file, line, reason, raw text), kept so that nothing is dropped silently."""

    def __init__(self, store):
        self._store = store

    def add(self, ingest_id: int, rows: list[tuple[str, int, str, str]]) -> None:
        """Keep invalid records (file, line, reason, raw text) of one import run."""
        if not rows:
            return
        import pyarrow as pa
        files, lines, reasons, raws = zip(*rows)
        with self._store._write_lock:
            cur = self._store._cur()
            ids = [r[0] for r in cur.execute("SELECT nextval('quarantine_seq') FROM range(?)",
                                             [len(rows)]).fetchall()]
            # One insert from Arrow: executemany costs milliseconds per row, minutes for a file with many bad lines.
            _sql.insert_arrow(cur, "quarantine", {
                "id": pa.array(ids, pa.int32()), "ingest_id": pa.array([ingest_id] * len(rows), pa.int32()),
                "file": list(files), "line": pa.array(lines, pa.int64()), "reason": list(reasons), "raw": list(raws),
                "created_at": pa.array([_sql.now()] * len(rows), pa.timestamp("us"))})

    def list(self, ingest_id: int | None = None, limit: int | None = None) -> list[dict]:
        """Quarantined records, newest ingest first."""
        w = _sql.Where().eq("ingest_id", ingest_id or None)
        sql, params = f"SELECT * FROM quarantine WHERE {w.sql()} ORDER BY id DESC", w.params
        if limit:
            sql += " LIMIT ?"
            params = params + [limit]
        return _sql.dicts(self._store._cur(), sql, params)
