"""The Compare page's "Did curation help?" section: start a raw-vs-curated A/B, follow it, read its result."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.store import SampleFilter
from pages._common import base_model_input
from training import ab
from training.pipeline import PipelineSettings

STATE_ICONS = {"pending": "⏳", "running": "🔄", "done": "✅", "failed": "❌", "skipped": "⏭️"}


def ab_section(store, ws: Path) -> None:
    """Render the section: the form, the latest A/B's progress, and its report when both runs are done."""
    with st.container(border=True):
        st.subheader("Did curation help? Raw vs curated A/B")
        st.caption("Trains two runs with the same base model, seed, settings and eval set: one on the data as "
                   "imported (revision 0, rejected and duplicates included) and one on the curated data. The "
                   "report pairs their answers item by item: curated − raw per task_type with a 95% CI.")
        c = st.columns(4)
        datasets = c[0].multiselect("Datasets (empty = all)", store.samples.datasets(), key="ab_ds")
        base_model = base_model_input(c[1], "ab_base")
        eval_share = c[2].number_input("Eval share per task_type", 0.05, 0.5, 0.2, 0.05, key="ab_eval")
        max_steps = c[3].number_input("Max steps (0 = all epochs)", 0, 100_000, 0, 10, key="ab_steps")
        if st.button("Train raw & curated", key="ab_start"):
            s = PipelineSettings(base_model=base_model.strip() or "tiny", eval_fraction=float(eval_share),
                                 overrides={"max_steps": int(max_steps)} if max_steps else {})
            try:
                with st.spinner("Writing both selections…"):
                    st.session_state["ab_dir"] = str(ab.start_ab(store, ws, SampleFilter(dataset=datasets or None),
                                                                 s))
            except UserError as e:
                st.error(f"Not started: {e}")
        found = ab.list_abs(ws)
        current = st.session_state.get("ab_dir") or (found[0]["ab_dir"] if found else None)
        if current:
            running = ab.ab_status(current)["state"] == "running"
            st.fragment(run_every=2 if running else None)(_show)(current)


def _show(adir: str) -> None:
    try:
        status = ab.ab_status(adir)
    except UserError as e:
        st.error(str(e))
        return
    st.caption(f"A/B `{Path(adir).name}` · {status['state']} · eval set: {status['eval']['source']}, "
               f"{len(status['eval']['ids'])} items")
    for arm, p in status["arms"].items():
        st.text(f"{arm:8s} " + "  ".join(f"{STATE_ICONS.get(x['state'], '')} {x['name']}" for x in p["stages"])
                + (f"  · {next(x['message'] for x in p['stages'] if x['name'] == p['stage'])}"
                   if p.get("stage") and p["state"] in ("queued", "running") else ""))
    if status["state"] == "failed":
        st.error(f"Failed: {status['error']}")
    elif status["state"] == "running" and st.button("Cancel A/B", key="ab_cancel"):
        ab.cancel_ab(adir)
        st.rerun()
    if status["state"] == "succeeded":
        _report(adir)


def _report(adir: str) -> None:
    report = ab.ab_report(adir)
    ch, counts = report["changes"], report["counts"]
    st.write(f"Raw trains on **{counts['raw']['total']:,}** samples, curated on **{counts['curated']['total']:,}**; "
             f"both are scored on the same **{report['eval']['paired']}** eval items. Curation removed "
             f"{ch['removed']:,} ({', '.join(f'{n} {k}' for k, n in ch['removed_by_status'].items()) or 'none'}), "
             f"edited {ch['edited']:,} and relabelled {ch['relabelled']:,} samples.")
    st.dataframe(frame([{
        "task_type": r["task_type"], "metric": r["metric"], "base": _r(r["base"]), "raw": _r(r["raw"]),
        "curated": _r(r["curated"]), "curated − raw": _r(r["delta"]),
        "95% CI": "" if r["ci_low"] is None else f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]", "n": r["n"],
        "verdict": r["verdict"]} for r in report["rows"]]), hide_index=True, width="stretch")
    types = sorted({r["task_type"] for r in report["rows"]} - {ab.OVERALL})
    pick = st.selectbox("Answers side by side", ["(all)"] + types, key="ab_type")
    items = ab.ab_side_by_side(adir, None if pick == "(all)" else pick, limit=20)
    st.dataframe(frame([{"prompt": i["prompt"], "reference": i["reference"], "raw": i["raw_output"],
                         "curated": i["curated_output"], "raw score": _r(i["raw"]),
                         "curated score": _r(i["curated"])} for i in items]),
                 hide_index=True, width="stretch")


def _r(x):
    return None if x is None else round(x, 3)
