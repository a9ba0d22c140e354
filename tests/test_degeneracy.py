"""Honest verdicts: degenerate outputs are measured per item and per set, and override better/worse."""
from __future__ import annotations

import json

import pytest
from eval_fixtures import make_items, make_run

from training import compare as cmp
from training.evaluate import DEGENERATE, OVERALL, suite_rows
from training.metrics import (DegeneracySettings, METRICS, degeneracy_summary, distinct_n, metrics_for,
                              output_degeneracy)
from training.significance import BETTER, paired_delta

REFERENCES = [
    "The capital of France is Paris, and the city lies on the Seine.",
    "The sun rises in the east and sets in the west every day.",
    "Water boils at one hundred degrees at the pressure of the sea.",
    "The cat sat on the mat while the dog slept by the door.",
    "A week has seven days, and the weekend is the last two of them.",
    "The river flows to the sea through the green valley of the north.",
]
NOISE = ["zq vlorn pemt", "krix obu slen", "wuv tarq idol", "pleg norf", "yusk brem coil", "vant ohm glip"]


def tiny_run_items(n: int = 40) -> list[dict]:
    """The shape of the tiny run on the sample data: the base answers noise, the tuned model "The the the ...",
    and ROUGE-L / char F1 still rise because every reference has some "the"s."""
    items = []
    for k in range(n):
        ref = REFERENCES[k % len(REFERENCES)]
        item = {"id": f"q{k:03d}", "task_type": "qa/general", "prompt": f"Question {k}?", "reference": ref,
                "metrics": metrics_for("qa/general"), "excluded": False}
        for label, out in (("base", NOISE[k % len(NOISE)]), ("tuned", "The the the the the the the the the the")):
            item[label] = {"output": out, "loss": 2.0, "tokens": 10,
                           "scores": {m: METRICS[m](out, ref) for m in item["metrics"]}}
        items.append(item)
    return items


def _row(rows, task_type, metric):
    return next(r for r in rows if r["task_type"] == task_type and r["metric"] == metric)


def test_one_output_flags():
    the = output_degeneracy("The the the the the the the")
    assert the["one_token"] and the["degenerate"] and the["top_token_share"] == 1.0
    loop = output_degeneracy("I like cats. I like cats. I like cats. I like cats.")
    assert loop["repetitive"] and not loop["one_token"] and loop["repetition"] > 0.5
    assert output_degeneracy("")["empty"] and output_degeneracy("  ")["degenerate"]
    fine = output_degeneracy("The capital of France is Paris, on the Seine.")
    assert not fine["degenerate"] and fine["runaway"] is None
    assert not output_degeneracy("yes yes")["degenerate"]  # too short to call repetitive
    assert output_degeneracy("A long answer cut off", runaway=True)["runaway"] is True
    assert not output_degeneracy("A long answer cut off", runaway=True)["degenerate"]  # counted apart


def test_distinct_n():
    assert distinct_n(["a b c", "a b d"], 2) == pytest.approx(3 / 4)
    assert distinct_n(["one"], 2) is None


def test_set_summary_thresholds():
    s = DegeneracySettings()
    refs = REFERENCES * 2
    loops = [output_degeneracy("the the the the the the the") for _ in range(3)]
    good = [output_degeneracy(r) for r in refs[3:]]
    summary = degeneracy_summary(loops + good, ["the the the the the the the"] * 3 + refs[3:], refs, s)
    assert summary["degenerate_share"] == pytest.approx(3 / 12) and summary["reasons"]  # 25% >= 20%
    summary = degeneracy_summary(loops[:1] + good, ["the the the the the the the"] + refs[3:], refs[2:], s)
    assert summary["reasons"] == []  # 1 of 10 is below the threshold
    # Runaway: most answers hit max_new_tokens without an end of turn.
    runaway = [output_degeneracy(r, runaway=True) for r in refs]
    assert any("max_new_tokens" in r for r in degeneracy_summary(runaway, refs, refs, s)["reasons"])
    # The same generic answer to every prompt: far less varied than the references.
    same = "I am sorry, I cannot help with that request today."
    summary = degeneracy_summary([output_degeneracy(same) for _ in refs], [same] * len(refs), refs, s)
    assert any("less varied" in r for r in summary["reasons"])
    # A fixed-label task repeats its labels in the references too: not flagged.
    labels = ["label: positive", "label: negative"] * 6
    summary = degeneracy_summary([output_degeneracy(x) for x in labels], labels, labels, s)
    assert summary["reasons"] == []


def test_the_the_the_is_degenerate_not_better():
    """Regression: the tiny run's tuned answers were "The the the ...", yet Compare said overall +0.027
    [0.018, 0.037] "better" because ROUGE-L and char F1 reward common words."""
    items = tiny_run_items()
    tuned = [it["tuned"]["scores"]["rouge_l"] for it in items]
    base = [it["base"]["scores"]["rouge_l"] for it in items]
    plain = paired_delta(base, tuned)
    assert plain["ci_low"] > 0 and plain["verdict"] == BETTER  # the statistics alone call it a win
    rows = suite_rows(items)
    for row in rows:
        if row["metric"] != "loss":
            assert row["verdict"] == DEGENERATE, row
            assert "one repeated token 100%" in row["warning"]
    overall = _row(rows, OVERALL, "score")
    assert overall["score_verdict"] == BETTER and overall["tuned_degenerate"] == 1.0
    assert overall["base_degenerate"] == 0.0
    assert "ROUGE-L rewards common words" in _row(rows, "qa/general", "rouge_l")["warning"]
    assert "char F1" in _row(rows, "qa/general", "char_f1")["warning"]
    assert all(it["tuned"]["degeneracy"]["one_token"] for it in items)  # recorded per item


def test_degenerate_verdict_in_report_compare_and_cli(tmp_path, capsys):
    from curation.cli import main

    run = make_run(tmp_path / "runs", "tiny-run", tiny_run_items())
    report = json.loads((run / "eval" / "eval" / "report.json").read_text())
    assert report["degeneracy"]["verdict"] == DEGENERATE and report["degeneracy"]["reasons"]
    assert report["settings"]["degeneracy"]["max_degenerate_share"] == DegeneracySettings().max_degenerate_share
    items = [json.loads(line) for line in (run / "eval" / "eval" / "items.jsonl").read_text().splitlines()]
    assert all(it["tuned"]["degeneracy"]["degenerate"] for it in items)

    comparison = cmp.compare_runs([run])
    assert cmp.degenerate_runs(comparison)[0]["run"] == "tiny-run"
    wide = cmp.wide_table(comparison)
    overall = next(r for r in wide if r["task_type"] == OVERALL and r["metric"] == "score")
    assert overall["verdict"] == DEGENERATE and overall["degenerate"] == "0% → 100%"

    assert main(["compare", str(run)]) == 0
    out = capsys.readouterr().out
    assert '"verdict": "degenerate"' in out and "degenerate (1)" in out


def test_readable_metrics_get_the_degenerate_verdict_too():
    """A fixed-label type scored by label accuracy: the tuned model answers "sports sports sports ..." to every
    item; label accuracy rises on the sports items, but the run is degenerate, not better."""
    items = []
    for k in range(30):
        ref = "sports" if k % 2 else "business"
        item = {"id": f"c{k:03d}", "task_type": "classification/topic label", "prompt": f"News {k}",
                "reference": ref, "metrics": metrics_for("classification/topic label"), "excluded": False}
        assert item["metrics"][0] == "label_accuracy"
        for label, out in (("base", "This text is about a match."), ("tuned", "sports " * 12)):
            item[label] = {"output": out, "loss": 2.0, "tokens": 10,
                           "scores": {m: METRICS[m](out, ref) for m in item["metrics"]}}
        items.append(item)
    rows = suite_rows(items)
    label = _row(rows, "classification/topic label", "label_accuracy")
    assert label["score_verdict"] == BETTER and label["verdict"] == DEGENERATE  # the score alone would say better
    assert "one repeated token" in label["warning"]


def test_contains_expected_carries_a_gaming_warning():
    items = make_items()
    for it in items:
        it["metrics"] = ["contains_expected"]
        for side in ("base", "tuned"):
            it[side]["scores"] = {"contains_expected": METRICS["contains_expected"](it[side]["output"],
                                                                                     it["reference"])}
    rows = suite_rows(items)
    assert any("contains-expected rewards long answers" in (r["warning"] or "") for r in rows
               if r["metric"] == "contains_expected")


def test_healthy_run_keeps_its_verdicts(tmp_path):
    rows = suite_rows(make_items())
    assert _row(rows, "reasoning/math", "exact_match")["verdict"] == BETTER
    assert all(r["verdict"] != DEGENERATE and not r["tuned_degenerate"] for r in rows)
    assert _row(rows, "reasoning/math", "exact_match")["warning"] is None  # exact match cannot be gamed so


def test_degenerate_general_set_is_forgetting():
    from training.evaluate import forgetting

    reasons = forgetting(suite_rows(tiny_run_items()))
    assert any(r.startswith("answers degenerated") for r in reasons)


def test_real_answers_are_not_called_degenerate(corpora_dir):
    """No false alarms on human-written answers: GSM8K solutions, Chinese Alpaca outputs, identity replies."""
    answers = [json.loads(line)["answer"] for line in
               (corpora_dir / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()[:2000]]
    for name in ("llamafactory_alpaca_zh_demo.json", "llamafactory_identity.json"):
        answers += [r["output"] for r in json.loads((corpora_dir / name).read_text(encoding="utf-8"))]
    per_item = [output_degeneracy(a) for a in answers]
    assert len(answers) > 3000 and not [a for a, d in zip(answers, per_item) if d["degenerate"]]
    assert degeneracy_summary(per_item, answers, answers)["reasons"] == []
