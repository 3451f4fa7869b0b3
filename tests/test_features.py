"""Tests of slmsurvey.speech.features against librosa, plus properties and gradcheck."""

import librosa
import numpy as np
import pytest
import torch

from slmsurvey.speech.features import (
    feature_lengths,
    log_mel_spectrogram,
    mel_filterbank,
    mfcc,
    pad_batch,
    power_to_db,
    stft,
)

# Shapes: B batch, T samples, F frequency bins, N frames, M mel bands, K cepstra.

SR = 16000
# float64 agreement with librosa: both sides do the same float64 arithmetic, up to
# FFT rounding (pocketfft vs torch's); differences seen are ~1e-13 relative.
RTOL, ATOL = 1e-9, 1e-9


def _random_wave(seed, shape, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=dtype)


def _sine(freq, T=SR, sr=SR, dtype=torch.float64):
    return torch.sin(2 * torch.pi * freq * torch.arange(T, dtype=dtype) / sr)


def _signals():
    return {
        "noise": _random_wave(0, (3, 4000)),
        "sine": torch.stack([_sine(440.0, 4000), _sine(1234.5, 4000)]),
    }


# --- STFT -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["noise", "sine"])
@pytest.mark.parametrize(
    "n_fft, hop_length, win_length, window, center, pad_mode",
    [
        (400, 160, None, "hann", True, "reflect"),
        (512, 128, 400, "hann", True, "constant"),
        (256, 100, None, "hamming", False, "reflect"),
        (255, 64, 200, "hann", True, "reflect"),
        (64, 64, None, "boxcar", True, "constant"),
    ],
)
def test_stft_matches_librosa(
    kind, n_fft, hop_length, win_length, window, center, pad_mode
):
    x = _signals()[kind]
    X = stft(
        x,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    expected = librosa.stft(
        x.numpy(),
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    assert X.dtype == torch.complex128
    assert X.shape == expected.shape
    np.testing.assert_allclose(X.numpy(), expected, rtol=RTOL, atol=ATOL)


def test_stft_float32_matches_librosa():
    x = _random_wave(1, (2, 3000), dtype=torch.float32)
    X = stft(x)
    expected = librosa.stft(x.numpy(), n_fft=400, hop_length=160, pad_mode="reflect")
    assert X.dtype == torch.complex64
    np.testing.assert_allclose(X.numpy(), expected, rtol=1e-4, atol=1e-4)


def test_stft_batched_equals_per_item():
    x = _random_wave(2, (4, 2000))
    X = stft(x)
    for b in range(4):
        torch.testing.assert_close(X[b], stft(x[b]), rtol=0, atol=1e-12)


def test_stft_sine_peaks_at_its_bin():
    # 1000 Hz at 16 kHz with n_fft=400: bins are 40 Hz apart, so bin 25
    X = stft(_sine(1000.0))
    assert X.shape == (201, 101)
    # (the two edge frames see the reflection's kink at t = 0 and t = T)
    assert bool((X[:, 1:-1].abs().argmax(dim=0) == 25).all())


# --- mel filterbank ---------------------------------------------------------


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None])
@pytest.mark.parametrize(
    "n_mels, n_fft, sr, f_min, f_max",
    [
        (80, 400, 16000, 0.0, None),
        (128, 2048, 22050, 0.0, None),
        (40, 512, 16000, 20.0, 7600.0),
        (26, 257, 8000, 300.0, 3400.0),
    ],
)
def test_mel_filterbank_matches_librosa(htk, norm, n_mels, n_fft, sr, f_min, f_max):
    W = mel_filterbank(
        n_mels, n_fft, sr, f_min=f_min, f_max=f_max, htk=htk, norm=norm,
        dtype=torch.float64,
    )  # fmt: skip
    expected = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max, htk=htk,
        norm=norm, dtype=np.float64,
    )  # fmt: skip
    assert W.shape == expected.shape == (n_mels, n_fft // 2 + 1)
    np.testing.assert_allclose(W.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_mel_filterbank_default_dtype_and_unit_peaks():
    W = mel_filterbank(40, 2048, 16000, norm=None)
    assert W.dtype == torch.float32
    # fine FFT grid: every triangle is sampled close to its apex
    assert torch.allclose(W.max(dim=1).values, torch.ones(40), atol=0.1)
    assert bool((W.max(dim=1).values <= 1.0).all())


# --- log-mel and MFCC -------------------------------------------------------


@pytest.mark.parametrize("kind", ["noise", "sine"])
@pytest.mark.parametrize(
    "kw",
    [
        dict(n_fft=400, hop_length=160, n_mels=80),
        dict(n_fft=512, hop_length=128, n_mels=64, power=1.0, htk=True, norm=None),
        dict(n_fft=400, hop_length=160, n_mels=40, f_min=50.0, f_max=7000.0),
        dict(n_fft=256, hop_length=64, n_mels=32, win_length=200, pad_mode="constant"),
    ],
)
def test_log_mel_matches_librosa(kind, kw):
    x = _signals()[kind]
    eps = 1e-10
    S = log_mel_spectrogram(x, SR, eps=eps, **kw)
    lib_kw = dict(kw)
    for ours, theirs in (("f_min", "fmin"), ("f_max", "fmax")):
        if ours in lib_kw:
            lib_kw[theirs] = lib_kw.pop(ours)
    lib_kw.setdefault("pad_mode", "reflect")
    # dtype=float64 reaches librosa.filters.mel (its default mel basis is float32)
    mel = librosa.feature.melspectrogram(y=x.numpy(), sr=SR, dtype=np.float64, **lib_kw)
    expected = np.log(mel + eps)
    assert S.shape == expected.shape
    np.testing.assert_allclose(S.numpy(), expected, rtol=1e-9, atol=1e-8)


def test_log_mel_float32_close_to_float64():
    x = _random_wave(3, (2, 4000))
    S32 = log_mel_spectrogram(x.float(), SR)
    S64 = log_mel_spectrogram(x, SR)
    assert S32.dtype == torch.float32
    torch.testing.assert_close(S32.double(), S64, rtol=0, atol=1e-3)


def test_log_mel_sine_peaks_at_the_right_band():
    W = mel_filterbank(80, 400, SR, dtype=torch.float64)
    for freq in (200.0, 1000.0, 3000.0):  # all on FFT bins (40 Hz apart)
        S = log_mel_spectrogram(_sine(freq), SR)
        band = int(S.mean(-1).argmax())
        assert band == int(W[:, int(freq / 40)].argmax())
        # the band's triangle contains freq
        assert W[band, int(freq / 40)] > 0


def test_log_mel_batched_equals_per_item():
    x = _random_wave(4, (3, 3000))
    S = log_mel_spectrogram(x, SR)
    for b in range(3):
        torch.testing.assert_close(
            S[b], log_mel_spectrogram(x[b], SR), rtol=0, atol=1e-12
        )


def test_log_mel_gradcheck():
    x = _random_wave(5, (2, 64)).requires_grad_()
    kw = dict(n_fft=16, hop_length=4, n_mels=4, eps=1e-6)
    assert torch.autograd.gradcheck(lambda x: log_mel_spectrogram(x, 800, **kw), (x,))
    kw1 = dict(kw, power=1.0, pad_mode="constant")
    assert torch.autograd.gradcheck(lambda x: log_mel_spectrogram(x, 800, **kw1), (x,))


@pytest.mark.parametrize("kind", ["noise", "sine"])
@pytest.mark.parametrize(
    "kw",
    [
        dict(n_mfcc=13, n_mels=40, n_fft=400, hop_length=160),
        dict(n_mfcc=20, n_mels=128, n_fft=2048, hop_length=512, htk=True),
        dict(n_mfcc=13, n_mels=26, n_fft=512, hop_length=160, f_min=20.0),
    ],
)
def test_mfcc_matches_librosa(kind, kw):
    x = _signals()[kind]
    c = mfcc(x, SR, **kw)
    lib_kw = {("fmin" if k == "f_min" else k): v for k, v in kw.items()}
    expected = librosa.feature.mfcc(
        y=x.numpy(), sr=SR, pad_mode="reflect", dtype=np.float64, **lib_kw
    )
    assert c.shape == expected.shape
    # dB values are O(100); the top-dB clip is per item (= librosa on one signal),
    # so compare item by item when librosa's clip spans the batch
    for b in range(x.shape[0]):
        one = librosa.feature.mfcc(
            y=x[b].numpy(), sr=SR, pad_mode="reflect", dtype=np.float64, **lib_kw
        )
        np.testing.assert_allclose(c[b].numpy(), one, rtol=1e-9, atol=1e-8)


def test_mfcc_without_clip_is_a_scaled_dct_of_log_mel():
    # no clipping, amin below every mel value: c = DCT(10 log10 S) = 10/ln10 DCT(ln S)
    x = _random_wave(6, (2, 3000))
    c = mfcc(x, SR, n_mfcc=40, n_mels=40, top_db=float("inf"))
    S = log_mel_spectrogram(x, SR, n_mels=40, eps=1e-300)
    M = 40
    k, j = np.arange(M)[:, None], np.arange(M)[None, :]
    C = np.sqrt(2 / M) * np.cos(np.pi * k * (2 * j + 1) / (2 * M))
    C[0] /= np.sqrt(2)
    np.testing.assert_allclose(C @ C.T, np.eye(M), atol=1e-12)  # orthonormal
    expected = 10 / np.log(10) * (C @ S.numpy())
    np.testing.assert_allclose(c.numpy(), expected, rtol=1e-9, atol=1e-8)


def test_power_to_db_matches_librosa():
    g = np.random.default_rng(7)
    S = g.exponential(size=(30, 20)) * 10.0 ** g.uniform(-14, 2, size=(30, 20))
    for ref, amin, top_db in (
        (1.0, 1e-10, 80.0),
        (3.0, 1e-5, 40.0),
        (1.0, 1e-10, None),
    ):
        ours = power_to_db(
            torch.from_numpy(S), ref=ref, amin=amin,
            top_db=float("inf") if top_db is None else top_db,
        )  # fmt: skip
        expected = librosa.power_to_db(S, ref=ref, amin=amin, top_db=top_db)
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12, atol=1e-10)


# --- lengths and padding ----------------------------------------------------


@pytest.mark.parametrize("T", [201, 399, 400, 401, 1600, 4321])
def test_feature_lengths_match_stft(T):
    x = torch.zeros(T, dtype=torch.float64)
    assert stft(x).shape[-1] == feature_lengths(T, 160)
    if T >= 400:
        X = stft(x, center=False)
        assert X.shape[-1] == feature_lengths(T, 160, center=False, n_fft=400)


def test_pad_batch_and_feature_lengths_mask_the_padding():
    waves = [_random_wave(s, (T,)) for s, T in enumerate((1000, 2500, 1777))]
    padded, lengths = pad_batch(waves)
    assert padded.shape == (3, 2500)
    assert lengths.tolist() == [1000, 2500, 1777]
    for b, w in enumerate(waves):
        torch.testing.assert_close(padded[b, : len(w)], w, rtol=0, atol=0)
        assert bool((padded[b, len(w) :] == 0).all())
    S = log_mel_spectrogram(padded, SR)
    N = feature_lengths(lengths, 160)
    assert N.tolist() == [log_mel_spectrogram(w, SR).shape[-1] for w in waves]
    for b, w in enumerate(waves):
        alone = log_mel_spectrogram(w, SR)
        # frames whose window lies inside the item are unaffected by the padding
        inside = (len(w) - 200) // 160 + 1
        torch.testing.assert_close(
            S[b, :, :inside], alone[:, :inside], atol=1e-9, rtol=0
        )


# --- bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: stft(np.zeros(1000)), TypeError, "x must be a torch.Tensor"),
        (lambda: stft([0.0] * 1000), TypeError, "x must be a torch.Tensor"),
        (lambda: stft(torch.zeros(1000, dtype=torch.int64)), TypeError, "float32"),
        (lambda: stft(torch.zeros(1000, dtype=torch.float16)), TypeError, "float32"),
        (lambda: stft(torch.tensor(1.0)), ValueError, r"shape \(T,\) or \(B, T\)"),
        (lambda: stft(torch.zeros(2, 2, 1000)), ValueError, r"shape \(T,\) or"),
        (lambda: stft(torch.zeros(2, 0)), ValueError, r"shape \(T,\) or"),
        (
            lambda: stft(torch.tensor([0.0, float("nan")] * 500)),
            ValueError,
            "x contains NaN",
        ),
        (lambda: stft(torch.zeros(1000), n_fft=1), ValueError, "n_fft must be at"),
        (lambda: stft(torch.zeros(1000), n_fft=400.0), TypeError, "n_fft must be an"),
        (lambda: stft(torch.zeros(1000), hop_length=0), ValueError, "hop_length"),
        (lambda: stft(torch.zeros(1000), hop_length=401), ValueError, "hop_length"),
        (
            lambda: stft(torch.zeros(1000), win_length=300, hop_length=301),
            ValueError,
            "hop_length must be <= win_length=300",
        ),
        (lambda: stft(torch.zeros(1000), win_length=401), ValueError, "win_length"),
        (lambda: stft(torch.zeros(1000), window="kaiser"), ValueError, "window"),
        (lambda: stft(torch.zeros(1000), pad_mode="edge"), ValueError, "pad_mode"),
        (lambda: stft(torch.zeros(200)), ValueError, "reflect padding"),
        (lambda: stft(torch.zeros(399), center=False), ValueError, "fewer than"),
        (lambda: mel_filterbank(0, 400, SR), ValueError, "n_mels must be at least"),
        (lambda: mel_filterbank(-3, 400, SR), ValueError, "n_mels must be at least"),
        (lambda: mel_filterbank(80, 400, 0), ValueError, "sample_rate must be"),
        (lambda: mel_filterbank(80, 400, "16k"), TypeError, "sample_rate must be"),
        (lambda: mel_filterbank(80, 400, SR, f_max=8001.0), ValueError, "f_max must"),
        (lambda: mel_filterbank(80, 400, SR, f_min=-1.0), ValueError, "f_min must"),
        (
            lambda: mel_filterbank(80, 400, SR, f_min=4000.0, f_max=3000.0),
            ValueError,
            "f_min must be < f_max",
        ),
        (lambda: mel_filterbank(80, 400, SR, norm="l2"), ValueError, "norm must"),
        (
            lambda: log_mel_spectrogram(torch.zeros(1000), SR, eps=0.0),
            ValueError,
            "eps",
        ),
        (
            lambda: log_mel_spectrogram(torch.zeros(1000), SR, power=-1.0),
            ValueError,
            "power must",
        ),
        (
            lambda: log_mel_spectrogram(torch.zeros(1000), SR, n_mels=0),
            ValueError,
            "n_mels must",
        ),
        (
            lambda: log_mel_spectrogram(torch.zeros(1000), SR, fmax=4000.0),
            TypeError,
            r"unexpected keyword argument\(s\) \['fmax'\]",
        ),
        (lambda: mfcc(torch.zeros(1000), SR, n_mfcc=41), ValueError, "n_mfcc must"),
        (lambda: mfcc(torch.zeros(1000), SR, n_mfcc=0), ValueError, "n_mfcc must"),
        (lambda: power_to_db(np.ones((2, 2))), TypeError, "S must be a floating"),
        (lambda: power_to_db(torch.ones(3)), ValueError, r"S must have shape"),
        (lambda: power_to_db(-torch.ones(2, 2)), ValueError, "S must be non-negative"),
        (lambda: power_to_db(torch.ones(2, 2), amin=0.0), ValueError, "amin must"),
        (lambda: power_to_db(torch.ones(2, 2), ref=-1.0), ValueError, "ref must"),
        (lambda: power_to_db(torch.ones(2, 2), top_db=-1.0), ValueError, "top_db"),
        (lambda: power_to_db(torch.ones(2, 2), top_db=None), TypeError, "top_db"),
        (
            lambda: power_to_db(torch.ones(2, 2), top_db=float("nan")),
            ValueError,
            "top_db must be >= 0",
        ),
        (lambda: feature_lengths(0, 160), ValueError, "num_samples must be at least"),
        (lambda: feature_lengths(1000, 0), ValueError, "hop_length must be at least"),
        (
            lambda: feature_lengths(torch.tensor([1000, 0]), 160),
            ValueError,
            "num_samples must be >= 1",
        ),
        (
            lambda: feature_lengths(torch.tensor([1000.0]), 160),
            TypeError,
            "num_samples must hold integers",
        ),
        (
            lambda: feature_lengths(1000, 160, center=False),
            ValueError,
            "n_fft is required",
        ),
        (
            lambda: feature_lengths(300, 160, center=False, n_fft=400),
            ValueError,
            "num_samples must be >= n_fft=400",
        ),
        (lambda: pad_batch(torch.zeros(2, 10)), TypeError, "waves must be a list"),
        (lambda: pad_batch([]), ValueError, "at least one waveform"),
        (
            lambda: pad_batch([torch.zeros(2, 10)]),
            ValueError,
            r"waves\[0\] must be 1-D",
        ),
        (
            lambda: pad_batch([torch.zeros(5), np.zeros(5)]),
            TypeError,
            r"waves\[1\] must be a torch.Tensor",
        ),
        (
            lambda: pad_batch([torch.zeros(5), torch.zeros(5, dtype=torch.float64)]),
            TypeError,
            r"waves\[1\] is torch.float64",
        ),
        (
            lambda: pad_batch([torch.zeros(5), torch.tensor([1.0, float("inf")])]),
            ValueError,
            r"waves\[1\] contains NaN",
        ),
    ],
)
def test_bad_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()
