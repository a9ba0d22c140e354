"""The sample store: one embedded DuckDB file. This module owns the connection and every SQL statement.

Other modules ask it for data through `Store` methods and a `SampleFilter`; they never build SQL.
Nothing here physically deletes a sample: every change is an append-only revision (who, when, before, after),
and any sample can be shown as it was and restored.
"""
from __future__ import annotations

import dataclasses
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .errors import ConflictError, UserError

DEFAULT_DB = "workbench.duckdb"
STATUSES = ("pending", "accepted", "rejected", "needs_fix", "duplicate")
# Fields a revision may change; everything else about a sample (id, created_at, source) is fixed at import.
TRACKED = ("dataset", "messages", "tools", "task_l1", "task_l2", "language", "tags", "status", "split")
UNTYPED = "(untyped)"

SAMPLE_COLUMNS = (
    "id", "dataset", "messages", "tools", "task_l1", "task_l2", "language", "tags", "status", "split",
    "content_hash", "source_hash", "source", "ingest_id", "parent_id", "n_turns", "has_system", "has_tools",
    "prompt_chars", "answer_chars", "rev", "created_at", "updated_at",
)

# Each entry upgrades a store from version N-1 to N. A store written by an older release is upgraded in place,
# in one transaction, when opened; entries are never edited once released, only appended.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE samples (
            id VARCHAR, dataset VARCHAR, messages VARCHAR, tools VARCHAR,
            task_l1 VARCHAR, task_l2 VARCHAR, language VARCHAR, tags VARCHAR[], status VARCHAR, split VARCHAR,
            content_hash VARCHAR, source_hash VARCHAR, source VARCHAR, ingest_id INTEGER,
            n_turns SMALLINT, has_system BOOLEAN, has_tools BOOLEAN, prompt_chars INTEGER, answer_chars INTEGER,
            rev INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP)""",
        """CREATE TABLE revisions (
            sample_id VARCHAR, rev INTEGER, changed_at TIMESTAMP, author VARCHAR, action VARCHAR,
            before VARCHAR, after VARCHAR, note VARCHAR)""",
        """CREATE TABLE quarantine (
            id INTEGER, ingest_id INTEGER, file VARCHAR, line BIGINT, reason VARCHAR, raw VARCHAR,
            created_at TIMESTAMP)""",
        """CREATE TABLE ingests (
            id INTEGER, created_at TIMESTAMP, dataset VARCHAR, files VARCHAR, format VARCHAR,
            imported BIGINT, rejected BIGINT, already_present BIGINT, settings VARCHAR)""",
        """CREATE TABLE taxonomy (
            l1 VARCHAR, l2 VARCHAR, kind VARCHAR, description VARCHAR)""",
    ]),
    (2, [
        # v2: generated variants link to their parent; task_type targets; an export log for traceability.
        "ALTER TABLE samples ADD COLUMN parent_id VARCHAR",
        "ALTER TABLE taxonomy ADD COLUMN target_share DOUBLE",
        "ALTER TABLE taxonomy ADD COLUMN target_count BIGINT",
        """CREATE TABLE exports (
            id INTEGER, created_at TIMESTAMP, out_dir VARCHAR, format VARCHAR, filter VARCHAR,
            store_revision BIGINT, content_hash VARCHAR, n_samples BIGINT)""",
        "CREATE INDEX revisions_sample ON revisions (sample_id)",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


@dataclass
class SampleFilter:
    """Which samples a view, step or export works on. Empty fields mean "any"."""

    dataset: str | list[str] | None = None
    task_type: str | list[str] | None = None  # "L1", "L1/L2", or UNTYPED
    status: str | list[str] | None = None
    exclude_status: list[str] = field(default_factory=list)
    split: str | None = None
    tag: str | None = None  # exact tag, or a prefix ending in "*" ("robustness:*")
    search: str | None = None  # case-insensitive substring of the conversation
    language: str | None = None
    ids: list[str] | None = None
    limit: int | None = None
    offset: int = 0

    def to_dict(self) -> dict:
        """The filter as recorded in manifests and results (empty fields left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, [], 0)}


def curated_filter(**kw) -> SampleFilter:
    """The default selection for export and training: everything not rejected and not a duplicate."""
    return SampleFilter(exclude_status=["rejected", "duplicate"], **kw)


def _as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def _where(f: SampleFilter | None) -> tuple[str, list]:
    """Translate a filter into a WHERE clause with bound parameters."""
    if f is None:
        return "TRUE", []
    clauses, params = [], []

    def add(sql, *p):
        clauses.append(sql)
        params.extend(p)

    if f.dataset:
        ds = _as_list(f.dataset)
        add(f"dataset IN ({', '.join('?' * len(ds))})", *ds)
    if f.task_type:
        parts = []
        for t in _as_list(f.task_type):
            if t == UNTYPED:
                parts.append("(task_l1 IS NULL OR task_l2 IS NULL)")
            elif "/" in t:
                l1, l2 = (s.strip() for s in t.split("/", 1))
                parts.append("(task_l1 = ? AND task_l2 = ?)")
                params.extend([l1, l2])
            else:
                parts.append("task_l1 = ?")
                params.append(t.strip())
        clauses.append("(" + " OR ".join(parts) + ")")
    if f.status:
        st = _as_list(f.status)
        add(f"status IN ({', '.join('?' * len(st))})", *st)
    if f.exclude_status:
        add(f"status NOT IN ({', '.join('?' * len(f.exclude_status))})", *f.exclude_status)
    if f.split:
        add("split IS NULL" if f.split == "none" else "split = ?", *([] if f.split == "none" else [f.split]))
    if f.tag:
        if f.tag.endswith("*"):
            add("len(list_filter(tags, lambda t: starts_with(t, ?))) > 0", f.tag[:-1])
        else:
            add("list_contains(tags, ?)", f.tag)
    if f.search:
        add("messages ILIKE ?", "%" + f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        clauses[-1] += " ESCAPE '\\'"
    if f.language:
        add("language = ?", f.language)
    if f.ids is not None:
        add("list_contains(?, id)", list(f.ids))
    return " AND ".join(clauses) or "TRUE", params


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """`--db PATH`, else $CURATION_DB, else ./workbench.duckdb."""
    return Path(path or os.environ.get("CURATION_DB") or DEFAULT_DB)


def _row_to_sample(cols: list[str], row: tuple) -> dict:
    s = dict(zip(cols, row))
    if isinstance(s.get("messages"), str):
        s["messages"] = json.loads(s["messages"])
    if isinstance(s.get("tools"), str):
        s["tools"] = json.loads(s["tools"])
    if "tags" in s and s["tags"] is None:
        s["tags"] = []
    if "task_l1" in s:
        s["task_type"] = task_type_label(s.get("task_l1"), s.get("task_l2"))
    return s


def task_type_label(l1: str | None, l2: str | None) -> str | None:
    """`L1/L2` for display and export; None for untyped."""
    if not l1:
        return None
    return f"{l1}/{l2}" if l2 else l1


class Store:
    """A DuckDB-backed sample store with full revision history."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = resolve_db_path(path)
        if str(self.path) != ":memory:":
            if self.path.is_dir():
                raise UserError(f"store path {self.path} is a directory; give a file path such as {DEFAULT_DB}")
            if not self.path.parent.exists():
                raise UserError(f"store folder {self.path.parent} does not exist")
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise UserError(f"store {self.path} is open in another process (is the app running?)") from None
            raise UserError(f"cannot open store {self.path}: {e}") from None
        except duckdb.Error as e:
            raise UserError(f"{self.path} is not a workbench store: {e}") from None
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if not read_only:
            self._migrate()

    # ---- connection ----
    def _cur(self) -> duckdb.DuckDBPyConnection:
        """A cursor per thread: Streamlit serves sessions from several threads, and DuckDB cursors aren't shared."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._con.cursor()
        return cur

    def _q(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self._cur().execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the store; cursors of other threads die with it."""
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- schema ----
    def schema_version(self) -> int:
        """The schema version written in the store (0 for an empty file)."""
        if not self._q("SELECT 1 FROM information_schema.tables WHERE table_name = 'meta'"):
            return 0
        row = self._q("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row[0][0]) if row else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise UserError(f"store {self.path} has schema v{current}, newer than this workbench (v{SCHEMA_VERSION});"
                            " upgrade the workbench")
        cur = self._cur()
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            cur.execute("BEGIN")
            try:
                for sql in statements:
                    cur.execute(sql)
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
        if current == 0:
            from .taxonomy import DEFAULT_TAXONOMY
            self.taxonomy_add_many(DEFAULT_TAXONOMY)

    def store_revision(self) -> int:
        """A counter that grows with every change to the data (revisions and ingests are append-only)."""
        return self._q("SELECT (SELECT count(*) FROM revisions) + (SELECT count(*) FROM ingests)")[0][0]

    # ---- samples: read ----
    def count(self, f: SampleFilter | None = None) -> int:
        """Number of samples matching the filter (limit/offset ignored)."""
        where, params = _where(f)
        return self._q(f"SELECT count(*) FROM samples WHERE {where}", params)[0][0]

    def query_samples(self, f: SampleFilter | None = None, columns: tuple[str, ...] = SAMPLE_COLUMNS,
                      order: str = "created_at, id") -> list[dict]:
        """Samples matching the filter as dicts (messages and tools parsed)."""
        cols = [c for c in columns if c in SAMPLE_COLUMNS]
        order_sql = {"created_at, id": "created_at, id", "id": "id", "updated_at": "updated_at DESC, id",
                     "random": "hash(id)"}[order]
        where, params = _where(f)
        sql = f"SELECT {', '.join(cols)} FROM samples WHERE {where} ORDER BY {order_sql}"
        if f is not None and f.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = params + [int(f.limit), int(f.offset)]
        return [_row_to_sample(cols, r) for r in self._q(sql, params)]

    def iter_samples(self, f: SampleFilter | None = None, batch_size: int = 5000,
                     columns: tuple[str, ...] = SAMPLE_COLUMNS):
        """Stream matching samples in batches, without loading the whole selection."""
        cols = [c for c in columns if c in SAMPLE_COLUMNS]
        where, params = _where(f)
        cur = self._con.cursor()  # own cursor: the caller may issue other queries while iterating
        try:
            cur.execute(f"SELECT {', '.join(cols)} FROM samples WHERE {where} ORDER BY created_at, id", params)
            while rows := cur.fetchmany(batch_size):
                for r in rows:
                    yield _row_to_sample(cols, r)
        finally:
            cur.close()

    def get_sample(self, sample_id: str) -> dict:
        """One sample by id; UserError when there is none."""
        rows = self.query_samples(SampleFilter(ids=[sample_id]))
        if not rows:
            raise UserError(f"no sample with id {sample_id!r}")
        return rows[0]

    def arrow(self, f: SampleFilter | None = None, columns: tuple[str, ...] = SAMPLE_COLUMNS):
        """Matching samples as a pyarrow Table (messages kept as JSON text), for vectorised analysis."""
        cols = [c for c in columns if c in SAMPLE_COLUMNS]
        where, params = _where(f)
        return self._cur().execute(f"SELECT {', '.join(cols)} FROM samples WHERE {where}", params).fetch_arrow_table()

    def existing_ids(self, ids: list[str]) -> dict[str, str]:
        """For the given ids already stored: id -> the content hash they were imported with."""
        rows = self._q("SELECT id, source_hash FROM samples WHERE list_contains(?, id)", [ids])
        return dict(rows)

    # ---- samples: write ----
    def insert_samples(self, table) -> tuple[int, list[tuple[str, bool]]]:
        """Insert a pyarrow Table of new samples (columns as SAMPLE_COLUMNS).

        Ids already stored are not inserted; they are returned as (id, same_content) so the caller can tell a
        harmless re-import from a conflicting one. Returns (inserted count, existing).
        """
        with self._write_lock:
            cur = self._cur()
            cur.register("_batch", table)
            try:
                existing = cur.execute("SELECT b.id, b.source_hash = s.source_hash FROM _batch b "
                                       "JOIN samples s ON s.id = b.id").fetchall()
                cols = ", ".join(SAMPLE_COLUMNS)
                before = cur.execute("SELECT count(*) FROM samples").fetchall()[0][0]
                cur.execute(f"INSERT INTO samples ({cols}) SELECT {cols} FROM _batch b "
                            "WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE s.id = b.id)")
                return cur.execute("SELECT count(*) FROM samples").fetchall()[0][0] - before, existing
            finally:
                cur.unregister("_batch")

    def update_sample(self, sample_id: str, changes: dict, author: str, action: str = "edit",
                      note: str | None = None, expected_rev: int | None = None) -> dict:
        """Apply changes to one sample as a new revision; returns the updated sample.

        `expected_rev` makes the save conditional: when someone else saved since that revision, ConflictError is
        raised (carrying the current version) instead of silently overwriting their work.
        """
        unknown = set(changes) - set(TRACKED) - {"task_type"}
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))}: not an editable field")
        changes = _split_task_type(changes)
        with self._write_lock:
            cur = self._cur()
            cur.execute("BEGIN")
            try:
                result = self._update_one(sample_id, changes, author, action, note, expected_rev)
                cur.execute("COMMIT")
            except Exception as e:
                cur.execute("ROLLBACK")
                if isinstance(e, duckdb.TransactionException):
                    raise ConflictError(f"sample {sample_id} was changed by someone else at the same moment") from e
                raise
        return result

    def _update_one(self, sample_id, changes, author, action, note, expected_rev) -> dict:
        current = self.get_sample(sample_id)
        if expected_rev is not None and current["rev"] != expected_rev:
            raise ConflictError(f"sample {sample_id} was saved by someone else (revision {current['rev']}, you "
                                f"edited revision {expected_rev})", current=current)
        before = {k: current[k] for k in changes if current.get(k) != changes[k]}
        if not before:
            return current
        after = {k: changes[k] for k in before}
        self._write_revision(current, before, after, author, action, note)
        return self.get_sample(sample_id)

    def _write_revision(self, current: dict, before: dict, after: dict, author: str, action: str,
                        note: str | None) -> None:
        from .messages import content_hash
        from .text import detect_language, prompt_text, answer_text
        new = {**current, **after}
        derived = {"content_hash": content_hash(new["messages"], new.get("tools"))}
        if "messages" in after:
            msgs = new["messages"]
            derived.update(n_turns=sum(m["role"] == "user" for m in msgs),
                           has_system=msgs[0]["role"] == "system",
                           prompt_chars=len(prompt_text(msgs)), answer_chars=len(answer_text(msgs)))
            if "language" not in after:
                derived["language"] = detect_language(prompt_text(msgs) + "\n" + answer_text(msgs))
        if "tools" in after:
            derived["has_tools"] = bool(new.get("tools"))
        values = {**after, **derived}
        if "task_type" in values:
            values.pop("task_type")
        sets = ", ".join(f"{k} = ?" for k in values)
        params = [_db_value(k, v) for k, v in values.items()]
        now = _now()
        rev = current["rev"] + 1
        self._cur().execute(f"UPDATE samples SET {sets}, rev = ?, updated_at = ? WHERE id = ?",
                            params + [rev, now, current["id"]])
        self._cur().execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [current["id"], rev, now, author, action, _dump(before), _dump(after), note])

    def update_many(self, f: SampleFilter, changes: dict, author: str, action: str, note: str | None = None) -> int:
        """Apply the same change to every matching sample, each as its own revision. Returns how many changed."""
        changes = _split_task_type(changes)
        n = 0
        with self._write_lock:
            cur = self._cur()
            cur.execute("BEGIN")
            try:
                for s in self.query_samples(f):
                    before = {k: s[k] for k in changes if s.get(k) != changes[k]}
                    if before:
                        self._write_revision(s, before, {k: changes[k] for k in before}, author, action, note)
                        n += 1
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
        return n

    def add_tag(self, sample_id: str, tag: str, author: str, note: str | None = None) -> dict:
        """Add a tag (a revision); no-op when already present."""
        s = self.get_sample(sample_id)
        if tag in s["tags"]:
            return s
        return self.update_sample(sample_id, {"tags": s["tags"] + [tag]}, author, "tag", note)

    def remove_tag(self, sample_id: str, tag: str, author: str, note: str | None = None) -> dict:
        """Remove a tag (a revision); no-op when absent."""
        s = self.get_sample(sample_id)
        if tag not in s["tags"]:
            return s
        return self.update_sample(sample_id, {"tags": [t for t in s["tags"] if t != tag]}, author, "untag", note)

    # ---- history ----
    def history(self, sample_id: str) -> list[dict]:
        """Every revision of a sample, oldest first (revision 0, the import, is implicit)."""
        cols = ["sample_id", "rev", "changed_at", "author", "action", "before", "after", "note"]
        rows = self._q("SELECT * FROM revisions WHERE sample_id = ? ORDER BY rev", [sample_id])
        out = []
        for r in rows:
            d = dict(zip(cols, r))
            d["before"], d["after"] = json.loads(d["before"]), json.loads(d["after"])
            out.append(d)
        return out

    def sample_at(self, sample_id: str, rev: int) -> dict:
        """The sample as it was at revision `rev` (0 = as imported), rebuilt by undoing later revisions."""
        s = self.get_sample(sample_id)
        if rev < 0 or rev > s["rev"]:
            raise UserError(f"sample {sample_id} has revisions 0..{s['rev']}, not {rev}")
        for r in reversed(self.history(sample_id)):
            if r["rev"] <= rev:
                break
            s.update(r["before"])
        s["rev"] = rev
        s["task_type"] = task_type_label(s.get("task_l1"), s.get("task_l2"))
        return s

    def restore(self, sample_id: str, rev: int, author: str, note: str | None = None) -> dict:
        """Make revision `rev` current again, as a new revision (history is never rewritten)."""
        old = self.sample_at(sample_id, rev)
        changes = {k: old[k] for k in TRACKED}
        return self.update_sample(sample_id, changes, author, "restore", note or f"restored revision {rev}")

    # ---- quarantine and ingests ----
    def next_ingest_id(self) -> int:
        """Id for a new ingest run."""
        return self._q("SELECT coalesce(max(id), 0) + 1 FROM ingests")[0][0]

    def add_quarantine(self, ingest_id: int, rows: list[tuple[str, int, str, str]]) -> None:
        """Keep invalid records (file, line, reason, raw text) so nothing is dropped silently."""
        if not rows:
            return
        with self._write_lock:
            start = self._q("SELECT coalesce(max(id), 0) FROM quarantine")[0][0]
            now = _now()
            self._cur().executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    [(start + i + 1, ingest_id, f, ln, reason, raw, now)
                                     for i, (f, ln, reason, raw) in enumerate(rows)])

    def quarantine(self, ingest_id: int | None = None, limit: int | None = None) -> list[dict]:
        """Quarantined records, newest ingest first."""
        cols = ["id", "ingest_id", "file", "line", "reason", "raw", "created_at"]
        sql = "SELECT * FROM quarantine" + (" WHERE ingest_id = ?" if ingest_id else "") + " ORDER BY id DESC"
        params: list = [ingest_id] if ingest_id else []
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return [dict(zip(cols, r)) for r in self._q(sql, params)]

    def record_ingest(self, ingest_id: int, dataset: str, files: list[str], fmt: str, imported: int,
                      rejected: int, already_present: int, settings: dict) -> None:
        """Log an ingest run (it also advances the store revision)."""
        self._cur().execute("INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [ingest_id, _now(), dataset, json.dumps(files), fmt, imported, rejected,
                             already_present, _dump(settings)])

    def ingests(self) -> list[dict]:
        """Ingest runs, newest first."""
        cols = ["id", "created_at", "dataset", "files", "format", "imported", "rejected", "already_present", "settings"]
        return [dict(zip(cols, r)) for r in self._q("SELECT * FROM ingests ORDER BY id DESC")]

    # ---- exports ----
    def record_export(self, out_dir: str, fmt: str, filter_: dict, store_revision: int, content_hash: str,
                      n_samples: int) -> None:
        """Log an export so a training run can be traced back to the store state it came from."""
        with self._write_lock:
            eid = self._q("SELECT coalesce(max(id), 0) + 1 FROM exports")[0][0]
            self._cur().execute("INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [eid, _now(), out_dir, fmt, _dump(filter_), store_revision, content_hash, n_samples])

    def exports(self) -> list[dict]:
        """Export log, newest first."""
        cols = ["id", "created_at", "out_dir", "format", "filter", "store_revision", "content_hash", "n_samples"]
        return [dict(zip(cols, r)) for r in self._q("SELECT * FROM exports ORDER BY id DESC")]

    # ---- taxonomy ----
    def taxonomy(self) -> list[dict]:
        """The task_type taxonomy with targets and how many samples each type has."""
        rows = self._q("""
            SELECT t.l1, t.l2, t.kind, t.description, t.target_share, t.target_count, count(s.id)
            FROM taxonomy t LEFT JOIN samples s ON s.task_l1 = t.l1 AND s.task_l2 = t.l2
            GROUP BY ALL ORDER BY t.kind, t.l1, t.l2""")
        cols = ["l1", "l2", "kind", "description", "target_share", "target_count", "samples"]
        return [dict(zip(cols, r)) for r in rows]

    def taxonomy_add_many(self, entries: list[tuple[str, str, str, str]]) -> int:
        """Add (l1, l2, kind, description) entries that are not there yet; returns how many were added."""
        existing = {(a, b) for a, b in self._q("SELECT l1, l2 FROM taxonomy")}
        new = [(l1, l2, k, d, None, None) for l1, l2, k, d in entries if (l1, l2) not in existing]
        if new:
            self._cur().executemany("INSERT INTO taxonomy VALUES (?, ?, ?, ?, ?, ?)", new)
        return len(new)

    def taxonomy_remove(self, l1: str, l2: str) -> None:
        """Drop a type from the taxonomy (samples keep their label; it shows up as off-taxonomy)."""
        self._cur().execute("DELETE FROM taxonomy WHERE l1 = ? AND l2 = ?", [l1, l2])

    def taxonomy_rename(self, old: tuple[str, str], new: tuple[str, str], author: str) -> int:
        """Rename a type in the taxonomy and relabel its samples (each relabel is a revision)."""
        with self._write_lock:
            self._cur().execute("UPDATE taxonomy SET l1 = ?, l2 = ? WHERE l1 = ? AND l2 = ?", [*new, *old])
            f = SampleFilter(task_type=f"{old[0]}/{old[1]}")
            return self.update_many(f, {"task_l1": new[0], "task_l2": new[1]}, author, "relabel",
                                    f"taxonomy rename {old[0]}/{old[1]} -> {new[0]}/{new[1]}")

    def taxonomy_set_target(self, l1: str, l2: str, share: float | None = None, count: int | None = None) -> None:
        """Set a type's target share (0..1) or count; harder types deserve more data, so targets differ."""
        self._cur().execute("UPDATE taxonomy SET target_share = ?, target_count = ? WHERE l1 = ? AND l2 = ?",
                            [share, count, l1, l2])

    def taxonomy_has(self, l1: str, l2: str) -> bool:
        """True when L1/L2 is in the taxonomy."""
        return bool(self._q("SELECT 1 FROM taxonomy WHERE l1 = ? AND l2 = ?", [l1, l2]))

    # ---- summaries ----
    def counts_by(self, column: str, f: SampleFilter | None = None) -> list[tuple]:
        """Sample counts grouped by one column (dataset, status, split, language, task type)."""
        group = {"dataset": "dataset", "status": "status", "split": "split", "language": "language",
                 "task_type": "task_l1, task_l2", "task_l1": "task_l1"}[column]
        where, params = _where(f)
        return self._q(f"SELECT {group}, count(*) AS n FROM samples WHERE {where} GROUP BY ALL ORDER BY n DESC",
                       params)

    def datasets(self) -> list[str]:
        """Dataset names in the store."""
        return [r[0] for r in self._q("SELECT DISTINCT dataset FROM samples ORDER BY 1")]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag in use with its sample count."""
        return self._q("SELECT t, count(*) FROM (SELECT unnest(tags) AS t FROM samples) GROUP BY t ORDER BY 2 DESC")


def _split_task_type(changes: dict) -> dict:
    """Accept `task_type: "L1/L2"` as a change and store it as task_l1/task_l2."""
    if "task_type" not in changes:
        return changes
    changes = dict(changes)
    l1, l2 = parse_task_type(changes.pop("task_type"))
    changes.update(task_l1=l1, task_l2=l2)
    return changes


def parse_task_type(value: str | None) -> tuple[str | None, str | None]:
    """`"reasoning / math"` -> ("reasoning", "math"); empty -> (None, None)."""
    if value is None or not str(value).strip():
        return None, None
    parts = [p.strip() for p in str(value).split("/", 1)]
    return parts[0] or None, (parts[1] or None) if len(parts) > 1 else None


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _db_value(key: str, value):
    if key in ("messages", "tools"):
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return value
