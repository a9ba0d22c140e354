"""One OpenAI-compatible chat client for every endpoint: OpenAI, DashScope/Bailian compatible mode, vLLM, Ollama,
a llama.cpp server, or the workbench's own `curation serve`.

`openai` is imported lazily (the app and CLI start without it). Retries are ours, not the SDK's (its own are off):
429 and 5xx are retried with exponential backoff and jitter, honouring Retry-After, so every failure that is left
reaches the caller as one `LLMError` subclass whose message names the fix. The body is parsed here from the raw
HTTP response, so a malformed or truncated completion is a `BadResponse`, never a half-read object.

Caching: each request (base URL, model, messages and every sampling parameter) has a hash; with a store, a
response is written to `store.llm` under it the moment it arrives, and a request whose hash is cached is answered
from the store without a call. So a re-run costs nothing, and a job killed halfway resumes where it stopped,
having lost no paid response. A sampled request (temperature > 0) is cached too: pass a different `seed` to get
a fresh sample.

The API key is read from the environment variable the settings name, at call time; neither the key nor the
variable's value is stored or logged.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass

from .errors import (AuthFailed, BadResponse, EndpointUnreachable, LLMError, ModelNotFound, RateLimited,
                     ServerError, WrongLanguage)

# Keys of a request dict (chat_many) that are ours, not sent to the endpoint.
_LOCAL_KEYS = ("language", "allow_truncated")
_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


@dataclass
class EndpointSettings:
    """Where and how to call an OpenAI-compatible chat endpoint."""

    base_url: str  # e.g. http://127.0.0.1:8765/v1 (OpenAI, DashScope compatible mode, vLLM, Ollama, llama.cpp)
    model: str  # the model name the endpoint serves (`curation serve` accepts its own name or any)
    api_key_env: str = "OPENAI_API_KEY"  # NAME of the env var holding the key; the key itself is never stored
    concurrency: int = 4  # requests in flight at once; lower it when the endpoint rate-limits
    max_retries: int = 5  # retries of a 429, 5xx or timeout, with exponential backoff
    timeout_s: float = 120.0  # per request; a long answer from a slow local model needs minutes
    price_in_per_mtok: float = 0.0  # prompt price per million tokens, for the job's cost
    price_out_per_mtok: float = 0.0  # completion price per million tokens
    backoff_s: float = 1.0  # first retry delay; doubles each retry (with jitter), at most 60 s

    def check(self) -> None:
        """Raise LLMError for settings no request could work with."""
        if not (self.base_url or "").startswith(("http://", "https://")):
            raise LLMError(f"base URL {self.base_url!r} is not an http(s) URL; pass one such as "
                           "http://127.0.0.1:8765/v1 (`curation serve`) or https://api.openai.com/v1")
        if not (self.model or "").strip():
            raise LLMError("no model named; pass the model the endpoint serves (GET <base URL>/models lists them)")
        if self.concurrency < 1 or self.max_retries < 0 or self.timeout_s <= 0:
            raise LLMError("concurrency must be >= 1, retries >= 0 and the timeout > 0 seconds")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.price_in_per_mtok + completion_tokens * self.price_out_per_mtok) / 1e6


@dataclass
class ChatResult:
    """One chat completion, fresh or from the cache."""

    text: str
    response_id: str | None
    model: str | None  # the model the endpoint says answered
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None  # stop | length | tool_calls | ...
    cached: bool  # True: read from the store, nothing paid for it now
    request_hash: str
    seconds: float = 0.0  # time the call took (0 for a cached result)
    cost: float = 0.0  # what this call cost under the settings' prices (0 for a cached result)


def request_hash(base_url: str, model: str, body: dict) -> str:
    """The cache key of a request: sha256 over the normalised base URL, the model and the request body."""
    blob = json.dumps({"base_url": base_url.rstrip("/"), "model": model, "body": body}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class LLMClient:
    """Chat completions against one endpoint, cached in `store` (optional) and accounted per job."""

    def __init__(self, settings: EndpointSettings, store=None, sleep=time.sleep):
        settings.check()
        self.settings = settings
        self.store = store
        self.last_job_id: int | None = None
        self._sleep = sleep  # injectable so a test of the backoff can record delays instead of waiting
        self._sdk = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ one request
    def chat(self, messages: list[dict], *, temperature: float = 0.7, max_tokens: int = 512, seed: int | None = None,
             language: str | None = None, allow_truncated: bool = False, job_id: int | None = None,
             **extra) -> ChatResult:
        """One chat completion. `language` ("zh" | "en") rejects an answer in another language (WrongLanguage);
        an answer cut off at `max_tokens` is a BadResponse unless `allow_truncated`. The response is cached
        before either check, so a paid answer is never lost; `job_id` adds its tokens and cost to that job."""
        body = self.body(messages, temperature=temperature, max_tokens=max_tokens, seed=seed, **extra)
        result = self._cached_or_call(body, job_id)
        self._check(result, max_tokens, language, allow_truncated)
        return result

    def body(self, messages: list[dict], *, temperature: float = 0.7, max_tokens: int = 512,
             seed: int | None = None, **extra) -> dict:
        """The request body sent to /chat/completions (and hashed for the cache)."""
        _check_messages(messages)
        body = {"messages": [{k: v for k, v in m.items() if v is not None} for m in messages],
                "temperature": temperature, "max_tokens": int(max_tokens), **extra}
        if seed is not None:
            body["seed"] = int(seed)
        return body

    def hash_of(self, body: dict) -> str:
        return request_hash(self.settings.base_url, self.settings.model, body)

    def _cached_or_call(self, body: dict, job_id: int | None) -> ChatResult:
        h = self.hash_of(body)
        row = self.store.llm.get_response(h) if self.store is not None else None
        if row is not None:
            if job_id is not None:
                self.store.llm.count_in_job(job_id, n_cached=1)
            return ChatResult(row["text"], row["response_id"], row["response_model"], row["prompt_tokens"] or 0,
                              row["completion_tokens"] or 0, row["finish_reason"], True, h)
        result = self._call(body, h)
        if self.store is not None:
            written = self.store.llm.add_response({
                "request_hash": h, "base_url": self.settings.base_url, "model": self.settings.model,
                "request": body, "text": result.text, "response_id": result.response_id,
                "response_model": result.model, "finish_reason": result.finish_reason,
                "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                "cost": result.cost, "seconds": result.seconds, "job_id": job_id})
            if job_id is not None and written:
                self.store.llm.count_in_job(job_id, prompt_tokens=result.prompt_tokens,
                                            completion_tokens=result.completion_tokens, cost=result.cost)
        return result

    def _check(self, r: ChatResult, max_tokens: int, language: str | None, allow_truncated: bool) -> None:
        if r.finish_reason == "length" and not allow_truncated:
            raise BadResponse(f"the answer was cut off at max_tokens={max_tokens} ({r.completion_tokens} tokens, "
                              f"finish_reason length); raise max_tokens (the response stays cached)")
        if not r.text.strip():
            raise BadResponse(f"the endpoint returned an empty answer (finish_reason {r.finish_reason}); retry "
                              "with another seed or a larger max_tokens")
        if language in _LANGUAGE_NAMES:
            from ..text import detect_language

            got = detect_language(r.text[:4000])
            if got not in (language, "mixed"):
                raise WrongLanguage(f"asked for an answer in {_LANGUAGE_NAMES[language]} ({language}) but got "
                                    f"{got}: «{r.text[:60]}»; say the language in the prompt or use a model that "
                                    "writes it")

    def _client(self):
        with self._lock:
            if self._sdk is None:
                import openai

                key = os.environ.get(self.settings.api_key_env) or "not-needed"  # local servers take any key
                self._sdk = openai.OpenAI(base_url=self.settings.base_url, api_key=key, max_retries=0,
                                          timeout=self.settings.timeout_s)
            return self._sdk

    def _call(self, body: dict, h: str) -> ChatResult:
        """POST the request, retrying 429, 5xx and timeouts with backoff; parse the raw body."""
        import openai

        s = self.settings
        payload = dict(body)
        messages = payload.pop("messages")
        for attempt in range(s.max_retries + 1):
            last = attempt == s.max_retries
            start = time.perf_counter()
            try:
                raw = self._client().chat.completions.with_raw_response.create(model=s.model, messages=messages,
                                                                              **payload)
                return self._parse(raw.http_response, h, time.perf_counter() - start)
            except openai.APITimeoutError:
                if last:
                    raise EndpointUnreachable(f"{s.base_url} did not answer within {s.timeout_s:g} s "
                                              f"({s.max_retries + 1} tries); raise the timeout or lower the "
                                              "concurrency") from None
                self._backoff(attempt, None)
            except openai.APIConnectionError as e:
                raise EndpointUnreachable(f"cannot reach {s.base_url} ({_cause(e)}); check the base URL and that "
                                          "the server is running (start a local one with `curation serve`)") from None
            except openai.RateLimitError as e:
                if last:
                    raise RateLimited(f"{s.base_url} is still rate-limiting (429) after {s.max_retries} retries; "
                                      f"lower the concurrency (now {s.concurrency}) or raise the retries "
                                      f"({_detail(e)})") from None
                self._backoff(attempt, e.response.headers.get("retry-after"))
            except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
                where = (f"${s.api_key_env} is not set" if not os.environ.get(s.api_key_env)
                         else f"the key in ${s.api_key_env} was refused")
                raise AuthFailed(f"{s.base_url} refused the API key ({e.status_code}): {where}; set "
                                 f"{s.api_key_env} to a valid key for this endpoint, or name another variable "
                                 f"({_detail(e)})") from None
            except openai.NotFoundError as e:
                raise ModelNotFound(self._not_found(e)) from None
            except openai.APIStatusError as e:
                if e.status_code < 500:
                    raise ServerError(f"{s.base_url} refused the request ({e.status_code}): {_detail(e)}; check "
                                      "the request's parameters") from None
                if last:
                    raise ServerError(f"{s.base_url} kept failing ({e.status_code}) after {s.max_retries} retries: "
                                      f"{_detail(e)}; check the server's log, or retry later") from None
                self._backoff(attempt, e.response.headers.get("retry-after"))
        raise AssertionError("unreachable")  # the last attempt always returns or raises

    def _backoff(self, attempt: int, retry_after) -> None:
        try:
            wait_s = float(retry_after) if retry_after is not None else None
        except ValueError:
            wait_s = None  # an HTTP date: use our own backoff
        if wait_s is None:
            wait_s = self.settings.backoff_s * (2 ** attempt) * (0.5 + random.random())
        self._sleep(min(max(wait_s, 0.0), 60.0))

    def _not_found(self, e) -> str:
        s = self.settings
        served = self.models()
        if served:
            return (f"model {s.model!r} is not served at {s.base_url} (404); it serves: {', '.join(served[:20])}; "
                    "pass one of those")
        return (f"{s.base_url} answered 404 for model {s.model!r} ({_detail(e)}); check the model name and that the "
                "base URL ends where /chat/completions lives (usually /v1)")

    def models(self) -> list[str]:
        """The model ids the endpoint lists (GET /models); [] when it lists none or cannot."""
        try:
            return [m.id for m in self._client().models.list()]
        except Exception:  # listing is best effort, for the error message only
            return []

    def _parse(self, http, h: str, seconds: float) -> ChatResult:
        text = http.text
        try:
            data = json.loads(text)
        except ValueError:
            raise BadResponse(f"{self.settings.base_url} answered with something that is not JSON "
                              f"(«{text[:80]}»); check that the base URL is an OpenAI-compatible API") from None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise BadResponse(f"{self.settings.base_url} answered without choices («{text[:80]}»); the endpoint "
                              "is not OpenAI-compatible or failed mid-answer")
        choice = choices[0]
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            raise BadResponse(f"the answer's content is {type(content).__name__}, not text")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        p, c = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        return ChatResult(content or "", data.get("id"), data.get("model"), p, c, choice.get("finish_reason"),
                          False, h, seconds, self.settings.cost(p, c))

    # ------------------------------------------------------------ many requests
    def start_job(self, kind: str, n_requests: int, author: str | None = None, note: str | None = None) -> int:
        """Log a job in the store (settings recorded, never the key). Returns its id."""
        if self.store is None:
            raise LLMError("an LLM job needs a store to record its responses and costs")
        return self.store.llm.add_job(kind=kind, base_url=self.settings.base_url, model=self.settings.model,
                                      settings=asdict(self.settings), n_requests=n_requests, author=author,
                                      note=note)

    def chat_many(self, requests: list[dict], *, job_id: int | None = None, on_progress=None,
                  kind: str = "chat") -> list:
        """Run many requests (dicts of `chat`'s arguments: messages, temperature, max_tokens, seed, language,
        allow_truncated, extra body keys), `concurrency` at a time. Returns, in input order, a ChatResult or the
        LLMError of each. Cached requests cost nothing; each fresh response is cached as it arrives, so a killed
        job loses none. With a store, a job is logged (or `job_id` continued) and its tokens and cost counted;
        `last_job_id` names it. `on_progress(done, total, eta_s)` follows every finished request (eta_s None
        until a fresh response has timed the endpoint). An unreachable endpoint, a refused key or an unknown
        model stops the job at once: every request not yet sent gets that error."""
        if self.store is not None and job_id is None:
            job_id = self.start_job(kind, len(requests))
        elif self.store is not None:
            self.store.llm.jobs.get(job_id)  # an unknown id is a clear error before any call
            self.store.llm.set_job(job_id, status="running", n_requests=len(requests))
        self.last_job_id = job_id
        run = _JobRun(self, requests, job_id, on_progress)
        try:
            results = run.run()
        except BaseException:
            if job_id is not None:
                self.store.llm.set_job(job_id, status="interrupted")
            raise
        if job_id is not None:
            failed = sum(isinstance(r, LLMError) for r in results)
            self.store.llm.set_job(job_id, status="failed" if run.fatal else "done",
                                   note=str(run.fatal) if run.fatal else (f"{failed} failed" if failed else None))
        return results


class _JobRun:
    """One chat_many run: a thread pool over the requests, progress with ETA, stop on a fatal error."""

    def __init__(self, client: LLMClient, requests: list[dict], job_id, on_progress):
        self.client, self.requests, self.job_id, self.on_progress = client, requests, job_id, on_progress
        self.results: list = [None] * len(requests)
        self.done = self.fresh = 0
        self.fatal: LLMError | None = None
        self.start = time.perf_counter()

    def run(self) -> list:
        c = self.client.settings.concurrency
        todo = iter(range(len(self.requests)))
        with ThreadPoolExecutor(max_workers=c, thread_name_prefix="llm") as pool:
            running = {}
            for i in todo:  # never more than 2 x concurrency queued: a fatal error leaves the rest unsent
                running[pool.submit(self._one, i)] = i
                if len(running) >= 2 * c:
                    running = self._collect(running)
                    if self.fatal:
                        break
            while running:
                running = self._collect(running)
        for i, r in enumerate(self.results):
            if r is None:  # never sent: the job stopped on a fatal error
                self.results[i] = self.fatal
                if self.job_id is not None:
                    self.client.store.llm.count_in_job(self.job_id, n_failed=1)
        return self.results

    def _collect(self, running: dict) -> dict:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for f in finished:
            i = running.pop(f)
            self.results[i] = f.result()
            self.done += 1
            self._report()
        return running

    def _one(self, i: int):
        if self.fatal:  # queued before the job stopped: not sent
            self._count(n_failed=1)
            return self.fatal
        req = dict(self.requests[i])
        try:
            messages = req.pop("messages")
        except KeyError:
            raise ValueError(f"request {i} has no messages") from None
        try:
            r = self.client.chat(messages, job_id=self.job_id, **req)
        except LLMError as e:
            if e.fatal:
                self.fatal = self.fatal or e
            self._count(n_failed=1)
            return e
        self._count(n_done=1)
        if not r.cached:
            self.fresh += 1
        return r

    def _count(self, **kw) -> None:
        if self.job_id is not None:
            self.client.store.llm.count_in_job(self.job_id, **kw)

    def _report(self) -> None:
        if self.on_progress is None:
            return
        total = len(self.requests)
        elapsed = time.perf_counter() - self.start
        eta = None
        if self.fresh:
            eta = (total - self.done) * elapsed / self.fresh  # cached answers are instant: rate of fresh ones
        self.on_progress(self.done, total, eta)


def _check_messages(messages) -> None:
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list of {role, content} dicts")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
            raise ValueError(f"not a chat message: {m!r}")


def _cause(e) -> str:
    inner = e.__cause__ or e.__context__
    while inner is not None and (inner.__cause__ or inner.__context__) is not None and not str(inner):
        inner = inner.__cause__ or inner.__context__
    text = str(inner) if inner is not None and str(inner) else str(e)
    return text.splitlines()[0][:160] if text else type(e).__name__


def _detail(e) -> str:
    """The endpoint's own error message, short."""
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        if err.get("message"):
            return str(err["message"])[:200]
    return (str(e).splitlines() or [type(e).__name__])[0][:200]
