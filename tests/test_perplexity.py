"""perplexity(): the survey's base-2 formula, base invariance, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slmsurvey.metrics import perplexity


def test_uniform_model_has_perplexity_of_its_vocabulary():
    assert perplexity([math.log2(1 / 10)] * 7) == pytest.approx(10)


def test_worked_example():
    # P = 1/2, 1/4, 1/8: mean log2 = -2, so PPL = 4
    assert perplexity([-1.0, -2.0, -3.0]) == pytest.approx(4.0)


@given(st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=30))
def test_same_probabilities_in_base_2_and_e_give_same_perplexity(probs):
    p = np.array(probs)
    assert perplexity(np.log2(p)) == pytest.approx(
        perplexity(np.log(p), base=math.e), rel=1e-9
    )
    assert perplexity(np.log10(p), base=10) == pytest.approx(
        perplexity(np.log2(p)), rel=1e-9
    )


def test_zero_probability_gives_infinity():
    assert perplexity([-1.0, -math.inf]) == math.inf


def test_returns_python_float():
    assert type(perplexity(np.array([-1.0]))) is float


@pytest.mark.parametrize(
    ("log_probs", "kwargs", "match"),
    [
        ([], {}, "non-empty"),
        ([[-1.0]], {}, "1-D"),
        ([-1.0, float("nan")], {}, "NaN"),
        ([-1.0, 0.5], {}, r"probabilities in \[0, 1\]"),
        ([-1.0], {"base": 1}, "base must be positive"),
        ([-1.0], {"base": -2}, "base must be positive"),
    ],
)
def test_bad_input(log_probs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        perplexity(log_probs, **kwargs)
