"""The launch audit: tokenize the whole export before any compute is spent and report what would go wrong.

Fatal problems (the launch is refused): no trainable samples, too many samples without a single trained
token, too many answers cut by max_length, export files changed since the export. Everything else is a warning
shown before launch: a few zero-trainable or truncated samples (dropped / trained as cut), turns without an
end-of-turn token, control-token text inside contents, a missing eval split, eval samples that duplicate a
training sample (they would be left out of the before/after scores, or inflate them).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .config import TrainSettings
from .data import Encoded, Encoder, trained_segments

MAX_LISTED = 50  # ids listed per finding; counts are always complete


@dataclass
class AuditReport:
    """What the audit found; `ok` is False when a fatal problem refuses the launch."""

    ok: bool
    fatal: list[str]
    warnings: list[str]
    template: str  # "own" | "chatml-fallback"
    max_length: int
    counts: dict  # train, eval, general, invalid, zero_trainable, truncated, ...
    zero_trainable: list[str]
    truncated: list[dict]  # {id, turns, length}
    invalid: list[dict]  # {id, problems}
    control_text: list[dict]  # {id, tokens}
    lengths: dict  # min, p50, p90, p95, p99, max, mean, over_max_share, histogram
    tokens: dict  # total, trained, trained_share
    first_sample: dict  # {id, segments: [{text, trained}]}
    export: dict  # path, content_hash, problems
    settings: dict = field(default_factory=dict)
    contaminated: list[dict] = field(default_factory=list)  # {id, train_id, kind, similarity}: eval overlaps train
    plan: dict = field(default_factory=dict)  # planned steps, why, estimated seconds (training/plan.py)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def summary(self) -> str:
        """One paragraph for a CLI error or a log line."""
        head = "audit: refused" if not self.ok else "audit: ok"
        parts = [head] + [f"FATAL {m}" for m in self.fatal] + [f"warning {m}" for m in self.warnings]
        return "; ".join(parts)


def run_audit(export, tok_info, settings: TrainSettings, general: list[dict] = (), base_model: str = "") -> tuple[
        AuditReport, list[Encoded], list[Encoded]]:
    """Encode train (+ general mix) and eval samples and audit them; returns the report and the encodings.

    `base_model` names the model for the language check (a preset that does not speak the export's language)."""
    from curation.messages import validate_messages

    encoder = Encoder(tok_info.tokenizer, settings.max_length, tok_info.extra_eot_ids)
    invalid, train_enc = [], []
    for s in list(export.train) + list(general):
        problems = validate_messages(s.get("messages"))
        if problems:
            invalid.append({"id": str(s.get("id")), "problems": problems[:3]})
            continue
        train_enc.append(encoder.encode(s))
    eval_enc = [encoder.encode(s) for s in export.eval if not validate_messages(s.get("messages"))]
    report = _report(train_enc, eval_enc, invalid, export, tok_info, settings, len(general))
    _audit_overlap(report, export, general)
    warning = language_warning(list(export.train), base_model)
    if warning:
        report.warnings.append(warning)
    return report, [e for e in train_enc if e.n_trained > 0], [e for e in eval_enc if e.n_trained > 0]


def _report(train_enc, eval_enc, invalid, export, tok_info, settings, n_general) -> AuditReport:
    n = len(train_enc)
    zero = [e.id for e in train_enc if e.n_trained == 0]
    truncated = [{"id": e.id, "turns": e.truncated_turns, "length": e.full_length}
                 for e in train_enc if e.truncated_turns]
    missing = sum(e.missing_eot_turns for e in train_enc)
    appended = sum(e.eot_appended for e in train_enc)
    turns = sum(e.assistant_turns for e in train_enc)
    unlocated = sum(e.unlocated_turns for e in train_enc)
    control = [{"id": e.id, "tokens": e.control_text} for e in train_enc if e.control_text]
    total = sum(len(e) for e in train_enc)
    trained = sum(e.n_trained for e in train_enc)
    fatal, warnings = [], []
    fatal += export.problems
    if n == 0:
        fatal.append("no valid training samples in the export")
    if n and len(zero) / n > settings.max_zero_trainable_share:
        fatal.append(f"{len(zero)} of {n} samples have no trained token (more than "
                     f"{settings.max_zero_trainable_share:.0%}): the chat template masks the answers or "
                     f"max_length {settings.max_length} cuts them off")
    elif zero:
        warnings.append(f"{len(zero)} samples have no trained token and are left out: {', '.join(zero[:5])}")
    if n and len(truncated) / n > settings.max_truncated_share:
        fatal.append(f"{len(truncated)} of {n} samples lose assistant tokens to max_length "
                     f"{settings.max_length} (more than {settings.max_truncated_share:.0%}); raise max_length")
    elif truncated:
        warnings.append(f"{len(truncated)} samples have assistant turns cut by max_length {settings.max_length}; "
                        f"their answers are trained as cut")
    if missing:
        fixed = f"; eos was appended to the final answer of {appended} samples" if appended else ""
        warnings.append(f"{missing} of {turns} assistant turns have no end-of-turn token in the template{fixed}")
    if unlocated:
        warnings.append(f"{unlocated} assistant turns could not be located in the template's output and are "
                        f"not trained")
    if invalid:
        warnings.append(f"{len(invalid)} samples break the message rules and are left out")
    if control:
        warnings.append(f"{len(control)} samples contain control-token text (e.g. {control[0]['tokens'][0]}) "
                        f"in their content; it is tokenized as the control token")
    if not eval_enc:
        warnings.append("the export has no eval split: no eval loss and no checkpoint generations")
    if total and trained / total < 0.05:
        warnings.append(f"only {trained / total:.1%} of tokens are trained (long prompts, short answers)")
    if tok_info.template != "own":
        warnings.append("the base model has no chat template; the ChatML fallback is used (evaluate with it too)")
    first = next((e for e in train_enc if e.n_trained), train_enc[0] if train_enc else None)
    return AuditReport(
        ok=not fatal, fatal=fatal, warnings=warnings, template=tok_info.template, max_length=settings.max_length,
        counts={"train": n, "eval": len(eval_enc), "general": n_general, "invalid": len(invalid),
                "zero_trainable": len(zero), "truncated": len(truncated), "assistant_turns": turns,
                "missing_end_of_turn": missing, "eos_appended": appended, "unlocated_turns": unlocated,
                "eval_zero_trainable": sum(e.n_trained == 0 for e in eval_enc)},
        zero_trainable=zero[:MAX_LISTED], truncated=truncated[:MAX_LISTED], invalid=invalid[:MAX_LISTED],
        control_text=control[:MAX_LISTED],
        lengths=length_stats([e.full_length for e in train_enc], settings.max_length),
        tokens={"total": total, "trained": trained, "trained_share": round(trained / total, 4) if total else 0.0},
        first_sample={"id": first.id, "segments": trained_segments(tok_info.tokenizer, first)} if first else {},
        export={"path": str(export.path), "content_hash": export.content_hash, "problems": export.problems},
        settings=dataclasses.asdict(settings),
    )


def _audit_overlap(report: AuditReport, export, general) -> None:
    """Warn when eval samples duplicate training samples (the decontamination evaluation will apply), before
    any compute is spent: such items are left out of the before/after scores, or inflate them."""
    from .contamination import find_contamination

    valid = [s for s in export.eval if isinstance(s.get("messages"), list)]
    train = [s for s in list(export.train) + list(general) if isinstance(s.get("messages"), list)]
    found = find_contamination(valid, train)
    report.counts["eval_contaminated"] = len(found)
    report.contaminated = [{"id": i, **hit} for i, hit in list(found.items())[:MAX_LISTED]]
    if found:
        first, hit = next(iter(found.items()))
        exact = sum(h["kind"] == "exact" for h in found.values())
        report.warnings.append(
            f"{len(found)} of {len(valid)} eval samples duplicate a training sample ({exact} exact, "
            f"{len(found) - exact} near, e.g. {first} ~ {hit['train_id']}); evaluation leaves them out of the "
            f"before/after scores. Export again (robustness variants stay with their parents) or decontaminate")


def length_stats(lengths: list[int], max_length: int) -> dict:
    """Percentiles of token lengths (before truncation) and a histogram in eighths of max_length."""
    if not lengths:
        return {}
    xs = sorted(lengths)

    def pct(p: float) -> int:
        return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]

    edges = [max_length * k // 8 for k in range(1, 9)]
    hist = [{"upto": edge, "count": sum(1 for x in xs if prev < x <= edge)}
            for prev, edge in zip([0] + edges[:-1], edges)]
    hist.append({"upto": None, "count": sum(1 for x in xs if x > max_length)})
    return {"min": xs[0], "p50": pct(0.5), "p90": pct(0.9), "p95": pct(0.95), "p99": pct(0.99), "max": xs[-1],
            "mean": round(sum(xs) / len(xs), 1), "over_max_share": round(hist[-1]["count"] / len(xs), 4),
            "histogram": hist}


def language_warning(samples: list[dict], base_model: str) -> str | None:
    """A warning when most samples are Chinese and the base model is a preset that does not speak Chinese."""
    from curation.text import detect_languages

    from .presets import get_preset

    preset = get_preset(base_model)
    if preset is None or "zh" in preset.languages or not samples:
        return None
    texts = [" ".join(str(m.get("content") or "") for m in s.get("messages") or [] if isinstance(m, dict))
             for s in samples]
    n_zh = sum(lang == "zh" for lang in detect_languages(texts))
    if n_zh / len(samples) <= 0.5:
        return None
    return (f"{n_zh} of {len(samples)} training samples are Chinese, but {preset.name} is English-only in "
            f"practice (its Chinese answers are gibberish), so scores on them will mean little; use a Chinese "
            f"chat model (a Hugging Face id or local folder such as Qwen/Qwen2.5-0.5B-Instruct)")
