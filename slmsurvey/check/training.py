r"""Self-checks for Part 3, *Advances*: training strategies (3.2).

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for, runs it on a few small cases and compares it with the package or
with a computation whose answer holds by construction: the parameters that
:func:`~slmsurvey.training.adapters.add_adapters` adds, the rank of random
features with a bias column, and the frames that
:func:`~slmsurvey.speech.log_mel_spectrogram` and
:func:`~slmsurvey.asr.stack_frames` produce. A failed check names the first
case that differs, never the method. Models and noise are drawn under
:func:`torch.random.fork_rng` or from their own generators, so a check
leaves the global seeds alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from slmsurvey.asr import stack_frames
from slmsurvey.check._core import (
    Result,
    as_number,
    call,
    expect_close,
    fmt,
    self_check,
)
from slmsurvey.efficiency.counting import count_parameters
from slmsurvey.speech import log_mel_spectrogram
from slmsurvey.ssl import info_nce
from slmsurvey.training.adapters import add_adapters

__all__ = [
    "ex_3_2_1_chance",
    "ex_3_2_2_budget",
    "ex_3_2_2_random_labels",
    "ex_3_2_3_one_percent",
]

# Shapes: n points, d features, N feature frames, F mel bins

SAMPLE_RATE = 16_000  # the corpora of chapter 3.2.3


def _equal_scores_loss(K: int) -> float:
    """InfoNCE of a scorer that cannot tell the K + 1 candidates apart."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        anchors = torch.randn(4, 3, dtype=torch.float64)  # (B, D)
    same = torch.ones(4, 3, dtype=torch.float64)  # positive = every negative
    negatives = same[:, None, :].expand(4, K, 3)  # (B, K, D)
    return float(info_nce(anchors, same, negatives, temperature=1.0))


@self_check
def ex_3_2_1_chance(chance_loss: Callable) -> Result:
    r"""Check the chance level of the InfoNCE loss (exercise 3.2.1).

    ``chance_loss(K)`` must return the InfoNCE loss, in nats, of a scorer
    that gives the positive and all :math:`K` negatives the same score:

    .. math:: \mathcal{L} = -\log \frac{e^{s^+}}{e^{s^+} + \sum_{k=1}^{K} e^{s_k}}.

    The reference is :func:`~slmsurvey.ssl.info_nce` on candidates that are
    all equal, for five values of :math:`K`.

    Parameters
    ----------
    chance_loss : callable
        Your function ``(K: int) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    >>> import math
    >>> print(ex_3_2_1_chance(lambda K: math.log(K)))
    Not yet: for K = 1, you returned 0; expected 0.693147. That is log K: the positive is a candidate too.
    """  # noqa: E501
    cases = [1, 3, 10, 100, 1000]
    for K in cases:
        expected = _equal_scores_loss(K)
        context = f"for K = {K}"
        got = as_number(call(chance_loss, K, context=context), context)
        hint = ""
        if np.isclose(got, np.log(K)):
            hint = "That is log K: the positive is a candidate too."
        elif np.isclose(got, 1 / (K + 1)):
            hint = "That is the accuracy of a random guess, not the loss."
        elif np.isclose(got, np.log2(K + 1)):
            hint = "That is in bits; the loss uses the natural logarithm (nats)."
        expect_close(got, expected, context, rtol=1e-6, hint=hint)
    return Result(True, f"your chance level matches info_nce for {len(cases)} K.")


def _added_by_adapters(n_layers: int, d: int, m: int) -> int:
    """Parameters that add_adapters puts into n_layers blocks, two per block."""
    blocks = nn.ModuleList(
        nn.ModuleDict({"attention": nn.Identity(), "feed_forward": nn.Identity()})
        for _ in range(n_layers)
    )  # the frozen sub-layers' own weights do not matter: none here
    layers = [block[name] for block in blocks for name in block]
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        add_adapters(blocks, layers, m, d_model=d)  # shapes only, no values
    return count_parameters(blocks, trainable_only=True)


@self_check
def ex_3_2_2_budget(adapters_added: Callable) -> Result:
    r"""Check the parameters that adapters add to an encoder (exercise 3.2.2).

    ``adapters_added(n_layers, d, m)`` must return the number of parameters
    added by two adapters of bottleneck :math:`m` in each of ``n_layers``
    layers of width :math:`d`, as in Houlsby et al., each adapter being

    .. math:: A(h) = h + W_{up}\, f(W_{down}\, h + b_{down}) + b_{up}.

    The reference puts the adapters into a stack of layers with
    :func:`~slmsurvey.training.adapters.add_adapters` and counts the
    trainable parameters with :func:`~slmsurvey.efficiency.count_parameters`,
    for five encoders, the paper's 12 layers of :math:`d = 768` with
    :math:`m = 64` among them.

    Parameters
    ----------
    adapters_added : callable
        Your function ``(n_layers, d, m) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_2_2_budget(lambda n_layers, d, m: n_layers * 2 * d * m))
    Not yet: for n_layers = 1, d = 16 and m = 4, you returned 128; expected 296. You are 168 short.
    """  # noqa: E501
    cases = [(1, 16, 4), (12, 768, 64), (2, 32, 4), (3, 5, 1), (24, 1024, 16)]
    for n_layers, d, m in cases:
        expected = _added_by_adapters(n_layers, d, m)
        context = f"for n_layers = {n_layers}, d = {d} and m = {m}"
        got = as_number(call(adapters_added, n_layers, d, m, context=context), context)
        gap = got - expected
        hint = f"You are {fmt(abs(gap))} {'over' if gap > 0 else 'short'}."
        if 2 * got == expected:
            hint += " That is half: there are two adapters in each layer."
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(True, f"your count matches add_adapters for {len(cases)} encoders.")


def _affinely_independent(d: int, seed: int = 0) -> int:
    """The most points of R^d in general position: the rank of [H, 1]."""
    rng = np.random.default_rng(seed)
    H = rng.standard_normal((d + 3, d))  # (n, d): more points than can fit
    H_1 = np.hstack([H, np.ones((d + 3, 1))])  # (n, d + 1): a bias column
    return int(np.linalg.matrix_rank(H_1))


@self_check
def ex_3_2_2_random_labels(any_labels: Callable) -> Result:
    r"""Check how many examples a linear head can always fit (3.2.2).

    ``any_labels(d)`` must return the largest number :math:`n` of training
    examples (feature vectors in :math:`\mathbb{R}^d`, in general position)
    to which a linear head :math:`W h + b` can fit *any* labels. An affine
    map sends :math:`n` affinely independent points to any :math:`n`
    score vectors, so every labelling fits as long as the points are
    affinely independent; and any :math:`d + 2` points of
    :math:`\mathbb{R}^d` can be split into two groups whose convex hulls
    meet (Radon's theorem), which no linear head separates. The reference is
    the rank of random features with a column of ones, for five widths.

    Parameters
    ----------
    any_labels : callable
        Your function ``(d: int) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_2_2_random_labels(lambda d: 2 * d))  # doctest: +ELLIPSIS
    Not yet: for d = 32 features, you returned 64; expected 33. Too many: ...
    """
    for d in (32, 1, 2, 5, 100):
        context = f"for d = {d} features"
        expected = _affinely_independent(d)
        got = as_number(call(any_labels, d, context=context), context)
        if got > expected:
            hint = "Too many: some labelling of that many points cannot be fitted."
        else:
            hint = "Too few: a linear head can fit any labels on more points."
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(True, "the largest set a linear head can always fit, for five d.")


def _feature_frames(n_samples: int) -> int:
    """Log-mel frames (10 ms hop) of ``n_samples`` samples of noise."""
    generator = torch.Generator().manual_seed(n_samples)
    wave = 0.1 * torch.randn(n_samples, generator=generator)  # (n_samples,)
    return log_mel_spectrogram(wave, SAMPLE_RATE, n_mels=40).shape[1]  # (F, N)


@self_check
def ex_3_2_3_one_percent(encoder_frames: Callable) -> Result:
    r"""Check the number of CTC frames of one utterance (exercise 3.2.3).

    ``encoder_frames(n_samples, stack)`` must return how many encoder frames,
    and so how many CTC time steps, the recogniser of chapter 3.2.3 gives an
    utterance of ``n_samples`` samples at 16 kHz: the frames of
    :func:`~slmsurvey.speech.log_mel_spectrogram` with its defaults (25 ms
    windows every 10 ms), of which the front end stacks ``stack`` into one
    (:func:`~slmsurvey.asr.stack_frames`). The reference computes both, for
    eight lengths and stacks.

    Parameters
    ----------
    encoder_frames : callable
        Your function ``(n_samples: int, stack: int) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> def no_padding(n_samples, stack):
    ...     return n_samples // (160 * stack)
    >>> print(ex_3_2_3_one_percent(no_padding))  # doctest: +ELLIPSIS
    Not yet: for n_samples = 19040 and stack = 4, you returned 29; expected 30. ...
    """
    cases = [(16_000, 4), (19_040, 4), (12_345, 3), (400, 2), (8_000, 8)]
    cases += [(16_400, 4), (48_080, 4), (30_000, 1)]
    for n_samples, stack in cases:
        N = _feature_frames(n_samples)
        features = torch.zeros(1, N, 1)  # (1, N, 1): only the count matters
        expected = int(stack_frames(features, torch.tensor([N]), stack)[1][0])
        context = f"for n_samples = {n_samples} and stack = {stack}"
        got = call(encoder_frames, n_samples, stack, context=context)
        hint = (
            f"({n_samples} samples give {N} log-mel frames, and the front end "
            f"stacks {stack} of them into one.)"
        )
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(
        True, f"the CTC frames of {len(cases)} utterances, as the front end makes them."
    )
