r"""Self-checks for the exercises of chapter 5.1.1, *Multilingual models*.

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for (here a function), runs it on a few small cases, and compares it
with the package's own computation. A failed check names the first case
that differs, never the method.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from slmsurvey.check._core import (
    Mismatch,
    Result,
    as_array,
    call,
    expect_array_close,
    fmt,
    self_check,
)
from slmsurvey.multilingual.vocabulary import language_sampling_probabilities

__all__ = ["ex_5_1_1_sampling"]

# (sizes n_l, alpha): data-proportional, XLM, XLM-R, uniform, and a big gap
_SAMPLING_CASES = [
    ([900, 100], 1.0),
    ([900, 100], 0.5),
    ([1000, 300, 7], 0.3),
    ([50, 20, 5, 1], 0.0),
    ([10_000, 10], 0.7),
]


@self_check
def ex_5_1_1_sampling(sampling_probabilities: Callable) -> Result:
    r"""Check smoothed language sampling (exercise 5.1.1, sampling).

    ``sampling_probabilities(sizes, alpha)`` takes a list of data sizes
    :math:`n_l` (one per language) and :math:`\alpha`, and must return the
    probabilities :math:`q_l = p_l^\alpha / \sum_k p_k^\alpha` with
    :math:`p_l = n_l / \sum_k n_k`, one per language in the same order (a
    list or array). The reference is
    :func:`~slmsurvey.multilingual.language_sampling_probabilities`.

    Parameters
    ----------
    sampling_probabilities : callable
        Your function ``(sizes, alpha) -> list of float``.

    Returns
    -------
    Result

    Examples
    --------
    Raising the sizes to :math:`\alpha` without normalising is not enough:

    >>> import numpy as np
    >>> result = ex_5_1_1_sampling(lambda n, a: np.asarray(n) ** a)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for sizes = [900, 100], alpha = 1.0, your result at index (0,) ...
    >>> def right(n, a):
    ...     p = np.asarray(n) / np.sum(n)
    ...     return p**a / np.sum(p**a)
    >>> bool(ex_5_1_1_sampling(right))
    True
    """
    for sizes, alpha in _SAMPLING_CASES:
        context = f"for sizes = {sizes}, alpha = {alpha}"
        named = {str(i): n for i, n in enumerate(sizes)}
        expected = np.array(
            list(language_sampling_probabilities(named, alpha).values())
        )
        got = call(sampling_probabilities, list(sizes), alpha, context=context)
        values = as_array(got, context)
        hint = ""
        if values.shape == expected.shape:
            p = np.asarray(sizes, float) / sum(sizes)
            total = float(values.sum())
            if np.allclose(values, p) and alpha != 1.0:
                hint = (
                    "Those are the data proportions p_l: smoothing raises "
                    "them to the power alpha first."
                )
            elif not np.isclose(total, 1.0):
                hint = f"Your probabilities sum to {fmt(total)}, not 1."
            elif alpha > 0 and np.allclose(
                values, p ** (1 / alpha) / (p ** (1 / alpha)).sum()
            ):
                hint = "The exponent is alpha, not 1 / alpha."
        elif values.ndim != 1:
            raise Mismatch(
                f"{context}, you returned an array of shape {values.shape}; "
                f"expected one probability per language, shape {expected.shape}."
            )
        expect_array_close(values, expected, context, rtol=1e-6, atol=1e-9, hint=hint)
    return Result(
        True,
        "your probabilities equal language_sampling_probabilities on "
        f"{len(_SAMPLING_CASES)} cases.",
    )
