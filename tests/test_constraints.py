"""Complex instructions: constraint extraction (zh and en) and verification, and the labelled benchmark."""
from __future__ import annotations

import pytest

from curation.checks.instructions import InstructionCheck
from curation.constraints import Constraint, extract_constraints, parse_number, verify
from tests.helpers import load_benchmark


def keys(prompt: str) -> list[tuple]:
    return [c.key() for c in extract_constraints(prompt)]


@pytest.mark.parametrize("prompt, want", [
    ("写一篇不少于200字的作文。", [("length", ">=", 200, "chars")]),
    ("请用不超过100字概括。", [("length", "<=", 100, "chars")]),
    ("生成一个50-100字的短故事。", [("length", ">=", 50, "chars"), ("length", "<=", 100, "chars")]),
    ("Write at most 100 words about cats.", [("length", "<=", 100, "words")]),
    ("Summarize it in no more than 50 words.", [("length", "<=", 50, "words")]),
    ("Write a 500-word essay.", [("length", "~", 500, "words")]),
    ("列出五个欧洲国家。", [("items", "==", 5, None)]),
    ("Give me at least 3 examples.", [("items", ">=", 3, None)]),
    ("分三段介绍人工智能。", [("paragraphs", "==", 3, None)]),
    ("Explain it in 3 paragraphs.", [("paragraphs", "==", 3, None)]),
    ("请用英文回答：什么是量子计算？", [("language", "==", "en", None)]),
    ("Please respond in Chinese.", [("language", "==", "zh", None)]),
    ("以JSON格式返回结果。", [("format", "==", "json", None)]),
    ("Compare them in a markdown table.", [("format", "==", "table", None)]),
    ("写一篇文章，必须包含关键词“碳中和”和“新能源”。", [("keyword", "==", "碳中和", None), ("keyword", "==", "新能源", None)]),
    ('Do not use the words "very" or "really".', [("forbidden", "==", "very", None), ("forbidden", "==", "really", None)]),
    ("Describe a sunset without using any commas.", [("forbidden", "==", ",", None)]),
])
def test_extracts_each_kind_in_both_languages(prompt, want):
    assert keys(prompt) == want


@pytest.mark.parametrize("prompt", [
    "What is the boiling point of water?", "小明有5个苹果，吃了2个，还剩几个？", "下面这篇500字的文章讲了什么？",
    "Parse this JSON and tell me the value of id: {\"id\": 7}", "设计一个数据结构来存储5000个单词的字典。", "", "   ",
])
def test_numbers_and_words_that_constrain_nothing_are_not_constraints(prompt):
    assert extract_constraints(prompt) == []


def test_chinese_and_english_numbers():
    assert [parse_number(x) for x in ("200", "两百", "一百五十", "十", "二十", "three", "twenty", "x")] == \
        [200, 200, 150, 10, 20, 3, 20, None]


def test_verify_measures_each_kind():
    ge200 = Constraint("length", 200, ">=", "chars")
    assert verify(ge200, "好" * 150) == (False, 150) and verify(ge200, "好" * 210).ok
    assert verify(Constraint("length", 5, "<=", "words"), "one two three four five six").measured == 6
    assert verify(Constraint("length", 100, "~", "words"), " ".join(["w"] * 80)).ok  # within 30 %
    assert not verify(Constraint("length", 100, "~", "words"), " ".join(["w"] * 50)).ok
    assert verify(Constraint("items", 3, "=="), "1. a\n2. b\n3. c").ok
    assert verify(Constraint("items", 3, "=="), "- a\n- b").measured == 2
    assert verify(Constraint("paragraphs", 2, "=="), "first para.\n\nsecond para.").ok
    assert verify(Constraint("length", 2, "==", "sentences"), "这是第一句。这是第二句。").ok
    assert verify(Constraint("language", "en"), "Quantum computing uses qubits.").ok
    assert not verify(Constraint("language", "en"), "量子计算使用量子比特。").ok
    assert verify(Constraint("format", "json"), '```json\n{"name": "A", "age": 3}\n```').ok
    assert verify(Constraint("format", "json"), "name: A").measured == "does not parse"
    assert verify(Constraint("format", "table"), "| a | b |\n|---|---|\n| 1 | 2 |").ok
    assert verify(Constraint("keyword", "碳中和"), "实现碳中和需要……").ok
    assert verify(Constraint("forbidden", "very"), "Very good, very nice.") == (False, 2)
    assert verify(Constraint("forbidden", ","), "一，二, 三").measured == 2


def test_instruction_check_flags_each_violation_with_the_measured_value():
    sample = {"messages": [{"role": "user", "content": "写一篇不少于200字的作文，不要使用“非常”。"},
                           {"role": "assistant", "content": "非常好。" * 10}]}
    reasons = [f.reason for f in InstructionCheck().find(sample, {})]
    assert reasons == ["asks length >= 200 chars; answer has 30", "forbids «非常»; the answer uses it 10×"]
    sample["messages"][1]["content"] = "好" * 220
    assert InstructionCheck().find(sample, {}) == []


def test_benchmark_meets_the_target_on_the_held_out_corpus_part(corpora_dir):
    result = load_benchmark("constraints").run(corpora=corpora_dir)
    assert result["corpus_heldout"]["ours"]["prompts"] == 150
    assert result["corpus_heldout"]["ours"]["accuracy"] >= 0.9
    assert result["all"]["ours"]["accuracy"] >= 0.9 > result["all"]["baseline"]["accuracy"]
