"""Generate: produce data with a model behind an OpenAI-compatible endpoint (Self-Instruct aimed at a task_type's
gap, Evol-Instruct, answers, prompt rewrites), follow the run's progress, cost and results, and decide rewrite
suggestions, and run LLM-judge jobs. The Diversity page's balance table links here with the producer, the task_type and its missing
count filled in. Every produced sample is pending until a reviewer accepts it."""
import dataclasses
import os

import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.llm.progress import format_eta
from curation.producers import PRODUCERS
from curation.producers.answers import read_prompts
from curation.producers.rewrite import accept, reject
from curation.producers.runner import RunInput, produce
from curation.stats import type_gap
from curation.store import curated_filter
from pages._common import (current_user, filter_widgets, flash, get_store, md, save_upload, show_error, show_flash,
                           step_settings_form, task_type_rows)
from pages._job_progress import run_job, running_notice

store = get_store()
st.title("Generate")
st.caption("Produce prompts and answers with a model behind any OpenAI-compatible endpoint (OpenAI, DashScope, "
           "vLLM, Ollama, or `curation serve` on this machine). Produced samples are pending, tagged "
           "`generated:<method>`, deduplicated against the store before they are stored, and carry their "
           "provenance (model, endpoint, template, parents, settings, response ids) in their first revision.")
show_flash()
params = st.query_params
names = PRODUCERS.names()


def endpoint_inputs():
    """The endpoint controls; None when no base URL is given (the rule-based rewrite needs none)."""
    from curation.llm.client import EndpointSettings
    with st.expander("Endpoint", expanded=True):
        cols = st.columns(3)
        base_url = cols[0].text_input("Base URL", os.environ.get("CURATION_LLM_BASE_URL", "http://127.0.0.1:8765/v1"),
                                      key="gen_base_url", help="where /chat/completions lives (usually ends in /v1)")
        model = cols[1].text_input("Model", os.environ.get("CURATION_LLM_MODEL", "tiny"), key="gen_model",
                                   help="the model name the endpoint serves")
        key_env = cols[2].text_input("API key variable", "OPENAI_API_KEY", key="gen_key_env",
                                     help="NAME of the environment variable holding the key; the key is never stored")
        cols = st.columns(3)
        concurrency = int(cols[0].number_input("Concurrency", 1, 64, 4, key="gen_concurrency",
                                               help="requests in flight at once"))
        price_in = cols[1].number_input("Prompt price per 1M tokens", 0.0, value=0.0, key="gen_price_in")
        price_out = cols[2].number_input("Completion price per 1M tokens", 0.0, value=0.0, key="gen_price_out")
    if not base_url.strip():
        return None
    return EndpointSettings(base_url=base_url.strip(), model=model.strip(), api_key_env=key_env.strip(),
                            concurrency=concurrency, price_in_per_mtok=price_in, price_out_per_mtok=price_out)


def run_inputs(name: str) -> RunInput:
    """What the run is about: the task_type to fill (Self-Instruct) or the samples to work on, and how many."""
    if name == "self-instruct":
        types = sorted({r["task_type"] for r in task_type_rows(store) if r["task_type"] and "/" in r["task_type"]}
                       | {f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()})
        wanted = params.get("task_type")
        task_type = st.selectbox("Task type to fill", types, index=types.index(wanted) if wanted in types else None,
                                 key="gen_task_type", placeholder="Choose a task_type")
        count = None
        if task_type:
            gap = type_gap(store, task_type, curated_filter())
            missing = gap["missing"]
            st.caption(md(f"{task_type}: {gap['have']} samples, target {gap['want'] if gap['want'] is not None else 'none'}"
                          f", missing {missing if missing is not None else '—'} (rejected and duplicate samples do "
                          "not count)."))
            met = gap["want"] is not None and not missing
            if not met or st.checkbox("Produce more anyway (the target is met)", key="gen_more"):
                default = int(params.get("count") or missing or 10)
                count = int(st.number_input("New samples", 1, 10_000, max(1, default), key="gen_count",
                                            help="defaults to the missing count against the target"))
        return RunInput(task_type=task_type, count=count)
    f = filter_widgets(store, "gen_f")
    count = int(st.number_input("At most this many inputs (0 = all)", 0, 100_000, 0, key="gen_limit"))
    prompts = None
    if name == "answers":
        text = st.text_area("Prompts to answer (source = prompts): one a line", key="gen_prompts")
        upload = st.file_uploader("…or a .txt / .jsonl file of prompts", type=["txt", "jsonl"], key="gen_upload")
        prompts = [p for p in text.splitlines() if p.strip()] or None
        if upload is not None:
            prompts = (prompts or []) + read_prompts(str(save_upload(upload, "prompts")))
    return RunInput(filter=f, count=count or None, prompts=prompts)


def progress_callback():
    bar, line = st.progress(0.0, text="starting"), st.empty()

    def update(stage: str, done: int, total: int, eta) -> None:
        bar.progress(done / total if total else 1.0, text=f"{stage}: {done}/{total}")
        line.caption(f"ETA {format_eta(eta)}")
    return update


def show_report(r: dict) -> None:
    cols = st.columns(5)
    cols[0].metric("Stored", len(r.get("inserted") or []) + len(r.get("answered") or []))
    cols[1].metric("Rejected", sum(r["rejected"].values()))
    cols[2].metric("Quarantined", r["quarantined"])
    cols[3].metric("Tokens", f"{r['prompt_tokens'] + r['completion_tokens']:,}",
                   help=f"{r['cached']} replies came from the cache and cost nothing")
    cols[4].metric("Cost", f"{r['cost']:.4f}")
    if r["dry_run"]:
        st.info("Dry run: nothing was stored.")
    if r["rejected"]:
        st.caption(md("Rejected by rule: " + ", ".join(f"{k} {v}" for k, v in r["rejected"].items())))
    if r["samples"]:
        st.dataframe(frame(r["samples"]), hide_index=True, width="stretch")
    if r["rejections"]:
        with st.expander(f"Rejections ({len(r['rejections'])})"):
            st.dataframe(frame(r["rejections"]), hide_index=True, width="stretch")


# ---------------------------------------------------------------- produce
st.subheader("Produce")
running_notice(store, "generation")
first = params.get("producer")
name = st.selectbox("Producer", names, index=names.index(first) if first in names else 0, key="gen_producer",
                    help="; ".join(f"{n}: {(PRODUCERS[n].__doc__ or '').strip().splitlines()[0]}" for n in names))
endpoint = endpoint_inputs()
try:
    run = run_inputs(name)
except UserError as e:
    show_error(e)
    st.stop()
settings = step_settings_form(PRODUCERS, [name], "gen_set")[name]
go, dry = st.columns(2)
clicked = go.button("Run", key="gen_run", type="primary")
dry_run = dry.checkbox("Dry run (store nothing)", key="gen_dry")
if clicked:
    try:
        if dry_run:  # a report, not a change: runs here
            report = produce(store, name, endpoint, settings, run, author=current_user(), dry_run=True,
                             on_progress=progress_callback())
        else:  # a durable job: a reload or a killed app loses no paid response (Jobs page: resume)
            report = run_job(store, "generation", {"producer": name, "endpoint": endpoint, "settings": settings,
                                                   "run": run})
    except UserError as e:
        show_error(e)
    else:
        st.session_state["gen_report"] = report
        flash(f"{name}: stored {len(report.get('inserted') or []) + len(report.get('answered') or [])}, rejected "
              f"{sum(report['rejected'].values())}, {len(report['suggestions'])} rewrite suggestion(s), cost "
              f"{report['cost']:.4f}.")
        st.rerun()
if st.session_state.get("gen_report"):
    show_report(st.session_state["gen_report"])

# ---------------------------------------------------------------- judge
st.subheader("Judge")
with st.expander("Score samples with an LLM judge (accuracy, completeness, conciseness, consistency, difficulty)"):
    st.caption("Scores are stored as reviews by `judge:<model>`, apart from human reviews; the Agreement page "
               "calibrates the judge against the reviewers per task_type. Uses the endpoint above.")
    jf = filter_widgets(store, "gen_jf")
    cols = st.columns(3)
    jlimit = int(cols[0].number_input("At most this many samples", 1, 100_000, 50, key="gen_jlimit"))
    rubric = cols[1].selectbox("Rubric language", ["auto", "zh", "en"], key="gen_jrubric",
                               help="auto: the Chinese rubric for Chinese and mixed samples")
    rejudge = cols[2].checkbox("Judge again samples already scored", key="gen_jrejudge")
    if st.button("Run judge", key="gen_judge"):
        from curation.judge import JudgeSettings
        try:
            if endpoint is None:
                raise UserError("the judge needs a model: pass --base-url and --model")
            judge = JudgeSettings(rubric_language=rubric, rejudge=rejudge)
            jr = run_job(store, "judging", {"endpoint": endpoint, "judge": judge,
                                            "filter": dataclasses.replace(jf, limit=jlimit).to_dict()})
        except UserError as e:
            show_error(e)
        else:
            flash(f"{jr['judge']}: judged {jr['judged']}, {jr['already_judged']} already scored, {jr['n_failed']} "
                  f"failed, cost {jr['cost']:.4f}.", "warning" if jr["n_failed"] else "success")
            st.session_state["gen_judge_failed"] = jr["failed"][:50]
            st.rerun()
    if st.session_state.get("gen_judge_failed"):
        st.dataframe(frame(st.session_state["gen_judge_failed"]), hide_index=True, width="stretch")

# ---------------------------------------------------------------- suggestions
open_suggestions = store.generation.suggestions("open", limit=200)
st.subheader(f"Prompt rewrite suggestions ({len(open_suggestions)} open)")
if not open_suggestions:
    st.caption("None open. The rewrite producer proposes them for answers that miss a numeric length constraint "
               "of their prompt.")
for s in open_suggestions[:20]:
    with st.container(border=True):
        st.markdown(md(f"#{s['id']} · {s['sample_id']} — {s['reason']}"))
        a, b = st.columns(2)
        a.text_area("Prompt now", s["before"], disabled=True, key=f"gen_sb_{s['id']}")
        b.text_area("Suggested", s["after"], disabled=True, key=f"gen_sa_{s['id']}")
        c1, c2 = st.columns(2)
        for col, label, action in ((c1, "Accept", accept), (c2, "Reject", reject)):
            if col.button(label, key=f"gen_{label.lower()}_{s['id']}"):
                try:
                    action(store, s["id"], current_user())
                except UserError as e:
                    show_error(e)
                else:
                    flash(f"Suggestion #{s['id']} {label.lower()}ed.")
                    st.rerun()

# ---------------------------------------------------------------- runs and jobs
st.subheader("Runs")
runs = store.generation.runs.list(50)
if not runs:
    st.caption("No production run yet.")
else:
    st.dataframe(frame([{k: r[k] for k in ("id", "created_at", "author", "producer", "model", "endpoint", "n_requests",
                                           "n_inserted", "n_rejected", "prompt_tokens", "completion_tokens", "cost")}
                        for r in runs]), hide_index=True, width="stretch")
    pick = st.selectbox("Rejections of run", [r["id"] for r in runs], key="gen_run_pick")
    counts = store.generation.rejection_counts(pick)
    if counts:
        st.caption(md("By rule: " + ", ".join(f"{k} {v}" for k, v in counts.items())))
        rows = store.generation.rejections(pick, limit=200)
        st.dataframe(frame([{k: r[k] for k in ("rule", "reason", "text", "parent_ids")} for r in rows]),
                     hide_index=True, width="stretch")
    else:
        st.caption("This run rejected nothing.")

st.subheader("LLM jobs")
st.caption("Every batch of requests the producers (and the judge) sent, with its progress, tokens and cost. A job "
           "killed halfway resumes from the response cache when its run is started again.")
jobs = store.llm.jobs.list(50)
if jobs:
    st.dataframe(frame([{k: j.get(k) for k in ("id", "created_at", "kind", "model", "status", "n_requests", "n_done",
                                               "n_cached", "n_failed", "prompt_tokens", "completion_tokens", "cost")}
                        for j in jobs]), hide_index=True, width="stretch")
else:
    st.caption("No LLM job yet.")
