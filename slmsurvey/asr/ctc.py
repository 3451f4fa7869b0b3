r"""Connectionist temporal classification (CTC): the loss and its trellis.

A CTC model emits, at every frame :math:`t`, a distribution :math:`y^t` over
the :math:`V` labels plus a *blank* :math:`b`. A frame-level path
:math:`\pi` maps to a labelling by :math:`\mathcal{B}`: merge repeats, then
drop blanks (``a a b b a`` and ``a b b b a`` both give ``a b a``; a blank
between two equal labels keeps them apart). The loss sums over every path
that maps to the target :math:`\mathbf{y}`,

.. math::

    \mathcal{L}_\mathrm{CTC} = -\log \sum_{\pi \in \mathcal{B}^{-1}(\mathbf{y})}
    P(\pi \mid X), \qquad P(\pi \mid X) = \prod_{t=1}^{T} y^t_{\pi_t}.

The sum has exponentially many terms but a forward recursion computes it.
Interleave blanks with the target, :math:`\mathbf{l}' = (b, l_1, b, l_2,
\dots, l_U, b)` of length :math:`L = 2U + 1`; then

.. math::

    \alpha_1(1) = y^1_b, \quad \alpha_1(2) = y^1_{l_1}, \quad
    \alpha_1(s) = 0 \ (s > 2),

    \alpha_t(s) = \Big(\alpha_{t-1}(s) + \alpha_{t-1}(s-1)
    + [\,l'_s \ne b \wedge l'_s \ne l'_{s-2}\,]\, \alpha_{t-1}(s-2)\Big)\,
    y^t_{l'_s},

    P(\mathbf{y} \mid X) = \alpha_T(L) + \alpha_T(L-1).

Everything here works on logarithms (sums become ``logsumexp``), so
thousands of frames neither underflow nor overflow. The gradient comes
from the same recursion run backwards in time,

.. math::

    \beta_{T}(L) = \beta_{T}(L-1) = 1, \qquad
    \beta_t(s) = \sum_{s' \in \{s,\, s+1,\, s+2\}} \beta_{t+1}(s')\,
    y^{t+1}_{l'_{s'}} \quad (s + 2 \text{ only if it may skip}),

    \frac{\partial \log P(\mathbf{y} \mid X)}{\partial \log y^t_k}
    = \frac{1}{P(\mathbf{y} \mid X)} \sum_{s:\, l'_s = k}
    \alpha_t(s)\, \beta_t(s),

the posterior probability that frame :math:`t` emits :math:`k` on a path
to :math:`\mathbf{y}`: what autograd would compute through the forward
recursion, in one backward pass instead of thousands of small operations.

**Impossible targets.** A path needs one frame per label and one blank
between each pair of equal neighbours, so a target of :math:`U` labels with
:math:`R` adjacent repeats needs :math:`T \ge U + R` frames (``[3, 3, 2]``
needs 4). With fewer frames no path exists, :math:`P = 0` and the loss is
``inf`` (``0`` with ``zero_infinity=True``), as in
:func:`torch.nn.functional.ctc_loss`.

Symbol map (equations count from 1, the code from 0): ``log_probs[t, b, k]``
= :math:`\log y^{t+1}_k` for batch item ``b``; ``l_ext`` = :math:`\mathbf{l}'`;
``log_alpha[t, b, s]`` = :math:`\log \alpha_{t+1}(s+1)`, ``log_beta`` likewise;
``log_y[t, b, s]`` =
:math:`\log y^{t+1}_{l'_{s+1}}`; ``can_skip`` = the bracket above.

References
----------
Graves, Fernández, Gomez & Schmidhuber (2006), "Connectionist temporal
classification: labelling unsegmented sequence data with recurrent neural
networks", ICML, section 4.1 (the forward-backward algorithm).
doi:10.1145/1143844.1143891.
"""

# Shapes: T frames, B batch, S target width (padded), U target length,
#         L = 2 U_max + 1 extended labels, V vocabulary (blank included).

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

__all__ = ["collapse", "ctc_alignments_brute_force", "ctc_log_alpha", "ctc_loss"]

_REDUCTIONS = ("none", "sum", "mean")
_MAX_BRUTE_FORCE_PATHS = 10**6
NEG_INF = -math.inf


def _check_blank(blank: object, V: int | None = None) -> int:
    if not isinstance(blank, int) or isinstance(blank, bool):
        raise TypeError(f"blank must be an int, got {type(blank).__name__}")
    if blank < 0 or (V is not None and blank >= V):
        raise ValueError(f"blank must lie in [0, V) = [0, {V}), got {blank}")
    return blank


def _is_integer(x: torch.Tensor) -> bool:
    return not (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool)


def _as_label_list(x: object, name: str) -> list[int]:
    """A 1-D sequence of ints (list, tuple, range, tensor, array) as a list."""
    if isinstance(x, torch.Tensor) or hasattr(x, "__array__"):
        x = torch.as_tensor(x)
        if not _is_integer(x):
            raise TypeError(f"{name} must hold integers, got dtype {x.dtype}")
        if x.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {tuple(x.shape)}")
        return [int(v) for v in x.tolist()]
    if isinstance(x, str) or not isinstance(x, Sequence):
        raise TypeError(f"{name} must be a sequence of ints, got {type(x).__name__}")
    for v in x:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must hold ints, got {type(v).__name__}")
    return [int(v) for v in x]


def collapse(path: Sequence[int] | torch.Tensor, blank: int = 0) -> list[int]:
    r"""The CTC map :math:`\mathcal{B}`: merge repeated labels, then drop blanks.

    Parameters
    ----------
    path : sequence of int or 1-D integer tensor, length T
        A frame-level path :math:`\pi`.
    blank : int
        The blank label :math:`b`.

    Returns
    -------
    list of int
        The labelling :math:`\mathcal{B}(\pi)`.

    Examples
    --------
    >>> collapse([1, 1, 0, 1, 2, 2, 0])
    [1, 1, 2]
    >>> collapse([0, 0, 0])
    []
    """
    path = _as_label_list(path, "path")
    _check_blank(blank)
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return [k for k in merged if k != blank]


def ctc_alignments_brute_force(
    T: int, target: Sequence[int] | torch.Tensor, blank: int = 0
) -> list[tuple[int, ...]]:
    r"""Every length-:math:`T` path :math:`\pi` with :math:`\mathcal{B}(\pi) =`
    ``target``, by enumeration: :math:`\mathcal{B}^{-1}(\mathbf{y})`.

    Only labels of the target and the blank can appear on such a path, so the
    search runs over :math:`(|\mathrm{set}(\mathbf{y})| + 1)^T` candidates;
    meant for tests and small worked examples.

    Parameters
    ----------
    T : int
        Number of frames, ``T >= 0``.
    target : sequence of int
        The labelling :math:`\mathbf{y}`, without blanks.
    blank : int
        The blank label.

    Returns
    -------
    list of tuple of int
        The paths in lexicographic order; empty when ``T`` is too short.

    Raises
    ------
    ValueError
        If ``T < 0``, ``target`` contains the blank, or there are more than a
        million candidate paths.

    Examples
    --------
    >>> ctc_alignments_brute_force(3, [1, 2])
    [(0, 1, 2), (1, 0, 2), (1, 1, 2), (1, 2, 0), (1, 2, 2)]
    >>> ctc_alignments_brute_force(2, [1, 1])  # needs a blank between: 3 frames
    []
    """
    if not isinstance(T, int) or isinstance(T, bool):
        raise TypeError(f"T must be an int, got {type(T).__name__}")
    if T < 0:
        raise ValueError(f"T must be non-negative, got {T}")
    target = _as_label_list(target, "target")
    _check_blank(blank)
    if blank in target:
        raise ValueError(f"target must not contain the blank label {blank}")
    alphabet = sorted({*target, blank})
    if len(alphabet) ** T > _MAX_BRUTE_FORCE_PATHS:
        raise ValueError(
            f"T={T} with {len(alphabet)} symbols gives {len(alphabet)}**{T} "
            f"candidate paths, more than {_MAX_BRUTE_FORCE_PATHS}"
        )
    return [
        path
        for path in itertools.product(alphabet, repeat=T)
        if collapse(path, blank) == target
    ]


def _check_log_probs(
    x: object, ndims: tuple[int, ...], shape: str, arrays: bool = False
) -> torch.Tensor:
    """A floating tensor (or, if ``arrays``, ndarray) of a rank in ``ndims``,
    no empty dim, no NaN or +inf (``-inf``, probability zero, is fine)."""
    if arrays and hasattr(x, "__array__") and not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"log_probs must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"log_probs must be floating point, got {x.dtype}")
    if x.ndim not in ndims or 0 in x.shape:
        raise ValueError(
            f"log_probs must have shape {shape}, all sizes >= 1; got {tuple(x.shape)}"
        )
    for bad, what in ((torch.isnan, "NaN"), (torch.isposinf, "+inf")):
        if bool(bad(x).any()):
            raise ValueError(f"log_probs contains {what}")
    return x


def _as_lengths(x: object, name: str, B: int, unbatched: bool) -> torch.Tensor:
    x = torch.as_tensor(x)
    if not _is_integer(x):
        raise TypeError(f"{name} must hold integers, got dtype {x.dtype}")
    if x.shape != (B,) and not (unbatched and x.ndim == 0):
        want = "a scalar" if unbatched else f"shape (B,) = ({B},)"
        raise ValueError(f"{name} must be {want}, got shape {tuple(x.shape)}")
    if bool((x < 0).any()):
        raise ValueError(f"{name} must be non-negative, got {x.tolist()}")
    return x.reshape(B).long()


def _check_ctc_inputs(
    log_probs: object,
    targets: object,
    input_lengths: object,
    target_lengths: object,
    blank: object,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, bool]:
    """Validate; return log_probs (T, B, V), padded targets (B, U_max) with
    padding set to blank, input and target lengths (B,), and unbatched."""
    log_probs = _check_log_probs(log_probs, (2, 3), "(T, B, V) or, unbatched, (T, V)")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)  # (T, 1, V)
    T, B, V = log_probs.shape
    device = log_probs.device
    blank = _check_blank(blank, V)
    if not isinstance(targets, torch.Tensor):
        raise TypeError(f"targets must be a torch.Tensor, got {type(targets).__name__}")
    if not _is_integer(targets):
        raise TypeError(f"targets must hold integers, got dtype {targets.dtype}")
    input_lengths = _as_lengths(input_lengths, "input_lengths", B, unbatched)
    target_lengths = _as_lengths(target_lengths, "target_lengths", B, unbatched)
    if bool((input_lengths > T).any()):
        raise ValueError(
            f"input_lengths must be at most T = {T}, got {input_lengths.tolist()}"
        )
    if unbatched and targets.ndim != 1:
        raise ValueError(
            f"targets must be 1-D for unbatched log_probs, got {tuple(targets.shape)}"
        )
    if targets.ndim not in (1, 2):
        raise ValueError(
            "targets must be padded (B, S) or concatenated 1-D, "
            f"got {tuple(targets.shape)}"
        )
    U_max = int(target_lengths.max())
    targets = targets.to(device).long()
    if unbatched or targets.ndim == 2:
        targets = targets.reshape(1, -1) if unbatched else targets  # (B, S)
        if targets.shape[0] != B:
            raise ValueError(f"targets has {targets.shape[0]} rows but B = {B}")
        if U_max > targets.shape[1]:
            raise ValueError(
                f"target_lengths must be at most the width of targets "
                f"(S = {targets.shape[1]}), got {target_lengths.tolist()}"
            )
        padded = targets[:, :U_max]  # (B, U_max)
    else:
        if int(target_lengths.sum()) != len(targets):
            raise ValueError(
                "concatenated 1-D targets must have sum(target_lengths) = "
                f"{int(target_lengths.sum())} entries, got {len(targets)}"
            )
        padded = targets.new_full((B, U_max), blank)
        for b, part in enumerate(torch.split(targets, target_lengths.tolist())):
            padded[b, : len(part)] = part
    valid = torch.arange(U_max, device=device) < target_lengths[:, None].to(device)
    used = padded[valid]
    if bool(((used < 0) | (used >= V)).any()):
        raise ValueError(f"targets must lie in [0, V) = [0, {V}), got {used.tolist()}")
    if bool((used == blank).any()):
        raise ValueError(f"targets must not contain the blank label {blank}")
    padded = torch.where(valid, padded, blank)
    lengths = input_lengths.to(device), target_lengths.to(device)
    return log_probs, padded, *lengths, unbatched


def _logsumexp(x: torch.Tensor, dim: int) -> torch.Tensor:
    """log-sum-exp over ``dim``; all ``-inf`` gives ``-inf`` with gradient 0.

    (``torch.logsumexp`` gives the right value there but a NaN gradient,
    which would poison ``zero_infinity`` and frozen frames.)
    """
    m = x.amax(dim, keepdim=True).detach()
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))  # all -inf: shift 0
    s = torch.exp(x - m).sum(dim)
    positive = s > 0
    out = torch.log(torch.where(positive, s, torch.ones_like(s))) + m.squeeze(dim)
    return torch.where(positive, out, torch.full_like(out, NEG_INF))


def _extend(padded: torch.Tensor, blank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """l' = (b, l_1, b, ..., l_U, b) (B, L) and can_skip (B, L)."""
    B, U_max = padded.shape
    l_ext = padded.new_full((B, 2 * U_max + 1), blank)  # (B, L)
    l_ext[:, 1::2] = padded
    # eq. (ctc-alpha): the skip s-2 -> s is allowed into a label that differs
    # from the label two places back (a blank always lies between repeats)
    l_prev2 = F.pad(l_ext, (2, 0), value=blank)[:, :-2]  # (B, L): l'_{s-2}
    can_skip = (l_ext != blank) & (l_ext != l_prev2)
    return l_ext, can_skip


def _three_way(x: torch.Tensor, skip_penalty: torch.Tensor, k: int) -> torch.Tensor:
    """log(x(s) + x(s - k) + [skip allowed] x(s - 2k)), all (B, L), in log space.

    ``k = 1`` is the forward recursion (from s - 1 and s - 2), ``k = -1`` the
    backward one (from s + 1 and s + 2). ``skip_penalty`` is 0 where the skip
    of two states is allowed and ``-inf`` where not, indexed by the state
    the step goes to. Under autograd it uses the NaN-free :func:`_logsumexp`;
    otherwise two ``torch.logaddexp`` (same values, several times faster).
    """
    edge = x.new_full((x.shape[0], 2), NEG_INF)  # (B, 2): states outside [0, L)
    if k > 0:
        padded = torch.cat([edge, x], dim=1)  # (B, L + 2)
        step, skip = padded[:, 1:-1], padded[:, :-2]  # x(s - 1), x(s - 2)
    else:
        padded = torch.cat([x, edge], dim=1)  # (B, L + 2)
        step, skip = padded[:, 1:-1], padded[:, 2:]  # x(s + 1), x(s + 2)
    skip = skip + skip_penalty
    if torch.is_grad_enabled() and x.requires_grad:
        return _logsumexp(torch.stack([x, step, skip]), dim=0)
    return torch.logaddexp(torch.logaddexp(x, step), skip)


def _log_alpha(
    log_probs: torch.Tensor, l_ext: torch.Tensor, can_skip: torch.Tensor
) -> torch.Tensor:
    """The forward trellis log alpha (T, B, L), looping over frames only."""
    T, B, _ = log_probs.shape
    L = l_ext.shape[1]
    log_y = log_probs.gather(2, l_ext.unsqueeze(0).expand(T, B, L))  # (T, B, L)
    skip_penalty = torch.where(can_skip, 0.0, NEG_INF).to(log_y.dtype)  # (B, L)
    # eq. (ctc-alpha-init): start in the first blank or in the first label
    start = torch.arange(L, device=log_probs.device) < 2  # (L,)
    log_alpha = [torch.where(start, log_y[0], NEG_INF)]  # (B, L)
    for t in range(1, T):
        # eq. (ctc-alpha): three-way recursion, in log space
        log_alpha.append(_three_way(log_alpha[-1], skip_penalty, 1) + log_y[t])
    return torch.stack(log_alpha)  # (T, B, L)


def _log_beta(
    log_y: torch.Tensor,
    can_skip: torch.Tensor,
    input_lengths: torch.Tensor,
    target_lengths: torch.Tensor,
) -> torch.Tensor:
    r"""The backward trellis :math:`\log \beta_t(s)` (T, B, L).

    :math:`\beta_t(s)` is the probability of the rest of the path, frames
    :math:`t+1 \dots T_b`, given state :math:`s` at frame :math:`t` (unlike
    :math:`\alpha`, without :math:`y^t`): 1 in the two final states at the
    last frame :math:`T_b`, 0 (``-inf``) after it. ``log_y`` (T, B, L).
    """
    T, B, L = log_y.shape
    states = torch.arange(L, device=log_y.device)  # (L,)
    end = 2 * target_lengths[:, None]  # (B, 1): the final blank
    is_end = (states == end) | ((states == end - 1) & (end > 0))  # (B, L)
    final = torch.where(is_end, 0.0, NEG_INF).to(log_y.dtype)  # (B, L)
    skip_penalty = torch.where(can_skip, 0.0, NEG_INF).to(log_y.dtype)  # (B, L)
    skip_penalty = skip_penalty.roll(-2, dims=1)  # indexed by where it starts
    last = (input_lengths - 1)[:, None]  # (B, 1)
    last_frames = set(last.flatten().tolist())
    log_beta = [final.new_full((B, L), NEG_INF)]  # frame T - 1, before `final`
    for t in range(T - 1, -1, -1):
        if t in last_frames:  # some items end here: start their recursion
            log_beta[-1] = torch.where(last == t, final, log_beta[-1])
        if t > 0:
            # eq. (ctc-beta): the same three-way recursion, run backwards
            nxt = log_beta[-1] + log_y[t]  # (B, L)
            log_beta.append(_three_way(nxt, skip_penalty, -1))
    return torch.stack(log_beta[::-1])  # (T, B, L)


def _final_log_likelihood(
    log_alpha: torch.Tensor, input_lengths: torch.Tensor, target_lengths: torch.Tensor
) -> torch.Tensor:
    """log P(y | X) (B,) from the trellis: the two final states at frame T_b."""
    B = log_alpha.shape[1]
    items = torch.arange(B, device=log_alpha.device)
    alpha_T = log_alpha[(input_lengths - 1).clamp(min=0), items]  # (B, L)
    end = 2 * target_lengths  # index of the final blank, L_b - 1
    in_blank = alpha_T[items, end]  # (B,)
    in_label = alpha_T[items, (end - 1).clamp(min=0)]  # (B,)
    in_label = torch.where(target_lengths > 0, in_label, NEG_INF)
    # eq. (ctc-likelihood): P(y | X) = alpha_T(L) + alpha_T(L - 1)
    return torch.logsumexp(torch.stack([in_blank, in_label]), 0)  # (B,)


def _working_dtype(x: torch.Tensor) -> torch.dtype:
    """float64 where the device has it: the trellis adds up hundreds of log
    terms, and float32 would cost the gradient about five digits."""
    return x.dtype if x.device.type == "mps" else torch.float64


class _CTCLikelihood(torch.autograd.Function):
    """log P(y | X) (B,) by the forward recursion; its gradient, the
    occupancy gamma_t(k) (module docstring), by the backward recursion.
    Computed in float64 (see :func:`_working_dtype`), returned in the dtype
    of ``log_probs``.
    """

    @staticmethod
    def forward(ctx, log_probs, l_ext, can_skip, input_lengths, target_lengths):
        work = log_probs.to(_working_dtype(log_probs))
        log_alpha = _log_alpha(work, l_ext, can_skip)  # (T, B, L)
        log_likelihood = _final_log_likelihood(log_alpha, input_lengths, target_lengths)
        ctx.save_for_backward(
            work, l_ext, can_skip, input_lengths, target_lengths,
            log_alpha, log_likelihood,
        )  # fmt: skip
        ctx.dtype = log_probs.dtype
        return log_likelihood.to(log_probs.dtype)

    @staticmethod
    @once_differentiable  # a second derivative would need the graph of beta
    def backward(ctx, grad_output):
        work, l_ext, can_skip, input_lengths, target_lengths, log_alpha, ll = (
            ctx.saved_tensors
        )
        T, B, L = log_alpha.shape
        index = l_ext.unsqueeze(0).expand(T, B, L)  # (T, B, L)
        log_y = work.gather(2, index)  # (T, B, L)
        log_beta = _log_beta(log_y, can_skip, input_lengths, target_lengths)
        # eq. (ctc-gradient): gamma = alpha beta / P, summed over s with
        # l'_s = k; impossible targets (P = 0) get gradient 0, not NaN
        possible = torch.isfinite(ll)  # (B,)
        log_gamma = log_alpha + log_beta - torch.where(possible, ll, 0.0)[:, None]
        gamma = torch.where(possible[:, None], log_gamma.exp(), 0.0)  # (T, B, L)
        grad = torch.zeros_like(work).scatter_add_(2, index, gamma)  # (T, B, V)
        grad = grad * grad_output[:, None].to(grad.dtype)
        return grad.to(ctx.dtype), None, None, None, None


def ctc_log_alpha(
    log_probs: torch.Tensor,
    targets: torch.Tensor,
    input_lengths: torch.Tensor | Sequence[int],
    target_lengths: torch.Tensor | Sequence[int],
    *,
    blank: int = 0,
) -> torch.Tensor:
    r"""The CTC forward trellis :math:`\log \alpha_t(s)`, e.g. to plot it.

    Arguments as in :func:`ctc_loss`. Entries outside an item's frames
    (:math:`t \ge T_b`) or extended labels (:math:`s \ge 2 U_b + 1`) are
    ``-inf``.

    Returns
    -------
    torch.Tensor, shape (T, B, L) or, unbatched, (T, L)
        ``L = 2 max(target_lengths) + 1``.

    Examples
    --------
    >>> import torch
    >>> log_probs = torch.full((3, 1, 3), 1 / 3).log()  # uniform over b, 1, 2
    >>> log_alpha = ctc_log_alpha(log_probs, torch.tensor([[1]]), [3], [1])
    >>> (log_alpha[-1, 0].exp() * 27).round().tolist()  # paths into each state
    [1.0, 3.0, 3.0]
    """
    log_probs, padded, input_lengths, target_lengths, unbatched = _check_ctc_inputs(
        log_probs, targets, input_lengths, target_lengths, blank
    )
    l_ext, can_skip = _extend(padded, blank)
    log_alpha = _log_alpha(log_probs, l_ext, can_skip)  # (T, B, L)
    T, _, L = log_alpha.shape
    frames = torch.arange(T, device=log_alpha.device)[:, None]  # (T, 1)
    states = torch.arange(L, device=log_alpha.device)  # (L,)
    inside = (frames < input_lengths)[:, :, None] & (
        states < 2 * target_lengths[:, None] + 1
    )  # (T, B, L)
    log_alpha = torch.where(inside, log_alpha, NEG_INF)
    return log_alpha[:, 0] if unbatched else log_alpha


def ctc_loss(
    log_probs: torch.Tensor,
    targets: torch.Tensor,
    input_lengths: torch.Tensor | Sequence[int],
    target_lengths: torch.Tensor | Sequence[int],
    *,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> torch.Tensor:
    r"""CTC loss :math:`-\log P(\mathbf{y} \mid X)` by the forward recursion.

    .. math::

        \mathcal{L}_\mathrm{CTC} = -\log \sum_{\pi \in
        \mathcal{B}^{-1}(\mathbf{y})} \prod_t y^t_{\pi_t}
        = -\log\big(\alpha_T(L) + \alpha_T(L-1)\big)

    Same arguments and values as :func:`torch.nn.functional.ctc_loss`. The
    recursion is vectorised over the batch and the extended labels and loops
    over frames; the backward recursion (module docstring) gives the
    gradient, once differentiable. Its gradient with respect to
    ``log_probs`` is the true derivative, :math:`-\gamma_t(k)` (the posterior
    occupancy of label ``k`` at frame ``t``); torch's hand-written backward
    returns :math:`y^t_k - \gamma_t(k)`, the gradient with respect to the
    logits *through* a ``log_softmax`` (pytorch/pytorch#52241). Behind a
    ``log_softmax``, as in training, both give the same gradient.

    Parameters
    ----------
    log_probs : torch.Tensor, shape (T, B, V) or, unbatched, (T, V)
        Per-frame log probabilities, time-major; normally ``log_softmax``
        outputs, but need not be normalised. ``-inf`` is allowed; NaN and
        ``+inf`` are not, even in the frames past ``input_lengths`` that the
        loss ignores.
    targets : torch.Tensor of int
        Padded (B, S), or the B targets concatenated (sum(target_lengths),);
        (S,) when unbatched. No blanks within the target lengths; padding is
        ignored.
    input_lengths, target_lengths : torch.Tensor or sequence of int, shape (B,)
        :math:`T_b \le T` and :math:`U_b`; scalars when unbatched.
    blank : int, keyword-only
        Index of the blank label in ``[0, V)``.
    reduction : {"mean", "sum", "none"}, keyword-only
        ``"none"``: one loss per item (B,); ``"sum"``: their sum; ``"mean"``:
        each loss divided by its target length (at least 1), then averaged
        over the batch.
    zero_infinity : bool, keyword-only
        Replace infinite losses (impossible alignments) and their gradients
        by zero.

    Returns
    -------
    torch.Tensor
        Shape (B,) for ``"none"`` (a scalar when unbatched), else a scalar.

    Raises
    ------
    TypeError
        If an argument has the wrong type or dtype.
    ValueError
        On wrong ranks or shapes, NaN or ``+inf`` in ``log_probs``, lengths
        that do not fit the tensors, targets outside ``[0, V)`` or equal to
        ``blank`` (where torch silently returns a wrong value), or an unknown
        ``reduction``.

    Notes
    -----
    An item whose target needs more frames than it has (see the module
    docstring: :math:`U + R > T_b`) has loss ``inf``, or ``0`` with
    ``zero_infinity``. Its gradient is zero either way (torch gives NaN
    without ``zero_infinity``).

    References
    ----------
    Graves et al. (2006), ICML, section 4.1. doi:10.1145/1143844.1143891.

    Examples
    --------
    Two frames, uniform over (blank, 1); the paths for ``[1]`` are
    ``(1, 1), (1, b), (b, 1)``, so :math:`P = 3/4`:

    >>> import torch
    >>> log_probs = torch.full((2, 1, 2), 0.5).log()
    >>> loss = ctc_loss(log_probs, torch.tensor([[1]]), [2], [1], reduction="sum")
    >>> round(float(torch.exp(-loss)), 6)
    0.75
    >>> ctc_loss(log_probs, torch.tensor([[1, 1]]), [2], [2], reduction="none")
    tensor([inf])
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    log_probs, padded, input_lengths, target_lengths, unbatched = _check_ctc_inputs(
        log_probs, targets, input_lengths, target_lengths, blank
    )
    l_ext, can_skip = _extend(padded, blank)
    log_likelihood = _CTCLikelihood.apply(
        log_probs, l_ext, can_skip, input_lengths, target_lengths
    )  # (B,)
    # no frames: only the empty target has a path (the empty one)
    no_frames = torch.where(target_lengths == 0, 0.0, NEG_INF).to(log_probs.dtype)
    log_likelihood = torch.where(input_lengths == 0, no_frames, log_likelihood)
    loss = -log_likelihood  # (B,)
    if zero_infinity:
        loss = torch.where(loss == math.inf, torch.zeros_like(loss), loss)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return (loss / target_lengths.clamp(min=1).to(loss.dtype)).mean()
    return loss[0] if unbatched else loss
