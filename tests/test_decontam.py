"""Decontamination: benchmark files and the eval split against the store, exact and MinHash."""
from __future__ import annotations

import json

import pytest

from curation.decontam import (DecontamSettings, contaminated_item_ids, contaminated_sample_ids, decontaminate,
                               load_benchmark)
from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from tests.helpers import write_jsonl
from tests.helpers import only_commands

Q1 = ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
      "How many clips did Natalia sell altogether in April and May?")
Q2 = "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?"
Q3 = "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?"


def _conv(user, answer="The answer is 72.", **kw):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **kw}


@pytest.fixture
def train_store(store, tmp_path):
    records = [
        # a near-duplicate of Q1: numbers and a word changed, the way leaks look after light rewriting
        _conv(Q1.replace("48", "46").replace("altogether", "in total"), id="leak_near"),
        _conv(Q2.upper(), id="leak_exact"),  # exact after normalisation
        _conv("Write a poem about the sea and the moon over a quiet harbour at night.", id="clean1"),
        _conv("把下面的中文翻译成英文：今天天气很好。", id="clean2"),
    ]
    ingest(store, [write_jsonl(tmp_path / "train.jsonl", records)], IngestSettings(dataset="train"))
    return store


def test_planted_gsm8k_near_duplicate_is_found_with_its_match(train_store, tmp_path):
    bench = write_jsonl(tmp_path / "gsm8k_test.jsonl", [
        {"question": Q1, "answer": "Natalia sold 48/2 = 24 clips in May.\n#### 72"},
        {"question": Q2, "answer": "#### 10"},
        {"question": Q3, "answer": "#### 3"},
    ])
    report = decontaminate(train_store, bench)
    assert report["counts"] == {"items": 3, "samples": 4, "contaminated_items": 2, "matched_samples": 2}
    by_item = {c["item"]: c for c in report["contaminated"]}
    near = by_item["1"]["matches"][0]
    assert near["sample_id"] == "leak_near" and near["method"] == "minhash"
    assert 0.7 <= near["similarity"] < 1.0 and near["containment"] > 0.7
    assert by_item["1"]["text"] == Q1 and "in total" in near["text"]
    exact = by_item["2"]["matches"][0]
    assert exact["sample_id"] == "leak_exact" and exact["method"] == "exact" and exact["similarity"] == 1.0
    assert contaminated_sample_ids(report) == {"leak_near", "leak_exact"}
    assert contaminated_item_ids(report) == {"1", "2"}
    stored = train_store.decontam.list()[0]
    assert stored["id"] == report["report_id"] and stored["n_contaminated"] == 2
    assert stored["report"]["contaminated"][0]["matches"]


def test_exact_only_misses_the_rewritten_leak(train_store, tmp_path):
    bench = write_jsonl(tmp_path / "b.jsonl", [{"question": Q1}, {"question": Q2}])
    report = decontaminate(train_store, bench, DecontamSettings(methods=["exact"]), record=False)
    assert contaminated_sample_ids(report) == {"leak_exact"}
    assert "report_id" not in report


def test_eval_split_is_checked_against_train_split(store, tmp_path):
    records = [_conv(Q1, id="tr1", split="train"), _conv(Q3, id="tr2", split="train"),
               _conv(Q1.replace("48", "44"), id="ev1", split="eval"),
               _conv("Completely unrelated evaluation question about rivers in Europe?", id="ev2", split="eval")]
    ingest(store, [write_jsonl(tmp_path / "s.jsonl", records)], IngestSettings(dataset="s"))
    for sid, split in (("tr1", "train"), ("tr2", "train"), ("ev1", "eval"), ("ev2", "eval")):
        if store.samples.get(sid)["split"] != split:
            store.samples.update(sid, {"split": split}, "t", "split")
    report = decontaminate(store)
    assert report["source"] == "eval split" and report["against"] == "train split"
    assert contaminated_item_ids(report) == {"ev1"}
    assert report["contaminated"][0]["matches"][0]["sample_id"] == "tr1"
    assert report["contaminated"][0]["matches"][0]["split"] == "train"


def test_benchmark_formats_messages_alpaca_and_json_array(tmp_path):
    msgs = write_jsonl(tmp_path / "m.jsonl", [_conv("hello there", "hi", id="x1"), "not json", {"nothing": 1}])
    items = load_benchmark(msgs)
    assert [(i.id, i.text) for i in items] == [("x1", "hello there")]
    assert load_benchmark(msgs, key="assistant")[0].text == "hi"
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps([{"instruction": "Translate", "input": "你好", "output": "Hello"}]), encoding="utf-8")
    assert load_benchmark(arr)[0].text == "Translate\n你好"
    assert load_benchmark(arr, key="assistant")[0].text == "Hello"


def test_bad_benchmark_files_are_user_errors(store, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        decontaminate(store, tmp_path / "missing.jsonl")
    empty = write_jsonl(tmp_path / "e.jsonl", [{"foo": "bar"}])
    with pytest.raises(UserError, match="no usable items"):
        load_benchmark(empty)
    broken = tmp_path / "b.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        load_benchmark(broken)
    with pytest.raises(UserError, match="key"):
        decontaminate(store, empty, DecontamSettings(key="conversation"))


def test_real_gsm8k_item_planted_in_store_is_found(store, tmp_path, corpora_dir):
    lines = (corpora_dir / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()[:200]
    items = [json.loads(x) for x in lines]
    planted = items[123]["question"].replace(" ", "  ", 3).replace("?", " ?")
    records = [_conv(planted, id="planted")] + [_conv(f"Unrelated prompt number {i} about cooking pasta.", id=f"u{i}")
                                                for i in range(20)]
    ingest(store, [write_jsonl(tmp_path / "t.jsonl", records)], IngestSettings(dataset="t"))
    report = decontaminate(store, corpora_dir / "gsm8k_train.jsonl", record=False)
    assert report["counts"]["items"] == 7473
    assert {c["item"] for c in report["contaminated"]} == {"124"}
    assert report["contaminated"][0]["matches"][0]["sample_id"] == "planted"


def test_cli_decontaminate_json(train_store, tmp_path, capsys, monkeypatch):
    from curation.cli import main

    from curation.cli import dedup
    only_commands(monkeypatch, dedup)  # only this feature's commands
    bench = write_jsonl(tmp_path / "g.jsonl", [{"question": Q1}, {"question": Q3}])
    db = str(train_store.path)
    train_store.close()
    assert main(["decontaminate", "--benchmark", str(bench), "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["contaminated_items"] == 1 and out["contaminated"][0]["matches"][0]["sample_id"] == "leak_near"
    assert main(["decontaminate", "--benchmark", str(tmp_path / "nope.jsonl"), "--db", db, "--json"]) == 2
    assert "does not exist" in capsys.readouterr().err
