"""The machinery of the self-checks: a result, safe calls and comparisons.

A check runs the learner's answer on a few small cases and compares it with
the package's own computation. The first case that differs stops the check,
and its message names that case, what the learner gave and what was
expected. Nothing here prints; the notebook shows the :class:`Result`.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["Result"]


@dataclass(frozen=True, repr=False)
class Result:
    """The outcome of a self-check: true when the answer is right.

    Parameters
    ----------
    passed : bool
        Whether every case agreed with the reference.
    message : str
        On success, what was checked. On failure, a hint naming the first
        case that differs, what the answer gave and what was expected.

    Examples
    --------
    >>> ok = Result(True, "matches on 3 cases.")
    >>> bool(ok), ok
    (True, Correct: matches on 3 cases.)
    >>> bad = Result(False, "for x = 2 you returned 5; expected 4.")
    >>> if not bad:
    ...     print(bad)
    Not yet: for x = 2 you returned 5; expected 4.
    >>> bad._repr_markdown_()
    '**Not yet:** for x = 2 you returned 5; expected 4.'
    """

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return bool(self.passed)

    def _label(self) -> str:
        return "Correct" if self.passed else "Not yet"

    def __str__(self) -> str:
        return f"{self._label()}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return f"**{self._label()}:** {self.message}"


class Mismatch(Exception):
    """Raised inside a check when the answer differs; becomes a failed Result."""


def self_check(check: Callable[..., Result]) -> Callable[..., Result]:
    """Decorator: a :class:`Mismatch` raised by ``check`` becomes a failure."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> Result:
        try:
            return check(*args, **kwargs)
        except Mismatch as mismatch:
            return Result(False, str(mismatch))

    return run


def fmt(x: object) -> str:
    """A short, readable rendering of a number, array or other value."""
    if isinstance(x, bool | str):
        return repr(x)
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        return f"{float(x):.6g}"
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=4, threshold=8, edgeitems=2):
            return np.array2string(x, separator=", ").replace("\n", "")
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def call(fn: object, *args: Any, context: str, what: str = "a function") -> Any:
    """``fn(*args)``, with any error in the learner's code turned into a hint.

    ``context`` says which case is being run ("for f = 0.5"); ``what`` names
    the expected kind of answer in the message when ``fn`` is not callable.
    """
    if not callable(fn):
        raise Mismatch(f"expected {what}, got {type(fn).__name__} {fmt(fn)}.")
    try:
        return fn(*args)
    except Exception as error:  # the learner's code: report, do not crash
        raise Mismatch(
            f"{context}, your function raised {type(error).__name__}: "
            f"{str(error).rstrip('.')}."
        ) from None


def as_number(got: object, context: str) -> float:
    """``got`` as a Python float, if it is a real number (or a 1-element array)."""
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(-1)[0]
    if isinstance(got, bool | np.bool_) or not isinstance(got, numbers.Real):
        raise Mismatch(
            f"{context}, you gave {type(got).__name__} {fmt(got)}; expected a number."
        )
    return float(got)


def expect_close(
    got: object,
    expected: float,
    context: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-12,
    hint: str = "",
) -> float:
    """Raise :class:`Mismatch` unless ``got`` is the number ``expected``."""
    value = as_number(got, context)
    if math.isnan(value) or not math.isclose(
        value, expected, rel_tol=rtol, abs_tol=atol
    ):
        extra = f" {hint}" if hint else ""
        raise Mismatch(
            f"{context}, you returned {fmt(value)}; expected {fmt(expected)}.{extra}"
        )
    return value


def as_array(got: object, context: str) -> np.ndarray:
    """``got`` (a numpy array, tensor or nested list of numbers) as float64."""
    if isinstance(got, tuple) and got and isinstance(got[0], torch.Tensor):
        raise Mismatch(
            f"{context}, you returned a tuple of {len(got)} tensors; "
            "expected a single tensor."
        )
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mismatch(
            f"{context}, you returned {type(got).__name__} {fmt(got)}; "
            "expected an array of numbers."
        ) from None
    return array


def expect_array_close(
    got: object,
    expected: np.ndarray | torch.Tensor,
    context: str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str = "",
) -> np.ndarray:
    """Raise :class:`Mismatch` unless ``got`` has the shape and values expected.

    The message names the first element that differs, not the whole array.
    """
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().cpu().numpy()
    expected = np.asarray(expected, dtype=np.float64)
    array = as_array(got, context)
    if array.shape != expected.shape:
        raise Mismatch(
            f"{context}, you returned an array of shape {array.shape}; "
            f"expected shape {expected.shape}."
        )
    close = np.isclose(array, expected, rtol=rtol, atol=atol)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        where = f" at index {index}" if index else ""
        raise Mismatch(
            f"{context}, your result{where} is {fmt(array[index])}; "
            f"expected {fmt(expected[index])} "
            f"({int((~close).sum())} of {close.size} values differ)."
            + (f" {hint}" if hint else "")
        )
    return array
