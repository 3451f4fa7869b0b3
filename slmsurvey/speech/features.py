r"""Speech front end: STFT, mel filterbank, log-mel spectrogram and MFCC.

Frames of the waveform are windowed and Fourier-transformed (STFT), the power
spectrum is pooled by triangular filters evenly spaced in mels, and its log is
the log-mel spectrogram that Whisper and most ASR models read; its DCT-II gives
the MFCCs of HMM recognisers. Inputs are torch tensors of shape (T,) or (B, T)
(numpy arrays are rejected: wrap them with ``torch.as_tensor``); everything is
differentiable and agrees with librosa (``tests/test_features.py``).

References
----------
Davis & Mermelstein (1980), IEEE TASSP 28(4) (MFCC). Slaney (1998), Auditory
Toolbox, Interval Research TR 1998-010 (mel filters). Radford et al. (2022),
Whisper, arXiv:2212.04356 (log-mel input).
"""

# Shapes: ... batch dims (none or B), T samples, N frames, L n_fft (frame size),
#         F frequency bins n_fft // 2 + 1, M mel bands, K cepstral coefficients.

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as torch_F

__all__ = [
    "feature_lengths",
    "log_mel_spectrogram",
    "mel_filterbank",
    "mfcc",
    "pad_batch",
    "power_to_db",
    "stft",
]

_WINDOW_A = {"hann": 0.5, "hamming": 0.54, "boxcar": 1.0}
_STFT_KW = {"hop_length", "win_length", "window", "center", "pad_mode"}
_MEL_KW = {"f_min", "f_max", "htk", "norm"}


def _check_int(value: object, name: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _check_positive(value: object, name: str, allow_zero: bool = False) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be finite and {kind}, got {value}")
    return float(value)


def _check_wave(x: object, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(x).__name__} "
            "(use torch.as_tensor for numpy arrays)"
        )
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"{name} must be float32 or float64, got {x.dtype}")
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (T,) or (B, T), got {tuple(x.shape)}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def stft(
    x: torch.Tensor,
    *,
    n_fft: int = 400,
    hop_length: int = 160,
    win_length: int | None = None,
    window: str = "hann",
    center: bool = True,
    pad_mode: str = "reflect",
) -> torch.Tensor:
    r"""Short-time Fourier transform, framing and DFT written out.

    .. math::

        X[f, n] = \sum_{m=0}^{L-1} w[m]\, x[nH + m]\, e^{-2\pi i f m / L},
        \qquad w[m] = a - (1 - a) \cos\frac{2\pi m}{W},

    for bins :math:`f = 0, \dots, \lfloor L/2 \rfloor` and frames :math:`n`;
    :math:`L` = ``n_fft``, :math:`H` = ``hop_length``, and the periodic
    window of length :math:`W` = ``win_length`` (:math:`a` = 0.5 Hann, 0.54
    Hamming, 1 boxcar) is zero-padded to :math:`L` on both sides. With
    ``center=True``, :math:`x` is first padded by :math:`\lfloor L/2
    \rfloor` on both sides, so frame :math:`n` is centred on sample
    :math:`nH` and :math:`N = 1 + \lfloor T/H \rfloor`; otherwise
    :math:`N = 1 + \lfloor (T - L)/H \rfloor`.

    Parameters
    ----------
    x : torch.Tensor, shape (T,) or (B, T)
        Waveform, float32 or float64, finite.
    n_fft : int
        Frame and DFT length :math:`L \ge 2`.
    hop_length : int
        Frame shift :math:`H \le W` (so no sample is skipped).
    win_length : int, optional
        Window length :math:`W \le L`; default ``n_fft``.
    window : {"hann", "hamming", "boxcar"}
        As ``scipy.signal.get_window(window, W, fftbins=True)``.
    center : bool
        Centre frame :math:`n` on sample :math:`nH`.
    pad_mode : {"reflect", "constant"}
        How ``center`` pads: mirror image, or zeros (librosa's default).

    Returns
    -------
    torch.Tensor, complex, shape (..., F, N)
        :math:`X`, with :math:`F` = ``n_fft // 2 + 1``.

    References
    ----------
    Allen (1977), "Short term spectral analysis, synthesis, and modification
    by discrete Fourier transform", IEEE TASSP 25(3).

    Examples
    --------
    >>> X = stft(torch.zeros(2, 16000))
    >>> tuple(X.shape), X.dtype
    ((2, 201, 101), torch.complex64)
    """
    x = _check_wave(x)
    L = _check_int(n_fft, "n_fft", 2)
    W = L if win_length is None else _check_int(win_length, "win_length", 1)
    if W > L:
        raise ValueError(f"win_length must be <= n_fft={L}, got {W}")
    H = _check_int(hop_length, "hop_length", 1)
    if H > W:
        raise ValueError(f"hop_length must be <= win_length={W}, got {H}")
    if window not in _WINDOW_A:
        raise ValueError(f"window must be one of {sorted(_WINDOW_A)}, got {window!r}")
    if pad_mode not in ("reflect", "constant"):
        raise ValueError(f"pad_mode must be 'reflect' or 'constant', got {pad_mode!r}")
    T = x.shape[-1]
    if center and pad_mode == "reflect" and T <= L // 2:
        raise ValueError(f"x has T={T} samples; reflect padding needs > n_fft//2")
    if not center and T < L:
        raise ValueError(f"x has T={T} samples, fewer than n_fft={L} (center=False)")

    w = stft_window(L, W, window, dtype=x.dtype, device=x.device)  # (L,)

    batch = x.shape[:-1]
    x = x.reshape(-1, 1, T)  # (B, 1, T)
    if center:
        x = torch_F.pad(x, (L // 2, L // 2), mode=pad_mode)  # (B, 1, T + 2 (L//2))
    frames = x[:, 0].unfold(-1, L, H)  # (B, N, L): frames[b, n, m] = x[b, nH + m]
    X = torch.fft.rfft(frames * w, n=L, dim=-1)  # (B, N, F)
    return X.transpose(-2, -1).reshape(*batch, L // 2 + 1, -1)  # (..., F, N)


def stft_window(
    n_fft: int,
    win_length: int,
    window: str = "hann",
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    r"""The periodic analysis window of :func:`stft`, zero-padded to ``n_fft``.

    .. math:: w[m] = a - (1 - a) \cos(2\pi m / W), \quad m = 0, \dots, W-1,

    with :math:`a = 0.5` (Hann), 0.54 (Hamming) or 1 (boxcar), centred in a
    frame of :math:`L` = ``n_fft`` samples.

    Examples
    --------
    >>> stft_window(4, 4).tolist()
    [0.0, 0.5, 1.0, 0.5]
    """
    if window not in _WINDOW_A:
        raise ValueError(f"window must be one of {sorted(_WINDOW_A)}, got {window!r}")
    a, L, W = _WINDOW_A[window], n_fft, win_length
    m = torch.arange(W, dtype=dtype, device=device)
    w = a - (1 - a) * torch.cos(2 * math.pi * m / W)  # (W,)
    return torch_F.pad(w, ((L - W) // 2, L - W - (L - W) // 2))  # (L,)


def _hz_to_mel(f: torch.Tensor, htk: bool) -> torch.Tensor:
    if htk:
        return 2595.0 * torch.log10(1.0 + f / 700.0)
    log_part = 15.0 + torch.log(torch.clamp(f, min=1000.0) / 1000.0) * 27 / math.log(
        6.4
    )
    return torch.where(f >= 1000.0, log_part, f * 3.0 / 200.0)


def _mel_to_hz(m: torch.Tensor, htk: bool) -> torch.Tensor:
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    log_part = 1000.0 * torch.exp((m - 15.0) * math.log(6.4) / 27)
    return torch.where(m >= 15.0, log_part, m * 200.0 / 3.0)


def mel_filterbank(
    n_mels: int,
    n_fft: int,
    sample_rate: float,
    *,
    f_min: float = 0.0,
    f_max: float | None = None,
    htk: bool = False,
    norm: str | None = "slaney",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    r"""Triangular filters evenly spaced on the mel scale, as librosa.filters.mel.

    The :math:`M + 2` edges :math:`f_0 < \dots < f_{M+1}` are evenly spaced
    in mels from ``f_min`` to ``f_max``; filter :math:`j` rises from
    :math:`f_j` to :math:`f_{j+1}` and falls to :math:`f_{j+2}`:

    .. math::

        W_{jk} = c_j \max\!\Big(0, \min\!\Big(
            \frac{\nu_k - f_j}{f_{j+1} - f_j},
            \frac{f_{j+2} - \nu_k}{f_{j+2} - f_{j+1}}\Big)\Big),
        \quad \nu_k = \frac{k f_s}{L},

        \text{HTK: } \mathrm{mel}(f) = 2595 \log_{10}(1 + f/700), \quad
        \text{Slaney: } \mathrm{mel}(f) = \begin{cases} 3f/200 & f < 1000 \\
        15 + 27 \ln(f/1000) / \ln 6.4 & f \ge 1000 \end{cases}

    with :math:`c_j = 2 / (f_{j+2} - f_j)` for ``norm="slaney"`` (equal
    area) and :math:`c_j = 1` for ``norm=None`` (unit peak). Very narrow
    filters can fall between two FFT bins and be all zero (as in librosa).

    Parameters
    ----------
    n_mels, n_fft : int
        :math:`M \ge 1` filters over the :math:`F = \lfloor L/2 \rfloor + 1`
        bins of an :math:`L`-point FFT.
    sample_rate : float
        :math:`f_s` in Hz.
    f_min, f_max : float
        Range in Hz; ``f_max`` defaults to (and may not exceed) :math:`f_s/2`.
    htk, norm : bool, {"slaney", None}
        HTK's mel formula instead of Slaney's; area normalisation :math:`c_j`.
    dtype : torch.dtype
        Result dtype (computed in float64).

    Returns
    -------
    torch.Tensor, shape (M, F)

    Examples
    --------
    >>> tuple(mel_filterbank(80, 400, 16000).shape)
    (80, 201)
    >>> mel_filterbank(2, 8, 800, f_max=300, norm=None).tolist()
    [[0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]]
    """
    M = _check_int(n_mels, "n_mels", 1)
    L = _check_int(n_fft, "n_fft", 2)
    f_s = _check_positive(sample_rate, "sample_rate")
    f_min = _check_positive(f_min, "f_min", allow_zero=True)
    f_max = f_s / 2 if f_max is None else _check_positive(f_max, "f_max")
    if f_max > f_s / 2:
        raise ValueError(f"f_max must be <= sample_rate / 2 = {f_s / 2}, got {f_max}")
    if f_min >= f_max:
        raise ValueError(f"f_min must be < f_max = {f_max}, got {f_min}")
    if norm not in ("slaney", None):
        raise ValueError(f"norm must be 'slaney' or None, got {norm!r}")

    nu = torch.arange(L // 2 + 1, dtype=torch.float64) * f_s / L  # (F,)
    mel_range = _hz_to_mel(torch.tensor([f_min, f_max], dtype=torch.float64), htk)
    f_edges = _mel_to_hz(
        torch.linspace(*mel_range.tolist(), M + 2, dtype=torch.float64), htk
    )
    df = f_edges.diff()  # (M + 1,) f_{j+1} - f_j
    rise = (nu[None, :] - f_edges[:-2, None]) / df[:-1, None]  # (M, F)
    fall = (f_edges[2:, None] - nu[None, :]) / df[1:, None]  # (M, F)
    W = torch.clamp(torch.minimum(rise, fall), min=0.0)  # (M, F)
    if norm == "slaney":
        W = W * (2.0 / (f_edges[2:] - f_edges[:-2]))[:, None]  # (M, F) c_j W_jk
    return W.to(dtype)


def _mel_power(x: torch.Tensor, sample_rate: float, kw: dict[str, Any]) -> torch.Tensor:
    """Mel spectrogram W |X|^p, shape (..., M, N), as librosa melspectrogram."""
    unknown = sorted(set(kw) - _STFT_KW - _MEL_KW - {"n_fft", "n_mels", "power"})
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {unknown}")
    p = _check_positive(kw.get("power", 2.0), "power")
    x, n_fft = _check_wave(x), kw.get("n_fft", 400)
    X = stft(x, n_fft=n_fft, **{k: kw[k] for k in _STFT_KW & set(kw)})  # (..., F, N)
    P = X.real**2 + X.imag**2  # (..., F, N) |X|^2, smooth at 0
    if p != 2.0:
        P = P ** (p / 2)
    mel_kw = {k: kw[k] for k in _MEL_KW & set(kw)}
    W = mel_filterbank(
        kw.get("n_mels", 80), n_fft, sample_rate, **mel_kw, dtype=x.dtype
    )
    return W.to(x.device) @ P  # (M, F) @ (..., F, N) -> (..., M, N)


def log_mel_spectrogram(
    x: torch.Tensor,
    sample_rate: float,
    *,
    n_fft: int = 400,
    hop_length: int = 160,
    n_mels: int = 80,
    power: float = 2.0,
    eps: float = 1e-10,
    **kwargs: Any,
) -> torch.Tensor:
    r"""Natural-log mel spectrogram :math:`\ln(W |X|^p + \varepsilon)`.

    .. math::

        S[j, n] = \ln\Big(\sum_k W_{jk}\, |X[k, n]|^{p} + \varepsilon\Big)

    with :math:`X` = :func:`stft`, :math:`W` = :func:`mel_filterbank`. The log
    is **natural** and :math:`\varepsilon` is **added** (so with :math:`p = 2`
    the map is smooth everywhere, silence included): the result equals
    ``np.log(librosa.feature.melspectrogram(...) + eps)`` with the same
    settings. For decibels with librosa's ``ref``/``amin``/``top_db`` clip,
    see :func:`power_to_db` and :func:`mfcc`.

    Parameters
    ----------
    x, sample_rate : torch.Tensor, shape (T,) or (B, T); float
        Waveform (float32 or float64) and its sample rate in Hz.
    n_fft, hop_length, n_mels : int
        As in :func:`stft` (25 ms frames, 10 ms hop at 16 kHz) and :math:`M`.
    power, eps : float
        :math:`p > 0` (2: power, 1: magnitude) and :math:`\varepsilon > 0`.
    **kwargs
        ``win_length``, ``window``, ``center``, ``pad_mode`` of :func:`stft`
        and ``f_min``, ``f_max``, ``htk``, ``norm`` of :func:`mel_filterbank`.

    Returns
    -------
    torch.Tensor, shape (..., M, N)
        Same dtype as ``x``.

    Examples
    --------
    >>> x = torch.sin(2 * torch.pi * 440 * torch.arange(16000) / 16000)
    >>> S = log_mel_spectrogram(x, 16000)
    >>> tuple(S.shape)
    (80, 101)

    Below 1 kHz the 80 band centres are 37.2 Hz apart (Slaney's scale is
    linear there), so 440 Hz is loudest in band 11, centred on 446.9 Hz:

    >>> S.mean(-1).argmax().item()
    11
    """
    eps = _check_positive(eps, "eps")
    kw = dict(n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, power=power)
    S = _mel_power(x, sample_rate, kw | kwargs)  # (..., M, N)
    return torch.log(S + eps)  # (..., M, N)


def power_to_db(
    S: torch.Tensor, *, ref: float = 1.0, amin: float = 1e-10, top_db: float = 80.0
) -> torch.Tensor:
    r"""Power to decibels with librosa.power_to_db's conventions.

    .. math::

        D = 10 \log_{10} \max(S, a) - 10 \log_{10} \max(r, a), \qquad
        D \leftarrow \max(D,\ \max D - \mathrm{top\_db})

    The top-dB clip takes :math:`\max D` over the last two dims, i.e. per
    spectrogram, so a batch gives what librosa gives for each item.
    ``top_db=math.inf`` disables it.

    Parameters
    ----------
    S : torch.Tensor, shape (..., M, N)
        Non-negative power spectrogram.
    ref, amin, top_db : float
        :math:`r > 0`, :math:`a > 0`, and the dynamic range kept, :math:`\ge 0`.

    Returns
    -------
    torch.Tensor, shape (..., M, N)

    Examples
    --------
    >>> power_to_db(torch.tensor([[1.0, 0.1, 0.0]])).tolist()
    [[0.0, -10.0, -80.0]]
    """
    if not isinstance(S, torch.Tensor) or not S.is_floating_point():
        raise TypeError(f"S must be a floating-point torch.Tensor, got {type(S)}")
    if S.ndim < 2:
        raise ValueError(f"S must have shape (..., M, N), got {tuple(S.shape)}")
    if not bool((S >= 0).all()):
        raise ValueError("S must be non-negative (a power spectrogram)")
    a, r = _check_positive(amin, "amin"), _check_positive(ref, "ref")
    if not isinstance(top_db, int | float) or isinstance(top_db, bool):
        raise TypeError(f"top_db must be a real number, got {type(top_db).__name__}")
    if math.isnan(top_db) or top_db < 0:
        raise ValueError(f"top_db must be >= 0 (inf: no clip), got {top_db}")
    D = 10.0 * torch.log10(torch.clamp(S, min=a)) - 10.0 * math.log10(max(r, a))
    if math.isinf(top_db):
        return D
    peak = D.amax(dim=(-2, -1), keepdim=True)  # (..., 1, 1)
    return torch.maximum(D, peak - top_db)  # (..., M, N)


def mfcc(
    x: torch.Tensor,
    sample_rate: float,
    *,
    n_mfcc: int = 13,
    n_mels: int = 40,
    top_db: float = 80.0,
    **kwargs: Any,
) -> torch.Tensor:
    r"""Mel-frequency cepstral coefficients: orthonormal DCT-II of log-mel.

    .. math::

        c[k, n] = \alpha_k \sum_{j=0}^{M-1} D[j, n]
                  \cos\frac{\pi k (2j + 1)}{2M}, \qquad
        \alpha_0 = \sqrt{1/M},\ \alpha_{k>0} = \sqrt{2/M},

    for :math:`k < K` = ``n_mfcc``, where :math:`D` is :func:`power_to_db`
    (``ref=1``, ``amin=1e-10``, ``top_db``) of the mel power spectrogram. This
    is exactly ``librosa.feature.mfcc`` (``dct_type=2``, ``norm="ortho"``,
    ``lifter=0``) with the same STFT and mel settings: decibels, not the
    natural log of :func:`log_mel_spectrogram` (the DCT is linear, so the two
    differ by the factor :math:`10/\ln 10` where no clip applies).

    Parameters
    ----------
    x, sample_rate
        As in :func:`log_mel_spectrogram`.
    n_mfcc, n_mels : int
        :math:`K \le M` and :math:`M`.
    top_db : float
        As in :func:`power_to_db` (per item).
    **kwargs
        ``n_fft``, ``hop_length``, ``power``, ... of :func:`log_mel_spectrogram`.

    Returns
    -------
    torch.Tensor, shape (..., K, N)

    Examples
    --------
    >>> x = torch.randn(2, 8000, generator=torch.Generator().manual_seed(0))
    >>> tuple(mfcc(x, 16000).shape)
    (2, 13, 51)
    """
    K, M = _check_int(n_mfcc, "n_mfcc", 1), _check_int(n_mels, "n_mels", 1)
    if K > M:
        raise ValueError(f"n_mfcc must be <= n_mels={M}, got {K}")
    S = _mel_power(x, sample_rate, kwargs | {"n_mels": M})  # (..., M, N)
    D = power_to_db(S, top_db=top_db)  # (..., M, N)
    k = torch.arange(K, dtype=D.dtype, device=D.device)[:, None]  # (K, 1)
    j = torch.arange(M, dtype=D.dtype, device=D.device)[None, :]  # (1, M)
    C = torch.cos(math.pi * k * (2 * j + 1) / (2 * M)) * math.sqrt(2 / M)  # (K, M)
    C[0] = C[0] / math.sqrt(2)  # alpha_0 = sqrt(1/M)
    return C @ D  # (K, M) @ (..., M, N) -> (..., K, N)


def feature_lengths(
    num_samples: int | torch.Tensor,
    hop_length: int,
    *,
    center: bool = True,
    n_fft: int | None = None,
) -> int | torch.Tensor:
    r"""Number of STFT frames of waveforms with the given lengths.

    .. math::

        N = 1 + \lfloor T / H \rfloor \ \text{(center)}, \qquad
        N = 1 + \lfloor (T - L) / H \rfloor \ \text{(otherwise)}

    Masks the padding of a :func:`pad_batch` batch: item *b* owns its first
    ``N[b]`` frames (the last few of which, reaching past its end, see zeros
    rather than the item's own reflection).

    Parameters
    ----------
    num_samples : int or torch.Tensor of int, shape (B,)
        Lengths :math:`T \ge 1`.
    hop_length, center, n_fft
        :math:`H`, ``center`` and :math:`L` (needed if not ``center``) of
        :func:`stft`.

    Returns
    -------
    int or torch.Tensor of int64, shape (B,)

    Examples
    --------
    >>> feature_lengths(torch.tensor([16000, 8000]), 160).tolist()
    [101, 51]
    >>> feature_lengths(16000, 160, center=False, n_fft=400)
    98
    """
    H = _check_int(hop_length, "hop_length", 1)
    if isinstance(num_samples, torch.Tensor):
        if num_samples.is_floating_point() or num_samples.is_complex():
            raise TypeError(f"num_samples must hold integers, got {num_samples.dtype}")
        T = num_samples.long()
    else:
        T = _check_int(num_samples, "num_samples", 1)
    if center:
        if bool((torch.as_tensor(T) < 1).any()):
            raise ValueError("num_samples must be >= 1")
        return 1 + T // H
    if n_fft is None:
        raise ValueError("n_fft is required when center=False")
    L = _check_int(n_fft, "n_fft", 2)
    if bool((torch.as_tensor(T) < L).any()):
        raise ValueError(f"num_samples must be >= n_fft={L} when center=False")
    return 1 + (T - L) // H


def pad_batch(waves: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Right-pad 1-D waveforms with zeros into one (B, T_max) batch.

    .. math::

        \tilde x_b[t] = x_b[t] \ (t < T_b), \qquad
        \tilde x_b[t] = 0 \ (T_b \le t < \max_b T_b)

    Parameters
    ----------
    waves : list of torch.Tensor, each shape (T_b,)
        At least one; all of one float dtype.

    Returns
    -------
    padded : torch.Tensor, shape (B, T_max)
    lengths : torch.Tensor of int64, shape (B,)

    Examples
    --------
    >>> padded, lengths = pad_batch([torch.ones(3), torch.ones(5)])
    >>> padded.tolist(), lengths.tolist()
    ([[1.0, 1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0]], [3, 5])
    """
    if not isinstance(waves, list | tuple):
        raise TypeError(f"waves must be a list of tensors, got {type(waves).__name__}")
    if not waves:
        raise ValueError("waves must hold at least one waveform")
    for b, w in enumerate(waves):
        _check_wave(w, f"waves[{b}]")
        if w.ndim != 1:
            raise ValueError(f"waves[{b}] must be 1-D, got shape {tuple(w.shape)}")
        if w.dtype != waves[0].dtype:
            raise TypeError(f"waves[{b}] is {w.dtype} but waves[0] is {waves[0].dtype}")
    lengths = torch.tensor([w.shape[0] for w in waves], dtype=torch.long)  # (B,)
    padded = waves[0].new_zeros(len(waves), int(lengths.max()))  # (B, T_max)
    for b, w in enumerate(waves):
        padded[b, : w.shape[0]] = w
    return padded, lengths
