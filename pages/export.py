"""Export: write the curated selection (messages, Alpaca or ShareGPT) with a stratified split and a manifest."""
import dataclasses
import json
from datetime import datetime

import polars as pl
import streamlit as st

from curation.errors import UserError
from curation.export import ExportSettings
from curation.frames import frame
from curation.store import curated
from pages._common import filter_widgets, get_store, safe_path, show_error
from pages._job_progress import run_job, running_notice

store = get_store()
st.title("Export")
st.caption("Default selection: everything not rejected and not marked duplicate. The manifest records the "
           "filter, the store revision, the ids per split and a content hash, so a training run is traceable.")
with st.expander("Selection", expanded=True):
    f = filter_widgets(store, "export")
    leave_out = st.checkbox("Leave out rejected and duplicate samples", value=True)
if leave_out:
    f = curated(f)
st.caption(f"{store.samples.count(f):,} samples selected")

c = st.columns(4)
fmt = c[0].selectbox("Format", ["messages", "alpaca", "sharegpt"])
eval_fraction = c[1].number_input("Eval share per task_type", 0.0, 0.9, 0.1, 0.05)
seed = c[2].number_input("Seed", 0, 2**31 - 1, 42)
# The suggested folder is fixed once per session: a default that changed every second would make Streamlit see a
# new widget on the next rerun and drop what the user typed.
suggested = st.session_state.setdefault("export_suggested", f"exports/{datetime.now():%Y%m%d-%H%M%S}")
folder = c[3].text_input("Folder (inside the workspace)", suggested, key="export_folder")
overwrite = st.checkbox("Overwrite a non-empty folder", key="export_overwrite",
                        help="Off: a folder that already holds files is refused, so no earlier export is replaced")
running_notice(store, "export")
if st.button("Export", type="primary"):
    try:
        out = safe_path(folder, "exports/latest")
        settings = ExportSettings(fmt, eval_fraction, int(seed), overwrite=overwrite)
        run_job(store, "export", {"out_dir": str(out), "filter": f.to_dict(), "export": dataclasses.asdict(settings)})
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (UserError, ValueError) as e:
        show_error(e)
        st.stop()
    st.success(f"Wrote {sum(manifest['total'].values()):,} samples to {out}")
    rows = [{"task_type": t, "split": sp, "samples": n} for sp, counts in manifest["counts"].items()
            for t, n in counts.items()]
    st.dataframe(pl.DataFrame(rows, schema={"task_type": pl.String, "split": pl.String, "samples": pl.Int64})
                 .pivot("split", index="task_type", values="samples", sort_columns=True).sort("task_type")
                 .fill_null(0), hide_index=True, width="stretch")
    if manifest["skipped"]:
        st.warning(f"{len(manifest['skipped'])} samples could not be written in {fmt} format (tool turns).")
    st.code(f"content hash: {manifest['content_hash']}\nstore revision: {manifest['store_revision']}")
    st.download_button("Download manifest.json", (out / "manifest.json").read_text(encoding="utf-8"),
                       file_name="manifest.json")

st.subheader("Export log")
log = store.exports.list()
if log:
    st.dataframe(frame(log), hide_index=True, width="stretch")
