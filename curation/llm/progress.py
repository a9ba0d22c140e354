"""Progress of an LLM job on the command line: one line on stderr, rewritten in place, with the ETA."""
from __future__ import annotations

import sys
import time


def format_eta(seconds: float | None) -> str:
    """'1m05s', '42s' or '?' (no fresh response timed yet)."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class StderrProgress:
    """An `on_progress(done, total, eta_s)` callback that prints `label: done/total (pct) ETA …` on stderr,
    at most every `every_s` seconds and always at the end."""

    def __init__(self, label: str = "requests", stream=None, every_s: float = 0.5):
        self.label, self.stream, self.every_s = label, stream or sys.stderr, every_s
        self._last = 0.0

    def __call__(self, done: int, total: int, eta_s: float | None) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.every_s:
            return
        self._last = now
        pct = 100 * done / total if total else 100
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label}: {done}/{total} ({pct:.0f}%) ETA {format_eta(eta_s)}   {end}")
        self.stream.flush()
