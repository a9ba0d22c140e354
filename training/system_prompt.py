"""System prompt relevance by likelihood: does a model find the answer likelier with its system prompt?

The form-diversity report (curation/form_diversity.py) measures system prompt relevance by embedding similarity;
where a model is available this measures it directly: the mean negative log-likelihood per answer token of each
sample's assistant turns under a base model, with its own system prompt, without any, and with another sample's
(the control: a system prompt that should not help). The gain of the own prompt over none, and over another's,
per task_type: an answer the system prompt shapes gets likelier with it and with no other.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from curation.errors import UserError


@dataclass
class SystemLikelihoodSettings:
    """Which model scores, how many samples, and what counts as a gain."""

    base_model: str = "tiny"  # offline preset, model folder or Hugging Face id (scoring only, no training)
    per_type: int = 50  # samples with a system prompt scored per task_type (the first ones)
    max_length: int = 1024  # tokens per scored sample (longer ones are cut, as in training)
    min_gain: float = 0.05  # nats per answer token the own system prompt must save to count as "depends"
    device: str = "auto"  # auto | cuda | cpu


def _variants(samples: list[dict]) -> list[tuple[dict, dict, dict]]:
    """(with its system prompt, without one, with the next sample's different system prompt) per sample."""
    out = []
    systems = [s["messages"][0]["content"] for s in samples]
    for i, s in enumerate(samples):
        other = next((systems[j % len(samples)] for j in range(i + 1, i + len(samples))
                      if systems[j % len(samples)] != systems[i]), None)
        if other is None:
            continue
        rest = s["messages"][1:]
        out.append((s, dict(s, messages=rest), dict(s, messages=[{"role": "system", "content": other}] + rest)))
    return out


def pick(samples: Iterable[dict], per_type: int) -> list[dict]:
    """Samples with a system prompt and an answer, at most `per_type` per task_type."""
    seen: dict[str, int] = {}
    out = []
    for s in samples:
        msgs = s.get("messages") or []
        if not msgs or msgs[0].get("role") != "system" or not (msgs[0].get("content") or "").strip():
            continue
        tt = s.get("task_type") or "(untyped)"
        if seen.get(tt, 0) < per_type:
            seen[tt] = seen.get(tt, 0) + 1
            out.append(s)
    return out


def system_prompt_likelihood(samples: Iterable[dict], settings: SystemLikelihoodSettings | None = None) -> dict:
    """Per task_type: samples scored, mean gain (nats per answer token) of the own system prompt over none and
    over another sample's, and the share that depends on it (gain over none above `min_gain` and over the other
    above zero)."""
    from .data import Encoder
    from .loss import sample_losses
    from .models import load_model

    s = settings or SystemLikelihoodSettings()
    chosen = pick(samples, s.per_type)
    triples = _variants(chosen)
    if not triples:
        raise UserError("no two samples with different system prompts to compare: the likelihood measure needs "
                        "samples whose first turn is a system prompt")
    loaded = load_model(s.base_model, s.device)
    enc = Encoder(loaded.tok.tokenizer, s.max_length, loaded.tok.extra_eot_ids)
    encoded = [enc.encode(v) for t in triples for v in t]
    losses = sample_losses(loaded.model, encoded, device=loaded.device)
    per: dict[str, dict] = {}
    for k, (sample, _, _) in enumerate(triples):
        (own, n1), (none, n2), (other, n3) = losses[3 * k:3 * k + 3]
        if not (n1 and n2 and n3):
            continue  # the answer was cut away by max_length
        gain, vs_other = none / n2 - own / n1, other / n3 - own / n1
        for key in (sample.get("task_type") or "(untyped)", "(all)"):
            row = per.setdefault(key, {"task_type": key, "samples": 0, "gain": 0.0, "gain_vs_other": 0.0,
                                       "depends": 0})
            row["samples"] += 1
            row["gain"] += gain
            row["gain_vs_other"] += vs_other
            row["depends"] += gain > s.min_gain and vs_other > 0
    rows = []
    for key in sorted(per, key=lambda x: (x == "(all)", x)):
        r = per[key]
        n = r["samples"]
        rows.append({"task_type": key, "samples": n, "mean_gain": round(r["gain"] / n, 4),
                     "mean_gain_vs_other": round(r["gain_vs_other"] / n, 4), "depends": r["depends"],
                     "depends_share": round(r["depends"] / n, 4)})
    return {"model": s.base_model, "rows": rows, "settings": dataclasses.asdict(s)}
