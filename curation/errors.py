"""Errors the user can act on. The CLI prints them as one line; pages show them with st.error.

A library message names the way out on the command line (`pass --encoding`). A page has no flags: it shows the
same message through `for_page`, which names the page's control for each option instead, so one message serves
both interfaces. A new option a message names gets its control here (tests/test_pages.py checks that every
option the library names has one).
"""
from __future__ import annotations

import re

# CLI option -> the control a page offers for it, as the page labels it.
PAGE_CONTROLS = {
    "--map": "the 'Table column → user / assistant' boxes",
    "--format": "the Format box",
    "--encoding": "the Encoding box",
    "--task-type": "the 'Task type for every record' box",
    "--max-line-mb": "the 'Max line size (MB)' box",
    "--overwrite": "the 'Overwrite a non-empty folder' box",
    "--num-perm": "the Permutations box",
    "--ngram": "the 'Shingle size' box",
    "--all": "a filter",
    "--to": "the 'New task_type' box",
    "--share": "the 'Target share of the set (%)' box",
    "--count": "the 'target sample count' box",
    "--allow-export-change": "the 'Resume even if the export changed' box",
    "--regex": "the 'Regular expression' box",
    "--base-url": "the Generate page's 'Base URL' box",
    "--model": "the Generate page's 'Model' box",
    "--prompts": "the 'Prompts to answer' box",
    "--source": "the answers settings' source box",
    "--base-model": "the Base model box",
    "--adapter": "the 'Chat with' run or checkpoint box",
    "--judge": "the Judge box",
    "--answer": "the Answer box",
    "--engine": "the sidebar's Engine box",
    "--ray-address": "the sidebar's 'Ray address' box",
    # no page sets it: the CLI's evaluation did; the page says so in words
    "--include-contaminated": "as that evaluation was told to",
}
# CLI commands a message may name -> where a page user does the same.
PAGE_COMMANDS = {
    "`curation taxonomy add`": "the Taxonomy page (Add)",
    "`curation relabel`": "Browse (Relabel in bulk)",
    "`curation embeddings --delete`": "the Embeddings page (Delete a model's vectors)",
    # not ours: Ray's own command, run on the cluster's head machine
    "`ray start --head`": "a Ray head (Ray's `ray start` command with its head option, on the cluster's main machine)",
    "`curation judge run`": "a judge job (the Generate page, or `curation judge run` on the command line)",
}
# An option, with the example value a CLI message may show after it ("--map COLUMN=user,COLUMN=assistant").
_OPTION = re.compile(r"(?:pass |raise it with |with )?(--[a-z][a-z-]*)(?: [A-Z_]+=[\w,=]+| [A-Z_]{2,}\b)?")


def for_page(message: str) -> str:
    """A library message as a page shows it: every CLI option replaced by the page control that sets it."""
    def control(m: re.Match) -> str:
        name = PAGE_CONTROLS.get(m.group(1))
        if name is None:
            return m.group(0)
        lead = m.group(0)[: m.start(1) - m.start(0)]
        return ("use " if lead else "") + name
    for command, place in PAGE_COMMANDS.items():
        message = message.replace(command, place)
    return _OPTION.sub(control, message)


class UserError(Exception):
    """A problem with the user's input; shown as one line, no traceback.

    `ui` is the wording for a page when it must differ from the message beyond the option names `for_page`
    translates (e.g. a CLI-only way out such as `--all`)."""

    def __init__(self, message: str = "", *, ui: str | None = None):
        super().__init__(message)
        self.ui = ui

    def for_page(self) -> str:
        """The message with the page's controls named instead of CLI options."""
        return self.ui or for_page(str(self))


class ConflictError(UserError):
    """A save was made from a stale copy of a sample (someone else saved first)."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current
