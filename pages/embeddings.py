"""Embeddings: how much of a selection is embedded, per model, in the store's vector cache; embed the rest in the
background; delete one model's vectors (the others are never touched)."""
import streamlit as st

from curation import embeddings as emb
from curation.errors import UserError
from curation.frames import frame
from pages._common import filter_widgets, flash, get_store, md, show_error, show_flash
from pages._semantic import coverage_note, model_picker

store = get_store()
st.title("Embeddings")
st.caption("Semantic dedup, the semantic map, coverage scores and semantic search share one cache of prompt "
           "vectors, keyed by model and content: a vector is reused only for the same model and the same text, and "
           "a model change never mixes vectors.")
show_flash()

with st.expander("Selection", expanded=False):
    f = filter_widgets(store, "emb")
status = emb.selection_status(store, f)
st.subheader("Cached per model")
if status["models"]:
    st.dataframe(frame([{"model": m["model"], "cache id": m["cache_id"], "dimension": m["dim"],
                         "vectors in the cache": m["vectors"],
                         "selection embedded": f"{m['embedded']:,} of {status['texts']:,}", "share": m["share"]}
                        for m in status["models"]]), hide_index=True, key="emb_table")
else:
    st.info("The cache holds no vector yet.")
if status["not_cached"]:
    st.caption("No vector yet for: " + md(", ".join(status["not_cached"])))

st.subheader("Embed the selection")
model = model_picker("emb_model")
done = next((m["embedded"] for m in status["models"] if m["model"] == model), 0)
coverage_note(store, f, {"embedded": done, "selection": status["texts"]}, model, "emb_embed")

st.subheader("Delete a model's vectors")
cached = [m["model"] for m in status["models"]]
if not cached:
    st.caption("Nothing to delete.")
    st.stop()
with st.form("emb_delete"):
    victim = st.selectbox("Model", cached, index=None, placeholder="Choose a model", key="emb_victim")
    sure = st.checkbox("Yes, delete every cached vector of this model (the other models keep theirs; re-embedding "
                       "takes a while)", key="emb_sure")
    if st.form_submit_button("Delete its vectors"):
        if victim is None or not sure:
            st.error("Choose the model and tick the confirmation first.")
        else:
            try:
                n = emb.delete_vectors(store, victim)
            except UserError as e:
                show_error(e)
            else:
                st.session_state.pop("emb_sure", None)
                flash(f"Deleted {n:,} cached vectors of {md(victim)}.")
                st.rerun()
