"""What every robustness detector returns: a `Detection` with its `Evidence` (types only; the detectors and how
to run them are in curation/robustness/detectors/)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

TAG_PREFIX = "robustness:"


@dataclass(frozen=True)
class Evidence:
    """The span of a user turn that triggered a detector: offsets into that turn's content."""

    turn: int  # index of the turn in `messages` (0 for a bare prompt)
    start: int
    end: int
    text: str
    note: str = ""  # e.g. "becuase → because", "dangling 'and'"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class Detection:
    """One detector's finding on one sample: a suggested tag, how sure it is, and why."""

    tag: str  # "robustness:<kind>"
    confidence: float  # 0..1
    evidence: list[Evidence]
    detector: str  # the step that produced it
    settings: dict = field(default_factory=dict)  # dataclasses.asdict of the detector's settings

    @property
    def kind(self) -> str:
        return self.tag.removeprefix(TAG_PREFIX)

    @property
    def reason(self) -> str:
        """One line a reviewer can read: what was found, where."""
        notes = "; ".join(e.note or repr(e.text) for e in self.evidence[:3])
        more = f" (+{len(self.evidence) - 3} more)" if len(self.evidence) > 3 else ""
        return f"{self.kind}: {notes}{more}"

    def to_dict(self) -> dict:
        return {"tag": self.tag, "confidence": round(self.confidence, 3), "detector": self.detector,
                "reason": self.reason, "evidence": [e.to_dict() for e in self.evidence], "settings": self.settings}


def finding(kind: str, detector, evidence: list[Evidence], confidence: float) -> Detection | None:
    """Build a Detection (None when there is no evidence), recording the detector's settings."""
    if not evidence:
        return None
    return Detection(tag=TAG_PREFIX + kind, confidence=max(0.0, min(1.0, confidence)), evidence=evidence,
                     detector=type(detector).__name__, settings=dataclasses.asdict(detector.settings))
