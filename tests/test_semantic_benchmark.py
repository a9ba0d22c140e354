"""benchmarks/semantic.py: the data is what the issue asks for, and the calibration rule does what it says."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import semantic  # noqa: E402
from semantic_pairs import PAIRS  # noqa: E402

from curation.text import has_cjk  # noqa: E402


def test_pairs_are_paraphrases_and_same_topic_negatives_per_language():
    for lang, (pos, neg) in PAIRS.items():
        assert len(pos) == len(neg) >= 10
        assert [a for a, _ in pos] == [a for a, _ in neg]  # each negative shares its positive's anchor (topic)
        assert all(a != b for a, b in pos + neg)
        assert len({b for _, b in pos} | {b for _, b in neg}) == 2 * len(pos)
    assert all(has_cjk(a) and has_cjk(b) for a, b in PAIRS["zh"][0])
    assert not any(has_cjk(a) or has_cjk(b) for a, b in PAIRS["en"][0])
    assert all(has_cjk(a) and any("a" <= c.lower() <= "z" for c in a) for a, _ in PAIRS["mixed"][0])


def test_precision_recall_auc_and_the_calibration_rule():
    pos, neg = np.array([0.9, 0.8, 0.7, 0.6]), np.array([0.75, 0.5, 0.4, 0.3])
    assert semantic.precision_recall(pos, neg, 0.7) == {"precision": 0.75, "recall": 0.75, "pairs": [4, 4]}
    assert semantic.auc(pos, neg) == 0.875  # 14 of 16 orderings right (0.7 and 0.6 fall below 0.75)
    scores = {"zh": (pos, neg), "en": (pos + 0.1, neg)}
    c = semantic.calibrate(scores)
    # precision 1 from just above the 0.75 negative; zh recall stays 0.5 up to 0.8, and ties go to the higher
    assert c["threshold"] == 0.8 and c["rule"].startswith("precision >= 0.9")
    hard = {"zh": (np.array([0.5, 0.6]), np.array([0.9, 0.95])), "en": (np.array([0.5]), np.array([0.9]))}
    assert semantic.calibrate(hard)["rule"].startswith("precision 0.9 unreachable")
