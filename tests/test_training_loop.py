"""slmsurvey.training.loop.fit: learning, seeding, clipping, early stopping."""

import io

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from slmsurvey.training.loop import History, fit

# Shapes: B batch, d_in input features.

W_TRUE = torch.tensor([1.0, -2.0, 0.5])


def _data(seed=0, n=64, batch_size=16, sign=1.0, noise=0.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)  # (B, d_in)
    y = sign * (x @ W_TRUE) + noise * torch.randn(n, generator=g)  # (B,)
    return [
        (x[k : k + batch_size], y[k : k + batch_size]) for k in range(0, n, batch_size)
    ]


def mse(model, batch):
    x, y = batch
    return nn.functional.mse_loss(model(x).squeeze(-1), y)  # (B, 1) -> (B,)


def _linear(seed=0):
    torch.manual_seed(seed)
    return nn.Linear(3, 1)


def _mlp_with_dropout(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))


def _weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# --- learning ---------------------------------------------------------------------


def test_reduces_the_loss_on_a_tiny_regression():
    model = _linear()
    train, val = _data(seed=0), _data(seed=1)
    history = fit(model, train, loss_fn=mse, epochs=30, val_batches=val, progress=False)
    # default Adam, lr = 1e-3: slow but steady on this convex problem
    for curve in (history.train_loss, history.val_metric):
        assert all(b < a for a, b in zip(curve, curve[1:], strict=False))
        assert curve[-1] < 0.9 * curve[0]
    assert len(history.train_loss) == len(history.val_metric) == 30
    assert all(s > 0 for s in history.seconds) and len(history.seconds) == 30
    assert not history.stopped_early
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, train, loss_fn=mse, optimizer=opt, epochs=30, progress=False)
    assert history.train_loss[-1] < 1e-6
    torch.testing.assert_close(model.weight.detach()[0], W_TRUE, atol=1e-3, rtol=0)
    assert history.val_metric == [] and history.best_epoch is None


def test_default_val_metric_is_mean_loss_over_val_batches():
    model, val = _linear(), _data(seed=1)
    history = fit(
        model, _data(), loss_fn=mse, epochs=3, val_batches=val, progress=False
    )
    with torch.no_grad():
        expected = sum(mse(model, b).item() for b in val) / len(val)
    assert history.val_metric[-1] == pytest.approx(expected, rel=1e-12)
    assert history.val_metric_name == "validation loss"


def test_seeded_runs_are_identical_and_the_seed_matters():
    train = _data(noise=0.1)

    def shuffled():  # reshuffled every epoch with torch's (seeded) generator
        return [train[k] for k in torch.randperm(len(train)).tolist()]

    def run(seed):
        model = _mlp_with_dropout()
        h = fit(model, shuffled, loss_fn=mse, epochs=5, progress=False, seed=seed)
        return h.train_loss, _weights(model)

    (loss_a, w_a), (loss_b, w_b), (loss_c, _) = run(3), run(3), run(4)
    assert loss_a == loss_b
    for k in w_a:
        assert torch.equal(w_a[k], w_b[k])
    assert loss_a != loss_c


def test_the_callers_generator_is_left_as_it_was():
    model = _mlp_with_dropout()
    rng_before = torch.get_rng_state()
    fit(model, _data(), loss_fn=mse, epochs=2, progress=False, seed=1)
    assert torch.equal(torch.get_rng_state(), rng_before)


def _grad_norms(optimizer, model):
    """Record the global gradient norm just before every optimizer step."""
    norms = []

    def hook(opt, args, kwargs):
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norms.append(
            float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
        )

    optimizer.register_step_pre_hook(hook)
    return norms


def test_clipping_bounds_the_global_gradient_norm():
    train = [(x, 100.0 * y) for x, y in _data()]  # large targets, large gradients
    c = 0.5
    norms = {}
    for clip in (None, c):
        model = _linear()
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        norms[clip] = _grad_norms(opt, model)
        fit(
            model,
            train,
            loss_fn=mse,
            optimizer=opt,
            epochs=3,
            clip_grad_norm=clip,
            progress=False,
        )
    assert min(norms[None]) > 10 * c  # without clipping the bound would be broken
    assert len(norms[c]) == 12
    assert max(norms[c]) <= c * (1 + 1e-5)
    assert min(norms[c]) > 0.99 * c  # rescaled to the bound, not zeroed


# --- early stopping ---------------------------------------------------------------


def test_early_stopping_restores_the_best_weights_on_a_scripted_metric():
    scripted = [3.0, 2.0, 1.0, 1.5, 1.2, 2.0, 0.5, 0.1]
    seen = []  # weights at each validation

    def scripted_metric(model, val_batches):
        assert not model.training and not torch.is_grad_enabled()
        seen.append(_weights(model))
        return scripted[len(seen) - 1]

    model = _linear()
    history = fit(
        model,
        _data(),
        loss_fn=mse,
        epochs=8,
        val_batches=_data(seed=1),
        val_metric=scripted_metric,
        early_stopping_patience=3,
        progress=False,
    )
    assert history.val_metric == scripted[:6]  # best at index 2, 3 worse epochs
    assert history.best_epoch == 2 and history.stopped_early
    assert history.val_metric_name == "scripted_metric"
    for k, v in model.state_dict().items():
        assert torch.equal(v, seen[2][k])
        assert not torch.equal(v, seen[-1][k])  # training had moved on


def test_early_stopping_when_validation_gets_worse():
    # validation wants y = x w / 2: it improves while the model passes it on its
    # way to y = x w, then gets worse (overfitting, in miniature)
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    val = _data(seed=1, sign=0.5)
    history = fit(
        model,
        _data(),
        loss_fn=mse,
        optimizer=opt,
        epochs=50,
        val_batches=val,
        early_stopping_patience=2,
        progress=False,
    )
    best = history.best_epoch
    assert best >= 1 and history.val_metric[0] > history.val_metric[best]
    assert history.stopped_early and len(history.train_loss) == best + 3
    assert (
        history.val_metric[best] < history.val_metric[best + 1] < history.val_metric[-1]
    )
    with torch.no_grad():
        restored = sum(mse(model, b).item() for b in val) / len(val)
    assert restored == pytest.approx(min(history.val_metric), rel=1e-12)


def test_patience_not_reached_keeps_running():
    history = fit(
        _linear(),
        _data(),
        loss_fn=mse,
        epochs=6,
        val_batches=_data(seed=1),
        early_stopping_patience=10,
        progress=False,
    )
    assert len(history.train_loss) == 6 and not history.stopped_early


# --- modes, custom metric, device, progress, plot ---------------------------------


def test_modes_and_custom_val_metric():
    modes = []

    def loss_fn(model, batch):
        modes.append(("train", model.training))
        return mse(model, batch)

    def mean_abs_error(model, val_batches):
        modes.append(("val", model.training))
        return sum(
            (model(x).squeeze(-1) - y).abs().mean().item() for x, y in val_batches
        )

    model, val = _linear().eval(), _data(seed=1)
    history = fit(
        model,
        _data(),
        loss_fn=loss_fn,
        epochs=4,
        val_batches=val,
        val_metric=mean_abs_error,
        progress=False,
    )
    assert all(training for kind, training in modes if kind == "train")
    assert not any(training for kind, training in modes if kind == "val")
    assert not model.training  # restored
    with torch.no_grad():
        assert history.val_metric[-1] == pytest.approx(mean_abs_error(model, val))
    assert history.best_epoch == min(range(4), key=history.val_metric.__getitem__)


@pytest.mark.parametrize("kind", [float, np.float32, torch.tensor])
def test_val_metric_may_return_any_real_scalar(kind):
    history = fit(
        _linear(),
        _data(),
        loss_fn=mse,
        epochs=2,
        val_batches=_data(seed=1),
        val_metric=lambda model, val: kind(0.25),
        progress=False,
    )
    assert history.val_metric == [0.25, 0.25] and history.best_epoch == 0
    assert all(type(v) is float for v in history.val_metric)
    assert history.val_metric_name == "<lambda>"


def test_dict_batches_go_to_the_device_and_callables_are_called_each_epoch():
    calls = []

    def batches():
        calls.append(1)
        return [{"x": x, "y": y} for x, y in _data()]

    def loss_fn(model, batch):
        assert batch["x"].device.type == "cpu"
        return mse(model, (batch["x"], batch["y"]))

    fit(_linear(), batches, loss_fn=loss_fn, epochs=3, device="cpu", progress=False)
    assert len(calls) == 3


def test_progress_bar_shows_the_loss(capsys):
    fit(_linear(), _data(), loss_fn=mse, epochs=2, val_batches=_data(seed=1))
    err = capsys.readouterr().err
    assert "loss=" in err and "val=" in err and "2/2" in err


def test_plot_has_labelled_axes():
    history = fit(
        _linear(),
        _data(),
        loss_fn=mse,
        epochs=4,
        val_batches=_data(seed=1),
        progress=False,
    )
    fig = history.plot()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert len(ax.get_lines()) == 3  # training, validation, best epoch
    custom = History([1.0, 0.5], [3.0, 2.0], [0.1, 0.1], 1, val_metric_name="WER")
    fig = custom.plot()
    assert [a.get_ylabel() for a in fig.axes] == ["loss", "WER"]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # it renders
    assert buffer.getvalue()[:4] == b"\x89PNG"


# --- bad input --------------------------------------------------------------------


def _gen():
    yield from _data()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int"),
        ({"train_batches": []}, ValueError, "train_batches is empty"),
        ({"train_batches": lambda: []}, ValueError, "train_batches gave no batches"),
        ({"train_batches": _gen()}, TypeError, "train_batches must be re-iterable"),
        ({"train_batches": 3}, TypeError, "train_batches must be an iterable"),
        ({"loss_fn": "mse"}, TypeError, "loss_fn must be callable"),
        (
            {"early_stopping_patience": 0, "val_batches": _data()},
            ValueError,
            "early_stopping_patience must be at least 1",
        ),
        ({"early_stopping_patience": 2}, ValueError, "needs val_batches"),
        ({"val_metric": lambda m, b: 0.0}, ValueError, "val_metric needs val_batches"),
        ({"val_metric": 1.0, "val_batches": _data()}, TypeError, "val_metric must be"),
        ({"val_batches": []}, ValueError, "val_batches is empty"),
        ({"clip_grad_norm": 0.0}, ValueError, "clip_grad_norm must be positive"),
        ({"clip_grad_norm": "1"}, TypeError, "clip_grad_norm must be a number"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be a torch.optim.Optimizer"),
        ({"device": "no-such-device"}, ValueError, "is not a torch device"),
        ({"model": "linear"}, TypeError, "model must be a torch.nn.Module"),
        ({"model": nn.ReLU()}, TypeError, "no trainable parameters"),
        ({"loss_fn": lambda m, b: 1.0}, TypeError, "must return a torch.Tensor"),
        ({"loss_fn": lambda m, b: m(b[0])}, ValueError, "must return a scalar tensor"),
        ({"loss_fn": lambda m, b: torch.tensor(1.0)}, ValueError, "without gradient"),
        (
            {"loss_fn": lambda m, b: mse(m, b) * float("nan")},
            ValueError,
            "returned nan at epoch 1, batch 1",
        ),
        (
            {"val_metric": lambda m, b: "low", "val_batches": _data()},
            TypeError,
            "val_metric must return a number",
        ),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {
        "model": _linear(),
        "train_batches": _data(),
        "loss_fn": mse,
        "progress": False,
    } | kwargs
    model, train = args.pop("model"), args.pop("train_batches")
    with pytest.raises(error, match=match):
        fit(model, train, **args)


def test_mode_is_restored_after_an_error():
    model = _linear().eval()
    with pytest.raises(ValueError, match="returned nan"):
        fit(
            model,
            _data(),
            loss_fn=lambda m, b: mse(m, b) * float("nan"),
            progress=False,
        )
    assert not model.training
