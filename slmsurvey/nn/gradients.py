r"""Unrolling a recurrent cell through time, forwards and backwards.

:func:`run_rnn` applies one cell (:mod:`slmsurvey.nn.rnn`) at every step of a
batch of sequences, padded or not. Training unrolls the same loop backwards
(backpropagation through time), and the gradient that reaches step :math:`t`
from step :math:`T` passes through :math:`T - t` Jacobians of the cell. For a
tanh RNN each one is :math:`\operatorname{diag}(1 - h_k^2)\, W_{hh}`, so

.. math::

    \Big\| \frac{\partial h_T}{\partial h_t} \Big\|_F
    = \Big\| \prod_{k=t+1}^{T} \operatorname{diag}(1 - h_k^2)\, W_{hh} \Big\|_F
    \le \sqrt{H}\, \|W_{hh}\|_2^{\,T-t},

which vanishes geometrically when :math:`\|W_{hh}\|_2 < 1`: the vanishing
gradient that gates (LSTM, GRU) were designed against.
:func:`gradient_norms_through_time` measures these norms with autograd.

References
----------
Werbos (1990), "Backpropagation through time: what it does and how to do it",
Proceedings of the IEEE 78(10):1550-1560.
Bengio, Simard & Frasconi (1994), "Learning long-term dependencies with
gradient descent is difficult", IEEE Transactions on Neural Networks
5(2):157-166.
Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
neural networks", ICML. arXiv:1211.5063.
"""

# Shapes: B batch, T time steps, I input size, H hidden size; a state is a
#         tuple of one (h) or two (h, c) tensors of shape (B, H).

from __future__ import annotations

from collections.abc import Sequence

import torch

from slmsurvey.nn.rnn import GRUCell, LSTMCell, RNNCell, _check_step

__all__ = ["gradient_norms_through_time", "run_rnn"]

Cell = RNNCell | LSTMCell | GRUCell
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def _check_sequence(
    cell: object, x: object, h0: object
) -> tuple[tuple[torch.Tensor, ...], int, int]:
    """Check the cell, x (B, T, I) and h0; return the state as a tuple, B, T."""
    if not isinstance(cell, Cell):
        raise TypeError(
            f"cell must be an RNNCell, LSTMCell or GRUCell, got {type(cell).__name__}"
        )
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 3 or x.shape[-1] != cell.input_size:
        raise ValueError(
            f"x must have shape (B, T, I) with input size I={cell.input_size}, "
            f"got {tuple(x.shape)}"
        )
    B, T, _ = x.shape
    h0 = cell.initial_state(B) if h0 is None else h0
    if cell.n_states == 2 and not (isinstance(h0, tuple) and len(h0) == 2):
        raise TypeError("h0 must be a tuple (h0, c0) of two tensors for an LSTMCell")
    state = h0 if cell.n_states == 2 else (h0,)
    probe = x[:, 0] if T else x.new_zeros(B, cell.input_size)  # (B, I)
    names = ("h0", "c0")[: cell.n_states]
    _check_step(probe, dict(zip(names, state, strict=True)), next(cell.parameters()))
    return state, B, T


def _step(cell: Cell, x_t: torch.Tensor, state: tuple) -> tuple[torch.Tensor, ...]:
    """One step on a tuple state, whatever the cell."""
    if cell.n_states == 2:
        return cell(x_t, state)
    return (cell(x_t, state[0]),)


def run_rnn(
    cell: Cell,
    x: torch.Tensor,
    h0: State | None = None,
    *,
    lengths: torch.Tensor | Sequence[int] | None = None,
) -> tuple[torch.Tensor, State]:
    r"""Run a cell over a batch of sequences (batch first), padded or not.

    .. math::

        s_t = \begin{cases} \mathrm{cell}(x_t, s_{t-1}) & t \le L_b \\
                            s_{t-1} & t > L_b \end{cases}
        \qquad t = 1, \dots, T,

    for each sequence :math:`b` of length :math:`L_b`, where the state
    :math:`s_t` is :math:`h_t`, or :math:`(h_t, c_t)` for an LSTM. Padded steps
    leave the state alone and output zeros, so the final state is the state
    at each sequence's last real step, as with torch's packed sequences.

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
        The cell, applied at every step with the same weights.
    x : torch.Tensor, shape (B, T, I)
        The inputs, padded after each sequence's end.
    h0 : torch.Tensor (B, H), or a tuple (h0, c0) for an LSTM, optional
        The initial state; zeros if omitted.
    lengths : 1-D int tensor or sequence of ints, length B, keyword-only
        :math:`L_b`, each in [0, T]; ``None`` means every sequence has length T.

    Returns
    -------
    outputs : torch.Tensor, shape (B, T, H)
        :math:`h_t` at every step, zero at padded steps.
    state : torch.Tensor (B, H), or a tuple (h, c) for an LSTM
        The final state. (torch's ``nn.RNN`` returns it with a leading layer
        dim, (1, B, H).)

    Raises
    ------
    TypeError
        If ``cell`` is not one of our cells, ``x`` or ``h0`` is not a tensor of
        the cell's dtype, ``h0`` is not a pair for an LSTM, or ``lengths`` does
        not hold integers.
    ValueError
        If ``x`` is not 3-D or has the wrong input size, ``h0`` has the wrong
        shape, or ``lengths`` has the wrong size or a length outside [0, T].

    Examples
    --------
    >>> from slmsurvey.nn.rnn import GRUCell
    >>> _ = torch.manual_seed(0)
    >>> cell = GRUCell(3, 5)
    >>> x = torch.randn(2, 4, 3)
    >>> outputs, h = run_rnn(cell, x, lengths=[4, 2])
    >>> tuple(outputs.shape), outputs[1, 2:].abs().sum().item()
    ((2, 4, 5), 0.0)
    >>> torch.equal(h[1], outputs[1, 1])
    True
    """
    state, B, T = _check_sequence(cell, x, h0)
    if lengths is not None:
        lengths = _check_lengths(lengths, B, T).to(x.device)
    zeros = x.new_zeros(B, cell.hidden_size)  # (B, H)
    outputs = []
    for t in range(T):
        new = _step(cell, x[:, t], state)  # x[:, t]: (B, I); new: tuple of (B, H)
        if lengths is None:
            state = new
            outputs.append(new[0])
        else:
            real = (t < lengths).unsqueeze(1)  # (B,) -> (B, 1)
            state = tuple(
                torch.where(real, n, s) for n, s in zip(new, state, strict=True)
            )
            outputs.append(torch.where(real, new[0], zeros))  # (B, H)
    if T:
        out = torch.stack(outputs, dim=1)  # T x (B, H) -> (B, T, H)
    else:
        out = x.new_zeros(B, 0, cell.hidden_size)  # (B, 0, H)
    return out, (state if cell.n_states == 2 else state[0])


def _check_lengths(lengths: object, B: int, T: int) -> torch.Tensor:
    if not isinstance(lengths, torch.Tensor):
        try:
            lengths = torch.as_tensor(lengths)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"lengths must be a sequence of ints: {err}") from err
    if (
        lengths.dtype == torch.bool
        or lengths.is_floating_point()
        or lengths.is_complex()
    ):
        raise TypeError(f"lengths must hold integers, got dtype {lengths.dtype}")
    if tuple(lengths.shape) != (B,):
        raise ValueError(
            f"lengths must have shape (B,) = ({B},), got {tuple(lengths.shape)}"
        )
    if not bool(((lengths >= 0) & (lengths <= T)).all()):
        raise ValueError(
            f"lengths must lie in [0, T] = [0, {T}], got {lengths.tolist()}"
        )
    return lengths


def gradient_norms_through_time(
    cell: Cell,
    x: torch.Tensor,
    h0: State | None = None,
    *,
    wrt: str = "state",
) -> torch.Tensor:
    r"""How strongly the last hidden state depends on each earlier step.

    With ``wrt="state"``, for every step :math:`t` the Frobenius norm

    .. math::

        G_t = \Big\| \frac{\partial h_T}{\partial s_t} \Big\|_F,

    where :math:`s_t` is the state after step :math:`t` (:math:`h_t`, or
    :math:`(h_t, c_t)` for an LSTM) seen as the input of the remaining steps
    :math:`t+1, \dots, T`; so :math:`G_T = \|I_H\|_F = \sqrt{H}`. With
    ``wrt="input"``, :math:`G_t = \| \partial h_T / \partial x_t \|_F`. Each
    sequence of the batch gets its own norms. Computed with H backward passes
    of autograd (one per unit of :math:`h_T`); the cell's ``.grad`` fields are
    left alone.

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
        The cell.
    x : torch.Tensor, shape (B, T, I)
        The inputs (no padding).
    h0 : torch.Tensor (B, H), or a tuple (h0, c0) for an LSTM, optional
        The initial state; zeros if omitted.
    wrt : {"state", "input"}, keyword-only
        Differentiate with respect to the states :math:`s_t` or the inputs
        :math:`x_t`.

    Returns
    -------
    torch.Tensor, shape (B, T)
        ``norms[b, t]`` is :math:`G_t` for sequence b and step t (0-based, so
        ``t = T - 1`` is the last step and :math:`T - 1 - t` the distance).

    Raises
    ------
    TypeError, ValueError
        As :func:`run_rnn` for ``cell``, ``x`` and ``h0``; ``ValueError`` for
        an unknown ``wrt``.

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), sec. 2. arXiv:1211.5063.

    Examples
    --------
    A tanh RNN whose recurrent matrix has spectral norm 1/2 forgets fast:

    >>> from slmsurvey.nn.rnn import RNNCell
    >>> _ = torch.manual_seed(0)
    >>> cell = RNNCell(2, 3)
    >>> with torch.no_grad():
    ...     _ = cell.W_hh.copy_(0.5 * torch.eye(3))
    >>> norms = gradient_norms_through_time(cell, torch.randn(1, 6, 2))
    >>> [round(g, 3) for g in norms[0].tolist()]
    [0.021, 0.05, 0.112, 0.303, 0.768, 1.732]
    >>> bool((norms[0].diff() > 0).all())
    True
    """
    if wrt not in ("state", "input"):
        raise ValueError(f"wrt must be 'state' or 'input', got {wrt!r}")
    state, B, T = _check_sequence(cell, x, h0)
    with torch.enable_grad():
        x = x.detach().requires_grad_(wrt == "input")
        taps: list[torch.Tensor] = []  # zero perturbations added to each s_t
        for t in range(T):
            state = _step(cell, x[:, t], state)  # tuple of (B, H)
            if wrt == "state":
                tap = [torch.zeros_like(s, requires_grad=True) for s in state]
                state = tuple(s + d for s, d in zip(state, tap, strict=True))
                taps.extend(tap)
        sources = taps if wrt == "state" else [x]
        squares = x.new_zeros(B, T)  # sum over rows k of ||d h_T[k] / d s_t||^2
        if T == 0:
            return squares
        h_T = state[0]  # (B, H)
        for k in range(cell.hidden_size):
            # sequences are independent: d sum_b h_T[b, k] / d s_t[b] is row k
            # of sequence b's Jacobian
            grads = torch.autograd.grad(
                h_T[:, k].sum(),
                sources,
                retain_graph=k < cell.hidden_size - 1,
                allow_unused=True,
            )
            grads = [
                torch.zeros_like(s) if g is None else g  # unused: c_T's tap
                for g, s in zip(grads, sources, strict=True)
            ]
            if wrt == "input":
                squares += grads[0].pow(2).sum(-1)  # (B, T, I) -> (B, T)
            else:
                per_step = torch.stack(grads, dim=1)  # (B, T n_states, H)
                per_step = per_step.reshape(B, T, -1)  # (B, T, n_states H)
                squares += per_step.pow(2).sum(-1)  # (B, T)
    return squares.sqrt().detach()
