"""Word-level diffs for zh and en, and diffs of a sample's revisions against the original."""
from __future__ import annotations

from curation.diffing import DELETE, EQUAL, INSERT, diff_messages, render_word_diff, tokens, word_diff
from curation.review import create_profile, save_edit


def test_tokens_split_chinese_by_character_and_english_by_word():
    assert tokens("我喜欢Python 3.11!") == ["我", "喜", "欢", "Python", " ", "3", ".", "11", "!"]
    assert tokens("don't stop") == ["don't", " ", "stop"]


def test_english_diff_is_word_level():
    ops = word_diff("The cat sat on the mat.", "The dog sat on the mat!")
    assert ops == [(EQUAL, "The "), (DELETE, "cat"), (INSERT, "dog"), (EQUAL, " sat on the mat"), (DELETE, "."),
                   (INSERT, "!")]
    assert render_word_diff(ops) == "The [-cat-]{+dog+} sat on the mat[-.-]{+!+}"


def test_chinese_diff_is_character_level_with_punctuation():
    ops = word_diff("我喜欢吃苹果,你呢?", "我喜欢吃香蕉，你呢？")
    assert (DELETE, "苹果,") in ops and (INSERT, "香蕉，") in ops
    assert ops[0] == (EQUAL, "我喜欢吃")
    assert render_word_diff(ops).startswith("我喜欢吃[-苹果,-]{+香蕉，+}你呢")


def test_mixed_text_and_no_change():
    assert word_diff("用 Python 写代码", "用 Python 写代码") == [(EQUAL, "用 Python 写代码")]
    ops = word_diff("用 Python 写代码", "用 Rust 写代码")
    assert (DELETE, "Python") in ops and (INSERT, "Rust") in ops


def test_message_diff_aligns_added_removed_and_edited_turns():
    old = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello there"}]
    new = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello here"},
           {"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    d = diff_messages(old, new)
    assert [(t.turn, t.change) for t in d] == [(1, "unchanged"), (2, "edited"), (3, "added"), (4, "added")]
    assert d[1].inserted == 1 and d[1].deleted == 1
    back = diff_messages(new, old)
    assert [t.change for t in back if t.change != "unchanged"] == ["edited", "removed", "removed"]


def test_revision_history_diffs_against_the_original(loaded_store):
    store = loaded_store
    create_profile(store, "ann")
    s = store.samples.get("t4")  # zh answer after a tool call
    msgs = [dict(m) for m in s["messages"]]
    msgs[-1]["content"] = "北京现在三摄氏度，比较冷。"
    save_edit(store, "t4", "ann", {"messages": msgs}, 0)
    msgs[0]["content"] = "北京今天天气怎么样？"
    save_edit(store, "t4", "ann", {"messages": msgs}, 1)
    assert [h["rev"] for h in store.revisions.list("t4")] == [1, 2]
    original, latest = store.revisions.sample_at("t4", 0), store.revisions.sample_at("t4", 2)
    changed = [t for t in diff_messages(original["messages"], latest["messages"]) if t.change != "unchanged"]
    assert [(t.turn, t.role) for t in changed] == [(1, "user"), (4, "assistant")]
    assert render_word_diff(changed[1].ops) == "北京现在[-3-]{+三摄氏+}度{+，比较冷+}。"
    # restoring the original is a new revision, and the diff to the original is then empty
    store.revisions.restore("t4", 0, "ann")
    assert all(t.change == "unchanged" for t in diff_messages(original["messages"],
                                                              store.samples.get("t4")["messages"]))
    assert store.samples.get("t4")["rev"] == 3


def test_revision_changes_show_old_and_new_values():
    from curation.diffing import revision_changes
    lines = revision_changes({"task_l1": "NER", "task_l2": "general", "status": "pending"},
                             {"task_l1": "reasoning", "task_l2": "math", "status": "accepted"})
    assert lines == ["status: pending → accepted", "task_type: NER/general → reasoning/math"]
    old = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello there"}]
    new = [old[0], {"role": "assistant", "content": "hello there friend"}]
    assert revision_changes({"messages": old}, {"messages": new}) == [
        "messages: turn 2 (assistant) edited, +2/-0 tokens"]
    assert revision_changes({"tags": []}, {"tags": ["a", "b"]}) == ["tags: ∅ → a, b"]


def test_diff_of_turns_an_older_store_may_hold_never_fails():
    """A turn that is not an object, a missing role, content that is not text, a bare-string tool call."""
    from curation.diffing import revision_changes
    old = ["a bare string turn", {"content": {"not": "text"}}, {"role": "assistant", "content": "",
                                                                 "tool_calls": ["get_weather(Paris)"]}]
    new = [{"role": "user", "content": "a bare string turn"}, {"role": "assistant", "content": "fixed"}]
    turns = diff_messages(old, new)
    assert [t.role for t in turns if t.change != "removed"][0] == "user"
    assert any(t.change == "removed" and "get_weather(Paris)" in t.ops[0][1] for t in turns)
    assert revision_changes({"messages": old}, {"messages": new})[0].startswith("messages: turn")
