"""Tests for slmsurvey.text.tokenize: word/sentence splitting and vocab tokenizers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slmsurvey.text.tokenize import (
    UNK,
    CharTokenizer,
    WordTokenizer,
    split_sentences,
    word_tokenize,
)

CORPUS = [
    "The cat sat on the mat.",
    "The dog sat on the log!",
    "Don't panic: state-of-the-art models cost 3.5 dollars.",
]


# --- word_tokenize ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, world!", ["hello", ",", "world", "!"]),
        ("Don't stop", ["don't", "stop"]),
        ("state-of-the-art WER", ["state-of-the-art", "wer"]),
        ("pi is 3.14, not 3", ["pi", "is", "3.14", ",", "not", "3"]),
        ("1,000,000 hours", ["1,000,000", "hours"]),
        ("end. 5", ["end", ".", "5"]),
        ("'quoted' -dash- ...", ["'", "quoted", "'", "-", "dash", "-", ".", ".", "."]),
        ("snake_case", ["snake", "_", "case"]),
        ("naïve café über", ["naïve", "café", "über"]),
        ("(ASR)", ["(", "asr", ")"]),
        ("", []),
        ("   \n\t", []),
    ],
)
def test_word_tokenize_cases(text, expected):
    assert word_tokenize(text) == expected


def test_word_tokenize_keeps_case_when_asked():
    assert word_tokenize("The GPT-2 Model", lower=False) == ["The", "GPT-2", "Model"]


@given(st.text())
def test_word_tokenize_drops_only_whitespace(text):
    tokens = word_tokenize(text, lower=False)
    assert "".join(tokens) == "".join(ch for ch in text if not ch.isspace())
    assert all(tokens) and not any(ch.isspace() for t in tokens for ch in t)


def test_word_tokenize_rejects_non_string():
    with pytest.raises(TypeError, match="text must be a str"):
        word_tokenize(["a list"])


# --- split_sentences -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("It rose to 3.5 dB. Then fell.", ["It rose to 3.5 dB.", "Then fell."]),
        ("Models, e.g. GPT, are big. Yes.", ["Models, e.g. GPT, are big.", "Yes."]),
        ("Use BPE, i.e. Subwords. Ok.", ["Use BPE, i.e. Subwords.", "Ok."]),
        ("Baevski et al. Showed it. Ok.", ["Baevski et al. Showed it.", "Ok."]),
        ("See Fig. 3 and Eq. 2 here.", ["See Fig. 3 and Eq. 2 here."]),
        ("J. Smith wrote it. Done.", ["J. Smith wrote it.", "Done."]),
        ("lower case. next one", ["lower case. next one"]),
        ("It ended in 2020. 2021 was next.", ["It ended in 2020.", "2021 was next."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("Wait... What?! Yes.", ["Wait...", "What?!", "Yes."]),
        ("  Leading and trailing.  ", ["Leading and trailing."]),
        ("No.Space", ["No.Space"]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences_cases(text, expected):
    assert split_sentences(text) == expected


@given(st.lists(st.sampled_from(["Speech is sound.", "Is it?", "Yes!", "3 cats."])))
def test_split_sentences_inverts_joining(sentences):
    assert split_sentences(" ".join(sentences)) == sentences


def test_split_sentences_rejects_non_string():
    with pytest.raises(TypeError, match="text must be a str"):
        split_sentences(None)


# --- WordTokenizer ---------------------------------------------------------------


def test_word_tokenizer_vocab_order_and_unk():
    tok = WordTokenizer().fit(["b a a", "c b a"])
    assert tok.vocab_ == [UNK, "a", "b", "c"]  # by count, then alphabetically
    assert tok.vocab_size == 4
    assert tok.encode("a B z") == [1, 2, 0]
    assert tok.decode([1, 2, 0]) == "a b <unk>"


def test_word_tokenizer_round_trips_up_to_spacing():
    tok = WordTokenizer().fit(CORPUS)
    for text in CORPUS:
        assert tok.decode(tok.encode(text)) == " ".join(word_tokenize(text))
    assert 0 not in tok.encode(" ".join(CORPUS))


def test_word_tokenizer_min_count_sends_rare_words_to_unk():
    tok = WordTokenizer(min_count=2).fit(CORPUS)
    assert set(tok.vocab_) == {UNK, "the", "sat", "on", "."}
    assert tok.encode("the mat") == [tok.vocab_.index("the"), 0]
    assert tok.counts_["mat"] == 1


def test_word_tokenizer_lower_false_keeps_case():
    tok = WordTokenizer(lower=False).fit(["The the"])
    assert tok.encode("The the THE") == [tok.vocab_.index("The"), 2, 0]


def test_word_tokenizer_accepts_numpy_ids_and_generators():
    tok = WordTokenizer().fit(t for t in CORPUS)
    ids = np.array(tok.encode("the cat"))
    assert tok.decode(ids) == "the cat"


def test_fit_returns_self_and_init_stores_only_hyper_parameters():
    tok = WordTokenizer(lower=False, min_count=3)
    assert vars(tok) == {"lower": False, "min_count": 3}
    assert tok.fit(CORPUS) is tok
    assert vars(CharTokenizer()) == {}


# --- CharTokenizer ---------------------------------------------------------------


def test_char_tokenizer_vocab_and_unk():
    tok = CharTokenizer().fit(["hello", "world"])
    assert tok.vocab_ == [UNK, *sorted(set("helloworld"))]
    assert tok.encode("held!") == [tok.vocab_.index(c) for c in "held"] + [0]
    assert tok.decode(tok.encode("hex")) == "he<unk>"
    assert tok.tokenize("a b") == ["a", " ", "b"]


@given(st.text(min_size=1))
def test_char_tokenizer_round_trips_seen_text(text):
    tok = CharTokenizer().fit([text])
    assert tok.decode(tok.encode(text)) == text
    assert 0 not in tok.encode(text)


# --- bad input -------------------------------------------------------------------

TOKENIZERS = [WordTokenizer, CharTokenizer]


@pytest.mark.parametrize("cls", TOKENIZERS)
def test_use_before_fit_raises(cls):
    tok = cls()
    for call in (lambda: tok.encode("a"), lambda: tok.decode([0])):
        with pytest.raises(ValueError, match="call fit first"):
            call()
    with pytest.raises(ValueError, match="call fit first"):
        _ = tok.vocab_size


@pytest.mark.parametrize("cls", TOKENIZERS)
@pytest.mark.parametrize("texts", [[], [""], ["", ""]])
def test_fit_rejects_empty_corpus(cls, texts):
    with pytest.raises(ValueError, match="texts is empty"):
        cls().fit(texts)


def test_word_fit_rejects_corpus_without_tokens():
    with pytest.raises(ValueError, match="texts contain no tokens"):
        WordTokenizer().fit(["  ", "\n"])


@pytest.mark.parametrize("cls", TOKENIZERS)
@pytest.mark.parametrize(
    ("texts", "match"),
    [
        ("a single string", "not a single string"),
        (b"bytes", "not a single string"),
        (42, "texts must be an iterable of str, got int"),
        (["ok", 3], r"texts\[1\] must be a str, got int"),
        ([b"bytes"], r"texts\[0\] must be a str, got bytes"),
    ],
)
def test_fit_rejects_non_string_texts(cls, texts, match):
    with pytest.raises(TypeError, match=match):
        cls().fit(texts)


@pytest.mark.parametrize("cls", TOKENIZERS)
def test_encode_rejects_non_string(cls):
    tok = cls().fit(CORPUS)
    with pytest.raises(TypeError, match="text must be a str"):
        tok.encode(["the"])


@pytest.mark.parametrize("cls", TOKENIZERS)
@pytest.mark.parametrize(
    ("ids", "error", "match"),
    [
        ([1, -1], ValueError, r"ids must lie in \[0, \d+\), got -1"),
        ([10_000], ValueError, r"ids must lie in \[0, \d+\), got 10000"),
        ([1.0], TypeError, "ids must be integers, got float"),
        ([True], TypeError, "ids must be integers, got bool"),
        ("12", TypeError, "ids must be an iterable of int, not a string"),
        (5, TypeError, "ids must be an iterable of int, got int"),
    ],
)
def test_decode_rejects_bad_ids(cls, ids, error, match):
    tok = cls().fit(CORPUS)
    with pytest.raises(error, match=match):
        tok.decode(ids)


@pytest.mark.parametrize("min_count", [0, -2])
def test_min_count_below_one_raises(min_count):
    with pytest.raises(ValueError, match="min_count must be >= 1"):
        WordTokenizer(min_count=min_count).fit(CORPUS)


@pytest.mark.parametrize("min_count", [1.5, "2", True])
def test_min_count_not_int_raises(min_count):
    with pytest.raises(TypeError, match="min_count must be an int"):
        WordTokenizer(min_count=min_count).fit(CORPUS)
