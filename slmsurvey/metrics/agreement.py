r"""Inter-rater agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Ratings of fluency, coherence or relevance are evidence only if raters agree
more than chance would make them. Each coefficient compares observed with
chance disagreement,

.. math::

    \text{coefficient} = 1 - \frac{\text{observed disagreement}}
                                  {\text{disagreement expected by chance}},

so 1 is perfect agreement and 0 chance level. Cohen's kappa takes two raters
who label the same items, Fleiss' kappa a fixed number of raters per item,
Krippendorff's alpha any raters with missing ratings and a distance suited to
the scale (nominal, ordinal, interval, ratio).

References
----------
Cohen (1960), "A coefficient of agreement for nominal scales", Educational and
Psychological Measurement 20(1):37-46, doi:10.1177/001316446002000104.
Cohen (1968), "Weighted kappa", Psychological Bulletin 70(4):213-220,
doi:10.1037/h0026256. Fleiss (1971), "Measuring nominal scale agreement among
many raters", Psychological Bulletin 76(5):378-382, doi:10.1037/h0031619.
Krippendorff (2011), "Computing Krippendorff's alpha-reliability",
https://repository.upenn.edu/asc_papers/43.
"""

# Shapes: N items (units), M raters, K categories (distinct values).

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["category_counts", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

_WEIGHTS = (None, "linear", "quadratic")
_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _label_array(x: object, name: str, ndim: int) -> np.ndarray:
    """Labels as a non-empty ``ndim``-D array without missing values."""
    a = np.asarray(x)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    if a.dtype.kind == "f" and np.isnan(a).any():
        raise ValueError(
            f"{name} contains NaN; missing ratings are not allowed here "
            "(krippendorff_alpha accepts them)"
        )
    if a.dtype.kind == "O" and any(v is None or v != v for v in a.ravel()):
        raise ValueError(f"{name} contains None or NaN (a missing label)")
    return a


def _categories(given: ArrayLike | None, name: str, seen: np.ndarray) -> np.ndarray:
    """The K categories: ``given`` (argument ``name``), else the sorted ``seen``."""
    if given is None:
        try:
            return np.unique(seen)
        except TypeError as err:
            msg = f"the labels cannot be sorted (mixed types?); pass {name}="
            raise TypeError(msg) from err
    cats = _label_array(given, name, 1)
    if len(set(cats.tolist())) != cats.size:
        raise ValueError(f"{name} must not repeat a category")
    return cats


def _indices(x: np.ndarray, name: str, cats: np.ndarray, cats_name: str) -> np.ndarray:
    """Position in ``cats`` of each label of ``x``, shape of ``x``."""
    index = {c: k for k, c in enumerate(cats.tolist())}
    try:
        return np.array([index[v] for v in x.ravel().tolist()]).reshape(x.shape)
    except KeyError as err:
        msg = f"{name} contains {err.args[0]!r}, which is not in {cats_name}"
        raise ValueError(msg) from err


def cohen_kappa(
    rater_a: ArrayLike,
    rater_b: ArrayLike,
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    labels: ArrayLike | None = None,
) -> float:
    r"""Cohen's kappa between two raters who label the same N items.

    With :math:`p_{ij}` the fraction of items rater A put in category
    :math:`i` and rater B in :math:`j`, and :math:`e_{ij} = p_{i+} p_{+j}`
    its value if the raters were independent,

    .. math::

        \kappa_w = 1 - \frac{\sum_{ij} w_{ij}\, p_{ij}}{\sum_{ij} w_{ij}\, e_{ij}},
        \qquad
        w_{ij} = [i \ne j],\; |i - j| \text{ or } (i - j)^2.

    Unweighted, this is Cohen's :math:`(p_o - p_e) / (1 - p_e)`; linear and
    quadratic weights (Cohen 1968) count near misses on an ordered scale as
    partial agreement. Code names: ``p_ij``, ``e_ij``, ``w_ij``.

    Parameters
    ----------
    rater_a, rater_b : array_like, shape (N,)
        The two raters' labels (numbers or strings), item by item.
    weights : {None, "linear", "quadratic"}, keyword-only
        The disagreement weights :math:`w_{ij}`, by category position.
    labels : array_like, shape (K,), keyword-only
        The categories in order; by default the sorted labels that occur.

    Returns
    -------
    float
        :math:`\kappa_w`, at most 1; equals ``sklearn.metrics.cohen_kappa_score``.

    Raises
    ------
    ValueError
        If a rater array is not 1-D, is empty or holds NaN, the lengths
        differ, ``weights`` is unknown, ``labels`` repeats or lacks a label,
        or kappa is undefined (both raters used one and the same label).
    TypeError
        If the labels cannot be sorted and ``labels`` is not given.

    References
    ----------
    Cohen (1960), Cohen (1968); see the module docstring.

    Examples
    --------
    50 yes/no items: both yes 20, A yes B no 5, A no B yes 10, both no 15;
    :math:`p_o = 0.7`, :math:`p_e = 0.5 \cdot 0.6 + 0.5 \cdot 0.4 = 0.5`:

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 12)
    0.4
    >>> round(cohen_kappa([1, 2, 3, 4], [1, 2, 4, 4], weights="quadratic"), 4)
    0.9167
    """
    a = _label_array(rater_a, "rater_a", 1)
    b = _label_array(rater_b, "rater_b", 1)
    if a.size != b.size:
        raise ValueError(f"rater_a and rater_b differ in length: {a.size}, {b.size}")
    if weights not in _WEIGHTS:
        raise ValueError(
            f"weights must be None, 'linear' or 'quadratic', got {weights!r}"
        )
    cats = _categories(labels, "labels", np.concatenate([a, b]))
    K, N = cats.size, a.size
    i_a = _indices(a, "rater_a", cats, "labels")  # (N,)
    i_b = _indices(b, "rater_b", cats, "labels")  # (N,)
    p_ij = np.bincount(i_a * K + i_b, minlength=K * K).reshape(K, K) / N  # (K, K)
    e_ij = np.outer(p_ij.sum(1), p_ij.sum(0))  # (K, 1) x (1, K) -> (K, K)
    diff = np.subtract.outer(np.arange(K), np.arange(K))  # (K, K): i - j
    if weights is None:
        w_ij = (diff != 0).astype(float)
    elif weights == "linear":
        w_ij = np.abs(diff).astype(float)
    else:
        w_ij = diff.astype(float) ** 2
    expected = float((w_ij * e_ij).sum())
    if expected == 0.0:
        raise ValueError(
            "kappa is undefined: both raters gave every item the same single "
            "label, so no disagreement is expected by chance"
        )
    # eq. (kappa-w): one minus observed over chance-expected weighted disagreement
    return float(1.0 - (w_ij * p_ij).sum() / expected)


def category_counts(
    labels: ArrayLike, *, categories: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Turn an items x raters label matrix into the items x categories counts.

    Parameters
    ----------
    labels : array_like, shape (N, M)
        ``labels[i, r]`` is the category rater ``r`` gave item ``i``.
    categories : array_like, shape (K,), keyword-only
        The columns' categories (unused ones count 0); by default the sorted
        labels that occur.

    Returns
    -------
    counts : numpy.ndarray of int, shape (N, K)
        :math:`n_{ij}`, the number of raters who put item :math:`i` in
        category :math:`j`; the input of :func:`fleiss_kappa`.
    categories : numpy.ndarray, shape (K,)
        The category of each column.

    Raises
    ------
    ValueError
        If ``labels`` is not 2-D, is empty or holds NaN, or ``categories``
        repeats or lacks a label.

    Examples
    --------
    >>> counts, cats = category_counts([["a", "a", "b"], ["c", "c", "c"]])
    >>> counts.tolist(), cats.tolist()
    ([[2, 1, 0], [0, 0, 3]], ['a', 'b', 'c'])
    """
    x = _label_array(labels, "labels", 2)
    cats = _categories(categories, "categories", x)
    N, K = x.shape[0], cats.size
    k = _indices(x, "labels", cats, "categories")  # (N, M)
    item = np.repeat(np.arange(N), x.shape[1])  # (N * M,)
    counts = np.bincount(item * K + k.ravel(), minlength=N * K).reshape(N, K)
    return counts, cats


def fleiss_kappa(counts: ArrayLike) -> float:
    r"""Fleiss' kappa for N items, each rated by the same number n of raters.

    With :math:`n_{ij}` the number of raters who put item :math:`i` in
    category :math:`j`:

    .. math::

        P_i = \frac{\sum_j n_{ij}(n_{ij} - 1)}{n(n - 1)}, \quad
        p_j = \frac{1}{Nn}\sum_i n_{ij}, \quad
        \bar P = \frac1N \sum_i P_i, \quad
        \bar P_e = \sum_j p_j^2, \quad
        \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}.

    :math:`P_i` is the fraction of agreeing rater pairs on item :math:`i`.
    Code names: ``n_ij``, ``P_i``, ``p_j``, ``P_bar``, ``P_bar_e``.

    Parameters
    ----------
    counts : array_like, shape (N, K)
        :math:`n_{ij}`: non-negative whole numbers whose rows all sum to
        :math:`n \ge 2` (see :func:`category_counts`).

    Returns
    -------
    float
        :math:`\kappa`; equals ``statsmodels.stats.inter_rater.fleiss_kappa``.

    Raises
    ------
    TypeError
        If ``counts`` is not numeric.
    ValueError
        If ``counts`` is not 2-D, is empty, holds NaN, negative or fractional
        counts, its rows' totals differ or are below 2, or every rating is in
        one category (kappa undefined).

    References
    ----------
    Fleiss (1971); see the module docstring.

    Examples
    --------
    Three raters agree on one item and split 2-1 on another:
    :math:`\bar P = (1 + 1/3)/2`, :math:`p = (5/6, 1/6)`,
    :math:`\bar P_e = 26/36`, :math:`\kappa = (24 - 26)/(36 - 26)`:

    >>> round(fleiss_kappa([[3, 0], [2, 1]]), 12)
    -0.2
    """
    n_ij = np.asarray(counts)
    if n_ij.dtype.kind not in "iuf":
        raise TypeError(f"counts must hold numbers, got dtype {n_ij.dtype}")
    if n_ij.ndim != 2 or n_ij.size == 0:
        raise ValueError(
            f"counts must be non-empty and 2-D (items x categories), got {n_ij.shape}"
        )
    if not np.isfinite(n_ij).all() or (n_ij < 0).any() or (n_ij % 1 != 0).any():
        raise ValueError("counts must be non-negative whole numbers (no NaN or inf)")
    n_i = n_ij.sum(1)  # (N,)
    n = float(n_i[0])
    bad = np.flatnonzero(n_i != n)
    if bad.size:
        raise ValueError(
            "every row of counts must sum to the same number of raters; "
            f"row 0 sums to {n:g}, row {bad[0]} to {n_i[bad[0]]:g}"
        )
    if n < 2:
        raise ValueError(f"counts must have at least 2 raters per item, got {n:g}")
    N = n_ij.shape[0]
    P_i = (n_ij * (n_ij - 1.0)).sum(1) / (n * (n - 1.0))  # (N,)
    p_j = n_ij.sum(0) / (N * n)  # (K,)
    P_bar, P_bar_e = float(P_i.mean()), float((p_j**2).sum())
    if P_bar_e == 1.0:
        raise ValueError("kappa is undefined: every rating is in the same category")
    # eq. (fleiss): agreement beyond chance over the most that is possible
    return (P_bar - P_bar_e) / (1.0 - P_bar_e)


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared differences :math:`\\delta^2_{ck}` between the K values, (K, K)."""
    c, k = values[:, None], values[None, :]  # (K, 1), (1, K)
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        total = c + k
        ratio = np.divide(c - k, total, out=np.zeros_like(total), where=total != 0)
        return ratio**2
    # ordinal: the values from c to k (inclusive) minus half of the two ends
    cum = np.concatenate([[0.0], np.cumsum(n_c)])  # (K + 1,)
    i = np.arange(values.size)
    lo, hi = np.minimum.outer(i, i), np.maximum.outer(i, i)  # (K, K)
    return (cum[hi + 1] - cum[lo] - (n_c[lo] + n_c[hi]) / 2.0) ** 2


def krippendorff_alpha(
    reliability_data: ArrayLike,
    *,
    level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
) -> float:
    r"""Krippendorff's alpha for M raters, N units and missing ratings.

    Only pairable values count (units with :math:`m_u \ge 2` values). With
    :math:`n_{uc}` the number of raters who gave unit :math:`u` value :math:`c`,

    .. math::

        o_{ck} = \sum_u \frac{n_{uc}\,(n_{uk} - [c = k])}{m_u - 1}, \quad
        n_c = \sum_k o_{ck}, \quad n = \sum_c n_c,

        \alpha = 1 - \frac{D_o}{D_e}, \quad
        D_o = \frac1n \sum_{c,k} o_{ck}\,\delta^2_{ck}, \quad
        D_e = \frac{1}{n(n-1)} \sum_{c,k} n_c\, n_k\, \delta^2_{ck},

    with :math:`\delta^2_{ck}` the squared difference for the ``level``:
    nominal :math:`[c \ne k]`; ordinal
    :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval
    :math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2`. Code names:
    ``n_uc``, ``m_u``, ``o_ck``, ``n_c``, ``n``, ``delta2``, ``D_o``, ``D_e``.

    Parameters
    ----------
    reliability_data : array_like, shape (M, N)
        Rater ``r``'s number for unit ``u`` at ``[r, u]``, NaN where missing.
    level : {"nominal", "ordinal", "interval", "ratio"}, keyword-only
        The level of measurement (default ``"nominal"``; the ``krippendorff``
        package's default is ``"interval"``).

    Returns
    -------
    float
        :math:`\alpha`; equals ``krippendorff.alpha`` with
        ``level_of_measurement=level``.

    Raises
    ------
    TypeError
        If ``reliability_data`` is not numeric.
    ValueError
        If ``level`` is unknown, ``reliability_data`` is not 2-D with 2 or
        more rows, holds infinite values (negative ones for ``"ratio"``), has
        no unit with 2 values, or all pairable values are equal (undefined).

    References
    ----------
    Krippendorff (2011), https://repository.upenn.edu/asc_papers/43.

    Examples
    --------
    Krippendorff's (2011) example, 4 observers and 12 units:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(krippendorff_alpha(data, level=v), 3) for v in
    ...  ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    x = np.asarray(reliability_data)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"reliability_data must hold numbers, got dtype {x.dtype}")
    x = x.astype(float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ValueError(
            "reliability_data must be 2-D with at least 2 raters (rows) and 1 "
            f"unit (column), got shape {x.shape}"
        )
    if np.isinf(x).any():
        raise ValueError("reliability_data contains infinite values")
    N = x.shape[1]
    observed = ~np.isnan(x)  # (M, N)
    if level == "ratio" and (x[observed] < 0).any():
        raise ValueError("reliability_data must be non-negative for level='ratio'")
    values, k = np.unique(x[observed], return_inverse=True)  # (K,), one per value
    K = values.size
    unit = np.nonzero(observed)[1]  # unit of each observed value, same order
    n_uc = np.bincount(unit * K + k, minlength=N * K).reshape(N, K).astype(float)
    m_u = n_uc.sum(1)  # (N,)
    pairable = m_u >= 2
    if not pairable.any():
        raise ValueError(
            "reliability_data needs at least one unit (column) with values "
            "from 2 or more raters"
        )
    n_uc, w_u = n_uc[pairable], 1.0 / (m_u[pairable] - 1.0)  # (N', K), (N',)
    # eq. (coincidences): value pairs within units, each unit weighted 1/(m_u - 1)
    o_ck = (n_uc * w_u[:, None]).T @ n_uc - np.diag(w_u @ n_uc)  # (K, N')@(N', K)
    n_c = o_ck.sum(1)  # (K,)
    n = float(n_c.sum())
    delta2 = _delta2(values, n_c, level)  # (K, K)
    D_o = float((o_ck * delta2).sum()) / n
    D_e = float(n_c @ delta2 @ n_c) / (n * (n - 1.0))  # (K,) @ (K, K) @ (K,)
    if D_e == 0.0:
        raise ValueError(
            "alpha is undefined: all pairable values are equal, so there is no "
            "variation to agree on"
        )
    # eq. (alpha): one minus observed over expected disagreement
    return 1.0 - D_o / D_e
