r"""Fine-tuning: layer-wise learning rates, gradual unfreezing, regularisation.

Fine-tuning starts from pre-trained weights :math:`\theta^0` and adapts them
to a small labelled task. The lower layers of a pre-trained network hold the
most general features, so they should move least; and a small task overfits
easily, so the update is regularised:

- **layer-wise learning-rate decay** (ULMFiT's discriminative fine-tuning;
  ELECTRA, BEiT): the layer :math:`l` steps below the top learns at
  :math:`\eta_l = \eta\, \xi^{\,l}`;
- **gradual unfreezing** (ULMFiT): train only the top layer group in the
  first epoch, then unfreeze one more group per epoch;
- **L2-SP**: pull the weights towards the pre-trained ones rather than
  towards zero, :math:`\Omega(\theta) = \frac{\alpha}{2}
  \lVert \theta_S - \theta_S^0 \rVert^2 + \frac{\beta}{2}
  \lVert \theta_{\bar S} \rVert^2` (:math:`S` the pre-trained parameters,
  :math:`\bar S` the new ones); plain weight decay is the case
  :math:`\theta^0 = 0`;
- **dropout** (:func:`set_dropout`); for speech also SpecAugment
  (:mod:`slmsurvey.training.specaugment`).

Symbols and code: :math:`\eta` is ``base_lr``, :math:`\xi` is ``decay``;
:math:`\alpha, \beta` are ``alpha`` and ``beta``.

References
----------
Howard & Ruder (2018), "Universal language model fine-tuning for text
classification" (ULMFiT), sec. 3.2-3.3. arXiv:1801.06146.
Clark, Luong, Le & Manning (2020), "ELECTRA: pre-training text encoders as
discriminators rather than generators" (fine-tuned with layer-wise
learning-rate decay). arXiv:2003.10555.
Li, Grandvalet & Davoine (2018), "Explicit inductive bias for transfer
learning with convolutional networks" (L2-SP). arXiv:1802.01483.
Loshchilov & Hutter (2019), "Decoupled weight decay regularization".
arXiv:1711.05101. Srivastava et al. (2014), "Dropout", JMLR 15.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from slmsurvey._checks import check_int, check_real

__all__ = [
    "GradualUnfreezing",
    "freeze",
    "l2_sp_penalty",
    "layerwise_lr_decay_groups",
    "parameter_snapshot",
    "set_dropout",
    "unfreeze",
]


def _check_module(x: object, name: str) -> nn.Module:
    if not isinstance(x, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(x).__name__}")
    return x


def _check_layers(layers: object, model: nn.Module | None = None) -> list[nn.Module]:
    if not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError("layers must be a non-empty list of modules, bottom to top")
    layers = [_check_module(x, f"layers[{i}]") for i, x in enumerate(layers)]
    owner: dict[int, int] = {}
    in_model = None if model is None else {id(p) for p in model.parameters()}
    for i, layer in enumerate(layers):
        if in_model is not None and any(
            id(p) not in in_model for p in layer.parameters()
        ):
            raise ValueError(f"layers[{i}] has parameters outside model")
        for p in layer.parameters():
            if id(p) in owner:
                raise ValueError(
                    f"layers[{owner[id(p)]}] and layers[{i}] share a parameter"
                )
            owner[id(p)] = i
    return layers


def layerwise_lr_decay_groups(
    model: nn.Module,
    base_lr: float,
    decay: float,
    *,
    layers: Sequence[nn.Module],
    weight_decay: float | None = None,
) -> list[dict[str, Any]]:
    r"""Optimizer parameter groups with learning rates decaying downwards.

    .. math::

        \eta_l = \eta\, \xi^{\,l}, \qquad l = n - 1 - i
        \ \text{for}\ \texttt{layers[i]},\ i = 0, \ldots, n - 1,

    so the top listed layer learns at :math:`\eta`, each layer below it
    :math:`\xi` times slower, and the bottom one (``layers[0]``, usually the
    embeddings) slowest. Parameters of ``model`` in none of ``layers`` (a
    new task head, a final norm) learn at :math:`\eta` too (:math:`l = 0`);
    list the head last to put it a step above the top block instead.

    Parameters
    ----------
    model : torch.nn.Module
    base_lr : float
        :math:`\eta > 0`.
    decay : float
        :math:`\xi \in (0, 1]`; ULMFiT uses :math:`1/2.6`, ELECTRA 0.8.
    layers : list of torch.nn.Module, keyword-only
        Parts of ``model`` from bottom to top, no parameter in two.
    weight_decay : float, optional, keyword-only
        If given, each group is split: weight matrices get this decay, and
        biases and normalisation gains (parameters with fewer than 2 dims)
        none, as in BERT. Default: no ``weight_decay`` key, so the
        optimizer's own applies to every parameter.

    Returns
    -------
    list of dict
        From bottom to top, groups that are not empty, each with ``params``,
        ``lr``, ``depth`` :math:`l`, ``name`` (``"layers[i]"`` or
        ``"head"``) and, if requested, ``weight_decay``. Every parameter of
        ``model`` is in exactly one group (frozen ones too, so that they
        train once unfrozen).

    Examples
    --------
    >>> model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 4), nn.Linear(4, 2))
    >>> groups = layerwise_lr_decay_groups(model, 1e-3, 0.5, layers=list(model[:2]))
    >>> [(g["name"], g["lr"]) for g in groups]
    [('layers[0]', 0.0005), ('layers[1]', 0.001), ('head', 0.001)]
    >>> groups = layerwise_lr_decay_groups(model, 1e-3, 0.5, layers=list(model))
    >>> [(g["name"], g["lr"]) for g in groups]
    [('layers[0]', 0.00025), ('layers[1]', 0.0005), ('layers[2]', 0.001)]
    >>> optimizer = torch.optim.AdamW(groups)
    """
    model = _check_module(model, "model")
    eta = check_real(base_lr, "base_lr", low=0.0, open_low=True)
    xi = check_real(decay, "decay", low=0.0, open_low=True)
    if xi > 1.0:
        raise ValueError(f"decay must lie in (0, 1], got {xi}")
    if weight_decay is not None:
        weight_decay = check_real(weight_decay, "weight_decay", low=0.0)
    layers = _check_layers(layers, model)
    n = len(layers)
    in_layer = {id(p): i for i, layer in enumerate(layers) for p in layer.parameters()}
    members: list[list[nn.Parameter]] = [[] for _ in range(n + 1)]  # last: head
    for p in model.parameters():
        members[in_layer.get(id(p), n)].append(p)
    groups = []
    for i, params in enumerate(members):
        depth = max(n - 1 - i, 0)  # l: 0 for the top layer and the head
        base = {"lr": eta * xi**depth, "depth": depth}  # eq. (llrd): eta xi^l
        name = "head" if i == n else f"layers[{i}]"
        if weight_decay is None:
            parts = [(name, params, {})]
        else:
            matrices = [p for p in params if p.ndim >= 2]
            others = [p for p in params if p.ndim < 2]
            parts = [
                (name, matrices, {"weight_decay": weight_decay}),
                (f"{name} (no decay)", others, {"weight_decay": 0.0}),
            ]
        groups += [
            {"params": ps, "name": nm, **base, **wd} for nm, ps, wd in parts if ps
        ]
    return groups


def freeze(module: nn.Module) -> nn.Module:
    """Stop training ``module``'s parameters (``requires_grad = False``); returns it.

    Dropout and batch normalisation keep their mode: call ``.eval()`` too
    to fix those.

    Examples
    --------
    >>> layer = freeze(nn.Linear(2, 2))
    >>> [p.requires_grad for p in layer.parameters()]
    [False, False]
    >>> [p.requires_grad for p in unfreeze(layer).parameters()]
    [True, True]
    """
    for p in _check_module(module, "module").parameters():
        p.requires_grad_(False)
    return module


def unfreeze(module: nn.Module) -> nn.Module:
    """Train ``module``'s parameters again (``requires_grad = True``); returns it.

    Examples
    --------
    >>> layer = freeze(nn.Linear(2, 2))
    >>> [p.requires_grad for p in unfreeze(layer).parameters()]
    [True, True]
    """
    for p in _check_module(module, "module").parameters():
        p.requires_grad_(True)
    return module


class GradualUnfreezing:
    r"""ULMFiT's schedule: unfreeze one more layer group, from the top, per stage.

    At epoch :math:`e` (from 0) the top :math:`\min(n, 1 + \lfloor e / s
    \rfloor)` of the :math:`n` groups train and the others are frozen, with
    :math:`s` = ``every``. Parameters outside ``layers`` are left alone. The
    constructor applies epoch 0. With :func:`~slmsurvey.training.fit`, pass
    ``schedule.batches(train_batches)`` as the training batches: ``fit``
    calls it at the start of every epoch, which steps the schedule. An
    optimizer built on all parameters skips the frozen ones (their gradient
    is ``None``).

    Parameters
    ----------
    layers : list of torch.nn.Module
        Layer groups from bottom to top; include the task head as the last
        group to follow ULMFiT (the head alone trains first).
    every : int, keyword-only
        Epochs per stage :math:`s \ge 1`.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1))
    >>> schedule = GradualUnfreezing(list(model))
    >>> [[p.requires_grad for p in m.parameters()][0] for m in model]
    [False, False, True]
    >>> schedule.step(1)  # the number of groups unfrozen
    2
    >>> [[p.requires_grad for p in m.parameters()][0] for m in model]
    [False, True, True]
    """

    def __init__(self, layers: Sequence[nn.Module], *, every: int = 1) -> None:
        self.layers = _check_layers(layers)
        self.every = check_int(every, "every", 1)
        self.epoch = 0
        self.step(0)

    def n_unfrozen(self, epoch: int) -> int:
        """How many groups, from the top, train at ``epoch``."""
        epoch = check_int(epoch, "epoch", 0)
        return min(len(self.layers), 1 + epoch // self.every)

    def step(self, epoch: int | None = None) -> int:
        """Freeze and unfreeze for ``epoch`` (default: the next one)."""
        epoch = self.epoch + 1 if epoch is None else epoch
        k = self.n_unfrozen(epoch)
        n = len(self.layers)
        for i, layer in enumerate(self.layers):
            (unfreeze if i >= n - k else freeze)(layer)
        self.epoch = epoch
        return k

    def batches(self, train_batches: Any) -> Callable[[], Iterable[Any]]:
        """A callable for ``fit``: the k-th call applies epoch k, returns the batches.

        ``train_batches`` is re-iterable, or a callable returning batches.
        """
        calls = itertools.count()  # 0, 1, 2, ...: the epoch of each call

        def epoch_batches() -> Iterable[Any]:
            self.step(next(calls))
            return train_batches() if callable(train_batches) else train_batches

        return epoch_batches


def parameter_snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """Detached copies of ``model``'s named parameters: :math:`\\theta^0` for L2-SP.

    Examples
    --------
    >>> model = nn.Linear(2, 1)
    >>> theta0 = parameter_snapshot(model)
    >>> sorted(theta0), theta0["weight"].requires_grad
    (['bias', 'weight'], False)
    """
    named = _check_module(model, "model").named_parameters()
    return {name: p.detach().clone() for name, p in named}


def l2_sp_penalty(
    model: nn.Module,
    reference: Mapping[str, torch.Tensor],
    *,
    alpha: float,
    beta: float = 0.0,
) -> torch.Tensor:
    r"""L2-SP: a penalty pulling the weights towards the pre-trained ones.

    .. math::

        \Omega(\theta) = \frac{\alpha}{2} \sum_{j \in S}
        \lVert \theta_j - \theta_j^0 \rVert_2^2 +
        \frac{\beta}{2} \sum_{j \in \bar S} \lVert \theta_j \rVert_2^2

    Parameters
    ----------
    model : torch.nn.Module
    reference : mapping of str to torch.Tensor
        :math:`\theta^0` by parameter name (:func:`parameter_snapshot`, or the
        pre-trained model's ``state_dict()``); :math:`S` are the names of
        ``model.named_parameters()`` found here, :math:`\bar S` the rest.
    alpha, beta : float, keyword-only
        :math:`\alpha, \beta \ge 0`.

    Returns
    -------
    torch.Tensor
        The scalar penalty, to add to the task loss; differentiable.

    Raises
    ------
    ValueError
        If a shared name has a different shape in ``reference`` (a replaced
        layer: drop it from ``reference``), or :math:`\alpha, \beta < 0`.

    Examples
    --------
    >>> model = nn.Linear(3, 2)
    >>> theta_0 = parameter_snapshot(model)
    >>> l2_sp_penalty(model, theta_0, alpha=0.1).item()  # zero at the start
    0.0
    >>> with torch.no_grad():
    ...     model.bias += 1.0  # ||theta - theta_0||^2 = 2
    >>> round(l2_sp_penalty(model, theta_0, alpha=0.1).item(), 6)
    0.1
    """
    model = _check_module(model, "model")
    if not isinstance(reference, Mapping):
        raise TypeError(f"reference must be a mapping, got {type(reference).__name__}")
    a = check_real(alpha, "alpha", low=0.0)
    b = check_real(beta, "beta", low=0.0)
    shared, new = [], []
    for name, p in model.named_parameters():
        if name not in reference:
            new.append(p.pow(2).sum())
            continue
        p0 = reference[name]
        if not isinstance(p0, torch.Tensor) or p0.shape != p.shape:
            raise ValueError(
                f"reference[{name!r}] must be a tensor of shape {tuple(p.shape)}"
            )
        shared.append((p - p0.detach().to(p)).pow(2).sum())
    zero = torch.zeros((), device=next(model.parameters()).device)
    # eq. (l2-sp): alpha/2 ||theta_S - theta_S^0||^2 + beta/2 ||theta_new||^2
    return a / 2 * sum(shared, zero) + b / 2 * sum(new, zero)


def set_dropout(model: nn.Module, p: float) -> int:
    """Set every dropout probability in ``model`` to ``p``; returns how many.

    Covers the dropout layers (``nn.Dropout``, ``nn.Dropout1d/2d/3d``,
    ``nn.AlphaDropout``) and attention dropout kept as a float attribute
    ``dropout`` (:class:`~slmsurvey.nn.MultiHeadAttention`,
    :class:`torch.nn.MultiheadAttention`).

    Examples
    --------
    >>> set_dropout(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1), nn.Dropout()), 0.3)
    2
    """
    rate = check_real(p, "p", low=0.0)
    if rate >= 1.0:
        raise ValueError(f"p must lie in [0, 1), got {rate}")
    count = 0
    for m in _check_module(model, "model").modules():
        if isinstance(m, nn.modules.dropout._DropoutNd):
            m.p = rate
        elif isinstance(getattr(m, "dropout", None), float):
            m.dropout = rate  # attention dropout stored as a number
        else:
            continue
        count += 1
    return count
