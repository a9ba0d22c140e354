"""The HTML report: self-contained, every section present, sample text escaped."""
import re

import numpy as np

from curation.embeddings import text_hash
from curation.ingest import IngestSettings, ingest
from curation.diversity_report import SECTIONS, render_html, write_report
from curation.stats import SemanticSettings, compute_stats, semantic_coverage, stratified_prompts
from tests.helpers import write_jsonl

EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _records():
    recs = []
    for i in range(6):
        recs.append({"task_type": "reasoning/math", "messages": [
            {"role": "user", "content": f"Question {i}: what is {i} plus {i}?"},
            {"role": "assistant", "content": EVIL if i < 3 else f"It is {2 * i}."}]})
        recs.append({"task_type": "translation/zh→en", "messages": [
            {"role": "user", "content": f"把下面的中文翻译成英文：第{i}句"},
            {"role": "assistant", "content": f"Sentence {i}."}]})
    return recs


def _store(store, tmp_path):
    ingest(store, [write_jsonl(tmp_path / "r.jsonl", _records())], IngestSettings(dataset="r"))
    return store


def test_report_has_every_section_and_escapes_sample_text(store, tmp_path):
    _store(store, tmp_path)
    from curation.store import SampleFilter
    r = compute_stats(store, compare=SampleFilter(task_type="reasoning"))
    html = render_html(r)
    for name in SECTIONS:
        assert f"<h2>{name}</h2>" in html, name
    assert html.count("class=\"plotly-graph-div\"") >= 15  # charts are embedded, not linked
    assert "<script src=" not in html and len(html) > 3_000_000  # self-contained: plotly.js is inline
    assert "Plotly.newPlot" in html
    assert EVIL not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert not re.search(r"<img src=x", html)
    assert "No second selection" not in html  # the comparison section has content
    path = write_report(r, tmp_path / "out.html")
    assert path.read_text(encoding="utf-8") == html or path.stat().st_size > 100_000


MINILM = "all-MiniLM-L6-v2"


def test_report_with_semantic_coverage(store, tmp_path):
    _store(store, tmp_path)
    # Put vectors for the sampled prompts in the embedding cache (as a finished job would), then read them back.
    rng = np.random.default_rng(0)
    texts = [p["text"] for p in stratified_prompts(store, None, 4)]
    store.embeddings.add(MINILM, [(text_hash(t), rng.normal(size=8).astype(np.float32)) for t in texts])
    sem = semantic_coverage(store, None, SemanticSettings(model=MINILM, per_type=4, cached_only=True))
    assert sem["embedded"] == sem["sampled"] == 8
    assert any("English-only" in w for w in sem["warnings"])  # Chinese prompts meet an English-only model
    r = compute_stats(store)
    r["semantic"] = sem
    html = render_html(r)
    assert "Prompt embeddings (PCA" in html and "Semantic diversity per task_type" in html
    assert "Not computed for this report" not in html
    assert "Not computed for this report" in render_html(compute_stats(store))


def test_report_charts_have_a_real_palette_even_inside_the_app(store, tmp_path):
    """Inside the app Streamlit makes its own template the default, whose colours are placeholders (#000001…)
    only its frontend replaces; a saved report must carry real, distinct colours."""
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (registers and selects Streamlit's template)
    from curation.diversity_report import palette
    assert pio.templates.default == "streamlit"
    _store(store, tmp_path)
    html = render_html(compute_stats(store))
    assert not re.search(r"#0000(0[1-9]|10)\b", html, re.I)
    assert palette()[0] in html and palette()[1] in html and palette()[0] != palette()[1]
    assert '"automargin":true' in html  # long task_type tick labels get room instead of being clipped


def test_report_charts_escape_task_type_markup(store, tmp_path):
    import json as _json

    from curation.diversity_report import fig_balance_gap, fig_repeats
    link = '<a href="http://evil.example/x">click</a>'
    recs = [{"task_type": f"{link}/{i}", "messages": [{"role": "user", "content": f"q{i}"},
                                                     {"role": "assistant", "content": f"a{i}"}]} for i in range(3)]
    ingest(store, [write_jsonl(tmp_path / "t.jsonl", recs)], IngestSettings(dataset="t"))
    r = compute_stats(store)
    for fig in (fig_balance_gap(r), fig_repeats(r)):
        spec = _json.loads(fig.to_json())
        shown = [str(v) for tr in spec["data"] for v in (tr.get("x") or [])]
        assert shown and not any("<a" in v for v in shown)  # labels are escaped text
        clicks = [c if isinstance(c, str) else c[0] for tr in spec["data"] for c in tr["customdata"]]
        assert any(c.startswith(link) for c in clicks)  # a click still opens the real task_type
    assert "\\u003ca href" not in render_html(r)  # no live link anywhere in the embedded figures
