"""Tests of slmsurvey.lm.hmm: brute-force enumeration, hand-worked numbers, EM.

Shapes: N states, T frames, D feature dimensions, P = N**T state paths.
"""

import itertools
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from slmsurvey.lm.hmm import (
    BaumWelchResult,
    baum_welch,
    gaussian_log_likelihoods,
    hmm_backward,
    hmm_forward,
    hmm_posteriors,
    hmm_viterbi,
    logsumexp,
)

HMM_FUNCTIONS = [hmm_forward, hmm_backward, hmm_viterbi, hmm_posteriors]


def random_model(rng, N, T, sparse=False):
    """Random log_pi (N,), log_A (N, N) and unnormalised log_B (T, N)."""
    pi = rng.dirichlet(np.ones(N))
    A = rng.dirichlet(np.ones(N), size=N)  # (N, N)
    if sparse:  # structural zeros, keeping at least one allowed move per row
        forbid = rng.random((N, N)) < 0.4
        forbid[np.arange(N), rng.integers(N, size=N)] = False
        A = np.where(forbid, 0.0, A)
        A /= A.sum(axis=1, keepdims=True)
    log_B = rng.normal(scale=2.0, size=(T, N))
    with np.errstate(divide="ignore"):
        return np.log(pi), np.log(A), log_B


def enumerate_paths(log_pi, log_A, log_B):
    """Every state path (P, T) and its joint log probability log P(X, S) (P,)."""
    T, N = log_B.shape
    paths = np.array(list(itertools.product(range(N), repeat=T)))  # (P, T)
    scores = (
        log_pi[paths[:, 0]]
        + log_B[np.arange(T), paths].sum(axis=1)  # log_B[t, s_t], summed over t
        + log_A[paths[:, :-1], paths[:, 1:]].sum(axis=1)  # log a_{s_{t-1} s_t}
    )  # (P,)
    return paths, scores


def brute_force_posteriors(paths, scores, N):
    """gamma (T, N) and xi (T-1, N, N) by summing path posteriors."""
    T = paths.shape[1]
    weights = np.exp(scores - logsumexp(scores))  # (P,) P(S | X)
    gamma = np.zeros((T, N))
    xi = np.zeros((max(T - 1, 0), N, N))
    for t in range(T):
        np.add.at(gamma[t], paths[:, t], weights)
    for t in range(T - 1):
        np.add.at(xi[t], (paths[:, t], paths[:, t + 1]), weights)
    return gamma, xi


BRUTE_FORCE_CASES = [
    pytest.param(N, T, seed, sparse, id=f"N{N}-T{T}-seed{seed}-sparse{int(sparse)}")
    for N in (2, 3)
    for T in (1, 2, 3, 4, 5)
    for seed in (0, 1, 2)
    for sparse in (False, True)
]


@pytest.mark.parametrize("N, T, seed, sparse", BRUTE_FORCE_CASES)
def test_forward_and_backward_equal_sum_over_all_paths(N, T, seed, sparse):
    model = random_model(np.random.default_rng(seed), N, T, sparse)
    _, scores = enumerate_paths(*model)
    log_alpha, ll_forward = hmm_forward(*model)
    log_beta, ll_backward = hmm_backward(*model)
    assert isinstance(ll_forward, float) and isinstance(ll_backward, float)
    assert log_alpha.shape == log_beta.shape == (T, N)
    assert ll_forward == pytest.approx(logsumexp(scores), rel=1e-12, abs=1e-12)
    assert ll_backward == pytest.approx(ll_forward, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("N, T, seed, sparse", BRUTE_FORCE_CASES)
def test_viterbi_equals_best_of_all_paths(N, T, seed, sparse):
    model = random_model(np.random.default_rng(seed), N, T, sparse)
    paths, scores = enumerate_paths(*model)
    path, log_prob = hmm_viterbi(*model)
    assert path.dtype == np.int64 and path.shape == (T,)
    assert isinstance(log_prob, float)
    assert log_prob == pytest.approx(scores.max(), rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(path, paths[np.argmax(scores)])


@pytest.mark.parametrize("N, T, seed, sparse", BRUTE_FORCE_CASES)
def test_posteriors_equal_brute_force_marginals(N, T, seed, sparse):
    model = random_model(np.random.default_rng(seed), N, T, sparse)
    paths, scores = enumerate_paths(*model)
    gamma, xi = brute_force_posteriors(paths, scores, N)
    log_gamma, log_xi, log_likelihood = hmm_posteriors(*model)
    assert log_gamma.shape == (T, N) and log_xi.shape == (T - 1, N, N)
    assert log_likelihood == pytest.approx(logsumexp(scores), rel=1e-12)
    np.testing.assert_allclose(np.exp(log_gamma), gamma, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_xi), xi, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_gamma).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_xi).sum(axis=(1, 2)), 1.0, rtol=1e-12)
    # summing xi_t(i, j) over j gives gamma_t(i)
    np.testing.assert_allclose(np.exp(log_xi).sum(axis=2), gamma[:-1], rtol=1e-10)


@st.composite
def hmms(draw):
    """Small normalised HMMs with arbitrary (unnormalised) log_B."""
    N = draw(st.integers(1, 4))
    T = draw(st.integers(1, 8))
    logits = draw(hnp.arrays(np.float64, (N + 1, N), elements=st.floats(-8, 8)))
    log_B = draw(hnp.arrays(np.float64, (T, N), elements=st.floats(-50, 50)))
    log_probs = logits - logsumexp(logits, axis=1)[:, None]  # rows sum to 1
    return log_probs[0], log_probs[1:], log_B


@settings(derandomize=True, max_examples=60, deadline=None)
@given(hmms())
def test_forward_likelihood_equals_backward_likelihood(model):
    _, ll_forward = hmm_forward(*model)
    _, ll_backward = hmm_backward(*model)
    _, log_prob = hmm_viterbi(*model)
    assert ll_backward == pytest.approx(ll_forward, rel=1e-10, abs=1e-10)
    assert log_prob <= ll_forward + 1e-10  # one path is at most all paths


# The hand-worked example the book shows (states 0 and 1, frames 1, 2, 3):
#   pi = (0.6, 0.4),  A = [[0.7, 0.3], [0.4, 0.6]],
#   b(x_1) = (0.5, 0.1),  b(x_2) = (0.4, 0.3),  b(x_3) = (0.1, 0.6).
# Forward:
#   alpha_1 = (0.6*0.5, 0.4*0.1)                          = (0.30, 0.04)
#   alpha_2 = (0.4*(0.30*0.7 + 0.04*0.4), 0.3*(0.30*0.3 + 0.04*0.6))
#           = (0.4*0.226, 0.3*0.114)                      = (0.0904, 0.0342)
#   alpha_3 = (0.1*(0.0904*0.7 + 0.0342*0.4), 0.6*(0.0904*0.3 + 0.0342*0.6))
#           = (0.1*0.07696, 0.6*0.04764)                  = (0.007696, 0.028584)
#   P(X)    = 0.007696 + 0.028584                         = 0.03628
# Backward:
#   beta_3 = (1, 1)
#   beta_2 = (0.7*0.1 + 0.3*0.6, 0.4*0.1 + 0.6*0.6)       = (0.25, 0.40)
#   beta_1 = (0.7*0.4*0.25 + 0.3*0.3*0.40, 0.4*0.4*0.25 + 0.6*0.3*0.40)
#                                                         = (0.106, 0.112)
#   P(X)   = 0.6*0.5*0.106 + 0.4*0.1*0.112 = 0.0318 + 0.00448 = 0.03628
# Posterior at frame 1: gamma_1 = (0.0318, 0.00448) / 0.03628.
# Viterbi:
#   delta_1 = (0.30, 0.04)
#   delta_2 = (0.4*max(0.21, 0.016), 0.3*max(0.09, 0.024))
#           = (0.084, 0.027), psi_2 = (0, 0)
#   delta_3 = (0.1*max(0.0588, 0.0108), 0.6*max(0.0252, 0.0162))
#           = (0.00588, 0.01512), psi_3 = (0, 0)
#   best path 0 -> 0 -> 1 with P(X, S*) = 0.01512.
HAND_PI = np.log([0.6, 0.4])
HAND_A = np.log([[0.7, 0.3], [0.4, 0.6]])
HAND_B = np.log([[0.5, 0.1], [0.4, 0.3], [0.1, 0.6]])


def test_hand_worked_two_state_three_frame_example():
    log_alpha, ll_forward = hmm_forward(HAND_PI, HAND_A, HAND_B)
    log_beta, ll_backward = hmm_backward(HAND_PI, HAND_A, HAND_B)
    path, log_prob = hmm_viterbi(HAND_PI, HAND_A, HAND_B)
    log_gamma, _, _ = hmm_posteriors(HAND_PI, HAND_A, HAND_B)
    alpha = [[0.30, 0.04], [0.0904, 0.0342], [0.007696, 0.028584]]
    np.testing.assert_allclose(np.exp(log_alpha), alpha, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_beta), [[0.106, 0.112], [0.25, 0.4], [1, 1]])
    assert np.exp(ll_forward) == pytest.approx(0.03628, rel=1e-12)
    assert np.exp(ll_backward) == pytest.approx(0.03628, rel=1e-12)
    np.testing.assert_array_equal(path, [0, 0, 1])
    assert np.exp(log_prob) == pytest.approx(0.01512, rel=1e-12)
    expected_gamma_1 = np.array([0.0318, 0.00448]) / 0.03628
    np.testing.assert_allclose(np.exp(log_gamma[0]), expected_gamma_1, rtol=1e-12)


def test_hmm_functions_accept_nested_lists():
    as_lists = [HAND_PI.tolist(), HAND_A.tolist(), HAND_B.tolist()]
    _, ll_lists = hmm_forward(*as_lists)
    _, ll_arrays = hmm_forward(HAND_PI, HAND_A, HAND_B)
    assert ll_lists == ll_arrays


@pytest.mark.parametrize(
    "log_A, T, expected",
    [
        (np.log(np.full((2, 2), 0.5)), 4, [0, 0, 0, 0]),  # every path ties
        ([[-np.inf, 0.0], [0.0, -np.inf]], 2, [1, 0]),  # 0->1 ties 1->0
        ([[-np.inf, 0.0], [0.0, -np.inf]], 3, [0, 1, 0]),  # 0-1-0 ties 1-0-1
    ],
)
def test_viterbi_breaks_ties_toward_lower_state_from_the_last_frame(log_A, T, expected):
    log_pi = np.log([0.5, 0.5])
    path, log_prob = hmm_viterbi(log_pi, log_A, np.zeros((T, 2)))
    np.testing.assert_array_equal(path, expected)
    paths, scores = enumerate_paths(log_pi, np.asarray(log_A), np.zeros((T, 2)))
    assert log_prob == pytest.approx(scores.max())
    tied = [tuple(p) for p in paths[scores == scores.max()]]
    assert len(tied) > 1
    assert tuple(path) == min(tied, key=lambda p: p[::-1])


@pytest.mark.filterwarnings("error")
def test_impossible_observations_give_minus_inf_without_warnings():
    log_B = np.array([[0.0, -np.inf], [-np.inf, 0.0]])  # needs 0 -> 1
    log_A = [[0.0, -np.inf], [-np.inf, 0.0]]  # which is forbidden
    _, ll_forward = hmm_forward(np.log([0.5, 0.5]), log_A, log_B)
    _, ll_backward = hmm_backward(np.log([0.5, 0.5]), log_A, log_B)
    _, log_prob = hmm_viterbi(np.log([0.5, 0.5]), log_A, log_B)
    assert ll_forward == ll_backward == log_prob == -np.inf
    with pytest.raises(ValueError, match="log_B has probability zero under the model"):
        hmm_posteriors(np.log([0.5, 0.5]), log_A, log_B)


@pytest.mark.parametrize("seed", [0, 1])
def test_long_sequence_with_tiny_likelihoods_stays_finite(seed):
    rng = np.random.default_rng(seed)
    log_pi, log_A, _ = random_model(rng, 3, 1)
    log_B = -1000.0 + rng.normal(size=(2000, 3))  # each frame ~ e^-1000
    assert np.exp(log_B).sum() == 0.0  # probability space underflows
    log_alpha, ll_forward = hmm_forward(log_pi, log_A, log_B)
    _, ll_backward = hmm_backward(log_pi, log_A, log_B)
    _, log_prob = hmm_viterbi(log_pi, log_A, log_B)
    log_gamma, _, _ = hmm_posteriors(log_pi, log_A, log_B)
    assert np.isfinite(log_alpha).all() and np.isfinite(ll_forward)
    assert -2.1e6 < ll_forward < -1.9e6
    assert ll_backward == pytest.approx(ll_forward, rel=1e-12)
    assert log_prob <= ll_forward
    np.testing.assert_allclose(np.exp(log_gamma).sum(axis=1), 1.0, rtol=1e-9)


@pytest.mark.filterwarnings("error")
def test_logsumexp_handles_all_minus_inf_and_large_values():
    assert logsumexp([-np.inf, -np.inf]) == -np.inf
    np.testing.assert_array_equal(
        logsumexp([[-np.inf, -np.inf], [0.0, -np.inf]], axis=1), [-np.inf, 0.0]
    )
    assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000.0 + np.log(2.0))
    assert logsumexp([-1000.0, -1000.0]) == pytest.approx(-1000.0 + np.log(2.0))
    assert isinstance(logsumexp([0.0]), float)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_logsumexp_matches_torch(axis):
    a = np.random.default_rng(0).normal(scale=30.0, size=(4, 5))
    expected = torch.logsumexp(
        torch.from_numpy(a), dim=(0, 1) if axis is None else axis
    )
    np.testing.assert_allclose(logsumexp(a, axis=axis), expected.numpy(), rtol=1e-13)


def test_logsumexp_rejects_empty_input():
    with pytest.raises(ValueError, match="a must not be empty"):
        logsumexp([])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaussian_log_likelihoods_match_torch_normal(seed):
    rng = np.random.default_rng(seed)
    T, N, D = 7, 3, 4
    x = rng.normal(scale=3.0, size=(T, D))
    means = rng.normal(size=(N, D))
    variances = rng.uniform(0.1, 3.0, size=(N, D))
    normal = torch.distributions.Normal(
        torch.from_numpy(means), torch.from_numpy(np.sqrt(variances))
    )
    expected = normal.log_prob(torch.from_numpy(x)[:, None, :]).sum(-1)  # (T, N)
    log_B = gaussian_log_likelihoods(x, means, variances)
    assert log_B.shape == (T, N) and log_B.dtype == np.float64
    np.testing.assert_allclose(log_B, expected.numpy(), rtol=1e-12)


def sample_hmm(rng, pi, A, means, variances, T):
    """Draw states (T,) and frames (T, D) from a diagonal-Gaussian HMM."""
    states = np.empty(T, dtype=np.int64)
    states[0] = rng.choice(len(pi), p=pi)
    for t in range(1, T):
        states[t] = rng.choice(len(pi), p=A[states[t - 1]])
    x = rng.normal(means[states], np.sqrt(variances[states]))  # (T, D)
    return states, x


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_baum_welch_log_likelihood_never_decreases(seed):
    rng = np.random.default_rng(seed)
    N, D = 3, 2
    sequences = [rng.normal(size=(T, D)) * rng.uniform(0.5, 2.0) for T in (1, 20, 45)]
    log_pi, log_A, _ = random_model(rng, N, 1)
    means = rng.normal(size=(N, D))
    variances = rng.uniform(0.5, 2.0, size=(N, D))
    result = baum_welch(sequences, log_pi, log_A, means, variances, n_iter=25, tol=0)
    assert isinstance(result, BaumWelchResult)
    lls = np.array(result.log_likelihoods)
    assert len(lls) >= 3 and all(isinstance(v, float) for v in result.log_likelihoods)
    assert np.all(np.diff(lls) >= -1e-8 * np.abs(lls[:-1]))
    assert lls[-1] > lls[0] + 1.0  # and EM does make progress
    # the last entry is the likelihood of the returned parameters
    final = sum(
        hmm_forward(
            result.log_pi,
            result.log_A,
            gaussian_log_likelihoods(x, result.means, result.variances),
        )[1]
        for x in sequences
    )
    assert lls[-1] == pytest.approx(final, rel=1e-12)


def test_baum_welch_keeps_a_left_to_right_model_left_to_right():
    rng = np.random.default_rng(0)
    pi = np.array([1.0, 0.0, 0.0])
    A = np.array([[0.8, 0.2, 0.0], [0.0, 0.8, 0.2], [0.0, 0.0, 1.0]])
    true_means = np.array([[-3.0], [0.0], [3.0]])
    sequences = [
        sample_hmm(rng, pi, A, true_means, np.ones((3, 1)), T)[1] for T in (15, 20, 30)
    ]
    with np.errstate(divide="ignore"):  # log 0 = -inf marks a forbidden move
        log_pi = np.log(pi)
        log_A = np.log([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    means = np.array([[-1.0], [0.0], [1.0]])
    result = baum_welch(sequences, log_pi, log_A, means, np.ones((3, 1)), n_iter=30)
    np.testing.assert_array_equal(np.isneginf(result.log_A), A == 0)
    np.testing.assert_array_equal(np.isneginf(result.log_pi), pi == 0)
    np.testing.assert_allclose(np.exp(logsumexp(result.log_A, axis=1)), 1.0)
    for x in sequences:  # decoding with the trained model never goes back
        log_B = gaussian_log_likelihoods(x, result.means, result.variances)
        path, _ = hmm_viterbi(result.log_pi, result.log_A, log_B)
        assert np.all(np.diff(path) >= 0)


@pytest.mark.parametrize("seed", [0, 1])
def test_baum_welch_recovers_a_well_separated_generating_model(seed):
    rng = np.random.default_rng(seed)
    pi = np.array([0.5, 0.5])
    A = np.array([[0.9, 0.1], [0.2, 0.8]])
    true_means = np.array([[-3.0, 0.0], [3.0, 1.0]])
    true_variances = np.array([[0.5, 1.0], [1.0, 0.5]])
    draws = [sample_hmm(rng, pi, A, true_means, true_variances, 200) for _ in range(3)]
    result = baum_welch(
        [x for _, x in draws],
        np.log([0.5, 0.5]),
        np.log(np.full((2, 2), 0.5)),
        means=[[-0.5, 0.0], [0.5, 0.0]],
        variances=np.ones((2, 2)),
        n_iter=100,
    )
    # The oracle sees the hidden states: per-state sample means and variances,
    # and transition counts. With well-separated states EM gets the same answer.
    s = np.concatenate([states for states, _ in draws])  # (3 * 200,)
    x = np.concatenate([x for _, x in draws])  # (3 * 200, D)
    oracle_means = np.stack([x[s == j].mean(axis=0) for j in (0, 1)])  # (N, D)
    oracle_variances = np.stack([x[s == j].var(axis=0) for j in (0, 1)])  # (N, D)
    counts = np.zeros((2, 2))
    for states, _ in draws:
        np.add.at(counts, (states[:-1], states[1:]), 1)
    oracle_A = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result.means, oracle_means, atol=0.02)
    np.testing.assert_allclose(result.variances, oracle_variances, atol=0.05)
    np.testing.assert_allclose(np.exp(result.log_A), oracle_A, atol=0.01)
    np.testing.assert_allclose(result.means, true_means, atol=0.2)


def test_baum_welch_single_array_equals_list_of_one_and_inputs_are_kept():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    args = (np.log([0.5, 0.5]), np.log([[0.9, 0.1], [0.1, 0.9]]))
    means, variances = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.ones((2, 2))
    kept = [a.copy() for a in (*args, means, variances)]
    single = baum_welch(x, *args, means, variances, n_iter=5)
    listed = baum_welch([x], *args, means, variances, n_iter=5)
    batched = baum_welch(x[None], *args, means, variances, n_iter=5)  # (1, T, D)
    for field in ("log_pi", "log_A", "means", "variances"):
        np.testing.assert_array_equal(getattr(single, field), getattr(listed, field))
        np.testing.assert_array_equal(getattr(single, field), getattr(batched, field))
    assert single.log_likelihoods == listed.log_likelihoods
    for before, after in zip(kept, (*args, means, variances), strict=True):
        np.testing.assert_array_equal(before, after)


def test_baum_welch_stops_at_tol_and_at_n_iter():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 1))
    args = (x, np.log([0.5, 0.5]), np.log(np.full((2, 2), 0.5)), [[-1.0], [1.0]])
    huge_tol = baum_welch(*args, np.ones((2, 1)), tol=1e10)
    assert len(huge_tol.log_likelihoods) == 2  # one update, then stop
    three = baum_welch(*args, np.ones((2, 1)), n_iter=3, tol=0.0)
    assert len(three.log_likelihoods) == 4
    converged = baum_welch(*args, np.ones((2, 1)), n_iter=500, tol=1e-6)
    lls = converged.log_likelihoods
    assert len(lls) < 501 and lls[-1] - lls[-2] < 1e-6


@pytest.mark.parametrize(
    "x, mean, variance",
    [
        ([[0.0], [0.0], [0.0]], 0.0, 0.01),  # ML variance 0: floored
        ([[0.0], [2.0], [1.0]], 1.0, 2 / 3),  # ML variance 2/3: kept as is
    ],
)
def test_baum_welch_floors_variances_only_below_min_variance(x, mean, variance):
    result = baum_welch(x, [0.0], [[0.0]], [[5.0]], [[9.0]], min_variance=0.01)
    assert result.means[0, 0] == pytest.approx(mean, abs=1e-12)
    assert result.variances[0, 0] == pytest.approx(variance, rel=1e-12)


def test_baum_welch_result_is_frozen():
    result = baum_welch(np.zeros((3, 1)), [0.0], [[0.0]], [[0.0]], [[1.0]], n_iter=1)
    with pytest.raises(AttributeError):
        result.means = None


# Bad input: (argument, bad value, error type, message pattern).
GOOD = {"log_pi": HAND_PI, "log_A": HAND_A, "log_B": HAND_B}
NAN_PI = np.array([np.nan, 0.0])
BAD_HMM_INPUTS = [
    ("log_pi", np.zeros((1, 2)), ValueError, r"log_pi must have shape \(N\)"),
    ("log_pi", [], ValueError, r"log_pi must have at least one state \(N >= 1\)"),
    ("log_pi", NAN_PI, ValueError, "log_pi contains NaN"),
    ("log_pi", [np.inf, 0.0], ValueError, "log_pi contains inf"),
    ("log_pi", np.log([0.5, 0.2]), ValueError, r"log_pi must sum to 1 .*sums to 0.7\)"),
    ("log_pi", np.log([0.5, 0.5 + 2e-6]), ValueError, "log_pi must sum to 1"),
    ("log_pi", [[0.0], [0.0, 1.0]], TypeError, "log_pi must be a real array-like"),
    ("log_pi", ["a", "b"], TypeError, "log_pi must hold real numbers"),
    ("log_A", np.log(np.full((3, 3), 1 / 3)), ValueError, r"\(2, 2\), got \(3, 3\)"),
    ("log_A", np.log([0.5, 0.5]), ValueError, r"log_A must have shape \(N, N\)"),
    ("log_A", [[np.nan, 0.0], [0.0, -np.inf]], ValueError, "log_A contains NaN"),
    ("log_A", [[np.inf, 0.0], [0.0, -np.inf]], ValueError, "log_A contains inf"),
    ("log_A", np.log([[0.7, 0.3], [0.4, 0.3]]), ValueError, r"row 1 sums to 0.7\)"),
    ("log_A", np.ones((2, 2), dtype=complex), TypeError, "log_A must hold real"),
    (
        "log_B",
        np.zeros((3, 3)),
        ValueError,
        r"log_B must have shape \(T, N\) = \(T, 2\)",
    ),
    ("log_B", np.zeros(2), ValueError, r"log_B must have shape \(T, N\)"),
    ("log_B", np.zeros((0, 2)), ValueError, r"log_B must have at least one frame"),
    ("log_B", [[0.0, np.nan]], ValueError, "log_B contains NaN"),
    ("log_B", [[0.0, np.inf]], ValueError, "log_B contains inf"),
    ("log_B", np.zeros((3, 2), dtype=bool), TypeError, "log_B must hold real numbers"),
]


@pytest.mark.parametrize("fn", HMM_FUNCTIONS)
@pytest.mark.parametrize("name, value, error, match", BAD_HMM_INPUTS)
def test_hmm_functions_reject_bad_input(fn, name, value, error, match):
    with pytest.raises(error, match=match):
        fn(**{**GOOD, name: value})


@pytest.mark.parametrize("fn", HMM_FUNCTIONS)
def test_sums_within_tolerance_are_accepted(fn):
    fn(np.log([0.5, 0.5 + 5e-7]), HAND_A, HAND_B)  # off by less than 1e-6: fine


GOOD_GAUSSIAN = {
    "x": np.zeros((3, 2)),
    "means": np.zeros((2, 2)),
    "variances": np.ones((2, 2)),
}
BAD_GAUSSIAN_INPUTS = [
    ("x", np.zeros(3), ValueError, r"x must have shape \(T, D\)"),
    ("x", np.zeros((3, 3)), ValueError, r"x must have shape \(T, D\) = \(T, 2\)"),
    ("x", np.zeros((0, 2)), ValueError, r"x must have at least one frame \(T >= 1\)"),
    ("x", [[0.0, np.nan]], ValueError, "x contains NaN"),
    ("x", [[0.0, -np.inf]], ValueError, "x contains inf"),
    ("x", [["a", "b"]], TypeError, "x must hold real numbers"),
    ("means", np.zeros(2), ValueError, r"means must have shape \(N, D\)"),
    ("means", np.zeros((0, 2)), ValueError, "means must have at least one state"),
    ("means", [[0.0, np.inf], [0, 0]], ValueError, "means contains inf"),
    ("variances", np.ones((3, 2)), ValueError, r"variances must have shape .*\(2, 2\)"),
    ("variances", [[1.0, 0.0], [1, 1]], ValueError, "variances must be > 0"),
    ("variances", [[1.0, -2.0], [1, 1]], ValueError, "variances must be > 0.*-2"),
    ("variances", [[1.0, np.nan], [1, 1]], ValueError, "variances contains NaN"),
]


@pytest.mark.parametrize("name, value, error, match", BAD_GAUSSIAN_INPUTS)
def test_gaussian_log_likelihoods_rejects_bad_input(name, value, error, match):
    with pytest.raises(error, match=match):
        gaussian_log_likelihoods(**{**GOOD_GAUSSIAN, name: value})


GOOD_EM = {
    "sequences": [np.zeros((4, 1)), np.ones((3, 1))],
    "log_pi": HAND_PI,
    "log_A": HAND_A,
    "means": [[0.0], [1.0]],
    "variances": [[1.0], [1.0]],
}
BAD_EM_INPUTS = [
    ("sequences", [], ValueError, "sequences must contain at least one"),
    ("sequences", "abc", TypeError, "sequences must be an array or a list"),
    ("sequences", np.zeros(4), ValueError, "sequences must be a .* list of them"),
    ("sequences", np.zeros((2, 3, 1, 1)), ValueError, "list of them, ndim=4"),
    ("sequences", [[0.0, 1.0]], ValueError, r"sequences must have shape \(T, D\)"),
    ("sequences", [np.zeros((0, 1))], ValueError, r"sequences\[0\] must have at least"),
    ("sequences", [np.zeros((4, 1)), np.zeros((4, 2))], ValueError, r"sequences\[1\]"),
    ("sequences", [np.zeros((4, 2))], ValueError, r"sequences\[0\] must have shape"),
    ("sequences", [[[np.nan]]], ValueError, r"sequences\[0\] contains NaN"),
    ("log_pi", np.log([0.5, 0.2]), ValueError, "log_pi must sum to 1"),
    ("log_A", np.log([[0.7, 0.3], [0.4, 0.3]]), ValueError, "log_A rows must sum to 1"),
    ("means", [[0.0], [1.0], [2.0]], ValueError, r"means must have shape .*\(2, D\)"),
    ("variances", [[1.0], [0.0]], ValueError, "variances must be > 0"),
    ("n_iter", 0, ValueError, "n_iter must be at least 1"),
    ("n_iter", 2.5, TypeError, "n_iter must be an int"),
    ("n_iter", True, TypeError, "n_iter must be an int"),
    ("tol", -1.0, ValueError, "tol must be >= 0"),
    ("tol", np.nan, ValueError, "tol must be >= 0"),
    ("min_variance", 0.0, ValueError, "min_variance must be positive"),
    ("min_variance", np.inf, ValueError, "min_variance must be positive and finite"),
]


@pytest.mark.parametrize("name, value, error, match", BAD_EM_INPUTS)
def test_baum_welch_rejects_bad_input(name, value, error, match):
    with pytest.raises(error, match=match):
        baum_welch(**{**GOOD_EM, name: value})


def test_baum_welch_on_the_good_input_runs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = baum_welch(**GOOD_EM, n_iter=2)
    assert len(result.log_likelihoods) == 3
    assert np.all(np.diff(result.log_likelihoods) > 0)
