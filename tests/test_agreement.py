"""slmsurvey.metrics.agreement and .mos: agreement with scikit-learn, statsmodels,
krippendorff and scipy; hand-worked cases; properties; bad input."""

import dataclasses

import krippendorff
import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from slmsurvey.metrics.agreement import (
    category_counts,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)
from slmsurvey.metrics.mos import MOS, _t_critical, mos, mos_per_item

LEVELS = ("nominal", "ordinal", "interval", "ratio")
NAN = np.nan
# Krippendorff (2011), section C: 4 observers x 12 units, with missing values.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def _noisy_copy(rng, truth, K, p_keep):
    """Each label kept with probability p_keep, else replaced by a random one."""
    keep = rng.random(truth.shape) < p_keep
    return np.where(keep, truth, rng.integers(0, K, truth.shape))


def _rater_pairs(n_cases, seed):
    """Seeded (a, b) label pairs with some agreement and >= 2 labels in use."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n_cases:
        K, N = int(rng.integers(2, 7)), int(rng.integers(1, 41))
        a = rng.integers(0, K, N)
        b = _noisy_copy(rng, a, K, rng.uniform(0, 0.9))
        if np.unique(np.concatenate([a, b])).size > 1:
            cases.append((a, b, K))
    return cases


def _label_matrices(n_cases, seed):
    """Seeded items x raters label matrices (for Fleiss) using >= 2 labels."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n_cases:
        K, N, M = (int(rng.integers(*r)) for r in ((2, 7), (1, 31), (2, 9)))
        truth = rng.integers(0, K, (N, 1))
        labels = _noisy_copy(rng, np.repeat(truth, M, axis=1), K, rng.uniform(0, 0.9))
        if np.unique(labels).size > 1:
            cases.append((labels, K))
    return cases


def _reliability_data(n_cases, seed):
    """Seeded raters x units data with NaN for missing, defined alpha."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n_cases:
        K, M, N = (int(rng.integers(*r)) for r in ((2, 8), (2, 7), (2, 31)))
        truth = rng.integers(0, K, (1, N))
        x = _noisy_copy(rng, np.repeat(truth, M, axis=0), K, rng.uniform(0, 0.9))
        x = x.astype(float) + (len(cases) % 3 == 0) * rng.normal(0, 0.3, x.shape)
        x = np.abs(x)  # ratio data are non-negative
        x[rng.random(x.shape) < rng.uniform(0, 0.5)] = np.nan
        pairable = (~np.isnan(x)).sum(0) >= 2
        if np.unique(x[:, pairable][~np.isnan(x[:, pairable])]).size > 1:
            cases.append(x)
    return cases


PAIRS = _rater_pairs(200, seed=0)
TABLES = _label_matrices(200, seed=1)
RELIABILITY = _reliability_data(200, seed=2)


# --- Cohen's kappa --------------------------------------------------------------


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_equals_sklearn(weights):
    for a, b, _ in PAIRS:
        ours = cohen_kappa(a, b, weights=weights)
        assert type(ours) is float
        assert ours == pytest.approx(
            cohen_kappa_score(a, b, weights=weights), abs=1e-12
        )


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_with_labels_equals_sklearn(weights):
    """A given category order (with unused categories) and string labels."""
    rng = np.random.default_rng(3)
    for a, b, K in PAIRS[:60]:
        labels = [f"c{k}" for k in rng.permutation(K + 2)]  # two never used
        a_s, b_s = [f"c{k}" for k in a], [f"c{k}" for k in b]
        ours = cohen_kappa(a_s, b_s, weights=weights, labels=labels)
        theirs = cohen_kappa_score(a_s, b_s, weights=weights, labels=labels)
        assert ours == pytest.approx(theirs, abs=1e-12)


def test_cohen_kappa_hand_worked():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = .7, p_e = .5
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    # one near miss: observed 0.25 * 1, expected 3 (quadratic) or 1.375 (linear)
    assert cohen_kappa([1, 2, 3, 4], [1, 2, 4, 4], weights="quadratic") == (
        pytest.approx(1 - 0.25 / 3, abs=1e-12)
    )
    assert cohen_kappa([1, 2, 3, 4], [1, 2, 4, 4], weights="linear") == (
        pytest.approx(1 - 0.25 / 1.375, abs=1e-12)
    )


def test_cohen_kappa_properties():
    for a, b, K in PAIRS[:50]:
        assert np.unique(a).size == 1 or cohen_kappa(a, a) == 1.0
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa(b, a), abs=1e-12)
        # unweighted kappa does not depend on the category names or order
        perm = np.random.default_rng(K).permutation(K)
        assert cohen_kappa(perm[a], perm[b]) == pytest.approx(
            cohen_kappa(a, b), abs=1e-12
        )
    # complete disagreement between two categories used equally often
    assert cohen_kappa([0, 1, 0, 1], [1, 0, 1, 0]) == pytest.approx(-1.0)


# --- Fleiss' kappa --------------------------------------------------------------


def test_category_counts_equal_statsmodels_aggregate_raters():
    for labels, K in TABLES:
        counts, cats = category_counts(labels)
        ref_counts, ref_cats = aggregate_raters(labels)
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_array_equal(cats, ref_cats)
        counts, cats = category_counts(labels, categories=range(K))
        np.testing.assert_array_equal(counts, aggregate_raters(labels, n_cat=K)[0])
        assert cats.tolist() == list(range(K))


def test_fleiss_kappa_equals_statsmodels():
    for labels, K in TABLES:
        counts, _ = category_counts(labels, categories=range(K))
        ours = fleiss_kappa(counts)
        assert type(ours) is float
        assert ours == pytest.approx(
            sm_fleiss_kappa(counts, method="fleiss"), abs=1e-12
        )


def test_fleiss_kappa_hand_worked():
    # Wikipedia's example (Fleiss' kappa): 10 items, 14 raters, 5 categories.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert round(fleiss_kappa(table), 3) == 0.210
    # P_bar = 2/3, P_bar_e = 26/36 (see the docstring)
    assert fleiss_kappa([[3, 0], [2, 1]]) == pytest.approx(-0.2, abs=1e-12)
    assert fleiss_kappa([[2, 0], [0, 2]]) == 1.0


def test_fleiss_kappa_relates_to_nominal_alpha():
    """With complete data, alpha = 1 - (1 - kappa) (n - 1) / n, n = N M values."""
    for labels, _ in TABLES[:100]:
        N, M = labels.shape
        kappa = fleiss_kappa(category_counts(labels)[0])
        alpha = krippendorff_alpha(labels.T, level="nominal")  # (M, N)
        n = N * M
        assert alpha == pytest.approx(1 - (1 - kappa) * (n - 1) / n, abs=1e-12)


# --- Krippendorff's alpha -------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_alpha_equals_krippendorff_package(level):
    for x in RELIABILITY:
        ours = krippendorff_alpha(x, level=level)
        assert type(ours) is float
        theirs = krippendorff.alpha(reliability_data=x, level_of_measurement=level)
        assert ours == pytest.approx(float(theirs), abs=1e-10)


def test_random_reliability_data_has_missing_values_and_reals():
    assert sum(np.isnan(x).any() for x in RELIABILITY) > 150
    assert sum((x[~np.isnan(x)] % 1 != 0).any() for x in RELIABILITY) > 50


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_alpha_hand_worked(level, expected):
    """The values Krippendorff (2011) reports for his example."""
    assert round(krippendorff_alpha(K2011, level=level), 3) == expected


def test_krippendorff_alpha_properties():
    rng = np.random.default_rng(4)
    for x in RELIABILITY[:40]:
        for level in LEVELS:
            alpha = krippendorff_alpha(x, level=level)
            # raters and units in any order
            shuffled = x[rng.permutation(x.shape[0])][:, rng.permutation(x.shape[1])]
            assert krippendorff_alpha(shuffled, level=level) == pytest.approx(alpha)
            # a unit with one value is not pairable and changes nothing
            lone = np.full((x.shape[0], 1), np.nan)
            lone[0, 0] = 99.0
            assert krippendorff_alpha(np.hstack([x, lone]), level=level) == (
                pytest.approx(alpha, abs=1e-12)
            )
    perfect = np.array([[1, 2, 3, NAN], [1, 2, 3, 4], [NAN, 2, 3, 4]])
    for level in LEVELS:
        assert krippendorff_alpha(perfect, level=level) == pytest.approx(1.0)


# --- MOS ------------------------------------------------------------------------


@pytest.mark.parametrize("nu", [*range(1, 41), 99, 100, 1000, 20001])
def test_t_critical_equals_scipy(nu):
    for gamma in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999):
        expected = stats.t.ppf((1 + gamma) / 2, nu)
        assert _t_critical(gamma, nu) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.99])
def test_mos_interval_equals_scipy(confidence):
    rng = np.random.default_rng(5)
    for n in [2, 3, 4, 5, 7, 10, 31, 100, 257, 1000]:
        x = rng.integers(1, 6, n).astype(float)
        if np.ptp(x) == 0:
            x[0] = 1.0 if x[0] != 1 else 5.0
        m = mos(x, confidence=confidence)
        low, high = stats.t.interval(
            confidence, n - 1, loc=x.mean(), scale=stats.sem(x)
        )
        assert m.n == n and m.mean == pytest.approx(x.mean(), abs=1e-12)
        assert (m.ci_low, m.ci_high) == pytest.approx((low, high), rel=1e-12, abs=1e-12)
        assert all(type(v) is float for v in (m.mean, m.ci_low, m.ci_high))


def test_mos_hand_worked_and_properties():
    m = mos([4, 5, 3, 4, 4])  # s = sqrt(0.5), t_{.975, 4} = 2.776445...
    assert m.mean == 4.0 and m.n == 5
    assert m.half_width == pytest.approx(2.7764451051977987 * np.sqrt(0.1), abs=1e-12)
    assert mos([3, 3, 3]) == MOS(mean=3.0, ci_low=3.0, ci_high=3.0, n=3)
    widths = [mos([1, 2, 4, 5], confidence=c).half_width for c in (0.5, 0.9, 0.99)]
    assert widths == sorted(widths) and widths[0] > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.mean = 5.0


def test_mos_per_item_equals_mos_of_each_row():
    rng = np.random.default_rng(6)
    R = rng.integers(1, 6, (20, 8)).astype(float)
    R[rng.random(R.shape) < 0.3] = np.nan
    R[:, :2] = 3.0  # every row keeps 2 ratings
    items = mos_per_item(R, confidence=0.9)
    assert len(items) == 20
    for row, m in zip(R, items, strict=True):
        assert m == mos(row[~np.isnan(row)], confidence=0.9)


# --- bad input ------------------------------------------------------------------

BAD_INPUT = [
    (cohen_kappa, ([[1, 2]], [1, 2]), {}, ValueError, "rater_a must be 1-D"),
    (cohen_kappa, ([], []), {}, ValueError, "rater_a must not be empty"),
    (cohen_kappa, ([1, 2], [1, NAN]), {}, ValueError, "rater_b contains NaN"),
    (cohen_kappa, ([1, None], [1, 2]), {}, ValueError, "rater_a contains None"),
    (cohen_kappa, ([1, 2, 3], [1, 2]), {}, ValueError, "differ in length: 3, 2"),
    (cohen_kappa, ([1, 2], [1, 2]), {"weights": "cubic"}, ValueError, "weights must"),
    (cohen_kappa, ([1, 2], [1, 2]), {"labels": [1, 2, 1]}, ValueError, "repeat"),
    (cohen_kappa, ([1, 3], [1, 2]), {"labels": [1, 2]}, ValueError, "contains 3"),
    (cohen_kappa, ([1, 1], [1, 1]), {}, ValueError, "kappa is undefined"),
    (
        cohen_kappa,
        (np.array([1, "a"], dtype=object), [1, 1]),
        {},
        TypeError,
        "cannot be sorted",
    ),
    (category_counts, ([1, 2],), {}, ValueError, "labels must be 2-D"),
    (category_counts, ([[1, NAN]],), {}, ValueError, "labels contains NaN"),
    (category_counts, ([[1, 2]],), {"categories": [1]}, ValueError, "not in categ"),
    (category_counts, ([[1]],), {"categories": [1, 1]}, ValueError, "categories must"),
    (fleiss_kappa, ([3, 0],), {}, ValueError, "counts must be non-empty and 2-D"),
    (fleiss_kappa, (np.zeros((0, 3)),), {}, ValueError, "non-empty and 2-D"),
    (fleiss_kappa, ([[3, 0], [1, 1]],), {}, ValueError, "row 0 sums to 3, row 1 to 2"),
    (fleiss_kappa, ([[1, 0], [0, 1]],), {}, ValueError, "at least 2 raters"),
    (fleiss_kappa, ([[1, NAN]],), {}, ValueError, "no NaN or inf"),
    (fleiss_kappa, ([[3, -1]],), {}, ValueError, "non-negative whole"),
    (fleiss_kappa, ([[1.5, 0.5]],), {}, ValueError, "non-negative whole"),
    (fleiss_kappa, ([["a", "b"]],), {}, TypeError, "counts must hold numbers"),
    (fleiss_kappa, ([[2, 0], [2, 0]],), {}, ValueError, "kappa is undefined"),
    (krippendorff_alpha, (K2011,), {"level": "cardinal"}, ValueError, "level must"),
    (krippendorff_alpha, ([1, 2],), {}, ValueError, "must be 2-D with at least 2"),
    (krippendorff_alpha, ([[1, 2, 3]],), {}, ValueError, "at least 2 raters"),
    (krippendorff_alpha, (np.zeros((2, 0)),), {}, ValueError, "got shape \\(2, 0\\)"),
    (krippendorff_alpha, ([[1, np.inf], [1, 2]],), {}, ValueError, "infinite"),
    (krippendorff_alpha, ([["a"], ["b"]],), {}, TypeError, "must hold numbers"),
    (krippendorff_alpha, ([[1, NAN], [NAN, 2]],), {}, ValueError, "at least one unit"),
    (krippendorff_alpha, ([[1, 1], [1, 1]],), {}, ValueError, "alpha is undefined"),
    (
        krippendorff_alpha,
        ([[1, -1], [1, 2]],),
        {"level": "ratio"},
        ValueError,
        "non-negative for level='ratio'",
    ),
    (mos, ([1, 2],), {"confidence": 1.0}, ValueError, "confidence must be in"),
    (mos, ([1, 2],), {"confidence": 0}, ValueError, "confidence must be in"),
    (mos, ([1, 2],), {"confidence": NAN}, ValueError, "confidence must be finite"),
    (mos, ([1, 2],), {"confidence": "0.95"}, TypeError, "confidence must be a real"),
    (mos, ([[1, 2]],), {}, ValueError, "ratings must be 1-D"),
    (mos, ([],), {}, ValueError, "ratings must not be empty"),
    (mos, ([4],), {}, ValueError, "at least 2 values"),
    (mos, ([4, NAN],), {}, ValueError, "ratings contains NaN"),
    (mos, (["4", "5"],), {}, TypeError, "ratings must hold numbers"),
    (mos_per_item, ([1, 2],), {}, ValueError, "ratings must be 2-D"),
    (mos_per_item, ([[1, 2], [3, NAN]],), {}, ValueError, "row 1 has 1 ratings"),
    (mos_per_item, ([[1, np.inf]],), {}, ValueError, "infinite"),
    (mos_per_item, ([[1, 2]],), {"confidence": 2.0}, ValueError, "confidence"),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "exc", "match"), BAD_INPUT)
def test_bad_input_raises(fn, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)
