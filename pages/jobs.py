"""Jobs: every long operation of the store (import, dedup, embedding, robustness detection, export, training,
evaluation) with its live progress, its log, and cancel / resume.

A job runs outside the page: in the app's process on a thread of its own, or (training, evaluation) in a process
of its own. Reloading, closing the browser or leaving this page never stops one; a job the app was running when
it was killed shows as failed with the reason, and Resume continues it from its last committed chunk.
"""
from __future__ import annotations

import streamlit as st

from curation import jobs
from curation.errors import UserError
from curation.frames import frame
from pages._common import flash, get_store, md, show_error, show_flash
from pages._job_progress import ACTIVE, fraction, progress_text

store = get_store()
st.title("Jobs")
show_flash()
st.caption("Long work runs as a job: it survives reloads, closed browsers and (with a resume) a killed app. "
           "Command line, once the app is stopped: `curation jobs`, `curation jobs resume ID`.")

c = st.columns(3)
state = c[0].selectbox("State", ["(any)", *jobs.STATES], key="jobs_state")
kind = c[1].selectbox("Kind", ["(any)", *jobs.KINDS], key="jobs_kind")


@st.fragment(run_every=2)
def job_table() -> None:
    rows = jobs.list_jobs(store, None if state == "(any)" else state, None if kind == "(any)" else kind)
    if not rows:
        st.info("No jobs yet. Import, Dedup, Robustness, Export and Train start them.")
        return
    for job in [j for j in rows if j["state"] in ACTIVE]:
        st.progress(fraction(job), text=progress_text(job))
    st.dataframe(frame([{"id": j["id"], "kind": j["kind"], "state": j["state"], "done": j["done"],
                         "total": j["total"], "eta_s": None if j["eta_s"] is None else round(j["eta_s"]),
                         "author": j["author"], "created_at": j["created_at"], "attempts": j["attempts"],
                         "message": j["message"], "error": j["error"]} for j in rows]),
                 hide_index=True, width="stretch")


job_table()

ids = [j["id"] for j in jobs.list_jobs(store)]
if ids:
    job_id = c[2].selectbox("Job", ids, key="jobs_pick", format_func=lambda i: f"#{i}")
    job = jobs.show(store, job_id)
    st.subheader(md(f"Job {job['id']}: {job['kind']}, {job['state']}"))
    if job["error"]:
        (st.warning if job["resumable"] else st.error)(md(job["error"]))
    b = st.columns([1, 1, 3])
    allow = False
    if job["kind"] == "training" and job["resumable"]:
        allow = b[2].checkbox("Resume even if the export changed", key="jobs_allow_export_change")
    if b[0].button("Cancel", disabled=job["state"] not in ACTIVE, key="jobs_cancel"):
        try:
            jobs.cancel(store, job_id)
            flash(f"Asked job {job_id} to stop; its committed chunks are kept")
            st.rerun()
        except UserError as e:
            show_error(e)
    if b[1].button("Resume", disabled=not job["resumable"], type="primary", key="jobs_resume"):
        try:
            jobs.resume(store, job_id, **({"allow_export_change": True} if allow else {}))
            flash(f"Job {job_id} resumed from its last committed chunk")
            st.rerun()
        except UserError as e:
            show_error(e)
    with st.expander("Settings, checkpoint and result"):
        st.json({"settings": job["settings"], "checkpoint": job["checkpoint"], "result": job["result"]},
                expanded=1)
    st.caption("Log")
    st.code(job.get("log") or "(empty)", language=None)
