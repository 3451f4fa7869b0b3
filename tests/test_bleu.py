"""slmsurvey.metrics.bleu: agreement with sacrebleu, hand-worked cases, properties."""

import math
import random

import pytest
import sacrebleu

from slmsurvey.metrics.bleu import BleuDetails, bleu, bleu_details, sentence_bleu

VOCAB = ["the", "cat", "sat", "on", "a", "mat", "dog"]
SMOOTHING = [("exp", None), ("none", None), ("floor", None), ("floor", 0.3)]
SMOOTHING += [("add-k", None), ("add-k", 2.0)]


def _sentence(rng, low=0, high=12):
    return [rng.choice(VOCAB) for _ in range(rng.randint(low, high))]


def _edit(rng, ref):
    """The reference with random substitutions, deletions and insertions."""
    hyp = []
    for word in ref:
        u = rng.random()
        if u < 0.2:
            continue
        hyp.append(rng.choice(VOCAB) if u < 0.4 else word)
        if rng.random() < 0.1:
            hyp.append(rng.choice(VOCAB))
    return hyp


def _corpus(seed, n_refs):
    """A seeded corpus: (references per hypothesis, hypotheses) as strings.

    Hypotheses are edited copies of the first reference, so n-grams overlap;
    some are very short (0 to 3 words) or empty.
    """
    rng = random.Random(seed)
    refs, hyps = [], []
    for _ in range(rng.randint(1, 8)):
        group = [_sentence(rng, 1) for _ in range(n_refs)]
        hyp = _edit(rng, group[0])
        if rng.random() < 0.25:
            hyp = hyp[: rng.randint(0, 3)]
        refs.append([" ".join(x) for x in group])
        hyps.append(" ".join(hyp))
    return refs, hyps


def _sacrebleu(refs, hyps, smooth, value, effective_order=False):
    streams = [list(s) for s in zip(*refs, strict=True)]
    score = sacrebleu.corpus_bleu(
        hyps,
        streams,
        smooth_method=smooth,
        smooth_value=value,
        tokenize="none",
        use_effective_order=effective_order,
    )
    return score.score / 100


# --- agreement with sacrebleu ---------------------------------------------------


@pytest.mark.parametrize("n_refs", [1, 2])
@pytest.mark.parametrize(("smooth", "value"), SMOOTHING)
def test_corpus_bleu_equals_sacrebleu(n_refs, smooth, value):
    nonzero = 0
    for seed in range(300):
        refs, hyps = _corpus(seed, n_refs)
        ours = bleu(refs, hyps, smooth=smooth, smooth_value=value)
        theirs = _sacrebleu(refs, hyps, smooth, value)
        assert ours == pytest.approx(theirs, abs=1e-9), (seed, refs, hyps)
        nonzero += 0 < ours < 1
    assert nonzero > 100  # the corpora are not degenerate


@pytest.mark.parametrize(("smooth", "value"), SMOOTHING)
def test_effective_order_equals_sacrebleu(smooth, value):
    for seed in range(300):
        refs, hyps = _corpus(seed, 2)
        ours = bleu(refs, hyps, smooth=smooth, smooth_value=value, effective_order=True)
        theirs = _sacrebleu(refs, hyps, smooth, value, effective_order=True)
        assert ours == pytest.approx(theirs, abs=1e-9), (seed, refs, hyps)


@pytest.mark.parametrize(("smooth", "value"), SMOOTHING)
def test_sentence_bleu_equals_sacrebleu(smooth, value):
    rng = random.Random(1)
    for _ in range(300):
        refs = [" ".join(_sentence(rng, 1)) for _ in range(rng.randint(1, 3))]
        hyp = " ".join(_edit(rng, refs[0].split())[: rng.randint(0, 12)])
        ours = sentence_bleu(refs, hyp, smooth=smooth, smooth_value=value)
        theirs = sacrebleu.sentence_bleu(
            hyp, refs, smooth_method=smooth, smooth_value=value, tokenize="none"
        )
        assert ours == pytest.approx(theirs.score / 100, abs=1e-9), (refs, hyp)


def test_details_equal_sacrebleu_statistics():
    refs, hyps = _corpus(7, 2)
    ours = bleu_details(refs, hyps)
    streams = [list(s) for s in zip(*refs, strict=True)]
    theirs = sacrebleu.corpus_bleu(hyps, streams, tokenize="none")
    assert list(ours.matches) == theirs.counts
    assert list(ours.totals) == theirs.totals
    assert (ours.hyp_length, ours.ref_length) == (theirs.sys_len, theirs.ref_len)
    assert ours.brevity_penalty == pytest.approx(theirs.bp, abs=1e-12)
    assert [100 * p for p in ours.precisions] == pytest.approx(theirs.precisions)


@pytest.mark.parametrize("max_n", [1, 2, 3, 5])
def test_max_n_equals_sacrebleu(max_n):
    for seed in range(50):
        refs, hyps = _corpus(seed, 1)
        streams = [list(s) for s in zip(*refs, strict=True)]
        metric = sacrebleu.BLEU(tokenize="none", max_ngram_order=max_n)
        theirs = metric.corpus_score(hyps, streams).score / 100
        assert bleu(refs, hyps, max_n=max_n) == pytest.approx(theirs, abs=1e-9)


# --- hand-worked cases and properties --------------------------------------------


def test_hand_worked_example():
    d = bleu_details(["the cat sat on the mat"], ["the cat the cat on the mat"])
    assert d.matches == (5, 3, 1, 0) and d.totals == (7, 6, 5, 4)
    assert d.precisions == pytest.approx((5 / 7, 3 / 6, 1 / 5, 1 / 8))
    assert d.brevity_penalty == 1.0
    assert d.score == pytest.approx((5 / 7 * 3 / 6 * 1 / 5 * 1 / 8) ** 0.25)
    assert isinstance(d, BleuDetails) and isinstance(d.score, float)


def test_brevity_penalty_uses_closest_reference_shorter_on_tie():
    # the hypothesis has 3 words; references of 5 and 1 words tie: r = 1 < c,
    # so BP = 1 (the longer one would give BP = exp(1 - 5/3)); p_1 = 2/3
    assert bleu([["a b x y z", "a"]], ["a b c"], max_n=1) == pytest.approx(2 / 3)
    assert bleu([["a", "a b x y z"]], ["a b c"], max_n=1) == pytest.approx(2 / 3)
    # one reference of 6 words: BP = exp(1 - 6/3)
    d = bleu_details(["a b c d e f"], ["a b c"], max_n=1)
    assert d.brevity_penalty == pytest.approx(math.exp(-1.0))
    assert d.score == pytest.approx(math.exp(-1.0))


def test_clipping_counts_each_reference_word_once():
    # "the the the the" against "the cat": 1 clipped match out of 4
    assert bleu(["the cat"], ["the the the the"], max_n=1) == pytest.approx(0.25)


def test_identical_is_one_and_disjoint_is_zero():
    refs, _ = _corpus(3, 1)
    first = [group[0] for group in refs]
    assert bleu(refs, first) == 1.0
    assert bleu(["a b c"], ["x y z"]) == 0.0
    assert bleu(["a b c"], [""]) == 0.0


def test_value_in_unit_interval():
    for seed in range(100):
        refs, hyps = _corpus(seed, 2)
        assert 0.0 <= bleu(refs, hyps) <= 1.0


def test_corpus_bleu_is_not_the_mean_of_sentence_bleus():
    refs, hyps = _corpus(11, 1)
    mean = sum(sentence_bleu(r, h) for r, h in zip(refs, hyps, strict=True))
    assert bleu(refs, hyps) != pytest.approx(mean / len(hyps))


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refs", "hyps", "error", "match"),
    [
        ([], [], ValueError, "hypotheses is empty"),
        (["a", "b"], ["a"], ValueError, "references has 2 entries, hypotheses 1"),
        (["a"], "a", TypeError, "hypotheses must be a list"),
        ("a", ["a"], TypeError, "references must be a list"),
        (["a"], [1], TypeError, r"hypotheses\[0\] must be a str"),
        ([1], ["a"], TypeError, r"references\[0\] must be a str or a list"),
        ([[]], ["a"], ValueError, r"references\[0\] holds no reference"),
    ],
)
def test_bad_corpus(refs, hyps, error, match):
    with pytest.raises(error, match=match):
        bleu(refs, hyps)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"max_n": 0}, ValueError, "max_n must be at least 1"),
        ({"max_n": 2.0}, TypeError, "max_n must be an int"),
        ({"smooth": "add-one"}, ValueError, "smooth must be one of"),
        ({"smooth": "exp", "smooth_value": 0.1}, ValueError, "smooth_value applies"),
        ({"smooth": "floor", "smooth_value": 0.0}, ValueError, "smooth_value must"),
    ],
)
def test_bad_options(options, error, match):
    with pytest.raises(error, match=match):
        bleu(["a b"], ["a b"], **options)


def test_sentence_bleu_bad_hypothesis():
    with pytest.raises(TypeError, match="hypothesis must be a str"):
        sentence_bleu("a b", ["a b"])
