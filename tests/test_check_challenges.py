"""Self-checks of Part 4: the reference answer passes, a wrong one gets a hint."""

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from slmsurvey import check
from slmsurvey.check import challenges


# ---------------------------------------------------------------- 4.1.1
def encoder_flops(d_model, layers, frames):
    return layers * (24 * frames * d_model**2 + 4 * frames**2 * d_model)


def test_4_1_1_encoder_flops_reference_passes():
    result = check.ex_4_1_1_encoder_flops(encoder_flops)
    assert result
    assert "count_flops" in result.message


def test_4_1_1_encoder_flops_matrices_only_fails_with_hint():
    result = check.ex_4_1_1_encoder_flops(lambda d, L, T: L * 24 * T * d**2)
    assert not result
    assert result.message.startswith("for d_model = 8, layers = 1, frames = 4")
    assert "attention scores" in result.message


def test_4_1_1_encoder_flops_one_attention_product_fails_with_hint():
    def half_attention(d, L, T):
        return L * (24 * T * d**2 + 2 * T**2 * d)

    result = check.ex_4_1_1_encoder_flops(half_attention)
    assert not result and "both attention products" in result.message
    result = check.ex_4_1_1_encoder_flops(lambda d, L, T: [d])
    assert not result and "expected a number" in result.message


# ---------------------------------------------------------------- 4.1.2
def training_co2_kg(forward_flops, examples, epochs, flops_per_joule, pue, intensity):
    joules = 3 * forward_flops * examples * epochs / flops_per_joule * pue
    return joules / 3.6e6 * intensity


def test_4_1_2_training_co2_reference_passes():
    result = check.ex_4_1_2_training_co2(training_co2_kg)
    assert result
    assert "energy_kwh" in result.message


def test_4_1_2_training_co2_forward_only_fails_with_hint():
    def forward_only(c, n, e, eta, pue, intensity):
        return training_co2_kg(c, n, e, eta, pue, intensity) / 3

    result = check.ex_4_1_2_training_co2(forward_only)
    assert not result
    assert result.message.startswith("for forward_flops = 1e+09, examples = 1000")
    assert "backward pass" in result.message


def test_4_1_2_training_co2_survey_product_and_units_fail_with_hints():
    def times_efficiency(c, n, e, eta, pue, intensity):  # E ~ FLOPs * P
        return 3 * c * n * e * eta * pue / 3.6e6 * intensity

    result = check.ex_4_1_2_training_co2(times_efficiency)
    assert not result and "divide by the FLOPs per joule" in result.message

    def joules(c, n, e, eta, pue, intensity):
        return 3 * c * n * e / eta * pue * intensity

    result = check.ex_4_1_2_training_co2(joules)
    assert not result and "convert joules to kWh" in result.message

    def no_pue(c, n, e, eta, pue, intensity):
        return training_co2_kg(c, n, e, eta, 1.0, intensity)

    result = check.ex_4_1_2_training_co2(no_pue)
    assert not result and "PUE" in result.message
    result = check.ex_4_1_2_training_co2(lambda *args: "a lot")
    assert not result and "expected a number" in result.message


# ---------------------------------------------------------------- 4.2.1
def _rates(y_true, y_pred, groups):
    y, p, g = map(np.asarray, (y_true, y_pred, groups))
    labels = np.unique(g)
    tpr = [p[(g == a) & (y == 1)].mean() for a in labels]
    fpr = [p[(g == a) & (y == 0)].mean() for a in labels]
    return tpr, fpr


def equalized_odds(y_true, y_pred, groups):
    tpr, fpr = _rates(y_true, y_pred, groups)
    return max(max(tpr) - min(tpr), max(fpr) - min(fpr))


def test_4_2_1_equalized_odds_reference_passes():
    result = check.ex_4_2_1_equalized_odds(equalized_odds)
    assert result
    assert "equalized_odds_difference" in result.message


def test_4_2_1_equalized_odds_survey_formula_fails_with_hint():
    def tpr_gap(y_true, y_pred, groups):  # equality of opportunity
        tpr, _ = _rates(y_true, y_pred, groups)
        return max(tpr) - min(tpr)

    result = check.ex_4_2_1_equalized_odds(tpr_gap)
    assert not result
    assert "y_pred = [1, 1, 0, 0, 1, 1, 1, 1]" in result.message
    assert "expected 1" in result.message
    assert "equality of opportunity" in result.message


def test_4_2_1_equalized_odds_sum_and_parity_fail_with_hints():
    def summed(y_true, y_pred, groups):
        tpr, fpr = _rates(y_true, y_pred, groups)
        return max(tpr) - min(tpr) + max(fpr) - min(fpr)

    result = check.ex_4_2_1_equalized_odds(summed)
    assert not result and "larger of the two gaps" in result.message

    def parity(y_true, y_pred, groups):  # acceptance rates, ignoring y
        p, g = np.asarray(y_pred), np.asarray(groups)
        rates = [p[g == a].mean() for a in np.unique(g)]
        return max(rates) - min(rates)

    result = check.ex_4_2_1_equalized_odds(parity)
    assert not result and "demographic parity" in result.message


def test_4_2_1_equalized_odds_two_groups_only_and_errors_are_reported():
    def first_two(y_true, y_pred, groups):
        keep = [g in sorted(set(groups))[:2] for g in groups]
        pick = [i for i, k in enumerate(keep) if k]
        return equalized_odds(
            [y_true[i] for i in pick],
            [y_pred[i] for i in pick],
            [groups[i] for i in pick],
        )

    result = check.ex_4_2_1_equalized_odds(first_two)
    assert not result and "any two" in result.message
    result = check.ex_4_2_1_equalized_odds(lambda y, p, g: {"eo": 0.5})
    assert not result and "expected a number" in result.message
    result = check.ex_4_2_1_equalized_odds(lambda y, p, g: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


# ---------------------------------------------------------------- 4.2.2
def max_advantage(epsilon, delta):
    e = math.exp(epsilon)
    return (e - 1 + 2 * delta) / (e + 1)


def clip(grads, C):
    norms = grads.norm(dim=1, keepdim=True)
    return grads / torch.clamp(norms / C, min=1.0)


def test_4_2_2_advantage_reference_passes():
    result = check.ex_4_2_2_advantage(max_advantage)
    assert result
    assert str(result).startswith("Correct: ")


def test_4_2_2_advantage_one_sided_bound_fails_with_hint():
    result = check.ex_4_2_2_advantage(lambda e, d: math.exp(e) - 1 + d)
    assert not result
    assert result.message.startswith("for epsilon = 1 and delta = 0,")
    assert "never exceed 1" in result.message


def test_4_2_2_advantage_without_delta_fails_with_hint():
    result = check.ex_4_2_2_advantage(lambda e, d: math.tanh(e / 2))
    assert not result
    assert "delta = 0.01" in result.message and "left out delta" in result.message


def test_4_2_2_clip_reference_passes():
    result = check.ex_4_2_2_clip(clip)
    assert result
    assert "clip_per_example" in result.message


def test_4_2_2_clip_rescaling_every_row_fails_with_hint():
    result = check.ex_4_2_2_clip(lambda g, C: C * g / g.norm(dim=1, keepdim=True))
    assert not result
    assert "Rows shorter than C" in result.message


def test_4_2_2_clip_whole_batch_fails_with_hint():
    result = check.ex_4_2_2_clip(lambda g, C: g / max(1.0, float(g.norm()) / C))
    assert not result
    assert "each row" in result.message


def test_4_2_2_clip_zero_row_and_errors_are_reported():
    def unsafe(g, C):  # divides by the norm even when it is 0
        norms = g.norm(dim=1, keepdim=True)
        return torch.where(norms > C, g * C / norms, g * (norms / norms))

    result = check.ex_4_2_2_clip(unsafe)
    assert not result and "do not divide" in result.message
    result = check.ex_4_2_2_clip(lambda g, C: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


# ---------------------------------------------------------------- 4.3.1
def _grams(text, n):
    w = text.split()
    return Counter(tuple(w[i : i + n]) for i in range(len(w) - n + 1))


def clipped_precision(reference, hypothesis, n):
    ref, hyp = _grams(reference, n), _grams(hypothesis, n)
    return sum(min(k, ref[g]) for g, k in hyp.items()), sum(hyp.values())


def test_4_3_1_clipped_precision_reference_passes():
    result = check.ex_4_3_1_clipped_precision(clipped_precision)
    assert result
    assert "cases" in result.message


def test_4_3_1_clipped_precision_unclipped_fails_with_hint():
    def unclipped(reference, hypothesis, n):
        ref, hyp = _grams(reference, n), _grams(hypothesis, n)
        return sum(k for g, k in hyp.items() if g in ref), sum(hyp.values())

    result = check.ex_4_3_1_clipped_precision(unclipped)
    assert not result
    assert "expected (2, 7)" in result.message
    assert "at most as often" in result.message


def test_4_3_1_clipped_precision_ratio_and_errors_are_reported():
    def ratio(reference, hypothesis, n):
        m, t = clipped_precision(reference, hypothesis, n)
        return m / t

    result = check.ex_4_3_1_clipped_precision(ratio)
    assert not result and "pair (matches, total)" in result.message
    result = check.ex_4_3_1_clipped_precision(lambda r, h, n: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


# ---------------------------------------------------------------- 4.3.2
def kappa(a, b):
    a, b = np.asarray(a), np.asarray(b)
    p_o = np.mean(a == b)
    p_e = sum(np.mean(a == k) * np.mean(b == k) for k in range(1, 6))
    return (p_o - p_e) / (1 - p_e)


def test_4_3_2_cohen_kappa_reference_passes():
    result = check.ex_4_3_2_cohen_kappa(kappa)
    assert result
    assert "cohen_kappa" in result.message


def test_4_3_2_cohen_kappa_raw_agreement_fails_with_hint():
    result = check.ex_4_3_2_cohen_kappa(lambda a, b: np.mean(np.equal(a, b)))
    assert not result
    assert result.message.startswith("for a = [1, 2, 3, 4, 5, 5]")
    assert "raw agreement" in result.message


def test_4_3_2_cohen_kappa_wrong_chance_term_fails():
    def uniform_chance(a, b):  # p_e = 1/5, as if scores were uniform
        p_o = np.mean(np.equal(a, b))
        return (p_o - 0.2) / 0.8

    result = check.ex_4_3_2_cohen_kappa(uniform_chance)
    assert not result and "expected" in result.message


def test_every_part_4_check_is_exported_and_tested():
    exported = {n for n in check.__all__ if n.startswith("ex_4_")}
    assert set(challenges.__all__) == exported
    tested = set(re.findall(r"check\.(ex_4_\w+)", Path(__file__).read_text()))
    assert exported <= tested, f"untested: {sorted(exported - tested)}"
