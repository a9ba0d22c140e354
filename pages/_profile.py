"""Who is working: the sidebar profile picker, and the seam for real authentication.

Without configuration, people pick or create a profile (name + role); the name goes to
`st.session_state["user"]`, which every page records with its changes. When `.streamlit/secrets.toml` has an
`[auth]` section (see docs/review.md), identity comes from Streamlit's OIDC login (`st.login` / `st.user`)
instead, and leads are the accounts listed under `[workbench] leads`.
"""
from __future__ import annotations

import streamlit as st

from curation.errors import UserError
from curation.review import ROLES, create_profile, sync_login
from curation.text import markdown_literal
from curation.store import Store

NEW = "➕ New profile…"


def _secrets() -> dict:
    """The app's secrets as a dict; empty when there is no secrets.toml."""
    try:
        return st.secrets.to_dict()
    except Exception:  # Streamlit raises when no secrets file exists; that just means "not configured"
        return {}


def oidc_enabled() -> bool:
    """True when an OIDC provider is configured ([auth] in secrets.toml)."""
    return "auth" in _secrets()


def profile_sidebar(store: Store) -> str | None:
    """Render the identity widget in the sidebar; returns the current profile name (None until chosen)."""
    with st.sidebar:
        name = _oidc_identity(store) if oidc_enabled() else _picker(store)
    if name:
        st.session_state["user"] = name
    else:
        st.session_state.pop("user", None)
    return name


def _oidc_identity(store: Store) -> str | None:
    """The logged-in account is the profile; no picker, so nobody can act under another name or role."""
    cfg = _secrets().get("workbench", {})
    if not st.user.is_logged_in:
        st.button("Log in", on_click=st.login, args=(cfg.get("provider"),) if cfg.get("provider") else ())
        return None
    name = st.user.get("email") or st.user.get("name") or st.user.get("sub")
    try:
        role = sync_login(store, str(name or ""), cfg.get("leads", []))
    except UserError as e:
        st.error(str(e))
        return None
    st.caption(f"Signed in as {markdown_literal(name)} · {role}")
    st.button("Log out", on_click=st.logout)
    return name


def _picker(store: Store) -> str | None:
    profiles = {p["name"]: p["role"] for p in store.review.annotators()}
    options = list(profiles) + [NEW]
    current = st.session_state.get("profile_pick")
    if current not in options:
        st.session_state.pop("profile_pick", None)
        user = st.session_state.get("user")
        if user in profiles:
            st.session_state["profile_pick"] = user
    choice = st.selectbox("Profile", options, index=None, key="profile_pick", placeholder="Pick your profile",
                          format_func=lambda n: n if n == NEW else f"{n} · {profiles[n]}",
                          help="Every change you make is recorded under this name")
    if choice == NEW or (choice is None and not profiles):
        with st.form("new_profile", clear_on_submit=True):
            st.text_input("Name", key="new_profile_name", max_chars=64)
            st.radio("Role", ROLES, key="new_profile_role", horizontal=True)
            st.form_submit_button("Create profile", on_click=_create, args=(store,))
    if err := st.session_state.pop("profile_error", None):
        st.error(err)
    return choice if choice in profiles else None


def _create(store: Store) -> None:
    """Form callback: create the profile and select it (widget state may only be set before it renders)."""
    name = (st.session_state.get("new_profile_name") or "").strip()
    try:
        if store.review.annotator(name):
            raise UserError(f"a profile named {name!r} exists already: pick it from the list")
        prof = create_profile(store, name, st.session_state.get("new_profile_role", "annotator"))
    except UserError as e:
        st.session_state["profile_error"] = str(e)
        return
    st.session_state["profile_pick"] = prof["name"]
