"""Reading and writing audio files: FLAC, WAV and MP3 through ``soundfile``.

Everything in the package works on mono float32 waves with samples in
:math:`[-1, 1]`. A file with :math:`C` channels is read as their average,

.. math::

    x[t] = \\frac{1}{C} \\sum_{c=1}^{C} x_c[t],

and a wave is written as 16-bit PCM unless another ``subtype`` is asked for,
so FLAC and WAV give the samples back to within :math:`2^{-15}`; MP3 is lossy.

MP3 needs libsndfile 1.1 or later, which the ``soundfile`` wheels (0.12 on)
ship; :data:`MP3_SUPPORTED` says whether the installed one has it. Where it
does not, MP3 files raise a ``ValueError`` and WAV or FLAC work as before.

Shapes: T frames (samples per channel), C channels.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile

__all__ = [
    "AUDIO_FORMATS",
    "MP3_SUPPORTED",
    "audio_duration",
    "read_audio",
    "write_audio",
]

# File extension -> libsndfile major format, for the formats the book uses.
AUDIO_FORMATS = {".flac": "FLAC", ".wav": "WAV", ".mp3": "MP3", ".ogg": "OGG"}
MP3_SUPPORTED = "MP3" in soundfile.available_formats()
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE", "VORBIS", "OPUS"})


def as_path(value: str | os.PathLike, name: str) -> Path:
    """``Path(value)``, raising a ``TypeError`` naming the argument otherwise."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} must be a str or os.PathLike, got {type(value).__name__}"
        )
    return Path(value)


def check_sample_rate(sample_rate: object, name: str = "sample_rate") -> int:
    """Return ``sample_rate`` as an ``int`` after checking it is a positive integer."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(sample_rate).__name__}")
    if sample_rate <= 0:
        raise ValueError(f"{name} must be positive, got {sample_rate}")
    return int(sample_rate)


def _format_of(path: Path) -> str:
    fmt = AUDIO_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(AUDIO_FORMATS)
        raise ValueError(
            f"unknown audio file extension {path.suffix!r} in {path}; "
            f"use one of {known}"
        )
    if fmt not in soundfile.available_formats():
        raise ValueError(
            f"the installed libsndfile ({soundfile.__libsndfile_version__}) cannot "
            f"handle {fmt} files such as {path}; upgrade soundfile (>=0.12) or use "
            ".flac or .wav"
        )
    return fmt


def read_audio(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an audio file as a mono float32 wave.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.flac``, ``.wav``, ``.mp3`` or ``.ogg`` file.

    Returns
    -------
    wave : numpy.ndarray, shape (T,), float32
        The samples, in :math:`[-1, 1]`; several channels are averaged.
    sample_rate : int
        Samples per second.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the extension is unknown, the format is not supported by the
        installed libsndfile, or the file cannot be decoded.

    References
    ----------
    libsndfile, https://libsndfile.github.io/libsndfile/ ; python-soundfile,
    https://python-soundfile.readthedocs.io/

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> tmp = Path(tempfile.mkdtemp())
    >>> stereo = np.stack([np.full(4, 0.5), np.full(4, -0.25)], axis=1)  # (T, C)
    >>> write_audio(tmp / "a.wav", stereo, 8000)
    >>> wave, sr = read_audio(tmp / "a.wav")
    >>> wave.dtype, wave.shape, sr, round(float(wave[0]), 3)
    (dtype('float32'), (4,), 8000, 0.125)
    """
    path = as_path(path, "path")
    if not path.is_file():
        raise FileNotFoundError(f"audio file not found: {path}")
    _format_of(path)
    try:
        data, sample_rate = soundfile.read(
            path, dtype="float32", always_2d=True
        )  # (T, C)
    except soundfile.LibsndfileError as err:
        raise ValueError(f"cannot decode audio file {path}: {err}") from err
    wave = data.mean(axis=1, dtype=np.float32)  # (T,): average of the C channels
    return wave, int(sample_rate)


def write_audio(
    path: str | os.PathLike,
    wave: np.ndarray,
    sample_rate: int,
    *,
    subtype: str | None = None,
) -> None:
    """Write a wave to an audio file; the format follows the extension.

    Parameters
    ----------
    path : str or os.PathLike
        Target ``.flac``, ``.wav``, ``.mp3`` or ``.ogg`` file; its folder
        must exist. An existing file is replaced.
    wave : array_like, shape (T,) or (T, C), floating point
        Samples in :math:`[-1, 1]` (any range for the ``FLOAT``/``DOUBLE``
        subtypes of WAV).
    sample_rate : int
        Samples per second, positive. MP3 allows only 8000, 11025, 12000,
        16000, 22050, 24000, 32000, 44100 and 48000.
    subtype : str, optional
        A libsndfile subtype such as ``"PCM_16"``, ``"PCM_24"`` or
        ``"FLOAT"``; by default 16-bit PCM for FLAC and WAV and
        ``"MPEG_LAYER_III"`` for MP3.

    Raises
    ------
    TypeError
        If ``wave`` is not floating point or ``sample_rate`` is not an int.
    ValueError
        If ``wave`` is empty, not 1-D or 2-D, has non-finite samples, or
        would be clipped; if ``sample_rate`` is not positive; if the
        format, subtype or rate cannot be written.
    FileNotFoundError
        If the folder of ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = Path(tempfile.mkdtemp()) / "tone.flac"
    >>> t = np.arange(16000) / 16000
    >>> write_audio(path, 0.5 * np.sin(2 * np.pi * 440 * t), 16000)
    >>> audio_duration(path)
    1.0
    """
    path = as_path(path, "path")
    sample_rate = check_sample_rate(sample_rate)
    wave = np.asarray(wave)
    if wave.dtype.kind != "f":
        raise TypeError(
            "wave must be a floating-point array with samples in [-1, 1], "
            f"got dtype {wave.dtype}"
        )
    if wave.ndim not in (1, 2):
        raise ValueError(f"wave must have shape (T,) or (T, C), got shape {wave.shape}")
    if wave.size == 0:
        raise ValueError("wave is empty")
    if not np.all(np.isfinite(wave)):
        raise ValueError("wave has non-finite samples (NaN or inf)")
    fmt = _format_of(path)
    subtype = subtype if subtype is not None else soundfile.default_subtype(fmt)
    peak = float(np.max(np.abs(wave)))
    if peak > 1.0 and subtype.upper() not in _FLOAT_SUBTYPES:
        raise ValueError(
            f"wave has peak {peak:.3g} > 1 and would be clipped in {subtype}; "
            "scale it into [-1, 1] first"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"folder not found for audio file {path}: {path.parent}"
        )
    try:
        soundfile.write(path, wave, sample_rate, subtype=subtype, format=fmt)
    except (soundfile.LibsndfileError, ValueError, TypeError) as err:
        path.unlink(missing_ok=True)  # libsndfile may leave an empty file behind
        raise ValueError(
            f"cannot write {fmt} file {path} (subtype {subtype}, "
            f"{sample_rate} Hz): {err}"
        ) from err


def audio_duration(path: str | os.PathLike) -> float:
    """Duration of an audio file in seconds, read from its header.

    Parameters
    ----------
    path : str or os.PathLike
        An audio file that :func:`read_audio` can read.

    Returns
    -------
    float
        ``frames / sample_rate``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be decoded.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = Path(tempfile.mkdtemp()) / "half.wav"
    >>> write_audio(path, np.zeros(8000), 16000)
    >>> audio_duration(path)
    0.5
    """
    path = as_path(path, "path")
    if not path.is_file():
        raise FileNotFoundError(f"audio file not found: {path}")
    _format_of(path)
    try:
        info = soundfile.info(path)
    except soundfile.LibsndfileError as err:
        raise ValueError(f"cannot decode audio file {path}: {err}") from err
    return info.frames / info.samplerate
