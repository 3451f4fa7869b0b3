"""Tests of the self-check of chapter 5.1.2 (slmsurvey.check.embeddings)."""

import pytest
import torch

from slmsurvey.check._core import Result
from slmsurvey.check.embeddings import ex_5_1_2_band_scores
from slmsurvey.nn.local_attention import local_attention_mask


def brute(T, w):
    return int(local_attention_mask(T, w).sum())


def closed_form(T, w):
    w = min(w, T - 1)
    return T * (2 * w + 1) - w * (w + 1)


@pytest.mark.parametrize("answer", [brute, closed_form])
def test_reference_answers_pass(answer):
    result = ex_5_1_2_band_scores(answer)
    assert isinstance(result, Result)
    assert result, result.message
    assert "7 cases" in result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda T, w: T * (2 * w + 1), "first and last positions"),
        (lambda T, w: T * T, "full attention"),
        (lambda T, w: T * (w + 1) - w * (w + 1) // 2, "both sides"),
        (lambda T, w: closed_form(T, w) - T, "scores itself"),
        (lambda T, w: T * (2 * w + 1) - w * (w + 1), "expected"),  # w > T - 1
    ],
)
def test_wrong_answers_fail_with_a_hint(wrong, hint):
    result = ex_5_1_2_band_scores(wrong)
    assert not result
    assert hint in result.message
    assert result.message.startswith("for T = ")


def test_errors_and_non_numbers_are_reported():
    def raises(T, w):
        raise ZeroDivisionError("oops")

    result = ex_5_1_2_band_scores(raises)
    assert not result and "ZeroDivisionError: oops" in result.message
    assert not ex_5_1_2_band_scores(lambda T, w: "many")
    assert not ex_5_1_2_band_scores(42)
    assert ex_5_1_2_band_scores(lambda T, w: torch.tensor(brute(T, w)))
