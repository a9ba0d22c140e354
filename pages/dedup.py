"""Dedup: a review queue for duplicate clusters, not a black box.

Run a method (exact, MinHash LSH, semantic) over a filter, then review: a threshold slider re-clusters from the
stored pair similarities (nothing is recomputed), clusters come largest first with their members side by side,
a character-level diff against the keeper, and per-cluster actions. Marking is a status change with history,
reversible; protected robustness samples are shown as protected and never marked by bulk actions.
"""
import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from curation.decontam import DecontamSettings, decontaminate
from curation.dedup.diff import diff_summary, inline_diff
from curation.dedup.keeper import CRITERIA, KeeperRule, is_protected
from curation.dedup.keys import KEYS, sample_key_text
from curation.dedup.methods import DEDUP_METHODS
from curation.dedup.runs import (apply_above, apply_cluster, clusters_at, counts_at, not_duplicates,
                                 review_state, set_keeper, split_cluster, unmark)
from curation.embedding_models import DEFAULT_MODEL
from curation.embedding_models import spec as model_spec
from curation.embeddings import is_english_only
from curation.errors import UserError
from curation.frames import frame
from curation.store import curated
from pages._common import current_user, filter_widgets, get_store, show_error, step_settings_form
from pages._job_progress import run_job, running_notice

PAGE_SIZE = 10
COLUMNS = 3
DEFAULT_METHOD = "minhash"
KEY_HELP = "user: prompts only · assistant: answers only (the repeated-answer case) · conversation: every turn"

store = get_store()
st.title("Dedup")
st.caption("Find exact and near-duplicate samples, then review them cluster by cluster. Marking a sample "
           "duplicate is a status change with history that you can undo; nothing is deleted.")


def _flash() -> None:
    if msg := st.session_state.pop("dd_flash", None):
        st.success(msg)


def run_form() -> None:
    """Method, key, settings and filter for a new run; runs it on click."""
    with st.expander("New dedup run", expanded=not store.dedup.runs.list(1)):
        c = st.columns(3)
        names = DEDUP_METHODS.names()
        method = c[0].selectbox("Method", names, index=names.index(DEFAULT_METHOD), key="dd_method",
                                help=" · ".join((DEDUP_METHODS[n].__doc__ or n).strip() for n in names))
        step = DEDUP_METHODS[method]
        key = c[1].selectbox("Key", list(KEYS), key="dd_key", help=KEY_HELP)
        settings = step_settings_form(DEDUP_METHODS, [method], "dd_set", exclude=("key", "threshold"))[method]
        # drawn after the form (into its column) because an embedding model's own scale sets default and range
        lo, hi, default = _threshold_range(step, settings)
        threshold = c[2].number_input("Threshold", lo, hi, default, 0.01, disabled=step.fixed_threshold,
                                      key=f"dd_thr_{method}_{getattr(settings, 'model', '')}")
        settings = dataclasses.replace(settings, key=key)
        if not step.fixed_threshold:
            settings = dataclasses.replace(settings, threshold=threshold)
        if step.embeds and is_english_only(settings.model):
            st.info(f"{settings.model} is English-only: Chinese texts get unreliable similarities. Give the "
                    "path of a multilingual or Chinese model for Chinese data.")
        order = st.multiselect("Keeper rule (first criterion that separates members decides)", list(CRITERIA),
                               default=KeeperRule().order, format_func=CRITERIA.get, key="dd_rule")
        f = curated(filter_widgets(store, "dd"))
        running_notice(store, "dedup")
        if st.button("Run", type="primary", key="dd_run_btn"):
            _run(method, settings, order, f)


def _threshold_range(step, settings) -> tuple[float, float, float]:
    """(low, high, default) of the threshold input: an embedding model's calibrated range and default."""
    if not step.embeds:
        return 0.05, 1.0, float(step.Settings().threshold)
    try:
        m = model_spec(settings.model)
    except UserError:  # an empty model name: the form shows the error when it runs
        m = model_spec(DEFAULT_MODEL)
    return float(m.threshold_range[0]), float(m.threshold_range[1]), float(m.threshold)


def _run(method, settings, order, f) -> None:
    """Run the dedup as a durable job (embedding chunks it commits survive a reload or a killed app)."""
    try:
        with st.spinner("finding duplicates"):
            report = run_job(store, "dedup", {"method": method, "settings": settings, "filter": f.to_dict(),
                                              "keeper": KeeperRule(order=order or ["earliest"]).order})
    except UserError as e:
        show_error(e)
        return
    st.session_state["dd_run"] = report["run_id"]
    st.session_state.pop("dd_pick", None)  # the run picker's own state would keep reviewing the previous run
    st.session_state["dd_flash"] = (f"Run #{report['run_id']}: {report['pairs']} pairs in "
                                    f"{report['clusters']} clusters over {report['samples']} samples.")
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=8)
def load_pairs(db: str, run_id: int) -> list[tuple[str, str, float]]:
    """A run's stored pairs; immutable per run, so cached across slider moves."""
    return store.dedup.pairs(run_id)


def pick_run() -> dict | None:
    runs = store.dedup.runs.list()
    if not runs:
        st.info("No dedup run yet: start one above.")
        return None
    ids = [r["id"] for r in runs]
    wanted = st.session_state.get("dd_run")
    by_id = {r["id"]: r for r in runs}
    run_id = st.selectbox("Run", ids, index=ids.index(wanted) if wanted in ids else 0, key="dd_pick",
                          format_func=lambda i: f"#{i} · {by_id[i]['method']} on {by_id[i]['key']} · threshold "
                                                f"{by_id[i]['threshold']} · {by_id[i]['n_samples']} samples · "
                                                f"{by_id[i]['created_at']:%Y-%m-%d %H:%M}")
    st.session_state["dd_run"] = run_id
    return by_id[run_id]


def settings_panel(run: dict) -> None:
    for w in run["stats"].get("warnings", []):
        st.warning(w)
    with st.expander("Settings and keeper rule of this run"):
        rule = KeeperRule(order=run["stats"].get("keeper_rule") or KeeperRule().order)
        st.markdown(f"**Keeper rule:** {rule.describe()}. Protected robustness samples are never proposed "
                    "for removal, even when they are not the keeper.")
        st.json({"settings": run["settings"], "filter": run["filter"], "stats": run["stats"]})


def histogram(sims: list[float], threshold: float, floor: float) -> None:
    """Pair similarities in 30 bins (binned here, so a 100k-pair run sends 30 bars, not 100k points)."""
    counts, edges = np.histogram(np.clip(sims, floor, 1.0), bins=30, range=(floor, 1.0))
    fig = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=(1.0 - floor) / 30 * 0.9))
    fig.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")
    fig.update_layout(height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis_title="pair similarity",
                      yaxis_title="pairs", bargap=0.05)
    st.plotly_chart(fig, width="stretch", key="dd_hist")


def review(run: dict) -> None:
    """Slider, live counts, histogram, bulk action and the cluster queue of one run."""
    run_id, floor = run["id"], run["floor"]
    pairs = load_pairs(str(store.path), run_id)
    if floor < 1.0:
        threshold = st.slider("Threshold", float(floor), 1.0, float(run["threshold"]), 0.01, key=f"dd_t_{run_id}",
                              help=f"Pairs were stored down to {floor}; moving the slider re-clusters them "
                                   "without recomputing. Close to the floor, MinHash finds pairs less reliably.")
    else:
        threshold = 1.0
    cut, _ = review_state(store, run_id)
    n_pairs, n_clusters = counts_at(pairs, threshold, cut)
    c = st.columns(3)
    c[0].metric("Pairs at threshold", n_pairs)
    c[1].metric("Clusters", n_clusters)
    c[2].metric("Samples compared", run["n_samples"])
    if pairs and floor < 1.0:
        histogram([p[2] for p in pairs], threshold, floor)
    if not n_clusters:
        st.success("No duplicates at this threshold.")
        return
    bulk(run_id, threshold)
    pages = (n_clusters + PAGE_SIZE - 1) // PAGE_SIZE
    page = st.number_input(f"Page (of {pages}, largest clusters first)", 1, pages, 1, key=f"dd_page_{run_id}")
    for cluster in clusters_at(store, run_id, threshold, pairs=pairs, offset=(page - 1) * PAGE_SIZE,
                               limit=PAGE_SIZE):
        render_cluster(run, cluster)


def bulk(run_id: int, threshold: float) -> None:
    c = st.columns([2, 1])
    cut = c[0].number_input("Apply to every cluster whose weakest pair is at least", float(threshold), 1.0,
                            max(float(threshold), 0.95), 0.01, key=f"dd_bulk_{run_id}")
    if c[1].button(f"Apply to all clusters ≥ {cut:.2f}", key=f"dd_bulk_btn_{run_id}"):
        result = apply_above(store, run_id, threshold, cut, current_user())
        st.session_state["dd_flash"] = (f"Marked {len(result['marked'])} samples duplicate in {result['clusters']} "
                                        "clusters (protected samples skipped).")
        st.rerun()


def _label(run: dict, cluster, s: dict) -> str:
    if s["id"] == cluster.keeper:
        return "🟢 KEEPER"
    if s["status"] == "duplicate":
        return "⚫ marked duplicate"
    if s["id"] in cluster.protected or is_protected(s):
        return "🛡️ protected: kept"
    return "✖ proposed duplicate"


def render_cluster(run: dict, cluster) -> None:
    members = sorted(cluster.members, key=lambda s: s["id"] != cluster.keeper)
    texts = {s["id"]: sample_key_text(s, run["key"]) for s in members}
    anchor = f"{run['id']}_{min(texts)}"  # widget keys stay stable when the keeper changes
    with st.container(border=True):
        st.markdown(f"**Cluster {cluster.number}** · {len(members)} members · similarity "
                    f"{cluster.min_similarity:.3f}–{cluster.max_similarity:.3f}")
        st.caption("Keeper: " + cluster.keeper + " — " + cluster.keeper_reason)
        for row in range(0, len(members), COLUMNS):
            cols = st.columns(COLUMNS)
            for col, s in zip(cols, members[row:row + COLUMNS]):
                with col:
                    member(run, cluster, s, texts)
        actions(run, cluster, members, anchor)


def member(run: dict, cluster, s: dict, texts: dict) -> None:
    label = _label(run, cluster, s)
    (st.success if label.startswith("🟢") else st.info if label.startswith("🛡️") else st.warning)(label)
    st.caption(f"{s['id']} · {s['status']} · answer {s.get('answer_chars') or 0} chars")
    st.code(texts[s["id"]], language=None, wrap_lines=True)
    if s["id"] != cluster.keeper:
        st.caption("Diff against the keeper ([-keeper only-] {+this only+}): "
                   + diff_summary(texts[cluster.keeper], texts[s["id"]]))
        st.code(inline_diff(texts[cluster.keeper], texts[s["id"]]), language=None, wrap_lines=True)
    if s["status"] == "duplicate" and st.button("Unmark", key=f"dd_unmark_{run['id']}_{s['id']}"):
        unmark(store, s["id"], current_user(), run["id"])
        st.session_state["dd_flash"] = f"{s['id']} is no longer marked duplicate."
        st.rerun()


def actions(run: dict, cluster, members: list[dict], anchor: str) -> None:
    ids = [s["id"] for s in members]
    c = st.columns(4)
    if c[0].button("Accept proposal", key=f"dd_accept_{anchor}", type="primary", disabled=not cluster.removals):
        marked = apply_cluster(store, run["id"], cluster, current_user())
        st.session_state["dd_flash"] = f"Marked {len(marked)} duplicate of {cluster.keeper}."
        st.rerun()
    new_keeper = c[1].selectbox("Keeper", ids, index=ids.index(cluster.keeper), key=f"dd_keeper_{anchor}",
                                label_visibility="collapsed")
    if c[1].button("Change keeper", key=f"dd_keeper_btn_{anchor}", disabled=new_keeper == cluster.keeper):
        set_keeper(store, run["id"], new_keeper, current_user())
        st.rerun()
    part = c[2].multiselect("Split off", ids, key=f"dd_split_{anchor}", label_visibility="collapsed",
                            placeholder="members to split off")
    if c[2].button("Split", key=f"dd_split_btn_{anchor}", disabled=not part or len(part) == len(ids)):
        split_cluster(store, run["id"], ids, part, current_user())
        st.rerun()
    if c[3].button("Not duplicates", key=f"dd_notdup_{anchor}"):
        not_duplicates(store, run["id"], ids, current_user())
        st.session_state["dd_flash"] = f"Cluster {cluster.number} dismissed: its members are not duplicates."
        st.rerun()


def decontamination() -> None:
    """Eval split vs train split, or an uploaded benchmark file vs every sample; every leak with its match."""
    with st.expander("Decontamination: do evaluation items leak into the data?"):
        upload = st.file_uploader("Benchmark file (JSONL with question/answer, messages, Alpaca, …); leave empty to "
                                  "check the eval split against the train split", type=["jsonl", "json"],
                                  key="dc_file")
        c = st.columns(2)
        key = c[0].selectbox("Compare", ["user", "assistant"], key="dc_key",
                             format_func={"user": "questions with prompts", "assistant": "answers with answers"}.get)
        threshold = c[1].number_input("MinHash Jaccard", 0.3, 1.0, 0.7, 0.05, key="dc_thr")
        if not st.button("Check for contamination", key="dc_btn"):
            return
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = None
                if upload is not None:
                    path = Path(tmp) / Path(upload.name).name
                    path.write_bytes(upload.getvalue())
                report = decontaminate(store, path, DecontamSettings(key=key, threshold=threshold),
                                       author=current_user())
        except UserError as e:
            show_error(e)
            return
        counts = report["counts"]
        st.metric(f"Contaminated items ({report['source']} vs {report['against']})",
                  f"{counts['contaminated_items']} of {counts['items']}")
        rows = [{"item": c["item"], "item text": c["text"], "sample": m["sample_id"], "split": m["split"],
                 "method": m["method"], "jaccard": m["similarity"], "containment": m["containment"],
                 "sample text": m["text"]} for c in report["contaminated"] for m in c["matches"]]
        if rows:
            st.dataframe(frame(rows), hide_index=True, width="stretch")
        else:
            st.success("No evaluation item matches a sample.")


_flash()
run_form()
decontamination()
selected = pick_run()
if selected:
    settings_panel(selected)
    review(selected)
