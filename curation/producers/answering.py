"""The answer stage every producer shares: ask for an answer to a conversation, read it back.

With chain of thought the model reasons inside <reasoning> tags; the reasoning is kept on the assistant turn as
`reasoning` (shown in the chat views, never trained: training/template.py leaves it out) and only the final
answer is the turn's content. A reply cut off by the token limit, empty, in the wrong language or without its
reasoning block is a rejection with that reason; nothing of it is stored as a sample.
"""
from __future__ import annotations

import copy

from ..text import detect_language
from . import templates
from .base import Candidate, Rejection, Reply, Request
from .elimination import only_stop_words
from .parsing import language_problem, split_reasoning

ANSWER_TEMPLATE = "answer/v1"
COT_TEMPLATE = "answer/cot/v1"


def prompt_language(messages: list[dict]) -> str | None:
    """The language an answer should be in: that of the last user turn (zh | en), None when unclear."""
    last = next((m.get("content") or "" for m in reversed(messages) if m["role"] == "user"), "")
    lang = detect_language(last)
    return lang if lang in ("zh", "en") else None


def answer_request(conversation: list[dict], s, parent_ids: list[str], meta: dict, task_type: str | None = None,
                   dataset: str | None = None) -> Request:
    """The request for an answer to `conversation` (ending with a user turn). `s` carries chain_of_thought,
    answer_temperature and answer_max_tokens; with chain of thought a system instruction asks for the reasoning
    block (appended to the sample's own system prompt, which stays as it is in the sample)."""
    messages = copy.deepcopy(conversation)
    language = prompt_language(messages)
    if s.chain_of_thought:
        cot = templates.cot_system(language)
        if messages and messages[0]["role"] == "system":
            messages[0]["content"] = f"{messages[0]['content']}\n\n{cot}"
        else:
            messages.insert(0, {"role": "system", "content": cot})
    return Request(messages=messages, template=COT_TEMPLATE if s.chain_of_thought else ANSWER_TEMPLATE,
                   parent_ids=parent_ids, language=language, task_type=task_type, dataset=dataset,
                   temperature=s.answer_temperature, max_tokens=s.answer_max_tokens, seed=getattr(s, "seed", None),
                   meta={**meta, "conversation": conversation})


def read_answer(request: Request, reply: Reply, s) -> Candidate | Rejection:
    """The answer of a reply as a finished conversation, or the reason it cannot be one."""
    def reject(rule: str, reason: str) -> Rejection:
        return Rejection(rule, reason, reply.text[:300], request.parent_ids, reply.text, reply.response_id)

    if reply.finish_reason == "length":
        return reject("truncated", f"the answer was cut off at the token limit ({s.answer_max_tokens} tokens)")
    reasoning, answer = None, reply.text.strip()
    if s.chain_of_thought:
        reasoning, answer, problem = split_reasoning(reply.text)
        if problem:
            return reject("malformed", problem)
    empty = only_stop_words(answer, "answer")
    if empty:
        return reject("stop_words", empty)
    wrong = language_problem(answer, request.language)
    if wrong:
        return reject("wrong_language", wrong)
    turn = {"role": "assistant", "content": answer}
    if reasoning:
        turn["reasoning"] = reasoning
    messages = copy.deepcopy(request.meta["conversation"]) + [turn]
    return Candidate("sample", f"answered by {reply.model or 'the model'}", answer[:300], text=answer,
                     messages=messages, parent_ids=request.parent_ids, task_type=request.task_type,
                     dataset=request.dataset, language=request.language,
                     provenance={"answer_template": request.template, "answer_response_id": reply.response_id,
                                 "answer_finish_reason": reply.finish_reason,
                                 "reasoning_chars": len(reasoning) if reasoning else 0})
