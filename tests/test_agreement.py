"""Agreement statistics against textbook examples with published values, plus their edge cases and CIs."""
from __future__ import annotations

import pytest

from curation.agreement import BootstrapSettings, cohen_kappa, fleiss_kappa, krippendorff_alpha

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 coders, 12 units, missing data.
# Published: nominal 0.743, ordinal 0.815, interval 0.849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# Wikipedia, "Krippendorff's alpha": 3 coders, 15 units. Published: nominal 0.691, interval 0.811.
WIKIPEDIA_ALPHA = [
    [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
    [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
    [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
]
# Fleiss (1971) as worked in Wikipedia, "Fleiss' kappa": 10 subjects, 14 raters, 5 categories. Published: 0.210.
FLEISS_TABLE = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


@pytest.mark.parametrize("level,expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_alpha_matches_krippendorff_2011(level, expected):
    a = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert a.value == pytest.approx(expected, abs=0.0005)
    assert a.n == 11  # unit 12 has a single value: unpairable, left out


@pytest.mark.parametrize("level,expected", [("nominal", 0.691), ("interval", 0.811)])
def test_krippendorff_alpha_matches_wikipedia(level, expected):
    assert krippendorff_alpha(WIKIPEDIA_ALPHA, level).value == pytest.approx(expected, abs=0.0005)


def test_cohen_kappa_matches_wikipedia_example():
    # 50 proposals: both yes 20, A yes / B no 5, A no / B yes 10, both no 15 -> p_o 0.7, p_e 0.5, kappa 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    k = cohen_kappa(a, b)
    assert k.value == pytest.approx(0.4) and k.n == 50 and k.method == "cohen_kappa"


def test_cohen_kappa_second_textbook_table():
    # Wikipedia's second example: 25/35/5/35 (A yes & B yes, ...) -> kappa 0.1304
    a = ["yes"] * 60 + ["no"] * 40
    b = ["yes"] * 45 + ["no"] * 15 + ["yes"] * 25 + ["no"] * 15
    assert cohen_kappa(a, b).value == pytest.approx(0.1304, abs=1e-4)


def test_fleiss_kappa_matches_fleiss_1971():
    k = fleiss_kappa(FLEISS_TABLE)
    assert k.value == pytest.approx(0.210, abs=0.0005) and k.n == 10


def test_weighted_kappa_properties():
    # with two categories every weighting gives the same kappa; perfect agreement is 1; near misses count
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b, "quadratic", ["n", "y"]).value == pytest.approx(0.4)
    assert cohen_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], "quadratic", [1, 2, 3, 4, 5]).value == pytest.approx(1.0)
    near = cohen_kappa([1, 2, 3, 4, 5, 1, 5], [2, 3, 4, 5, 4, 1, 5], "quadratic", [1, 2, 3, 4, 5]).value
    nominal = cohen_kappa([1, 2, 3, 4, 5, 1, 5], [2, 3, 4, 5, 4, 1, 5], None, [1, 2, 3, 4, 5]).value
    assert near > 0.5 > nominal


def test_missing_ratings_are_skipped_for_kappa():
    k = cohen_kappa(["a", None, "b", "a"], ["a", "b", None, "b"])
    assert k.n == 2


def test_undefined_figures_say_why():
    same = cohen_kappa(["a"] * 5, ["a"] * 5)
    assert same.value is None and "no variation" in same.note
    few = krippendorff_alpha([[1, N], [1, N]])
    assert few.value is None and "fewer than 2" in few.note
    assert fleiss_kappa([[2, 0]]).value is None


def test_bootstrap_interval_is_seeded_and_brackets_the_value():
    settings = BootstrapSettings(replicates=500, seed=7)
    a = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", settings)
    b = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", settings)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low <= a.value <= a.ci_high <= 1.0
    k = fleiss_kappa(FLEISS_TABLE, settings)
    assert k.ci_low < k.value < k.ci_high
    other = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", BootstrapSettings(replicates=500, seed=8))
    assert (other.ci_low, other.ci_high) != (a.ci_low, a.ci_high)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], level="ratio-ish")
