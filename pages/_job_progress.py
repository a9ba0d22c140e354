"""Page code for durable jobs (curation/jobs.py): start one, follow its progress on the page that started it, and
point at the Jobs page, where every job is listed with its log, cancel and resume.

A job runs on its own thread in the app's process: the page's script run only watches it. Leaving the page,
reloading or closing the browser stops the watching, never the job; coming back shows it again.
"""
from __future__ import annotations

import time

import streamlit as st

from curation import jobs
from curation.errors import UserError
from pages._common import current_user, md

ACTIVE = ("queued", "running")
JOBS_PAGE = "pages/jobs.py"


def fraction(job: dict) -> float:
    """The job's progress as 0..1 (0 until it knows its total)."""
    return min(1.0, (job["done"] or 0) / job["total"]) if job.get("total") else 0.0


def progress_text(job: dict) -> str:
    """`Job 7 (export) running: 4,000 of 12,000 · about 30 s left`."""
    parts = [f"Job {job['id']} ({job['kind']}) {job['state']}"]
    if job.get("total"):
        parts.append(f"{job['done'] or 0:,} of {job['total']:,}")
    elif job.get("message"):
        parts.append(str(job["message"]))
    if job.get("eta_s") is not None:
        parts.append(f"about {round(job['eta_s']):,} s left")
    return md(" · ".join(parts))


def jobs_link(job_id: int) -> None:
    """A link to the Jobs page (a caption naming it when the page runs outside the app's navigation)."""
    try:
        st.page_link(JOBS_PAGE, label=f"Job {job_id} on the Jobs page: progress, log, cancel, resume", icon="🗂️")
    except Exception:  # noqa: BLE001 (a page run on its own, as in tests, has no navigation to link into)
        st.caption(f"Job {job_id} is listed on the Jobs page, with its log, cancel and resume.")


def run_job(store, kind: str, settings: dict, poll_s: float = 0.25):
    """Start `kind` as a durable job and follow it here until it ends; returns its result. A failed or cancelled
    job raises UserError with its reason (it stays on the Jobs page, resumable)."""
    job_id = jobs.start(store, kind, settings, current_user())
    st.session_state[f"job:{kind}"] = job_id
    return follow(store, job_id, poll_s)


def follow(store, job_id: int, poll_s: float = 0.25):
    """Show a job's progress bar until it ends; returns its result (UserError when it failed or was cancelled)."""
    jobs_link(job_id)
    bar = st.progress(0.0, text=f"Job {job_id} starting…")
    while (job := jobs.show(store, job_id, log_chars=0))["state"] in ACTIVE:
        bar.progress(fraction(job), text=progress_text(job))
        time.sleep(poll_s)
    if job["state"] != "done":
        bar.empty()
        # a job that stopped before committing anything (a bad choice in the form) has nothing to resume
        tail = ". Its committed chunks are kept: resume it on the Jobs page" if job["checkpoint"] or job["done"] else ""
        ui = (job.get("result") or {}).get("error_ui")
        raise UserError(f"job {job_id} {job['state']}: {job['error']}{tail}",
                        ui=f"job {job_id} {job['state']}: {ui}{tail}" if ui else None)
    bar.progress(1.0, text=f"Job {job_id} done")
    return job["result"]


def record_job(store, kind: str, settings: dict) -> int:
    """Record a detached run this page already started (its folder in `settings`) as a job the Jobs page
    follows; returns the job id."""
    return jobs.start(store, kind, settings, current_user())


def running_notice(store, kind: str) -> None:
    """Above a page's form: the jobs of `kind` still running (started before a reload, or by someone else), each
    with its progress and the link to the Jobs page."""
    for job in jobs.list_jobs(store, kind_name=kind, limit=20):
        if job["state"] in ACTIVE:
            st.progress(fraction(job), text=progress_text(job))
            jobs_link(job["id"])


def start_background(store, kind: str, settings: dict) -> int:
    """Start `kind` as a job in the background (or find the same one running, or resume it when it stopped);
    the page follows it with `watch` and stays usable meanwhile."""
    return jobs.start_or_find(store, kind, settings, current_user())


def watch(store, job_ids: list, epoch_key: str) -> None:
    """Without blocking the page: the progress of these jobs while any runs (refreshed every 2 s, each with its
    link to the Jobs page). Once they have ended, `st.session_state[epoch_key]` is bumped (so cached results
    are read again) and the page reruns; a job that failed or was cancelled shows its reason."""
    rows = []
    for job_id in dict.fromkeys(i for i in job_ids if i is not None):
        try:
            rows.append(jobs.show(store, job_id, log_chars=0))
        except UserError:  # a job of another store (the store was switched): nothing to follow
            continue
    if any(j["state"] in ACTIVE for j in rows):
        _watching(store, [j["id"] for j in rows])
        return
    seen = st.session_state.setdefault("jobs_watched_ended", set())
    ended = [j for j in rows if j["id"] not in seen]
    if ended:
        seen.update(j["id"] for j in ended)
        st.session_state[epoch_key] = st.session_state.get(epoch_key, 0) + 1
        st.session_state[f"{epoch_key}_errors"] = [
            f"Job {j['id']} ({j['kind']}) {j['state']}: {j['error']}. Its finished chunks are kept: resume it on "
            "the Jobs page, or start it again here" for j in ended if j["state"] != "done"]
        st.rerun()
    for text in st.session_state.pop(f"{epoch_key}_errors", []):
        st.error(md(text))


@st.fragment(run_every=2)
def _watching(store, job_ids: list) -> None:
    running = [j for j in (jobs.show(store, i, log_chars=0) for i in job_ids) if j["state"] in ACTIVE]
    if not running:
        st.rerun()
    for job in running:
        st.progress(fraction(job), text=progress_text(job))
        jobs_link(job["id"])
