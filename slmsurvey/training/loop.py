r"""A small training loop shared by every chapter that trains a model.

Each step takes one batch :math:`b`, computes its loss and gradient, clips the
gradient by its global norm (optionally) and lets the optimizer update the
parameters :math:`\theta`:

.. math::

    g = \nabla_\theta\, \mathcal{L}(\theta; b), \qquad
    g \leftarrow g \cdot \min\!\Bigl(1, \frac{c}{\lVert g \rVert_2}\Bigr), \qquad
    \theta \leftarrow \mathrm{optimizer}(\theta, g),

where :math:`\lVert g \rVert_2 = \bigl(\sum_p \lVert g_p \rVert_2^2\bigr)^{1/2}`
runs over all parameter tensors :math:`p` and :math:`c` is ``clip_grad_norm``.
After each epoch a validation metric :math:`V_e` (lower is better) may be
computed; early stopping with patience :math:`P` ends training after epoch
:math:`e` when the best epoch so far, :math:`e^* = \arg\min_{e' \le e} V_{e'}`,
lies :math:`P` epochs back (:math:`e - e^* \ge P`), and restores the weights
of epoch :math:`e^*`.

The task lives in ``loss_fn(model, batch)``, so one loop serves regression,
classification, language models and CTC alike.

References
----------
Kingma & Ba (2015), "Adam: a method for stochastic optimization".
arXiv:1412.6980. Pascanu, Mikolov & Bengio (2013), "On the difficulty of
training recurrent neural networks" (clipping by global norm).
arXiv:1211.5063. Prechelt (1998), "Early stopping -- but when?",
doi:10.1007/3-540-49430-8_3.
"""

# Shapes: B batch, d_in input features.

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from tqdm.auto import tqdm

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["History", "fit"]

Batches = Iterable[Any] | Callable[[], Iterable[Any]]
_DEFAULT_METRIC = "validation loss"


@dataclass
class History:
    """What :func:`fit` records, one entry per epoch run.

    Attributes
    ----------
    train_loss : list of float
        Each epoch's unweighted mean of its batch losses.
    val_metric : list of float
        The validation metric after each epoch; empty without validation.
    seconds : list of float
        Wall-clock time of each epoch, validation included.
    best_epoch : int or None
        Index into the lists of the lowest validation metric (the first, on
        ties); ``None`` without validation. Plots show it as epoch
        ``best_epoch + 1``.
    stopped_early : bool
        True if early stopping ended training before ``epochs``.
    val_metric_name : str
        ``"validation loss"`` or the name of the ``val_metric`` function.

    Examples
    --------
    :func:`fit` returns one; its example trains a model. By hand:

    >>> history = History(train_loss=[0.9, 0.5], val_metric=[0.7, 0.6], best_epoch=1)
    >>> history.val_metric[history.best_epoch], history.stopped_early
    (0.6, False)
    """

    train_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    val_metric_name: str = _DEFAULT_METRIC

    def plot(self, ax: Axes | None = None) -> Figure:
        """Training loss (and validation metric) against epoch.

        A custom validation metric gets its own y axis on the right; the best
        epoch is marked by a dotted vertical line.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default a new figure (not registered with
            pyplot, so nothing is shown twice in a notebook).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            ax = Figure().subplots()
        epoch = list(range(1, len(self.train_loss) + 1))
        handles = ax.plot(epoch, self.train_loss, marker="o", label="training loss")
        if self.val_metric:
            if self.val_metric_name == _DEFAULT_METRIC:
                val_ax = ax
            else:
                val_ax = ax.twinx()
                val_ax.set_ylabel(self.val_metric_name)
            label = self.val_metric_name
            handles += val_ax.plot(epoch, self.val_metric, "s-C1", label=label)
        if self.best_epoch is not None:
            best = self.best_epoch + 1
            handles.append(
                ax.axvline(best, color="gray", ls=":", label=f"best epoch ({best})")
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(handles=handles)
        return ax.figure


def _check_batches(batches: object, name: str) -> None:
    if isinstance(batches, Iterator):
        raise TypeError(
            f"{name} must be re-iterable (a list, a DataLoader, or a callable that "
            f"returns the batches); got a one-shot {type(batches).__name__}, which "
            "would be empty after the first epoch"
        )
    if not isinstance(batches, Iterable) and not callable(batches):
        raise TypeError(
            f"{name} must be an iterable of batches or a callable returning one, "
            f"got {type(batches).__name__}"
        )
    if isinstance(batches, Sized) and len(batches) == 0:
        raise ValueError(f"{name} is empty")


def _epoch_batches(batches: Batches, name: str) -> Iterable[Any]:
    if isinstance(batches, Iterable):
        return batches
    out = batches()
    if not isinstance(out, Iterable):
        raise TypeError(f"{name}() must return an iterable, got {type(out).__name__}")
    return out


def _to_device(batch: Any, device: torch.device | None) -> Any:
    """Move the tensors in a (nested) tuple/list/dict batch to ``device``."""
    if device is None:
        return batch
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # namedtuple
        return type(batch)(*(_to_device(v, device) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(v, device) for v in batch)
    return batch


def _checked_loss(loss: object, epoch: int, batch: int) -> tuple[torch.Tensor, float]:
    if not isinstance(loss, torch.Tensor):
        raise TypeError(
            f"loss_fn must return a torch.Tensor, got {type(loss).__name__}"
        )
    if loss.numel() != 1:
        raise ValueError(
            f"loss_fn must return a scalar tensor, got shape {tuple(loss.shape)}"
        )
    value = float(loss.item())
    if not math.isfinite(value):
        raise ValueError(
            f"loss_fn returned {value} at epoch {epoch + 1}, batch {batch + 1}"
        )
    return loss, value


def _train_epoch(
    model: nn.Module,
    batches: Batches,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    clip_grad_norm: float | None,
    device: torch.device | None,
    epoch: int,
) -> float:
    """One pass of optimizer steps; returns the mean batch loss."""
    losses = []
    for batch in _epoch_batches(batches, "train_batches"):
        out = loss_fn(model, _to_device(batch, device))
        loss, value = _checked_loss(out, epoch, len(losses))
        if not loss.requires_grad:
            raise ValueError(
                "loss_fn returned a tensor without gradient (requires_grad is "
                "False): it must depend on the model's parameters"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip_grad_norm is not None:
            # g <- g min(1, c / ||g||_2), one norm over all parameters
            nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimizer.step()
        losses.append(value)
    if not losses:
        raise ValueError(f"train_batches gave no batches in epoch {epoch + 1}")
    return sum(losses) / len(losses)


@torch.no_grad()
def _validate(
    model: nn.Module,
    batches: Batches,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    val_metric: Callable[[nn.Module, Any], float] | None,
    device: torch.device | None,
    epoch: int,
) -> float:
    """The validation metric; by default the mean of ``loss_fn`` over batches."""
    if val_metric is not None:
        value = val_metric(model, batches)
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(
                f"val_metric must return a number, got {type(value).__name__}"
            )
        value = float(value)
    else:
        losses = [
            _checked_loss(loss_fn(model, _to_device(b, device)), epoch, k)[1]
            for k, b in enumerate(_epoch_batches(batches, "val_batches"))
        ]
        if not losses:
            raise ValueError(f"val_batches gave no batches in epoch {epoch + 1}")
        value = sum(losses) / len(losses)
    if math.isnan(value):
        raise ValueError(f"the validation metric is NaN at epoch {epoch + 1}")
    return value


def _int_option(value: object, name: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _check_options(
    model: object,
    train_batches: object,
    loss_fn: object,
    optimizer: object,
    val_batches: object,
    val_metric: object,
) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not any(p.requires_grad for p in model.parameters()):
        raise TypeError("model has no trainable parameters")
    _check_batches(train_batches, "train_batches")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if val_batches is not None:
        _check_batches(val_batches, "val_batches")
    if val_metric is not None and not callable(val_metric):
        raise TypeError(f"val_metric must be callable, got {type(val_metric).__name__}")
    if val_metric is not None and val_batches is None:
        raise ValueError("val_metric needs val_batches")


def fit(
    model: nn.Module,
    train_batches: Batches,
    *,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    optimizer: torch.optim.Optimizer | None = None,
    epochs: int = 10,
    val_batches: Batches | None = None,
    val_metric: Callable[[nn.Module, Any], float] | None = None,
    clip_grad_norm: float | None = None,
    early_stopping_patience: int | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
    seed: int = 0,
) -> History:
    r"""Train ``model`` in place by minimising ``loss_fn`` over the batches.

    .. math::

        \theta \leftarrow \mathrm{optimizer}\Bigl(\theta,\;
        \mathrm{clip}_c\bigl(\nabla_\theta \mathcal{L}(\theta; b)\bigr)\Bigr)
        \quad \text{for each batch } b \text{ of each epoch.}

    Parameters
    ----------
    model : torch.nn.Module
        In training mode for the steps, evaluation mode for validation; its
        own mode is restored at the end.
    train_batches : re-iterable of batches, or callable
        A collection that gives a fresh iterator each time (a list or tuple
        of batches, a ``torch.utils.data.DataLoader``), visited once per
        epoch in its own order; or a callable with no arguments, called at
        the start of every epoch, returning an iterable of batches (to
        reshuffle; its torch randomness is seeded by ``seed``). One-shot
        iterators (generators) are refused. A batch is whatever ``loss_fn``
        takes.
    loss_fn : callable, keyword-only
        ``loss_fn(model, batch)`` returns the scalar loss tensor to minimise.
    optimizer : torch.optim.Optimizer, optional, keyword-only
        Built on ``model.parameters()``. Default: Adam with learning rate
        1e-3.
    epochs : int, keyword-only
        Maximum number of passes over ``train_batches``, at least 1.
    val_batches : like ``train_batches``, optional, keyword-only
        Validation data, evaluated after every epoch.
    val_metric : callable, optional, keyword-only
        ``val_metric(model, val_batches)`` returns a number, lower is better;
        it receives ``val_batches`` as given (not moved to ``device``) and
        runs in evaluation mode under ``torch.no_grad()``. Default: the mean
        of ``loss_fn`` over the validation batches. Needs ``val_batches``.
    clip_grad_norm : float, optional, keyword-only
        :math:`c`: rescale the gradient to global 2-norm at most :math:`c`
        (:func:`torch.nn.utils.clip_grad_norm_`). Default: no clipping.
    early_stopping_patience : int, optional, keyword-only
        :math:`P \ge 1`: stop after :math:`P` epochs without a strictly lower
        validation metric, and restore the model's weights from the best
        epoch (not the optimizer's state). Needs ``val_batches``.
    device : torch.device or str, optional, keyword-only
        Move the model there (it stays there) and every tensor of each batch
        (nested in tuples, lists and dicts). Default: move nothing.
    progress : bool, keyword-only
        Show a tqdm bar over epochs with the losses in its postfix.
    seed : int, keyword-only
        Seeds torch's random number generator for the duration of the fit
        (dropout, shuffling inside a ``train_batches`` callable); the caller's
        CPU (and, for a CUDA model, CUDA) generator state is restored after.
        It does not re-initialise the model: seed torch before building it.

    Returns
    -------
    History
        Per-epoch training loss, validation metric and seconds, the best
        epoch, and whether training stopped early.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``loss_fn`` is not callable,
        the batches are a generator, ``loss_fn`` returns no tensor).
    ValueError
        If ``epochs`` or ``early_stopping_patience`` is below 1,
        ``clip_grad_norm`` is not positive, the batches are empty, validation
        options come without ``val_batches``, or ``loss_fn`` returns a
        non-scalar, a tensor without gradient, or NaN/inf (the message names
        the epoch and batch).

    Examples
    --------
    Linear regression, :math:`y = x^\top w`, with plain gradient descent:

    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(64, 3)  # (B, d_in)
    >>> y = x @ torch.tensor([1.0, -2.0, 0.5])  # (B, d_in) @ (d_in,) -> (B,)
    >>> batches = [(x[k : k + 16], y[k : k + 16]) for k in range(0, 64, 16)]
    >>> def mse(model, batch):
    ...     xb, yb = batch
    ...     return nn.functional.mse_loss(model(xb).squeeze(-1), yb)  # (B,)
    >>> model = nn.Linear(3, 1)
    >>> sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> history = fit(model, batches, loss_fn=mse, optimizer=sgd, epochs=20,
    ...               val_batches=batches[:1], progress=False)
    >>> history.train_loss[-1] < 1e-3 * history.train_loss[0]
    True
    >>> history.best_epoch
    19
    """
    _check_options(model, train_batches, loss_fn, optimizer, val_batches, val_metric)
    epochs = _int_option(epochs, "epochs", 1)
    clip = clip_grad_norm
    if clip is not None:
        if not isinstance(clip, numbers.Real) or isinstance(clip, bool):
            raise TypeError(
                f"clip_grad_norm must be a number, got {type(clip).__name__}"
            )
        if not 0 < clip < math.inf:
            raise ValueError(f"clip_grad_norm must be positive and finite, got {clip}")
    if early_stopping_patience is not None:
        _int_option(early_stopping_patience, "early_stopping_patience", 1)
        if val_batches is None:
            raise ValueError("early_stopping_patience needs val_batches")
    seed = _int_option(seed, "seed", -(2**63))
    if device is not None:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError) as err:
            raise ValueError(f"device {device!r} is not a torch device") from err
        model.to(device)

    if optimizer is None:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    name = getattr(val_metric, "__name__", "validation metric")
    history = History(val_metric_name=_DEFAULT_METRIC if val_metric is None else name)
    best_state: dict[str, torch.Tensor] | None = None
    on = next(model.parameters()).device
    cuda = []  # the CUDA generator to fork as well, if the model lives there
    if on.type == "cuda":
        cuda = [on.index if on.index is not None else torch.cuda.current_device()]
    was_training = model.training
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    try:
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(seed)
            for epoch in bar:
                start = time.perf_counter()
                model.train()
                loss = _train_epoch(
                    model, train_batches, loss_fn, optimizer, clip, device, epoch
                )
                history.train_loss.append(loss)
                postfix = {"loss": f"{loss:.4g}"}
                if val_batches is not None:
                    model.eval()
                    v = _validate(
                        model, val_batches, loss_fn, val_metric, device, epoch
                    )
                    history.val_metric.append(v)
                    postfix["val"] = f"{v:.4g}"
                    best = history.best_epoch
                    if best is None or v < history.val_metric[best]:
                        history.best_epoch = best = epoch
                        if early_stopping_patience is not None:
                            state = model.state_dict().items()
                            best_state = {k: t.detach().clone() for k, t in state}
                    if (
                        early_stopping_patience is not None
                        and epoch - best >= early_stopping_patience
                    ):
                        history.stopped_early = epoch + 1 < epochs
                history.seconds.append(time.perf_counter() - start)
                bar.set_postfix(postfix)
                if history.stopped_early:
                    break
        if best_state is not None:  # early stopping: back to the best epoch
            model.load_state_dict(best_state)
    finally:
        bar.close()
        model.train(was_training)
    return history
