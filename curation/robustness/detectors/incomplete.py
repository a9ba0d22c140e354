"""`robustness:incomplete`: a prompt cut off before it was finished.

Signals, each with its own confidence (the strongest found is reported):
- an opened bracket or quote that is never closed: "请解释（比如说",
- an ending on a word that cannot end a sentence: a conjunction, article, possessive or preposition
  ("..., because", "what is the", "因为", "但是", "以及"), or on a comma,
- a colon announcing content that never comes ("translate the following:", "打印以下图案："),
- a question frame with no object as the whole first prompt ("what is the", "请解释一下", "什么是"),
- a last word cut in the middle ("How many apples does she sel", "提高工作效").
Code and URLs are masked first; a follow-up turn ("为什么？", "explain") is complete in its conversation, so the
no-object rule only applies to the first user turn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lexicon
from ..detection import Detection, Evidence, finding
from ..prompt import CJK, CJK_CLASS, Turn
from .base import DETECTORS, Detector

BRACKETS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】", "《": "》", "“": "”", "「": "」", "『": "』",
            "〈": "〉", "［": "］", "｛": "｝"}
_BRACKET_CHARS = re.compile("[" + re.escape("".join(BRACKETS) + "".join(BRACKETS.values())) + "]")
EN_ALWAYS_DANGLING = frozenset("""
the a an and or but because although though unless whereas nor than if whether my your our their its such
every several
""".split())
# A clause ending on an auxiliary has lost its complement ("Betty is", "Matt will"), unless a wh-word or a
# comparison makes the ellipsis normal ("what it is", "taller than she is").
EN_AUXILIARIES = frozenset("is are was were will would can could should has have had does did must".split())
_ELLIPSIS_OK = re.compile(r"\b(?:what|which|who|whom|whose|where|when|why|how|than|as|so|neither|nor|yes|no)\b",
                          re.I)
# Two-word endings that always need a continuation ("how many", "twice as", "if she").
EN_DANGLING_PAIRS = frozenset({
    ("how", "many"), ("how", "much"), ("as", "many"), ("as", "much"), ("twice", "as"), ("half", "as"),
    ("times", "as"), ("more", "than"), ("less", "than"), ("fewer", "than"), ("what", "is"), ("what", "are"),
    ("what", "was"), ("what", "were"), ("such", "as"), ("so", "that"), ("in", "order"),
} | {(c, p) for c in ("if", "when", "because", "while", "although", "since", "unless", "until", "once")
     for p in ("i", "you", "he", "she", "it", "we", "they", "there")})
_WH_ONLY = frozenset("how what which why where when who".split())
_SUBORDINATE = re.compile(r"^\s*(?:if|when|because|although|while|since|unless|whenever)\b", re.I)
# Prepositions end English questions naturally ("what is it made of?"): dangling only outside a wh-clause.
EN_PREPOSITIONS = frozenset("of to with from into onto about for at by between without through including like "
                            "per via toward towards among".split())
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where)\b", re.I)
# Words that cannot end a Chinese sentence. The last word is found by segmenting the tail with jieba's
# dictionary, so "派对" or "现在" (words that happen to end in 对, 在) are not mistaken for the particle.
ZH_DANGLING_WORDS = frozenset("""
以及 或者 因为 所以 但是 而且 并且 如果 虽然 然后 对于 关于 比如 例如 包括 为了 由于 即使 尽管 除了 不仅 通过 根据
按照 假如 要是 可是 不过 于是 以便 甚至 还有 还是 正在 难以 作为 成为 认为 以为 用于 属于 位于 等于 来自 交给 送给
变成 翻译成 转换成 转换为 改成 分成 换成 写成 以下 例如 诸如 一边 不管 无论 只要 只有 除非 之所以 与其 从事 涉及
""".split())
# "就是" ends a sentence ("就是", "那就是") except after these, which announce what follows.
ZH_ANNOUNCING = ("还有就是", "然后就是", "另外就是", "其次就是", "主要是", "原因是", "问题是", "意思是")
ZH_DANGLING_CHARS = frozenset("和与及或但而跟把被从向对在以给为于将让使比往朝当若且并")
# Endings that are complete although they end in 的 or 是 ("好的", "我也是", "是不是").
ZH_DE_OK = ("好的", "是的", "对的", "真的", "行的", "似的", "有的", "别的")
ZH_SHI_OK = ("也是", "都是", "不是", "就是", "真是", "正是", "可不是", "还是", "总是", "倒是", "要是")
_ZH_MEASURE_END = re.compile(r"(?<![哪])[一两二三四五六七八九十几每某][个张种些位本件条首篇份部台辆只块项次句段]$")
_COLON_ANNOUNCES = re.compile(r"(?:以下|如下|下面|下列|下述|这些|following|below|these|this|here)[^。.!?！？\n]{0,30}"
                              r"[:：]$", re.I)
_EN_NO_OBJECT = re.compile(
    r"^(?:(?:please|pls|can you|could you|would you|can u)\s+)*"
    r"(?:explain|describe|define|summari[sz]e|translate|tell me about|tell me|what is|what are|what's|whats|"
    r"who is|who was|how do i|how do you|how to|how does|how can i|write|give me|list|compare|calculate)"
    r"(?:\s+(?:a|an|the|me|about|some|of|to))*\s*[?.!]*$", re.I)
_ZH_NO_OBJECT = re.compile(
    r"^(?:请|麻烦|帮我|请帮我|你能|能不能|可以|你可以)?"
    r"(?:(?:解释|介绍|说明|分析|翻译|总结|描述|讲讲|说说|讲|告诉我|比较|计算)(?:一下)?(?:这个|关于)?"
    r"|什么是|什么叫|如何|怎么|怎样"
    r"|(?:写|生成|创建|设计|提供|推荐|列出|举)(?:一个|一篇|一首|一份|一些|一种|几个))"
    r"[？?。.!！]*$")
_TERMINAL = set(".?!。？！…~～")
_WORD = re.compile(r"[A-Za-z']+")


@dataclass
class IncompleteSettings:
    """Settings of the incomplete-prompt detector (each signal can be switched off)."""

    brackets: bool = True  # an opened bracket or quote never closed
    dangling: bool = True  # ends on a conjunction, article, preposition or particle, or on a comma
    announced_colon: bool = True  # "the following:" with nothing after it
    no_object: bool = True  # a bare question frame as the whole first prompt
    cut_word: bool = True  # the last word is cut in the middle
    zh_bound_share: float = 0.05  # a last Chinese character this rarely used alone is a cut word ("效")
    min_confidence: float = 0.5  # weaker signals are not reported


@DETECTORS.register
class IncompleteDetector(Detector):
    """Finds prompts that stop before they are finished."""

    name = "incomplete"
    Settings = IncompleteSettings

    def detect(self, turns: list[Turn]) -> Detection | None:
        evidence, best = [], 0.0
        for pos, turn in enumerate(turns):
            found = self._turn(turn, first=pos == 0)
            if found:
                conf, ev = max(found, key=lambda f: f[0])
                evidence.append(ev)
                best = max(best, conf)
        if best < self.settings.min_confidence:
            return None
        return finding(self.name, self, evidence, best)

    def _turn(self, turn: Turn, first: bool) -> list[tuple[float, Evidence]]:
        s = self.settings
        text = turn.masked_code_only.rstrip()
        if not text.strip():
            return []
        checks = [(s.brackets, _unclosed), (s.dangling, _dangling), (s.announced_colon, _announced),
                  (s.no_object and first, _no_object), (s.cut_word, lambda t, x: _cut_word(t, x, s))]
        out = []
        for enabled, check in checks:
            if enabled:
                hit = check(turn, text)
                if hit:
                    conf, start, end, note = hit
                    out.append((conf, Evidence(turn.index, start, end, turn.text[start:end], note)))
        return out


def _unclosed(turn: Turn, text: str):
    """The first bracket or quote opened and never closed (closers alone are list markers, smileys: ignored)."""
    stack: list[tuple[str, int]] = []
    for m in _BRACKET_CHARS.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch in BRACKETS and not (ch == "(" and i and text[i - 1] in ":;"):
            stack.append((ch, i))
        elif stack and ch == BRACKETS[stack[-1][0]]:
            stack.pop()
        elif ch in BRACKETS.values():
            # a closer for an outer bracket: close everything down to it
            for j in range(len(stack) - 1, -1, -1):
                if BRACKETS[stack[j][0]] == ch:
                    del stack[j:]
                    break
    if stack:
        ch, i = stack[0]
        return 0.8, i, len(text), f"'{ch}' never closed"
    quotes = [m.start() for m in re.finditer('"', text) if not (m.start() and text[m.start() - 1].isdigit())]
    if len(quotes) % 2:
        return 0.7, quotes[-1], len(text), "'\"' never closed"
    return None


def _dangling(turn: Turn, text: str):
    """The prompt ends on a word or mark that cannot end a sentence."""
    last = text[-1]
    if last in ",，、;；":
        return 0.85, len(text) - 1, len(text), f"ends on '{last}'"
    if last in _TERMINAL and last not in "?？":
        return None
    stripped = text.rstrip("?？ ")
    if stripped and CJK.match(stripped[-1]):
        return _zh_dangling(stripped, asked=stripped != text)
    m = re.search(r"([A-Za-z']+)\W*$", stripped)
    if not m or (turn.masked[m.start(1):m.end(1)].strip() != m.group(1)):
        return None
    word = m.group(1).lower()
    if word in EN_ALWAYS_DANGLING:
        return 0.85, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    clause = re.split(r"[,.;:!?\n]", stripped)[-1]
    words = clause.lower().split()
    asked = stripped != text
    if len(words) >= 2 and (words[-2], words[-1]) in EN_DANGLING_PAIRS and not (
            asked and words[-2] == "how"):  # "How many?" is a complete (elliptical) question
        start = stripped.lower().rindex(words[-2])
        return 0.8, start, m.end(1), f"ends on '{stripped[start:m.end(1)]}'"
    if asked:
        return None  # a question mark: what follows is about the question itself
    if word in EN_PREPOSITIONS and not _WH.search(clause):
        return 0.75, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    if word in EN_AUXILIARIES and len(words) >= 2 and not _ELLIPSIS_OK.search(clause):
        return 0.7, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    if words == [word] and word in _WH_ONLY and re.search(r"[,.;:!?]\s*\S+$", stripped):
        return 0.8, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    sentence = re.split(r"(?<=[.!?])\s+|\n", stripped)[-1]
    if _SUBORDINATE.match(sentence) and "," not in sentence and " then " not in sentence.lower():
        return 0.7, len(stripped) - len(sentence), len(stripped), "a condition with no main clause"
    return None


def _zh_dangling(text: str, asked: bool):
    if asked:
        return None  # "结果不对？", "为什么推荐写成 `code`？": a question mark ends the sentence
    run = re.search(f"[{CJK_CLASS}]+$", text).group(0)[-8:]
    for w in ZH_ANNOUNCING:
        if run.endswith(w):
            return 0.8, len(text) - len(w), len(text), f"ends on '{w}'"
    last = lexicon.zh_segment(run)[1][-1]
    start = len(text) - len(last)
    if last in ZH_DE_OK:
        return None
    if last in ZH_DANGLING_WORDS or last in ZH_DANGLING_CHARS:
        return 0.85, start, len(text), f"ends on '{last}'"
    if last == "是" and not text.endswith(ZH_SHI_OK):
        return 0.75, start, len(text), "ends on '是'"
    if last == "的" and not _de_complete(run) and "是" not in re.split(r"[，,。；;：:\n]", text)[-1]:
        return 0.75, start, len(text), "ends on '的' with nothing it describes"
    m = _ZH_MEASURE_END.search(text)
    if m:
        return 0.75, m.start(), len(text), f"ends on '{m.group(0)}' with nothing it counts"
    return None


def _de_complete(run: str) -> bool:
    """A final 的 that completes a fixed expression ("好的", "真的"), not a modifier waiting for its noun."""
    words = lexicon.zh_segment(run)[1]
    if words[-1] in ZH_DE_OK:
        return True
    return len(words) >= 2 and len(words[-2]) == 1 and words[-2] + "的" in ZH_DE_OK


def _announced(turn: Turn, text: str):
    """A colon announcing content ("the following:") with nothing after it."""
    m = _COLON_ANNOUNCES.search(text)
    if m:
        return 0.8, m.start(), len(text), "announced content is missing"
    return None


def _no_object(turn: Turn, text: str):
    """The whole prompt is a question frame with nothing to ask about."""
    body = text.strip()
    if _EN_NO_OBJECT.match(body) or _ZH_NO_OBJECT.match(body):
        start = text.index(body[0])
        return 0.85, start, start + len(body), "question without an object"
    return None


def _cut_word(turn: Turn, text: str, s: IncompleteSettings):
    """The prompt stops in the middle of a word."""
    if text[-1] in _TERMINAL or not (text[-1].isalpha() or CJK.match(text[-1])):
        return None
    if CJK.match(text[-1]):
        run = re.search(f"[{CJK_CLASS}]+$", text).group(0)
        tail = lexicon.zh_segment(run[-8:])[1][-1]
        if len(tail) == 1 and lexicon.zh_bound_share(tail) < s.zh_bound_share:
            return 0.7, len(text) - 1, len(text), f"'{tail}' is part of a word"
        return None
    last = None
    for last in _WORD.finditer(text, max(0, len(text) - 40)):
        pass
    if last is None or last.end() != len(text):
        return None
    w = last.group(0).lower()
    from .typo import SHORTHAND
    if (len(w) >= 2 and w not in lexicon.english_freq() and w not in SHORTHAND
            and lexicon.completes_english_word(w)):
        return 0.7, last.start(), last.end(), f"'{last.group(0)}' is cut off"
    return None
