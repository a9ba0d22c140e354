"""Robustness data: detect, tag, generate and protect prompts that are written badly on purpose.

Detectors (`detection.py` and one module per kind) look at user turns only and return a `Detection`
(tag, confidence, evidence spans). `generation.py` makes variants of clean samples. The protection rule lives in
`curation/protection.py`; storing suggestions, confirming them and inserting variants is in `tagging.py`.
"""
from .detection import KINDS, TAG_PREFIX, Detection, Evidence, default_detectors, detect_sample, detect_text
from .generation import GENERATED_PREFIX, PERTURBATIONS, GenerationSettings

__all__ = ["KINDS", "TAG_PREFIX", "GENERATED_PREFIX", "PERTURBATIONS", "Detection", "Evidence",
           "GenerationSettings", "default_detectors", "detect_sample", "detect_text"]
