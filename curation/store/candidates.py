"""`store.candidates`: sessions imported from production logs, kept apart from the samples.

A candidate is never a sample: no export, no curated selection, no statistic and no review queue reads this table,
so nothing from a log import reaches training unless it is promoted. Promotion writes a new sample (status pending,
or needs_fix for an answer the user disliked) and its first revision, and marks the candidate as promoted, in one
transaction. The redactions table records every PII replacement the scrubber made (rule, turn, position, length;
never the original value), for candidates and for quarantined log lines alike.
"""
from __future__ import annotations

import json

from ..errors import UserError
from . import _sql
from .samples import db_value
from .schema import SAMPLE_COLUMNS

STATES = ("candidate", "duplicate", "promoted", "dismissed")
_JSON = ("lines", "messages", "tools", "feedback", "picks")
_COLUMNS = ("id", "ingest_id", "file", "lines", "session_id", "messages", "feedback", "started_at", "ended_at",
            "prompt_key", "content_hash", "language", "prompt_chars", "n_turns", "has_answer", "picks", "state",
            "duplicate_of", "sample_id", "decided_by", "decided_at", "note", "created_at", "tools")


class Candidates:
    """The candidates and redactions tables."""

    def __init__(self, store):
        self._store = store

    # ---- add ----
    def add(self, rows: list[dict], redactions: list[dict]) -> int:
        """Insert new candidates (dicts with the columns of `_COLUMNS`; JSON fields as values) and the redactions
        of one log import, in one transaction. Candidates already stored (same id) are left alone. Returns how
        many were added."""
        import pyarrow as pa
        with self._store._transaction() as cur:
            before = cur.execute("SELECT count(*) FROM candidates").fetchall()[0][0]
            if rows:
                cols = {c: [_sql.dump(r.get(c)) if c in _JSON else r.get(c) for r in rows] for c in _COLUMNS}
                cols["ingest_id"] = pa.array(cols["ingest_id"], pa.int32())
                cols["prompt_chars"] = pa.array(cols["prompt_chars"], pa.int32())
                cols["n_turns"] = pa.array(cols["n_turns"], pa.int16())
                for c in ("started_at", "ended_at", "decided_at", "created_at"):
                    cols[c] = pa.array(cols[c], pa.timestamp("us"))
                for c in ("duplicate_of", "sample_id", "decided_by", "note"):
                    cols[c] = pa.array(cols[c], pa.string())
                _sql.insert_arrow(cur, "candidates", cols,
                                  "WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.id = _rows.id)")
            added = cur.execute("SELECT count(*) FROM candidates").fetchall()[0][0] - before
            if redactions:
                names = ("candidate_id", "ingest_id", "line", "turn", "rule", "start", "length", "placeholder")
                cols = {c: [r.get(c) for r in redactions] for c in names}
                cols["candidate_id"] = pa.array(cols["candidate_id"], pa.string())
                cols["ingest_id"] = pa.array(cols["ingest_id"], pa.int32())
                cols["line"] = pa.array(cols["line"], pa.int64())
                cols["turn"] = pa.array(cols["turn"], pa.int16())
                _sql.insert_arrow(cur, "redactions", cols)
        return added

    # ---- read ----
    def get(self, candidate_id: str) -> dict:
        """One candidate; UserError when there is none."""
        rows = self.list(ids=[candidate_id])
        if not rows:
            raise UserError(f"no candidate with id {candidate_id!r}")
        return rows[0]

    def list(self, ingest_id: int | None = None, state: str | list[str] | None = None, picked: bool = False,
             rule: str | None = None, ids: list[str] | None = None, limit: int | None = None) -> list[dict]:
        """Candidates, picked ones (those a value rule chose) first, then in import order. `rule`: only those
        that rule picked."""
        w = self._where(ingest_id, state, picked, rule, ids)
        sql, params = _sql.limited(f"SELECT * FROM candidates WHERE {w.sql()} "
                                   "ORDER BY json_array_length(picks) = 0, ingest_id, created_at, id", w.params, limit)
        return _sql.dicts(self._store._cur(), sql, params, _JSON)

    def count(self, ingest_id: int | None = None, state: str | list[str] | None = None, picked: bool = False,
              rule: str | None = None) -> int:
        """How many candidates match."""
        w = self._where(ingest_id, state, picked, rule, None)
        return self._store._q(f"SELECT count(*) FROM candidates WHERE {w.sql()}", w.params)[0][0]

    def _where(self, ingest_id, state, picked, rule, ids) -> _sql.Where:
        w = _sql.Where().eq("ingest_id", ingest_id)
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            unknown = [s for s in states if s not in STATES]
            if unknown:
                raise UserError(f"unknown candidate state {', '.join(unknown)}; choose from {', '.join(STATES)}")
            w.any_of("state", states)
        if picked:
            w.add("json_array_length(picks) > 0")
        if rule:
            w.add("list_contains(json_extract_string(picks, '$[*].rule'), ?)", rule)
        return w.any_of("id", ids)

    def counts_by_state(self, ingest_id: int | None = None) -> dict[str, int]:
        """state -> number of candidates."""
        w = _sql.Where().eq("ingest_id", ingest_id)
        rows = self._store._q(f"SELECT state, count(*) FROM candidates WHERE {w.sql()} GROUP BY state", w.params)
        return {s: 0 for s in STATES} | dict(rows)

    def pick_counts(self, ingest_id: int | None = None) -> dict[str, int]:
        """value rule -> candidates it picked."""
        w = _sql.Where().eq("ingest_id", ingest_id)
        rows = self._store._q("SELECT r, count(DISTINCT id) FROM (SELECT id, unnest(json_extract_string(picks, "
                              f"'$[*].rule')) AS r FROM candidates WHERE {w.sql()}) GROUP BY r ORDER BY 2 DESC",
                              w.params)
        return dict(rows)

    def redaction_counts(self, ingest_id: int | None = None) -> dict[str, int]:
        """PII rule -> redactions made (candidates and quarantined lines)."""
        w = _sql.Where().eq("ingest_id", ingest_id)
        rows = self._store._q(f"SELECT rule, count(*) FROM redactions WHERE {w.sql()} GROUP BY rule ORDER BY 2 DESC",
                              w.params)
        return dict(rows)

    def redactions(self, candidate_id: str) -> list[dict]:
        """The redactions of one candidate, turn by turn."""
        return _sql.dicts(self._store._cur(), "SELECT * FROM redactions WHERE candidate_id = ? ORDER BY turn, start",
                          [candidate_id])

    def existing(self, ids: list[str]) -> set[str]:
        """Which of these candidate ids are stored already."""
        return {r[0] for r in self._store._q("SELECT id FROM candidates WHERE list_contains(?, id)", [ids])}

    def by_sessions(self, session_ids: list[str]) -> list[dict]:
        """The stored candidates of these session ids (any state), the latest-ending first within a session: what
        a later log file's part of the same session is merged into."""
        if not session_ids:
            return []
        # IN (SELECT unnest(?)) is a hash semi-join: list_contains would scan the whole list for every candidate
        return _sql.dicts(self._store._cur(), "SELECT * FROM candidates WHERE session_id IN (SELECT unnest(?)) "
                          "ORDER BY session_id, ended_at DESC NULLS LAST, created_at DESC", [session_ids], _JSON)

    def prompt_iter(self, batch_size: int = 5000):
        """(id, messages) of every candidate that is not itself a duplicate, oldest first, streamed: what a later
        import's near-duplicate pass compares its sessions with."""
        cur = self._store._cur()
        cur.execute("SELECT id, messages FROM candidates WHERE state <> 'duplicate' ORDER BY created_at, id")
        while True:
            rows = cur.fetchmany(batch_size)
            if not rows:
                return
            for cid, text in rows:
                yield cid, json.loads(text)

    def prompt_keys(self, keys: list[str]) -> dict[str, str]:
        """For the given prompt keys already held by a candidate: key -> the first candidate's id."""
        rows = self._store._q("SELECT prompt_key, min(id) FROM candidates WHERE list_contains(?, prompt_key) "
                              "GROUP BY prompt_key", [keys])
        return dict(rows)

    def feedback(self, ingest_id: int | None = None) -> list[dict]:
        """Candidates with user feedback (thumbs, rating, comment) and the sample each became, if any: the labels
        a preference-data export reads."""
        w = _sql.Where().eq("ingest_id", ingest_id).add("json_array_length(feedback) > 0")
        return _sql.dicts(self._store._cur(), "SELECT id, session_id, sample_id, state, messages, feedback, "
                          f"tools FROM candidates WHERE {w.sql()} ORDER BY ingest_id, id", w.params,
                          ("messages", "feedback", "tools"))

    # ---- change ----
    def promote(self, candidate_id: str, sample: dict, author: str, note: str) -> dict:
        """Make a candidate a sample: insert `sample` (every SAMPLE_COLUMNS key, rev 1), write its revision 1
        (action `promote`: revision 0 is the scrubbed session without the tags, revision 1 adds the tags, with
        the note naming the candidate), mark the candidate promoted. One
        transaction; UserError when the candidate is no longer a candidate or the sample id is taken."""
        with self._store._conflicts_as(f"candidate {candidate_id} was changed by someone else at the same moment"), \
                self._store._transaction() as cur:
            state = cur.execute("SELECT state FROM candidates WHERE id = ?", [candidate_id]).fetchall()
            if not state:
                raise UserError(f"no candidate with id {candidate_id!r}")
            if state[0][0] == "promoted":
                raise UserError(f"candidate {candidate_id} was promoted already")
            if cur.execute("SELECT 1 FROM samples WHERE id = ?", [sample["id"]]).fetchall():
                raise UserError(f"sample {sample['id']} exists already; candidate {candidate_id} was promoted before")
            now = _sql.now()
            row = {c: db_value(c, sample.get(c)) for c in SAMPLE_COLUMNS} | {"rev": 1, "created_at": now,
                                                                          "updated_at": now}
            _sql.insert(cur, "samples", row)
            self._store.revisions._add(cur, sample["id"], 1, now, author, "promote",
                                       {"tags": []}, {"tags": sample["tags"]}, note)
            cur.execute("UPDATE candidates SET state = 'promoted', sample_id = ?, decided_by = ?, decided_at = ? "
                        "WHERE id = ?", [sample["id"], author, now, candidate_id])
        return self._store.samples.get(sample["id"])

    def merge(self, row: dict, redactions: list[dict]) -> None:
        """Replace a candidate's session by its merged one (a later log file continued it): the content columns
        and note of `row`, and all its redactions by `redactions` (turn numbers change when a part comes before).
        One transaction; UserError when it was promoted or dismissed meanwhile."""
        content = ("lines", "messages", "tools", "feedback", "started_at", "ended_at", "prompt_key", "content_hash",
                   "language", "prompt_chars", "n_turns", "has_answer", "picks", "note")
        with self._store._transaction() as cur:
            state = cur.execute("SELECT state FROM candidates WHERE id = ?", [row["id"]]).fetchall()
            if not state or state[0][0] not in ("candidate", "duplicate"):
                raise UserError(f"candidate {row['id']} was {state[0][0] if state else 'deleted'} while a log "
                                "import merged a later part of its session into it; import that file again")
            cur.execute(f"UPDATE candidates SET {', '.join(f'{c} = ?' for c in content)} WHERE id = ?",
                        [_sql.dump(row[c]) if c in _JSON else row[c] for c in content] + [row["id"]])
            cur.execute("DELETE FROM redactions WHERE candidate_id = ?", [row["id"]])
            for r in redactions:
                _sql.insert(cur, "redactions", {c: r.get(c) for c in ("candidate_id", "ingest_id", "line", "turn",
                                                                     "rule", "start", "length", "placeholder")})

    def mark_promoted(self, candidate_id: str, sample_id: str, author: str) -> None:
        """Record that a candidate became `sample_id` by another way than `promote` (answer production wrote the
        sample and its revision)."""
        with self._store._transaction() as cur:
            cur.execute("UPDATE candidates SET state = 'promoted', sample_id = ?, decided_by = ?, decided_at = ? "
                        "WHERE id = ?", [sample_id, author, _sql.now(), candidate_id])

    def dismiss(self, ids: list[str], author: str, note: str | None = None) -> int:
        """Mark candidates as not worth promoting (they stay, with who decided and why). Returns how many."""
        with self._store._transaction() as cur:
            n = cur.execute("SELECT count(*) FROM candidates WHERE list_contains(?, id) AND state IN "
                            "('candidate', 'duplicate')", [ids]).fetchall()[0][0]
            cur.execute("UPDATE candidates SET state = 'dismissed', decided_by = ?, decided_at = ?, note = ? "
                        "WHERE list_contains(?, id) AND state IN ('candidate', 'duplicate')",
                        [author, _sql.now(), note, ids])
        return n
