r"""Bottleneck adapters: a few new weights trained inside a frozen network.

Houlsby et al. (2019) fine-tune a pre-trained network by freezing it and
inserting small modules after chosen layers. Each adapter projects the
layer's output :math:`h \in \mathbb{R}^{d}` down to :math:`m \ll d`
dimensions, applies a nonlinearity :math:`f` (GELU here) and projects back
up, with a residual connection:

.. math::

    A(h) = h + W_{up}\, f(W_{down}\, h + b_{down}) + b_{up},

:math:`2 d m + d + m` parameters per adapter instead of the layer's own.
Initialised near zero, an adapter starts as (nearly) the identity, so the
adapted network starts as the pre-trained one. One task (or one language,
one speaker...) is then a set of adapters plus a head; the backbone is
shared.

Symbols and code: :math:`d` is ``d_model``, :math:`m` is ``bottleneck``,
:math:`W_{down}, b_{down}` are ``down.weight``, ``down.bias`` (shape
(m, d), (m,)), :math:`W_{up}, b_{up}` are ``up.weight``, ``up.bias``
(shape (d, m), (d,)).

References
----------
Houlsby et al. (2019), "Parameter-efficient transfer learning for NLP",
sec. 2.1 (the adapter and its near-identity initialisation).
arXiv:1902.00751.
"""

# Shapes: ... any leading dims (batch, time), d model width, m bottleneck.

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from slmsurvey._checks import check_int, check_real

__all__ = [
    "AdaptedLayer",
    "Adapter",
    "add_adapters",
    "trainable_parameters",
]


class Adapter(nn.Module):
    r"""A bottleneck adapter: down-project, nonlinearity, up-project, residual.

    Parameters
    ----------
    d_model : int
        :math:`d`, the width of the vectors it adapts (their last dim).
    bottleneck : int
        :math:`m`, the width of the projection (Houlsby et al. use 8-256).
    init_std : float, keyword-only
        Both weight matrices start from a normal distribution with this
        standard deviation truncated at two of them, biases at zero (the
        paper's near-identity initialisation), so that
        :math:`A(h) \approx h`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> adapter = Adapter(16, 4)
    >>> sum(p.numel() for p in adapter.parameters())  # 2 d m + d + m
    148
    >>> h = torch.randn(2, 5, 16)  # (..., d)
    >>> bool(torch.allclose(adapter(h), h, atol=1e-3))  # near the identity
    True
    """

    def __init__(self, d_model: int, bottleneck: int, *, init_std: float = 1e-2):
        super().__init__()
        self.d_model = check_int(d_model, "d_model", 1)
        self.bottleneck = check_int(bottleneck, "bottleneck", 1)
        std = check_real(init_std, "init_std", low=0.0, open_low=True)
        self.down = nn.Linear(self.d_model, self.bottleneck)  # W_down, b_down
        self.up = nn.Linear(self.bottleneck, self.d_model)  # W_up, b_up
        self.f = nn.GELU()
        for linear in (self.down, self.up):
            nn.init.trunc_normal_(linear.weight, std=std, a=-2 * std, b=2 * std)
            nn.init.zeros_(linear.bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if not isinstance(h, torch.Tensor) or not h.is_floating_point():
            raise TypeError("h must be a floating-point torch.Tensor")
        if h.ndim == 0 or h.shape[-1] != self.d_model:
            raise ValueError(
                f"h must have last dim d_model={self.d_model}, got {tuple(h.shape)}"
            )
        # eq. (adapter): h + W_up f(W_down h + b_down) + b_up
        return h + self.up(self.f(self.down(h)))  # (..., d) -> (..., m) -> (..., d)


class AdaptedLayer(nn.Module):
    """A layer followed by an adapter: ``adapter(layer(*args))``.

    If the layer returns a tuple (``nn.GRU``, ``nn.LSTM``,
    ``nn.MultiheadAttention``), only its first element is adapted and the
    rest pass through unchanged. ``adapter`` may be replaced at any time,
    e.g. by another language's adapter.

    Examples
    --------
    >>> gru = nn.GRU(4, 8, batch_first=True)
    >>> adapted = AdaptedLayer(gru, Adapter(8, 2))
    >>> out, h_n = adapted(torch.randn(3, 5, 4))  # (B, T, d_in)
    >>> out.shape, h_n.shape
    (torch.Size([3, 5, 8]), torch.Size([1, 3, 8]))
    """

    def __init__(self, layer: nn.Module, adapter: nn.Module) -> None:
        super().__init__()
        self.layer = _check_module(layer, "layer")
        self.adapter = _check_module(adapter, "adapter")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        out = self.layer(*args, **kwargs)
        if isinstance(out, tuple):
            return (self.adapter(out[0]), *out[1:])
        return self.adapter(out)


def _check_module(x: object, name: str) -> nn.Module:
    if not isinstance(x, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(x).__name__}")
    return x


def _output_width(layer: nn.Module) -> int | None:
    """The width of ``layer``'s output for common layer types, else None."""
    if isinstance(layer, nn.Linear):
        return layer.out_features
    if isinstance(layer, nn.Embedding):
        return layer.embedding_dim
    if isinstance(layer, nn.RNNBase):
        width = getattr(layer, "proj_size", 0) or layer.hidden_size
        return width * (2 if layer.bidirectional else 1)
    for attribute in ("d_model", "embed_dim"):
        if isinstance(getattr(layer, attribute, None), int):
            return getattr(layer, attribute)
    if isinstance(layer, nn.Sequential):
        widths = [_output_width(m) for m in layer]
        return next((w for w in reversed(widths) if w is not None), None)
    return None


def add_adapters(
    model: nn.Module,
    layers: Sequence[nn.Module],
    bottleneck: int,
    *,
    d_model: int | Sequence[int] | None = None,
    init_std: float = 1e-2,
) -> list[Adapter]:
    r"""Put an :class:`Adapter` after each of ``layers`` inside ``model``.

    Each layer is replaced, where ``model`` holds it, by an
    :class:`AdaptedLayer` wrapping it, so its output passes through a new
    adapter. Call :func:`~slmsurvey.training.freeze` on ``model`` *before*:
    the adapters are created trainable, and only they (and a new head)
    then train.

    Parameters
    ----------
    model : torch.nn.Module
    layers : list of torch.nn.Module
        Distinct sub-modules of ``model`` (not ``model`` itself).
    bottleneck : int
        :math:`m` of every adapter.
    d_model : int or list of int, keyword-only, optional
        :math:`d` of every adapter, or one per layer. Default: read from
        each layer (``nn.Linear``, ``nn.Embedding``, RNNs, modules with an
        int ``d_model`` or ``embed_dim``, or an ``nn.Sequential`` ending
        in one of these).
    init_std : float, keyword-only

    Returns
    -------
    list of Adapter
        The new adapters, in the order of ``layers``.

    Examples
    --------
    >>> from slmsurvey.training import freeze
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8))
    >>> x = torch.randn(5, 4)
    >>> before = model(x)
    >>> adapters = add_adapters(freeze(model), [model[0], model[2]], 2)
    >>> # trainable: 2 adapters of 2 d m + d + m = 42 numbers each
    >>> trainable = sum(p.numel() for p in trainable_parameters(model))
    >>> type(model[0]).__name__, trainable
    ('AdaptedLayer', 84)
    >>> bool(torch.allclose(model(x), before, atol=1e-3))
    True
    """
    model = _check_module(model, "model")
    m = check_int(bottleneck, "bottleneck", 1)
    if isinstance(layers, nn.Module) or not isinstance(layers, Sequence) or not layers:
        raise ValueError("layers must be a non-empty list of sub-modules of model")
    parent_of = {
        id(child): (parent, name)
        for parent in model.modules()
        for name, child in parent.named_children()
    }
    for i, layer in enumerate(layers):
        _check_module(layer, f"layers[{i}]")
        if id(layer) not in parent_of:
            raise ValueError(f"layers[{i}] is not a sub-module of model")
        if isinstance(parent_of[id(layer)][0], AdaptedLayer):
            raise ValueError(f"layers[{i}] already has an adapter")
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError("layers must not repeat a module")
    if d_model is None:
        widths = [_output_width(layer) for layer in layers]
        for i, w in enumerate(widths):
            if w is None:
                raise ValueError(
                    f"cannot read the output width of layers[{i}] "
                    f"({type(layers[i]).__name__}): pass d_model"
                )
    elif isinstance(d_model, Sequence):
        if len(d_model) != len(layers):
            raise ValueError(
                f"d_model has {len(d_model)} widths for {len(layers)} layers"
            )
        widths = list(d_model)
    else:
        widths = [d_model] * len(layers)
    adapters = [Adapter(d, m, init_std=init_std) for d in widths]
    for layer, adapter in zip(layers, adapters, strict=True):
        parent, name = parent_of[id(layer)]
        setattr(parent, name, AdaptedLayer(layer, adapter))
    return adapters


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters of ``model`` with ``requires_grad``, for an optimizer.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    >>> model[0].requires_grad_(False)  # doctest: +ELLIPSIS
    Linear(...)
    >>> [tuple(p.shape) for p in trainable_parameters(model)]
    [(1, 2), (1,)]
    """
    return [p for p in _check_module(model, "model").parameters() if p.requires_grad]
