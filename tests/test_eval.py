"""Evaluation sets, decontamination and the evaluation of a run with a real (tiny) model."""
from __future__ import annotations

import json

import pytest

from curation.errors import UserError
from training.contamination import DecontamSettings, find_contamination
from training.eval_sets import cap_per_type, load_file_suite, split_suite
from training.evaluate import LOSS, OVERALL, EvalSettings, build_suites, forgetting


def _sample(i, question, answer="ok", task_type="qa/general"):
    return {"id": i, "task_type": task_type,
            "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


# ---------------------------------------------------------------- decontamination
TRAIN_QUESTIONS = [
    "Lucy bakes 24 cookies and gives a third of them to her neighbours. How many cookies does she keep?",
    "A train leaves at 9:15 and arrives at 11:40. How long is the journey in minutes?",
    "把下面这句话翻译成英文：今天下午我们在图书馆见面。",
    "Write a short poem about the autumn moon over the river.",
    "Explain why the sky looks blue during the day.",
]


def test_decontamination_catches_planted_near_duplicate():
    train = [_sample(f"tr{k}", q) for k, q in enumerate(TRAIN_QUESTIONS)]
    evals = [
        # planted near duplicate: a few words changed, punctuation and case differ
        _sample("e_near", "lucy bakes 24 cookies and gives one third of them to her neighbours. how many cookies "
                          "does she keep ?"),
        # exact duplicate after normalisation (ASCII instead of full-width colon, ideographic full stop)
        _sample("e_exact", "把下面这句话翻译成英文:今天下午我们在图书馆见面."),
        # same template, different content: not a duplicate
        _sample("e_other", "Explain why leaves change colour in autumn, in two sentences."),
        _sample("e_new", "What is the boiling point of water at sea level in Fahrenheit?"),
    ]
    found = find_contamination(evals, train)
    assert set(found) == {"e_near", "e_exact"}
    assert found["e_near"] == {"train_id": "tr0", "kind": "near", "similarity": pytest.approx(
        found["e_near"]["similarity"])} and found["e_near"]["similarity"] >= 0.7
    assert found["e_exact"]["kind"] == "exact" and found["e_exact"]["train_id"] == "tr2"
    # A stricter threshold lets the near duplicate through but still catches the exact one.
    strict = find_contamination(evals, train, DecontamSettings(threshold=0.99))
    assert set(strict) == {"e_exact"}


def test_decontamination_with_nothing_to_compare():
    assert find_contamination([], [_sample("a", "x")]) == {}
    assert find_contamination([_sample("a", "x")], []) == {}


# ---------------------------------------------------------------- evaluation sets
def test_gsm8k_style_benchmark_file(tmp_path, corpora_dir):
    lines = (corpora_dir / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()[:20]
    path = tmp_path / "gsm8k_test.jsonl"
    path.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    suite = load_file_suite(path, "benchmark", "exact_match")
    assert suite.name == "benchmark-gsm8k_test" and suite.metric == "exact_match"
    assert len(suite.items) == 20 and len(suite.skipped) == 1 and suite.skipped[0]["line"] == 21
    assert suite.skipped[0]["reason"].startswith("not valid JSON")
    first = suite.items[0]
    assert first["task_type"] == "benchmark/gsm8k_test"
    assert first["messages"][0]["role"] == "user" and first["reference"].endswith("#### 72")


def test_messages_benchmark_file_and_sharegpt(tmp_path):
    recs = [_sample("a", "Q1", "A1", "reasoning/math"),
            {"id": "b", "conversations": [{"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}]},
            {"id": "c", "messages": [{"role": "user", "content": "no answer"}]}]
    path = tmp_path / "bench.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    suite = load_file_suite(path)
    assert [i["id"] for i in suite.items] == ["a", "b"]
    assert suite.items[0]["task_type"] == "reasoning/math" and suite.items[1]["task_type"] == "benchmark/bench"
    assert suite.skipped and "assistant answer" in suite.skipped[0]["reason"]


def test_bad_benchmark_files_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_file_suite(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"foo": 1}\n', encoding="utf-8")
    with pytest.raises(UserError, match="no usable items"):
        load_file_suite(empty)
    with pytest.raises(UserError, match="unknown metric"):
        load_file_suite(empty, metric="bleu")


def test_split_suite_and_cap():
    samples = [_sample(f"s{k:02d}", f"q{k}", task_type="a/x" if k % 2 else "b/y") for k in range(10)]
    samples.append({"id": "bad", "messages": [{"role": "user", "content": "q"}]})
    suite = split_suite(samples)
    assert len(suite.items) == 10 and suite.skipped[0]["id"] == "bad"
    capped = cap_per_type(suite.items, 2)
    assert sorted(i["id"] for i in capped) == ["s00", "s01", "s02", "s03"]
    assert cap_per_type(suite.items, 0) == suite.items


def test_configured_metric_per_task_type(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    evals = [_sample("e1", "2+2?", "#### 4", "reasoning/math"), _sample("e2", "Sentiment?", "positive", "cls/x")]
    (export / "eval.jsonl").write_text("\n".join(json.dumps(e) for e in evals), encoding="utf-8")
    (export / "train.jsonl").write_text(json.dumps(_sample("t1", "hi")) + "\n", encoding="utf-8")
    (export / "manifest.json").write_text(json.dumps({"format": "messages"}), encoding="utf-8")
    s = EvalSettings(metrics={"cls": "exact_match"})
    [suite] = build_suites({"export_dir": str(export)}, s)
    assert {i["id"]: i["metrics"] for i in suite.items} == {"e1": ["exact_match"], "e2": ["exact_match"]}
    [suite] = build_suites({"export_dir": str(export)}, EvalSettings())
    assert {i["id"]: i["metrics"] for i in suite.items} == {"e1": ["exact_match"], "e2": ["rouge_l", "char_f1"]}


def test_benchmark_and_general_sets_are_added(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "eval.jsonl").write_text(json.dumps(_sample("e1", "2+2?", "#### 4", "reasoning/math")) + "\n",
                                       encoding="utf-8")
    (export / "train.jsonl").write_text(json.dumps(_sample("t1", "hi")) + "\n", encoding="utf-8")
    (export / "manifest.json").write_text(json.dumps({"format": "messages"}), encoding="utf-8")
    bench = tmp_path / "qa.jsonl"
    bench.write_text(json.dumps({"question": "Capital of France?", "answer": "Paris"}) + "\n", encoding="utf-8")
    general = tmp_path / "general.jsonl"
    general.write_text(json.dumps(_sample("g1", "Say hi", "Hi!", "chat/open")) + "\n", encoding="utf-8")
    from training.evaluate import Benchmark
    suites = build_suites({"export_dir": str(export)}, EvalSettings(general_file=str(general)),
                          [Benchmark(str(bench), "char_f1")])
    assert [(s.name, s.kind) for s in suites] == [("eval", "eval"), ("benchmark-qa", "benchmark"),
                                                  ("general", "general")]
    assert suites[1].items[0]["metrics"] == ["char_f1"]  # the declared metric wins over the type default
    assert suites[2].items[0]["metrics"] == ["rouge_l", "char_f1"]
    with pytest.raises(UserError, match="share a name"):
        build_suites({"export_dir": str(export)}, EvalSettings(), [Benchmark(str(bench)), Benchmark(str(bench))])


def test_forgetting_flag():
    rows = [{"task_type": OVERALL, "metric": "score", "verdict": "worse", "delta": -0.2, "ci_low": -0.3,
             "ci_high": -0.1, "n": 50},
            {"task_type": OVERALL, "metric": LOSS, "verdict": "no significant change", "delta": 0.01,
             "ci_low": -0.02, "ci_high": 0.04, "n": 50}]
    reasons = forgetting(rows)
    assert len(reasons) == 1 and reasons[0].startswith("score dropped by 0.2000") and "n=50" in reasons[0]
    rows[0]["verdict"] = "no significant change"
    assert forgetting(rows) == []


def _leaky_run(tmp_path):
    from training.rundir import RunFolder, write_json

    export = tmp_path / "export"
    export.mkdir()
    train = [_sample(f"t{k}", q) for k, q in enumerate(TRAIN_QUESTIONS)]
    evals = [_sample("leak", TRAIN_QUESTIONS[0]), _sample("new", "How many legs does a spider have?")]
    for name, rows in (("train.jsonl", train), ("eval.jsonl", evals)):
        (export / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (export / "manifest.json").write_text(json.dumps({"format": "messages"}), encoding="utf-8")
    rf = RunFolder(tmp_path / "run")
    rf.path.mkdir()
    write_json(rf.config, {"export_dir": str(export), "base_model": "tiny", "settings": {}})
    return rf


def test_overlap_is_reported_before_any_model_is_loaded(tmp_path, monkeypatch):
    from training import evaluate as ev

    rf = _leaky_run(tmp_path)
    [preview] = ev.overlap_preview(rf.path)
    assert (preview["suite"], preview["items"], preview["contaminated"], preview["exact"]) == ("eval", 2, 1, 1)
    assert preview["ids"] == ["leak"] and "1 of 2 items of eval duplicate a training sample" in preview["warning"]

    rf.adapter.mkdir()
    (rf.adapter / "adapter_model.safetensors").write_bytes(b"")  # a finished run, as far as the check goes
    messages = []

    def no_model(self, label, say):
        raise RuntimeError("a model would be loaded now")

    monkeypatch.setattr(ev._ModelPair, "load", no_model)
    with pytest.raises(RuntimeError, match="model would be loaded"):
        ev.evaluate_run(rf.path, progress=lambda m, f=None: messages.append(m))
    assert any(m.startswith("warning: 1 of 2 items of eval duplicate") for m in messages)


# ---------------------------------------------------------------- a real model
@pytest.mark.slow
def test_untrained_adapter_shows_no_significant_change(tmp_path):
    """An adapter whose LoRA update is still zero is the base model: outputs and losses are identical, and
    every row says "no significant change" (no false win from noise)."""
    from peft import LoraConfig, get_peft_model

    from training.evaluate import evaluate_run, load_items
    from training.models import load_model
    from training.rundir import RunFolder, write_json

    export = tmp_path / "export"
    export.mkdir()
    evals = [_sample(f"e{k}", f"What is {k} plus {k + 3}?", f"{k} + {k + 3} = {2 * k + 3}\n#### {2 * k + 3}",
                     "reasoning/math") for k in range(8)]
    evals += [_sample(f"c{k}", f"What is the capital of country number {k}?", f"It is city {k}.", "qa/capital")
              for k in range(6)]
    (export / "eval.jsonl").write_text("\n".join(json.dumps(e) for e in evals), encoding="utf-8")
    (export / "train.jsonl").write_text(json.dumps(_sample("t1", "Say hello.", "Hello!")) + "\n", encoding="utf-8")
    (export / "manifest.json").write_text(json.dumps({"format": "messages"}), encoding="utf-8")
    rf = RunFolder(tmp_path / "run")
    rf.path.mkdir()
    write_json(rf.config, {"export_dir": str(export), "base_model": "tiny", "settings": {"max_length": 256}})
    loaded = load_model("tiny", "cpu")
    peft = get_peft_model(loaded.model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    peft.save_pretrained(str(rf.adapter), safe_serialization=True)

    messages = []
    result = evaluate_run(rf.path, EvalSettings(max_new_tokens=16, device="cpu"),
                          progress=lambda m, f=None: messages.append(m))
    [report] = result["suites"]
    assert {r["task_type"] for r in report["rows"]} == {"reasoning/math", "qa/capital", OVERALL}
    for row in report["rows"]:
        assert row["delta"] == pytest.approx(0, abs=1e-6), row
        # 8 and 6 items per type are below the 10 needed for an interval; the 14 overall get one.
        expected = "no significant change" if row["task_type"] == OVERALL else "too few items"
        assert row.get("score_verdict", row["verdict"]) == expected, row
        # The untrained tiny model answers noise: where that noise is degenerate, its scores say so.
        degenerate = bool(row["degeneracy"]["tuned"]["reasons"] or report["degeneracy"]["reasons"])
        assert row["verdict"] == ("degenerate" if degenerate and row["metric"] != LOSS else expected), row
        assert row["base_degenerate"] == row["tuned_degenerate"]  # the same outputs
    assert report["decoding"]["do_sample"] is False and report["decoding"]["max_new_tokens"] == 16
    items = load_items(rf.path)
    assert len(items) == 14 and all(i["base"]["output"] == i["tuned"]["output"] for i in items)
    # Runaway = the answer hit max_new_tokens (16) without an end-of-turn token; the tiny model does both.
    runaway = [i["tuned"]["degeneracy"]["runaway"] for i in items]
    assert all(i["tuned"]["new_tokens"] == 16 for i, r in zip(items, runaway) if r) and any(runaway)
    assert not all(runaway) and all(i["tuned"]["new_tokens"] <= 16 for i in items)
    assert any("generated" in m for m in messages)


def test_pipeline_settings_survive_config_json():
    """The pipeline re-reads its settings from config.json: every nested settings object must come back as one
    (the degeneracy settings came back as a dict, and the evaluate stage failed on `.ngram`)."""
    import dataclasses

    from training.metrics import DegeneracySettings
    from training.pipeline import PipelineSettings, settings_from_dict
    s = PipelineSettings(eval=EvalSettings(degeneracy=DegeneracySettings(ngram=5)))
    back = settings_from_dict(json.loads(json.dumps(dataclasses.asdict(s))))
    assert back == s and back.eval.degeneracy.ngram == 5


def test_answer_budget_per_task_type_and_the_cpu_ceiling(tmp_path):
    """max_new_tokens 0 = per task_type from its references (a label is not decoded to an essay's budget); an
    offline preset on the CPU caps it (training/presets.py), and on a GPU the cap does not apply."""
    from types import SimpleNamespace

    from training.evaluate import _ModelPair, auto_limit
    from training.presets import PRESETS, SMOLLM2
    from training.rundir import RunFolder

    assert auto_limit([1, 2, 2]) == 32 and auto_limit([100] * 19 + [1000]) == 512
    assert auto_limit(list(range(1, 101))) == 121  # 1.25 x the 95th percentile (96), plus one

    def words(text, add_special_tokens=False):
        return {"input_ids": text.split()}

    items = [{"task_type": "classification/topic label", "reference": "sports"} for _ in range(5)]
    items += [{"task_type": "writing/story", "reference": " ".join(["word"] * 300)} for _ in range(5)]
    cap = PRESETS[SMOLLM2].cpu_eval_max_new_tokens
    assert 32 < cap < 300
    for device, story in (("cpu", cap), ("cuda", 376)):
        pair = _ModelPair({"base_model": SMOLLM2}, RunFolder(tmp_path), None)
        pair.loaded = SimpleNamespace(tok=SimpleNamespace(tokenizer=words), device=device)
        limits = pair.auto_max_new_tokens(items)
        assert limits == {"classification/topic label": 32, "writing/story": story}, device
        assert items[-1]["reference_tokens"] == 300
    pair = _ModelPair({"base_model": "/some/local/model"}, RunFolder(tmp_path), None)
    pair.loaded = SimpleNamespace(tok=SimpleNamespace(tokenizer=words), device="cpu")
    assert pair.auto_max_new_tokens(items)["writing/story"] == 376  # no preset, no ceiling


def test_an_answer_cut_by_the_budget_is_not_a_runaway_when_its_reference_is_longer(tmp_path, monkeypatch):
    """Under a capped budget both models' long answers are cut; only an answer whose reference would have fitted
    counts as running away."""
    from types import SimpleNamespace

    from training import generation, template
    from training.evaluate import EvalSettings, _ModelPair
    from training.rundir import RunFolder

    monkeypatch.setattr(generation, "chat_prompts", lambda tok, items: [it["prompt"] for it in items])
    monkeypatch.setattr(template, "end_of_turn_ids", lambda tok, extra=(): [1])
    monkeypatch.setattr(generation, "generate_detailed", lambda model, tok, prompts, limits, *a, **k: [
        {"text": "word " * n, "new_tokens": n, "stopped": False, "runaway": True} for n in limits])
    pair = _ModelPair({"base_model": "x"}, RunFolder(tmp_path), EvalSettings())
    pair.loaded = SimpleNamespace(tok=SimpleNamespace(tokenizer=None, extra_eot_ids=()), model=None, device="cpu")
    pair.info["max_length"] = 512
    items = [{"prompt": "essay", "reference": "long", "reference_tokens": 300, "metrics": ["rouge_l"]},
             {"prompt": "label", "reference": "short", "reference_tokens": 2, "metrics": ["rouge_l"]}]
    pair.generate("tuned", items, [128, 32], lambda d, t: None)
    assert items[0]["tuned"]["degeneracy"]["runaway"] is False  # its reference is longer than the budget
    assert items[1]["tuned"]["degeneracy"]["runaway"] is True
