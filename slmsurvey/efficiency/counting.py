r"""Counting a model's parameters and the FLOPs of one forward pass.

The cost of a network is dominated by dot products: a matrix product
:math:`(n \times k)(k \times m)` is :math:`nm` dot products of length
:math:`k`, each :math:`k` multiplies and :math:`k` additions, so

.. math::

    \mathrm{FLOPs}(A B) = 2\, n\, k\, m,
    \qquad \text{and in general} \qquad
    \mathrm{FLOPs} = 2 \times (\text{outputs}) \times
    (\text{length of the dot product behind each output}).

**Convention: one multiply--add is 2 FLOPs**, the convention of
:class:`torch.utils.flop_counter.FlopCounterMode` (it counts :math:`k`
additions per dot product, not :math:`k - 1`). What is counted, per call
made during the forward pass:

- ``F.linear`` (``nn.Linear``), ``matmul``/``@``, ``mm``, ``bmm``, ``mv``,
  ``dot``, ``addmm``, ``baddbmm``: :math:`2 \cdot \mathrm{out.numel} \cdot k`,
  with :math:`k` the inner (``d_in``) dimension;
- ``conv1d/2d/3d`` (``nn.ConvNd``, any stride, padding, dilation, groups
  :math:`g`): :math:`2 \cdot \mathrm{out.numel} \cdot (C_{in}/g)
  \prod \mathrm{kernel}`;
- ``conv_transpose1d/2d/3d``: :math:`2 \cdot \mathrm{in.numel} \cdot
  (C_{out}/g) \prod \mathrm{kernel}` (each input is scattered, not each
  output gathered);
- ``F.scaled_dot_product_attention``: :math:`2\,b\,T_q T_k d_k` for
  :math:`Q K^\top` plus :math:`2\,b\,T_q T_k d_v` for :math:`A V`;
- ``rnn_tanh``, ``rnn_relu``, ``lstm``, ``gru`` (``nn.RNN``/``LSTM``/``GRU``,
  any layers, directions, projections, packed or padded) and their cells:
  :math:`2 \cdot (\text{steps} \times \text{batch}) \cdot \sum
  \mathrm{numel}(W)` over the weight matrices :math:`W_{ih}, W_{hh}
  (, W_{hr})` of every layer and direction;
- ``F.multi_head_attention_forward`` (``nn.MultiheadAttention``, so also
  ``nn.TransformerEncoderLayer``): the four projections plus scores and
  mixing (see ``_mha_flops``).

Biases, activations, normalisation, softmax, masking and other element-wise
work are **not** counted (torch's counter skips them too); nor are the
quantised kernels (``torch.ops.quantized``) of a quantised model.
``torch.einsum``, ``tensordot``, ``bilinear``, ``addbmm``, ``addmv``,
``chain_matmul`` and ``linalg.multi_dot`` raise ``NotImplementedError``
rather than be silently missed.

The count is analytic: :func:`count_flops` runs the model once under a
:class:`torch.overrides.TorchFunctionMode` that sees each call above with its
arguments and applies the formula to their shapes. It agrees with
``FlopCounterMode`` (tested), and is right in four places where that counter,
which sees only the ATen kernels that run and has formulas for some of them,
says 0 on CPU: ``mv``/``dot`` products; an ``nn.LSTM`` on the fused oneDNN
kernel (no projection); ``F.scaled_dot_product_attention`` on the fused CPU
kernel (:math:`d_k = d_v`, no math fallback); and the fused "fast path" of
``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer`` in inference
(our mode turns that path off, so the layer runs, and is counted, unfused).
"""

# Shapes: b batch (all leading dims), n x k times k x m matrices, T_q queries,
#         T_k keys, d_k key size, d_v value size, g conv groups.

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as torch_F
from torch import nn
from torch.overrides import TorchFunctionMode

__all__ = ["count_flops", "count_parameters"]


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    r"""Number of scalar parameters of a model.

    .. math:: |\theta| = \sum_{W \in \theta} \mathrm{numel}(W)

    Shared (tied) parameters are counted once, as ``model.parameters()`` lists
    them once.

    Parameters
    ----------
    model : torch.nn.Module
    trainable_only : bool, keyword-only
        Count only parameters with ``requires_grad`` (e.g. after freezing).

    Returns
    -------
    int

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    >>> count_parameters(model)  # (3*4 + 4) + (4*2 + 2)
    26
    >>> model[0].requires_grad_(False)
    Linear(in_features=3, out_features=4, bias=True)
    >>> count_parameters(model, trainable_only=True)
    10
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(trainable_only, bool):
        raise TypeError(
            f"trainable_only must be a bool, got {type(trainable_only).__name__}"
        )
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def _arg(args: tuple, kwargs: dict, i: int, name: str) -> Any:
    """Argument ``i`` of a call, passed by position or as ``name=``."""
    return args[i] if len(args) > i else kwargs[name]


def _dot_flops(out: torch.Tensor, k: int) -> int:
    """2 FLOPs per multiply-add: each of out.numel() outputs is a length-k dot."""
    return 2 * out.numel() * k


def _matmul_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # matmul, mm, bmm, mv, dot, F.linear: a is (..., n, k) or (k,), out (..., n, m)
    return _dot_flops(out, _arg(args, kwargs, 0, "input").shape[-1])


def _addmm_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # addmm(c, a, b), baddbmm(c, a, b) -> beta c + alpha a @ b, a is (..., n, k)
    a = args[1] if len(args) > 1 else kwargs.get("mat1", kwargs.get("batch1"))
    return _dot_flops(out, a.shape[-1])


def _conv_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # F.convNd(x, w): w (C_out, C_in / g, *kernel); each output sums over C_in/g
    # channels times the kernel
    w = _arg(args, kwargs, 1, "weight")
    return _dot_flops(out, math.prod(w.shape[1:]))


def _conv_transpose_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # F.conv_transposeNd(x, w): w (C_in, C_out / g, *kernel); each *input*
    # element is scattered to C_out/g channels times the kernel
    x, w = _arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "weight")
    return _dot_flops(x, math.prod(w.shape[1:]))


def _sdpa_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # q (..., T_q, d_k), k (..., T_k, d_k); out (..., T_q, d_v)
    q, k = _arg(args, kwargs, 0, "query"), _arg(args, kwargs, 1, "key")
    T_k, d_v = k.shape[-2], out.shape[-1]
    scores = 2 * (out.numel() // d_v) * T_k * q.shape[-1]  # Q K^T: (..., T_q, T_k)
    mixing = _dot_flops(out, T_k)  # A V: each output sums T_k values
    return scores + mixing


def _rnn_flops(packed_at: int) -> Callable[[tuple, dict, Any], int]:
    """torch.lstm/gru/rnn_*: one x W_ih^T and h W_hh^T (and h W_hr^T) per step."""

    def flops(args: tuple, kwargs: dict, out: Any) -> int:
        x = args[0]
        packed = isinstance(args[packed_at], torch.Tensor)
        # packed: x is (sum of batch sizes, d); else (T, B, d), (B, T, d) or (T, d)
        steps = x.shape[0] if packed else x.numel() // x.shape[-1]
        params = args[packed_at + 2] if packed else args[2]
        # every layer and direction runs every step; its weights are the 2-D
        # params (W_ih, W_hh, W_hr), its biases the 1-D ones
        return 2 * steps * sum(p.numel() for p in params if p.ndim == 2)

    return flops


def _cell_flops(args: tuple, kwargs: dict, out: Any) -> int:
    # torch.lstm_cell/gru_cell/rnn_*_cell(x, h, W_ih, W_hh, b_ih, b_hh)
    x, _, W_ih, W_hh = args[:4]
    return 2 * (x.numel() // x.shape[-1]) * (W_ih.numel() + W_hh.numel())


_MHA_SIGNATURE = inspect.signature(torch_F.multi_head_attention_forward)


def _mha_flops(args: tuple, kwargs: dict, out: Any) -> int:
    r"""``F.multi_head_attention_forward``, as ``nn.MultiheadAttention`` calls it.

    With query (T_q, b, d), key (T_k, b, d_k'), value (T_k, b, d_v'):
    :math:`2b\,d\,(T_q d + T_k d_k' + T_k d_v')` for the input projections,
    :math:`2 \cdot 2\,b\,T_q T_k' d` for the scores and the mixing (summed over
    heads), :math:`2b\,T_q d^2` for the output projection, where
    :math:`T_k' = T_k` plus one for ``bias_k`` and one for ``add_zero_attn``.
    """
    bound = _MHA_SIGNATURE.bind(*args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    query, key, value = a["query"], a["key"], a["value"]
    d = a["embed_dim_to_check"]
    b_T_q = query.numel() // query.shape[-1]  # b * T_q
    T_k = key.shape[0] + (a["bias_k"] is not None) + bool(a["add_zero_attn"])
    projections = 2 * d * (query.numel() + key.numel() + value.numel())
    attention = 2 * 2 * b_T_q * T_k * d  # Q K^T and A V, all heads together
    output = 2 * b_T_q * d * d
    return projections + attention + output


_FORMULAS: dict[Callable, Callable[[tuple, dict, Any], int]] = {
    torch_F.linear: _matmul_flops,
    torch.matmul: _matmul_flops,
    torch.Tensor.matmul: _matmul_flops,
    torch.linalg.matmul: _matmul_flops,
    torch.mm: _matmul_flops,
    torch.Tensor.mm: _matmul_flops,
    torch.bmm: _matmul_flops,
    torch.Tensor.bmm: _matmul_flops,
    torch.mv: _matmul_flops,
    torch.Tensor.mv: _matmul_flops,
    torch.dot: _matmul_flops,
    torch.Tensor.dot: _matmul_flops,
    torch.addmm: _addmm_flops,
    torch.Tensor.addmm: _addmm_flops,
    torch.baddbmm: _addmm_flops,
    torch.Tensor.baddbmm: _addmm_flops,
    torch_F.conv1d: _conv_flops,
    torch_F.conv2d: _conv_flops,
    torch_F.conv3d: _conv_flops,
    torch_F.conv_transpose1d: _conv_transpose_flops,
    torch_F.conv_transpose2d: _conv_transpose_flops,
    torch_F.conv_transpose3d: _conv_transpose_flops,
    torch_F.scaled_dot_product_attention: _sdpa_flops,
    torch.lstm: _rnn_flops(packed_at=1),  # lstm(x, batch_sizes, hx, params, ...)
    torch.gru: _rnn_flops(packed_at=2),  # gru(x, hx, params, ...) or
    torch.rnn_tanh: _rnn_flops(packed_at=2),  # (x, batch_sizes, hx, params, ...)
    torch.rnn_relu: _rnn_flops(packed_at=2),
    torch.lstm_cell: _cell_flops,
    torch.gru_cell: _cell_flops,
    torch.rnn_tanh_cell: _cell_flops,
    torch.rnn_relu_cell: _cell_flops,
    torch_F.multi_head_attention_forward: _mha_flops,
}

_UNSUPPORTED = {
    torch.einsum: "torch.einsum",
    torch.tensordot: "torch.tensordot",
    torch_F.bilinear: "torch.nn.functional.bilinear",
    torch.addbmm: "torch.addbmm",
    torch.Tensor.addbmm: "Tensor.addbmm",
    torch.addmv: "torch.addmv",
    torch.Tensor.addmv: "Tensor.addmv",
    torch.chain_matmul: "torch.chain_matmul",
    torch.linalg.multi_dot: "torch.linalg.multi_dot",
}


class _FlopCounter(TorchFunctionMode):
    """Adds up the formula of every counted call; a call's inner calls are
    not seen (torch pops the mode while it runs), so nothing counts twice."""

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _UNSUPPORTED:
            raise NotImplementedError(
                f"count_flops cannot count {_UNSUPPORTED[func]}; "
                "rewrite it with matmul/linear or count it by hand"
            )
        out = func(*args, **kwargs)
        formula = _FORMULAS.get(func)
        if formula is not None:
            self.flops += formula(args, kwargs, out)
        return out


def count_flops(model: Callable[..., Any], *inputs: Any) -> int:
    r"""FLOPs of one forward pass ``model(*inputs)``, 2 per multiply--add.

    .. math::

        \mathrm{FLOPs} = \sum_{\text{calls}} 2 \times (\text{outputs})
        \times (\text{dot-product length}),

    summed over the matrix products, convolutions, attention and recurrent
    layers listed in the module docstring; element-wise work is not counted.
    The model runs once under :func:`torch.no_grad` (its mode, train or eval,
    is left as it is; the count does not depend on it).

    Parameters
    ----------
    model : callable
        Usually a :class:`torch.nn.Module`.
    *inputs
        Positional arguments of ``model``.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``model`` is not callable.
    NotImplementedError
        If the forward pass calls ``einsum``, ``tensordot`` or another product
        this counter cannot count.

    References
    ----------
    Kaplan et al. (2020), "Scaling laws for neural language models", sec. 2.1
    (:math:`C \approx 2N` FLOPs per token). arXiv:2001.08361.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> count_flops(nn.Linear(8, 4), torch.randn(10, 8))  # 2 * 10 * 8 * 4
    640
    >>> conv = nn.Conv1d(2, 3, kernel_size=5)  # 20 - 5 + 1 = 16 output frames
    >>> count_flops(conv, torch.randn(1, 2, 20))  # 2 * (3 * 16) * (2 * 5)
    960
    """
    if not callable(model):
        raise TypeError(f"model must be callable, got {type(model).__name__}")
    counter = _FlopCounter()
    with torch.no_grad(), counter:
        model(*inputs)
    return counter.flops
