"""Run comparison, side-by-side items, regressions to review, the eval/compare CLI, and the Compare page."""
from __future__ import annotations

import json

import pytest
from eval_fixtures import make_items, make_run, records_for_store, write_jsonl

from curation.errors import UserError
from curation.store import Store
from training import compare as cmp
from training.evaluate import LOSS, OVERALL, load_reports, suite_rows
from training.significance import BETTER, NO_CHANGE


def _row(rows, task_type, metric):
    return next(r for r in rows if r["task_type"] == task_type and r["metric"] == metric)


def test_suite_rows_per_task_type_with_ci_and_excluded_items():
    items = make_items()
    rows = suite_rows(items)
    math = _row(rows, "reasoning/math", "exact_match")
    # 24 math items: base right on k % 4 == 0 (6 of 24), tuned right on all but k = 0 (23 of 24).
    assert math["n"] == 24
    assert math["base"] == pytest.approx(6 / 24) and math["tuned"] == pytest.approx(23 / 24)
    assert math["ci_low"] > 0 and math["verdict"] == BETTER
    # The contaminated (excluded) text item is not counted.
    text = _row(rows, "translation/en→zh", "rouge_l")
    assert text["n"] == 11
    assert {r["metric"] for r in rows if r["task_type"] == "translation/en→zh"} == {"rouge_l", "char_f1", LOSS}
    loss = _row(rows, OVERALL, LOSS)
    assert loss["n"] == 35 and loss["delta"] < 0 and loss["verdict"] == BETTER
    assert loss["tuned_perplexity"] < loss["base_perplexity"]


def test_no_difference_is_no_significant_change():
    items = make_items()
    for it in items:
        it["tuned"] = it["base"]
    rows = suite_rows(items)
    assert all(r["verdict"] == NO_CHANGE for r in rows)


def test_compare_several_runs(tmp_path):
    a = make_run(tmp_path / "runs", "run-a")
    worse = make_items()
    for it in worse:
        it["base"], it["tuned"] = it["tuned"], it["base"]
    b = make_run(tmp_path / "runs", "run-b", worse)
    result = cmp.compare_runs([a, b])
    assert [r["name"] for r in result["runs"]] == ["run-a", "run-b"]
    row = next(r for r in result["rows"] if r["task_type"] == "reasoning/math" and r["metric"] == "exact_match")
    assert row["runs"][0]["delta"] == pytest.approx(-row["runs"][1]["delta"])
    assert row["runs"][0]["verdict"] == "better" and row["runs"][1]["verdict"] == "worse"
    assert result["runs"][0]["suites"]["eval"]["counts"]["excluded"] == 1
    wide = cmp.wide_table(result)
    assert "run-a · 95% CI" in wide[0] and "run-b · verdict" in wide[0]
    assert result["rows"][-1]["metric"] == LOSS and result["rows"][-1]["task_type"] == OVERALL
    flat = cmp.flat_table(result)
    assert {f["run"] for f in flat} == {"run-a", "run-b"}


def test_unevaluated_run_is_listed(tmp_path):
    run = make_run(tmp_path / "runs")
    import shutil
    shutil.rmtree(run / "eval")
    result = cmp.compare_runs([run])
    assert result["runs"][0]["evaluated"] is False and result["rows"] == []
    with pytest.raises(UserError, match="evaluate it first"):
        cmp.side_by_side(run)


def test_side_by_side_filters(tmp_path):
    run = make_run(tmp_path / "runs")
    everything = cmp.side_by_side(run)
    assert len(everything) == 35  # the excluded item is not shown
    worse = cmp.side_by_side(run, change="worse")
    assert [w["id"] for w in worse] == ["m000", "t005"]  # the math regression, and text k=5 ("Sunny.")
    assert worse[0]["delta"] <= worse[-1]["delta"]
    math_better = cmp.side_by_side(run, task_type="reasoning/math", change="better")
    assert math_better and all(i["task_type"] == "reasoning/math" and i["delta"] > 0 for i in math_better)
    with pytest.raises(UserError):
        cmp.side_by_side(run, change="sideways")


def test_send_regressions_to_review_tags_store_samples(tmp_path, store):
    from curation.ingest import IngestSettings, ingest
    items = make_items()
    ingest(store, [write_jsonl(tmp_path / "eval.jsonl", records_for_store(items[:29]))], IngestSettings(dataset="d"))
    run = make_run(tmp_path / "runs")
    result = cmp.send_regressions_to_review(store, run, "tester")
    assert result["tag"] == "regression:run-a"
    assert result["tagged"] == ["m000"]  # t005 regressed too but is not in the store
    assert result["not_in_store"] == 1
    sample = store.samples.get("m000")
    assert "regression:run-a" in sample["tags"]
    note = store.revisions.list("m000")[-1]["note"]
    assert "run-a" in note and "exact_match 1.000 -> 0.000" in note
    # A review item: the pre-flag puts it first in a flagged-first queue, with reason and evidence.
    [flag] = store.flags.list("m000")
    assert flag["check_name"] == "regression:run-a" and "exact_match 1.000 -> 0.000" in flag["reason"]
    assert "prompt: What is 0 + 10?" in flag["evidence"] and "tuned: " in flag["evidence"]
    assert ("regression:run-a", 1) in store.flags.counts()
    from curation.review import QueueSpec, build_queue
    assert build_queue(store, QueueSpec(flagged="regression:run-a")) == ["m000"]
    # Sending again adds nothing new (tag already there, flags replaced) and keeps one revision.
    cmp.send_regressions_to_review(store, run, "tester")
    assert len(store.revisions.list("m000")) == 1 and len(store.flags.list("m000")) == 1


def test_loss_curve(tmp_path):
    run = make_run(tmp_path / "runs")
    curve = cmp.loss_curve(run)
    assert {p["kind"] for p in curve} == {"train", "eval"}
    assert len([p for p in curve if p["kind"] == "train"]) == 20


def test_compare_cli_json(tmp_path, capsys):
    from curation.cli import build_parser
    run = make_run(tmp_path / "runs")
    parser = build_parser()
    args = parser.parse_args(["compare", str(run), "--json"])
    result = args.func(args)
    assert result["rows"] and result["runs"][0]["name"] == "run-a"
    math = next(r for r in result["rows"] if r["task_type"] == "reasoning/math")
    assert set(math["runs"][0]) >= {"base", "tuned", "delta", "ci_low", "ci_high", "n", "verdict"}
    json.dumps(result)  # the whole table is JSON-serialisable


def test_eval_cli_argument_errors(tmp_path):
    from curation.cli import main
    run = make_run(tmp_path / "runs")
    assert main(["eval", str(run), "--metric", "rouge_l"]) == 2  # --metric without --benchmark
    assert main(["eval", str(run), "--no-eval-split"]) == 2
    assert main(["eval", str(run), "--type-metric", "math"]) == 2
    assert main(["eval", str(tmp_path / "nope")]) == 2


def test_reports_are_read_back(tmp_path):
    run = make_run(tmp_path / "runs")
    reports = load_reports(run)
    assert [r["suite"] for r in reports] == ["eval"]
    assert reports[0]["counts"] == {"items": 36, "scored": 35, "contaminated": 1, "excluded": 1,
                                    "unrenderable": 0, "skipped_records": 0}
    assert reports[0]["contaminated"][0]["id"] == "t011"


def test_compare_cli_human_table(tmp_path, capsys):
    from curation.cli import main
    run = make_run(tmp_path / "runs")
    assert main(["compare", str(run)]) == 0
    out = capsys.readouterr().out
    assert "table (" in out and '"verdict": "better"' in out and '"95% CI": "[' in out


def test_eval_task_types_from_manifest_or_earlier_evaluation(tmp_path):
    run = make_run(tmp_path / "runs")  # its export folder does not exist: types come from its evaluation
    assert cmp.eval_task_types([run]) == ["reasoning/math", "translation/en→zh"]
    export = tmp_path / "export"
    export.mkdir()
    (export / "manifest.json").write_text(json.dumps({"counts": {"eval": {"chat/open": 3, "(untyped)": 1}}}))
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "export_dir": str(export)}))
    assert cmp.eval_task_types([run]) == ["(untyped)", "chat/open"]


def test_pipeline_settings_are_checked_before_anything_starts(tmp_path):
    from training import pipeline as pl

    ws = tmp_path / "ws"
    ws.mkdir()
    good = write_jsonl(ws / "general.jsonl", [{"question": "Capital of France?", "answer": "Paris"}])
    (ws / "folder").mkdir()
    assert pl.resolve_workspace_file(ws, "general.jsonl") == good.resolve()
    assert pl.resolve_workspace_file(ws, str(good)) == good.resolve()
    for text, message in (("../x.jsonl", "outside the workspace"), ("/etc/passwd", "outside the workspace"),
                          ("nope.jsonl", "does not exist"), ("folder", "is a folder")):
        with pytest.raises(pl.SettingsError, match=message):
            pl.resolve_workspace_file(ws, text)
    s = pl.PipelineSettings()
    s.eval.general_file = str(good)
    pl.check_settings(s)
    s.eval.general_file = str(ws / "missing.jsonl")
    with pytest.raises(pl.SettingsError, match="does not exist"):
        pl.check_settings(s)
    s.eval.general_file, s.eval.metrics = "", {"chat": ["rouge_l", "bleu"]}
    with pytest.raises(pl.SettingsError, match="unknown metric 'bleu'"):
        pl.check_settings(s)
    with pytest.raises(pl.SettingsError), Store(tmp_path / "s.duckdb") as store:
        pl.start_pipeline(store, ws, settings=s)
    assert not (ws / "pipelines").exists()  # refused before the export stage


def test_pipeline_settings_round_trip_through_config_json():
    """Every nested eval setting comes back as its dataclass (the background process reads them from JSON)."""
    import dataclasses

    from training import pipeline as pl

    s = pl.settings_from_dict(json.loads(json.dumps(dataclasses.asdict(pl.PipelineSettings()))))
    assert s == pl.PipelineSettings()
