r"""Shapley values of a model's prediction, exactly and by KernelSHAP.

The Shapley value of feature :math:`i` is its marginal contribution averaged
over all coalitions :math:`S` of the other features,

.. math::

    \phi_i = \sum_{S \subseteq F \setminus \{i\}}
    \frac{|S|!\,(|F| - |S| - 1)!}{|F|!}
    \big[v(S \cup \{i\}) - v(S)\big],
    \qquad v(S) = f\big(x_S, b_{\bar S}\big),

where :math:`F` is the set of the :math:`M = |F|` features and the *value
function* :math:`v(S)` (the survey's :math:`f_x(S)`) is the model evaluated
with the features in :math:`S` taken from the input :math:`x` and all others
from a baseline :math:`b`. The model cannot be run with features "missing",
so some such choice must be made; this one is the *interventional* (or
baseline) value function. The values add up to the change in output
(*efficiency*):

.. math::

    \sum_{i \in F} \phi_i = f(x) - f(b).

:func:`shapley_values` evaluates the sum exactly (:math:`2^M` model calls, in
one batch); :func:`kernel_shap` estimates it from sampled coalitions by the
weighted least-squares regression of Lundberg & Lee (2017).

References
----------
Shapley (1953), "A value for n-person games", in *Contributions to the
Theory of Games II*.
Lundberg & Lee (2017), "A unified approach to interpreting model
predictions", NeurIPS. arXiv:1705.07874.
"""

# Shapes: M features, N coalitions (model inputs evaluated in one batch).

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["MAX_EXACT_FEATURES", "kernel_shap", "shapley_kernel", "shapley_values"]

MAX_EXACT_FEATURES = 16
"""Largest :math:`M` for :func:`shapley_values` (:math:`2^{16}` model calls)."""


def _check_point(x: object, baseline: object) -> tuple[np.ndarray, np.ndarray]:
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"x must be an array of numbers, got {type(x).__name__}"
        ) from None
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array (M,), got shape {x.shape}")
    try:
        baseline = np.asarray(baseline, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"baseline must be an array of numbers, got {type(baseline).__name__}"
        ) from None
    if baseline.shape != x.shape:
        raise ValueError(
            f"baseline must have the shape of x {x.shape}, got {baseline.shape}"
        )
    for name, a in (("x", x), ("baseline", baseline)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or infinite values")
    return x, baseline


def _evaluate(f: Callable, inputs: np.ndarray) -> np.ndarray:
    """``f`` on the (N, M) batch, checked to give N finite numbers."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    out = np.asarray(f(inputs), dtype=np.float64)
    N = inputs.shape[0]
    if out.shape not in ((N,), (N, 1)):
        raise ValueError(
            f"f must map an (N, M) array to N numbers, got shape {out.shape} "
            f"for N = {N}"
        )
    out = out.reshape(N)
    if not np.isfinite(out).all():
        raise ValueError("f returned NaN or infinite values")
    return out


def _coalition_masks(M: int) -> np.ndarray:
    """Every subset of M features as a boolean row; row k is the bits of k."""
    k = np.arange(2**M)[:, None]  # (2^M, 1)
    return ((k >> np.arange(M)) & 1).astype(bool)  # (2^M, M)


def shapley_kernel(M: int, s: int | np.ndarray) -> float | np.ndarray:
    r"""The Shapley kernel weight of a coalition of size ``s`` out of ``M``.

    .. math::

        \pi(s) = \frac{M - 1}{\binom{M}{s}\, s\, (M - s)}, \qquad 0 < s < M,

    and infinite for :math:`s \in \{0, M\}` (those two coalitions enter
    :func:`kernel_shap` as constraints instead).

    Examples
    --------
    >>> shapley_kernel(4, 1), shapley_kernel(4, 2)
    (0.25, 0.125)
    """
    s = np.asarray(s, dtype=np.float64)
    with np.errstate(divide="ignore"):
        binom = np.vectorize(math.comb)(M, s.astype(int)).astype(np.float64)
        weight = (M - 1) / (binom * s * (M - s))
    return float(weight) if weight.ndim == 0 else weight


def shapley_values(f: Callable, x: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    r"""Exact Shapley values of ``f`` at ``x``, relative to ``baseline``.

    .. math::

        \phi_i = \sum_{S \subseteq F \setminus \{i\}}
        \frac{|S|!\,(M - |S| - 1)!}{M!}
        \big[f(x_{S \cup \{i\}}, b_{\overline{S \cup \{i\}}})
        - f(x_S, b_{\bar S})\big]

    with the interventional value function :math:`v(S) = f(x_S, b_{\bar
    S})`. This is what ``shap``'s exact explainer computes with a
    one-row background (``shap.maskers.Independent(baseline[None])``);
    with a larger background, ``shap`` averages :math:`v(S)` over its rows.

    Parameters
    ----------
    f : callable
        Maps an (N, M) float64 array of inputs to N numbers (shape (N,) or
        (N, 1)): one output of the model, e.g. a class probability.
    x : array-like, shape (M,)
        The input to explain.
    baseline : array-like, shape (M,)
        The reference input :math:`b` that stands in for absent features.

    Returns
    -------
    numpy.ndarray, shape (M,)
        :math:`\phi`, with :math:`\sum_i \phi_i = f(x) - f(b)`.

    Raises
    ------
    ValueError
        If ``x`` has more than :data:`MAX_EXACT_FEATURES` features (use
        :func:`kernel_shap`), shapes disagree, or there are NaNs.

    References
    ----------
    Shapley (1953); Lundberg & Lee (2017), eq. (8). arXiv:1705.07874.

    Examples
    --------
    For a linear model, :math:`\phi_i = w_i (x_i - b_i)`:

    >>> w = np.array([1.0, -2.0, 0.5])
    >>> shapley_values(lambda X: X @ w, [1.0, 1.0, 1.0], [0.0, 0.0, 2.0])
    array([ 1. , -2. , -0.5])

    A pure interaction is shared equally:

    >>> shapley_values(lambda X: X[:, 0] * X[:, 1], [1.0, 1.0], [0.0, 0.0])
    array([0.5, 0.5])
    """
    x, baseline = _check_point(x, baseline)
    M = x.size
    if M > MAX_EXACT_FEATURES:
        raise ValueError(
            f"x has {M} features; exact Shapley values need 2^M model calls, "
            f"so at most {MAX_EXACT_FEATURES} are allowed: use kernel_shap "
            "for more"
        )
    Z = _coalition_masks(M)  # (2^M, M), row k = coalition with bits of k
    v = _evaluate(f, np.where(Z, x, baseline))  # (2^M,) v(S) for every S
    sizes = Z.sum(1)  # (2^M,) |S|
    # weight |S|! (M - |S| - 1)! / M!, for |S| = 0 .. M - 1
    w = np.array(
        [math.factorial(s) * math.factorial(M - s - 1) for s in range(M)],
        dtype=np.float64,
    ) / math.factorial(M)
    phi = np.empty(M)
    for i in range(M):
        without_i = ~Z[:, i]  # (2^M,) coalitions S not containing i
        S = np.flatnonzero(without_i)
        # eq. above: weighted marginal contributions v(S + i) - v(S)
        phi[i] = np.dot(w[sizes[S]], v[S | (1 << i)] - v[S])
    return phi


def kernel_shap(
    f: Callable,
    x: np.ndarray,
    baseline: np.ndarray,
    *,
    n_samples: int,
    seed: int = 0,
) -> np.ndarray:
    r"""KernelSHAP: Shapley values from a weighted regression on coalitions.

    With :math:`z \in \{0, 1\}^M` a coalition and :math:`v(z)` the model on
    :math:`x` where :math:`z = 1` and on the baseline elsewhere, solve

    .. math::

        \min_{\phi} \sum_{z} \pi(|z|)\,
        \Big(v(z) - v(\mathbf{0}) - \sum_i z_i \phi_i\Big)^2
        \quad \text{s.t.} \quad \sum_i \phi_i = v(\mathbf{1}) - v(\mathbf{0}),

    with the Shapley kernel :math:`\pi` of :func:`shapley_kernel`. Over all
    :math:`2^M - 2` proper coalitions the solution is exactly the Shapley
    values. When ``n_samples`` is at least that, every coalition is used;
    otherwise ``n_samples`` coalitions are drawn, sizes with probability
    proportional to :math:`\binom{M}{s}\pi(s)` and then a uniform subset of
    that size, each together with its complement (paired sampling), and the
    regression is unweighted (the kernel is in the sampling). The
    constraint is imposed by eliminating :math:`\phi_M`.

    Parameters
    ----------
    f : callable
        Maps an (N, M) array to N numbers, as in :func:`shapley_values`.
    x, baseline : array-like, shape (M,)
    n_samples : int, keyword-only
        Coalitions to evaluate (besides the empty and the full one), at
        least 2.
    seed : int, keyword-only
        Seeds the sampling.

    Returns
    -------
    numpy.ndarray, shape (M,)
        The estimate of :math:`\phi`; it satisfies efficiency exactly.

    References
    ----------
    Lundberg & Lee (2017), Theorem 2. arXiv:1705.07874. Covert & Lee (2021),
    paired sampling. arXiv:2012.01536.

    Examples
    --------
    >>> f = lambda X: X[:, 0] * X[:, 1] + X[:, 2]
    >>> x, b = np.ones(3), np.zeros(3)
    >>> phi = kernel_shap(f, x, b, n_samples=6)  # all 2^3 - 2: exact
    >>> phi
    array([0.5, 0.5, 1. ])
    >>> np.allclose(phi, shapley_values(f, x, b))
    True
    """
    x, baseline = _check_point(x, baseline)
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer):
        raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}")
    M = x.size
    ends = _evaluate(f, np.stack([baseline, x]))  # (2,) v(0), v(1)
    delta = ends[1] - ends[0]
    if M == 1:
        return np.array([delta])
    n_proper = 2**M - 2 if M < 63 else None
    if n_proper is not None and n_samples >= n_proper:
        Z = _coalition_masks(M)[1:-1]  # (N, M), all proper coalitions
        weights = shapley_kernel(M, Z.sum(1))  # (N,)
    else:
        rng = np.random.default_rng(seed)
        s_all = np.arange(1, M)
        p = np.array([math.comb(M, s) for s in s_all]) * shapley_kernel(M, s_all)
        half = (n_samples + 1) // 2
        sizes = rng.choice(s_all, size=half, p=p / p.sum())  # (half,)
        # a uniform subset of each size: the `size` smallest of random keys
        keys = rng.random((half, M))  # (half, M)
        ranks = keys.argsort(1).argsort(1)  # (half, M)
        Z = ranks < sizes[:, None]  # (half, M)
        Z = np.concatenate([Z, ~Z])[:n_samples]  # (N, M) pairs z, 1 - z
        weights = np.ones(len(Z))
    y = _evaluate(f, np.where(Z, x, baseline)) - ends[0]  # (N,) v(z) - v(0)
    Zf = Z.astype(np.float64)
    # eliminate phi_M = delta - sum_{j<M} phi_j
    A = Zf[:, :-1] - Zf[:, -1:]  # (N, M - 1)
    r = y - Zf[:, -1] * delta  # (N,)
    sw = np.sqrt(weights)[:, None]  # (N, 1)
    phi_head, *_ = np.linalg.lstsq(A * sw, r * sw[:, 0], rcond=None)  # (M - 1,)
    return np.append(phi_head, delta - phi_head.sum())
