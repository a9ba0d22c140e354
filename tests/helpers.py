"""Helpers the tests share (imported as `from tests.helpers import ...`; fixtures stay in conftest.py)."""
from __future__ import annotations

from curation import cli


def only_commands(monkeypatch, *modules) -> None:
    """Build the `curation` parser with the core commands and only these command modules (e.g.
    `curation.cli.dedup`), so other features' commands cannot break a feature's CLI tests."""
    monkeypatch.setattr(cli, "EXTENSIONS", modules)
    monkeypatch.setattr(cli, "plugin_commands", lambda: [])
