"""Argument checks shared by the package: each raises an error naming the argument."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_int", "check_real", "check_wave"]


def check_wave(
    wave: object, name: str = "wave", *, min_length: int = 1, what: str = ""
) -> np.ndarray:
    """A 1-D float32/float64 numpy waveform with finite samples.

    ``min_length`` samples at least; ``what`` says why in the message (e.g.
    ``"n_fft=400"``).
    """
    if not isinstance(wave, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy array, got {type(wave).__name__} "
            "(for a torch tensor pass x.numpy())"
        )
    if wave.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be float32 or float64, got {wave.dtype}")
    if wave.ndim != 1 or wave.size == 0:
        raise ValueError(f"{name} must be 1-D and non-empty, got shape {wave.shape}")
    if wave.shape[0] < min_length:
        need = what or str(min_length)
        raise ValueError(f"{name} has {wave.shape[0]} samples, fewer than {need}")
    if not np.isfinite(wave).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return wave


def check_int(value: object, name: str, minimum: int) -> int:
    """An int (not a bool) of at least ``minimum``."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(
    value: object, name: str, *, low: float = -math.inf, open_low: bool = False
) -> float:
    """A finite real number (not a bool), at least ``low`` (above if ``open_low``)."""
    if not isinstance(value, int | float | np.integer | np.floating) or isinstance(
        value, bool
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < low or (open_low and value == low):
        bound = "" if low == -math.inf else f" and {'>' if open_low else '>='} {low:g}"
        raise ValueError(f"{name} must be finite{bound}, got {value}")
    return value
