r"""Self-checks for the exercises of chapter 5.2.2, *Explainability*.

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for (here a function), runs it on a few small cases, and compares it
with the package's own computation. A failed check names the first case
that differs, never the method.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from slmsurvey.check._core import (
    Result,
    call,
    expect_array_close,
    self_check,
)
from slmsurvey.explain.shapley import shapley_values

__all__ = ["ex_5_2_2_permutations"]


# ---------------------------------------------------------------- 5.2.2
def _interaction(X: np.ndarray) -> np.ndarray:
    return X[:, 0] * X[:, 1] + np.sin(X[:, 2])


def _three_way(X: np.ndarray) -> np.ndarray:
    return X[:, 0] * X[:, 1] * X[:, 2] - 2 * X[:, 3] ** 2


# (name, f, x, baseline)
_SHAPLEY_CASES = [
    ("f = 2 x_0 - x_1", lambda X: 2 * X[:, 0] - X[:, 1], [1.0, 3.0], [0.0, 1.0]),
    ("f = x_0 x_1 + sin x_2", _interaction, [1.0, 2.0, 0.5], [0.0, 0.0, 0.0]),
    (
        "f = x_0 x_1 x_2 - 2 x_3^2",
        _three_way,
        [1.0, -2.0, 3.0, 0.5],
        [0.5, 0.0, 1.0, -1.0],
    ),
]


@self_check
def ex_5_2_2_permutations(shapley_by_orders: Callable) -> Result:
    r"""Check Shapley values computed over arrival orders (exercise 5.2.2).

    ``shapley_by_orders(f, x, baseline)`` must return the Shapley values
    of ``f`` at ``x`` with the baseline value function
    :math:`v(S) = f(x_S, b_{\bar S})`, which equal the average over all
    :math:`M!` orders of each feature's marginal contribution,

    .. math::

        \phi_i = \frac{1}{M!} \sum_{\text{orders}}
        \big[v(P_i \cup \{i\}) - v(P_i)\big].

    The reference is :func:`~slmsurvey.explain.shapley_values`. ``f`` maps
    an (N, M) array to N numbers.

    Parameters
    ----------
    shapley_by_orders : callable
        Your function ``(f, x, baseline) -> array of M values``.

    Returns
    -------
    Result

    Examples
    --------
    Crediting each feature with its effect when it alone is switched on
    (leave-one-in) misses the interactions:

    >>> def alone(f, x, b):
    ...     x, b = np.asarray(x), np.asarray(b)
    ...     Z = np.where(np.eye(len(x), dtype=bool), x, b)
    ...     return f(Z) - f(b[None])
    >>> result = ex_5_2_2_permutations(alone)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for f = x_0 x_1 + sin x_2, ... Your values do not add up ...
    """
    for name, f, x, b in _SHAPLEY_CASES:
        x, b = np.array(x), np.array(b)
        context = f"for {name}, x = {x.tolist()}, baseline = {b.tolist()}"
        got = call(shapley_by_orders, f, x.copy(), b.copy(), context=context)
        expected = shapley_values(f, x, b)
        hint = ""
        try:
            total = float(np.sum(np.asarray(got, dtype=np.float64)))
        except (TypeError, ValueError):
            total = float("nan")
        gap = float(f(x[None])[0] - f(b[None])[0])
        if not np.isclose(total, gap, atol=1e-9):
            hint = (
                f"Your values do not add up to f(x) - f(baseline) = {gap:.6g}; "
                "Shapley values always do (efficiency)."
            )
        elif np.shape(got) == expected.shape:
            hint = "Average over all M! orders, not a few of them."
        expect_array_close(got, expected, context, rtol=1e-7, atol=1e-9, hint=hint)
    return Result(
        True,
        f"your values equal shapley_values on {len(_SHAPLEY_CASES)} models.",
    )
