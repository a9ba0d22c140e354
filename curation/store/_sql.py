"""The one internal SQL helper of the store package: rows in, rows out, ids and WHERE clauses.

Every capability module builds its statements through these few functions, so an id always comes from a sequence,
a row is always decoded by the column names the query returned, and a JSON column is encoded the same way
everywhere. Identifiers (table and column names) are always literals of the store package; values are always bound
parameters.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone


def now() -> datetime:
    """The current UTC time as a naive timestamp (how every table stores time)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def dump(obj) -> str:
    """JSON text of a settings, filter or report value (non-ASCII kept, unknown types as str)."""
    return json.dumps(obj, ensure_ascii=False, default=str)


class Where:
    """A conjunction of SQL conditions with their bound parameters, built up one condition at a time."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> "Where":
        """Add one condition with the parameters its `?` marks take, in order."""
        self.clauses.append(sql)
        self.params.extend(params)
        return self

    def eq(self, column: str, value) -> "Where":
        """`column = value`, skipped when value is None (None means "any")."""
        return self if value is None else self.add(f"{column} = ?", value)

    def any_of(self, column: str, values) -> "Where":
        """`column IN (values)`, skipped when values is None."""
        return self if values is None else self.add(f"list_contains(?, {column})", list(values))

    def sql(self) -> str:
        return " AND ".join(self.clauses) or "TRUE"

    def render(self) -> tuple[str, list]:
        """(condition text, parameters); TRUE when there is no condition."""
        return self.sql(), list(self.params)


def decode(cur, rows: list[tuple], json_cols: tuple[str, ...] = (), empty=None) -> list[dict]:
    """Rows of the cursor's last query as dicts keyed by the column names the query returned.

    JSON-text columns in `json_cols` are parsed; with `empty` (a factory) a NULL or "" gives empty()."""
    names = [d[0] for d in cur.description]
    out = []
    for r in rows:
        d = dict(zip(names, r))
        for k in json_cols:
            d[k] = empty() if empty is not None and not d[k] else (None if d[k] is None else json.loads(d[k]))
        out.append(d)
    return out


def dicts(cur, sql: str, params: list | tuple = (), json_cols: tuple[str, ...] = (), empty=None) -> list[dict]:
    """Run a query and return its rows as dicts by column name (see decode)."""
    cur.execute(sql, params)
    return decode(cur, cur.fetchall(), json_cols, empty)


def limited(sql: str, params, limit: int | None) -> tuple[str, list]:
    """`sql` with a bound LIMIT when `limit` is not None (0 included), and its parameters as a new list."""
    if limit is None:
        return sql, list(params)
    return sql + " LIMIT ?", [*params, int(limit)]


def next_id(cur, sequence: str) -> int:
    """The next id of a sequence: unique even when two Store objects write at the same moment."""
    return cur.execute(f"SELECT nextval('{sequence}')").fetchall()[0][0]


def insert(cur, table: str, row: dict, json_cols: tuple[str, ...] = ()) -> None:
    """INSERT one row given as {column: value}; values of json_cols are written as JSON text."""
    cols = list(row)
    values = [dump(row[c]) if c in json_cols else row[c] for c in cols]
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)


def insert_arrow(cur, table: str, columns: dict, on_conflict: str = "") -> None:
    """INSERT many rows given as {column: list or pyarrow array} in one statement through Arrow (executemany costs
    milliseconds per row: minutes for 100k rows)."""
    import pyarrow as pa
    cur.register("_rows", pa.table(columns))
    try:
        cols = ", ".join(columns)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows {on_conflict}")
    finally:
        cur.unregister("_rows")


def in_list(n: int) -> str:
    """`?, ?, ?` for an IN list of n bound values."""
    return ", ".join("?" * n)
