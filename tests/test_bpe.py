"""Tests for slmsurvey.text.bpe: byte-level byte-pair encoding."""

import random
from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slmsurvey.text.bpe import BPETokenizer, pretokenize

# Sennrich et al. (2016), Fig. 1: low x5, lower x2, newest x6, widest x3.
SENNRICH = ["low " * 5 + "lower " * 2 + "newest " * 6 + "widest " * 3]

ENGLISH = [
    "Speech language models learn from audio as well as from text.",
    "A tokenizer maps text to a sequence of integer ids, and back again.",
    "Byte-pair encoding merges the most frequent pair of adjacent symbols.",
    "The merges are learned once, then replayed in order on new text.",
    "Listening to speech, the model predicts the next discrete unit.",
    "Recognition, synthesis and translation share the same building blocks.",
    "Larger vocabularies give shorter sequences but rarer tokens.",
] * 3


@pytest.fixture(scope="module")
def english_bpe():
    return BPETokenizer(vocab_size=400).fit(ENGLISH)


def naive_bpe_merges(texts, vocab_size):
    """Reference BPE: recount every pair from scratch before each merge."""
    words = Counter(c for t in texts for c in pretokenize(t))
    seqs = {w: list(w.encode()) for w in words}
    merges = []
    while 256 + len(merges) < vocab_size:
        counts = Counter()
        for w, n in words.items():
            for pair in pairwise(seqs[w]):
                counts[pair] += n
        if not counts or max(counts.values()) < 2:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        new_id = 256 + len(merges)
        merges.append(best)
        for w, s in seqs.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def test_sennrich_first_merges():
    # Pair counts: "es" = "st" = 9 (newest 6 + widest 3); the tie goes to the
    # smaller id pair (e=101, s=115) < (s=115, t=116). Then "es"+"t" = 9;
    # "lo" = "ow" = 7 -> "lo", then "low"; then " n" (6) wins the 6-way tie.
    bpe = BPETokenizer(vocab_size=261).fit(SENNRICH)
    e, s, t, l, o, w, n = (ord(c) for c in "estlown")
    assert bpe.merges_ == [(e, s), (256, t), (l, o), (258, w), (32, n)]
    assert bpe.vocab_[256:] == [b"es", b"est", b"lo", b"low", b" n"]
    assert bpe.tokenize("lowest newer") == ["low", "est", " n", "e", "w", "e", "r"]


def test_sennrich_whole_words_emerge():
    bpe = BPETokenizer(vocab_size=1000).fit(SENNRICH)
    for word in [" newest", " widest", " low", " lower"]:
        assert word.encode() in bpe.vocab_
    assert bpe.tokenize(" newest widest") == [" newest", " widest"]
    # stops when no pair occurs twice, well short of 1000
    assert len(bpe.vocab_) < 300


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_counts_match_naive_recount(seed):
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcde", k=rng.randint(1, 6))) for _ in range(40)]
    texts = [" ".join(rng.choices(words, k=30)) for _ in range(5)]
    bpe = BPETokenizer(vocab_size=330).fit(texts)
    assert len(bpe.merges_) > 20
    assert bpe.merges_ == naive_bpe_merges(texts, 330)


def test_vocab_is_concatenation_of_merged_tokens(english_bpe):
    assert len(english_bpe.vocab_) == 256 + len(english_bpe.merges_) == 400
    assert english_bpe.vocab_[:256] == [bytes([b]) for b in range(256)]
    for k, (a, b) in enumerate(english_bpe.merges_):
        assert a < 256 + k and b < 256 + k
        assert (
            english_bpe.vocab_[256 + k] == english_bpe.vocab_[a] + english_bpe.vocab_[b]
        )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_on_arbitrary_unicode(english_bpe, text):
    assert english_bpe.decode(english_bpe.encode(text)) == text


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n  \t", "日本語のテキスト", "emoji 🎙️🔊", "\ud800 lone", "a\x00b"],
)
def test_round_trip_edge_cases(english_bpe, text):
    assert english_bpe.decode(english_bpe.encode(text)) == text


@given(st.text())
def test_pretokenize_covers_the_text(text):
    assert "".join(pretokenize(text)) == text


def test_merges_never_cross_chunks():
    bpe = BPETokenizer(vocab_size=300).fit(["ab.ab.ab.ab. cd cd cd cd"])
    for token in bpe.vocab_[256:]:
        assert pretokenize(token.decode()) == [token.decode()]


def test_encode_is_deterministic(english_bpe):
    text = " ".join(ENGLISH[:5])
    first = english_bpe.encode(text)
    assert english_bpe.encode(text) == first  # cached chunks
    fresh = BPETokenizer(vocab_size=400).fit(ENGLISH)
    assert fresh.merges_ == english_bpe.merges_
    assert fresh.encode(text) == first


def test_tokenize_matches_encode(english_bpe):
    text = "Speech models"
    ids = english_bpe.encode(text)
    assert english_bpe.tokenize(text) == [english_bpe.vocab_[i].decode() for i in ids]
    assert "".join(english_bpe.tokenize(text)) == text


def test_tokenize_shows_partial_characters_as_replacement():
    bpe = BPETokenizer(vocab_size=256).fit(["x"])
    assert bpe.tokenize("é") == ["\ufffd", "\ufffd"]
    assert bpe.decode([0xC3]) == "\ufffd"  # invalid UTF-8 alone


def test_compression_improves_with_vocab_size():
    text = " ".join(ENGLISH)
    rates = []
    for vocab_size in [256, 300, 400, 600]:
        bpe = BPETokenizer(vocab_size=vocab_size).fit(ENGLISH)
        rates.append(len(bpe.encode(text)) / len(text))
    assert rates[0] == 1.0  # bytes only, ASCII text
    assert all(a > b for a, b in pairwise(rates))


def test_fit_returns_self_and_init_stores_only_hyper_parameters():
    bpe = BPETokenizer(vocab_size=300)
    assert vars(bpe) == {"vocab_size": 300}
    assert bpe.fit(ENGLISH) is bpe


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("vocab_size", [0, 255, -1])
def test_vocab_size_too_small(vocab_size):
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        BPETokenizer(vocab_size=vocab_size).fit(ENGLISH)


@pytest.mark.parametrize("vocab_size", [300.0, "300", None, True])
def test_vocab_size_not_int(vocab_size):
    with pytest.raises(TypeError, match="vocab_size must be an int"):
        BPETokenizer(vocab_size=vocab_size).fit(ENGLISH)


@pytest.mark.parametrize("texts", [[], [""], ("", "")])
def test_fit_rejects_empty_corpus(texts):
    with pytest.raises(ValueError, match="texts is empty"):
        BPETokenizer().fit(texts)


@pytest.mark.parametrize(
    ("texts", "match"),
    [
        ("just a string", "not a single string"),
        (None, "texts must be an iterable of str, got NoneType"),
        (["fine", None], r"texts\[1\] must be a str, got NoneType"),
    ],
)
def test_fit_rejects_non_strings(texts, match):
    with pytest.raises(TypeError, match=match):
        BPETokenizer().fit(texts)


def test_use_before_fit_raises():
    bpe = BPETokenizer()
    with pytest.raises(ValueError, match="call fit first"):
        bpe.encode("a")
    with pytest.raises(ValueError, match="call fit first"):
        bpe.decode([97])
    with pytest.raises(ValueError, match="call fit first"):
        bpe.tokenize("a")


def test_encode_rejects_non_string(english_bpe):
    with pytest.raises(TypeError, match="text must be a str"):
        english_bpe.encode(b"bytes")


@pytest.mark.parametrize(
    ("ids", "error", "match"),
    [
        ([97, 400], ValueError, r"ids must lie in \[0, 400\), got 400"),
        ([-1], ValueError, r"ids must lie in \[0, 400\), got -1"),
        ([97.0], TypeError, "ids must be integers, got float"),
        ("abc", TypeError, "ids must be an iterable of int, not a string"),
    ],
)
def test_decode_rejects_bad_ids(english_bpe, ids, error, match):
    with pytest.raises(error, match=match):
        english_bpe.decode(ids)
