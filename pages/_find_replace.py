"""The Browse page's find-and-replace section: preview over the current filter, apply, undo the last replace."""
from __future__ import annotations

import dataclasses

import streamlit as st

from curation.errors import UserError
from curation.replace import ROLES, ReplaceSettings, apply, preview, undo
from curation.store import SampleFilter


def find_replace_section(store, f: SampleFilter, total: int, user: str) -> None:
    """Render the section for the samples matching `f` (`total` of them)."""
    f = dataclasses.replace(f, limit=None, offset=0)
    with st.expander("Find and replace in turn contents"):
        st.caption(f"Works on the {total:,} matching samples; ids, roles and tool calls never change. "
                   "Preview first; each changed sample gets one revision you can restore.")
        cols = st.columns(2)
        find = cols[0].text_input("Find", key="fr_find")
        repl = cols[1].text_input("Replace with", key="fr_repl")
        cols = st.columns(4)
        regex = cols[0].checkbox("Regular expression", key="fr_regex")
        ignore_case = cols[1].checkbox("Ignore case", key="fr_case")
        everything = cols[2].checkbox("All samples (no filter)", key="fr_all",
                                      help="needed when the filter above is empty")
        roles = cols[3].multiselect("Turns", ROLES, default=list(ROLES), key="fr_roles")
        s = ReplaceSettings(find=find, replace=repl, regex=regex, ignore_case=ignore_case, roles=roles)
        left, right = st.columns(2)
        if left.button("Preview", key="fr_preview"):
            _run(lambda: st.session_state.update(fr_previewed=(s, preview(store, f, s, everything))))
        shown = st.session_state.get("fr_previewed")
        if shown and shown[0] == s:
            _show_preview(shown[1])
            if shown[1]["changed"] and right.button(f"Replace in {shown[1]['changed']:,} samples", type="primary",
                                                    key="fr_apply"):
                _run(lambda: _apply(store, f, s, everything, user))
        undone = st.session_state.pop("fr_undone", None)
        if undone:
            st.success(f"Restored {undone['restored']:,} samples to their text before the replace."
                       + (f" {len(undone['skipped'])} were edited since and were left alone."
                          if undone["skipped"] else ""))
        last = st.session_state.get("fr_last")
        if last:
            st.success(f"Replaced in {last['changed']:,} samples ({last['replacements']:,} replacements).")
            if st.button("Undo this replace", key="fr_undo"):
                _run(lambda: _undo(store, last, user))


def _show_preview(p: dict) -> None:
    st.write(f"{p['changed']:,} of {p['selected']:,} samples would change ({p['replacements']:,} replacements)"
             + (f"; {len(p['refused'])} refused (the result would be invalid)" if p["refused"] else "") + ".")
    for ex in p["examples"]:
        st.caption(f"`{ex['id']}` (revision {ex['rev']}, {ex['replacements']} replacements)")
        for d in ex["diffs"]:
            st.code(f"turn {d['turn']} ({d['role']}): {d['diff']}", language=None, wrap_lines=True)
    for r in p["refused"][:5]:
        st.warning(f"`{r['id']}` is left unchanged: {r['reason']}")


def _apply(store, f, s, everything, user) -> None:
    st.session_state["fr_last"] = apply(store, f, s, user, all_samples=everything)
    st.session_state.pop("fr_previewed", None)
    st.rerun()  # the table above shows the new text


def _undo(store, last, user) -> None:
    st.session_state["fr_undone"] = undo(store, last["changes"], user)
    st.session_state.pop("fr_last", None)
    st.rerun()


def _run(action) -> None:
    try:
        action()
    except UserError as e:
        st.error(str(e))
