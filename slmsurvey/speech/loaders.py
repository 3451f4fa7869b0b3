"""Loaders for real corpora on disk: LibriSpeech and Common Voice.

Nothing is downloaded. A reader who has the data points a loader at it; the
tests and the book build miniature copies in exactly the same layouts with
:func:`write_librispeech_miniature` and :func:`write_common_voice_miniature`.

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
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from slmsurvey.speech.audio import as_path as _as_path
from slmsurvey.speech.audio import (
    audio_duration,
    check_sample_rate,
    read_audio,
    write_audio,
)
from slmsurvey.speech.resample import resample

__all__ = [
    "COMMON_VOICE_SPLITS",
    "LIBRISPEECH_SUBSETS",
    "Recording",
    "Utterance",
    "load_common_voice",
    "load_librispeech",
    "write_common_voice_miniature",
    "write_librispeech_miniature",
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
    """

    speaker: str | int
    transcript: str
    wave: np.ndarray = field(repr=False)
    sample_rate: int
    gender: str | None = None
    accent: str | None = None


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
