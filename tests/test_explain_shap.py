"""slmsurvey.explain's Shapley values against the ``shap`` package (0.51).

With a one-row background, ``shap``'s exact explainer and KernelExplainer use
the same interventional value function v(S) = f(x_S, b_rest) as ours.
"""

import warnings

import numpy as np
import pytest
import torch

from slmsurvey.explain.shapley import kernel_shap, shapley_values

shap = pytest.importorskip("shap")


def linear(X):
    return X @ np.array([0.5, -1.0, 2.0, 0.0, 1.5])


def interactions(X):
    return X[:, 0] * X[:, 1] - np.sin(X[:, 2] * X[:, 3]) + X[:, 4] ** 2


def mlp():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    ).double()

    def f(X):
        with torch.no_grad():
            return net(torch.as_tensor(X, dtype=torch.float64))[:, 0].numpy()

    return f


MODELS = {"linear": linear, "interactions": interactions, "mlp": mlp()}


def shap_exact(f, x, b):
    masker = shap.maskers.Independent(b[None, :], max_samples=1)
    return shap.explainers.Exact(f, masker)(x[None, :]).values[0]


def shap_kernel(f, x, b, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.KernelExplainer(f, b[None, :])
        return np.asarray(explainer.shap_values(x[None, :], nsamples=n, silent=True))[0]


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_agrees_with_shap_exact(name, seed):
    rng = np.random.default_rng(seed)
    x, b = rng.normal(size=(2, 5))
    f = MODELS[name]
    np.testing.assert_allclose(
        shapley_values(f, x, b), shap_exact(f, x, b), rtol=0, atol=1e-10
    )


@pytest.mark.parametrize("name", list(MODELS))
def test_kernel_with_all_coalitions_agrees_with_shap_kernel(name):
    rng = np.random.default_rng(7)
    x, b = rng.normal(size=(2, 5))
    f = MODELS[name]
    ours = kernel_shap(f, x, b, n_samples=2**5 - 2)
    np.testing.assert_allclose(ours, shap_kernel(f, x, b, 2**5 - 2), atol=1e-10)
    np.testing.assert_allclose(ours, shapley_values(f, x, b), atol=1e-10)


def test_sampled_kernel_is_as_close_as_shap_kernel():
    # M = 10, 200 of the 1022 coalitions: both estimates are approximate
    rng = np.random.default_rng(0)
    W = rng.normal(size=(10, 10)) / 3

    def f(X):
        return np.tanh(X @ W).sum(1) + X[:, 0] * X[:, 1]

    x, b = rng.normal(size=(2, 10))
    exact = shapley_values(f, x, b)
    scale = np.abs(exact).max()
    ours = np.mean(
        [
            np.abs(kernel_shap(f, x, b, n_samples=200, seed=s) - exact).max()
            for s in range(5)
        ]
    )
    # shap's KernelExplainer samples with numpy's global random state
    np.random.seed(0)  # noqa: NPY002
    theirs = np.mean(
        [np.abs(shap_kernel(f, x, b, 200) - exact).max() for _ in range(5)]
    )
    assert ours < 0.1 * scale and theirs < 0.1 * scale
    assert ours < 3 * theirs + 1e-3 * scale
