"""The robustness detectors (typo, incomplete, code_mix, pinyin) and how to run them over a sample or a prompt.

Each detector is a module of this package with a `Detector` step registered in `DETECTORS`; a new detector is a
new module here (docs/ARCHITECTURE.md has a worked example).
"""
from __future__ import annotations

from ..detection import Detection
from ..prompt import Turn, text_turns, user_turns
from . import code_mix, incomplete, pinyin, typo  # noqa: F401  (the built-ins register themselves)
from .base import DETECTORS, Detector

# The order detections are listed in (other detectors follow, by module name).
_ORDER = ("typo", "incomplete", "code_mix", "pinyin")


def detector_names() -> list[str]:
    """Every detector's name (= its robustness kind), built-ins first: the CLI choices and the page options."""
    names = DETECTORS.names()
    return [n for n in _ORDER if n in names] + [n for n in names if n not in _ORDER]


def default_detectors(names=None, settings: dict | None = None) -> list[Detector]:
    """One instance of every detector (or of those named, in the listing order) with default settings (or
    `settings[name]`)."""
    order = detector_names()
    names = order if not names else [n for n in order if n in names] + [n for n in names if n not in order]
    return DETECTORS.build(names, settings)


def detect_turns(turns: list[Turn], detectors: list | None = None) -> list[Detection]:
    """Run the detectors over prepared user turns; at most one Detection per detector."""
    out = []
    for d in detectors if detectors is not None else default_detectors():
        found = d.detect(turns)
        if found is not None:
            out.append(found)
    return out


def detect_sample(sample: dict, detectors: list | None = None) -> list[Detection]:
    """Detections for a sample; only its user turns are looked at (prepared once for every detector)."""
    return detect_turns(user_turns(sample.get("messages") or []), detectors)


def detect_text(text: str, detectors: list | None = None) -> list[Detection]:
    """Detections for a bare prompt string."""
    return detect_turns(text_turns(text), detectors)


__all__ = ["DETECTORS", "Detector", "default_detectors", "detect_sample", "detect_text", "detect_turns",
           "detector_names"]
