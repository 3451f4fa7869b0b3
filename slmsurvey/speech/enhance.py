r"""Single-channel speech enhancement: spectral subtraction and the Wiener filter.

Both methods work on the short-time Fourier transform of the noisy signal
:math:`y = s + d` (speech plus additive noise), where, frame by frame, the
powers add on average: :math:`\mathbb E|Y|^2 = |S|^2 + \lambda_D`. They
estimate the noise power spectrum :math:`\lambda_D[f]` from frames without
speech, scale every time-frequency bin by a real gain
:math:`0 \le G[f, n]`, keep the noisy phase, and return to a waveform with
:func:`istft` (weighted overlap-add):

- :func:`spectral_subtraction` subtracts the noise power, with
  over-subtraction and a spectral floor (Boll 1979; Berouti et al. 1979);
- :func:`wiener_filter` applies the Wiener gain :math:`\xi / (1 + \xi)` with
  the a-priori SNR :math:`\xi` estimated by Ephraim and Malah's
  decision-directed rule, or by the simpler maximum-likelihood rule.

The gains (:func:`spectral_subtraction_gain`, :func:`wiener_gain`) and the
noise estimate (:func:`noise_power`) are public, so each equation can be
checked on its own. Waveforms are 1-D numpy arrays (float32 or float64, as in
:mod:`slmsurvey.speech.augment`); results keep the input's length and dtype.

References
----------
Boll (1979), "Suppression of acoustic noise in speech using spectral
subtraction", IEEE TASSP 27(2).
Berouti, Schwartz & Makhoul (1979), "Enhancement of speech corrupted by
acoustic noise", ICASSP (over-subtraction and spectral floor).
Ephraim & Malah (1984), "Speech enhancement using a minimum mean-square error
short-time spectral amplitude estimator", IEEE TASSP 32(6).
Griffin & Lim (1984), "Signal estimation from modified short-time Fourier
transform", IEEE TASSP 32(2) (least-squares overlap-add).
"""

# Shapes: ... batch dims (none or B), T samples, N frames, L n_fft (frame size),
#         F frequency bins n_fft // 2 + 1, T_pad = L + (N - 1) H samples.

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as torch_F

from slmsurvey._checks import check_int, check_real, check_wave
from slmsurvey.speech.features import stft, stft_window

__all__ = [
    "istft",
    "noise_power",
    "spectral_subtraction",
    "spectral_subtraction_gain",
    "wiener_filter",
    "wiener_gain",
]

_NOISE_SECONDS = 0.1  # default noise estimate: frames within the first 100 ms


def _check_power(P: object, name: str, ndim: int) -> np.ndarray:
    if not isinstance(P, np.ndarray) or not np.issubdtype(P.dtype, np.floating):
        raise TypeError(f"{name} must be a float numpy array, got {type(P).__name__}")
    if P.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {P.shape}")
    if not np.isfinite(P).all() or (P < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    return P.astype(np.float64)


def istft(
    X: torch.Tensor,
    *,
    n_fft: int = 400,
    hop_length: int = 160,
    win_length: int | None = None,
    window: str = "hann",
    center: bool = True,
    length: int | None = None,
) -> torch.Tensor:
    r"""Inverse of :func:`~slmsurvey.speech.features.stft`: weighted overlap-add.

    .. math::

        \hat x[t] = \frac{\sum_n w[t - nH]\, y_n[t - nH]}
                         {\sum_n w[t - nH]^2}, \qquad
        y_n[m] = \frac{1}{L} \sum_{k=0}^{L-1} X[k, n]\, e^{2\pi i k m / L},

    where :math:`y_n` is the inverse DFT of frame :math:`n` (the bins above
    :math:`L/2` are the conjugates of those below). Of all signals, this
    :math:`\hat x` has the STFT closest to :math:`X` in the least-squares
    sense (Griffin & Lim 1984), so for an unmodified STFT it returns the
    signal exactly. The denominator must not vanish anywhere in the output
    (the *nonzero overlap-add* condition); otherwise a ``ValueError`` is
    raised, as ``torch.istft`` does. With ``center=True``, the :math:`\lfloor
    L/2 \rfloor` padded samples at each end are dropped.

    Parameters
    ----------
    X : torch.Tensor, complex, shape (..., F, N)
        STFT with :math:`F = \lfloor L/2 \rfloor + 1` bins.
    n_fft, hop_length, win_length, window, center
        As given to :func:`~slmsurvey.speech.features.stft`.
    length : int, optional
        Output length :math:`T`: trimmed, or zero-padded past the last
        frame. Default :math:`(N - 1) H` (``center``) or
        :math:`L + (N - 1) H`.

    Returns
    -------
    torch.Tensor, real, shape (..., T)
        float32 for complex64 input, float64 for complex128.

    References
    ----------
    Griffin & Lim (1984), IEEE TASSP 32(2), eq. (6).

    Examples
    --------
    >>> x = torch.randn(16000, dtype=torch.float64)
    >>> y = istft(stft(x), length=16000)
    >>> bool(torch.allclose(x, y))
    True
    """
    if not isinstance(X, torch.Tensor) or not X.is_complex():
        raise TypeError(f"X must be a complex torch.Tensor, got {type(X).__name__}")
    if X.ndim not in (2, 3) or X.shape[-1] == 0:
        raise ValueError(f"X must have shape (F, N) or (B, F, N), got {tuple(X.shape)}")
    if not bool(torch.isfinite(torch.view_as_real(X)).all()):
        raise ValueError("X contains NaN or infinite values")
    L = check_int(n_fft, "n_fft", 2)
    if X.shape[-2] != L // 2 + 1:
        raise ValueError(f"X has {X.shape[-2]} bins but n_fft={L} needs {L // 2 + 1}")
    W = L if win_length is None else check_int(win_length, "win_length", 1)
    if W > L:
        raise ValueError(f"win_length must be <= n_fft={L}, got {W}")
    H = check_int(hop_length, "hop_length", 1)
    N = X.shape[-1]
    T_pad = L + (N - 1) * H
    start = L // 2 if center else 0
    T = T_pad - 2 * start if length is None else check_int(length, "length", 1)

    real = torch.float64 if X.dtype == torch.complex128 else torch.float32
    w = stft_window(L, W, window, dtype=real)  # (L,); checks the window name
    batch = X.shape[:-2]
    Xb = X.reshape(-1, L // 2 + 1, N)  # (B, F, N)
    frames = torch.fft.irfft(Xb.transpose(-2, -1), n=L, dim=-1) * w  # (B, N, L)
    # overlap-add: fold puts frame n at samples nH .. nH + L - 1
    fold = dict(output_size=(1, T_pad), kernel_size=(1, L), stride=(1, H))
    y = torch_F.fold(frames.transpose(1, 2), **fold)  # (B, 1, 1, T_pad)
    w2 = (w**2)[None, :, None].expand(1, L, N)  # (1, L, N)
    norm = torch_F.fold(w2, **fold)  # (1, 1, 1, T_pad): sum_n w[t - nH]^2
    y, norm = y[:, 0, 0, start:], norm[0, 0, 0, start:]  # (B, T_pad - start)
    keep = min(T, y.shape[-1])
    y, norm = y[:, :keep], norm[:keep]
    if keep and float(norm.min()) <= 1e-11 * float(norm.max()):
        raise ValueError(
            f"window={window!r} with hop_length={H} (win_length={W}) breaks the "
            "nonzero overlap-add condition: some samples get no window weight"
        )
    x_hat = torch_F.pad(y / norm, (0, T - keep))  # (B, T)
    return x_hat.reshape(*batch, T)


def _frames_to_noise(noise_frames, N, sample_rate, L, H) -> int:
    if noise_frames is None:  # the frames that end within the first 100 ms
        return max(1, 1 + math.floor((_NOISE_SECONDS * sample_rate - L / 2) / H))
    K = check_int(noise_frames, "noise_frames", 1)
    if K > N:
        raise ValueError(f"noise_frames={K} exceeds the {N} frames of noisy")
    return K


def noise_power(
    noisy: np.ndarray,
    sample_rate: float,
    *,
    noise_frames: int | None = None,
    noise_estimate: np.ndarray | None = None,
    n_fft: int = 512,
    hop_length: int = 128,
) -> np.ndarray:
    r"""Noise power spectrum :math:`\hat\lambda_D[f]`, averaged over frames.

    .. math::

        \hat\lambda_D[f] = \frac{1}{K} \sum_{n=0}^{K-1} |Y[f, n]|^2,

    over the first :math:`K` = ``noise_frames`` frames of the noisy STFT
    :math:`Y` (assumed to hold no speech), or over every frame of the STFT of
    ``noise_estimate``, a recording of the noise alone. By default :math:`K`
    counts the frames that end within the first 100 ms (at least one).

    Parameters
    ----------
    noisy : numpy.ndarray, shape (T,)
    sample_rate : float
        In Hz (sets the default :math:`K`).
    noise_frames : int, optional
    noise_estimate : numpy.ndarray, shape (T_noise,), optional
        Not together with ``noise_frames``.
    n_fft, hop_length : int
        STFT frame :math:`L` and hop :math:`H` (Hann window, centred frames).

    Returns
    -------
    numpy.ndarray of float64, shape (F,)

    Examples
    --------
    >>> g = np.random.default_rng(0)
    >>> lam = noise_power(g.standard_normal(16000), 16000)
    >>> lam.shape, round(float(np.median(lam)) / 192, 1)  # sum of w^2: 3L/8
    ((257,), 1.0)
    """
    f_s = check_real(sample_rate, "sample_rate")
    if f_s <= 0:
        raise ValueError(f"sample_rate must be positive, got {f_s}")
    L = check_int(n_fft, "n_fft", 2)
    H = check_int(hop_length, "hop_length", 1)
    if H >= L:
        raise ValueError(f"hop_length must be < n_fft={L}, got {H}")
    y = check_wave(noisy, "noisy", min_length=L, what=f"n_fft={L}")
    if noise_estimate is not None:
        if noise_frames is not None:
            raise ValueError("give noise_frames or noise_estimate, not both")
        d = check_wave(
            noise_estimate, "noise_estimate", min_length=L, what=f"n_fft={L}"
        )
        D = stft(torch.from_numpy(d.astype(np.float64)), n_fft=L, hop_length=H)
        return (D.abs() ** 2).mean(-1).numpy()  # (F,)
    N = 1 + y.shape[0] // H
    K = _frames_to_noise(noise_frames, N, f_s, L, H)
    pad = min(y.shape[0], (K - 1) * H + L)  # enough samples for K frames
    Y = stft(torch.from_numpy(y[:pad].astype(np.float64)), n_fft=L, hop_length=H)
    return (Y[:, :K].abs() ** 2).mean(-1).numpy()  # (F,)


def spectral_subtraction_gain(
    P_Y: np.ndarray, noise: np.ndarray, *, alpha: float = 2.0, beta: float = 0.01
) -> np.ndarray:
    r"""Amplitude gain of power spectral subtraction with a floor.

    .. math::

        |\hat S[f, n]|^2 = \max\big(|Y[f, n]|^2 - \alpha \hat\lambda_D[f],\;
                                    \beta \hat\lambda_D[f]\big), \qquad
        G[f, n] = \frac{|\hat S[f, n]|}{|Y[f, n]|}

    :math:`\alpha \ge 1` over-subtracts (removing more than the average
    noise power clears most of the random peaks that would otherwise sound
    as "musical noise"); the floor :math:`\beta \in [0, 1)` keeps a little
    broadband noise, which masks those peaks. Boll's original rule is
    :math:`\alpha = 1` with amplitudes in place of powers; the two
    refinements are Berouti et al.'s. Where :math:`|Y| = 0`, :math:`G = 0`.

    Parameters
    ----------
    P_Y : numpy.ndarray, shape (F, N)
        Noisy power :math:`|Y|^2`.
    noise : numpy.ndarray, shape (F,)
        :math:`\hat\lambda_D`, e.g. from :func:`noise_power`.
    alpha, beta : float
        Over-subtraction :math:`\alpha \ge 1` and floor :math:`0 \le \beta < 1`.

    Returns
    -------
    numpy.ndarray of float64, shape (F, N)

    Examples
    --------
    >>> spectral_subtraction_gain(np.array([[4.0, 1.0]]), np.array([1.0]),
    ...                           alpha=2.0, beta=0.04).tolist()
    [[0.7071067811865476, 0.2]]
    """
    P, lam = _check_power(P_Y, "P_Y", 2), _check_power(noise, "noise", 1)
    if lam.shape[0] != P.shape[0]:
        raise ValueError(f"noise has {lam.shape[0]} bins, P_Y has {P.shape[0]}")
    a, b = check_real(alpha, "alpha"), check_real(beta, "beta")
    if a < 1:
        raise ValueError(f"alpha must be >= 1 (over-subtraction), got {a}")
    if not 0 <= b < 1:
        raise ValueError(f"beta must lie in [0, 1) (spectral floor), got {b}")
    lam = lam[:, None]  # (F, 1)
    S2 = np.maximum(P - a * lam, b * lam)  # (F, N) eq. (spectral subtraction)
    with np.errstate(divide="ignore", invalid="ignore"):
        G = np.sqrt(S2 / P)  # (F, N)
    return np.where(P > 0, G, 0.0)


def wiener_gain(
    P_Y: np.ndarray,
    noise: np.ndarray,
    *,
    prior: str = "decision-directed",
    smoothing: float = 0.98,
    xi_min_db: float = -25.0,
) -> np.ndarray:
    r"""Wiener gain :math:`G = \xi / (1 + \xi)` from an a-priori SNR estimate.

    With the a-posteriori SNR :math:`\gamma[f, n] = |Y[f, n]|^2 /
    \hat\lambda_D[f]`, the a-priori SNR :math:`\xi = |S|^2 / \lambda_D` is
    estimated frame by frame as

    .. math::

        \hat\xi[f, n] = \max\Big(a\, \frac{G[f, n-1]^2\, |Y[f, n-1]|^2}
                                        {\hat\lambda_D[f]}
                        + (1 - a) \max(\gamma[f, n] - 1, 0),\;
                        \xi_{\min}\Big), \qquad
        G[f, n] = \frac{\hat\xi[f, n]}{1 + \hat\xi[f, n]},

    ``prior="decision-directed"`` (Ephraim & Malah 1984, eq. 51; the first
    term is zero for :math:`n = 0`): the previous frame's clean estimate
    :math:`|\hat S|^2 = G^2 |Y|^2` is mixed with the instantaneous
    estimate, which smooths :math:`\hat\xi` over time and suppresses musical
    noise. ``prior="ml"`` drops the first term (:math:`a = 0`): the
    maximum-likelihood estimate :math:`\max(\gamma - 1, \xi_{\min})` of
    each bin on its own. The floor :math:`\xi_{\min}` (in dB) bounds the
    attenuation at :math:`\xi_{\min} / (1 + \xi_{\min})`.

    Parameters
    ----------
    P_Y : numpy.ndarray, shape (F, N)
        Noisy power :math:`|Y|^2`.
    noise : numpy.ndarray, shape (F,)
        :math:`\hat\lambda_D`; bins where it is 0 pass unchanged.
    prior : {"decision-directed", "ml"}
    smoothing : float
        :math:`a \in [0, 1)`, for the decision-directed prior.
    xi_min_db : float
        :math:`10 \log_{10} \xi_{\min}`, at most 0 dB.

    Returns
    -------
    numpy.ndarray of float64, shape (F, N)

    Examples
    --------
    >>> P_Y, noise = np.array([[2.0, 5.0]]), np.array([1.0])
    >>> wiener_gain(P_Y, noise, prior="ml").tolist()  # xi = 1, then 4
    [[0.5, 0.8]]
    """
    P, lam = _check_power(P_Y, "P_Y", 2), _check_power(noise, "noise", 1)
    if lam.shape[0] != P.shape[0]:
        raise ValueError(f"noise has {lam.shape[0]} bins, P_Y has {P.shape[0]}")
    if prior not in ("decision-directed", "ml"):
        raise ValueError(f"prior must be 'decision-directed' or 'ml', got {prior!r}")
    a = check_real(smoothing, "smoothing")
    if not 0 <= a < 1:
        raise ValueError(f"smoothing must lie in [0, 1), got {a}")
    floor_db = check_real(xi_min_db, "xi_min_db")
    if floor_db > 0:
        raise ValueError(f"xi_min_db must be <= 0 dB, got {floor_db}")
    xi_min = 10 ** (floor_db / 10)
    if prior == "ml":
        a = 0.0
    silent = lam == 0  # (F,): no noise, nothing to remove
    lam = np.where(silent, 1.0, lam)[:, None]  # (F, 1)
    gamma = P / lam  # (F, N) a-posteriori SNR
    G = np.empty_like(P)  # (F, N)
    S2_prev = np.zeros(P.shape[0])  # (F,) |S_hat[f, n - 1]|^2
    for n in range(P.shape[1]):
        ml = np.maximum(gamma[:, n] - 1, 0)  # (F,)
        xi = np.maximum(a * S2_prev / lam[:, 0] + (1 - a) * ml, xi_min)  # (F,)
        G[:, n] = xi / (1 + xi)  # eq. (Wiener gain)
        S2_prev = G[:, n] ** 2 * P[:, n]
    G[silent] = 1.0
    return G


def _enhance(noisy, sample_rate, gain_fn, noise_frames, noise_estimate, L, H):
    lam = noise_power(
        noisy, sample_rate, noise_frames=noise_frames,
        noise_estimate=noise_estimate, n_fft=L, hop_length=H,
    )  # fmt: skip
    x = torch.from_numpy(noisy.astype(np.float64))  # (T,)
    Y = stft(x, n_fft=L, hop_length=H)  # (F, N)
    G = gain_fn((Y.abs() ** 2).numpy(), lam)  # (F, N)
    S_hat = Y * torch.from_numpy(G)  # (F, N): noisy phase kept
    s = istft(S_hat, n_fft=L, hop_length=H, length=noisy.shape[0])  # (T,)
    return s.numpy().astype(noisy.dtype)


def spectral_subtraction(
    noisy: np.ndarray,
    sample_rate: float,
    *,
    noise_frames: int | None = None,
    noise_estimate: np.ndarray | None = None,
    alpha: float = 2.0,
    beta: float = 0.01,
    n_fft: int = 512,
    hop_length: int = 128,
) -> np.ndarray:
    r"""Remove stationary noise by power spectral subtraction (Boll 1979).

    .. math::

        \hat S[f, n] = G[f, n]\, Y[f, n], \qquad
        G = \sqrt{\max\big(|Y|^2 - \alpha \hat\lambda_D,\;
                           \beta \hat\lambda_D\big) / |Y|^2},

    with :math:`Y` the STFT of ``noisy`` (Hann window, centred frames),
    :math:`\hat\lambda_D` from :func:`noise_power` and :math:`G` from
    :func:`spectral_subtraction_gain`; the phase of :math:`Y` is kept and
    :func:`istft` returns to a waveform. A silent input gives a silent
    output.

    Parameters
    ----------
    noisy : numpy.ndarray, shape (T,)
        float32 or float64, at least ``n_fft`` samples.
    sample_rate : float
        In Hz.
    noise_frames : int, optional
        Leading frames without speech to estimate the noise from; default:
        those within the first 100 ms.
    noise_estimate : numpy.ndarray, optional
        A recording of the noise alone, instead of ``noise_frames``.
    alpha, beta : float
        Over-subtraction :math:`\alpha \ge 1` and floor :math:`0 \le \beta < 1`.
    n_fft, hop_length : int
        Frame and hop in samples (32 ms and 8 ms at 16 kHz).

    Returns
    -------
    numpy.ndarray, shape (T,)
        Same dtype as ``noisy``.

    References
    ----------
    Boll (1979), IEEE TASSP 27(2). Berouti, Schwartz & Makhoul (1979), ICASSP.

    Examples
    --------
    >>> from slmsurvey.speech.augment import add_noise, snr_db
    >>> t = np.arange(16000) / 16000
    >>> clean = np.sin(2 * np.pi * 440 * t) * (t > 0.25)  # a tone after 0.25 s
    >>> noisy = add_noise(clean, 0.0, rng=0)
    >>> enhanced = spectral_subtraction(noisy, 16000)
    >>> enhanced.shape, snr_db(clean, enhanced) > snr_db(clean, noisy) + 5
    ((16000,), True)
    """
    L = check_int(n_fft, "n_fft", 2)
    a, b = check_real(alpha, "alpha"), check_real(beta, "beta")

    def gain(P, lam):
        return spectral_subtraction_gain(P, lam, alpha=a, beta=b)

    gain(np.zeros((1, 1)), np.zeros(1))  # check alpha and beta first
    H = check_int(hop_length, "hop_length", 1)
    return _enhance(noisy, sample_rate, gain, noise_frames, noise_estimate, L, H)


def wiener_filter(
    noisy: np.ndarray,
    sample_rate: float,
    *,
    noise_frames: int | None = None,
    noise_estimate: np.ndarray | None = None,
    prior: str = "decision-directed",
    smoothing: float = 0.98,
    xi_min_db: float = -25.0,
    n_fft: int = 512,
    hop_length: int = 128,
) -> np.ndarray:
    r"""Wiener filtering with a decision-directed a-priori SNR (Ephraim & Malah).

    .. math::

        \hat S[f, n] = \frac{\hat\xi[f, n]}{1 + \hat\xi[f, n]}\, Y[f, n],

    the minimum mean-square-error linear estimate of :math:`S` when speech
    and noise are uncorrelated Gaussians with powers :math:`\lambda_S` and
    :math:`\lambda_D`, and :math:`\xi = \lambda_S / \lambda_D`. The
    unknown :math:`\xi` is estimated by :func:`wiener_gain`:
    decision-directed by default, maximum-likelihood with ``prior="ml"``.
    Noise estimate, phase and resynthesis as in
    :func:`spectral_subtraction`. A silent input gives a silent output.

    Parameters
    ----------
    noisy, sample_rate, noise_frames, noise_estimate, n_fft, hop_length
        As in :func:`spectral_subtraction`.
    prior, smoothing, xi_min_db
        As in :func:`wiener_gain`.

    Returns
    -------
    numpy.ndarray, shape (T,)
        Same dtype as ``noisy``.

    References
    ----------
    Ephraim & Malah (1984), IEEE TASSP 32(6), eq. (51).

    Examples
    --------
    >>> from slmsurvey.speech.augment import add_noise, snr_db
    >>> t = np.arange(16000) / 16000
    >>> clean = np.sin(2 * np.pi * 440 * t) * (t > 0.25)
    >>> noisy = add_noise(clean, 0.0, rng=0)
    >>> enhanced = wiener_filter(noisy, 16000)
    >>> enhanced.dtype, snr_db(clean, enhanced) > snr_db(clean, noisy) + 10
    (dtype('float64'), True)
    """
    L = check_int(n_fft, "n_fft", 2)
    kw = dict(prior=prior, smoothing=smoothing, xi_min_db=xi_min_db)

    def gain(P, lam):
        return wiener_gain(P, lam, **kw)

    gain(np.zeros((1, 1)), np.zeros(1))  # check the options first
    H = check_int(hop_length, "hop_length", 1)
    return _enhance(noisy, sample_rate, gain, noise_frames, noise_estimate, L, H)
