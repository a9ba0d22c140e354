"""`store.ingests` (the import log) and `store.quarantine` (records an import could not accept)."""
from __future__ import annotations

import json

from . import _sql
from .runs import RunLog


class Ingests(RunLog):
    """The import log: one row per import run (files and settings kept as the JSON text they were written as)."""

    def __init__(self, store):
        super().__init__(store, "ingests", "ingests_seq", "import run", json_cols=("files", "settings"),
                         decode_json=False)

    def checks_pending(self) -> list[int]:
        """Imports whose post-import checks have not finished (a crash or kill during them)."""
        row = self._store._q("SELECT value FROM meta WHERE key = 'checks_pending'")
        return json.loads(row[0][0]) if row else []

    def set_checks_pending(self, ingest_ids: list[int]) -> None:
        """Record which imports still need their post-import checks."""
        with self._store._write_lock:
            self._store._cur().execute("INSERT OR REPLACE INTO meta VALUES ('checks_pending', ?)",
                                       [json.dumps(sorted(set(ingest_ids)))])


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

    def new_rows(self, rows: list[tuple]) -> list[tuple]:
        """The rows (file, line, reason, raw) that an earlier import of the same file did not keep already:
        importing a file again must not list its bad records twice."""
        if not rows:
            return rows
        files = sorted({r[0] for r in rows})
        known = set(self._store._q("SELECT file, line, reason, raw FROM quarantine WHERE list_contains(?, file)",
                                   [files]))
        return [r for r in rows if r not in known] if known else rows

    def clear(self, ingest_id: int, author: str, note: str | None = None) -> int:
        """Remove one import's rows (a lead's decision, e.g. a binary file imported by mistake), logged in the
        history table `quarantine_clears`. Returns how many rows went."""
        with self._store._transaction() as cur:
            n = cur.execute("SELECT count(*) FROM quarantine WHERE ingest_id = ?", [ingest_id]).fetchall()[0][0]
            cur.execute("DELETE FROM quarantine WHERE ingest_id = ?", [ingest_id])
            cur.execute("INSERT INTO quarantine_clears VALUES (?, ?, ?, ?, ?)", [ingest_id, _sql.now(), author, n, note])
        return n

    def clears(self) -> list[dict]:
        """Who cleared which import's rows, newest first."""
        return _sql.dicts(self._store._cur(), "SELECT * FROM quarantine_clears ORDER BY cleared_at DESC", [])

    def list(self, ingest_id: int | None = None, limit: int | None = None) -> list[dict]:
        """Quarantined records, newest ingest first."""
        w = _sql.Where().eq("ingest_id", ingest_id or None)
        # 0 lists everything here, as None does
        sql, params = _sql.limited(f"SELECT * FROM quarantine WHERE {w.sql()} ORDER BY id DESC", w.params, limit or None)
        return _sql.dicts(self._store._cur(), sql, params)
