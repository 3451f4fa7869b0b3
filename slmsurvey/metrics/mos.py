r"""Mean opinion score (MOS) with a Student-t confidence interval.

Listeners rate each stimulus on an absolute category scale, typically
1 (bad) to 5 (excellent) (ITU-T P.800). The MOS of :math:`n` ratings
:math:`x_1, \dots, x_n` is their mean, reported with a t-interval:

.. math::

    \bar x = \frac1n \sum_{i=1}^{n} x_i, \qquad
    s^2 = \frac{1}{n-1} \sum_{i=1}^{n} (x_i - \bar x)^2, \qquad
    \bar x \pm t_{(1+\gamma)/2,\, n-1}\, \frac{s}{\sqrt n},

where :math:`\gamma` is the confidence level and :math:`t_{q,\nu}` the
:math:`q`-quantile of Student's t with :math:`\nu` degrees of freedom.
Code names: ``x`` the ratings, ``x_bar``, ``s``, ``n``, ``nu``, ``t_crit``.

How a study uses it. Keep each system's ratings as an items x raters matrix
``R`` (utterances by listeners, NaN where a listener did not hear an
utterance). The system's MOS pools every rating, ``mos(R[~np.isnan(R)])``;
:func:`mos_per_item` gives one MOS per utterance. The pooled interval treats
the ratings as independent, but ratings by one listener, or of one utterance,
are correlated (the highest- and lowest-scoring raters of a test differ by
over 2 points on average in Rosenberg & Ramabhadran 2017), so it is too
narrow (Camp et al. 2023). ``mos(np.nanmean(R, axis=1))``, a t-interval over
per-utterance means, accounts for utterance-to-utterance variation (though
not for listener effects).

The t quantile is computed here, without scipy: for integer :math:`\nu`,
:math:`P(|T| \le t)` is a finite series (Abramowitz & Stegun 26.7.3-4), which
is inverted by bisection.

References
----------
ITU-T Recommendation P.800 (1996), "Methods for subjective determination of
transmission quality". Rosenberg & Ramabhadran (2017), "Bias and statistical
significance in evaluating speech synthesis with mean opinion scores",
Interspeech, https://www.isca-archive.org/interspeech_2017/rosenberg17_interspeech.html.
Camp, Kenter, Finkelstein & Clark (2023), "MOS vs. AB: Evaluating
text-to-speech systems reliably using clustered standard errors", Interspeech.
Abramowitz & Stegun (1964), "Handbook of mathematical functions", section 26.7.
"""

# Shapes: N items, M raters (listeners), n ratings.

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from slmsurvey._checks import check_real

__all__ = ["MOS", "mos", "mos_per_item"]


@dataclass(frozen=True)
class MOS:
    """A mean opinion score and its confidence interval.

    Attributes
    ----------
    mean : float
        :math:`\\bar x`.
    ci_low, ci_high : float
        The ends of the t-interval.
    n : int
        The number of ratings.

    Examples
    --------
    >>> m = mos([4, 5, 3, 4, 4])
    >>> m.mean, m.n, round(m.half_width, 4)
    (4.0, 5, 0.878)
    """

    mean: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width, :math:`t\\, s / \\sqrt n`."""
        return (self.ci_high - self.ci_low) / 2.0


def _t_central(t: float, nu: int, g: np.ndarray) -> float:
    """:math:`P(|T| \\le t)` for Student's t with ``nu`` degrees of freedom.

    With :math:`\\theta = \\arctan(t / \\sqrt\\nu)` (A&S 26.7.3-4): for even
    :math:`\\nu`, :math:`\\sin\\theta \\sum_k g_k \\cos^{2k}\\theta`; for odd,
    :math:`\\frac2\\pi(\\theta + \\sin\\theta\\cos\\theta \\sum_k g_k
    \\cos^{2k}\\theta)`, with the coefficients ``g`` of :func:`_t_coefficients`.
    """
    cos2 = nu / (nu + t * t)
    sin = t / math.sqrt(nu + t * t)
    # cos^{2k} as exp(k log1p(-sin^2)): accurate for the high powers of large nu
    powers = np.exp(np.arange(g.size) * math.log1p(-sin * sin))  # (terms,)
    series = float(np.sum(g * powers))
    if nu % 2 == 0:
        return sin * series
    theta = math.atan2(t, math.sqrt(nu))
    return 2.0 / math.pi * (theta + sin * math.sqrt(cos2) * series)


def _t_coefficients(nu: int) -> np.ndarray:
    """The nu // 2 coefficients g_k: products of (2j-1)/(2j), or 2j/(2j+1) (odd nu)."""
    terms = nu // 2
    j = np.arange(1, terms)  # (terms - 1,)
    ratio = (2 * j - 1) / (2 * j) if nu % 2 == 0 else 2 * j / (2 * j + 1)
    return np.concatenate([[1.0], np.cumprod(ratio)])[:terms]  # (terms,)


def _t_critical(confidence: float, nu: int) -> float:
    """:math:`t_{(1+\\gamma)/2,\\nu}`: the t with :math:`P(|T| \\le t) = \\gamma`."""
    g = _t_coefficients(nu)
    lo, hi = 0.0, 1.0
    while _t_central(hi, nu, g) < confidence:
        lo, hi = hi, 2.0 * hi
    while True:  # bisect to adjacent floats
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            return hi
        if _t_central(mid, nu, g) < confidence:
            lo = mid
        else:
            hi = mid


def _check_confidence(confidence: object) -> float:
    gamma = check_real(confidence, "confidence")
    if not 0.0 < gamma < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {gamma}")
    return gamma


def _interval(x: np.ndarray, confidence: float) -> MOS:
    n = x.size
    x_bar = float(x.mean())
    s = float(x.std(ddof=1))
    t_crit = _t_critical(confidence, n - 1) if s > 0 else 0.0
    # eq. (mos-ci): x_bar +- t_{(1+gamma)/2, n-1} s / sqrt(n)
    half = t_crit * s / math.sqrt(n)
    return MOS(mean=x_bar, ci_low=x_bar - half, ci_high=x_bar + half, n=n)


def _ratings(ratings: object, name: str, ndim: int) -> np.ndarray:
    x = np.asarray(ratings)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} must not be empty")
    return x.astype(float)


def mos(ratings: ArrayLike, *, confidence: float = 0.95) -> MOS:
    r"""Mean opinion score of a set of ratings, with a t confidence interval.

    .. math::

        \bar x \pm t_{(1+\gamma)/2,\, n-1}\, \frac{s}{\sqrt n}

    Parameters
    ----------
    ratings : array_like, shape (n,)
        The ratings :math:`x_i` (e.g. 1 to 5), at least 2, all finite.
    confidence : float, keyword-only
        :math:`\gamma`, in (0, 1).

    Returns
    -------
    MOS
        Mean, interval ends and :math:`n`; the interval equals
        ``scipy.stats.t.interval(confidence, n - 1, mean, s / sqrt(n))``
        (and is the single point ``mean`` when all ratings are equal).

    Raises
    ------
    TypeError
        If ``ratings`` is not numeric or ``confidence`` not a number.
    ValueError
        If ``ratings`` is not 1-D, has fewer than 2 values or holds NaN or
        infinite values, or ``confidence`` is not in (0, 1).

    References
    ----------
    ITU-T P.800 (1996); Rosenberg & Ramabhadran (2017), Interspeech.

    Examples
    --------
    Five listeners: :math:`\bar x = 4`, :math:`s = \sqrt{0.5}`,
    :math:`t_{0.975, 4} = 2.7764`, so the half-width is
    :math:`2.7764 \sqrt{0.5 / 5} = 0.878`:

    >>> m = mos([4, 5, 3, 4, 4])
    >>> round(m.ci_low, 3), m.mean, round(m.ci_high, 3)
    (3.122, 4.0, 4.878)
    """
    gamma = _check_confidence(confidence)
    x = _ratings(ratings, "ratings", 1)
    if x.size < 2:
        raise ValueError(
            f"ratings needs at least 2 values for an interval, got {x.size}"
        )
    if not np.isfinite(x).all():
        raise ValueError("ratings contains NaN or infinite values")
    return _interval(x, gamma)


def mos_per_item(ratings: ArrayLike, *, confidence: float = 0.95) -> list[MOS]:
    r"""One MOS per item (row) of an items x raters matrix; NaN marks missing.

    Each row's observed ratings go through :func:`mos`.

    Parameters
    ----------
    ratings : array_like, shape (N, M)
        ``ratings[i, r]`` is rater ``r``'s score for item ``i``, NaN if
        rater ``r`` did not rate item ``i``. Every row needs 2 or more
        ratings.
    confidence : float, keyword-only
        :math:`\gamma`, in (0, 1).

    Returns
    -------
    list of MOS, length N
        The MOS of each item, in row order.

    Raises
    ------
    TypeError
        If ``ratings`` is not numeric or ``confidence`` not a number.
    ValueError
        If ``ratings`` is not 2-D, is empty, holds infinite values or a row
        with fewer than 2 ratings, or ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> nan = float("nan")
    >>> [m.mean for m in mos_per_item([[4, 5, nan], [2, 2, 2]])]
    [4.5, 2.0]
    """
    gamma = _check_confidence(confidence)
    x = _ratings(ratings, "ratings", 2)
    if np.isinf(x).any():
        raise ValueError("ratings contains infinite values")
    observed = ~np.isnan(x)  # (N, M)
    counts = observed.sum(1)  # (N,)
    if (counts < 2).any():
        i = int(np.flatnonzero(counts < 2)[0])
        raise ValueError(f"ratings row {i} has {counts[i]} ratings; each needs 2")
    return [_interval(row[keep], gamma) for row, keep in zip(x, observed, strict=True)]
