r"""Group fairness of a binary classifier: demographic parity and equalized odds.

Let :math:`\hat y \in \{0, 1\}` be a prediction, :math:`y \in \{0, 1\}` the
truth and :math:`A` a sensitive attribute (gender, accent, first language)
taking values :math:`a \in \mathcal{A}`. *Demographic parity* asks that the
selection rate not depend on the group,

.. math::

    P(\hat y = 1 \mid A = a) = P(\hat y = 1 \mid A = b)
    \quad \forall a, b \in \mathcal{A};

*equalized odds* (Hardt, Price & Srebro 2016) asks the same *given the
truth*, for both values of :math:`y`:

.. math::

    P(\hat y = 1 \mid y = v, A = a) = P(\hat y = 1 \mid y = v, A = b)
    \quad \forall a, b, \; v \in \{0, 1\},

i.e. equal true positive rates (:math:`v = 1`) *and* equal false positive
rates (:math:`v = 0`). The survey (sec. 4.2.1) writes only the
:math:`v = 1` condition; on its own that is the weaker *equal opportunity*.

The functions measure the violation as the largest gap between any two
groups, as fairlearn's ``demographic_parity_difference`` and
``equalized_odds_difference`` (``method="between_groups"``) do:

.. math::

    \Delta_{\mathrm{DP}} = \max_a r_a - \min_a r_a, \qquad
    \Delta_{\mathrm{EO}} = \max\!\big(\max_a \mathrm{TPR}_a - \min_a
    \mathrm{TPR}_a,\; \max_a \mathrm{FPR}_a - \min_a \mathrm{FPR}_a\big),

with :math:`r_a = P(\hat y = 1 \mid A = a)` estimated by the fraction of
group :math:`a` predicted positive. 0 means the criterion holds exactly.

Notation (code name in brackets): :math:`\hat y` (``y_pred``), :math:`y`
(``y_true``), :math:`A` (``groups``), :math:`r_a` (``rates[a]``),
:math:`\mathrm{TPR}_a, \mathrm{FPR}_a` (``tpr[a]``, ``fpr[a]``).

References
----------
Dwork, Hardt, Pitassi, Reingold & Zemel (2012), "Fairness through
awareness", ITCS. arXiv:1104.3913.
Hardt, Price & Srebro (2016), "Equality of opportunity in supervised
learning", NeurIPS. arXiv:1610.02413.
Bird et al. (2020), "Fairlearn: a toolkit for assessing and improving
fairness in AI", Microsoft Tech. Report MSR-TR-2020-32.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DemographicParity",
    "EqualizedOdds",
    "demographic_parity_difference",
    "equalized_odds_difference",
]


def _as_1d(values: object, name: str) -> np.ndarray:
    if isinstance(values, str) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a 1-D sequence or array")
    x = np.asarray(values)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    return x


def _check_binary(values: object, name: str) -> np.ndarray:
    """A non-empty 1-D array of 0/1 (or bool) labels, as ints."""
    x = _as_1d(values, name)
    if x.dtype != bool and not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name} must hold 0/1 or bool labels, got dtype {x.dtype}")
    bad = ~np.isin(x, (0, 1))
    if bad.any():
        raise ValueError(
            f"{name} must be binary (0/1), got value {x[bad][0]!r} at index "
            f"{int(np.flatnonzero(bad)[0])}; threshold scores first"
        )
    return x.astype(int)


def _check_groups(groups: object, n: int, against: str) -> np.ndarray:
    A = _as_1d(groups, "groups")
    if A.size != n:
        raise ValueError(
            f"groups must have one entry per example: {against} has {n}, "
            f"groups has {A.size}"
        )
    if np.unique(A).size < 2:
        raise ValueError(
            f"groups must hold at least two distinct groups, got only {A[0]!r}"
        )
    return A


def _key(a: object) -> Hashable:
    return a.item() if isinstance(a, np.generic) else a  # numpy scalar -> Python


def _spread(rates: dict) -> float:
    return float(max(rates.values()) - min(rates.values()))


@dataclass(frozen=True)
class DemographicParity:
    r"""Demographic parity: per-group selection rates and their largest gap.

    Attributes
    ----------
    difference : float
        :math:`\max_a r_a - \min_a r_a`, in [0, 1].
    rates : dict
        :math:`r_a = P(\hat y = 1 \mid A = a)` for each group :math:`a`,
        in sorted group order.

    Examples
    --------
    >>> dp = demographic_parity_difference([1, 0, 1, 1], ["a", "a", "b", "b"])
    >>> dp.rates
    {'a': 0.5, 'b': 1.0}
    """

    difference: float
    rates: dict


@dataclass(frozen=True)
class EqualizedOdds:
    r"""Equalized odds: per-group TPR and FPR and the largest gap in either.

    Attributes
    ----------
    difference : float
        :math:`\max(\Delta_{\mathrm{TPR}}, \Delta_{\mathrm{FPR}})`.
    tpr_difference, fpr_difference : float
        :math:`\Delta_{\mathrm{TPR}} = \max_a \mathrm{TPR}_a - \min_a
        \mathrm{TPR}_a`, and the same for FPR.
    tpr, fpr : dict
        :math:`P(\hat y = 1 \mid y = 1, A = a)` and
        :math:`P(\hat y = 1 \mid y = 0, A = a)` per group.

    Examples
    --------
    >>> eo = equalized_odds_difference([1, 0, 1, 0], [1, 0, 1, 1], [0, 0, 1, 1])
    >>> eo.tpr, eo.fpr
    ({0: 1.0, 1: 1.0}, {0: 0.0, 1: 1.0})
    """

    difference: float
    tpr_difference: float
    fpr_difference: float
    tpr: dict
    fpr: dict


def demographic_parity_difference(y_pred: object, groups: object) -> DemographicParity:
    r"""Largest gap in selection rate :math:`P(\hat y = 1 \mid A = a)` between groups.

    .. math::

        \Delta_{\mathrm{DP}} = \max_{a} r_a - \min_{a} r_a, \qquad
        r_a = \frac{\#\{i : \hat y_i = 1,\, A_i = a\}}{\#\{i : A_i = a\}}.

    Parameters
    ----------
    y_pred : array_like of {0, 1} or bool, shape (N,)
        Predictions :math:`\hat y`.
    groups : array_like, shape (N,)
        The sensitive attribute :math:`A` of each example (any sortable
        labels); at least two distinct groups.

    Returns
    -------
    DemographicParity
        ``difference`` and per-group ``rates``.

    Raises
    ------
    TypeError
        If an argument is not a 1-D sequence, or ``y_pred`` is not numeric.
    ValueError
        If an argument is empty, ``y_pred`` is not binary, the lengths
        differ, or there is only one group.

    References
    ----------
    Dwork et al. (2012), arXiv:1104.3913. Fairlearn's
    ``demographic_parity_difference``.

    Examples
    --------
    >>> dp = demographic_parity_difference([1, 1, 0, 1, 0, 0],
    ...                                    ["f", "f", "f", "m", "m", "m"])
    >>> round(dp.difference, 4), dp.rates["m"]
    (0.3333, 0.3333333333333333)
    """
    y_hat = _check_binary(y_pred, "y_pred")
    A = _check_groups(groups, y_hat.size, "y_pred")
    # r_a: the fraction of group a predicted positive
    rates = {_key(a): float(y_hat[A == a].mean()) for a in np.unique(A)}
    return DemographicParity(difference=_spread(rates), rates=rates)


def equalized_odds_difference(
    y_true: object, y_pred: object, groups: object
) -> EqualizedOdds:
    r"""Largest gap in true or false positive rate between groups.

    .. math::

        \Delta_{\mathrm{EO}} = \max\!\Big(
        \max_a \mathrm{TPR}_a - \min_a \mathrm{TPR}_a,\;
        \max_a \mathrm{FPR}_a - \min_a \mathrm{FPR}_a\Big),

    .. math::

        \mathrm{TPR}_a = P(\hat y = 1 \mid y = 1, A = a), \qquad
        \mathrm{FPR}_a = P(\hat y = 1 \mid y = 0, A = a),

    as fairlearn's ``equalized_odds_difference``. Every group needs both
    positive and negative examples, or one of its rates is undefined.

    Parameters
    ----------
    y_true : array_like of {0, 1} or bool, shape (N,)
        The truth :math:`y`.
    y_pred : array_like of {0, 1} or bool, shape (N,)
        Predictions :math:`\hat y`.
    groups : array_like, shape (N,)
        The sensitive attribute :math:`A`; at least two distinct groups.

    Returns
    -------
    EqualizedOdds
        ``difference``, ``tpr_difference``, ``fpr_difference`` and per-group
        ``tpr`` and ``fpr``.

    Raises
    ------
    TypeError
        If an argument is not a 1-D sequence, or the labels not numeric.
    ValueError
        If an argument is empty, labels are not binary, lengths differ,
        there is only one group, or a group (named in the message) has no
        positive or no negative examples.

    References
    ----------
    Hardt, Price & Srebro (2016), eq. (1). arXiv:1610.02413.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 0, 0, 1, 0, 1, 0]
    >>> eo = equalized_odds_difference(y_true, y_pred, [0, 0, 0, 0, 1, 1, 1, 1])
    >>> eo.tpr, eo.fpr, eo.difference
    ({0: 1.0, 1: 0.5}, {0: 0.0, 1: 0.5}, 0.5)
    """
    y = _check_binary(y_true, "y_true")
    y_hat = _check_binary(y_pred, "y_pred")
    if y_hat.size != y.size:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {y.size} and "
            f"{y_hat.size}"
        )
    A = _check_groups(groups, y.size, "y_true")
    tpr, fpr = {}, {}
    for a in np.unique(A):
        y_a, y_hat_a = y[A == a], y_hat[A == a]
        for v, what in ((1, "positive"), (0, "negative")):
            if not (y_a == v).any():
                raise ValueError(
                    f"group {_key(a)!r} has no {what} examples (y_true == {v}), "
                    f"so its {'true' if v else 'false'} positive rate is undefined"
                )
        tpr[_key(a)] = float(y_hat_a[y_a == 1].mean())  # P(y_hat=1 | y=1, A=a)
        fpr[_key(a)] = float(y_hat_a[y_a == 0].mean())  # P(y_hat=1 | y=0, A=a)
    d_tpr, d_fpr = _spread(tpr), _spread(fpr)
    return EqualizedOdds(
        difference=max(d_tpr, d_fpr),
        tpr_difference=d_tpr,
        fpr_difference=d_fpr,
        tpr=tpr,
        fpr=fpr,
    )
