"""Import: upload files, see the detected format and a preview, then import with a validation report."""

import streamlit as st

from curation.errors import UserError
from curation.formats import default_mapping, preview
from curation.frames import frame
from curation.ingest import IngestSettings, ingest
from pages._common import get_store, save_upload

store = get_store()
st.title("Import")
st.caption("OpenAI messages JSONL, Alpaca JSON/JSONL, ShareGPT, CSV and Parquet. Invalid records are never "
           "dropped silently: they go to Quarantine with their file, line and reason.")

uploads = st.file_uploader("Files", accept_multiple_files=True,
                           type=["jsonl", "json", "csv", "tsv", "parquet"])
if not uploads:
    st.info("Choose one or more files to see their detected format and a preview.")
    st.stop()

paths = [save_upload(up, "uploads") for up in uploads]

first_columns: list[str] = []
for path in paths:
    with st.expander(f"Preview: {path.name}", expanded=len(paths) == 1):
        try:
            pv = preview(path)
        except UserError as e:
            st.error(str(e))
            continue
        st.write(f"Detected: **{pv['container']}** container, **{pv['format'] or 'unknown'}** format, "
                 f"encoding **{pv['encoding']}**")
        if pv["notice"]:
            st.info(pv["notice"])
        for line, err in pv["errors"]:
            st.error(f"line {line}: {err}")
        if pv["records"]:
            st.json(pv["records"][:3], expanded=False)
        first_columns = first_columns or pv["columns"]

with st.form("import"):
    c = st.columns(3)
    dataset = c[0].text_input("Dataset name", value=paths[0].stem if len(paths) == 1 else "",
                              help="Empty: each file's name")
    fmt = c[1].selectbox("Format", ["auto", "messages", "alpaca", "sharegpt", "csv", "parquet"])
    types = [f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()]
    task_type = c[2].selectbox("Task type for every record", ["(from a field / unset)"] + types)
    c = st.columns(3)
    task_field = c[0].text_input("Task type field", value="task_type")
    guess = default_mapping(first_columns) or {}
    by_role = {r: col for col, r in guess.items()}
    options = [""] + first_columns
    user_col = c[1].selectbox("Table column → user", options,
                              index=options.index(by_role["user"]) if "user" in by_role else 0)
    answer_col = c[2].selectbox("Table column → assistant", options,
                                index=options.index(by_role["assistant"]) if "assistant" in by_role else 0)
    b = st.columns([1, 1, 4])
    check = b[0].form_submit_button("Validate", help="Read every record and report what an import would do")
    go = b[1].form_submit_button("Import", type="primary")

if check or go:
    mapping = {user_col: "user", answer_col: "assistant"} if user_col and answer_col else None
    # workers=0: no forked processes (parsers, import checks) inside the app's multi-threaded server process
    settings = IngestSettings(dataset=dataset or None, format=fmt,
                              task_type=None if task_type.startswith("(") else task_type,
                              task_type_field=task_field or "task_type", mapping=mapping, workers=0,
                              dry_run=bool(check and not go))
    verb = "Validating" if settings.dry_run else "Importing"
    bar = st.progress(0.0, text=f"{verb}…")
    try:
        report = ingest(store, paths, settings,
                        progress=lambda done, total: bar.progress(done / total, text=f"{verb}… {done:,} bytes"))
    except UserError as e:
        st.error(str(e))
        st.stop()
    bar.progress(1.0, text="Done")
    if settings.dry_run:
        st.info("Validation only: nothing was stored. Press Import to import the valid records.")
    c = st.columns(4)
    c[0].metric("Would import" if settings.dry_run else "Imported", f"{report.imported:,}")
    c[1].metric("Invalid (quarantine)", f"{report.rejected:,}")
    c[2].metric("Already in store", f"{report.already_present:,}")
    c[3].metric("Untyped", f"{report.untyped:,}")
    for n in report.notices:
        st.info(f"{n['file']}: {n['message']}")
    if report.errors:
        st.subheader("Validation report")
        st.dataframe(frame(report.errors), hide_index=True)
    st.dataframe(frame(report.files), hide_index=True)
