r"""Gradient attributions: saliency maps and integrated gradients.

A saliency map is the gradient of one class score :math:`F_c` with respect
to the input (Simonyan et al. 2014): how much a small change of each input
value would move the score. Integrated gradients (Sundararajan et al. 2017)
average that gradient along the straight path from a baseline :math:`x'` to
the input and multiply by the distance travelled,

.. math::

    \mathrm{IG}_i(x) = (x_i - x'_i) \int_0^1
    \frac{\partial F_c\big(x' + \alpha (x - x')\big)}{\partial x_i}\,
    d\alpha,

so that, by the fundamental theorem of calculus for path integrals, they add
up to the change of score (*completeness*):
:math:`\sum_i \mathrm{IG}_i(x) = F_c(x) - F_c(x')`.

References
----------
Simonyan, Vedaldi & Zisserman (2014), "Deep inside convolutional networks:
visualising image classification models and saliency maps", ICLR workshop.
arXiv:1312.6034.
Sundararajan, Taly & Yan (2017), "Axiomatic attribution for deep networks",
ICML. arXiv:1703.01365.
"""

# Shapes: B batch, C classes, K integration steps, ... the input's own dims
#         (e.g. T frames and n_mels bands of a spectrogram).

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["integrated_gradients", "saliency"]


def _check_input(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {x.dtype}")
    if x.ndim < 2:
        raise ValueError(
            f"{name} must have a batch dimension (B, ...), got shape {tuple(x.shape)}"
        )
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_target(target: object, B: int) -> torch.Tensor:
    if isinstance(target, bool):
        raise TypeError("target must be an int or a (B,) tensor of ints, got bool")
    if isinstance(target, int):
        return torch.full((B,), target, dtype=torch.long)
    if isinstance(target, torch.Tensor) and not target.is_floating_point():
        if tuple(target.shape) != (B,):
            raise ValueError(
                f"target must have shape ({B},), got {tuple(target.shape)}"
            )
        return target.long()
    raise TypeError(
        f"target must be an int or a (B,) tensor of ints, got {type(target).__name__}"
    )


def _scores(model: Callable, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """F_c(x) for each row: the model's (B, C) output at the target class."""
    out = model(x)
    if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != len(x):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
        raise ValueError(f"model must return (B, C) scores, got {shape}")
    if int(target.max()) >= out.shape[1] or int(target.min()) < 0:
        raise ValueError(
            f"target must be in [0, {out.shape[1]}), got values "
            f"{int(target.min())}..{int(target.max())}"
        )
    return out.gather(1, target[:, None].to(out.device))[:, 0]  # (B,)


def saliency(
    model: Callable,
    x: torch.Tensor,
    target: int | torch.Tensor,
    *,
    absolute: bool = True,
) -> torch.Tensor:
    r"""The saliency map :math:`|\partial F_c / \partial x|` of each input.

    .. math::

        M_c(x) = \left| \frac{\partial F_c(x)}{\partial x} \right|

    Parameters
    ----------
    model : callable
        Maps inputs (B, ...) to class scores (B, C); put it in ``eval()``
        mode first. Its parameters' ``.grad`` are left untouched.
    x : torch.Tensor, shape (B, ...)
        A batch of inputs.
    target : int or torch.Tensor of shape (B,)
        The class :math:`c` whose score is explained, per row.
    absolute : bool, keyword-only
        Return the magnitude (Simonyan et al.'s map) or the signed gradient.

    Returns
    -------
    torch.Tensor, shape of ``x``

    References
    ----------
    Simonyan, Vedaldi & Zisserman (2014), sec. 3. arXiv:1312.6034.

    Examples
    --------
    >>> w = torch.tensor([[1.0, -3.0], [0.5, 2.0]])  # (C, 2)
    >>> saliency(lambda x: x @ w.T, torch.ones(1, 2), 0)
    tensor([[1., 3.]])
    >>> saliency(lambda x: x @ w.T, torch.ones(1, 2), 0, absolute=False)
    tensor([[ 1., -3.]])
    """
    x = _check_input(x, "x")
    target = _check_target(target, len(x))
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(_scores(model, x, target).sum(), x)
    return grad.abs() if absolute else grad


def integrated_gradients(
    model: Callable,
    x: torch.Tensor,
    baseline: torch.Tensor | float,
    target: int | torch.Tensor,
    *,
    steps: int = 32,
) -> torch.Tensor:
    r"""Integrated gradients of the score of class ``target``.

    The path integral is approximated by the midpoint rule with
    :math:`K` = ``steps`` points,

    .. math::

        \mathrm{IG}_i(x) \approx \frac{x_i - x'_i}{K} \sum_{k=1}^{K}
        \frac{\partial F_c}{\partial x_i}
        \Big(x' + \tfrac{k - 1/2}{K} (x - x')\Big),

    which is exact when :math:`F_c` is linear or quadratic along the path;
    otherwise the completeness gap :math:`|\sum_i \mathrm{IG}_i - (F_c(x) -
    F_c(x'))|` shrinks as ``steps`` grows.

    Parameters
    ----------
    model : callable
        Maps inputs (B, ...) to class scores (B, C), in ``eval()`` mode.
    x : torch.Tensor, shape (B, ...)
    baseline : torch.Tensor or float
        :math:`x'`, broadcastable to ``x`` (e.g. the shape of one input, or
        a constant such as the spectrogram's silence level).
    target : int or torch.Tensor of shape (B,)
    steps : int, keyword-only
        :math:`K`, at least 1. All :math:`B K` gradients are taken in one
        batch.

    Returns
    -------
    torch.Tensor, shape of ``x``

    References
    ----------
    Sundararajan, Taly & Yan (2017), eq. (1) and sec. 3. arXiv:1703.01365.

    Examples
    --------
    For :math:`F(x) = x_0^2 + 3 x_1` from :math:`x' = 0`, the attributions
    are :math:`(x_0^2, 3 x_1)`, whatever the number of steps:

    >>> model = lambda x: (x[:, :1] ** 2 + 3 * x[:, 1:]).reshape(-1, 1)
    >>> integrated_gradients(model, torch.tensor([[2.0, 1.0]]), 0.0, 0, steps=1)
    tensor([[4., 3.]])
    """
    x = _check_input(x, "x")
    if isinstance(baseline, int | float) and not isinstance(baseline, bool):
        baseline = torch.full_like(x, float(baseline))
    if not isinstance(baseline, torch.Tensor):
        raise TypeError(
            f"baseline must be a tensor or a float, got {type(baseline).__name__}"
        )
    try:
        x0 = torch.broadcast_to(baseline.to(x), x.shape)  # (B, ...)
    except RuntimeError:
        raise ValueError(
            f"baseline of shape {tuple(baseline.shape)} does not broadcast to "
            f"x of shape {tuple(x.shape)}"
        ) from None
    if not bool(torch.isfinite(x0).all()):
        raise ValueError("baseline contains NaN or infinite values")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    B = len(x)
    target = _check_target(target, B)
    K = steps
    alpha = (torch.arange(K, dtype=x.dtype, device=x.device) + 0.5) / K  # (K,)
    alpha = alpha.reshape(K, 1, *([1] * (x.ndim - 1)))  # (K, 1, ...)
    path = x0 + alpha * (x - x0)  # (K, B, ...)
    path = path.reshape(K * B, *x.shape[1:])  # (K B, ...)
    with torch.enable_grad():
        path = path.detach().requires_grad_(True)
        scores = _scores(model, path, target.repeat(K))  # (K B,)
        (grad,) = torch.autograd.grad(scores.sum(), path)  # (K B, ...)
    mean_grad = grad.reshape(K, *x.shape).mean(0)  # (B, ...)
    return (x - x0) * mean_grad
