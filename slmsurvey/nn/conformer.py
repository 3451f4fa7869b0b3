r"""The Conformer: convolution-augmented Transformer blocks for speech.

Self-attention relates frames far apart; a depthwise convolution models the
local patterns (formant transitions, short phones) that attention learns
poorly. A Conformer block sandwiches both between two half-step
("macaron") feed-forward modules:

.. math::

    \tilde x &= x + \tfrac12 \mathrm{FFN}(x) \\
    x' &= \tilde x + \mathrm{MHSA}(\tilde x) \\
    x'' &= x' + \mathrm{Conv}(x') \\
    y &= \mathrm{LayerNorm}\big(x'' + \tfrac12 \mathrm{FFN}(x'')\big)

Choices made here, and where they differ from the paper:

* **Positions.** The paper uses Transformer-XL relative positional encoding
  inside MHSA. Here the sinusoidal *absolute* encoding of Vaswani et al. is
  added to the (layer-normalised) attention input of every block, which is
  simpler and keeps the block a function of the frame index only.
* **Normalisation in the convolution module.** ``norm="batch"`` (the paper)
  or ``norm="layer"``. In eval mode both act frame by frame, so a padded
  batch gives exactly the per-utterance results; in training mode BatchNorm's
  statistics mix utterances and include padded frames, LayerNorm's do not.
* **Padding.** ``padding_mask`` (B, T) is True at padded frames. Padded keys
  get attention weight 0, and padded frames are zeroed before the depthwise
  convolution, so they never leak into real frames. Outputs at padded frames
  are not meaningful.
* **Causal mode** (``causal=True``, for streaming): a causal attention mask
  and a left-padded depthwise convolution, so output *t* depends on inputs
  :math:`\le t` only (with BatchNorm in eval mode).

References
----------
Gulati et al. (2020), "Conformer: Convolution-augmented Transformer for speech
recognition", Interspeech. arXiv:2005.08100. Ramachandran, Zoph & Le (2017),
"Searching for activation functions" (Swish). arXiv:1710.05941. Dauphin et al.
(2017), "Language modeling with gated convolutional networks" (GLU).
arXiv:1612.08083.
"""

# Shapes: B batch, T frames, F input features, d_model model width (also the
#         channel count C of the convolutions), d_ff FFN width, k kernel size,
#         T' = T // 4 roughly, F' likewise, after subsampling.

from __future__ import annotations

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey.nn.attention import causal_mask
from slmsurvey.nn.transformer import (
    MultiHeadAttention,
    _check_bool,
    _check_sequence,
    _positive_int,
    _probability,
    sinusoidal_positional_encoding,
)

__all__ = ["ConformerBlock", "ConvSubsampling", "ConvolutionModule"]


def _mask_frames(x: torch.Tensor, padding_mask: torch.Tensor | None) -> torch.Tensor:
    """Zero the padded frames of ``x`` (B, T, ...)."""
    if padding_mask is None:
        return x
    shape = padding_mask.shape + (1,) * (x.ndim - 2)
    return x.masked_fill(padding_mask.reshape(shape), 0.0)


class ConvSubsampling(nn.Module):
    r"""Two stride-2 3x3 convolutions: 4x fewer frames, then a linear layer.

    .. math::

        T_1 = \left\lfloor \frac{T - 1}{2} \right\rfloor, \qquad
        T' = \left\lfloor \frac{T_1 - 1}{2} \right\rfloor

    (each ``Conv2d(kernel 3, stride 2)`` without padding maps *n* frames to
    :math:`\lfloor (n - 3)/2 \rfloor + 1 = \lfloor (n-1)/2 \rfloor`); the
    feature axis shrinks the same way to :math:`F'`, and a linear layer
    maps the :math:`d_{model} F'` values of each frame to :math:`d_{model}`.
    An output frame only sees input frames :math:`4t' .. 4t'+6`, so valid
    outputs never see padding.

    Parameters
    ----------
    in_features : int
        F, e.g. the number of mel bins; at least 7.
    d_model : int
        Output width (and number of convolution channels).

    References
    ----------
    Gulati et al. (2020), fig. 1. arXiv:2005.08100.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> sub = ConvSubsampling(in_features=40, d_model=16)
    >>> y, lengths = sub(torch.randn(2, 100, 40), torch.tensor([100, 61]))
    >>> tuple(y.shape), lengths.tolist()
    ((2, 24, 16), [24, 14])
    >>> sub.output_lengths(7)
    1
    """

    def __init__(self, in_features: int, d_model: int) -> None:
        super().__init__()
        _positive_int(in_features, "in_features")
        if in_features < 7:
            raise ValueError(f"in_features must be at least 7, got {in_features}")
        self.in_features = in_features
        self.d_model = _positive_int(d_model, "d_model")
        self.conv1 = nn.Conv2d(1, d_model, kernel_size=3, stride=2)
        self.conv2 = nn.Conv2d(d_model, d_model, kernel_size=3, stride=2)
        self.linear = nn.Linear(d_model * self.output_lengths(in_features), d_model)

    @staticmethod
    def output_lengths(lengths: int | torch.Tensor) -> int | torch.Tensor:
        """Frames left after subsampling: ``((lengths - 1) // 2 - 1) // 2``."""
        if isinstance(lengths, torch.Tensor):
            if lengths.is_floating_point():
                raise TypeError(f"lengths must hold integers, got {lengths.dtype}")
        elif not isinstance(lengths, int) or isinstance(lengths, bool):
            raise TypeError(f"lengths must be an int or tensor, got {type(lengths)}")
        return ((lengths - 1) // 2 - 1) // 2

    def forward(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Subsample ``x`` (B, T, F) with valid ``lengths`` (B,), default all T.

        Returns ``y`` (B, T', d_model) and the output lengths (B,). Raises
        ``ValueError`` if a length is below 7 (no output frame) or above T.
        """
        _check_sequence(x, "x", self.in_features)
        B, T, _ = x.shape
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long, device=x.device)
        if not isinstance(lengths, torch.Tensor) or lengths.shape != (B,):
            raise ValueError(f"lengths must be a tensor of shape ({B},)")
        if bool((lengths < 7).any()) or bool((lengths > T).any()):
            raise ValueError(f"lengths must lie in [7, T={T}], got {lengths.tolist()}")
        t = torch.arange(T, device=x.device)  # (T,)
        x = _mask_frames(x, t[None, :] >= lengths[:, None])  # (B, T, F)
        h = torch.relu(self.conv1(x.unsqueeze(1)))  # (B, 1, T, F) -> (B, C, T_1, F_1)
        h = torch.relu(self.conv2(h))  # (B, C, T', F')
        B, C, T_out, F_out = h.shape
        h = h.permute(0, 2, 1, 3).reshape(B, T_out, C * F_out)  # (B, T', C F')
        return self.linear(h), self.output_lengths(lengths)  # (B, T', d_model)


class ConvolutionModule(nn.Module):
    r"""The Conformer convolution module, with padding masks.

    .. math::

        \mathrm{Conv}(x) = \mathrm{PW}_2\big(\mathrm{Swish}(\mathrm{Norm}(
        \mathrm{DW}(\mathrm{GLU}(\mathrm{PW}_1(\mathrm{LN}(x)))))))\big),

    with :math:`\mathrm{GLU}(a, b) = a \odot \sigma(b)` over the two halves
    of the :math:`2 d_{model}` channels of pointwise conv :math:`\mathrm{PW}_1`,
    a depthwise (one filter per channel) convolution :math:`\mathrm{DW}` of
    width *k*, and :math:`\mathrm{Swish}(z) = z\,\sigma(z)`, followed by
    dropout. Padded frames are zeroed before :math:`\mathrm{DW}`, exactly as
    the convolution's own zero padding would see them.

    Parameters
    ----------
    d_model : int
        Channels C.
    kernel_size : int
        k; odd unless ``causal`` (the centred filter needs (k-1)/2 frames on
        each side; the causal one k-1 on the left).
    causal : bool, keyword-only
    norm : {"batch", "layer"}, keyword-only
        BatchNorm (the paper) or LayerNorm after the depthwise convolution.
    dropout : float, keyword-only

    References
    ----------
    Gulati et al. (2020), sec. 2.2, fig. 2. arXiv:2005.08100.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> conv = ConvolutionModule(d_model=8, kernel_size=5, causal=True)
    >>> tuple(conv(torch.randn(2, 10, 8)).shape)
    (2, 10, 8)
    """

    def __init__(
        self,
        d_model: int,
        kernel_size: int,
        *,
        causal: bool = False,
        norm: str = "batch",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.d_model = _positive_int(d_model, "d_model")
        self.kernel_size = _positive_int(kernel_size, "kernel_size")
        if not causal and kernel_size % 2 == 0:
            raise ValueError(
                "kernel_size must be odd for a non-causal convolution, "
                f"got {kernel_size}"
            )
        if norm not in ("batch", "layer"):
            raise ValueError(f"norm must be 'batch' or 'layer', got {norm!r}")
        self.causal = bool(causal)
        self.layer_norm = nn.LayerNorm(d_model)
        self.pointwise_conv1 = nn.Conv1d(d_model, 2 * d_model, kernel_size=1)
        self.depthwise_conv = nn.Conv1d(
            d_model, d_model, kernel_size, groups=d_model
        )  # weight (C, 1, k): one filter per channel
        self.norm = (
            nn.BatchNorm1d(d_model) if norm == "batch" else nn.LayerNorm(d_model)
        )
        self.pointwise_conv2 = nn.Conv1d(d_model, d_model, kernel_size=1)
        self.dropout = nn.Dropout(_probability(dropout, "dropout"))

    def forward(
        self, x: torch.Tensor, *, padding_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Apply the module to ``x`` (B, T, d_model); ``padding_mask`` (B, T)."""
        _check_sequence(x, "x", self.d_model)
        if padding_mask is not None:
            _check_bool(padding_mask, "padding_mask", tuple(x.shape[:2]))
        h = self.layer_norm(x).transpose(1, 2)  # (B, C, T)
        h = torch_F.glu(self.pointwise_conv1(h), dim=1)  # (B, 2C, T) -> (B, C, T)
        # padded frames must not leak into real ones through the filter
        h = _mask_frames(h.transpose(1, 2), padding_mask).transpose(1, 2)  # (B, C, T)
        k = self.kernel_size
        left = k - 1 if self.causal else (k - 1) // 2
        h = self.depthwise_conv(torch_F.pad(h, (left, k - 1 - left)))  # (B, C, T)
        if isinstance(self.norm, nn.LayerNorm):
            h = self.norm(h.transpose(1, 2)).transpose(1, 2)  # (B, C, T)
        else:
            h = self.norm(h)  # (B, C, T)
        h = self.pointwise_conv2(torch_F.silu(h))  # Swish, then (B, C, T)
        return self.dropout(h.transpose(1, 2))  # (B, T, C)


class _FeedForwardModule(nn.Module):
    """LN, then W_2 Swish(W_1 x + b_1) + b_2, with dropout (Gulati et al. sec. 2.3)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.layer_norm = nn.LayerNorm(d_model)
        self.W_1 = nn.Linear(d_model, d_ff)
        self.W_2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dropout(torch_F.silu(self.W_1(self.layer_norm(x))))  # (B, T, d_ff)
        return self.dropout(self.W_2(h))  # (B, T, d_model)


class ConformerBlock(nn.Module):
    r"""One Conformer block (Gulati et al. 2020, eq. 1).

    .. math::

        \tilde x &= x + \tfrac12 \mathrm{FFN}(x), \quad
        x' = \tilde x + \mathrm{MHSA}(\tilde x), \quad
        x'' = x' + \mathrm{Conv}(x'), \\
        y &= \mathrm{LayerNorm}\big(x'' + \tfrac12 \mathrm{FFN}(x'')\big),

    where :math:`\mathrm{MHSA}(x) = \mathrm{Dropout}(\mathrm{MultiHead}(u, u,
    u))` with :math:`u = \mathrm{LN}(x) + PE` (absolute sinusoidal
    positions; see the module docstring).

    Parameters
    ----------
    d_model, n_heads : int
        Width and heads of the self-attention.
    d_ff : int
        Hidden width of both FFN modules (the paper uses 4 d_model).
    kernel_size : int
        Depthwise convolution width (the paper uses 31 or 32).
    dropout : float, keyword-only
    causal : bool, keyword-only
        Causal attention mask and left-padded convolution.
    norm : {"batch", "layer"}, keyword-only
        Normalisation inside the convolution module.

    Attributes
    ----------
    ffn1, ffn2 : torch.nn.Module
    attn_norm : torch.nn.LayerNorm
    self_attn : MultiHeadAttention
    conv : ConvolutionModule
    final_norm : torch.nn.LayerNorm

    References
    ----------
    Gulati et al. (2020), sec. 2.4, eq. (1). arXiv:2005.08100.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> block = ConformerBlock(d_model=16, n_heads=4, d_ff=32, kernel_size=7).eval()
    >>> x = torch.randn(2, 12, 16)
    >>> mask = torch.arange(12)[None, :] >= torch.tensor([[12], [9]])  # (B, T)
    >>> tuple(block(x, padding_mask=mask).shape)
    (2, 12, 16)
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        kernel_size: int,
        *,
        dropout: float = 0.0,
        causal: bool = False,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        _positive_int(d_ff, "d_ff")
        self.d_model = d_model
        self.causal = bool(causal)
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.ffn1 = _FeedForwardModule(d_model, d_ff, dropout)
        self.attn_norm = nn.LayerNorm(d_model)
        self.attn_dropout = nn.Dropout(dropout)
        self.conv = ConvolutionModule(
            d_model, kernel_size, causal=causal, norm=norm, dropout=dropout
        )
        self.ffn2 = _FeedForwardModule(d_model, d_ff, dropout)
        self.final_norm = nn.LayerNorm(d_model)

    def forward(
        self, x: torch.Tensor, *, padding_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Apply the block to ``x`` (B, T, d_model); ``padding_mask`` (B, T)."""
        _check_sequence(x, "x", self.d_model)
        T = x.shape[1]
        if padding_mask is not None:
            _check_bool(padding_mask, "padding_mask", tuple(x.shape[:2]))
        x = x + 0.5 * self.ffn1(x)  # x~ = x + FFN(x) / 2
        pe = sinusoidal_positional_encoding(T, self.d_model, dtype=x.dtype)  # (T, d)
        u = self.attn_norm(x) + pe.to(x.device)  # (B, T, d_model)
        mask = causal_mask(T, device=x.device) if self.causal else None  # (T, T)
        a, _ = self.self_attn(u, u, u, mask=mask, key_padding_mask=padding_mask)
        x = x + self.attn_dropout(a)  # x' = x~ + MHSA(x~)
        x = x + self.conv(x, padding_mask=padding_mask)  # x'' = x' + Conv(x')
        return self.final_norm(x + 0.5 * self.ffn2(x))  # y
