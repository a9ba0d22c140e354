"""The Review page: a keyboard-driven queue. Read the conversation beside its guideline, edit it, score it, decide.

Shortcuts: A accept · F needs fix · X reject · J next · K previous · E edit · Ctrl+S save the edit.
Every save names the revision it was made from: when someone else changed the sample meanwhile, the save is
refused and the conflict view shows both versions to merge by choice. Nothing is ever silently overwritten.

This lives in a module, and pages/review.py only calls `main()`, because Streamlit recompiles a page script on
every rerun while an imported module is compiled once: that keeps accept -> next sample fast.
"""
from __future__ import annotations

import copy
import json
import time

import streamlit as st

from curation.checks import CHECKS, run_checks
from curation.diffing import diff_messages, render_word_diff
from curation.errors import ConflictError, UserError
from curation.messages import ROLES as TURN_ROLES
from curation.messages import validate_messages
from curation.review import (DIFFICULTIES, DIMENSION_LABELS, DIMENSIONS, ORDERS, QueueSpec, ReviewInput,
                             conflict_fields, guideline_for, merge_versions, open_queue, role_of, save_edit,
                             save_guideline, snapshot_progress, submit_review)
from curation.store import UNTYPED
from curation.text import markdown_with_literal_html
from pages._common import (current_user, filter_widgets, get_store, md, render_messages, step_settings_form,
                           untyped_badge)
from pages._semantic import nearest_reviewed

VERDICT_BUTTONS = (("accept", "Accept", "A", "primary"), ("needs_fix", "Needs fix", "F", "secondary"),
                   ("reject", "Reject", "X", "secondary"))
ORDER_LABELS = {"flagged_first": "Flagged first", "random": "Random (seeded)", "import": "Import order",
                "judge_worst": "Judge score (worst first)"}
ss = st.session_state


# ---------------------------------------------------------------- queue
def queue_builder(store, user: str) -> None:
    """Widgets that describe a queue; "Open queue" builds it."""
    st.subheader("Build a queue")
    f = filter_widgets(store, key="rvq", default_status=["pending"])
    flag_counts = store.flags.counts()
    flag_options = ["", "*"] + [name for name, _ in flag_counts]
    flag_labels = {"": "(no flag filter)", "*": f"any check ({sum(n for _, n in flag_counts)})",
                   **{name: f"{name} ({n})" for name, n in flag_counts}}
    cols = st.columns(3)
    flagged = cols[0].selectbox("Flagged by", flag_options, format_func=flag_labels.get, key="rvq_flag")
    mine = cols[1].checkbox("Assigned to me", key="rvq_mine")
    disagreement = cols[1].checkbox("Disagreements only", key="rvq_dis",
                                    help="Samples whose reviewers differ in verdict or by 2+ points on a score")
    hide = cols[2].checkbox("Hide samples I reviewed", value=True, key="rvq_hide")
    cols = st.columns(3)
    order = cols[0].radio("Order", ORDERS, format_func=ORDER_LABELS.get, key="rvq_order", horizontal=True)
    seed = cols[1].number_input("Seed", value=0, step=1, key="rvq_seed", disabled=order != "random")
    dedup_run, dedup_cluster = _dedup_choice(store, cols[2])
    spec = QueueSpec(filter=f, flagged=flagged or None, assigned_to=user if mine else None,
                     disagreement=disagreement, dedup_run=dedup_run, dedup_cluster=dedup_cluster,
                     hide_reviewed_by=user if hide else None, order=order, seed=int(seed))
    if st.button("Open queue", type="primary", key="rvq_open"):
        ss.rv_queue = open_queue(store, spec)
        ss.rv_ids, ss.rv_pos, ss.rv_building = ss.rv_queue.ids, 0, False
        st.rerun()
    with st.expander("Pre-flag checks: run again on this filter"):
        names = st.multiselect("Checks", CHECKS.names(), default=CHECKS.names(), key="rvq_checks")
        settings = step_settings_form(CHECKS, names, "rvq_set")
        if st.button("Run checks now", key="rvq_run_checks"):
            with st.spinner("Checking…"):
                rep = run_checks(store, f, names, settings, author=user)
            st.success(f"Checked {rep.samples} samples: {rep.flagged_samples} flagged "
                       f"({', '.join(f'{k} {v}' for k, v in rep.flags.items()) or 'nothing'}). "
                       "Checks never change a sample; they only move it up a flagged-first queue.")


def _dedup_choice(store, col) -> tuple[int | None, int | None]:
    """A dedup run and cluster to review, when dedup runs exist."""
    runs = store.dedup.runs.list(20)
    if not runs:
        col.caption("Dedup clusters: no dedup run yet")
        return None, None
    labels = {None: "(no dedup filter)", **{r["id"]: f"run {r['id']} · {r['method']}" for r in runs}}
    run = col.selectbox("Dedup run", list(labels), format_func=labels.get, key="rvq_dedup")
    if run is None:
        return None, None
    cluster = col.number_input("Cluster (-1 = all clusters)", value=-1, min_value=-1, step=1, key="rvq_cluster")
    return run, None if cluster < 0 else int(cluster)


def progress_bar(store, user: str) -> None:
    p = snapshot_progress(store, ss.rv_queue, user)
    total, pos = p["total"], ss.rv_pos
    st.progress(p["reviewed"] / total if total else 1.0,
                text=f"Reviewed {p['reviewed']:,} / {total:,} in this queue · mine today {p['mine_today']:,} · "
                     f"at {min(pos + 1, total):,}")


# ---------------------------------------------------------------- per-sample state
def base_of(store, sid: str) -> dict:
    """The version the reviewer opened: saves are checked against it, so a stale save is caught."""
    bases = ss.setdefault("rv_base", {})
    if sid not in bases:
        bases[sid] = store.samples.get(sid)
        ss.setdefault("rv_shown", {})[sid] = time.monotonic()
    return bases[sid]


def forget(sid: str) -> None:
    """Drop what the page holds about a sample once it is done with."""
    for key in ("rv_base", "rv_draft", "rv_shown", "rv_conflict"):
        ss.get(key, {}).pop(sid, None)
    ss.get("rv_editing", set()).discard(sid)


def move(step: int) -> None:
    sid = ss.rv_ids[ss.rv_pos] if ss.rv_pos < len(ss.rv_ids) else None
    if sid and sid not in ss.get("rv_draft", {}):
        forget(sid)  # keep the snapshot only while an unsaved edit depends on it
    ss.rv_pos = max(0, min(len(ss.rv_ids), ss.rv_pos + step))


def _content_text(content) -> str:
    """A turn's content for its edit box: an older store may hold content that is not text (then its JSON)."""
    if content is None or isinstance(content, str):
        return content or ""
    return json.dumps(content, ensure_ascii=False)


def draft_messages(sid: str) -> list[dict]:
    """The edited conversation as the edit widgets hold it now."""
    draft = ss.rv_draft[sid]
    n = draft["nonce"]
    out = []
    for i, m in enumerate(draft["messages"]):
        turn = {k: v for k, v in m.items() if k not in ("role", "content", "tool_calls")}
        picked = ss.get(f"rv_role_{sid}_{n}_{i}")
        turn["role"] = picked if picked in TURN_ROLES else m.get("role")  # an unknown role stays until changed
        turn["content"] = ss.get(f"rv_turn_{sid}_{n}_{i}", _content_text(m.get("content")))
        calls = ss.get(f"rv_calls_{sid}_{n}_{i}")
        if calls is not None and calls.strip():
            try:
                turn["tool_calls"] = json.loads(calls)
            except json.JSONDecodeError as e:
                raise UserError(f"turn {i + 1}: tool calls are not valid JSON ({e.msg})") from None
        elif m.get("tool_calls") and calls is None:
            turn["tool_calls"] = m["tool_calls"]
        out.append(turn)
    return out


def pending_changes(sid: str) -> dict:
    """Content the reviewer changed but has not saved."""
    base, changes = ss.rv_base[sid], {}
    if sid in ss.get("rv_editing", set()) and sid in ss.get("rv_draft", {}):
        msgs = draft_messages(sid)
        if msgs != base["messages"]:
            changes["messages"] = msgs
    tt = ss.get(f"rv_tt_{sid}")
    if tt is not None and tt != (base.get("task_type") or UNTYPED):
        changes["task_type"] = tt
    return changes


# ---------------------------------------------------------------- actions (button callbacks)
def save_pending(store, user: str, sid: str, explicit: bool = False) -> bool:
    """Save the pending edit, if any, as a revision. False when it could not be saved (error or conflict)."""
    try:
        changes = pending_changes(sid)
        if not changes:
            if explicit:  # a box's text counts once applied (Ctrl+Enter or leaving the box)
                ss.rv_toast = "Nothing to save: apply the box you are typing in with Ctrl+Enter first"
            return True
        new = save_edit(store, sid, user, changes, ss.rv_base[sid]["rev"])
    except ConflictError as e:
        open_conflict(store, sid, e, changes)
        return False
    except UserError as e:
        ss.rv_error = str(e)
        return False
    ss.rv_base[sid] = new
    ss.get("rv_draft", {}).pop(sid, None)
    ss.get("rv_editing", set()).discard(sid)
    ss.pop(f"rv_tt_{sid}", None)
    ss.rv_toast = f"Saved revision {new['rev']}"
    return True


def verdict(store, user: str, sid: str, value: str) -> None:
    if not save_pending(store, user, sid):
        return
    review = ReviewInput(value, *(ss.get(f"rv_{d}_{sid}") for d in DIMENSIONS), ss.get(f"rv_diff_{sid}"),
                         ss.get(f"rv_note_{sid}"))
    seconds = time.monotonic() - ss.get("rv_shown", {}).get(sid, time.monotonic())
    try:
        res = submit_review(store, sid, user, review, ss.rv_base[sid]["rev"], seconds=round(seconds, 1))
    except ConflictError as e:
        open_conflict(store, sid, e, {})
        return
    except UserError as e:
        ss.rv_error = str(e)
        return
    ss.rv_toast = f"{dict((v, lbl) for v, lbl, _, _ in VERDICT_BUTTONS)[value]} · status {res['status']}"
    forget(sid)
    ss.rv_pos += 1


def open_conflict(store, sid: str, err: ConflictError, mine: dict) -> None:
    ss.setdefault("rv_conflict", {})[sid] = {"message": str(err), "mine": mine,
                                             "theirs": err.current or store.samples.get(sid)}


def merge(store, user: str, sid: str) -> None:
    c = ss.rv_conflict[sid]
    base, theirs = ss.rv_base[sid], c["theirs"]
    choices = {f: ss.get(f"rv_pick_{sid}_{f}") for f in ("messages", "tools", "task_type")}
    turns = {i: ss.get(f"rv_pickturn_{sid}_{i}") for i in range(len(theirs["messages"]))}
    try:
        merged = merge_versions(base, c["mine"], theirs, choices, {i: v for i, v in turns.items() if v})
        new = save_edit(store, sid, user, merged, theirs["rev"], note="merged after a conflict") if merged else \
            store.samples.get(sid)
    except ConflictError as e:  # yet another save landed: show the newest version
        open_conflict(store, sid, e, c["mine"])
        return
    except UserError as e:
        ss.rv_error = str(e)
        return
    forget(sid)
    ss.setdefault("rv_base", {})[sid] = new
    ss.rv_toast = f"Merged: revision {new['rev']}" if merged else "Took the saved version"


def discard(sid: str) -> None:
    forget(sid)


def start_edit(sid: str) -> None:
    editing = ss.setdefault("rv_editing", set())
    if sid in editing:
        editing.discard(sid)
        ss.get("rv_draft", {}).pop(sid, None)
        return
    editing.add(sid)
    ss.setdefault("rv_draft", {})[sid] = {"messages": editable_turns(ss.rv_base[sid]["messages"]), "nonce": 0}


def editable_turns(messages) -> list[dict]:
    """A copy of the stored turns that the edit widgets can hold: an older store may keep a turn that is not an
    object (it opens as a turn with no role and its text or JSON as content, for the reviewer to fix)."""
    turns = copy.deepcopy(messages if isinstance(messages, list) else [messages])
    return [m if isinstance(m, dict) else {"content": _content_text(m)} for m in turns]


def _role_label(role: str) -> str:
    return role if role in TURN_ROLES else f"⚠ {role} (not a role: pick one)"


def _role_options(role) -> list[str]:
    """The roles a turn's select box offers: a stored role that is no valid one comes first, as found, so the
    reviewer sees it and picks a real one (the save is refused until then)."""
    if role in TURN_ROLES:
        return list(TURN_ROLES)
    shown = role if isinstance(role, str) else "(no role)" if role is None else json.dumps(role, default=str)
    return [shown, *TURN_ROLES]


def change_turns(sid: str, remove: int | None = None) -> None:
    """Add a turn (of the role picked) or remove one; widget keys change so the boxes show the new layout."""
    draft = ss.rv_draft[sid]
    try:
        msgs = draft_messages(sid)
    except UserError as e:
        ss.rv_error = str(e)
        return
    if remove is None:
        msgs.append({"role": ss.get(f"rv_newrole_{sid}", "user"), "content": ""})
    else:
        msgs.pop(remove)
    draft["messages"], draft["nonce"] = msgs, draft["nonce"] + 1


def restore(store, user: str, sid: str, rev: int) -> None:
    try:
        new = store.revisions.restore(sid, rev, user)
    except UserError as e:
        ss.rv_error = str(e)
        return
    forget(sid)
    ss.setdefault("rv_base", {})[sid] = new
    ss.rv_toast = f"Restored revision {rev} as revision {new['rev']}"


# ---------------------------------------------------------------- rendering
def sample_header(sample: dict, flags: list[dict]) -> None:
    st.text(f"{sample['id']} · {sample['dataset']} · {sample.get('task_type') or UNTYPED} · "
            f"status {sample['status']} · revision {sample['rev']} · {sample.get('language')}")
    untyped_badge(sample)
    for fl in flags:
        with st.container(border=True):
            st.text(f"⚑ {fl['check_name']}: {fl['reason']}")
            st.code(fl["evidence"], language=None, wrap_lines=True)


def edit_view(sid: str) -> None:
    draft = ss.rv_draft[sid]
    n = draft["nonce"]
    for i, m in enumerate(draft["messages"]):
        with st.container(border=True):
            c1, c2 = st.columns([5, 1])
            c1.selectbox(f"Turn {i + 1} role", _role_options(m.get("role")), index=0 if m.get("role") not in
                         TURN_ROLES else TURN_ROLES.index(m["role"]), format_func=_role_label,
                         key=f"rv_role_{sid}_{n}_{i}")
            c2.button("Remove", key=f"rv_rm_{sid}_{n}_{i}", on_click=change_turns, args=(sid, i),
                      help="Remove this turn")
            text = _content_text(m.get("content"))
            st.text_area(f"Turn {i + 1} content", value=text, key=f"rv_turn_{sid}_{n}_{i}",
                         height=max(68, min(400, 24 * (1 + text.count("\n")))),
                         label_visibility="collapsed")
            if m.get("tool_calls"):
                st.text_area("Tool calls (JSON)", value=json.dumps(m["tool_calls"], ensure_ascii=False, indent=1),
                             key=f"rv_calls_{sid}_{n}_{i}")
    c1, c2 = st.columns([3, 1])
    c1.selectbox("Role of a new turn", TURN_ROLES, index=1, key=f"rv_newrole_{sid}")
    c2.button("Add turn", key=f"rv_add_{sid}_{n}", on_click=change_turns, args=(sid,))
    try:
        problems = validate_messages(draft_messages(sid))
    except UserError as e:
        problems = [str(e)]
    if problems:
        st.warning("Not valid yet, so it cannot be saved:\n\n" + "\n".join(f"- {p}" for p in problems))


def conflict_view(store, user: str, sid: str) -> None:
    c = ss.rv_conflict[sid]
    base, theirs, mine = ss.rv_base[sid], c["theirs"], c["mine"]
    st.error(f"Not saved: {c['message']}. Nothing was overwritten. Compare the versions and choose.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Your version**")
        st.text(f"task type: {mine.get('task_type', base.get('task_type')) or UNTYPED}")
        render_messages(mine.get("messages", base["messages"]), base.get("tools"))
    with right:
        st.markdown(f"**Saved version** (revision {theirs['rev']})")
        st.text(f"task type: {theirs.get('task_type') or UNTYPED} · status {theirs['status']}")
        render_messages(theirs["messages"], theirs.get("tools"))
    with st.expander("What changed on each side (word diff against the version you opened)"):
        for who, msgs in (("They changed", theirs["messages"]), ("You changed", mine.get("messages"))):
            if msgs is not None:
                st.markdown(f"**{md(who)}**")
                _diff_blocks(base["messages"], msgs)
    both = conflict_fields(base, mine, theirs)
    for f in both:
        if f == "messages" and len(mine["messages"]) == len(theirs["messages"]) == len(base["messages"]):
            for i, (m, t, b) in enumerate(zip(mine["messages"], theirs["messages"], base["messages"])):
                if m != t and m != b and t != b:
                    st.radio(f"Turn {i + 1} ({t['role']}): keep", ["mine", "theirs"], horizontal=True,
                             key=f"rv_pickturn_{sid}_{i}")
        else:
            st.radio(f"Both changed {f}: keep", ["mine", "theirs"], horizontal=True, key=f"rv_pick_{sid}_{f}")
    c1, c2 = st.columns(2)
    c1.button("Save merged version", type="primary", key=f"rv_merge_{sid}", on_click=merge, args=(store, user, sid),
              disabled=not mine, help="Changes only one side made are kept automatically")
    c2.button("Discard my edit, take theirs", key=f"rv_discard_{sid}", on_click=discard, args=(sid,))


def _diff_blocks(old: list[dict], new: list[dict]) -> None:
    changed = [d for d in diff_messages(old, new) if d.change != "unchanged"]
    if not changed:
        st.caption("No change to the conversation.")
    for d in changed:
        st.text(f"turn {d.turn} · {d.role} · {d.change} (+{d.inserted} / −{d.deleted} words)")
        st.code(render_word_diff(d.ops), language=None, wrap_lines=True)


def guideline_panel(store, user: str, role: str, sample: dict) -> None:
    tt = sample.get("task_type")
    g = guideline_for(store, tt)
    with st.container(border=True):
        if g:
            st.caption(f"Guideline for {md(g['task_type'])} · v{g['version']} by {md(g['author'])}")
            st.markdown(markdown_with_literal_html(g["body"]))  # formatting yes; remote images no
        else:
            st.caption(f"No guideline for {md(tt or UNTYPED)} yet" + (" — write one below." if role == "lead" else
                                                                  "; ask a lead to write one."))
    if role != "lead":
        return
    with st.expander("Edit guideline (lead)"):
        l1 = (tt or "").split("/")[0]
        scopes = [s for s in (tt if sample.get("task_l2") else None, l1 or None, "*") if s]
        sid = sample["id"]
        with st.form(f"rv_guide_{sid}"):
            st.selectbox("Applies to", scopes, key=f"rv_gscope_{sid}",
                         help='"*" is the default for every task type without one')
            st.text_area("Markdown", value=g["body"] if g else "", height=200, key=f"rv_gbody_{sid}")
            st.form_submit_button("Save guideline", on_click=write_guideline, args=(store, user, sid))


def write_guideline(store, user: str, sid: str) -> None:
    """Form callback, so the new guideline shows in the same rerun."""
    scope = ss.get(f"rv_gscope_{sid}")
    try:
        v = save_guideline(store, user, scope, ss.get(f"rv_gbody_{sid}", ""))
    except UserError as e:
        ss.rv_error = str(e)
        return
    ss.rv_toast = f"Guideline for {scope} saved (v{v})"


def review_panel(store, user: str, sample: dict) -> None:
    sid = sample["id"]
    prior = store.review.list(sample_id=sid, annotator=user)
    prior = prior[-1] if prior else {}
    types = ss.get("rv_types") or ss.setdefault("rv_types", store.taxonomy.types())
    current_tt = sample.get("task_type") or UNTYPED
    options = ([current_tt] if current_tt not in types else []) + types
    st.selectbox("Task type (relabel)", options, index=options.index(current_tt), key=f"rv_tt_{sid}")
    for d in DIMENSIONS:
        st.radio(DIMENSION_LABELS[d], [1, 2, 3, 4, 5], horizontal=True, key=f"rv_{d}_{sid}",
                 index=prior[d] - 1 if prior.get(d) else None)
    st.radio("Difficulty", DIFFICULTIES, horizontal=True, key=f"rv_diff_{sid}",
             index=DIFFICULTIES.index(prior["difficulty"]) if prior.get("difficulty") else None)
    st.text_area("Note", value=prior.get("note") or "", key=f"rv_note_{sid}", height=68,
                 placeholder="Why: what is wrong, what you fixed…")
    cols = st.columns(3)
    for col, (value, label, key, kind) in zip(cols, VERDICT_BUTTONS):
        col.button(label, key=f"rv_v_{value}", type=kind, shortcut=key, on_click=verdict,
                   args=(store, user, sid, value), width="stretch")
    if prior.get("verdict"):
        st.caption(f"Your earlier verdict: {prior['verdict']} (revision {prior['sample_rev']})")


def history_panel(store, user: str, sid: str) -> None:
    hist = store.revisions.list(sid)
    if not hist:
        st.caption("No revisions yet: this is the sample as imported.")
        return
    st.dataframe([{k: r[k] for k in ("rev", "changed_at", "author", "action", "note")} for r in hist],
                 hide_index=True)
    revs = [r["rev"] for r in hist]
    rev = st.selectbox("Compare the original (revision 0) with revision", revs[::-1], key=f"rv_hrev_{sid}")
    old, new = store.revisions.sample_at(sid, 0), store.revisions.sample_at(sid, rev)
    if old.get("task_type") != new.get("task_type"):
        st.text(f"task type: {old.get('task_type') or UNTYPED} → {new.get('task_type') or UNTYPED}")
    if old["status"] != new["status"]:
        st.text(f"status: {old['status']} → {new['status']}")
    st.caption("Word diff: [-removed-] {+added+}; Chinese is compared character by character.")
    _diff_blocks(old["messages"], new["messages"])
    st.button(f"Restore revision {rev}", key=f"rv_restore_{sid}", on_click=restore, args=(store, user, sid, rev),
              help="Makes that version current again, as a new revision")


# ---------------------------------------------------------------- page
def main() -> None:
    store = get_store()
    user = current_user()
    st.title("Review")
    role = role_of(store, user)
    if role is None:
        st.info("Pick or create your profile in the sidebar to start reviewing: every edit and verdict is "
                "recorded under it.")
        return
    if "rv_ids" not in ss or ss.get("rv_building"):
        queue_builder(store, user)
        return
    if msg := ss.pop("rv_toast", None):
        st.toast(msg)
    top = st.columns([5, 1])
    with top[0]:
        progress_bar(store, user)
    top[1].button("Change queue", key="rv_change", on_click=lambda: ss.update(rv_building=True))
    if ss.rv_pos >= len(ss.rv_ids):
        st.success("You reached the end of this queue.")
        st.button("◀ Previous", key="rv_prev_end", shortcut="K", on_click=move, args=(-1,))
        return
    sid = ss.rv_ids[ss.rv_pos]
    sample = base_of(store, sid)
    if err := ss.pop("rv_error", None):
        st.error(err)
    nav = st.columns([1, 1, 1, 4])
    nav[0].button("◀ Previous", key="rv_prev", shortcut="K", on_click=move, args=(-1,), disabled=ss.rv_pos == 0)
    nav[1].button("Next ▶", key="rv_next", shortcut="J", on_click=move, args=(1,))
    editing = sid in ss.get("rv_editing", set())
    nav[2].button("Stop editing" if editing else "Edit", key="rv_edit", shortcut="E", on_click=start_edit,
                  args=(sid,))
    nav[3].caption("Keys: A accept · F needs fix · X reject · J next · K previous · E edit · "
                   "Ctrl+Enter apply box · Ctrl+S save")
    left, right = st.columns([3, 2], gap="large")
    with left:
        sample_header(sample, store.flags.list(sid))
        if sid in ss.get("rv_conflict", {}):
            conflict_view(store, user, sid)
        elif editing:
            edit_view(sid)
        else:
            render_messages(sample["messages"], sample.get("tools"))
        st.button("Save edit", key="rv_save", shortcut="Ctrl+S", on_click=save_pending,
                  args=(store, user, sid, True),
                  help="Save your edit and relabel as a new revision, without a verdict. While typing in a box, "
                       "Ctrl+Enter applies it first.")
    with right:
        guideline_panel(store, user, role, sample)
        review_panel(store, user, sample)
    if st.toggle("History and word diff against the original", key="rv_history"):
        history_panel(store, user, sid)
    if st.toggle("Nearest reviewed samples and their verdicts", key="rv_nearest",
                 help="The most similar prompts colleagues already decided on (from the embedding cache)"):
        nearest_reviewed(store, sid)
