"""Robustness data: detect, tag, generate and protect prompts that are written badly on purpose.

Detectors (`detectors/`, one module per kind, registered in `DETECTORS`) look at user turns only and return a
`Detection` (`detection.py`: tag, confidence, evidence spans). `generation.py` makes variants of clean samples. The protection rule lives in
`curation/protection.py`; storing suggestions, confirming them and inserting variants is in `tagging.py`.
"""
from .detection import TAG_PREFIX, Detection, Evidence
from .detectors import (
           DETECTORS,
           default_detectors,
           detect_sample,
           detect_text,
           detector_names,
)
from .generation import GENERATED_PREFIX, PERTURBATIONS, GenerationSettings

__all__ = ["DETECTORS", "TAG_PREFIX", "GENERATED_PREFIX", "PERTURBATIONS", "Detection", "Evidence",
           "GenerationSettings", "default_detectors", "detect_sample", "detect_text", "detector_names"]
