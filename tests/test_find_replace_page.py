"""AppTest of Browse's find-and-replace section: preview, apply over the filter, undo."""
from streamlit.testing.v1 import AppTest

from curation.store import SampleFilter
from tests.helpers import ROOT

TIMEOUT = 60


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_preview_apply_and_undo_over_the_browse_filter(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at = _ok(at.run())
    at.text_input(key="browse_q").input("####").run()
    at.text_input(key="fr_find").input("####")
    at.text_input(key="fr_repl").input("Answer:")
    at = _ok(at.button(key="fr_preview").click().run())
    from pages._common import get_store
    store = get_store()
    selected = store.samples.count(SampleFilter(search="####"))
    assert selected > 0
    assert any("samples would change" in m.value and f"of {selected:,}" in m.value for m in at.markdown)
    assert any("[-####-]{+Answer:+}" in c.value for c in at.code)
    before = store.samples.list(SampleFilter(search="####"))
    assert all(s["rev"] == 0 for s in before)  # the preview wrote nothing

    at = _ok(at.button(key="fr_apply").click().run())
    assert store.samples.count(SampleFilter(search="####")) == 0
    for s in before:
        [h] = store.revisions.list(s["id"])
        assert (h["author"], h["action"]) == ("tester", "replace")
    assert any("Replaced in" in s.value for s in at.success)

    at = _ok(at.button(key="fr_undo").click().run())
    assert store.samples.count(SampleFilter(search="####")) == selected
    assert any("Restored" in s.value for s in at.success)


def test_an_empty_filter_needs_all_and_a_bad_regex_is_an_error(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at = _ok(at.run())
    at.text_input(key="fr_find").input("the")
    at = _ok(at.button(key="fr_preview").click().run())
    assert any("needs a filter" in e.value for e in at.error)
    at.checkbox(key="fr_regex").check()
    at.checkbox(key="fr_all").check()
    at.text_input(key="fr_find").input("(the")
    at = _ok(at.button(key="fr_preview").click().run())
    assert any("invalid regular expression" in e.value for e in at.error)
