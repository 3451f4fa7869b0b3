r"""Recurrent cells written from their equations: Elman RNN, LSTM and GRU.

A recurrent network reads a sequence one step at a time and carries a hidden
state :math:`h_t` forward (survey, sec. 3.1.1):

.. math::

    h_t = f(W_{hx} x_t + W_{hh} h_{t-1} + b).

The LSTM adds a memory cell :math:`c_t` and three sigmoid gates; the GRU two
gates and no separate memory. Each step is a plain function of the input, the
previous state and named weights (:func:`rnn_cell`, :func:`lstm_cell`,
:func:`gru_cell`); :class:`RNNCell`, :class:`LSTMCell` and :class:`GRUCell` own
the weights. :func:`slmsurvey.nn.gradients.run_rnn` runs a cell over sequences.

Symbols and torch. Weights are named after the equations: ``W_xi`` maps the
input :math:`x` to the input gate :math:`i`, ``W_hi`` the previous hidden
state, ``b_i`` is that gate's bias. Torch stacks the gates instead
(``weight_ih`` is ``[W_xi; W_xf; W_xc; W_xo]`` for the LSTM, gate order
i, f, g, o, where torch's g is our candidate :math:`\tilde c`; ``[W_xr; W_xz;
W_xn]`` for the GRU) and keeps two biases, ``bias_ih`` and ``bias_hh``, that
always appear summed. We keep one bias per gate, as the equations do, so
``b_i = bias_ih[i] + bias_hh[i]``. The exception is the GRU's candidate, where
torch's :math:`b_{hn}` sits inside the reset gate's product and cannot be
merged: there we keep ``b_xn`` and ``b_hn``. ``from_torch`` and ``to_torch``
convert in both directions; the outputs and gradients then agree with torch's
to rounding (and the gradient of a merged bias equals that of either torch
bias).

References
----------
Elman (1990), "Finding structure in time", Cognitive Science 14(2):179-211.
Hochreiter & Schmidhuber (1997), "Long short-term memory", Neural Computation
9(8):1735-1780; forget gate: Gers, Schmidhuber & Cummins (2000), Neural
Computation 12(10):2451-2471.
Cho, van Merrienboer, Gulcehre, Bahdanau, Bougares, Schwenk & Bengio (2014),
"Learning phrase representations using RNN encoder-decoder for statistical
machine translation". arXiv:1406.1078.
"""

# Shapes: B batch, T time steps, I input size, H hidden size; the gate
#         weights W_x* are (H, I), the W_h* are (H, H), the biases b_* are (H,).

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Self

import torch
from torch import nn

__all__ = [
    "GRUCell",
    "LSTMCell",
    "RNNCell",
    "gru_cell",
    "lstm_cell",
    "rnn_cell",
]

_NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu}
_LSTM_GATES = ("i", "f", "c", "o")  # torch's order i, f, g, o; g is our c_tilde
_GRU_GATES = ("r", "z", "n")


def _check_step(x: object, states: dict[str, object], W_x: torch.Tensor) -> None:
    """Check one step's input x (B, I) and states (B, H) against W_x (H, I)."""
    H, I = W_x.shape
    for name, s in (("x", x), *states.items()):
        if not isinstance(s, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(s).__name__}")
        if s.dtype != W_x.dtype:
            raise TypeError(f"{name} has dtype {s.dtype}, the weights {W_x.dtype}")
        want = (x.shape[0] if name != "x" else s.shape[0], I if name == "x" else H)
        if s.ndim != 2 or tuple(s.shape) != want:
            raise ValueError(
                f"{name} must have shape (B, {'I' if name == 'x' else 'H'}) = {want} "
                f"(I={I} input size, H={H} hidden size), got {tuple(s.shape)}"
            )
        if not bool(torch.isfinite(s).all()):
            raise ValueError(f"{name} contains NaN or infinite values")


def rnn_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    W_hx: torch.Tensor,
    W_hh: torch.Tensor,
    b: torch.Tensor,
    nonlinearity: str = "tanh",
) -> torch.Tensor:
    r"""One step of an Elman RNN: :math:`h_t = f(W_{hx} x_t + W_{hh} h_{t-1} + b)`.

    Parameters
    ----------
    x : torch.Tensor, shape (B, I)
        Input :math:`x_t`.
    h : torch.Tensor, shape (B, H)
        Previous state :math:`h_{t-1}`, batched like ``x``.
    W_hx, W_hh, b : torch.Tensor, shapes (H, I), (H, H), (H,)
        Weights and bias.
    nonlinearity : {"tanh", "relu"}
        The activation :math:`f`.

    Returns
    -------
    torch.Tensor, shape like ``h``
        :math:`h_t`.

    Raises
    ------
    TypeError
        If ``x`` or ``h`` is not a tensor of the weights' dtype.
    ValueError
        If ``nonlinearity`` is unknown, a shape is wrong, or NaN/inf in input.

    Examples
    --------
    >>> W_hx, W_hh, b = torch.eye(2, 3), 0.5 * torch.eye(2), torch.zeros(2)
    >>> rnn_cell(torch.ones(1, 3), torch.ones(1, 2), W_hx, W_hh, b, "relu").tolist()
    [[1.5, 1.5]]
    """
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(
            f"nonlinearity must be one of {sorted(_NONLINEARITIES)}, "
            f"got {nonlinearity!r}"
        )
    f = _NONLINEARITIES[nonlinearity]
    _check_step(x, {"h": h}, W_hx)
    # survey eq. (3.1.1)
    h = f(x @ W_hx.T + h @ W_hh.T + b)  # (B, I) @ (I, H) + (B, H) @ (H, H) -> (B, H)
    return h


def lstm_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    **weights: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""One step of an LSTM, with the gates of the survey's overview.

    .. math::

        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i) \\
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f) \\
        \tilde c_t &= \tanh(W_{xc} x_t + W_{hc} h_{t-1} + b_c) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) \\
        h_t &= o_t \odot \tanh(c_t)

    Parameters
    ----------
    x : torch.Tensor, shape (B, I)
        Input :math:`x_t`.
    h, c : torch.Tensor, shape (B, H)
        Previous hidden state :math:`h_{t-1}` and memory cell :math:`c_{t-1}`.
    **weights : torch.Tensor
        Keyword-only: ``W_xg`` (H, I), ``W_hg`` (H, H) and ``b_g`` (H,) for
        each gate g in i, f, c, o.

    Returns
    -------
    h, c : torch.Tensor, shape like ``h``
        :math:`h_t` and :math:`c_t`.

    Raises
    ------
    TypeError
        If ``x``, ``h`` or ``c`` is not a tensor of the weights' dtype, or a
        weight is missing or unexpected.
    ValueError
        If a shape is wrong, or NaN/inf in input.

    Examples
    --------
    With all weights zero every gate is one half, so :math:`c_t = c_{t-1}/2`:

    >>> w = {f"{p}{g}": torch.zeros(2, 3 if p == "W_x" else 2)
    ...      for p in ("W_x", "W_h") for g in "ifco"}
    >>> w.update({f"b_{g}": torch.zeros(2) for g in "ifco"})
    >>> h, c = lstm_cell(torch.ones(1, 3), torch.zeros(1, 2), torch.ones(1, 2), **w)
    >>> c.tolist()
    [[0.5, 0.5]]
    """
    _check_weight_names(weights, _LSTM_GATES, ())
    _check_step(x, {"h": h, "c": c}, weights["W_xi"])

    def affine(g: str) -> torch.Tensor:
        # W_xg x_t + W_hg h_{t-1} + b_g: (B, I) @ (I, H) + (B, H) @ (H, H) -> (B, H)
        return x @ weights[f"W_x{g}"].T + h @ weights[f"W_h{g}"].T + weights[f"b_{g}"]

    i_t = torch.sigmoid(affine("i"))  # input gate
    f_t = torch.sigmoid(affine("f"))  # forget gate
    c_tilde = torch.tanh(affine("c"))  # candidate memory (torch's g)
    c_t = f_t * c + i_t * c_tilde
    o_t = torch.sigmoid(affine("o"))  # output gate
    h_t = o_t * torch.tanh(c_t)
    return h_t, c_t


def gru_cell(x: torch.Tensor, h: torch.Tensor, **weights: torch.Tensor) -> torch.Tensor:
    r"""One step of a GRU, in torch's convention (reset applied after W_hn).

    .. math::

        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r) \\
        z_t &= \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) \\
        n_t &= \tanh\big(W_{xn} x_t + b_{xn}
               + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Cho et al. (2014) apply the reset gate before the matrix,
    :math:`W_{hn}(r_t \odot h_{t-1})`; torch (and cuDNN) apply it after, as
    here, which lets the three :math:`W_h` products share one matmul.

    Parameters
    ----------
    x : torch.Tensor, shape (B, I)
        Input :math:`x_t`.
    h : torch.Tensor, shape (B, H)
        Previous state :math:`h_{t-1}`.
    **weights : torch.Tensor
        Keyword-only: ``W_xg`` (H, I) and ``W_hg`` (H, H) for g in r, z, n;
        biases ``b_r``, ``b_z``, ``b_xn``, ``b_hn``, each (H,).

    Returns
    -------
    torch.Tensor, shape like ``h``
        :math:`h_t`.

    Raises
    ------
    TypeError
        If ``x`` or ``h`` is not a tensor of the weights' dtype, or a weight
        is missing or unexpected.
    ValueError
        If a shape is wrong, or NaN/inf in input.

    References
    ----------
    Cho et al. (2014), eqs. (5)-(8). arXiv:1406.1078.

    Examples
    --------
    With all weights zero, :math:`z_t = 1/2` and :math:`n_t = 0`:

    >>> w = {f"{p}{g}": torch.zeros(2, 3 if p == "W_x" else 2)
    ...      for p in ("W_x", "W_h") for g in "rzn"}
    >>> w.update({b: torch.zeros(2) for b in ("b_r", "b_z", "b_xn", "b_hn")})
    >>> gru_cell(torch.ones(1, 3), torch.ones(1, 2), **w).tolist()
    [[0.5, 0.5]]
    """
    _check_weight_names(weights, ("r", "z"), ("b_xn", "b_hn", "W_xn", "W_hn"))
    _check_step(x, {"h": h}, weights["W_xr"])
    w = weights
    # (B, I) @ (I, H) + (B, H) @ (H, H) -> (B, H) for each of r, z, n
    r_t = torch.sigmoid(x @ w["W_xr"].T + h @ w["W_hr"].T + w["b_r"])  # reset gate
    z_t = torch.sigmoid(x @ w["W_xz"].T + h @ w["W_hz"].T + w["b_z"])  # update gate
    n_t = torch.tanh(x @ w["W_xn"].T + w["b_xn"] + r_t * (h @ w["W_hn"].T + w["b_hn"]))
    h_t = (1 - z_t) * n_t + z_t * h
    return h_t


def _check_weight_names(
    weights: dict[str, torch.Tensor], gates: Sequence[str], extra: Sequence[str]
) -> None:
    expected = {f"{p}{g}" for p in ("W_x", "W_h", "b_") for g in gates} | set(extra)
    if set(weights) != expected:
        missing, unexpected = expected - set(weights), set(weights) - expected
        raise TypeError(
            f"weights: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        )


class _RecurrentCell(nn.Module):
    """Parameters named after the equations, and the copy to and from torch.

    ``_layout`` lists, for torch's ``weight_ih``, ``weight_hh``, ``bias_ih``
    and ``bias_hh`` in turn, our parameters in the order torch stacks them. A
    bias named in both torch biases is their sum; a bias named in only one
    has zeros in the other.
    """

    _layout: tuple[tuple[str, ...], ...]
    _torch_cell: type[nn.Module]
    _torch_rnn: type[nn.Module]
    n_states = 1  # tensors in the state: 1 for h, 2 for (h, c)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self.input_size, self.hidden_size = input_size, hidden_size
        shapes = ((hidden_size, input_size), (hidden_size, hidden_size), (hidden_size,))
        for names, shape in zip(self._layout, (*shapes, shapes[2]), strict=True):
            for name in names:
                if not hasattr(self, name):
                    empty = torch.empty(shape, dtype=dtype, device=device)
                    self.register_parameter(name, nn.Parameter(empty))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(H), 1/sqrt(H)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def initial_state(
        self, batch_size: int
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Zero state (B, H), or a pair of them for the LSTM, like the weights."""
        w = next(self.parameters())
        zeros = tuple(w.new_zeros(batch_size, self.hidden_size) for _ in range(2))
        return zeros if self.n_states == 2 else zeros[0]

    def _state_for(self, x: object) -> torch.Tensor | tuple[torch.Tensor, ...]:
        """Zero state for the batch of ``x`` (whose shape _check_step checks)."""
        ok = isinstance(x, torch.Tensor) and x.ndim == 2
        return self.initial_state(x.shape[0] if ok else 1)

    @classmethod
    def from_torch(cls, module: nn.Module) -> Self:
        """Copy a torch cell, or a 1-layer unidirectional torch RNN/LSTM/GRU.

        Raises ``TypeError`` for another kind of module and ``ValueError`` for
        one with several layers, two directions or a projection.
        """
        if isinstance(module, cls._torch_rnn):
            if module.num_layers != 1 or module.bidirectional:
                raise ValueError("module must have num_layers=1, bidirectional=False")
            if getattr(module, "proj_size", 0):
                raise ValueError("module must have proj_size=0")
            suffix = "_l0"
        elif isinstance(module, cls._torch_cell):
            suffix = ""
        else:
            raise TypeError(
                f"module must be a torch {cls._torch_cell.__name__} or "
                f"{cls._torch_rnn.__name__}, got {type(module).__name__}"
            )
        W_ih = getattr(module, "weight_ih" + suffix)  # (G H, I), G gates stacked
        kwargs = {"nonlinearity": module.nonlinearity} if cls is RNNCell else {}
        size = (module.input_size, module.hidden_size)
        cell = cls(*size, dtype=W_ih.dtype, device=W_ih.device, **kwargs)
        with torch.no_grad():
            for p in cell.parameters():
                p.zero_()
            for kind, names in zip(_TORCH_NAMES, cls._layout, strict=True):
                if kind.startswith("bias") and not module.bias:
                    continue
                stacked = getattr(module, kind + suffix)  # (G H, .) or (G H,)
                for name, block in zip(names, stacked.chunk(len(names)), strict=True):
                    getattr(cell, name).add_(block)  # (H, .)
        return cell

    def to_torch(self) -> nn.Module:
        """A torch cell (``torch.nn.RNNCell``, ...) computing the same function."""
        is_rnn = isinstance(self, RNNCell)
        kwargs = {"nonlinearity": self.nonlinearity} if is_rnn else {}
        w, size = next(self.parameters()), (self.input_size, self.hidden_size)
        cell = self._torch_cell(*size, dtype=w.dtype, device=w.device, **kwargs)
        seen: set[str] = set()
        with torch.no_grad():
            for kind, names in zip(_TORCH_NAMES, self._layout, strict=True):
                # a merged bias goes into bias_ih; bias_hh gets zeros there
                blocks = [getattr(self, n) for n in names]  # G x (H, .)
                blocks = [
                    torch.zeros_like(b) if n in seen else b
                    for n, b in zip(names, blocks, strict=True)
                ]
                seen.update(names)
                getattr(cell, kind).copy_(torch.cat(blocks))  # (G H, .)
        return cell

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


_TORCH_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class RNNCell(_RecurrentCell):
    r"""Elman RNN cell, :math:`h_t = f(W_{hx} x_t + W_{hh} h_{t-1} + b)`.

    Parameters ``W_hx`` (H, I), ``W_hh`` (H, H), ``b`` (H,): torch's
    ``weight_ih``, ``weight_hh`` and ``bias_ih + bias_hh``. Calling the cell
    runs :func:`rnn_cell`; a missing state ``h`` means zeros.

    Parameters
    ----------
    input_size, hidden_size : int
        I and H.
    nonlinearity : {"tanh", "relu"}
        The activation :math:`f`.
    dtype, device : optional, keyword-only
        Of the parameters.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> cell = RNNCell(3, 4, "relu")
    >>> x, h = torch.randn(2, 3), torch.randn(2, 4)
    >>> torch.allclose(cell(x, h), cell.to_torch()(x, h))
    True
    """

    _layout = (("W_hx",), ("W_hh",), ("b",), ("b",))
    _torch_cell, _torch_rnn = nn.RNNCell, nn.RNN

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(
                f"nonlinearity must be one of {sorted(_NONLINEARITIES)}, "
                f"got {nonlinearity!r}"
            )
        super().__init__(input_size, hidden_size, dtype=dtype, device=device)
        self.nonlinearity = nonlinearity

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        h = self._state_for(x) if h is None else h
        return rnn_cell(x, h, self.W_hx, self.W_hh, self.b, self.nonlinearity)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, nonlinearity={self.nonlinearity!r}"


class LSTMCell(_RecurrentCell):
    r"""LSTM cell with parameters named after the survey's gate equations.

    Parameters ``W_xg`` (H, I), ``W_hg`` (H, H), ``b_g`` (H,) for each gate g
    in i, f, c, o (see :func:`lstm_cell`). Torch's ``weight_ih`` is
    ``[W_xi; W_xf; W_xc; W_xo]`` (its gate g is our c), ``weight_hh`` likewise,
    and ``b_g`` is the sum of the two torch biases. The state is the pair
    ``(h, c)``; a missing state means zeros.

    Parameters
    ----------
    input_size, hidden_size : int
        I and H.
    dtype, device : optional, keyword-only
        Of the parameters.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> theirs = torch.nn.LSTMCell(3, 4)
    >>> ours = LSTMCell.from_torch(theirs)
    >>> x = torch.randn(2, 3)
    >>> h, c = ours(x)
    >>> torch.allclose(h, theirs(x)[0]), tuple(ours.W_xi.shape)
    (True, (4, 3))
    """

    _layout = (
        tuple(f"W_x{g}" for g in _LSTM_GATES),
        tuple(f"W_h{g}" for g in _LSTM_GATES),
        tuple(f"b_{g}" for g in _LSTM_GATES),
        tuple(f"b_{g}" for g in _LSTM_GATES),
    )
    _torch_cell, _torch_rnn = nn.LSTMCell, nn.LSTM
    n_states = 2

    def forward(
        self,
        x: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        state = self._state_for(x) if state is None else state
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError("state must be a tuple (h, c) of two tensors")
        return lstm_cell(x, state[0], state[1], **dict(self.named_parameters()))


class GRUCell(_RecurrentCell):
    r"""GRU cell in torch's convention, parameters named after the equations.

    Parameters ``W_xg`` (H, I), ``W_hg`` (H, H) for g in r, z, n, and biases
    ``b_r = bias_ih[r] + bias_hh[r]``, ``b_z`` likewise, ``b_xn = bias_ih[n]``,
    ``b_hn = bias_hh[n]`` (see :func:`gru_cell`). A missing state means zeros.

    Parameters
    ----------
    input_size, hidden_size : int
        I and H.
    dtype, device : optional, keyword-only
        Of the parameters.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> cell = GRUCell(3, 4)
    >>> x, h = torch.randn(2, 3), torch.randn(2, 4)
    >>> torch.allclose(cell(x, h), cell.to_torch()(x, h))
    True
    """

    _layout = (
        ("W_xr", "W_xz", "W_xn"),
        ("W_hr", "W_hz", "W_hn"),
        ("b_r", "b_z", "b_xn"),
        ("b_r", "b_z", "b_hn"),
    )
    _torch_cell, _torch_rnn = nn.GRUCell, nn.GRU

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        h = self._state_for(x) if h is None else h
        return gru_cell(x, h, **dict(self.named_parameters()))
