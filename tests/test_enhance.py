"""Tests of slmsurvey.speech.enhance: inverse STFT, spectral subtraction, Wiener."""

import math

import numpy as np
import pytest
import torch

from slmsurvey.speech.augment import add_noise, snr_db
from slmsurvey.speech.enhance import (
    istft,
    noise_power,
    spectral_subtraction,
    spectral_subtraction_gain,
    wiener_filter,
    wiener_gain,
)
from slmsurvey.speech.features import stft
from slmsurvey.speech.tts import synthesize

# Shapes: T samples, F frequency bins, N frames.

SR = 16000
LEAD = SR // 4  # 250 ms of leading silence: room for the noise estimate
METHODS = {"spectral subtraction": spectral_subtraction, "wiener": wiener_filter}


@pytest.fixture(scope="module")
def speech():
    """Two synthetic sentences by two voices, after 250 ms of silence."""
    texts = [
        ("the dog often chases a small cat", "en-us"),
        ("turn the lights off in the kitchen", "en-gb-scotland+f3"),
    ]
    return [
        np.concatenate([np.zeros(LEAD), synthesize(t, voice=v).astype(np.float64)])
        for t, v in texts
    ]


# --- istft ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "kw",
    [
        {},  # stft's defaults: 400 / 160, Hann, centred
        {"n_fft": 512, "hop_length": 128},
        {"n_fft": 256, "hop_length": 64, "win_length": 200},
        {"n_fft": 400, "hop_length": 200, "window": "hamming"},
        {"n_fft": 64, "hop_length": 32, "window": "boxcar"},
        {"n_fft": 400, "hop_length": 100, "window": "hamming", "center": False},
    ],
)
@pytest.mark.parametrize("T", [16000, 12345])
def test_istft_inverts_stft(dtype, kw, T):
    g = torch.Generator().manual_seed(T)
    x = torch.randn(T, generator=g, dtype=dtype)  # (T,)
    if kw.get("center") is False:  # then only L + (N - 1) H samples are covered
        L, H = kw["n_fft"], kw["hop_length"]
        x = x[: L + (T - L) // H * H]
    X = stft(x, **kw)  # (F, N)
    y = istft(X, **kw, length=x.shape[0])  # (T,)
    assert y.dtype == dtype and y.shape == x.shape
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    assert torch.allclose(y, x, atol=tol, rtol=0)


def test_istft_default_length_and_batch():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 1600, generator=g, dtype=torch.float64)  # (B, T)
    y = istft(stft(x))  # (B, (N - 1) H): T is a multiple of H here
    assert y.shape == x.shape
    assert torch.allclose(y, x, atol=1e-12)
    for b in range(3):  # batched equals per item
        assert torch.equal(y[b], istft(stft(x[b])))


def test_istft_pads_with_zeros_past_the_last_frame():
    x = torch.randn(1600, dtype=torch.float64)
    y = istft(stft(x), length=2000)  # the last frame ends at 1600 + 200
    assert torch.allclose(y[:1600], x, atol=1e-12)
    assert torch.allclose(y[1600:1800], x.flip(0)[1:201], atol=1e-12)  # reflected
    assert torch.all(y[1800:] == 0)


@pytest.mark.parametrize("center", [True, False])
def test_istft_matches_torch_on_a_modified_stft(center):
    """Least-squares overlap-add of an STFT that no signal has: torch.istft."""
    g = torch.Generator().manual_seed(1)
    X = torch.randn(201, 50, generator=g, dtype=torch.complex128)  # (F, N)
    X[0].imag, X[-1].imag = 0, 0  # DC and Nyquist bins of a real signal
    kw = dict(n_fft=400, hop_length=100, center=center)
    window = torch.hamming_window(400, periodic=True, dtype=torch.float64)
    ours = istft(X, **kw, window="hamming")
    ref = torch.istft(X, **kw, window=window)
    assert ours.shape == ref.shape
    assert torch.allclose(ours, ref, atol=1e-12)


def test_istft_matches_librosa():
    librosa = pytest.importorskip("librosa")
    g = np.random.default_rng(2)
    X = g.standard_normal((257, 40)) + 1j * g.standard_normal((257, 40))
    X[0].imag, X[-1].imag = 0, 0
    ref = librosa.istft(X, n_fft=512, hop_length=128, window="hann", length=5000)
    ours = istft(torch.from_numpy(X), n_fft=512, hop_length=128, length=5000)
    assert np.allclose(ours.numpy(), ref, atol=1e-10)


@pytest.mark.parametrize(
    "kw",
    [
        {"n_fft": 400, "hop_length": 400},  # Hann frames touch at their zeros
        {"n_fft": 400, "hop_length": 100, "center": False},  # w[0] = 0 at t = 0
    ],
)
def test_istft_rejects_windows_that_do_not_overlap_add(kw):
    X = stft(torch.randn(4000), **kw)
    with pytest.raises(ValueError, match="nonzero overlap-add"):
        istft(X, **kw)


def test_istft_bad_input():
    X = stft(torch.randn(4000))
    with pytest.raises(TypeError, match="X must be a complex"):
        istft(X.abs())
    with pytest.raises(TypeError, match="X must be a complex"):
        istft(X.numpy())
    with pytest.raises(ValueError, match="n_fft=512"):
        istft(X, n_fft=512)
    with pytest.raises(ValueError, match="X must have shape"):
        istft(X[None, None])
    bad = X.clone()
    bad[3, 3] = complex(math.nan, 0)
    with pytest.raises(ValueError, match="X contains NaN"):
        istft(bad)
    with pytest.raises(ValueError, match="win_length"):
        istft(X, win_length=401)
    with pytest.raises(ValueError, match="window"):
        istft(X, window="kaiser")
    with pytest.raises(ValueError, match="length"):
        istft(X, length=0)
    with pytest.raises(TypeError, match="hop_length"):
        istft(X, hop_length=1.5)


# --- noise estimate and gains -------------------------------------------------


def test_noise_power_of_white_noise():
    """E|Y|^2 = sigma^2 sum_m w[m]^2 = 3 L sigma^2 / 8 for a periodic Hann."""
    sigma = 0.1
    d = sigma * np.random.default_rng(0).standard_normal(4 * SR)
    lam = noise_power(d, SR, noise_estimate=d)
    assert lam.shape == (257,)
    interior = lam[5:-5]  # away from DC and Nyquist (real bins: twice the power)
    assert abs(interior.mean() / (3 * 512 / 8 * sigma**2) - 1) < 0.02


def test_noise_power_uses_only_the_leading_frames():
    g = np.random.default_rng(1)
    y = g.standard_normal(SR)
    K = 11  # the frames that end within 100 ms: 1 + (1600 - 256) // 128
    default = noise_power(y, SR)
    assert np.array_equal(default, noise_power(y, SR, noise_frames=K))
    y2 = y.copy()
    y2[(K - 1) * 128 + 256 :] = 100.0  # after the last noise frame
    assert np.array_equal(noise_power(y2, SR), default)
    Y = stft(torch.from_numpy(y), n_fft=512, hop_length=128)
    assert np.allclose(default, (Y[:, :K].abs() ** 2).mean(-1).numpy())


def test_spectral_subtraction_gain_by_hand():
    P = np.array([[4.0, 1.0, 0.0]])
    G = spectral_subtraction_gain(P, np.array([1.0]), alpha=2.0, beta=0.04)
    assert np.allclose(G, [[math.sqrt(2 / 4), math.sqrt(0.04), 0.0]])


def test_wiener_ml_gain_is_the_square_of_power_subtraction():
    """xi = gamma - 1 gives G = (gamma - 1) / gamma = g_ss^2 (alpha=1, beta=0)."""
    g = np.random.default_rng(3)
    P, lam = g.exponential(size=(65, 30)) * 3, g.uniform(0.5, 2, size=65)
    G_w = wiener_gain(P, lam, prior="ml", xi_min_db=-300)
    G_ss = spectral_subtraction_gain(P, lam, alpha=1.0, beta=0.0)
    assert np.allclose(G_w, G_ss**2, atol=1e-12)


def test_decision_directed_recursion():
    g = np.random.default_rng(4)
    P, lam = g.exponential(size=(9, 20)), g.uniform(0.5, 2, size=9)
    a, xi_min = 0.9, 10 ** (-2.0)
    G = wiener_gain(P, lam, smoothing=a, xi_min_db=-20.0)
    gamma = P / lam[:, None]
    for n in range(20):  # eq. (51) of Ephraim & Malah, written per frame
        prev = G[:, n - 1] ** 2 * gamma[:, n - 1] if n else 0.0
        xi = np.maximum(a * prev + (1 - a) * np.maximum(gamma[:, n] - 1, 0), xi_min)
        assert np.allclose(G[:, n], xi / (1 + xi))
    assert np.all((G >= xi_min / (1 + xi_min) - 1e-15) & (G < 1))
    # no smoothing is the maximum-likelihood estimate
    G0 = wiener_gain(P, lam, smoothing=0.0, xi_min_db=-20.0)
    assert np.allclose(G0, wiener_gain(P, lam, prior="ml", xi_min_db=-20.0))


def test_wiener_gain_passes_bins_without_noise():
    G = wiener_gain(np.array([[1.0, 2.0], [1.0, 2.0]]), np.array([0.0, 1.0]))
    assert np.all(G[0] == 1.0) and np.all(G[1] < 1.0)


# --- enhancement ---------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("snr", [0.0, 5.0, 10.0])
def test_enhancement_raises_the_snr_of_speech(speech, method, snr):
    for k, clean in enumerate(speech):
        noisy = add_noise(clean, snr, rng=k)
        enhanced = METHODS[method](noisy, SR)
        gain = snr_db(clean, enhanced) - snr_db(clean, noisy)
        assert gain > 2.0, (method, snr, k, gain)


@pytest.mark.parametrize("method", METHODS)
def test_enhancement_with_a_separate_noise_recording(speech, method):
    """No leading silence: the noise comes from a recording of its own."""
    clean = speech[0][LEAD:]
    g = np.random.default_rng(5)
    noise = g.standard_normal(clean.shape[0] + SR)
    noisy = add_noise(clean, 5.0, rng=g, noise=noise)
    scale = np.std(noisy - clean) / np.std(noise)
    enhanced = METHODS[method](noisy, SR, noise_estimate=scale * noise[-SR:])
    assert snr_db(clean, enhanced) > snr_db(clean, noisy) + 2.0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("T", [512, 1001, 16000, 16001])
def test_output_keeps_length_and_dtype(method, dtype, T):
    x = np.random.default_rng(T).standard_normal(T).astype(dtype)
    y = METHODS[method](x, SR, noise_frames=1)
    assert y.shape == x.shape and y.dtype == dtype
    assert np.isfinite(y).all()


@pytest.mark.parametrize("method", METHODS)
def test_silence_in_silence_out(method):
    assert np.array_equal(METHODS[method](np.zeros(SR), SR), np.zeros(SR))
    hiss = 1e-4 * np.random.default_rng(6).standard_normal(SR)  # noise only
    out = METHODS[method](hiss, SR)
    assert np.sqrt(np.mean(out**2)) < 0.5 * np.sqrt(np.mean(hiss**2))


@pytest.mark.parametrize("method", METHODS)
def test_clean_input_with_silent_noise_estimate_passes_through(speech, method):
    clean = speech[1]
    out = METHODS[method](clean, SR, noise_estimate=np.zeros(SR))
    assert snr_db(clean, out) > 60


def test_more_over_subtraction_removes_more_noise():
    hiss = np.random.default_rng(7).standard_normal(SR)
    energy = [
        np.sum(spectral_subtraction(hiss, SR, alpha=a, beta=0.0) ** 2)
        for a in (1.0, 2.0, 4.0)
    ]
    assert energy[0] > energy[1] > energy[2]


# --- bad input -----------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_bad_signals(method):
    fn, good = METHODS[method], np.zeros(SR)
    nan = good.copy()
    nan[100] = math.nan
    with pytest.raises(ValueError, match="noisy contains NaN"):
        fn(nan, SR)
    inf = good.copy()
    inf[5] = math.inf
    with pytest.raises(ValueError, match="noisy contains NaN or infinite"):
        fn(inf, SR)
    with pytest.raises(ValueError, match="noisy has 300 samples, fewer than n_fft"):
        fn(np.zeros(300), SR)
    with pytest.raises(TypeError, match="noisy must be a numpy array"):
        fn(torch.zeros(SR), SR)
    with pytest.raises(TypeError, match="noisy must be float32 or float64"):
        fn(np.zeros(SR, dtype=np.int16), SR)
    with pytest.raises(ValueError, match="noisy must be 1-D"):
        fn(np.zeros((2, SR)), SR)
    with pytest.raises(ValueError, match="sample_rate must be positive"):
        fn(good, 0)
    with pytest.raises(ValueError, match="noise_frames must be at least 1"):
        fn(good, SR, noise_frames=0)
    with pytest.raises(ValueError, match="noise_frames=500 exceeds"):
        fn(good, SR, noise_frames=500)
    with pytest.raises(ValueError, match="not both"):
        fn(good, SR, noise_frames=3, noise_estimate=good)
    with pytest.raises(ValueError, match="noise_estimate contains NaN"):
        fn(good, SR, noise_estimate=nan)
    with pytest.raises(ValueError, match="noise_estimate has 10 samples"):
        fn(good, SR, noise_estimate=np.zeros(10))
    with pytest.raises(ValueError, match="hop_length must be < n_fft"):
        fn(good, SR, hop_length=512)
    with pytest.raises(TypeError, match="n_fft must be an int"):
        fn(good, SR, n_fft=512.0)


@pytest.mark.parametrize(
    "kw, error, match",
    [
        ({"alpha": 0.5}, ValueError, "alpha must be >= 1"),
        ({"alpha": math.nan}, ValueError, "alpha must be finite"),
        ({"alpha": "2"}, TypeError, "alpha must be a real number"),
        ({"beta": -0.1}, ValueError, r"beta must lie in \[0, 1\)"),
        ({"beta": 1.0}, ValueError, r"beta must lie in \[0, 1\)"),
        ({"beta": math.inf}, ValueError, "beta must be finite"),
    ],
)
def test_spectral_subtraction_bad_options(kw, error, match):
    with pytest.raises(error, match=match):
        spectral_subtraction(np.zeros(SR), SR, **kw)


@pytest.mark.parametrize(
    "kw, error, match",
    [
        ({"prior": "mmse"}, ValueError, "prior must be"),
        ({"smoothing": 1.0}, ValueError, r"smoothing must lie in \[0, 1\)"),
        ({"smoothing": -0.1}, ValueError, r"smoothing must lie in \[0, 1\)"),
        ({"xi_min_db": 3.0}, ValueError, "xi_min_db must be <= 0"),
        ({"xi_min_db": None}, TypeError, "xi_min_db must be a real number"),
    ],
)
def test_wiener_filter_bad_options(kw, error, match):
    with pytest.raises(error, match=match):
        wiener_filter(np.zeros(SR), SR, **kw)


def test_gain_functions_bad_input():
    P, lam = np.ones((3, 4)), np.ones(3)
    with pytest.raises(ValueError, match="noise has 2 bins, P_Y has 3"):
        spectral_subtraction_gain(P, np.ones(2))
    with pytest.raises(ValueError, match="P_Y must be finite and non-negative"):
        wiener_gain(-P, lam)
    with pytest.raises(ValueError, match="P_Y must have 2 dimension"):
        wiener_gain(np.ones(3), lam)
    with pytest.raises(TypeError, match="noise must be a float numpy array"):
        spectral_subtraction_gain(P, [1.0, 1.0, 1.0])
