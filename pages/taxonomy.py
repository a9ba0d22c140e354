"""Taxonomy: the two-level task_type tree with targets; add, rename, remove types and set targets."""
import plotly.express as px
import streamlit as st

from curation.errors import UserError
from curation.frames import frame
from curation.store import UNTYPED, SampleFilter
from curation.summary import overview
from curation.taxonomy import KINDS, add_type, remove_type, rename_type, set_target, two_levels
from curation.text import plotly_label
from pages._common import current_user, flash, get_store, md, show_error, show_flash

store = get_store()
st.title("Taxonomy")
show_flash()  # what the last Add / Rename / Target / Remove did (the page reran to show it)
st.caption("Every sample carries a two-level task_type (e.g. reasoning / multi-step CoT). Targets are "
           "deliberately unequal: harder types deserve more data.")

types = store.taxonomy.list()
tax = frame(types)
shown = frame([{**r, "n": max(r["samples"], 0) + 0.001, "l1": plotly_label(r["l1"]), "l2": plotly_label(r["l2"])}
               for r in types])  # Plotly renders HTML in labels: a type name is text
st.plotly_chart(px.treemap(shown, path=["kind", "l1", "l2"],
                           values="n", height=420), width="stretch")
st.dataframe(tax, hide_index=True, width="stretch")

known = {f"{r['l1']}/{r['l2']}" for r in store.taxonomy.list()}
off = [r for r in overview(store)["by_task_type"] if r["task_type"] not in known and r["task_type"] != UNTYPED]
if off:
    st.warning("Task types used by samples but missing from the taxonomy: "
               + md(", ".join(f"{r['task_type']} ({r['samples']})" for r in off)))
ov = overview(store)
if ov["untyped"]:
    st.warning(f"{ov['untyped']:,} samples are untyped.")
    if st.button("Browse untyped samples"):
        st.session_state["browse_filter"] = SampleFilter(task_type=UNTYPED)
        st.switch_page("pages/browse.py")

types = sorted(known)
add, rename, target, remove = st.tabs(["Add", "Rename", "Target", "Remove"])
with add, st.form("add"):
    value = st.text_input("New type (L1/L2)", placeholder="medical/triage")
    kind = st.selectbox("Kind", list(KINDS))
    desc = st.text_input("Description")
    if st.form_submit_button("Add"):
        try:
            added = add_type(store, value, kind, desc)
        except UserError as e:
            show_error(e)
        else:
            name = "/".join(two_levels(value))
            flash(f"Added {md(name)}." if added else f"{md(name)} is in the taxonomy already.",
                  "success" if added else "info")
            st.rerun()
with rename, st.form("rename"):
    old = st.selectbox("Type", types, key="rename_old")
    new = st.text_input("New name (L1/L2)")
    if st.form_submit_button("Rename and relabel its samples"):
        try:
            n = rename_type(store, old, new, current_user())
        except UserError as e:
            show_error(e)
        else:
            flash(f"Renamed {md(old)} to {md('/'.join(two_levels(new)))}; {n:,} samples relabelled.")
            st.rerun()
with target, st.form("target"):
    t = st.selectbox("Type", types, key="target_type")
    share = st.number_input("Target share of the set (%)", 0.0, 100.0, 0.0, 0.5)
    count = st.number_input("…or target sample count (0 = none)", 0, 10_000_000, 0)
    if st.form_submit_button("Set target"):
        try:
            set_target(store, t, share / 100 if share else None, int(count) or None)
        except UserError as e:
            show_error(e)
        else:
            what = f"{share:g}% of the set" if share else f"{int(count):,} samples" if count else "none (cleared)"
            flash(f"Target for {md(t)}: {what}.")
            st.rerun()
with remove, st.form("remove"):
    t = st.selectbox("Type", types, key="remove_type")
    st.caption("Samples keep their label; the type then shows as missing from the taxonomy.")
    if st.form_submit_button("Remove from taxonomy"):
        remove_type(store, t)
        flash(f"Removed {md(t)} from the taxonomy.")
        st.rerun()
