r"""Data augmentation for speech: noise at a set SNR, speed perturbation, reverb.

Augmentation makes a small synthetic corpus harder and a model trained on it
more robust: additive noise at a chosen signal-to-noise ratio, Kaldi-style
speed perturbation (resampling by 0.9 / 1.0 / 1.1 changes both tempo and
pitch), and reverberation by a synthetic room impulse response.

Waveforms are 1-D numpy arrays of float32 or float64; results keep the dtype
and inputs are never modified. Torch tensors are rejected (pass
``x.numpy()``). Randomness comes in as ``rng``: a
:class:`numpy.random.Generator`, an int seed, or ``None`` (fresh entropy).

References
----------
Ko, Peddinti, Povey & Khudanpur (2015), "Audio augmentation for speech
recognition", Interspeech (speed perturbation).
Ko, Peddinti, Povey, Seltzer & Khudanpur (2017), "A study on data augmentation
of reverberant speech for robust speech recognition", ICASSP.
Schroeder (1965), "New method of measuring reverberation time", JASA 37(3).
"""

# Shapes: T samples, T_out resampled samples, T_h impulse-response length,
#         2J interpolation taps per output sample, C a chunk of outputs,
#         T_fft FFT length.

from __future__ import annotations

import math

import numpy as np

from slmsurvey._checks import check_real, check_wave

__all__ = [
    "add_noise",
    "reverberate",
    "room_impulse_response",
    "schroeder_rt60",
    "snr_db",
    "speed_perturb",
]

_SINC_ZEROS = 16  # zero crossings of the interpolation kernel on each side


def _rng(rng: object) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, int or None, got {type(rng)}")


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.square(x, dtype=np.float64)))


def _rms(x: np.ndarray) -> float:
    return math.sqrt(_power(x))


def _peak(x: np.ndarray) -> float:
    return float(np.max(np.abs(x)))


def snr_db(clean: np.ndarray, noisy: np.ndarray) -> float:
    r"""Measured signal-to-noise ratio of ``noisy = clean + noise``, in dB.

    .. math::

        \mathrm{SNR} = 10 \log_{10} \frac{P_x}{P_n}, \qquad
        P_x = \frac{1}{T} \sum_t x[t]^2, \quad n = \tilde x - x

    Returns ``inf`` when ``noisy`` equals ``clean``.

    Parameters
    ----------
    clean, noisy : numpy.ndarray, shape (T,)
        The clean signal :math:`x` (not silent) and the noisy :math:`\tilde x`.

    Returns
    -------
    float

    Examples
    --------
    >>> snr_db(np.ones(4), np.ones(4) + 0.1)
    20.0
    """
    x, y = check_wave(clean, "clean"), check_wave(noisy, "noisy")
    if x.shape != y.shape:
        raise ValueError(f"clean {x.shape} and noisy {y.shape} differ in shape")
    P_x, P_n = _power(x), _power(y.astype(np.float64) - x)
    if P_x == 0:
        raise ValueError("clean is silent (all zeros): its SNR is undefined")
    return math.inf if P_n == 0 else 10 * math.log10(P_x / P_n)


def add_noise(
    wave: np.ndarray,
    snr_db: float,
    rng: np.random.Generator | int | None,
    *,
    noise: np.ndarray | None = None,
) -> np.ndarray:
    r"""Add noise scaled so the measured SNR is exactly ``snr_db``.

    .. math::

        \tilde x = x + g\, n, \qquad
        g = \sqrt{\frac{P_x}{P_n\, 10^{\mathrm{SNR}/10}}}

    The gain :math:`g` uses the power :math:`P_n` of the noise actually
    drawn, so :func:`snr_db` of the result equals ``snr_db`` for every draw
    (up to float rounding), not just on average.

    Parameters
    ----------
    wave : numpy.ndarray, shape (T,)
        Clean signal :math:`x`, not silent.
    snr_db : float
        Target SNR in dB (finite; negative means more noise than signal).
    rng : numpy.random.Generator, int or None
        Draws white Gaussian noise, or the offset into ``noise``.
    noise : numpy.ndarray, shape (T_noise,), optional
        Noise recording, ``T_noise >= T``; a random window of length
        :math:`T` is used. Default: white Gaussian noise.

    Returns
    -------
    numpy.ndarray, shape (T,)
        :math:`\tilde x`, same dtype as ``wave``.

    Examples
    --------
    >>> x = np.sin(np.arange(16000) / 10)
    >>> y = add_noise(x, 10.0, rng=0)
    >>> round(snr_db(x, y), 6)
    10.0
    """
    x = check_wave(wave, "wave")
    target = check_real(snr_db, "snr_db")
    gen = _rng(rng)
    T = x.shape[0]
    if noise is None:
        n = gen.standard_normal(T)  # (T,)
    else:
        noise = check_wave(noise, "noise")
        if noise.shape[0] < T:
            raise ValueError(f"noise has {noise.shape[0]} samples, wave has {T}")
        start = int(gen.integers(0, noise.shape[0] - T + 1))
        n = noise[start : start + T].astype(np.float64)  # (T,)
    P_x, P_n = _power(x), _power(n)
    if P_x == 0:
        raise ValueError("wave is silent (all zeros): no SNR can be set")
    if P_n == 0:
        raise ValueError("noise is silent over the chosen window")
    g = math.sqrt(P_x / (P_n * 10 ** (target / 10)))
    return (x + g * n).astype(x.dtype)


def speed_perturb(
    wave: np.ndarray, factor: float, *, method: str = "sinc"
) -> np.ndarray:
    r"""Resample by ``factor``: play faster (> 1) or slower (< 1), pitch included.

    .. math::

        y[n] = x(n\alpha), \quad 0 \le n < T_{out} =
        \lfloor (T - 1)/\alpha \rfloor + 1 \approx T / \alpha,

        x(t) = \sum_k x[k]\, c\, \mathrm{sinc}\big(c (t - k)\big)\,
               w\big(c (t - k)\big), \qquad c = \min(1, 1/\alpha),

    with :math:`\alpha` = ``factor`` and :math:`w(\tau) = \cos^2(\pi \tau /
    2Z)` for :math:`|\tau| < Z = 16` (a Hann-windowed sinc). The cut-off
    :math:`c` low-passes before speeding up, so no tone aliases;
    ``method="linear"`` uses linear interpolation between neighbours instead
    (cheaper, but aliases when :math:`\alpha > 1`). Played at the original
    sample rate, a tone at :math:`f` comes out at :math:`\alpha f`.

    Parameters
    ----------
    wave : numpy.ndarray, shape (T,)
    factor : float
        :math:`\alpha \in [0.5, 2]`; Kaldi recipes use 0.9, 1.0 and 1.1.
    method : {"sinc", "linear"}

    Returns
    -------
    numpy.ndarray, shape (T_out,)
        Same dtype as ``wave``; ``factor=1`` returns a copy of ``wave``.

    References
    ----------
    Ko et al. (2015), "Audio augmentation for speech recognition".
    Smith, "Digital audio resampling home page" (bandlimited interpolation).

    Examples
    --------
    >>> speed_perturb(np.zeros(16000), 1.1).shape  # 1 + floor(15999 / 1.1)
    (14545,)
    >>> x = np.arange(5.0)
    >>> speed_perturb(x, 0.5, method="linear").tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    """
    x = check_wave(wave, "wave")
    alpha = check_real(factor, "factor")
    if not 0.5 <= alpha <= 2.0:
        raise ValueError(f"factor must lie in [0.5, 2], got {alpha}")
    if method not in ("sinc", "linear"):
        raise ValueError(f"method must be 'sinc' or 'linear', got {method!r}")
    if alpha == 1.0:
        return x.copy()
    T = x.shape[0]
    t = np.arange((T - 1) // alpha + 1) * alpha  # (T_out,) read positions n alpha
    t = t[t <= T - 1]  # guard against float rounding at the end
    if method == "linear":
        return np.interp(t, np.arange(T), x).astype(x.dtype)  # (T_out,)
    c = min(1.0, 1.0 / alpha)
    J = math.ceil(_SINC_ZEROS / c)
    x_pad = np.pad(x.astype(np.float64), J)  # (T + 2J,): zero outside the signal
    taps = np.arange(1 - J, J + 1)  # (2J,) k - floor(t) for the 2J nearest samples
    y = np.empty(t.shape[0])  # (T_out,)
    for s in range(0, t.shape[0], 4096):  # chunks of C outputs bound the memory
        t_s = t[s : s + 4096]  # (C,)
        k = np.floor(t_s).astype(np.int64)[:, None] + taps  # (C, 2J)
        tau = c * (t_s[:, None] - k)  # (C, 2J): kernel argument c (t - k)
        w = np.cos(np.pi * tau / (2 * _SINC_ZEROS)) ** 2 * (np.abs(tau) < _SINC_ZEROS)
        y[s : s + 4096] = np.sum(c * np.sinc(tau) * w * x_pad[k + J], axis=1)  # (C,)
    return y.astype(x.dtype)


def room_impulse_response(
    rt60: float,
    sample_rate: float,
    *,
    rng: np.random.Generator | int | None,
    length: int | None = None,
) -> np.ndarray:
    r"""Synthetic room impulse response: exponentially decaying Gaussian noise.

    .. math::

        h[t] \propto \nu[t]\, 10^{-3 t / (f_s T_{60})}, \qquad
        \nu[t] \sim \mathcal N(0, 1),

    so the expected energy :math:`h[t]^2` falls by 60 dB in :math:`T_{60}`
    seconds (Polack's statistical model of a diffuse reverberant tail; no
    direct path or early reflections). Normalised to unit energy,
    :math:`\sum_t h[t]^2 = 1`.

    Parameters
    ----------
    rt60 : float
        Reverberation time :math:`T_{60}` in seconds, in (0, 10].
    sample_rate : float
        :math:`f_s` in Hz.
    rng : numpy.random.Generator, int or None
    length : int, optional
        Number of taps :math:`T_h`; default :math:`\lceil T_{60} f_s \rceil`.

    Returns
    -------
    numpy.ndarray of float64, shape (T_h,)

    References
    ----------
    Polack (1993), "Playing billiards in the concert hall: the mathematical
    foundations of geometrical room acoustics", Applied Acoustics 38.

    Examples
    --------
    >>> h = room_impulse_response(0.3, 16000, rng=0)
    >>> h.shape, round(float(np.sum(h**2)), 12)
    ((4800,), 1.0)
    >>> round(schroeder_rt60(h, 16000), 1)
    0.3
    """
    T60 = check_real(rt60, "rt60")
    if not 0 < T60 <= 10:
        raise ValueError(f"rt60 must lie in (0, 10] seconds, got {T60}")
    f_s = check_real(sample_rate, "sample_rate")
    if f_s <= 0:
        raise ValueError(f"sample_rate must be positive, got {f_s}")
    gen = _rng(rng)
    if length is None:
        T_h = max(2, math.ceil(T60 * f_s))
    elif not isinstance(length, int | np.integer) or isinstance(length, bool):
        raise TypeError(f"length must be an int, got {type(length).__name__}")
    elif length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    else:
        T_h = int(length)
    t = np.arange(T_h)  # (T_h,)
    h = gen.standard_normal(T_h) * 10.0 ** (-3.0 * t / (f_s * T60))  # (T_h,)
    return h / np.sqrt(np.sum(h**2))


def schroeder_rt60(
    rir: np.ndarray, sample_rate: float, *, db_range: tuple[float, float] = (-5, -25)
) -> float:
    r"""Estimate :math:`T_{60}` by Schroeder backward integration (T20 method).

    .. math::

        E(t) = \sum_{\tau \ge t} h[\tau]^2, \qquad
        T_{60} = -60 / \hat s,

    where :math:`\hat s` (dB per second) is the least-squares slope of
    :math:`10 \log_{10} E(t)/E(0)` over the part between ``db_range[0]``
    and ``db_range[1]`` dB (ISO 3382's T20 for the default -5 to -25 dB).

    Parameters
    ----------
    rir : numpy.ndarray, shape (T_h,)
        Impulse response, not silent.
    sample_rate : float
        In Hz.
    db_range : (float, float)
        Start and end of the fit, both negative, start > end.

    Returns
    -------
    float
        :math:`T_{60}` in seconds.

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> round(schroeder_rt60(10.0 ** (-3 * t / 0.5), 8000), 3)  # noise-free decay
    0.5
    """
    h = check_wave(rir, "rir").astype(np.float64)
    f_s = check_real(sample_rate, "sample_rate")
    if f_s <= 0:
        raise ValueError(f"sample_rate must be positive, got {f_s}")
    hi, lo = (check_real(v, "db_range") for v in db_range)
    if not 0 > hi > lo:
        raise ValueError(f"db_range must satisfy 0 > start > end, got {db_range}")
    E = np.cumsum((h**2)[::-1])[::-1]  # (T_h,) energy remaining after t
    if E[0] == 0:
        raise ValueError("rir is silent (all zeros)")
    with np.errstate(divide="ignore"):
        edc = 10 * np.log10(E / E[0])  # (T_h,) energy decay curve in dB
    fit = (edc <= hi) & (edc >= lo)
    if edc.min() > lo or fit.sum() < 2:
        raise ValueError(f"rir does not decay to {lo} dB; lengthen it")
    slope = np.polyfit(np.flatnonzero(fit) / f_s, edc[fit], 1)[0]  # dB per second
    return float(-60.0 / slope)


def reverberate(
    wave: np.ndarray, rir: np.ndarray, *, preserve: str | None = "rms"
) -> np.ndarray:
    r"""Convolve with a room impulse response (FFT), keeping length and level.

    .. math::

        y[t] = \gamma \sum_{\tau=0}^{T_h - 1} h[\tau]\, x[t - \tau],
        \qquad 0 \le t < T,

    computed as :math:`\mathcal F^{-1}(\mathcal F x \cdot \mathcal F h)` with
    zero padding to at least :math:`T + T_h - 1` (linear, not circular,
    convolution). The output keeps the input's length: the reverberant tail
    beyond the last sample is cut. The gain :math:`\gamma` makes the output's
    RMS (``"rms"``) or peak (``"peak"``) equal the input's; ``None`` keeps
    :math:`\gamma = 1`. A silent input gives a silent output.

    Parameters
    ----------
    wave : numpy.ndarray, shape (T,)
    rir : numpy.ndarray, shape (T_h,)
        Impulse response :math:`h`, not silent.
    preserve : {"rms", "peak", None}

    Returns
    -------
    numpy.ndarray, shape (T,)
        Same dtype as ``wave``.

    Examples
    --------
    >>> reverberate(np.array([1.0, 0, 0, 0]), np.array([1.0, 0.5]), preserve=None)
    array([1. , 0.5, 0. , 0. ])
    """
    x = check_wave(wave, "wave")
    h = check_wave(rir, "rir")
    if preserve not in ("rms", "peak", None):
        raise ValueError(f"preserve must be 'rms', 'peak' or None, got {preserve!r}")
    if not np.any(h):
        raise ValueError("rir is silent (all zeros)")
    T = x.shape[0]
    T_fft = 1 << (T + h.shape[0] - 2).bit_length()  # power of 2 >= T + T_h - 1
    Y = np.fft.rfft(x, T_fft) * np.fft.rfft(h, T_fft)  # (T_fft // 2 + 1,)
    y = np.fft.irfft(Y, T_fft)[:T]  # (T,)
    if preserve is not None and np.any(x):
        measure = _rms if preserve == "rms" else _peak
        if measure(y) == 0:
            raise ValueError("the reverberant output is silent over the input's span")
        y = y * (measure(x) / measure(y))
    return y.astype(x.dtype)
