"""Tables as polars DataFrames: the one dataframe layer of the library, the CLI and the pages."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl


def frame(rows: Iterable[Mapping], schema: Mapping | None = None) -> pl.DataFrame:
    """Rows (dicts) as a polars DataFrame.

    Column types are inferred from every row, not only the first 100 (polars' default), so a value that only turns
    up late, such as a float after many ints or a text after many None, widens the column instead of failing.
    """
    return pl.DataFrame(list(rows), schema=schema, infer_schema_length=None)


def counts_frame(counts: Mapping, name: str, value: str = "samples") -> pl.DataFrame:
    """A {key: count} mapping as a two-column table (name, value), in the mapping's order."""
    return pl.DataFrame({name: list(counts), value: list(counts.values())},
                        schema={name: pl.String, value: pl.Int64})
