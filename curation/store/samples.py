"""`store.samples`: read, add and change samples. Every change is a revision (see revisions.py); nothing here
physically deletes a sample."""
from __future__ import annotations

import json

import orjson

from ..errors import ConflictError, UserError
from . import _sql
from .derived import derived_fields
from .filters import SampleFilter, parse_task_type, sample_where, task_type_label
from .schema import SAMPLE_COLUMNS, TRACKED, UNTYPED

_ORDERS = {"created_at, id": "created_at, id", "id": "id", "updated_at": "updated_at DESC, id", "random": "hash(id)"}


def sample_from_row(cols: list[str], row: tuple) -> dict:
    """A sample dict from a row of the samples table, keyed by the column names the query returned (JSON columns
    parsed, task_type label added)."""
    return decode_sample(dict(zip(cols, row)))


def decode_sample(s: dict) -> dict:
    """Parse a sample row's JSON columns in place and add its task_type label."""
    if isinstance(s.get("messages"), str):
        s["messages"] = orjson.loads(s["messages"])
    if isinstance(s.get("tools"), str):
        s["tools"] = orjson.loads(s["tools"])
    if "tags" in s and s["tags"] is None:
        s["tags"] = []
    if "task_l1" in s:
        s["task_type"] = task_type_label(s.get("task_l1"), s.get("task_l2"))
    return s


def db_value(key: str, value):
    """A sample field as stored (messages and tools as JSON text)."""
    if key in ("messages", "tools"):
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return value


def split_task_type(changes: dict) -> dict:
    """Accept `task_type: "L1/L2"` as a change and store it as task_l1/task_l2."""
    if "task_type" not in changes:
        return changes
    changes = dict(changes)
    l1, l2 = parse_task_type(changes.pop("task_type"))
    changes.update(task_l1=l1, task_l2=l2)
    return changes


def _columns(columns) -> list[str]:
    return [c for c in columns if c in SAMPLE_COLUMNS]


class Samples:
    """The samples table."""

    def __init__(self, store):
        self._store = store

    # ---- read ----
    def count(self, f: SampleFilter | None = None) -> int:
        """Number of samples matching the filter (limit/offset ignored)."""
        where, params = sample_where(f)
        return self._store._q(f"SELECT count(*) FROM samples WHERE {where}", params)[0][0]

    def list(self, f: SampleFilter | None = None, columns: tuple[str, ...] = SAMPLE_COLUMNS,
             order: str = "created_at, id") -> list[dict]:
        """Samples matching the filter as dicts (messages and tools parsed)."""
        where, params = sample_where(f)
        sql = f"SELECT {', '.join(_columns(columns))} FROM samples WHERE {where} ORDER BY {_ORDERS[order]}"
        if f is not None and f.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = params + [int(f.limit), int(f.offset)]
        return [decode_sample(s) for s in _sql.dicts(self._store._cur(), sql, params)]

    def iter(self, f: SampleFilter | None = None, batch_size: int = 5000, columns: tuple[str, ...] = SAMPLE_COLUMNS):
        """Stream matching samples in batches, without loading the whole selection."""
        for cols, rows in self._batches(f, batch_size, columns, "ORDER BY created_at, id"):
            for r in rows:
                yield sample_from_row(cols, r)

    def batches(self, f: SampleFilter | None = None, batch_size: int = 5000,
                columns: tuple[str, ...] = SAMPLE_COLUMNS, arrow: bool = False):
        """Matching samples as work units, in `iter`'s order: (columns, raw rows) batches (`sample_from_row`
        decodes a row), or with `arrow` pyarrow RecordBatches (for another machine; `decode_sample` decodes a row
        of to_pylist())."""
        if not arrow:
            yield from self._batches(f, batch_size, columns, "ORDER BY created_at, id")
            return
        where, params = sample_where(f)
        cur = self._store._own_cursor()
        try:
            yield from cur.sql(f"SELECT {', '.join(_columns(columns))} FROM samples WHERE {where} "
                               "ORDER BY created_at, id", params=params).to_arrow_reader(batch_size)
        finally:
            cur.close()

    def iter_ingest_rows(self, ingest_id: int, batch_size: int = 5000,
                         columns: tuple[str, ...] = ("id", "messages", "tools", "task_l1", "task_l2", "rev"),
                         arrow: bool = False):
        """Stream the samples one import run added as (columns, raw rows) batches, in the order they were stored
        (for the checks that run on import, in worker processes; `sample_from_row` decodes a row). Only the
        columns the checks read: sorting whole rows took 3.5 GB on a million samples. With `arrow`, the batches
        are pyarrow RecordBatches (work units for another machine; `decode_sample` decodes a row of to_pylist())."""
        cur = self._store._own_cursor()
        try:
            sql = f"SELECT {', '.join(_columns(columns))} FROM samples WHERE ingest_id = ?"
            if arrow:
                yield from cur.sql(sql, params=[ingest_id]).to_arrow_reader(batch_size)
                return
            cur.execute(sql, [ingest_id])
            cols = [d[0] for d in cur.description]
            while rows := cur.fetchmany(batch_size):
                yield cols, rows
        finally:
            cur.close()

    def _batches(self, f, batch_size, columns, order):
        where, params = sample_where(f)
        cur = self._store._own_cursor()  # own cursor: the caller may issue other queries while iterating
        try:
            cur.execute(f"SELECT {', '.join(_columns(columns))} FROM samples WHERE {where} {order}", params)
            cols = [d[0] for d in cur.description]
            while rows := cur.fetchmany(batch_size):
                yield cols, rows
        finally:
            cur.close()

    def get(self, sample_id: str) -> dict:
        """One sample by id; UserError when there is none."""
        rows = self.list(SampleFilter(ids=[sample_id]))
        if not rows:
            raise UserError(f"no sample with id {sample_id!r}")
        return rows[0]

    def frame(self, f: SampleFilter | None = None, columns: tuple[str, ...] = SAMPLE_COLUMNS):
        """Matching samples as a polars DataFrame (messages kept as JSON text), for vectorised analysis; DuckDB
        hands it over through Arrow without a copy per row."""
        where, params = sample_where(f)
        return self._store._cur().sql(f"SELECT {', '.join(_columns(columns))} FROM samples WHERE {where} "
                                      "ORDER BY created_at, id", params=params).pl()

    def source_hashes(self, ids: list[str]) -> dict[str, str]:
        """For the given ids already stored: id -> the content hash they were imported with."""
        return dict(self._store._q("SELECT id, source_hash FROM samples WHERE list_contains(?, id)", [ids]))

    def present_hashes(self, hashes: list[str], ingest_id: int, file_name: str) -> set[str]:
        """Which of these content hashes are stored already, not counting the rows this import took from this
        file (so the same content twice in one file stays two samples)."""
        rows = self._store._q("SELECT DISTINCT source_hash FROM samples WHERE source_hash IN "
                              "(SELECT unnest(?::VARCHAR[])) AND NOT (ingest_id = ? AND starts_with(source, ?))",
                              [hashes, ingest_id, file_name + ":"])
        return {r[0] for r in rows}

    def recent_prompts(self, limit: int) -> list[str]:
        """The first user turn of the newest `limit` samples (what a log's prompts are compared against)."""
        rows = self._store._q("SELECT messages FROM samples ORDER BY created_at DESC, id LIMIT ?", [int(limit)])
        out = []
        for (text,) in rows:
            first = next((m.get("content") or "" for m in orjson.loads(text) if m.get("role") == "user"), "")
            if first:
                out.append(first)
        return out

    def prompt_iter(self, batch_size: int = 5000):
        """(id, messages) of every sample, streamed (the flywheel's prompt dedup reads the user turns)."""
        for cols, rows in self._batches(None, batch_size, ("id", "messages"), "ORDER BY created_at, id"):
            for sid, text in rows:
                yield sid, orjson.loads(text)

    def counts_by(self, column: str, f: SampleFilter | None = None) -> list[tuple]:
        """Sample counts grouped by one column (dataset, status, split, language, task type)."""
        group = {"dataset": "dataset", "status": "status", "split": "split", "language": "language",
                 "task_type": "task_l1, task_l2", "task_l1": "task_l1"}[column]
        where, params = sample_where(f)
        return self._store._q(f"SELECT {group}, count(*) AS n FROM samples WHERE {where} GROUP BY ALL "
                              "ORDER BY n DESC", params)

    def datasets(self) -> list[str]:
        """Dataset names in the store."""
        return [r[0] for r in self._store._q("SELECT DISTINCT dataset FROM samples ORDER BY 1")]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag in use with its sample count."""
        return self._store._q("SELECT t, count(*) FROM (SELECT unnest(tags) AS t FROM samples) GROUP BY t "
                              "ORDER BY 2 DESC")

    def answer_length_stats(self) -> list[tuple[str, int, float, float]]:
        """Per task type label (L1/L2, L1, or UNTYPED): (label, n, median, median absolute deviation) of
        ln(1 + answer chars), the distribution the verbosity check compares against."""
        return self._store._q("""
            WITH x AS (SELECT CASE WHEN task_l1 IS NULL THEN ? WHEN task_l2 IS NULL THEN task_l1
                                   ELSE task_l1 || '/' || task_l2 END AS label, ln(1 + answer_chars) AS v FROM samples),
                 m AS (SELECT label, count(*) AS n, median(v) AS med FROM x GROUP BY label)
            SELECT m.label, m.n, m.med, median(abs(x.v - m.med)) FROM x JOIN m USING (label)
            GROUP BY m.label, m.n, m.med ORDER BY m.label""", [UNTYPED])

    # ---- add ----
    def add(self, table, dry_run: bool = False) -> tuple[int, list[tuple[str, bool]]]:
        """Insert a pyarrow Table of new samples (columns as SAMPLE_COLUMNS).

        Ids already stored are not inserted; they are returned as (id, same_content) so the caller can tell a
        harmless re-import from a conflicting one. Returns (inserted count, existing). With dry_run nothing is
        written and the count is how many would be inserted.
        """
        existing_sql = ("SELECT b.id, b.source_hash = s.source_hash FROM _batch b JOIN samples s ON s.id = b.id "
                        "WHERE {}")
        with self._store._write_lock:
            cur = self._store._cur()
            cur.register("_batch", table)
            try:
                if dry_run:
                    existing = cur.execute(existing_sql.format("TRUE")).fetchall()
                    return table.num_rows - len(existing), existing
                cols = ", ".join(SAMPLE_COLUMNS)
                before = cur.execute("SELECT count(*) FROM samples").fetchall()[0][0]
                cur.execute(f"INSERT INTO samples ({cols}) SELECT {cols} FROM _batch b "
                            "WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE s.id = b.id)")
                inserted = cur.execute("SELECT count(*) FROM samples").fetchall()[0][0] - before
                if inserted == table.num_rows:  # the common case: no second join over the whole table
                    return inserted, []
                # The rows just inserted are the batch's own (same import, time and source); the others were there
                return inserted, cur.execute(existing_sql.format(
                    "NOT (s.ingest_id IS NOT DISTINCT FROM b.ingest_id AND s.created_at IS NOT DISTINCT FROM "
                    "b.created_at AND s.source IS NOT DISTINCT FROM b.source)")).fetchall()
            finally:
                cur.unregister("_batch")

    def add_rows(self, rows: list[dict]) -> int:
        """Insert new samples made from others (robustness variants); each row has every SAMPLE_COLUMNS key and a
        parent_id. Ids already stored are left alone (generation is idempotent). Returns how many were added."""
        n = 0
        with self._store._transaction() as cur:
            for r in rows:
                if cur.execute("SELECT 1 FROM samples WHERE id = ?", [r["id"]]).fetchall():
                    continue
                _sql.insert(cur, "samples", {c: db_value(c, r.get(c)) for c in SAMPLE_COLUMNS})
                n += 1
        return n

    # ---- change ----
    def update(self, sample_id: str, changes: dict, author: str, action: str = "edit", note: str | None = None,
               expected_rev: int | None = None) -> dict:
        """Apply changes to one sample as a new revision; returns the updated sample.

        `expected_rev` makes the save conditional: when someone else saved since that revision, ConflictError is
        raised (carrying the current version) instead of silently overwriting their work.
        """
        unknown = set(changes) - set(TRACKED) - {"task_type"}
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))}: not an editable field")
        changes = split_task_type(changes)
        with self._store._conflicts_as(f"sample {sample_id} was changed by someone else at the same moment"):
            with self._store._transaction():
                current = self.get(sample_id)
                if expected_rev is not None and current["rev"] != expected_rev:
                    raise ConflictError(f"sample {sample_id} was saved by someone else (revision {current['rev']}, "
                                        f"you edited revision {expected_rev})", current=current)
                before = {k: current[k] for k in changes if current.get(k) != changes[k]}
                if not before:
                    return current
                self._write_revision(current, before, {k: changes[k] for k in before}, author, action, note)
                return self.get(sample_id)

    def update_many(self, f: SampleFilter, changes: dict, author: str, action: str, note: str | None = None) -> int:
        """Apply the same change to every matching sample, each as its own revision. Returns how many changed.

        A change of metadata (task type, status, split, tags, dataset, language) is set-based: one UPDATE and one
        INSERT of revisions for the whole selection, so 50k samples take seconds. A change of messages or tools
        goes sample by sample, since each needs its derived columns recomputed."""
        changes = split_task_type(changes)
        if {"messages", "tools"} & set(changes):
            return self._update_each(f, changes, author, action, note)
        return self._bulk(f, tuple(changes), lambda s: {k: v for k, v in changes.items() if s.get(k) != v},
                          author, action, note)

    def add_tag_many(self, f: SampleFilter, tag: str, author: str, note: str | None = None) -> int:
        """Add a tag to every matching sample that lacks it (one revision each, set-based); returns how many."""
        return self._bulk(f, ("tags",), lambda s: {} if tag in s["tags"] else {"tags": s["tags"] + [tag]},
                          author, "tag", note)

    def remove_tag_many(self, f: SampleFilter, tag: str, author: str, note: str | None = None) -> int:
        """Remove a tag from every matching sample that has it (one revision each, set-based); returns how many."""
        return self._bulk(f, ("tags",), lambda s: {"tags": [t for t in s["tags"] if t != tag]} if tag in s["tags"]
                          else {}, author, "untag", note)

    def _update_each(self, f: SampleFilter, changes: dict, author: str, action: str, note: str | None) -> int:
        """The per-sample path: read each whole sample, write its revision and UPDATE its row (~13 ms a sample)."""
        n = 0
        with self._store._transaction():
            for s in self.list(f):
                before = {k: s[k] for k in changes if s.get(k) != changes[k]}
                if before:
                    self._write_revision(s, before, {k: changes[k] for k in before}, author, action, note)
                    n += 1
        return n

    def _bulk(self, f: SampleFilter | None, columns: tuple[str, ...], after_of, author: str, action: str,
              note: str | None) -> int:
        """Change metadata columns of the matching samples in one statement, with one revision row per changed
        sample. `after_of(sample)` gives a sample's new values (only those that differ; {} leaves it alone).
        The content, and so content_hash and the derived columns, stay as they are."""
        import pyarrow as pa
        with self._store._conflicts_as("samples were changed by someone else at the same moment"), \
                self._store._transaction() as cur:
            where, params = sample_where(f)
            sql = f"SELECT id, rev, {', '.join(columns)} FROM samples WHERE {where} ORDER BY created_at, id"
            if f is not None and f.limit is not None:  # as list(): a limit picks the first samples in import order
                sql += " LIMIT ? OFFSET ?"
                params = params + [int(f.limit), int(f.offset)]
            cur.execute(sql, params)
            ids, revs, befores, afters, values = [], [], [], [], {c: [] for c in columns}
            for s in _sql.decode(cur, cur.fetchall()):
                decode_sample(s)
                after = after_of(s)
                if not after:
                    continue
                ids.append(s["id"])
                revs.append(s["rev"] + 1)
                befores.append(_sql.dump({k: s[k] for k in after}))
                afters.append(_sql.dump(after))
                for c in columns:
                    values[c].append(after.get(c, s[c]))
            if not ids:
                return 0
            now = _sql.now()
            types = {c: pa.list_(pa.string()) if c == "tags" else pa.string() for c in columns}
            cur.register("_changes", pa.table({"id": ids, "rev": pa.array(revs, pa.int32()),
                                               "before": befores, "after": afters,
                                               **{c: pa.array(v, types[c]) for c, v in values.items()}}))
            try:
                sets = ", ".join(f"{c} = u.{c}" for c in columns)
                cur.execute(f"UPDATE samples SET {sets}, rev = u.rev, updated_at = ? FROM _changes u "
                            "WHERE samples.id = u.id", [now])
                cur.execute("INSERT INTO revisions (sample_id, rev, changed_at, author, action, before, after, note) "
                            "SELECT id, rev, ?, ?, ?, before, after, ? FROM _changes", [now, author, action, note])
            finally:
                cur.unregister("_changes")
        return len(ids)

    def add_tag(self, sample_id: str, tag: str, author: str, note: str | None = None) -> dict:
        """Add a tag (a revision); no-op when already present."""
        s = self.get(sample_id)
        if tag in s["tags"]:
            return s
        return self.update(sample_id, {"tags": s["tags"] + [tag]}, author, "tag", note)

    def remove_tag(self, sample_id: str, tag: str, author: str, note: str | None = None) -> dict:
        """Remove a tag (a revision); no-op when absent."""
        s = self.get(sample_id)
        if tag not in s["tags"]:
            return s
        return self.update(sample_id, {"tags": [t for t in s["tags"] if t != tag]}, author, "untag", note)

    def _write_revision(self, current: dict, before: dict, after: dict, author: str, action: str,
                        note: str | None) -> None:
        new = {**current, **after}
        derived = {}
        if "messages" in after or "tools" in after:  # the content changed: derive its columns again, as import does
            derived = derived_fields(new, language="language" not in after)
        values = {**after, **derived}
        values.pop("task_type", None)
        sets = ", ".join(f"{k} = ?" for k in values)
        params = [db_value(k, v) for k, v in values.items()]
        now = _sql.now()
        rev = current["rev"] + 1
        cur = self._store._cur()
        cur.execute(f"UPDATE samples SET {sets}, rev = ?, updated_at = ? WHERE id = ?", params + [rev, now, current["id"]])
        self._store.revisions._add(cur, current["id"], rev, now, author, action, before, after, note)
