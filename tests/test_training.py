"""Training backend without a model: masking at token level, the launch audit, settings, batching, exports.

Uses only the offline tiny tokenizer (built in seconds, then cached), so these tests are fast.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from curation.errors import UserError

TRAIN_PAGE = Path(__file__).resolve().parents[1] / "pages" / "train.py"

WEATHER_TOOL = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                                  "parameters": {"type": "object"}}}]


def single_turn():
    return {"id": "single", "task_type": "qa/general", "messages": [
        {"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "2 + 3 = 5."}]}


def multi_turn():
    return {"id": "multi", "task_type": "chat/open", "messages": [
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "讲个笑话。"}, {"role": "assistant", "content": "为什么鸡要过马路？因为要去对面。"}]}


def with_system():
    return {"id": "system", "task_type": "translation/zh-en", "messages": [
        {"role": "system", "content": "你是翻译助手。"}, {"role": "user", "content": "翻译：你好"},
        {"role": "assistant", "content": "Hello"}]}


def with_tool_call():
    return {"id": "tool", "task_type": "agent/function call", "tools": WEATHER_TOOL, "messages": [
        {"role": "user", "content": "北京天气怎么样？"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_0", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\": \"北京\"}"}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": "{\"temp\": 3}"},
        {"role": "assistant", "content": "北京现在 3 度。"}]}


def tool_call_text(name: str, args: dict) -> str:
    """How the ChatML template writes a call (the model must learn exactly this)."""
    call = f'{{"name": {json.dumps(name)}, "arguments": {json.dumps(args, ensure_ascii=False)}}}'
    return f"<tool_call>\n{call}\n</tool_call>"


EOT = "<|im_end|>"
EXPECTED = {
    "single": ["2 + 3 = 5." + EOT],
    "multi": ["Hello! How can I help?" + EOT, "为什么鸡要过马路？因为要去对面。" + EOT],
    "system": ["Hello" + EOT],
    "tool": [tool_call_text("get_weather", {"city": "北京"}) + EOT, "北京现在 3 度。" + EOT],
}


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from training.tiny import ensure_tiny_tokenizer

    return AutoTokenizer.from_pretrained(ensure_tiny_tokenizer())


def encode(tokenizer, sample, max_length=512):
    from training.data import Encoder

    return Encoder(tokenizer, max_length).encode(sample)


def trained_pieces(tokenizer, enc):
    """Decode each run of labelled tokens; also check labels equal the input ids where set."""
    from training.data import IGNORE

    runs, cur = [], []
    for tid, lab in zip(enc.input_ids, enc.labels):
        if lab != IGNORE:
            assert lab == tid
            cur.append(tid)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return [tokenizer.decode(r) for r in runs]


@pytest.mark.parametrize("make", [single_turn, multi_turn, with_system, with_tool_call])
def test_trained_tokens_are_exactly_the_assistant_turns(tokenizer, make):
    sample = make()
    enc = encode(tokenizer, sample)
    assert trained_pieces(tokenizer, enc) == EXPECTED[sample["id"]]
    assert enc.missing_eot_turns == 0 and not enc.eot_appended and enc.unlocated_turns == 0
    # every other token (system, user, tool result, headers, the newline after <|im_end|>) is -100
    n_expected = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in EXPECTED[sample["id"]])
    assert enc.n_trained == n_expected


def test_template_without_end_of_turn_gets_eos_on_the_last_answer(tokenizer):
    """A template that writes no end-of-turn token: the final answer still ends with eos, and it is reported."""
    import copy

    tok = copy.deepcopy(tokenizer)
    tok.chat_template = ("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
                         "{% if add_generation_prompt %}assistant: {% endif %}")
    enc = encode(tok, multi_turn())
    assert enc.missing_eot_turns == 2 and enc.eot_appended
    pieces = trained_pieces(tok, enc)
    assert pieces[-1].endswith("因为要去对面。\n" + tok.eos_token)
    # the token carrying the space after "assistant:" starts the answer, so it is trained too
    assert pieces[0].lstrip(" ") == "Hello! How can I help?\n"


def test_template_with_inconsistent_prefixes_falls_back_to_search(tokenizer):
    """A template whose header depends on the conversation length renders prefixes differently."""
    import copy

    tok = copy.deepcopy(tokenizer)
    tok.chat_template = ("turns={{ messages|length }}\n{% for m in messages %}<|im_start|>{{ m.role }}\n"
                         "{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
                         "{% endif %}")
    enc = encode(tok, multi_turn())
    assert trained_pieces(tok, enc) == EXPECTED["multi"]


def test_tokenizer_without_template_gets_chatml(tokenizer):
    import copy

    from training.template import ensure_chat_template

    tok = copy.deepcopy(tokenizer)
    tok.chat_template = None
    assert ensure_chat_template(tok) == "chatml-fallback"
    assert trained_pieces(tok, encode(tok, with_system())) == EXPECTED["system"]


def test_truncation_reports_cut_turns(tokenizer):
    sample = {"id": "long", "messages": [{"role": "user", "content": "Write."},
                                         {"role": "assistant", "content": "word " * 200}]}
    enc = encode(tokenizer, sample, max_length=40)
    assert len(enc.input_ids) == 40 and enc.full_length > 40
    assert enc.truncated_turns == 1 and enc.n_trained > 0


def test_trained_segments_cover_the_text(tokenizer):
    from training.data import trained_segments

    enc = encode(tokenizer, with_tool_call())
    segs = trained_segments(tokenizer, enc)
    assert "".join(s["text"] for s in segs) == tokenizer.decode(enc.input_ids)
    assert [s["text"] for s in segs if s["trained"]] == EXPECTED["tool"]


# ------------------------------------------------------------ exports and the audit

def write_export(folder: Path, train: list[dict], eval_: list[dict]) -> Path:
    """An export folder as curation/export.py writes it (messages JSONL + manifest with file hashes)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, rows in (("train.jsonl", train), ("eval.jsonl", eval_)):
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        files[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    manifest = {"format": "messages", "created_at": "2025-01-01T00:00:00+00:00", "store_revision": 1, "seed": 42,
                "total": {"train": len(train), "eval": len(eval_)},
                "ids": {"train": [r["id"] for r in train], "eval": [r["id"] for r in eval_]}, "files": files,
                "content_hash": hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return folder


def numbered(make, n, prefix):
    out = []
    for k in range(n):
        s = make()
        s["id"] = f"{prefix}{k}"
        out.append(s)
    return out


@pytest.fixture
def export_dir(tmp_path):
    train = numbered(single_turn, 10, "a") + numbered(multi_turn, 10, "b") + numbered(with_tool_call, 10, "c")
    return write_export(tmp_path / "export", train, numbered(with_system, 4, "e"))


def test_audit_of_a_clean_export(export_dir):
    import training

    report = training.audit(export_dir, "tiny")
    assert report.ok and not report.fatal
    assert report.counts["train"] == 30 and report.counts["eval"] == 4
    assert report.counts["zero_trainable"] == 0 and report.counts["truncated"] == 0
    assert report.counts["missing_end_of_turn"] == 0
    assert 0 < report.tokens["trained_share"] < 1
    assert report.lengths["max"] <= report.max_length and report.lengths["over_max_share"] == 0
    assert [s["text"] for s in report.first_sample["segments"] if s["trained"]]


def test_audit_catches_planted_zero_trainable_and_truncated(tmp_path):
    import training

    prompt_only = {"id": "zero", "messages": [{"role": "user", "content": "long question " * 60},
                                              {"role": "assistant", "content": "short"}]}
    cut = {"id": "cut", "messages": [{"role": "user", "content": "Write a lot."},
                                     {"role": "assistant", "content": "answer " * 60}]}
    train = numbered(single_turn, 30, "ok") + [prompt_only, cut]
    folder = write_export(tmp_path / "planted", train, [])
    report = training.audit(folder, "tiny", {"max_length": 64})
    assert report.zero_trainable == ["zero"]
    assert {t["id"] for t in report.truncated} == {"zero", "cut"}  # the prompt-only one lost its answer too
    assert report.ok  # 1 of 32 is under the 5% / 20% thresholds: warnings, not fatal
    assert any("no trained token" in w for w in report.warnings)
    assert any("cut by max_length" in w for w in report.warnings)
    strict = training.audit(folder, "tiny", {"max_length": 64, "max_zero_trainable_share": 0.0})
    assert not strict.ok and any("no trained token" in f for f in strict.fatal)


def test_audit_warns_when_eval_overlaps_training(tmp_path):
    import training

    def qa(i, question):
        return {"id": i, "messages": [{"role": "user", "content": question},
                                      {"role": "assistant", "content": "An answer."}]}

    train = [qa(f"t{k}", f"Describe the history of city number {k} and its famous old river bridges.")
             for k in range(20)]
    eval_ = [qa("copy", train[3]["messages"][0]["content"]),
             qa("variant", "Describe the history of city number 7 and its famous old river bridge."),
             qa("fresh", "What is the boiling point of water at sea level?")]
    report = training.audit(write_export(tmp_path / "leaky", train, eval_), "tiny")
    assert report.ok and report.counts["eval_contaminated"] == 2
    assert {c["id"]: (c["train_id"], c["kind"]) for c in report.contaminated} == {
        "copy": ("t3", "exact"), "variant": ("t7", "near")}
    assert any("2 of 3 eval samples duplicate a training sample (1 exact, 1 near" in w for w in report.warnings)
    clean = training.audit(write_export(tmp_path / "clean", train, eval_[2:]), "tiny")
    assert clean.counts["eval_contaminated"] == 0 and not any("duplicate a training" in w for w in clean.warnings)


def test_launch_refuses_a_fatal_audit(tmp_path):
    from training.jobs import AuditRefused, launch

    bad = {"id": "zero", "messages": [{"role": "user", "content": "q " * 100}, {"role": "assistant", "content": "a"}]}
    folder = write_export(tmp_path / "bad", [bad] * 3, [])
    with pytest.raises(AuditRefused) as e:
        launch(folder, "tiny", tmp_path / "runs", {"max_length": 32})
    assert "no trained token" in str(e.value)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_changed_export_file_is_fatal(export_dir):
    import training

    with open(export_dir / "train.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(single_turn()) + "\n")
    report = training.audit(export_dir, "tiny")
    assert not report.ok and "changed after the export" in report.fatal[0]


def test_export_errors_are_user_errors(tmp_path, export_dir):
    from training.exports import load_export

    with pytest.raises(UserError, match="does not exist"):
        load_export(tmp_path / "nope")
    (export_dir / "manifest.json").write_text(json.dumps({"format": "alpaca"}))
    with pytest.raises(UserError, match="messages exports"):
        load_export(export_dir)
    (export_dir / "manifest.json").write_text(json.dumps({"format": "messages"}))
    (export_dir / "train.jsonl").write_text('{"messages": []}\nnot json\n')
    with pytest.raises(UserError, match="line 2"):
        load_export(export_dir)


# ------------------------------------------------------------ models

def test_bad_model_ids_give_clean_errors(tmp_path, monkeypatch):
    from training.models import load_tokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError, match="does not exist"):
        load_tokenizer(str(tmp_path / "no_such_model"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not a model folder"):
        load_tokenizer(str(tmp_path / "empty"))
    # An unknown hub id fails at once: offline, nothing is tried; online but unreachable, one probe and no
    # loader (whose retries would take a minute).
    import socket

    import transformers
    probes, loads = [], []

    def probe(*args, **kwargs):
        probes.append(args)
        raise OSError("unreachable")
    monkeypatch.setattr(socket, "create_connection", probe)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: loads.append(a))
    with pytest.raises(UserError, match="tiny"):
        load_tokenizer("no-such-org/no-such-model-xyz")
    assert probes == [] and loads == []
    monkeypatch.delenv("HF_HUB_OFFLINE")
    with pytest.raises(UserError, match="cannot be reached"):
        load_tokenizer("no-such-org/no-such-model-xyz")
    assert len(probes) == 1 and loads == []
    with pytest.raises(UserError, match="not an offline preset.*presets are: tiny, smollm2-135m"):
        load_tokenizer("not a model id!")


# ------------------------------------------------------------ settings

def test_overrides_are_typed_and_checked():
    from training.config import TrainSettings, apply_overrides, auto_epochs, default_settings, resolve

    s = apply_overrides(TrainSettings(), ["epochs=3", "learning_rate=2e-4", "gradient_checkpointing=true",
                                          "lora_alpha=auto", "batching=packed"])
    assert (s.epochs, s.learning_rate, s.gradient_checkpointing, s.lora_alpha, s.batching) == (
        3, 2e-4, True, None, "packed")
    assert resolve(s, 100).lora_alpha == 2 * s.lora_rank
    typed = apply_overrides(TrainSettings(), {"learning_rate": 0.0002, "epochs": 2, "lora_alpha": None})
    assert (typed.learning_rate, typed.epochs, typed.lora_alpha) == (0.0002, 2, None)
    with pytest.raises(UserError, match="whole number"):
        apply_overrides(TrainSettings(), {"epochs": 2.5})
    for bad, msg in [(["epochs=three"], "whole number"), (["nope=1"], "unknown setting"),
                     (["batching=sorted"], "one of"), (["learning_rate=5"], "between 0 and 1"),
                     (["epochs"], "key=value"), (["general_data_share=0.2"], "general_data_file")]:
        with pytest.raises(UserError, match=msg):
            apply_overrides(TrainSettings(), bad)
    assert [auto_epochs(n) for n in (500, 3000, 20000, 80000)] == [5, 3, 2, 1]
    assert resolve(TrainSettings(), 3000).epochs == 3
    assert default_settings("tiny").learning_rate > default_settings("Qwen/Qwen2.5-0.5B-Instruct").learning_rate


def test_every_setting_has_a_reason():
    from training.config import setting_reasons

    reasons = setting_reasons()
    assert reasons and all(len(r) > 20 for r in reasons.values())


# ------------------------------------------------------------ batching

def test_batch_plans_cover_every_sample_once():
    from training.data import plan_batches

    lengths = [10 + (i * 37) % 300 for i in range(203)]
    for mode in ("random", "length_grouped", "packed"):
        plan = plan_batches(lengths, 8, mode, seed=1, max_length=512)
        seen = sorted(i for b in plan for row in b for i in row)
        assert seen == list(range(203)), mode
        if mode == "packed":
            assert all(sum(lengths[i] for i in row) <= 512 for b in plan for row in b)
        else:
            assert all(len(row) == 1 and len(b) <= 8 for b in plan for row in b)
    assert plan_batches(lengths, 8, "length_grouped", 1, 512) == plan_batches(lengths, 8, "length_grouped", 1, 512)

    def padded(plan):
        return sum(len(b) * max(lengths[r[0]] for r in b) for b in plan)

    assert padded(plan_batches(lengths, 8, "length_grouped", 1, 512)) < 0.8 * padded(
        plan_batches(lengths, 8, "random", 1, 512))


def test_packed_collate_restarts_positions(tokenizer):
    from training.data import Encoder, collate

    enc = [Encoder(tokenizer, 512).encode(s) for s in (single_turn(), with_system())]
    batch = collate(enc, [[0, 1]], pad_id=0, packed=True)
    n0 = len(enc[0])
    pos = batch["position_ids"][0].tolist()
    assert pos[:n0] == list(range(n0)) and pos[n0:] == list(range(len(enc[1])))
    assert batch["attention_mask"] is None and batch["n_real"] == n0 + len(enc[1])


def test_cli_train_audit_only_and_errors(export_dir, capsys):
    from curation.cli import main

    assert main(["train", "--export", str(export_dir), "--base-model", "tiny", "--audit-only", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["counts"]["train"] == 30
    assert main(["train", "--export", str(export_dir), "--set", "epochs=three", "--json"]) == 2
    assert "epochs expects a whole number" in capsys.readouterr().err
    assert main(["train", "--export", str(export_dir / "missing"), "--json"]) == 2


def test_train_page_exports_the_selection_and_audits_it(demo_app_env):
    """Export the curated sample store from the Train page, audit it, see the highlighted first sample."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(TRAIN_PAGE), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    at.radio(key="train_source").set_value("Export the curated selection now").run()
    at.text_input(key="train_new_export").input("exports/from-page")
    at.button(key="train_export_now").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(s.value.startswith("Exported") for s in at.success)
    assert at.text_input(key="train_export").value.endswith("from-page")
    at.button(key="train_audit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success or at.error  # the sample store may or may not pass; either way a verdict is shown
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Train samples"].replace(",", "")) > 100
    segments = at.dataframe[-1].value
    assert list(segments.columns) == ["trained", "text"] and segments["trained"].any()
    at.text_input(key="train_export").input("../../outside").run()
    at.button(key="train_audit").click().run()
    assert any("outside the workspace" in e.value for e in at.error)


def test_train_page_refuses_a_resume_on_a_changed_export(demo_app_env):
    """Resume of a stopped run whose export was re-exported: refused with the option named, nothing started."""
    from streamlit.testing.v1 import AppTest

    from training.jobs import create_run

    train = numbered(single_turn, 10, "a")
    export = write_export(demo_app_env.parent / "exports" / "e1", train, numbered(with_system, 2, "e"))
    run = create_run(export, "tiny", demo_app_env.parent / "runs", {"max_steps": 2})
    (run / "status.json").write_text(json.dumps({"state": "failed", "reason": "killed"}))
    write_export(export, train[:9], numbered(with_system, 2, "e"))  # re-exported: another content hash
    at = AppTest.from_file(str(TRAIN_PAGE), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.checkbox(key="train_resume_changed").value is False
    at.button(key="train_resume").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # the page names its own control, not the CLI flag (issue 20 item 2)
    assert any("changed since this run used it" in e.value and "Resume even if the export changed" in e.value
               and "--allow-export-change" not in e.value for e in at.error)
    assert json.loads((run / "status.json").read_text())["state"] == "failed" and not (run / "pid").exists()
