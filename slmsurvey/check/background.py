r"""Self-checks for the exercises of Part 2, *Background* (chapters 2.1-2.2).

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for (a number or a function), runs it on a few small cases, and
compares it with the package's own computation: :class:`NGramLM`,
:func:`hmm_forward`, :func:`perplexity` and :func:`ctc_loss`, or with an
exact sum over the binomial distribution of BERT's masking
(:func:`~slmsurvey.ssl.mask_tokens`). A failed check names the first case
that differs, never the method.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable

import numpy as np
import torch

from slmsurvey.asr.ctc import ctc_loss
from slmsurvey.check._core import (
    Mismatch,
    Result,
    as_number,
    call,
    expect_close,
    fmt,
    self_check,
)
from slmsurvey.lm.hmm import hmm_forward
from slmsurvey.lm.ngram import NGramLM
from slmsurvey.metrics.perplexity import perplexity

__all__ = [
    "ex_2_1_1_chain_rule",
    "ex_2_1_1_underflow",
    "ex_2_1_2_units",
    "ex_2_2_1_mask_rate",
    "ex_2_2_2_count",
    "ex_2_2_2_stack",
]


@self_check
def ex_2_1_1_chain_rule(p: float) -> Result:
    r"""Check the probability of *a b* under the bigram model of exercise 2.1.1.

    The model is the maximum-likelihood bigram model of the two sentences
    *a b* and *a a*; the sentence probability includes the end marker,

    .. math:: P(a\,b) = P(a \mid \langle s\rangle)\, P(b \mid a)\,
              P(\langle /s\rangle \mid b).

    Parameters
    ----------
    p : float
        Your probability (a float or a :class:`fractions.Fraction`; three
        significant digits are enough).

    Returns
    -------
    Result
        Passed if ``p`` equals what ``NGramLM(2, "mle")`` computes.

    Examples
    --------
    >>> result = ex_2_1_1_chain_rule(0.5)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: you gave 0.5, which is too high. Write P(a b) as a product...
    """
    lm = NGramLM(2, "mle").fit([["a", "b"], ["a", "a"]])
    expected = 2 ** lm.logprob(["a", "b"])
    value = as_number(p, "for the sentence 'a b'")
    if not 0 <= value <= 1:
        raise Mismatch(f"you gave {fmt(value)}, which is not a probability.")
    if not math.isclose(value, expected, rel_tol=2e-3):
        direction = "too high" if value > expected else "too low"
        raise Mismatch(
            f"you gave {fmt(value)}, which is {direction}. Write P(a b) as a "
            "product of bigram probabilities, and count the bigrams of both "
            "padded sentences, <s> and </s> included."
        )
    return Result(True, f"P(a b) = {expected:.4g}, as NGramLM(2, 'mle') finds.")


def _hmm_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(pi, A, B) of small HMMs: a worked example, random, left-to-right."""
    rng = np.random.default_rng(0)
    cases = [
        (
            np.array([0.6, 0.4]),
            np.array([[0.7, 0.3], [0.4, 0.6]]),
            np.array([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]]),
        ),
        (np.array([0.3, 0.7]), np.array([[0.9, 0.1], [0.2, 0.8]]), rng.random((1, 2))),
        (rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), 3), rng.random((5, 3))),
        (
            np.array([1.0, 0.0, 0.0]),  # left to right, densities above one
            np.array([[0.6, 0.4, 0.0], [0.0, 0.7, 0.3], [0.0, 0.0, 1.0]]),
            rng.uniform(0.1, 4.0, (7, 3)),
        ),
    ]
    return cases


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


@self_check
def ex_2_1_1_underflow(forward_probability: Callable) -> Result:
    r"""Check a forward recursion written in probability space (exercise 2.1.1).

    ``forward_probability(pi, A, B)`` must return :math:`P(X) = \sum_j
    \alpha_T(j)`, eq. (eq-forward), from the start probabilities ``pi``
    (N,), the transition matrix ``A`` (N, N), ``A[i, j]`` :math:`= a_{ij}`,
    and the frame densities ``B`` (T, N), ``B[t, j]`` :math:`= b_j(x_t)`,
    all numpy arrays, without logarithms. It is compared with
    ``exp(hmm_forward(log pi, log A, log B)[1])`` on four small models; on
    success the message also says what it returns on 2,000 frames.

    Parameters
    ----------
    forward_probability : callable
        Your function ``(pi, A, B) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    Summing the last frame's densities is not the forward algorithm:

    >>> result = ex_2_1_1_underflow(lambda pi, A, B: float(B[-1].sum()))
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for pi = [0.6, 0.4], A = [[0.7, 0.3], ...], you returned 0.7; ...
    """
    cases = _hmm_cases()
    for pi, A, B in cases:
        context = f"for pi = {fmt(pi)}, A = {fmt(A)} and B = {fmt(B)}"
        expected = math.exp(hmm_forward(_log(pi), _log(A), _log(B))[1])
        got = call(forward_probability, pi.copy(), A.copy(), B.copy(), context=context)
        value = as_number(got, context)
        hint = ""
        if value < 0 or math.isclose(value, math.log(expected), rel_tol=1e-6):
            hint = "That looks like a log-probability: return P(X) itself."
        expect_close(value, expected, context, rtol=1e-6, hint=hint)
    # 2,000 frames: a product of 2,000 numbers below one
    rng = np.random.default_rng(1)
    pi, A, _ = cases[0]
    B = rng.uniform(0.01, 0.5, (2000, 2))
    log_likelihood = hmm_forward(_log(pi), _log(A), _log(B))[1]
    long = call(forward_probability, pi, A, B, context="on 2,000 frames")
    value = as_number(long, "on 2,000 frames")
    return Result(
        True,
        f"your recursion agrees with hmm_forward on {len(cases)} small models. "
        f"On 2,000 frames it returns {fmt(value)}, while hmm_forward gives "
        f"log P(X) = {log_likelihood:,.1f}.",
    )


@self_check
def ex_2_1_2_units(per_unit: Callable) -> Result:
    r"""Check a conversion of perplexity between units (exercise 2.1.2).

    ``per_unit(ppl, n_tokens, n_units)`` takes a perplexity ``ppl`` per
    token, measured over ``n_tokens`` tokens, and returns the perplexity per
    unit of the same text cut into ``n_units`` units (characters, BPE
    tokens), the total number of bits being the same. The reference is
    :func:`~slmsurvey.metrics.perplexity` of those bits spread evenly over
    the units.

    Parameters
    ----------
    per_unit : callable
        Your function ``(ppl, n_tokens, n_units) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    >>> result = ex_2_1_2_units(lambda ppl, n_tokens, n_units: ppl)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for ppl = 100 over n_tokens = 10 and n_units = 40, you returned...
    """
    cases = [(100.0, 10, 40), (8.0, 5, 5), (20.0, 30, 12), (100.0, 1200, 5400)]
    for ppl, n_tokens, n_units in cases:
        context = (
            f"for ppl = {fmt(ppl)} over n_tokens = {n_tokens} and n_units = {n_units}"
        )
        bits = n_tokens * math.log2(ppl)  # the total, in every unit
        expected = perplexity([-bits / n_units] * n_units)
        value = as_number(
            call(per_unit, ppl, n_tokens, n_units, context=context), context
        )
        hint = ""
        if n_tokens != n_units and any(
            math.isclose(value, ppl * r, rel_tol=1e-6)
            for r in (n_tokens / n_units, n_units / n_tokens)
        ):
            hint = (
                "A perplexity does not scale with the count: keep the total "
                "number of bits fixed."
            )
        expect_close(value, expected, context, rtol=1e-6, hint=hint)
    return Result(
        True, f"the same bits, spread over other units, in {len(cases)} cases."
    )


def _selection_law(L: int, p: float) -> tuple[float, float]:
    """E[K] and P(K = 0) for K ~ Binomial(L, p), summed over k = 0..L."""
    pmf = [math.comb(L, k) * p**k * (1 - p) ** (L - k) for k in range(L + 1)]
    return math.fsum(k * q for k, q in enumerate(pmf)), pmf[0]


@self_check
def ex_2_2_1_mask_rate(mean_selected: Callable, p_no_selection: Callable) -> Result:
    r"""Check the selection statistics of BERT's masking (exercise 2.2.1).

    :func:`~slmsurvey.ssl.mask_tokens` selects each of the :math:`L` words
    of a sentence independently with probability :math:`p`, so the number
    of selected words :math:`K` is binomial. ``mean_selected(L, p)`` must
    return :math:`\mathbb{E}[K]` and ``p_no_selection(L, p)`` the
    probability :math:`P(K = 0)` that the sentence teaches the masked model
    nothing. The reference sums over the binomial distribution,

    .. math:: P(K = k) = \binom{L}{k} p^k (1 - p)^{L - k},

    for six pairs :math:`(L, p)`.

    Parameters
    ----------
    mean_selected, p_no_selection : callable
        Your functions ``(L: int, p: float) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_2_2_1_mask_rate(lambda L, p: L * p, lambda L, p: 1 - L * p))
    Not yet: for L = 7 and p = 0.15 (p_no_selection), you returned -0.05; expected 0.320577. 1 - L p is no probability (it can be negative): each word escapes selection independently.
    """  # noqa: E501
    cases = [(7, 0.15), (1, 0.15), (20, 0.15), (3, 0.5), (12, 0.3), (60, 0.15)]
    for L, p in cases:
        context = f"for L = {L} and p = {fmt(p)} (mean_selected)"
        expected, _ = _selection_law(L, p)
        got = call(mean_selected, L, p, context=context)
        expect_close(got, expected, context, rtol=1e-9, atol=1e-12)
    for L, p in cases:
        context = f"for L = {L} and p = {fmt(p)} (p_no_selection)"
        _, expected = _selection_law(L, p)
        value = as_number(call(p_no_selection, L, p, context=context), context)
        hint = ""
        if math.isclose(value, 1 - L * p, abs_tol=1e-12):
            hint = (
                "1 - L p is no probability (it can be negative): each word "
                "escapes selection independently."
            )
        elif L > 1 and math.isclose(value, p**L, rel_tol=1e-9):
            hint = "That is the probability that every word is selected."
        expect_close(value, expected, context, rtol=1e-9, atol=1e-15, hint=hint)
    return Result(
        True,
        f"the mean and the chance of no selection agree with the binomial "
        f"distribution for {len(cases)} sentence lengths and rates.",
    )


def _count_alignments(T: int, target: list[int]) -> int:
    """|B^{-1}(y)| by the CTC forward recursion with every y^t_k = 1."""
    zeros = torch.zeros(T, max(target) + 1, dtype=torch.float64)  # (T, V)
    loss = ctc_loss(zeros, torch.tensor(target), T, len(target), reduction="sum")
    return round(math.exp(-float(loss)))


def _target(U: int, R: int) -> list[int]:
    """U labels whose first R neighbour pairs are equal: (3, 1) -> 'aab'."""
    labels, label = [], 0
    for u in range(U):
        if not 1 <= u <= R:
            label += 1
        labels.append(label)
    return labels


def _spell(labels: list[int]) -> str:
    return "".join(string.ascii_lowercase[k - 1] for k in labels)


@self_check
def ex_2_2_2_count(n_alignments: Callable) -> Result:
    r"""Check a count of CTC alignments, :math:`|\mathcal{B}^{-1}(\mathbf{y})|`.

    ``n_alignments(T, U, R)`` must return the number of length-:math:`T`
    paths that collapse to a target of :math:`U` labels with :math:`R` pairs
    of equal neighbours (exercise 2.2.2). The reference runs
    :func:`~slmsurvey.asr.ctc_loss` with every probability set to one, which
    counts the paths; cases include a :math:`T` too short for any path.

    Parameters
    ----------
    n_alignments : callable
        Your function ``(T, U, R) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_2_2_2_count(lambda T, U, R: math.comb(T, U)))
    Not yet: for T = 3, U = 2, R = 0 (a target like 'ab'), you returned 3; expected 5.
    """
    cases = [(3, 2, 0), (4, 2, 1), (6, 3, 1), (5, 3, 2), (3, 3, 1), (12, 4, 1)]
    cases += [(30, 6, 2), (40, 10, 0)]
    for T, U, R in cases:
        target = _target(U, R)
        context = f"for T = {T}, U = {U}, R = {R} (a target like {_spell(target)!r})"
        got = call(n_alignments, T, U, R, context=context)
        expect_close(got, _count_alignments(T, target), context, rtol=1e-9, atol=0)
    return Result(
        True,
        f"your counts match the CTC forward recursion in {len(cases)} cases.",
    )


@self_check
def ex_2_2_2_stack(frames_needed: Callable) -> Result:
    r"""Check the fewest frames CTC needs to emit a text (exercise 2.2.2).

    ``frames_needed(text)`` must return the smallest :math:`T` for which some
    length-:math:`T` path collapses to ``text``: the shortest input with a
    finite :func:`~slmsurvey.asr.ctc_loss`, which is the reference.

    Parameters
    ----------
    frames_needed : callable
        Your function ``(text: str) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    >>> print(ex_2_2_2_stack(len))  # doctest: +ELLIPSIS
    Not yet: for text = 'too', you returned 3; expected 4.
    """
    cases = ["cat", "too", "a", "aaa", "hello world", "bookkeeper", "mississippi"]
    for text in cases:
        alphabet = sorted(set(text))
        target = [1 + alphabet.index(c) for c in text]
        expected = next(
            T for T in range(1, 2 * len(text) + 1) if _count_alignments(T, target)
        )
        context = f"for text = {text!r}"
        got = call(frames_needed, text, context=context)
        expect_close(got, expected, context, rtol=0, atol=0)
    return Result(True, f"the shortest CTC input for {len(cases)} texts.")
