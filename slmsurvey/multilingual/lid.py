r"""A shared encoder for pooled speech features, and a language identifier.

The chapter's models work on one fixed-length vector per utterance (the mean
and standard deviation of its log-mel frames,
:func:`slmsurvey.speech.classify.pooled_features`). :class:`PooledEncoder`
maps it through a stack of blocks, each a linear map and a GELU,

.. math::

    h^{(0)} = x, \qquad
    h^{(j)} = \mathrm{GELU}\big(W^{(j)} h^{(j-1)} + b^{(j)}\big),
    \quad j = 1, \ldots, J,

and a linear head reads a class (a word's meaning, or the language) from
:math:`h^{(J)}`. Language identification (LID) is the head

.. math::

    P(\ell \mid x) = \mathrm{softmax}\big(W_{lid}\, \bar h + b_{lid}\big)_\ell,

with :math:`\bar h` the encoder output, averaged over frames when the
encoder gives one vector per frame. :func:`fit_full_batch` trains any of
them with full-batch Adam; the parameters to train are passed in, so the
same function trains a whole network, a head alone, or adapters.

Symbols and code: :math:`W^{(j)}, b^{(j)}` are ``blocks[j - 1][0]``,
:math:`J` is ``n_layers``, :math:`W_{lid}, b_{lid}` are
``LanguageIdHead.linear``, :math:`\ell` indexes ``languages``.

References
----------
Hendrycks & Gimpel (2016), "Gaussian error linear units (GELUs)".
arXiv:1606.08415. Kingma & Ba (2015), "Adam". arXiv:1412.6980.
"""

# Shapes: B utterances, N frames, D input features, d model width, L languages,
# C classes.

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from slmsurvey._checks import check_int, check_real

__all__ = ["LanguageIdHead", "PooledEncoder", "accuracy", "fit_full_batch"]


class PooledEncoder(nn.Module):
    """A stack of ``n_layers`` blocks ``Sequential(Linear, GELU)``.

    Parameters
    ----------
    d_in : int
        :math:`D`, the input width.
    d_model : int
        :math:`d`, the width of every block.
    n_layers : int
        :math:`J`.

    Attributes
    ----------
    blocks : torch.nn.Sequential
        The blocks, the natural places for adapters.

    Examples
    --------
    >>> encoder = PooledEncoder(80, 32, 2)
    >>> encoder(torch.randn(5, 80)).shape  # (B, D) -> (B, d)
    torch.Size([5, 32])
    """

    def __init__(self, d_in: int, d_model: int, n_layers: int = 2) -> None:
        super().__init__()
        self.d_in = check_int(d_in, "d_in", 1)
        self.d_model = check_int(d_model, "d_model", 1)
        J = check_int(n_layers, "n_layers", 1)
        widths = [self.d_in] + [self.d_model] * J
        self.blocks = nn.Sequential(
            *[
                nn.Sequential(nn.Linear(a, b), nn.GELU())
                for a, b in zip(widths[:-1], widths[1:], strict=True)
            ]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError("x must be a floating-point torch.Tensor")
        if x.ndim == 0 or x.shape[-1] != self.d_in:
            raise ValueError(f"x must have last dim d_in={self.d_in}, got {x.shape}")
        return self.blocks(x)  # (..., D) -> (..., d)


class LanguageIdHead(nn.Module):
    r"""Linear language-identification head on (pooled) encoder features.

    Parameters
    ----------
    d_model : int
        Width of the encoder features.
    languages : list of str
        The :math:`L` distinct languages, in the order of the outputs.

    Examples
    --------
    >>> head = LanguageIdHead(8, ["de", "fr", "sw"])
    >>> head(torch.randn(4, 8)).shape  # (B, d) -> (B, L)
    torch.Size([4, 3])
    >>> head(torch.randn(4, 6, 8), torch.tensor([6, 3, 1, 2])).shape  # (B, N, d)
    torch.Size([4, 3])
    >>> len(head.predict(torch.randn(2, 8)))
    2
    """

    def __init__(self, d_model: int, languages: Sequence[str]) -> None:
        super().__init__()
        self.d_model = check_int(d_model, "d_model", 1)
        if isinstance(languages, str) or not isinstance(languages, Sequence):
            raise TypeError("languages must be a list of str")
        if len(languages) < 2 or len(set(languages)) != len(languages):
            raise ValueError(
                f"languages must hold at least two distinct codes, got {languages}"
            )
        self.languages = tuple(languages)
        self.linear = nn.Linear(self.d_model, len(languages))  # W_lid, b_lid

    def forward(
        self, h: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        if not isinstance(h, torch.Tensor) or not h.is_floating_point():
            raise TypeError("h must be a floating-point torch.Tensor")
        if h.ndim not in (2, 3) or h.shape[-1] != self.d_model:
            raise ValueError(
                f"h must have shape (B, d) or (B, N, d) with d={self.d_model}, "
                f"got {tuple(h.shape)}"
            )
        if h.ndim == 3:
            B, N, _ = h.shape
            if lengths is None:
                lengths = torch.full((B,), N)
            if lengths.shape != (B,) or (lengths < 1).any() or (lengths > N).any():
                raise ValueError("lengths must hold one frame count in 1..N per row")
            mask = torch.arange(N)[None, :] < lengths[:, None]  # (B, N)
            h = (h * mask[..., None]).sum(1) / lengths[:, None].to(h.dtype)  # (B, d)
        elif lengths is not None:
            raise ValueError("lengths is only for frame-level h of shape (B, N, d)")
        # eq. (lid): logits; softmax gives P(language | x)
        return self.linear(h)  # (B, d) -> (B, L)

    def predict(
        self, h: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> list[str]:
        """The most probable language of each utterance."""
        with torch.no_grad():
            return [self.languages[i] for i in self(h, lengths).argmax(-1).tolist()]


def fit_full_batch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    parameters: Iterable[nn.Parameter] | None = None,
    epochs: int = 200,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
) -> list[float]:
    r"""Minimise the cross-entropy of ``model(X)`` against ``y`` with Adam.

    Every step uses all of ``X`` (full batch), so the result depends only on
    the initial weights.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``X`` (B, D) to logits (B, C).
    X : Tensor, shape (B, D)
    y : Tensor of int, shape (B,)
        Class indices in ``0 .. C - 1``.
    parameters : iterable of Parameter, keyword-only, optional
        What to train; default every parameter with ``requires_grad``.
    epochs : int, keyword-only
    lr, weight_decay : float, keyword-only

    Returns
    -------
    list of float
        The training loss before each step.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> X = torch.cat([torch.randn(20, 2) + 2, torch.randn(20, 2) - 2])
    >>> y = torch.tensor([0] * 20 + [1] * 20)
    >>> model = nn.Linear(2, 2)
    >>> losses = fit_full_batch(model, X, y, epochs=50)
    >>> losses[-1] < losses[0], accuracy(model, X, y)
    (True, 1.0)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_xy(X, y)
    steps = check_int(epochs, "epochs", 1)
    eta = check_real(lr, "lr", low=0.0, open_low=True)
    decay = check_real(weight_decay, "weight_decay", low=0.0)
    params = [p for p in model.parameters() if p.requires_grad]
    if parameters is not None:
        params = list(parameters)
    if not params:
        raise ValueError("parameters is empty: nothing to train")
    optimizer = torch.optim.Adam(params, lr=eta, weight_decay=decay)
    was_training = model.training
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)  # (B, C) vs (B,)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    model.train(was_training)
    return losses


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``X`` whose arg-max class is ``y``.

    Examples
    --------
    >>> model = nn.Linear(1, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.tensor([[1.0], [-1.0]]))
    ...     _ = model.bias.zero_()
    >>> accuracy(model, torch.tensor([[1.0], [-1.0], [2.0]]), torch.tensor([0, 1, 1]))
    0.6666666666666666
    """
    _check_xy(X, y)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        hits = model(X).argmax(-1) == y  # (B,)
    model.train(was_training)
    return float(hits.double().mean())


def _check_xy(X: object, y: object) -> None:
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or not X.is_floating_point():
        raise TypeError("X must be a floating-point tensor of shape (B, D)")
    if not isinstance(y, torch.Tensor) or y.dtype != torch.long or y.ndim != 1:
        raise TypeError("y must be an int64 tensor of shape (B,)")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}; need equal, > 0")
