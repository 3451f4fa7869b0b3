"""slmsurvey.training.finetune: learning-rate groups, unfreezing, regularisers."""

import math

import pytest
import torch
from torch import nn

from slmsurvey.nn.transformer import TransformerEncoderLayer
from slmsurvey.training.finetune import (
    GradualUnfreezing,
    freeze,
    l2_sp_penalty,
    layerwise_lr_decay_groups,
    parameter_snapshot,
    set_dropout,
    unfreeze,
)
from slmsurvey.training.loop import fit
from slmsurvey.training.specaugment import spec_augment, spec_augment_mask


class TinyEncoder(nn.Module):
    """Embeddings, a stack of Transformer layers and a classification head."""

    def __init__(self, n_layers=3, d_model=8):
        super().__init__()
        self.embedding = nn.Embedding(20, d_model)
        self.blocks = nn.ModuleList(
            TransformerEncoderLayer(d_model, 2, 16, dropout=0.1)
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 3)

    def forward(self, x):
        h = self.embedding(x)  # (B, L, d_model)
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h).mean(dim=1))  # (B, 3)


def _ids(params):
    return [id(p) for p in params]


# --- layer-wise learning-rate decay ---------------------------------------------------


def test_each_layer_gets_base_lr_times_decay_to_its_depth():
    torch.manual_seed(0)
    model = TinyEncoder()
    layers = [model.embedding, *model.blocks]
    groups = layerwise_lr_decay_groups(model, 1e-3, 0.8, layers=layers)
    assert [g["name"] for g in groups] == [f"layers[{i}]" for i in range(4)] + ["head"]
    assert [g["depth"] for g in groups] == [3, 2, 1, 0, 0]
    for g in groups:
        assert g["lr"] == pytest.approx(1e-3 * 0.8 ** g["depth"], rel=1e-15)
        assert "weight_decay" not in g
    # the embeddings' group holds exactly their weight; the head the rest
    assert _ids(groups[0]["params"]) == [id(model.embedding.weight)]
    rest = [*model.norm.parameters(), *model.head.parameters()]
    assert sorted(_ids(groups[-1]["params"])) == sorted(_ids(rest))


def test_every_parameter_in_exactly_one_group():
    model = TinyEncoder()
    groups = layerwise_lr_decay_groups(
        model, 1e-3, 0.5, layers=[model.embedding, *model.blocks], weight_decay=0.01
    )
    seen = [i for g in groups for i in _ids(g["params"])]
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(_ids(model.parameters()))


def test_the_optimizer_applies_each_rate():
    """One SGD step moves every parameter by exactly -lr_l * gradient."""
    torch.manual_seed(1)
    model = TinyEncoder(n_layers=2)
    groups = layerwise_lr_decay_groups(
        model, 0.1, 0.5, layers=[model.embedding, *model.blocks]
    )
    optimizer = torch.optim.SGD(groups)
    before = parameter_snapshot(model)
    loss = model(torch.randint(0, 20, (4, 5))).pow(2).sum()
    loss.backward()
    optimizer.step()
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    for name, p in model.named_parameters():
        expected = before[name] - lr_of[id(p)] * p.grad
        torch.testing.assert_close(p.detach(), expected, rtol=0, atol=1e-7)
    rates = {g["name"]: g["lr"] for g in optimizer.param_groups}
    assert rates == {
        "layers[0]": 0.025,
        "layers[1]": 0.05,
        "layers[2]": 0.1,
        "head": 0.1,
    }


def test_weight_decay_spares_biases_and_norm_gains():
    model = TinyEncoder(n_layers=1)
    groups = layerwise_lr_decay_groups(
        model, 1e-3, 0.9, layers=[model.embedding, model.blocks[0]], weight_decay=0.05
    )
    for g in groups:
        dims = {p.ndim for p in g["params"]}
        if g["name"].endswith("(no decay)"):
            assert g["weight_decay"] == 0.0 and dims == {1}
        else:
            assert g["weight_decay"] == 0.05 and dims == {2}
    by_name = {g["name"]: g for g in groups}
    assert by_name["layers[1] (no decay)"]["lr"] == by_name["layers[1]"]["lr"]
    # without weight_decay the optimizer's own default applies
    plain = layerwise_lr_decay_groups(model, 1e-3, 0.9, layers=[model.embedding])
    optimizer = torch.optim.AdamW(plain, weight_decay=0.123)
    assert {g["weight_decay"] for g in optimizer.param_groups} == {0.123}


def test_a_layer_can_group_modules():
    model = TinyEncoder(n_layers=2)
    top = nn.ModuleList([model.blocks[1], model.norm, model.head])
    groups = layerwise_lr_decay_groups(
        model, 1.0, 0.5, layers=[model.embedding, model.blocks[0], top]
    )
    assert [(g["name"], g["lr"]) for g in groups] == [
        ("layers[0]", 0.25),
        ("layers[1]", 0.5),
        ("layers[2]", 1.0),
    ]
    assert groups[-1]["params"][-1] is model.head.bias  # no group of its own


def test_decay_one_gives_one_rate_and_empty_head_is_dropped():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    groups = layerwise_lr_decay_groups(model, 0.01, 1.0, layers=list(model))
    assert [g["lr"] for g in groups] == [0.01, 0.01]
    assert [g["name"] for g in groups] == ["layers[0]", "layers[1]"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"base_lr": 0.0}, ValueError, "base_lr must be finite and > 0"),
        ({"decay": 0.0}, ValueError, "decay must be finite and > 0"),
        ({"decay": 1.5}, ValueError, r"decay must lie in \(0, 1\]"),
        ({"layers": []}, ValueError, "layers must be a non-empty list"),
        (
            {"layers": [nn.Linear(2, 2)]},
            ValueError,
            r"layers\[0\] has parameters outside",
        ),
        ({"layers": ["a"]}, TypeError, r"layers\[0\] must be a torch.nn.Module"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay must be finite and >= 0"),
        ({"model": "m"}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_layerwise_bad_input(kwargs, error, match):
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    args = {"model": model, "base_lr": 1e-3, "decay": 0.5, "layers": [model[0]]}
    with pytest.raises(error, match=match):
        layerwise_lr_decay_groups(**(args | kwargs))


def test_layers_sharing_a_parameter_are_refused():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"layers\[0\] and layers\[1\] share"):
        layerwise_lr_decay_groups(model, 1e-3, 0.5, layers=[model, model[0]])


# --- freezing and gradual unfreezing -------------------------------------------------


def _trainable(layers):
    return [all(p.requires_grad for p in m.parameters()) for m in layers]


def test_freeze_and_unfreeze():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    assert freeze(model[0]) is model[0]
    assert _trainable(model) == [False, True]
    unfreeze(model[0])
    assert _trainable(model) == [True, True]
    with pytest.raises(TypeError, match="module must be a torch.nn.Module"):
        freeze("layer")


@pytest.mark.parametrize(
    ("every", "expected"),
    [(1, [1, 2, 3, 4, 4, 4]), (2, [1, 1, 2, 2, 3, 3])],
)
def test_unfreezing_schedule(every, expected):
    layers = [nn.Linear(2, 2) for _ in range(4)]
    schedule = GradualUnfreezing(layers, every=every)
    assert _trainable(layers) == [False, False, False, True]  # epoch 0 applied
    for epoch, k in enumerate(expected):
        assert schedule.step(epoch) == k == schedule.n_unfrozen(epoch)
        assert _trainable(layers) == [i >= 4 - k for i in range(4)]
    schedule.step(0)  # back to the start: re-freezes
    assert _trainable(layers) == [False, False, False, True]
    assert schedule.step() == min(4, 1 + 1 // every)  # the next epoch


@pytest.mark.parametrize("epochs", [1, 2, 3])
def test_unfreezing_with_fit_trains_only_the_unfrozen_layers(epochs):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Linear(3, 1))
    groups = [model[0], model[2], model[3]]
    x, y = torch.randn(16, 3), torch.randn(16)
    batches = [(x[:8], y[:8]), (x[8:], y[8:])]
    schedule = GradualUnfreezing(groups)
    before = parameter_snapshot(model)

    def mse(m, batch):
        return (m(batch[0]).squeeze(-1) - batch[1]).pow(2).mean()

    fit(
        model,
        schedule.batches(batches),
        loss_fn=mse,
        epochs=epochs,
        progress=False,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
    )
    changed = [
        not all(torch.equal(p, before[f"{i}.{n}"]) for n, p in m.named_parameters())
        for i, m in zip((0, 2, 3), groups, strict=True)
    ]
    assert changed == [i >= 3 - epochs for i in range(3)]


def test_unfreezing_bad_input():
    with pytest.raises(ValueError, match="layers must be a non-empty list"):
        GradualUnfreezing([])
    with pytest.raises(ValueError, match="every must be at least 1"):
        GradualUnfreezing([nn.Linear(2, 2)], every=0)
    with pytest.raises(ValueError, match="epoch must be at least 0"):
        GradualUnfreezing([nn.Linear(2, 2)]).step(-1)


# --- L2-SP and dropout --------------------------------------------------------------


def test_l2_sp_equals_direct_computation_and_gradient():
    torch.manual_seed(0)
    pre = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    theta_0 = parameter_snapshot(pre)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2), nn.Linear(2, 3))
    model[0].load_state_dict(pre[0].state_dict())
    model[2].load_state_dict(pre[2].state_dict())
    assert l2_sp_penalty(model, theta_0, alpha=0.3).item() == 0.0
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p))
    alpha, beta = 0.3, 0.02
    shared = sum(
        ((p - theta_0[n]) ** 2).sum()
        for n, p in model.named_parameters()
        if n in theta_0
    )
    new = sum((p**2).sum() for p in model[3].parameters())
    penalty = l2_sp_penalty(model, theta_0, alpha=alpha, beta=beta)
    torch.testing.assert_close(penalty, alpha / 2 * shared + beta / 2 * new)
    penalty.backward()
    torch.testing.assert_close(
        model[0].weight.grad, alpha * (model[0].weight - theta_0["0.weight"])
    )
    torch.testing.assert_close(model[3].weight.grad, beta * model[3].weight)


def test_l2_sp_towards_zero_is_weight_decay():
    torch.manual_seed(1)
    model = nn.Linear(5, 3)
    zeros = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
    l2 = sum((p**2).sum() for p in model.parameters())
    torch.testing.assert_close(l2_sp_penalty(model, zeros, alpha=0.1), 0.05 * l2)
    # beta alone, with an empty reference, is the same penalty
    torch.testing.assert_close(l2_sp_penalty(model, {}, alpha=0.0, beta=0.1), 0.05 * l2)


def test_l2_sp_bad_input():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"reference\['weight'\] must be a tensor"):
        l2_sp_penalty(model, {"weight": torch.zeros(3, 2)}, alpha=1.0)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        l2_sp_penalty(model, {}, alpha=-1.0)
    with pytest.raises(ValueError, match="beta must be finite and >= 0"):
        l2_sp_penalty(model, {}, alpha=1.0, beta=-0.1)
    with pytest.raises(TypeError, match="reference must be a mapping"):
        l2_sp_penalty(model, [torch.zeros(2)], alpha=1.0)


def test_set_dropout():
    torch.manual_seed(0)
    model = TinyEncoder(n_layers=2)
    n = sum(isinstance(m, nn.Dropout) for m in model.modules())
    assert set_dropout(model, 0.0) == n + 2  # and the 2 attention dropouts
    assert {m.p for m in model.modules() if isinstance(m, nn.Dropout)} == {0.0}
    assert {block.self_attn.dropout for block in model.blocks} == {0.0}
    torch_mha = nn.MultiheadAttention(8, 2, dropout=0.2)
    assert set_dropout(torch_mha, 0.05) == 1 and torch_mha.dropout == 0.05
    model.train()
    x = torch.randint(0, 20, (2, 4))
    torch.testing.assert_close(model(x), model(x))  # no randomness left
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\)"):
        set_dropout(model, 1.0)


# --- SpecAugment -------------------------------------------------------------------


def _runs(row):
    """Lengths of the runs of True in a 1-D bool tensor."""
    runs, count = [], 0
    for v in [*row.tolist(), False]:
        if v:
            count += 1
        elif count:
            runs.append(count)
            count = 0
    return runs


def test_masks_stay_within_lengths_and_widths():
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(1, 121, (200,), generator=g)
    mask = spec_augment_mask(
        lengths,
        120,
        40,
        time_masks=2,
        time_width=30,
        freq_masks=2,
        freq_width=8,
        max_time_fraction=0.2,
        generator=g,
    )
    for b, L in enumerate(lengths.tolist()):
        assert not mask[b, L:].any()
    time_only = spec_augment_mask(
        lengths,
        120,
        40,
        time_masks=2,
        time_width=30,
        freq_masks=0,
        max_time_fraction=0.2,
        generator=g,
    )
    for b, L in enumerate(lengths.tolist()):
        frames = time_only[b, :, 0]
        assert torch.equal(time_only[b], frames[:, None].expand(120, 40))
        assert frames.sum() <= 2 * min(30, math.floor(0.2 * L))
    freq_only = spec_augment_mask(
        lengths, 120, 40, time_masks=0, freq_masks=3, freq_width=5, generator=g
    )
    bands = freq_only[:, 0, :]  # (B, C)
    assert (bands.sum(dim=1) <= 15).all()
    for b, L in enumerate(lengths.tolist()):
        assert torch.equal(freq_only[b, :L], bands[b].expand(L, 40))


def test_mask_width_is_uniform():
    """One time mask of width U{0..T}: mean T/2, variance ((T+1)^2 - 1)/12."""
    T, n = 20, 4000
    g = torch.Generator().manual_seed(1)
    mask = spec_augment_mask(
        torch.full((n,), 100),
        100,
        1,
        time_masks=1,
        time_width=T,
        freq_masks=0,
        generator=g,
    )
    widths = mask[:, :, 0].sum(dim=1).double()
    assert all(len(_runs(row)) <= 1 for row in mask[:50, :, 0])  # contiguous
    sd = math.sqrt(((T + 1) ** 2 - 1) / 12 / n)
    assert abs(widths.mean().item() - T / 2) < 5 * sd
    assert widths.min() == 0 and widths.max() == T
    # starts uniform over {0..L - t}: both ends of the utterance get masked
    assert mask[:, 0, 0].any() and mask[:, -1, 0].any()


def test_spec_augment_applies_the_mask_and_is_deterministic():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(4, 60, 20, generator=g)
    before = x.clone()
    lengths = torch.tensor([60, 50, 30, 10])

    def run(seed):
        gen = torch.Generator().manual_seed(seed)
        return spec_augment(
            x, lengths, mask_value=-5.0, time_width=10, freq_width=4, generator=gen
        )

    y = run(3)
    assert torch.equal(x, before)  # not modified in place
    assert torch.equal(y, run(3)) and not torch.equal(y, run(4))
    mask = spec_augment_mask(
        lengths,
        60,
        20,
        time_width=10,
        freq_width=4,
        generator=torch.Generator().manual_seed(3),
    )
    assert mask.any()
    assert (y[mask] == -5.0).all() and torch.equal(y[~mask], x[~mask])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"time_masks": -1}, ValueError, "time_masks must be at least 0"),
        ({"freq_width": 2.5}, TypeError, "freq_width must be an int"),
        ({"max_time_fraction": 0.0}, ValueError, "max_time_fraction must be finite"),
        ({"max_time_fraction": 1.5}, ValueError, r"max_time_fraction must lie in"),
        ({"lengths": torch.tensor([0, 5])}, ValueError, "lengths must have shape"),
        ({"lengths": torch.tensor([5.0, 5.0])}, TypeError, "lengths must be an int"),
        ({"lengths": torch.tensor([5])}, ValueError, r"lengths must have shape \(2,\)"),
        ({"features": torch.zeros(2, 10)}, ValueError, "features must have shape"),
        (
            {"features": torch.zeros(2, 10, 4, dtype=torch.long)},
            TypeError,
            "features must be a floating-point",
        ),
        ({"mask_value": float("nan")}, ValueError, "mask_value must be finite"),
    ],
)
def test_spec_augment_bad_input(kwargs, error, match):
    args = {"features": torch.zeros(2, 10, 4), "lengths": None} | kwargs
    with pytest.raises(error, match=match):
        spec_augment(**args)
