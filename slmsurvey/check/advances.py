r"""Self-checks for Part 3, *Advances*: neural network architectures (3.1).

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for, runs it on a few small cases and compares it with the package:
:class:`MultiHeadAttention`, :class:`ConvolutionModule`,
:class:`ConvSubsampling` and :func:`count_parameters`. A failed check names
the first case that differs, never the method. Models are built under
:func:`torch.random.fork_rng`, so a check leaves the global seed alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch

from slmsurvey.check._core import (
    Result,
    as_number,
    call,
    expect_array_close,
    expect_close,
    fmt,
    self_check,
)
from slmsurvey.efficiency.counting import count_parameters
from slmsurvey.nn.attention import scaled_dot_product_attention
from slmsurvey.nn.conformer import ConvolutionModule, ConvSubsampling
from slmsurvey.nn.transformer import MultiHeadAttention

__all__ = [
    "ex_3_1_1_forget",
    "ex_3_1_2_one_head",
    "ex_3_1_3_audio",
    "ex_3_1_3_params",
]

# Shapes: B batch, T frames, d d_model, F mel bins


@self_check
def ex_3_1_1_forget(steps_below: Callable) -> Result:
    r"""Check the number of steps for a fixed forget gate to forget (3.1.1).

    With the forget gate held at :math:`f`, ``steps_below(f)`` must return the
    first number of steps :math:`n` after which the factor
    :math:`\partial c_T / \partial c_{T-n}` along the memory path has fallen
    below :math:`10^{-3}`. The reference counts the steps one by one.

    Parameters
    ----------
    steps_below : callable
        Your function ``(f: float) -> int``, for :math:`0 < f < 1`.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_1_1_forget(lambda f: 3))  # doctest: +ELLIPSIS
    Not yet: for f = 0.5, you returned 3; expected 10. (The factor after 3 steps...
    """
    level = 1e-3
    for f in [0.5, 1 / (1 + math.exp(-1.0)), 0.9, 0.99, 0.2]:
        context = f"for f = {fmt(f)}"
        expected = next(n for n in itertools.count(1) if f**n < level)
        got = as_number(call(steps_below, f, context=context), context)
        hint = ""
        if got >= 0:
            hint = (
                f"(The factor after {fmt(got)} steps is {fmt(f**got)}; "
                f"the question asks for the first step below {level:g}.)"
            )
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(True, "the right number of steps for five forget rates.")


def _switched_off(*args: object, **kwargs: object) -> None:
    raise RuntimeError(
        "the check switched off mha(...) itself: build the output from "
        "mha.W_Q, mha.W_K, mha.W_V, mha.W_O and scaled_dot_product_attention"
    )


@self_check
def ex_3_1_2_one_head(by_hand: Callable) -> Result:
    r"""Check single-head attention written out from its weights (3.1.2).

    ``by_hand(mha, x)`` must return ``mha(x, x, x)[0]`` for a
    :class:`~slmsurvey.nn.MultiHeadAttention` with one head, computed from
    ``mha.W_Q``, ``mha.W_K``, ``mha.W_V``, ``mha.W_O`` and
    :func:`~slmsurvey.nn.scaled_dot_product_attention`. The check switches
    off calling ``mha`` itself, and compares on three modules and inputs.

    Parameters
    ----------
    by_hand : callable
        Your function ``(mha, x) -> torch.Tensor``, ``x`` of shape (B, T, d).

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_1_2_one_head(lambda mha, x: x))  # doctest: +ELLIPSIS
    Not yet: for MultiHeadAttention(d_model=8, n_heads=1) and x of shape (3, 5, 8), ...
    """
    for d, shape, seed in [(8, (3, 5, 8), 0), (4, (1, 7, 4), 1), (6, (2, 1, 6), 2)]:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            mha = MultiHeadAttention(d_model=d, n_heads=1).eval()
            x = torch.randn(shape)  # (B, T, d)
        with torch.no_grad():
            expected = mha(x, x, x)[0]  # (B, T, d)
            q, k, v = mha.W_Q(x), mha.W_K(x), mha.W_V(x)  # (B, T, d) each
            without_W_O = scaled_dot_product_attention(q, k, v)[0]  # (B, T, d)
        mha.forward = _switched_off
        context = (
            f"for MultiHeadAttention(d_model={d}, n_heads=1) and x of shape {shape}"
        )
        got = call(by_hand, mha, x.clone(), context=context)
        hint = ""
        if isinstance(got, torch.Tensor) and got.shape == without_W_O.shape:
            if torch.allclose(got.detach().float(), without_W_O, atol=1e-5):
                hint = "Did you apply the output projection W_O?"
        expect_array_close(got, expected, context, rtol=1e-4, atol=1e-5, hint=hint)
    return Result(True, "one head is attention on the projections, then W_O.")


@self_check
def ex_3_1_3_params(conv_module_params: Callable) -> Result:
    r"""Check a parameter count of the Conformer convolution module (3.1.3).

    ``conv_module_params(C, k)`` must return the number of parameters of
    ``ConvolutionModule(C, k)`` (weights and biases; batch norm's running
    statistics are buffers, not parameters), compared with
    :func:`~slmsurvey.efficiency.count_parameters` for five sizes.

    Parameters
    ----------
    conv_module_params : callable
        Your function ``(C, k) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_1_3_params(lambda C, k: C * k))  # doctest: +ELLIPSIS
    Not yet: for C = 4 and k = 3, you returned 12; expected 92. You are 80 short.
    """
    for C, k in [(4, 3), (16, 7), (5, 1), (128, 15), (144, 31)]:
        with torch.random.fork_rng(devices=[]):
            expected = count_parameters(ConvolutionModule(C, k))
        context = f"for C = {C} and k = {k}"
        got = as_number(call(conv_module_params, C, k, context=context), context)
        gap = got - expected
        hint = f"You are {fmt(abs(gap))} {'over' if gap > 0 else 'short'}."
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(True, "your count matches ConvolutionModule for five sizes.")


def _frames_touched(k: int, n_frames: int = 200, n_mels: int = 40) -> int:
    """Input frames that change one middle output of subsampling + conv(k)."""
    width = 8
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.manual_seed(0)
        front = ConvSubsampling(n_mels, width)
        conv = ConvolutionModule(width, k).eval()
        x = torch.randn(1, n_frames, n_mels, requires_grad=True)  # (1, T, F)
        y = conv(front(x)[0])  # (1, T', d)
        y[0, y.shape[1] // 2].sum().backward()
    return int((x.grad[0].abs().sum(dim=1) > 0).sum())


@self_check
def ex_3_1_3_audio(frames_seen: Callable) -> Result:
    r"""Check how many input frames one convolution output sees (3.1.3).

    ``frames_seen(k)`` must return the number of 10 ms input frames that can
    change one output frame of ``ConvSubsampling`` followed by
    ``ConvolutionModule`` of kernel ``k``. The reference measures it: it
    back-propagates from one output frame and counts the input frames that
    get a gradient, for three kernels.

    Parameters
    ----------
    frames_seen : callable
        Your function ``(k: int) -> int``, for odd ``k``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_1_3_audio(lambda k: 4 * k))  # doctest: +ELLIPSIS
    Not yet: for k = 3, you returned 12; expected 15. (Counted by...
    """
    for k in (3, 7, 15):
        context = f"for k = {k}"
        got = call(frames_seen, k, context=context)
        expect_close(
            got,
            _frames_touched(k),
            context,
            rtol=0,
            atol=0,
            hint="(Counted by back-propagating from one output frame.)",
        )
    return Result(True, "the receptive field of subsampling + convolution.")
