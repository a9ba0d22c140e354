"""The OpenAI-compatible client over real HTTP: caching, jobs (tokens, cost, resume), retries and every failure
the issue names. The endpoint is a scripted HTTP server (tests/llm_support.py) where a failure must be provoked;
answers from a real model are tested against `curation serve` in test_llm_serve.py."""
from __future__ import annotations

import time

import pytest

from curation.llm import (AuthFailed, BadResponse, EndpointSettings, EndpointUnreachable, LLMClient, LLMError,
                          ModelNotFound, RateLimited, ServerError, WrongLanguage)
from curation.llm.progress import StderrProgress, format_eta
from tests.llm_support import ScriptedEndpoint, completion, free_port

USER = [{"role": "user", "content": "Say hi"}]


def settings(base_url: str, **kw) -> EndpointSettings:
    return EndpointSettings(base_url=base_url, model="scripted", **{"backoff_s": 0.0, **kw})


def echo(body):
    """Answer with the user's text, so each request's answer is recognisable."""
    return 200, {}, completion("echo: " + body["messages"][-1]["content"], prompt_tokens=7, completion_tokens=5)


def test_second_identical_request_is_answered_from_the_store(store):
    with ScriptedEndpoint(echo) as ep:
        client = LLMClient(settings(ep.base_url), store)
        first = client.chat(USER, temperature=0, seed=1)
        again = LLMClient(settings(ep.base_url), store).chat(USER, temperature=0, seed=1)
        other = client.chat(USER, temperature=0, seed=2)  # any parameter is part of the request hash
    assert (first.text, first.cached, first.prompt_tokens, first.completion_tokens) == ("echo: Say hi", False, 7, 5)
    assert again.cached and again.text == first.text and again.request_hash == first.request_hash
    assert not other.cached and other.request_hash != first.request_hash
    assert len(ep.requests) == 2
    assert ep.requests[0]["body"]["seed"] == 1 and ep.requests[0]["body"]["model"] == "scripted"


def test_chat_many_keeps_order_counts_tokens_and_cost_and_reports_progress(store):
    seen = []
    reqs = [{"messages": [{"role": "user", "content": f"q{i}"}], "temperature": 0} for i in range(9)]
    with ScriptedEndpoint(echo) as ep:
        client = LLMClient(settings(ep.base_url, concurrency=3, price_in_per_mtok=2.0, price_out_per_mtok=10.0), store)
        results = client.chat_many(reqs, on_progress=lambda d, t, eta: seen.append((d, t, eta)))
        job = store.llm.jobs.get(client.last_job_id)
        rerun = client.chat_many(reqs)
    assert [r.text for r in results] == [f"echo: q{i}" for i in range(9)]
    assert [d for d, _, _ in seen] == list(range(1, 10)) and all(t == 9 for _, t, _ in seen)
    assert seen[-1][2] == 0 and all(eta is not None and eta >= 0 for _, _, eta in seen)
    assert (job["n_requests"], job["n_done"], job["n_cached"], job["n_failed"], job["status"]) == (9, 9, 0, 0, "done")
    assert (job["prompt_tokens"], job["completion_tokens"]) == (63, 45)
    assert job["cost"] == pytest.approx((63 * 2.0 + 45 * 10.0) / 1e6)
    assert job["settings"]["api_key_env"] == "OPENAI_API_KEY" and job["settings"]["concurrency"] == 3
    # the re-run costs nothing: every answer comes from the cache, no request reaches the endpoint
    assert all(r.cached for r in rerun) and len(ep.requests) == 9
    again = store.llm.jobs.get(client.last_job_id)
    assert (again["n_cached"], again["prompt_tokens"], again["cost"]) == (9, 0, 0.0)


def test_a_killed_job_resumes_where_it_stopped_and_loses_no_paid_response(store):
    reqs = [{"messages": [{"role": "user", "content": f"q{i}"}]} for i in range(8)]

    def stop_after_three(done, total, eta):
        if done == 3:
            raise KeyboardInterrupt

    with ScriptedEndpoint(echo) as ep:
        client = LLMClient(settings(ep.base_url, concurrency=1), store)
        with pytest.raises(KeyboardInterrupt):
            client.chat_many(reqs, on_progress=stop_after_three)
        job_id = client.last_job_id
        assert store.llm.jobs.get(job_id)["status"] == "interrupted"
        paid = len(ep.requests)
        assert store.llm.count_responses(job_id) == paid >= 3  # every answer received was written at once
        results = client.chat_many(reqs, job_id=job_id)
    assert [r.text for r in results] == [f"echo: q{i}" for i in range(8)]
    assert len(ep.requests) == 8  # the resumed job asked only for what was missing
    assert sum(r.cached for r in results) == paid
    job = store.llm.jobs.get(job_id)
    assert job["status"] == "done" and job["prompt_tokens"] == 8 * 7  # each response paid for once


def test_rate_limit_is_retried_with_backoff_honouring_retry_after(store):
    calls = []

    def limited_twice(body):
        calls.append(1)
        if len(calls) <= 2:
            return 429, {"Retry-After": "0.25"}, {"error": {"message": "slow down", "type": "rate_limit"}}
        return echo(body)

    delays = []
    with ScriptedEndpoint(limited_twice) as ep:
        r = LLMClient(settings(ep.base_url), store, sleep=delays.append).chat(USER)
    assert r.text == "echo: Say hi" and len(ep.requests) == 3 and delays == [0.25, 0.25]


def test_rate_limit_that_never_ends_names_the_fix():
    with ScriptedEndpoint(lambda b: (429, {}, {"error": {"message": "quota exceeded"}})) as ep:
        delays = []
        with pytest.raises(RateLimited, match=r"429\) after 3 retries; lower the concurrency \(now 4\).*quota"):
            LLMClient(settings(ep.base_url, max_retries=3, backoff_s=1.0), sleep=delays.append).chat(USER)
    assert len(ep.requests) == 4
    # exponential backoff: 1 s, 2 s, 4 s, each with jitter between half and one and a half times
    assert len(delays) == 3 and all(0.5 * 2 ** i <= d <= 1.5 * 2 ** i for i, d in enumerate(delays))


def test_server_errors_are_retried_then_reported():
    state = {"n": 0}

    def flaky(body):
        state["n"] += 1
        return (503, {}, {"error": {"message": "overloaded"}}) if state["n"] == 1 else echo(body)

    with ScriptedEndpoint(flaky) as ep:
        assert LLMClient(settings(ep.base_url)).chat(USER).text == "echo: Say hi"
    with ScriptedEndpoint(lambda b: (500, {}, {"error": {"message": "boom"}})) as ep:
        with pytest.raises(ServerError, match=r"kept failing \(500\) after 2 retries: boom"):
            LLMClient(settings(ep.base_url, max_retries=2)).chat(USER)
    with ScriptedEndpoint(lambda b: (400, {}, {"error": {"message": "bad temperature"}})) as ep:
        with pytest.raises(ServerError, match=r"refused the request \(400\): bad temperature"):
            LLMClient(settings(ep.base_url)).chat(USER)
        assert len(ep.requests) == 1  # a 4xx is not retried


def test_bad_key_names_the_variable_and_the_key_is_never_stored(store, monkeypatch):
    monkeypatch.setenv("WB_TEST_KEY", "sk-secret-123")
    with ScriptedEndpoint(lambda b: (401, {}, {"error": {"message": "Incorrect API key"}})) as ep:
        client = LLMClient(settings(ep.base_url, api_key_env="WB_TEST_KEY"), store)
        with pytest.raises(AuthFailed, match=r"refused the API key \(401\): the key in \$WB_TEST_KEY was refused"):
            client.chat(USER)
        results = client.chat_many([{"messages": USER}] * 5)
    assert ep.requests[0]["auth"] == "Bearer sk-secret-123"
    assert all(isinstance(r, AuthFailed) for r in results)
    assert len(ep.requests) <= 1 + 2 * 4  # the job stopped at the first refusal; at most one window was in flight
    job = store.llm.jobs.get(client.last_job_id)
    assert job["status"] == "failed" and job["n_failed"] == 5 and "WB_TEST_KEY" in job["note"]
    dumped = str(store._q("SELECT * FROM llm_jobs")) + str(store._q("SELECT * FROM llm_responses"))
    assert "sk-secret-123" not in dumped


def test_missing_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("WB_UNSET_KEY", raising=False)
    with ScriptedEndpoint(lambda b: (401, {}, {"error": {"message": "no key"}})) as ep:
        with pytest.raises(AuthFailed, match=r"\$WB_UNSET_KEY is not set; set WB_UNSET_KEY"):
            LLMClient(settings(ep.base_url, api_key_env="WB_UNSET_KEY")).chat(USER)


def test_unknown_model_lists_what_the_endpoint_serves():
    with ScriptedEndpoint(lambda b: (404, {}, {"error": {"message": "model not found"}}),
                          models=("qwen-plus", "qwen-max")) as ep:
        with pytest.raises(ModelNotFound, match=r"'scripted' is not served at .*it serves: qwen-plus, qwen-max"):
            LLMClient(settings(ep.base_url)).chat(USER)


def test_unreachable_endpoint_fails_fast_and_stops_the_job(store):
    client = LLMClient(settings(f"http://127.0.0.1:{free_port()}/v1", concurrency=2), store)
    start = time.perf_counter()
    with pytest.raises(EndpointUnreachable, match=r"cannot reach http://127.0.0.1:\d+/v1 .*`curation serve`"):
        client.chat(USER)
    results = client.chat_many([{"messages": [{"role": "user", "content": f"q{i}"}]} for i in range(20)])
    assert all(isinstance(r, EndpointUnreachable) for r in results)
    assert time.perf_counter() - start < 10  # no retries, no backoff on a refused connection
    assert store.llm.jobs.get(client.last_job_id)["status"] == "failed"


def test_timeout_is_retried_then_reported():
    def slow(body):
        time.sleep(1.0)
        return echo(body)

    with ScriptedEndpoint(slow) as ep:
        with pytest.raises(EndpointUnreachable, match=r"did not answer within 0.2 s \(2 tries\)"):
            LLMClient(settings(ep.base_url, timeout_s=0.2, max_retries=1)).chat(USER)


@pytest.mark.parametrize("body, message", [
    ("<html>502 Bad Gateway</html>", r"not JSON \(«<html>502"),
    ({"id": "x", "choices": []}, r"without choices"),
    ({"choices": [{"message": {"content": {"a": 1}}, "finish_reason": "stop"}]}, r"content is dict, not text"),
    (completion(""), r"empty answer"),
])
def test_malformed_responses_are_bad_responses(body, message):
    with ScriptedEndpoint(lambda b: (200, {}, body)) as ep:
        with pytest.raises(BadResponse, match=message):
            LLMClient(settings(ep.base_url)).chat(USER)


def test_truncated_answer_is_an_error_but_stays_cached(store):
    with ScriptedEndpoint(lambda b: (200, {}, completion("The answer is", finish="length"))) as ep:
        client = LLMClient(settings(ep.base_url), store)
        with pytest.raises(BadResponse, match=r"cut off at max_tokens=4 .*raise max_tokens"):
            client.chat(USER, max_tokens=4)
        assert client.chat(USER, max_tokens=4, allow_truncated=True).cached  # the paid answer was kept
    assert len(ep.requests) == 1


def test_answer_in_the_wrong_language_is_rejected():
    with ScriptedEndpoint(lambda b: (200, {}, completion("The capital of France is Paris."))) as ep:
        client = LLMClient(settings(ep.base_url))
        with pytest.raises(WrongLanguage, match=r"asked for an answer in Chinese \(zh\) but got en"):
            client.chat(USER, language="zh")
        assert client.chat(USER, language="en").text.startswith("The capital")
    with ScriptedEndpoint(lambda b: (200, {}, completion("法国的首都是巴黎。"))) as ep:
        assert LLMClient(settings(ep.base_url)).chat(USER, language="zh").text == "法国的首都是巴黎。"
        results = LLMClient(settings(ep.base_url)).chat_many([{"messages": USER, "language": "en"}])
        assert isinstance(results[0], WrongLanguage)  # returned in place, not raised: the job goes on


def test_settings_are_checked_before_any_call():
    with pytest.raises(LLMError, match="not an http"):
        LLMClient(EndpointSettings(base_url="127.0.0.1:8765", model="m"))
    with pytest.raises(LLMError, match="no model named"):
        LLMClient(EndpointSettings(base_url="http://127.0.0.1:1/v1", model=" "))


def test_progress_line_shows_count_and_eta(capsys):
    p = StderrProgress("judge", every_s=0)
    p(1, 4, None)
    p(4, 4, 0.0)
    err = capsys.readouterr().err
    assert "judge: 1/4 (25%) ETA ?" in err and "judge: 4/4 (100%) ETA 0s" in err
    assert format_eta(65) == "1m05s" and format_eta(42.4) == "42s"
