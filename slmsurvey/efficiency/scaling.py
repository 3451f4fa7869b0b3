r"""How cost grows with size: a power law fitted on log-log axes, with its CI.

If inference time (or memory, or FLOPs) grows like :math:`t = c\, n^\alpha`
in the model size :math:`n`, then :math:`\log t = \log c + \alpha \log n` is
a straight line, and ordinary least squares on the logs estimates the
exponent:

.. math::

    \hat\alpha = \frac{S_{xy}}{S_{xx}}, \qquad
    \log \hat c = \bar y - \hat\alpha \bar x, \qquad
    x_i = \log n_i,\; y_i = \log t_i,

with :math:`S_{xx} = \sum_i (x_i - \bar x)^2`, :math:`S_{xy} = \sum_i
(x_i - \bar x)(y_i - \bar y)`. If the log-residuals are independent normal,
:math:`(\hat\alpha - \alpha)/\mathrm{se}(\hat\alpha)` follows Student's *t*
with :math:`m - 2` degrees of freedom (:math:`m` points), whence the interval
below. The claim "inference time is linear in the number of parameters" is
then a testable statement: is 1 inside the interval?

The *t* quantile is computed here from the closed form of Student's
distribution function for integer degrees of freedom (Abramowitz & Stegun
26.7.3-4), inverted by bisection, so the package needs no scipy.

References
----------
Abramowitz & Stegun (1964), *Handbook of Mathematical Functions*, 26.7.
Kaplan et al. (2020), "Scaling laws for neural language models".
arXiv:2001.08361.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["PowerLaw", "fit_power_law", "student_t_quantile"]


def _student_t_central(theta: float, nu: int) -> float:
    r""":math:`P(|T| \le \sqrt{\nu}\tan\theta)` for Student's *t* with :math:`\nu` d.f.

    A&S 26.7.3 (odd :math:`\nu`) and 26.7.4 (even :math:`\nu`), with
    :math:`c = \cos^2\theta`: the sums' terms are running products of the
    ratios :math:`\frac{2j-1}{2j} c` (even) or :math:`\frac{2j}{2j+1} c` (odd).
    """
    c = math.cos(theta) ** 2
    if nu % 2 == 0:
        j = np.arange(1, (nu - 2) // 2 + 1)
        terms = np.cumprod((2 * j - 1) / (2 * j) * c)
        return math.sin(theta) * (1.0 + float(terms.sum()))
    j = np.arange(1, (nu - 3) // 2 + 1)
    terms = np.cumprod((2 * j) / (2 * j + 1) * c)
    tail = 0.0 if nu == 1 else math.sin(theta) * math.cos(theta) * (1.0 + terms.sum())
    return 2.0 / math.pi * (theta + float(tail))


def student_t_quantile(p: float, nu: int) -> float:
    r"""Quantile :math:`t_{\nu}(p)` of Student's *t* with integer :math:`\nu` d.f.

    .. math::

        P(T \le t_\nu(p)) = p, \qquad
        P(|T| \le t) = A(t \mid \nu), \qquad
        t_\nu(p) = A^{-1}(2p - 1 \mid \nu) \text{ for } p \ge 1/2,

    with :math:`A` in closed form (Abramowitz & Stegun 26.7.3-4) in
    :math:`\theta = \arctan(t/\sqrt\nu)`, inverted by bisection on
    :math:`\theta \in (0, \pi/2)` to machine precision; :math:`t_\nu(p) =
    -t_\nu(1 - p)` for :math:`p < 1/2`.

    Parameters
    ----------
    p : float
        Probability in (0, 1).
    nu : int
        Degrees of freedom, at least 1.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``p`` is not a real number or ``nu`` not an int.
    ValueError
        If ``p`` is outside (0, 1) or ``nu < 1``.

    References
    ----------
    Abramowitz & Stegun (1964), *Handbook of Mathematical Functions*, 26.7.

    Examples
    --------
    >>> round(student_t_quantile(0.975, 1), 4)  # Cauchy: tan(0.475 pi)
    12.7062
    >>> round(student_t_quantile(0.975, 10), 4)
    2.2281
    >>> student_t_quantile(0.5, 3)
    0.0
    """
    if not isinstance(p, int | float) or isinstance(p, bool):
        raise TypeError(f"p must be a real number, got {type(p).__name__}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p}")
    if not isinstance(nu, int) or isinstance(nu, bool):
        raise TypeError(f"nu must be an int, got {type(nu).__name__}")
    if nu < 1:
        raise ValueError(f"nu must be at least 1, got {nu}")
    return _t_quantile(float(p), nu)


@functools.lru_cache(maxsize=256)
def _t_quantile(p: float, nu: int) -> float:
    """:func:`student_t_quantile` without the checks, cached (fits reuse it)."""
    if p < 0.5:
        return -_t_quantile(1.0 - p, nu)
    if p == 0.5:
        return 0.0
    target = 2.0 * p - 1.0  # P(|T| <= t)
    lo, hi = 0.0, math.pi / 2
    for _ in range(200):  # A increases with theta; stop when the midpoint repeats
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _student_t_central(mid, nu) < target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(nu) * math.tan(lo)


@dataclass(frozen=True)
class PowerLaw:
    r"""A fitted power law :math:`t = c\, n^{\alpha}`.

    Attributes
    ----------
    alpha : float
        Exponent :math:`\hat\alpha`, the slope on log-log axes.
    constant : float
        :math:`\hat c = e^{\bar y - \hat\alpha \bar x}`.
    alpha_ci : tuple of float
        ``(low, high)`` confidence interval of :math:`\alpha`.
    alpha_se : float
        Standard error of :math:`\hat\alpha`.
    r_squared : float
        :math:`R^2` of the log-log fit.

    Examples
    --------
    >>> law = PowerLaw(alpha=2.0, constant=3.0, alpha_ci=(1.9, 2.1),
    ...                alpha_se=0.04, r_squared=0.99)
    >>> law.predict([1.0, 10.0]).tolist()
    [3.0, 300.0]
    """

    alpha: float
    constant: float
    alpha_ci: tuple[float, float]
    alpha_se: float
    r_squared: float

    def predict(self, sizes: Sequence[float] | np.ndarray) -> np.ndarray:
        """:math:`c\\, n^{\\alpha}` at each size."""
        return self.constant * np.asarray(sizes, dtype=float) ** self.alpha


def _positive_vector(values: object, name: str) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a sequence of real numbers") from err
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
    if not np.isfinite(x).all() or (x <= 0).any():
        raise ValueError(f"{name} must be finite and positive (logs are taken)")
    return x


def fit_power_law(
    sizes: Sequence[float] | np.ndarray,
    times: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
) -> PowerLaw:
    r"""Fit :math:`t = c\, n^\alpha` by least squares on log-log axes.

    .. math::

        \hat\alpha = \frac{S_{xy}}{S_{xx}}, \quad
        s^2 = \frac{1}{m - 2} \sum_i \big(y_i - \log\hat c
        - \hat\alpha x_i\big)^2, \quad
        \hat\alpha \pm t_{m-2}\!\big(\tfrac{1 + \gamma}{2}\big)
        \sqrt{s^2 / S_{xx}},

    with :math:`x_i = \log n_i`, :math:`y_i = \log t_i`, :math:`m` points and
    confidence level :math:`\gamma`. The interval assumes independent,
    normal, equal-variance errors on the **log** scale (multiplicative
    noise), which suits timings better than additive noise does.

    Parameters
    ----------
    sizes : array-like, shape (m,)
        :math:`n_i > 0` (e.g. parameter counts), not all equal.
    times : array-like, shape (m,)
        :math:`t_i > 0` (e.g. median latencies in seconds).
    confidence : float, keyword-only
        :math:`\gamma \in (0, 1)`.

    Returns
    -------
    PowerLaw

    Raises
    ------
    TypeError
        If ``sizes`` or ``times`` does not hold numbers, or ``confidence``
        is not a real number.
    ValueError
        If they are not 1-D, differ in length, hold fewer than 3 points (no
        degree of freedom is left for the error), hold a value that is not
        finite and positive, or all sizes are equal; or if ``confidence`` is
        outside (0, 1).

    References
    ----------
    Kaplan et al. (2020), "Scaling laws for neural language models", sec. 3.
    arXiv:2001.08361.

    Examples
    --------
    >>> law = fit_power_law([1, 2, 4, 8], [3.0, 12.0, 48.0, 192.0])
    >>> round(law.alpha, 6), round(law.constant, 6), law.alpha_ci
    (2.0, 3.0, (2.0, 2.0))
    >>> law = fit_power_law([1, 2, 4, 8], [1.0, 2.2, 3.9, 8.1])
    >>> low, high = law.alpha_ci
    >>> bool(low < 1.0 < high)  # consistent with linear growth
    True
    """
    n, t = _positive_vector(sizes, "sizes"), _positive_vector(times, "times")
    if n.shape != t.shape:
        raise ValueError(
            f"sizes and times must have the same length, got {n.size} and {t.size}"
        )
    m = n.size
    if m < 3:
        raise ValueError(f"sizes and times need at least 3 points, got {m}")
    if not isinstance(confidence, int | float) or isinstance(confidence, bool):
        raise TypeError(
            f"confidence must be a real number, got {type(confidence).__name__}"
        )
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    x, y = np.log(n), np.log(t)
    dx, dy = x - x.mean(), y - y.mean()
    S_xx, S_xy, S_yy = float(dx @ dx), float(dx @ dy), float(dy @ dy)
    if S_xx == 0.0:
        raise ValueError("sizes must not all be equal (the slope is undefined)")
    alpha = S_xy / S_xx
    log_c = float(y.mean()) - alpha * float(x.mean())
    residuals = y - log_c - alpha * x
    rss = float(residuals @ residuals)
    s2 = rss / (m - 2)
    alpha_se = math.sqrt(s2 / S_xx)
    half = student_t_quantile(0.5 + confidence / 2, m - 2) * alpha_se
    return PowerLaw(
        alpha=alpha,
        constant=math.exp(log_c),
        alpha_ci=(alpha - half, alpha + half),
        alpha_se=alpha_se,
        r_squared=1.0 - rss / S_yy if S_yy > 0 else 1.0,
    )
