"""AppTest of the Diversity page's Special data and Form tabs on the sample store."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT

TIMEOUT = 180


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "diversity.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    return at


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _titles(at: AppTest) -> list[str]:
    out = []
    for el in at.get("plotly_chart"):
        title = json.loads(el.proto.spec).get("layout", {}).get("title", {})
        out.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return out


def test_special_and_form_tabs_render_per_task_type(demo_app_env):
    at = _page()
    at.session_state["divA_long_chars"] = 1000  # the demo's longest prompts are news articles of 1–3k characters
    _ok(at.run())
    assert [t.label for t in at.tabs][8:10] == ["Special data", "Form"]
    titles = _titles(at)
    for expected in ("Agent samples: how they use tools", "RAG samples: share with each case",
                     "Key-information position in long prompts"):
        assert any(expected in t for t in titles), (expected, titles)
    # no embeddings yet: the form measures say how much is embedded and offer to embed the rest
    assert any("missing texts" in b.label for b in at.button)
    assert any("turns, sessions, system prompts and answers" in i.value for i in at.info)
    assert any(m.value.startswith("**Complex instructions**") for m in at.markdown)


def test_a_reviewer_confirms_a_rag_case_from_the_page(demo_app_env):
    from curation.store import Store
    at = _ok(_page().run())
    at.selectbox(key="divA_rag_case").set_value("irrelevant").run()
    frames = [d for d in at.dataframe if "heuristic" in d.value.columns]
    assert frames, "the case table is shown"
    ids = list(frames[0].value["id"])
    assert ids  # the demo data carries irrelevant-document samples
    at.session_state["divA_rag_case_t_0"] = {"selection": {"rows": [0], "columns": []}}
    _ok(at.run())
    at.button(key="divA_rag_yes").click().run()
    _ok(at)
    with Store(demo_app_env) as s:
        assert "rag:irrelevant" in s.samples.get(ids[0])["tags"]
        assert s.revisions.list(ids[0])[-1]["author"] == "tester"
