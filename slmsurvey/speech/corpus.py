"""Spoken corpora generated on the spot: sentences x speakers x accents (x noise).

:func:`make_spoken_corpus` renders sentences with espeak-ng (see
:mod:`slmsurvey.speech.tts`) in several accents and by several speakers. A
*speaker* is an accent's voice with one of espeak-ng's voice variants (``m1``,
``f3``, ...) and its own pitch and speaking rate, so the same speaker always
sounds the same. The corpus keeps who said what in which accent, splits into
train/dev/test by speaker (test speakers are never heard in training) or by
sentence, and hands out padded feature batches.

Cache layout
------------
Audio is cached so that a second call with the same arguments is fast::

    <cache_dir>/spoken/<key>/
        manifest.json   arguments, slmsurvey version, one record per utterance
                        (id, transcript, speaker, accent, voice, pitch, rate,
                        snr_db, split, offset, length)
        audio.npy       all waveforms, float32, concatenated

``<key>`` is a hash of the arguments. ``cache_dir`` defaults to the
environment variable ``SLMSURVEY_CACHE``, else ``~/.cache/slmsurvey``;
``cache_dir=False`` turns caching off. Delete the folder to regenerate.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from slmsurvey.speech.augment import add_noise
from slmsurvey.speech.features import log_mel_spectrogram, mfcc, pad_batch
from slmsurvey.speech.tts import ENGLISH_ACCENTS, synthesize

__all__ = ["Batch", "Speaker", "SpokenCorpus", "make_speakers", "make_spoken_corpus"]

VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
_FORMAT = 1  # bump when the cache layout or the rendering changes


@dataclass(frozen=True)
class Speaker:
    """One synthetic speaker: an accent's voice, a variant, a pitch and a rate.

    Examples
    --------
    >>> speaker = Speaker("scot-0", "en-gb-scotland", "f3", pitch=60, rate=170)
    >>> speaker.voice
    'en-gb-scotland+f3'
    """

    id: str
    accent: str
    variant: str
    pitch: int
    rate: int

    @property
    def voice(self) -> str:
        """The espeak-ng voice name, e.g. ``"en-gb-scotland+f3"``."""
        return f"{self.accent}+{self.variant}"


def make_speakers(
    accents: Sequence[str] = ENGLISH_ACCENTS,
    per_accent: int = 4,
    *,
    seed: int = 0,
    pitch_range: tuple[int, int] = (30, 70),
    rate_range: tuple[int, int] = (140, 200),
) -> list[Speaker]:
    """Draw ``per_accent`` distinct speakers for each accent.

    Examples
    --------
    >>> [s.voice for s in make_speakers(["en-us"], 2, seed=0)]
    ['en-us+f3', 'en-us+f1']
    """
    if isinstance(accents, str) or not accents:
        raise ValueError("accents must be a non-empty list of voice names")
    if not 1 <= per_accent <= len(VARIANTS):
        raise ValueError(f"per_accent must be in 1..{len(VARIANTS)}, got {per_accent}")
    rng = np.random.default_rng(seed)
    speakers = []
    for accent in accents:
        for k, variant in enumerate(rng.choice(VARIANTS, per_accent, replace=False)):
            speakers.append(
                Speaker(
                    id=f"{accent}-{k}",
                    accent=accent,
                    variant=str(variant),
                    pitch=int(rng.integers(*pitch_range, endpoint=True)),
                    rate=int(rng.integers(*rate_range, endpoint=True)),
                )
            )
    return speakers


@dataclass
class Batch:
    """Padded features of a batch of utterances.

    ``features`` (B, N, F) with N the longest utterance's frame count,
    ``lengths`` (B,) the true frame counts, plus the labels.

    Examples
    --------
    >>> corpus = make_spoken_corpus(["yes", "no", "go"], accents=["en-us"],
    ...                             speakers_per_accent=1, cache_dir=False)
    >>> batch = next(corpus.batches(2, n_mels=40))
    >>> batch.features.shape[2], batch.transcripts, batch.accents
    (40, ['yes', 'no'], ['en-us', 'en-us'])
    >>> int(batch.lengths.max()) == batch.features.shape[1]
    True
    """

    features: torch.Tensor
    lengths: torch.Tensor
    transcripts: list[str]
    speakers: list[str]
    accents: list[str]


@dataclass
class SpokenCorpus:
    """Waveforms with their transcripts, speakers, accents and split.

    Index it, take ``len()``, or use ``.train``, ``.dev`` and ``.test`` for
    the subsets; :meth:`features` and :meth:`batches` turn audio into padded
    log-mel or MFCC tensors.

    Examples
    --------
    >>> corpus = make_spoken_corpus(["yes", "no", "stop", "go"], accents=["en-us"],
    ...                             speakers_per_accent=2, cache_dir=False)
    >>> len(corpus), corpus.transcripts[:2], len(set(corpus.speakers))
    (4, ['yes', 'no'], 2)
    >>> bool((corpus.durations() > 0.1).all())
    True
    >>> len(corpus.train) + len(corpus.dev) + len(corpus.test) == len(corpus)
    True
    """

    waves: list[np.ndarray]
    transcripts: list[str]
    speakers: list[str]
    accents: list[str]
    splits: list[str]
    sample_rate: int = 16000
    records: list[dict] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.waves)

    def __repr__(self) -> str:
        counts = {s: self.splits.count(s) for s in ("train", "dev", "test")}
        hours = sum(len(w) for w in self.waves) / self.sample_rate / 3600
        return (
            f"SpokenCorpus({len(self)} utterances, {hours * 60:.1f} min, "
            f"{len(set(self.speakers))} speakers, {len(set(self.accents))} accents, "
            f"split {counts})"
        )

    def subset(self, indices: Sequence[int]) -> SpokenCorpus:
        """The utterances at ``indices``, in that order."""
        pick = list(indices)
        return SpokenCorpus(
            [self.waves[i] for i in pick],
            [self.transcripts[i] for i in pick],
            [self.speakers[i] for i in pick],
            [self.accents[i] for i in pick],
            [self.splits[i] for i in pick],
            self.sample_rate,
            [self.records[i] for i in pick] if self.records else [],
        )

    def _split(self, name: str) -> SpokenCorpus:
        return self.subset([i for i, s in enumerate(self.splits) if s == name])

    @property
    def train(self) -> SpokenCorpus:
        return self._split("train")

    @property
    def dev(self) -> SpokenCorpus:
        return self._split("dev")

    @property
    def test(self) -> SpokenCorpus:
        return self._split("test")

    def durations(self) -> np.ndarray:
        """Duration of each utterance in seconds."""
        return np.array([len(w) / self.sample_rate for w in self.waves])

    def features(
        self, kind: str = "log_mel", indices: Sequence[int] | None = None, **kwargs
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded features ``(B, N, F)`` and frame counts ``(B,)``.

        ``kind`` is ``"log_mel"`` (:func:`log_mel_spectrogram`) or ``"mfcc"``
        (:func:`mfcc`); keyword arguments go to that function. Padding frames
        are zero.
        """
        if kind not in ("log_mel", "mfcc"):
            raise ValueError(f"kind must be 'log_mel' or 'mfcc', got {kind!r}")
        pick = range(len(self)) if indices is None else list(indices)
        if not len(pick):
            raise ValueError("no utterances to compute features for")
        fn = log_mel_spectrogram if kind == "log_mel" else mfcc
        feats = [
            fn(torch.from_numpy(self.waves[i]), self.sample_rate, **kwargs).T
            for i in pick
        ]  # each (N_i, F)
        lengths = torch.tensor([f.shape[0] for f in feats])
        padded = torch.nn.utils.rnn.pad_sequence(feats, batch_first=True)  # (B, N, F)
        return padded, lengths

    def waveforms(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero-padded waveforms ``(B, T)`` and their lengths ``(B,)``."""
        return pad_batch([torch.from_numpy(w) for w in self.waves])

    def batches(
        self,
        batch_size: int,
        *,
        kind: str = "log_mel",
        shuffle: bool = False,
        seed: int = 0,
        **kwargs,
    ) -> Iterator[Batch]:
        """Iterate over :class:`Batch` es of ``batch_size`` utterances."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        order = np.arange(len(self))
        if shuffle:
            np.random.default_rng(seed).shuffle(order)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size].tolist()
            feats, lengths = self.features(kind, idx, **kwargs)
            yield Batch(
                feats,
                lengths,
                [self.transcripts[i] for i in idx],
                [self.speakers[i] for i in idx],
                [self.accents[i] for i in idx],
            )


def make_spoken_corpus(
    text: Sequence[str] | object,
    *,
    n_utterances: int | None = None,
    accents: Sequence[str] = ENGLISH_ACCENTS[:3],
    speakers_per_accent: int = 5,
    snr_db: float | tuple[float, float] | None = None,
    split_by: str = "speaker",
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    sample_rate: int = 16000,
    seed: int = 0,
    cache_dir: str | os.PathLike | bool | None = None,
) -> SpokenCorpus:
    """Render sentences as speech by several speakers and accents.

    Parameters
    ----------
    text : list of str, or an object with ``sample(n, seed=...)``
        The sentences (or words) to say, e.g. a list of strings, or a
        :class:`slmsurvey.text.ToyGrammar` to draw ``n_utterances`` from.
    n_utterances : int, optional
        How many utterances; by default one per sentence of ``text``.
        Sentences are cycled if there are fewer than this. Speakers take
        turns in a shuffled order, so each says about the same number.
    accents, speakers_per_accent :
        Each accent gets that many speakers (see :func:`make_speakers`);
        utterances are assigned to speakers in turn. With at least three
        speakers per accent, every accent has speakers in every split.
    snr_db : float or (low, high), optional
        Add white noise at this signal-to-noise ratio, or at one drawn
        uniformly from the range for each utterance.
    split_by : {"speaker", "sentence"}
        ``"speaker"``: each speaker's utterances all go to one split (the
        speakers of each accent are spread over the splits when there are
        enough of them); ``"sentence"``: each distinct sentence's utterances
        go to one split.
    fractions : (train, dev, test)
        Share of speakers (or sentences) per split.
    sample_rate : int
    seed : int
        Same arguments and seed give identical audio.
    cache_dir : path, False or None
        See the module's cache layout; False disables caching.

    Examples
    --------
    >>> corpus = make_spoken_corpus(["yes", "no", "stop", "go"],
    ...                             accents=["en-us", "en-gb"],
    ...                             speakers_per_accent=2, cache_dir=False)
    >>> len(corpus), sorted(set(corpus.accents))
    (4, ['en-gb', 'en-us'])
    >>> feats, lengths = corpus.features("log_mel", n_mels=40)
    >>> feats.shape[0], feats.shape[2], int(lengths.max()) == feats.shape[1]
    (4, 40, True)
    """
    sentences = _sentences(text, n_utterances, seed)
    if split_by not in ("speaker", "sentence"):
        raise ValueError(f"split_by must be 'speaker' or 'sentence', got {split_by!r}")
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1):
        raise ValueError(
            f"fractions must be three shares summing to 1, got {fractions}"
        )
    if snr_db is not None:
        low, high = (snr_db, snr_db) if np.isscalar(snr_db) else snr_db
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise ValueError(
                f"snr_db must be a finite number or (low, high), got {snr_db}"
            )
    speakers = make_speakers(accents, speakers_per_accent, seed=seed)
    args = dict(
        sentences=sentences, speakers=[vars(s) for s in speakers], snr_db=snr_db,
        split_by=split_by, fractions=list(fractions), sample_rate=sample_rate,
        seed=seed, format=_FORMAT,
    )  # fmt: skip
    folder = _cache_folder(cache_dir, args)
    if folder is not None and (folder / "manifest.json").exists():
        return _load(folder)

    who = _assign_speakers(len(sentences), len(speakers), seed)
    split_of = _assign_splits(sentences, speakers, who, split_by, fractions, seed)
    rng = np.random.default_rng(seed)
    records, waves = [], []
    for i, sentence in enumerate(sentences):
        spk = speakers[who[i]]
        wave = synthesize(
            sentence, voice=spk.voice, rate=spk.rate, pitch=spk.pitch,
            sample_rate=sample_rate,
        )  # fmt: skip
        snr = None
        if snr_db is not None:
            snr = float(rng.uniform(low, high)) if low < high else float(low)
            wave = add_noise(wave, snr, rng).astype(np.float32)
        waves.append(wave)
        records.append(
            dict(
                id=f"utt{i:05d}", transcript=sentence, speaker=spk.id,
                accent=spk.accent, voice=spk.voice, pitch=spk.pitch, rate=spk.rate,
                snr_db=snr, split=split_of[i],
            )
        )  # fmt: skip
    corpus = _from_records(records, waves, sample_rate)
    if folder is not None:
        _save(folder, args, records, waves)
    return corpus


def _sentences(text, n_utterances, seed) -> list[str]:
    if hasattr(text, "sample"):
        if n_utterances is None:
            raise ValueError("n_utterances is needed to sample from a grammar")
        return [" ".join(s) for s in text.sample(n_utterances, seed=seed)]
    if isinstance(text, str):
        raise TypeError("text must be a list of sentences, not a single str")
    sentences = [str(s).strip() for s in text]
    if not sentences or not all(sentences):
        raise ValueError("text must hold at least one sentence, and no empty ones")
    n = len(sentences) if n_utterances is None else n_utterances
    if n < 1:
        raise ValueError(f"n_utterances must be positive, got {n}")
    return [sentences[i % len(sentences)] for i in range(n)]


def _assign_speakers(n: int, n_speakers: int, seed: int) -> list[int]:
    """Speaker of each utterance: every speaker once per round, shuffled, so
    speakers get equal shares and no speaker is tied to particular sentences."""
    rng = np.random.default_rng(seed + 2)
    rounds = -(-n // n_speakers)
    return np.concatenate([rng.permutation(n_speakers) for _ in range(rounds)])[
        :n
    ].tolist()


def _assign_splits(sentences, speakers, who, split_by, fractions, seed) -> list[str]:
    rng = np.random.default_rng(seed + 1)
    if split_by == "speaker":
        # deal each accent's speakers out over the splits, largest share first
        groups = {}
        for accent in dict.fromkeys(s.accent for s in speakers):
            ids = [s.id for s in speakers if s.accent == accent]
            rng.shuffle(ids)
            groups.update(_deal(ids, fractions))
        return [groups[speakers[k].id] for k in who]
    distinct = list(dict.fromkeys(sentences))
    rng.shuffle(distinct)
    groups = _deal(distinct, fractions)
    return [groups[s] for s in sentences]


def _deal(items: list, fractions) -> dict:
    """Give each item a split, in proportion to ``fractions``."""
    n = len(items)
    n_test = int(round(fractions[2] * n))
    n_dev = int(round(fractions[1] * n))
    if n >= 3:  # every split with a non-zero share gets at least one item
        n_test = max(n_test, 1 if fractions[2] > 0 else 0)
        n_dev = max(n_dev, 1 if fractions[1] > 0 else 0)
    n_train = n - n_dev - n_test
    names = ["train"] * n_train + ["dev"] * n_dev + ["test"] * n_test
    return dict(zip(items, names, strict=True))


def _from_records(records, waves, sample_rate) -> SpokenCorpus:
    return SpokenCorpus(
        waves,
        [r["transcript"] for r in records],
        [r["speaker"] for r in records],
        [r["accent"] for r in records],
        [r["split"] for r in records],
        sample_rate,
        records,
    )


def _cache_folder(cache_dir, args) -> Path | None:
    if cache_dir is False:
        return None
    if cache_dir is None or cache_dir is True:
        cache_dir = (
            os.environ.get("SLMSURVEY_CACHE") or Path.home() / ".cache" / "slmsurvey"
        )
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
    return Path(cache_dir) / "spoken" / key


def _save(folder: Path, args, records, waves) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    offsets = np.cumsum([0] + [len(w) for w in waves])
    for r, start, stop in zip(records, offsets[:-1], offsets[1:], strict=True):
        r.update(offset=int(start), length=int(stop - start))
    # Write under temporary names, then rename: another process making the
    # same corpus at the same time never reads a half-written file.
    tmp = f".{os.getpid()}.tmp"
    with open(folder / f"audio.npy{tmp}", "wb") as f:
        np.save(f, np.concatenate(waves).astype(np.float32))
    manifest = {"arguments": args, "records": records}
    (folder / f"manifest.json{tmp}").write_text(json.dumps(manifest, indent=1))
    os.replace(folder / f"audio.npy{tmp}", folder / "audio.npy")
    os.replace(folder / f"manifest.json{tmp}", folder / "manifest.json")


def _load(folder: Path) -> SpokenCorpus:
    manifest = json.loads((folder / "manifest.json").read_text())
    audio = np.load(folder / "audio.npy", mmap_mode="r")
    records = manifest["records"]
    waves = [np.array(audio[r["offset"] : r["offset"] + r["length"]]) for r in records]
    return _from_records(records, waves, manifest["arguments"]["sample_rate"])
