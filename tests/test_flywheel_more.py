"""The flywheel's second round: the import in worker processes, sessions spanning log files, near-duplicates of
earlier candidates, preference-data export of the feedback labels."""
from __future__ import annotations

import json

import pytest

from curation.errors import UserError
from curation.flywheel import candidates as fly
from curation.flywheel.candidates import LogImportSettings, import_logs, promote
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


def _part_files(tmp_path):
    """One debugging session split across two daily files, the later file read first in time order's reverse."""
    lines = debugging_session("s9")  # turns at 09:30:00, :05, 09:31:00, :09
    first = write_jsonl(tmp_path / "2024-03-15.jsonl", [lines[1], lines[0]])  # user, assistant
    second = write_jsonl(tmp_path / "2024-03-16.jsonl", [lines[2], lines[3]])  # the error pasted back, the fix
    return first, second


def test_a_session_continued_in_a_later_log_import_is_merged_into_its_candidate(store, tmp_path):
    first, second = _part_files(tmp_path)
    one = import_logs(store, [first])
    assert one.candidates == 1 and one.picked == 0  # alone, the first part is no self-correction loop yet
    two = import_logs(store, [second])
    assert two.candidates == 0 and two.not_merged == []
    assert two.merged == [{"session": "s9", "into": store.candidates.list(state=None)[0]["id"],
                           "file": "2024-03-16.jsonl", "turns_added": 2}]
    (c,) = store.candidates.list(state=None)
    assert [m["role"] for m in c["messages"]] == ["user", "assistant", "user", "assistant"]
    assert "Traceback" in c["messages"][2]["content"] and c["n_turns"] == 2
    assert [p["rule"] for p in c["picks"]] == ["self_correction"]  # judged whole: the loop spans the two files
    assert "continued by 2024-03-16.jsonl" in c["note"]
    again = import_logs(store, [second])  # reading the later file again adds no turn
    assert again.already_present == 1 and again.merged[0]["turns_added"] == 0
    assert len(store.candidates.list(state=None)[0]["messages"]) == 4


def test_parts_are_put_in_time_order_with_shared_turns_once_and_redactions_moved(store, tmp_path):
    first, second = _part_files(tmp_path)
    (tmp_path / "later").mkdir()
    # the later part, with a phone number in its last turn, is imported first
    lines = debugging_session("s9")
    lines[3]["content"] += " 有问题打 13812345678"
    second = write_jsonl(tmp_path / "later" / "2024-03-16.jsonl", [lines[2], lines[3]])
    import_logs(store, [second])
    rep = import_logs(store, [first])
    assert rep.merged[0]["turns_added"] == 2 and rep.candidates == 0
    (c,) = store.candidates.list(state=None)
    assert c["messages"][0]["content"].startswith("写一个Python函数") and c["messages"][3]["content"].endswith("[PHONE]")
    assert [(r["rule"], r["turn"]) for r in store.candidates.redactions(c["id"])] == [("phone", 3)]
    # an OpenAI log repeats the history: the shared turns are kept once
    hist = [{"role": "user", "content": "hi, list three sorting algorithms"}, {"role": "assistant", "content": "a b c"}]
    day1 = write_jsonl(tmp_path / "o1.jsonl", [{"request": {"messages": hist[:1]}, "response": {"choices": [
        {"message": hist[1]}]}, "created": 1710000000, "session_id": "o"}])
    day2 = write_jsonl(tmp_path / "o2.jsonl", [{"request": {"messages": hist + [
        {"role": "user", "content": "still wrong, you forgot quicksort"}]}, "response": {"choices": [
            {"message": {"role": "assistant", "content": "quicksort too"}}]}, "created": 1710000600, "session_id": "o"}])
    import_logs(store, [day1])
    import_logs(store, [day2])
    (o,) = [c for c in store.candidates.list(state=None) if c["session_id"] == "o"]
    assert [m["content"] for m in o["messages"]] == [hist[0]["content"], "a b c", "still wrong, you forgot quicksort",
                                                    "quicksort too"]


def test_parts_of_one_import_merge_and_a_merge_that_would_guess_is_refused_with_its_reason(store, tmp_path):
    first, second = _part_files(tmp_path)
    rep = import_logs(store, [second, first])  # one import, the files in any order
    assert rep.candidates == 1 and rep.merged[0]["turns_added"] == 2 and rep.picked == 1
    # the same id two days later is another session
    late = write_jsonl(tmp_path / "2024-03-18.jsonl", [turn("s9", "assistant", "ok", "2024-03-18T10:00:00Z"),
                                                       turn("s9", "user", "另一个问题：怎么写快排", "2024-03-18T10:00:01Z")])
    rep = import_logs(store, [late])
    assert rep.candidates == 1 and "hours after candidate" in rep.not_merged[0]["reason"]
    # interleaved times cannot be ordered; a promoted candidate is never changed
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [turn("s9", "user", "其实我想问 pandas", "2024-03-15T09:30:30Z")])
    rep = import_logs(store, [mixed])
    assert "interleave in time" in rep.not_merged[0]["reason"]
    promote(store, [rep.not_merged[0]["candidate"]], "fly", "ann")
    tail = write_jsonl(tmp_path / "tail.jsonl", [turn("s9", "user", "谢谢，已经好了", "2024-03-15T09:32:00Z")])
    rep = import_logs(store, [tail])
    assert rep.candidates == 1 and "promoted already" in rep.not_merged[0]["reason"]
    off = import_logs(store, [write_jsonl(tmp_path / "tail2.jsonl", [turn("s9", "user", "再见", "2024-03-15T09:33:00Z")])],
                      LogImportSettings(merge_sessions=False))
    assert off.merged == off.not_merged == [] and off.candidates == 1


def test_near_duplicates_of_earlier_candidates_are_marked_when_asked(store, tmp_path):
    from tests.test_flywheel import openai_line
    prompt = "帮我写一封邮件给客户，说明我们的发货会延迟三天，原因是仓库系统升级，并表达歉意和补偿方案"
    earlier = import_logs(store, [write_jsonl(tmp_path / "day1.jsonl", [openai_line(prompt, "好的")])])
    (first,) = store.candidates.list(ingest_id=earlier.ingest_id)
    exact_only = import_logs(store, [write_jsonl(tmp_path / "day2.jsonl", [openai_line(prompt.replace("三天", "五天"),
                                                                                        "好的")])])
    assert exact_only.duplicates == 0  # a near copy has another prompt key: only --near-dup sees it
    (second,) = store.candidates.list(ingest_id=exact_only.ingest_id)
    copy = [openai_line(prompt.replace("三天", "四天"), "好的"),
            openai_line("Write a haiku about the first snow falling on Kyoto temples", "y")]
    rep = import_logs(store, [write_jsonl(tmp_path / "day3.jsonl", copy)], LogImportSettings(near_dup_threshold=0.7))
    (dup,) = store.candidates.list(ingest_id=rep.ingest_id, state="duplicate")
    assert rep.duplicates == 1 and dup["duplicate_of"] in (first["id"], second["id"])
    assert "near-duplicate of c_" in dup["note"] and "shingle Jaccard" in dup["note"]
    (new,) = store.candidates.list(ingest_id=rep.ingest_id, state="candidate")
    assert "haiku" in new["messages"][0]["content"]


def _feedback_logs(tmp_path):
    from tests.test_flywheel import openai_line
    prompt = "How do I reverse a list in Python?"
    lines = [openai_line(prompt, "Use lst[::-1] or lst.reverse().", session_id="a", feedback={"thumbs": "up"}),
             openai_line(prompt + " ", "You cannot reverse lists.", session_id="b", feedback={"thumbs": "down"}),
             openai_line("把这句话翻译成英文：你好", "Hello", session_id="c", feedback={"rating": 5}),
             openai_line("What is 2+2?", "5", session_id="d", feedback={"rating": 3}),
             openai_line("写一个快速排序", "不会", session_id="e", feedback={"thumbs": "👎", "comment": "没用"})]
    return write_jsonl(tmp_path / "fb.jsonl", lines)


def test_feedback_labels_become_dpo_pairs_and_kto_rows(store, tmp_path):
    from curation.flywheel.preferences import PreferenceSettings, export_preferences, preference_records
    import_logs(store, [_feedback_logs(tmp_path)])
    records, rep = preference_records(store, PreferenceSettings(use_fixes=False))
    assert (rep.candidates, rep.liked, rep.disliked, rep.neutral, rep.prompts_with_both) == (5, 2, 2, 1, 1)
    assert records == [{"prompt": [{"role": "user", "content": "How do I reverse a list in Python?"}],
                        "chosen": [{"role": "assistant", "content": "Use lst[::-1] or lst.reverse()."}],
                        "rejected": [{"role": "assistant", "content": "You cannot reverse lists."}]}]
    # the disliked quicksort answer, promoted and fixed in review: its replacement is the chosen answer
    bad = next(c for c in store.candidates.list(state=None) if c["session_id"] == "e")
    sid = promote(store, [bad["id"]], "fly", "ann").promoted[0]["sample"]
    fixed = [{"role": "user", "content": "写一个快速排序"}, {"role": "assistant", "content": "def qs(a): ..."}]
    store.samples.update(sid, {"messages": fixed}, "ann", "edit", "better answer")
    records, rep = preference_records(store, PreferenceSettings(format="llamafactory"))
    assert rep.fixes == 1 and rep.records == 2 and rep.dataset_info["ranking"] is True
    fix = next(r for r in records if r["conversations"][0]["value"] == "写一个快速排序")
    assert fix["chosen"] == {"from": "gpt", "value": "def qs(a): ..."} and fix["rejected"]["value"] == "不会"
    kto, rep = preference_records(store, PreferenceSettings(kind="kto", use_fixes=False))
    assert sorted((r["completion"][0]["content"], r["label"]) for r in kto) == [
        ("Hello", True), ("Use lst[::-1] or lst.reverse().", True), ("You cannot reverse lists.", False), ("不会", False)]
    out = tmp_path / "pairs.jsonl"
    rep = export_preferences(store, out, PreferenceSettings(format="llamafactory"))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert json.loads((tmp_path / "pairs.dataset_info.json").read_text())["pairs"]["file_name"] == "pairs.jsonl"
    with pytest.raises(UserError, match="exists"):
        export_preferences(store, out)


def test_preference_export_refuses_bad_settings_and_says_when_there_is_nothing(store, tmp_path):
    from curation.flywheel.preferences import PreferenceSettings, export_preferences
    with pytest.raises(UserError, match="nothing written"):
        export_preferences(store, tmp_path / "none.jsonl")
    with pytest.raises(UserError, match="must stay below"):
        export_preferences(store, tmp_path / "x.jsonl", PreferenceSettings(like_min_rating=2, dislike_max_rating=3))
    with pytest.raises(UserError, match="is a folder"):
        export_preferences(store, tmp_path)


def test_cli_exports_preference_data(tmp_path, capsys):
    from curation.cli import main
    db, out = str(tmp_path / "cli.duckdb"), tmp_path / "kto.jsonl"
    assert main(["--db", db, "logs", "import", str(_feedback_logs(tmp_path)), "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "logs", "feedback", "--export", str(out), "--kind", "kto", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["records"] == 4 and rep["file"] == str(out) and len(out.read_text().splitlines()) == 4
    assert main(["--db", db, "logs", "feedback", "--export", str(out), "--kind", "kto"]) == 2
    assert "--overwrite" in capsys.readouterr().err
