"""slmsurvey.explain: Shapley axioms, gradient attributions, rollout, rationale."""

import math

import numpy as np
import pytest
import torch

from slmsurvey.explain.gradients import integrated_gradients, saliency
from slmsurvey.explain.rationale import rationale
from slmsurvey.explain.rollout import attention_rollout
from slmsurvey.explain.shapley import kernel_shap, shapley_kernel, shapley_values


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def interacting(X):
    """A model with pairwise and three-way interactions (M = 5)."""
    return (
        X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0])
        + 2 * X[:, 0] * X[:, 1]
        + np.sin(X[:, 2] * X[:, 3])
        + X[:, 0] * X[:, 2] * X[:, 4]
    )


# ------------------------------------------------------------ Shapley: axioms
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_model_phi_is_w_times_x_minus_b(seed):
    rng = np.random.default_rng(seed)
    w, x, b = rng.normal(size=(3, 7))
    phi = shapley_values(lambda X: X @ w + 4.0, x, b)
    np.testing.assert_allclose(phi, w * (x - b), atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_efficiency(seed):
    rng = np.random.default_rng(seed)
    x, b = rng.normal(size=(2, 5))
    phi = shapley_values(interacting, x, b)
    gap = interacting(x[None])[0] - interacting(b[None])[0]
    assert math.isclose(phi.sum(), gap, abs_tol=1e-12)
    phi_k = kernel_shap(interacting, x, b, n_samples=10, seed=seed)
    assert math.isclose(phi_k.sum(), gap, abs_tol=1e-12)


def test_symmetry_and_dummy():
    # features 0 and 1 enter symmetrically; feature 3 is never used
    def f(X):
        return X[:, 0] * X[:, 1] + X[:, 0] + X[:, 1] + X[:, 2] ** 2

    x, b = np.array([1.5, 1.5, 2.0, 7.0]), np.array([0.0, 0.0, 1.0, -3.0])
    phi = shapley_values(f, x, b)
    assert math.isclose(phi[0], phi[1], abs_tol=1e-12)
    assert phi[3] == 0.0
    assert math.isclose(phi[2], 3.0)  # 2^2 - 1^2, no interaction


def test_matches_permutation_definition():
    # phi_i = average over all M! orders of the marginal contribution of i
    from itertools import permutations

    rng = np.random.default_rng(3)
    x, b = rng.normal(size=(2, 4))
    v = {}
    for k in range(16):
        S = np.array([(k >> j) & 1 for j in range(4)], dtype=bool)
        v[k] = interacting(np.r_[np.where(S, x, b), 0.0][None, :5])[0]
    phi = np.zeros(4)
    for order in permutations(range(4)):
        k = 0
        for i in order:
            phi[i] += v[k | 1 << i] - v[k]
            k |= 1 << i
    phi /= math.factorial(4)

    def f4(X):
        return interacting(np.c_[X, np.zeros(len(X))])

    np.testing.assert_allclose(shapley_values(f4, x, b), phi, atol=1e-12)


def test_one_feature_and_kernel_weights():
    assert shapley_values(lambda X: 3 * X[:, 0], [2.0], [1.0]).tolist() == [3.0]
    assert kernel_shap(lambda X: 3 * X[:, 0], [2.0], [1.0], n_samples=2) == [3.0]
    assert shapley_kernel(4, 1) == 0.25 and math.isclose(shapley_kernel(5, 2), 4 / 60)
    assert np.isinf(shapley_kernel(4, 0))


# ------------------------------------------------------------ KernelSHAP
@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_shap_is_exact_with_all_coalitions(seed):
    rng = np.random.default_rng(seed)
    x, b = rng.normal(size=(2, 5))
    exact = shapley_values(interacting, x, b)
    np.testing.assert_allclose(
        kernel_shap(interacting, x, b, n_samples=30), exact, atol=1e-10
    )


def test_kernel_shap_error_shrinks_with_samples():
    rng = np.random.default_rng(0)
    M = 12
    w = rng.normal(size=(M, M)) / M

    def f(X):
        return np.tanh(X @ w).sum(1) + X[:, 0] * X[:, 1] * X[:, 2]

    x, b = rng.normal(size=(2, M))
    exact = shapley_values(f, x, b)
    errors = {
        n: np.mean(
            [
                np.abs(kernel_shap(f, x, b, n_samples=n, seed=s) - exact).max()
                for s in range(8)
            ]
        )
        for n in (40, 400, 3000)
    }
    assert errors[40] > errors[400] > errors[3000]
    assert errors[3000] < 0.25 * errors[40]
    assert errors[3000] < 0.05 * np.abs(exact).max()


def test_kernel_shap_is_seeded():
    x, b = np.ones(6), np.zeros(6)

    def f(X):
        return X.prod(1) + X[:, 0]

    a = kernel_shap(f, x, b, n_samples=20, seed=5)
    np.testing.assert_array_equal(a, kernel_shap(f, x, b, n_samples=20, seed=5))
    assert not np.array_equal(a, kernel_shap(f, x, b, n_samples=20, seed=6))


# ------------------------------------------------------------ Shapley: errors
def test_shapley_refuses_too_many_features():
    with pytest.raises(ValueError, match="x has 17 features.*kernel_shap"):
        shapley_values(lambda X: X.sum(1), np.ones(17), np.zeros(17))


@pytest.mark.parametrize("fn", [shapley_values, kernel_shap])
def test_shapley_bad_input(fn):
    kw = {"n_samples": 10} if fn is kernel_shap else {}

    def f(X):
        return X.sum(1)

    with pytest.raises(ValueError, match="baseline must have the shape of x"):
        fn(f, np.ones(3), np.zeros(4), **kw)
    with pytest.raises(ValueError, match="x contains NaN"):
        fn(f, np.array([1.0, np.nan]), np.zeros(2), **kw)
    with pytest.raises(ValueError, match="baseline contains NaN"):
        fn(f, np.ones(2), np.array([0.0, np.inf]), **kw)
    with pytest.raises(ValueError, match="x must be a non-empty 1-D"):
        fn(f, np.ones((2, 2)), np.zeros((2, 2)), **kw)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        fn(f, ["a", "b"], np.zeros(2), **kw)
    with pytest.raises(TypeError, match="f must be callable"):
        fn("f", np.ones(2), np.zeros(2), **kw)
    with pytest.raises(ValueError, match="f must map an"):
        fn(lambda X: X, np.ones(2), np.zeros(2), **kw)
    with pytest.raises(ValueError, match="f returned NaN"):
        fn(lambda X: np.full(len(X), np.nan), np.ones(2), np.zeros(2), **kw)


def test_kernel_shap_bad_n_samples():
    with pytest.raises(ValueError, match="n_samples must be at least 2"):
        kernel_shap(lambda X: X.sum(1), np.ones(3), np.zeros(3), n_samples=1)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        kernel_shap(lambda X: X.sum(1), np.ones(3), np.zeros(3), n_samples=5.0)


# ------------------------------------------------------------ gradients
def quadratic_model():
    torch.manual_seed(0)
    Q = torch.randn(3, 4, 4, dtype=torch.float64)
    w = torch.randn(3, 4, dtype=torch.float64)

    def model(x):  # (B, 4) -> (B, 3): F_c = x^T Q_c x + w_c x
        return torch.einsum("bi,cij,bj->bc", x, Q, x) + x @ w.T  # (B, 3)

    return model, Q, w


def test_saliency_is_the_gradient():
    model, Q, w = quadratic_model()
    x = torch.randn(2, 4, dtype=torch.float64)
    grad = saliency(model, x, torch.tensor([0, 2]), absolute=False)
    for b, c in ((0, 0), (1, 2)):
        analytic = (Q[c] + Q[c].T) @ x[b] + w[c]
        torch.testing.assert_close(grad[b], analytic)
    torch.testing.assert_close(saliency(model, x, torch.tensor([0, 2])), grad.abs())


def test_integrated_gradients_exact_for_quadratic():
    # along x' + a (x - x'), F is quadratic in a: the midpoint rule is exact
    model, Q, w = quadratic_model()
    x = torch.randn(3, 4, dtype=torch.float64)
    ig = integrated_gradients(model, x, 0.0, 1, steps=1)
    analytic = torch.stack(
        [xb * (0.5 * (Q[1] + Q[1].T) @ xb + w[1]) for xb in x]
    )  # IG_i = x_i (1/2 (Q + Q^T) x + w)_i from x' = 0
    torch.testing.assert_close(ig, analytic)
    lin = torch.nn.Linear(4, 2).double()
    x0 = torch.randn(4, dtype=torch.float64)
    ig = integrated_gradients(lin, x, x0, 0, steps=3)
    torch.testing.assert_close(ig, (x - x0) * lin.weight[0].detach())


def test_integrated_gradients_completeness_improves_with_steps():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)
    ).double()
    x = 2 * torch.randn(4, 6, dtype=torch.float64)
    x0 = torch.zeros(6, dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 0])
    with torch.no_grad():
        gap = (net(x) - net(x0[None])).gather(1, target[:, None])[:, 0]
    errors = [
        (integrated_gradients(net, x, x0, target, steps=k).sum(1) - gap).abs().max()
        for k in (2, 8, 64)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3 * gap.abs().max()


def test_gradients_leave_parameters_and_mode_alone():
    net = torch.nn.Linear(3, 2)
    saliency(net, torch.randn(2, 3), 1)
    integrated_gradients(net, torch.randn(2, 3), 0.0, 1)
    assert all(p.grad is None for p in net.parameters())


def test_gradient_bad_input():
    net = torch.nn.Linear(3, 2)
    x = torch.randn(2, 3)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        saliency(net, x.numpy(), 0)
    with pytest.raises(TypeError, match="floating-point"):
        saliency(net, x.long(), 0)
    with pytest.raises(ValueError, match="batch dimension"):
        saliency(net, x[0], 0)
    with pytest.raises(ValueError, match="x contains NaN"):
        saliency(net, x / 0.0, 0)
    with pytest.raises(ValueError, match=r"target must be in \[0, 2\)"):
        saliency(net, x, 2)
    with pytest.raises(ValueError, match=r"target must have shape \(2,\)"):
        saliency(net, x, torch.tensor([0, 1, 1]))
    with pytest.raises(TypeError, match="target must be an int"):
        saliency(net, x, 0.5)
    with pytest.raises(ValueError, match="model must return"):
        saliency(lambda z: z.sum(1), x, 0)
    with pytest.raises(ValueError, match="does not broadcast"):
        integrated_gradients(net, x, torch.zeros(4), 0)
    with pytest.raises(TypeError, match="baseline must be a tensor"):
        integrated_gradients(net, x, "zero", 0)
    with pytest.raises(ValueError, match="baseline contains NaN"):
        integrated_gradients(net, x, torch.full((3,), float("nan")), 0)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        integrated_gradients(net, x, 0.0, 0, steps=0)


# ------------------------------------------------------------ rollout
def random_attention(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(*shape, generator=g), -1)


def test_rollout_by_hand():
    A1 = torch.tensor([[[0.5, 0.5], [0.0, 1.0]]])  # (H=1, T, T)
    A2 = torch.tensor([[[1.0, 0.0], [0.5, 0.5]]])
    # (A + I)/2: [[.75, .25], [0, 1]] and [[1, 0], [.25, .75]]
    expected = torch.tensor([[1.0, 0.0], [0.25, 0.75]]) @ torch.tensor(
        [[0.75, 0.25], [0.0, 1.0]]
    )
    torch.testing.assert_close(attention_rollout([A1, A2]), expected)
    torch.testing.assert_close(
        attention_rollout([A1, A2], residual=False), A2[0] @ A1[0]
    )


def test_rollout_averages_heads_and_batches():
    layers = [random_attention((2, 3, 5, 5), s) for s in range(3)]  # (B, H, T, T)
    R = attention_rollout(layers)
    assert R.shape == (2, 5, 5)
    torch.testing.assert_close(R.sum(-1), torch.ones(2, 5))
    assert bool((R >= 0).all())
    R1 = attention_rollout([A[1] for A in layers])
    torch.testing.assert_close(R[1], R1)
    torch.testing.assert_close(attention_rollout(torch.stack(layers)), R)
    # one layer, residual: (mean_h A + I) / 2
    torch.testing.assert_close(
        attention_rollout(layers[:1]), 0.5 * layers[0].mean(1) + 0.5 * torch.eye(5)
    )


def test_rollout_bad_input():
    A = random_attention((2, 4, 4), 0)
    with pytest.raises(ValueError, match="non-empty sequence"):
        attention_rollout([])
    with pytest.raises(TypeError, match=r"attentions\[1\] must be a floating"):
        attention_rollout([A, A.long()])
    with pytest.raises(ValueError, match=r"must have shape \(..., H, T, T\)"):
        attention_rollout([A[..., :3]])
    with pytest.raises(ValueError, match="unlike layer 0"):
        attention_rollout([A, A[:1]])
    with pytest.raises(ValueError, match="rows must sum to 1|each row must sum"):
        attention_rollout([2 * A])
    with pytest.raises(ValueError, match="negative"):
        attention_rollout([A - 0.5])
    with pytest.raises(ValueError, match="NaN"):
        attention_rollout([A * float("nan")])


# ------------------------------------------------------------ rationale
def test_rationale_text():
    text = rationale([0.1, -0.42, 0.0, 0.08], ["a", "b", "c", "d"], top=2)
    assert text == (
        "The prediction rests mostly on b (\N{MINUS SIGN}0.42) and a (+0.10), "
        "which carry 87 % of the total attribution."
    )
    one = rationale(np.array([3.0, 1.0]), ["pitch", "energy"], top=1, digits=1)
    assert one.startswith("The prediction rests mostly on pitch (+3.0), which carries")
    assert "75 %" in one
    assert "a (+1.00), b" in rationale([1.0, 1.0, 1.0], ["a", "b", "c"], top=5)


def test_rationale_bad_input():
    with pytest.raises(ValueError, match="feature_names must be 2 strings"):
        rationale([1.0, 2.0], ["a"])
    with pytest.raises(ValueError, match="attributions must be a non-empty 1-D"):
        rationale([], [])
    with pytest.raises(ValueError, match="attributions contains NaN"):
        rationale([np.nan], ["a"])
    with pytest.raises(ValueError, match="top must be a positive int"):
        rationale([1.0], ["a"], top=0)
