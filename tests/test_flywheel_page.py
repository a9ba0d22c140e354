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
