"""The built-in pre-flag checks (see curation/checks/__init__.py for how they run).

Each check is a small class with one job and a settings dataclass; it returns `Flag`s that carry a reason and
the evidence (where, and the text around it). A new check can also be a new module in this package.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from ..messages import structural_problem, validate_messages
from ..store import UNTYPED, Store
from ..text import CJK_CLASS as _CJK, has_cjk
from .base import CHECKS, Check, Flag

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_NOT_WORD = re.compile(r"[\W_]+")  # whitespace, punctuation and symbols


def _is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def _snippet(text: str, start: int, end: int, width: int = 12) -> str:
    """The match with a little context, on one line."""
    a, b = max(0, start - width), min(len(text), end + width)
    s = ("…" if a > 0 else "") + text[a:b] + ("…" if b < len(text) else "")
    return s.replace("\n", "⏎")


def _prose(text: str) -> str:
    """Text with code blocks and inline code blanked out (same length, so positions still match)."""
    if "`" not in text:
        return text

    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return _INLINE_CODE.sub(blank, _FENCE.sub(blank, text))


def _answers(sample: dict) -> list[tuple[int, str]]:
    """(1-based turn number, content) of every assistant answer that is not only a tool call."""
    return [(i, m.get("content") or "") for i, m in enumerate(sample["messages"], 1)
            if m.get("role") == "assistant" and not m.get("tool_calls")]


# ---------------------------------------------------------------- punctuation
@dataclass
class PunctuationSettings:
    """Mixed-width punctuation and unpaired brackets/quotes in answers."""

    max_evidence: int = 3  # places quoted in the evidence
    # half-width marks that are wrong when they touch Chinese text (decimal points and URLs stay untouched,
    # because they sit between Latin letters or digits)
    ascii_marks: str = ",;:?!()"
    # full-width marks that are wrong in an English answer
    fullwidth_marks: str = "，。；：？！（）【】、"
    # pairs that must balance in a Chinese answer
    pairs: tuple[tuple[str, str], ...] = (("“", "”"), ("（", "）"), ("「", "」"), ("《", "》"), ("【", "】"), ("『", "』"))


@CHECKS.register
class PunctuationCheck(Check):
    """In Chinese answers: ASCII punctuation next to Chinese, unpaired full-width brackets or quotes.
    In English answers: full-width Chinese punctuation."""

    name = "punctuation"
    Settings = PunctuationSettings

    def __init__(self, settings: PunctuationSettings | None = None):
        super().__init__(settings)
        self._ascii = re.compile(f"[{re.escape(self.settings.ascii_marks)}.]")
        self._fullwidth = re.compile(f"[{re.escape(self.settings.fullwidth_marks)}]")

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags = []
        for turn, text in _answers(sample):
            prose = _prose(text)
            if has_cjk(prose):
                flags += self._zh(turn, text, prose)
            elif re.search(r"[A-Za-z]{3,}", prose):
                hits = list(self._fullwidth.finditer(prose))
                if hits:
                    flags.append(Flag(self.name, f"Chinese full-width punctuation in an English answer "
                                                 f"({len(hits)}×)", self._evidence(turn, text, hits)))
        return flags

    def _zh(self, turn: int, text: str, prose: str) -> list[Flag]:
        flags = []
        hits = [m for m in self._ascii.finditer(prose) if self._touches_chinese(prose, m.start())]
        if hits:
            marks = "".join(sorted({h.group(0) for h in hits}))
            flags.append(Flag(self.name, f"English punctuation {marks!r} inside Chinese text ({len(hits)}×)",
                              self._evidence(turn, text, hits)))
        for left, right in self.settings.pairs:
            opened, closed = prose.count(left), prose.count(right)
            if opened != closed:
                at = prose.find(left if opened > closed else right)
                flags.append(Flag(self.name, f"unpaired {left}{right}: {opened} opening, {closed} closing",
                                  f"turn {turn}: «{_snippet(text, at, at + 1)}»"))
        return flags

    @staticmethod
    def _touches_chinese(text: str, i: int) -> bool:
        """An ASCII mark with Chinese right before it, or (other than a full stop) Chinese right after it.
        Decimal points, URLs and English inside Chinese text stay untouched: their neighbours are Latin."""
        before = text[i - 1] if i > 0 else ""
        if text[i] == ".":
            return _is_cjk(before) and not text[i + 1:i + 2].isdigit()
        after = text[i + 1:i + 3].lstrip()[:1]
        return _is_cjk(before) or _is_cjk(after)

    def _evidence(self, turn: int, text: str, hits: list) -> str:
        shown = [f"«{_snippet(text, h.start(), h.end())}»" for h in hits[: self.settings.max_evidence]]
        more = f" (+{len(hits) - len(shown)} more)" if len(hits) > len(shown) else ""
        return f"turn {turn}: " + " ".join(shown) + more


# ---------------------------------------------------------------- empty answers
_EN_STOP = frozenset("""a an the and or but so of to in on at for with by from as is are was were be been am i you he
she it we they me him her them this that these those there here my your its our their um uh er hmm ah oh well
ok okay sure thanks thank please just very really also""".split())
_ZH_STOP = ("的", "了", "在", "和", "也", "就", "都", "而", "及", "与", "着", "或", "一个", "没有", "我们", "你们",
            "他们", "这", "那", "嗯", "哦", "啊", "呃", "呀", "吧", "呢", "吗", "好的", "好", "我", "你", "他")


@dataclass
class EmptyAnswerSettings:
    """Answers that say nothing."""

    max_chars: int = 40  # only answers this short can be "stop words only"


@CHECKS.register
class EmptyAnswerCheck(Check):
    """Empty, punctuation-only or stop-word-only answers."""

    name = "empty_answer"
    Settings = EmptyAnswerSettings
    _zh_stop = re.compile("^(?:" + "|".join(sorted(_ZH_STOP, key=len, reverse=True)) + ")+$")

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags = []
        for turn, text in _answers(sample):
            kind = self._kind(text)
            if kind:
                flags.append(Flag(self.name, f"{kind} answer", f"turn {turn}: «{text.strip()[:80]}»"))
        return flags

    def _kind(self, text: str) -> str | None:
        if not text.strip():
            return "empty"
        if _NOT_WORD.fullmatch(text):
            return "punctuation-only"
        if len(text.strip()) > 3 * self.settings.max_chars:
            return None
        letters = _NOT_WORD.sub("", text)
        if len(letters) > self.settings.max_chars:
            return None
        words = re.findall(r"[A-Za-z']+|\d+", text.lower())
        if has_cjk(letters) and self._zh_stop.match(letters):
            return "stop-word-only"
        if words and not has_cjk(letters) and all(w in _EN_STOP for w in words):
            return "stop-word-only"
        return None


# ---------------------------------------------------------------- refusals
@dataclass
class RefusalSettings:
    """Short answers that decline, or that only apologise."""

    max_chars: int = 300  # longer answers that start with "sorry" usually go on to help
    # An apology followed by at least this much further text (letters, digits, ideographs) is a polite answer
    # that goes on to help ("Sorry for the inconvenience, here is how to reset it"), not a refusal.
    min_help_chars: int = 12


@CHECKS.register
class RefusalCheck(Check):
    """Short answers that decline instead of answering, or apologise and offer nothing else.

    An apology alone is not a refusal: customer-service answers open with one and then help ("很抱歉给您带来不便。
    请您先确认……"). So two kinds of phrases: a *decline* (the assistant says it cannot or will not do it) flags a
    short answer on its own; an *apology* flags it only when little else follows.
    """

    name = "refusal"
    Settings = RefusalSettings
    _declines = re.compile(
        r"\b(?:i can(?:no|'|’)t (?:help|assist|provide|do (?:that|this)|answer|comply|fulfil|share|give)|"
        r"i(?:'m|’m| am) (?:unable|not able) to|i won(?:'|’)?t be able to|i must decline|i (?:have to|must) "
        r"refuse|as an ai\b[^.]{0,60}\b(?:can(?:no|'|’)t|unable|not able))"
        r"|我(?:暂时)?(?:无法|不能|没办法)|(?:无法|不能)(?:为您|为你)|无法(?:回答|协助)"
        r"|作为一?个?(?:AI|人工智能)[^。]{0,20}(?:无法|不能)",
        re.I,
    )
    _apologies = re.compile(r"\b(?:i'?m sorry|i am sorry|sorry|i apologi[sz]e|apologies)\b|抱歉|对不起|很遗憾|不好意思",
                            re.I)
    # every pattern contains one of these
    _cues = ("sorry", "apologi", "can't", "cannot", "can’t", "unable", "not able", "won't", "won’t", "wont",
             "decline", "refuse", "抱歉", "对不起", "遗憾", "不好意思", "无法", "不能", "没办法")

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags = []
        for turn, text in _answers(sample):
            if len(text.strip()) > self.settings.max_chars:
                continue
            folded = text.casefold()
            if not any(cue in folded for cue in self._cues):
                continue  # substring scans rule out most answers before the regexes run
            m = self._declines.search(text)
            kind = "declines"
            if m is None:
                m = self._apologies.search(text)
                if m is None or self._helps_after(text, m.end()):
                    continue
                kind = "only apologises"
            flags.append(Flag(self.name, f"short answer ({len(text.strip())} chars) that {kind}",
                              f"turn {turn}: «{_snippet(text, m.start(), m.end(), 30)}»"))
        return flags

    def _helps_after(self, text: str, end: int) -> bool:
        """Enough text follows the apology to be an answer of its own."""
        return len(_NOT_WORD.sub("", text[end:])) >= self.settings.min_help_chars


# ---------------------------------------------------------------- truncation
@dataclass
class TruncationSettings:
    """Answers that stop mid-sentence or leave a code block open."""

    min_chars: int = 60  # shorter answers ("Paris") legitimately end without a full stop
    # lower-case words a sentence cannot end on
    dangling_words: tuple[str, ...] = ("and", "or", "the", "a", "an", "of", "to", "with", "but", "because", "which",
                                       "that", "for", "in", "is", "by", "from", "at", "on", "as", "then", "if",
                                       "when", "than", "into", "are", "was", "were")


_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SENTENCE_END = re.compile(r"[.!?。！？]")


@CHECKS.register
class TruncationCheck(Check):
    """The last answer stops mid-sentence, on a comma or connector, or inside an open code block."""

    name = "truncated"
    Settings = TruncationSettings
    # characters after which an answer plausibly continued: letters/ideographs are handled separately
    _open_marks = set(",，、:：;；-–—(（[{「『《“‘/\\=+&")
    _list_item = re.compile(r"^\s*(?:[-*•+]|\d+[.)、]|[一二三四五六七八九十]+、)\s*")

    def find(self, sample: dict, context: dict) -> list[Flag]:
        answers = _answers(sample)
        if not answers:
            return []
        turn, text = answers[-1]
        reason = self._reason(text.rstrip())
        if not reason:
            return []
        return [Flag(self.name, reason, f"turn {turn} ends: «…{text.rstrip()[-40:].replace(chr(10), '⏎')}»")]

    def _reason(self, text: str) -> str | None:
        if text.count("```") % 2 == 1:
            return "code block opened but never closed"
        last = text[-1:]
        if last in self._open_marks and len(text) >= 10:
            return f"answer ends on {last!r}, mid-sentence"
        if len(text) < self.settings.min_chars:
            return None
        last_line = text.rsplit("\n", 1)[-1]
        if not last.isalpha() or self._list_item.match(last_line) or last_line.lstrip().startswith("#"):
            return None  # list items, headings and lines ending in digits or symbols end legitimately
        word = last_line[len(last_line.rstrip(_ASCII_LETTERS)):]  # the Latin word the text ends on, if any
        if word in self.settings.dangling_words:
            return f"answer ends on the word {word!r}"
        # the last line is running prose that simply stops: no full stop, no list item, no heading
        if len(last_line.strip()) >= 20 and _SENTENCE_END.search(text, 0, len(text) - 1):
            return "answer ends mid-sentence without final punctuation"
        return None


# ---------------------------------------------------------------- template leftovers
@dataclass
class TemplateSettings:
    """Unfilled placeholders and chat-template tokens."""

    max_evidence: int = 3  # places quoted in the evidence


@CHECKS.register
class TemplateLeftoverCheck(Check):
    """Placeholders such as {{name}}, [Your Name], <insert ...>, and chat-template tokens left in the text."""

    name = "template_leftover"
    Settings = TemplateSettings
    _patterns = re.compile(
        r"\{\{\s*[^{}\n]{1,40}?\s*\}\}"  # {{name}}
        r"|\[(?:your|insert|placeholder|name of)[^\]\n]{0,40}\]"  # [Your Name], [Insert date]
        r"|<(?:insert|your)[ _][^>\n]{0,40}>"  # <insert name>
        r"|<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|user|assistant|system)\|>"
        r"|\[/?INST\]|<</?SYS>>",
        re.I,
    )

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags = []
        for turn, m in enumerate(sample["messages"], 1):
            text = m.get("content") or ""
            if "{{" not in text and "[" not in text and "<" not in text:
                continue  # every pattern needs one of these: skip the regex on most turns
            hits = list(self._patterns.finditer(_prose(text)))
            if hits:
                found = sorted({text[h.start():h.end()] for h in hits})
                shown = " ".join(f"«{_snippet(text, h.start(), h.end())}»" for h in hits[: self.settings.max_evidence])
                flags.append(Flag(self.name, f"template leftover {', '.join(found[:5])} in the {m.get('role')} turn",
                                  f"turn {turn}: {shown}"))
        return flags


# ---------------------------------------------------------------- generation artefacts
@dataclass
class ArtefactSettings:
    """Phrases left behind by synthetic-data pipelines (Evol-Instruct, self-instruct, distillation)."""

    # phrases matched case-insensitively in user and assistant turns; any one of them raises the flag
    markers: tuple[str, ...] = (
        "#Rewritten Prompt#", "#Given Prompt#", "#Created Prompt#", "#The Given Prompt#", "Rewritten Prompt:",
        "given prompt", "As an AI language model", "As a large language model", "As a language model",
        "I am an AI language model", "I'm an AI language model", "作为一个AI语言模型", "作为一个人工智能语言模型",
        "作为AI语言模型", "作为一个语言模型", "作为一名AI语言模型",
    )


@CHECKS.register
class ArtefactCheck(Check):
    """Synthetic-generation artefacts in any turn: "#Rewritten Prompt#", "given prompt", "As an AI language model"."""

    name = "generation_artefact"
    Settings = ArtefactSettings

    def __init__(self, settings: ArtefactSettings | None = None):
        super().__init__(settings)
        self._markers = [(m, m.casefold()) for m in self.settings.markers]

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags = []
        for turn, m in enumerate(sample["messages"], 1):
            if m.get("role") not in ("user", "assistant"):
                continue
            text = m.get("content") or ""
            folded = text.casefold()
            # plain substring scans: much faster than one big case-insensitive alternation
            hits = [(folded.find(low), marker) for marker, low in self._markers if low in folded]
            if hits and len(folded) == len(text):
                at, marker = min(hits)
                flags.append(Flag(self.name, f"generation artefact {marker!r} in the {m['role']} turn",
                                  f"turn {turn}: «{_snippet(text, at, at + len(marker), 30)}»"))
            elif hits:  # casefolding changed the length (e.g. ß): quote without a position
                flags.append(Flag(self.name, f"generation artefact {min(hits)[1]!r} in the {m['role']} turn",
                                  f"turn {turn}"))
        return flags


# ---------------------------------------------------------------- verbosity
@dataclass
class VerbositySettings:
    """Answers far longer than is usual for their task_type."""

    robust_z: float = 3.5  # flag when log-length is this many robust SDs above the task_type's median
    min_group: int = 20  # task types with fewer samples have no reliable distribution: not checked
    min_chars: int = 400  # never flag answers shorter than this, whatever the distribution


@CHECKS.register
class VerbosityCheck(Check):
    """Answer length is extreme against the length distribution of the sample's task_type."""

    name = "verbose"
    Settings = VerbositySettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        stats = context.get("lengths", {}).get(sample.get("task_type") or UNTYPED)
        if not stats or stats["n"] < self.settings.min_group:
            return []
        chars = sum(len(t) for _, t in _answers(sample))
        if chars < self.settings.min_chars:
            return []
        z = (math.log1p(chars) - stats["median_log"]) / stats["scale"]
        if z < self.settings.robust_z:
            return []
        return [Flag(self.name, f"answer is {chars:,} chars; {sample.get('task_type') or UNTYPED} answers are "
                                f"typically {stats['median_chars']:,} (robust z {z:.1f})",
                     f"{stats['n']} samples of this task_type; flag above robust z {self.settings.robust_z}")]


def length_stats(store: Store) -> dict[str, dict]:
    """Per task_type: median and robust spread (1.4826 x MAD) of log answer length, over the whole store."""
    out = {}
    for label, n, med, mad in store.samples.answer_length_stats():
        # a floor on the spread: a task type whose answers are all alike would otherwise flag any variation
        scale = max(1.4826 * float(mad), 0.25)
        out[label] = {"n": n, "median_log": float(med), "scale": scale, "median_chars": int(round(math.expm1(med)))}
    return out


# ---------------------------------------------------------------- echoed prompt
@dataclass
class EchoSettings:
    """Answers that repeat the prompt."""

    min_similarity: float = 0.95  # character-level similarity (difflib ratio) that counts as "the same"


@CHECKS.register
class EchoCheck(Check):
    """An answer identical (or nearly) to the user turn it answers."""

    name = "echo"
    Settings = EchoSettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        flags, prompt = [], None
        for turn, m in enumerate(sample["messages"], 1):
            if m.get("role") == "user":
                prompt = m.get("content") or ""
            elif m.get("role") == "assistant" and not m.get("tool_calls") and prompt is not None:
                ratio = self._similarity(prompt, m.get("content") or "")
                if ratio >= self.settings.min_similarity:
                    flags.append(Flag(self.name, "answer repeats the prompt" + ("" if ratio == 1 else
                                                                                   f" ({ratio:.0%} similar)"),
                                      f"turn {turn}: «{(m.get('content') or '')[:80]}»"))
        return flags

    @staticmethod
    def _similarity(a: str, b: str) -> float:
        if min(len(a), len(b)) < 0.75 * max(len(a), len(b)):
            return 0.0  # cheap exit before normalising: lengths this different are not near-identical
        na, nb = _normalise(a), _normalise(b)
        if not na or not nb:
            return 0.0
        if na == nb:
            return 1.0
        if min(len(na), len(nb)) / max(len(na), len(nb)) < 0.9:
            return 0.0
        if na[:16] != nb[:16] and na[-16:] != nb[-16:]:
            return 0.0  # near-copies keep their start or their end: a cheap filter before the full ratio
        return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


@dataclass
class MalformedSettings:
    """No settings: a stored conversation either reads as valid turns or it does not."""


@CHECKS.register
class MalformedTurnsCheck(Check):
    """A stored conversation that breaks the sample rules, as an older store or a direct write may hold it (a turn
    that is not an object, no or an unknown role, content that is not text, a bare-string tool call): the import
    would quarantine it, so a reviewer fixes or rejects it. The other checks read such a sample through
    messages.readable_turns, and the export leaves out what cannot be read as turns."""

    name = "malformed_turns"
    Settings = MalformedSettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        stored = sample.get("stored_messages", sample.get("messages"))
        problem = structural_problem(stored) or next(iter(validate_messages(stored)), None)
        return [Flag(self.name, "the stored conversation breaks the sample rules", problem)] if problem else []


def _normalise(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())
