"""slmsurvey.fairness: group criteria against brute force and hand cases;
per-group bootstrap intervals (point estimate, coverage, width, seeding)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slmsurvey.fairness.bootstrap import GroupEstimate, group_error_rates
from slmsurvey.fairness.group import (
    DemographicParity,
    EqualizedOdds,
    demographic_parity_difference,
    equalized_odds_difference,
)
from slmsurvey.metrics.wer import wer


def _random_labels(seed, n=300, groups=("a", "b", "c")):
    """Seeded binary truth and predictions whose rates differ by group."""
    rng = np.random.default_rng(seed)
    A = rng.choice(groups, size=n)
    bias = {g: 0.2 + 0.25 * k for k, g in enumerate(groups)}
    y = rng.integers(0, 2, size=n)
    p = np.array([bias[a] for a in A]) + 0.3 * y
    y_hat = (rng.random(n) < p).astype(int)
    return y, y_hat, A


def _brute_rate(y_hat, A, a, y=None, v=None):
    """P(y_hat = 1 | A = a[, y = v]) by counting in a Python loop."""
    hits = total = 0
    for i in range(len(A)):
        if A[i] == a and (y is None or y[i] == v):
            total += 1
            hits += int(y_hat[i] == 1)
    return hits / total


# --- demographic parity -----------------------------------------------------------


def test_demographic_parity_hand_case():
    dp = demographic_parity_difference(
        [1, 1, 0, 1, 0, 0, 1, 1], ["f", "f", "f", "m", "m", "m", "x", "x"]
    )
    assert isinstance(dp, DemographicParity)
    assert dp.rates == pytest.approx({"f": 2 / 3, "m": 1 / 3, "x": 1.0})
    assert list(dp.rates) == ["f", "m", "x"]
    assert dp.difference == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", range(3))
def test_demographic_parity_equals_brute_force(seed):
    _, y_hat, A = _random_labels(seed)
    dp = demographic_parity_difference(y_hat, A)
    rates = {a: _brute_rate(y_hat, A, a) for a in ("a", "b", "c")}
    assert dp.rates == pytest.approx(rates, abs=1e-15)
    assert dp.difference == pytest.approx(max(rates.values()) - min(rates.values()))
    assert all(type(v) is float for v in dp.rates.values())
    assert type(dp.difference) is float


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=2, max_size=30))
def test_demographic_parity_properties(pairs):
    y_hat = [int(p) for p, _ in pairs]
    A = [g for _, g in pairs]
    assume(len(set(A)) >= 2)
    dp = demographic_parity_difference(y_hat, A)
    assert 0.0 <= dp.difference <= 1.0
    # invariant under a permutation of the examples
    order = np.random.default_rng(0).permutation(len(A))
    permuted = demographic_parity_difference(
        [y_hat[i] for i in order], [A[i] for i in order]
    )
    assert permuted.difference == pytest.approx(dp.difference)
    # same predictions in every group: parity holds exactly
    tiled = demographic_parity_difference(y_hat * 2, [0] * len(A) + [1] * len(A))
    assert tiled.difference == 0.0


# --- equalized odds -----------------------------------------------------------------


def test_equalized_odds_hand_case():
    #          group 0     | group 1
    y_true = [1, 1, 0, 0, 1, 1, 1, 0, 0]
    y_pred = [1, 1, 0, 0, 1, 0, 0, 1, 1]
    eo = equalized_odds_difference(y_true, y_pred, [0, 0, 0, 0, 1, 1, 1, 1, 1])
    assert isinstance(eo, EqualizedOdds)
    assert eo.tpr == pytest.approx({0: 1.0, 1: 1 / 3})
    assert eo.fpr == pytest.approx({0: 0.0, 1: 1.0})
    assert (eo.tpr_difference, eo.fpr_difference) == pytest.approx((2 / 3, 1.0))
    assert eo.difference == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_equalized_odds_equals_brute_force(seed):
    y, y_hat, A = _random_labels(seed, groups=(3, 7, 11, 12))
    eo = equalized_odds_difference(y, y_hat, A)
    tpr = {a: _brute_rate(y_hat, A, a, y, 1) for a in (3, 7, 11, 12)}
    fpr = {a: _brute_rate(y_hat, A, a, y, 0) for a in (3, 7, 11, 12)}
    assert eo.tpr == pytest.approx(tpr, abs=1e-15)
    assert eo.fpr == pytest.approx(fpr, abs=1e-15)
    assert all(type(k) is int for k in eo.tpr)  # numpy labels back to Python
    d_tpr = max(tpr.values()) - min(tpr.values())
    d_fpr = max(fpr.values()) - min(fpr.values())
    assert eo.difference == pytest.approx(max(d_tpr, d_fpr))


def test_equalized_odds_can_hold_while_demographic_parity_fails():
    # a perfect classifier: equal TPR (1) and FPR (0), different base rates
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    A = np.array(["a"] * 4 + ["b"] * 4)
    assert equalized_odds_difference(y, y, A).difference == 0.0
    assert demographic_parity_difference(y, A).difference == 0.5


def test_boolean_labels_are_accepted():
    y = np.array([True, False, True, False])
    eo = equalized_odds_difference(y, ~y, ["u", "u", "v", "v"])
    assert eo.tpr == {"u": 0.0, "v": 0.0} and eo.fpr == {"u": 1.0, "v": 1.0}


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y_pred", "groups", "error", "match"),
    [
        ([1, 0, 0.5], [0, 1, 1], ValueError, "y_pred must be binary"),
        ([1, 0, 2], [0, 1, 1], ValueError, "y_pred must be binary"),
        ([1, 0, 1], [0, 1], ValueError, "one entry per example"),
        ([], [], ValueError, "y_pred is empty"),
        ([1, 0, 1], [5, 5, 5], ValueError, "at least two distinct groups"),
        (["1", "0"], [0, 1], TypeError, "y_pred"),
        ([[1, 0]], [0, 1], ValueError, "y_pred must be 1-D"),
        (1, [0], TypeError, "y_pred"),
    ],
)
def test_demographic_parity_rejects_bad_input(y_pred, groups, error, match):
    with pytest.raises(error, match=match):
        demographic_parity_difference(y_pred, groups)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "groups", "match"),
    [
        ([1, 0, 1, 1], [1, 0, 1, 0], ["a", "a", "b", "b"], "group 'b' has no negative"),
        ([1, 0, 0, 0], [1, 0, 1, 0], ["a", "a", "b", "b"], "group 'b' has no positive"),
        ([1, 0, 3, 0], [1, 0, 1, 0], ["a", "a", "b", "b"], "y_true must be binary"),
        ([1, 0, 1, 0], [1, 0, 1], ["a", "a", "b", "b"], "same length"),
        ([1, 0, 1, 0], [1, 0, 1, 0], ["a", "a", "b"], "one entry per example"),
        ([1, 0, 1, 0], [1, 0, 1, 0], ["a"] * 4, "at least two distinct groups"),
        ([], [], [], "y_true is empty"),
    ],
)
def test_equalized_odds_rejects_bad_input(y_true, y_pred, groups, match):
    with pytest.raises(ValueError, match=match):
        equalized_odds_difference(y_true, y_pred, groups)


# --- per-group error rates with bootstrap intervals ---------------------------------

PATTERN = [  # (reference, hypothesis): 8 utterances, 29 words, 6 errors
    ("the cat sat on the mat", "the cat sat on the mat"),
    ("a dog ran", "a dog ran"),
    ("she sells sea shells", "she sells see shells"),
    ("turn on the light", "turn the light"),
    ("good morning", "good morning to you"),
    ("play some music", "play some music"),
    ("what time is it", "what time is it"),
    ("call my mother", "fall my other"),
]


def _corpus(copies):
    """Group "small" holds PATTERN once, group "large" ``copies`` times."""
    pairs = PATTERN + PATTERN * copies
    groups = ["small"] * len(PATTERN) + ["large"] * (len(PATTERN) * copies)
    return [r for r, _ in pairs], [h for _, h in pairs], groups


def test_point_estimate_is_the_metric_on_the_group():
    refs, hyps, groups = _corpus(2)
    refs[0], hyps[0] = "one more", "one"  # make the groups differ
    rates = group_error_rates(wer, refs, hyps, groups, n_boot=50)
    assert list(rates) == ["large", "small"]
    for g, est in rates.items():
        mine = [i for i, h in enumerate(groups) if h == g]
        expected = wer([refs[i] for i in mine], [hyps[i] for i in mine])
        assert isinstance(est, GroupEstimate)
        assert est.estimate == expected and est.n == len(mine)
        assert est.low <= est.estimate <= est.high
        assert type(est.low) is float and type(est.high) is float


def test_interval_narrows_with_more_utterances():
    refs, hyps, groups = _corpus(8)
    rates = group_error_rates(wer, refs, hyps, groups, n_boot=200, seed=1)
    small, large = rates["small"], rates["large"]
    assert small.estimate == large.estimate == pytest.approx(6 / 29)
    width_small, width_large = small.high - small.low, large.high - large.low
    assert width_large < 0.6 * width_small  # about 1/sqrt(8) = 0.35 expected
    assert large.low <= large.estimate <= large.high


def test_interval_is_seeded_and_nested_in_confidence():
    refs, hyps, groups = _corpus(1)
    args = {"n_boot": 100}
    a = group_error_rates(wer, refs, hyps, groups, seed=3, **args)
    b = group_error_rates(wer, refs, hyps, groups, seed=3, **args)
    c = group_error_rates(wer, refs, hyps, groups, seed=4, **args)
    assert a == b and a != c
    narrow = group_error_rates(wer, refs, hyps, groups, seed=3, confidence=0.5, **args)
    for g in a:  # same resamples, so the 50% interval lies inside the 95% one
        assert a[g].low <= narrow[g].low <= narrow[g].high <= a[g].high
        assert narrow[g].high - narrow[g].low < a[g].high - a[g].low


def _sentence_error_rate(refs, hyps):
    return float(np.mean([r != h for r, h in zip(refs, hyps, strict=True)]))


def test_interval_width_matches_the_binomial_standard_error():
    # a proportion p over n items: the bootstrap interval is about p +- 1.96 se
    n, p = 100, 0.3
    refs = [str(i) for i in range(n)]
    hyps = [("x" if i < p * n else str(i)) for i in range(n)]
    groups = ["g"] * n + ["h"] * n
    rates = group_error_rates(
        _sentence_error_rate, refs * 2, hyps * 2, groups, n_boot=1000, seed=0
    )
    se = math.sqrt(p * (1 - p) / n)
    for est in rates.values():
        assert est.estimate == pytest.approx(p)
        assert (est.high - est.low) / 2 == pytest.approx(1.96 * se, rel=0.15)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metric": "wer"}, TypeError, "metric must be callable"),
        ({"refs": []}, ValueError, "refs is empty"),
        ({"hyps": ["a"]}, ValueError, "same length"),
        ({"groups": ["g"]}, ValueError, "same length"),
        ({"refs": "a b"}, TypeError, "refs must be a sequence"),
        ({"n_boot": 0}, ValueError, "n_boot"),
        ({"n_boot": 10.0}, TypeError, "n_boot"),
        ({"confidence": 1.0}, ValueError, "confidence"),
        ({"confidence": 0.0}, ValueError, "confidence"),
    ],
)
def test_group_error_rates_rejects_bad_input(kwargs, error, match):
    args = {
        "metric": wer,
        "refs": ["a b", "c d"],
        "hyps": ["a b", "c"],
        "groups": ["g", "h"],
        **kwargs,
    }
    with pytest.raises(error, match=match):
        group_error_rates(
            args.pop("metric"), args.pop("refs"), args.pop("hyps"), args.pop("groups"),
            **args,
        )  # fmt: skip
