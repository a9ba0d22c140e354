"""The relabel rule lives in the library: a filter or an explicit "all", for the CLI and the pages alike."""
import pytest

from curation.errors import UserError
from curation.labels import active_filters, relabel
from curation.store import SampleFilter


def test_an_empty_filter_never_relabels_the_store(loaded_store):
    before = {s["id"]: s["task_type"] for s in loaded_store.samples.list(SampleFilter())}
    for empty in (SampleFilter(), SampleFilter(search="   "), SampleFilter(limit=5, offset=2),
                  SampleFilter(exclude_status=["rejected"]), SampleFilter(dataset=[], tag="")):
        assert active_filters(empty) == {}
        with pytest.raises(UserError) as e:
            relabel(loaded_store, empty, "reasoning/math", "tester")
        assert "--all" in str(e.value) and "--" not in e.value.for_page()  # each interface names its own way out
    assert {s["id"]: s["task_type"] for s in loaded_store.samples.list(SampleFilter())} == before


def test_relabel_changes_every_match_not_only_the_page(loaded_store):
    n = loaded_store.samples.count(SampleFilter())
    out = relabel(loaded_store, SampleFilter(limit=1), "reasoning/math", "tester", allow_all=True)
    assert out["relabelled"] == sum(1 for s in loaded_store.samples.list(SampleFilter())
                                    if loaded_store.revisions.list(s["id"]))
    assert loaded_store.samples.count(SampleFilter(task_type="reasoning/math")) == n
    with pytest.raises(UserError, match="two levels"):
        relabel(loaded_store, SampleFilter(task_type="reasoning"), "reasoning", "tester")
