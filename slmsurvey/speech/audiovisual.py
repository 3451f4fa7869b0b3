r"""A generated audio-visual corpus: speech paired with a synthetic lip stream.

Audio-visual speech recognition reads the speaker's mouth as well as the
sound. Real corpora of this kind (GRID, LRS, VoxCeleb) are video recordings
of faces; here the video is *derived from the audio*, so a paired corpus can
be generated offline in seconds:

1. :func:`mouth_opening` turns a waveform into a lip track: one number in
   :math:`[0, 1]` per video frame, the smoothed level of the band where the
   first two formants of open vowels lie (eq. ``av-opening``);
2. :func:`lip_frames` draws each frame as a small grey image of a mouth whose
   height follows the track (eq. ``av-lips``);
3. :func:`make_audiovisual_corpus` does both for every utterance of a
   :class:`~slmsurvey.speech.corpus.SpokenCorpus` and can make either stream
   unreliable: noise on the audio at a chosen SNR, pixel noise or occlusion on
   the video (all seeded);
4. :func:`video_to_audio_frames` repeats each video frame so the two streams
   line up frame by frame (25 video frames/s against 100 log-mel frames/s).

What the model is, and is not
-----------------------------
The lip track is a *stand-in* for real lip movement. It is open when the
voice is loud in 500-2500 Hz (open vowels are loudest there), near closed in
silence and for fricatives such as /s/ (whose energy lies higher), and half
open for nasals such as /m/, which are in fact spoken with closed lips; the
brief closure of a /p/ between vowels is blurred by the smoothing. These are
limits of reading the mouth off the sound. Because the video is computed from
the clean audio, the two streams are correlated by construction; the visual
stream adds information only where the audio is degraded, which is the
situation audio-visual models are built for. In real speech the visible
articulation often starts before the sound it shapes; ``lead_ms`` shifts the
video earlier by a fixed amount to mimic that (real leads vary from sound to
sound).

Timing conventions
------------------
Video frame :math:`n` covers :math:`[n/\text{fps}, (n+1)/\text{fps})`
seconds and shows the mouth at the middle of that interval; an utterance of
:math:`T` samples at rate :math:`f_s` has :math:`N = \lceil T\,\text{fps} /
f_s \rceil` frames (:func:`n_video_frames`). Log-mel frame :math:`m` (hop
10 ms, ``center=True``) is centred at :math:`m / 100` seconds and falls in
video frame :math:`\lfloor m\, \text{fps} / 100 \rfloor`.

References
----------
Cooke, Barker, Cunningham & Shao (2006), "An audio-visual corpus for speech
perception and automatic speech recognition", JASA 120(5) (GRID).
Chung, Senior, Vinyals & Zisserman (2017), "Lip reading sentences in the
wild", CVPR, arXiv:1611.05358 (LRS).
McGurk & MacDonald (1976), "Hearing lips and seeing voices", Nature 264.
"""

# Shapes: T samples, N video frames, M audio (log-mel) frames, F mel bands,
#         S image side in pixels, W smoothing-window taps, B batch.

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from slmsurvey._checks import check_int, check_real, check_wave
from slmsurvey.speech.augment import add_noise
from slmsurvey.speech.corpus import SpokenCorpus
from slmsurvey.speech.features import log_mel_spectrogram

__all__ = [
    "AudiovisualBatch",
    "AudiovisualCorpus",
    "AudiovisualUtterance",
    "lip_frames",
    "make_audiovisual_corpus",
    "mouth_opening",
    "n_video_frames",
    "video_to_audio_frames",
]

SKIN, LIPS, CAVITY = 0.75, 0.35, 0.05  # grey levels of the drawn mouth
_SUPERSAMPLE = 4  # sub-pixels per pixel side (anti-aliasing)


def n_video_frames(num_samples: int, sample_rate: int, *, fps: float = 25.0) -> int:
    r"""Number of video frames of a clip: :math:`N = \lceil T\,\text{fps}/f_s\rceil`.

    Examples
    --------
    >>> n_video_frames(16000, 16000), n_video_frames(16001, 16000)
    (25, 26)
    """
    T = check_int(num_samples, "num_samples", 1)
    f_s = check_int(sample_rate, "sample_rate", 1)
    fps = check_real(fps, "fps", low=0.0, open_low=True)
    return max(1, math.ceil(T * fps / f_s - 1e-9))


def mouth_opening(
    wave: np.ndarray,
    sample_rate: int,
    *,
    fps: float = 25.0,
    band: tuple[float, float] = (500.0, 2500.0),
    range_db: float = 30.0,
    smooth_ms: float = 20.0,
    lead_ms: float = 0.0,
) -> np.ndarray:
    r"""A synthetic lip track: how open the mouth is in each video frame.

    The waveform :math:`x` is band-passed to ``band`` (zeroing the other FFT
    bins) to give :math:`y`; its power is smoothed by a Gaussian of width
    :math:`\sigma` = ``smooth_ms`` around the frame's time
    :math:`\tau_n = (n + \tfrac12)/\text{fps} + \ell` (:math:`\ell` =
    ``lead_ms``), turned into decibels, and mapped linearly from
    :math:`R` = ``range_db`` below the utterance's loudest frame (closed, 0)
    up to that frame (open, 1):

    .. math::

        e_n = \sum_t \exp\!\Big(-\frac{(t/f_s - \tau_n)^2}{2\sigma^2}\Big)
              y[t]^2, \qquad
        o_n = \operatorname{clip}\Big(1 + \frac{10\log_{10} e_n
              - \max_k 10\log_{10} e_k}{R},\ 0,\ 1\Big)

    The track does not depend on the recording's gain, and is all zeros for a
    silent waveform. See the module notes for what this stand-in models.

    Parameters
    ----------
    wave : numpy.ndarray, shape (T,)
        The *clean* waveform (noise would open the mouth in pauses).
    sample_rate : int
        :math:`f_s` in Hz.
    fps : float
        Video frame rate; there are :func:`n_video_frames` frames.
    band : (low, high)
        Pass band in Hz, :math:`0 \le` low :math:`<` high.
    range_db : float
        :math:`R > 0`: levels more than this far below the peak count as shut.
    smooth_ms : float
        :math:`\sigma > 0` in ms: lips cannot follow the sound's fast changes.
    lead_ms : float
        :math:`\ell`: frame :math:`n` shows the mouth as it is :math:`\ell`
        ms later in the audio, so a positive lead makes the video run ahead.

    Returns
    -------
    numpy.ndarray, shape (N,), float32
        :math:`o_n \in [0, 1]`.

    Examples
    --------
    >>> from slmsurvey.speech import synthesize
    >>> pause = np.zeros(8000, np.float32)  # half a second of silence
    >>> wave = np.concatenate([pause, synthesize("ah"), pause])
    >>> o = mouth_opening(wave, 16000)
    >>> o.shape == (n_video_frames(len(wave), 16000),), float(o.max())
    (True, 1.0)
    >>> float(o[:5].max()), bool(o[len(o) // 2] > 0.5)  # shut, then open
    (0.0, True)
    """
    x = check_wave(wave)
    f_s = check_int(sample_rate, "sample_rate", 1)
    fps = check_real(fps, "fps", low=0.0, open_low=True)
    if not isinstance(band, tuple | list) or len(band) != 2:
        raise ValueError(f"band must be a (low, high) pair in Hz, got {band!r}")
    lo, hi = (check_real(b, "band", low=0.0) for b in band)
    if not lo < hi:
        raise ValueError(f"band must have low < high, got {band!r}")
    R = check_real(range_db, "range_db", low=0.0, open_low=True)
    sigma = check_real(smooth_ms, "smooth_ms", low=0.0, open_low=True) / 1000
    lead = check_real(lead_ms, "lead_ms") / 1000

    T, N = x.shape[0], n_video_frames(x.shape[0], f_s, fps=fps)
    L = 1 << (T - 1).bit_length()  # FFT length: a power of two >= T, fast
    X = np.fft.rfft(x.astype(np.float64), L)  # (L // 2 + 1,)
    freqs = np.fft.rfftfreq(L, 1 / f_s)
    y = np.fft.irfft(X * ((freqs >= lo) & (freqs <= hi)), L)[:T]  # band-passed
    power = np.append(y * y, 0.0)  # (T + 1,); index T stands for "outside"

    tau = (np.arange(N) + 0.5) / fps + lead  # (N,) seconds
    half = math.ceil(4 * sigma * f_s)
    t = np.round(tau * f_s).astype(np.int64)[:, None] + np.arange(-half, half + 1)
    g = np.exp(-0.5 * ((t / f_s - tau[:, None]) / sigma) ** 2)  # (N, W)
    t[(t < 0) | (t >= T)] = T  # outside the recording: silence
    e = (g * power[t]).sum(axis=1)  # (N,) eq. (av-opening), left
    if not e.max() > 0:
        return np.zeros(N, np.float32)
    level = 10 * np.log10(np.maximum(e / e.max(), 1e-30))  # (N,) dB re. peak
    return np.clip(1 + level / R, 0, 1).astype(np.float32)  # eq. (av-opening)


def lip_frames(
    opening: np.ndarray, *, size: int = 24, width: float | np.ndarray | None = None
) -> np.ndarray:
    r"""Draw each frame's mouth as a grey ``size`` x ``size`` image.

    The mouth is two centred ellipses: the lips (outer) and the dark opening
    between them (inner). With image side :math:`S`, lip thickness
    :math:`h = 0.08 S`, width :math:`w` and opening :math:`o_n`:

    .. math::

        \text{outer: } A = \tfrac{w S}{2},\ B = h + b_n; \qquad
        \text{inner: } a = \max(A - h, 0),\ b_n = 0.2\, S\, o_n

    A pixel's value mixes skin (0.75), lips (0.35) and mouth cavity (0.05) in
    proportion to how much of it each covers (4 x 4 sub-pixels), so a wider
    opening gives a darker image. At :math:`o_n = 0` only the closed lips are
    seen.

    Parameters
    ----------
    opening : numpy.ndarray, shape (N,)
        :math:`o_n \in [0, 1]`, e.g. from :func:`mouth_opening`.
    size : int
        :math:`S \ge 8`.
    width : float or numpy.ndarray of shape (N,), optional
        Mouth width :math:`w \in (0, 1]` as a fraction of :math:`S`, one
        value or one per frame (e.g. narrower for rounded vowels); default 0.7.

    Returns
    -------
    numpy.ndarray, shape (N, S, S), float32
        Values in :math:`[0.05, 0.75] \subset [0, 1]`; row 0 is the top.

    Examples
    --------
    >>> img = lip_frames(np.array([0.0, 1.0]), size=16)
    >>> img.shape, bool(img[1].mean() < img[0].mean())  # open is darker
    ((2, 16, 16), True)
    >>> float(img[0, 0, 0])  # the corner is skin
    0.75
    """
    if not isinstance(opening, np.ndarray):
        raise TypeError(f"opening must be a numpy array, got {type(opening).__name__}")
    o = opening.astype(np.float64)
    if o.ndim != 1 or o.size == 0 or not np.isfinite(o).all():
        raise ValueError(f"opening must be 1-D, non-empty and finite, got {o.shape}")
    if o.min() < 0 or o.max() > 1:
        raise ValueError("opening must lie in [0, 1]")
    S = check_int(size, "size", 8)
    if width is None:
        w = np.full(o.shape, 0.7)
    elif isinstance(width, np.ndarray):
        if width.shape != o.shape:
            raise ValueError(f"width has shape {width.shape}, opening {o.shape}")
        w = width.astype(np.float64)
    else:
        w = np.full(o.shape, check_real(width, "width"))
    if not (np.isfinite(w).all() and w.min() > 0 and w.max() <= 1):
        raise ValueError("width must lie in (0, 1]")

    k = _SUPERSAMPLE
    c = (np.arange(S * k) + 0.5) / k - S / 2  # (S k,) sub-pixel centres
    yy, xx = c[None, :, None] ** 2, c[None, None, :] ** 2  # (1, S k, 1), (1, 1, S k)
    h = 0.08 * S
    A, b = (w * S / 2)[:, None, None], (0.2 * S * o)[:, None, None]  # (N, 1, 1)
    a, B = np.maximum(A - h, 0), h + b
    outer = xx / A**2 + yy / B**2 <= 1  # (N, S k, S k)
    inner = (xx / np.maximum(a, 1e-9) ** 2 + yy / np.maximum(b, 1e-9) ** 2 <= 1) & (
        b > 0
    )
    # eq. (av-lips): coverage of each pixel by lips and by the cavity
    cover_out = outer.reshape(-1, S, k, S, k).mean(axis=(2, 4))  # (N, S, S)
    cover_in = inner.reshape(-1, S, k, S, k).mean(axis=(2, 4))  # (N, S, S)
    img = SKIN + (LIPS - SKIN) * cover_out + (CAVITY - LIPS) * cover_in
    return img.astype(np.float32)


def video_to_audio_frames(
    video: np.ndarray | torch.Tensor,
    n_audio_frames: int,
    *,
    fps: float = 25.0,
    frame_rate: float = 100.0,
    axis: int = 0,
) -> np.ndarray | torch.Tensor:
    r"""Repeat video frames so that there is one per audio frame.

    Audio frame :math:`m` (centred at :math:`m / r` s, :math:`r` =
    ``frame_rate``) takes the video frame whose interval contains that
    instant, or the last one past the end:

    .. math::

        n(m) = \min\big(\lfloor m\, \text{fps} / r \rfloor,\ N - 1\big)

    At 25 fps and 100 frames/s every video frame is used for 4 audio frames.
    (The other way to line the streams up is to stack 4 audio frames into
    one vector per video frame.)

    Parameters
    ----------
    video : numpy.ndarray or torch.Tensor, shape (..., N, ...)
        Anything with the video frames along ``axis``: a track (N,), frames
        (N, S, S) or a batch (B, N, D) with ``axis=1``.
    n_audio_frames : int
        :math:`M`, e.g. the number of log-mel frames.
    fps, frame_rate : float
        Frame rates of the video and of the audio features.
    axis : int
        The video-frame axis.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Same type as ``video``, with :math:`M` frames along ``axis``.

    Examples
    --------
    >>> video_to_audio_frames(np.array([10, 20, 30]), 13).tolist()
    [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30, 30]
    """
    if not isinstance(video, np.ndarray | torch.Tensor):
        raise TypeError(f"video must be an array or tensor, got {type(video).__name__}")
    M = check_int(n_audio_frames, "n_audio_frames", 1)
    fps = check_real(fps, "fps", low=0.0, open_low=True)
    r = check_real(frame_rate, "frame_rate", low=0.0, open_low=True)
    if not isinstance(axis, int) or not -video.ndim <= axis < video.ndim:
        raise ValueError(
            f"axis must index one of video's {video.ndim} axes, got {axis}"
        )
    N = video.shape[axis]
    if N == 0:
        raise ValueError("video has no frames along axis")
    n = np.minimum(np.floor(np.arange(M) * fps / r + 1e-9).astype(np.int64), N - 1)
    if isinstance(video, torch.Tensor):
        return video.index_select(axis, torch.from_numpy(n).to(video.device))
    return np.take(video, n, axis=axis)


@dataclass(frozen=True)
class AudiovisualUtterance:
    """One utterance of an :class:`AudiovisualCorpus`, both streams.

    Examples
    --------
    >>> from slmsurvey.speech import make_spoken_corpus
    >>> spoken = make_spoken_corpus(["yes"], accents=["en-us"],
    ...                             speakers_per_accent=1, cache_dir=False)
    >>> utt = make_audiovisual_corpus(spoken)[0]
    >>> utt.transcript, utt.frames.shape[1:], len(utt.occluded) == len(utt.opening)
    ('yes', (24, 24), True)
    """

    id: str
    transcript: str
    speaker: str
    wave: np.ndarray  # (T,) the audio stream (noisy if the corpus adds noise)
    log_mel: torch.Tensor  # (M, F), 100 frames/s
    opening: np.ndarray  # (N,) the clean lip track, 25 frames/s
    frames: np.ndarray  # (N, S, S) what the camera sees (noise, occlusion)
    occluded: np.ndarray  # (N,) bool: frames hidden by the occluder


@dataclass
class AudiovisualBatch:
    """Padded audio features ``(B, M, F)`` and video ``(B, N, S, S)``, lengths.

    Examples
    --------
    >>> from slmsurvey.speech import make_spoken_corpus
    >>> spoken = make_spoken_corpus(["yes", "no"], accents=["en-us"],
    ...                             speakers_per_accent=1, cache_dir=False)
    >>> batch = make_audiovisual_corpus(spoken).batch([0, 1])
    >>> batch.audio.shape[2], tuple(batch.video.shape[2:]), batch.transcripts
    (80, (24, 24), ['yes', 'no'])
    >>> int(batch.video_lengths.max()) == batch.video.shape[1]
    True
    """

    audio: torch.Tensor
    audio_lengths: torch.Tensor
    video: torch.Tensor
    video_lengths: torch.Tensor
    transcripts: list[str]
    speakers: list[str]


@dataclass
class AudiovisualCorpus:
    """A :class:`SpokenCorpus` with a lip stream for every utterance.

    ``spoken`` holds the clean audio and the labels; ``waves`` the audio
    stream (noisy if ``audio_snr_db`` was set); ``openings`` the lip tracks
    and ``frames`` the (possibly degraded) mouth images at ``fps``.

    Examples
    --------
    >>> from slmsurvey.speech import make_spoken_corpus
    >>> spoken = make_spoken_corpus(["yes", "no"], accents=["en-us"],
    ...                             speakers_per_accent=1, cache_dir=False)
    >>> av = make_audiovisual_corpus(spoken)
    >>> len(av), av.fps, av.transcripts, av.log_mel(0).shape[1]
    (2, 25.0, ['yes', 'no'], 80)
    """

    spoken: SpokenCorpus
    waves: list[np.ndarray]
    openings: list[np.ndarray]
    frames: list[np.ndarray]
    occluded: list[np.ndarray]
    fps: float = 25.0
    n_mels: int = 80
    snr_db: list[float | None] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.waves)

    def __repr__(self) -> str:
        minutes = sum(len(w) for w in self.waves) / self.sample_rate / 60
        side = self.frames[0].shape[-1] if self.frames else 0
        snrs = [s for s in self.snr_db if s is not None]
        audio = f"SNR {min(snrs):.1f} to {max(snrs):.1f} dB" if snrs else "clean audio"
        return (
            f"AudiovisualCorpus({len(self)} utterances, {minutes:.1f} min, "
            f"{audio}, video {self.fps:g} fps of {side}x{side} pixels)"
        )

    @property
    def sample_rate(self) -> int:
        return self.spoken.sample_rate

    @property
    def transcripts(self) -> list[str]:
        return self.spoken.transcripts

    def log_mel(self, i: int) -> torch.Tensor:
        """Log-mel features ``(M, F)`` of utterance ``i``: 25 ms frames, 10 ms hop."""
        f_s = self.sample_rate
        wave = torch.from_numpy(self.waves[i])
        S = log_mel_spectrogram(wave, f_s, n_fft=f_s // 40, hop_length=f_s // 100,
                                n_mels=self.n_mels)  # fmt: skip
        return S.T  # (F, M) -> (M, F)

    def __getitem__(self, i: int) -> AudiovisualUtterance:
        records = self.spoken.records
        return AudiovisualUtterance(
            records[i]["id"] if records else f"utt{i:05d}",
            self.spoken.transcripts[i], self.spoken.speakers[i], self.waves[i],
            self.log_mel(i), self.openings[i], self.frames[i], self.occluded[i],
        )  # fmt: skip

    def subset(self, indices: Sequence[int]) -> AudiovisualCorpus:
        """The utterances at ``indices``, in that order."""
        pick = list(indices)
        return AudiovisualCorpus(
            self.spoken.subset(pick), [self.waves[i] for i in pick],
            [self.openings[i] for i in pick], [self.frames[i] for i in pick],
            [self.occluded[i] for i in pick], self.fps, self.n_mels,
            [self.snr_db[i] for i in pick] if self.snr_db else [],
        )  # fmt: skip

    def _split(self, name: str) -> AudiovisualCorpus:
        return self.subset([i for i, s in enumerate(self.spoken.splits) if s == name])

    @property
    def train(self) -> AudiovisualCorpus:
        return self._split("train")

    @property
    def dev(self) -> AudiovisualCorpus:
        return self._split("dev")

    @property
    def test(self) -> AudiovisualCorpus:
        return self._split("test")

    def batch(self, indices: Sequence[int]) -> AudiovisualBatch:
        """Zero-padded log-mel ``(B, M, F)`` and frames ``(B, N, S, S)``."""
        pick = list(indices)
        if not pick:
            raise ValueError("indices must select at least one utterance")
        mels = [self.log_mel(i) for i in pick]  # each (M_i, F)
        video = [torch.from_numpy(self.frames[i]) for i in pick]  # each (N_i, S, S)
        pad = torch.nn.utils.rnn.pad_sequence
        return AudiovisualBatch(
            pad(mels, batch_first=True), torch.tensor([len(m) for m in mels]),
            pad(video, batch_first=True), torch.tensor([len(v) for v in video]),
            [self.spoken.transcripts[i] for i in pick],
            [self.spoken.speakers[i] for i in pick],
        )  # fmt: skip

    def batches(
        self, batch_size: int, *, shuffle: bool = False, seed: int = 0
    ) -> Iterator[AudiovisualBatch]:
        """Iterate over batches of ``batch_size`` utterances."""
        size = check_int(batch_size, "batch_size", 1)
        order = np.arange(len(self))
        if shuffle:
            np.random.default_rng(seed).shuffle(order)
        for start in range(0, len(order), size):
            yield self.batch(order[start : start + size].tolist())


def make_audiovisual_corpus(
    corpus: SpokenCorpus,
    *,
    fps: float = 25.0,
    size: int = 24,
    lead_ms: float = 0.0,
    audio_snr_db: float | tuple[float, float] | None = None,
    video_noise: float = 0.0,
    occlusion: float = 0.0,
    n_mels: int = 80,
    seed: int = 0,
) -> AudiovisualCorpus:
    r"""Pair every utterance of a clean spoken corpus with a lip stream.

    The lip track comes from the clean audio (:func:`mouth_opening`) and is
    drawn with :func:`lip_frames`; then each stream may be degraded,
    independently, by a generator seeded with ``(seed, i)`` for the
    :math:`i`-th utterance:

    - audio: white noise at ``audio_snr_db``
      (:func:`~slmsurvey.speech.augment.add_noise`), one SNR or one drawn
      uniformly from ``(low, high)`` per utterance;
    - video: a grey occluder (value 0.5) over a run of
      :math:`\operatorname{round}(\text{occlusion} \cdot N)` consecutive
      frames at a random place, then Gaussian pixel noise of standard
      deviation ``video_noise``, clipped to :math:`[0, 1]`.

    Parameters
    ----------
    corpus : SpokenCorpus
        From :func:`~slmsurvey.speech.corpus.make_spoken_corpus`, *without*
        its ``snr_db`` (the video must come from clean audio: add audio noise
        here). Its sample rate must be a multiple of 100 Hz (10 ms hop).
    fps, lead_ms :
        As in :func:`mouth_opening`.
    size : int
        Image side :math:`S` of :func:`lip_frames`.
    audio_snr_db : float or (low, high), optional
        Noise on the audio stream, in dB.
    video_noise : float
        Standard deviation of the pixel noise, :math:`\ge 0`.
    occlusion : float
        Share of each utterance's frames hidden, in :math:`[0, 1]`.
    n_mels : int
        Mel bands of :meth:`AudiovisualCorpus.log_mel`.
    seed : int

    Returns
    -------
    AudiovisualCorpus

    Examples
    --------
    >>> from slmsurvey.speech import make_spoken_corpus
    >>> spoken = make_spoken_corpus(["yes", "no"], accents=["en-us"],
    ...                             speakers_per_accent=1, cache_dir=False)
    >>> av = make_audiovisual_corpus(spoken, audio_snr_db=10.0)
    >>> utt = av[0]
    >>> utt.frames.shape[1:], utt.log_mel.shape[1]
    ((24, 24), 80)
    >>> len(utt.opening) == n_video_frames(len(utt.wave), 16000)
    True
    """
    if not isinstance(corpus, SpokenCorpus):
        raise TypeError(f"corpus must be a SpokenCorpus, got {type(corpus).__name__}")
    if len(corpus) == 0:
        raise ValueError("corpus has no utterances")
    if any(r.get("snr_db") is not None for r in corpus.records):
        raise ValueError("corpus already has noise (snr_db); the lip stream needs "
                         "clean audio: pass audio_snr_db here instead")  # fmt: skip
    if corpus.sample_rate % 100:
        raise ValueError(f"corpus.sample_rate must be a multiple of 100 Hz, "
                         f"got {corpus.sample_rate}")  # fmt: skip
    if audio_snr_db is not None:
        low, high = (
            (audio_snr_db, audio_snr_db)
            if not isinstance(audio_snr_db, tuple | list)
            else audio_snr_db
        )
        low, high = check_real(low, "audio_snr_db"), check_real(high, "audio_snr_db")
        if low > high:
            raise ValueError(f"audio_snr_db must have low <= high, got {audio_snr_db}")
    sigma = check_real(video_noise, "video_noise", low=0.0)
    share = check_real(occlusion, "occlusion", low=0.0)
    if share > 1:
        raise ValueError(f"occlusion must be in [0, 1], got {occlusion}")
    check_int(size, "size", 8)
    check_int(n_mels, "n_mels", 1)
    seed = check_int(seed, "seed", 0)

    waves, openings, frames, occluded, snrs = [], [], [], [], []
    for i, clean in enumerate(corpus.waves):
        rng = np.random.default_rng([seed, i])
        o = mouth_opening(clean, corpus.sample_rate, fps=fps, lead_ms=lead_ms)
        img = lip_frames(o, size=size)  # (N, S, S)
        hidden = np.zeros(len(o), dtype=bool)
        n_hidden = round(share * len(o))
        if n_hidden:
            start = int(rng.integers(0, len(o) - n_hidden + 1))
            hidden[start : start + n_hidden] = True
            img[hidden] = 0.5
        if sigma > 0:
            img = np.clip(img + sigma * rng.standard_normal(img.shape), 0, 1)
        snr = None
        wave = clean
        if audio_snr_db is not None and np.any(clean):
            snr = float(rng.uniform(low, high)) if low < high else low
            wave = add_noise(clean, snr, rng)
        waves.append(wave)
        openings.append(o)
        frames.append(img.astype(np.float32))
        occluded.append(hidden)
        snrs.append(snr)
    return AudiovisualCorpus(
        corpus, waves, openings, frames, occluded, float(fps), n_mels, snrs
    )
