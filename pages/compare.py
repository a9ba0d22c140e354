"""Compare: base vs tuned per task_type with honest CIs, several runs side by side, item-by-item outputs,
regressions sent back to review, and the one-click Train & compare chain.

Model outputs and prompts are data: they are shown with st.code / st.text, never as HTML.
"""
import dataclasses
from pathlib import Path

import altair as alt
import polars
import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.store import curated_filter
from pages._ab import ab_section
from pages._job_progress import record_job
from pages._common import (base_model_input, current_user, get_store, just_finished, md, save_upload, show_error,
                           workspace)
from training import compare as cmp
from training import pipeline as pl
from training.jobs import list_runs
from training.metrics import METRICS, metric_overrides, metrics_for

STAGE_ICONS = {"pending": "⚪", "running": "⏳", "done": "✅", "failed": "❌", "skipped": "⏭️"}
VERDICT_ICONS = {"better": "🟢 better", "worse": "🔴 worse", "no significant change": "⚪ no significant change",
                 "too few items": "… too few items", "not evaluated": "not evaluated",
                 "degenerate": "⛔ degenerate"}
PAGE_SIZE = 10
METRIC_OPTIONS = [None, *METRICS]  # None = the task_type's default

store = get_store()
ws = workspace()
runs_dir = ws / "runs"
st.title("Compare")
st.caption("The base model and base + adapter answer the same eval items with the same greedy decoding. Deltas "
           "are paired per item with a bootstrap 95% CI; a CI that contains 0 is shown as no significant change. "
           "Eval items that duplicate a training sample are excluded and counted.")


def metric_choices(types: list[str], key: str) -> dict:
    """One metric choice per task_type (and one for every other type), as EvalSettings.metrics."""
    def default_label(t):
        return lambda m: m or f"default ({' + '.join(metrics_for(t))})"

    st.caption("Every item is scored with each metric of its task_type; the overall row uses the first. "
               "exact_match compares the final number, rouge_l and char_f1 compare the text; exact_text, "
               "contains_expected and label_accuracy count right answers (short fixed answers default to them).")
    cols = st.columns(3)
    per_type = {t: cols[k % 3].selectbox(t, METRIC_OPTIONS, format_func=default_label(t), key=f"{key}:{t}")
                for k, t in enumerate(types)}
    other = st.selectbox("Every other task_type (benchmark and general sets)", METRIC_OPTIONS,
                         format_func=lambda m: m or "default per task_type", key=f"{key}:*")
    return metric_overrides(per_type, other)


def general_set(path_text: str, upload) -> str:
    """The general-ability file to use: an upload (kept in the workspace) or a path inside the workspace."""
    if upload is not None and path_text.strip():
        raise pl.SettingsError("give the general-ability set as a path or as an upload, not both")
    if upload is not None:
        return str(save_upload(upload, "benchmarks"))
    return str(pl.resolve_workspace_file(ws, path_text)) if path_text.strip() else ""


# ---------------------------------------------------------------- one click
def show_pipeline(pdir: str) -> None:
    """Stage-by-stage progress of one pipeline; a failure is shown at the stage where it happened."""
    try:
        status = pl.pipeline_status(pdir)
    except UserError as e:
        show_error(e)
        return
    if just_finished(pdir, status["state"], pl.ACTIVE):
        st.rerun()  # the whole page: the comparison below now has the evaluation this pipeline wrote
    st.caption(f"Pipeline `{Path(pdir).name}` · {status['state']}")
    for stage in status["stages"]:
        line = f"{STAGE_ICONS.get(stage['state'], '')} **{stage['name']}**"
        st.markdown(line)
        if stage["message"]:
            st.text(stage["message"])
        if stage["state"] == "running" and stage.get("fraction") is not None:
            st.progress(min(1.0, max(0.0, float(stage["fraction"]))))
    if status["state"] == "failed":
        st.error(f"Failed at stage {status.get('failed_stage') or '?'}: {status.get('error')}")
    elif status["state"] == "succeeded" and status.get("run_dir"):
        st.success(f"Done: run {Path(status['run_dir']).name} is selected below.")
    if status["state"] in pl.ACTIVE and st.button("Cancel pipeline", key="cancel_pipeline"):
        pl.cancel_pipeline(pdir)
        st.rerun()


with st.container(border=True):
    st.subheader("Train & compare")
    n_curated = store.samples.count(curated_filter())
    st.caption(f"One click: export the {n_curated:,} curated samples (with manifest) → audit → train a LoRA "
               f"adapter → evaluate base and tuned → open the comparison. It runs in the background; closing "
               f"the browser does not stop it.")
    c = st.columns(4)
    base_model = base_model_input(c[0], "oc_base_model")
    eval_share = c[1].number_input("Eval share per task_type", 0.05, 0.5, 0.1, 0.05)
    max_steps = c[2].number_input("Max steps (0 = auto-sized)", 0, 100_000, 0, 10,
                                  help="auto: all epochs, but a preset on the CPU is capped to a few minutes")
    max_items = c[3].number_input("Eval items per task_type", 0, 10_000, 100, 10, help="0 = all")
    with st.expander("Forgetting check and metrics (optional)"):
        c = st.columns(2)
        general_path = c[0].text_input(
            "General-ability set: a file inside the workspace", key="oc_general_path",
            help=f"Path relative to {ws} (or absolute, inside it). Messages JSONL, or question/answer JSONL; "
                 f"scored before and after training, a drop beyond its CI is flagged as forgetting.")
        general_upload = c[1].file_uploader("…or upload it", type=["jsonl", "json"], key="oc_general_upload")
        oc_metrics = metric_choices(pl.selection_task_types(store), "oc_metric")
    if st.button("Train & compare", type="primary", disabled=n_curated == 0):
        settings = pl.PipelineSettings(base_model=base_model or "tiny", eval_fraction=float(eval_share),
                                       overrides={"max_steps": int(max_steps)} if max_steps else {})
        settings.eval.max_items_per_type = int(max_items)
        settings.eval.metrics = oc_metrics
        try:
            settings.eval.general_file = general_set(general_path, general_upload)
            with st.spinner("Stage export: writing the curated selection and its manifest…"):
                st.session_state["pipeline"] = str(pl.start_pipeline(store, ws, settings=settings))
        except pl.SettingsError as e:
            show_error(e, "Not started: ")
        except UserError as e:
            show_error(e, "Failed at stage export: ")
    pipelines = pl.list_pipelines(ws)
    current = st.session_state.get("pipeline") or (pipelines[0]["pipeline_dir"] if pipelines else None)
    if current:
        active = pl.pipeline_status(current)["state"] in pl.ACTIVE
        st.fragment(run_every=2 if active else None)(show_pipeline)(current)


ab_section(store, ws)

# ---------------------------------------------------------------- which runs
runs = list_runs(runs_dir)
if not runs:
    st.info(f"No training runs in {runs_dir} yet. Use Train & compare above, or the Train page.")
    st.stop()
by_dir = {r["run_dir"]: r for r in runs}
finished_pipeline = [p for p in pl.list_pipelines(ws) if p.get("run_dir") in by_dir and p["state"] == "succeeded"]
default = [finished_pipeline[0]["run_dir"]] if finished_pipeline else [runs[0]["run_dir"]]
chosen = st.multiselect("Runs", list(by_dir), default=default, format_func=lambda d: by_dir[d]["name"],
                        help="Several runs side by side, e.g. trained on 3k vs 10k samples, or curated vs raw")
if not chosen:
    st.stop()
comparison = cmp.compare_runs(chosen)
def overlap_warnings(run_dir: str, settings=None, benchmarks=(), include_eval_split: bool = True) -> list[str]:
    """Why the sets to evaluate overlap the run's training data (found before any model is loaded)."""
    from training.evaluate import overlap_preview
    try:
        return [p["warning"] for p in overlap_preview(run_dir, settings, benchmarks, include_eval_split)
                if p["warning"]]
    except UserError as e:
        return [str(e)]


@st.cache_data(ttl=120, show_spinner=False)
def eval_split_overlap(run_dir: str) -> list[str]:
    return overlap_warnings(run_dir)


for run in comparison["runs"]:
    if not run["evaluated"]:
        c = st.columns([4, 1])
        c[0].info(f"Run {run['name']} ({run['state']}) has no evaluation yet.")
        if run["state"] == "succeeded":
            for w in eval_split_overlap(run["run_dir"]):
                c[0].warning(f"Before evaluating {run['name']}: {w}")
        if run["state"] == "succeeded" and c[1].button("Evaluate", key=f"eval_{run['name']}"):
            pdir = pl.start_evaluation(run["run_dir"], ws)
            st.session_state["pipeline"] = str(pdir)
            record_job(store, "evaluation", {"run_dir": run["run_dir"], "workspace": str(ws), "folder": str(pdir)})
            st.rerun()

evaluated = [r for r in comparison["runs"] if r["evaluated"]]
if not evaluated:
    st.stop()

# ---------------------------------------------------------------- the table
st.subheader("Before / after")
info = frame([{"run": r["name"], "base model": r["base_model"], "train samples": r["train_samples"],
                      "eval samples": r["eval_samples"], "steps": r["total_steps"],
                      **{f"{s} scored": v["counts"]["scored"] for s, v in r["suites"].items()},
                      **{f"{s} excluded (contaminated)": v["counts"]["excluded"] for s, v in r["suites"].items()}}
                     for r in evaluated])
st.dataframe(info, hide_index=True, width="stretch")
for r in evaluated:
    for name, suite in r["suites"].items():
        for reason in suite.get("forgetting") or []:
            st.warning(f"Forgetting in run {r['name']} on the general set: {reason}")
for bad in cmp.degenerate_runs(comparison):
    st.error(f"Run {bad['run']} ({bad['suite']}): the tuned model's outputs are degenerate, so its scores read "
             f"\"degenerate\" instead of better/worse: {'; '.join(bad['reasons'])}. Look at the side-by-side "
             f"answers below.")
table = frame(cmp.wide_table(comparison))
table = table.with_columns(polars.col(c).cast(polars.String).replace(VERDICT_ICONS)
                           for c in table.columns if c.endswith("verdict"))
suites = table["suite"].unique(maintain_order=True).to_list()
for suite in suites:
    st.markdown(f"**{suite}**")
    st.dataframe(table.filter(polars.col("suite") == suite).drop("suite"), hide_index=True, width="stretch")
st.caption("metric: exact_match (final number), rouge_l, char_f1, score (each item's first metric, for the "
           "overall row), loss (per assistant token; lower is better). n = paired items. degenerate: share of "
           "outputs that are empty, one repeated token or looping, base → tuned (runaway: answers that hit the "
           "token limit without ending). warning: why a score may mislead; rouge_l and char_f1 reward common "
           "words, so repetitive output can raise them.")

# ---------------------------------------------------------------- charts
flat = frame(cmp.flat_table(comparison))
c1, c2 = st.columns(2)
with c1:
    st.markdown("**Loss curve**")
    curve = frame([{**p, "run": Path(d).name} for d in chosen for p in cmp.loss_curve(d)])
    if curve.is_empty():
        st.caption("No loss recorded.")
    else:
        curve = curve.with_columns(series=polars.concat_str("run", polars.lit(" · "), "kind"))
        st.altair_chart(alt.Chart(curve).mark_line(point=True).encode(
            x="step:Q", y=alt.Y("loss:Q", scale=alt.Scale(zero=False)), color="series:N",
            tooltip=["run", "kind", "step", "loss"]), width="stretch")
with c2:
    st.markdown("**Delta per task_type (95% CI)**")
    deltas = flat.filter((polars.col("metric") != "loss") & (polars.col("task_type") != "(overall)")
                         & polars.col("ci_low").cast(polars.Float64).is_not_nan()) if not flat.is_empty() else flat
    if deltas.is_empty():
        st.caption("Not enough items for intervals.")
    else:
        deltas = deltas.with_columns(label=polars.concat_str("task_type", polars.lit(" · "), "metric"))
        # labelLimit 0: whole labels; Vega's default cut long task_types to identical "reasoning/multi-st…"
        base = alt.Chart(deltas).encode(y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=0)),
                                        yOffset="run:N", color="run:N")
        st.altair_chart(base.mark_rule().encode(x=alt.X("ci_low:Q", title="tuned - base"), x2="ci_high:Q")
                        + base.mark_point(filled=True).encode(x="delta:Q", tooltip=["run", "task_type", "metric",
                                                                                     "delta", "ci_low", "ci_high",
                                                                                     "n", "verdict"])
                        + alt.Chart(polars.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q"),
                        width="stretch")

# ---------------------------------------------------------------- side by side
st.subheader("Side by side")
names = {r["run_dir"]: r["name"] for r in evaluated}
c = st.columns(4)
run_dir = c[0].selectbox("Run", list(names), format_func=names.get)
run_suites = next(r for r in evaluated if r["run_dir"] == run_dir)["suites"]
suite = c[1].selectbox("Set", list(run_suites))
all_items = cmp.side_by_side(run_dir, suite)
types = sorted({i["task_type"] or "(untyped)" for i in all_items})
task_type = c[2].selectbox("Task type", ["all"] + types)
change = c[3].radio("Change", ["all", "worse", "better", "same"], horizontal=True)
items = cmp.side_by_side(run_dir, suite, None if task_type == "all" else task_type,
                         None if change == "all" else change)
n_worse = sum(i["change"] == "worse" for i in all_items)
st.caption(f"{len(items)} items shown · {n_worse} got worse, {sum(i['change'] == 'better' for i in all_items)} "
           f"got better, {sum(i['change'] == 'same' for i in all_items)} unchanged (on each item's first metric)")
pages = max(1, -(-len(items) // PAGE_SIZE))
page = st.number_input("Page", 1, pages, 1, key="sbs_page") if pages > 1 else 1
for it in items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
    with st.container(border=True):
        m = it["metric"]
        st.markdown(f"{md(it['id'])} · {md(it['task_type'] or '(untyped)')} · {m}: "
                    f"{it['base']['scores'][m]:.3f} → {it['tuned']['scores'][m]:.3f} ({it['change']})")
        for label in ("base", "tuned"):
            flags = cmp.degeneracy_flags(it[label])
            if flags:
                st.warning(f"{label} output degenerate: {flags}")
        cols = st.columns(2)
        with cols[0]:
            st.caption("Prompt")
            st.code(it["prompt"], language=None, wrap_lines=True)
        with cols[1]:
            st.caption("Reference")
            st.code(it["reference"], language=None, wrap_lines=True)
        cols = st.columns(2)
        with cols[0]:
            st.caption("Base output")
            st.code(it["base"]["output"] or "(empty)", language=None, wrap_lines=True)
        with cols[1]:
            st.caption("Tuned output")
            st.code(it["tuned"]["output"] or "(empty)", language=None, wrap_lines=True)

# ---------------------------------------------------------------- benchmarks and forgetting
with st.expander("Score a benchmark file or check forgetting"):
    succeeded = [r for r in comparison["runs"] if r["state"] == "succeeded"]
    with st.form("benchmark_form"):
        bench_run = st.selectbox("Run", [r["run_dir"] for r in succeeded], format_func=lambda d: Path(d).name)
        bench = st.file_uploader("Benchmark (messages JSONL, or question/answer JSONL such as GSM8K's test file)",
                                 type=["jsonl", "json"])
        metric = st.selectbox("Its metric", ["per task_type", *METRICS])
        general = st.file_uploader("General-ability set (forgetting check, optional)", type=["jsonl", "json"])
        rescore = st.checkbox("Also re-score the eval split", value=False)
        st.markdown("**Metric per task_type** (eval split, general set, and benchmarks scored per task_type)")
        form_metrics = metric_choices(cmp.eval_task_types([r["run_dir"] for r in succeeded]), "form_metric")
        go = st.form_submit_button("Evaluate in the background")
    if go:
        from training.evaluate import Benchmark, EvalSettings
        try:
            if not bench_run or not (bench or general or rescore):
                raise UserError("choose a run and a benchmark file, a general set, or re-scoring the eval split")
            benchmarks = [Benchmark(str(save_upload(bench, "benchmarks")),
                                    None if metric == "per task_type" else metric)] if bench else []
            ev = EvalSettings(general_file=str(save_upload(general, "benchmarks")) if general else "",
                              metrics=form_metrics)
            for w in overlap_warnings(bench_run, ev, benchmarks, rescore):
                st.warning(w)
            pdir = pl.start_evaluation(bench_run, ws, ev, benchmarks, rescore)
            st.session_state["pipeline"] = str(pdir)
            record_job(store, "evaluation", {"run_dir": bench_run, "workspace": str(ws), "folder": str(pdir),
                                             "eval": dataclasses.asdict(ev), "include_eval_split": rescore,
                                             "benchmarks": [dataclasses.asdict(b) for b in benchmarks]})
        except UserError as e:
            show_error(e)
        else:
            st.success("Evaluation started; its progress shows under Train & compare.")

# ---------------------------------------------------------------- feedback to review
st.subheader("Feedback to review")
st.caption("Regressions are eval samples the tuned model answers worse than the base model. Sending them flags each "
           "one for review (check regression:<run>: first in a flagged-first queue, with the run, both scores and "
           "both outputs beside it) and tags it regression:<run>, so the data behind them gets a second look.")
if st.button(f"Send {n_worse} regressions to review", disabled=n_worse == 0):
    try:
        result = cmp.send_regressions_to_review(store, run_dir, current_user(), suite)
    except UserError as e:
        show_error(e)
    else:
        st.success(f"Sent {len(result['tagged'])} samples to review as `{result['tag']}`"
                   + (f"; {result['not_in_store']} items are not store samples (benchmark items)"
                      if result["not_in_store"] else "") + ". On the Review page choose Flagged by this check.")
