r"""DP-SGD: differentially private stochastic gradient descent.

Each step computes one gradient per example, clips each to L2 norm at most
:math:`C`, sums them, adds Gaussian noise of standard deviation
:math:`\sigma C` to every coordinate, and divides by the batch size
(Abadi et al. 2016, Algorithm 1):

.. math::

    g_i = \nabla_\theta \mathcal{L}(\theta; x_i, y_i), \qquad
    \bar g_i = \frac{g_i}{\max\!\left(1, \lVert g_i \rVert_2 / C\right)},

.. math::

    \tilde g = \frac{1}{B}\left(\sum_{i=1}^{B} \bar g_i
        + \mathcal{N}(0, \sigma^2 C^2 I)\right), \qquad
    \theta \leftarrow \theta - \eta\, \tilde g .

Clipping bounds each example's influence on the sum (its L2 sensitivity is
:math:`C`), so each step is a Gaussian mechanism with noise multiplier
:math:`\sigma`; with Poisson sampling at rate :math:`q`, the privacy of
:math:`T` steps is computed by :func:`slmsurvey.privacy.accountant.rdp_epsilon`.
The norm :math:`\lVert g_i\rVert_2` is over all trainable parameters
together (flat clipping). Per-example gradients come from ``torch.func``:
:func:`~torch.func.grad` of a one-example loss, vectorised over the batch by
:func:`~torch.func.vmap`, with :func:`~torch.func.functional_call` running
the module on given parameters.

Notation (code name in brackets): :math:`g_i` (``grads``),
:math:`\bar g_i` (``clipped``), :math:`C` (``max_grad_norm``), :math:`\sigma`
(``noise_multiplier``), :math:`B` batch size, :math:`\tilde g` (the noisy
mean gradient), :math:`\eta` the learning rate (the step itself is in
:mod:`slmsurvey.privacy.training`).

The divisor is the batch actually drawn, :math:`B`, as in Abadi et al.'s
fixed-size lots. (Opacus divides by the *expected* batch size under Poisson
sampling; pass equal-size batches and the two agree.)

References
----------
Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar & Zhang (2016), "Deep
learning with differential privacy", CCS, Algorithm 1. arXiv:1607.00133.
"""

# Shapes: B batch, *P the shape of one parameter tensor, M the number of
#         trainable parameter tensors.

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from slmsurvey._checks import check_real

__all__ = ["clip_per_example", "per_example_gradients", "private_gradient"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Grads = dict[str, torch.Tensor]


def _check_batch(
    model: object, loss_fn: object, batch: object
) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        raise TypeError("batch must be a pair (inputs, targets) of tensors")
    x, y = batch
    if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)):
        raise TypeError("batch must be a pair (inputs, targets) of tensors")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError("batch is empty: inputs must have a batch dim B >= 1")
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(
            "batch inputs and targets must have the same batch size B, got "
            f"shapes {tuple(x.shape)} and {tuple(y.shape)}"
        )
    return x, y


def per_example_gradients(model: nn.Module, loss_fn: LossFn, batch: tuple) -> Grads:
    r"""Gradients of the loss of each example, one per trainable parameter.

    .. math::

        g_i = \nabla_\theta\, \mathcal{L}\big(f_\theta(x_i), y_i\big),
        \qquad i = 1, \dots, B,

    computed as ``vmap(grad(loss_of_one_example))`` over the batch; each
    example is passed to the model as a batch of one.

    Parameters
    ----------
    model : torch.nn.Module
        The model :math:`f_\theta`; its trainable parameters are
        differentiated (buffers are held fixed). Layers that mix examples
        (batch norm) are not allowed in DP-SGD.
    loss_fn : callable
        ``loss_fn(outputs, targets) -> scalar``, e.g.
        ``torch.nn.functional.cross_entropy``; called with one example.
    batch : (torch.Tensor, torch.Tensor)
        ``(inputs, targets)``, each with leading batch dim :math:`B \ge 1`.

    Returns
    -------
    dict of str to torch.Tensor, each of shape (B, *P)
        :math:`g_i` for every trainable parameter, by name.

    Raises
    ------
    TypeError
        If ``model`` is not a module, ``loss_fn`` not callable, or ``batch``
        not a pair of tensors.
    ValueError
        If the batch is empty or inputs and targets differ in batch size.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(3, 2)
    >>> x, y = torch.randn(4, 3), torch.tensor([0, 1, 1, 0])
    >>> g = per_example_gradients(model, torch.nn.functional.cross_entropy, (x, y))
    >>> tuple(g["weight"].shape), tuple(g["bias"].shape)
    ((4, 2, 3), (4, 2))
    """
    x, y = _check_batch(model, loss_fn, batch)
    params = {k: p.detach() for k, p in model.named_parameters() if p.requires_grad}
    buffers = {k: b.detach() for k, b in model.named_buffers()}
    if not params:
        raise ValueError("model has no trainable parameters")

    def loss_of_one(theta: Grads, x_i: torch.Tensor, y_i: torch.Tensor):
        out = functional_call(model, (theta, buffers), (x_i.unsqueeze(0),))
        return loss_fn(out, y_i.unsqueeze(0))  # a batch of one

    # g_i for i = 1..B: grad over theta, vectorised over the batch dim
    return vmap(grad(loss_of_one), in_dims=(None, 0, 0), randomness="different")(
        params, x, y
    )  # each (B, *P)


def clip_per_example(grads: Grads, max_grad_norm: float) -> tuple[Grads, torch.Tensor]:
    r"""Clip each example's gradient to L2 norm at most :math:`C`.

    .. math::

        \bar g_i = g_i \,/\, \max\!\left(1, \frac{\lVert g_i \rVert_2}{C}\right),

    where :math:`\lVert g_i\rVert_2` is over all parameters together.

    Parameters
    ----------
    grads : dict of str to torch.Tensor, each of shape (B, *P)
        Per-example gradients, as from :func:`per_example_gradients`.
    max_grad_norm : float
        :math:`C > 0`.

    Returns
    -------
    clipped : dict of str to torch.Tensor, each of shape (B, *P)
        :math:`\bar g_i`.
    norms : torch.Tensor, shape (B,)
        :math:`\lVert g_i\rVert_2` before clipping.

    Raises
    ------
    ValueError
        If ``max_grad_norm <= 0`` or ``grads`` is empty.

    Examples
    --------
    >>> import torch
    >>> g = {"w": torch.tensor([[3.0, 4.0], [0.3, 0.4]])}  # norms 5 and 0.5
    >>> clipped, norms = clip_per_example(g, 1.0)
    >>> norms.tolist()
    [5.0, 0.5]
    >>> [round(v, 4) for v in clipped["w"].norm(dim=1).tolist()]  # only the first
    [1.0, 0.5]
    """
    C = check_real(max_grad_norm, "max_grad_norm", low=0.0, open_low=True)
    if not grads:
        raise ValueError("grads is empty")
    squares = [g.flatten(1).pow(2).sum(1) for g in grads.values()]  # each (B,)
    norms = torch.stack(squares).sum(0).sqrt()  # (M, B) -> (B,)
    factor = 1.0 / torch.clamp(norms / C, min=1.0)  # (B,)
    clipped = {
        k: g * factor.view(-1, *([1] * (g.ndim - 1)))  # (B, *P) * (B, 1, ..)
        for k, g in grads.items()
    }
    return clipped, norms


def private_gradient(
    model: nn.Module,
    loss_fn: LossFn,
    batch: tuple,
    *,
    max_grad_norm: float,
    noise_multiplier: float,
    generator: torch.Generator | None = None,
) -> tuple[Grads, torch.Tensor]:
    r"""The DP-SGD gradient: clipped per-example gradients, summed, noised, averaged.

    .. math::

        \tilde g = \frac{1}{B}\left(\sum_{i=1}^{B} \bar g_i
        + \mathcal{N}(0, \sigma^2 C^2 I)\right).

    Parameters
    ----------
    model, loss_fn, batch
        As :func:`per_example_gradients`.
    max_grad_norm : float, keyword-only
        :math:`C > 0`.
    noise_multiplier : float, keyword-only
        :math:`\sigma \ge 0` (0: clipping only, no privacy).
    generator : torch.Generator, optional, keyword-only
        The source of the noise (the global generator if ``None``).

    Returns
    -------
    gradient : dict of str to torch.Tensor, each of shape (*P)
        :math:`\tilde g` per trainable parameter.
    norms : torch.Tensor, shape (B,)
        The per-example gradient norms before clipping.

    Raises
    ------
    TypeError, ValueError
        As :func:`per_example_gradients`; ``ValueError`` also if
        ``max_grad_norm <= 0`` or ``noise_multiplier < 0``.

    References
    ----------
    Abadi et al. (2016), Algorithm 1. arXiv:1607.00133.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(3, 1)
    >>> batch = (torch.randn(8, 3), torch.randn(8, 1))
    >>> g, norms = private_gradient(model, torch.nn.functional.mse_loss, batch,
    ...     max_grad_norm=1.0, noise_multiplier=1.1,
    ...     generator=torch.Generator().manual_seed(0))
    >>> tuple(g["weight"].shape), tuple(norms.shape)
    ((1, 3), (8,))
    """
    C = check_real(max_grad_norm, "max_grad_norm", low=0.0, open_low=True)
    sigma = check_real(noise_multiplier, "noise_multiplier", low=0.0)
    grads = per_example_gradients(model, loss_fn, batch)
    clipped, norms = clip_per_example(grads, C)
    B = norms.shape[0]
    gradient = {}
    for k, g in clipped.items():
        total = g.sum(0)  # (B, *P) -> (*P)
        if sigma > 0:
            noise = torch.randn(
                total.shape, generator=generator, dtype=total.dtype, device=total.device
            )
            total = total + sigma * C * noise  # N(0, sigma^2 C^2 I)
        gradient[k] = total / B
    return gradient, norms
