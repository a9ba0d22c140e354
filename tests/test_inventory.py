"""Inventory: every page file is in the navigation, every registered step reaches its CLI and its page (with a
generated settings form), a new step is found by its registry from its own file, and the worked example in
docs/ARCHITECTURE.md runs."""
from __future__ import annotations

import dataclasses
import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

from curation.checks import CHECKS, Check, Flag
from curation.cli import build_parser
from curation.dedup.methods import DEDUP_METHODS
from curation.producers import PRODUCERS
from curation.flywheel.pii import SCRUBBERS
from curation.flywheel.rules.base import VALUE_RULES
from curation.robustness.detectors import DETECTORS, detector_names
from curation.steps import Registry, Step, form_fields, setting_help
from tests.helpers import ROOT

TIMEOUT = 120
REGISTRIES = (CHECKS, DETECTORS, DEDUP_METHODS, PRODUCERS, VALUE_RULES, SCRUBBERS)


def test_every_page_file_is_in_the_navigation():
    import ast
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in ast.walk(tree)
                 if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in n.targets))
    listed = {file for _, file, _, _ in pages}
    files = {p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert files == listed, f"not in app.py::PAGES: {files - listed}; listed but missing: {listed - files}"


def test_registries_hold_the_built_in_steps_in_order():
    assert CHECKS.names() == ["punctuation", "empty_answer", "refusal", "truncated", "template_leftover",
                              "generation_artefact", "verbose", "echo", "malformed_turns", "agent_calls",
                              "instruction_constraints", "long_context", "rag_cases"]
    assert detector_names() == ["typo", "incomplete", "code_mix", "pinyin"]
    assert DEDUP_METHODS.names() == ["exact", "minhash", "semantic"]
    assert PRODUCERS.names() == ["self-instruct", "evol", "answers", "rewrite"]
    assert VALUE_RULES.names() == ["self_correction", "topic_switch", "long_prompt", "thumbs_down", "novelty"]
    assert SCRUBBERS.names() == ["pii"]


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.kind)
def test_every_step_has_documented_settings(registry):
    for name in registry:
        step = registry[name]
        assert step.name == name and dataclasses.is_dataclass(step.Settings)
        helps = setting_help(step.Settings)
        fields = [f.name for f in dataclasses.fields(step.Settings)]
        undocumented = [f for f in fields if not helps.get(f)]
        # a field may be explained by its settings class docstring only when the class has one field
        assert not undocumented or len(fields) == 1, f"{registry.kind} {name}: no comment on {undocumented}"


def _subparser(parser, *path):
    for name in path:
        action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = action.choices[name]
    return parser


def _choices(parser, option: str) -> list:
    return list(next(a for a in parser._actions if option in a.option_strings).choices)


def test_every_registered_step_is_a_cli_choice():
    parser = build_parser()
    assert _choices(_subparser(parser, "dedup"), "--method") == DEDUP_METHODS.names()
    assert _choices(_subparser(parser, "robustness", "detect"), "--kind") == detector_names()
    for action in ("suggestions", "confirm", "reject", "tag", "untag"):
        assert _choices(_subparser(parser, "robustness", action), "--kind") == detector_names()
    generate = next(a for a in _subparser(parser, "generate")._actions if a.__class__.__name__ == "_SubParsersAction")
    assert [c for c in generate.choices if c in PRODUCERS] == PRODUCERS.names()
    for name in PRODUCERS:  # an option per setting of each producer
        options = {o for a in _subparser(parser, "generate", name)._actions for o in a.option_strings}
        assert {"--" + f.replace("_", "-") for f, *_ in form_fields(PRODUCERS[name].Settings())} <= options
    assert _choices(_subparser(parser, "logs", "import"), "--rule") == VALUE_RULES.names()
    assert _choices(_subparser(parser, "logs", "list"), "--rule") == VALUE_RULES.names()
    only = next(a for a in _subparser(parser, "review", "checks")._actions if "--only" in a.option_strings)
    assert all(name in only.help for name in CHECKS), only.help


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _page(name: str, user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    if user:
        at.session_state["user"] = user
    return _ok(at.run())


def _widget(at: AppTest, kind: str, key: str):
    return next(w for w in getattr(at, kind) if w.key == key)


def _missing_controls(at: AppTest, prefix: str, name: str, settings) -> set[str]:
    """The keys of the settings-form controls of step `name` that are not on the page."""
    keys = {w.key for kind in ("number_input", "checkbox", "text_input", "selectbox") for w in getattr(at, kind)}
    wanted = {f"{prefix}_{name}_{f}" for f, *_ in form_fields(settings)}
    return wanted - keys


def test_every_detector_is_a_robustness_page_option_with_its_settings_form(demo_app_env):
    at = _page("robustness.py")
    assert _widget(at, "multiselect", "rb_kinds").options == detector_names()
    assert _widget(at, "selectbox", "rb_kind").options == ["all", *detector_names()]
    for name in detector_names():
        assert not _missing_controls(at, "rb_set", name, DETECTORS[name].Settings())


def test_every_dedup_method_is_a_dedup_page_option_with_its_settings_form(demo_app_env):
    at = _page("dedup.py")
    assert _widget(at, "selectbox", "dd_method").options == DEDUP_METHODS.names()
    for name in DEDUP_METHODS:
        at = _ok(_widget(at, "selectbox", "dd_method").set_value(name).run())
        missing = _missing_controls(at, "dd_set", name, DEDUP_METHODS[name].Settings())
        assert missing == {f"dd_set_{name}_key", f"dd_set_{name}_threshold"}  # the page's own controls


def test_every_producer_is_a_generate_page_option_with_its_settings_form(demo_app_env):
    at = _page("generate.py")
    assert _widget(at, "selectbox", "gen_producer").options == PRODUCERS.names()
    for name in PRODUCERS:
        at = _ok(_widget(at, "selectbox", "gen_producer").set_value(name).run())
        assert not _missing_controls(at, "gen_set", name, PRODUCERS[name].Settings())


def test_every_value_rule_and_the_scrubber_are_flywheel_page_options_with_settings_forms(app_env):
    at = _page("flywheel.py")
    assert _widget(at, "multiselect", "fw_rules").options == VALUE_RULES.names()
    at = _ok(_widget(at, "multiselect", "fw_rules").set_value(VALUE_RULES.names()).run())
    for name in VALUE_RULES:
        assert not _missing_controls(at, "fw_set", name, VALUE_RULES[name].Settings())
    assert not _missing_controls(at, "fw_pii", "pii", SCRUBBERS["pii"].Settings())


@pytest.fixture
def lead_app_env(demo_app_env):
    """The demo store with a lead's profile (the review screen needs one)."""
    from curation.review import create_profile
    from curation.store import Store
    with Store(demo_app_env) as s:
        create_profile(s, "lead", "lead")
    return demo_app_env


def test_every_check_is_a_review_page_option_with_its_settings_form(lead_app_env):
    at = _page("review.py", "lead")
    assert _widget(at, "multiselect", "rvq_checks").options == CHECKS.names()
    for name in CHECKS:
        assert not _missing_controls(at, "rvq_set", name, CHECKS[name].Settings())


def test_a_changed_setting_on_the_page_reaches_the_step(lead_app_env):
    """The Review page's generated form: a stricter echo threshold is what the run records."""
    at = _page("review.py", "lead")
    _widget(at, "number_input", "rvq_set_echo_min_similarity").set_value(0.5)
    _widget(at, "multiselect", "rvq_checks").set_value(["echo"])
    at = _ok(next(b for b in at.button if b.key == "rvq_run_checks").click().run())
    from pages._common import get_store
    run = get_store().flags.runs.list()[0]
    assert run["settings"]["echo"]["min_similarity"] == 0.5 and run["trigger"] == "on demand"


def test_a_new_step_is_one_file_in_its_package(tmp_path, monkeypatch):
    pkg = tmp_path / "extra_steps"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from curation.steps import Registry\nTHINGS = Registry('thing', 'extra_steps')\n")
    (pkg / "shout.py").write_text('''
from dataclasses import dataclass

from curation.steps import Step
from extra_steps import THINGS


@dataclass
class ShoutSettings:
    min_caps: int = 5  # this many capital letters in a row is shouting


@THINGS.register
class Shout(Step):
    name = "shout"
    Settings = ShoutSettings

    def find(self, sample, context):
        hit = any(len(w) >= self.settings.min_caps and w.isupper() for w in sample["text"].split())
        return [("shouting", sample["text"])] if hit else []
''')
    monkeypatch.syspath_prepend(str(tmp_path))
    from extra_steps import THINGS
    assert THINGS.names() == ["shout"]
    (step,) = THINGS.build()
    found = list(step.run([{"text": "STOP NOW PLEASE"}, {"text": "calm"}]))
    assert [len(f) for _, f in found] == [1, 0]
    assert THINGS.build(["shout"], {"shout": THINGS["shout"].Settings(min_caps=10)})[0].find(
        {"text": "STOP NOW PLEASE"}, {}) == []
    with pytest.raises(Exception, match="unknown thing 'whisper'; choose from shout"):
        THINGS.get_step("whisper")


def test_registry_refuses_a_second_step_of_the_same_name():
    reg = Registry("thing")

    @dataclasses.dataclass
    class S:
        x: int = 1  # a setting

    class A(Step):
        name, Settings = "a", S

    class B(Step):
        name, Settings = "a", S

    reg.register(A)
    with pytest.raises(TypeError, match="two things are called 'a'"):
        reg.register(B)


def test_the_worked_example_in_the_architecture_doc_runs(monkeypatch):
    """The example check, run as its own module against a fresh registry (the real one stays as it is)."""
    import types
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    code = re.search(r"as `curation/checks/long_system.py`:\n```python\n(.*?)```", text, re.S).group(1)
    assert "from .base import CHECKS, Check, Flag\n" in code
    registry = Registry("check")
    module = types.ModuleType("long_system_example")
    module.__dict__.update(CHECKS=registry, Check=Check, Flag=Flag)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    source = code.replace("from .base import CHECKS, Check, Flag\n", "")
    exec(compile(source, "long_system.py", "exec"), module.__dict__)
    step = registry.build(["long_system"])[0]
    long_system = {"messages": [{"role": "system", "content": "x" * 2500}, {"role": "user", "content": "hi"},
                                {"role": "assistant", "content": "hello"}]}
    short_system = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"},
                                 {"role": "assistant", "content": "hello"}]}
    (flag,) = step.find(long_system, {})
    assert flag.check == "long_system" and "2,500 chars" in flag.reason
    assert step.find(short_system, {}) == []
