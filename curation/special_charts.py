"""Plotly figures of the special-data and form-diversity reports (the Diversity page's Special data and Form tabs).

Every bar carries its task_type as click data; labels are escaped the way the diversity report's are.
"""
from __future__ import annotations

from .checks.long_context import POSITIONS
from .checks.rag import CASES
from .diversity_report import _go, _layout, _names, _types


def _stacked(rows: list[dict], parts: list[tuple[str, str]], title: str, share: bool = False):
    go = _go()
    rows = _types(rows)
    ids, names = _names(rows)
    fig = go.Figure([go.Bar(name=label, x=names, y=[r.get(key) or 0 for r in rows], customdata=ids,
                            hovertemplate="%{x}<br>" + label + ": %{y" + (":.0%" if share else "") + "}<extra></extra>")
                     for key, label in parts])
    fig.update_layout(barmode="group" if share else "stack", xaxis_tickangle=-35,
                      yaxis_tickformat=".0%" if share else None)
    return _layout(fig, title)


def fig_agent(report: dict):
    """Agent samples per task_type: single calls, parallel calls, no tool needed."""
    return _stacked(report["agent"], [("single", "single calls"), ("parallel", "parallel calls"),
                                      ("no_tool", "no tool needed")], "Agent samples: how they use tools")


def fig_rag(report: dict):
    """Share of RAG samples per task_type with each of the four cases."""
    return _stacked(report["rag"], [(f"{c}_share", c.replace("_", " ")) for c in CASES],
                    "RAG samples: share with each case", share=True)


def fig_positions(rows: list[dict], title: str = "Where long prompts keep the answer's support"):
    """Long prompts per task_type by the position of the answer's supporting span."""
    return _stacked(rows, [(p, p) for p in POSITIONS], title)


def fig_similarity_shares(measure: dict, key: str, title: str):
    """A share per task_type (switches, decoration) from a form-diversity measure."""
    return _stacked(measure["rows"], [(f"{key}_share", key)], title, share=True)
