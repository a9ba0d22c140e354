"""Dedup runs against the store, and the review actions on their clusters.

A run reads the samples of a filter, scores pairs with one method, stores the pairs (down to the method's floor)
and the clusters it proposes at its threshold, with the settings. Review works on the stored pairs: clusters at
any threshold are rebuilt from them (`clusters_at`), minus pairs a reviewer cut ("not duplicates", "split"),
with keeper overrides applied. Marking a sample duplicate is a status change through `store.samples.update`:
a revision with a reason, undone by `unmark`. Protected robustness samples are never marked automatically.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from curation.dedup.clusters import cluster_ids, similarity_histogram
from curation.dedup.keeper import KeeperRule, choose_keeper, is_protected, proposed_removals
from curation.dedup.keys import sample_key_text
from curation.dedup.methods import DEDUP_METHODS, PairResult
from curation.errors import UserError
from curation.protection import ProtectedSampleError, guard_automatic_change

META_COLUMNS = ("id", "messages", "tools", "status", "tags", "answer_chars", "created_at", "ingest_id", "source",
                "task_l1", "task_l2", "parent_id")
KEEPER_FIELDS = ("id", "status", "tags", "answer_chars", "created_at", "ingest_id", "source", "parent_id")
ACTION_MARK, ACTION_UNMARK = "dedup", "dedup-undo"
AUTOMATIC_ACTOR = "auto:dedup"  # who automatic marks are recorded as (curation.protection's convention)


def make_settings(method: str, **overrides):
    """Settings for a method with the given fields overridden (None values keep the default)."""
    s = DEDUP_METHODS.make_settings(method, **overrides)
    DEDUP_METHODS[method](s).check()
    return s


@dataclass
class Cluster:
    """A group of duplicates at some threshold, with its proposed keeper."""

    number: int
    members: list[dict]  # sample dicts (id, messages, status, tags, answer_chars, created_at)
    keeper: str
    keeper_reason: str
    removals: list[str]  # ids proposed to mark duplicate
    protected: list[str]  # protected ids kept even though not the keeper
    max_similarity: float
    min_similarity: float
    pairs: list[tuple[str, str, float]] = field(default_factory=list)

    def to_dict(self, with_members: bool = False) -> dict:
        d = {"cluster": self.number, "size": len(self.members), "keeper": self.keeper,
             "keeper_reason": self.keeper_reason, "members": [m["id"] for m in self.members],
             "removals": self.removals, "protected": self.protected,
             "max_similarity": round(self.max_similarity, 4), "min_similarity": round(self.min_similarity, 4)}
        if with_members:
            d["samples"] = self.members
        return d


def _load(store, filter_, key: str) -> tuple[list[str], list[str], list[dict]]:
    """(ids, key texts, compact metadata) for the filter; messages are dropped once the key text is taken,
    so a million samples cost their key texts, not their full conversations."""
    ids, texts, metas = [], [], []
    for s in store.samples.iter(filter_, columns=META_COLUMNS):
        ids.append(s["id"])
        texts.append(sample_key_text(s, key))
        metas.append({k: s.get(k) for k in KEEPER_FIELDS})
    return ids, texts, metas


def find_pairs(method: str, texts: list[str], settings, store=None,
               progress: Callable[[int, int], None] | None = None) -> PairResult:
    """Run one method on key texts; embeddings go through the store's cache when a store is given."""
    step = DEDUP_METHODS.get_step(method)(settings)
    embed = None
    if step.embeds and store is not None:
        from curation.embeddings import EmbeddingSettings, embed_texts

        es = EmbeddingSettings(model=settings.model, batch_size=settings.batch_size, device=settings.device)

        def embed(batch):
            return embed_texts(store, batch, es, progress)
    return step.pairs(texts, embed)


def run_dedup(store, method: str, settings=None, filter_=None, author: str = "cli",
              keeper_rule: KeeperRule | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Score pairs with `method` over the samples of `filter_`, store the run, return its report.

    The report holds the settings, the keeper rule, pair and cluster counts, a similarity histogram, the
    clusters at the run's threshold with their keeper and the proposed removals. Nothing is marked here.
    """
    from curation.store import SampleFilter

    step = DEDUP_METHODS.get_step(method)(settings)
    step.check()
    settings = step.settings
    keeper_rule = keeper_rule or KeeperRule()
    filter_ = filter_ or SampleFilter()
    ids, texts, metas = _load(store, filter_, settings.key)
    warnings = []
    if step.embeds:
        from curation.embeddings import language_warning

        if w := language_warning(texts, settings.model):
            warnings.append(w)
    result = find_pairs(method, texts, settings, store, progress)
    id_arr = np.array(ids, dtype=object)
    a = id_arr[result.pairs[:, 0]].tolist() if len(result.pairs) else []
    b = id_arr[result.pairs[:, 1]].tolist() if len(result.pairs) else []
    by_id = dict(zip(ids, metas))
    a, b, sims = _drop_variant_pairs(a, b, result.sims, by_id)
    pairs = list(zip(a, b, sims.tolist()))
    clusters = _build_clusters(pairs, settings.threshold, by_id, keeper_rule, cut=(), keepers={})
    stats = {**result.stats, "skipped": len(result.skipped), "variant_pairs_ignored": len(result.sims) - len(sims)}
    run_id = store.dedup.add_run(
        method, settings.key, dataclasses.asdict(settings), filter_.to_dict(), len(ids), settings.threshold,
        result.floor, {**stats, "keeper_rule": keeper_rule.order, "warnings": warnings}, author, (a, b, sims),
        [(c.number, m["id"], m["id"] == c.keeper, is_protected(m), c.keeper_reason if m["id"] == c.keeper else "")
         for c in clusters for m in c.members])
    return _report(run_id, method, settings, keeper_rule, len(ids), result.floor, pairs, clusters, stats, warnings,
                   {ids[i]: r for i, r in result.skipped.items()})


def _drop_variant_pairs(a: list[str], b: list[str], sims, by_id: dict) -> tuple[list, list, np.ndarray]:
    """Leave out pairs of a generated robustness variant and its own parent.

    A variant is its parent with a perturbed prompt, so it is near-identical by construction; both are kept on
    purpose, and letting them cluster would make the protected variant "win" and propose the clean parent for
    removal.
    """
    parent = {i: m.get("parent_id") for i, m in by_id.items() if m.get("parent_id")}
    keep = [k for k, (x, y) in enumerate(zip(a, b)) if parent.get(x) != y and parent.get(y) != x]
    if len(keep) == len(a):
        return a, b, np.asarray(sims)
    return [a[k] for k in keep], [b[k] for k in keep], np.asarray(sims)[keep]


def _report(run_id, method, settings, keeper_rule, n, floor, pairs, clusters, stats, warnings, skipped) -> dict:
    above = [p for p in pairs if p[2] >= settings.threshold]
    removals = [{"id": r, "duplicate_of": c.keeper, "cluster": c.number,
                 "similarity": round(_best_sim(c.pairs, r), 4)} for c in clusters for r in c.removals]
    return {
        "run_id": run_id, "method": method, "key": settings.key, "settings": dataclasses.asdict(settings),
        "keeper_rule": keeper_rule.order, "keeper_rule_text": keeper_rule.describe(),
        "threshold": settings.threshold, "floor": floor,
        "counts": {"samples": n, "pairs": len(above), "pairs_stored": len(pairs), "clusters": len(clusters),
                   "proposed_removals": len(removals), "protected_kept": sum(len(c.protected) for c in clusters),
                   "skipped": len(skipped)},
        "stats": stats, "warnings": warnings,
        "histogram": similarity_histogram(np.array([p[2] for p in pairs]), floor) if pairs else [],
        "pairs": [{"a": x, "b": y, "similarity": round(s, 4)} for x, y, s in above],
        "clusters": [c.to_dict() for c in clusters],
        "proposed_removals": removals,
        "skipped": [{"id": i, "reason": r} for i, r in skipped.items()],
    }


def _best_sim(pairs: list[tuple[str, str, float]], sample_id: str) -> float:
    return max((s for a, b, s in pairs if sample_id in (a, b)), default=0.0)


def _build_clusters(pairs, threshold, by_id, keeper_rule, cut, keepers, groups=None, first: int = 1) -> list[Cluster]:
    """Clusters with keeper and removals; `groups` (member id lists, numbered from `first`) defaults to all."""
    groups = cluster_ids(pairs, threshold, cut) if groups is None else groups
    where = {i: n for n, g in enumerate(groups) for i in g}
    banned = {(min(a, b), max(a, b)) for a, b in cut}
    inner: list[list] = [[] for _ in groups]
    for p in pairs:  # one pass: each linking pair goes to the cluster holding both ends
        n = where.get(p[0])
        if n is not None and p[2] >= threshold and where.get(p[1]) == n and (min(p[:2]), max(p[:2])) not in banned:
            inner[n].append(p)
    out = []
    for n, member_ids in enumerate(groups):
        members = [by_id[i] for i in member_ids]
        inside = set(member_ids)
        override = next((k for k in keepers if k in inside), None)
        if override is not None:
            keeper, reason = override, f"chosen by {keepers[override]}"
        else:
            keeper, reason = choose_keeper(members, keeper_rule)
        removals, protected = proposed_removals(members, keeper)
        sims = [p[2] for p in inner[n]] or [0.0]
        out.append(Cluster(n + first, members, keeper, reason, removals, protected, max(sims), min(sims), inner[n]))
    return out


# ---------------------------------------------------------------- review
def review_state(store, run_id: int) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """(pairs cut by reviewers, keeper overrides id -> who chose it, latest first) for a run."""
    cut, keepers = set(), {}
    for d in store.dedup.decisions(run_id):
        if d["kind"] == "not_duplicate":
            cut.add((d["a"], d["b"]))
        elif d["kind"] == "keeper":
            keepers.pop(d["a"], None)
            keepers[d["a"]] = d["author"]
    # Latest override first, so a newer keeper choice in the same cluster wins.
    return cut, dict(reversed(list(keepers.items())))


def clusters_at(store, run_id: int, threshold: float | None = None, keeper_rule: KeeperRule | None = None,
                pairs: list[tuple[str, str, float]] | None = None, offset: int = 0,
                limit: int | None = None) -> list[Cluster]:
    """Clusters of a stored run at `threshold` (default: the run's), from stored pairs, with reviewer decisions.

    Largest first; `offset`/`limit` page through them (only the page's samples are read). Pass `pairs` (from
    store.dedup.pairs) to avoid re-reading them on every slider move.
    """
    run = store.dedup.runs.get(run_id)
    threshold = run["threshold"] if threshold is None else threshold
    if threshold < run["floor"] - 1e-9:
        raise UserError(f"run {run_id} stored pairs down to {run['floor']}; rerun the method for threshold {threshold}")
    pairs = store.dedup.pairs(run_id) if pairs is None else pairs
    pairs = [p for p in pairs if p[2] >= threshold]
    cut, keepers = review_state(store, run_id)
    groups = cluster_ids(pairs, threshold, cut)
    page = groups[offset:None if limit is None else offset + limit]
    member_ids = sorted({x for g in page for x in g})
    from curation.store import SampleFilter

    by_id = {}
    for k in range(0, len(member_ids), 5000):
        for s in store.samples.list(SampleFilter(ids=member_ids[k:k + 5000]), columns=META_COLUMNS):
            by_id[s["id"]] = s
    pairs = [p for p in pairs if p[0] in by_id and p[1] in by_id]
    rule = keeper_rule or KeeperRule(order=run["stats"].get("keeper_rule") or KeeperRule().order)
    return _build_clusters(pairs, threshold, by_id, rule, cut, keepers, page, offset + 1)


def counts_at(pairs: list[tuple[str, str, float]], threshold: float, cut=()) -> tuple[int, int]:
    """(pairs, clusters) at a threshold: the live numbers beside the review slider (no sample reads)."""
    banned = {(min(a, b), max(a, b)) for a, b in cut}
    above = [p for p in pairs if p[2] >= threshold and (min(p[:2]), max(p[:2])) not in banned]
    return len(above), len(cluster_ids(above, threshold))


def mark_duplicate(store, run_id: int, sample_id: str, keeper: str, similarity: float, author: str,
                   automatic: bool) -> bool:
    """Set a sample's status to duplicate (a revision with the reason). Returns False when nothing changed.

    Automatic marks (CLI --apply, bulk apply) go through the protection hook and are recorded as the actor
    `auto:dedup` (the person who started them is in the note): a protected robustness sample is skipped.
    A reviewer accepting one cluster is a person acting on it, recorded under their own name.
    """
    s = store.samples.get(sample_id)
    if s["status"] == "duplicate":
        return False
    actor = author
    if automatic:
        actor = AUTOMATIC_ACTOR
        if _refused(s, actor):
            return False
    run = store.dedup.runs.get(run_id)
    note = (f"duplicate of {keeper} ({run['method']} on {run['key']}, similarity {similarity:.3f}, "
            f"dedup run {run_id}" + (f", applied by {author})" if automatic else ")"))
    store.samples.update(sample_id, {"status": "duplicate"}, actor, ACTION_MARK, note)
    store.dedup.add_decision(run_id, "marked", sample_id, keeper, author, note)
    return True


def _refused(sample: dict, actor: str) -> bool:
    """Ask the protection hook whether an automatic step may mark this sample duplicate."""
    try:
        guard_automatic_change(sample, "duplicate", actor)
    except ProtectedSampleError:
        return True
    return False


def unmark(store, sample_id: str, author: str, run_id: int | None = None) -> dict:
    """Undo a dedup mark: restore the status the sample had before it was marked (a new revision)."""
    s = store.samples.get(sample_id)
    if s["status"] != "duplicate":
        raise UserError(f"sample {sample_id} is not marked duplicate (status {s['status']})")
    marks = [r for r in store.revisions.list(sample_id) if r["action"] == ACTION_MARK and r["after"].get("status") == "duplicate"]
    previous = marks[-1]["before"].get("status", "pending") if marks else "pending"
    out = store.samples.update(sample_id, {"status": previous}, author, ACTION_UNMARK,
                              f"not a duplicate: status back to {previous}")
    if run_id is not None:
        store.dedup.add_decision(run_id, "unmarked", sample_id, None, author, f"status back to {previous}")
    return out


def apply_cluster(store, run_id: int, cluster: Cluster, author: str, automatic: bool = False) -> list[str]:
    """Mark the cluster's proposed removals duplicate of its keeper; returns the ids marked."""
    marked = []
    for r in cluster.removals:
        if mark_duplicate(store, run_id, r, cluster.keeper, _best_sim(cluster.pairs, r), author, automatic):
            marked.append(r)
    return marked


def apply_above(store, run_id: int, threshold: float, min_similarity: float, author: str) -> dict:
    """Bulk: accept every cluster (at `threshold`) whose weakest link is >= min_similarity.

    This is an automatic step, so protected samples are skipped even if a reviewer changed the keeper.
    """
    marked, clusters = [], 0
    for c in clusters_at(store, run_id, threshold):
        if c.min_similarity >= min_similarity:
            clusters += 1
            marked += apply_cluster(store, run_id, c, author, automatic=True)
    return {"clusters": clusters, "marked": marked}


def set_keeper(store, run_id: int, sample_id: str, author: str) -> None:
    """A reviewer chooses the keeper of the cluster containing sample_id."""
    store.dedup.add_decision(run_id, "keeper", sample_id, None, author, "keeper chosen by reviewer")


def not_duplicates(store, run_id: int, member_ids: list[str], author: str) -> int:
    """A reviewer says these samples are not duplicates of each other: cut every stored pair among them."""
    inside = set(member_ids)
    n = 0
    for a, b, _ in store.dedup.pairs(run_id):
        if a in inside and b in inside:
            store.dedup.add_decision(run_id, "not_duplicate", a, b, author, "not duplicates")
            n += 1
    return n


def split_cluster(store, run_id: int, member_ids: list[str], split_off: list[str], author: str) -> int:
    """A reviewer splits `split_off` out of a cluster: cut every stored pair between them and the rest."""
    part, rest = set(split_off), set(member_ids) - set(split_off)
    if not part or not rest:
        raise UserError("choose some but not all members to split off")
    n = 0
    for a, b, _ in store.dedup.pairs(run_id):
        if (a in part and b in rest) or (b in part and a in rest):
            store.dedup.add_decision(run_id, "not_duplicate", a, b, author, "split")
            n += 1
    return n
