"""Agreement (lead dashboard): inter-annotator agreement with n and confidence intervals, the disagreement queue
a lead adjudicates, per-annotator throughput / acceptance / agreement with consensus, assignment with overlap,
profiles, and the LLM judge's calibration against the humans (with accept-above-threshold where it is trusted).
Annotators can read everything here; only leads decide, assign, accept on judge scores and change roles."""
from __future__ import annotations

import streamlit as st

from curation.errors import ConflictError, UserError
from curation.judge import QUALITY, CalibrationSettings, accept_above, calibration, trusted_task_types
from curation.review import (DIMENSION_LABELS, DIMENSIONS, ROLES, VERDICTS, AgreementSettings, AssignSettings,
                             adjudicate, agreement_report, annotator_dashboard, assign, disagreement_queue, role_of,
                             set_role)
from curation.store import UNTYPED
from curation.text import plural
from pages._common import current_user, filter_widgets, get_store, render_messages, show_error

METHOD_LABELS = {"cohen_kappa": "Cohen's κ", "weighted_kappa": "weighted Cohen's κ", "fleiss_kappa": "Fleiss' κ",
                 "krippendorff_alpha": "Krippendorff's α"}
DIM_LABELS = {"verdict": "Verdict", **DIMENSION_LABELS, "difficulty": "Difficulty"}


@st.cache_data(show_spinner="Computing agreement…", max_entries=8)
def _report(db: str, state: tuple, settings: dict) -> dict:
    """Agreement over the store; recomputed only when reviews or adjudications change (`state`)."""
    return agreement_report(get_store(), AgreementSettings(**settings))


def _fig_row(dim: str, fig: dict | None, extra: dict | None = None) -> dict:
    if not fig:
        return {**(extra or {}), "dimension": DIM_LABELS[dim], "figure": None, "value": None, "95% CI": None,
                "n": None, "note": None}
    lo, hi = fig["ci"]
    level = fig.get("level")
    method = METHOD_LABELS[fig["method"]] + (f" ({level})" if level and level not in ("none", "nominal") else "")
    return {**(extra or {}), "dimension": DIM_LABELS[dim], "figure": method, "value": fig["value"],
            "95% CI": f"{lo:.2f} … {hi:.2f}" if lo is not None else None, "n": fig["n"], "note": fig.get("note")}


def agreement_tab(store) -> None:
    cols = st.columns(4)
    replicates = cols[0].number_input("Bootstrap resamples", 100, 5000, 1000, step=100)
    seed = cols[1].number_input("Seed", value=0, step=1)
    min_items = cols[2].number_input("Min. shared items", 2, 1000, 2)
    by_type = cols[3].checkbox("Per task type", value=True)
    state = (store.review.count(), len(store.review.adjudications()), store.revision())
    rep = _report(str(store.path), state, {"replicates": int(replicates), "seed": int(seed),
                                           "min_items": int(min_items), "by_task_type": by_type})
    st.caption(f"{plural(rep['reviews'], 'current review')} by {plural(len(rep['annotators']), 'annotator')}. "
               "α is ordinal for scores "
               "and difficulty, nominal for verdicts; κ for pairs is quadratic-weighted on ordinal scales. "
               "Intervals: percentile bootstrap over items.")
    overall = rep["overall"]
    rows = []
    for dim, fig in overall.items():
        if fig.get("primary") is None:
            rows.append({**_fig_row(dim, None), "note": fig.get("note")})
            continue
        rows.append(_fig_row(dim, fig["primary"]))
        if "fleiss_kappa" in fig:
            rows.append(_fig_row(dim, fig["fleiss_kappa"]))
        if fig["primary"]["method"] != "krippendorff_alpha":  # two annotators: kappa first, alpha as well
            rows.append(_fig_row(dim, fig["krippendorff_alpha"]))
    st.subheader("Overall")
    st.dataframe(rows, hide_index=True)
    pairs = [_fig_row(dim, p, {"a": p["a"], "b": p["b"]}) for dim, fig in overall.items() for p in fig.get("pairs", [])]
    if pairs:
        st.subheader("Annotator pairs (Cohen's κ)")
        st.dataframe(pairs, hide_index=True)
    if by_type and rep.get("by_task_type"):
        st.subheader("Per task type")
        st.dataframe([{**_fig_row(dim, fig.get("primary"), {"task_type": t}),
                       **({"note": fig.get("note")} if fig.get("primary") is None else {})}
                      for t, figs in rep["by_task_type"].items() for dim, fig in figs.items()], hide_index=True)


JUDGE_DIM_LABELS = {"accuracy": "Accuracy", "completeness": "Completeness", "conciseness": "Conciseness",
                    "consistency": "Consistency", "difficulty": "Difficulty", "overall": "Overall (mean of 4)"}
TRUST_LABELS = {"trusted": "✅ trusted", "untrusted": "⚠️ untrusted", "unknown": "❔ too few samples"}


@st.cache_data(show_spinner="Calibrating the judge…", max_entries=8)
def _calibration(db: str, state: tuple, judge: str, settings: dict) -> dict:
    """Judge-human calibration; recomputed only when reviews, judge scores or samples change (`state`)."""
    return calibration(get_store(), judge, CalibrationSettings(**settings))


def _ci(fig: dict) -> str | None:
    lo, hi = fig["ci"]
    return f"{lo:.2f} … {hi:.2f}" if lo is not None else None


def judge_tab(store, user: str, is_lead: bool) -> None:
    judges = store.judge.authors()
    if not judges:
        st.info("No LLM judge has scored samples yet. Run a judge job (the Generate page, or `curation judge run` "
                "against any OpenAI-compatible endpoint, e.g. `curation serve`); its scores are calibrated here "
                "against the human reviews.")
        return
    cols = st.columns(4)
    judge = cols[0].selectbox("Judge", judges, key="ag_judge")
    min_items = cols[1].number_input("Min. shared samples per task type", 2, 1000, CalibrationSettings.min_items,
                                     key="ag_judge_min")
    min_kappa = cols[2].number_input("Min. κ to trust", -1.0, 1.0, CalibrationSettings.min_kappa, 0.05,
                                     key="ag_judge_kappa")
    min_rho = cols[3].number_input("Min. Spearman to trust", -1.0, 1.0, CalibrationSettings.min_spearman, 0.05,
                                   key="ag_judge_rho")
    settings = {"min_items": int(min_items), "min_kappa": float(min_kappa), "min_spearman": float(min_rho),
                "replicates": 500}
    state = (store.review.count(), store.judge.count(), store.revision())
    try:
        rep = _calibration(str(store.path), state, judge, settings)
    except UserError as e:
        show_error(e)
        return
    st.caption(f"{plural(rep['n_samples'], 'sample')} scored by both {rep['judge']} and humans "
               f"(the humans' mean per sample; {plural(rep['n_skipped_edited'], 'sample')} left out because the "
               "content was edited between the two reviews). κ: quadratic-weighted on binned scores (1-2 / 3 / "
               "4-5; difficulty easy / medium / hard); 95% CIs: percentile bootstrap over samples.")
    rows = []
    for dim, fig in rep["overall"].items():
        hh = rep["human_human"].get(dim) if dim != "overall" else None
        rows.append({"dimension": JUDGE_DIM_LABELS[dim], "n": fig["n"], "judge–human κ": fig["kappa"]["value"],
                     "κ 95% CI": _ci(fig["kappa"]), "judge–human Spearman": fig["spearman"]["value"],
                     "Spearman 95% CI": _ci(fig["spearman"]),
                     "human–human": hh["value"] if hh else None, "human–human 95% CI": _ci(hh) if hh else None,
                     "human–human figure": METHOD_LABELS.get(hh["method"]) if hh else None})
    st.subheader("Judge against humans, beside humans against each other")
    st.dataframe(rows, hide_index=True)
    st.subheader("Per task type")
    st.dataframe([{"task_type": t, "n": v["n"], "trust": TRUST_LABELS[v["trust"]], "why": v["reason"],
                   "overall κ": v["dimensions"]["overall"]["kappa"]["value"],
                   "overall Spearman": v["dimensions"]["overall"]["spearman"]["value"],
                   **{JUDGE_DIM_LABELS[d] + " κ": v["dimensions"][d]["kappa"]["value"] for d in QUALITY}}
                  for t, v in rep["by_task_type"].items()], hide_index=True)
    accept_form(store, user, is_lead, rep)


def accept_form(store, user: str, is_lead: bool, rep: dict) -> None:
    trusted = trusted_task_types(rep)
    st.subheader("Accept above a judge score")
    if not trusted:
        st.info("The judge is trusted on no task type yet, so nothing can be accepted on its score: collect more "
                "human reviews of judged samples, or review by hand.")
        return
    if not is_lead:
        st.caption("Only leads accept samples on the judge's score.")
        return
    with st.form("ag_judge_accept"):
        cols = st.columns(2)
        threshold = cols[0].slider("Judge overall score at least", 1.0, 5.0, 4.5, 0.25, key="ag_judge_threshold")
        types = cols[1].multiselect("Task types (trusted only)", trusted, default=trusted, key="ag_judge_types")
        dry = st.checkbox("Only count, change nothing", value=True, key="ag_judge_dry")
        if st.form_submit_button("Accept pending samples", type="primary"):
            try:
                out = accept_above(store, user, float(threshold), rep["judge"], types or None,
                                   CalibrationSettings(**rep["settings"]), dry_run=dry)
            except UserError as e:
                show_error(e)
                return
            verb = "would be accepted" if dry else "accepted"
            st.success(f"{plural(out['accepted'], 'pending sample')} {verb} (judge score ≥ {threshold:g} on "
                       f"{', '.join(out['task_types'])}).")


def disagreement_tab(store, user: str, is_lead: bool) -> None:
    spread = st.number_input("Score spread (points) that counts as disagreement", 1, 4, 2, key="ag_spread")
    rows = disagreement_queue(store, int(spread))
    if not rows:
        st.success("No open disagreements: every sample with 2+ reviews agrees or has been adjudicated.")
        return
    st.dataframe([{"sample": r["sample_id"], "reviews": r["n_reviews"],
                   "verdicts": ", ".join(sorted({v["verdict"] or "—" for v in r["reviews"]})),
                   "score spread": r["spread"], "last review": r["last_review"]} for r in rows], hide_index=True)
    sid = st.selectbox("Adjudicate sample", [r["sample_id"] for r in rows], key="ag_pick")
    sample = store.samples.get(sid)
    seen = st.session_state.setdefault(f"ag_seen_{sid}", sample["rev"])  # the revision the lead is judging
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.text(f"{sid} · {sample['dataset']} · {sample.get('task_type') or UNTYPED} · status {sample['status']} · "
                f"revision {sample['rev']}")
        render_messages(sample["messages"], sample.get("tools"))
    with right:
        reviews = next(r["reviews"] for r in rows if r["sample_id"] == sid)
        st.dataframe([{"annotator": v["annotator"], "verdict": v["verdict"],
                       **{DIMENSION_LABELS[d]: v[d] for d in DIMENSIONS}, "difficulty": v["difficulty"],
                       "note": v["note"], "revision": v["sample_rev"]} for v in reviews], hide_index=True)
        if not is_lead:
            st.info("A lead records the final decision.")
            return
        with st.form(f"ag_adj_{sid}"):
            verdict = st.radio("Final verdict", VERDICTS, horizontal=True, key=f"ag_verdict_{sid}")
            note = st.text_area("Reason", key=f"ag_note_{sid}")
            if st.form_submit_button("Record decision", type="primary"):
                try:
                    s = adjudicate(store, sid, user, verdict, note, expected_rev=seen)
                except ConflictError as e:
                    st.session_state.pop(f"ag_seen_{sid}", None)
                    show_error(e, suffix=". Reload the sample and decide again.")
                    return
                except UserError as e:
                    show_error(e)
                    return
                st.session_state.pop(f"ag_seen_{sid}", None)
                st.success(f"Recorded: {verdict}; status is now {s['status']}.")


def annotators_tab(store) -> None:
    rows = annotator_dashboard(store)
    if not rows:
        st.info("No profiles yet.")
        return
    st.dataframe([{"annotator": r["annotator"], "role": r["role"], "samples reviewed": r["samples_reviewed"],
                   "today": r["reviews_today"], "last 7 days": r["reviews_7d"],
                   "median s / review": r["median_seconds"],
                   "agreement with consensus": r["agreement_with_consensus"], "n (consensus)": r["consensus_n"]}
                  for r in rows], hide_index=True)
    st.subheader("Acceptance rate per task type")
    acc = [{"annotator": r["annotator"], "task_type": t, "accepted": v["accepted"], "n": v["n"], "rate": v["rate"]}
           for r in rows for t, v in r["acceptance"].items()]
    if acc:
        st.dataframe(acc, hide_index=True)
    else:
        st.caption("No verdicts yet.")
    load = store.review.assignment_load()
    if load:
        st.subheader("Assignments")
        st.dataframe(load, hide_index=True)


def assignment_tab(store, user: str, is_lead: bool) -> None:
    if not is_lead:
        st.info("Only leads assign samples.")
        return
    names = [p["name"] for p in store.review.annotators()]
    with st.form("ag_assign"):
        people = st.multiselect("Annotators", names, key="ag_people")
        f = filter_widgets(store, key="ag_f", default_status=["pending"])
        cols = st.columns(4)
        n = cols[0].number_input("Samples (0 = all unassigned)", 0, value=100, step=10)
        overlap = cols[1].slider("Overlap share", 0.0, 1.0, 0.2, 0.05,
                                 help="Share of the samples given to k annotators, so agreement can be measured")
        k = cols[2].number_input("k annotators per overlap sample", 2, 10, 2)
        seed = cols[3].number_input("Seed", value=42, step=1, key="ag_seed")
        if st.form_submit_button("Assign", type="primary"):
            try:
                out = assign(store, f, AssignSettings(people, int(n) or None, float(overlap), int(k), int(seed)), user)
            except UserError as e:
                show_error(e)
                return
            st.success(f"Batch {out['batch']}: {plural(out['samples'], 'sample')}, {out['overlap_samples']:,} of "
                       f"them to {plural(out['k'], 'annotator')}.")
            st.dataframe([{"annotator": a, "assigned": c} for a, c in out["per_annotator"].items()], hide_index=True)


def profiles_tab(store, user: str, is_lead: bool) -> None:
    profiles = store.review.annotators()
    st.dataframe(profiles, hide_index=True)
    if not is_lead or not profiles:
        return
    with st.form("ag_roles"):
        cols = st.columns(2)
        name = cols[0].selectbox("Profile", [p["name"] for p in profiles])
        new_role = cols[1].radio("Role", ROLES, horizontal=True)
        if st.form_submit_button("Change role"):
            try:
                set_role(store, user, name, new_role)
                st.success(f"{name} is now {new_role}.")
            except UserError as e:
                show_error(e)


store = get_store()
user = current_user()
role = role_of(store, user)
st.title("Agreement")
if role is None:
    st.info("Pick or create your profile in the sidebar first.")
    st.stop()
is_lead = role == "lead"
if not is_lead:
    st.caption("You are an annotator: you can read these figures; leads adjudicate, assign and manage roles.")
tabs = st.tabs(["Agreement", "Disagreements", "Annotators", "Assignment", "Profiles", "LLM judge"])
with tabs[0]:
    agreement_tab(store)
with tabs[1]:
    disagreement_tab(store, user, is_lead)
with tabs[2]:
    annotators_tab(store)
with tabs[3]:
    assignment_tab(store, user, is_lead)
with tabs[4]:
    profiles_tab(store, user, is_lead)
with tabs[5]:
    judge_tab(store, user, is_lead)
