"""slmsurvey.metrics.wer: agreement with jiwer, hand-worked cases, properties."""

import random

import jiwer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slmsurvey.metrics.wer import Alignment, cer, edit_distance, error_counts, wer

VOCAB = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran"]


def _random_pairs(n_pairs, seed):
    """Seeded (reference, hypothesis) sentences from a small vocabulary.

    The hypothesis is the reference with random word edits, so the pairs hold
    hits, substitutions, insertions and deletions; some hypotheses are empty.
    """
    rng = random.Random(seed)
    pairs = []
    for k in range(n_pairs):
        ref = [rng.choice(VOCAB) for _ in range(rng.randint(1, 12))]
        hyp = []
        for word in ref:
            u = rng.random()
            if u < 0.15:
                continue  # deletion
            hyp.append(rng.choice(VOCAB) if u < 0.35 else word)
            if rng.random() < 0.15:
                hyp.append(rng.choice(VOCAB))  # insertion
        if k % 10 == 0:
            hyp = []
        pairs.append((" ".join(ref), " ".join(hyp)))
    return pairs


PAIRS = _random_pairs(300, seed=0)
REFS = [r for r, _ in PAIRS]
HYPS = [h for _, h in PAIRS]


# --- agreement with jiwer -------------------------------------------------------


def test_pairs_hold_every_kind_of_edit():
    totals = error_counts(REFS, HYPS)
    assert min(totals["S"], totals["D"], totals["I"], totals["H"]) > 50
    assert "" in HYPS


@pytest.mark.parametrize(("ours", "theirs"), [(wer, jiwer.wer), (cer, jiwer.cer)])
def test_rate_equals_jiwer_per_pair(ours, theirs):
    for ref, hyp in PAIRS:
        assert ours(ref, hyp) == pytest.approx(theirs(ref, hyp), abs=1e-12)


@pytest.mark.parametrize(("ours", "theirs"), [(wer, jiwer.wer), (cer, jiwer.cer)])
def test_corpus_rate_equals_jiwer(ours, theirs):
    value = ours(REFS, HYPS)
    assert type(value) is float
    assert value == pytest.approx(theirs(REFS, HYPS), abs=1e-12)


@pytest.mark.parametrize(
    ("unit", "process"),
    [("word", jiwer.process_words), ("char", jiwer.process_characters)],
)
def test_counts_equal_jiwer_alignment(unit, process):
    for ref, hyp in PAIRS[:150]:
        out = process(ref, hyp)
        expected = {
            "S": out.substitutions,
            "D": out.deletions,
            "I": out.insertions,
            "H": out.hits,
        }
        counts = error_counts(ref, hyp, unit=unit)
        assert {k: counts[k] for k in "SDIH"} == expected, (ref, hyp)
        assert counts["N"] == sum(len(r) for r in out.references)


def test_normalisation_flags_equal_jiwer_transforms():
    refs = ["The cat, sat!", "Hello: World"]
    hyps = ["the cat sat", "hello  world."]
    transform = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    expected = jiwer.wer(refs, hyps, transform, transform)
    assert expected < jiwer.wer(refs, hyps)  # the flags matter here
    assert wer(refs, hyps, lowercase=True, remove_punctuation=True) == pytest.approx(
        expected, abs=1e-12
    )
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), abs=1e-12)


# --- hand-worked cases ------------------------------------------------------------


def test_hand_worked_word_alignment():
    # the cat sat on the mat -> the cat sit on mat: sat->sit, "the" deleted
    a = edit_distance("the cat sat on the mat".split(), "the cat sit on mat".split())
    assert (a.substitutions, a.deletions, a.insertions, a.hits) == (1, 1, 0, 4)
    assert a.distance == 2
    assert a.operations == (
        ("equal", "the", "the"),
        ("equal", "cat", "cat"),
        ("substitute", "sat", "sit"),
        ("equal", "on", "on"),
        ("delete", "the", None),
        ("equal", "mat", "mat"),
    )
    assert wer("the cat sat on the mat", "the cat sit on mat") == pytest.approx(2 / 6)


def test_kitten_sitting():
    a = edit_distance("kitten", "sitting")
    assert (a.substitutions, a.deletions, a.insertions, a.hits) == (2, 0, 1, 4)
    assert cer("kitten", "sitting") == pytest.approx(3 / 6)


def test_tie_is_broken_as_documented():
    # "a b" -> "b c" costs 2 either way; deletion-first-then-substitution gives S=2
    a = edit_distance(["a", "b"], ["b", "c"])
    assert (a.substitutions, a.deletions, a.insertions) == (2, 0, 0)


def test_corpus_rate_sums_counts_rather_than_averaging():
    refs, hyps = ["a b c d", "e"], ["a b c d", "x"]
    assert wer(refs, hyps) == pytest.approx(1 / 5)  # not (0 + 1) / 2
    assert error_counts(refs, hyps) == {"S": 1, "D": 0, "I": 0, "H": 4, "N": 5}


def test_empty_hypothesis_is_all_deletions():
    assert error_counts("a b c", "") == {"S": 0, "D": 3, "I": 0, "H": 0, "N": 3}
    assert wer("a b c", "") == 1.0


def test_cer_counts_inner_spaces_not_outer_ones():
    assert cer("  a b ", "a b") == 0.0
    assert error_counts("a b", "ab", unit="char") == {
        "S": 0,
        "D": 1,
        "I": 0,
        "H": 2,
        "N": 3,
    }


def test_wer_can_exceed_one():
    assert wer("hello", "hello there big world") == pytest.approx(3.0)
    assert wer(["a", "b c"], ["x y z", "b c"]) == pytest.approx(3 / 3)


def test_single_empty_reference_in_a_corpus_counts_insertions():
    assert wer(["", "a b"], ["x", "a b"]) == pytest.approx(1 / 2)
    assert error_counts("", "x y")["I"] == 2


# --- properties -------------------------------------------------------------------

tokens = st.lists(st.sampled_from("abc"), max_size=8)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tokens)
def test_zero_on_identical_input(x):
    a = edit_distance(x, x)
    assert a.distance == 0 and a.hits == len(x)
    if x:
        assert wer(" ".join(x), " ".join(x)) == 0.0
        assert cer("".join(x), "".join(x)) == 0.0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tokens, tokens)
def test_distance_is_symmetric_and_alignment_is_consistent(x, y):
    a, b = edit_distance(x, y), edit_distance(y, x)
    assert a.distance == b.distance
    assert a.hits + a.substitutions + a.deletions == len(x)
    assert a.hits + a.substitutions + a.insertions == len(y)
    # the operations spell out both sequences
    assert [r for _, r, _ in a.operations if r is not None] == x
    assert [h for _, _, h in a.operations if h is not None] == y
    for op, r, h in a.operations:
        assert (op == "equal") == (r == h)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tokens, tokens, tokens)
def test_triangle_inequality(x, y, z):
    assert edit_distance(x, z).distance <= (
        edit_distance(x, y).distance + edit_distance(y, z).distance
    )


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tokens, tokens)
def test_distance_equals_brute_force_recursion(x, y):
    def lev(i, j):  # distance between x[:i] and y[:j], straight from the recursion
        if i == 0 or j == 0:
            return i + j
        return min(
            lev(i - 1, j) + 1,
            lev(i, j - 1) + 1,
            lev(i - 1, j - 1) + (x[i - 1] != y[j - 1]),
        )

    if len(x) + len(y) <= 10:
        assert edit_distance(x, y).distance == lev(len(x), len(y))


def test_alignment_is_frozen():
    a = edit_distance("ab", "ac")
    assert isinstance(a, Alignment)
    with pytest.raises(AttributeError):
        a.hits = 5


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("fn", [wer, cer])
def test_length_mismatch(fn):
    with pytest.raises(
        ValueError, match="references and hypotheses must hold the same"
    ):
        fn(["a", "b"], ["a"])


@pytest.mark.parametrize(
    ("fn", "refs", "hyps", "match"),
    [
        (wer, [], [], "references contain no words"),
        (wer, ["", "  "], ["a", ""], "references contain no words"),
        (cer, [" "], ["a"], "references contain no characters"),
    ],
)
def test_empty_reference_corpus(fn, refs, hyps, match):
    with pytest.raises(ValueError, match=match):
        fn(refs, hyps)


@pytest.mark.parametrize(
    ("refs", "hyps", "match"),
    [
        (["a", 3], ["a", "b"], r"references\[1\] must be a string"),
        (["a"], [None], r"hypotheses\[0\] must be a string"),
        (None, "a", "references must be a string or a list/tuple"),
        ("a", {"a"}, "hypotheses must be a string or a list/tuple"),
    ],
)
def test_non_string_items(refs, hyps, match):
    with pytest.raises(TypeError, match=match):
        wer(refs, hyps)


def test_bad_options():
    with pytest.raises(ValueError, match="unit must be one of"):
        error_counts("a", "a", unit="phone")
    with pytest.raises(TypeError, match="lowercase must be a bool"):
        wer("a", "a", lowercase=1)
    with pytest.raises(TypeError, match="remove_punctuation must be a bool"):
        cer("a", "a", remove_punctuation="yes")


def test_edit_distance_bad_input():
    with pytest.raises(TypeError, match="reference must be a string or a list/tuple"):
        edit_distance(5, "a")
    with pytest.raises(TypeError, match="both be strings"):
        edit_distance("a b", ["a", "b"])
