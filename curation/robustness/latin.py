"""What the Latin-script words inside a Chinese prompt are: pinyin, English, or names/acronyms to leave alone.

Both the code-mix and the pinyin detector need this, and they must agree: "我想去beijing kan chang cheng" is
pinyin, "这个meeting很重要" is English, "我们用Python和API" is neither (names and acronyms are how Chinese
writers normally write those). Many English words also parse as pinyin ("long", "men", "can", "china", "hang"),
so the decision is made per *run* of Latin words: an ambiguous word is pinyin when it stands next to an
unambiguous pinyin word, and English otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .prompt import Token, Turn

# Latin-script words that are naturalised in written Chinese, product and programming-language names usually
# written in lower case: their use is standard Chinese, not code-mixing. (Acronyms in upper case and capitalised
# names are skipped by their shape, so they need no list.)
LOANWORDS = frozenset("""
ok app apps wifi vip diy ktv pk pdf ppt excel email e-mail emoji selfie blog vlog logo
python java javascript typescript golang rust kotlin swift php ruby perl html css json xml yaml sql mysql
linux windows macos ios android iphone ipad mac github gitlab google baidu wechat weixin taobao alipay zoom
chatgpt gpt openai pytorch tensorflow numpy pandas excel powerpoint photoshop youtube tiktok douyin
""".split())
# Command-line tools: "git rebase", "pip install numpy" are commands (code), not English mixed into Chinese.
COMMAND_TOOLS = frozenset("git pip npm yarn docker kubectl conda apt brew cargo make cmake gcc ssh curl wget".split())
# Syllables that are far more often a Chinese particle or pronoun written in pinyin than the English word the
# spell checker's (subtitle-based) frequencies make them look like.
# Also English function words that parse as pinyin: English mixed into Chinese is content words ("meeting",
# "idea"), so "he", "she", "me", "an", "can" between Chinese characters are 和, 设, 么, 安, 参.
PINYIN_FIRST = frozenset("de le ma ne ba ni wo ta ya la ha ye zai shi hao he she me an can".split())
_TONE = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]|[a-zü][1-5](?![0-9])")
# A word touching "(", "=", "^", "_", "[" or a leading "/" is code, a path or a formula ("employees(id)", "F=ma").
_CODE_NEIGHBOURS = re.compile(r"[=^_\[/]\s?\0|\0\s?[=(^_\[]")
# Separators allowed inside one run of Latin words.
_RUN_GAP = re.compile(r"[ \t'’-]*")


@dataclass
class LatinSettings:
    """How Latin words inside Chinese text are classified."""

    english_min_freq: int = 20000  # a one-syllable pinyin word is also "possibly English" from this frequency on
    english_min_freq_multi: int = 1000  # the same for words of several syllables ("china", "menu", "taxi")
    min_len: int = 2  # single letters (A股, C语言, x轴) are never words of either kind


@dataclass(frozen=True)
class LatinWord:
    token: Token
    kind: str  # pinyin | english | name | acronym | loanword | identifier | other
    syllables: tuple[str, ...] | None = None


def _shape_kind(tok: Token, s: LatinSettings) -> str | None:
    """Kinds decided by the token's form alone."""
    if not tok.is_plain_word:
        return "identifier" if not _TONE.search(tok.text) else None
    if len(tok.text) < s.min_len:
        return "other"
    if tok.shape == "upper":
        return "acronym"
    if tok.shape == "mixed":
        return "name"  # iPhone, JohnDoe, McDonald
    if tok.lower in LOANWORDS:
        return "loanword"
    return None


def _pinyin_strength(tok: Token, freq: dict, s: LatinSettings) -> tuple[int, tuple[str, ...] | None]:
    """2 = certainly pinyin, 1 = pinyin or English, 0 = not pinyin; with the syllables."""
    syllables = lexicon.segment_pinyin(tok.text)
    if syllables is None:
        return 0, None
    w = tok.lower
    bar = s.english_min_freq if len(syllables) == 1 else s.english_min_freq_multi
    if _TONE.search(tok.text) or w in PINYIN_FIRST:
        return 2, syllables
    if freq.get(w, 0) < bar and not (len(syllables) > 1 and lexicon.english_derivation(w)):
        return 2, syllables  # "rebase" (re + base) is English the dictionary lacks, not certain pinyin
    return 1, syllables


def classify_run(tokens: list[Token], s: LatinSettings) -> list[LatinWord]:
    """Classify one run of adjacent Latin tokens (see the module docstring)."""
    if tokens and tokens[0].lower in COMMAND_TOOLS:
        return [LatinWord(t, "identifier") for t in tokens]
    freq = lexicon.english_freq()
    kinds: list[str | None] = []
    strengths: list[int] = []
    sylls: list[tuple[str, ...] | None] = []
    for tok in tokens:
        kind = _shape_kind(tok, s)
        strength, syl = (0, None) if kind else _pinyin_strength(tok, freq, s)
        kinds.append(kind)
        strengths.append(strength)
        sylls.append(syl)
    # In a run made of English words ("the use of similes can add depth"), a pinyin-looking word is English too.
    english_words = sum(1 for k, st, t in zip(kinds, strengths, tokens)
                        if k is None and st == 0 and t.shape == "lower" and t.lower in freq)
    if english_words >= 2 and english_words >= 2 * sum(1 for st in strengths if st == 2):
        strengths = [0] * len(strengths)
    # Capitalised words are names (Beijing as the English place name, Li as a surname) unless they sit in a run
    # that is clearly pinyin written by someone who capitalised the first word.
    lowercase_pinyin = any(st == 2 and t.shape == "lower" for st, t in zip(strengths, tokens))
    out = []
    for i, tok in enumerate(tokens):
        kind = kinds[i]
        if kind is None:
            if strengths[i] == 2 or (strengths[i] == 1 and _next_to_certain(strengths, i)):
                kind = "pinyin" if tok.shape == "lower" or lowercase_pinyin else "name"
            elif tok.shape == "title":
                kind = "name"
            elif tok.lower in freq or tok.lower.replace("'", "") in freq:
                kind = "english"
            else:
                kind = "other"
        out.append(LatinWord(tok, kind, sylls[i] if kind == "pinyin" else None))
    return _names_with_particles(out)


_NAME_PARTICLES = frozenset("the of and de la von van der da di du le".split())


def _names_with_particles(words: list[LatinWord]) -> list[LatinWord]:
    """"Gertrude the Great", "Bank of America": a small word between two names belongs to the name."""
    out = list(words)
    for i in range(1, len(words) - 1):
        if (words[i].token.lower in _NAME_PARTICLES and words[i - 1].kind in ("name", "acronym")
                and words[i + 1].kind in ("name", "acronym")):
            out[i] = LatinWord(words[i].token, "name")
    return out


def _next_to_certain(strengths: list[int], i: int) -> bool:
    """An ambiguous word joins a pinyin reading when a certain pinyin word is reachable through ambiguous ones."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(strengths) and strengths[j] >= 1:
            if strengths[j] == 2:
                return True
            j += step
    return False


def _code_like(text: str, tok: Token) -> bool:
    """The word touches code or formula punctuation: employees(id), F=ma, x^2, arr[0], /hello."""
    return bool(_CODE_NEIGHBOURS.search(text[max(0, tok.start - 2):tok.start] + "\0" + text[tok.end:tok.end + 2]))


_LIST_SEPARATOR = re.compile(r"\s*[,，、]\s*")


def _listed(turn: Turn) -> set[int]:
    """Runs that are items of a list of three or more Latin items ("region, product, amount",
    "push、pop、peek"): names of fields, operations or values, not English mixed into a sentence."""
    all_runs = runs(turn)
    turn.cache["runs"] = all_runs
    listed: set[int] = set()
    chain = [all_runs[0]] if all_runs else []
    for prev, run in zip(all_runs, all_runs[1:]):
        if _LIST_SEPARATOR.fullmatch(turn.masked[prev[-1].end:run[0].start]) and len(run) == 1:
            chain.append(run)
        else:
            chain = [run]
        if len(chain) >= 3:
            listed.update(id(r) for r in chain)
    return listed


def runs(turn: Turn) -> list[list[Token]]:
    """Maximal runs of Latin tokens separated only by spaces, apostrophes or hyphens."""
    if "runs" in turn.cache:
        return turn.cache["runs"]
    out: list[list[Token]] = []
    for tok in turn.tokens:
        if out and _RUN_GAP.fullmatch(turn.masked[out[-1][-1].end:tok.start]):
            out[-1].append(tok)
        else:
            out.append([tok])
    return out


@lru_cache(maxsize=4096)
def _cached_classify(texts: tuple[str, ...], s_key: tuple) -> tuple:
    # Runs recur a lot in a corpus (names, common words); classifying them is pure, so cache by content.
    tokens = [Token(0, 0, t) for t in texts]
    return tuple((w.kind, w.syllables) for w in classify_run(tokens, LatinSettings(*s_key)))


def classify_turn(turn: Turn, s: LatinSettings) -> list[tuple[list[Token], list[LatinWord]]]:
    """Every Latin run of a turn with its classified words."""
    key = (s.english_min_freq, s.english_min_freq_multi, s.min_len)
    if ("latin", key) in turn.cache:
        return turn.cache[("latin", key)]
    out = []
    listed = _listed(turn)
    for run in runs(turn):
        labels = _cached_classify(tuple(t.text for t in run), key)
        if id(run) in listed:
            labels = tuple(("identifier", None) for _ in labels)
        out.append((run, [LatinWord(t, "identifier" if _code_like(turn.text, t) else k, syl)
                          for t, (k, syl) in zip(run, labels)]))
    turn.cache[("latin", key)] = out
    return out
