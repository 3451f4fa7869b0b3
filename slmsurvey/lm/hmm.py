r"""Hidden Markov models in log space: forward, backward, Viterbi, Baum-Welch.

An HMM with :math:`N` states has initial probabilities :math:`\pi_j`,
transition probabilities :math:`a_{ij} = P(s_t = j \mid s_{t-1} = i)` and
emission likelihoods :math:`b_j(x_t)`. Everything here works on logarithms,
so products over thousands of frames neither underflow nor overflow.

Symbol map (equations count frames from 1, the code from 0):
``log_pi[j]`` = :math:`\log \pi_j`, ``log_A[i, j]`` = :math:`\log a_{ij}`,
``log_B[t, j]`` = :math:`\log b_j(x_t)` (any real number or ``-inf``, not
necessarily normalised); ``log_alpha``, ``log_beta``, ``log_delta``, ``psi``,
``log_gamma``, ``log_xi`` are Rabiner's :math:`\alpha, \beta, \delta, \psi,
\gamma, \xi`; ``means``, ``variances`` are :math:`\mu_{jd}, \sigma^2_{jd}`.

Shapes: N states, T frames, D feature dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BaumWelchResult",
    "baum_welch",
    "gaussian_log_likelihoods",
    "hmm_backward",
    "hmm_forward",
    "hmm_posteriors",
    "hmm_viterbi",
    "logsumexp",
]

Array = NDArray[np.float64]
_SUM_TOL = 1e-6  # how far (in probability) a distribution may be from summing to 1
_AXES = {"N": "state", "T": "frame", "D": "feature dimension"}


def logsumexp(a: ArrayLike, axis: int | None = None) -> float | Array:
    r"""Compute :math:`\log \sum_k e^{a_k}` stably; all ``-inf`` gives ``-inf``.

    .. math:: \log \sum_k e^{a_k} = m + \log \sum_k e^{a_k - m},
              \qquad m = \max_k a_k

    Parameters
    ----------
    a : array_like
        Log values, ``-inf`` allowed.
    axis : int, optional
        Axis to reduce; ``None`` reduces everything and returns a float.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(float(np.exp(logsumexp(np.log([0.25, 0.5])))), 6)
    0.75
    >>> logsumexp([[0.0, -np.inf], [-np.inf, -np.inf]], axis=1)
    array([  0., -inf])
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        raise ValueError("a must not be empty")
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf: shift by 0, not by -inf
    with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return float(out.reshape(())) if axis is None else np.squeeze(out, axis=axis)


def _as_real_array(
    x: ArrayLike, name: str, shape: str, sizes: dict[str, int], finite: bool = False
) -> Array:
    """Float64 array whose shape matches ``shape`` ("T N") and known ``sizes``."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:  # e.g. ragged nested lists
        raise TypeError(f"{name} must be a real array-like ({err})") from err
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    letters = shape.split()
    want = [sizes.get(c, c) for c in letters]  # e.g. ["T", 2]
    if arr.ndim != len(want) or any(
        isinstance(w, int) and w != s for w, s in zip(want, arr.shape, strict=True)
    ):
        raise ValueError(
            f"{name} must have shape ({', '.join(letters)}) = "
            f"({', '.join(map(str, want))}), got {arr.shape}"
        )
    if arr.size == 0:
        c = letters[arr.shape.index(0)]
        raise ValueError(
            f"{name} must have at least one {_AXES[c]} ({c} >= 1), got {arr.shape}"
        )
    arr = arr.astype(np.float64)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if np.isposinf(arr).any() or (finite and np.isinf(arr).any()):
        raise ValueError(f"{name} contains inf")
    return arr


def _check_hmm(
    log_pi: ArrayLike, log_A: ArrayLike, log_B: ArrayLike | None = None
) -> tuple[Array, ...]:
    """Validate log_pi, log_A (rows sum to 1) and, if given, log_B."""
    log_pi = _as_real_array(log_pi, "log_pi", "N", {})
    N = log_pi.shape[0]
    log_A = _as_real_array(log_A, "log_A", "N N", {"N": N})
    total = np.exp(logsumexp(log_pi))
    if abs(total - 1.0) > _SUM_TOL:
        raise ValueError(
            f"log_pi must sum to 1 in probability space (sums to {total:.6g})"
        )
    rows = np.exp(logsumexp(log_A, axis=1))  # (N,)
    bad = np.flatnonzero(np.abs(rows - 1.0) > _SUM_TOL)
    if bad.size:
        raise ValueError(
            "log_A rows must sum to 1 in probability space "
            f"(row {bad[0]} sums to {rows[bad[0]]:.6g})"
        )
    if log_B is None:
        return log_pi, log_A
    return log_pi, log_A, _as_real_array(log_B, "log_B", "T N", {"N": N})


def _forward(log_pi: Array, log_A: Array, log_B: Array) -> tuple[Array, float]:
    log_alpha = np.empty_like(log_B)  # (T, N)
    # eq. (hmm-alpha): alpha_1(j) = pi_j b_j(x_1)
    log_alpha[0] = log_pi + log_B[0]
    for t in range(1, len(log_B)):
        # eq. (hmm-alpha): alpha_t(j) = b_j(x_t) sum_i alpha_{t-1}(i) a_ij
        scores = log_alpha[t - 1][:, None] + log_A  # (N, N): from i to j
        log_alpha[t] = log_B[t] + logsumexp(scores, axis=0)  # (N,)
    # eq. (hmm-likelihood): P(X) = sum_j alpha_T(j)
    return log_alpha, logsumexp(log_alpha[-1])


def _backward(log_pi: Array, log_A: Array, log_B: Array) -> tuple[Array, float]:
    log_beta = np.zeros_like(log_B)  # (T, N); beta_T(i) = 1
    for t in range(len(log_B) - 2, -1, -1):
        # eq. (hmm-beta): beta_t(i) = sum_j a_ij b_j(x_{t+1}) beta_{t+1}(j)
        scores = log_A + (log_B[t + 1] + log_beta[t + 1])[None, :]  # (N, N)
        log_beta[t] = logsumexp(scores, axis=1)  # (N,)
    # eq. (hmm-beta): P(X) = sum_j pi_j b_j(x_1) beta_1(j)
    return log_beta, logsumexp(log_pi + log_B[0] + log_beta[0])


def _posteriors(
    log_pi: Array, log_A: Array, log_B: Array
) -> tuple[Array, Array, float]:
    T = len(log_B)
    log_alpha, log_likelihood = _forward(log_pi, log_A, log_B)
    log_beta, _ = _backward(log_pi, log_A, log_B)
    if log_likelihood == -np.inf:
        raise ValueError("log_B has probability zero under the model (log P(X) = -inf)")
    # eq. (hmm-gamma): gamma_t(j) = alpha_t(j) beta_t(j) / P(X). Every row of
    # alpha * beta sums to P(X); normalising each row by its own sum, rather than
    # by P(X), keeps rounding errors from accumulating over long sequences.
    log_gamma = log_alpha + log_beta  # (T, N)
    log_gamma -= logsumexp(log_gamma, axis=1)[:, None]
    # eq. (hmm-xi): xi_t(i, j) = alpha_t(i) a_ij b_j(x_{t+1}) beta_{t+1}(j) / P(X)
    log_xi = (
        log_alpha[:-1, :, None]  # (T-1, N, 1)
        + log_A[None, :, :]  # (1, N, N)
        + (log_B[1:] + log_beta[1:])[:, None, :]  # (T-1, 1, N)
    )  # (T-1, N, N)
    if T > 1:
        log_xi -= logsumexp(log_xi.reshape(T - 1, -1), axis=1)[:, None, None]
    return log_gamma, log_xi, log_likelihood


def hmm_forward(
    log_pi: ArrayLike, log_A: ArrayLike, log_B: ArrayLike
) -> tuple[Array, float]:
    r"""Forward algorithm: :math:`\alpha_t(j) = P(x_1, \dots, x_t, s_t = j)`.

    .. math::
        \alpha_1(j) = \pi_j\, b_j(x_1), \qquad
        \alpha_t(j) = b_j(x_t) \sum_{i=1}^{N} \alpha_{t-1}(i)\, a_{ij}, \qquad
        P(X) = \sum_{j=1}^{N} \alpha_T(j)

    Parameters
    ----------
    log_pi : array_like, shape (N,)
        Log initial probabilities, summing to 1 in probability space.
    log_A : array_like, shape (N, N)
        ``log_A[i, j]`` = :math:`\log P(s_t = j \mid s_{t-1} = i)`; each row
        sums to 1 in probability space, and ``-inf`` forbids a transition.
    log_B : array_like, shape (T, N)
        ``log_B[t, j]`` = :math:`\log b_j(x_t)`, any real number or ``-inf``.

    Returns
    -------
    log_alpha : ndarray, shape (T, N)
    log_likelihood : float
        :math:`\log P(X)`; ``-inf`` if no state path can produce ``X``.

    References
    ----------
    .. [1] L. R. Rabiner, "A tutorial on hidden Markov models and selected
       applications in speech recognition", Proc. IEEE 77(2), 257-286, 1989.
       doi:10.1109/5.18626

    Examples
    --------
    The two-state, three-frame model worked by hand in ``tests/test_hmm.py``:

    >>> log_pi = np.log([0.6, 0.4])
    >>> log_A = np.log([[0.7, 0.3], [0.4, 0.6]])
    >>> log_B = np.log([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]])
    >>> log_alpha, log_likelihood = hmm_forward(log_pi, log_A, log_B)
    >>> np.round(np.exp(log_alpha), 6)
    array([[0.3     , 0.04    ],
           [0.0904  , 0.0342  ],
           [0.007696, 0.028584]])
    >>> round(float(np.exp(log_likelihood)), 6)
    0.03628
    """
    return _forward(*_check_hmm(log_pi, log_A, log_B))


def hmm_backward(
    log_pi: ArrayLike, log_A: ArrayLike, log_B: ArrayLike
) -> tuple[Array, float]:
    r"""Backward algorithm: :math:`\beta_t(i) = P(x_{t+1}, \dots, x_T \mid s_t = i)`.

    .. math::
        \beta_T(i) = 1, \qquad
        \beta_t(i) = \sum_{j=1}^{N} a_{ij}\, b_j(x_{t+1})\, \beta_{t+1}(j), \qquad
        P(X) = \sum_{j=1}^{N} \pi_j\, b_j(x_1)\, \beta_1(j)

    Parameters
    ----------
    log_pi, log_A, log_B : array_like, shapes (N,), (N, N), (T, N)
        As in :func:`hmm_forward`.

    Returns
    -------
    log_beta : ndarray, shape (T, N)
    log_likelihood : float
        :math:`\log P(X)`, the same as the forward algorithm's.

    References
    ----------
    .. [1] L. R. Rabiner, Proc. IEEE 77(2), 1989. doi:10.1109/5.18626

    Examples
    --------
    >>> log_pi = np.log([0.6, 0.4])
    >>> log_A = np.log([[0.7, 0.3], [0.4, 0.6]])
    >>> log_B = np.log([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]])
    >>> log_beta, log_likelihood = hmm_backward(log_pi, log_A, log_B)
    >>> np.round(np.exp(log_beta), 6)
    array([[0.106, 0.112],
           [0.25 , 0.4  ],
           [1.   , 1.   ]])
    >>> round(float(np.exp(log_likelihood)), 6)
    0.03628
    """
    return _backward(*_check_hmm(log_pi, log_A, log_B))


def hmm_viterbi(
    log_pi: ArrayLike, log_A: ArrayLike, log_B: ArrayLike
) -> tuple[NDArray[np.int64], float]:
    r"""Viterbi decoding: the most probable state path and :math:`\log P(X, S^*)`.

    .. math::
        \delta_1(j) = \pi_j\, b_j(x_1), \qquad
        \delta_t(j) = b_j(x_t) \max_i \delta_{t-1}(i)\, a_{ij}, \qquad
        \psi_t(j) = \arg\max_i \delta_{t-1}(i)\, a_{ij}

    .. math::
        s_T^* = \arg\max_j \delta_T(j), \qquad
        s_{t-1}^* = \psi_t(s_t^*), \qquad
        P(X, S^*) = \max_j \delta_T(j)

    Ties go to the lower state index, first for :math:`s_T^*` and then at
    each back-pointer (``np.argmax`` keeps the first maximum). Among equally
    probable paths the result is thus the smallest when read from the last
    frame backwards; when all paths tie it is all zeros.

    Parameters
    ----------
    log_pi, log_A, log_B : array_like, shapes (N,), (N, N), (T, N)
        As in :func:`hmm_forward`.

    Returns
    -------
    path : ndarray of int64, shape (T,)
    log_prob : float
        Joint log probability :math:`\log P(X, S^*)`.

    References
    ----------
    .. [1] A. J. Viterbi, "Error bounds for convolutional codes and an
       asymptotically optimum decoding algorithm", IEEE Trans. Inf. Theory
       13(2), 260-269, 1967. doi:10.1109/TIT.1967.1054010
    .. [2] L. R. Rabiner, Proc. IEEE 77(2), 1989. doi:10.1109/5.18626

    Examples
    --------
    >>> log_pi = np.log([0.6, 0.4])
    >>> log_A = np.log([[0.7, 0.3], [0.4, 0.6]])
    >>> log_B = np.log([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]])
    >>> path, log_prob = hmm_viterbi(log_pi, log_A, log_B)
    >>> path
    array([0, 0, 1])
    >>> round(float(np.exp(log_prob)), 6)  # 0.6*0.5 * 0.7*0.4 * 0.3*0.6
    0.01512
    """
    log_pi, log_A, log_B = _check_hmm(log_pi, log_A, log_B)
    T, N = log_B.shape
    # eq. (viterbi): delta_1(j) = pi_j b_j(x_1)
    log_delta = log_pi + log_B[0]  # (N,)
    psi = np.zeros((T, N), dtype=np.int64)
    for t in range(1, T):
        # eq. (viterbi): delta_t(j) = b_j(x_t) max_i delta_{t-1}(i) a_ij
        scores = log_delta[:, None] + log_A  # (N, N): from i to j
        psi[t] = np.argmax(scores, axis=0)  # first maximum: ties -> lower i
        log_delta = log_B[t] + scores.max(axis=0)  # (N,)
    path = np.empty(T, dtype=np.int64)
    path[-1] = np.argmax(log_delta)
    for t in range(T - 1, 0, -1):
        path[t - 1] = psi[t, path[t]]  # eq. (viterbi): s*_{t-1} = psi_t(s*_t)
    return path, float(log_delta[path[-1]])


def hmm_posteriors(
    log_pi: ArrayLike, log_A: ArrayLike, log_B: ArrayLike
) -> tuple[Array, Array, float]:
    r"""State and transition posteriors (forward-backward algorithm).

    .. math::
        \gamma_t(j) = P(s_t = j \mid X) = \frac{\alpha_t(j)\, \beta_t(j)}{P(X)},
        \qquad
        \xi_t(i, j) = P(s_t = i, s_{t+1} = j \mid X)
        = \frac{\alpha_t(i)\, a_{ij}\, b_j(x_{t+1})\, \beta_{t+1}(j)}{P(X)}

    Parameters
    ----------
    log_pi, log_A, log_B : array_like, shapes (N,), (N, N), (T, N)
        As in :func:`hmm_forward`; :math:`P(X) = 0` raises ``ValueError``.

    Returns
    -------
    log_gamma : ndarray, shape (T, N)
        Each row sums to 1 in probability space.
    log_xi : ndarray, shape (T - 1, N, N)
        Each ``log_xi[t]`` sums to 1, and its row sums are ``gamma_t``.
    log_likelihood : float

    References
    ----------
    .. [1] L. R. Rabiner, Proc. IEEE 77(2), 1989. doi:10.1109/5.18626

    Examples
    --------
    >>> log_pi = np.log([0.6, 0.4])
    >>> log_A = np.log([[0.7, 0.3], [0.4, 0.6]])
    >>> log_B = np.log([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]])
    >>> log_gamma, log_xi, _ = hmm_posteriors(log_pi, log_A, log_B)
    >>> np.round(np.exp(log_gamma[0]), 4)  # [0.0318, 0.00448] / 0.03628
    array([0.8765, 0.1235])
    >>> log_xi.shape
    (2, 2, 2)
    """
    return _posteriors(*_check_hmm(log_pi, log_A, log_B))


def _gaussian(x: Array, means: Array, variances: Array) -> Array:
    diff = x[:, None, :] - means[None, :, :]  # (T, N, D)
    # eq. (diag-gaussian), summed over the D dimensions
    return -0.5 * np.sum(np.log(2 * np.pi * variances) + diff**2 / variances, axis=-1)


def _check_gaussians(
    means: ArrayLike, variances: ArrayLike, sizes: dict[str, int]
) -> tuple[Array, Array]:
    means = _as_real_array(means, "means", "N D", sizes, finite=True)
    sizes = dict(zip("ND", means.shape, strict=True))
    variances = _as_real_array(variances, "variances", "N D", sizes, finite=True)
    if (variances <= 0).any():
        raise ValueError(f"variances must be > 0, got minimum {variances.min():.6g}")
    return means, variances


def gaussian_log_likelihoods(
    x: ArrayLike, means: ArrayLike, variances: ArrayLike
) -> Array:
    r"""Emission log-likelihoods ``log_B`` of diagonal-covariance Gaussians.

    .. math::
        \log b_j(x_t) = -\frac{1}{2} \sum_{d=1}^{D} \left[
            \log(2 \pi \sigma_{jd}^2) + \frac{(x_{td} - \mu_{jd})^2}{\sigma_{jd}^2}
        \right]

    Parameters
    ----------
    x : array_like, shape (T, D)
        Feature frames (e.g. MFCCs), all finite.
    means : array_like, shape (N, D)
        :math:`\mu_{jd}`.
    variances : array_like, shape (N, D)
        :math:`\sigma_{jd}^2 > 0`.

    Returns
    -------
    log_B : ndarray, shape (T, N)

    References
    ----------
    .. [1] L. R. Rabiner, Proc. IEEE 77(2), 1989, sec. IV. doi:10.1109/5.18626

    Examples
    --------
    >>> log_B = gaussian_log_likelihoods([[0.0], [1.0]], [[0.0], [2.0]], [[1.0], [1.0]])
    >>> np.round(log_B, 4)  # -log(2 pi) / 2 = -0.9189
    array([[-0.9189, -2.9189],
           [-1.4189, -1.4189]])
    """
    means, variances = _check_gaussians(means, variances, {})
    x = _as_real_array(x, "x", "T D", {"D": means.shape[1]}, finite=True)
    return _gaussian(x, means, variances)


@dataclass(frozen=True)
class BaumWelchResult:
    """Parameters re-estimated by :func:`baum_welch`, and its learning curve.

    ``log_likelihoods[k]`` is the total log-likelihood of all sequences under
    the parameters before update ``k``; the last entry is that of the returned
    parameters, so there is one more entry than there were updates.

    Examples
    --------
    >>> x = np.array([[0.1], [0.2], [3.0], [3.1]])  # (T, D)
    >>> fit = baum_welch(x, np.log([0.5, 0.5]), np.log([[0.5, 0.5], [0.5, 0.5]]),
    ...                  [[0.0], [3.0]], [[1.0], [1.0]], n_iter=2)
    >>> fit.means.ravel().round(2), len(fit.log_likelihoods)
    (array([0.15, 3.05]), 3)
    """

    log_pi: Array  # (N,)
    log_A: Array  # (N, N)
    means: Array  # (N, D)
    variances: Array  # (N, D)
    log_likelihoods: list[float]


def _e_step(
    xs: list[Array], log_pi: Array, log_A: Array, means: Array, variances: Array
) -> tuple[float, list[Array], Array]:
    """Total log P(X), gamma_t(j) per sequence and log sum_t xi_t(i, j)."""
    total, gammas = 0.0, []
    log_xi_sum = np.full_like(log_A, -np.inf)  # (N, N)
    for x in xs:
        log_B = _gaussian(x, means, variances)  # (T, N)
        log_gamma, log_xi, log_likelihood = _posteriors(log_pi, log_A, log_B)
        total += log_likelihood
        gammas.append(np.exp(log_gamma))  # (T, N)
        if len(log_xi):
            log_xi_sum = np.logaddexp(log_xi_sum, logsumexp(log_xi, axis=0))
    return total, gammas, log_xi_sum


def _as_sequence_list(
    sequences: ArrayLike | Sequence[ArrayLike], D: int
) -> list[Array]:
    """One (T, D) array, or a list / 3-D array of them, as a list of (T_s, D)."""
    if not isinstance(sequences, (list, tuple, np.ndarray)):
        raise TypeError(f"sequences must be an array or a list, got {type(sequences)}")
    try:
        ndim = np.ndim(sequences)
    except ValueError:  # ragged: sequences of different lengths
        ndim = 3
    if ndim == 2:
        return [_as_real_array(sequences, "sequences", "T D", {"D": D}, finite=True)]
    if ndim == 1 and len(sequences) == 0:
        raise ValueError("sequences must contain at least one (T, D) array")
    if ndim != 3:
        raise ValueError(f"sequences must be a (T, D) array or a list of them, {ndim=}")
    return [
        _as_real_array(x, f"sequences[{k}]", "T D", {"D": D}, finite=True)
        for k, x in enumerate(sequences)
    ]


def baum_welch(
    sequences: ArrayLike | Sequence[ArrayLike],
    log_pi: ArrayLike,
    log_A: ArrayLike,
    means: ArrayLike,
    variances: ArrayLike,
    *,
    n_iter: int = 20,
    tol: float = 1e-6,
    min_variance: float = 1e-3,
) -> BaumWelchResult:
    r"""Baum-Welch (EM) training of an HMM with diagonal-Gaussian emissions.

    The E-step runs :func:`hmm_posteriors` on every sequence; the M-step sets,
    with sums over sequences and frames (:math:`S` sequences),

    .. math::
        \hat\pi_j = \frac{1}{S} \sum \gamma_1(j), \quad
        \hat a_{ij} = \frac{\sum \xi_t(i, j)}{\sum_{t < T} \gamma_t(i)}, \quad
        \hat\mu_j = \frac{\sum \gamma_t(j)\, x_t}{\sum \gamma_t(j)}, \quad
        \hat\sigma_j^2 = \max\Bigl(\frac{\sum \gamma_t(j)\,
            (x_t - \hat\mu_j)^2}{\sum \gamma_t(j)},\ \sigma^2_{\min}\Bigr)

    No update decreases the total log-likelihood (Baum et al., 1970; the
    floored variance is still the constrained maximiser). Zero probabilities
    stay zero, so a left-to-right model stays left-to-right. A state with no
    occupancy keeps its Gaussian, and one never left keeps its row of ``log_A``.

    Parameters
    ----------
    sequences : array_like, shape (T, D), or list of them
        One sequence (anything that converts to a 2-D array), or several: a
        3-D array or a list of (T_s, D) arrays, whose lengths may differ.
    log_pi, log_A : array_like, shapes (N,) and (N, N)
        Initial model, as in :func:`hmm_forward`.
    means, variances : array_like, shape (N, D)
        Initial Gaussians, as in :func:`gaussian_log_likelihoods`.
    n_iter : int
        Maximum number of updates, at least 1.
    tol : float
        Stop once an update improves the total log-likelihood by less than this.
    min_variance : float
        Floor :math:`\sigma^2_{\min} > 0` on the re-estimated variances.

    Returns
    -------
    BaumWelchResult

    References
    ----------
    .. [1] L. E. Baum, T. Petrie, G. Soules, N. Weiss, "A maximization
       technique occurring in the statistical analysis of probabilistic
       functions of Markov chains", Ann. Math. Statist. 41(1), 164-171, 1970.
       doi:10.1214/aoms/1177697196
    .. [2] L. R. Rabiner, Proc. IEEE 77(2), 1989. doi:10.1109/5.18626

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(-2, 1, (50, 1)), rng.normal(2, 1, (50, 1))])
    >>> log_A = np.log([[0.9, 0.1], [0.1, 0.9]])
    >>> fit = baum_welch(x, np.log([0.5, 0.5]), log_A, [[-1.0], [1.0]], [[1.0], [1.0]])
    >>> np.round(fit.means.ravel(), 1)
    array([-1.9,  2. ])
    >>> bool(np.all(np.diff(fit.log_likelihoods) >= 0))
    True
    """
    log_pi, log_A = _check_hmm(log_pi, log_A)
    means, variances = _check_gaussians(means, variances, {"N": len(log_pi)})
    xs = _as_sequence_list(sequences, D=means.shape[1])
    if not isinstance(n_iter, (int, np.integer)) or isinstance(n_iter, bool):
        raise TypeError(f"n_iter must be an int, got {type(n_iter).__name__}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    if not 0 < min_variance < np.inf:
        raise ValueError(
            f"min_variance must be positive and finite, got {min_variance}"
        )

    # The validated arrays are fresh copies, so the M-step may update them in place.
    total, gammas, log_xi_sum = _e_step(xs, log_pi, log_A, means, variances)
    log_likelihoods = [total]
    for _ in range(n_iter):
        # eq. (bw-pi): pi_j = expected fraction of sequences starting in j
        with np.errstate(divide="ignore"):
            log_pi = np.log(sum(g[0] for g in gammas) / len(xs))  # (N,)
        # eq. (bw-a): a_ij = expected i -> j transitions / expected exits from i
        log_exits = logsumexp(log_xi_sum, axis=1)  # (N,)
        left = np.isfinite(log_exits)
        log_A[left] = log_xi_sum[left] - log_exits[left, None]
        # eq. (bw-mu), (bw-sigma): occupancy-weighted mean and floored variance
        occupancy = sum(g.sum(axis=0) for g in gammas)  # (N,)
        seen = occupancy > 0
        weighted = sum(g.T @ x for g, x in zip(gammas, xs, strict=True))  # (N, D)
        means[seen] = weighted[seen] / occupancy[seen, None]
        spread = sum(  # (N, D)
            np.einsum("tn,tnd->nd", g, (x[:, None, :] - means[None]) ** 2)
            for g, x in zip(gammas, xs, strict=True)
        )
        variances[seen] = np.maximum(spread[seen] / occupancy[seen, None], min_variance)

        total, gammas, log_xi_sum = _e_step(xs, log_pi, log_A, means, variances)
        log_likelihoods.append(total)
        if log_likelihoods[-1] - log_likelihoods[-2] < tol:
            break
    return BaumWelchResult(log_pi, log_A, means, variances, log_likelihoods)
