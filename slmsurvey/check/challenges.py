r"""Self-checks for the exercises of Part 4, *Challenges and limitations*.

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for (a number or a function), runs it on a few small cases, and
compares it with the package's own computation. A failed check names the
first case that differs, never the method.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from slmsurvey.check._core import (
    Mismatch,
    Result,
    as_array,
    as_number,
    call,
    expect_array_close,
    expect_close,
    fmt,
    self_check,
)
from slmsurvey.efficiency.counting import count_flops
from slmsurvey.efficiency.energy import co2_kg, energy_kwh
from slmsurvey.fairness.group import (
    demographic_parity_difference,
    equalized_odds_difference,
)
from slmsurvey.metrics.agreement import cohen_kappa
from slmsurvey.metrics.bleu import bleu_details
from slmsurvey.privacy import clip_per_example

__all__ = [
    "ex_4_1_1_encoder_flops",
    "ex_4_1_2_training_co2",
    "ex_4_2_1_equalized_odds",
    "ex_4_2_2_advantage",
    "ex_4_2_2_clip",
    "ex_4_3_1_clipped_precision",
    "ex_4_3_2_cohen_kappa",
]


# ---------------------------------------------------------------- 4.1.1
_ENCODER_CASES = [(8, 1, 4), (16, 2, 7), (32, 1, 1), (24, 3, 10), (64, 2, 50)]


def _encoder_reference(d_model: int, layers: int, frames: int) -> int:
    """``count_flops`` of ``layers`` encoder layers on one (1, frames, d) input."""
    from slmsurvey.nn.transformer import TransformerEncoderLayer

    with torch.random.fork_rng():  # leave the learner's seed alone
        torch.manual_seed(0)
        encoder = nn.Sequential(
            *[TransformerEncoderLayer(d_model, 4, 4 * d_model) for _ in range(layers)]
        ).eval()
        x = torch.randn(1, frames, d_model)  # (B, T, d)
    return count_flops(encoder, x)


@self_check
def ex_4_1_1_encoder_flops(encoder_flops: Callable) -> Result:
    r"""Check the FLOPs of a Transformer encoder (exercise 4.1.1, encoder FLOPs).

    ``encoder_flops(d_model, layers, frames)`` must return the number of
    FLOPs that :func:`~slmsurvey.efficiency.count_flops` finds for
    ``layers`` layers of ``TransformerEncoderLayer(d_model, 4, 4 * d_model)``
    applied to one sequence of ``frames`` frames: 2 FLOPs per multiply-add
    of the projections, the feed-forward matrices and the two attention
    products, nothing for biases, normalisation or the softmax. The
    reference runs ``count_flops`` on such a stack.

    Parameters
    ----------
    encoder_flops : callable
        Your function ``(d_model, layers, frames) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    The matrices alone, :math:`2N` per frame, miss the attention products:

    >>> result = ex_4_1_1_encoder_flops(lambda d, L, T: L * 24 * T * d**2)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for d_model = 8, layers = 1, frames = 4, you returned 6144; ...
    """
    for d, L, T in _ENCODER_CASES:
        context = f"for d_model = {d}, layers = {L}, frames = {T}"
        expected = _encoder_reference(d, L, T)
        got = as_number(call(encoder_flops, d, L, T, context=context), context)
        matrices = L * 24 * T * d**2
        hint = ""
        if got == matrices:
            hint = (
                "That counts the weight matrices only; the attention scores "
                "and the weighted sum of the values cost FLOPs too, and they "
                "grow with the square of the number of frames."
            )
        elif got == matrices + L * 2 * T**2 * d:
            hint = "Count both attention products, the scores and the mixing."
        elif got > matrices and (got - matrices) % (2 * T * L) == 0 and T > 1:
            hint = (
                "Biases and normalisation are not counted: only "
                "multiply-adds of matrix products."
            )
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(
        True, f"your count equals count_flops on {len(_ENCODER_CASES)} encoders."
    )


# ---------------------------------------------------------------- 4.1.2
# (forward FLOPs, examples, epochs, FLOPs per joule, PUE, kg CO2e per kWh)
_CO2_CASES = [
    (1e9, 1000, 3, 1e10, 1.5, 0.5),
    (1.2e8, 384, 3, 1e11, 1.58, 0.433),
    (2e6, 16000, 1, 4e9, 1.2, 0.02),
    (5e12, 10**6, 2, 1e12, 1.1, 0.9),
]


def _co2_hint(got: float, expected: float, eta: float, pue: float) -> str:
    """Name a likely slip from the ratio of the answer to the reference."""
    if expected <= 0 or got <= 0:
        return ""
    ratio = got / expected
    slips = [
        (
            eta**2,
            "More efficient hardware uses less energy: divide by the FLOPs "
            "per joule, do not multiply by them.",
        ),
        (
            3.6e6,
            "The grid intensity is per kilowatt-hour: convert joules to kWh "
            "(1 kWh = 3.6e6 J).",
        ),
        (
            1 / 3,
            "Training also runs a backward pass: about 3 times the forward "
            "FLOPs per example.",
        ),
        (
            2.0,
            "The forward count already has 2 FLOPs per multiply-add: "
            "training is 3 times the forward FLOPs, not 6.",
        ),
        (1 / pue, "Multiply by the PUE, the data centre's overhead."),
    ]
    for factor, hint in slips:
        if math.isclose(ratio, factor, rel_tol=1e-6):
            return hint
    return ""


@self_check
def ex_4_1_2_training_co2(training_co2_kg: Callable) -> Result:
    r"""Check the CO2e of a training run (exercise 4.1.2, training CO2).

    ``training_co2_kg(forward_flops, examples, epochs, flops_per_joule, pue,
    grid_intensity)`` must return kilograms of CO2e,

    .. math::

        m = \frac{3\, C_{\text{forward}}\, n_{\text{examples}}\,
        n_{\text{epochs}}}{\eta} \cdot \mathrm{PUE} \cdot
        \frac{1\ \text{kWh}}{3.6 \times 10^6\ \text{J}} \cdot I,

    with :math:`I` in kg CO2e per kWh. The reference is
    :func:`~slmsurvey.efficiency.energy_kwh` followed by
    :func:`~slmsurvey.efficiency.co2_kg`.

    Parameters
    ----------
    training_co2_kg : callable
        Your function ``(forward_flops, examples, epochs, flops_per_joule,
        pue, grid_intensity) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    Forgetting the backward pass gives a third of the answer:

    >>> def forward_only(c, n, e, eta, pue, intensity):
    ...     return c * n * e / eta * pue / 3.6e6 * intensity
    >>> print(ex_4_1_2_training_co2(forward_only))  # doctest: +ELLIPSIS
    Not yet: for forward_flops = 1e+09, examples = 1000, ... backward pass...
    """
    for c, n, epochs, eta, pue, intensity in _CO2_CASES:
        context = (
            f"for forward_flops = {fmt(c)}, examples = {n}, epochs = {epochs}, "
            f"flops_per_joule = {fmt(eta)}, pue = {fmt(pue)} and "
            f"grid_intensity = {fmt(intensity)}"
        )
        kwh = energy_kwh(3 * c * n * epochs, flops_per_joule=eta, pue=pue)
        expected = co2_kg(kwh, grid_intensity=intensity)
        got = call(training_co2_kg, c, n, epochs, eta, pue, intensity, context=context)
        value = as_number(got, context)
        hint = _co2_hint(value, expected, eta, pue)
        expect_close(value, expected, context, rtol=1e-6, atol=0.0, hint=hint)
    return Result(
        True,
        f"your function equals energy_kwh and co2_kg on {len(_CO2_CASES)} runs.",
    )


# ---------------------------------------------------------------- 4.2.1
def _odds_cases() -> list[tuple[list[int], list[int], list]]:
    """(y_true, y_pred, groups): worked, equal opportunity only, 3 groups."""
    rng = np.random.default_rng(0)
    y_true = np.tile([1, 0], 30)  # every group gets both labels
    groups = np.repeat(["a", "b", "c"], 20)
    # group "c" is accepted more often, whatever the truth
    p = np.where(groups == "c", 0.8, 0.4) + 0.15 * y_true
    y_pred = (rng.random(60) < p).astype(int)
    return [
        ([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 1, 0], [0] * 4 + [1] * 4),
        # equal TPR (1 and 1), unequal FPR (0 and 1): equal opportunity only
        ([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 1, 1, 1], [0] * 4 + [1] * 4),
        # FPR gap 0, TPR gap 2/3, three groups with string labels
        (
            [1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0],
            [1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0],
            ["x"] * 4 + ["y"] * 4 + ["z"] * 4,
        ),
        (y_true.tolist(), y_pred.tolist(), groups.tolist()),
    ]


def _odds_hint(value: float, y_true: list, y_pred: list, groups: list) -> str:
    eo = equalized_odds_difference(y_true, y_pred, groups)
    dp = demographic_parity_difference(y_pred, groups)
    close = lambda a: math.isclose(value, a, abs_tol=1e-9)  # noqa: E731
    if close(eo.tpr_difference) and not close(eo.difference):
        return (
            "That is the gap in true positive rates only (equality of "
            "opportunity, the survey's formula); equalised odds also "
            "compares the false positive rates."
        )
    if close(eo.fpr_difference) and not close(eo.difference):
        return "Compare the true positive rates as well as the false ones."
    if close(eo.tpr_difference + eo.fpr_difference) or close(
        (eo.tpr_difference + eo.fpr_difference) / 2
    ):
        return "Take the larger of the two gaps, not their sum or mean."
    if close(dp.difference) and not close(eo.difference):
        return (
            "That is the gap in acceptance rates (demographic parity); "
            "condition on the truth y first."
        )
    first_two = sorted(set(groups))[:2]
    pair = [g in first_two for g in groups]
    if len(set(groups)) > 2:
        sub = equalized_odds_difference(
            [t for t, k in zip(y_true, pair, strict=True) if k],
            [p for p, k in zip(y_pred, pair, strict=True) if k],
            [g for g, k in zip(groups, pair, strict=True) if k],
        )
        if close(sub.difference):
            return "With more than two groups, take the largest gap between any two."
    return ""


@self_check
def ex_4_2_1_equalized_odds(equalized_odds: Callable) -> Result:
    r"""Check the equalised-odds difference (exercise 4.2.1, equalized odds).

    ``equalized_odds(y_true, y_pred, groups)`` takes three equal-length
    lists (0/1 truth, 0/1 decisions, group labels) and returns

    .. math::

        \Delta_{\mathrm{EO}} = \max\!\big(\max_a \mathrm{TPR}_a - \min_a
        \mathrm{TPR}_a,\; \max_a \mathrm{FPR}_a - \min_a \mathrm{FPR}_a\big).

    The reference is
    :func:`~slmsurvey.fairness.equalized_odds_difference`.

    Parameters
    ----------
    equalized_odds : callable
        Your function ``(y_true, y_pred, groups) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    The survey's formula compares true positive rates only:

    >>> def tpr_gap(y_true, y_pred, groups):
    ...     y, p, g = map(np.asarray, (y_true, y_pred, groups))
    ...     tpr = [p[(g == a) & (y == 1)].mean() for a in np.unique(g)]
    ...     return max(tpr) - min(tpr)
    >>> result = ex_4_2_1_equalized_odds(tpr_gap)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for y_true = [1, 1, 0, 0, 1, 1, 0, 0], y_pred = [1, 1, 0, 0, 1, 1, ...
    """
    cases = _odds_cases()
    for y_true, y_pred, groups in cases:
        context = (
            f"for y_true = {fmt(y_true)}, y_pred = {fmt(y_pred)} and "
            f"groups = {fmt(groups)}"
        )
        expected = equalized_odds_difference(y_true, y_pred, groups).difference
        got = call(
            equalized_odds, list(y_true), list(y_pred), list(groups), context=context
        )
        value = as_number(got, context)
        hint = _odds_hint(value, y_true, y_pred, groups)
        expect_close(value, expected, context, rtol=1e-9, atol=1e-9, hint=hint)
    return Result(
        True,
        f"your function equals equalized_odds_difference on {len(cases)} cases.",
    )


# ---------------------------------------------------------------- 4.2.2
_ADVANTAGE_CASES = [
    (1.0, 0.0),
    (0.5, 0.01),
    (0.1, 0.0),
    (2.0, 1e-5),
    (3.0, 0.1),
    (8.0, 1e-5),
]


def _max_advantage(epsilon: float, delta: float) -> float:
    e = math.exp(epsilon)
    return (e - 1 + 2 * delta) / (e + 1)


@self_check
def ex_4_2_2_advantage(max_advantage: Callable) -> Result:
    r"""Check the largest membership advantage under DP (exercise 4.2.2, advantage).

    ``max_advantage(epsilon, delta)`` returns the largest
    :math:`\mathrm{TPR} - \mathrm{FPR}` that any attacker can reach against an
    :math:`(\varepsilon, \delta)`-DP algorithm, from
    :math:`\mathrm{TPR} \le e^\varepsilon \mathrm{FPR} + \delta` and
    :math:`1 - \mathrm{FPR} \le e^\varepsilon (1 - \mathrm{TPR}) + \delta`:

    .. math:: \frac{e^\varepsilon - 1 + 2\delta}{e^\varepsilon + 1}.

    Parameters
    ----------
    max_advantage : callable
        Your function ``(epsilon, delta) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    The first inequality alone gives a looser bound:

    >>> import math
    >>> print(ex_4_2_2_advantage(lambda e, d: math.exp(e) - 1 + d))
    ... # doctest: +ELLIPSIS
    Not yet: for epsilon = 1 and delta = 0, you returned 1.71828; ...
    """
    for epsilon, delta in _ADVANTAGE_CASES:
        context = f"for epsilon = {fmt(epsilon)} and delta = {fmt(delta)}"
        got = call(max_advantage, epsilon, delta, context=context)
        value = as_number(got, context)
        e = math.exp(epsilon)
        hint = ""
        if value > 1:
            hint = (
                "An advantage TPR - FPR can never exceed 1: use the second "
                "inequality too."
            )
        elif math.isclose(value, (e - 1) / (e + 1), rel_tol=1e-9) and delta:
            hint = "You have left out delta."
        expect_close(
            value, _max_advantage(epsilon, delta), context, rtol=1e-6, hint=hint
        )
    return Result(
        True, f"your bound is right for {len(_ADVANTAGE_CASES)} (epsilon, delta)."
    )


def _clip_cases() -> list[tuple[torch.Tensor, float]]:
    """Per-example gradients (B, P) and a clipping norm C."""
    gen = torch.Generator().manual_seed(0)
    return [
        (torch.tensor([[3.0, 4.0], [0.3, 0.4]]), 1.0),  # one above C, one below
        (torch.randn(5, 7, generator=gen), 1.0),
        (10 * torch.randn(4, 3, generator=gen), 2.5),
        (torch.tensor([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]]), 1.0),  # a zero row
        (torch.randn(6, 1, generator=gen), 0.1),
    ]


@self_check
def ex_4_2_2_clip(clip: Callable) -> Result:
    r"""Check per-example gradient clipping (exercise 4.2.2, clipping).

    ``clip(grads, C)`` takes per-example gradients of shape (B, P) and a
    norm :math:`C > 0` and returns
    :math:`\bar g_i = g_i / \max(1, \lVert g_i \rVert_2 / C)`, row by row.
    The reference is :func:`~slmsurvey.privacy.clip_per_example`.

    Parameters
    ----------
    clip : callable
        Your function ``(grads, C) -> Tensor`` of shape (B, P).

    Returns
    -------
    Result

    Examples
    --------
    Rescaling every row to norm C also stretches the short ones:

    >>> result = ex_4_2_2_clip(lambda g, C: C * g / g.norm(dim=1, keepdim=True))
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for grads = ..., your result at index (1, 0) is 0.6; ...
    """
    cases = _clip_cases()
    for grads, C in cases:
        context = f"for grads = {fmt(grads)} and C = {fmt(C)}"
        clipped, _ = clip_per_example({"g": grads}, C)
        expected = clipped["g"]
        got = call(clip, grads.clone(), C, context=context)
        array = as_array(got, context)
        hint = ""
        if array.shape == tuple(grads.shape) and not np.isfinite(array).all():
            hint = "A zero gradient has norm 0: do not divide by it."
        elif array.shape == tuple(grads.shape):
            g = grads.double().numpy()
            everyone = C * g / np.maximum(np.linalg.norm(g, axis=1), 1e-12)[:, None]
            batch = g / max(1.0, float(np.linalg.norm(g)) / C)
            if np.allclose(array, everyone, atol=1e-6):
                hint = "Rows shorter than C must be left as they are."
            elif np.allclose(array, batch, atol=1e-6):
                hint = "Clip each row (each example) on its own, not the batch."
        expect_array_close(array, expected, context, rtol=1e-5, atol=1e-6, hint=hint)
    return Result(True, f"your clipping equals clip_per_example on {len(cases)} cases.")


# ---------------------------------------------------------------- 4.3.1
_BLEU_CASES = [
    ("the cat is on the mat", "the the the the the the the", 1),
    ("the small cat sat on the red mat", "the cat sat on the red mat", 2),
    ("the small cat sat on the red mat", "the cat sat on the red mat", 4),
    ("a b a b a b", "a b a b a b a b", 2),
    ("a b c", "a b c d e", 3),
    ("one two", "one two three", 3),
    ("x y z", "p q", 1),
]


def _unclipped(reference: str, hypothesis: str, n: int) -> int:
    ref, hyp = reference.split(), hypothesis.split()
    grams = {tuple(ref[i : i + n]) for i in range(len(ref) - n + 1)}
    return sum(tuple(hyp[i : i + n]) in grams for i in range(len(hyp) - n + 1))


@self_check
def ex_4_3_1_clipped_precision(clipped_precision: Callable) -> Result:
    r"""Check a clipped n-gram count (exercise 4.3.1, clipped precision).

    ``clipped_precision(reference, hypothesis, n)`` takes two strings of
    space-separated words and returns ``(matches, total)``: the clipped
    number of hypothesis n-grams that occur in the reference,
    :math:`\sum_g \min(\#_{\text{hyp}}(g), \#_{\text{ref}}(g))`, and the
    number of hypothesis n-grams. The reference is
    :func:`~slmsurvey.metrics.bleu_details` (``matches`` and ``totals``).

    Parameters
    ----------
    clipped_precision : callable
        Your function ``(reference, hypothesis, n) -> (int, int)``.

    Returns
    -------
    Result

    Examples
    --------
    Counting every matching n-gram, without clipping, is not enough:

    >>> def unclipped(ref, hyp, n):
    ...     r, h = ref.split(), hyp.split()
    ...     grams = [tuple(h[i : i + n]) for i in range(len(h) - n + 1)]
    ...     refs = {tuple(r[i : i + n]) for i in range(len(r) - n + 1)}
    ...     return sum(g in refs for g in grams), len(grams)
    >>> print(ex_4_3_1_clipped_precision(unclipped))  # doctest: +ELLIPSIS
    Not yet: for reference 'the cat is on the mat', hypothesis 'the the ...
    """
    for reference, hypothesis, n in _BLEU_CASES:
        context = f"for reference {reference!r}, hypothesis {hypothesis!r} and n = {n}"
        d = bleu_details([reference], [hypothesis], max_n=n, smooth="none")
        expected = (d.matches[n - 1], d.totals[n - 1])
        got = call(clipped_precision, reference, hypothesis, n, context=context)
        if isinstance(got, float | np.floating):
            raise Mismatch(
                f"{context}, you returned the number {fmt(got)}; return the "
                "pair (matches, total), so that counts can be summed over a "
                "corpus."
            )
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Mismatch(
                f"{context}, you returned {fmt(got)}; expected a pair (matches, total)."
            )
        matches = as_number(got[0], context)
        total = as_number(got[1], context)
        if (matches, total) != expected:
            hint = ""
            if matches == _unclipped(reference, hypothesis, n) != expected[0]:
                hint = (
                    " Credit each hypothesis n-gram at most as often as it "
                    "occurs in the reference."
                )
            raise Mismatch(
                f"{context}, you returned ({fmt(matches)}, {fmt(total)}); "
                f"expected {expected}.{hint}"
            )
    return Result(True, f"your counts equal bleu_details' on {len(_BLEU_CASES)} cases.")


# ---------------------------------------------------------------- 4.3.2
def _kappa_cases() -> list[tuple[list[int], list[int]]]:
    """Pairs of rating lists on the 1-5 scale: worked, random, skewed."""
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 6, 40)
    noisy = np.clip(truth + rng.integers(-1, 2, 40), 1, 5)
    return [
        ([1, 2, 3, 4, 5, 5], [1, 2, 3, 4, 4, 5]),
        ([4, 4, 5, 3], [4, 5, 5, 2]),  # raters use different categories
        (truth.tolist(), noisy.tolist()),
        ([5] * 18 + [4, 3], [5] * 17 + [4, 4, 3]),  # one dominant score
        (rng.integers(1, 6, 30).tolist(), rng.integers(1, 6, 30).tolist()),
    ]


@self_check
def ex_4_3_2_cohen_kappa(kappa: Callable) -> Result:
    r"""Check unweighted Cohen's kappa (exercise 4.3.2, Cohen's kappa).

    ``kappa(a, b)`` takes two equal-length lists of integer ratings and
    returns :math:`(p_o - p_e) / (1 - p_e)`. The reference is
    :func:`~slmsurvey.metrics.agreement.cohen_kappa`.

    Parameters
    ----------
    kappa : callable
        Your function ``(a, b) -> float``.

    Returns
    -------
    Result

    Examples
    --------
    Raw agreement is not kappa:

    >>> result = ex_4_3_2_cohen_kappa(lambda a, b: np.mean(np.equal(a, b)))
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for a = [1, 2, 3, 4, 5, 5] and b = [1, 2, 3, 4, 4, 5], you ...
    """
    cases = _kappa_cases()
    for a, b in cases:
        context = f"for a = {fmt(a)} and b = {fmt(b)}"
        expected = cohen_kappa(a, b)
        got = call(kappa, list(a), list(b), context=context)
        value = as_number(got, context)
        hint = ""
        if abs(value - float(np.mean(np.equal(a, b)))) < 1e-9:
            hint = "That is the raw agreement p_o; correct it for chance."
        expect_close(value, expected, context, rtol=1e-6, atol=1e-9, hint=hint)
    return Result(True, f"your kappa equals cohen_kappa on {len(cases)} cases.")
