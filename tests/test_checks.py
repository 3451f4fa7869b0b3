"""The shared argument checks: what passes, and the message of each failure."""

import numpy as np
import pytest

from slmsurvey._checks import check_int, check_real, check_wave


def test_valid_values_pass_through():
    wave = np.zeros(4, dtype=np.float32)
    assert check_wave(wave) is wave
    assert check_int(np.int64(3), "n", 1) == 3
    assert check_real(2, "x", low=0.0, open_low=True) == 2.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: check_wave([0.0]), TypeError, "wave must be a numpy array"),
        (lambda: check_wave(np.arange(3)), TypeError, "float32 or float64"),
        (lambda: check_wave(np.zeros((2, 2))), ValueError, "1-D and non-empty"),
        (lambda: check_wave(np.zeros(0)), ValueError, "1-D and non-empty"),
        (
            lambda: check_wave(np.zeros(3), "x", min_length=4, what="n_fft=4"),
            ValueError,
            "x has 3 samples, fewer than n_fft=4",
        ),
        (lambda: check_wave(np.array([np.inf])), ValueError, "NaN or infinite"),
        (lambda: check_int(True, "n", 0), TypeError, "n must be an int"),
        (lambda: check_int(0, "n", 1), ValueError, "n must be at least 1"),
        (lambda: check_real("1", "x"), TypeError, "x must be a real number"),
        (lambda: check_real(float("nan"), "x"), ValueError, "x must be finite"),
        (lambda: check_real(-1, "x", low=0.0), ValueError, "finite and >= 0"),
        (lambda: check_real(0, "x", low=0.0, open_low=True), ValueError, "> 0"),
    ],
)
def test_each_failure_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
