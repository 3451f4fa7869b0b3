"""espeak-ng synthesis: audio, voices, accents, languages, phonemes, threads."""

import dataclasses
import math
import threading

import librosa
import numpy as np
import pytest

from slmsurvey.speech.tts import (
    ENGLISH_ACCENTS,
    LANGUAGES,
    NATIVE_SAMPLE_RATE,
    Voice,
    phonemes,
    synthesize,
    variants,
    voices,
)

SENTENCE = "the dog often chases a cat"


def _rms(wave):
    return float(np.sqrt(np.mean(wave.astype(np.float64) ** 2)))


def _f0(wave, sr=16000):
    """Median YIN f0 (librosa) over the middle half of a sustained vowel."""
    middle = wave[len(wave) // 4 : 3 * len(wave) // 4]
    f0 = librosa.yin(middle, fmin=50, fmax=400, sr=sr, frame_length=1024)
    return float(np.median(f0))


def test_output_is_float32_mono_in_range_and_not_silent():
    wave = synthesize(SENTENCE)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert np.all(np.abs(wave) <= 1.0)
    assert _rms(wave) > 0.02
    assert 1.0 < len(wave) / 16000 < 2.5  # six words at 175 words per minute


@pytest.mark.parametrize("sample_rate", [8000, 16000, 24000, 44100])
def test_sample_rate_is_a_resampling_of_the_native_output(sample_rate):
    native = synthesize(SENTENCE, sample_rate=NATIVE_SAMPLE_RATE)
    wave = synthesize(SENTENCE, sample_rate=sample_rate)
    assert len(wave) == math.ceil(len(native) * sample_rate / NATIVE_SAMPLE_RATE)
    assert _rms(wave) == pytest.approx(_rms(native), rel=0.1)


def test_native_rate_is_the_int16_output_scaled():
    wave = synthesize(SENTENCE, sample_rate=NATIVE_SAMPLE_RATE)
    pcm = wave * 32768
    np.testing.assert_array_equal(pcm, np.round(pcm))  # exactly k / 32768
    assert pcm.min() >= -32768 and pcm.max() <= 32767


def test_duration_grows_with_text_and_falls_with_rate():
    lengths = [
        len(synthesize(t))
        for t in ["the cat", "the cat sees the dog", "the big cat often sees the dog"]
    ]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1] / 2
    slow, fast = (len(synthesize(SENTENCE, rate=r)) for r in (120, 300))
    assert fast < 0.6 * slow


def test_pitch_raises_the_fundamental_frequency():
    f0 = [_f0(synthesize("aaaaa", rate=80, pitch=p)) for p in (20, 50, 80)]
    assert f0 == sorted(f0)
    assert 1.5 < f0[2] / f0[0] < 2.5  # pitch 0..100 spans about two octaves
    assert 60 < f0[1] < 150  # the default male voice


def test_female_variant_speaks_higher_than_the_default_voice():
    male, female = (
        _f0(synthesize("aaaaa", rate=80, voice=v)) for v in ("en-us", "en-us+f3")
    )
    assert female > 1.5 * male


def test_pitch_range_zero_is_flatter_than_default():
    def spread(wave):
        f0 = librosa.yin(wave, fmin=50, fmax=400, sr=16000, frame_length=1024)
        return float(np.percentile(f0, 75) - np.percentile(f0, 25))

    text = "Is this a question, or is it not?"
    assert spread(synthesize(text, pitch_range=0)) < spread(synthesize(text))


def test_same_arguments_give_identical_samples_whatever_came_before():
    first = synthesize(SENTENCE, voice="en-gb+f3", pitch=60)
    synthesize("something else entirely", voice="de", rate=400, pitch=0)
    phonemes("and some phonemes", voice="fr")
    again = synthesize(SENTENCE, voice="en-gb+f3", pitch=60)
    np.testing.assert_array_equal(first, again)


def test_settings_do_not_leak_between_calls():
    default = synthesize(SENTENCE)
    synthesize(SENTENCE, rate=400, pitch=100, pitch_range=0)
    np.testing.assert_array_equal(synthesize(SENTENCE), default)


def test_different_voices_give_different_audio():
    waves = [synthesize(SENTENCE, voice=v) for v in ("en-us", "en-gb", "en-us+f3")]
    for i in range(3):
        for j in range(i):
            assert len(waves[i]) != len(waves[j]) or not np.allclose(waves[i], waves[j])


@pytest.mark.parametrize("spelling", ["EN-US", "gmw/en-US", "English (America)"])
def test_voice_spellings_select_the_same_voice(spelling):
    np.testing.assert_array_equal(
        synthesize("hello", voice=spelling), synthesize("hello")
    )


def test_concurrent_calls_equal_sequential_calls():
    jobs = [
        (f"sentence number {i} is spoken here", v)
        for i, v in enumerate(["en-us", "en-gb+f2", "de", "en-us+m3"] * 2)
    ]
    expected = [synthesize(t, voice=v) for t, v in jobs]
    results = [None] * len(jobs)
    barrier = threading.Barrier(4)

    def work(k):
        barrier.wait()
        for i in range(k, len(jobs), 4):
            results[i] = synthesize(jobs[i][0], voice=jobs[i][1])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("accent", ENGLISH_ACCENTS)
def test_each_english_accent_speaks(accent):
    assert any(accent in v.languages for v in voices("en"))
    wave = synthesize("The water in the car park is not hot.", voice=accent)
    assert _rms(wave) > 0.02 and len(wave) > 16000


def test_english_accents_are_distinct():
    text = "The water in the car park is not hot."
    assert len(ENGLISH_ACCENTS) >= 6
    assert len({phonemes(text, voice=a) for a in ENGLISH_ACCENTS}) >= 6
    assert len({synthesize(text, voice=a).tobytes() for a in ENGLISH_ACCENTS}) == len(
        ENGLISH_ACCENTS
    )


@pytest.mark.parametrize(("code", "greeting"), LANGUAGES.items())
def test_each_language_speaks_its_greeting(code, greeting):
    wave = synthesize(greeting, voice=code)
    assert _rms(wave) > 0.02 and len(wave) > 8000
    ipa = phonemes(greeting, voice=code)
    assert ipa and "(en)" not in ipa  # read by the language's rules, not English


def test_at_least_ten_other_languages():
    assert len(LANGUAGES) >= 10
    assert not any(code.startswith("en") for code in LANGUAGES)


@pytest.mark.parametrize("variant", ["f1", "f2", "f3", "f4", "f5", "m1", "m3", "m7"])
def test_variants_speak(variant):
    assert variant in variants()
    assert _rms(synthesize("hello there", voice=f"en-gb-scotland+{variant}")) > 0.02


def test_voices_lists_frozen_voice_records():
    every = voices()
    assert len(every) > 100 and all(isinstance(v, Voice) for v in every)
    with pytest.raises(dataclasses.FrozenInstanceError):
        every[0].name = "x"


def test_voices_filters_by_whole_language_tags():
    english = {v.languages[0] for v in voices("en")}
    assert set(ENGLISH_ACCENTS) <= english
    british = voices("EN-GB")
    assert british and all(
        any(c == "en-gb" or c.startswith("en-gb-") for c in v.languages)
        for v in british
    )
    assert "en-us" not in {v.languages[0] for v in british}
    assert voices("e") == [] and voices("xx-nope") == []
    assert voices("FR") == voices("fr") and len(voices("fr")) == 3


def test_phonemes_of_the_cat():
    ipa = phonemes("the cat")
    assert "k" in ipa and "æ" in ipa
    assert phonemes("the cat", ipa=False) == "D@2 k'at"  # 2: unstressed


def test_phonemes_read_every_clause():
    ipa = phonemes("The cat sat. Then, it ran away! OK")
    assert ipa == "ðə kˈæt sˈæt ðˈɛn ɪt ɹˈæn ɐwˈeɪ ˌoʊkˈeɪ"


def test_phoneme_separator_goes_between_phonemes_of_a_word():
    assert phonemes("the cat", separator="_") == "ð_ə k_ˈæ_t"


def test_phonemes_follow_the_language():
    assert phonemes("Guten Morgen", voice="de") != phonemes("Guten Morgen")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: synthesize(""), ValueError, "text is empty"),
        (lambda: synthesize(" \n\t"), ValueError, "text is empty"),
        (lambda: synthesize(b"bytes"), TypeError, "text must be a str"),
        (lambda: synthesize(None), TypeError, "text must be a str"),
        (lambda: synthesize("a\0b"), ValueError, "NUL"),
        (lambda: synthesize("hi", voice="en-uss"), ValueError, r"unknown voice.*en-us"),
        (lambda: synthesize("hi", voice="qqqqqq"), ValueError, r"see voices\(\)"),
        (lambda: synthesize("hi", voice="en+f9"), ValueError, "unknown variant 'f9'"),
        (lambda: synthesize("hi", voice=3), TypeError, "voice must be a str"),
        (
            lambda: synthesize("hi", rate=79),
            ValueError,
            r"rate must lie in \[80, 450\]",
        ),
        (lambda: synthesize("hi", rate=451), ValueError, "rate must lie in"),
        (lambda: synthesize("hi", rate=175.0), TypeError, "rate must be an int"),
        (lambda: synthesize("hi", pitch=-1), ValueError, "pitch must lie in"),
        (lambda: synthesize("hi", pitch=101), ValueError, "pitch must lie in"),
        (lambda: synthesize("hi", pitch_range=101), ValueError, "pitch_range must"),
        (lambda: synthesize("hi", sample_rate=0), ValueError, "sample_rate must lie"),
        (lambda: synthesize("hi", sample_rate=-16000), ValueError, "sample_rate"),
        (lambda: synthesize("hi", sample_rate=16e3), TypeError, "sample_rate must be"),
        (lambda: synthesize("hi", sample_rate=True), TypeError, "sample_rate must be"),
        (lambda: phonemes(""), ValueError, "text is empty"),
        (lambda: phonemes(1), TypeError, "text must be a str"),
        (lambda: phonemes("hi", voice="deu"), ValueError, "unknown voice"),
        (lambda: phonemes("hi", ipa="yes"), TypeError, "ipa must be a bool"),
        (lambda: phonemes("hi", separator="--"), ValueError, "separator must be one"),
        (lambda: phonemes("hi", separator=1), ValueError, "separator must be one"),
        (lambda: phonemes("hi", separator="😀"), ValueError, "separator must be one"),
        (lambda: voices(1), TypeError, "language must be a str"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_every_listed_voice_speaks():
    # Voices whose dictionary is missing from the wheel would give silence and
    # must not be listed.
    for voice in voices():
        assert phonemes("hello world", voice=voice.identifier), voice


@pytest.mark.parametrize("variant", ["f2", "f3", "m3"])
def test_breathy_variants_are_deterministic_whatever_came_before(variant):
    voice = f"en-gb+{variant}"
    first = synthesize("left", voice=voice, pitch=40)
    for other in ("stop right there", "yes", "no"):
        synthesize(other, voice="en-us+f2")
        assert np.array_equal(synthesize("left", voice=voice, pitch=40), first)
