"""Pre-flag for RAG samples: the four retrieval cases practitioners insist on, and answers that mishandle them.

A sample carries retrieved context when a turn of `context_roles` matches `context_pattern` (a marker such as
"参考资料：", "Context:", "<documents>", "[1]") or when it calls a retrieval tool (`retrieval_tools`, e.g.
`search_docs`) whose result is the context. The context is split into documents (numbered markers, `<doc>`
tags, a JSON list from a tool, else blank-line blocks). Each case is detected heuristically:

| case | detected when | expected answer | flag |
|---|---|---|---|
| `empty` | the context holds no document, or says "no results" | says it has no basis | it answers anyway |
| `irrelevant` | no document shares `irrelevant_below` of the question's key terms | does not make things up | it answers without saying the documents do not cover it |
| `conflicting` | two documents on the same subject (shared key terms) state different numbers | does not just follow the first or the last | it repeats one document's numbers only and never mentions the disagreement |
| `wrong_doc` | the prompt or answer says the document contradicts common knowledge | follows the document anyway, by design | it corrects the document instead |

A reviewer confirms or rejects a detected case with a tag (`rag:<case>`, `rag-rejected:<case>`; see
`curation.special.confirm_rag_case`); the coverage report counts both.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import UserError
from ..text import CJK_CLASS
from .base import CHECKS, Check, Flag

CASES = ("empty", "irrelevant", "conflicting", "wrong_doc")
CASE_TITLES = {"empty": "empty retrieval → says it has no basis",
               "irrelevant": "irrelevant documents → does not make things up",
               "conflicting": "conflicting documents → does not just follow the first or last",
               "wrong_doc": "wrong document → follows it anyway, by design"}

_DOC_MARK = re.compile(r"(?:^|\n)\s*(?:\[\d{1,3}\]|【\d{1,3}】|(?:document|doc|passage|source|snippet)\s*#?\d{1,3}\s*[:：.]|"
                       r"(?:文档|资料|段落|来源|参考|片段|文章)\s*\d{1,3}\s*[:：.、]|<doc(?:ument)?\b[^>]*>)", re.I)
_QUESTION_MARK = re.compile(r"(?:^|\n)\s*(?:question|query|user question|q)\s*[:：]|(?:^|\n)\s*(?:问题|用户问题|提问|请回答)\s*[:：]|"
                            r"(?:^|\n)[^\n]{0,24}(?:回答|作答)(?:以下|下面|这个)?(?:问题)?\s*[:：]|"
                            r"(?:^|\n)\s*(?:based on|using|according to) the (?:above|context|documents)[^\n:,]{0,60}[:,，]",
                            re.I)
_NO_RESULTS = re.compile(r"^\s*(?:\[\s*\]|\{\s*\}|null|none|n/?a|无|空|-|no (?:results?|documents?|matches)"
                         r"(?: found)?\.?|未检索到.{0,10}|没有(?:检索到|找到)?(?:相关)?(?:结果|文档|资料)?。?|"
                         r"(?:\(|（)?(?:empty|无结果|无相关结果)(?:\)|）)?)\s*$", re.I)
_NO_BASIS = re.compile(
    r"\b(?:no|not enough|insufficient|lack(?:ing)?)\s+(?:relevant\s+)?(?:information|basis|context|evidence|data)\b|"
    r"\b(?:documents?|context|sources?|passages?|materials?|results?)\s+(?:provided\s+)?(?:do(?:es)?\s*n[o']t|don't|"
    r"doesn't|never)\s+(?:mention|contain|say|provide|cover|include|address|discuss)|\bcannot\s+(?:be\s+)?"
    r"(?:answer|determine|find|tell)|\bcan't\s+(?:answer|determine|find|tell)|\bunable to\s+(?:answer|find|determine)|"
    r"\bnot\s+(?:mentioned|stated|provided|covered|found|included)\s+in\b|\bthere\s+is\s+no\s+(?:information|mention)|"
    r"\bi\s+(?:don't|do not)\s+(?:know|have (?:enough|that|this|any))|\bno\s+(?:results?|documents?)\s+(?:were\s+)?"
    r"(?:found|returned|retrieved)|"
    r"(?:资料|文档|上下文|检索结果|参考信息|参考资料|提供的信息|材料|内容|搜索结果)(?:中|里)?(?:并)?(?:没有|未|无)(?:能)?"
    r"(?:提到|提及|包含|涉及|给出|说明|找到|相关)|无法(?:根据|从|回答|确定|判断|得知|找到|提供)|没有(?:找到|检索到|相关)|"
    r"(?:信息|依据|资料|根据)不足|缺乏(?:相关)?(?:信息|依据|资料)|未(?:能)?检索到|不(?:太)?清楚|不知道|无从(?:得知|判断)", re.I)
_CONFLICT = re.compile(r"\b(?:conflict\w*|contradict\w*|disagree\w*|inconsistent|inconsistenc\w+|discrepanc\w+|"
                       r"differ(?:s|ent|ing)? (?:on|about|figures|values|numbers|accounts)|whereas|on the other hand|"
                       r"while (?:document|doc|source|passage) ?\d|(?:one|another|the other) (?:source|document))\b|"
                       r"矛盾|冲突|不一致|说法不(?:同|一)|有所不同|存在分歧|存在差异|另一(?:份|篇|个|则)?(?:资料|文档|来源|说法)|"
                       r"(?:而|但)(?:文档|资料|来源)\s*\d|两(?:份|篇|个)(?:资料|文档|来源)", re.I)
_WRONG_DOC = re.compile(r"(?:与|和)(?:常识|事实|公认的?(?:事实|说法)?|通常(?:的)?(?:认识|说法)|实际情况)(?:不符|相反|不同|相悖|矛盾)|"
                        r"(?:资料|文档|材料)(?:中)?(?:的)?(?:说法|信息|内容)?(?:可能)?(?:有误|错误|不准确|是错的)|"
                        r"\b(?:contrary to|contradicts?|differs? from|conflicts? with|goes against) (?:common|general|"
                        r"well-known|established|real-world) (?:knowledge|fact|facts|understanding|belief)|"
                        r"\bcounterfactual\b|\b(?:document|source|passage|context) (?:is|seems|appears to be|may be) "
                        r"(?:wrong|incorrect|inaccurate|mistaken|outdated)", re.I)
_OVERRIDE = re.compile(r"(?:实际上|事实上|其实)|(?:资料|文档|材料)(?:中)?(?:的)?(?:说法|信息|内容)?(?:有误|错误|不准确|是错的)|"
                       r"\b(?:in fact|actually|in reality)\b|\b(?:document|source|passage|context) (?:is|seems|appears to "
                       r"be) (?:wrong|incorrect|inaccurate|mistaken)", re.I)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d[\d,]*(?:\.\d+)?(?![A-Za-z0-9_])")
_EN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9'-]{2,}")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_STOP = frozenset("""the and for are was were with that this from what which who whom when where why how does did
have has had can could would should will about into than then them they their there these those your you our
please answer question based following provided context document documents information tell give explain""".split())
_ZH_STOP_BIGRAMS = frozenset("什么 请问 问题 回答 根据 资料 文档 以下 下面 提供 信息 如何 怎么 是否 哪些 哪个 多少 为什么 一个 我们 你们 可以".split())


@dataclass
class RagSettings:
    """Where retrieved context is, and how the four cases are told apart."""

    # a turn that matches this carries retrieved context (markers of the common RAG templates, zh and en)
    context_pattern: str = (r"(?i)(?:^|\n)\s*(?:#+\s*)?(?:context|contexts|documents?|retrieved (?:documents|passages|context)|"
                            r"references?|sources|passages|knowledge|search results)\s*[:：]|<(?:context|documents?|"
                            r"retrieved|search_results)>|(?:参考资料|参考文档|检索(?:到的|结果)?(?:资料|文档|内容|结果)?|"
                            r"已知信息|背景资料|背景信息|上下文|知识库(?:内容)?|相关文档|搜索结果)\s*[:：]")
    context_roles: str = "system,user"  # turns searched for the pattern (comma-separated roles)
    # a tool whose name matches this is a retriever: its result is the context
    retrieval_tools: str = r"(?i)search|retriev|lookup|knowledge|rag|query_docs|检索|搜索"
    irrelevant_below: float = 0.15  # best document shares less than this fraction of the question's key terms
    conflict_overlap: float = 0.4  # two documents about the same subject share this fraction of key terms
    # an answer with this share of its key terms in the documents draws on them: they were not irrelevant
    answer_uses_docs: float = 0.3


def _terms(text: str) -> set[str]:
    """Key terms: English words of 3+ letters (not stop words) and Chinese character bigrams."""
    out = {w.lower() for w in _EN_TERM.findall(text) if w.lower() not in _STOP}
    out.update(re.findall(r"(?<![\d.])\d{2,}(?![\d])", text))  # "429", "2100": numbers name things too
    for run in _CJK_RUN.findall(text):
        out.update(g for g in (run[i:i + 2] for i in range(len(run) - 1)) if g not in _ZH_STOP_BIGRAMS)
    return out


def _split_docs(text: str) -> list[str]:
    marks = list(_DOC_MARK.finditer(text))
    if marks:
        docs = [text[m.end():(marks[k + 1].start() if k + 1 < len(marks) else len(text))] for k, m in enumerate(marks)]
    else:
        docs = re.split(r"\n\s*\n", text)
    docs = [re.sub(r"</doc(?:ument)?>", "", d).strip() for d in docs]
    return [d for d in docs if d and not _NO_RESULTS.match(d)]


def _tool_docs(content: str) -> list[str]:
    try:
        data = json.loads(content)
    except (TypeError, ValueError):
        return _split_docs(content or "")
    if isinstance(data, dict):
        for key in ("results", "documents", "docs", "hits", "passages", "data", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if isinstance(data, list):
        return [d if isinstance(d, str) else json.dumps(d, ensure_ascii=False) for d in data if d not in (None, "", {})]
    return [] if data in (None, "", {}) else [content]


@dataclass
class RagContext:
    """The retrieved context of one sample: its documents, the question it serves, and the answer."""

    docs: list[str]
    question: str
    answer: str
    where: str  # "turn 2" / "tool search_docs"


def find_context(sample: dict, s: RagSettings, pattern: re.Pattern | None = None,
                 tools: re.Pattern | None = None) -> RagContext | None:
    """The sample's retrieved context, or None when it carries none."""
    pattern = pattern or re.compile(s.context_pattern)
    tools = tools or re.compile(s.retrieval_tools)
    roles = {r.strip() for r in s.context_roles.split(",")}
    turns = [t for t in sample.get("messages") or [] if isinstance(t, dict)]
    answer = next((t.get("content") or "" for t in reversed(turns)
                   if t.get("role") == "assistant" and not t.get("tool_calls")), "")
    question = next((t.get("content") or "" for t in reversed(turns) if t.get("role") == "user"), "")
    names = {c.get("id"): (c.get("function") or {}).get("name") or "" for t in turns for c in t.get("tool_calls") or []
             if isinstance(c, dict) and isinstance(c.get("function"), dict)}
    for i, t in enumerate(turns, 1):
        if t.get("role") == "tool" and tools.search(names.get(t.get("tool_call_id"), "") or ""):
            return RagContext(_tool_docs(t.get("content") or ""), question, answer,
                              f"tool {names.get(t.get('tool_call_id'))}")
    for i, t in enumerate(turns, 1):
        text = t.get("content") or ""
        if t.get("role") not in roles or not isinstance(text, str):
            continue
        m = pattern.search(text)
        if not m:
            continue
        rest = text[m.end():]
        q = _QUESTION_MARK.search(rest)
        body = rest[:q.start()] if q else rest
        if t.get("role") == "user":
            if q:
                question = rest[q.end():]
            elif text[:m.start()].strip():
                question = text[:m.start()]
            else:  # "Context: … (blank line) the question": the last block is the question, not a document
                blocks = re.split(r"\n\s*\n", body.strip())
                body, question = ("\n\n".join(blocks[:-1]), blocks[-1]) if len(blocks) > 1 else (body, "")
        return RagContext(_split_docs(body), question, answer, f"turn {i}")
    return None


def detect_cases(ctx: RagContext, s: RagSettings) -> dict[str, str | None]:
    """case -> None when absent, "ok" when present and handled as expected, else the problem (a flag reason)."""
    out: dict[str, str | None] = dict.fromkeys(CASES)
    no_basis = bool(_NO_BASIS.search(ctx.answer))
    if not ctx.docs:
        out["empty"] = "ok" if no_basis else "empty retrieval, but the answer does not say it has no basis"
        return out
    q = _terms(ctx.question)
    doc_terms = [_terms(d) for d in ctx.docs]
    a = _terms(ctx.answer)
    # irrelevant: the question finds nothing in the documents, and the answer does not draw on them either (a
    # follow-up such as "Can we try it first?" shares no words with the documents its answer quotes)
    uses_docs = bool(a) and len(a & set().union(*doc_terms)) / len(a) >= s.answer_uses_docs
    if no_basis:  # the answer itself says the documents do not cover the question: the case, handled
        out["irrelevant"] = "ok"
    elif q and max(len(q & d) / len(q) for d in doc_terms) < s.irrelevant_below and not uses_docs:
        out["irrelevant"] = "retrieved documents do not match the question, and the answer does not say so (made up?)"
    pair = _conflict(ctx.docs, doc_terms, s.conflict_overlap)
    if pair:
        out["conflicting"] = _conflict_verdict(ctx, pair)
    if _WRONG_DOC.search(ctx.question) or _WRONG_DOC.search(ctx.answer) or any(_WRONG_DOC.search(d) for d in ctx.docs):
        out["wrong_doc"] = ("the answer corrects the document instead of following it" if _OVERRIDE.search(ctx.answer)
                            else "ok")
    return out


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


# units a stated quantity is compared in (dates are left out: documents of different dates differ in them)
_QUANTITY = re.compile(r"(?<![A-Za-z0-9_.])(\d[\d,]*(?:\.\d+)?)\s*(%|percent\b|(?:km|m|cm|mm|kg|g|mg|ml|l|gb|mb|tb|ghz|mph|ft|"
                       r"metres?|meters?|miles?|feet|years? old|days?|hours?|minutes?|seconds?|people|users|dollars|"
                       r"usd|yuan|rmb|eur|times)\b|千米|公里|公斤|千克|毫克|毫升|元|米|克|岁|天|小时|分钟|秒|人|次|倍|万|亿|升|吨|美元|块)",
                       re.I)


def _values(text: str) -> set[str]:
    """The numbers and times of day a text states."""
    return _numbers(text) | {m.group(0) for m in _CLOCK.finditer(text)}


_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?![\d:])")


def _quantities(text: str) -> dict[str, set[str]]:
    """unit -> the numbers a document states in it ("330 metres" -> metres: {330}; "50元" -> 元: {50}; times of
    day ("23:30") as unit `clock`)."""
    out: dict[str, set[str]] = {}
    for n, unit in _QUANTITY.findall(text):
        out.setdefault(unit.lower(), set()).add(n.replace(",", ""))
    for m in _CLOCK.finditer(text):
        out.setdefault("clock", set()).add(m.group(0))
    return out


def _conflict(docs: list[str], terms: list[set], overlap: float) -> tuple[int, int] | None:
    """Two documents on the same subject (shared key terms) that state different numbers in the same unit and
    none in common in it ("330 metres" against "300 metres"; sections that cite other figures do not count)."""
    qty = [_quantities(d) for d in docs]
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            small = min(len(terms[i]), len(terms[j]))
            if not small or len(terms[i] & terms[j]) / small < overlap:
                continue
            if any(qty[i][u] and qty[j][u] and not qty[i][u] & qty[j][u] for u in qty[i].keys() & qty[j].keys()):
                return i, j
    return None


def _conflict_verdict(ctx: RagContext, pair: tuple[int, int]) -> str:
    if _CONFLICT.search(ctx.answer):
        return "ok"
    said = _numbers(ctx.answer) | set(_CLOCK.findall(ctx.answer)) | {m.group(0) for m in _CLOCK.finditer(ctx.answer)}
    a, b = (_values(ctx.docs[k]) - _values(ctx.docs[pair[1 - n]]) for n, k in enumerate(pair))
    used_a, used_b = bool(said & a), bool(said & b)
    if used_a == used_b:
        return "ok"  # both stated (or neither): it did not just take one side
    k = pair[0] if used_a else pair[1]
    side = "first" if k == 0 else "last" if k == len(ctx.docs) - 1 else f"number {k + 1}"
    return (f"documents {pair[0] + 1} and {pair[1] + 1} disagree; the answer follows only the {side} document and "
            "never mentions the disagreement")


def _compile(pattern: str, what: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise UserError(f"{what} {pattern!r} is not a valid regular expression: {e}") from None


@CHECKS.register
class RagCheck(Check):
    """RAG samples (retrieved context by pattern or retrieval tool): empty retrieval, irrelevant, conflicting or
    wrong documents that the answer mishandles."""

    name = "rag_cases"
    Settings = RagSettings

    def __init__(self, settings: RagSettings | None = None):
        super().__init__(settings)
        self._pattern = _compile(self.settings.context_pattern, "RAG context pattern")
        self._tools = _compile(self.settings.retrieval_tools, "retrieval tool pattern")

    def context(self, sample: dict) -> RagContext | None:
        """The sample's retrieved context (None: not a RAG sample)."""
        return find_context(sample, self.settings, self._pattern, self._tools)

    def find(self, sample: dict, context: dict) -> list[Flag]:
        ctx = self.context(sample)
        if ctx is None:
            return []
        return [Flag(self.name, f"{case}: {verdict}", f"{ctx.where}: {len(ctx.docs)} document(s); answer "
                                                       f"«{ctx.answer[:80]}»")
                for case, verdict in detect_cases(ctx, self.settings).items() if verdict not in (None, "ok")]
