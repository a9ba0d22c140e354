"""Quarantine: records an import could not accept, with file, line and reason; export them to fix and retry."""
import json

import streamlit as st

from curation.errors import for_page
from curation.frames import frame
from pages._common import get_store, md

store = get_store()
st.title("Quarantine")
st.caption("Invalid records are kept here, never dropped silently. Fix them and import the file again: valid "
           "records already imported are recognised and not duplicated.")
ingests = {i["id"]: i for i in store.ingests.list()}
choice = st.selectbox("Import run", ["all"] + list(ingests),
                      format_func=lambda i: "all runs" if i == "all" else
                      f"#{i} · {ingests[i]['dataset']} · {ingests[i]['created_at']:%Y-%m-%d %H:%M}")
rows = store.quarantine.list(None if choice == "all" else choice)
st.metric("Quarantined records", len(rows))
if not rows:
    st.success("Nothing in quarantine.")
    st.stop()
st.dataframe(frame(rows).select("ingest_id", "file", "line", "reason"), hide_index=True, width="stretch")
jsonl = "\n".join(json.dumps({k: str(v) if k == "created_at" else v for k, v in r.items()}, ensure_ascii=False)
                  for r in rows) + "\n"
st.download_button("Download as JSONL", jsonl, file_name="quarantine.jsonl", mime="application/jsonl")
pick = st.selectbox("Inspect record", range(len(rows)),
                    format_func=lambda i: f"{rows[i]['file']} line {rows[i]['line']}")
st.error(md(for_page(rows[pick]["reason"])))  # a reason quotes the file: text, never markup
st.code(rows[pick]["raw"] or "(no text was kept for this record; see the reason above)", language="json")
