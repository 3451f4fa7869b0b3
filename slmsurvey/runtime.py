"""Reproducible notebook sessions: seeds, thread caps, plot style, device.

Every chapter calls :func:`setup` once, right after the (Colab-only) install
cell, so that seeds live in one place and the notebook behaves the same on a
laptop, on Binder, on Colab and in CI.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from importlib import metadata
from typing import Any

import numpy as np

__all__ = ["available_cpus", "env_report", "environment", "glue", "setup"]


def available_cpus() -> int:
    """Number of CPUs this process may run on (respects affinity masks).

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity masks
        return os.cpu_count() or 1


def setup(seed: int = 0, *, max_threads: int | None = None, style: bool = True):
    """Seed every random number generator, cap threads, set the plot style.

    Parameters
    ----------
    seed : int
        Seed for Python's :mod:`random`, NumPy's global generator and torch.
    max_threads : int, optional
        Upper bound on torch's intra-op threads. The default is the number of
        CPUs this process may use, or ``OMP_NUM_THREADS`` if that is set and
        smaller (so notebooks run side by side in CI do not fight over cores).
    style : bool
        Apply the book's matplotlib style (readable fonts, light grid).

    Returns
    -------
    torch.device
        ``cuda`` when a GPU is available (or the ``SLMSURVEY_DEVICE``
        environment variable names a device), else ``cpu``.

    Examples
    --------
    >>> import torch
    >>> _ = setup(seed=1)
    >>> a = torch.rand(2)
    >>> _ = setup(seed=1)
    >>> bool((a == torch.rand(2)).all())
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if max_threads is not None and max_threads < 1:
        raise ValueError(f"max_threads must be at least 1, got {max_threads}")
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (seeds legacy global RNG users too)
    torch.manual_seed(seed)
    threads = available_cpus()
    if max_threads is not None:
        threads = min(threads, max_threads)
    elif os.environ.get("OMP_NUM_THREADS", "").isdigit():
        threads = min(threads, max(1, int(os.environ["OMP_NUM_THREADS"])))
    torch.set_num_threads(threads)
    if style:
        _set_plot_style()
    name = os.environ.get("SLMSURVEY_DEVICE")
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _set_plot_style() -> None:
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "legend.frameon": False,
        }
    )


def glue(name: str, value: Any, display: bool = False) -> None:
    """Publish ``value`` under ``name`` so the book's prose can quote it.

    In the book, ``{glue:text}`name``` then shows the value a cell computed,
    so no number in the prose is typed by hand. This is
    :func:`myst_nb.glue` where MyST-NB is installed; elsewhere (Colab) the
    value is only shown when ``display`` is true.

    Parameters
    ----------
    name : str
        Key used in the book's ``{glue}`` roles.
    value : object
        Anything with a text representation (numbers are best pre-formatted).
    display : bool
        Also show the value in the notebook.

    Examples
    --------
    >>> glue("n_layers", 3)  # the prose quotes it as {glue:text}`n_layers`
    >>> glue("wer", "12.5 %", display=True)  # and shown under the cell
    '12.5 %'
    """
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    if isinstance(value, np.generic):  # np.float64(1.5) -> 1.5, so formats apply
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # e.g. on Colab
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


_REPORTED = ("slmsurvey", "torch", "numpy", "matplotlib", "ipywidgets", "jupyter-book")


def _where() -> str:
    if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
        return "Colab"
    if "BINDER_SERVICE_HOST" in os.environ or "BINDER_LAUNCH_HOST" in os.environ:
        return "Binder"
    if os.environ.get("CI"):
        return "CI"
    return "local"


def environment() -> dict[str, str]:
    """What this session runs on: where, Python, package versions, CPU, GPU.

    ``where`` is ``Colab``, ``Binder``, ``CI`` (the ``CI`` variable is set) or
    ``local``. A package that is not installed shows as ``not installed``.

    Examples
    --------
    >>> env = environment()
    >>> env["where"] in {"Colab", "Binder", "CI", "local"}, "torch" in env
    (True, True)
    """
    import torch

    env = {"where": _where(), "python": platform.python_version()}
    for name in _REPORTED:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = "not installed"
    env["platform"] = platform.platform()
    env["cpus"] = f"{available_cpus()} usable, torch uses {torch.get_num_threads()}"
    if torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name(0)
    else:
        env["gpu"] = "none"
    return env


def env_report() -> None:
    """Print :func:`environment` as aligned lines (paste it into bug reports).

    Examples
    --------
    >>> env_report()  # doctest: +ELLIPSIS
    where         ...
    python        3...
    """
    env = environment()
    print("\n".join(f"{key:<13} {value}" for key, value in env.items()))
