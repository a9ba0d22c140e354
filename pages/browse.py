"""Browse: filter samples, read one as a chat, trace and restore its revisions, relabel in bulk."""
import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.store import SampleFilter, parse_task_type
from pages._common import current_user, filter_widgets, get_store, render_messages, untyped_badge

PAGE_SIZE = 100
store = get_store()
st.title("Browse")

linked = st.session_state.get("browse_filter")
if isinstance(linked, SampleFilter):
    st.info(f"Showing the samples you clicked through to: {linked.to_dict()}")
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
if not rows:
    st.stop()

table = frame([{
    "id": s["id"], "dataset": s["dataset"], "task_type": s["task_type"] or "(untyped)", "status": s["status"],
    "language": s["language"], "turns": s["n_turns"], "tags": ", ".join(s["tags"]),
    "prompt": next((m["content"] for m in s["messages"] if m["role"] == "user"), "")[:100],
} for s in rows])
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="browse_table")
picked = event.selection.rows[0] if event.selection.rows else 0
sample = rows[picked]

st.divider()
st.subheader(f"Sample `{sample['id']}`")
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
        st.success(f"Restored revision {rev} as a new revision.")
        st.rerun()
with chat:
    render_messages(shown["messages"], shown.get("tools"))

if history:
    st.subheader("History")
    st.dataframe(frame([{"rev": h["rev"], "when": h["changed_at"], "who": h["author"], "action": h["action"],
                                "changed": ", ".join(h["after"]), "note": h["note"]} for h in history]),
                 hide_index=True)

st.divider()
with st.form("relabel"):
    st.subheader("Relabel in bulk")
    st.caption(f"Sets the task_type of all {total:,} matching samples; each change is a revision.")
    types = [f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()]
    target = st.selectbox("New task_type", types)
    if st.form_submit_button("Relabel all matching"):
        l1, l2 = parse_task_type(target)
        try:
            n = store.samples.update_many(SampleFilter(**{**f.__dict__, "limit": None, "offset": 0}),
                                  {"task_l1": l1, "task_l2": l2}, current_user(), "relabel")
            st.success(f"Relabelled {n:,} samples to {target}.")
        except UserError as e:
            st.error(str(e))
