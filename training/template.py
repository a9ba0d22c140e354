"""Chat templates: the base model's own, or a ChatML fallback, and the end-of-turn tokens that teach stopping.

Canonical samples store tool-call arguments as JSON strings (OpenAI style); chat templates (Qwen, Llama, ...)
expect a dict, so `to_template_messages` parses them before rendering.
"""
from __future__ import annotations

import json

# Tokens that end a turn in common templates. The tokenizer's eos token is always added.
KNOWN_END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                     "</s>", "<|end_of_text|>", "<｜end▁of▁sentence｜>")


def chatml_template(end_of_turn: str = "<|im_end|>") -> str:
    """ChatML with tool calls in Qwen's style; `end_of_turn` is the token closing every turn."""
    eot = end_of_turn.replace("'", "\\'")
    return (
        "{%- if tools %}"
        "{{- '<|im_start|>system\\n' }}"
        "{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}"
        "{{- '# Tools\\n\\nYou may call functions. Their signatures are within <tools></tools>:\\n<tools>' }}"
        "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}"
        "{{- '\\n</tools>\\n\\nFor each call, return a JSON object with the name and arguments within "
        "<tool_call></tool_call> tags.' }}"
        f"{{{{- '{eot}\\n' }}}}"
        "{%- elif messages[0].role == 'system' %}"
        f"{{{{- '<|im_start|>system\\n' + messages[0].content + '{eot}\\n' }}}}"
        "{%- endif %}"
        "{%- for message in messages %}"
        "{%- if message.role == 'system' %}"
        "{%- elif message.role == 'assistant' %}"
        "{{- '<|im_start|>assistant\\n' }}"
        "{%- if message.content %}{{- message.content }}{%- endif %}"
        "{%- for tc in message.tool_calls or [] %}"
        "{%- set call = tc.function if tc.function is defined else tc %}"
        "{%- if message.content or not loop.first %}{{- '\\n' }}{%- endif %}"
        "{{- '<tool_call>\\n{\"name\": ' + (call.name | tojson) + ', \"arguments\": ' }}"
        "{%- if call.arguments is string %}{{- call.arguments }}{%- else %}{{- call.arguments | tojson }}{%- endif %}"
        "{{- '}\\n</tool_call>' }}"
        "{%- endfor %}"
        f"{{{{- '{eot}\\n' }}}}"
        "{%- else %}"
        f"{{{{- '<|im_start|>' + message.role + '\\n' + message.content + '{eot}\\n' }}}}"
        "{%- endif %}"
        "{%- endfor %}"
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
    )


def has_chat_template(tokenizer) -> bool:
    """Whether the tokenizer ships its own chat template."""
    return bool(getattr(tokenizer, "chat_template", None))


def ensure_chat_template(tokenizer) -> str:
    """Give a tokenizer without a template the ChatML fallback; return "own" or "chatml-fallback".

    The fallback closes turns with <|im_end|> when the vocabulary has it as one token, otherwise with the eos
    token, so the end of every assistant turn is a single trainable token the model can learn to emit.
    """
    if has_chat_template(tokenizer):
        return "own"
    vocab = tokenizer.get_vocab()
    eot = "<|im_end|>" if "<|im_end|>" in vocab else (tokenizer.eos_token or "<|im_end|>")
    tokenizer.chat_template = chatml_template(eot)
    return "chatml-fallback"


def end_of_turn_ids(tokenizer, extra_ids=()) -> set[int]:
    """Token ids that end a turn: eos, known end-of-turn tokens in the vocabulary, and `extra_ids`
    (e.g. the model's generation_config.eos_token_id)."""
    vocab = tokenizer.get_vocab()
    ids = {vocab[t] for t in KNOWN_END_OF_TURN if t in vocab}
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    ids.update(i for i in extra_ids if i is not None)
    # <|endoftext|> is a document separator, not a turn end, in templates that have <|im_end|>.
    if "<|im_end|>" in vocab and "<|endoftext|>" in vocab and vocab["<|endoftext|>"] != tokenizer.eos_token_id:
        ids.discard(vocab["<|endoftext|>"])
    return ids


def to_template_messages(messages: list[dict]) -> list[dict]:
    """Canonical messages to what chat templates expect (tool-call arguments as dicts, no None values). A turn's
    `reasoning` is left out: it is kept for reading, never trained on."""
    out = []
    for m in messages:
        m = {k: v for k, v in m.items() if v is not None and k != "reasoning"}
        if m.get("role") == "assistant" and m.get("tool_calls"):
            calls = m["tool_calls"] if isinstance(m["tool_calls"], list) else [m["tool_calls"]]
            m["tool_calls"] = [_call_with_dict_args(tc) for tc in calls]
            m.setdefault("content", "")
        out.append(m)
    return out


def _call_with_dict_args(tc: dict) -> dict:
    # stores written before tool calls were validated at import may hold malformed ones: render, don't crash
    tc = dict(tc) if isinstance(tc, dict) else {"type": "function", "function": {"name": str(tc), "arguments": {}}}
    fn = dict(tc["function"]) if isinstance(tc.get("function"), dict) else {}
    args = fn.get("arguments")
    if isinstance(args, str):
        try:
            fn["arguments"] = json.loads(args)
        except json.JSONDecodeError:
            pass  # keep the string; the template writes it verbatim
    tc["function"] = fn
    return tc


def render(tokenizer, messages: list[dict], tools=None, add_generation_prompt: bool = False) -> str:
    """The conversation as the template writes it (text, not tokens)."""
    return tokenizer.apply_chat_template(messages, tools=tools or None, tokenize=False,
                                         add_generation_prompt=add_generation_prompt)


def prompt_text(tokenizer, messages: list[dict], tools=None) -> str:
    """The prompt for generating the final assistant turn: every turn before it plus the assistant header."""
    msgs = to_template_messages(messages)
    last = max(i for i, m in enumerate(msgs) if m["role"] == "assistant") if any(
        m["role"] == "assistant" for m in msgs) else len(msgs)
    return render(tokenizer, msgs[:last], tools, add_generation_prompt=True)
