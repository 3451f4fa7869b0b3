r"""Wall-clock latency of a forward pass: repeated, warmed up, summarised robustly.

One timing is noisy (other processes, caches, frequency scaling), and the
noise is one-sided: interruptions only ever make a run slower. So
:func:`measure_latency` runs the model ``warmup`` times untimed (first calls
allocate memory and pick kernels), then ``repeats`` times timed, and reports
the median and the quartiles, which a few slow outliers barely move:

.. math::

    \tilde t = \mathrm{median}(t_1, \ldots, t_R), \qquad
    \mathrm{IQR} = Q_{0.75} - Q_{0.25}.

Timings belong in benchmarks and figures, never in pass/fail tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from slmsurvey._checks import check_int

__all__ = ["Latency", "measure_latency"]


@dataclass(frozen=True)
class Latency:
    """Summary of repeated timings, in seconds.

    Attributes
    ----------
    median_s : float
        Median of ``samples_s``.
    q25_s, q75_s : float
        First and third quartiles (linear interpolation, numpy's default).
    samples_s : tuple of float
        Every timed run, in order.

    Examples
    --------
    >>> lat = Latency(median_s=2.0, q25_s=1.5, q75_s=3.0, samples_s=(1.0, 2.0, 4.0))
    >>> lat.iqr_s
    1.5
    """

    median_s: float
    q25_s: float
    q75_s: float
    samples_s: tuple[float, ...]

    @property
    def iqr_s(self) -> float:
        """Interquartile range ``q75_s - q25_s``."""
        return self.q75_s - self.q25_s


def measure_latency(
    model: Callable[..., Any],
    inputs: torch.Tensor | Sequence[Any],
    *,
    repeats: int = 20,
    warmup: int = 3,
    timer: Callable[[], float] = time.perf_counter,
) -> Latency:
    r"""Time ``model(inputs)`` (or ``model(*inputs)``) under inference mode.

    .. math::

        t_r = \tau_{\mathrm{end}, r} - \tau_{\mathrm{start}, r}, \quad
        r = 1, \ldots, R; \qquad
        \text{report } \mathrm{median}(t) \text{ and } Q_{0.25}(t),
        Q_{0.75}(t),

    with :math:`\tau` read from ``timer`` (:func:`time.perf_counter`, a
    monotonic clock with the best available resolution) around each call,
    after ``warmup`` untimed calls. Every call runs under
    :func:`torch.inference_mode`. The model's train/eval mode is left as it
    is: call ``model.eval()`` first to time inference (dropout off).

    Parameters
    ----------
    model : callable
        Usually a :class:`torch.nn.Module`.
    inputs : torch.Tensor or sequence
        A tensor is passed as the one argument; a tuple or list is unpacked
        into positional arguments.
    repeats : int, keyword-only
        :math:`R \ge 1` timed calls.
    warmup : int, keyword-only
        Untimed calls first, at least 0.
    timer : callable, keyword-only
        Clock returning seconds as a float. On a shared machine,
        :func:`time.process_time` (CPU time of this process, with one torch
        thread) is steadier than wall-clock time; tests pass a fake clock.

    Returns
    -------
    Latency

    Raises
    ------
    TypeError
        If ``model`` or ``timer`` is not callable, ``inputs`` is neither a
        tensor nor a tuple/list, or ``repeats``/``warmup`` is not an int.
    ValueError
        If ``repeats < 1`` or ``warmup < 0``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> model = nn.Linear(16, 16).eval()
    >>> lat = measure_latency(model, torch.randn(4, 16), repeats=5, warmup=1)
    >>> len(lat.samples_s), lat.q25_s <= lat.median_s <= lat.q75_s
    (5, True)
    """
    if not callable(model):
        raise TypeError(f"model must be callable, got {type(model).__name__}")
    if not callable(timer):
        raise TypeError(f"timer must be callable, got {type(timer).__name__}")
    if isinstance(inputs, torch.Tensor):
        args: tuple[Any, ...] = (inputs,)
    elif isinstance(inputs, tuple | list):
        args = tuple(inputs)
    else:
        raise TypeError(
            "inputs must be a torch.Tensor or a tuple/list of arguments, "
            f"got {type(inputs).__name__}"
        )
    repeats = check_int(repeats, "repeats", 1)
    warmup = check_int(warmup, "warmup", 0)
    samples = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(*args)
        for _ in range(repeats):
            start = timer()
            model(*args)
            samples.append(float(timer() - start))
    q25, median, q75 = np.quantile(np.asarray(samples), [0.25, 0.5, 0.75])
    return Latency(
        median_s=float(median),
        q25_s=float(q25),
        q75_s=float(q75),
        samples_s=tuple(samples),
    )
