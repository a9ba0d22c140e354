"""Read production chat logs into sessions: OpenAI-style request/response lines, session-id + turn lines, or any
JSONL through a column mapping. User feedback (thumbs up/down, a rating, a comment) and timestamps are kept.

Each line is parsed on its own, so a bad line (malformed JSON, an unknown shape, a turn without a role, a
timestamp in an odd format, a feedback value that is no thumbs or rating) becomes a `LineError` with a reason
naming the line and the field, and the other lines still import. Lines that share a session id are grouped into
one session, ordered by timestamp, then by line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..errors import UserError

SHAPES = ("auto", "openai", "turns", "mapped")
# The mapping keys `--map` accepts: a turn-per-line log names role + content, a pair-per-line log prompt (+ answer)
MAPPING_KEYS = ("session", "role", "content", "prompt", "answer", "time", "thumbs", "rating", "comment")
_SESSION_KEYS = ("session_id", "conversation_id", "session", "thread_id", "chat_id", "conv_id")
_TIME_KEYS = ("timestamp", "created_at", "created", "time", "ts", "start_time")
_ROLES = {"user": "user", "human": "user", "customer": "user", "client": "user", "question": "user",
          "assistant": "assistant", "bot": "assistant", "ai": "assistant", "gpt": "assistant", "model": "assistant",
          "agent": "assistant", "chatbot": "assistant", "system": "system", "tool": "tool", "function": "tool"}
_UP = {"up", "thumbs_up", "thumbsup", "👍", "like", "liked", "good", "positive", "+1", "1", "true", "yes", "helpful"}
_DOWN = {"down", "thumbs_down", "thumbsdown", "👎", "dislike", "disliked", "bad", "negative", "-1", "0", "false", "no",
         "unhelpful"}
MAPPING_NEEDED = "the mapped log shape needs --map (e.g. --map role=speaker,content=text,session=conv)"
MAPPING_NEEDED_UI = "the mapped log shape needs a field mapping (e.g. role=speaker,content=text,session=conv)"
_CLOCK = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$")


@dataclass
class LineError:
    """A log line that could not be read, with the reason (kept in quarantine with its text)."""

    line: int
    reason: str
    raw: str | None


@dataclass
class Turn:
    """One turn of a session as a log line gave it."""

    role: str
    content: str
    at: datetime | None = None
    line: int = 0
    extra: dict = field(default_factory=dict)  # tool_calls of an assistant turn, tool_call_id of a tool turn


@dataclass
class Feedback:
    """A user's judgement of one answer: thumbs, a rating, a comment (any may be missing)."""

    thumbs: str | None = None  # "up" | "down"
    rating: float | None = None
    comment: str | None = None
    turn: int | None = None  # index in the session's messages of the answer it judges (None: the whole session)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Piece:
    """What one log line contributes to a session."""

    session: str
    turns: list[Turn]
    feedback: list[Feedback] = field(default_factory=list)
    at: datetime | None = None
    line: int = 0
    full_history: bool = False  # an OpenAI request repeats the whole conversation so far
    tools: list | None = None  # the tools the request declared
    named: bool = True  # False: the log gave no session id, so the session is called after its line


@dataclass
class Session:
    """A conversation assembled from one or more log lines."""

    session_id: str
    messages: list[dict]
    feedback: list[Feedback]
    started_at: datetime | None
    ended_at: datetime | None
    lines: list[int]
    tools: list | None = None
    named: bool = True  # False: called after its log line (no session id), never continued by another file


# ---------------------------------------------------------------- values
def parse_time(value) -> datetime:
    """A log timestamp as naive UTC: epoch seconds or milliseconds (number or digits), ISO 8601 (with or without
    a zone; `Z` allowed) or `YYYY-MM-DD HH:MM[:SS]` / `YYYY/MM/DD ...`. ValueError naming the value otherwise."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(f"timestamp {value!r} is empty or not a time")
    if isinstance(value, str) and re.fullmatch(r"\d{9,16}(?:\.\d+)?", value.strip()):
        value = float(value)
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # 1e11 s is the year 5138: such a number is milliseconds
        if value > 1e14:
            seconds = value / 1e6
        at = datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
    elif isinstance(value, str):
        text = value.strip()
        try:
            at = datetime.fromisoformat(text.replace("/", "-") if _CLOCK.match(text) else text)
        except ValueError:
            raise ValueError(f"timestamp {value!r} is not ISO 8601 (2024-03-15T09:30:00Z), 'YYYY-MM-DD HH:MM:SS' "
                             "or epoch seconds/milliseconds") from None
        if at.tzinfo is not None:
            at = at.astimezone(timezone.utc).replace(tzinfo=None)
    else:
        raise ValueError(f"timestamp {value!r} is a {type(value).__name__}, not a time")
    if not 1990 <= at.year <= 2100:
        raise ValueError(f"timestamp {value!r} reads as the year {at.year}; give seconds or milliseconds since 1970 "
                         "or an ISO 8601 date")
    return at


def parse_thumbs(value) -> str | None:
    """'up' or 'down' from the many ways logs write a thumb (👍, like, 1/-1, true/false); ValueError otherwise."""
    if value is None or value == "":
        return None
    key = str(value).strip().lower()
    if key in _UP:
        return "up"
    if key in _DOWN:
        return "down"
    raise ValueError(f"feedback {value!r} is neither thumbs up (up, 👍, like, 1, true) nor down (down, 👎, dislike, "
                     "-1, 0, false)")


def parse_rating(value) -> float | None:
    """A numeric rating (stars or a score); ValueError for text that is no number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"rating {value!r} is a boolean; give a number (1-5 stars, a score)")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"rating {value!r} is not a number") from None


def role_of(value, where: str) -> str:
    """A turn's role in the canonical vocabulary; ValueError for a missing or unknown one."""
    if value is None or value == "":
        raise ValueError(f"{where} has no role (expected user, assistant or system)")
    role = _ROLES.get(str(value).strip().lower())
    if role is None:
        raise ValueError(f"{where} has role {value!r}; expected one of user, assistant, system, tool "
                         "(or human/bot/customer/agent)")
    return role


def _text(value, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # OpenAI content parts: keep the text ones
        return "\n".join(p.get("text", "") for p in value if isinstance(p, dict) and p.get("type", "text") == "text")
    if isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"{where} content is a {type(value).__name__}, not text")


def _first(d: dict, keys) -> object:
    return next((d[k] for k in keys if k in d and d[k] not in (None, "")), None)


def _time_of(d: dict, key: str | None = None):
    raw = d.get(key) if key else _first(d, _TIME_KEYS)
    return None if raw is None or raw == "" else parse_time(raw)


# every field `_feedback` reads without a mapping
_FEEDBACK_FIELDS = frozenset(("feedback", "user_feedback", "thumbs", "thumb", "vote", "rating", "score", "stars",
                              "comment"))


def _feedback(d: dict, turn: int | None = None, keys: dict | None = None) -> list[Feedback]:
    """The feedback a record carries, as top-level fields or a `feedback` object (or a bare thumb)."""
    if not keys and _FEEDBACK_FIELDS.isdisjoint(d):
        return []  # most log lines carry no feedback: skip the parsing (a twentieth of an import's CPU)
    keys = keys or {}
    fb = d.get("feedback", d.get("user_feedback"))
    src = fb if isinstance(fb, dict) else d
    thumbs = src.get(keys.get("thumbs", "thumbs"), src.get("thumb", src.get("vote")))
    if fb is not None and not isinstance(fb, dict):
        thumbs = fb
    if src is not d and thumbs is None:
        thumbs = src.get("value", src.get("label"))
    out = Feedback(thumbs=parse_thumbs(thumbs),
                   rating=parse_rating(src.get(keys.get("rating", "rating"), src.get("score", src.get("stars")))),
                   comment=_text(src.get(keys.get("comment", "comment")), "comment") or None, turn=turn)
    return [out] if out.to_dict().keys() - {"turn"} else []


# ---------------------------------------------------------------- shapes
def shape_of(value: dict) -> str | None:
    """Which log shape a record has: openai (request/response), turns (session id + turns or + role/content)."""
    if "request" in value or "response" in value or "choices" in value:
        return "openai"
    if _first(value, _SESSION_KEYS) is not None and (isinstance(value.get("turns"), list)
                                                     or isinstance(value.get("messages"), list)
                                                     or any(k in value for k in ("role", "content", "text"))):
        return "turns"
    if isinstance(value.get("messages"), list):
        return "openai"  # a request logged without its response: a prompt-only candidate
    return None


def _turns(items, line: int, what: str) -> list[Turn]:
    if not isinstance(items, list):
        raise ValueError(f"{what} is a {type(items).__name__}, not a list of turns")
    out = []
    for i, m in enumerate(items, 1):
        if not isinstance(m, dict):
            raise ValueError(f"{what} turn {i} is a {type(m).__name__}, not an object with role and content")
        role = role_of(m.get("role", m.get("from", m.get("speaker"))), f"{what} turn {i}")
        out.append(Turn(role, _text(m.get("content", m.get("value", m.get("text"))), f"{what} turn {i}"),
                        _time_of(m), line, _tool_fields(m, f"{what} turn {i}")))
    return out


def _tool_fields(m: dict, where: str) -> dict:
    """The tool-call fields of a turn, kept as the canonical form has them (validated when promoted)."""
    out = {}
    if m.get("tool_calls"):
        if not isinstance(m["tool_calls"], list):
            raise ValueError(f"{where} tool_calls is a {type(m['tool_calls']).__name__}, not a list")
        out["tool_calls"] = m["tool_calls"]
    if m.get("tool_call_id") is not None:
        out["tool_call_id"] = str(m["tool_call_id"])
    return out


def _response_turn(resp, line: int) -> Turn | None:
    if resp is None:
        return None
    if isinstance(resp, str):
        return Turn("assistant", resp, None, line)
    if not isinstance(resp, dict):
        raise ValueError(f"response is a {type(resp).__name__}, not an object or text")
    choices = resp.get("choices")
    if isinstance(choices, list) and choices:
        first = choices[0] if isinstance(choices[0], dict) else {}
        msg = first.get("message") or ({"content": first["text"]} if "text" in first else None)
        if not isinstance(msg, dict):
            raise ValueError("response choices[0] has no message")
        return Turn("assistant", _text(msg.get("content"), "response"), None, line, _tool_fields(msg, "response"))
    for key in ("output_text", "content", "text", "output"):
        if key in resp:
            return Turn("assistant", _text(resp[key], "response"), None, line)
    raise ValueError(f"response has none of choices, output_text, content (keys: {', '.join(sorted(resp))[:200]})")


def piece_openai(value: dict, line: int) -> Piece:
    """One OpenAI-style log line: `request.messages` (or `messages`) plus `response.choices[0].message`."""
    req = value.get("request", value)
    if not isinstance(req, dict) or not isinstance(req.get("messages"), list):
        raise ValueError("request has no messages list (expected {\"request\": {\"messages\": [...]}, "
                         "\"response\": {\"choices\": [...]}})")
    turns = _turns(req["messages"], line, "request")
    answer = _response_turn(value.get("response", value if "choices" in value else None), line)
    resp = value.get("response")
    at = _time_of(value) or (_time_of(resp) if isinstance(resp, dict) else None)
    if answer:
        turns.append(answer)
    meta = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    session = _first(value, _SESSION_KEYS) or _first(meta, _SESSION_KEYS) or _first(req, ("user",))
    tools = req.get("tools") if isinstance(req.get("tools"), list) and req.get("tools") else None
    return Piece(str(session) if session is not None else f"line {line}", turns,
                 _feedback(value, len(turns) - 1 if answer else None), at, line, full_history=True, tools=tools,
                 named=session is not None)


def piece_turns(value: dict, line: int) -> Piece:
    """A session-id log line: a whole session (`turns`/`messages`) or one turn (`role` + `content`)."""
    session = str(_first(value, _SESSION_KEYS))
    at = _time_of(value)
    if not isinstance(value.get("turns", value.get("messages")), list):
        role = role_of(value.get("role"), "the turn")
        turn = Turn(role, _text(value.get("content", value.get("text")), "the turn"), at, line)
        return Piece(session, [turn], _feedback(value), at, line)
    turns = _turns(value.get("turns", value.get("messages")), line, "session")
    return Piece(session, turns, _feedback(value), at or (turns[0].at if turns else None), line)


def piece_mapped(value: dict, line: int, mapping: dict[str, str]) -> Piece:
    """A line of any JSONL through a mapping of our keys (MAPPING_KEYS) to its fields."""
    get = {k: value.get(col) for k, col in mapping.items()}
    at = _time_of(value, mapping["time"]) if "time" in mapping else None
    session = get.get("session")
    named = session not in (None, "")
    session = str(session) if named else f"line {line}"
    fb_keys = {k: mapping[k] for k in ("thumbs", "rating", "comment") if k in mapping}
    fb_src = {col: value.get(col) for col in fb_keys.values()}
    if "role" in mapping:
        if get.get("role") in (None, ""):
            raise ValueError(f"field {mapping['role']!r} (the role) is missing or empty")
        turn = Turn(role_of(get["role"], "the turn"), _text(get.get("content"), "the turn"), at, line)
        return Piece(session, [turn], _feedback(fb_src, None, fb_keys), at, line, named=named)
    prompt = _text(get.get("prompt"), "the prompt")
    if not prompt.strip():
        raise ValueError(f"field {mapping['prompt']!r} (the prompt) is missing or empty")
    turns = [Turn("user", prompt, at, line)]
    if get.get("answer") not in (None, ""):
        turns.append(Turn("assistant", _text(get["answer"], "the answer"), at, line))
    return Piece(session, turns, _feedback(fb_src, len(turns) - 1 if len(turns) > 1 else None, fb_keys), at, line,
                 named=named)


def parse_log_mapping(text: str | None) -> dict[str, str] | None:
    """`--map session=conv_id,role=speaker,content=text,time=ts,thumbs=vote` as {our key: their field}."""
    if not text:
        return None
    out = {}
    for part in text.split(","):
        key, sep, col = part.partition("=")
        key, col = key.strip(), col.strip()
        if not sep or not col:
            raise UserError(f"--map entry {part.strip()!r} is not KEY=FIELD (e.g. role=speaker,content=text)",
                            ui=f"field mapping entry {part.strip()!r} is not KEY=FIELD (e.g. role=speaker,content=text)")
        if key not in MAPPING_KEYS:
            raise UserError(f"--map key {key!r} is unknown; use {', '.join(MAPPING_KEYS)}",
                            ui=f"field mapping key {key!r} is unknown; use {', '.join(MAPPING_KEYS)}")
        out[key] = col
    if not ({"role", "content"} <= out.keys() or "prompt" in out):
        need = ("needs role=FIELD and content=FIELD (a turn per line) or prompt=FIELD (a prompt, optionally "
                "answer=FIELD, per line)")
        raise UserError(f"--map {need}", ui=f"the field mapping {need}")
    return out


def read_piece(value: dict, line: int, shape: str, mapping: dict | None) -> Piece:
    """The session piece of one parsed log line; ValueError with the reason when the line cannot be read."""
    if shape == "mapped":
        if not mapping:
            raise UserError(MAPPING_NEEDED, ui=MAPPING_NEEDED_UI)
        return piece_mapped(value, line, mapping)
    kind = shape_of(value) if shape == "auto" else shape
    if kind == "openai":
        return piece_openai(value, line)
    if kind == "turns":
        if _first(value, _SESSION_KEYS) is None:
            raise ValueError(f"no session id (expected one of {', '.join(_SESSION_KEYS)})")
        return piece_turns(value, line)
    keys = ", ".join(sorted(value))[:200]
    raise ValueError(f"unknown log shape (keys: {keys}); expected an OpenAI request/response "
                     "({\"request\": {\"messages\"}, \"response\"}), a session id with turns, or give a field mapping "
                     "(the mapped shape)")


# ---------------------------------------------------------------- sessions
def assemble(pieces: list[Piece]) -> list[Session]:
    """Group pieces into sessions (first-seen order), turns ordered by time then line. Requests that repeat the
    whole history (OpenAI logs) keep the longest one; consecutive turns of one role are joined (a user sending
    two messages in a row is one turn to train on)."""
    groups: dict[str, list[Piece]] = {}
    for p in pieces:
        groups.setdefault(p.session, []).append(p)
    return [_session(sid, ps) for sid, ps in groups.items()]


def _order(p: Piece):
    return (p.at is None, p.at or datetime.min, p.line)


def _session(sid: str, pieces: list[Piece]) -> Session:
    pieces = sorted(pieces, key=_order)
    feedback = [f for p in pieces for f in p.feedback]
    if all(p.full_history for p in pieces):
        base = max(pieces, key=lambda p: (len(p.turns), p.line))
        turns = list(base.turns)
    else:
        turns = sorted((t for p in pieces for t in p.turns), key=lambda t: (t.at is None, t.at or datetime.min, t.line))
    messages = []
    for t in turns:
        if messages and messages[-1]["role"] == t.role and t.role in ("user", "assistant") and not t.extra \
                and not messages[-1].keys() - {"role", "content"}:
            messages[-1]["content"] += "\n\n" + t.content
        else:
            messages.append({"role": t.role, "content": t.content, **t.extra})
    for f in feedback:  # a line's feedback judges the answer that line gave
        if f.turn is not None:
            f.turn = min(f.turn, len(messages) - 1)
    times = [t for t in [*(p.at for p in pieces), *(t.at for t in turns)] if t is not None]
    tools = next((p.tools for p in reversed(pieces) if p.tools), None)
    return Session(sid, messages, feedback, min(times, default=None), max(times, default=None),
                   sorted({p.line for p in pieces}), tools, all(p.named for p in pieces))


def session_problem(s: Session) -> str | None:
    """Why a session cannot be a candidate (no user turn with text), or None."""
    if not any(m["role"] == "user" and m["content"].strip() for m in s.messages):
        return f"session {s.session_id!r} has no user turn with text"
    return None
