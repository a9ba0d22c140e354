"""Review library: profiles, guidelines, queues, verdicts, edits with revisions, no lost updates, assignment,
disagreement and adjudication, agreement over stored reviews, dashboards."""
from __future__ import annotations

import threading

import pytest

from curation.errors import ConflictError, UserError
from curation.review import (AgreementSettings, AssignSettings, QueueSpec, ReviewInput, adjudicate, agreement_report,
                             annotator_dashboard, assign, build_queue, conflict_fields, create_profile,
                             disagreement_queue, guideline_for, merge_versions, open_queue, queue_progress,
                             save_edit, save_guideline, set_role, snapshot_progress, status_for, submit_review)
from curation.store import SampleFilter, Store


@pytest.fixture
def team(loaded_store):
    """The tiny store with a lead and two annotators."""
    create_profile(loaded_store, "lee", "lead")
    create_profile(loaded_store, "ann")
    create_profile(loaded_store, "bob")
    return loaded_store


def _msgs(store, sid):
    return [dict(m) for m in store.samples.get(sid)["messages"]]


# ---------------------------------------------------------------- profiles and guidelines
def test_profiles_and_roles(team):
    assert [(p["name"], p["role"]) for p in team.review.annotators()] == [("ann", "annotator"), ("bob", "annotator"),
                                                                    ("lee", "lead")]
    with pytest.raises(UserError, match="role must be"):
        create_profile(team, "eve", "boss")
    with pytest.raises(UserError, match="needs a name"):
        create_profile(team, "  ")
    with pytest.raises(UserError, match="only a lead"):
        set_role(team, "ann", "bob", "lead")
    set_role(team, "lee", "bob", "lead")
    assert team.review.annotator("bob")["role"] == "lead"


def test_guidelines_fall_back_from_type_to_l1_to_default_and_only_leads_write(team):
    assert guideline_for(team, "reasoning/math") is None
    save_guideline(team, "lee", "*", "Be strict.")
    save_guideline(team, "lee", "reasoning", "Check every step.")
    assert guideline_for(team, "reasoning/math")["body"] == "Check every step."
    assert guideline_for(team, "code/SQL")["body"] == "Be strict."
    assert guideline_for(team, None)["body"] == "Be strict."
    v = save_guideline(team, "lee", "reasoning/math", "Verify the final number.")
    v2 = save_guideline(team, "lee", "reasoning / math", "Verify the final number and units.")
    assert (v, v2) == (1, 2)
    g = guideline_for(team, "reasoning/math")
    assert g["body"].endswith("units.") and g["version"] == 2 and g["author"] == "lee"
    with pytest.raises(UserError, match="only a lead"):
        save_guideline(team, "ann", "*", "x")


# ---------------------------------------------------------------- verdicts and status
def test_single_reviewer_verdict_sets_status_as_a_revision(team):
    res = submit_review(team, "t1", "ann", ReviewInput("accept", 5, 4, 5, 5, "easy", "clean"), expected_rev=0)
    assert res["status"] == "accepted"
    hist = team.revisions.list("t1")
    assert hist[-1]["action"] == "review" and hist[-1]["author"] == "ann" and "clean" in hist[-1]["note"]
    r = team.review.list(sample_id="t1")[0]
    assert (r["verdict"], r["accuracy"], r["difficulty"], r["sample_rev"]) == ("accept", 5, "easy", 0)


def test_review_input_is_validated(team):
    for bad in (ReviewInput("maybe"), ReviewInput("accept", accuracy=6), ReviewInput(difficulty="trivial"),
                ReviewInput()):
        with pytest.raises(UserError):
            submit_review(team, "t1", "ann", bad, 0)
    with pytest.raises(UserError, match="no annotator profile"):
        submit_review(team, "t1", "nobody", ReviewInput("accept"), 0)


def test_most_severe_verdict_wins_until_a_lead_adjudicates(team):
    submit_review(team, "t2", "ann", ReviewInput("accept", 5), 0)
    rev = team.samples.get("t2")["rev"]
    out = submit_review(team, "t2", "bob", ReviewInput("reject", 1, note="wrong"), 0)  # status-only change: ok
    assert out["status"] == "rejected"
    queue = disagreement_queue(team)
    assert [d["sample_id"] for d in queue] == ["t2"] and queue[0]["n_verdicts"] == 2 and rev == 1
    with pytest.raises(UserError, match="only a lead"):
        adjudicate(team, "t2", "ann", "accept")
    s = adjudicate(team, "t2", "lee", "accept", "translation is fine", expected_rev=team.samples.get("t2")["rev"])
    assert s["status"] == "accepted" and team.revisions.list("t2")[-1]["action"] == "adjudicate"
    assert disagreement_queue(team) == []
    assert team.review.adjudications("t2")[0]["verdict"] == "accept"


def test_score_spread_alone_is_a_disagreement(team):
    submit_review(team, "t3", "ann", ReviewInput("accept", accuracy=5), 0)
    submit_review(team, "t3", "bob", ReviewInput("accept", accuracy=2), 0)
    assert [d["sample_id"] for d in disagreement_queue(team, spread=2)] == ["t3"]
    assert disagreement_queue(team, spread=4) == []


def test_status_for_policy():
    from datetime import datetime
    t0, t1 = datetime(2025, 1, 1), datetime(2025, 1, 2)
    reviews = [{"verdict": "accept", "created_at": t0}, {"verdict": "needs_fix", "created_at": t0}]
    assert status_for(reviews) == "needs_fix"
    assert status_for(reviews, {"verdict": "accept", "decided_at": t1}) == "accepted"
    assert status_for([{"verdict": None, "created_at": t0}]) is None


# ---------------------------------------------------------------- edits, revisions, conflicts
def test_edit_is_validated_and_saved_as_a_revision(team):
    msgs = _msgs(team, "t1")
    with pytest.raises(UserError, match="invalid"):
        save_edit(team, "t1", "ann", {"messages": msgs[:1]}, 0)  # would end on a user turn
    with pytest.raises(UserError, match="two levels"):
        save_edit(team, "t1", "ann", {"task_type": "reasoning"}, 0)
    assert team.samples.get("t1")["rev"] == 0  # nothing stored by refused edits
    msgs[1]["content"] = "2 + 3 = 5 (five)."
    s = save_edit(team, "t1", "ann", {"messages": msgs, "task_type": "reasoning/multi-step CoT"}, 0)
    assert s["rev"] == 1 and s["task_type"] == "reasoning/multi-step CoT"
    assert team.revisions.sample_at("t1", 0)["messages"][1]["content"] == "2 + 3 = 5."
    relabel = save_edit(team, "t1", "ann", {"task_type": "reasoning/math"}, 1)
    assert team.revisions.list("t1")[-1]["action"] == "relabel" and relabel["rev"] == 2


def test_add_and_remove_turns(team):
    msgs = _msgs(team, "t1") + [{"role": "user", "content": "And 3 + 4?"}, {"role": "assistant", "content": "7."}]
    s = save_edit(team, "t1", "ann", {"messages": msgs}, 0)
    assert len(s["messages"]) == 4 and s["n_turns"] == 2
    s = save_edit(team, "t1", "ann", {"messages": msgs[:2]}, s["rev"])
    assert len(s["messages"]) == 2


def test_second_stale_save_is_refused_with_both_versions(team):
    """Two sessions open revision 0; the first save wins, the second is refused and can merge by choice."""
    other = Store(team.path)  # a second connection to the same store file, as a second app session would hold
    try:
        mine, theirs = _msgs(team, "t3"), _msgs(other, "t3")
        theirs[1]["content"] = "Hello there! How can I help?"
        save_edit(other, "t3", "bob", {"messages": theirs}, expected_rev=0)
        mine[3]["content"] = "Why did the chicken cross the road? To reach the other side."
        with pytest.raises(ConflictError) as err:
            save_edit(team, "t3", "ann", {"messages": mine}, expected_rev=0)
        assert err.value.current["rev"] == 1 and "bob" in str(err.value)
        assert team.samples.get("t3")["messages"][1]["content"] == "Hello there! How can I help?"
        base = team.revisions.sample_at("t3", 0)
        assert conflict_fields(base, {"messages": mine}, err.value.current) == ["messages"]
        merged = merge_versions(base, {"messages": mine}, err.value.current, turn_choices={})
        # each side changed a different turn: both edits survive without asking
        assert merged["messages"][1]["content"] == "Hello there! How can I help?"
        assert merged["messages"][3]["content"].endswith("other side.")
        s = save_edit(team, "t3", "ann", merged, expected_rev=err.value.current["rev"])
        assert s["rev"] == 2
    finally:
        other.close()


def test_merge_by_choice_when_both_changed_the_same_turn(team):
    base = team.samples.get("t1")
    mine, theirs_msgs = _msgs(team, "t1"), _msgs(team, "t1")
    mine[1]["content"] = "Five."
    theirs_msgs[1]["content"] = "5"
    theirs = save_edit(team, "t1", "bob", {"messages": theirs_msgs}, 0)
    with pytest.raises(UserError, match="choose"):
        merge_versions(base, {"messages": mine}, theirs)
    assert merge_versions(base, {"messages": mine}, theirs, turn_choices={1: "mine"})["messages"][1]["content"] == \
        "Five."
    assert merge_versions(base, {"messages": mine}, theirs, {"messages": "theirs"}) == {}


def test_concurrent_saves_from_two_threads_lose_nothing(team):
    """Many sessions save the same revision at once: exactly one wins, the rest get a conflict."""
    other = Store(team.path)
    results, barrier = [], threading.Barrier(4)

    def save(store, text):
        msgs = _msgs(store, "t1")
        msgs[1]["content"] = text
        barrier.wait()
        try:
            save_edit(store, "t1", "ann", {"messages": msgs}, expected_rev=0)
            results.append(("ok", text))
        except ConflictError:
            results.append(("conflict", text))

    threads = [threading.Thread(target=save, args=(s, f"answer {i}")) for i, s in enumerate([team, other] * 2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    winners = [t for r, t in results if r == "ok"]
    assert len(results) == 4 and len(winners) == 1
    assert team.samples.get("t1")["messages"][1]["content"] == winners[0]
    assert len(team.revisions.list("t1")) == 1


def test_a_verdict_on_changed_content_is_a_conflict_but_a_status_change_is_not(team):
    assert submit_review(team, "t4", "ann", ReviewInput("needs_fix"), 0)["sample"]["rev"] == 1  # status only
    out = submit_review(team, "t4", "bob", ReviewInput("needs_fix"), 0)  # judged the same text: recorded
    (bob,) = team.review.list("t4", "bob")
    assert bob["id"] == out["review_id"] and bob["verdict"] == "needs_fix" and bob["sample_rev"] == 1
    assert out["status"] == "needs_fix" and out["sample"]["rev"] == 1  # the same verdict adds no revision
    msgs = _msgs(team, "t4")
    msgs[-1]["content"] = "北京现在3摄氏度。"
    save_edit(team, "t4", "ann", {"messages": msgs}, 1)
    with pytest.raises(ConflictError):
        submit_review(team, "t4", "bob", ReviewInput("accept"), 0)


# ---------------------------------------------------------------- queues
def test_queue_filters_and_orders(team):
    team.flags.replace(["refusal"], ["t5"], [("t5", "refusal", "r", "e", 0)], {"trigger": "test"})
    q = build_queue(team, QueueSpec())
    assert q[0] == "t5" and sorted(q) == ["t1", "t2", "t3", "t4", "t5"]  # flagged first
    assert build_queue(team, QueueSpec(flagged="refusal")) == ["t5"]
    assert build_queue(team, QueueSpec(flagged="punctuation")) == []
    r1 = build_queue(team, QueueSpec(order="random", seed=1))
    assert r1 == build_queue(team, QueueSpec(order="random", seed=1)) and sorted(r1) == sorted(q)
    assert any(build_queue(team, QueueSpec(order="random", seed=s)) != r1 for s in range(2, 6))
    assert build_queue(team, QueueSpec(filter=SampleFilter(task_type="reasoning"))) == ["t1"]
    submit_review(team, "t1", "ann", ReviewInput("accept"), 0)
    assert "t1" not in build_queue(team, QueueSpec(hide_reviewed_by="ann"))
    assert "t1" in build_queue(team, QueueSpec(hide_reviewed_by="bob"))
    with pytest.raises(UserError):
        build_queue(team, QueueSpec(order="sideways"))


def test_queue_of_a_dedup_cluster(team):
    team.dedup.add_run("exact", "user", {}, {}, 5, 1.0, 1.0, {}, "tester", (["t1"], ["t2"], [1.0]),
                          [(0, "t1", True, False, "keeper"), (0, "t2", False, False, "duplicate")])
    run = team.dedup.runs.list()[0]["id"]
    assert sorted(build_queue(team, QueueSpec(dedup_run=run))) == ["t1", "t2"]
    assert build_queue(team, QueueSpec(dedup_run=run, dedup_cluster=1)) == []


def test_progress_counts_the_opened_queue(team):
    snap = open_queue(team, QueueSpec(filter=SampleFilter(status="pending")))
    submit_review(team, snap.ids[0], "ann", ReviewInput("accept"), None)
    submit_review(team, snap.ids[1], "bob", ReviewInput("reject"), None)
    p = snapshot_progress(team, snap, "ann")
    assert p == {"total": 5, "reviewed": 2, "mine_today": 1}
    live = queue_progress(team, QueueSpec(filter=SampleFilter(status="pending")), "ann")
    assert live["total"] == 3  # two samples left "pending"; the snapshot still counts them as progress


# ---------------------------------------------------------------- assignment
def test_assignment_with_overlap(team):
    with pytest.raises(UserError, match="only a lead"):
        assign(team, None, AssignSettings(["ann", "bob"]), "ann")
    with pytest.raises(UserError, match="k must be"):
        assign(team, None, AssignSettings(["ann", "bob"], k=3), "lee")
    with pytest.raises(UserError, match="no profile"):
        assign(team, None, AssignSettings(["ann", "zed"]), "lee")
    out = assign(team, None, AssignSettings(["ann", "bob", "lee"], overlap=0.4, k=2, seed=3), "lee")
    assert out["samples"] == 5 and out["overlap_samples"] == 2 and out["assignments"] == 7
    rows = team.review.assignments()
    per_sample: dict[str, set] = {}
    for r in rows:
        per_sample.setdefault(r["sample_id"], set()).add(r["annotator"])
    assert sorted(len(v) for v in per_sample.values()) == [1, 1, 1, 2, 2]  # overlap samples: 2 distinct people
    assert max(out["per_annotator"].values()) - min(out["per_annotator"].values()) <= 1  # balanced
    assert sorted(build_queue(team, QueueSpec(assigned_to="ann"))) == sorted(
        s for s, who in per_sample.items() if "ann" in who)
    again = assign(team, None, AssignSettings(["ann"], overlap=0), "lee")
    assert again["samples"] == 0  # everything is assigned already
    assert team.review.assignment_load()[0]["assigned"] == out["per_annotator"]["ann"]


def test_assignment_then_review_then_agreement(team):
    assign(team, None, AssignSettings(["ann", "bob"], overlap=1.0, k=2), "lee")
    verdicts = {"t1": ("accept", "accept"), "t2": ("accept", "reject"), "t3": ("reject", "reject"),
                "t4": ("accept", "accept"), "t5": ("needs_fix", "needs_fix")}
    for sid, (a, b) in verdicts.items():
        submit_review(team, sid, "ann", ReviewInput(a, accuracy=4, difficulty="easy"), None)
        submit_review(team, sid, "bob", ReviewInput(b, accuracy=4 if a == b else 2, difficulty="easy"), None)
    rep = agreement_report(team, AgreementSettings(replicates=200))
    v = rep["overall"]["verdict"]
    assert v["items"] == 5 and v["annotators"] == 2
    assert v["primary"]["method"] == "cohen_kappa" and v["pairs"][0]["a"] == "ann"
    from curation.agreement import cohen_kappa
    expected = cohen_kappa([a for a, _ in verdicts.values()], [b for _, b in verdicts.values()],
                           categories=["accept", "needs_fix", "reject"]).value
    assert v["primary"]["value"] == pytest.approx(expected, abs=1e-4)
    assert rep["overall"]["difficulty"]["primary"]["value"] is None  # everyone said easy: undefined, not 1
    assert set(rep["by_task_type"]) >= {"reasoning/math", "(untyped)"}
    dash = {r["annotator"]: r for r in annotator_dashboard(team)}
    assert dash["ann"]["samples_reviewed"] == 5 and dash["ann"]["consensus_n"] == 5
    assert dash["ann"]["agreement_with_consensus"] == pytest.approx(0.8)
    assert dash["bob"]["acceptance"]["reasoning/math"] == {"n": 1, "accepted": 1, "rate": 1.0}
