"""Typo detection on real prompts (issue 20, item 21) and the shape of its calibrated confidence."""
from __future__ import annotations

import json

import pytest

from curation.robustness.prompt import text_turns
from curation.robustness.detectors.typo import TYPO_CALIBRATION, TypoDetector, typo_features, typo_probability
from tests.helpers import ROOT, load_benchmark


def _typo(text: str):
    return TypoDetector().detect(text_turns(text))


# The examples ("tech -> teach" at 1.00, "css -> ass", "bio -> big", "women's -> woman's") and the
# other real-corpus words the detector used to flag (gsm8k, alpaca_zh, glaive_toolcall_zh).
@pytest.mark.parametrize("text", [
    "The tech company hired 12 new engineers this month.",
    "How do I center a div with css and flexbox?",
    "Write a short bio for my personal website.",
    "The store sells women's shirts for $12 and men's shirts for $15.",
    "Mitch made 20 macarons. Joshua made 6 more macarons than Mitch.",
    "Her dog got ahold of her wallet and shredded all the cash.",
    "Kimiko is retiling her kitchen floor. Each tile is 6 square inches.",
    "Julio makes a mocktail every evening.",
    "Write a debounce function in JavaScript.",  # the demo set: a function name
    "John's car gets 30 mpg. He drives 20 miles to work each day.",
    "She plans to take home any cookies she doesn’t sell.",
    "找出一个重复元素数组中的两个不重复元素。输入：arr = [2, 3, 7, 9, 11, 2, 3, 11]",
    "写出冥想的好处：生成五个句子描述。",
    "描述这项技术的一个潜在用例。",
    "选择四种草药来制作意式马里纳拉酱。",
    "查询数据库中的表名。",
    "请解释一词多义的现象。",
])
def test_real_words_are_not_typos(text):
    assert _typo(text) is None


@pytest.mark.parametrize("text, wrong, fix", [
    ("She spent 2 hours at the park and an additinal 30 minutes walking.", "additinal", "additional"),
    ("How do I recieve payments through my bank acount?", "acount", "account"),
    ("I definately need help with this.", "definately", "definitely"),
    ("我以经把作业做完了。", "以经", "已经"),
])
def test_real_typos_are_still_found(text, wrong, fix):
    d = _typo(text)
    assert d is not None
    assert any(e.text == wrong and f"→ {fix}" in e.note for e in d.evidence)


def test_probability_shape():
    """More common correction -> likelier typo; a word real text uses -> less likely; a slip people make ->
    likelier; always strictly between 0 and 1, so a single suggestion never shows a certain 1.00 by fiat."""
    gaps = [typo_probability(g, 2.0, False, True) for g in (0.5, 1.5, 2.5, 3.5, 4.5)]
    assert gaps == sorted(gaps) and gaps[0] < 0.5 < gaps[-1]
    zipfs = [typo_probability(3.0, z, False, True) for z in (0.0, 1.0, 2.0, 3.0)]
    assert zipfs == sorted(zipfs, reverse=True)
    assert typo_probability(2.5, 1.5, False, True) > typo_probability(2.5, 1.5, False, False)
    assert typo_probability(2.5, 1.5, True, True) < typo_probability(2.5, 1.5, False, True)
    assert all(0 < p < 1 for p in gaps + zipfs)


def test_prompt_confidence_combines_distinct_suggestions():
    one = _typo("I definately agree.")
    (p,) = [float(e.note.rsplit("p=", 1)[1].rstrip(")")) for e in one.evidence]
    assert one.confidence == pytest.approx(p, abs=0.005)
    repeated = _typo("I definately agree, definately.")
    assert repeated.confidence == pytest.approx(one.confidence)  # the same word twice is one suggestion
    two = _typo("I definately agree with the diffrence.")
    assert one.confidence < two.confidence < 1


def test_probability_follows_the_features():
    gap, zipf, short, slip = typo_features("additinal", "additional")
    assert zipf == 0 and gap > 4 and slip and not short
    assert typo_features("mocktail", "cocktail")[3] is False  # m for c: no slip makes it


def _bench():
    return load_benchmark("robustness")


def test_real_labels_are_well_formed():
    rows = [json.loads(line) for line in open(ROOT / "benchmarks" / "data" / "robustness_real_labels.jsonl",
                                              encoding="utf-8")]
    assert {r["kind"] for r in rows} == {"typo", "incomplete"}
    for r in rows:
        assert r["label"] in ("typo", "correct", "incomplete") and isinstance(r["index"], int)
        assert (r["kind"] == "typo") == ("word" in r)
        assert r["label"] != "typo" or r["expected"]  # a real typo names the word meant
        assert "text" not in r  # record numbers only: the corpora are never copied


@pytest.mark.slow
def test_calibration_constants_come_from_the_fit(corpora_dir):
    """TYPO_CALIBRATION is what `benchmarks/robustness.py --calibrate` fits on the dev half, not a guess."""
    bench = _bench()
    rows = bench.typo_rows(bench.corpus_prompts(corpora_dir), bench.real_labels(), "dev")
    assert bench.fit_logistic(rows) == pytest.approx(list(TYPO_CALIBRATION), abs=0.01)


def test_every_real_suggestion_is_labelled_and_precise(corpora_dir):
    """On every record of the public corpora, each typo suggestion has a hand label and nine in ten are right."""
    bench = _bench()
    real = bench.real_typo(bench.corpus_prompts(corpora_dir), bench.real_labels())
    for lang in ("en", "zh"):
        assert real[lang]["unlabelled"] == []
        assert real[lang]["precision"] is None or real[lang]["precision"] >= 0.9
    assert real["en"]["right"] >= 1
