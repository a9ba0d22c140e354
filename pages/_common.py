"""What every page shares: the cached store, the current user, the filter widgets and the chat renderer.

Pages stay thin: read inputs here, call one library function, render the result.
Sample content is data, never markup: it goes through st.markdown / st.code, never with unsafe_allow_html.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import streamlit as st

from curation.errors import UserError, for_page
from curation.text import markdown_literal, markdown_with_literal_html
from curation.store import STATUSES, UNTYPED, SampleFilter, Store, resolve_db_path

ROOT = Path(__file__).resolve().parents[1]


def _use_app_navigation() -> None:
    """Route a deep link (e.g. /review opened right after a restart) through app.py's st.navigation.

    Streamlit treats a `pages/` folder as old-style multipage navigation until app.py first calls
    st.navigation in the process; a page reached that way would run without the app's sidebar and profile.
    """
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_app_navigation()
SAMPLE_DATA = ROOT / "sample_data"
ROLE_AVATARS = {"system": "⚙️", "user": "user", "assistant": "assistant", "tool": "🛠️"}


def get_store() -> Store:
    """One store connection per app process; pages share it (it hands each thread its own cursor).

    A store that cannot be opened (CURATION_DB names a JSON file, a folder, a store another process holds) stops
    the page with one error naming CURATION_DB, the app's way to choose the store; nothing is written."""
    try:
        return _open_store(str(resolve_db_path()))
    except UserError as e:
        st.error(md(f"Cannot open the store: {e.ui or str(e)}. The app's store is chosen with the CURATION_DB "
                    "environment variable (default ./workbench.duckdb): set it to a new file or an existing "
                    "store and restart the app."))
        st.stop()


@st.cache_resource
def _open_store(path: str) -> Store:
    """Open the store once per path (a failure is not cached, so fixing CURATION_DB and rerunning works); post-import
    checks an earlier crash left pending are finished here as in the CLI (in this process: the app never forks)."""
    store = Store(path)
    try:
        from curation.checks import finish_pending_checks
        from curation.jobs import reattach
        finish_pending_checks(store, workers=0)
        reattach(store)  # jobs whose process died (the app was killed) -> failed with a reason, resumable
        ensure_demo_data(store)
    except BaseException:
        store.close()
        raise
    return store


def ensure_demo_data(store: Store) -> None:
    """Load sample_data into a brand-new store so a new user sees real content at once."""
    if store.ingests.list() or store.samples.count():
        return
    from curation.ingest import IngestSettings, ingest
    files = [p for p in (SAMPLE_DATA / "demo.jsonl", SAMPLE_DATA / "invalid.jsonl") if p.exists()]
    if files:
        ingest(store, files, IngestSettings(dataset="demo"))


def current_user() -> str:
    """The name recorded in revisions for this browser session."""
    return st.session_state.get("user") or "anonymous"


def workspace() -> Path:
    """Folder that holds exports and runs; user-typed paths must stay inside it."""
    store = get_store()
    base = Path(store.path).resolve().parent if str(store.path) != ":memory:" else Path.cwd()
    return base


def save_upload(upload, folder: str) -> Path:
    """Keep an uploaded file inside the workspace (see write_upload). Each upload is hashed and written once, not
    on every rerun of the page: a big file takes seconds."""
    written = st.session_state.setdefault("uploads_written", {})  # upload id -> path
    known = written.get(upload.file_id)
    if known is not None and not known.is_symlink() and known.is_file() and known.stat().st_size == upload.size:
        return known
    written[upload.file_id] = write_upload(workspace().resolve() / folder, upload.name, upload.getvalue())
    return written[upload.file_id]


def write_upload(root: Path, name: str, data: bytes) -> Path:
    """Write `data` to `root/<content hash>/<safe base name>` and return that path.

    The path is content-addressed, so two sessions uploading different files of the same name and size never
    share one; nothing is written through a symbolic link (a link planted in the workspace could point anywhere).
    """
    name = re.sub(r"[^\w.-]+", "_", Path(name).name).strip("._") or "upload.jsonl"
    target = root / hashlib.sha256(data).hexdigest()[:16] / name
    for p in (root, target.parent, target):
        if p.is_symlink():
            raise UserError(f"{p} is a symbolic link; uploads are never written through links. Remove it.")
    if not (target.is_file() and target.stat().st_size == len(data)):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.{os.getpid()}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)  # a rename replaces a link planted meanwhile instead of writing through it
    return target


def engine_sidebar() -> tuple[str, str | None]:
    """The sidebar's Engine box (where the heavy steps run: local processes or Ray) and its 'Ray address' box,
    defaulting to $CURATION_ENGINE / $CURATION_RAY_ADDRESS. Returns (engine, address or None); app.py runs every
    page inside `curation.executors.using` with them."""
    from curation import executors
    try:
        default = executors.choice()
    except UserError as e:
        show_error(e)
        default = executors.EngineChoice()
    with st.sidebar.expander("Engine", expanded=False):
        engine = st.selectbox("Engine", executors.ENGINES, index=executors.ENGINES.index(default.engine),
                              key="engine", help="local: worker processes on this machine. ray: Ray tasks, on a "
                              "local Ray started here or on the cluster at the address below (docs/scale_out.md)")
        address = st.text_input("Ray address", value=default.address or "", key="ray_address",
                                disabled=engine != "ray", placeholder="empty: start a local Ray",
                                help="a Ray cluster's head, e.g. 10.0.0.5:6379 (`ray start --head` there)")
    return engine, (address.strip() or None) if engine == "ray" else None


def show_error(e: Exception, prefix: str = "", suffix: str = "") -> None:
    """An error as the page shows it: with this page's controls named instead of CLI options, as plain text."""
    text = e.for_page() if isinstance(e, UserError) else for_page(str(e))
    st.error(markdown_literal(prefix + text + suffix))


def just_finished(job: str, state: str, active: tuple[str, ...]) -> bool:
    """True once, on the first look after a background job (a run, a pipeline) left its active states.

    A job is watched from an auto-refreshing fragment, which redraws only itself; when this returns True the
    caller reruns the whole page, so the views below the fragment (the comparison, the run list) show the result
    instead of what was true when the job started."""
    seen = st.session_state.setdefault("jobs_seen_state", {})
    previous, seen[job] = seen.get(job), state
    return previous in active and state not in active


def flash(message: str, kind: str = "success") -> None:
    """A message to show after the st.rerun that follows a change (so the page redraws with fresh data and still
    confirms what happened). `kind` is success, info, warning or error."""
    st.session_state.setdefault("flash_messages", []).append((kind, message))


def show_flash() -> None:
    """Show, once, the messages flashed before the last rerun."""
    for kind, message in st.session_state.pop("flash_messages", []):
        getattr(st, kind)(message)


def md(text) -> str:
    """Metadata (an id, a task_type, a file name, a reason) for a markdown element: shown as text, never markup."""
    return markdown_literal(text)


def safe_path(text: str, default_sub: str) -> Path:
    """Resolve a user-typed folder inside the workspace; refuse anything that escapes it."""
    root = workspace().resolve()
    p = (root / (text.strip() or default_sub)).resolve()
    if p != root and root not in p.parents:
        raise ValueError(f"{text!r} is outside the workspace {root}; use a folder inside it")
    return p


def filter_widgets(store: Store, key: str, default_status: list[str] | None = None) -> SampleFilter:
    """Dataset / task_type / status / split / tag / search widgets; returns the filter they describe."""
    cols = st.columns(3)
    datasets = cols[0].multiselect("Dataset", store.samples.datasets(), key=f"{key}_ds")
    types = sorted({r["task_type"] for r in task_type_rows(store)})
    task = cols[1].multiselect("Task type", types, key=f"{key}_tt", help="L1/L2; (untyped) for samples without one")
    status = cols[2].multiselect("Status", STATUSES, default=default_status, key=f"{key}_st")
    cols = st.columns(3)
    split = cols[0].selectbox("Split", ["any", "train", "eval", "none"], key=f"{key}_sp")
    tag = cols[1].selectbox("Tag", [""] + [t for t, _ in store.samples.tags()], key=f"{key}_tag")
    search = cols[2].text_input("Search text", key=f"{key}_q")
    return SampleFilter(dataset=datasets or None, task_type=task or None, status=status or None,
                        split=None if split == "any" else split, tag=tag or None, search=search or None)


def task_type_rows(store: Store) -> list[dict]:
    """Task types present in the store, untyped included."""
    from curation.summary import overview
    return overview(store)["by_task_type"]


def render_messages(messages: list[dict], tools: list | None = None) -> None:
    """A conversation as chat bubbles: markdown, code and LaTeX render; HTML in the content stays text.

    A turn's `reasoning` (kept apart from its content at import, never trained) shows collapsed under the turn.
    Stores written before tool calls were validated at import may hold malformed ones (a bare string, arguments
    that are not a JSON string, no function name): those show as their raw JSON with a note, never a traceback.
    """
    if tools:
        with st.expander(f"Tools ({len(tools)})"):
            st.code(_raw_json(tools), language="json")
    for m in messages if isinstance(messages, list) else [messages]:
        if not isinstance(m, dict):
            st.caption("Malformed turn (not an object), shown as stored:")
            st.code(_raw_json(m), language="json")
            continue
        role = str(m.get("role") or "?")
        with st.chat_message(role, avatar=ROLE_AVATARS.get(role)):
            st.caption(md(role) + (f" · {md(m['tool_call_id'])}" if m.get("tool_call_id") else ""))
            reasoning = m.get("reasoning")
            if reasoning:
                with st.expander("Reasoning"):
                    if isinstance(reasoning, str):
                        st.markdown(markdown_with_literal_html(reasoning))
                    else:
                        st.code(_raw_json(reasoning), language="json")
            content = m.get("content")
            if role == "tool":
                st.code(content if isinstance(content, str) else _raw_json(content), language="json")
            elif isinstance(content, str) and content:
                st.markdown(markdown_with_literal_html(content))
            elif content:
                st.caption("Content that is not text, shown as stored:")
                st.code(_raw_json(content), language="json")
            calls = m.get("tool_calls") or []
            for call in calls if isinstance(calls, list) else [calls]:
                problem = tool_call_problem(call)
                if problem is None:
                    fn = call["function"]
                    st.code(f"{fn['name']}({fn['arguments']})", language="json")
                else:
                    st.caption(md(f"Malformed tool call ({problem}), shown as stored:"))
                    st.code(_raw_json(call), language="json")


def tool_call_problem(call) -> str | None:
    """Why a stored tool call is not an OpenAI one (None when it is): a dict whose `function` holds a `name` and
    `arguments` as a JSON string."""
    if not isinstance(call, dict):
        return f"{_kind(call)}, not an object"
    fn = call.get("function")
    if not isinstance(fn, dict):
        return "no function"
    if not isinstance(fn.get("name"), str) or not fn["name"]:
        return "no function name"
    args = fn.get("arguments")
    if not isinstance(args, str):
        return f"arguments are {_kind(args)}, not a JSON string"
    try:
        json.loads(args)
    except ValueError:
        return "arguments are not valid JSON"
    return None


def _kind(value) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean", dict: "an object",
            list: "a list", type(None): "missing"}.get(type(value), type(value).__name__)


def _raw_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def untyped_badge(sample: dict) -> None:
    """Untyped samples are allowed but always visibly flagged."""
    if not sample.get("task_type") or not sample.get("task_l2"):
        st.warning(f"{UNTYPED}: this sample has no two-level task_type; relabel it so analyses can use it.")


def step_settings_form(registry, names, key: str, exclude: tuple[str, ...] = ()) -> dict:
    """A settings control per field of each named step (generated from its settings dataclass; the help is the
    field's comment), but for the fields in `exclude` (the page has its own control for them); returns
    name -> settings object, the defaults where nothing changed."""
    import dataclasses

    from curation.steps import form_fields

    out = {}
    for name in names:
        defaults = registry[name].Settings()
        changed = {}
        with st.expander(f"{name} settings"):
            cols = st.columns(3)
            shown = [f for f in form_fields(defaults) if f[0] not in exclude]
            for k, (field, value, help_text, choices) in enumerate(shown):
                col, wkey = cols[k % 3], f"{key}_{name}_{field}"
                if choices:
                    new = col.selectbox(field, choices, index=choices.index(value), key=wkey, help=help_text)
                elif isinstance(value, bool):
                    new = col.checkbox(field, value, key=wkey, help=help_text or None)
                elif isinstance(value, int):
                    new = int(col.number_input(field, value=value, step=1, key=wkey, help=help_text or None))
                elif isinstance(value, float):
                    new = float(col.number_input(field, value=value, key=wkey, format="%g", help=help_text or None))
                else:
                    shown = "" if value is None else value
                    new = col.text_input(field, shown, key=wkey, help=help_text or None)
                    new = None if new == "" and value is None else new
                if new != value:
                    changed[field] = new
        out[name] = dataclasses.replace(defaults, **changed)
    return out


OTHER_MODEL = "other: a Hugging Face id or a local folder"


def base_model_input(container, key: str, default: str = "tiny") -> str:
    """The base model: one of the offline presets (the registry in training/presets.py) or a typed id/folder."""
    from training.presets import PRESETS

    options = list(PRESETS) + [OTHER_MODEL]
    choice = container.selectbox(
        "Base model", options, index=options.index(default), key=key,
        format_func=lambda name: f"{name}: {PRESETS[name].description}" if name in PRESETS else name,
        help="The offline presets need no download; any other model is a Hugging Face id (downloaded, or read "
             "from the local cache) or a folder written by save_pretrained.")
    if choice != OTHER_MODEL:
        return choice
    return container.text_input("Hugging Face id or model folder", "Qwen/Qwen2.5-0.5B-Instruct",
                                key=f"{key}_other").strip()
