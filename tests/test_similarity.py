"""Tests of slmsurvey.embeddings.similarity against direct numpy computations."""

import math

import numpy as np
import pytest
import torch

from slmsurvey.embeddings.similarity import cosine_similarity, nearest_neighbours

# Shapes: M rows of a, N rows of b or E, d embedding size.


def _direct_cosine(a, b):
    """Loop over every pair: dot / (norm * norm)."""
    S = np.empty((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            S[i, j] = np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y))
    return S


@pytest.mark.parametrize("seed", range(5))
def test_pairwise_matches_direct_computation(seed):
    rng = np.random.default_rng(seed)
    M, N, d = rng.integers(1, 8, size=3)
    a, b = rng.normal(size=(M, d)), rng.normal(size=(N, d))
    S = cosine_similarity(a, b)
    assert isinstance(S, np.ndarray)
    assert S.shape == (M, N)
    np.testing.assert_allclose(S, _direct_cosine(a, b), atol=1e-12)


def test_vectors_give_float_and_hand_cases():
    assert cosine_similarity([1.0, 0.0], [2.0, 0.0]) == 1.0
    assert cosine_similarity([1.0, 0.0], [0.0, 3.0]) == 0.0
    assert cosine_similarity([1.0, 2.0], [-2.0, -4.0]) == pytest.approx(-1.0)
    s = cosine_similarity([1.0, 0.0], [1.0, 1.0])
    assert type(s) is float
    assert s == pytest.approx(1 / math.sqrt(2), abs=1e-15)
    # scale invariance
    assert cosine_similarity([3, 4], [6, 8]) == pytest.approx(1.0)
    assert cosine_similarity([1, 2, 3], [4, 5, 6]) == pytest.approx(
        32 / math.sqrt(14 * 77)
    )


def test_mixed_vector_and_matrix():
    rng = np.random.default_rng(1)
    a, B = rng.normal(size=3), rng.normal(size=(4, 3))
    np.testing.assert_allclose(cosine_similarity(a, B), _direct_cosine([a], B)[0])
    np.testing.assert_allclose(cosine_similarity(B, a), _direct_cosine(B, [a])[:, 0])
    assert cosine_similarity(a, B).shape == (4,)


def test_self_similarity_is_one_and_symmetric():
    rng = np.random.default_rng(2)
    E = rng.normal(size=(6, 5))
    S = cosine_similarity(E, E)
    np.testing.assert_allclose(np.diag(S), 1.0)
    np.testing.assert_allclose(S, S.T)
    assert (np.abs(S) <= 1.0).all()


def test_torch_and_numpy_inputs_agree():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(3, 4, generator=g, requires_grad=True)  # like model.C.weight
    b = torch.randn(5, 4, generator=g, dtype=torch.float64)
    expected = cosine_similarity(a.detach().numpy(), b.numpy())
    np.testing.assert_allclose(cosine_similarity(a, b), expected)
    np.testing.assert_allclose(cosine_similarity(a.tolist(), b.tolist()), expected)
    assert type(cosine_similarity(a[0], b[0])) is float


def test_agrees_with_torch_cosine_similarity():
    g = torch.Generator().manual_seed(1)
    a = torch.randn(4, 6, generator=g, dtype=torch.float64)
    b = torch.randn(3, 6, generator=g, dtype=torch.float64)
    expected = torch.nn.functional.cosine_similarity(a[:, None], b[None], dim=-1)
    np.testing.assert_allclose(cosine_similarity(a, b), expected.numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "a, b, error, match",
    [
        ([0.0, 0.0], [1.0, 0.0], ValueError, "a has zero vectors"),
        ([[1, 0]], [[1, 1], [0, 0]], ValueError, r"b has zero vectors \(rows \[1\]"),
        ([1.0, 0.0], [1.0, 0.0, 0.0], ValueError, "same size d"),
        ([], [1.0], ValueError, "a is empty"),
        (np.ones((2, 2, 2)), [1.0, 1.0], ValueError, "a must be 1-D"),
        ([1.0, math.nan], [1.0, 1.0], ValueError, "a contains NaN"),
        ([1.0, 1.0], [math.inf, 1.0], ValueError, "b contains NaN or infinite"),
        (["x", "y"], [1.0, 1.0], TypeError, "a must be an array of numbers"),
        ([1.0, 1.0], {"a": 1}, TypeError, "b must be an array of numbers"),
    ],
)
def test_cosine_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        cosine_similarity(a, b)


# --- nearest_neighbours -----------------------------------------------------------


def _direct_neighbours(E, q, k, skip=None):
    sims = [
        (i, float(np.dot(q, e) / (np.linalg.norm(q) * np.linalg.norm(e))))
        for i, e in enumerate(E)
        if i != skip
    ]
    return sorted(sims, key=lambda p: (-p[1], p[0]))[:k]


@pytest.mark.parametrize("seed", range(5))
def test_neighbours_match_direct_computation(seed):
    rng = np.random.default_rng(seed)
    E = rng.normal(size=(20, 4))
    for query, skip in ((3, 3), (rng.normal(size=4), None)):
        got = nearest_neighbours(E, query, k=5)
        vector = E[query] if skip is not None else query
        expected = _direct_neighbours(E, vector, 5, skip=skip)
        assert [i for i, _ in got] == [i for i, _ in expected]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected])


def test_neighbours_hand_case():
    E = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0], [2.0, 0.0]])
    # row 4 points the same way as row 0: similarity 1
    assert nearest_neighbours(E, 0, k=2) == [(4, 1.0), (1, pytest.approx(0.9938837))]
    # with the query itself kept, ties go to the lower index
    kept = nearest_neighbours(E, 0, k=3, exclude_self=False)
    assert [i for i, _ in kept] == [0, 4, 1]
    assert nearest_neighbours(E, [0.0, 5.0], k=1) == [(2, 1.0)]
    everything = nearest_neighbours(E, 3, k=4)
    assert [i for i, _ in everything] == [2, 1, 0, 4]
    assert everything[-1][1] == -1.0


def test_neighbours_types():
    E = torch.eye(3, requires_grad=True)
    result = nearest_neighbours(E, torch.tensor(1), k=2)
    assert all(type(i) is int and type(s) is float for i, s in result)
    assert nearest_neighbours(E, np.int64(1), k=2) == result
    assert nearest_neighbours(E.detach().numpy(), 1, k=2) == result
    assert nearest_neighbours(E, torch.tensor([0.0, 1.0, 0.0]), k=1) == [(1, 1.0)]


@pytest.mark.parametrize(
    "E, query, k, error, match",
    [
        (np.eye(3), 3, 1, ValueError, r"query index must be in \[0, 3\)"),
        (np.eye(3), -1, 1, ValueError, "query index must be"),
        (np.eye(3), 0, 3, ValueError, r"k must be between 1 and the number .* \(2\)"),
        (np.eye(3), 0, 0, ValueError, "k must be between 1"),
        (np.eye(3), 0, 1.5, TypeError, "k must be an int"),
        (np.eye(3), [1.0, 0.0], 1, ValueError, "query has size 2"),
        (np.eye(3), [0.0, 0.0, 0.0], 1, ValueError, "query is a zero vector"),
        (np.eye(3), np.eye(3), 1, ValueError, "query must be an index or a 1-D"),
        (np.eye(3), True, 1, TypeError, "query must be a row index"),
        (np.eye(3), torch.tensor(1.0), 1, TypeError, "query must be a row index"),
        (np.ones(3), 0, 1, ValueError, r"E must be 2-D \(N, d\)"),
        (np.array([[1.0, 0.0], [0.0, 0.0]]), 0, 1, ValueError, "E has zero vectors"),
        (np.array([[1.0, math.nan]]), [1.0, 0.0], 1, ValueError, "E contains NaN"),
    ],
)
def test_neighbours_bad_input(E, query, k, error, match):
    with pytest.raises(error, match=match):
        nearest_neighbours(E, query, k=k)


def test_package_reexports():
    import slmsurvey.embeddings as emb

    assert emb.cosine_similarity is cosine_similarity
    assert emb.nearest_neighbours is nearest_neighbours
