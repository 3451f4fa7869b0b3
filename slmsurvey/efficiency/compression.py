r"""Making a trained model smaller: magnitude pruning and int8 quantisation.

**Pruning** (Han et al. 2015) zeroes the weights of smallest magnitude, on
the premise that they contribute least to the output:

.. math::

    W \leftarrow W \odot M, \qquad
    M_{ij} = [\, |W_{ij}| > \tau \,],

with the threshold :math:`\tau` the ``amount``-quantile of :math:`|W|`,
taken over all prunable weights of the model together (``scope="global"``)
or over each layer's own (``scope="layer"``). A pruned weight still takes
its 4 bytes in a dense tensor: the saving needs a sparse format or hardware
that skips zeros, which is why :func:`model_size_bytes` does not shrink.

**Dynamic quantisation** (Jacob et al. 2018) stores each weight matrix as
8-bit integers with one scale :math:`S` and zero point :math:`Z`,

.. math:: W \approx S\,(W_q - Z), \qquad W_q \in \{-128, \ldots, 127\},

and quantises the activations on the fly, so the weights take about a
quarter of the bytes and the matrix products run in integer arithmetic.

References
----------
Han, Pool, Tran & Dally (2015), "Learning both weights and connections for
efficient neural networks", NeurIPS. arXiv:1506.02626.
Jacob, Kligys, Chen, Zhu, Tang, Howard, Adam & Kalenichenko (2018),
"Quantization and training of neural networks for efficient
integer-arithmetic-only inference", CVPR. arXiv:1712.05877.
"""

# Shapes: P prunable weights of one layer (flattened), N of all layers together.

from __future__ import annotations

import copy
import io
import warnings

import torch
from torch import nn

__all__ = ["magnitude_prune", "model_size_bytes", "quantize_dynamic", "sparsity"]

PRUNABLE = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
SCOPES = ("global", "layer")


def _check_module(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _prunable_weights(model: nn.Module) -> list[torch.Tensor]:
    """The ``weight`` of every Linear and ConvNd layer, each shared one once."""
    weights: dict[int, torch.Tensor] = {}
    for module in model.modules():
        if isinstance(module, PRUNABLE):
            weights.setdefault(id(module.weight), module.weight)
    if not weights:
        raise ValueError("model has no nn.Linear or nn.Conv1d/2d/3d layer to prune")
    return list(weights.values())


def _zero_smallest(weights: list[torch.Tensor], amount: float) -> None:
    """Zero the round(amount * N) entries of smallest |w| across ``weights``."""
    magnitudes = torch.cat([w.detach().abs().flatten() for w in weights])  # (N,)
    k = round(amount * magnitudes.numel())  # ties to even, as torch.nn.utils.prune
    if k == 0:
        return
    # indices of the k smallest |w|; ties go to the earlier index (stable sort)
    prune = torch.argsort(magnitudes, stable=True)[:k]  # (k,)
    mask = torch.ones_like(magnitudes, dtype=torch.bool)  # (N,)
    mask[prune] = False
    start = 0
    with torch.no_grad():
        for w in weights:
            M = mask[start : start + w.numel()].view_as(w)  # (P,) -> w's shape
            w.mul_(M)
            start += w.numel()


def magnitude_prune(
    model: nn.Module, amount: float, *, scope: str = "global", inplace: bool = False
) -> nn.Module:
    r"""Zero the fraction ``amount`` of weights with the smallest magnitude.

    .. math::

        W \leftarrow W \odot M, \qquad M_{ij} = 0 \text{ for the }
        \mathrm{round}(\texttt{amount} \cdot N) \text{ entries of smallest }
        |W_{ij}|, \; 1 \text{ elsewhere},

    where :math:`N` counts the weights of all ``nn.Linear`` and
    ``nn.Conv1d/2d/3d`` layers (``scope="global"``: one threshold for the
    whole model, so layers lose different fractions) or of one layer at a
    time (``scope="layer"``: every layer loses the same fraction). Biases,
    embeddings, norms and recurrent weights are left alone. Rounding is to
    the nearest integer, ties to even, as in :mod:`torch.nn.utils.prune`,
    whose ``l1_unstructured`` and ``global_unstructured`` masks this
    reproduces (ties in :math:`|W|` aside). Unlike those it writes the zeros
    into the weights and leaves no mask or hook behind, so fine-tuning can
    revive pruned weights.

    Parameters
    ----------
    model : torch.nn.Module
    amount : float
        Fraction in [0, 1] of the weights to zero.
    scope : {"global", "layer"}, keyword-only
    inplace : bool, keyword-only
        Prune ``model`` itself; by default a deep copy is pruned and returned.

    Returns
    -------
    torch.nn.Module
        The pruned model (``model`` itself if ``inplace``).

    Raises
    ------
    TypeError
        If ``model`` is not a module or ``amount`` not a real number.
    ValueError
        If ``amount`` is outside [0, 1], ``scope`` is unknown, or the model
        has no Linear or Conv layer.

    References
    ----------
    Han et al. (2015), "Learning both weights and connections for efficient
    neural networks", sec. 3. arXiv:1506.02626.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 5))
    >>> pruned = magnitude_prune(model, 0.5)
    >>> round(sparsity(pruned), 6), sparsity(model)
    (0.5, 0.0)
    >>> pruned = magnitude_prune(model, 0.3, scope="layer")
    >>> [float((m.weight == 0).float().mean()) for m in pruned if hasattr(m, "weight")]
    [0.3, 0.3]
    """
    _check_module(model)
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        raise TypeError(f"amount must be a real number, got {type(amount).__name__}")
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must lie in [0, 1], got {amount}")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if not isinstance(inplace, bool):
        raise TypeError(f"inplace must be a bool, got {type(inplace).__name__}")
    if not inplace:
        model = copy.deepcopy(model)
    weights = _prunable_weights(model)
    if scope == "global":
        _zero_smallest(weights, float(amount))
    else:
        for w in weights:
            _zero_smallest([w], float(amount))
    return model


def sparsity(model: nn.Module) -> float:
    r"""Fraction of zero weights among the layers :func:`magnitude_prune` prunes.

    .. math:: s = \frac{\#\{W_{ij} = 0\}}{N}

    over the weights of every ``nn.Linear`` and ``nn.Conv1d/2d/3d`` layer.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    TypeError
        If ``model`` is not a module.
    ValueError
        If it has no Linear or Conv layer.

    Examples
    --------
    >>> from torch import nn
    >>> layer = nn.Linear(4, 2)
    >>> _ = layer.weight.data[0].zero_()
    >>> sparsity(layer)
    0.5
    """
    weights = _prunable_weights(_check_module(model))
    zeros = sum(int((w == 0).sum()) for w in weights)
    return zeros / sum(w.numel() for w in weights)


def model_size_bytes(model: nn.Module) -> int:
    """Bytes of the model's serialised ``state_dict`` (``torch.save`` to memory).

    This is what the model costs on disk or over the network: parameters,
    buffers and (for a quantised model) the packed int8 weights with their
    scales, plus a little pickle overhead.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    int

    Examples
    --------
    >>> from torch import nn
    >>> small, big = nn.Linear(10, 10), nn.Linear(100, 100)
    >>> model_size_bytes(small) < model_size_bytes(big)
    True
    >>> model_size_bytes(big) > 4 * (100 * 100 + 100)  # float32 parameters
    True
    """
    buffer = io.BytesIO()
    torch.save(_check_module(model).state_dict(), buffer)
    return buffer.getbuffer().nbytes


# torch 2.13 deprecates torch.ao.quantization (its successor, torchao, is not a
# dependency); the wrapper silences exactly these messages, for this call only.
_TORCH_AO_DEPRECATIONS = (
    (DeprecationWarning, r"torch\.ao\.quantization is deprecated"),
    (UserWarning, r"torch\.quantize_per_tensor, torch\.quantize_per_channel"),
)


def quantize_dynamic(model: nn.Module, *, inplace: bool = False) -> nn.Module:
    r"""int8 dynamic quantisation of every ``nn.Linear`` and ``nn.LSTM``.

    .. math::

        W_q = \mathrm{clamp}\big(\mathrm{round}(W / S) + Z, -128, 127\big),
        \qquad W \approx S\,(W_q - Z),

    per weight tensor, with :math:`S, Z` from its range; activations are
    quantised the same way at run time (hence *dynamic*), the product runs
    in int8 with int32 accumulation, and the result is scaled back to float.
    A thin wrapper of :func:`torch.ao.quantization.quantize_dynamic` (with
    ``{nn.Linear, nn.LSTM}`` and ``dtype=torch.qint8``) that checks a
    quantised engine is available and hides torch 2.13's deprecation
    warnings for ``torch.ao.quantization``. The quantised model runs on CPU,
    for inference only.

    Parameters
    ----------
    model : torch.nn.Module
        A float model on CPU.
    inplace : bool, keyword-only
        Replace the layers of ``model`` itself; by default a copy is made.

    Returns
    -------
    torch.nn.Module
        The model with ``DynamicQuantizedLinear`` / ``DynamicQuantizedLSTM``
        layers; other layers stay float. Their packed int8 weights are not
        ``nn.Parameter`` s, so :func:`count_parameters` no longer sees them:
        measure the result with :func:`model_size_bytes` instead.

    Raises
    ------
    TypeError
        If ``model`` is not a module or ``inplace`` not a bool.
    RuntimeError
        If this torch build has no quantised engine
        (``torch.backends.quantized.engine == "none"``).

    References
    ----------
    Jacob et al. (2018), "Quantization and training of neural networks for
    efficient integer-arithmetic-only inference", sec. 2. arXiv:1712.05877.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 8))
    >>> qmodel = quantize_dynamic(model)
    >>> qmodel[0].weight().dtype  # int8 weights with a scale and zero point
    torch.qint8
    >>> x = torch.randn(4, 64)
    >>> bool((qmodel(x) - model(x)).abs().max() < 0.05)
    True
    >>> model_size_bytes(qmodel) < model_size_bytes(model) / 2
    True
    """
    _check_module(model)
    if not isinstance(inplace, bool):
        raise TypeError(f"inplace must be a bool, got {type(inplace).__name__}")
    if torch.backends.quantized.engine == "none":
        raise RuntimeError(
            "this torch build has no quantised engine "
            f"(supported: {torch.backends.quantized.supported_engines})"
        )
    with warnings.catch_warnings():
        for category, message in _TORCH_AO_DEPRECATIONS:
            warnings.filterwarnings("ignore", message=message, category=category)
        from torch.ao.quantization import quantize_dynamic as _torch_quantize_dynamic

        return _torch_quantize_dynamic(
            model, {nn.Linear, nn.LSTM}, dtype=torch.qint8, inplace=inplace
        )
