"""slmsurvey.speech.audiovisual: lip track, mouth images, paired corpus."""

import math
from itertools import pairwise

import numpy as np
import pytest
import torch

from slmsurvey.speech import make_spoken_corpus, snr_db, synthesize
from slmsurvey.speech.audiovisual import (
    CAVITY,
    LIPS,
    SKIN,
    AudiovisualCorpus,
    lip_frames,
    make_audiovisual_corpus,
    mouth_opening,
    n_video_frames,
    video_to_audio_frames,
)

# Shapes: T samples, N video frames, M log-mel frames, S image side.

SR = 16000
SENTENCES = [
    "the dog often chases a big cat",
    "a small bird sees the children",
    "papa and mama walk home",
    "who would have thought so",
]


def _padded(text, pad_s=0.5):
    """``text`` spoken with ``pad_s`` seconds of silence on either side."""
    pause = np.zeros(round(pad_s * SR), np.float32)
    return np.concatenate([pause, synthesize(text), pause])


def _envelope(wave, fps=25.0):
    """RMS amplitude of ``wave`` in each video frame's interval."""
    N = n_video_frames(len(wave), SR, fps=fps)
    edges = np.round(np.arange(N + 1) * SR / fps).astype(int)
    x = wave.astype(np.float64)
    return np.array([np.sqrt(np.mean(x[a:b] ** 2)) for a, b in pairwise(edges)])


@pytest.fixture(scope="module")
def spoken():
    return make_spoken_corpus(
        SENTENCES,
        n_utterances=12,
        accents=["en-us", "en-gb"],
        speakers_per_accent=3,
        cache_dir=False,
    )


@pytest.fixture(scope="module")
def av(spoken):
    return make_audiovisual_corpus(spoken)


# --- frame counts and the lip track ------------------------------------------


@pytest.mark.parametrize("T", [1, 639, 640, 641, 16000, 16001, 40000])
@pytest.mark.parametrize("fps", [25.0, 30.0, 29.97])
def test_n_video_frames_is_ceil_of_duration_times_fps(T, fps):
    assert n_video_frames(T, SR, fps=fps) == math.ceil(T / SR * fps - 1e-9)


@pytest.mark.parametrize("T", [1000, 16000, 16001, 23456])
@pytest.mark.parametrize("fps", [25.0, 30.0])
def test_opening_has_one_value_per_video_frame_in_unit_interval(T, fps):
    wave = np.random.default_rng(T).standard_normal(T).astype(np.float32)
    o = mouth_opening(wave, SR, fps=fps)
    assert o.dtype == np.float32
    assert o.shape == (math.ceil(T / SR * fps - 1e-9),)
    assert o.min() >= 0 and o.max() == 1  # the loudest frame is fully open


def test_opening_is_shut_in_silence_and_open_on_a_vowel():
    wave = _padded("ah")
    o = mouth_opening(wave, SR)
    t = (np.arange(len(o)) + 0.5) / 25  # frame centres, seconds
    speech = np.flatnonzero(np.abs(wave) > 1e-3) / SR
    start, stop = speech[0], speech[-1]
    silent = (t < start - 0.1) | (t > stop + 0.1)  # > 4 sigma from any sound
    assert silent.sum() >= 20
    assert np.all(o[silent] == 0)
    voiced = (t > start + 0.05) & (t < stop - 0.05)
    assert voiced.sum() >= 3 and o[voiced].min() > 0.6


def test_a_loud_hiss_barely_opens_the_mouth():
    wave = _padded("ah. psst")  # a vowel, then a fricative as loud as -10 dB
    o = mouth_opening(wave, SR)
    level = 20 * np.log10(_envelope(wave) / _envelope(wave).max() + 1e-12)
    assert o.max() == 1  # the vowel
    hiss = (level > -15) & (np.arange(len(o)) > np.argmax(o) + 5)
    assert hiss.any() and o[hiss].max() < 0.2


def test_silent_wave_gives_closed_mouth():
    o = mouth_opening(np.zeros(8000, np.float32), SR)
    assert o.shape == (13,) and not o.any()


def test_opening_ignores_gain_and_is_deterministic():
    wave = _padded(SENTENCES[0])
    o = mouth_opening(wave, SR)
    np.testing.assert_array_equal(o, mouth_opening(wave.copy(), SR))
    np.testing.assert_allclose(mouth_opening(0.1 * wave, SR), o, atol=1e-5)
    np.testing.assert_allclose(mouth_opening(wave.astype(np.float64), SR), o, atol=1e-6)


@pytest.mark.parametrize("text", SENTENCES)
def test_opening_correlates_with_audio_level(text):
    wave = _padded(text, pad_s=0.2)
    o = mouth_opening(wave, SR)
    assert np.corrcoef(o, _envelope(wave))[0, 1] > 0.6


def test_lead_shifts_the_video_earlier_by_whole_frames():
    wave = _padded(SENTENCES[1])
    o = mouth_opening(wave, SR)
    for k in (1, 2, 3):
        lead = mouth_opening(wave, SR, lead_ms=40.0 * k)  # k frames at 25 fps
        np.testing.assert_allclose(lead[:-k], o[k:], atol=1e-5)
    lag = mouth_opening(wave, SR, lead_ms=-40.0)
    np.testing.assert_allclose(lag[1:], o[:-1], atol=1e-5)


def test_smoothing_makes_the_track_smoother():
    wave = _padded(SENTENCES[2])
    rough = np.abs(np.diff(mouth_opening(wave, SR, smooth_ms=5.0))).mean()
    smooth = np.abs(np.diff(mouth_opening(wave, SR, smooth_ms=40.0))).mean()
    assert smooth < rough


# --- mouth images ------------------------------------------------------------


def test_lip_frames_shape_range_and_symmetry():
    o = np.linspace(0, 1, 11)
    img = lip_frames(o, size=24)
    assert img.shape == (11, 24, 24) and img.dtype == np.float32
    assert img.min() >= CAVITY - 1e-6 and img.max() <= SKIN + 1e-6
    np.testing.assert_allclose(img, img[:, ::-1, :], atol=1e-6)  # top-bottom
    np.testing.assert_allclose(img, img[:, :, ::-1], atol=1e-6)  # left-right
    assert np.all(np.diff(img.mean(axis=(1, 2))) < 0)  # wider opening, darker
    assert img[0].min() >= LIPS - 1e-6  # shut: lips, no cavity
    assert img[-1].min() == pytest.approx(CAVITY)  # open: the dark cavity


@pytest.mark.parametrize("size", [16, 24, 48])
@pytest.mark.parametrize("width", [0.4, 0.7, 1.0])
def test_lip_area_matches_the_ellipse(size, width):
    # shut mouth: only the outer ellipse, semi-axes w S / 2 and 0.08 S
    img = lip_frames(np.zeros(1), size=size, width=width)[0]
    area = ((SKIN - img) / (SKIN - LIPS)).sum()  # pixels covered by lips
    expected = math.pi * (width * size / 2) * (0.08 * size)
    assert area == pytest.approx(expected, rel=0.05)


def test_lip_frames_width_track():
    o = np.full(3, 0.5)
    img = lip_frames(o, width=np.array([0.3, 0.6, 0.9]))
    lips_per_row = (img < SKIN - 0.1).sum(axis=2).max(axis=1)  # widest row
    assert np.all(np.diff(lips_per_row) > 0)
    np.testing.assert_array_equal(lip_frames(o, width=0.7), lip_frames(o))


# --- aligning the streams ----------------------------------------------------


@pytest.mark.parametrize("N", [1, 5, 26])
@pytest.mark.parametrize("extra", [-3, 0, 1])
def test_each_video_frame_covers_four_audio_frames(N, extra):
    video = np.arange(N)
    M = max(1, 4 * N + extra)
    up = video_to_audio_frames(video, M)
    expected = np.minimum(np.repeat(video, 4), N - 1)[:M]
    expected = np.concatenate([expected, np.full(M - len(expected), N - 1)])
    np.testing.assert_array_equal(up, expected)


def test_video_to_audio_frames_on_tensors_and_other_axes():
    frames = torch.arange(2 * 3 * 5, dtype=torch.float32).reshape(2, 3, 5)
    up = video_to_audio_frames(frames, 10, axis=1)  # (B, N, D) -> (B, M, D)
    assert isinstance(up, torch.Tensor) and up.shape == (2, 10, 5)
    assert torch.equal(up[:, 4:8], frames[:, 1:2].expand(2, 4, 5))
    np.testing.assert_array_equal(
        video_to_audio_frames(frames.numpy(), 10, axis=-2), up.numpy()
    )
    same = video_to_audio_frames(np.arange(4), 4, fps=100.0)  # equal rates
    np.testing.assert_array_equal(same, np.arange(4))


# --- the paired corpus -------------------------------------------------------


def test_corpus_streams_are_aligned(av, spoken):
    assert isinstance(av, AudiovisualCorpus) and len(av) == len(spoken)
    for i in range(len(av)):
        utt = av[i]
        T, M, N = len(utt.wave), len(utt.log_mel), len(utt.opening)
        assert utt.transcript == spoken.transcripts[i]
        assert utt.log_mel.shape == (M, 80) and M == 1 + T // 160  # 100 frames/s
        assert N == math.ceil(T / SR * 25 - 1e-9)  # 25 frames/s
        assert utt.frames.shape == (N, 24, 24)
        assert 0 <= 4 * N - M + 1 <= 4  # the streams end within a video frame
        assert video_to_audio_frames(utt.frames, M).shape == (M, 24, 24)
        assert utt.frames.min() >= 0 and utt.frames.max() <= 1
        np.testing.assert_array_equal(utt.frames, lip_frames(utt.opening))
        assert not utt.occluded.any()


def test_corpus_audio_noise_leaves_the_video_alone(av, spoken):
    noisy = make_audiovisual_corpus(spoken, audio_snr_db=5.0, seed=3)
    for i in range(len(av)):
        assert snr_db(spoken.waves[i], noisy.waves[i]) == pytest.approx(5.0, abs=1e-3)
        np.testing.assert_array_equal(noisy.frames[i], av.frames[i])
        np.testing.assert_array_equal(noisy.openings[i], av.openings[i])
    ranged = make_audiovisual_corpus(spoken, audio_snr_db=(0.0, 20.0))
    assert all(0 <= s <= 20 for s in ranged.snr_db)
    assert len(set(ranged.snr_db)) == len(ranged)
    # noise weakens the link between the audio's envelope and the lips, and
    # a lip track read off the noisy audio drifts away from the true one
    r, err = [], []
    for snr in (None, 10.0, 0.0, -10.0):
        c = make_audiovisual_corpus(spoken, audio_snr_db=snr)
        pairs = list(zip(c.openings, c.waves, strict=True))
        r.append(np.mean([np.corrcoef(o, _envelope(w))[0, 1] for o, w in pairs]))
        err.append(np.mean([np.abs(mouth_opening(w, SR) - o).mean() for o, w in pairs]))
    assert r[0] > 0.6 and np.all(np.diff(r) < 0)
    assert err[0] == 0 and np.all(np.diff(err) > 0)


def test_corpus_video_degradations(spoken):
    occ = make_audiovisual_corpus(spoken, occlusion=0.25, seed=1)
    for o, img, hidden in zip(occ.openings, occ.frames, occ.occluded, strict=True):
        assert hidden.sum() == round(0.25 * len(o))
        run = np.flatnonzero(hidden)
        assert np.all(np.diff(run) == 1)  # one contiguous run
        assert np.all(img[hidden] == 0.5)
        np.testing.assert_array_equal(img[~hidden], lip_frames(o)[~hidden])
    noisy = make_audiovisual_corpus(spoken, video_noise=0.3, seed=1)
    for o, img in zip(noisy.openings, noisy.frames, strict=True):
        assert img.min() >= 0 and img.max() <= 1 and img.dtype == np.float32
        residual = img - lip_frames(o)
        assert 0.2 < residual.std() < 0.3  # clipping trims the noise a little


def test_corpus_is_deterministic_and_seeded(spoken):
    kw = dict(audio_snr_db=(0.0, 10.0), video_noise=0.1, occlusion=0.2)
    a = make_audiovisual_corpus(spoken, seed=7, **kw)
    b = make_audiovisual_corpus(spoken, seed=7, **kw)
    c = make_audiovisual_corpus(spoken, seed=8, **kw)
    for i in range(len(a)):
        np.testing.assert_array_equal(a.waves[i], b.waves[i])
        np.testing.assert_array_equal(a.frames[i], b.frames[i])
    assert not np.array_equal(a.waves[0], c.waves[0])
    assert not np.array_equal(a.frames[0], c.frames[0])


def test_corpus_splits_subsets_and_batches(av, spoken):
    parts = [av.train, av.dev, av.test]
    assert sum(len(p) for p in parts) == len(av)
    assert av.test.spoken.speakers == spoken.test.speakers
    sub = av.subset([2, 0])
    np.testing.assert_array_equal(sub.frames[0], av.frames[2])
    assert sub[1].id == av[0].id and sub.transcripts == [
        av.transcripts[2],
        av.transcripts[0],
    ]
    batch = av.batch([0, 1, 2])
    M, N = batch.audio_lengths, batch.video_lengths
    assert batch.audio.shape == (3, int(M.max()), 80)
    assert batch.video.shape == (3, int(N.max()), 24, 24)
    for b in range(3):
        torch.testing.assert_close(batch.audio[b, : M[b]], av[b].log_mel)
        assert torch.all(batch.video[b, N[b] :] == 0)  # zero padding
    sizes = [len(x.transcripts) for x in av.batches(5, shuffle=True, seed=1)]
    assert sum(sizes) == len(av) and max(sizes) == 5


# --- bad input ---------------------------------------------------------------

WAVE = np.ones(1600, np.float32)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(wave=[0.0, 1.0]), TypeError, "wave must be a numpy array"),
        (dict(wave=np.ones((2, 8))), ValueError, "wave must be 1-D"),
        (dict(wave=np.arange(8)), TypeError, "wave must be float32 or float64"),
        (dict(wave=np.zeros(0)), ValueError, "wave must be 1-D"),
        (dict(wave=np.array([0.0, np.nan])), ValueError, "wave contains NaN"),
        (dict(sample_rate=16000.0), TypeError, "sample_rate must be an int"),
        (dict(sample_rate=0), ValueError, "sample_rate must be at least 1"),
        (dict(fps=0.0), ValueError, "fps must be finite and > 0"),
        (dict(fps="25"), TypeError, "fps must be a real number"),
        (dict(band=(500.0,)), ValueError, "band must be a"),
        (dict(band=(2500.0, 500.0)), ValueError, "band must have low < high"),
        (dict(band=(-1.0, 500.0)), ValueError, "band must be finite"),
        (dict(range_db=0.0), ValueError, "range_db must be finite and > 0"),
        (dict(smooth_ms=-5.0), ValueError, "smooth_ms must be finite and > 0"),
        (dict(lead_ms=math.inf), ValueError, "lead_ms must be finite"),
        (dict(lead_ms=True), TypeError, "lead_ms must be a real number"),
    ],
)
def test_mouth_opening_rejects_bad_input(kwargs, error, match):
    args = dict(wave=WAVE, sample_rate=SR) | kwargs
    wave, sample_rate = args.pop("wave"), args.pop("sample_rate")
    with pytest.raises(error, match=match):
        mouth_opening(wave, sample_rate, **args)


@pytest.mark.parametrize(
    ("opening", "kwargs", "error", "match"),
    [
        ([0.5], {}, TypeError, "opening must be a numpy array"),
        (np.zeros((2, 2)), {}, ValueError, "opening must be 1-D"),
        (np.zeros(0), {}, ValueError, "opening must be 1-D"),
        (np.array([0.5, 1.5]), {}, ValueError, r"opening must lie in \[0, 1\]"),
        (np.array([-0.1]), {}, ValueError, r"opening must lie in \[0, 1\]"),
        (np.zeros(2), dict(size=4), ValueError, "size must be at least 8"),
        (np.zeros(2), dict(size=24.0), TypeError, "size must be an int"),
        (np.zeros(2), dict(width=0.0), ValueError, r"width must lie in \(0, 1\]"),
        (np.zeros(2), dict(width=1.5), ValueError, r"width must lie in \(0, 1\]"),
        (np.zeros(2), dict(width=np.ones(3)), ValueError, "width has shape"),
        (np.zeros(2), dict(width="wide"), TypeError, "width must be a real number"),
    ],
)
def test_lip_frames_rejects_bad_input(opening, kwargs, error, match):
    with pytest.raises(error, match=match):
        lip_frames(opening, **kwargs)


@pytest.mark.parametrize(
    ("video", "kwargs", "error", "match"),
    [
        ([1, 2], {}, TypeError, "video must be an array or tensor"),
        (np.zeros((0, 3)), {}, ValueError, "video has no frames"),
        (np.zeros(3), dict(n_audio_frames=0), ValueError, "n_audio_frames must be at"),
        (np.zeros(3), dict(n_audio_frames=4.0), TypeError, "n_audio_frames must be an"),
        (np.zeros(3), dict(axis=1), ValueError, "axis must index one of video's"),
        (np.zeros(3), dict(fps=-25.0), ValueError, "fps must be finite and > 0"),
        (np.zeros(3), dict(frame_rate=0), ValueError, "frame_rate must be finite"),
    ],
)
def test_video_to_audio_frames_rejects_bad_input(video, kwargs, error, match):
    args = dict(n_audio_frames=8) | kwargs
    with pytest.raises(error, match=match):
        video_to_audio_frames(video, **args)


def test_n_video_frames_rejects_bad_input():
    with pytest.raises(ValueError, match="num_samples must be at least 1"):
        n_video_frames(0, SR)
    with pytest.raises(TypeError, match="num_samples must be an int"):
        n_video_frames(1.5, SR)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(audio_snr_db=math.nan), ValueError, "audio_snr_db must be finite"),
        (dict(audio_snr_db=(10.0, 0.0)), ValueError, "audio_snr_db must have low"),
        (dict(audio_snr_db="loud"), TypeError, "audio_snr_db must be a real"),
        (dict(video_noise=-0.1), ValueError, "video_noise must be finite and >= 0"),
        (dict(occlusion=1.5), ValueError, r"occlusion must be in \[0, 1\]"),
        (dict(occlusion=-0.5), ValueError, "occlusion must be finite and >= 0"),
        (dict(size=2), ValueError, "size must be at least 8"),
        (dict(n_mels=0), ValueError, "n_mels must be at least 1"),
        (dict(seed=-1), ValueError, "seed must be at least 0"),
        (dict(seed=1.0), TypeError, "seed must be an int"),
    ],
)
def test_make_audiovisual_corpus_rejects_bad_input(spoken, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_audiovisual_corpus(spoken.subset([0]), **kwargs)


def test_make_audiovisual_corpus_rejects_bad_corpora(spoken):
    with pytest.raises(TypeError, match="corpus must be a SpokenCorpus"):
        make_audiovisual_corpus(spoken.waves)
    with pytest.raises(ValueError, match="corpus has no utterances"):
        make_audiovisual_corpus(spoken.subset([]))
    noisy = make_spoken_corpus(["yes"], accents=["en-us"], speakers_per_accent=1,
                               snr_db=10.0, cache_dir=False)  # fmt: skip
    with pytest.raises(ValueError, match="corpus already has noise"):
        make_audiovisual_corpus(noisy)
    odd = spoken.subset([0])
    odd.sample_rate = 22050
    with pytest.raises(ValueError, match="sample_rate must be a multiple of 100"):
        make_audiovisual_corpus(odd)


def test_batch_rejects_empty_selection(av):
    with pytest.raises(ValueError, match="indices must select"):
        av.batch([])
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        next(av.batches(0))
