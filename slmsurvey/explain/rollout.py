r"""Attention rollout: how attention flows from the inputs through the layers.

One layer's attention matrix says how much each position reads from each
position *of the layer below*, which after the first layer is already a
mixture of inputs. Rollout (Abnar & Zuidema 2020) composes the layers. The
residual connection is modelled by mixing in the identity, the heads are
averaged, and the products are taken from the bottom up:

.. math::

    \tilde A^{(l)} = \mathrm{rownorm}\Big(\tfrac12 \bar A^{(l)}
    + \tfrac12 I\Big), \qquad
    R = \tilde A^{(L)} \tilde A^{(L-1)} \cdots \tilde A^{(1)},

with :math:`\bar A^{(l)}` the mean over heads of layer :math:`l`'s weights.
Row :math:`t` of :math:`R` is a distribution over the input positions: how
much of output position :math:`t` traces back to each input, *if*
information flowed only along the attention weights. It does not: the
values, the feed-forward layers and the classifier all weigh in, which is
why attention is not an explanation by itself (Jain & Wallace 2019).

References
----------
Abnar & Zuidema (2020), "Quantifying attention flow in transformers", ACL.
arXiv:2005.00928.
Jain & Wallace (2019), "Attention is not explanation", NAACL.
arXiv:1902.10186.
"""

# Shapes: L layers, H heads, T positions, ... any batch dims.

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["attention_rollout"]


def _check_attentions(attentions: object) -> list[torch.Tensor]:
    if isinstance(attentions, torch.Tensor):
        attentions = list(attentions)  # stacked (L, ..., H, T, T)
    if not isinstance(attentions, Sequence) or len(attentions) == 0:
        raise ValueError(
            "attentions must be a non-empty sequence of (..., H, T, T) tensors"
        )
    shape = None
    for l, A in enumerate(attentions):  # noqa: E741 (l is the layer index)
        name = f"attentions[{l}]"
        if not isinstance(A, torch.Tensor) or not A.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor")
        if A.ndim < 3 or A.shape[-1] != A.shape[-2]:
            raise ValueError(
                f"{name} must have shape (..., H, T, T), got {tuple(A.shape)}"
            )
        if shape is not None and A.shape != shape:
            raise ValueError(
                f"{name} has shape {tuple(A.shape)}, unlike layer 0's {tuple(shape)}"
            )
        shape = A.shape
        if not bool(torch.isfinite(A).all()):
            raise ValueError(f"{name} contains NaN or infinite values")
        if bool((A < 0).any()):
            raise ValueError(f"{name} has negative weights")
        if not torch.allclose(A.sum(-1), torch.ones((), dtype=A.dtype), atol=1e-4):
            raise ValueError(f"{name}: each row must sum to 1 (softmax weights)")
    return list(attentions)


def attention_rollout(
    attentions: Sequence[torch.Tensor] | torch.Tensor, *, residual: bool = True
) -> torch.Tensor:
    r"""Roll attention out through the layers (Abnar & Zuidema 2020).

    .. math::

        R = \tilde A^{(L)} \cdots \tilde A^{(1)}, \qquad
        \tilde A^{(l)} = \mathrm{rownorm}\big(\tfrac12 \bar A^{(l)}
        + \tfrac12 I\big)

    Parameters
    ----------
    attentions : sequence of torch.Tensor, each (..., H, T, T)
        The attention weights of layers 1..L, first layer first (or one
        stacked tensor (L, ..., H, T, T)); each row sums to 1.
    residual : bool, keyword-only
        Mix in the identity for the residual connection (the paper's
        choice). ``False`` multiplies the head-averaged weights alone.

    Returns
    -------
    torch.Tensor, shape (..., T, T)
        :math:`R`; row :math:`t` (output position) sums to 1 over the input
        positions.

    References
    ----------
    Abnar & Zuidema (2020), sec. 3. arXiv:2005.00928.

    Examples
    --------
    One layer, one head, that reads only from position 0:

    >>> A = torch.tensor([[[1.0, 0.0], [1.0, 0.0]]])  # (H, T, T)
    >>> attention_rollout([A])
    tensor([[1.0000, 0.0000],
            [0.5000, 0.5000]])
    >>> attention_rollout([A, A])  # a second layer moves more mass to 0
    tensor([[1.0000, 0.0000],
            [0.7500, 0.2500]])
    """
    layers = _check_attentions(attentions)
    T = layers[0].shape[-1]
    eye = torch.eye(T, dtype=layers[0].dtype, device=layers[0].device)  # (T, T)
    R = None
    for A in layers:
        A_bar = A.mean(-3)  # (..., T, T), heads averaged
        if residual:
            A_bar = 0.5 * A_bar + 0.5 * eye
            A_bar = A_bar / A_bar.sum(-1, keepdim=True)  # row-normalised
        R = A_bar if R is None else A_bar @ R  # (..., T, T)
    return R
