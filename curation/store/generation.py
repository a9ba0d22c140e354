"""`store.generation`: what the producers (curation/producers) write, each run in one transaction.

A production run writes new samples (status `pending`, revision 1 = action `generate` whose `after` holds the
provenance: model, endpoint, template, parent ids, settings, response ids), answers that replace a bad answer (a
revision of that sample), the candidates it threw away with their rule and reason, format failures into the
quarantine, and prompt-rewrite suggestions. `record` writes all of it or nothing, so an error never leaves a
half-written sample.
"""
from __future__ import annotations

from ..errors import UserError
from . import _sql
from .runs import RunLog
from .samples import db_value
from .schema import SAMPLE_COLUMNS

GENERATE_ACTION = "generate"
_SUGGESTION_STATES = ("accepted", "rejected")


class Generation:
    """Production runs (`store.generation.runs`), rejections and prompt-rewrite suggestions."""

    def __init__(self, store):
        self._store = store
        self.runs = RunLog(store, "generation_runs", "generation_runs_seq", "generation run",
                           json_cols=("settings", "filter", "stats"))

    # ---- one run, all or nothing ----
    def record(self, run: dict, samples: list[tuple[dict, dict]] = (), answers: list[dict] = (),
               rejections: list[dict] = (), quarantine: list[tuple[str, int, str, str]] = (),
               suggestions: list[dict] = ()) -> dict:
        """Log a run with everything it produced, in one transaction.

        `samples`: (store row with every SAMPLE_COLUMNS key, provenance) of new samples; an id already stored is
        skipped (a re-run adds nothing). `answers`: {id, messages, tags, provenance, author}, each replacing a
        sample's conversation (and tags) as a revision, status back to pending. Returns {"run_id", "inserted": [ids], "answered": [ids]}.
        """
        with self._store._conflicts_as("samples were changed by someone else at the same moment"), \
                self._store._transaction() as cur:
            run_id = self.runs.add(cur=cur, **run)
            inserted = [row["id"] for row, prov in samples if self._add_sample(cur, row, {**prov, "run_id": run_id})]
            answered = [a["id"] for a in answers if self._replace_answer(a, run_id)]
            self._add_rejections(cur, run_id, rejections)
            if quarantine:
                self._store.quarantine.add(None, list(quarantine))
            self._add_suggestions(cur, run_id, suggestions)
            cur.execute("UPDATE generation_runs SET n_inserted = ? WHERE id = ?", [len(inserted) + len(answered), run_id])
        return {"run_id": run_id, "inserted": inserted, "answered": answered}

    def _add_sample(self, cur, row: dict, provenance: dict) -> bool:
        if cur.execute("SELECT 1 FROM samples WHERE id = ?", [row["id"]]).fetchall():
            return False
        _sql.insert(cur, "samples", {c: db_value(c, row.get(c)) for c in SAMPLE_COLUMNS} | {"rev": 1})
        self._store.revisions._add(cur, row["id"], 1, row["created_at"], provenance.get("author", "generate"),
                                   GENERATE_ACTION, {}, {"provenance": provenance}, _note(provenance))
        return True

    def _replace_answer(self, answer: dict, run_id: int) -> bool:
        current = self._store.samples.get(answer["id"])
        if current["messages"] == answer["messages"]:
            return False
        after = {"messages": answer["messages"], "status": "pending", "tags": answer["tags"]}
        before = {k: current[k] for k in after if current[k] != after[k]}
        provenance = {**answer["provenance"], "run_id": run_id}
        self._store.samples._write_revision(current, before, {k: after[k] for k in before}, answer["author"],
                                            GENERATE_ACTION, _sql.dump({"provenance": provenance}))
        return True

    def _add_rejections(self, cur, run_id: int, rows: list[dict]) -> None:
        if not rows:
            return
        now = _sql.now()
        _sql.insert_arrow(cur, "generation_rejections", {
            "run_id": [run_id] * len(rows), **{k: [r.get(k) for r in rows] for k in
                                               ("producer", "rule", "reason", "evidence", "text", "response_id")},
            "parent_ids": [list(r.get("parent_ids") or []) for r in rows], "created_at": [now] * len(rows)})

    def _add_suggestions(self, cur, run_id: int, rows: list[dict]) -> None:
        now = _sql.now()
        for r in rows:
            # an open suggestion for the same sample and turn is superseded by the new one
            cur.execute("UPDATE generation_suggestions SET state = 'superseded' WHERE sample_id = ? AND turn = ? "
                        "AND state = 'open'", [r["sample_id"], r["turn"]])
            _sql.insert(cur, "generation_suggestions", {
                "id": _sql.next_id(cur, "generation_suggestions_seq"), "run_id": run_id, "created_at": now,
                "state": "open", **{k: r[k] for k in ("sample_id", "sample_rev", "turn", "before", "after", "reason",
                                                      "evidence")}}, json_cols=("evidence",))

    # ---- reading ----
    def rejections(self, run_id: int | None = None, rule: str | None = None, limit: int | None = None) -> list[dict]:
        """Thrown-away candidates, newest run first."""
        w = _sql.Where().eq("run_id", run_id).eq("rule", rule)
        sql, params = _sql.limited(f"SELECT * FROM generation_rejections WHERE {w.sql()} ORDER BY run_id DESC, rule",
                                   w.params, limit)
        return _sql.dicts(self._store._cur(), sql, params)

    def rejection_counts(self, run_id: int) -> dict[str, int]:
        """rule -> how many candidates of a run it threw away."""
        return dict(self._store._q("SELECT rule, count(*) FROM generation_rejections WHERE run_id = ? GROUP BY rule "
                                   "ORDER BY 2 DESC, 1", [run_id]))

    def suggestions(self, state: str | None = "open", sample_ids: list[str] | None = None,
                    limit: int | None = None) -> list[dict]:
        """Prompt-rewrite suggestions (evidence parsed), oldest first."""
        w = _sql.Where().eq("state", state).any_of("sample_id", sample_ids)
        sql, params = _sql.limited(f"SELECT * FROM generation_suggestions WHERE {w.sql()} ORDER BY id", w.params, limit)
        return _sql.dicts(self._store._cur(), sql, params, ("evidence",))

    def suggestion(self, suggestion_id: int) -> dict:
        """One suggestion; UserError when there is none."""
        rows = _sql.dicts(self._store._cur(), "SELECT * FROM generation_suggestions WHERE id = ?", [suggestion_id],
                          ("evidence",))
        if not rows:
            raise UserError(f"no rewrite suggestion {suggestion_id}")
        return rows[0]

    def decide(self, suggestion_id: int, state: str, author: str) -> None:
        """Close an open suggestion as accepted or rejected (accepting also edits the sample: the caller's job)."""
        if state not in _SUGGESTION_STATES:
            raise UserError(f"a suggestion is accepted or rejected, not {state!r}")
        with self._store._write_lock:
            n = self._store._q("UPDATE generation_suggestions SET state = ?, decided_at = ?, decided_by = ? "
                               "WHERE id = ? AND state = 'open' RETURNING id",
                               [state, _sql.now(), author, suggestion_id])
        if not n:
            raise UserError(f"rewrite suggestion {suggestion_id} is not open (it was decided or superseded)")


def _note(provenance: dict) -> str:
    model = provenance.get("model") or "?"
    return f"{provenance.get('method', 'generated')} by {model} (run {provenance.get('run_id')})"
