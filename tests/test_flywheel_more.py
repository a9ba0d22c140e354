"""The flywheel's second round: the import in worker processes, sessions spanning log files, near-duplicates of
earlier candidates, preference-data export of the feedback labels."""
from __future__ import annotations

import json

import pytest

from curation.flywheel import candidates as fly
from curation.flywheel.candidates import LogImportSettings, import_logs
from curation.store import Store
from tests.helpers import write_jsonl
from tests.test_flywheel import debugging_session, turn


def _many_sessions(n: int) -> list[dict]:
    lines = []
    for s in range(n):
        lines += [turn(f"s{s}", "user", f"question {s} about pandas joins, mail me at u{s}@qq.com", 1710000000 + 10 * s),
                  turn(f"s{s}", "assistant", f"answer {s}", 1710000001 + 10 * s),
                  turn(f"s{s}", "user", "still wrong, same error" if s % 3 == 0 else f"thanks {s}", 1710000002 + 10 * s)]
    return lines


def _stored(store: Store) -> tuple[list, list]:
    rows = sorted((c["id"], json.dumps(c["messages"]), json.dumps(c["picks"]), c["state"])
                  for c in store.candidates.list(state=None))
    reds = sorted((r["rule"], r["turn"], r["start"], r["length"]) for c in rows for r in store.candidates.redactions(c[0]))
    return rows, reds


def test_the_import_in_worker_processes_stores_what_the_single_process_one_does(tmp_path, monkeypatch):
    log = write_jsonl(tmp_path / "many.jsonl", _many_sessions(24))
    monkeypatch.setattr(fly, "_MIN_PARALLEL", 0)  # the pool normally starts at 2,000 sessions
    monkeypatch.setattr(fly, "_CHUNK_SESSIONS", 5)  # five work units
    out = {}
    for workers in (0, 2):
        with Store(tmp_path / f"w{workers}.duckdb") as store:
            rep = import_logs(store, [log], LogImportSettings(workers=workers))
            out[workers] = (rep.candidates, rep.picked, rep.redactions["email"], _stored(store))
    assert out[0][:3] == (24, 8, 24)
    assert out[0] == out[2]
