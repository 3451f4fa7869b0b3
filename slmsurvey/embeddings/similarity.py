r"""Cosine similarity between embeddings, and nearest neighbours by it.

.. math::

    \cos(\mathbf{a}, \mathbf{b})
    = \frac{\mathbf{a} \cdot \mathbf{b}}{\lVert \mathbf{a} \rVert_2\,
      \lVert \mathbf{b} \rVert_2} \in [-1, 1]

Cosine similarity ignores the length of the vectors and compares only their
directions, which is how learned word (and speech-unit) embeddings are usually
compared: related words end up pointing the same way.

Inputs may be NumPy arrays, torch tensors (detached and moved to the CPU) or
nested lists; results are NumPy float64 arrays or Python floats.

References
----------
Mikolov, Chen, Corrado & Dean (2013), "Efficient estimation of word
representations in vector space". arXiv:1301.3781.
"""

# Shapes: M rows of a, N rows of b (or of the table E), d embedding size.

from __future__ import annotations

import operator
from typing import Any

import numpy as np

__all__ = ["cosine_similarity", "nearest_neighbours"]


def _as_matrix(x: Any, name: str) -> np.ndarray:
    """``x`` as a float64 array of 1 or 2 dims, finite and non-empty."""
    if hasattr(x, "detach"):  # a torch tensor, possibly requiring grad or on a GPU
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be an array of numbers, got {type(x).__name__}"
        ) from err
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (d,) or 2-D (N, d), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _unit_rows(x: np.ndarray, name: str) -> np.ndarray:
    """Rows of the 2-D ``x`` divided by their Euclidean norms."""
    norms = np.linalg.norm(x, axis=1)  # (N,)
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise ValueError(
            f"{name} has zero vectors (rows {zero[:5].tolist()}); "
            "cosine similarity is undefined for them"
        )
    return x / norms[:, None]  # (N, d)


def cosine_similarity(a: Any, b: Any) -> np.ndarray | float:
    r"""Cosine similarity between vectors, or between every pair of rows.

    .. math::

        S_{ij} = \frac{\mathbf{a}_i \cdot \mathbf{b}_j}
                      {\lVert \mathbf{a}_i \rVert_2\, \lVert \mathbf{b}_j \rVert_2}

    Parameters
    ----------
    a : array_like or torch.Tensor, shape (d,) or (M, d)
        One vector, or M vectors as rows.
    b : array_like or torch.Tensor, shape (d,) or (N, d)
        One vector, or N vectors as rows.

    Returns
    -------
    float or numpy.ndarray
        A ``float`` if both inputs are 1-D; the (M, N) matrix :math:`S` if both
        are 2-D; shape (N,) or (M,) if only one of them is 1-D. Values lie in
        [-1, 1].

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If an input is empty, not 1-D or 2-D, holds NaN or infinity, or holds
        a zero vector; or if ``a`` and ``b`` differ in size d.

    References
    ----------
    Mikolov et al. (2013), "Efficient estimation of word representations in
    vector space". arXiv:1301.3781.

    Examples
    --------
    >>> cosine_similarity([1.0, 0.0], [1.0, 1.0])  # 45 degrees
    0.7071...
    >>> cosine_similarity([[1, 0], [0, 2]], [[3, 0], [1, 1], [0, -1]]).round(3)
    array([[ 1.   ,  0.707,  0.   ],
           [ 0.   ,  0.707, -1.   ]])
    """
    a_arr = _as_matrix(a, "a")
    b_arr = _as_matrix(b, "b")
    if a_arr.shape[-1] != b_arr.shape[-1]:
        raise ValueError(
            f"a and b must have the same size d: a has {a_arr.shape[-1]}, "
            f"b has {b_arr.shape[-1]}"
        )
    a_hat = _unit_rows(np.atleast_2d(a_arr), "a")  # (M, d)
    b_hat = _unit_rows(np.atleast_2d(b_arr), "b")  # (N, d)
    S = a_hat @ b_hat.T  # (M, d) @ (d, N) -> (M, N)
    S = np.clip(S, -1.0, 1.0)  # rounding can step just outside [-1, 1]
    if a_arr.ndim == 1 and b_arr.ndim == 1:
        return float(S[0, 0])
    if a_arr.ndim == 1:
        return S[0]  # (N,)
    if b_arr.ndim == 1:
        return S[:, 0]  # (M,)
    return S


def nearest_neighbours(
    E: Any, query: Any, k: int = 5, *, exclude_self: bool = True
) -> list[tuple[int, float]]:
    r"""The k rows of an embedding table most cosine-similar to a query.

    .. math::

        \mathrm{NN}_k(\mathbf{q}) = \operatorname*{arg\,top\text{-}k}_{i}
        \; \cos(\mathbf{q}, \mathbf{E}_i)

    Parameters
    ----------
    E : array_like or torch.Tensor, shape (N, d)
        Embedding table, one row per item (e.g. ``model.C.weight``).
    query : int or array_like or torch.Tensor, shape (d,)
        A row index of ``E`` (the query is then ``E[query]``) or a vector.
    k : int
        How many neighbours to return, at least 1 and at most the number of
        candidate rows.
    exclude_self : bool, keyword-only
        When ``query`` is a row index, leave that row out of the candidates
        (it is always its own nearest neighbour). Ignored for a vector query.

    Returns
    -------
    list of (int, float)
        ``(index, similarity)`` pairs, most similar first; ties keep the
        lower index first.

    Raises
    ------
    TypeError
        If ``k`` is not an int, or ``E`` or ``query`` is not numeric.
    ValueError
        If ``E`` is not 2-D or holds a zero row, ``query`` is an index out of
        range or a vector of the wrong size, or ``k`` is out of range.

    References
    ----------
    Mikolov et al. (2013), "Efficient estimation of word representations in
    vector space". arXiv:1301.3781.

    Examples
    --------
    >>> E = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]]
    >>> [(i, round(s, 3)) for i, s in nearest_neighbours(E, 0, k=2)]
    [(1, 0.994), (2, 0.0)]
    >>> [i for i, _ in nearest_neighbours(E, [1.0, 1.0], k=4)]
    [1, 0, 2, 3]
    """
    E_arr = _as_matrix(E, "E")
    if E_arr.ndim != 2:
        raise ValueError(f"E must be 2-D (N, d), got shape {E_arr.shape}")
    N = E_arr.shape[0]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"k must be an int, got {type(k).__name__}")

    index = _as_index(query)
    if index is not None:
        if not 0 <= index < N:
            raise ValueError(f"query index must be in [0, {N}), got {index}")
        q = E_arr[index]  # (d,)
    else:
        q = _as_matrix(query, "query")
        if q.ndim != 1:
            raise ValueError(f"query must be an index or a 1-D vector, got {q.shape}")
        if q.shape[0] != E_arr.shape[1]:
            raise ValueError(
                f"query has size {q.shape[0]} but the rows of E have size "
                f"{E_arr.shape[1]}"
            )
        if not np.any(q):
            raise ValueError("query is a zero vector; cosine similarity is undefined")

    sims = _unit_rows(E_arr, "E") @ (q / np.linalg.norm(q))  # (N, d) @ (d,) -> (N,)
    candidates = np.arange(N)
    if index is not None and exclude_self:
        candidates = candidates[candidates != index]
    if not 1 <= k <= candidates.size:
        raise ValueError(
            f"k must be between 1 and the number of candidates ({candidates.size}), "
            f"got {k}"
        )
    # stable sort on -similarity: ties keep the lower index first
    order = candidates[np.argsort(-sims[candidates], kind="stable")][:k]
    return [(int(i), float(np.clip(sims[i], -1.0, 1.0))) for i in order]


def _as_index(query: Any) -> int | None:
    """``query`` as a Python int if it is an integer scalar, else None."""
    if isinstance(query, (bool, np.bool_)):
        raise TypeError("query must be a row index (int) or a vector, got a bool")
    if isinstance(query, (int, np.integer)):
        return int(query)
    if hasattr(query, "ndim") and query.ndim == 0:
        dtype = str(getattr(query, "dtype", ""))
        if "int" in dtype:
            return operator.index(query)
        raise TypeError(
            f"query must be a row index (int) or a vector, got a scalar of {dtype}"
        )
    return None
