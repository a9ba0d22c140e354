"""`curation special report|rag-cases|confirm|reject|form|constraints`: a thin shell over curation.special,
curation.form_diversity and curation.constraints (registered by curation/cli/__init__.py)."""
from __future__ import annotations

from ..checks.long_context import LongContextSettings
from ..checks.rag import CASES, RagSettings
from ..constraints import extract_constraints, verify
from ..embedding_models import DEFAULT_MODEL
from ..form_diversity import FormSettings, form_diversity
from ..special import SpecialSettings, confirm_rag_case, rag_case_samples, special_report
from .args import add_filter_args, author_of, filter_from_args, open_store, positive_int


def register(sub, common) -> None:
    """Add the `special` command group to the `curation` parser."""
    top = sub.add_parser("special", parents=[common], help="agent, RAG, long-context and complex-instruction data; "
                                                           "form diversity")
    ssub = top.add_subparsers(dest="special_command", required=True, metavar="ACTION")

    p = ssub.add_parser("report", parents=[common], help="special-data coverage and problems per task_type")
    _rag_options(p)
    p.add_argument("--long-chars", type=positive_int, help="prompts this long are long-context (default 4000)")
    add_filter_args(p)
    p.set_defaults(func=cmd_report)

    p = ssub.add_parser("rag-cases", parents=[common], help="samples where a RAG case is detected or confirmed")
    p.add_argument("--case", required=True, choices=CASES)
    p.add_argument("--limit", type=positive_int, default=200)
    _rag_options(p)
    add_filter_args(p)
    p.set_defaults(func=cmd_rag_cases)

    for name in ("confirm", "reject"):
        p = ssub.add_parser(name, parents=[common], help=f"{name} a RAG case on samples (a tag, kept in history)")
        p.add_argument("ids", nargs="+", help="sample ids")
        p.add_argument("--case", required=True, choices=CASES)
        p.set_defaults(func=cmd_confirm, reject=name == "reject")

    p = ssub.add_parser("form", parents=[common], help="form diversity per task_type: topic switches, system "
                                                       "prompt relevance, key-information position, requested length")
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"embedding model (default {DEFAULT_MODEL})")
    p.add_argument("--cached-only", action="store_true", help="use only vectors already cached; encode nothing")
    p.add_argument("--per-type", type=positive_int, help="samples per task_type and measure (default 300)")
    add_filter_args(p)
    p.set_defaults(func=cmd_form)

    p = ssub.add_parser("constraints", parents=[common], help="the checkable constraints of a prompt (and, with "
                                                              "--answer, whether an answer meets them)")
    p.add_argument("prompt", help="the prompt text")
    p.add_argument("--answer", help="an answer to verify against them")
    p.set_defaults(func=cmd_constraints)


def _rag_options(p) -> None:
    p.add_argument("--rag-pattern", help="regular expression of a turn that carries retrieved context")


def _rag(args) -> RagSettings:
    return RagSettings(context_pattern=args.rag_pattern) if args.rag_pattern else RagSettings()


def cmd_report(args) -> dict:
    s = SpecialSettings(rag=_rag(args))
    if args.long_chars:
        s.long_context = LongContextSettings(min_prompt_chars=args.long_chars)
    with open_store(args) as store:
        return special_report(store, filter_from_args(args), s)


def cmd_rag_cases(args) -> dict:
    with open_store(args) as store:
        rows = rag_case_samples(store, filter_from_args(args), args.case, _rag(args), limit=args.limit)
    return {"case": args.case, "count": len(rows), "samples": rows}


def cmd_confirm(args) -> dict:
    with open_store(args) as store:
        changed = confirm_rag_case(store, args.ids, args.case, author_of(args), reject=args.reject)
    return {"case": args.case, "verdict": "rejected" if args.reject else "confirmed", "changed": changed}


def cmd_form(args) -> dict:
    s = FormSettings(model=args.model, cached_only=args.cached_only)
    if args.per_type:
        s.per_type = args.per_type
    with open_store(args) as store:
        return form_diversity(store, filter_from_args(args), s)


def cmd_constraints(args) -> dict:
    rows = []
    for c in extract_constraints(args.prompt):
        row = c.to_dict()
        if args.answer is not None:
            v = verify(c, args.answer)
            row.update(ok=v.ok, measured=v.measured)
        rows.append(row)
    return {"constraints": rows}
