"""Self-check of chapter 5.1.1: the reference answer passes, wrong ones get hints."""

import numpy as np

from slmsurvey import check
from slmsurvey.check import multilingual


def sampling_probabilities(sizes, alpha):
    p = np.asarray(sizes, dtype=float) / np.sum(sizes)
    w = np.where(p > 0, p**alpha, 0.0)
    return w / w.sum()


def test_5_1_1_sampling_reference_passes():
    result = check.ex_5_1_1_sampling(sampling_probabilities)
    assert result
    assert "language_sampling_probabilities" in result.message
    assert multilingual.ex_5_1_1_sampling is check.ex_5_1_1_sampling


def test_5_1_1_sampling_list_answer_passes():
    def as_list(sizes, alpha):
        return [float(v) for v in sampling_probabilities(sizes, alpha)]

    assert check.ex_5_1_1_sampling(as_list)


def test_5_1_1_sampling_proportions_fail_with_hint():
    result = check.ex_5_1_1_sampling(lambda n, a: np.asarray(n) / np.sum(n))
    assert not result
    assert result.message.startswith("for sizes = [900, 100], alpha = 0.5")
    assert "data proportions" in result.message


def test_5_1_1_sampling_unnormalised_fails_with_hint():
    result = check.ex_5_1_1_sampling(lambda n, a: np.asarray(n, float) ** a)
    assert not result and "sum to" in result.message


def test_5_1_1_sampling_inverted_exponent_fails_with_hint():
    def inverted(sizes, alpha):
        return sampling_probabilities(sizes, 1 / alpha)

    result = check.ex_5_1_1_sampling(inverted)
    assert not result and "not 1 / alpha" in result.message


def test_5_1_1_sampling_errors_and_shapes_are_reported():
    def broken(sizes, alpha):
        raise RuntimeError("oops")

    result = check.ex_5_1_1_sampling(broken)
    assert not result and "raised RuntimeError: oops" in result.message
    result = check.ex_5_1_1_sampling(lambda n, a: [[0.9, 0.1]])
    assert not result and "shape" in result.message
    result = check.ex_5_1_1_sampling(lambda n, a: [0.5])
    assert not result and "shape" in result.message
    result = check.ex_5_1_1_sampling("not a function")
    assert not result and "expected a function" in result.message
