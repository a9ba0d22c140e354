"""`curation serve` over real HTTP: the OpenAI client against the tiny preset, batching, sampling with a seed,
the errors a real server gives (unknown model, bad key, long prompt, streaming), adapters and the CLI command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from curation.errors import UserError
from curation.llm import AuthFailed, EndpointSettings, LLMClient, ModelNotFound, ServerError
from tests.helpers import ROOT
from tests.llm_support import free_port

HI = [{"role": "user", "content": "What is 2 + 3?"}]


def client(server, store=None, **kw) -> LLMClient:
    return LLMClient(EndpointSettings(base_url=server.base_url, model=kw.pop("model", "tiny"), backoff_s=0, **kw),
                     store)


def test_models_and_a_chat_completion_over_http(tiny_server, store):
    with urllib.request.urlopen(tiny_server.base_url + "/models") as r:
        assert [m["id"] for m in json.load(r)["data"]] == ["tiny"]
    c = client(tiny_server, store)
    r = c.chat(HI, temperature=0, max_tokens=16, allow_truncated=True)
    assert r.text and r.model == "tiny" and r.response_id.startswith("chatcmpl-") and not r.cached
    assert r.prompt_tokens > 5 and 1 <= r.completion_tokens <= 16 and r.finish_reason in ("stop", "length")
    assert c.chat(HI, temperature=0, max_tokens=16, allow_truncated=True).cached


def test_greedy_is_deterministic_and_max_tokens_cuts_the_answer(tiny_server):
    c = client(tiny_server)
    long = c.chat(HI, temperature=0, max_tokens=24, allow_truncated=True)
    short = c.chat(HI, temperature=0, max_tokens=3, allow_truncated=True)
    assert short.completion_tokens <= 3
    if long.completion_tokens > 3:  # greedy tokens do not depend on the limit: the short answer is a prefix
        # (a cut can end inside a multi-byte character, which decodes as U+FFFD)
        assert short.finish_reason == "length" and long.text.startswith(short.text.rstrip("\ufffd").strip())
    assert c.chat(HI, temperature=0, max_tokens=24, allow_truncated=True).text == long.text


def test_concurrent_requests_are_batched_and_all_answered(tiny_server, store):
    reqs = [{"messages": [{"role": "user", "content": f"Tell me about number {i}."}], "temperature": 0,
             "max_tokens": 8, "allow_truncated": True} for i in range(6)]
    results = client(tiny_server, store, concurrency=6).chat_many(reqs)
    assert all(r.text and r.completion_tokens <= 8 for r in results)
    assert len({r.response_id for r in results}) == 6


def test_sampling_with_a_seed_repeats_and_without_varies(tiny_server):
    c = client(tiny_server)
    a = c.chat(HI, temperature=1.0, max_tokens=12, seed=7, allow_truncated=True)
    b = c.chat(HI, temperature=1.0, max_tokens=12, seed=7, allow_truncated=True)
    assert a.text == b.text
    texts = {c.chat(HI, temperature=1.5, max_tokens=12, seed=s, allow_truncated=True).text for s in range(5)}
    assert len(texts) > 1  # five seeds at temperature 1.5 do not all give the same 12 tokens


def test_unknown_model_is_a_404_that_lists_the_served_model(tiny_server):
    with pytest.raises(ModelNotFound, match=r"'gpt-4o' is not served at .*it serves: tiny"):
        client(tiny_server, model="gpt-4o").chat(HI)


def test_server_with_a_key_refuses_requests_without_it(tiny_chat_model, monkeypatch):
    from training.serve import ServeSettings, start_server

    monkeypatch.setenv("WB_SERVE_KEY", "local-secret")
    server = start_server(ServeSettings(port=0, api_key_env="WB_SERVE_KEY"), model=tiny_chat_model,
                          log=lambda m: None).start()
    try:
        monkeypatch.delenv("WB_CLIENT_KEY", raising=False)
        with pytest.raises(AuthFailed, match=r"\(401\): \$WB_CLIENT_KEY is not set"):
            client(server, api_key_env="WB_CLIENT_KEY").chat(HI)
        monkeypatch.setenv("WB_CLIENT_KEY", "local-secret")
        assert client(server, api_key_env="WB_CLIENT_KEY").chat(HI, max_tokens=4, allow_truncated=True).text
    finally:
        server.stop()


def test_requests_the_server_cannot_answer_get_a_clear_400(tiny_server):
    with pytest.raises(ServerError, match=r"\(400\): the prompt has \d+ tokens, beyond the model's context of 1024"):
        client(tiny_server).chat([{"role": "user", "content": "字" * 3000}])
    with pytest.raises(ServerError, match=r"\(400\): streaming is not supported"):
        client(tiny_server).chat(HI, stream=True)


def _fake_lora_run(tmp_path, base_model: str = "tiny"):
    """A run folder with a real LoRA adapter on tiny (random, non-zero weights: it changes the answers)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from training.models import load_model

    run = tmp_path / "run-x"
    (run / "adapter").mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"base_model": base_model}))
    loaded = load_model("tiny", "cpu")
    torch.manual_seed(0)
    peft_model = get_peft_model(loaded.model, LoraConfig(r=4, target_modules=["q_proj", "v_proj", "o_proj"],
                                                         init_lora_weights=False))
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    peft_model.save_pretrained(str(run / "adapter"))  # adapter_model.safetensors
    return run


def test_adapter_of_a_run_is_served_and_changes_the_answers(tmp_path, tiny_chat_model):
    from training.serve import ChatModel

    run = _fake_lora_run(tmp_path)
    tuned = ChatModel(adapter=str(run), device="cpu")
    assert tuned.name == "run-x" and tuned.base_model == "tiny"
    msgs = [{"role": "user", "content": "Tell me a story about a cat."}]
    base_answer = tiny_chat_model.answer(msgs, max_tokens=12)
    tuned_answer = tuned.answer(msgs, max_tokens=12)
    assert tuned_answer["text"] != base_answer["text"]
    with pytest.raises(UserError, match=r"trained on 'tiny', not 'smollm2-135m'"):
        ChatModel("smollm2-135m", adapter=str(run))
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "adapter_model.bin").write_bytes(b"pickle")
    with pytest.raises(UserError, match="only safetensors adapters are loaded"):
        ChatModel(adapter=str(tmp_path / "bare"))


def test_answer_uses_the_system_prompt(tiny_chat_model):
    plain = tiny_chat_model.encode([{"role": "user", "content": "hi"}])
    with_system = tiny_chat_model.encode([{"role": "system", "content": "You are terse."},
                                          {"role": "user", "content": "hi"}])
    assert len(with_system) > len(plain)
    out = tiny_chat_model.answer([{"role": "user", "content": "hi"}], system="You are terse.", max_tokens=4)
    assert out["prompt_tokens"] == len(with_system) and out["completion_tokens"] <= 4


def test_serve_command_answers_over_http_until_stopped(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "curation", "serve", "--base-model", "tiny", "--port", str(port),
                             "--device", "cpu"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert json.load(r)["model"] == "tiny"
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.time() < deadline, "serve did not come up within 120 s"
                time.sleep(0.5)
        c = LLMClient(EndpointSettings(base_url=f"http://127.0.0.1:{port}/v1", model="tiny"))
        assert c.chat(HI, temperature=0, max_tokens=6, allow_truncated=True).completion_tokens <= 6
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    err = proc.stderr.read()
    assert f"serving tiny at http://127.0.0.1:{port}/v1" in err
    assert "POST /v1/chat/completions 200 prompt=" in err and "2 + 3" not in err  # no content in the log


def test_serve_refuses_a_port_in_use(tiny_chat_model, tiny_server):
    from training.serve import ServeSettings, start_server

    port = int(tiny_server.base_url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(UserError, match=rf"cannot listen on 127.0.0.1:{port} .*choose another port"):
        start_server(ServeSettings(port=port), model=tiny_chat_model)


def test_chat_targets_list_finished_adapters_and_checkpoints(tmp_path):
    from training.serve import chat_targets

    run = tmp_path / "run-a"
    (run / "adapter").mkdir(parents=True)
    (run / "adapter" / "adapter_model.safetensors").write_bytes(b"")
    for step in ("step-000020", "step-000040"):
        (run / "checkpoints" / step).mkdir(parents=True)
    (run / "checkpoints" / "step-000020" / "adapter_model.safetensors").write_bytes(b"")  # step 40: no weights yet
    (tmp_path / "run-b").mkdir()  # unfinished: nothing to load
    assert chat_targets([run, tmp_path / "run-b"]) == [str(run), str(run / "checkpoints" / "step-000020")]


def test_chat_with_needs_a_message_and_names_the_model():
    from training.serve import chat_with

    out = chat_with("tiny", None, [{"role": "user", "content": "hi"}], "Be brief.", max_tokens=4)
    assert out["model"] == "tiny" and out["completion_tokens"] <= 4
    with pytest.raises(UserError, match="type a message"):
        chat_with("tiny", None, [{"role": "user", "content": "  "}])


def test_a_client_that_gives_up_is_logged_not_crashed(tiny_chat_model):
    import socket

    from training.serve import ServeSettings, start_server

    lines = []
    server = start_server(ServeSettings(port=0), model=tiny_chat_model, log=lines.append).start()
    try:
        host, port = server.httpd.server_address[:2]
        body = json.dumps({"model": "tiny", "messages": HI, "max_tokens": 64, "temperature": 0}).encode()
        with socket.create_connection((host, port)) as sock:  # send a request, then hang up before the answer
            sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        deadline = time.time() + 60
        while not any("POST /v1/chat/completions" in line for line in lines) and time.time() < deadline:
            time.sleep(0.2)
        assert client(server).chat(HI, max_tokens=4, allow_truncated=True).text  # still serving
    finally:
        server.stop()
    assert any("POST /v1/chat/completions" in line for line in lines)
