"""Semantic search on the pages: "find similar" and a free-text query (Browse), the nearest reviewed samples with
their verdicts (Review), and the background job that embeds a selection when its prompts are not cached yet.

Every panel reads the store's embedding cache through `curation.similarity`; nothing of the selection is encoded
while a page renders (only a free-text query is). Results are tables of plain data: prompts never go through
markdown.
"""
from __future__ import annotations

import streamlit as st

from curation import similarity
from curation.embedding_models import DEFAULT_MODEL, MODELS
from curation.errors import UserError
from curation.frames import frame
from curation.jobs import find as find_job
from curation.stats import full_set_settings
from pages._common import md, show_error
from pages._job_progress import start_background, watch


def model_picker(key: str, label: str = "Embedding model") -> str:
    """A registered embedding model (the cache is per model; the default is multilingual)."""
    names = list(MODELS)
    return st.selectbox(label, names, index=names.index(DEFAULT_MODEL), key=key,
                        help="Vectors are cached per model: results come from this model's vectors only")


def results_table(res: dict, key: str, verdicts: bool = False) -> None:
    """The nearest samples as a table, or why there are none (nothing embedded yet, an empty selection)."""
    rows = res.get("results") or []
    if rows:
        st.dataframe(frame([{"id": r["id"], "similarity": r["similarity"],
                             ("verdict" if verdicts else "status"): r["status"],
                             "task_type": r["task_type"] or "(untyped)", "prompt": r["prompt"]} for r in rows]),
                     hide_index=True, key=key)
    elif res.get("selection"):
        st.caption("No result: none of these samples is embedded with this model yet.")
    else:
        st.caption("No result: the selection holds no sample with a prompt.")


def coverage_note(store, f, res: dict, model: str, key: str) -> None:
    """How much of the selection the results were drawn from, and the background job that embeds the rest."""
    done, total = res.get("embedded", 0), res.get("selection", 0)
    if total and done >= total:
        st.caption(f"Searched all {total:,} samples of the selection (embedded with {md(model)}).")
        return
    st.info(f"Only {done:,} of {total:,} samples of the selection are embedded with {md(model)}: the results come "
            "from those. Embed the rest in the background (the page stays usable; finished chunks are kept).")
    settings = full_set_settings(f, model)
    running = find_job(store, "embedding", settings)
    if running is None and st.button("Embed the selection in the background", key=key):
        running = {"id": start_background(store, "embedding", settings)}
        st.session_state[f"{key}_job"] = running["id"]
        st.rerun()
    watch(store, [running["id"] if running else None, st.session_state.get(f"{key}_job")], "sem_epoch")


def find_similar(store, sample_id: str, f, key: str = "sim") -> None:
    """Browse: the samples of the filter nearest to this one, and a free-text semantic query over the filter."""
    c = st.columns([2, 1])
    model = model_picker(f"{key}_model")
    k = c[1].number_input("Results", 1, 50, 10, key=f"{key}_k")
    query = c[0].text_input("Semantic search over the filtered samples", key=f"{key}_query",
                            placeholder="e.g. 如何烤面包 / how to bake bread (meaning, not words)")
    try:
        if query.strip():
            res = similarity.nearest(store, query, f, model, int(k))
            st.markdown(f"**Nearest to your query** ({md(model)})")
        else:
            res = similarity.similar_to(store, sample_id, f, model, int(k))
            st.markdown(f"**Samples most similar to {md(sample_id)}** ({md(model)})")
    except UserError as e:
        show_error(e)
        return
    results_table(res, f"{key}_table")
    coverage_note(store, f, res, model, f"{key}_embed")


def nearest_reviewed(store, sample_id: str, key: str = "rvsim") -> None:
    """Review: the nearest samples colleagues have already decided on, with their verdicts."""
    model = model_picker(f"{key}_model")
    try:
        res = similarity.nearest_reviewed(store, sample_id, model, k=5)
    except UserError as e:
        show_error(e)
        return
    st.caption("How colleagues decided on the most similar prompts (reviewed samples only), so verdicts stay "
               "consistent.")
    results_table(res, f"{key}_table", verdicts=True)
    from curation.store import SampleFilter
    coverage_note(store, SampleFilter(status=list(similarity.REVIEWED)), res, model, f"{key}_embed")
