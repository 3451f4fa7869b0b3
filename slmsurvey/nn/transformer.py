r"""Multi-head attention and the pre-norm Transformer encoder and decoder layers.

.. math::

    \mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \ldots,
    \mathrm{head}_h)\, W^O, \qquad
    \mathrm{head}_i = \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V)

Each of the :math:`h` heads projects the inputs to :math:`d_k = d_{model}/h`
dimensions and runs :func:`~slmsurvey.nn.attention.scaled_dot_product_attention`
there, so different heads can look at different positions for different
reasons at the cost of one full-width attention.

Symbols and code: :math:`h` is ``n_heads``; ``W_Q``, ``W_K``, ``W_V`` and
``W_O`` are ``nn.Linear(d_model, d_model)`` layers whose ``weight`` is the
*transpose* of the paper's matrix (``nn.Linear`` computes :math:`x W^\top + b`)
and whose rows ``i*d_k:(i+1)*d_k`` belong to head *i*; :math:`W_1, b_1, W_2,
b_2` of the feed-forward network are ``W_1`` and ``W_2``.

Mask conventions: ``mask`` is True where attention is **allowed** (as in
:func:`~slmsurvey.nn.attention.scaled_dot_product_attention`);
``key_padding_mask`` is True at **padded** key positions, which are ignored.
(:class:`torch.nn.MultiheadAttention` takes the second convention for both.)

References
----------
Vaswani et al. (2017), "Attention is all you need", sec. 3.2.2, 3.3, 3.5.
arXiv:1706.03762. Xiong et al. (2020), "On layer normalization in the
Transformer architecture" (pre-norm). arXiv:2002.04745.
"""

# Shapes: B batch, T / T_q queries, T_k keys (and values), H heads,
#         d_model model width, d_k = d_model / H per-head width, d_ff FFN width.

from __future__ import annotations

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey.nn.attention import causal_mask, scaled_dot_product_attention

__all__ = [
    "MultiHeadAttention",
    "TransformerDecoderLayer",
    "TransformerEncoderLayer",
    "padding_mask",
    "sinusoidal_positional_encoding",
]


def _positive_int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _probability(value: object, name: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a float, got {type(value).__name__}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value}")
    return float(value)


def _check_bool(
    x: object, name: str, shape: tuple[int, ...] | None = None
) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dtype != torch.bool:
        raise TypeError(f"{name} must be a bool tensor, got {getattr(x, 'dtype', x)}")
    if shape is not None and tuple(x.shape) != shape:
        raise ValueError(f"{name} must have shape {shape}, got {tuple(x.shape)}")
    return x


def _check_sequence(x: object, name: str, d_model: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 3 or x.shape[-1] != d_model:
        raise ValueError(
            f"{name} must have shape (B, T, {d_model}), got {tuple(x.shape)}"
        )
    return x


def padding_mask(lengths: torch.Tensor, T: int | None = None) -> torch.Tensor:
    r"""Boolean padding mask from sequence lengths: True at padded positions.

    .. math:: \mathrm{pad}_{bt} = [\, t \ge L_b \,]

    Parameters
    ----------
    lengths : torch.Tensor of int, shape (B,)
        Valid lengths :math:`L_b`, each in [1, T].
    T : int, optional
        Padded length; defaults to ``max(lengths)``.

    Returns
    -------
    torch.Tensor of bool, shape (B, T)
        For the ``key_padding_mask`` / ``padding_mask`` arguments here.

    Examples
    --------
    >>> padding_mask(torch.tensor([3, 1]), 4).int().tolist()
    [[0, 0, 0, 1], [0, 1, 1, 1]]
    """
    if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point():
        raise TypeError("lengths must be an integer torch.Tensor")
    if lengths.ndim != 1 or lengths.numel() == 0:
        raise ValueError(f"lengths must have shape (B,), got {tuple(lengths.shape)}")
    T = int(lengths.max()) if T is None else _positive_int(T, "T")
    if bool((lengths < 1).any()) or bool((lengths > T).any()):
        raise ValueError(f"lengths must lie in [1, T={T}], got {lengths.tolist()}")
    t = torch.arange(T, device=lengths.device)  # (T,)
    return t[None, :] >= lengths[:, None]  # (B, T)


def sinusoidal_positional_encoding(
    T: int, d_model: int, *, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    r"""The fixed sinusoidal position encoding of Vaswani et al. (2017).

    .. math::

        PE_{(t, 2i)} = \sin\!\big(t\,\omega_i\big), \qquad
        PE_{(t, 2i+1)} = \cos\!\big(t\,\omega_i\big), \qquad
        \omega_i = 10000^{-2i/d_{model}}

    For each frequency :math:`\omega_i` the pair
    :math:`(PE_{t+k,2i}, PE_{t+k,2i+1})` is the pair at *t* rotated by the
    angle :math:`k\omega_i`, a linear map that depends on the offset *k*
    only, which is why the model "could easily learn to attend by relative
    positions". An odd ``d_model`` ends with a sine column.

    Parameters
    ----------
    T : int
        Number of positions :math:`t = 0, \ldots, T-1`.
    d_model : int
        Width of the encoding.
    dtype : torch.dtype, keyword-only
        Floating-point dtype of the result.

    Returns
    -------
    torch.Tensor, shape (T, d_model)
        Every entry lies in [-1, 1].

    References
    ----------
    Vaswani et al. (2017), sec. 3.5. arXiv:1706.03762.

    Examples
    --------
    >>> pe = sinusoidal_positional_encoding(2, 4)
    >>> pe[0].tolist()
    [0.0, 1.0, 0.0, 1.0]
    >>> [round(v, 4) for v in pe[1].tolist()]  # sin 1, cos 1, sin .01, cos .01
    [0.8415, 0.5403, 0.01, 1.0]
    """
    T, d_model = _positive_int(T, "T"), _positive_int(d_model, "d_model")
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch.dtype, got {dtype}")
    t = torch.arange(T, dtype=torch.float64)  # (T,)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (ceil(d_model/2),)
    omega = 10000.0 ** (-two_i / d_model)  # (ceil(d_model/2),)
    angle = t[:, None] * omega[None, :]  # (T, ceil(d_model/2))
    pe = torch.empty(T, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)  # even dims
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])  # odd dims
    return pe.to(dtype)


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention, batch first.

    .. math::

        \mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}_i\big(
        \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V)\big) W^O

    Parameters
    ----------
    d_model : int
        Model width; must be divisible by ``n_heads``.
    n_heads : int
        :math:`h`, the number of heads; each has :math:`d_k = d_{model}/h`.
    d_key, d_value : int, keyword-only
        Widths of the key and value inputs, when they come from another
        stream (torch's ``kdim`` and ``vdim``); both default to ``d_model``.
    dropout : float, keyword-only
        Dropout on the attention weights (training mode only).
    bias : bool, keyword-only
        Whether the four projections have biases.

    Attributes
    ----------
    W_Q, W_K, W_V, W_O : torch.nn.Linear
        The projections; ``W_Q.weight[i*d_k:(i+1)*d_k]`` is
        :math:`(W_i^Q)^\top`, and ``W_O.weight`` is :math:`(W^O)^\top`.

    References
    ----------
    Vaswani et al. (2017), sec. 3.2.2. arXiv:1706.03762.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> mha = MultiHeadAttention(d_model=8, n_heads=2)
    >>> x = torch.randn(3, 5, 8)
    >>> out, weights = mha(x, x, x, mask=causal_mask(5))
    >>> tuple(out.shape), tuple(weights.shape)
    ((3, 5, 8), (3, 2, 5, 5))
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        *,
        d_key: int | None = None,
        d_value: int | None = None,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.d_model = _positive_int(d_model, "d_model")
        self.n_heads = _positive_int(n_heads, "n_heads")
        self.d_key = d_model if d_key is None else _positive_int(d_key, "d_key")
        self.d_value = d_model if d_value is None else _positive_int(d_value, "d_value")
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads}"
            )
        self.d_k = d_model // n_heads
        self.dropout = _probability(dropout, "dropout")
        self.W_Q = nn.Linear(d_model, d_model, bias=bias)
        self.W_K = nn.Linear(self.d_key, d_model, bias=bias)
        self.W_V = nn.Linear(self.d_value, d_model, bias=bias)
        self.W_O = nn.Linear(d_model, d_model, bias=bias)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        x = x.reshape(B, T, self.n_heads, self.d_k)  # (B, T, H, d_k)
        return x.transpose(1, 2)  # (B, H, T, d_k)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        *,
        mask: torch.Tensor | None = None,
        key_padding_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        r"""Attend from ``query`` to ``key``/``value``.

        Parameters
        ----------
        query : torch.Tensor, shape (B, T_q, d_model)
        key : torch.Tensor, shape (B, T_k, d_key)
        value : torch.Tensor, shape (B, T_k, d_value)
        mask : torch.Tensor of bool, optional
            Shape (T_q, T_k), (B, T_q, T_k) or (B, H, T_q, T_k); True where
            attention is **allowed** (e.g. :func:`causal_mask`).
        key_padding_mask : torch.Tensor of bool, optional
            Shape (B, T_k); True at **padded** keys, which get weight 0.

        Returns
        -------
        output : torch.Tensor, shape (B, T_q, d_model)
        weights : torch.Tensor, shape (B, H, T_q, T_k)
            Per-head attention weights (before dropout); average over dim 1
            for torch's ``average_attn_weights=True``.

        Raises
        ------
        TypeError
            If an input is not a tensor or a mask is not boolean.
        ValueError
            If shapes disagree, or the masks leave some query no key.
        """
        _check_sequence(query, "query", self.d_model)
        _check_sequence(key, "key", self.d_key)
        _check_sequence(value, "value", self.d_value)
        B, T_q, _ = query.shape
        T_k = key.shape[1]
        if key.shape[0] != B or value.shape[:2] != key.shape[:2]:
            raise ValueError(
                f"key and value must both have shape ({B}, T_k, width): the "
                f"query's batch size and one length T_k; got {tuple(key.shape)} "
                f"and {tuple(value.shape)}"
            )
        allowed = torch.ones(1, 1, 1, 1, dtype=torch.bool, device=query.device)
        if mask is not None:
            shapes = [(T_q, T_k), (B, T_q, T_k), (B, self.n_heads, T_q, T_k)]
            _check_bool(mask, "mask")
            if tuple(mask.shape) not in shapes:
                raise ValueError(
                    f"mask must have a shape in {shapes}, got {mask.shape}"
                )
            if mask.ndim == 3:
                mask = mask[:, None]  # (B, 1, T_q, T_k)
            allowed = allowed & mask  # (B or 1, H or 1, T_q, T_k)
        if key_padding_mask is not None:
            _check_bool(key_padding_mask, "key_padding_mask", (B, T_k))
            allowed = allowed & ~key_padding_mask[:, None, None, :]  # (B, ., ., T_k)

        # head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V), all heads at once
        q = self._split_heads(self.W_Q(query))  # (B, H, T_q, d_k)
        k = self._split_heads(self.W_K(key))  # (B, T_k, d_key) -> (B, H, T_k, d_k)
        v = self._split_heads(self.W_V(value))  # (B, T_k, d_value) -> (B, H, T_k, d_k)
        try:
            heads, weights = scaled_dot_product_attention(
                q, k, v, mask=allowed, dropout=self.dropout if self.training else 0.0
            )
        except ValueError as err:
            raise ValueError(
                f"mask and key_padding_mask leave a query with no key: {err}"
            ) from err
        # Concat(head_1, ..., head_h) W^O
        concat = heads.transpose(1, 2).reshape(B, T_q, self.d_model)  # (B, T_q, d)
        return self.W_O(concat), weights

    @torch.no_grad()
    def copy_from_torch(self, source: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a :class:`torch.nn.MultiheadAttention`; return self.

        With equal query, key and value widths ``source.in_proj_weight``
        (3 d_model, d_model) stacks the weights of :math:`W^Q`, :math:`W^K`,
        :math:`W^V` in that order; with ``kdim``/``vdim`` they are
        ``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight``.
        ``out_proj`` is :math:`W^O`. ``source`` must have the same
        ``d_model``, ``n_heads``, key and value widths, matching biases, and
        no ``add_bias_kv`` / ``add_zero_attn``.
        """
        if not isinstance(source, nn.MultiheadAttention):
            raise TypeError(
                "source must be a torch.nn.MultiheadAttention, "
                f"got {type(source).__name__}"
            )
        ours = (self.d_model, self.n_heads, self.d_key, self.d_value)
        theirs = (source.embed_dim, source.num_heads, source.kdim, source.vdim)
        if theirs != ours:
            raise ValueError(
                "source has embed_dim={}, num_heads={}, kdim={}, vdim={}; "
                "expected {}, {}, {}, {}".format(*theirs, *ours)
            )
        if (
            source.bias_k is not None
            or source.add_zero_attn
            or (source.in_proj_bias is None) != (self.W_Q.bias is None)
        ):
            raise ValueError(
                "source must have no add_bias_kv or add_zero_attn, and biases "
                "iff this module has them"
            )
        d = self.d_model
        if source._qkv_same_embed_dim:
            weights = [source.in_proj_weight[j * d : (j + 1) * d] for j in range(3)]
        else:
            weights = [source.q_proj_weight, source.k_proj_weight, source.v_proj_weight]
        for j, (W, weight) in enumerate(
            zip((self.W_Q, self.W_K, self.W_V), weights, strict=True)
        ):
            W.weight.copy_(weight)
            if W.bias is not None:
                W.bias.copy_(source.in_proj_bias[j * d : (j + 1) * d])
        self.W_O.weight.copy_(source.out_proj.weight)
        if self.W_O.bias is not None:
            self.W_O.bias.copy_(source.out_proj.bias)
        return self


class _FeedForward(nn.Module):
    """Position-wise FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, with dropout inside."""

    def __init__(self, d_model: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.W_1 = nn.Linear(d_model, d_ff)  # weight (d_ff, d_model)
        self.W_2 = nn.Linear(d_ff, d_model)  # weight (d_model, d_ff)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.W_2(self.dropout(torch.relu(self.W_1(x))))  # (B, T, d_model)

    @torch.no_grad()
    def copy_from_torch(self, linear1: nn.Linear, linear2: nn.Linear) -> None:
        for ours, theirs in ((self.W_1, linear1), (self.W_2, linear2)):
            ours.load_state_dict(theirs.state_dict())


def _check_torch_layer(source: nn.Module, cls: type, self: nn.Module) -> None:
    if not isinstance(source, cls):
        raise TypeError(
            f"source must be a torch.nn.{cls.__name__}, got {type(source).__name__}"
        )
    if not source.norm_first or source.activation is not torch_F.relu:
        raise ValueError("source must have norm_first=True and activation='relu'")
    if source.linear1.out_features != self.feed_forward.W_1.out_features:
        raise ValueError(
            f"source has dim_feedforward={source.linear1.out_features}, "
            f"expected {self.feed_forward.W_1.out_features}"
        )


class TransformerEncoderLayer(nn.Module):
    r"""A pre-norm Transformer encoder layer.

    .. math::

        x' = x + \mathrm{MultiHead}(\mathrm{LN}_1(x), \mathrm{LN}_1(x),
        \mathrm{LN}_1(x)), \qquad
        y = x' + \mathrm{FFN}(\mathrm{LN}_2(x')),

    with :math:`\mathrm{FFN}(x) = \max(0, x W_1 + b_1) W_2 + b_2`. Pre-norm
    (LayerNorm inside the residual branch) trains without a warm-up; the
    original paper normalised after the residual sum.

    Parameters
    ----------
    d_model, n_heads : int
        Width and number of heads of the self-attention.
    d_ff : int
        Hidden width of the FFN.
    dropout : float, keyword-only
        On the attention weights, the FFN hidden layer and both branches.

    Attributes
    ----------
    self_attn : MultiHeadAttention
    norm1, norm2 : torch.nn.LayerNorm
        :math:`\mathrm{LN}_1`, :math:`\mathrm{LN}_2`.
    feed_forward : torch.nn.Module
        With ``W_1`` and ``W_2`` (``nn.Linear``).

    References
    ----------
    Vaswani et al. (2017), sec. 3.1, 3.3. arXiv:1706.03762. Xiong et al.
    (2020), arXiv:2002.04745.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> layer = TransformerEncoderLayer(d_model=8, n_heads=2, d_ff=16)
    >>> x = torch.randn(2, 5, 8)
    >>> tuple(layer(x, key_padding_mask=padding_mask(torch.tensor([5, 3]))).shape)
    (2, 5, 8)
    """

    def __init__(
        self, d_model: int, n_heads: int, d_ff: int, *, dropout: float = 0.0
    ) -> None:
        super().__init__()
        _positive_int(d_ff, "d_ff")
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.feed_forward = _FeedForward(d_model, d_ff, dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        *,
        mask: torch.Tensor | None = None,
        key_padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Encode ``x`` of shape (B, T, d_model); return the same shape.

        ``mask`` (True = allowed) and ``key_padding_mask`` (B, T) (True =
        padded) are passed to the self-attention; outputs at padded
        positions are not meaningful.
        """
        _check_sequence(x, "x", self.norm1.normalized_shape[0])
        h = self.norm1(x)  # (B, T, d_model)
        a, _ = self.self_attn(h, h, h, mask=mask, key_padding_mask=key_padding_mask)
        x = x + self.dropout1(a)
        return x + self.dropout2(self.feed_forward(self.norm2(x)))

    @torch.no_grad()
    def copy_from_torch(
        self, source: nn.TransformerEncoderLayer
    ) -> TransformerEncoderLayer:
        """Copy a ``torch.nn.TransformerEncoderLayer(norm_first=True)``; return self."""
        _check_torch_layer(source, nn.TransformerEncoderLayer, self)
        self.self_attn.copy_from_torch(source.self_attn)
        self.norm1.load_state_dict(source.norm1.state_dict())
        self.norm2.load_state_dict(source.norm2.state_dict())
        self.feed_forward.copy_from_torch(source.linear1, source.linear2)
        return self


class TransformerDecoderLayer(nn.Module):
    r"""A pre-norm Transformer decoder layer: causal self-attention, then cross.

    .. math::

        y' &= y + \mathrm{MultiHead}_{causal}(\mathrm{LN}_1(y)) \\
        y'' &= y' + \mathrm{MultiHead}(\mathrm{LN}_2(y'), m, m) \\
        z &= y'' + \mathrm{FFN}(\mathrm{LN}_3(y''))

    where :math:`m` is the encoder output ("memory"). Position *t* of the
    self-attention sees targets :math:`0..t` only, so output *t* never
    depends on later targets.

    Parameters
    ----------
    d_model, n_heads, d_ff : int
        As in :class:`TransformerEncoderLayer`.
    dropout : float, keyword-only

    Attributes
    ----------
    self_attn, cross_attn : MultiHeadAttention
    norm1, norm2, norm3 : torch.nn.LayerNorm
    feed_forward : torch.nn.Module

    References
    ----------
    Vaswani et al. (2017), sec. 3.1. arXiv:1706.03762.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> layer = TransformerDecoderLayer(d_model=8, n_heads=2, d_ff=16)
    >>> y, memory = torch.randn(2, 4, 8), torch.randn(2, 6, 8)
    >>> tuple(layer(y, memory).shape)
    (2, 4, 8)
    """

    def __init__(
        self, d_model: int, n_heads: int, d_ff: int, *, dropout: float = 0.0
    ) -> None:
        super().__init__()
        _positive_int(d_ff, "d_ff")
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.feed_forward = _FeedForward(d_model, d_ff, dropout)
        self.dropouts = nn.ModuleList(nn.Dropout(dropout) for _ in range(3))

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        *,
        key_padding_mask: torch.Tensor | None = None,
        memory_key_padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Decode targets ``y`` (B, T, d_model) against ``memory`` (B, T_k, d_model).

        ``key_padding_mask`` (B, T) marks padded targets and
        ``memory_key_padding_mask`` (B, T_k) padded memory frames (True =
        padded). Returns shape (B, T, d_model).
        """
        _check_sequence(y, "y", self.norm1.normalized_shape[0])
        h = self.norm1(y)  # (B, T, d_model)
        mask = causal_mask(y.shape[1], device=y.device)  # (T, T)
        a, _ = self.self_attn(h, h, h, mask=mask, key_padding_mask=key_padding_mask)
        y = y + self.dropouts[0](a)
        h = self.norm2(y)  # (B, T, d_model)
        c, _ = self.cross_attn(
            h, memory, memory, key_padding_mask=memory_key_padding_mask
        )
        y = y + self.dropouts[1](c)
        return y + self.dropouts[2](self.feed_forward(self.norm3(y)))

    @torch.no_grad()
    def copy_from_torch(
        self, source: nn.TransformerDecoderLayer
    ) -> TransformerDecoderLayer:
        """Copy a ``torch.nn.TransformerDecoderLayer(norm_first=True)``; return self."""
        _check_torch_layer(source, nn.TransformerDecoderLayer, self)
        self.self_attn.copy_from_torch(source.self_attn)
        self.cross_attn.copy_from_torch(source.multihead_attn)
        for ours, theirs in zip(
            (self.norm1, self.norm2, self.norm3),
            (source.norm1, source.norm2, source.norm3),
            strict=True,
        ):
            ours.load_state_dict(theirs.state_dict())
        self.feed_forward.copy_from_torch(source.linear1, source.linear2)
        return self
