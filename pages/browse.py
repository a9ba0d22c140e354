"""Browse: filter samples, read one as a chat, trace and restore its revisions, relabel and find-and-replace in bulk."""
import dataclasses

import streamlit as st

from curation.diffing import revision_changes
from curation.errors import UserError
from curation.frames import frame
from curation.labels import active_filters, describe_filter, relabel
from curation.messages import first_prompt
from curation.store import SampleFilter
from pages._common import (current_user, filter_widgets, flash, get_store, md, render_messages, show_error,
                           show_flash, untyped_badge)
from pages._find_replace import find_replace_section
from pages._semantic import find_similar

PAGE_SIZE = 100
CONFIRM_ABOVE = 20  # a bulk relabel of more samples than this needs an explicit tick
store = get_store()
st.title("Browse")
show_flash()

linked = st.session_state.get("browse_filter")
if isinstance(linked, SampleFilter):
    st.info(f"Showing the samples you clicked through to: {md(describe_filter(linked))}")
    if st.button("Clear this filter"):
        del st.session_state["browse_filter"]
        st.rerun()
    f = linked
else:
    with st.expander("Filter", expanded=True):
        f = filter_widgets(store, "browse")

total = store.samples.count(f)
pages = max(1, -(-total // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1) if pages > 1 else 1
f.limit, f.offset = PAGE_SIZE, (page - 1) * PAGE_SIZE
rows = store.samples.list(f)
st.caption(f"Matching samples: {total:,}")
find_replace_section(store, f, total, current_user())
if not rows:
    st.stop()

table = frame([{
    "id": s["id"], "dataset": s["dataset"], "task_type": s["task_type"] or "(untyped)", "status": s["status"],
    "language": s["language"], "turns": s["n_turns"], "tags": ", ".join(s["tags"]),
    "prompt": first_prompt(s["messages"])[:100],
} for s in rows])
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="browse_table")
picked = event.selection.rows[0] if event.selection.rows and event.selection.rows[0] < len(rows) else 0
sample = rows[picked]

st.divider()
st.subheader(f"Sample {md(sample['id'])}")
untyped_badge(sample)
history = store.revisions.list(sample["id"])
revs = [0] + [h["rev"] for h in history]
rev = st.select_slider("Revision", options=revs, value=revs[-1],
                       help="0 is the sample as imported; every later change is a revision") if len(revs) > 1 else 0
shown = store.revisions.sample_at(sample["id"], rev) if rev != sample["rev"] else sample
meta, chat = st.columns([1, 2])
with meta:
    st.write({"dataset": shown["dataset"], "task_type": shown["task_type"], "status": shown["status"],
              "split": shown["split"], "language": shown["language"], "tags": shown["tags"],
              "source": sample["source"], "revision": f"{rev} of {sample['rev']}"})
    if rev != sample["rev"] and st.button(f"Restore revision {rev}", type="primary"):
        store.revisions.restore(sample["id"], rev, current_user())
        flash(f"Restored revision {rev} as a new revision.")
        st.rerun()
with chat:
    render_messages(shown["messages"], shown.get("tools"))

if st.toggle("Find similar samples (semantic search)", key="browse_similar",
             help="The samples of this filter whose prompts mean the most nearly the same, from the embedding "
                  "cache; or type a free-text query"):
    find_similar(store, sample["id"], dataclasses.replace(f, limit=None, offset=0), key="browse_sim")

if history:
    st.subheader("History")
    st.dataframe(frame([{"rev": h["rev"], "when": h["changed_at"], "who": h["author"], "action": h["action"],
                         "changes": "; ".join(revision_changes(h["before"], h["after"])),
                         "note": h["note"]} for h in history]), hide_index=True)

st.divider()
st.subheader("Relabel in bulk")
if not active_filters(f):
    st.info("Set a filter above first (dataset, task type, status, split, tag or search text): relabelling "
            "needs one, so an empty filter can never relabel the whole store.")
    st.stop()
st.caption(f"Sets the task_type of all **{total:,}** samples matching "
           + md(describe_filter(f))
           + ". Each change is a revision.")
with st.form("relabel"):
    types = [f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()]
    target = st.selectbox("New task_type", types, index=None, placeholder="Choose the new task_type")
    confirm = (st.checkbox(f"Yes, relabel all {total:,} matching samples", key="relabel_confirm")
               if total > CONFIRM_ABOVE else True)
    if st.form_submit_button("Relabel all matching"):
        if target is None:
            st.error("Choose the new task_type first.")
        elif not confirm:
            st.error(f"{total:,} samples would change: tick the confirmation box to relabel them all.")
        else:
            try:
                out = relabel(store, f, target, current_user())
            except UserError as e:
                show_error(e)
            else:
                st.session_state.pop("relabel_confirm", None)  # the next bulk change is confirmed afresh
                flash(f"Relabelled {out['relabelled']:,} samples to {md(target)}.")
                st.rerun()
