"""Bottleneck adapters: identity at the start, only they train, bad input."""

import pytest
import torch
from torch import nn

from slmsurvey.efficiency import count_parameters
from slmsurvey.training import freeze
from slmsurvey.training.adapters import (
    AdaptedLayer,
    Adapter,
    add_adapters,
    trainable_parameters,
)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


class Encoder(nn.Module):
    """A per-frame layer, a GRU and a head, like the book's word classifier."""

    def __init__(self):
        super().__init__()
        self.frame = nn.Sequential(nn.Linear(5, 8), nn.GELU(), nn.Linear(8, 8))
        self.rnn = nn.GRU(8, 6, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        c, _ = self.rnn(self.frame(x))  # (B, T, 6)
        return self.head(c.mean(1))  # (B, 3)


@pytest.mark.parametrize(("d", "m"), [(16, 4), (8, 1), (32, 64)])
def test_adapter_has_2dm_plus_d_plus_m_parameters(d, m):
    adapter = Adapter(d, m)
    assert count_parameters(adapter) == 2 * d * m + d + m
    assert adapter.down.weight.shape == (m, d)
    assert adapter.up.weight.shape == (d, m)


def test_adapter_starts_near_identity_and_matches_the_equation():
    adapter = Adapter(16, 4, init_std=1e-2)
    h = torch.randn(3, 7, 16)
    out = adapter(h)
    assert (out - h).norm() < 1e-3 * h.norm()  # near-identity start
    assert adapter.down.bias.abs().max() == 0 and adapter.up.bias.abs().max() == 0
    assert adapter.up.weight.abs().max() <= 2e-2  # truncated at two std
    with torch.no_grad():  # the equation, with non-zero weights
        for p in adapter.parameters():
            p.normal_()
        W_down, b_down = adapter.down.weight, adapter.down.bias
        W_up, b_up = adapter.up.weight, adapter.up.bias
        expected = h + nn.functional.gelu(h @ W_down.T + b_down) @ W_up.T + b_up
        assert torch.allclose(adapter(h), expected, atol=1e-5)


def test_adapter_gradcheck():
    adapter = Adapter(5, 2, init_std=0.5).double()
    h = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(adapter, (h,))


def test_add_adapters_wraps_layers_and_keeps_the_output():
    model = Encoder()
    x = torch.randn(4, 9, 5)
    before = model(x)
    adapters = add_adapters(model, [model.frame, model.rnn], 2)
    assert [a.d_model for a in adapters] == [8, 6]  # read from the layers
    assert isinstance(model.frame, AdaptedLayer) and isinstance(model.rnn, AdaptedLayer)
    assert model.frame.adapter is adapters[0] and model.rnn.adapter is adapters[1]
    assert torch.allclose(model(x), before, atol=1e-3)
    out, h_n = model.rnn(torch.randn(2, 3, 8))  # a tuple: only out is adapted
    assert out.shape == (2, 3, 6) and h_n.shape == (1, 2, 6)


def test_only_adapters_and_head_train_after_freeze():
    model = Encoder()
    n_head = count_parameters(model.head)
    freeze(model.frame)
    freeze(model.rnn)
    adapters = add_adapters(model, [model.frame, model.rnn], 3)
    n_adapters = sum(count_parameters(a) for a in adapters)
    assert count_parameters(model, trainable_only=True) == n_adapters + n_head
    assert n_adapters == (2 * 8 * 3 + 8 + 3) + (2 * 6 * 3 + 6 + 3)
    frozen = count_parameters(model) - count_parameters(model, trainable_only=True)
    assert frozen == count_parameters(model.frame.layer) + count_parameters(
        model.rnn.layer
    )
    trainable = {id(p) for p in trainable_parameters(model)}
    expected = {id(p) for m in (*adapters, model.head) for p in m.parameters()}
    assert trainable == expected

    backbone = {
        name: p.detach().clone()
        for name, p in model.named_parameters()
        if ".layer." in name
    }
    adapted = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD(trainable_parameters(model), lr=0.5)
    x, y = torch.randn(6, 9, 5), torch.randint(3, (6,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    for name, p in model.named_parameters():
        if name in backbone:
            assert p.grad is None, name  # no gradient reaches the backbone
        else:
            assert p.grad is not None, name
    assert any(a.up.weight.grad.abs().sum() > 0 for a in adapters)
    optimizer.step()
    for name, p in model.named_parameters():
        if name in backbone:
            assert torch.equal(p, backbone[name]), name  # unchanged
    assert not torch.equal(adapters[0].up.weight, adapted["frame.adapter.up.weight"])


def test_adapter_can_be_swapped_per_task():
    model = Encoder()
    (first,) = add_adapters(model, [model.frame], 2)
    second = Adapter(8, 2)
    model.frame.adapter = second  # e.g. another language's adapter
    assert model.frame.adapter is second and first is not second
    assert count_parameters(model) == count_parameters(Encoder()) + count_parameters(
        second
    )


def test_explicit_d_model_and_layers_without_a_width():
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6))
    adapters = add_adapters(model, [model[1], model[2]], 2, d_model=[6, 6])
    assert [a.d_model for a in adapters] == [6, 6]
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh())
    (adapter,) = add_adapters(model, [model[1]], 2, d_model=6)
    assert adapter.d_model == 6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"d_model": 0, "bottleneck": 2}, ValueError, "d_model"),
        ({"d_model": 4, "bottleneck": 0}, ValueError, "bottleneck"),
        ({"d_model": 4.0, "bottleneck": 2}, TypeError, "d_model"),
        ({"d_model": 4, "bottleneck": 2, "init_std": 0.0}, ValueError, "init_std"),
        ({"d_model": 4, "bottleneck": 2, "init_std": -1.0}, ValueError, "init_std"),
    ],
)
def test_adapter_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Adapter(**kwargs)


def test_adapter_bad_input():
    adapter = Adapter(4, 2)
    with pytest.raises(ValueError, match="last dim d_model=4"):
        adapter(torch.randn(2, 5))
    with pytest.raises(TypeError, match="floating-point"):
        adapter(torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="floating-point"):
        adapter([[0.0] * 4])


def test_add_adapters_bad_input():
    model = Encoder()
    with pytest.raises(TypeError, match="model"):
        add_adapters("model", [model.frame], 2)
    with pytest.raises(ValueError, match="non-empty list"):
        add_adapters(model, [], 2)
    with pytest.raises(ValueError, match="non-empty list"):
        add_adapters(model, model.frame, 2)
    with pytest.raises(TypeError, match=r"layers\[0\]"):
        add_adapters(model, ["frame"], 2)
    with pytest.raises(ValueError, match=r"layers\[0\] is not a sub-module"):
        add_adapters(model, [nn.Linear(8, 8)], 2)
    with pytest.raises(ValueError, match=r"layers\[0\] is not a sub-module"):
        add_adapters(model, [model], 2)
    with pytest.raises(ValueError, match="must not repeat"):
        add_adapters(model, [model.rnn, model.rnn], 2)
    with pytest.raises(ValueError, match="bottleneck"):
        add_adapters(model, [model.rnn], 0)
    with pytest.raises(ValueError, match=r"output width of layers\[0\].*GELU"):
        add_adapters(model, [model.frame[1]], 2)
    with pytest.raises(ValueError, match="d_model has 1 widths for 2 layers"):
        add_adapters(model, [model.frame, model.rnn], 2, d_model=[8])
    assert not isinstance(model.frame, AdaptedLayer)  # nothing changed
    add_adapters(model, [model.rnn], 2)
    with pytest.raises(ValueError, match="already has an adapter"):
        add_adapters(model, [model.rnn.layer], 2)
    with pytest.raises(TypeError, match="model"):
        trainable_parameters(None)


def test_adapted_layer_bad_input():
    with pytest.raises(TypeError, match="layer"):
        AdaptedLayer("gru", Adapter(4, 2))
    with pytest.raises(TypeError, match="adapter"):
        AdaptedLayer(nn.Linear(4, 4), None)
