r"""Membership inference: was this example in the training set?

A model usually fits its training examples (members) better than unseen
ones (non-members), so its loss leaks membership. The loss-threshold attack
of Yeom et al. (2018) predicts "member" when the loss is below a threshold
:math:`\tau`:

.. math::

    \hat m(x, y) = [\, \ell(x, y) < \tau \,].

Its membership *advantage* at :math:`\tau` is
:math:`\mathrm{TPR}(\tau) - \mathrm{FPR}(\tau)`, the members flagged minus
the non-members flagged; sweeping :math:`\tau` traces the ROC curve, whose
area (AUC) is 0.5 for a model that leaks nothing and 1 for one that leaks
everything. An :math:`\varepsilon`-DP training algorithm bounds the
advantage by :math:`e^{\varepsilon} - 1` (Yeom et al., Thm. 1).

The AUC equals the Mann-Whitney statistic: the probability that a random
member has a lower loss than a random non-member, ties counting one half,

.. math::

    \mathrm{AUC} = \frac{1}{n_1 n_0} \sum_{i=1}^{n_1} \sum_{j=1}^{n_0}
    \Big([\ell_i < \ell'_j] + \tfrac12 [\ell_i = \ell'_j]\Big)
    = \frac{R_1 - n_1(n_1 + 1)/2}{n_1 n_0},

where :math:`R_1` is the sum of the members' ranks in the pooled sample,
ranked by score :math:`-\ell` with tied values sharing their mean rank.

Notation (code name in brackets): :math:`\ell_i` member losses
(``member_losses``, :math:`n_1` of them), :math:`\ell'_j` non-member losses
(``nonmember_losses``, :math:`n_0`), :math:`\tau` (``threshold``).

References
----------
Yeom, Giacomelli, Fredrikson & Jha (2018), "Privacy risk in machine
learning: analyzing the connection to overfitting", CSF. arXiv:1709.01604.
Shokri, Stronati, Song & Shmatikov (2017), "Membership inference attacks
against machine learning models", S&P. arXiv:1610.05820.
Mann & Whitney (1947), doi:10.1214/aoms/1177730491.
"""

# Shapes: N pooled number of losses (n_1 + n_0).

from __future__ import annotations

import numpy as np

from slmsurvey._checks import check_real

__all__ = ["loss_threshold_attack", "membership_advantage"]


def _check_losses(losses: object, name: str) -> np.ndarray:
    if isinstance(losses, str) or not hasattr(losses, "__len__"):
        raise TypeError(f"{name} must be a 1-D array of numbers")
    x = np.asarray(losses)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    x = x.astype(float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _midranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..N of ``values`` (ascending); tied values share their mean rank."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # start of each run of equal values, and the run's mean rank
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]  # exclusive
    mean_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def loss_threshold_attack(member_losses: object, nonmember_losses: object) -> float:
    r"""AUC of the loss-threshold membership inference attack.

    .. math::

        \mathrm{AUC} = P(\ell < \ell') + \tfrac12 P(\ell = \ell'),
        \qquad \ell \sim \text{members}, \; \ell' \sim \text{non-members},

    computed from ranks (Mann-Whitney U) in :math:`O(N \log N)`; equal to
    ``sklearn.metrics.roc_auc_score`` with members as positives scored by
    :math:`-\ell`.

    Parameters
    ----------
    member_losses : array_like, shape (n_1,)
        Per-example losses on training examples.
    nonmember_losses : array_like, shape (n_0,)
        Per-example losses on held-out examples.

    Returns
    -------
    float
        The AUC in [0, 1]: 0.5 means no leakage, 1 perfect separation.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers.
    ValueError
        If an argument is empty, not 1-D, or holds NaN or infinity.

    References
    ----------
    Yeom et al. (2018), arXiv:1709.01604. Mann & Whitney (1947).

    Examples
    --------
    >>> loss_threshold_attack([0.1, 0.2], [0.3, 0.4])  # perfectly separated
    1.0
    >>> loss_threshold_attack([0.1, 0.5], [0.3, 0.5])  # 2.5 of 4 pairs
    0.625
    """
    ell_1 = _check_losses(member_losses, "member_losses")
    ell_0 = _check_losses(nonmember_losses, "nonmember_losses")
    n_1, n_0 = ell_1.size, ell_0.size
    pooled_scores = -np.concatenate([ell_1, ell_0])  # (N,), higher = "member"
    R_1 = _midranks(pooled_scores)[:n_1].sum()
    # Mann-Whitney: U_1 = R_1 - n_1 (n_1 + 1) / 2, AUC = U_1 / (n_1 n_0)
    return float((R_1 - n_1 * (n_1 + 1) / 2) / (n_1 * n_0))


def membership_advantage(
    member_losses: object, nonmember_losses: object, *, threshold: float | None = None
) -> float:
    r"""Membership advantage :math:`\mathrm{TPR} - \mathrm{FPR}` at a loss threshold.

    .. math::

        \mathrm{Adv}(\tau) = \frac{1}{n_1}\sum_i [\ell_i < \tau]
        - \frac{1}{n_0}\sum_j [\ell'_j < \tau].

    Parameters
    ----------
    member_losses, nonmember_losses : array_like
        As :func:`loss_threshold_attack`.
    threshold : float, optional, keyword-only
        :math:`\tau`. Defaults to the mean member loss, the attacker's
        estimate of the training loss in Yeom et al. (their attack 1 with
        the expected training loss as threshold).

    Returns
    -------
    float
        The advantage in [-1, 1]; at most :math:`e^{\varepsilon} - 1` in
        expectation for :math:`\varepsilon`-DP training.

    Raises
    ------
    TypeError, ValueError
        As :func:`loss_threshold_attack`; also if ``threshold`` is not a
        finite real number.

    References
    ----------
    Yeom et al. (2018), Def. 4 and Thm. 1. arXiv:1709.01604.

    Examples
    --------
    >>> membership_advantage([0.1, 0.2, 0.9], [0.5, 0.6, 0.7], threshold=0.4)
    0.6666666666666666
    """
    ell_1 = _check_losses(member_losses, "member_losses")
    ell_0 = _check_losses(nonmember_losses, "nonmember_losses")
    tau = (
        float(ell_1.mean()) if threshold is None else check_real(threshold, "threshold")
    )
    TPR = float(np.mean(ell_1 < tau))
    FPR = float(np.mean(ell_0 < tau))
    return TPR - FPR
