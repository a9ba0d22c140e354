"""The prompt templates the producers send, in English and Chinese, by name (the name goes into each produced
sample's provenance, so a template change is traceable).

Evol-Instruct's templates follow WizardLM (Xu et al. 2023, arXiv:2304.12244, Appendix A): in-depth evolving adds
constraints, deepens, concretises or asks for more reasoning steps; in-breadth evolving writes a new, rarer prompt
of the same domain. Their "#Given Prompt#" / "#Rewritten Prompt#" markers are what the leak rule looks for.
"""
from __future__ import annotations

from ..errors import UserError

SELF_INSTRUCT = "self_instruct/v1"
EVOL_DEPTH = ("constraints", "deepen", "concretize", "reasoning")
EVOL_BREADTH = ("breadth",)
EVOL_KINDS = EVOL_DEPTH + EVOL_BREADTH

_SELF_INSTRUCT = {
    "en": ("You are writing new user requests for a chat assistant's training data, of the task type "
           "\"{task_type}\". Here are {k} examples of this type:\n\n{examples}\n\nWrite {n} new requests of the same "
           "type and a similar difficulty. Each must differ from the examples and from the others in topic and "
           "wording, be complete on its own, and be written in English. Reply with a numbered list (1. 2. 3.), one "
           "request per item, and nothing else."),
    "zh": ("你在为对话助手的训练数据编写新的用户请求，任务类型是“{task_type}”。下面是这一类型的 {k} 个例子：\n\n{examples}\n\n"
           "请写 {n} 个同类型、难度相近的新请求。每个请求的主题和措辞都要与例子和彼此不同，本身完整，并用中文书写。"
           "只回复一个编号列表（1. 2. 3.），每项一个请求，不要写其他内容。"),
}

_EVOL_HEAD = {
    "en": ("I want you to act as a Prompt Rewriter. Your objective is to rewrite a given prompt into a more complex "
           "version to make famous AI systems a bit harder to handle, while the rewritten prompt stays reasonable, "
           "understandable and answerable by humans. Do not omit the non-text parts of the given prompt (tables, "
           "code). {how} The rewritten prompt may add only 10 to 20 words. Reply with the rewritten prompt only, in "
           "English; do not mention the given prompt, the rewritten prompt or these instructions."),
    "zh": ("请你充当提示改写者。你的目标是把给定的提示改写得更复杂一些，让著名的 AI 系统更难应对，同时改写后的提示仍然合理、"
           "人能看懂并能回答。不要省略给定提示里的非文字部分（表格、代码）。{how}改写后的提示只能增加 10 到 40 个字。只回复"
           "改写后的提示本身，用中文；不要提到给定提示、改写后的提示或这些说明。"),
}
_EVOL_HOW = {
    "constraints": {"en": "Add one more constraint or requirement to it.", "zh": "为它再增加一个约束或要求。"},
    "deepen": {"en": "If it asks about a specific issue, increase the depth and breadth of the inquiry.",
               "zh": "如果它询问某个具体问题，请加深并拓宽提问的深度和广度。"},
    "concretize": {"en": "Replace general concepts with more specific ones.", "zh": "把其中笼统的概念换成更具体的概念。"},
    "reasoning": {"en": "If it can be solved with a few simple thinking steps, rewrite it to explicitly ask for "
                        "multiple-step reasoning.",
                  "zh": "如果它只需几步简单思考就能解决，请改写成明确要求多步推理的问题。"},
}
_EVOL_BREADTH = {
    "en": ("I want you to act as a Prompt Creator. Your goal is to draw inspiration from the given prompt to create "
           "a brand new prompt. It should belong to the same domain but be more rare, of a similar length and "
           "difficulty, reasonable and answerable by humans. Reply with the new prompt only, in English; do not "
           "mention the given prompt, the created prompt or these instructions."),
    "zh": ("请你充当提示创作者。你的目标是从给定的提示中获得灵感，创作一个全新的提示。它应属于同一领域但更少见，长度和难度相近，"
           "合理且人能回答。只回复新的提示本身，用中文；不要提到给定提示、新创作的提示或这些说明。"),
}
_EVOL_TAIL = {"en": "\n\n#Given Prompt#:\n{prompt}\n", "zh": "\n\n#给定提示#：\n{prompt}\n"}

_COT_SYSTEM = {
    "en": ("First think the problem through step by step inside <reasoning> and </reasoning>. Then, after "
           "</reasoning>, write only the final answer for the user."),
    "zh": "请先在 <reasoning> 和 </reasoning> 之间一步一步地思考。然后在 </reasoning> 之后只写给用户的最终回答。",
}

_REWRITE = {
    "en": ("Rewrite the user request below so that its length requirement says {figure} {unit} instead of "
           "{value} {unit}. Change nothing else: keep every other word. Reply with the rewritten request only.\n\n"
           "{prompt}"),
    "zh": "请改写下面的用户请求，把其中的长度要求从 {value} 改为 {figure}（单位不变），其他内容一字不改。只回复改写后的请求。\n\n{prompt}",
}


def lang_of(language: str | None) -> str:
    """The template language for a sample language: Chinese for zh, English for everything else."""
    return "zh" if language == "zh" else "en"


def self_instruct(task_type: str, examples: list[str], n: int, language: str | None) -> str:
    """The Self-Instruct request: k few-shot examples of one task_type, n new prompts wanted."""
    listed = "\n".join(f"{i}. {e.strip()}" for i, e in enumerate(examples, 1))
    return _SELF_INSTRUCT[lang_of(language)].format(task_type=task_type, k=len(examples), examples=listed, n=n)


def evol(kind: str, prompt: str, language: str | None) -> tuple[str, str]:
    """(template name, text) of one Evol-Instruct request of `kind` (constraints | deepen | concretize |
    reasoning | breadth)."""
    lang = lang_of(language)
    if kind not in EVOL_KINDS:
        raise UserError(f"unknown evolution {kind!r}; choose from {', '.join(EVOL_KINDS)}")
    head = _EVOL_BREADTH[lang] if kind == "breadth" else _EVOL_HEAD[lang].format(how=_EVOL_HOW[kind][lang])
    return f"evol/{kind}/v1", head + _EVOL_TAIL[lang].format(prompt=prompt)


def cot_system(language: str | None) -> str:
    """The system instruction of chain-of-thought answering (reasoning in tags, then the answer)."""
    return _COT_SYSTEM[lang_of(language)]


def rewrite(prompt: str, value: int, figure: int, unit: str, language: str | None) -> str:
    """The request asking a model to change a prompt's length figure and nothing else."""
    return _REWRITE[lang_of(language)].format(prompt=prompt, value=value, figure=figure, unit=unit)
