r"""Rényi-DP of the sampled Gaussian mechanism, the noisy step of DP-SGD.

One step of DP-SGD releases a sum of clipped gradients over a Poisson sample
of the data (each record kept with probability :math:`q`) plus Gaussian noise
of standard deviation :math:`\sigma` times the clipping norm: the *sampled
Gaussian mechanism* (SGM). A mechanism :math:`M` is
:math:`(\alpha, \rho)`-Rényi differentially private (RDP) if
:math:`D_\alpha(M(D) \,\|\, M(D')) \le \rho` for all neighbours
:math:`D, D'`. For the SGM, :math:`\rho(\alpha) = \log A_\alpha / (\alpha -
1)` with (Mironov, Talwar & Zhang 2019, sec. 3.3)

.. math::

    A_\alpha = \mathbb{E}_{z \sim \mu_0}\!\left[
        \left(\frac{(1-q)\mu_0(z) + q\mu_1(z)}{\mu_0(z)}\right)^{\alpha}\right],
    \qquad \mu_0 = \mathcal{N}(0, \sigma^2),\; \mu_1 = \mathcal{N}(1, \sigma^2).

For integer :math:`\alpha` the binomial expansion is a finite sum,

.. math::

    A_\alpha = \sum_{i=0}^{\alpha} \binom{\alpha}{i} (1-q)^{\alpha-i} q^i
    \exp\!\left(\frac{i^2 - i}{2\sigma^2}\right);

for fractional :math:`\alpha` the expectation is split at
:math:`z_0 = \sigma^2 \log(1/q - 1) + \tfrac12` and each half expanded in an
infinite binomial series with Gaussian tail factors (``erfc``), summed in log
space until the terms fall below :math:`e^{-30}`. These are the formulas of
TF Privacy's and Opacus's RDP accountants, written from the papers without
either library (the tests check agreement with Opacus).

Notation (code name in brackets): :math:`q` (``sample_rate``), :math:`\sigma`
(``noise_multiplier``: the noise standard deviation over the L2 sensitivity,
i.e. the clipping norm), :math:`T` (``steps``), :math:`\alpha` (``orders``),
:math:`\rho` (``rdp``).

References
----------
Mironov (2017), "Rényi differential privacy", CSF. arXiv:1702.07476.
Mironov, Talwar & Zhang (2019), "Rényi differential privacy of the sampled
Gaussian mechanism". arXiv:1908.10530.
"""

# Shapes: K number of RDP orders.

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from slmsurvey._checks import check_int, check_real

__all__ = ["DEFAULT_ORDERS", "sgm_rdp"]

#: Opacus's default orders: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63.
DEFAULT_ORDERS: tuple[float, ...] = tuple(
    [1 + x / 10.0 for x in range(1, 100)] + [float(a) for a in range(12, 64)]
)


def _log_add(log_x: float, log_y: float) -> float:
    """log(exp(log_x) + exp(log_y)), stably."""
    a, b = min(log_x, log_y), max(log_x, log_y)
    if a == -math.inf:
        return b
    return math.log1p(math.exp(a - b)) + b


def _log_sub(log_x: float, log_y: float) -> float:
    """log(exp(log_x) - exp(log_y)) for log_x >= log_y, stably."""
    if log_x < log_y:
        raise ArithmeticError("log-space subtraction would be negative")
    if log_y == -math.inf:
        return log_x
    if log_x == log_y:
        return -math.inf
    try:
        return math.log(math.expm1(log_x - log_y)) + log_y
    except OverflowError:
        return log_x


def _log_erfc(x: float) -> float:
    """log(erfc(x)), accurate in the far right tail where erfc underflows."""
    if x < 25.0:
        return math.log(math.erfc(x))
    # asymptotic series: erfc(x) = exp(-x^2)/(x sqrt(pi)) (1 - 1/(2x^2) + ...)
    u = 1.0 / (2.0 * x * x)
    series = 1.0 - u + 3.0 * u**2 - 15.0 * u**3 + 105.0 * u**4
    return -x * x - math.log(x * math.sqrt(math.pi)) + math.log(series)


def _log_a_int(q: float, sigma: float, alpha: int) -> float:
    """log A_alpha for integer alpha: the finite binomial sum."""
    log_a = -math.inf
    for i in range(alpha + 1):
        log_binom = (
            math.lgamma(alpha + 1) - math.lgamma(i + 1) - math.lgamma(alpha - i + 1)
        )
        log_coef = log_binom + i * math.log(q) + (alpha - i) * math.log1p(-q)
        log_a = _log_add(log_a, log_coef + (i * i - i) / (2 * sigma**2))
    return log_a


def _log_a_frac(q: float, sigma: float, alpha: float) -> float:
    """log A_alpha for fractional alpha: two infinite series split at z0."""
    log_a0, log_a1 = -math.inf, -math.inf
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    coef = 1.0  # binom(alpha, i), by the recursion c_{i+1} = c_i (alpha - i)/(i + 1)
    i = 0
    while True:
        j = alpha - i
        log_coef = math.log(abs(coef))
        log_t0 = log_coef + i * math.log(q) + j * math.log1p(-q)
        log_t1 = log_coef + j * math.log(q) + i * math.log1p(-q)
        log_e0 = math.log(0.5) + _log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(0.5) + _log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * sigma**2) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * sigma**2) + log_e1
        if coef > 0:
            log_a0, log_a1 = _log_add(log_a0, log_s0), _log_add(log_a1, log_s1)
        else:
            log_a0, log_a1 = _log_sub(log_a0, log_s0), _log_sub(log_a1, log_s1)
        if max(log_s0, log_s1) < -30:
            break
        coef *= (alpha - i) / (i + 1)
        i += 1
    return _log_add(log_a0, log_a1)


def _check_orders(orders: object) -> np.ndarray:
    alphas = np.atleast_1d(np.asarray(orders, dtype=float))  # (K,)
    if alphas.ndim != 1 or alphas.size == 0:
        raise ValueError("orders must be a non-empty 1-D sequence of numbers")
    if not np.all(np.isfinite(alphas)) or not np.all(alphas > 1):
        raise ValueError(f"orders must be finite and > 1, got {alphas.tolist()}")
    return alphas


def sgm_rdp(
    noise_multiplier: float,
    sample_rate: float,
    steps: int,
    *,
    orders: Sequence[float] = DEFAULT_ORDERS,
) -> np.ndarray:
    r"""RDP of ``steps`` compositions of the sampled Gaussian mechanism.

    .. math::

        \rho_T(\alpha) = T \, \frac{\log A_\alpha(q, \sigma)}{\alpha - 1},

    with :math:`A_\alpha` as in the module docstring; for :math:`q = 1` (no
    subsampling) it is the Gaussian mechanism's :math:`T\alpha/(2\sigma^2)`.

    Parameters
    ----------
    noise_multiplier : float
        :math:`\sigma \ge 0`; 0 means no privacy (:math:`\rho = \infty`).
    sample_rate : float
        :math:`q \in (0, 1]`, the Poisson sampling probability of a record.
    steps : int
        :math:`T \ge 1`.
    orders : sequence of float, shape (K,), keyword-only
        The orders :math:`\alpha > 1`; integer-valued ones use the finite
        sum.

    Returns
    -------
    numpy.ndarray, shape (K,)
        :math:`\rho_T(\alpha)` for each order (``inf`` where unbounded).

    Raises
    ------
    TypeError, ValueError
        If an argument is out of range (see
        :func:`~slmsurvey.privacy.accountant.rdp_epsilon`) or an order is not
        finite and > 1.

    References
    ----------
    Mironov, Talwar & Zhang (2019), sec. 3.3. arXiv:1908.10530.

    Examples
    --------
    >>> sgm_rdp(1.0, 1.0, 1, orders=[2, 3])  # Gaussian: alpha / (2 sigma^2)
    array([1. , 1.5])
    >>> bool(sgm_rdp(1.0, 0.01, 1, orders=[2])[0] < 1e-3)  # sampling amplifies
    True
    """
    sigma = check_real(noise_multiplier, "noise_multiplier", low=0.0)
    q = _check_sample_rate(sample_rate)
    T = check_int(steps, "steps", 1)
    alphas = _check_orders(orders)  # (K,)
    if sigma == 0:
        return np.full(alphas.shape, math.inf)
    if q == 1.0:
        return T * alphas / (2 * sigma**2)  # (K,)
    rdp = [
        (
            _log_a_int(q, sigma, int(a))
            if float(a).is_integer()
            else _log_a_frac(q, sigma, float(a))
        )
        / (a - 1)
        for a in alphas
    ]
    return T * np.array(rdp)  # (K,)


def _check_sample_rate(sample_rate: object) -> float:
    q = check_real(sample_rate, "sample_rate", low=0.0, open_low=True)
    if q > 1:
        raise ValueError(f"sample_rate must lie in (0, 1], got {q}")
    return q
