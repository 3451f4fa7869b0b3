"""Miniature copies of LibriSpeech and Common Voice, in their real layouts.

The writers here turn a few in-memory recordings (e.g. synthesised with
:func:`slmsurvey.speech.synthesize`) into folders laid out exactly like the
real corpora (see :mod:`slmsurvey.speech.loaders` for the layouts), so that
the loaders can be tested and shown without downloading anything.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from slmsurvey.speech.audio import as_path as _as_path
from slmsurvey.speech.audio import check_sample_rate, write_audio
from slmsurvey.speech.loaders import (
    _CV_COLUMNS,
    _SEX_CODE,
    _TSV,
    COMMON_VOICE_SPLITS,
    LIBRISPEECH_SUBSETS,
    Utterance,
    _check_name,
    _read_speakers,
    load_common_voice,
    load_librispeech,
)

__all__ = ["Recording", "write_common_voice_miniature", "write_librispeech_miniature"]


@dataclass(frozen=True, eq=False)
class Recording:
    """One utterance in memory, as the miniature writers take it.

    Attributes
    ----------
    speaker : str or int
        Speaker id (a non-negative integer for LibriSpeech).
    transcript : str
        What is said.
    wave : numpy.ndarray, shape (T,)
        Mono samples in :math:`[-1, 1]`.
    sample_rate : int
        Samples per second of ``wave``.
    gender, accent : str or None
        LibriSpeech keeps the gender (female/male) and drops the accent;
        Common Voice keeps both as given.

    Examples
    --------
    >>> Recording("a1b2", "Hello.", np.zeros(1600), 16000, accent="Irish English")
    Recording(speaker='a1b2', transcript='Hello.', sample_rate=16000,
              gender=None, accent='Irish English')
    """

    speaker: str | int
    transcript: str
    wave: np.ndarray = field(repr=False)
    sample_rate: int
    gender: str | None = None
    accent: str | None = None


def _recordings(utterances: Iterable[Recording]) -> list[Recording]:
    records = list(utterances)
    for k, rec in enumerate(records):
        if not isinstance(rec, Recording):
            name = type(rec).__name__
            raise TypeError(f"utterances[{k}] must be a Recording, got {name}")
        if np.ndim(rec.wave) != 1:
            raise ValueError(f"utterances[{k}].wave must be mono, shape (T,)")
    if not records:
        raise ValueError("utterances is empty")
    return records


def write_librispeech_miniature(
    root: str | os.PathLike,
    utterances: Iterable[Recording],
    *,
    subset: str = "dev-clean",
) -> list[Utterance]:
    """Write recordings as a LibriSpeech subset in the OpenSLR layout.

    Each speaker gets one chapter (ids 1000, 1001, ... in order of first
    appearance), its utterances numbered 0000, 0001, ... Transcripts are
    normalised as in LibriSpeech: upper case, letters and apostrophes only
    (``"Don't stop, please."`` becomes ``"DON'T STOP PLEASE"``). Audio is
    16-bit FLAC. ``SPEAKERS.TXT`` gets a row per new speaker, with SEX F or M
    from the gender (blank if unknown).

    Parameters
    ----------
    root : str or os.PathLike
        Folder in which ``LibriSpeech/`` is made (or extended).
    utterances : iterable of Recording
        16 kHz recordings; speakers are non-negative integers (or digit
        strings).
    subset : str, default "dev-clean"
        One of :data:`LIBRISPEECH_SUBSETS`; its folder must not exist yet.

    Returns
    -------
    list of Utterance
        The subset as written, loaded back with durations.

    Raises
    ------
    TypeError
        If an item is not a :class:`Recording`.
    ValueError
        If ``subset`` is unknown, a sample rate is not 16 kHz, a speaker is not
        an integer id or has two genders, a gender is not female/male, or a
        transcript has no letters.
    FileExistsError
        If the subset folder already exists.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> tone = 0.1 * np.sin(np.arange(8000) / 3)  # half a second
    >>> rec = Recording(84, "Don't stop, please.", tone, 16000, gender="female")
    >>> [utt] = write_librispeech_miniature(root, [rec])
    >>> utt.transcript, utt.path.relative_to(root).as_posix()
    ("DON'T STOP PLEASE", 'LibriSpeech/dev-clean/84/1000/84-1000-0000.flac')
    """
    records = _recordings(utterances)
    subset = _check_name(subset, "LibriSpeech subset", LIBRISPEECH_SUBSETS)
    base = _as_path(root, "root") / "LibriSpeech"
    if (base / subset).exists():
        raise FileExistsError(f"{base / subset} already exists")
    chapters: dict[str, list[tuple[np.ndarray, str]]] = {}
    sexes: dict[str, str] = {}
    for rec in records:
        spk = str(rec.speaker)
        if isinstance(rec.speaker, bool) or not re.fullmatch(r"\d+", spk):
            raise ValueError(f"LibriSpeech speakers are integers, got {rec.speaker!r}")
        if check_sample_rate(rec.sample_rate, "Recording.sample_rate") != 16000:
            raise ValueError(
                f"LibriSpeech is 16 kHz, got sample_rate {rec.sample_rate}"
            )
        sex = _SEX_CODE.get(str(rec.gender).lower())
        if rec.gender is not None and sex is None:
            raise ValueError(f"LibriSpeech SEX is F or M, got gender {rec.gender!r}")
        if sexes.setdefault(spk, sex or " ") != (sex or " "):
            raise ValueError(f"speaker {spk} has two genders, {sexes[spk]} and {sex}")
        # LibriSpeech text: upper case; keep letters and apostrophes
        text = " ".join(re.sub(r"[^\w']|[\d_]", " ", rec.transcript.upper()).split())
        if not re.search(r"[^\W\d_]", text):
            raise ValueError(f"transcript {rec.transcript!r} has no letters")
        chapters.setdefault(spk, []).append((rec.wave, text))
    minutes = {}
    for k, (spk, items) in enumerate(chapters.items()):
        chap, lines = str(1000 + k), []
        folder = base / subset / spk / chap
        folder.mkdir(parents=True)
        for n, (wave, text) in enumerate(items):
            lines.append(f"{spk}-{chap}-{n:04d} {text}\n")
            write_audio(folder / f"{spk}-{chap}-{n:04d}.flac", wave, 16000)
        (folder / f"{spk}-{chap}.trans.txt").write_text("".join(lines), "utf-8")
        minutes[spk] = sum(len(wave) for wave, _ in items) / 16000 / 60
    known = _read_speakers(base / "SPEAKERS.TXT")
    rows = [line for _, line in known.values()] + [
        f"{spk:<5}| {sexes[spk]} | {subset:<16} | {minutes[spk]:5.2f} | Reader {spk}"
        for spk in chapters
        if spk not in known
    ]
    rows.sort(key=lambda line: int(line.split("|")[0]))
    head = ["; Speakers of a miniature LibriSpeech", ";ID |SEX| SUBSET |MINUTES| NAME"]
    (base / "SPEAKERS.TXT").write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return load_librispeech(base, subset, durations=True)


def _tsv_field(value: object, what: str) -> str:
    text = "" if value is None else str(value)
    if re.search(r"[\t\r\n]", text):
        raise ValueError(f"{what} {text!r} holds a tab or line break; TSV cannot")
    return text


def _append_tsv(path: Path, header: Iterable[str], rows: list[list[str]]) -> None:
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as f:
        out = csv.writer(f, **_TSV, quotechar=None, lineterminator="\n")
        out.writerows([list(header)] * new + rows)


def write_common_voice_miniature(
    root: str | os.PathLike,
    utterances: Iterable[Recording],
    *,
    split: str = "train",
    locale: str = "en",
    audio_format: str = "mp3",
) -> list[Utterance]:
    """Write recordings as one split of a Common Voice locale folder.

    Clips go to ``root/clips/common_voice_<locale>_<n>.<audio_format>``
    (``n`` continues after the clips already there) at each recording's own
    sample rate, with a row each in ``<split>.tsv`` (the columns of recent
    releases: ``client_id``, ``path``, ``sentence_id``, ``sentence``, ...) and
    in ``clip_durations.tsv``. As in a release, rows of ``train``, ``dev`` and
    ``test`` also go to ``validated.tsv``. Call once per split.

    Parameters
    ----------
    root : str or os.PathLike
        The locale folder to create or extend.
    utterances : iterable of Recording
        Speakers become ``client_id`` (real ones are 128-hex-digit hashes).
        MP3 allows sample rates 8000, 11025, 12000, 16000, 22050, 24000,
        32000, 44100 and 48000 (real clips are 32 or 48 kHz).
    split : str, default "train"
        One of :data:`COMMON_VOICE_SPLITS`; its TSV must not exist yet.
    locale : str, default "en"
        Language code, for the ``locale`` column and the clip names.
    audio_format : {"mp3", "flac", "wav"}, default "mp3"
        Real releases are MP3 (lossy); FLAC or WAV make a lossless miniature
        and work where libsndfile lacks MP3 (see
        :data:`slmsurvey.speech.audio.MP3_SUPPORTED`).

    Returns
    -------
    list of Utterance
        The split as written, loaded back with durations.

    Raises
    ------
    TypeError
        If an item is not a :class:`Recording`.
    ValueError
        If ``split``, ``locale`` or ``audio_format`` is invalid, a speaker or
        transcript is empty, a field holds a tab or line break, or the audio
        cannot be written (e.g. MP3 at 17 kHz).
    FileExistsError
        If ``<split>.tsv`` already exists.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> tone = 0.1 * np.sin(np.arange(8000) / 3)
    >>> rec = Recording("a1b2", "Hello.", tone, 16000)
    >>> [utt] = write_common_voice_miniature(root, [rec], audio_format="wav")
    >>> utt.id, utt.path.name, sorted(p.name for p in root.glob("*.tsv"))
    ('common_voice_en_1', 'common_voice_en_1.wav',
     ['clip_durations.tsv', 'train.tsv', 'validated.tsv'])
    """
    records = _recordings(utterances)
    split = _check_name(split, "Common Voice split", COMMON_VOICE_SPLITS)
    audio_format = _check_name(audio_format, "audio_format", ("mp3", "flac", "wav"))
    if not isinstance(locale, str) or not re.fullmatch(r"[a-zA-Z]{2,3}(-\w+)*", locale):
        raise ValueError(f"locale must be a code like 'en' or 'pt-BR', got {locale!r}")
    root = _as_path(root, "root")
    if (root / f"{split}.tsv").exists():
        raise FileExistsError(f"{root / split}.tsv already exists")
    rows = []
    for rec in records:
        sentence = _tsv_field(rec.transcript, "transcript")
        row = dict.fromkeys(_CV_COLUMNS, "") | {
            "client_id": _tsv_field(rec.speaker, "speaker"),
            "sentence_id": hashlib.sha256(sentence.encode()).hexdigest(),
            "sentence": sentence,
            "up_votes": "2",
            "down_votes": "0",
            "gender": _tsv_field(rec.gender, "gender"),
            "accents": _tsv_field(rec.accent, "accent"),
            "locale": locale,
        }
        if not row["client_id"].strip() or not row["sentence"].strip():
            raise ValueError(f"speaker and transcript must not be empty: {rec!r}")
        rows.append(row)
    clips = root / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    taken = re.compile(rf"common_voice_{re.escape(locale)}_(\d+)\.\w+")
    numbers = [int(m[1]) for m in map(taken.fullmatch, os.listdir(clips)) if m]
    first, durations = max(numbers, default=0) + 1, []
    for n, (rec, row) in enumerate(zip(records, rows, strict=True), first):
        row["path"] = f"common_voice_{locale}_{n}.{audio_format}"
        write_audio(clips / row["path"], rec.wave, rec.sample_rate)
        milliseconds = round(1000 * len(rec.wave) / rec.sample_rate)
        durations.append([row["path"], str(milliseconds)])
    table = [[row[c] for c in _CV_COLUMNS] for row in rows]
    _append_tsv(root / f"{split}.tsv", _CV_COLUMNS, table)
    if split in ("train", "dev", "test"):
        _append_tsv(root / "validated.tsv", _CV_COLUMNS, table)
    _append_tsv(root / "clip_durations.tsv", ("clip", "duration[ms]"), durations)
    return load_common_voice(root, split, durations=True)
