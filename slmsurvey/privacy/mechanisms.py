r"""Differential privacy: the Laplace and Gaussian mechanisms.

A randomised mechanism :math:`M` is :math:`(\varepsilon, \delta)`-
differentially private if for all datasets :math:`D, D'` that differ in one
record and every set of outputs :math:`S`,

.. math::

    P(M(D) \in S) \le e^{\varepsilon}\, P(M(D') \in S) + \delta .

The survey (sec. 4.2.2) states the :math:`\delta = 0` case ("pure" DP). Both
mechanisms here release a numeric query :math:`f(D)` plus noise scaled to its
*sensitivity* :math:`\Delta f = \max_{D \sim D'} \lVert f(D) - f(D')\rVert`,
the most one record can move it: the L1 norm for Laplace, the L2 norm for
Gaussian. A count has :math:`\Delta f = 1`.

Notation (code name in brackets): :math:`\Delta f` (``sensitivity``),
:math:`\varepsilon` (``epsilon``), :math:`\delta` (``delta``), :math:`b` the
Laplace scale, :math:`\sigma` the Gaussian standard deviation, :math:`\Phi`
the standard normal CDF.

References
----------
Dwork, McSherry, Nissim & Smith (2006), "Calibrating noise to sensitivity in
private data analysis", TCC. doi:10.1007/11681878_14.
Dwork & Roth (2014), "The algorithmic foundations of differential privacy",
Foundations and Trends in TCS, Thm. 3.6 and Thm. A.1.
doi:10.1561/0400000042.
Balle & Wang (2018), "Improving the Gaussian mechanism for differential
privacy: analytical calibration and optimal denoising", ICML.
arXiv:1805.06530.
"""

from __future__ import annotations

import math

import numpy as np

from slmsurvey._checks import check_real
from slmsurvey.privacy.rdp import _log_erfc

__all__ = ["gaussian_mechanism", "gaussian_sigma", "laplace_mechanism"]

_METHODS = ("classical", "analytic")


def _check_value(value: object) -> np.ndarray:
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating | np.ndarray | list | tuple
    ):
        raise TypeError(
            f"value must be a real number or an array of them, got "
            f"{type(value).__name__}"
        )
    x = np.asarray(value, dtype=float)
    if x.size == 0 or not np.isfinite(x).all():
        raise ValueError("value must be non-empty and finite")
    return x


def _check_epsilon_sensitivity(sensitivity: object, epsilon: object) -> tuple:
    Delta = check_real(sensitivity, "sensitivity", low=0.0, open_low=True)
    eps = check_real(epsilon, "epsilon", low=0.0, open_low=True)
    return Delta, eps


def _release(x: np.ndarray, noise: np.ndarray) -> float | np.ndarray:
    out = x + noise
    return float(out) if out.ndim == 0 else out


def laplace_mechanism(
    value: float | np.ndarray,
    *,
    sensitivity: float,
    epsilon: float,
    generator: np.random.Generator | int | None = None,
) -> float | np.ndarray:
    r"""Release ``value`` with Laplace noise: :math:`\varepsilon`-DP.

    .. math::

        M(D) = f(D) + (Z_1, \dots, Z_d), \qquad
        Z_k \overset{\text{iid}}{\sim} \mathrm{Lap}(b), \quad
        b = \frac{\Delta_1 f}{\varepsilon},

    with density :math:`\frac{1}{2b} e^{-|z|/b}`. For neighbours the output
    densities differ by at most a factor
    :math:`e^{\lVert f(D) - f(D')\rVert_1 / b} \le e^{\varepsilon}`.

    Parameters
    ----------
    value : float or array_like, shape (d,) or any
        :math:`f(D)`, finite.
    sensitivity : float, keyword-only
        :math:`\Delta_1 f > 0`, the L1 sensitivity of :math:`f`.
    epsilon : float, keyword-only
        :math:`\varepsilon > 0`.
    generator : numpy.random.Generator or int, optional, keyword-only
        The random source (an int is a seed); ``None`` draws a fresh seed.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``value``, else an array of its shape.

    Raises
    ------
    TypeError
        If ``value`` is not numeric, or ``sensitivity``/``epsilon`` not real.
    ValueError
        If ``value`` is empty or not finite, or ``sensitivity <= 0`` or
        ``epsilon <= 0``.

    References
    ----------
    Dwork et al. (2006), doi:10.1007/11681878_14. Dwork & Roth (2014),
    Thm. 3.6.

    Examples
    --------
    >>> noisy = laplace_mechanism(100.0, sensitivity=1.0, epsilon=0.5, generator=0)
    >>> type(noisy).__name__, abs(noisy - 100.0) < 50
    ('float', True)
    >>> laplace_mechanism([1.0, 2.0], sensitivity=1.0, epsilon=1.0, generator=0).shape
    (2,)
    """
    x = _check_value(value)
    Delta, eps = _check_epsilon_sensitivity(sensitivity, epsilon)
    b = Delta / eps  # Laplace scale: std is sqrt(2) b
    rng = np.random.default_rng(generator)
    return _release(x, rng.laplace(0.0, b, size=x.shape))


def _gaussian_delta(sigma: float, Delta: float, eps: float) -> float:
    """Exact delta of the Gaussian mechanism at epsilon (Balle & Wang, Thm. 8)."""
    a, c = Delta / (2 * sigma), eps * sigma / Delta
    # Phi(a - c) - e^eps Phi(-a - c), with Phi(x) = erfc(-x / sqrt 2) / 2
    first = 0.5 * math.erfc((c - a) / math.sqrt(2))
    second = math.exp(eps + math.log(0.5) + _log_erfc((a + c) / math.sqrt(2)))
    return first - second


def gaussian_sigma(
    *, sensitivity: float, epsilon: float, delta: float, method: str = "classical"
) -> float:
    r"""Gaussian noise scale :math:`\sigma` for :math:`(\varepsilon, \delta)`-DP.

    ``"classical"`` (Dwork & Roth 2014, Thm. A.1), valid only for
    :math:`\varepsilon < 1`:

    .. math:: \sigma = \frac{\sqrt{2 \ln(1.25/\delta)}\; \Delta_2 f}{\varepsilon}.

    ``"analytic"`` (Balle & Wang 2018, Thm. 8), valid for every
    :math:`\varepsilon > 0`: the smallest :math:`\sigma` with

    .. math::

        \Phi\!\left(\frac{\Delta_2 f}{2\sigma}
            - \frac{\varepsilon\sigma}{\Delta_2 f}\right)
        - e^{\varepsilon}\, \Phi\!\left(-\frac{\Delta_2 f}{2\sigma}
            - \frac{\varepsilon\sigma}{\Delta_2 f}\right) \le \delta,

    an exact condition (necessary and sufficient), found by bisection to
    about 1e-12 relative; it is never larger than the classical value.

    Parameters
    ----------
    sensitivity : float, keyword-only
        :math:`\Delta_2 f > 0`, the L2 sensitivity.
    epsilon : float, keyword-only
        :math:`\varepsilon > 0` (and < 1 for ``"classical"``).
    delta : float, keyword-only
        :math:`\delta \in (0, 1)`.
    method : {"classical", "analytic"}, keyword-only
        The calibration.

    Returns
    -------
    float
        :math:`\sigma`.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``sensitivity <= 0``, ``epsilon <= 0`` (or ``>= 1`` with
        ``"classical"``), ``delta`` is outside (0, 1), or ``method`` is unknown.

    References
    ----------
    Dwork & Roth (2014), Thm. A.1. Balle & Wang (2018), Thm. 8.
    arXiv:1805.06530.

    Examples
    --------
    >>> round(gaussian_sigma(sensitivity=1.0, epsilon=0.5, delta=1e-5), 4)
    9.6896
    >>> round(gaussian_sigma(sensitivity=1.0, epsilon=0.5, delta=1e-5,
    ...                      method="analytic"), 4)
    7.0318
    """
    Delta, eps = _check_epsilon_sensitivity(sensitivity, epsilon)
    d = check_real(delta, "delta")
    if not 0 < d < 1:
        raise ValueError(f"delta must lie in (0, 1), got {d}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "classical":
        if eps >= 1:
            raise ValueError(
                f"epsilon must be < 1 for the classical calibration, got {eps}; "
                "use method='analytic'"
            )
        # Dwork & Roth, Thm. A.1
        return math.sqrt(2 * math.log(1.25 / d)) * Delta / eps
    # Balle & Wang, Thm. 8: delta(sigma) decreases in sigma; bracket, then bisect
    low, high = Delta, Delta
    while _gaussian_delta(low, Delta, eps) <= d:
        low /= 2
    while _gaussian_delta(high, Delta, eps) > d:
        high *= 2
    while high - low > 1e-12 * high:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if _gaussian_delta(mid, Delta, eps) <= d else (mid, high)
    return high


def gaussian_mechanism(
    value: float | np.ndarray,
    *,
    sensitivity: float,
    epsilon: float,
    delta: float,
    method: str = "classical",
    generator: np.random.Generator | int | None = None,
) -> float | np.ndarray:
    r"""Release ``value`` with Gaussian noise: :math:`(\varepsilon, \delta)`-DP.

    .. math::

        M(D) = f(D) + \mathcal{N}(0, \sigma^2 I), \qquad
        \sigma = \mathtt{gaussian\_sigma}(\Delta_2 f, \varepsilon, \delta),

    with :math:`\sigma` from :func:`gaussian_sigma` (the classical
    calibration needs :math:`\varepsilon < 1`; the analytic one does not).

    Parameters
    ----------
    value : float or array_like
        :math:`f(D)`, finite.
    sensitivity, epsilon, delta, method
        As :func:`gaussian_sigma` (keyword-only).
    generator : numpy.random.Generator or int, optional, keyword-only
        The random source (an int is a seed); ``None`` draws a fresh seed.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``value``, else an array of its shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`laplace_mechanism` and :func:`gaussian_sigma`.

    References
    ----------
    Dwork & Roth (2014), Thm. A.1. Balle & Wang (2018), arXiv:1805.06530.

    Examples
    --------
    >>> x = gaussian_mechanism([0.0] * 1000, sensitivity=1.0, epsilon=0.5,
    ...                        delta=1e-5, generator=0)
    >>> bool(9.0 < x.std() < 10.5)  # sigma = 9.69
    True
    """
    x = _check_value(value)
    sigma = gaussian_sigma(
        sensitivity=sensitivity, epsilon=epsilon, delta=delta, method=method
    )
    rng = np.random.default_rng(generator)
    return _release(x, rng.normal(0.0, sigma, size=x.shape))
