"""AppTest of the Agreement page's LLM-judge tab: calibration beside human-human agreement, trust per task type,
and a lead's accept-above-threshold limited to trusted task types."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from curation.review import create_profile
from curation.store import SampleFilter, Store
from tests.helpers import ROOT
from tests.llm_support import calibration_store


def _page(user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "agreement.py"), default_timeout=90)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_judge_tab_without_judge_scores_says_how_to_get_them(app_env):
    with Store(app_env) as s:
        create_profile(s, "lee", "lead")
    at = _page("lee")
    assert any("No LLM judge has scored samples yet" in i.value for i in at.info)


def test_judge_tab_shows_calibration_trust_and_accepts_only_trusted(app_env, tmp_path):
    with Store(app_env) as s:
        calibration_store(s, tmp_path)
        create_profile(s, "lee", "lead")
        create_profile(s, "ann")
    at = _page("lee")
    frames = [d.value for d in at.dataframe]
    dims = next(f for f in frames if "judge–human κ" in f.columns)
    assert list(dims["dimension"])[:2] == ["Accuracy", "Completeness"] and dims["n"].iloc[0] == 36
    assert dims["human–human"].notna().iloc[0]  # ann vs bob, beside the judge's figure
    per_type = next(f for f in frames if "trust" in f.columns)
    trust = dict(zip(per_type["task_type"], per_type["trust"]))
    assert trust["good/x"].endswith("trusted") and "untrusted" in trust["bad/x"] and "too few" in trust["few/x"]
    assert at.multiselect(key="ag_judge_types").options == ["good/x"]
    at.slider(key="ag_judge_threshold").set_value(4.0)
    [b for b in at.button if b.label == "Accept pending samples"][0].click()
    at.run()
    assert any("6 pending samples would be accepted" in m.value for m in at.success)
    at.checkbox(key="ag_judge_dry").uncheck()
    [b for b in at.button if b.label == "Accept pending samples"][0].click()
    at.run()
    assert any("6 pending samples accepted" in m.value for m in at.success)
    from pages._common import get_store
    accepted = get_store().samples.list(SampleFilter(status=["accepted"]))  # the page holds the file open
    assert len(accepted) == 6 and all(x["task_l1"] == "good" for x in accepted)
    ann = _page("ann")
    assert not [b for b in ann.button if b.label == "Accept pending samples"]

