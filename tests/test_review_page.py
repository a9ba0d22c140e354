"""AppTest of the Review and Agreement pages and the profile picker: the review flow (open the queue, edit,
score, accept, see the next sample), the conflict view on a stale save, guidelines, history, adjudication and
assignment."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from curation.ingest import IngestSettings, ingest
from curation.review import ReviewInput, create_profile, save_edit, submit_review
from curation.store import Store

from tests.helpers import ROOT, tiny_records, write_jsonl

TIMEOUT = 60


@pytest.fixture
def review_db(app_env, tmp_path):
    """The app's store (CURATION_DB) holding the tiny records, a lead and two annotators."""
    with Store(app_env) as s:
        ingest(s, [write_jsonl(tmp_path / "tiny.jsonl", tiny_records())], IngestSettings(dataset="tiny"))
        create_profile(s, "lee", "lead")
        create_profile(s, "ann")
        create_profile(s, "bob")
    return app_env


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _page(name: str, user: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    if user:
        at.session_state["user"] = user
    return _ok(at.run())


def _current_id(at: AppTest) -> str:
    return at.text[0].value.split(" · ")[0]


def _key(at: AppTest, kind: str, prefix: str) -> str:
    return next(w.key for w in getattr(at, kind) if w.key and w.key.startswith(prefix))


def _store():
    from pages._common import get_store
    return get_store()


def test_review_needs_a_profile(review_db):
    at = _page("review.py", None)
    assert "Pick or create your profile" in at.info[0].value


def test_review_flow_open_edit_score_accept_next(review_db):
    at = _page("review.py", "ann")
    at.button(key="rvq_open").click()
    _ok(at.run())
    first = _current_id(at)
    assert "Reviewed 0 / 5" in at.get("progress")[0].proto.text
    assert at.button(key="rv_v_accept").proto.shortcut.lower() == "a"
    assert at.button(key="rv_next").proto.shortcut.lower() == "j"
    # edit the answer
    at.button(key="rv_edit").click()
    _ok(at.run())
    answer_box = [t for t in at.text_area if t.key.startswith(f"rv_turn_{first}_") and t.key.endswith("_1")][0]
    answer_box.set_value("An edited answer, checked word by word.")
    # score and accept: the edit is saved first, then the verdict
    for dim, value in (("accuracy", 5), ("completeness", 4), ("clarity", 5), ("consistency", 5)):
        at.radio(key=f"rv_{dim}_{first}").set_value(value)
    at.radio(key=f"rv_diff_{first}").set_value("medium")
    at.text_area(key=f"rv_note_{first}").set_value("tightened the wording")
    at.button(key="rv_v_accept").click()
    _ok(at.run())
    second = _current_id(at)
    assert second != first  # the next sample is on screen
    assert "Reviewed 1 / 5" in at.get("progress")[0].proto.text
    store = _store()
    s = store.samples.get(first)
    assert s["status"] == "accepted" and s["messages"][1]["content"] == "An edited answer, checked word by word."
    assert [h["action"] for h in store.revisions.list(first)] == ["edit", "review"]
    r = store.review.list(sample_id=first, annotator="ann")[0]
    assert (r["accuracy"], r["completeness"], r["difficulty"], r["note"]) == (5, 4, "medium", "tightened the wording")
    assert r["seconds"] is not None
    # back to the first sample: its history shows a word diff against the original
    at.button(key="rv_prev").click()
    _ok(at.run())
    assert _current_id(at) == first
    at.toggle(key="rv_history").set_value(True)
    _ok(at.run())
    assert any("{+" in c.value and "[-" in c.value for c in at.code)


def test_invalid_edit_is_not_saved(review_db):
    at = _page("review.py", "ann")
    at.button(key="rvq_open").click()
    _ok(at.run())
    sid = _current_id(at)
    at.button(key="rv_edit").click()
    _ok(at.run())
    at.button(key=_key(at, "button", f"rv_rm_{sid}_0_{len(_store().samples.get(sid)['messages']) - 1}")).click()
    _ok(at.run())  # the last (assistant) turn removed: the conversation is no longer valid
    assert any("Not valid yet" in w.value for w in at.warning)
    at.button(key="rv_save").click()
    _ok(at.run())
    assert "invalid" in at.error[0].value
    assert _store().samples.get(sid)["rev"] == 0


def test_stale_save_opens_the_conflict_view_and_merges_by_choice(review_db):
    at = _page("review.py", "ann")
    at.button(key="rvq_open").click()
    _ok(at.run())
    sid = _current_id(at)
    at.button(key="rv_edit").click()
    _ok(at.run())
    n = len(_store().samples.get(sid)["messages"])
    # another session saves the same answer first, through its own connection to the store file
    with Store(review_db) as other:
        msgs = other.samples.get(sid)["messages"]
        msgs[-1]["content"] = "Their version of the answer."
        save_edit(other, sid, "bob", {"messages": msgs}, 0)
    at.text_area(key=f"rv_turn_{sid}_0_{n - 1}").set_value("My version of the answer.")
    at.button(key="rv_save").click()
    _ok(at.run())
    assert "Nothing was overwritten" in at.error[0].value
    assert any("Their version" in m.value for m in at.markdown)  # both versions are on screen
    assert any("My version" in m.value for m in at.markdown)
    assert _store().samples.get(sid)["messages"][-1]["content"] == "Their version of the answer."
    at.radio(key=f"rv_pickturn_{sid}_{n - 1}").set_value("mine")
    at.button(key=f"rv_merge_{sid}").click()
    _ok(at.run())
    s = _store().samples.get(sid)
    assert s["messages"][-1]["content"] == "My version of the answer." and s["rev"] == 2
    assert [h["author"] for h in _store().revisions.list(sid)] == ["bob", "ann"]


def test_lead_edits_the_guideline_shown_beside_the_sample(review_db):
    at = _page("review.py", "lee")
    at.button(key="rvq_open").click()
    _ok(at.run())
    area = [t for t in at.text_area if t.label == "Markdown"][0]
    area.set_value("## Check\n- the final number\n- the units")
    [b for b in at.button if b.label == "Save guideline"][0].click()
    _ok(at.run())
    assert any("the final number" in m.value for m in at.markdown)
    ann = _page("review.py", "ann")
    assert not [t for t in ann.text_area if t.label == "Markdown"]  # annotators read, leads write


def _picker_app():
    """The sidebar profile picker on its own (app.py calls the same function before navigation)."""
    import streamlit as st

    from pages._common import get_store
    from pages._profile import profile_sidebar
    st.text(f"user={profile_sidebar(get_store())}")


def test_app_shell_has_the_profile_picker(review_db):
    at = _ok(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run())
    pick = at.sidebar.selectbox(key="profile_pick")
    assert set(pick.options) >= {"lee · lead", "ann · annotator", "➕ New profile…"}


def test_profile_picker_creates_and_selects_a_profile(review_db):
    at = _ok(AppTest.from_function(_picker_app, default_timeout=TIMEOUT).run())
    assert at.text[0].value == "user=None" and "user" not in at.session_state
    at.sidebar.selectbox(key="profile_pick").set_value("➕ New profile…")
    _ok(at.run())
    at.sidebar.text_input(key="new_profile_name").input("ann")
    at.sidebar.button[0].click()
    _ok(at.run())
    assert "exists already" in at.sidebar.error[0].value  # a name is one person: no silent takeover
    at.sidebar.text_input(key="new_profile_name").input("cai")
    at.sidebar.radio(key="new_profile_role").set_value("lead")
    at.sidebar.button[0].click()
    _ok(at.run())
    assert at.session_state["user"] == "cai" and at.text[0].value == "user=cai"
    assert _store().review.annotator("cai")["role"] == "lead"
    at.sidebar.selectbox(key="profile_pick").set_value("ann")
    _ok(at.run())
    assert at.session_state["user"] == "ann"


def _disagree(store):
    for sid, (a, b) in {"t1": ("accept", "reject"), "t2": ("accept", "accept"), "t3": ("reject", "reject")}.items():
        submit_review(store, sid, "ann", ReviewInput(a, accuracy=4), None)
        submit_review(store, sid, "bob", ReviewInput(b, accuracy=4), None)


def test_agreement_page_adjudication_flow(review_db):
    with Store(review_db) as s:
        _disagree(s)
    at = _page("agreement.py", "lee")
    figures = at.dataframe[0].value
    assert figures["figure"].iloc[0] == "Cohen's κ" and figures["n"].iloc[0] == 3
    at.radio(key="ag_verdict_t1").set_value("accept")
    at.text_area(key="ag_note_t1").set_value("the answer is right")
    [b for b in at.button if b.label == "Record decision"][0].click()
    _ok(at.run())
    assert "status is now accepted" in at.success[0].value
    store = _store()
    assert store.samples.get("t1")["status"] == "accepted"
    assert store.review.adjudications("t1")[0]["lead"] == "lee"
    _ok(at.run())
    assert any("No open disagreements" in s.value for s in at.success)
    ann = _page("agreement.py", "ann")
    assert not [b for b in ann.button if b.label == "Record decision"]


def test_agreement_page_assignment_flow(review_db):
    at = _page("agreement.py", "lee")
    at.multiselect(key="ag_people").set_value(["ann", "bob"])
    at.multiselect(key="ag_f_st").set_value([])
    [b for b in at.button if b.label == "Assign"][0].click()
    _ok(at.run())
    assert any("Batch 1: 5 samples" in s.value for s in at.success)
    store = _store()
    assert {a["annotator"] for a in store.review.assignments()} == {"ann", "bob"}
    mine = _page("review.py", "ann")
    mine.checkbox(key="rvq_mine").check()
    mine.multiselect(key="rvq_st").set_value([])
    mine.button(key="rvq_open").click()
    _ok(mine.run())
    assigned = {a["sample_id"] for a in store.review.assignments(annotator="ann")}
    assert _current_id(mine) in assigned
    assert f"/ {len(assigned)} in this queue" in mine.get("progress")[0].proto.text
