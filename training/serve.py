"""`curation serve`: an OpenAI-compatible chat-completions server over any base model, optionally with the LoRA
adapter of a finished run, on 127.0.0.1 by default.

It is the workbench's effect test (the Train page's chat panel uses the same `ChatModel`) and the endpoint the
producers and the judge run against in tests, over real HTTP. Endpoints: POST /v1/chat/completions, GET
/v1/models, GET /health. Standard library HTTP server (one thread per connection); generation runs in one worker
thread that batches the requests waiting at that moment:
- temperature 0: the training package's continuous-batching greedy decoder (training/generation.py), with the
  batch's largest max_tokens, each answer then cut to its own (greedy tokens do not depend on the limit);
- temperature > 0: HF `generate` with sampling, batched per (temperature, top_p); a request with a `seed` is
  sampled alone after seeding torch, so the same seed gives the same answer.
Weights load from safetensors only (training/models.py); an adapter needs adapter_model.safetensors. The server
logs one line per request (status, tokens, seconds), never a prompt, an answer or a key. Streaming and n > 1
are refused with a 400 that says so.
"""
from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from curation.errors import UserError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class ServeSettings:
    """What `curation serve` loads and where it listens."""

    base_model: str | None = None  # preset, HF id or folder; None with an adapter: the run's own base model
    adapter: str | None = None  # a finished run folder (its adapter/) or one of its checkpoint folders
    host: str = "127.0.0.1"  # loopback only by default: the server has no authentication unless api_key_env
    port: int = 8765  # 0 picks a free port (tests)
    name: str | None = None  # the model id served; default: the preset/id, or the run folder's name
    device: str = "auto"  # auto | cpu | cuda
    max_batch: int = 8  # requests decoded together; more waiting requests queue
    default_max_tokens: int = 512  # when a request gives none (OpenAI has no limit; a local model needs one)
    api_key_env: str | None = None  # NAME of an env var: when set, requests must send that key (else 401)
    threads: int | None = None  # torch CPU threads; None: the idle cores (two threads on a busy 2-core machine
    # measured many times slower than one, training/threads.py)


@dataclass
class GenRequest:
    """One parsed chat request, ready for the model."""

    ids: list[int]
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    future: Future = field(default_factory=Future)


class ChatModel:
    """A loaded model (base or base + adapter) that answers chat messages, one batch at a time."""

    def __init__(self, base_model: str | None = None, adapter: str | None = None, device: str = "auto",
                 name: str | None = None, threads: int | None = None):
        from .models import load_model, load_tuned
        from .template import end_of_turn_ids
        from .threads import apply_threads

        self.threads = apply_threads(threads)  # None: the idle cores (2 threads on a busy 2-core box crawl)

        if adapter:
            run_dir, checkpoint = _adapter_location(adapter)
            run_base = json.loads((run_dir / "config.json").read_text()).get("base_model")
            if base_model and base_model.strip() != run_base:
                raise UserError(f"the adapter in {run_dir} was trained on {run_base!r}, not {base_model!r}; pass "
                                f"--base-model {run_base} or leave it out")
            self.loaded = load_tuned(run_dir, device, checkpoint=checkpoint)
            base_model = run_base
        elif base_model:
            self.loaded = load_model(base_model, device)
            self.loaded.model.eval()
        else:
            raise UserError("serve needs --base-model (a preset such as tiny, a Hugging Face id or a folder) or "
                            "--adapter RUN_DIR")
        self.base_model, self.adapter = base_model, adapter
        self.name = name or (Path(adapter).resolve().name if adapter else base_model)
        tok = self.loaded.tok
        self.tokenizer = tok.tokenizer
        self.stops = sorted(end_of_turn_ids(self.tokenizer, tok.extra_eot_ids))
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.stops[0]
        self.context = int(getattr(self.loaded.model.config, "max_position_embeddings", 0) or 2048)
        self.lock = threading.Lock()  # one generation at a time on this model

    def encode(self, messages: list[dict], tools=None) -> list[int]:
        """Token ids of the prompt: the conversation in the model's chat template plus the assistant header."""
        from .template import render, to_template_messages

        text = render(self.tokenizer, to_template_messages(messages), tools, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]

    def answer(self, messages: list[dict], system: str | None = None, max_tokens: int = 256,
               temperature: float = 0.0, seed: int | None = None) -> dict:
        """One answer to `messages` (with `system` as the system turn when given): {text, finish_reason,
        prompt_tokens, completion_tokens}. The Train page's chat panel calls this."""
        turns = [m for m in messages if m.get("role") != "system" or not system]
        if system:
            turns = [{"role": "system", "content": system}] + turns
        req = GenRequest(self.encode(turns), max_tokens, temperature, 1.0, seed)
        self.generate([req])
        return req.future.result()

    def generate(self, reqs: list[GenRequest]) -> None:
        """Answer a batch: greedy rows together, sampled rows grouped by (temperature, top_p), seeded rows alone.
        Each request's future gets {text, finish_reason, prompt_tokens, completion_tokens} or the exception."""
        groups = [[r for r in reqs if r.temperature <= 0]]
        sampled: dict[tuple, list[GenRequest]] = {}
        for r in reqs:
            if r.temperature > 0 and r.seed is None:
                sampled.setdefault((r.temperature, r.top_p), []).append(r)
        groups += list(sampled.values()) + [[r] for r in reqs if r.temperature > 0 and r.seed is not None]
        groups = [g for g in groups if g]
        for group in groups:
            try:
                with self.lock:
                    tokens = self._greedy(group) if group[0].temperature <= 0 else self._sample(group)
            except Exception as e:  # one failed batch answers its own requests with the error, the server lives
                for r in group:
                    r.future.set_exception(e)
                continue
            for r, t in zip(group, tokens):
                r.future.set_result(self._result(r, t))

    def _greedy(self, group: list[GenRequest]) -> list[list[int]]:
        from .generation import greedy_tokens

        longest = max(r.max_tokens for r in group)
        return greedy_tokens(self.loaded.model, [r.ids for r in group], longest, len(group), self.stops,
                             self.pad_id, self.loaded.device)

    def _sample(self, group: list[GenRequest]) -> list[list[int]]:
        import torch

        from .generation import greedy_generation_config

        cfg = greedy_generation_config(self.tokenizer, max(r.max_tokens for r in group), self.stops)
        cfg.do_sample, cfg.temperature, cfg.top_p, cfg.top_k = True, group[0].temperature, group[0].top_p, 0
        width = max(len(r.ids) for r in group)
        ids = torch.tensor([[self.pad_id] * (width - len(r.ids)) + r.ids for r in group], device=self.loaded.device)
        mask = torch.tensor([[0] * (width - len(r.ids)) + [1] * len(r.ids) for r in group],
                            device=self.loaded.device)
        if group[0].seed is not None:
            torch.manual_seed(group[0].seed)
        with torch.inference_mode():
            out = self.loaded.model.generate(input_ids=ids, attention_mask=mask, generation_config=cfg)
        rows = []
        for row in out[:, width:].tolist():
            cut = next((i + 1 for i, t in enumerate(row) if t in self.stops), len(row))
            rows.append(row[:cut])
        return rows

    def _result(self, r: GenRequest, tokens: list[int]) -> dict:
        tokens = tokens[:r.max_tokens]
        stopped = bool(tokens) and tokens[-1] in self.stops
        text = self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
        return {"text": text, "finish_reason": "stop" if stopped else "length", "prompt_tokens": len(r.ids),
                "completion_tokens": len(tokens)}


def _adapter_location(adapter: str) -> tuple[Path, Path | None]:
    """(run folder, checkpoint folder or None) of `--adapter`: a run folder or one of its checkpoints."""
    path = Path(adapter).expanduser()
    if not path.is_dir():
        raise UserError(f"adapter folder {path} does not exist; pass a finished run folder (runs/<run>) or one of "
                        "its checkpoints")
    if (path / "config.json").exists() and (path / "adapter").is_dir():
        return path, None
    for run in (path.parent, path.parent.parent):
        if (run / "config.json").exists() and (path / "adapter_model.safetensors").exists():
            return run, path
    if any(path.glob("adapter_model.bin")):
        raise UserError(f"{path} holds adapter_model.bin (pickle); only safetensors adapters are loaded")
    raise UserError(f"{path} is neither a run folder with a finished adapter/ nor a checkpoint with "
                    "adapter_model.safetensors; wait for the run to finish (see its status)")


class Batcher:
    """The generation worker: takes every request waiting (up to max_batch) and answers them as one batch."""

    def __init__(self, model: ChatModel, max_batch: int):
        self.model, self.max_batch = model, max(1, max_batch)
        self.queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="serve-generate", daemon=True)
        self._thread.start()

    def submit(self, req: GenRequest) -> dict:
        self.queue.put(req)
        return req.future.result()

    def _loop(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            time.sleep(0.005)  # let requests sent at the same moment join this batch
            while len(batch) < self.max_batch:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self.queue.put(None)
                    break
                batch.append(nxt)
            self.model.generate(batch)

    def stop(self) -> None:
        self.queue.put(None)


class ApiError(Exception):
    """An OpenAI-style error response: status, message, type, code."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code


def parse_chat_request(model: ChatModel, body, settings: ServeSettings) -> GenRequest:
    """A /v1/chat/completions body as a GenRequest; ApiError (400/404) for anything the server cannot do."""
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    if body.get("model") not in (model.name, model.base_model):
        raise ApiError(404, f"model {body.get('model')!r} is not served here; this server serves {model.name!r} "
                            "(GET /v1/models)", "invalid_request_error", "model_not_found")
    if body.get("stream"):
        raise ApiError(400, "streaming is not supported by curation serve; send stream=false")
    if int(body.get("n") or 1) != 1:
        raise ApiError(400, "n > 1 is not supported by curation serve; send one request per answer")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and m.get("role") in ("system", "user", "assistant", "tool") for m in messages):
        raise ApiError(400, "messages must be a non-empty list of {role, content} objects")
    for m in messages:
        if not isinstance(m.get("content"), (str, type(None))):
            raise ApiError(400, "only text content is supported (content must be a string)")
    try:
        max_tokens = int(body.get("max_completion_tokens") or body.get("max_tokens") or settings.default_max_tokens)
        temperature = float(1.0 if body.get("temperature") is None else body["temperature"])
        top_p = float(1.0 if body.get("top_p") is None else body["top_p"])
        seed = None if body.get("seed") is None else int(body["seed"])
    except (TypeError, ValueError):
        raise ApiError(400, "max_tokens, temperature, top_p and seed must be numbers") from None
    if max_tokens < 1 or not 0 <= temperature <= 2 or not 0 < top_p <= 1:
        raise ApiError(400, "max_tokens must be >= 1, temperature between 0 and 2, top_p in (0, 1]")
    try:
        ids = model.encode(messages, body.get("tools"))
    except Exception as e:  # template engines raise many types; all mean "cannot render these messages"
        raise ApiError(400, f"the chat template cannot render these messages: {str(e)[:200]}") from None
    room = model.context - len(ids)
    if room < 1:
        raise ApiError(400, f"the prompt has {len(ids)} tokens, beyond the model's context of {model.context}",
                       code="context_length_exceeded")
    return GenRequest(ids, min(max_tokens, room), temperature, top_p, seed)


def completion_body(model: ChatModel, out: dict) -> dict:
    """The chat.completion JSON for one answer."""
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": model.name, "system_fingerprint": f"sft-workbench:{model.base_model}",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": out["text"]},
                         "finish_reason": out["finish_reason"]}],
            "usage": {"prompt_tokens": out["prompt_tokens"], "completion_tokens": out["completion_tokens"],
                      "total_tokens": out["prompt_tokens"] + out["completion_tokens"]}}


def _handler(model: ChatModel, batcher: Batcher, settings: ServeSettings, log):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connections

        def log_message(self, *args):  # our own one-line log below, without request content
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): nothing to tell
                self.close_connection = True
                log(f"{self.command} {self.path}: the client closed the connection before the answer was sent")

        def _error(self, e: ApiError) -> None:
            self._send(e.status, {"error": {"message": str(e), "type": e.kind, "code": e.code, "param": None}})

        def _authorized(self) -> bool:
            if not settings.api_key_env:
                return True
            want = os.environ.get(settings.api_key_env) or ""
            got = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            return bool(want) and got == want

        def do_GET(self):
            path = self.path.rstrip("/")
            if path == "/health":
                self._send(200, {"status": "ok", "model": model.name})
            elif not self._authorized():
                self._error(ApiError(401, "invalid API key", "authentication_error", "invalid_api_key"))
            elif path in ("/v1/models", "/models"):
                self._send(200, {"object": "list", "data": [{"id": model.name, "object": "model", "created": 0,
                                                             "owned_by": "sft-workbench"}]})
            else:
                self._error(ApiError(404, f"no route {self.path}; use POST /v1/chat/completions", code="not_found"))

        def do_POST(self):
            start = time.perf_counter()
            status, tokens = 200, (0, 0)
            try:
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    raise ApiError(404, f"no route {self.path}; use POST /v1/chat/completions", code="not_found")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not self._authorized():
                    raise ApiError(401, "invalid API key", "authentication_error", "invalid_api_key")
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    raise ApiError(400, "the request body is not JSON") from None
                out = batcher.submit(parse_chat_request(model, body, settings))
                tokens = (out["prompt_tokens"], out["completion_tokens"])
                self._send(200, completion_body(model, out))
            except ApiError as e:
                status = e.status
                self._error(e)
            except Exception as e:  # a generation failure: the client sees a 500 it may retry
                status = 500
                self._error(ApiError(500, f"generation failed: {type(e).__name__}: {str(e)[:200]}", "server_error"))
            log(f"POST {self.path} {status} prompt={tokens[0]} completion={tokens[1]} "
                f"{time.perf_counter() - start:.2f}s")

    return Handler


class Server:
    """A running server: `base_url`, `stop()`. `start_server` makes one."""

    def __init__(self, model: ChatModel, settings: ServeSettings, log=None):
        self.model, self.settings = model, settings
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.batcher = Batcher(model, settings.max_batch)
        try:
            self.httpd = ThreadingHTTPServer((settings.host, settings.port),
                                             _handler(model, self.batcher, settings, self.log))
        except OSError as e:
            self.batcher.stop()
            raise UserError(f"cannot listen on {settings.host}:{settings.port} ({e.strerror}); choose another "
                            "port (0 picks a free one)") from None
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/v1"
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def start(self) -> "Server":
        """Serve in a background thread (tests, the app)."""
        self._thread = threading.Thread(target=self.serve_forever, name="serve-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.batcher.stop()


def start_server(settings: ServeSettings, model: ChatModel | None = None, log=None) -> Server:
    """Load the model (unless given) and bind the port; call `.start()` for a thread or `.serve_forever()`."""
    if settings.host not in LOOPBACK:
        (log or (lambda m: print(m, file=sys.stderr)))(
            f"warning: serving on {settings.host}, reachable from other machines"
            + ("" if settings.api_key_env else ", and it requires no API key"))
    model = model or ChatModel(settings.base_model, settings.adapter, settings.device, settings.name,
                               settings.threads)
    return Server(model, settings, log)


def chat_targets(run_dirs: list) -> list[str]:
    """What a chat can load from these run folders: each finished run's adapter (the run folder), then each of
    its checkpoints that holds adapter_model.safetensors, in step order."""
    from .rundir import RunFolder

    out = []
    for run in run_dirs:
        rf = RunFolder(run)
        if (rf.adapter / "adapter_model.safetensors").exists():
            out.append(str(rf.path))
        out += [str(c) for c in sorted(rf.checkpoints.glob("step-*")) if (c / "adapter_model.safetensors").exists()]
    return out


_CHAT_MODELS: dict[tuple, ChatModel] = {}
_CHAT_LOCK = threading.Lock()


def chat_with(base_model: str | None, adapter: str | None, messages: list[dict], system: str | None = None,
              max_tokens: int = 256, temperature: float = 0.0, seed: int | None = None) -> dict:
    """One answer from a base model or a run's adapter/checkpoint, loaded once and kept (the last two models):
    the Train page's chat panel. Returns {text, finish_reason, prompt_tokens, completion_tokens, model}."""
    if not messages or messages[-1].get("role") != "user" or not (messages[-1].get("content") or "").strip():
        raise UserError("type a message to send")
    key = (base_model or None, adapter or None)
    with _CHAT_LOCK:
        model = _CHAT_MODELS.get(key)
        if model is None:
            model = ChatModel(base_model, adapter)
            while len(_CHAT_MODELS) >= 2:
                _CHAT_MODELS.pop(next(iter(_CHAT_MODELS)))
            _CHAT_MODELS[key] = model
    return {**model.answer(messages, system, max_tokens, temperature, seed), "model": model.name}
