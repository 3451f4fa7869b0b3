r"""Band-limited resampling by a rational factor: a polyphase windowed sinc.

To change the sampling rate from :math:`f_\text{in}` to :math:`f_\text{out}`,
write the ratio in lowest terms, :math:`f_\text{out} / f_\text{in} = L / M`
with :math:`g = \gcd(f_\text{in}, f_\text{out})`, :math:`L = f_\text{out}/g`
and :math:`M = f_\text{in}/g`. Conceptually the signal is upsampled by
:math:`L` (inserting :math:`L-1` zeros between samples), low-pass filtered
below the lower of the two Nyquist frequencies, and downsampled by :math:`M`
(keeping every :math:`M`-th sample). With :math:`R = \max(L, M)` and a filter
of :math:`2K + 1` taps, :math:`K = \text{zeros} \cdot R`,

.. math::
    :label: resample-filter

    h[j] = L \, \frac{w[j] \operatorname{sinc}\!\big((j - K) / R\big)}
    {\sum_{i=0}^{2K} w[i] \operatorname{sinc}\!\big((i - K) / R\big)},
    \qquad
    w[j] = \frac{I_0\!\big(\beta \sqrt{1 - ((j - K)/K)^2}\big)}{I_0(\beta)},

an ideal low-pass filter with cut-off :math:`\pi / R` (the sinc,
:math:`\operatorname{sinc} x = \sin(\pi x) / (\pi x)`) truncated to
``zeros`` zero crossings on each side by a Kaiser window :math:`w` and scaled
to gain :math:`L` at DC (making up for the inserted zeros). Output sample
:math:`m` is then

.. math::
    :label: resample-polyphase

    y[m] = \sum_k x[k] \, h[mM - kL + K],

which never touches the inserted zeros: for each :math:`m` only the taps
:math:`j \equiv mM + K \pmod L` are used, one of :math:`L` *polyphase*
sub-filters of about :math:`2K / L` taps each. Samples outside the signal are
zero, and the output has :math:`\lceil T L / M \rceil` samples.

With the defaults (``zeros=10``, ``beta=5.0``) this is exactly
:func:`scipy.signal.resample_poly` (and ``librosa.resample(...,
res_type="polyphase")``); the tests check it against both.

Shapes: B batch, T input samples, N output samples, P = L polyphase phases,
J taps per phase, Q outputs per phase.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["resample", "resample_filter"]

_BLOCK = 16384  # output samples per block: bounds the memory of the gather


def resample_filter(
    orig_sr: int, target_sr: int, *, zeros: int = 10, beta: float = 5.0
) -> tuple[np.ndarray, int, int]:
    r"""The anti-aliasing filter :math:`h` of eq. (resample-filter).

    Parameters
    ----------
    orig_sr, target_sr : int
        Sampling rates in Hz.
    zeros : int, keyword-only
        Zero crossings of the sinc kept on each side of the centre.
    beta : float, keyword-only
        Kaiser window shape: larger means more stop-band attenuation and a
        wider transition band.

    Returns
    -------
    h : numpy.ndarray, shape (2K + 1,), float64
        The filter taps, centred on index :math:`K`; they sum to :math:`L`.
    L, M : int
        The up- and downsampling factors, :math:`f_\text{out}/f_\text{in}
        = L / M` in lowest terms.

    Examples
    --------
    >>> h, L, M = resample_filter(22050, 16000)
    >>> L, M, h.shape
    (320, 441, (8821,))
    >>> round(float(h.sum()), 9)
    320.0
    """
    orig_sr = _check_rate(orig_sr, "orig_sr")
    target_sr = _check_rate(target_sr, "target_sr")
    if not isinstance(zeros, numbers.Integral) or isinstance(zeros, bool):
        raise TypeError(f"zeros must be an int, got {type(zeros).__name__}")
    if zeros < 1:
        raise ValueError(f"zeros must be at least 1, got {zeros}")
    if not isinstance(beta, numbers.Real) or not 0 <= beta < math.inf:
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
    g = math.gcd(orig_sr, target_sr)
    L, M = target_sr // g, orig_sr // g
    R = max(L, M)
    K = int(zeros) * R
    j = np.arange(2 * K + 1)
    # eq. (resample-filter): Kaiser-windowed sinc with cut-off pi / R, gain L
    h = np.kaiser(2 * K + 1, float(beta)) * np.sinc((j - K) / R)
    return L * h / h.sum(), L, M


def resample(
    wave: np.ndarray,
    orig_sr: int,
    target_sr: int,
    *,
    zeros: int = 10,
    beta: float = 5.0,
) -> np.ndarray:
    r"""Resample ``wave`` from ``orig_sr`` to ``target_sr`` Hz.

    Implements eq. (resample-polyphase) with the filter of eq.
    (resample-filter): frequencies below both Nyquist frequencies pass with
    gain 1; above the lower one they are attenuated instead of aliasing.

    Parameters
    ----------
    wave : numpy.ndarray, shape (T,) or (B, T), float32 or float64
        One signal, or a batch resampled along the last axis.
    orig_sr, target_sr : int
        Sampling rates in Hz (positive integers).
    zeros, beta : keyword-only
        Filter length and Kaiser shape; see :func:`resample_filter`.

    Returns
    -------
    numpy.ndarray, shape (N,) or (B, N), the dtype of ``wave``
        :math:`N = \lceil T \cdot \text{target\_sr} / \text{orig\_sr}
        \rceil`. A copy of ``wave`` when the rates are equal.

    References
    ----------
    Crochiere & Rabiner, *Multirate Digital Signal Processing* (1983),
    chapters 2-3. Kaiser (1974), "Nonrecursive digital filter design using
    the I0-sinh window function", Proc. IEEE ISCAS. J. O. Smith, *Digital
    Audio Resampling Home Page*, https://ccrma.stanford.edu/~jos/resample/.

    Examples
    --------
    A 440 Hz tone keeps its frequency and amplitude at the new rate:

    >>> t = np.arange(22050) / 22050
    >>> y = resample(np.sin(2 * np.pi * 440 * t), 22050, 16000)
    >>> y.shape
    (16000,)
    >>> ref = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    >>> bool(np.abs(y - ref)[1000:-1000].max() < 1e-3)
    True
    """
    if not isinstance(wave, np.ndarray):
        raise TypeError(f"wave must be a numpy array, got {type(wave).__name__}")
    if wave.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"wave must be float32 or float64, got {wave.dtype} "
            "(scale int16 PCM with wave / 32768)"
        )
    if wave.ndim not in (1, 2):
        raise ValueError(f"wave must be 1-D (T,) or 2-D (B, T), got ndim={wave.ndim}")
    if wave.shape[-1] == 0:
        raise ValueError("wave is empty: it has no samples")
    if not np.isfinite(wave).all():
        raise ValueError("wave contains NaN or inf")
    h, L, M = resample_filter(orig_sr, target_sr, zeros=zeros, beta=beta)
    if L == M:
        return wave.copy()
    x = np.atleast_2d(wave)  # (B, T)
    T = x.shape[-1]
    K = (len(h) - 1) // 2
    N = -(-T * L // M)  # ceil(T L / M)
    J = -(-len(h) // L)  # taps per phase
    Q = -(-N // L)  # outputs per phase
    # Polyphase bank, taps reversed so that a window of x lines up with it:
    # bank[p, J - 1 - i] = h[p + i L]
    h_pad = np.zeros(J * L, dtype=wave.dtype)
    h_pad[: len(h)] = h
    bank = np.ascontiguousarray(h_pad.reshape(J, L).T[:, ::-1])  # (P, J)
    # eq. (resample-polyphase): y[m] = sum_i x[k0 - i] h[p + i L], with
    # t = m M + K, phase p = t mod L and newest input sample k0 = t // L.
    # Output m + L has the same phase and k0 + M: per phase, a strided
    # convolution.
    t = np.arange(Q * L, dtype=np.int64) * M + K
    p, k0 = t % L, t // L  # (Q L,), (Q L,)
    x_pad = np.pad(x, ((0, 0), (J - 1, max(0, int(k0[-1]) - (T - 1)))))
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, J, axis=-1)
    # windows[b, k] = x[b, k - J + 1 : k + 1], shape (B, T + pad, J)
    y = np.empty((x.shape[0], Q * L), dtype=wave.dtype)  # (B, Q L)
    if Q >= 4:  # many outputs per phase: one matrix-vector product each
        for r in range(L):
            rows = windows[:, k0[r] :: M][:, :Q]  # (B, Q, J), a strided view
            y[:, r::L] = rows @ bank[p[r]]  # (B, Q)
    else:  # many phases, few outputs each (e.g. 16000 -> 16001 Hz): gather
        for start in range(0, N, _BLOCK):
            s = slice(start, min(start + _BLOCK, N))
            y[:, s] = np.einsum("bnj,nj->bn", windows[:, k0[s]], bank[p[s]])
    return np.ascontiguousarray(y[0, :N] if wave.ndim == 1 else y[:, :N])


def _check_rate(rate: object, name: str) -> int:
    if not isinstance(rate, numbers.Integral) or isinstance(rate, bool):
        raise TypeError(f"{name} must be an int (Hz), got {type(rate).__name__}")
    if rate <= 0:
        raise ValueError(f"{name} must be positive, got {rate}")
    return int(rate)
