"""Tests of slmsurvey.embeddings.word2vec: the SGNS loss, its noise, training."""

import math

import numpy as np
import pytest
import torch

from slmsurvey.embeddings.word2vec import (
    Word2Vec,
    noise_distribution,
    sgns_loss,
    skipgram_pairs,
)

# Shapes: B pairs, K negatives, d vector size, V vocabulary.


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _direct_loss(v_I, v_O, v_neg):
    """Loop over the pairs and noise words: -mean(log s(u.v) + sum log s(-u.v))."""
    total = 0.0
    for b in range(v_I.shape[0]):
        term = torch.log(torch.sigmoid(torch.dot(v_O[b], v_I[b])))
        for k in range(v_neg.shape[1]):
            term = term + torch.log(torch.sigmoid(-torch.dot(v_neg[b, k], v_I[b])))
        total = total + term
    return -total / v_I.shape[0]


def _batch(seed, B=4, K=3, d=5):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(B, d, generator=g, dtype=torch.float64),
        torch.randn(B, d, generator=g, dtype=torch.float64),
        torch.randn(B, K, d, generator=g, dtype=torch.float64),
    )


@pytest.mark.parametrize("seed", range(4))
def test_sgns_loss_equals_direct_formula(seed):
    v_I, v_O, v_neg = _batch(seed)
    torch.testing.assert_close(
        sgns_loss(v_I, v_O, v_neg), _direct_loss(v_I, v_O, v_neg), rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("seed", range(3))
def test_sgns_gradient_equals_autograd_of_direct_formula(seed):
    ours = [x.requires_grad_() for x in _batch(seed)]
    direct = [x.detach().clone().requires_grad_() for x in ours]
    sgns_loss(*ours).backward()
    _direct_loss(*direct).backward()
    for a, b in zip(ours, direct, strict=True):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-14)
    # and against finite differences
    fresh = [x.detach().clone().requires_grad_() for x in ours]
    assert torch.autograd.gradcheck(sgns_loss, fresh)


def test_sgns_hand_case():
    z = torch.zeros(3, 4)
    assert sgns_loss(z, z, torch.zeros(3, 5, 4)).item() == pytest.approx(
        6 * math.log(2)
    )
    with pytest.raises(ValueError, match="v_O_prime"):
        sgns_loss(z, torch.zeros(3, 5), torch.zeros(3, 2, 4))
    with pytest.raises(ValueError, match="v_neg_prime"):
        sgns_loss(z, z, torch.zeros(3, 2, 5))


def test_noise_distribution_is_counts_to_three_quarters():
    counts = np.array([100, 10, 1, 0, 37])
    p = noise_distribution(counts)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert p.sum() == pytest.approx(1.0)
    assert p[3] == 0.0
    # flatter than the unigram distribution: rare words gain
    assert p[2] > counts[2] / counts.sum()
    np.testing.assert_allclose(noise_distribution(counts, power=1.0), counts / 148)
    np.testing.assert_allclose(noise_distribution([3, 9], power=0), [0.5, 0.5])


def test_noise_distribution_bad_input():
    with pytest.raises(ValueError, match="counts must be finite and non-negative"):
        noise_distribution([3, -1])
    with pytest.raises(ValueError, match="counts must be a non-empty"):
        noise_distribution([])
    with pytest.raises(ValueError, match="all zero"):
        noise_distribution([0, 0])
    with pytest.raises(ValueError, match="power"):
        noise_distribution([1, 2], power=-0.5)


def test_skipgram_pairs():
    assert skipgram_pairs([[0, 1, 2]], window=1).tolist() == [
        [0, 1],
        [1, 0],
        [1, 2],
        [2, 1],
    ]
    pairs = skipgram_pairs([[5, 6, 7, 8], [9]], window=2)
    # each pair at distance <= 2, none across sentences, both directions
    assert len(pairs) == 2 * (3 + 2)
    assert not (pairs == 9).any()
    assert skipgram_pairs([[1]], window=3).shape == (0, 2)
    with pytest.raises(ValueError, match="window must be at least 1"):
        skipgram_pairs([[0, 1]], window=0)


def _two_groups(n=30, seed=0):
    """Animals in "the _ runs" frames, tools in "a _ cuts" frames."""
    rng = np.random.default_rng(seed)
    animals, tools = ["cat", "dog", "fox"], ["saw", "axe", "knife"]
    sents = []
    for _ in range(n):
        sents.append(["the", str(rng.choice(animals)), "runs", "fast"])
        sents.append(["a", str(rng.choice(tools)), "cuts", "wood"])
    return sents, animals, tools


@pytest.mark.parametrize("seed", range(3))
def test_neighbours_come_from_the_same_group(seed):
    sents, animals, tools = _two_groups(seed=seed)
    model = Word2Vec(dim=10, window=2, lr=0.05, batch_size=64, seed=seed)
    model.fit(sents, epochs=15)
    assert model.losses_[-1] < 0.6 * model.losses_[0]
    for group in (animals, tools):
        for w in group:
            hits = [v for v, _ in model.most_similar(w, k=2)]
            assert set(hits) <= set(group), (w, hits)


def test_seeded_determinism_and_attributes():
    sents, _, _ = _two_groups()
    a = Word2Vec(dim=6, seed=3).fit(sents, epochs=2)
    b = Word2Vec(dim=6, seed=3).fit(sents, epochs=2)
    c = Word2Vec(dim=6, seed=4).fit(sents, epochs=2)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.allclose(a.vectors, c.vectors)
    assert a.vectors.shape == (len(a.vocab_), 6)
    assert a.vectors.dtype == np.float64
    np.testing.assert_array_equal(a.vector("cat"), a.vectors[a.vocab_.index("cat")])
    assert a.counts_.sum() == sum(len(s) for s in sents)
    assert list(a.counts_) == sorted(a.counts_, reverse=True)
    assert len(a.losses_) == 2


def test_min_count_and_subsampling():
    sents, _, _ = _two_groups()
    sents = [*sents, ["rare", "word"]]
    model = Word2Vec(dim=4, min_count=2, seed=0).fit(sents, epochs=1)
    assert "rare" not in model.vocab_
    sub = Word2Vec(dim=4, subsample=1e-2, seed=0).fit(sents, epochs=2)
    assert np.isfinite(sub.vectors).all()
    assert "rare" in sub.vocab_


def test_bad_input():
    sents, _, _ = _two_groups(n=3)
    with pytest.raises(ValueError, match="sentences hold no word"):
        Word2Vec().fit([])
    with pytest.raises(ValueError, match="no \\(centre, context\\) pairs"):
        Word2Vec().fit([["one"], ["two"]])
    with pytest.raises(TypeError, match="sentences must be sequences of words"):
        Word2Vec().fit(["the cat runs"])
    with pytest.raises(ValueError, match="window must be at least 1"):
        Word2Vec(window=0).fit(sents)
    with pytest.raises(ValueError, match="dim must be at least 1"):
        Word2Vec(dim=0).fit(sents)
    with pytest.raises(ValueError, match="min_count must be at least 1"):
        Word2Vec(min_count=0).fit(sents)
    with pytest.raises(ValueError, match="negatives must be at least 1"):
        Word2Vec(negatives=0).fit(sents)
    with pytest.raises(ValueError, match="lr must be finite"):
        Word2Vec(lr=0.0).fit(sents)
    with pytest.raises(ValueError, match="subsample must be finite"):
        Word2Vec(subsample=-1e-3).fit(sents)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        Word2Vec().fit(sents, epochs=0)
    with pytest.raises(ValueError, match="not fitted"):
        _ = Word2Vec().vectors
    model = Word2Vec(dim=4).fit(sents, epochs=1)
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        model.vector("zebra")
    with pytest.raises(KeyError, match="zebra"):
        model.most_similar("zebra")
    with pytest.raises(ValueError, match="k must be between"):
        model.most_similar("cat", k=100)
