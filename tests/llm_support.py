"""A scripted OpenAI-compatible HTTP endpoint for the LLM client's failure tests: a real server on 127.0.0.1 that
answers each POST /v1/chat/completions with what the test scripts (a 429, a 401, a body that is not JSON, ...).
The client under test talks to it over real HTTP, exactly as to a real endpoint; nothing in the client is stubbed.
Normal answers come from the real model server (`curation serve`, fixture `tiny_server` in conftest.py)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(text: str = "ok", finish: str = "stop", prompt_tokens: int = 10, completion_tokens: int = 3,
               model: str = "scripted") -> dict:
    """A well-formed chat.completion body."""
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


class ScriptedEndpoint:
    """`script(body) -> (status, headers, body)` answers each chat request (body: dict or text); `requests`
    records every request body received. GET /v1/models lists `models`."""

    def __init__(self, script, models=("scripted",)):
        self.script, self.models, self.requests = script, list(models), []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _send(self, status, headers, body):
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(200, {}, {"object": "list", "data": [{"id": m, "object": "model"} for m in outer.models]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer._lock:
                    outer.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                self._send(*outer.script(body))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def calibration_store(store, tmp_path):
    """Three task types: the judge tracks the humans on `good`, inverts them on `bad`, and has 4 items on `few`."""
    from curation.ingest import IngestSettings, ingest
    from tests.helpers import write_jsonl

    recs = []
    for tt, n in (("good/x", 16), ("bad/x", 16), ("few/x", 4)):
        for i in range(n):
            recs.append({"id": f"{tt[:3]}{i:02d}", "task_type": tt, "messages": [
                {"role": "user", "content": f"Question {tt} {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]})
    ingest(store, [write_jsonl(tmp_path / "c.jsonl", recs)], IngestSettings(dataset="c"))
    for r in recs:
        sid, i = r["id"], int(r["id"][3:])
        human = 1 + i % 5
        for who, delta in (("ann", 0), ("bob", 1 if i % 3 == 0 else 0)):
            h = min(5, human + delta)
            store.review.add({"sample_id": sid, "annotator": who, "sample_rev": 0, "verdict": "accept",
                              "accuracy": h, "completeness": h, "clarity": h, "consistency": h,
                              "difficulty": ["easy", "medium", "hard"][i % 3], "task_type": r["task_type"]})
        j = human if not sid.startswith("bad") else 6 - human
        store.judge.add({"sample_id": sid, "sample_rev": 0, "author": "judge:m", "accuracy": j, "completeness": j,
                         "conciseness": j, "consistency": j, "difficulty": 1 + (i % 3) * 2, "overall": float(j),
                         "task_type": r["task_type"], "rationales": {}})
    return store
