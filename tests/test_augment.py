"""Tests of slmsurvey.speech.augment: exact SNR, resampling, synthetic reverb."""

import numpy as np
import pytest
import torch

from slmsurvey.speech.augment import (
    add_noise,
    reverberate,
    room_impulse_response,
    schroeder_rt60,
    snr_db,
    speed_perturb,
)

# Shapes: T samples, T_out resampled samples, T_h impulse-response length.

SR = 16000


def _speechlike(seed, T=SR, dtype=np.float64):
    """Amplitude-modulated harmonic signal: a cheap stand-in for a vowel."""
    g = np.random.default_rng(seed)
    t = np.arange(T) / SR
    f0 = g.uniform(100, 200)
    x = sum(np.sin(2 * np.pi * h * f0 * t + g.uniform(0, 6)) / h for h in range(1, 8))
    return (x * (1 + np.sin(2 * np.pi * 3 * t))).astype(dtype)


def _tone(freq, T=SR):
    return np.sin(2 * np.pi * freq * np.arange(T) / SR)


def _peak_hz(x):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spectrum) * SR / len(x)


# --- add_noise / snr_db -----------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", [-5.0, 0.0, 5.0, 10.0, 20.0, 30.0])
@pytest.mark.parametrize("seed", range(5))
def test_add_noise_hits_the_snr(dtype, target, seed):
    x = _speechlike(seed, dtype=dtype)
    y = add_noise(x, target, seed)
    assert y.dtype == dtype and y.shape == x.shape
    measured = snr_db(x, y)
    assert abs(measured - target) < 0.1
    # the gain uses the realised noise, so it is exact up to rounding
    assert abs(measured - target) < (1e-4 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("target", [-5.0, 3.0, 30.0])
def test_add_noise_with_given_noise_recording(target):
    g = np.random.default_rng(0)
    brown = np.cumsum(g.standard_normal(3 * SR))  # coloured, longer than the wave
    x = _speechlike(1)
    y = add_noise(x, target, 1, noise=brown)
    assert abs(snr_db(x, y) - target) < 1e-9
    # the added noise is a scaled window of the recording
    n = y - x
    # where n[0] : n[1] = brown[s] : brown[s + 1], then check the whole window
    same = np.isclose(n[1] * brown[:-1], n[0] * brown[1:], rtol=1e-9, atol=0)
    starts = [s for s in np.flatnonzero(same) if s + SR <= len(brown)]
    fits = [s for s in starts if np.allclose(n, n[0] / brown[s] * brown[s : s + SR])]
    assert len(fits) == 1


def test_add_noise_is_deterministic_and_pure():
    x = _speechlike(2)
    x_before = x.copy()
    a, b = add_noise(x, 5.0, 42), add_noise(x, 5.0, np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, add_noise(x, 5.0, 43))
    np.testing.assert_array_equal(x, x_before)


def test_snr_db_hand_worked():
    x = np.array([1.0, -1.0, 1.0, -1.0])
    assert snr_db(x, x + 0.1) == pytest.approx(20.0, abs=1e-12)
    assert snr_db(x, 2 * x) == pytest.approx(0.0, abs=1e-12)  # noise = x
    assert snr_db(x, x.copy()) == float("inf")


# --- speed_perturb ----------------------------------------------------------


@pytest.mark.parametrize("method", ["sinc", "linear"])
@pytest.mark.parametrize("factor", [0.5, 0.9, 1.0, 1.1, 1.5, 2.0])
@pytest.mark.parametrize("T", [1, 2, 1000, 16001])
def test_speed_perturb_length(method, factor, T):
    y = speed_perturb(np.ones(T), factor, method=method)
    assert y.shape == (int((T - 1) // factor) + 1,)
    assert abs(len(y) - T / factor) <= 1 / factor + 1e-9  # T / factor, to 2 samples


@pytest.mark.parametrize("method", ["sinc", "linear"])
def test_speed_perturb_identity(method):
    x = _speechlike(3, dtype=np.float32)
    y = speed_perturb(x, 1.0, method=method)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x)
    assert y is not x


@pytest.mark.parametrize("factor", [0.9, 1.1, 0.75, 1.3])
def test_speed_perturb_matches_the_resampled_tone(factor):
    # y[n] = x(n factor): a band-limited tone can be resampled exactly
    freq = 300.0
    y = speed_perturb(_tone(freq), factor)
    expected = np.sin(2 * np.pi * freq * factor * np.arange(len(y)) / SR)
    interior = slice(64, len(y) - 64)  # away from the zero padding at the ends
    np.testing.assert_allclose(y[interior], expected[interior], atol=2e-3)
    lin = speed_perturb(_tone(freq), factor, method="linear")
    np.testing.assert_allclose(lin, expected, atol=5e-3)  # (2 pi f / f_s)^2 / 8


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_perturb_shifts_pitch(factor):
    y = speed_perturb(_tone(1000.0), factor)
    assert _peak_hz(y) == pytest.approx(1000.0 * factor, abs=2.0)


def test_speed_perturb_sinc_does_not_alias():
    # 7.5 kHz sped up by 1.2 would be 9 kHz, above the 8 kHz Nyquist limit
    x = _tone(7500.0)
    sinc = speed_perturb(x, 1.2)
    lin = speed_perturb(x, 1.2, method="linear")
    interior = slice(200, -200)
    assert np.sqrt(np.mean(sinc[interior] ** 2)) < 0.02  # low-passed away
    assert np.sqrt(np.mean(lin[interior] ** 2)) > 0.05  # aliased to 7 kHz
    assert _peak_hz(lin) == pytest.approx(SR - 9000.0, abs=5.0)


# --- room impulse response and reverberation --------------------------------


@pytest.mark.parametrize("rt60", [0.2, 0.5, 1.0])
@pytest.mark.parametrize("seed", range(3))
def test_rir_decays_with_the_requested_rt60(rt60, seed):
    h = room_impulse_response(rt60, SR, rng=seed)
    assert h.shape == (int(np.ceil(rt60 * SR)),)
    assert np.sum(h**2) == pytest.approx(1.0, rel=1e-12)
    assert schroeder_rt60(h, SR) == pytest.approx(rt60, rel=0.1)
    assert schroeder_rt60(h, SR, db_range=(-5, -35)) == pytest.approx(rt60, rel=0.1)


def test_schroeder_on_a_noise_free_exponential():
    # E(t) of a pure exponential is exponential too, so the estimate is exact
    # up to the truncation at -120 dB
    t = np.arange(2 * SR) / SR
    h = 10.0 ** (-3 * t / 1.0)
    assert schroeder_rt60(h, SR) == pytest.approx(1.0, rel=1e-3)


def test_rir_is_deterministic_and_length_can_be_set():
    a = room_impulse_response(0.4, SR, rng=7, length=1000)
    b = room_impulse_response(0.4, SR, rng=np.random.default_rng(7), length=1000)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (1000,)
    assert not np.array_equal(a, room_impulse_response(0.4, SR, rng=8, length=1000))


def test_reverberate_is_truncated_linear_convolution():
    x = _speechlike(4, T=3000)
    h = room_impulse_response(0.1, SR, rng=0)
    y = reverberate(x, h, preserve=None)
    np.testing.assert_allclose(y, np.convolve(x, h)[: len(x)], rtol=0, atol=1e-10)
    assert reverberate(x, np.array([1.0]), preserve=None) == pytest.approx(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reverberate_keeps_length_and_level(dtype):
    x = _speechlike(5, dtype=dtype)
    h = room_impulse_response(0.5, SR, rng=1)
    rms = reverberate(x, h)
    peak = reverberate(x, h, preserve="peak")
    assert rms.shape == peak.shape == x.shape and rms.dtype == dtype
    assert np.sqrt(np.mean(rms.astype(float) ** 2)) == pytest.approx(
        np.sqrt(np.mean(x.astype(float) ** 2)), rel=1e-5
    )
    assert np.max(np.abs(peak)) == pytest.approx(np.max(np.abs(x)), rel=1e-5)
    np.testing.assert_array_equal(reverberate(np.zeros(100), h), np.zeros(100))


def test_reverberation_spreads_energy_in_time():
    # a 20 ms burst: dry, nothing after it; reverberant, a decaying tail
    x = np.zeros(SR)
    x[:320] = _tone(1000.0, 320)
    y = reverberate(x, room_impulse_response(0.5, SR, rng=2))
    after = slice(320, None)
    assert np.sum(x[after] ** 2) == 0
    tail = np.sum(y[after] ** 2) / np.sum(y**2)
    assert tail > 0.5
    # and the tail decays: the last 100 ms hold far less than the first 100 ms
    assert np.sum(y[320:1920] ** 2) > 100 * np.sum(y[-1600:] ** 2)


# --- bad input --------------------------------------------------------------


X = _speechlike(0, T=1000)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: add_noise(list(X), 5.0, 0), TypeError, "wave must be a numpy array"),
        (
            lambda: add_noise(torch.from_numpy(X), 5.0, 0),
            TypeError,
            r"wave must be a numpy array, got Tensor \(for a torch tensor",
        ),
        (lambda: add_noise(X.astype(int), 5.0, 0), TypeError, "wave must be float32"),
        (lambda: add_noise(X[None], 5.0, 0), ValueError, "wave must be 1-D"),
        (
            lambda: add_noise(X[:0], 5.0, 0),
            ValueError,
            "wave must be 1-D and non-empty",
        ),
        (lambda: add_noise(np.zeros(100), 5.0, 0), ValueError, "wave is silent"),
        (
            lambda: add_noise(np.array([1.0, np.nan]), 5.0, 0),
            ValueError,
            "wave contains NaN",
        ),
        (
            lambda: add_noise(np.array([1.0, np.inf]), 5.0, 0),
            ValueError,
            "wave contains NaN or infinite",
        ),
        (lambda: add_noise(X, float("nan"), 0), ValueError, "snr_db must be finite"),
        (lambda: add_noise(X, float("inf"), 0), ValueError, "snr_db must be finite"),
        (lambda: add_noise(X, "10", 0), TypeError, "snr_db must be a real number"),
        (lambda: add_noise(X, 5.0, "seed"), TypeError, "rng must be a numpy Generator"),
        (lambda: add_noise(X, 5.0, 0.5), TypeError, "rng must be"),
        (
            lambda: add_noise(X, 5.0, 0, noise=np.ones(999)),
            ValueError,
            "noise has 999 samples, wave has 1000",
        ),
        (
            lambda: add_noise(X, 5.0, 0, noise=np.zeros(2000)),
            ValueError,
            "noise is silent",
        ),
        (
            lambda: add_noise(X, 5.0, 0, noise=np.full(2000, np.nan)),
            ValueError,
            "noise contains NaN",
        ),
        (lambda: snr_db(np.zeros(10), np.ones(10)), ValueError, "clean is silent"),
        (lambda: snr_db(np.ones(10), np.ones(11)), ValueError, "differ in shape"),
        (lambda: snr_db(np.ones(10), [1.0] * 10), TypeError, "noisy must be a numpy"),
        (lambda: speed_perturb(X, 0.4), ValueError, r"factor must lie in \[0.5, 2\]"),
        (lambda: speed_perturb(X, 2.5), ValueError, r"factor must lie in \[0.5, 2\]"),
        (lambda: speed_perturb(X, 0.0), ValueError, "factor must lie in"),
        (lambda: speed_perturb(X, -1.0), ValueError, "factor must lie in"),
        (lambda: speed_perturb(X, float("nan")), ValueError, "factor must be finite"),
        (lambda: speed_perturb(X, None), TypeError, "factor must be a real number"),
        (lambda: speed_perturb(X, 1.1, method="cubic"), ValueError, "method must"),
        (lambda: speed_perturb(X[None], 1.1), ValueError, "wave must be 1-D"),
        (lambda: room_impulse_response(0.0, SR, rng=0), ValueError, "rt60 must lie"),
        (lambda: room_impulse_response(11.0, SR, rng=0), ValueError, "rt60 must lie"),
        (lambda: room_impulse_response(-0.5, SR, rng=0), ValueError, "rt60 must lie"),
        (
            lambda: room_impulse_response(float("inf"), SR, rng=0),
            ValueError,
            "rt60 must be finite",
        ),
        (lambda: room_impulse_response(0.3, 0, rng=0), ValueError, "sample_rate must"),
        (
            lambda: room_impulse_response(0.3, SR, rng=0, length=0),
            ValueError,
            "length must be at least 1",
        ),
        (
            lambda: room_impulse_response(0.3, SR, rng=0, length=10.0),
            TypeError,
            "length must be an int",
        ),
        (lambda: room_impulse_response(0.3, SR, rng=[1]), TypeError, "rng must be"),
        (lambda: schroeder_rt60(np.zeros(100), SR), ValueError, "rir is silent"),
        (
            lambda: schroeder_rt60(np.ones(100), SR),
            ValueError,
            "rir does not decay to -25",
        ),
        (
            lambda: schroeder_rt60(np.ones(100), SR, db_range=(-25, -5)),
            ValueError,
            "db_range must satisfy",
        ),
        (lambda: schroeder_rt60(np.ones(100), -1.0), ValueError, "sample_rate must"),
        (lambda: reverberate(X, np.zeros(10)), ValueError, "rir is silent"),
        (lambda: reverberate(X, np.ones((2, 5))), ValueError, "rir must be 1-D"),
        (lambda: reverberate(X, np.ones(5), preserve="max"), ValueError, "preserve"),
        (
            lambda: reverberate(np.array([1.0, 0.0]), np.array([0.0, 0.0, 1.0])),
            ValueError,
            "reverberant output is silent",
        ),
        (lambda: reverberate(X.tolist(), np.ones(5)), TypeError, "wave must be"),
    ],
)
def test_bad_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()
