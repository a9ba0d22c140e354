"""SFT Workbench: curate SFT data and prove, with a real LoRA run, that the curation helped.

Run with `streamlit run app.py`. On an empty store it loads sample_data/ so there is something to look at.
"""
from pathlib import Path

import streamlit as st

from curation import executors
from pages._common import engine_sidebar, get_store, show_error
from pages._profile import profile_sidebar

st.set_page_config(page_title="SFT Workbench", page_icon="🧪", layout="wide")

HERE = Path(__file__).parent
# (section, file, title, icon). A page appears once its file exists, so features land without touching this list.
PAGES = [
    ("Data", "overview.py", "Overview", "🏠"),
    ("Data", "import_data.py", "Import", "📥"),
    ("Data", "flywheel.py", "Flywheel", "🔁"),
    ("Data", "browse.py", "Browse", "🔎"),
    ("Data", "taxonomy.py", "Taxonomy", "🗂️"),
    ("Data", "quarantine.py", "Quarantine", "🚧"),
    ("Data", "export.py", "Export", "📤"),
    ("Data", "jobs.py", "Jobs", "🗂️"),
    ("Analyse", "diversity.py", "Diversity", "📊"),
    ("Analyse", "dedup.py", "Dedup", "🧬"),
    ("Analyse", "robustness.py", "Robustness", "🛡️"),
    ("Analyse", "embeddings.py", "Embeddings", "🧭"),
    ("Analyse", "generate.py", "Generate", "🪄"),
    ("Review", "review.py", "Review", "✅"),
    ("Review", "agreement.py", "Agreement", "🤝"),
    ("Train", "train.py", "Train", "🏋️"),
    ("Train", "compare.py", "Compare", "⚖️"),
]


def navigation() -> dict:
    sections: dict[str, list] = {}
    for section, file, title, icon in PAGES:
        if (HERE / "pages" / file).exists():
            sections.setdefault(section, []).append(
                st.Page(f"pages/{file}", title=title, icon=icon, default=file == "overview.py"))
    return sections


store = get_store()
profile_sidebar(store)  # sets st.session_state["user"], the name every page records
with st.sidebar:
    st.caption(f"Store: `{store.path}`")
engine, address = engine_sidebar()
try:
    with executors.using(engine, address):  # the heavy steps a page starts run on the chosen engine
        st.navigation(navigation(), expanded=True).run()  # every section's pages, no "View N more"
except executors.UserError as e:  # a Ray address that does not answer, found when a step first needs it
    show_error(e)
