"""ToyGrammar: exact entropy rate against enumeration and sampling."""

import itertools
import math

import numpy as np
import pytest

from slmsurvey.text.grammar import ToyGrammar

YES_NO = {"S": [("yes", "E", 0.5), ("no", "E", 0.5)], "E": [("</s>", None, 1.0)]}


def finite_grammar():
    """Sentences of two to four tokens, no loops: small enough to enumerate."""
    return ToyGrammar(
        {
            "S": [("a", "X", 0.7), ("b", "Y", 0.3)],
            "X": [("c", "Y", 0.4), ("</s>", None, 0.6)],
            "Y": [("d", "Z", 0.5), ("e", "Z", 0.25), ("</s>", None, 0.25)],
            "Z": [("</s>", None, 1.0)],
        },
        start="S",
    )


def all_sentences(grammar, max_len=4):
    words = [w for w in grammar.vocabulary if w != "</s>"]
    for n in range(max_len + 1):
        yield from (list(s) for s in itertools.product(words, repeat=n))


def test_yes_no_worked_example():
    g = ToyGrammar(YES_NO, start="S")
    assert g.entropy_rate() == pytest.approx(0.5)
    assert g.expected_length() == pytest.approx(2.0)
    assert g.sentence_logprob(["no"]) == pytest.approx(-1.0)
    assert g.sentence_logprob(["maybe"]) == -math.inf


def test_entropy_rate_equals_brute_force_enumeration():
    g = finite_grammar()
    probs, lengths = [], []
    for s in all_sentences(g):
        lp = g.sentence_logprob(s)
        if lp > -math.inf:
            probs.append(2.0**lp)
            lengths.append(len(s) + 1)
    probs = np.array(probs)
    assert probs.sum() == pytest.approx(1.0)
    H_sentence = -(probs * np.log2(probs)).sum()
    assert g.entropy_rate() == pytest.approx(H_sentence / (probs @ lengths))
    assert g.expected_length() == pytest.approx(probs @ lengths)


def test_english_like_entropy_matches_monte_carlo():
    g = ToyGrammar.english_like()
    sample = g.sample(20_000, seed=0)
    bits = -sum(g.sentence_logprob(s) for s in sample)
    tokens = sum(len(s) + 1 for s in sample)
    assert bits / tokens == pytest.approx(g.entropy_rate(), rel=0.02)
    assert tokens / len(sample) == pytest.approx(g.expected_length(), rel=0.02)


def test_samples_are_seeded_and_grammatical():
    g = ToyGrammar.english_like()
    assert g.sample(5, seed=4) == g.sample(5, seed=4)
    assert all(g.sentence_logprob(s) > -math.inf for s in g.sample(200, seed=1))
    # agreement: "a" takes a singular noun, "some" a plural one
    assert g.sentence_logprob(["a", "dogs", "run"]) == -math.inf
    assert g.sentence_logprob(["some", "big", "dogs", "often", "run"]) > -math.inf
    assert g.sentence_logprob(["the", "dog", "run"]) == -math.inf


@pytest.mark.parametrize(
    ("rules", "start", "match"),
    [
        ({}, "S", "non-empty"),
        (YES_NO, "Q", "start state 'Q'"),
        ({"S": [("a", "S", 0.5), ("</s>", None, 0.4)]}, "S", "sum to 0.9"),
        ({"S": [("a", "S", 0.5), ("a", None, 0.5)]}, "S", "twice"),
        ({"S": [("a", "T", 0.5), ("</s>", None, 0.5)]}, "S", "unknown next state"),
        ({"S": [("a", None, 1.0)]}, "S", "only '</s>' ends"),
        ({"S": [("a", "S", 1.5), ("</s>", None, -0.5)]}, "S", r"not in \(0, 1\]"),
        (
            {"S": [("a", "L", 0.5), ("</s>", None, 0.5)], "L": [("b", "L", 1.0)]},
            "S",
            "never end",
        ),
    ],
)
def test_bad_rules(rules, start, match):
    with pytest.raises(ValueError, match=match):
        ToyGrammar(rules, start=start)


def test_bad_sample_arguments():
    g = ToyGrammar(YES_NO, start="S")
    with pytest.raises(ValueError, match="n must be"):
        g.sample(-1)
    with pytest.raises(TypeError, match="not a str"):
        g.sentence_logprob("yes")
