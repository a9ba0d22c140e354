"""Benchmark: precision and recall of the flywheel's PII scrubber on a labelled zh+en set of chat-log lines.

    python benchmarks/pii.py            # benchmarks/data/pii_labelled.jsonl (built by data/build_pii_labelled.py)

Prints one JSON document: per label (email, phone, cn_id, bank_card, ip, api_key, secret, and `keys` = api_key +
secret) the gold spans, predictions, precision and recall, plus the share of gold spans redacted under any label
(what protects the user). Target: recall >= 0.95 on e-mails, phones, IDs and keys. The baseline, measured in the
same run on the same lines, is `naive_regex`: the patterns a first attempt would use (an e-mail regex, 11 digits,
17 digits + check character, 16-19 digits, four dotted numbers, `sk-`/`AKIA`), no checksums and no context; it
shows what the checksums and the hard-negative rules buy in precision.

The set has two parts: lines generated from templates (the values in the many ways people write them, hard
negatives in the same sentences) and 40 lines written by hand and not tuned against afterwards, reported apart
under `handwritten_lines` (their per-label pairs are [recall, precision]).

A prediction matches a gold span when they overlap and carry the same label.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data" / "pii_labelled.jsonl"
LABELS = ("email", "phone", "cn_id", "bank_card", "ip", "api_key", "secret")
TARGET = {"email": 0.95, "phone": 0.95, "cn_id": 0.95, "keys": 0.95}

_NAIVE = (("email", re.compile(r"\S+@\S+\.\w+")), ("cn_id", re.compile(r"\d{17}[\dXx]")),
          ("bank_card", re.compile(r"\d{16,19}")), ("phone", re.compile(r"1\d{10}")),
          ("ip", re.compile(r"\d+\.\d+\.\d+\.\d+")), ("api_key", re.compile(r"sk-\w+|AKIA\w{16}")))


def naive_spans(text: str) -> list[tuple[int, int, str]]:
    """The baseline: first match wins, no checksums, no context."""
    taken: list[tuple[int, int, str]] = []
    for label, pattern in _NAIVE:
        for m in pattern.finditer(text):
            if all(m.end() <= a or m.start() >= b for a, b, _ in taken):
                taken.append((m.start(), m.end(), label))
    return taken


def score(rows: list[dict], spans_of) -> dict:
    """Per-label precision/recall of a span finder over the labelled rows."""
    gold_n = {k: 0 for k in LABELS}
    found = {k: 0 for k in LABELS}
    pred_n = {k: 0 for k in LABELS}
    pred_ok = {k: 0 for k in LABELS}
    any_found = 0
    misses, false_positives = [], []
    start = time.perf_counter()
    for row in rows:
        pred = spans_of(row["text"])
        gold = [(g["start"], g["end"], g["label"]) for g in row["spans"]]
        for a, b, label in gold:
            gold_n[label] += 1
            hit = [p for p in pred if p[0] < b and p[1] > a]
            any_found += bool(hit)
            if any(p[2] == label for p in hit):
                found[label] += 1
            elif len(misses) < 12:
                misses.append({"label": label, "text": row["text"][a:b]})
        for a, b, label in pred:
            pred_n[label] += 1
            if any(g[0] < b and g[1] > a and g[2] == label for g in gold):
                pred_ok[label] += 1
            elif len(false_positives) < 12:
                false_positives.append({"label": label, "text": row["text"][a:b]})
    seconds = time.perf_counter() - start
    per = {}
    for k in LABELS:
        per[k] = {"gold": gold_n[k], "predicted": pred_n[k], "recall": _ratio(found[k], gold_n[k]),
                  "precision": _ratio(pred_ok[k], pred_n[k])}
    keys = ("api_key", "secret")
    per["keys"] = {"gold": sum(gold_n[k] for k in keys), "predicted": sum(pred_n[k] for k in keys),
                   "recall": _ratio(sum(found[k] for k in keys), sum(gold_n[k] for k in keys)),
                   "precision": _ratio(sum(pred_ok[k] for k in keys), sum(pred_n[k] for k in keys))}
    total_gold, total_pred = sum(gold_n.values()), sum(pred_n.values())
    return {"per_label": per, "micro": {"recall": _ratio(sum(found.values()), total_gold),
                                        "precision": _ratio(sum(pred_ok.values()), total_pred)},
            "redacted_any_label": _ratio(any_found, total_gold), "lines_per_second": round(len(rows) / seconds),
            "misses": misses, "false_positives": false_positives}


def _brief(result: dict) -> dict:
    """Recall and precision per label only, with the misses (for the handwritten subset)."""
    return {"per_label": {k: [v["recall"], v["precision"]] for k, v in result["per_label"].items()},
            "micro": result["micro"], "misses": result["misses"], "false_positives": result["false_positives"]}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def main() -> dict:
    from curation.flywheel.pii import PiiScrubber
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    scrubber = PiiScrubber()
    ours = score(rows, scrubber.spans)
    base = score(rows, naive_spans)
    handwritten = [r for r in rows if r.get("source") == "handwritten"]
    held_out = {"lines": len(handwritten), "spans": sum(len(r["spans"]) for r in handwritten),
                "scrubber": _brief(score(handwritten, scrubber.spans)),
                "baseline_naive_regex": _brief(score(handwritten, naive_spans))}
    met = {k: (ours["per_label"][k]["recall"] or 0) >= t for k, t in TARGET.items()}
    result = {"benchmark": "pii_scrubber", "data": str(DATA.relative_to(ROOT)), "lines": len(rows),
              "spans": sum(len(r["spans"]) for r in rows),
              "hard_negative_lines": sum(not r["spans"] for r in rows),
              "target_recall": TARGET, "target_met": met, "scrubber": ours, "baseline_naive_regex": base,
              "side_by_side": {k: {"recall": [ours["per_label"][k]["recall"], base["per_label"][k]["recall"]],
                                   "precision": [ours["per_label"][k]["precision"], base["per_label"][k]["precision"]]}
                               for k in (*LABELS, "keys")},
              "side_by_side_columns": ["scrubber", "naive_regex"], "handwritten_lines": held_out}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    main()
