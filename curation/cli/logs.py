"""`curation logs import|list|show|promote|answer|dismiss|feedback`: production logs as candidates (a thin shell over
curation.flywheel.candidates, registered by curation/cli/__init__.py)."""
from __future__ import annotations

from .args import author_of, non_negative_int, open_store, positive_float, positive_int


def register(sub, common) -> None:
    """Add the `logs` command group to the `curation` parser."""
    from ..flywheel.candidates import LogImportSettings
    from ..flywheel.logs import SHAPES
    from ..flywheel.pii import RULES
    from ..flywheel.preferences import FORMATS, KINDS, PreferenceSettings
    from ..flywheel.rules.base import VALUE_RULES
    from ..store.candidates import STATES

    pref = PreferenceSettings()

    top = sub.add_parser("logs", parents=[common], help="import production logs as candidates; promote the good ones",
                         description="Production chat logs become candidates: PII scrubbed before storing, valuable "
                                     "sessions picked with a reason, never exported until promoted into a dataset.")
    lsub = top.add_subparsers(dest="logs_command", required=True, metavar="ACTION")

    defaults = LogImportSettings()
    p = lsub.add_parser("import", parents=[common], help="read log files into candidates (scrubbed, deduplicated, "
                                                         "picked by the value rules)")
    p.add_argument("files", nargs="+", help="JSONL log files")
    p.add_argument("--shape", choices=SHAPES, default="auto",
                   help="openai: request/response lines; turns: session id + turns; mapped: any JSONL via --map")
    p.add_argument("--map", help="KEY=FIELD pairs for the mapped shape: session, role, content (a turn per line) or "
                                 "prompt, answer (a pair per line); time, thumbs, rating, comment")
    p.add_argument("--encoding", help="file encoding (default: UTF-8, falling back to GBK/GB18030)")
    p.add_argument("--max-line-mb", type=positive_float, default=defaults.max_line_mb,
                   help=f"longer lines are quarantined unread (default {defaults.max_line_mb:g})")
    p.add_argument("--rule", action="append", choices=VALUE_RULES.names(),
                   help="value rules to run (repeatable; default every rule that needs no model)")
    p.add_argument("--novelty", action="store_true", help="also run the semantic novelty rule (loads the embedder)")
    p.add_argument("--no-dedup", action="store_true", help="do not mark prompts already in the store as duplicates")
    p.add_argument("--near-dup", type=positive_float, metavar="JACCARD",
                   help="also mark near-duplicates at or above this MinHash Jaccard of the user turns (e.g. 0.8)")
    p.add_argument("--pii-rule", action="append", choices=RULES,
                   help="PII rules to apply (repeatable; default all of them)")
    p.add_argument("--no-merge", action="store_true",
                   help="keep a session id seen in an earlier file apart (default: continue that candidate)")
    p.add_argument("--merge-gap-hours", type=positive_float, default=defaults.merge_gap_hours,
                   help="a later part starting longer than this after the earlier one ends stays apart "
                        f"(default {defaults.merge_gap_hours:g})")
    p.add_argument("--workers", type=non_negative_int, default=2,
                   help="processes that scrub sessions and run the value rules (default 2; 0: in this process; "
                        "fewer than 2,000 sessions a file always run in this process)")
    p.set_defaults(func=cmd_import)

    p = lsub.add_parser("list", parents=[common], help="candidates (picked first) with counts by state, rule and "
                                                       "PII redaction")
    p.add_argument("--import", dest="ingest_id", type=int, help="only this log import")
    p.add_argument("--state", choices=[*STATES, "all"], default="candidate")
    p.add_argument("--picked", action="store_true", help="only sessions a value rule picked")
    p.add_argument("--rule", choices=VALUE_RULES.names(), help="only sessions this rule picked")
    p.add_argument("--limit", type=non_negative_int, default=50)
    p.set_defaults(func=cmd_list)

    p = lsub.add_parser("show", parents=[common], help="one candidate with its picks and redactions")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)

    p = lsub.add_parser("promote", parents=[common], help="make candidates pending samples of a dataset")
    p.add_argument("ids", nargs="+", help="candidate ids")
    p.add_argument("--dataset", required=True, help="the dataset they join")
    p.add_argument("--task-type", help='"L1/L2" for every promoted sample (default untyped)')
    p.add_argument("--answer", help="the answer for a candidate whose log has only the prompt (one id only)")
    p.add_argument("--note", help="note recorded with each promotion revision")
    p.set_defaults(func=cmd_promote)

    p = lsub.add_parser("answer", parents=[common], help="have a model answer prompt-only candidates (answer "
                                                         "production), which then become samples of a dataset")
    p.add_argument("ids", nargs="+", help="candidate ids (each one user turn without an answer)")
    p.add_argument("--dataset", required=True, help="the dataset they join")
    p.add_argument("--base-url", required=True, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8765/v1")
    p.add_argument("--model", required=True, help="the model name the endpoint serves")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", help="NAME of the variable holding the key")
    p.add_argument("--task-type", help='"L1/L2" for every new sample (default untyped)')
    p.set_defaults(func=cmd_answer)

    p = lsub.add_parser("dismiss", parents=[common], help="mark candidates as not worth promoting")
    p.add_argument("ids", nargs="+", help="candidate ids")
    p.add_argument("--note", help="why")
    p.set_defaults(func=cmd_dismiss)

    p = lsub.add_parser("feedback", parents=[common], help="user feedback labels (thumbs, rating, comment) kept "
                                                           "for preference data")
    p.add_argument("--import", dest="ingest_id", type=int, help="only this log import")
    p.add_argument("--export", metavar="FILE", help="write the labels as preference data (JSONL) instead of listing "
                                                    "them")
    p.add_argument("--kind", choices=KINDS, default=pref.kind,
                   help="dpo: chosen/rejected pairs of prompts with a liked and a disliked answer; kto: one "
                        "(prompt, completion, label) row per judged answer (default dpo)")
    p.add_argument("--format", dest="pref_format", choices=FORMATS, default=pref.format,
                   help="trl: TRL's conversational preference types; llamafactory: its ShareGPT ranking / KTO "
                        "format, with a dataset_info entry beside the file (default trl)")
    p.add_argument("--like-min-rating", type=positive_float, default=pref.like_min_rating,
                   help=f"a rating at or above this is liked (default {pref.like_min_rating:g})")
    p.add_argument("--dislike-max-rating", type=positive_float, default=pref.dislike_max_rating,
                   help=f"a rating at or below this is disliked (default {pref.dislike_max_rating:g})")
    p.add_argument("--no-fixes", action="store_true", help="do not pair a disliked answer with the answer its "
                                                           "promoted sample replaced it by")
    p.add_argument("--max-pairs", type=positive_int, default=pref.max_pairs_per_prompt,
                   help=f"DPO pairs per prompt at most (default {pref.max_pairs_per_prompt})")
    p.add_argument("--overwrite", action="store_true", help="replace an existing export file")
    p.set_defaults(func=cmd_feedback)


def cmd_import(args) -> dict:
    from ..flywheel.candidates import LogImportSettings, import_logs
    from ..flywheel.logs import parse_log_mapping
    from ..flywheel.pii import RULES, PiiSettings

    settings = LogImportSettings(shape=args.shape, mapping=parse_log_mapping(args.map), encoding=args.encoding,
                                 max_line_mb=args.max_line_mb, rules=tuple(args.rule) if args.rule else None,
                                 novelty=args.novelty, dedup=not args.no_dedup, near_dup_threshold=args.near_dup,
                                 pii=PiiSettings(rules=",".join(args.pii_rule or RULES)), workers=args.workers,
                                 merge_sessions=not args.no_merge, merge_gap_hours=args.merge_gap_hours)
    if settings.mapping and settings.shape == "auto":
        settings.shape = "mapped"
    with open_store(args) as store:
        return import_logs(store, args.files, settings).to_dict()


def cmd_list(args) -> dict:
    from ..flywheel.candidates import overview
    with open_store(args) as store:
        out = overview(store, args.ingest_id, None if args.state == "all" else args.state, args.picked, args.rule,
                       args.limit)
    out["candidates"] = [_brief(c) for c in out["candidates"]]
    return out


def _brief(c: dict) -> dict:
    first = next((m["content"] for m in c["messages"] if m["role"] == "user"), "")
    return {"id": c["id"], "state": c["state"], "session": c["session_id"], "turns": c["n_turns"],
            "prompt": " ".join(first.split())[:120], "picks": [p["reason"] for p in c["picks"]],
            "feedback": c["feedback"], "duplicate_of": c["duplicate_of"], "sample": c["sample_id"]}


def cmd_show(args) -> dict:
    from ..flywheel.candidates import candidate_detail
    with open_store(args) as store:
        return candidate_detail(store, args.id)


def cmd_promote(args) -> dict:
    from ..errors import UserError
    from ..flywheel.candidates import promote
    if args.answer is not None and len(args.ids) != 1:
        raise UserError("--answer goes with exactly one candidate id")
    answers = {args.ids[0]: args.answer} if args.answer is not None else None
    with open_store(args) as store:
        return promote(store, args.ids, args.dataset, author_of(args), args.task_type, answers, args.note).to_dict()


def cmd_answer(args) -> dict:
    from ..flywheel.candidates import answer_candidates
    from ..llm.client import EndpointSettings
    endpoint = EndpointSettings(base_url=args.base_url, model=args.model, api_key_env=args.api_key_env)
    with open_store(args) as store:
        return answer_candidates(store, args.ids, endpoint, args.dataset, author_of(args), args.task_type)


def cmd_dismiss(args) -> dict:
    from ..flywheel.candidates import dismiss
    with open_store(args) as store:
        return {"dismissed": dismiss(store, args.ids, author_of(args), args.note)}


def cmd_feedback(args) -> dict:
    if not args.export:
        with open_store(args) as store:
            return {"feedback": store.candidates.feedback(args.ingest_id)}
    from ..flywheel.preferences import PreferenceSettings, export_preferences
    settings = PreferenceSettings(kind=args.kind, format=args.pref_format, like_min_rating=args.like_min_rating,
                                  dislike_max_rating=args.dislike_max_rating, use_fixes=not args.no_fixes,
                                  max_pairs_per_prompt=args.max_pairs, ingest_id=args.ingest_id)
    with open_store(args) as store:
        return export_preferences(store, args.export, settings, overwrite=args.overwrite).to_dict()
