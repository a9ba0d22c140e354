"""`curation replace FIND REPLACEMENT [filter]`: bulk find-and-replace in turn contents (a thin shell over
curation.replace). Without --apply it only previews: counts and the first few word diffs."""
from __future__ import annotations


def register(sub, common) -> None:
    """Add `curation replace` to the `curation` parser."""
    from ..replace import ROLES
    from .args import add_filter_args

    p = sub.add_parser("replace", parents=[common], help="find-and-replace in turn contents (preview, then --apply)",
                       description="Replace text in the turn contents of every sample matching the filter. "
                                   "Prints a preview unless --apply is given; each changed sample gets one "
                                   "revision (undo with `curation restore ID REV`).")
    p.add_argument("find", help="text to find (literal unless --regex)")
    p.add_argument("replacement", help="text to put in its place (with --regex, \\1 and \\g<name> work)")
    add_filter_args(p)
    p.add_argument("--regex", action="store_true", help="FIND is a Python regular expression")
    p.add_argument("--ignore-case", action="store_true")
    p.add_argument("--role", action="append", choices=ROLES, help="only these turns (repeatable; default all)")
    p.add_argument("--all", action="store_true", help="allow an empty filter: every sample in the store")
    p.add_argument("--apply", action="store_true", help="write the changes (default: preview only)")
    p.add_argument("--examples", type=int, default=3, help="diffs shown in the preview (default 3)")
    p.add_argument("--note", help="note recorded with each revision")
    p.set_defaults(func=cmd_replace)


def cmd_replace(args) -> dict:
    from ..replace import ReplaceSettings, apply, preview
    from .args import author_of, filter_from_args, open_store

    s = ReplaceSettings(find=args.find, replace=args.replacement, regex=args.regex, ignore_case=args.ignore_case)
    if args.role:
        s.roles = list(args.role)
    f = filter_from_args(args)
    with open_store(args) as store:
        if args.apply:
            return apply(store, f, s, author_of(args), all_samples=args.all, note=args.note)
        return preview(store, f, s, all_samples=args.all, examples=args.examples) | {"applied": False}
