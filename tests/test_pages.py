"""AppTest of the app shell and the foundation pages, rendered on the sample store."""
import json

import pytest

from streamlit.testing.v1 import AppTest

from curation.store import SampleFilter
from tests.helpers import ROOT

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


def test_overview(demo_app_env):
    at = _ok(_page("overview.py"))
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Samples", "Task types", "Untyped", "Quarantined records"]
    assert int(at.metric[3].value.replace(",", "")) >= 8  # the invalid demo records are in quarantine
    assert any("no two-level task_type" in w.value for w in at.warning)


def test_browse_renders_a_sample_and_history(demo_app_env):
    at = _ok(_page("browse.py"))
    assert at.subheader[0].value.startswith("Sample ")
    assert len(at.chat_message) >= 2
    # edit a sample, then the page offers its history and restore
    from pages._common import get_store
    store = get_store()
    sid = at.subheader[0].value.split(" ", 1)[1].replace("\\", "")
    store.samples.update(sid, {"status": "accepted"}, "tester", "review")
    at = _ok(at.run())
    assert any(s.value == "History" for s in at.subheader)
    assert at.select_slider[0].options == ["0", "1"]


def _relabel_form(at: AppTest):
    target = next(s for s in at.selectbox if s.label == "New task_type")
    button = next(b for b in at.button if b.label == "Relabel all matching")
    return target, button


def test_browse_relabel_needs_a_filter_and_a_target(demo_app_env):
    from pages._common import get_store
    at = _ok(_page("browse.py"))
    assert not [s for s in at.selectbox if s.label == "New task_type"]  # no filter: no relabel form at all
    assert any("relabelling needs one" in i.value for i in at.info)
    store = get_store()
    datasets = store.samples.datasets()
    at.multiselect(key="browse_ds").select(datasets[0]).run()
    _ok(at)
    target, button = _relabel_form(at)
    assert target.value is None  # no default target: nothing is relabelled by a careless click


def test_browse_bulk_relabel_shows_count_filters_confirms_and_refreshes(demo_app_env):
    from pages._common import get_store
    at = _ok(_page("browse.py"))
    store = get_store()
    typed = sorted({s["task_type"] for s in store.samples.list(SampleFilter()) if s["task_type"]})
    source = max(typed, key=lambda t: store.samples.count(SampleFilter(task_type=t)))
    n = store.samples.count(SampleFilter(task_type=source))
    assert n > 20  # the demo data has a type big enough to need the confirmation
    at.multiselect(key="browse_tt").select(source).run()
    caption = next(c.value for c in at.caption if "Sets the task_type" in c.value)
    assert f"**{n:,}**" in caption and "task\\_type = " in caption  # the count and the active filter
    target, button = _relabel_form(at)
    target.select("medical/triage" if "medical/triage" in target.options else target.options[-1])
    new = target.value
    button.click().run()
    assert any("tick the confirmation box" in e.value for e in at.error)
    assert store.samples.count(SampleFilter(task_type=source)) == n  # nothing changed without the tick
    target, button = _relabel_form(at)
    target.select(new)
    next(c for c in at.checkbox if c.label == f"Yes, relabel all {n:,} matching samples").check()
    button.click().run()
    _ok(at)
    assert store.samples.count(SampleFilter(task_type=source)) == 0
    assert store.samples.count(SampleFilter(task_type=new)) >= n
    assert any(f"Relabelled {n:,} samples" in s.value for s in at.success)  # confirmed after the rerun
    # the view is fresh: no row of the table, and not the open sample, still shows the old label
    assert source not in set(at.dataframe[0].value["task_type"])
    assert all(source not in str(j.value) for j in at.json)


def test_browse_history_shows_old_and_new_values(demo_app_env):
    from pages._common import get_store
    at = _ok(_page("browse.py"))
    sid = at.subheader[0].value.split(" ", 1)[1].replace("\\", "")
    store = get_store()
    old = store.samples.get(sid)["status"]
    store.samples.update(sid, {"status": "accepted"}, "tester", "review")
    at = _ok(at.run())
    changes = list(at.dataframe[-1].value["changes"])
    assert changes == [f"status: {old} → accepted"]


def test_browse_follows_a_click_through_filter(demo_app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "browse.py"), default_timeout=TIMEOUT)
    at.session_state["browse_filter"] = SampleFilter(task_type="(untyped)")
    _ok(at.run())
    assert "task_type = (untyped)" in at.info[0].value.replace("\\", "")
    assert at.dataframe[0].value["task_type"].eq("(untyped)").all()


def test_browse_search_filters(demo_app_env):
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


def test_taxonomy_add_and_target_confirm_what_they_did(demo_app_env):
    at = _ok(_page("taxonomy.py"))
    next(t for t in at.text_input if t.label == "New type (L1/L2)").input("medical/triage")
    next(b for b in at.button if b.label == "Add").click().run()
    _ok(at)
    from pages._common import get_store
    assert get_store().taxonomy.has("medical", "triage")
    assert [s.value.replace("\\", "") for s in at.success] == ["Added medical/triage."]  # shown after the rerun
    next(s for s in at.selectbox if s.key == "target_type").select("medical/triage")
    next(n for n in at.number_input if n.label.startswith("Target share")).set_value(12.5)
    next(b for b in at.button if b.label == "Set target").click().run()
    _ok(at)
    assert [s.value.replace("\\", "") for s in at.success] == ["Target for medical/triage: 12.5% of the set."]
    row = next(r for r in get_store().taxonomy.list() if (r["l1"], r["l2"]) == ("medical", "triage"))
    assert row["target_share"] == 0.125
    _ok(at.run())
    assert not at.success  # a confirmation shows once


def test_quarantine_lists_invalid_demo_records(demo_app_env):
    at = _ok(_page("quarantine.py"))
    assert int(at.metric[0].value) >= 8
    assert at.error and at.code  # the selected record's reason and raw text


def test_import_page_without_upload(demo_app_env):
    at = _ok(_page("import_data.py"))
    assert "Choose one or more files" in at.info[0].value


def test_import_page_writes_an_upload_once_and_imports_it(demo_app_env):
    import hashlib
    body = "\n".join(json.dumps({"task_type": "qa/upload", "messages": [
        {"role": "user", "content": f"Upload question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]})
        for i in range(3))
    at = _page("import_data.py")
    at.file_uploader[0].set_value(("../my data.jsonl", body.encode(), "application/json"))
    _ok(at.run())
    # a safe base name, in a folder named by the content: same-name uploads of other sessions never collide
    saved = demo_app_env.parent / "uploads" / hashlib.sha256(body.encode()).hexdigest()[:16] / "my_data.jsonl"
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


def test_uploads_of_the_same_name_do_not_collide_and_never_follow_links(tmp_path):
    import hashlib

    from curation.errors import UserError
    from pages._common import write_upload
    root = tmp_path / "uploads"
    pa, pb = write_upload(root, "same.jsonl", b"one\n"), write_upload(root, "same.jsonl", b"two\n")
    assert pa != pb and pa.read_bytes() == b"one\n" and pb.read_bytes() == b"two\n"
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    planted = root / hashlib.sha256(b"three\n").hexdigest()[:16] / "evil.jsonl"
    planted.parent.mkdir(parents=True)
    planted.symlink_to(outside)
    with pytest.raises(UserError, match="symbolic link"):
        write_upload(root, "evil.jsonl", b"three\n")
    linked_root = tmp_path / "linked"
    linked_root.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(UserError, match="symbolic link"):
        write_upload(linked_root, "x.jsonl", b"four\n")
    assert outside.read_text() == "keep me" and not (tmp_path / "elsewhere").exists()


def _import_at(files: list[tuple[str, bytes]]) -> AppTest:
    at = _page("import_data.py")
    at.file_uploader[0].set_value([(n, b, "application/octet-stream") for n, b in files])
    return _ok(at.run())


def _alpaca(n: int) -> bytes:
    return json.dumps([{"instruction": f"Translate sentence {i} to French", "input": f"Sentence {i}" if i % 2 else "",
                        "output": f"Phrase {i}"} for i in range(n)]).encode()


def test_import_page_reads_alpaca_as_alpaca_with_no_mapping_over_it(demo_app_env):
    from pages._common import get_store
    at = _import_at([("alpaca_en.json", _alpaca(6))])
    assert at.expander[1].label.startswith("alpaca_en.json · alpaca")  # its own detected format
    assert len(at.chat_message) >= 2  # a real preview: the first record as the chat it becomes
    boxes = [s for s in at.selectbox if s.label.startswith("Table column")]
    assert [b.value for b in boxes] == ["", ""] and all(b.disabled for b in boxes)
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert [m.value for m in at.metric][:2] == ["6", "0"]  # all imported, none quarantined as "empty content"
    from curation.store import SampleFilter
    prompts = [s["messages"][0]["content"] for s in get_store().samples.list(SampleFilter(dataset="alpaca_en"))]
    assert len(prompts) == 6 and all(p.startswith("Translate sentence") for p in prompts)  # instruction kept


def test_import_page_settings_do_not_stick_to_the_next_upload(demo_app_env):
    at = _import_at([("alpaca_en.json", _alpaca(2))])
    next(s for s in at.selectbox if s.label == "Format").select("messages")
    next(b for b in at.button if b.label == "Validate").click().run()  # a form's values apply on submit
    assert next(s for s in at.selectbox if s.label == "Format").value == "messages"
    csv = b"question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\n"
    at.file_uploader[0].set_value([("qa.csv", csv, "text/csv")])
    _ok(at.run())
    assert next(s for s in at.selectbox if s.label == "Format").value == "auto"
    assert at.expander[1].label.startswith("qa.csv · table")
    assert any("question → user" in c.value for c in at.caption)  # the columns the import will use


def test_import_page_shows_each_file_and_names_its_own_controls(demo_app_env):
    bad_table = b"foo,bar\nx,y\n"
    at = _import_at([("alpaca_en.json", _alpaca(2)), ("odd.csv", bad_table)])
    labels = [e.label for e in at.expander[1:]]
    assert labels[0].startswith("alpaca_en.json · alpaca") and labels[1].startswith("odd.csv · table")
    next(b for b in at.button if b.label == "Validate").click().run()
    _ok(at)
    shown = [e.value for e in at.error] + [i.value for i in at.info]
    table = at.dataframe[0].value if at.dataframe else None
    reasons = list(table["reason"]) if table is not None and "reason" in table else []
    assert any("user / assistant" in r for r in reasons), reasons
    assert not any("--" in t for t in shown + reasons)  # no CLI flag on a page that has none


def test_import_notice_for_the_whole_import_names_the_files(demo_app_env):
    recs = [{"task_type": "qa/refuse", "messages": [{"role": "user", "content": f"Tell me a joke number {i}"},
            {"role": "assistant", "content": "I'm sorry, but as an AI language model I cannot help with that."}]}
            for i in range(3)]
    at = _import_at([("refusals.jsonl", "\n".join(json.dumps(r) for r in recs).encode())])
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    flagged = [i.value for i in at.info if "pre" in i.value and "flagged" in i.value]
    assert flagged and all(v.replace("\\", "").startswith("refusals.jsonl: ") for v in flagged)
    assert not any(i.value.startswith("None") for i in at.info)


def test_export_page_writes_an_export(demo_app_env, tmp_path):
    at = _ok(_page("export.py"))
    folder = [t for t in at.text_input if t.label.startswith("Folder")][0]
    folder.input("exports/test-export").run()
    at.button[0].click().run()
    _ok(at)
    assert at.success and "Wrote" in at.success[0].value
    manifest = json.loads((demo_app_env.parent / "exports" / "test-export" / "manifest.json").read_text())
    assert manifest["total"]["train"] > 0 and manifest["total"]["eval"] > 0


def test_export_page_refuses_paths_outside_the_workspace(demo_app_env):
    at = _page("export.py")
    [t for t in at.text_input if t.label.startswith("Folder")][0].input("../../etc/evil").run()
    at.button[0].click().run()
    assert at.error and "outside the workspace" in at.error[0].value


def test_export_page_keeps_a_typed_folder_across_reruns(demo_app_env):
    import time
    at = _ok(_page("export.py"))
    [t for t in at.text_input if t.label.startswith("Folder")][0].input("exports/mine").run()
    time.sleep(1.1)  # the suggested folder has a timestamp: a new second must not reset what was typed
    at.run()
    assert [t for t in at.text_input if t.label.startswith("Folder")][0].value == "exports/mine"


def test_every_option_a_library_message_names_has_a_page_control():
    """Pages show library messages through for_page: no CLI flag may reach a page that has no such flag."""
    import io
    import re
    import tokenize

    from curation.errors import for_page
    left = {}
    for path in sorted((ROOT / "curation").rglob("*.py")) + sorted((ROOT / "training").rglob("*.py")):
        skip = ("diversity_report.py", "__main__.py", "outputs.py")
        if "cli" in path.stem or "cli" in path.parent.name or path.name in skip:
            # the CLI's own messages; the HTML report names the CLI and the page side by side; outputs.py checks
            # the files CLI commands write (--out, --force) and the --db path, before any page exists
            continue
        prev = tokenize.NEWLINE
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.STRING and prev not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.NL):
                text = for_page(tok.string)
                for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]+", text):
                    left.setdefault(flag, f"{path.name}:{tok.start[0]}")
            if tok.type not in (tokenize.COMMENT, tokenize.NL):
                prev = tok.type
    # training/ runs its jobs as subprocesses with real flags: those strings are commands, not messages; --set
    # only parses the CLI's key=value strings (pages pass a dict); --no-deps / --force-reinstall are pip's, in the
    # shell command a missing-package message quotes (the same on a page: the fix is run in a shell); so is
    # Ray's `ray start --head`, which a dead-cluster message quotes
    commands = {"--standalone", "--nproc", "--set", "--no-deps", "--force-reinstall", "--head"}
    assert {f: w for f, w in left.items() if f not in commands} == {}


def test_overview_task_type_chart_has_a_colour_per_l1_and_no_legend_to_cut(demo_app_env):
    at = _ok(_page("overview.py"))
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    colours = {tr["name"]: tr["marker"]["color"] for tr in spec["data"]}
    assert len(colours) > 10  # more L1s than Plotly's default 10-colour sequence
    assert len(set(colours.values())) == len(colours)  # no two L1s share a colour
    assert spec["layout"]["showlegend"] is False


def test_app_settings_idle_quietly_on_this_machine_only_with_one_width_idiom():
    """The shipped Streamlit config binds 127.0.0.1 and watches no files (a watcher over the .venv in the project
    kept a core busy while the app idled); every page sizes elements with the current `width=` API."""
    import tomllib
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["address"] == "127.0.0.1" and cfg["server"]["fileWatcherType"] == "none"
    assert '--server.address "${ADDRESS:-127.0.0.1}"' in (ROOT / "run.sh").read_text(encoding="utf-8")
    sources = {p.name: p.read_text(encoding="utf-8") for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]}
    assert [n for n, src in sources.items() if "use_container_width" in src] == []
    assert "expanded=True" in sources["app.py"]  # every section's pages in the sidebar, no "View N more"


def test_metadata_from_files_is_shown_as_text_never_markup(app_env, tmp_path):
    """Ids, task_types and quarantine reasons come from imported files: an image in them must not load."""
    from curation.ingest import IngestSettings, ingest
    from pages._common import get_store
    from tests.helpers import write_jsonl
    pixel = "![t](http://evil.example/p.png)"
    store = get_store()
    rec = {"id": f"id-{pixel}", "task_type": "code/generation", "messages": [
        {"role": "user", "content": "plain question about trackers"}, {"role": "assistant", "content": "ok"}]}
    ingest(store, [write_jsonl(tmp_path / "m.jsonl", [rec])], IngestSettings(dataset="meta"))
    at = _page("browse.py")
    at.text_input(key="browse_q").input("plain question about trackers").run()
    _ok(at)
    head = at.subheader[0].value
    assert "![" not in head and head.replace("\\", "") == f"Sample id-{pixel}"
    iid = store.ingests.list()[0]["id"]
    store.quarantine.add(iid, [("m.jsonl", 9, f"bad record {pixel}", "{}")])
    at = _ok(_page("quarantine.py"))
    mine = next(i for i, r in enumerate(store.quarantine.list(None)) if pixel in r["reason"])
    next(s for s in at.selectbox if s.label == "Inspect record").set_value(mine).run()
    _ok(at)
    assert [e.value.replace("\\", "") for e in at.error] == [f"bad record {pixel}"]
    assert all("![" not in e.value for e in at.error)


def test_export_into_a_used_folder_names_the_page_control(app_env):
    at = _ok(_page("export.py"))
    [t for t in at.text_input if t.label.startswith("Folder")][0].input("exports/twice").run()
    at.button[0].click().run()
    at.button[0].click().run()
    assert at.error and "--" not in at.error[0].value
    assert "Overwrite a non-empty folder" in at.error[0].value.replace("\\", "")
    at.checkbox(key="export_overwrite").check().run()
    at.button[0].click().run()
    _ok(at)
    assert at.success and "Wrote" in at.success[0].value


@pytest.mark.parametrize("script", ["app.py", "pages/browse.py"])
def test_app_on_a_store_path_that_is_not_a_duckdb_file_stops_with_one_error(app_env, tmp_path, monkeypatch, script):
    """Issue 15.2 in the app: CURATION_DB naming a JSONL file is refused (DuckDB would open it as a throwaway view),
    with one error naming CURATION_DB, not --db, and the file is left as it was."""
    data = tmp_path / "records.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n')
    before = data.read_bytes()
    monkeypatch.setenv("CURATION_DB", str(data))
    at = _ok(AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT).run())
    assert len(at.error) == 1
    text = at.error[0].value.replace("\\", "")
    assert "CURATION_DB" in text and "not a DuckDB store file" in text and "--db" not in text
    assert data.read_bytes() == before and not (tmp_path / "records.jsonl.wal").exists()


def test_the_app_finishes_post_import_checks_a_crash_left_pending(app_env, tmp_path, monkeypatch):
    """Issue 15.12 in the app: checks marked pending on an import are run when the app opens the store."""
    from pages._common import get_store
    from tests.helpers import crash_post_import_checks
    crash_post_import_checks(app_env, tmp_path, monkeypatch)
    store = get_store()
    assert store.ingests.checks_pending() == [] and sum(n for _, n in store.flags.counts()) >= 20


def test_browse_shows_imported_reasoning_collapsed_as_text(app_env, tmp_path):
    """Issue 15 (content parts): reasoning parts are kept apart from the content at import and shown in Browse,
    under a collapsed "Reasoning" expander, as markdown whose HTML stays text."""
    from curation.ingest import IngestSettings, ingest
    from pages._common import get_store
    from tests.helpers import write_jsonl
    rec = {"messages": [{"role": "user", "content": [{"type": "text", "value": "what is 2+2, reasoning shown"}]},
                        {"role": "assistant", "content": [{"type": "reasoning", "value": "add <i>two</i> and two"},
                                                          {"type": "text", "value": "4"}]}]}
    store = get_store()
    ingest(store, [write_jsonl(tmp_path / "parts.jsonl", [rec])], IngestSettings(dataset="parts"))
    at = _page("browse.py")
    at.multiselect(key="browse_ds").set_value(["parts"]).run()
    _ok(at)
    [box] = [e for e in at.expander if e.label == "Reasoning"]
    assert not box.proto.expanded
    assert [m.value for m in box.markdown] == ["add \\<i>two\\</i> and two"]
    assert not any(m.proto.allow_html for m in at.markdown)
    assert any(m.value == "4" for m in at.markdown)
