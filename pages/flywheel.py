"""Flywheel: import production chat logs as candidates (PII scrubbed first), see which sessions the value rules
picked and why, and promote the good ones into a dataset (with a human or a model's answer). Candidates are never
exported until promoted; their feedback labels download as preference data."""
import os

import streamlit as st

from curation.errors import UserError
from curation.flywheel.candidates import (LogImportSettings, answer_candidates, candidate_detail, dismiss,
                                          import_logs, overview, promote)
from curation.flywheel.logs import SHAPES, parse_log_mapping
from curation.flywheel.pii import SCRUBBERS
from curation.flywheel.preferences import FORMATS, KINDS, PreferenceSettings, preference_jsonl
from curation.flywheel.rules.base import VALUE_RULES, default_rules
from curation.frames import frame
from curation.store.candidates import STATES
from pages._common import (current_user, flash, get_store, md, render_messages, save_upload, show_error, show_flash,
                           step_settings_form)

ENCODINGS = ["auto", "utf-8", "gb18030", "utf-16", "big5"]
store = get_store()
st.title("Flywheel")
st.caption("Production logs become candidates, not training data: personal data and secrets are replaced before "
           "anything is stored, value rules pick the sessions worth a reviewer's time (each with its reason), and "
           "nothing reaches an export until it is promoted into a dataset, with its history.")
show_flash()


def import_section() -> None:
    st.subheader("Import logs")
    uploads = st.file_uploader("Log files (JSONL)", accept_multiple_files=True, type=["jsonl", "json", "log"],
                               key="fw_files")
    c = st.columns(3)
    shape = c[0].selectbox("Log shape", SHAPES, key="fw_shape",
                           help="openai: request/response lines; turns: a session id with turns (or one turn a "
                                "line); mapped: any JSONL through the field mapping")
    mapping = c[1].text_input("Field mapping", key="fw_map", placeholder="session=conv,role=speaker,content=text",
                              help="KEY=FIELD pairs: session, role and content (a turn per line) or prompt and answer "
                                   "(a pair per line); time, thumbs, rating, comment")
    encoding = c[2].selectbox("Encoding", ENCODINGS, key="fw_enc", help="auto: UTF-8, falling back to GBK/GB18030")
    c = st.columns(3)
    max_line_mb = c[0].number_input("Max line size (MB)", 1.0, 1024.0, 32.0, 1.0, key="fw_mlm")
    rules = c[1].multiselect("Value rules", VALUE_RULES.names(), default=default_rules(), key="fw_rules",
                             help="novelty loads the embedding model (vectors are cached in the store)")
    dedup = c[2].checkbox("Mark prompts already in the store as duplicates", True, key="fw_dedup")
    near = c[2].checkbox("Also near-duplicates (MinHash Jaccard ≥ 0.8)", False, key="fw_near", disabled=not dedup,
                         help="hashes every stored prompt: seconds per 100k samples")
    rule_settings = step_settings_form(VALUE_RULES, rules, "fw_set")
    pii = step_settings_form(SCRUBBERS, SCRUBBERS.names(), "fw_pii")["pii"]
    if not st.button("Import as candidates", type="primary", disabled=not uploads, key="fw_import"):
        return
    try:
        paths = [save_upload(up, "uploads") for up in uploads]
        parsed = parse_log_mapping(mapping.strip() or None)
        settings = LogImportSettings(shape="mapped" if parsed and shape == "auto" else shape, mapping=parsed,
                                     encoding=None if encoding == "auto" else encoding, max_line_mb=max_line_mb,
                                     rules=tuple(r for r in rules if r != "novelty"), novelty="novelty" in rules,
                                     dedup=dedup, near_dup_threshold=0.8 if dedup and near else None, pii=pii,
                                     rule_settings=rule_settings)
        with st.spinner("Reading, scrubbing and picking…"):
            rep = import_logs(store, paths, settings)
    except UserError as e:
        show_error(e)
        return
    st.session_state["fw_report"] = rep.to_dict()
    flash(f"Import #{rep.ingest_id}: {rep.candidates:,} candidates from {rep.sessions:,} sessions, {rep.picked:,} "
          f"picked, {rep.duplicates:,} duplicates, {rep.quarantined:,} lines quarantined, "
          f"{sum(rep.redactions.values()):,} PII redactions")
    st.rerun()


def last_report() -> None:
    rep = st.session_state.get("fw_report")
    if not rep:
        return
    with st.expander(f"Last import #{rep['ingest_id']}", expanded=bool(rep["errors"])):
        c = st.columns(4)
        c[0].metric("Sessions", f"{rep['sessions']:,}")
        c[1].metric("New candidates", f"{rep['candidates']:,}")
        c[2].metric("Duplicates", f"{rep['duplicates']:,}")
        c[3].metric("Quarantined lines", f"{rep['quarantined']:,}")
        for n in rep["notices"]:
            st.info(md(f"{n['file']}: {n['notice']}"))
        if rep["errors"]:
            st.caption("Lines that could not be read (all of them are in Quarantine):")
            st.dataframe(frame(rep["errors"]), hide_index=True, width="stretch")


def candidates_section() -> None:
    st.subheader("Candidates")
    runs = [r for r in store.ingests.list() if str(r["format"]).startswith("log:")]
    c = st.columns(4)
    run = c[0].selectbox("Log import", [None, *[r["id"] for r in runs]], key="fw_run",
                         format_func=lambda i: "all" if i is None else f"#{i}")
    state = c[1].selectbox("State", ["candidate", *[s for s in STATES if s != "candidate"], "all"], key="fw_state")
    rule = c[2].selectbox("Picked by", [None, *VALUE_RULES.names()], key="fw_rule",
                          format_func=lambda r: "any rule or none" if r is None else r)
    picked = c[3].checkbox("Only picked sessions", key="fw_picked")
    try:
        ov = overview(store, run, None if state == "all" else state, picked, rule)
    except UserError as e:
        show_error(e)
        return
    m = st.columns(len(STATES))
    for col, s in zip(m, STATES):
        col.metric(s.capitalize(), f"{ov['states'][s]:,}")
    left, right = st.columns(2)
    left.caption("PII redactions per rule")
    left.dataframe(frame([{"rule": k, "redactions": v} for k, v in ov["redactions"].items()]), hide_index=True,
                   width="stretch")
    right.caption("Sessions picked per value rule")
    right.dataframe(frame([{"rule": k, "sessions": v} for k, v in ov["picks"].items()] or
                          [{"rule": "(none yet)", "sessions": 0}]), hide_index=True, width="stretch")
    rows = ov["candidates"]
    if not rows:
        st.info("No candidates match. Import a log above, or change the filters.")
        return
    st.caption(f"{ov['total']:,} candidates match; the first {len(rows):,}, picked sessions first.")
    st.dataframe(frame([_row(c) for c in rows]), hide_index=True, width="stretch")
    detail(rows)
    promote_form(rows)


def _row(c: dict) -> dict:
    first = next((m["content"] for m in c["messages"] if m["role"] == "user"), "")
    return {"id": c["id"], "state": c["state"], "session": c["session_id"], "turns": c["n_turns"],
            "reasons": " | ".join(p["reason"] for p in c["picks"]), "prompt": " ".join(first.split())[:100],
            "feedback": ", ".join(f.get("thumbs") or f"rating {f.get('rating')}" for f in c["feedback"]),
            "answer": "yes" if c["has_answer"] else "no", "duplicate of": c["duplicate_of"] or ""}


def detail(rows: list[dict]) -> None:
    cid = st.selectbox("Look at a candidate", [c["id"] for c in rows], key="fw_one")
    c = candidate_detail(store, cid)
    with st.expander(f"Candidate {cid}", expanded=True):
        for p in c["picks"]:
            st.warning(md(f"{p['rule']}: {p['reason']} — {p['evidence']}"))
        if c["feedback"]:
            st.caption(md("Feedback: " + "; ".join(str(f) for f in c["feedback"])))
        if c["redactions"]:
            st.caption(md("Redacted: " + ", ".join(f"{r['rule']} (turn {r['turn'] + 1 if r['turn'] is not None else '-'})"
                                                    for r in c["redactions"])))
        render_messages(c["messages"])


def promote_form(rows: list[dict]) -> None:
    st.subheader("Promote into a dataset")
    open_rows = [c for c in rows if c["state"] != "promoted"]
    ids = st.multiselect("Candidates", [c["id"] for c in open_rows], key="fw_ids")
    c = st.columns(2)
    dataset = c[0].text_input("Target dataset", key="fw_dataset", placeholder="flywheel")
    task_type = c[1].text_input("Task type (L1/L2, optional)", key="fw_tt")
    answer = None
    lone = [r for r in open_rows if r["id"] in ids and not r["has_answer"]]
    if len(ids) == 1 and lone:
        answer = st.text_area("Answer", key="fw_answer", help="this session's log has only the prompt: write the "
                                                              "answer it should get") or None
    elif lone:
        st.caption("Prompt-only sessions need an answer: pick them one at a time to write it here, or have a model "
                   "answer them below (answer production).")
    note = st.text_input("Note (kept in each sample's history)", key="fw_note")
    b = st.columns(2)
    if b[0].button("Promote", type="primary", disabled=not ids, key="fw_promote"):
        try:
            rep = promote(store, ids, dataset, current_user(), task_type.strip() or None,
                          {ids[0]: answer} if answer else None, note.strip() or None)
        except UserError as e:
            show_error(e)
            return
        flash(f"Promoted {len(rep.promoted):,} candidates into {rep.dataset}: "
              + ", ".join(f"{p['sample']} ({p['status']})" for p in rep.promoted))
        st.rerun()
    if b[1].button("Dismiss", disabled=not ids, key="fw_dismiss"):
        try:
            n = dismiss(store, ids, current_user(), note.strip() or None)
        except UserError as e:
            show_error(e)
            return
        flash(f"Dismissed {n:,} candidates", "info")
        st.rerun()
    if lone:
        answer_form(ids, dataset, task_type)


def answer_form(ids: list[str], dataset: str, task_type: str) -> None:
    """Prompt-only candidates answered by a model (answer production), then promoted into the dataset."""
    from curation.llm.client import EndpointSettings
    with st.expander("Answer with a model", expanded=True):
        st.caption("Sends the chosen prompt-only candidates (one user turn each) to answer production: its dedup and "
                   "format checks apply, and each new sample's history names its candidate.")
        c = st.columns(3)
        base_url = c[0].text_input("Base URL", os.environ.get("CURATION_LLM_BASE_URL", "http://127.0.0.1:8765/v1"),
                                   key="fw_base_url", help="an OpenAI-compatible endpoint (usually ends in /v1)")
        model = c[1].text_input("Model", os.environ.get("CURATION_LLM_MODEL", "tiny"), key="fw_model")
        key_env = c[2].text_input("API key variable", "OPENAI_API_KEY", key="fw_key_env",
                                  help="NAME of the environment variable holding the key; the key is never stored")
        if not st.button("Answer and promote", disabled=not ids, key="fw_answer_model"):
            return
        try:
            endpoint = EndpointSettings(base_url=base_url.strip(), model=model.strip(), api_key_env=key_env.strip())
            with st.spinner("Answering…"):
                rep = answer_candidates(store, ids, endpoint, dataset, current_user(), task_type.strip() or None)
        except UserError as e:
            show_error(e)
            return
    left = f"; not answered (dropped by answer production's checks): {', '.join(rep['not_answered'])}" \
        if rep["not_answered"] else ""
    flash(f"Answered and promoted {len(rep['promoted']):,} candidates into {dataset.strip()}: "
          + ", ".join(f"{p['sample']}" for p in rep["promoted"]) + left)
    st.rerun()


def preference_section() -> None:
    """The feedback labels as preference data (DPO pairs or KTO rows), downloaded as JSONL."""
    st.subheader("Preference data")
    st.caption("Users' thumbs and ratings of logged answers: DPO pairs where a prompt has a liked and a disliked "
               "answer (a disliked answer that its promoted sample replaced pairs with the replacement), or one KTO "
               "row per judged answer.")
    c = st.columns(4)
    kind = c[0].selectbox("Kind", KINDS, key="fw_pref_kind", help="dpo: chosen/rejected pairs; kto: prompt, "
                                                                 "completion, label")
    fmt = c[1].selectbox("Format", FORMATS, key="fw_pref_format", help="trl: TRL's conversational types; "
                         "llamafactory: its ShareGPT ranking / kto_tag format")
    like = c[2].number_input("Liked rating at least", 0.0, 100.0, 4.0, 0.5, key="fw_pref_like")
    dislike = c[3].number_input("Disliked rating at most", 0.0, 100.0, 2.0, 0.5, key="fw_pref_dislike")
    fixes = st.checkbox("Pair disliked answers with their replacement in the promoted sample", True, key="fw_pref_fix")
    if st.button("Build preference data", key="fw_pref_build"):
        try:
            data, rep = preference_jsonl(store, PreferenceSettings(kind=kind, format=fmt, like_min_rating=like,
                                                                   dislike_max_rating=dislike, use_fixes=fixes))
        except UserError as e:
            show_error(e)
            return
        st.session_state["fw_pref"] = (data, rep.to_dict())
    built = st.session_state.get("fw_pref")
    if not built:
        return
    data, rep = built
    m = st.columns(5)
    m[0].metric("Candidates with feedback", f"{rep['candidates']:,}")
    m[1].metric("Liked answers", f"{rep['liked']:,}")
    m[2].metric("Disliked answers", f"{rep['disliked']:,}")
    m[3].metric("Prompts with both", f"{rep['prompts_with_both']:,}")
    m[4].metric("Records", f"{rep['records']:,}")
    if not rep["records"]:
        st.info("Nothing to download yet: DPO needs a prompt with both a liked and a disliked answer.")
        return
    if rep["dataset_info"]:
        st.caption("LLaMA-Factory dataset_info.json entry (set file_name to the downloaded file's name):")
        st.json(rep["dataset_info"])
    st.download_button(f"Download {rep['records']:,} {rep['kind'].upper()} records (JSONL)", data,
                       file_name=f"flywheel_{rep['kind']}_{rep['format']}.jsonl", mime="application/jsonl",
                       key="fw_pref_download")


import_section()
last_report()
candidates_section()
preference_section()
