"""Robustness variants: copies of clean samples whose prompt is written badly and whose answer is unchanged.

Each perturbation changes one user turn only (the answer must stay byte-identical: the model should learn to
answer the intended question). Everything is seeded per parent and perturbation, so the same seed over the same
samples gives the same variants, in any order, and re-running adds nothing new (variant ids derive from content).

Perturbations and the robustness kind they produce (tag `robustness:generated:<kind>`):
- `en_typo`      -> typo:       keyboard-adjacent key, dropped, swapped or doubled letter in English words
- `zh_homophone` -> typo:       a character of a Chinese word replaced by a common same-sound character (pypinyin)
- `truncate`     -> incomplete: the prompt cut at a natural point (after a conjunction, at a comma, at a word end)
- `zh_pinyin`    -> pinyin:     some Chinese words written in toneless pinyin (pypinyin)
- `zh_english`   -> code_mix:   some Chinese words replaced by the English word (`vocabulary.ZH_EN`)
"""
from __future__ import annotations

import copy
import hashlib
import random
import re
from dataclasses import dataclass, field

from ..errors import UserError
from ..store import NOT_CURATED
from . import lexicon
from .detection import TAG_PREFIX
from .detectors import default_detectors, detect_sample
from .prompt import CJK_CLASS, Turn
from .vocabulary import ZH_EN

GENERATED_PREFIX = TAG_PREFIX + "generated:"
PERTURBATIONS = {"en_typo": "typo", "zh_homophone": "typo", "truncate": "incomplete", "zh_pinyin": "pinyin",
                 "zh_english": "code_mix"}
_EN_WORD = re.compile(r"(?<![A-Za-z'])[a-z]{4,}(?![A-Za-z'])")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
# Where a prompt visibly stops mid-thought: after a word that needs a continuation. (Cutting at the end of a
# clause would leave a complete-looking prompt, i.e. a clean sample with a wrong label.)
_EN_CUT_AFTER = frozenset("""
and or but because although though if when while whereas unless than as the a an this these those each every
many several some his her their its my your our of to with for about from into at by in on between through
which that whose how what is are was were will would can could should very more most two three four five
""".split())
_ZH_CUT_AFTER = frozenset("""
因为 但是 如果 虽然 而且 以及 或者 所以 然后 关于 比如 例如 包括 通过 根据 对于 由于 为了 除了 和 与 及 或 把 被 从 向
对 给 在 是 的 将 让 使 用 以 一个 一种 一些 几个 这个 那个 这些 每个 非常 最 更 很
""".split())


@dataclass
class GenerationSettings:
    """How robustness variants are generated."""

    seed: int = 42  # same seed, same samples -> same variants
    perturbations: tuple[str, ...] = tuple(PERTURBATIONS)  # which perturbations may be used
    rate: float = 0.1  # share of the eligible clean samples of each task_type that get variants in one run
    variants_per_sample: int = 1  # variants per chosen parent (each with a different perturbation)
    target_share: float | None = 0.08  # stop adding to a task_type once robustness samples are this share of it
    turn: str = "last"  # which user turn to perturb: "first" or "last" (the one the final answer replies to)
    typo_words: int = 2  # at most this many English words are misspelled
    homophone_chars: int = 1  # Chinese characters replaced by a same-sound one
    pinyin_words: int = 2  # Chinese words written as pinyin
    english_words: int = 2  # Chinese words replaced by English
    keep_min: float = 0.4  # truncation keeps between keep_min ...
    keep_max: float = 0.85  # ... and keep_max of the prompt
    min_prompt_chars: int = 8  # shorter prompts are left alone

    def check(self) -> None:
        """Raise UserError for settings that cannot work."""
        unknown = set(self.perturbations) - set(PERTURBATIONS)
        if unknown:
            raise UserError(f"unknown perturbation(s) {', '.join(sorted(unknown))}; "
                            f"choose from {', '.join(PERTURBATIONS)}")
        if not self.perturbations:
            raise UserError("choose at least one perturbation")
        if not 0 < self.rate <= 1:
            raise UserError(f"rate must be in (0, 1], got {self.rate}")
        if self.target_share is not None and not 0 < self.target_share < 1:
            raise UserError(f"target share must be between 0 and 1, got {self.target_share}")
        if self.turn not in ("first", "last"):
            raise UserError(f"turn must be 'first' or 'last', got {self.turn!r}")
        if not 0 < self.keep_min < self.keep_max < 1:
            raise UserError("truncation needs 0 < keep_min < keep_max < 1")


@dataclass
class Perturbed:
    text: str
    note: str  # what was changed, for the reviewer ("becuase <- because")


# ---- text perturbations: (text, rng, settings) -> Perturbed | None ----

def perturb_text(text: str, perturbation: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    """Apply one perturbation to a prompt; None when it does not apply (e.g. no Chinese for zh_pinyin)."""
    if len(text.strip()) < s.min_prompt_chars:
        return None
    return _FUNCS[perturbation](text, rng, s)


def _masked(text: str) -> str:
    return Turn(0, text).masked


def _en_typo(text: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    freq = lexicon.english_freq()
    masked = _masked(text)
    words = [m for m in _EN_WORD.finditer(masked) if m.group(0) in freq]
    if not words:
        return None
    chosen = sorted(rng.sample(words, min(len(words), rng.randint(1, s.typo_words))), key=lambda m: m.start())
    out, last, notes = [], 0, []
    for m in chosen:
        typo = _misspell(m.group(0), rng, freq)
        if typo is None:
            continue
        out += [text[last:m.start()], typo]
        last = m.end()
        notes.append(f"{typo} <- {m.group(0)}")
    if not notes:
        return None
    return Perturbed("".join(out) + text[last:], ", ".join(notes))


def _misspell(word: str, rng: random.Random, freq: dict) -> str | None:
    """One keyboard slip that yields a non-word (a real word would be an undetectable, unlabelled change)."""
    for _ in range(12):
        op = rng.choice(("adjacent", "drop", "swap", "double"))
        i = rng.randrange(1, len(word))  # the first letter is rarely wrong
        if op == "adjacent":
            near = lexicon.keyboard_neighbours(word[i])
            new = word[:i] + rng.choice(near) + word[i + 1:] if near else None
        elif op == "drop":
            new = word[:i] + word[i + 1:]
        elif op == "swap":
            new = word[:i - 1] + word[i] + word[i - 1] + word[i + 1:] if word[i] != word[i - 1] else None
        else:
            new = word[:i] + word[i] + word[i:]
        if new and new != word and new not in freq:
            return new
    return None


def _zh_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the Chinese words of the unmasked text, by best dictionary segmentation."""
    out = []
    for m in _CJK_RUN.finditer(_masked(text)):
        pos = m.start()
        for w in lexicon.zh_segment(m.group(0))[1]:
            out.append((pos, pos + len(w), w))
            pos += len(w)
    return out


def _zh_homophone(text: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    words = lexicon.zh_words()
    candidates = [w for w in _zh_words(text) if len(w[2]) >= 2 and words.get(w[2], 0) >= 500]
    rng.shuffle(candidates)
    changes = []
    for start, end, w in candidates:
        if len(changes) >= s.homophone_chars:
            break
        i = rng.randrange(len(w))
        # IME users pick a wrong candidate near the top of the list: the most common same-sound characters.
        options = [c for c in lexicon.homophones(w[i])[:6] if w[:i] + c + w[i + 1:] not in words]
        if options:
            c = rng.choice(options)
            changes.append((start + i, c, f"{w[:i] + c + w[i + 1:]} <- {w}"))
    if not changes:
        return None
    chars = list(text)
    for pos, c, _ in changes:
        chars[pos] = c
    return Perturbed("".join(chars), ", ".join(n for _, _, n in changes))


def _zh_pinyin(text: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    from pypinyin import lazy_pinyin
    candidates = [w for w in _zh_words(text) if len(w[2]) >= 1 and w[2] not in ("的", "了")]
    if not candidates:
        return None
    chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, s.pinyin_words))))
    return _replace_words(text, [(a, e, w, "".join(lazy_pinyin(w))) for a, e, w in chosen])


def _replace_words(text: str, replacements: list[tuple[int, int, str, str]]) -> Perturbed:
    """Put Latin words in place of Chinese ones, with a space where Latin would touch Latin or a digit."""
    out, last, notes = [], 0, []
    for start, end, word, latin in replacements:
        before = "".join(out) + text[last:start]
        if before and (before[-1].isascii() and before[-1].isalnum()):
            latin = " " + latin
        if text[end:end + 1].isascii() and text[end:end + 1].isalnum():
            latin += " "
        out += [text[last:start], latin]
        last = end
        notes.append(f"{latin.strip()} <- {word}")
    return Perturbed("".join(out) + text[last:], ", ".join(notes))


def _zh_english(text: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    candidates = [w for w in _zh_words(text) if w[2] in ZH_EN]
    if not candidates:
        return None
    chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, s.english_words))))
    return _replace_words(text, [(a, e, w, ZH_EN[w]) for a, e, w in chosen])


def _truncate(text: str, rng: random.Random, s: GenerationSettings) -> Perturbed | None:
    """Cut inside [keep_min, keep_max] of the prompt where it is visibly unfinished.

    Three kinds of cut point, picked with equal chance among those present: after a word that needs a
    continuation (a conjunction, preposition, article, determiner, particle), after a comma, or inside a word
    (the sender was interrupted while typing).
    """
    body = text.rstrip()
    lo, hi = int(len(body) * s.keep_min), int(len(body) * s.keep_max)
    masked = _masked(body)
    chinese = sum(len(r) for r in _CJK_RUN.findall(masked)) * 3 > len(body)
    if chinese:
        words = [(a, e, w) for a, e, w in _zh_words(body) if lo <= e <= hi]
        after_word = [e for a, e, w in words if w in _ZH_CUT_AFTER and e < len(body)]
        inside = [a + 1 for a, e, w in words if len(w) >= 2 and lexicon.zh_bound_share(w[0]) < 0.05]
    else:
        words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[A-Za-z']+", masked) if lo <= m.end() <= hi]
        after_word = [e for a, e, w in words if w.lower() in _EN_CUT_AFTER and e < len(body)]
        freq = lexicon.english_freq()
        cuts = [(a, rng.randint(3, len(w) - 2), w) for a, e, w in words if len(w) >= 6]
        # a fragment that is itself a word ("short" from "shorter") would not look cut
        inside = [a + k for a, k, w in cuts if w[:k].lower() not in freq]
    commas = [i + 1 for i in range(lo, min(hi, len(body) - 1)) if body[i] in ",，、" and masked[i] == body[i]]
    kinds = [k for k in (after_word, commas, inside) if k]
    if not kinds:
        return None
    end = rng.choice(rng.choice(kinds))
    cut = body[:end].rstrip()
    if not cut or cut == body:
        return None
    return Perturbed(cut, f"cut after {len(cut)} of {len(body)} characters")


_FUNCS = {"en_typo": _en_typo, "zh_homophone": _zh_homophone, "truncate": _truncate, "zh_pinyin": _zh_pinyin,
          "zh_english": _zh_english}


# ---- samples ----

def rng_for(seed: int, parent_id: str, perturbation: str) -> random.Random:
    """A generator private to (seed, parent, perturbation): results don't depend on processing order."""
    digest = hashlib.sha256(f"{seed}\0{parent_id}\0{perturbation}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _target_turn(messages: list[dict], which: str) -> int | None:
    users = [i for i, m in enumerate(messages) if m.get("role") == "user" and (m.get("content") or "").strip()]
    if not users:
        return None
    return users[0] if which == "first" else users[-1]


def make_variant(sample: dict, perturbation: str, s: GenerationSettings) -> dict | None:
    """A new pending sample: `sample` with one user turn perturbed, linked to it by `parent_id`; None if n/a."""
    messages = sample["messages"]
    t = _target_turn(messages, s.turn)
    if t is None:
        return None
    p = perturb_text(messages[t]["content"], perturbation, rng_for(s.seed, sample["id"], perturbation), s)
    if p is None or p.text == messages[t]["content"]:
        return None
    new_messages = copy.deepcopy(messages)  # every other turn (and the answers) stays exactly as it was
    new_messages[t]["content"] = p.text
    kind = PERTURBATIONS[perturbation]
    vid = "s_" + hashlib.sha1(f"{sample['id']}\0{perturbation}\0{p.text}".encode()).hexdigest()[:16]
    tags = [t_ for t_ in (sample.get("tags") or []) if not t_.startswith(TAG_PREFIX)]
    return {
        "id": vid, "dataset": sample.get("dataset"), "task_type": sample.get("task_type"),
        "messages": new_messages, "tools": copy.deepcopy(sample.get("tools")),
        "tags": tags + [GENERATED_PREFIX + kind], "language": sample.get("language"), "status": "pending",
        "split": None, "parent_id": sample["id"], "perturbation": perturbation, "note": p.note,
    }


def applicable(sample: dict, s: GenerationSettings) -> list[str]:
    """The chosen perturbations that can change this sample's prompt."""
    t = _target_turn(sample["messages"], s.turn)
    if t is None:
        return []
    text = sample["messages"][t]["content"]
    has_zh = bool(_CJK_RUN.search(text))
    has_en = bool(_EN_WORD.search(text))
    ok = {"en_typo": has_en, "zh_homophone": has_zh, "zh_pinyin": has_zh, "zh_english": has_zh, "truncate": True}
    return [p for p in s.perturbations if ok[p]]


def variants_for(sample: dict, s: GenerationSettings) -> list[dict]:
    """Up to `variants_per_sample` variants of one parent, each with a different perturbation."""
    options = applicable(sample, s)
    rng_for(s.seed, sample["id"], "choice").shuffle(options)
    out = []
    for perturbation in options:
        if len(out) >= s.variants_per_sample:
            break
        v = make_variant(sample, perturbation, s)
        if v is not None:
            out.append(v)
    return out


@dataclass
class Plan:
    """How many variants each task_type gets in one run, and why."""

    per_task_type: dict[str, dict] = field(default_factory=dict)  # type -> {total, robust, share, wanted}


def plan(counts: dict[str, tuple[int, int, int]], s: GenerationSettings) -> Plan:
    """Variants wanted per task_type from (total, robustness samples, eligible clean parents) counts.

    The number is `rate` x eligible parents, capped so the task_type does not overshoot `target_share`:
    adding v variants to t samples of which r are robustness data gives (r + v) / (t + v) <= target.
    """
    out = Plan()
    for task_type, (total, robust, eligible) in sorted(counts.items(), key=lambda kv: str(kv[0])):
        wanted = int(round(eligible * s.rate * s.variants_per_sample))
        if s.target_share is not None:
            room = (s.target_share * total - robust) / (1 - s.target_share)
            wanted = max(0, min(wanted, int(room)))
        out.per_task_type[task_type] = {"total": total, "robust": robust, "eligible": eligible,
                                        "share": robust / total if total else 0.0, "wanted": wanted}
    return out


def seeded_order(candidates: list[dict], seed: int) -> list[dict]:
    """Candidates in a seeded order that does not depend on how they were listed."""
    return sorted(candidates, key=lambda smp: hashlib.sha256(f"{seed}\0{smp['id']}".encode()).hexdigest())


def is_clean(sample: dict, detectors: list) -> bool:
    """A parent must be clean: no robustness tag, not itself generated, and no detector finds anything."""
    if sample.get("parent_id") or any(t.startswith(TAG_PREFIX) for t in sample.get("tags") or []):
        return False
    return not detect_sample(sample, detectors)


def generate(samples: list[dict], s: GenerationSettings, is_robust, detectors: list | None = None
             ) -> tuple[list[dict], Plan]:
    """Variants for a set of samples (all of them: shares are computed over the whole set).

    `is_robust(sample)` says whether a sample already counts as robustness data (confirmed or generated tag).
    Rejected and duplicate samples count for nothing and are never parents. Parents are tried in seeded order,
    and a parent any detector finds something in is skipped (it is not clean), until the plan is met.
    """
    s.check()
    detectors = detectors if detectors is not None else default_detectors()
    by_type: dict[str, list[dict]] = {}
    for smp in samples:
        if smp.get("status") not in NOT_CURATED:
            by_type.setdefault(smp.get("task_type") or "(untyped)", []).append(smp)
    counts, candidates = {}, {}
    for task_type, group in by_type.items():
        robust = [smp for smp in group if is_robust(smp)]
        candidates[task_type] = [smp for smp in group if not is_robust(smp) and not smp.get("parent_id")]
        counts[task_type] = (len(group), len(robust), len(candidates[task_type]))
    the_plan = plan(counts, s)
    variants: list[dict] = []
    for task_type, info in the_plan.per_task_type.items():
        made: list[dict] = []
        for parent in seeded_order(candidates[task_type], s.seed):
            if len(made) >= info["wanted"]:
                break
            if is_clean(parent, detectors):
                made += variants_for(parent, s)[:info["wanted"] - len(made)]
        info["generated"] = len(made)
        variants += made
    return variants, the_plan
