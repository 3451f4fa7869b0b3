r"""Scaled dot-product attention, the core of the Transformer.

.. math::

    \mathrm{Attention}(Q, K, V)
    = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V

Each of the :math:`T_q` queries (rows of :math:`Q`) is compared with each of
the :math:`T_k` keys (rows of :math:`K`); the softmax turns a row of scores into
weights that sum to 1, and the output is the weighted mean of the values
(rows of :math:`V`). Dividing by :math:`\sqrt{d_k}` keeps the scores' variance
near 1 when the entries of :math:`Q` and :math:`K` have unit variance, so the
softmax does not saturate.

This module is the functional core; a multi-head attention module owns the
projection matrices and calls :func:`scaled_dot_product_attention`.

References
----------
Vaswani, Shazeer, Parmar, Uszkoreit, Jones, Gomez, Kaiser & Polosukhin (2017),
"Attention is all you need", NeurIPS. arXiv:1706.03762.
"""

# Shapes: ... any batch dims (e.g. B batch, H heads), T_q queries, T_k keys,
#         d_k query/key size, d_v value size, T sequence length.

from __future__ import annotations

import math

import torch
import torch.nn.functional as torch_F

__all__ = ["causal_mask", "scaled_dot_product_attention"]


def _check_tensor(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {x.dtype}")
    if x.ndim < 2:
        raise ValueError(
            f"{name} must have at least 2 dims (..., T, d), got shape {tuple(x.shape)}"
        )
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    dropout: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Scaled dot-product attention, returning the output and the weights.

    .. math::

        A = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}
            + M\right), \qquad
        \mathrm{Attention}(Q, K, V) = A V,

    where :math:`M_{ij} = 0` where ``mask[i, j]`` is True (query *i* may
    attend to key *j*) and :math:`-\infty` where it is False, so masked keys
    get weight exactly 0.

    Parameters
    ----------
    q : torch.Tensor, shape (..., T_q, d_k)
        Queries :math:`Q`, floating point.
    k : torch.Tensor, shape (..., T_k, d_k)
        Keys :math:`K`, same dtype as ``q``.
    v : torch.Tensor, shape (..., T_k, d_v)
        Values :math:`V`, same dtype as ``q``.
    mask : torch.Tensor of bool, optional
        Broadcastable to (..., T_q, T_k). True where attention is **allowed**,
        the convention of the boolean ``attn_mask`` of
        :func:`torch.nn.functional.scaled_dot_product_attention`. Every query
        must be allowed at least one key. ``None`` allows everything.
    dropout : float, keyword-only
        Probability in [0, 1) of zeroing each weight of :math:`A` before it
        multiplies :math:`V` (the survivors scaled by 1 / (1 - p)); pass a
        positive value only while training. The returned weights are the
        ones before dropout.

    Returns
    -------
    output : torch.Tensor, shape (..., T_q, d_v)
        :math:`A V`.
    weights : torch.Tensor, shape (..., T_q, T_k)
        The attention weights :math:`A`; each row sums to 1.

    Raises
    ------
    TypeError
        If an input is not a tensor, ``q``, ``k``, ``v`` are not floating
        point with one dtype, or ``mask`` is not boolean.
    ValueError
        If the shapes disagree (``k`` and ``q`` on d_k, ``v`` and ``k`` on
        T_k, batch dims that do not broadcast, a ``mask`` that does not
        broadcast to (..., T_q, T_k)), an input holds NaN or infinity, or
        ``mask`` forbids every key for some query (the softmax would be NaN).

    References
    ----------
    Vaswani et al. (2017), "Attention is all you need", eq. (1).
    arXiv:1706.03762.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 3)
    >>> out, weights = scaled_dot_product_attention(q, k, v)
    >>> tuple(out.shape), tuple(weights.shape)
    ((2, 4, 3), (2, 4, 6))
    >>> torch.allclose(weights.sum(-1), torch.ones(2, 4))
    True

    With a causal mask the first query can only see the first key:

    >>> x = torch.randn(5, 8)
    >>> out, weights = scaled_dot_product_attention(x, x, x, mask=causal_mask(5))
    >>> weights[0].tolist()
    [1.0, 0.0, 0.0, 0.0, 0.0]
    """
    _check_tensor(q, "q")
    _check_tensor(k, "k")
    _check_tensor(v, "v")
    if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    for name, x in (("k", k), ("v", v)):
        if x.dtype != q.dtype:
            raise TypeError(f"{name} has dtype {x.dtype} but q has dtype {q.dtype}")
    T_q, d_k = q.shape[-2:]
    T_k = k.shape[-2]
    if k.shape[-1] != d_k:
        raise ValueError(
            f"k must have the same last dim d_k as q: q has d_k={d_k}, "
            f"k has {k.shape[-1]}"
        )
    if d_k == 0:
        raise ValueError("q and k must have d_k >= 1, got d_k=0")
    if v.shape[-2] != T_k:
        raise ValueError(
            f"v must have as many rows (T_k) as k: k has T_k={T_k}, v has {v.shape[-2]}"
        )
    if T_k == 0:
        raise ValueError("k and v must hold at least one key (T_k >= 1), got 0")
    try:
        batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError as err:
        raise ValueError(
            "the batch dims of q, k and v do not broadcast: "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        ) from err
    scores_shape = (*batch, T_q, T_k)

    # eq. (1): scores Q K^T / sqrt(d_k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., T_q, T_k)

    if mask is not None:
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
        if mask.dtype != torch.bool:
            raise TypeError(
                f"mask must have dtype torch.bool (True = may attend), got {mask.dtype}"
            )
        try:
            fits = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to "
                f"(..., T_q, T_k) = {scores_shape}"
            )
        if not bool(mask.any(dim=-1).all()):
            raise ValueError(
                "mask forbids every key for at least one query row; its softmax "
                "would be NaN (allow at least one key per query)"
            )
        # masked keys get score -inf, hence weight exactly 0
        scores = scores.masked_fill(~mask, -math.inf)  # (..., T_q, T_k)

    weights = torch.softmax(scores, dim=-1)  # (..., T_q, T_k)
    kept = torch_F.dropout(weights, dropout) if dropout > 0 else weights
    output = kept @ v  # (..., T_q, T_k) @ (..., T_k, d_v) -> (..., T_q, d_v)
    return output, weights


def causal_mask(T: int, device: torch.device | str | None = None) -> torch.Tensor:
    r"""Boolean causal mask: position *i* may attend to positions *j <= i*.

    .. math::

        \mathrm{mask}_{ij} = [\, j \le i \,], \qquad 0 \le i, j < T

    Parameters
    ----------
    T : int
        Sequence length, at least 1.
    device : torch.device or str, optional
        Where to create the mask.

    Returns
    -------
    torch.Tensor of bool, shape (T, T)
        Lower-triangular (diagonal included), True where attention is allowed,
        ready for the ``mask`` argument of :func:`scaled_dot_product_attention`.

    Raises
    ------
    TypeError
        If ``T`` is not an int.
    ValueError
        If ``T < 1``.

    References
    ----------
    Vaswani et al. (2017), "Attention is all you need", sec. 3.2.3.
    arXiv:1706.03762.

    Examples
    --------
    >>> causal_mask(3).int().tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    if not isinstance(T, int) or isinstance(T, bool):
        raise TypeError(f"T must be an int, got {type(T).__name__}")
    if T < 1:
        raise ValueError(f"T must be at least 1, got {T}")
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()  # (T, T)
