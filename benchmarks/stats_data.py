"""Synthetic stores for the stats benchmark: N samples over 40 task_types, Chinese and English, with the
monotony a real import has (templated prompts, a canned answer repeated many times) so every metric has work.

Rows are built in batches and inserted with `store.samples.add`, bypassing file parsing: the benchmark
measures statistics, not import. A store is cached under benchmarks/out/ (git-ignored) keyed by its size.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import numpy as np
import orjson

OUT = Path(__file__).resolve().parent / "out"

_EN_WORDS = ("the model data answer question value result table river city number function list order price "
             "because therefore explain compute write summary story policy patient contract travel ticket "
             "delivery product review score system method example reason step first second final").split()
_ZH_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"

_PROMPT_TEMPLATES_EN = ["Please {w} the following {w}:", "Can you {w} this {w} for me?", "Write a {w} about {w}.",
                        "Explain why {w} {w} {w}.", "Question: {w} {w}?", "Summarize: {w} {w} {w}"]
_PROMPT_TEMPLATES_ZH = ["请{c}下面的{c}：", "把下面的中文翻译成英文：", "请解释{c}为什么{c}。", "写一篇关于{c}的{c}。",
                        "问题：{c}{c}？"]
CANNED = "I'm sorry, but I can't help with that request."


def task_types(n: int = 40) -> list[str]:
    """The first n two-level types of the default taxonomy."""
    from curation.taxonomy import DEFAULT_TAXONOMY
    return [f"{l1}/{l2}" for l1, l2, _, _ in DEFAULT_TAXONOMY[:n]]


def _words(rng: np.random.Generator, k: int) -> str:
    return " ".join(_EN_WORDS[i] for i in rng.integers(0, len(_EN_WORDS), k))


def _chars(rng: np.random.Generator, k: int) -> str:
    return "".join(_ZH_CHARS[i] for i in rng.integers(0, len(_ZH_CHARS), k))


def _conversation(rng: np.random.Generator, zh: bool, turns: int, system: bool) -> list[dict]:
    msgs = [{"role": "system", "content": "You are a helpful assistant."}] if system else []
    for _ in range(turns):
        if zh:
            t = _PROMPT_TEMPLATES_ZH[rng.integers(len(_PROMPT_TEMPLATES_ZH))]
            prompt = t.replace("{c}", _chars(rng, 3)) + _chars(rng, int(rng.integers(10, 120)))
            answer = _chars(rng, int(rng.integers(20, 400)))
        else:
            t = _PROMPT_TEMPLATES_EN[rng.integers(len(_PROMPT_TEMPLATES_EN))]
            prompt = t.replace("{w}", _words(rng, 1)) + " " + _words(rng, int(rng.integers(5, 40)))
            answer = CANNED if rng.random() < 0.01 else _words(rng, int(rng.integers(10, 150)))
        msgs += [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    return msgs


def build_table(n: int, seed: int = 0, offset: int = 0):
    """A pyarrow Table of n synthetic samples in the store's column layout."""
    import pyarrow as pa
    from curation.store import sample_arrow_schema
    from curation.text import answer_text, detect_language, prompt_text

    rng = np.random.default_rng(seed + offset)
    types = task_types()
    weights = 1 / np.arange(1, len(types) + 1) ** 0.7  # lopsided on purpose: a balance view should show it
    pick = rng.choice(len(types), size=n, p=weights / weights.sum())
    now = datetime(2025, 1, 1)
    cols: dict[str, list] = {c: [] for c in sample_arrow_schema().names}
    for i in range(n):
        msgs = _conversation(rng, zh=rng.random() < 0.5, turns=1 if rng.random() < 0.8 else int(rng.integers(2, 5)),
                             system=rng.random() < 0.3)
        raw = orjson.dumps(msgs).decode()
        h = hashlib.sha1(raw.encode()).hexdigest()
        l1, l2 = types[pick[i]].split("/", 1)
        untyped = rng.random() < 0.02
        p, a = prompt_text(msgs), answer_text(msgs)
        row = {"id": f"b_{offset + i:08d}", "dataset": "bench", "messages": raw, "tools": None,
               "task_l1": None if untyped else l1, "task_l2": None if untyped else l2,
               "language": detect_language(p[:400] + "\n" + a[:400]), "tags": [], "status": "pending",
               "split": None, "content_hash": h, "source_hash": h, "source": "bench", "ingest_id": 1,
               "parent_id": None, "n_turns": sum(m["role"] == "user" for m in msgs),
               "has_system": msgs[0]["role"] == "system", "has_tools": False, "prompt_chars": len(p),
               "answer_chars": len(a), "rev": 0, "created_at": now, "updated_at": now}
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=sample_arrow_schema())


def build_store(path: Path, n: int, batch: int = 50_000) -> Path:
    """Create (or reuse) a store with n synthetic samples at path."""
    from curation.store import Store
    done = path.with_suffix(".done")
    if path.exists() and done.exists() and done.read_text() == str(n):
        return path
    for p in (path, path.with_suffix(path.suffix + ".wal"), done):
        p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path) as store:
        for start in range(0, n, batch):
            store.samples.add(build_table(min(batch, n - start), offset=start))
        store.ingests.add(dataset="bench", files=["synthetic"], format="messages", imported=n,
                          rejected=0, already_present=0, settings={"generator": "benchmarks/stats_data"})
    done.write_text(str(n))
    return path
