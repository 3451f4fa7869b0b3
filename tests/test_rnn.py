"""Tests of slmsurvey.nn.rnn and slmsurvey.nn.gradients against torch's RNNs."""

import math

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from slmsurvey.nn.gradients import gradient_norms_through_time, run_rnn
from slmsurvey.nn.rnn import GRUCell, LSTMCell, RNNCell, gru_cell, lstm_cell, rnn_cell

# Shapes: B batch, T time steps, I input size, H hidden size.

F64 = torch.float64
ATOL = 1e-10
KINDS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def _torch_module(kind, I, H, *, sequence=False, bias=True, seed=0):
    """A float64 torch cell (or 1-layer batch-first RNN) with seeded weights."""
    torch.manual_seed(seed)
    kw = {"bias": bias, "dtype": F64}
    if sequence:
        kw["batch_first"] = True
    if kind.startswith("rnn"):
        kw["nonlinearity"] = kind[4:]
        return (torch.nn.RNN if sequence else torch.nn.RNNCell)(I, H, **kw)
    if kind == "lstm":
        return (torch.nn.LSTM if sequence else torch.nn.LSTMCell)(I, H, **kw)
    return (torch.nn.GRU if sequence else torch.nn.GRUCell)(I, H, **kw)


def _ours(kind):
    return {"lstm": LSTMCell, "gru": GRUCell}.get(kind, RNNCell)


def _torch_blocks(kind):
    """Our parameter -> the torch blocks (name, chunk, n_chunks) it comes from.

    Written out from torch's documentation, independently of the package: gates
    are stacked i, f, g, o (LSTM) and r, z, n (GRU); our merged biases are the
    sum of torch's bias_ih and bias_hh blocks.
    """
    both = ("bias_ih", "bias_hh")
    if kind.startswith("rnn"):
        return {
            "W_hx": [("weight_ih", 0, 1)],
            "W_hh": [("weight_hh", 0, 1)],
            "b": [(n, 0, 1) for n in both],
        }
    if kind == "lstm":
        out = {}
        for j, g in enumerate("ifco"):  # torch's g gate is our c
            out[f"W_x{g}"] = [("weight_ih", j, 4)]
            out[f"W_h{g}"] = [("weight_hh", j, 4)]
            out[f"b_{g}"] = [(n, j, 4) for n in both]
        return out
    out = {}
    for j, g in enumerate("rzn"):
        out[f"W_x{g}"] = [("weight_ih", j, 3)]
        out[f"W_h{g}"] = [("weight_hh", j, 3)]
    out["b_r"] = [(n, 0, 3) for n in both]
    out["b_z"] = [(n, 1, 3) for n in both]
    out["b_xn"] = [("bias_ih", 2, 3)]
    out["b_hn"] = [("bias_hh", 2, 3)]
    return out


def _block(module, name, j, n, suffix="", grad=False):
    t = getattr(module, name + suffix)
    return (t.grad if grad else t).chunk(n)[j]


def _state(kind, B, H, g, requires_grad=False):
    def r():
        return torch.randn(B, H, generator=g, dtype=F64, requires_grad=requires_grad)

    return (r(), r()) if kind == "lstm" else r()


def _as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


# --- one step against torch's cells -------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_from_torch_maps_every_block(kind):
    theirs = _torch_module(kind, 3, 4)
    ours = _ours(kind).from_torch(theirs)
    blocks = _torch_blocks(kind)
    assert set(dict(ours.named_parameters())) == set(blocks)
    for name, sources in blocks.items():
        expected = sum(_block(theirs, *s) for s in sources)
        torch.testing.assert_close(getattr(ours, name), expected, atol=0, rtol=0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", KINDS)
def test_cell_outputs_and_gradients_match_torch(kind, seed):
    g = torch.Generator().manual_seed(seed)
    B, I, H = 1 + seed, 2 + seed, 3 + 2 * seed
    theirs = _torch_module(kind, I, H, seed=seed)
    ours = _ours(kind).from_torch(theirs)
    x = torch.randn(B, I, generator=g, dtype=F64)
    state = _state(kind, B, H, g)
    inputs_ours = [t.clone().requires_grad_() for t in (x, *_as_tuple(state))]
    inputs_theirs = [t.clone().requires_grad_() for t in (x, *_as_tuple(state))]
    weights = [torch.randn(B, H, generator=g, dtype=F64) for _ in _as_tuple(state)]

    def loss(cell, inputs):
        st = tuple(inputs[1:]) if kind == "lstm" else inputs[1]
        out = _as_tuple(cell(inputs[0], st))
        return out, sum((o * w).sum() for o, w in zip(out, weights, strict=True))

    out_ours, loss_ours = loss(ours, inputs_ours)
    out_theirs, loss_theirs = loss(theirs, inputs_theirs)
    for a, b in zip(out_ours, out_theirs, strict=True):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)
    loss_ours.backward()
    loss_theirs.backward()
    for a, b in zip(inputs_ours, inputs_theirs, strict=True):
        torch.testing.assert_close(a.grad, b.grad, atol=ATOL, rtol=0)
    for name, sources in _torch_blocks(kind).items():
        for s in sources:  # a merged bias has the gradient of either torch bias
            expected = _block(theirs, *s, grad=True)
            torch.testing.assert_close(
                getattr(ours, name).grad, expected, atol=ATOL, rtol=0
            )


@pytest.mark.parametrize("kind", KINDS)
def test_missing_state_means_zeros(kind):
    theirs = _torch_module(kind, 3, 4)
    ours = _ours(kind).from_torch(theirs)
    x = torch.randn(2, 3, dtype=F64)
    for a, b in zip(_as_tuple(ours(x)), _as_tuple(theirs(x)), strict=True):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_to_torch_round_trip(kind):
    torch.manual_seed(1)
    cls = _ours(kind)
    ours = cls(3, 5, kind[4:], dtype=F64) if cls is RNNCell else cls(3, 5, dtype=F64)
    theirs = ours.to_torch()
    assert type(theirs) is {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}.get(
        kind, torch.nn.RNNCell
    )
    if cls is RNNCell:
        assert theirs.nonlinearity == kind[4:]
    x, state = torch.randn(4, 3, dtype=F64), _state(kind, 4, 5, torch.Generator())
    for a, b in zip(
        _as_tuple(ours(x, state)), _as_tuple(theirs(x, state)), strict=True
    ):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)
    back = cls.from_torch(theirs)
    for name, p in ours.named_parameters():
        torch.testing.assert_close(getattr(back, name), p, atol=1e-15, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_torch_module_without_bias(kind):
    theirs = _torch_module(kind, 3, 4, bias=False)
    ours = _ours(kind).from_torch(theirs)
    for name, p in ours.named_parameters():
        if name.startswith("b"):
            assert bool((p == 0).all())
    x = torch.randn(2, 3, dtype=F64)
    for a, b in zip(_as_tuple(ours(x)), _as_tuple(theirs(x)), strict=True):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)


def test_hand_worked_rnn_step():
    # h = tanh([1 2] . [1 1] + 0.5 * 2 - 1) = tanh(3), relu: 3
    W_hx, W_hh, b = (
        torch.tensor([[1.0, 2.0]]),
        torch.tensor([[0.5]]),
        torch.tensor([-1.0]),
    )
    x, h = torch.tensor([[1.0, 1.0]]), torch.tensor([[2.0]])
    assert rnn_cell(x, h, W_hx, W_hh, b).item() == pytest.approx(math.tanh(3.0))
    assert rnn_cell(x, h, W_hx, W_hh, b, "relu").item() == pytest.approx(3.0)


def test_hand_worked_lstm_step():
    # all weights zero, biases chosen: i = f = o = sigmoid(0) = 1/2, c_tilde = tanh(1)
    w = {f"{p}{g}": torch.zeros(1, 1) for p in ("W_x", "W_h") for g in "ifco"}
    w.update({f"b_{g}": torch.zeros(1) for g in "ifo"}, b_c=torch.ones(1))
    h, c = lstm_cell(torch.ones(1, 1), torch.zeros(1, 1), torch.full((1, 1), 2.0), **w)
    expected_c = 0.5 * 2.0 + 0.5 * math.tanh(1.0)
    assert c.item() == pytest.approx(expected_c)
    assert h.item() == pytest.approx(0.5 * math.tanh(expected_c))


# --- sequences -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_run_rnn_equals_step_by_step(kind):
    g = torch.Generator().manual_seed(3)
    cell = _ours(kind).from_torch(_torch_module(kind, 3, 4, seed=3))
    x, h0 = torch.randn(2, 6, 3, generator=g, dtype=F64), _state(kind, 2, 4, g)
    outputs, final = run_rnn(cell, x, h0)
    state = h0
    for t in range(6):
        state = cell(x[:, t], state)
        torch.testing.assert_close(outputs[:, t], _as_tuple(state)[0], atol=0, rtol=0)
    for a, b in zip(_as_tuple(final), _as_tuple(state), strict=True):
        torch.testing.assert_close(a, b, atol=0, rtol=0)
    # two halves, the second starting from the first's final state
    out1, mid = run_rnn(cell, x[:, :2], h0)
    out2, end = run_rnn(cell, x[:, 2:], mid)
    torch.testing.assert_close(torch.cat([out1, out2], dim=1), outputs, atol=0, rtol=0)
    for a, b in zip(_as_tuple(end), _as_tuple(final), strict=True):
        torch.testing.assert_close(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("kind", KINDS)
def test_run_rnn_matches_torch_rnn(kind, seed):
    g = torch.Generator().manual_seed(seed)
    B, T, I, H = 3, 5 + seed, 2, 4
    theirs = _torch_module(kind, I, H, sequence=True, seed=seed)
    cell = _ours(kind).from_torch(theirs)
    x = torch.randn(B, T, I, generator=g, dtype=F64, requires_grad=True)
    h0 = _state(kind, B, H, g, requires_grad=True)
    out, final = run_rnn(cell, x, h0)
    h0_torch = tuple(s.unsqueeze(0) for s in _as_tuple(h0))  # (1, B, H) each
    out_t, final_t = theirs(x, h0_torch if kind == "lstm" else h0_torch[0])
    torch.testing.assert_close(out, out_t, atol=ATOL, rtol=0)
    for a, b in zip(_as_tuple(final), _as_tuple(final_t), strict=True):
        torch.testing.assert_close(a, b[0], atol=ATOL, rtol=0)
    w = torch.randn(B, T, H, generator=g, dtype=F64)
    sources = [x, *_as_tuple(h0)]
    ours_grads = torch.autograd.grad((out * w).sum() + final_sum(final), sources)
    theirs_grads = torch.autograd.grad(
        (out_t * w).sum() + final_sum(tuple(s[0] for s in _as_tuple(final_t))), sources
    )
    for a, b in zip(ours_grads, theirs_grads, strict=True):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)


def final_sum(state):
    return sum(s.sum() for s in _as_tuple(state))


@pytest.mark.parametrize("kind", KINDS)
def test_padded_batch_equals_per_item_runs(kind):
    g = torch.Generator().manual_seed(5)
    cell = _ours(kind).from_torch(_torch_module(kind, 3, 4, seed=5))
    lengths = [5, 2, 0, 4]
    x, h0 = torch.randn(4, 5, 3, generator=g, dtype=F64), _state(kind, 4, 4, g)
    out, final = run_rnn(cell, x, h0, lengths=torch.tensor(lengths))
    for b, L in enumerate(lengths):
        h0_b = tuple(s[b : b + 1] for s in _as_tuple(h0))
        out_b, final_b = run_rnn(
            cell, x[b : b + 1, :L], h0_b if kind == "lstm" else h0_b[0]
        )
        torch.testing.assert_close(out[b : b + 1, :L], out_b, atol=ATOL, rtol=0)
        assert bool((out[b, L:] == 0).all())
        for a, e in zip(_as_tuple(final), _as_tuple(final_b), strict=True):
            torch.testing.assert_close(a[b : b + 1], e, atol=ATOL, rtol=0)
        if L:  # the final state is the state at the last real step
            torch.testing.assert_close(
                _as_tuple(final)[0][b], out[b, L - 1], atol=0, rtol=0
            )


@pytest.mark.parametrize("kind", KINDS)
def test_padded_batch_matches_torch_packed_sequence(kind):
    g = torch.Generator().manual_seed(6)
    theirs = _torch_module(kind, 3, 4, sequence=True, seed=6)
    cell = _ours(kind).from_torch(theirs)
    lengths = torch.tensor([3, 6, 1])
    x = torch.randn(3, 6, 3, generator=g, dtype=F64)
    out, final = run_rnn(cell, x, lengths=lengths.tolist())
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out_packed, final_t = theirs(packed)
    out_t, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=6)
    torch.testing.assert_close(out, out_t, atol=ATOL, rtol=0)
    for a, b in zip(_as_tuple(final), _as_tuple(final_t), strict=True):
        torch.testing.assert_close(a, b[0], atol=ATOL, rtol=0)


def test_empty_sequence_returns_initial_state():
    cell = GRUCell(3, 4, dtype=F64)
    h0 = torch.randn(2, 4, dtype=F64)
    out, h = run_rnn(cell, torch.zeros(2, 0, 3, dtype=F64), h0)
    assert out.shape == (2, 0, 4)
    assert torch.equal(h, h0)


# --- gradcheck ---------------------------------------------------------------------


def _weights(names_shapes, g):
    return {
        n: torch.randn(*s, generator=g, dtype=F64, requires_grad=True)
        for n, s in names_shapes
    }


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradcheck_rnn_cell(nonlinearity):
    g = torch.Generator().manual_seed(0)
    shapes = {"x": (2, 3), "h": (2, 4), "W_hx": (4, 3), "W_hh": (4, 4), "b": (4,)}
    args = list(_weights(shapes.items(), g).values())
    assert torch.autograd.gradcheck(lambda *a: rnn_cell(*a, nonlinearity), args)


def test_gradcheck_lstm_cell():
    g = torch.Generator().manual_seed(1)
    I, H = 3, 2
    shapes = {"W_x": (H, I), "W_h": (H, H), "b_": (H,)}
    w = _weights([(p + q, shapes[p]) for p in shapes for q in "ifco"], g)
    x, h, c = (
        torch.randn(2, n, generator=g, dtype=F64, requires_grad=True) for n in (I, H, H)
    )
    names = list(w)

    def f(x, h, c, *ws):
        return lstm_cell(x, h, c, **dict(zip(names, ws, strict=True)))

    assert torch.autograd.gradcheck(f, (x, h, c, *w.values()))


def test_gradcheck_gru_cell():
    g = torch.Generator().manual_seed(2)
    I, H = 3, 2
    shapes = [(f"W_x{q}", (H, I)) for q in "rzn"] + [(f"W_h{q}", (H, H)) for q in "rzn"]
    w = _weights(shapes + [(b, (H,)) for b in ("b_r", "b_z", "b_xn", "b_hn")], g)
    x, h = (
        torch.randn(2, n, generator=g, dtype=F64, requires_grad=True) for n in (I, H)
    )
    names = list(w)

    def f(x, h, *ws):
        return gru_cell(x, h, **dict(zip(names, ws, strict=True)))

    assert torch.autograd.gradcheck(f, (x, h, *w.values()))


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru"])
def test_gradcheck_run_rnn_with_lengths(kind):
    g = torch.Generator().manual_seed(4)
    cell = _ours(kind).from_torch(_torch_module(kind, 2, 3, seed=4))
    x = torch.randn(3, 4, 2, generator=g, dtype=F64, requires_grad=True)
    h0 = _as_tuple(_state(kind, 3, 3, g, requires_grad=True))

    def f(x, *h0):
        out, final = run_rnn(
            cell, x, h0 if kind == "lstm" else h0[0], lengths=[4, 1, 3]
        )
        return out, *_as_tuple(final)

    assert torch.autograd.gradcheck(f, (x, *h0))


# --- gradient norms through time -----------------------------------------------


def test_gradient_norms_decay_for_small_recurrent_weights():
    g = torch.Generator().manual_seed(7)
    H, T, rho = 6, 12, 0.5
    cell = RNNCell(3, H, dtype=F64)
    with torch.no_grad():
        Q, _ = torch.linalg.qr(torch.randn(H, H, generator=g, dtype=F64))
        cell.W_hh.copy_(rho * Q)  # spectral norm exactly rho
    x = torch.randn(2, T, 3, generator=g, dtype=F64)
    norms = gradient_norms_through_time(cell, x)
    assert norms.shape == (2, T)
    torch.testing.assert_close(norms[:, -1], torch.full((2,), math.sqrt(H), dtype=F64))
    assert bool((norms.diff(dim=1) > 0).all())  # smaller the further back
    distance = torch.arange(T - 1, -1, -1, dtype=F64)
    assert bool((norms <= math.sqrt(H) * rho**distance + 1e-12).all())
    assert norms[:, 0].max().item() < 1e-3


def test_gradient_norms_hand_worked():
    # zero input and bias keep h_t = 0, where tanh' = 1: each Jacobian is W_hh
    H = 2
    cell = RNNCell(1, H, dtype=F64)
    with torch.no_grad():
        cell.W_hh.copy_(0.9 * torch.eye(H, dtype=F64))
        cell.W_hx.zero_()
        cell.b.zero_()
    norms = gradient_norms_through_time(cell, torch.zeros(1, 5, 1, dtype=F64))
    # so G_t = ||0.9^(T-1-t) I||_F = sqrt(2) 0.9^(T-1-t)
    expected = math.sqrt(H) * 0.9 ** torch.arange(4, -1, -1, dtype=F64)
    torch.testing.assert_close(norms[0], expected, atol=1e-12, rtol=0)


def _jacobian_norms_direct(cell, kind, x, wrt):
    """||d h_T / d s_t||_F (or d x_t) per sequence, from autograd's jacobian."""
    B, T, _ = x.shape
    norms = torch.zeros(B, T, dtype=F64)
    if wrt == "input":
        J = torch.autograd.functional.jacobian(
            lambda x: _as_tuple(run_rnn(cell, x)[1])[0], x
        )
        for b in range(B):
            norms[b] = J[b, :, b].pow(2).sum(dim=(0, 2)).sqrt()  # (H, T, I) -> (T,)
        return norms
    for t in range(T):
        s_t = _as_tuple(run_rnn(cell, x[:, : t + 1])[1])

        def rest(*s, t=t):
            state = s if kind == "lstm" else s[0]
            return _as_tuple(run_rnn(cell, x[:, t + 1 :], state)[1])[0]

        Js = _as_tuple(torch.autograd.functional.jacobian(rest, s_t))  # (B, H, B, H)
        for b in range(B):
            norms[b, t] = math.sqrt(sum(J[b, :, b].pow(2).sum().item() for J in Js))
    return norms


@pytest.mark.parametrize("wrt", ["state", "input"])
@pytest.mark.parametrize("kind", KINDS)
def test_gradient_norms_match_autograd_jacobian(kind, wrt):
    g = torch.Generator().manual_seed(8)
    cell = _ours(kind).from_torch(_torch_module(kind, 2, 3, seed=8))
    x = torch.randn(2, 4, 2, generator=g, dtype=F64)
    norms = gradient_norms_through_time(cell, x, wrt=wrt)
    expected = _jacobian_norms_direct(cell, kind, x, wrt)
    torch.testing.assert_close(norms, expected, atol=ATOL, rtol=0)
    assert all(p.grad is None for p in cell.parameters())


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_cell_rejects_wrong_input_size(kind):
    cell = _ours(kind)(3, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(B, I\)"):
        cell(torch.randn(2, 5))
    with pytest.raises(ValueError, match="x must have shape"):
        cell(torch.randn(3))


@pytest.mark.parametrize("kind", KINDS)
def test_cell_rejects_wrong_state_shape(kind):
    cell = _ours(kind)(3, 4)
    x = torch.randn(2, 3)
    bad, good = torch.randn(2, 5), torch.randn(2, 4)
    if kind == "lstm":
        with pytest.raises(ValueError, match=r"h must have shape \(B, H\)"):
            cell(x, (bad, good))
        with pytest.raises(ValueError, match=r"c must have shape \(B, H\)"):
            cell(x, (good, torch.randn(3, 4)))
        with pytest.raises(TypeError, match=r"state must be a tuple \(h, c\)"):
            cell(x, good)
    else:
        with pytest.raises(ValueError, match=r"h must have shape \(B, H\)"):
            cell(x, bad)
        with pytest.raises(ValueError, match=r"h must have shape"):
            cell(x, torch.randn(3, 4))  # batch differs from x


def test_cell_rejects_wrong_types_and_values():
    cell = RNNCell(3, 4)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        cell([[0.0, 0.0, 0.0]])
    with pytest.raises(TypeError, match="x has dtype torch.float64"):
        cell(torch.randn(2, 3, dtype=F64))
    with pytest.raises(TypeError, match="h must be a torch.Tensor"):
        cell(torch.randn(2, 3), 0.0)
    with pytest.raises(ValueError, match="x contains NaN"):
        cell(torch.full((2, 3), math.nan))
    w = {f"{p}{g}": torch.zeros(2, 2) for p in ("W_x", "W_h") for g in "ifc"}
    with pytest.raises(TypeError, match=r"weights: missing \['W_ho', 'W_xo'"):
        lstm_cell(torch.zeros(1, 2), torch.zeros(1, 2), torch.zeros(1, 2), **w)


def test_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        RNNCell(3, 4, "sigmoid")
    W = torch.zeros(2, 2)
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        rnn_cell(torch.zeros(1, 2), torch.zeros(1, 2), W, W, torch.zeros(2), "gelu")


@pytest.mark.parametrize(
    ("size", "error", "match"),
    [
        (0, ValueError, "input_size must be at least 1"),
        (2.0, TypeError, "input_size must be an int"),
    ],
)
def test_rejects_bad_sizes(size, error, match):
    with pytest.raises(error, match=match):
        LSTMCell(size, 4)
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        GRUCell(3, 0)


def test_from_torch_rejects_other_modules():
    with pytest.raises(TypeError, match="module must be a torch LSTMCell or LSTM"):
        LSTMCell.from_torch(torch.nn.GRUCell(2, 3))
    with pytest.raises(ValueError, match="num_layers=1"):
        GRUCell.from_torch(torch.nn.GRU(2, 3, num_layers=2))
    with pytest.raises(ValueError, match="bidirectional=False"):
        RNNCell.from_torch(torch.nn.RNN(2, 3, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size=0"):
        LSTMCell.from_torch(torch.nn.LSTM(2, 3, proj_size=2))


def test_run_rnn_rejects_bad_x_and_h0():
    cell = LSTMCell(3, 4)
    with pytest.raises(TypeError, match="cell must be an RNNCell, LSTMCell or GRUCell"):
        run_rnn(torch.nn.LSTMCell(3, 4), torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, I\)"):
        run_rnn(cell, torch.randn(5, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, I\)"):
        run_rnn(cell, torch.randn(1, 2, 5, 3))
    with pytest.raises(
        ValueError, match=r"x must have shape \(B, T, I\) with input size I=3"
    ):
        run_rnn(cell, torch.randn(2, 5, 4))
    with pytest.raises(TypeError, match=r"h0 must be a tuple \(h0, c0\)"):
        run_rnn(cell, torch.randn(2, 5, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"c0 must have shape \(B, H\)"):
        run_rnn(cell, torch.randn(2, 5, 3), (torch.zeros(2, 4), torch.zeros(2, 5)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\)"):
        run_rnn(GRUCell(3, 4), torch.randn(2, 0, 3), torch.zeros(3, 4))


@pytest.mark.parametrize(
    ("lengths", "error", "match"),
    [
        ([3, 6], ValueError, r"lengths must lie in \[0, T\] = \[0, 5\]"),
        ([-1, 2], ValueError, r"lengths must lie in \[0, T\]"),
        ([1, 2, 3], ValueError, r"lengths must have shape \(B,\) = \(2,\)"),
        (torch.tensor([[1, 2]]), ValueError, r"lengths must have shape"),
        ([1.0, 2.0], TypeError, "lengths must hold integers"),
        (torch.tensor([True, True]), TypeError, "lengths must hold integers"),
        (["a", "b"], TypeError, "lengths must be a sequence of ints"),
    ],
)
def test_run_rnn_rejects_bad_lengths(lengths, error, match):
    with pytest.raises(error, match=match):
        run_rnn(GRUCell(3, 4), torch.randn(2, 5, 3), lengths=lengths)


def test_gradient_norms_reject_unknown_wrt():
    with pytest.raises(ValueError, match="wrt must be 'state' or 'input'"):
        gradient_norms_through_time(RNNCell(2, 3), torch.randn(1, 4, 2), wrt="weights")
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, I\)"):
        gradient_norms_through_time(RNNCell(2, 3), torch.randn(4, 2))
