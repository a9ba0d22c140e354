"""Language resources the detectors and the generator share, loaded once and only when first needed.

Everything comes from maintained packages, not hand-made word lists:
- English vocabulary and word frequencies: pyspellchecker's English dictionary (what a word may be corrected
  to), and wordfreq's English and Chinese word lists (frequencies over web, subtitles, Wikipedia, Reddit and
  news text, bundled in the package): they know the abbreviations, technical terms, brands and plurals real
  prompts use ("tech", "css", "legos", "用例", "表名"), which a spell checker's dictionary lacks.
- Pinyin syllables and the readings of every character: pypinyin's character table.
- Chinese words with corpus frequencies: jieba's dictionary (about 350,000 words), used as a word-level
  language model: a character that forms no word with its neighbours while a same-sound character would form a
  frequent one is likely a wrong character.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

from ..errors import UserError

# Interjections, lone consonants and lone vowels: with them "m", "n" or the "e" of "change" would parse as pinyin.
_NOT_SYLLABLES = {"m", "n", "ng", "hm", "hng", "ê", "r", "a", "e", "o"}
# Spellings IME users type for ü that the table writes with v.
_EXTRA_SYLLABLES = {"lue", "nue"}
_TONE_DIGIT = re.compile(r"(?<=[a-zü])[1-5]")
_CJK_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_SYLLABLE = 6  # "zhuang", "shuang"


@lru_cache(maxsize=1)
def english():
    """pyspellchecker's English checker limited to edit distance 1 (distance 2 is ~300x slower)."""
    from spellchecker import SpellChecker
    return SpellChecker(language="en", distance=1)


@lru_cache(maxsize=1)
def english_freq() -> dict[str, int]:
    """Lower-case English word -> frequency (the spell checker's dictionary)."""
    return english().word_frequency.dictionary


@lru_cache(maxsize=2)
def _zipf_table(lang: str) -> dict[str, float]:
    import math

    from wordfreq import get_frequency_dict
    return {w: math.log10(f) + 9 for w, f in get_frequency_dict(lang, "large").items()}


def english_zipf(word: str) -> float:
    """How common a lower-case English word is in real text: wordfreq's Zipf value (log10 of occurrences per
    billion words; "the" 7.7, "tech" 4.7, "legos" 2.8, common misspellings like "recieve" 2.7), 0 for a word it
    has never seen."""
    return _zipf_table("en").get(word, 0.0)


def chinese_zipf(word: str) -> float:
    """wordfreq's Zipf value of a Chinese word (0 when unseen): it knows newer and technical words jieba's
    2012 dictionary lacks ("用例" 1.8, "表名" 1.1, "微博" 4.6)."""
    return _zipf_table("zh").get(word, 0.0)


@lru_cache(maxsize=1)
def _english_sorted() -> list[str]:
    return sorted(english_freq())


@lru_cache(maxsize=1)
def _english_unaccented() -> frozenset[str]:
    import unicodedata
    return frozenset(unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() for w in english_freq()
                     if not w.isascii())


def known_without_accents(word: str) -> bool:
    """"cafe" is the dictionary's "café" written without its accent: a spelling, not a typo."""
    return word in _english_unaccented()


def completes_english_word(prefix: str, min_freq: int = 1000) -> bool:
    """True when some common English word is `prefix` plus more letters ("sel" -> "sell", "machi" -> "machine")."""
    import bisect
    words, freq = _english_sorted(), english_freq()
    i = bisect.bisect_right(words, prefix)
    while i < len(words) and words[i].startswith(prefix):
        if freq[words[i]] >= min_freq:
            return True
        i += 1
    return False


# British spellings are spellings, not typos: (British ending, American ending).
_BRITISH = (("our", "or"), ("ours", "ors"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
            ("isation", "ization"), ("yse", "yze"), ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ence", "ense"), ("lled", "led"),
            ("lling", "ling"), ("ller", "ler"))
_SUFFIXES = ("ers", "er", "ings", "ing", "ed", "es", "s", "ly", "ness", "able", "ment", "ful", "less", "ist", "ism")


def _common_stem(stem: str, min_freq: int) -> bool:
    """A stem common in the spell checker's corpus, or in real text (wordfreq: "tile", "broccoli", "torn")."""
    return english_freq().get(stem, 0) >= min_freq or english_zipf(stem) >= STEM_ZIPF


STEM_ZIPF = 3.0  # a stem this common in real text makes "retile", "broccolis", "untorn" regular derivations


def english_derivation(word: str) -> bool:
    """A regular derivation ("stocker", "unfollowing", "gummies") or British spelling ("colouring") of a common
    word is a word the dictionary lacks, not a typo."""
    freq = english_freq()
    for brit, us in _BRITISH:
        if brit in word and freq.get(word.replace(brit, us), 0) >= 1000:
            return True
    if word.endswith("ies") and freq.get(word[:-3] + "y", 0) >= 1000:
        return True
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            stem = word[:-len(suffix)]
            if stem[-1] == suffix[0] or (suffix == "s" and stem.endswith("s")):
                continue  # "figuress", "stopped" spelt "stoped": a doubled or missing letter is a typo
            if any(_common_stem(s, 5000) for s in (stem, stem + "e")):
                return True
    for prefix in ("un", "re", "pre", "non", "over", "under", "sub", "co", "multi", "self"):
        rest = word[len(prefix):]
        # any real word after the prefix: "retiling" is re + tiling, a rarer word than a suffix's stem must be
        if word.startswith(prefix) and len(rest) >= 3 and (freq.get(rest, 0) >= 1000 or english_zipf(rest) >= 2.5):
            return True
    return False



_QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=64)
def keyboard_neighbours(ch: str) -> str:
    """Keys next to `ch` on a QWERTY keyboard (same row and the rows above and below)."""
    for r, row in enumerate(_QWERTY):
        c = row.find(ch)
        if c >= 0:
            near = [row[j] for j in (c - 1, c + 1) if 0 <= j < len(row)]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_QWERTY):
                    near += [_QWERTY[rr][j] for j in (c - 1, c) if 0 <= j < len(_QWERTY[rr])]
            return "".join(near)
    return ""


def plausible_slip(typed: str, meant: str) -> bool:
    """Whether one edit turning `meant` into `typed` is a slip people make: a dropped letter, two letters
    swapped, a letter doubled (or a double undone), a neighbouring key, a vowel slipped in or one for another
    ("additinal", "recieve", "cannisters", "definately"). Real words one edit from a common word are mostly
    not such slips: "ahold" (an extra "a"), "mocktail" (m for c), "vining" (v for d)."""
    if len(typed) == len(meant) - 1:
        return True  # a dropped letter
    if len(typed) == len(meant) + 1:
        i = next((k for k in range(len(meant)) if typed[k] != meant[k]), len(meant))
        extra, around = typed[i], typed[max(0, i - 1):i] + typed[i + 1:i + 2]
        if i > 0 and extra in _VOWELS:
            return True  # a vowel slipped in ("recipie"); at the start it makes another word ("ahold")
        return any(extra == ch or extra in keyboard_neighbours(ch) for ch in around)
    diff = [k for k in range(len(typed)) if typed[k] != meant[k]]
    if len(diff) == 2:
        return True  # two letters swapped
    a, b = typed[diff[0]], meant[diff[0]]
    return a in keyboard_neighbours(b) or (a in _VOWELS and b in _VOWELS)


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of pypinyin's character table ("zhong", "lv", ...)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    syllables = {to_normal(p) for readings in pinyin_dict.values() for p in readings.split(",")}
    return frozenset((syllables | _EXTRA_SYLLABLES) - _NOT_SYLLABLES)


def toneless(token: str) -> str:
    """Lower-case pinyin without tone marks or tone digits ("Nǐ3" -> "ni")."""
    from pypinyin.contrib.tone_convert import to_normal
    t = token.lower()
    if not t.isascii():
        t = to_normal(t)
    return _TONE_DIGIT.sub("", t).replace("ü", "v")


@lru_cache(maxsize=65536)
def segment_pinyin(token: str) -> tuple[str, ...] | None:
    """Split a Latin token into pinyin syllables ("changcheng" -> ("chang", "cheng")), None when impossible.

    Dynamic programming over the syllable table, preferring fewer syllables (the usual reading of an ambiguous
    run like "xian" is one syllable, not "xi an"). Apostrophes are explicit syllable breaks ("xi'an").
    """
    out: list[str] = []
    for part in toneless(token).split("'"):
        seg = _segment(part, pinyin_syllables())
        if seg is None:
            return None
        out.extend(seg)
    return tuple(out) or None


def _segment(s: str, syllables: frozenset[str]) -> list[str] | None:
    if not s:
        return None
    best: list[list[str] | None] = [None] * (len(s) + 1)
    best[0] = []
    for end in range(1, len(s) + 1):
        for size in range(1, min(MAX_SYLLABLE, end) + 1):
            prev = best[end - size]
            if prev is not None and s[end - size:end] in syllables:
                if best[end] is None or len(prev) + 1 < len(best[end]):
                    best[end] = prev + [s[end - size:end]]
    return best[len(s)]


def jieba_dict_path() -> str:
    """Location of jieba's word-frequency dictionary; a clear error when jieba is not installed."""
    import importlib.util
    spec = importlib.util.find_spec("jieba")  # only its dictionary file is used: jieba itself is never imported
    if spec is None or not spec.submodule_search_locations:
        raise UserError("Chinese robustness steps need the `jieba` package (pip install jieba)")
    return os.path.join(spec.submodule_search_locations[0], "dict.txt")


@lru_cache(maxsize=1)
def zh_words() -> dict[str, int]:
    """Chinese word (1-4 ideographs) -> corpus frequency, from jieba's dictionary."""
    words: dict[str, int] = {}
    with open(jieba_dict_path(), encoding="utf-8") as f:
        for line in f:
            parts = line.split(" ", 2)
            w = parts[0]
            if len(w) <= 4 and _CJK_ONLY.fullmatch(w):
                words[w] = int(parts[1])
    return words


@lru_cache(maxsize=1)
def zh_tags() -> dict[str, str]:
    """Chinese word -> its part-of-speech tag in jieba's dictionary ("这个" -> "r", "句子" -> "n")."""
    tags: dict[str, str] = {}
    with open(jieba_dict_path(), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) <= 4:
                tags[parts[0]] = parts[2]
    return tags


@lru_cache(maxsize=1)
def zh_total_freq() -> int:
    """Sum of all word frequencies: the denominator of the unigram word model."""
    return sum(zh_words().values())


def zh_segment(text: str) -> tuple[float, list[str]]:
    """Best segmentation of an all-ideograph string into dictionary words, with its log-probability.

    Unigram word model over jieba's frequencies (what jieba itself does, without its HMM for unknown words);
    a character that is no dictionary word counts as a word of frequency 1.
    """
    import math
    words, total = zh_words(), zh_total_freq()
    unknown = math.log(1 / total)
    best = [0.0] + [-math.inf] * len(text)
    back = [0] * (len(text) + 1)
    for end in range(1, len(text) + 1):
        for size in range(1, min(4, end) + 1):
            f = words.get(text[end - size:end])
            if f is None and size > 1:
                continue
            score = best[end - size] + (math.log(f / total) if f else unknown)
            if score > best[end]:
                best[end], back[end] = score, size
    segments, end = [], len(text)
    while end > 0:
        segments.append(text[end - back[end]:end])
        end -= back[end]
    return best[-1], segments[::-1]


def zh_bound_share(ch: str) -> float:
    """How often a character is a word on its own (了: 0.94) rather than part of a word (效: 0.02)."""
    return zh_words().get(ch, 0) / max(zh_char_freq().get(ch, 0), 1)


@lru_cache(maxsize=1)
def zh_max_freq() -> int:
    """Frequency of the most frequent Chinese word: no replacement can form a more frequent one."""
    return max(zh_words().values())


@lru_cache(maxsize=1)
def zh_char_freq() -> dict[str, int]:
    """Ideograph -> summed frequency of the words it occurs in: how common a character is in real text."""
    freq: dict[str, int] = {}
    for w, n in zh_words().items():
        for ch in set(w):
            freq[ch] = freq.get(ch, 0) + n
    return freq


@lru_cache(maxsize=1)
def common_chars(limit: int = 4000) -> frozenset[str]:
    """The `limit` most frequent ideographs (a typical IME candidate list never offers rarer ones first)."""
    ranked = sorted(zh_char_freq().items(), key=lambda kv: -kv[1])
    return frozenset(ch for ch, _ in ranked[:limit])


@lru_cache(maxsize=8192)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of an ideograph ("的" -> ("de", "di")); empty for anything else."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return ()
    return tuple(dict.fromkeys(to_normal(p) for p in raw.split(",")))


# Characters people confuse although only a secondary reading (or the shape) links them; the reading table alone
# would miss these most common of all Chinese typos.
CONFUSION_GROUPS = ("的得地", "在再", "做作", "那哪", "已以己", "象像", "即既", "带戴", "须需", "副幅", "练炼",
                    "辩辨辫", "末未", "侯候", "拨拔", "历厉", "密蜜", "籍藉", "账帐", "园圆", "坐座", "必毕")


@lru_cache(maxsize=1)
def _homophone_table() -> dict[str, tuple[str, ...]]:
    # Keyed by each common character's main (first-listed) reading: rare readings ("它" read yí) would make
    # unrelated characters homophones.
    table: dict[str, list[str]] = {}
    freq = zh_char_freq()
    for ch in common_chars():
        readings = char_readings(ch)
        if readings:
            table.setdefault(readings[0], []).append(ch)
    return {r: tuple(sorted(chs, key=lambda c: -freq.get(c, 0))) for r, chs in table.items()}


@lru_cache(maxsize=1)
def _confusions() -> dict[str, str]:
    return {ch: group for group in CONFUSION_GROUPS for ch in group}


@lru_cache(maxsize=8192)
def homophones(ch: str) -> tuple[str, ...]:
    """Common characters sharing the main toneless reading of `ch`, plus its known confusion partners.

    Most frequent first; `ch` itself excluded.
    """
    readings = char_readings(ch)
    out: dict[str, None] = dict.fromkeys(c for c in _confusions().get(ch, "") if c != ch)
    if readings:
        for c in _homophone_table().get(readings[0], ()):
            if c != ch:
                out[c] = None
    return tuple(out)


def sound_keys(ch: str) -> tuple[str, ...]:
    """What a character sounds like for confusion purposes: its main toneless reading and its confusion groups."""
    readings = char_readings(ch)
    keys = (readings[0],) if readings else ()
    group = _confusions().get(ch)
    return keys + ("#" + group,) if group else keys


@lru_cache(maxsize=4)
def sound_index(min_freq: int) -> dict[tuple[str, str, str], tuple[tuple[str, int], ...]]:
    """(prefix, sound key, suffix) -> frequent words (most frequent first) with a common character of that sound
    between that prefix and suffix: "已经" is found from ("", "yi", "经") when the text says "以经".

    Built once from the words at least `min_freq` frequent (a few tens of thousands); looking a window up is
    then one dictionary access instead of trying every same-sound character.
    """
    common = common_chars()
    index: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    for w, f in zh_words().items():
        if f < min_freq or not 2 <= len(w) <= 4:
            continue
        for j, ch in enumerate(w):
            if ch in common:
                for key in sound_keys(ch):
                    index.setdefault((w[:j], key, w[j + 1:]), []).append((w, f))
    return {k: tuple(sorted(v, key=lambda e: -e[1])) for k, v in index.items()}
