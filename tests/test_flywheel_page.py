"""The Flywheel page: import a log upload, see redaction counts per rule and the picked sessions with their
reasons, promote a candidate into a dataset (AppTest)."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT

TIMEOUT = 120


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _table(at: AppTest, column: str):
    """The page's dataframe that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _log_file(tmp_path):
    lines = [{"session_id": "s1", "role": "user", "content": "写一个读取CSV的函数，我的邮箱 a.b@qq.com", "timestamp": 1710000000},
             {"session_id": "s1", "role": "assistant", "content": "import csv", "timestamp": 1710000005},
             {"session_id": "s1", "role": "user", "content": "还是不对，报错 KeyError", "timestamp": 1710000060},
             {"session_id": "s1", "role": "assistant", "content": "先检查列名", "timestamp": 1710000065},
             {"session_id": "s2", "role": "user", "content": "hello", "timestamp": "15/03/2024 25:61"}]
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_flywheel_page_shows_counts_picks_and_promotes(app_env, tmp_path):
    from curation.flywheel.candidates import import_logs
    from curation.store import Store
    with Store(app_env) as s:
        import_logs(s, [_log_file(tmp_path)])
    at = _ok(AppTest.from_file(str(ROOT / "pages" / "flywheel.py"), default_timeout=TIMEOUT).run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Candidate"] == "1"
    redactions = _table(at, "redactions")
    assert dict(zip(redactions["rule"], redactions["redactions"]))["email"] == 1
    table = _table(at, "reasons")
    assert "self-correction loop" in table["reasons"][0]
    assert any("self-correction loop" in w.value.replace("\\", "") for w in at.warning)  # the picked session's reason, in the detail
    cid = table["id"][0]
    _ok(at.multiselect(key="fw_ids").set_value([cid]).run())
    at.text_input(key="fw_dataset").input("flywheel")
    at.button(key="fw_promote").click()
    _ok(at.run())
    assert any("Promoted 1 candidates into flywheel" in s.value for s in at.success)
    from pages._common import get_store
    (sample,) = get_store().samples.list()
    assert sample["dataset"] == "flywheel" and "[EMAIL]" in sample["messages"][0]["content"]


def test_flywheel_page_names_its_own_controls_in_errors(app_env, tmp_path):
    from curation.flywheel.candidates import import_logs
    from curation.store import Store
    with Store(app_env) as s:
        import_logs(s, [_log_file(tmp_path)])
    at = _ok(AppTest.from_file(str(ROOT / "pages" / "flywheel.py"), default_timeout=TIMEOUT).run())
    cid = _table(at, "reasons")["id"][0]
    _ok(at.multiselect(key="fw_ids").set_value([cid]).run())
    at.button(key="fw_promote").click()
    _ok(at.run())
    assert any("name the dataset the candidates go to" in e.value for e in at.error)


def test_flywheel_page_answers_prompt_only_candidates_with_a_model(app_env, tmp_path):
    """The page's 'Answer with a model' control calls answer production (a scripted endpoint over real HTTP)."""
    from curation.flywheel.candidates import import_logs
    from curation.store import Store
    from tests.llm_support import ScriptedEndpoint, completion
    path = tmp_path / "prompts.jsonl"
    path.write_text(json.dumps({"request": {"messages": [{"role": "user", "content": "用一句话介绍杭州"}]}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(app_env) as s:
        import_logs(s, [path])
    at = _ok(AppTest.from_file(str(ROOT / "pages" / "flywheel.py"), default_timeout=TIMEOUT).run())
    cid = _table(at, "reasons")["id"][0]
    _ok(at.multiselect(key="fw_ids").set_value([cid]).run())
    at.text_input(key="fw_dataset").input("flywheel")
    with ScriptedEndpoint(lambda body: (200, {}, completion("杭州是浙江省的省会。"))) as ep:
        at.text_input(key="fw_base_url").input(ep.base_url)
        at.text_input(key="fw_model").input("scripted")
        at.button(key="fw_answer_model").click()
        _ok(at.run())
    assert any("Answered and promoted 1 candidates into flywheel" in s.value for s in at.success), \
        [e.value for e in at.error]
    from pages._common import get_store
    (sample,) = get_store().samples.list()
    assert sample["messages"][-1]["content"] == "杭州是浙江省的省会。"


def test_flywheel_page_builds_preference_data(app_env, tmp_path):
    from curation.flywheel.candidates import import_logs
    from curation.store import Store
    q = [{"role": "user", "content": "How do I reverse a list in Python?"}]
    lines = [{"request": {"messages": q}, "response": {"choices": [{"message": {"role": "assistant", "content": a}}]},
              "session_id": sid, "feedback": {"thumbs": t}}
             for sid, a, t in (("a", "lst[::-1]", "up"), ("b", "You cannot.", "down"))]
    path = tmp_path / "fb.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Store(app_env) as s:
        import_logs(s, [path])
    at = _ok(AppTest.from_file(str(ROOT / "pages" / "flywheel.py"), default_timeout=TIMEOUT).run())
    at.button(key="fw_pref_build").click()
    _ok(at.run())
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Prompts with both"], metrics["Records"]) == ("1", "1")
    at.selectbox(key="fw_pref_format").set_value("llamafactory")
    at.button(key="fw_pref_build").click()
    _ok(at.run())
    assert at.json and '"ranking": true' in at.json[0].value
