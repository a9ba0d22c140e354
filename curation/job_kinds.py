"""The in-process job kinds: import (with its checks), dedup, embedding, robustness detection and export.

Each calls the one library function that does the work (so a step's executor choice stays inside it) and gives
it the job as its `chunks`, which the function commits its chunks through. What each resumes from:
- import: its batches are committed under the job's import id; the resumed pass re-reads the files and stores
  only the rows the killed one had not (sample ids follow from the files), then logs the import and runs checks;
- robustness: the offset of the last committed chunk of samples (suggestions and offset in one transaction);
- export: the file sizes at the last committed chunk (the files are cut back to them, then appended to);
- embedding and dedup: the embedding cache, committed chunk by chunk: only texts without a vector are encoded.
  A dedup run's pairs are stored in one transaction at its end, so a killed dedup left none and writes them once.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from .errors import UserError
from .jobs import JobContext, JobKind
from .store import SampleFilter


def _filter(settings: dict) -> SampleFilter | None:
    return SampleFilter(**settings["filter"]) if settings.get("filter") is not None else None


class ImportJob(JobKind):
    """settings: paths, ingest (IngestSettings fields)."""

    name = "import"

    def check(self, store, settings: dict) -> dict:
        from .ingest import IngestSettings

        paths = [str(Path(p)) for p in settings.get("paths") or []]
        if not paths:
            raise UserError("an import job needs at least one file")
        for p in paths:
            if not Path(p).exists():
                raise UserError(f"file not found: {p}")
            if Path(p).is_dir():
                raise UserError(f"{p} is a folder; name the files to import (e.g. {p}/*.jsonl)")
        s = IngestSettings(**(settings.get("ingest") or {}))
        if s.dry_run:
            raise UserError("a dry run is a report, not a job: run it directly")
        return {"paths": [str(Path(p).resolve()) for p in paths], "ingest": dataclasses.asdict(s)}

    def run(self, ctx: JobContext) -> dict:
        from .checks import finish_pending_checks
        from .ingest import IngestSettings, ingest

        store, s = ctx.store, IngestSettings(**ctx.settings["ingest"])
        state = ctx.checkpoint or ctx.commit({"ingest_id": store.ingests.new_id()}, 0, None,
                                             message="reading", returns="checkpoint")
        ingest_id = state["ingest_id"]
        logged = {i["id"]: i for i in store.ingests.list()}.get(ingest_id)
        if logged is None:
            report = ingest(store, ctx.settings["paths"], s, progress=ctx.progress, ingest_id=ingest_id)
            ctx.log(f"import {ingest_id}: {report.imported:,} imported, {report.rejected:,} quarantined, "
                    f"{report.already_present:,} already present")
            return report.to_dict()
        # the rows and the import's log entry were committed; the checks after it may not have finished
        ctx.log(f"import {ingest_id} was already logged; finishing its checks")
        if s.run_checks and logged["imported"]:
            store.ingests.set_checks_pending(store.ingests.checks_pending() + [ingest_id])
            finish_pending_checks(store, s.workers)
        if s.derive_stats and logged["imported"]:
            store.stats.prepare()
        return {"ingest_id": ingest_id, "imported": logged["imported"], "rejected": logged["rejected"],
                "already_present": logged["already_present"]}


class RobustnessJob(JobKind):
    """settings: filter, kinds (detector names; None: all), chunk_size."""

    name = "robustness"

    def check(self, store, settings: dict) -> dict:
        detector_settings = {name: s if isinstance(s, dict) else dataclasses.asdict(s)
                             for name, s in (settings.get("detector_settings") or {}).items()}
        out = {"filter": settings.get("filter") or {}, "kinds": settings.get("kinds"),
               "detector_settings": detector_settings, "chunk_size": int(settings.get("chunk_size") or 1000)}
        _detectors(out)  # an unknown detector or setting fails here, before the job is recorded
        return out

    def run(self, ctx: JobContext) -> dict:
        from .robustness.tagging import detect_into_store

        return detect_into_store(ctx.store, _filter(ctx.settings), _detectors(ctx.settings), chunks=ctx,
                                 chunk_size=ctx.settings["chunk_size"])


def _detectors(settings: dict) -> list:
    """The job's detectors, with the settings it was started with (rebuilt from their recorded form)."""
    from .jobs import settings_from_dict
    from .robustness.detectors import DETECTORS, default_detectors

    given = {name: settings_from_dict(DETECTORS.get_step(name).Settings, values)
             for name, values in (settings.get("detector_settings") or {}).items()}
    return default_detectors(settings.get("kinds"), given or None)


class ExportJob(JobKind):
    """settings: out_dir, filter (None: the curated selection), export (ExportSettings fields), chunk_size."""

    name = "export"

    def check(self, store, settings: dict) -> dict:
        from .export import EXPORT_FORMATS, ExportSettings, check_out_dir

        out = settings.get("out_dir")
        if not out:
            raise UserError("an export job needs an output folder")
        s = ExportSettings(**(settings.get("export") or {}))
        if s.format not in EXPORT_FORMATS:
            raise UserError(f"unknown export format {s.format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        check_out_dir(Path(out), s.overwrite)
        return {"out_dir": str(Path(out).resolve()), "filter": settings.get("filter"),
                "export": dataclasses.asdict(s), "chunk_size": int(settings.get("chunk_size") or 2000)}

    def run(self, ctx: JobContext) -> dict:
        from .export import ExportSettings, export_selection

        m = export_selection(ctx.store, ctx.settings["out_dir"], _filter(ctx.settings),
                             ExportSettings(**ctx.settings["export"]), chunks=ctx,
                             chunk_size=ctx.settings["chunk_size"])
        return {"out_dir": ctx.settings["out_dir"], "total": m["total"], "content_hash": m["content_hash"]}


class DedupJob(JobKind):
    """settings: method, settings (the method's fields), filter, keeper (rule order)."""

    name = "dedup"

    def check(self, store, settings: dict) -> dict:
        from .dedup.methods import DEDUP_METHODS

        s = settings.get("settings")
        if not dataclasses.is_dataclass(s):  # overrides by name (CLI, tests) over the method's defaults
            s = DEDUP_METHODS.make_settings(settings["method"], **(s or {}))
        DEDUP_METHODS[settings["method"]](s).check()
        return {"method": settings["method"], "settings": dataclasses.asdict(s), "filter": settings.get("filter"),
                "keeper": settings.get("keeper")}

    def run(self, ctx: JobContext) -> dict:
        from .dedup.keeper import KeeperRule
        from .dedup.methods import DEDUP_METHODS
        from .dedup.runs import run_dedup
        from .jobs import settings_from_dict

        st = ctx.settings
        rule = KeeperRule(order=st["keeper"]) if st.get("keeper") else None
        settings = settings_from_dict(DEDUP_METHODS.get_step(st["method"]).Settings, st["settings"])
        report = run_dedup(ctx.store, st["method"], settings, _filter(st),
                           ctx.author, rule, progress=lambda d, t: ctx.progress(d, t, f"{d:,} of {t:,} embedded"))
        # the run's whole report too: `curation dedup` prints it, as it did before it ran as a job
        return {"run_id": report["run_id"], "method": report["method"], **report["counts"],
                "warnings": report["warnings"], "report": report}


class EmbeddingJob(JobKind):
    """settings: filter, embedding (EmbeddingSettings fields), and which texts of the selection (`source`):
    `selection` (every sample's `key` text: user | assistant | conversation), `stratified` (the Diversity map's
    fixed pick of `per_type` prompts per task_type) or `form` (the texts the form-diversity report compares, with
    `form`: FormSettings fields). The texts are read again on resume; the cache skips those already encoded."""

    name = "embedding"
    SOURCES = ("selection", "stratified", "form")

    def check(self, store, settings: dict) -> dict:
        from .embeddings import EmbeddingSettings

        s = EmbeddingSettings(**(settings.get("embedding") or {}))
        source = settings.get("source") or "selection"
        if source not in self.SOURCES:
            raise UserError(f"unknown embedding source {source!r}; choose one of {', '.join(self.SOURCES)}")
        out = {"filter": settings.get("filter"), "key": settings.get("key") or "user",
               "embedding": dataclasses.asdict(s)}
        if source == "stratified":
            out.update(source=source, per_type=int(settings.get("per_type") or 200))
        elif source == "form":
            from .form_diversity import FormSettings
            form = settings.get("form") or {}
            out.update(source=source, form=dataclasses.asdict(FormSettings(
                **(form if isinstance(form, dict) else dataclasses.asdict(form)))))
        return out

    def run(self, ctx: JobContext) -> dict:
        from .embeddings import EmbeddingSettings, cached_count, embed_texts

        s = EmbeddingSettings(**ctx.settings["embedding"])
        ctx.progress(0, None, "reading the texts")
        texts = embedding_texts(ctx.store, ctx.settings)
        before, n = cached_count(ctx.store, texts, s.model)
        ctx.log(f"{n:,} distinct texts, {before:,} already embedded by {s.model}")
        embed_texts(ctx.store, texts, s, progress=lambda d, t: ctx.progress(d, t, f"{d:,} of {t:,} encoded"))
        return {"texts": n, "already_cached": before, "encoded": n - before, "model": s.model}


def embedding_texts(store, settings: dict) -> list[str]:
    """The texts an embedding job encodes (see EmbeddingJob): the same ones on every attempt."""
    f = _filter(settings)
    source = settings.get("source") or "selection"
    if source == "stratified":
        from .stats import stratified_prompts
        return [r["text"] for r in stratified_prompts(store, f, settings["per_type"])]
    if source == "form":
        from .form_diversity import FormSettings, form_texts
        return form_texts(store, f, FormSettings(**settings["form"]))
    if settings["key"] == "user":  # what the pages count as embedded (`stats.embedded_share`)
        from .stats import full_set_texts
        return full_set_texts(store, f)
    from .dedup.runs import _load
    return _load(store, f or SampleFilter(), settings["key"])[1]


class LogImportJob(JobKind):
    """settings: paths, settings (LogImportSettings fields). The import reads, scrubs and picks without writing,
    then stores its candidates, quarantine, redactions and log row in one commit with the job's checkpoint: a
    killed import left nothing and is run again, one killed after that commit only returns its report."""

    name = "log-import"

    def check(self, store, settings: dict) -> dict:
        from .flywheel.candidates import LogImportSettings, _settings_dict, check_paths
        from .flywheel.logs import MAPPING_NEEDED, MAPPING_NEEDED_UI, SHAPES

        paths = [str(p.resolve()) for p in check_paths(settings.get("paths") or [])]
        s = settings.get("settings") or LogImportSettings()
        s = _log_settings(s) if isinstance(s, dict) else s  # rebuilt: an unknown field fails here
        if s.shape not in SHAPES:
            raise UserError(f"unknown log shape {s.shape!r}; choose one of {', '.join(SHAPES)}")
        if s.shape == "mapped" and not s.mapping:
            raise UserError(MAPPING_NEEDED, ui=MAPPING_NEEDED_UI)
        return {"paths": paths, "settings": _settings_dict(s)}

    def run(self, ctx: JobContext) -> dict:
        from .flywheel.candidates import import_logs

        if ctx.checkpoint and "report" in ctx.checkpoint:  # killed after its commit: the import is stored
            return ctx.checkpoint["report"]
        paths = ctx.settings["paths"]
        ctx.progress(0, 1, f"reading {len(paths):,} log file(s)")
        report = import_logs(ctx.store, paths, _log_settings(ctx.settings["settings"]),
                             commit=lambda save: ctx.commit(lambda rep: {"report": rep.to_dict()}, 1, 1, apply=save,
                                                            message="stored"))
        ctx.log(f"log import {report.ingest_id}: {report.candidates:,} candidates from {report.sessions:,} "
                f"sessions, {report.quarantined:,} lines quarantined")
        return report.to_dict()


def _log_settings(values: dict):
    """LogImportSettings from its recorded form (the scrubber's and each value rule's settings as dicts)."""
    from .flywheel.candidates import LogImportSettings
    from .flywheel.rules.base import VALUE_RULES
    from .jobs import settings_from_dict

    s = settings_from_dict(LogImportSettings, values)
    s.rule_settings = {name: settings_from_dict(VALUE_RULES.get_step(name).Settings, v) if isinstance(v, dict) else v
                       for name, v in (s.rule_settings or {}).items()}
    s.rules = tuple(s.rules) if s.rules is not None else None
    return s


class GenerationJob(JobKind):
    """settings: producer, endpoint (EndpointSettings fields), settings (the producer's), run (RunInput fields,
    its filter as a dict). A killed run wrote nothing (a run writes in one transaction at its end) and kept every
    paid response in the LLM cache: the resume asks the endpoint only for what was not answered."""

    name = "generation"

    def check(self, store, settings: dict) -> dict:
        from .producers import PRODUCERS

        name = settings.get("producer")
        PRODUCERS.get_step(name)
        s = settings.get("settings")
        if not dataclasses.is_dataclass(s):
            s = PRODUCERS.make_settings(name, **(s or {}))
        run = settings.get("run") or {}
        if dataclasses.is_dataclass(run):
            run = dataclasses.asdict(run)
        if isinstance(run.get("filter"), SampleFilter):
            run["filter"] = run["filter"].to_dict()
        endpoint = _endpoint_dict(settings.get("endpoint"))
        from .producers.runner import RunInput, check_inputs
        given = dict(run, filter=SampleFilter(**run["filter"]) if run.get("filter") is not None else None)
        check_inputs(store, name, _endpoint(endpoint), s, RunInput(**given))
        return {"producer": name, "endpoint": endpoint, "settings": dataclasses.asdict(s), "run": run}

    def run(self, ctx: JobContext) -> dict:
        from .jobs import settings_from_dict
        from .producers import PRODUCERS
        from .producers.runner import RunInput, produce

        st = ctx.settings
        settings = settings_from_dict(PRODUCERS.get_step(st["producer"]).Settings, st["settings"])
        run = dict(st["run"])
        run["filter"] = SampleFilter(**run["filter"]) if run.get("filter") is not None else None
        return produce(ctx.store, st["producer"], _endpoint(st["endpoint"]), settings, RunInput(**run),
                       author=ctx.author,
                       on_progress=lambda stage, d, t, eta=None: ctx.progress(d, t, f"{stage}: {d:,} of {t:,}"))


class JudgingJob(JobKind):
    """settings: endpoint (EndpointSettings fields), filter, judge (JudgeSettings fields). Each judgement is
    stored as it is parsed; a resume skips the samples this judge already scored and reads paid answers from the
    LLM cache."""

    name = "judging"

    def check(self, store, settings: dict) -> dict:
        from .judge import JudgeSettings

        if not settings.get("endpoint"):
            raise UserError("the judge needs a model: pass --base-url and --model")
        judge = settings.get("judge") or {}
        judge = judge if isinstance(judge, dict) else dataclasses.asdict(judge)
        return {"endpoint": _endpoint_dict(settings["endpoint"]), "filter": settings.get("filter") or {},
                "judge": dataclasses.asdict(JudgeSettings(**judge))}

    def run(self, ctx: JobContext) -> dict:
        from .judge import JudgeSettings, judge_samples

        st = ctx.settings
        return judge_samples(ctx.store, _endpoint(st["endpoint"]), _filter(st), JudgeSettings(**st["judge"]),
                             author=ctx.author,
                             on_progress=lambda d, t, eta=None: ctx.progress(d, t, f"judged {d:,} of {t:,}"))


def _endpoint_dict(endpoint) -> dict | None:
    """An endpoint as recorded in a job: its fields, the NAME of the key's variable, never a key."""
    if endpoint is None:
        return None
    return endpoint if isinstance(endpoint, dict) else dataclasses.asdict(endpoint)


def _endpoint(values: dict | None):
    if values is None:
        return None
    from .llm import EndpointSettings
    return EndpointSettings(**values)
