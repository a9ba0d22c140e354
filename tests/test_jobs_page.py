"""The Jobs page: a job the app was running when it was killed shows as failed with its reason after a restart,
and Resume finishes it; pages that start jobs link there."""
from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from curation.store import Store
from tests.helpers import ROOT, tiny_records, write_jsonl

TIMEOUT = 60


def test_a_job_of_a_killed_app_is_failed_with_a_reason_and_resumes_from_the_page(app_env, tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", tiny_records())
    with Store(app_env) as s:  # what a killed app leaves: a running job whose process is gone
        job_id = s.jobs.add("import", {"paths": [str(data)], "ingest": {"dataset": "killed"}}, "lead",
                            log_path=str(tmp_path / "job.log"))
        s.jobs.update(job_id, state="running", pid=2**22 + 7, done=0)
    at = AppTest.from_file(str(ROOT / "pages" / "jobs.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("stopped" in w.value and "killed or crashed" in w.value for w in at.warning)
    assert states(at)[job_id] == "failed"
    at.button(key="jobs_resume").click().run()
    assert not at.exception, [e.message for e in at.exception]
    end = time.time() + 30
    while time.time() < end:
        if states(at.run())[job_id] == "done":
            break
        time.sleep(0.2)
    assert states(at)[job_id] == "done"
    assert "attempt 1 started" in at.code[0].value and at.button(key="jobs_resume").disabled


def states(at) -> dict:
    """Job id -> state, as the Jobs page's table shows them."""
    return {r["id"]: r["state"] for r in at.dataframe[0].value.to_dict("records")}


def test_the_export_page_runs_its_export_as_a_job(demo_app_env):
    at = AppTest.from_file(str(ROOT / "pages" / "export.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "tester"
    at.run()
    at.text_input(key="export_folder").input("exports/as-a-job").run()
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Wrote" in s.value for s in at.success)
    assert any("Jobs page" in c.value for c in at.caption)
    with _store(demo_app_env) as s:
        (job,) = s.jobs.list(kind="export")
    assert job["state"] == "done" and job["author"] == "tester" and job["result"]["total"]["train"] > 0


def _store(path):
    from pages._common import _open_store

    class Shared:  # the app's own connection (this process holds the store file)
        def __enter__(self):
            return _open_store(str(path))

        def __exit__(self, *exc):
            return False
    return Shared()
