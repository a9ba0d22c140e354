"""AppTest of the Review and Agreement pages and the profile picker: the review flow (open the queue, edit,
score, accept, see the next sample), the conflict view on a stale save, guidelines, history, adjudication and
assignment."""
from __future__ import annotations

import json

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


# Stores written before tool calls were validated at import may hold these (issue 15.7); rendering never fails.
MALFORMED_CALLS = [
    "get_weather(Paris)",
    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{not json"}},
    {"id": "c2", "type": "function", "function": {"name": "g", "arguments": {"city": "Paris"}}},
    {"id": "c3", "type": "function", "function": {"name": "h", "arguments": 5}},
    {"id": "c4", "type": "function"},
    {"id": "c5", "type": "function", "function": {"arguments": "{}"}},
]


@pytest.fixture
def malformed_db(review_db):
    """review_db plus one sample with malformed tool calls and a reasoning field, written straight into the store
    (bypassing import validation), in its own dataset so a filter finds it."""
    with Store(review_db) as s:
        base = s.samples.list()[0]
        msgs = [{"role": "user", "content": "please call the malformed tools"},
                {"role": "assistant", "content": "", "reasoning": "First <b>think</b> about *which* tool.",
                 "tool_calls": MALFORMED_CALLS},
                {"role": "tool", "tool_call_id": "c1", "content": {"not": "a string"}},
                {"role": "assistant", "content": "done"}]
        assert s.samples.add_rows([{**base, "id": "bad-calls", "dataset": "legacy", "messages": msgs,
                                    "content_hash": "legacy-bad-calls", "parent_id": None}]) == 1
    return review_db


def _assert_shows_malformed_calls_as_text(at: AppTest) -> None:
    notes = [c.value.replace("\\", "") for c in at.caption if "Malformed tool call" in c.value]
    assert len(notes) == len(MALFORMED_CALLS), notes
    for why in ("a string, not an object", "arguments are not valid JSON", "arguments are an object, not a JSON "
                "string", "arguments are a number, not a JSON string", "no function", "no function name"):
        assert any(f"({why})" in n for n in notes), why
    codes = [c.value for c in at.code]
    assert '"get_weather(Paris)"' in codes and any('"{not json"' in c for c in codes)
    assert any('"not": "a string"' in c for c in codes)  # a tool result that is not text
    reasoning = [e for e in at.expander if e.label == "Reasoning"]
    assert len(reasoning) == 1
    shown = reasoning[0].markdown[0].value
    assert "\\<b>think" in shown and "*which*" in shown  # markdown renders, HTML stays text
    assert not any(m.proto.allow_html for m in at.markdown)


def test_browse_shows_malformed_tool_calls_and_reasoning_as_text(malformed_db):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "ann"
    _ok(at.run())
    at.multiselect(key="browse_ds").set_value(["legacy"]).run()
    _ok(at)
    assert at.subheader[0].value.replace("\\", "") == "Sample bad-calls"
    _assert_shows_malformed_calls_as_text(at)


def test_review_shows_malformed_tool_calls_and_reasoning_as_text(malformed_db):
    at = _page("review.py", "ann")
    at.multiselect(key="rvq_ds").set_value(["legacy"])
    at.button(key="rvq_open").click()
    _ok(at.run())
    assert _current_id(at) == "bad-calls"
    _assert_shows_malformed_calls_as_text(at)


def test_review_edit_of_a_sample_with_malformed_tool_calls_shows_them_and_refuses_to_save_them(malformed_db):
    at = _page("review.py", "ann")
    at.multiselect(key="rvq_ds").set_value(["legacy"])
    at.button(key="rvq_open").click()
    _ok(at.run())
    at.button(key="rv_edit").click()
    _ok(at.run())
    [calls] = [t for t in at.text_area if t.label == "Tool calls (JSON)"]
    assert json.loads(calls.value) == MALFORMED_CALLS
    [answer] = [t for t in at.text_area if t.key.startswith("rv_turn_bad-calls_") and t.key.endswith("_3")]
    answer.set_value("done, edited")
    at.button(key="rv_save").click()
    _ok(at.run())
    assert any("would make the sample invalid" in e.value and "tool call 1" in e.value for e in at.error)
    assert _store().samples.get("bad-calls")["messages"][3]["content"] == "done"  # the calls still break the schema


@pytest.fixture
def odd_roles_db(review_db):
    """review_db plus one sample whose stored turns carry an unknown role and a turn that is not an object, written
    straight into the store (as an older store or a direct write may hold them)."""
    with Store(review_db) as s:
        base = s.samples.list()[0]
        msgs = [{"role": "human", "content": "which role am I?"}, {"role": "assistant", "content": "a user"},
                "a bare string turn", {"role": "assistant", "content": "still an answer"}]
        assert s.samples.add_rows([{**base, "id": "odd-roles", "dataset": "legacy", "messages": msgs,
                                    "content_hash": "legacy-odd-roles", "parent_id": None}]) == 1
    return review_db


def test_review_edit_shows_an_unknown_role_and_lets_the_reviewer_fix_it(odd_roles_db):
    at = _page("review.py", "ann")
    at.multiselect(key="rvq_ds").set_value(["legacy"])
    at.button(key="rvq_open").click()
    _ok(at.run())
    at.button(key="rv_edit").click()
    _ok(at.run())  # crashed with ValueError ('human' is not in tuple) before
    roles = {int(b.label.split()[1]): b for b in at.selectbox if b.label.startswith("Turn ")}
    assert roles[1].value == "human" and "not a role" in roles[1].format_func(roles[1].value)
    assert roles[3].value == "(no role)" and roles[2].value == "assistant"
    assert [t.value for t in at.text_area if t.key.startswith("rv_turn_odd-roles_")][2] == "a bare string turn"
    assert any("role 'human' is not one of" in w.value for w in at.warning)
    at.button(key="rv_save").click()
    _ok(at.run())
    assert any("would make the sample invalid" in e.value for e in at.error)
    assert _store().samples.get("odd-roles")["rev"] == 0
    at.selectbox(key=roles[1].key).set_value("user")
    at.selectbox(key=roles[3].key).set_value("user")
    at.button(key="rv_save").click()
    _ok(at.run())
    saved = _store().samples.get("odd-roles")
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant", "user", "assistant"]
    assert saved["messages"][2]["content"] == "a bare string turn" and saved["rev"] == 1
    at.toggle(key="rv_history").set_value(True)
    _ok(at.run())  # the word diff against the stored original (with its bare string turn) renders too


def test_browse_shows_a_sample_with_an_unknown_role_and_a_bare_string_turn(odd_roles_db):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "ann"
    _ok(at.run())
    at.multiselect(key="browse_ds").set_value(["legacy"]).run()
    _ok(at)
    assert any("Malformed turn (not an object)" in c.value for c in at.caption)
    assert any(c.value == "human" for c in at.caption)  # the role as stored, shown as text
