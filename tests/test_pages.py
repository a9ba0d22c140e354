"""AppTest of the app shell and the foundation pages, rendered on the sample store."""
import json

from streamlit.testing.v1 import AppTest

from curation.store import SampleFilter
from tests.conftest import ROOT

TIMEOUT = 60


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_app_shell_loads_sample_data_and_navigates(app_env):
    at = _ok(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run())
    assert at.title[0].value == "SFT Workbench"  # the default page is Overview
    samples = at.metric[0].value
    assert int(samples.replace(",", "")) >= 600  # sample_data/demo.jsonl was loaded into the empty store


def test_overview(app_env):
    at = _ok(_page("overview.py"))
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Samples", "Task types", "Untyped", "Quarantined records"]
    assert int(at.metric[3].value.replace(",", "")) >= 8  # the invalid demo records are in quarantine
    assert any("no two-level task_type" in w.value for w in at.warning)


def test_browse_renders_a_sample_and_history(app_env):
    at = _ok(_page("browse.py"))
    assert at.subheader[0].value.startswith("Sample `")
    assert len(at.chat_message) >= 2
    # edit a sample, then the page offers its history and restore
    from pages._common import get_store
    store = get_store()
    sid = at.subheader[0].value.split("`")[1]
    store.samples.update(sid, {"status": "accepted"}, "tester", "review")
    at = _ok(at.run())
    assert any(s.value == "History" for s in at.subheader)
    assert at.select_slider[0].options == ["0", "1"]


def test_browse_follows_a_click_through_filter(app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["browse_filter"] = SampleFilter(task_type="(untyped)")
    _ok(at.run())
    assert "(untyped)" in at.info[0].value
    assert at.dataframe[0].value["task_type"].eq("(untyped)").all()


def test_browse_search_filters(app_env):
    at = _page("browse.py")
    at.text_input(key="browse_q").input("no such text: qzxv").run()
    assert _ok(at).caption[0].value == "Matching samples: 0"
    # the search matches turn contents only: a role name matches only the samples whose text says it
    from pages._common import get_store
    want = sum(any("assistant" in (m.get("content") or "").lower() for m in s["messages"])
               for s in get_store().samples.iter())
    assert want < get_store().samples.count()
    at.text_input(key="browse_q").input("Assistant").run()
    assert _ok(at).caption[0].value == f"Matching samples: {want:,}"


def test_taxonomy_add_and_target(app_env):
    at = _ok(_page("taxonomy.py"))
    next(t for t in at.text_input if t.label == "New type (L1/L2)").input("medical/triage")
    next(b for b in at.button if b.label == "Add").click().run()
    _ok(at)
    from pages._common import get_store
    assert get_store().taxonomy.has("medical", "triage")


def test_quarantine_lists_invalid_demo_records(app_env):
    at = _ok(_page("quarantine.py"))
    assert int(at.metric[0].value) >= 8
    assert at.error and at.code  # the selected record's reason and raw text


def test_import_page_without_upload(app_env):
    at = _ok(_page("import_data.py"))
    assert "Choose one or more files" in at.info[0].value


def test_import_page_writes_an_upload_once_and_imports_it(app_env):
    body = "\n".join(json.dumps({"task_type": "qa/upload", "messages": [
        {"role": "user", "content": f"Upload question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]})
        for i in range(3))
    at = _page("import_data.py")
    at.file_uploader[0].set_value(("../my data.jsonl", body.encode(), "application/json"))
    _ok(at.run())
    saved = app_env.parent / "uploads" / "my_data.jsonl"  # a safe base name inside the workspace
    assert saved.read_text() == body
    saved.write_text(body + "\n")  # same upload, other size: written again; same size: left alone
    _ok(at.run())
    assert saved.read_text() == body
    before = saved.stat().st_mtime_ns
    _ok(at.run())
    assert saved.stat().st_mtime_ns == before
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert [m.value for m in at.metric][:1] == ["3"]


def test_export_page_writes_an_export(app_env, tmp_path):
    at = _ok(_page("export.py"))
    folder = [t for t in at.text_input if t.label.startswith("Folder")][0]
    folder.input("exports/test-export").run()
    at.button[0].click().run()
    _ok(at)
    assert at.success and "Wrote" in at.success[0].value
    manifest = json.loads((app_env.parent / "exports" / "test-export" / "manifest.json").read_text())
    assert manifest["total"]["train"] > 0 and manifest["total"]["eval"] > 0


def test_export_page_refuses_paths_outside_the_workspace(app_env):
    at = _page("export.py")
    [t for t in at.text_input if t.label.startswith("Folder")][0].input("../../etc/evil").run()
    at.button[0].click().run()
    assert at.error and "outside the workspace" in at.error[0].value


def test_export_page_keeps_a_typed_folder_across_reruns(app_env):
    import time
    at = _ok(_page("export.py"))
    [t for t in at.text_input if t.label.startswith("Folder")][0].input("exports/mine").run()
    time.sleep(1.1)  # the suggested folder has a timestamp: a new second must not reset what was typed
    at.run()
    assert [t for t in at.text_input if t.label.startswith("Folder")][0].value == "exports/mine"
