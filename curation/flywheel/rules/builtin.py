"""The value rules that need no model: self-correction loops, topic switches, long or multi-constraint prompts,
thumbs-down answers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...text import CJK_CLASS
from .base import VALUE_RULES, Pick, ValueRule, quote, user_turns

# An error pasted back: tracebacks, compiler and runtime errors, shell failures (en and zh).
_ERROR = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\b[A-Z]\w*(?:Error|Exception)\b"
    r"|\berror(?:\[E\d+\]| TS\d+|:)|^\s*at [\w.$<>]+\(.*:\d+\)|panic: |Segmentation fault|command not found"
    r"|exit (?:code|status) [1-9]|npm ERR!|FAILED|fatal:|undefined is not|cannot find module|no such file"
    r"|报错|错误[:：]|异常[:：]|出错了?", re.IGNORECASE | re.MULTILINE)
# The user says the answer did not work.
_STILL_WRONG = re.compile(
    r"still (?:wrong|not working|doesn'?t work|does not work|fail\w*|broken|get\w*|the same|an error|errors?)"
    r"|(?:doesn'?t|does not|didn'?t|did not|won'?t) (?:work|run|compile)|not working|same error|wrong again"
    r"|that'?s (?:wrong|incorrect|not right)|this is wrong|you(?:'re| are) wrong"
    r"|还是不对|还是不行|还是报错|还是错|还是有问题|还是一样|依然(?:报错|不行|不对)|仍然(?:报错|不行|不对)|又报错"
    r"|一样的错|同样的错|不对啊|不对吧|不行啊|没(?:有)?用(?:啊|呀|的|[，。!！,.]|$)|跑不起来|运行不了|不能运行|结果不对|答案不对|你错了",
    re.IGNORECASE)
_SWITCH_MARKER = re.compile(
    r"by the way|unrelated(?: question)?|different (?:question|topic)|another (?:question|topic)|new (?:question|topic)"
    r"|change (?:of )?(?:the )?(?:subject|topic)|换个话题|换个问题|另外问|顺便问|再问一个|题外话|另一个问题", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']{2,}")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_STOP = frozenset("the and for are but not you your with this that what how can could would should will have has "
                  "was were about from into they them their there then than please thanks thank also just like "
                  "does did its it's i'm let me make some any all one more most very much".split())
# Checkable constraints in a prompt, en and zh: (label, pattern).
_CONSTRAINTS = (
    ("length", re.compile(r"(?:at (?:least|most)|no (?:more|less|fewer) than|under|within|exactly|up to) "
                          r"\d+ (?:words?|characters?|sentences?|lines?|paragraphs?|tokens?)"
                          r"|不(?:少|多|超过|低于)于?\s*\d+\s*(?:个)?(?:字|词|句|行|段)|\d+\s*字(?:以内|以上|左右)", re.I)),
    ("count", re.compile(r"\b(?:list|give|name|write|provide) (?:me )?(?:\d+|three|four|five|six|seven|eight|nine|ten)\b"
                         r"|\d+ (?:bullet points|items|steps|examples|reasons|tips|options)|(?:列出|给出|写出?)\s*\d+"
                         r"|分\s*\d+\s*(?:点|条|段|步)|\d+\s*(?:条|点|个例子|个步骤)", re.I)),
    ("format", re.compile(r"\b(?:in|as) (?:json|yaml|a table|markdown|csv|xml|a list|bullet points)\b|json format"
                          r"|(?:用|以)\s*(?:json|表格|markdown|列表)|表格(?:形式)?|JSON\s*格式", re.I)),
    ("language", re.compile(r"\b(?:in|into) (?:english|chinese|japanese|french|german|spanish)\b"
                            r"|(?:用|以)(?:中文|英文|英语|日语)|翻译成", re.I)),
    ("must", re.compile(r"\bmust\b|\bmake sure\b|\bensure\b|\brequired?\b|必须|务必|一定要|要求", re.I)),
    ("forbid", re.compile(r"\b(?:do not|don't|never|avoid|without) (?:use|using|mention|include|say|add)\w*"
                          r"|不要(?:使用|用|提到|包含|出现)|不能(?:使用|用|提到|包含)|禁止|避免(?:使用)?", re.I)),
    ("keyword", re.compile(r"\binclude the (?:word|phrase|keyword)s?\b|\bkeywords?\b|包含(?:关键词|以下词)|关键词", re.I)),
    ("style", re.compile(r"\b(?:in the style of|tone|formal|informal|concise|for a (?:child|beginner|5-year-old))\b"
                         r"|语气|风格|正式|通俗|简洁", re.I)),
)


@lru_cache(maxsize=8192)
def complaint(text: str) -> tuple[bool, str | None]:
    """(an error is pasted in the turn, the complaint phrase it says or None). Cached: the self-correction and the
    topic-switch rules ask it of the same turns, and these two patterns were a third of a log import's rule time."""
    wrong = _STILL_WRONG.search(text)
    return _ERROR.search(text) is not None, wrong.group(0) if wrong else None


def tokens(text: str) -> set[str]:
    """Content words (lowercase, 3+ letters, no stop words) and Chinese character bigrams of a text."""
    out = {w.lower() for w in _WORD.findall(text)} - _STOP
    for run in _CJK_RUN.findall(text):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


# Words one of a kind's patterns cannot match without: a prompt is searched only for the kinds whose words it
# holds (a substring test costs far less than the patterns; 4x faster on ordinary prompts).
_CUES = {
    "length": ("least", "most", "more than", "less than", "fewer than", "under", "within", "exactly", "up to", "字",
               "词", "句", "行", "段"),
    "count": ("list", "give", "name", "write", "provide", "bullet", "items", "steps", "examples", "reasons", "tips",
              "options", "列出", "给出", "写", "分", "条", "点", "个例子", "个步骤"),
    "format": ("json", "yaml", "table", "markdown", "csv", "xml", "list", "bullet", "表格", "列表"),
    "language": ("english", "chinese", "japanese", "french", "german", "spanish", "中文", "英文", "英语", "日语", "翻译"),
    "must": ("must", "make sure", "ensure", "require", "必须", "务必", "一定要", "要求"),
    "forbid": ("do not", "don't", "never", "avoid", "without", "不要", "不能", "禁止", "避免"),
    "keyword": ("include the", "keyword", "包含", "关键词"),
    "style": ("style", "tone", "formal", "concise", "for a ", "语气", "风格", "正式", "通俗", "简洁"),
}


def constraints(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) of each checkable constraint a prompt states."""
    low = text.lower()
    return [(label, m.group(0)) for label, pattern in _CONSTRAINTS if any(map(low.__contains__, _CUES[label]))
            for m in pattern.finditer(text)]


@dataclass
class SelfCorrectionSettings:
    """A user pastes an error back, or says the answer is still wrong, after the assistant answered."""

    min_followups: int = 1  # follow-up turns with an error or a complaint needed; 1 catches every loop


@VALUE_RULES.register
class SelfCorrection(ValueRule):
    """Self-correction loop: after an answer, the user pastes an error or traceback back, or says it is still
    wrong (还是不对): the messy sessions where the model learns to repair its own answer."""

    name = "self_correction"
    Settings = SelfCorrectionSettings

    def find(self, candidate: dict, context: dict) -> list[Pick]:
        msgs = candidate["messages"]
        hits = []
        for i, text in user_turns(msgs)[1:]:
            if not any(m.get("role") == "assistant" for m in msgs[:i]):
                continue
            error, wrong = complaint(text)
            if error or wrong:
                hits.append((i, "error pasted back" if error else f"«{wrong}»", text))
        if len(hits) < self.settings.min_followups:
            return []
        what = "; ".join(f"turn {i + 1}: {kind}" for i, kind, _ in hits[:4])
        return [Pick(self.name, f"self-correction loop: {len(hits)} follow-up(s) report a failure ({what})",
                     f"turn {hits[0][0] + 1}: {quote(hits[0][2])}")]


@dataclass
class TopicSwitchSettings:
    """A later user turn that shares almost nothing with the session before it."""

    # largest share of the turn's content words (Chinese: character bigrams) seen earlier in the session for it to
    # count as a switch
    max_overlap: float = 0.1
    min_tokens: int = 6  # shorter turns ("thanks", "go on", "继续") are follow-ups, never switches


@VALUE_RULES.register
class TopicSwitch(ValueRule):
    """Topic switch inside a session: a user turn that says so (by the way, 换个话题) or shares almost no words
    with what came before: data that teaches a model to drop the old topic when the user does."""

    name = "topic_switch"
    Settings = TopicSwitchSettings

    def find(self, candidate: dict, context: dict) -> list[Pick]:
        msgs = candidate["messages"]
        before: set[str] = set()  # the words of the session so far, grown turn by turn (not re-read per turn)
        done = 0
        for i, text in user_turns(msgs)[1:]:
            for m in msgs[done:i]:
                before |= tokens(m.get("content") or "")
            done = i
            if any(complaint(text)):
                continue  # an error pasted back or a complaint is about the last answer, never a new topic
            mine = tokens(text)
            marker = _SWITCH_MARKER.search(text)
            if marker:
                return [Pick(self.name, f"topic switch at turn {i + 1}: the user says «{marker.group(0)}»",
                             f"turn {i + 1}: {quote(text)}")]
            if len(mine) >= self.settings.min_tokens and before:
                overlap = len(mine & before) / len(mine)
                if overlap <= self.settings.max_overlap:
                    return [Pick(self.name, f"topic switch at turn {i + 1}: {overlap:.0%} of its words occur earlier "
                                            "in the session", f"turn {i + 1}: {quote(text)}")]
        return []


@dataclass
class LongPromptSettings:
    """A prompt long enough, or constrained enough, to be hard."""

    min_chars: int = 2000  # a user turn this long is long context (pasted documents, code, logs)
    # constraints (length, count, format, language, must, forbid, keyword, style) stated in one turn
    min_constraints: int = 3


@VALUE_RULES.register
class LongPrompt(ValueRule):
    """Long or multi-constraint prompt: real users' hardest requests (pasted documents; 'in JSON, at most 100
    words, do not mention X'), which synthetic prompts rarely match."""

    name = "long_prompt"
    Settings = LongPromptSettings

    def find(self, candidate: dict, context: dict) -> list[Pick]:
        out = []
        for i, text in user_turns(candidate["messages"]):
            found = constraints(text)
            kinds = sorted({k for k, _ in found})
            if len(found) >= self.settings.min_constraints:
                out.append(Pick(self.name, f"multi-constraint prompt at turn {i + 1}: {len(found)} constraints "
                                           f"({', '.join(kinds)})", _evidence(text, found)))
            elif len(text) >= self.settings.min_chars:
                out.append(Pick(self.name, f"long prompt at turn {i + 1}: {len(text):,} characters",
                                f"turn {i + 1}: {quote(text)}"))
            if out:
                return out
        return out


def _evidence(text: str, found: list[tuple[str, str]]) -> str:
    """What a picked prompt asks: the checkable constraints as the special checks read them (curation.constraints,
    the one extractor the answer verification uses; run only on picked prompts, it costs ~1.6 ms a prompt), then
    the phrases the cue patterns matched."""
    from ...constraints import extract_constraints
    checkable = "; ".join(c.describe() for c in extract_constraints(text)[:6])
    phrases = ", ".join(f"{k} «{t}»" for k, t in found[:5])
    return f"checkable: {checkable} · said: {phrases}" if checkable else f"said: {phrases}"


@dataclass
class ThumbsDownSettings:
    """The user judged an answer bad."""

    max_rating: float = 2.0  # a rating at or below this (1-5 stars) counts as a thumbs-down


@VALUE_RULES.register
class ThumbsDown(ValueRule):
    """Thumbs-down answer: the user said the answer was bad (thumbs down, a low rating): the prompt needs a better
    answer, and the pair is preference data."""

    name = "thumbs_down"
    Settings = ThumbsDownSettings

    def find(self, candidate: dict, context: dict) -> list[Pick]:
        for f in candidate.get("feedback") or []:
            rating = f.get("rating")
            low = rating is not None and rating <= self.settings.max_rating
            if f.get("thumbs") == "down" or low:
                what = "thumbs down" if f.get("thumbs") == "down" else f"rating {rating:g}"
                where = f"turn {f['turn'] + 1}" if f.get("turn") is not None else "the session"
                comment = f": «{f['comment'][:80]}»" if f.get("comment") else ""
                return [Pick(self.name, f"{what} on {where}{comment}", f"{where}, feedback {f}")]
        return []
