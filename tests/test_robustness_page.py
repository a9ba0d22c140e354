"""AppTest of the Robustness page: suggestions with highlighted evidence, confirm/reject (one and in bulk), hand
tagging, generation and the share chart."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from curation.ingest import IngestSettings, ingest
from curation.robustness.tagging import detect_into_store
from tests.helpers import ROOT, write_jsonl

TIMEOUT = 120


def _conv(i, user, **kw):
    return {"id": i, "task_type": "chat/qa",
            "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": "An answer."}], **kw}


@pytest.fixture
def page_store(app_env, tmp_path):
    from pages._common import get_store
    store = get_store()
    records = [
        _conv("rb_typo", "Waht is <b>teh</b> capital of France?"),
        _conv("rb_pinyin", "我想去beijing kan chang cheng"),
        _conv("rb_mix", "这个meeting很重要吗？"),
        _conv("rb_clean", "What is the capital of Spain?"),
        _conv("rb_clean2", "How do I bake bread at home?"),
        _conv("rb_clean3", "请介绍一下北京的历史。"),
    ]
    ingest(store, [write_jsonl(tmp_path / "rb.jsonl", records)], IngestSettings(dataset="rbtest"))
    detect_into_store(store)
    return store


def _open() -> AppTest:
    """The page, its suggestion list narrowed to this test's dataset (the app store also holds the demo data)."""
    at = AppTest.from_file(str(ROOT / "pages" / "robustness.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at.session_state["rb_ds"] = "rbtest"
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_evidence_is_highlighted_and_never_markup(page_store):
    at = _open()
    md = [m.value for m in at.markdown]
    assert any(":red-background[**Waht**]" in m for m in md)
    assert any(":red-background[**beijing kan chang cheng**]" in m for m in md)
    assert not any("<b>" in m for m in md)  # escaped: shown as text
    assert any("\\<b\\>" in m for m in md)


def test_confirm_and_reject_one_suggestion(page_store):
    at = _open()
    _ok(_button(at, "rb_ok_rb_pinyin_pinyin").click().run())
    assert page_store.samples.get("rb_pinyin")["tags"] == ["robustness:pinyin"]
    assert page_store.revisions.list("rb_pinyin")[-1]["author"] == "tester"
    assert any("protected" in s.value for s in at.success)
    _ok(_button(at, "rb_no_rb_mix_code_mix").click().run())
    assert page_store.samples.get("rb_mix")["tags"] == []
    assert page_store.robustness.suggestions(state="rejected")[0]["sample_id"] == "rb_mix"
    keys = {b.key for b in at.button}
    assert "rb_ok_rb_pinyin_pinyin" not in keys and "rb_no_rb_mix_code_mix" not in keys
    assert "rb_ok_rb_typo_typo" in keys


def test_bulk_confirm_of_the_shown_suggestions(page_store):
    at = _open()
    at.selectbox(key="rb_kind").set_value("typo").run()
    _ok(_button(at, "rb_bulk_ok").click().run())
    assert page_store.samples.get("rb_typo")["tags"] == ["robustness:typo"]
    assert page_store.samples.get("rb_pinyin")["tags"] == []  # not shown, not decided
    at.selectbox(key="rb_kind").set_value("all").run()
    _ok(_button(at, "rb_bulk_no").click().run())
    open_ids = {r["sample_id"] for r in page_store.robustness.suggestions(state="open")}
    assert not open_ids & {"rb_typo", "rb_pinyin", "rb_mix"}


def test_hand_tag_generate_and_share(page_store):
    at = _open()
    at.text_area(key="rb_ids").set_value("rb_clean").run()
    at.selectbox(key="rb_hand_kind").set_value("incomplete")
    _ok(_button(at, "rb_tag").click().run())
    assert page_store.samples.get("rb_clean")["tags"] == ["robustness:incomplete"]
    at.session_state["rb_gen_open"] = True  # the user opens "Generate variants" (AppTest has no click for it)
    at.multiselect(key="rb_gen_ds").set_value(["rbtest"])
    at.slider(key="rb_rate").set_value(1.0)
    at.slider(key="rb_gen_target").set_value(0.5)
    _ok(_button(at, "rb_generate").click().run())
    children = [s for s in page_store.samples.list() if s.get("parent_id")]
    assert children and all(s["status"] == "pending" and s["dataset"] == "rbtest" for s in children)
    assert any("variants generated" in s.value for s in at.success)
    assert at.get("plotly_chart")  # the share per task_type chart
    # the expander stays open over its own result, on this rerun and the next ones
    for _ in range(2):
        gen = next(e for e in at.expander if e.label == "Generate variants")
        assert gen.proto.expanded and any("variants generated" in s.value for s in gen.success)
        _ok(at.run())
