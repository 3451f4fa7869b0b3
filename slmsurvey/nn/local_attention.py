r"""Local (sliding-window) attention: each position attends to its neighbours.

Full self-attention compares every position with every other, so its scores
:math:`Q K^\top` form a :math:`T \times T` matrix: time and memory grow with
:math:`T^2`. Local attention keeps only a band of half-width :math:`w` around
the diagonal,

.. math::

    \mathrm{mask}_{ij} = [\, |i - j| \le w \,], \qquad
    \mathrm{LocalAttention}(Q, K, V)_i
    = \sum_{j=\max(0, i-w)}^{\min(T-1, i+w)}
      \mathrm{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d_k}}\right) v_j,

so each position scores at most :math:`2w + 1` keys and the cost is
:math:`O(T\,w)`: linear in :math:`T` for a fixed window. This is the
sliding-window pattern of Longformer (Beltagy et al. 2020), which adds a few
global positions on top; stacking :math:`N` such layers lets information
travel :math:`N w` positions.

:func:`local_attention_mask` builds the band as a boolean (T, T) mask for
:func:`~slmsurvey.nn.attention.scaled_dot_product_attention` (which still
computes all :math:`T^2` scores and then discards most of them);
:func:`local_attention` computes the band only; :func:`attention_score_count`
counts the scores either one computes.

Symbols and code: :math:`w` is ``window``; :math:`W = 2w + 1` is the number of
slots per query (slots outside the sequence are masked).

References
----------
Beltagy, Peters & Cohan (2020), "Longformer: the long-document Transformer".
arXiv:2004.05150. Vaswani et al. (2017), "Attention is all you need".
arXiv:1706.03762.
"""

# Shapes: ... any batch dims (e.g. B batch, H heads), T positions,
#         W = 2 w + 1 window slots, d_k query/key size, d_v value size.

from __future__ import annotations

import math

import torch
import torch.nn.functional as torch_F

from slmsurvey._checks import check_int
from slmsurvey.nn.attention import _check_tensor

__all__ = ["attention_score_count", "local_attention", "local_attention_mask"]


def local_attention_mask(
    T: int, window: int, device: torch.device | str | None = None
) -> torch.Tensor:
    r"""Boolean band mask: position *i* may attend to *j* when :math:`|i-j| \le w`.

    .. math::

        \mathrm{mask}_{ij} = [\, |i - j| \le w \,], \qquad 0 \le i, j < T

    Parameters
    ----------
    T : int
        Sequence length, at least 1.
    window : int
        Half-width :math:`w \ge 0` of the band (0: each position sees itself).
    device : torch.device or str, optional
        Where to create the mask.

    Returns
    -------
    torch.Tensor of bool, shape (T, T)
        True where attention is allowed, for the ``mask`` argument of
        :func:`~slmsurvey.nn.attention.scaled_dot_product_attention`.

    Raises
    ------
    TypeError
        If ``T`` or ``window`` is not an int.
    ValueError
        If ``T < 1`` or ``window < 0``.

    References
    ----------
    Beltagy et al. (2020), "Longformer", sec. 3.1. arXiv:2004.05150.

    Examples
    --------
    >>> local_attention_mask(4, 1).int().tolist()
    [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]]
    """
    T = check_int(T, "T", 1)
    window = check_int(window, "window", 0)
    i = torch.arange(T, device=device)
    return (i[:, None] - i[None, :]).abs() <= window  # (T, T)


def attention_score_count(T: int, window: int | None = None) -> int:
    r"""How many query-key scores self-attention over T positions computes.

    .. math::

        N_{\mathrm{full}} = T^2, \qquad
        N_{\mathrm{local}} = \sum_{i=0}^{T-1}
        \bigl(\min(T-1, i+w) - \max(0, i-w) + 1\bigr)
        \approx T\,(2w + 1)

    Parameters
    ----------
    T : int
        Sequence length, at least 1.
    window : int, optional
        Half-width :math:`w \ge 0`; ``None`` counts full attention.

    Returns
    -------
    int
        The number of allowed (query, key) pairs: the number of ``True``
        entries of :func:`local_attention_mask`.

    Raises
    ------
    TypeError
        If ``T`` or ``window`` is not an int.
    ValueError
        If ``T < 1`` or ``window < 0``.

    Examples
    --------
    >>> attention_score_count(1000), attention_score_count(1000, window=8)
    (1000000, 16928)
    """
    T = check_int(T, "T", 1)
    if window is None:
        return T * T
    w = min(check_int(window, "window", 0), T - 1)
    # every row has 2w + 1 keys, less the w(w+1)/2 missing at each end
    return T * (2 * w + 1) - w * (w + 1)


def local_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int
) -> torch.Tensor:
    r"""Self-attention restricted to a band, computing only the band.

    .. math::

        \mathrm{LocalAttention}(Q, K, V)_i
        = \sum_{|j - i| \le w}
          \mathrm{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d_k}}\right) v_j

    The keys and values are padded by :math:`w` on each side and viewed as
    :math:`T` windows of :math:`W = 2w + 1` slots (a strided view, no copy);
    each query is scored against its own window only, so time and memory
    are :math:`O(T\,W\,d)` instead of :math:`O(T^2 d)`. The result equals
    :func:`~slmsurvey.nn.attention.scaled_dot_product_attention` with
    ``mask=local_attention_mask(T, window)``, and full attention when
    :math:`w \ge T - 1`.

    Parameters
    ----------
    q : torch.Tensor, shape (..., T, d_k)
        Queries :math:`Q`, floating point.
    k : torch.Tensor, shape (..., T, d_k)
        Keys :math:`K` of the same positions (self-attention), same dtype.
    v : torch.Tensor, shape (..., T, d_v)
        Values :math:`V`, same dtype.
    window : int
        Half-width :math:`w \ge 0`.

    Returns
    -------
    torch.Tensor, shape (..., T, d_v)

    Raises
    ------
    TypeError
        If an input is not a floating-point tensor, the dtypes differ, or
        ``window`` is not an int.
    ValueError
        If ``window < 0``, an input holds NaN or infinity, or the shapes
        disagree (T, d_k or batch dims).

    References
    ----------
    Beltagy et al. (2020), "Longformer: the long-document Transformer",
    sec. 3.1. arXiv:2004.05150.

    Examples
    --------
    >>> from slmsurvey.nn.attention import scaled_dot_product_attention
    >>> _ = torch.manual_seed(0)
    >>> q, k, v = torch.randn(3, 2, 10, 4).unbind(0)  # each (2, 10, 4)
    >>> out = local_attention(q, k, v, window=2)
    >>> tuple(out.shape)
    (2, 10, 4)
    >>> mask = local_attention_mask(10, 2)
    >>> ref, _ = scaled_dot_product_attention(q, k, v, mask=mask)
    >>> torch.allclose(out, ref, atol=1e-6)
    True
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        _check_tensor(x, name)
        if x.dtype != q.dtype:
            raise TypeError(f"{name} has dtype {x.dtype} but q has dtype {q.dtype}")
    window = check_int(window, "window", 0)
    T, d_k = q.shape[-2:]
    if k.shape[-2:] != (T, d_k):
        raise ValueError(
            f"k must have shape (..., T, d_k) = (..., {T}, {d_k}) like q, "
            f"got {tuple(k.shape)}"
        )
    if v.shape[-2] != T:
        raise ValueError(f"v must have T = {T} rows like q, got {tuple(v.shape)}")
    if d_k == 0 or T == 0:
        raise ValueError(f"q must have T >= 1 and d_k >= 1, got {tuple(q.shape)}")
    try:
        batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError as err:
        raise ValueError(
            "the batch dims of q, k and v do not broadcast: "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        ) from err
    q = q.expand(*batch, T, d_k)
    k = k.expand(*batch, T, d_k)
    v = v.expand(*batch, T, v.shape[-1])

    w = min(window, T - 1)  # a wider band holds no more keys
    W = 2 * w + 1
    # pad w rows before and after, then slide a window of W rows
    k_pad = torch_F.pad(k, (0, 0, w, w))  # (..., T + 2w, d_k)
    v_pad = torch_F.pad(v, (0, 0, w, w))  # (..., T + 2w, d_v)
    k_win = k_pad.unfold(-2, W, 1)  # (..., T, d_k, W): slot s is key i - w + s
    v_win = v_pad.unfold(-2, W, 1)  # (..., T, d_v, W)

    # eq. (1) on the band: q_i . k_j / sqrt(d_k) for the W slots of row i
    scores = (q.unsqueeze(-2) @ k_win).squeeze(-2) / math.sqrt(d_k)  # (..., T, W)
    i = torch.arange(T, device=q.device)
    pos = i[:, None] - w + torch.arange(W, device=q.device)  # (T, W): key index
    outside = (pos < 0) | (pos >= T)  # padded slots
    scores = scores.masked_fill(outside, -math.inf)  # (..., T, W)
    A = torch.softmax(scores, dim=-1)  # (..., T, W)
    # (..., T, 1, W) @ (..., T, W, d_v) -> (..., T, 1, d_v)
    return (A.unsqueeze(-2) @ v_win.transpose(-2, -1)).squeeze(-2)  # (..., T, d_v)
