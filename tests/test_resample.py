"""Polyphase windowed-sinc resampling, against scipy and librosa."""

import math

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from slmsurvey.speech.resample import resample, resample_filter

RATE_PAIRS = [
    (22050, 16000),
    (16000, 22050),
    (16000, 8000),
    (8000, 16000),
    (44100, 16000),
    (48000, 44100),
    (3, 7),
]


def _tone_mix(sr, seconds=1.0, seed=0, f_max=6000.0):
    """A sum of ten random sines below f_max Hz: band-limited, known content."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    freqs = rng.uniform(50, f_max, 10)
    return sum(
        rng.uniform(0.05, 0.2) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
        for f in freqs
    )


@pytest.mark.parametrize(("orig_sr", "target_sr"), RATE_PAIRS)
@pytest.mark.parametrize("length", [1, 7, 1000, 10007])
def test_matches_scipy_resample_poly_on_noise(orig_sr, target_sr, length):
    x = np.random.default_rng(length).standard_normal(length)
    g = math.gcd(orig_sr, target_sr)
    expected = resample_poly(x, target_sr // g, orig_sr // g)
    np.testing.assert_allclose(
        resample(x, orig_sr, target_sr), expected, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(("orig_sr", "target_sr"), RATE_PAIRS[:4])
def test_float32_stays_float32_and_close_to_float64(orig_sr, target_sr):
    x = _tone_mix(orig_sr, 0.5)
    y32 = resample(x.astype(np.float32), orig_sr, target_sr)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, resample(x, orig_sr, target_sr), atol=1e-5)


@pytest.mark.parametrize(("orig_sr", "target_sr"), RATE_PAIRS[:5])
def test_matches_librosa_polyphase(orig_sr, target_sr):
    x = _tone_mix(orig_sr, 0.5, seed=1)
    expected = librosa.resample(
        x, orig_sr=orig_sr, target_sr=target_sr, res_type="polyphase"
    )
    np.testing.assert_allclose(
        resample(x, orig_sr, target_sr), expected, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("res_type", ["soxr_hq", "fft"])
def test_agrees_with_other_resamplers_on_band_limited_signal(res_type):
    # A different filter (soxr) or method (FFT) agrees in the passband to the
    # ripple of our Kaiser filter; compare away from the edges.
    x = _tone_mix(22050, 1.0, seed=2)
    ours = resample(x, 22050, 16000)
    theirs = librosa.resample(x, orig_sr=22050, target_sr=16000, res_type=res_type)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours[500:-500], theirs[500:-500], rtol=0, atol=3e-3)


@pytest.mark.parametrize("freq", [100.0, 440.0, 1000.0, 3000.0, 6000.0])
def test_sine_below_nyquist_keeps_frequency_and_amplitude(freq):
    sr0, sr1, amp = 22050, 16000, 0.7
    x = amp * np.sin(2 * np.pi * freq * np.arange(sr0) / sr0)
    y = resample(x, sr0, sr1)
    expected = amp * np.sin(2 * np.pi * freq * np.arange(sr1) / sr1)
    assert np.abs(y - expected)[500:-500].max() < 1e-3
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    assert np.argmax(spectrum) * sr1 / len(y) == pytest.approx(freq, abs=1.0)


def test_tone_above_new_nyquist_is_removed_not_aliased():
    # 10 kHz cannot exist at 16 kHz; without the filter it would alias to 6 kHz.
    x = np.sin(2 * np.pi * 10000 * np.arange(22050) / 22050)
    y = resample(x, 22050, 16000)
    assert np.sqrt(np.mean(y[500:-500] ** 2)) < 2e-3  # from 0.707: below -50 dB


def test_longer_filter_attenuates_the_transition_band_more():
    x = np.sin(2 * np.pi * 9000 * np.arange(22050) / 22050)
    rms = [
        np.sqrt(np.mean(resample(x, 22050, 16000, zeros=z, beta=b)[500:-500] ** 2))
        for z, b in [(10, 5.0), (64, 8.0)]
    ]
    assert rms[1] < rms[0] / 10


def test_round_trip_recovers_band_limited_signal():
    x = _tone_mix(16000, 1.0, seed=3)
    back = resample(resample(x, 16000, 22050), 22050, 16000)
    assert back.shape == x.shape
    assert np.abs(back - x)[500:-500].max() < 5e-3


def test_constant_signal_keeps_its_level():
    y = resample(np.full(4000, 0.25), 16000, 22050)
    np.testing.assert_allclose(y[200:-200], 0.25, atol=1e-3)


def test_batch_equals_rows():
    x = np.random.default_rng(4).standard_normal((3, 2205))
    y = resample(x, 22050, 16000)
    assert y.shape == (3, 1600)
    for row, expected in zip(y, x, strict=True):
        np.testing.assert_allclose(row, resample(expected, 22050, 16000), atol=1e-12)


def test_equal_rates_return_a_copy():
    x = np.random.default_rng(5).standard_normal(100).astype(np.float32)
    y = resample(x, 16000, 16000)
    assert y is not x and y.dtype == np.float32
    np.testing.assert_array_equal(y, x)


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(1, 400),
    orig_sr=st.integers(1, 300),
    target_sr=st.integers(1, 300),
)
def test_output_length_is_ceil_of_ratio(length, orig_sr, target_sr):
    y = resample(np.ones(length), orig_sr, target_sr)
    assert len(y) == math.ceil(length * target_sr / orig_sr)
    assert len(y) == len(resample_poly(np.ones(length), target_sr, orig_sr))


def test_filter_is_symmetric_with_dc_gain_L():
    h, L, M = resample_filter(16000, 22050)
    assert (L, M) == (441, 320)
    np.testing.assert_allclose(h, h[::-1])
    assert h.sum() == pytest.approx(L)


_GOOD = np.zeros(10)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: resample(_GOOD, 0, 16000), ValueError, "orig_sr must be positive"),
        (lambda: resample(_GOOD, 16000, -8000), ValueError, "target_sr must be pos"),
        (lambda: resample(_GOOD, 16000.0, 8000), TypeError, "orig_sr must be an int"),
        (lambda: resample(_GOOD, 16000, True), TypeError, "target_sr must be an int"),
        (lambda: resample([0.0, 1.0], 2, 1), TypeError, "wave must be a numpy array"),
        (lambda: resample(np.zeros(4, np.int16), 2, 1), TypeError, "float32 or"),
        (lambda: resample(np.zeros((2, 2, 2)), 2, 1), ValueError, "1-D .* or 2-D"),
        (lambda: resample(np.float64(1.0), 2, 1), TypeError, "numpy array"),
        (lambda: resample(np.zeros(()), 2, 1), ValueError, "got ndim=0"),
        (lambda: resample(np.zeros(0), 2, 1), ValueError, "wave is empty"),
        (lambda: resample(np.array([0.0, np.nan]), 2, 1), ValueError, "NaN or inf"),
        (lambda: resample(np.array([np.inf, 0.0]), 2, 1), ValueError, "NaN or inf"),
        (lambda: resample(_GOOD, 2, 1, zeros=0), ValueError, "zeros must be at"),
        (lambda: resample(_GOOD, 2, 1, zeros=2.5), TypeError, "zeros must be an int"),
        (lambda: resample(_GOOD, 2, 1, beta=-1.0), ValueError, "beta must be"),
        (lambda: resample(_GOOD, 2, 1, beta=np.nan), ValueError, "beta must be"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
