"""make_spoken_corpus: determinism, cache, splits, feature batches, bad input."""

import json

import numpy as np
import pytest
import torch

from slmsurvey.speech import corpus as corpus_module
from slmsurvey.speech import feature_lengths, make_speakers, make_spoken_corpus
from slmsurvey.text import ToyGrammar

WORDS = ["yes", "no", "stop", "go", "left", "right", "up", "down"]
SMALL = dict(accents=["en-us", "en-gb"], speakers_per_accent=3, cache_dir=False)


@pytest.fixture(scope="module")
def corpus():
    return make_spoken_corpus(WORDS, n_utterances=36, **SMALL)


def test_same_seed_same_audio_other_seed_other_audio(corpus):
    again = make_spoken_corpus(WORDS, n_utterances=36, **SMALL)
    assert all(
        np.array_equal(a, b) for a, b in zip(corpus.waves, again.waves, strict=True)
    )
    other = make_spoken_corpus(WORDS, n_utterances=36, seed=1, **SMALL)
    assert any(
        len(a) != len(b) or not np.array_equal(a, b)
        for a, b in zip(corpus.waves, other.waves, strict=True)
    )


def test_labels_and_audio(corpus):
    assert len(corpus) == 36
    assert corpus.transcripts[:8] == WORDS  # sentences are cycled
    assert set(corpus.accents) == {"en-us", "en-gb"}
    assert len(set(corpus.speakers)) == 6
    for wave in corpus.waves:
        assert wave.dtype == np.float32 and np.abs(wave).max() <= 1
        assert 0.2 < len(wave) / corpus.sample_rate < 3


def test_speaker_split_keeps_speakers_apart_and_covers_every_accent(corpus):
    split_of = {}
    for speaker, split in zip(corpus.speakers, corpus.splits, strict=True):
        assert split_of.setdefault(speaker, split) == split
    for part in (corpus.train, corpus.dev, corpus.test):
        assert set(part.accents) == {"en-us", "en-gb"}
    assert len(corpus.train) + len(corpus.dev) + len(corpus.test) == len(corpus)


def test_sentence_split_keeps_sentences_apart():
    c = make_spoken_corpus(WORDS, n_utterances=48, split_by="sentence", **SMALL)
    split_of = {}
    for sentence, split in zip(c.transcripts, c.splits, strict=True):
        assert split_of.setdefault(sentence, split) == split
    assert {"train", "dev", "test"} == set(c.splits)


def test_grammar_source_and_noise():
    grammar = ToyGrammar.english_like()
    c = make_spoken_corpus(grammar, n_utterances=6, snr_db=(0, 10), **SMALL)
    assert c.transcripts == [" ".join(s) for s in grammar.sample(6, seed=0)]
    snrs = [r["snr_db"] for r in c.records]
    assert all(0 <= s <= 10 for s in snrs) and len(set(snrs)) == 6


def test_feature_batches_are_padded_with_true_lengths(corpus):
    feats, lengths = corpus.features("log_mel", n_mels=40)
    assert feats.shape == (len(corpus), int(lengths.max()), 40)
    expected = feature_lengths(torch.tensor([len(w) for w in corpus.waves]), 160)
    assert torch.equal(lengths, expected)
    short = int(lengths.argmin())
    assert torch.all(feats[short, lengths[short] :] == 0)
    batches = list(corpus.batches(10, kind="mfcc", shuffle=True, seed=0))
    assert [b.features.shape[0] for b in batches] == [10, 10, 10, 6]
    assert sorted(t for b in batches for t in b.transcripts) == sorted(
        corpus.transcripts
    )
    assert batches[0].features.shape[2] == 13


def test_cache_layout_and_reuse(tmp_path, monkeypatch):
    kwargs = dict(SMALL, cache_dir=tmp_path)
    first = make_spoken_corpus(WORDS[:4], **kwargs)
    (folder,) = (tmp_path / "spoken").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["records"]) == 4
    assert np.load(folder / "audio.npy").dtype == np.float32

    def no_synthesis(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(corpus_module, "synthesize", no_synthesis)
    second = make_spoken_corpus(WORDS[:4], **kwargs)
    assert all(
        np.array_equal(a, b) for a, b in zip(first.waves, second.waves, strict=True)
    )
    assert second.transcripts == first.transcripts
    assert second.speakers == first.speakers


def test_speakers_are_distinct_voices():
    speakers = make_speakers(["en-us", "en-gb"], 4, seed=0)
    assert len({s.voice for s in speakers}) == 8
    assert all(30 <= s.pitch <= 70 and 140 <= s.rate <= 200 for s in speakers)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(text=[]), ValueError, "at least one sentence"),
        (dict(text=["yes", " "]), ValueError, "no empty ones"),
        (dict(text="yes no"), TypeError, "not a single str"),
        (dict(text=ToyGrammar.english_like()), ValueError, "n_utterances is needed"),
        (dict(split_by="accent"), ValueError, "split_by must be"),
        (dict(fractions=(0.5, 0.5, 0.5)), ValueError, "fractions must be"),
        (dict(snr_db=float("nan")), ValueError, "snr_db must be"),
        (dict(snr_db=(10, 0)), ValueError, "snr_db must be"),
        (dict(accents="en-us"), ValueError, "accents must be"),
        (dict(speakers_per_accent=0), ValueError, "per_accent must be"),
        (dict(accents=["en-uss"]), ValueError, "en-us"),
    ],
)
def test_bad_input(kwargs, error, match):
    kwargs = {"text": WORDS, **SMALL, **kwargs}
    with pytest.raises(error, match=match):
        make_spoken_corpus(kwargs.pop("text"), **kwargs)


def test_speakers_take_equal_turns_over_all_sentences():
    c = make_spoken_corpus(WORDS, n_utterances=96, **SMALL)  # 6 speakers, 8 words
    counts = {s: c.speakers.count(s) for s in set(c.speakers)}
    assert set(counts.values()) == {16}
    for speaker in counts:
        said = {
            t for t, s in zip(c.transcripts, c.speakers, strict=True) if s == speaker
        }
        assert len(said) >= 4, "a speaker must not be tied to a few sentences"
