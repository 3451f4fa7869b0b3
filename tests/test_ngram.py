"""NGramLM: hand-worked counts, normalisation for every context, bad input."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slmsurvey.lm.ngram import EOS, UNK, NGramLM
from slmsurvey.text.grammar import ToyGrammar

TINY = [["a", "b"], ["a", "a"]]
SMOOTHINGS = ["kneser_ney", "add_k", "mle"]


def test_vocabulary_has_words_end_and_unknown():
    lm = NGramLM(2).fit(TINY)
    assert lm.vocab_ == ("a", "b", EOS, UNK)


def test_mle_hand_counts():
    lm = NGramLM(2, "mle").fit(TINY)
    assert lm.prob("a", []) == 1.0  # both sentences start with "a"
    assert lm.prob("b", ["a"]) == pytest.approx(1 / 3)
    assert lm.prob(EOS, ["b"]) == 1.0


def test_add_k_hand_counts():
    lm = NGramLM(2, "add_k", k=1.0).fit(TINY)
    # (c(a b) + 1) / (c(a) + V) with V = 4
    assert lm.prob("b", ["a"]) == pytest.approx(2 / 7)
    assert lm.prob("b", ["zzz"]) == pytest.approx(1 / 4)  # unseen context: uniform


def test_kneser_ney_hand_worked():
    """The numbers worked by hand in chapter 2.1.2 (D = 0.5)."""
    lm = NGramLM(2, discount=0.5).fit(TINY)
    # continuation counts N1+(. w): a 2, b 1, </s> 2; total 5, 3 types
    p1 = {"a": 1.5 / 5 + 0.075, "b": 0.5 / 5 + 0.075, EOS: 0.375, UNK: 0.075}
    assert lm.prob("b", ["a"]) == pytest.approx(0.5 / 3 + 0.5 * p1["b"])
    assert lm.prob(UNK, ["a"]) == pytest.approx(0.5 * p1[UNK])
    assert lm.prob("b", ["b"]) == pytest.approx(0.5 * p1["b"])
    assert lm.prob("never-seen", ["a"]) == lm.prob(UNK, ["a"])


def test_estimated_discounts_lie_in_unit_interval():
    lm = NGramLM(3).fit(ToyGrammar.english_like().sample(200, seed=0))
    assert len(lm.discounts_) == 3
    assert all(0 < d < 1 for d in lm.discounts_)


corpora = st.lists(
    st.lists(st.sampled_from(["x", "y", "z", "w"]), min_size=0, max_size=6),
    min_size=1,
    max_size=8,
).filter(lambda c: any(c))


@settings(max_examples=40, deadline=None)
@given(corpus=corpora, order=st.integers(1, 4), smoothing=st.sampled_from(SMOOTHINGS))
def test_every_context_gives_a_distribution(corpus, order, smoothing):
    lm = NGramLM(order, smoothing, k=0.5).fit(corpus)
    contexts = [s[:t] for s in corpus for t in range(len(s) + 1)]
    contexts += [["unseen"], ["x", "unseen", "y"], ["<s>"], ["z"] * 5]
    for context in contexts:
        p = lm.distribution(context)
        assert p.shape == (len(lm.vocab_),)
        assert (p >= 0).all()
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        if smoothing != "mle":
            assert (p > 0).all()


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_prob_agrees_with_distribution(smoothing):
    lm = NGramLM(3, smoothing).fit(ToyGrammar.english_like().sample(50, seed=1))
    context = ["the", "dog"]
    p = lm.distribution(context)
    for i, w in enumerate(lm.vocab_):
        assert lm.prob(w, context) == pytest.approx(p[i], abs=1e-15)


def test_chain_rule_logprob_is_sum_of_conditionals():
    lm = NGramLM(3).fit(ToyGrammar.english_like().sample(100, seed=2))
    sentence = ["the", "dog", "often", "runs"]
    factors = [lm.prob(w, sentence[:t]) for t, w in enumerate([*sentence, EOS])]
    assert lm.logprob(sentence) == pytest.approx(math.log2(math.prod(factors)))
    assert lm.logprob(sentence, base=math.e) == pytest.approx(
        math.log(math.prod(factors))
    )
    assert len(lm.token_logprobs(sentence)) == len(sentence) + 1


def test_perplexity_matches_definition():
    lm = NGramLM(2, "add_k").fit(TINY)
    test = [["a", "b", "a"], ["b"]]
    lps = [lp for s in test for lp in lm.token_logprobs(s)]
    assert lm.perplexity(test) == pytest.approx(2 ** (-np.mean(lps)))


def test_mle_unseen_event_gives_infinite_perplexity_with_warning():
    lm = NGramLM(2, "mle").fit(TINY)
    with pytest.warns(RuntimeWarning, match="zero probability"):
        assert lm.perplexity([["b", "b"]]) == math.inf


def test_smoothed_models_never_warn():
    lm = NGramLM(2).fit(TINY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(lm.perplexity([["b", "b", "unknown"]]))


def test_generate_is_seeded_and_uses_vocabulary():
    lm = NGramLM(3).fit(ToyGrammar.english_like().sample(300, seed=0))
    a, b = lm.generate(seed=7), lm.generate(seed=7)
    assert a == b
    assert set(a) <= set(lm.vocab_) - {EOS}
    deterministic = NGramLM(2, "mle").fit([["one", "two", "three"]])
    assert deterministic.generate(seed=0) == ["one", "two", "three"]
    assert deterministic.generate(seed=0, context=["one"]) == ["two", "three"]


def test_more_data_and_longer_context_approach_the_entropy_bound():
    grammar = ToyGrammar.english_like()
    bound = 2 ** grammar.entropy_rate()
    test = grammar.sample(500, seed=1)
    small, large = grammar.sample(300, seed=0), grammar.sample(10_000, seed=0)
    ppl = {
        (n, len(data)): NGramLM(n).fit(data).perplexity(test)
        for n in (1, 2, 4)
        for data in (small, large)
    }
    assert all(p > bound for p in ppl.values())
    assert ppl[4, 10_000] < ppl[2, 10_000] < ppl[1, 10_000]
    assert ppl[4, 10_000] < ppl[4, 300]
    assert ppl[4, 10_000] < 1.15 * bound


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"order": 0}, ValueError, "order must be at least 1"),
        ({"order": 2.0}, TypeError, "order must be an int"),
        ({"smoothing": "witten_bell"}, ValueError, "unknown smoothing"),
        ({"smoothing": "add_k", "k": 0}, ValueError, "k must be positive"),
        ({"discount": 1.5}, ValueError, "discount must lie in"),
    ],
)
def test_bad_hyperparameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        NGramLM(**kwargs)


def test_bad_corpora_and_queries():
    with pytest.raises(ValueError, match="sentences is empty"):
        NGramLM(2).fit([])
    with pytest.raises(ValueError, match="sentences is empty"):
        NGramLM(2).fit([[], []])
    with pytest.raises(TypeError, match="not a str"):
        NGramLM(2).fit(["a sentence as a string"])
    with pytest.raises(TypeError, match="string tokens"):
        NGramLM(2).fit([["a", 3]])
    with pytest.raises(ValueError, match="must not contain"):
        NGramLM(2).fit([["<s>", "a"]])
    with pytest.raises(ValueError, match="not fitted"):
        NGramLM(2).prob("a", [])
    lm = NGramLM(2).fit(TINY)
    with pytest.raises(ValueError, match="never predicted"):
        lm.prob("<s>", [])
    with pytest.raises(TypeError, match="word must be a str"):
        lm.prob(1, [])
    with pytest.raises(TypeError, match="context"):
        lm.prob("a", "a b")
    with pytest.raises(ValueError, match="max_len"):
        lm.generate(max_len=0)
