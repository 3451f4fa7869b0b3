"""Tests for slmsurvey.speech.audio and slmsurvey.speech.loaders.

Miniature LibriSpeech and Common Voice copies are built in ``tmp_path`` from
espeak-ng speech and loaded back; a few are written by hand, line by line as
in the real releases, so that the loaders are not only tested against the
package's own writers.
"""

import csv
from dataclasses import replace

import numpy as np
import pytest
import soundfile

from slmsurvey.speech.audio import (
    MP3_SUPPORTED,
    audio_duration,
    read_audio,
    write_audio,
)
from slmsurvey.speech.loaders import load_common_voice, load_librispeech
from slmsurvey.speech.miniature import (
    Recording,
    write_common_voice_miniature,
    write_librispeech_miniature,
)
from slmsurvey.speech.resample import resample
from slmsurvey.speech.tts import synthesize

PCM16 = 1 / 32768  # 16-bit FLAC/WAV give samples back within one quantisation step
needs_mp3 = pytest.mark.skipif(not MP3_SUPPORTED, reason="libsndfile without MP3")


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    return float(
        10 * np.log10(np.sum(reference**2) / np.sum((reference - estimate) ** 2))
    )


# (speaker, gender, espeak voice, sentence): LibriSpeech speakers are integers;
# 1272 > 84 checks that speakers are ordered as numbers, not as strings.
LS_SCRIPT = [
    (1272, "male", "en-us+m3", "Mister Quilter is the apostle of the middle classes."),
    (84, "female", "en-gb+f2", "Don't stop, please; it's well-known!"),
    (1272, "male", "en-us+m3", "Nor is Mister Quilter's manner less interesting."),
    (84, "female", "en-gb+f2", "The dog often chases a cat."),
]
CV_SCRIPT = [  # (client_id, gender, accent, espeak voice, sentence)
    ("a1b2c3", "female", "Scottish English", "en-gb-scotland+f3", 'She said "hi".'),
    ("d4e5f6", "male", "United States English", "en-us+m1", "It's 5 o'clock."),
    ("a1b2c3", "female", "Scottish English", "en-gb-scotland+f3", "Good night."),
    ("0789ab", None, None, "en-gb", "Where is the station?"),
]


@pytest.fixture(scope="module")
def ls_recordings() -> list[Recording]:
    return [
        Recording(spk, text, synthesize(text, voice=voice), 16000, gender=gender)
        for spk, gender, voice, text in LS_SCRIPT
    ]


@pytest.fixture(scope="module")
def cv_recordings() -> list[Recording]:
    return [
        Recording(spk, text, synthesize(text, voice=voice), 16000, gender, accent)
        for spk, gender, accent, voice, text in CV_SCRIPT
    ]


@pytest.fixture
def librispeech(tmp_path, ls_recordings):
    written = write_librispeech_miniature(tmp_path, ls_recordings)
    return tmp_path, written


@pytest.fixture
def common_voice(tmp_path, cv_recordings):
    root = tmp_path / "cv-corpus-17.0" / "en"
    audio_format = "mp3" if MP3_SUPPORTED else "flac"
    written = write_common_voice_miniature(
        root, cv_recordings, audio_format=audio_format
    )
    return root, written


# ---------------------------------------------------------------- audio files


@pytest.mark.parametrize("suffix", [".flac", ".wav"])
def test_lossless_round_trip(tmp_path, suffix):
    wave = synthesize("the cat sat on the mat", voice="en-us")
    write_audio(tmp_path / f"a{suffix}", wave, 16000)
    back, sr = read_audio(tmp_path / f"a{suffix}")
    assert sr == 16000 and back.dtype == np.float32 and back.shape == wave.shape
    assert np.max(np.abs(back - wave)) <= PCM16
    assert audio_duration(tmp_path / f"a{suffix}") == len(wave) / 16000


def test_float_wav_is_exact_and_may_exceed_one(tmp_path):
    wave = np.array([0.1, -2.5, 3.0, 1e-9], dtype=np.float32)
    write_audio(tmp_path / "a.wav", wave, 8000, subtype="FLOAT")
    back, sr = read_audio(tmp_path / "a.wav")
    np.testing.assert_array_equal(back, wave)
    assert sr == 8000


def test_channels_are_averaged(tmp_path):
    left, right = np.full(100, 0.5), np.linspace(-0.5, 0.25, 100)
    write_audio(tmp_path / "stereo.flac", np.stack([left, right], axis=1), 16000)
    assert soundfile.info(tmp_path / "stereo.flac").channels == 2
    mono, _ = read_audio(tmp_path / "stereo.flac")
    np.testing.assert_allclose(mono, (left + right) / 2, atol=PCM16)


@needs_mp3
@pytest.mark.parametrize("sample_rate", [16000, 48000])
def test_mp3_round_trip_is_close(tmp_path, sample_rate):
    wave = synthesize("the quick brown fox", voice="en-gb", sample_rate=sample_rate)
    write_audio(tmp_path / "a.mp3", wave, sample_rate)
    back, sr = read_audio(tmp_path / "a.mp3")
    assert sr == sample_rate and back.shape == wave.shape  # encoder delay removed
    assert snr_db(wave, back) > 15  # lossy, but close (about 26-30 dB)


def test_read_audio_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="audio file not found: .*nothere.flac"):
        read_audio(tmp_path / "nothere.flac")
    with pytest.raises(FileNotFoundError, match="audio file not found"):
        audio_duration(tmp_path / "nothere.flac")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"unknown audio file extension '\.txt'"):
        read_audio(tmp_path / "notes.txt")
    (tmp_path / "garbage.wav").write_text("this is not a wave file")
    with pytest.raises(ValueError, match="cannot decode audio file .*garbage.wav"):
        read_audio(tmp_path / "garbage.wav")
    with pytest.raises(ValueError, match="cannot decode audio file .*garbage.wav"):
        audio_duration(tmp_path / "garbage.wav")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        read_audio(3)


@pytest.mark.parametrize(
    ("wave", "sample_rate", "error", "match"),
    [
        (np.array([0.1, np.nan]), 16000, ValueError, "non-finite samples"),
        (np.array([0.1, np.inf]), 16000, ValueError, "non-finite samples"),
        (np.zeros(4), 0, ValueError, "sample_rate must be positive, got 0"),
        (np.zeros(4), -16000, ValueError, "sample_rate must be positive, got -16000"),
        (np.zeros(4), 16000.0, TypeError, "sample_rate must be an int, got float"),
        (np.zeros(4), True, TypeError, "sample_rate must be an int, got bool"),
        (np.zeros(4, dtype=np.int16), 16000, TypeError, "floating-point .* int16"),
        (np.zeros((2, 2, 2)), 16000, ValueError, r"shape \(T,\) or \(T, C\)"),
        (np.zeros(0), 16000, ValueError, "wave is empty"),
        (np.array([0.5, -1.5]), 16000, ValueError, "peak 1.5 > 1 .* clipped in PCM_16"),
    ],
)
def test_write_audio_rejects_bad_waves(tmp_path, wave, sample_rate, error, match):
    with pytest.raises(error, match=match):
        write_audio(tmp_path / "a.flac", wave, sample_rate)
    assert not (tmp_path / "a.flac").exists()


def test_write_audio_rejects_bad_paths(tmp_path):
    wave = np.zeros(16)
    with pytest.raises(FileNotFoundError, match="folder not found .*missing"):
        write_audio(tmp_path / "missing" / "a.flac", wave, 16000)
    with pytest.raises(ValueError, match=r"unknown audio file extension '\.xyz'"):
        write_audio(tmp_path / "a.xyz", wave, 16000)
    with pytest.raises(ValueError, match="cannot write FLAC file .*subtype FLOAT"):
        write_audio(tmp_path / "a.flac", wave, 16000, subtype="FLOAT")
    assert not (tmp_path / "a.flac").exists()


@needs_mp3
def test_write_audio_mp3_rate_error_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match="cannot write MP3 file .*17000 Hz"):
        write_audio(tmp_path / "a.mp3", np.zeros(1700), 17000)
    assert not (tmp_path / "a.mp3").exists()


def test_missing_mp3_support_is_explained(tmp_path, monkeypatch):
    formats = {k: v for k, v in soundfile.available_formats().items() if k != "MP3"}
    monkeypatch.setattr(soundfile, "available_formats", lambda: formats)
    with pytest.raises(ValueError, match=r"cannot handle MP3 .*use \.flac or \.wav"):
        write_audio(tmp_path / "a.mp3", np.zeros(160), 16000)


# ---------------------------------------------------------------- LibriSpeech


def test_librispeech_round_trip(librispeech, ls_recordings):
    root, written = librispeech
    loaded = load_librispeech(root, "dev-clean", durations=True)
    assert loaded == written
    assert [u.id for u in loaded] == [
        "84-1001-0000",
        "84-1001-0001",
        "1272-1000-0000",
        "1272-1000-0001",
    ]
    assert [u.transcript for u in loaded] == [
        "DON'T STOP PLEASE IT'S WELL KNOWN",
        "THE DOG OFTEN CHASES A CAT",
        "MISTER QUILTER IS THE APOSTLE OF THE MIDDLE CLASSES",
        "NOR IS MISTER QUILTER'S MANNER LESS INTERESTING",
    ]
    assert [u.speaker for u in loaded] == ["84", "84", "1272", "1272"]
    assert [u.gender for u in loaded] == ["female", "female", "male", "male"]
    assert {(u.language, u.corpus, u.accent) for u in loaded} == {
        ("en", "librispeech", None)
    }
    by_text = {r.transcript: r for r in ls_recordings}
    originals = [by_text[t] for _, _, _, t in (LS_SCRIPT[1], LS_SCRIPT[3])]
    originals += [by_text[t] for _, _, _, t in (LS_SCRIPT[0], LS_SCRIPT[2])]
    for utt, rec in zip(loaded, originals, strict=True):
        wave, sr = utt.audio()
        assert sr == 16000 and wave.dtype == np.float32
        assert np.max(np.abs(wave - rec.wave)) <= PCM16
        assert utt.duration == len(rec.wave) / 16000


def test_librispeech_files_are_the_openslr_layout(librispeech):
    root, _ = librispeech
    chapter = root / "LibriSpeech" / "dev-clean" / "84" / "1001"  # 1272 came first
    assert (chapter / "84-1001.trans.txt").read_text().splitlines() == [
        "84-1001-0000 DON'T STOP PLEASE IT'S WELL KNOWN",
        "84-1001-0001 THE DOG OFTEN CHASES A CAT",
    ]
    info = soundfile.info(chapter / "84-1001-0000.flac")
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        "FLAC",
        "PCM_16",
        16000,
        1,
    )
    rows = [
        [f.strip() for f in line.split("|")]
        for line in (root / "LibriSpeech" / "SPEAKERS.TXT").read_text().splitlines()
        if not line.startswith(";")
    ]
    assert [r[:3] for r in rows] == [
        ["84", "F", "dev-clean"],
        ["1272", "M", "dev-clean"],
    ]
    assert all(float(r[3]) > 0 for r in rows)


def test_librispeech_root_may_be_the_librispeech_folder(librispeech):
    root, written = librispeech
    loaded = load_librispeech(str(root / "LibriSpeech"), "dev-clean")
    assert loaded == [replace(u, duration=None) for u in written]


def test_librispeech_second_subset_extends_speakers(librispeech, ls_recordings):
    root, _ = librispeech
    extra = Recording("19", "A new reader.", ls_recordings[0].wave, 16000)
    written = write_librispeech_miniature(root, [extra], subset="test-clean")
    assert [(u.id, u.speaker, u.gender) for u in written] == [
        ("19-1000-0000", "19", None)
    ]
    assert len(load_librispeech(root, "dev-clean")) == 4
    speakers = (root / "LibriSpeech" / "SPEAKERS.TXT").read_text()
    assert [line.split("|")[0].strip() for line in speakers.splitlines()[2:]] == [
        "19",
        "84",
        "1272",
    ]


def test_librispeech_hand_written_release(tmp_path):
    """A copy written as the real files are: comments, a NAME holding '|'."""
    base = tmp_path / "LibriSpeech"
    chapter = base / "train-clean-100" / "60" / "121082"
    chapter.mkdir(parents=True)
    (base / "SPEAKERS.TXT").write_text(
        "; LibriSpeech speakers\n"
        ";ID  |SEX| SUBSET           |MINUTES| NAME\n"
        "14   | F | train-clean-360  | 25.03 | Kristin LeMoine\n"
        "60   | M | train-clean-100  | 20.18 | |CBW|Simon\n"
    )
    (chapter / "60-121082.trans.txt").write_text(
        "60-121082-0000 WHEN THE SUN ROSE\n\n60-121082-0001 IT WAS COLD\n"
    )
    for n, value in enumerate([0.25, -0.5]):
        write_audio(chapter / f"60-121082-000{n}.flac", np.full(800, value), 16000)
    (chapter / "60-121082-0002.flac").write_bytes(b"")  # audio with no line: ignored
    loaded = load_librispeech(tmp_path, "train-clean-100", durations=True)
    assert [(u.id, u.transcript, u.speaker, u.gender) for u in loaded] == [
        ("60-121082-0000", "WHEN THE SUN ROSE", "60", "male"),
        ("60-121082-0001", "IT WAS COLD", "60", "male"),
    ]
    assert [u.duration for u in loaded] == [0.05, 0.05]
    assert abs(loaded[1].audio()[0][0] + 0.5) <= PCM16
    assert load_librispeech(tmp_path, "train-clean-100")[0].duration is None


def test_audio_resamples_on_request(librispeech):
    root, _ = librispeech
    utt = load_librispeech(root, "dev-clean")[0]
    wave, sr = utt.audio()
    half, sr_half = utt.audio(sample_rate=8000)
    assert sr_half == 8000 and half.dtype == np.float32
    np.testing.assert_array_equal(half, resample(wave, 16000, 8000))
    assert utt.audio(sample_rate=16000)[0].shape == wave.shape
    with pytest.raises(ValueError, match="sample_rate must be positive, got 0"):
        utt.audio(sample_rate=0)
    with pytest.raises(TypeError, match="sample_rate must be an int, got str"):
        utt.audio(sample_rate="8000")


def test_librispeech_missing_or_wrong_root(tmp_path):
    with pytest.raises(FileNotFoundError, match="root not found: .*nowhere"):
        load_librispeech(tmp_path / "nowhere", "dev-clean")
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(FileNotFoundError, match="root is not a folder"):
        load_librispeech(tmp_path / "file.txt", "dev-clean")
    (tmp_path / "other").mkdir()
    with pytest.raises(
        FileNotFoundError,
        match=r"no LibriSpeech/ folder in .*other.*<subset>/<speaker>",
    ):
        load_librispeech(tmp_path / "other", "dev-clean")
    with pytest.raises(TypeError, match="root must be a str or os.PathLike"):
        load_librispeech(None, "dev-clean")


def test_librispeech_unknown_subset_lists_available(librispeech):
    root, _ = librispeech
    with pytest.raises(ValueError, match="subset 'test-clean'; available: dev-clean"):
        load_librispeech(root, "test-clean")
    with pytest.raises(TypeError, match="LibriSpeech subset must be a str, got int"):
        load_librispeech(root, 100)


def test_librispeech_broken_layouts(librispeech):
    root, _ = librispeech
    base = root / "LibriSpeech"
    (base / "dev-other").mkdir()
    with pytest.raises(FileNotFoundError, match="no speaker folders in .*dev-other"):
        load_librispeech(root, "dev-other")
    chapter = base / "dev-clean" / "84" / "1001"
    trans = chapter / "84-1001.trans.txt"
    original = trans.read_text()
    trans.write_text(original + "84-1001-0007 A LINE WITH NO AUDIO\n")
    with pytest.raises(
        FileNotFoundError, match=r"trans.txt:3: no audio file .*84-1001-0007.flac"
    ):
        load_librispeech(root, "dev-clean")
    for bad in ["84-1001-0000\n", "19-1001-0000 WRONG SPEAKER\n"]:
        trans.write_text(bad)
        with pytest.raises(ValueError, match=r"trans.txt:1: expected '84-1001-<utt>"):
            load_librispeech(root, "dev-clean")
    trans.unlink()
    with pytest.raises(FileNotFoundError, match="transcript file not found: .*84-1001"):
        load_librispeech(root, "dev-clean")
    trans.write_text(original)
    (base / "SPEAKERS.TXT").write_text(";ID |SEX| SUBSET |MINUTES| NAME\n84 | F\n")
    with pytest.raises(ValueError, match=r"SPEAKERS.TXT:2: expected 'ID \| SEX"):
        load_librispeech(root, "dev-clean")


@pytest.mark.parametrize(
    ("recording", "error", "match"),
    [
        (Recording("ann", "Hi.", np.zeros(160), 16000), ValueError, "speakers are int"),
        (Recording(True, "Hi.", np.zeros(160), 16000), ValueError, "speakers are int"),
        (Recording(-3, "Hi.", np.zeros(160), 16000), ValueError, "speakers are int"),
        (Recording(1, "Hi.", np.zeros(441), 44100), ValueError, "16 kHz, got .*44100"),
        (Recording(1, "Hi.", np.zeros(16), 0), ValueError, "sample_rate must be pos"),
        (Recording(1, "Hi.", np.zeros(160), 16000, "x"), ValueError, "F or M, got .*x"),
        (Recording(1, "42 !", np.zeros(160), 16000), ValueError, "has no letters"),
        (Recording(1, "Hi.", np.zeros((160, 2)), 16000), ValueError, "must be mono"),
        (Recording(1, "Hi.", np.full(160, 2.0), 16000), ValueError, "peak 2 > 1"),
        ((1, "Hi.", np.zeros(160), 16000), TypeError, r"utterances\[0\] must be a Rec"),
    ],
)
def test_write_librispeech_rejects_bad_recordings(tmp_path, recording, error, match):
    with pytest.raises(error, match=match):
        write_librispeech_miniature(tmp_path, [recording])


def test_write_librispeech_rejects_bad_arguments(librispeech):
    root, _ = librispeech
    rec = Recording(1, "Hi.", np.zeros(160), 16000)
    with pytest.raises(FileExistsError, match="dev-clean already exists"):
        write_librispeech_miniature(root, [rec])
    with pytest.raises(ValueError, match="unknown LibriSpeech subset 'mini'; avail"):
        write_librispeech_miniature(root, [rec], subset="mini")
    with pytest.raises(ValueError, match="utterances is empty"):
        write_librispeech_miniature(root, [], subset="test-clean")
    two = [rec, Recording(1, "Bye.", np.zeros(160), 16000, gender="female")]
    with pytest.raises(ValueError, match="speaker 1 has two genders"):
        write_librispeech_miniature(root, two, subset="test-clean")


# --------------------------------------------------------------- Common Voice


@needs_mp3
def test_common_voice_round_trip(common_voice, cv_recordings):
    root, written = common_voice
    loaded = load_common_voice(root, "train", durations=True)
    assert loaded == written
    assert [u.id for u in loaded] == [f"common_voice_en_{n}" for n in range(1, 5)]
    assert [u.transcript for u in loaded] == [s[-1] for s in CV_SCRIPT]
    assert [u.speaker for u in loaded] == [s[0] for s in CV_SCRIPT]
    assert [u.gender for u in loaded] == [s[1] for s in CV_SCRIPT]
    assert [u.accent for u in loaded] == [s[2] for s in CV_SCRIPT]
    assert {(u.language, u.corpus) for u in loaded} == {("en", "common_voice")}
    for utt, rec in zip(loaded, cv_recordings, strict=True):
        assert utt.path == root / "clips" / f"{utt.id}.mp3"
        assert utt.duration == round(1000 * len(rec.wave) / 16000) / 1000
        wave, sr = utt.audio()
        assert sr == 16000 and wave.shape == rec.wave.shape
        assert snr_db(rec.wave, wave) > 15  # MP3 is lossy
    assert load_common_voice(root, "validated", durations=True) == loaded
    assert [u.duration for u in load_common_voice(root, "train")] == [None] * 4


def test_common_voice_files_are_the_release_layout(tmp_path, cv_recordings):
    root, recs = tmp_path / "en", cv_recordings
    for split, items in [("train", recs[:2]), ("dev", recs[2:3]), ("test", recs[3:])]:
        write_common_voice_miniature(root, items, split=split, audio_format="flac")
    write_common_voice_miniature(root, recs[:1], split="other", audio_format="flac")
    with open(root / "train.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert " ".join(rows[0]) == (
        "client_id path sentence_id sentence sentence_domain up_votes down_votes "
        "age gender accents variant locale segment"
    )
    assert rows[0]["sentence"] == 'She said "hi".'  # quotes are literal in the TSV
    assert [r["path"] for r in rows] == [
        "common_voice_en_1.flac",
        "common_voice_en_2.flac",
    ]
    ids = {
        s: [u.id for u in load_common_voice(root, s)] for s in ("dev", "test", "other")
    }
    assert ids == {  # numbering continues; "other" clips are not validated
        "dev": ["common_voice_en_3"],
        "test": ["common_voice_en_4"],
        "other": ["common_voice_en_5"],
    }
    validated = load_common_voice(root, "validated", durations=True)
    assert [u.id for u in validated] == [f"common_voice_en_{n}" for n in range(1, 5)]
    durations = (root / "clip_durations.tsv").read_text().splitlines()
    assert durations[0] == "clip\tduration[ms]" and len(durations) == 6
    for utt, rec in zip(validated, recs, strict=True):
        assert np.max(np.abs(utt.audio()[0] - rec.wave)) <= PCM16  # FLAC: lossless
        assert utt.duration == round(1000 * len(rec.wave) / 16000) / 1000


def test_common_voice_hand_written_old_release(tmp_path):
    """An older header (``accent``, no ``locale``), extra columns, no durations file."""
    (tmp_path / "clips").mkdir()
    write_audio(tmp_path / "clips" / "common_voice_de_17.wav", np.full(480, 0.5), 48000)
    (tmp_path / "dev.tsv").write_text(
        "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccent\textra\n"
        'ff00\tcommon_voice_de_17.wav\tEr sagte "Hallo".\t3\t1\tthirties\t'
        "\tSchweiz\tx\n"
    )
    (tmp_path / "reported.tsv").write_text("sentence_id\tsentence\tlocale\treason\n")
    [utt] = load_common_voice(tmp_path, "dev", durations=True)
    assert (utt.id, utt.transcript, utt.speaker) == (
        "common_voice_de_17",
        'Er sagte "Hallo".',
        "ff00",
    )
    assert (utt.accent, utt.gender, utt.language) == ("Schweiz", None, None)
    assert utt.duration == 0.01
    wave, sr = utt.audio(sample_rate=16000)
    assert sr == 16000 and wave.shape == (160,)
    with pytest.raises(ValueError, match="available: dev$"):  # reported.tsv is no split
        load_common_voice(tmp_path, "reported")


def test_common_voice_missing_or_wrong_root(tmp_path, common_voice):
    root, _ = common_voice
    with pytest.raises(FileNotFoundError, match="root not found: .*nowhere"):
        load_common_voice(tmp_path / "nowhere", "train")
    with pytest.raises(
        FileNotFoundError,
        match=r"no clips/ folder in .*cv-corpus-17.0; pass one of .*'en'",
    ):
        load_common_voice(root.parent, "train")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no clips/ folder .*<split>\.tsv"):
        load_common_voice(tmp_path / "empty", "train")


def test_common_voice_unknown_split_lists_available(common_voice):
    root, _ = common_voice
    with pytest.raises(
        ValueError,
        match="unknown Common Voice split 'test'; available: train, validated$",
    ):
        load_common_voice(root, "test")
    with pytest.raises(
        TypeError, match="Common Voice split must be a str, got NoneType"
    ):
        load_common_voice(root, None)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "missing column.* client_id, path, sentence"),
        ("client_id\tpath\ttext\n", r"malformed header, missing column\(s\) sentence"),
        ("client_id,path,sentence\n", "missing column.*client_id, path, sentence"),
        ("client_id\tpath\tsentence\nab\tx.mp3\n", "dev.tsv:2: 2 tab-separated fields"),
        (
            "client_id\tpath\tsentence\nab\tgone.mp3\tHi\n",
            "row 1: no audio file .*gone",
        ),
    ],
)
def test_common_voice_bad_tsv(tmp_path, content, match):
    (tmp_path / "clips").mkdir()
    (tmp_path / "dev.tsv").write_text(content)
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        load_common_voice(tmp_path, "dev")


def test_common_voice_bad_durations_file(tmp_path):
    (tmp_path / "clips").mkdir()
    (tmp_path / "dev.tsv").write_text("client_id\tpath\tsentence\n")
    (tmp_path / "clip_durations.tsv").write_text("clip\tseconds\n")
    assert load_common_voice(tmp_path, "dev") == []
    with pytest.raises(ValueError, match=r"clip_durations.tsv: .*duration\[ms\]"):
        load_common_voice(tmp_path, "dev", durations=True)


@pytest.mark.parametrize(
    ("recording", "kwargs", "error", "match"),
    [
        (
            Recording("a", "Hi\tthere", np.zeros(160), 16000),
            {},
            ValueError,
            "tab or line",
        ),
        (
            Recording("a", "Hi\nthere", np.zeros(160), 16000),
            {},
            ValueError,
            "tab or line",
        ),
        (
            Recording("a\tb", "Hi.", np.zeros(160), 16000),
            {},
            ValueError,
            "speaker 'a\\\\t",
        ),
        (
            Recording("", "Hi.", np.zeros(160), 16000),
            {},
            ValueError,
            "must not be empty",
        ),
        (
            Recording("a", " ", np.zeros(160), 16000),
            {},
            ValueError,
            "must not be empty",
        ),
        (
            Recording("a", "Hi.", np.zeros(160), 16000),
            {"split": "mini"},
            ValueError,
            "unknown Common Voice split 'mini'",
        ),
        (
            Recording("a", "Hi.", np.zeros(160), 16000),
            {"audio_format": "ogg"},
            ValueError,
            "unknown audio_format 'ogg'; available: flac, mp3, wav",
        ),
        (
            Recording("a", "Hi.", np.zeros(160), 16000),
            {"locale": "e n"},
            ValueError,
            "locale must be a code",
        ),
        (Recording("a", "Hi.", np.zeros(170), 17000), {}, ValueError, "17000 Hz"),
        ("a recording", {}, TypeError, r"utterances\[0\] must be a Recording, got str"),
    ],
)
def test_write_common_voice_rejects_bad_input(
    tmp_path, recording, kwargs, error, match
):
    if "17000" in match and not MP3_SUPPORTED:
        pytest.skip("libsndfile without MP3")
    with pytest.raises(error, match=match):
        write_common_voice_miniature(tmp_path, [recording], **kwargs)


def test_write_common_voice_refuses_to_overwrite_a_split(common_voice, cv_recordings):
    root, _ = common_voice
    with pytest.raises(FileExistsError, match="train.tsv already exists"):
        write_common_voice_miniature(root, cv_recordings, audio_format="wav")
    with pytest.raises(ValueError, match="utterances is empty"):
        write_common_voice_miniature(root, iter([]), split="dev")
