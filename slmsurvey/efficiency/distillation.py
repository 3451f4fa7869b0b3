r"""Knowledge distillation: a small student learns the teacher's soft targets.

A trained teacher's output distribution carries more than its top answer:
which wrong classes it finds *plausible* (Hinton et al.'s "dark knowledge").
Softening both distributions with a temperature :math:`T > 1` exposes those
small probabilities, and the student is trained to match them:

.. math::

    p = \mathrm{softmax}(v / T), \qquad q = \mathrm{softmax}(z / T), \qquad
    \mathcal{L}_{\mathrm{KD}} = T^2\, \mathrm{KL}(p \,\|\, q)
    = T^2 \sum_i p_i \log \frac{p_i}{q_i}.

Its gradient with respect to the student's logits is exactly

.. math::

    \frac{\partial \mathcal{L}_{\mathrm{KD}}}{\partial z_i} = T\,(q_i - p_i)
    \;\xrightarrow[T \to \infty]{}\;
    \frac{(z_i - \bar z) - (v_i - \bar v)}{V},

since :math:`q_i = \frac{1}{V}\big(1 + \frac{z_i - \bar z}{T}\big) +
O(T^{-2})` and likewise :math:`p_i`. The factor :math:`T^2` is there so that
the soft term's gradients keep their size as :math:`T` changes (without it
they shrink like :math:`1/T^2`), and in the limit distillation is matching
mean-centred logits in squared error (Hinton et al., eq. 3, with their
:math:`1/T^2` multiplied out).

Symbols and code: :math:`z` is ``student_logits``, :math:`v` is
``teacher_logits``, :math:`T` is ``temperature``, :math:`V` the number of
classes, :math:`\alpha` (``alpha``) the weight of the soft term against the
cross-entropy with the true labels.

References
----------
Hinton, Vinyals & Dean (2015), "Distilling the knowledge in a neural
network". arXiv:1503.02531.
"""

# Shapes: ... leading dims (N examples in all, e.g. B batch x T_f frames),
#         V classes.

from __future__ import annotations

import torch
import torch.nn.functional as torch_F

from slmsurvey._checks import check_real

__all__ = ["distillation_loss"]


def _check_logits(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor")
    if x.ndim < 2 or x.shape[-1] == 0 or x.numel() == 0:
        raise ValueError(
            f"{name} must have shape (..., V) with at least one example and "
            f"class, got {tuple(x.shape)}"
        )
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    *,
    temperature: float,
    labels: torch.Tensor | None = None,
    alpha: float = 0.9,
) -> torch.Tensor:
    r"""Hinton et al.'s distillation loss, optionally mixed with cross-entropy.

    .. math::

        \mathcal{L} = \alpha\, T^2\, \frac{1}{N} \sum_{n=1}^{N}
        \mathrm{KL}\big(\mathrm{softmax}(v_n / T) \,\big\|\,
        \mathrm{softmax}(z_n / T)\big)
        + (1 - \alpha)\, \frac{1}{N} \sum_{n=1}^{N}
        -\log \mathrm{softmax}(z_n)_{y_n},

    averaged over the :math:`N` examples (all leading dims). Without
    ``labels`` the loss is the soft term alone, :math:`T^2 \cdot
    \mathrm{KL}` (``alpha`` is then unused). The hard term uses :math:`T = 1`.

    Parameters
    ----------
    student_logits : torch.Tensor, shape (..., V)
        :math:`z`, floating point.
    teacher_logits : torch.Tensor, shape (..., V)
        :math:`v`, same shape and dtype. Compute it under
        :func:`torch.no_grad` (or detach it): gradients flow into it if it
        requires them.
    temperature : float, keyword-only
        :math:`T > 0`; Hinton et al. use values from 1 to 20.
    labels : torch.Tensor of int, shape (...), optional, keyword-only
        True classes :math:`y_n \in [0, V)`.
    alpha : float, keyword-only
        :math:`\alpha \in [0, 1]`, the weight of the soft term (a small
        weight on the hard term works best, per the paper).

    Returns
    -------
    torch.Tensor
        The scalar loss, differentiable with respect to both logits.

    Raises
    ------
    TypeError
        If the logits are not floating-point tensors of one dtype, ``labels``
        is not an integer tensor, or ``temperature``/``alpha`` not a number.
    ValueError
        If the shapes disagree, an input is empty or not finite, a label is
        outside [0, V), ``temperature <= 0`` or ``alpha`` is outside [0, 1].

    References
    ----------
    Hinton, Vinyals & Dean (2015), "Distilling the knowledge in a neural
    network", sec. 2 and 2.1. arXiv:1503.02531.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[2.0, 0.0, -1.0]])
    >>> distillation_loss(z, z, temperature=4.0).item()  # same distribution
    0.0
    >>> v = torch.tensor([[1.0, 1.0, -1.0]])
    >>> round(distillation_loss(z, v, temperature=1.0).item(), 4)
    0.4112
    >>> y = torch.tensor([0])
    >>> loss = distillation_loss(z, v, temperature=2.0, labels=y, alpha=0.5)
    >>> round(loss.item(), 4)
    0.2897
    """
    z = _check_logits(student_logits, "student_logits")
    v = _check_logits(teacher_logits, "teacher_logits")
    if v.dtype != z.dtype:
        raise TypeError(
            f"teacher_logits has dtype {v.dtype} but student_logits has {z.dtype}"
        )
    if v.shape != z.shape:
        raise ValueError(
            f"student_logits and teacher_logits must have the same shape, "
            f"got {tuple(z.shape)} and {tuple(v.shape)}"
        )
    T = check_real(temperature, "temperature", low=0.0, open_low=True)
    alpha = check_real(alpha, "alpha", low=0.0)
    if alpha > 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    V = z.shape[-1]
    log_q = torch_F.log_softmax(z.reshape(-1, V) / T, dim=-1)  # (N, V)
    log_p = torch_F.log_softmax(v.reshape(-1, V) / T, dim=-1)  # (N, V)
    # eq. (kd): T^2 KL(p || q), summed over classes, averaged over examples
    kl = (log_p.exp() * (log_p - log_q)).sum(-1).mean()  # (N, V) -> ()
    soft = T**2 * kl
    if labels is None:
        return soft
    if not isinstance(labels, torch.Tensor) or (
        labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool
    ):
        raise TypeError("labels must be an integer torch.Tensor")
    if labels.shape != z.shape[:-1]:
        raise ValueError(
            f"labels must have shape {tuple(z.shape[:-1])} (the logits' leading "
            f"dims), got {tuple(labels.shape)}"
        )
    if bool((labels < 0).any()) or bool((labels >= V).any()):
        raise ValueError(f"labels must lie in [0, V={V})")
    hard = torch_F.cross_entropy(z.reshape(-1, V), labels.reshape(-1).long())
    return alpha * soft + (1.0 - alpha) * hard
