"""AppTest of the Compare page's A/B section: starting both chains, and reading a finished A/B."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_ab import fake_finished_ab, scores_for_report

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "compare.py")


def test_button_starts_raw_then_curated_and_nothing_runs_twice(app_env, monkeypatch):
    from training import pipeline
    started = []
    monkeypatch.setattr(pipeline, "_spawn", lambda pdir: started.append(pdir))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    at.button(key="ab_start").click().run()
    assert not at.exception, at.exception
    [adir] = list((app_env.parent / "ab").iterdir())
    info = json.loads((adir / "ab.json").read_text())
    raw, cur = (Path(info["pipelines"][a]) for a in ("raw", "curated"))
    assert started == [raw, cur]
    assert json.loads((cur / "config.json").read_text())["after"] == str(raw)
    assert info["counts"]["raw"]["total"] >= info["counts"]["curated"]["total"] > 0
    assert (raw / "export" / "eval.jsonl").read_bytes() == (cur / "export" / "eval.jsonl").read_bytes()
    assert any("A/B" in c.value and "eval set" in c.value for c in at.caption)


def test_a_finished_ab_shows_the_table_and_answers(app_env):
    fake_finished_ab(app_env.parent, scores_for_report())
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "curated − raw" in d.value.columns)
    ident = table[table["task_type"] == "identity/self"].iloc[0]
    assert ident["verdict"] == "curated better" and ident["n"] == 12
    answers = next(d.value for d in at.dataframe if "curated score" in d.value.columns)
    assert answers.iloc[0]["curated"] == "I am Workbench." and answers.iloc[0]["raw"] == "I am {{name}}."
