"""What a robustness detector is: a `Step` over a sample's user turns, registered in `DETECTORS`."""
from __future__ import annotations

from ...steps import Registry, Step
from ..detection import Detection
from ..prompt import Turn, user_turns

# Every module of this package is imported on first use, so its @DETECTORS.register classes count. A detector's
# name is its kind: the tag it suggests is "robustness:<name>".
DETECTORS = Registry("detector", "curation.robustness.detectors")


class Detector(Step):
    """A robustness detector: `detect(turns)` returns at most one `Detection` over prepared user turns."""

    def detect(self, turns: list[Turn]) -> Detection | None:
        raise NotImplementedError

    def find(self, sample: dict, context: dict) -> list[Detection]:
        found = self.detect(user_turns(sample.get("messages") or []))
        return [] if found is None else [found]
