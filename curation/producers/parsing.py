"""Reading model replies: numbered lists of prompts, chain-of-thought answers, JSON answers, the reply language.
Each reader returns what it found or says precisely what is wrong (the reason a rejection records)."""
from __future__ import annotations

import json
import re

from ..text import detect_language

_ITEM = re.compile(r"^\s*(?:\*\*)?(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:[.)、:：]|\*\*)\s*(?:\*\*)?", re.M)
_LABEL = re.compile(r"^(?:request|prompt|instruction|task|问题|请求|指令|任务)\s*\d*\s*[:：]\s*", re.I)
_REASONING = re.compile(r"<(reasoning|think)>(.*?)</\1>", re.S | re.I)
_OPEN_REASONING = re.compile(r"<(reasoning|think)>", re.I)
_JSON_ASKED = re.compile(r"\bjson\b|JSON\s*格式|以\s*JSON|用\s*JSON", re.I)
_FENCE = re.compile(r"```(?:json)?\s*\n?(.*?)```", re.S | re.I)


def numbered_items(text: str) -> list[str]:
    """The items of a numbered list ("1. …", "2) …", "一、…"), continuation lines joined; [] when there is none."""
    marks = list(_ITEM.finditer(text))
    items = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        item = _LABEL.sub("", " ".join(line.strip() for line in text[m.end():end].splitlines()).strip())
        item = item.strip().strip('"“”').strip()
        if item:
            items.append(item)
    return items


def single_prompt(text: str) -> str:
    """An evolved prompt as replied: surrounding whitespace and one pair of quotes removed (labels are kept: a
    leaked "#Rewritten Prompt#" is for the leak rule to see)."""
    text = text.strip()
    if len(text) > 1 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    return text


def split_reasoning(text: str) -> tuple[str | None, str, str | None]:
    """(reasoning, final answer, problem) of a chain-of-thought reply: the reasoning between <reasoning> (or
    <think>) tags, the answer after them. `problem` says why the reply cannot be used (unclosed or missing tags,
    no answer after the reasoning)."""
    m = _REASONING.search(text)
    if m is None:
        if _OPEN_REASONING.search(text):
            return None, "", "the reasoning block was never closed (the reply was cut off or ran on)"
        return None, text.strip(), "the reply has no <reasoning> block although chain of thought was asked for"
    answer = (text[:m.start()] + text[m.end():]).strip()
    if not answer:
        return m.group(2).strip(), "", "the reply has reasoning but no final answer after it"
    return m.group(2).strip(), answer, None


def asks_for_json(prompt: str) -> bool:
    """Whether a prompt asks for a JSON answer."""
    return bool(_JSON_ASKED.search(prompt))


def json_problem(answer: str) -> str | None:
    """None when the answer is JSON (whole, or in one ```json fence); else what the parser said."""
    fenced = _FENCE.search(answer)
    body = fenced.group(1) if fenced else answer.strip()
    try:
        json.loads(body)
    except json.JSONDecodeError as e:
        return f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
    return None


def language_problem(text: str, wanted: str | None) -> str | None:
    """None when `text` is in the wanted language (zh | en; None = any); else the sentence a rejection records.
    A mixed reply counts as Chinese when Chinese was asked for (English terms in Chinese text are normal); a reply
    with too few letters to tell ("2 + 3 = 5.") is in no wrong language."""
    if wanted not in ("zh", "en") or not text.strip():
        return None
    got = detect_language(text)
    if got in (wanted, "other") or (wanted == "zh" and got == "mixed"):
        return None
    names = {"zh": "Chinese", "en": "English", "mixed": "mixed Chinese and English", "other": "neither Chinese nor English"}
    return f"the reply is in {names[got]}, but {names[wanted]} was asked for"
