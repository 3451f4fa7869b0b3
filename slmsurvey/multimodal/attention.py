r"""Cross-modal attention: queries from one modality, keys and values from another.

Multi-head attention does not require the three inputs to come from one
sequence, nor to have one width. In cross-modal attention the queries are the
frames of one stream (say, :math:`T_q` audio frames of width
:math:`d_{model}`) and the keys and values the frames of another (say,
:math:`T_k` video frames of width :math:`d_{key}`), each projected to
:math:`d_{model}` first:

.. math::

    \mathrm{head}_i = \mathrm{softmax}\!\Big(\frac{(X_q W_i^Q)
        (X_k W_i^K)^\top}{\sqrt{d_k}}\Big) X_v W_i^V, \qquad
    W_i^Q \in \mathbb{R}^{d_{model} \times d_k},\
    W_i^K \in \mathbb{R}^{d_{key} \times d_k},\
    W_i^V \in \mathbb{R}^{d_{value} \times d_k}

and the heads are concatenated and mixed by :math:`W^O`, as in
:class:`~slmsurvey.nn.MultiHeadAttention`. The two streams need not run at the
same frame rate: every audio frame can look at every video frame, and the
attention weights say which ones it used. This is the
``kdim``/``vdim`` form of :class:`torch.nn.MultiheadAttention`.

Symbols and code: :math:`d_{model}, d_{key}, d_{value}` are ``d_model``,
``d_key``, ``d_value``; ``W_Q`` is ``nn.Linear(d_model, d_model)``, ``W_K``
``nn.Linear(d_key, d_model)``, ``W_V`` ``nn.Linear(d_value, d_model)`` and
``W_O`` ``nn.Linear(d_model, d_model)``; each ``weight`` is the transpose of
the paper's matrix, rows ``i*d_k:(i+1)*d_k`` belonging to head :math:`i`.

References
----------
Vaswani et al. (2017), "Attention is all you need", sec. 3.2.2.
arXiv:1706.03762.
Tsai et al. (2019), "Multimodal Transformer for unaligned multimodal language
sequences", ACL. arXiv:1906.00295.
"""

# Shapes: B batch, T_q query frames, T_k key/value frames, H heads,
#         d_model model (query) width, d_k = d_model / H, d_key and d_value
#         widths of the key and value streams.

from __future__ import annotations

from slmsurvey.nn.transformer import MultiHeadAttention

__all__ = ["CrossModalAttention"]


class CrossModalAttention(MultiHeadAttention):
    r"""Multi-head attention whose keys and values have their own widths.

    .. math::

        \mathrm{CrossAttn}(X_q, X_k, X_v) = \mathrm{Concat}_i\big(
        \mathrm{Attention}(X_q W_i^Q, X_k W_i^K, X_v W_i^V)\big) W^O

    A :class:`~slmsurvey.nn.MultiHeadAttention` whose key and value
    projections take ``d_key`` and ``d_value`` inputs; its ``forward`` and
    ``copy_from_torch`` (torch's ``kdim``/``vdim`` form) are inherited. The
    output has the queries' width and length.

    Parameters
    ----------
    d_model : int
        Width of the queries and of the output; divisible by ``n_heads``.
    d_key, d_value : int
        Widths of the key and value streams (``d_value`` defaults to
        ``d_key``).
    n_heads : int
        :math:`h`.
    dropout : float, keyword-only
        Dropout on the attention weights while training.
    bias : bool, keyword-only
        Whether the four projections have biases.

    Examples
    --------
    Twelve audio frames of width 16 attend to three video frames of width 6:

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> attend = CrossModalAttention(16, 6, n_heads=2)
    >>> audio, video = torch.randn(1, 12, 16), torch.randn(1, 3, 6)
    >>> out, weights = attend(audio, video, video)
    >>> tuple(out.shape), tuple(weights.shape)
    ((1, 12, 16), (1, 2, 12, 3))
    >>> bool(torch.allclose(weights.sum(-1), torch.ones(1, 2, 12)))
    True
    """

    def __init__(
        self,
        d_model: int,
        d_key: int,
        d_value: int | None = None,
        n_heads: int = 1,
        *,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__(
            d_model,
            n_heads,
            d_key=d_key,
            d_value=d_key if d_value is None else d_value,
            dropout=dropout,
            bias=bias,
        )
