"""The sample store: one embedded DuckDB file. This module owns the connection and every SQL statement.

Other modules ask it for data through `Store` methods and a `SampleFilter`; they never build SQL.
Nothing here physically deletes a sample: every change is an append-only revision (who, when, before, after),
and any sample can be shown as it was and restored.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson

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
    (3, [
        # v3 (dedup): runs with their settings, scored pairs (re-clustered at any threshold without recomputing),
        # the clusters a run proposed, reviewer decisions; the embedding cache shared with the diversity page
        # (keyed by model and the content hash of the embedded text); decontamination reports.
        """CREATE TABLE dedup_runs (
            id INTEGER, created_at TIMESTAMP, author VARCHAR, method VARCHAR, key VARCHAR, settings VARCHAR,
            filter VARCHAR, n_samples BIGINT, threshold DOUBLE, floor DOUBLE, stats VARCHAR)""",
        "CREATE TABLE dedup_pairs (run_id INTEGER, a VARCHAR, b VARCHAR, similarity DOUBLE)",
        "CREATE INDEX dedup_pairs_run ON dedup_pairs (run_id)",
        """CREATE TABLE dedup_clusters (
            run_id INTEGER, cluster INTEGER, sample_id VARCHAR, is_keeper BOOLEAN, protected BOOLEAN,
            reason VARCHAR)""",
        """CREATE TABLE dedup_decisions (
            id INTEGER, run_id INTEGER, decided_at TIMESTAMP, author VARCHAR, kind VARCHAR, a VARCHAR, b VARCHAR,
            note VARCHAR)""",
        """CREATE TABLE embeddings (
            model VARCHAR, content_hash VARCHAR, dim INTEGER, vector BLOB, created_at TIMESTAMP,
            PRIMARY KEY (model, content_hash))""",
        """CREATE TABLE decontam_reports (
            id INTEGER, created_at TIMESTAMP, author VARCHAR, source VARCHAR, settings VARCHAR,
            n_checked BIGINT, n_contaminated BIGINT, report VARCHAR)""",
    ]),
    (4, [
        # v4 (review): annotator profiles; reviews (append-only, the latest per annotator and sample counts);
        # assignments; task_type guidelines (append-only versions); pre-flags from the checks (derived data,
        # replaced when the checks run again) with a log of check runs; lead adjudications (append-only).
        "CREATE TABLE IF NOT EXISTS annotators (name VARCHAR PRIMARY KEY, role VARCHAR, created_at TIMESTAMP)",
        "CREATE SEQUENCE IF NOT EXISTS reviews_seq",  # ids stay unique when two Store objects write at once
        """CREATE TABLE IF NOT EXISTS reviews (
            id BIGINT, sample_id VARCHAR, annotator VARCHAR, sample_rev INTEGER, created_at TIMESTAMP,
            verdict VARCHAR, accuracy TINYINT, completeness TINYINT, clarity TINYINT, consistency TINYINT,
            difficulty VARCHAR, note VARCHAR, task_type VARCHAR, seconds DOUBLE, source VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS assignments (
            sample_id VARCHAR, annotator VARCHAR, assigned_at TIMESTAMP, assigned_by VARCHAR, batch INTEGER)""",
        """CREATE TABLE IF NOT EXISTS guidelines (
            task_type VARCHAR, version INTEGER, body VARCHAR, author VARCHAR, updated_at TIMESTAMP)""",
        """CREATE TABLE IF NOT EXISTS flags (
            sample_id VARCHAR, check_name VARCHAR, reason VARCHAR, evidence VARCHAR, sample_rev INTEGER,
            run_id INTEGER)""",
        """CREATE TABLE IF NOT EXISTS check_runs (
            id INTEGER, created_at TIMESTAMP, author VARCHAR, trigger VARCHAR, checks VARCHAR, settings VARCHAR,
            n_samples BIGINT, n_flags BIGINT)""",
        """CREATE TABLE IF NOT EXISTS adjudications (
            sample_id VARCHAR, lead VARCHAR, decided_at TIMESTAMP, verdict VARCHAR, sample_rev INTEGER,
            note VARCHAR)""",
    ]),
    (5, [
        # v5 (stats): values the diversity statistics derive from a sample's messages (token estimates, hashes of
        # the answer, normalised openings), computed once per content hash like the embedding cache. Derived
        # data: rows of another `version` are recomputed, and emptying the table loses nothing.
        """CREATE TABLE IF NOT EXISTS stats_derived (
            content_hash VARCHAR, version INTEGER, prompt_tokens INTEGER, answer_tokens INTEGER,
            tool_calls BOOLEAN, ah UBIGINT, nh UBIGINT, ao VARCHAR, po VARCHAR, sh UBIGINT)""",
    ]),
    (6, [
        # v6 (robustness): detector suggestions, kept apart from tags until an annotator confirms them (a confirmed
        # suggestion becomes a tag through add_tag, so the sample's history records it); detection runs.
        """CREATE TABLE IF NOT EXISTS robustness_suggestions (
            sample_id VARCHAR, tag VARCHAR, confidence DOUBLE, reason VARCHAR, evidence VARCHAR, detector VARCHAR,
            content_hash VARCHAR, run_id INTEGER, created_at TIMESTAMP, state VARCHAR, decided_at TIMESTAMP,
            decided_by VARCHAR)""",
        "CREATE INDEX IF NOT EXISTS robustness_suggestions_sample ON robustness_suggestions (sample_id)",
        """CREATE TABLE IF NOT EXISTS robustness_runs (
            id INTEGER, created_at TIMESTAMP, author VARCHAR, kind VARCHAR, filter VARCHAR, settings VARCHAR,
            n_samples BIGINT, n_results BIGINT)""",
    ]),
    (7, [
        # v7: conversations compress with zstd instead of DuckDB's default choice (FSST/dictionary), measured on a
        # million synthetic samples: ~10 us less CPU per imported sample (a quarter of the insert) and a 29%
        # smaller file. DuckDB cannot change a column's compression in place, so the table is copied once.
        """CREATE TABLE samples_v7 (
            id VARCHAR, dataset VARCHAR, messages VARCHAR USING COMPRESSION zstd, tools VARCHAR,
            task_l1 VARCHAR, task_l2 VARCHAR, language VARCHAR, tags VARCHAR[], status VARCHAR, split VARCHAR,
            content_hash VARCHAR, source_hash VARCHAR, source VARCHAR, ingest_id INTEGER,
            n_turns SMALLINT, has_system BOOLEAN, has_tools BOOLEAN, prompt_chars INTEGER, answer_chars INTEGER,
            rev INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP, parent_id VARCHAR)""",
        "INSERT INTO samples_v7 SELECT * FROM samples",  # insertion order is kept; ORDER BY rowid sorted in RAM
        "DROP TABLE samples",
        "ALTER TABLE samples_v7 RENAME TO samples",
    ]),
    (8, [
        # v8 (stats): whether a prompt contains Chinese, so the semantic map can warn about an English-only model
        # without reading conversations (rows of the old derived version are recomputed).
        "ALTER TABLE stats_derived ADD COLUMN IF NOT EXISTS pz BOOLEAN",
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


def sample_from_row(cols: list[str], row: tuple) -> dict:
    """A sample dict from a raw row of the samples table (JSON columns parsed, task_type label added)."""
    s = dict(zip(cols, row))
    if isinstance(s.get("messages"), str):
        s["messages"] = orjson.loads(s["messages"])
    if isinstance(s.get("tools"), str):
        s["tools"] = orjson.loads(s["tools"])
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
            from .outputs import check_store_file
            check_store_file(self.path)  # DuckDB would open a .json/.csv/.parquet file as a throwaway view
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise UserError(f"store {self.path} is open in another process (is the app running?)") from None
            raise UserError(f"cannot open store {self.path}: {e}") from None
        except duckdb.Error as e:
            raise UserError(f"{self.path} is not a workbench store: {e}") from None
        self.read_only = read_only
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

    @contextlib.contextmanager
    def _transaction(self):
        """The write lock and one transaction on this thread's cursor: committed at the end, rolled back on error."""
        with self._write_lock:
            cur = self._cur()
            cur.execute("BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise

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
            with self._transaction():
                for sql in statements:
                    cur.execute(sql)
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
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
        return [sample_from_row(cols, r) for r in self._q(sql, params)]

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
                    yield sample_from_row(cols, r)
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
        return self._cur().sql(f"SELECT {', '.join(cols)} FROM samples WHERE {where}", params=params).to_arrow_table()

    def existing_ids(self, ids: list[str]) -> dict[str, str]:
        """For the given ids already stored: id -> the content hash they were imported with."""
        rows = self._q("SELECT id, source_hash FROM samples WHERE list_contains(?, id)", [ids])
        return dict(rows)

    # ---- samples: write ----
    def insert_samples(self, table, dry_run: bool = False) -> tuple[int, list[tuple[str, bool]]]:
        """Insert a pyarrow Table of new samples (columns as SAMPLE_COLUMNS).

        Ids already stored are not inserted; they are returned as (id, same_content) so the caller can tell a
        harmless re-import from a conflicting one. Returns (inserted count, existing). With dry_run nothing is
        written and the count is how many would be inserted.
        """
        existing_sql = ("SELECT b.id, b.source_hash = s.source_hash FROM _batch b JOIN samples s ON s.id = b.id "
                        "WHERE {}")
        with self._write_lock:
            cur = self._cur()
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

    @contextlib.contextmanager
    def memory_limit(self, limit: str | None):
        """Cap DuckDB's memory (e.g. "600MB") while the block runs, then go back to DuckDB's default.

        A bulk import needs little of it, but DuckDB keeps every block it writes cached, up to 80% of RAM by
        default: that alone takes a million-sample import past 2 GB. None leaves the limit alone.
        """
        if limit is None:
            yield
            return
        cur = self._cur()
        cur.execute("SET memory_limit = ?", [limit])
        try:
            yield
        finally:
            cur.execute("RESET memory_limit")

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
        try:
            with self._transaction():
                return self._update_one(sample_id, changes, author, action, note, expected_rev)
        except duckdb.TransactionException as e:
            raise ConflictError(f"sample {sample_id} was changed by someone else at the same moment") from e

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
        with self._transaction():
            for s in self.query_samples(f):
                before = {k: s[k] for k in changes if s.get(k) != changes[k]}
                if before:
                    self._write_revision(s, before, {k: changes[k] for k in before}, author, action, note)
                    n += 1
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
        return _json_rows(cols, rows, ("before", "after"))

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
        import pyarrow as pa
        with self._write_lock:
            start = self._q("SELECT coalesce(max(id), 0) FROM quarantine")[0][0]
            files, lines, reasons, raws = zip(*rows)
            # One insert from Arrow: executemany costs milliseconds per row, minutes for a file with many bad lines.
            table = pa.table({"id": pa.array(range(start + 1, start + 1 + len(rows)), pa.int32()), "file": files,
                              "line": pa.array(lines, pa.int64()), "reason": reasons, "raw": raws})
            cur = self._cur()
            cur.register("_quarantine", table)
            try:
                cur.execute("INSERT INTO quarantine SELECT id, ?, file, line, reason, raw, ? FROM _quarantine",
                            [ingest_id, _now()])
            finally:
                cur.unregister("_quarantine")

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

    # ---- import hardening (issue 15) ----
    def present_hashes(self, hashes: list[str], ingest_id: int, file_name: str) -> set[str]:
        """Which of these content hashes are stored already, not counting the rows this import took from this
        file (so the same content twice in one file stays two samples)."""
        rows = self._q("SELECT DISTINCT source_hash FROM samples WHERE source_hash IN (SELECT unnest(?::VARCHAR[])) "
                       "AND NOT (ingest_id = ? AND starts_with(source, ?))", [hashes, ingest_id, file_name + ":"])
        return {r[0] for r in rows}

    def quarantine_new(self, rows: list[tuple]) -> list[tuple]:
        """The quarantine rows (file, line, reason, raw) that an earlier import of the same file did not keep
        already: importing a file again must not list its bad records twice."""
        if not rows:
            return rows
        files = sorted({r[0] for r in rows})
        known = set(self._q("SELECT file, line, reason, raw FROM quarantine WHERE list_contains(?, file)", [files]))
        return [r for r in rows if r not in known] if known else rows

    def clear_quarantine(self, ingest_id: int, author: str, note: str | None = None) -> int:
        """Remove one import's quarantine rows (a lead's decision, e.g. a binary file imported by mistake); the
        removal is logged in the history table `quarantine_clears`. Returns how many rows went."""
        with self._transaction() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS quarantine_clears (ingest_id INTEGER, cleared_at TIMESTAMP, "
                        "author VARCHAR, rows BIGINT, note VARCHAR)")
            n = cur.execute("SELECT count(*) FROM quarantine WHERE ingest_id = ?", [ingest_id]).fetchall()[0][0]
            cur.execute("DELETE FROM quarantine WHERE ingest_id = ?", [ingest_id])
            cur.execute("INSERT INTO quarantine_clears VALUES (?, ?, ?, ?, ?)", [ingest_id, _now(), author, n, note])
        return n

    def quarantine_clears(self) -> list[dict]:
        """Who cleared which import's quarantine rows, newest first."""
        if not self._q("SELECT 1 FROM information_schema.tables WHERE table_name = 'quarantine_clears'"):
            return []
        cols = ["ingest_id", "cleared_at", "author", "rows", "note"]
        return [dict(zip(cols, r)) for r in self._q("SELECT * FROM quarantine_clears ORDER BY cleared_at DESC")]

    def pending_checks(self) -> list[int]:
        """Imports whose post-import checks have not finished (a crash or kill during them)."""
        row = self._q("SELECT value FROM meta WHERE key = 'checks_pending'")
        return json.loads(row[0][0]) if row else []

    def set_pending_checks(self, ingest_ids: list[int]) -> None:
        """Record which imports still need their post-import checks."""
        with self._write_lock:
            self._cur().execute("INSERT OR REPLACE INTO meta VALUES ('checks_pending', ?)",
                                [json.dumps(sorted(set(ingest_ids)))])

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

    # ---- stats ----
    # Diversity statistics (curation/stats.py). The queries themselves live in StatsView at the end of this file.
    def stats_view(self, f: SampleFilter | None = None) -> "StatsView":
        """The selection materialised once for the stats queries; use as a context manager."""
        return StatsView(self, f)

    def stats_prepare(self, f: SampleFilter | None = None) -> int:
        """Derive what the diversity statistics need for samples not derived yet (call it after an import and the
        first `curation stats` is as fast as later ones). Returns how many contents were derived."""
        from concurrent.futures import ThreadPoolExecutor

        where, params = _where(f)
        cur = self._cur()
        # The lock keeps two sessions of the app from deriving the same content twice (no key enforces it: a
        # primary key would cost more to maintain than the derivation itself).
        with self._write_lock:
            cur.execute("DELETE FROM stats_derived WHERE version <> ?", [STATS_DERIVED_VERSION])
            before = cur.execute("SELECT count(*) FROM stats_derived").fetchall()[0][0]
            missing = f"({where}) AND content_hash NOT IN (SELECT content_hash FROM stats_derived)"
            sql = f"INSERT INTO stats_derived {_derived_select(missing, ranged=True)}"
            # One insert per rowid range, each on a cursor of its own, side by side: DuckDB scans a row group
            # (~123k rows) on one thread, so below a few row groups a single insert uses one core (100k: 2.6 s,
            # in two ranges 1.3 s). A content goes to the range of its first row, so none is derived twice.
            lo, hi = cur.execute("SELECT coalesce(min(rowid), 0), coalesce(max(rowid), 0) + 1 FROM samples").fetchall()[0]
            parts = max(1, int(cur.execute("SELECT current_setting('threads')").fetchall()[0][0]))
            bounds = [lo + (hi - lo) * i // parts for i in range(parts + 1)]

            def insert(a: int, b: int) -> None:
                c = self._con.cursor()
                try:
                    c.execute(sql, params + [a, b, STATS_DERIVED_VERSION])
                finally:
                    c.close()

            with ThreadPoolExecutor(parts) as pool:
                list(pool.map(insert, bounds[:-1], bounds[1:]))
            return cur.execute("SELECT count(*) FROM stats_derived").fetchall()[0][0] - before

    def stats_picks(self, f: SampleFilter | None, per_type: int | None) -> list[tuple[str, str, bool | None]]:
        """(id, task_type label, whether the prompt contains Chinese) of the stratified pick (see
        stats_stratified), without reading a conversation. On a read-only store, which cannot derive, the flag
        is None."""
        pick, params = _pick(f, per_type)
        flag = "NULL::BOOLEAN"
        if not self.read_only:
            self.stats_prepare(f)
            flag = "(SELECT d.pz FROM stats_derived d WHERE d.content_hash = s.content_hash AND d.version = ?)"
            params.append(STATS_DERIVED_VERSION)
        return self._q(f"""
            WITH pick AS ({pick})
            SELECT pick.id, pick.tt, {flag} FROM pick JOIN samples s ON s.rowid = pick.rid
            ORDER BY pick.tt, pick.hk, pick.id""", params)

    def stats_stratified(self, f: SampleFilter | None, per_type: int | None) -> list[tuple[str, str, str, str]]:
        """(id, task_type label, content_hash, messages JSON) of up to per_type samples of each task_type.

        The pick is a fixed pseudo-random order (hash of the id), so it is stable across runs and reloads."""
        pick, params = _pick(f, per_type)
        # Pick by id and type first, then read only the picked rows' messages (a rowid fetch): the window
        # never carries the conversations.
        return self._q(f"""
            WITH pick AS ({pick})
            SELECT s.id, pick.tt, s.content_hash, s.messages
            FROM (SELECT rowid AS rid, id, content_hash, messages FROM samples
                  WHERE rowid IN (SELECT rid FROM pick)) s JOIN pick USING (rid)
            ORDER BY pick.tt, pick.hk, s.id""", params)

    def stats_distinct_n(self, f: SampleFilter | None, per_type: int | None, max_chars: int) -> list[tuple]:
        """(task_type, answers used, distinct unigrams, unigrams, distinct bigrams, bigrams) over the answers
        (first max_chars characters) of the stratified pick (see stats_stratified), per_type samples of each type.
        n-grams are compared by 64-bit hash (a collision is about as likely as a cosmic ray). Runs on a cursor of
        its own, so the statistics can run it in a thread beside the others."""
        import pyarrow as pa

        pick, params = _pick(f, per_type)
        cur = self._con.cursor()  # its temporary table goes with it
        try:
            cur.execute(f"CREATE TEMP TABLE pick AS {pick}", params)
            # The picked answers are a few thousand short texts: fetched as Arrow and cut into small batches,
            # DuckDB splits the word regex (the costly part) over all threads, which one row group would not.
            answers = cur.sql(f"""
                SELECT pick.tt, lower(left({_turns_text("assistant")}, ?)) AS a
                FROM (SELECT rowid AS rid, from_json(messages, '{_MESSAGES_TYPE}') AS m FROM samples
                      WHERE rowid IN (SELECT rid FROM pick)) JOIN pick USING (rid)""",
                              params=[max_chars]).to_arrow_table()
            cur.register("_answers", pa.Table.from_batches(answers.to_batches(max_chunksize=256), answers.schema))
            # Per answer, the hashes of its words and word pairs; per type, the distinct values of the
            # concatenated lists (twice as fast as unnesting every word into a row for count(DISTINCT)).
            return cur.execute(f"""
                WITH w AS (SELECT tt, list_transform({_WORDS_SQL.format(c="a")}, lambda w: hash(w)) AS h
                           FROM _answers),
                p AS (SELECT tt, h, list_transform(range(1, len(h)), lambda i: hash(h[i], h[i + 1])) AS b FROM w)
                SELECT tt, count(*), len(list_distinct(flatten(list(h)))), sum(len(h)),
                       len(list_distinct(flatten(list(b)))), sum(len(b))
                FROM p GROUP BY tt ORDER BY tt""").fetchall()
        finally:
            cur.close()

    def stats_messages(self, f: SampleFilter | None, batch_size: int = 10_000):
        """Yield (id, task_type label, messages JSON) of the whole selection in batches (the full embedding job)."""
        where, params = _where(f)
        cur = self._con.cursor()
        try:
            cur.execute(f"SELECT id, {_TT_SQL}, messages FROM samples WHERE {where} ORDER BY id", params)
            while rows := cur.fetchmany(batch_size):
                yield rows
        finally:
            cur.close()

    # ---- dedup ----
    # Runs, scored pairs, proposed clusters and reviewer decisions (curation/dedup), the embedding cache
    # (curation/embeddings.py) and decontamination reports (curation/decontam.py). Marking a sample duplicate
    # is not here: it is a status change through update_sample, so it has a revision and can be undone.
    def _bulk_insert(self, table: str, columns: dict) -> None:
        """Insert column arrays through Arrow (executemany is slow for 100k+ rows)."""
        import pyarrow as pa
        cur = self._cur()
        cur.register("_bulk", pa.table(columns))
        try:
            cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _bulk")
        finally:
            cur.unregister("_bulk")

    def dedup_record_run(self, method: str, key: str, settings: dict, filter_: dict, n_samples: int,
                         threshold: float, floor: float, stats: dict, author: str,
                         pairs: tuple[list[str], list[str], list[float]],
                         clusters: list[tuple[int, str, bool, bool, str]]) -> int:
        """Store a dedup run: its settings, every scored pair (a ids, b ids, similarities) and its proposed
        clusters (cluster number, sample id, is keeper, protected, reason). Returns the run id."""
        with self._transaction() as cur:
            run_id = self._q("SELECT coalesce(max(id), 0) + 1 FROM dedup_runs")[0][0]
            cur.execute("INSERT INTO dedup_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, _now(), author, method, key, _dump(settings), _dump(filter_), n_samples,
                         threshold, floor, _dump(stats)])
            a, b, sim = pairs
            self._bulk_insert("dedup_pairs", {"run_id": [run_id] * len(a), "a": list(a), "b": list(b),
                                              "similarity": [float(x) for x in sim]})
            if clusters:
                cols = list(zip(*clusters))
                self._bulk_insert("dedup_clusters", {
                    "run_id": [run_id] * len(clusters), "cluster": list(cols[0]), "sample_id": list(cols[1]),
                    "is_keeper": list(cols[2]), "protected": list(cols[3]), "reason": list(cols[4])})
        return run_id

    def dedup_runs(self, limit: int = 50) -> list[dict]:
        """Dedup runs, newest first (settings, filter and stats parsed)."""
        rows = self._q("SELECT * FROM dedup_runs ORDER BY id DESC LIMIT ?", [limit])
        return [self._dedup_run_row(r) for r in rows]

    def dedup_run(self, run_id: int) -> dict:
        """One dedup run; UserError when there is none."""
        rows = self._q("SELECT * FROM dedup_runs WHERE id = ?", [run_id])
        if not rows:
            raise UserError(f"no dedup run {run_id}")
        return self._dedup_run_row(rows[0])

    @staticmethod
    def _dedup_run_row(r: tuple) -> dict:
        cols = ["id", "created_at", "author", "method", "key", "settings", "filter", "n_samples", "threshold",
                "floor", "stats"]
        return _json_rows(cols, [r], ("settings", "filter", "stats"), empty=dict)[0]

    def dedup_pairs(self, run_id: int, min_similarity: float | None = None) -> list[tuple[str, str, float]]:
        """A run's scored pairs (a, b, similarity), most similar first."""
        return self._q("SELECT a, b, similarity FROM dedup_pairs WHERE run_id = ? AND similarity >= ? "
                       "ORDER BY similarity DESC, a, b", [run_id, -1.0 if min_similarity is None else min_similarity])

    def dedup_clusters(self, run_id: int) -> list[dict]:
        """The clusters a run proposed at its own threshold (one row per member)."""
        cols = ["cluster", "sample_id", "is_keeper", "protected", "reason"]
        rows = self._q("SELECT cluster, sample_id, is_keeper, protected, reason FROM dedup_clusters "
                       "WHERE run_id = ? ORDER BY cluster, NOT is_keeper, sample_id", [run_id])
        return [dict(zip(cols, r)) for r in rows]

    def dedup_add_decision(self, run_id: int, kind: str, a: str, b: str | None, author: str,
                           note: str | None = None) -> int:
        """Record a reviewer decision on a run (not_duplicate a-b, keeper a, marked a dup of b, unmarked a)."""
        with self._write_lock:
            did = self._q("SELECT coalesce(max(id), 0) + 1 FROM dedup_decisions")[0][0]
            self._cur().execute("INSERT INTO dedup_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [did, run_id, _now(), author, kind, a, b, note])
        return did

    def dedup_decisions(self, run_id: int) -> list[dict]:
        """Every decision on a run, oldest first."""
        cols = ["id", "run_id", "decided_at", "author", "kind", "a", "b", "note"]
        rows = self._q("SELECT * FROM dedup_decisions WHERE run_id = ? ORDER BY id", [run_id])
        return [dict(zip(cols, r)) for r in rows]

    def embeddings_get(self, model: str, hashes: list[str]) -> dict:
        """Cached vectors (float32 numpy arrays) for the given content hashes of one model."""
        import numpy as np
        import pyarrow as pa
        if not hashes:
            return {}
        cur = self._cur()
        cur.register("_want", pa.table({"h": list(hashes)}))
        try:
            rows = cur.execute("SELECT e.content_hash, e.vector FROM embeddings e JOIN _want w ON e.content_hash = w.h "
                               "WHERE e.model = ?", [model]).fetchall()
        finally:
            cur.unregister("_want")
        return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}

    def embeddings_put(self, model: str, items: list) -> None:
        """Cache (content hash, vector) pairs for a model; hashes already cached are left as they are."""
        if not items:
            return
        import numpy as np
        import pyarrow as pa
        vecs = [np.asarray(v, dtype=np.float32) for _, v in items]
        batch = pa.table({"h": [h for h, _ in items], "dim": [len(v) for v in vecs],
                          "vec": pa.array([v.tobytes() for v in vecs], type=pa.binary())})
        with self._write_lock:
            cur = self._cur()
            cur.register("_emb", batch)
            try:
                cur.execute("INSERT INTO embeddings SELECT ?, h, dim, vec, ? FROM _emb "
                            "ON CONFLICT DO NOTHING", [model, _now()])
            finally:
                cur.unregister("_emb")

    def embeddings_cached(self, model: str) -> bool:
        """Whether the cache holds any vector of a model."""
        return bool(self._q("SELECT EXISTS (SELECT 1 FROM embeddings WHERE model = ?)", [model])[0][0])

    def embeddings_count(self, model: str, hashes: list[str]) -> int:
        """How many of the given content hashes are cached for a model."""
        import pyarrow as pa
        if not hashes:
            return 0
        cur = self._cur()
        cur.register("_want", pa.table({"h": list(hashes)}))
        try:
            return cur.execute("SELECT count(*) FROM embeddings e JOIN _want w ON e.content_hash = w.h "
                               "WHERE e.model = ?", [model]).fetchall()[0][0]
        finally:
            cur.unregister("_want")

    def decontam_record(self, source: str, settings: dict, n_checked: int, n_contaminated: int, report: dict,
                        author: str) -> int:
        """Store a decontamination report (what was checked against what, every contaminated item)."""
        with self._write_lock:
            rid = self._q("SELECT coalesce(max(id), 0) + 1 FROM decontam_reports")[0][0]
            self._cur().execute("INSERT INTO decontam_reports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [rid, _now(), author, source, _dump(settings), n_checked, n_contaminated,
                                 _dump(report)])
        return rid

    def decontam_reports(self, limit: int = 20) -> list[dict]:
        """Decontamination reports, newest first (settings and report parsed)."""
        cols = ["id", "created_at", "author", "source", "settings", "n_checked", "n_contaminated", "report"]
        rows = self._q("SELECT * FROM decontam_reports ORDER BY id DESC LIMIT ?", [limit])
        return _json_rows(cols, rows, ("settings", "report"))


    # ---- robustness ----
    # Detector suggestions (curation/robustness): stored apart from tags, since only a suggestion an annotator
    # confirms counts (it then becomes a tag through add_tag, a revision). Decided suggestions are kept, so a new
    # detection run does not offer a rejected suggestion again while the sample's content is unchanged.
    # Generated variants are ordinary samples with a parent_id (insert_generated).
    _SUGGESTION_COLS = ("sample_id", "tag", "confidence", "reason", "evidence", "detector", "content_hash", "run_id",
                        "created_at", "state", "decided_at", "decided_by")

    def robustness_record_run(self, author: str, kind: str, filter_: dict, settings: dict, n_samples: int,
                              n_results: int) -> int:
        """Log a detection or generation run; returns its id."""
        with self._write_lock:
            rid = self._q("SELECT coalesce(max(id), 0) + 1 FROM robustness_runs")[0][0]
            self._cur().execute("INSERT INTO robustness_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [rid, _now(), author, kind, _dump(filter_), _dump(settings), n_samples, n_results])
        return rid

    def robustness_runs(self, limit: int = 20) -> list[dict]:
        """Detection and generation runs, newest first."""
        cols = ["id", "created_at", "author", "kind", "filter", "settings", "n_samples", "n_results"]
        return [dict(zip(cols, r)) for r in
                self._q("SELECT * FROM robustness_runs ORDER BY id DESC LIMIT ?", [limit])]

    def robustness_add_suggestions(self, run_id: int, rows: list[dict]) -> int:
        """Store open suggestions (sample_id, tag, confidence, reason, evidence, detector, content_hash).

        An open suggestion for the same sample and tag is replaced; one already decided for the same content is
        not offered again. Returns how many were stored.
        """
        now, n = _now(), 0
        with self._transaction() as cur:
            for r in rows:
                decided = cur.execute(
                    "SELECT 1 FROM robustness_suggestions WHERE sample_id = ? AND tag = ? AND content_hash = ? "
                    "AND state <> 'open'", [r["sample_id"], r["tag"], r["content_hash"]]).fetchall()
                if decided:
                    continue
                cur.execute("DELETE FROM robustness_suggestions WHERE sample_id = ? AND tag = ? AND state = 'open'",
                            [r["sample_id"], r["tag"]])
                cur.execute("INSERT INTO robustness_suggestions "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL)",
                            [r["sample_id"], r["tag"], r["confidence"], r["reason"], _dump(r["evidence"]),
                             r["detector"], r["content_hash"], run_id, now])
                n += 1
        return n

    def robustness_suggestions(self, state: str | None = "open", tag: str | None = None,
                               sample_ids: list[str] | None = None, limit: int | None = None,
                               offset: int = 0) -> list[dict]:
        """Suggestions (evidence parsed), most confident first."""
        clauses, params = [], []
        if state:
            clauses.append("state = ?")
            params.append(state)
        if tag:
            clauses.append("tag = ?")
            params.append(tag)
        if sample_ids is not None:
            clauses.append("list_contains(?, sample_id)")
            params.append(list(sample_ids))
        sql = (f"SELECT {', '.join(self._SUGGESTION_COLS)} FROM robustness_suggestions "
               f"WHERE {' AND '.join(clauses) or 'TRUE'} ORDER BY confidence DESC, sample_id, tag")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return _json_rows(self._SUGGESTION_COLS, self._q(sql, params), ("evidence",), empty=list)

    def robustness_suggestion_counts(self) -> list[tuple[str, str, int]]:
        """(state, tag, count) over all suggestions."""
        return self._q("SELECT state, tag, count(*) FROM robustness_suggestions GROUP BY ALL ORDER BY 1, 2")

    def robustness_decide(self, sample_id: str, tag: str, state: str, author: str) -> int:
        """Close the open suggestion of a sample and tag as `confirmed` or `rejected`; returns rows changed."""
        if state not in ("confirmed", "rejected"):
            raise UserError(f"a suggestion is confirmed or rejected, not {state!r}")
        with self._write_lock:
            n = self._q("SELECT count(*) FROM robustness_suggestions "
                        "WHERE sample_id = ? AND tag = ? AND state = 'open'", [sample_id, tag])[0][0]
            self._cur().execute("UPDATE robustness_suggestions SET state = ?, decided_at = ?, decided_by = ? "
                                "WHERE sample_id = ? AND tag = ? AND state = 'open'",
                                [state, _now(), author, sample_id, tag])
        return n

    def insert_generated(self, rows: list[dict]) -> int:
        """Insert new samples made from others (robustness variants); each row has every SAMPLE_COLUMNS key and a
        parent_id. Ids already stored are left alone (generation is idempotent). Returns how many were added."""
        cols = ", ".join(SAMPLE_COLUMNS)
        marks = ", ".join("?" * len(SAMPLE_COLUMNS))
        n = 0
        with self._transaction() as cur:
            for r in rows:
                if cur.execute("SELECT 1 FROM samples WHERE id = ?", [r["id"]]).fetchall():
                    continue
                cur.execute(f"INSERT INTO samples ({cols}) VALUES ({marks})",
                            [_db_value(c, r.get(c)) for c in SAMPLE_COLUMNS])
                n += 1
        return n

    # ---- review ----
    # Annotator profiles, reviews, assignments, task_type guidelines, pre-flags (curation/checks.py) and lead
    # adjudications (curation/review.py). Reviews and adjudications are append-only: an annotator's latest review
    # of a sample is the one that counts. What a verdict does to `status` is a revision through update_sample.
    _REVIEW_COLS = ("id", "sample_id", "annotator", "sample_rev", "created_at", "verdict", "accuracy",
                    "completeness", "clarity", "consistency", "difficulty", "note", "task_type", "seconds", "source")
    _CURRENT_REVIEWS = ("SELECT * FROM reviews QUALIFY row_number() OVER "
                        "(PARTITION BY sample_id, annotator ORDER BY id DESC) = 1")
    # Samples whose current reviews (2+) differ in verdict or spread by >= ? points on a quality score, and that
    # no lead adjudicated after the latest of those reviews.
    _DISAGREEMENTS = f"""
        SELECT d.* FROM (
            SELECT sample_id, count(*) AS n_reviews, count(DISTINCT verdict) AS n_verdicts,
                   greatest(coalesce(max(accuracy) - min(accuracy), 0), coalesce(max(completeness) - min(completeness), 0),
                            coalesce(max(clarity) - min(clarity), 0),
                            coalesce(max(consistency) - min(consistency), 0)) AS spread,
                   max(created_at) AS last_review
            FROM ({_CURRENT_REVIEWS}) GROUP BY sample_id) d
        WHERE d.n_reviews >= 2 AND (d.n_verdicts > 1 OR d.spread >= ?)
          AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.sample_id = d.sample_id
                          AND a.decided_at >= d.last_review)"""

    def annotators(self) -> list[dict]:
        """Annotator profiles (name, role, created_at), by name."""
        cols = ["name", "role", "created_at"]
        return [dict(zip(cols, r)) for r in self._q("SELECT name, role, created_at FROM annotators ORDER BY name")]

    def annotator(self, name: str) -> dict | None:
        """One profile, or None."""
        rows = self._q("SELECT name, role, created_at FROM annotators WHERE name = ?", [name])
        return dict(zip(["name", "role", "created_at"], rows[0])) if rows else None

    def add_annotator(self, name: str, role: str) -> None:
        """Create a profile; an existing one is left as it is."""
        with self._write_lock:
            self._cur().execute("INSERT INTO annotators VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [name, role, _now()])

    def set_annotator_role(self, name: str, role: str) -> None:
        """Change a profile's role."""
        with self._write_lock:
            self._cur().execute("UPDATE annotators SET role = ? WHERE name = ?", [role, name])

    def add_review(self, review: dict) -> int:
        """Append one review (keys as _REVIEW_COLS; id and created_at are filled in). Returns its id."""
        cols = self._REVIEW_COLS
        with self._write_lock:
            rid = self._q("SELECT nextval('reviews_seq')")[0][0]
            row = {**review, "id": rid, "created_at": review.get("created_at") or _now()}
            self._cur().execute(f"INSERT INTO reviews ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                [row.get(c) for c in cols])
        return rid

    def reviews(self, sample_id: str | None = None, annotator: str | None = None, current: bool = True) -> list[dict]:
        """Reviews, oldest first; `current` keeps only each annotator's latest review of a sample."""
        clauses, params = [], []
        if sample_id is not None:
            clauses.append("sample_id = ?")
            params.append(sample_id)
        if annotator is not None:
            clauses.append("annotator = ?")
            params.append(annotator)
        base = self._CURRENT_REVIEWS if current else "SELECT * FROM reviews"
        where = " AND ".join(clauses) or "TRUE"
        rows = self._q(f"SELECT {', '.join(self._REVIEW_COLS)} FROM ({base}) WHERE {where} ORDER BY id", params)
        return [dict(zip(self._REVIEW_COLS, r)) for r in rows]

    def review_table(self) -> list[dict]:
        """Every current review with its sample's current task type and status (for agreement and dashboards)."""
        cols = list(self._REVIEW_COLS) + ["task_l1", "task_l2", "status"]
        rows = self._q(f"SELECT c.{', c.'.join(self._REVIEW_COLS)}, s.task_l1, s.task_l2, s.status "
                       f"FROM ({self._CURRENT_REVIEWS}) c JOIN samples s ON s.id = c.sample_id ORDER BY c.id")
        return [dict(zip(cols, r)) for r in rows]

    def review_count(self, annotator: str | None = None, since: datetime | None = None) -> int:
        """How many reviews (every save counts) an annotator, or everyone, made since a moment."""
        return self._q("SELECT count(*) FROM reviews WHERE (? IS NULL OR annotator = ?) AND "
                       "(?::TIMESTAMP IS NULL OR created_at >= ?)", [annotator, annotator, since, since])[0][0]

    def disagreements(self, spread: int = 2) -> list[dict]:
        """Samples in the disagreement queue (see _DISAGREEMENTS), newest review first."""
        cols = ["sample_id", "n_reviews", "n_verdicts", "spread", "last_review"]
        rows = self._q(f"{self._DISAGREEMENTS} ORDER BY d.last_review DESC, d.sample_id", [spread])
        return [dict(zip(cols, r)) for r in rows]

    # review queues: a SampleFilter plus review-specific conditions
    def _queue_where(self, f: SampleFilter | None, flagged: str | None, assigned_to: str | None,
                     disagreement: int | None, dedup_run: int | None, dedup_cluster: int | None,
                     unreviewed_by: str | None) -> tuple[str, list]:
        where, params = _where(f)
        clauses = [where]
        if flagged:
            clauses.append("EXISTS (SELECT 1 FROM flags g WHERE g.sample_id = samples.id AND (? = '*' OR "
                           "g.check_name = ?))")
            params += [flagged, flagged]
        if assigned_to:
            clauses.append("EXISTS (SELECT 1 FROM assignments a WHERE a.sample_id = samples.id AND a.annotator = ?)")
            params.append(assigned_to)
        if disagreement is not None:
            clauses.append(f"samples.id IN (SELECT sample_id FROM ({self._DISAGREEMENTS}))")
            params.append(disagreement)
        if dedup_run is not None:
            clauses.append("EXISTS (SELECT 1 FROM dedup_clusters c WHERE c.sample_id = samples.id AND c.run_id = ? "
                           "AND (?::INTEGER IS NULL OR c.cluster = ?))")
            params += [dedup_run, dedup_cluster, dedup_cluster]
        if unreviewed_by:
            clauses.append("NOT EXISTS (SELECT 1 FROM reviews r WHERE r.sample_id = samples.id AND r.annotator = ?)")
            params.append(unreviewed_by)
        return " AND ".join(clauses), params

    def review_queue(self, f: SampleFilter | None = None, *, flagged: str | None = None,
                     assigned_to: str | None = None, disagreement: int | None = None, dedup_run: int | None = None,
                     dedup_cluster: int | None = None, unreviewed_by: str | None = None,
                     order: str = "flagged_first", seed: int = 0, limit: int | None = None) -> list[str]:
        """Sample ids of a review queue in order. `flagged` is a check name or "*"; `disagreement` the score
        spread that counts as disagreeing; order is flagged_first (most flags first), random (seeded) or import."""
        where, params = self._queue_where(f, flagged, assigned_to, disagreement, dedup_run, dedup_cluster,
                                          unreviewed_by)
        order_sql = {
            "flagged_first": "(SELECT count(*) FROM flags g WHERE g.sample_id = samples.id) DESC, created_at, id",
            "random": "hash(id || ?), id",
            "import": "created_at, id",
        }[order]
        if order == "random":
            params = params + [str(seed)]
        sql = f"SELECT id FROM samples WHERE {where} ORDER BY {order_sql}"
        if limit is not None:
            sql += " LIMIT ?"
            params = params + [int(limit)]
        return [r[0] for r in self._q(sql, params)]

    def review_progress(self, f: SampleFilter | None = None, *, flagged: str | None = None,
                        assigned_to: str | None = None, disagreement: int | None = None,
                        dedup_run: int | None = None, dedup_cluster: int | None = None) -> tuple[int, int]:
        """(samples in the queue, how many of them have at least one review)."""
        where, params = self._queue_where(f, flagged, assigned_to, disagreement, dedup_run, dedup_cluster, None)
        return tuple(self._q(
            f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.sample_id = samples.id))"
            f" FROM samples WHERE {where}", params)[0])

    def reviewed_ids(self, ids: list[str]) -> set[str]:
        """Those of the given samples that have at least one review."""
        import pyarrow as pa
        cur = self._cur()
        cur.register("_queue_ids", pa.table({"id": pa.array(ids, type=pa.string())}))
        try:
            return {r[0] for r in cur.execute("SELECT DISTINCT r.sample_id FROM reviews r "
                                              "JOIN _queue_ids q ON q.id = r.sample_id").fetchall()}
        finally:
            cur.unregister("_queue_ids")

    def reviewed_since(self, since: datetime) -> set[str]:
        """Samples reviewed at or after a moment."""
        return {r[0] for r in self._q("SELECT DISTINCT sample_id FROM reviews WHERE created_at >= ?", [since])}

    # assignments
    def assignment_candidates(self, f: SampleFilter | None, seed: int, limit: int | None,
                              include_assigned: bool = False) -> list[str]:
        """Ids to hand out, in a seeded random order; samples already assigned are skipped unless asked."""
        where, params = _where(f)
        if not include_assigned:
            where += " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.sample_id = samples.id)"
        sql = f"SELECT id FROM samples WHERE {where} ORDER BY hash(id || ?), id"
        params = params + [str(seed)]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [r[0] for r in self._q(sql, params)]

    def add_assignments(self, pairs: list[tuple[str, str]], assigned_by: str) -> int:
        """Record (sample id, annotator) assignments as one batch; returns the batch number."""
        with self._write_lock:
            batch = self._q("SELECT coalesce(max(batch), 0) + 1 FROM assignments")[0][0]
            if pairs:
                now = _now()
                self._bulk_insert("assignments", {
                    "sample_id": [s for s, _ in pairs], "annotator": [a for _, a in pairs],
                    "assigned_at": [now] * len(pairs), "assigned_by": [assigned_by] * len(pairs),
                    "batch": [batch] * len(pairs)})
        return batch

    def assignments(self, annotator: str | None = None, sample_id: str | None = None) -> list[dict]:
        """Assignment rows, oldest first."""
        cols = ["sample_id", "annotator", "assigned_at", "assigned_by", "batch"]
        rows = self._q("SELECT * FROM assignments WHERE (? IS NULL OR annotator = ?) AND (? IS NULL OR sample_id = ?) "
                       "ORDER BY batch, sample_id, annotator", [annotator, annotator, sample_id, sample_id])
        return [dict(zip(cols, r)) for r in rows]

    def assignment_load(self) -> list[dict]:
        """Per annotator: samples assigned and how many of those they have reviewed."""
        rows = self._q("""
            SELECT a.annotator, count(DISTINCT a.sample_id),
                   count(DISTINCT a.sample_id) FILTER (WHERE EXISTS (SELECT 1 FROM reviews r
                       WHERE r.sample_id = a.sample_id AND r.annotator = a.annotator))
            FROM assignments a GROUP BY a.annotator ORDER BY a.annotator""")
        return [dict(zip(["annotator", "assigned", "done"], r)) for r in rows]

    # guidelines
    def guideline(self, task_type: str) -> dict | None:
        """The latest guideline written for exactly this task type key, or None."""
        rows = self._q("SELECT task_type, version, body, author, updated_at FROM guidelines WHERE task_type = ? "
                       "ORDER BY version DESC LIMIT 1", [task_type])
        return dict(zip(["task_type", "version", "body", "author", "updated_at"], rows[0])) if rows else None

    def first_guideline(self, keys: list[str]) -> dict | None:
        """The latest guideline of the first key in `keys` that has one (one query for a fallback chain)."""
        cols = ["task_type", "version", "body", "author", "updated_at"]
        rows = self._q("SELECT task_type, version, body, author, updated_at FROM guidelines "
                       "WHERE list_contains(?, task_type) ORDER BY list_position(?, task_type), version DESC LIMIT 1",
                       [keys, keys])
        return dict(zip(cols, rows[0])) if rows else None

    def add_guideline(self, task_type: str, body: str, author: str) -> int:
        """Save a new version of a task type's guideline; returns the version number."""
        with self._write_lock:
            version = self._q("SELECT coalesce(max(version), 0) + 1 FROM guidelines WHERE task_type = ?",
                              [task_type])[0][0]
            self._cur().execute("INSERT INTO guidelines VALUES (?, ?, ?, ?, ?)",
                                [task_type, version, body, author, _now()])
        return version

    def guidelines(self) -> list[dict]:
        """The latest version of every guideline."""
        cols = ["task_type", "version", "body", "author", "updated_at"]
        rows = self._q("SELECT task_type, version, body, author, updated_at FROM guidelines "
                       "QUALIFY row_number() OVER (PARTITION BY task_type ORDER BY version DESC) = 1 ORDER BY 1")
        return [dict(zip(cols, r)) for r in rows]

    def taxonomy_types(self) -> list[str]:
        """Every L1/L2 in the taxonomy (cheap: no sample counts)."""
        return [f"{a}/{b}" for a, b in self._q("SELECT l1, l2 FROM taxonomy ORDER BY l1, l2")]

    # pre-flags
    def replace_flags(self, checks: list[str], evaluated: list[str], flags: list[tuple], run: dict) -> int:
        """Record a check run: drop the named checks' old flags on the evaluated samples, insert the new ones
        (sample_id, check_name, reason, evidence, sample_rev). Returns the run id."""
        import pyarrow as pa
        with self._transaction() as cur:
            run_id = self._q("SELECT coalesce(max(id), 0) + 1 FROM check_runs")[0][0]
            cur.execute("INSERT INTO check_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, _now(), run.get("author"), run.get("trigger"), _dump(checks),
                         _dump(run.get("settings", {})), len(evaluated), len(flags)])
            cur.register("_evaluated", pa.table({"id": pa.array(evaluated, type=pa.string())}))
            try:
                cur.execute("DELETE FROM flags WHERE list_contains(?, check_name) AND sample_id IN "
                            "(SELECT id FROM _evaluated)", [checks])
            finally:
                cur.unregister("_evaluated")
            if flags:
                cols = list(zip(*flags))
                self._bulk_insert("flags", {
                    "sample_id": list(cols[0]), "check_name": list(cols[1]), "reason": list(cols[2]),
                    "evidence": list(cols[3]), "sample_rev": list(cols[4]), "run_id": [run_id] * len(flags)})
        return run_id

    def flags(self, sample_id: str) -> list[dict]:
        """A sample's current pre-flags."""
        cols = ["check_name", "reason", "evidence", "sample_rev", "run_id"]
        rows = self._q("SELECT check_name, reason, evidence, sample_rev, run_id FROM flags WHERE sample_id = ? "
                       "ORDER BY check_name", [sample_id])
        return [dict(zip(cols, r)) for r in rows]

    def flag_counts(self) -> list[tuple[str, int]]:
        """(check name, samples flagged) for every check with flags."""
        return self._q("SELECT check_name, count(DISTINCT sample_id) FROM flags GROUP BY 1 ORDER BY 2 DESC, 1")

    def check_runs(self, limit: int = 20) -> list[dict]:
        """Check runs, newest first (checks and settings parsed)."""
        cols = ["id", "created_at", "author", "trigger", "checks", "settings", "n_samples", "n_flags"]
        return _json_rows(cols, self._q("SELECT * FROM check_runs ORDER BY id DESC LIMIT ?", [limit]),
                          ("checks", "settings"))

    def answer_length_stats(self) -> list[tuple[str, int, float, float]]:
        """Per task type label (L1/L2, L1, or UNTYPED): (label, n, median, median absolute deviation) of
        ln(1 + answer chars), the distribution the verbosity check compares against."""
        return self._q("""
            WITH x AS (SELECT CASE WHEN task_l1 IS NULL THEN ? WHEN task_l2 IS NULL THEN task_l1
                                   ELSE task_l1 || '/' || task_l2 END AS label, ln(1 + answer_chars) AS v FROM samples),
                 m AS (SELECT label, count(*) AS n, median(v) AS med FROM x GROUP BY label)
            SELECT m.label, m.n, m.med, median(abs(x.v - m.med)) FROM x JOIN m USING (label)
            GROUP BY m.label, m.n, m.med ORDER BY m.label""", [UNTYPED])

    def ingest_sample_rows(self, ingest_id: int, batch_size: int = 5000,
                           columns: tuple[str, ...] = ("id", "messages", "tools", "task_l1", "task_l2", "rev")):
        """Stream the samples one import run added as (columns, raw rows) batches, in the order they were stored
        (for the checks that run on import; `sample_from_row` decodes a row). Only the columns the checks read:
        sorting whole rows took 3.5 GB on a million samples."""
        cols = [c for c in columns if c in SAMPLE_COLUMNS]
        cur = self._con.cursor()
        try:
            cur.execute(f"SELECT {', '.join(cols)} FROM samples WHERE ingest_id = ?", [ingest_id])
            while rows := cur.fetchmany(batch_size):
                yield cols, rows
        finally:
            cur.close()

    # adjudications
    def add_adjudication(self, sample_id: str, lead: str, verdict: str, sample_rev: int, note: str | None) -> None:
        """Record a lead's final decision on a sample."""
        with self._write_lock:
            self._cur().execute("INSERT INTO adjudications VALUES (?, ?, ?, ?, ?, ?)",
                                [sample_id, lead, _now(), verdict, sample_rev, note])

    def adjudications(self, sample_id: str | None = None) -> list[dict]:
        """Adjudications, oldest first."""
        cols = ["sample_id", "lead", "decided_at", "verdict", "sample_rev", "note"]
        rows = self._q("SELECT * FROM adjudications WHERE (? IS NULL OR sample_id = ?) ORDER BY decided_at",
                       [sample_id, sample_id])
        return [dict(zip(cols, r)) for r in rows]

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


def _json_rows(cols, rows, json_cols: tuple[str, ...], empty=None) -> list[dict]:
    """Rows as dicts with their JSON-text columns parsed; with `empty` (a factory), NULL or "" gives empty()."""
    out = []
    for r in rows:
        d = dict(zip(cols, r))
        for k in json_cols:
            d[k] = empty() if empty is not None and not d[k] else json.loads(d[k])
        out.append(d)
    return out


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _db_value(key: str, value):
    if key in ("messages", "tools"):
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return value




# ---- stats ----
# Diversity statistics run here, inside DuckDB; no Python loop touches the rows. What the statistics derive from
# a sample's messages (token estimates, hashes of the answer, normalised openings) is computed once per content
# hash into `stats_derived`, like the embedding cache, so a later call only parses new or edited samples. A call
# joins the selection with those values into a small temporary table, and every metric is a GROUP BY over it;
# texts are parsed again only for the handful of rows a table shows. curation/stats.py builds the report.

STATS_DERIVED_VERSION = 2  # bump when a derived definition below changes: older rows are then recomputed
# The task_type label used by every stats query; untyped (either level missing) is one bucket, as in SampleFilter.
_TT_SQL = f"CASE WHEN task_l1 IS NULL OR task_l2 IS NULL THEN '{UNTYPED}' ELSE task_l1 || '/' || task_l2 END"
_MESSAGES_TYPE = '[{"role": "VARCHAR", "content": "VARCHAR"}]'


def _pick(f: SampleFilter | None, per_type: int | None) -> tuple[str, list]:
    """SQL and parameters of the stratified pick (rid, id, tt, hk): the per_type samples of each type of the
    selection with the smallest hash(id), a fixed pseudo-random order. A hash threshold first keeps about twice
    per_type candidates of each type, so the window never sorts a whole large selection; it drops none of the
    pick unless fewer than half the expected candidates fall under it (~10 standard deviations at 200)."""
    where, params = _where(f)
    limit = per_type or 2 ** 62
    sql = f"""
        WITH c AS (SELECT {_TT_SQL} AS tt, count(*) AS n FROM samples WHERE {where} GROUP BY tt)
        SELECT rid, id, tt, hk
        FROM (SELECT rowid AS rid, id, {_TT_SQL} AS tt, hash(id) AS hk FROM samples WHERE {where}) JOIN c USING (tt)
        WHERE hk / 18446744073709551616.0 <= 2.0 * ? / c.n
        QUALIFY row_number() OVER (PARTITION BY tt ORDER BY hk, id) <= ?"""
    return sql, params + params + [limit, limit]


# A sample calls tools when an assistant turn has a non-empty tool_calls list; JSON keys are never escaped, so
# the raw text can be searched (cheaper than parsing the calls), first by substring, then exactly.
_TOOL_CALLS_SQL = ("(contains(messages, '\"tool_calls\"') "
                   "AND regexp_matches(messages, '\"tool_calls\"\\s*:\\s*\\[\\s*\\{'))")


def _turns_text(role: str) -> str:
    """SQL: the contents of every `role` turn of the parsed messages `m`, joined by newlines (text.py's rule)."""
    return (f"array_to_string(list_transform(list_filter(m, lambda x: x.role = '{role}'), "
            "lambda x: coalesce(x.content, '')), chr(10))")


# Token estimate from UTF-8 byte counts, so it needs no scan of the text: a CJK character takes 3 bytes and is
# about one token; other text is about 4 characters per token (ASCII takes 1 byte per character).
_TOKENS_SQL = ("CAST(round((strlen({c}) - length({c})) / 2 + (length({c}) - (strlen({c}) - length({c})) / 2) / 4) "
               "AS INTEGER)")
# Nearly-equal answers: equal after dropping whitespace, punctuation, symbols and digits and lower-casing, compared
# on the first 120 normalised characters (of the first 200): bounded work per answer, and a few characters more
# or less in the head do not shift what is compared.
_NEAR_SQL = r"hash(lower(left(regexp_replace(left({c}, 200), '[\s\p{{P}}\p{{S}}\p{{N}}]+', '', 'g'), 120)))"
# The normalised head an opening is cut from: lower-cased, every number written 0 (so "Question 12:" and
# "Question 7:" are one template).
_HEAD_SQL = "lower(regexp_replace(trim(left({c}, 60)), '[0-9]+', '0', 'g'))"
# An opening: a lead-in that ends with a colon within the first 40 characters ("translate into english:",
# "把下面的中文翻译成英文：") is the template itself; otherwise the first 6 words of an answer, 8 of a prompt, and
# for text that is mostly CJK (no spaces between words, 3 bytes a character) twice as many characters.
ANSWER_OPENING_WORDS, PROMPT_OPENING_WORDS = 6, 8
_LEAD_SQL = r"regexp_extract({h}, '^[^:：\n]{{1,40}}[:：]')"
_OPENING_SQL = ("CASE WHEN {lead} <> '' THEN {lead} "
                "WHEN strlen({h}) > 1.6 * length({h}) THEN left(replace(replace({h}, ' ', ''), chr(10), ''), 2 * {k}) "
                "ELSE array_to_string(list_filter(string_split(replace(replace({h}, chr(10), ' '), chr(9), ' '), ' '), "
                "lambda w: w <> '')[1:{k}], ' ') END")
# Words for distinct-n: a CJK ideograph or kana is a word on its own (Chinese has no spaces, so characters are
# the unigrams); any other run of letters or digits is one word. Lower-cased.
_WORDS_SQL = (r"regexp_extract_all({c}, "
              r"'\p{{Han}}|\p{{Hiragana}}|\p{{Katakana}}|[^\s\p{{P}}\p{{S}}\p{{Han}}\p{{Hiragana}}\p{{Katakana}}]+')")
STATS_KEYS = {"answer_exact": "ah", "answer_near": "nh", "answer_opening": "ao", "prompt_opening": "po",
              "system": "sh"}


def _derived_select(where: str, ranged: bool = False) -> str:
    """SQL computing the derived values of every distinct content hash of the samples matching `where`
    (parameters: the where clause's, then with `ranged` the rowid range [from, to) of the contents' first rows,
    then the version)."""
    from .text import CJK_CLASS
    first_rows = f"SELECT min(rowid) FROM samples WHERE {where} GROUP BY content_hash"
    if ranged:
        first_rows += " HAVING min(rowid) >= ? AND min(rowid) < ?"
    return f"""
        WITH parsed AS (SELECT content_hash, from_json(messages, '{_MESSAGES_TYPE}') AS m,
                               {_TOOL_CALLS_SQL} AS tool_calls FROM samples
                        WHERE rowid = ANY({first_rows})),
        texts AS (SELECT content_hash, tool_calls, {_turns_text('user')} AS prompt,
                         {_turns_text('assistant')} AS answer,
                         list_filter(m, lambda x: x.role = 'system')[1].content AS system
                  FROM parsed),
        heads AS (SELECT *, {_HEAD_SQL.format(c='answer')} AS a_head, {_HEAD_SQL.format(c='prompt')} AS p_head
                  FROM texts),
        leads AS (SELECT *, {_LEAD_SQL.format(h='a_head')} AS a_lead, {_LEAD_SQL.format(h='p_head')} AS p_lead
                  FROM heads)
        SELECT content_hash, ?::INTEGER AS version, {_TOKENS_SQL.format(c='prompt')} AS prompt_tokens,
               {_TOKENS_SQL.format(c='answer')} AS answer_tokens, tool_calls, hash(answer) AS ah,
               {_NEAR_SQL.format(c='answer')} AS nh,
               {_OPENING_SQL.format(h='a_head', lead='a_lead', k=ANSWER_OPENING_WORDS)} AS ao,
               {_OPENING_SQL.format(h='p_head', lead='p_lead', k=PROMPT_OPENING_WORDS)} AS po,
               CASE WHEN system IS NOT NULL THEN hash(system) END AS sh,
               strlen(prompt) > length(prompt) AND regexp_matches(prompt, '[{CJK_CLASS}]') AS pz
        FROM leads"""


class StatsView:
    """One selection materialised for statistics in a temporary table on its own cursor.

    Columns: id, tt (task_type label), l1, n_turns, has_system, has_tools, tool_calls, prompt_chars,
    answer_chars, prompt_tokens, answer_tokens, language, tags, ah / nh (hash of the answer, exact / normalised),
    ao / po (answer / prompt opening), sh (hash of the system prompt). Closing the view drops the table.
    """

    def __init__(self, store: "Store", f: SampleFilter | None):
        self._c = store._con.cursor()
        self._filter = f
        self._where = _where(f)
        where, params = self._where
        source = self._derive(store, where, params)
        self._c.execute(f"""
            CREATE OR REPLACE TEMP TABLE stats_v AS
            SELECT s.id, s.rowid AS rid, {_TT_SQL} AS tt, coalesce(s.task_l1, '{UNTYPED}') AS l1, s.n_turns, s.has_system,
                   s.has_tools, d.tool_calls, s.prompt_chars, s.answer_chars, d.prompt_tokens, d.answer_tokens,
                   s.language, s.tags, d.ah, d.nh, d.ao, d.po, d.sh
            FROM samples s JOIN {source} d ON d.content_hash = s.content_hash AND d.version = ?
            WHERE {where}""", [STATS_DERIVED_VERSION] + params)

    def _derive(self, store: "Store", where: str, params: list) -> str:
        """Make sure derived values exist for the selection; returns the table holding them."""
        if store.read_only:
            self._c.execute(f"CREATE OR REPLACE TEMP TABLE stats_d AS {_derived_select(where)}",
                            params + [STATS_DERIVED_VERSION])
            return "stats_d"
        store.stats_prepare(self._filter)
        return "stats_derived"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Drop the temporary tables with their cursor."""
        self._c.close()

    def _q(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self._c.execute(sql, params).fetchall()

    def texts(self):
        """id, prompt, answer of the selection as a pyarrow Table (for counting tokens with a real tokenizer)."""
        where, params = self._where
        return self._c.sql(f"""SELECT id, {_turns_text('user')} AS prompt, {_turns_text('assistant')} AS answer
                                   FROM (SELECT id, from_json(messages, '{_MESSAGES_TYPE}') AS m
                                         FROM samples WHERE {where})""", params=params).to_arrow_table()

    def set_tokens(self, table) -> None:
        """Replace the token estimates with counts from a pyarrow Table (id, prompt_tokens, answer_tokens)."""
        self._c.register("_tok", table)
        try:
            self._c.execute("UPDATE stats_v SET prompt_tokens = t.prompt_tokens, answer_tokens = t.answer_tokens "
                            "FROM _tok t WHERE stats_v.id = t.id")
        finally:
            self._c.unregister("_tok")

    def sample_texts(self, ids: list[str]) -> dict[str, tuple[str, str, str | None]]:
        """id -> (prompt, answer, system prompt) for a few samples (the examples shown in tables)."""
        rows = self._q(f"""SELECT id, {_turns_text('user')}, {_turns_text('assistant')},
                                  list_filter(m, lambda x: x.role = 'system')[1].content
                           FROM (SELECT id, from_json(messages, '{_MESSAGES_TYPE}') AS m FROM samples
                                 WHERE rowid = ANY(SELECT rid FROM stats_v WHERE id = ANY(?)))""", [list(ids)])
        return {r[0]: r[1:] for r in rows}

    def type_counts(self) -> list[tuple[str, str, int]]:
        """(l1, task_type label, samples) per task_type."""
        return self._q("SELECT l1, tt, count(*) FROM stats_v GROUP BY ALL ORDER BY 3 DESC, 2")

    def quantiles(self, column: str, qs: list[float]) -> list[tuple]:
        """(task_type or NULL for all, [quantiles], min, max, mean, n) of a length column."""
        col = _length_column(column)
        return self._q(f"""SELECT tt, quantile_cont({col}, ?), min({col}), max({col}), avg({col}), count({col})
                           FROM stats_v GROUP BY GROUPING SETS ((tt), ()) ORDER BY tt NULLS FIRST""", [qs])

    def histogram(self, column: str, bins: int, low: float, high: float) -> list[tuple[str, int, int]]:
        """(task_type, bin, samples): bins equally wide on a log(1 + length) scale from low to high."""
        col = _length_column(column)
        start = math.log1p(max(low, 0))
        step = max(math.log1p(max(high, 0)) - start, 1e-9) / bins
        return self._q(f"""SELECT tt, greatest(least(floor((ln(1 + {col}) - ?) / ?)::INTEGER, ?), 0) AS b, count(*)
                           FROM stats_v WHERE {col} IS NOT NULL GROUP BY ALL ORDER BY 1, 2""", [start, step, bins - 1])

    def shape(self) -> list[tuple]:
        """(task_type or NULL for all, samples, single-turn, with system prompt, with tools, with tool calls,
        mean user turns, distinct system prompts)."""
        return self._q("""SELECT tt, count(*), count(*) FILTER (n_turns = 1), count(*) FILTER (has_system),
                                 count(*) FILTER (has_tools), count(*) FILTER (tool_calls), avg(n_turns),
                                 count(DISTINCT sh)
                          FROM stats_v GROUP BY GROUPING SETS ((tt), ()) ORDER BY tt NULLS FIRST""")

    def turns_histogram(self, cap: int) -> list[tuple[str, int, int]]:
        """(task_type, user turns capped at `cap`, samples)."""
        return self._q("SELECT tt, least(n_turns, ?) AS t, count(*) FROM stats_v GROUP BY ALL ORDER BY 1, 2", [cap])

    def languages(self) -> list[tuple[str, str, int]]:
        """(task_type, language, samples)."""
        return self._q("SELECT tt, coalesce(language, 'other'), count(*) FROM stats_v GROUP BY ALL ORDER BY 1, 3 DESC")

    def repeat_counts(self) -> list[tuple]:
        """(task_type or NULL for all, samples, samples whose answer exactly repeats another's in the selection,
        samples whose answer nearly repeats another's)."""
        return self._q("""
            WITH e AS (SELECT ah FROM stats_v GROUP BY ah HAVING count(*) > 1),
                 n AS (SELECT nh FROM stats_v GROUP BY nh HAVING count(*) > 1)
            SELECT tt, count(*), count(*) FILTER (ah IN (SELECT ah FROM e)),
                   count(*) FILTER (nh IN (SELECT nh FROM n))
            FROM stats_v GROUP BY GROUPING SETS ((tt), ()) ORDER BY tt NULLS FIRST""")

    def top_groups(self, kind: str, n: int, min_count: int = 2, examples: int = 5) -> list[tuple]:
        """The n largest groups of samples sharing a key (see STATS_KEYS): (key as text, samples, distinct exact
        answers, {task_type: samples}, first example ids)."""
        col = _stats_key(kind)
        return self._q(f"""
            WITH g AS (SELECT {col} AS key, count(*) AS n FROM stats_v
                       WHERE {col} IS NOT NULL AND {col}::VARCHAR <> ''
                       GROUP BY key HAVING count(*) >= ? ORDER BY n DESC, key LIMIT ?)
            SELECT g.key::VARCHAR, g.n, count(DISTINCT v.ah), histogram(v.tt), list(v.id ORDER BY v.id)[1:?]
            FROM g JOIN stats_v v ON v.{col} = g.key GROUP BY g.key, g.n ORDER BY g.n DESC, g.key""",
                       [min_count, n, examples])

    def openings_per_type(self, column: str, n: int) -> list[tuple[str, str, int, int]]:
        """(task_type, opening, samples, samples of the type) for the n most common openings of each type."""
        col = _stats_key(f"{column}_opening")
        return self._q(f"""
            WITH c AS (SELECT tt, {col} AS key, count(*) AS n FROM stats_v WHERE {col} <> '' GROUP BY ALL
                       HAVING count(*) > 1),
            t AS (SELECT tt, count(*) AS total FROM stats_v GROUP BY tt),
            r AS (SELECT tt, key, n, row_number() OVER (PARTITION BY tt ORDER BY n DESC, key) AS rk FROM c)
            SELECT r.tt, key, n, total FROM r JOIN t USING (tt) WHERE rk <= ? ORDER BY r.tt, rk""", [n])

    def tagged(self, prefix: str) -> list[tuple[str, int, int]]:
        """(task_type, samples, samples carrying a tag that starts with prefix)."""
        return self._q("""SELECT tt, count(*), count(*) FILTER (len(list_filter(tags, lambda t: starts_with(t, ?))) > 0)
                          FROM stats_v GROUP BY tt ORDER BY tt""", [prefix])

    def ids_where(self, task_type: str | None = None, key_kind: str | None = None, key: str | None = None,
                  column: str | None = None, low: float | None = None, high: float | None = None,
                  repeated: str | None = None, language: str | None = None, tagged: str | None = None) -> list[str]:
        """Ids behind one chart element or table row: optionally one task_type, a grouping key (STATS_KEYS) equal
        to `key`, a length column in [low, high), an exactly/nearly repeated answer, a language, a tag prefix."""
        conds, params = ["(? IS NULL OR tt = ?)"], [task_type, task_type]
        if key_kind:
            conds.append(f"{_stats_key(key_kind)}::VARCHAR = ?")
            params.append(key)
        if column:
            col = _length_column(column)
            conds.append(f"{col} >= coalesce(?, 0) AND {col} < coalesce(?, 'infinity'::DOUBLE)")
            params += [low, high]
        if repeated:
            col = _stats_key(repeated)
            conds.append(f"{col} IN (SELECT {col} FROM stats_v GROUP BY {col} HAVING count(*) > 1)")
        if language:
            conds.append("coalesce(language, 'other') = ?")
            params.append(language)
        if tagged:
            conds.append("len(list_filter(tags, lambda t: starts_with(t, ?))) > 0")
            params.append(tagged)
        return [r[0] for r in self._q(f"SELECT id FROM stats_v WHERE {' AND '.join(conds)} ORDER BY id", params)]


def _stats_key(kind: str) -> str:
    if kind not in STATS_KEYS:
        raise ValueError(f"unknown stats key {kind!r}; use one of {', '.join(STATS_KEYS)}")
    return STATS_KEYS[kind]


def _length_column(column: str) -> str:
    if column not in ("prompt_chars", "answer_chars", "prompt_tokens", "answer_tokens", "n_turns"):
        raise ValueError(f"unknown length column {column!r}")
    return column
