r"""Per-group error rates with bootstrap confidence intervals.

A recogniser can be accurate on average and still fail one accent or
speaker group. To compare groups, compute the corpus metric (e.g. WER) on
each group's utterances, and say how sure the number is: resample the
group's utterances with replacement :math:`K` times, recompute the metric on
each resample, and take the central :math:`c` fraction of those values as
the *percentile bootstrap* interval,

.. math::

    \hat\theta_g = m(\mathcal{U}_g), \qquad
    \hat\theta_g^{*(k)} = m(\mathcal{U}_g^{*(k)}),\; k = 1, \dots, K,

.. math::

    \mathrm{CI}_c(\theta_g) = \Big[\, Q_{(1-c)/2}\big(\hat\theta_g^{*}\big),\;
    Q_{(1+c)/2}\big(\hat\theta_g^{*}\big) \Big],

where :math:`\mathcal{U}_g^{*(k)}` draws :math:`n_g = |\mathcal{U}_g|`
utterances uniformly with replacement from group :math:`g`'s utterances
:math:`\mathcal{U}_g`, and :math:`Q_p` is the :math:`p`-quantile. Utterances,
not words, are resampled: errors within an utterance are correlated, and a
corpus metric such as WER sums counts over utterances (Bisani & Ney 2004).
The interval narrows roughly as :math:`1/\sqrt{n_g}`.

Notation (code name in brackets): :math:`m` (``metric``), :math:`g` a group
label, :math:`\hat\theta_g` (``estimate``), :math:`K` (``n_boot``),
:math:`c` (``confidence``), :math:`n_g` (``n``).

References
----------
Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13
(percentile intervals). doi:10.1201/9780429246593.
Bisani & Ney (2004), "Bootstrap estimates for confidence intervals in ASR
performance evaluation", ICASSP. doi:10.1109/ICASSP.2004.1326009.
Koenecke et al. (2020), "Racial disparities in automated speech
recognition", PNAS. doi:10.1073/pnas.1915768117.
"""

# Shapes: U utterances in a group, K bootstrap resamples.

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from slmsurvey._checks import check_int, check_real

__all__ = ["GroupEstimate", "group_error_rates"]


@dataclass(frozen=True)
class GroupEstimate:
    r"""One group's metric and its bootstrap confidence interval.

    Attributes
    ----------
    estimate : float
        :math:`\hat\theta_g`, the metric on all the group's items.
    low, high : float
        The percentile bootstrap interval's ends.
    n : int
        :math:`n_g`, the group's number of items.

    Examples
    --------
    >>> GroupEstimate(estimate=0.2, low=0.1, high=0.3, n=50).high
    0.3
    """

    estimate: float
    low: float
    high: float
    n: int


def _as_items(values: object, name: str) -> list:
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be a sequence (list, tuple or 1-D array), "
            f"got {type(values).__name__}"
        )
    if len(values) == 0:
        raise ValueError(f"{name} is empty")
    return list(values)


def _key(a: object) -> Hashable:
    return a.item() if isinstance(a, np.generic) else a


def group_error_rates(
    metric: Callable[[list, list], float],
    refs: Sequence,
    hyps: Sequence,
    groups: Sequence,
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int | np.random.Generator = 0,
) -> dict[Hashable, GroupEstimate]:
    r"""A corpus metric per group, with percentile bootstrap intervals.

    .. math::

        \hat\theta_g = m(\mathcal{U}_g), \qquad
        \mathrm{CI}_c = \big[Q_{(1-c)/2}(\hat\theta_g^{*}),\;
        Q_{(1+c)/2}(\hat\theta_g^{*})\big],

    with :math:`K` resamples of each group's utterances (see the module
    docstring). Groups are visited in sorted order, each resampled on its
    own, from one generator seeded by ``seed``.

    Parameters
    ----------
    metric : callable
        ``metric(refs, hyps) -> float`` on lists of items (truth first), e.g.
        :func:`slmsurvey.metrics.wer`.
    refs, hyps : sequence, shape (N,)
        References and hypotheses, one per item.
    groups : sequence, shape (N,)
        The group label of each item (sortable).
    n_boot : int, keyword-only
        :math:`K \ge 1` resamples per group.
    confidence : float, keyword-only
        :math:`c \in (0, 1)`.
    seed : int or numpy.random.Generator, keyword-only
        The resampling seed; the same seed gives the same intervals.

    Returns
    -------
    dict
        Group label to :class:`GroupEstimate`, in sorted group order.

    Raises
    ------
    TypeError
        If ``metric`` is not callable, ``refs``/``hyps``/``groups`` not
        sequences, ``n_boot`` not an int or ``confidence`` not a number.
    ValueError
        If an input is empty, the lengths differ, ``n_boot < 1`` or
        ``confidence`` is outside (0, 1). Errors that ``metric`` raises on
        a group or a resample (e.g. WER of references with no words)
        propagate.

    References
    ----------
    Efron & Tibshirani (1993), ch. 13. Bisani & Ney (2004),
    doi:10.1109/ICASSP.2004.1326009.

    Examples
    --------
    >>> from slmsurvey.metrics import wer
    >>> refs = ["a b c d"] * 6
    >>> hyps = ["a b c d", "a x c d", "a b c d", "a b", "a b c d", "a b c d"]
    >>> groups = ["us", "us", "us", "uk", "uk", "uk"]
    >>> rates = group_error_rates(wer, refs, hyps, groups, n_boot=200)
    >>> list(rates), rates["us"].estimate, rates["uk"].n
    (['uk', 'us'], 0.08333333333333333, 3)
    >>> rates["us"].low <= rates["us"].estimate <= rates["us"].high
    True
    """
    if not callable(metric):
        raise TypeError(f"metric must be callable, got {type(metric).__name__}")
    R, H = _as_items(refs, "refs"), _as_items(hyps, "hyps")
    A = np.asarray(_as_items(groups, "groups"))
    if not len(R) == len(H) == A.size:
        raise ValueError(
            "refs, hyps and groups must have the same length, got "
            f"{len(R)}, {len(H)} and {A.size}"
        )
    K = check_int(n_boot, "n_boot", 1)
    c = check_real(confidence, "confidence")
    if not 0 < c < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {c}")
    rng = np.random.default_rng(seed)
    out = {}
    for g in np.unique(A):
        members = np.flatnonzero(A == g)  # (U,)
        R_g, H_g = [R[i] for i in members], [H[i] for i in members]
        estimate = float(metric(R_g, H_g))
        U = members.size
        draws = rng.integers(0, U, size=(K, U))  # (K, U) indices into the group
        boot = np.array(
            [float(metric([R_g[i] for i in d], [H_g[i] for i in d])) for d in draws]
        )  # (K,)
        low, high = np.quantile(boot, [(1 - c) / 2, (1 + c) / 2])
        out[_key(g)] = GroupEstimate(estimate, float(low), float(high), int(U))
    return out
