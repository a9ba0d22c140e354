"""The login path (st.login / OIDC): the profile is the logged-in identity, and roles hold in the library."""
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from curation.errors import UserError
from curation.review import adjudicate, set_role, sync_login
from tests.helpers import ROOT

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
        "client_secret": "secret", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


class FakeUser(dict):
    """What st.user holds after a login (Streamlit fills it from the identity provider's token)."""

    @property
    def is_logged_in(self) -> bool:
        return bool(self)


def _app(monkeypatch, user: dict, leads=("lead@example.com",)) -> AppTest:
    monkeypatch.setattr(streamlit, "user", FakeUser(user))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["workbench"] = {"leads": list(leads)}
    return at


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_logged_out_there_is_no_profile_picker_and_no_user(app_env, monkeypatch):
    at = _ok(_app(monkeypatch, {}).run())
    assert [b.label for b in at.sidebar.button] == ["Log in"]
    assert not [s for s in at.sidebar.selectbox if s.label == "Profile"]  # nobody picks a name to act under
    assert "user" not in at.session_state


def test_the_profile_is_the_logged_in_identity_with_the_configured_role(app_env, monkeypatch):
    at = _app(monkeypatch, {"email": "ann@example.com", "name": "Ann", "sub": "1"})
    at.session_state["profile_pick"] = "lead@example.com"  # a stale or forged pick changes nothing
    at.session_state["user"] = "lead@example.com"
    _ok(at.run())
    assert at.session_state["user"] == "ann@example.com"
    assert any("ann@example.com · annotator" in c.value.replace("\\", "") for c in at.sidebar.caption)
    from pages._common import get_store
    store = get_store()
    assert store.review.annotator("ann@example.com")["role"] == "annotator"
    # the library refuses what an annotator may not do, whatever the page shows
    sid = store.samples.list()[0]["id"]
    with pytest.raises(UserError, match="only a lead"):
        adjudicate(store, sid, "ann@example.com", "accept")
    with pytest.raises(UserError, match="only a lead"):
        set_role(store, "ann@example.com", "ann@example.com", "lead")
    assert store.review.annotator("ann@example.com")["role"] == "annotator"


def test_a_lead_is_a_lead_only_while_configured(app_env, monkeypatch):
    _ok(_app(monkeypatch, {"email": "lead@example.com"}).run())
    from pages._common import get_store
    store = get_store()
    assert store.review.annotator("lead@example.com")["role"] == "lead"
    _ok(_app(monkeypatch, {"email": "lead@example.com"}, leads=()).run())  # removed from the list
    assert store.review.annotator("lead@example.com")["role"] == "annotator"


def test_sync_login_refuses_an_identity_without_a_name(store):
    with pytest.raises(UserError, match="no e-mail"):
        sync_login(store, "  ", ["x"])
    assert sync_login(store, "sub-123", []) == "annotator"
