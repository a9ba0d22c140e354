"""Build the SFT Workbench demo data set.

    python sample_data/build_sample_data.py

Writes, next to this script and always byte-identically for the same code (fixed seed):

- demo.jsonl           canonical messages samples (ARCHITECTURE.md), with planted problems for the workbench to find
- invalid.jsonl        one record per validation failure kind (plus the valid twin of a duplicate id)
- planted.json         machine-readable list of everything planted, by id (tests and benchmarks can use it)
- alpaca_example.json, sharegpt_example.jsonl, qa_example.csv, qa_example.parquet   import-format examples
- README.md            what each file is, task_type counts and what is planted where

The content lives in the ``content_*.py`` modules next to this script; this script plants duplicates, shuffles,
assigns ids, validates every record against the ARCHITECTURE.md rules and writes the files.
"""

from __future__ import annotations

import copy
import csv
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the content modules sit next to this script, which is not a package

import content_agent  # noqa: E402
import content_chat  # noqa: E402
import content_code  # noqa: E402
import content_creative  # noqa: E402
import content_domain  # noqa: E402
import content_formats  # noqa: E402
import content_long  # noqa: E402
import content_math  # noqa: E402
import content_news  # noqa: E402
import content_nlp  # noqa: E402
import content_reasoning  # noqa: E402
import content_robustness  # noqa: E402
import content_service  # noqa: E402
import content_skills  # noqa: E402
import content_threads  # noqa: E402
import content_translation  # noqa: E402
from content_common import Draft  # noqa: E402

SEED = 20240611
MODULES = [content_math, content_translation, content_news, content_nlp, content_creative, content_code,
           content_service, content_agent, content_reasoning, content_domain, content_chat, content_threads,
           content_long, content_robustness]
NEAR_DUP_MIN_JACCARD = 0.8  # planted near-duplicates must reach the default MinHash threshold
SHINGLE = 5  # character n-gram size used to measure near-duplicate similarity (the dedup issue's default)

# ---- exact duplicates: (source key, variant). Variants other than "exact" differ only in ways a normaliser folds.
EXACT_DUPLICATES = [
    ("gsm-12", "exact"), ("zhmath-5", "exact"), ("zh2en-3", "exact"), ("codegen-3", "exact"),
    ("shopzh-6", "exact"), ("common-9", "exact"), ("senti-2", "exact"), ("chat-5", "exact"),
    ("medical-2", "exact"), ("extract-1", "exact"), ("en2zh-14", "exact"), ("en2zh-14", "exact"),
    ("shopzh-9", "whitespace"), ("cot-2", "whitespace"), ("legal-4", "whitespace"),
    ("zhmath-9", "fullwidth"), ("shopzh-13", "fullwidth"),
    ("common-17", "case"), ("shopen-5", "case"),
]

# ---- near duplicates: (source key, role, old text, new text); old=None appends new to that turn.
NEAR_DUPLICATES = [
    ("news-fourday", "user", "Summarize the key points", "Summarize the main points"),
    ("news-library", "user", "Give me a two-sentence summary.", "Please give me a two-sentence summary."),
    ("gsm-3", "user", "Carlos runs", "Diego runs"),
    ("gsm-7", "user", "Liam reads", "Oliver reads"),
    ("codegen-1", "user", "Write a Python function", "Write a Python 3 function"),
    ("codegen-4", "user", None, " Keep it short."),
    ("common-1", "assistant", None, " Thunder rumbles because sound from different parts of the lightning "
                                    "channel reaches you at slightly different times."),
    ("chat-2", "user", "after two minutes", "after three minutes"),
    ("shopen-2", "user", "a pair of shoes", "a pair of sneakers"),
    ("medical-5", "user", "How do you do CPR on an adult?", "How do I perform CPR on an adult?"),
    ("finance-8", "assistant", None, " Falling rates have the opposite effect and push bond prices up."),
    ("rag-3", "user", "stop being supported", "lose official support"),
    ("zhmath-1", "user", "问鸡和兔各有多少只？", "鸡和兔各有几只？"),
    ("zhmath-10", "user", "小红期末考试", "小丽期末考试"),
    ("news-change5", "user", "请用三句话概括这篇新闻。", "请用三句话概括下面这篇新闻。"),
    ("news-sorting", "user", "用一句话总结上面这篇新闻。", "用一句话概括上面这篇新闻。"),
    ("shopzh-1", "user", "请问你们支持七天无理由退货吗？", "你们家支持七天无理由退货吗？"),
    ("shopzh-3", "user", "退款多久能到账？", "退款一般多久能到账？"),
    ("legal-1", "user", "公司和我签了两年的劳动合同", "公司跟我签了两年的劳动合同"),
    ("medical-1", "assistant", None, "平时也要注意限盐、规律运动和控制体重。"),
    ("common-2", "user", "刚煮好的一大锅汤", "刚煮好的一锅汤"),
    ("story-fable", "user", "300字左右", "300字以内"),
    ("edu-2", "user", "是什么意思？", "是什么意思？请简单解释一下。"),
    ("rag-2", "user", "一年有几天年假？", "每年有几天年假？"),
    ("shopzh-14", "user", "以旧换新怎么操作？", "以旧换新要怎么操作？"),
    ("cot-17", "user", "一列火车9:40出发", "一趟火车9:40出发"),
]

# ---- invalid.jsonl: (problem, raw line). One failure kind per line; line 9 is valid and line 10 reuses its id.
_OK = [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！有什么可以帮你？"}]
INVALID_LINES = [
    ("malformed JSON (the line is cut off: missing closing brackets)",
     '{"id": "inv-01", "messages": [{"role": "user", "content": "今天星期几？"}, {"role": "assistant", "content": "今天'),
    ("wrong role name: \"bot\" instead of \"assistant\"",
     {"id": "inv-02", "messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello!"}]}),
    ("user/assistant out of order: two user turns in a row",
     {"id": "inv-03", "messages": [{"role": "user", "content": "Translate 'cat' to French."},
                                   {"role": "user", "content": "And 'dog'?"},
                                   {"role": "assistant", "content": "chat, chien"}]}),
    ("empty content in the user turn",
     {"id": "inv-04", "messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "请问有什么可以帮您？"}]}),
    ("missing assistant turn: the conversation has only a user turn",
     {"id": "inv-05", "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                   {"role": "user", "content": "What is the speed of light?"}]}),
    ("two system turns",
     {"id": "inv-06", "messages": [{"role": "system", "content": "你是客服。"}, {"role": "system", "content": "回答要简洁。"},
                                   {"role": "user", "content": "怎么退货？"},
                                   {"role": "assistant", "content": "在订单页点击“申请售后”即可。"}]}),
    ("system turn not first",
     {"id": "inv-07", "messages": [{"role": "user", "content": "Summarize: the meeting moved to Friday."},
                                   {"role": "system", "content": "You are a summarizer."},
                                   {"role": "assistant", "content": "The meeting is now on Friday."}]}),
    ("messages is not a list (a plain string)",
     {"id": "inv-08", "messages": "user: 1+1=?\nassistant: 2"}),
    ("valid record (kept so that the next line has a duplicate id)", {"id": "inv-09", "messages": _OK}),
    ("duplicate id: \"inv-09\" was already used on line 9",
     {"id": "inv-09", "messages": [{"role": "user", "content": "Good morning"},
                                   {"role": "assistant", "content": "Good morning! How can I help?"}]}),
    ("ends with a user turn: the last user turn has no assistant answer",
     {"id": "inv-11", "messages": [{"role": "user", "content": "Name a prime number."},
                                   {"role": "assistant", "content": "7"},
                                   {"role": "user", "content": "Another one?"}]}),
    ("whitespace-only assistant content",
     {"id": "inv-12", "messages": [{"role": "user", "content": "写一句诗"}, {"role": "assistant", "content": "   "}]}),
    ("assistant tool_calls not followed by a tool turn",
     {"id": "inv-13", "messages": [
         {"role": "user", "content": "Weather in Paris?"},
         {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function", "function": {
             "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
         {"role": "assistant", "content": "It is sunny in Paris."}]}),
    ("tool turn without a preceding assistant tool_calls turn",
     {"id": "inv-14", "messages": [{"role": "user", "content": "Convert 10 USD to EUR"},
                                   {"role": "tool", "tool_call_id": "call_9", "content": "{\"result\": 9.2}"},
                                   {"role": "assistant", "content": "10 USD is about 9.20 EUR."}]}),
    ("content is not a string (a number)",
     {"id": "inv-15", "messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": 4}]}),
    ("no messages field at all (Alpaca-style keys in a messages file)",
     {"id": "inv-16", "instruction": "Say hi", "output": "Hi!"}),
]


# --------------------------------------------------------------------------------------------------------------
# validation (the ARCHITECTURE.md rules, restated here so the data set checks itself without the library)

def validation_error(messages) -> str | None:
    """The reason ``messages`` breaks the canonical-sample rules, or None when it is valid."""
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    turns = list(messages)
    if any(not isinstance(m, dict) for m in turns):
        return "every message must be an object"
    if turns[0].get("role") == "system":
        turns = turns[1:]
    expect, pairs, i = "user", 0, 0
    while i < len(turns):
        m = turns[i]
        role, content = m.get("role"), m.get("content")
        if role not in {"system", "user", "assistant", "tool"}:
            return f"turn {i}: unknown role {role!r}"
        if role == "system":
            return f"turn {i}: system turn is not first, or there is more than one"
        if not isinstance(content, str):
            return f"turn {i}: content must be a string"
        if role != expect:
            return f"turn {i}: expected {expect}, got {role}"
        if role == "assistant" and m.get("tool_calls"):
            ids = {c.get("id") for c in m["tool_calls"]}
            j = i + 1
            while j < len(turns) and turns[j].get("role") == "tool":
                if turns[j].get("tool_call_id") not in ids or not str(turns[j].get("content", "")).strip():
                    return f"turn {j}: tool turn does not answer a call of turn {i}, or is empty"
                j += 1
            if j == i + 1:
                return f"turn {i}: tool_calls must be followed by tool turns"
            if j == len(turns) or turns[j].get("role") != "assistant":
                return f"turn {j}: tool turns must be followed by an assistant turn"
            i = j
            continue
        if not content.strip():
            return f"turn {i}: empty content"
        if role == "assistant":
            pairs += 1
        expect = "assistant" if role == "user" else "user"
        i += 1
    if expect != "user" or pairs == 0:
        return "the conversation must end with an assistant answer"
    return None


# --------------------------------------------------------------------------------------------------------------
# text helpers

def normalise(text: str) -> str:
    """NFKC (folds full-width forms), case-folded, whitespace collapsed: the exact-dedup normalisation."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def conversation_text(draft: Draft) -> str:
    return "\n".join(m.get("content") or "" for m in draft.messages if m["role"] in ("system", "user", "assistant"))


def shingles(text: str) -> set[str]:
    text = normalise(text)
    return {text[i:i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b)


def language(draft: Draft) -> str:
    """zh / en / mixed by the share of CJK characters among letters (the same idea as text.detect_language)."""
    text = conversation_text(draft)
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cjk + latin == 0:
        return "other"
    share = cjk / (cjk + latin / 4)  # ~4 Latin letters carry about as much text as one Chinese character
    return "zh" if share >= 0.7 else "en" if share <= 0.3 else "mixed"


def user_turn(draft: Draft) -> dict:
    return next(m for m in draft.messages if m["role"] == "user")


# --------------------------------------------------------------------------------------------------------------
# planting

_FULLWIDTH_TO_ASCII = str.maketrans({"，": ",", "？": "?", "！": "!", "：": ":", "；": ";", "（": "(", "）": ")"})


def _variant(text: str, variant: str) -> str:
    """A copy of a prompt that differs only in what the exact-dedup normaliser folds."""
    if variant == "whitespace":
        changed = "  " + text.replace("\n", " \n\n ") + " \n"
    elif variant == "fullwidth":
        changed = text.translate(_FULLWIDTH_TO_ASCII)
    elif variant == "case":
        changed = text.upper() if len(text) < 40 else text.lower()
    else:
        raise ValueError(variant)
    if changed == text or normalise(changed) != normalise(text):
        raise ValueError(f"{variant} variant of {text[:30]!r} is not a normalised-exact duplicate")
    return changed


def plant_exact_duplicates(by_key: dict[str, Draft]) -> list[Draft]:
    planted = []
    for n, (key, variant) in enumerate(EXACT_DUPLICATES, 1):
        dup = copy.deepcopy(by_key[key])
        if variant != "exact":
            user_turn(dup)["content"] = _variant(user_turn(dup)["content"], variant)
        dup.key, dup.plants = f"dup-{n}", [f"duplicate:{variant}", f"source:{key}"]
        planted.append(dup)
    return planted


def plant_near_duplicates(by_key: dict[str, Draft]) -> list[Draft]:
    planted = []
    for n, (key, role, old, new) in enumerate(NEAR_DUPLICATES, 1):
        near = copy.deepcopy(by_key[key])
        turn = next(m for m in near.messages if m["role"] == role)
        if old is None:
            turn["content"] += new
            edit = f"appended to the {role} turn: {new.strip()!r}"
        else:
            if old not in turn["content"]:
                raise ValueError(f"near-duplicate of {key}: {old!r} not found in the {role} turn")
            turn["content"] = turn["content"].replace(old, new, 1)
            edit = f"{role} turn: {old!r} → {new!r}"
        score = jaccard(shingles(conversation_text(by_key[key])), shingles(conversation_text(near)))
        if not NEAR_DUP_MIN_JACCARD <= score < 1:
            raise ValueError(f"near-duplicate of {key} has Jaccard {score:.3f}; pick a longer source or smaller edit")
        near.key, near.plants = f"near-{n}", ["near_duplicate", f"source:{key}", f"edit:{edit}", f"jaccard:{score:.3f}"]
        planted.append(near)
    return planted


# --------------------------------------------------------------------------------------------------------------
# assembling and checking

def collect() -> list[Draft]:
    """All drafts, planted copies included, shuffled with the fixed seed."""
    rng = random.Random(SEED)
    drafts = [d for module in MODULES for d in module.build(rng)]
    keys = Counter(d.key for d in drafts)
    if "" in keys or any(c > 1 for c in keys.values()):
        raise ValueError(f"every draft needs a unique key: {[k for k, c in keys.items() if c > 1 or not k]}")
    by_key = {d.key: d for d in drafts}
    drafts += plant_exact_duplicates(by_key) + plant_near_duplicates(by_key)
    rng.shuffle(drafts)
    # The short-answer skills come last, from their own generator, so every earlier sample keeps its id.
    skills = content_skills.build(random.Random(SEED + 1))
    random.Random(SEED + 2).shuffle(skills)
    return drafts + skills


def record(sample_id: str, draft: Draft) -> dict:
    """The canonical JSONL line: id, messages, task_type (absent when untyped), tools (agent samples only)."""
    out: dict = {"id": sample_id, "messages": draft.messages}
    if draft.task_type is not None:
        out["task_type"] = draft.task_type
    if draft.tools:
        out["tools"] = draft.tools
    return out


def check(records: list[dict], drafts: list[Draft]) -> None:
    """Every record is valid, ids are unique, and no unplanted pair of samples is a near-duplicate."""
    ids = Counter(r["id"] for r in records)
    assert all(c == 1 for c in ids.values()), "duplicate ids in demo.jsonl"
    for r in records:
        error = validation_error(r["messages"])
        assert error is None, f"{r['id']}: {error}"
        assert r.get("task_type") is None or re.fullmatch(r"[^/]+/[^/]+", r["task_type"]), r["id"]
    for problem, raw in INVALID_LINES:
        if isinstance(raw, dict) and problem.startswith("valid record"):
            assert validation_error(raw["messages"]) is None
        elif isinstance(raw, dict) and not problem.startswith("duplicate id"):
            assert validation_error(raw.get("messages")) is not None, problem
    # Unplanted near-duplicates would make the README's list of planted pairs incomplete.
    family = {d.key: d.key for d in drafts}  # planted copy -> its source; a source is its own family
    for d in drafts:
        family[d.key] = next((p[7:] for p in d.plants if p.startswith("source:")), d.key)
    sets = [shingles(conversation_text(d)) for d in drafts]
    for i in range(len(records)):
        for j in range(i + 1, len(records)):
            a, b = records[i]["id"], records[j]["id"]
            if family[drafts[i].key] == family[drafts[j].key]:
                continue
            if len(sets[i]) * 0.8 > len(sets[j]) or len(sets[j]) * 0.8 > len(sets[i]):
                continue  # sizes too different for Jaccard >= 0.8
            if jaccard(sets[i], sets[j]) >= NEAR_DUP_MIN_JACCARD:
                raise AssertionError(f"unplanted near-duplicate pair {a} / {b}")


# --------------------------------------------------------------------------------------------------------------
# writing

def write_jsonl(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")


def write_formats() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (HERE / "alpaca_example.json").write_text(
        json.dumps(content_formats.ALPACA, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_jsonl(HERE / "sharegpt_example.jsonl", content_formats.SHAREGPT)
    with (HERE / "qa_example.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["question", "answer", "category"])
        writer.writerows(content_formats.QA_ROWS)
    columns = list(zip(*content_formats.QA_ROWS))
    table = pa.table({"question": list(columns[0]), "answer": list(columns[1]), "category": list(columns[2])})
    # No dictionary encoding, statistics or timestamps: keeps the file small and byte-stable between builds.
    pq.write_table(table, HERE / "qa_example.parquet", use_dictionary=False, write_statistics=False,
                   compression="zstd")


def planted_summary(records: list[dict], drafts: list[Draft]) -> dict:
    """Everything planted, by id."""
    key_to_id = {d.key: r["id"] for d, r in zip(drafts, records)}

    def ids_with(plant: str) -> list[str]:
        return sorted(r["id"] for d, r in zip(drafts, records) if plant in d.plants)

    def tag(d: Draft, prefix: str) -> str:
        return next(p[len(prefix):] for p in d.plants if p.startswith(prefix))

    exact, near, robustness, flaws = [], [], {}, {}
    for d, r in zip(drafts, records):
        if any(p.startswith("duplicate:") for p in d.plants):
            exact.append({"id": r["id"], "duplicate_of": key_to_id[tag(d, "source:")], "variant": tag(d, "duplicate:")})
        if "near_duplicate" in d.plants:
            near.append({"id": r["id"], "near_duplicate_of": key_to_id[tag(d, "source:")], "edit": tag(d, "edit:"),
                         "jaccard_char5": float(tag(d, "jaccard:")), "language": language(d)})
        for p in d.plants:
            if p.startswith("robustness:"):
                robustness.setdefault(p, []).append({"id": r["id"], "language": language(d),
                                                     "prompt": user_turn(d)["content"]})
            if p.startswith("flaw:"):
                flaws.setdefault(p[5:], []).append(r["id"])
    for items in robustness.values():
        items.sort(key=lambda x: x["id"])
    groups: dict[str, set[str]] = {}
    for d in exact:
        groups.setdefault(d["duplicate_of"], {d["duplicate_of"]}).add(d["id"])
    return {
        "seed": SEED,
        "exact_duplicates": sorted(exact, key=lambda x: x["id"]),
        "exact_duplicate_groups": sorted(sorted(g) for g in groups.values()),
        "near_duplicates": sorted(near, key=lambda x: x["id"]),
        "same_answer": {"answer": content_service.SAME_ANSWER, "ids": ids_with("same_answer")},
        "monotonous_prompt": {"opening": "把下面的中文翻译成英文", "ids": ids_with("monotonous_prompt")},
        "robustness": dict(sorted(robustness.items())),
        "answer_flaws": dict(sorted(flaws.items())),
        "untyped": ids_with("untyped"),
        "gsm8k_style": ids_with("gsm8k"),
        "function_call": sorted(r["id"] for r in records if any(m.get("tool_calls") for m in r["messages"])),
        "invalid_jsonl": [{"line": n, "problem": problem} for n, (problem, _) in enumerate(INVALID_LINES, 1)],
    }


def stats(records: list[dict], drafts: list[Draft]) -> dict:
    def prompt_len(r):
        return sum(len(m["content"]) for m in r["messages"] if m["role"] == "user")

    def answer_len(r):
        return sum(len(m["content"] or "") for m in r["messages"] if m["role"] == "assistant")

    types = Counter(r.get("task_type", "(untyped)") for r in records)
    return {
        "total": len(records),
        "task_types": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "languages": dict(Counter(language(d) for d in drafts).most_common()),
        "multi_turn": sum(1 for r in records if sum(m["role"] == "user" for m in r["messages"]) >= 2),
        "with_system": sum(1 for r in records if r["messages"][0]["role"] == "system"),
        "with_tool_calls": sum(1 for r in records if any(m.get("tool_calls") for m in r["messages"])),
        "prompt_chars": [min(map(prompt_len, records)), max(map(prompt_len, records))],
        "answer_chars": [min(map(answer_len, records)), max(map(answer_len, records))],
        "long_prompts_over_2000": sum(1 for r in records if prompt_len(r) > 2000),
        "long_answers_over_2000": sum(1 for r in records if answer_len(r) > 2000),
    }


FLAW_NOTES = {
    "en_punct_in_zh": "Chinese answer written with English commas (`,`)",
    "zh_punct_in_en": "English answer with Chinese punctuation (`，` `。`)",
    "unpaired_quote": "Chinese answer with an unpaired `“`",
    "unpaired_bracket": "Chinese answer with an unpaired `（`",
    "refusal": "needless refusal (\"As an AI language model, I cannot...\", \"抱歉，我无法完成这个请求。\")",
    "template_leftover": "template placeholders left in the answer (`{{name}}`, `{{author}}`, `{{order_id}}`...)",
    "truncated": "answer cut off mid-sentence",
    "answer_equals_prompt": "answer identical to the prompt",
    "synthetic_artifact": "generation artefact `#Rewritten Prompt#` at the start of the answer",
    "punct_only": "punctuation-only answer (`……`)",
}
ROBUSTNESS_NOTES = {
    "robustness:typo": "English misspellings, and Chinese homophone / near-form wrong characters "
                       "(以经→已经, 跑的→跑得, 因该→应该, 我门→我们, 出去完→出去玩, 在这样→再这样, 投述→投诉, 排须→排序, "
                       "不只道→不知道, 如睡→入睡)",
    "robustness:incomplete": "prompt cut off mid-sentence, ending on a dangling 并且 / 因为 / 但是 / 和 / and / at / "
                             "by / if, or with an unclosed （",
    "robustness:code_mix": "Chinese mixed with English words (bug, fix, list, team, presentation, deadline...)",
    "robustness:pinyin": "Chinese partly written in pinyin (beijing kan chang cheng, wenti, dingdan, fangdai...)",
}


def _ids(ids: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


def _cell(text: str, limit: int = 70) -> str:
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def render_readme(summary: dict, planted: dict) -> str:
    """README.md, generated so that its counts and ids always match the data files."""
    total = summary["total"]
    lines = [
        "# sample_data: the SFT Workbench demo set",
        "",
        "A realistic, deliberately imperfect SFT data set written for this project, in Chinese and English. The app",
        "loads `demo.jsonl` into an empty store so that a new user sees real content at once, and the tests and",
        "benchmarks of the later features (diversity dashboards, dedup, robustness tagging, review pre-flags) use",
        "the problems planted in it. **Nothing in the data says what is planted**: there are no tags in",
        "`demo.jsonl`. The answer key is this README and `planted.json`.",
        "",
        "All files are generated, byte-identically, by a seeded script; edit the `content_*.py` modules or the",
        "planting lists in the script, never the generated files:",
        "",
        "```bash",
        "python sample_data/build_sample_data.py",
        "```",
        "",
        "The script validates every record against the rules in `docs/ARCHITECTURE.md`, checks that ids are unique",
        "and that no near-duplicate pair exists other than the planted ones, and fails otherwise.",
        "",
        "## Files",
        "",
        "| File | What it is |",
        "|---|---|",
        f"| `demo.jsonl` | {total} canonical messages samples, one per line: `{{\"id\", \"messages\", \"task_type\", "
        "\"tools\"}` (`task_type` is absent on untyped samples, `tools` only on agent samples) |",
        f"| `invalid.jsonl` | {len(planted['invalid_jsonl'])} records, one per validation failure kind (see below) |",
        "| `planted.json` | everything planted, by id, plus the statistics below, for tests and benchmarks (keys: "
        "`exact_duplicates`, `exact_duplicate_groups`, `near_duplicates`, `same_answer`, `monotonous_prompt`, "
        "`robustness`, `answer_flaws`, `untyped`, `gsm8k_style`, `function_call`, `invalid_jsonl`, `stats`) |",
        f"| `alpaca_example.json` | {len(content_formats.ALPACA)} Alpaca records (`instruction`, `input`, `output`; "
        "some with `system` and `history`) |",
        f"| `sharegpt_example.jsonl` | {len(content_formats.SHAREGPT)} ShareGPT records in LLaMA-Factory style "
        "(`conversations` with `human`, `gpt`, `system`, `function_call`, `observation` turns; `tools` as a JSON "
        "string on the function-call records) |",
        f"| `qa_example.csv` | {len(content_formats.QA_ROWS)} rows with columns `question,answer,category` (zh + en; "
        "math answers end in `#### N` like GSM8K; `category` holds task_types, for `--task-type-field category`; "
        "some fields contain commas, quotes and newlines) |",
        "| `qa_example.parquet` | the same rows as `qa_example.csv`, written with pyarrow (importing both into one "
        "store adds the second file's rows as already present) |",
        "| `build_sample_data.py`, `content_*.py` | the generator and the hand-written content it draws on |",
        "",
        "Import them with, for example:",
        "",
        "```bash",
        "curation ingest sample_data/demo.jsonl --dataset demo",
        "curation ingest sample_data/qa_example.csv --map question=user,answer=assistant --task-type-field category",
        "```",
        "",
        "## task_type mix",
        "",
        "Deliberately unbalanced: `reasoning/math` is the largest type, several types have only 10-15",
        "samples, and some samples are untyped.",
        "",
        "Four short-answer skills (`content_skills.py`, 110 samples each, English, written last so every earlier",
        "id stays stable) give the one-click LoRA run something a small chat model learns in a few hundred steps,",
        f"with answers a person reads at a glance: `identity/self` (always “{content_skills.IDENTITY_ANSWER}”),",
        "`classification/topic label` (one of five labels), `formatting/order line` (`NAME | ITEM | QTY`) and",
        "`extraction/city` (one city name). Their instruction is a system turn and no two prompts are closer than",
        f"{content_skills.MAX_SIMILARITY} (character 5-gram Jaccard), so the eval split holds no near copy of",
        "a training prompt. Every other type stays as the general set the same run is measured on.",
        "",
        "| task_type | samples | share |",
        "|---|---:|---:|",
    ]
    for task_type, n in summary["task_types"].items():
        lines.append(f"| `{task_type}` | {n} | {n / total:.1%} |")
    langs = ", ".join(f"{k} {v}" for k, v in summary["languages"].items())
    lines += [
        f"| **total** | **{total}** | |",
        "",
        "## Shape",
        "",
        f"- Languages (share of CJK vs Latin text): {langs}.",
        f"- Multi-turn (2-4 user turns): {summary['multi_turn']} ({summary['multi_turn'] / total:.0%}); with a "
        f"system prompt: {summary['with_system']} ({summary['with_system'] / total:.0%}); with tool calls: "
        f"{summary['with_tool_calls']}.",
        f"- Prompt length (user turns, characters): {summary['prompt_chars'][0]} to {summary['prompt_chars'][1]}; "
        f"answer length: {summary['answer_chars'][0]} to {summary['answer_chars'][1]}. "
        f"{summary['long_prompts_over_2000']} prompts and {summary['long_answers_over_2000']} answers are longer "
        "than 2,000 characters (news articles, RAG documents, stories, code).",
        "",
        "## What is planted where",
        "",
        "### Exact duplicates",
        "",
        "Same messages under a different id. `exact` copies are byte-identical; the others differ only in the",
        "user prompt, in ways an exact-match normaliser must fold: `whitespace` (extra leading/trailing spaces and",
        "blank lines), `fullwidth` (`，？！：（）` written as ASCII `,?!:()`; NFKC maps one to the other), `case`",
        "(English prompt upper- or lower-cased).",
        "",
        f"{len(planted['exact_duplicates'])} planted copies in {len(planted['exact_duplicate_groups'])} groups "
        "(one group has three members). Which member is the \"original\" is arbitrary.",
        "",
        "| id | duplicate of | variant |",
        "|---|---|---|",
    ]
    lines += [f"| `{d['id']}` | `{d['duplicate_of']}` | {d['variant']} |" for d in planted["exact_duplicates"]]
    lines += [
        "",
        "### Near duplicates",
        "",
        "A small edit of another sample: a word changed, a phrase reworded, or a sentence appended. The Jaccard",
        "similarity is over character 5-gram shingles of the whole normalised conversation; all are at least",
        f"{NEAR_DUP_MIN_JACCARD}, the default MinHash threshold.",
        "",
        "| id | near-duplicate of | lang | edit | Jaccard |",
        "|---|---|---|---|---:|",
    ]
    lines += [f"| `{d['id']}` | `{d['near_duplicate_of']}` | {d['language']} | {_cell(d['edit'], 90)} | "
              f"{d['jaccard_char5']:.3f} |" for d in planted["near_duplicates"]]
    same, mono = planted["same_answer"], planted["monotonous_prompt"]
    lines += [
        "",
        "### Same-answer group (answer monotony)",
        "",
        f"{len(same['ids'])} e-commerce complaints, all answered with the identical canned sentence",
        f"“{same['answer']}”:",
        "",
        _ids(same["ids"]),
        "",
        "### Monotonous prompt template (prompt monotony)",
        "",
        f"{len(mono['ids'])} `translation/zh→en` prompts that all start with “{mono['opening']}”:",
        "",
        _ids(mono["ids"]),
        "",
        "### Robustness prompts",
        "",
        "Badly written prompts whose answers are good (they must be tagged and protected, never cleaned away).",
        "The tag each should receive:",
        "",
    ]
    for tag, items in planted["robustness"].items():
        by_lang = Counter(x["language"] for x in items)
        lines += [f"**`{tag}`** ({len(items)}: {', '.join(f'{k} {v}' for k, v in sorted(by_lang.items()))}): "
                  f"{ROBUSTNESS_NOTES[tag]}.", "", "| id | lang | prompt |", "|---|---|---|"]
        lines += [f"| `{x['id']}` | {x['language']} | {_cell(x['prompt'], 80)} |" for x in items]
        lines.append("")
    lines += ["### Answer-quality problems (review pre-flags)", "", "| problem | ids |", "|---|---|"]
    lines += [f"| {FLAW_NOTES[kind]} | {_ids(ids)} |" for kind, ids in planted["answer_flaws"].items()]
    lines += [
        "",
        "### Untyped samples",
        "",
        f"{len(planted['untyped'])} samples have no `task_type` at all: {_ids(planted['untyped'])}",
        "",
        "### GSM8K-style math subset",
        "",
        f"{len(planted['gsm8k_style'])} English grade-school word problems written for this project (not taken from",
        "GSM8K), with worked answers in GSM8K's style (`<<a*b=c>>` calculator annotations, final line `#### N`).",
        "Every calculation is computed by the generator, not typed by hand. Some carry the instruction as a system",
        f"prompt. Ids: {_ids(planted['gsm8k_style'])}",
        "",
        "### Function-call samples",
        "",
        f"{len(planted['function_call'])} `agent/function call` samples use the OpenAI format: an assistant turn with",
        "`tool_calls` (empty content), one `tool` turn per call with its `tool_call_id`, then the final assistant",
        "answer, and a `tools` list. They include parallel calls, two sequential rounds, a tool error, and a",
        f"two-turn conversation. Ids: {_ids(planted['function_call'])}. (One more agent sample answers directly",
        "without calling a tool.)",
        "",
        "## invalid.jsonl",
        "",
        "One record per failure kind. Line 9 is valid on its own; line 10 reuses its id. Every other line must be",
        "rejected into the quarantine with a specific reason, and importing the file must not crash.",
        "",
        "| line | problem |",
        "|---:|---|",
    ]
    lines += [f"| {x['line']} | {x['problem']} |" for x in planted["invalid_jsonl"]]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    drafts = collect()
    records = [record(f"demo-{n:04d}", d) for n, d in enumerate(drafts, 1)]
    check(records, drafts)
    write_jsonl(HERE / "demo.jsonl", records)
    write_jsonl(HERE / "invalid.jsonl", [raw for _, raw in INVALID_LINES])
    planted = planted_summary(records, drafts)
    summary = stats(records, drafts)
    (HERE / "planted.json").write_text(json.dumps({"stats": summary, **planted}, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    write_formats()
    (HERE / "README.md").write_text(render_readme(summary, planted), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
