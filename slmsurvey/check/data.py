r"""Self-checks for Part 3, *Advances*: data and resources (3.3).

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for, runs it on a few small cases and compares it with the package or
with a case whose answer holds by construction: Heaps' law evaluated at the
answer, :class:`~slmsurvey.speech.Utterance` lists with known speakers and
durations, lip and audio tracks shifted by a known number of frames, and
:func:`wiener_gain` and :func:`spectral_subtraction_gain`. A failed check
names the first case that differs, never the method.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from slmsurvey.check._core import (
    Mismatch,
    Result,
    as_number,
    call,
    expect_close,
    fmt,
    self_check,
)
from slmsurvey.speech.enhance import spectral_subtraction_gain, wiener_gain
from slmsurvey.speech.loaders import Utterance

__all__ = [
    "ex_3_3_1_heaps",
    "ex_3_3_1_split_report",
    "ex_3_3_2_lead",
    "ex_3_3_3_wiener_vs_subtraction",
]


@self_check
def ex_3_3_1_heaps(words_needed: Callable) -> Result:
    r"""Check the inversion of Heaps' law (exercise 3.3.1).

    ``words_needed(V, K, beta)`` must return the number of running words
    :math:`N` at which a corpus following

    .. math:: V = K N^\beta

    holds :math:`V` distinct words. The check puts your :math:`N` back into
    the law, for four corpora.

    Parameters
    ----------
    words_needed : callable
        Your function ``(V, K, beta) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_3_1_heaps(lambda V, K, beta: V / K))
    Not yet: for V = 1000, K = 5, beta = 0.5, you returned N = 200, where Heaps' law gives V = 70.7107, not 1000.
    """  # noqa: E501
    cases = [(1000, 5.0, 0.5), (20_000, 2.3, 0.62), (300, 10.0, 0.8), (50, 50.0, 0.7)]
    for V, K, beta in cases:
        context = f"for V = {V}, K = {fmt(K)}, beta = {beta}"
        N = as_number(call(words_needed, V, K, beta, context=context), context)
        if not N > 0:
            raise Mismatch(f"{context}, you returned N = {fmt(N)}: not positive.")
        V_at_N = K * N**beta
        if not math.isclose(V_at_N, V, rel_tol=1e-6):
            raise Mismatch(
                f"{context}, you returned N = {fmt(N)}, where Heaps' law gives "
                f"V = {fmt(V_at_N)}, not {V}."
            )
    return Result(True, f"Heaps' law gives back V in {len(cases)} cases.")


def _utterances(split: str, talks: list[tuple[str, float]]) -> list[Utterance]:
    return [
        Utterance(f"{split}-{i}", Path(f"{split}-{i}.flac"), "hello", s, duration=d)
        for i, (s, d) in enumerate(talks)
    ]


def _describe(talks: dict[str, list[tuple[str, float]]]) -> str:
    return "; ".join(
        f"{name}: " + ", ".join(f"{s} ({d:g} s)" for s, d in utts)
        for name, utts in talks.items()
    )


@self_check
def ex_3_3_1_split_report(split_report: Callable) -> Result:
    r"""Check a per-split report of a corpus (exercise 3.3.1).

    ``split_report(splits)`` takes a dictionary from split names to lists of
    :class:`~slmsurvey.speech.Utterance` (with durations) and must return
    ``(table, shared)``: ``table[name]`` is a dictionary with the keys
    ``"utterances"``, ``"minutes"`` and ``"speakers"`` (the number of
    distinct speakers), and ``shared`` the set of speakers found in more than
    one split. The check builds two small corpora with known speakers and
    durations.

    Parameters
    ----------
    split_report : callable
        Your function ``(splits) -> (table, shared)``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_3_1_split_report(lambda splits: ({}, set())))
    ... # doctest: +ELLIPSIS
    Not yet: for splits train: a (2 s), a (3 s), b (1.5 s); ..., your table has the splits []; expected ['dev', 'test', 'train'].
    """  # noqa: E501
    corpora = [
        {
            "train": [("a", 2.0), ("a", 3.0), ("b", 1.5)],
            "dev": [("c", 4.0), ("b", 6.0)],
            "test": [("d", 30.0)],
        },
        {"train": [("x", 60.0)], "test": [("y", 1.0), ("z", 2.0), ("y", 3.0)]},
    ]
    for talks in corpora:
        splits = {name: _utterances(name, t) for name, t in talks.items()}
        context = f"for splits {_describe(talks)}"
        got = call(split_report, splits, context=context)
        if not (isinstance(got, tuple | list) and len(got) == 2):
            raise Mismatch(
                f"{context}, you returned {fmt(got)}; expected a pair (table, shared)."
            )
        table, shared = got
        if not isinstance(table, Mapping) or set(table) != set(splits):
            names = sorted(table) if isinstance(table, Mapping) else table
            raise Mismatch(
                f"{context}, your table has the splits {fmt(names)}; "
                f"expected {sorted(splits)}."
            )
        for name, utts in splits.items():
            row = table[name]
            expected = {
                "utterances": len(utts),
                "minutes": sum(u.duration for u in utts) / 60,
                "speakers": len({u.speaker for u in utts}),
            }
            for key, value in expected.items():
                if not isinstance(row, Mapping) or key not in row:
                    raise Mismatch(
                        f"{context}, table[{name!r}] has no key {key!r}; "
                        f"expected the keys {list(expected)}."
                    )
                at = f"{context}, in table[{name!r}][{key!r}]"
                expect_close(row[key], value, at, rtol=1e-6, atol=1e-9)
        where = {}
        for name, utts in splits.items():
            for u in utts:
                where.setdefault(u.speaker, set()).add(name)
        expected_shared = {s for s, names in where.items() if len(names) > 1}
        try:
            shared = set(shared)
        except TypeError:
            raise Mismatch(
                f"{context}, shared is {fmt(shared)}; expected a set of speakers."
            ) from None
        if shared != expected_shared:
            raise Mismatch(
                f"{context}, you found the shared speakers {fmt(shared)}; "
                f"expected {fmt(expected_shared or set())}."
            )
    return Result(True, "utterances, minutes, speakers and overlaps all agree.")


def _lead_case(k: int, seed: int, n: int = 6, length: int = 60, pad: int = 5):
    """Lip openings o and envelopes e with o[t] = e[t + k], plus a little noise."""
    rng = np.random.default_rng(seed)
    openings, envelopes = [], []
    for _ in range(n):
        smooth = np.convolve(rng.random(length + 2 * pad + 3), np.ones(4) / 4, "valid")
        envelopes.append(smooth[pad : pad + length])
        o = smooth[pad + k : pad + k + length] + 0.02 * rng.standard_normal(length)
        openings.append(o)
    return openings, envelopes


@self_check
def ex_3_3_2_lead(best_shift: Callable) -> Result:
    r"""Check an estimate of how far the lips lead the audio (exercise 3.3.2).

    ``best_shift(openings, envelopes)`` takes two lists of equally long
    per-utterance arrays, the lip opening and the audio RMS envelope at the
    video frame rate, and must return the shift :math:`k` in frames, from
    :math:`-5` to :math:`5`, that best lines them up: the opening at frame
    :math:`t` goes with the envelope at frame :math:`t + k`, so :math:`k > 0`
    when the lips lead. The check builds tracks shifted by a known number of
    frames.

    Parameters
    ----------
    best_shift : callable
        Your function ``(openings, envelopes) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_3_2_lead(lambda openings, envelopes: 0))  # doctest: +ELLIPSIS
    Not yet: for 6 utterances whose lip opening at frame t matches the audio ...
    """
    for k, seed in [(2, 0), (-3, 1), (0, 2), (5, 3)]:
        openings, envelopes = _lead_case(k, seed)
        context = (
            f"for {len(openings)} utterances whose lip opening at frame t "
            f"matches the audio envelope at frame t + {k}"
        )
        got = call(best_shift, openings, envelopes, context=context)
        hint = ""
        if k and isinstance(got, int | np.integer) and got == -k:
            hint = "The sign is reversed: k > 0 when the lips lead."
        expect_close(got, k, context, rtol=0, atol=0, hint=hint)
    return Result(True, "you recover the known shift of four sets of tracks.")


@self_check
def ex_3_3_3_wiener_vs_subtraction(
    wiener_ml: Callable, power_subtraction: Callable
) -> Result:
    r"""Check the two gains as functions of :math:`\gamma` alone (3.3.3).

    ``wiener_ml(gamma)`` must return the Wiener gain with the
    maximum-likelihood estimate :math:`\hat\xi = \max(\gamma - 1, 0)`, and
    ``power_subtraction(gamma)`` the amplitude gain of power subtraction with
    :math:`\alpha = 1, \beta = 0`, each for one a-posteriori SNR
    :math:`\gamma > 0` (a float). References: :func:`wiener_gain` with
    ``prior="ml"`` and a negligible floor, and
    :func:`spectral_subtraction_gain`, at the same :math:`\gamma` with unit
    noise power.

    Parameters
    ----------
    wiener_ml, power_subtraction : callable
        Your functions ``(gamma: float) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_3_3_3_wiener_vs_subtraction(lambda g: 1.0, lambda g: 1.0))
    Not yet: for gamma = 4 (Wiener gain), you returned 1; expected 0.75.
    """
    gammas = np.array([4.0, 2.0, 1.25, 10.0, 100.0, 1.0, 0.5, 0.01])
    P_Y, noise = gammas[None, :], np.ones(1)  # (1, N), (1,): gamma = P_Y
    G_W = wiener_gain(P_Y, noise, prior="ml", xi_min_db=-300.0)[0]  # (N,)
    G_SS = spectral_subtraction_gain(P_Y, noise, alpha=1.0, beta=0.0)[0]  # (N,)
    for name, fn, reference in [
        ("Wiener gain", wiener_ml, G_W),
        ("power subtraction gain", power_subtraction, G_SS),
    ]:
        for gamma, expected in zip(gammas, reference, strict=True):
            context = f"for gamma = {fmt(gamma)} ({name})"
            got = call(fn, float(gamma), context=context)
            expect_close(got, float(expected), context, rtol=1e-9, atol=1e-12)
    return Result(True, f"both gains agree with the package at {len(gammas)} SNRs.")
