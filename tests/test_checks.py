"""Pre-flag checks: zh and en positives and negatives, the real corpora, and how flags are stored."""
from __future__ import annotations

import json

import pytest

from curation.checks import (CHECKS, ArtefactCheck, EchoCheck, EmptyAnswerCheck, PunctuationCheck, RefusalCheck,
                             TemplateLeftoverCheck, TruncationCheck, VerbosityCheck, VerbositySettings,
                             length_stats, recheck_sample, run_checks)
from curation.ingest import IngestSettings, ingest
from curation.store import SampleFilter

from tests.helpers import write_jsonl


def qa(answer: str, prompt: str = "问题") -> dict:
    return {"id": "x", "rev": 0, "task_type": "reasoning/math",
            "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def flags(check, answer: str, prompt: str = "问题", context: dict | None = None) -> list:
    return check.find(qa(answer, prompt), context or {})


# ---------------------------------------------------------------- punctuation
@pytest.mark.parametrize("answer", [
    "你好,世界。",  # ASCII comma between Chinese
    "答案是:42。",  # ASCII colon after Chinese
    "这是第一句.这是第二句。",  # ASCII full stop after Chinese
    "你知道吗?我不知道。",  # ASCII question mark
    "他说“你好。",  # unpaired Chinese quotes
    "这是（一个括号。",  # unpaired full-width parenthesis
    "「开始了。",  # unpaired corner brackets
])
def test_punctuation_flags_mixed_or_unpaired_marks_in_chinese(answer):
    out = flags(PunctuationCheck(), answer)
    assert out and out[0].check == "punctuation"
    assert "turn 2" in out[0].evidence


@pytest.mark.parametrize("answer", [
    "你好，世界。",
    "圆周率约等于3.14159，精确到五位小数。",  # decimal point between digits
    "请访问 https://example.com/a,b 获取更多信息。",  # URL punctuation between Latin characters
    "我们用 Python, Java 和 Go 写代码。",  # comma between English words inside Chinese text
    "他说：“你好。”然后离开了（很快）。",
    "代码如下：\n```python\nprint('a,b')\nx = f(1,2)\n```\n以上。",  # punctuation inside code is not prose
])
def test_punctuation_leaves_clean_chinese_alone(answer):
    assert flags(PunctuationCheck(), answer) == []


def test_punctuation_flags_chinese_marks_in_english():
    out = flags(PunctuationCheck(), "The capital of France is Paris，and it is large。", "Capital?")
    assert out and "full-width" in out[0].reason
    assert flags(PunctuationCheck(), "The capital of France is Paris, and it is large.", "Capital?") == []


# ---------------------------------------------------------------- empty / refusal / truncation
@pytest.mark.parametrize("answer,kind", [("   ", "empty"), ("。。。", "punctuation-only"), ("...!?", "punctuation-only"),
                                         ("嗯，好的。", "stop-word-only"), ("Well, ok.", "stop-word-only")])
def test_empty_answers_are_flagged(answer, kind):
    out = flags(EmptyAnswerCheck(), answer)
    assert out and out[0].reason == f"{kind} answer"


@pytest.mark.parametrize("answer", ["是。", "Yes.", "42", "北京", "Paris is the capital."])
def test_short_real_answers_are_not_empty(answer):
    assert flags(EmptyAnswerCheck(), answer) == []


@pytest.mark.parametrize("answer", ["I'm sorry, but I can't help with that.", "As an AI, I cannot provide that.",
                                    "抱歉，我无法回答这个问题。", "对不起，我不能提供这些信息。"])
def test_short_refusals_are_flagged(answer):
    (flag,) = flags(RefusalCheck(), answer)
    assert flag.check == "refusal" and f"({len(answer)} chars)" in flag.reason and "declines" in flag.reason
    assert flag.evidence == f"turn 2: «{answer}»"


@pytest.mark.parametrize("answer", [
    "The answer is 5 because 2 + 3 = 5.",
    "我无法相信这么简单：答案就是五。" + "详细解释如下。" * 60,  # long answers that go on to help are not refusals
    "Sorry to hear that! " + "Here is a detailed plan you can follow. " * 12,
])
def test_answers_that_help_are_not_refusals(answer):
    assert flags(RefusalCheck(), answer) == []


# Issue 20, item 23: customer-service apologies that go on to help (the last four are the demo set's answers
# the old rule flagged).
@pytest.mark.parametrize("answer", [
    "Sorry for the inconvenience, here is how to reset your password: open Settings, then Account, then Reset.",
    "I'm sorry, let's secure your account right away: change your password and turn on two-step verification.",
    "很抱歉给您带来不便。请您先确认一下是否分开发货（订单详情里会显示多个包裹）。",
    "非常抱歉让您久等了！我这边看到骑手目前距离您约800米，预计5分钟内送达。",
    "很遗憾，这种情况不能赔付。根据第七条责任免除条款，被保险人从事潜水等高风险运动不在保障范围内。",
    "很遗憾地通知您，您的申请未获通过。",
])
def test_apologies_that_help_are_not_refusals(answer):
    assert flags(RefusalCheck(), answer) == []


@pytest.mark.parametrize("answer", ["I'm sorry, I don't know.", "抱歉，我不知道。", "Sorry."])
def test_bare_apologies_are_still_refusals(answer):
    out = flags(RefusalCheck(), answer)
    assert out and "only apologises" in out[0].reason


@pytest.mark.parametrize("answer,why", [
    ("To solve this, first add the two numbers together and then, as the final step, divide the result by",
     "ends on the word 'by'"),
    ("首先我们需要理解题目的意思。然后把两个数相加，得到的结果再除以二，这样就可以得到最后的答案，也就是说，",
     "ends on '，', mid-sentence"),
    ("Here is the code:\n```python\ndef f(x):\n    return x * 2\n", "code block opened but never closed"),
    ("The steps are as follows. First you open the file, then you read every line and you count the words and",
     "ends on the word 'and'"),
])
def test_truncated_answers_are_flagged(answer, why):
    (flag,) = flags(TruncationCheck(), answer)
    assert flag.check == "truncated" and why in flag.reason
    assert flag.evidence.startswith("turn 2 ends: «") and answer.rstrip()[-8:].replace("\n", "⏎") in flag.evidence


@pytest.mark.parametrize("answer", [
    "Paris",
    "首先把两个数相加，然后除以二，最后得到的结果就是答案。这样的方法适用于所有类似的问题。",
    "The answers are:\n1. A\n2. C\n3. B\n4. Something else entirely\n5. A",
    "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May.\n#### 72",
    "Use this:\n```python\nprint('hi')\n```",
])
def test_complete_answers_are_not_truncated(answer):
    assert flags(TruncationCheck(), answer) == []


# ---------------------------------------------------------------- leftovers and artefacts
@pytest.mark.parametrize("answer", ["I am {{name}}, an AI assistant developed by {{author}}.",
                                    "您好，我是 {{name}}。", "Best regards,\n[Your Name]", "Hello<|im_end|>"])
def test_template_leftovers_are_flagged(answer):
    out = flags(TemplateLeftoverCheck(), answer)
    assert out and "template leftover" in out[0].reason


@pytest.mark.parametrize("answer", ["In Vue you write:\n```html\n<p>{{ message }}</p>\n```",
                                    "Use `{{ user.name }}` in the Jinja template.", "Sets look like {1, 2, 3}."])
def test_template_syntax_inside_code_is_not_a_leftover(answer):
    assert flags(TemplateLeftoverCheck(), answer) == []


@pytest.mark.parametrize("answer,prompt,marker,turn", [
    ("As an AI language model, I think it is fine.", "Is it fine?", "As an AI language model", 2),
    ("作为一个AI语言模型，我认为可以。", "可以吗？", "作为一个AI语言模型", 2),
    ("Sure.", "#Rewritten Prompt#: explain gravity", "#Rewritten Prompt#", 1),
    ("Here is a rewrite of the given prompt: ...", "Rewrite", "given prompt", 2)])
def test_generation_artefacts_are_flagged(answer, prompt, marker, turn):
    (flag,) = flags(ArtefactCheck(), answer, prompt)
    role = "user" if turn == 1 else "assistant"
    assert flag.check == "generation_artefact" and flag.reason == f"generation artefact {marker!r} in the {role} turn"
    assert flag.evidence.startswith(f"turn {turn}: «") and marker in flag.evidence


def test_artefact_check_passes_normal_text():
    assert flags(ArtefactCheck(), "Gravity pulls masses together.", "Explain gravity") == []


# ---------------------------------------------------------------- verbosity and echo
def test_verbosity_uses_the_task_types_length_distribution():
    ctx = {"lengths": {"reasoning/math": {"n": 200, "median_log": 5.0, "scale": 0.3, "median_chars": 147}}}
    long_answer = "x" * 5000
    out = flags(VerbosityCheck(), long_answer, context=ctx)
    assert out and "typically 147" in out[0].reason
    assert flags(VerbosityCheck(), "x" * 200, context=ctx) == []
    small = {"lengths": {"reasoning/math": {"n": 5, "median_log": 5.0, "scale": 0.3, "median_chars": 147}}}
    assert flags(VerbosityCheck(VerbositySettings(min_group=20)), long_answer, context=small) == []


def test_echo_flags_answers_identical_to_the_prompt():
    assert flags(EchoCheck(), "What is the capital of France?", "What is the capital of France?")
    assert flags(EchoCheck(), "法国的首都是哪里？", "法国的首都是哪里")  # punctuation and spacing ignored
    assert flags(EchoCheck(), "Paris.", "What is the capital of France?") == []


# ---------------------------------------------------------------- running on a store
def _ingest(store, tmp_path, records, name="data"):
    return ingest(store, [write_jsonl(tmp_path / f"{name}.jsonl", records)], IngestSettings(dataset=name))


def test_checks_run_on_import_and_never_change_samples(store, tmp_path):
    recs = [{"messages": [{"role": "user", "content": "你是谁"}, {"role": "assistant", "content": "我是{{name}},你好"}]},
            {"messages": [{"role": "user", "content": "Hi"},
                          {"role": "assistant", "content": "Hello! How can I help?"}]}]
    report = _ingest(store, tmp_path, recs)
    assert any("pre-flagged" in n["message"] for n in report.notices)
    flagged = store.review.queue(flagged="*")
    assert len(flagged) == 1
    names = {f["check_name"] for f in store.flags.list(flagged[0])}
    assert names == {"template_leftover", "punctuation"}
    for s in store.samples.list():
        assert s["status"] == "pending" and s["rev"] == 0  # a flag is a pointer, never a change
    run = store.flags.runs.list()[0]
    assert run["trigger"] == "import" and run["settings"]["punctuation"]["ascii_marks"] == ",;:?!()"


def test_on_demand_run_replaces_only_its_own_checks_flags(store, tmp_path):
    _ingest(store, tmp_path, [{"messages": [{"role": "user", "content": "Q"},
                                            {"role": "assistant", "content": "I am {{name}}."}]}])
    sid = store.review.queue()[0]
    s = store.samples.get(sid)
    msgs = [s["messages"][0], {"role": "assistant", "content": "I am Workbench."}]
    store.samples.update(sid, {"messages": msgs}, "tester", "edit")
    report = run_checks(store, SampleFilter(ids=[sid]), ["refusal"])
    assert report.samples == 1 and report.checks == ["refusal"]
    assert [f["check_name"] for f in store.flags.list(sid)] == ["template_leftover"]  # not re-evaluated: kept
    assert recheck_sample(store, sid) == []  # after the fix, every check passes


def test_unknown_check_is_a_user_error(store):
    from curation.errors import UserError
    with pytest.raises(UserError, match="unknown check"):
        run_checks(store, None, ["nope"])


def test_length_stats_group_by_task_type(store, tmp_path):
    recs = [{"task_type": "reasoning/math", "messages": [{"role": "user", "content": f"q{i}"},
                                                          {"role": "assistant", "content": "a" * (50 + i)}]}
            for i in range(30)]
    _ingest(store, tmp_path, recs)
    stats = length_stats(store)
    assert stats["reasoning/math"]["n"] == 30 and 50 <= stats["reasoning/math"]["median_chars"] <= 80


# ---------------------------------------------------------------- real corpora
def _load_json_array(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_identity_corpus_placeholders_are_all_flagged(store, corpora_dir):
    path = corpora_dir / "llamafactory_identity.json"
    records = _load_json_array(path)
    with_placeholder = sum("{{" in r["output"] for r in records)
    ingest(store, [path], IngestSettings(dataset="identity"))
    flagged = set(store.review.queue(flagged="template_leftover"))
    placeholders = {s["id"] for s in store.samples.list() if "{{" in s["messages"][-1]["content"]}
    assert with_placeholder > 80 and placeholders == flagged
    reasons = {f["reason"] for sid in flagged for f in store.flags.list(sid) if f["check_name"] == "template_leftover"}
    assert any("{{name}}" in r for r in reasons)


def test_alpaca_zh_corpus_flags_are_few_and_real(store, corpora_dir):
    ingest(store, [corpora_dir / "llamafactory_alpaca_zh_demo.json"], IngestSettings(dataset="alpaca_zh"))
    total = store.samples.count()
    counts = dict(store.flags.counts())
    # pre-flags point at a minority; a check that fires on most of a curated corpus would be noise
    for name in CHECKS:
        assert counts.get(name, 0) < 0.2 * total, (name, counts)
    assert counts.get("punctuation", 0) > 0  # this corpus does mix "," and ":" into Chinese answers


def test_import_checks_in_worker_processes_flag_what_one_process_does(store, corpora_dir):
    from curation.checks import _run, build_checks
    report = ingest(store, [corpora_dir / "llamafactory_alpaca_zh_demo.json"],
                    IngestSettings(dataset="alpaca_zh", run_checks=False))
    results = []
    for workers in (0, 2):
        run = _run(store, None, build_checks(), "import", None, ingest_id=report.ingest_id, workers=workers)
        flags = sorted((s["id"], f["check_name"], f["reason"], f["evidence"])
                       for s in store.samples.list(columns=("id",)) for f in store.flags.list(s["id"]))
        results.append((run.samples, run.flagged_samples, run.flags, flags))
    assert results[0] == results[1] and results[0][0] == report.imported and results[0][1] > 0


def test_import_checks_use_the_import_s_worker_setting(tmp_path, tiny_file, monkeypatch):
    """The app imports with workers=0 (no fork in its multi-threaded process): its checks must not fork either."""
    import curation.checks as checks
    from curation.store import Store
    seen = []
    real = checks._run
    monkeypatch.setattr(checks, "_PARALLEL_MIN", 1)
    monkeypatch.setattr(checks, "_run", lambda *a, **k: seen.append(k["workers"]) or real(*a, **k))
    for workers in (0, 2):
        with Store(tmp_path / f"w{workers}.duckdb") as store:
            report = ingest(store, [tiny_file], IngestSettings(workers=workers))
            assert report.imported > 0
    assert seen == [0, 2]
