"""Perplexity: the language model's effective branching factor.

.. math::

    \\mathrm{PPL} = b^{-\\frac{1}{N}\\sum_{i=1}^{N} \\log_b P(w_i \\mid w_{<i})}

The value does not depend on the base :math:`b`, as long as the
log-probabilities are given in that base.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["perplexity"]


def perplexity(log_probs: Iterable[float], *, base: float = 2.0) -> float:
    r"""Perplexity of a sequence from the log-probabilities of its tokens.

    Parameters
    ----------
    log_probs : iterable of float, shape (N,)
        :math:`\log_b P(w_i \mid w_{<i})` for each of the N predicted tokens,
        in base ``base``. ``-inf`` (a token given probability 0) is allowed
        and gives an infinite perplexity.
    base : float, keyword-only
        The base of the logarithms (2 as in the survey, or ``math.e``).

    Returns
    -------
    float
        :math:`b^{-\frac{1}{N}\sum_i \log_b P(w_i \mid w_{<i})}`, at least 1.

    Raises
    ------
    ValueError
        If ``log_probs`` is empty, contains NaN or a value above 0 (a
        probability above 1), or if ``base`` is not positive and unequal to 1.

    References
    ----------
    Jelinek, Mercer, Bahl & Baker (1977), "Perplexity -- a measure of the
    difficulty of speech recognition tasks", JASA 62(S1):S63.

    Examples
    --------
    A model that gives every one of four tokens probability 1/4 is as unsure
    as a fair four-sided die:

    >>> perplexity([-2.0, -2.0, -2.0, -2.0])
    4.0
    >>> round(perplexity([math.log(0.25)] * 4, base=math.e), 10)
    4.0
    """
    if not (isinstance(base, (int, float)) and base > 0 and base != 1):
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    values = np.asarray(list(log_probs), dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("log_probs must be a non-empty 1-D sequence of numbers")
    if np.isnan(values).any():
        raise ValueError("log_probs contains NaN")
    if (values > 1e-12).any():
        raise ValueError(
            "log_probs must be <= 0 (probabilities in [0, 1]); "
            f"largest is {values.max():.3g}"
        )
    mean = float(values.mean())
    if mean == -math.inf:
        return math.inf
    # eq. (perplexity): PPL = b ** (-(1/N) sum log_b p)
    return float(base ** (-mean))
