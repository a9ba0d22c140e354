"""Each robustness detector on positive and negative prompts, in Chinese and English; evidence points at the text."""
from __future__ import annotations

import pytest

from curation.robustness.detectors import default_detectors, detect_sample, detect_text
from curation.robustness.detectors.code_mix import CodeMixDetector
from curation.robustness.detectors.incomplete import (
    IncompleteDetector,
    IncompleteSettings,
)
from curation.robustness.detectors.pinyin import PinyinDetector
from curation.robustness.detectors.typo import TypoDetector, TypoSettings
from curation.robustness.prompt import text_turns


def _found(detector, text: str):
    return detector.detect(text_turns(text))


def _check_evidence(text: str, detection) -> None:
    for e in detection.evidence:
        assert text[e.start:e.end] == e.text and e.text


@pytest.mark.parametrize("text, wrong", [
    ("Can you explian the diffrence between a list and a tuple?", "explian"),
    ("I recieved the package yesterday.", "recieved"),
    ("Waht is the capital of France?", "Waht"),
    ("我以经把作业做完了。", "以经"),
    ("我觉的这个方案不太好。", "觉的"),
    ("今天天汽怎么样？", "天汽"),
])
def test_typo_positive(text, wrong):
    d = _found(TypoDetector(), text)
    assert d is not None and d.tag == "robustness:typo"
    assert any(wrong in e.text for e in d.evidence)
    _check_evidence(text, d)
    assert d.settings["min_intended_freq"] == TypoSettings().min_intended_freq


@pytest.mark.parametrize("text", [
    "What is the capital of Australia?",
    "Weng earns $12 an hour for babysitting. How much does she earn in 5 hours?",  # a name, not a typo
    "How do I use numpy.linalg.svd and `git rebase -i`?",  # identifiers and code
    "Summarize https://example.com/neews/artcle in two sentences.",  # URLs
    "Translate 'Je suis très heureux de vous rencontrer' into English.",  # a quoted foreign sentence
    "The colour of the neighbour's car is grey.",  # British spelling
    "Use the GPU and the API from PyTorch.",  # acronyms and names
    "我们的目标是提高工作效率。",
    "请问在哪里可以办理护照？",
    "工作分析的目的是確定每個工作的要求。",  # traditional characters are not wrong characters
])
def test_typo_negative(text):
    assert _found(TypoDetector(), text) is None


def test_typo_can_be_limited_to_one_language():
    text = "I recieved it. 我以经到了。"
    en = _found(TypoDetector(TypoSettings(chinese=False)), text)
    zh = _found(TypoDetector(TypoSettings(english=False)), text)
    assert [e.text for e in en.evidence] == ["recieved"]
    assert [e.text for e in zh.evidence] == ["以经"]


@pytest.mark.parametrize("text, note", [
    ("what is the", "the"),
    ("Explain why the sky is blue because", "because"),
    ("Summarize the causes of World War I (including the alliances", "never closed"),
    ("Translate the following sentence into German:", "missing"),
    ("How many apples does she sel", "cut off"),
    ("请解释一下", "without an object"),
    ("我想去北京旅游，但是", "但是"),
    ("帮我列一个清单，包括衣服、", "、"),
    ("请问如何提高工作效", "part of a word"),
    ("解释一下量子力学中的“不确定性原理", "never closed"),
])
def test_incomplete_positive(text, note):
    d = _found(IncompleteDetector(), text)
    assert d is not None and d.tag == "robustness:incomplete"
    assert note in d.reason
    _check_evidence(text, d)


@pytest.mark.parametrize("text", [
    "What is it made of",  # a stranded preposition in a wh-question
    "Write a poem about spring.",
    "1) apples 2) pears",  # list markers, not unclosed brackets
    "I am sad :(",
    "He is 5'10\" tall",
    "写一首关于春天的诗",
    "我也是",
    "是不是",
    "好的",
    "```python\nprint((1\n```\nWhy does this fail?",  # brackets inside code don't count
])
def test_incomplete_negative(text):
    assert _found(IncompleteDetector(), text) is None


# Issue 20, item 22: plain cut-off prompts the detector missed (the first four are the issue's own examples).
@pytest.mark.parametrize("text, note", [
    ("What is the best way to", "ends on 'to'"),
    ("List three reasons that", "ends on 'that'"),
    ("请问如何把这个", "'把' with no verb"),
    ("如果明天下雨的话，那么", "ends on '那么'"),
    ("What are the main benefits of", "ends on 'of'"),
    ("Describe the process by which", "by which"),
    ("What is the fastest way to get from Paris to", "ends on 'to'"),
    ("Create a workout plan for someone who", "ends on 'who'"),
    ("如果你是一名老师的话", "condition with no main clause"),
    ("如果有一天人工智能", "condition with no main clause"),
    ("为了保护环境，我们应该", "ends on '应该'"),
    ("我们应该如何", "ends on '应该如何'"),
    ("请帮我把这段话", "'把' with no verb"),
    ("帮我翻译一下这句", "ends on '这句'"),
])
def test_incomplete_cut_off_prompts(text, note):
    d = _found(IncompleteDetector(), text)
    assert d is not None and note in d.reason
    _check_evidence(text, d)


@pytest.mark.parametrize("text", [
    "Who did you give the book to",  # stranded: the noun phrase is the verb's object
    "What is this made of",
    "I really like that",
    "Which city is the Eiffel Tower in",
    "如果明天下雨怎么办",  # a conditional question is whole
    "就是那么简单",
    "帮我把数组排序",  # 把 with its verb
    "我买了一把椅子",  # 把 as a measure word
    "不需要",
    "请把下面的句子改写得更正式一些",  # 一些 as a degree, not a count
    # real corpus prompts that end on masked content or hold a stray mark (gsm8k, alpaca_zh)
    "What is his new bill now, with the food substitutes and delivery/tip?",
    "How much is his total income in June if he sells 1 gallon of milk at $3.55.",
    "Each guest is either male (M) or female (F. 40% of the guests are women. How many guests wear rabbit ears?",
    '将数字"448"转换为八进制数。',
])
def test_incomplete_complete_prompts(text):
    assert _found(IncompleteDetector(), text) is None


# Embedded questions cut before their verb, or before the question itself (the brief's own two examples first);
# each was missed by the detector before this change.
@pytest.mark.parametrize("text, note", [
    ("Explain the reasons why the Roman Empire", "'why' clause with a subject and no verb"),
    ("我想知道为什么", "ends on '知道为什么'"),
    ("Describe how the French Revolution", "'how' clause"),
    ("Help me understand why my code", "'why' clause"),
    ("Describe the ways in which the internet", "'which' clause"),
    ("I want to know why", "ends on 'why'"),
    ("Tell me how to", "ends on 'how to'"),
    ("请解释为什么罗马帝国", "'为什么' with a subject and no predicate"),
    ("帮我分析一下为什么这家公司", "'为什么' with a subject"),
    ("我想问一下是否", "ends on '问一下是否'"),
])
def test_incomplete_embedded_question_cut_off(text, note):
    d = _found(IncompleteDetector(), text)
    assert d is not None and note in d.reason, d and d.reason
    _check_evidence(text, d)


@pytest.mark.parametrize("text", [
    "Explain why the Roman Empire fell",  # an irregular past is a verb
    "Describe how the French Revolution changed Europe",
    "Tell me where the nearest hospital is",
    "That's how the cookie crumbles",
    "Explain why the people protested",  # a plural that takes a bare verb
    "I don't know why",  # negated: a statement
    "Explain why",  # too short to tell from an elliptical follow-up
    "Read How the Grinch Stole Christmas",  # a title: the wh-word is capitalised
    "我不知道为什么",
    "这就是为什么",
    "请解释为什么罗马帝国会灭亡",
    "如何评价这部电影",  # 如何 + a verb that jieba tags as a noun: 如何 is left out of the subject rule
    "我想知道为什么？",  # a question mark ends it
])
def test_incomplete_embedded_question_complete(text):
    assert _found(IncompleteDetector(), text) is None


def test_incomplete_wh_at_end_only_applies_to_the_first_turn():
    from curation.robustness.detectors import detect_sample
    follow = {"messages": [{"role": "user", "content": "Tea or coffee in the morning?"},
                           {"role": "assistant", "content": "Tea."}, {"role": "user", "content": "Can you explain why"},
                           {"role": "assistant", "content": "It has less caffeine."}]}
    assert "incomplete" not in {d.kind for d in detect_sample(follow)}


def test_incomplete_no_object_only_applies_to_the_first_turn():
    sample = {"messages": [{"role": "user", "content": "Tell me about Paris."},
                           {"role": "assistant", "content": "Paris is the capital of France."},
                           {"role": "user", "content": "Explain"}, {"role": "assistant", "content": "Sure."}]}
    kinds = {d.kind for d in detect_sample(sample)}
    assert "incomplete" not in kinds
    alone = {"messages": [{"role": "user", "content": "Explain"}, {"role": "assistant", "content": "What?"}]}
    assert "incomplete" in {d.kind for d in detect_sample(alone)}


def test_incomplete_signals_can_be_switched_off():
    assert _found(IncompleteDetector(IncompleteSettings(dangling=False)), "what is the cost of") is None


@pytest.mark.parametrize("text, words", [
    ("这个meeting我们改到明天下午可以吗？", "meeting"),
    ("帮我check一下这段话有没有语法错误。", "check"),
    ("我觉得这个idea不错，但是需要更多data。", "idea"),
])
def test_code_mix_positive(text, words):
    d = _found(CodeMixDetector(), text)
    assert d is not None and d.tag == "robustness:code_mix"
    assert any(words in e.text for e in d.evidence)
    _check_evidence(text, d)


@pytest.mark.parametrize("text", [
    "我们用Python和API开发了一个新系统。",  # names and acronyms
    "我想买一部iPhone。",
    "我需要为John Doe生成一张发票。",
    "你好，我有一句法语需要翻译成英语。句子是“Je suis très heureux de vous rencontrer”。",  # quoted
    "请访问www.example.com查看详细信息。",
    "请帮我检查这段代码：`for i in range(10): print(i)`",
    "我下载了一个app，但是打不开。",  # a naturalised loanword
    "Please check the meeting notes.",  # English alone is not mixing
    "请翻译以下段落：The quick brown fox jumps over the lazy dog every single morning.",  # a passage
    "我想去beijing kan chang cheng",  # pinyin, not English
])
def test_code_mix_negative(text):
    assert _found(CodeMixDetector(), text) is None


@pytest.mark.parametrize("text, reading", [
    ("我想去beijing kan chang cheng", "bei jing kan chang cheng"),
    ("明天我们一起去chi fan吧", "chi fan"),
    ("这个词的yi si是什么？", "yi si"),
    ("nǐ hǎo，请问你是谁？", "ni hao"),
    ("ni hao, qing wen ni shi shei", "qing wen ni shi shei"),  # all pinyin, no characters
])
def test_pinyin_positive(text, reading):
    d = _found(PinyinDetector(), text)
    assert d is not None and d.tag == "robustness:pinyin"
    assert any(reading in e.note for e in d.evidence)
    _check_evidence(text, d)


@pytest.mark.parametrize("text", [
    "这首歌叫long time no see吗？",  # English words that happen to parse as pinyin
    "我的名字叫Li Ming。",  # a capitalised name
    "Can you change the range of the banana chart?",  # English only
    "我们用Python和API开发了一个新系统。",
    "请用简单的words解释一下。",
])
def test_pinyin_negative(text):
    assert _found(PinyinDetector(), text) is None


def test_detectors_look_at_user_turns_only():
    sample = {"messages": [{"role": "system", "content": "我以经准备好了"},
                           {"role": "user", "content": "What is the capital of France?"},
                           {"role": "assistant", "content": "Teh capital is Paris, and"}]}
    assert detect_sample(sample) == []


def test_evidence_names_the_turn():
    sample = {"messages": [{"role": "user", "content": "Hello there."},
                           {"role": "assistant", "content": "Hi!"},
                           {"role": "user", "content": "我想去beijing kan chang cheng"},
                           {"role": "assistant", "content": "好的"}]}
    (d,) = detect_sample(sample)
    assert d.kind == "pinyin" and d.evidence[0].turn == 2


def test_detect_text_reports_every_kind_once():
    found = detect_text("我以经和pengyou约好了，明天的meeting在", default_detectors())
    assert sorted(d.kind for d in found) == ["code_mix", "incomplete", "pinyin", "typo"]
    for d in found:
        assert 0 < d.confidence <= 1 and d.reason.startswith(d.kind)
        assert d.to_dict()["settings"] == d.settings
