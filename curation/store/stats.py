"""`store.stats`: the diversity statistics' queries (curation/stats.py builds the report from them).

Diversity statistics run here, inside DuckDB; no Python loop touches the rows. What the statistics derive from a
sample's messages (token estimates, hashes of the answer, normalised openings) is computed once per content hash
into `stats_derived`, like the embedding cache, so a later call only parses new or edited samples. A call joins the
selection with those values into a small temporary table (`StatsView`), and every metric is a GROUP BY over it;
texts are parsed again only for the handful of rows a table shows.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..text import CJK_CLASS
from .filters import SampleFilter, sample_where
from .schema import UNTYPED

if TYPE_CHECKING:  # only for annotations: core imports this module
    from .core import Store


class Stats:
    """Deriving, picking and streaming for the statistics; `view(f)` opens a StatsView."""

    def __init__(self, store):
        self._store = store

    def view(self, f: SampleFilter | None = None) -> "StatsView":
        """The selection materialised once for the stats queries; use as a context manager."""
        return StatsView(self._store, f)

    def prepare(self, f: SampleFilter | None = None, executor=None) -> int:
        """Derive what the diversity statistics need for samples not derived yet (call it after an import and the
        first `curation stats` is as fast as later ones). Returns how many contents were derived.

        On a distributed executor (`curation.executors`, the ray engine) the contents go out as Arrow batches and
        the workers run the same SQL on them in an in-memory DuckDB (`derive_batch`): the same values, and no
        worker opens the store."""
        from concurrent.futures import ThreadPoolExecutor

        from ..executors import current
        ex = executor or current()
        where, params = sample_where(f)
        cur = self._store._cur()
        # The lock keeps two sessions of the app from deriving the same content twice (no key enforces it: a
        # primary key would cost more to maintain than the derivation itself).
        with self._store._write_lock:
            cur.execute("DELETE FROM stats_derived WHERE version <> ?", [STATS_DERIVED_VERSION])
            before = cur.execute("SELECT count(*) FROM stats_derived").fetchall()[0][0]
            missing = f"({where}) AND content_hash NOT IN (SELECT content_hash FROM stats_derived)"
            if ex.distributed:
                self._prepare_on(ex, missing, params)
                return cur.execute("SELECT count(*) FROM stats_derived").fetchall()[0][0] - before
            sql = f"INSERT INTO stats_derived {_derived_select(missing, ranged=True)}"
            # One insert per rowid range, each on a cursor of its own, side by side: DuckDB scans a row group
            # (~123k rows) on one thread, so below a few row groups a single insert uses one core (100k: 2.6 s,
            # in two ranges 1.3 s). A content goes to the range of its first row, so none is derived twice.
            lo, hi = cur.execute("SELECT coalesce(min(rowid), 0), coalesce(max(rowid), 0) + 1 FROM samples").fetchall()[0]
            parts = max(1, int(cur.execute("SELECT current_setting('threads')").fetchall()[0][0]))
            bounds = [lo + (hi - lo) * i // parts for i in range(parts + 1)]

            def insert(a: int, b: int) -> None:
                c = self._store._own_cursor()
                try:
                    c.execute(sql, params + [a, b, STATS_DERIVED_VERSION])
                finally:
                    c.close()

            with ThreadPoolExecutor(parts) as pool:
                list(pool.map(insert, bounds[:-1], bounds[1:]))
            return cur.execute("SELECT count(*) FROM stats_derived").fetchall()[0][0] - before

    def _prepare_on(self, ex, missing: str, params: list, batch_size: int = 20_000) -> None:
        """`prepare` by the executor's workers: each content's first row goes out, its derived values come back
        and are inserted here, batch by batch (the caller holds the write lock)."""
        c = self._store._own_cursor()
        try:
            units = c.sql(f"SELECT content_hash, messages FROM samples WHERE rowid = ANY(SELECT min(rowid) FROM "
                          f"samples WHERE {missing} GROUP BY content_hash) ORDER BY rowid",
                          params=params).to_arrow_reader(batch_size)
            for _, derived in ex.map(derive_batch, units, STATS_DERIVED_VERSION):
                if derived.num_rows:
                    w = self._store._cur()
                    w.register("_derived", derived)
                    try:
                        w.execute("INSERT INTO stats_derived SELECT * FROM _derived")
                    finally:
                        w.unregister("_derived")
        finally:
            c.close()

    def picks(self, f: SampleFilter | None, per_type: int | None) -> list[tuple[str, str, bool | None]]:
        """(id, task_type label, whether the prompt contains Chinese) of the stratified pick (see
        stats_stratified), without reading a conversation. On a read-only store, which cannot derive, the flag
        is None."""
        pick, params = _pick(f, per_type)
        flag = "NULL::BOOLEAN"
        if not self._store.read_only:
            self.prepare(f)
            flag = "(SELECT d.pz FROM stats_derived d WHERE d.content_hash = s.content_hash AND d.version = ?)"
            params.append(STATS_DERIVED_VERSION)
        return self._store._q(f"""
            WITH pick AS ({pick})
            SELECT pick.id, pick.tt, {flag} FROM pick JOIN samples s ON s.rowid = pick.rid
            ORDER BY pick.tt, pick.hk, pick.id""", params)

    def stratified(self, f: SampleFilter | None, per_type: int | None) -> list[tuple[str, str, str, str]]:
        """(id, task_type label, content_hash, messages JSON) of up to per_type samples of each task_type.

        The pick is a fixed pseudo-random order (hash of the id), so it is stable across runs and reloads."""
        pick, params = _pick(f, per_type)
        # Pick by id and type first, then read only the picked rows' messages (a rowid fetch): the window
        # never carries the conversations.
        return self._store._q(f"""
            WITH pick AS ({pick})
            SELECT s.id, pick.tt, s.content_hash, s.messages
            FROM (SELECT rowid AS rid, id, content_hash, messages FROM samples
                  WHERE rowid IN (SELECT rid FROM pick)) s JOIN pick USING (rid)
            ORDER BY pick.tt, pick.hk, s.id""", params)

    def distinct_n(self, f: SampleFilter | None, per_type: int | None, max_chars: int) -> list[tuple]:
        """(task_type, answers used, distinct unigrams, unigrams, distinct bigrams, bigrams) over the answers
        (first max_chars characters) of the stratified pick (see stratified), per_type samples of each type.
        n-grams are compared by 64-bit hash (a collision is about as likely as a cosmic ray). Runs on a cursor of
        its own, so the statistics can run it in a thread beside the others."""
        import pyarrow as pa

        pick, params = _pick(f, per_type)
        cur = self._store._own_cursor()  # its temporary table goes with it
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

    def messages(self, f: SampleFilter | None, batch_size: int = 10_000):
        """Yield (id, task_type label, messages JSON) of the whole selection in batches (the full embedding job)."""
        where, params = sample_where(f)
        cur = self._store._own_cursor()
        try:
            cur.execute(f"SELECT id, {_TT_SQL}, messages FROM samples WHERE {where} ORDER BY id", params)
            while rows := cur.fetchmany(batch_size):
                yield rows
        finally:
            cur.close()


STATS_DERIVED_VERSION = 2  # bump when a derived definition below changes: older rows are then recomputed
# The task_type label used by every stats query; untyped (either level missing) is one bucket, as in SampleFilter.
_TT_SQL = f"CASE WHEN task_l1 IS NULL OR task_l2 IS NULL THEN '{UNTYPED}' ELSE task_l1 || '/' || task_l2 END"
_MESSAGES_TYPE = '[{"role": "VARCHAR", "content": "VARCHAR"}]'


def _pick(f: SampleFilter | None, per_type: int | None) -> tuple[str, list]:
    """SQL and parameters of the stratified pick (rid, id, tt, hk): the per_type samples of each type of the
    selection with the smallest hash(id), a fixed pseudo-random order. A hash threshold first keeps about twice
    per_type candidates of each type, so the window never sorts a whole large selection; it drops none of the
    pick unless fewer than half the expected candidates fall under it (~10 standard deviations at 200)."""
    where, params = sample_where(f)
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


def _derived_select(where: str, ranged: bool = False, source: str | None = None) -> str:
    """SQL computing the derived values of every distinct content hash of the samples matching `where`
    (parameters: the where clause's, then with `ranged` the rowid range [from, to) of the contents' first rows,
    then the version). With `source`, of that table's rows instead (content_hash, messages; one row a content)."""
    first_rows = f"SELECT min(rowid) FROM samples WHERE {where} GROUP BY content_hash"
    if ranged:
        first_rows += " HAVING min(rowid) >= ? AND min(rowid) < ?"
    rows = source or f"samples WHERE rowid = ANY({first_rows})"
    return f"""
        WITH parsed AS (SELECT content_hash, from_json(messages, '{_MESSAGES_TYPE}') AS m,
                               {_TOOL_CALLS_SQL} AS tool_calls FROM {rows}),
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


def derive_batch(batch, version: int):
    """The derived values of a batch of (content_hash, messages) rows, one row a content, as a pyarrow Table in
    `stats_derived`'s column order: the SQL `prepare` runs in the store, run here in an in-memory DuckDB (a worker's
    half of the distributed `prepare`; it never opens the store)."""
    import duckdb
    con = duckdb.connect(config={"threads": 1})  # one core a unit: the executor runs as many units as it has cores
    try:
        con.register("units", batch)
        return con.sql(_derived_select("true", source="units"), params=[version]).to_arrow_table()
    finally:
        con.close()


class StatsView:
    """One selection materialised for statistics in a temporary table on its own cursor.

    Columns: id, tt (task_type label), l1, n_turns, has_system, has_tools, tool_calls, prompt_chars,
    answer_chars, prompt_tokens, answer_tokens, language, tags, ah / nh (hash of the answer, exact / normalised),
    ao / po (answer / prompt opening), sh (hash of the system prompt). Closing the view drops the table.
    """

    def __init__(self, store: "Store", f: SampleFilter | None):
        self._c = store._own_cursor()
        self._filter = f
        self._where = sample_where(f)
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
        store.stats.prepare(self._filter)
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
        """id, prompt, answer of the selection as a polars DataFrame (for counting tokens with a real tokenizer)."""
        where, params = self._where
        return self._c.sql(f"""SELECT id, {_turns_text('user')} AS prompt, {_turns_text('assistant')} AS answer
                                   FROM (SELECT id, from_json(messages, '{_MESSAGES_TYPE}') AS m
                                         FROM samples WHERE {where})""", params=params).pl()

    def set_tokens(self, table) -> None:
        """Replace the token estimates with counts from a polars DataFrame or Arrow table (id, prompt_tokens,
        answer_tokens)."""
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
