"""Self-check of chapter 5.2.2: the reference answer passes, wrong ones get hints."""

import math
from itertools import permutations

import numpy as np

from slmsurvey.check.explain import ex_5_2_2_permutations


def shapley_by_orders(f, x, baseline):
    x, baseline = np.asarray(x, float), np.asarray(baseline, float)
    M = len(x)
    phi = np.zeros(M)
    for order in permutations(range(M)):
        z = baseline.copy()
        inputs = [z.copy()]
        for i in order:
            z[i] = x[i]
            inputs.append(z.copy())
        phi[list(order)] += np.diff(f(np.array(inputs)))
    return phi / math.factorial(M)


def test_reference_passes():
    result = ex_5_2_2_permutations(shapley_by_orders)
    assert result
    assert "shapley_values" in result.message


def test_leave_one_in_fails_with_efficiency_hint():
    def alone(f, x, b):
        x, b = np.asarray(x), np.asarray(b)
        return f(np.where(np.eye(len(x), dtype=bool), x, b)) - f(b[None])

    result = ex_5_2_2_permutations(alone)
    assert not result
    assert result.message.startswith("for f = x_0 x_1 + sin x_2")
    assert "do not add up" in result.message


def test_efficient_but_wrong_gets_order_hint():
    def first_order_only(f, x, b):  # all credit by the identity order
        x, b = np.asarray(x, float), np.asarray(b, float)
        z, inputs = b.copy(), [b.copy()]
        for i in range(len(x)):
            z[i] = x[i]
            inputs.append(z.copy())
        return np.diff(f(np.array(inputs)))

    result = ex_5_2_2_permutations(first_order_only)
    assert not result
    assert "all M! orders" in result.message


def test_errors_and_wrong_types_become_hints():
    def broken(f, x, b):
        raise ZeroDivisionError("oops")

    result = ex_5_2_2_permutations(broken)
    assert not result and "raised ZeroDivisionError: oops" in result.message
    result = ex_5_2_2_permutations(lambda f, x, b: "phi")
    assert not result and "expected an array of numbers" in result.message
    result = ex_5_2_2_permutations(lambda f, x, b: np.zeros(len(x) + 1))
    assert not result and "shape" in result.message
    assert not ex_5_2_2_permutations(3)
