r"""Privacy accounting for DP-SGD: compose RDP over steps, convert to (ε, δ).

Rényi DP composes by addition: :math:`T` steps of a mechanism that is
:math:`(\alpha, \rho(\alpha))`-RDP are :math:`(\alpha, T\rho(\alpha))`-RDP
(Mironov 2017, Prop. 1). At the end the RDP curve is converted to
:math:`(\varepsilon, \delta)`-DP with Balle et al. (2020), Theorem 21,
minimising over the orders :math:`\alpha`:

.. math::

    \varepsilon = \min_\alpha\; T\rho(\alpha)
    + \log\frac{\alpha - 1}{\alpha}
    - \frac{\log\delta + \log\alpha}{\alpha - 1}.

:math:`\rho(\alpha)` of the sampled Gaussian mechanism comes from
:func:`slmsurvey.privacy.rdp.sgm_rdp`. Notation as there; :math:`\delta`
(``delta``), :math:`\varepsilon` (``epsilon``).

References
----------
Mironov (2017), "Rényi differential privacy", CSF. arXiv:1702.07476.
Balle, Barthe, Gaboardi, Hsu & Sato (2020), "Hypothesis testing
interpretations and Rényi differential privacy", AISTATS. arXiv:1905.09982.
Abadi et al. (2016), "Deep learning with differential privacy", CCS.
arXiv:1607.00133.
"""

# Shapes: K number of RDP orders.

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from slmsurvey._checks import check_real
from slmsurvey.privacy.rdp import DEFAULT_ORDERS, _check_orders, sgm_rdp

__all__ = ["PrivacySpent", "rdp_epsilon", "rdp_to_epsilon"]


class PrivacySpent(NamedTuple):
    r"""An :math:`(\varepsilon, \delta)` guarantee and the order that gave it.

    Attributes
    ----------
    epsilon : float
        :math:`\varepsilon` (``math.inf`` without noise).
    order : float
        The minimising RDP order :math:`\alpha` (``math.nan`` when every
        order gives :math:`\varepsilon = \infty`).

    Examples
    --------
    >>> eps, order = PrivacySpent(epsilon=1.5, order=8.0)
    >>> eps
    1.5
    """

    epsilon: float
    order: float


def _check_delta(delta: object) -> float:
    d = check_real(delta, "delta")
    if not 0 < d < 1:
        raise ValueError(f"delta must lie in (0, 1), got {d}")
    return d


def _to_epsilon(rdp: object, delta: object, orders: object) -> PrivacySpent:
    """rdp_to_epsilon's body; warns at the caller of the public function."""
    d = _check_delta(delta)
    alphas = _check_orders(orders)  # (K,)
    rho = np.atleast_1d(np.asarray(rdp, dtype=float))  # (K,)
    if rho.shape != alphas.shape:
        raise ValueError(
            f"rdp and orders must have the same length, got {rho.size} and "
            f"{alphas.size}"
        )
    if np.isnan(rho).any() or (rho < 0).any():
        raise ValueError("rdp must hold non-negative numbers (inf allowed), not NaN")
    # Balle et al. (2020), Thm. 21
    eps = (
        rho
        + np.log((alphas - 1) / alphas)
        - (math.log(d) + np.log(alphas)) / (alphas - 1)
    )  # (K,)
    if np.isinf(eps).all():
        return PrivacySpent(math.inf, math.nan)
    k = int(np.argmin(eps))
    if alphas.size > 1 and k in (0, alphas.size - 1):
        side = "smallest" if k == 0 else "largest"
        warnings.warn(
            f"the best RDP order is the {side} of orders ({alphas[k]:g}); "
            "widen the range of orders for a tighter epsilon",
            UserWarning,
            stacklevel=3,
        )
    # (eps < 0, delta)-DP implies (0, delta)-DP, so report at least 0
    return PrivacySpent(max(float(eps[k]), 0.0), float(alphas[k]))


def rdp_to_epsilon(
    rdp: Sequence[float], delta: float, *, orders: Sequence[float] = DEFAULT_ORDERS
) -> PrivacySpent:
    r"""Convert RDP at several orders to :math:`(\varepsilon, \delta)`-DP.

    .. math::

        \varepsilon = \min_\alpha\; \rho(\alpha)
        + \log\frac{\alpha - 1}{\alpha}
        - \frac{\log\delta + \log\alpha}{\alpha - 1}

    (Balle et al. 2020, Thm. 21; tighter than Mironov's
    :math:`\rho(\alpha) + \log(1/\delta)/(\alpha - 1)`), floored at 0
    (a negative bound still implies :math:`(0, \delta)`-DP). Warns
    (``UserWarning``) when the best order is the smallest or largest of
    ``orders``: a wider range may give a smaller :math:`\varepsilon`.

    Parameters
    ----------
    rdp : sequence of float, shape (K,)
        :math:`\rho(\alpha)` at each order (may hold ``inf``).
    delta : float
        :math:`\delta \in (0, 1)`.
    orders : sequence of float, shape (K,), keyword-only
        The orders :math:`\alpha > 1`.

    Returns
    -------
    PrivacySpent
        ``(epsilon, order)``.

    Raises
    ------
    ValueError
        If ``delta`` is outside (0, 1), the orders are invalid, or ``rdp``
        and ``orders`` differ in length or ``rdp`` holds NaN or negatives.

    References
    ----------
    Balle et al. (2020), Theorem 21. arXiv:1905.09982.

    Examples
    --------
    >>> eps, order = rdp_to_epsilon([1.0, 1.5, 10.0], 1e-5, orders=[2, 3, 4])
    >>> round(eps, 4), order
    (6.3017, 3.0)
    """
    return _to_epsilon(rdp, delta, orders)


def rdp_epsilon(
    noise_multiplier: float,
    sample_rate: float,
    steps: int,
    delta: float,
    *,
    orders: Sequence[float] = DEFAULT_ORDERS,
) -> PrivacySpent:
    r""":math:`\varepsilon` of DP-SGD: ``steps`` sampled Gaussian steps at ``delta``.

    .. math::

        \varepsilon(\delta) = \min_\alpha\; T\,\frac{\log A_\alpha(q,\sigma)}
        {\alpha - 1} + \log\frac{\alpha - 1}{\alpha}
        - \frac{\log\delta + \log\alpha}{\alpha - 1}.

    :func:`~slmsurvey.privacy.rdp.sgm_rdp` followed by
    :func:`rdp_to_epsilon`; with the default orders it reproduces Opacus's
    ``RDPAccountant`` (to about 1e-11 relative in the tests).

    Parameters
    ----------
    noise_multiplier : float
        :math:`\sigma \ge 0`, noise standard deviation over the clipping norm.
    sample_rate : float
        :math:`q \in (0, 1]`, batch size over dataset size for Poisson
        sampling.
    steps : int
        :math:`T \ge 1`, the number of noisy steps taken.
    delta : float
        :math:`\delta \in (0, 1)`, usually well below 1 / (dataset size).
    orders : sequence of float, keyword-only
        The RDP orders :math:`\alpha > 1` to minimise over.

    Returns
    -------
    PrivacySpent
        ``(epsilon, order)``: :math:`\varepsilon` and the best order.

    Raises
    ------
    TypeError
        If an argument is not a number (``steps`` not an int).
    ValueError
        If ``noise_multiplier < 0``, ``sample_rate`` is outside (0, 1],
        ``steps < 1``, ``delta`` is outside (0, 1), or an order is not > 1.

    References
    ----------
    Mironov (2017), arXiv:1702.07476. Mironov, Talwar & Zhang (2019),
    arXiv:1908.10530. Balle et al. (2020), arXiv:1905.09982.

    Examples
    --------
    One epoch of a 60 000-example dataset in batches of 256, sigma = 1.1:

    >>> eps, order = rdp_epsilon(1.1, 256 / 60_000, 235, 1e-5)
    >>> round(eps, 3), order
    (0.741, 13.0)
    """
    _check_delta(delta)  # before the (slower) RDP computation
    rdp = sgm_rdp(noise_multiplier, sample_rate, steps, orders=orders)
    return _to_epsilon(rdp, delta, orders)
