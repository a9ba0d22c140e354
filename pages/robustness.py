"""Robustness: detect, confirm, tag and generate prompts that are badly written on purpose, and keep them.

Detection over a filter writes suggestions; an annotator confirms or rejects each one with the evidence
highlighted in the prompt (only confirmed tags count). Tags can be set by hand. Generation makes variants of clean
samples whose prompt is perturbed and whose answer is unchanged. Confirmed and generated robustness samples are
protected: no automatic step (dedup, checks, filters, export defaults) removes them.
"""
import plotly.graph_objects as go
import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.robustness.detectors import DETECTORS, detector_names
from curation.robustness.generation import PERTURBATIONS, GenerationSettings
from curation.robustness.highlight import excerpt, highlight_markdown
from curation.store import SampleFilter
from curation.robustness.tagging import (augment, decide_many, share_by_task_type, suggestions,
                                         tag_samples, untag_samples)
from pages._common import current_user, filter_widgets, get_store, md, show_error, step_settings_form
from pages._job_progress import run_job, running_notice

PAGE_SIZE = 20

store = get_store()
st.title("Robustness")
st.caption("Robustness data: prompts written badly on purpose (typos, cut-off sentences, Chinese mixed with English "
           "or pinyin) with exactly right answers. Detection only suggests; confirmed and generated robustness "
           "samples are protected from every automatic cleaning step.")


def _flash() -> None:
    if msg := st.session_state.pop("rb_flash", None):
        st.success(msg)


def _run(action, message) -> None:
    """Run a store action from a button; a user error is shown, success is flashed after the rerun."""
    try:
        result = action()
    except UserError as e:
        show_error(e)
        return
    st.session_state["rb_flash"] = message(result)
    st.rerun()


def share_section() -> None:
    st.subheader("Robustness share per task_type")
    target = st.number_input("Target share", 0.0, 1.0, GenerationSettings().target_share, 0.01, key="rb_target",
                             help="the share of each task_type that should be robustness data (5-10% is usual)")
    rows = share_by_task_type(store, target=target)
    if not rows:
        st.info("The store is empty.")
        return
    df = frame(rows)
    fig = go.Figure(go.Bar(x=df["share"].to_list(), y=df["task_type"].to_list(), orientation="h",
                           name="robustness share",
                           marker_color=["#d62728" if b else "#2ca02c" for b in df["below_target"]]))
    fig.add_vline(x=target, line_dash="dash", annotation_text=f"target {target:.0%}")
    fig.update_layout(height=120 + 28 * len(df), margin=dict(l=10, r=10, t=30, b=10), xaxis_tickformat=".0%")
    st.plotly_chart(fig, width="stretch", key="rb_share_chart")
    st.dataframe(df, hide_index=True, width="stretch")


def detect_section() -> None:
    running_notice(store, "robustness")
    with st.expander("Run detection", expanded=not store.robustness.suggestions(limit=1)):
        f = filter_widgets(store, "rb_det")
        kinds = st.multiselect("Detectors", detector_names(), default=detector_names(), key="rb_kinds")
        settings = step_settings_form(DETECTORS, kinds, "rb_set")
        if st.button("Detect", key="rb_detect", type="primary", disabled=not kinds):
            _run(lambda: run_job(store, "robustness", {"filter": f.to_dict(), "kinds": kinds,
                                                       "detector_settings": settings}),
                 lambda r: f"Checked {r['samples']} samples: {r['suggested']} new suggestions "
                           f"({', '.join(f'{k} {n}' for k, n in r['by_kind'].items()) or 'none'}).")


def _evidence_view(sample: dict, evidence: list[dict]) -> None:
    """Each user turn with evidence, the evidence highlighted; the text is escaped, never markup."""
    by_turn: dict[int, list[tuple[int, int]]] = {}
    for e in evidence:
        by_turn.setdefault(e["turn"], []).append((e["start"], e["end"]))
    for turn, spans in sorted(by_turn.items()):
        messages = sample["messages"]
        if turn >= len(messages):
            continue
        text, shifted = excerpt(messages[turn].get("content") or "", spans)
        st.markdown(highlight_markdown(text, shifted))


def suggestions_section() -> None:
    st.subheader("Suggestions to review")
    c = st.columns(4)
    kind = c[0].selectbox("Kind", ["all"] + detector_names(), key="rb_kind")
    dataset = c[1].selectbox("Dataset", ["all"] + store.samples.datasets(), key="rb_ds")
    min_conf = c[2].slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05, key="rb_minconf")
    rows = [r for r in suggestions(store, "open", None if kind == "all" else kind) if r["confidence"] >= min_conf]
    if dataset != "all":
        ids = {s["id"] for s in store.samples.list(SampleFilter(dataset=dataset), columns=("id",))}
        rows = [r for r in rows if r["sample_id"] in ids]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = int(c[3].number_input("Page", 1, pages, 1, key="rb_page")) if pages > 1 else 1
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    if not rows:
        st.info("No open suggestions. Run detection above, or generate variants below.")
        return
    st.caption(f"{len(rows)} open suggestions; showing {len(shown)}.")
    author = current_user()
    b = st.columns(2)
    if b[0].button(f"Confirm all {len(shown)} shown", key="rb_bulk_ok"):
        _run(lambda: decide_many(store, [(r["sample_id"], r["tag"], "confirm") for r in shown], author),
             lambda r: f"Confirmed {r['confirmed']} suggestions.")
    if b[1].button(f"Reject all {len(shown)} shown", key="rb_bulk_no"):
        _run(lambda: decide_many(store, [(r["sample_id"], r["tag"], "reject") for r in shown], author),
             lambda r: f"Rejected {r['rejected']} suggestions.")
    for r in shown:
        sample = store.samples.get(r["sample_id"])
        k = r["tag"].removeprefix("robustness:")
        with st.container(border=True):
            st.markdown(f"**{k}** · confidence {r['confidence']:.2f} · {md(sample['id'])} · "
                        f"{md(sample.get('task_type') or '(untyped)')} · {sample['status']}")
            st.caption(md(r["reason"]))
            _evidence_view(sample, r["evidence"])
            a = st.columns(2)
            if a[0].button("Confirm", key=f"rb_ok_{sample['id']}_{k}"):
                _run(lambda: decide_many(store, [(sample["id"], k, "confirm")], author),
                     lambda _: f"Confirmed {k} on {sample['id']}: it is now protected robustness data.")
            if a[1].button("Reject", key=f"rb_no_{sample['id']}_{k}"):
                _run(lambda: decide_many(store, [(sample["id"], k, "reject")], author),
                     lambda _: f"Rejected the {k} suggestion on {sample['id']}.")


def hand_tag_section() -> None:
    with st.expander("Tag by hand"):
        ids = st.text_area("Sample ids (one per line or comma-separated)", key="rb_ids")
        c = st.columns(2)
        kind = c[0].selectbox("Kind", detector_names(), key="rb_hand_kind")
        note = c[1].text_input("Note (kept in history)", key="rb_note")
        id_list = [i.strip() for i in ids.replace(",", "\n").splitlines() if i.strip()]
        b = st.columns(2)
        if b[0].button("Tag", key="rb_tag", disabled=not id_list):
            _run(lambda: tag_samples(store, id_list, kind, current_user(), note or None),
                 lambda r: f"Tagged {r['tagged']} samples {r['tag']}.")
        if b[1].button("Remove tag", key="rb_untag", disabled=not id_list):
            _run(lambda: untag_samples(store, id_list, kind, current_user(), note or None),
                 lambda r: f"Removed {r['tag']} from {r['untagged']} samples.")


def generation_section() -> None:
    # A keyed expander whose state the app tracks: it stays open over its own result (a plain one can collapse
    # on the rerun that adds the result, since the sections above it change height)
    opened = st.session_state.get("rb_gen_report") is not None
    with st.expander("Generate variants", expanded=opened, key="rb_gen_open", on_change="rerun"):
        st.caption("Variants perturb one user turn of clean samples and keep the answers byte-identical; they enter "
                   "review as pending, tagged robustness:generated:<kind> and linked to their parent.")
        f = filter_widgets(store, "rb_gen", default_status=None)
        d = GenerationSettings()
        perturbations = st.multiselect("Perturbations", list(PERTURBATIONS), default=list(PERTURBATIONS),
                                       key="rb_perts")
        c = st.columns(4)
        rate = c[0].slider("Rate (share of clean samples)", 0.01, 1.0, d.rate, 0.01, key="rb_rate")
        target = c[1].slider("Target share per task_type", 0.01, 0.5, d.target_share, 0.01, key="rb_gen_target")
        per = int(c[2].number_input("Variants per sample", 1, 5, d.variants_per_sample, key="rb_per"))
        seed = int(c[3].number_input("Seed", 0, 2**31 - 1, d.seed, key="rb_seed"))
        turn = st.radio("Perturb the", ["last", "first"], horizontal=True, key="rb_turn",
                        format_func=lambda t: f"{t} user turn")
        dry = st.checkbox("Dry run (show, store nothing)", key="rb_dry")
        if st.button("Generate", key="rb_generate", disabled=not perturbations):
            settings = GenerationSettings(seed=seed, perturbations=tuple(perturbations), rate=rate,
                                          variants_per_sample=per, target_share=target, turn=turn)
            try:
                report = augment(store, f, settings, dry_run=dry)
            except UserError as e:
                show_error(e)
                return
            st.session_state["rb_gen_report"] = report
        report = st.session_state.get("rb_gen_report")
        if report:
            if report["dry_run"]:
                st.success(f"{report['generated']} variants generated (dry run: nothing stored).")
            else:
                st.success(f"{report['generated']} variants generated; {report['inserted']} new pending samples.")
            st.dataframe(frame([{"task_type": k, **v} for k, v in report["plan"].items()]), hide_index=True)
            if report["variants"]:
                st.dataframe(frame(report["variants"]), hide_index=True, width="stretch")


_flash()
share_section()
detect_section()
suggestions_section()
hand_tag_section()
generation_section()
