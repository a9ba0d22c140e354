"""Checkable constraints of a complex instruction, in Chinese and English, and their verification.

`extract_constraints(prompt)` finds what a prompt asks of the answer's form that a program can check:

| kind | value | op | unit | prompts |
|---|---|---|---|---|
| `length` | a number | `>=` `<=` `==` `~` | `chars` `words` `sentences` `lines` | 不少于200字, at most 100 words, 用一句话, 50-100字 |
| `items` | a number (2 or more) | `>=` `<=` `==` | | 列出五个, list 5 tips, at least 3 examples |
| `paragraphs` | a number | `>=` `<=` `==` | | 分三段, in 3 paragraphs, 用一段话 |
| `language` | `zh` or `en` | `==` | | 用英文回答, answer in Chinese, 翻译成英语 |
| `format` | `json` or `table` | `==` | | 以JSON格式输出, in a markdown table, 用表格 |
| `keyword` | the word | `==` | | 包含关键词“碳中和”, include the word "resilience" |
| `forbidden` | the word (`,` for commas) | `==` | | 不要使用“但是”, do not use the word "very", no commas |

`verify(constraint, answer)` measures the answer and returns `Verdict(ok, measured)`: the count, the language,
whether it parses, or how often a word occurs. Extraction is rule-based (no model), so it is fast enough to run
on every sample at import; its accuracy on a labelled zh+en set is measured by `benchmarks/constraints.py`.

Why these rules: a "200字的故事" asks for about 200 characters, not at least 200, so a plain number is `~`
(within `APPROX` of it either way); a "list" of one item is no list, so item counts start at 2; 字 counts the way
Chinese word processors do (each ideograph, plus each Latin word or number), "characters" in an English answer
are its characters.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .text import CJK_CLASS

APPROX = 0.3  # "about N" / "N字的" holds within 30 % either way: writers round, and a 200字 story of 180 is fine
_CJK = re.compile(f"[{CJK_CLASS}]")
_LATIN_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_EN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’-][A-Za-z0-9\u00c0-\u024f]+)*")


@dataclass(frozen=True)
class Constraint:
    """One checkable requirement of a prompt; `source` is the prompt text it was read from."""

    kind: str  # length | items | paragraphs | language | format | keyword | forbidden
    value: int | str
    op: str = "=="  # >= | <= | == | ~ (about)
    unit: str | None = None  # length only: chars | words | sentences | lines
    source: str = field(default="", compare=False)

    def key(self) -> tuple:
        """What identifies the constraint (the labelled benchmark compares these)."""
        return (self.kind, self.op, self.value, self.unit)

    def describe(self) -> str:
        """One line a reviewer reads, e.g. `length >= 200 chars`, `keyword «碳中和»`."""
        if self.kind in ("keyword", "forbidden"):
            return f"{self.kind} «{self.value}»"
        if self.kind in ("language", "format"):
            return f"{self.kind} {self.value}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.kind} {self.op} {self.value}{unit}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "op": self.op, "unit": self.unit, "source": self.source}


class Verdict(NamedTuple):
    """Whether the answer meets a constraint, and what was measured (a count, a language, a parse result);
    a tuple, so `ok, measured = verify(c, answer)` works."""

    ok: bool
    measured: int | float | str | None


# ---------------------------------------------------------------- numbers
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_EN_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                    "ninety": 90, "hundred": 100, "a hundred": 100, "a couple of": 2, "a single": 1, "single": 1,
                    "a": 1, "an": 1, "dozen": 12, "a dozen": 12})
ZH_NUM = r"(?:\d+|[零〇一二两三四五六七八九十百千万]+)"
EN_NUM = (r"(?:\d+|a hundred|a couple of|a dozen|a single|" + "|".join(sorted(
    (w for w in _EN_NUMBERS if " " not in w and w not in ("a", "an")), key=len, reverse=True)) + r")")


_ZH_NUM_RE, _EN_NUM_RE = re.compile(ZH_NUM), re.compile(EN_NUM, re.I)


def parse_number(text: str) -> int | None:
    """An Arabic, Chinese (两百, 一百五十, 十) or English (twenty) number; None when it is not one."""
    t = text.strip().lower().replace(",", "")
    if t.isdigit():
        return int(t)
    if t in _EN_NUMBERS:
        return _EN_NUMBERS[t]
    if not t or any(ch not in _ZH_DIGITS and ch not in _ZH_UNITS for ch in t):
        return None
    total, section, digit = 0, 0, None
    for ch in t:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
            continue
        unit = _ZH_UNITS[ch]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


# ---------------------------------------------------------------- extraction rules
_ZH_UNIT = {"字": "chars", "个字": "chars", "汉字": "chars", "个汉字": "chars", "词": "words", "个词": "words",
            "单词": "words", "个单词": "words", "句": "sentences", "句话": "sentences", "个句子": "sentences",
            "行": "lines"}
_ZH_UNIT_RE = r"(个汉字|个单词|个句子|个字|个词|汉字|单词|句话|字|词|句|行)"
_EN_UNIT = {"word": "words", "character": "chars", "char": "chars", "letter": "chars", "sentence": "sentences",
            "line": "lines"}
_EN_UNIT_RE = r"(words?|characters?|chars?|sentences?|lines?)"

# Chinese length: (regex, op); group 1 the number (2 the second number for ranges), then the unit group.
_ZH_LENGTH = [
    (rf"(?:字数)?(?:在|为)?{ZH_NUM}\s*(?:[-~～到至])\s*({ZH_NUM})\s*{_ZH_UNIT_RE}", "range"),
    (rf"(?:不少于|不低于|至少|最少|起码|不得少于|不能少于|(?<![不未])多于|(?<![不未得能要])超过|(?<!不)大于)\s*(?:要写|写|输出)?\s*({ZH_NUM})\s*{_ZH_UNIT_RE}", ">="),
    (rf"({ZH_NUM})\s*{_ZH_UNIT_RE}(?:以上|或以上|及以上|起)", ">="),
    (rf"(?:不超过|不多于|不大于|最多|至多|少于|不得超过|不能超过|不要超过|限|限制在|控制在)\s*(?:写|输出)?\s*({ZH_NUM})\s*{_ZH_UNIT_RE}"
     r"(?:以内|之内|以下|内)?", "<="),
    (rf"({ZH_NUM})\s*{_ZH_UNIT_RE}(?:以内|之内|以下|内)", "<="),
    (rf"(?:字数|篇幅)(?:要|需|应)?(?:不少于|不低于|至少|在)\s*({ZH_NUM})(){{0}}", ">="),
    (rf"(?:字数|篇幅)(?:要|需|应)?(?:不超过|不多于|控制在|限制在)\s*({ZH_NUM})(){{0}}", "<="),
    (rf"(?:约|大约|大概|左右|差不多)\s*({ZH_NUM})\s*{_ZH_UNIT_RE}", "~"),
    (rf"({ZH_NUM})\s*{_ZH_UNIT_RE}左右", "~"),
    (rf"(?:正好|恰好|刚好)\s*({ZH_NUM})\s*{_ZH_UNIT_RE}", "=="),
]
_ZH_LENGTH = [(re.compile(p, re.I), op) for p, op in _ZH_LENGTH]
_ZH_PLAIN_LENGTH = re.compile(rf"({ZH_NUM})\s*{_ZH_UNIT_RE}")

_EN_LENGTH = [
    (rf"\bbetween\s+({EN_NUM})\s+and\s+({EN_NUM})\s+{_EN_UNIT_RE}\b", "range"),
    (rf"\b({EN_NUM})\s*(?:-|–|to)\s*({EN_NUM})(?:\s+|-){_EN_UNIT_RE}\b", "range"),
    (rf"\b(?:at least|no less than|not less than|no fewer than|not fewer than|a minimum of|minimum of|(?<!no )(?<!not )more than|"
     rf"over)\s+({EN_NUM})\s+{_EN_UNIT_RE}\b", ">="),
    (rf"\b({EN_NUM})\s+{_EN_UNIT_RE}\s+or\s+(?:more|longer)\b", ">="),
    (rf"\b({EN_NUM})\+\s+{_EN_UNIT_RE}\b", ">="),
    (rf"\b(?:at most|no more than|not more than|up to|a maximum of|maximum of|max(?:imum)?|fewer than|less than|"
     rf"under|within|not exceed(?:ing)?|no longer than|limit(?:ed)?(?: (?:it|this|yourself|your answer|your response|"
     rf"the answer|the response))? to)\s+({EN_NUM})\s+{_EN_UNIT_RE}\b", "<="),
    (rf"\b({EN_NUM})\s+{_EN_UNIT_RE}\s+or\s+(?:less|fewer|under)\b", "<="),
    (rf"\b(?:about|around|approximately|roughly|circa|some)\s+({EN_NUM})\s+{_EN_UNIT_RE}\b", "~"),
    (rf"\bexactly\s+({EN_NUM})\s+{_EN_UNIT_RE}\b", "=="),
    (rf"\b({EN_NUM})-{_EN_UNIT_RE}\b", "~"),  # a 500-word essay, a two-sentence summary
    (rf"\bin\s+(?:just\s+|only\s+)?({EN_NUM})\s+{_EN_UNIT_RE}\b", "~"),
]
_EN_LENGTH = [(re.compile(p, re.I), op) for p, op in _EN_LENGTH]

_ZH_LIST_VERB = (r"(?:列出|列举|举出|举|给出|给我|提供|写出|说出|找出|想出|推荐|识别|指出|总结出|罗列|编制|生成|提出|建议|"
                 r"确定|写|找|选出|挑选|命名)")
_ZH_CLASSIFIER = r"(?:个|件|条|种|点|项|样|位|本|张|首|款|大|步|类|部|座|道|家|名|处|方面)"
_ZH_ITEMS = re.compile(rf"{_ZH_LIST_VERB}([^，。；！？,;!?\n]{{0,24}})")
_ZH_ITEM_NUM = re.compile(rf"(?<![天午上晚早凌中])(至少|不少于|最多|不超过)?({ZH_NUM}){_ZH_CLASSIFIER}(?!句|段|字|月|小时|星期|礼拜|工作日|钟头|季度|世纪)(?<!点)|"
                          rf"(?<![天午上晚早凌中])(至少|不少于|最多|不超过)?({ZH_NUM})点(?![钟半整开到前后左多])")
# a whole instruction that is a noun phrase ending in a count: "在飞机上可以做的五件事。"
_ZH_ITEM_TITLE = re.compile(rf"^[^，。；,;\n]{{2,30}}的({ZH_NUM}){_ZH_CLASSIFIER}[^，。；的,;\n]{{0,8}}[。？?]?\s*$")
_ZH_LIST_NOUN = re.compile(rf"(?:包含|包括|有)?({ZH_NUM}){_ZH_CLASSIFIER}[^，。；,;\n]{{0,16}}(?:清单|列表|名单|要点)")
# an imperative: the verb opens a sentence or clause ("List 5 tips", "Please give me 3"), unlike narrative text
# ("she decides to give 150 to her friend")
_EN_LIST_VERB = (r"(?:^|(?<=[.!?:;\n])|(?<=[.!?:;]\s)|\b(?:please|can you|could you|would you|and|then)\s+)\s*"
                 r"(?:list|name|give(?: me)?|provide|suggest|recommend|identify|share|offer|generate|write down|"
                 r"enumerate|outline|come up with|brainstorm|mention|tell me|what are)")
_EN_ITEMS = re.compile(rf"{_EN_LIST_VERB}\s+(?:(at least|no more than|at most|up to|exactly)\s+)?(?:the\s+)?"
                       rf"(?:top\s+)?({EN_NUM})\b(?!\s*(?:words?|characters?|sentences?|lines?|paragraphs?)\b)",
                       re.I)
_EN_ITEMS_NOUN = re.compile(rf"\b(?:(at least|no more than|at most|up to|exactly)\s+)?({EN_NUM})\s+(?:bullet(?:ed)? "
                            rf"points?|bullets|list items|key points|tips|examples|reasons|ideas)\b", re.I)
MAX_ITEMS = 50  # "list 500 ..." is a count in a story problem, not an answer's list
_OPS = {"至少": ">=", "不少于": ">=", "最多": "<=", "不超过": "<=", "at least": ">=", "no more than": "<=",
        "at most": "<=", "up to": "<=", "exactly": "=="}

_ZH_PARAGRAPHS = [
    (rf"(?:分|分成|分为)\s*({ZH_NUM})\s*(?:个)?(?:段|段落|自然段)", "=="),
    (rf"(?:写|用)\s*((?!一){ZH_NUM})\s*(?:个)?(?:段|段落|自然段)(?!话)", "=="),
    (rf"({ZH_NUM})\s*(?:个段落|个自然段|段话)", "=="),
    (rf"(?:不少于|至少)\s*({ZH_NUM})\s*(?:个)?(?:段|段落|自然段)", ">="),
    (rf"(?:不超过|最多)\s*({ZH_NUM})\s*(?:个)?(?:段|段落|自然段)", "<="),
]
_EN_PARAGRAPHS = [
    (rf"\b(?:at least|no fewer than|a minimum of)\s+({EN_NUM})\s+paragraphs?\b", ">="),
    (rf"\b(?:at most|no more than|up to|a maximum of)\s+({EN_NUM})\s+paragraphs?\b", "<="),
    (rf"\b(?:exactly\s+|in\s+)?({EN_NUM})[\s-]+paragraphs?\b", "=="),
]

_ZH_PARAGRAPHS = [(re.compile(p, re.I), op) for p, op in _ZH_PARAGRAPHS]
_EN_PARAGRAPHS = [(re.compile(p, re.I), op) for p, op in _EN_PARAGRAPHS]

_LANG_WORD = {"英文": "en", "英语": "en", "中文": "zh", "汉语": "zh", "简体中文": "zh", "普通话": "zh",
              "english": "en", "chinese": "zh", "mandarin": "zh", "simplified chinese": "zh"}
_ZH_LANGUAGE = re.compile(
    r"(?:(?:用|以|使用|采用|请用)(简体中文|英文|英语|中文|汉语)(?=回答|回复|作答|写|撰写|输出|表达|书写|描述|解释|总结|说明|"
    r"来|进行|给出|[。，,.!！;；]|$)|翻译(?:成|为)(简体中文|英文|英语|中文|汉语)|(?:回答|回复|输出)(?:请)?(?:使用|用)"
    r"(简体中文|英文|英语|中文|汉语))")
_EN_LANGUAGE = re.compile(
    r"\b(?:(?:answer|respond|reply|write|output|response|answers|responses|explain|summari[sz]e|"
    r"everything|it)(?: (?:this|it|everything|only|entirely|fully))?(?: should be| must be| is)?(?: written)? in "
    r"(simplified chinese|english|chinese|mandarin)\b|(?:translate|translated|translation)[^.?!\n]{0,80}?\b(?:in)?to "
    r"(simplified chinese|english|chinese|mandarin)\b|in (simplified chinese|english|chinese|mandarin) only\b|"
    r"(?:^|[,;:]\s*)in (simplified chinese|english|chinese|mandarin)\s*(?=[,.;:!?]|$))", re.I | re.M)

_ZH_JSON = re.compile(r"(?:以|用|输出|返回|生成|转换为|转换成|转为|转成|改写为|整理成|成|为|格式[为是:：]?)\s*(?:一个|一段|有效的|合法的|标准的)?"
                      r"\s*JSON|JSON\s*(?:格式|对象|字符串|数组|代码)", re.I)
_EN_JSON = re.compile(r"\b(?:in|as|into|to|return|output|respond with|reply with|format(?:ted)? as|produce|generate|"
                      r"give me|provide)\s+(?:an?\s+|the\s+)?(?:valid\s+|proper\s+|well-formed\s+)?JSON\b|\bJSON "
                      r"(?:format|object|string|array|only)\b|\bvalid JSON\b", re.I)
_ZH_TABLE = re.compile(r"(?:以|用|做成|制作|整理成|列成|输出|生成|画|绘制|构建|创建|做|形成|给出)\s*(?:一个|一张|成)?"
                       r"(?:[^，。；,;\n]{0,12})?表格(?!的|中)|表格(?:形式|的形式)|列表格")
_EN_TABLE = re.compile(r"\b(?:in|as|into|using|use|create|make|draw|build|format(?:ted)? as|present|organi[sz]e)\s+"
                       r"(?:it\s+|them\s+|this\s+|the (?:results|data|answer)\s+)?(?:in(?:to)?\s+)?(?:an?\s+)?"
                       r"(?:markdown\s+|simple\s+|comparison\s+)?table\b|\btabular\b|\btable format\b", re.I)

_QUOTED = r"[“\"「『‘'《]([^”\"」』’'》\n]{1,40})[”\"」』’'》]"
_QUOTED_LIST = rf"((?:{_QUOTED}\s*(?:[、，,]|和|及|与|以及|or|and|,\s*and|,\s*or)?\s*)+)"
_ZH_KEYWORD = re.compile(rf"(?:包含|包括|用上|用到|(?<![采使利运应作引援沿])用|使用|提到|提及|出现|带有|含有|嵌入|融入|结合)(?:以下)?(?:的)?"
                         rf"(?:关键词|关键字|词语|单词|词汇|词|短语|字眼)?\s*[:：]?\s*{_QUOTED_LIST}")
_ZH_KEYWORD_LIST = re.compile(r"(?:用|使用|包含|包括|用上)(?:以下|下列|这些|如下)(?:的)?(?:关键词|关键字|单词|词语|词汇|词)[^：:。\n]{0,12}[:：]\s*"
                              r"([^。\n]{1,80})")
_EN_KEYWORD = re.compile(rf"\b(?:include|use|mention|contain|incorporate|feature)s?\s+(?:the\s+)?(?:following\s+)?"
                         rf"(?:key\s*)?(?:words?|phrases?|terms?|keywords?)?\s*[:]?\s*{_QUOTED_LIST}", re.I)
_EN_KEYWORD_LIST = re.compile(r"\b(?:include|use|contain|incorporate)\s+(?:the\s+)?(?:following\s+)?(?:key\s*)?"
                              r"(?:words|keywords|terms)\s*:\s*([^.\n]{1,80})", re.I)
_ZH_FORBIDDEN = re.compile(rf"(?:不要|不得|不能|不可|禁止|避免|切勿|不允许|请勿|别)(?:使用|出现|提到|提及|包含|用|说)"
                           rf"(?:词语|词汇|单词|字眼|关键词|这个词|这些词)?\s*[:：]?\s*{_QUOTED_LIST}")
_EN_FORBIDDEN = re.compile(rf"\b(?:do not|don't|dont|never|avoid|without|must not|should not|cannot)\s+(?:using|use|"
                           rf"mention(?:ing)?|includ(?:e|ing)|say(?:ing)?|writ(?:e|ing))?\s*(?:the\s+)?"
                           rf"(?:words?|terms?|phrases?|letters?)?\s*{_QUOTED_LIST}", re.I)
_COMMAS = re.compile(r"\b(?:without|do not use|don't use|no|avoid|not use)\s+(?:using\s+)?(?:any\s+)?commas?\b|"
                     r"(?:不要|不得|禁止|不能|避免)(?:使用|用|出现)?(?:任何)?逗号", re.I)


def _clip(text: str, m: re.Match) -> str:
    return text[m.start():m.end()].strip()


def _length_unit(raw: str, zh: bool) -> str:
    raw = raw.lower()
    return _ZH_UNIT.get(raw, "chars") if zh else _EN_UNIT.get(raw.rstrip("s"), "words")


def _lengths(text: str) -> list[Constraint]:
    """Length constraints; each stretch of the prompt yields at most one (the first rule that claims it)."""
    out: list[Constraint] = []
    taken: list[tuple[int, int]] = []
    for rules, zh in ((_ZH_LENGTH, True), (_EN_LENGTH, False)):
        for pattern, op in rules:
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken) or _per_item(text, m.start()) \
                        or _NOT_THIS.search(text[max(0, m.start() - 24):m.start()]) \
                        or _OBJECT_AFTER.match(text, m.end()) or (not zh and not _addressed(text, m.start())):
                    continue
                groups = [g for g in m.groups()]
                unit = _length_unit(groups[-1] or "字", zh) if groups[-1] is not None else "chars"
                if op == "range":
                    lo, hi = parse_number(_num_before(text, m, zh)), parse_number(groups[-2])
                    if lo is None or hi is None or lo >= hi:
                        continue
                    out += [Constraint("length", lo, ">=", unit, _clip(text, m)),
                            Constraint("length", hi, "<=", unit, _clip(text, m))]
                else:
                    n = parse_number(groups[0])
                    if n is None or n == 0:
                        continue
                    out.append(Constraint("length", n, op, unit, _clip(text, m)))
                taken.append((m.start(), m.end()))
    for m in _ZH_PLAIN_LENGTH.finditer(text):  # 200字的故事, 一句话, 二十字诗: about that many
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        n, unit = parse_number(m.group(1)), _length_unit(m.group(2), True)
        if n is None or n == 0 or not _plain_length_ok(text, m, unit) or _OBJECT_AFTER.match(text, m.end()):
            continue
        op = "==" if unit in ("sentences", "lines") or n <= 20 and unit in ("chars", "words") else "~"
        out.append(Constraint("length", n, op, unit, _clip(text, m)))
        taken.append((m.start(), m.end()))
    return out


_NOT_THIS = re.compile(r"(?:\bnot(?: just| only)?|\brather than|\binstead of|\bdon't want|\bnot want|不要|不是|不只是?|"
                       r"而不是|而非)\s*(?:the|a|an)?\s*$", re.I)  # "not just the one-line version"


# a length that measures a generated object, not the answer: "生成一个12个字的密码", "a 12-character password"
_OBJECT_AFTER = re.compile(r"\s*(?:的)?\s*(?:密码|口令|字符串|验证码|用户名|编号|代码|id\b|password|passphrase|string|code|"
                           r"username|key|token|pin)", re.I)


def _per_item(text: str, at: int) -> bool:
    """"each in one sentence", "每个不超过20字": a length of every item, not of the answer."""
    return bool(re.search(r"(?:\beach|\bevery one|每个|每条|每项|每点|每句)\s*,?\s*(?:in|of|with|should be|用)?\s*$",
                          text[max(0, at - 20):at], re.I))


def _num_before(text: str, m: re.Match, zh: bool) -> str:
    """The first number of a range match (the patterns capture only the second)."""
    found = (_ZH_NUM_RE if zh else _EN_NUM_RE).search(text[m.start():m.end()])
    return found.group(0) if found else ""


def _plain_length_ok(text: str, m: re.Match, unit: str) -> bool:
    """A bare "N字/N句/N词" is a length only where it measures the answer, not an input ("这20个词", "下面3行")."""
    before = text[max(0, m.start() - 2):m.start()]
    after = text[m.end():m.end() + 2]
    if unit == "chars" and m.group(2).endswith("字") and after[:1] in ("母", "符", "节", "段", "典", "幕", "体", "号"):
        return False  # 字母, 字符串, 字节, 字典 are not 字数
    before = text[max(0, m.start() - 3):m.start()]
    if re.search(r"(?:这|该|那|以下|下面|上面|前|后|第)[篇段个首句行]?$", before):
        return False
    if unit == "sentences" and after[:1] in ("中", "里"):
        return False  # 这句话中 ...
    if m.group(2) == "句" and not re.match(r"(?:以内|之内|内|以上|左右|的|诗|[，。,.]|$)", after):
        return False  # 一句谚语 is one proverb; 一句话 / 三句以内 / 四句诗 count sentences
    if unit == "lines" and not re.match(r"(?:诗|歌|的|押|，|。|$)", after):
        return False  # 行 is also "to do" (进行, 执行): only "四行诗", "三行的"
    if unit == "words" and re.match(r"(?:的(?:同义|反义|定义|意思|词性)|性)", after):
        return False  # "这个词的同义词" is about a word, not a count
    if unit == "words" and not re.match(r"(?:的)?[^，。；,;]{0,4}?(?:诗|短语|句子|描述|概括|总结|回答|介绍|故事|摘要|标题|口号)",
                                        text[m.end():m.end() + 8]):
        return False  # "5000个单词的字典", "两个词组合起来": words counted, not an answer length
    return True


def _items(text: str) -> list[Constraint]:
    out = []
    for m in _ZH_ITEMS.finditer(text):
        if _CODE_TASK.search(_sentence(text, m.start())):
            continue  # "生成一个返回两个整数的列表的函数": the program's output, not the answer's form
        nums = [(q or q2, parse_number(n or n2)) for q, n, q2, n2 in _ZH_ITEM_NUM.findall(m.group(1))]
        nums = [(q, n) for q, n in nums if n and 2 <= n <= MAX_ITEMS]
        if nums:
            q, n = nums[-1]
            out.append(Constraint("items", n, _OPS.get(q, "=="), None, _clip(text, m)))
    first_line = text.strip().split("\n", 1)[0]
    m = _ZH_ITEM_TITLE.match(first_line) if not out else None
    if m and (parse_number(m.group(1)) or 0) >= 2:
        out.append(Constraint("items", parse_number(m.group(1)), "==", None, m.group(0).strip()))
    if not out:
        for m in _ZH_LIST_NOUN.finditer(text):
            n = parse_number(m.group(1))
            if n and 2 <= n <= MAX_ITEMS and not _CODE_TASK.search(_sentence(text, m.start())):
                out.append(Constraint("items", n, "==", None, _clip(text, m)))
                break
    for pattern in (_EN_ITEMS, _EN_ITEMS_NOUN):
        for m in pattern.finditer(text):
            n = parse_number(m.group(2))
            tail = text[m.end():m.end() + 40].lower()
            if n and 2 <= n <= MAX_ITEMS and not re.match(r"\s*(?:words?|characters?|sentences?|lines?|paragraphs?|times?|"
                                              r"years?|days?|hours?|minutes?|%|percent)\b", tail):
                out.append(Constraint("items", n, _OPS.get((m.group(1) or "").lower(), "=="), None, _clip(text, m)))
                break
        if any(c.kind == "items" for c in out):
            break
    return _dedupe(out)


def _paragraphs(text: str) -> list[Constraint]:
    out = []
    for rules in (_ZH_PARAGRAPHS, _EN_PARAGRAPHS):
        for pattern, op in rules:
            m = pattern.search(text)
            if m and rules is _EN_PARAGRAPHS and not _addressed(text, m.start()):
                continue
            if m and parse_number(m.group(1)):
                out.append(Constraint("paragraphs", parse_number(m.group(1)), op, None, _clip(text, m)))
                break
    if not out:
        m = re.search(r"(?:用|写|以)?一段(?:话|文字)(?!中|里)|\b(?:in |as )?(?:a single|one) paragraph\b", text, re.I)
        if m and (not m.group(0)[:1].isascii() or _addressed(text, m.start())):
            out.append(Constraint("paragraphs", 1, "==", None, _clip(text, m)))
    return out[:1]


def _languages(text: str) -> list[Constraint]:
    out = []
    for m in list(_ZH_LANGUAGE.finditer(text)) + list(_EN_LANGUAGE.finditer(text)):
        word = next(g for g in m.groups() if g)
        out.append(Constraint("language", _LANG_WORD[word.lower()], "==", None, _clip(text, m)))
    return _dedupe(out)


def _formats(text: str) -> list[Constraint]:
    out = []
    for name, patterns in (("json", (_ZH_JSON, _EN_JSON)), ("table", (_ZH_TABLE, _EN_TABLE))):
        for p in patterns:
            m = p.search(text)
            if m and name == "json" and _CODE_TASK.search(_sentence(text, m.start())):
                continue  # "write an HTTP handler that returns JSON": the program returns it, not the answer
            if m and p in (_EN_JSON, _EN_TABLE) and not _addressed(text, m.start()):
                continue  # "she wants to make a table": a story, not an instruction
            if m:
                out.append(Constraint("format", name, "==", None, _clip(text, m)))
                break
    return out


_CODE_TASK = re.compile(r"函数|接口|代码|程序|脚本|服务|(?:写|设计|生成|实现|编写)(?:一个|一种)?算法|\b(?:function|endpoint|handler|script|program|api|server|class|"
                        r"method|code)\b", re.I)


def _sentence(text: str, at: int) -> str:
    """The sentence around position `at`."""
    start = max(text.rfind(ch, 0, at) for ch in "。！？!?\n")
    ends = [i for i in (text.find(ch, at) for ch in "。！？!?\n") if i >= 0]
    return text[start + 1:min(ends) if ends else len(text)]


# An English constraint sits in a sentence addressed to the model: an imperative ("Write…", "Please list…") or one
# that says "you"/"your". Story problems describe essays, tables and paragraphs in the third person
# ("Mike writes a 400-word essay") without asking for them.
_IMPERATIVE = re.compile(
    r"^\W*(?:please\s+|now\s+|also\s+|then\s+)?(?:write|compose|draft|create|make|generate|give|provide|list|name|"
    r"explain|describe|summari[sz]e|answer|respond|reply|keep|limit|use|tell|translate|present|format|return|output|"
    r"put|produce|rewrite|edit|include|avoid|do not|don't|compare|show|organi[sz]e|outline|discuss|analy[sz]e|"
    r"suggest|recommend|share|offer|convert|turn|restate|paraphrase|shorten|expand|continue|finish|complete|"
    r"respond|state|define|mention|end|start|begin|can you|could you|would you|will you|i want|i need|i'd like|"
    r"in\b|as\b|with\b|using\b|within\b|under\b|at most|at least|no more|between|about|around)|\byou\b|\byour\b",
    re.I)


def _addressed(text: str, at: int) -> bool:
    """Whether the English sentence around `at` is addressed to the model (see `_IMPERATIVE`)."""
    start = max((m.end() for m in re.finditer(r"[.!?\n]\s", text[:at])), default=0)
    end_m = re.search(r"[.!?\n](?:\s|$)", text[at:])
    return bool(_IMPERATIVE.search(text[start:at + (end_m.start() if end_m else len(text) - at)]))


def _words_in(group: str) -> list[str]:
    return [w.strip() for w in re.findall(_QUOTED, group) if w.strip()]


def _keywords(text: str) -> list[Constraint]:
    out, forbidden_spans = [], []
    for p in (_ZH_FORBIDDEN, _EN_FORBIDDEN):
        for m in p.finditer(text):
            forbidden_spans.append((m.start(), m.end()))
            out += [Constraint("forbidden", w, "==", None, _clip(text, m)) for w in _words_in(m.group(1))]
    m = _COMMAS.search(text)
    if m:
        out.append(Constraint("forbidden", ",", "==", None, _clip(text, m)))
    for p in (_ZH_KEYWORD, _EN_KEYWORD):
        for m in p.finditer(text):
            if any(a <= m.start() < b for a, b in forbidden_spans) or _negated(text, m.start()):
                continue
            out += [Constraint("keyword", w, "==", None, _clip(text, m)) for w in _words_in(m.group(1))]
    for p in (_ZH_KEYWORD_LIST, _EN_KEYWORD_LIST):
        for m in p.finditer(text):
            if _negated(text, m.start()):
                continue
            words = [w.strip(" “”\"'‘’「」") for w in re.split(r"[、，,;；]|\band\b|和", m.group(1))]
            out += [Constraint("keyword", w, "==", None, _clip(text, m)) for w in words if 0 < len(w) <= 20]
    return _dedupe(out)


def _negated(text: str, at: int) -> bool:
    return bool(re.search(r"(?:不要|不得|不能|禁止|避免|别|切勿|请勿|do not|don't|never|avoid|without)\s*$",
                          text[max(0, at - 12):at], re.I))


def _dedupe(items: list[Constraint]) -> list[Constraint]:
    seen, out = set(), []
    for c in items:
        if c.key() not in seen:
            seen.add(c.key())
            out.append(c)
    return out


def instruction_part(prompt: str) -> str:
    """The part of a prompt that instructs: its first and last blocks when a document is pasted between them
    (a prompt of 3+ blank-line blocks and over 600 characters); the whole prompt otherwise. Words and numbers of
    a pasted article ("采用“半弹道跳跃”方式", "a 500-word report") are not constraints."""
    if len(prompt) <= 600:
        return prompt
    blocks = [b for b in re.split(r"\n\s*\n", prompt.strip()) if b.strip()]
    text = prompt if len(blocks) < 3 else blocks[0] + "\n\n" + blocks[-1]
    if len(text) > 3 * _EDGE:  # one long block: the instruction opens or closes it
        text = text[:_EDGE] + "\n\n" + text[-_EDGE:]
    return text


_EDGE = 600  # characters read at each end of a long instruction (instruction sentences are short)
# Each kind of constraint needs one of these words (lower-cased substring tests, far cheaper than the rules):
# most prompts skip most rules.
_CUES = {
    "length": ("字", "词", "句", "行", "word", "char", "sentence", "line", "letter"),
    "items": ("列", "举", "给", "提供", "写", "说", "找", "推荐", "识别", "指出", "总结", "罗列", "编制", "生成", "提出", "建议",
              "确定", "选", "命名", "清单", "列表", "名单", "要点", "的", "list", "name", "give", "provide", "suggest",
              "recommend", "identify", "share", "offer", "generate", "write", "enumerate", "outline", "come up",
              "brainstorm", "mention", "tell", "what are", "bullet", "items", "tips", "examples", "reasons", "ideas",
              "steps", "points"),
    "paragraphs": ("段", "paragraph"),
    "language": ("英", "中文", "汉语", "普通话", "english", "chinese", "mandarin"),
    "format": ("json", "表格", "table", "tabular"),
    "keyword": ("“", '"', "「", "『", "‘", "'", "《", "以下", "下列", "这些", "如下", "following", "keywords", "words:",
                "terms:", "comma", "逗号"),
}


def _cued(kind: str, folded: str) -> bool:
    return any(c in folded for c in _CUES[kind])


_UNIT_MENTION = re.compile(r"字|词|句|行|words?|characters?|chars?|sentences?|lines?|letters?", re.I)


def _windows(text: str, mention: re.Pattern, before: int = 64, after: int = 24) -> str:
    """Only the stretches of `text` around each mention (merged, one per line): the rules then scan a few dozen
    characters instead of a long prompt. A prompt shorter than 400 characters is returned whole."""
    if len(text) < 400:
        return text
    spans: list[list[int]] = []
    for m in mention.finditer(text):
        a, b = max(0, m.start() - before), min(len(text), m.end() + after)
        if spans and a <= spans[-1][1]:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    return "\n".join(text[a:b] for a, b in spans)


def extract_constraints(prompt: str) -> list[Constraint]:
    """Every checkable constraint of a prompt (zh and en), in a stable order: lengths, items, paragraphs,
    language, format, keywords, forbidden words. An empty list when it asks for nothing checkable."""
    if not prompt or not prompt.strip():
        return []
    text = instruction_part(prompt[:20_000])
    folded = text.lower()
    found: list[Constraint] = []
    for kind, rule in (("length", _lengths), ("items", _items), ("paragraphs", _paragraphs), ("language", _languages),
                       ("format", _formats), ("keyword", _keywords)):
        if _cued(kind, folded):
            found += rule(_windows(text, _UNIT_MENTION, before=160) if kind == "length" else text)
    order = {k: i for i, k in enumerate(("length", "items", "paragraphs", "language", "format", "keyword",
                                         "forbidden"))}
    return sorted(_dedupe(found), key=lambda c: order[c.kind])


# ---------------------------------------------------------------- measuring answers
_FENCE = re.compile(r"```[\w+-]*\n?(.*?)(?:```|\Z)", re.S)
_LIST_LINE = re.compile(r"^\s*(?:[-*•+]\s+|\d{1,3}\s*[.)、．]\s*|\(\d{1,3}\)\s*|[（(]?[一二三四五六七八九十]+[)）、.]\s*|"
                        r"[①②③④⑤⑥⑦⑧⑨⑩])")
_SENTENCE_END = re.compile(r"[。！？!?；]+|(?<![0-9A-Z])\.(?![0-9])+|\.(?=\s|$)")


def count_chars(text: str) -> int:
    """字数: each ideograph plus each Latin word or number in Chinese text; plain characters otherwise."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.strip())
    return cjk + len(_LATIN_TOKEN.findall(text))


def count_words(text: str) -> int:
    """Words: Latin words, plus the words of Chinese text (jieba segmentation, loaded only for Chinese)."""
    latin = len(_EN_WORD.findall(text))
    if not _CJK.search(text):
        return latin
    import jieba  # lazy: only Chinese answers under a word limit need a segmenter

    jieba.setLogLevel(60)
    zh = sum(1 for w in jieba.lcut("".join(_CJK.findall(text))) if w.strip())
    return latin + zh


def count_sentences(text: str) -> int:
    """Sentences: runs ending in 。！？!? or a full stop; a trailing sentence without one counts too."""
    body = _FENCE.sub(" ", text).strip()
    if not body:
        return 0
    parts = [p for p in _SENTENCE_END.split(body) if re.search(rf"[\w{CJK_CLASS}]", p)]
    return len(parts)


def count_lines(text: str) -> int:
    return sum(1 for line in text.strip().splitlines() if line.strip())


def count_paragraphs(text: str) -> int:
    """Blocks separated by blank lines (a text without blank lines but with several lines: its lines)."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if len(blocks) == 1 and not _LIST_LINE.match(blocks[0]):
        lines = [line for line in blocks[0].splitlines() if line.strip()]
        if len(lines) > 1 and all(len(line) > 40 for line in lines):
            return len(lines)
    return len(blocks)


def count_items(text: str) -> int:
    """List items: bulleted or numbered lines; without any, the non-empty lines of a multi-line answer, else the
    parts of an inline list (A、B、C / A, B and C)."""
    lines = [line for line in text.splitlines() if line.strip()]
    listed = sum(1 for line in lines if _LIST_LINE.match(line))
    if listed >= 2:
        return listed
    body = [line for line in lines if not line.rstrip().endswith((":", "："))]
    if len(body) >= 2:
        return len(body)
    one = text.strip().rstrip("。.!！")
    parts = [p for p in re.split(r"[、，,；;]|\band\b|以及|和", one) if p.strip()]
    return len(parts)


def _cjk_share(text: str) -> float:
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in re.findall(r"[A-Za-z]{2,}", text))
    return cjk / (cjk + latin / 2) if cjk + latin else 0.0  # an English word ~ 2 ideographs' worth of meaning


def _json_ok(text: str) -> bool:
    candidates = [text.strip()] + [m.group(1).strip() for m in _FENCE.finditer(text)]
    for c in candidates:
        if c[:1] in "{[":
            try:
                json.loads(c)
                return True
            except ValueError:
                continue
    return False


def _table_ok(text: str) -> bool:
    return bool(re.search(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$", text, re.M)
                or re.search(r"<table\b", text, re.I))


def _compare(measured: float, c: Constraint) -> bool:
    n = float(c.value)
    if c.op == ">=":
        return measured >= n
    if c.op == "<=":
        return measured <= n
    if c.op == "~":
        return (1 - APPROX) * n <= measured <= (1 + APPROX) * n
    return measured == n


def measure(kind: str, unit: str | None, answer: str) -> int:
    """The count a length/items/paragraphs constraint compares against."""
    if kind == "items":
        return count_items(answer)
    if kind == "paragraphs":
        return count_paragraphs(answer)
    return {"chars": count_chars, "words": count_words, "sentences": count_sentences,
            "lines": count_lines}[unit or "chars"](answer)


def verify(constraint: Constraint, answer: str) -> Verdict:
    """Does `answer` meet `constraint`? With the measured value: a count for lengths, items and paragraphs; the
    language (`zh`/`en`, with the share of Chinese); `parses`/`does not parse` for JSON; `found`/`absent` for
    tables; the number of occurrences for keywords and forbidden words."""
    answer = answer or ""
    c = constraint
    if c.kind in ("length", "items", "paragraphs"):
        n = measure(c.kind, c.unit, answer)
        return Verdict(_compare(n, c), n)
    if c.kind == "language":
        share = _cjk_share(_FENCE.sub(" ", answer))
        lang = "zh" if share >= 0.5 else "en"
        # an English answer may quote its Chinese source ("翻译成英语" answered "「你好」: Hello")
        ok = share >= 0.5 if c.value == "zh" else share <= 0.25
        return Verdict(ok, f"{lang} ({share:.0%} Chinese)")
    if c.kind == "format":
        ok = _json_ok(answer) if c.value == "json" else _table_ok(answer)
        word = ("parses" if ok else "does not parse") if c.value == "json" else ("found" if ok else "absent")
        return Verdict(ok, word)
    if c.kind in ("keyword", "forbidden"):
        n = _occurrences(str(c.value), answer)
        return Verdict(n > 0 if c.kind == "keyword" else n == 0, n)
    raise ValueError(f"unknown constraint kind {c.kind!r}")


def _occurrences(word: str, answer: str) -> int:
    if word == ",":
        return answer.count(",") + answer.count("，")
    if re.fullmatch(r"[A-Za-z][\w' -]*", word):
        return len(re.findall(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", answer, re.I))
    return answer.casefold().count(word.casefold())


def check_answer(prompt: str, answer: str) -> list[tuple[Constraint, Verdict]]:
    """Each constraint of the prompt with its verdict on the answer."""
    return [(c, verify(c, answer)) for c in extract_constraints(prompt)]
