"""The sample store: one embedded DuckDB file. This package owns the connection and every SQL statement.

`Store` holds the connection, transactions and migrations; each capability is an attribute of it, reached as
`store.samples.get(id)`, `store.dedup.pairs(run_id)`, `store.review.queue(...)`. Other modules never build SQL and
never import duckdb. Nothing here physically deletes a sample: every change is an append-only revision (who, when,
before, after), and any sample can be shown as it was and restored. Verbs: docs/ARCHITECTURE.md, "Store API".
"""
from .core import Store, resolve_db_path
from .derived import DERIVED_COLUMNS, derived_fields, language_text
from .filters import SampleFilter, curated, curated_filter, parse_task_type, task_type_label
from .samples import decode_sample, sample_from_row
from .schema import (DEFAULT_DB, MIGRATIONS, NOT_CURATED, SAMPLE_COLUMNS, SCHEMA_VERSION, STATUSES, TRACKED,
                     UNTYPED, sample_arrow_schema)
from .stats import STATS_DERIVED_VERSION, STATS_KEYS, StatsView

__all__ = ["Store", "resolve_db_path", "SampleFilter", "curated", "curated_filter", "parse_task_type", "task_type_label",
           "decode_sample", "sample_from_row", "DERIVED_COLUMNS", "derived_fields", "language_text", "DEFAULT_DB",
           "MIGRATIONS", "NOT_CURATED", "SAMPLE_COLUMNS", "SCHEMA_VERSION", "STATUSES", "TRACKED", "UNTYPED",
           "sample_arrow_schema", "STATS_DERIVED_VERSION", "STATS_KEYS", "StatsView"]
