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
} | {(w, "to") for w in ("how", "what", "where", "when", "whom", "which", "whether")  # "tell me how to"
} | {(p, r) for p in ("by", "in", "of", "to", "with", "for", "from", "on", "at") for r in ("which", "whom")
     } | {(c, p) for c in ("if", "when", "because", "while", "although", "since", "unless", "until", "once")
     for p in ("i", "you", "he", "she", "it", "we", "they", "there")})
_WH_ONLY = frozenset("how what which why where when who".split())
_SUBORDINATE = re.compile(r"^\s*(?:if|when|because|although|while|since|unless|whenever)\b", re.I)
# Prepositions end English questions naturally ("what is it made of?"): dangling only outside a wh-clause.
EN_PREPOSITIONS = frozenset("of to with from into onto about for at by between without through including like "
                            "per via toward towards among".split())
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where)\b", re.I)
# A noun phrase that opens with one of these and ends the prompt on "of", "to" or a relative pronoun is waiting
# for its complement: "the best way to", "the main benefits of", "three reasons that", "a cake that".
EN_DETERMINERS = frozenset("""the a an this these those my your his her our their its some any each every several
many few one two three four five six seven eight nine ten twenty hundred""".split())
EN_RELATIVES = frozenset("that which who whom whose".split())
EN_INDEFINITES = frozenset("someone somebody something anyone anybody anything everyone people".split())
_EN_PARTICIPLES = frozenset("made known built born done used sold told held left meant kept brought bought".split())
_EN_COPULAS = frozenset("is are was were what's whats".split())
_EN_FUNCTION = frozenset("""i you he she it we they me him us them and or but if of to in on at for with by from
as than so not""".split())
# An embedded question ("the reasons why", "describe how") whose clause has a subject and no verb yet: "Explain the
# reasons why the Roman Empire". The subject opens with a determiner or a name; any word that may be a verb (an
# auxiliary, a form in -s or -ed, a plural that takes a bare verb: "why the people protested") ends the search, so
# a finished clause is never flagged (precision first: "why the dinosaurs" is left alone, its -s may be a verb).
EN_EMBEDDED_WH = frozenset("why how when where whether what which who".split())
EN_SUBJECT_OPENERS = EN_DETERMINERS | frozenset("his her my your our their its".split())
EN_VERBISH = EN_AUXILIARIES | frozenset("""do am be been being may might shall get got go went make made come came
take took become became seem seems fell rose grew ran won lost began spread broke fought sank stood fled led left
sold bought brought thought taught caught built sent spent held kept knew threw drew drove rode wrote ate saw gave
found told said paid met felt hit put cut let set shut quit split hurt cost burst fit""".split())
EN_BARE_PLURALS = frozenset("people children men women police mice feet teeth geese data media staff".split())
# A request that ends on its question word ("I want to know why", "Can you explain how"): the question itself is
# missing. First prompt only: as a follow-up, "explain why" asks about the previous answer.
_EN_WH_FRAME = re.compile(r"\b(?:explain|describe|tell (?:me|us)|show (?:me|us)|understand|know|learn|curious|reasons?|"
                          r"discuss|clarify|figure out|find out|ask(?: you)?)(?: to me)?\s+(?:exactly\s+|briefly\s+)?"
                          r"(?:why|how|what|when|where|whether|which|who)$", re.I)
_EN_NEGATED = re.compile(r"\b(?:not|never|no one|nobody|don't|dont|doesn't|didn't|can't|cannot)\b", re.I)
# The same in Chinese: "我想知道为什么", "请说明如何", "我想问一下是否"; "我不知道为什么", "这就是为什么" are complete.
_ZH_WH_END = re.compile(r"(?:知道|了解|告诉我|解释|说明|分析|问|好奇|明白|弄清楚|搞清楚|判断|讲讲)(?:一下)?"
                        r"(?:为什么|为何|怎么|怎样|如何|是否|哪些|哪个|何时|多少)$")
_ZH_WH_NEGATED = re.compile(r"(?:不|没|没有)(?:太)?(?:知道|了解|明白|清楚|懂)[^，,。]{0,3}$")
# 为什么/为何/是否 take a whole clause; one that stops after its subject ("请解释为什么罗马帝国") is cut off.
_ZH_CLAUSE_WH = ("为什么", "为何", "是否")
_ZH_NOMINAL_TAGS = ("n", "nr", "ns", "nt", "nz", "ng", "nrt", "nrfg", "r")
# Words that cannot end a Chinese sentence. The last word is found by segmenting the tail with jieba's
# dictionary, so "派对" or "现在" (words that happen to end in 对, 在) are not mistaken for the particle.
ZH_DANGLING_WORDS = frozenset("""
以及 或者 因为 所以 但是 而且 并且 如果 虽然 然后 对于 关于 比如 例如 包括 为了 由于 即使 尽管 除了 不仅 通过 根据
按照 假如 要是 可是 不过 于是 以便 甚至 还有 还是 正在 难以 作为 成为 认为 以为 用于 属于 位于 等于 来自 交给 送给
变成 翻译成 转换成 转换为 改成 分成 换成 写成 以下 例如 诸如 一边 不管 无论 只要 只有 除非 之所以 与其 从事 涉及
""".split())
# "就是" ends a sentence ("就是", "那就是") except after these, which announce what follows.
ZH_ANNOUNCING = ("还有就是", "然后就是", "另外就是", "其次就是", "主要是", "原因是", "问题是", "意思是")
# A last clause that is only one of these ("如果明天下雨的话，那么") announces a main clause that never comes.
ZH_CLAUSE_OPENERS = frozenset("那么 那 就 否则 因此 因而 从而 接着 此外 另外 于是 所以 然后 而是 不然".split())
# Verbs that need what follows them: "我们应该", "坐高铁需要"; "不需要" is a complete answer.
ZH_NEEDS_COMPLEMENT = frozenset("应该 需要 必须 能够 想要 打算 试图 准备 如何才能 怎样才能 怎么才能".split())
_ZH_HOW_AFTER_MODAL = ("应该如何", "该如何", "要如何", "可以如何", "能如何", "应当如何")
_ZH_CONDITION = re.compile(r"^(?:请问|我想问|那|那么)?(?:如果|假如|要是|假设|即使|虽然|尽管|只要|除非|万一|倘若)")
_ZH_QUESTION_WORDS = re.compile(r"吗|呢|吧|什么|怎么|怎样|如何|哪|谁|多少|几|是否|会不会|能不能|可不可以|是不是|有没有|为什么")
_ZH_DEMONSTRATIVE_MEASURE = re.compile(r"[这那][句段篇首本道份条张幅]$")
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
        # A turn that ends on masked content (a URL, a number, a path, a code block) ends on what it talks
        # about: "... at $3.55.", "转换为有效的URI：https://…". Only the bracket balance can still say it is cut.
        ends_on_content = len(turn.text.rstrip()) > len(text)
        checks = [(s.brackets, _unclosed), (s.dangling and not ends_on_content, _dangling),
                  (s.announced_colon and not ends_on_content, _announced),
                  (s.no_object and first, _no_object), (s.no_object and first and not ends_on_content, _wh_at_end),
                  (s.cut_word and not ends_on_content, lambda t, x: _cut_word(t, x, s))]
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
        return None if _stray(text, i) else (0.8, i, len(text), f"'{ch}' never closed")
    quotes = [m.start() for m in re.finditer('"', text)]
    if len(quotes) % 2:  # an odd count may include inch marks (5" tall), but '"448"' is balanced as written
        quotes = [q for q in quotes if not (q and text[q - 1].isdigit())]
    if len(quotes) % 2 and not _stray(text, quotes[-1]):
        return 0.7, quotes[-1], len(text), "'\"' never closed"
    return None


def _stray(text: str, opened: int) -> bool:
    """An opener far from the end of a prompt that ends on a full stop or question mark is a slip in a finished
    prompt ("either male (M) or female (F. 40% of ..."), not a prompt cut off inside brackets."""
    return text[-1] in "?？。.!！" and len(text) - opened > 40


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
    if re.search(r"\w", turn.text[m.end(1):len(text)]):
        return None  # the last word is followed by masked content ("and delivery/tip?")
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
    if word in ("of", "to") and (_awaits_complement(words, clause) or _from_without_to(words)):
        return 0.75, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    if word in EN_RELATIVES and (_opens_noun_phrase(words) or words[-2:-1] and words[-2] in EN_INDEFINITES):
        return 0.75, m.start(1), m.end(1), f"ends on '{m.group(1)}' with no clause after it"
    if word in EN_PREPOSITIONS and not _WH.search(clause):
        return 0.75, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    if word in EN_AUXILIARIES and len(words) >= 2 and not _ELLIPSIS_OK.search(clause):
        return 0.7, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    if words == [word] and word in _WH_ONLY and re.search(r"[,.;:!?]\s*\S+$", stripped):
        return 0.8, m.start(1), m.end(1), f"ends on '{m.group(1)}'"
    hit = _wh_clause_without_verb(stripped)
    if hit:
        return hit
    sentence = re.split(r"(?<=[.!?])\s+|\n", stripped)[-1]
    if _SUBORDINATE.match(sentence) and "," not in sentence and " then " not in sentence.lower():
        return 0.7, len(stripped) - len(sentence), len(stripped), "a condition with no main clause"
    return None


def _wh_clause_without_verb(stripped: str):
    """ "Explain the reasons why the Roman Empire": an embedded wh-word (never the sentence's first word) followed
    by a subject of at most five words (opening with a determiner, a possessive or a name) and no verb."""
    sentence = re.split(r"(?<=[.!?])\s+|\n", stripped)[-1]
    toks = list(re.finditer(r"[A-Za-z][A-Za-z'’-]*", sentence))
    for k in range(len(toks) - 2, 0, -1):
        if toks[k].group() not in EN_EMBEDDED_WH:
            continue  # lower case only: "How the Grinch Stole Christmas" is a title
        tail = [t.group() for t in toks[k + 1:]]
        if len(tail) > 5 or not (tail[0].lower() in EN_SUBJECT_OPENERS or tail[0][0].isupper()):
            return None
        if any(_verbish(w) for w in tail) or re.search(r"[^\w\s'’-]", sentence[toks[k].end():]):
            return None
        start = len(stripped) - len(sentence) + toks[k].start()
        return 0.7, start, len(stripped), f"'{toks[k].group()}' clause with a subject and no verb"
    return None


def _verbish(word: str) -> bool:
    """Whether a word of an embedded clause may be its verb (names and determiners never are)."""
    w = word.lower()
    if word[0].isupper() or w in EN_SUBJECT_OPENERS:
        return False
    return (w in EN_VERBISH or w in EN_BARE_PLURALS or w.endswith(("ed", "n't"))
            or (w.endswith("s") and not w.endswith(("ss", "us", "is"))))


def _wh_at_end(turn: Turn, text: str):
    """A first prompt that asks for an explanation and stops on its question word ("I want to know why",
    "请说明如何"); a negated one ("I don't know why", "我不知道为什么") is a complete statement."""
    body = text.rstrip()
    if not body or body[-1] in _TERMINAL:
        return None
    m = _EN_WH_FRAME.search(body)
    # at least three words: a bare "Explain why" may be an elliptical follow-up pasted as a prompt
    if m and len(body.split()) >= 3 and not _EN_NEGATED.search(body[:m.start()][-20:] + " "):
        word = body.split()[-1]
        return 0.75, len(body) - len(word), len(body), f"ends on '{word}' with no question after it"
    m = _ZH_WH_END.search(body)
    if m and m.start() > 0 and not _ZH_WH_NEGATED.search(body[:m.start() + 2]):
        return 0.75, m.start(), len(body), f"ends on '{body[m.start():]}' with no question after it"
    return None


def _opens_noun_phrase(words: list[str]) -> int | None:
    """Position of a determiner that opens the noun phrase right before the last word ("a cake | that"), if any."""
    if (len(words) < 3 or words[-2] in _EN_FUNCTION or words[-2] in EN_DETERMINERS
            or words[-2].endswith(("ed", "en")) or words[-2] in _EN_PARTICIPLES):
        return None  # "what is this made of": a participle takes the stranded preposition
    for k in range(len(words) - 3, max(-1, len(words) - 6), -1):
        if words[k] in EN_DETERMINERS or words[k].isdigit():
            return k
        if words[k] in _EN_FUNCTION:
            return None
    return None


def _awaits_complement(words: list[str], clause: str) -> bool:
    """ "the best way to", "the benefits of": a noun phrase waiting for its complement. In a wh-question the
    preposition may be stranded ("who did you give the book to"), so there the noun phrase must follow a copula
    ("what is the best way to")."""
    k = _opens_noun_phrase(words)
    if k is None:
        return False
    return not _WH.search(clause) or (k > 0 and words[k - 1] in _EN_COPULAS)


def _from_without_to(words: list[str]) -> bool:
    """ "get from Paris to": a "from" whose "to" is the last word."""
    return words[-1] == "to" and "from" in words[:-2] and "to" not in words[words.index("from"):-1]


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
    m = _ZH_MEASURE_END.search(text) or _ZH_DEMONSTRATIVE_MEASURE.search(text)
    if m and not _degree_complement(text, m.group(0)):
        return 0.75, m.start(), len(text), f"ends on '{m.group(0)}' with nothing it counts"
    return _zh_unfinished_clause(text, run, last)


def _degree_complement(text: str, tail: str) -> bool:
    """ "改写得更正式一些": 一些/一点 after a comparison is a degree, not a count waiting for its noun."""
    return tail in ("一些", "一点") and re.search(r"[更得再稍][^，,。；;]{0,5}$", text[:-2]) is not None


def _zh_unfinished_clause(text: str, run: str, last: str):
    """A condition without its main clause, an opener with nothing after it, a modal verb or a 把 phrase
    without its verb ("如果明天下雨的话，那么", "我们应该", "请问如何把这个")."""
    clause = re.split(r"[，,；;：:]", text)[-1].strip()
    sentence = re.split(r"[。！!？?\n]", text)[-1].strip()
    if clause in ZH_CLAUSE_OPENERS and clause != text.strip():
        return 0.8, len(text) - len(clause), len(text), f"ends on '{clause}'"
    if text.endswith("的话"):
        return 0.8, len(text) - 2, len(text), "a condition with no main clause"
    if (_ZH_CONDITION.match(sentence) and not re.search(r"[，,；;]", sentence)
            and not _ZH_QUESTION_WORDS.search(sentence)):
        return 0.7, len(text) - len(sentence), len(text), "a condition with no main clause"
    for w in _ZH_HOW_AFTER_MODAL:
        if text.endswith(w):
            return 0.75, len(text) - 2, len(text), f"ends on '{w}'"
    if last in ZH_NEEDS_COMPLEMENT and not re.search(f"[不没]{last}$", run):
        return 0.75, len(text) - len(last), len(text), f"ends on '{last}'"
    return _zh_wh_subject_only(text, clause) or _ba_without_verb(text, clause)


def _zh_wh_subject_only(text: str, clause: str):
    """ "请解释为什么罗马帝国": 为什么/为何/是否 followed by nouns and pronouns only (no predicate)."""
    words = lexicon.zh_segment(clause[-16:])[1] if re.fullmatch(f"[{CJK_CLASS}]+", clause) else []
    at = max((i for i, w in enumerate(words) if w in _ZH_CLAUSE_WH), default=None)
    if at is None or not 1 <= len(words) - at - 1 <= 3:
        return None
    tags = lexicon.zh_tags()
    tail = words[at + 1:]
    if all(tags.get(w, "x") in _ZH_NOMINAL_TAGS for w in tail):
        start = len(text) - len("".join(words[at:]))
        return 0.7, start, len(text), f"'{words[at]}' with a subject and no predicate"
    return None


def _ba_without_verb(text: str, clause: str):
    """ "请问如何把这个": the object of 把 is given, the verb that acts on it is not."""
    if "把" not in clause or not re.fullmatch(f"[{CJK_CLASS}]+", clause):
        return None
    words = lexicon.zh_segment(clause[-12:])[1]
    if "把" not in words:
        return None  # 把握, 把关: a word, not the preposition
    i = len(words) - 1 - words[::-1].index("把")
    if i > 0 and re.fullmatch("[一两几这那每]|[一二三四五六七八九十]", words[i - 1][-1]):
        return None  # 一把椅子: a measure word
    tail, tags = words[i + 1:], lexicon.zh_tags()
    if not tail:
        return None  # ends on 把: the dangling-particle rule reports it
    lastw, prev = tail[-1], tail[-2] if len(tail) >= 2 else ""
    pronoun = tags.get(lastw, "").startswith("r")
    noun = tags.get(lastw, "x")[:1] in ("n", "r", "f") or lastw[:1] in "这那"  # 这段话 is tagged an idiom
    if pronoun or (noun and (len(tail) == 1 or prev == "的" or tags.get(prev, "").startswith("r"))):
        start = len(text) - len("".join(tail)) - 1
        return 0.75, start, len(text), "'把' with no verb after its object"
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
