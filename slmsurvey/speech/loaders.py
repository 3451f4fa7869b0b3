"""Loaders for real corpora on disk: LibriSpeech and Common Voice.

Nothing is downloaded. A reader who has the data points a loader at it; the
tests and the book build miniature copies in exactly the same layouts with
:mod:`slmsurvey.speech.miniature`.

LibriSpeech (OpenSLR 12) ::

    <root>/LibriSpeech/            (root may also be this folder itself)
        SPEAKERS.TXT               ;ID |SEX| SUBSET |MINUTES| NAME
        <subset>/<speaker>/<chapter>/
            <speaker>-<chapter>.trans.txt     <speaker>-<chapter>-<utt> TRANSCRIPT
            <speaker>-<chapter>-<utt>.flac    16 kHz, 16-bit FLAC

Common Voice (one locale folder of a release, e.g. ``cv-corpus-17.0/en``) ::

    <root>/clips/common_voice_<locale>_<n>.mp3
    <root>/train.tsv, dev.tsv, test.tsv, validated.tsv, ...   one row per clip:
        client_id path sentence_id sentence ... up_votes down_votes age gender
        accents (older releases: accent) ... locale ...
    <root>/clip_durations.tsv      clip duration[ms]    (newer releases)

Each utterance becomes an :class:`Utterance` whose audio is read only when
``.audio()`` is called.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from slmsurvey.speech.audio import as_path as _as_path
from slmsurvey.speech.audio import (
    audio_duration,
    check_sample_rate,
    read_audio,
)
from slmsurvey.speech.resample import resample

__all__ = [
    "COMMON_VOICE_SPLITS",
    "LIBRISPEECH_SUBSETS",
    "Utterance",
    "load_common_voice",
    "load_librispeech",
]

LIBRISPEECH_SUBSETS = tuple(
    "dev-clean dev-other test-clean test-other "
    "train-clean-100 train-clean-360 train-other-500".split()
)
COMMON_VOICE_SPLITS = ("train", "dev", "test", "validated", "invalidated", "other")
_LS_LAYOUT = "root/LibriSpeech/<subset>/<speaker>/<chapter>/<utterance>.flac"
_CV_LAYOUT = "root/clips/*.mp3 and root/<split>.tsv"
_CV_REQUIRED = ("client_id", "path", "sentence")
_CV_COLUMNS = tuple(  # the header of recent releases (v17)
    "client_id path sentence_id sentence sentence_domain up_votes down_votes "
    "age gender accents variant locale segment".split()
)
_CV_NOT_SPLITS = frozenset(  # TSVs of sentences or reports, not of clips
    "clip_durations reported validated_sentences unvalidated_sentences".split()
)
_SEX = {"F": "female", "M": "male"}
_SEX_CODE = {"female": "F", "f": "F", "male": "M", "m": "M"}
_TSV = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}  # quotes are literal


@dataclass(frozen=True)
class Utterance:
    """One utterance of a corpus on disk; the audio stays there until asked for.

    Attributes
    ----------
    id : str
        ``"1272-128104-0000"`` (LibriSpeech), ``"common_voice_en_1"`` (Common
        Voice: the clip's name without extension).
    path : pathlib.Path
        The audio file.
    transcript : str
        What is said (upper case in LibriSpeech).
    speaker : str
        Speaker id (LibriSpeech reader id, Common Voice ``client_id``).
    accent, gender, language : str or None
        As the corpus gives them (gender ``"female"``/``"male"`` from
        LibriSpeech's ``SEX`` column); ``None`` if unknown.
    corpus : str or None
        ``"librispeech"`` or ``"common_voice"``.
    duration : float or None
        Seconds, if the loader was asked for durations.

    Examples
    --------
    >>> import tempfile
    >>> from slmsurvey.speech.miniature import Recording, write_librispeech_miniature
    >>> tone = 0.1 * np.sin(np.arange(8000) / 3)
    >>> [utt] = write_librispeech_miniature(
    ...     Path(tempfile.mkdtemp()), [Recording(84, "Hi there", tone, 16000)]
    ... )
    >>> wave, sample_rate = utt.audio(sample_rate=8000)
    >>> utt.id, utt.transcript, sample_rate, wave.shape
    ('84-1000-0000', 'HI THERE', 8000, (4000,))
    """

    id: str
    path: Path
    transcript: str
    speaker: str
    accent: str | None = None
    gender: str | None = None
    language: str | None = None
    corpus: str | None = None
    duration: float | None = None

    def audio(self, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
        """Read the audio from disk.

        Parameters
        ----------
        sample_rate : int, optional
            Resample to this rate (:func:`slmsurvey.speech.resample.resample`);
            by default the file's own rate is kept.

        Returns
        -------
        wave : numpy.ndarray, shape (T,), float32
            Mono samples (channels averaged).
        sample_rate : int
            The rate of ``wave``.
        """
        wave, sr = read_audio(self.path)
        if sample_rate is None:
            return wave, sr
        sample_rate = check_sample_rate(sample_rate)
        if sample_rate != sr:
            wave = np.asarray(resample(wave, sr, sample_rate), dtype=np.float32)
        return wave, sample_rate


def _check_name(name: object, what: str, allowed: Iterable[str]) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, got {type(name).__name__}")
    allowed = sorted(allowed)
    if name not in allowed:
        listed = ", ".join(allowed) or "none"
        raise ValueError(f"unknown {what} {name!r}; available: {listed}")
    return name


def _subfolders(folder: Path) -> list[Path]:
    """Sub-folders, numeric names first and in numeric order (84 before 1272)."""

    def key(p: Path) -> tuple[int, int, str]:
        return (0, int(p.name), "") if p.name.isdigit() else (1, 0, p.name)

    return sorted((p for p in folder.iterdir() if p.is_dir()), key=key)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for the non-blank, non-comment (';') lines of a file."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith(";"):
            yield lineno, line.strip()


def _existing_root(root: str | os.PathLike, layout: str) -> Path:
    root = _as_path(root, "root")
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "not found"
        raise FileNotFoundError(f"root {what}: {root} (expected layout: {layout})")
    return root


def _librispeech_folder(root: str | os.PathLike) -> Path:
    """The ``LibriSpeech/`` folder: ``root/LibriSpeech`` or ``root`` itself."""
    root = _existing_root(root, _LS_LAYOUT)
    if (root / "LibriSpeech").is_dir():
        return root / "LibriSpeech"
    subsets = [s for s in LIBRISPEECH_SUBSETS if (root / s).is_dir()]
    if root.name == "LibriSpeech" or (root / "SPEAKERS.TXT").is_file() or subsets:
        return root
    raise FileNotFoundError(
        f"no LibriSpeech/ folder in {root}, nor SPEAKERS.TXT or a subset folder "
        f"({', '.join(LIBRISPEECH_SUBSETS)}); expected layout: {_LS_LAYOUT}"
    )


def _read_speakers(path: Path) -> dict[str, tuple[str, str]]:
    """``SPEAKERS.TXT`` as {speaker id: (SEX, line)}, or {} if it is missing."""
    speakers = {}
    for lineno, line in _lines(path) if path.is_file() else ():
        fields = [f.strip() for f in line.split("|", 4)]  # NAME may contain '|'
        if len(fields) < 5 or not fields[0].isdigit():
            expected = "'ID | SEX | SUBSET | MINUTES | NAME'"
            raise ValueError(f"{path}:{lineno}: expected {expected}, got {line!r}")
        speakers[fields[0]] = (fields[1], line)
    return speakers


def load_librispeech(
    root: str | os.PathLike, subset: str, *, durations: bool = False
) -> list[Utterance]:
    """Load one subset of LibriSpeech from its OpenSLR layout.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding ``LibriSpeech/``, or ``LibriSpeech/`` itself.
    subset : str
        A subset folder present there, e.g. ``"dev-clean"``.
    durations : bool, default False
        Read each file's header for its duration (one file open per
        utterance: seconds for the dev and test subsets, minutes for 960 h).

    Returns
    -------
    list of Utterance
        Sorted by speaker, chapter and utterance; ``gender`` comes from
        ``SPEAKERS.TXT`` when present; ``language`` is ``"en"``.

    Raises
    ------
    FileNotFoundError
        If ``root`` is missing or not laid out as above, a chapter folder has
        no ``.trans.txt``, or a transcript line has no ``.flac``.
    ValueError
        If ``subset`` is not there (the message lists those that are), or a
        transcript or ``SPEAKERS.TXT`` line is malformed.

    References
    ----------
    V. Panayotov, G. Chen, D. Povey, S. Khudanpur, "LibriSpeech: an ASR corpus
    based on public domain audio books", ICASSP 2015; https://www.openslr.org/12

    Examples
    --------
    >>> import tempfile
    >>> from slmsurvey.speech.miniature import Recording, write_librispeech_miniature
    >>> root = Path(tempfile.mkdtemp())
    >>> tone = 0.1 * np.sin(np.arange(8000) / 3)
    >>> rec = Recording(84, "Hello, world!", tone, 16000, gender="female")
    >>> _ = write_librispeech_miniature(root, [rec])
    >>> [u] = load_librispeech(root, "dev-clean", durations=True)
    >>> u.id, u.transcript, u.speaker, u.gender, u.duration
    ('84-1000-0000', 'HELLO WORLD', '84', 'female', 0.5)
    """
    base = _librispeech_folder(root)
    available = [p.name for p in _subfolders(base)]
    subset = _check_name(subset, "LibriSpeech subset", available)
    speakers = _read_speakers(base / "SPEAKERS.TXT")
    folders = _subfolders(base / subset)
    if not folders:
        raise FileNotFoundError(f"no speaker folders in {base / subset} ({_LS_LAYOUT})")
    utterances = []
    for chapter in (c for s in folders for c in _subfolders(s)):
        spk, chap = chapter.parent.name, chapter.name
        trans = chapter / f"{spk}-{chap}.trans.txt"
        if not trans.is_file():
            raise FileNotFoundError(
                f"transcript file not found: {trans} (each chapter folder holds "
                "<speaker>-<chapter>.trans.txt)"
            )
        present = set(os.listdir(chapter))
        sex = speakers.get(spk, ("", ""))[0]
        meta = dict(gender=_SEX.get(sex), language="en", corpus="librispeech")
        for lineno, line in _lines(trans):
            utt_id, _, text = line.partition(" ")
            if not utt_id.startswith(f"{spk}-{chap}-") or not text.strip():
                expected = f"'{spk}-{chap}-<utt> TRANSCRIPT'"
                raise ValueError(f"{trans}:{lineno}: expected {expected}, got {line!r}")
            path = chapter / f"{utt_id}.flac"
            if path.name not in present:
                raise FileNotFoundError(f"{trans}:{lineno}: no audio file {path}")
            seconds = audio_duration(path) if durations else None
            utt = Utterance(utt_id, path, text.strip(), spk, **meta, duration=seconds)
            utterances.append(utt)
    return utterances


def _read_tsv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    """The rows of a TSV as dicts; quotes are literal (QUOTE_NONE)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, **_TSV)
        header = next(reader, [])
        missing = [c for c in required if c not in header]
        if missing:
            raise ValueError(
                f"{path}: malformed header, missing column(s) {', '.join(missing)}; "
                f"found {header[:6]}; expected tab-separated {', '.join(required)}, ..."
            )
        rows = []
        for row in reader:
            if row and len(row) != len(header):
                raise ValueError(
                    f"{path}:{reader.line_num}: {len(row)} tab-separated fields, "
                    f"but the header has {len(header)}"
                )
            rows += [dict(zip(header, row, strict=True))] if row else []
    return rows


def load_common_voice(
    root: str | os.PathLike, split: str, *, durations: bool = False
) -> list[Utterance]:
    """Load one split of a Common Voice locale folder.

    Parameters
    ----------
    root : str or os.PathLike
        A locale folder of a release (``cv-corpus-<version>/<locale>``),
        holding ``clips/`` and the ``.tsv`` files.
    split : str
        The name of a TSV there without ``.tsv``: ``"train"``, ``"dev"``,
        ``"test"``, ``"validated"``, ...
    durations : bool, default False
        Fill in durations, from ``clip_durations.tsv`` where it lists the clip
        and otherwise from the clip's header.

    Returns
    -------
    list of Utterance
        In the order of the TSV. ``transcript`` is ``sentence``, ``speaker``
        is ``client_id``, ``accent`` is ``accents`` (``accent`` in older
        releases), ``language`` is ``locale``; empty fields become ``None``.

    Raises
    ------
    FileNotFoundError
        If ``root`` or ``root/clips`` is missing, or a row's clip is not in
        ``clips/``.
    ValueError
        If ``split`` has no TSV (the message lists those there), or the TSV
        header lacks ``client_id``, ``path`` or ``sentence``, or a row has the
        wrong number of fields.

    References
    ----------
    R. Ardila et al., "Common Voice: A Massively-Multilingual Speech Corpus",
    LREC 2020, arXiv:1912.06670; https://commonvoice.mozilla.org/datasets

    Examples
    --------
    >>> import tempfile
    >>> from slmsurvey.speech.miniature import Recording, write_common_voice_miniature
    >>> root = Path(tempfile.mkdtemp())
    >>> tone = 0.1 * np.sin(np.arange(16000) / 3)
    >>> rec = Recording("a1b2", "Hello.", tone, 16000, accent="Scottish English")
    >>> _ = write_common_voice_miniature(root, [rec], split="dev")
    >>> [u] = load_common_voice(root, "dev", durations=True)
    >>> u.id, u.transcript, u.speaker, u.accent, u.language, u.duration
    ('common_voice_en_1', 'Hello.', 'a1b2', 'Scottish English', 'en', 1.0)
    """
    root = _existing_root(root, _CV_LAYOUT)
    clips = root / "clips"
    if not clips.is_dir():
        inner = sorted(p.parent.name for p in root.glob("*/clips") if p.is_dir())
        hint = f"; pass one of its locale folders {inner}" if inner else ""
        raise FileNotFoundError(f"no clips/ folder in {root}{hint} ({_CV_LAYOUT})")
    splits = (p.stem for p in root.glob("*.tsv") if p.stem not in _CV_NOT_SPLITS)
    tsv = root / f"{_check_name(split, 'Common Voice split', splits)}.tsv"
    rows = _read_tsv(tsv, _CV_REQUIRED)
    seconds: dict[str, float] = {}
    if durations and (root / "clip_durations.tsv").is_file():
        table = _read_tsv(root / "clip_durations.tsv", ("clip", "duration[ms]"))
        seconds = {r["clip"]: float(r["duration[ms]"]) / 1000 for r in table}
    present = set(os.listdir(clips))
    utterances = []
    for k, row in enumerate(rows):
        path = clips / row["path"]
        if row["path"] not in present:
            raise FileNotFoundError(f"{tsv}, row {k + 1}: no audio file {path}")
        if durations and row["path"] not in seconds:
            seconds[row["path"]] = audio_duration(path)
        meta = dict(
            accent=row.get("accents", row.get("accent")) or None,  # older: "accent"
            gender=row.get("gender") or None,
            language=row.get("locale") or None,
            corpus="common_voice",
            duration=seconds.get(row["path"]),
        )
        utterances.append(
            Utterance(path.stem, path, row["sentence"], row["client_id"], **meta)
        )
    return utterances
