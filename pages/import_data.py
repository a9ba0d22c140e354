"""Import: upload files, see each one's detected format and a preview, then import with a validation report."""
import dataclasses
import hashlib
from pathlib import Path

import streamlit as st

from curation.errors import UserError, for_page
from curation.formats import convert, default_mapping, preview
from curation.frames import frame
from curation.ingest import IngestReport, IngestSettings, ingest
from pages._common import get_store, md, render_messages, save_upload, show_error
from pages._job_progress import run_job, running_notice

ENCODINGS = ["auto", "utf-8", "gb18030", "utf-16", "big5", "shift_jis", "latin-1"]
FORMATS = ["auto", "messages", "alpaca", "sharegpt", "csv", "parquet"]
store = get_store()
st.title("Import")
st.caption("OpenAI messages JSONL, Alpaca JSON/JSONL, ShareGPT, CSV and Parquet. Invalid records are never "
           "dropped silently: they go to Quarantine with their file, line and reason.")
running_notice(store, "import")

uploads = st.file_uploader("Files", accept_multiple_files=True, type=["jsonl", "json", "csv", "tsv", "parquet"])
if not uploads:
    st.info("Choose one or more files to see their detected format and a preview.")
    st.stop()
try:
    paths = [save_upload(up, "uploads") for up in uploads]
except UserError as e:
    show_error(e)
    st.stop()
# Settings belong to this set of files: a new upload starts again from auto-detection instead of inheriting the
# format, mapping or encoding chosen for the previous file.
upload_key = hashlib.sha1("|".join(sorted(up.file_id for up in uploads)).encode()).hexdigest()[:10]

with st.expander("Reading options", expanded=False):
    c = st.columns(2)
    encoding = c[0].selectbox("Encoding", ENCODINGS, key=f"imp_enc_{upload_key}",
                              help="auto: UTF-8 (BOM allowed), falling back to GBK/GB18030")
    max_line_mb = c[1].number_input("Max line size (MB)", 1.0, 1024.0, 32.0, 1.0, key=f"imp_mlm_{upload_key}",
                                    help="Longer JSONL lines are quarantined unread")
enc = None if encoding == "auto" else encoding

table_columns: list[str] = []  # columns of the files read as tables (the mapping boxes apply to those only)
all_tables = True
for path in paths:
    try:
        pv = preview(path, encoding=enc)
    except UserError as e:
        with st.expander(f"{path.name} · cannot be read", expanded=True):
            show_error(e)
        all_tables = False
        continue
    # a flat JSON record with no chat keys is read as a table row, like a CSV line (ingest does the same)
    kind = pv["format"] or ("table" if pv["columns"] else None)
    fmt = kind or "unknown"
    with st.expander(f"{path.name} · {fmt} ({pv['container']}, {pv['encoding']})", expanded=len(paths) <= 3):
        st.caption(f"Detected: {md(pv['container'])} container, {md(fmt)} format, encoding {md(pv['encoding'])}")
        if pv["notice"]:
            st.info(md(for_page(pv["notice"])))
        for line, err in pv["errors"]:
            st.error(md(f"line {line}: {for_page(err)}"))
        mapping = default_mapping(pv["columns"]) if fmt == "table" else None
        if fmt == "table":
            table_columns = table_columns or pv["columns"]
            st.caption("Columns used: " + (md(", ".join(f"{c} → {r}" for c, r in mapping.items())) if mapping else
                                           "none recognised: choose them in the mapping boxes below"))
        else:
            all_tables = False
        if pv["records"]:
            first = pv["records"][0]
            try:
                conv = convert(first, kind, "task_type", mapping) if kind and (kind != "table" or mapping) else None
            except (ValueError, TypeError) as e:
                st.error(md(f"The first record would be quarantined: {e}"))
                conv = None
            if conv is not None and isinstance(conv.messages, list):
                st.caption("First record, as it will be imported" + (f" · task_type {md(conv.task_type)}"
                                                                      if conv.task_type else ""))
                render_messages([m for m in conv.messages if isinstance(m, dict)], conv.tools)
            st.caption(f"First {len(pv['records'][:3])} records as stored in the file")
            st.json(pv["records"][:3], expanded=2)

with st.form(f"import_{upload_key}"):
    c = st.columns(3)
    dataset = c[0].text_input("Dataset name", value=paths[0].stem if len(paths) == 1 else "",
                              key=f"imp_ds_{upload_key}", help="Empty: each file's name")
    fmt = c[1].selectbox("Format", FORMATS, key=f"imp_fmt_{upload_key}",
                         help="auto: each file's own detected format (shown above)")
    types = [f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()]
    task_type = c[2].selectbox("Task type for every record", ["(from a field / unset)"] + types,
                               key=f"imp_tt_{upload_key}")
    c = st.columns(3)
    task_field = c[0].text_input("Task type field", value="task_type", key=f"imp_field_{upload_key}")
    # Never pre-filled: a mapping forces the table format, which would misread an Alpaca or ShareGPT file.
    options = [""] + table_columns
    disabled = not (table_columns and all_tables)
    note = ("Only for table files (CSV, Parquet, flat JSON): empty keeps the detected columns" if not disabled else
            "Empty: the detected columns shown above")
    user_col = c[1].selectbox("Table column → user", options, disabled=disabled, help=note,
                              key=f"imp_user_{upload_key}")
    answer_col = c[2].selectbox("Table column → assistant", options, disabled=disabled, help=note,
                                key=f"imp_answer_{upload_key}")
    b = st.columns([1, 1, 4])
    check = b[0].form_submit_button("Validate", help="Read every record and report what an import would do")
    go = b[1].form_submit_button("Import", type="primary")

if check or go:
    mapping = {user_col: "user", answer_col: "assistant"} if user_col and answer_col and not disabled else None
    if (user_col or answer_col) and not mapping and not disabled:
        st.error("Choose both table columns (user and assistant), or leave both empty to use the detected ones.")
        st.stop()
    # workers=0: no forked processes (parsers, import checks) inside the app's multi-threaded server process
    settings = IngestSettings(dataset=dataset or None, format=fmt,
                              task_type=None if task_type.startswith("(") else task_type,
                              task_type_field=task_field or "task_type", mapping=mapping, encoding=enc,
                              max_line_mb=float(max_line_mb), workers=0, dry_run=bool(check and not go))
    verb = "Validating" if settings.dry_run else "Importing"
    bar = st.progress(0.0, text=f"{verb}…")
    try:
        if settings.dry_run:  # a report, not a change: runs here
            report = ingest(store, paths, settings,
                            progress=lambda done, total: bar.progress(done / total, text=f"{verb}… {done:,} bytes"))
        else:  # a durable job: a reload or a killed app loses no committed batch (Jobs page: resume)
            bar.empty()
            report = IngestReport(**run_job(store, "import", {"paths": [str(p) for p in paths],
                                                              "ingest": dataclasses.asdict(settings)}))
            bar = st.progress(1.0)
    except UserError as e:
        show_error(e)
        st.stop()
    bar.progress(1.0, text="Done")
    if settings.dry_run:
        st.info("Validation only: nothing was stored. Press Import to import the valid records.")
    c = st.columns(4)
    c[0].metric("Would import" if settings.dry_run else "Imported", f"{report.imported:,}")
    c[1].metric("Invalid (quarantine)", f"{report.rejected:,}")
    c[2].metric("Already in store", f"{report.already_present:,}")
    c[3].metric("Untyped", f"{report.untyped:,}")
    every_file = ", ".join(Path(f["file"]).name for f in report.files) or ", ".join(p.name for p in paths)
    for n in report.notices:  # a notice about the whole import (the pre-flag checks) has no file of its own
        st.info(md(f"{Path(n['file']).name if n['file'] else every_file}: {for_page(n['message'])}"))
    if report.errors:
        st.subheader("Validation report")
        st.dataframe(frame([{**e, "reason": for_page(str(e.get("reason", "")))} for e in report.errors]),
                     hide_index=True)
    st.dataframe(frame(report.files), hide_index=True)
