"""Overview: what is in the store, by dataset, status, task_type and language."""
import plotly.express as px
import streamlit as st

from curation.frames import counts_frame, frame
from curation.store import UNTYPED, SampleFilter
from curation.diversity_report import palette
from curation.summary import overview
from curation.text import plotly_label
from pages._common import get_store

store = get_store()
st.title("SFT Workbench")
st.caption("Curate supervised fine-tuning data, then prove with a real LoRA run that the curation helped.")

ov = overview(store)
c = st.columns(5)
c[0].metric("Samples", f"{ov['total']:,}")
c[1].metric("Task types", sum(1 for r in ov["by_task_type"] if r["task_type"] != UNTYPED))
c[2].metric("Untyped", f"{ov['untyped']:,}")
c[3].metric("Quarantined records", f"{ov['quarantined']:,}")
c[4].metric("Store revision", ov["store_revision"])
if ov["untyped"]:
    st.warning(f"{ov['untyped']:,} samples have no two-level task_type. Every later analysis groups by "
               "task_type: relabel them in Browse or with `curation relabel`.")
    if st.button("Show untyped samples"):
        st.session_state["browse_filter"] = SampleFilter(task_type=UNTYPED)
        st.switch_page("pages/browse.py")
if ov["total"] == 0:
    st.info("The store is empty. Import data on the Import page or with `curation ingest FILE`.")
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader("By dataset")
    st.dataframe(counts_frame(ov["by_dataset"], "dataset"), hide_index=True)
    st.subheader("By review status")
    st.dataframe(counts_frame(ov["by_status"], "status"), hide_index=True)
    st.subheader("By language")
    st.dataframe(counts_frame(ov["by_language"], "language"), hide_index=True)
with right:
    st.subheader("By task_type")
    # Plotly renders HTML in labels, so a task_type is escaped; one distinct colour per L1 (the default sequence
    # has 10, the taxonomy has more), and no legend to cut off: every bar's label names its L1 already.
    df = frame([{**r, "L1": plotly_label(r["task_type"].split("/")[0]), "task_type": plotly_label(r["task_type"])}
                for r in ov["by_task_type"]])
    fig = px.bar(df.sort("samples", maintain_order=True), x="samples", y="task_type", color="L1", orientation="h",
                 color_discrete_sequence=palette(), height=max(300, 22 * len(df) + 60))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=10, b=10))
    fig.update_yaxes(automargin=True, title=None)
    st.plotly_chart(fig, width="stretch", key="overview_types")
    st.caption("Colour: the first level (ability or domain) of the task_type.")

st.subheader("Recent imports")
ing = store.ingests.list()[:10]
if ing:
    st.dataframe(frame(ing).select("id", "created_at", "dataset", "format", "imported", "rejected",
                                   "already_present"), hide_index=True)
