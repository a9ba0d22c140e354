"""The Train page: the audit's length histogram in numeric order, and file settings kept inside the workspace."""
import json

from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT

PAGE = str(ROOT / "pages" / "train.py")


def _exported(app_env) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.radio(key="train_source").set_value("Export the curated selection now").run()
    at.text_input(key="train_new_export").input("exports/page-test")
    at.button(key="train_export_now").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_audit_histogram_keeps_its_bins_in_numeric_order(app_env):
    at = _exported(app_env)
    at.button(key="train_audit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    order = spec["encoding"]["x"]["sort"]
    numeric = [int(x) for x in order if not x.startswith(">")]
    assert numeric == sorted(numeric) and len(numeric) >= 2 and order[-1].startswith(">")


def test_general_data_file_outside_the_workspace_is_refused(app_env, tmp_path):
    outside = tmp_path.parent / "general.jsonl"
    outside.write_text(json.dumps({"messages": [{"role": "user", "content": "q"},
                                                {"role": "assistant", "content": "a"}]}) + "\n")
    at = _exported(app_env)
    at.text_input(key="train_set_general_data_file").input(str(outside))
    at.button(key="train_audit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("outside the workspace" in e.value for e in at.error)
    assert not [m for m in at.metric if m.label == "Train samples"]  # nothing was audited with that file


def test_chat_panel_answers_with_the_base_model_and_keeps_the_conversation(app_env):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert at.selectbox(key="train_chat_target").options == ["the base model alone (no adapter)"]
    assert any(c.value == "Base model: tiny" for c in at.caption)
    at.text_area(key="train_chat_system").input("You are terse.")
    at.text_area(key="train_chat_text").input("What is 2 + 3?")
    at.number_input(key="train_chat_max").set_value(8)
    at.button(key="train_chat_send").click().run()
    assert not at.exception, [e.message for e in at.exception]
    bubbles = at.get("chat_message")
    assert len(bubbles) == 2
    assert [t.value for t in at.text if t.value == "What is 2 + 3?"]
    assert any(c.value.startswith("tiny: ") and "tokens, finish reason" in c.value for c in at.caption)
    at.button(key="train_chat_clear").click().run()
    assert not at.get("chat_message")

