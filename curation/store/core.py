"""`Store`: the connection, its transactions and migrations; every capability hangs off it as an attribute."""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import duckdb

from ..errors import ConflictError, UserError
from ..taxonomy import DEFAULT_TAXONOMY
from .candidates import Candidates
from .dedup import Dedup, Embeddings
from .exports import Exports
from .flags import Flags
from .generation import Generation
from .ingests import Ingests, Quarantine
from .judge import JudgeReviews
from .jobs import Jobs
from .llm import LLM
from .review import Review
from .revisions import Revisions
from .robustness import Robustness
from .runs import RunLog
from .samples import Samples
from .schema import DEFAULT_DB, MIGRATIONS, SCHEMA_VERSION
from .stats import Stats
from .taxonomy import Taxonomy


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """`--db PATH`, else $CURATION_DB, else ./workbench.duckdb."""
    return Path(path or os.environ.get("CURATION_DB") or DEFAULT_DB)


class Store:
    """A DuckDB-backed sample store with full revision history.

    Capabilities: `samples`, `revisions`, `taxonomy`, `ingests`, `quarantine`, `exports`, `dedup`, `embeddings`,
    `decontam`, `review`, `flags`, `robustness`, `stats`, `llm`, `judge`, `generation`, `candidates`, `jobs` (see
    docs/ARCHITECTURE.md, "Store API").
    """

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = resolve_db_path(path)
        if str(self.path) != ":memory:":
            if self.path.is_dir():
                raise UserError(f"store path {self.path} is a directory; give a file path such as {DEFAULT_DB}")
            if not self.path.parent.exists():
                raise UserError(f"store folder {self.path.parent} does not exist")
            from ..outputs import check_store_file
            check_store_file(self.path)  # DuckDB would open a .json/.csv/.parquet file as a throwaway view
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise UserError(f"store {self.path} is open in another process (is the app running?). Long work "
                                "runs inside the app as a job: start it there and follow it on the Jobs page; "
                                "stop the app to use the command line, where `curation jobs` lists the jobs and "
                                "`curation jobs resume ID` continues one") from None
            raise UserError(f"cannot open store {self.path}: {e}") from None
        except duckdb.Error as e:
            raise UserError(f"{self.path} is not a workbench store: {e}") from None
        self.read_only = read_only
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._attach()
        if not read_only:
            self._migrate()

    def _attach(self) -> None:
        self.samples = Samples(self)
        self.revisions = Revisions(self)
        self.taxonomy = Taxonomy(self)
        self.ingests = Ingests(self)
        self.quarantine = Quarantine(self)
        self.exports = Exports(self)
        self.dedup = Dedup(self)
        self.embeddings = Embeddings(self)
        self.decontam = RunLog(self, "decontam_reports", "decontam_reports_seq", "decontamination report",
                               json_cols=("settings", "report"))
        self.review = Review(self)
        self.flags = Flags(self)
        self.robustness = Robustness(self)
        self.stats = Stats(self)
        self.llm = LLM(self)
        self.judge = JudgeReviews(self)
        self.generation = Generation(self)
        self.candidates = Candidates(self)
        self.jobs = Jobs(self)

    # ---- connection ----
    def _cur(self) -> duckdb.DuckDBPyConnection:
        """A cursor per thread: Streamlit serves sessions from several threads, and DuckDB cursors aren't shared."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._con.cursor()
        return cur

    def _own_cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for a streaming read or a temporary table (the caller closes it)."""
        return self._con.cursor()

    def _q(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self._cur().execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _transaction(self):
        """The write lock and one transaction on this thread's cursor: committed at the end, rolled back on error.

        Re-entrant: a transaction opened inside another on the same thread joins it, so a job can commit a chunk's
        results and its checkpoint together (`store.jobs.commit_chunk`): both or neither."""
        with self._write_lock:
            cur = self._cur()
            if getattr(self._local, "depth", 0):
                self._local.depth += 1
                try:
                    yield cur
                finally:
                    self._local.depth -= 1
                return
            cur.execute("BEGIN")
            self._local.depth = 1
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                self._local.depth = 0

    @contextlib.contextmanager
    def _conflicts_as(self, message: str):
        """Turn DuckDB's write-write conflict into a ConflictError with a message for the user."""
        try:
            yield
        except duckdb.TransactionException as e:
            raise ConflictError(message) from e

    def close(self) -> None:
        """Close the store; cursors of other threads die with it."""
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

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
        for version, steps in MIGRATIONS:
            if version <= current:
                continue
            with self._transaction() as cur:
                for step in steps:
                    step(cur) if callable(step) else cur.execute(step)
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
        if current == 0:
            self.taxonomy.add_many(DEFAULT_TAXONOMY)

    def revision(self) -> int:
        """A counter that grows with every change to the data (revisions and ingests are append-only)."""
        return self._q("SELECT (SELECT count(*) FROM revisions) + (SELECT count(*) FROM ingests)")[0][0]
