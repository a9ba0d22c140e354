"""Human review: profiles and roles, queues, assignment with overlap, edits, scores and verdicts, guidelines,
disagreement and adjudication, agreement figures and per-annotator dashboards, offline export/import.

No lost updates: every save names the revision it was made from. When the sample's content (messages, tools,
task type) changed since then, the save is refused with a ConflictError that carries the current version, and
`merge_versions` combines the two by the reviewer's choice. A change of status alone by someone else (another
annotator's verdict) does not block a save, because it cannot be overwritten by one: verdicts are separate rows.

Verdict policy: with one reviewer the sample's status follows their verdict. With several, the most severe
current verdict wins (reject > needs_fix > accept) until a lead adjudicates, so a contested sample is never
exported as accepted on one annotator's word; the adjudication is the final decision.
"""
from __future__ import annotations

import dataclasses
import heapq
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .errors import ConflictError, UserError
from .messages import validate_messages
from .store import UNTYPED, SampleFilter, Store, parse_task_type, task_type_label

ROLES = ("annotator", "lead")
VERDICTS = ("accept", "needs_fix", "reject")
VERDICT_STATUS = {"accept": "accepted", "needs_fix": "needs_fix", "reject": "rejected"}
SEVERITY = {"accept": 0, "needs_fix": 1, "reject": 2}
DIMENSIONS = ("accuracy", "completeness", "clarity", "consistency")
DIMENSION_LABELS = {"accuracy": "Accuracy", "completeness": "Completeness", "clarity": "Conciseness & clarity",
                    "consistency": "Consistency"}
DIFFICULTIES = ("easy", "medium", "hard")
CONTENT_FIELDS = ("messages", "tools", "task_type")
DEFAULT_GUIDELINE = "*"  # the guideline shown for task types that have none of their own


# ---------------------------------------------------------------- profiles and roles
def create_profile(store: Store, name: str, role: str = "annotator") -> dict:
    """Create (or return the existing) annotator profile. Names are how every action is attributed."""
    name = (name or "").strip()
    if not name:
        raise UserError("a profile needs a name")
    if len(name) > 64 or any(ch in name for ch in "\n\r\t"):
        raise UserError("a profile name is one line of at most 64 characters")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    store.review.add_annotator(name, role)
    return store.review.annotator(name)


def role_of(store: Store, name: str | None) -> str | None:
    """The role of a profile, or None when there is no such profile."""
    prof = store.review.annotator(name) if name else None
    return prof["role"] if prof else None


def require_lead(store: Store, name: str | None) -> None:
    """Raise UserError unless `name` is a lead's profile."""
    if role_of(store, name) != "lead":
        raise UserError(f"only a lead can do this; {name or 'anonymous'!r} is not a lead profile")


def set_role(store: Store, lead: str, name: str, role: str) -> None:
    """A lead changes someone's role (the first lead of a store may be created freely)."""
    require_lead(store, lead)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if store.review.annotator(name) is None:
        raise UserError(f"no profile named {name!r}")
    store.review.set_role(name, role)


def sync_login(store: Store, name: str, leads) -> str:
    """The profile of a logged-in identity (OIDC): created on first login, its role always the configured one.

    Under login the configuration is the authority: an account is a lead exactly when it is listed in `leads`,
    so removing someone from the list demotes them at their next login, and nobody can grant themselves the
    role from the app. Returns the role."""
    name = (name or "").strip()
    if not name:
        raise UserError("the login returned no e-mail, name or subject to record changes under")
    role = "lead" if name in set(leads or ()) else "annotator"
    if store.review.annotator(name) is None:
        create_profile(store, name, role)
    elif role_of(store, name) != role:
        store.review.set_role(name, role)
    return role


def _require_profile(store: Store, name: str | None) -> None:
    if not name or store.review.annotator(name) is None:
        raise UserError(f"no annotator profile {name or 'anonymous'!r}: pick or create one first")


# ---------------------------------------------------------------- guidelines
def guideline_for(store: Store, task_type: str | None) -> dict | None:
    """The guideline that applies to a task type: its own, else its L1's, else the default one."""
    l1, l2 = parse_task_type(task_type)
    return store.review.first_guideline(([f"{l1}/{l2}"] if l1 and l2 else []) + ([l1] if l1 else []) + [DEFAULT_GUIDELINE])


def save_guideline(store: Store, lead: str, task_type: str, body: str) -> int:
    """A lead writes a new version of the guideline for "L1/L2", "L1" or "*" (default). Returns the version."""
    require_lead(store, lead)
    key = (task_type or "").strip() or DEFAULT_GUIDELINE
    if key != DEFAULT_GUIDELINE:
        l1, l2 = parse_task_type(key)
        key = f"{l1}/{l2}" if l2 else l1
    if not (body or "").strip():
        raise UserError("a guideline cannot be empty")
    return store.review.add_guideline(key, body, lead)


# ---------------------------------------------------------------- edits and conflicts
def _content(sample: dict) -> dict:
    return {"messages": sample["messages"], "tools": sample.get("tools"),
            "task_type": task_type_label(sample.get("task_l1"), sample.get("task_l2"))}


def current_if_unchanged(store: Store, sample_id: str, expected_rev: int | None) -> dict:
    """The current sample, provided its content is what the caller saw at `expected_rev`.

    Raises ConflictError (with the current version) when someone changed the messages, tools or task type
    since; status or tag changes alone are not a conflict.
    """
    current = store.samples.get(sample_id)
    if expected_rev is None or current["rev"] == expected_rev:
        return current
    if expected_rev > current["rev"]:
        raise UserError(f"sample {sample_id} has no revision {expected_rev} yet")
    if _content(store.revisions.sample_at(sample_id, expected_rev)) != _content(current):
        last = store.revisions.list(sample_id)[-1]
        raise ConflictError(f"sample {sample_id} was changed by {last['author']} (revision {current['rev']}) "
                            f"after you opened revision {expected_rev}", current=current)
    return current


def validate_edit(changes: dict) -> dict:
    """Check an edit before it is saved; returns the normalised changes or raises UserError listing problems."""
    out = {}
    if "messages" in changes:
        problems = validate_messages(changes["messages"])
        if problems:
            raise UserError("the edit would make the sample invalid: " + "; ".join(problems))
        out["messages"] = changes["messages"]
    if "task_type" in changes:
        l1, l2 = parse_task_type(changes["task_type"])
        if l1 and not l2:
            raise UserError(f"task type {changes['task_type']!r} needs two levels, like 'reasoning/math'")
        out["task_type"] = f"{l1}/{l2}" if l1 else None
    if "tools" in changes:
        out["tools"] = changes["tools"] or None
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise UserError(f"cannot edit {', '.join(sorted(unknown))} here")
    return out


def save_edit(store: Store, sample_id: str, author: str, changes: dict, expected_rev: int | None,
              note: str | None = None) -> dict:
    """Save an edit (messages, tools, task type) as a revision, refusing stale copies. Returns the sample."""
    _require_profile(store, author)
    changes = validate_edit(changes)
    current = store.samples.get(sample_id)
    if all(changes[f] == _content(current)[f] for f in changes):
        return current  # the sample already says this (e.g. the same offline file imported twice)
    current = current_if_unchanged(store, sample_id, expected_rev)
    action = "relabel" if set(changes) == {"task_type"} else "edit"
    updated = store.samples.update(sample_id, changes, author, action, note, expected_rev=current["rev"])
    if updated["rev"] != current["rev"]:
        from .checks import recheck_sample
        recheck_sample(store, sample_id, author)  # an edit may fix (or cause) what the pre-flags saw
    return updated


def conflict_fields(base: dict, mine: dict, theirs: dict) -> list[str]:
    """Content fields both sides changed, differently, since the common base version."""
    out = []
    for f in CONTENT_FIELDS:
        b, m, t = _content(base)[f], mine.get(f, _content(base)[f]), _content(theirs)[f]
        if m != b and t != b and m != t:
            out.append(f)
    return out


def merge_versions(base: dict, mine: dict, theirs: dict, choices: dict | None = None,
                   turn_choices: dict | None = None) -> dict:
    """Combine my edit with the version saved meanwhile.

    `base` is the sample I started from, `mine` my changes (content fields), `theirs` the current sample.
    A field only one side changed takes that side's value; a field both changed takes `choices[field]`
    ("mine" or "theirs"). Conversations of the same length merge turn by turn the same way: a turn only one side
    changed is kept, and a turn both changed takes `turn_choices[i]` (0-based), else `choices["messages"]`.
    Returns the content to save on top of `theirs`.
    """
    choices, turn_choices = choices or {}, turn_choices or {}
    b, t = _content(base), _content(theirs)
    merged = {}
    for f in CONTENT_FIELDS:
        m = mine.get(f, b[f])
        if m == b[f] or m == t[f]:
            merged[f] = t[f]
        elif t[f] == b[f]:
            merged[f] = m
        elif f == "messages" and len(m) == len(t[f]) == len(b[f]):
            merged[f] = [_pick_turn(i, b[f], m, t[f], turn_choices.get(i) or choices.get(f)) for i in range(len(m))]
        elif choices.get(f) in ("mine", "theirs"):
            merged[f] = m if choices[f] == "mine" else t[f]
        else:
            raise UserError(f"both versions changed {f}: choose mine or theirs")
    return {f: v for f, v in merged.items() if v != t[f]}


def _pick_turn(i: int, base: list, mine: list, theirs: list, choice: str | None) -> dict:
    if mine[i] == theirs[i] or mine[i] == base[i]:
        return theirs[i]
    if theirs[i] == base[i]:
        return mine[i]
    if choice not in ("mine", "theirs"):
        raise UserError(f"both versions changed turn {i + 1}: choose mine or theirs")
    return mine[i] if choice == "mine" else theirs[i]


# ---------------------------------------------------------------- reviews and verdicts
@dataclass
class ReviewInput:
    """What one annotator says about one sample."""

    verdict: str | None = None  # accept | needs_fix | reject (None: scores only)
    accuracy: int | None = None  # 1-5
    completeness: int | None = None  # 1-5
    clarity: int | None = None  # 1-5: conciseness & clarity
    consistency: int | None = None  # 1-5
    difficulty: str | None = None  # easy | medium | hard
    note: str | None = None

    def validate(self) -> None:
        """Raise UserError on out-of-range values."""
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise UserError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")
        for d in DIMENSIONS:
            v = getattr(self, d)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5):
                raise UserError(f"{d} must be a whole number from 1 to 5, got {v!r}")
        if self.difficulty is not None and self.difficulty not in DIFFICULTIES:
            raise UserError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {self.difficulty!r}")
        if self.verdict is None and self.difficulty is None and all(getattr(self, d) is None for d in DIMENSIONS):
            raise UserError("a review needs a verdict, a score or a difficulty")


def status_for(reviews: list[dict], adjudication: dict | None = None) -> str | None:
    """The status the current reviews imply (see the module docstring); None when no verdict was given."""
    if adjudication and all(adjudication["decided_at"] >= r["created_at"] for r in reviews):
        return VERDICT_STATUS[adjudication["verdict"]]
    verdicts = [r["verdict"] for r in reviews if r.get("verdict")]
    if not verdicts:
        return None
    return VERDICT_STATUS[max(verdicts, key=SEVERITY.__getitem__)]


def submit_review(store: Store, sample_id: str, annotator: str, review: ReviewInput, expected_rev: int | None,
                  seconds: float | None = None, source: str = "app") -> dict:
    """Record an annotator's review and apply what it implies to the sample's status (a revision).

    Refused with ConflictError when the content changed since `expected_rev` (the annotator judged an older
    text). Returns {"sample": the sample after, "review_id": ..., "status": ...}.
    """
    _require_profile(store, annotator)
    review.validate()
    current = current_if_unchanged(store, sample_id, expected_rev)
    rid = store.review.add({
        "sample_id": sample_id, "annotator": annotator, "sample_rev": current["rev"],
        "verdict": review.verdict, **{d: getattr(review, d) for d in DIMENSIONS},
        "difficulty": review.difficulty, "note": (review.note or "").strip() or None,
        "task_type": current.get("task_type"), "seconds": seconds, "source": source})
    for attempt in range(3):  # another verdict can move the revision between our read and our write
        try:
            sample = _apply_status(store, current, annotator, review)
            return {"sample": sample, "review_id": rid, "status": sample["status"]}
        except ConflictError:
            if attempt == 2:
                raise
            current = current_if_unchanged(store, sample_id, expected_rev)
    raise AssertionError("unreachable")


def _apply_status(store: Store, current: dict, author: str, review: ReviewInput) -> dict:
    adj = store.review.adjudications(current["id"])
    status = status_for(store.review.list(sample_id=current["id"]), adj[-1] if adj else None)
    if status is None or status == current["status"]:
        return current
    note = f"{review.verdict or 'review'} by {author}" + (f": {review.note.strip()}" if (review.note or "").strip()
                                                          else "")
    return store.samples.update(current["id"], {"status": status}, author, "review", note,
                               expected_rev=current["rev"])


# ---------------------------------------------------------------- disagreement and adjudication
def disagreement_queue(store: Store, spread: int = 2) -> list[dict]:
    """Samples whose reviewers disagree (verdicts differ, or a quality score spreads >= `spread` points) and
    that no lead has decided since, each with its reviews."""
    out = []
    for d in store.review.disagreements(spread):
        d["reviews"] = store.review.list(sample_id=d["sample_id"])
        out.append(d)
    return out


def adjudicate(store: Store, sample_id: str, lead: str, verdict: str, note: str | None = None,
               expected_rev: int | None = None) -> dict:
    """A lead's final decision: recorded, and applied to the sample's status as a revision."""
    require_lead(store, lead)
    if verdict not in VERDICTS:
        raise UserError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    current = current_if_unchanged(store, sample_id, expected_rev)
    store.review.add_adjudication(sample_id, lead, verdict, current["rev"], (note or "").strip() or None)
    status = VERDICT_STATUS[verdict]
    if status == current["status"]:
        return current
    return store.samples.update(sample_id, {"status": status}, lead, "adjudicate",
                               f"adjudicated {verdict}" + (f": {note.strip()}" if (note or "").strip() else ""),
                               expected_rev=current["rev"])


# ---------------------------------------------------------------- queues
@dataclass
class QueueSpec:
    """Which samples a review queue holds and in what order."""

    filter: SampleFilter = field(default_factory=SampleFilter)
    flagged: str | None = None  # a check name, or "*" for any pre-flag
    assigned_to: str | None = None  # only samples assigned to this annotator
    disagreement: bool = False  # only samples in the disagreement queue
    spread: int = 2  # score spread (points) that counts as disagreement
    dedup_run: int | None = None  # only members of this dedup run's clusters...
    dedup_cluster: int | None = None  # ...or of this one cluster
    hide_reviewed_by: str | None = None  # leave out what this annotator already reviewed
    order: str = "flagged_first"  # flagged_first | random | import | judge_worst (lowest LLM-judge score first)
    seed: int = 0  # for random order

    def key(self) -> str:
        """A stable text form, to tell whether a cached queue is still the one asked for."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)

    def _kw(self) -> dict:
        return dict(flagged=self.flagged, assigned_to=self.assigned_to,
                    disagreement=self.spread if self.disagreement else None, dedup_run=self.dedup_run,
                    dedup_cluster=self.dedup_cluster)


ORDERS = ("flagged_first", "random", "import", "judge_worst")


def build_queue(store: Store, spec: QueueSpec, limit: int | None = None) -> list[str]:
    """The queue's sample ids, in order."""
    if spec.order not in ORDERS:
        raise UserError(f"order must be one of {', '.join(ORDERS)}, got {spec.order!r}")
    return store.review.queue(spec.filter, **spec._kw(), unreviewed_by=spec.hide_reviewed_by, order=spec.order,
                              seed=spec.seed, limit=limit)


def local_midnight_utc(now: datetime | None = None) -> datetime:
    """Start of the local day, as the naive UTC timestamp the store records."""
    local = (now or datetime.now().astimezone()).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def queue_progress(store: Store, spec: QueueSpec, annotator: str | None) -> dict:
    """Reviewed / total for what matches the queue now (hide_reviewed_by ignored), and the annotator's
    reviews today."""
    total, reviewed = store.review.progress(spec.filter, **spec._kw())
    mine = store.review.count(annotator, local_midnight_utc()) if annotator else 0
    return {"total": total, "reviewed": reviewed, "mine_today": mine}


@dataclass
class QueueSnapshot:
    """A queue as it was opened. Progress is counted against this snapshot, so accepting samples out of a
    "pending" queue shows as progress instead of shrinking the queue, and counting it stays cheap."""

    spec: QueueSpec
    ids: list[str]
    opened_at: datetime
    members: frozenset = frozenset()
    reviewed_at_open: frozenset = frozenset()


def open_queue(store: Store, spec: QueueSpec, limit: int | None = None) -> QueueSnapshot:
    """Build a queue and remember which of its samples already had a review."""
    opened = datetime.now(timezone.utc).replace(tzinfo=None)
    ids = build_queue(store, spec, limit)
    return QueueSnapshot(spec, ids, opened, frozenset(ids), frozenset(store.review.reviewed_ids(ids)))


def snapshot_progress(store: Store, snap: QueueSnapshot, annotator: str | None) -> dict:
    """Reviewed / total of an opened queue, and the annotator's reviews today (two small queries)."""
    reviewed = snap.reviewed_at_open | (store.review.reviewed_since(snap.opened_at) & snap.members)
    mine = store.review.count(annotator, local_midnight_utc()) if annotator else 0
    return {"total": len(snap.ids), "reviewed": len(reviewed), "mine_today": mine}


# ---------------------------------------------------------------- assignment
@dataclass
class AssignSettings:
    """How a lead hands samples out."""

    annotators: list[str]
    n_samples: int | None = None  # None: every matching sample (not yet assigned)
    overlap: float = 0.2  # share of the samples that go to k annotators, so agreement can be measured
    k: int = 2  # annotators per overlapping sample
    seed: int = 42  # which samples, and which overlap, is a seeded draw
    include_assigned: bool = False  # hand out samples that are already assigned to someone, again


def assign(store: Store, f: SampleFilter | None, settings: AssignSettings, lead: str) -> dict:
    """Assign matching samples to annotators, balancing load; an `overlap` share goes to `k` of them.

    Returns the batch number, counts, and each annotator's share.
    """
    require_lead(store, lead)
    names = list(dict.fromkeys(settings.annotators))
    if not names:
        raise UserError("choose at least one annotator")
    missing = [n for n in names if store.review.annotator(n) is None]
    if missing:
        raise UserError(f"no profile for {', '.join(missing)}; create the profiles first")
    if not 0 <= settings.overlap <= 1:
        raise UserError(f"overlap must be a share between 0 and 1, got {settings.overlap}")
    k = settings.k if settings.overlap > 0 else 1
    if settings.overlap > 0 and not 2 <= k <= len(names):
        raise UserError(f"k must be between 2 and the number of annotators ({len(names)}), got {settings.k}")
    if settings.n_samples is not None and settings.n_samples < 1:
        raise UserError("n_samples must be at least 1")
    ids = store.review.assignment_candidates(f, settings.seed, settings.n_samples, settings.include_assigned)
    n_overlap = round(len(ids) * settings.overlap)
    load = [(0, i) for i in range(len(names))]  # (assigned so far, position): least loaded first, stable
    heapq.heapify(load)
    pairs = []
    for pos, sid in enumerate(ids):
        takers = [heapq.heappop(load) for _ in range(k if pos < n_overlap else 1)]
        for n, i in takers:
            pairs.append((sid, names[i]))
            heapq.heappush(load, (n + 1, i))
    batch = store.review.add_assignments(pairs, lead)
    per = {n: 0 for n in names}
    for _, n in pairs:
        per[n] += 1
    return {"batch": batch, "samples": len(ids), "overlap_samples": n_overlap, "k": k, "assignments": len(pairs),
            "per_annotator": per, "settings": dataclasses.asdict(settings)}


# ---------------------------------------------------------------- agreement over the store
@dataclass
class AgreementSettings:
    """Which agreement figures to compute over the stored reviews."""

    min_items: int = 2  # a figure needs at least this many items rated by 2+ annotators
    pair_weights: str = "quadratic"  # Cohen's kappa weights for ordinal dimensions (scores, difficulty)
    by_task_type: bool = True  # also per task type
    replicates: int = 1000  # bootstrap resamples for the confidence intervals
    confidence: float = 0.95
    seed: int = 0


AGREEMENT_DIMENSIONS = ("verdict",) + DIMENSIONS + ("difficulty",)


def agreement_report(store: Store, settings: AgreementSettings | None = None) -> dict:
    """Agreement per dimension (verdict, each quality score, difficulty), overall and per task type.

    Per dimension: Krippendorff's alpha (ordinal for scores and difficulty, nominal for verdicts; any number of
    annotators, missing ratings allowed), Fleiss' kappa for verdicts, and Cohen's kappa for every annotator pair
    with shared items. `primary` is Cohen's kappa when exactly two annotators rated, else alpha.
    """
    settings = settings or AgreementSettings()
    rows = store.review.table()
    out = {"settings": dataclasses.asdict(settings), "reviews": len(rows),
           "annotators": sorted({r["annotator"] for r in rows}),
           "overall": _figures(rows, settings, pairs=True)}
    if settings.by_task_type:
        groups: dict[str, list] = {}
        for r in rows:
            groups.setdefault(task_type_label(r["task_l1"], r["task_l2"]) or UNTYPED, []).append(r)
        out["by_task_type"] = {t: _figures(g, settings, pairs=False) for t, g in sorted(groups.items())}
    return out


def _figures(rows: list[dict], settings: AgreementSettings, pairs: bool) -> dict:
    from .agreement import BootstrapSettings, cohen_kappa, fleiss_kappa, krippendorff_alpha
    boot = BootstrapSettings(settings.replicates, settings.confidence, settings.seed)
    out = {}
    for dim in AGREEMENT_DIMENSIONS:
        ratings: dict[str, dict[str, object]] = {}
        for r in rows:
            if r[dim] is not None:
                ratings.setdefault(r["sample_id"], {})[r["annotator"]] = r[dim]
        items = [sid for sid, by in ratings.items() if len(by) >= 2]
        cats = list(VERDICTS) if dim == "verdict" else list(DIFFICULTIES) if dim == "difficulty" else [1, 2, 3, 4, 5]
        level = "nominal" if dim == "verdict" else "ordinal"
        raters = sorted({a for sid in items for a in ratings[sid]})
        fig: dict = {"items": len(items), "annotators": len(raters)}
        if len(items) < settings.min_items:
            fig["primary"] = None
            fig["note"] = f"{len(items)} items rated by 2+ annotators; need {settings.min_items}"
            out[dim] = fig
            continue
        data = [[ratings[sid].get(a) for sid in items] for a in raters]
        alpha = krippendorff_alpha(data, level, boot, cats).to_dict()
        fig["krippendorff_alpha"] = alpha
        if dim == "verdict":
            table = [[sum(v == c for v in ratings[sid].values()) for c in cats] for sid in items]
            fig["fleiss_kappa"] = fleiss_kappa(table, boot).to_dict()
        weights = None if dim == "verdict" else settings.pair_weights
        pair_figs = []
        if pairs or len(raters) == 2:
            for i, a in enumerate(raters):
                for b in raters[i + 1:]:
                    shared = [sid for sid in items if a in ratings[sid] and b in ratings[sid]]
                    if len(shared) < settings.min_items:
                        continue
                    k = cohen_kappa([ratings[s][a] for s in shared], [ratings[s][b] for s in shared], weights,
                                    cats, boot).to_dict()
                    pair_figs.append({"a": a, "b": b, **k})
        if pairs:
            fig["pairs"] = pair_figs
        fig["primary"] = pair_figs[0] if len(raters) == 2 and pair_figs else alpha
        out[dim] = fig
    return out


# ---------------------------------------------------------------- per-annotator dashboard
def annotator_dashboard(store: Store, now: datetime | None = None) -> list[dict]:
    """Per annotator: throughput, acceptance rate per task type, agreement with the consensus verdict.

    The consensus of a sample is its adjudicated verdict, else the majority verdict of its other reviewers
    (no consensus on a tie); agreement is the share of an annotator's verdicts that match it, with n.
    """
    rows = store.review.table()
    all_reviews = store.review.list(current=False)
    today = local_midnight_utc(now)
    week = today - timedelta(days=6)
    adjudicated = {a["sample_id"]: a["verdict"] for a in store.review.adjudications()}
    by_sample: dict[str, list[dict]] = {}
    for r in rows:
        by_sample.setdefault(r["sample_id"], []).append(r)
    out = []
    for name in sorted({r["annotator"] for r in rows} | {p["name"] for p in store.review.annotators()}):
        mine = [r for r in rows if r["annotator"] == name]
        saves = [r for r in all_reviews if r["annotator"] == name]
        secs = sorted(r["seconds"] for r in saves if r["seconds"])
        agree = n_cons = 0
        for r in mine:
            cons = _consensus(by_sample[r["sample_id"]], name, adjudicated.get(r["sample_id"]))
            if cons is not None and r["verdict"]:
                n_cons += 1
                agree += r["verdict"] == cons
        out.append({
            "annotator": name, "role": role_of(store, name), "samples_reviewed": len(mine),
            "reviews_today": sum(r["created_at"] >= today for r in saves),
            "reviews_7d": sum(r["created_at"] >= week for r in saves),
            "median_seconds": secs[len(secs) // 2] if secs else None,
            "acceptance": _acceptance(mine),
            "agreement_with_consensus": round(agree / n_cons, 4) if n_cons else None,
            "consensus_n": n_cons,
        })
    return out


def _consensus(reviews: list[dict], excluding: str, adjudicated: str | None) -> str | None:
    if adjudicated:
        return adjudicated
    votes: dict[str, int] = {}
    for r in reviews:
        if r["annotator"] != excluding and r["verdict"]:
            votes[r["verdict"]] = votes.get(r["verdict"], 0) + 1
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    return None if len(ranked) > 1 and ranked[0][1] == ranked[1][1] else ranked[0][0]


def _acceptance(reviews: list[dict]) -> dict[str, dict]:
    per: dict[str, dict] = {}
    for r in reviews:
        if not r["verdict"]:
            continue
        t = per.setdefault(task_type_label(r["task_l1"], r["task_l2"]) or UNTYPED, {"n": 0, "accepted": 0})
        t["n"] += 1
        t["accepted"] += r["verdict"] == "accept"
    return {k: {**v, "rate": round(v["accepted"] / v["n"], 4)} for k, v in sorted(per.items())}


# ---------------------------------------------------------------- offline review files
REVIEW_FIELDS = ("verdict",) + DIMENSIONS + ("difficulty", "note")


def export_reviews(store: Store, path: str | Path, spec: QueueSpec, annotator: str | None = None,
                   limit: int | None = None) -> dict:
    """Write a queue as JSONL for offline review: one sample per line with its revision, flags, guideline and
    an empty (or the annotator's current) review to fill in. Edit `messages`/`task_type` in place to edit."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name such as review.jsonl")
    if not path.parent.exists():
        raise UserError(f"folder {path.parent} does not exist")
    ids = build_queue(store, spec, limit)
    with open(path, "w", encoding="utf-8") as fh:
        for sid in ids:
            s = store.samples.get(sid)
            prior = store.review.list(sample_id=sid, annotator=annotator) if annotator else []
            review = {k: (prior[-1][k] if prior else None) for k in REVIEW_FIELDS}
            g = guideline_for(store, s.get("task_type"))
            fh.write(json.dumps({
                "id": sid, "rev": s["rev"], "dataset": s["dataset"], "task_type": s.get("task_type"),
                "messages": s["messages"], "tools": s.get("tools"), "status": s["status"],
                "flags": [{"check": f["check_name"], "reason": f["reason"], "evidence": f["evidence"]}
                          for f in store.flags.list(sid)],
                "guideline": g["body"] if g else None, "review": review}, ensure_ascii=False) + "\n")
    return {"written": len(ids), "path": str(path), "queue": json.loads(spec.key())}


def import_reviews(store: Store, path: str | Path, annotator: str) -> dict:
    """Merge an offline review file back: edits become revisions (refused on conflict, never overwritten),
    reviews are recorded. Returns counts and, per refused line, why."""
    _require_profile(store, annotator)
    path = Path(path)
    if not path.is_file():
        raise UserError(f"file not found: {path}")
    result = {"lines": 0, "reviews": 0, "edits": 0, "unchanged": 0, "conflicts": [], "errors": []}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            result["lines"] += 1
            try:
                _import_line(store, json.loads(line), annotator, result)
            except json.JSONDecodeError as e:
                result["errors"].append({"line": n, "reason": f"not valid JSON ({e.msg})"})
            except ConflictError as e:
                result["conflicts"].append({"line": n, "id": _line_id(line), "reason": str(e),
                                            "current_rev": e.current["rev"] if e.current else None})
            except UserError as e:
                result["errors"].append({"line": n, "id": _line_id(line), "reason": str(e)})
    return result


def _same_review(store: Store, sample_id: str, annotator: str, rev: int, values: dict) -> bool:
    """Whether the annotator's current review of this revision already says exactly this."""
    note = (values.get("note") or "").strip() or None
    for r in store.review.list(sample_id=sample_id, annotator=annotator):
        if r.get("sample_rev") == rev and all(r.get(k) == (note if k == "note" else values.get(k))
                                              for k in REVIEW_FIELDS):
            return True
    return False


def _line_id(line: str) -> str | None:
    try:
        return json.loads(line).get("id")
    except (json.JSONDecodeError, AttributeError):
        return None


def _import_line(store: Store, rec: dict, annotator: str, result: dict) -> None:
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("rev"), int):
        raise UserError("each line needs the exported id and rev")
    sid, rev = rec["id"], rec["rev"]
    base = store.revisions.sample_at(sid, rev)
    changes = {f: rec[f] for f in CONTENT_FIELDS if f in rec and rec[f] != _content(base)[f]}
    if changes:
        latest = store.samples.get(sid)["rev"]
        rev = save_edit(store, sid, annotator, changes, rev, note="offline edit")["rev"]
        result["edits"] += rev != latest  # not counted when the sample already says this (file imported twice)
    review = rec.get("review") or {}
    if not isinstance(review, dict):
        raise UserError("review must be an object")
    values = {k: review.get(k) for k in REVIEW_FIELDS}
    if all(v in (None, "") for k, v in values.items() if k != "note"):
        if not changes:
            result["unchanged"] += 1
        return
    if _same_review(store, sid, annotator, rev, values):  # the same offline file merged again: no second row
        result["unchanged"] += 1
        return
    submit_review(store, sid, annotator, ReviewInput(**values), rev, source="offline")
    result["reviews"] += 1
