"""Train: audit an export, launch a LoRA run in the background, watch it live, cancel, resume, read its log, and
chat with the base model, a run's adapter or a checkpoint (the effect test)."""
import dataclasses
import json
from datetime import datetime
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

import training
from curation.errors import UserError
from curation.text import markdown_literal
from curation.frames import frame
from curation.jobs import start as start_job
from pages._common import base_model_input, current_user, get_store, just_finished, md, safe_path, show_error
from pages._job_progress import jobs_link, run_job
from training import jobs
from training.config import default_settings, setting_choices, setting_reasons
from training.presets import get_preset
from training.rundir import RunFolder

ACTIVE = ("queued", "running")
store = get_store()
st.title("Train")
st.caption("LoRA fine-tuning on an export. The run is a separate process: the app stays responsive, and closing "
           "the browser does not stop it. Everything shown here is read from the run folder.")


def export_picker() -> str:
    """The export folder to train on: a logged export, a typed folder, or a fresh export of the selection."""
    logged = [e["out_dir"] for e in store.exports.list() if e["format"] == "messages" and Path(e["out_dir"]).is_dir()]
    source = st.radio("Training data", ["An export folder", "Export the curated selection now"], horizontal=True,
                      key="train_source")
    if source == "Export the curated selection now":
        # fixed once per session: a default that changes every second would reset what the user typed
        suggested = st.session_state.setdefault("train_export_suggested", f"exports/{datetime.now():%Y%m%d-%H%M%S}")
        folder = st.text_input("New export folder (inside the workspace)", suggested, key="train_new_export")
        if st.button("Export now", key="train_export_now"):
            try:
                out = safe_path(folder, "exports/latest")
                run_job(store, "export", {"out_dir": str(out)})
                manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            except (UserError, ValueError) as e:
                show_error(e)
            else:
                st.session_state["train_export"] = str(out)
                st.success(f"Exported {sum(manifest['total'].values()):,} samples to {out}")
    if "train_export" not in st.session_state:
        st.session_state["train_export"] = logged[0] if logged else ""
    return st.text_input("Export folder", key="train_export",
                         help="A messages export: train.jsonl, eval.jsonl and manifest.json" +
                              (f". Latest export: {logged[0]}" if logged else ""))


def settings_form(base_model: str) -> dict:
    """A control per setting with its reason; returns only the values changed from the defaults."""
    defaults = default_settings(base_model)
    if st.session_state.get("train_settings_for") != base_model:  # another model: show its defaults, not the old
        for key in [k for k in st.session_state if str(k).startswith("train_set_")]:
            del st.session_state[key]
        st.session_state["train_settings_for"] = base_model
    reasons, choices = setting_reasons(), setting_choices()
    changed = {}
    with st.expander("Settings (defaults follow common LoRA practice; hover for the reasons)"):
        cols = st.columns(3)
        for k, f in enumerate(dataclasses.fields(defaults)):
            value = getattr(defaults, f.name)
            col, key = cols[k % 3], f"train_set_{f.name}"
            if f.name in choices:
                new = col.selectbox(f.name, choices[f.name], index=choices[f.name].index(value), key=key,
                                    help=reasons[f.name])
            elif isinstance(value, bool):
                new = col.checkbox(f.name, value, key=key, help=reasons[f.name])
            else:
                shown = "auto" if value is None else str(value)
                new = col.text_input(f.name, shown, key=key, help=reasons[f.name])
                if new.strip() == shown:
                    continue
            if new != value:
                changed[f.name] = new
        preset = get_preset(base_model)
        if preset is not None:
            changed_here = ", ".join(f"{k}={v}" for k, v in preset.settings.items())
            st.caption(f"Preset {preset.name} ({preset.description}) sets {changed_here}.")
    return changed


def show_audit(report) -> None:
    if report.fatal:
        st.error("The audit refuses this launch:\n\n" + "\n".join(f"- {m}" for m in report.fatal))
    else:
        st.success("Audit passed: the launch can go ahead.")
    for w in report.warnings:
        st.warning(w)
    if report.plan:
        st.info(f"Plan: {report.plan['text']} on {report.plan['device']} with {report.plan['threads']} CPU "
                f"thread(s).")
    c = st.columns(5)
    c[0].metric("Train samples", f"{report.counts['train']:,}")
    c[1].metric("Eval samples", f"{report.counts['eval']:,}")
    c[2].metric("Tokens trained", f"{report.tokens['trained_share']:.0%}")
    c[3].metric("No trained token", report.counts["zero_trainable"])
    c[4].metric("Answers cut", report.counts["truncated"])
    if report.lengths:
        lens = report.lengths
        st.caption(f"Token length: median {lens['p50']}, p95 {lens['p95']}, max {lens['max']} "
                   f"(max_length {report.max_length}); {lens['over_max_share']:.1%} longer than max_length")
        hist = frame([{"up to": str(h["upto"]) if h["upto"] else f"> {report.max_length}",
                       "samples": h["count"]} for h in lens["histogram"]])
        # bins keep their numeric order (a plain bar chart sorts the labels as text: "…512, 64, > 512")
        st.altair_chart(alt.Chart(hist).mark_bar().encode(
            x=alt.X("up to:N", sort=list(hist["up to"]), title="tokens, up to"), y="samples:Q").properties(height=180),
            width="stretch")
    if report.first_sample:
        st.markdown(f"**First sample** {md(report.first_sample['id'])}: rows ticked *trained* are the tokens the loss "
                    f"falls on (assistant answers and their end-of-turn token); everything else is masked.")
        segs = frame([{"trained": s["trained"], "text": s["text"].replace("\n", "⏎ ")}
                      for s in report.first_sample["segments"]], schema={"trained": pl.Boolean, "text": pl.String})
        # polars has no Styler for st.dataframe: the ticked column marks the trained tokens instead of a row colour.
        st.dataframe(segs, hide_index=True, width="stretch", column_config={
            "trained": st.column_config.CheckboxColumn("trained", help="the loss falls on these tokens",
                                                       width="small")})


def loss_chart(rows: list[dict]) -> None:
    data = [{"step": m["step"], "loss": m["loss"], "series": "train loss"} for m in rows if m["kind"] == "train"]
    data += [{"step": m["step"], "loss": m["eval_loss"], "series": "eval loss"} for m in rows if m["kind"] == "eval"]
    if not data:
        return
    chart = alt.Chart(frame(data)).mark_line(point=True).encode(
        x="step:Q", y=alt.Y("loss:Q", scale=alt.Scale(zero=False)), color="series:N")
    st.altair_chart(chart, width="stretch")


def show_run(run_dir: str) -> None:
    """Live view of one run; refreshes itself while the run is active."""
    state = training.status(run_dir)
    if just_finished(run_dir, state["state"], ACTIVE):
        st.rerun()  # refresh the whole page once, so the fragment stops polling
    latest = state.get("latest") or {}
    total = state.get("total_steps") or latest.get("total")
    step = latest.get("step", 0)
    label = {"queued": st.info, "running": st.info, "succeeded": st.success, "failed": st.error,
             "cancelled": st.warning}[state["state"]]
    label(f"Run {Path(run_dir).name}: **{state['state']}**" + (f": {state['reason']}" if state.get("reason") else ""))
    if total:
        st.progress(min(1.0, step / total), text=f"step {step} / {total}")
    elif state["state"] in ACTIVE:
        st.caption("Preparing: loading the model and encoding the export (the very first tiny run also builds "
                   "the offline model, a few minutes on a laptop CPU). The log below shows each stage.")
    c = st.columns(6)
    c[0].metric("Step", f"{step}/{total or '?'}")
    c[1].metric("Loss", f"{latest['loss']:.4f}" if latest else "-")
    c[2].metric("Learning rate", f"{latest['lr']:.2e}" if latest else "-")
    c[3].metric("Tokens/s", f"{latest['tokens_per_s']:,.0f}" if latest else "-")
    c[4].metric("ETA", f"{latest['eta_s']:.0f} s" if latest else "-")
    c[5].metric("Memory", f"{latest['memory_mb']:,.0f} MB" if latest else "-")
    if state.get("device"):
        st.caption(f"Device: {state['device']} ({state.get('precision')})")
    loss_chart(jobs.metrics(run_dir))
    b = st.columns(3)
    if state["state"] in ACTIVE and b[0].button("Cancel run", key="train_cancel"):
        jobs.cancel(run_dir)
        st.rerun()
    allow_change = state.get("resumable") and b[2].checkbox(
        "Resume even if the export changed", key="train_resume_changed",
        help="A re-exported export has another content hash; resuming on it trains the remaining steps on "
             "different data. Both hashes are recorded in run.json.")
    if state.get("resumable") and b[1].button("Resume from the last checkpoint", key="train_resume"):
        try:
            jobs.resume(run_dir, allow_export_change=bool(allow_change))
        except UserError as e:
            show_error(e)
        else:
            st.rerun()
    show_generations(run_dir)
    with st.expander("Log"):
        st.code(jobs.log_tail(run_dir) or "(empty)", language=None)


def show_generations(run_dir: str) -> None:
    gens = jobs.generations(run_dir)
    if not gens:
        return
    st.subheader("Answers at each checkpoint")
    prompts = list(dict.fromkeys(g["sample_id"] for g in gens))
    pick = st.selectbox("Eval prompt", prompts, key="train_gen_prompt",
                        format_func=lambda i: next(g["prompt"][:80] for g in gens if g["sample_id"] == i))
    rows = [g for g in gens if g["sample_id"] == pick]
    st.markdown("**Prompt**")
    st.text(rows[0]["prompt"])
    st.markdown("**Reference answer**")
    st.text(rows[0]["reference"])
    st.dataframe(frame([{"step": g["step"], "output": g["output"]} for g in rows]), hide_index=True,
                 width="stretch")


def chat_panel(base_model: str, runs: list[dict]) -> None:
    """The effect test: talk to the base model, a run's adapter or a checkpoint, with an optional system prompt."""
    from training.serve import chat_targets, chat_with

    st.subheader("Chat (effect test)")
    targets = [""] + chat_targets([r["run_dir"] for r in runs])
    # The base model's label does not name it: a label that changes with the Base model box would not match the
    # value this box kept from the last run.
    st.caption(f"Base model: {markdown_literal(base_model)}")
    target = st.selectbox("Chat with", targets, key="train_chat_target",
                          format_func=lambda t: "the base model alone (no adapter)" if not t else
                          (f"{Path(t).parent.parent.name} / {Path(t).name}" if "checkpoints" in Path(t).parts
                           else f"{Path(t).name} (final adapter)"))
    system = st.text_area("System prompt (optional)", key="train_chat_system", height=68)
    history = st.session_state.setdefault("train_chat_history", {}).setdefault(f"{base_model}|{target}", [])
    for m in history:
        with st.chat_message(m["role"]):
            st.text(m["content"])
    cols = st.columns([4, 1])
    text = cols[0].text_area("Message", key="train_chat_text", height=68)
    max_tokens = cols[1].number_input("Max tokens", 1, 2048, 128, key="train_chat_max")
    b = st.columns(2)
    if b[0].button("Send", key="train_chat_send", type="primary"):
        turns = history + [{"role": "user", "content": text}]
        try:
            with st.spinner("Loading the model and generating…"):
                out = chat_with(None if target else base_model, target or None, turns, system.strip() or None,
                                int(max_tokens))
        except (UserError, ValueError) as e:
            show_error(e)
        else:
            history += [{"role": "user", "content": text}, {"role": "assistant", "content": out["text"]}]
            st.session_state["train_chat_last"] = (f"{out['model']}: {out['completion_tokens']} tokens, "
                                                   f"finish reason {out['finish_reason']}")
            st.rerun()
    if b[1].button("Clear the conversation", key="train_chat_clear"):
        history.clear()
        st.rerun()
    if history and st.session_state.get("train_chat_last"):
        st.caption(st.session_state["train_chat_last"])


def workspace_overrides(changed: dict) -> dict:
    """Settings that name a file follow the workspace rule: a typed path must stay inside the workspace."""
    if changed.get("general_data_file"):
        changed = {**changed, "general_data_file": str(safe_path(changed["general_data_file"], ""))}
    return changed


# ------------------------------------------------------------ page
export_dir = export_picker()
c = st.columns(2)
base_model = base_model_input(c[0], "train_base_model")
runs_text = c[1].text_input("Runs folder (inside the workspace)", "runs", key="train_runs")
overrides = settings_form(base_model)
b = st.columns(2)
if b[0].button("Audit", key="train_audit"):
    try:
        with st.spinner("Tokenizing the whole export with the base model's chat template..."):
            st.session_state["train_report"] = training.audit(safe_path(export_dir, "exports"),
                                                              base_model, workspace_overrides(overrides))
    except (UserError, ValueError) as e:
        st.session_state.pop("train_report", None)
        show_error(e)
report = st.session_state.get("train_report")
if report is not None:
    show_audit(report)
if b[1].button("Launch training", type="primary", key="train_launch"):
    try:
        with st.spinner("Auditing the export, then starting the training process..."):
            run = training.launch(safe_path(export_dir, "exports"), base_model,
                                  safe_path(runs_text, "runs"), workspace_overrides(overrides))
    except jobs.AuditRefused as e:
        st.session_state["train_report"] = e.report
        st.error("The audit refuses this launch; see the report above.")
    except (UserError, ValueError) as e:
        show_error(e)
    else:
        st.session_state["train_run"] = str(run)
        # the run's own process trains; the job row follows its folder (Jobs page: progress, cancel, resume)
        job_id = start_job(store, "training", {"export_dir": str(safe_path(export_dir, "exports")),
                                               "base_model": base_model, "out_dir": str(safe_path(runs_text, "runs")),
                                               "overrides": workspace_overrides(overrides), "folder": str(run)},
                           current_user())
        st.success(f"Launched {run}")
        jobs_link(job_id)

st.divider()
st.subheader("Runs")
try:
    runs = jobs.list_runs(safe_path(runs_text, "runs"))
except ValueError as e:
    show_error(e)
    runs = []
chat_panel(base_model, runs)
if not runs:
    st.caption("No runs yet.")
    st.stop()
names = [r["run_dir"] for r in runs]
current = st.session_state.get("train_run")
chosen = st.selectbox("Run", names, index=names.index(current) if current in names else 0,
                      format_func=lambda d: f"{Path(d).name} ({next(r['state'] for r in runs if r['run_dir'] == d)})")
active = training.status(chosen)["state"] in ACTIVE
st.fragment(run_every=2.0 if active else None)(show_run)(chosen)
if not active and training.status(chosen)["state"] == "succeeded":
    record = RunFolder(chosen).record
    if record.exists():
        with st.expander("Run record (settings, export hash, versions, device)"):
            st.code(record.read_text(encoding="utf-8"), language="json")
