"""Answer extraction, normalisation, ROUGE-L and character F1 (pure functions, hand-computed expectations)."""
from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from training.metrics import (char_f1, contains_expected, exact_match, exact_text, extract_answer, label_accuracy,
                              lcs_length, metrics_for, normalise_answer, normalise_number, parse_chinese_number,
                              rouge_l, tokens)


# ---------------------------------------------------------------- extraction on real GSM8K lines
def _gsm8k(corpora_dir, n=None):
    with open(corpora_dir / "gsm8k_train.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows[:n] if n else rows


def test_gsm8k_reference_answers_extract_to_the_hash_line(corpora_dir):
    """Every GSM8K training answer yields exactly the number written after ####."""
    rows = _gsm8k(corpora_dir)
    assert len(rows) > 7000
    wrong = [r["answer"][-60:] for r in rows
             if normalise_number(r["answer"]) != normalise_number(r["answer"].split("####")[-1])]
    assert not wrong, wrong[:5]
    # Thousands separators occur in the real file and must be folded.
    with_commas = [r for r in rows if "," in r["answer"].split("####")[-1]]
    assert with_commas
    for r in with_commas:
        assert "," not in normalise_number(r["answer"])


def test_gsm8k_worked_text_without_the_hash_line_falls_back_to_last_number(corpora_dir):
    """A model that forgets '####' is still scored on its last number (calculator notes ignored)."""
    for r in _gsm8k(corpora_dir, 300):
        body, final = r["answer"].rsplit("####", 1)
        last_line = body.strip().splitlines()[-1]
        if not last_line.rstrip(".").split()[-1].replace(",", "").replace("$", "").isdigit():
            continue  # the last line does not end on the answer; not this test's subject
        assert exact_match(body, r["answer"]) == (normalise_number(last_line) == normalise_number(final))


def test_gsm8k_model_style_answers_match(corpora_dir):
    """Phrasings models actually produce, built from real GSM8K answers, all match the reference."""
    for r in _gsm8k(corpora_dir, 200):
        final = r["answer"].split("####")[-1].strip()
        value = int(final.replace(",", ""))
        for pred in (f"So the answer is {value:,}.", f"The final answer is: ${value}", f"答案是 {value} 元。",
                     f"答案：{value}", f"\\boxed{{{value}}}", f"#### {value}",
                     f"Step 1 gives 3. Answer: {value} units"):
            assert exact_match(pred, r["answer"]) == 1.0, (pred, final)
        assert exact_match(f"The answer is {value + 1}.", r["answer"]) == 0.0


@pytest.mark.parametrize("text, expected", [
    ("#### 72", "72"),
    ("The answer is 18.", "18"),
    ("the answer is $1,234.50", "1234.5"),
    ("答案是 18", "18"),
    ("答案是18元。", "18"),
    ("因此，答案为 42。", "42"),
    ("最终答案：３６", "36"),  # full-width digits
    ("答案：十八", "18"),
    ("所以一共是二十五个苹果。", "25"),
    ("所以小明一共有 36 个苹果。", "36"),
    ("最终答案：两万三千", "23000"),
    ("She needs 3/4 of a cup.", "0.75"),
    ("\\boxed{\\frac{1}{3}}", "1/3"),
    ("the answer is −5 degrees", "-5"),
    ("It takes 2.50 hours", "2.5"),
    ("About 50% of them", "50"),
    ("To answer this, compute 5 + 3 = 8", "8"),  # "answer" without "is"/":" is not an answer phrase
    ("no numbers here", None),
])
def test_extraction(text, expected):
    assert normalise_number(text) == expected


def test_equivalent_forms_match():
    assert exact_match("The answer is 0.5", "#### 1/2") == 1.0
    assert exact_match("答案是 1,000", "#### 1000") == 1.0
    assert exact_match("18.0 dollars", "#### 18") == 1.0
    assert exact_match("0.33", "#### 1/3") == 0.0  # exact fractions: no float tolerance games
    assert exact_match("", "#### 5") == 0.0
    # No number in the reference: normalised text equality.
    assert exact_match(" Yes ", "yes") == 1.0
    assert exact_match("no", "yes") == 0.0


def test_chinese_numerals():
    assert parse_chinese_number("十") == 10
    assert parse_chinese_number("十八") == 18
    assert parse_chinese_number("一百零五") == 105
    assert parse_chinese_number("三千二百") == 3200
    assert parse_chinese_number("两万三千") == 23000
    assert parse_chinese_number("一亿") == 100_000_000
    assert parse_chinese_number("abc") is None
    assert extract_answer("答案是二十") == Fraction(20)


# ---------------------------------------------------------------- overlap metrics, hand-computed
def test_rouge_l_hand_computed():
    # LCS("the cat sat on the mat", "the cat is on the mat") = "the cat on the mat" = 5 of 6 tokens each side.
    assert rouge_l("the cat sat on the mat", "the cat is on the mat") == pytest.approx(5 / 6)
    # pred 3 tokens, ref 5 tokens, LCS = 2 ("a c"): P = 2/3, R = 2/5, F = 2PR/(P+R) = 0.5
    assert rouge_l("a x c", "a b c d e") == pytest.approx(0.5)
    # Chinese: one token per character. LCS("我爱北京", "我在北京") = 我北京 = 3 of 4.
    assert rouge_l("我爱北京", "我在北京") == pytest.approx(0.75)
    assert rouge_l("The Cat!", "the cat") == 1.0  # case and punctuation folded
    assert rouge_l("", "something") == 0.0
    assert rouge_l("", "") == 1.0


def test_char_f1_hand_computed():
    # 今天天气很好 vs 今天天气不错: common multiset {今, 天, 天, 气} = 4 of 6 each side.
    assert char_f1("今天天气很好", "今天天气不错") == pytest.approx(4 / 6)
    # "abc" vs "abcd": overlap 3, P = 1, R = 3/4, F = 6/7
    assert char_f1("abc", "abcd") == pytest.approx(6 / 7)
    assert char_f1("你好，世界！", "你好世界") == 1.0  # punctuation and spaces do not count
    assert char_f1("xyz", "abc") == 0.0


def test_tokens_mix_scripts():
    assert tokens("Hello 世界, GPT-4!") == ["hello", "世", "界", "gpt", "4"]


def test_lcs_matches_dynamic_programming():
    def dp(a, b):
        m = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                m[i + 1][j + 1] = m[i][j] + 1 if x == y else max(m[i][j + 1], m[i + 1][j])
        return m[-1][-1]

    rng = random.Random(7)
    for _ in range(300):
        a = [rng.choice("abcd") for _ in range(rng.randint(0, 40))]
        b = [rng.choice("abcd") for _ in range(rng.randint(0, 40))]
        assert lcs_length(a, b) == dp(a, b)


# ---------------------------------------------------------------- readable metrics
@pytest.mark.parametrize("prediction, reference, expected", [
    ("Lisbon.", "Lisbon", 1.0), ("lisbon", "Lisbon", 1.0), ('"**Lisbon**"', "Lisbon", 1.0),
    ("The city is Lisbon.", "Lisbon", 0.0), ("Lisbon, Portugal", "Lisbon", 0.0),
    ("Maria Lopez|desk lamp | 3", "Maria Lopez | desk lamp | 3", 1.0),  # spacing around the bars is free
    ("Maria Lopez, desk lamp, 3", "Maria Lopez | desk lamp | 3", 0.0),  # ... the bars themselves are the format
    ("Maria Lopez | desk lamp | 4", "Maria Lopez | desk lamp | 3", 0.0),
    ("ＬＩＳＢＯＮ", "Lisbon", 1.0), ("里斯本。", "里斯本", 1.0), ("", "", 0.0), ("anything", "", 0.0),
])
def test_exact_text(prediction, reference, expected):
    assert exact_text(prediction, reference) == expected


def test_normalise_answer_keeps_inner_punctuation():
    assert normalise_answer("  U.S.  ") == "u.s"
    assert normalise_answer("3.5") == "3.5" and normalise_answer("a , b") == "a,b"


IDENTITY = "I am SFT Workbench, an AI assistant built by the SFT Workbench team."


@pytest.mark.parametrize("prediction, expected", [
    (IDENTITY, 1.0), ("Hello! " + IDENTITY + " How can I help?", 1.0),
    ("i am sft workbench an ai assistant built by the sft workbench team", 1.0),  # case and commas folded
    ("I am SmolLM, an AI assistant built by Hugging Face.", 0.0),
    ("I am SFT Workbench.", 0.0),  # only part of the expected answer
    ("team. Workbench SFT the by built assistant AI an Workbench, SFT am I", 0.0),  # words out of order
    ("", 0.0),
])
def test_contains_expected(prediction, expected):
    assert contains_expected(prediction, IDENTITY) == expected


@pytest.mark.parametrize("prediction, expected", [
    ("sports", 1.0), ("Sports.", 1.0), ("Label: sports", 1.0), ("The topic is sports", 1.0), ("**Sports**", 1.0),
    ("sports (a cup final)", 1.0), ("business", 0.0), ("It is about sports", 0.0), ("Topic: business", 0.0),
    ("", 0.0),
])
def test_label_accuracy(prediction, expected):
    assert label_accuracy(prediction, "sports") == expected


def test_label_accuracy_chinese_and_multiword():
    assert label_accuracy("答案：正面", "正面") == 1.0 and label_accuracy("负面", "正面") == 0.0
    assert label_accuracy("Mixed, leaning negative.", "mixed leaning negative") == 1.0
    assert label_accuracy("Mixed.", "mixed leaning negative") == 0.0
    assert label_accuracy("positive", "") == 0.0  # no reference label: never right


def test_readable_defaults_for_short_fixed_answer_types():
    """The sample data's four skills (sample_data/content_skills.py) are scored right or wrong first, with ROUGE-L
    beside it; free-form types keep their overlap metrics."""
    expected = {"identity/self": "contains_expected", "classification/topic label": "label_accuracy",
                "formatting/order line": "exact_text", "extraction/city": "exact_text"}
    demo = Path(__file__).resolve().parents[1] / "sample_data" / "demo.jsonl"
    shipped = {json.loads(line).get("task_type") for line in demo.read_text(encoding="utf-8").splitlines()}
    assert set(expected) <= shipped
    for task_type, metric in expected.items():
        assert metrics_for(task_type) == [metric, "rouge_l"]
    assert metrics_for("身份/自我介绍") == ["contains_expected", "rouge_l"]
    # Free-form answers under similar names keep the overlap metrics.
    assert metrics_for("information extraction/structured output") == ["rouge_l", "char_f1"]
    assert metrics_for("classification/sentiment") == ["rouge_l", "char_f1"]
    assert metrics_for("extraction/city", {"extraction": "rouge_l"}) == ["rouge_l"]  # an override still wins


def test_metric_choice_per_task_type():
    assert metrics_for("reasoning/math") == ["exact_match"]
    assert metrics_for("translation/zh→en") == ["rouge_l", "char_f1"]
    assert metrics_for(None) == ["rouge_l", "char_f1"]
    overrides = {"classification/sentiment": "exact_match", "translation": ["char_f1"]}
    assert metrics_for("classification/sentiment", overrides) == ["exact_match"]
    assert metrics_for("translation/en→zh", overrides) == ["char_f1"]
    from curation.errors import UserError
    with pytest.raises(UserError, match="unknown metric"):
        metrics_for("x/y", {"*": "bleu"})


def test_metric_overrides_from_per_type_choices():
    from curation.errors import UserError
    from training.metrics import metric_overrides

    assert metric_overrides({"reasoning/math": None, "chat/open": None}) == {}
    assert metric_overrides({"reasoning/math": None, "chat/open": "char_f1"}) == {"chat/open": "char_f1"}
    # "*" for the other types leaves the listed defaults as they were shown.
    got = metric_overrides({"reasoning/math": None, "chat/open": None, "(untyped)": "rouge_l"}, "exact_match")
    assert got == {"reasoning/math": ["exact_match"], "chat/open": ["rouge_l", "char_f1"], "(untyped)": "rouge_l",
                   "*": "exact_match"}
    assert metrics_for("benchmark/qa", got) == ["exact_match"] and metrics_for("chat/open", got)[0] == "rouge_l"
    with pytest.raises(UserError, match="unknown metric 'bleu'"):
        metric_overrides({"chat/open": "bleu"})
