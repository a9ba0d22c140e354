"""Charts and tables of the diversity statistics, and the self-contained HTML report that shares them.

The Diversity page and the report draw the same Plotly figures from `curation.stats.compute_stats`'s result, so
what a lead sees on screen is what they send. Every figure carries `customdata` naming what a click should open
(a task_type, or a task_type and a length range) so the page can lead to the matching samples.

Sample text is data, never markup: it is HTML-escaped in report tables and in chart hover text (Plotly renders
a subset of HTML in labels), and Plotly's own JSON escapes `<` inside the embedded scripts.
"""
from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

from .errors import UserError
from .stats import ALL, DEFINITION_SEMANTIC, DEFINITIONS

LENGTH_TITLES = {"prompt_chars": "Prompt length (characters)", "answer_chars": "Answer length (characters)",
                 "prompt_tokens": "Prompt length (tokens)", "answer_tokens": "Answer length (tokens)"}
LANGS = ("zh", "en", "mixed", "other")
SECTIONS = ("Overview", "Warnings", "Task type balance", "Length spread", "Conversation shape", "Language mix",
            "Answer monotony", "Prompt monotony", "System prompts", "Robustness", "Semantic coverage",
            "Comparison", "Definitions")


def _go():
    import plotly.graph_objects as go
    return go


def _esc(text, limit: int = 300) -> str:
    """Sample text for a chart label: escaped, shortened, line breaks kept as <br>."""
    t = str(text or "")
    t = t if len(t) <= limit else t[:limit] + "…"
    return html.escape(t).replace("\n", "<br>")


def palette() -> list[str]:
    """48 distinct category colours (Plotly's Dark24 then Light24): enough for every L1 of the taxonomy, so no two
    series of one chart share a colour."""
    from plotly.colors import qualitative
    return list(qualitative.Dark24) + list(qualitative.Light24)


def report_template():
    """The report's own Plotly template: a real palette on white. Without it a figure takes the process's default
    template, which inside the app is Streamlit's, whose placeholder colours (#000001…) only the app's frontend
    replaces: in a saved report every series would be near-black."""
    import plotly.io as pio
    t = _go().layout.Template(pio.templates["plotly_white"])  # a copy: the registered template stays as it is
    t.layout.colorway = palette()
    return t


def _layout(fig, title: str, height: int = 420):
    # automargin: long task_type tick labels get the room they need instead of being clipped at the edge
    fig.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=50, b=10), legend_title_text="")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _names(rows: list[dict]) -> tuple[list[str], list[str]]:
    """(task_types, chart labels): the raw values travel as click data, the escaped ones are shown (Plotly renders
    a subset of HTML in labels, so a task_type like `<a href=…>` would become a live link)."""
    raw = [x["task_type"] for x in rows]
    return raw, [_esc(t, 80) for t in raw]


def _types(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["task_type"] != ALL]


# ---------------------------------------------------------------- balance
def fig_balance_sunburst(r: dict):
    """Two-level task_type counts: L1 ring inside, L2 outside; click data is the task_type (or L1)."""
    go = _go()
    rows = [x for x in r["balance"]["rows"] if x["samples"]]
    l1 = {}
    for x in rows:
        l1[x["l1"]] = l1.get(x["l1"], 0) + x["samples"]
    ids = list(l1) + [x["task_type"] for x in rows if x["l2"]]
    labels = list(l1) + [x["l2"] for x in rows if x["l2"]]
    parents = [""] * len(l1) + [x["l1"] for x in rows if x["l2"]]
    values = list(l1.values()) + [x["samples"] for x in rows if x["l2"]]
    fig = go.Figure(go.Sunburst(ids=[html.escape(t) for t in ids], labels=[_esc(t, 60) for t in labels],
                                parents=[html.escape(t) for t in parents], values=values, branchvalues="total",
                                customdata=ids, hovertext=[_esc(t, 80) for t in ids],
                                hovertemplate="%{hovertext}<br>%{value} samples (%{percentRoot:.1%})<extra></extra>"))
    return _layout(fig, "Samples per task_type", 520)


def fig_balance_gap(r: dict):
    """Have vs want per task_type (types with a target, plus the untyped bucket)."""
    go = _go()
    rows = [x for x in r["balance"]["rows"] if x["want"] is not None or x["status"] == "untyped"]
    if not rows:
        rows = r["balance"]["rows"]
    ids, names = _names(rows)
    fig = go.Figure([
        go.Bar(name="have", x=names, y=[x["samples"] for x in rows], customdata=ids,
               hovertemplate="%{x}<br>have %{y}<extra></extra>"),
        go.Bar(name="want", x=names, y=[x["want"] or 0 for x in rows], customdata=ids,
               hovertemplate="%{x}<br>want %{y}<extra></extra>"),
    ])
    fig.update_layout(barmode="group", xaxis_tickangle=-35)
    return _layout(fig, "Have vs want (targets)")


def balance_table(r: dict) -> list[dict]:
    """Balance rows for display."""
    return [{"task_type": x["task_type"], "samples": x["samples"], "share": round(x["share"], 4),
             "target": _target_text(x), "want": x["want"], "missing": x["missing"], "excess": x["excess"],
             "status": x["status"]} for x in r["balance"]["rows"]]


def fill_gaps(r: dict, limit: int = 12) -> list[dict]:
    """The task_types under their target (status under or missing), most missing first: the balance table's
    "fill this gap" links to the Generate page (Self-Instruct, default count = the missing count)."""
    rows = [x for x in r["balance"]["rows"] if x["status"] in ("under", "missing") and x["missing"]
            and "/" in x["task_type"]]
    return [{"task_type": x["task_type"], "missing": x["missing"]}
            for x in sorted(rows, key=lambda x: (-x["missing"], x["task_type"]))[:limit]]


def _target_text(x: dict) -> str:
    if x["target_count"] is not None:
        return f"{x['target_count']} samples"
    if x["target_share"] is not None:
        return f"{x['target_share']:.1%}"
    return ""


# ---------------------------------------------------------------- lengths
def fig_length_boxes(r: dict, metric: str):
    """Per task_type: p5–p95 whiskers, p25–p75 box, median line (precomputed quantiles)."""
    go = _go()
    rows = _types(r["lengths"]["quantiles"][metric])
    ids, names = _names(rows)
    fig = go.Figure(go.Box(x=names, q1=[x["p25"] for x in rows], median=[x["p50"] for x in rows],
                           q3=[x["p75"] for x in rows], lowerfence=[x["p5"] for x in rows],
                           upperfence=[x["p95"] for x in rows], customdata=ids, name=metric,
                           hovertemplate="%{x}<extra></extra>"))
    fig.update_layout(yaxis=dict(type="log", dtick=1), xaxis_tickangle=-35, showlegend=False)
    return _layout(fig, f"{LENGTH_TITLES[metric]} per task_type (p5, p25, median, p75, p95)")


def length_bins(r: dict, metric: str) -> list[tuple[float, float, str]]:
    """(low, high, label) of each histogram bin."""
    edges = r["lengths"]["histograms"][metric]["edges"]
    def fmt(x: float) -> str:
        return f"{x:.0f}" if x >= 10 else f"{x:.1f}".rstrip("0").rstrip(".")
    return [(edges[i], edges[i + 1], f"{fmt(edges[i])}–{fmt(edges[i + 1])}") for i in range(len(edges) - 1)]


def fig_length_hist(r: dict, metric: str, task_type: str | None = None):
    """Histogram on log-spaced bins: the whole selection, or one task_type; click data is (type, low, high)."""
    go = _go()
    h = r["lengths"]["histograms"][metric]
    bins = length_bins(r, metric)
    if task_type:
        counts = h["counts"].get(task_type, [0] * len(bins))
    else:
        counts = [sum(c[i] for c in h["counts"].values()) for i in range(len(bins))]
    custom = [[task_type or "", lo, hi if i < len(bins) - 1 else None] for i, (lo, hi, _) in enumerate(bins)]
    fig = go.Figure(go.Bar(x=[b[2] for b in bins], y=counts, customdata=custom,
                           hovertemplate="%{x}: %{y} samples<extra></extra>"))
    fig.update_layout(xaxis_tickangle=-45, bargap=0.05)
    return _layout(fig, f"{LENGTH_TITLES[metric]} — {_esc(task_type or 'all samples', 80)}", 360)


def quantile_table(r: dict, metric: str) -> list[dict]:
    return [{k: v for k, v in x.items()} for x in r["lengths"]["quantiles"][metric]]


# ---------------------------------------------------------------- shape and languages
def fig_shape(r: dict):
    """Shares per task_type: multi-turn, with system prompt, with tools, with tool calls."""
    go = _go()
    rows = _types(r["shape"]["rows"])
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=label, x=names, y=[x[key] for x in rows], customdata=ids,
                            hovertemplate="%{x}<br>" + label + " %{y:.0%}<extra></extra>")
                     for key, label in (("multi_turn", "multi-turn"), ("with_system", "system prompt"),
                                        ("with_tools", "tools"), ("with_tool_calls", "tool calls"))])
    fig.update_layout(barmode="group", yaxis_tickformat=".0%", xaxis_tickangle=-35)
    return _layout(fig, "Conversation shape per task_type")


def fig_turns(r: dict):
    """User turns per sample over the selection."""
    go = _go()
    total: dict[str, int] = {}
    for per_type in r["shape"]["turns"].values():
        for t, n in per_type.items():
            total[t] = total.get(t, 0) + n
    keys = sorted(total, key=lambda t: int(t.rstrip("+")))
    fig = go.Figure(go.Bar(x=keys, y=[total[k] for k in keys], customdata=keys,
                           hovertemplate="%{x} user turns: %{y} samples<extra></extra>"))
    fig.update_xaxes(type="category", title="user turns")
    return _layout(fig, "Turns per sample", 320)


def fig_languages(r: dict):
    """Language shares per task_type (stacked)."""
    go = _go()
    rows = r["languages"]["rows"]
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=lang, y=names, x=[x[lang] for x in rows], orientation="h",
                            customdata=[[n, lang] for n in ids],
                            hovertemplate="%{y}<br>" + lang + " %{x:.0%}<extra></extra>") for lang in LANGS])
    fig.update_layout(barmode="stack", xaxis_tickformat=".0%")
    return _layout(fig, "Language mix per task_type", max(320, 24 * len(rows) + 120))


# ---------------------------------------------------------------- monotony
def fig_distinct(r: dict):
    """distinct-1 and distinct-2 per task_type."""
    go = _go()
    rows = r["answers"]["distinct"]
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=k.replace("_", "-"), x=names, y=[x[k] for x in rows], customdata=ids,
                            hovertemplate="%{x}<br>" + k + " %{y:.3f}<extra></extra>")
                     for k in ("distinct_1", "distinct_2")])
    fig.update_layout(barmode="group", yaxis_range=[0, 1], xaxis_tickangle=-35)
    return _layout(fig, "Answer distinct-n per task_type (higher = more varied)")


def fig_repeats(r: dict):
    """Share of samples whose answer exactly / nearly repeats another's, per task_type."""
    go = _go()
    rows = _types(r["answers"]["repeats"])
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=label, x=names, y=[x[key] for x in rows], customdata=[[n, kind] for n in ids],
                            hovertemplate="%{x}<br>" + label + " %{y:.1%}<extra></extra>")
                     for key, label, kind in (("exact_share", "exactly repeated", "exact"),
                                              ("near_share", "nearly repeated", "near"))])
    fig.update_layout(barmode="group", yaxis_tickformat=".0%", xaxis_tickangle=-35)
    return _layout(fig, "Repeated answers per task_type")


def group_table(rows: list[dict], text_label: str) -> list[dict]:
    """Most-repeated groups for display (text shortened)."""
    return [{"samples": g["samples"], text_label: (g.get("opening") or g["text"])[:300],
             "variants": g["variants"], "task_types": ", ".join(f"{k} ({v})" for k, v in g["task_types"].items()),
             "example ids": ", ".join(g["example_ids"])} for g in rows]


def opening_table(rows: list[dict]) -> list[dict]:
    return [{"task_type": x["task_type"], "opening": x["opening"], "samples": x["samples"],
             "coverage": round(x["coverage"], 4)} for x in rows]


def fig_prompt_coverage(r: dict):
    """Share of each task_type's prompts covered by its most common opening (and its top 5)."""
    go = _go()
    rows = r["prompts"]["coverage"]
    ids, names = _names(rows)
    fig = go.Figure([
        go.Bar(name="top opening", x=names, y=[x["top_share"] for x in rows], customdata=ids,
               hovertext=[_esc(x["top_opening"], 80) for x in rows],
               hovertemplate="%{x}<br>%{hovertext}<br>%{y:.0%} of prompts<extra></extra>"),
        go.Bar(name="top 5 openings", x=names, y=[x["top_n_share"] for x in rows], customdata=ids,
               hovertemplate="%{x}<br>top 5 cover %{y:.0%}<extra></extra>"),
    ])
    fig.update_layout(barmode="group", yaxis_tickformat=".0%", yaxis_range=[0, 1], xaxis_tickangle=-35)
    return _layout(fig, "Prompt templates: share of prompts that start the same way")


def fig_robustness(r: dict):
    """Robustness share per task_type against the target share."""
    go = _go()
    rows = r["robustness"]["rows"]
    ids, names = _names(rows)
    fig = go.Figure(go.Bar(name="robustness share", x=names, y=[x["share"] for x in rows], customdata=ids,
                           hovertemplate="%{x}<br>%{y:.1%}<extra></extra>"))
    target = r["robustness"]["target_share"]
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", annotation_text=f"target {target:.0%}")
    fig.update_layout(yaxis_tickformat=".0%", xaxis_tickangle=-35)
    return _layout(fig, "Robustness samples per task_type")


# ---------------------------------------------------------------- semantic coverage
def fig_semantic_map(sem: dict):
    """2-D map of prompt embeddings coloured by task_type; hover shows the prompt; click data is the id."""
    go = _go()
    by_type: dict[str, list[dict]] = {}
    for p in sem["points"]:
        by_type.setdefault(p["task_type"], []).append(p)
    fig = go.Figure([go.Scattergl(x=[p["x"] for p in pts], y=[p["y"] for p in pts], mode="markers", name=_esc(tt, 60),
                                  marker=dict(size=6, opacity=0.75), customdata=[p["id"] for p in pts],
                                  hovertext=[_esc(p["prompt"], 200) for p in pts],
                                  hovertemplate="%{hovertext}<extra>" + _esc(tt, 60) + "</extra>")
                     for tt, pts in sorted(by_type.items())])
    fig.update_layout(xaxis_visible=False, yaxis_visible=False)
    title = f"Prompt embeddings ({sem['settings']['projection'].upper()}, model {_esc(sem['model'], 80)})"
    return _layout(fig, title, 560)


def fig_semantic_scores(sem: dict):
    """Mean pairwise cosine distance per task_type (higher = prompts spread over more meanings)."""
    go = _go()
    rows = [x for x in sem["scores"] if x["mean_cosine_distance"] is not None]
    ids, names = _names(rows)
    fig = go.Figure(go.Bar(x=names, y=[x["mean_cosine_distance"] for x in rows], customdata=ids,
                           hovertext=[f"Vendi {x['vendi']} over {x['n']} prompts" for x in rows],
                           hovertemplate="%{x}<br>%{y:.3f}<br>%{hovertext}<extra></extra>"))
    fig.update_layout(xaxis_tickangle=-35)
    return _layout(fig, "Semantic diversity per task_type (mean pairwise cosine distance)")


# ---------------------------------------------------------------- comparison
def fig_compare_balance(r: dict):
    """task_type shares of the two selections side by side."""
    go = _go()
    rows = r["comparison"]["balance"]
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=label, x=names, y=[x[key] for x in rows], customdata=ids,
                            hovertemplate="%{x}<br>%{y:.1%}<extra>" + label + "</extra>")
                     for key, label in (("share_a", "selection A"), ("share_b", "selection B"))])
    fig.update_layout(barmode="group", yaxis_tickformat=".0%", xaxis_tickangle=-35)
    return _layout(fig, "task_type shares: A vs B")


# ---------------------------------------------------------------- HTML report
def _table(rows: list[dict], limit: int = 200) -> str:
    if not rows:
        return "<p class='empty'>Nothing to show.</p>"
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>"
                   for r in rows[:limit])
    more = f"<p class='empty'>… {len(rows) - limit} more rows</p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return str(v)


def _fig_html(fig) -> str:
    # A saved report has no app to open a click in, so the raw click data (unescaped task_types) stays out of it.
    fig.update_layout(template=report_template())
    fig.update_traces(customdata=None)
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


def report_sections(r: dict) -> list[tuple[str, list[str]]]:
    """(section title, HTML parts) for every section of the report, in SECTIONS order."""
    out = [("Overview", [_table([{"metric": k, "value": v} for k, v in r["headline"].items()]),
                         _table([{"filter": str(r["filter"] or "whole store"),
                                  "store revision": r["store_revision"]}])]),
           ("Warnings", [_table(r["warnings"])]),
           ("Task type balance", [_fig_html(fig_balance_sunburst(r))]
            + ([_fig_html(fig_balance_gap(r))] if any(x["want"] is not None for x in r["balance"]["rows"]) else [])
            + [_table(balance_table(r))])]
    lengths = []
    for metric in LENGTH_TITLES:
        lengths += [_fig_html(fig_length_hist(r, metric)), _fig_html(fig_length_boxes(r, metric))]
    lengths += [_table(r["lengths"]["flags"])] + [_table(quantile_table(r, m)) for m in LENGTH_TITLES]
    out.append(("Length spread", lengths))
    out.append(("Conversation shape", [_fig_html(fig_shape(r)), _fig_html(fig_turns(r)),
                                       _table(_types(r["shape"]["rows"]))]))
    out.append(("Language mix", [_fig_html(fig_languages(r)),
                                 _table([{k: v for k, v in x.items() if k != "counts"} for x in r["languages"]["rows"]])]))
    a = r["answers"]
    out.append(("Answer monotony", [_fig_html(fig_distinct(r)), _fig_html(fig_repeats(r)),
                                    "<h3>Most repeated answers</h3>", _table(group_table(a["top_answers"], "answer")),
                                    "<h3>Most common answer openings</h3>",
                                    _table(group_table(a["top_openings"], "opening")),
                                    "<h3>Answer openings per task_type</h3>", _table(opening_table(a["openings_per_type"])),
                                    _table(a["distinct"]), _table(a["repeats"])]))
    p = r["prompts"]
    out.append(("Prompt monotony", [_fig_html(fig_prompt_coverage(r)), "<h3>Most common prompt openings</h3>",
                                    _table(group_table(p["templates"], "opening")),
                                    "<h3>Prompt openings per task_type</h3>", _table(opening_table(p["per_type"]))]))
    out.append(("System prompts", [_table(group_table(r["system_prompts"], "system prompt"))]))
    out.append(("Robustness", [_fig_html(fig_robustness(r)), _table(r["robustness"]["rows"])]))
    out.append(("Semantic coverage", _semantic_parts(r.get("semantic"))))
    out.append(("Comparison", _comparison_parts(r)))
    defs = {**DEFINITIONS, **DEFINITION_SEMANTIC}
    out.append(("Definitions", [_table([{"term": k, "definition": v} for k, v in defs.items()])]))
    return out


def _semantic_parts(sem: dict | None) -> list[str]:
    if not sem:
        return ["<p class='empty'>Not computed for this report (run `curation stats --embeddings --report …`, or "
                "compute the map on the Diversity page first).</p>"]
    parts = [f"<p class='warn'>{html.escape(w)}</p>" for w in sem["warnings"]]
    if not sem["points"]:
        return parts + ["<p class='empty'>No embeddings cached for this selection yet.</p>"]
    return parts + [_fig_html(fig_semantic_map(sem)), _fig_html(fig_semantic_scores(sem)), _table(sem["scores"])]


def _comparison_parts(r: dict) -> list[str]:
    if "comparison" not in r:
        return ["<p class='empty'>No second selection was given.</p>"]
    c = r["comparison"]
    return [_table([{"A": str(c["filters"]["a"] or "whole store"),
                     "B": str(c["filters"]["b"] or "whole store")}]),
            _table(c["headline"]), _fig_html(fig_compare_balance(r)), _table(c["balance"])]


_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:36px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:3px 6px;
vertical-align:top;max-width:520px;overflow-wrap:anywhere}th{background:#f4f4f4}.empty{color:#777}
.warn{background:#fff4e5;padding:6px 10px;border-left:4px solid #f0a020}nav a{margin-right:12px}"""


def render_html(r: dict, title: str = "SFT Workbench — diversity report") -> str:
    """The whole dashboard as one self-contained HTML page (plotly.js embedded, no network needed)."""
    from plotly.offline import get_plotlyjs
    sections = report_sections(r)
    nav = "".join(f"<a href='#s{i}'>{html.escape(name)}</a>" for i, (name, _) in enumerate(sections))
    body = "".join(f"<section id='s{i}'><h2>{html.escape(name)}</h2>{''.join(parts)}</section>"
                   for i, (name, parts) in enumerate(sections))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{r['total']} samples · generated {when} · store revision "
            f"{r['store_revision']}</p><nav>{nav}</nav>{body}</body></html>")


def write_report(r: dict, path: str | Path) -> Path:
    """Write the HTML report; returns its path."""
    p = Path(path)
    try:
        p.write_text(render_html(r), encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write report {p}: {e.strerror}") from None
    return p
